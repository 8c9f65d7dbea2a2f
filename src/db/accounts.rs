//! What signing in needs: password hashes, roles, session epochs, API tokens.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{api_tokens, user_roles, users};
use super::{now, DbConn};
use crate::domain::account::Role;

pub use crate::domain::read::accounts::Account;

type AccountRow = (i64, String, String, bool, Option<i64>, Option<i64>, i64);

macro_rules! account_columns {
    () => {
        (
            users::id,
            users::name,
            users::email,
            users::active,
            users::school_id,
            users::department_id,
            users::session_epoch,
        )
    };
}

/// An account from its rows joined with its roles (one row per role, or one
/// row without a role): one query where the roles would need a second.
fn folded(rows: Vec<(AccountRow, Option<String>)>) -> Option<Account> {
    let mut rows = rows.into_iter();
    let (row, role) = rows.next()?;
    let (id, name, email, active, school_id, department_id, session_epoch) = row;
    // The column's CHECK constraint admits only known roles.
    let roles = std::iter::once(role)
        .chain(rows.map(|(_, role)| role))
        .flatten()
        .filter_map(|r| r.parse().ok())
        .collect();
    Some(Account {
        id,
        name,
        email,
        active,
        school_id,
        department_id,
        session_epoch,
        roles,
    })
}

pub fn roles_of(conn: &mut DbConn, user_id: i64) -> QueryResult<BTreeSet<Role>> {
    let names: Vec<String> = user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .select(user_roles::role)
        .load(conn)?;
    // The column's CHECK constraint admits only known roles.
    Ok(names.iter().filter_map(|n| n.parse().ok()).collect())
}

pub fn find(conn: &mut DbConn, user_id: i64) -> QueryResult<Account> {
    let rows = users::table
        .left_join(user_roles::table)
        .filter(users::id.eq(user_id))
        .select((account_columns!(), user_roles::role.nullable()))
        .load::<(AccountRow, Option<String>)>(conn)?;
    folded(rows).ok_or(diesel::result::Error::NotFound)
}

/// The account with this email and its password hash, for signing in.
pub fn for_sign_in(
    conn: &mut DbConn,
    email: &str,
) -> QueryResult<Option<(Account, Option<String>)>> {
    let rows = users::table
        .left_join(user_roles::table)
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select((
            (account_columns!(), user_roles::role.nullable()),
            users::password_hash,
        ))
        .load::<((AccountRow, Option<String>), Option<String>)>(conn)?;
    let hash = rows.first().and_then(|(_, hash)| hash.clone());
    Ok(folded(rows.into_iter().map(|(row, _)| row).collect()).map(|account| (account, hash)))
}

/// The account single sign-on names: the one linked to `subject`, else the
/// one with `email` (when the provider verified it), with the subject it is
/// linked to, if any.
pub fn for_sso(
    conn: &mut DbConn,
    subject: &str,
    email: Option<&str>,
) -> QueryResult<Option<(Account, Option<String>)>> {
    let by_subject: Vec<i64> = users::table
        .filter(users::sso_subject.eq(subject))
        .select(users::id)
        .load(conn)?;
    let id = match (by_subject.first(), email) {
        (Some(id), _) => Some(*id),
        (None, Some(email)) => users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .select(users::id)
            .first::<i64>(conn)
            .optional()?,
        (None, None) => None,
    };
    let Some(id) = id else {
        return Ok(None);
    };
    let rows = users::table
        .left_join(user_roles::table)
        .filter(users::id.eq(id))
        .select((
            (account_columns!(), user_roles::role.nullable()),
            users::sso_subject,
        ))
        .load::<((AccountRow, Option<String>), Option<String>)>(conn)?;
    let linked = rows.first().and_then(|(_, s)| s.clone());
    Ok(folded(rows.into_iter().map(|(row, _)| row).collect()).map(|account| (account, linked)))
}

