//! Action items in the API: generation, review, publish, updates, lists and
//! the checks of a later visit — under the same rules as the pages.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{JsonBody, Listing, PageQuery};
use crate::auth::extract::deny;
use crate::auth::{CurrentUser, Planner};
use crate::db::action_items::{Change, Changed, Draft, Filter, Item};
use crate::db::visits::Viewer;
use crate::db::{self, Db};
use crate::domain::action_item::{Check, Kind, Priority, Status};
use crate::domain::paging::{Page, PageRequest};
use crate::domain::FieldErrors;
use crate::error::{ApiError, AppError, ErrorBody, ErrorCode};
use crate::web::actions;
use crate::web::items::{item_page, reviewable, today, visible_item, visible_visit};

/// What a stale change is told: the item moved on since the version sent.
const STALE: &str = "Someone else changed this item since the version you sent. Read it again, then send your change with its current version.";

/// An action item.
#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub id: i64,
    pub visit_id: i64,
    #[schema(value_type = String)]
    pub visit_date: NaiveDate,
    pub school: super::users::LinkOut,
    pub kind: Kind,
    pub department: Option<super::users::LinkOut>,
    pub title: String,
    pub evidence: String,
    pub status: Status,
    /// Why it is blocked or dropped.
    pub reason: String,
    pub priority: Priority,
    pub owner: Option<super::users::LinkOut>,
    #[schema(value_type = Option<String>)]
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
    /// Send it back with a change; a stale one gets 409.
    pub version: i32,
    /// Whether a person edited it (generation then leaves it alone).
    pub edited: bool,
    /// The look-fors behind it, by code.
    pub look_fors: Vec<String>,
}

impl From<Item> for ItemOut {
    fn from(item: Item) -> Self {
        let overdue = item.is_overdue(today());
        Self {
            id: item.id,
            visit_id: item.visit_id,
            visit_date: item.visit_date,
            school: item.school.into(),
            kind: item.kind,
            department: item.department.map(Into::into),
            title: item.title,
            evidence: item.evidence,
            status: item.status,
            reason: item.reason,
            priority: item.priority,
            owner: item.owner.map(Into::into),
            due_on: item.due_on,
            overdue,
            version: item.version,
            edited: item.edited,
            look_fors: item.look_fors.into_iter().map(|l| l.code).collect(),
        }
    }
}

/// One entry of an item's history.
#[derive(Serialize, ToSchema)]
pub struct UpdateOut {
    pub author: Option<String>,
    #[schema(value_type = String)]
    pub at: chrono::NaiveDateTime,
    pub status: Status,
    pub change: String,
    pub note: String,
}

/// An item with its history.
#[derive(Serialize, ToSchema)]
pub struct ItemDetailOut {
    #[serde(flatten)]
    pub item: ItemOut,
    pub history: Vec<UpdateOut>,
}

#[derive(Deserialize, IntoParams)]
pub struct Id {
    /// The record's id.
    id: i64,
}

/// What generating did.
#[derive(Serialize, ToSchema)]
pub struct GeneratedOut {
    pub added: usize,
    pub refreshed: usize,
    pub kept: usize,
    pub removed: usize,
}

async fn items_of_visit(
    user: &CurrentUser,
    db: &Db,
    visit_id: i64,
) -> Result<Vec<ItemOut>, AppError> {
    let viewer = Viewer::from(&user.account);
    let filter = Filter {
        visit_id: Some(visit_id),
        ..Filter::default()
    };
    let items = db
        .run(move |conn| db::action_items::list(conn, &viewer, &filter))
        .await?;
    Ok(items.into_iter().map(ItemOut::from).collect())
}

/// One page of `items`, in the shape of every list.
fn listing(
    items: Vec<ItemOut>,
    page: &PageQuery,
) -> Result<Listing<ItemOut>, crate::domain::FieldErrors> {
    let request = PageRequest::checked(page.page, page.per_page)?;
    Ok(Listing::of(Page::slice(items, request), |i| i))
}

/// A visit's items (proposals included for its team and the planners).
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(Id, PageQuery), responses(
    (status = 200, body = Listing<ItemOut>),
    (status = 404, body = ErrorBody),
))]
#[get("/visits/{id}/items")]
pub async fn for_visit(
    user: CurrentUser,
    db: web::Data<Db>,
    path: web::Path<Id>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let visit = visible_visit(&user, &db, path.id).await?;
    let items = items_of_visit(&user, &db, visit.id).await?;
    Ok(HttpResponse::Ok().json(listing(items, &page)?))
}

/// Two proposals of one visit to merge.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The proposal that stays, with the other's evidence added.
    pub into: i64,
    /// The proposal merged away.
    pub from: i64,
}

