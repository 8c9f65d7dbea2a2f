//! Professional-learning pages: the catalogue, an offering and its
//! sessions, a session with its registrations and attendance, the forms
//! that keep them, an item's link to learning, and the learning impact.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::{audited, field_errors, see_other, unprocessable};
use crate::auth::extract::deny;
use crate::auth::CurrentUser;
use crate::db::learning::{OfferingFilter, SessionFilter};
use crate::db::{self, Db};
use crate::domain::account::Role;
use crate::domain::forms::{
    CatalogueForm, LinkForm, OfferingForm, RegistrationForm, SeriesForm, SessionForm,
};
use crate::domain::learning::{
    count, credit_hours_text, credit_tenths, NewOffering, NewSeries, NewSession, OfferingInput,
    SessionInput, Who,
};
use crate::domain::read::learning::{Offering, Registration, Session};
use crate::domain::user::Link;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;
pub use crate::views::learning::SessionPage;
use crate::web::actions;
use crate::web::items::today;

/// The learning rules' view of a signed-in person.
pub fn who(user: &CurrentUser) -> Who {
    let account = &user.account;
    Who {
        user_id: account.id,
        admin: user.has(Role::Admin),
        head_of: account
            .department_id
            .filter(|_| user.has(Role::DepartmentHead)),
        leader_of: account.school_id.filter(|_| user.has(Role::SchoolLeader)),
    }
}

/// Whose learning impact a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Every,
    One(i64),
    /// A department head of no department: nothing to see.
    Nothing,
}

impl Scope {
    /// The scope's rows of the district's learning impact, kept between
    /// views while the record holds (`kept`).
    pub fn rows(
        self,
        conn: &mut db::DbConn,
        kept: &db::learning::KeptImpact,
        today: chrono::NaiveDate,
    ) -> db::QueryResult<Vec<crate::domain::read::learning::LearningImpactRow>> {
        match self {
            Scope::Every => kept.rows(conn, None, today),
            Scope::One(id) => kept.rows(conn, Some(id), today),
            Scope::Nothing => Ok(Vec::new()),
        }
    }

    pub fn department(self) -> Option<i64> {
        match self {
            Scope::One(id) => Some(id),
            _ => None,
        }
    }
}

/// Whose learning impact a person may read: every department's or the one
/// asked for (administrators, visit leads), their own department's
/// (department heads); `None` when they may not.
pub fn impact_scope(user: &CurrentUser, asked: Option<i64>) -> Option<Scope> {
    if user.has(Role::Admin) || user.has(Role::VisitLead) {
        return Some(asked.map_or(Scope::Every, Scope::One));
    }
    if !user.has(Role::DepartmentHead) {
        return None;
    }
    match (user.account.department_id, asked) {
        (Some(own), None) => Some(Scope::One(own)),
        (Some(own), Some(id)) if id == own => Some(Scope::One(own)),
        (None, None) => Some(Scope::Nothing),
        _ => None,
    }
}

fn optional_id(raw: &str) -> Result<Option<i64>, String> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw
            .parse::<i64>()
            .map(Some)
            .map_err(|_| "Choose from the list.".to_owned()),
    }
}

impl OfferingForm {
    pub fn parse(&self) -> Result<NewOffering, FieldErrors> {
        let department_id = optional_id(&self.department_id);
        let mut offering = NewOffering::parse(&OfferingInput {
            title: &self.title,
            description: &self.description,
            format: &self.format,
            department_id: department_id.clone().ok().flatten(),
            audience: &self.audience,
            credit_tenths: credit_tenths(&self.credit_hours),
            look_fors: vec![self.look_fors.as_str()],
            active: self.active.is_some(),
        });
        if let (Err(message), Err(errors)) = (department_id, offering.as_mut()) {
            errors.add("department_id", message);
        }
        offering
    }

    pub fn blank(department_id: Option<i64>) -> Self {
        Self {
            department_id: department_id.map(|d| d.to_string()).unwrap_or_default(),
            format: "on_site".to_owned(),
            audience: "teachers".to_owned(),
            active: Some("on".to_owned()),
            ..Self::default()
        }
    }

