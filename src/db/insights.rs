//! What the district learns from its visits: the overview's heat map,
//! coverage and item counts, a campus's look-fors over time, a department's
//! workload, and the impact of items on the look-fors behind them.
//!
//! The evidence is read from `visit_look_for_rollups`, one row per visit and
//! look-for: a new snapshot queues its visit ([`queue_rollup`]), an edit
//! rewrites the visit's roll-up at once ([`refresh_rollup`]), and every
//! dashboard first brings the queued ones up to date
//! ([`bring_up_to_date`]), so no page sums millions of ticks. Who may see a
//! page is decided by its handler; these functions read whole campuses and
//! departments.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text};

use super::raw::{self, Param};
use super::DbConn;
use crate::domain::action_item::Status;
use crate::domain::insights::{median_days, Share};
use crate::domain::school::SchoolLevel;
use crate::domain::user::Link;

/// Rewrites one visit's evidence roll-up from its ticks. Called inside the
/// transaction that stores or changes an observation.
///
/// On PostgreSQL the visit's row is locked first, so that two snapshots of
/// one visit stored at once rewrite its roll-up one after the other (each
/// then sees the other's committed ticks); SQLite writes one at a time.
pub fn refresh_rollup(conn: &mut DbConn, visit_id: i64) -> QueryResult<()> {
    if let DbConn::Postgres(_) = conn {
        raw::execute(
            conn,
            "SELECT id FROM visits WHERE id = ? FOR UPDATE",
            &[Param::Int(visit_id)],
        )?;
    }
    raw::execute(
        conn,
        "DELETE FROM visit_look_for_rollups WHERE visit_id = ?",
        &[Param::Int(visit_id)],
    )?;
    raw::execute(
        conn,
        &format!("{ROLLUP_INSERT} WHERE o.visit_id = ? GROUP BY o.visit_id, t.indicator_id"),
        &[Param::Int(visit_id)],
    )?;
    raw::execute(
        conn,
        &format!("{TOTALS_UPDATE} WHERE id = ?"),
        &[Param::Int(visit_id)],
    )?;
    Ok(())
}

/// Notes that a visit has a new snapshot: an insert, so snapshots of one
/// visit stored at once never wait on each other. [`bring_up_to_date`]
/// writes the roll-up before a dashboard reads it.
pub fn queue_rollup(conn: &mut DbConn, visit_id: i64) -> QueryResult<()> {
    raw::execute(
        conn,
        "INSERT INTO rollup_queue (visit_id) VALUES (?)",
        &[Param::Int(visit_id)],
    )?;
    Ok(())
}

#[derive(QueryableByName)]
struct Queued {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    visit_id: i64,
}

/// Rewrites the roll-ups of the queued visits and takes exactly those
/// queue rows away (a row committed meanwhile waits for the next time).
/// Reads first, so a dashboard with nothing queued writes nothing.
pub fn bring_up_to_date(conn: &mut DbConn) -> Result<usize, super::WriteError> {
    let queued: Vec<Queued> = raw::load(conn, "SELECT id, visit_id FROM rollup_queue", &[])?;
    if queued.is_empty() {
        return Ok(0);
    }
    super::write_transaction(conn, |conn| {
        let queued: Vec<Queued> = raw::load(conn, "SELECT id, visit_id FROM rollup_queue", &[])?;
        let mut visits: Vec<i64> = queued.iter().map(|q| q.visit_id).collect();
        visits.sort_unstable();
        visits.dedup();
        for visit in &visits {
            refresh_rollup(conn, *visit)?;
        }
        for chunk in queued.chunks(500) {
            let ids: Vec<Param> = chunk.iter().map(|q| Param::Int(q.id)).collect();
            raw::execute(
                conn,
                &format!(
                    "DELETE FROM rollup_queue WHERE id IN ({})",
                    raw::placeholders(ids.len())
                ),
                &ids,
            )?;
        }
        Ok(visits.len())
    })
}

