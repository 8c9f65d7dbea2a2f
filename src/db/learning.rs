//! Professional learning: the catalogue of offerings and series, their
//! sessions, the campuses' registrations and attendance, the items linked
//! to them, and how the look-fors they address moved.
//!
//! Who may change what is decided by the callers; these functions check
//! what the record allows (a known department and look-for, seats left).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};

use super::raw::{self, Param};
use super::schema::{
    action_item_indicators, action_item_learning, action_items, departments, indicators,
    learning_series, learning_sessions, offering_look_fors, offerings, schools,
    session_registrations, users,
};
use super::{lower, now, DbConn, WriteError};
use crate::domain::learning::{
    check_attendance, check_registration, check_withdrawal, compare, NewOffering, NewSeries,
    NewSession, Refused, Seen,
};
use crate::domain::user::Link;

pub use crate::domain::read::learning::{
    CampusCredit, ItemLearning, LearningImpactRow, Offering, Registration, Series, Served, Session,
    Suggestion, WeakLookForLearning, WEAK_SESSIONS_SHOWN,
};

fn refused(refusal: Refused) -> WriteError {
    match refusal {
        Refused::Input(field, message) => WriteError::field(field, message),
        Refused::State(field, message) => WriteError::conflict(field, message),
    }
}

type OfferingRow = (i64, String, String, String, i64, String, String, i32, bool);

fn offering_of(row: OfferingRow, look_fors: &mut BTreeMap<i64, Vec<String>>) -> Offering {
    let (id, title, description, format, department_id, department, audience, credit, active) = row;
    Offering {
        id,
        title,
        description,
        format: format
            .parse()
            .unwrap_or(crate::domain::learning::Format::OnSite),
        department: Link {
            id: department_id,
            name: department,
        },
        audience: audience
            .parse()
            .unwrap_or(crate::domain::learning::Audience::Both),
        credit_tenths: credit,
        look_fors: look_fors.remove(&id).unwrap_or_default(),
        active,
    }
}

fn look_fors_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<BTreeMap<i64, Vec<String>>> {
    let mut by_offering: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = offering_look_fors::table
            .filter(offering_look_fors::offering_id.eq_any(chunk))
            .order((offering_look_fors::offering_id, offering_look_fors::code))
            .select((offering_look_fors::offering_id, offering_look_fors::code))
            .load(conn)?;
        for (id, code) in rows {
            by_offering.entry(id).or_default().push(code);
        }
    }
    Ok(by_offering)
}

/// Which offerings to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OfferingFilter {
    pub department_id: Option<i64>,
    pub include_inactive: bool,
}

/// The catalogue in title order.
pub fn offerings(conn: &mut DbConn, filter: OfferingFilter) -> QueryResult<Vec<Offering>> {
    offerings_where(conn, filter, None)
}

/// One offering (NotFound when there is none).
pub fn offering(conn: &mut DbConn, id: i64) -> QueryResult<Offering> {
    let filter = OfferingFilter {
        department_id: None,
        include_inactive: true,
    };
    offerings_where(conn, filter, Some(id))?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

fn offerings_where(
    conn: &mut DbConn,
    filter: OfferingFilter,
    id: Option<i64>,
) -> QueryResult<Vec<Offering>> {
    let mut query = offerings::table
        .inner_join(departments::table)
        .order(lower(offerings::title).asc())
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(offerings::id.eq(id));
    }
    if let Some(id) = filter.department_id {
        query = query.filter(offerings::department_id.eq(id));
    }
    if !filter.include_inactive {
        query = query.filter(offerings::active.eq(true));
    }
    let rows: Vec<OfferingRow> = query
        .select((
            offerings::id,
            offerings::title,
            offerings::description,
            offerings::format,
            offerings::department_id,
            departments::name,
            offerings::audience,
            offerings::credit_tenths,
            offerings::active,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut look_fors = look_fors_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| offering_of(row, &mut look_fors))
        .collect())
}

/// The department that runs offering `id`.
pub fn offering_department(conn: &mut DbConn, id: i64) -> QueryResult<i64> {
    offerings::table
        .find(id)
        .select(offerings::department_id)
        .first(conn)
}

/// Every look-for code of every framework, in any case, as written.
pub fn known_codes(conn: &mut DbConn) -> QueryResult<BTreeMap<String, String>> {
    let codes: Vec<(String, String)> = indicators::table
        .select((lower(indicators::code), indicators::code))
        .distinct()
        .load(conn)?;
    Ok(codes.into_iter().collect())
}

/// Checks what an offering refers to: an active department, known
/// look-fors (returned as the frameworks write them), a title not taken.
fn check_offering(
    conn: &mut DbConn,
    offering: &NewOffering,
    id: Option<i64>,
) -> Result<Vec<String>, WriteError> {
    let active: Option<bool> = departments::table
        .find(offering.department_id)
        .select(departments::active)
        .first(conn)
        .optional()?;
    if active != Some(true) {
        return Err(WriteError::conflict(
            "department_id",
            "Choose an active department from the list.",
        ));
    }
    let known = known_codes(conn)?;
    let mut codes = Vec::new();
    for code in &offering.look_fors {
        match known.get(&code.to_lowercase()) {
            Some(written) => codes.push(written.clone()),
            None => {
                return Err(WriteError::conflict(
                    "look_fors",
                    format!("No framework has the look-for {code}."),
                ))
            }
        }
    }
    let mut taken = offerings::table
        .filter(lower(offerings::title).eq(offering.title.to_lowercase()))
        .into_boxed();
    if let Some(id) = id {
        taken = taken.filter(offerings::id.ne(id));
    }
    let taken: i64 = taken.count().get_result(conn)?;
    if taken > 0 {
        return Err(WriteError::conflict(
            "title",
            "An offering of that title is in the catalogue.",
        ));
    }
    Ok(codes)
}

