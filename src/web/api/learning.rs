//! Professional learning in the API: the catalogue (offerings, series,
//! sessions), registrations and attendance, items' links to learning, and
//! the learning impact — under the same rules as the pages.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, JsonBody};
use crate::auth::extract::deny;
use crate::auth::{Admin, CurrentUser};
use crate::db::learning::{
    ItemLearning, LearningImpactRow, Offering, OfferingFilter, Registered, Registration, Series,
    Session, SessionFilter, Suggestion,
};
use crate::db::{self, Db};
use crate::domain::learning::{
    credit_hours_text, credit_tenths_of, Audience, CampusPair, Format, NewOffering, NewSeries,
    NewSession, OfferingInput, SessionInput,
};
use crate::domain::user::Link;
use crate::error::{ApiError, ErrorBody};
use crate::web::actions;
use crate::web::audited;
use crate::web::items::{item_page, today, visible_item};
use crate::web::learning::who;
use crate::web::learning::{session_page, SessionPage};

use super::users::LinkOut;

/// Refuses (403, recorded) unless `allowed`: the check made before a body
/// is read, so a caller without access learns nothing of its shape.
async fn allow(req: &HttpRequest, user: &CurrentUser, allowed: bool) -> Result<(), ApiError> {
    if allowed {
        Ok(())
    } else {
        Err(deny(req, user).await.into())
    }
}

/// The department running offering `id` (404 when there is none).
async fn department_of_offering(db: &Db, id: i64) -> Result<i64, ApiError> {
    Ok(db
        .run(move |conn| db::learning::offering_department(conn, id))
        .await?)
}

/// The department and facilitator of session `id` (404 when there is none).
async fn runners_of_session(db: &Db, id: i64) -> Result<(i64, Option<i64>), ApiError> {
    let session = db.run(move |conn| db::learning::session(conn, id)).await?;
    Ok((
        session.department.id,
        session.facilitator.as_ref().map(|f| f.id),
    ))
}

/// An offering of the catalogue.
#[derive(Serialize, ToSchema)]
pub struct OfferingOut {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub format: Format,
    pub department: LinkOut,
    pub audience: Audience,
    /// Credit hours, to the tenth.
    pub credit_hours: f64,
    /// The look-fors it addresses, by code.
    pub look_fors: Vec<String>,
    pub active: bool,
}

impl From<Offering> for OfferingOut {
    fn from(o: Offering) -> Self {
        Self {
            id: o.id,
            title: o.title,
            description: o.description,
            format: o.format,
            department: o.department.into(),
            audience: o.audience,
            credit_hours: f64::from(o.credit_tenths) / 10.0,
            look_fors: o.look_fors,
            active: o.active,
        }
    }
}

/// The fields of an offering to create or replace.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferingIn {
    /// Unique in the catalogue, in any case.
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub format: String,
    pub department_id: i64,
    pub audience: String,
    /// From 0 to 100, rounded to the tenth.
    pub credit_hours: f64,
    /// Look-for codes of the district's frameworks.
    #[serde(default)]
    pub look_fors: Vec<String>,
    #[serde(default = "super::yes")]
    pub active: bool,
}

impl OfferingIn {
    fn parse(&self) -> Result<NewOffering, ApiError> {
        Ok(NewOffering::parse(&OfferingInput {
            title: &self.title,
            description: &self.description,
            format: &self.format,
            department_id: Some(self.department_id),
            audience: &self.audience,
            credit_tenths: credit_tenths_of(self.credit_hours),
            look_fors: self.look_fors.iter().map(String::as_str).collect(),
            active: self.active,
        })?)
    }
}

/// A series of sessions.
#[derive(Serialize, ToSchema)]
pub struct SeriesOut {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub sessions: i64,
}

impl From<Series> for SeriesOut {
    fn from(s: Series) -> Self {
        Self {
            id: s.id,
            name: s.name,
            description: s.description,
            sessions: s.sessions,
        }
    }
}

/// The fields of a series.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesIn {
    /// Unique, in any case.
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// A session of an offering. Its day and times are the district's clock.
#[derive(Serialize, ToSchema)]
pub struct LearningSessionOut {
    pub id: i64,
    pub offering: LinkOut,
    pub department: LinkOut,
    pub series: Option<LinkOut>,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// `HH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub capacity: i32,
    pub seats_taken: i32,
    pub seats_left: i32,
    pub credit_hours: f64,
    pub facilitator: Option<LinkOut>,
    pub cancelled: bool,
}

