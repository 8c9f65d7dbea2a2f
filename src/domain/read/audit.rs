//! The audit log as the audit page shows it.

use chrono::NaiveDateTime;

/// An event as the audit page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: Option<(i64, String)>,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<i64>,
    pub client_ip: Option<String>,
    pub detail: Option<String>,
}