/// Merges proposal `from` into proposal `into` while the visit is in
/// review (its team and the planners); answers the visit's items.
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(Id), request_body = MergeIn, responses(
    (status = 200, body = Listing<ItemOut>),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/visits/{id}/items/merge")]
pub async fn merge(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let visit = reviewable(&req, &user, &db, path.id).await?;
    let input: MergeIn = body.parse()?;
    let (visit_id, actor) = (visit.id, crate::web::actor(&user, &req));
    db.run(move |conn| actions::items::merge(conn, &actor, visit_id, input.into, input.from))
        .await?;
    let items = items_of_visit(&user, &db, visit_id).await?;
    Ok(HttpResponse::Ok().json(listing(items, &PageQuery::everything())?))
}

/// Proposes items from a debriefed visit's evidence (its team and the
/// planners). Again: adds what is new, never overwrites what a person edited.
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(Id), responses(
    (status = 200, body = GeneratedOut),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/visits/{id}/items/generate")]
pub async fn generate(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
) -> Result<HttpResponse, ApiError> {
    let visit = reviewable(&req, &user, &db, path.id).await?;
    let (visit_id, actor) = (visit.id, crate::web::actor(&user, &req));
    let outcome = db
        .run(move |conn| actions::items::generate(conn, &actor, visit_id))
        .await?;
    Ok(HttpResponse::Ok().json(GeneratedOut {
        added: outcome.added,
        refreshed: outcome.refreshed,
        kept: outcome.kept,
        removed: outcome.removed,
    }))
}

/// An item added by hand in review.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    pub title: String,
    #[serde(default)]
    pub evidence: String,
    /// A department item when set; otherwise a school action step.
    pub department_id: Option<i64>,
    pub owner_id: Option<i64>,
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "crate::domain::fields::optional_day")]
    pub due_on: Option<NaiveDate>,
    #[serde(default = "normal")]
    pub priority: Priority,
}

fn normal() -> Priority {
    Priority::Normal
}

/// Adds an item to a visit in review (its team and the planners).
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(Id), request_body = ItemIn, responses(
    (status = 201, body = ItemOut),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/visits/{id}/items")]
pub async fn add(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let visit = reviewable(&req, &user, &db, path.id).await?;
    let input: ItemIn = body.parse()?;
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(
            FieldErrors::single("title", "Say what needs doing, in under 300 characters.").into(),
        );
    }
    let draft = Draft {
        kind: if input.department_id.is_some() {
            Kind::Department
        } else {
            Kind::School
        },
        department_id: input.department_id,
        title,
        evidence: input.evidence.trim().to_owned(),
        owner_id: input.owner_id,
        due_on: input.due_on,
        priority: input.priority,
    };
    let (visit_id, actor) = (visit.id, crate::web::actor(&user, &req));
    let id = db
        .run(move |conn| actions::items::add(conn, &actor, visit_id, &draft))
        .await?;
    let item = visible_item(&user, &db, id).await?;
    Ok(super::created(
        format!("/api/v1/items/{id}"),
        &ItemOut::from(item),
    ))
}

/// Publishes a debriefed visit: its proposals open, the visit becomes
/// published (administrators and visit leads).
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(Id), responses(
    (status = 200, body = Listing<ItemOut>),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/visits/{id}/publish")]
pub async fn publish(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<crate::web::Settings>,
    path: web::Path<Id>,
) -> Result<HttpResponse, ApiError> {
    let (visit_id, actor) = (path.id, crate::web::actor(&user, &req));
    let base = config.base_url.clone();
    db.run(move |conn| actions::items::publish(conn, &actor, visit_id, &base))
        .await?;
    let items = items_of_visit(&user, &db, visit_id).await?;
    Ok(HttpResponse::Ok().json(listing(items, &PageQuery::everything())?))
}

#[derive(Deserialize, IntoParams)]
pub struct ItemQuery {
    /// Only this campus's items.
    pub school_id: Option<i64>,
    /// Only this department's items.
    pub department_id: Option<i64>,
    /// Only items in this status.
    pub status: Option<Status>,
    /// Only open items past their due date.
    #[serde(default)]
    pub overdue: bool,
    /// Only the caller's own items.
    #[serde(default)]
    pub mine: bool,
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page (1–200, default 50); outside that, 422.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// The items the caller may see, by due date.
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(ItemQuery), responses(
    (status = 200, body = Listing<ItemOut>),
    (status = 401, body = ErrorBody),
))]
#[get("/items")]
pub async fn list(
    user: CurrentUser,
    db: web::Data<Db>,
    query: web::Query<ItemQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::from(&user.account);
    let filter = Filter {
        school_id: query.school_id,
        department_id: query.department_id,
        statuses: query.status.into_iter().collect(),
        overdue_on: query.overdue.then(today),
        owner_id: query.mine.then(|| user.id()),
        ..Filter::default()
    };
    let items = db
        .run(move |conn| db::action_items::list(conn, &viewer, &filter))
        .await?;
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    };
    let items = items.into_iter().map(ItemOut::from).collect();
    Ok(HttpResponse::Ok().json(listing(items, &page)?))
}