fn set_look_fors(conn: &mut DbConn, id: i64, codes: &[String]) -> QueryResult<()> {
    diesel::delete(offering_look_fors::table.filter(offering_look_fors::offering_id.eq(id)))
        .execute(conn)?;
    for code in codes {
        diesel::insert_into(offering_look_fors::table)
            .values((
                offering_look_fors::offering_id.eq(id),
                offering_look_fors::code.eq(code),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn title_taken(e: diesel::result::Error) -> WriteError {
    if super::is_unique_violation(&e) {
        WriteError::conflict("title", "An offering of that title is in the catalogue.")
    } else {
        e.into()
    }
}

/// Adds an offering to the catalogue.
pub fn insert_offering(conn: &mut DbConn, offering: &NewOffering) -> Result<i64, WriteError> {
    let codes = check_offering(conn, offering, None)?;
    let at = now();
    let id = insert_returning_id!(
        conn,
        offerings::table,
        offerings::id,
        (
            offerings::title.eq(&offering.title),
            offerings::description.eq(&offering.description),
            offerings::format.eq(offering.format.as_str()),
            offerings::department_id.eq(offering.department_id),
            offerings::audience.eq(offering.audience.as_str()),
            offerings::credit_tenths.eq(offering.credit_tenths),
            offerings::active.eq(offering.active),
            offerings::created_at.eq(at),
            offerings::updated_at.eq(at),
        )
    )
    .map_err(title_taken)?;
    set_look_fors(conn, id, &codes)?;
    Ok(id)
}

/// Replaces an offering's fields and look-fors.
pub fn update_offering(
    conn: &mut DbConn,
    id: i64,
    offering: &NewOffering,
) -> Result<(), WriteError> {
    offering_department(conn, id)?;
    let codes = check_offering(conn, offering, Some(id))?;
    diesel::update(offerings::table.find(id))
        .set((
            offerings::title.eq(&offering.title),
            offerings::description.eq(&offering.description),
            offerings::format.eq(offering.format.as_str()),
            offerings::department_id.eq(offering.department_id),
            offerings::audience.eq(offering.audience.as_str()),
            offerings::credit_tenths.eq(offering.credit_tenths),
            offerings::active.eq(offering.active),
            offerings::updated_at.eq(now()),
        ))
        .execute(conn)
        .map_err(title_taken)?;
    set_look_fors(conn, id, &codes)?;
    Ok(())
}

/// Every series in name order, with its count of sessions.
pub fn series_list(conn: &mut DbConn) -> QueryResult<Vec<Series>> {
    let rows: Vec<(i64, String, String)> = learning_series::table
        .order(lower(learning_series::name).asc())
        .select((
            learning_series::id,
            learning_series::name,
            learning_series::description,
        ))
        .load(conn)?;
    let counts: BTreeMap<i64, i64> = learning_sessions::table
        .filter(learning_sessions::series_id.is_not_null())
        .group_by(learning_sessions::series_id)
        .select((
            learning_sessions::series_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, name, description)| Series {
            id,
            name,
            description,
            sessions: counts.get(&id).copied().unwrap_or(0),
        })
        .collect())
}

/// One series (NotFound when there is none).
pub fn series(conn: &mut DbConn, id: i64) -> QueryResult<Series> {
    series_list(conn)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(diesel::result::Error::NotFound)
}

/// The refusal of a series name another series has: checked first, and
/// again by the unique index (a concurrent write, or letters SQLite's
/// `lower` does not fold).
fn series_name_conflict() -> WriteError {
    WriteError::conflict("name", "A series of that name exists.")
}

fn series_name_taken(e: diesel::result::Error) -> WriteError {
    if super::is_unique_violation(&e) {
        series_name_conflict()
    } else {
        e.into()
    }
}

fn series_taken(conn: &mut DbConn, name: &str, id: Option<i64>) -> Result<(), WriteError> {
    let mut query = learning_series::table
        .filter(lower(learning_series::name).eq(name.to_lowercase()))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(learning_series::id.ne(id));
    }
    let n: i64 = query.count().get_result(conn)?;
    if n > 0 {
        return Err(series_name_conflict());
    }
    Ok(())
}

/// Adds a series.
pub fn insert_series(conn: &mut DbConn, series: &NewSeries) -> Result<i64, WriteError> {
    series_taken(conn, &series.name, None)?;
    let at = now();
    insert_returning_id!(
        conn,
        learning_series::table,
        learning_series::id,
        (
            learning_series::name.eq(&series.name),
            learning_series::description.eq(&series.description),
            learning_series::created_at.eq(at),
            learning_series::updated_at.eq(at),
        )
    )
    .map_err(series_name_taken)
}

/// Replaces a series' name and description.
pub fn update_series(conn: &mut DbConn, id: i64, series: &NewSeries) -> Result<(), WriteError> {
    series_taken(conn, &series.name, Some(id))?;
    let n = diesel::update(learning_series::table.find(id))
        .set((
            learning_series::name.eq(&series.name),
            learning_series::description.eq(&series.description),
            learning_series::updated_at.eq(now()),
        ))
        .execute(conn)
        .map_err(series_name_taken)?;
    if n == 0 {
        return Err(diesel::result::Error::NotFound.into());
    }
    Ok(())
}

/// Which sessions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    pub ids: Option<Vec<i64>>,
    pub offering_id: Option<i64>,
    pub department_id: Option<i64>,
    pub series_id: Option<i64>,
    /// Sessions on this day or later.
    pub from: Option<NaiveDate>,
    /// Sessions on this day or earlier.
    pub to: Option<NaiveDate>,
    /// Sessions this campus registered for.
    pub school_id: Option<i64>,
    /// Sessions addressing one of these look-for codes (lower case).
    pub codes: Option<Vec<String>>,
    pub include_cancelled: bool,
    pub limit: Option<i64>,
}

type SessionRow = (
    (i64, i64, String, i64, String, i32),
    (
        Option<i64>,
        Option<String>,
        NaiveDate,
        String,
        String,
        String,
    ),
    (i32, Option<i64>, Option<String>, bool),
);

/// Sessions in date order.
pub fn sessions(conn: &mut DbConn, filter: &SessionFilter) -> QueryResult<Vec<Session>> {
    let mut query = learning_sessions::table
        .inner_join(offerings::table.inner_join(departments::table))
        .left_join(learning_series::table)
        .left_join(users::table)
        .order((
            learning_sessions::on_date.asc(),
            learning_sessions::starts_at.asc(),
            learning_sessions::id.asc(),
        ))
        .into_boxed();
    if let Some(ids) = &filter.ids {
        query = query.filter(learning_sessions::id.eq_any(ids.clone()));
    }
    if let Some(id) = filter.offering_id {
        query = query.filter(learning_sessions::offering_id.eq(id));
    }
    if let Some(id) = filter.department_id {
        query = query.filter(offerings::department_id.eq(id));
    }
    if let Some(id) = filter.series_id {
        query = query.filter(learning_sessions::series_id.eq(id));
    }
    if let Some(from) = filter.from {
        query = query.filter(learning_sessions::on_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(learning_sessions::on_date.le(to));
    }
    if let Some(school_id) = filter.school_id {
        query = query.filter(
            learning_sessions::id.eq_any(
                session_registrations::table
                    .filter(session_registrations::school_id.eq(school_id))
                    .select(session_registrations::session_id),
            ),
        );
    }
    if let Some(codes) = &filter.codes {
        query = query.filter(
            learning_sessions::offering_id.eq_any(
                offering_look_fors::table
                    .filter(lower(offering_look_fors::code).eq_any(codes.clone()))
                    .select(offering_look_fors::offering_id),
            ),
        );
    }
    if !filter.include_cancelled {
        query = query.filter(learning_sessions::cancelled.eq(false));
    }
    if let Some(limit) = filter.limit {
        query = query.limit(limit);
    }
    let rows: Vec<SessionRow> = query
        .select((
            (
                learning_sessions::id,
                offerings::id,
                offerings::title,
                departments::id,
                departments::name,
                offerings::credit_tenths,
            ),
            (
                learning_series::id.nullable(),
                learning_series::name.nullable(),
                learning_sessions::on_date,
                learning_sessions::starts_at,
                learning_sessions::ends_at,
                learning_sessions::place,
            ),
            (
                learning_sessions::capacity,
                users::id.nullable(),
                users::name.nullable(),
                learning_sessions::cancelled,
            ),
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0 .0).collect();
    let mut taken: BTreeMap<i64, i64> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let counts: Vec<(i64, Option<i64>)> = session_registrations::table
            .filter(session_registrations::session_id.eq_any(chunk))
            .group_by(session_registrations::session_id)
            .select((
                session_registrations::session_id,
                diesel::dsl::sum(session_registrations::participants),
            ))
            .load(conn)?;
        taken.extend(counts.into_iter().map(|(id, n)| (id, n.unwrap_or(0))));
    }
    Ok(rows
        .into_iter()
        .map(|(a, b, c)| Session {
            id: a.0,
            offering: Link { id: a.1, name: a.2 },
            department: Link { id: a.3, name: a.4 },
            credit_tenths: a.5,
            series: b.0.zip(b.1).map(|(id, name)| Link { id, name }),
            on_date: b.2,
            starts_at: b.3,
            ends_at: b.4,
            place: b.5,
            capacity: c.0,
            taken: taken.get(&a.0).copied().unwrap_or(0) as i32,
            facilitator: c.1.zip(c.2).map(|(id, name)| Link { id, name }),
            cancelled: c.3,
        })
        .collect())
}

/// One session, cancelled or not (NotFound when there is none).
pub fn session(conn: &mut DbConn, id: i64) -> QueryResult<Session> {
    sessions(
        conn,
        &SessionFilter {
            ids: Some(vec![id]),
            include_cancelled: true,
            ..SessionFilter::default()
        },
    )?
    .pop()
    .ok_or(diesel::result::Error::NotFound)
}

/// Checks what a session refers to: a series that exists, an active
/// facilitator.
fn check_session(conn: &mut DbConn, session: &NewSession) -> Result<(), WriteError> {
    if let Some(series_id) = session.series_id {
        let n: i64 = learning_series::table
            .filter(learning_series::id.eq(series_id))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(WriteError::conflict(
                "series_id",
                "Choose a series from the list.",
            ));
        }
    }
    if let Some(facilitator_id) = session.facilitator_id {
        let n: i64 = users::table
            .filter(users::id.eq(facilitator_id))
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(WriteError::conflict(
                "facilitator_id",
                "Choose an active person as facilitator.",
            ));
        }
    }
    Ok(())
}

