//! Invitations: a one-time link that lets a new person set their password
//! (or sign in with the district's provider), valid for seven days.

use chrono::{Duration, NaiveDateTime};

/// How long an invitation link works.
pub const LIFETIME_DAYS: i64 = 7;

/// When a link sent at `sent` stops working.
pub fn expires(sent: NaiveDateTime) -> NaiveDateTime {
    sent + Duration::days(LIFETIME_DAYS)
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The link works.
    Open,
    /// The person used it.
    Accepted,
    /// An administrator revoked it, or sent a newer one.
    Revoked,
    /// Seven days passed.
    Expired,
}

impl State {
    pub fn of(
        expires_at: NaiveDateTime,
        spent_at: Option<NaiveDateTime>,
        revoked_at: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> State {
        match (spent_at, revoked_at) {
            (Some(_), _) => State::Accepted,
            (None, Some(_)) => State::Revoked,
            (None, None) if now >= expires_at => State::Expired,
            (None, None) => State::Open,
        }
    }

    /// Whether the link still lets its holder in.
    pub fn usable(self) -> bool {
        self == State::Open
    }

    /// Whether an administrator can revoke it.
    pub fn revocable(self) -> bool {
        self == State::Open
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Open => "Invitation sent",
            State::Accepted => "Invitation accepted",
            State::Revoked => "Invitation revoked",
            State::Expired => "Invitation expired",
        }
    }
}

/// The last invitation sent to a person, as the people pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub state: State,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 3, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    #[test]
    fn an_invitation_works_for_seven_days_once_unless_revoked() {
        let sent = at(1, 9);
        assert_eq!(expires(sent), at(8, 9));
        let spent = Some(at(2, 9));
        let revoked = Some(at(3, 9));
        // (spent, revoked, now, state)
        let table = [
            (None, None, at(1, 10), State::Open),
            (None, None, at(8, 8), State::Open),
            (None, None, at(8, 9), State::Expired),
            (None, None, at(20, 9), State::Expired),
            (spent, None, at(4, 9), State::Accepted),
            (spent, None, at(20, 9), State::Accepted),
            (None, revoked, at(4, 9), State::Revoked),
            (None, revoked, at(20, 9), State::Revoked),
            (spent, revoked, at(4, 9), State::Accepted),
        ];
        for (spent, revoked, now, want) in table {
            let state = State::of(expires(sent), spent, revoked, now);
            assert_eq!(state, want, "spent {spent:?} revoked {revoked:?} at {now}");
            assert_eq!(state.usable(), want == State::Open);
            assert_eq!(state.revocable(), want == State::Open);
        }
    }
}
