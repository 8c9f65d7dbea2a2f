//! Planning and changing visits, and moving them along their statuses.

use super::Actor;
use crate::db::visits::Visit;
use crate::db::{self, DbConn, WriteError};
use crate::domain::visit::{check_change, NewVisit, VisitStatus};

/// Plans one visit; returns it as the actor sees it.
pub fn create(conn: &mut DbConn, actor: &Actor, visit: &NewVisit) -> Result<Visit, WriteError> {
    db::write_transaction(conn, |conn| {
        let id = db::visits::insert(conn, visit)?;
        actor.record(conn, actor.event("visit.created").on("visit", id))?;
        Ok(db::visits::find_visible(conn, &actor.viewer, id)?)
    })
}

/// Plans the visits the rotation planner proposed and the lead kept.
pub fn create_planned(
    conn: &mut DbConn,
    actor: &Actor,
    visits: &[NewVisit],
) -> Result<Vec<i64>, WriteError> {
    db::write_transaction(conn, |conn| {
        let mut ids = Vec::with_capacity(visits.len());
        for visit in visits {
            let id = db::visits::insert(conn, visit)?;
            let event = actor.event("visit.created").on("visit", id);
            actor.record(conn, event.detail("planner"))?;
            ids.push(id);
        }
        Ok(ids)
    })
}

/// Replaces the plan of visit `id` with `visit`, if that keeps its record
/// true (see `domain::visit::check_change`); 409 naming the conflict if
/// not. The audit event names the fields that changed.
pub fn change(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    visit: &NewVisit,
) -> Result<Visit, WriteError> {
    db::write_transaction(conn, |conn| {
        let before = db::visits::find_visible(conn, &actor.viewer, id)?;
        let record = db::visits::record(conn, id)?;
        check_change(&record, visit).map_err(|c| WriteError::conflict(c.field, c.message))?;
        db::visits::update(conn, id, visit)?;
        let changed = changed_fields(&before, visit);
        let event = actor.event("visit.updated").on("visit", id);
        actor.record(conn, event.detail(changed.join(",")))?;
        Ok(db::visits::find_visible(conn, &actor.viewer, id)?)
    })
}

/// The names of the fields `visit` changes in `before`.
fn changed_fields(before: &Visit, visit: &NewVisit) -> Vec<&'static str> {
    let link = |l: &Option<crate::domain::user::Link>| l.as_ref().map(|l| l.id);
    let members: std::collections::BTreeSet<i64> = before.members.iter().map(|m| m.id).collect();
    [
        ("school_id", before.school.id != visit.school_id),
        ("date", before.date != visit.date),
        ("lead_id", link(&before.lead) != visit.lead_id),
        (
            "framework_id",
            link(&before.framework) != visit.framework_id,
        ),
        ("focus", before.focus != visit.focus),
        ("members", members != visit.members),
        ("segments", before.segments != visit.segments),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}

/// Moves visit `id` on to `to`, its one next status. Publication has its
/// own action, [`super::items::publish`], which opens the items and sends
/// the summaries with it.
pub fn advance(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    to: VisitStatus,
) -> Result<Visit, WriteError> {
    if to == VisitStatus::Published {
        return Err(WriteError::field(
            "status",
            "Publish the visit's action items to publish the visit.",
        ));
    }
    db::write_transaction(conn, |conn| {
        db::visits::find_visible(conn, &actor.viewer, id)?;
        db::visits::advance(conn, id, to)?;
        let event = actor.event("visit.status_changed").on("visit", id);
        actor.record(conn, event.detail(to.as_str()))?;
        Ok(db::visits::find_visible(conn, &actor.viewer, id)?)
    })
}
