//! Frameworks with their domains and look-fors.

use chrono::NaiveDateTime;

use crate::domain::user::Link;

/// A framework in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: i64,
    pub name: String,
    /// The version's label ("2026.1").
    pub version: String,
    pub frozen: bool,
    pub indicators: i64,
    pub created_at: NaiveDateTime,
}

/// A framework with its domains and look-fors, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    pub id: i64,
    pub name: String,
    /// The version's label ("2026.1").
    pub version: String,
    pub frozen: bool,
    pub domains: Vec<Domain>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub id: i64,
    pub name: String,
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub department: Option<Link>,
    /// What a teacher would try first.
    pub entry_point: Option<String>,
}
