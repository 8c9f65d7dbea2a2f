//! How long a sign-in must wait after failures: a few free tries, then a
//! delay that doubles with each failure up to a cap. Failures older than the
//! window stop counting, so nobody is locked out for good.

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before any delay.
    pub free: i64,
    /// The first delay; each further failure doubles it.
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
    /// How long a failure counts.
    pub window: Duration,
}

impl Policy {
    /// How long to wait before the next attempt, given `failures` within the
    /// window, the last at `last`; `None` when it may go ahead now.
    pub fn wait(
        &self,
        failures: i64,
        last: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Option<Duration> {
        let last = last?;
        if failures < self.free {
            return None;
        }
        let doublings = u32::try_from((failures - self.free).min(30)).unwrap_or(30);
        let delay = self
            .base
            .checked_mul(1_i32.checked_shl(doublings).unwrap_or(i32::MAX))
            .unwrap_or(self.cap)
            .min(self.cap);
        let ready = last + delay;
        (ready > now).then(|| ready - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            free: 5,
            base: Duration::seconds(1),
            cap: Duration::seconds(60),
            window: Duration::minutes(15),
        }
    }

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn free_attempts_then_doubling_delays_up_to_the_cap() {
        let p = policy();
        assert_eq!(p.wait(0, None, at(0)), None);
        assert_eq!(p.wait(4, Some(at(0)), at(0)), None);
        assert_eq!(p.wait(5, Some(at(0)), at(0)), Some(Duration::seconds(1)));
        assert_eq!(p.wait(6, Some(at(0)), at(0)), Some(Duration::seconds(2)));
        assert_eq!(p.wait(8, Some(at(0)), at(0)), Some(Duration::seconds(8)));
        assert_eq!(p.wait(100, Some(at(0)), at(0)), Some(Duration::seconds(60)));
        assert_eq!(
            p.wait(i64::MAX, Some(at(0)), at(0)),
            Some(Duration::seconds(60))
        );
    }

    #[test]
    fn the_wait_runs_from_the_last_failure() {
        let p = policy();
        assert_eq!(p.wait(100, Some(at(0)), at(59)), Some(Duration::seconds(1)));
        assert_eq!(p.wait(100, Some(at(0)), at(60)), None);
    }
}