/// Copies each visit's totals over every look-for from its roll-up, and
/// counts the rewrite (`rollup_version`: what the kept learning impact
/// checks).
const TOTALS_UPDATE: &str = "UPDATE visits SET rollup_version = rollup_version + 1, \
    evidence_observed = (SELECT SUM(r.observed) FROM visit_look_for_rollups r \
        WHERE r.visit_id = visits.id), \
    evidence_applicable = (SELECT SUM(r.observed + r.partly + r.not_observed) \
        FROM visit_look_for_rollups r WHERE r.visit_id = visits.id)";

/// Builds every visit's roll-up (after an import into an empty table).
pub fn rebuild_rollups(conn: &mut DbConn) -> QueryResult<()> {
    raw::execute(conn, "DELETE FROM visit_look_for_rollups", &[])?;
    raw::execute(
        conn,
        &format!("{ROLLUP_INSERT} GROUP BY o.visit_id, t.indicator_id"),
        &[],
    )?;
    raw::execute(conn, TOTALS_UPDATE, &[])?;
    Ok(())
}

const ROLLUP_INSERT: &str = "INSERT INTO visit_look_for_rollups \
        (visit_id, indicator_id, observed, partly, not_observed, not_applicable) \
    SELECT o.visit_id, t.indicator_id, \
        SUM(CASE WHEN t.tick = 'observed' THEN 1 ELSE 0 END), \
        SUM(CASE WHEN t.tick = 'partly' THEN 1 ELSE 0 END), \
        SUM(CASE WHEN t.tick = 'not_observed' THEN 1 ELSE 0 END), \
        SUM(CASE WHEN t.tick = 'not_applicable' THEN 1 ELSE 0 END) \
    FROM indicator_ticks t JOIN observations o ON o.id = t.observation_id";

/// Statuses that still ask the owner for work: past their due day they are
/// overdue (the same rule as the item lists).
fn open_statuses() -> String {
    Status::ALL
        .iter()
        .filter(|s| s.awaits_owner())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub use crate::domain::read::insights::OverviewFilter;

impl OverviewFilter {
    /// Conditions on `s` (schools).
    fn school_conditions(&self) -> (String, Vec<Param>) {
        let mut sql = String::new();
        let mut params = Vec::new();
        if let Some(level) = self.level {
            sql.push_str(" AND s.level = ?");
            params.push(Param::Text(level.as_str().to_owned()));
        }
        if let Some(program) = &self.program {
            sql.push_str(" AND s.program = ?");
            params.push(Param::Text(program.clone()));
        }
        (sql, params)
    }

    /// Conditions on `v` (visits): the date range.
    fn visit_conditions(&self) -> (String, Vec<Param>) {
        let mut sql = String::new();
        let mut params = Vec::new();
        if let Some(from) = self.from {
            sql.push_str(" AND v.visit_date >= ?");
            params.push(Param::Date(from));
        }
        if let Some(to) = self.to {
            sql.push_str(" AND v.visit_date <= ?");
            params.push(Param::Date(to));
        }
        (sql, params)
    }
}

pub use crate::domain::read::insights::LookForColumn;

pub use crate::domain::read::insights::CampusRow;

pub use crate::domain::read::insights::ItemCounts;

impl ItemCounts {
    pub fn total(&self) -> i64 {
        self.by_status.values().sum()
    }
}

pub use crate::domain::read::insights::Overview;

#[derive(QueryableByName)]
struct CoverageRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    level: String,
    #[diesel(sql_type = Text)]
    program: String,
    #[diesel(sql_type = Nullable<Date>)]
    last_visit: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    next_visit: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<BigInt>)]
    evidence_visit: Option<i64>,
    #[diesel(sql_type = Nullable<Date>)]
    evidence_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<BigInt>)]
    observed: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    applicable: Option<i64>,
}

