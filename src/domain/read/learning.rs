//! The catalogue, its sessions and registrations as the pages, the API and
//! the messages show them.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::insights::ImpactSummary;
use crate::domain::learning::{Audience, CampusPair, Format, SessionState};
use crate::domain::user::Link;

/// An offering of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offering {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub format: Format,
    pub department: Link,
    pub audience: Audience,
    pub credit_tenths: i32,
    /// The look-fors it addresses, by code.
    pub look_fors: Vec<String>,
    pub active: bool,
}

/// A series of sessions (a summer series, the Wednesday training).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub sessions: i64,
}

/// A session of an offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub offering: Link,
    pub department: Link,
    pub credit_tenths: i32,
    pub series: Option<Link>,
    pub on_date: NaiveDate,
    /// `HH:MM` on the district's clock.
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub capacity: i32,
    /// Seats the campuses' registrations hold.
    pub taken: i32,
    pub facilitator: Option<Link>,
    pub cancelled: bool,
}

impl Session {
    pub fn seats_left(&self) -> i32 {
        (self.capacity - self.taken).max(0)
    }

    pub fn is_full(&self) -> bool {
        self.seats_left() == 0
    }

    /// The session for the rules, with the seats of all but `school_id`.
    pub fn state_for(&self, held_by_campus: i32) -> SessionState {
        SessionState {
            on_date: self.on_date,
            capacity: self.capacity,
            cancelled: self.cancelled,
            taken_by_others: self.taken - held_by_campus,
        }
    }

    /// "Checks for understanding, 2027-02-14 13:30–16:00".
    pub fn name(&self) -> String {
        format!(
            "{}, {} {}–{}",
            self.offering.name, self.on_date, self.starts_at, self.ends_at
        )
    }
}

/// A campus's registration for a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub id: i64,
    pub session_id: i64,
    pub school: Link,
    pub participants: i32,
    /// One a line; empty unless the district names participants.
    pub names: String,
    pub attended: Option<i32>,
    pub registered_by: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// An item's link to an offering, and to one of its sessions once chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLearning {
    pub item_id: i64,
    pub offering: Link,
    pub session: Option<Session>,
}

/// A look-for weak at some campuses' latest visits, and the upcoming
/// sessions of the offerings that address it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakLookForLearning {
    pub code: String,
    pub title: String,
    /// Campuses whose latest visit with evidence shows it weak.
    pub weak_campuses: i64,
    /// The soonest sessions, at most [`WEAK_SESSIONS_SHOWN`].
    pub sessions: Vec<Session>,
}

/// How many sessions each weak look-for shows.
pub const WEAK_SESSIONS_SHOWN: usize = 3;

/// An item a session serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub item_id: i64,
    pub title: String,
    pub school: Link,
}

/// An offering suggested for an item: it addresses one of the item's
/// look-fors; with its upcoming sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub offering: Offering,
    pub sessions: Vec<Session>,
}

/// Credit hours a campus earned: attendees and hours, in tenths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampusCredit {
    pub school: Link,
    pub sessions: i64,
    pub attended: i64,
    pub credit_tenths: i64,
}

/// One look-for of one offering in the learning impact view.
#[derive(Debug, Clone, PartialEq)]
pub struct LearningImpactRow {
    pub offering: Link,
    pub department: Link,
    pub code: String,
    pub look_for: String,
    pub attended: ImpactSummary,
    pub compared: ImpactSummary,
    /// Each campus with its dates and shares, named.
    pub attended_pairs: Vec<(Link, CampusPair)>,
    pub compared_pairs: Vec<(Link, CampusPair)>,
}
