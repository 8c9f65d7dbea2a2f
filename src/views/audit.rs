//! The audit log page.

use maud::{html, Markup};

use super::{page, pager, query_value, Ctx, Section};
use crate::domain::forms::AuditQuery;
use crate::domain::paging::Page;
use crate::domain::read::audit::Event;

fn filter_field(name: &str, label: &str, value: &str, hint: &str) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            p.hint id={ (name) "-hint" } { (hint) }
            input type="text" id=(name) name=(name) value=(value) aria-describedby={ (name) "-hint" };
        }
    }
}

pub fn list(ctx: &Ctx, events: &Page<Event>, query: &AuditQuery) -> Markup {
    let base = format!(
        "/admin/audit?action={}&actor={}&record_type={}&record_id={}&from={}&to={}&",
        query_value(&query.action),
        query_value(&query.actor),
        query_value(&query.record_type),
        query_value(&query.record_id),
        query_value(&query.from),
        query_value(&query.to),
    );
    page(
        ctx,
        "Audit log",
        Section::Audit,
        html! {
            h1 { "Audit log" }
            p.lede { "Every sign-in, refused request, role change and change to the records, newest first. Times are UTC." }
            form.search method="get" action="/admin/audit" {
                (filter_field("action", "Action", &query.action, "The start of an action, e.g. sign_in or school."))
                (filter_field("actor", "Actor id", &query.actor, "The id of the person who acted."))
                (filter_field("record_type", "Record type", &query.record_type, "school, department, user, api_token…"))
                (filter_field("record_id", "Record id", &query.record_id, "The id of the record."))
                (filter_field("from", "From", &query.from, "YYYY-MM-DD"))
                (filter_field("to", "To", &query.to, "YYYY-MM-DD, inclusive"))
                button.secondary type="submit" { "Filter" }
            }
            div.table-wrap tabindex="0" role="region" aria-label="Audit events" {
                table {
                    caption { "Audit events" }
                    thead { tr {
                        th scope="col" { "When (UTC)" } th scope="col" { "Who" } th scope="col" { "Action" }
                        th scope="col" { "Record" } th scope="col" { "From" } th scope="col" { "Detail" }
                    } }
                    tbody {
                        @for event in &events.items {
                            tr {
                                td { (event.at.format("%Y-%m-%d %H:%M:%S")) }
                                td { @if let Some((id, name)) = &event.actor { (name) " (" (id) ")" } @else { "—" } }
                                td { code { (event.action) } }
                                td { @if let (Some(t), Some(id)) = (&event.record_type, event.record_id) { (t) " " (id) } @else { "—" } }
                                td { (event.client_ip.as_deref().unwrap_or("—")) }
                                td { (event.detail.as_deref().unwrap_or("")) }
                            }
                        }
                        @if events.items.is_empty() { tr { td colspan="6" { "No events match." } } }
                    }
                }
            }
            (pager(events, &base))
        },
    )
}
