//! Action items: the rules that turn a visit's evidence into proposals, and
//! the rules of an item's life. Pure functions; `db::action_items` stores
//! what they decide. The rules are described in `docs/ACTION_ITEMS.md`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use super::fields::FieldErrors;
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
    is_weak_share(
        u64::from(rollup.total.observed),
        u64::from(rollup.total.applicable()),
        rules,
    )
}

/// Whether a look-for seen in `observed` of `applicable` snapshots is weak.
pub fn is_weak_share(observed: u64, applicable: u64, rules: &Rules) -> bool {
    applicable >= u64::from(rules.min_snapshots)
        && observed * 100 < u64::from(rules.weak_share_percent) * applicable
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

/// A change a person asks of an item, as parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The version the person read; the save is refused if it moved.
    pub version: i32,
    pub title: Option<String>,
    pub evidence: Option<String>,
    pub status: Status,
    pub reason: String,
    pub owner_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub priority: Priority,
    pub note: String,
}

/// An item as it stands, as far as a change is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub kind: Kind,
    pub status: Status,
    /// Whether its visit is still being reviewed (a proposal, or an item
    /// resolved or dropped before publishing).
    pub in_review: bool,
    pub title: String,
    pub evidence: String,
    pub reason: String,
    pub owner_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub priority: Priority,
    pub version: i32,
}

/// What a change comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// Someone else saved first: nothing is written.
    Conflict,
    /// Nothing changes and nothing is noted.
    Unchanged,
    /// The item becomes `item` (its version moved on) and its history gains
    /// `entry`.
    Saved { item: Standing, entry: HistoryEntry },
}

/// One line of an item's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub status: Status,
    /// What changed, in words: "Open → In progress, due 2027-04-02".
    pub change: String,
    pub note: String,
}

/// Whether an item with `status` on a visit with `visit` status is still in
/// review: a proposal, or an item resolved or dropped before publishing.
pub fn in_review(status: Status, visit: crate::domain::visit::VisitStatus) -> bool {
    status == Status::Proposed
        || (matches!(status, Status::Resolved | Status::Dropped) && visit.in_review())
}

/// The longest title, evidence, and reason or note of an item.
pub const TITLE_MAX: usize = 300;
pub const EVIDENCE_MAX: usize = 10_000;
pub const NOTE_MAX: usize = 2000;

