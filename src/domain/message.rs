//! Email as values: what goes into the outbox, what a worker claims from
//! it, and the facts each kind of message is built from. `db/` reads the
//! facts, `mail::messages` turns them into messages; neither knows the
//! other.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::action_item::Status;
use crate::domain::read::items::Item;

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub kind: String,
    pub recipient: String,
    pub recipient_id: Option<i64>,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// At most one message per key (a reminder of one kind for one item on
    /// one day); `None` when no such guard is needed.
    pub dedupe_key: Option<String>,
    /// The One-Click unsubscribe address, for messages one can turn off
    /// from the message itself (digests).
    pub list_unsubscribe: Option<String>,
}

/// A message a worker holds under its lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
    pub list_unsubscribe: Option<String>,
}

/// A person an email goes to: someone active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// What the summary of a published visit is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitSummary {
    pub visit_id: i64,
    pub campus: String,
    pub date: NaiveDate,
    pub strengths: String,
    pub problems: Vec<String>,
    /// The published items (dropped and merged proposals are not among
    /// them), without their look-fors.
    pub items: Vec<Item>,
    /// The campus's leaders.
    pub leaders: Vec<Recipient>,
    /// The heads of each department with items, by department id.
    pub heads: BTreeMap<i64, Vec<Recipient>>,
    /// The owners of the items who are active, by person id.
    pub owners: BTreeMap<i64, Recipient>,
    /// The offerings and sessions each item is linked to, by item id.
    pub learning: BTreeMap<i64, Vec<crate::domain::read::learning::ItemLearning>>,
}

/// Which reminder an item is owed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// Due in the district's "due soon" days.
    DueSoon,
    /// Past its due date: the day after, then weekly.
    Overdue,
}

impl ReminderKind {
    /// The kind of message, as stored and as a person turns it off.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::DueSoon => "due_soon",
            ReminderKind::Overdue => "overdue",
        }
    }
}

/// The reminder an item with `status` and `due_on` is owed on `today`, if
/// any: `soon_days` before its due day, and one day after it, then every
/// seven days while it still asks its owner for work.
pub fn reminder_on(
    status: Status,
    due_on: Option<NaiveDate>,
    today: NaiveDate,
    soon_days: i64,
) -> Option<ReminderKind> {
    let due = due_on.filter(|_| status.awaits_owner())?;
    let late = (today - due).num_days();
    if late == -soon_days {
        Some(ReminderKind::DueSoon)
    } else if late >= 1 && late % 7 == 1 {
        Some(ReminderKind::Overdue)
    } else {
        None
    }
}

/// One reminder to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub item: Item,
    pub to: Recipient,
    /// The district's "due soon" days, which the message names.
    pub soon_days: i64,
}

/// Where an item stands in a week's digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestPart {
    Overdue,
    DueThisWeek,
    DoneThisPastWeek,
}

/// The part of the digest of the week starting `monday` that an item
/// belongs to, if any. `done_lately` says whether it was marked done or
/// verified in the seven days before.
pub fn digest_part(
    status: Status,
    due_on: Option<NaiveDate>,
    monday: NaiveDate,
    done_lately: bool,
) -> Option<DigestPart> {
    let week_end = monday + chrono::Duration::days(6);
    if status.awaits_owner() {
        match due_on {
            Some(due) if due < monday => Some(DigestPart::Overdue),
            Some(due) if due <= week_end => Some(DigestPart::DueThisWeek),
            _ => None,
        }
    } else if matches!(status, Status::Done | Status::Verified) && done_lately {
        Some(DigestPart::DoneThisPastWeek)
    } else {
        None
    }
}

/// One person's digest of a week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub to: Recipient,
    /// Whose items these are, as the message says: "your campus".
    pub scope: String,
    pub monday: NaiveDate,
    pub overdue: Vec<Item>,
    pub due: Vec<Item>,
    pub done: Vec<Item>,
}

