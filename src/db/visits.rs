//! Visits, their teams and agendas — and who may see which.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::accounts::Account;
use super::schema::{
    action_item_checks, action_items, departments, frameworks, indicators, observations, schools,
    user_roles, users, visit_members, visit_segments, visits,
};
use super::{now, DbConn, MultiBackend, WriteError};
use crate::domain::account::Role;
use crate::domain::action_item::Status;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::planner::Campus;
use crate::domain::user::Link;
use crate::domain::visit::{NewVisit, VisitRecord, VisitStatus};

/// Who is looking, as far as the visit rules need to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i64,
    pub roles: BTreeSet<Role>,
    pub school_id: Option<i64>,
    pub department_id: Option<i64>,
}

impl From<&Account> for Viewer {
    fn from(account: &Account) -> Self {
        Self {
            user_id: account.id,
            roles: account.roles.clone(),
            school_id: account.school_id,
            department_id: account.department_id,
        }
    }
}

impl Viewer {
    /// The system itself (messages, jobs): sees everything.
    pub fn everyone() -> Self {
        Self {
            user_id: 0,
            roles: [Role::Admin].into_iter().collect(),
            school_id: None,
            department_id: None,
        }
    }

    /// Administrators and visit leads see every visit.
    pub fn sees_all_visits(&self) -> bool {
        self.roles.contains(&Role::Admin) || self.roles.contains(&Role::VisitLead)
    }
}

type Condition = Rule<visits::table>;

/// A condition on the rows of a query that reads visits, whatever it joins.
type Rule<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>;

/// The one rule of which visits a person may see, as a SQL condition:
/// everything for administrators and visit leads; otherwise the visits whose
/// team they are on, for a school leader every visit to their school, and for
/// a department head the visits their department's published items come from.
/// A macro so that one rule fits the query it is put in, joined or not (the
/// query's source type is inferred there).
macro_rules! visible_to {
    ($viewer:expr) => {{
        let viewer: &Viewer = $viewer;
        let rule: Rule<_> = if viewer.sees_all_visits() {
            Box::new(sql::<Bool>("1 = 1"))
        } else {
            let on_team = visits::id.eq_any(
                visit_members::table
                    .filter(visit_members::user_id.eq(viewer.user_id))
                    .select(visit_members::visit_id),
            );
            let mut visible: Rule<_> = Box::new(on_team);
            if let (true, Some(school_id)) =
                (viewer.roles.contains(&Role::SchoolLeader), viewer.school_id)
            {
                visible = Box::new(visible.or(visits::school_id.eq(school_id)));
            }
            if let (true, Some(department_id)) = (
                viewer.roles.contains(&Role::DepartmentHead),
                viewer.department_id,
            ) {
                // The visits their department's published items come from.
                visible = Box::new(
                    visible.or(visits::id.eq_any(
                        action_items::table
                            .filter(action_items::department_id.eq(department_id))
                            .filter(action_items::status.ne("proposed"))
                            .select(action_items::visit_id),
                    )),
                );
            }
            visible
        };
        rule
    }};
}

/// A person's own visits, for their calendar: those they lead or are on
/// the team of, and for a school leader every visit to their school.
fn on_calendar_of(viewer: &Viewer) -> Condition {
    let mine = visits::id
        .eq_any(
            visit_members::table
                .filter(visit_members::user_id.eq(viewer.user_id))
                .select(visit_members::visit_id),
        )
        .or(visits::lead_id.eq(viewer.user_id).assume_not_null());
    match (viewer.roles.contains(&Role::SchoolLeader), viewer.school_id) {
        (true, Some(school_id)) => Box::new(mine.or(visits::school_id.eq(school_id))),
        _ => Box::new(mine),
    }
}

