//! Action items: the rules that turn a visit's evidence into proposals, and
//! the rules of an item's life. Pure functions; `db::action_items` stores
//! what they decide. The rules are described in `docs/ACTION_ITEMS.md`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use super::observation::{Setting, Tick};
use super::rollup::{roll_up, IndicatorRollup};

text_enum! {
    /// Whose item it is: a department's, or the school's own action step.
    pub enum Kind {
        Department = ("department", "Department item"),
        School = ("school", "School action step"),
    }
    unknown = "Use department or school.";
}

text_enum! {
    /// Where an item is in its life.
    pub enum Status {
        Proposed = ("proposed", "Proposed"),
        Open = ("open", "Open"),
        InProgress = ("in_progress", "In progress"),
        Done = ("done", "Done"),
        Verified = ("verified", "Verified"),
        Blocked = ("blocked", "Blocked"),
        Dropped = ("dropped", "Dropped"),
        Resolved = ("resolved", "Resolved during the visit"),
    }
    unknown = "Use open, in_progress, done, verified, blocked, dropped or resolved.";
}

impl Status {
    /// Whether the item is still to be checked at the next visit (done
    /// items wait for their verification).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Open | Status::InProgress | Status::Done | Status::Blocked
        )
    }

    /// Whether the item still asks its owner for work: reminded before its
    /// due day and counted as overdue after it. A done item is not overdue.
    pub fn awaits_owner(self) -> bool {
        matches!(self, Status::Open | Status::InProgress | Status::Blocked)
    }

    /// Whether moving to this status needs a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, Status::Blocked | Status::Dropped)
    }

    /// The statuses an owner may set on a published item. `verified` is set
    /// by the team at a later visit, `proposed` only by generation.
    pub const OWNER_CHOICES: [Status; 5] = [
        Status::Open,
        Status::InProgress,
        Status::Done,
        Status::Blocked,
        Status::Dropped,
    ];

    /// The statuses an item may have while its visit is reviewed.
    pub const REVIEW_CHOICES: [Status; 3] = [Status::Proposed, Status::Resolved, Status::Dropped];
}

text_enum! {
    /// How urgent an item is.
    pub enum Priority {
        High = ("high", "High"),
        Normal = ("normal", "Normal"),
        Low = ("low", "Low"),
    }
    unknown = "Use high, normal or low.";
}

text_enum! {
    /// What the team found at a later visit.
    pub enum Check {
        Verified = ("verified", "Verified"),
        StillOpen = ("still_open", "Still open"),
        NotStarted = ("not_started", "Not started"),
    }
    unknown = "Use verified, still_open or not_started.";
}

impl Check {
    /// The status an item has after this check, from `current`.
    pub fn next_status(self, current: Status) -> Status {
        match self {
            Check::Verified => Status::Verified,
            Check::StillOpen => match current {
                Status::Done => Status::InProgress,
                other => other,
            },
            Check::NotStarted => Status::Open,
        }
    }
}

/// The district's generation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// A look-for is weak when fully observed in less than this share
    /// (percent) of the snapshots where it applied…
    pub weak_share_percent: u32,
    /// …and it applied in at least this many snapshots.
    pub min_snapshots: u32,
    pub department_due_days: i64,
    pub school_due_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            weak_share_percent: 50,
            min_snapshots: 3,
            department_due_days: 30,
            school_due_days: 14,
        }
    }
}

/// A look-for as generation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookFor {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub department_id: Option<i64>,
}

/// A department as generation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub name: String,
    /// The department's head, who is proposed as owner.
    pub head_id: Option<i64>,
}

/// A problem of practice named in the debrief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: i64,
    pub description: String,
    pub department_ids: BTreeSet<i64>,
}

