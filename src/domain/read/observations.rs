//! Snapshots as the team sees them.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::domain::observation::{Setting, Tick};

/// A snapshot as the team sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub id: i64,
    pub author_id: i64,
    pub author: String,
    pub setting: Setting,
    pub room: String,
    pub grade_band: String,
    pub subject: String,
    pub started_at: Option<String>,
    pub rating: Option<i32>,
    pub notes: String,
    /// Empty unless the district records teachers.
    pub teacher: String,
    pub ticks: BTreeMap<i64, Tick>,
    pub created_at: NaiveDateTime,
}
