//! Password reset by email: a signed link that works for an hour, once.
//! The link names the person and its expiry and is signed (HMAC-SHA256,
//! keyed with the session key) together with the person's session epoch;
//! setting the password moves the epoch on, which spends the link and ends
//! every session.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use crate::auth::extract::client_ip;
use crate::db::audit::NewEvent;
use crate::db::users::Recipient;
use crate::db::{self, Db};
use crate::domain::account::NewPassword;
use crate::error::AppError;
use crate::views;

/// How long a reset link works.
pub const LINK_LIFETIME_SECONDS: i64 = 60 * 60;

fn signature(key: &str, user_id: i64, expires: i64, epoch: i64) -> String {
    let message = format!("password-reset:{user_id}:{expires}:{epoch}");
    crate::auth::hex(&crate::auth::sign(key, &message))
}

/// The token of a reset link.
pub fn token(key: &str, user_id: i64, expires: i64, epoch: i64) -> String {
    format!(
        "{user_id}-{expires}-{}",
        signature(key, user_id, expires, epoch)
    )
}

/// The person a token is good for, now: signed with the key, not expired,
/// not spent (their epoch has not moved), and still active.
fn holder(conn: &mut db::DbConn, key: &str, token: &str, now: i64) -> db::QueryResult<Option<i64>> {
    let mut parts = token.splitn(3, '-');
    let (Some(user), Some(expires), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (Ok(user_id), Ok(expires)) = (user.parse::<i64>(), expires.parse::<i64>()) else {
        return Ok(None);
    };
    if expires < now {
        return Ok(None);
    }
    let Some(epoch) = db::users::active_epoch(conn, user_id)? else {
        return Ok(None);
    };
    let expected = signature(key, user_id, expires, epoch);
    Ok(crate::auth::constant_time_eq(expected.as_bytes(), sig.as_bytes()).then_some(user_id))
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub async fn forgot_page(session: Session) -> Markup {
    views::password::forgot(&super::auth::anonymous(&session), false)
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// Sends a link if the address belongs to an active account; answers the
/// same either way, so the page does not tell who has an account. At most
/// one link per person per ten minutes.
pub async fn forgot(
    req: HttpRequest,
    session: Session,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    form: web::Form<ForgotForm>,
) -> Result<Markup, AppError> {
    let email = form.email.trim().to_lowercase();
    let (key, base, ip) = (
        config.session_key.clone(),
        config.base_url.clone(),
        client_ip(&req),
    );
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            let found = db::users::active_by_email(conn, &email)?;
            let Some((user_id, name, epoch)) = found else {
                return Ok(());
            };
            let now = unix_now();
            let expires = now + LINK_LIFETIME_SECONDS;
            let url = format!(
                "{base}/password/reset/{}",
                token(&key, user_id, expires, epoch)
            );
            let to = Recipient {
                id: user_id,
                name,
                email: email.clone(),
            };
            let message = crate::mail::messages::password_reset(&to, &url, now / 600);
            db::outbox::enqueue(conn, &message)?;
            db::audit::record(
                conn,
                &NewEvent::new("password.reset_requested")
                    .by(Some(user_id))
                    .on("user", user_id)
                    .from_ip(ip),
            )
        })
    })
    .await?;
    Ok(views::password::forgot(
        &super::auth::anonymous(&session),
        true,
    ))
}

pub async fn reset_page(
    session: Session,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    token: web::Path<String>,
) -> Result<Markup, AppError> {
    let (key, presented) = (config.session_key.clone(), token.into_inner());
    let check = presented.clone();
    let holder = db
        .run(move |conn| holder(conn, &key, &check, unix_now()))
        .await?;
    match holder {
        Some(_) => Ok(views::password::reset(
            &super::auth::anonymous(&session),
            &presented,
            None,
        )),
        None => Err(spent()),
    }
}

fn spent() -> AppError {
    AppError::new(
        crate::error::ErrorCode::NotFound,
        "This link has expired or has been used. Ask for a new one from the sign-in page.",
    )
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

pub async fn reset(
    req: HttpRequest,
    session: Session,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let (key, presented) = (config.session_key.clone(), token.into_inner());
    let check = presented.clone();
    let Some(user_id) = db
        .run(move |conn| holder(conn, &key, &check, unix_now()))
        .await?
    else {
        return Err(spent());
    };
    let password = match NewPassword::parse(&form.password) {
        Ok(password) => password,
        Err(problem) => {
            return Ok(super::unprocessable(views::password::reset(
                &super::auth::anonymous(&session),
                &presented,
                Some(&problem),
            )));
        }
    };
    let hash = web::block(move || crate::auth::password::hash(password.expose()))
        .await
        .map_err(AppError::internal)?;
    let (key, ip) = (config.session_key.clone(), client_ip(&req));
    let done = db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                // Checked again inside the transaction: two tabs, one link.
                if holder(conn, &key, &presented, unix_now())? != Some(user_id) {
                    return Ok(false);
                }
                db::accounts::set_password_hash(conn, user_id, &hash)?;
                db::audit::record(
                    conn,
                    &NewEvent::new("password.reset_by_email")
                        .by(Some(user_id))
                        .on("user", user_id)
                        .from_ip(ip),
                )?;
                Ok::<_, crate::db::QueryError>(true)
            })
        })
        .await?;
    if !done {
        return Err(spent());
    }
    Ok(super::see_other("/sign-in?done=password"))
}
