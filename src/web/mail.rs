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
                Ok::<_, diesel::result::Error>(retried)
            })
        })
        .await?;
    if !retried {
        return Err(AppError::not_found());
    }
    Ok(see_other("/admin/mail?done=retried"))
}
