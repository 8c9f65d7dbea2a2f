//! The debrief page: each look-for seen in k of n snapshots, by setting; the
//! evidence notes (for the team); and the debrief itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use maud::{html, Markup};

use super::{checkbox, csrf_field, error_summary, page as shell, Ctx, Section};
use crate::domain::observation::{Setting, Tick};
use crate::domain::read::debriefs::Debrief;
use crate::domain::read::frameworks::Framework;
use crate::domain::read::observations::Observation;
use crate::domain::read::visits::Visit;
use crate::domain::rollup::{roll_up, TickCounts};
use crate::domain::user::Link;
use crate::domain::FieldErrors;

/// Everything the page shows.
pub struct DebriefPage {
    pub visit: Visit,
    pub framework: Option<Framework>,
    pub observations: Vec<Observation>,
    pub debrief: Debrief,
    pub departments: Vec<Link>,
    /// The team and planners also see each snapshot's notes.
    pub team_view: bool,
    /// Items from earlier visits to the campus, with this visit's checks.
    pub earlier: Vec<crate::domain::read::items::Carried>,
    /// The campus's response and acknowledgements, from publication on.
    pub response: super::responses::ResponsePart,
}

impl DebriefPage {
    /// Each snapshot's setting and ticks, for the roll-up.
    pub fn snapshots(&self) -> Vec<(Setting, &BTreeMap<i64, Tick>)> {
        self.observations
            .iter()
            .map(|o| (o.setting, &o.ticks))
            .collect()
    }
}

/// The debrief form as typed: problems are `problem_<n>` with departments
/// ticked as `problem_<n>_dept_<id>`.
#[derive(Debug, Clone, Default)]
pub struct DebriefForm {
    pub strengths: String,
    pub alignment_notes: String,
    pub attendees: String,
    pub problems: Vec<(String, BTreeSet<i64>)>,
}

impl DebriefForm {
    pub fn of(debrief: &Debrief, blank: usize) -> Self {
        let mut problems: Vec<(String, BTreeSet<i64>)> = debrief
            .problems
            .iter()
            .map(|p| {
                (
                    p.description.clone(),
                    p.departments.iter().map(|d| d.id).collect(),
                )
            })
            .collect();
        problems.extend((0..blank).map(|_| (String::new(), BTreeSet::new())));
        Self {
            strengths: debrief.strengths.clone(),
            alignment_notes: debrief.alignment_notes.clone(),
            attendees: debrief.attendees.clone(),
            problems,
        }
    }

    pub fn from_fields(fields: &HashMap<String, String>) -> Self {
        let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
        let count = fields
            .keys()
            .filter_map(|k| {
                k.strip_prefix("problem_")
                    .and_then(|rest| rest.split('_').next())
                    .and_then(|n| n.parse::<usize>().ok())
            })
            .max()
            .map_or(0, |n| n + 1)
            .min(50);
        let problems = (0..count)
            .map(|n| {
                let prefix = format!("problem_{n}_dept_");
                let departments = fields
                    .keys()
                    .filter_map(|k| k.strip_prefix(&prefix).and_then(|id| id.parse().ok()))
                    .collect();
                (get(&format!("problem_{n}")), departments)
            })
            .collect();
        Self {
            strengths: get("strengths"),
            alignment_notes: get("alignment_notes"),
            attendees: get("attendees"),
            problems,
        }
    }
}

fn cell(counts: Option<&TickCounts>) -> Markup {
    html! {
        @match counts.filter(|c| c.applicable() > 0) {
            Some(c) => { (c.observed) " of " (c.applicable()) @if c.partly > 0 { " (" (c.partly) " partly)" } }
            None => "—",
        }
    }
}

fn area(name: &str, label: &str, value: &str, hint: &str, errors: &FieldErrors) -> Markup {
    html! {
        div.field.invalid[errors.get(name).is_some()] {
            label for=(name) { (label) }
            p.hint id={ (name) "-hint" } { (hint) }
            @if let Some(error) = errors.get(name) { p.error-message id={ (name) "-error" } { (error) } }
            textarea id=(name) name=(name) rows="4" aria-describedby={ (name) "-hint" } { (value) }
        }
    }
}

