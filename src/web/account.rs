//! A person's own account: who they are, and their API tokens.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::see_other;
use crate::auth::extract::client_ip;
use crate::auth::{token, CurrentUser};
use crate::db::audit::NewEvent;
use crate::db::{self, Db};
use crate::domain::fields::required_text;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

pub use crate::domain::forms::TokenForm;

pub async fn show(user: CurrentUser, db: web::Data<Db>) -> Result<Markup, AppError> {
    let id = user.id();
    let tokens = db
        .run(move |conn| db::accounts::tokens_of(conn, id))
        .await?;
    Ok(views::account::page(
        &user.ctx(),
        &user.account,
        &tokens,
        None,
        &TokenForm::default(),
        &FieldErrors::new(),
    ))
}

/// Creates a token and shows it once; only its digest is kept.
pub async fn create_token(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let id = user.id();
    let name = match required_text(
        &form.name,
        100,
        "Name the token after the script that will use it.",
    ) {
        Ok(name) => name,
        Err(message) => {
            let tokens = db
                .run(move |conn| db::accounts::tokens_of(conn, id))
                .await?;
            let errors = FieldErrors::single("name", message);
            return Ok(super::unprocessable(views::account::page(
                &user.ctx(),
                &user.account,
                &tokens,
                None,
                &form,
                &errors,
            )));
        }
    };
    let secret = token::generate();
    let digest = token::digest(&secret);
    let ip = client_ip(&req);
    let tokens = db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let token_id = db::accounts::insert_token(conn, id, &name, &digest)?;
                db::audit::record(
                    conn,
                    &NewEvent::new("api_token.created")
                        .by(Some(id))
                        .on("api_token", token_id)
                        .from_ip(ip),
                )?;
                db::accounts::tokens_of(conn, id)
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            views::account::page(
                &user.ctx(),
                &user.account,
                &tokens,
                Some(&secret),
                &TokenForm::default(),
                &FieldErrors::new(),
            )
            .into_string(),
        ))
}

pub async fn revoke_token(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    token_id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (id, token_id, ip) = (user.id(), token_id.into_inner(), client_ip(&req));
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            db::accounts::revoke_token(conn, id, token_id)?;
            db::audit::record(
                conn,
                &NewEvent::new("api_token.revoked")
                    .by(Some(id))
                    .on("api_token", token_id)
                    .from_ip(ip),
            )
        })
    })
    .await?;
    Ok(see_other("/account"))
}
