//! Who is asking: the signed-in user, and for a browser session the token
//! its scripts echo in `X-CSRF-Token` (the outbox fetches it before sending
//! what was recorded offline, since a session may have changed meanwhile).

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::extract::Via;
use crate::auth::CurrentUser;
use crate::domain::account::Role;
use crate::error::{ApiError, ErrorBody};

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    /// For a browser session: the value scripts send as `X-CSRF-Token`.
    /// Absent when the request used an API token.
    pub csrf_token: Option<String>,
}

/// The signed-in user (401 when nobody is).
#[utoipa::path(security(("bearer" = [])), tag = "session", responses(
    (status = 200, body = SessionOut),
    (status = 401, body = ErrorBody),
))]
#[get("/session")]
pub async fn show(user: CurrentUser) -> Result<HttpResponse, ApiError> {
    let csrf_token = match &user.via {
        Via::Session { csrf } => Some(csrf.clone()),
        Via::Token { .. } => None,
    };
    let account = user.account;
    Ok(HttpResponse::Ok().json(SessionOut {
        id: account.id,
        name: account.name,
        email: account.email,
        roles: account.roles.into_iter().collect(),
        csrf_token,
    }))
}
