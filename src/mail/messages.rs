//! The messages campus-visits sends, each as plain text and as HTML (maud)
//! carrying the same facts, written to the outbox inside the transaction of
//! the event that causes them. Links go to the exact visit or item; a reader
//! who is signed out signs in and lands there.

use std::collections::BTreeMap;

use maud::{html, Markup, DOCTYPE};

use crate::db::action_items::{Filter, Item};
use crate::db::outbox::{enqueue, NewMessage};
use crate::db::visits::Viewer;
use crate::db::{self, DbConn, QueryResult};
use crate::domain::account::Role;
use crate::domain::action_item::Status;

/// The heading of the items a visit resolved on the spot.
const RESOLVED: &str = "Resolved during the visit";

/// A person an email goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub id: i64,
    pub name: String,
    pub email: String,
}

impl From<db::users::Contact> for Recipient {
    fn from(c: db::users::Contact) -> Self {
        Self {
            id: c.id,
            name: c.name,
            email: c.email,
        }
    }
}

/// The active people holding `role` at a school or in a department.
fn holding(
    conn: &mut DbConn,
    role: Role,
    school_id: Option<i64>,
    department_id: Option<i64>,
) -> QueryResult<Vec<Recipient>> {
    Ok(db::users::holding(conn, role, school_id, department_id)?
        .into_iter()
        .map(Recipient::from)
        .collect())
}

/// The frame every HTML message shares.
pub(crate) fn layout(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family: sans-serif; color: #1a1a1a; line-height: 1.5" {
                (body)
                p style="color: #4a4a4a; font-size: 0.9em" { "campus-visits" }
            }
        }
    }
    .into_string()
}

fn item_line(item: &Item, base: &str) -> String {
    let due = item
        .due_on
        .map(|d| format!(", due {d}"))
        .unwrap_or_default();
    let owner = item
        .owner
        .as_ref()
        .map(|o| format!(", owner {}", o.name))
        .unwrap_or_default();
    format!(
        "- {} ({}{owner}{due})\n  {base}/items/{}",
        item.title,
        item.status.label(),
        item.id
    )
}

fn item_list(items: &[Item], base: &str) -> Markup {
    html! {
        ul {
            @for item in items {
                li {
                    a href={ (base) "/items/" (item.id) } { (item.title) }
                    " (" (item.status.label())
                    @if let Some(owner) = &item.owner { ", owner " (owner.name) }
                    @if let Some(due) = item.due_on { ", due " (due) }
                    ")"
                }
            }
        }
    }
}

