//! Schools: the district's campuses.

use diesel::prelude::*;

use super::schema::schools;
use super::{lower, now, DbConn, WriteError};
use crate::domain::paging::{like_pattern, Page, PageRequest};
use crate::domain::school::{NewSchool, School, SchoolLevel};
use crate::domain::user::Link;

#[derive(Queryable, Selectable)]
#[diesel(table_name = schools)]
struct Row {
    id: i64,
    name: String,
    code: String,
    level: String,
    program: String,
    active: bool,
}

impl From<Row> for School {
    fn from(row: Row) -> Self {
        School {
            id: row.id,
            name: row.name,
            code: row.code,
            // The column's CHECK constraint admits only the four levels.
            level: row.level.parse().unwrap_or(SchoolLevel::Other),
            program: row.program,
            active: row.active,
        }
    }
}

/// Which schools a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the name or code, any case.
    pub search: Option<String>,
    pub include_inactive: bool,
}

fn filtered(filter: &Filter) -> schools::BoxedQuery<'static, super::MultiBackend> {
    let mut query = schools::table.into_boxed();
    if let Some(term) = filter.search.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = like_pattern(term);
        query = query.filter(
            lower(schools::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(schools::code).like(pattern).escape('\\')),
        );
    }
    if !filter.include_inactive {
        query = query.filter(schools::active.eq(true));
    }
    query
}

/// One page of schools in name order.
pub fn list(conn: &mut DbConn, filter: &Filter, page: PageRequest) -> QueryResult<Page<School>> {
    let total = filtered(filter).count().get_result(conn)?;
    let items = filtered(filter)
        .select(Row::as_select())
        .order((schools::name.asc(), schools::id.asc()))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?
        .into_iter()
        .map(School::from)
        .collect();
    Ok(Page {
        items,
        request: page,
        total,
    })
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<School> {
    schools::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .map(School::from)
}

pub fn find_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<School>> {
    schools::table
        .filter(schools::code.eq(code))
        .select(Row::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(School::from))
}

/// Every active school as a choice for a select box.
pub fn choices(conn: &mut DbConn) -> QueryResult<Vec<Link>> {
    schools::table
        .filter(schools::active.eq(true))
        .order(schools::name.asc())
        .select((schools::id, schools::name))
        .load::<(i64, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, name)| Link { id, name })
                .collect()
        })
}

fn code_taken() -> WriteError {
    WriteError::conflict("code", "Another school already uses this code.")
}

/// Stores a new school; a code already in use is reported on the field.
pub fn insert(conn: &mut DbConn, school: &NewSchool) -> Result<i64, WriteError> {
    let at = now();
    diesel::insert_into(schools::table)
        .values((
            schools::name.eq(school.name.as_str()),
            schools::code.eq(school.code.as_str()),
            schools::level.eq(school.level.as_str()),
            schools::program.eq(&school.program),
            schools::active.eq(school.active),
            schools::created_at.eq(at),
            schools::updated_at.eq(at),
        ))
        .execute(conn)
        .map_err(|e| {
            if super::is_unique_violation(&e) {
                code_taken()
            } else {
                e.into()
            }
        })?;
    Ok(schools::table
        .filter(schools::code.eq(school.code.as_str()))
        .select(schools::id)
        .first(conn)?)
}

/// Replaces a school's fields; `NotFound` when there is no such school.
pub fn update(conn: &mut DbConn, id: i64, school: &NewSchool) -> Result<(), WriteError> {
    let changed = diesel::update(schools::table.find(id))
        .set((
            schools::name.eq(school.name.as_str()),
            schools::code.eq(school.code.as_str()),
            schools::level.eq(school.level.as_str()),
            schools::program.eq(&school.program),
            schools::active.eq(school.active),
            schools::updated_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| {
            if super::is_unique_violation(&e) {
                code_taken()
            } else {
                e.into()
            }
        })?;
    if changed == 0 {
        return Err(diesel::result::Error::NotFound.into());
    }
    Ok(())
}

/// Deactivates or reactivates a school. Deactivated schools keep their
/// history but drop out of lists and choices.
pub fn set_active(conn: &mut DbConn, id: i64, active: bool) -> QueryResult<()> {
    let changed = diesel::update(schools::table.find(id))
        .set((schools::active.eq(active), schools::updated_at.eq(now())))
        .execute(conn)?;
    if changed == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}

/// How many schools are active.
pub fn count_active(conn: &mut DbConn) -> QueryResult<i64> {
    schools::table
        .filter(schools::active.eq(true))
        .count()
        .get_result(conn)
}

/// How many schools there are, active or not.
pub fn count_all(conn: &mut DbConn) -> QueryResult<i64> {
    schools::table.count().get_result(conn)
}

/// What deleting a campus removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    pub visits: usize,
    pub observations: usize,
    pub items: usize,
}

impl std::fmt::Display for Deleted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} visits, {} observations, {} action items",
            self.visits, self.observations, self.items
        )
    }
}

/// Deletes a campus and every record of it — its visits with their teams,
/// agendas, observations, ticks, debriefs and roll-ups, its action items
/// with their updates and checks — in one transaction. People who belonged
/// to it stay, without a campus. The caller records it in the audit log in
/// the same transaction.
pub fn delete_campus(conn: &mut DbConn, id: i64) -> Result<Deleted, WriteError> {
    use super::raw::{execute, Param};
    let school = [Param::Int(id)];
    let of_visits = "IN (SELECT id FROM visits WHERE school_id = ?)";
    let mut deleted = Deleted::default();
    execute(
        conn,
        &format!(
            "DELETE FROM action_item_checks WHERE visit_id {of_visits} \
             OR item_id IN (SELECT id FROM action_items WHERE school_id = ?)"
        ),
        &[Param::Int(id), Param::Int(id)],
    )?;
    deleted.items = execute(
        conn,
        "DELETE FROM action_items WHERE school_id = ?",
        &school,
    )?;
    execute(
        conn,
        &format!("DELETE FROM visit_look_for_rollups WHERE visit_id {of_visits}"),
        &school,
    )?;
    deleted.observations = execute(
        conn,
        &format!("DELETE FROM observations WHERE visit_id {of_visits}"),
        &school,
    )?;
    execute(
        conn,
        &format!("DELETE FROM problems_of_practice WHERE visit_id {of_visits}"),
        &school,
    )?;
    execute(
        conn,
        &format!("DELETE FROM debriefs WHERE visit_id {of_visits}"),
        &school,
    )?;
    deleted.visits = execute(conn, "DELETE FROM visits WHERE school_id = ?", &school)?;
    diesel::update(super::schema::users::table.filter(super::schema::users::school_id.eq(id)))
        .set((
            super::schema::users::school_id.eq(None::<i64>),
            super::schema::users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if diesel::delete(schools::table.find(id)).execute(conn)? == 0 {
        return Err(diesel::result::Error::NotFound.into());
    }
    Ok(deleted)
}
