//! Observation snapshots: what a visitor saw in one classroom, PLC, planning
//! session or corner of the tour, ticked against the look-fors.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::fields::FieldErrors;

text_enum! {
    /// Where the snapshot was taken.
    pub enum Setting {
        Classroom = ("classroom", "Classroom"),
        Collaboration = ("collaboration", "Collaboration / PLC"),
        Planning = ("planning", "Instructional planning"),
        Tour = ("tour", "Tour / other"),
    }
    unknown = "Choose where you observed.";
}

text_enum! {
    /// What was seen of one look-for.
    pub enum Tick {
        Observed = ("observed", "Observed"),
        Partly = ("partly", "Partly"),
        NotObserved = ("not_observed", "Not observed"),
        NotApplicable = ("not_applicable", "N/A"),
    }
    unknown = "Use observed, partly, not_observed or not_applicable.";
}

/// The key a device makes for one submission, so that sending it again
/// (a retry on weak Wi-Fi, a double tap) never stores it twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let key = raw.trim();
        if !(8..=100).contains(&key.len())
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(
                "The submission key must be 8 to 100 letters, digits, '-' or '_'.".to_owned(),
            );
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A snapshot ready to store. Ticks are by indicator id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewObservation {
    pub setting: Setting,
    pub room: String,
    pub grade_band: String,
    pub subject: String,
    /// `HH:MM`, when the snapshot started.
    pub started_at: Option<String>,
    /// 1 to 4; evidence comes first, a rating is optional.
    pub rating: Option<i32>,
    pub notes: String,
    /// The teacher's name, only where the district turned the field on.
    /// Left out of the fingerprint when empty, so keys stay stable.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub teacher: String,
    pub ticks: BTreeMap<i64, Tick>,
}

/// The raw fields of a snapshot, as a form or the API sends them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawObservation<'a> {
    pub setting: &'a str,
    pub room: &'a str,
    pub grade_band: &'a str,
    pub subject: &'a str,
    pub started_at: &'a str,
    pub rating: &'a str,
    pub notes: &'a str,
    /// Ignored (stored empty) unless the district turned the field on.
    pub teacher: &'a str,
}

fn short(raw: &str, max: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.chars().count() > max {
        return Err(format!("Use at most {max} characters."));
    }
    Ok(value.to_owned())
}

impl NewObservation {
    pub fn parse(
        raw: &RawObservation<'_>,
        ticks: BTreeMap<i64, Tick>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let setting = errors.check("setting", raw.setting.parse::<Setting>());
        let room = errors
            .check("room", short(raw.room, 60))
            .unwrap_or_default();
        let grade_band = errors
            .check("grade_band", short(raw.grade_band, 30))
            .unwrap_or_default();
        let subject = errors
            .check("subject", short(raw.subject, 60))
            .unwrap_or_default();
        let started_at = match raw.started_at.trim() {
            "" => None,
            time => match chrono::NaiveTime::parse_from_str(time, "%H:%M") {
                Ok(t) => Some(t.format("%H:%M").to_string()),
                Err(_) => {
                    errors.add("started_at", "Enter the time as HH:MM, e.g. 09:40.");
                    None
                }
            },
        };
        let rating = match raw.rating.trim() {
            "" => None,
            value => match value.parse::<i32>() {
                Ok(r) if (1..=4).contains(&r) => Some(r),
                _ => {
                    errors.add("rating", "Rate from 1 to 4, or leave it empty.");
                    None
                }
            },
        };
        let notes = errors
            .check("notes", short(raw.notes, 10_000))
            .unwrap_or_default();
        let teacher = errors
            .check("teacher", short(raw.teacher, 80))
            .unwrap_or_default();
        match setting {
            Some(setting) if errors.is_empty() => Ok(Self {
                setting,
                room,
                grade_band,
                subject,
                started_at,
                rating,
                notes,
                teacher,
                ticks,
            }),
            _ => Err(errors),
        }
    }

    /// A digest of everything submitted: the same content always gives the
    /// same fingerprint, so a replayed key can be told from a reused one.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        Sha256::digest(canonical)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>() -> RawObservation<'a> {
        RawObservation {
            setting: "classroom",
            room: "B12",
            grade_band: "6-8",
            subject: "Math",
            started_at: "9:05",
            rating: "",
            notes: " Exit tickets ",
            teacher: "",
        }
    }

    #[test]
    fn a_snapshot_parses_and_trims() {
        let obs = NewObservation::parse(&raw(), BTreeMap::from([(3, Tick::Observed)])).unwrap();
        assert_eq!(obs.started_at.as_deref(), Some("09:05"));
        assert_eq!(obs.notes, "Exit tickets");
        assert_eq!(obs.rating, None);
    }

    #[test]
    fn bad_fields_are_named() {
        let bad = RawObservation {
            setting: "gym",
            started_at: "noon",
            rating: "5",
            ..raw()
        };
        let errors = NewObservation::parse(&bad, BTreeMap::new()).unwrap_err();
        for field in ["setting", "started_at", "rating"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn fingerprints_follow_the_content() {
        let a = NewObservation::parse(
            &raw(),
            BTreeMap::from([(3, Tick::Observed), (1, Tick::Partly)]),
        )
        .unwrap();
        let same = NewObservation::parse(
            &raw(),
            BTreeMap::from([(1, Tick::Partly), (3, Tick::Observed)]),
        )
        .unwrap();
        let other = NewObservation::parse(
            &raw(),
            BTreeMap::from([(3, Tick::NotObserved), (1, Tick::Partly)]),
        )
        .unwrap();
        assert_eq!(a.fingerprint(), same.fingerprint());
        assert_ne!(a.fingerprint(), other.fingerprint());
    }

    #[test]
    fn keys_are_bounded_and_plain() {
        assert!(IdempotencyKey::parse("0b6f2c1e-93aa-4c1f-8d2e-5f1c3b7a9e10").is_ok());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse("has spaces in it").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(101)).is_err());
    }
}
