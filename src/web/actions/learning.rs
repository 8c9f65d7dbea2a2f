//! Professional learning: keeping the catalogue, registering campuses for
//! sessions, marking attendance, and linking items to what they send a
//! campus to.

use chrono::NaiveDate;

use super::Actor;
use crate::db::learning::Registered;
use crate::db::{self, DbConn, WriteError};
use crate::domain::account::Role;
use crate::domain::learning::{NewOffering, NewSeries, NewSession, Who};

/// The learning rules' view of the actor.
pub fn who(actor: &Actor) -> Who {
    let roles = &actor.viewer.roles;
    Who {
        user_id: actor.id,
        admin: roles.contains(&Role::Admin),
        head_of: actor
            .viewer
            .department_id
            .filter(|_| roles.contains(&Role::DepartmentHead)),
        leader_of: actor
            .viewer
            .school_id
            .filter(|_| roles.contains(&Role::SchoolLeader)),
    }
}

/// Refuses the actor (403); the handler records the refusal in the audit
/// log (`web::audited`), as for any refused request.
fn refuse(_conn: &mut DbConn, _actor: &Actor, _what: &str) -> WriteError {
    WriteError::Forbidden
}

/// Adds an offering to the catalogue.
pub fn create_offering(
    conn: &mut DbConn,
    actor: &Actor,
    offering: &NewOffering,
) -> Result<i64, WriteError> {
    if !who(actor).manages(offering.department_id) {
        return Err(refuse(
            conn,
            actor,
            "create an offering of another department",
        ));
    }
    db::write_transaction(conn, |conn| {
        let id = db::learning::insert_offering(conn, offering)?;
        actor.record(conn, actor.event("offering.created").on("offering", id))?;
        Ok(id)
    })
}

/// Replaces offering `id`: its department's managers only, and only to a
/// department they manage.
pub fn update_offering(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    offering: &NewOffering,
) -> Result<(), WriteError> {
    let current = db::learning::offering_department(conn, id)?;
    let who = who(actor);
    if !who.manages(current) || !who.manages(offering.department_id) {
        return Err(refuse(
            conn,
            actor,
            "change an offering of another department",
        ));
    }
    db::write_transaction(conn, |conn| {
        db::learning::update_offering(conn, id, offering)?;
        actor.record(conn, actor.event("offering.updated").on("offering", id))?;
        Ok(())
    })
}

/// Adds a series.
pub fn create_series(
    conn: &mut DbConn,
    actor: &Actor,
    series: &NewSeries,
) -> Result<i64, WriteError> {
    if !who(actor).keeps_series() {
        return Err(refuse(conn, actor, "create a series"));
    }
    db::write_transaction(conn, |conn| {
        let id = db::learning::insert_series(conn, series)?;
        actor.record(conn, actor.event("series.created").on("series", id))?;
        Ok(id)
    })
}

/// Renames or redescribes series `id`.
pub fn update_series(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    series: &NewSeries,
) -> Result<(), WriteError> {
    if !who(actor).keeps_series() {
        return Err(refuse(conn, actor, "change a series"));
    }
    db::write_transaction(conn, |conn| {
        db::learning::update_series(conn, id, series)?;
        actor.record(conn, actor.event("series.updated").on("series", id))?;
        Ok(())
    })
}

/// Adds a session to offering `offering_id`.
pub fn create_session(
    conn: &mut DbConn,
    actor: &Actor,
    offering_id: i64,
    session: &NewSession,
) -> Result<i64, WriteError> {
    let department = db::learning::offering_department(conn, offering_id)?;
    if !who(actor).manages(department) {
        return Err(refuse(
            conn,
            actor,
            "add a session to another department's offering",
        ));
    }
    db::write_transaction(conn, |conn| {
        let id = db::learning::insert_session(conn, offering_id, session)?;
        let event = actor.event("session.created").on("session", id);
        actor.record(conn, event.detail(format!("offering {offering_id}")))?;
        Ok(id)
    })
}

