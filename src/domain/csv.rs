//! The one CSV writer of every download (exports, item lists, frameworks).
//! A spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`, a tab or
//! a carriage return as a formula, so such a cell is written with a leading
//! `'` (OWASP's advice for CSV injection); a plain number is left as it is.
//! Reading a file back, [`restore`] takes the `'` off again, so a framework
//! exported and imported is unchanged.

use std::borrow::Cow;
use std::io::Write;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `cell` is a number as written (`-3`, `+1.5`, `2e3`), which a
/// spreadsheet reads as a number and not as a formula.
fn is_number(cell: &str) -> bool {
    cell.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && cell.parse::<f64>().is_ok()
}

/// `cell` as it is safe to hand to a spreadsheet.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(first) if TRIGGERS.contains(&first) && !is_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// A cell read from a file this writer made, as it was before
/// [`neutralise`].
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) && !is_number(rest) => rest,
        _ => cell,
    }
}

/// A CSV writer whose every cell is neutralised.
pub struct Writer<W: Write> {
    inner: ::csv::Writer<W>,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Self {
            inner: ::csv::Writer::from_writer(out),
        }
    }

    /// Writes one row.
    pub fn row<I, T>(&mut self, cells: I) -> ::csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| neutralise(c.as_ref()).into_owned())
            .collect();
        self.inner.write_record(&cells)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// The output, once everything is written.
    pub fn into_inner(self) -> Result<W, String> {
        self.inner.into_inner().map_err(|e| e.to_string())
    }
}

impl Writer<Vec<u8>> {
    /// Everything written, as text.
    pub fn into_string(self) -> String {
        String::from_utf8(self.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_get_a_leading_quote() {
        let table = [
            (
                "=HYPERLINK(\"http://evil.example/\",\"x\")",
                "'=HYPERLINK(\"http://evil.example/\",\"x\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tTab first", "'\tTab first"),
            ("\rReturn first", "'\rReturn first"),
            ("- a bullet", "'- a bullet"),
            ("-3", "-3"),
            ("+1.5", "+1.5"),
            ("-2e3", "-2e3"),
            ("Oak Middle", "Oak Middle"),
            ("a=b", "a=b"),
            ("", ""),
            ("'quoted", "'quoted"),
        ];
        for (cell, written) in table {
            assert_eq!(neutralise(cell), written, "{cell:?}");
            assert_eq!(restore(written), cell, "{written:?} read back");
        }
    }

    #[test]
    fn the_writer_neutralises_every_cell_of_every_row() {
        let mut writer = Writer::new(Vec::new());
        writer.row(["name", "code"]).unwrap();
        writer.row(["=1+1", "-7"]).unwrap();
        assert_eq!(writer.into_string(), "name,code\n'=1+1,-7\n");
    }
}
