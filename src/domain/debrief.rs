//! The debrief: what the team and campus leaders concluded from the evidence.

use std::collections::BTreeSet;

use super::fields::FieldErrors;

/// A problem of practice and the departments it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProblem {
    pub description: String,
    pub departments: BTreeSet<i64>,
}

/// A debrief ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewDebrief {
    pub strengths: String,
    pub alignment_notes: String,
    pub attendees: String,
    pub problems: Vec<NewProblem>,
}

fn long(raw: &str, field: &str, errors: &mut FieldErrors) -> String {
    let text = raw.trim();
    if text.chars().count() > 10_000 {
        errors.add(field, "Use at most 10,000 characters.");
    }
    text.to_owned()
}

impl NewDebrief {
    /// `problems` are (description, departments) as typed; empty ones are
    /// dropped, and a problem tagged with departments needs a description.
    pub fn parse(
        strengths: &str,
        alignment_notes: &str,
        attendees: &str,
        problems: &[(String, BTreeSet<i64>)],
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let strengths = long(strengths, "strengths", &mut errors);
        let alignment_notes = long(alignment_notes, "alignment_notes", &mut errors);
        let attendees = long(attendees, "attendees", &mut errors);
        let mut kept = Vec::new();
        for (n, (description, departments)) in problems.iter().enumerate() {
            let field = format!("problem_{n}");
            let description = long(description, &field, &mut errors);
            match (description.is_empty(), departments.is_empty()) {
                (true, true) => {}
                (true, false) => errors.add(
                    &field,
                    "Describe the problem of practice, or untick its departments.",
                ),
                (false, _) => kept.push(NewProblem {
                    description,
                    departments: departments.clone(),
                }),
            }
        }
        if errors.is_empty() {
            Ok(Self {
                strengths,
                alignment_notes,
                attendees,
                problems: kept,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_problems_are_dropped_and_tagged_blanks_refused() {
        let problems = vec![
            (
                "  Few checks for understanding ".to_owned(),
                BTreeSet::from([1, 2]),
            ),
            (String::new(), BTreeSet::new()),
        ];
        let debrief = NewDebrief::parse("Routines", "", "Principal", &problems).unwrap();
        assert_eq!(debrief.problems.len(), 1);
        assert_eq!(
            debrief.problems[0].description,
            "Few checks for understanding"
        );

        let tagged_blank = vec![(String::new(), BTreeSet::from([3]))];
        let errors = NewDebrief::parse("", "", "", &tagged_blank).unwrap_err();
        assert!(errors.get("problem_0").is_some());
    }
}
