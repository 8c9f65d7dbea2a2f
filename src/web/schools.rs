//! Admin pages for schools.

use actix_web::{get, post, web, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::{field_errors, see_other, unprocessable, DoneQuery, ListQuery};
use crate::db::{self, Db};
use crate::domain::school::{NewSchool, School};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

/// The school form exactly as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SchoolForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub level: String,
    pub active: Option<String>,
}

impl SchoolForm {
    pub fn parse(&self) -> Result<NewSchool, FieldErrors> {
        NewSchool::parse(&self.name, &self.code, &self.level, self.active.is_some())
    }

    pub fn blank() -> Self {
        Self {
            active: Some("on".into()),
            ..Self::default()
        }
    }

    pub fn of(school: &School) -> Self {
        Self {
            name: school.name.clone(),
            code: school.code.clone(),
            level: school.level.as_str().to_owned(),
            active: school.active.then(|| "on".to_owned()),
        }
    }
}

#[get("/admin/schools")]
pub async fn list(
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
    done: web::Query<DoneQuery>,
) -> Result<Markup, AppError> {
    let filter = db::schools::Filter {
        search: query.search(),
        include_inactive: query.include_inactive(),
    };
    let page_request = query.page_request();
    let page = db
        .run(move |conn| db::schools::list(conn, &filter, page_request))
        .await?;
    Ok(views::schools::list(
        &page,
        &query,
        done.message("school").as_deref(),
    ))
}

#[get("/admin/schools/new")]
pub async fn new() -> Markup {
    views::schools::form(None, &SchoolForm::blank(), &FieldErrors::new())
}

#[post("/admin/schools")]
pub async fn create(
    db: web::Data<Db>,
    form: web::Form<SchoolForm>,
) -> Result<HttpResponse, AppError> {
    let school = match form.parse() {
        Ok(school) => school,
        Err(errors) => return Ok(unprocessable(views::schools::form(None, &form, &errors))),
    };
    match field_errors(db.run(move |conn| db::schools::insert(conn, &school)).await)? {
        Ok(id) => {
            tracing::info!(school.id = id, "school created");
            Ok(see_other("/admin/schools?done=created"))
        }
        Err(errors) => Ok(unprocessable(views::schools::form(None, &form, &errors))),
    }
}

#[get("/admin/schools/{id}/edit")]
pub async fn edit(db: web::Data<Db>, id: web::Path<i64>) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let school = db.run(move |conn| db::schools::find(conn, id)).await?;
    Ok(views::schools::form(
        Some(&school),
        &SchoolForm::of(&school),
        &FieldErrors::new(),
    ))
}

#[post("/admin/schools/{id}")]
pub async fn update(
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<SchoolForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let current = db.run(move |conn| db::schools::find(conn, id)).await?;
    let school = match form.parse() {
        Ok(school) => school,
        Err(errors) => {
            return Ok(unprocessable(views::schools::form(
                Some(&current),
                &form,
                &errors,
            )))
        }
    };
    match field_errors(
        db.run(move |conn| db::schools::update(conn, id, &school))
            .await,
    )? {
        Ok(()) => {
            tracing::info!(school.id = id, "school updated");
            Ok(see_other("/admin/schools?done=updated"))
        }
        Err(errors) => Ok(unprocessable(views::schools::form(
            Some(&current),
            &form,
            &errors,
        ))),
    }
}

#[post("/admin/schools/{id}/deactivate")]
pub async fn deactivate(db: web::Data<Db>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    set_active(db, id.into_inner(), false).await
}

#[post("/admin/schools/{id}/activate")]
pub async fn activate(db: web::Data<Db>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    set_active(db, id.into_inner(), true).await
}

async fn set_active(db: web::Data<Db>, id: i64, active: bool) -> Result<HttpResponse, AppError> {
    db.run(move |conn| db::schools::set_active(conn, id, active))
        .await?;
    tracing::info!(school.id = id, active, "school activity changed");
    Ok(see_other(if active {
        "/admin/schools?done=activated"
    } else {
        "/admin/schools?done=deactivated"
    }))
}