    pub fn of(offering: &Offering) -> Self {
        Self {
            title: offering.title.clone(),
            description: offering.description.clone(),
            format: offering.format.as_str().to_owned(),
            department_id: offering.department.id.to_string(),
            audience: offering.audience.as_str().to_owned(),
            credit_hours: credit_hours_text(offering.credit_tenths),
            look_fors: offering.look_fors.join(" "),
            active: offering.active.then(|| "on".to_owned()),
        }
    }
}

impl SessionForm {
    pub fn parse(&self) -> Result<NewSession, FieldErrors> {
        let mut errors = FieldErrors::new();
        let series_id = errors.check("series_id", optional_id(&self.series_id));
        let facilitator_id = errors.check("facilitator_id", optional_id(&self.facilitator_id));
        let session = NewSession::parse(&SessionInput {
            series_id: series_id.flatten(),
            date: &self.date,
            starts_at: &self.starts_at,
            ends_at: &self.ends_at,
            place: &self.place,
            capacity: count(&self.capacity, "Give the number of seats."),
            facilitator_id: facilitator_id.flatten(),
            cancelled: self.cancelled.is_some(),
        });
        match session {
            Ok(session) if errors.is_empty() => Ok(session),
            Ok(_) => Err(errors),
            Err(mut more) => {
                for (field, message) in errors.iter() {
                    more.add(field, message);
                }
                Err(more)
            }
        }
    }

    pub fn of(session: &Session) -> Self {
        Self {
            series_id: session
                .series
                .as_ref()
                .map(|s| s.id.to_string())
                .unwrap_or_default(),
            date: session.on_date.to_string(),
            starts_at: session.starts_at.clone(),
            ends_at: session.ends_at.clone(),
            place: session.place.clone(),
            capacity: session.capacity.to_string(),
            facilitator_id: session
                .facilitator
                .as_ref()
                .map(|f| f.id.to_string())
                .unwrap_or_default(),
            cancelled: session.cancelled.then(|| "on".to_owned()),
        }
    }
}

/// The catalogue: offerings (of one department, when asked) and the
/// sessions to come.
#[derive(serde::Deserialize)]
pub struct CatalogueQuery {
    pub department_id: Option<i64>,
}

pub async fn catalogue(
    user: CurrentUser,
    db: web::Data<Db>,
    query: web::Query<CatalogueQuery>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let message = done.message("offering");
    catalogue_page(
        &user,
        &db,
        query.department_id,
        &SeriesForm::default(),
        &FieldErrors::new(),
        message.as_deref(),
    )
    .await
}

