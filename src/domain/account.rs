//! Roles and the rules for passwords.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// What a person may do. A person may hold several roles.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The district's directory, frameworks, imports, exports; sees everything.
    Admin,
    /// Plans visits and teams, runs debriefs, publishes action items.
    VisitLead,
    /// Records observations on the visits whose team they are on.
    Visitor,
    /// Sees their school's visits and action items; updates its action steps.
    SchoolLeader,
    /// Tracks and assigns their department's action items across campuses.
    DepartmentHead,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::VisitLead,
        Role::Visitor,
        Role::SchoolLeader,
        Role::DepartmentHead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::VisitLead => "visit_lead",
            Role::Visitor => "visitor",
            Role::SchoolLeader => "school_leader",
            Role::DepartmentHead => "department_head",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::VisitLead => "Visit lead",
            Role::Visitor => "Visitor",
            Role::SchoolLeader => "School leader",
            Role::DepartmentHead => "Department head",
        }
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let normal = raw.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == normal)
            .ok_or_else(|| {
                "Use admin, visit_lead, visitor, school_leader or department_head.".to_owned()
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The shortest password accepted.
pub const PASSWORD_MIN: usize = 12;
/// The longest password accepted (long passphrases are welcome; the limit
/// only keeps hashing cost bounded).
pub const PASSWORD_MAX: usize = 256;

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../auth/common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_lowercase)
        .collect()
});

/// A new password that meets the rules: 12 to 256 characters, no
/// composition rules, and not one of the 10,000 most common passwords.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let length = raw.chars().count();
        if length < PASSWORD_MIN {
            return Err(format!("Use at least {PASSWORD_MIN} characters; a few words together make a good password."));
        }
        if length > PASSWORD_MAX {
            return Err(format!("Use at most {PASSWORD_MAX} characters."));
        }
        if COMMON.contains(&raw.to_lowercase()) {
            return Err("This password is one of the most common ones; choose another.".to_owned());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// How many passwords the common list holds.
pub fn common_password_count() -> usize {
    COMMON.len()
}

/// A change to a person as far as administration is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminChange {
    /// The administrator making it changes their own account.
    pub own_account: bool,
    /// The person is an active administrator now…
    pub admin_before: bool,
    /// …and will be one after the change.
    pub admin_after: bool,
    /// The person stays active.
    pub stays_active: bool,
    /// How many active administrators the district has now.
    pub active_admins: i64,
}

/// Whether a change leaves the district able to run itself: nobody
/// deactivates their own account (another administrator can), and the
/// last active administrator stays one. The refusal names the field.
pub fn check_admin_change(change: AdminChange) -> Result<(), (&'static str, &'static str)> {
    if change.own_account && !change.stays_active {
        return Err((
            "active",
            "You cannot deactivate your own account; another administrator can.",
        ));
    }
    if change.admin_before
        && !(change.admin_after && change.stays_active)
        && change.active_admins <= 1
    {
        let field = if change.stays_active {
            "roles"
        } else {
            "active"
        };
        return Err((
            field,
            "This is the district's last active administrator: make someone else an administrator first.",
        ));
    }
    Ok(())
}

/// Who may sign in with a password: everyone, or (with single sign-on)
/// only the break-glass administrators named by email, for when the
/// district's provider is down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PasswordSignIn {
    #[default]
    Everyone,
    Only(Vec<String>),
}

impl PasswordSignIn {
    /// The break-glass list from `emails` (comma separated, any case).
    pub fn only(emails: &str) -> Self {
        PasswordSignIn::Only(
            emails
                .split(',')
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty())
                .collect(),
        )
    }

    pub fn allows(&self, email: &str) -> bool {
        match self {
            PasswordSignIn::Everyone => true,
            PasswordSignIn::Only(emails) => {
                let email = email.trim().to_lowercase();
                emails.contains(&email)
            }
        }
    }
}