#[derive(QueryableByName)]
struct CellRow {
    #[diesel(sql_type = BigInt)]
    visit_id: i64,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    observed: i64,
    #[diesel(sql_type = BigInt)]
    applicable: i64,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    group_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    group_name: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

#[derive(QueryableByName)]
struct IndicatorRow {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    department_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    department: Option<String>,
}

/// The latest visit with evidence of campus `s` within the date range, as
/// a correlated subquery (one index walk per campus, newest first).
fn evidence_visit(filter: &OverviewFilter) -> (String, Vec<Param>) {
    let (dates, params) = filter.visit_conditions();
    (
        format!(
            "(SELECT v.id FROM visits v WHERE v.school_id = s.id{dates} \
             AND v.evidence_applicable IS NOT NULL \
             ORDER BY v.visit_date DESC, v.id DESC LIMIT 1)"
        ),
        params,
    )
}

/// Look-for codes in the order of the newest framework that has each,
/// with that framework's title and owning department.
fn look_for_columns(conn: &mut DbConn) -> QueryResult<Vec<LookForColumn>> {
    let rows: Vec<IndicatorRow> = raw::load(
        conn,
        "SELECT i.code, i.title, i.department_id, d.name AS department \
         FROM indicators i JOIN framework_domains fd ON fd.id = i.domain_id \
         LEFT JOIN departments d ON d.id = i.department_id \
         ORDER BY i.framework_id DESC, fd.position, i.position",
        &[],
    )?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|row| seen.insert(row.code.clone()))
        .map(|row| LookForColumn {
            code: row.code,
            title: row.title,
            department: row
                .department_id
                .zip(row.department)
                .map(|(id, name)| Link { id, name }),
        })
        .collect())
}

