use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, JsonBody};
use crate::auth::extract::client_ip;
use crate::auth::Admin;
use crate::db::audit::NewEvent;
use crate::db::{self, Db};
use crate::domain::framework::FrameworkDoc;
use crate::domain::FieldErrors;
use crate::error::{ApiError, AppError, ErrorBody};

/// A framework in a list.
#[derive(Serialize, ToSchema)]
pub struct FrameworkSummaryOut {
    pub id: i64,
    pub name: String,
    /// The version's label ("2026.1", "2026-27", "3").
    pub version: String,
    /// Frozen once an observation uses it; a change is then a new version.
    pub frozen: bool,
    pub indicators: i64,
}

/// A framework in the exchange format, with its id and state.
#[derive(Serialize, ToSchema)]
pub struct FrameworkOut {
    pub id: i64,
    pub frozen: bool,
    pub name: String,
    /// The version's label ("2026.1", "2026-27", "3").
    pub version: String,
    pub domains: Vec<crate::domain::framework::DomainDoc>,
}

impl FrameworkOut {
    fn of(framework: &crate::db::frameworks::Framework) -> Self {
        let doc = framework.to_doc();
        Self {
            id: framework.id,
            frozen: framework.frozen,
            name: doc.name,
            version: doc.version,
            domains: doc.domains,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct FrameworkId {
    /// The framework's id.
    id: i64,
}

/// Every framework, newest version of each name first.
#[utoipa::path(security(("bearer" = [])), tag = "frameworks", params(super::PageQuery), responses(
    (status = 200, body = super::Listing<FrameworkSummaryOut>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
#[get("/frameworks")]
pub async fn list(
    _admin: Admin,
    db: web::Data<Db>,
    query: web::Query<super::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let frameworks = db.run(db::frameworks::list).await?;
    let request = crate::domain::paging::PageRequest::checked(query.page, query.per_page)?;
    let page = crate::domain::paging::Page::slice(frameworks, request);
    Ok(
        HttpResponse::Ok().json(super::Listing::of(page, |f| FrameworkSummaryOut {
            id: f.id,
            name: f.name,
            version: f.version,
            frozen: f.frozen,
            indicators: f.indicators,
        })),
    )
}

/// One framework, in the format it imports from.
#[utoipa::path(security(("bearer" = [])), tag = "frameworks", params(FrameworkId), responses(
    (status = 200, body = FrameworkOut),
    (status = 404, body = ErrorBody),
))]
#[get("/frameworks/{id}")]
pub async fn show(
    _admin: Admin,
    db: web::Data<Db>,
    path: web::Path<FrameworkId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let framework = db.run(move |conn| db::frameworks::load(conn, id)).await?;
    Ok(HttpResponse::Ok().json(FrameworkOut::of(&framework)))
}

/// Imports a framework. The same name and version replaces it while no
/// observation uses it; a frozen version is refused (422). Problems are
/// listed in `fields`, keyed by their place (`domains[0].indicators[2].code`).
#[utoipa::path(security(("bearer" = [])), tag = "frameworks", request_body = FrameworkDoc, responses(
    (status = 201, body = FrameworkOut),
    (status = 422, body = ErrorBody),
))]
#[post("/frameworks")]
pub async fn import(
    admin: Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let doc: FrameworkDoc = body.parse()?;
    let text = serde_json::to_string(&doc).map_err(AppError::internal)?;
    let (actor, ip) = (admin.0.id(), client_ip(&req));
    let outcome = db
        .run(move |conn| -> Result<_, AppError> {
            match crate::import::framework(conn, &text, &crate::import::FrameworkFormat::Json) {
                Ok((imported, _)) => {
                    db::audit::record(
                        conn,
                        &NewEvent::new("framework.imported")
                            .by(Some(actor))
                            .on("framework", imported.id())
                            .from_ip(ip),
                    )?;
                    Ok(Ok(db::frameworks::load(conn, imported.id())?))
                }
                Err(crate::import::FrameworkImportError::Problems(problems)) => Ok(Err(problems)),
                Err(crate::import::FrameworkImportError::Db(e)) => Err(e.into()),
            }
        })
        .await?;
    match outcome {
        Ok(framework) => Ok(created(
            format!("/api/v1/frameworks/{}", framework.id),
            &FrameworkOut::of(&framework),
        )),
        Err(problems) => {
            // Only departments the district lacks: well formed, but it
            // conflicts with what is on record (409); otherwise 422.
            let conflict = problems.iter().all(|p| p.is_unknown_department());
            let mut fields = FieldErrors::new();
            for problem in problems {
                fields.add(&problem.place, problem.message);
            }
            let mut error = AppError::validation(fields);
            if conflict {
                error.code = crate::error::ErrorCode::Conflict;
                error.message =
                    "The framework names departments the district does not have.".to_owned();
            }
            Err(error.into())
        }
    }
}