/// The visits on a person's calendar from `from` on, with their teams.
pub fn for_calendar(
    conn: &mut DbConn,
    viewer: &Viewer,
    from: NaiveDate,
) -> QueryResult<Vec<Visit>> {
    let ids: Vec<i64> = visits::table
        .filter(on_calendar_of(viewer))
        .filter(visits::visit_date.ge(from))
        .order((visits::visit_date.asc(), visits::id.asc()))
        .limit(500)
        .select(visits::id)
        .load(conn)?;
    ids.into_iter().map(|id| find(conn, id)).collect()
}

/// What recording a snapshot on a visit needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureTarget {
    /// The team and the planners may record.
    pub may_record: bool,
    pub framework_id: Option<i64>,
    /// The framework's look-fors' ids by lower-cased code.
    pub codes: HashMap<String, i64>,
    /// The framework's look-fors' codes, as written, by id.
    pub code_of: HashMap<i64, String>,
}

/// Where `viewer` may record a snapshot, in one query; NotFound if they may
/// not see the visit.
pub fn capture_target(conn: &mut DbConn, viewer: &Viewer, id: i64) -> QueryResult<CaptureTarget> {
    let rows = visits::table
        .left_join(
            indicators::table.on(indicators::framework_id.nullable().eq(visits::framework_id)),
        )
        .filter(visits::id.eq(id))
        .filter(visible_to!(viewer))
        .select((
            visits::framework_id,
            diesel::dsl::exists(
                visit_members::table
                    .filter(visit_members::visit_id.eq(id))
                    .filter(visit_members::user_id.eq(viewer.user_id)),
            ),
            (indicators::code, indicators::id).nullable(),
        ))
        .load::<(Option<i64>, bool, Option<(String, i64)>)>(conn)?;
    let (framework_id, on_team) = rows
        .first()
        .map(|row| (row.0, row.1))
        .ok_or(diesel::result::Error::NotFound)?;
    let look_fors: Vec<(String, i64)> = rows.into_iter().filter_map(|row| row.2).collect();
    Ok(CaptureTarget {
        may_record: viewer.sees_all_visits() || on_team,
        framework_id,
        codes: look_fors
            .iter()
            .map(|(code, id)| (code.to_lowercase(), *id))
            .collect(),
        code_of: look_fors.into_iter().map(|(code, id)| (id, code)).collect(),
    })
}

pub use crate::domain::read::visits::ListItem;

pub use crate::domain::read::visits::Visit;

pub use crate::domain::read::visits::Member;

/// Which visits a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub school_id: Option<i64>,
    /// Only visits on or after this day.
    pub from: Option<NaiveDate>,
}

fn status(raw: &str) -> VisitStatus {
    // The column's CHECK constraint admits only the five statuses.
    raw.parse().unwrap_or(VisitStatus::Planned)
}

