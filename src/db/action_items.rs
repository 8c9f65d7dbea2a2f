//! Action items: generation from a visit's evidence, review, publishing,
//! updates with history and optimistic concurrency, and the checks a later
//! visit makes. Who may see which item is one SQL condition, `visible_to`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::schema::{
    action_item_checks, action_item_indicators, action_item_updates, action_items, departments,
    framework_domains, indicators, schools, user_roles, users, visit_members, visits,
};
use super::visits::Viewer;
use super::{now, DbConn, MultiBackend, WriteError};
use crate::domain::account::Role;
use crate::domain::action_item::{
    self as rules, Check, Kind, LookFor, Priority, Proposal, Rules, Status,
};
use crate::domain::user::Link;
use crate::domain::visit::VisitStatus;

pub use crate::domain::read::items::{Item, ItemLookFor};

pub use crate::domain::read::items::Update;

/// A condition on the rows of a query that reads items, whatever it joins.
type Condition<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>;

/// The one rule of which items a person may see: everything for
/// administrators and visit leads; the items of the visits whose team they
/// are on (proposals included); and, once published, the items concerning
/// their school (school leaders), their department's items (department
/// heads and staff) and the items they own. A macro so that one rule fits
/// the query it is put in (its source type is inferred there).
macro_rules! visible_to {
    ($viewer:expr) => {{
        let viewer: &Viewer = $viewer;
        let rule: Condition<_> = if viewer.sees_all_visits() {
            Box::new(sql::<Bool>("1 = 1"))
        } else {
            let on_team = action_items::visit_id.eq_any(
                visit_members::table
                    .filter(visit_members::user_id.eq(viewer.user_id))
                    .select(visit_members::visit_id),
            );
            let mut published: Condition<_> =
                Box::new(action_items::owner_id.eq(viewer.user_id).assume_not_null());
            if let (true, Some(school_id)) =
                (viewer.roles.contains(&Role::SchoolLeader), viewer.school_id)
            {
                published = Box::new(published.or(action_items::school_id.eq(school_id)));
            }
            if let (true, Some(department_id)) = (
                viewer.roles.contains(&Role::DepartmentHead),
                viewer.department_id,
            ) {
                published = Box::new(
                    published.or(action_items::department_id
                        .eq(department_id)
                        .assume_not_null()),
                );
            }
            Box::new(
                on_team.or(action_items::status
                    .ne(Status::Proposed.as_str())
                    .and(published)),
            )
        };
        rule
    }};
}

/// What a list of items is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub id: Option<i64>,
    pub visit_id: Option<i64>,
    pub school_id: Option<i64>,
    pub department_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub kind: Option<Kind>,
    pub statuses: Vec<Status>,
    /// Only open items due before this day.
    pub overdue_on: Option<NaiveDate>,
    /// Leave out proposals (items of visits still in review).
    pub published_only: bool,
    /// Skip reading each item's look-fors (a list that does not show them).
    pub without_look_fors: bool,
    /// Only items due on or after this day.
    pub due_from: Option<NaiveDate>,
    /// Only items due before this day.
    pub due_before: Option<NaiveDate>,
    /// At most this many (the first by due date).
    pub limit: Option<i64>,
}

type ItemRow = (
    (
        i64,
        i64,
        NaiveDate,
        i64,
        String,
        String,
        Option<i64>,
        Option<String>,
        String,
        String,
    ),
    (
        Option<String>,
        bool,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<NaiveDate>,
        i32,
    ),
);

/// Narrows a boxed query that reads items (joined or not) to what `filter`
/// picks: one set of conditions for the lists and their counts.
macro_rules! narrowed {
    ($query:expr, $filter:expr) => {{
        let filter: &Filter = $filter;
        let mut query = $query;
        if let Some(id) = filter.id {
            query = query.filter(action_items::id.eq(id));
        }
        if let Some(visit_id) = filter.visit_id {
            query = query.filter(action_items::visit_id.eq(visit_id));
        }
        if let Some(school_id) = filter.school_id {
            query = query.filter(action_items::school_id.eq(school_id));
        }
        if let Some(department_id) = filter.department_id {
            query = query.filter(action_items::department_id.eq(department_id));
        }
        if let Some(owner_id) = filter.owner_id {
            query = query.filter(action_items::owner_id.eq(owner_id));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(action_items::kind.eq(kind.as_str()));
        }
        if !filter.statuses.is_empty() {
            let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            query = query.filter(action_items::status.eq_any(statuses));
        }
        if filter.published_only {
            query = query.filter(action_items::status.ne(Status::Proposed.as_str()));
        }
        if let Some(today) = filter.overdue_on {
            let open: Vec<&str> = Status::ALL
                .iter()
                .filter(|s| s.awaits_owner())
                .map(|s| s.as_str())
                .collect();
            query = query
                .filter(action_items::status.eq_any(open))
                .filter(action_items::due_on.lt(today));
        }
        if let Some(day) = filter.due_from {
            query = query.filter(action_items::due_on.ge(day));
        }
        if let Some(day) = filter.due_before {
            query = query.filter(action_items::due_on.lt(day));
        }
        query
    }};
}

