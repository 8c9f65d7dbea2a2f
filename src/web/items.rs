//! Action items on the pages: a visit's items (generate, review, publish),
//! one item (update, history), the lists of each owner, school and
//! department, and the checks a later visit makes.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use maud::Markup;
use serde::Deserialize;

use super::{actions, field_errors, see_other};
use crate::auth::extract::deny;
use crate::auth::{CurrentUser, Planner};
use crate::db::action_items::{Change, Changed, Draft, Filter, Item};
use crate::db::visits::{Viewer, Visit};
use crate::db::{self, Db};
use crate::domain::account::Role;
use crate::domain::action_item::{Check, Kind, Priority, Status};
use crate::domain::visit::{parse_date, VisitStatus};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;
use crate::views::items::{ItemForm, ItemPage, ListPage, VisitItemsPage};

/// Whether the visit is still being reviewed (its items are proposals).
pub fn in_review(visit: &Visit) -> bool {
    visit.status.in_review()
}

/// Who may change an item. While its visit is reviewed: the visit's team
/// and the planners. Once published: for a school step, the school's
/// leaders; for a department item, the department's heads; and the item's
/// owner. Nobody else.
pub fn may_change(user: &CurrentUser, item: &Item, visit: &Visit) -> bool {
    if item.status == Status::Proposed || in_review(visit) {
        return super::observations::can_record(user, visit);
    }
    may_change_published(user, item)
}

pub(crate) async fn visible_visit(user: &CurrentUser, db: &Db, id: i64) -> Result<Visit, AppError> {
    let viewer = Viewer::from(&user.account);
    db.run(move |conn| db::visits::find_visible(conn, &viewer, id))
        .await
        .map_err(AppError::from)
}

pub(crate) async fn visible_item(user: &CurrentUser, db: &Db, id: i64) -> Result<Item, AppError> {
    let viewer = Viewer::from(&user.account);
    db.run(move |conn| db::action_items::find_visible(conn, &viewer, id))
        .await
        .map_err(AppError::from)
}

async fn visit_items_page(
    user: &CurrentUser,
    db: &Db,
    visit: Visit,
) -> Result<VisitItemsPage, AppError> {
    let viewer = Viewer::from(&user.account);
    let visit_id = visit.id;
    let (items, departments) = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            let filter = Filter {
                visit_id: Some(visit_id),
                ..Filter::default()
            };
            Ok((
                db::action_items::list(conn, &viewer, &filter)?,
                db::departments::choices(conn)?,
            ))
        })
        .await?;
    let can_review = in_review(&visit) && super::observations::can_record(user, &visit);
    Ok(VisitItemsPage {
        can_review,
        can_publish: visit.status == VisitStatus::Debriefed
            && Viewer::from(&user.account).sees_all_visits(),
        visit,
        items,
        departments,
    })
}

pub async fn for_visit(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let visit = visible_visit(&user, &db, id.into_inner()).await?;
    let page = visit_items_page(&user, &db, visit).await?;
    Ok(views::items::for_visit(
        &user.ctx(),
        &page,
        &ItemForm::default(),
        &FieldErrors::new(),
        done.message("item").as_deref(),
    ))
}

/// The visit, if `user` may review its items (team and planners).
pub(crate) async fn reviewable(
    req: &HttpRequest,
    user: &CurrentUser,
    db: &Db,
    id: i64,
) -> Result<Visit, AppError> {
    let visit = visible_visit(user, db, id).await?;
    if super::observations::can_record(user, &visit) {
        Ok(visit)
    } else {
        Err(deny(req, user).await)
    }
}

pub async fn generate(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let visit = reviewable(&req, &user, &db, id.into_inner()).await?;
    let (visit_id, actor) = (visit.id, super::actor(&user, &req));
    match field_errors(
        db.run(move |conn| actions::items::generate(conn, &actor, visit_id))
            .await,
    )? {
        Ok(_) => Ok(see_other(&format!(
            "/visits/{visit_id}/items?done=generated"
        ))),
        Err(errors) => again(&user, &db, visit, &ItemForm::default(), &errors).await,
    }
}

async fn again(
    user: &CurrentUser,
    db: &Db,
    visit: Visit,
    form: &ItemForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let page = visit_items_page(user, db, visit).await?;
    Ok(super::unprocessable(views::items::for_visit(
        &user.ctx(),
        &page,
        form,
        errors,
        None,
    )))
}

fn parse_due(raw: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    if raw.trim().is_empty() {
        return None;
    }
    errors.check("due_on", parse_date(raw))
}

