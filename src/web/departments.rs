//! Admin pages for departments.

use actix_web::{get, post, web, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::{field_errors, see_other, unprocessable, DoneQuery, ListQuery};
use crate::db::{self, Db};
use crate::domain::department::{Department, NewDepartment};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

/// The department form exactly as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DepartmentForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact_email: String,
    pub active: Option<String>,
}

impl DepartmentForm {
    pub fn parse(&self) -> Result<NewDepartment, FieldErrors> {
        NewDepartment::parse(&self.name, &self.contact_email, self.active.is_some())
    }

    pub fn blank() -> Self {
        Self {
            active: Some("on".into()),
            ..Self::default()
        }
    }

    pub fn of(department: &Department) -> Self {
        Self {
            name: department.name.clone(),
            contact_email: department.contact_email.clone().unwrap_or_default(),
            active: department.active.then(|| "on".to_owned()),
        }
    }
}

#[get("/admin/departments")]
pub async fn list(
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
    done: web::Query<DoneQuery>,
) -> Result<Markup, AppError> {
    let include_inactive = query.include_inactive();
    let page_request = query.page_request();
    let page = db
        .run(move |conn| db::departments::list(conn, include_inactive, page_request))
        .await?;
    Ok(views::departments::list(
        &page,
        include_inactive,
        done.message("department").as_deref(),
    ))
}

#[get("/admin/departments/new")]
pub async fn new() -> Markup {
    views::departments::form(None, &DepartmentForm::blank(), &FieldErrors::new())
}

#[post("/admin/departments")]
pub async fn create(
    db: web::Data<Db>,
    form: web::Form<DepartmentForm>,
) -> Result<HttpResponse, AppError> {
    let department = match form.parse() {
        Ok(department) => department,
        Err(errors) => {
            return Ok(unprocessable(views::departments::form(
                None, &form, &errors,
            )))
        }
    };
    match field_errors(
        db.run(move |conn| db::departments::insert(conn, &department))
            .await,
    )? {
        Ok(id) => {
            tracing::info!(department.id = id, "department created");
            Ok(see_other("/admin/departments?done=created"))
        }
        Err(errors) => Ok(unprocessable(views::departments::form(
            None, &form, &errors,
        ))),
    }
}

#[get("/admin/departments/{id}/edit")]
pub async fn edit(db: web::Data<Db>, id: web::Path<i64>) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let department = db.run(move |conn| db::departments::find(conn, id)).await?;
    Ok(views::departments::form(
        Some(&department),
        &DepartmentForm::of(&department),
        &FieldErrors::new(),
    ))
}

#[post("/admin/departments/{id}")]
pub async fn update(
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<DepartmentForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let current = db.run(move |conn| db::departments::find(conn, id)).await?;
    let department = match form.parse() {
        Ok(department) => department,
        Err(errors) => {
            return Ok(unprocessable(views::departments::form(
                Some(&current),
                &form,
                &errors,
            )))
        }
    };
    match field_errors(
        db.run(move |conn| db::departments::update(conn, id, &department))
            .await,
    )? {
        Ok(()) => {
            tracing::info!(department.id = id, "department updated");
            Ok(see_other("/admin/departments?done=updated"))
        }
        Err(errors) => Ok(unprocessable(views::departments::form(
            Some(&current),
            &form,
            &errors,
        ))),
    }
}

#[post("/admin/departments/{id}/deactivate")]
pub async fn deactivate(db: web::Data<Db>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    set_active(db, id.into_inner(), false).await
}

#[post("/admin/departments/{id}/activate")]
pub async fn activate(db: web::Data<Db>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    set_active(db, id.into_inner(), true).await
}

async fn set_active(db: web::Data<Db>, id: i64, active: bool) -> Result<HttpResponse, AppError> {
    db.run(move |conn| db::departments::set_active(conn, id, active))
        .await?;
    tracing::info!(department.id = id, active, "department activity changed");
    Ok(see_other(if active {
        "/admin/departments?done=activated"
    } else {
        "/admin/departments?done=deactivated"
    }))
}
