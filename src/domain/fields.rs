//! Messages about the fields of a form or an API body, one per field.

use std::collections::BTreeMap;

/// What was wrong with each field of a submission, in words for the person
/// who typed it. Keys are field names as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field`; the first message for a field wins.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Keeps the parsed value, or records its error and gives `None`.
    pub fn check<T, E: Into<String>>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }
}

/// Why `text` cannot be stored as typed: a control character other than
/// tab, line feed and carriage return (a NUL byte, an escape, a vertical
/// tab…). Every text a request carries passes this check before anything
/// reads it, so both engines store the same text (PostgreSQL refuses NUL
/// outright; SQLite would keep it).
pub fn plain_text(text: &str) -> Result<(), String> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        None => Ok(()),
        Some(c) => Err(format!(
            "Remove the control character U+{:04X}; text may hold letters, digits, punctuation, tabs and line breaks.",
            u32::from(c)
        )),
    }
}

/// The first and last years a visit or a due date may fall in: anything
/// outside is a typing slip (`0000-01-01`, `20266-01-01`), not a plan.
pub const YEARS: (i32, i32) = (1990, 2100);

/// `day` if it falls within [`YEARS`].
pub fn calendar_day(day: chrono::NaiveDate) -> Result<chrono::NaiveDate, String> {
    use chrono::Datelike;
    if (YEARS.0..=YEARS.1).contains(&day.year()) {
        Ok(day)
    } else {
        Err(format!("Enter a date between {} and {}.", YEARS.0, YEARS.1))
    }
}

/// A required line of text: trimmed, not empty, at most `max` characters.
pub fn required_text(raw: &str, max: usize, empty: &'static str) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(empty.to_owned());
    }
    if text.chars().count() > max {
        return Err(format!("Use at most {max} characters."));
    }
    if text.chars().any(char::is_control) {
        return Err("Remove the line breaks and control characters.".to_owned());
    }
    Ok(text.to_owned())
}

/// A form checkbox or CSV flag: "on", "true", "yes", "1" mean yes; empty or
/// "false", "no", "0", "off" mean no.
pub fn parse_flag(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "y" | "1" => Ok(true),
        "" | "off" | "false" | "no" | "n" | "0" => Ok(false),
        _ => Err("Use yes or no.".to_owned()),
    }
}

/// `1 snapshot`, `3 snapshots`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_calendar_day_falls_between_1990_and_2100() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (date, ok) in [
            (day(0, 1, 1), false),
            (day(-5, 1, 1), false),
            (day(1989, 12, 31), false),
            (day(1990, 1, 1), true),
            (day(2026, 12, 7), true),
            (day(2100, 12, 31), true),
            (day(2101, 1, 1), false),
        ] {
            assert_eq!(calendar_day(date).is_ok(), ok, "{date}");
        }
        assert_eq!(
            calendar_day(day(0, 1, 1)).unwrap_err(),
            "Enter a date between 1990 and 2100."
        );
    }

    #[test]
    fn plain_text_refuses_control_characters_but_tabs_and_line_breaks() {
        for ok in [
            "",
            "Reading block",
            "a\tb",
            "line\nline",
            "crlf\r\n",
            "é – ✓ 学",
        ] {
            assert_eq!(plain_text(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "a\u{0}b",
            "\u{1b}[31m",
            "soft\u{b}break",
            "\u{c}",
            "\u{7f}",
            "\u{85}",
        ] {
            let refused = plain_text(bad).unwrap_err();
            assert!(
                refused.starts_with("Remove the control character U+"),
                "{bad:?}: {refused}"
            );
        }
        assert!(plain_text("a\u{0}").unwrap_err().contains("U+0000"));
    }

    use super::*;

    #[test]
    fn first_message_for_a_field_wins() {
        let mut errors = FieldErrors::new();
        errors.add("name", "first");
        errors.add("name", "second");
        assert_eq!(errors.get("name"), Some("first"));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn required_text_trims_and_limits() {
        assert_eq!(required_text("  Oak  ", 10, "empty"), Ok("Oak".to_owned()));
        assert_eq!(required_text("   ", 10, "empty"), Err("empty".to_owned()));
        assert!(required_text(&"x".repeat(11), 10, "empty").is_err());
        assert!(required_text("a\u{7}b", 10, "empty").is_err());
        // Characters, not bytes.
        assert!(required_text(&"é".repeat(10), 10, "empty").is_ok());
    }

    #[test]
    fn flags() {
        assert_eq!(parse_flag("on"), Ok(true));
        assert_eq!(parse_flag(" Yes "), Ok(true));
        assert_eq!(parse_flag(""), Ok(false));
        assert_eq!(parse_flag("0"), Ok(false));
        assert!(parse_flag("maybe").is_err());
    }
}
