//! Outgoing email as the admin page lists it, and the kinds a person may turn off.

use chrono::NaiveDateTime;

/// A message as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// The kinds of email a person can turn off.
pub const KINDS: [(&str, &str); 5] = [
    ("visit_summary", "Visit summaries when a visit is published"),
    ("assignment", "When an action item becomes mine"),
    ("due_soon", "Reminders before my items are due"),
    ("overdue", "Reminders when items are overdue"),
    ("digest", "The Monday digest of overdue, due and done items"),
];