/// Everything generation reads about one visit.
#[derive(Debug, Clone)]
pub struct Evidence<'a> {
    pub visit_date: NaiveDate,
    pub look_fors: &'a [LookFor],
    pub departments: &'a [Department],
    /// The school's leader, proposed as owner of its action steps.
    pub school_leader_id: Option<i64>,
    pub snapshots: &'a [(Setting, &'a BTreeMap<i64, Tick>)],
    pub problems: &'a [Problem],
    /// Look-fors of earlier items this very visit verified: the team has
    /// just seen them done, so they are not proposed again until a later
    /// visit brings fresh evidence.
    pub settled: &'a BTreeSet<i64>,
}

/// One proposed item. `source_key` names what raised it, so that
/// generating again finds the proposal it made before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub source_key: String,
    pub kind: Kind,
    pub department_id: Option<i64>,
    pub title: String,
    pub evidence: String,
    pub indicator_ids: Vec<i64>,
    pub owner_id: Option<i64>,
    pub due_on: NaiveDate,
}

/// The day an item of `kind` from a visit on `visit_date` is due, unless
/// a person sets another: the district's days for its kind after the visit.
pub fn default_due(kind: Kind, visit_date: NaiveDate, rules: &Rules) -> NaiveDate {
    let days = match kind {
        Kind::Department => rules.department_due_days,
        Kind::School => rules.school_due_days,
    };
    visit_date + Duration::days(days)
}

/// Whether a look-for's evidence makes it weak under `rules`.
pub fn is_weak(rollup: &IndicatorRollup, rules: &Rules) -> bool {
    let applicable = rollup.total.applicable();
    applicable >= rules.min_snapshots
        && u64::from(rollup.total.observed) * 100
            < u64::from(rules.weak_share_percent) * u64::from(applicable)
}

/// "Checks for understanding: seen in 2 of 9 snapshots, partly in 3
/// (Classroom: 1 of 7; Collaboration / PLC: 1 of 2)".
pub fn evidence_line(look_for: &LookFor, rollup: &IndicatorRollup) -> String {
    let total = &rollup.total;
    let mut line = format!(
        "{} {}: seen in {} of {}",
        look_for.code,
        look_for.title,
        total.observed,
        super::fields::plural(total.applicable() as usize, "snapshot", "snapshots")
    );
    if total.partly > 0 {
        line.push_str(&format!(", partly in {}", total.partly));
    }
    let settings: Vec<String> = rollup
        .by_setting
        .iter()
        .filter(|(_, counts)| counts.applicable() > 0)
        .map(|(setting, counts)| {
            format!(
                "{}: {} of {}",
                setting.label(),
                counts.observed,
                counts.applicable()
            )
        })
        .collect();
    if settings.len() > 1 {
        line.push_str(&format!(" ({})", settings.join("; ")));
    }
    line
}