/// The summary of a published visit: to the campus's leaders (its action
/// steps and the department items concerning it) and to the heads of each
/// department with items (its own items), with the strengths and problems
/// of practice. Returns how many messages were written.
pub fn visit_published(conn: &mut DbConn, visit_id: i64, base: &str) -> QueryResult<usize> {
    let visit = db::visits::find_visible(conn, &Viewer::everyone(), visit_id)?;
    let debrief = db::debriefs::find(conn, visit_id)?;
    let items = db::action_items::list(
        conn,
        &Viewer::everyone(),
        &Filter {
            visit_id: Some(visit_id),
            published_only: true,
            without_look_fors: true,
            ..Filter::default()
        },
    )?;
    // Dropped and merged proposals are not part of what was published;
    // items resolved during the visit ask nothing of anyone.
    let (resolved, items): (Vec<Item>, Vec<Item>) = items
        .into_iter()
        .filter(|i| i.status != Status::Dropped)
        .partition(|i| i.status == Status::Resolved);
    let campus = &visit.school.name;
    let date = visit.date;
    let visit_url = format!("{base}/visits/{visit_id}");
    let problems: Vec<String> = debrief
        .problems
        .iter()
        .map(|p| p.description.clone())
        .collect();
    let compose = |to: &Recipient,
                   heading: &str,
                   items: &[Item],
                   resolved: &[Item]|
     -> NewMessage {
        let subject = format!("Visit to {campus} on {date}: {heading}");
        let mut text = format!(
            "Hello {},\n\nThe visit to {campus} on {date} is published.\n{visit_url}\n\n",
            to.name
        );
        if !debrief.strengths.trim().is_empty() {
            text.push_str(&format!("Strengths\n{}\n\n", debrief.strengths.trim()));
        }
        if !problems.is_empty() {
            text.push_str("Problems of practice\n");
            for p in &problems {
                text.push_str(&format!("- {p}\n"));
            }
            text.push('\n');
        }
        text.push_str(&format!("{heading}\n"));
        if items.is_empty() {
            text.push_str("None.\n");
        }
        for item in items {
            text.push_str(&item_line(item, base));
            text.push('\n');
        }
        if !resolved.is_empty() {
            text.push_str(&format!("\n{RESOLVED}\n"));
            for item in resolved {
                text.push_str(&item_line(item, base));
                text.push('\n');
            }
        }
        let html = layout(
            &subject,
            html! {
                p { "Hello " (to.name) "," }
                p { "The " a href=(visit_url) { "visit to " (campus) " on " (date) } " is published." }
                @if !debrief.strengths.trim().is_empty() {
                    h2 { "Strengths" }
                    p { (debrief.strengths.trim()) }
                }
                @if !problems.is_empty() {
                    h2 { "Problems of practice" }
                    ul { @for p in &problems { li { (p) } } }
                }
                h2 { (heading) }
                @if items.is_empty() { p { "None." } } @else { (item_list(items, base)) }
                @if !resolved.is_empty() {
                    h2 { (RESOLVED) }
                    (item_list(resolved, base))
                }
            },
        );
        NewMessage {
            kind: "visit_summary".to_owned(),
            recipient: to.email.clone(),
            recipient_id: Some(to.id),
            subject,
            text_body: text,
            html_body: html,
            dedupe_key: Some(format!("visit_summary:{visit_id}:{}", to.id)),
            list_unsubscribe: None,
        }
    };
    let mut written = 0;
    let mut told = std::collections::BTreeSet::new();
    for leader in holding(conn, Role::SchoolLeader, Some(visit.school.id), None)? {
        let message = compose(
            &leader,
            "Action steps and department items for your campus",
            &items,
            &resolved,
        );
        written += usize::from(enqueue(conn, &message)?);
        told.insert(leader.id);
    }
    // Each department's items, open and resolved on the spot.
    let mut by_department: BTreeMap<i64, (String, Vec<Item>, Vec<Item>)> = BTreeMap::new();
    for (item, done) in items
        .iter()
        .map(|i| (i, false))
        .chain(resolved.iter().map(|i| (i, true)))
    {
        if let Some(department) = &item.department {
            let entry = by_department
                .entry(department.id)
                .or_insert_with(|| (department.name.clone(), Vec::new(), Vec::new()));
            if done { &mut entry.2 } else { &mut entry.1 }.push(item.clone());
        }
    }
    for (department_id, (name, items, resolved)) in by_department {
        for head in holding(conn, Role::DepartmentHead, None, Some(department_id))? {
            let message = compose(&head, &format!("{name}'s action items"), &items, &resolved);
            written += usize::from(enqueue(conn, &message)?);
            told.insert(head.id);
        }
    }
    // Owners the summaries did not reach learn of their items one by one.
    for item in &items {
        if let Some(owner) = item.owner.as_ref().filter(|o| !told.contains(&o.id)) {
            written += usize::from(assigned(conn, item.id, owner.id, base)?);
        }
    }
    Ok(written)
}

/// To a person when an item becomes theirs.
pub fn assigned(conn: &mut DbConn, item_id: i64, owner_id: i64, base: &str) -> QueryResult<bool> {
    let item = db::action_items::find_visible(conn, &Viewer::everyone(), item_id)?;
    let Some(owner) = person(conn, owner_id)? else {
        return Ok(false);
    };
    let url = format!("{base}/items/{item_id}");
    let subject = format!("Action item for you: {}", item.title);
    let due = item.due_on.map(|d| d.to_string());
    let whose = match &item.department {
        Some(d) => format!("{} at {}", d.name, item.school.name),
        None => format!("{} (school action step)", item.school.name),
    };
    let mut text = format!(
        "Hello {},\n\nThis action item is now yours:\n\n{}\n{whose}, from the visit of {}\n",
        owner.name, item.title, item.visit_date
    );
    if let Some(due) = &due {
        text.push_str(&format!("Due {due}\n"));
    }
    if !item.evidence.is_empty() {
        text.push_str(&format!("Evidence: {}\n", item.evidence));
    }
    text.push_str(&format!("\nUpdate it here: {url}\n"));
    let html = layout(
        &subject,
        html! {
            p { "Hello " (owner.name) "," }
            p { "This action item is now yours:" }
            p { strong { a href=(url) { (item.title) } } br; (whose) ", from the visit of " (item.visit_date) }
            @if let Some(due) = &due { p { "Due " (due) } }
            @if !item.evidence.is_empty() { p { "Evidence: " (item.evidence) } }
            p { a href=(url) { "Update it here" } }
        },
    );
    enqueue(
        conn,
        &NewMessage {
            kind: "assignment".to_owned(),
            recipient: owner.email,
            recipient_id: Some(owner.id),
            subject,
            text_body: text,
            html_body: html,
            dedupe_key: None,
            list_unsubscribe: None,
        },
    )
}

