//! Accounts and API tokens as the access rules and the account page see them.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;

use crate::domain::account::Role;

/// A user as the access rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub school_id: Option<i64>,
    pub department_id: Option<i64>,
    pub session_epoch: i64,
    pub roles: BTreeSet<Role>,
}

/// An API token as its owner sees it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}
