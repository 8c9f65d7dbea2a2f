//! Admin pages for people.

use actix_web::{get, post, web, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::{field_errors, see_other, unprocessable, DoneQuery, ListQuery};
use crate::db::{self, Db};
use crate::domain::user::{optional_id, Link, NewUser, User};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

/// The person form exactly as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub school_id: String,
    #[serde(default)]
    pub department_id: String,
    pub active: Option<String>,
}

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

    pub fn blank() -> Self {
        Self {
            active: Some("on".into()),
            ..Self::default()
        }
    }

    pub fn of(user: &User) -> Self {
        let id = |link: &Option<Link>| link.as_ref().map(|l| l.id.to_string()).unwrap_or_default();
        Self {
            name: user.name.clone(),
            email: user.email.clone(),
            school_id: id(&user.school),
            department_id: id(&user.department),
            active: user.active.then(|| "on".to_owned()),
        }
    }
}

/// The schools and departments a person can be linked to.
pub struct Choices {
    pub schools: Vec<Link>,
    pub departments: Vec<Link>,
}

async fn choices(db: &Db) -> Result<Choices, AppError> {
    db.run(|conn| -> diesel::QueryResult<_> {
        Ok(Choices {
            schools: db::schools::choices(conn)?,
            departments: db::departments::choices(conn)?,
        })
    })
    .await
}

#[get("/admin/users")]
pub async fn list(
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
    done: web::Query<DoneQuery>,
) -> Result<Markup, AppError> {
    let filter = db::users::Filter {
        search: query.search(),
        include_inactive: query.include_inactive(),
    };
    let page_request = query.page_request();
    let page = db
        .run(move |conn| db::users::list(conn, &filter, page_request))
        .await?;
    Ok(views::users::list(
        &page,
        &query,
        done.message("person").as_deref(),
    ))
}

#[get("/admin/users/new")]
pub async fn new(db: web::Data<Db>) -> Result<Markup, AppError> {
    let choices = choices(&db).await?;
    Ok(views::users::form(
        None,
        &UserForm::blank(),
        &choices,
        &FieldErrors::new(),
    ))
}

#[post("/admin/users")]
pub async fn create(
    db: web::Data<Db>,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let result = match form.parse() {
        Ok(user) => field_errors(db.run(move |conn| db::users::insert(conn, &user)).await)?,
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
                None, &form, &choices, &errors,
            )))
        }
    }
}

#[get("/admin/users/{id}/edit")]
pub async fn edit(db: web::Data<Db>, id: web::Path<i64>) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let user = db.run(move |conn| db::users::find(conn, id)).await?;
    let choices = choices(&db).await?;
    Ok(views::users::form(
        Some(&user),
        &UserForm::of(&user),
        &choices,
        &FieldErrors::new(),
    ))
}

#[post("/admin/users/{id}")]
pub async fn update(
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let current = db.run(move |conn| db::users::find(conn, id)).await?;
    let result = match form.parse() {
        Ok(user) => field_errors(db.run(move |conn| db::users::update(conn, id, &user)).await)?,
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
                Some(&current),
                &form,
                &choices,
                &errors,
            )))
        }
    }
}

#[post("/admin/users/{id}/deactivate")]
pub async fn deactivate(db: web::Data<Db>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    set_active(db, id.into_inner(), false).await
}

#[post("/admin/users/{id}/activate")]
pub async fn activate(db: web::Data<Db>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    set_active(db, id.into_inner(), true).await
}

async fn set_active(db: web::Data<Db>, id: i64, active: bool) -> Result<HttpResponse, AppError> {
    db.run(move |conn| db::users::set_active(conn, id, active))
        .await?;
    tracing::info!(user.id = id, active, "user activity changed");
    Ok(see_other(if active {
        "/admin/users?done=activated"
    } else {
        "/admin/users?done=deactivated"
    }))
}