impl From<Session> for LearningSessionOut {
    fn from(s: Session) -> Self {
        Self {
            seats_left: s.seats_left(),
            id: s.id,
            offering: s.offering.into(),
            department: s.department.into(),
            series: s.series.map(Into::into),
            date: s.on_date,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            place: s.place,
            capacity: s.capacity,
            seats_taken: s.taken,
            credit_hours: f64::from(s.credit_tenths) / 10.0,
            facilitator: s.facilitator.map(Into::into),
            cancelled: s.cancelled,
        }
    }
}

/// The fields of a session to create or replace.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LearningSessionIn {
    /// `YYYY-MM-DD`, the district's day.
    pub date: String,
    /// `HH:MM` on the district's clock.
    pub starts_at: String,
    /// `HH:MM`, after the start.
    pub ends_at: String,
    /// A room and address, or an online link.
    pub place: String,
    /// Seats, 1–10,000.
    pub capacity: i32,
    #[serde(default)]
    pub series_id: Option<i64>,
    #[serde(default)]
    pub facilitator_id: Option<i64>,
    #[serde(default)]
    pub cancelled: bool,
}

impl LearningSessionIn {
    fn parse(&self) -> Result<NewSession, ApiError> {
        Ok(NewSession::parse(&SessionInput {
            series_id: self.series_id,
            date: &self.date,
            starts_at: &self.starts_at,
            ends_at: &self.ends_at,
            place: &self.place,
            capacity: Ok(self.capacity),
            facilitator_id: self.facilitator_id,
            cancelled: self.cancelled,
        })?)
    }
}

/// A campus's registration for a session.
#[derive(Serialize, ToSchema)]
pub struct RegistrationOut {
    pub session_id: i64,
    pub school: LinkOut,
    pub participants: i32,
    /// One a line; empty unless the district names participants.
    pub names: String,
    /// Marked after the session.
    pub attended: Option<i32>,
}

impl From<Registration> for RegistrationOut {
    fn from(r: Registration) -> Self {
        Self {
            session_id: r.session_id,
            school: r.school.into(),
            participants: r.participants,
            names: r.names,
            attended: r.attended,
        }
    }
}

/// An item a session serves.
#[derive(Serialize, ToSchema)]
pub struct ServedOut {
    pub item_id: i64,
    pub title: String,
    pub school: LinkOut,
}

/// A session with the registrations the caller may see and the items it
/// serves.
#[derive(Serialize, ToSchema)]
pub struct LearningSessionDetailOut {
    pub session: LearningSessionOut,
    pub registrations: Vec<RegistrationOut>,
    pub serves: Vec<ServedOut>,
}

impl From<SessionPage> for LearningSessionDetailOut {
    fn from(page: SessionPage) -> Self {
        Self {
            session: page.session.into(),
            registrations: page.registrations.into_iter().map(Into::into).collect(),
            serves: page
                .serves
                .into_iter()
                .map(|s| ServedOut {
                    item_id: s.item_id,
                    title: s.title,
                    school: s.school.into(),
                })
                .collect(),
        }
    }
}

/// An offering with its sessions.
#[derive(Serialize, ToSchema)]
pub struct OfferingDetailOut {
    pub offering: OfferingOut,
    pub sessions: Vec<LearningSessionOut>,
}

