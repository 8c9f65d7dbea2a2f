//! Invitations to set a password: only the digest of each link's token.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{invitations, users};
use super::{now, DbConn, QueryResult};
use crate::domain::invitation::{expires, Invitation, State};

/// Stores a new invitation for `user_id`, sent now; returns its id.
pub fn insert(
    conn: &mut DbConn,
    user_id: i64,
    digest: &str,
    invited_by: Option<i64>,
) -> QueryResult<i64> {
    let sent = now();
    diesel::insert_into(invitations::table)
        .values((
            invitations::user_id.eq(user_id),
            invitations::token_hash.eq(digest),
            invitations::invited_by.eq(invited_by),
            invitations::created_at.eq(sent),
            invitations::expires_at.eq(expires(sent)),
        ))
        .execute(conn)?;
    invitations::table
        .filter(invitations::token_hash.eq(digest))
        .select(invitations::id)
        .first(conn)
}

type Row = (
    i64,
    i64,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn columns() -> (
    invitations::id,
    invitations::user_id,
    invitations::created_at,
    invitations::expires_at,
    invitations::spent_at,
    invitations::revoked_at,
) {
    (
        invitations::id,
        invitations::user_id,
        invitations::created_at,
        invitations::expires_at,
        invitations::spent_at,
        invitations::revoked_at,
    )
}

fn invitation(row: Row, at: NaiveDateTime) -> Invitation {
    let (id, user_id, created_at, expires_at, spent_at, revoked_at) = row;
    Invitation {
        id,
        user_id,
        created_at,
        expires_at,
        state: State::of(expires_at, spent_at, revoked_at, at),
    }
}

/// The invitation a presented token's digest opens, when it still works
/// and its person is active.
pub fn usable(conn: &mut DbConn, digest: &str) -> QueryResult<Option<Invitation>> {
    let row: Option<Row> = invitations::table
        .inner_join(users::table.on(users::id.eq(invitations::user_id)))
        .filter(invitations::token_hash.eq(digest))
        .filter(users::active.eq(true))
        .select(columns())
        .first(conn)
        .optional()?;
    let at = now();
    Ok(row
        .map(|row| invitation(row, at))
        .filter(|found| found.state.usable()))
}

/// Marks invitation `id` used; false when it was no longer open (two tabs,
/// one link).
pub fn spend(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    let at = now();
    let changed = diesel::update(
        invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::spent_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(at)),
    )
    .set(invitations::spent_at.eq(at))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Revokes every open invitation of `user_id`; returns how many.
pub fn revoke_open(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    let at = now();
    diesel::update(
        invitations::table
            .filter(invitations::user_id.eq(user_id))
            .filter(invitations::spent_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(at)),
    )
    .set(invitations::revoked_at.eq(at))
    .execute(conn)
}

/// The last invitation sent to each of `user_ids` that has one.
pub fn latest_for(conn: &mut DbConn, user_ids: &[i64]) -> QueryResult<HashMap<i64, Invitation>> {
    let rows: Vec<Row> = invitations::table
        .filter(invitations::user_id.eq_any(user_ids))
        .order(invitations::id.asc())
        .select(columns())
        .load(conn)?;
    let at = now();
    // Ordered by id, so the last one written for a person wins.
    Ok(rows
        .into_iter()
        .map(|row| (row.1, invitation(row, at)))
        .collect())
}
