//! Pages are functions of domain values returning `Markup`; one layout
//! shell and a few components shared by every page.

pub mod account;
pub mod assets;
pub mod audit;
pub mod calendar;
pub mod charts;
pub mod debriefs;
pub mod departments;
pub mod errors;
pub mod frameworks;
pub mod home;
pub mod insights;
pub mod items;
pub mod learning;
pub mod mail;
pub mod observations;
pub mod password;
pub mod report;
pub mod responses;
pub mod schools;
pub mod settings;
pub mod users;
pub mod visits;

use maud::{html, Markup, Render, DOCTYPE};

use crate::domain::paging::Page;
use crate::domain::FieldErrors;

/// Who is looking at a page, as far as the page needs to know.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub user: Option<Viewer>,
    /// The session's CSRF token, echoed by every form.
    pub csrf: String,
    /// The day the page is shown on: what is overdue and due soon is
    /// counted from it.
    pub today: chrono::NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Viewer {
    pub id: i64,
    pub name: String,
    pub is_admin: bool,
    /// Administrators and visit leads: the district overview.
    pub sees_district: bool,
    /// A school leader's school, for the link to its action steps.
    pub school_board: Option<i64>,
    /// A department head's department, for the link to its board.
    pub department_board: Option<i64>,
}

/// The hidden field that proves a form came from this site.
pub fn csrf_field(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name=(crate::domain::forms::CSRF_FIELD) value=(ctx.csrf); }
}

/// Which part of the app a page belongs to, to mark it in the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Overview,
    Visits,
    Items,
    Schools,
    Departments,
    Users,
    Frameworks,
    Learning,
    Audit,
    Mail,
    Settings,
    Account,
    None,
}

