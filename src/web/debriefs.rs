//! The debrief: the evidence rolled up, and what the team records from it.

use std::collections::{BTreeSet, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::actions;
use super::{refused, see_other};
use crate::auth::{CurrentUser, Planner};
use crate::db::visits::Viewer;
use crate::db::{self, Db};
use crate::domain::debrief::NewDebrief;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;
use crate::views::debriefs::DebriefPage;

/// Empty problem rows offered below the recorded ones.
const BLANK_PROBLEMS: usize = 2;

/// The visit with its evidence and debrief, if `user` may see the visit.
pub(crate) async fn load(user: &CurrentUser, db: &Db, id: i64) -> Result<DebriefPage, AppError> {
    let viewer = Viewer::from(&user.account);
    let visit = db
        .run(move |conn| db::visits::find_visible(conn, &viewer, id))
        .await?;
    let team_view = super::observations::can_record(user, &visit);
    let viewer = Viewer::from(&user.account);
    let framework_id = visit.framework.as_ref().map(|f| f.id);
    let answerable = crate::domain::response::takes_response(visit.status).is_ok();
    let may_respond = answerable
        && crate::domain::response::may_respond(&viewer.roles, viewer.school_id, visit.school.id);
    let may_add_items = answerable && viewer.sees_all_visits();
    let in_review = visit.status.in_review();
    db.run(move |conn| -> crate::db::QueryResult<_> {
        let framework = framework_id
            .map(|f| db::frameworks::load(conn, f))
            .transpose()?;
        let observations = db::observations::for_visit(conn, id)?;
        let debrief = db::debriefs::find(conn, id)?;
        let departments = db::departments::choices(conn)?;
        let earlier = db::action_items::carried_over(conn, &viewer, id)?;
        let mut response = views::responses::ResponsePart::default();
        if !in_review {
            response.response = db::responses::find(conn, id)?;
            response.steps = db::action_items::list(
                conn,
                &viewer,
                &db::action_items::Filter {
                    visit_id: Some(id),
                    kind: Some(crate::domain::action_item::Kind::School),
                    published_only: true,
                    without_look_fors: true,
                    ..Default::default()
                },
            )?;
            let ids: Vec<i64> = response.steps.iter().map(|s| s.id).collect();
            response.acknowledgements = db::responses::acknowledgements(conn, &ids)?;
            response.may_respond = may_respond;
            response.may_add_items = may_add_items;
            response.form =
                may_respond.then(|| views::responses::ResponseForm::of(response.response.as_ref()));
        }
        Ok(DebriefPage {
            response,
            earlier,
            visit,
            framework,
            observations,
            debrief,
            departments,
            team_view,
        })
    })
    .await
    .map_err(AppError::from)
}

pub async fn show(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let page = load(&user, &db, id.into_inner()).await?;
    let form = views::debriefs::DebriefForm::of(&page.debrief, BLANK_PROBLEMS);
    let editable = may_edit(&user, &page);
    Ok(views::debriefs::page(
        &user.ctx(),
        &page,
        editable.then_some(&form),
        &FieldErrors::new(),
        match done.done.as_deref() {
            Some("responded") => Some(
                "The campus's response was saved; the departments it concerns and the visit's lead were told.".to_owned(),
            ),
            Some("acknowledged") => Some("The step was acknowledged.".to_owned()),
            _ => done.message("debrief"),
        }
        .as_deref(),
    ))
}

/// Whether `user` gets the debrief's form: the planners, while the visit is
/// in review. Once published the debrief is on record.
fn may_edit(user: &CurrentUser, page: &DebriefPage) -> bool {
    Viewer::from(&user.account).sees_all_visits() && page.visit.status.takes_debrief_edits()
}

pub async fn save(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let page = load(&user, &db, id).await?;
    let form = views::debriefs::DebriefForm::from_fields(&fields);
    let problems: Vec<(String, BTreeSet<i64>)> = form.problems.clone();
    let result = match NewDebrief::parse(
        &form.strengths,
        &form.alignment_notes,
        &form.attendees,
        &problems,
    ) {
        Ok(debrief) => {
            let actor = super::actor(&user, &req);
            refused(
                db.run(move |conn| actions::debriefs::save(conn, &actor, id, &debrief))
                    .await,
            )?
        }
        Err(errors) => Err(errors.into()),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/visits/{id}/debrief?done=updated"))),
        Err(refusal) => {
            // A published visit's debrief is shown as recorded, with why.
            let form = may_edit(&user, &page).then_some(&form);
            Ok(super::shown_again(
                refusal.status,
                views::debriefs::page(&user.ctx(), &page, form, &refusal.fields, None),
            ))
        }
    }
}

/// The printable report of one visit, for whoever may see the visit; its
/// items are those the person may see.
pub async fn report(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let page = load(&user, &db, id).await?;
    let viewer = Viewer::from(&user.account);
    let items = db
        .run(move |conn| {
            db::action_items::list(
                conn,
                &viewer,
                &db::action_items::Filter {
                    visit_id: Some(id),
                    without_look_fors: true,
                    ..Default::default()
                },
            )
        })
        .await?;
    // `load` read the acknowledgements of the steps the person sees.
    Ok(views::report::report(&user.ctx(), &page, &items))
}

/// The campus's leaders write (or revise) the response to the debrief.
pub async fn respond(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    id: web::Path<i64>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = super::actor(&user, &req);
    let checked = db
        .run(move |conn| actions::responses::check(conn, &actor, id))
        .await;
    super::audited(&req, &user, checked).await?;
    let form = views::responses::ResponseForm::from_fields(&fields);
    let expected: Option<i32> = match form.version.trim() {
        "" => None,
        raw => Some(raw.parse().map_err(|_| {
            AppError::validation(FieldErrors::single(
                "version",
                "Open the debrief again, then make your change.",
            ))
        })?),
    };
    let result = match crate::domain::response::NewResponse::parse(
        &form.agreement,
        &form.context,
        &form.needs(),
    ) {
        Ok(response) => {
            let (actor, base) = (super::actor(&user, &req), config.base_url.clone());
            let saved = db
                .run(move |conn| {
                    actions::responses::save(conn, &actor, id, &response, expected, &base)
                })
                .await;
            refused(super::audited(&req, &user, saved).await)?.map(|_| ())
        }
        Err(errors) => Err(super::Refused {
            status: actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            fields: errors,
        }),
    };
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/visits/{id}/debrief?done=responded#campus-response"
        ))),
        Err(refusal) => {
            let mut page = load(&user, &db, id).await?;
            if page.response.form.is_some() {
                let stale = refusal.fields.get("version").is_some();
                // A stale revision shows the response as it now stands,
                // with what was typed kept in the form.
                let mut kept = form;
                if stale {
                    kept.version = page
                        .response
                        .response
                        .as_ref()
                        .map(|r| r.version.to_string())
                        .unwrap_or_default();
                }
                page.response.form = Some(kept);
            }
            page.response.errors = refusal.fields.clone();
            Ok(super::shown_again(
                refusal.status,
                views::debriefs::page(&user.ctx(), &page, None, &FieldErrors::new(), None),
            ))
        }
    }
}

