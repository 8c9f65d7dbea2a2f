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
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "Enter the date as YYYY-MM-DD, e.g. 2026-12-03.".to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

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