/// The shell every page shares.
pub fn page(ctx: &Ctx, title: &str, section: Section, content: Markup) -> Markup {
    let admin_nav = [
        (Section::Schools, "/admin/schools", "Schools"),
        (Section::Departments, "/admin/departments", "Departments"),
        (Section::Users, "/admin/users", "People"),
        (Section::Frameworks, "/admin/frameworks", "Frameworks"),
        (Section::Audit, "/admin/audit", "Audit log"),
        (Section::Mail, "/admin/mail", "Email"),
        (Section::Settings, "/admin/settings", "Settings"),
    ];
    let mut nav = Vec::new();
    let mut boards = Vec::new();
    if let Some(viewer) = &ctx.user {
        if viewer.sees_district {
            nav.push((Section::Overview, "/overview", "Overview"));
        }
        nav.push((Section::Visits, "/visits", "Visits"));
        nav.push((Section::Items, "/items", "My items"));
        nav.push((Section::Learning, "/learning", "Learning"));
        if let Some(school) = viewer.school_board {
            boards.push((format!("/schools/{school}"), "Campus"));
            boards.push((format!("/schools/{school}/items"), "Action steps"));
        }
        if let Some(department) = viewer.department_board {
            boards.push((format!("/departments/{department}"), "Department"));
            boards.push((
                format!("/departments/{department}/items"),
                "Department items",
            ));
        }
    }
    if ctx.user.as_ref().is_some_and(|viewer| viewer.is_admin) {
        nav.extend(admin_nav);
    }
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if !ctx.csrf.is_empty() { meta name="csrf-token" content=(ctx.csrf); }
                title { (title) " · campus-visits" }
                link rel="stylesheet" href=(assets::stylesheet_path());
                link rel="icon" type="image/svg+xml" href="/favicon.ico";
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    div.bar {
                        a.brand href="/" aria-current=[(section == Section::Home).then_some("page")] { "campus-visits" }
                        nav aria-label="Main" {
                            ul {
                                @for (s, href, label) in nav {
                                    li { a href=(href) aria-current=[(s == section).then_some("page")] { (label) } }
                                }
                                @for (href, label) in &boards {
                                    li { a href=(href) { (label) } }
                                }
                                @if let Some(viewer) = &ctx.user {
                                    li { a href="/account" aria-current=[(section == Section::Account).then_some("page")] { "Account (" (viewer.name) ")" } }
                                    li {
                                        form.inline method="post" action="/sign-out" {
                                            (csrf_field(ctx))
                                            button.link type="submit" { "Sign out" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (content) }
            }
        }
    }
}

/// A summary of a form's errors, each linking to its field, so that a
/// screen-reader or keyboard user can reach every one.
pub fn error_summary(errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" {
                h2 #error-summary-title { "Please correct " (errors.len()) @if errors.len() == 1 { " field" } @else { " fields" } }
                ul {
                    @for (field, message) in errors.iter() {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// A labelled one-line text input with its hint and error beside it.
pub struct TextField<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'a str,
    pub hint: Option<&'a str>,
    pub required: bool,
    pub autocomplete: Option<&'a str>,
}

impl<'a> TextField<'a> {
    pub fn new(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Self {
            name,
            label,
            value,
            kind: "text",
            hint: None,
            required: true,
            autocomplete: None,
        }
    }

    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub fn autocomplete(mut self, value: &'a str) -> Self {
        self.autocomplete = Some(value);
        self
    }

    pub fn show(&self, errors: &FieldErrors) -> Markup {
        let error = errors.get(self.name);
        let described = described_by(self.name, self.hint.is_some(), error.is_some());
        html! {
            div.field.invalid[error.is_some()] {
                label for=(self.name) { (self.label) @if !self.required { " (optional)" } }
                @if let Some(hint) = self.hint { p.hint id={ (self.name) "-hint" } { (hint) } }
                @if let Some(error) = error { p.error-message id={ (self.name) "-error" } { (error) } }
                input type=(self.kind) id=(self.name) name=(self.name) value=(self.value)
                    required[self.required] autocomplete=[self.autocomplete]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
            }
        }
    }
}

fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [(hint, "hint"), (error, "error")]
        .into_iter()
        .filter(|(present, _)| *present)
        .map(|(_, suffix)| format!("{name}-{suffix}"))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A labelled select box; `choices` are (value, label) pairs, and an empty
/// first choice reads `none` (a prompt, or the word for "not set" when the
/// field is optional).
pub fn select_field(
    name: &str,
    label: &str,
    selected: &str,
    choices: &[(String, String)],
    none: Option<&str>,
    optional: bool,
    errors: &FieldErrors,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(name) { (label) @if optional { " (optional)" } }
            @if let Some(error) = error { p.error-message id={ (name) "-error" } { (error) } }
            select id=(name) name=(name) aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{name}-error"))] {
                @if let Some(none) = none { option value="" selected[selected.is_empty()] { (none) } }
                @for (value, text) in choices {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
        }
    }
}

/// A labelled checkbox that submits `on` when ticked.
pub fn checkbox(name: &str, label: &str, checked: bool) -> Markup {
    html! {
        div.field {
            label.check for=(name) {
                input type="checkbox" id=(name) name=(name) value="on" checked[checked];
                (label)
            }
        }
    }
}

/// Active or inactive, said in words, not colour alone.
pub struct ActiveBadge(pub bool);

impl Render for ActiveBadge {
    fn render(&self) -> Markup {
        html! {
            @if self.0 { span.status.active { "Active" } } @else { span.status.inactive { "Inactive" } }
        }
    }
}

/// Previous/next links for a paged list; `base` is the list's address with
/// its other query values, ending in `?` or `&`.
pub fn pager<T>(page: &Page<T>, base: &str) -> Markup {
    let current = page.request.page;
    html! {
        @if page.page_count() > 1 {
            nav.pager aria-label="Pages" {
                @if current > 1 {
                    a.button.secondary href={ (base) "page=" (current - 1) } rel="prev" { "Previous page" }
                }
                span { "Page " (current) " of " (page.page_count()) " (" (page.total) " in all)" }
                @if page.has_next() {
                    a.button.secondary href={ (base) "page=" (current + 1) } rel="next" { "Next page" }
                }
            }
        } @else {
            p.lede { (page.total) " in all" }
        }
    }
}

/// "1 item", "3 items".
pub fn count(n: usize, one: &str, many: &str) -> String {
    crate::domain::fields::plural(n, one, many)
}

/// Encodes a value for a query string.
pub fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A plain-text notice for after a successful change.
pub fn notice(text: Option<&str>) -> Markup {
    html! {
        @if let Some(text) = text { p.notice role="status" { (text) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        let errors = FieldErrors::new();
        let html = TextField::new("name", "Name", "<script>alert(1)</script>")
            .show(&errors)
            .into_string();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn errors_are_tied_to_their_field() {
        let errors = FieldErrors::single("code", "Enter the school's code.");
        let html = TextField::new("code", "Code", "")
            .show(&errors)
            .into_string();
        assert!(html.contains(r#"aria-invalid="true""#));
        assert!(html.contains(r#"aria-describedby="code-error""#));
        assert!(
            html.contains("Enter the school&#39;s code.")
                || html.contains("Enter the school's code.")
        );
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(query_value("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }
}
