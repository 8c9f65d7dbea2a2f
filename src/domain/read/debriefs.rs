//! A visit's debrief as recorded.

use crate::domain::user::Link;

/// A visit's debrief as recorded so far (empty if nothing yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Debrief {
    pub strengths: String,
    pub alignment_notes: String,
    pub attendees: String,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: i64,
    pub description: String,
    pub departments: Vec<Link>,
}
