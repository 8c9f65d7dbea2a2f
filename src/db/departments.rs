//! Central-office departments.

use diesel::prelude::*;

use super::schema::departments;
use super::{lower, now, DbConn, WriteError};
use crate::domain::department::{Department, NewDepartment};
use crate::domain::paging::{Page, PageRequest};
use crate::domain::user::Link;

#[derive(Queryable, Selectable)]
#[diesel(table_name = departments)]
struct Row {
    id: i64,
    name: String,
    contact_email: Option<String>,
    active: bool,
}

impl From<Row> for Department {
    fn from(row: Row) -> Self {
        Department {
            id: row.id,
            name: row.name,
            contact_email: row.contact_email,
            active: row.active,
        }
    }
}

/// One page of departments in name order.
pub fn list(
    conn: &mut DbConn,
    include_inactive: bool,
    page: PageRequest,
) -> QueryResult<Page<Department>> {
    let filtered = || {
        let mut query = departments::table.into_boxed();
        if !include_inactive {
            query = query.filter(departments::active.eq(true));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .select(Row::as_select())
        .order((departments::name.asc(), departments::id.asc()))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?
        .into_iter()
        .map(Department::from)
        .collect();
    Ok(Page {
        items,
        request: page,
        total,
    })
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Department> {
    departments::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .map(Department::from)
}

/// The department with this name, in any case.
pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<Department>> {
    departments::table
        .filter(lower(departments::name).eq(name.trim().to_lowercase()))
        .select(Row::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(Department::from))
}

/// Every active department as a choice for a select box.
pub fn choices(conn: &mut DbConn) -> QueryResult<Vec<Link>> {
    departments::table
        .filter(departments::active.eq(true))
        .order(departments::name.asc())
        .select((departments::id, departments::name))
        .load::<(i64, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, name)| Link { id, name })
                .collect()
        })
}

fn name_taken() -> WriteError {
    WriteError::conflict("name", "Another department already has this name.")
}

/// Whether another department (not `except`) has this name in any case.
fn name_in_use(conn: &mut DbConn, name: &str, except: Option<i64>) -> QueryResult<bool> {
    Ok(find_by_name(conn, name)?.is_some_and(|d| Some(d.id) != except))
}

pub fn insert(conn: &mut DbConn, department: &NewDepartment) -> Result<i64, WriteError> {
    super::write_transaction(conn, |conn| {
        if name_in_use(conn, department.name.as_str(), None)? {
            return Err(name_taken());
        }
        let at = now();
        diesel::insert_into(departments::table)
            .values((
                departments::name.eq(department.name.as_str()),
                departments::contact_email
                    .eq(department.contact_email.as_ref().map(|e| e.as_str())),
                departments::active.eq(department.active),
                departments::created_at.eq(at),
                departments::updated_at.eq(at),
            ))
            .execute(conn)
            .map_err(|e| {
                if super::is_unique_violation(&e) {
                    name_taken()
                } else {
                    e.into()
                }
            })?;
        Ok(departments::table
            .filter(departments::name.eq(department.name.as_str()))
            .select(departments::id)
            .first(conn)?)
    })
}

pub fn update(conn: &mut DbConn, id: i64, department: &NewDepartment) -> Result<(), WriteError> {
    super::write_transaction(conn, |conn| {
        if name_in_use(conn, department.name.as_str(), Some(id))? {
            return Err(name_taken());
        }
        let changed = diesel::update(departments::table.find(id))
            .set((
                departments::name.eq(department.name.as_str()),
                departments::contact_email
                    .eq(department.contact_email.as_ref().map(|e| e.as_str())),
                departments::active.eq(department.active),
                departments::updated_at.eq(now()),
            ))
            .execute(conn)
            .map_err(|e| {
                if super::is_unique_violation(&e) {
                    name_taken()
                } else {
                    e.into()
                }
            })?;
        if changed == 0 {
            return Err(diesel::result::Error::NotFound.into());
        }
        Ok(())
    })
}

pub fn set_active(conn: &mut DbConn, id: i64, active: bool) -> QueryResult<()> {
    let changed = diesel::update(departments::table.find(id))
        .set((
            departments::active.eq(active),
            departments::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}

/// How many departments are active.
pub fn count_active(conn: &mut DbConn) -> QueryResult<i64> {
    departments::table
        .filter(departments::active.eq(true))
        .count()
        .get_result(conn)
}

/// How many departments there are, active or not.
pub fn count_all(conn: &mut DbConn) -> QueryResult<i64> {
    departments::table.count().get_result(conn)
}
