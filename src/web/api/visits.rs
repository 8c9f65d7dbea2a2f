use std::collections::BTreeSet;

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, JsonBody};
use crate::auth::extract::client_ip;
use crate::auth::{CurrentUser, Planner};
use crate::db::audit::NewEvent;
use crate::db::visits::{Viewer, Visit};
use crate::db::{self, Db};
use crate::domain::paging::PageRequest;
use crate::domain::visit::{NewVisit, Segment, VisitStatus};
use crate::error::{ApiError, ErrorBody};

use super::users::LinkOut;

/// A visit with its team and agenda.
#[derive(Serialize, ToSchema)]
pub struct VisitOut {
    pub id: i64,
    pub school: LinkOut,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, example = "2026-12-03")]
    pub date: NaiveDate,
    pub status: VisitStatus,
    pub lead: Option<LinkOut>,
    pub framework: Option<LinkOut>,
    pub focus: String,
    pub members: Vec<MemberOut>,
    pub segments: Vec<Segment>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub id: i64,
    pub name: String,
    pub department: Option<String>,
}

impl From<Visit> for VisitOut {
    fn from(v: Visit) -> Self {
        Self {
            id: v.id,
            school: v.school.into(),
            date: v.date,
            status: v.status,
            lead: v.lead.map(Into::into),
            framework: v.framework.map(Into::into),
            focus: v.focus,
            members: v
                .members
                .into_iter()
                .map(|m| MemberOut {
                    id: m.id,
                    name: m.name,
                    department: m.department,
                })
                .collect(),
            segments: v.segments.into_iter().collect(),
        }
    }
}

/// A visit in a list.
#[derive(Serialize, ToSchema)]
pub struct VisitSummaryOut {
    pub id: i64,
    pub school: LinkOut,
    #[schema(value_type = String, example = "2026-12-03")]
    pub date: NaiveDate,
    pub status: VisitStatus,
    pub focus: String,
}

#[derive(Serialize, ToSchema)]
pub struct VisitListing {
    pub items: Vec<VisitSummaryOut>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

/// The plan of a visit to create or replace.
#[derive(Deserialize, ToSchema)]
pub struct VisitIn {
    pub school_id: i64,
    /// `YYYY-MM-DD`.
    pub date: String,
    #[serde(default)]
    pub lead_id: Option<i64>,
    #[serde(default)]
    pub framework_id: Option<i64>,
    #[serde(default)]
    pub focus: String,
    #[serde(default)]
    pub members: BTreeSet<i64>,
    /// Defaults to the whole agenda.
    #[serde(default)]
    pub segments: Option<BTreeSet<Segment>>,
}

impl VisitIn {
    fn parse(&self) -> Result<NewVisit, ApiError> {
        let segments = self
            .segments
            .clone()
            .unwrap_or_else(|| Segment::ALL.into_iter().collect());
        Ok(NewVisit::parse(
            Some(self.school_id),
            &self.date,
            self.lead_id,
            self.framework_id,
            &self.focus,
            self.members.clone(),
            segments,
        )?)
    }
}

#[derive(Deserialize, IntoParams)]
pub struct VisitId {
    /// The visit's id.
    id: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct VisitQuery {
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Rows per page (1–200, default 50).
    pub per_page: Option<u32>,
    /// Only visits to this campus.
    pub school_id: Option<i64>,
    /// Only visits on or after this day (`YYYY-MM-DD`).
    #[param(value_type = Option<String>)]
    pub from: Option<NaiveDate>,
}

/// The visits the caller may see, newest first: all for administrators and
/// visit leads; a school leader's school; the visits whose team one is on.
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitQuery), responses(
    (status = 200, body = VisitListing),
    (status = 401, body = ErrorBody),
))]
#[get("/visits")]
pub async fn list(
    user: CurrentUser,
    db: web::Data<Db>,
    query: web::Query<VisitQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::from(&user.account);
    let filter = db::visits::Filter {
        school_id: query.school_id,
        from: query.from,
    };
    let page_request = PageRequest::new(query.page, query.per_page);
    let page = db
        .run(move |conn| db::visits::list(conn, &viewer, &filter, page_request))
        .await?;
    Ok(HttpResponse::Ok().json(VisitListing {
        page: page.request.page,
        per_page: page.request.per_page,
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|v| VisitSummaryOut {
                id: v.id,
                school: v.school.into(),
                date: v.date,
                status: v.status,
                focus: v.focus,
            })
            .collect(),
    }))
}

