//! A person's visits as an iCalendar feed (RFC 5545).

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use crate::domain::read::learning::Session;
use crate::domain::read::visits::Visit;
use crate::domain::visit::{Segment, VisitStatus};

/// A TEXT value as it may go into the feed: a carriage return (alone or
/// before a line feed) becomes a line break, which the writer escapes as
/// `\n`; every other control character but tab is dropped, so nothing a
/// person typed can start a line of its own (RFC 5545, 3.3.11).
fn text(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// The feed with every content line folded at 75 octets, on character
/// boundaries, continuation lines starting with one space (RFC 5545, 3.1).
fn folded(ics: &str) -> String {
    const LIMIT: usize = 75;
    let unfolded = ics.replace("\r\n ", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 25);
    for line in unfolded.split_terminator("\r\n") {
        let mut rest = line;
        let mut limit = LIMIT;
        while rest.len() > limit {
            let mut cut = limit;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&rest[..cut]);
            out.push_str("\r\n ");
            rest = &rest[cut..];
            // The leading space counts towards the next line's octets.
            limit = LIMIT - 1;
        }
        out.push_str(rest);
        out.push_str("\r\n");
    }
    out
}

/// One all-day event per visit (it ends the next day, RFC 5545 3.6.1),
/// with a stable UID so calendar apps update an event when its visit moves
/// instead of adding another.
pub fn feed(
    owner: &str,
    visits: &[Visit],
    sessions: &[Session],
    zone: chrono_tz::Tz,
    base_url: &str,
) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&text(&format!("Campus visits — {owner}")));
    for visit in visits {
        let agenda: Vec<&str> = Segment::ALL
            .iter()
            .filter(|s| visit.segments.contains(s))
            .map(|s| s.label())
            .collect();
        let team: Vec<String> = visit
            .members
            .iter()
            .map(|m| match &m.department {
                Some(d) => format!("{} ({d})", m.name),
                None => m.name.clone(),
            })
            .collect();
        let mut description = String::new();
        if !visit.focus.is_empty() {
            description.push_str(&format!("Focus: {}\n", visit.focus));
        }
        if let Some(lead) = &visit.lead {
            description.push_str(&format!("Lead: {}\n", lead.name));
        }
        if !team.is_empty() {
            description.push_str(&format!("Team: {}\n", team.join(", ")));
        }
        if !agenda.is_empty() {
            description.push_str(&format!("Agenda: {}\n", agenda.join(", ")));
        }
        let url = format!("{base_url}/visits/{}", visit.id);
        description.push_str(&url);
        let mut event = Event::new();
        let next_day = visit.date.succ_opt().unwrap_or(visit.date);
        event
            .uid(&format!("visit-{}@campus-visits", visit.id))
            .summary(&text(&format!("Campus visit: {}", visit.school.name)))
            .starts(visit.date)
            .ends(next_day)
            .location(&text(&visit.school.name))
            .description(&text(&description))
            .url(&url)
            .status(if visit.status == VisitStatus::Planned {
                EventStatus::Tentative
            } else {
                EventStatus::Confirmed
            });
        calendar.push(event);
    }
    for session in sessions {
        calendar.push(session_event(session, zone, base_url));
    }
    folded(&calendar.done().to_string())
}

/// A session's wall-clock time on its day in the district's zone, as UTC
/// (a time that falls in a gap of a clock change moves past it).
fn at(day: chrono::NaiveDate, clock: &str, zone: chrono_tz::Tz) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    let time = chrono::NaiveTime::parse_from_str(clock, "%H:%M").unwrap_or_default();
    let local = day.and_time(time);
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| local.and_utc())
}

/// A timed event per session, with a stable UID.
fn session_event(session: &Session, zone: chrono_tz::Tz, base_url: &str) -> Event {
    let url = format!("{base_url}/learning/sessions/{}", session.id);
    let mut description = format!("{} ({})\n", session.offering.name, session.department.name);
    if let Some(series) = &session.series {
        description.push_str(&format!("Series: {}\n", series.name));
    }
    if let Some(facilitator) = &session.facilitator {
        description.push_str(&format!("Facilitator: {}\n", facilitator.name));
    }
    description.push_str(&url);
    let mut event = Event::new();
    event
        .uid(&format!("session-{}@campus-visits", session.id))
        .summary(&text(&format!(
            "Professional learning: {}",
            session.offering.name
        )))
        .starts(at(session.on_date, &session.starts_at, zone))
        .ends(at(session.on_date, &session.ends_at, zone))
        .location(&text(&session.place))
        .description(&text(&description))
        .url(&url)
        .status(if session.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    event.done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_carriage_return_becomes_a_line_break_and_other_controls_go() {
        assert_eq!(
            text("Reading\rATTENDEE:mailto:m@evil.example"),
            "Reading\nATTENDEE:mailto:m@evil.example"
        );
        assert_eq!(text("a\r\nb\tc\u{0}\u{1b}d\u{85}"), "a\nb\tcd");
    }

    #[test]
    fn lines_fold_at_75_octets_on_character_boundaries() {
        let long = format!("DESCRIPTION:{}\r\n", "é".repeat(60) + &"x".repeat(100));
        let out = folded(&format!("BEGIN:VCALENDAR\r\n{long}END:VCALENDAR\r\n"));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("BEGIN:VCALENDAR\r\n{long}END:VCALENDAR\r\n")
        );
    }
}
