//! Pages for visits and the rotation planner.

use maud::{html, Markup, Render};

use super::{
    checkbox, csrf_field, error_summary, page, pager, select_field, Ctx, Section, TextField,
};
use crate::domain::forms::{PlanQuery, VisitChoices as Choices, VisitForm};
use crate::domain::paging::Page;
use crate::domain::planner::Proposal;
use crate::domain::read::observations::Observation;
use crate::domain::read::visits::{ListItem, Visit};
use crate::domain::visit::{Segment, VisitStatus};
use crate::domain::FieldErrors;

/// A calendar day as people read it, with the machine-readable date.
pub struct Day(pub chrono::NaiveDate);

impl Render for Day {
    fn render(&self) -> Markup {
        html! { time datetime=(self.0) { (self.0.format("%a %-d %B %Y")) } }
    }
}

/// A visit's status in words (never colour alone).
pub struct Status(pub VisitStatus);

impl Render for Status {
    fn render(&self) -> Markup {
        html! { span.status { (self.0.label()) } }
    }
}

pub fn list(ctx: &Ctx, visits: &Page<ListItem>, all: bool, can_plan: bool) -> Markup {
    let base = if all { "/visits?when=all&" } else { "/visits?" };
    page(
        ctx,
        "Visits",
        Section::Visits,
        html! {
            h1 { "Visits" }
            div.actions {
                @if can_plan {
                    a.button href="/visits/new" { "Plan a visit" }
                    a.button.secondary href="/visits/plan" { "Plan the rotation" }
                }
                @if all { a.button.secondary href="/visits" { "Upcoming only" } }
                @else { a.button.secondary href="/visits?when=all" { "Include past visits" } }
            }
            div.table-wrap tabindex="0" role="region" aria-label="Visits" {
                table {
                    caption { @if all { "All visits you can see, newest first" } @else { "Upcoming visits you can see" } }
                    thead { tr { th scope="col" { "Date" } th scope="col" { "Campus" } th scope="col" { "Status" } th scope="col" { "Focus" } } }
                    tbody {
                        @for visit in &visits.items {
                            tr {
                                td { a href={ "/visits/" (visit.id) } { (Day(visit.date)) } }
                                td { (visit.school.name) }
                                td { (Status(visit.status)) }
                                td { (visit.focus) }
                            }
                        }
                        @if visits.items.is_empty() { tr { td colspan="4" { "No visits to show." } } }
                    }
                }
            }
            (pager(visits, base))
        },
    )
}

/// The action items a visit page lists: its own, and the open ones from
/// earlier visits to the campus (on its agenda).
pub struct VisitItems {
    pub own: Vec<crate::domain::read::items::Item>,
    pub earlier: Vec<crate::domain::read::items::Item>,
}

