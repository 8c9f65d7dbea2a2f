//! The district's settings (administrators): the teacher field on the
//! capture form and the rules that propose action items.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::{see_other, unprocessable};
use crate::auth::extract::client_ip;
use crate::auth::Admin;
use crate::db::audit::NewEvent;
use crate::db::settings::Settings;
use crate::db::{self, Db};
use crate::domain::action_item::Rules;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::views;

pub async fn show(
    Admin(user): Admin,
    db: web::Data<Db>,
    done: web::Query<super::DoneQuery>,
) -> Result<Markup, AppError> {
    let settings = db.run(db::settings::find).await?;
    Ok(views::settings::page(
        &user.ctx(),
        &views::settings::SettingsForm::of(&settings),
        &FieldErrors::new(),
        done.done.is_some(),
    ))
}

fn number(
    fields: &HashMap<String, String>,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
    errors: &mut FieldErrors,
) -> i64 {
    let raw = fields.get(name).map(|v| v.trim()).unwrap_or("");
    match raw.parse::<i64>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            errors.add(
                name,
                format!(
                    "Enter a whole number from {} to {}.",
                    range.start(),
                    range.end()
                ),
            );
            0
        }
    }
}

/// Reads the settings form.
pub fn parse(fields: &HashMap<String, String>) -> Result<Settings, FieldErrors> {
    let mut errors = FieldErrors::new();
    let share = number(fields, "weak_share_percent", 1..=100, &mut errors);
    let min = number(fields, "weak_min_snapshots", 1..=1000, &mut errors);
    let department_days = number(fields, "department_due_days", 1..=365, &mut errors);
    let school_days = number(fields, "school_due_days", 1..=365, &mut errors);
    let due_soon_days = number(fields, "due_soon_days", 1..=60, &mut errors);
    let zone = fields.get("time_zone").map(|v| v.trim()).unwrap_or("");
    let time_zone = match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => tz,
        Err(_) => {
            errors.add(
                "time_zone",
                "Enter a time zone by its IANA name, such as America/Chicago or Europe/London.",
            );
            chrono_tz::UTC
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Settings {
        teacher_field: fields.get("teacher_field").is_some_and(|v| v == "on"),
        due_soon_days,
        time_zone,
        rules: Rules {
            weak_share_percent: share as u32,
            min_snapshots: min as u32,
            department_due_days: department_days,
            school_due_days: school_days,
        },
    })
}

pub async fn save(
    Admin(user): Admin,
    req: HttpRequest,
    db: web::Data<Db>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let settings = match parse(&fields) {
        Ok(settings) => settings,
        Err(errors) => {
            return Ok(unprocessable(views::settings::page(
                &user.ctx(),
                &views::settings::SettingsForm::from_fields(&fields),
                &errors,
                false,
            )))
        }
    };
    let (actor, ip) = (user.id(), client_ip(&req));
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            db::settings::save(conn, &settings)?;
            db::audit::record(
                conn,
                &NewEvent::new("settings.updated")
                    .by(Some(actor))
                    .from_ip(ip)
                    .detail(format!("{settings:?}")),
            )
        })
    })
    .await?;
    Ok(see_other("/admin/settings?done=updated"))
}
