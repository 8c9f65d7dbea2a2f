//! The capture page: one snapshot at a time, big targets, evidence first.

use std::collections::HashMap;

use maud::{html, Markup};

use super::{csrf_field, error_summary, page, Ctx, Section};
use crate::domain::observation::{Setting, Tick};
use crate::domain::read::frameworks::Framework;
use crate::domain::read::observations::Observation;
use crate::domain::read::visits::Visit;
use crate::domain::FieldErrors;

fn text_input(
    name: &str,
    label: &str,
    fields: &HashMap<String, String>,
    errors: &FieldErrors,
    kind: &str,
) -> Markup {
    let value = fields.get(name).map(String::as_str).unwrap_or("");
    let error = errors.get(name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(name) { (label) " (optional)" }
            @if let Some(error) = error { p.error-message id={ (name) "-error" } { (error) } }
            input type=(kind) id=(name) name=(name) value=(value) autocomplete="off"
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{name}-error"))];
        }
    }
}

/// A group of large radio buttons; `name` is the field, `options` (value, label).
fn choices(
    name: &str,
    legend: &Markup,
    options: &[(&str, &str)],
    selected: Option<&str>,
    error: Option<&str>,
) -> Markup {
    html! {
        fieldset.choices id=(name) aria-describedby=[error.map(|_| format!("{name}-error"))] {
            legend { (legend) }
            @if let Some(error) = error { p.error-message id={ (name) "-error" } { (error) } }
            div.options {
                @for (value, label) in options {
                    label.choice {
                        input type="radio" name=(name) value=(value) checked[selected == Some(*value)];
                        span { (label) }
                    }
                }
            }
        }
    }
}

/// Whether the capture page records a new snapshot or edits one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `saved`: the previous snapshot was just stored.
    New {
        saved: bool,
    },
    Edit(i64),
}

pub fn capture(
    ctx: &Ctx,
    visit: &Visit,
    framework: Option<&Framework>,
    fields: &HashMap<String, String>,
    errors: &FieldErrors,
    mode: Mode,
    teacher_field: bool,
) -> Markup {
    let (saved, editing) = match mode {
        Mode::New { saved } => (saved, None),
        Mode::Edit(id) => (false, Some(id)),
    };
    let title = match editing {
        Some(_) => format!("Edit your observation — {}", visit.school.name),
        None => format!("Observe — {}", visit.school.name),
    };
    let action = match editing {
        Some(id) => format!("/visits/{}/observations/{id}", visit.id),
        None => format!("/visits/{}/observations", visit.id),
    };
    let settings: Vec<(&str, &str)> = Setting::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect();
    let ticks: Vec<(&str, &str)> = Tick::ALL.iter().map(|t| (t.as_str(), t.label())).collect();
    let ratings = [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")];
    page(
        ctx,
        &title,
        Section::Visits,
        html! {
            p { a href={ "/visits/" (visit.id) } { "← The visit" } }
            h1 { (title) }
            @if saved { p.notice role="status" { "Observation saved. The form is ready for the next one." } }
            (error_summary(errors))
            @match framework {
                None => p { "This visit has no look-for framework yet; its lead chooses one on the visit's page." },
                Some(framework) => {
                    @if editing.is_none() {
                        // Filled in by the capture script: observations kept on this device.
                        div.outbox id="outbox" role="status" aria-live="polite" hidden {}
                    }
                    form.capture method="post" action=(action) novalidate
                        data-draft=[(editing.is_none() && errors.is_empty()).then_some("on")]
                        data-outbox=[editing.is_none().then(|| format!("/api/v1/visits/{}/observations", visit.id))]
                        data-user=[ctx.user.as_ref().filter(|_| editing.is_none()).map(|u| u.id)] {
                        (csrf_field(ctx))
                        @if editing.is_none() {
                            input type="hidden" name="idempotency_key" value=(fields.get("idempotency_key").map(String::as_str).unwrap_or(""));
                        }
                        (choices("setting", &html! { "Setting" }, &settings, fields.get("setting").map(String::as_str), errors.get("setting")))
                        div.context {
                            (text_input("room", "Room", fields, errors, "text"))
                            (text_input("grade_band", "Grade band", fields, errors, "text"))
                            (text_input("subject", "Subject", fields, errors, "text"))
                            (text_input("started_at", "Start time", fields, errors, "time"))
                            @if teacher_field { (text_input("teacher", "Teacher", fields, errors, "text")) }
                        }
                        @for domain in &framework.domains {
                            h2 { (domain.name) }
                            @for indicator in &domain.indicators {
                                @let name = format!("tick_{}", indicator.id);
                                div data-code=(indicator.code) {
                                    (choices(&name, &html! { (indicator.code) " · " (indicator.title) }, &ticks, fields.get(&name).map(String::as_str), errors.get(&name)))
                                    @if let Some(description) = &indicator.description {
                                        details.look-for-help {
                                            summary { "What to look for" span.visually-hidden { ": " (indicator.code) } }
                                            p { (description) }
                                        }
                                    }
                                }
                            }
                        }
                        (choices("rating", &html! { "Rating (optional)" }, &ratings, fields.get("rating").map(String::as_str), errors.get("rating")))
                        div.field.invalid[errors.get("notes").is_some()] {
                            label for="notes" { "Evidence notes (optional)" }
                            p.hint id="notes-hint" { "What you saw and heard. Teachers are not named." }
                            @if let Some(error) = errors.get("notes") { p.error-message id="notes-error" { (error) } }
                            textarea id="notes" name="notes" rows="6" aria-describedby="notes-hint" { (fields.get("notes").map(String::as_str).unwrap_or("")) }
                        }
                        div.actions { button type="submit" { @if editing.is_some() { "Save changes" } @else { "Save observation" } } }
                    }
                    script src=(crate::views::assets::outbox_script_path()) defer {}
                    script src=(crate::views::assets::capture_script_path()) defer {}
                }
            }
        },
    )
}

/// The team's snapshots of a visit, on the visit page.
pub fn list(observations: &[Observation], visit_id: i64, viewer_id: i64) -> Markup {
    html! {
        @if observations.is_empty() { p { "No observations yet." } }
        @else {
            div.table-wrap tabindex="0" role="region" aria-label="Snapshots recorded" {
                table {
                    caption { (super::count(observations.len(), "observation", "observations")) ", oldest first" }
                    thead { tr { th scope="col" { "Time" } th scope="col" { "Setting" } th scope="col" { "Context" } th scope="col" { "Look-fors ticked" } th scope="col" { "By" } } }
                    tbody {
                        @for o in observations {
                            tr {
                                td { (o.started_at.as_deref().unwrap_or("—")) }
                                td { (o.setting.label()) }
                                td { ([o.room.as_str(), o.grade_band.as_str(), o.subject.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" · ")) }
                                td { (o.ticks.len()) }
                                td {
                                    (o.author)
                                    @if o.author_id == viewer_id {
                                        " · " a href={ "/visits/" (visit_id) "/observations/" (o.id) "/edit" } { "Edit" span.visually-hidden { " your " (o.setting.label().to_lowercase()) " observation" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