/// The catalogue page (of one department, when given), with the series
/// form as typed and its messages.
async fn catalogue_page(
    user: &CurrentUser,
    db: &Db,
    department_id: Option<i64>,
    series_form: &SeriesForm,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Result<Markup, AppError> {
    let today = today();
    let (offerings, sessions, series, departments) = db
        .run(move |conn| -> db::QueryResult<_> {
            Ok((
                db::learning::offerings(
                    conn,
                    OfferingFilter {
                        department_id,
                        include_inactive: false,
                    },
                )?,
                db::learning::sessions(
                    conn,
                    &SessionFilter {
                        department_id,
                        from: Some(today),
                        limit: Some(100),
                        ..SessionFilter::default()
                    },
                )?,
                db::learning::series_list(conn)?,
                db::departments::choices(conn)?,
            ))
        })
        .await?;
    let who = who(user);
    Ok(views::learning::catalogue(
        &user.ctx(),
        &views::learning::Catalogue {
            offerings,
            sessions,
            series,
            departments,
            department_id,
            can_add: who.admin || who.head_of.is_some(),
            keeps_series: who.keeps_series(),
        },
        series_form,
        errors,
        done,
    ))
}

/// The departments a person may choose for an offering.
async fn managed_departments(user: &CurrentUser, db: &Db) -> Result<Vec<Link>, AppError> {
    let who = who(user);
    let all = db.run(db::departments::choices).await?;
    Ok(all.into_iter().filter(|d| who.manages(d.id)).collect())
}

pub async fn new_offering(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<Markup, AppError> {
    let departments = managed_departments(&user, &db).await?;
    if departments.is_empty() {
        return Err(deny(&req, &user).await);
    }
    let form = OfferingForm::blank(who(&user).head_of);
    Ok(views::learning::offering_form(
        &user.ctx(),
        None,
        &form,
        &departments,
        &FieldErrors::new(),
    ))
}

pub async fn create_offering(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    form: web::Form<OfferingForm>,
) -> Result<HttpResponse, AppError> {
    let departments = managed_departments(&user, &db).await?;
    if departments.is_empty() {
        return Err(deny(&req, &user).await);
    }
    let again = |errors: &FieldErrors| {
        unprocessable(views::learning::offering_form(
            &user.ctx(),
            None,
            &form,
            &departments,
            errors,
        ))
    };
    let offering = match form.parse() {
        Ok(offering) => offering,
        Err(errors) => return Ok(again(&errors)),
    };
    let actor = super::actor(&user, &req);
    let outcome = db
        .run(move |conn| actions::learning::create_offering(conn, &actor, &offering))
        .await;
    match field_errors(audited(&req, &user, outcome).await)? {
        Ok(id) => Ok(see_other(&format!("/learning/offerings/{id}?done=created"))),
        Err(errors) => Ok(again(&errors)),
    }
}

pub async fn show_offering(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let (offering, sessions) = db
        .run(move |conn| -> db::QueryResult<_> {
            let offering = db::learning::offering(conn, id)?;
            let sessions = db::learning::sessions(
                conn,
                &SessionFilter {
                    offering_id: Some(id),
                    include_cancelled: true,
                    ..SessionFilter::default()
                },
            )?;
            Ok((offering, sessions))
        })
        .await?;
    let manages = who(&user).manages(offering.department.id);
    Ok(views::learning::offering(
        &user.ctx(),
        &offering,
        &sessions,
        manages,
        done.message("offering").as_deref(),
    ))
}

async fn managed_offering(
    user: &CurrentUser,
    req: &HttpRequest,
    db: &Db,
    id: i64,
) -> Result<Offering, AppError> {
    let offering = db.run(move |conn| db::learning::offering(conn, id)).await?;
    if !who(user).manages(offering.department.id) {
        return Err(deny(req, user).await);
    }
    Ok(offering)
}

pub async fn edit_offering(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let offering = managed_offering(&user, &req, &db, id.into_inner()).await?;
    let departments = managed_departments(&user, &db).await?;
    Ok(views::learning::offering_form(
        &user.ctx(),
        Some(&offering),
        &OfferingForm::of(&offering),
        &departments,
        &FieldErrors::new(),
    ))
}

pub async fn update_offering(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<OfferingForm>,
) -> Result<HttpResponse, AppError> {
    let current = managed_offering(&user, &req, &db, id.into_inner()).await?;
    let departments = managed_departments(&user, &db).await?;
    let again = |errors: &FieldErrors| {
        unprocessable(views::learning::offering_form(
            &user.ctx(),
            Some(&current),
            &form,
            &departments,
            errors,
        ))
    };
    let offering = match form.parse() {
        Ok(offering) => offering,
        Err(errors) => return Ok(again(&errors)),
    };
    let (id, actor) = (current.id, super::actor(&user, &req));
    let outcome = db
        .run(move |conn| actions::learning::update_offering(conn, &actor, id, &offering))
        .await;
    match field_errors(audited(&req, &user, outcome).await)? {
        Ok(()) => Ok(see_other(&format!("/learning/offerings/{id}?done=updated"))),
        Err(errors) => Ok(again(&errors)),
    }
}

/// What the session form offers: series and the department's staff.
async fn session_choices(db: &Db, department_id: i64) -> Result<(Vec<Link>, Vec<Link>), AppError> {
    Ok(db
        .run(move |conn| -> db::QueryResult<_> {
            let series = db::learning::series_list(conn)?
                .into_iter()
                .map(|s| Link {
                    id: s.id,
                    name: s.name,
                })
                .collect();
            Ok((series, db::users::department_staff(conn, department_id)?))
        })
        .await?)
}

pub async fn new_session(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let offering = managed_offering(&user, &req, &db, id.into_inner()).await?;
    let (series, staff) = session_choices(&db, offering.department.id).await?;
    let form = SessionForm {
        starts_at: "13:30".to_owned(),
        ends_at: "16:00".to_owned(),
        capacity: "22".to_owned(),
        ..SessionForm::default()
    };
    Ok(views::learning::session_form(
        &user.ctx(),
        &offering,
        None,
        &form,
        &series,
        &staff,
        &FieldErrors::new(),
    ))
}

pub async fn create_session(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<SessionForm>,
) -> Result<HttpResponse, AppError> {
    let offering = managed_offering(&user, &req, &db, id.into_inner()).await?;
    let (series, staff) = session_choices(&db, offering.department.id).await?;
    let again = |errors: &FieldErrors| {
        unprocessable(views::learning::session_form(
            &user.ctx(),
            &offering,
            None,
            &form,
            &series,
            &staff,
            errors,
        ))
    };
    let session = match form.parse() {
        Ok(session) => session,
        Err(errors) => return Ok(again(&errors)),
    };
    let (offering_id, actor) = (offering.id, super::actor(&user, &req));
    let outcome = db
        .run(move |conn| actions::learning::create_session(conn, &actor, offering_id, &session))
        .await;
    match field_errors(audited(&req, &user, outcome).await)? {
        Ok(id) => Ok(see_other(&format!("/learning/sessions/{id}?done=created"))),
        Err(errors) => Ok(again(&errors)),
    }
}

pub async fn session_page(user: &CurrentUser, db: &Db, id: i64) -> Result<SessionPage, AppError> {
    let who = who(user);
    let viewer = crate::db::visits::Viewer::from(&user.account);
    let today = today();
    let page = db
        .run(move |conn| -> db::QueryResult<_> {
            let session = db::learning::session(conn, id)?;
            let facilitator = session.facilitator.as_ref().map(|f| f.id);
            let all = who.sees_all_registrations(session.department.id, facilitator);
            let registrations: Vec<Registration> = db::learning::registrations(conn, id)?
                .into_iter()
                .filter(|r| all || who.registers_for(r.school.id))
                .collect();
            let mut serves = Vec::new();
            for served in db::learning::served(conn, id)? {
                match db::action_items::find_visible(conn, &viewer, served.item_id) {
                    Ok(_) => serves.push(served),
                    Err(diesel::result::Error::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
            let campuses = if who.admin {
                db::schools::choices(conn)?
            } else {
                Vec::new()
            };
            let next = if session.is_full() {
                db::learning::sessions(
                    conn,
                    &SessionFilter {
                        offering_id: Some(session.offering.id),
                        from: Some(today),
                        limit: Some(20),
                        ..SessionFilter::default()
                    },
                )?
                .into_iter()
                .filter(|s| s.id != session.id && s.seats_left() > 0)
                .take(3)
                .collect()
            } else {
                Vec::new()
            };
            let names_allowed = db::settings::find(conn)?.teacher_field;
            Ok(SessionPage {
                manages: who.manages(session.department.id),
                marks_attendance: who.marks_attendance(session.department.id, facilitator),
                own_campus: who.leader_of,
                session,
                registrations,
                serves,
                campuses,
                names_allowed,
                next,
            })
        })
        .await?;
    Ok(page)
}

pub async fn show_session(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let page = session_page(&user, &db, id.into_inner()).await?;
    let form = RegistrationForm {
        participants: page
            .own_campus
            .and_then(|c| page.registrations.iter().find(|r| r.school.id == c))
            .map(|r| r.participants.to_string())
            .unwrap_or_default(),
        ..RegistrationForm::default()
    };
    let message = done.done.as_deref().and_then(|d| match d {
        "registered" => Some("The registration is saved; a confirmation is on its way by email."),
        "withdrawn" => Some("The campus is withdrawn from this session."),
        "attendance" => Some("Attendance is saved."),
        "created" => Some("The session was added."),
        "updated" => Some("The session was saved."),
        _ => None,
    });
    Ok(views::learning::session(
        &user.ctx(),
        &page,
        &form,
        &FieldErrors::new(),
        message,
    ))
}

/// The session's page again, with the form as typed and its messages (422).
async fn session_again(
    user: &CurrentUser,
    db: &Db,
    id: i64,
    form: &RegistrationForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let page = session_page(user, db, id).await?;
    Ok(unprocessable(views::learning::session(
        &user.ctx(),
        &page,
        form,
        errors,
        None,
    )))
}

async fn managed_session(
    user: &CurrentUser,
    req: &HttpRequest,
    db: &Db,
    id: i64,
) -> Result<(Session, Offering), AppError> {
    let (session, offering) = db
        .run(move |conn| -> db::QueryResult<_> {
            let session = db::learning::session(conn, id)?;
            let offering = db::learning::offering(conn, session.offering.id)?;
            Ok((session, offering))
        })
        .await?;
    if !who(user).manages(session.department.id) {
        return Err(deny(req, user).await);
    }
    Ok((session, offering))
}

pub async fn edit_session(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let (session, offering) = managed_session(&user, &req, &db, id.into_inner()).await?;
    let (series, staff) = session_choices(&db, offering.department.id).await?;
    Ok(views::learning::session_form(
        &user.ctx(),
        &offering,
        Some(&session),
        &SessionForm::of(&session),
        &series,
        &staff,
        &FieldErrors::new(),
    ))
}

pub async fn update_session(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<SessionForm>,
) -> Result<HttpResponse, AppError> {
    let (session, offering) = managed_session(&user, &req, &db, id.into_inner()).await?;
    let (series, staff) = session_choices(&db, offering.department.id).await?;
    let again = |errors: &FieldErrors| {
        unprocessable(views::learning::session_form(
            &user.ctx(),
            &offering,
            Some(&session),
            &form,
            &series,
            &staff,
            errors,
        ))
    };
    let change = match form.parse() {
        Ok(change) => change,
        Err(errors) => return Ok(again(&errors)),
    };
    let (id, actor) = (session.id, super::actor(&user, &req));
    let outcome = db
        .run(move |conn| actions::learning::update_session(conn, &actor, id, &change))
        .await;
    match field_errors(audited(&req, &user, outcome).await)? {
        Ok(()) => Ok(see_other(&format!("/learning/sessions/{id}?done=updated"))),
        Err(errors) => Ok(again(&errors)),
    }
}

pub async fn register(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    id: web::Path<i64>,
    form: web::Form<RegistrationForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let who = who(&user);
    if !(who.admin || who.leader_of.is_some()) {
        return Err(deny(&req, &user).await);
    }
    let mut errors = FieldErrors::new();
    let school_id = match (who.leader_of, optional_id(&form.school_id)) {
        (_, Ok(Some(chosen))) => Some(chosen),
        (Some(own), Ok(None)) => Some(own),
        (None, Ok(None)) => {
            errors.add("school_id", "Choose the campus.");
            None
        }
        (_, Err(message)) => {
            errors.add("school_id", message);
            None
        }
    };
    let participants = errors.check(
        "participants",
        count(&form.participants, "Give the number of participants."),
    );
    let outcome = match (school_id, participants) {
        (Some(school_id), Some(participants)) if errors.is_empty() => {
            let (actor, names, base) = (
                super::actor(&user, &req),
                form.names.clone(),
                config.base_url.clone(),
            );
            let outcome = db
                .run(move |conn| {
                    actions::learning::register(
                        conn,
                        &actor,
                        id,
                        school_id,
                        participants,
                        &names,
                        today(),
                        &base,
                    )
                })
                .await;
            field_errors(audited(&req, &user, outcome).await)?.map(|_| ())
        }
        _ => Err(errors),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/learning/sessions/{id}?done=registered"
        ))),
        Err(errors) => session_again(&user, &db, id, &form, &errors).await,
    }
}

pub async fn withdraw(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<RegistrationForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let who = who(&user);
    if !(who.admin || who.leader_of.is_some()) {
        return Err(deny(&req, &user).await);
    }
    let school_id = match (who.leader_of, optional_id(&form.school_id)) {
        (_, Ok(Some(chosen))) => chosen,
        (Some(own), Ok(None)) => own,
        _ => return Err(AppError::bad_request("Choose the campus to withdraw.")),
    };
    let actor = super::actor(&user, &req);
    let outcome = db
        .run(move |conn| actions::learning::withdraw(conn, &actor, id, school_id, today()))
        .await;
    match field_errors(audited(&req, &user, outcome).await)? {
        Ok(()) => Ok(see_other(&format!(
            "/learning/sessions/{id}?done=withdrawn"
        ))),
        Err(errors) => session_again(&user, &db, id, &RegistrationForm::default(), &errors).await,
    }
}

/// The attendance form: `attended_<school id>` per registered campus.
pub async fn attendance(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let session = db.run(move |conn| db::learning::session(conn, id)).await?;
    let facilitator = session.facilitator.as_ref().map(|f| f.id);
    if !who(&user).marks_attendance(session.department.id, facilitator) {
        return Err(deny(&req, &user).await);
    }
    let mut errors = FieldErrors::new();
    let mut counts = Vec::new();
    for (name, value) in form.iter() {
        let Some(school) = name.strip_prefix("attended_") else {
            continue;
        };
        let Ok(school_id) = school.parse::<i64>() else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        if let Some(n) = errors.check(name, count(value, "Give the number who attended.")) {
            counts.push((school_id, n));
        }
    }
    let outcome = if errors.is_empty() {
        let actor = super::actor(&user, &req);
        let outcome = db
            .run(move |conn| actions::learning::mark_attendance(conn, &actor, id, &counts, today()))
            .await;
        field_errors(audited(&req, &user, outcome).await)?
    } else {
        Err(errors)
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/learning/sessions/{id}?done=attendance"
        ))),
        Err(errors) => session_again(&user, &db, id, &RegistrationForm::default(), &errors).await,
    }
}

