//! The dashboards' figures: the overview, a campus, a department, the impact view.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::domain::action_item::Status;
use crate::domain::insights::Share;
use crate::domain::school::SchoolLevel;
use crate::domain::user::Link;

/// Which campuses and visits the overview counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverviewFilter {
    pub level: Option<SchoolLevel>,
    pub program: Option<String>,
    /// Visits on or after this day.
    pub from: Option<NaiveDate>,
    /// Visits on or before this day.
    pub to: Option<NaiveDate>,
}

/// One campus's row of the overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampusRow {
    pub school: Link,
    pub code: String,
    pub level: SchoolLevel,
    pub program: String,
    /// The latest visit that is under way or past (not merely planned).
    pub last_visit: Option<NaiveDate>,
    /// The earliest planned visit from today on.
    pub next_visit: Option<NaiveDate>,
    /// The latest visit with evidence (within the date range) and its day.
    pub evidence_visit: Option<(i64, NaiveDate)>,
    /// Every look-for together at that visit, for ordering the campuses
    /// most in need first.
    pub overall: Share,
    /// Look-for code → share at that visit (filled by [`fill_cells`] for
    /// the campuses shown).
    pub cells: BTreeMap<String, Share>,
}

/// Items of one department (or the campuses' own action steps) by status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCounts {
    /// `None` for school action steps.
    pub department: Option<Link>,
    pub by_status: BTreeMap<Status, i64>,
    pub overdue: i64,
}

/// The district overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub columns: Vec<LookForColumn>,
    pub campuses: Vec<CampusRow>,
    pub items: Vec<ItemCounts>,
    /// Every program a campus has, for the filter.
    pub programs: Vec<String>,
}

/// A campus over time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campus {
    pub trends: Vec<Trend>,
    pub visits: Vec<CampusVisit>,
    /// Item id → its checks, oldest first.
    pub checks: HashMap<i64, Vec<CheckResult>>,
}

/// A department's look-for across the district's latest visits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedLookFor {
    pub code: String,
    pub title: String,
    pub share: Share,
    /// Campuses whose latest visit has evidence of it.
    pub campuses: i64,
}

/// An overdue item on the department page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueItem {
    pub id: i64,
    pub title: String,
    pub school: Link,
    pub due_on: NaiveDate,
    pub status: String,
}

/// A department across every campus.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    /// Per campus, items by status and overdue, most overdue first.
    pub workload: Vec<(Link, ItemCounts)>,
    /// All of the department's items by status.
    pub totals: ItemCounts,
    pub overdue_total: i64,
    /// The oldest overdue items, at most [`OVERDUE_SHOWN`].
    pub overdue: Vec<OverdueItem>,
    /// Median days from the visit to done, over the items done so far.
    pub median_days_to_done: Option<f64>,
    pub done_count: usize,
    /// Its look-fors, weakest first.
    pub look_fors: Vec<OwnedLookFor>,
    /// Each active campus's latest visit with evidence: where its
    /// look-fors are measured.
    pub evidence_visits: Vec<i64>,
}

/// An item's look-for at the visit that raised it and at the next visit to
/// the campus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactRow {
    pub item_id: i64,
    pub title: String,
    pub department: Option<Link>,
    pub school: Link,
    pub visit_date: NaiveDate,
    pub code: String,
    pub look_for: String,
    pub before: Share,
    pub next_visit: Option<NaiveDate>,
    /// `None` when there is no next visit with evidence of the look-for.
    pub after: Option<Share>,
}
/// A look-for as a column of the heat map. Framework versions share codes,
/// so columns are codes, titled as in the newest framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookForColumn {
    pub code: String,
    pub title: String,
    pub department: Option<Link>,
}

/// One look-for across a campus's visits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    pub column: LookForColumn,
    pub points: Vec<Point>,
}

/// A visit in a campus's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampusVisit {
    pub id: i64,
    pub visit_date: NaiveDate,
    pub status: String,
    pub lead: Option<String>,
    pub snapshots: i64,
}

/// What a later visit found when it checked an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub visit_id: i64,
    pub visit_date: NaiveDate,
    pub result: String,
    pub note: String,
}
/// One visit's point on a campus's chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub visit_id: i64,
    pub visit_date: NaiveDate,
    pub share: Share,
}
