//! One function per change to the record. Each takes the actor and values
//! already parsed into domain types, checks the lifecycle rules of
//! `domain/`, writes through `db/` in one transaction together with its
//! audit event and the messages it sends, and returns what a page or the
//! API needs to answer. Page handlers and API handlers both call these and
//! do nothing more than translate HTTP to values and the result back; so a
//! rule holds whichever way a change arrives.
//!
//! Nothing here knows HTTP: no request, no response, no status code.

pub mod debriefs;
pub mod items;
pub mod learning;
pub mod observations;
pub mod responses;
pub mod users;
pub mod visits;

use crate::db::audit::{self, NewEvent};
use crate::db::visits::Viewer;
use crate::db::DbConn;

/// Who is changing the record, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub name: String,
    pub viewer: Viewer,
    pub ip: Option<String>,
}

impl Actor {
    /// The audit event of `action` by this actor.
    pub fn event(&self, action: &'static str) -> NewEvent {
        NewEvent::new(action)
            .by(Some(self.id))
            .from_ip(self.ip.clone())
    }

    pub fn record(&self, conn: &mut DbConn, event: NewEvent) -> crate::db::QueryResult<()> {
        audit::record(conn, &event)
    }
}