/// How many items `viewer` may see match `filter` (its `limit` aside).
pub fn count(conn: &mut DbConn, viewer: &Viewer, filter: &Filter) -> QueryResult<i64> {
    let query = action_items::table
        .filter(visible_to!(viewer))
        .into_boxed::<MultiBackend>();
    narrowed!(query, filter).count().get_result(conn)
}

/// The items `viewer` may see that match `filter`, by due date.
pub fn list(conn: &mut DbConn, viewer: &Viewer, filter: &Filter) -> QueryResult<Vec<Item>> {
    // One joined query reads the items the rule and the filters pick, with
    // their names, in order.
    let mut query = action_items::table
        .inner_join(visits::table)
        .inner_join(schools::table.on(schools::id.eq(action_items::school_id)))
        .left_join(
            departments::table.on(departments::id.nullable().eq(action_items::department_id)),
        )
        .left_join(users::table.on(users::id.nullable().eq(action_items::owner_id)))
        .filter(visible_to!(viewer))
        .order((
            action_items::due_on.asc(),
            action_items::visit_id.asc(),
            action_items::id.asc(),
        ))
        .into_boxed::<MultiBackend>();
    query = narrowed!(query, filter);
    if let Some(limit) = filter.limit {
        query = query.limit(limit);
    }
    let rows: Vec<ItemRow> = query
        .select((
            (
                action_items::id,
                action_items::visit_id,
                visits::visit_date,
                action_items::school_id,
                schools::name,
                action_items::kind,
                action_items::department_id,
                departments::name.nullable(),
                action_items::title,
                action_items::evidence,
            ),
            (
                action_items::source_key,
                action_items::edited,
                action_items::status,
                action_items::reason,
                action_items::priority,
                action_items::owner_id,
                users::name.nullable(),
                action_items::due_on,
                action_items::version,
            ),
        ))
        .load(conn)?;
    let mut look_fors: BTreeMap<i64, Vec<ItemLookFor>> = BTreeMap::new();
    if !filter.without_look_fors {
        let ids: Vec<i64> = rows.iter().map(|row| row.0 .0).collect();
        for chunk in ids.chunks(500) {
            let links: Vec<(i64, i64, String, String, Option<String>)> =
                action_item_indicators::table
                    .inner_join(indicators::table)
                    .filter(action_item_indicators::item_id.eq_any(chunk))
                    .order((action_item_indicators::item_id, indicators::position))
                    .select((
                        action_item_indicators::item_id,
                        indicators::id,
                        indicators::code,
                        indicators::title,
                        indicators::entry_point,
                    ))
                    .load(conn)?;
            for (item, id, code, title, entry_point) in links {
                look_fors.entry(item).or_default().push(ItemLookFor {
                    id,
                    code,
                    title,
                    entry_point,
                });
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|(a, b)| Item {
            id: a.0,
            visit_id: a.1,
            visit_date: a.2,
            school: Link { id: a.3, name: a.4 },
            kind: a.5.parse().unwrap_or(Kind::School),
            department: a.6.map(|id| Link {
                id,
                name: a.7.unwrap_or_default(),
            }),
            title: a.8,
            evidence: a.9,
            source_key: b.0,
            edited: b.1,
            status: b.2.parse().unwrap_or(Status::Open),
            reason: b.3,
            priority: b.4.parse().unwrap_or(Priority::Normal),
            owner: b.5.map(|id| Link {
                id,
                name: b.6.unwrap_or_default(),
            }),
            due_on: b.7,
            version: b.8,
            look_fors: look_fors.remove(&a.0).unwrap_or_default(),
        })
        .collect())
}

/// One item, if `viewer` may see it (NotFound otherwise).
/// The ids of every item `viewer` may see, in order (for exports).
pub fn visible_ids(conn: &mut DbConn, viewer: &Viewer) -> QueryResult<Vec<i64>> {
    action_items::table
        .filter(visible_to!(viewer))
        .select(action_items::id)
        .order(action_items::id.asc())
        .load(conn)
}

pub fn find_visible(conn: &mut DbConn, viewer: &Viewer, id: i64) -> QueryResult<Item> {
    let filter = Filter {
        id: Some(id),
        ..Filter::default()
    };
    let mut found = list(conn, viewer, &filter)?;
    found.pop().ok_or(diesel::result::Error::NotFound)
}

/// What generating proposals did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    pub added: usize,
    pub refreshed: usize,
    /// Proposals a person had edited, dropped or merged: left as they are.
    pub kept: usize,
    /// Unedited proposals the evidence no longer raises: removed.
    pub removed: usize,
}

