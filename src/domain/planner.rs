//! The rotation planner: a different campus each week on a chosen weekday,
//! the least recently visited first, skipping the district's closed days.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A campus the planner may choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campus {
    pub school_id: i64,
    pub name: String,
    /// The date of its latest visit, planned or held; `None` if never.
    pub last_visit: Option<NaiveDate>,
}

/// What the lead asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    pub start: NaiveDate,
    pub weekday: Weekday,
    pub weeks: usize,
    pub closed: BTreeSet<NaiveDate>,
}

/// One proposed visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub date: NaiveDate,
    pub school_id: i64,
    pub name: String,
    pub last_visit: Option<NaiveDate>,
}

/// The visit days: the chosen weekday each week from `start`, skipping closed
/// days (a closed visit day moves the rotation to the next week).
pub fn visit_days(request: &PlanRequest) -> Vec<NaiveDate> {
    let offset = (7 + request.weekday.num_days_from_monday()
        - request.start.weekday().num_days_from_monday())
        % 7;
    let mut day = request.start + Duration::days(i64::from(offset));
    let mut days = Vec::with_capacity(request.weeks);
    // Bounded: at most a few years of weeks, even if every day were closed.
    for _ in 0..(request.weeks + request.closed.len() + 1).min(520) {
        if days.len() == request.weeks {
            break;
        }
        if !request.closed.contains(&day) {
            days.push(day);
        }
        day += Duration::weeks(1);
    }
    days
}

/// Proposes the next visits: never-visited campuses first, then the least
/// recently visited; ties by name, then id, so the same input always gives
/// the same plan. With more weeks than campuses the rotation starts over.
pub fn propose(campuses: &[Campus], request: &PlanRequest) -> Vec<Proposal> {
    if campuses.is_empty() {
        return Vec::new();
    }
    let mut order: Vec<&Campus> = campuses.iter().collect();
    order.sort_by(|a, b| {
        (a.last_visit.is_some(), a.last_visit, &a.name, a.school_id).cmp(&(
            b.last_visit.is_some(),
            b.last_visit,
            &b.name,
            b.school_id,
        ))
    });
    visit_days(request)
        .into_iter()
        .enumerate()
        .map(|(i, date)| {
            let campus = order[i % order.len()];
            Proposal {
                date,
                school_id: campus.school_id,
                name: campus.name.clone(),
                last_visit: campus.last_visit,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn campus(id: i64, name: &str, last: Option<NaiveDate>) -> Campus {
        Campus {
            school_id: id,
            name: name.to_owned(),
            last_visit: last,
        }
    }

    fn request(weeks: usize, closed: &[NaiveDate]) -> PlanRequest {
        // Monday 2027-01-04; visits on Wednesdays.
        PlanRequest {
            start: day(2027, 1, 4),
            weekday: Weekday::Wed,
            weeks,
            closed: closed.iter().copied().collect(),
        }
    }

    #[test]
    fn days_fall_on_the_weekday_and_skip_closed_ones() {
        assert_eq!(
            visit_days(&request(3, &[])),
            vec![day(2027, 1, 6), day(2027, 1, 13), day(2027, 1, 20)]
        );
        assert_eq!(
            visit_days(&request(3, &[day(2027, 1, 13)])),
            vec![day(2027, 1, 6), day(2027, 1, 20), day(2027, 1, 27)]
        );
        // A start on the weekday itself counts.
        let same_day = PlanRequest {
            start: day(2027, 1, 6),
            ..request(1, &[])
        };
        assert_eq!(visit_days(&same_day), vec![day(2027, 1, 6)]);
        assert!(visit_days(&request(0, &[])).is_empty());
    }

    #[test]
    fn least_recently_visited_first_and_never_visited_before_all() {
        let campuses = [
            campus(1, "Alder", Some(day(2026, 11, 4))),
            campus(2, "Bowie", None),
            campus(3, "Carver", Some(day(2026, 9, 2))),
            campus(4, "Dobie", Some(day(2026, 10, 7))),
        ];
        let plan = propose(&campuses, &request(4, &[]));
        let order: Vec<i64> = plan.iter().map(|p| p.school_id).collect();
        assert_eq!(order, vec![2, 3, 4, 1]);
        assert_eq!(plan[0].date, day(2027, 1, 6));
        assert_eq!(plan[3].date, day(2027, 1, 27));
    }

    #[test]
    fn each_week_a_different_campus_then_the_rotation_repeats() {
        let campuses = [campus(1, "A", None), campus(2, "B", None)];
        let plan = propose(&campuses, &request(5, &[]));
        let order: Vec<i64> = plan.iter().map(|p| p.school_id).collect();
        assert_eq!(order, vec![1, 2, 1, 2, 1]);
        assert!(propose(&[], &request(3, &[])).is_empty());
    }

    #[test]
    fn the_same_input_gives_the_same_plan() {
        let campuses: Vec<Campus> = (0..10)
            .map(|i| campus(i, &format!("S{}", i % 3), None))
            .collect();
        assert_eq!(
            propose(&campuses, &request(8, &[])),
            propose(&campuses, &request(8, &[]))
        );
    }
}
