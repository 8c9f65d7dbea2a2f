//! The facts messages are built from: who hears of a published visit, which
//! reminders and digests are owed on a day. Only reads; `mail::messages`
//! makes the messages and the caller writes them with `outbox::enqueue`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::action_items::{self, Filter};
use super::visits::Viewer;
use super::{debriefs, settings, users, visits, DbConn, QueryResult};
use crate::domain::account::Role;
use crate::domain::action_item::Status;
use crate::domain::message::{
    digest_part, reminder_on, Digest, DigestPart, Recipient, RegistrationNotice, Reminder,
    ReminderKind, SessionList, SessionReminder, VisitSummary, SESSION_LIST_DAYS,
};
use crate::domain::read::items::Item;

/// Everything the summary of published visit `visit_id` tells, and to whom.
pub fn visit_summary(conn: &mut DbConn, visit_id: i64) -> QueryResult<VisitSummary> {
    let everyone = Viewer::everyone();
    let visit = visits::find_visible(conn, &everyone, visit_id)?;
    let debrief = debriefs::find(conn, visit_id)?;
    let items = action_items::list(
        conn,
        &everyone,
        &Filter {
            visit_id: Some(visit_id),
            published_only: true,
            ..Filter::default()
        },
    )?;
    let leaders = users::holding(conn, Role::SchoolLeader, Some(visit.school.id), None)?;
    let departments: BTreeSet<i64> = items
        .iter()
        .filter_map(|i| i.department.as_ref().map(|d| d.id))
        .collect();
    let mut heads = BTreeMap::new();
    for department_id in departments {
        let held = users::holding(conn, Role::DepartmentHead, None, Some(department_id))?;
        heads.insert(department_id, held);
    }
    let owner_ids: BTreeSet<i64> = items
        .iter()
        .filter_map(|i| i.owner.as_ref().map(|o| o.id))
        .collect();
    let mut owners = BTreeMap::new();
    for owner_id in owner_ids {
        if let Some(active) = users::active_contact(conn, owner_id)? {
            owners.insert(owner_id, active);
        }
    }
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut learning: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for link in crate::db::learning::items_learning(conn, &ids)? {
        learning.entry(link.item_id).or_default().push(link);
    }
    Ok(VisitSummary {
        visit_id,
        campus: visit.school.name,
        date: visit.date,
        strengths: debrief.strengths,
        problems: debrief
            .problems
            .into_iter()
            .map(|p| p.description)
            .collect(),
        items,
        leaders,
        heads,
        owners,
        learning,
    })
}

/// Item `item_id` and its owner `owner_id`, when that person is active:
/// what an assignment message tells.
pub fn assignment(
    conn: &mut DbConn,
    item_id: i64,
    owner_id: i64,
) -> QueryResult<Option<(Item, Recipient)>> {
    let item = action_items::find_visible(conn, &Viewer::everyone(), item_id)?;
    Ok(users::active_contact(conn, owner_id)?.map(|owner| (item, owner)))
}

/// The reminders owed on `today`: to each owner of an open published item
/// due in the district's "due soon" days; and, for an item past its due
/// date (the day after, then weekly), to its owner and to the department's
/// heads (department items) or the campus's leaders (school steps).
pub fn reminders(conn: &mut DbConn, today: NaiveDate) -> QueryResult<Vec<Reminder>> {
    let soon_days = settings::find(conn)?.due_soon_days;
    let open: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|s| s.awaits_owner())
        .collect();
    let items = action_items::list(
        conn,
        &Viewer::everyone(),
        &Filter {
            statuses: open,
            published_only: true,
            without_look_fors: true,
            ..Filter::default()
        },
    )?;
    let mut reminders = Vec::new();
    for item in items {
        let Some(kind) = reminder_on(item.status, item.due_on, today, soon_days) else {
            continue;
        };
        let mut to = Vec::new();
        if let Some(owner) = &item.owner {
            to.extend(users::active_contact(conn, owner.id)?);
        }
        if kind == ReminderKind::Overdue {
            to.extend(match &item.department {
                Some(d) => users::holding(conn, Role::DepartmentHead, None, Some(d.id))?,
                None => users::holding(conn, Role::SchoolLeader, Some(item.school.id), None)?,
            });
        }
        let mut seen = BTreeSet::new();
        for person in to.into_iter().filter(|p| seen.insert(p.id)) {
            reminders.push(Reminder {
                kind,
                item: item.clone(),
                to: person,
                soon_days,
            });
        }
    }
    Ok(reminders)
}