pub async fn create_series(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    form: web::Form<SeriesForm>,
) -> Result<HttpResponse, AppError> {
    if !who(&user).keeps_series() {
        return Err(deny(&req, &user).await);
    }
    let outcome = match NewSeries::parse(&form.name, &form.description) {
        Ok(series) => {
            let actor = super::actor(&user, &req);
            let outcome = db
                .run(move |conn| actions::learning::create_series(conn, &actor, &series))
                .await;
            field_errors(audited(&req, &user, outcome).await)?
        }
        Err(errors) => Err(errors),
    };
    match outcome {
        Ok(_) => Ok(see_other("/learning?done=series")),
        Err(errors) => Ok(unprocessable(
            catalogue_page(&user, &db, None, &form, &errors, None).await?,
        )),
    }
}

/// Links an item to an offering or a session from the item's page.
pub async fn link_item(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, AppError> {
    let item = super::items::visible_item(&user, &db, id.into_inner()).await?;
    let page = super::items::item_page(&user, &db, item).await?;
    if !page.can_change {
        return Err(deny(&req, &user).await);
    }
    let (Ok(offering_id), Ok(session_id)) = (
        optional_id(&form.offering_id),
        optional_id(&form.session_id),
    ) else {
        return Err(AppError::bad_request("Choose an offering or a session."));
    };
    let (id, actor) = (page.item.id, super::actor(&user, &req));
    db.run(move |conn| actions::learning::link_item(conn, &actor, id, offering_id, session_id))
        .await?;
    Ok(see_other(&format!("/items/{id}?done=linked#learning")))
}

pub async fn unlink_item(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, offering_id) = path.into_inner();
    let item = super::items::visible_item(&user, &db, id).await?;
    let page = super::items::item_page(&user, &db, item).await?;
    if !page.can_change {
        return Err(deny(&req, &user).await);
    }
    let actor = super::actor(&user, &req);
    db.run(move |conn| actions::learning::unlink_item(conn, &actor, id, offering_id))
        .await?;
    Ok(see_other(&format!("/items/{id}#learning")))
}

