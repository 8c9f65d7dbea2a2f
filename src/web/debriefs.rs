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
    db.run(move |conn| -> crate::db::QueryResult<_> {
        let framework = framework_id
            .map(|f| db::frameworks::load(conn, f))
            .transpose()?;
        let observations = db::observations::for_visit(conn, id)?;
        let debrief = db::debriefs::find(conn, id)?;
        let departments = db::departments::choices(conn)?;
        let earlier = db::action_items::carried_over(conn, &viewer, id)?;
        Ok(DebriefPage {
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
        done.message("debrief").as_deref(),
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
    Ok(views::report::report(&user.ctx(), &page, &items))
}
