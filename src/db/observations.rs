//! Observation snapshots, stored once per device key.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{frameworks, indicator_ticks, indicators, observations, users, visits};
use super::{is_unique_violation, now, DbConn, WriteError};
use crate::domain::observation::{IdempotencyKey, NewObservation, Setting, Tick};
use crate::domain::visit::VisitStatus;

/// What a submission did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// Stored now, at this time.
    Created(i64, NaiveDateTime),
    /// This key was already used for this very content: nothing new stored.
    Replayed(i64),
}

impl Submitted {
    pub fn id(self) -> i64 {
        match self {
            Submitted::Created(id, _) | Submitted::Replayed(id) => id,
        }
    }
}

fn key_reused() -> WriteError {
    WriteError::field(
        "idempotency_key",
        "This submission key was already used for a different observation; nothing was stored.",
    )
}

/// The earlier submission with this key, if any: its id and fingerprint.
fn earlier(
    conn: &mut DbConn,
    author_id: i64,
    key: &IdempotencyKey,
) -> QueryResult<Option<(i64, String)>> {
    observations::table
        .filter(observations::author_id.eq(author_id))
        .filter(observations::idempotency_key.eq(key.as_str()))
        .select((observations::id, observations::body_hash))
        .first(conn)
        .optional()
}

fn replay(found: (i64, String), fingerprint: &str) -> Result<Submitted, WriteError> {
    if found.1 == fingerprint {
        Ok(Submitted::Replayed(found.0))
    } else {
        Err(key_reused())
    }
}

/// Stores a snapshot once, and records it in the audit log. The same key with the same content returns the
/// first snapshot and stores nothing; with other content it is refused.
/// Concurrent submissions of one key: on SQLite they queue on the write
/// lock; on PostgreSQL the loser of the race hits the unique index and
/// reads the winner's row.
pub fn submit(
    conn: &mut DbConn,
    visit_id: i64,
    author_id: i64,
    key: &IdempotencyKey,
    observation: &NewObservation,
    client_ip: Option<String>,
) -> Result<Submitted, WriteError> {
    let fingerprint = observation.fingerprint();
    let attempt = super::write_transaction(conn, |conn| {
        if let Some(found) = earlier(conn, author_id, key)? {
            return replay(found, &fingerprint);
        }
        // The visit, its framework and the framework's look-fors, in one query.
        let rows = visits::table
            .left_join(frameworks::table)
            .left_join(
                indicators::table.on(indicators::framework_id.nullable().eq(visits::framework_id)),
            )
            .filter(visits::id.eq(visit_id))
            .select((
                visits::status,
                visits::framework_id,
                frameworks::frozen_at.nullable(),
                indicators::id.nullable(),
            ))
            .load::<(String, Option<i64>, Option<NaiveDateTime>, Option<i64>)>(conn)?;
        let (status, framework_id, frozen_at) = rows
            .first()
            .map(|row| (row.0.clone(), row.1, row.2))
            .ok_or(diesel::result::Error::NotFound)?;
        let known: Vec<i64> = rows.iter().filter_map(|row| row.3).collect();
        let status: VisitStatus = status.parse().unwrap_or(VisitStatus::Closed);
        if !status.takes_observations() {
            return Err(WriteError::conflict(
                "visit",
                VisitStatus::CLOSED_TO_OBSERVATIONS,
            ));
        }
        let Some(framework_id) = framework_id else {
            return Err(WriteError::conflict(
                "visit",
                "Choose the visit's look-for framework before recording observations.",
            ));
        };
        if let Some(stray) = observation.ticks.keys().find(|id| !known.contains(id)) {
            return Err(WriteError::conflict(
                "ticks",
                format!("Look-for {stray} is not in this visit's framework."),
            ));
        }
        let at = now();
        let id = insert_returning_id!(
            conn,
            observations::table,
            observations::id,
            (
                observations::visit_id.eq(visit_id),
                observations::author_id.eq(author_id),
                observations::framework_id.eq(framework_id),
                observations::setting.eq(observation.setting.as_str()),
                observations::room.eq(&observation.room),
                observations::grade_band.eq(&observation.grade_band),
                observations::subject.eq(&observation.subject),
                observations::started_at.eq(observation.started_at.as_deref()),
                observations::rating.eq(observation.rating),
                observations::notes.eq(&observation.notes),
                observations::teacher.eq(&observation.teacher),
                observations::idempotency_key.eq(key.as_str()),
                observations::body_hash.eq(&fingerprint),
                observations::created_at.eq(at),
                observations::updated_at.eq(at),
            )
        )?;
        let ticks: Vec<_> = observation
            .ticks
            .iter()
            .map(|(indicator_id, tick)| {
                (
                    indicator_ticks::observation_id.eq(id),
                    indicator_ticks::indicator_id.eq(*indicator_id),
                    indicator_ticks::tick.eq(tick.as_str()),
                )
            })
            .collect();
        if !ticks.is_empty() {
            // One statement for all ticks; batch inserts need the engine's
            // own connection.
            match conn {
                DbConn::Sqlite(c) => diesel::insert_into(indicator_ticks::table)
                    .values(&ticks)
                    .execute(c)?,
                DbConn::Postgres(c) => diesel::insert_into(indicator_ticks::table)
                    .values(&ticks)
                    .execute(c)?,
            };
        }
        // A framework in use no longer changes.
        if frozen_at.is_none() {
            super::frameworks::freeze(conn, framework_id)?;
        }
        // In the same transaction: one durable commit per submission.
        let event = super::audit::NewEvent::new("observation.created")
            .by(Some(author_id))
            .on("observation", id)
            .from_ip(client_ip);
        super::audit::record(conn, &event)?;
        if !observation.ticks.is_empty() {
            super::insights::queue_rollup(conn, visit_id)?;
        }
        Ok(Submitted::Created(id, at))
    });
    match attempt {
        Err(WriteError::Db(e)) if is_unique_violation(&e) => {
            let found = earlier(conn, author_id, key)?.ok_or(diesel::result::Error::NotFound)?;
            replay(found, &fingerprint)
        }
        other => other,
    }
}

