//! Visits: one campus, one day, one team.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;

use super::fields::FieldErrors;

text_enum! {
    /// Where a visit is in its life.
    pub enum VisitStatus {
        Planned = ("planned", "Planned"),
        InProgress = ("in_progress", "In progress"),
        Debriefed = ("debriefed", "Debriefed"),
        Published = ("published", "Published"),
        Closed = ("closed", "Closed"),
    }
    unknown = "Use planned, in_progress, debriefed, published or closed.";
}

impl VisitStatus {
    /// The one status a visit moves on to, if any.
    pub fn next(self) -> Option<VisitStatus> {
        match self {
            VisitStatus::Planned => Some(VisitStatus::InProgress),
            VisitStatus::InProgress => Some(VisitStatus::Debriefed),
            VisitStatus::Debriefed => Some(VisitStatus::Published),
            VisitStatus::Published => Some(VisitStatus::Closed),
            VisitStatus::Closed => None,
        }
    }

    /// Whether the visit is still being reviewed: snapshots may be recorded
    /// and changed, the debrief written, and action items are proposals.
    /// From publication on, the visit is the district's record.
    pub fn in_review(self) -> bool {
        matches!(
            self,
            VisitStatus::Planned | VisitStatus::InProgress | VisitStatus::Debriefed
        )
    }

    /// Whether the team may record and change snapshots.
    pub fn takes_observations(self) -> bool {
        self.in_review()
    }

    /// Whether the debrief may be written or changed.
    pub fn takes_debrief_edits(self) -> bool {
        self.in_review()
    }

    /// Why the visit takes no more observations, for the person trying.
    pub const CLOSED_TO_OBSERVATIONS: &'static str =
        "This visit's debrief is published; it takes no more observations.";

    /// Why the debrief no longer changes.
    pub const DEBRIEF_ON_RECORD: &'static str =
        "This visit is published: its debrief is on record and no longer changes.";
}

impl fmt::Display for VisitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

text_enum! {
    /// The parts of a visit's day.
    pub enum Segment {
        CampusTour = ("campus_tour", "Campus tour"),
        ClassroomObservations = ("classroom_observations", "Classroom observations"),
        StaffCollaboration = ("staff_collaboration", "Staff collaboration"),
        InstructionalPlanning = ("instructional_planning", "Instructional planning"),
        Debrief = ("debrief", "Debrief"),
    }
    unknown = "That is not an agenda segment.";
}

/// A visit ready to be stored; the ids are checked to exist by `db::visits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub school_id: i64,
    pub date: NaiveDate,
    pub lead_id: Option<i64>,
    pub framework_id: Option<i64>,
    pub focus: String,
    pub members: BTreeSet<i64>,
    pub segments: BTreeSet<Segment>,
}

/// A calendar day as typed: `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter the date.".to_owned());
    }
    super::fields::day_text(raw).and_then(super::fields::calendar_day)
}

impl NewVisit {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        school_id: Option<i64>,
        date: &str,
        lead_id: Option<i64>,
        framework_id: Option<i64>,
        focus: &str,
        members: BTreeSet<i64>,
        segments: BTreeSet<Segment>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if school_id.is_none() {
            errors.add("school_id", "Choose the campus.");
        }
        let date = errors.check("date", parse_date(date));
        let focus = focus.trim().to_owned();
        if focus.chars().count() > 2000 {
            errors.add("focus", "Use at most 2000 characters.");
        }
        match (school_id, date) {
            (Some(school_id), Some(date)) if errors.is_empty() => Ok(Self {
                school_id,
                date,
                lead_id,
                framework_id,
                focus,
                members,
                segments,
            }),
            _ => Err(errors),
        }
    }
}

/// What is on record about a visit, as far as changing its plan goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRecord {
    pub status: VisitStatus,
    pub school_id: i64,
    pub date: NaiveDate,
    pub framework_id: Option<i64>,
    /// How many snapshots the team recorded.
    pub observations: usize,
    /// The people who recorded them, with their names.
    pub authors: std::collections::BTreeMap<i64, String>,
    /// Whether items of this visit are published or this visit checked
    /// items of an earlier one: then other visits' history refers to it.
    pub has_record: bool,
    /// The day of the visit to the same campus just before this one.
    pub previous: Option<NaiveDate>,
    /// The day of the visit to the same campus just after this one.
    pub next: Option<NaiveDate>,
}

/// Why a change would break the record: the field and the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub field: &'static str,
    pub message: String,
}

