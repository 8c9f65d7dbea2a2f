//! Professional-learning pages: the catalogue, an offering, a session with
//! its registrations and attendance, their forms, and the learning impact.

use maud::{html, Markup};

use super::{csrf_field, error_summary, notice, page, select_field, Ctx, Section, TextField};
use crate::domain::forms::{
    CatalogueForm, OfferingForm, RegistrationForm, SeriesForm, SessionForm,
};
use crate::domain::framework::Problem;
use crate::domain::insights::{ImpactSummary, Movement};
use crate::domain::learning::{credit_hours_text, Audience, CampusPair, Format};
use crate::domain::read::learning::{
    LearningImpactRow, Offering, Registration, Series, Served, Session, WeakLookForLearning,
};
use crate::domain::user::Link;
use crate::domain::FieldErrors;

/// A session as a person sees it: the registrations they may see, the
/// published items it serves that they may see, and what they may do.
#[derive(Debug, Clone)]
pub struct SessionPage {
    pub session: Session,
    pub registrations: Vec<Registration>,
    pub serves: Vec<Served>,
    pub manages: bool,
    pub marks_attendance: bool,
    /// The campus a school leader registers, or `None`.
    pub own_campus: Option<i64>,
    /// Campuses an administrator may register.
    pub campuses: Vec<Link>,
    /// Whether the district names participants.
    pub names_allowed: bool,
    /// The offering's next sessions with seats, for a full one.
    pub next: Vec<Session>,
}

/// What the catalogue page shows.
pub struct Catalogue {
    pub offerings: Vec<Offering>,
    pub sessions: Vec<Session>,
    pub series: Vec<Series>,
    pub departments: Vec<Link>,
    pub department_id: Option<i64>,
    pub can_add: bool,
    pub keeps_series: bool,
}

/// "Wed 14 Feb 2027, 13:30–16:00".
pub fn when(session: &Session) -> String {
    format!(
        "{}, {}–{}",
        session.on_date.format("%a %-d %b %Y"),
        session.starts_at,
        session.ends_at
    )
}

/// Seats said in words, with "Full" or "Cancelled" as words, not colour.
pub fn seats(session: &Session) -> Markup {
    html! {
        @if session.cancelled { span.status.inactive { "Cancelled" } }
        @else if session.is_full() { span.status.overdue { "Full" } " (" (session.capacity) " seats)" }
        @else { (session.seats_left()) " of " (session.capacity) " seats left" }
    }
}

fn sessions_table(sessions: &[Session], caption: &str, with_offering: bool) -> Markup {
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(caption) {
            table {
                caption { (caption) }
                thead { tr {
                    th scope="col" { "When" }
                    @if with_offering { th scope="col" { "Offering" } }
                    th scope="col" { "Place" }
                    th scope="col" { "Series" }
                    th scope="col" { "Seats" }
                } }
                tbody {
                    @for s in sessions {
                        tr {
                            td { a href={ "/learning/sessions/" (s.id) } { (when(s)) } }
                            @if with_offering { td { a href={ "/learning/offerings/" (s.offering.id) } { (s.offering.name) } br; span.hint { (s.department.name) } } }
                            td { (s.place) }
                            td { (s.series.as_ref().map(|l| l.name.as_str()).unwrap_or("—")) }
                            td { (seats(s)) }
                        }
                    }
                    @if sessions.is_empty() {
                        tr { td colspan=(if with_offering { 5 } else { 4 }) { "No sessions." } }
                    }
                }
            }
        }
    }
}

