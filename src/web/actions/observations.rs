//! Observation snapshots: recorded by the visit's team, changed by their
//! author while the visit is in review.

use std::collections::BTreeMap;

use super::Actor;
use crate::db::observations::{Observation, Submitted};
use crate::db::{self, DbConn, WriteError};
use crate::domain::observation::{IdempotencyKey, NewObservation, RawObservation, Tick};
use crate::domain::FieldErrors;

/// The ticks of a snapshot as sent: the capture page names look-fors by id,
/// the API by code (what people and other systems know).
pub enum Ticks {
    ById(BTreeMap<i64, Tick>),
    ByCode(BTreeMap<String, Tick>),
}

/// A recorded snapshot, whether stored now or replayed, with the codes of
/// its framework's look-fors for answering in their terms.
pub struct Recorded {
    pub submitted: Submitted,
    pub observation: Observation,
    pub code_of: std::collections::HashMap<i64, String>,
}

/// Records a snapshot on visit `visit_id` for its team and the planners
/// (403 for anyone else who may see the visit). The same key with the same
/// content returns the first snapshot and stores nothing.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    key: &IdempotencyKey,
    raw: &RawObservation<'_>,
    ticks: Ticks,
) -> Result<Recorded, WriteError> {
    let target = db::visits::capture_target(conn, &actor.viewer, visit_id)?;
    if !target.may_record {
        return Err(WriteError::Forbidden);
    }
    if target.framework_id.is_none() {
        return Err(WriteError::conflict(
            "visit",
            "Choose the visit's look-for framework before recording observations.",
        ));
    }
    let mut errors = FieldErrors::new();
    let ticks = match ticks {
        Ticks::ById(ticks) => ticks,
        Ticks::ByCode(by_code) => {
            let mut ticks = BTreeMap::new();
            for (code, tick) in by_code {
                match target.codes.get(&code.to_lowercase()) {
                    Some(id) => {
                        ticks.insert(*id, tick);
                    }
                    None => errors.add(
                        &format!("ticks.{code}"),
                        "No look-for of this visit's framework has this code.",
                    ),
                }
            }
            ticks
        }
    };
    // A teacher's name is kept only where the district asked for it.
    let teacher_field = db::settings::find(conn)?.teacher_field;
    let raw = RawObservation {
        teacher: if teacher_field { raw.teacher } else { "" },
        ..*raw
    };
    let observation = match NewObservation::parse(&raw, ticks) {
        Ok(observation) if errors.is_empty() => observation,
        // Only codes the visit's framework lacks: well formed, but not
        // what is on record.
        Ok(_) => {
            let codes: Vec<&str> = errors
                .iter()
                .filter_map(|(field, _)| field.strip_prefix("ticks."))
                .collect();
            return Err(WriteError::conflict(
                "ticks",
                format!(
                    "No look-for of this visit's framework has the code {}.",
                    codes.join(", ")
                ),
            ));
        }
        Err(more) => {
            for (field, message) in more.iter() {
                errors.add(field, message);
            }
            return Err(WriteError::Invalid(errors));
        }
    };
    let submitted = db::observations::submit(
        conn,
        visit_id,
        actor.id,
        key,
        &observation,
        actor.ip.clone(),
    )?;
    // A new snapshot is answered from what was stored; a replay reads the
    // first one back.
    let observation = match submitted {
        Submitted::Created(id, at) => {
            Observation::stored(id, (actor.id, &actor.name), &observation, at)
        }
        Submitted::Replayed(id) => db::observations::find(conn, id)?,
    };
    Ok(Recorded {
        submitted,
        observation,
        code_of: target.code_of,
    })
}

/// Changes the author's own snapshot `id` of visit `visit_id` while the
/// visit is in review (404 for anyone else's).
pub fn change(
    conn: &mut DbConn,
    actor: &Actor,
    visit_id: i64,
    id: i64,
    observation: &NewObservation,
) -> Result<(), WriteError> {
    db::write_transaction(conn, |conn| {
        let (author, status) = db::observations::owner_and_status(conn, visit_id, id)?;
        if author != actor.id {
            return Err(crate::db::QueryError::NotFound.into());
        }
        if !status.takes_observations() {
            return Err(WriteError::conflict(
                "visit",
                "This visit's debrief is published; its observations no longer change.",
            ));
        }
        db::observations::update(conn, visit_id, id, actor.id, observation)?;
        let event = actor.event("observation.updated").on("observation", id);
        actor.record(conn, event)?;
        Ok(())
    })
}
