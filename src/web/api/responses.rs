//! The campus's response to a published debrief, the acknowledgement of
//! its steps, and items made of its needs — under the same rules as the
//! debrief page.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::users::LinkOut;
use super::{created, JsonBody};
use crate::auth::{CurrentUser, Planner};
use crate::db::visits::Viewer;
use crate::db::{self, Db};
use crate::domain::action_item::Kind;
use crate::domain::response::{Agreement, NewResponse};
use crate::error::{ApiError, ErrorBody};
use crate::web::{actions, audited};

#[derive(Deserialize, IntoParams)]
pub struct VisitId {
    /// The visit's id.
    id: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct StepPath {
    /// The visit's id.
    id: i64,
    /// The action step's id.
    item_id: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct NeedPath {
    /// The visit's id.
    id: i64,
    /// The need's id.
    need_id: i64,
}

/// What the campus needs from one department.
#[derive(Serialize, ToSchema)]
pub struct NeedOut {
    pub id: i64,
    pub department: LinkOut,
    pub need: String,
    /// The action item the visit lead made of it.
    pub item_id: Option<i64>,
}

/// The campus's response.
#[derive(Serialize, ToSchema)]
pub struct ResponseOut {
    pub agreement: Agreement,
    pub context: String,
    pub author: Option<LinkOut>,
    /// Send it back with a revision; a stale one gets 409.
    pub version: i32,
    #[schema(value_type = String)]
    pub updated_at: NaiveDateTime,
    pub needs: Vec<NeedOut>,
}

/// One of the campus's action steps, and its acknowledgement.
#[derive(Serialize, ToSchema)]
pub struct StepOut {
    pub item_id: i64,
    pub title: String,
    pub acknowledged_by: Option<String>,
    #[schema(value_type = Option<String>)]
    pub acknowledged_at: Option<NaiveDateTime>,
}

/// The campus's voice on a visit: its response (null until it responds)
/// and its steps with their acknowledgements.
#[derive(Serialize, ToSchema)]
pub struct CampusVoiceOut {
    pub response: Option<ResponseOut>,
    pub steps: Vec<StepOut>,
    /// Whether the one asking may respond and acknowledge now.
    pub may_respond: bool,
}

/// A need to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedIn {
    pub department_id: i64,
    #[schema(min_length = 1, max_length = 2000)]
    pub need: String,
}

/// The campus's response, whole; `version` is the one read, absent for a
/// first response.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseIn {
    pub agreement: Agreement,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub context: String,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub needs: Vec<NeedIn>,
    pub version: Option<i32>,
}

/// Made: the new item's id.
#[derive(Serialize, ToSchema)]
pub struct ItemId {
    pub id: i64,
}

async fn voice(db: &Db, user: &CurrentUser, id: i64) -> Result<CampusVoiceOut, ApiError> {
    let viewer = Viewer::from(&user.account);
    Ok(db
        .run(move |conn| -> crate::db::QueryResult<_> {
            let visit = db::visits::find_visible(conn, &viewer, id)?;
            let response = db::responses::find(conn, id)?;
            let steps = if visit.status.in_review() {
                Vec::new()
            } else {
                db::action_items::list(
                    conn,
                    &viewer,
                    &db::action_items::Filter {
                        visit_id: Some(id),
                        kind: Some(Kind::School),
                        published_only: true,
                        without_look_fors: true,
                        ..Default::default()
                    },
                )?
            };
            let ids: Vec<i64> = steps.iter().map(|s| s.id).collect();
            let acks = db::responses::acknowledgements(conn, &ids)?;
            let may_respond = crate::domain::response::takes_response(visit.status).is_ok()
                && crate::domain::response::may_respond(
                    &viewer.roles,
                    viewer.school_id,
                    visit.school.id,
                );
            Ok(CampusVoiceOut {
                response: response.map(|r| ResponseOut {
                    agreement: r.agreement,
                    context: r.context,
                    author: r.author.map(Into::into),
                    version: r.version,
                    updated_at: r.updated_at,
                    needs: r
                        .needs
                        .into_iter()
                        .map(|n| NeedOut {
                            id: n.id,
                            department: n.department.into(),
                            need: n.need,
                            item_id: n.item_id,
                        })
                        .collect(),
                }),
                steps: steps
                    .into_iter()
                    .map(|s| {
                        let ack = acks.get(&s.id);
                        StepOut {
                            item_id: s.id,
                            title: s.title,
                            acknowledged_by: ack.map(|a| a.by.clone()),
                            acknowledged_at: ack.map(|a| a.at),
                        }
                    })
                    .collect(),
                may_respond,
            })
        })
        .await?)
}