pub fn catalogue(
    ctx: &Ctx,
    catalogue: &Catalogue,
    series_form: &SeriesForm,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let departments: Vec<(String, String)> = catalogue
        .departments
        .iter()
        .map(|d| (d.id.to_string(), d.name.clone()))
        .collect();
    let chosen = catalogue
        .department_id
        .map(|d| d.to_string())
        .unwrap_or_default();
    page(
        ctx,
        "Professional learning",
        Section::Learning,
        html! {
            h1 { "Professional learning" }
            (notice(done))
            p.lede { "The offerings the departments run, the look-fors each addresses, and the sessions to come." }
            div.actions {
                @if catalogue.can_add {
                    a.button href="/learning/offerings/new" { "Add an offering" }
                    a.button.secondary href="/learning/catalogue" { "Import or export the catalogue" }
                }
                @if ctx.user.as_ref().is_some_and(|u| u.sees_district || u.department_board.is_some()) {
                    a.button.secondary href="/insights/learning" { "Did it work? The learning impact" }
                }
            }
            form.filters method="get" action="/learning" {
                (select_field("department_id", "Department", &chosen, &departments, Some("Every department"), false, &FieldErrors::new()))
                div.actions { button.secondary type="submit" { "Show" } }
            }
            h2 { "Sessions to come" }
            (sessions_table(&catalogue.sessions, "Sessions to come, soonest first", true))
            h2 { "Offerings" }
            div.table-wrap tabindex="0" role="region" aria-label="Offerings" {
                table {
                    caption { "Offerings in title order" }
                    thead { tr {
                        th scope="col" { "Offering" }
                        th scope="col" { "Department" }
                        th scope="col" { "Format" }
                        th scope="col" { "For" }
                        th scope="col" { "Credit hours" }
                        th scope="col" { "Look-fors" }
                    } }
                    tbody {
                        @for o in &catalogue.offerings {
                            tr {
                                td { a href={ "/learning/offerings/" (o.id) } { (o.title) } }
                                td { (o.department.name) }
                                td { (o.format.label()) }
                                td { (o.audience.label()) }
                                td { (credit_hours_text(o.credit_tenths)) }
                                td { (if o.look_fors.is_empty() { "—".to_owned() } else { o.look_fors.join(", ") }) }
                            }
                        }
                        @if catalogue.offerings.is_empty() { tr { td colspan="6" { "No offerings yet." } } }
                    }
                }
            }
            h2 { "Series" }
            @if catalogue.series.is_empty() { p { "No series yet." } }
            @else {
                ul { @for s in &catalogue.series { li { strong { (s.name) } " — " (super::count(s.sessions as usize, "session", "sessions")) @if !s.description.is_empty() { br; (s.description) } } } }
            }
            @if catalogue.keeps_series {
                h3 { "Add a series" }
                (error_summary(errors))
                form.stacked method="post" action="/learning/series" novalidate {
                    (csrf_field(ctx))
                    (TextField::new("name", "Name", &series_form.name).hint("For example “Summer Professional Learning Series 2027” or “Wednesday extended-day training”.").show(errors))
                    (TextField::new("description", "Description", &series_form.description).optional().show(errors))
                    div.actions { button type="submit" { "Add the series" } }
                }
            }
        },
    )
}

pub fn offering(
    ctx: &Ctx,
    offering: &Offering,
    sessions: &[Session],
    manages: bool,
    done: Option<&str>,
) -> Markup {
    page(
        ctx,
        &offering.title,
        Section::Learning,
        html! {
            p { a href="/learning" { "← The catalogue" } }
            h1 { (offering.title) }
            (notice(done))
            @if !offering.active { p { span.status.inactive { "Not offered now" } } }
            dl.facts {
                dt { "Department" } dd { (offering.department.name) }
                dt { "Format" } dd { (offering.format.label()) }
                dt { "For" } dd { (offering.audience.label()) }
                dt { "Credit hours" } dd { (credit_hours_text(offering.credit_tenths)) }
                dt { "Look-fors it addresses" } dd { (if offering.look_fors.is_empty() { "None named".to_owned() } else { offering.look_fors.join(", ") }) }
            }
            @if !offering.description.is_empty() { @for line in offering.description.lines() { p { (line) } } }
            @if manages {
                div.actions {
                    a.button href={ "/learning/offerings/" (offering.id) "/sessions/new" } { "Add a session" }
                    a.button.secondary href={ "/learning/offerings/" (offering.id) "/edit" } { "Edit the offering" }
                }
            }
            h2 { "Sessions" }
            (sessions_table(sessions, "Its sessions in date order", false))
        },
    )
}

fn choices<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (value(*v).to_owned(), label(*v).to_owned()))
        .collect()
}

fn links(links: &[Link]) -> Vec<(String, String)> {
    links
        .iter()
        .map(|l| (l.id.to_string(), l.name.clone()))
        .collect()
}

