use std::collections::BTreeSet;

use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, JsonBody, Listing};
use crate::auth::{CurrentUser, Planner};
use crate::db::visits::{ListItem, Viewer, Visit};
use crate::db::{self, Db};
use crate::domain::paging::PageRequest;
use crate::domain::visit::{NewVisit, Segment, VisitStatus};
use crate::error::{ApiError, ErrorBody};
use crate::web::actions::{self, observations::Ticks};
use crate::web::audited;

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

impl From<ListItem> for VisitSummaryOut {
    fn from(v: ListItem) -> Self {
        Self {
            id: v.id,
            school: v.school.into(),
            date: v.date,
            status: v.status,
            focus: v.focus,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VisitListing {
    pub items: Vec<VisitSummaryOut>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

/// The plan of a visit to create, or to replace with `PUT` (which then
/// needs every field).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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

/// The fields `PUT` must carry: it replaces the whole plan.
pub const WHOLE_PLAN: [&str; 7] = [
    "school_id",
    "date",
    "lead_id",
    "framework_id",
    "focus",
    "members",
    "segments",
];

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
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page (1–200, default 50); outside that, 422.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
    /// Only visits to this campus.
    pub school_id: Option<i64>,
    /// Only visits on or after this day (`YYYY-MM-DD`).
    #[param(value_type = Option<String>)]
    #[serde(default, deserialize_with = "crate::domain::fields::optional_day")]
    pub from: Option<NaiveDate>,
}

/// The visits the caller may see, newest first: all for administrators and
/// visit leads; a school leader's school; the visits whose team one is on.
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitQuery), responses(
    (status = 200, body = VisitListing),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
))]
#[get("/visits")]
pub async fn list(
    user: CurrentUser,
    db: web::Data<Db>,
    query: web::Query<VisitQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::from(&user.account);
    if let Some(Err(why)) = query.from.map(crate::domain::fields::calendar_day) {
        let fields = crate::domain::FieldErrors::single("from", why.clone());
        return Err(crate::error::AppError::bad_request(format!("from: {why}"))
            .with_fields(fields)
            .into());
    }
    let filter = db::visits::Filter {
        school_id: query.school_id,
        from: query.from,
    };
    let page_request = PageRequest::checked(query.page, query.per_page)?;
    let page = db
        .run(move |conn| db::visits::list(conn, &viewer, &filter, page_request))
        .await?;
    Ok(HttpResponse::Ok().json(VisitListing {
        page: page.request.page,
        per_page: page.request.per_page,
        total: page.total,
        items: page.items.into_iter().map(VisitSummaryOut::from).collect(),
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
    let actor = crate::web::actor(&user, &req);
    let saved = db
        .run(move |conn| actions::visits::create(conn, &actor, &visit))
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

/// Replaces a visit's plan (administrators and visit leads). Every field
/// must be sent (422 naming those missing); change some with `PATCH`.
/// Once a visit has snapshots its framework is fixed, and once it has
/// published items or checks its campus is, and its day moves only between
/// the visits to the campus before and after it: 409 says which.
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), request_body = VisitIn, responses(
    (status = 200, body = VisitOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/visits/{id}")]
pub async fn replace(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    body.require(&WHOLE_PLAN)?;
    let visit = body.parse::<VisitIn>()?.parse()?;
    change(&user, &req, &db, path.id, visit).await
}

/// Some fields of a visit's plan; the others keep their value. `null`
/// clears the lead or the framework.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitPatch {
    pub school_id: Option<i64>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<i64>)]
    pub lead_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<i64>)]
    pub framework_id: Option<Option<i64>>,
    pub focus: Option<String>,
    pub members: Option<BTreeSet<i64>>,
    pub segments: Option<BTreeSet<Segment>>,
}