/// Reminders for `today`: to each owner of an open item due in the
/// district's "due soon" days; and for an item past its due date — the day
/// after, then weekly — to its owner with a copy to the department's heads
/// (department items) or the campus's leaders (school steps). Each reminder
/// has a dedupe key of its kind, item, day and recipient, so running this
/// again the same day, on any number of instances, writes nothing more.
/// Returns how many messages were written.
pub fn reminders(conn: &mut DbConn, today: chrono::NaiveDate, base: &str) -> QueryResult<usize> {
    use crate::domain::action_item::Status;
    let settings = db::settings::find(conn)?;
    let soon = today + chrono::Duration::days(settings.due_soon_days);
    let open: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|s| s.awaits_owner())
        .collect();
    let items = db::action_items::list(
        conn,
        &Viewer::everyone(),
        &Filter {
            statuses: open,
            published_only: true,
            without_look_fors: true,
            ..Filter::default()
        },
    )?;
    let mut written = 0;
    for item in &items {
        let Some(due) = item.due_on else { continue };
        let late = (today - due).num_days();
        let url = format!("{base}/items/{}", item.id);
        if due == soon {
            if let Some(owner) = &item.owner {
                let Some(to) = person(conn, owner.id)? else {
                    continue;
                };
                let subject = format!("Due {due}: {}", item.title);
                let text = format!(
                    "Hello {},\n\nThis action item of yours is due on {due}, in {} days:\n\n{}\n{}\n\nUpdate it here: {url}\n",
                    to.name, settings.due_soon_days, item.title, item.school.name
                );
                let html = layout(
                    &subject,
                    html! {
                        p { "Hello " (to.name) "," }
                        p { "This action item of yours is due on " (due) ", in " (settings.due_soon_days) " days:" }
                        p { strong { a href=(url) { (item.title) } } br; (item.school.name) }
                        p { a href=(url) { "Update it here" } }
                    },
                );
                let key = format!("due_soon:{}:{today}:{}", item.id, to.id);
                written += usize::from(enqueue(
                    conn,
                    &reminder("due_soon", &to, subject, text, html, key),
                )?);
            }
        } else if late >= 1 && late % 7 == 1 {
            let mut told = Vec::new();
            if let Some(owner) = &item.owner {
                told.extend(person(conn, owner.id)?);
            }
            let copies = match &item.department {
                Some(d) => holding(conn, Role::DepartmentHead, None, Some(d.id))?,
                None => holding(conn, Role::SchoolLeader, Some(item.school.id), None)?,
            };
            let owner_name = item.owner.as_ref().map(|o| o.name.clone());
            for to in told.into_iter().chain(copies) {
                let copy = Some(&to.name) != owner_name.as_ref();
                let subject = format!("Overdue since {due}: {}", item.title);
                let whose = match (&owner_name, copy) {
                    (_, false) => "This action item of yours".to_owned(),
                    (Some(owner), true) => format!("An action item owned by {owner}"),
                    (None, true) => "An action item without an owner".to_owned(),
                };
                let text = format!(
                    "Hello {},\n\n{whose} was due on {due} and is still {}:\n\n{}\n{}\n\nUpdate it here: {url}\n",
                    to.name,
                    item.status.label().to_lowercase(),
                    item.title,
                    item.school.name
                );
                let html = layout(
                    &subject,
                    html! {
                        p { "Hello " (to.name) "," }
                        p { (whose) " was due on " (due) " and is still " (item.status.label().to_lowercase()) ":" }
                        p { strong { a href=(url) { (item.title) } } br; (item.school.name) }
                        p { a href=(url) { "Update it here" } }
                    },
                );
                let key = format!("overdue:{}:{today}:{}", item.id, to.id);
                written += usize::from(enqueue(
                    conn,
                    &reminder("overdue", &to, subject, text, html, key),
                )?);
            }
        }
    }
    Ok(written)
}

/// An active person, as a recipient.
fn person(conn: &mut DbConn, id: i64) -> QueryResult<Option<Recipient>> {
    Ok(db::users::active_contact(conn, id)?.map(Recipient::from))
}

