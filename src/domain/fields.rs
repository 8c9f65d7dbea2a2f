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