async fn detail(user: &CurrentUser, db: &Db, id: i64) -> Result<ItemDetailOut, AppError> {
    let item = visible_item(user, db, id).await?;
    let history = db
        .run(move |conn| db::action_items::history(conn, id))
        .await?;
    Ok(ItemDetailOut {
        item: item.into(),
        history: history
            .into_iter()
            .map(|u| UpdateOut {
                author: u.author,
                at: u.at,
                status: u.status,
                change: u.change,
                note: u.note,
            })
            .collect(),
    })
}

/// One item with its history.
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(Id), responses(
    (status = 200, body = ItemDetailOut),
    (status = 404, body = ErrorBody),
))]
#[get("/items/{id}")]
pub async fn show(
    user: CurrentUser,
    db: web::Data<Db>,
    path: web::Path<Id>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(detail(&user, &db, path.id).await?))
}

/// A change to an item. Omitted fields keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemChangeIn {
    /// The version read; a stale one gets 409 and changes nothing.
    pub version: i32,
    pub title: Option<String>,
    pub evidence: Option<String>,
    pub status: Option<Status>,
    /// Needed when blocking or dropping.
    pub reason: Option<String>,
    /// `null` leaves the owner; use `unassign` to clear it.
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub unassign: bool,
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "crate::domain::fields::optional_day")]
    pub due_on: Option<NaiveDate>,
    pub priority: Option<Priority>,
    /// Kept in the item's history.
    #[serde(default)]
    pub note: String,
}

/// Updates an item: in review, its visit's team and the planners; once
/// published, the school's leaders (school steps), the department's heads
/// (department items) and the item's owner.
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(Id), request_body = ItemChangeIn, responses(
    (status = 200, body = ItemDetailOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[patch("/items/{id}")]
pub async fn update(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<crate::web::Settings>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let item = visible_item(&user, &db, path.id).await?;
    let page = item_page(&user, &db, item).await?;
    if !page.can_change {
        return Err(deny(&req, &user).await.into());
    }
    let input: ItemChangeIn = body.parse()?;
    let item = &page.item;
    if !page.review && (input.title.is_some() || input.evidence.is_some()) {
        return Err(FieldErrors::single(
            "title",
            "The title and evidence are settled once the visit is published; add a note instead.",
        )
        .into());
    }
    if input.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(FieldErrors::single("title", "Say what needs doing.").into());
    }
    let change = Change {
        version: input.version,
        title: input.title.map(|t| t.trim().to_owned()),
        evidence: input.evidence.map(|e| e.trim().to_owned()),
        status: input.status.unwrap_or(item.status),
        reason: input.reason.unwrap_or_else(|| item.reason.clone()),
        owner_id: if input.unassign {
            None
        } else {
            input.owner_id.or(item.owner.as_ref().map(|o| o.id))
        },
        due_on: input.due_on.or(item.due_on),
        priority: input.priority.unwrap_or(item.priority),
        note: input.note,
    };
    let (id, actor) = (item.id, crate::web::actor(&user, &req));
    let newly_owned = crate::web::items::newly_owned(&page, change.owner_id, actor.id);
    let base = config.base_url.clone();
    let outcome = db
        .run(move |conn| actions::items::change(conn, &actor, id, &change, newly_owned, &base))
        .await?;
    match outcome {
        Changed::Saved(_) => Ok(HttpResponse::Ok().json(detail(&user, &db, id).await?)),
        Changed::Conflict => Err(AppError::new(ErrorCode::Conflict, STALE).into()),
    }
}

/// What the team found about an earlier item at this visit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    pub item_id: i64,
    pub result: Check,
    #[serde(default)]
    pub note: String,
}

/// Records a check of an earlier visit's item at this visit (its team and
/// the planners): verified, still open or not started.
#[utoipa::path(security(("bearer" = [])), tag = "action items", params(Id), request_body = CheckIn, responses(
    (status = 200, body = ItemOut),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[post("/visits/{id}/checks")]
pub async fn check(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<Id>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let visit = reviewable(&req, &user, &db, path.id).await?;
    let input: CheckIn = body.parse()?;
    let (visit_id, actor) = (visit.id, crate::web::actor(&user, &req));
    let item = db
        .run(move |conn| {
            actions::items::check(
                conn,
                &actor,
                visit_id,
                input.item_id,
                input.result,
                &input.note,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(ItemOut::from(item)))
}