/// A list.
#[derive(Serialize, ToSchema)]
pub struct OfferingList {
    pub items: Vec<OfferingOut>,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesList {
    pub items: Vec<SeriesOut>,
}

#[derive(Serialize, ToSchema)]
pub struct LearningSessionList {
    pub items: Vec<LearningSessionOut>,
}

#[derive(Deserialize, IntoParams)]
pub struct Id {
    /// The record's id.
    id: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct SessionSchool {
    /// The session's id.
    id: i64,
    /// The campus's id.
    school_id: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct ItemOffering {
    /// The item's id.
    id: i64,
    /// The offering's id.
    offering_id: i64,
}

/// Which offerings to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferingQuery {
    /// Only this department's.
    pub department_id: Option<i64>,
    /// Also inactive offerings.
    #[serde(default)]
    pub include_inactive: bool,
}

/// The catalogue, in title order: every signed-in person may read it.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(OfferingQuery), responses(
    (status = 200, body = OfferingList),
    (status = 401, body = ErrorBody),
))]
#[get("/offerings")]
pub async fn list_offerings(
    _user: CurrentUser,
    db: web::Data<Db>,
    query: web::Query<OfferingQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = OfferingFilter {
        department_id: query.department_id,
        include_inactive: query.include_inactive,
    };
    let items = db
        .run(move |conn| db::learning::offerings(conn, filter))
        .await?;
    Ok(HttpResponse::Ok().json(OfferingList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Adds an offering: administrators, or the head of the department that
/// runs it.
#[utoipa::path(security(("bearer" = [])), tag = "learning", request_body = OfferingIn, responses(
    (status = 201, body = OfferingOut),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/offerings")]
pub async fn create_offering(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let who = who(&user);
    allow(&req, &user, who.admin || who.head_of.is_some()).await?;
    let offering = body.parse::<OfferingIn>()?.parse()?;
    let actor = crate::web::actor(&user, &req);
    let outcome = db
        .run(move |conn| {
            let id = actions::learning::create_offering(conn, &actor, &offering)?;
            Ok::<_, db::WriteError>(db::learning::offering(conn, id)?)
        })
        .await;
    let saved = audited(&req, &user, outcome).await?;
    Ok(created(
        format!("/api/v1/offerings/{}", saved.id),
        &OfferingOut::from(saved),
    ))
}

/// One offering with all its sessions.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), responses(
    (status = 200, body = OfferingDetailOut),
    (status = 404, body = ErrorBody),
))]
#[get("/offerings/{id}")]
pub async fn show_offering(
    _user: CurrentUser,
    db: web::Data<Db>,
    path: web::Path<Id>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let (offering, sessions) = db
        .run(move |conn| {
            let offering = db::learning::offering(conn, id)?;
            let sessions = db::learning::sessions(
                conn,
                &SessionFilter {
                    offering_id: Some(id),
                    include_cancelled: true,
                    ..SessionFilter::default()
                },
            )?;
            Ok::<_, db::QueryError>((offering, sessions))
        })
        .await?;
    Ok(HttpResponse::Ok().json(OfferingDetailOut {
        offering: offering.into(),
        sessions: sessions.into_iter().map(Into::into).collect(),
    }))
}

