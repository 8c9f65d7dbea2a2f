//! Email waiting to be sent. Messages are written in the transaction of the
//! event that causes them; workers claim them under a lease, so that any
//! number of workers send each message once, and one that dies mid-send
//! leaves its messages to be claimed again when the lease runs out.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{mail_opt_outs, outbox_messages};
use super::{now, DbConn};

pub use crate::domain::message::{Claimed, NewMessage};
pub use crate::domain::read::outbox::KINDS;

/// The kinds `user_id` has turned off.
pub fn opted_out(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<String>> {
    mail_opt_outs::table
        .filter(mail_opt_outs::user_id.eq(user_id))
        .select(mail_opt_outs::kind)
        .load(conn)
}

/// Turns `kind` off (or back on) for `user_id`.
pub fn set_opt_out(conn: &mut DbConn, user_id: i64, kind: &str, off: bool) -> QueryResult<()> {
    diesel::delete(
        mail_opt_outs::table
            .filter(mail_opt_outs::user_id.eq(user_id))
            .filter(mail_opt_outs::kind.eq(kind)),
    )
    .execute(conn)?;
    if off {
        diesel::insert_into(mail_opt_outs::table)
            .values((
                mail_opt_outs::user_id.eq(user_id),
                mail_opt_outs::kind.eq(kind),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Writes each of `messages` to the outbox (see [`enqueue`]); returns how
/// many were written.
pub fn enqueue_all(conn: &mut DbConn, messages: &[NewMessage]) -> QueryResult<usize> {
    let mut written = 0;
    for message in messages {
        written += usize::from(enqueue(conn, message)?);
    }
    Ok(written)
}

/// Writes `message` to the outbox; call it inside the event's transaction.
/// False when a message with the same dedupe key is already there, or when
/// the recipient has turned this kind of email off.
pub fn enqueue(conn: &mut DbConn, message: &NewMessage) -> QueryResult<bool> {
    if let Some(user_id) = message.recipient_id {
        let off: bool = diesel::select(diesel::dsl::exists(
            mail_opt_outs::table
                .filter(mail_opt_outs::user_id.eq(user_id))
                .filter(mail_opt_outs::kind.eq(&message.kind)),
        ))
        .get_result(conn)?;
        if off {
            return Ok(false);
        }
    }
    let at = now();
    let values = (
        outbox_messages::kind.eq(&message.kind),
        outbox_messages::recipient.eq(&message.recipient),
        outbox_messages::recipient_id.eq(message.recipient_id),
        outbox_messages::subject.eq(&message.subject),
        outbox_messages::text_body.eq(&message.text_body),
        outbox_messages::html_body.eq(&message.html_body),
        outbox_messages::dedupe_key.eq(message.dedupe_key.as_deref()),
        outbox_messages::list_unsubscribe.eq(message.list_unsubscribe.as_deref()),
        outbox_messages::next_attempt_at.eq(at),
        outbox_messages::created_at.eq(at),
    );
    // `ON CONFLICT DO NOTHING` needs the engine's own connection.
    let inserted = match conn {
        DbConn::Sqlite(c) => diesel::insert_into(outbox_messages::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Postgres(c) => diesel::insert_into(outbox_messages::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(inserted == 1)
}

/// A claimed row, as read.
type ClaimedRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i32,
    NaiveDateTime,
    Option<String>,
);

/// Takes up to `limit` messages that are due and not held by another
/// worker, and holds them for `lease`. On PostgreSQL rows another worker is
/// claiming are skipped (`FOR UPDATE SKIP LOCKED`); on SQLite claims happen
/// inside the single writer's transaction.
pub fn claim(conn: &mut DbConn, limit: i64, lease: Duration) -> QueryResult<Vec<Claimed>> {
    super::write_transaction(conn, |conn| {
        let at = now();
        let due = outbox_messages::table
            .filter(outbox_messages::status.eq("waiting"))
            .filter(outbox_messages::next_attempt_at.le(at))
            .filter(
                outbox_messages::lease_until
                    .is_null()
                    .or(outbox_messages::lease_until.lt(at)),
            )
            .order(outbox_messages::id.asc())
            .limit(limit)
            .select(outbox_messages::id);
        let ids: Vec<i64> = match conn {
            DbConn::Sqlite(c) => due.load(c)?,
            DbConn::Postgres(c) => due.for_update().skip_locked().load(c)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox_messages::table.filter(outbox_messages::id.eq_any(&ids)))
            .set(outbox_messages::lease_until.eq(at + lease))
            .execute(conn)?;
        outbox_messages::table
            .filter(outbox_messages::id.eq_any(&ids))
            .order(outbox_messages::id.asc())
            .select((
                outbox_messages::id,
                outbox_messages::kind,
                outbox_messages::recipient,
                outbox_messages::subject,
                outbox_messages::text_body,
                outbox_messages::html_body,
                outbox_messages::attempts,
                outbox_messages::created_at,
                outbox_messages::list_unsubscribe,
            ))
            .load::<ClaimedRow>(conn)
            .map(|rows| {
                rows.into_iter()
                    .map(|row| Claimed {
                        id: row.0,
                        kind: row.1,
                        recipient: row.2,
                        subject: row.3,
                        text_body: row.4,
                        html_body: row.5,
                        attempts: row.6,
                        created_at: row.7,
                        list_unsubscribe: row.8,
                    })
                    .collect()
            })
    })
}

/// The server took the message.
pub fn mark_sent(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(outbox_messages::table.find(id))
        .set((
            outbox_messages::status.eq("sent"),
            outbox_messages::sent_at.eq(now()),
            outbox_messages::lease_until.eq(None::<NaiveDateTime>),
            outbox_messages::attempts.eq(outbox_messages::attempts + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sending failed for now: try again at `next`.
pub fn mark_retry(conn: &mut DbConn, id: i64, next: NaiveDateTime, error: &str) -> QueryResult<()> {
    diesel::update(outbox_messages::table.find(id))
        .set((
            outbox_messages::next_attempt_at.eq(next),
            outbox_messages::lease_until.eq(None::<NaiveDateTime>),
            outbox_messages::attempts.eq(outbox_messages::attempts + 1),
            outbox_messages::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// The server refused the message for good, or retrying gave up.
pub fn mark_failed(conn: &mut DbConn, id: i64, error: &str) -> QueryResult<()> {
    diesel::update(outbox_messages::table.find(id))
        .set((
            outbox_messages::status.eq("failed"),
            outbox_messages::lease_until.eq(None::<NaiveDateTime>),
            outbox_messages::attempts.eq(outbox_messages::attempts + 1),
            outbox_messages::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts a failed message back in line, to be tried at once.
pub fn retry(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        outbox_messages::table
            .find(id)
            .filter(outbox_messages::status.eq("failed")),
    )
    .set((
        outbox_messages::status.eq("waiting"),
        outbox_messages::next_attempt_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub use crate::domain::read::outbox::Listed;

/// Messages in `statuses` (all when empty), newest first, at most `limit`.
pub fn list(conn: &mut DbConn, statuses: &[&str], limit: i64) -> QueryResult<Vec<Listed>> {
    let mut query = outbox_messages::table
        .into_boxed::<super::MultiBackend>()
        .order(outbox_messages::id.desc())
        .limit(limit);
    if !statuses.is_empty() {
        query = query.filter(outbox_messages::status.eq_any(statuses.to_vec()));
    }
    query
        .select((
            outbox_messages::id,
            outbox_messages::kind,
            outbox_messages::recipient,
            outbox_messages::subject,
            outbox_messages::status,
            outbox_messages::attempts,
            outbox_messages::next_attempt_at,
            outbox_messages::last_error,
            outbox_messages::created_at,
            outbox_messages::sent_at,
        ))
        .load::<ListedRow>(conn)
        .map(|rows| rows.into_iter().map(listed).collect())
}

type ListedRow = (
    i64,
    String,
    String,
    String,
    String,
    i32,
    NaiveDateTime,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn listed(row: ListedRow) -> Listed {
    let (
        id,
        kind,
        recipient,
        subject,
        status,
        attempts,
        next_attempt_at,
        last_error,
        created_at,
        sent_at,
    ) = row;
    Listed {
        id,
        kind,
        recipient,
        subject,
        status,
        attempts,
        next_attempt_at,
        last_error,
        created_at,
        sent_at,
    }
}
