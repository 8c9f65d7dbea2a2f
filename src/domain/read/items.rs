//! Action items as the pages, the API and the messages show them.

use chrono::NaiveDate;

use crate::domain::action_item::{Check, Kind, Priority, Status};
use crate::domain::user::Link;

/// An item as the pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub visit_id: i64,
    pub visit_date: NaiveDate,
    pub school: Link,
    pub kind: Kind,
    pub department: Option<Link>,
    pub title: String,
    pub evidence: String,
    pub source_key: Option<String>,
    pub edited: bool,
    pub status: Status,
    pub reason: String,
    pub priority: Priority,
    pub owner: Option<Link>,
    pub due_on: Option<NaiveDate>,
    pub version: i32,
    /// The look-fors behind it: (id, code, title).
    pub look_fors: Vec<(i64, String, String)>,
}

impl Item {
    /// Whether the item still asks its owner for work and its due day has
    /// passed.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.awaits_owner() && self.due_on.is_some_and(|due| due < today)
    }
}

/// One entry of an item's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub author: Option<String>,
    pub at: chrono::NaiveDateTime,
    pub status: Status,
    pub change: String,
    pub note: String,
}

/// An earlier visit's item, with the check this visit recorded on it (the
/// result and the team's note), if any.
pub type Carried = (Item, Option<(Check, String)>);