/// Replaces an offering's fields; `"active": false` takes it out of the
/// catalogue.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), request_body = OfferingIn, responses(
    (status = 200, body = OfferingOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/offerings/{id}")]
pub async fn update_offering(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let department = department_of_offering(&db, path.id).await?;
    allow(&req, &user, who(&user).manages(department)).await?;
    let offering = body.parse::<OfferingIn>()?.parse()?;
    let (id, actor) = (path.id, crate::web::actor(&user, &req));
    let outcome = db
        .run(move |conn| {
            actions::learning::update_offering(conn, &actor, id, &offering)?;
            Ok::<_, db::WriteError>(db::learning::offering(conn, id)?)
        })
        .await;
    let saved = audited(&req, &user, outcome).await?;
    Ok(HttpResponse::Ok().json(OfferingOut::from(saved)))
}

/// Every series.
#[utoipa::path(security(("bearer" = [])), tag = "learning", responses(
    (status = 200, body = SeriesList),
))]
#[get("/series")]
pub async fn list_series(_user: CurrentUser, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let items = db.run(db::learning::series_list).await?;
    Ok(HttpResponse::Ok().json(SeriesList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Adds a series: administrators and department heads.
#[utoipa::path(security(("bearer" = [])), tag = "learning", request_body = SeriesIn, responses(
    (status = 201, body = SeriesOut),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/series")]
pub async fn create_series(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    allow(&req, &user, who(&user).keeps_series()).await?;
    let input: SeriesIn = body.parse()?;
    let series = NewSeries::parse(&input.name, &input.description)?;
    let actor = crate::web::actor(&user, &req);
    let outcome = db
        .run(move |conn| {
            let id = actions::learning::create_series(conn, &actor, &series)?;
            Ok::<_, db::WriteError>(db::learning::series(conn, id)?)
        })
        .await;
    let saved = audited(&req, &user, outcome).await?;
    Ok(created(
        format!("/api/v1/series/{}", saved.id),
        &SeriesOut::from(saved),
    ))
}

/// Renames or redescribes a series.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), request_body = SeriesIn, responses(
    (status = 200, body = SeriesOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/series/{id}")]
pub async fn update_series(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    allow(&req, &user, who(&user).keeps_series()).await?;
    let input: SeriesIn = body.parse()?;
    let series = NewSeries::parse(&input.name, &input.description)?;
    let (id, actor) = (path.id, crate::web::actor(&user, &req));
    let outcome = db
        .run(move |conn| {
            actions::learning::update_series(conn, &actor, id, &series)?;
            Ok::<_, db::WriteError>(db::learning::series(conn, id)?)
        })
        .await;
    let saved = audited(&req, &user, outcome).await?;
    Ok(HttpResponse::Ok().json(SeriesOut::from(saved)))
}

/// Which sessions to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Sessions on this day or later (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "crate::domain::fields::optional_day")]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Sessions on this day or earlier.
    #[serde(default, deserialize_with = "crate::domain::fields::optional_day")]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    pub offering_id: Option<i64>,
    pub department_id: Option<i64>,
    pub series_id: Option<i64>,
    /// Sessions this campus registered for.
    pub school_id: Option<i64>,
    /// Also cancelled sessions.
    #[serde(default)]
    pub include_cancelled: bool,
}

/// Sessions in date order (at most 500).
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(SessionQuery), responses(
    (status = 200, body = LearningSessionList),
    (status = 422, body = ErrorBody),
))]
#[get("/sessions")]
pub async fn list_sessions(
    _user: CurrentUser,
    db: web::Data<Db>,
    query: web::Query<SessionQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = SessionFilter {
        from: query.from,
        to: query.to,
        offering_id: query.offering_id,
        department_id: query.department_id,
        series_id: query.series_id,
        school_id: query.school_id,
        include_cancelled: query.include_cancelled,
        limit: Some(500),
        ..SessionFilter::default()
    };
    let items = db
        .run(move |conn| db::learning::sessions(conn, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(LearningSessionList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Adds a session to an offering: its department's heads and
/// administrators.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), request_body = LearningSessionIn, responses(
    (status = 201, body = LearningSessionOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/offerings/{id}/sessions")]
pub async fn create_session(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let department = department_of_offering(&db, path.id).await?;
    allow(&req, &user, who(&user).manages(department)).await?;
    let session = body.parse::<LearningSessionIn>()?.parse()?;
    let (offering_id, actor) = (path.id, crate::web::actor(&user, &req));
    let outcome = db
        .run(move |conn| {
            let id = actions::learning::create_session(conn, &actor, offering_id, &session)?;
            Ok::<_, db::WriteError>(db::learning::session(conn, id)?)
        })
        .await;
    let saved = audited(&req, &user, outcome).await?;
    Ok(created(
        format!("/api/v1/sessions/{}", saved.id),
        &LearningSessionOut::from(saved),
    ))
}

/// One session, with the registrations the caller may see (every campus's
/// for those who run it, their own campus's for a school leader) and the
/// items it serves that the caller may see.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), responses(
    (status = 200, body = LearningSessionDetailOut),
    (status = 404, body = ErrorBody),
))]
#[get("/sessions/{id}")]
pub async fn show_session(
    user: CurrentUser,
    db: web::Data<Db>,
    path: web::Path<Id>,
) -> Result<HttpResponse, ApiError> {
    let page = session_page(&user, &db, path.id).await?;
    Ok(HttpResponse::Ok().json(LearningSessionDetailOut::from(page)))
}

/// Replaces a session's fields; `"cancelled": true` cancels it. Its seats
/// never fall below those registered (409).
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), request_body = LearningSessionIn, responses(
    (status = 200, body = LearningSessionOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/sessions/{id}")]
pub async fn update_session(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let (department, _) = runners_of_session(&db, path.id).await?;
    allow(&req, &user, who(&user).manages(department)).await?;
    let session = body.parse::<LearningSessionIn>()?.parse()?;
    let (id, actor) = (path.id, crate::web::actor(&user, &req));
    let outcome = db
        .run(move |conn| {
            actions::learning::update_session(conn, &actor, id, &session)?;
            Ok::<_, db::WriteError>(db::learning::session(conn, id)?)
        })
        .await;
    let saved = audited(&req, &user, outcome).await?;
    Ok(HttpResponse::Ok().json(LearningSessionOut::from(saved)))
}

/// A campus's registration.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationIn {
    /// How many from the campus, 1–10,000; within the seats left.
    pub participants: i32,
    /// Their names, one a line: only where the district names people.
    #[serde(default)]
    pub names: String,
}

/// Registers a campus for a session, or changes its count: the campus's
/// school leaders and administrators. A count beyond the seats left, a
/// cancelled or past session, is 409. The same count again changes nothing.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(SessionSchool), request_body = RegistrationIn, responses(
    (status = 200, body = RegistrationOut, description = "Changed, or already so"),
    (status = 201, body = RegistrationOut, description = "Registered"),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/sessions/{id}/registrations/{school_id}")]
pub async fn register(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<crate::web::Settings>,
    path: web::Path<SessionSchool>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    runners_of_session(&db, path.id).await?;
    allow(&req, &user, who(&user).registers_for(path.school_id)).await?;
    let input: RegistrationIn = body.parse()?;
    let (id, school_id, actor) = (path.id, path.school_id, crate::web::actor(&user, &req));
    let base = config.base_url.clone();
    let outcome = db
        .run(move |conn| {
            actions::learning::register(
                conn,
                &actor,
                id,
                school_id,
                input.participants,
                &input.names,
                today(),
                &base,
            )
        })
        .await;
    let outcome = audited(&req, &user, outcome).await?;
    let body = RegistrationOut::from(outcome.registration().clone());
    Ok(match outcome {
        Registered::Created(_) => created(
            format!("/api/v1/sessions/{id}/registrations/{school_id}"),
            &body,
        ),
        _ => HttpResponse::Ok().json(body),
    })
}

/// Withdraws a campus from a session before its day.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(SessionSchool), responses(
    (status = 204),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
))]
#[delete("/sessions/{id}/registrations/{school_id}")]
pub async fn withdraw(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<SessionSchool>,
) -> Result<HttpResponse, ApiError> {
    let (id, school_id, actor) = (path.id, path.school_id, crate::web::actor(&user, &req));
    let outcome = db
        .run(move |conn| actions::learning::withdraw(conn, &actor, id, school_id, today()))
        .await;
    audited(&req, &user, outcome).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One campus's attendance.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampusAttendance {
    pub school_id: i64,
    /// 0 to the session's capacity.
    pub attended: i32,
}