/// The learning impact view.
#[derive(serde::Deserialize)]
pub struct ImpactQuery {
    pub department_id: Option<i64>,
    /// The offering whose campuses are listed one by one.
    pub offering_id: Option<i64>,
}

pub async fn impact(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    query: web::Query<ImpactQuery>,
) -> Result<Markup, AppError> {
    let Some(scope) = impact_scope(&user, query.department_id) else {
        return Err(deny(&req, &user).await);
    };
    db.run(db::insights::bring_up_to_date).await?;
    let today = today();
    let kept = db.learning_impact.clone();
    let (rows, departments) = db
        .run(move |conn| -> db::QueryResult<_> {
            Ok((
                scope.rows(conn, &kept, today)?,
                db::departments::choices(conn)?,
            ))
        })
        .await?;
    let department_id = scope.department();
    let choose = user.has(Role::Admin) || user.has(Role::VisitLead);
    Ok(views::learning::impact(
        &user.ctx(),
        &rows,
        department_id,
        query.offering_id,
        if choose { &departments } else { &[] },
    ))
}

/// What reads a catalogue file with the district's names.
pub type ReadCatalogue = Box<
    dyn FnOnce(
            &crate::domain::catalogue::Resolve<'_>,
        ) -> Result<
            crate::domain::catalogue::NewCatalogue,
            Vec<crate::domain::framework::Problem>,
        > + Send,
