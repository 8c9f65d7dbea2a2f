//! Schools (campuses) of the district.

use std::fmt;
use std::str::FromStr;

use super::fields::{required_text, FieldErrors};

/// A school's name as people write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolName(String);

impl SchoolName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        required_text(raw, 200, "Enter the school's name.").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The district's short code for a school ("LHS", "E-104"): unique, stored
/// upper-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolCode(String);

impl SchoolCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim();
        if code.is_empty() {
            return Err("Enter the school's code.".to_owned());
        }
        if code.chars().count() > 20 {
            return Err("Use at most 20 characters.".to_owned());
        }
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err("Use letters, digits, '-' and '_' only.".to_owned());
        }
        Ok(Self(code.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which grades a school serves.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SchoolLevel {
    Elementary,
    Middle,
    High,
    Other,
}

impl SchoolLevel {
    pub const ALL: [SchoolLevel; 4] = [
        SchoolLevel::Elementary,
        SchoolLevel::Middle,
        SchoolLevel::High,
        SchoolLevel::Other,
    ];

    /// The value stored and exchanged.
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolLevel::Elementary => "elementary",
            SchoolLevel::Middle => "middle",
            SchoolLevel::High => "high",
            SchoolLevel::Other => "other",
        }
    }

    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            SchoolLevel::Elementary => "Elementary",
            SchoolLevel::Middle => "Middle",
            SchoolLevel::High => "High",
            SchoolLevel::Other => "Other",
        }
    }
}

impl FromStr for SchoolLevel {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "elementary" | "es" => Ok(SchoolLevel::Elementary),
            "middle" | "ms" => Ok(SchoolLevel::Middle),
            "high" | "hs" => Ok(SchoolLevel::High),
            "other" => Ok(SchoolLevel::Other),
            "" => Err("Choose the school's level.".to_owned()),
            _ => Err("Use elementary, middle, high or other.".to_owned()),
        }
    }
}

impl fmt::Display for SchoolLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A school as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct School {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub level: SchoolLevel,
    /// The district's program for the campus ("Title I", "Dual language"),
    /// or empty; the district overview filters by it.
    pub program: String,
    pub active: bool,
}

/// A school ready to be stored: every field already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSchool {
    pub name: SchoolName,
    pub code: SchoolCode,
    pub level: SchoolLevel,
    pub program: String,
    pub active: bool,
}

/// A school's program: optional free text, at most 100 characters.
pub fn parse_program(raw: &str) -> Result<String, String> {
    let program = raw.trim();
    if program.chars().count() > 100 {
        return Err("Use at most 100 characters.".to_owned());
    }
    Ok(program.to_owned())
}

impl NewSchool {
    /// Checks every field and reports each problem beside its field.
    pub fn parse(name: &str, code: &str, level: &str, active: bool) -> Result<Self, FieldErrors> {
        Self::parse_with_program(name, code, level, "", active)
    }

    /// As [`NewSchool::parse`], with the school's program.
    pub fn parse_with_program(
        name: &str,
        code: &str,
        level: &str,
        program: &str,
        active: bool,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", SchoolName::parse(name));
        let code = errors.check("code", SchoolCode::parse(code));
        let level = errors.check("level", level.parse::<SchoolLevel>());
        let program = errors.check("program", parse_program(program));
        match (name, code, level, program) {
            (Some(name), Some(code), Some(level), Some(program)) if errors.is_empty() => Ok(Self {
                name,
                code,
                level,
                program,
                active,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_case_and_plain() {
        assert_eq!(SchoolCode::parse(" e-104 ").unwrap().as_str(), "E-104");
        assert!(SchoolCode::parse("").is_err());
        assert!(SchoolCode::parse("A B").is_err());
        assert!(SchoolCode::parse("<script>").is_err());
        assert!(SchoolCode::parse(&"A".repeat(21)).is_err());
    }

    #[test]
    fn levels_parse_from_words_and_abbreviations() {
        assert_eq!("Elementary".parse(), Ok(SchoolLevel::Elementary));
        assert_eq!("HS".parse(), Ok(SchoolLevel::High));
        assert!("college".parse::<SchoolLevel>().is_err());
        for level in SchoolLevel::ALL {
            assert_eq!(level.as_str().parse(), Ok(level));
        }
    }

    #[test]
    fn new_school_reports_every_field() {
        let errors = NewSchool::parse(" ", "a b", "", true).unwrap_err();
        assert_eq!(errors.get("name"), Some("Enter the school's name."));
        assert!(errors.get("code").is_some());
        assert_eq!(errors.get("level"), Some("Choose the school's level."));

        let school = NewSchool::parse(" Oak Elementary ", "oak", "elementary", true).unwrap();
        assert_eq!(school.name.as_str(), "Oak Elementary");
        assert_eq!(school.code.as_str(), "OAK");
    }
}
