//! The campus's voice in the record: its response to a published debrief,
//! its acknowledgement of each action step, and the items a visit lead
//! makes of what it needs.

use super::Actor;
use crate::db::action_items::{Draft, Filter};
use crate::db::visits::Visit;
use crate::db::{self, DbConn, WriteError};
use crate::domain::action_item::{Kind, Priority};
use crate::domain::response::{self, NewResponse};

/// The visit, if the actor may see it, and may respond for its campus
/// now: 404 / 403 / 409 otherwise.
fn open_to_response(conn: &mut DbConn, actor: &Actor, visit_id: i64) -> Result<Visit, WriteError> {
    let visit = db::visits::find_visible(conn, &actor.viewer, visit_id)?;
    if !response::may_respond(&actor.viewer.roles, actor.viewer.school_id, visit.school.id) {
        return Err(WriteError::Forbidden);
    }
    response::takes_response(visit.status).map_err(|why| WriteError::conflict("response", why))?;
    Ok(visit)
}

/// Whether the actor may respond for visit `visit_id`'s campus now (404,
/// 403, 409 otherwise): asked before a submission is read, so that a
/// person with no say is refused whatever they sent.
pub fn check(conn: &mut DbConn, actor: &Actor, visit_id: i64) -> Result<(), WriteError> {
    open_to_response(conn, actor, visit_id).map(|_| ())
}

/// Stores the campus's response to visit `visit_id`'s debrief, or revises
/// it from version `expected`; tells the departments it concerns and the
/// visit's lead. Returns the response's new version.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    response: &NewResponse,
    expected: Option<i32>,
    base_url: &str,
) -> Result<i32, WriteError> {
    db::write_transaction(conn, |conn| {
        open_to_response(conn, actor, visit_id)?;
        let version = db::responses::save(conn, visit_id, actor.id, response, expected)?;
        if let Some(notice) = db::mailing::response_notice(conn, visit_id)? {
            let messages = crate::mail::messages::campus_response(&notice, base_url);
            db::outbox::enqueue_all(conn, &messages)?;
        }
        let event = actor.event("campus_response.saved").on("visit", visit_id);
        actor.record(
            conn,
            event.detail(format!(
                "version {version}: {}, {} needs",
                response.agreement.as_str(),
                response.needs.len()
            )),
        )?;
        Ok(version)
    })
}

/// A school leader acknowledges action step `item_id` of visit `visit_id`.
/// True when this was the step's first acknowledgement (the first stands,
/// and only it is recorded).
pub fn acknowledge(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    item_id: i64,
) -> Result<bool, WriteError> {
    db::write_transaction(conn, |conn| {
        open_to_response(conn, actor, visit_id)?;
        let step = db::action_items::list(
            conn,
            &actor.viewer,
            &Filter {
                id: Some(item_id),
                visit_id: Some(visit_id),
                published_only: true,
                without_look_fors: true,
                ..Filter::default()
            },
        )?
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)?;
        if step.kind != Kind::School {
            return Err(WriteError::conflict(
                "item",
                "Only the campus's own action steps are acknowledged; department items are the departments'.",
            ));
        }
        let first = db::responses::acknowledge(conn, item_id, actor.id)?;
        if first {
            let event = actor.event("action_step.acknowledged");
            actor.record(conn, event.on("action_item", item_id))?;
        }
        Ok(first)
    })
}

/// The visit lead makes need `need_id` of the campus's response to visit
/// `visit_id` an open item of the department it names; its owner is told.
/// Returns the item's id.
pub fn add_item(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    need_id: i64,
    base_url: &str,
) -> Result<i64, WriteError> {
    db::write_transaction(conn, |conn| {
        let visit = db::visits::find_visible(conn, &actor.viewer, visit_id)?;
        if !actor.viewer.sees_all_visits() {
            return Err(WriteError::Forbidden);
        }
        response::takes_response(visit.status)
            .map_err(|why| WriteError::conflict("response", why))?;
        let need = db::responses::need(conn, visit_id, need_id)?;
        if need.item_id.is_some() {
            return Err(WriteError::conflict(
                "need",
                "This need is an action item already.",
            ));
        }
        let draft = Draft {
            kind: Kind::Department,
            department_id: Some(need.department.id),
            title: need.need.chars().take(200).collect(),
            evidence: format!(
                "From {}'s response to the debrief of {}: {}",
                visit.school.name, visit.date, need.need
            ),
            owner_id: None,
            due_on: None,
            priority: Priority::Normal,
        };
        let id = db::action_items::add_open(
            conn,
            visit_id,
            &draft,
            actor.id,
            "Added from the campus's response",
        )?;
        if !db::responses::link_item(conn, need_id, id)? {
            return Err(WriteError::conflict(
                "need",
                "This need is an action item already.",
            ));
        }
        let owner = db::action_items::list(
            conn,
            &crate::db::visits::Viewer::everyone(),
            &Filter {
                id: Some(id),
                without_look_fors: true,
                ..Filter::default()
            },
        )?
        .into_iter()
        .next()
        .and_then(|item| item.owner.map(|o| o.id));
        if let Some(owner) = owner {
            if let Some((item, to)) = db::mailing::assignment(conn, id, owner)? {
                let message = crate::mail::messages::assignment(&item, &to, base_url);
                db::outbox::enqueue(conn, &message)?;
            }
        }
        let event = actor.event("action_item.added").on("action_item", id);
        actor.record(
            conn,
            event.detail(format!("from the campus's response, need {need_id}")),
        )?;
        Ok(id)
    })
}