>;

/// Imports a catalogue file for a signed-in person: what was stored, or
/// the file's problems (nothing stored); a refusal is recorded as any.
pub async fn import_catalogue(
    user: &CurrentUser,
    req: &HttpRequest,
    db: &Db,
    read: ReadCatalogue,
) -> Result<Result<db::learning::CatalogueCounts, Vec<crate::domain::framework::Problem>>, AppError>
{
    use actions::learning::CatalogueError;
    let actor = super::actor(user, req);
    let outcome = db
        .run(
            move |conn| match actions::learning::import_catalogue(conn, Some(&actor), read) {
                Ok(counts) => Ok(Ok(counts)),
                Err(CatalogueError::Problems(problems)) => Ok(Err(problems)),
                Err(CatalogueError::Write(e)) => Err(e),
            },
        )
        .await;
    audited(req, user, outcome).await
}

/// A refused catalogue file as a 422 that lists each problem in `fields`
/// by its place.
pub fn catalogue_problems(problems: Vec<crate::domain::framework::Problem>) -> AppError {
    let mut fields = FieldErrors::new();
    let count = problems.len();
    for problem in problems {
        fields.add(&problem.place, problem.message);
    }
    let mut error = AppError::validation(fields);
    error.message = format!(
        "The catalogue was not imported: {} in the file.",
        crate::domain::fields::plural(count, "problem", "problems")
    );
    error
}

