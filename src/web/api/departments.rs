use actix_web::{get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, yes, JsonBody, Listing};
use crate::auth::Admin;
use crate::db::{self, Db};
use crate::domain::department::{Department, NewDepartment};
use crate::error::{ApiError, ErrorBody};
use crate::web::ListQuery;

/// A central-office department.
#[derive(Serialize, ToSchema)]
pub struct DepartmentOut {
    pub id: i64,
    pub name: String,
    pub contact_email: Option<String>,
    pub active: bool,
}

impl From<Department> for DepartmentOut {
    fn from(d: Department) -> Self {
        Self {
            id: d.id,
            name: d.name,
            contact_email: d.contact_email,
            active: d.active,
        }
    }
}

/// The fields of a department to create or replace.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentIn {
    /// Unique, in any case.
    pub name: String,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

impl DepartmentIn {
    fn parse(&self) -> Result<NewDepartment, ApiError> {
        Ok(NewDepartment::parse(
            &self.name,
            self.contact_email.as_deref().unwrap_or(""),
            self.active,
        )?)
    }
}

#[derive(Deserialize, IntoParams)]
pub struct DepartmentId {
    /// The department's id.
    id: i64,
}

/// Lists departments in name order.
#[utoipa::path(security(("bearer" = [])), tag = "departments", params(ListQuery), responses(
    (status = 200, body = Listing<DepartmentOut>),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
#[get("/departments")]
pub async fn list(
    _admin: Admin,
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let include_inactive = query.include_inactive();
    let page_request = query.checked_page_request()?;
    let page = db
        .run(move |conn| db::departments::list(conn, include_inactive, page_request))
        .await?;
    Ok(HttpResponse::Ok().json(Listing::of(page, DepartmentOut::from)))
}

/// Creates a department.
#[utoipa::path(security(("bearer" = [])), tag = "departments", request_body = DepartmentIn, responses(
    (status = 201, body = DepartmentOut),
    (status = 422, body = ErrorBody),
))]
#[post("/departments")]
pub async fn create(
    _admin: Admin,
    db: web::Data<Db>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let department = body.parse::<DepartmentIn>()?.parse()?;
    let saved = db
        .run(move |conn| {
            let id = db::departments::insert(conn, &department)?;
            Ok::<_, db::WriteError>(db::departments::find(conn, id)?)
        })
        .await?;
    tracing::info!(department.id = saved.id, "department created");
    Ok(created(
        format!("/api/v1/departments/{}", saved.id),
        &DepartmentOut::from(saved),
    ))
}

/// One department.
#[utoipa::path(security(("bearer" = [])), tag = "departments", params(DepartmentId), responses(
    (status = 200, body = DepartmentOut),
    (status = 404, body = ErrorBody),
))]
#[get("/departments/{id}")]
pub async fn show(
    _admin: Admin,
    db: web::Data<Db>,
    path: web::Path<DepartmentId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let department = db.run(move |conn| db::departments::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(DepartmentOut::from(department)))
}

/// Replaces a department's fields; `"active": false` deactivates it.
#[utoipa::path(security(("bearer" = [])), tag = "departments", params(DepartmentId), request_body = DepartmentIn, responses(
    (status = 200, body = DepartmentOut),
    (status = 404, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/departments/{id}")]
pub async fn update(
    _admin: Admin,
    db: web::Data<Db>,
    path: web::Path<DepartmentId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let department = body.parse::<DepartmentIn>()?.parse()?;
    let saved = db
        .run(move |conn| {
            db::departments::update(conn, id, &department)?;
            Ok::<_, db::WriteError>(db::departments::find(conn, id)?)
        })
        .await?;
    tracing::info!(department.id = id, "department updated");
    Ok(HttpResponse::Ok().json(DepartmentOut::from(saved)))
}
