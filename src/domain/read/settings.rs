//! The district's settings as the pages read them.

use crate::domain::action_item::Rules;

/// The district's settings (the defaults until an administrator saves some).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub teacher_field: bool,
    pub rules: Rules,
    /// Owners are reminded this many days before an item is due.
    pub due_soon_days: i64,
    /// Its days decide reminders and the Monday digest.
    pub time_zone: chrono_tz::Tz,
}
