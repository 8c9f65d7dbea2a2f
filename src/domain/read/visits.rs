//! Visits as the pages, the API and the messages show them.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::domain::user::Link;
use crate::domain::visit::{Segment, VisitStatus};

/// A visit in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub id: i64,
    pub school: Link,
    pub date: NaiveDate,
    pub status: VisitStatus,
    pub focus: String,
}

/// A visit with its team and agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub id: i64,
    pub school: Link,
    pub date: NaiveDate,
    pub status: VisitStatus,
    pub lead: Option<Link>,
    pub framework: Option<Link>,
    pub focus: String,
    pub members: Vec<Member>,
    pub segments: BTreeSet<Segment>,
}

/// A team member and the department they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub department: Option<String>,
}
