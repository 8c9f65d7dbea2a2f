//! Admin pages for look-for frameworks: list, view, import, export, and a
//! new version of a frozen one.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::{attachment, see_other, unprocessable};
use crate::auth::extract::client_ip;
use crate::auth::Admin;
use crate::db::audit::NewEvent;
use crate::db::{self, Db};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::import::{FrameworkFormat, FrameworkImportError};
use crate::views;

pub use crate::domain::forms::ImportForm;

pub async fn list(Admin(admin): Admin, db: web::Data<Db>) -> Result<Markup, AppError> {
    let frameworks = db.run(db::frameworks::list).await?;
    Ok(views::frameworks::list(&admin.ctx(), &frameworks))
}

pub async fn show(
    Admin(admin): Admin,
    db: web::Data<Db>,
    id: web::Path<i64>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let framework = db.run(move |conn| db::frameworks::load(conn, id)).await?;
    let done = match done.done.as_deref() {
        Some("imported") => Some(format!(
            "The framework was imported: {}.",
            crate::domain::fields::plural(
                framework.domains.iter().map(|d| d.indicators.len()).sum(),
                "look-for",
                "look-fors"
            )
        )),
        Some("versioned") => {
            Some("A new version was made; change it before it is used.".to_owned())
        }
        _ => None,
    };
    Ok(views::frameworks::show(
        &admin.ctx(),
        &framework,
        done.as_deref(),
    ))
}

pub async fn import_form(Admin(admin): Admin) -> Markup {
    let form = ImportForm {
        format: "json".to_owned(),
        ..ImportForm::default()
    };
    views::frameworks::import(&admin.ctx(), &form, &FieldErrors::new(), &[])
}

pub async fn import(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let format = match form.format.as_str() {
        "csv" => {
            if form.name.trim().is_empty() {
                errors.add(
                    "name",
                    "Enter the framework's name: a CSV file does not carry it.",
                );
            }
            match crate::domain::framework::version_label(form.version.trim()) {
                Ok(version) => Some(FrameworkFormat::Csv {
                    name: form.name.clone(),
                    version,
                }),
                Err(_) => {
                    errors.add(
                        "version",
                        "Enter the version as your district names it, such as 2026.1 or 2026-27: letters, digits, spaces and . - _ /.",
                    );
                    None
                }
            }
        }
        "json" => Some(FrameworkFormat::Json),
        _ => {
            errors.add("format", "Choose JSON or CSV.");
            None
        }
    };
    if form.content.trim().is_empty() {
        errors.add("content", "Paste the framework file's contents.");
    }
    let Some(format) = format.filter(|_| errors.is_empty()) else {
        return Ok(unprocessable(views::frameworks::import(
            &admin.ctx(),
            &form,
            &errors,
            &[],
        )));
    };
    let (actor, ip, content) = (admin.id(), client_ip(&req), form.content.clone());
    let outcome = db
        .run(move |conn| -> Result<_, AppError> {
            match crate::import::framework(conn, &content, &format) {
                Ok((imported, _)) => {
                    let event = NewEvent::new("framework.imported")
                        .by(Some(actor))
                        .on("framework", imported.id())
                        .from_ip(ip);
                    db::audit::record(conn, &event)?;
                    Ok(Ok(imported.id()))
                }
                Err(FrameworkImportError::Problems(problems)) => Ok(Err(problems)),
                Err(FrameworkImportError::Db(e)) => Err(e.into()),
            }
        })
        .await?;
    match outcome {
        Ok(id) => Ok(see_other(&format!("/admin/frameworks/{id}?done=imported"))),
        Err(problems) => {
            let errors = FieldErrors::single(
                "content",
                "The framework was not imported: correct the problems listed and try again.",
            );
            Ok(unprocessable(views::frameworks::import(
                &admin.ctx(),
                &form,
                &errors,
                &problems,
            )))
        }
    }
}

pub async fn export_json(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let doc = export(&admin, &req, &db, id.into_inner(), "json").await?;
    let body = serde_json::to_string_pretty(&doc.1).map_err(AppError::internal)?;
    Ok(attachment(
        &format!("{}.json", doc.0),
        "application/json",
        body,
    ))
}

pub async fn export_csv(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let doc = export(&admin, &req, &db, id.into_inner(), "csv").await?;
    Ok(attachment(
        &format!("{}.csv", doc.0),
        "text/csv; charset=utf-8",
        crate::domain::framework::to_csv(&doc.1),
    ))
}

/// Loads a framework for export and records the export in the audit log.
async fn export(
    admin: &crate::auth::CurrentUser,
    req: &HttpRequest,
    db: &Db,
    id: i64,
    format: &'static str,
) -> Result<(String, crate::domain::framework::FrameworkDoc), AppError> {
    let (actor, ip) = (admin.id(), client_ip(req));
    db.run(move |conn| -> Result<_, AppError> {
        let framework = db::frameworks::load(conn, id)?;
        db::audit::record(
            conn,
            &NewEvent::new("framework.exported")
                .by(Some(actor))
                .on("framework", id)
                .from_ip(ip)
                .detail(format),
        )?;
        // A label may hold spaces and slashes; a file name keeps the rest.
        let label: String = framework
            .version
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let file = format!("framework-{}-v{label}", framework.id);
        Ok((file, framework.to_doc()))
    })
    .await
    .map_err(AppError::from)
}

pub async fn new_version(
    Admin(admin): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (id, actor, ip) = (id.into_inner(), admin.id(), client_ip(&req));
    let new_id = db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let new_id = db::frameworks::new_version(conn, id)?;
                let event = NewEvent::new("framework.new_version")
                    .by(Some(actor))
                    .on("framework", new_id)
                    .from_ip(ip)
                    .detail(format!("from {id}"));
                db::audit::record(conn, &event)?;
                Ok::<_, db::WriteError>(new_id)
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/admin/frameworks/{new_id}?done=versioned"
    )))
}
