//! Debriefs and their problems of practice.

use diesel::prelude::*;

use super::schema::{debriefs, departments, problem_departments, problems_of_practice};
use super::{now, DbConn, WriteError};
use crate::domain::debrief::NewDebrief;
use crate::domain::user::Link;

pub use crate::domain::read::debriefs::Debrief;

pub use crate::domain::read::debriefs::Problem;

pub fn find(conn: &mut DbConn, visit_id: i64) -> QueryResult<Debrief> {
    let text = debriefs::table
        .find(visit_id)
        .select((
            debriefs::strengths,
            debriefs::alignment_notes,
            debriefs::attendees,
        ))
        .first::<(String, String, String)>(conn)
        .optional()?;
    let problems = problems_of_practice::table
        .filter(problems_of_practice::visit_id.eq(visit_id))
        .order(problems_of_practice::position.asc())
        .select((problems_of_practice::id, problems_of_practice::description))
        .load::<(i64, String)>(conn)?;
    let ids: Vec<i64> = problems.iter().map(|p| p.0).collect();
    let tags = problem_departments::table
        .inner_join(departments::table)
        .filter(problem_departments::problem_id.eq_any(&ids))
        .order(departments::name.asc())
        .select((
            problem_departments::problem_id,
            departments::id,
            departments::name,
        ))
        .load::<(i64, i64, String)>(conn)?;
    let (strengths, alignment_notes, attendees) = text.unwrap_or_default();
    Ok(Debrief {
        strengths,
        alignment_notes,
        attendees,
        problems: problems
            .into_iter()
            .map(|(id, description)| Problem {
                id,
                description,
                departments: tags
                    .iter()
                    .filter(|t| t.0 == id)
                    .map(|(_, dept_id, name)| Link {
                        id: *dept_id,
                        name: name.clone(),
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// Stores the debrief, replacing what was there.
pub fn save(
    conn: &mut DbConn,
    visit_id: i64,
    author_id: i64,
    debrief: &NewDebrief,
) -> Result<(), WriteError> {
    super::write_transaction(conn, |conn| {
        let tagged: Vec<i64> = debrief
            .problems
            .iter()
            .flat_map(|p| p.departments.iter().copied())
            .collect();
        let known: i64 = departments::table
            .filter(departments::id.eq_any(&tagged))
            .count()
            .get_result(conn)?;
        let distinct: std::collections::BTreeSet<i64> = tagged.into_iter().collect();
        if known != distinct.len() as i64 {
            return Err(WriteError::conflict(
                "problems",
                "Tag problems of practice with departments from the list.",
            ));
        }
        let exists: i64 = debriefs::table
            .filter(debriefs::visit_id.eq(visit_id))
            .count()
            .get_result(conn)?;
        let values = (
            debriefs::strengths.eq(&debrief.strengths),
            debriefs::alignment_notes.eq(&debrief.alignment_notes),
            debriefs::attendees.eq(&debrief.attendees),
            debriefs::updated_by.eq(Some(author_id)),
            debriefs::updated_at.eq(now()),
        );
        if exists == 0 {
            diesel::insert_into(debriefs::table)
                .values((debriefs::visit_id.eq(visit_id), values))
                .execute(conn)?;
        } else {
            diesel::update(debriefs::table.find(visit_id))
                .set(values)
                .execute(conn)?;
        }
        let old: Vec<i64> = problems_of_practice::table
            .filter(problems_of_practice::visit_id.eq(visit_id))
            .select(problems_of_practice::id)
            .load(conn)?;
        diesel::delete(
            problem_departments::table.filter(problem_departments::problem_id.eq_any(&old)),
        )
        .execute(conn)?;
        diesel::delete(
            problems_of_practice::table.filter(problems_of_practice::visit_id.eq(visit_id)),
        )
        .execute(conn)?;
        for (position, problem) in debrief.problems.iter().enumerate() {
            diesel::insert_into(problems_of_practice::table)
                .values((
                    problems_of_practice::visit_id.eq(visit_id),
                    problems_of_practice::position.eq(position as i32),
                    problems_of_practice::description.eq(&problem.description),
                ))
                .execute(conn)?;
            let id: i64 = problems_of_practice::table
                .filter(problems_of_practice::visit_id.eq(visit_id))
                .filter(problems_of_practice::position.eq(position as i32))
                .select(problems_of_practice::id)
                .first(conn)?;
            for department in &problem.departments {
                diesel::insert_into(problem_departments::table)
                    .values((
                        problem_departments::problem_id.eq(id),
                        problem_departments::department_id.eq(department),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}