/// Plans a visit (administrators and visit leads).
#[utoipa::path(security(("bearer" = [])), tag = "visits", request_body = VisitIn, responses(
    (status = 201, body = VisitOut),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/visits")]
pub async fn create(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let visit = body.parse::<VisitIn>()?.parse()?;
    let (actor, ip, viewer) = (user.id(), client_ip(&req), Viewer::from(&user.account));
    let saved = db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let id = db::visits::insert(conn, &visit)?;
                db::audit::record(
                    conn,
                    &NewEvent::new("visit.created")
                        .by(Some(actor))
                        .on("visit", id)
                        .from_ip(ip),
                )?;
                Ok::<_, db::WriteError>(db::visits::find_visible(conn, &viewer, id)?)
            })
        })
        .await?;
    Ok(created(
        format!("/api/v1/visits/{}", saved.id),
        &VisitOut::from(saved),
    ))
}

/// One visit, if the caller may see it (404 otherwise).
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), responses(
    (status = 200, body = VisitOut),
    (status = 404, body = ErrorBody),
))]
#[get("/visits/{id}")]
pub async fn show(
    user: CurrentUser,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let (viewer, id) = (Viewer::from(&user.account), path.id);
    let visit = db
        .run(move |conn| db::visits::find_visible(conn, &viewer, id))
        .await?;
    Ok(HttpResponse::Ok().json(VisitOut::from(visit)))
}