/// Attendance after a session.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceIn {
    pub campuses: Vec<CampusAttendance>,
}

/// Marks how many of each registered campus attended: the facilitator,
/// the department's heads and administrators; on the day or after.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), request_body = AttendanceIn, responses(
    (status = 200, body = LearningSessionDetailOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/sessions/{id}/attendance")]
pub async fn attendance(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let (department, facilitator) = runners_of_session(&db, path.id).await?;
    allow(
        &req,
        &user,
        who(&user).marks_attendance(department, facilitator),
    )
    .await?;
    let input: AttendanceIn = body.parse()?;
    let counts: Vec<(i64, i32)> = input
        .campuses
        .iter()
        .map(|c| (c.school_id, c.attended))
        .collect();
    let (id, actor) = (path.id, crate::web::actor(&user, &req));
    let outcome = db
        .run(move |conn| actions::learning::mark_attendance(conn, &actor, id, &counts, today()))
        .await;
    audited(&req, &user, outcome).await?;
    let page = session_page(&user, &db, id).await?;
    Ok(HttpResponse::Ok().json(LearningSessionDetailOut::from(page)))
}

/// An item's link to an offering, and its session once chosen.
#[derive(Serialize, ToSchema)]
pub struct ItemLearningOut {
    pub offering: LinkOut,
    pub session: Option<LearningSessionOut>,
}

impl From<ItemLearning> for ItemLearningOut {
    fn from(l: ItemLearning) -> Self {
        Self {
            offering: l.offering.into(),
            session: l.session.map(Into::into),
        }
    }
}

/// An offering addressing one of the item's look-fors, with its upcoming
/// sessions.
#[derive(Serialize, ToSchema)]
pub struct SuggestionOut {
    pub offering: OfferingOut,
    pub sessions: Vec<LearningSessionOut>,
}

impl From<Suggestion> for SuggestionOut {
    fn from(s: Suggestion) -> Self {
        Self {
            offering: s.offering.into(),
            sessions: s.sessions.into_iter().map(Into::into).collect(),
        }
    }
}

/// What an item is linked to, and what the catalogue offers for its
/// look-fors.
#[derive(Serialize, ToSchema)]
pub struct ItemLearningList {
    pub linked: Vec<ItemLearningOut>,
    pub suggested: Vec<SuggestionOut>,
}

/// The learning of an item the caller may see.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), responses(
    (status = 200, body = ItemLearningList),
    (status = 404, body = ErrorBody),
))]
#[get("/items/{id}/learning")]
pub async fn item_learning(
    user: CurrentUser,
    db: web::Data<Db>,
    path: web::Path<Id>,
) -> Result<HttpResponse, ApiError> {
    let item = visible_item(&user, &db, path.id).await?;
    learning_of(&db, item.id).await
}