fn parse_owner(raw: &str, errors: &mut FieldErrors) -> Option<i64> {
    if raw.trim().is_empty() {
        return None;
    }
    errors.check(
        "owner",
        raw.trim()
            .parse::<i64>()
            .map_err(|_| "Choose an owner from the list.".to_owned()),
    )
}

/// Reads the add-an-item form.
fn draft_from(form: &ItemForm) -> Result<Draft, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = form.title.trim();
    if title.is_empty() {
        errors.add("title", "Say what needs doing.");
    } else if title.chars().count() > 300 {
        errors.add("title", "Keep the title under 300 characters.");
    }
    let department_id = match form.department.trim() {
        "" => None,
        raw => errors.check(
            "department",
            raw.parse::<i64>()
                .map_err(|_| "Choose a department from the list.".to_owned()),
        ),
    };
    let priority = errors
        .check("priority", form.priority.parse::<Priority>())
        .unwrap_or(Priority::Normal);
    let due_on = parse_due(&form.due_on, &mut errors);
    let owner_id = parse_owner(&form.owner, &mut errors);
    if errors.is_empty() {
        Ok(Draft {
            kind: if department_id.is_some() {
                Kind::Department
            } else {
                Kind::School
            },
            department_id,
            title: title.to_owned(),
            evidence: form.evidence.trim().to_owned(),
            owner_id,
            due_on,
            priority,
        })
    } else {
        Err(errors)
    }
}

pub async fn add(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let visit = reviewable(&req, &user, &db, id.into_inner()).await?;
    let form = ItemForm::from_fields(&fields);
    let result = match draft_from(&form) {
        Ok(draft) => {
            let (visit_id, actor) = (visit.id, super::actor(&user, &req));
            field_errors(
                db.run(move |conn| actions::items::add(conn, &actor, visit_id, &draft))
                    .await,
            )?
        }
        Err(errors) => Err(errors),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/visits/{}/items?done=added", visit.id))),
        Err(errors) => again(&user, &db, visit, &form, &errors).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct MergeForm {
    pub into: String,
    pub from: String,
}

pub async fn merge(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<MergeForm>,
) -> Result<HttpResponse, AppError> {
    let visit = reviewable(&req, &user, &db, id.into_inner()).await?;
    let (into, from) = match (
        form.into.trim().parse::<i64>(),
        form.from.trim().parse::<i64>(),
    ) {
        (Ok(into), Ok(from)) => (into, from),
        _ => {
            let errors = FieldErrors::single("merge", "Choose the two items to merge.");
            return again(&user, &db, visit, &ItemForm::default(), &errors).await;
        }
    };
    let (visit_id, actor) = (visit.id, super::actor(&user, &req));
    let outcome = db
        .run(move |conn| actions::items::merge(conn, &actor, visit_id, into, from))
        .await;
    match field_errors(outcome)? {
        Ok(()) => Ok(see_other(&format!("/visits/{visit_id}/items?done=merged"))),
        Err(errors) => again(&user, &db, visit, &ItemForm::default(), &errors).await,
    }
}

pub async fn publish(
    Planner(user): Planner,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let visit = visible_visit(&user, &db, id.into_inner()).await?;
    let (visit_id, actor) = (visit.id, super::actor(&user, &req));
    let base = config.base_url.clone();
    let outcome = db
        .run(move |conn| actions::items::publish(conn, &actor, visit_id, &base))
        .await;
    match field_errors(outcome)? {
        Ok(_) => Ok(see_other(&format!(
            "/visits/{visit_id}/items?done=published"
        ))),
        Err(errors) => again(&user, &db, visit, &ItemForm::default(), &errors).await,
    }
}

pub(crate) async fn item_page(
    user: &CurrentUser,
    db: &Db,
    item: Item,
) -> Result<ItemPage, AppError> {
    // Owners and department heads may see an item whose visit is out of
    // their sight; they get its date and campus only.
    let visit = visible_visit(user, db, item.visit_id).await;
    let visit = match visit {
        Ok(visit) => Some(visit),
        Err(e) if e.code == crate::error::ErrorCode::NotFound => None,
        Err(e) => return Err(e),
    };
    let (id, kind, school_id, department_id) = (
        item.id,
        item.kind,
        item.school.id,
        item.department.as_ref().map(|d| d.id),
    );
    let (history, checks, owners) = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            Ok((
                db::action_items::history(conn, id)?,
                db::action_items::checks_of(conn, id)?,
                db::action_items::owner_choices(conn, kind, school_id, department_id)?,
            ))
        })
        .await?;
    let can_change = match &visit {
        Some(visit) => may_change(user, &item, visit),
        None => item.status != Status::Proposed && may_change_published(user, &item),
    };
    Ok(ItemPage {
        review: visit.as_ref().is_some_and(in_review),
        item,
        history,
        checks,
        owners,
        can_change,
        learning: Vec::new(),
        suggestions: Vec::new(),
    })
}

