//! The debrief's evidence roll-up: for each look-for, in how many snapshots
//! it was observed, partly observed, or not observed — overall and by
//! setting. Snapshots where a look-for was marked n/a, or not ticked, do not
//! count towards it.

use std::collections::BTreeMap;

use super::observation::{Setting, Tick};

/// How often each tick was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickCounts {
    pub observed: u32,
    pub partly: u32,
    pub not_observed: u32,
    pub not_applicable: u32,
}

impl TickCounts {
    fn add(&mut self, tick: Tick) {
        match tick {
            Tick::Observed => self.observed += 1,
            Tick::Partly => self.partly += 1,
            Tick::NotObserved => self.not_observed += 1,
            Tick::NotApplicable => self.not_applicable += 1,
        }
    }

    /// Snapshots where the look-for applied.
    pub fn applicable(&self) -> u32 {
        self.observed + self.partly + self.not_observed
    }

    /// "seen in 2 of 9, partly in 3", or "not seen where it applied".
    pub fn in_words(&self) -> String {
        let n = self.applicable();
        if n == 0 {
            return "no snapshot where it applied".to_owned();
        }
        let mut words = format!("seen in {} of {n}", self.observed);
        if self.partly > 0 {
            words.push_str(&format!(", partly in {}", self.partly));
        }
        words
    }
}

/// One look-for's evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRollup {
    pub indicator_id: i64,
    pub total: TickCounts,
    pub by_setting: BTreeMap<Setting, TickCounts>,
}

/// Rolls up `snapshots` (each a setting and its ticks) for the look-fors
/// `indicator_ids`, in that order.
pub fn roll_up(
    indicator_ids: &[i64],
    snapshots: &[(Setting, &BTreeMap<i64, Tick>)],
) -> Vec<IndicatorRollup> {
    indicator_ids
        .iter()
        .map(|&indicator_id| {
            let mut total = TickCounts::default();
            let mut by_setting: BTreeMap<Setting, TickCounts> = BTreeMap::new();
            for (setting, ticks) in snapshots {
                if let Some(&tick) = ticks.get(&indicator_id) {
                    total.add(tick);
                    by_setting.entry(*setting).or_default().add(tick);
                }
            }
            IndicatorRollup {
                indicator_id,
                total,
                by_setting,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Tick::*;

    fn ticks(pairs: &[(i64, Tick)]) -> BTreeMap<i64, Tick> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn counts_overall_and_by_setting() {
        let a = ticks(&[(1, Observed), (2, NotObserved)]);
        let b = ticks(&[(1, Partly), (2, NotApplicable)]);
        let c = ticks(&[(1, Observed)]);
        let snapshots = [
            (Setting::Classroom, &a),
            (Setting::Classroom, &b),
            (Setting::Collaboration, &c),
        ];
        let rollup = roll_up(&[1, 2, 3], &snapshots);
        assert_eq!(
            rollup[0].total,
            TickCounts {
                observed: 2,
                partly: 1,
                not_observed: 0,
                not_applicable: 0
            }
        );
        assert_eq!(rollup[0].by_setting[&Setting::Classroom].applicable(), 2);
        assert_eq!(rollup[0].by_setting[&Setting::Collaboration].observed, 1);
        assert_eq!(rollup[0].total.in_words(), "seen in 2 of 3, partly in 1");
        assert_eq!(rollup[1].total.applicable(), 1, "n/a does not count");
        assert_eq!(rollup[1].total.in_words(), "seen in 0 of 1");
        assert_eq!(rollup[2].total, TickCounts::default(), "never ticked");
        assert_eq!(rollup[2].total.in_words(), "no snapshot where it applied");
    }

    #[test]
    fn no_snapshots_no_evidence() {
        let rollup = roll_up(&[1], &[]);
        assert_eq!(rollup[0].total.applicable(), 0);
        assert!(rollup[0].by_setting.is_empty());
    }
}