/// Replaces session `id`'s day, times, place, seats, facilitator or
/// cancels it.
pub fn update_session(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    session: &NewSession,
) -> Result<(), WriteError> {
    let current = db::learning::session(conn, id)?;
    if !who(actor).manages(current.department.id) {
        return Err(refuse(conn, actor, "change another department's session"));
    }
    db::write_transaction(conn, |conn| {
        db::learning::update_session(conn, id, session)?;
        let action = if session.cancelled && !current.cancelled {
            "session.cancelled"
        } else {
            "session.updated"
        };
        actor.record(conn, actor.event(action).on("session", id))?;
        Ok(())
    })
}

/// Registers `participants` of campus `school_id` for session
/// `session_id`, within its seats, and confirms it by email to the
/// campus's leaders (and the person registering). Registering the same
/// count again changes nothing and sends nothing.
#[allow(clippy::too_many_arguments)]
pub fn register(
    conn: &mut DbConn,
    actor: &Actor,
    session_id: i64,
    school_id: i64,
    participants: i32,
    names: &str,
    today: NaiveDate,
    base_url: &str,
) -> Result<Registered, WriteError> {
    db::learning::session(conn, session_id)?;
    if !who(actor).registers_for(school_id) {
        return Err(refuse(conn, actor, "register another campus"));
    }
    let names_allowed = db::settings::find(conn)?.teacher_field;
    let names = crate::domain::learning::participant_names(names, names_allowed)
        .map_err(|message| WriteError::field("names", message))?;
    db::write_transaction(conn, |conn| {
        let outcome = db::learning::register(
            conn,
            session_id,
            school_id,
            participants,
            &names,
            actor.id,
            today,
        )?;
        if !matches!(outcome, Registered::Unchanged(_)) {
            let facts = db::mailing::registration(conn, session_id, school_id, actor.id)?;
            let messages = crate::mail::messages::registration(&facts, base_url);
            db::outbox::enqueue_all(conn, &messages)?;
            let action = match outcome {
                Registered::Created(_) => "registration.created",
                _ => "registration.changed",
            };
            let event = actor.event(action).on("session", session_id);
            actor.record(
                conn,
                event.detail(format!("school {school_id}: {participants} participants")),
            )?;
        }
        Ok(outcome)
    })
}

/// Withdraws campus `school_id` from session `session_id`.
pub fn withdraw(
    conn: &mut DbConn,
    actor: &Actor,
    session_id: i64,
    school_id: i64,
    today: NaiveDate,
) -> Result<(), WriteError> {
    db::learning::session(conn, session_id)?;
    if !who(actor).registers_for(school_id) {
        return Err(refuse(conn, actor, "withdraw another campus"));
    }
    db::write_transaction(conn, |conn| {
        if db::learning::withdraw(conn, session_id, school_id, today)? {
            let event = actor
                .event("registration.withdrawn")
                .on("session", session_id);
            actor.record(conn, event.detail(format!("school {school_id}")))?;
        }
        Ok(())
    })
}

/// Records how many of each campus attended session `session_id`.
pub fn mark_attendance(
    conn: &mut DbConn,
    actor: &Actor,
    session_id: i64,
    counts: &[(i64, i32)],
    today: NaiveDate,
) -> Result<(), WriteError> {
    let session = db::learning::session(conn, session_id)?;
    let facilitator = session.facilitator.as_ref().map(|f| f.id);
    if !who(actor).marks_attendance(session.department.id, facilitator) {
        return Err(refuse(
            conn,
            actor,
            "mark attendance of another department's session",
        ));
    }
    db::write_transaction(conn, |conn| {
        db::learning::mark_attendance(conn, session_id, counts, today)?;
        let total: i32 = counts.iter().map(|c| c.1).sum();
        let event = actor.event("attendance.marked").on("session", session_id);
        actor.record(
            conn,
            event.detail(format!("{} campuses, {total} attended", counts.len())),
        )?;
        Ok(())
    })
}