/// The digests of the week starting `monday`, one to each school leader
/// (their campus's published items) and department head (their
/// department's); empty ones included, for the caller to skip.
pub fn digests(conn: &mut DbConn, monday: NaiveDate) -> QueryResult<Vec<Digest>> {
    debug_assert_eq!(monday.weekday(), chrono::Weekday::Mon);
    let since = (monday - chrono::Duration::days(7))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let done_lately = action_items::done_since(conn, since)?;
    let mut digests = Vec::new();
    for (role, scope) in [
        (Role::SchoolLeader, "your campus"),
        (Role::DepartmentHead, "your department"),
    ] {
        for holder in users::holders(conn, role)? {
            let viewer = Viewer {
                user_id: holder.contact.id,
                roles: [role].into_iter().collect(),
                school_id: holder.school_id,
                department_id: holder.department_id,
            };
            let whose = match role {
                Role::SchoolLeader => Filter {
                    school_id: Some(holder.school_id.unwrap_or(-1)),
                    ..Filter::default()
                },
                _ => Filter {
                    department_id: Some(holder.department_id.unwrap_or(-1)),
                    ..Filter::default()
                },
            };
            let items = action_items::list(
                conn,
                &viewer,
                &Filter {
                    published_only: true,
                    without_look_fors: true,
                    ..whose
                },
            )?;
            let mut digest = Digest {
                to: holder.contact,
                scope: scope.to_owned(),
                monday,
                overdue: Vec::new(),
                due: Vec::new(),
                done: Vec::new(),
            };
            for item in items {
                let lately = done_lately.contains(&item.id);
                match digest_part(item.status, item.due_on, monday, lately) {
                    Some(DigestPart::Overdue) => digest.overdue.push(item),
                    Some(DigestPart::DueThisWeek) => digest.due.push(item),
                    Some(DigestPart::DoneThisPastWeek) => digest.done.push(item),
                    None => {}
                }
            }
            digests.push(digest);
        }
    }
    Ok(digests)
}

/// Who hears of campus `school_id`'s registration for session
/// `session_id`: its leaders, and `by` (who registered) when active.
pub fn registration(
    conn: &mut DbConn,
    session_id: i64,
    school_id: i64,
    by: i64,
) -> QueryResult<RegistrationNotice> {
    let session = super::learning::session(conn, session_id)?;
    let registration = super::learning::registration(conn, session_id, school_id)?
        .ok_or(diesel::result::Error::NotFound)?;
    let mut to = users::holding(conn, Role::SchoolLeader, Some(school_id), None)?;
    if !to.iter().any(|r| r.id == by) {
        to.extend(users::active_contact(conn, by)?);
    }
    Ok(RegistrationNotice {
        session,
        school: registration.school,
        participants: registration.participants,
        to,
    })
}

/// The reminders owed on `today` for sessions tomorrow: to the leaders of
/// each registered campus.
pub fn session_reminders(conn: &mut DbConn, today: NaiveDate) -> QueryResult<Vec<SessionReminder>> {
    let tomorrow = today + chrono::Duration::days(1);
    let sessions = super::learning::sessions(
        conn,
        &super::learning::SessionFilter {
            from: Some(tomorrow),
            to: Some(tomorrow),
            ..Default::default()
        },
    )?;
    let mut reminders = Vec::new();
    for session in sessions {
        for registration in super::learning::registrations(conn, session.id)? {
            let leaders =
                users::holding(conn, Role::SchoolLeader, Some(registration.school.id), None)?;
            for to in leaders {
                reminders.push(SessionReminder {
                    session: session.clone(),
                    school: registration.school.clone(),
                    participants: registration.participants,
                    to,
                });
            }
        }
    }
    Ok(reminders)
}

/// The lists owed on `today`: for each session in
/// [`SESSION_LIST_DAYS`] days, to the heads of the department running it.
pub fn session_lists(conn: &mut DbConn, today: NaiveDate) -> QueryResult<Vec<SessionList>> {
    let day = today + chrono::Duration::days(SESSION_LIST_DAYS);
    let sessions = super::learning::sessions(
        conn,
        &super::learning::SessionFilter {
            from: Some(day),
            to: Some(day),
            ..Default::default()
        },
    )?;
    let mut lists = Vec::new();
    for session in sessions {
        let registrations = super::learning::registrations(conn, session.id)?;
        for to in users::holding(
            conn,
            Role::DepartmentHead,
            None,
            Some(session.department.id),
        )? {
            lists.push(SessionList {
                session: session.clone(),
                registrations: registrations.clone(),
                to,
            });
        }
    }
    Ok(lists)
}

/// Who hears of the campus's response to visit `visit_id`, and what it says.
pub fn response_notice(
    conn: &mut DbConn,
    visit_id: i64,
) -> QueryResult<Option<crate::domain::message::ResponseNotice>> {
    let Some(response) = super::responses::find(conn, visit_id)? else {
        return Ok(None);
    };
    let everyone = Viewer::everyone();
    let visit = visits::find_visible(conn, &everyone, visit_id)?;
    let items = action_items::list(
        conn,
        &everyone,
        &Filter {
            visit_id: Some(visit_id),
            published_only: true,
            without_look_fors: true,
            ..Filter::default()
        },
    )?;
    let departments: BTreeSet<i64> = items
        .iter()
        .filter_map(|i| i.department.as_ref().map(|d| d.id))
        .chain(response.needs.iter().map(|n| n.department.id))
        .collect();
    let mut heads = BTreeMap::new();
    for department_id in departments {
        let held = users::holding(conn, Role::DepartmentHead, None, Some(department_id))?;
        heads.insert(department_id, held);
    }
    let lead = match visit.lead.as_ref() {
        Some(lead) => users::active_contact(conn, lead.id)?,
        None => None,
    };
    Ok(Some(crate::domain::message::ResponseNotice {
        visit_id,
        campus: visit.school.name,
        date: visit.date,
        response,
        heads,
        lead,
    }))
}