pub use crate::domain::read::observations::Observation;

type Row = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i32>,
    String,
    NaiveDateTime,
    String,
);

impl Observation {
    /// The snapshot just stored from `new`, as reading it back would give.
    pub fn stored(
        id: i64,
        (author_id, author): (i64, &str),
        new: &NewObservation,
        created_at: NaiveDateTime,
    ) -> Self {
        Observation {
            id,
            author_id,
            author: author.to_owned(),
            setting: new.setting,
            room: new.room.clone(),
            grade_band: new.grade_band.clone(),
            subject: new.subject.clone(),
            started_at: new.started_at.clone(),
            rating: new.rating,
            notes: new.notes.clone(),
            teacher: new.teacher.clone(),
            ticks: new.ticks.clone(),
            created_at,
        }
    }
}

/// Every snapshot of a visit, oldest first.
pub fn for_visit(conn: &mut DbConn, visit_id: i64) -> QueryResult<Vec<Observation>> {
    load(conn, Some(visit_id), None)
}

/// One snapshot.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Observation> {
    load(conn, None, Some(id))?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

fn load(
    conn: &mut DbConn,
    visit_id: Option<i64>,
    id: Option<i64>,
) -> QueryResult<Vec<Observation>> {
    let mut query = observations::table
        .inner_join(users::table)
        .into_boxed::<super::MultiBackend>();
    if let Some(visit_id) = visit_id {
        query = query.filter(observations::visit_id.eq(visit_id));
    }
    if let Some(id) = id {
        query = query.filter(observations::id.eq(id));
    }
    let rows = query
        .order(observations::id.asc())
        .select((
            observations::id,
            observations::author_id,
            users::name,
            observations::setting,
            observations::room,
            observations::grade_band,
            observations::subject,
            observations::started_at,
            observations::rating,
            observations::notes,
            observations::created_at,
            observations::teacher,
        ))
        .load::<Row>(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut ticks: HashMap<i64, BTreeMap<i64, Tick>> = HashMap::new();
    for (observation_id, indicator_id, tick) in indicator_ticks::table
        .filter(indicator_ticks::observation_id.eq_any(&ids))
        .select((
            indicator_ticks::observation_id,
            indicator_ticks::indicator_id,
            indicator_ticks::tick,
        ))
        .load::<(i64, i64, String)>(conn)?
    {
        if let Ok(tick) = tick.parse() {
            ticks
                .entry(observation_id)
                .or_default()
                .insert(indicator_id, tick);
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                author_id,
                author,
                setting,
                room,
                grade_band,
                subject,
                started_at,
                rating,
                notes,
                created_at,
                teacher,
            )| Observation {
                teacher,
                id,
                author_id,
                author,
                // The column's CHECK constraint admits only the four settings.
                setting: setting.parse().unwrap_or(Setting::Tour),
                room,
                grade_band,
                subject,
                started_at,
                rating,
                notes,
                ticks: ticks.remove(&id).unwrap_or_default(),
                created_at,
            },
        )
        .collect())
}

