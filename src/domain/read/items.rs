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
    /// The look-fors behind it, in the framework's order.
    pub look_fors: Vec<ItemLookFor>,
}

/// A look-for behind an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLookFor {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// What a teacher would try first, where the framework says.
    pub entry_point: Option<String>,
}

impl Item {
    /// The entry points of its look-fors, where it asks campus leaders to
    /// work with teachers: a school step.
    pub fn entry_points(&self) -> Vec<(&str, &str)> {
        if self.kind != Kind::School {
            return Vec::new();
        }
        self.look_fors
            .iter()
            .filter_map(|l| l.entry_point.as_deref().map(|e| (l.code.as_str(), e)))
            .collect()
    }

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