/// The proposals a visit's evidence raises, in a stable order: department
/// items by department, then school steps for unowned weak look-fors, then
/// for each problem of practice a school step and one item per department
/// it is tagged with. The same evidence always gives the same proposals.
pub fn propose(evidence: &Evidence<'_>, rules: &Rules) -> Vec<Proposal> {
    let ids: Vec<i64> = evidence.look_fors.iter().map(|l| l.id).collect();
    let rollups = roll_up(&ids, evidence.snapshots);
    let department_due = default_due(Kind::Department, evidence.visit_date, rules);
    let school_due = default_due(Kind::School, evidence.visit_date, rules);
    let department = |id: i64| evidence.departments.iter().find(|d| d.id == id);

    let mut by_department: BTreeMap<i64, Vec<(&LookFor, &IndicatorRollup)>> = BTreeMap::new();
    let mut unowned = Vec::new();
    for (look_for, rollup) in evidence.look_fors.iter().zip(&rollups) {
        if !is_weak(rollup, rules) || evidence.settled.contains(&look_for.id) {
            continue;
        }
        match look_for
            .department_id
            .filter(|id| department(*id).is_some())
        {
            Some(id) => by_department
                .entry(id)
                .or_default()
                .push((look_for, rollup)),
            None => unowned.push((look_for, rollup)),
        }
    }

    let mut proposals = Vec::new();
    for (department_id, weak) in &by_department {
        let Some(dept) = department(*department_id) else {
            continue;
        };
        let codes: Vec<&str> = weak.iter().map(|(l, _)| l.code.as_str()).collect();
        let title = if weak.len() == 1 {
            format!("{}: support the campus on {}", dept.name, weak[0].0.title)
        } else {
            format!(
                "{}: support the campus on {} look-fors ({})",
                dept.name,
                weak.len(),
                codes.join(", ")
            )
        };
        proposals.push(Proposal {
            source_key: format!("department:{department_id}"),
            kind: Kind::Department,
            department_id: Some(*department_id),
            title,
            evidence: weak
                .iter()
                .map(|(l, r)| evidence_line(l, r))
                .collect::<Vec<_>>()
                .join("\n"),
            indicator_ids: weak.iter().map(|(l, _)| l.id).collect(),
            owner_id: dept.head_id,
            due_on: department_due,
        });
    }
    for (look_for, rollup) in unowned {
        proposals.push(Proposal {
            source_key: format!("look-for:{}", look_for.id),
            kind: Kind::School,
            department_id: None,
            title: format!("Strengthen {}", look_for.title),
            evidence: evidence_line(look_for, rollup),
            indicator_ids: vec![look_for.id],
            owner_id: evidence.school_leader_id,
            due_on: school_due,
        });
    }
    for problem in evidence.problems {
        let description = problem.description.trim();
        proposals.push(Proposal {
            source_key: format!("problem:{}", problem.id),
            kind: Kind::School,
            department_id: None,
            title: format!("Address the problem of practice: {description}"),
            evidence: format!("Named in the debrief: {description}"),
            indicator_ids: Vec::new(),
            owner_id: evidence.school_leader_id,
            due_on: school_due,
        });
        for department_id in &problem.department_ids {
            let Some(dept) = department(*department_id) else {
                continue;
            };
            proposals.push(Proposal {
                source_key: format!("problem:{}:department:{department_id}", problem.id),
                kind: Kind::Department,
                department_id: Some(*department_id),
                title: format!("{}: support the campus on: {description}", dept.name),
                evidence: format!(
                    "Problem of practice named in the debrief, tagged for {}: {description}",
                    dept.name
                ),
                indicator_ids: Vec::new(),
                owner_id: dept.head_id,
                due_on: department_due,
            });
        }
    }
    proposals
}

#[cfg(test)]
mod tests {
    use super::*;
    use Tick::*;

    fn look_for(id: i64, department_id: Option<i64>) -> LookFor {
        LookFor {
            id,
            code: format!("L{id}"),
            title: format!("Look-for {id}"),
            department_id,
        }
    }

    fn departments() -> Vec<Department> {
        vec![
            Department {
                id: 10,
                name: "Curriculum".into(),
                head_id: Some(100),
            },
            Department {
                id: 20,
                name: "Special Education".into(),
                head_id: None,
            },
        ]
    }

    /// Snapshots in one setting where look-for `id` got each tick in turn.
    fn snapshots(rows: &[(Setting, &[(i64, Tick)])]) -> Vec<(Setting, BTreeMap<i64, Tick>)> {
        rows.iter()
            .map(|(setting, ticks)| (*setting, ticks.iter().copied().collect()))
            .collect()
    }

    fn run(
        look_fors: &[LookFor],
        rows: &[(Setting, BTreeMap<i64, Tick>)],
        problems: &[Problem],
    ) -> Vec<Proposal> {
        run_settled(look_fors, rows, problems, &BTreeSet::new())
    }

    fn run_settled(
        look_fors: &[LookFor],
        rows: &[(Setting, BTreeMap<i64, Tick>)],
        problems: &[Problem],
        settled: &BTreeSet<i64>,
    ) -> Vec<Proposal> {
        let borrowed: Vec<(Setting, &BTreeMap<i64, Tick>)> =
            rows.iter().map(|(s, t)| (*s, t)).collect();
        let departments = departments();
        let evidence = Evidence {
            visit_date: NaiveDate::from_ymd_opt(2027, 1, 6).unwrap(),
            look_fors,
            departments: &departments,
            school_leader_id: Some(7),
            snapshots: &borrowed,
            problems,
            settled,
        };
        propose(&evidence, &Rules::default())
    }