/// The first active holder of `role` at a school or in a department.
fn first_holder(
    conn: &mut DbConn,
    role: Role,
    school_id: Option<i64>,
    department_id: Option<i64>,
) -> QueryResult<Option<i64>> {
    let mut query = users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq(role.as_str()))
        .filter(users::active.eq(true))
        .into_boxed();
    if let Some(school_id) = school_id {
        query = query.filter(users::school_id.eq(school_id));
    }
    if let Some(department_id) = department_id {
        query = query.filter(users::department_id.eq(department_id));
    }
    query
        .order(users::id.asc())
        .select(users::id)
        .first(conn)
        .optional()
}

/// Reads a visit's evidence and returns what the rules propose.
pub fn proposals_for(
    conn: &mut DbConn,
    visit_id: i64,
    rules: &Rules,
) -> QueryResult<Vec<Proposal>> {
    let (school_id, date, framework_id) = visits::table
        .find(visit_id)
        .select((visits::school_id, visits::visit_date, visits::framework_id))
        .first::<(i64, NaiveDate, Option<i64>)>(conn)?;
    let look_fors: Vec<LookFor> = match framework_id {
        None => Vec::new(),
        Some(framework_id) => indicators::table
            .inner_join(framework_domains::table)
            .filter(indicators::framework_id.eq(framework_id))
            .order((framework_domains::position, indicators::position))
            .select((
                indicators::id,
                indicators::code,
                indicators::title,
                indicators::department_id,
            ))
            .load::<(i64, String, String, Option<i64>)>(conn)?
            .into_iter()
            .map(|(id, code, title, department_id)| LookFor {
                id,
                code,
                title,
                department_id,
            })
            .collect(),
    };
    let mut departments_seen = Vec::new();
    for (id, name) in departments::table
        .select((departments::id, departments::name))
        .order(departments::id)
        .load::<(i64, String)>(conn)?
    {
        let head_id = first_holder(conn, Role::DepartmentHead, None, Some(id))?;
        departments_seen.push(rules::Department { id, name, head_id });
    }
    let school_leader_id = first_holder(conn, Role::SchoolLeader, Some(school_id), None)?;
    let observations = super::observations::for_visit(conn, visit_id)?;
    let snapshots: Vec<_> = observations.iter().map(|o| (o.setting, &o.ticks)).collect();
    let problems: Vec<rules::Problem> = super::debriefs::find(conn, visit_id)?
        .problems
        .into_iter()
        .map(|p| rules::Problem {
            id: p.id,
            description: p.description,
            department_ids: p.departments.iter().map(|d| d.id).collect(),
        })
        .collect();
    // Look-fors of items the team verified at this visit wait for fresh
    // evidence from a later visit before they are proposed again.
    let settled: BTreeSet<i64> = action_item_indicators::table
        .filter(
            action_item_indicators::item_id.eq_any(
                action_item_checks::table
                    .filter(action_item_checks::visit_id.eq(visit_id))
                    .filter(action_item_checks::result.eq(Check::Verified.as_str()))
                    .select(action_item_checks::item_id),
            ),
        )
        .select(action_item_indicators::indicator_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    Ok(rules::propose(
        &rules::Evidence {
            visit_date: date,
            look_fors: &look_fors,
            departments: &departments_seen,
            school_leader_id,
            snapshots: &snapshots,
            problems: &problems,
            settled: &settled,
        },
        rules,
    ))
}

fn visit_status(conn: &mut DbConn, visit_id: i64) -> QueryResult<VisitStatus> {
    let status: String = visits::table
        .find(visit_id)
        .select(visits::status)
        .first(conn)?;
    Ok(status.parse().unwrap_or(VisitStatus::Closed))
}

fn add_update(
    conn: &mut DbConn,
    item_id: i64,
    author_id: Option<i64>,
    status: Status,
    change: &str,
    note: &str,
) -> QueryResult<()> {
    diesel::insert_into(action_item_updates::table)
        .values((
            action_item_updates::item_id.eq(item_id),
            action_item_updates::author_id.eq(author_id),
            action_item_updates::at.eq(now()),
            action_item_updates::status.eq(status.as_str()),
            action_item_updates::change.eq(change),
            action_item_updates::note.eq(note),
        ))
        .execute(conn)?;
    // The first day it was done, and the days since its visit, for the
    // department's pace.
    if matches!(status, Status::Done | Status::Verified) {
        let at = now();
        let visit_date: NaiveDate = action_items::table
            .inner_join(visits::table)
            .filter(action_items::id.eq(item_id))
            .select(visits::visit_date)
            .first(conn)?;
        let days = crate::domain::insights::days_to_done(visit_date, at.date());
        diesel::update(
            action_items::table
                .find(item_id)
                .filter(action_items::done_at.is_null()),
        )
        .set((
            action_items::done_at.eq(at),
            action_items::days_to_done.eq(i32::try_from(days).unwrap_or(i32::MAX)),
        ))
        .execute(conn)?;
    }
    Ok(())
}

fn set_look_fors(conn: &mut DbConn, item_id: i64, ids: &[i64]) -> QueryResult<()> {
    diesel::delete(
        action_item_indicators::table.filter(action_item_indicators::item_id.eq(item_id)),
    )
    .execute(conn)?;
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    for indicator_id in unique {
        diesel::insert_into(action_item_indicators::table)
            .values((
                action_item_indicators::item_id.eq(item_id),
                action_item_indicators::indicator_id.eq(indicator_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Proposes items from a debriefed visit's evidence. Generating again adds
/// what is new, refreshes unedited proposals, removes unedited ones the
/// evidence no longer raises, and never touches one a person edited.
pub fn generate(conn: &mut DbConn, visit_id: i64, actor: i64) -> Result<Generated, WriteError> {
    super::write_transaction(conn, |conn| {
        if visit_status(conn, visit_id)? != VisitStatus::Debriefed {
            return Err(WriteError::Conflict {
                field: "visit",
                message: "Mark the visit debriefed before generating its action items.".to_owned(),
            });
        }
        let rules = super::settings::find(conn)?.rules;
        let school_id: i64 = visits::table
            .find(visit_id)
            .select(visits::school_id)
            .first(conn)?;
        let proposals = proposals_for(conn, visit_id, &rules)?;
        let existing: Vec<(i64, String, bool, String)> = action_items::table
            .filter(action_items::visit_id.eq(visit_id))
            .filter(action_items::source_key.is_not_null())
            .select((
                action_items::id,
                action_items::source_key.assume_not_null(),
                action_items::edited,
                action_items::status,
            ))
            .load(conn)?;
        let mut outcome = Generated::default();
        let proposed_keys: BTreeSet<&str> =
            proposals.iter().map(|p| p.source_key.as_str()).collect();
        for (id, key, edited, status) in &existing {
            let untouched = !edited && status == Status::Proposed.as_str();
            if untouched && !proposed_keys.contains(key.as_str()) {
                diesel::delete(action_items::table.find(id)).execute(conn)?;
                outcome.removed += 1;
            }
        }
        let at = now();
        for proposal in &proposals {
            let found = existing.iter().find(|e| e.1 == proposal.source_key);
            match found {
                Some((id, _, false, status)) if status == Status::Proposed.as_str() => {
                    diesel::update(action_items::table.find(id))
                        .set((
                            action_items::title.eq(&proposal.title),
                            action_items::evidence.eq(&proposal.evidence),
                            action_items::owner_id.eq(proposal.owner_id),
                            action_items::due_on.eq(Some(proposal.due_on)),
                            action_items::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                    set_look_fors(conn, *id, &proposal.indicator_ids)?;
                    outcome.refreshed += 1;
                }
                Some(_) => outcome.kept += 1,
                None => {
                    let id = insert_returning_id!(
                        conn,
                        action_items::table,
                        action_items::id,
                        (
                            action_items::visit_id.eq(visit_id),
                            action_items::school_id.eq(school_id),
                            action_items::kind.eq(proposal.kind.as_str()),
                            action_items::department_id.eq(proposal.department_id),
                            action_items::title.eq(&proposal.title),
                            action_items::evidence.eq(&proposal.evidence),
                            action_items::source_key.eq(Some(&proposal.source_key)),
                            action_items::status.eq(Status::Proposed.as_str()),
                            action_items::owner_id.eq(proposal.owner_id),
                            action_items::due_on.eq(Some(proposal.due_on)),
                            action_items::created_at.eq(at),
                            action_items::updated_at.eq(at),
                        )
                    )?;
                    set_look_fors(conn, id, &proposal.indicator_ids)?;
                    add_update(
                        conn,
                        id,
                        Some(actor),
                        Status::Proposed,
                        "Proposed from the evidence",
                        "",
                    )?;
                    outcome.added += 1;
                }
            }
        }
        Ok(outcome)
    })
}

/// An item as a person writes it (added or edited in review, or updated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: Kind,
    pub department_id: Option<i64>,
    pub title: String,
    pub evidence: String,
    pub owner_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub priority: Priority,
}

fn check_owner(
    conn: &mut DbConn,
    kind: Kind,
    school_id: i64,
    department_id: Option<i64>,
    owner_id: Option<i64>,
) -> Result<(), WriteError> {
    let Some(owner_id) = owner_id else {
        return Ok(());
    };
    let allowed = owner_choices(conn, kind, school_id, department_id)?;
    if allowed.iter().any(|l| l.id == owner_id) {
        Ok(())
    } else {
        Err(WriteError::conflict(
            "owner",
            match kind {
                Kind::Department => "Choose an owner from the department's staff.",
                Kind::School => "Choose an owner from the school's staff.",
            },
        ))
    }
}

/// Who may own an item: the department's active staff for a department
/// item, the school's active staff for a school step.
pub fn owner_choices(
    conn: &mut DbConn,
    kind: Kind,
    school_id: i64,
    department_id: Option<i64>,
) -> QueryResult<Vec<Link>> {
    let mut query = users::table.filter(users::active.eq(true)).into_boxed();
    query = match (kind, department_id) {
        (Kind::Department, Some(department_id)) => {
            query.filter(users::department_id.eq(department_id))
        }
        _ => query.filter(users::school_id.eq(school_id)),
    };
    Ok(query
        .order(users::name.asc())
        .select((users::id, users::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, name)| Link { id, name })
        .collect())
}

/// Adds an item by hand while the visit is reviewed.
pub fn add(conn: &mut DbConn, visit_id: i64, draft: &Draft, actor: i64) -> Result<i64, WriteError> {
    super::write_transaction(conn, |conn| {
        let status = visit_status(conn, visit_id)?;
        if !matches!(status, VisitStatus::InProgress | VisitStatus::Debriefed) {
            return Err(WriteError::Conflict {
                field: "visit",
                message: "Items are added while the visit is in progress or debriefed.".to_owned(),
            });
        }
        insert(
            conn,
            visit_id,
            draft,
            actor,
            Status::Proposed,
            "Added in the debrief",
        )
    })
}

/// Adds an open item to a published visit, from what the campus said it
/// needs in its response (the caller checks the visit's status).
pub fn add_open(
    conn: &mut DbConn,
    visit_id: i64,
    draft: &Draft,
    actor: i64,
    note: &str,
) -> Result<i64, WriteError> {
    super::write_transaction(conn, |conn| {
        insert(conn, visit_id, draft, actor, Status::Open, note)
    })
}

fn insert(
    conn: &mut DbConn,
    visit_id: i64,
    draft: &Draft,
    actor: i64,
    status: Status,
    note: &str,
) -> Result<i64, WriteError> {
    {
        let (school_id, visit_date): (i64, NaiveDate) = visits::table
            .find(visit_id)
            .select((visits::school_id, visits::visit_date))
            .first(conn)?;
        if let Some(department_id) = draft.department_id {
            let known: i64 = departments::table
                .filter(departments::id.eq(department_id))
                .count()
                .get_result(conn)?;
            if known == 0 {
                return Err(WriteError::conflict(
                    "department",
                    "Choose a department from the list.",
                ));
            }
        }
        check_owner(
            conn,
            draft.kind,
            school_id,
            draft.department_id,
            draft.owner_id,
        )?;
        // What was left blank gets what a proposal would have had.
        let owner_id = match (draft.owner_id, draft.kind) {
            (Some(owner), _) => Some(owner),
            (None, Kind::Department) => {
                first_holder(conn, Role::DepartmentHead, None, draft.department_id)?
            }
            (None, Kind::School) => first_holder(conn, Role::SchoolLeader, Some(school_id), None)?,
        };
        let district = super::settings::find(conn)?.rules;
        let due_on = draft
            .due_on
            .unwrap_or_else(|| rules::default_due(draft.kind, visit_date, &district));
        let at = now();
        let id = insert_returning_id!(
            conn,
            action_items::table,
            action_items::id,
            (
                action_items::visit_id.eq(visit_id),
                action_items::school_id.eq(school_id),
                action_items::kind.eq(draft.kind.as_str()),
                action_items::department_id.eq(draft.department_id),
                action_items::title.eq(&draft.title),
                action_items::evidence.eq(&draft.evidence),
                action_items::edited.eq(true),
                action_items::status.eq(status.as_str()),
                action_items::priority.eq(draft.priority.as_str()),
                action_items::owner_id.eq(owner_id),
                action_items::due_on.eq(Some(due_on)),
                action_items::created_at.eq(at),
                action_items::updated_at.eq(at),
            )
        )?;
        add_update(conn, id, Some(actor), status, note, "")?;
        Ok(id)
    }
}

pub use crate::domain::action_item::Change;

/// The message a second, stale save gets.
pub const CONFLICT: &str = "Someone else changed this item after you opened it. Their version is shown; your changes are kept in the form below — check them and save again.";

/// What became of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// Saved; the item's new version.
    Saved(i32),
    /// Refused: someone else saved first (see `CONFLICT`); nothing written.
    Conflict,
}

/// Applies `change` to item `id`, if its version is still `change.version`,
/// as [`rules::plan_change`] plans it; records the history entry it plans.
pub fn change(
    conn: &mut DbConn,
    id: i64,
    change: &Change,
    actor: i64,
) -> Result<Changed, WriteError> {
    super::write_transaction(conn, |conn| {
        let (standing, school_id, department_id) = standing(conn, id)?;
        let owners = if change.owner_id != standing.owner_id {
            owner_choices(conn, standing.kind, school_id, department_id)?
                .into_iter()
                .map(|l| (l.id, l.name))
                .collect()
        } else {
            Vec::new()
        };
        let (item, entry) = match rules::plan_change(&standing, change, &owners) {
            // A status the item cannot move to from where it stands, or an
            // owner not on the staff, is the record refusing (409); any
            // other problem is input to correct (422).
            Err(errors) => {
                let refused = errors.iter().find_map(|(field, message)| match field {
                    "status" => Some(("status", message.to_owned())),
                    "owner" => Some(("owner", message.to_owned())),
                    _ => None,
                });
                return Err(match refused {
                    Some((field, message)) if errors.len() == 1 => {
                        WriteError::conflict(field, message)
                    }
                    _ => WriteError::Invalid(errors),
                });
            }
            Ok(rules::Planned::Conflict) => return Ok(Changed::Conflict),
            Ok(rules::Planned::Unchanged) => return Ok(Changed::Saved(standing.version)),
            Ok(rules::Planned::Saved { item, entry }) => (item, entry),
        };
        diesel::update(action_items::table.find(id))
            .set((
                action_items::title.eq(&item.title),
                action_items::evidence.eq(&item.evidence),
                action_items::status.eq(item.status.as_str()),
                action_items::reason.eq(&item.reason),
                action_items::owner_id.eq(item.owner_id),
                action_items::due_on.eq(item.due_on),
                action_items::priority.eq(item.priority.as_str()),
                action_items::edited.eq(true),
                action_items::version.eq(item.version),
                action_items::updated_at.eq(now()),
            ))
            .execute(conn)?;
        add_update(
            conn,
            id,
            Some(actor),
            entry.status,
            &entry.change,
            &entry.note,
        )?;
        Ok(Changed::Saved(item.version))
    })
}

/// Item `id` as a change sees it, with its school and department.
fn standing(conn: &mut DbConn, id: i64) -> QueryResult<(rules::Standing, i64, Option<i64>)> {
    type Row = (
        i64,
        String,
        i64,
        Option<i64>,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<NaiveDate>,
        String,
        i32,
    );
    let row: Row = action_items::table
        .find(id)
        .select((
            action_items::visit_id,
            action_items::kind,
            action_items::school_id,
            action_items::department_id,
            action_items::title,
            action_items::evidence,
            action_items::status,
            action_items::reason,
            action_items::owner_id,
            action_items::due_on,
            action_items::priority,
            action_items::version,
        ))
        .first(conn)?;
    let (visit_id, kind, school_id, department_id, title, evidence, status) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6);
    let status: Status = status.parse().unwrap_or(Status::Open);
    let visit = visit_status(conn, visit_id)?;
    Ok((
        rules::Standing {
            kind: kind.parse().unwrap_or(Kind::School),
            status,
            in_review: rules::in_review(status, visit),
            title,
            evidence,
            reason: row.7,
            owner_id: row.8,
            due_on: row.9,
            priority: row.10.parse().unwrap_or(Priority::Normal),
            version: row.11,
        },
        school_id,
        department_id,
    ))
}

/// Merges item `from` into `into` (both proposals of one visit): the look-fors
/// and evidence join `into`; `from` is dropped, naming where it went.
pub fn merge(
    conn: &mut DbConn,
    visit_id: i64,
    into: i64,
    from: i64,
    actor: i64,
) -> Result<(), WriteError> {
    super::write_transaction(conn, |conn| {
        let rows: Vec<(i64, i64, String, String, String)> = action_items::table
            .filter(action_items::id.eq_any([into, from]))
            .select((
                action_items::id,
                action_items::visit_id,
                action_items::status,
                action_items::title,
                action_items::evidence,
            ))
            .load(conn)?;
        let target = rows.iter().find(|r| r.0 == into);
        let source = rows.iter().find(|r| r.0 == from);
        let (Some(target), Some(source)) = (target, source) else {
            return Err(WriteError::Conflict {
                field: "merge",
                message: "Choose another item of this visit to merge with.".to_owned(),
            });
        };
        if into == from
            || target.1 != visit_id
            || target.1 != source.1
            || target.2 != Status::Proposed.as_str()
            || source.2 != Status::Proposed.as_str()
        {
            return Err(WriteError::conflict(
                "merge",
                "Only two proposals of the same visit can be merged.",
            ));
        }
        let mut ids: Vec<i64> = action_item_indicators::table
            .filter(action_item_indicators::item_id.eq_any([into, from]))
            .select(action_item_indicators::indicator_id)
            .load(conn)?;
        ids.sort_unstable();
        set_look_fors(conn, into, &ids)?;
        let evidence = [target.4.as_str(), source.4.as_str()]
            .iter()
            .filter(|e| !e.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        diesel::update(action_items::table.find(into))
            .set((
                action_items::evidence.eq(&evidence),
                action_items::edited.eq(true),
                action_items::version.eq(action_items::version + 1),
                action_items::updated_at.eq(now()),
            ))
            .execute(conn)?;
        diesel::update(action_items::table.find(from))
            .set((
                action_items::status.eq(Status::Dropped.as_str()),
                action_items::reason.eq(format!("Merged into item {into}")),
                action_items::edited.eq(true),
                action_items::version.eq(action_items::version + 1),
                action_items::updated_at.eq(now()),
            ))
            .execute(conn)?;
        add_update(
            conn,
            into,
            Some(actor),
            Status::Proposed,
            &format!("Merged with “{}”", source.3),
            "",
        )?;
        add_update(
            conn,
            from,
            Some(actor),
            Status::Dropped,
            &format!("Merged into “{}”", target.3),
            "",
        )?;
        Ok(())
    })
}

/// Publishes a debriefed visit: its proposals become open items and the
/// visit becomes published, in one transaction.
pub fn publish(conn: &mut DbConn, visit_id: i64, actor: i64) -> Result<usize, WriteError> {
    super::write_transaction(conn, |conn| {
        if visit_status(conn, visit_id)? != VisitStatus::Debriefed {
            return Err(WriteError::Conflict {
                field: "visit",
                message: "Only a debriefed visit can be published.".to_owned(),
            });
        }
        let proposals: Vec<i64> = action_items::table
            .filter(action_items::visit_id.eq(visit_id))
            .filter(action_items::status.eq(Status::Proposed.as_str()))
            .select(action_items::id)
            .load(conn)?;
        diesel::update(action_items::table.filter(action_items::id.eq_any(&proposals)))
            .set((
                action_items::status.eq(Status::Open.as_str()),
                action_items::version.eq(action_items::version + 1),
                action_items::updated_at.eq(now()),
            ))
            .execute(conn)?;
        for id in &proposals {
            add_update(conn, *id, Some(actor), Status::Open, "Published", "")?;
        }
        super::visits::advance(conn, visit_id, VisitStatus::Published)?;
        Ok(proposals.len())
    })
}

/// An item's history, oldest first.
pub fn history(conn: &mut DbConn, id: i64) -> QueryResult<Vec<Update>> {
    Ok(action_item_updates::table
        .left_join(users::table.on(users::id.nullable().eq(action_item_updates::author_id)))
        .filter(action_item_updates::item_id.eq(id))
        .order(action_item_updates::id.asc())
        .select((
            users::name.nullable(),
            action_item_updates::at,
            action_item_updates::status,
            action_item_updates::change,
            action_item_updates::note,
        ))
        .load::<(
            Option<String>,
            chrono::NaiveDateTime,
            String,
            String,
            String,
        )>(conn)?
        .into_iter()
        .map(|(author, at, status, change, note)| Update {
            author,
            at,
            status: status.parse().unwrap_or(Status::Open),
            change,
            note,
        })
        .collect())
}

pub use crate::domain::read::items::Carried;

/// Items from earlier visits to the visit's campus that still ask for work
/// (open, in progress, done or blocked), with the check this visit recorded
/// on each, if any.
pub fn carried_over(
    conn: &mut DbConn,
    viewer: &Viewer,
    visit_id: i64,
) -> QueryResult<Vec<Carried>> {
    let (school_id, date) = visits::table
        .find(visit_id)
        .select((visits::school_id, visits::visit_date))
        .first::<(i64, NaiveDate)>(conn)?;
    let earlier: Vec<i64> = action_items::table
        .inner_join(visits::table)
        .filter(action_items::school_id.eq(school_id))
        .filter(visits::visit_date.lt(date))
        .filter(
            action_items::status
                .eq_any(
                    Status::ALL
                        .iter()
                        .filter(|s| s.is_open())
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>(),
                )
                .or(action_items::id.eq_any(
                    action_item_checks::table
                        .filter(action_item_checks::visit_id.eq(visit_id))
                        .select(action_item_checks::item_id),
                )),
        )
        .select(action_items::id)
        .load(conn)?;
    let mut items = Vec::new();
    if !earlier.is_empty() {
        for item in list(
            conn,
            viewer,
            &Filter {
                school_id: Some(school_id),
                ..Filter::default()
            },
        )? {
            if earlier.contains(&item.id) {
                items.push(item);
            }
        }
    }
    let checks: Vec<(i64, String, String)> = action_item_checks::table
        .filter(action_item_checks::visit_id.eq(visit_id))
        .select((
            action_item_checks::item_id,
            action_item_checks::result,
            action_item_checks::note,
        ))
        .load(conn)?;
    Ok(items
        .into_iter()
        .map(|item| {
            let check = checks
                .iter()
                .find(|c| c.0 == item.id)
                .and_then(|(_, result, note)| result.parse().ok().map(|r| (r, note.clone())));
            (item, check)
        })
        .collect())
}

/// Records what the team found at `visit_id` about an earlier item, and
/// moves the item's status accordingly. Checking again replaces the check.
pub fn check(
    conn: &mut DbConn,
    item_id: i64,
    visit_id: i64,
    result: Check,
    note: &str,
    actor: i64,
) -> Result<Status, WriteError> {
    super::write_transaction(conn, |conn| {
        let carried = carried_over(conn, &Viewer::everyone(), visit_id)?;
        let Some((item, _)) = carried.iter().find(|(i, _)| i.id == item_id) else {
            return Err(WriteError::Conflict {
                field: "item",
                message: "Only items from earlier visits to this campus can be checked here."
                    .to_owned(),
            });
        };
        diesel::delete(
            action_item_checks::table
                .filter(action_item_checks::item_id.eq(item_id))
                .filter(action_item_checks::visit_id.eq(visit_id)),
        )
        .execute(conn)?;
        diesel::insert_into(action_item_checks::table)
            .values((
                action_item_checks::item_id.eq(item_id),
                action_item_checks::visit_id.eq(visit_id),
                action_item_checks::result.eq(result.as_str()),
                action_item_checks::note.eq(note.trim()),
                action_item_checks::author_id.eq(Some(actor)),
                action_item_checks::at.eq(now()),
            ))
            .execute(conn)?;
        let next = result.next_status(item.status);
        diesel::update(action_items::table.find(item_id))
            .set((
                action_items::status.eq(next.as_str()),
                action_items::version.eq(action_items::version + 1),
                action_items::updated_at.eq(now()),
            ))
            .execute(conn)?;
        let date: NaiveDate = visits::table
            .find(visit_id)
            .select(visits::visit_date)
            .first(conn)?;
        add_update(
            conn,
            item_id,
            Some(actor),
            next,
            &format!(
                "Checked at the visit of {date}: {}",
                result.label().to_lowercase()
            ),
            note.trim(),
        )?;
        Ok(next)
    })
}

/// The checks recorded on an item at later visits: (visit date, result, note).
pub fn checks_of(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<(NaiveDate, Check, String)>> {
    Ok(action_item_checks::table
        .inner_join(visits::table.on(visits::id.eq(action_item_checks::visit_id)))
        .filter(action_item_checks::item_id.eq(item_id))
        .order(visits::visit_date.asc())
        .select((
            visits::visit_date,
            action_item_checks::result,
            action_item_checks::note,
        ))
        .load::<(NaiveDate, String, String)>(conn)?
        .into_iter()
        .filter_map(|(date, result, note)| result.parse().ok().map(|r| (date, r, note)))
        .collect())
}

/// The items marked done or verified since `since`: the digest's "done in
/// the past week".
pub fn done_since(
    conn: &mut DbConn,
    since: chrono::NaiveDateTime,
) -> QueryResult<std::collections::BTreeSet<i64>> {
    Ok(action_item_updates::table
        .filter(action_item_updates::at.ge(since))
        .filter(
            action_item_updates::status.eq_any([Status::Done.as_str(), Status::Verified.as_str()]),
        )
        .select(action_item_updates::item_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}