/// Changes the named fields of a visit's plan, under the rules of `PUT`.
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), request_body = VisitPatch, responses(
    (status = 200, body = VisitOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[patch("/visits/{id}")]
pub async fn amend(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let patch: VisitPatch = body.parse()?;
    let (viewer, id) = (Viewer::from(&user.account), path.id);
    let current = db
        .run(move |conn| db::visits::find_visible(conn, &viewer, id))
        .await?;
    let link = |l: &Option<crate::domain::user::Link>| l.as_ref().map(|l| l.id);
    let visit = VisitIn {
        school_id: patch.school_id.unwrap_or(current.school.id),
        date: patch.date.unwrap_or_else(|| current.date.to_string()),
        lead_id: patch.lead_id.unwrap_or(link(&current.lead)),
        framework_id: patch.framework_id.unwrap_or(link(&current.framework)),
        focus: patch.focus.unwrap_or(current.focus),
        members: patch
            .members
            .unwrap_or_else(|| current.members.iter().map(|m| m.id).collect()),
        segments: Some(patch.segments.unwrap_or(current.segments)),
    }
    .parse()?;
    change(&user, &req, &db, id, visit).await
}

async fn change(
    user: &CurrentUser,
    req: &HttpRequest,
    db: &Db,
    id: i64,
    visit: NewVisit,
) -> Result<HttpResponse, ApiError> {
    let actor = crate::web::actor(user, req);
    let saved = db
        .run(move |conn| actions::visits::change(conn, &actor, id, &visit))
        .await?;
    Ok(HttpResponse::Ok().json(VisitOut::from(saved)))
}

/// The status to move a visit on to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    /// The visit's one next status: `in_progress`, `debriefed` or
    /// `closed`. A visit is published with `POST /visits/{id}/publish`.
    #[schema(schema_with = next_statuses)]
    pub to: VisitStatus,
}

/// The statuses this route moves a visit to: all but `planned` (where a
/// visit starts) and `published` (its own route).
fn next_statuses() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["in_progress", "debriefed", "closed"]))
        .build()
}

/// Moves a visit on to its next status (administrators and visit leads).
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), request_body = StatusIn, responses(
    (status = 200, body = VisitOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/visits/{id}/status")]
pub async fn advance(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let to = body.parse::<StatusIn>()?.to;
    let (actor, id) = (crate::web::actor(&user, &req), path.id);
    let saved = db
        .run(move |conn| actions::visits::advance(conn, &actor, id, to))
        .await?;
    Ok(HttpResponse::Ok().json(VisitOut::from(saved)))
}

/// An observation snapshot to record. Ticks are keyed by look-for code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    /// Look-for code → tick, as they are sent.
    pub ticks: std::collections::BTreeMap<String, crate::domain::observation::Tick>,
}

impl ObservationOut {
    /// The snapshot with its ticks keyed by the codes in `code_of`.
    fn of(
        o: crate::db::observations::Observation,
        code_of: &std::collections::HashMap<i64, String>,
    ) -> Self {
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
            ticks: o
                .ticks
                .into_iter()
                .map(|(id, tick)| {
                    let code = code_of.get(&id).cloned().unwrap_or_else(|| id.to_string());
                    (code, tick)
                })
                .collect(),
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
    use crate::db::observations::Submitted;
    use crate::domain::observation::{IdempotencyKey, RawObservation};
    use crate::domain::FieldErrors;

    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let key = IdempotencyKey::parse(key).map_err(|m| FieldErrors::single("Idempotency-Key", m))?;
    let input: ObservationIn = body.parse()?;
    let (visit_id, actor) = (path.id, crate::web::actor(&user, &req));
    let recorded = db
        .run(move |conn| {
            let rating = input.rating.map(|r| r.to_string()).unwrap_or_default();
            let raw = RawObservation {
                teacher: &input.teacher,
                setting: &input.setting,
                room: &input.room,
                grade_band: &input.grade_band,
                subject: &input.subject,
                started_at: &input.started_at,
                rating: &rating,
                notes: &input.notes,
            };
            let ticks = Ticks::ByCode(input.ticks.clone());
            actions::observations::record(conn, &actor, visit_id, &key, &raw, ticks)
        })
        .await;
    let recorded = audited(&req, &user, recorded).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        actix_web::http::header::LOCATION,
        format!("/api/v1/visits/{visit_id}/observations"),
    ));
    if matches!(recorded.submitted, Submitted::Replayed(_)) {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.json(ObservationOut::of(recorded.observation, &recorded.code_of)))
}

/// A visit's observations (its team and the planners only).
#[utoipa::path(security(("bearer" = [])), tag = "observations", params(VisitId, super::PageQuery), responses(
    (status = 200, body = Listing<ObservationOut>),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