/// Links item `item_id` to an offering or one of its sessions. Whether the
/// actor may change the item is decided by the caller, as for any change
/// of the item.
pub fn link_item(
    conn: &mut DbConn,
    actor: &Actor,
    item_id: i64,
    offering_id: Option<i64>,
    session_id: Option<i64>,
) -> Result<i64, WriteError> {
    db::write_transaction(conn, |conn| {
        let offering = db::learning::link_item(conn, item_id, offering_id, session_id, actor.id)?;
        let detail = match session_id {
            Some(session) => format!("offering {offering}, session {session}"),
            None => format!("offering {offering}"),
        };
        let event = actor
            .event("action_item.learning_linked")
            .on("action_item", item_id);
        actor.record(conn, event.detail(detail))?;
        Ok(offering)
    })
}

/// Removes item `item_id`'s link to offering `offering_id`.
pub fn unlink_item(
    conn: &mut DbConn,
    actor: &Actor,
    item_id: i64,
    offering_id: i64,
) -> Result<(), WriteError> {
    db::write_transaction(conn, |conn| {
        if !db::learning::unlink_item(conn, item_id, offering_id)? {
            return Err(diesel::result::Error::NotFound.into());
        }
        let event = actor
            .event("action_item.learning_unlinked")
            .on("action_item", item_id);
        actor.record(conn, event.detail(format!("offering {offering_id}")))?;
        Ok(())
    })
}

/// Why a catalogue file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// What is wrong with the file, place by place; nothing was written.
    #[error("{} problems in the file", .0.len())]
    Problems(Vec<crate::domain::framework::Problem>),
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl From<diesel::result::Error> for CatalogueError {
    fn from(e: diesel::result::Error) -> Self {
        CatalogueError::Write(e.into())
    }
}

/// Checks a catalogue file whole (`read` parses it with the district's
/// names) and stores it in one transaction, or stores nothing. A
/// department head may import only their department's offerings;
/// `actor` is `None` for the command line.
pub fn import_catalogue(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    read: impl FnOnce(
        &crate::domain::catalogue::Resolve<'_>,
    ) -> Result<
        crate::domain::catalogue::NewCatalogue,
        Vec<crate::domain::framework::Problem>,
    >,
) -> Result<db::learning::CatalogueCounts, CatalogueError> {
    if actor.is_some_and(|actor| !who(actor).keeps_catalogue()) {
        return Err(WriteError::Forbidden.into());
    }
    let names = db::learning::Names::load(conn)?;
    let catalogue = read(&crate::domain::catalogue::Resolve {
        department: &|name| names.department(name),
        person: &|email| names.person(email),
        code: &|code| names.code(code),
    })
    .map_err(CatalogueError::Problems)?;
    if let Some(actor) = actor {
        let who = who(actor);
        if catalogue
            .offerings
            .iter()
            .any(|(o, _)| !who.manages(o.department_id))
        {
            return Err(WriteError::Forbidden.into());
        }
    }
    db::write_transaction(conn, |conn| {
        let counts = db::learning::import_catalogue(conn, &catalogue)?;
        let event = match actor {
            Some(actor) => actor.event("catalogue.imported"),
            None => db::audit::NewEvent::new("catalogue.imported"),
        };
        let detail = format!(
            "{} offerings added, {} updated; {} sessions added, {} updated",
            counts.offerings_added,
            counts.offerings_updated,
            counts.sessions_added,
            counts.sessions_updated
        );
        db::audit::record(conn, &event.detail(detail))?;
        Ok::<_, CatalogueError>(counts)
    })
}

/// The whole catalogue as its exchange document, for those who keep it;
/// the export is recorded in the audit log with its `format`. `actor` is
/// `None` for the command line.
pub fn export_catalogue(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    format: &str,
) -> Result<crate::domain::catalogue::CatalogueDoc, WriteError> {
    if actor.is_some_and(|actor| !who(actor).keeps_catalogue()) {
        return Err(WriteError::Forbidden);
    }
    let doc = db::learning::catalogue(conn)?;
    let event = match actor {
        Some(actor) => actor.event("catalogue.exported"),
        None => db::audit::NewEvent::new("catalogue.exported"),
    };
    let detail = match actor {
        Some(_) => format.to_owned(),
        None => format!("command line, {format}"),
    };
    db::audit::record(conn, &event.detail(detail))?;
    Ok(doc)
}