async fn learning_of(db: &Db, id: i64) -> Result<HttpResponse, ApiError> {
    let (linked, suggested) = db
        .run(move |conn| {
            Ok::<_, db::QueryError>((
                db::learning::item_learning(conn, id)?,
                db::learning::suggestions(conn, id, today())?,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(ItemLearningList {
        linked: linked.into_iter().map(Into::into).collect(),
        suggested: suggested.into_iter().map(Into::into).collect(),
    }))
}

/// What to link an item to: an offering, or one of its sessions.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    #[serde(default)]
    pub offering_id: Option<i64>,
    /// A session names its offering.
    #[serde(default)]
    pub session_id: Option<i64>,
}

/// Links an item to an offering or a session: whoever may change the item.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(Id), request_body = LinkIn, responses(
    (status = 200, body = ItemLearningList),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/items/{id}/learning")]
pub async fn link_item(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let item = visible_item(&user, &db, path.id).await?;
    let page = item_page(&user, &db, item).await?;
    if !page.can_change {
        return Err(deny(&req, &user).await.into());
    }
    let input: LinkIn = body.parse()?;
    let (id, actor) = (page.item.id, crate::web::actor(&user, &req));
    db.run(move |conn| {
        actions::learning::link_item(conn, &actor, id, input.offering_id, input.session_id)
    })
    .await?;
    learning_of(&db, id).await
}

/// Removes an item's link to an offering.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(ItemOffering), responses(
    (status = 204),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
#[delete("/items/{id}/learning/{offering_id}")]
pub async fn unlink_item(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<ItemOffering>,
) -> Result<HttpResponse, ApiError> {
    let item = visible_item(&user, &db, path.id).await?;
    let page = item_page(&user, &db, item).await?;
    if !page.can_change {
        return Err(deny(&req, &user).await.into());
    }
    let (id, offering_id, actor) = (
        page.item.id,
        path.offering_id,
        crate::web::actor(&user, &req),
    );
    db.run(move |conn| actions::learning::unlink_item(conn, &actor, id, offering_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A look-for's share at a campus's visit.
#[derive(Serialize, ToSchema)]
pub struct SeenOut {
    #[schema(value_type = String, format = Date)]
    pub visit_date: NaiveDate,
    pub observed: i64,
    pub applicable: i64,
}

/// One campus of the learning impact.
#[derive(Serialize, ToSchema)]
pub struct CampusPairOut {
    pub school: LinkOut,
    /// The session's day the campus is measured around.
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    pub before: Option<SeenOut>,
    /// `null` until a visit after the day shows the look-for.
    pub after: Option<SeenOut>,
    /// improved, same, declined or not_yet_measured.
    pub movement: String,
}

fn pair_out((school, pair): (Link, CampusPair)) -> CampusPairOut {
    let seen = |s: Option<crate::domain::learning::Seen>| {
        s.map(|(visit_date, share)| SeenOut {
            visit_date,
            observed: share.observed,
            applicable: share.applicable,
        })
    };
    CampusPairOut {
        school: school.into(),
        day: pair.day,
        before: seen(pair.before),
        after: seen(pair.after),
        movement: match pair.movement() {
            crate::domain::insights::Movement::Improved => "improved",
            crate::domain::insights::Movement::Same => "same",
            crate::domain::insights::Movement::Declined => "declined",
            crate::domain::insights::Movement::NotYetMeasured => "not_yet_measured",
        }
        .to_owned(),
    }
}

/// How a group of campuses moved.
#[derive(Serialize, ToSchema)]
pub struct GroupOut {
    pub campuses: usize,
    pub improved: i64,
    pub same: i64,
    pub declined: i64,
    pub not_yet_measured: i64,
    /// Mean change in percentage points over the measured campuses.
    pub mean_change: Option<f64>,
    pub detail: Vec<CampusPairOut>,
}

/// One look-for of one offering.
#[derive(Serialize, ToSchema)]
pub struct LearningImpactOut {
    pub offering: LinkOut,
    pub department: LinkOut,
    pub code: String,
    pub look_for: String,
    /// Campuses that attended a session, measured around their session.
    pub attended: GroupOut,
    /// Campuses weak in the look-for that attended none, measured around
    /// the offering's first session.
    pub compared: GroupOut,
}

impl From<LearningImpactRow> for LearningImpactOut {
    fn from(row: LearningImpactRow) -> Self {
        let group = |summary: crate::domain::insights::ImpactSummary,
                     pairs: Vec<(Link, CampusPair)>| GroupOut {
            campuses: pairs.len(),
            improved: summary.improved,
            same: summary.same,
            declined: summary.declined,
            not_yet_measured: summary.not_yet,
            mean_change: summary.mean_change(),
            detail: pairs.into_iter().map(pair_out).collect(),
        };
        Self {
            offering: row.offering.into(),
            department: row.department.into(),
            code: row.code,
            look_for: row.look_for,
            attended: group(row.attended, row.attended_pairs),
            compared: group(row.compared, row.compared_pairs),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LearningImpactList {
    pub items: Vec<LearningImpactOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImpactQuery {
    /// One department's offerings; a department head sees only their own.
    pub department_id: Option<i64>,
}

/// The learning impact: administrators and visit leads for every
/// department, a department head for their own.
#[utoipa::path(security(("bearer" = [])), tag = "learning", params(ImpactQuery), responses(
    (status = 200, body = LearningImpactList),
    (status = 403, body = ErrorBody),
))]
#[get("/insights/learning")]
pub async fn impact(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    query: web::Query<ImpactQuery>,
) -> Result<HttpResponse, ApiError> {
    let Some(scope) = crate::web::learning::impact_scope(&user, query.department_id) else {
        return Err(deny(&req, &user).await.into());
    };
    db.run(db::insights::bring_up_to_date).await?;
    let kept = db.learning_impact.clone();
    let rows = db.run(move |conn| scope.rows(conn, &kept, today())).await?;
    Ok(HttpResponse::Ok().json(LearningImpactList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

/// Credit hours by campus: administrators and visit leads.
#[derive(Serialize, ToSchema)]
pub struct CreditOut {
    pub school: LinkOut,
    pub sessions: i64,
    pub attended: i64,
    /// Attendees × the offering's credit hours, summed.
    pub credit_hours: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreditList {
    pub items: Vec<CreditOut>,
}

/// Attendance and credit hours by campus.
#[utoipa::path(security(("bearer" = [])), tag = "learning", responses(
    (status = 200, body = CreditList),
    (status = 403, body = ErrorBody),
))]
#[get("/learning/credits")]
pub async fn credits(_admin: Admin, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let rows = db.run(|conn| db::learning::credits(conn, None)).await?;
    Ok(HttpResponse::Ok().json(CreditList {
        items: rows
            .into_iter()
            .map(|c| CreditOut {
                school: c.school.into(),
                sessions: c.sessions,
                attended: c.attended,
                credit_hours: credit_hours_text(c.credit_tenths),
            })
            .collect(),
    }))
}

/// What a catalogue import stored.
#[derive(Serialize, ToSchema)]
pub struct CatalogueImportOut {
    pub series_added: usize,
    pub offerings_added: usize,
    pub offerings_updated: usize,
    pub sessions_added: usize,
    pub sessions_updated: usize,
}

/// A catalogue as its two CSV files: offerings, and sessions if any.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueCsvIn {
    /// The offerings file: `title,description,format,department,audience,credit_hours,look_fors,active`.
    pub offerings: String,
    /// The sessions file: `offering,series,date,starts_at,ends_at,place,capacity,facilitator,cancelled`.
    #[serde(default)]
    pub sessions: Option<String>,
}

/// The catalogue as its exchange document (series, offerings with their
/// sessions): administrators and department heads.
#[utoipa::path(security(("bearer" = [])), tag = "learning", responses(
    (status = 200, body = crate::domain::catalogue::CatalogueDoc),
    (status = 403, body = ErrorBody),
))]
#[get("/catalogue")]
pub async fn export_catalogue(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let doc = crate::web::learning::catalogue_doc(&user, &req, &db, "json").await?;
    Ok(HttpResponse::Ok().json(doc))
}

/// The catalogue's offerings as CSV, the columns it imports from.
#[utoipa::path(security(("bearer" = [])), tag = "learning", responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 403, body = ErrorBody),
))]
#[get("/catalogue/offerings.csv")]
pub async fn export_offerings_csv(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let doc = crate::web::learning::catalogue_doc(&user, &req, &db, "offerings-csv").await?;
    Ok(csv(crate::domain::catalogue::offerings_csv(&doc)))
}

