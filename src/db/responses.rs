//! The campus's responses to published debriefs, their needs, and the
//! acknowledgements of action steps.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{
    campus_response_needs as needs, campus_responses as responses, departments,
    step_acknowledgements as acks, users,
};
use super::{now, DbConn, WriteError};
use crate::domain::response::{Agreement, NewResponse, STALE};
use crate::domain::user::Link;

pub use crate::domain::read::debriefs::{Acknowledgement, CampusResponse, Need};

/// The response to visit `visit_id`'s debrief, if the campus gave one.
pub fn find(conn: &mut DbConn, visit_id: i64) -> QueryResult<Option<CampusResponse>> {
    let Some((agreement, context, author_id, author, version, updated_at)) = responses::table
        .left_join(users::table.on(users::id.nullable().eq(responses::author_id)))
        .filter(responses::visit_id.eq(visit_id))
        .select((
            responses::agreement,
            responses::context,
            responses::author_id,
            users::name.nullable(),
            responses::version,
            responses::updated_at,
        ))
        .first::<(
            String,
            String,
            Option<i64>,
            Option<String>,
            i32,
            chrono::NaiveDateTime,
        )>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let needs = needs::table
        .inner_join(departments::table)
        .filter(needs::visit_id.eq(visit_id))
        .order((needs::position.asc(), needs::id.asc()))
        .select((
            needs::id,
            departments::id,
            departments::name,
            needs::need,
            needs::item_id,
        ))
        .load::<(i64, i64, String, String, Option<i64>)>(conn)?
        .into_iter()
        .map(|(id, department_id, name, need, item_id)| Need {
            id,
            department: Link {
                id: department_id,
                name,
            },
            need,
            item_id,
        })
        .collect();
    Ok(Some(CampusResponse {
        // The column's CHECK constraint admits only the three values.
        agreement: agreement.parse().unwrap_or(Agreement::Agree),
        context,
        author: author_id.map(|id| Link {
            id,
            name: author.unwrap_or_default(),
        }),
        version,
        updated_at,
        needs,
    }))
}

/// Stores the response, or revises it when `expected` is its current
/// version (409 otherwise, nothing written). Needs already made into items
/// stay as they are; the others are replaced by `response.needs`. Returns
/// the new version.
pub fn save(
    conn: &mut DbConn,
    visit_id: i64,
    author_id: i64,
    response: &NewResponse,
    expected: Option<i32>,
) -> Result<i32, WriteError> {
    let at = now();
    let current: Option<i32> = responses::table
        .find(visit_id)
        .select(responses::version)
        .first(conn)
        .optional()?;
    let version = match (current, expected) {
        (None, None | Some(0)) => {
            diesel::insert_into(responses::table)
                .values((
                    responses::visit_id.eq(visit_id),
                    responses::agreement.eq(response.agreement.as_str()),
                    responses::context.eq(&response.context),
                    responses::author_id.eq(author_id),
                    responses::version.eq(1),
                    responses::created_at.eq(at),
                    responses::updated_at.eq(at),
                ))
                .execute(conn)?;
            1
        }
        (Some(current), Some(expected)) if current == expected => {
            // Guarded by the version: of two saves from one version, one wins.
            let changed = diesel::update(
                responses::table
                    .filter(responses::visit_id.eq(visit_id))
                    .filter(responses::version.eq(expected)),
            )
            .set((
                responses::agreement.eq(response.agreement.as_str()),
                responses::context.eq(&response.context),
                responses::author_id.eq(author_id),
                responses::version.eq(expected + 1),
                responses::updated_at.eq(at),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Err(WriteError::conflict("version", STALE));
            }
            expected + 1
        }
        _ => return Err(WriteError::conflict("version", STALE)),
    };
    diesel::delete(
        needs::table
            .filter(needs::visit_id.eq(visit_id))
            .filter(needs::item_id.is_null()),
    )
    .execute(conn)?;
    let known: Vec<i64> = departments::table
        .filter(departments::id.eq_any(response.needs.iter().map(|n| n.department_id)))
        .select(departments::id)
        .load(conn)?;
    let start: i32 = needs::table
        .filter(needs::visit_id.eq(visit_id))
        .select(diesel::dsl::max(needs::position))
        .first::<Option<i32>>(conn)?
        .map_or(0, |p| p + 1);
    for (n, need) in response.needs.iter().enumerate() {
        if !known.contains(&need.department_id) {
            return Err(WriteError::conflict(
                "needs",
                "Choose each department from the list.",
            ));
        }
        diesel::insert_into(needs::table)
            .values((
                needs::visit_id.eq(visit_id),
                needs::department_id.eq(need.department_id),
                needs::need.eq(&need.need),
                needs::position.eq(start + n as i32),
            ))
            .execute(conn)?;
    }
    Ok(version)
}

/// A need of visit `visit_id`'s response: its department and words, and
/// the item made of it if any (NotFound if there is no such need).
pub fn need(conn: &mut DbConn, visit_id: i64, id: i64) -> QueryResult<Need> {
    let (department_id, name, need, item_id) = needs::table
        .inner_join(departments::table)
        .filter(needs::visit_id.eq(visit_id))
        .filter(needs::id.eq(id))
        .select((
            departments::id,
            departments::name,
            needs::need,
            needs::item_id,
        ))
        .first::<(i64, String, String, Option<i64>)>(conn)?;
    Ok(Need {
        id,
        department: Link {
            id: department_id,
            name,
        },
        need,
        item_id,
    })
}

/// Records that need `id` became item `item_id`; false when it already
/// had an item (two leads at once: the first wins).
pub fn link_item(conn: &mut DbConn, id: i64, item_id: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        needs::table
            .filter(needs::id.eq(id))
            .filter(needs::item_id.is_null()),
    )
    .set(needs::item_id.eq(item_id))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Records `user_id`'s acknowledgement of step `item_id`; false when the
/// step was acknowledged already (the first acknowledgement stands).
pub fn acknowledge(conn: &mut DbConn, item_id: i64, user_id: i64) -> QueryResult<bool> {
    let known: i64 = acks::table
        .filter(acks::item_id.eq(item_id))
        .count()
        .get_result(conn)?;
    if known > 0 {
        return Ok(false);
    }
    let inserted = diesel::insert_into(acks::table)
        .values((
            acks::item_id.eq(item_id),
            acks::user_id.eq(user_id),
            acks::acknowledged_at.eq(now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        // Another leader's acknowledgement landed first.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The acknowledgements of these items, by item id.
pub fn acknowledgements(
    conn: &mut DbConn,
    item_ids: &[i64],
) -> QueryResult<HashMap<i64, Acknowledgement>> {
    let mut found = HashMap::new();
    for chunk in item_ids.chunks(500) {
        let rows = acks::table
            .inner_join(users::table.on(users::id.eq(acks::user_id)))
            .filter(acks::item_id.eq_any(chunk))
            .select((acks::item_id, users::name, acks::acknowledged_at))
            .load::<(i64, String, chrono::NaiveDateTime)>(conn)?;
        for (item_id, by, at) in rows {
            found.insert(item_id, Acknowledgement { item_id, by, at });
        }
    }
    Ok(found)
}
