//! Admin pages for people.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::{field_errors, see_other, unprocessable, DoneQuery, ListQuery};
use crate::auth::Admin;
use crate::db::{self, Db};
use crate::domain::account::Role;
use crate::domain::user::{optional_id, Link, NewUser, User};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;
use std::collections::BTreeSet;

pub use crate::domain::forms::UserForm;

impl UserForm {
    pub fn parse(&self) -> Result<NewUser, FieldErrors> {
        let mut errors = FieldErrors::new();
        let school_id = errors
            .check("school_id", optional_id(&self.school_id))
            .flatten();
        let department_id = errors
            .check("department_id", optional_id(&self.department_id))
            .flatten();
        let user = NewUser::parse(
            &self.name,
            &self.email,
            self.active.is_some(),
            school_id,
            department_id,
        );
        match user {
            Ok(user) if errors.is_empty() => Ok(user),
            Ok(_) => Err(errors),
            Err(more) => {
                for (field, message) in more.iter() {
                    errors.add(field, message);
                }
                Err(errors)
            }
        }
    }

    /// The roles ticked on the form.
    pub fn roles(&self) -> BTreeSet<Role> {
        [
            (Role::Admin, &self.role_admin),
            (Role::VisitLead, &self.role_visit_lead),
            (Role::Visitor, &self.role_visitor),
            (Role::SchoolLeader, &self.role_school_leader),
            (Role::DepartmentHead, &self.role_department_head),
        ]
        .into_iter()
        .filter(|(_, ticked)| ticked.is_some())
        .map(|(role, _)| role)
        .collect()
    }

    /// Whether `role` is ticked.
    pub fn has(&self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    pub fn blank() -> Self {
        Self {
            active: Some("on".into()),
            invite: Some("on".into()),
            ..Self::default()
        }
    }

    pub fn of(user: &User, roles: &BTreeSet<Role>) -> Self {
        let id = |link: &Option<Link>| link.as_ref().map(|l| l.id.to_string()).unwrap_or_default();
        let tick = |role| roles.contains(&role).then(|| "on".to_owned());
        Self {
            role_admin: tick(Role::Admin),
            role_visit_lead: tick(Role::VisitLead),
            role_visitor: tick(Role::Visitor),
            role_school_leader: tick(Role::SchoolLeader),
            role_department_head: tick(Role::DepartmentHead),
            name: user.name.clone(),
            email: user.email.clone(),
            school_id: id(&user.school),
            department_id: id(&user.department),
            active: user.active.then(|| "on".to_owned()),
            invite: None,
        }
    }
}

pub use crate::domain::forms::UserChoices as Choices;

async fn choices(db: &Db) -> Result<Choices, AppError> {
    db.run(|conn| -> crate::db::QueryResult<_> {
        Ok(Choices {
            schools: db::schools::choices(conn)?,
            departments: db::departments::choices(conn)?,
        })
    })
    .await
    .map_err(AppError::from)
}

pub async fn list(
    Admin(admin): Admin,

    db: web::Data<Db>,
    query: web::Query<ListQuery>,
    done: web::Query<DoneQuery>,
) -> Result<Markup, AppError> {
    let filter = db::users::Filter {
        search: query.search(),
        include_inactive: query.include_inactive(),
    };
    let page_request = query.page_request();
    let (page, invitations) = db
        .run(move |conn| -> db::QueryResult<_> {
            let page = db::users::list(conn, &filter, page_request)?;
            let ids: Vec<i64> = page.items.iter().map(|u| u.id).collect();
            Ok((page, db::invitations::latest_for(conn, &ids)?))
        })
        .await?;
    Ok(views::users::list(
        &admin.ctx(),
        &page,
        &invitations,
        &query,
        done.message("person").as_deref(),
    ))
}

pub async fn new(Admin(admin): Admin, db: web::Data<Db>) -> Result<Markup, AppError> {
    let choices = choices(&db).await?;
    Ok(views::users::form(
        &admin.ctx(),
        None,
        None,
        &UserForm::blank(),
        &choices,
        &FieldErrors::new(),
    ))
}

pub async fn create(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    sso: web::Data<super::auth::SsoSlot>,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let roles = form.roles();
    let invite = form
        .invite
        .is_some()
        .then(|| super::invitations::invite(&config, &sso));
    let result = match form.parse() {
        Ok(user) => field_errors(
            {
                let actor = super::actor(&admin, &req);
                db.run(move |conn| {
                    super::actions::users::create(conn, &actor, &user, &roles, invite.as_ref())
                })
            }
            .await,
        )?,
        Err(errors) => Err(errors),
    };
    match result {
        Ok(id) => {
            tracing::info!(user.id = id, "user created");
            Ok(see_other("/admin/users?done=created"))
        }
        Err(errors) => {
            let choices = choices(&db).await?;
            Ok(unprocessable(views::users::form(
                &admin.ctx(),
                None,
                None,
                &form,
                &choices,
                &errors,
            )))
        }
    }
}

pub async fn edit(
    Admin(admin): Admin,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let (user, roles, invitation) = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            Ok((
                db::users::find(conn, id)?,
                db::accounts::roles_of(conn, id)?,
                db::invitations::latest_for(conn, &[id])?.remove(&id),
            ))
        })
        .await?;
    let choices = choices(&db).await?;
    Ok(views::users::form(
        &admin.ctx(),
        Some(&user),
        invitation.as_ref(),
        &UserForm::of(&user, &roles),
        &choices,
        &FieldErrors::new(),
    ))
}

pub async fn update(
    Admin(admin): Admin,
    req: HttpRequest,

    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (current, invitation) = db
        .run(move |conn| -> db::QueryResult<_> {
            Ok((
                db::users::find(conn, id)?,
                db::invitations::latest_for(conn, &[id])?.remove(&id),
            ))
        })
        .await?;
    let roles = form.roles();
    let result = match form.parse() {
        Ok(user) => field_errors(
            {
                let (actor, roles) = (super::actor(&admin, &req), roles.clone());
                db.run(move |conn| {
                    super::actions::users::change(conn, &actor, id, &user, Some(&roles))
                })
            }
            .await,
        )?,
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => {
            tracing::info!(user.id = id, "user updated");
            Ok(see_other("/admin/users?done=updated"))
        }
        Err(errors) => {
            let choices = choices(&db).await?;
            Ok(unprocessable(views::users::form(
                &admin.ctx(),
                Some(&current),
                invitation.as_ref(),
                &form,
                &choices,
                &errors,
            )))
        }
    }
}

pub async fn deactivate(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_active(&admin, &req, &db, id.into_inner(), false).await
}

pub async fn activate(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_active(&admin, &req, &db, id.into_inner(), true).await
}

/// Deactivates or reactivates a person and goes back to the list; the
/// district's last administrator and one's own account stay active (409).
async fn set_active(
    admin: &crate::auth::CurrentUser,
    req: &HttpRequest,
    db: &Db,
    id: i64,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let actor = super::actor(admin, req);
    db.run(move |conn| super::actions::users::set_active(conn, &actor, id, active))
        .await?;
    tracing::info!(user.id = id, active, "user activity changed");
    let done = if active { "activated" } else { "deactivated" };
    Ok(see_other(&format!("/admin/users?done={done}")))
}
