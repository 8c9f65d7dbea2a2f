//! The campus's response on the debrief page and in the report: its
//! agreement, context and needs; the campus's steps and their
//! acknowledgements; the form its leaders write it in.

use std::collections::HashMap;

use maud::{html, Markup};

use super::{csrf_field, error_summary, select_field, Ctx};
use crate::domain::read::debriefs::{Acknowledgement, CampusResponse};
use crate::domain::read::items::Item;
use crate::domain::response::Agreement;
use crate::domain::user::Link;
use crate::domain::FieldErrors;

/// Blank need rows offered below the written ones.
pub const BLANK_NEEDS: usize = 2;

/// What the debrief page shows of the campus's voice.
#[derive(Debug, Clone, Default)]
pub struct ResponsePart {
    pub response: Option<CampusResponse>,
    /// The visit's published action steps for the campus.
    pub steps: Vec<Item>,
    pub acknowledgements: HashMap<i64, Acknowledgement>,
    /// The campus's leaders (and administrators) while the visit is published.
    pub may_respond: bool,
    /// The planners, who make items of the campus's needs.
    pub may_add_items: bool,
    /// The form as typed (or as recorded), when the person may respond.
    pub form: Option<ResponseForm>,
    pub errors: FieldErrors,
}

/// The response form as typed: needs are `need_<n>` with `need_<n>_dept`.
#[derive(Debug, Clone, Default)]
pub struct ResponseForm {
    pub agreement: String,
    pub context: String,
    pub needs: Vec<(String, String)>,
    /// The version the form was read at ("" for a first response).
    pub version: String,
}

impl ResponseForm {
    /// The recorded response (needs already made into items are not
    /// edited), with blank need rows.
    pub fn of(response: Option<&CampusResponse>) -> Self {
        let mut form = match response {
            None => Self::default(),
            Some(r) => Self {
                agreement: r.agreement.as_str().to_owned(),
                context: r.context.clone(),
                needs: r
                    .needs
                    .iter()
                    .filter(|n| n.item_id.is_none())
                    .map(|n| (n.department.id.to_string(), n.need.clone()))
                    .collect(),
                version: r.version.to_string(),
            },
        };
        form.needs.extend(std::iter::repeat_n(
            (String::new(), String::new()),
            BLANK_NEEDS,
        ));
        form
    }

    pub fn from_fields(fields: &HashMap<String, String>) -> Self {
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let mut needs = Vec::new();
        for n in 0..crate::domain::response::MAX_NEEDS + BLANK_NEEDS {
            let (text, dept) = (format!("need_{n}"), format!("need_{n}_dept"));
            if !fields.contains_key(&text) && !fields.contains_key(&dept) {
                break;
            }
            needs.push((get(&dept), get(&text)));
        }
        Self {
            agreement: get("agreement"),
            context: get("context"),
            needs,
            version: get("version"),
        }
    }

    /// The needs as (department, words), for parsing.
    pub fn needs(&self) -> Vec<(Option<i64>, String)> {
        self.needs
            .iter()
            .map(|(dept, text)| (dept.trim().parse().ok(), text.clone()))
            .collect()
    }
}

fn when(at: chrono::NaiveDateTime) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// The response as recorded, for the debrief page and the report.
pub fn recorded(response: &CampusResponse) -> Markup {
    html! {
        p { strong { (response.agreement.label()) } }
        p.hint {
            "Written by " (response.author.as_ref().map(|a| a.name.as_str()).unwrap_or("—"))
            ", " (when(response.updated_at))
            @if response.version > 1 { " (revision " (response.version) ")" }
        }
        @if !response.context.is_empty() { h3 { "Context" } p.pre { (response.context) } }
        @if !response.needs.is_empty() {
            h3 { "What the campus needs" }
            ul { @for need in &response.needs {
                li {
                    strong { (need.department.name) } ": " (need.need)
                    @if let Some(item) = need.item_id { " — " a href={ "/items/" (item) } { "action item" } }
                }
            } }
        }
    }
}

/// "Acknowledged by … on …", or that it is not yet.
pub fn acknowledgement(ack: Option<&Acknowledgement>) -> Markup {
    html! {
        @match ack {
            Some(a) => { span.status.acknowledged { "Acknowledged" } " by " (a.by) ", " (when(a.at)) }
            None => { span.status { "Not acknowledged yet" } }
        }
    }
}