/// The author of a snapshot and the status of its visit, to decide whether
/// it may still change.
pub fn owner_and_status(
    conn: &mut DbConn,
    visit_id: i64,
    id: i64,
) -> QueryResult<(i64, VisitStatus)> {
    let (author_id, status) = observations::table
        .inner_join(visits::table)
        .filter(observations::id.eq(id))
        .filter(observations::visit_id.eq(visit_id))
        .select((observations::author_id, visits::status))
        .first::<(i64, String)>(conn)?;
    Ok((author_id, status.parse().unwrap_or(VisitStatus::Closed)))
}

/// Changes a snapshot (its author, until the visit's debrief is published).
/// The submission key and its fingerprint stay those of the first submission,
/// so a late retry of that submission is still recognised.
pub fn update(
    conn: &mut DbConn,
    visit_id: i64,
    id: i64,
    author_id: i64,
    observation: &NewObservation,
) -> Result<(), WriteError> {
    super::write_transaction(conn, |conn| {
        let (owner, status) = owner_and_status(conn, visit_id, id)?;
        if owner != author_id {
            return Err(diesel::result::Error::NotFound.into());
        }
        if !matches!(
            status,
            VisitStatus::Planned | VisitStatus::InProgress | VisitStatus::Debriefed
        ) {
            return Err(WriteError::conflict(
                "visit",
                "This visit's debrief is published; its observations no longer change.",
            ));
        }
        let framework_id: i64 = observations::table
            .find(id)
            .select(observations::framework_id)
            .first(conn)?;
        let known: Vec<i64> = indicators::table
            .filter(indicators::framework_id.eq(framework_id))
            .select(indicators::id)
            .load(conn)?;
        if let Some(stray) = observation.ticks.keys().find(|id| !known.contains(id)) {
            return Err(WriteError::conflict(
                "ticks",
                format!("Look-for {stray} is not in this observation's framework."),
            ));
        }
        diesel::update(observations::table.find(id))
            .set((
                observations::setting.eq(observation.setting.as_str()),
                observations::room.eq(&observation.room),
                observations::grade_band.eq(&observation.grade_band),
                observations::subject.eq(&observation.subject),
                observations::started_at.eq(observation.started_at.as_deref()),
                observations::rating.eq(observation.rating),
                observations::notes.eq(&observation.notes),
                observations::teacher.eq(&observation.teacher),
                observations::updated_at.eq(now()),
            ))
            .execute(conn)?;
        diesel::delete(indicator_ticks::table.filter(indicator_ticks::observation_id.eq(id)))
            .execute(conn)?;
        for (indicator_id, tick) in &observation.ticks {
            diesel::insert_into(indicator_ticks::table)
                .values((
                    indicator_ticks::observation_id.eq(id),
                    indicator_ticks::indicator_id.eq(indicator_id),
                    indicator_ticks::tick.eq(tick.as_str()),
                ))
                .execute(conn)?;
        }
        super::insights::refresh_rollup(conn, visit_id)?;
        Ok(())
    })
}
