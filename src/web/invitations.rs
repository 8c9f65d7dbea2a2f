//! The page an invitation link opens, and the people pages' buttons to
//! send, resend and revoke invitations.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::actions::users::{accept_invitation, revoke_invitation, send_invitation, Invite};
use super::auth::SsoSlot;
use crate::auth::{extract::client_ip, Admin};
use crate::db::{self, Db};
use crate::domain::account::NewPassword;
use crate::error::{AppError, ErrorCode};
use crate::views;

/// How this site makes invitation links.
pub fn invite(config: &super::Settings, sso: &SsoSlot) -> Invite {
    Invite {
        base_url: config.base_url.clone(),
        sso: sso.0.as_ref().map(|provider| provider.label.clone()),
    }
}

fn gone() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "This invitation has expired, has been used or was withdrawn. Ask your district's administrator for a new one.",
    )
}

/// The invited person (name, email) a token still opens.
async fn invited(db: &Db, token: &str) -> Result<(String, String), AppError> {
    let digest = crate::auth::token::digest(token);
    let found = db
        .run(move |conn| -> db::QueryResult<_> {
            match db::invitations::usable(conn, &digest)? {
                Some(invitation) => db::users::find(conn, invitation.user_id).map(Some),
                None => Ok(None),
            }
        })
        .await?;
    found.map(|user| (user.name, user.email)).ok_or_else(gone)
}

pub async fn page(
    session: Session,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    sso: web::Data<SsoSlot>,
    token: web::Path<String>,
) -> Result<Markup, AppError> {
    let token = token.into_inner();
    let (name, email) = invited(&db, &token).await?;
    Ok(views::password::invitation(
        &super::auth::anonymous(&session),
        &token,
        &name,
        config.password_sign_in.allows(&email),
        invite(&config, &sso).sso.as_deref(),
        None,
    ))
}

#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    with: String,
}

pub async fn accept(
    req: HttpRequest,
    session: Session,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    sso: web::Data<SsoSlot>,
    token: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (name, email) = invited(&db, &token).await?;
    let ip = client_ip(&req);
    if form.with == "sso" && sso.0.is_some() {
        let accepted = db
            .run(move |conn| accept_invitation(conn, &token, None, ip))
            .await?;
        return match accepted {
            Some(_) => Ok(super::see_other("/sign-in/sso")),
            None => Err(gone()),
        };
    }
    if !config.password_sign_in.allows(&email) {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "Your district signs people in with its own provider, not with a password.",
        ));
    }
    let password = match NewPassword::parse(&form.password) {
        Ok(password) => password,
        Err(problem) => {
            return Ok(super::unprocessable(views::password::invitation(
                &super::auth::anonymous(&session),
                &token,
                &name,
                true,
                invite(&config, &sso).sso.as_deref(),
                Some(&problem),
            )));
        }
    };
    let hash = web::block(move || crate::auth::password::hash(password.expose()))
        .await
        .map_err(AppError::internal)?;
    let accepted = db
        .run(move |conn| accept_invitation(conn, &token, Some(&hash), ip))
        .await?;
    match accepted {
        Some(_) => Ok(super::see_other("/sign-in?done=password")),
        None => Err(gone()),
    }
}

/// Sends (or sends again) person `id` an invitation.
pub async fn send(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    sso: web::Data<SsoSlot>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (actor, id, invite) = (
        super::actor(&admin, &req),
        path.into_inner(),
        invite(&config, &sso),
    );
    db.run(move |conn| send_invitation(conn, Some(&actor), id, &invite))
        .await?;
    Ok(super::see_other("/admin/users?done=invited"))
}

/// Withdraws person `id`'s open invitation.
pub async fn revoke(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (super::actor(&admin, &req), path.into_inner());
    db.run(move |conn| revoke_invitation(conn, &actor, id))
        .await?;
    Ok(super::see_other("/admin/users?done=invitation_revoked"))
}