/// The campus's part of the debrief page, from publication on.
pub fn section(ctx: &Ctx, visit_id: i64, part: &ResponsePart, departments: &[Link]) -> Markup {
    html! {
        section #campus-response aria-labelledby="campus-response-heading" {
            h2 #campus-response-heading { "The campus's response" }
            (error_summary(&part.errors))
            @match &part.response {
                Some(response) => (recorded(response)),
                None => p { "The campus has not responded yet." },
            }
            @if part.may_add_items {
                @let open: Vec<_> = part.response.iter().flat_map(|r| &r.needs).filter(|n| n.item_id.is_none()).collect();
                @for need in open {
                    form.inline method="post" action={ "/visits/" (visit_id) "/response/needs/" (need.id) "/item" } {
                        (csrf_field(ctx))
                        button.secondary type="submit" { "Make an item for " (need.department.name) span.visually-hidden { ": " (need.need) } }
                    }
                }
            }
            h3 { "The campus's action steps" }
            @if part.steps.is_empty() { p { "This visit left the campus no action steps." } }
            ul.steps {
                @for step in &part.steps {
                    li {
                        a href={ "/items/" (step.id) } { (step.title) } " · " (acknowledgement(part.acknowledgements.get(&step.id)))
                        @if part.may_respond && !part.acknowledgements.contains_key(&step.id) {
                            form.inline method="post" action={ "/visits/" (visit_id) "/steps/" (step.id) "/acknowledge" } {
                                (csrf_field(ctx))
                                button type="submit" { "Acknowledge" span.visually-hidden { ": " (step.title) } }
                            }
                        }
                    }
                }
            }
            @if let Some(form) = &part.form { (response_form(ctx, visit_id, form, departments, &part.errors, part.response.is_some())) }
        }
    }
}

fn response_form(
    ctx: &Ctx,
    visit_id: i64,
    form: &ResponseForm,
    departments: &[Link],
    errors: &FieldErrors,
    revising: bool,
) -> Markup {
    let choices: Vec<(String, String)> = departments
        .iter()
        .map(|d| (d.id.to_string(), d.name.clone()))
        .collect();
    let agreement_error = errors.get("agreement");
    let context_error = errors.get("context");
    html! {
        h3 { @if revising { "Revise the campus's response" } @else { "Respond for the campus" } }
        form.stacked method="post" action={ "/visits/" (visit_id) "/response" } novalidate {
            (csrf_field(ctx))
            input type="hidden" name="version" value=(form.version);
            fieldset.choices.invalid[agreement_error.is_some()] {
                legend { "Does the campus agree with the debrief?" }
                @if let Some(error) = agreement_error { p.error-message #agreement-error { (error) } }
                div.options {
                    @for option in Agreement::ALL {
                        label.choice {
                            input type="radio" name="agreement" value=(option.as_str()) checked[form.agreement == option.as_str()];
                            span { (option.label()) }
                        }
                    }
                }
            }
            div.field.invalid[context_error.is_some()] {
                label for="context" { "Context" }
                p.hint #context-hint { "What the team could not see in a day; where the campus sees it differently, and why." }
                @if let Some(error) = context_error { p.error-message #context-error { (error) } }
                textarea #context name="context" rows="5" aria-describedby="context-hint" aria-invalid=[context_error.map(|_| "true")] { (form.context) }
            }
            @for (n, (dept, need)) in form.needs.iter().enumerate() {
                @let name = format!("need_{n}");
                fieldset {
                    legend { "Need " (n + 1) }
                    (select_field(&format!("{name}_dept"), "From which department", dept, &choices, Some("Choose a department"), false, errors))
                    div.field.invalid[errors.get(&name).is_some()] {
                        label for=(name) { "What the campus needs" }
                        @if let Some(error) = errors.get(&name) { p.error-message id={ (name) "-error" } { (error) } }
                        textarea id=(name) name=(name) rows="2" { (need) }
                    }
                }
            }
            div.actions { button type="submit" { @if revising { "Save the revision" } @else { "Send the response" } } }
        }
    }
}