/// Adds a session to offering `offering_id`.
pub fn insert_session(
    conn: &mut DbConn,
    offering_id: i64,
    session: &NewSession,
) -> Result<i64, WriteError> {
    offering_department(conn, offering_id)?;
    check_session(conn, session)?;
    let at = now();
    Ok(insert_returning_id!(
        conn,
        learning_sessions::table,
        learning_sessions::id,
        (
            learning_sessions::offering_id.eq(offering_id),
            learning_sessions::series_id.eq(session.series_id),
            learning_sessions::on_date.eq(session.on_date),
            learning_sessions::starts_at.eq(session.starts_at.format("%H:%M").to_string()),
            learning_sessions::ends_at.eq(session.ends_at.format("%H:%M").to_string()),
            learning_sessions::place.eq(&session.place),
            learning_sessions::capacity.eq(session.capacity),
            learning_sessions::facilitator_id.eq(session.facilitator_id),
            learning_sessions::cancelled.eq(session.cancelled),
            learning_sessions::created_at.eq(at),
            learning_sessions::updated_at.eq(at),
        )
    )?)
}

/// Locks session `id` against other registrations until the transaction
/// ends (PostgreSQL; SQLite has one writer at a time), and reads it.
fn lock_session(conn: &mut DbConn, id: i64) -> QueryResult<Session> {
    if let DbConn::Postgres(_) = conn {
        raw::execute(
            conn,
            "SELECT id FROM learning_sessions WHERE id = ? FOR UPDATE",
            &[Param::Int(id)],
        )?;
    }
    session(conn, id)
}

