//! Action items: generating proposals, reviewing them (add, merge, change),
//! publishing the visit, following items up and checking them at the next
//! visit.

use super::Actor;
use crate::db::action_items::{Change, Changed, Draft, Generated, Item};
use crate::db::{self, DbConn, WriteError};
use crate::domain::action_item::Check;

/// Proposes items from the visit's evidence (see `db::action_items::generate`).
pub fn generate(conn: &mut DbConn, actor: &Actor, visit_id: i64) -> Result<Generated, WriteError> {
    db::write_transaction(conn, |conn| {
        let outcome = db::action_items::generate(conn, visit_id, actor.id)?;
        let event = actor.event("action_items.generated").on("visit", visit_id);
        actor.record(
            conn,
            event.detail(format!(
                "{} added, {} refreshed, {} kept",
                outcome.added, outcome.refreshed, outcome.kept
            )),
        )?;
        Ok(outcome)
    })
}

/// Adds an item by hand to a visit in review. What the person left blank
/// gets the defaults a proposal would have: the department's head or the
/// school's leader as owner, and the district's due date for its kind.
pub fn add(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    draft: &Draft,
) -> Result<i64, WriteError> {
    if let Some(Err(message)) = draft.due_on.map(crate::domain::fields::calendar_day) {
        return Err(WriteError::field("due_on", message));
    }
    let longest = crate::domain::action_item::EVIDENCE_MAX;
    if draft.evidence.trim().chars().count() > longest {
        return Err(WriteError::field(
            "evidence",
            format!("Use at most {longest} characters."),
        ));
    }
    db::write_transaction(conn, |conn| {
        let id = db::action_items::add(conn, visit_id, draft, actor.id)?;
        actor.record(conn, actor.event("action_item.added").on("action_item", id))?;
        Ok(id)
    })
}

/// Merges proposal `from` into proposal `into`, both of visit `visit_id`.
pub fn merge(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    into: i64,
    from: i64,
) -> Result<(), WriteError> {
    db::write_transaction(conn, |conn| {
        db::action_items::merge(conn, visit_id, into, from, actor.id)?;
        let event = actor.event("action_item.merged").on("action_item", into);
        actor.record(conn, event.detail(format!("from {from}")))?;
        Ok(())
    })
}

/// Publishes visit `visit_id`: its proposals open, the visit becomes
/// published, and the summaries and assignments go into the outbox — all
/// or nothing. Returns how many items opened.
pub fn publish(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    base_url: &str,
) -> Result<usize, WriteError> {
    db::write_transaction(conn, |conn| {
        db::visits::find_visible(conn, &actor.viewer, visit_id)?;
        let opened = db::action_items::publish(conn, visit_id, actor.id)?;
        let summary = db::mailing::visit_summary(conn, visit_id)?;
        let messages = crate::mail::messages::visit_summary(&summary, base_url);
        db::outbox::enqueue_all(conn, &messages)?;
        let event = actor.event("visit.published").on("visit", visit_id);
        actor.record(conn, event.detail(format!("{opened} items opened")))?;
        Ok(opened)
    })
}

/// Changes item `item_id` if `change.version` is still its version. A
/// published item that becomes someone else's is announced to them.
/// `newly_owned` is that person, decided by the caller from what they saw.
pub fn change(
    conn: &mut DbConn,
    actor: &Actor,
    item_id: i64,
    change: &Change,
    newly_owned: Option<i64>,
    base_url: &str,
) -> Result<Changed, WriteError> {
    db::write_transaction(conn, |conn| {
        let outcome = db::action_items::change(conn, item_id, change, actor.id)?;
        if let Changed::Saved(_) = outcome {
            if let Some(owner) = newly_owned {
                if let Some((item, to)) = db::mailing::assignment(conn, item_id, owner)? {
                    let message = crate::mail::messages::assignment(&item, &to, base_url);
                    db::outbox::enqueue(conn, &message)?;
                }
            }
            let event = actor.event("action_item.updated");
            actor.record(conn, event.on("action_item", item_id))?;
        }
        Ok(outcome)
    })
}

/// Records what visit `visit_id` found of an earlier visit's item; returns
/// the item as it now stands.
pub fn check(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    item_id: i64,
    result: Check,
    note: &str,
) -> Result<Item, WriteError> {
    let longest = crate::domain::action_item::NOTE_MAX;
    if note.trim().chars().count() > longest {
        return Err(WriteError::field(
            "note",
            format!("Use at most {longest} characters."),
        ));
    }
    db::write_transaction(conn, |conn| {
        db::visits::find_visible(conn, &actor.viewer, visit_id)?;
        db::action_items::check(conn, item_id, visit_id, result, note, actor.id)?;
        let event = actor
            .event("action_item.checked")
            .on("action_item", item_id);
        actor.record(conn, event.detail(result.as_str()))?;
        Ok(db::action_items::find_visible(
            conn,
            &db::visits::Viewer::everyone(),
            item_id,
        )?)
    })
}
