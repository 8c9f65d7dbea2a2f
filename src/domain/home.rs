//! The start page by role: what each person sees first, and the rules that
//! pick it (which items are overdue or due soon, which visits come next).

use chrono::{Duration, NaiveDate};

use super::account::Role;
use super::action_item::Status;
use super::visit::VisitStatus;

/// Items due within this many days count as due soon.
pub const DUE_SOON_DAYS: i64 = 14;

/// How many rows each list on the start page shows at most (each says how
/// many more there are and links to the full list).
pub const LIST_LIMIT: i64 = 12;

/// Where an item stands against its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Still awaiting its owner after its due day.
    Overdue,
    /// Awaiting its owner, due within `DUE_SOON_DAYS` days (today included).
    DueSoon,
    /// Due later, with no date, or no longer awaiting its owner.
    Later,
}

impl Urgency {
    pub fn of(status: Status, due_on: Option<NaiveDate>, today: NaiveDate) -> Urgency {
        match due_on {
            _ if !status.awaits_owner() => Urgency::Later,
            Some(due) if due < today => Urgency::Overdue,
            Some(due) if due < due_soon_until(today) => Urgency::DueSoon,
            _ => Urgency::Later,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Urgency::Overdue => "Overdue",
            Urgency::DueSoon => "Due soon",
            Urgency::Later => "",
        }
    }
}

/// The first day that is no longer "due soon" from `today`.
pub fn due_soon_until(today: NaiveDate) -> NaiveDate {
    today + Duration::days(DUE_SOON_DAYS)
}

/// The statuses of an item still asking its owner for work.
pub fn open_statuses() -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|s| s.awaits_owner())
        .collect()
}

/// Whether a visit is still ahead of its team: planned or under way.
pub fn is_upcoming(status: VisitStatus) -> bool {
    matches!(status, VisitStatus::Planned | VisitStatus::InProgress)
}

/// Whether a visit's report is on record (what a school leader reads).
pub fn has_report(status: VisitStatus) -> bool {
    matches!(status, VisitStatus::Published | VisitStatus::Closed)
}

/// The panels a person's start page shows, in order: one per role they
/// hold, and the directory for administrators. A school leader without a
/// campus or a department head without a department has no panel for it.
pub fn panels(
    roles: &std::collections::BTreeSet<Role>,
    school: Option<i64>,
    department: Option<i64>,
) -> Vec<Panel> {
    let mut panels = Vec::new();
    if roles.contains(&Role::SchoolLeader) && school.is_some() {
        panels.push(Panel::Campus);
    }
    if roles.contains(&Role::DepartmentHead) && department.is_some() {
        panels.push(Panel::Department);
    }
    if roles.contains(&Role::VisitLead) {
        panels.push(Panel::Rotation);
    }
    if roles.contains(&Role::Visitor) || roles.contains(&Role::VisitLead) {
        panels.push(Panel::MyVisits);
    }
    if roles.contains(&Role::Admin) {
        panels.push(Panel::Directory);
    }
    panels
}

/// A part of the start page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// A school leader's campus: open steps, department items, the next
    /// visit, the last report.
    Campus,
    /// A department head's items overdue and due soon, and the next visits
    /// to the campuses they concern.
    Department,
    /// A visit lead's rotation and the debriefs awaiting publication.
    Rotation,
    /// A visitor's next visits, with their capture pages.
    MyVisits,
    /// The directory's counts, for administrators.
    Directory,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    #[test]
    fn urgency_follows_the_due_day_while_the_item_awaits_its_owner() {
        let today = day(10);
        // (status, due, urgency)
        let table = [
            (Status::Open, Some(day(9)), Urgency::Overdue),
            (Status::InProgress, Some(day(1)), Urgency::Overdue),
            (Status::Blocked, Some(day(9)), Urgency::Overdue),
            (Status::Open, Some(day(10)), Urgency::DueSoon),
            (Status::Open, Some(day(23)), Urgency::DueSoon),
            (Status::Open, Some(day(24)), Urgency::Later),
            (Status::Open, None, Urgency::Later),
            (Status::Done, Some(day(1)), Urgency::Later),
            (Status::Verified, Some(day(1)), Urgency::Later),
            (Status::Dropped, Some(day(12)), Urgency::Later),
            (Status::Proposed, Some(day(1)), Urgency::Later),
        ];
        for (status, due, want) in table {
            assert_eq!(
                Urgency::of(status, due, today),
                want,
                "{status:?} due {due:?}"
            );
        }
        assert_eq!(due_soon_until(today), day(24));
    }

    #[test]
    fn each_role_brings_its_panel() {
        use Panel::*;
        let roles = |list: &[Role]| list.iter().copied().collect();
        // (roles, school, department, panels)
        type Row<'a> = (&'a [Role], Option<i64>, Option<i64>, Vec<Panel>);
        let table: [Row; 8] = [
            (&[Role::SchoolLeader], Some(1), None, vec![Campus]),
            (&[Role::SchoolLeader], None, None, vec![]),
            (&[Role::DepartmentHead], None, Some(2), vec![Department]),
            (&[Role::DepartmentHead], None, None, vec![]),
            (&[Role::Visitor], None, None, vec![MyVisits]),
            (&[Role::VisitLead], None, None, vec![Rotation, MyVisits]),
            (&[Role::Admin], None, None, vec![Directory]),
            (
                &[Role::Visitor, Role::DepartmentHead, Role::SchoolLeader],
                Some(1),
                Some(2),
                vec![Campus, Department, MyVisits],
            ),
        ];
        for (list, school, department, want) in table {
            assert_eq!(panels(&roles(list), school, department), want, "{list:?}");
        }
    }

    #[test]
    fn upcoming_and_reported_visits_by_status() {
        // (status, upcoming, has a report)
        let table = [
            (VisitStatus::Planned, true, false),
            (VisitStatus::InProgress, true, false),
            (VisitStatus::Debriefed, false, false),
            (VisitStatus::Published, false, true),
            (VisitStatus::Closed, false, true),
        ];
        for (status, upcoming, report) in table {
            assert_eq!(is_upcoming(status), upcoming, "{status:?}");
            assert_eq!(has_report(status), report, "{status:?}");
        }
    }
}