pub fn offering_form(
    ctx: &Ctx,
    offering: Option<&Offering>,
    form: &OfferingForm,
    departments: &[Link],
    errors: &FieldErrors,
) -> Markup {
    let (title, action) = match offering {
        Some(o) => (
            format!("Edit {}", o.title),
            format!("/learning/offerings/{}", o.id),
        ),
        None => (
            "Add an offering".to_owned(),
            "/learning/offerings".to_owned(),
        ),
    };
    let formats = choices(&Format::ALL, Format::as_str, Format::label);
    let audiences = choices(&Audience::ALL, Audience::as_str, Audience::label);
    page(
        ctx,
        &title,
        Section::Learning,
        html! {
            p { a href="/learning" { "← The catalogue" } }
            h1 { (title) }
            (error_summary(errors))
            form.stacked method="post" action=(action) novalidate {
                (csrf_field(ctx))
                (TextField::new("title", "Title", &form.title).show(errors))
                div.field.invalid[errors.get("description").is_some()] {
                    label for="description" { "Description (optional)" }
                    @if let Some(error) = errors.get("description") { p.error-message id="description-error" { (error) } }
                    textarea id="description" name="description" rows="4" { (form.description) }
                }
                (select_field("department_id", "Department that runs it", &form.department_id, &links(departments), Some("Choose a department"), false, errors))
                (select_field("format", "Format", &form.format, &formats, None, false, errors))
                (select_field("audience", "For", &form.audience, &audiences, None, false, errors))
                (TextField::new("credit_hours", "Credit hours", &form.credit_hours).hint("From 0 to 100, to the tenth: 1.5, 3 or 6.").show(errors))
                (TextField::new("look_fors", "Look-fors it addresses", &form.look_fors).optional().hint("Their codes, separated by spaces or commas: CU1 SE1.").show(errors))
                (super::checkbox("active", "Offered now", form.active.is_some()))
                div.actions { button type="submit" { "Save the offering" } }
            }
        },
    )
}

pub fn session_form(
    ctx: &Ctx,
    offering: &Offering,
    session: Option<&Session>,
    form: &SessionForm,
    series: &[Link],
    staff: &[Link],
    errors: &FieldErrors,
) -> Markup {
    let (title, action) = match session {
        Some(s) => (
            format!("Edit the session of {}", s.on_date),
            format!("/learning/sessions/{}", s.id),
        ),
        None => (
            format!("Add a session of {}", offering.title),
            format!("/learning/offerings/{}/sessions", offering.id),
        ),
    };
    page(
        ctx,
        &title,
        Section::Learning,
        html! {
            p { a href={ "/learning/offerings/" (offering.id) } { "← " (offering.title) } }
            h1 { (title) }
            (error_summary(errors))
            form.stacked method="post" action=(action) novalidate {
                (csrf_field(ctx))
                (TextField::new("date", "Date", &form.date).kind("date").hint("The district's day, YYYY-MM-DD.").show(errors))
                div.context {
                    (TextField::new("starts_at", "Starts at", &form.starts_at).kind("time").hint("HH:MM on the district's clock.").show(errors))
                    (TextField::new("ends_at", "Ends at", &form.ends_at).kind("time").show(errors))
                }
                (TextField::new("place", "Place or online link", &form.place).show(errors))
                (TextField::new("capacity", "Seats", &form.capacity).kind("number").hint("For example 22 for a training of at most 22 teachers.").show(errors))
                (select_field("series_id", "Series", &form.series_id, &links(series), Some("None"), true, errors))
                (select_field("facilitator_id", "Facilitator", &form.facilitator_id, &links(staff), Some("Nobody yet"), true, errors))
                @if session.is_some() { (super::checkbox("cancelled", "Cancelled", form.cancelled.is_some())) }
                div.actions { button type="submit" { "Save the session" } }
            }
        },
    )
}

