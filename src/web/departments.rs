//! Admin pages for departments.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::{field_errors, see_other, unprocessable, DoneQuery, ListQuery};
use crate::auth::{extract::client_ip, Admin};
use crate::db::audit::NewEvent;
use crate::db::{self, Db};
use crate::domain::department::{Department, NewDepartment};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

pub use crate::domain::forms::DepartmentForm;

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

pub async fn list(
    Admin(admin): Admin,

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
        &admin.ctx(),
        &page,
        include_inactive,
        done.message("department").as_deref(),
    ))
}

pub async fn new(Admin(admin): Admin) -> Markup {
    views::departments::form(
        &admin.ctx(),
        None,
        &DepartmentForm::blank(),
        &FieldErrors::new(),
    )
}

pub async fn create(
    Admin(admin): Admin,
    req: HttpRequest,

    db: web::Data<Db>,
    form: web::Form<DepartmentForm>,
) -> Result<HttpResponse, AppError> {
    let department = match form.parse() {
        Ok(department) => department,
        Err(errors) => {
            return Ok(unprocessable(views::departments::form(
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
                    let id = db::departments::insert(conn, &department)?;
                    db::audit::record(
                        conn,
                        &NewEvent::new("department.created")
                            .by(Some(actor))
                            .on("department", id)
                            .from_ip(ip),
                    )?;
                    Ok::<_, db::WriteError>(id)
                })
            })
        }
        .await,
    )? {
        Ok(id) => {
            tracing::info!(department.id = id, "department created");
            Ok(see_other("/admin/departments?done=created"))
        }
        Err(errors) => Ok(unprocessable(views::departments::form(
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
    let department = db.run(move |conn| db::departments::find(conn, id)).await?;
    Ok(views::departments::form(
        &admin.ctx(),
        Some(&department),
        &DepartmentForm::of(&department),
        &FieldErrors::new(),
    ))
}

pub async fn update(
    Admin(admin): Admin,
    req: HttpRequest,

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
                    db::departments::update(conn, id, &department)?;
                    db::audit::record(
                        conn,
                        &NewEvent::new("department.updated")
                            .by(Some(actor))
                            .on("department", id)
                            .from_ip(ip),
                    )?;
                    Ok::<_, db::WriteError>(())
                })
            })
        }
        .await,
    )? {
        Ok(()) => {
            tracing::info!(department.id = id, "department updated");
            Ok(see_other("/admin/departments?done=updated"))
        }
        Err(errors) => Ok(unprocessable(views::departments::form(
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
    record: "department",
    actions: ("department.activated", "department.deactivated"),
    list: "/admin/departments",
    write: db::departments::set_active,
};