    fn keys(proposals: &[Proposal]) -> Vec<&str> {
        proposals.iter().map(|p| p.source_key.as_str()).collect()
    }

    use Setting::{Classroom, Collaboration};

    #[test]
    fn the_edges_of_weakness() {
        // (case, ticks of look-for 1 across snapshots, weak?)
        let cases: &[(&str, &[Tick], bool)] = &[
            ("no observations", &[], false),
            (
                "everything n/a",
                &[NotApplicable, NotApplicable, NotApplicable, NotApplicable],
                false,
            ),
            (
                "below the minimum count",
                &[NotObserved, NotObserved],
                false,
            ),
            (
                "at the minimum, none seen",
                &[NotObserved, NotObserved, NotObserved],
                true,
            ),
            (
                "exactly at the threshold",
                &[Observed, Observed, NotObserved, NotObserved],
                false,
            ),
            (
                "just below the threshold",
                &[Observed, NotObserved, NotObserved, Partly],
                true,
            ),
            (
                "partly does not count as seen",
                &[Partly, Partly, Partly, Observed],
                true,
            ),
            (
                "n/a snapshots do not count",
                &[
                    Observed,
                    NotApplicable,
                    NotApplicable,
                    NotObserved,
                    Observed,
                ],
                false,
            ),
        ];
        for (case, ticks, weak) in cases {
            let rows: Vec<_> = ticks
                .iter()
                .map(|t| (Classroom, BTreeMap::from([(1, *t)])))
                .collect();
            let proposals = run(&[look_for(1, Some(10))], &rows, &[]);
            assert_eq!(!proposals.is_empty(), *weak, "{case}: {proposals:?}");
        }
    }

    #[test]
    fn one_item_per_department_listing_its_weak_look_fors_and_steps_for_unowned_ones() {
        let rows = snapshots(&[
            (
                Classroom,
                &[
                    (1, NotObserved),
                    (2, Partly),
                    (3, NotObserved),
                    (4, Observed),
                ],
            ),
            (
                Classroom,
                &[
                    (1, NotObserved),
                    (2, NotObserved),
                    (3, Observed),
                    (4, Observed),
                ],
            ),
            (
                Collaboration,
                &[
                    (1, Observed),
                    (2, NotObserved),
                    (3, NotObserved),
                    (4, Observed),
                ],
            ),
        ]);
        let look_fors = [
            look_for(1, Some(10)),
            look_for(2, Some(10)),
            look_for(3, None),
            look_for(4, Some(20)),
        ];
        let proposals = run(&look_fors, &rows, &[]);
        assert_eq!(keys(&proposals), ["department:10", "look-for:3"]);
        let curriculum = &proposals[0];
        assert_eq!(curriculum.indicator_ids, [1, 2]);
        assert_eq!(curriculum.owner_id, Some(100));
        assert_eq!(
            curriculum.due_on,
            NaiveDate::from_ymd_opt(2027, 2, 5).unwrap()
        );
        assert_eq!(
            curriculum.evidence,
            "L1 Look-for 1: seen in 1 of 3 snapshots (Classroom: 0 of 2; Collaboration / PLC: 1 of 1)\n\
             L2 Look-for 2: seen in 0 of 3 snapshots, partly in 1 (Classroom: 0 of 2; Collaboration / PLC: 0 of 1)"
        );
        assert!(curriculum.title.contains("2 look-fors (L1, L2)"));
        let step = &proposals[1];
        assert_eq!((step.kind, step.owner_id), (Kind::School, Some(7)));
        assert_eq!(step.due_on, NaiveDate::from_ymd_opt(2027, 1, 20).unwrap());
    }