/// The catalogue as its exchange document, for those who keep it (the
/// action refuses anyone else, and the refusal is recorded); the export
/// is recorded with its `format`.
pub async fn catalogue_doc(
    user: &CurrentUser,
    req: &HttpRequest,
    db: &Db,
    format: &'static str,
) -> Result<crate::domain::catalogue::CatalogueDoc, AppError> {
    let actor = super::actor(user, req);
    let outcome = db
        .run(move |conn| actions::learning::export_catalogue(conn, Some(&actor), format))
        .await;
    audited(req, user, outcome).await
}

/// What the last import stored, as the page after it is told (numbers
/// only, so a link cannot put words in the page's mouth).
#[derive(serde::Deserialize)]
pub struct ImportedQuery {
    pub offerings_added: Option<usize>,
    pub offerings_updated: Option<usize>,
    pub sessions_added: Option<usize>,
    pub sessions_updated: Option<usize>,
}

impl ImportedQuery {
    fn message(&self) -> Option<String> {
        let (oa, ou, sa, su) = (
            self.offerings_added?,
            self.offerings_updated?,
            self.sessions_added?,
            self.sessions_updated?,
        );
        Some(format!(
            "The catalogue was imported: {} added, {ou} updated; {} added, {su} updated.",
            crate::domain::fields::plural(oa, "offering", "offerings"),
            crate::domain::fields::plural(sa, "session", "sessions"),
        ))
    }
}