/// The catalogue's sessions as CSV, the columns it imports from.
#[utoipa::path(security(("bearer" = [])), tag = "learning", responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 403, body = ErrorBody),
))]
#[get("/catalogue/sessions.csv")]
pub async fn export_sessions_csv(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let doc = crate::web::learning::catalogue_doc(&user, &req, &db, "sessions-csv").await?;
    Ok(csv(crate::domain::catalogue::sessions_csv(&doc)))
}

fn csv(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .body(body)
}

/// Imports a catalogue document: a series by name, an offering by title
/// and a session by its offering, day and start are updated when they
/// exist and added otherwise; nothing is deleted. The file is checked
/// whole: with any problem nothing is stored, and each problem is listed
/// in `fields` by its place (`offerings[2].sessions[0].date`). A
/// department head may import only their department's offerings.
#[utoipa::path(security(("bearer" = [])), tag = "learning", request_body = crate::domain::catalogue::CatalogueDoc, responses(
    (status = 200, body = CatalogueImportOut),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/catalogue")]
pub async fn import_catalogue(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    allow(&req, &user, who(&user).keeps_catalogue()).await?;
    let doc: crate::domain::catalogue::CatalogueDoc = body.parse()?;
    import(
        &user,
        &req,
        &db,
        Box::new(move |resolve| crate::domain::catalogue::from_doc(&doc, resolve)),
    )
    .await
}

