//! The arithmetic of the dashboards: shares of snapshots, medians, and
//! whether a look-for moved between two visits. Pure, so the numbers the
//! pages show are tested apart from the SQL that gathers them.

use chrono::NaiveDate;

/// In how many snapshots a look-for was observed, of those where it applied
/// (n.a. and unticked snapshots do not count, as in the debrief roll-up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub observed: i64,
    pub applicable: i64,
}

impl Share {
    pub fn new(observed: i64, applicable: i64) -> Self {
        Self {
            observed,
            applicable,
        }
    }

    /// The share in whole percent, rounded half up; `None` where the
    /// look-for applied in no snapshot.
    pub fn percent(self) -> Option<i64> {
        if self.applicable <= 0 {
            return None;
        }
        Some((self.observed * 200 + self.applicable) / (self.applicable * 2))
    }

    /// "40% (4 of 10)" or "no evidence".
    pub fn in_words(self) -> String {
        match self.percent() {
            Some(p) => format!("{p}% ({} of {})", self.observed, self.applicable),
            None => "no evidence".to_owned(),
        }
    }

    /// Compares exactly (cross-multiplied), not by rounded percentages.
    pub fn compare(self, other: Share) -> Option<std::cmp::Ordering> {
        if self.applicable <= 0 || other.applicable <= 0 {
            return None;
        }
        Some((self.observed * other.applicable).cmp(&(other.observed * self.applicable)))
    }
}

/// One of four bands of a share, for the heat map's shading; each band also
/// has a word, so the shade is never the only signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    Low,
    Fair,
    Good,
    Strong,
}

impl Band {
    pub fn of(share: Share) -> Option<Band> {
        share.percent().map(|p| match p {
            0..=24 => Band::Low,
            25..=49 => Band::Fair,
            50..=74 => Band::Good,
            _ => Band::Strong,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Fair => "fair",
            Band::Good => "good",
            Band::Strong => "strong",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::Low => "Low (under 25%)",
            Band::Fair => "Fair (25–49%)",
            Band::Good => "Good (50–74%)",
            Band::Strong => "Strong (75% and over)",
        }
    }

    pub const ALL: [Band; 4] = [Band::Low, Band::Fair, Band::Good, Band::Strong];
}

/// The median of whole days; the mean of the middle two for an even count.
pub fn median_days(mut days: Vec<i64>) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let mid = days.len() / 2;
    Some(if days.len() % 2 == 1 {
        days[mid] as f64
    } else {
        (days[mid - 1] + days[mid]) as f64 / 2.0
    })
}

/// Days from the visit that raised an item to the day it was first done
/// (never negative: an item done on the visit's day took 0 days).
pub fn days_to_done(visit_date: NaiveDate, done_on: NaiveDate) -> i64 {
    (done_on - visit_date).num_days().max(0)
}

/// What happened to a look-for between the visit that raised an item and
/// the next visit to the campus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Movement {
    Improved,
    Same,
    Declined,
    /// No next visit yet, or the look-for had no evidence at one of them.
    NotYetMeasured,
}

impl Movement {
    pub fn between(before: Share, after: Option<Share>) -> Movement {
        match after.and_then(|after| after.compare(before)) {
            Some(std::cmp::Ordering::Greater) => Movement::Improved,
            Some(std::cmp::Ordering::Equal) => Movement::Same,
            Some(std::cmp::Ordering::Less) => Movement::Declined,
            None => Movement::NotYetMeasured,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Movement::Improved => "Improved",
            Movement::Same => "No change",
            Movement::Declined => "Declined",
            Movement::NotYetMeasured => "Not yet measured",
        }
    }
}

/// One department's impact: how its items' look-fors moved.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ImpactSummary {
    pub improved: i64,
    pub same: i64,
    pub declined: i64,
    pub not_yet: i64,
    /// Sum of (after − before) in percentage points over measured pairs.
    points: f64,
}

impl ImpactSummary {
    pub fn add(&mut self, before: Share, after: Option<Share>) {
        match Movement::between(before, after) {
            Movement::Improved => self.improved += 1,
            Movement::Same => self.same += 1,
            Movement::Declined => self.declined += 1,
            Movement::NotYetMeasured => {
                self.not_yet += 1;
                return;
            }
        }
        if let Some(after) = after {
            self.points += ratio(after) - ratio(before);
        }
    }

    pub fn measured(&self) -> i64 {
        self.improved + self.same + self.declined
    }

    /// Mean change in percentage points, to one decimal.
    pub fn mean_change(&self) -> Option<f64> {
        let n = self.measured();
        (n > 0).then(|| (self.points / n as f64 * 10.0).round() / 10.0)
    }
}

fn ratio(share: Share) -> f64 {
    if share.applicable <= 0 {
        return 0.0;
    }
    share.observed as f64 * 100.0 / share.applicable as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_up_and_ignore_empty_evidence() {
        assert_eq!(Share::new(1, 3).percent(), Some(33));
        assert_eq!(Share::new(2, 3).percent(), Some(67));
        assert_eq!(Share::new(1, 8).percent(), Some(13));
        assert_eq!(Share::new(0, 4).percent(), Some(0));
        assert_eq!(Share::new(0, 0).percent(), None);
        assert_eq!(Share::new(3, 4).in_words(), "75% (3 of 4)");
        assert_eq!(Share::new(0, 0).in_words(), "no evidence");
    }

    #[test]
    fn bands_have_edges_at_quarters() {
        assert_eq!(Band::of(Share::new(24, 100)), Some(Band::Low));
        assert_eq!(Band::of(Share::new(25, 100)), Some(Band::Fair));
        assert_eq!(Band::of(Share::new(1, 2)), Some(Band::Good));
        assert_eq!(Band::of(Share::new(3, 4)), Some(Band::Strong));
        assert_eq!(Band::of(Share::new(0, 0)), None);
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median_days(vec![]), None);
        assert_eq!(median_days(vec![9, 1, 5]), Some(5.0));
        assert_eq!(median_days(vec![10, 2, 4, 30]), Some(7.0));
    }

    #[test]
    fn movement_compares_exact_shares() {
        let before = Share::new(1, 3);
        assert_eq!(
            Movement::between(before, Some(Share::new(2, 6))),
            Movement::Same
        );
        assert_eq!(
            Movement::between(before, Some(Share::new(34, 100))),
            Movement::Improved
        );
        assert_eq!(
            Movement::between(before, Some(Share::new(0, 5))),
            Movement::Declined
        );
        assert_eq!(Movement::between(before, None), Movement::NotYetMeasured);
        assert_eq!(
            Movement::between(before, Some(Share::new(0, 0))),
            Movement::NotYetMeasured
        );
    }

    #[test]
    fn impact_sums_points_over_measured_pairs_only() {
        let mut summary = ImpactSummary::default();
        summary.add(Share::new(1, 4), Some(Share::new(3, 4))); // +50
        summary.add(Share::new(2, 4), Some(Share::new(1, 4))); // −25
        summary.add(Share::new(2, 4), None);
        assert_eq!(
            (summary.improved, summary.declined, summary.not_yet),
            (1, 1, 1)
        );
        assert_eq!(summary.mean_change(), Some(12.5));
        assert_eq!(ImpactSummary::default().mean_change(), None);
    }

    #[test]
    fn days_to_done_count_calendar_days() {
        let visit = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        assert_eq!(
            days_to_done(visit, NaiveDate::from_ymd_opt(2026, 9, 15).unwrap()),
            14
        );
        assert_eq!(
            days_to_done(visit, NaiveDate::from_ymd_opt(2026, 8, 30).unwrap()),
            0
        );
    }
}
