//! What each person's start page shows, as read from the record.

use chrono::NaiveDate;

use super::items::Item;
use super::visits::ListItem;
use crate::domain::user::Link;

/// Rows of a list, and how many there are in all (the page shows at most
/// `domain::home::LIST_LIMIT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rows<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

/// A school leader's campus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campus {
    pub school: Link,
    /// The campus's own action steps still awaiting their owner.
    pub open_steps: Rows<Item>,
    /// Departments' items concerning the campus, still open.
    pub department_items: Rows<Item>,
    pub next_visit: Option<ListItem>,
    /// The latest visit whose report is on record.
    pub last_report: Option<ListItem>,
}

/// A department head's department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub department: Link,
    pub overdue: Rows<Item>,
    pub due_soon: Rows<Item>,
    /// The next visit to each campus where the department has open items.
    pub next_visits: Vec<CampusVisit>,
}

/// The next visit to a campus where a department has open items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampusVisit {
    pub school: Link,
    pub date: NaiveDate,
    /// The department's open items at the campus.
    pub open_items: i64,
}

/// A visit lead's rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The district's coming visits.
    pub upcoming: Rows<ListItem>,
    /// Debriefed visits whose items are not yet published.
    pub awaiting_publish: Rows<ListItem>,
}

/// The directory's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    pub schools: i64,
    pub departments: i64,
    pub users: i64,
}

/// A person's start page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    pub today: NaiveDate,
    pub campus: Option<Campus>,
    pub department: Option<Department>,
    pub rotation: Option<Rotation>,
    /// The coming visits whose team the person is on.
    pub my_visits: Option<Rows<ListItem>>,
    pub directory: Option<Directory>,
}
