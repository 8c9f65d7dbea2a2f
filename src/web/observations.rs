//! Capturing observation snapshots on a tablet, and the team's list of them.

use std::collections::{BTreeMap, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::actions::{self, observations::Ticks};
use super::{see_other, unprocessable};
use crate::auth::extract::deny;
use crate::auth::CurrentUser;
use crate::db::visits::{Viewer, Visit};
use crate::db::{self, Db};
use crate::domain::observation::{IdempotencyKey, NewObservation, RawObservation, Tick};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;
use crate::views::observations::Mode;

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
    let (framework, teacher_field) = form_context(&db, &visit).await?;
    let fields = HashMap::from([("idempotency_key".to_owned(), crate::auth::random_hex(16))]);
    Ok(views::observations::capture(
        &user.ctx(),
        &visit,
        framework.as_ref(),
        &fields,
        &FieldErrors::new(),
        Mode::New {
            saved: saved.saved.is_some(),
        },
        teacher_field,
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
    let mut errors = FieldErrors::new();
    let key = errors.check(
        "idempotency_key",
        IdempotencyKey::parse(
            fields
                .get("idempotency_key")
                .map(String::as_str)
                .unwrap_or(""),
        ),
    );
    let ticks = ticks_from(&fields, &mut errors);
    let Some(key) = key.filter(|_| errors.is_empty()) else {
        return again(&user, &db, &visit, &fields, &errors, None).await;
    };
    let (visit_id, actor, typed) = (visit.id, super::actor(&user, &req), fields.clone());
    let outcome = db
        .run(move |conn| {
            let raw = raw_of(&typed);
            actions::observations::record(conn, &actor, visit_id, &key, &raw, Ticks::ById(ticks))
        })
        .await;
    match super::field_errors(super::audited(&req, &user, outcome).await)? {
        Ok(_) => Ok(see_other(&format!("/visits/{visit_id}/observe?saved=1"))),
        Err(errors) => again(&user, &db, &visit, &fields, &errors, None).await,
    }
}

/// The snapshot's fields as typed (the teacher's name is dropped later
/// unless the district records teachers).
fn raw_of(fields: &HashMap<String, String>) -> RawObservation<'_> {
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    RawObservation {
        setting: get("setting"),
        room: get("room"),
        grade_band: get("grade_band"),
        subject: get("subject"),
        started_at: get("started_at"),
        rating: get("rating"),
        notes: get("notes"),
        teacher: get("teacher"),
    }
}

fn parse_fields(
    fields: &HashMap<String, String>,
    mut errors: FieldErrors,
    teacher_field: bool,
) -> Result<NewObservation, FieldErrors> {
    let ticks = ticks_from(fields, &mut errors);
    let raw = RawObservation {
        teacher: if teacher_field {
            raw_of(fields).teacher
        } else {
            ""
        },
        ..raw_of(fields)
    };
    match NewObservation::parse(&raw, ticks) {
        Ok(observation) if errors.is_empty() => Ok(observation),
        Ok(_) => Err(errors),
        Err(more) => {
            for (field, message) in more.iter() {
                errors.add(field, message);
            }
            Err(errors)
        }
    }
}

/// The author's own snapshot as form fields, for editing.
fn fields_of(observation: &crate::db::observations::Observation) -> HashMap<String, String> {
    let mut fields = HashMap::from([
        (
            "setting".to_owned(),
            observation.setting.as_str().to_owned(),
        ),
        ("room".to_owned(), observation.room.clone()),
        ("grade_band".to_owned(), observation.grade_band.clone()),
        ("subject".to_owned(), observation.subject.clone()),
        (
            "started_at".to_owned(),
            observation.started_at.clone().unwrap_or_default(),
        ),
        (
            "rating".to_owned(),
            observation
                .rating
                .map(|r| r.to_string())
                .unwrap_or_default(),
        ),
        ("notes".to_owned(), observation.notes.clone()),
        ("teacher".to_owned(), observation.teacher.clone()),
    ]);
    for (indicator, tick) in &observation.ticks {
        fields.insert(format!("tick_{indicator}"), tick.as_str().to_owned());
    }
    fields
}

/// The author's snapshot, if `user` wrote it (404 for anyone else's).
async fn own(
    db: &Db,
    user: &CurrentUser,
    visit_id: i64,
    id: i64,
) -> Result<crate::db::observations::Observation, AppError> {
    let author = user.id();
    db.run(move |conn| -> Result<_, AppError> {
        let (owner, _) = db::observations::owner_and_status(conn, visit_id, id)?;
        if owner != author {
            return Err(AppError::not_found());
        }
        Ok(db::observations::find(conn, id)?)
    })
    .await
    .map_err(AppError::from)
}

pub async fn edit(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (visit_id, id) = path.into_inner();
    let visit = recordable(&req, &user, &db, visit_id).await?;
    let observation = own(&db, &user, visit_id, id).await?;
    let (framework, teacher_field) = form_context(&db, &visit).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            views::observations::capture(
                &user.ctx(),
                &visit,
                framework.as_ref(),
                &fields_of(&observation),
                &FieldErrors::new(),
                Mode::Edit(id),
                teacher_field,
            )
            .into_string(),
        ))
}

pub async fn save(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<(i64, i64)>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (visit_id, id) = path.into_inner();
    let visit = recordable(&req, &user, &db, visit_id).await?;
    own(&db, &user, visit_id, id).await?;
    let teacher_field = teacher_field(&db).await?;
    let observation = match parse_fields(&fields, FieldErrors::new(), teacher_field) {
        Ok(observation) => observation,
        Err(errors) => return again(&user, &db, &visit, &fields, &errors, Some(id)).await,
    };
    let actor = super::actor(&user, &req);
    let outcome = db
        .run(move |conn| actions::observations::change(conn, &actor, visit_id, id, &observation))
        .await;
    match super::field_errors(outcome)? {
        Ok(()) => Ok(see_other(&format!("/visits/{visit_id}"))),
        Err(errors) => again(&user, &db, &visit, &fields, &errors, Some(id)).await,
    }
}

/// Whether the district records teachers' names.
async fn teacher_field(db: &Db) -> Result<bool, AppError> {
    Ok(db.run(db::settings::find).await?.teacher_field)
}

/// What the capture form needs besides the visit: its framework, and
/// whether the district records teachers' names.
async fn form_context(
    db: &Db,
    visit: &Visit,
) -> Result<(Option<crate::db::frameworks::Framework>, bool), AppError> {
    let framework_id = visit.framework.as_ref().map(|f| f.id);
    db.run(move |conn| -> crate::db::QueryResult<_> {
        let framework = framework_id
            .map(|id| db::frameworks::load(conn, id))
            .transpose()?;
        Ok((framework, db::settings::find(conn)?.teacher_field))
    })
    .await
    .map_err(AppError::from)
}

/// The capture form again, with what was typed and the messages: 422.
async fn again(
    user: &CurrentUser,
    db: &Db,
    visit: &Visit,
    fields: &HashMap<String, String>,
    errors: &FieldErrors,
    editing: Option<i64>,
) -> Result<HttpResponse, AppError> {
    let (framework, teacher_field) = form_context(db, visit).await?;
    Ok(unprocessable(views::observations::capture(
        &user.ctx(),
        visit,
        framework.as_ref(),
        fields,
        errors,
        match editing {
            Some(id) => Mode::Edit(id),
            None => Mode::New { saved: false },
        },
        teacher_field,
    )))
}