/// A school leader acknowledges one of the campus's action steps.
pub async fn acknowledge(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (visit_id, item_id) = path.into_inner();
    let actor = super::actor(&user, &req);
    let done = db
        .run(move |conn| actions::responses::acknowledge(conn, &actor, visit_id, item_id))
        .await;
    match refused(super::audited(&req, &user, done).await)? {
        Ok(_) => Ok(see_other(&format!(
            "/visits/{visit_id}/debrief?done=acknowledged#campus-response"
        ))),
        Err(refusal) => refused_on_debrief(&user, &db, visit_id, refusal).await,
    }
}

/// The visit lead makes an item of what the campus needs from a department.
pub async fn need_item(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (visit_id, need_id) = path.into_inner();
    let (actor, base) = (super::actor(&user, &req), config.base_url.clone());
    let added = db
        .run(move |conn| actions::responses::add_item(conn, &actor, visit_id, need_id, &base))
        .await;
    match refused(super::audited(&req, &user, added).await)? {
        Ok(item) => Ok(see_other(&format!("/items/{item}"))),
        Err(refusal) => refused_on_debrief(&user, &db, visit_id, refusal).await,
    }
}

/// The debrief page again with why a change of the campus's part was refused.
async fn refused_on_debrief(
    user: &CurrentUser,
    db: &Db,
    visit_id: i64,
    refusal: super::Refused,
) -> Result<HttpResponse, AppError> {
    let mut page = load(user, db, visit_id).await?;
    page.response.errors = refusal.fields;
    Ok(super::shown_again(
        refusal.status,
        views::debriefs::page(&user.ctx(), &page, None, &FieldErrors::new(), None),
    ))
}