fn counts(rows: Vec<CountRow>) -> Vec<ItemCounts> {
    let mut groups: Vec<ItemCounts> = Vec::new();
    for row in rows {
        let department = row
            .group_id
            .zip(row.group_name)
            .map(|(id, name)| Link { id, name });
        let status: Status = match row.status.parse() {
            Ok(status) => status,
            Err(_) => continue,
        };
        let index = match groups.iter().position(|g| g.department == department) {
            Some(index) => index,
            None => {
                groups.push(ItemCounts {
                    department,
                    by_status: BTreeMap::new(),
                    overdue: 0,
                });
                groups.len() - 1
            }
        };
        *groups[index].by_status.entry(status).or_default() += row.n;
        groups[index].overdue += row.overdue;
    }
    // Departments by name, then the campuses' own steps.
    groups.sort_by(|a, b| match (&a.department, &b.department) {
        (Some(a), Some(b)) => a.name.cmp(&b.name),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    groups
}

/// The district overview for `filter`, with `today` deciding coverage and
/// what is overdue. Campus rows come without their cells: order and page
/// them, then [`fill_cells`] for the ones shown.
pub fn overview(
    conn: &mut DbConn,
    filter: &OverviewFilter,
    today: NaiveDate,
) -> QueryResult<Overview> {
    let (evidence, evidence_params) = evidence_visit(filter);
    let (school_conditions, school_params) = filter.school_conditions();
    let mut params = vec![Param::Date(today)];
    params.extend(evidence_params);
    params.push(Param::Bool(true));
    params.extend(school_params.iter().cloned());
    let rows: Vec<CoverageRow> = raw::load(
        conn,
        &format!(
            "WITH c AS MATERIALIZED (SELECT s.id, s.name, s.code, s.level, s.program, \
                 (SELECT MAX(v.visit_date) FROM visits v \
                     WHERE v.school_id = s.id AND v.status <> 'planned') AS last_visit, \
                 (SELECT MIN(v.visit_date) FROM visits v WHERE v.school_id = s.id \
                     AND v.status = 'planned' AND v.visit_date >= ?) AS next_visit, \
                 {evidence} AS evidence_visit \
                 FROM schools s WHERE s.active = ?{school_conditions}) \
             SELECT c.id, c.name, c.code, c.level, c.program, c.last_visit, c.next_visit, \
                 c.evidence_visit, ev.visit_date AS evidence_date, \
                 CAST(ev.evidence_observed AS BIGINT) AS observed, \
                 CAST(ev.evidence_applicable AS BIGINT) AS applicable \
             FROM c LEFT JOIN visits ev ON ev.id = c.evidence_visit \
             ORDER BY c.name, c.id"
        ),
        &params,
    )?;
    let campuses = rows
        .into_iter()
        .map(|row| CampusRow {
            school: Link {
                id: row.id,
                name: row.name,
            },
            code: row.code,
            level: row.level.parse().unwrap_or(SchoolLevel::Other),
            program: row.program,
            last_visit: row.last_visit,
            next_visit: row.next_visit,
            evidence_visit: row.evidence_visit.zip(row.evidence_date),
            overall: Share::new(row.observed.unwrap_or(0), row.applicable.unwrap_or(0)),
            cells: BTreeMap::new(),
        })
        .collect();

    let mut rows = if filter == &OverviewFilter::default() {
        // The whole district: the tallies the triggers keep, and the
        // overdue items off the (status, due day) index.
        let mut rows: Vec<CountRow> = raw::load(
            conn,
            "SELECT NULLIF(t.department_key, 0) AS group_id, NULL AS group_name, t.status, \
                 t.n, CAST(0 AS BIGINT) AS overdue \
             FROM item_tallies t WHERE t.status <> 'proposed' AND t.n > 0",
            &[],
        )?;
        rows.extend(raw::load::<CountRow>(
            conn,
            &format!(
                "SELECT a.department_id AS group_id, NULL AS group_name, a.status, \
                     CAST(0 AS BIGINT) AS n, COUNT(*) AS overdue \
                 FROM action_items a WHERE a.status IN ({open}) AND a.due_on < ? \
                 GROUP BY a.department_id, a.status",
                open = open_statuses()
            ),
            &[Param::Date(today)],
        )?);
        rows
    } else {
        // The items of the visits the filter picks (found through the
        // visit index).
        let (dates, date_params) = filter.visit_conditions();
        let mut params = vec![Param::Date(today)];
        params.extend(school_params);
        params.extend(date_params);
        raw::load(
            conn,
            &format!(
                "SELECT a.department_id AS group_id, NULL AS group_name, a.status, \
                     COUNT(*) AS n, \
                     SUM(CASE WHEN a.due_on < ? AND a.status IN ({open}) THEN 1 ELSE 0 END) \
                         AS overdue \
                 FROM action_items a \
                 WHERE a.status <> 'proposed' AND a.visit_id IN (SELECT v.id FROM visits v \
                     JOIN schools s ON s.id = v.school_id WHERE 1 = 1{school_conditions}{dates}) \
                 GROUP BY a.department_id, a.status",
                open = open_statuses()
            ),
            &params,
        )?
    };
    let names: HashMap<i64, String> =
        raw::load::<NamedId>(conn, "SELECT id, name FROM departments", &[])?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    for row in &mut rows {
        row.group_name = row.group_id.and_then(|id| names.get(&id).cloned());
    }
    let programs = super::schema::schools::table
        .filter(super::schema::schools::program.ne(""))
        .select(super::schema::schools::program)
        .distinct()
        .order(super::schema::schools::program.asc())
        .load(conn)?;
    Ok(Overview {
        columns: Vec::new(),
        campuses,
        items: counts(rows),
        programs,
    })
}

/// Reads the look-for cells of `campuses` (at their evidence visits) and
/// the columns they use, in the newest framework's order.
pub fn fill_cells(
    conn: &mut DbConn,
    campuses: &mut [CampusRow],
) -> QueryResult<Vec<LookForColumn>> {
    let visits: Vec<i64> = campuses
        .iter()
        .filter_map(|c| c.evidence_visit.map(|(id, _)| id))
        .collect();
    let params: Vec<Param> = visits.iter().map(|id| Param::Int(*id)).collect();
    let cells: Vec<CellRow> = raw::load(
        conn,
        &format!(
            "SELECT r.visit_id, i.code, CAST(r.observed AS BIGINT) AS observed, \
                 CAST(r.observed + r.partly + r.not_observed AS BIGINT) AS applicable \
             FROM visit_look_for_rollups r JOIN indicators i ON i.id = r.indicator_id \
             WHERE r.visit_id IN ({})",
            raw::placeholders(params.len())
        ),
        &params,
    )?;
    let mut by_visit: HashMap<i64, BTreeMap<String, Share>> = HashMap::new();
    let mut used = std::collections::HashSet::new();
    for cell in cells {
        used.insert(cell.code.clone());
        by_visit
            .entry(cell.visit_id)
            .or_default()
            .insert(cell.code, Share::new(cell.observed, cell.applicable));
    }
    for campus in campuses.iter_mut() {
        if let Some((visit, _)) = campus.evidence_visit {
            campus.cells = by_visit.remove(&visit).unwrap_or_default();
        }
    }
    Ok(look_for_columns(conn)?
        .into_iter()
        .filter(|c| used.contains(&c.code))
        .collect())
}

pub use crate::domain::read::insights::Point;

pub use crate::domain::read::insights::Trend;

pub use crate::domain::read::insights::CampusVisit;

pub use crate::domain::read::insights::CheckResult;

pub use crate::domain::read::insights::Campus;

#[derive(QueryableByName)]
struct TrendRow {
    #[diesel(sql_type = BigInt)]
    visit_id: i64,
    #[diesel(sql_type = Date)]
    visit_date: NaiveDate,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    observed: i64,
    #[diesel(sql_type = BigInt)]
    applicable: i64,
}

#[derive(QueryableByName)]
struct VisitRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Date)]
    visit_date: NaiveDate,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    lead: Option<String>,
    #[diesel(sql_type = BigInt)]
    snapshots: i64,
}

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = BigInt)]
    item_id: i64,
    #[diesel(sql_type = BigInt)]
    visit_id: i64,
    #[diesel(sql_type = Date)]
    visit_date: NaiveDate,
    #[diesel(sql_type = Text)]
    result: String,
    #[diesel(sql_type = Text)]
    note: String,
}

