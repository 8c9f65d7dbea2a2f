//! Visits: the list each person may see, one visit, planning and editing
//! (administrators and visit leads), and the rotation planner.

use std::collections::{BTreeSet, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Weekday;
use maud::Markup;
use serde::Deserialize;

use super::actions;
use super::{refused, see_other, unprocessable};
use crate::auth::{CurrentUser, Planner};
use crate::db::visits::Viewer;
use crate::db::{self, Db};
use crate::domain::paging::PageRequest;
use crate::domain::planner::{self, PlanRequest};
use crate::domain::user::{optional_id, Link};
use crate::domain::visit::{parse_date, NewVisit, Segment, VisitStatus};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

pub use crate::domain::forms::VisitForm;

impl VisitForm {
    pub fn from_fields(fields: &HashMap<String, String>) -> Self {
        let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
        Self {
            school_id: get("school_id"),
            date: get("date"),
            lead_id: get("lead_id"),
            framework_id: get("framework_id"),
            focus: get("focus"),
            members: fields
                .keys()
                .filter_map(|k| k.strip_prefix("member_").and_then(|id| id.parse().ok()))
                .collect(),
            segments: fields
                .keys()
                .filter_map(|k| k.strip_prefix("segment_").and_then(|s| s.parse().ok()))
                .collect(),
        }
    }

    pub fn blank(lead: Option<i64>) -> Self {
        Self {
            lead_id: lead.map(|id| id.to_string()).unwrap_or_default(),
            segments: Segment::ALL.into_iter().collect(),
            ..Self::default()
        }
    }

    pub fn of(visit: &db::visits::Visit) -> Self {
        let id = |link: &Option<Link>| link.as_ref().map(|l| l.id.to_string()).unwrap_or_default();
        Self {
            school_id: visit.school.id.to_string(),
            date: visit.date.to_string(),
            lead_id: id(&visit.lead),
            framework_id: id(&visit.framework),
            focus: visit.focus.clone(),
            members: visit.members.iter().map(|m| m.id).collect(),
            segments: visit.segments.clone(),
        }
    }

    pub fn parse(&self) -> Result<NewVisit, FieldErrors> {
        let mut errors = FieldErrors::new();
        let school_id = errors
            .check("school_id", optional_id(&self.school_id))
            .flatten();
        let lead_id = errors
            .check("lead_id", optional_id(&self.lead_id))
            .flatten();
        let framework_id = errors
            .check("framework_id", optional_id(&self.framework_id))
            .flatten();
        let visit = NewVisit::parse(
            school_id,
            &self.date,
            lead_id,
            framework_id,
            &self.focus,
            self.members.clone(),
            self.segments.clone(),
        );
        match visit {
            Ok(visit) if errors.is_empty() => Ok(visit),
            Ok(_) => Err(errors),
            Err(more) => {
                for (field, message) in more.iter() {
                    errors.add(field, message);
                }
                Err(errors)
            }
        }
    }
}

pub use crate::domain::forms::VisitChoices as Choices;

async fn choices(db: &Db) -> Result<Choices, AppError> {
    db.run(|conn| -> crate::db::QueryResult<_> {
        Ok(Choices {
            schools: db::schools::choices(conn)?,
            frameworks: db::frameworks::choices(conn)?,
            people: db::visits::team_choices(conn)?,
        })
    })
    .await
    .map_err(AppError::from)
}

#[derive(Debug, Deserialize)]
pub struct VisitListQuery {
    pub page: Option<u32>,
    /// `all` to include past visits; by default from today on.
    pub when: Option<String>,
}

pub async fn list(
    user: CurrentUser,
    db: web::Data<Db>,
    query: web::Query<VisitListQuery>,
) -> Result<Markup, AppError> {
    let viewer = Viewer::from(&user.account);
    let all = query.when.as_deref() == Some("all");
    let filter = db::visits::Filter {
        school_id: None,
        from: (!all).then(|| chrono::Utc::now().date_naive()),
    };
    let page_request = PageRequest::new(query.page, None);
    let page = db
        .run(move |conn| db::visits::list(conn, &viewer, &filter, page_request))
        .await?;
    Ok(views::visits::list(
        &user.ctx(),
        &page,
        all,
        can_plan(&user),
    ))
}

fn can_plan(user: &CurrentUser) -> bool {
    Viewer::from(&user.account).sees_all_visits()
}

pub async fn show(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let (viewer, id) = (Viewer::from(&user.account), id.into_inner());
    let visit = db
        .run(move |conn| db::visits::find_visible(conn, &viewer, id))
        .await?;
    // The team's snapshots are for the team and the planners only.
    let observations = if super::observations::can_record(&user, &visit) {
        Some(
            db.run(move |conn| db::observations::for_visit(conn, id))
                .await?,
        )
    } else {
        None
    };
    let viewer = Viewer::from(&user.account);
    let items = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            let earlier = db::action_items::carried_over(conn, &viewer, id)?
                .into_iter()
                .map(|(item, _)| item)
                .collect();
            let own = db::action_items::list(
                conn,
                &viewer,
                &db::action_items::Filter {
                    visit_id: Some(id),
                    ..Default::default()
                },
            )?;
            Ok(views::visits::VisitItems { own, earlier })
        })
        .await?;
    Ok(views::visits::show(
        &user.ctx(),
        &visit,
        can_plan(&user),
        observations.as_deref(),
        user.id(),
        &items,
    ))
}

