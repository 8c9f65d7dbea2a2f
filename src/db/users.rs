//! People and the school or department they belong to.

use diesel::prelude::*;

use super::schema::{departments, schools, users};
use super::{lower, now, DbConn, WriteError};
use crate::domain::paging::{like_pattern, Page, PageRequest};
use crate::domain::user::{Link, NewUser, User};

type Joined = (
    (i64, String, String, bool),
    Option<(i64, String)>,
    Option<(i64, String)>,
);

fn to_user(((id, name, email, active), school, department): Joined) -> User {
    let link = |(id, name)| Link { id, name };
    User {
        id,
        name,
        email,
        active,
        school: school.map(link),
        department: department.map(link),
    }
}

macro_rules! joined {
    () => {
        users::table
            .left_join(schools::table)
            .left_join(departments::table)
            .select((
                (users::id, users::name, users::email, users::active),
                (schools::id, schools::name).nullable(),
                (departments::id, departments::name).nullable(),
            ))
    };
}

/// Which users a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the name or email, any case.
    pub search: Option<String>,
    pub include_inactive: bool,
}

/// One page of users in name order.
pub fn list(conn: &mut DbConn, filter: &Filter, page: PageRequest) -> QueryResult<Page<User>> {
    let pattern = filter
        .search
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(like_pattern);
    let filtered = || {
        let mut query = users::table.into_boxed();
        if let Some(pattern) = &pattern {
            query = query.filter(
                lower(users::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(users::email.like(pattern.clone()).escape('\\')),
            );
        }
        if !filter.include_inactive {
            query = query.filter(users::active.eq(true));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let ids: Vec<i64> = filtered()
        .select(users::id)
        .order((users::name.asc(), users::id.asc()))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let items = joined!()
        .filter(users::id.eq_any(&ids))
        .order((users::name.asc(), users::id.asc()))
        .load::<Joined>(conn)?
        .into_iter()
        .map(to_user)
        .collect();
    Ok(Page {
        items,
        request: page,
        total,
    })
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<User> {
    joined!()
        .filter(users::id.eq(id))
        .first::<Joined>(conn)
        .map(to_user)
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    joined!()
        .filter(users::email.eq(email.trim().to_lowercase()))
        .first::<Joined>(conn)
        .optional()
        .map(|row| row.map(to_user))
}

fn email_taken() -> WriteError {
    WriteError::conflict("email", "Another person already uses this email address.")
}

/// The school and department a user is linked to must exist.
fn check_links(conn: &mut DbConn, user: &NewUser) -> Result<(), WriteError> {
    if let Some(id) = user.school_id {
        let found: i64 = schools::table
            .filter(schools::id.eq(id))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(WriteError::conflict(
                "school_id",
                "Choose a school from the list.",
            ));
        }
    }
    if let Some(id) = user.department_id {
        let found: i64 = departments::table
            .filter(departments::id.eq(id))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(WriteError::conflict(
                "department_id",
                "Choose a department from the list.",
            ));
        }
    }
    Ok(())
}

pub fn insert(conn: &mut DbConn, user: &NewUser) -> Result<i64, WriteError> {
    super::write_transaction(conn, |conn| {
        check_links(conn, user)?;
        let at = now();
        diesel::insert_into(users::table)
            .values((
                users::name.eq(user.name.as_str()),
                users::email.eq(user.email.as_str()),
                users::active.eq(user.active),
                users::school_id.eq(user.school_id),
                users::department_id.eq(user.department_id),
                users::created_at.eq(at),
                users::updated_at.eq(at),
            ))
            .execute(conn)
            .map_err(|e| {
                if super::is_unique_violation(&e) {
                    email_taken()
                } else {
                    e.into()
                }
            })?;
        Ok(users::table
            .filter(users::email.eq(user.email.as_str()))
            .select(users::id)
            .first(conn)?)
    })
}

pub fn update(conn: &mut DbConn, id: i64, user: &NewUser) -> Result<(), WriteError> {
    super::write_transaction(conn, |conn| {
        check_links(conn, user)?;
        let changed = diesel::update(users::table.find(id))
            .set((
                users::name.eq(user.name.as_str()),
                users::email.eq(user.email.as_str()),
                users::active.eq(user.active),
                users::school_id.eq(user.school_id),
                users::department_id.eq(user.department_id),
                users::session_epoch.eq(users::session_epoch + if user.active { 0 } else { 1 }),
                users::updated_at.eq(now()),
            ))
            .execute(conn)
            .map_err(|e| {
                if super::is_unique_violation(&e) {
                    email_taken()
                } else {
                    e.into()
                }
            })?;
        if changed == 0 {
            return Err(diesel::result::Error::NotFound.into());
        }
        if !user.active {
            super::accounts::revoke_standing_access(conn, id)?;
        }
        Ok(())
    })
}

/// Deactivating a user also ends all their sessions.
pub fn set_active(conn: &mut DbConn, id: i64, active: bool) -> QueryResult<()> {
    super::write_transaction(conn, |conn| {
        let epoch_step = if active { 0 } else { 1 };
        let changed = diesel::update(users::table.find(id))
            .set((
                users::active.eq(active),
                users::session_epoch.eq(users::session_epoch + epoch_step),
                users::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(diesel::result::Error::NotFound);
        }
        if !active {
            super::accounts::revoke_standing_access(conn, id)?;
        }
        Ok(())
    })
}

/// How many users are active.
pub fn count_active(conn: &mut DbConn) -> QueryResult<i64> {
    users::table
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

/// How many users there are, active or not.
pub fn count_all(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub use crate::domain::message::Recipient;

/// The active people holding `role`, at a school or in a department when
/// given, in the order they were added.
pub fn holding(
    conn: &mut DbConn,
    role: crate::domain::account::Role,
    school_id: Option<i64>,
    department_id: Option<i64>,
) -> QueryResult<Vec<Recipient>> {
    use super::schema::user_roles;
    let mut query = users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq(role.as_str()))
        .filter(users::active.eq(true))
        .into_boxed::<super::MultiBackend>();
    if let Some(school_id) = school_id {
        query = query.filter(users::school_id.eq(school_id));
    }
    if let Some(department_id) = department_id {
        query = query.filter(users::department_id.eq(department_id));
    }
    Ok(query
        .order(users::id)
        .select((users::id, users::name, users::email))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, email)| Recipient { id, name, email })
        .collect())
}

/// An active person, as a recipient.
pub fn active_contact(conn: &mut DbConn, id: i64) -> QueryResult<Option<Recipient>> {
    Ok(users::table
        .find(id)
        .filter(users::active.eq(true))
        .select((users::id, users::name, users::email))
        .first::<(i64, String, String)>(conn)
        .optional()?
        .map(|(id, name, email)| Recipient { id, name, email }))
}

/// An active person holding `role` with where they work: the audience of
/// a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub contact: Recipient,
    pub school_id: Option<i64>,
    pub department_id: Option<i64>,
}

/// Every active person holding `role`, with their school and department.
pub fn holders(conn: &mut DbConn, role: crate::domain::account::Role) -> QueryResult<Vec<Holder>> {
    use super::schema::user_roles;
    type Row = (i64, String, String, Option<i64>, Option<i64>);
    let rows: Vec<Row> = users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq(role.as_str()))
        .filter(users::active.eq(true))
        .order(users::id)
        .select((
            users::id,
            users::name,
            users::email,
            users::school_id,
            users::department_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email, school_id, department_id)| Holder {
            contact: Recipient { id, name, email },
            school_id,
            department_id,
        })
        .collect())
}

/// An active account's session epoch, which a password-reset link is
/// signed with (so a spent link, or one from before a sign-out everywhere,
/// no longer matches).
pub fn active_epoch(conn: &mut DbConn, id: i64) -> QueryResult<Option<i64>> {
    users::table
        .find(id)
        .filter(users::active.eq(true))
        .select(users::session_epoch)
        .first::<i64>(conn)
        .optional()
}

/// The active account with `email`: its id, name and session epoch.
pub fn active_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<(i64, String, i64)>> {
    users::table
        .filter(users::email.eq(email))
        .filter(users::active.eq(true))
        .select((users::id, users::name, users::session_epoch))
        .first::<(i64, String, i64)>(conn)
        .optional()
}

/// The active people of department `department_id`, in name order: who may
/// facilitate its sessions.
pub fn department_staff(conn: &mut DbConn, department_id: i64) -> QueryResult<Vec<Link>> {
    Ok(users::table
        .filter(users::department_id.eq(department_id))
        .filter(users::active.eq(true))
        .order(users::name.asc())
        .select((users::id, users::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, name)| Link { id, name })
        .collect())
}
