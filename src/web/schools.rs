//! Admin pages for schools.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::{field_errors, see_other, unprocessable, DoneQuery, ListQuery};
use crate::auth::{extract::client_ip, Admin};
use crate::db::audit::NewEvent;
use crate::db::{self, Db};
use crate::domain::school::{NewSchool, School};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

pub use crate::domain::forms::SchoolForm;

impl SchoolForm {
    pub fn parse(&self) -> Result<NewSchool, FieldErrors> {
        NewSchool::parse_with_program(
            &self.name,
            &self.code,
            &self.level,
            &self.program,
            self.active.is_some(),
        )
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
            program: school.program.clone(),
            active: school.active.then(|| "on".to_owned()),
        }
    }
}

pub async fn list(
    Admin(admin): Admin,

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
        &admin.ctx(),
        &page,
        &query,
        done.message("school").as_deref(),
    ))
}

pub async fn new(Admin(admin): Admin) -> Markup {
    views::schools::form(
        &admin.ctx(),
        None,
        &SchoolForm::blank(),
        &FieldErrors::new(),
    )
}

pub async fn create(
    Admin(admin): Admin,
    req: HttpRequest,

    db: web::Data<Db>,
    form: web::Form<SchoolForm>,
) -> Result<HttpResponse, AppError> {
    let school = match form.parse() {
        Ok(school) => school,
        Err(errors) => {
            return Ok(unprocessable(views::schools::form(
                &admin.ctx(),
                None,
                &form,
                &errors,
            )))
        }
    };
    match field_errors(
        {
            let (actor, ip) = (admin.id(), client_ip(&req));
            db.run(move |conn| {
                db::write_transaction(conn, |conn| {
                    let id = db::schools::insert(conn, &school)?;
                    db::audit::record(
                        conn,
                        &NewEvent::new("school.created")
                            .by(Some(actor))
                            .on("school", id)
                            .from_ip(ip),
                    )?;
                    Ok::<_, db::WriteError>(id)
                })
            })
        }
        .await,
    )? {
        Ok(id) => {
            tracing::info!(school.id = id, "school created");
            Ok(see_other("/admin/schools?done=created"))
        }
        Err(errors) => Ok(unprocessable(views::schools::form(
            &admin.ctx(),
            None,
            &form,
            &errors,
        ))),
    }
}

pub async fn edit(
    Admin(admin): Admin,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let school = db.run(move |conn| db::schools::find(conn, id)).await?;
    Ok(views::schools::form(
        &admin.ctx(),
        Some(&school),
        &SchoolForm::of(&school),
        &FieldErrors::new(),
    ))
}

pub async fn update(
    Admin(admin): Admin,
    req: HttpRequest,

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
                &admin.ctx(),
                Some(&current),
                &form,
                &errors,
            )))
        }
    };
    match field_errors(
        {
            let (actor, ip) = (admin.id(), client_ip(&req));
            db.run(move |conn| {
                db::write_transaction(conn, |conn| {
                    db::schools::update(conn, id, &school)?;
                    db::audit::record(
                        conn,
                        &NewEvent::new("school.updated")
                            .by(Some(actor))
                            .on("school", id)
                            .from_ip(ip),
                    )?;
                    Ok::<_, db::WriteError>(())
                })
            })
        }
        .await,
    )? {
        Ok(()) => {
            tracing::info!(school.id = id, "school updated");
            Ok(see_other("/admin/schools?done=updated"))
        }
        Err(errors) => Ok(unprocessable(views::schools::form(
            &admin.ctx(),
            Some(&current),
            &form,
            &errors,
        ))),
    }
}

pub async fn deactivate(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    super::set_active(&ACTIVITY, &admin, &req, &db, id.into_inner(), false).await
}

pub async fn activate(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    super::set_active(&ACTIVITY, &admin, &req, &db, id.into_inner(), true).await
}

const ACTIVITY: super::Activity = super::Activity {
    record: "school",
    actions: ("school.activated", "school.deactivated"),
    list: "/admin/schools",
    write: db::schools::set_active,
};

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    pub confirm: String,
}

/// Deletes a campus and all its records, once the administrator has typed
/// its code; recorded in the audit log with what was removed.
pub async fn delete(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let school = db.run(move |conn| db::schools::find(conn, id)).await?;
    if !form.confirm.trim().eq_ignore_ascii_case(&school.code) {
        let errors = FieldErrors::single(
            "confirm",
            format!("Type the campus's code, {}, to delete it.", school.code),
        );
        return Ok(super::unprocessable(views::schools::form(
            &admin.ctx(),
            Some(&school),
            &SchoolForm::of(&school),
            &errors,
        )));
    }
    let (actor, ip) = (admin.id(), client_ip(&req));
    let label = format!("{} ({})", school.name, school.code);
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            let deleted = db::schools::delete_campus(conn, id)?;
            db::audit::record(
                conn,
                &NewEvent::new("school.deleted")
                    .by(Some(actor))
                    .on("school", id)
                    .from_ip(ip)
                    .detail(format!("{label}: {deleted}")),
            )?;
            Ok::<_, db::WriteError>(())
        })
    })
    .await?;
    Ok(super::see_other("/admin/schools?done=deleted"))
}
