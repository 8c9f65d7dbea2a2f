//! Secret calendar links: one per person, stored as a digest.

use diesel::prelude::*;

use super::accounts::{self, Account};
use super::schema::{calendar_feeds, users};
use super::{now, DbConn};

/// Replaces the person's calendar link (the old one stops working).
pub fn set(conn: &mut DbConn, user_id: i64, digest: &str) -> QueryResult<()> {
    super::write_transaction(conn, |conn| {
        diesel::delete(calendar_feeds::table.filter(calendar_feeds::user_id.eq(user_id)))
            .execute(conn)?;
        diesel::insert_into(calendar_feeds::table)
            .values((
                calendar_feeds::user_id.eq(user_id),
                calendar_feeds::token_hash.eq(digest),
                calendar_feeds::created_at.eq(now()),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Whether the person has a calendar link.
pub fn exists(conn: &mut DbConn, user_id: i64) -> QueryResult<bool> {
    let count: i64 = calendar_feeds::table
        .filter(calendar_feeds::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// The active person a link belongs to.
pub fn owner(conn: &mut DbConn, digest: &str) -> QueryResult<Option<Account>> {
    let user_id = calendar_feeds::table
        .inner_join(users::table)
        .filter(calendar_feeds::token_hash.eq(digest))
        .filter(users::active.eq(true))
        .select(calendar_feeds::user_id)
        .first::<i64>(conn)
        .optional()?;
    user_id.map(|id| accounts::find(conn, id)).transpose()
}
