//! The audit log, for administrators.

use actix_web::web;
use chrono::NaiveDate;
use maud::Markup;

use crate::auth::Admin;
use crate::db::{self, Db};
use crate::domain::paging::PageRequest;
use crate::error::AppError;
use crate::views;

pub use crate::domain::forms::AuditQuery;

impl AuditQuery {
    pub fn filter(&self) -> Result<db::audit::Filter, AppError> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let id = |s: &str, what: &str| -> Result<Option<i64>, AppError> {
            match text(s) {
                None => Ok(None),
                Some(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::bad_request(format!("The {what} must be a number."))),
            }
        };
        let day = |s: &str| -> Result<Option<NaiveDate>, AppError> {
            match text(s) {
                None => Ok(None),
                Some(v) => NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                    .map_err(|_| "Write dates as YYYY-MM-DD, for example 2026-11-23.".to_owned())
                    .and_then(crate::domain::fields::calendar_day)
                    .map(Some)
                    .map_err(AppError::bad_request),
            }
        };
        Ok(db::audit::Filter {
            action: text(&self.action).map(|a| a.to_lowercase()),
            actor_id: id(&self.actor, "actor")?,
            record_type: text(&self.record_type).map(|a| a.to_lowercase()),
            record_id: id(&self.record_id, "record id")?,
            from: day(&self.from)?.and_then(|d| d.and_hms_opt(0, 0, 0)),
            until: day(&self.to)?
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0)),
        })
    }
}

pub async fn list(
    Admin(admin): Admin,
    db: web::Data<Db>,
    query: web::Query<AuditQuery>,
) -> Result<Markup, AppError> {
    let filter = query.filter()?;
    let page_request = PageRequest::new(query.page, Some(100));
    let page = db
        .run(move |conn| db::audit::list(conn, &filter, page_request))
        .await?;
    Ok(views::audit::list(&admin.ctx(), &page, &query))
}
