//! The debrief: the evidence rolled up, and what the team records from it.

use std::collections::{BTreeSet, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::{field_errors, see_other, unprocessable};
use crate::auth::extract::client_ip;
use crate::auth::{CurrentUser, Planner};
use crate::db::audit::NewEvent;
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
    db.run(move |conn| -> diesel::QueryResult<_> {
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
}

pub async fn show(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let page = load(&user, &db, id.into_inner()).await?;
    let can_edit = Viewer::from(&user.account).sees_all_visits();
    let form = views::debriefs::DebriefForm::of(&page.debrief, BLANK_PROBLEMS);
    Ok(views::debriefs::page(
        &user.ctx(),
        &page,
        can_edit.then_some(&form),
        &FieldErrors::new(),
    ))
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
            let (actor, ip) = (user.id(), client_ip(&req));
            field_errors(
                db.run(move |conn| {
                    db::write_transaction(conn, |conn| {
                        db::debriefs::save(conn, id, actor, &debrief)?;
                        db::audit::record(
                            conn,
                            &NewEvent::new("debrief.saved")
                                .by(Some(actor))
                                .on("visit", id)
                                .from_ip(ip),
                        )?;
                        Ok::<_, db::WriteError>(())
                    })
                })
                .await,
            )?
        }
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/visits/{id}/debrief"))),
        Err(errors) => Ok(unprocessable(views::debriefs::page(
            &user.ctx(),
            &page,
            Some(&form),
            &errors,
        ))),
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
