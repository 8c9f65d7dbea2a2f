//! Action item pages: a visit's items in review and after, one item with its
//! history, and the lists (mine, a school's, a department's).

use std::collections::HashMap;

use chrono::NaiveDate;
use maud::{html, Markup};

use super::{csrf_field, error_summary, notice, page, select_field, Ctx, Section, TextField};
use crate::domain::action_item::{Check, Priority, Status};
use crate::domain::read::items::{Item, Update};
use crate::domain::read::visits::Visit;
use crate::domain::user::Link;
use crate::domain::FieldErrors;

/// The item form as typed (add, review edit, or update).
#[derive(Debug, Clone)]
pub struct ItemForm {
    pub title: String,
    pub evidence: String,
    pub department: String,
    pub owner: String,
    pub due_on: String,
    pub priority: String,
    pub status: String,
    pub reason: String,
    pub note: String,
    pub version: String,
}

impl Default for ItemForm {
    /// A new item: normal priority, like a proposal.
    fn default() -> Self {
        Self {
            title: String::new(),
            evidence: String::new(),
            department: String::new(),
            owner: String::new(),
            due_on: String::new(),
            priority: Priority::Normal.as_str().to_owned(),
            status: String::new(),
            reason: String::new(),
            note: String::new(),
            version: String::new(),
        }
    }
}

impl ItemForm {
    pub fn from_fields(fields: &HashMap<String, String>) -> Self {
        let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
        Self {
            title: get("title"),
            evidence: get("evidence"),
            department: get("department"),
            owner: get("owner"),
            due_on: get("due_on"),
            priority: fields
                .get("priority")
                .cloned()
                .unwrap_or_else(|| "normal".to_owned()),
            status: get("status"),
            reason: get("reason"),
            note: get("note"),
            version: get("version"),
        }
    }

    pub fn of(item: &Item) -> Self {
        Self {
            title: item.title.clone(),
            evidence: item.evidence.clone(),
            department: item
                .department
                .as_ref()
                .map(|d| d.id.to_string())
                .unwrap_or_default(),
            owner: item
                .owner
                .as_ref()
                .map(|o| o.id.to_string())
                .unwrap_or_default(),
            due_on: item.due_on.map(|d| d.to_string()).unwrap_or_default(),
            priority: item.priority.as_str().to_owned(),
            status: item.status.as_str().to_owned(),
            reason: item.reason.clone(),
            note: String::new(),
            version: item.version.to_string(),
        }
    }
}

pub struct VisitItemsPage {
    pub visit: Visit,
    pub items: Vec<Item>,
    pub departments: Vec<Link>,
    pub can_review: bool,
    pub can_publish: bool,
}

pub struct ItemPage {
    pub item: Item,
    pub history: Vec<Update>,
    pub checks: Vec<(NaiveDate, Check, String)>,
    pub owners: Vec<Link>,
    pub can_change: bool,
    /// The item's visit is still reviewed: title and evidence are editable.
    pub review: bool,
    /// The offerings and sessions it is linked to.
    pub learning: Vec<crate::domain::read::learning::ItemLearning>,
    /// Offerings addressing its look-fors, with their upcoming sessions.
    pub suggestions: Vec<crate::domain::read::learning::Suggestion>,
}

pub struct ListPage {
    pub title: String,
    pub base: String,
    pub items: Vec<Item>,
    pub schools: Vec<Link>,
    pub query_school: String,
    pub query_status: String,
    pub overdue: bool,
    pub today: NaiveDate,
    pub show_campus_filter: bool,
}

/// The status in words (never colour alone), with "overdue" when it is.
pub fn status_badge(item: &Item, today: NaiveDate) -> Markup {
    html! {
        span class={ "status item-" (item.status.as_str()) } { (item.status.label()) }
        @if item.is_overdue(today) { " " span.status.overdue { "Overdue" } }
    }
}

fn whose(item: &Item) -> String {
    match &item.department {
        Some(d) => d.name.clone(),
        None => "School".to_owned(),
    }
}