/// Replaces a session's fields; its seats never fall below those held.
pub fn update_session(conn: &mut DbConn, id: i64, session: &NewSession) -> Result<(), WriteError> {
    let current = lock_session(conn, id)?;
    check_session(conn, session)?;
    if session.capacity < current.taken {
        return Err(WriteError::conflict(
            "capacity",
            format!(
                "The campuses hold {} seats: give at least that many.",
                current.taken
            ),
        ));
    }
    diesel::update(learning_sessions::table.find(id))
        .set((
            learning_sessions::series_id.eq(session.series_id),
            learning_sessions::on_date.eq(session.on_date),
            learning_sessions::starts_at.eq(session.starts_at.format("%H:%M").to_string()),
            learning_sessions::ends_at.eq(session.ends_at.format("%H:%M").to_string()),
            learning_sessions::place.eq(&session.place),
            learning_sessions::capacity.eq(session.capacity),
            learning_sessions::facilitator_id.eq(session.facilitator_id),
            learning_sessions::cancelled.eq(session.cancelled),
            learning_sessions::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

type RegistrationRow = (
    i64,
    i64,
    i64,
    String,
    i32,
    String,
    Option<i32>,
    Option<String>,
    NaiveDateTime,
);

fn registrations_where(
    conn: &mut DbConn,
    session_id: Option<i64>,
    school_id: Option<i64>,
) -> QueryResult<Vec<Registration>> {
    let mut query = session_registrations::table
        .inner_join(schools::table)
        .left_join(users::table)
        .order(lower(schools::name).asc())
        .into_boxed();
    if let Some(id) = session_id {
        query = query.filter(session_registrations::session_id.eq(id));
    }
    if let Some(id) = school_id {
        query = query.filter(session_registrations::school_id.eq(id));
    }
    let rows: Vec<RegistrationRow> = query
        .select((
            session_registrations::id,
            session_registrations::session_id,
            schools::id,
            schools::name,
            session_registrations::participants,
            session_registrations::names,
            session_registrations::attended,
            users::name.nullable(),
            session_registrations::updated_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Registration {
            id: r.0,
            session_id: r.1,
            school: Link { id: r.2, name: r.3 },
            participants: r.4,
            names: r.5,
            attended: r.6,
            registered_by: r.7,
            updated_at: r.8,
        })
        .collect())
}

/// A session's registrations in campus order.
pub fn registrations(conn: &mut DbConn, session_id: i64) -> QueryResult<Vec<Registration>> {
    registrations_where(conn, Some(session_id), None)
}

/// A campus's registration for a session, if any.
pub fn registration(
    conn: &mut DbConn,
    session_id: i64,
    school_id: i64,
) -> QueryResult<Option<Registration>> {
    Ok(registrations_where(conn, Some(session_id), Some(school_id))?.pop())
}

/// What a registration did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    Created(Registration),
    Changed(Registration),
    /// The same count and names as before: nothing written.
    Unchanged(Registration),
}

impl Registered {
    pub fn registration(&self) -> &Registration {
        match self {
            Registered::Created(r) | Registered::Changed(r) | Registered::Unchanged(r) => r,
        }
    }
}

/// Registers `participants` of campus `school_id` for session `session_id`
/// (replacing the campus's earlier count), within the seats left on
/// `today`. The session is locked first, so two campuses taking the last
/// seats at once never hold more than its capacity.
pub fn register(
    conn: &mut DbConn,
    session_id: i64,
    school_id: i64,
    participants: i32,
    names: &str,
    by: i64,
    today: NaiveDate,
) -> Result<Registered, WriteError> {
    let session = lock_session(conn, session_id)?;
    let active: Option<bool> = schools::table
        .find(school_id)
        .select(schools::active)
        .first(conn)
        .optional()?;
    if active != Some(true) {
        return Err(WriteError::conflict(
            "school_id",
            "Choose an active campus from the list.",
        ));
    }
    let before = registration(conn, session_id, school_id)?;
    let held = before.as_ref().map_or(0, |r| r.participants);
    if let Some(before) = &before {
        if before.participants == participants && before.names == names {
            return Ok(Registered::Unchanged(before.clone()));
        }
    }
    check_registration(session.state_for(held), participants, today).map_err(refused)?;
    let at = now();
    match &before {
        Some(_) => {
            diesel::update(
                session_registrations::table
                    .filter(session_registrations::session_id.eq(session_id))
                    .filter(session_registrations::school_id.eq(school_id)),
            )
            .set((
                session_registrations::participants.eq(participants),
                session_registrations::names.eq(names),
                session_registrations::registered_by.eq(Some(by)),
                session_registrations::updated_at.eq(at),
            ))
            .execute(conn)?;
        }
        None => {
            diesel::insert_into(session_registrations::table)
                .values((
                    session_registrations::session_id.eq(session_id),
                    session_registrations::school_id.eq(school_id),
                    session_registrations::participants.eq(participants),
                    session_registrations::names.eq(names),
                    session_registrations::registered_by.eq(Some(by)),
                    session_registrations::created_at.eq(at),
                    session_registrations::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    let now = registration(conn, session_id, school_id)?.ok_or(diesel::result::Error::NotFound)?;
    Ok(match before {
        Some(_) => Registered::Changed(now),
        None => Registered::Created(now),
    })
}

/// Withdraws campus `school_id` from session `session_id` before the day.
/// Returns whether it was registered.
pub fn withdraw(
    conn: &mut DbConn,
    session_id: i64,
    school_id: i64,
    today: NaiveDate,
) -> Result<bool, WriteError> {
    let session = lock_session(conn, session_id)?;
    check_withdrawal(session.state_for(0), today).map_err(refused)?;
    let n = diesel::delete(
        session_registrations::table
            .filter(session_registrations::session_id.eq(session_id))
            .filter(session_registrations::school_id.eq(school_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Records how many of each registered campus attended session
/// `session_id`. Every campus named must be registered.
pub fn mark_attendance(
    conn: &mut DbConn,
    session_id: i64,
    counts: &[(i64, i32)],
    today: NaiveDate,
) -> Result<(), WriteError> {
    let session = lock_session(conn, session_id)?;
    let registered: BTreeSet<i64> = registrations(conn, session_id)?
        .iter()
        .map(|r| r.school.id)
        .collect();
    for (school_id, attended) in counts {
        check_attendance(session.state_for(0), *attended, today).map_err(refused)?;
        if !registered.contains(school_id) {
            return Err(WriteError::conflict(
                "school_id",
                "That campus is not registered for this session.",
            ));
        }
        diesel::update(
            session_registrations::table
                .filter(session_registrations::session_id.eq(session_id))
                .filter(session_registrations::school_id.eq(*school_id)),
        )
        .set((
            session_registrations::attended.eq(Some(*attended)),
            session_registrations::updated_at.eq(now()),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Item `item_id`'s links to learning, in offering title order.
pub fn item_learning(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<ItemLearning>> {
    items_learning(conn, &[item_id])
}

/// The links to learning of items `item_ids`, by item, in offering title
/// order: two queries whatever the number of items.
pub fn items_learning(conn: &mut DbConn, item_ids: &[i64]) -> QueryResult<Vec<ItemLearning>> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, i64, String, Option<i64>)> = action_item_learning::table
        .inner_join(offerings::table)
        .filter(action_item_learning::item_id.eq_any(item_ids))
        .order((
            action_item_learning::item_id.asc(),
            lower(offerings::title).asc(),
        ))
        .select((
            action_item_learning::item_id,
            offerings::id,
            offerings::title,
            action_item_learning::session_id,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.3).collect();
    let sessions: BTreeMap<i64, Session> = if ids.is_empty() {
        BTreeMap::new()
    } else {
        sessions(
            conn,
            &SessionFilter {
                ids: Some(ids),
                include_cancelled: true,
                ..SessionFilter::default()
            },
        )?
        .into_iter()
        .map(|s| (s.id, s))
        .collect()
    };
    Ok(rows
        .into_iter()
        .map(|(item_id, id, title, session_id)| ItemLearning {
            item_id,
            offering: Link { id, name: title },
            session: session_id.and_then(|s| sessions.get(&s).cloned()),
        })
        .collect())
}

/// The look-for codes (lower case) behind item `item_id`.
fn item_codes(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<String>> {
    action_item_indicators::table
        .inner_join(indicators::table)
        .filter(action_item_indicators::item_id.eq(item_id))
        .select(lower(indicators::code))
        .load(conn)
}

/// The active offerings addressing one of item `item_id`'s look-fors, each
/// with its sessions from `today` on (at most five).
pub fn suggestions(
    conn: &mut DbConn,
    item_id: i64,
    today: NaiveDate,
) -> QueryResult<Vec<Suggestion>> {
    let codes = item_codes(conn, item_id)?;
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = offering_look_fors::table
        .filter(lower(offering_look_fors::code).eq_any(&codes))
        .select(offering_look_fors::offering_id)
        .distinct()
        .load(conn)?;
    let mut suggestions = Vec::new();
    for offering in offerings(conn, OfferingFilter::default())?
        .into_iter()
        .filter(|o| ids.contains(&o.id))
    {
        let sessions = sessions(
            conn,
            &SessionFilter {
                offering_id: Some(offering.id),
                from: Some(today),
                limit: Some(5),
                ..SessionFilter::default()
            },
        )?;
        suggestions.push(Suggestion { offering, sessions });
    }
    Ok(suggestions)
}

/// Links item `item_id` to an offering, or to one of its sessions (which
/// names the offering). Linking again replaces the session chosen.
pub fn link_item(
    conn: &mut DbConn,
    item_id: i64,
    offering_id: Option<i64>,
    session_id: Option<i64>,
    by: i64,
) -> Result<i64, WriteError> {
    let offering_id = match (offering_id, session_id) {
        (_, Some(session_id)) => {
            let session = match session(conn, session_id) {
                Ok(session) => session,
                Err(diesel::result::Error::NotFound) => {
                    return Err(WriteError::conflict(
                        "session_id",
                        "No session has that id.",
                    ))
                }
                Err(e) => return Err(e.into()),
            };
            if offering_id.is_some_and(|o| o != session.offering.id) {
                return Err(WriteError::conflict(
                    "session_id",
                    "That session is of another offering.",
                ));
            }
            session.offering.id
        }
        (Some(offering_id), None) => {
            let n: i64 = offerings::table
                .filter(offerings::id.eq(offering_id))
                .count()
                .get_result(conn)?;
            if n == 0 {
                return Err(WriteError::conflict(
                    "offering_id",
                    "No offering has that id.",
                ));
            }
            offering_id
        }
        (None, None) => {
            return Err(WriteError::field(
                "offering_id",
                "Choose an offering or one of its sessions.",
            ))
        }
    };
    diesel::delete(
        action_item_learning::table
            .filter(action_item_learning::item_id.eq(item_id))
            .filter(action_item_learning::offering_id.eq(offering_id)),
    )
    .execute(conn)?;
    diesel::insert_into(action_item_learning::table)
        .values((
            action_item_learning::item_id.eq(item_id),
            action_item_learning::offering_id.eq(offering_id),
            action_item_learning::session_id.eq(session_id),
            action_item_learning::linked_by.eq(Some(by)),
            action_item_learning::linked_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(offering_id)
}

/// Removes item `item_id`'s link to offering `offering_id`; whether there
/// was one.
pub fn unlink_item(conn: &mut DbConn, item_id: i64, offering_id: i64) -> QueryResult<bool> {
    let n = diesel::delete(
        action_item_learning::table
            .filter(action_item_learning::item_id.eq(item_id))
            .filter(action_item_learning::offering_id.eq(offering_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// The published items linked to session `session_id`.
pub fn served(conn: &mut DbConn, session_id: i64) -> QueryResult<Vec<Served>> {
    let rows: Vec<(i64, String, i64, String)> = action_item_learning::table
        .inner_join(action_items::table.inner_join(schools::table))
        .filter(action_item_learning::session_id.eq(session_id))
        .filter(action_items::status.ne_all(["proposed", "dropped"]))
        .order((lower(schools::name).asc(), action_items::id.asc()))
        .select((
            action_items::id,
            action_items::title,
            schools::id,
            schools::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(item_id, title, id, name)| Served {
            item_id,
            title,
            school: Link { id, name },
        })
        .collect())
}

/// Attendance and credit hours by campus (one campus, or all), from
/// sessions held and marked.
pub fn credits(conn: &mut DbConn, school_id: Option<i64>) -> QueryResult<Vec<CampusCredit>> {
    let mut query = session_registrations::table
        .inner_join(schools::table)
        .inner_join(learning_sessions::table.inner_join(offerings::table))
        .filter(session_registrations::attended.is_not_null())
        .filter(learning_sessions::cancelled.eq(false))
        .into_boxed();
    if let Some(id) = school_id {
        query = query.filter(session_registrations::school_id.eq(id));
    }
    let rows: Vec<(i64, String, Option<i32>, i32)> = query
        .select((
            schools::id,
            schools::name,
            session_registrations::attended,
            offerings::credit_tenths,
        ))
        .load(conn)?;
    let mut by_school: BTreeMap<(String, i64), CampusCredit> = BTreeMap::new();
    for (id, name, attended, credit) in rows {
        let attended = attended.unwrap_or(0);
        let entry = by_school
            .entry((name.to_lowercase(), id))
            .or_insert_with(|| CampusCredit {
                school: Link {
                    id,
                    name: name.clone(),
                },
                sessions: 0,
                attended: 0,
                credit_tenths: 0,
            });
        if attended > 0 {
            entry.sessions += 1;
        }
        entry.attended += i64::from(attended);
        entry.credit_tenths += crate::domain::learning::earned_tenths(attended, credit);
    }
    Ok(by_school.into_values().collect())
}

#[derive(QueryableByName)]
struct EvidenceRow {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    school_id: i64,
    #[diesel(sql_type = Date)]
    visit_date: NaiveDate,
    #[diesel(sql_type = BigInt)]
    observed: i64,
    #[diesel(sql_type = BigInt)]
    applicable: i64,
}

/// For each offering (of one department, or all) and each look-for it
/// addresses: how the look-for moved at the campuses that attended, and
/// at those weak in it that did not (see [`compare`]).
pub fn learning_impact(
    conn: &mut DbConn,
    department_id: Option<i64>,
    today: NaiveDate,
) -> QueryResult<Vec<LearningImpactRow>> {
    let catalogue = offerings(
        conn,
        OfferingFilter {
            department_id,
            include_inactive: true,
        },
    )?;
    if catalogue.is_empty() {
        return Ok(Vec::new());
    }
    let rules = super::settings::find(conn)?.rules;
    let codes: BTreeSet<String> = catalogue
        .iter()
        .flat_map(|o| o.look_fors.iter().map(|c| c.to_lowercase()))
        .collect();
    // Every campus's visits showing those look-fors, in date order.
    let mut evidence: BTreeMap<String, BTreeMap<i64, Vec<Seen>>> = BTreeMap::new();
    let code_list: Vec<String> = codes.iter().cloned().collect();
    for chunk in code_list.chunks(200) {
        let rows: Vec<EvidenceRow> = raw::load(
            conn,
            &format!(
                "SELECT lower(i.code) AS code, v.school_id, v.visit_date, \
                     CAST(r.observed AS BIGINT) AS observed, \
                     CAST(r.observed + r.partly + r.not_observed AS BIGINT) AS applicable \
                 FROM visit_look_for_rollups r \
                 JOIN indicators i ON i.id = r.indicator_id \
                 JOIN visits v ON v.id = r.visit_id \
                 WHERE lower(i.code) IN ({}) \
                     AND r.observed + r.partly + r.not_observed > 0 \
                 ORDER BY v.school_id, v.visit_date, v.id",
                raw::placeholders(chunk.len())
            ),
            &chunk.iter().cloned().map(Param::Text).collect::<Vec<_>>(),
        )?;
        for row in rows {
            evidence
                .entry(row.code)
                .or_default()
                .entry(row.school_id)
                .or_default()
                .push((
                    row.visit_date,
                    crate::domain::insights::Share::new(row.observed, row.applicable),
                ));
        }
    }
    let titles: BTreeMap<String, String> = {
        let rows: Vec<(String, String, i64)> = indicators::table
            .select((lower(indicators::code), indicators::title, indicators::id))
            .load(conn)?;
        let mut newest: BTreeMap<String, (i64, String)> = BTreeMap::new();
        for (code, title, id) in rows {
            let entry = newest.entry(code).or_insert((id, title.clone()));
            if id > entry.0 {
                *entry = (id, title);
            }
        }
        newest.into_iter().map(|(c, (_, t))| (c, t)).collect()
    };
    let names: BTreeMap<i64, String> = schools::table
        .select((schools::id, schools::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let link = |id: i64| Link {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    };
    // Each offering's sessions held, and each campus's first attended one.
    let held: Vec<(i64, NaiveDate, Option<i64>, Option<i32>)> = learning_sessions::table
        .left_join(session_registrations::table)
        .filter(learning_sessions::cancelled.eq(false))
        .filter(learning_sessions::on_date.le(today))
        .select((
            learning_sessions::offering_id,
            learning_sessions::on_date,
            session_registrations::school_id.nullable(),
            session_registrations::attended.nullable(),
        ))
        .load(conn)?;
    let mut first_session: BTreeMap<i64, NaiveDate> = BTreeMap::new();
    let mut attended: BTreeMap<i64, BTreeMap<i64, NaiveDate>> = BTreeMap::new();
    for (offering_id, on_date, school_id, count) in held {
        let first = first_session.entry(offering_id).or_insert(on_date);
        *first = (*first).min(on_date);
        if let (Some(school_id), Some(count)) = (school_id, count) {
            if count > 0 {
                let day = attended
                    .entry(offering_id)
                    .or_default()
                    .entry(school_id)
                    .or_insert(on_date);
                *day = (*day).min(on_date);
            }
        }
    }
    let none = BTreeMap::new();
    let mut rows = Vec::new();
    for offering in &catalogue {
        for code in &offering.look_fors {
            let key = code.to_lowercase();
            let comparison = compare(
                attended.get(&offering.id).unwrap_or(&none),
                first_session.get(&offering.id).copied(),
                evidence.get(&key).unwrap_or(&BTreeMap::new()),
                &rules,
            );
            rows.push(LearningImpactRow {
                offering: Link {
                    id: offering.id,
                    name: offering.title.clone(),
                },
                department: offering.department.clone(),
                code: code.clone(),
                look_for: titles.get(&key).cloned().unwrap_or_default(),
                attended: comparison.attended_summary(),
                compared: comparison.compared_summary(),
                attended_pairs: comparison
                    .attended
                    .iter()
                    .map(|p| (link(p.school_id), *p))
                    .collect(),
                compared_pairs: comparison
                    .compared
                    .iter()
                    .map(|p| (link(p.school_id), *p))
                    .collect(),
            });
        }
    }
    Ok(rows)
}

/// The sessions in a person's calendar from `from` on: those of campus
/// `school_id`'s registrations (a school leader's), of department
/// `department_id` (a department head's), and those they facilitate.
pub fn for_calendar(
    conn: &mut DbConn,
    user_id: i64,
    school_id: Option<i64>,
    department_id: Option<i64>,
    from: NaiveDate,
) -> QueryResult<Vec<Session>> {
    let mut ids: BTreeSet<i64> = learning_sessions::table
        .filter(learning_sessions::facilitator_id.eq(user_id))
        .filter(learning_sessions::on_date.ge(from))
        .select(learning_sessions::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    for filter in [
        school_id.map(|id| SessionFilter {
            school_id: Some(id),
            ..SessionFilter::default()
        }),
        department_id.map(|id| SessionFilter {
            department_id: Some(id),
            ..SessionFilter::default()
        }),
    ]
    .into_iter()
    .flatten()
    {
        let found = sessions(
            conn,
            &SessionFilter {
                from: Some(from),
                include_cancelled: true,
                ..filter
            },
        )?;
        ids.extend(found.into_iter().map(|s| s.id));
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sessions(
        conn,
        &SessionFilter {
            ids: Some(ids.into_iter().collect()),
            include_cancelled: true,
            ..SessionFilter::default()
        },
    )
}

/// The whole catalogue as its exchange document: series, and offerings in
/// title order with every session (departments and series by name,
/// facilitators by email).
pub fn catalogue(conn: &mut DbConn) -> QueryResult<crate::domain::catalogue::CatalogueDoc> {
    use crate::domain::catalogue::{CatalogueDoc, OfferingDoc, SeriesDoc, SessionDoc};
    let series = series_list(conn)?
        .into_iter()
        .map(|s| SeriesDoc {
            name: s.name,
            description: s.description,
        })
        .collect();
    let emails: BTreeMap<i64, String> = users::table
        .select((users::id, users::email))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut offerings = Vec::new();
    for o in offerings_all(conn)? {
        let sessions = sessions(
            conn,
            &SessionFilter {
                offering_id: Some(o.id),
                include_cancelled: true,
                ..SessionFilter::default()
            },
        )?
        .into_iter()
        .map(|s| SessionDoc {
            date: s.on_date.to_string(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            place: s.place,
            capacity: s.capacity,
            series: s.series.map(|l| l.name),
            facilitator: s.facilitator.and_then(|f| emails.get(&f.id).cloned()),
            cancelled: s.cancelled,
        })
        .collect();
        offerings.push(OfferingDoc {
            title: o.title,
            description: o.description,
            format: o.format.as_str().to_owned(),
            department: o.department.name,
            audience: o.audience.as_str().to_owned(),
            credit_hours: f64::from(o.credit_tenths) / 10.0,
            look_fors: o.look_fors,
            active: o.active,
            sessions,
        });
    }
    Ok(CatalogueDoc { series, offerings })
}

fn offerings_all(conn: &mut DbConn) -> QueryResult<Vec<Offering>> {
    offerings(
        conn,
        OfferingFilter {
            department_id: None,
            include_inactive: true,
        },
    )
}

/// What resolves the names of a catalogue file: departments by name,
/// active people by email, look-for codes in any case.
pub struct Names {
    departments: BTreeMap<String, i64>,
    people: BTreeMap<String, i64>,
    codes: BTreeMap<String, String>,
}

impl Names {
    pub fn load(conn: &mut DbConn) -> QueryResult<Self> {
        Ok(Self {
            departments: departments::table
                .select((lower(departments::name), departments::id))
                .load::<(String, i64)>(conn)?
                .into_iter()
                .collect(),
            people: users::table
                .filter(users::active.eq(true))
                .select((lower(users::email), users::id))
                .load::<(String, i64)>(conn)?
                .into_iter()
                .collect(),
            codes: known_codes(conn)?,
        })
    }

    pub fn department(&self, name: &str) -> Option<i64> {
        self.departments.get(&name.to_lowercase()).copied()
    }

    pub fn person(&self, email: &str) -> Option<i64> {
        self.people.get(&email.to_lowercase()).copied()
    }

    pub fn code(&self, code: &str) -> Option<String> {
        self.codes.get(&code.to_lowercase()).cloned()
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatalogueCounts {
    pub series: usize,
    pub offerings_added: usize,
    pub offerings_updated: usize,
    pub sessions_added: usize,
    pub sessions_updated: usize,
}

/// Stores a checked catalogue: a series by name, an offering by title and
/// a session by its offering, day and start are updated when they exist
/// and added otherwise. Nothing is deleted. Call inside a transaction.
pub fn import_catalogue(
    conn: &mut DbConn,
    catalogue: &crate::domain::catalogue::NewCatalogue,
) -> Result<CatalogueCounts, WriteError> {
    let mut counts = CatalogueCounts::default();
    let mut series_ids: BTreeMap<String, i64> = series_list(conn)?
        .into_iter()
        .map(|s| (s.name.to_lowercase(), s.id))
        .collect();
    for series in &catalogue.series {
        match series_ids.get(&series.name.to_lowercase()) {
            // A CSV names series only: an empty description keeps theirs.
            Some(&id) if !series.description.is_empty() => update_series(conn, id, series)?,
            Some(_) => {}
            None => {
                let id = insert_series(conn, series)?;
                series_ids.insert(series.name.to_lowercase(), id);
                counts.series += 1;
            }
        }
    }
    let existing: BTreeMap<String, i64> = offerings_all(conn)?
        .into_iter()
        .map(|o| (o.title.to_lowercase(), o.id))
        .collect();
    for (offering, sessions) in &catalogue.offerings {
        let id = match existing.get(&offering.title.to_lowercase()) {
            Some(&id) => {
                update_offering(conn, id, offering)?;
                counts.offerings_updated += 1;
                id
            }
            None => {
                counts.offerings_added += 1;
                insert_offering(conn, offering)?
            }
        };
        let held: BTreeMap<(NaiveDate, String), i64> = self::sessions(
            conn,
            &SessionFilter {
                offering_id: Some(id),
                include_cancelled: true,
                ..SessionFilter::default()
            },
        )?
        .into_iter()
        .map(|s| ((s.on_date, s.starts_at), s.id))
        .collect();
        for (session, series) in sessions {
            let mut session = session.clone();
            session.series_id = series
                .as_ref()
                .and_then(|name| series_ids.get(&name.to_lowercase()).copied());
            let key = (
                session.on_date,
                session.starts_at.format("%H:%M").to_string(),
            );
            match held.get(&key) {
                Some(&session_id) => {
                    update_session(conn, session_id, &session)?;
                    counts.sessions_updated += 1;
                }
                None => {
                    insert_session(conn, id, &session)?;
                    counts.sessions_added += 1;
                }
            }
        }
    }
    Ok(counts)
}

#[derive(QueryableByName)]
struct WeakRow {
    #[diesel(sql_type = BigInt)]
    indicator_id: i64,
    #[diesel(sql_type = BigInt)]
    observed: i64,
    #[diesel(sql_type = BigInt)]
    applicable: i64,
}

/// The look-fors (of one department's, or all) that are weak under
/// `rules` at the campuses' latest visits `visits` and that an active
/// offering with sessions to come addresses: how many campuses each is
/// weak at and its soonest sessions; most campuses first.
pub fn weak_look_for_learning(
    conn: &mut DbConn,
    visits: &[i64],
    department_id: Option<i64>,
    today: NaiveDate,
    rules: &crate::domain::action_item::Rules,
) -> QueryResult<Vec<WeakLookForLearning>> {
    if visits.is_empty() {
        return Ok(Vec::new());
    }
    // The look-fors the sessions to come address, and which offerings.
    let upcoming = sessions(
        conn,
        &SessionFilter {
            from: Some(today),
            ..SessionFilter::default()
        },
    )?;
    if upcoming.is_empty() {
        return Ok(Vec::new());
    }
    let offering_ids: BTreeSet<i64> = upcoming.iter().map(|s| s.offering.id).collect();
    let addressed: Vec<(i64, String)> = offering_look_fors::table
        .inner_join(offerings::table)
        .filter(offerings::active.eq(true))
        .filter(offering_look_fors::offering_id.eq_any(offering_ids.iter().copied()))
        .select((
            offering_look_fors::offering_id,
            lower(offering_look_fors::code),
        ))
        .load(conn)?;
    let mut offerings_of: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for (offering_id, code) in addressed {
        offerings_of.entry(code).or_default().insert(offering_id);
    }
    if offerings_of.is_empty() {
        return Ok(Vec::new());
    }
    // Those look-fors (by id: every version of a framework has its own)
    // at each campus's latest visit, read as numbers only.
    let look_fors: BTreeMap<i64, (String, String)> = indicators::table
        .filter(lower(indicators::code).eq_any(offerings_of.keys().cloned().collect::<Vec<_>>()))
        .select((
            indicators::id,
            indicators::code,
            indicators::title,
            indicators::department_id,
        ))
        .load::<(i64, String, String, Option<i64>)>(conn)?
        .into_iter()
        .filter(|l| department_id.is_none_or(|id| l.3 == Some(id)))
        .map(|(id, code, title, _)| (id, (code, title)))
        .collect();
    if look_fors.is_empty() {
        return Ok(Vec::new());
    }
    let mut params: Vec<Param> = look_fors.keys().copied().map(Param::Int).collect();
    params.extend(visits.iter().copied().map(Param::Int));
    let rows: Vec<WeakRow> = raw::load(
        conn,
        &format!(
            "SELECT indicator_id, CAST(observed AS BIGINT) AS observed, \
                 CAST(observed + partly + not_observed AS BIGINT) AS applicable \
             FROM visit_look_for_rollups \
             WHERE indicator_id IN ({}) AND visit_id IN ({})",
            raw::placeholders(look_fors.len()),
            raw::placeholders(visits.len())
        ),
        &params,
    )?;
    // By code in lower case: (the code as written, its title, campuses).
    let mut weak: BTreeMap<String, (String, String, i64)> = BTreeMap::new();
    for row in rows {
        let is_weak = crate::domain::action_item::is_weak_share(
            row.observed.max(0) as u64,
            row.applicable.max(0) as u64,
            rules,
        );
        if let (true, Some((code, title))) = (is_weak, look_fors.get(&row.indicator_id)) {
            weak.entry(code.to_lowercase())
                .or_insert_with(|| (code.clone(), title.clone(), 0))
                .2 += 1;
        }
    }
    let mut found: Vec<WeakLookForLearning> = weak
        .into_iter()
        .map(|(key, (code, title, weak_campuses))| {
            let addressing = &offerings_of[&key];
            WeakLookForLearning {
                sessions: upcoming
                    .iter()
                    .filter(|s| addressing.contains(&s.offering.id))
                    .take(WEAK_SESSIONS_SHOWN)
                    .cloned()
                    .collect(),
                code,
                title,
                weak_campuses,
            }
        })
        .collect();
    found.sort_by(|a, b| {
        b.weak_campuses
            .cmp(&a.weak_campuses)
            .then_with(|| a.code.cmp(&b.code))
    });
    Ok(found)
}

/// Everything the learning impact is computed from, as one value: the
/// day; the count and last change of the offerings, their look-fors,
/// sessions, registrations, campuses, departments, visits and settings;
/// the look-fors by count and newest id; and the sum of the visits'
/// roll-up versions (each rewrite of a roll-up adds one). Any write that
/// could change the learning impact changes the stamp.
pub fn impact_stamp(conn: &mut DbConn, today: NaiveDate) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Stamp {
        #[diesel(sql_type = Text)]
        stamp: String,
    }
    let part = |sql: &str| format!("COALESCE(CAST(({sql}) AS TEXT), '-')");
    let changed = |table: &str| {
        [
            part(&format!("SELECT COUNT(*) FROM {table}")),
            part(&format!("SELECT MAX(updated_at) FROM {table}")),
        ]
    };
    let mut parts = Vec::new();
    for table in [
        "offerings",
        "learning_sessions",
        "session_registrations",
        "schools",
        "departments",
        "visits",
        "district_settings",
    ] {
        parts.extend(changed(table));
    }
    parts.push(part("SELECT COUNT(*) FROM offering_look_fors"));
    parts.push(part("SELECT COUNT(*) FROM indicators"));
    parts.push(part("SELECT MAX(id) FROM indicators"));
    parts.push(part("SELECT SUM(rollup_version) FROM visits"));
    let sql = format!("SELECT {} AS stamp", parts.join(" || '/' || "));
    let found: Vec<Stamp> = raw::load(conn, &sql, &[])?;
    Ok(format!(
        "{today}/{}",
        found
            .into_iter()
            .next()
            .map(|s| s.stamp)
            .unwrap_or_default()
    ))
}

/// The learning impact and the stamp of the record it was computed from.
type Stamped = (String, std::sync::Arc<Vec<LearningImpactRow>>);

/// The district's learning impact, kept between views while its
/// [`impact_stamp`] holds: computed once after any change, shared by every
/// request of this server, and checked against the record on each view,
/// so it is never older than the record (several servers each keep their
/// own).
#[derive(Clone, Default)]
pub struct KeptImpact {
    kept: std::sync::Arc<std::sync::Mutex<Option<Stamped>>>,
    computed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl KeptImpact {
    /// The learning impact of one department's offerings, or every one.
    pub fn rows(
        &self,
        conn: &mut DbConn,
        department_id: Option<i64>,
        today: NaiveDate,
    ) -> QueryResult<Vec<LearningImpactRow>> {
        let stamp = impact_stamp(conn, today)?;
        let held = self.kept.lock().ok().and_then(|kept| {
            kept.as_ref()
                .filter(|(s, _)| *s == stamp)
                .map(|(_, rows)| rows.clone())
        });
        let all = match held {
            Some(rows) => rows,
            None => {
                let rows = std::sync::Arc::new(learning_impact(conn, None, today)?);
                self.computed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if let Ok(mut kept) = self.kept.lock() {
                    *kept = Some((stamp, rows.clone()));
                }
                rows
            }
        };
        Ok(all
            .iter()
            .filter(|row| department_id.is_none_or(|id| row.department.id == id))
            .cloned()
            .collect())
    }

    /// How many times the impact was computed (not served as kept).
    pub fn computations(&self) -> usize {
        self.computed.load(std::sync::atomic::Ordering::Relaxed)
    }
}
