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
