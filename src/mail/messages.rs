//! The messages campus-visits sends, each as plain text and as HTML (maud)
//! carrying the same facts. Each function takes the facts as values (read
//! by `db::mailing`) and returns the messages; the caller writes them to the
//! outbox inside the transaction of the event that causes them. Links go to
//! the exact visit or item; a reader who is signed out signs in and lands
//! there.

use std::collections::BTreeMap;

use maud::{html, Markup, DOCTYPE};

use crate::domain::action_item::Status;
use crate::domain::message::{
    Digest, NewMessage, Recipient, RegistrationNotice, Reminder, ReminderKind, ResponseNotice,
    SessionList, SessionReminder, VisitSummary,
};
use crate::domain::read::items::Item;
use crate::domain::read::learning::{ItemLearning, Session};

/// The heading of the items a visit resolved on the spot.
const RESOLVED: &str = "Resolved during the visit";

/// The frame every HTML message shares.
fn layout(title: &str, body: Markup) -> String {
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

/// "Checks for understanding: 2027-02-14 13:30–16:00, Room 4" or, with no
/// session chosen yet, the offering alone.
fn learning_line(link: &ItemLearning) -> String {
    match &link.session {
        Some(s) if s.cancelled => format!("{} (cancelled)", s.name()),
        Some(s) => format!("{}, {}", s.name(), s.place),
        None => format!("{} (no session chosen yet)", link.offering.name),
    }
}

fn item_line(item: &Item, learning: &[ItemLearning], base: &str) -> String {
    let due = item
        .due_on
        .map(|d| format!(", due {d}"))
        .unwrap_or_default();
    let owner = item
        .owner
        .as_ref()
        .map(|o| format!(", owner {}", o.name))
        .unwrap_or_default();
    let mut line = format!(
        "- {} ({}{owner}{due})\n  {base}/items/{}",
        item.title,
        item.status.label(),
        item.id
    );
    for (code, entry_point) in item.entry_points() {
        line.push_str(&format!(
            "\n  Entry point for teachers ({code}): {entry_point}"
        ));
    }
    for link in learning {
        line.push_str(&format!("\n  Learning: {}", learning_line(link)));
    }
    line
}

fn item_list(items: &[&Item], learning: &BTreeMap<i64, Vec<ItemLearning>>, base: &str) -> Markup {
    html! {
        ul {
            @for item in items {
                li {
                    a href={ (base) "/items/" (item.id) } { (item.title) }
                    " (" (item.status.label())
                    @if let Some(owner) = &item.owner { ", owner " (owner.name) }
                    @if let Some(due) = item.due_on { ", due " (due) }
                    ")"
                    @for (code, entry_point) in item.entry_points() {
                        br; "Entry point for teachers (" (code) "): " (entry_point)
                    }
                    @for link in learning.get(&item.id).into_iter().flatten() {
                        br; "Learning: "
                        @match &link.session {
                            Some(s) => a href={ (base) "/learning/sessions/" (s.id) } { (learning_line(link)) },
                            None => a href={ (base) "/learning/offerings/" (link.offering.id) } { (learning_line(link)) },
                        }
                    }
                }
            }
        }
    }
}

/// The summary of a published visit: to the campus's leaders (its action
/// steps and the department items concerning it) and to the heads of each
/// department with items (its own items), with the strengths and problems
/// of practice; then an assignment to each owner the summaries did not
/// reach. Items resolved during the visit are listed as such and ask
/// nothing of anyone; dropped proposals are left out.
pub fn visit_summary(facts: &VisitSummary, base: &str) -> Vec<NewMessage> {
    let (resolved, items): (Vec<&Item>, Vec<&Item>) = facts
        .items
        .iter()
        .filter(|i| !matches!(i.status, Status::Dropped | Status::Proposed))
        .partition(|i| i.status == Status::Resolved);
    let mut messages = Vec::new();
    let mut told = std::collections::BTreeSet::new();
    for leader in &facts.leaders {
        messages.push(summary_to(
            facts,
            leader,
            "Action steps and department items for your campus",
            &items,
            &resolved,
            base,
        ));
        told.insert(leader.id);
    }
    // Each department's items, open and resolved on the spot.
    let mut by_department: BTreeMap<i64, (String, Vec<&Item>, Vec<&Item>)> = BTreeMap::new();
    for (item, done) in items
        .iter()
        .map(|i| (*i, false))
        .chain(resolved.iter().map(|i| (*i, true)))
    {
        if let Some(department) = &item.department {
            let entry = by_department
                .entry(department.id)
                .or_insert_with(|| (department.name.clone(), Vec::new(), Vec::new()));
            if done { &mut entry.2 } else { &mut entry.1 }.push(item);
        }
    }
    for (department_id, (name, open, done)) in by_department {
        for head in facts.heads.get(&department_id).into_iter().flatten() {
            let heading = format!("{name}'s action items");
            messages.push(summary_to(facts, head, &heading, &open, &done, base));
            told.insert(head.id);
        }
    }
    // Owners the summaries did not reach learn of their items one by one.
    for item in &items {
        let owner = item.owner.as_ref().filter(|o| !told.contains(&o.id));
        if let Some(to) = owner.and_then(|o| facts.owners.get(&o.id)) {
            messages.push(assignment(item, to, base));
        }
    }
    messages
}

/// One person's summary of a published visit.
fn summary_to(
    facts: &VisitSummary,
    to: &Recipient,
    heading: &str,
    items: &[&Item],
    resolved: &[&Item],
    base: &str,
) -> NewMessage {
    let (campus, date, visit_id) = (&facts.campus, facts.date, facts.visit_id);
    let visit_url = format!("{base}/visits/{visit_id}");
    let linked = |item: &Item| facts.learning.get(&item.id).map_or(&[][..], Vec::as_slice);
    let strengths = facts.strengths.trim();
    let subject = format!("Visit to {campus} on {date}: {heading}");
    let mut text = format!(
        "Hello {},\n\nThe visit to {campus} on {date} is published.\n{visit_url}\n\n",
        to.name
    );
    if !strengths.is_empty() {
        text.push_str(&format!("Strengths\n{strengths}\n\n"));
    }
    if !facts.problems.is_empty() {
        text.push_str("Problems of practice\n");
        for p in &facts.problems {
            text.push_str(&format!("- {p}\n"));
        }
        text.push('\n');
    }
    text.push_str(&format!("{heading}\n"));
    if items.is_empty() {
        text.push_str("None.\n");
    }
    for item in items {
        text.push_str(&item_line(item, linked(item), base));
        text.push('\n');
    }
    if !resolved.is_empty() {
        text.push_str(&format!("\n{RESOLVED}\n"));
        for item in resolved {
            text.push_str(&item_line(item, linked(item), base));
            text.push('\n');
        }
    }
    let html = layout(
        &subject,
        html! {
            p { "Hello " (to.name) "," }
            p { "The " a href=(visit_url) { "visit to " (campus) " on " (date) } " is published." }
            @if !strengths.is_empty() {
                h2 { "Strengths" }
                p { (strengths) }
            }
            @if !facts.problems.is_empty() {
                h2 { "Problems of practice" }
                ul { @for p in &facts.problems { li { (p) } } }
            }
            h2 { (heading) }
            @if items.is_empty() { p { "None." } } @else { (item_list(items, &facts.learning, base)) }
            @if !resolved.is_empty() {
                h2 { (RESOLVED) }
                (item_list(resolved, &facts.learning, base))
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
}

/// The campus's response to a published debrief, to the heads of the
/// departments it concerns (what it needs from theirs first) and to the
/// visit's lead. One message per person and revision.
pub fn campus_response(notice: &ResponseNotice, base: &str) -> Vec<NewMessage> {
    let (campus, date, visit_id) = (&notice.campus, notice.date, notice.visit_id);
    let response = &notice.response;
    let url = format!("{base}/visits/{visit_id}/debrief#campus-response");
    let subject = format!("{campus} responded to the visit of {date}");
    let mut to: Vec<(&Recipient, Option<i64>)> = Vec::new();
    for (department_id, heads) in &notice.heads {
        for head in heads {
            if !to.iter().any(|(r, _)| r.id == head.id) {
                to.push((head, Some(*department_id)));
            }
        }
    }
    if let Some(lead) = &notice.lead {
        if !to.iter().any(|(r, _)| r.id == lead.id) {
            to.push((lead, None));
        }
    }
    to.into_iter()
        .map(|(person, department)| {
            let (theirs, others): (Vec<_>, Vec<_>) = response
                .needs
                .iter()
                .partition(|n| Some(n.department.id) == department);
            let mut text = format!(
                "Hello {},\n\n{campus} responded to the debrief of its visit on {date}.\n{url}\n\n{}\n",
                person.name,
                response.agreement.label()
            );
            if !response.context.is_empty() {
                text.push_str(&format!("\nContext\n{}\n", response.context));
            }
            if let Some(first) = theirs.first() {
                text.push_str(&format!("\nWhat the campus needs from {}\n", first.department.name));
                for need in &theirs {
                    text.push_str(&format!("- {}\n", need.need));
                }
            }
            if !others.is_empty() {
                text.push_str(if theirs.is_empty() { "\nWhat the campus needs\n" } else { "\nFrom other departments\n" });
                for need in &others {
                    text.push_str(&format!("- {}: {}\n", need.department.name, need.need));
                }
            }
            let html = layout(
                &subject,
                html! {
                    p { "Hello " (person.name) "," }
                    p { (campus) " responded to the " a href=(url) { "debrief of its visit on " (date) } "." }
                    p { strong { (response.agreement.label()) } }
                    @if !response.context.is_empty() { h2 { "Context" } p { (response.context) } }
                    @if let Some(first) = theirs.first() {
                        h2 { "What the campus needs from " (first.department.name) }
                        ul { @for need in &theirs { li { (need.need) } } }
                    }
                    @if !others.is_empty() {
                        h2 { @if theirs.is_empty() { "What the campus needs" } @else { "From other departments" } }
                        ul { @for need in &others { li { (need.department.name) ": " (need.need) } } }
                    }
                },
            );
            NewMessage {
                kind: "campus_response".to_owned(),
                recipient: person.email.clone(),
                recipient_id: Some(person.id),
                subject: subject.clone(),
                text_body: text,
                html_body: html,
                dedupe_key: Some(format!(
                    "campus_response:{visit_id}:{}:{}",
                    response.version, person.id
                )),
                list_unsubscribe: None,
            }
        })
        .collect()
}

/// To a person when an item becomes theirs.
pub fn assignment(item: &Item, owner: &Recipient, base: &str) -> NewMessage {
    let url = format!("{base}/items/{}", item.id);
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
    NewMessage {
        kind: "assignment".to_owned(),
        recipient: owner.email.clone(),
        recipient_id: Some(owner.id),
        subject,
        text_body: text,
        html_body: html,
        dedupe_key: None,
        list_unsubscribe: None,
    }
}

/// A reminder of `today`: before the due day to the owner; once overdue to
/// the owner or, as a copy, to the department's heads or the campus's
/// leaders. Its dedupe key names its kind, item, day and recipient, so the
/// same reminder is written once whoever writes it how often.
pub fn reminder(reminder: &Reminder, today: chrono::NaiveDate, base: &str) -> NewMessage {
    let Reminder {
        kind,
        item,
        to,
        soon_days,
    } = reminder;
    let url = format!("{base}/items/{}", item.id);
    let due = item.due_on.map(|d| d.to_string()).unwrap_or_default();
    let (subject, opening) = match kind {
        ReminderKind::DueSoon => (
            format!("Due {due}: {}", item.title),
            format!("This action item of yours is due on {due}, in {soon_days} days:"),
        ),
        ReminderKind::Overdue => {
            let whose = match &item.owner {
                Some(owner) if owner.id == to.id => "This action item of yours".to_owned(),
                Some(owner) => format!("An action item owned by {}", owner.name),
                None => "An action item without an owner".to_owned(),
            };
            let status = item.status.label().to_lowercase();
            (
                format!("Overdue since {due}: {}", item.title),
                format!("{whose} was due on {due} and is still {status}:"),
            )
        }
    };
    let text = format!(
        "Hello {},\n\n{opening}\n\n{}\n{}\n\nUpdate it here: {url}\n",
        to.name, item.title, item.school.name
    );
    let html = layout(
        &subject,
        html! {
            p { "Hello " (to.name) "," }
            p { (opening) }
            p { strong { a href=(url) { (item.title) } } br; (item.school.name) }
            p { a href=(url) { "Update it here" } }
        },
    );
    NewMessage {
        kind: kind.as_str().to_owned(),
        recipient: to.email.clone(),
        recipient_id: Some(to.id),
        subject,
        text_body: text,
        html_body: html,
        dedupe_key: Some(format!("{}:{}:{today}:{}", kind.as_str(), item.id, to.id)),
        list_unsubscribe: None,
    }
}

/// A week's digest, with its one-click way out (`unsubscribe`); `None`
/// when there is nothing in any of its lists.
pub fn digest(digest: &Digest, base: &str, unsubscribe: &str) -> Option<NewMessage> {
    if digest.is_empty() {
        return None;
    }
    let Digest {
        to,
        scope,
        monday,
        overdue,
        due,
        done,
    } = digest;
    let lists = [
        ("Overdue", overdue),
        ("Due this week", due),
        ("Done in the past week", done),
    ];
    let subject = format!(
        "This week's action items for {scope}: {} overdue, {} due",
        overdue.len(),
        due.len()
    );
    let mut text = format!("Hello {},\n\nThe week of {monday} for {scope}.\n", to.name);
    for (heading, list) in lists {
        text.push_str(&format!("\n{heading} ({})\n", list.len()));
        for item in list {
            text.push_str(&item_line(item, &[], base));
            text.push('\n');
        }
    }
    text.push_str(&format!("\nStop these digests: {unsubscribe}\n"));
    let html = layout(
        &subject,
        html! {
            p { "Hello " (to.name) "," }
            p { "The week of " (monday) " for " (scope) "." }
            @for (heading, list) in lists {
                h2 { (heading) " (" (list.len()) ")" }
                @if list.is_empty() { p { "None." } } @else { (item_list(&list.iter().collect::<Vec<_>>(), &BTreeMap::new(), base)) }
            }
            p { a href=(unsubscribe) { "Stop these digests" } }
        },
    );
    Some(NewMessage {
        kind: "digest".to_owned(),
        recipient: to.email.clone(),
        recipient_id: Some(to.id),
        subject,
        text_body: text,
        html_body: html,
        dedupe_key: Some(format!("digest:{}:{monday}", to.id)),
        list_unsubscribe: Some(unsubscribe.to_owned()),
    })
}

/// A link to set a new password, to the person who asked; `url` holds the
/// signed token. One per person per ten minutes (`window`, the number of
/// the ten minutes it was asked in).
pub fn password_reset(to: &Recipient, url: &str, window: i64) -> NewMessage {
    let subject = "Set a new password for campus-visits".to_owned();
    let text = format!(
        "Hello {},\n\nSomeone (we hope you) asked to set a new password for your account.\nThis link works once, for one hour:\n\n{url}\n\nIf it was not you, ignore this message; your password stays as it is.\n",
        to.name
    );
    let html = layout(
        &subject,
        html! {
            p { "Hello " (to.name) "," }
            p { "Someone (we hope you) asked to set a new password for your account. This link works once, for one hour:" }
            p { a href=(url) { "Set a new password" } }
            p { "If it was not you, ignore this message; your password stays as it is." }
        },
    );
    NewMessage {
        kind: "password_reset".to_owned(),
        recipient: to.email.clone(),
        recipient_id: Some(to.id),
        subject,
        text_body: text,
        html_body: html,
        dedupe_key: Some(format!("password_reset:{}:{window}", to.id)),
        list_unsubscribe: None,
    }
}

/// An invitation to a new person: a link that works once, for seven days,
/// to set their password, or (`sso`, the district's name, when single
/// sign-on is on) to sign in with the district's provider. One message per
/// invitation (`invitation_id`).
pub fn invitation(
    to: &Recipient,
    url: &str,
    sso: Option<&str>,
    invited_by: &str,
    invitation_id: i64,
) -> NewMessage {
    let subject = "You are invited to campus-visits".to_owned();
    let how = match sso {
        Some(district) => {
            format!("Open this link to join, then sign in with {district} (or set a password):")
        }
        None => "Open this link to set your password and sign in:".to_owned(),
    };
    let text = format!(
        "Hello {},\n\n{invited_by} added you to campus-visits, where the district records its campus visits and follows up their action items.\n{how}\n\n{url}\n\nThe link works once, for {} days. If you did not expect this message, ignore it.\n",
        to.name,
        crate::domain::invitation::LIFETIME_DAYS
    );
    let html = layout(
        &subject,
        html! {
            p { "Hello " (to.name) "," }
            p { (invited_by) " added you to campus-visits, where the district records its campus visits and follows up their action items." }
            p { (how) }
            p { a href=(url) { "Accept the invitation" } }
            p { "The link works once, for " (crate::domain::invitation::LIFETIME_DAYS) " days. If you did not expect this message, ignore it." }
        },
    );
    NewMessage {
        kind: "invitation".to_owned(),
        recipient: to.email.clone(),
        recipient_id: Some(to.id),
        subject,
        text_body: text,
        html_body: html,
        dedupe_key: Some(format!("invitation:{invitation_id}")),
        list_unsubscribe: None,
    }
}

/// "Thursday 14 February 2027, 13:30–16:00 at Room 4 (Wednesday training)".
fn session_when(session: &Session) -> String {
    let series = session
        .series
        .as_ref()
        .map(|s| format!(" ({})", s.name))
        .unwrap_or_default();
    format!(
        "{}, {}–{} at {}{series}",
        session.on_date.format("%A %-d %B %Y"),
        session.starts_at,
        session.ends_at,
        session.place
    )
}

fn learning_message(
    kind: &str,
    to: &Recipient,
    subject: String,
    text: String,
    html: Markup,
    dedupe_key: Option<String>,
) -> NewMessage {
    NewMessage {
        kind: kind.to_owned(),
        recipient: to.email.clone(),
        recipient_id: Some(to.id),
        html_body: layout(&subject, html),
        subject,
        text_body: text,
        dedupe_key,
        list_unsubscribe: None,
    }
}

/// The confirmation of a campus's registration, to each person told.
pub fn registration(notice: &RegistrationNotice, base: &str) -> Vec<NewMessage> {
    let session = &notice.session;
    let url = format!("{base}/learning/sessions/{}", session.id);
    let when = session_when(session);
    let seats =
        crate::domain::fields::plural(notice.participants as usize, "participant", "participants");
    notice
        .to
        .iter()
        .map(|to| {
            let subject = format!(
                "Registered: {} on {} for {}",
                session.offering.name, session.on_date, notice.school.name
            );
            let text = format!(
                "Hello {},\n\n{} is registered with {seats} for {}.\n{when}\n\nThe registration and the session: {url}\n",
                to.name, notice.school.name, session.offering.name
            );
            let html = html! {
                p { "Hello " (to.name) "," }
                p { (notice.school.name) " is registered with " (seats) " for " strong { (session.offering.name) } "." }
                p { (when) }
                p { a href=(url) { "The registration and the session" } }
            };
            learning_message("registration", to, subject, text, html, None)
        })
        .collect()
}

/// The reminder the day before a session.
pub fn session_reminder(reminder: &SessionReminder, base: &str) -> NewMessage {
    let session = &reminder.session;
    let url = format!("{base}/learning/sessions/{}", session.id);
    let when = session_when(session);
    let subject = format!(
        "Tomorrow: {} ({})",
        session.offering.name, reminder.school.name
    );
    let seats = crate::domain::fields::plural(
        reminder.participants as usize,
        "participant",
        "participants",
    );
    let text = format!(
        "Hello {},\n\n{} has {seats} registered for {} tomorrow.\n{when}\n\n{url}\n",
        reminder.to.name, reminder.school.name, session.offering.name
    );
    let html = html! {
        p { "Hello " (reminder.to.name) "," }
        p { (reminder.school.name) " has " (seats) " registered for " strong { (session.offering.name) } " tomorrow." }
        p { (when) }
        p { a href=(url) { "The session" } }
    };
    let key = format!(
        "session_reminder:{}:{}:{}",
        session.id, reminder.school.id, reminder.to.id
    );
    learning_message(
        "session_reminder",
        &reminder.to,
        subject,
        text,
        html,
        Some(key),
    )
}

/// The list of registered campuses a few days before a session.
pub fn session_list(list: &SessionList, base: &str) -> NewMessage {
    let session = &list.session;
    let url = format!("{base}/learning/sessions/{}", session.id);
    let when = session_when(session);
    let total: i32 = list.registrations.iter().map(|r| r.participants).sum();
    let subject = format!(
        "{} on {}: {total} of {} seats registered",
        session.offering.name, session.on_date, session.capacity
    );
    let mut text = format!(
        "Hello {},\n\n{} — {when}\n{total} of {} seats registered.\n\n",
        list.to.name, session.offering.name, session.capacity
    );
    if list.registrations.is_empty() {
        text.push_str("No campus has registered yet.\n");
    }
    for r in &list.registrations {
        text.push_str(&format!("- {}: {}\n", r.school.name, r.participants));
    }
    text.push_str(&format!("\n{url}\n"));
    let html = html! {
        p { "Hello " (list.to.name) "," }
        p { strong { (session.offering.name) } " — " (when) }
        p { (total) " of " (session.capacity) " seats registered." }
        @if list.registrations.is_empty() { p { "No campus has registered yet." } }
        @else { ul { @for r in &list.registrations { li { (r.school.name) ": " (r.participants) } } } }
        p { a href=(url) { "The session and its registrations" } }
    };
    let key = format!("session_list:{}:{}", session.id, list.to.id);
    learning_message("session_list", &list.to, subject, text, html, Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::action_item::{Kind, Priority};
    use crate::domain::message::ReminderKind;
    use crate::domain::user::Link;
    use chrono::NaiveDate;

    const BASE: &str = "https://visits.example.org";

    fn person(id: i64, name: &str) -> Recipient {
        Recipient {
            id,
            name: name.to_owned(),
            email: format!("{}@district.example.org", name.to_lowercase()),
        }
    }

    fn link(id: i64, name: &str) -> Link {
        Link {
            id,
            name: name.to_owned(),
        }
    }

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    fn item(id: i64, title: &str, status: Status, department: Option<Link>) -> Item {
        Item {
            id,
            visit_id: 5,
            visit_date: date(1),
            school: link(1, "Lincoln Middle"),
            kind: if department.is_some() {
                Kind::Department
            } else {
                Kind::School
            },
            department,
            title: title.to_owned(),
            evidence: String::new(),
            source_key: None,
            edited: false,
            status,
            reason: String::new(),
            priority: Priority::Normal,
            owner: None,
            due_on: Some(date(20)),
            version: 1,
            look_fors: Vec::new(),
        }
    }

    fn owned(mut item: Item, owner: &Recipient) -> Item {
        item.owner = Some(link(owner.id, &owner.name));
        item
    }

    /// Lincoln Middle's visit: a school step, a Math item owned by Omar, a
    /// Math item resolved on the spot, a dropped proposal; Lee leads the
    /// campus, Hana heads Math.
    fn summary() -> VisitSummary {
        let (lee, hana, omar) = (person(10, "Lee"), person(11, "Hana"), person(12, "Omar"));
        let math = || Some(link(3, "Math"));
        VisitSummary {
            visit_id: 5,
            campus: "Lincoln Middle".to_owned(),
            date: date(1),
            strengths: "  Warm greetings at the door.  ".to_owned(),
            problems: vec!["Few students explain their thinking".to_owned()],
            items: vec![
                item(1, "Post the learning target", Status::Open, None),
                owned(item(2, "Model number talks", Status::Open, math()), &omar),
                item(3, "Order manipulatives", Status::Resolved, math()),
                item(4, "Rewrite the pacing guide", Status::Dropped, math()),
            ],
            leaders: vec![lee],
            heads: [(3, vec![hana])].into_iter().collect(),
            owners: [(12, omar)].into_iter().collect(),
            learning: BTreeMap::new(),
        }
    }

    fn wednesday_session(id: i64) -> Session {
        Session {
            id,
            offering: link(8, "Number talks"),
            department: link(3, "Math"),
            credit_tenths: 25,
            series: Some(link(2, "Wednesday training")),
            on_date: date(17),
            starts_at: "13:30".to_owned(),
            ends_at: "16:00".to_owned(),
            place: "Room 4, Central Office".to_owned(),
            capacity: 22,
            taken: 6,
            facilitator: None,
            cancelled: false,
        }
    }

    #[test]
    fn the_summary_lists_each_items_linked_sessions_with_dates_and_places() {
        let mut facts = summary();
        let session = |item_id, session| ItemLearning {
            item_id,
            offering: link(8, "Number talks"),
            session,
        };
        facts.learning.insert(
            2,
            vec![
                session(2, Some(wednesday_session(31))),
                ItemLearning {
                    item_id: 2,
                    offering: link(9, "Checks for understanding"),
                    session: None,
                },
            ],
        );
        let messages = visit_summary(&facts, BASE);
        // The campus's leaders and the department's head both see it.
        for message in &messages[..2] {
            for body in [&message.text_body, &message.html_body] {
                assert!(
                    body.contains("Number talks, 2027-03-17 13:30–16:00, Room 4, Central Office"),
                    "{body}"
                );
                assert!(body.contains("Checks for understanding (no session chosen yet)"));
            }
            assert!(message
                .html_body
                .contains(&format!("{BASE}/learning/sessions/31")));
            assert!(message
                .html_body
                .contains(&format!("{BASE}/learning/offerings/9")));
        }
        // Only the linked item carries it.
        let text = &messages[0].text_body;
        let step = text.find("Post the learning target").unwrap();
        let model = text.find("Model number talks").unwrap();
        assert!(!text[step..model].contains("Learning:"), "{text}");
        let mut cancelled = wednesday_session(31);
        cancelled.cancelled = true;
        facts.learning.insert(2, vec![session(2, Some(cancelled))]);
        let text = &visit_summary(&facts, BASE)[0].text_body;
        assert!(text.contains("Learning: Number talks, 2027-03-17 13:30–16:00 (cancelled)"));
    }

    #[test]
    fn a_published_visit_tells_its_leaders_its_department_heads_and_the_owners_they_miss() {
        let messages = visit_summary(&summary(), BASE);
        let to: Vec<(&str, &str)> = messages
            .iter()
            .map(|m| (m.recipient.as_str(), m.kind.as_str()))
            .collect();
        assert_eq!(
            to,
            [
                ("lee@district.example.org", "visit_summary"),
                ("hana@district.example.org", "visit_summary"),
                ("omar@district.example.org", "assignment"),
            ]
        );
        let leader = &messages[0];
        assert_eq!(
            leader.subject,
            "Visit to Lincoln Middle on 2027-03-01: Action steps and department items for your campus"
        );
        assert_eq!(leader.dedupe_key.as_deref(), Some("visit_summary:5:10"));
        for body in [&leader.text_body, &leader.html_body] {
            assert!(body.contains("Warm greetings at the door."), "{body}");
            assert!(body.contains("Few students explain their thinking"));
            assert!(body.contains("Post the learning target"));
            assert!(body.contains(&format!("{BASE}/items/2")));
            assert!(body.contains("Resolved during the visit"));
            assert!(body.contains("Order manipulatives"));
            assert!(
                !body.contains("Rewrite the pacing guide"),
                "dropped: {body}"
            );
        }
        let head = &messages[1];
        assert_eq!(
            head.subject,
            "Visit to Lincoln Middle on 2027-03-01: Math's action items"
        );
        assert!(!head.text_body.contains("Post the learning target"));
        assert!(head.text_body.contains("Model number talks"));
        assert!(messages[2].subject.contains("Model number talks"));
    }

    #[test]
    fn an_owner_the_summaries_reach_gets_no_assignment_and_a_resolved_item_asks_nothing() {
        let mut facts = summary();
        // Omar now heads Math: his summary already names his item.
        facts.heads.insert(3, vec![person(12, "Omar")]);
        facts.items[2].owner = Some(link(13, "Ruth"));
        facts.owners.insert(13, person(13, "Ruth"));
        let messages = visit_summary(&facts, BASE);
        let kinds: Vec<&str> = messages.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["visit_summary", "visit_summary"]);
    }

    #[test]
    fn an_owner_who_is_no_longer_active_is_not_written_to() {
        let mut facts = summary();
        facts.owners.clear();
        assert_eq!(visit_summary(&facts, BASE).len(), 2);
    }

    #[test]
    fn what_people_typed_is_escaped_in_the_html_and_left_as_typed_in_the_text() {
        let mut facts = summary();
        facts.items[0].title = "<script>alert(1)</script> & more".to_owned();
        let leader = &visit_summary(&facts, BASE)[0];
        assert!(leader
            .html_body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(!leader.html_body.contains("<script>"));
        assert!(leader
            .text_body
            .contains("<script>alert(1)</script> & more"));
    }

    #[test]
    fn a_visit_with_nothing_to_do_says_none() {
        let mut facts = summary();
        facts.items.clear();
        let leader = &visit_summary(&facts, BASE)[0];
        assert!(leader.text_body.contains("None."));
        assert!(!leader.text_body.contains("Resolved during the visit"));
    }

    #[test]
    fn an_assignment_names_the_item_its_campus_its_due_day_and_where_to_update_it() {
        let omar = person(12, "Omar");
        let mut it = item(2, "Model number talks", Status::Open, Some(link(3, "Math")));
        it.evidence = "2 of 9 classrooms".to_owned();
        let message = assignment(&it, &omar, BASE);
        assert_eq!(message.subject, "Action item for you: Model number talks");
        assert_eq!(message.recipient_id, Some(12));
        for expected in [
            "Hello Omar,",
            "Math at Lincoln Middle, from the visit of 2027-03-01",
            "Due 2027-03-20",
            "Evidence: 2 of 9 classrooms",
            "Update it here: https://visits.example.org/items/2",
        ] {
            assert!(message.text_body.contains(expected), "{expected}");
        }
        let step = assignment(&item(1, "Post", Status::Open, None), &omar, BASE);
        assert!(step
            .text_body
            .contains("Lincoln Middle (school action step)"));
    }

    #[test]
    fn reminders_speak_to_the_owner_or_of_the_owner_to_a_copy() {
        let (omar, hana) = (person(12, "Omar"), person(11, "Hana"));
        let it = owned(
            item(2, "Model number talks", Status::InProgress, None),
            &omar,
        );
        let today = date(17);
        let soon = reminder(
            &Reminder {
                kind: ReminderKind::DueSoon,
                item: it.clone(),
                to: omar.clone(),
                soon_days: 3,
            },
            today,
            BASE,
        );
        assert_eq!(soon.subject, "Due 2027-03-20: Model number talks");
        assert!(soon.text_body.contains("is due on 2027-03-20, in 3 days"));
        assert_eq!(soon.dedupe_key.as_deref(), Some("due_soon:2:2027-03-17:12"));
        let late = |to: &Recipient, item: &Item| {
            reminder(
                &Reminder {
                    kind: ReminderKind::Overdue,
                    item: item.clone(),
                    to: to.clone(),
                    soon_days: 3,
                },
                date(21),
                BASE,
            )
        };
        let own = late(&omar, &it);
        assert_eq!(own.kind, "overdue");
        assert!(own
            .text_body
            .contains("This action item of yours was due on 2027-03-20 and is still in progress"));
        let copy = late(&hana, &it);
        assert!(copy.text_body.contains("An action item owned by Omar"));
        assert_eq!(copy.dedupe_key.as_deref(), Some("overdue:2:2027-03-21:11"));
        let ownerless = late(&hana, &item(1, "Post", Status::Open, None));
        assert!(ownerless
            .text_body
            .contains("An action item without an owner"));
    }

    #[test]
    fn a_digest_counts_its_lists_links_its_way_out_and_is_not_sent_empty() {
        let hana = person(11, "Hana");
        let monday = date(15);
        let mut week = Digest {
            to: hana,
            scope: "your department".to_owned(),
            monday,
            overdue: Vec::new(),
            due: Vec::new(),
            done: Vec::new(),
        };
        let way_out = "https://visits.example.org/unsubscribe/11/digest/ab";
        assert_eq!(digest(&week, BASE, way_out), None);
        week.overdue.push(item(1, "Late one", Status::Open, None));
        week.due.push(item(2, "Due one", Status::Open, None));
        week.done.push(item(3, "Done one", Status::Done, None));
        let message = digest(&week, BASE, way_out).expect("something to tell");
        assert_eq!(
            message.subject,
            "This week's action items for your department: 1 overdue, 1 due"
        );
        assert_eq!(message.list_unsubscribe.as_deref(), Some(way_out));
        assert_eq!(message.dedupe_key.as_deref(), Some("digest:11:2027-03-15"));
        for expected in [
            "Overdue (1)",
            "Due this week (1)",
            "Done in the past week (1)",
        ] {
            assert!(message.text_body.contains(expected), "{expected}");
            assert!(message.html_body.contains(expected), "{expected}");
        }
        assert!(message
            .text_body
            .contains(&format!("Stop these digests: {way_out}")));
    }

    #[test]
    fn a_password_reset_carries_its_link_and_one_key_per_ten_minutes() {
        let ana = person(4, "Ana");
        let url = "https://visits.example.org/password/reset/4-99-abc";
        let message = password_reset(&ana, url, 321);
        assert_eq!(message.kind, "password_reset");
        assert_eq!(message.recipient, "ana@district.example.org");
        assert!(message.text_body.contains(url));
        assert!(message.html_body.contains(url));
        assert_eq!(message.dedupe_key.as_deref(), Some("password_reset:4:321"));
    }

    #[test]
    fn an_invitation_names_who_sent_it_its_link_and_the_district_s_provider() {
        let ana = person(4, "Ana");
        let url = "https://visits.example.org/invitations/ab12";
        let plain = invitation(&ana, url, None, "Dana Reyes", 17);
        assert_eq!(plain.kind, "invitation");
        assert_eq!(plain.dedupe_key.as_deref(), Some("invitation:17"));
        assert!(plain.text_body.contains("Dana Reyes added you"));
        assert!(plain.text_body.contains("set your password"));
        assert!(plain.text_body.contains("for 7 days"));
        assert!(plain.html_body.contains(url) && plain.text_body.contains(url));
        let sso = invitation(&ana, url, Some("Riverside ISD"), "Dana <b>Reyes</b>", 18);
        assert!(sso.text_body.contains("sign in with Riverside ISD"));
        assert!(
            sso.html_body.contains("Dana &lt;b&gt;Reyes&lt;/b&gt;"),
            "escaped"
        );
    }
}