/// The visits `viewer` may see, newest first.
pub fn list(
    conn: &mut DbConn,
    viewer: &Viewer,
    filter: &Filter,
    page: PageRequest,
) -> QueryResult<Page<ListItem>> {
    let filtered = || {
        let mut query = visits::table
            .filter(visible_to!(viewer))
            .into_boxed::<MultiBackend>();
        if let Some(school_id) = filter.school_id {
            query = query.filter(visits::school_id.eq(school_id));
        }
        if let Some(from) = filter.from {
            query = query.filter(visits::visit_date.ge(from));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((visits::visit_date.desc(), visits::id.desc()))
        .limit(page.limit())
        .offset(page.offset())
        .select((
            visits::id,
            visits::school_id,
            visits::visit_date,
            visits::status,
            visits::focus,
        ))
        .load::<(i64, i64, NaiveDate, String, String)>(conn)?;
    let school_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let names: HashMap<i64, String> = schools::table
        .filter(schools::id.eq_any(&school_ids))
        .select((schools::id, schools::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let items = rows
        .into_iter()
        .map(|(id, school_id, date, raw_status, focus)| ListItem {
            id,
            school: Link {
                id: school_id,
                name: names.get(&school_id).cloned().unwrap_or_default(),
            },
            date,
            status: status(&raw_status),
            focus,
        })
        .collect();
    Ok(Page {
        items,
        request: page,
        total,
    })
}

/// One visit, if `viewer` may see it; otherwise `NotFound`, as if there
/// were no such visit.
/// The ids of every visit `viewer` may see, in order (for exports).
pub fn visible_ids(conn: &mut DbConn, viewer: &Viewer) -> QueryResult<Vec<i64>> {
    visits::table
        .filter(visible_to!(viewer))
        .select(visits::id)
        .order(visits::id.asc())
        .load(conn)
}

/// The campuses of these visits.
pub fn school_ids_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<i64>> {
    let mut schools = Vec::new();
    for chunk in ids.chunks(500) {
        schools.extend(
            visits::table
                .filter(visits::id.eq_any(chunk))
                .select(visits::school_id)
                .distinct()
                .load::<i64>(conn)?,
        );
    }
    schools.sort_unstable();
    schools.dedup();
    Ok(schools)
}

/// The visits whose team `user_id` is on, or leads.
pub fn team_ids(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<i64>> {
    let mut ids: Vec<i64> = visit_members::table
        .filter(visit_members::user_id.eq(user_id))
        .select(visit_members::visit_id)
        .load(conn)?;
    ids.extend(
        visits::table
            .filter(visits::lead_id.eq(user_id))
            .select(visits::id)
            .load::<i64>(conn)?,
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

pub fn find_visible(conn: &mut DbConn, viewer: &Viewer, id: i64) -> QueryResult<Visit> {
    let visible: i64 = visits::table
        .filter(visits::id.eq(id))
        .filter(visible_to!(viewer))
        .count()
        .get_result(conn)?;
    if visible == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    find(conn, id)
}

fn find(conn: &mut DbConn, id: i64) -> QueryResult<Visit> {
    let (school_id, school_name, date, raw_status, lead_id, framework_id, focus) = visits::table
        .inner_join(schools::table)
        .filter(visits::id.eq(id))
        .select((
            schools::id,
            schools::name,
            visits::visit_date,
            visits::status,
            visits::lead_id,
            visits::framework_id,
            visits::focus,
        ))
        .first::<(
            i64,
            String,
            NaiveDate,
            String,
            Option<i64>,
            Option<i64>,
            String,
        )>(conn)?;
    let lead = match lead_id {
        Some(lead_id) => users::table
            .find(lead_id)
            .select((users::id, users::name))
            .first::<(i64, String)>(conn)
            .optional()?
            .map(|(id, name)| Link { id, name }),
        None => None,
    };
    let framework = match framework_id {
        Some(framework_id) => frameworks::table
            .find(framework_id)
            .select((frameworks::id, frameworks::name, frameworks::label))
            .first::<(i64, String, String)>(conn)
            .optional()?
            .map(|(id, name, version)| Link {
                id,
                name: format!("{name} (version {version})"),
            }),
        None => None,
    };
    let members = visit_members::table
        .inner_join(users::table.left_join(departments::table))
        .filter(visit_members::visit_id.eq(id))
        .order(users::name.asc())
        .select((users::id, users::name, departments::name.nullable()))
        .load::<(i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, name, department)| Member {
            id,
            name,
            department,
        })
        .collect();
    let segments = visit_segments::table
        .filter(visit_segments::visit_id.eq(id))
        .select(visit_segments::segment)
        .load::<String>(conn)?
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    Ok(Visit {
        id,
        school: Link {
            id: school_id,
            name: school_name,
        },
        date,
        status: status(&raw_status),
        lead,
        framework,
        focus,
        members,
        segments,
    })
}

/// The ids a visit refers to must exist (and the campus be active).
fn check_links(conn: &mut DbConn, visit: &NewVisit) -> Result<(), WriteError> {
    let school: i64 = schools::table
        .filter(schools::id.eq(visit.school_id))
        .filter(schools::active.eq(true))
        .count()
        .get_result(conn)?;
    if school == 0 {
        return Err(WriteError::conflict(
            "school_id",
            "Choose an active campus from the list.",
        ));
    }
    if let Some(framework_id) = visit.framework_id {
        let found: i64 = frameworks::table
            .filter(frameworks::id.eq(framework_id))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(WriteError::conflict(
                "framework_id",
                "Choose a framework from the list.",
            ));
        }
    }
    let people: Vec<i64> = visit.members.iter().copied().chain(visit.lead_id).collect();
    let found: i64 = users::table
        .filter(users::id.eq_any(&people))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?;
    let distinct: BTreeSet<i64> = people.into_iter().collect();
    if found != distinct.len() as i64 {
        return Err(WriteError::conflict(
            "members",
            "Choose the lead and team from the list of active people.",
        ));
    }
    Ok(())
}

fn write_team(conn: &mut DbConn, id: i64, visit: &NewVisit) -> QueryResult<()> {
    diesel::delete(visit_members::table.filter(visit_members::visit_id.eq(id))).execute(conn)?;
    diesel::delete(visit_segments::table.filter(visit_segments::visit_id.eq(id))).execute(conn)?;
    for member in &visit.members {
        diesel::insert_into(visit_members::table)
            .values((
                visit_members::visit_id.eq(id),
                visit_members::user_id.eq(member),
            ))
            .execute(conn)?;
    }
    for segment in &visit.segments {
        diesel::insert_into(visit_segments::table)
            .values((
                visit_segments::visit_id.eq(id),
                visit_segments::segment.eq(segment.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Inserts a row and returns its new id (`RETURNING`, which both engines
/// have but `MultiConnection` does not offer: one arm per engine).
macro_rules! insert_returning_id {
    ($conn:expr, $table:path, $id:expr, $values:expr) => {
        match $conn {
            DbConn::Sqlite(c) => diesel::insert_into($table)
                .values($values)
                .returning($id)
                .get_result::<i64>(c),
            DbConn::Postgres(c) => diesel::insert_into($table)
                .values($values)
                .returning($id)
                .get_result::<i64>(c),
        }
    };
}

/// Stores a new planned visit with its team and agenda.
pub fn insert(conn: &mut DbConn, visit: &NewVisit) -> Result<i64, WriteError> {
    super::write_transaction(conn, |conn| {
        check_links(conn, visit)?;
        let at = now();
        let id = insert_returning_id!(
            conn,
            visits::table,
            visits::id,
            (
                visits::school_id.eq(visit.school_id),
                visits::visit_date.eq(visit.date),
                visits::status.eq(VisitStatus::Planned.as_str()),
                visits::lead_id.eq(visit.lead_id),
                visits::framework_id.eq(visit.framework_id),
                visits::focus.eq(&visit.focus),
                visits::created_at.eq(at),
                visits::updated_at.eq(at),
            )
        )?;
        write_team(conn, id, visit)?;
        Ok(id)
    })
}

/// Replaces a visit's plan: campus, date, lead, framework, focus, team, agenda.
pub fn update(conn: &mut DbConn, id: i64, visit: &NewVisit) -> Result<(), WriteError> {
    super::write_transaction(conn, |conn| {
        check_links(conn, visit)?;
        let changed = diesel::update(visits::table.find(id))
            .set((
                visits::school_id.eq(visit.school_id),
                visits::visit_date.eq(visit.date),
                visits::lead_id.eq(visit.lead_id),
                visits::framework_id.eq(visit.framework_id),
                visits::focus.eq(&visit.focus),
                visits::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(diesel::result::Error::NotFound.into());
        }
        write_team(conn, id, visit)?;
        Ok(())
    })
}

/// Moves a visit on to `to`, which must be its next status.
/// What is on record about visit `id`, for deciding whether its plan may
/// change (see `domain::visit::check_change`). Read inside the writing
/// transaction, so it is still true when the change is written.
pub fn record(conn: &mut DbConn, id: i64) -> QueryResult<VisitRecord> {
    let (raw_status, school_id, date, framework_id): (String, i64, NaiveDate, Option<i64>) =
        visits::table
            .find(id)
            .select((
                visits::status,
                visits::school_id,
                visits::visit_date,
                visits::framework_id,
            ))
            .first(conn)?;
    let snapshots: Vec<(i64, String)> = observations::table
        .inner_join(users::table.on(users::id.eq(observations::author_id)))
        .filter(observations::visit_id.eq(id))
        .select((observations::author_id, users::name))
        .load(conn)?;
    let published_items: i64 = action_items::table
        .filter(action_items::visit_id.eq(id))
        .filter(action_items::status.ne(Status::Proposed.as_str()))
        .count()
        .get_result(conn)?;
    let checks: i64 = action_item_checks::table
        .filter(action_item_checks::visit_id.eq(id))
        .count()
        .get_result(conn)?;
    let checked_later: i64 = action_item_checks::table
        .inner_join(action_items::table.on(action_items::id.eq(action_item_checks::item_id)))
        .filter(action_items::visit_id.eq(id))
        .count()
        .get_result(conn)?;
    let siblings = visits::table
        .filter(visits::school_id.eq(school_id))
        .filter(visits::id.ne(id));
    let previous: Option<NaiveDate> = siblings
        .filter(visits::visit_date.lt(date))
        .select(diesel::dsl::max(visits::visit_date))
        .first(conn)?;
    let next: Option<NaiveDate> = siblings
        .filter(visits::visit_date.gt(date))
        .select(diesel::dsl::min(visits::visit_date))
        .first(conn)?;
    Ok(VisitRecord {
        status: status(&raw_status),
        school_id,
        date,
        framework_id,
        observations: snapshots.len(),
        authors: snapshots.into_iter().collect(),
        has_record: published_items + checks + checked_later > 0,
        previous,
        next,
    })
}

pub fn advance(conn: &mut DbConn, id: i64, to: VisitStatus) -> Result<(), WriteError> {
    super::write_transaction(conn, |conn| {
        let current: String = visits::table.find(id).select(visits::status).first(conn)?;
        let current = status(&current);
        if current.next() != Some(to) {
            return Err(WriteError::conflict(
                "status",
                format!(
                    "A {} visit cannot become {}.",
                    current.label().to_lowercase(),
                    to.label().to_lowercase()
                ),
            ));
        }
        diesel::update(visits::table.find(id))
            .set((visits::status.eq(to.as_str()), visits::updated_at.eq(now())))
            .execute(conn)?;
        Ok(())
    })
}

/// Active campuses with the date of their latest visit, for the planner.
pub fn campuses_for_planning(conn: &mut DbConn) -> QueryResult<Vec<Campus>> {
    let latest: HashMap<i64, NaiveDate> = visits::table
        .group_by(visits::school_id)
        .select((visits::school_id, diesel::dsl::max(visits::visit_date)))
        .load::<(i64, Option<NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(school, date)| date.map(|d| (school, d)))
        .collect();
    Ok(schools::table
        .filter(schools::active.eq(true))
        .order(schools::name.asc())
        .select((schools::id, schools::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(school_id, name)| Campus {
            school_id,
            name,
            last_visit: latest.get(&school_id).copied(),
        })
        .collect())
}

/// People who can be on a team (visitors and visit leads), with their
/// department.
pub fn team_choices(conn: &mut DbConn) -> QueryResult<Vec<Member>> {
    let visiting = user_roles::table
        .filter(user_roles::role.eq_any([Role::Visitor.as_str(), Role::VisitLead.as_str()]))
        .select(user_roles::user_id);
    Ok(users::table
        .left_join(departments::table)
        .filter(users::active.eq(true))
        .filter(users::id.eq_any(visiting))
        .order((
            departments::name.is_null(),
            departments::name.asc(),
            users::name.asc(),
        ))
        .select((users::id, users::name, departments::name.nullable()))
        .load::<(i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, name, department)| Member {
            id,
            name,
            department,
        })
        .collect())
}
