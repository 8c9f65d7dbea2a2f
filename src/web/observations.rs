//! Capturing observation snapshots on a tablet, and the team's list of them.

use std::collections::{BTreeMap, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::{see_other, unprocessable};
use crate::auth::extract::{client_ip, deny};
use crate::auth::CurrentUser;
use crate::db::visits::{Viewer, Visit};
use crate::db::{self, Db};
use crate::domain::observation::{IdempotencyKey, NewObservation, RawObservation, Tick};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

/// Whether `user` may record observations on `visit`: its team, and the
/// administrators and visit leads who plan visits.
pub fn can_record(user: &CurrentUser, visit: &Visit) -> bool {
    Viewer::from(&user.account).sees_all_visits() || visit.members.iter().any(|m| m.id == user.id())
}

/// The visit, if the user may see it and record on it (403 if they may see
/// it but are not on its team; 404 if they may not see it).
pub async fn recordable(
    req: &HttpRequest,
    user: &CurrentUser,
    db: &Db,
    id: i64,
) -> Result<Visit, AppError> {
    let viewer = Viewer::from(&user.account);
    let visit = db
        .run(move |conn| db::visits::find_visible(conn, &viewer, id))
        .await?;
    if can_record(user, &visit) {
        Ok(visit)
    } else {
        Err(deny(req, user).await)
    }
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

pub async fn capture(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    saved: web::Query<SavedQuery>,
) -> Result<Markup, AppError> {
    let visit = recordable(&req, &user, &db, id.into_inner()).await?;
    let framework = match visit.framework.as_ref().map(|f| f.id) {
        Some(framework_id) => Some(
            db.run(move |conn| db::frameworks::load(conn, framework_id))
                .await?,
        ),
        None => None,
    };
    let fields = HashMap::from([("idempotency_key".to_owned(), crate::auth::random_hex(16))]);
    Ok(views::observations::capture(
        &user.ctx(),
        &visit,
        framework.as_ref(),
        &fields,
        &FieldErrors::new(),
        saved.saved.is_some(),
    ))
}

/// Reads the ticks of a capture form: radio groups named `tick_<indicator id>`.
fn ticks_from(fields: &HashMap<String, String>, errors: &mut FieldErrors) -> BTreeMap<i64, Tick> {
    let mut ticks = BTreeMap::new();
    for (name, value) in fields {
        if let Some(id) = name
            .strip_prefix("tick_")
            .and_then(|id| id.parse::<i64>().ok())
        {
            match value.parse::<Tick>() {
                Ok(tick) => {
                    ticks.insert(id, tick);
                }
                Err(message) => errors.add(name, message),
            }
        }
    }
    ticks
}

pub async fn submit(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let visit = recordable(&req, &user, &db, id.into_inner()).await?;
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let mut errors = FieldErrors::new();
    let key = errors.check(
        "idempotency_key",
        IdempotencyKey::parse(get("idempotency_key")),
    );
    let ticks = ticks_from(&fields, &mut errors);
    let raw = RawObservation {
        setting: get("setting"),
        room: get("room"),
        grade_band: get("grade_band"),
        subject: get("subject"),
        started_at: get("started_at"),
        rating: get("rating"),
        notes: get("notes"),
    };
    let parsed = NewObservation::parse(&raw, ticks);
    let (observation, key) = match (parsed, key) {
        (Ok(observation), Some(key)) if errors.is_empty() => (observation, key),
        (parsed, _) => {
            if let Err(more) = parsed {
                for (field, message) in more.iter() {
                    errors.add(field, message);
                }
            }
            return again(&user, &db, &visit, &fields, &errors).await;
        }
    };
    let (visit_id, author, ip) = (visit.id, user.id(), client_ip(&req));
    let outcome = db
        .run(move |conn| db::observations::submit(conn, visit_id, author, &key, &observation, ip))
        .await;
    match super::field_errors(outcome)? {
        Ok(_) => Ok(see_other(&format!("/visits/{visit_id}/observe?saved=1"))),
        Err(errors) => again(&user, &db, &visit, &fields, &errors).await,
    }
}

/// The capture form again, with what was typed and the messages: 422.
async fn again(
    user: &CurrentUser,
    db: &Db,
    visit: &Visit,
    fields: &HashMap<String, String>,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let framework = match visit.framework.as_ref().map(|f| f.id) {
        Some(framework_id) => Some(
            db.run(move |conn| db::frameworks::load(conn, framework_id))
                .await?,
        ),
        None => None,
    };
    Ok(unprocessable(views::observations::capture(
        &user.ctx(),
        visit,
        framework.as_ref(),
        fields,
        errors,
        false,
    )))
}
