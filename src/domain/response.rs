//! The campus's response to a published debrief: whether its leaders
//! agree, the context they add, what they need from which department; and
//! their acknowledgement of each of the campus's action steps.

use std::collections::BTreeSet;

use super::account::Role;
use super::fields::FieldErrors;
use super::visit::VisitStatus;

text_enum! {
    /// Whether the campus's leaders agree with the debrief.
    pub enum Agreement {
        Agree = ("agree", "We agree with the debrief"),
        Partly = ("partly", "We agree in part"),
        Disagree = ("disagree", "We do not agree"),
    }
    unknown = "Choose whether the campus agrees: agree, partly or disagree.";
}

/// Most needs one response lists.
pub const MAX_NEEDS: usize = 20;

/// What the campus needs from one department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNeed {
    pub department_id: i64,
    pub need: String,
}

/// A response ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResponse {
    pub agreement: Agreement,
    pub context: String,
    pub needs: Vec<NewNeed>,
}

impl NewResponse {
    /// `needs` are (department, what is needed) as typed; rows left blank
    /// are dropped. Agreeing in part or not at all asks for the context.
    pub fn parse(
        agreement: &str,
        context: &str,
        needs: &[(Option<i64>, String)],
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let agreement: Option<Agreement> = if agreement.trim().is_empty() {
            errors.add(
                "agreement",
                "Choose whether the campus agrees with the debrief.",
            );
            None
        } else {
            errors.check("agreement", agreement.parse())
        };
        let context = context.trim().to_owned();
        if context.chars().count() > 10_000 {
            errors.add("context", "Use at most 10,000 characters.");
        }
        if matches!(agreement, Some(Agreement::Partly | Agreement::Disagree)) && context.is_empty()
        {
            errors.add(
                "context",
                "Say where the campus sees it differently, and why.",
            );
        }
        let mut kept = Vec::new();
        for (n, (department, need)) in needs.iter().enumerate() {
            let field = format!("need_{n}");
            let need = need.trim();
            match (department, need.is_empty()) {
                (None, true) => {}
                (None, false) => errors.add(&field, "Choose the department this is needed from."),
                (Some(_), true) => {
                    errors.add(&field, "Say what the campus needs from the department.")
                }
                (Some(_), false) if need.chars().count() > 2_000 => {
                    errors.add(&field, "Use at most 2,000 characters.")
                }
                (Some(department_id), false) => kept.push(NewNeed {
                    department_id: *department_id,
                    need: need.to_owned(),
                }),
            }
        }
        if kept.len() > MAX_NEEDS {
            errors.add("needs", "List at most 20 needs.");
        }
        match agreement {
            Some(agreement) if errors.is_empty() => Ok(Self {
                agreement,
                context,
                needs: kept,
            }),
            _ => Err(errors),
        }
    }
}

/// Why a visit in this status takes no response (or acknowledgement) now.
pub fn takes_response(status: VisitStatus) -> Result<(), &'static str> {
    match status {
        VisitStatus::Published => Ok(()),
        VisitStatus::Closed => Err("This visit is closed: the campus's response is on record."),
        _ => Err("The campus responds once the debrief is published."),
    }
}

/// Who may write a campus's response and acknowledge its steps: its
/// school leaders, and administrators (entering a response sent to them).
pub fn may_respond(roles: &BTreeSet<Role>, own_school: Option<i64>, visit_school: i64) -> bool {
    roles.contains(&Role::Admin)
        || (roles.contains(&Role::SchoolLeader) && own_school == Some(visit_school))
}

/// What the person revising a response is told when someone saved it
/// since they read it.
pub const STALE: &str =
    "Someone else changed the campus's response since you opened it. Read it again, then make your change.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_needs_its_agreement_and_context_when_it_differs() {
        let dept = Some(3);
        // (agreement, context, needs, error fields or the kept needs' count)
        type Row<'a> = (
            &'a str,
            &'a str,
            Vec<(Option<i64>, &'a str)>,
            Result<usize, Vec<&'a str>>,
        );
        let table: [Row; 9] = [
            ("agree", "", vec![], Ok(0)),
            ("agree", "", vec![(None, "  ")], Ok(0)),
            ("agree", "", vec![(dept, "Coaching on exit tickets")], Ok(1)),
            ("partly", "Tier 2 started in November.", vec![], Ok(0)),
            ("partly", "  ", vec![], Err(vec!["context"])),
            ("disagree", "", vec![], Err(vec!["context"])),
            ("", "", vec![], Err(vec!["agreement"])),
            ("maybe", "", vec![], Err(vec!["agreement"])),
            (
                "agree",
                "",
                vec![(None, "Laptops"), (dept, ""), (dept, "Chargers")],
                Err(vec!["need_0", "need_1"]),
            ),
        ];
        for (agreement, context, needs, want) in table {
            let needs: Vec<(Option<i64>, String)> =
                needs.into_iter().map(|(d, n)| (d, n.to_owned())).collect();
            let got = NewResponse::parse(agreement, context, &needs);
            match (got, want) {
                (Ok(response), Ok(kept)) => assert_eq!(response.needs.len(), kept, "{agreement}"),
                (Err(errors), Err(fields)) => {
                    for field in fields {
                        assert!(
                            errors.get(field).is_some(),
                            "{agreement} {field}: {errors:?}"
                        );
                    }
                }
                (got, want) => panic!("{agreement} {context:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn only_a_published_visit_takes_the_campus_response() {
        let table = [
            (VisitStatus::Planned, false),
            (VisitStatus::InProgress, false),
            (VisitStatus::Debriefed, false),
            (VisitStatus::Published, true),
            (VisitStatus::Closed, false),
        ];
        for (status, open) in table {
            assert_eq!(takes_response(status).is_ok(), open, "{status:?}");
        }
    }

    #[test]
    fn the_campus_s_leaders_and_administrators_respond() {
        let roles = |list: &[Role]| list.iter().copied().collect::<BTreeSet<_>>();
        // (roles, own school, visit's school, may respond)
        let table: [(&[Role], Option<i64>, i64, bool); 7] = [
            (&[Role::SchoolLeader], Some(1), 1, true),
            (&[Role::SchoolLeader], Some(2), 1, false),
            (&[Role::SchoolLeader], None, 1, false),
            (&[Role::Visitor], Some(1), 1, false),
            (&[Role::VisitLead], None, 1, false),
            (&[Role::DepartmentHead], None, 1, false),
            (&[Role::Admin], None, 1, true),
        ];
        for (list, own, visit, want) in table {
            assert_eq!(
                may_respond(&roles(list), own, visit),
                want,
                "{list:?} {own:?}"
            );
        }
    }
}