pub fn page(
    ctx: &Ctx,
    page: &DebriefPage,
    form: Option<&DebriefForm>,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let visit = &page.visit;
    let title = format!("Debrief — {}", visit.school.name);
    let snapshots = page.snapshots();
    shell(
        ctx,
        &title,
        Section::Visits,
        html! {
            p { a href={ "/visits/" (visit.id) } { "← The visit" } }
            h1 { (title) }
            (super::notice(done))
            p.lede { (super::count(page.observations.len(), "snapshot", "snapshots")) ". Each look-for: in how many snapshots where it applied it was seen (partly seen in brackets). N/A snapshots do not count." }
            @match &page.framework {
                None => p { "This visit has no look-for framework." },
                Some(framework) => {
                    @for domain in &framework.domains {
                        @let ids: Vec<i64> = domain.indicators.iter().map(|i| i.id).collect();
                        @let rollup = roll_up(&ids, &snapshots);
                        h2 { (domain.name) }
                        div.table-wrap tabindex="0" role="region" aria-label=(domain.name) {
                            table.rollup {
                                thead { tr {
                                    th scope="col" { "Look-for" } th scope="col" { "All snapshots" }
                                    @for setting in Setting::ALL { th scope="col" { (setting.label()) } }
                                } }
                                tbody {
                                    @for (indicator, counts) in domain.indicators.iter().zip(&rollup) {
                                        tr {
                                            th scope="row" { (indicator.code) " · " (indicator.title) }
                                            td { (counts.total.in_words()) }
                                            @for setting in Setting::ALL { td { (cell(counts.by_setting.get(&setting))) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if page.team_view && page.observations.iter().any(|o| !o.notes.is_empty()) {
                h2 { "Evidence notes" }
                ul {
                    @for o in page.observations.iter().filter(|o| !o.notes.is_empty()) {
                        li { strong { (o.setting.label()) @if !o.room.is_empty() { " · " (o.room) } } ": " (o.notes) }
                    }
                }
            }
            @match form {
                Some(form) => {
                    h2 { "The debrief" }
                    (error_summary(errors))
                    form.stacked method="post" action={ "/visits/" (visit.id) "/debrief" } novalidate {
                        (csrf_field(ctx))
                        (area("strengths", "Strengths", &form.strengths, "What the campus does well.", errors))
                        @for (n, (description, departments)) in form.problems.iter().enumerate() {
                            fieldset {
                                legend { "Problem of practice " (n + 1) }
                                (area(&format!("problem_{n}"), "Description", description, "Leave empty to drop it.", errors))
                                p.hint { "Departments it concerns:" }
                                @for d in &page.departments {
                                    (checkbox(&format!("problem_{n}_dept_{}", d.id), &d.name, departments.contains(&d.id)))
                                }
                            }
                        }
                        (area("alignment_notes", "Instructional alignment", &form.alignment_notes, "Notes on alignment between campus and central office.", errors))
                        (area("attendees", "Who attended", &form.attendees, "Names or roles, one a line.", errors))
                        div.actions { button type="submit" { "Save the debrief" } }
                    }
                }
                None => {
                    h2 { "The debrief" }
                    (error_summary(errors))
                    @if !page.visit.status.takes_debrief_edits() {
                        p.hint { "The visit is published: this debrief is on record and its action items quote it." }
                    }
                    dl {
                        dt { "Strengths" } dd { (if page.debrief.strengths.is_empty() { "Not recorded yet" } else { &page.debrief.strengths }) }
                        dt { "Instructional alignment" } dd { (if page.debrief.alignment_notes.is_empty() { "—" } else { &page.debrief.alignment_notes }) }
                        dt { "Who attended" } dd { (if page.debrief.attendees.is_empty() { "—" } else { &page.debrief.attendees }) }
                    }
                    h3 { "Problems of practice" }
                    @if page.debrief.problems.is_empty() { p { "None recorded yet." } }
                    ol {
                        @for p in &page.debrief.problems {
                            li { (p.description) @if !p.departments.is_empty() { " — " (p.departments.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")) } }
                        }
                    }
                }
            }
            @if !page.visit.status.in_review() {
                (super::responses::section(ctx, visit.id, &page.response, &page.departments))
            }
            (super::items::earlier(ctx, visit.id, &page.earlier, page.team_view))
            p { a.button.secondary href={ "/visits/" (visit.id) "/items" } { "The visit's action items" } }
        },
    )
}
