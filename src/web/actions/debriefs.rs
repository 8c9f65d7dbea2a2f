//! The debrief the team records from a visit's evidence.

use super::Actor;
use crate::db::{self, DbConn, WriteError};
use crate::domain::debrief::NewDebrief;
use crate::domain::visit::VisitStatus;

/// Saves the debrief of visit `visit_id`. Once the visit is published its
/// debrief is the record the published items quote: 409, nothing written.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    debrief: &NewDebrief,
) -> Result<(), WriteError> {
    db::write_transaction(conn, |conn| {
        db::visits::find_visible(conn, &actor.viewer, visit_id)?;
        let record = db::visits::record(conn, visit_id)?;
        if !record.status.takes_debrief_edits() {
            return Err(WriteError::conflict(
                "debrief",
                VisitStatus::DEBRIEF_ON_RECORD,
            ));
        }
        db::debriefs::save(conn, visit_id, actor.id, debrief)?;
        actor.record(conn, actor.event("debrief.saved").on("visit", visit_id))?;
        Ok(())
    })
}