/// Whether a first single sign-on of `email` (verified by the provider)
/// makes an account: only when the district allows its `domain`, and only
/// for an address exactly at that domain (not a subdomain, not a lookalike).
pub fn creates_account_for(domain: Option<&str>, email: &str) -> bool {
    let Some(domain) = domain.map(|d| d.trim().trim_start_matches('@').to_lowercase()) else {
        return false;
    };
    let email = email.trim().to_lowercase();
    match email.rsplit_once('@') {
        Some((local, at)) => !local.is_empty() && !domain.is_empty() && at == domain,
        None => false,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_district_keeps_an_administrator_and_nobody_locks_themselves_out() {
        // (own, admin before, admin after, stays active, active admins, refused field)
        let table = [
            (true, true, true, false, 3, Some("active")),
            (true, false, false, false, 3, Some("active")),
            (false, true, true, false, 1, Some("active")),
            (false, true, false, true, 1, Some("roles")),
            (true, true, false, true, 1, Some("roles")),
            (false, true, true, false, 2, None),
            (false, true, false, true, 2, None),
            (true, true, false, true, 2, None),
            (false, false, false, false, 1, None),
            (false, false, true, true, 1, None),
            (true, true, true, true, 1, None),
        ];
        for (own, before, after, active, admins, refused) in table {
            let change = AdminChange {
                own_account: own,
                admin_before: before,
                admin_after: after,
                stays_active: active,
                active_admins: admins,
            };
            assert_eq!(
                check_admin_change(change).err().map(|(field, _)| field),
                refused,
                "{change:?}"
            );
        }
    }

    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse(), Ok(role));
        }
        assert_eq!("Visit lead".parse(), Ok(Role::VisitLead));
        assert!("superuser".parse::<Role>().is_err());
    }

    #[test]
    fn password_rules() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse(&"x".repeat(11)).is_err());
        assert!(NewPassword::parse("correct horse battery staple").is_ok());
        assert!(
            NewPassword::parse(&"é".repeat(12)).is_ok(),
            "characters, not bytes"
        );
        assert!(NewPassword::parse(&"a".repeat(PASSWORD_MAX)).is_ok());
        assert!(NewPassword::parse(&"a".repeat(PASSWORD_MAX + 1)).is_err());
    }

    #[test]
    fn common_passwords_are_refused() {
        assert!(common_password_count() >= 10_000);
        // Long enough, but on the list.
        for common in ["1234567890123", "qwertyuiopasdfghjkl"] {
            if COMMON.contains(common) {
                assert!(NewPassword::parse(common).is_err(), "{common}");
            }
        }
        let long_common: Vec<&String> = COMMON
            .iter()
            .filter(|p| p.chars().count() >= PASSWORD_MIN)
            .collect();
        assert!(
            !long_common.is_empty(),
            "the list has passwords the length rule alone would let through"
        );
        for password in long_common {
            assert!(NewPassword::parse(password).is_err(), "{password}");
            assert!(
                NewPassword::parse(&password.to_uppercase()).is_err(),
                "{password} in capitals"
            );
        }
    }

    #[test]
    fn password_sign_in_is_for_everyone_or_the_break_glass_list() {
        let only = PasswordSignIn::only(" Root@District.org , second@district.org,,");
        let cases = [
            (PasswordSignIn::Everyone, "anyone@example.org", true),
            (only.clone(), "root@district.org", true),
            (only.clone(), "ROOT@district.org ", true),
            (only.clone(), "second@district.org", true),
            (only.clone(), "teacher@district.org", false),
            (only.clone(), "", false),
            (PasswordSignIn::only(""), "root@district.org", false),
        ];
        for (policy, email, allowed) in cases {
            assert_eq!(policy.allows(email), allowed, "{policy:?} {email}");
        }
    }

    #[test]
    fn accounts_are_made_only_for_the_districts_own_domain() {
        let cases = [
            (Some("district.org"), "ana@district.org", true),
            (Some("@District.org"), "Ana@DISTRICT.ORG", true),
            (Some("district.org"), "ana@mail.district.org", false),
            (Some("district.org"), "ana@district.org.evil.example", false),
            (Some("district.org"), "ana@notdistrict.org", false),
            (Some("district.org"), "@district.org", false),
            (Some("district.org"), "district.org", false),
            (Some(""), "ana@district.org", false),
            (None, "ana@district.org", false),
        ];
        for (domain, email, made) in cases {
            assert_eq!(
                creates_account_for(domain, email),
                made,
                "{domain:?} {email}"
            );
        }
    }
}