/// A campus's look-fors over its visits, its visits, and the checks of its
/// items. The items themselves come from `action_items::list`, under the
/// viewer's rule.
pub fn campus(conn: &mut DbConn, school_id: i64) -> QueryResult<Campus> {
    let rows: Vec<TrendRow> = raw::load(
        conn,
        "SELECT v.id AS visit_id, v.visit_date, i.code, \
             CAST(r.observed AS BIGINT) AS observed, \
             CAST(r.observed + r.partly + r.not_observed AS BIGINT) AS applicable \
         FROM visits v JOIN visit_look_for_rollups r ON r.visit_id = v.id \
         JOIN indicators i ON i.id = r.indicator_id \
         WHERE v.school_id = ? ORDER BY v.visit_date, v.id",
        &[Param::Int(school_id)],
    )?;
    let mut by_code: HashMap<String, Vec<Point>> = HashMap::new();
    for row in rows {
        by_code.entry(row.code).or_default().push(Point {
            visit_id: row.visit_id,
            visit_date: row.visit_date,
            share: Share::new(row.observed, row.applicable),
        });
    }
    let trends = look_for_columns(conn)?
        .into_iter()
        .filter_map(|column| {
            by_code
                .remove(&column.code)
                .map(|points| Trend { column, points })
        })
        .collect();
    let visits: Vec<VisitRow> = raw::load(
        conn,
        "SELECT v.id, v.visit_date, v.status, u.name AS lead, \
             (SELECT COUNT(*) FROM observations o WHERE o.visit_id = v.id) AS snapshots \
         FROM visits v LEFT JOIN users u ON u.id = v.lead_id \
         WHERE v.school_id = ? ORDER BY v.visit_date DESC, v.id DESC",
        &[Param::Int(school_id)],
    )?;
    let checks: Vec<CheckRow> = raw::load(
        conn,
        "SELECT c.item_id, c.visit_id, v.visit_date, c.result, c.note \
         FROM action_item_checks c JOIN visits v ON v.id = c.visit_id \
         WHERE v.school_id = ? ORDER BY v.visit_date, v.id",
        &[Param::Int(school_id)],
    )?;
    let mut by_item: HashMap<i64, Vec<CheckResult>> = HashMap::new();
    for row in checks {
        by_item.entry(row.item_id).or_default().push(CheckResult {
            visit_id: row.visit_id,
            visit_date: row.visit_date,
            result: row.result,
            note: row.note,
        });
    }
    Ok(Campus {
        trends,
        visits: visits
            .into_iter()
            .map(|row| CampusVisit {
                id: row.id,
                visit_date: row.visit_date,
                status: row.status,
                lead: row.lead,
                snapshots: row.snapshots,
            })
            .collect(),
        checks: by_item,
    })
}