    #[test]
    fn a_look_for_verified_at_this_visit_waits_for_fresh_evidence() {
        // Look-fors 1 and 2 (Curriculum) and 3 (no department) are all weak.
        let rows = snapshots(&[
            (
                Classroom,
                &[(1, NotObserved), (2, NotObserved), (3, NotObserved)],
            ),
            (
                Classroom,
                &[(1, NotObserved), (2, NotObserved), (3, NotObserved)],
            ),
            (
                Classroom,
                &[(1, NotObserved), (2, NotObserved), (3, NotObserved)],
            ),
        ]);
        let look_fors = [
            look_for(1, Some(10)),
            look_for(2, Some(10)),
            look_for(3, None),
        ];
        // (case, look-fors verified at this visit, proposals, Curriculum's look-fors)
        type Case<'a> = (&'a str, &'a [i64], &'a [&'a str], &'a [i64]);
        let cases: &[Case] = &[
            (
                "nothing verified",
                &[],
                &["department:10", "look-for:3"],
                &[1, 2],
            ),
            (
                "one of a department's",
                &[1],
                &["department:10", "look-for:3"],
                &[2],
            ),
            ("all of a department's", &[1, 2], &["look-for:3"], &[]),
            ("the school's step", &[3], &["department:10"], &[1, 2]),
            ("everything", &[1, 2, 3], &[], &[]),
        ];
        for (case, verified, expected, curriculum) in cases {
            let settled: BTreeSet<i64> = verified.iter().copied().collect();
            let proposals = run_settled(&look_fors, &rows, &[], &settled);
            assert_eq!(keys(&proposals), *expected, "{case}");
            let listed: Vec<i64> = proposals
                .iter()
                .filter(|p| p.source_key == "department:10")
                .flat_map(|p| p.indicator_ids.clone())
                .collect();
            assert_eq!(listed, *curriculum, "{case}");
        }
    }

    #[test]
    fn a_look_for_seen_in_two_settings_counts_once_across_them() {
        // Weak in classrooms alone (0 of 2) but not across settings (2 of 4).
        let rows = snapshots(&[
            (Classroom, &[(1, NotObserved)]),
            (Classroom, &[(1, NotObserved)]),
            (Collaboration, &[(1, Observed)]),
            (Collaboration, &[(1, Observed)]),
        ]);
        assert!(run(&[look_for(1, Some(10))], &rows, &[]).is_empty());
    }

    #[test]
    fn problems_of_practice_raise_a_step_and_one_item_per_tagged_department() {
        let problems = [Problem {
            id: 5,
            description: "Tier 2 time is unplanned".into(),
            department_ids: [20, 10, 99].into_iter().collect(),
        }];
        let proposals = run(&[], &[], &problems);
        assert_eq!(
            keys(&proposals),
            [
                "problem:5",
                "problem:5:department:10",
                "problem:5:department:20"
            ],
            "an unknown department is skipped"
        );
        assert_eq!(proposals[2].owner_id, None, "a department without a head");
        assert!(proposals[0].title.ends_with("Tier 2 time is unplanned"));
    }

    #[test]
    fn the_same_evidence_gives_the_same_proposals() {
        let rows = snapshots(&[
            (Classroom, &[(1, NotObserved), (2, NotObserved)]),
            (Classroom, &[(1, NotObserved), (2, NotObserved)]),
            (Classroom, &[(1, NotObserved), (2, NotObserved)]),
        ]);
        let look_fors = [look_for(2, None), look_for(1, Some(20))];
        assert_eq!(run(&look_fors, &rows, &[]), run(&look_fors, &rows, &[]));
    }

    #[test]
    fn checks_move_the_status() {
        assert_eq!(Check::Verified.next_status(Status::Done), Status::Verified);
        assert_eq!(
            Check::StillOpen.next_status(Status::Done),
            Status::InProgress
        );
        assert_eq!(
            Check::StillOpen.next_status(Status::Blocked),
            Status::Blocked
        );
        assert_eq!(
            Check::NotStarted.next_status(Status::InProgress),
            Status::Open
        );
    }
}