/// Whether the plan of a visit may become `new`: the framework of a visit
/// with snapshots is fixed (they were ticked against its look-fors); the
/// campus of a visit with a record is fixed, and its day moves only
/// between the visits to the campus before and after it, so the order in
/// which visits checked each other's items stays true; people who recorded
/// snapshots stay on the team.
pub fn check_change(record: &VisitRecord, new: &NewVisit) -> Result<(), Conflict> {
    if record.observations > 0 && new.framework_id != record.framework_id {
        let snapshots = super::fields::plural(record.observations, "snapshot", "snapshots");
        return Err(Conflict {
            field: "framework_id",
            message: format!(
                "This visit has {snapshots} ticked against its framework's look-fors, so its framework can no longer change."
            ),
        });
    }
    if let Some(name) = record
        .authors
        .iter()
        .find(|(id, _)| !new.members.contains(id) && new.lead_id != Some(**id))
        .map(|(_, name)| name)
    {
        return Err(Conflict {
            field: "members",
            message: format!("{name} recorded snapshots on this visit and stays on its team."),
        });
    }
    if !record.has_record && record.status.in_review() {
        return Ok(());
    }
    if new.school_id != record.school_id {
        return Err(Conflict {
            field: "school_id",
            message: "This visit's action items and checks belong to its campus, so its campus can no longer change.".to_owned(),
        });
    }
    if let Some(previous) = record.previous.filter(|p| new.date <= *p) {
        return Err(Conflict {
            field: "date",
            message: format!(
                "The visit of {previous} to this campus comes before this one in its record; choose a day after {previous}."
            ),
        });
    }
    if let Some(next) = record.next.filter(|n| new.date >= *n) {
        return Err(Conflict {
            field: "date",
            message: format!(
                "The visit of {next} to this campus comes after this one in its record; choose a day before {next}."
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn record(status: VisitStatus, observations: usize, has_record: bool) -> VisitRecord {
        VisitRecord {
            status,
            school_id: 1,
            date: day("2027-03-03"),
            framework_id: Some(7),
            observations,
            authors: if observations > 0 {
                [(5, "Ana Ruiz".to_owned())].into_iter().collect()
            } else {
                Default::default()
            },
            has_record,
            previous: Some(day("2027-01-06")),
            next: Some(day("2027-05-05")),
        }
    }

    fn change(school_id: i64, date: &str, framework_id: Option<i64>, members: &[i64]) -> NewVisit {
        NewVisit {
            school_id,
            date: day(date),
            lead_id: Some(9),
            framework_id,
            focus: String::new(),
            members: members.iter().copied().collect(),
            segments: BTreeSet::new(),
        }
    }

    #[test]
    fn what_each_status_allows() {
        use VisitStatus::*;
        // (status, observations, debrief edits, in review)
        let table = [
            (Planned, true, true, true),
            (InProgress, true, true, true),
            (Debriefed, true, true, true),
            (Published, false, false, false),
            (Closed, false, false, false),
        ];
        for (status, observations, debrief, review) in table {
            assert_eq!(status.takes_observations(), observations, "{status:?}");
            assert_eq!(status.takes_debrief_edits(), debrief, "{status:?}");
            assert_eq!(status.in_review(), review, "{status:?}");
        }
    }

    #[test]
    fn a_change_keeps_the_record_true() {
        use VisitStatus::*;
        // (record, change, the field in conflict)
        let table: Vec<(VisitRecord, NewVisit, Option<&str>)> = vec![
            // No snapshots, no record: anything goes.
            (
                record(Planned, 0, false),
                change(2, "2026-01-01", None, &[]),
                None,
            ),
            // Snapshots fix the framework, and their authors stay.
            (
                record(InProgress, 2, false),
                change(1, "2027-03-03", Some(8), &[5]),
                Some("framework_id"),
            ),
            (
                record(InProgress, 2, false),
                change(1, "2027-03-03", Some(7), &[]),
                Some("members"),
            ),
            (
                record(InProgress, 2, false),
                change(2, "2026-01-01", Some(7), &[5]),
                None,
            ),
            // A record fixes the campus and the order of visits.
            (
                record(Debriefed, 1, true),
                change(2, "2027-03-03", Some(7), &[5]),
                Some("school_id"),
            ),
            (
                record(Debriefed, 1, true),
                change(1, "2027-01-06", Some(7), &[5]),
                Some("date"),
            ),
            (
                record(Debriefed, 1, true),
                change(1, "2027-05-05", Some(7), &[5]),
                Some("date"),
            ),
            (
                record(Debriefed, 1, true),
                change(1, "2027-04-30", Some(7), &[5]),
                None,
            ),
            // So does publication.
            (
                record(Published, 0, false),
                change(1, "2026-12-01", Some(7), &[]),
                Some("date"),
            ),
            (
                record(Published, 0, false),
                change(1, "2027-02-01", Some(8), &[]),
                None,
            ),
        ];
        for (n, (record, new, field)) in table.into_iter().enumerate() {
            let got = check_change(&record, &new).err().map(|c| c.field);
            assert_eq!(got, field, "row {n}");
        }
    }

    #[test]
    fn conflicts_say_why() {
        let c = check_change(
            &record(VisitStatus::InProgress, 1, false),
            &change(1, "2027-03-03", None, &[5]),
        )
        .unwrap_err();
        assert!(c.message.contains("1 snapshot ticked"), "{}", c.message);
        let c = check_change(
            &record(VisitStatus::Published, 0, true),
            &change(1, "2027-06-01", Some(7), &[]),
        )
        .unwrap_err();
        assert!(c.message.contains("2027-05-05"), "{}", c.message);
    }

    #[test]
    fn statuses_move_forward_one_step() {
        assert_eq!(VisitStatus::Planned.next(), Some(VisitStatus::InProgress));
        assert_eq!(VisitStatus::Published.next(), Some(VisitStatus::Closed));
        assert_eq!(VisitStatus::Closed.next(), None);
        for s in VisitStatus::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
        for s in Segment::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
    }

    #[test]
    fn a_visit_needs_a_campus_and_a_real_date() {
        let errors = NewVisit::parse(
            None,
            "2026-02-30",
            None,
            None,
            "",
            BTreeSet::new(),
            BTreeSet::new(),
        )
        .unwrap_err();
        assert_eq!(errors.get("school_id"), Some("Choose the campus."));
        assert!(errors.get("date").unwrap().contains("YYYY-MM-DD"));
        let visit = NewVisit::parse(
            Some(3),
            " 2026-12-03 ",
            None,
            None,
            "  Small-group instruction ",
            BTreeSet::new(),
            BTreeSet::new(),
        )
        .unwrap();
        assert_eq!(visit.date, NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
        assert_eq!(visit.focus, "Small-group instruction");
    }
}
