//! The calendar feed: a secret link per person that calendar apps poll.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::extract::client_ip;
use crate::auth::{token, CurrentUser};
use crate::db::audit::NewEvent;
use crate::db::visits::Viewer;
use crate::db::{self, Db};
use crate::error::AppError;
use crate::views;

/// Makes (or replaces) the person's calendar link and shows it once.
pub async fn create_link(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
) -> Result<HttpResponse, AppError> {
    let secret = token::generate();
    let digest = token::digest(&secret);
    let (id, ip) = (user.id(), client_ip(&req));
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            db::calendar::set(conn, id, &digest)?;
            db::audit::record(
                conn,
                &NewEvent::new("calendar_link.created")
                    .by(Some(id))
                    .on("user", id)
                    .from_ip(ip),
            )
        })
    })
    .await?;
    let link = format!("{}/calendar/{secret}", config.base_url);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(views::account::calendar_link(&user.ctx(), &link).into_string()))
}

/// The feed itself. The link is the only credential; an unknown or
/// replaced link, or a deactivated owner, is 404.
pub async fn feed(
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let presented = token.into_inner();
    if !token::well_formed(&presented) {
        return Err(AppError::not_found());
    }
    let digest = token::digest(&presented);
    let (owner, visits, sessions, zone) = db
        .run(move |conn| -> Result<_, AppError> {
            use crate::domain::account::Role;
            let owner = db::calendar::owner(conn, &digest)?.ok_or_else(AppError::not_found)?;
            let from = chrono::Utc::now().date_naive() - chrono::Duration::days(90);
            let visits = db::visits::for_calendar(conn, &Viewer::from(&owner), from)?;
            let leads = owner
                .school_id
                .filter(|_| owner.roles.contains(&Role::SchoolLeader));
            let heads = owner
                .department_id
                .filter(|_| owner.roles.contains(&Role::DepartmentHead));
            let sessions = db::learning::for_calendar(conn, owner.id, leads, heads, from)?;
            let zone = db::settings::find(conn)?.time_zone;
            Ok((owner, visits, sessions, zone))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .body(views::calendar::feed(
            &owner.name,
            &visits,
            &sessions,
            zone,
            &config.base_url,
        )))
}
