//! Central-office departments that visit campuses and own action items.

use super::fields::{required_text, FieldErrors};
use super::user::EmailAddress;

/// A department's name ("Special Education").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentName(String);

impl DepartmentName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        required_text(raw, 120, "Enter the department's name.").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A department as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub contact_email: Option<String>,
    pub active: bool,
}

/// A department ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDepartment {
    pub name: DepartmentName,
    pub contact_email: Option<EmailAddress>,
    pub active: bool,
}

impl NewDepartment {
    /// Checks every field; an empty contact email means none.
    pub fn parse(name: &str, contact_email: &str, active: bool) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", DepartmentName::parse(name));
        let contact_email = if contact_email.trim().is_empty() {
            Some(None)
        } else {
            errors
                .check("contact_email", EmailAddress::parse(contact_email))
                .map(Some)
        };
        match (name, contact_email) {
            (Some(name), Some(contact_email)) if errors.is_empty() => Ok(Self {
                name,
                contact_email,
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
    fn contact_email_is_optional_but_checked() {
        let dept = NewDepartment::parse("Curriculum", "", true).unwrap();
        assert_eq!(dept.contact_email, None);
        let errors = NewDepartment::parse("", "not-an-email", true).unwrap_err();
        assert!(errors.get("name").is_some());
        assert!(errors.get("contact_email").is_some());
    }
}