/// The campus's response to a visit's debrief and its steps'
/// acknowledgements, for whoever may see the visit.
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), responses(
    (status = 200, body = CampusVoiceOut),
    (status = 404, body = ErrorBody),
))]
#[get("/visits/{id}/response")]
pub async fn show(
    user: CurrentUser,
    db: web::Data<Db>,
    path: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(voice(&db, &user, path.id).await?))
}

/// Records the campus's response to a published debrief, or revises it
/// from `version` (its school leaders and administrators; 403 for anyone
/// else who sees the visit). 409 before publication, after closing, or
/// when someone revised it since `version`. The departments it concerns
/// and the visit's lead are emailed.
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(VisitId), request_body = ResponseIn, responses(
    (status = 200, body = CampusVoiceOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/visits/{id}/response")]
pub async fn save(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<crate::web::Settings>,
    path: web::Path<VisitId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (crate::web::actor(&user, &req), path.id);
    let checked = db
        .run(move |conn| actions::responses::check(conn, &actor, id))
        .await;
    audited(&req, &user, checked).await?;
    let input: ResponseIn = body.parse()?;
    let mut blank = crate::domain::FieldErrors::new();
    for (i, need) in input.needs.iter().enumerate() {
        if need.need.trim().is_empty() {
            blank.add(
                &format!("needs[{i}].need"),
                "Say what the campus needs from the department.",
            );
        }
    }
    if !blank.is_empty() {
        return Err(blank.into());
    }
    let needs: Vec<(Option<i64>, String)> = input
        .needs
        .into_iter()
        .map(|n| (Some(n.department_id), n.need))
        .collect();
    let response = NewResponse::parse(input.agreement.as_str(), &input.context, &needs)?;
    let (actor, id, base) = (
        crate::web::actor(&user, &req),
        path.id,
        config.base_url.clone(),
    );
    let expected = input.version;
    let saved = db
        .run(move |conn| actions::responses::save(conn, &actor, id, &response, expected, &base))
        .await;
    audited(&req, &user, saved).await?;
    Ok(HttpResponse::Ok().json(voice(&db, &user, id).await?))
}

/// A school leader of the campus (or an administrator) acknowledges one of
/// its action steps on a published visit: 204, also when it was
/// acknowledged already (the first acknowledgement stands).
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(StepPath), responses(
    (status = 204, description = "Acknowledged"),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
))]
#[post("/visits/{id}/steps/{item_id}/acknowledgement")]
pub async fn acknowledge(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<StepPath>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id, item_id) = (crate::web::actor(&user, &req), path.id, path.item_id);
    let done = db
        .run(move |conn| actions::responses::acknowledge(conn, &actor, id, item_id))
        .await;
    audited(&req, &user, done).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Makes an open item of the department a need of the campus's response
/// names (administrators and visit leads); 409 when the need is an item
/// already.
#[utoipa::path(security(("bearer" = [])), tag = "visits", params(NeedPath), responses(
    (status = 201, body = ItemId),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
))]
#[post("/visits/{id}/response/needs/{need_id}/item")]
pub async fn need_item(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<crate::web::Settings>,
    path: web::Path<NeedPath>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id, need_id) = (crate::web::actor(&user, &req), path.id, path.need_id);
    let base = config.base_url.clone();
    let added = db
        .run(move |conn| actions::responses::add_item(conn, &actor, id, need_id, &base))
        .await;
    let item = audited(&req, &user, added).await?;
    Ok(created(
        format!("/api/v1/items/{item}"),
        &ItemId { id: item },
    ))
}
