//! The printable visit report: one visit on paper — who went, what they
//! saw, what the debrief concluded and what was left to do.

use maud::{html, Markup};

use super::{page as shell, Ctx, Section};
use crate::domain::read::items::Item;
use crate::domain::rollup::roll_up;
use crate::views::debriefs::DebriefPage;

pub fn report(ctx: &Ctx, page: &DebriefPage, items: &[Item]) -> Markup {
    let visit = &page.visit;
    let title = format!(
        "Visit report — {}, {}",
        visit.school.name,
        visit.date.format("%B %-d, %Y")
    );
    let snapshots = page.snapshots();
    let text_or = |text: &str, empty: &'static str| -> String {
        if text.trim().is_empty() {
            empty.to_owned()
        } else {
            text.to_owned()
        }
    };
    shell(
        ctx,
        &title,
        Section::Visits,
        html! {
            div.report {
                p.no-print { a href={ "/visits/" (visit.id) } { "← The visit" } " · Print this page for a paper copy (one visit, laid out for A4 or Letter)." }
                h1 { (title) }
                section #team {
                    h2 { "Visit and team" }
                    dl {
                        dt { "Campus" } dd { (visit.school.name) }
                        dt { "Date" } dd { (visit.date.format("%A, %B %-d, %Y")) }
                        dt { "Status" } dd { (visit.status.label()) }
                        dt { "Lead" } dd { (visit.lead.as_ref().map(|l| l.name.as_str()).unwrap_or("—")) }
                        dt { "Focus" } dd { (text_or(&visit.focus, "—")) }
                        dt { "Agenda" } dd { (visit.segments.iter().map(|s| s.label()).collect::<Vec<_>>().join(", ")) }
                    }
                    @if visit.members.is_empty() { p { "No team recorded." } }
                    @else {
                        table {
                            thead { tr { th scope="col" { "Team member" } th scope="col" { "Department" } } }
                            tbody { @for m in &visit.members { tr { td { (m.name) } td { (m.department.as_deref().unwrap_or("—")) } } } }
                        }
                    }
                }
                section #evidence {
                    h2 { "Evidence" }
                    p { (super::count(page.observations.len(), "snapshot", "snapshots")) ". Each look-for: in how many snapshots where it applied it was seen." }
                    @if let Some(framework) = &page.framework {
                        table.rollup {
                            thead { tr { th scope="col" { "Look-for" } th scope="col" { "Seen" } } }
                            tbody {
                                @for domain in &framework.domains {
                                    @let ids: Vec<i64> = domain.indicators.iter().map(|i| i.id).collect();
                                    @let rollup = roll_up(&ids, &snapshots);
                                    tr { th scope="rowgroup" colspan="2" { (domain.name) } }
                                    @for (indicator, counts) in domain.indicators.iter().zip(&rollup) {
                                        tr { td { (indicator.code) " " (indicator.title) } td { (counts.total.in_words()) } }
                                    }
                                }
                            }
                        }
                    } @else { p { "This visit has no look-for framework." } }
                }
                section #debrief {
                    h2 { "Debrief" }
                    dl {
                        dt { "Strengths" } dd { (text_or(&page.debrief.strengths, "Not recorded")) }
                        dt { "Instructional alignment" } dd { (text_or(&page.debrief.alignment_notes, "—")) }
                        dt { "Who attended" } dd { (text_or(&page.debrief.attendees, "—")) }
                    }
                    h3 { "Problems of practice" }
                    @if page.debrief.problems.is_empty() { p { "None recorded." } }
                    ol {
                        @for p in &page.debrief.problems {
                            li { (p.description) @if !p.departments.is_empty() { " — " (p.departments.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")) } }
                        }
                    }
                }
                @if !visit.status.in_review() {
                    section #campus-response {
                        h2 { "The campus's response" }
                        @match &page.response.response {
                            Some(response) => (super::responses::recorded(response)),
                            None => p { "The campus has not responded." },
                        }
                    }
                }
                section #items {
                    h2 { "Action items" }
                    @if items.is_empty() { p { "No action items." } }
                    @else {
                        table {
                            thead { tr { th scope="col" { "Item" } th scope="col" { "For" } th scope="col" { "Owner" } th scope="col" { "Due" } th scope="col" { "Status" } th scope="col" { "Campus acknowledgement" } } }
                            tbody {
                                @for item in items {
                                    tr {
                                        td { (item.title) @if !item.evidence.is_empty() { br; small { (item.evidence) } } }
                                        td { @match &item.department { Some(d) => { (d.name) }, None => { "School" } } }
                                        td { (item.owner.as_ref().map(|o| o.name.as_str()).unwrap_or("—")) }
                                        td { (item.due_on.map(|d| d.format("%b %-d, %Y").to_string()).unwrap_or_else(|| "—".to_owned())) }
                                        td { (item.status.label()) }
                                        td { @if item.department.is_none() && !visit.status.in_review() { (super::responses::acknowledgement(page.response.acknowledgements.get(&item.id))) } @else { "—" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
