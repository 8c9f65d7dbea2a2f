//! A person's visits as an iCalendar feed (RFC 5545).

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use crate::domain::read::visits::Visit;
use crate::domain::visit::{Segment, VisitStatus};

/// One all-day event per visit, with a stable UID so calendar apps update
/// an event when its visit moves instead of adding another.
pub fn feed(owner: &str, visits: &[Visit], base_url: &str) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!("Campus visits — {owner}"));
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
        event
            .uid(&format!("visit-{}@campus-visits", visit.id))
            .summary(&format!("Campus visit: {}", visit.school.name))
            .all_day(visit.date)
            .location(&visit.school.name)
            .description(&description)
            .url(&url)
            .status(if visit.status == VisitStatus::Planned {
                EventStatus::Tentative
            } else {
                EventStatus::Confirmed
            });
        calendar.push(event);
    }
    calendar.done().to_string()
}