pub fn session(
    ctx: &Ctx,
    page_data: &SessionPage,
    form: &RegistrationForm,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let session = &page_data.session;
    let own = page_data
        .own_campus
        .and_then(|c| page_data.registrations.iter().find(|r| r.school.id == c));
    let may_register = page_data.own_campus.is_some() || !page_data.campuses.is_empty();
    let open = !session.cancelled && session.on_date >= ctx.today;
    page(
        ctx,
        &session.name(),
        Section::Learning,
        html! {
            p { a href={ "/learning/offerings/" (session.offering.id) } { "← " (session.offering.name) } }
            h1 { (session.offering.name) }
            (notice(done))
            (error_summary(errors))
            dl.facts {
                dt { "When" } dd { (when(session)) }
                dt { "Where" } dd { (session.place) }
                dt { "Seats" } dd { (seats(session)) }
                dt { "Department" } dd { (session.department.name) }
                dt { "Series" } dd { (session.series.as_ref().map(|s| s.name.as_str()).unwrap_or("—")) }
                dt { "Facilitator" } dd { (session.facilitator.as_ref().map(|f| f.name.as_str()).unwrap_or("Nobody yet")) }
                dt { "Credit hours" } dd { (credit_hours_text(session.credit_tenths)) }
            }
            @if page_data.manages {
                div.actions { a.button.secondary href={ "/learning/sessions/" (session.id) "/edit" } { "Edit the session" } }
            }
            @if session.is_full() && !page_data.next.is_empty() {
                div.notice role="status" {
                    p { "This session is full. The next with seats:" }
                    ul { @for next in &page_data.next { li { a href={ "/learning/sessions/" (next.id) } { (when(next)) } " — " (seats(next)) } } }
                }
            }
            @if may_register && open {
                h2 { @if own.is_some() { "Your campus's registration" } @else { "Register" } }
                @if let Some(own) = own { p { (own.school.name) " holds " (super::count(own.participants as usize, "seat", "seats")) "." } }
                form.stacked method="post" action={ "/learning/sessions/" (session.id) "/register" } novalidate {
                    (csrf_field(ctx))
                    @if page_data.own_campus.is_none() {
                        (select_field("school_id", "Campus", &form.school_id, &links(&page_data.campuses), Some("Choose a campus"), false, errors))
                    }
                    (TextField::new("participants", "Participants", &form.participants).kind("number").hint("How many from the campus will come.").show(errors))
                    @if page_data.names_allowed {
                        div.field.invalid[errors.get("names").is_some()] {
                            label for="names" { "Their names (optional)" }
                            p.hint id="names-hint" { "One a line." }
                            @if let Some(error) = errors.get("names") { p.error-message id="names-error" { (error) } }
                            textarea id="names" name="names" rows="4" aria-describedby="names-hint" { (form.names) }
                        }
                    }
                    div.actions { button type="submit" { @if own.is_some() { "Change the count" } @else { "Register" } } }
                }
                @if let Some(own) = own {
                    form.inline method="post" action={ "/learning/sessions/" (session.id) "/withdraw" } {
                        (csrf_field(ctx))
                        input type="hidden" name="school_id" value=(own.school.id);
                        button.secondary type="submit" { "Withdraw the campus" }
                    }
                }
            }
            h2 { "Campuses registered" }
            @if page_data.registrations.is_empty() { p { "None that you may see." } }
            @else {
                form method="post" action={ "/learning/sessions/" (session.id) "/attendance" } novalidate {
                    (csrf_field(ctx))
                    div.table-wrap tabindex="0" role="region" aria-label="Campuses registered" {
                        table {
                            caption { "Registrations and attendance" }
                            thead { tr { th scope="col" { "Campus" } th scope="col" { "Registered" } th scope="col" { "Attended" } } }
                            tbody {
                                @for r in &page_data.registrations {
                                    tr {
                                        td { (r.school.name) @if !r.names.is_empty() { br; span.hint { (r.names.lines().collect::<Vec<_>>().join(", ")) } } }
                                        td { (r.participants) }
                                        td {
                                            @if page_data.marks_attendance && session.on_date <= ctx.today && !session.cancelled {
                                                @let name = format!("attended_{}", r.school.id);
                                                label.visually-hidden for=(name) { "Attended from " (r.school.name) }
                                                @if let Some(error) = errors.get(&name) { p.error-message id={ (name) "-error" } { (error) } }
                                                input.count type="number" min="0" id=(name) name=(name) value=(r.attended.map(|a| a.to_string()).unwrap_or_default());
                                            } @else {
                                                (r.attended.map(|a| a.to_string()).unwrap_or_else(|| "Not marked yet".to_owned()))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if page_data.marks_attendance && session.on_date <= ctx.today && !session.cancelled {
                        div.actions { button type="submit" { "Save attendance" } }
                    }
                }
            }
            h2 { "Items it serves" }
            @if page_data.serves.is_empty() { p { "No action item is linked to this session yet." } }
            @else {
                ul { @for s in &page_data.serves { li { a href={ "/items/" (s.item_id) } { (s.title) } " — " (s.school.name) } } }
            }
        },
    )
}

fn movement_word(movement: Movement) -> &'static str {
    movement.label()
}

fn group_cell(summary: &ImpactSummary, campuses: usize) -> Markup {
    html! {
        @if campuses == 0 { "No campus" }
        @else {
            (super::count(campuses, "campus", "campuses")) ": "
            (summary.improved) " improved, " (summary.same) " no change, " (summary.declined) " declined"
            @if summary.not_yet > 0 { ", " (summary.not_yet) " not yet measured" }
            @match summary.mean_change() {
                Some(change) => { br; strong { (format!("{change:+.1}")) " points" } " on average" }
                None => { br; "Not yet measured" }
            }
        }
    }
}

fn pairs_list(pairs: &[(Link, CampusPair)]) -> Markup {
    html! {
        ul {
            @for (school, pair) in pairs {
                li {
                    (school.name) ": "
                    @match pair.before { Some((date, share)) => { (share.in_words()) " on " (date) }, None => { "no visit before" } }
                    " → "
                    @match pair.after { Some((date, share)) => { (share.in_words()) " on " (date) }, None => { "no visit since" } }
                    " (" (movement_word(pair.movement())) ")"
                }
            }
        }
    }
}

/// The learning impact: a row per offering and look-for with both groups
/// summed up, and each campus's before and after for the offering chosen
/// (`offering_id`), so that a district of thousands of campuses reads as a
/// table and opens one offering at a time.
pub fn impact(
    ctx: &Ctx,
    rows: &[LearningImpactRow],
    department_id: Option<i64>,
    offering_id: Option<i64>,
    departments: &[Link],
) -> Markup {
    let chosen = department_id.map(|d| d.to_string()).unwrap_or_default();
    let campuses_of = |offering: i64| match department_id {
        Some(d) => format!("/insights/learning?department_id={d}&offering_id={offering}#campuses"),
        None => format!("/insights/learning?offering_id={offering}#campuses"),
    };
    let opened: Vec<&LearningImpactRow> = rows
        .iter()
        .filter(|r| Some(r.offering.id) == offering_id)
        .collect();
    page(
        ctx,
        "Did it work? The learning impact",
        Section::Learning,
        html! {
            p { a href="/learning" { "← The catalogue" } }
            h1 { "Did it work? The learning impact" }
            p.lede {
                "For each offering and each look-for it addresses: the look-for's share at each campus's visit before the session "
                "and at its next visit after it, for the campuses that attended, against the campuses with the same weak look-for that did not."
            }
            @if !departments.is_empty() {
                form.filters method="get" action="/insights/learning" {
                    (select_field("department_id", "Department", &chosen, &links(departments), Some("Every department"), false, &FieldErrors::new()))
                    div.actions { button.secondary type="submit" { "Show" } }
                }
            }
            @if rows.is_empty() { p { "No offering names a look-for yet." } }
            @else {
                div.table-wrap tabindex="0" role="region" aria-label="Learning impact" {
                    table {
                        caption { "Each offering's look-fors: attended against not attended" }
                        thead { tr {
                            th scope="col" { "Offering" }
                            th scope="col" { "Look-for" }
                            th scope="col" { "Campuses that attended" }
                            th scope="col" { "Weak campuses that did not" }
                        } }
                        tbody {
                            @for row in rows {
                                tr {
                                    td {
                                        a href={ "/learning/offerings/" (row.offering.id) } { (row.offering.name) } br;
                                        span.hint { (row.department.name) } br;
                                        @if !row.attended_pairs.is_empty() || !row.compared_pairs.is_empty() {
                                            a href=(campuses_of(row.offering.id)) { "Each campus" span.visually-hidden { ": " (row.offering.name) ", " (row.code) } }
                                        }
                                    }
                                    td { strong { (row.code) } " " (row.look_for) }
                                    td { (group_cell(&row.attended, row.attended_pairs.len())) }
                                    td { (group_cell(&row.compared, row.compared_pairs.len())) }
                                }
                            }
                        }
                    }
                }
                @if !opened.is_empty() {
                    h2 #campuses { (opened[0].offering.name) ": each campus" }
                    @for row in &opened {
                        h3 { (row.code) " " (row.look_for) }
                        @if row.attended_pairs.is_empty() && row.compared_pairs.is_empty() { p { "No campus to compare yet." } }
                        @if !row.attended_pairs.is_empty() { h4 { "Attended" } (pairs_list(&row.attended_pairs)) }
                        @if !row.compared_pairs.is_empty() { h4 { "Did not attend" } (pairs_list(&row.compared_pairs)) }
                    }
                }
            }
        },
    )
}

/// The catalogue as a file: its exports, and the import form as typed
/// with its messages and the problems of a refused file.
pub fn catalogue_file(
    ctx: &Ctx,
    form: &CatalogueForm,
    errors: &FieldErrors,
    problems: &[Problem],
    done: Option<&str>,
) -> Markup {
    let formats = [
        ("json".to_owned(), "JSON".to_owned()),
        ("csv".to_owned(), "CSV (offerings, and sessions)".to_owned()),
    ];
    page(
        ctx,
        "Import or export the catalogue",
        Section::Learning,
        html! {
            p { a href="/learning" { "← Professional learning" } }
            h1 { "Import or export the catalogue" }
            (notice(done))
            h2 { "Export" }
            p { "The whole catalogue, every department's offerings with their sessions, in the format it imports from." }
            ul {
                li { a href="/learning/catalogue.json" download { "Catalogue (JSON)" } }
                li { a href="/learning/offerings.csv" download { "Offerings (CSV)" } }
                li { a href="/learning/sessions.csv" download { "Sessions (CSV)" } }
            }
            h2 { "Import" }
            p {
                "An offering is matched by its title and a session by its offering, date and start time: those found are updated, the rest added; nothing is deleted. "
                "The file is checked whole, and a file with any problem is refused whole."
            }
            (error_summary(errors))
            @if !problems.is_empty() {
                div.error-summary role="alert" {
                    h2 { (super::count(problems.len(), "problem", "problems")) " in the file; nothing was imported" }
                    ul { @for problem in problems { li { code { (problem.place) } ": " (problem.message) } } }
                }
            }
            form.stacked method="post" action="/learning/catalogue" novalidate {
                (csrf_field(ctx))
                (select_field("format", "Format", &form.format, &formats, None, false, errors))
                div.field.invalid[errors.get("content").is_some()] {
                    label for="content" { "The catalogue file (JSON) or the offerings file (CSV)" }
                    p.hint id="content-hint" {
                        "JSON: {\"series\": [{\"name\", \"description\"}], \"offerings\": [{\"title\", \"description\", \"format\", \"department\", \"audience\", \"credit_hours\", \"look_fors\", \"active\", \"sessions\": [{\"date\", \"starts_at\", \"ends_at\", \"place\", \"capacity\", \"series\", \"facilitator\", \"cancelled\"}]}]}. "
                        "Offerings CSV: title,description,format,department,audience,credit_hours,look_fors,active."
                    }
                    @if let Some(error) = errors.get("content") { p.error-message id="content-error" { (error) } }
                    textarea id="content" name="content" rows="12" aria-describedby="content-hint" { (form.content) }
                }
                div.field {
                    label for="sessions" { "The sessions file (CSV only) (optional)" }
                    p.hint id="sessions-hint" { "offering,series,date,starts_at,ends_at,place,capacity,facilitator,cancelled — the offering by its title, the facilitator by email, times as HH:MM on the district's clock." }
                    textarea id="sessions" name="sessions" rows="8" aria-describedby="sessions-hint" { (form.sessions) }
                }
                div.actions { button type="submit" { "Import" } }
            }
        },
    )
}

/// Look-fors weak at campuses' latest visits and the sessions to come that
/// address them: a section of the department page and the overview.
pub fn weak_look_for_sessions(rows: &[WeakLookForLearning], weak_share: i64) -> Markup {
    html! {
        h2 #learning { "Upcoming learning for weak look-fors" }
        p.hint {
            "Look-fors observed in less than " (weak_share) "% of snapshots at a campus's latest visit with evidence, "
            "and the soonest sessions of the offerings that address them."
        }
        @if rows.is_empty() { p { "No weak look-for has a session to come." } }
        @else {
            div.table-wrap tabindex="0" role="region" aria-label="Upcoming learning for weak look-fors" {
                table {
                    caption { "Most campuses first" }
                    thead { tr {
                        th scope="col" { "Look-for" }
                        th scope="col" class="num" { "Weak at campuses" }
                        th scope="col" { "Sessions to come" }
                    } }
                    tbody {
                        @for row in rows {
                            tr {
                                td { (row.code) " " (row.title) }
                                td.num { (row.weak_campuses) }
                                td {
                                    ul.plain {
                                        @for s in &row.sessions {
                                            li {
                                                a href={ "/learning/sessions/" (s.id) } { (s.name()) }
                                                " — " (s.place) ", "
                                                @if s.is_full() { strong { "full" } } @else { (super::count(s.seats_left() as usize, "seat", "seats")) " left" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