/// Imports a catalogue from its two CSV files, under the same rules as
/// the document; a problem's place names the file and line
/// (`sessions line 2 (capacity)`).
#[utoipa::path(security(("bearer" = [])), tag = "learning", request_body = CatalogueCsvIn, responses(
    (status = 200, body = CatalogueImportOut),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/catalogue/csv")]
pub async fn import_catalogue_csv(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    allow(&req, &user, who(&user).keeps_catalogue()).await?;
    let files: CatalogueCsvIn = body.parse()?;
    import(
        &user,
        &req,
        &db,
        Box::new(move |resolve| {
            crate::domain::catalogue::from_csv(&files.offerings, files.sessions.as_deref(), resolve)
        }),
    )
    .await
}

async fn import(
    user: &CurrentUser,
    req: &HttpRequest,
    db: &Db,
    read: crate::web::learning::ReadCatalogue,
) -> Result<HttpResponse, ApiError> {
    let counts = crate::web::learning::import_catalogue(user, req, db, read)
        .await?
        .map_err(crate::web::learning::catalogue_problems)?;
    Ok(HttpResponse::Ok().json(CatalogueImportOut {
        series_added: counts.series,
        offerings_added: counts.offerings_added,
        offerings_updated: counts.offerings_updated,
        sessions_added: counts.sessions_added,
        sessions_updated: counts.sessions_updated,
    }))
}