impl Digest {
    /// Whether there is anything to tell.
    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty() && self.due.is_empty() && self.done.is_empty()
    }
}

/// What a registration's confirmation tells, and to whom: the campus's
/// leaders and the person who registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationNotice {
    pub session: crate::domain::read::learning::Session,
    pub school: crate::domain::user::Link,
    pub participants: i32,
    pub to: Vec<Recipient>,
}

/// The reminder the day before a session to a registered campus's leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionReminder {
    pub session: crate::domain::read::learning::Session,
    pub school: crate::domain::user::Link,
    pub participants: i32,
    pub to: Recipient,
}

/// The list of registered campuses a few days before a session, to the
/// heads of the department running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionList {
    pub session: crate::domain::read::learning::Session,
    pub registrations: Vec<crate::domain::read::learning::Registration>,
    pub to: Recipient,
}

/// How many days before a session its department receives the list.
pub const SESSION_LIST_DAYS: i64 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    #[test]
    fn reminders_come_before_the_due_day_then_the_day_after_and_weekly() {
        use ReminderKind::*;
        use Status::*;
        // (status, due, today, expected) with three "due soon" days.
        let table = [
            (Open, Some(day(10)), day(7), Some(DueSoon)),
            (InProgress, Some(day(10)), day(7), Some(DueSoon)),
            (Blocked, Some(day(10)), day(7), Some(DueSoon)),
            (Open, Some(day(10)), day(6), None),
            (Open, Some(day(10)), day(8), None),
            (Open, Some(day(10)), day(10), None),
            (Open, Some(day(10)), day(11), Some(Overdue)),
            (Open, Some(day(10)), day(12), None),
            (Open, Some(day(10)), day(17), None),
            (Open, Some(day(10)), day(18), Some(Overdue)),
            (Open, Some(day(10)), day(25), Some(Overdue)),
            (Done, Some(day(10)), day(7), None),
            (Done, Some(day(10)), day(11), None),
            (Verified, Some(day(10)), day(11), None),
            (Dropped, Some(day(10)), day(11), None),
            (Proposed, Some(day(10)), day(7), None),
            (Resolved, Some(day(10)), day(11), None),
            (Open, None, day(11), None),
        ];
        for (status, due, today, expected) in table {
            assert_eq!(
                reminder_on(status, due, today, 3),
                expected,
                "{status:?} due {due:?} on {today}"
            );
        }
    }

    #[test]
    fn a_digest_sorts_items_into_overdue_due_this_week_and_done_lately() {
        use DigestPart::*;
        use Status::*;
        let monday = day(8);
        let table = [
            (Open, Some(day(7)), false, Some(Overdue)),
            (Blocked, Some(day(1)), false, Some(Overdue)),
            (Open, Some(day(8)), false, Some(DueThisWeek)),
            (InProgress, Some(day(14)), false, Some(DueThisWeek)),
            (Open, Some(day(15)), false, None),
            (Open, None, false, None),
            (Done, Some(day(7)), true, Some(DoneThisPastWeek)),
            (Verified, None, true, Some(DoneThisPastWeek)),
            (Done, Some(day(7)), false, None),
            (Dropped, Some(day(7)), true, None),
            (Proposed, Some(day(9)), false, None),
        ];
        for (status, due, done_lately, expected) in table {
            assert_eq!(
                digest_part(status, due, monday, done_lately),
                expected,
                "{status:?} due {due:?}, done lately {done_lately}"
            );
        }
    }
}

/// What the campus's response to a debrief tells the departments it
/// concerns and the visit's lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseNotice {
    pub visit_id: i64,
    pub campus: String,
    pub date: NaiveDate,
    pub response: crate::domain::read::debriefs::CampusResponse,
    /// The heads of each department the response names or with items from
    /// the visit, by department id.
    pub heads: BTreeMap<i64, Vec<Recipient>>,
    pub lead: Option<Recipient>,
}