pub use crate::domain::read::insights::OwnedLookFor;

pub use crate::domain::read::insights::OverdueItem;

pub use crate::domain::read::insights::Department;

/// How many overdue items the department page lists.
pub const OVERDUE_SHOWN: i64 = 50;

#[derive(QueryableByName)]
struct OverdueRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = BigInt)]
    school_id: i64,
    #[diesel(sql_type = Text)]
    school: String,
    #[diesel(sql_type = Date)]
    due_on: NaiveDate,
    #[diesel(sql_type = Text)]
    status: String,
}

#[derive(QueryableByName)]
struct OwnedRow {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = BigInt)]
    observed: i64,
    #[diesel(sql_type = BigInt)]
    applicable: i64,
    #[diesel(sql_type = BigInt)]
    campuses: i64,
}

#[derive(QueryableByName)]
struct NamedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
}

/// A department's workload, overdue items, pace and weakest look-fors.
pub fn department(
    conn: &mut DbConn,
    department_id: i64,
    today: NaiveDate,
) -> QueryResult<Department> {
    // By campus and status, off the (department, campus, status, due)
    // index; the campuses' names after.
    let mut rows: Vec<CountRow> = raw::load(
        conn,
        &format!(
            "SELECT a.school_id AS group_id, NULL AS group_name, a.status, COUNT(*) AS n, \
                 SUM(CASE WHEN a.due_on < ? AND a.status IN ({open}) THEN 1 ELSE 0 END) \
                     AS overdue \
             FROM action_items a \
             WHERE a.department_id = ? AND a.status <> 'proposed' \
             GROUP BY a.school_id, a.status",
            open = open_statuses()
        ),
        &[Param::Date(today), Param::Int(department_id)],
    )?;
    let names: HashMap<i64, String> =
        raw::load::<NamedId>(conn, "SELECT id, name FROM schools", &[])?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
    for row in &mut rows {
        row.group_name = row.group_id.and_then(|id| names.get(&id).cloned());
    }
    let mut totals = ItemCounts {
        department: None,
        by_status: BTreeMap::new(),
        overdue: 0,
    };
    for row in &rows {
        if let Ok(status) = row.status.parse::<Status>() {
            *totals.by_status.entry(status).or_default() += row.n;
        }
        totals.overdue += row.overdue;
    }
    let mut workload: Vec<(Link, ItemCounts)> = counts(rows)
        .into_iter()
        .filter_map(|c| c.department.clone().map(|school| (school, c)))
        .collect();
    let open_of = |c: &ItemCounts| -> i64 {
        c.by_status
            .iter()
            .filter(|(s, _)| s.awaits_owner())
            .map(|(_, n)| n)
            .sum()
    };
    workload.sort_by(|(a_school, a), (b_school, b)| {
        b.overdue
            .cmp(&a.overdue)
            .then(open_of(b).cmp(&open_of(a)))
            .then(a_school.name.cmp(&b_school.name))
    });
    // The oldest overdue: one ordered index range per status, merged.
    let per_status: Vec<String> = Status::ALL
        .iter()
        .filter(|s| s.awaits_owner())
        .map(|s| {
            format!(
                "SELECT * FROM (SELECT a.id, a.title, a.school_id, a.due_on, a.status \
                 FROM action_items a WHERE a.department_id = ? AND a.status = '{}' \
                 AND a.due_on < ? ORDER BY a.due_on, a.id LIMIT {OVERDUE_SHOWN}) o",
                s.as_str()
            )
        })
        .collect();
    let params: Vec<Param> = per_status
        .iter()
        .flat_map(|_| [Param::Int(department_id), Param::Date(today)])
        .collect();
    let overdue: Vec<OverdueRow> = raw::load(
        conn,
        &format!(
            "SELECT u.id, u.title, u.school_id, s.name AS school, u.due_on, u.status \
             FROM ({}) u JOIN schools s ON s.id = u.school_id \
             ORDER BY u.due_on, u.id LIMIT {OVERDUE_SHOWN}",
            per_status.join(" UNION ALL ")
        ),
        &params,
    )?;
    // The median, read off the (department, days to done) index: how many,
    // then the middle one or two.
    let done = raw::load::<raw::Number>(
        conn,
        "SELECT COUNT(*) AS n FROM action_items \
         WHERE department_id = ? AND days_to_done IS NOT NULL",
        &[Param::Int(department_id)],
    )?
    .first()
    .map_or(0, |d| d.n);
    let median_days_to_done = if done == 0 {
        None
    } else {
        let middle: Vec<i64> = raw::load::<raw::Number>(
            conn,
            &format!(
                "SELECT CAST(days_to_done AS BIGINT) AS n FROM action_items \
                 WHERE department_id = ? AND days_to_done IS NOT NULL \
                 ORDER BY days_to_done LIMIT {} OFFSET {}",
                2 - done % 2,
                (done - 1) / 2
            ),
            &[Param::Int(department_id)],
        )?
        .into_iter()
        .map(|d| d.n)
        .collect();
        median_days(middle)
    };
    // Each campus's latest visit with evidence, then the department's
    // look-fors at those visits (primary-key lookups).
    #[derive(QueryableByName)]
    struct EvidenceVisit {
        #[diesel(sql_type = Nullable<BigInt>)]
        id: Option<i64>,
    }
    let (evidence, mut params) = evidence_visit(&OverviewFilter::default());
    params.push(Param::Bool(true));
    let evidence_visits: Vec<i64> = raw::load::<EvidenceVisit>(
        conn,
        &format!("SELECT {evidence} AS id FROM schools s WHERE s.active = ?"),
        &params,
    )?
    .into_iter()
    .filter_map(|v| v.id)
    .collect();
    let mut params = vec![Param::Int(department_id)];
    params.extend(evidence_visits.iter().copied().map(Param::Int));
    let owned: Vec<OwnedRow> = raw::load(
        conn,
        &format!(
            "SELECT i.code, MIN(i.title) AS title, \
                 CAST(SUM(r.observed) AS BIGINT) AS observed, \
                 CAST(SUM(r.observed + r.partly + r.not_observed) AS BIGINT) AS applicable, \
                 COUNT(*) AS campuses \
             FROM visit_look_for_rollups r JOIN indicators i ON i.id = r.indicator_id \
             WHERE i.department_id = ? AND r.visit_id IN ({}) GROUP BY i.code",
            raw::placeholders(evidence_visits.len())
        ),
        &params,
    )?;
    let mut look_fors: Vec<OwnedLookFor> = owned
        .into_iter()
        .map(|row| OwnedLookFor {
            code: row.code,
            title: row.title,
            share: Share::new(row.observed, row.applicable),
            campuses: row.campuses,
        })
        .collect();
    // Weakest first; look-fors without evidence last.
    look_fors.sort_by(|a, b| {
        match (a.share.applicable > 0, b.share.applicable > 0) {
            (true, true) => a
                .share
                .compare(b.share)
                .unwrap_or(std::cmp::Ordering::Equal),
            (a_has, b_has) => b_has.cmp(&a_has),
        }
        .then(a.code.cmp(&b.code))
    });
    Ok(Department {
        overdue_total: totals.overdue,
        workload,
        totals,
        overdue: overdue
            .into_iter()
            .map(|row| OverdueItem {
                id: row.id,
                title: row.title,
                school: Link {
                    id: row.school_id,
                    name: row.school,
                },
                due_on: row.due_on,
                status: row.status,
            })
            .collect(),
        median_days_to_done,
        done_count: usize::try_from(done).unwrap_or(0),
        look_fors,
        evidence_visits,
    })
}

