use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, yes, JsonBody, Listing};
use crate::auth::Admin;
use crate::db::{self, Db};
use crate::domain::user::{Link, NewUser, User};
use crate::error::{ApiError, ErrorBody};
use crate::web::ListQuery;

/// A person in the directory.
#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub school: Option<LinkOut>,
    pub department: Option<LinkOut>,
}

/// Another record, by id and name.
#[derive(Serialize, ToSchema)]
pub struct LinkOut {
    pub id: i64,
    pub name: String,
}

impl From<Link> for LinkOut {
    fn from(l: Link) -> Self {
        Self {
            id: l.id,
            name: l.name,
        }
    }
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            name: u.name,
            email: u.email,
            active: u.active,
            school: u.school.map(LinkOut::from),
            department: u.department.map(LinkOut::from),
        }
    }
}

/// The fields of a person to create or replace.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub name: String,
    /// Unique; stored lower-case.
    pub email: String,
    /// The school a school leader belongs to.
    #[serde(default)]
    pub school_id: Option<i64>,
    /// The department a visitor or department head belongs to.
    #[serde(default)]
    pub department_id: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
    /// On create: email the person an invitation, a link that works once,
    /// for 7 days, to set their password (or sign in with the district's
    /// provider). Ignored on replace.
    #[serde(default)]
    pub invite: bool,
}

impl UserIn {
    fn parse(&self) -> Result<NewUser, ApiError> {
        Ok(NewUser::parse(
            &self.name,
            &self.email,
            self.active,
            self.school_id,
            self.department_id,
        )?)
    }
}

#[derive(Deserialize, IntoParams)]
pub struct UserId {
    /// The person's id.
    id: i64,
}

/// Lists people in name order, a page at a time.
#[utoipa::path(security(("bearer" = [])), tag = "users", params(ListQuery), responses(
    (status = 200, body = Listing<UserOut>),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
#[get("/users")]
pub async fn list(
    _admin: Admin,
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = db::users::Filter {
        search: query.search(),
        include_inactive: query.include_inactive(),
    };
    let page_request = query.checked_page_request()?;
    let page = db
        .run(move |conn| db::users::list(conn, &filter, page_request))
        .await?;
    Ok(HttpResponse::Ok().json(Listing::of(page, UserOut::from)))
}

/// Creates a person, with no role; `"invite": true` emails them an
/// invitation.
#[utoipa::path(security(("bearer" = [])), tag = "users", request_body = UserIn, responses(
    (status = 201, body = UserOut),
    (status = 422, body = ErrorBody),
))]
#[post("/users")]
pub async fn create(
    Admin(admin): Admin,
    req: actix_web::HttpRequest,
    db: web::Data<Db>,
    config: web::Data<crate::web::Settings>,
    sso: web::Data<crate::web::auth::SsoSlot>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let body = body.parse::<UserIn>()?;
    let user = body.parse()?;
    let invitation = body
        .invite
        .then(|| crate::web::invitations::invite(&config, &sso));
    let actor = crate::web::actor(&admin, &req);
    let saved = db
        .run(move |conn| {
            let id = crate::web::actions::users::create(
                conn,
                &actor,
                &user,
                &Default::default(),
                invitation.as_ref(),
            )?;
            Ok::<_, db::WriteError>(db::users::find(conn, id)?)
        })
        .await?;
    tracing::info!(user.id = saved.id, "user created");
    Ok(created(
        format!("/api/v1/users/{}", saved.id),
        &UserOut::from(saved),
    ))
}

/// Emails the person a new invitation; an open one they had stops working.
#[utoipa::path(security(("bearer" = [])), tag = "users", params(UserId), responses(
    (status = 204, description = "The invitation is in the outbox"),
    (status = 404, body = ErrorBody),
    (status = 409, description = "The person is deactivated", body = ErrorBody),
))]
#[post("/users/{id}/invitation")]
pub async fn send_invitation(
    Admin(admin): Admin,
    req: actix_web::HttpRequest,
    db: web::Data<Db>,
    config: web::Data<crate::web::Settings>,
    sso: web::Data<crate::web::auth::SsoSlot>,
    path: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let (id, actor) = (path.id, crate::web::actor(&admin, &req));
    let how = crate::web::invitations::invite(&config, &sso);
    db.run(move |conn| crate::web::actions::users::send_invitation(conn, Some(&actor), id, &how))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes the person's open invitation (done already when none is open).
#[utoipa::path(security(("bearer" = [])), tag = "users", params(UserId), responses(
    (status = 204, description = "The link no longer works"),
    (status = 404, description = "No such person", body = ErrorBody),
))]
#[delete("/users/{id}/invitation")]
pub async fn revoke_invitation(
    Admin(admin): Admin,
    req: actix_web::HttpRequest,
    db: web::Data<Db>,
    path: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let (id, actor) = (path.id, crate::web::actor(&admin, &req));
    db.run(move |conn| crate::web::actions::users::revoke_invitation(conn, &actor, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One person.
#[utoipa::path(security(("bearer" = [])), tag = "users", params(UserId), responses(
    (status = 200, body = UserOut),
    (status = 404, body = ErrorBody),
))]
#[get("/users/{id}")]
pub async fn show(
    _admin: Admin,
    db: web::Data<Db>,
    path: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let user = db.run(move |conn| db::users::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(UserOut::from(user)))
}

/// Replaces a person's fields; `"active": false` deactivates them.
#[utoipa::path(security(("bearer" = [])), tag = "users", params(UserId), request_body = UserIn, responses(
    (status = 200, body = UserOut),
    (status = 404, body = ErrorBody),
    (status = 409, description = "The change would deactivate the caller's own account or leave the district without an active administrator", body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
#[put("/users/{id}")]
pub async fn update(
    Admin(admin): Admin,
    req: actix_web::HttpRequest,
    db: web::Data<Db>,
    path: web::Path<UserId>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let user = body.parse::<UserIn>()?.parse()?;
    let actor = crate::web::actor(&admin, &req);
    let saved = db
        .run(move |conn| {
            crate::web::actions::users::change(conn, &actor, id, &user, None)?;
            Ok::<_, db::WriteError>(db::users::find(conn, id)?)
        })
        .await?;
    tracing::info!(user.id = id, "user updated");
    Ok(HttpResponse::Ok().json(UserOut::from(saved)))
}