/// Plans `change` of the item `standing`: the item it becomes and the entry
/// its history gains, or the fields refused. `owners` are the people who
/// may own it (looked at only when the owner changes), as (id, name).
pub fn plan_change(
    standing: &Standing,
    change: &Change,
    owners: &[(i64, String)],
) -> Result<Planned, FieldErrors> {
    if standing.version != change.version {
        return Ok(Planned::Conflict);
    }
    let mut errors = FieldErrors::new();
    let current = standing.status;
    let allowed: &[Status] = if standing.in_review {
        &Status::REVIEW_CHOICES
    } else {
        &Status::OWNER_CHOICES
    };
    if change.status != current && !allowed.contains(&change.status) {
        errors.add(
            "status",
            format!(
                "An item cannot move from {} to {}.",
                current.label().to_lowercase(),
                change.status.label().to_lowercase()
            ),
        );
    }
    if change.status.needs_reason() && change.reason.trim().is_empty() {
        errors.add("reason", "Give a reason for blocking or dropping the item.");
    }
    let mut what = Vec::new();
    if change.status != current {
        what.push(format!("{} → {}", current.label(), change.status.label()));
    }
    let title = change.title.clone().unwrap_or(standing.title.clone());
    let evidence = change.evidence.clone().unwrap_or(standing.evidence.clone());
    if title != standing.title {
        what.push("title edited".to_owned());
    }
    if evidence != standing.evidence {
        what.push("evidence edited".to_owned());
    }
    if change.owner_id != standing.owner_id {
        match change.owner_id {
            None => what.push("assigned to nobody".to_owned()),
            Some(id) => match owners.iter().find(|(o, _)| *o == id) {
                Some((_, name)) => what.push(format!("assigned to {name}")),
                None => errors.add(
                    "owner",
                    match standing.kind {
                        Kind::Department => "Choose an owner from the department's staff.",
                        Kind::School => "Choose an owner from the school's staff.",
                    },
                ),
            },
        }
    }
    if let Some(Err(message)) = change.due_on.map(super::fields::calendar_day) {
        errors.add("due_on", message);
    }
    if change
        .title
        .as_deref()
        .is_some_and(|t| t.trim().is_empty() || t.trim().chars().count() > TITLE_MAX)
    {
        errors.add("title", "Say what needs doing, in under 300 characters.");
    }
    for (field, text, max) in [
        (
            "evidence",
            change.evidence.as_deref().unwrap_or(""),
            EVIDENCE_MAX,
        ),
        ("reason", change.reason.as_str(), NOTE_MAX),
        ("note", change.note.as_str(), NOTE_MAX),
    ] {
        if text.trim().chars().count() > max {
            errors.add(field, format!("Use at most {max} characters."));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if change.due_on != standing.due_on {
        what.push(match change.due_on {
            Some(due) => format!("due {due}"),
            None => "no due date".to_owned(),
        });
    }
    if change.priority != standing.priority {
        what.push(format!(
            "priority {}",
            change.priority.label().to_lowercase()
        ));
    }
    // A reason stays with a blocked or dropped item only.
    let reason = if change.status.needs_reason() {
        change.reason.trim().to_owned()
    } else {
        String::new()
    };
    let note = change.note.trim().to_owned();
    if what.is_empty() && note.is_empty() && reason == standing.reason {
        return Ok(Planned::Unchanged);
    }
    let mut words = if what.is_empty() {
        "Note".to_owned()
    } else {
        capitalise(&what.join(", "))
    };
    if !reason.is_empty() && reason != standing.reason {
        words.push_str(&format!(" — {reason}"));
    }
    Ok(Planned::Saved {
        item: Standing {
            title,
            evidence,
            status: change.status,
            reason,
            owner_id: change.owner_id,
            due_on: change.due_on,
            priority: change.priority,
            version: standing.version + 1,
            ..standing.clone()
        },
        entry: HistoryEntry {
            status: change.status,
            change: words,
            note,
        },
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
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

    fn standing(status: Status, in_review: bool) -> Standing {
        Standing {
            kind: Kind::Department,
            status,
            in_review,
            title: "Model number talks".into(),
            evidence: "2 of 9 classrooms".into(),
            reason: String::new(),
            owner_id: Some(7),
            due_on: NaiveDate::from_ymd_opt(2027, 4, 2),
            priority: Priority::Normal,
            version: 3,
        }
    }

    fn asking(from: &Standing, status: Status) -> Change {
        Change {
            version: from.version,
            title: None,
            evidence: None,
            status,
            reason: String::new(),
            owner_id: from.owner_id,
            due_on: from.due_on,
            priority: from.priority,
            note: String::new(),
        }
    }

    #[test]
    fn which_status_an_item_may_move_to_depends_on_whether_its_visit_is_in_review() {
        use Status::*;
        // (from, in review, to, allowed)
        let table = [
            (Proposed, true, Resolved, true),
            (Proposed, true, Dropped, true),
            (Proposed, true, Open, false),
            (Proposed, true, Done, false),
            (Resolved, true, Proposed, true),
            (Dropped, true, Proposed, true),
            (Open, false, InProgress, true),
            (Open, false, Done, true),
            (Open, false, Blocked, true),
            (Open, false, Dropped, true),
            (InProgress, false, Open, true),
            (Done, false, InProgress, true),
            (Open, false, Verified, false),
            (Open, false, Proposed, false),
            (Open, false, Resolved, false),
            (Done, false, Verified, false),
            (Resolved, false, Open, true),
            (Verified, false, Verified, true),
        ];
        for (from, review, to, allowed) in table {
            let item = standing(from, review);
            let mut change = asking(&item, to);
            change.reason = "Waiting on the district".into();
            let planned = plan_change(&item, &change, &[]);
            assert_eq!(
                planned.is_ok(),
                allowed,
                "{from:?} (in review: {review}) to {to:?}: {planned:?}"
            );
            if let Err(errors) = planned {
                assert!(errors
                    .get("status")
                    .is_some_and(|m| m.contains("cannot move")));
            }
        }
    }

    #[test]
    fn a_change_keeps_its_texts_within_their_lengths() {
        let item = standing(Status::Open, false);
        let long = |n: usize| "x".repeat(n);
        // (title, evidence, reason, note, the field refused)
        type Case = (
            Option<String>,
            Option<String>,
            String,
            String,
            Option<&'static str>,
        );
        let table: [Case; 8] = [
            (
                Some("Coach the team".into()),
                None,
                String::new(),
                String::new(),
                None,
            ),
            (
                Some(long(TITLE_MAX)),
                None,
                String::new(),
                String::new(),
                None,
            ),
            (
                Some(long(TITLE_MAX + 1)),
                None,
                String::new(),
                String::new(),
                Some("title"),
            ),
            (
                Some("  ".into()),
                None,
                String::new(),
                String::new(),
                Some("title"),
            ),
            (
                None,
                Some(long(EVIDENCE_MAX)),
                String::new(),
                String::new(),
                None,
            ),
            (
                None,
                Some(long(EVIDENCE_MAX + 1)),
                String::new(),
                String::new(),
                Some("evidence"),
            ),
            (
                None,
                None,
                long(NOTE_MAX + 1),
                String::new(),
                Some("reason"),
            ),
            (None, None, String::new(), long(NOTE_MAX + 1), Some("note")),
        ];
        for (title, evidence, reason, note, refused) in table {
            let mut change = asking(&item, Status::Open);
            (change.title, change.evidence, change.reason, change.note) =
                (title, evidence, reason, note);
            match (plan_change(&item, &change, &[]), refused) {
                (Ok(_), None) => {}
                (Err(errors), Some(field)) => {
                    assert!(errors.get(field).is_some(), "{field}: {errors:?}")
                }
                (planned, refused) => panic!("expected {refused:?} refused, got {planned:?}"),
            }
        }
    }

    #[test]
    fn in_review_means_a_proposal_or_a_decision_before_publishing() {
        use crate::domain::visit::VisitStatus as V;
        use Status::*;
        let table = [
            (Proposed, V::Debriefed, true),
            (Proposed, V::Published, true),
            (Resolved, V::Debriefed, true),
            (Dropped, V::InProgress, true),
            (Resolved, V::Published, false),
            (Dropped, V::Closed, false),
            (Open, V::Debriefed, false),
            (Done, V::Published, false),
        ];
        for (status, visit, expected) in table {
            assert_eq!(
                in_review(status, visit),
                expected,
                "{status:?} on {visit:?}"
            );
        }
    }

    #[test]
    fn a_change_plans_the_new_item_and_names_what_changed_in_its_history() {
        let item = standing(Status::Open, false);
        let owners = [(9, "Omar Haddad".to_owned())];
        let mut change = asking(&item, Status::InProgress);
        change.owner_id = Some(9);
        change.due_on = NaiveDate::from_ymd_opt(2027, 4, 9);
        change.priority = Priority::High;
        change.title = Some("Model number talks weekly".into());
        change.note = "  Started with grade 6.  ".into();
        let Ok(Planned::Saved { item: after, entry }) = plan_change(&item, &change, &owners) else {
            panic!("saved");
        };
        assert_eq!(after.version, 4);
        assert_eq!(after.status, Status::InProgress);
        assert_eq!(after.owner_id, Some(9));
        assert_eq!(after.title, "Model number talks weekly");
        assert_eq!(after.evidence, item.evidence);
        assert_eq!(
            entry.change,
            "Open → In progress, title edited, assigned to Omar Haddad, due 2027-04-09, priority high"
        );
        assert_eq!(entry.note, "Started with grade 6.");
        assert_eq!(entry.status, Status::InProgress);
    }

    #[test]
    fn a_change_is_refused_field_by_field_or_as_stale_or_comes_to_nothing() {
        let item = standing(Status::Open, false);
        // Blocked without a reason, and an owner from elsewhere.
        let mut change = asking(&item, Status::Blocked);
        change.owner_id = Some(99);
        let errors = plan_change(&item, &change, &[(9, "Omar".into())]).unwrap_err();
        assert_eq!(
            errors.get("reason"),
            Some("Give a reason for blocking or dropping the item.")
        );
        assert_eq!(
            errors.get("owner"),
            Some("Choose an owner from the department's staff.")
        );
        // A stale version is a conflict, whatever else is asked.
        let mut stale = asking(&item, Status::Verified);
        stale.version = 2;
        assert_eq!(plan_change(&item, &stale, &[]), Ok(Planned::Conflict));
        // The same values and no note: nothing to write.
        assert_eq!(
            plan_change(&item, &asking(&item, Status::Open), &[]),
            Ok(Planned::Unchanged)
        );
        // A note alone is history.
        let mut noted = asking(&item, Status::Open);
        noted.note = "Met with the team.".into();
        let Ok(Planned::Saved { entry, .. }) = plan_change(&item, &noted, &[]) else {
            panic!("saved");
        };
        assert_eq!(entry.change, "Note");
    }

    #[test]
    fn a_reason_is_kept_while_blocked_or_dropped_and_cleared_after() {
        let item = standing(Status::Open, false);
        let mut block = asking(&item, Status::Blocked);
        block.reason = "  No substitute coverage ".into();
        let Ok(Planned::Saved {
            item: blocked,
            entry,
        }) = plan_change(&item, &block, &[])
        else {
            panic!("saved");
        };
        assert_eq!(blocked.reason, "No substitute coverage");
        assert_eq!(entry.change, "Open → Blocked — No substitute coverage");
        let reopen = asking(&blocked, Status::InProgress);
        let Ok(Planned::Saved { item: after, .. }) = plan_change(&blocked, &reopen, &[]) else {
            panic!("saved");
        };
        assert_eq!(after.reason, "");
    }
}