/// The page with the item's learning: what it is linked to, and what the
/// catalogue offers for its look-fors. Only the page shows them, so only
/// the page reads them.
async fn with_learning(db: &Db, mut page: ItemPage) -> Result<ItemPage, AppError> {
    let (id, today) = (page.item.id, today());
    let (learning, suggestions) = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            Ok((
                db::learning::item_learning(conn, id)?,
                db::learning::suggestions(conn, id, today)?,
            ))
        })
        .await?;
    page.learning = learning;
    page.suggestions = suggestions;
    Ok(page)
}

/// The rule for published items alone (see `may_change`).
fn may_change_published(user: &CurrentUser, item: &Item) -> bool {
    let account = &user.account;
    item.owner.as_ref().is_some_and(|o| o.id == account.id)
        || match item.kind {
            Kind::School => {
                user.has(Role::SchoolLeader) && account.school_id == Some(item.school.id)
            }
            Kind::Department => {
                user.has(Role::DepartmentHead)
                    && item.department.as_ref().map(|d| d.id) == account.department_id
            }
        }
}

pub async fn show(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let item = visible_item(&user, &db, id.into_inner()).await?;
    let page = with_learning(&db, item_page(&user, &db, item).await?).await?;
    let form = ItemForm::of(&page.item);
    Ok(views::items::show(
        &user.ctx(),
        &page,
        &form,
        &FieldErrors::new(),
        None,
        done.message("item").as_deref(),
    ))
}