#[get("/visits/{id}/observations")]
pub async fn observations(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
    query: web::Query<super::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let visit = crate::web::observations::recordable(&req, &user, &db, path.id).await?;
    let (visit_id, viewer) = (visit.id, Viewer::from(&user.account));
    let (found, code_of) = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            let code_of = db::visits::capture_target(conn, &viewer, visit_id)?.code_of;
            Ok((db::observations::for_visit(conn, visit_id)?, code_of))
        })
        .await?;
    let request = PageRequest::checked(query.page, query.per_page)?;
    Ok(HttpResponse::Ok().json(Listing::of(
        crate::domain::paging::Page::slice(found, request),
        |o| ObservationOut::of(o, &code_of),
    )))
}

/// A problem of practice and the departments it concerns.
#[derive(Serialize, ToSchema)]
pub struct ProblemOut {
    pub id: i64,
    pub description: String,
    pub departments: Vec<LinkOut>,
}

/// A visit's debrief.
#[derive(Serialize, ToSchema)]
pub struct DebriefOut {
    pub strengths: String,
    pub alignment_notes: String,
    pub attendees: String,
    pub problems: Vec<ProblemOut>,
    /// Whether it may still change: until the visit is published. After
    /// that it is the record its published items quote.
    pub editable: bool,
}

impl DebriefOut {
    fn of(debrief: crate::db::debriefs::Debrief, status: VisitStatus) -> Self {
        Self {
            strengths: debrief.strengths,
            alignment_notes: debrief.alignment_notes,
            attendees: debrief.attendees,
            problems: debrief
                .problems
                .into_iter()
                .map(|p| ProblemOut {
                    id: p.id,
                    description: p.description,
                    departments: p.departments.into_iter().map(Into::into).collect(),
                })
                .collect(),
            editable: status.takes_debrief_edits(),
        }
    }
}

/// A problem of practice to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemIn {
    pub description: String,
    #[serde(default)]
    pub department_ids: BTreeSet<i64>,
}

/// The whole debrief, replacing what was recorded.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DebriefIn {
    pub strengths: String,
    pub alignment_notes: String,
    pub attendees: String,
    pub problems: Vec<ProblemIn>,
}

async fn debrief_of(db: &Db, viewer: Viewer, id: i64) -> Result<DebriefOut, ApiError> {
    Ok(db
        .run(move |conn| -> crate::db::QueryResult<_> {
            let visit = db::visits::find_visible(conn, &viewer, id)?;
            Ok(DebriefOut::of(db::debriefs::find(conn, id)?, visit.status))
        })
        .await?)
}

/// A visit's debrief, for whoever may see the visit.
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), responses(
    (status = 200, body = DebriefOut),
    (status = 404, body = ErrorBody),
))]
#[get("/visits/{id}/debrief")]
pub async fn show_debrief(
    user: CurrentUser,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let debrief = debrief_of(&db, Viewer::from(&user.account), path.id).await?;
    Ok(HttpResponse::Ok().json(debrief))
}

/// Records a visit's debrief (administrators and visit leads), replacing
/// what was there, until the visit is published (409 after).
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), request_body = DebriefIn, responses(
    (status = 200, body = DebriefOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/visits/{id}/debrief")]
pub async fn save_debrief(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let input: DebriefIn = body.parse()?;
    // A form has blank rows to fill; a client sends only the problems it
    // means, so each needs its description.
    let mut blank = crate::domain::FieldErrors::new();
    for (i, problem) in input.problems.iter().enumerate() {
        if problem.description.trim().is_empty() {
            blank.add(
                &format!("problems[{i}].description"),
                "Describe the problem of practice.",
            );
        }
    }
    if !blank.is_empty() {
        return Err(blank.into());
    }
    let problems: Vec<(String, BTreeSet<i64>)> = input
        .problems
        .into_iter()
        .map(|p| (p.description, p.department_ids))
        .collect();
    let debrief = crate::domain::debrief::NewDebrief::parse(
        &input.strengths,
        &input.alignment_notes,
        &input.attendees,
        &problems,
    )?;
    let (actor, id) = (crate::web::actor(&user, &req), path.id);
    db.run(move |conn| actions::debriefs::save(conn, &actor, id, &debrief))
        .await?;
    let debrief = debrief_of(&db, Viewer::from(&user.account), id).await?;
    Ok(HttpResponse::Ok().json(debrief))
}
