//! Failed sign-ins, counted per account and per client address.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::sign_in_failures;
use super::{now, DbConn};

/// What a failure is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Account,
    Address,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
        }
    }
}

/// Failures since `since`: how many, and when the last was.
pub fn recent(
    conn: &mut DbConn,
    scope: Scope,
    key: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    sign_in_failures::table
        .filter(sign_in_failures::scope.eq(scope.as_str()))
        .filter(sign_in_failures::key.eq(key))
        .filter(sign_in_failures::at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(sign_in_failures::at),
        ))
        .first(conn)
}

pub fn record(conn: &mut DbConn, scope: Scope, key: &str) -> QueryResult<()> {
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::scope.eq(scope.as_str()),
            sign_in_failures::key.eq(key),
            sign_in_failures::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets an account's failures after it signs in.
pub fn clear(conn: &mut DbConn, scope: Scope, key: &str) -> QueryResult<()> {
    diesel::delete(
        sign_in_failures::table
            .filter(sign_in_failures::scope.eq(scope.as_str()))
            .filter(sign_in_failures::key.eq(key)),
    )
    .execute(conn)?;
    Ok(())
}

/// Drops failures older than `before`; they no longer count.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::at.lt(before))).execute(conn)
}