/// Reads the change form of an item.
fn change_from(form: &ItemForm, review: bool) -> Result<Change, FieldErrors> {
    let mut errors = FieldErrors::new();
    let version = errors.check(
        "version",
        form.version
            .trim()
            .parse::<i32>()
            .map_err(|_| "Reload the page and try again.".to_owned()),
    );
    let status = errors.check("status", form.status.parse::<Status>());
    let priority = errors
        .check("priority", form.priority.parse::<Priority>())
        .unwrap_or(Priority::Normal);
    let due_on = parse_due(&form.due_on, &mut errors);
    let owner_id = parse_owner(&form.owner, &mut errors);
    if review && form.title.trim().is_empty() {
        errors.add("title", "Say what needs doing.");
    }
    if form.note.chars().count() > 4000 {
        errors.add("note", "Keep the note under 4,000 characters.");
    }
    match (version, status) {
        (Some(version), Some(status)) if errors.is_empty() => Ok(Change {
            version,
            title: review.then(|| form.title.trim().to_owned()),
            evidence: review.then(|| form.evidence.trim().to_owned()),
            status,
            reason: form.reason.trim().to_owned(),
            owner_id,
            due_on,
            priority,
            note: form.note.trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// The person a published item now becomes owned by, if someone other
/// than the one making the change: they are told by email.
pub fn newly_owned(page: &ItemPage, owner_id: Option<i64>, actor: i64) -> Option<i64> {
    let before = page.item.owner.as_ref().map(|o| o.id);
    owner_id.filter(|owner| !page.review && Some(*owner) != before && *owner != actor)
}

pub async fn update(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    id: web::Path<i64>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let item = visible_item(&user, &db, id.into_inner()).await?;
    let page = item_page(&user, &db, item).await?;
    if !page.can_change {
        return Err(deny(&req, &user).await);
    }
    let form = ItemForm::from_fields(&fields);
    let change = match change_from(&form, page.review) {
        Ok(change) => change,
        Err(errors) => {
            let page = with_learning(&db, page).await?;
            return Ok(super::unprocessable(views::items::show(
                &user.ctx(),
                &page,
                &form,
                &errors,
                None,
                None,
            )));
        }
    };
    let (item_id, actor) = (page.item.id, super::actor(&user, &req));
    let newly_owned = newly_owned(&page, change.owner_id, actor.id);
    let base = config.base_url.clone();
    let outcome = db
        .run(move |conn| actions::items::change(conn, &actor, item_id, &change, newly_owned, &base))
        .await;
    match field_errors(outcome)? {
        Ok(Changed::Saved(_)) => Ok(see_other(&format!("/items/{item_id}?done=updated"))),
        Ok(Changed::Conflict) => {
            // Show their version, keep what this person typed, and let the
            // next save go against the version they have now seen.
            let fresh = visible_item(&user, &db, item_id).await?;
            let page = with_learning(&db, item_page(&user, &db, fresh).await?).await?;
            let mut form = form;
            form.version = page.item.version.to_string();
            Ok(HttpResponse::Conflict()
                .content_type("text/html; charset=utf-8")
                .body(
                    views::items::show(
                        &user.ctx(),
                        &page,
                        &form,
                        &FieldErrors::new(),
                        Some(db::action_items::CONFLICT),
                        None,
                    )
                    .into_string(),
                ))
        }
        Err(errors) => {
            let page = with_learning(&db, page).await?;
            Ok(super::unprocessable(views::items::show(
                &user.ctx(),
                &page,
                &form,
                &errors,
                None,
                None,
            )))
        }
    }
}

/// The query values of an item list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub school: Option<String>,
    pub status: Option<String>,
    pub overdue: Option<String>,
    pub format: Option<String>,
    pub done: Option<String>,
}

impl ListQuery {
    fn apply(&self, mut filter: Filter, today: NaiveDate) -> Filter {
        // The CSV lists each item's look-fors; the page does not.
        filter.without_look_fors = !self.wants_csv();
        if let Some(school) = self.school.as_deref().and_then(|s| s.parse().ok()) {
            filter.school_id = Some(school);
        }
        if let Some(status) = self.status.as_deref().and_then(|s| s.parse().ok()) {
            filter.statuses = vec![status];
        }
        if self.overdue.as_deref().is_some_and(|v| !v.is_empty()) {
            filter.overdue_on = Some(today);
        }
        filter
    }

    fn wants_csv(&self) -> bool {
        self.format.as_deref() == Some("csv")
    }
}

/// Today in the district (UTC dates until the district has a time zone).
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The items as CSV, one row each.
pub fn csv(items: &[Item], name: &str) -> Result<HttpResponse, AppError> {
    let mut writer = crate::domain::csv::Writer::new(Vec::new());
    let io = |e: csv::Error| AppError::internal(e.to_string());
    writer
        .row([
            "id",
            "campus",
            "visit_date",
            "kind",
            "department",
            "title",
            "status",
            "reason",
            "priority",
            "owner",
            "due_on",
            "look_fors",
            "evidence",
        ])
        .map_err(io)?;
    for item in items {
        writer
            .row([
                item.id.to_string(),
                item.school.name.clone(),
                item.visit_date.to_string(),
                item.kind.as_str().to_owned(),
                item.department
                    .as_ref()
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                item.title.clone(),
                item.status.as_str().to_owned(),
                item.reason.clone(),
                item.priority.as_str().to_owned(),
                item.owner
                    .as_ref()
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                item.due_on.map(|d| d.to_string()).unwrap_or_default(),
                item.look_fors
                    .iter()
                    .map(|l| l.code.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
                item.evidence.clone(),
            ])
            .map_err(io)?;
    }
    let body = writer.into_inner().map_err(AppError::internal)?;
    Ok(super::attachment(
        &format!("{name}.csv"),
        "text/csv; charset=utf-8",
        body,
    ))
}

/// A list's items, the campuses to filter by (when the list offers it) and
/// the name of what the list is of, in one trip to the database. `name`
/// takes it from the items when there are any (every item of a school's or
/// a department's list names it) and asks the database only when there are
/// none, which also answers NotFound for a school or department that does
/// not exist.
async fn listing(
    user: &CurrentUser,
    db: &Db,
    filter: Filter,
    with_schools: bool,
    name: impl FnOnce(&mut crate::db::DbConn, &[Item]) -> crate::db::QueryResult<String>
        + Send
        + 'static,
) -> Result<(Vec<Item>, Vec<crate::domain::user::Link>, String), AppError> {
    let viewer = Viewer::from(&user.account);
    db.run(move |conn| -> crate::db::QueryResult<_> {
        let items = db::action_items::list(conn, &viewer, &filter)?;
        let name = name(conn, &items)?;
        // The campus filter offers the campuses the list has items at: read
        // off the items, or, when the list is narrowed to one campus, off
        // the same list at every campus.
        let schools = match (with_schools, filter.school_id) {
            (false, _) => Vec::new(),
            (true, None) => campuses_of(&items),
            (true, Some(_)) => {
                let every_campus = Filter {
                    school_id: None,
                    ..filter.clone()
                };
                campuses_of(&db::action_items::list(conn, &viewer, &every_campus)?)
            }
        };
        Ok((items, schools, name))
    })
    .await
    .map_err(AppError::from)
}

/// The campuses of `items`, by name.
fn campuses_of(items: &[Item]) -> Vec<crate::domain::user::Link> {
    items
        .iter()
        .map(|i| (i.school.name.as_str(), i.school.id))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(name, id)| crate::domain::user::Link {
            id,
            name: name.to_owned(),
        })
        .collect()
}

/// "My items": everything the person owns.
pub async fn mine(
    user: CurrentUser,
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = query.apply(
        Filter {
            owner_id: Some(user.id()),
            ..Filter::default()
        },
        today(),
    );
    let (items, schools, _) = listing(&user, &db, filter, true, |_, _| Ok(String::new())).await?;
    if query.wants_csv() {
        return csv(&items, "my-items");
    }
    Ok(html(views::items::list(
        &user.ctx(),
        &ListPage {
            title: "My items".to_owned(),
            base: "/items".to_owned(),
            items,
            schools,
            query_school: query.school.clone().unwrap_or_default(),
            query_status: query.status.clone().unwrap_or_default(),
            overdue: query.overdue.as_deref().is_some_and(|v| !v.is_empty()),
            today: today(),
            show_campus_filter: true,
        },
    )))
}

fn html(markup: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// A school's action steps and the department items concerning it: its
/// school leaders and the planners (404 for anyone else).
pub async fn for_school(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let school_id = id.into_inner();
    let viewer = Viewer::from(&user.account);
    let own_school = user.has(Role::SchoolLeader) && user.account.school_id == Some(school_id);
    if !(viewer.sees_all_visits() || own_school) {
        return Err(AppError::not_found());
    }
    let mut query = query.into_inner();
    query.school = None;
    let filter = query.apply(
        Filter {
            school_id: Some(school_id),
            published_only: true,
            ..Filter::default()
        },
        today(),
    );
    let (items, schools, school_name) = listing(&user, &db, filter, false, move |conn, items| {
        match items.first() {
            Some(item) => Ok(item.school.name.clone()),
            None => db::schools::find(conn, school_id).map(|s| s.name),
        }
    })
    .await?;
    if query.wants_csv() {
        return csv(&items, "action-steps");
    }
    Ok(html(views::items::list(
        &user.ctx(),
        &ListPage {
            title: format!("Action steps — {school_name}"),
            base: format!("/schools/{school_id}/items"),
            items,
            schools,
            query_school: String::new(),
            query_status: query.status.clone().unwrap_or_default(),
            overdue: query.overdue.as_deref().is_some_and(|v| !v.is_empty()),
            today: today(),
            show_campus_filter: false,
        },
    )))
}

/// A department's board: its items across every campus. Its heads and
/// staff, and the planners (404 for anyone else).
pub async fn for_department(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let department_id = id.into_inner();
    let viewer = Viewer::from(&user.account);
    let own = user.has(Role::DepartmentHead) && user.account.department_id == Some(department_id);
    if !(viewer.sees_all_visits() || own) {
        return Err(AppError::not_found());
    }
    let filter = query.apply(
        Filter {
            department_id: Some(department_id),
            published_only: true,
            ..Filter::default()
        },
        today(),
    );
    let (items, schools, department_name) =
        listing(&user, &db, filter, true, move |conn, items| {
            match items.first().and_then(|item| item.department.as_ref()) {
                Some(department) => Ok(department.name.clone()),
                None => db::departments::find(conn, department_id).map(|d| d.name),
            }
        })
        .await?;
    if query.wants_csv() {
        return csv(&items, "department-items");
    }
    Ok(html(views::items::list(
        &user.ctx(),
        &ListPage {
            title: format!("{department_name} — items across campuses"),
            base: format!("/departments/{department_id}/items"),
            items,
            schools,
            query_school: query.school.clone().unwrap_or_default(),
            query_status: query.status.clone().unwrap_or_default(),
            overdue: query.overdue.as_deref().is_some_and(|v| !v.is_empty()),
            today: today(),
            show_campus_filter: true,
        },
    )))
}

#[derive(Debug, Deserialize)]
pub struct CheckForm {
    pub result: String,
    #[serde(default)]
    pub note: String,
}

/// The team, at a later visit, records what became of an earlier item.
pub async fn check(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<(i64, i64)>,
    form: web::Form<CheckForm>,
) -> Result<HttpResponse, AppError> {
    let (visit_id, item_id) = path.into_inner();
    let visit = reviewable(&req, &user, &db, visit_id).await?;
    let result: Check = form
        .result
        .parse()
        .map_err(|message: String| AppError::validation(FieldErrors::single("result", message)))?;
    let (actor, note, visit_id) = (super::actor(&user, &req), form.note.clone(), visit.id);
    db.run(move |conn| actions::items::check(conn, &actor, visit_id, item_id, result, &note))
        .await?;
    Ok(see_other(&format!(
        "/visits/{visit_id}/debrief#earlier-items"
    )))
}
