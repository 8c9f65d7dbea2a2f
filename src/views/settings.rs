//! The district settings page.

use std::collections::HashMap;

use maud::{html, Markup};

use super::{checkbox, csrf_field, error_summary, Ctx, Section, TextField};
use crate::domain::read::settings::Settings;
use crate::domain::FieldErrors;

/// The settings form as typed.
#[derive(Debug, Clone, Default)]
pub struct SettingsForm {
    pub teacher_field: bool,
    pub weak_share_percent: String,
    pub weak_min_snapshots: String,
    pub department_due_days: String,
    pub school_due_days: String,
    pub due_soon_days: String,
    pub time_zone: String,
}

impl SettingsForm {
    pub fn of(settings: &Settings) -> Self {
        Self {
            teacher_field: settings.teacher_field,
            weak_share_percent: settings.rules.weak_share_percent.to_string(),
            weak_min_snapshots: settings.rules.min_snapshots.to_string(),
            department_due_days: settings.rules.department_due_days.to_string(),
            school_due_days: settings.rules.school_due_days.to_string(),
            due_soon_days: settings.due_soon_days.to_string(),
            time_zone: settings.time_zone.name().to_owned(),
        }
    }

    pub fn from_fields(fields: &HashMap<String, String>) -> Self {
        let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
        Self {
            teacher_field: fields.get("teacher_field").is_some_and(|v| v == "on"),
            weak_share_percent: get("weak_share_percent"),
            weak_min_snapshots: get("weak_min_snapshots"),
            department_due_days: get("department_due_days"),
            school_due_days: get("school_due_days"),
            due_soon_days: get("due_soon_days"),
            time_zone: get("time_zone"),
        }
    }
}

pub fn page(ctx: &Ctx, form: &SettingsForm, errors: &FieldErrors, saved: bool) -> Markup {
    super::page(
        ctx,
        "District settings",
        Section::Settings,
        html! {
            h1 { "District settings" }
            @if saved { p.notice role="status" { "The settings were saved." } }
            (error_summary(errors))
            form.stacked method="post" action="/admin/settings" novalidate {
                (csrf_field(ctx))
                h2 { "Capture" }
                (checkbox("teacher_field", "Record the teacher's name with each observation", form.teacher_field))
                h2 { "Proposed action items" }
                (TextField::new("weak_share_percent", "A look-for is weak when fully observed in less than this share of snapshots (%)", &form.weak_share_percent).kind("number").show(errors))
                (TextField::new("weak_min_snapshots", "…and it applied in at least this many snapshots", &form.weak_min_snapshots).kind("number").show(errors))
                (TextField::new("department_due_days", "Department items are due after (days)", &form.department_due_days).kind("number").show(errors))
                (TextField::new("school_due_days", "School action steps are due after (days)", &form.school_due_days).kind("number").show(errors))
                h2 { "Reminders" }
                (TextField::new("due_soon_days", "Remind owners this many days before an item is due", &form.due_soon_days).kind("number").show(errors))
                (TextField::new("time_zone", "The district's time zone (e.g. America/Chicago): its days decide reminders and the Monday digest", &form.time_zone).show(errors))
                div.actions { button type="submit" { "Save the settings" } }
            }
        },
    )
}