fn reminder(
    kind: &str,
    to: &Recipient,
    subject: String,
    text_body: String,
    html_body: String,
    key: String,
) -> NewMessage {
    NewMessage {
        kind: kind.to_owned(),
        recipient: to.email.clone(),
        recipient_id: Some(to.id),
        subject,
        text_body,
        html_body,
        dedupe_key: Some(key),
        list_unsubscribe: None,
    }
}

/// On Mondays, the week's digest to each school leader (their campus's
/// items) and department head (their department's): what is overdue, what
/// falls due this week, what was done in the past week. One per person per
/// week (dedupe key); a person with nothing in any list gets none. Each
/// carries a one-click unsubscribe link. Returns how many were written.
pub fn digests(
    conn: &mut DbConn,
    today: chrono::NaiveDate,
    base: &str,
    key: &str,
) -> QueryResult<usize> {
    use chrono::Datelike;
    if today.weekday() != chrono::Weekday::Mon {
        return Ok(0);
    }
    let week_end = today + chrono::Duration::days(6);
    let since = (today - chrono::Duration::days(7))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let recently_done = db::action_items::done_since(conn, since)?;
    let mut people = Vec::new();
    for (role, label) in [
        (Role::SchoolLeader, "your campus"),
        (Role::DepartmentHead, "your department"),
    ] {
        let holders = db::users::holders(conn, role)?;
        people.extend(holders.into_iter().map(|h| (role, label, h)));
    }
    let mut written = 0;
    for (role, label, holder) in people {
        let db::users::Holder {
            contact: db::users::Contact { id, name, email },
            school_id,
            department_id,
        } = holder;
        let viewer = Viewer {
            user_id: id,
            roles: [role].into_iter().collect(),
            school_id,
            department_id,
        };
        let filter = match role {
            Role::SchoolLeader => Filter {
                school_id: Some(school_id.unwrap_or(-1)),
                ..Filter::default()
            },
            _ => Filter {
                department_id: Some(department_id.unwrap_or(-1)),
                ..Filter::default()
            },
        };
        let items = db::action_items::list(
            conn,
            &viewer,
            &Filter {
                published_only: true,
                without_look_fors: true,
                ..filter
            },
        )?;
        let overdue: Vec<Item> = items
            .iter()
            .filter(|i| i.is_overdue(today))
            .cloned()
            .collect();
        let due: Vec<Item> = items
            .iter()
            .filter(|i| {
                i.status.awaits_owner() && i.due_on.is_some_and(|d| d >= today && d <= week_end)
            })
            .cloned()
            .collect();
        let done: Vec<Item> = items
            .iter()
            .filter(|i| {
                matches!(i.status, Status::Done | Status::Verified) && recently_done.contains(&i.id)
            })
            .cloned()
            .collect();
        if overdue.is_empty() && due.is_empty() && done.is_empty() {
            continue;
        }
        let unsubscribe = crate::mail::unsubscribe_url(base, key, id, "digest");
        let subject = format!(
            "This week's action items for {label}: {} overdue, {} due",
            overdue.len(),
            due.len()
        );
        let mut text = format!("Hello {name},\n\nThe week of {today} for {label}.\n");
        for (heading, list) in [
            ("Overdue", &overdue),
            ("Due this week", &due),
            ("Done in the past week", &done),
        ] {
            text.push_str(&format!("\n{heading} ({})\n", list.len()));
            for item in list.iter() {
                text.push_str(&item_line(item, base));
                text.push('\n');
            }
        }
        text.push_str(&format!("\nStop these digests: {unsubscribe}\n"));
        let html = layout(
            &subject,
            html! {
                p { "Hello " (name) "," }
                p { "The week of " (today) " for " (label) "." }
                @for (heading, list) in [("Overdue", &overdue), ("Due this week", &due), ("Done in the past week", &done)] {
                    h2 { (heading) " (" (list.len()) ")" }
                    @if list.is_empty() { p { "None." } } @else { (item_list(list, base)) }
                }
                p { a href=(unsubscribe) { "Stop these digests" } }
            },
        );
        let message = NewMessage {
            kind: "digest".to_owned(),
            recipient: email,
            recipient_id: Some(id),
            subject,
            text_body: text,
            html_body: html,
            dedupe_key: Some(format!("digest:{id}:{today}")),
            list_unsubscribe: Some(unsubscribe),
        };
        written += usize::from(enqueue(conn, &message)?);
    }
    Ok(written)
}