fn done_message(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "generated" => {
            "Action items were proposed from the evidence. Items you edited were left as they were."
        }
        "added" => "The item was added.",
        "merged" => "The items were merged.",
        "published" => {
            "The visit is published: its items are open and their owners can work on them."
        }
        _ => return None,
    })
}

/// A table of items, with their campus when `show_campus`.
pub fn table(items: &[Item], today: NaiveDate, caption: &str, show_campus: bool) -> Markup {
    html! {
        @if items.is_empty() { p { "No items." } }
        @else {
            div.table-wrap tabindex="0" role="region" aria-label=(caption) {
                table {
                    caption { (caption) }
                    thead { tr {
                        th scope="col" { "Item" }
                        @if show_campus { th scope="col" { "Campus" } }
                        th scope="col" { "Whose" }
                        th scope="col" { "Status" }
                        th scope="col" { "Owner" }
                        th scope="col" { "Due" }
                        th scope="col" { "Priority" }
                    } }
                    tbody {
                        @for item in items {
                            tr {
                                td { a href={ "/items/" (item.id) } { (item.title) } }
                                @if show_campus { td { (item.school.name) br; span.hint { "visit of " (item.visit_date) } } }
                                td { (whose(item)) }
                                td { (status_badge(item, today)) }
                                td { (item.owner.as_ref().map(|o| o.name.as_str()).unwrap_or("—")) }
                                td { (item.due_on.map(|d| d.to_string()).unwrap_or_else(|| "—".to_owned())) }
                                td { (item.priority.label()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn priority_choices() -> Vec<(String, String)> {
    Priority::ALL
        .iter()
        .map(|p| (p.as_str().to_owned(), p.label().to_owned()))
        .collect()
}

fn textarea(
    name: &str,
    label: &str,
    value: &str,
    errors: &FieldErrors,
    hint: Option<&str>,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(name) { (label) }
            @if let Some(hint) = hint { p.hint id={ (name) "-hint" } { (hint) } }
            @if let Some(error) = error { p.error-message id={ (name) "-error" } { (error) } }
            textarea id=(name) name=(name) rows="4" aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{name}-error"))] { (value) }
        }
    }
}

pub fn for_visit(
    ctx: &Ctx,
    data: &VisitItemsPage,
    form: &ItemForm,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let visit = &data.visit;
    let title = format!("Action items — {}, {}", visit.school.name, visit.date);
    let today = ctx.today;
    let proposals: Vec<&Item> = data
        .items
        .iter()
        .filter(|i| i.status == Status::Proposed)
        .collect();
    let department_choices: Vec<(String, String)> = data
        .departments
        .iter()
        .map(|d| (d.id.to_string(), d.name.clone()))
        .collect();
    page(
        ctx,
        &title,
        Section::Visits,
        html! {
            p { a href={ "/visits/" (visit.id) } { "← The visit" } " · " a href={ "/visits/" (visit.id) "/debrief" } { "The debrief" } }
            h1 { (title) }
            p.lede { "Visit status: " strong { (visit.status.label()) } }
            (notice(done_message(done)))
            (error_summary(errors))
            @if data.can_review {
                form method="post" action={ "/visits/" (visit.id) "/items/generate" } {
                    (csrf_field(ctx))
                    p.hint { "Proposes items from the observations and the debrief's problems of practice. Items a person edited are never overwritten." }
                    button type="submit" { "Propose items from the evidence" }
                }
            }
            h2 { "School action steps" }
            (table(&data.items.iter().filter(|i| i.department.is_none()).cloned().collect::<Vec<_>>(), today, "The school's own steps", false))
            h2 { "Department items" }
            (table(&data.items.iter().filter(|i| i.department.is_some()).cloned().collect::<Vec<_>>(), today, "Each department's items", false))
            @if data.can_review && proposals.len() > 1 {
                h2 { "Merge two proposals" }
                form.stacked method="post" action={ "/visits/" (visit.id) "/items/merge" } {
                    (csrf_field(ctx))
                    @let choices: Vec<(String, String)> = proposals.iter().map(|i| (i.id.to_string(), i.title.clone())).collect();
                    (select_field("into", "Keep this item", "", &choices, Some("Choose…"), false, errors))
                    (select_field("from", "and fold this one into it", "", &choices, Some("Choose…"), false, errors))
                    div.actions { button type="submit" { "Merge" } }
                }
            }
            @if data.can_review {
                h2 { "Add an item" }
                form.stacked method="post" action={ "/visits/" (visit.id) "/items" } novalidate {
                    (csrf_field(ctx))
                    (TextField::new("title", "What needs doing", &form.title).show(errors))
                    (textarea("evidence", "Evidence (optional)", &form.evidence, errors, None))
                    (select_field("department", "Department", &form.department, &department_choices, Some("None — a school action step"), true, errors))
                    (TextField::new("due_on", "Due", &form.due_on).kind("date").optional().hint("Left empty: the district's usual time for its kind after the visit.").show(errors))
                    (select_field("priority", "Priority", &form.priority, &priority_choices(), None, false, errors))
                    p.hint { "Its owner is proposed like a generated item's: the department's head, or the school's leader for a school action step." }
                    div.actions { button type="submit" { "Add the item" } }
                }
            }
            @if data.can_publish {
                h2 { "Publish" }
                form method="post" action={ "/visits/" (visit.id) "/publish" } {
                    (csrf_field(ctx))
                    p { (super::count(proposals.len(), "proposed item", "proposed items")) " will open and the visit will be published." }
                    button type="submit" { "Publish the visit's items" }
                }
            }
        },
    )
}

pub fn show(
    ctx: &Ctx,
    data: &ItemPage,
    form: &ItemForm,
    errors: &FieldErrors,
    conflict: Option<&str>,
    done: Option<&str>,
) -> Markup {
    let item = &data.item;
    let today = ctx.today;
    let statuses: Vec<(String, String)> = {
        let allowed: &[Status] = if data.review {
            &Status::REVIEW_CHOICES
        } else {
            &Status::OWNER_CHOICES
        };
        let mut list: Vec<Status> = vec![item.status];
        list.extend(allowed.iter().copied().filter(|s| *s != item.status));
        list.iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
            .collect()
    };
    let owners: Vec<(String, String)> = data
        .owners
        .iter()
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    page(
        ctx,
        &item.title,
        Section::Visits,
        html! {
            p { a href={ "/visits/" (item.visit_id) "/items" } { "← The visit's items" } }
            h1 { (item.title) }
            (notice(done.map(|_| "The item was saved.")))
            @if let Some(conflict) = conflict { div.error-summary role="alert" tabindex="-1" { p { (conflict) } } }
            (error_summary(errors))
            dl.facts {
                dt { "Campus" } dd { (item.school.name) ", visit of " (item.visit_date) }
                dt { "Whose" } dd { (whose(item)) }
                dt { "Status" } dd { (status_badge(item, today)) @if !item.reason.is_empty() { " — " (item.reason) } }
                dt { "Owner" } dd { (item.owner.as_ref().map(|o| o.name.as_str()).unwrap_or("Nobody yet")) }
                dt { "Due" } dd { (item.due_on.map(|d| d.to_string()).unwrap_or_else(|| "No date".to_owned())) }
                dt { "Priority" } dd { (item.priority.label()) }
            }
            h2 { "Evidence" }
            @if item.evidence.is_empty() { p { "None recorded." } }
            @else { ul { @for line in item.evidence.lines() { li { (line) } } } }
            @if !item.look_fors.is_empty() {
                p { "Look-fors: " @for (n, l) in item.look_fors.iter().enumerate() { @if n > 0 { "; " } (l.code) " " (l.title) } }
                @let entry_points = item.entry_points();
                @if !entry_points.is_empty() {
                    h2 { "Entry points for teachers" }
                    ul.entry-points { @for (code, entry_point) in &entry_points { li { strong { (code) } ": " (entry_point) } } }
                }
                p { a href={ "/visits/" (item.visit_id) "/debrief" } { "The snapshots behind it, in the visit's debrief" } }
            }
            (learning_section(ctx, data))
            @if !data.checks.is_empty() {
                h2 { "Checked at later visits" }
                ul { @for (date, check, note) in &data.checks { li { (date) ": " strong { (check.label()) } @if !note.is_empty() { " — " (note) } } } }
            }
            @if data.can_change {
                h2 { "Update" }
                form.stacked method="post" action={ "/items/" (item.id) } novalidate {
                    (csrf_field(ctx))
                    input type="hidden" name="version" value=(form.version);
                    @if data.review {
                        (TextField::new("title", "What needs doing", &form.title).show(errors))
                        (textarea("evidence", "Evidence", &form.evidence, errors, None))
                    }
                    (select_field("status", "Status", &form.status, &statuses, None, false, errors))
                    (TextField::new("reason", "Reason (needed when blocked or dropped)", &form.reason).show(errors))
                    (select_field("owner", "Owner", &form.owner, &owners, Some("Nobody yet"), true, errors))
                    (TextField::new("due_on", "Due", &form.due_on).kind("date").optional().show(errors))
                    (select_field("priority", "Priority", &form.priority, &priority_choices(), None, false, errors))
                    (textarea("note", "Note (optional)", &form.note, errors, Some("Kept in the item's history.")))
                    div.actions { button type="submit" { "Save" } }
                }
            }
            h2 { "History" }
            ol.history {
                @for update in data.history.iter().rev() {
                    li {
                        strong { (update.change) }
                        " — " (update.author.as_deref().unwrap_or("the system")) ", " (update.at.format("%Y-%m-%d %H:%M UTC"))
                        @if !update.note.is_empty() { br; (update.note) }
                    }
                }
            }
        },
    )
}

pub fn list(ctx: &Ctx, data: &ListPage) -> Markup {
    let statuses: Vec<(String, String)> = Status::ALL
        .iter()
        .filter(|s| **s != Status::Proposed)
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    let schools: Vec<(String, String)> = data
        .schools
        .iter()
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect();
    let mut query = Vec::new();
    if !data.query_school.is_empty() {
        query.push(format!("school={}", super::query_value(&data.query_school)));
    }
    if !data.query_status.is_empty() {
        query.push(format!("status={}", super::query_value(&data.query_status)));
    }
    if data.overdue {
        query.push("overdue=on".to_owned());
    }
    query.push("format=csv".to_owned());
    let none = FieldErrors::new();
    page(
        ctx,
        &data.title,
        Section::Items,
        html! {
            h1 { (data.title) }
            form.filters method="get" action=(data.base) {
                @if data.show_campus_filter {
                    (select_field("school", "Campus", &data.query_school, &schools, Some("Every campus"), false, &none))
                }
                (select_field("status", "Status", &data.query_status, &statuses, Some("Any status"), false, &none))
                div.field { label.check for="overdue" { input type="checkbox" id="overdue" name="overdue" value="on" checked[data.overdue]; "Overdue only" } }
                div.actions { button type="submit" { "Show" } }
            }
            p { a href={ (data.base) "?" (query.join("&")) } { "Download these items as CSV" } }
            (table(&data.items, data.today, &format!("{}, by due date", super::count(data.items.len(), "item", "items")), data.show_campus_filter))
        },
    )
}

/// Items from earlier visits to the campus, on a later visit's debrief,
/// each with a form to record what the team found.
pub fn earlier(
    ctx: &Ctx,
    visit_id: i64,
    items: &[(Item, Option<(Check, String)>)],
    can_check: bool,
) -> Markup {
    let today = ctx.today;
    html! {
        h2 id="earlier-items" { "Items from earlier visits" }
        @if items.is_empty() { p { "No open items from earlier visits to this campus." } }
        @for (item, check) in items {
            section.earlier-item {
                h3 { a href={ "/items/" (item.id) } { (item.title) } }
                p { (whose(item)) " · visit of " (item.visit_date) " · " (status_badge(item, today)) }
                @if let Some((check, note)) = check { p { "Checked at this visit: " strong { (check.label()) } @if !note.is_empty() { " — " (note) } } }
                @if can_check {
                    form.stacked method="post" action={ "/visits/" (visit_id) "/checks/" (item.id) } {
                        (csrf_field(ctx))
                        fieldset.choices {
                            legend { "What the team found" }
                            div.options {
                                @for option in Check::ALL {
                                    label.choice {
                                        input type="radio" name="result" value=(option.as_str()) checked[check.as_ref().is_some_and(|c| c.0 == option)] required;
                                        span { (option.label()) }
                                    }
                                }
                            }
                        }
                        div.field {
                            label for={ "note-" (item.id) } { "Note (optional)" }
                            textarea id={ "note-" (item.id) } name="note" rows="2" { (check.as_ref().map(|c| c.1.as_str()).unwrap_or("")) }
                        }
                        div.actions { button type="submit" { "Record the check" } }
                    }
                }
            }
        }
    }
}

/// The learning an item sends its campus to, and what the catalogue
/// offers for its look-fors.
fn learning_section(ctx: &Ctx, data: &ItemPage) -> Markup {
    use crate::views::learning::{seats, when};
    let item = &data.item;
    let linked: std::collections::BTreeSet<i64> =
        data.learning.iter().map(|l| l.offering.id).collect();
    html! {
        section #learning aria-labelledby="learning-heading" {
            h2 #learning-heading { "Professional learning" }
            @if data.learning.is_empty() { p { "Not linked to any offering." } }
            @else {
                ul {
                    @for l in &data.learning {
                        li {
                            a href={ "/learning/offerings/" (l.offering.id) } { (l.offering.name) }
                            @if let Some(s) = &l.session {
                                ": " a href={ "/learning/sessions/" (s.id) } { (when(s)) } " at " (s.place) " — " (seats(s))
                            } @else { " (no session chosen yet)" }
                            @if data.can_change {
                                " "
                                form.inline method="post" action={ "/items/" (item.id) "/learning/" (l.offering.id) "/remove" } {
                                    (csrf_field(ctx))
                                    button.link type="submit" { "Remove the link" span.visually-hidden { " to " (l.offering.name) } }
                                }
                            }
                        }
                    }
                }
            }
            @if data.can_change && !data.suggestions.is_empty() {
                h3 { "Learning for its look-fors" }
                @for suggestion in &data.suggestions {
                    div.suggestion {
                        p {
                            strong { a href={ "/learning/offerings/" (suggestion.offering.id) } { (suggestion.offering.title) } }
                            " — " (suggestion.offering.department.name) ", " (suggestion.offering.format.label()) ", for " (suggestion.offering.look_fors.join(", "))
                        }
                        @if suggestion.sessions.is_empty() {
                            @if !linked.contains(&suggestion.offering.id) {
                                form.inline method="post" action={ "/items/" (item.id) "/learning" } {
                                    (csrf_field(ctx))
                                    input type="hidden" name="offering_id" value=(suggestion.offering.id);
                                    button.secondary type="submit" { "Link to this offering" }
                                }
                            }
                        } @else {
                            ul {
                                @for s in &suggestion.sessions {
                                    li {
                                        (when(s)) ", " (s.place) " — " (seats(s)) " "
                                        form.inline method="post" action={ "/items/" (item.id) "/learning" } {
                                            (csrf_field(ctx))
                                            input type="hidden" name="session_id" value=(s.id);
                                            button.secondary type="submit" { "Link to this session" span.visually-hidden { " of " (when(s)) } }
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
}
