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

/// What the checks of this module accept, as the OpenAPI document states
/// it (ECMA-262 patterns, which Python's and Rust's regexes read alike).
pub mod patterns {
    /// Text without control characters other than tab, line feed and
    /// carriage return: [`super::plain_text`].
    pub const PLAIN_TEXT: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";
    /// A required line: [`super::required_text`] (blank around it is
    /// trimmed; inside, no control character at all).
    pub const LINE: &str = r"^[ \t\n\r]*[^\s\x00-\x1F\x7F-\x9F]([^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?[ \t\n\r]*$";
    /// A required text that may span lines.
    pub const TEXT: &str = r"^[ \t\n\r]*[^\s\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";
    /// A calendar day within [`super::YEARS`], `YYYY-MM-DD`.
    pub const DAY: &str = r"^(199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
    /// An email address as `EmailAddress::parse` takes it.
    pub const EMAIL: &str = r#"^[ \t\n\r]*[^\s@<>(),;:"\[\]\\\x00-\x1F\x7F-\x9F]{1,64}@([^\s@<>(),;:"\[\]\\\x00-\x1F\x7F-\x9F.]+\.)+[^\s@<>(),;:"\[\]\\\x00-\x1F\x7F-\x9F.]+[ \t\n\r]*$"#;
    /// An email address or nothing.
    pub const EMAIL_OR_EMPTY: &str = r#"^[ \t\n\r]*([^\s@<>(),;:"\[\]\\\x00-\x1F\x7F-\x9F]{1,64}@([^\s@<>(),;:"\[\]\\\x00-\x1F\x7F-\x9F.]+\.)+[^\s@<>(),;:"\[\]\\\x00-\x1F\x7F-\x9F.]+)?[ \t\n\r]*$"#;
    /// A school's code.
    pub const SCHOOL_CODE: &str = r"^[ \t\n\r]*[A-Za-z0-9_-]{1,20}[ \t\n\r]*$";
    /// A time of day, `HH:MM`, or nothing.
    pub const TIME_OR_EMPTY: &str = r"^[ \t\n\r]*(([01]?[0-9]|2[0-3]):[0-5]?[0-9])?[ \t\n\r]*$";
    /// A submission key made on the device.
    pub const IDEMPOTENCY_KEY: &str = r"^[A-Za-z0-9_-]{8,100}$";
}

/// The first and last years a visit or a due date may fall in: anything
/// outside is a typing slip (`0000-01-01`, `20266-01-01`), not a plan.
pub const YEARS: (i32, i32) = (1990, 2100);

/// A day written `YYYY-MM-DD`, four digits, two and two (chrono alone
/// would also take `2026-1-5`); not yet checked against [`YEARS`].
pub fn day_text(raw: &str) -> Result<chrono::NaiveDate, String> {
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
        .ok_or_else(|| "Enter the date as YYYY-MM-DD, e.g. 2026-12-03.".to_owned())
}

/// Reads an optional day from a body or a query string with [`day_text`].
pub fn optional_day<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::NaiveDate>, D::Error> {
    use serde::Deserialize;
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => day_text(&raw).map(Some).map_err(serde::de::Error::custom),
    }
}

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

    #[test]
    fn the_documents_patterns_accept_what_the_checks_accept() {
        use super::patterns::*;
        use crate::domain::observation::IdempotencyKey;
        use crate::domain::school::SchoolCode;
        use crate::domain::user::EmailAddress;
        // A day as a form or a body's text sends it, and as JSON reads it.
        let day = |raw: &str| {
            let typed = crate::domain::visit::parse_date(raw).is_ok();
            let read = optional_day(serde_json::Value::from(raw))
                .map_err(|e| e.to_string())
                .and_then(|d| calendar_day(d.expect("a day")))
                .is_ok();
            assert_eq!(typed, read, "{raw:?}");
            typed
        };
        let time = |raw: &str| {
            let raw = raw.trim();
            raw.is_empty() || chrono::NaiveTime::parse_from_str(raw, "%H:%M").is_ok()
        };
        type Check = Box<dyn Fn(&str) -> bool>;
        let long_key = "k".repeat(101);
        let keys = [
            "abcdefgh",
            "abc-def_123",
            "short",
            "has space in it",
            long_key.as_str(),
        ];
        let table: Vec<(&str, Check, &[&str])> = vec![
            (
                PLAIN_TEXT,
                Box::new(|t| plain_text(t).is_ok()),
                &[
                    "",
                    "a b",
                    "line\nbreak\ttab\r",
                    "a\u{0}b",
                    "\u{1b}[",
                    "\u{9c}",
                    "é",
                    "\u{7f}",
                ],
            ),
            (
                LINE,
                Box::new(|t| required_text(t, 10_000, "empty").is_ok()),
                &[
                    "Oak",
                    "  Oak  ",
                    "",
                    "   ",
                    "a\nb",
                    "a\tb",
                    "\nOak\n",
                    "x\u{1}",
                    "Ünïcode name",
                ],
            ),
            (
                DAY,
                Box::new(day),
                &[
                    "2026-12-03",
                    "1990-01-01",
                    "2100-12-31",
                    "1989-12-31",
                    "2101-01-01",
                    "0000-01-01",
                    "",
                    "2026-13-01",
                    "2026-1-5",
                    "02026-01-05",
                ],
            ),
            (
                EMAIL,
                Box::new(|t| EmailAddress::parse(t).is_ok()),
                &[
                    "a@b.org",
                    " A@B.ORG ",
                    "a@b",
                    "@b.org",
                    "a@@b.org",
                    "a b@c.org",
                    "a@b..org",
                    "a@.b",
                    "a<b@c.org",
                    "",
                ],
            ),
            (
                SCHOOL_CODE,
                Box::new(|t| SchoolCode::parse(t).is_ok()),
                &[
                    "LHS",
                    " e-104 ",
                    "A_1",
                    "",
                    "A B",
                    "A.B",
                    "ABCDEFGHIJKLMNOPQRST",
                    "ABCDEFGHIJKLMNOPQRSTU",
                ],
            ),
            (
                TIME_OR_EMPTY,
                Box::new(time),
                &["09:40", " 23:59 ", "", "24:00", "9:4", "12:60"],
            ),
            (
                IDEMPOTENCY_KEY,
                Box::new(|t| IdempotencyKey::parse(t).is_ok()),
                &keys,
            ),
        ];
        for (pattern, check, samples) in table {
            let regex = regex_lite::Regex::new(pattern).unwrap();
            for sample in samples {
                assert_eq!(
                    regex.is_match(sample),
                    check(sample),
                    "{pattern} on {sample:?}"
                );
            }
        }
    }
}
