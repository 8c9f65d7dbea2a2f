//! The outbox page (administrators): what waits, what failed and why, and
//! retrying a failed message.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::see_other;
use crate::auth::extract::client_ip;
use crate::auth::Admin;
use crate::db::audit::NewEvent;
use crate::db::{self, Db};
use crate::error::AppError;
use crate::views;

#[derive(Debug, Default, Deserialize)]
pub struct MailQuery {
    #[serde(default)]
    pub status: String,
    pub done: Option<String>,
}

pub async fn list(
    Admin(user): Admin,
    db: web::Data<Db>,
    query: web::Query<MailQuery>,
) -> Result<Markup, AppError> {
    let showing = match query.status.as_str() {
        "waiting" | "failed" | "sent" => query.status.clone(),
        _ => String::new(),
    };
    let statuses: Vec<&'static str> = match showing.as_str() {
        "waiting" => vec!["waiting"],
        "failed" => vec!["failed"],
        "sent" => vec!["sent"],
        _ => vec!["waiting", "failed"],
    };
    let messages = db
        .run(move |conn| db::outbox::list(conn, &statuses, 500))
        .await?;
    let done = query
        .done
        .as_deref()
        .map(|_| "The message is back in line and goes with the next round.");
    Ok(views::mail::list(&user.ctx(), &messages, &showing, done))
}

pub async fn retry(
    Admin(user): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (id, actor, ip) = (id.into_inner(), user.id(), client_ip(&req));
    let retried = db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let retried = db::outbox::retry(conn, id)?;
                if retried {
                    db::audit::record(
                        conn,
                        &NewEvent::new("mail.retried")
                            .by(Some(actor))
                            .on("outbox_message", id)
                            .from_ip(ip),
                    )?;
                }
                Ok::<_, crate::db::QueryError>(retried)
            })
        })
        .await?;
    if !retried {
        return Err(AppError::not_found());
    }
    Ok(see_other("/admin/mail?done=retried"))
}

/// The email a person receives (their account): one checkbox per kind.
pub async fn preferences(
    user: crate::auth::CurrentUser,
    db: web::Data<Db>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let id = user.id();
    let off = db.run(move |conn| db::outbox::opted_out(conn, id)).await?;
    Ok(views::mail::preferences(
        &user.ctx(),
        &off,
        done.done.is_some(),
    ))
}

pub async fn save_preferences(
    user: crate::auth::CurrentUser,
    db: web::Data<Db>,
    fields: web::Form<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = user.id();
    let wanted: Vec<(&'static str, bool)> = db::outbox::KINDS
        .iter()
        .map(|(kind, _)| (*kind, !fields.contains_key(*kind)))
        .collect();
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            for (kind, off) in &wanted {
                db::outbox::set_opt_out(conn, id, kind, *off)?;
            }
            Ok::<_, crate::db::QueryError>(())
        })
    })
    .await?;
    Ok(see_other("/account/mail?done=saved"))
}

/// The path of an unsubscribe link.
#[derive(Debug, Deserialize)]
pub struct Unsubscribe {
    user: i64,
    kind: String,
    signature: String,
}

fn checked(config: &super::Settings, link: &Unsubscribe) -> Result<&'static str, AppError> {
    let kind = db::outbox::KINDS
        .iter()
        .find(|(kind, _)| *kind == link.kind)
        .map(|(kind, _)| *kind)
        .ok_or_else(AppError::not_found)?;
    let expected = crate::auth::unsubscribe_signature(&config.session_key, link.user, kind);
    if !crate::auth::constant_time_eq(expected.as_bytes(), link.signature.as_bytes()) {
        return Err(AppError::not_found());
    }
    Ok(kind)
}

/// An unsubscribe link opened in a browser: asks before acting (link
/// checkers and previews open links too).
pub async fn unsubscribe_page(
    config: web::Data<super::Settings>,
    link: web::Path<Unsubscribe>,
) -> Result<Markup, AppError> {
    let kind = checked(&config, &link)?;
    Ok(views::mail::unsubscribe(kind, req_path(&link), false))
}

fn req_path(link: &Unsubscribe) -> String {
    format!(
        "/unsubscribe/{}/{}/{}",
        link.user, link.kind, link.signature
    )
}

/// Turns the kind off: from the page's button, or from a mail program's
/// One-Click request (RFC 8058). The signed link is the authority, so it
/// needs neither a session nor a CSRF token.
pub async fn unsubscribe(
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    link: web::Path<Unsubscribe>,
) -> Result<Markup, AppError> {
    let kind = checked(&config, &link)?;
    let (user, ip) = (link.user, client_ip(&req));
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            db::outbox::set_opt_out(conn, user, kind, true)?;
            db::audit::record(
                conn,
                &NewEvent::new("mail.unsubscribed")
                    .by(Some(user))
                    .on("user", user)
                    .from_ip(ip)
                    .detail(kind.to_owned()),
            )
        })
    })
    .await?;
    Ok(views::mail::unsubscribe(kind, req_path(&link), true))
}