pub async fn new(Planner(user): Planner, db: web::Data<Db>) -> Result<Markup, AppError> {
    let choices = choices(&db).await?;
    Ok(views::visits::form(
        &user.ctx(),
        None,
        &VisitForm::blank(Some(user.id())),
        &choices,
        &FieldErrors::new(),
    ))
}

pub async fn create(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let form = VisitForm::from_fields(&fields);
    let result = match form.parse() {
        Ok(visit) => {
            let actor = super::actor(&user, &req);
            refused(
                db.run(move |conn| actions::visits::create(conn, &actor, &visit))
                    .await,
            )?
        }
        Err(errors) => Err(errors.into()),
    };
    match result {
        Ok(visit) => Ok(see_other(&format!("/visits/{}", visit.id))),
        Err(refusal) => form_again(&user, &db, None, &form, refusal).await,
    }
}

/// The visit form again with what was typed and why it was refused.
async fn form_again(
    user: &CurrentUser,
    db: &Db,
    current: Option<&db::visits::Visit>,
    form: &VisitForm,
    refusal: super::Refused,
) -> Result<HttpResponse, AppError> {
    let choices = choices(db).await?;
    Ok(super::shown_again(
        refusal.status,
        views::visits::form(&user.ctx(), current, form, &choices, &refusal.fields),
    ))
}

pub async fn edit(
    Planner(user): Planner,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let (viewer, id) = (Viewer::from(&user.account), id.into_inner());
    let visit = db
        .run(move |conn| db::visits::find_visible(conn, &viewer, id))
        .await?;
    let choices = choices(&db).await?;
    Ok(views::visits::form(
        &user.ctx(),
        Some(&visit),
        &VisitForm::of(&visit),
        &choices,
        &FieldErrors::new(),
    ))
}