pub use crate::domain::read::insights::ImpactRow;

#[derive(QueryableByName)]
struct ImpactSql {
    #[diesel(sql_type = BigInt)]
    item_id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    department_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    department: Option<String>,
    #[diesel(sql_type = BigInt)]
    school_id: i64,
    #[diesel(sql_type = Text)]
    school: String,
    #[diesel(sql_type = Date)]
    visit_date: NaiveDate,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    look_for: String,
    #[diesel(sql_type = BigInt)]
    before_observed: i64,
    #[diesel(sql_type = BigInt)]
    before_applicable: i64,
    #[diesel(sql_type = Nullable<Date>)]
    next_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<BigInt>)]
    after_observed: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    after_applicable: Option<i64>,
}

/// Every published item tied to look-fors (of one department, or all),
/// with the look-fors' shares before and after.
pub fn impact(conn: &mut DbConn, department_id: Option<i64>) -> QueryResult<Vec<ImpactRow>> {
    let (condition, params) = match department_id {
        Some(id) => (" AND a.department_id = ?", vec![Param::Int(id)]),
        None => ("", vec![]),
    };
    let rows: Vec<ImpactSql> = raw::load(
        conn,
        &format!(
            "WITH seq AS ( \
                 SELECT v.id, LEAD(v.id) OVER w AS next_id, LEAD(v.visit_date) OVER w AS next_date \
                 FROM visits v \
                 WHERE EXISTS (SELECT 1 FROM visit_look_for_rollups r WHERE r.visit_id = v.id) \
                 WINDOW w AS (PARTITION BY v.school_id ORDER BY v.visit_date, v.id)) \
             SELECT a.id AS item_id, a.title, a.department_id, d.name AS department, \
                 a.school_id, s.name AS school, v.visit_date, i.code, i.title AS look_for, \
                 CAST(r1.observed AS BIGINT) AS before_observed, \
                 CAST(r1.observed + r1.partly + r1.not_observed AS BIGINT) AS before_applicable, \
                 seq.next_date, \
                 CAST(r2.observed AS BIGINT) AS after_observed, \
                 CAST(r2.observed + r2.partly + r2.not_observed AS BIGINT) AS after_applicable \
             FROM action_items a \
             JOIN action_item_indicators ai ON ai.item_id = a.id \
             JOIN indicators i ON i.id = ai.indicator_id \
             JOIN visits v ON v.id = a.visit_id \
             JOIN schools s ON s.id = a.school_id \
             LEFT JOIN departments d ON d.id = a.department_id \
             JOIN seq ON seq.id = a.visit_id \
             JOIN visit_look_for_rollups r1 \
                 ON r1.visit_id = a.visit_id AND r1.indicator_id = ai.indicator_id \
             LEFT JOIN visits nv ON nv.id = seq.next_id \
             LEFT JOIN indicators i2 ON i2.framework_id = nv.framework_id AND i2.code = i.code \
             LEFT JOIN visit_look_for_rollups r2 \
                 ON r2.visit_id = nv.id AND r2.indicator_id = i2.id \
             WHERE a.status NOT IN ('proposed', 'dropped'){condition} \
             ORDER BY d.name, s.name, v.visit_date, a.id, i.code"
        ),
        &params,
    )?;
    Ok(rows
        .into_iter()
        .map(|row| ImpactRow {
            item_id: row.item_id,
            title: row.title,
            department: row
                .department_id
                .zip(row.department)
                .map(|(id, name)| Link { id, name }),
            school: Link {
                id: row.school_id,
                name: row.school,
            },
            visit_date: row.visit_date,
            code: row.code,
            look_for: row.look_for,
            before: Share::new(row.before_observed, row.before_applicable),
            next_visit: row.next_date,
            after: row
                .after_observed
                .zip(row.after_applicable)
                .map(|(o, a)| Share::new(o, a)),
        })
        .collect())
}