/// Links account `user_id` to its subject at the district's provider.
pub fn link_sso(conn: &mut DbConn, user_id: i64, subject: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::sso_subject.eq(subject),
            users::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces a user's roles; returns the roles before, for the audit log.
pub fn set_roles(
    conn: &mut DbConn,
    user_id: i64,
    roles: &BTreeSet<Role>,
) -> QueryResult<BTreeSet<Role>> {
    super::write_transaction(conn, |conn| {
        let before = roles_of(conn, user_id)?;
        diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
        for role in roles {
            diesel::insert_into(user_roles::table)
                .values((
                    user_roles::user_id.eq(user_id),
                    user_roles::role.eq(role.as_str()),
                ))
                .execute(conn)?;
        }
        Ok(before)
    })
}

/// Stores a new password hash and ends every session of the user.
pub fn set_password_hash(conn: &mut DbConn, user_id: i64, hash: &str) -> QueryResult<()> {
    let changed = diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::session_epoch.eq(users::session_epoch + 1),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}

/// Ends session `sid` of `user_id` for good: a cookie of it kept from
/// before no longer signs anyone in. Ended sessions older than `forget_after`
/// (the longest a session lives) are forgotten, since no cookie of theirs is
/// honoured any more.
pub fn end_session(
    conn: &mut DbConn,
    user_id: i64,
    sid: &str,
    forget_after: chrono::Duration,
) -> QueryResult<()> {
    use super::schema::ended_sessions;
    let at = now();
    diesel::delete(ended_sessions::table.filter(ended_sessions::ended_at.lt(at - forget_after)))
        .execute(conn)?;
    let ended = ended_sessions::table
        .find(sid)
        .count()
        .get_result::<i64>(conn)?;
    if ended == 0 {
        diesel::insert_into(ended_sessions::table)
            .values((
                ended_sessions::sid.eq(sid),
                ended_sessions::user_id.eq(user_id),
                ended_sessions::ended_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether session `sid` was signed out.
pub fn session_ended(conn: &mut DbConn, sid: &str) -> QueryResult<bool> {
    use super::schema::ended_sessions;
    diesel::select(diesel::dsl::exists(ended_sessions::table.find(sid))).get_result(conn)
}

/// Takes away every standing way in of a person who is deactivated: their
/// API tokens are revoked and their calendar link deleted, so that
/// reactivating them later brings none of it back (they make new ones).
pub fn revoke_standing_access(conn: &mut DbConn, user_id: i64) -> QueryResult<()> {
    use super::schema::calendar_feeds;
    diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    diesel::delete(calendar_feeds::table.filter(calendar_feeds::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of the user at once.
pub fn end_sessions(conn: &mut DbConn, user_id: i64) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .execute(conn)?;
    Ok(())
}

pub use crate::domain::read::accounts::ApiToken;

pub fn insert_token(conn: &mut DbConn, user_id: i64, name: &str, digest: &str) -> QueryResult<i64> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(digest),
            api_tokens::created_at.eq(now()),
        ))
        .execute(conn)?;
    api_tokens::table
        .filter(api_tokens::token_hash.eq(digest))
        .select(api_tokens::id)
        .first(conn)
}

pub fn tokens_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id.desc())
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::created_at,
            api_tokens::last_used_at,
            api_tokens::revoked_at,
        ))
        .load::<(
            i64,
            String,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        )>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(
                    |(id, name, created_at, last_used_at, revoked_at)| ApiToken {
                        id,
                        name,
                        created_at,
                        last_used_at,
                        revoked_at,
                    },
                )
                .collect()
        })
}

/// Revokes one of the user's own tokens; `NotFound` for anyone else's.
pub fn revoke_token(conn: &mut DbConn, user_id: i64, token_id: i64) -> QueryResult<()> {
    let changed = diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(token_id))
            .filter(api_tokens::user_id.eq(user_id)),
    )
    .set(api_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    if changed == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}

/// The active account a live token belongs to, and the token's id.
pub fn by_token(conn: &mut DbConn, digest: &str) -> QueryResult<Option<(i64, Account)>> {
    let rows = api_tokens::table
        .inner_join(users::table.left_join(user_roles::table))
        .filter(api_tokens::token_hash.eq(digest))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::active.eq(true))
        .select((
            (api_tokens::id, api_tokens::last_used_at),
            (account_columns!(), user_roles::role.nullable()),
        ))
        .load::<((i64, Option<NaiveDateTime>), (AccountRow, Option<String>))>(conn)?;
    let Some(&(token_id, last_used_at)) = rows.first().map(|(token, _)| token) else {
        return Ok(None);
    };
    let Some(account) = folded(rows.into_iter().map(|(_, row)| row).collect()) else {
        return Ok(None);
    };
    // Worth a write at most once a minute per token: most requests only read.
    let at = now();
    if last_used_at.is_none_or(|last| at - last > chrono::Duration::minutes(1)) {
        diesel::update(api_tokens::table.find(token_id))
            .set(api_tokens::last_used_at.eq(at))
            .execute(conn)?;
    }
    Ok(Some((token_id, account)))
}