pub fn show(
    ctx: &Ctx,
    visit: &Visit,
    can_plan: bool,
    observations: Option<&[Observation]>,
    viewer_id: i64,
    items: &VisitItems,
) -> Markup {
    let title = format!("{} — {}", visit.school.name, visit.date.format("%-d %B %Y"));
    let today = ctx.today;
    page(
        ctx,
        &title,
        Section::Visits,
        html! {
            p { a href="/visits" { "← All visits" } }
            h1 { (visit.school.name) }
            dl {
                dt { "Date" } dd { (Day(visit.date)) }
                dt { "Status" } dd { (Status(visit.status)) }
                dt { "Lead" } dd { (visit.lead.as_ref().map(|l| l.name.as_str()).unwrap_or("Not set")) }
                dt { "Look-for framework" } dd { (visit.framework.as_ref().map(|f| f.name.as_str()).unwrap_or("Not set")) }
                dt { "Focus" } dd { @if visit.focus.is_empty() { "Not set" } @else { (visit.focus) } }
            }
            h2 { "Team" }
            @if visit.members.is_empty() { p { "No team members yet." } }
            @else {
                ul { @for member in &visit.members { li { (member.name) @if let Some(d) = &member.department { " — " (d) } } } }
            }
            @if let Some(observations) = observations {
                h2 { "Observations" }
                div.actions { a.button href={ "/visits/" (visit.id) "/observe" } { "Record an observation" } }
                (super::observations::list(observations, visit.id, viewer_id))
            }
            p { a.button.secondary href={ "/visits/" (visit.id) "/debrief" } { "The debrief and its evidence" } }
            p { a.button.secondary href={ "/visits/" (visit.id) "/report" } { "Printable report" } }
            h2 { "Agenda" }
            ol { @for segment in Segment::ALL { @if visit.segments.contains(&segment) { li { (segment.label()) } } } }
            h3 { "Open items from earlier visits to this campus" }
            @if items.earlier.is_empty() { p { "None." } }
            @else {
                ul {
                    @for item in &items.earlier {
                        li { a href={ "/items/" (item.id) } { (item.title) } " — visit of " (item.visit_date) ", " (super::items::status_badge(item, today)) }
                    }
                }
            }
            h2 { "Action items" }
            @if items.own.is_empty() { p { "None yet." } }
            @else {
                ul {
                    @for item in &items.own {
                        li { a href={ "/items/" (item.id) } { (item.title) } " — " (super::items::status_badge(item, today)) }
                    }
                }
            }
            p { a.button.secondary href={ "/visits/" (visit.id) "/items" } { "All of the visit's action items" } }
            @if can_plan {
                div.actions {
                    a.button.secondary href={ "/visits/" (visit.id) "/edit" } { "Edit the plan" }
                    @if visit.status.next() == Some(VisitStatus::Published) {
                        a.button href={ "/visits/" (visit.id) "/items" } { "Review and publish the action items" }
                    } @else if let Some(next) = visit.status.next() {
                        form.inline method="post" action={ "/visits/" (visit.id) "/status" } {
                            (csrf_field(ctx))
                            input type="hidden" name="to" value=(next.as_str());
                            button type="submit" { "Mark " (next.label().to_lowercase()) }
                        }
                    }
                }
            }
        },
    )
}

pub fn form(
    ctx: &Ctx,
    visit: Option<&Visit>,
    form: &VisitForm,
    choices: &Choices,
    errors: &FieldErrors,
) -> Markup {
    let title = match visit {
        Some(v) => format!("Edit the visit to {}", v.school.name),
        None => "Plan a visit".to_owned(),
    };
    let action = match visit {
        Some(v) => format!("/visits/{}", v.id),
        None => "/visits".to_owned(),
    };
    let schools: Vec<(String, String)> = choices
        .schools
        .iter()
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect();
    let frameworks: Vec<(String, String)> = choices
        .frameworks
        .iter()
        .map(|f| (f.id.to_string(), f.name.clone()))
        .collect();
    let people: Vec<(String, String)> = choices
        .people
        .iter()
        .map(|p| {
            (
                p.id.to_string(),
                match &p.department {
                    Some(d) => format!("{} — {d}", p.name),
                    None => p.name.clone(),
                },
            )
        })
        .collect();
    page(
        ctx,
        &title,
        Section::Visits,
        html! {
            p { a href="/visits" { "← All visits" } }
            h1 { (title) }
            (error_summary(errors))
            form.stacked method="post" action=(action) novalidate {
                (csrf_field(ctx))
                (select_field("school_id", "Campus", &form.school_id, &schools, Some("Choose a campus"), false, errors))
                (TextField::new("date", "Date", &form.date).kind("date").hint("YYYY-MM-DD").show(errors))
                (select_field("lead_id", "Lead", &form.lead_id, &people, Some("No lead yet"), true, errors))
                (select_field("framework_id", "Look-for framework", &form.framework_id, &frameworks, Some("None yet"), true, errors))
                div.field.invalid[errors.get("focus").is_some()] {
                    label for="focus" { "Focus / problem of practice under study (optional)" }
                    @if let Some(error) = errors.get("focus") { p.error-message id="focus-error" { (error) } }
                    textarea id="focus" name="focus" rows="3" { (form.focus) }
                }
                fieldset #members {
                    legend { "Team" }
                    @if let Some(error) = errors.get("members") { p.error-message { (error) } }
                    @for (id, label) in &people {
                        (checkbox(&format!("member_{id}"), label, id.parse().is_ok_and(|id: i64| form.members.contains(&id))))
                    }
                    @if people.is_empty() { p.hint { "Nobody holds the visitor or visit lead role yet." } }
                }
                fieldset {
                    legend { "Agenda" }
                    @for segment in Segment::ALL {
                        (checkbox(&format!("segment_{}", segment.as_str()), segment.label(), form.segments.contains(&segment)))
                    }
                }
                div.actions { button type="submit" { "Save the visit" } }
            }
        },
    )
}