pub async fn update(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (viewer, id) = (Viewer::from(&user.account), id.into_inner());
    let current = db
        .run(move |conn| db::visits::find_visible(conn, &viewer, id))
        .await?;
    let form = VisitForm::from_fields(&fields);
    let result = match form.parse() {
        Ok(visit) => {
            let actor = super::actor(&user, &req);
            refused(
                db.run(move |conn| actions::visits::change(conn, &actor, id, &visit))
                    .await,
            )?
        }
        Err(errors) => Err(errors.into()),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/visits/{id}"))),
        Err(refusal) => form_again(&user, &db, Some(&current), &form, refusal).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct AdvanceForm {
    #[serde(default)]
    pub to: String,
}

pub async fn advance(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<AdvanceForm>,
) -> Result<HttpResponse, AppError> {
    let to: VisitStatus = form.to.parse().map_err(AppError::bad_request)?;
    let (id, actor) = (id.into_inner(), super::actor(&user, &req));
    db.run(move |conn| actions::visits::advance(conn, &actor, id, to))
        .await?;
    Ok(see_other(&format!("/visits/{id}")))
}

pub use crate::domain::forms::PlanQuery;

impl PlanQuery {
    pub fn is_empty(&self) -> bool {
        self.start.is_empty() && self.weeks.is_empty()
    }

    pub fn parse(&self) -> Result<PlanRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let start = errors.check("start", parse_date(&self.start));
        let weekday = match self.weekday.parse::<Weekday>() {
            Ok(day) if !matches!(day, Weekday::Sat | Weekday::Sun) => Some(day),
            _ => {
                errors.add("weekday", "Choose a school day.");
                None
            }
        };
        let weeks = match self.weeks.trim().parse::<usize>() {
            Ok(n) if (1..=52).contains(&n) => Some(n),
            _ => {
                errors.add("weeks", "Plan from 1 to 52 weeks.");
                None
            }
        };
        let mut closed = BTreeSet::new();
        for raw in self
            .closed
            .split(['\n', ',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match parse_date(raw) {
                Ok(day) => {
                    closed.insert(day);
                }
                Err(_) => errors.add("closed", format!("{raw:?} is not a date like 2027-01-18.")),
            }
        }
        match (start, weekday, weeks) {
            (Some(start), Some(weekday), Some(weeks)) if errors.is_empty() => Ok(PlanRequest {
                start,
                weekday,
                weeks,
                closed,
            }),
            _ => Err(errors),
        }
    }
}

/// The planner: with a filled-in query it proposes visits to confirm.
pub async fn plan(
    Planner(user): Planner,
    db: web::Data<Db>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, AppError> {
    if query.is_empty() {
        let blank = PlanQuery {
            weekday: "Wed".to_owned(),
            weeks: "8".to_owned(),
            ..PlanQuery::default()
        };
        return Ok(html(views::visits::plan(
            &user.ctx(),
            &blank,
            &FieldErrors::new(),
            None,
        )));
    }
    match query.parse() {
        Ok(request) => {
            let campuses = db.run(db::visits::campuses_for_planning).await?;
            let proposals = planner::propose(&campuses, &request);
            Ok(html(views::visits::plan(
                &user.ctx(),
                &query,
                &FieldErrors::new(),
                Some(&proposals),
            )))
        }
        Err(errors) => Ok(unprocessable(views::visits::plan(
            &user.ctx(),
            &query,
            &errors,
            None,
        ))),
    }
}

fn html(markup: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// Confirms the proposals as adjusted by the lead: rows `date_<n>` and
/// `school_<n>`; a row whose `keep_<n>` is not ticked is left out.
pub async fn confirm_plan(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let mut visits = Vec::new();
    let mut errors = FieldErrors::new();
    let mut rows: Vec<usize> = fields
        .keys()
        .filter_map(|k| k.strip_prefix("date_").and_then(|n| n.parse().ok()))
        .collect();
    rows.sort_unstable();
    for n in rows {
        if !fields.contains_key(&format!("keep_{n}")) {
            continue;
        }
        let get = |name: &str| {
            fields
                .get(&format!("{name}_{n}"))
                .cloned()
                .unwrap_or_default()
        };
        let school_id = optional_id(&get("school")).ok().flatten();
        match NewVisit::parse(
            school_id,
            &get("date"),
            Some(user.id()),
            None,
            "",
            BTreeSet::new(),
            Segment::ALL.into_iter().collect(),
        ) {
            Ok(visit) => visits.push(visit),
            Err(row_errors) => {
                for (_, message) in row_errors.iter() {
                    errors.add(&format!("row_{n}"), format!("Row {}: {message}", n + 1));
                }
            }
        }
    }
    if visits.is_empty() && errors.is_empty() {
        errors.add("rows", "Keep at least one proposed visit.");
    }
    if !errors.is_empty() {
        let message = errors
            .iter()
            .map(|(_, m)| m.to_owned())
            .collect::<Vec<_>>()
            .join(" ");
        return Err(AppError::bad_request(message));
    }
    let actor = super::actor(&user, &req);
    db.run(move |conn| actions::visits::create_planned(conn, &actor, &visits))
        .await?;
    Ok(see_other("/visits"))
}
