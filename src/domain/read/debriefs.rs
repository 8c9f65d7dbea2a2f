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

/// The campus's response to a published debrief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampusResponse {
    pub agreement: crate::domain::response::Agreement,
    pub context: String,
    pub author: Option<Link>,
    /// Send it back with a revision; a stale one is refused.
    pub version: i32,
    pub updated_at: chrono::NaiveDateTime,
    pub needs: Vec<Need>,
}

/// What the campus needs from one department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub id: i64,
    pub department: Link,
    pub need: String,
    /// The action item the visit lead made of it.
    pub item_id: Option<i64>,
}

/// A school leader's acknowledgement of an action step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub item_id: i64,
    pub by: String,
    pub at: chrono::NaiveDateTime,
}
