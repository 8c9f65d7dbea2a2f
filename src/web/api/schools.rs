use actix_web::{get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, yes, JsonBody, Listing};
use crate::auth::Admin;
use crate::db::{self, Db};
use crate::domain::school::{NewSchool, School, SchoolLevel};
use crate::error::{ApiError, ErrorBody};
use crate::web::ListQuery;

/// A school (campus).
#[derive(Serialize, ToSchema)]
pub struct SchoolOut {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub level: SchoolLevel,
    /// The district's program for the campus, or empty.
    pub program: String,
    pub active: bool,
}

impl From<School> for SchoolOut {
    fn from(s: School) -> Self {
        Self {
            id: s.id,
            name: s.name,
            code: s.code,
            level: s.level,
            program: s.program,
            active: s.active,
        }
    }
}

/// The fields of a school to create or replace.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolIn {
    pub name: String,
    /// Letters, digits, '-' and '_'; stored upper-case; unique.
    pub code: String,
    /// `elementary`, `middle`, `high` or `other`.
    #[schema(example = "elementary")]
    pub level: String,
    /// The district's program for the campus ("Title I"); optional.
    #[serde(default)]
    pub program: String,
    /// Deactivated schools keep their history but leave lists (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

impl SchoolIn {
    fn parse(&self) -> Result<NewSchool, ApiError> {
        Ok(NewSchool::parse_with_program(
            &self.name,
            &self.code,
            &self.level,
            &self.program,
            self.active,
        )?)
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SchoolId {
    /// The school's id.
    id: i64,
}

/// Lists schools in name order, a page at a time.
#[utoipa::path(security(("bearer" = [])), tag = "schools", params(ListQuery), responses(
    (status = 200, body = Listing<SchoolOut>),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
#[get("/schools")]
pub async fn list(
    _admin: Admin,
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = db::schools::Filter {
        search: query.search(),
        include_inactive: query.include_inactive(),
    };
    let page_request = query.checked_page_request()?;
    let page = db
        .run(move |conn| db::schools::list(conn, &filter, page_request))
        .await?;
    Ok(HttpResponse::Ok().json(Listing::of(page, SchoolOut::from)))
}

/// Creates a school.
#[utoipa::path(security(("bearer" = [])), tag = "schools", request_body = SchoolIn, responses(
    (status = 201, body = SchoolOut),
    (status = 422, description = "A field is invalid or the code is taken", body = ErrorBody),
))]
#[post("/schools")]
pub async fn create(
    _admin: Admin,
    db: web::Data<Db>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let school = body.parse::<SchoolIn>()?.parse()?;
    let saved = db
        .run(move |conn| {
            let id = db::schools::insert(conn, &school)?;
            Ok::<_, db::WriteError>(db::schools::find(conn, id)?)
        })
        .await?;
    tracing::info!(school.id = saved.id, "school created");
    Ok(created(
        format!("/api/v1/schools/{}", saved.id),
        &SchoolOut::from(saved),
    ))
}

/// One school.
#[utoipa::path(security(("bearer" = [])), tag = "schools", params(SchoolId), responses(
    (status = 200, body = SchoolOut),
    (status = 404, body = ErrorBody),
))]
#[get("/schools/{id}")]
pub async fn show(
    _admin: Admin,
    db: web::Data<Db>,
    path: web::Path<SchoolId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let school = db.run(move |conn| db::schools::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(SchoolOut::from(school)))
}

/// Replaces a school's fields; `"active": false` deactivates it.
#[utoipa::path(security(("bearer" = [])), tag = "schools", params(SchoolId), request_body = SchoolIn, responses(
    (status = 200, body = SchoolOut),
    (status = 404, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/schools/{id}")]
pub async fn update(
    _admin: Admin,
    db: web::Data<Db>,
    path: web::Path<SchoolId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let school = body.parse::<SchoolIn>()?.parse()?;
    let saved = db
        .run(move |conn| {
            db::schools::update(conn, id, &school)?;
            Ok::<_, db::WriteError>(db::schools::find(conn, id)?)
        })
        .await?;
    tracing::info!(school.id = id, "school updated");
    Ok(HttpResponse::Ok().json(SchoolOut::from(saved)))
}