/// Replaces a visit's plan (administrators and visit leads).
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), request_body = VisitIn, responses(
    (status = 200, body = VisitOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/visits/{id}")]
pub async fn update(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let visit = body.parse::<VisitIn>()?.parse()?;
    let (id, actor, ip, viewer) = (
        path.id,
        user.id(),
        client_ip(&req),
        Viewer::from(&user.account),
    );
    let saved = db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                db::visits::update(conn, id, &visit)?;
                db::audit::record(
                    conn,
                    &NewEvent::new("visit.updated")
                        .by(Some(actor))
                        .on("visit", id)
                        .from_ip(ip),
                )?;
                Ok::<_, db::WriteError>(db::visits::find_visible(conn, &viewer, id)?)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(VisitOut::from(saved)))
}

/// An observation snapshot to record. Ticks are keyed by look-for code.
#[derive(Deserialize, ToSchema)]
pub struct ObservationIn {
    /// `classroom`, `collaboration`, `planning` or `tour`.
    pub setting: String,
    #[serde(default)]
    pub room: String,
    #[serde(default)]
    pub grade_band: String,
    #[serde(default)]
    pub subject: String,
    /// `HH:MM`.
    #[serde(default)]
    pub started_at: String,
    /// 1 to 4.
    #[serde(default)]
    pub rating: Option<i32>,
    #[serde(default)]
    pub notes: String,
    /// The teacher's name; stored only where the district turned the
    /// teacher field on, otherwise ignored.
    #[serde(default)]
    pub teacher: String,
    /// Look-for code → `observed`, `partly`, `not_observed` or `not_applicable`.
    #[serde(default)]
    pub ticks: std::collections::BTreeMap<String, crate::domain::observation::Tick>,
}

/// A recorded snapshot.
#[derive(Serialize, ToSchema)]
pub struct ObservationOut {
    pub id: i64,
    pub author: String,
    pub setting: crate::domain::observation::Setting,
    pub room: String,
    pub grade_band: String,
    pub subject: String,
    pub started_at: Option<String>,
    pub rating: Option<i32>,
    pub notes: String,
    /// Empty unless the district records teachers.
    pub teacher: String,
    /// Look-for id → tick.
    pub ticks: std::collections::BTreeMap<i64, crate::domain::observation::Tick>,
}

impl From<crate::db::observations::Observation> for ObservationOut {
    fn from(o: crate::db::observations::Observation) -> Self {
        Self {
            id: o.id,
            author: o.author,
            setting: o.setting,
            room: o.room,
            grade_band: o.grade_band,
            subject: o.subject,
            started_at: o.started_at,
            rating: o.rating,
            notes: o.notes,
            teacher: o.teacher,
            ticks: o.ticks,
        }
    }
}

/// Records an observation. Send a key made on the device in the
/// `Idempotency-Key` header: the same key with the same body returns the
/// first observation (`Idempotent-Replayed: true`) and stores nothing; with
/// a different body it is refused (422).
#[utoipa::path(security(("bearer" = [])), tag = "observations", params(VisitId,
    ("Idempotency-Key" = String, Header, description = "8–100 letters, digits, '-' or '_', made on the device for this submission")),
    request_body = ObservationIn, responses(
    (status = 201, body = ObservationOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/visits/{id}/observations")]
pub async fn create_observation(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    use crate::db::observations::{Observation, Submitted};
    use crate::domain::observation::{IdempotencyKey, NewObservation, RawObservation};
    use crate::domain::FieldErrors;

    /// How the one trip to the database ended.
    enum Outcome {
        Denied,
        Invalid(FieldErrors),
        Done(Submitted, Box<Observation>),
    }

    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let key = IdempotencyKey::parse(key).map_err(|m| FieldErrors::single("Idempotency-Key", m))?;
    let input: ObservationIn = body.parse()?;
    let (visit_id, author, author_name, ip, viewer) = (
        path.id,
        user.id(),
        user.account.name.clone(),
        client_ip(&req),
        Viewer::from(&user.account),
    );
    // Everything after the sign-in check happens on one connection.
    let outcome = db
        .run(move |conn| -> Result<Outcome, crate::error::AppError> {
            let target = db::visits::capture_target(conn, &viewer, visit_id)?;
            if !target.may_record {
                return Ok(Outcome::Denied);
            }
            let (Some(_), codes) = (target.framework_id, target.codes) else {
                let message =
                    "Choose the visit's look-for framework before recording observations.";
                return Ok(Outcome::Invalid(FieldErrors::single("visit", message)));
            };
            let mut errors = FieldErrors::new();
            let mut ticks = std::collections::BTreeMap::new();
            for (code, tick) in &input.ticks {
                match codes.get(&code.to_lowercase()) {
                    Some(id) => {
                        ticks.insert(*id, *tick);
                    }
                    None => errors.add(
                        &format!("ticks.{code}"),
                        "No look-for of this visit's framework has this code.",
                    ),
                }
            }
            let rating = input.rating.map(|r| r.to_string()).unwrap_or_default();
            // A teacher's name is kept only where the district asked for it.
            let teacher =
                if !input.teacher.trim().is_empty() && db::settings::find(conn)?.teacher_field {
                    input.teacher.as_str()
                } else {
                    ""
                };
            let raw = RawObservation {
                teacher,
                setting: &input.setting,
                room: &input.room,
                grade_band: &input.grade_band,
                subject: &input.subject,
                started_at: &input.started_at,
                rating: &rating,
                notes: &input.notes,
            };
            let observation = match NewObservation::parse(&raw, ticks) {
                Ok(observation) if errors.is_empty() => observation,
                Ok(_) => return Ok(Outcome::Invalid(errors)),
                Err(more) => {
                    for (field, message) in more.iter() {
                        errors.add(field, message);
                    }
                    return Ok(Outcome::Invalid(errors));
                }
            };
            let submitted =
                match db::observations::submit(conn, visit_id, author, &key, &observation, ip) {
                    Ok(submitted) => submitted,
                    Err(db::WriteError::Invalid(errors)) => return Ok(Outcome::Invalid(errors)),
                    Err(db::WriteError::Db(e)) => return Err(e.into()),
                };
            // A new snapshot is answered from what was stored; a replay
            // reads the first one back.
            let saved = match submitted {
                Submitted::Created(id, at) => {
                    Observation::stored(id, (author, &author_name), &observation, at)
                }
                Submitted::Replayed(id) => db::observations::find(conn, id)?,
            };
            Ok(Outcome::Done(submitted, Box::new(saved)))
        })
        .await?;
    match outcome {
        Outcome::Denied => Err(crate::auth::extract::deny(&req, &user).await.into()),
        Outcome::Invalid(errors) => Err(errors.into()),
        Outcome::Done(submitted, saved) => {
            let mut response = HttpResponse::Created();
            response.insert_header((
                actix_web::http::header::LOCATION,
                format!("/api/v1/visits/{visit_id}/observations"),
            ));
            if matches!(submitted, Submitted::Replayed(_)) {
                response.insert_header(("Idempotent-Replayed", "true"));
            }
            Ok(response.json(ObservationOut::from(*saved)))
        }
    }
}

/// A visit's observations (its team and the planners only).
#[utoipa::path(security(("bearer" = [])), tag = "observations", params(VisitId), responses(
    (status = 200, body = Vec<ObservationOut>),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
#[get("/visits/{id}/observations")]
pub async fn observations(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let visit = crate::web::observations::recordable(&req, &user, &db, path.id).await?;
    let visit_id = visit.id;
    let found = db
        .run(move |conn| db::observations::for_visit(conn, visit_id))
        .await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(ObservationOut::from)
            .collect::<Vec<_>>(),
    ))
}
