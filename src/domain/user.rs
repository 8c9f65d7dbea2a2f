//! People: central-office staff, school leaders and administrators.

use super::fields::{required_text, FieldErrors};

/// A person's name as they write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName(String);

impl UserName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        required_text(raw, 200, "Enter the person's name.").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, trimmed and lower-cased so that one person has one
/// address however it was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter an email address.".to_owned());
        }
        if email.chars().count() > 254 {
            return Err("Use at most 254 characters.".to_owned());
        }
        let invalid = || "Enter an email address like name@district.org.".to_owned();
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let plausible = !local.is_empty()
            && local.chars().count() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|label| !label.is_empty())
            && !email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\"[]\\".contains(c));
        if plausible {
            Ok(Self(email))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user as stored, with the names of the school and department they
/// belong to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub school: Option<Link>,
    pub department: Option<Link>,
}

/// Another record a user belongs to: its id and the name to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: i64,
    pub name: String,
}

/// A user ready to be stored. The school and department ids are checked to
/// exist by the database layer, inside the transaction that stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: UserName,
    pub email: EmailAddress,
    pub active: bool,
    pub school_id: Option<i64>,
    pub department_id: Option<i64>,
}

impl NewUser {
    pub fn parse(
        name: &str,
        email: &str,
        active: bool,
        school_id: Option<i64>,
        department_id: Option<i64>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", UserName::parse(name));
        let email = errors.check("email", EmailAddress::parse(email));
        match (name, email) {
            (Some(name), Some(email)) if errors.is_empty() => Ok(Self {
                name,
                email,
                active,
                school_id,
                department_id,
            }),
            _ => Err(errors),
        }
    }
}

/// Reads an optional id from a form's select box: empty means none.
pub fn optional_id(raw: &str) -> Result<Option<i64>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .map(Some)
        .map_err(|_| "Choose one from the list.".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            EmailAddress::parse("  Ana.Lopez@District.ORG ")
                .unwrap()
                .as_str(),
            "ana.lopez@district.org"
        );
    }

    #[test]
    fn implausible_emails_are_refused() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@district.org",
            "ana@district",
            "a b@d.org",
            "a@b@c.org",
            "ana@district..org",
            "<a>@d.org",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn optional_ids() {
        assert_eq!(optional_id(""), Ok(None));
        assert_eq!(optional_id("12"), Ok(Some(12)));
        assert!(optional_id("x").is_err());
    }
}