pub fn plan(
    ctx: &Ctx,
    query: &PlanQuery,
    errors: &FieldErrors,
    proposals: Option<&[Proposal]>,
) -> Markup {
    let weekdays: Vec<(String, String)> = [
        ("Mon", "Monday"),
        ("Tue", "Tuesday"),
        ("Wed", "Wednesday"),
        ("Thu", "Thursday"),
        ("Fri", "Friday"),
    ]
    .iter()
    .map(|(v, l)| (v.to_string(), l.to_string()))
    .collect();
    page(
        ctx,
        "Plan the rotation",
        Section::Visits,
        html! {
            p { a href="/visits" { "← All visits" } }
            h1 { "Plan the rotation" }
            p.lede { "One campus a week on the chosen day: campuses never visited first, then the least recently visited. Closed days are skipped." }
            (error_summary(errors))
            form.stacked method="get" action="/visits/plan" novalidate {
                (TextField::new("start", "Start from", &query.start).kind("date").hint("YYYY-MM-DD").show(errors))
                (select_field("weekday", "Visit day", &query.weekday, &weekdays, None, false, errors))
                (TextField::new("weeks", "Weeks to plan", &query.weeks).hint("1 to 52").show(errors))
                div.field.invalid[errors.get("closed").is_some()] {
                    label for="closed" { "Closed days (optional)" }
                    p.hint id="closed-hint" { "One date a line, e.g. 2027-01-18." }
                    @if let Some(error) = errors.get("closed") { p.error-message id="closed-error" { (error) } }
                    textarea id="closed" name="closed" rows="4" aria-describedby="closed-hint" { (query.closed) }
                }
                div.actions { button type="submit" { "Propose visits" } }
            }
            @if let Some(proposals) = proposals {
                h2 { "Proposed visits" }
                @if proposals.is_empty() { p { "There are no active campuses to visit." } }
                @else {
                    form method="post" action="/visits/plan" {
                        (csrf_field(ctx))
                        div.table-wrap tabindex="0" role="region" aria-label="Proposed visits" {
                            table {
                                caption { "Untick a visit to leave it out; change a date if needed." }
                                thead { tr { th scope="col" { "Keep" } th scope="col" { "Date" } th scope="col" { "Campus" } th scope="col" { "Last visit" } } }
                                tbody {
                                    @for (n, proposal) in proposals.iter().enumerate() {
                                        tr {
                                            td {
                                                label.check for={ "keep_" (n) } {
                                                    input type="checkbox" id={ "keep_" (n) } name={ "keep_" (n) } value="on" checked;
                                                    span.visually-hidden { "Keep the visit to " (proposal.name) }
                                                }
                                            }
                                            td {
                                                label.visually-hidden for={ "date_" (n) } { "Date of the visit to " (proposal.name) }
                                                input type="date" id={ "date_" (n) } name={ "date_" (n) } value=(proposal.date);
                                            }
                                            td { (proposal.name) input type="hidden" name={ "school_" (n) } value=(proposal.school_id); }
                                            td { @if let Some(last) = proposal.last_visit { (Day(last)) } @else { "Never" } }
                                        }
                                    }
                                }
                            }
                        }
                        div.actions { button type="submit" { "Confirm these visits" } }
                    }
                }
            }
        },
    )
}