/// The catalogue file page: exports and the import form.
pub async fn catalogue_file(
    user: CurrentUser,
    req: HttpRequest,
    done: web::Query<ImportedQuery>,
) -> Result<Markup, AppError> {
    if !who(&user).keeps_catalogue() {
        return Err(deny(&req, &user).await);
    }
    let form = CatalogueForm {
        format: "json".to_owned(),
        ..CatalogueForm::default()
    };
    let done = done.message();
    Ok(views::learning::catalogue_file(
        &user.ctx(),
        &form,
        &FieldErrors::new(),
        &[],
        done.as_deref(),
    ))
}

pub async fn import_catalogue_file(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    form: web::Form<CatalogueForm>,
) -> Result<HttpResponse, AppError> {
    if !who(&user).keeps_catalogue() {
        return Err(deny(&req, &user).await);
    }
    let mut errors = FieldErrors::new();
    if !matches!(form.format.as_str(), "json" | "csv") {
        errors.add("format", "Choose JSON or CSV.");
    }
    if form.content.trim().is_empty() {
        errors.add("content", "Paste the catalogue file's contents.");
    }
    if form.format == "json" && !form.sessions.trim().is_empty() {
        errors.add(
            "sessions",
            "A JSON catalogue carries its sessions; leave this empty, or choose CSV.",
        );
    }
    if !errors.is_empty() {
        return Ok(unprocessable(views::learning::catalogue_file(
            &user.ctx(),
            &form,
            &errors,
            &[],
            None,
        )));
    }
    let (csv, content) = (form.format == "csv", form.content.clone());
    let sessions = Some(form.sessions.clone()).filter(|s| !s.trim().is_empty());
    let read: ReadCatalogue = Box::new(move |resolve| {
        if csv {
            crate::domain::catalogue::from_csv(&content, sessions.as_deref(), resolve)
        } else {
            crate::domain::catalogue::from_json(&content, resolve)
        }
    });
    match import_catalogue(&user, &req, &db, read).await? {
        Ok(c) => Ok(see_other(&format!(
            "/learning/catalogue?offerings_added={}&offerings_updated={}&sessions_added={}&sessions_updated={}",
            c.offerings_added, c.offerings_updated, c.sessions_added, c.sessions_updated
        ))),
        Err(problems) => Ok(unprocessable(views::learning::catalogue_file(
            &user.ctx(),
            &form,
            &FieldErrors::single(
                "content",
                "The catalogue was not imported: correct the problems listed and try again.",
            ),
            &problems,
            None,
        ))),
    }
}

pub async fn export_catalogue_json(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let doc = catalogue_doc(&user, &req, &db, "json").await?;
    let body = serde_json::to_string_pretty(&doc).map_err(AppError::internal)?;
    Ok(super::attachment(
        "catalogue.json",
        "application/json",
        body,
    ))
}

pub async fn export_offerings_csv(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let doc = catalogue_doc(&user, &req, &db, "offerings-csv").await?;
    Ok(super::attachment(
        "offerings.csv",
        "text/csv; charset=utf-8",
        crate::domain::catalogue::offerings_csv(&doc),
    ))
}

pub async fn export_sessions_csv(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let doc = catalogue_doc(&user, &req, &db, "sessions-csv").await?;
    Ok(super::attachment(
        "sessions.csv",
        "text/csv; charset=utf-8",
        crate::domain::catalogue::sessions_csv(&doc),
    ))
}
