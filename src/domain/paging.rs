//! Which slice of a long list a page shows.

/// A page of a list: 1-based page number and rows per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const DEFAULT_PER_PAGE: u32 = 50;
    pub const MAX_PER_PAGE: u32 = 200;
    /// The last page number a client may ask for: a million pages of the
    /// longest list is more than any district holds.
    pub const MAX_PAGE: u32 = 1_000_000;

    /// Reads the `page` and `per_page` query values; anything missing,
    /// zero or out of range falls back to a sensible value.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page
                .unwrap_or(Self::DEFAULT_PER_PAGE)
                .clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// As [`PageRequest::new`], for a client that must be told: a page below
    /// 1 or rows per page outside 1–200 are refused, naming the field.
    pub fn checked(
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> Result<Self, crate::domain::FieldErrors> {
        let mut errors = crate::domain::FieldErrors::new();
        if page == Some(0) {
            errors.add("page", "Pages are numbered from 1.");
        }
        if page.is_some_and(|n| n > Self::MAX_PAGE) {
            errors.add(
                "page",
                format!("Ask for a page from 1 to {}.", Self::MAX_PAGE),
            );
        }
        if per_page.is_some_and(|n| !(1..=Self::MAX_PER_PAGE).contains(&n)) {
            errors.add(
                "per_page",
                format!("Ask for 1 to {} rows per page.", Self::MAX_PER_PAGE),
            );
        }
        if errors.is_empty() {
            Ok(Self::new(page, per_page))
        } else {
            Err(errors)
        }
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

/// Rows of one page and how many rows the whole list has.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub request: PageRequest,
    pub total: i64,
}

impl<T> Page<T> {
    /// The page `request` asks for of a list read whole.
    pub fn slice(all: Vec<T>, request: PageRequest) -> Self {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from(request.offset()).unwrap_or(usize::MAX);
        let items = all
            .into_iter()
            .skip(skip)
            .take(request.per_page as usize)
            .collect();
        Page {
            items,
            request,
            total,
        }
    }

    pub fn page_count(&self) -> u32 {
        let per = i64::from(self.request.per_page);
        u32::try_from(((self.total + per - 1) / per).max(1)).unwrap_or(u32::MAX)
    }

    pub fn has_next(&self) -> bool {
        self.request.page < self.page_count()
    }
}

/// A search term as typed, ready for a case-insensitive `LIKE`: lower-cased,
/// with `%`, `_` and the escape character itself escaped by `\`.
pub fn like_pattern(term: &str) -> String {
    let mut pattern = String::from("%");
    for c in term.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_read_whole_is_sliced_into_pages() {
        // (page, per_page, the rows it shows)
        let table: [(u32, u32, &[u32]); 4] =
            [(1, 2, &[1, 2]), (2, 2, &[3, 4]), (3, 2, &[5]), (4, 2, &[])];
        for (page, per_page, rows) in table {
            let got = Page::slice(
                vec![1, 2, 3, 4, 5],
                PageRequest::new(Some(page), Some(per_page)),
            );
            assert_eq!((got.items.as_slice(), got.total), (rows, 5), "page {page}");
        }
    }

    #[test]
    fn a_checked_page_request_refuses_what_is_out_of_range() {
        assert_eq!(
            PageRequest::checked(Some(2), Some(200)),
            Ok(PageRequest {
                page: 2,
                per_page: 200
            })
        );
        assert!(PageRequest::checked(Some(PageRequest::MAX_PAGE), None).is_ok());
        assert_eq!(
            PageRequest::checked(None, None),
            Ok(PageRequest::new(None, None))
        );
        for (page, per_page, field) in [
            (Some(0), None, "page"),
            (None, Some(0), "per_page"),
            (None, Some(201), "per_page"),
            (None, Some(u32::MAX), "per_page"),
            (Some(PageRequest::MAX_PAGE + 1), None, "page"),
            (Some(2_147_483_648), None, "page"),
        ] {
            let errors = PageRequest::checked(page, per_page).unwrap_err();
            assert!(errors.get(field).is_some(), "{page:?} {per_page:?}");
        }
    }

    #[test]
    fn page_request_bounds() {
        assert_eq!(
            PageRequest::new(None, None),
            PageRequest {
                page: 1,
                per_page: 50
            }
        );
        assert_eq!(PageRequest::new(Some(0), Some(0)).per_page, 1);
        assert_eq!(PageRequest::new(Some(3), Some(10_000)).per_page, 200);
        assert_eq!(PageRequest::new(Some(3), Some(20)).offset(), 40);
    }

    #[test]
    fn page_count_rounds_up() {
        let page = |total| Page::<()> {
            items: vec![],
            request: PageRequest::new(Some(1), Some(50)),
            total,
        };
        assert_eq!(page(0).page_count(), 1);
        assert_eq!(page(50).page_count(), 1);
        assert_eq!(page(51).page_count(), 2);
        assert!(page(51).has_next());
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern(" Oak "), "%oak%");
        assert_eq!(like_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }
}
