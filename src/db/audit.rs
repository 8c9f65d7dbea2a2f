//! The append-only audit log: who did what to which record, when (UTC) and
//! from where. The tables' triggers refuse updates and deletes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{audit_events, users};
use super::{now, DbConn};
use crate::domain::paging::{Page, PageRequest};

/// An event to record. `detail` is a short fixed phrase or ids, never a
/// password, token, or note text.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub actor_id: Option<i64>,
    pub action: &'static str,
    pub record_type: Option<&'static str>,
    pub record_id: Option<i64>,
    pub client_ip: Option<String>,
    pub detail: Option<String>,
}

impl NewEvent {
    pub fn new(action: &'static str) -> Self {
        Self {
            action,
            ..Self::default()
        }
    }

    pub fn by(mut self, actor_id: Option<i64>) -> Self {
        self.actor_id = actor_id;
        self
    }

    pub fn on(mut self, record_type: &'static str, record_id: i64) -> Self {
        self.record_type = Some(record_type);
        self.record_id = Some(record_id);
        self
    }

    pub fn from_ip(mut self, ip: Option<String>) -> Self {
        self.client_ip = ip;
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

pub fn record(conn: &mut DbConn, event: &NewEvent) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::at.eq(now()),
            audit_events::actor_id.eq(event.actor_id),
            audit_events::action.eq(event.action),
            audit_events::record_type.eq(event.record_type),
            audit_events::record_id.eq(event.record_id),
            audit_events::client_ip.eq(event.client_ip.as_deref()),
            audit_events::detail.eq(event.detail.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

pub use crate::domain::read::audit::Event;

/// Which events the audit page shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Actions starting with this (`sign_in` matches `sign_in.failure`).
    pub action: Option<String>,
    pub actor_id: Option<i64>,
    pub record_type: Option<String>,
    pub record_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

fn filtered(filter: &Filter) -> audit_events::BoxedQuery<'static, super::MultiBackend> {
    let mut query = audit_events::table.into_boxed();
    if let Some(action) = &filter.action {
        query = query.filter(
            audit_events::action
                .like(
                    crate::domain::paging::like_pattern(action)
                        .trim_start_matches('%')
                        .to_owned(),
                )
                .escape('\\'),
        );
    }
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_events::actor_id.eq(actor));
    }
    if let Some(record_type) = &filter.record_type {
        query = query.filter(audit_events::record_type.eq(record_type.clone()));
    }
    if let Some(record_id) = filter.record_id {
        query = query.filter(audit_events::record_id.eq(record_id));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_events::at.lt(until));
    }
    query
}

/// Newest first.
pub fn list(conn: &mut DbConn, filter: &Filter, page: PageRequest) -> QueryResult<Page<Event>> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order(audit_events::id.desc())
        .limit(page.limit())
        .offset(page.offset())
        .select((
            audit_events::id,
            audit_events::at,
            audit_events::actor_id,
            audit_events::action,
            audit_events::record_type,
            audit_events::record_id,
            audit_events::client_ip,
            audit_events::detail,
        ))
        .load::<(
            i64,
            NaiveDateTime,
            Option<i64>,
            String,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<String>,
        )>(conn)?;
    let actor_ids: Vec<i64> = rows.iter().filter_map(|r| r.2).collect();
    let names: std::collections::HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&actor_ids))
        .select((users::id, users::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let items = rows
        .into_iter()
        .map(
            |(id, at, actor_id, action, record_type, record_id, client_ip, detail)| Event {
                id,
                at,
                actor: actor_id.map(|a| (a, names.get(&a).cloned().unwrap_or_default())),
                action,
                record_type,
                record_id,
                client_ip,
                detail,
            },
        )
        .collect();
    Ok(Page {
        items,
        request: page,
        total,
    })
}
