//! Professional learning: the catalogue of offerings the departments run,
//! their sessions, a campus's registrations and attendance, and the rules
//! of each (who may change what is decided by the callers; what a session
//! allows is decided here).

use chrono::{NaiveDate, NaiveTime};

use std::collections::BTreeMap;

use super::action_item::{is_weak_share, Rules};
use super::fields::{calendar_day, day_text, plain_text, required_text, FieldErrors};
use super::insights::{ImpactSummary, Movement, Share};

text_enum! {
    /// How an offering is delivered.
    pub enum Format {
        OnSite = ("on_site", "On site"),
        Online = ("online", "Online"),
        Blended = ("blended", "Blended"),
    }
    unknown = "Choose on site, online or blended.";
}

text_enum! {
    /// Whom an offering is for.
    pub enum Audience {
        Teachers = ("teachers", "Teachers"),
        Leaders = ("leaders", "Campus leaders"),
        Both = ("both", "Teachers and campus leaders"),
    }
    unknown = "Choose teachers, campus leaders or both.";
}

/// The longest title, description and place.
pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4000;
pub const PLACE_MAX: usize = 300;
/// The most credit hours one offering gives (in tenths: 100 hours).
pub const CREDIT_TENTHS_MAX: i32 = 1000;
/// The most seats a session has.
pub const CAPACITY_MAX: i32 = 10_000;
/// The most look-fors one offering addresses.
pub const LOOK_FORS_MAX: usize = 50;

/// Credit hours in tenths, read from "1.5", "3" or "0.5".
pub fn credit_tenths(raw: &str) -> Result<i32, String> {
    let refusal = || "Enter the credit hours as a number such as 1.5, from 0 to 100.".to_owned();
    let raw = raw.trim();
    let (whole, tenth) = match raw.split_once('.') {
        Some((whole, tenth)) => (whole, Some(tenth)),
        None => (raw, None),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || tenth.is_some_and(|t| t.len() != 1 || !digits(t)) {
        return Err(refusal());
    }
    let tenths = whole.parse::<i32>().map_err(|_| refusal())? * 10
        + tenth
            .map_or(Ok(0), str::parse::<i32>)
            .map_err(|_| refusal())?;
    if tenths > CREDIT_TENTHS_MAX {
        return Err(refusal());
    }
    Ok(tenths)
}

/// Credit hours in tenths from a JSON number, rounded to the tenth.
pub fn credit_tenths_of(hours: f64) -> Result<i32, String> {
    let tenths = (hours * 10.0).round();
    if !(0.0..=f64::from(CREDIT_TENTHS_MAX)).contains(&tenths) {
        return Err("Give from 0 to 100 credit hours.".to_owned());
    }
    Ok(tenths as i32)
}

/// "1.5" from 15, "3" from 30.
pub fn credit_hours_text(tenths: impl Into<i64>) -> String {
    let tenths: i64 = tenths.into();
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

fn optional_text(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    plain_text(text)?;
    if text.chars().count() > max {
        return Err(format!("Use at most {max} characters."));
    }
    Ok(text.to_owned())
}

/// Look-for codes from "CU1 SE1, LG4": distinct, in the order given.
pub fn look_for_codes<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut codes: Vec<String> = Vec::new();
    for code in raw
        .into_iter()
        .flat_map(|part| part.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|c| !c.is_empty())
    {
        let shaped = code.len() <= 20
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !shaped {
            return Err(format!(
                "{code:?} is not a look-for code (letters, digits, '-', '_' and '.')."
            ));
        }
        if !codes.iter().any(|c| c.eq_ignore_ascii_case(code)) {
            codes.push(code.to_owned());
        }
    }
    if codes.len() > LOOK_FORS_MAX {
        return Err(format!("Name at most {LOOK_FORS_MAX} look-fors."));
    }
    Ok(codes)
}

/// An offering as typed or sent: every value still text.
#[derive(Debug, Clone)]
pub struct OfferingInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub format: &'a str,
    pub department_id: Option<i64>,
    pub audience: &'a str,
    pub credit_tenths: Result<i32, String>,
    pub look_fors: Vec<&'a str>,
    pub active: bool,
}

impl Default for OfferingInput<'_> {
    fn default() -> Self {
        Self {
            title: "",
            description: "",
            format: "",
            department_id: None,
            audience: "",
            credit_tenths: credit_tenths(""),
            look_fors: Vec::new(),
            active: true,
        }
    }
}

/// An offering ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffering {
    pub title: String,
    pub description: String,
    pub format: Format,
    pub department_id: i64,
    pub audience: Audience,
    pub credit_tenths: i32,
    /// The look-fors it addresses, by code.
    pub look_fors: Vec<String>,
    pub active: bool,
}

impl NewOffering {
    pub fn parse(input: &OfferingInput<'_>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check(
            "title",
            required_text(input.title, TITLE_MAX, "Enter the offering's title."),
        );
        let description = errors.check(
            "description",
            optional_text(input.description, DESCRIPTION_MAX),
        );
        let format = errors.check("format", input.format.parse::<Format>());
        let department_id = errors.check(
            "department_id",
            input
                .department_id
                .ok_or("Choose the department that runs it."),
        );
        let audience = errors.check("audience", input.audience.parse::<Audience>());
        let credit_tenths = errors.check("credit_hours", input.credit_tenths.clone());
        let look_fors = errors.check("look_fors", look_for_codes(input.look_fors.iter().copied()));
        match (
            title,
            description,
            format,
            department_id,
            audience,
            credit_tenths,
            look_fors,
        ) {
            (
                Some(title),
                Some(description),
                Some(format),
                Some(department_id),
                Some(audience),
                Some(credit_tenths),
                Some(look_fors),
            ) if errors.is_empty() => Ok(Self {
                title,
                description,
                format,
                department_id,
                audience,
                credit_tenths,
                look_fors,
                active: input.active,
            }),
            _ => Err(errors),
        }
    }
}

/// A series as typed or sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSeries {
    pub name: String,
    pub description: String,
}

impl NewSeries {
    pub fn parse(name: &str, description: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check(
            "name",
            required_text(name, TITLE_MAX, "Enter the series' name."),
        );
        let description = errors.check("description", optional_text(description, DESCRIPTION_MAX));
        match (name, description) {
            (Some(name), Some(description)) if errors.is_empty() => Ok(Self { name, description }),
            _ => Err(errors),
        }
    }
}

/// A time of day written `HH:MM`.
pub fn clock_time(raw: &str) -> Result<NaiveTime, String> {
    let raw = raw.trim();
    let shaped = raw.len() == 5 && raw.as_bytes()[2] == b':';
    NaiveTime::parse_from_str(raw, "%H:%M")
        .ok()
        .filter(|_| shaped)
        .ok_or_else(|| "Enter the time as HH:MM, e.g. 13:30.".to_owned())
}

/// A session as typed or sent.
#[derive(Debug, Clone)]
pub struct SessionInput<'a> {
    pub series_id: Option<i64>,
    pub date: &'a str,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    pub place: &'a str,
    pub capacity: Result<i32, String>,
    pub facilitator_id: Option<i64>,
    pub cancelled: bool,
}

impl Default for SessionInput<'_> {
    fn default() -> Self {
        Self {
            series_id: None,
            date: "",
            starts_at: "",
            ends_at: "",
            place: "",
            capacity: count("", "Give the number of seats."),
            facilitator_id: None,
            cancelled: false,
        }
    }
}

/// A session ready to be stored: its day and times are the district's
/// wall clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub series_id: Option<i64>,
    pub on_date: NaiveDate,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
    /// A room and address, or an online link.
    pub place: String,
    pub capacity: i32,
    pub facilitator_id: Option<i64>,
    pub cancelled: bool,
}

impl NewSession {
    pub fn parse(input: &SessionInput<'_>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let on_date = errors.check("date", day_text(input.date.trim()).and_then(calendar_day));
        let starts_at = errors.check("starts_at", clock_time(input.starts_at));
        let ends_at = errors.check("ends_at", clock_time(input.ends_at));
        if let (Some(start), Some(end)) = (starts_at, ends_at) {
            if end <= start {
                errors.add("ends_at", "End after the start.");
            }
        }
        let place = errors.check(
            "place",
            required_text(
                input.place,
                PLACE_MAX,
                "Enter the place or the online link.",
            ),
        );
        let capacity = errors.check(
            "capacity",
            input.capacity.clone().and_then(|c| {
                if (1..=CAPACITY_MAX).contains(&c) {
                    Ok(c)
                } else {
                    Err(format!("Give from 1 to {CAPACITY_MAX} seats."))
                }
            }),
        );
        match (on_date, starts_at, ends_at, place, capacity) {
            (Some(on_date), Some(starts_at), Some(ends_at), Some(place), Some(capacity))
                if errors.is_empty() =>
            {
                Ok(Self {
                    series_id: input.series_id,
                    on_date,
                    starts_at,
                    ends_at,
                    place,
                    capacity,
                    facilitator_id: input.facilitator_id,
                    cancelled: input.cancelled,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A whole number of seats or people from text.
pub fn count(raw: &str, empty: &str) -> Result<i32, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(empty.to_owned());
    }
    raw.parse::<i32>()
        .map_err(|_| "Enter a whole number.".to_owned())
}

/// The most participants one campus registers for one session.
pub const PARTICIPANTS_MAX: i32 = CAPACITY_MAX;
/// The longest list of participants' names.
pub const NAMES_MAX: usize = 4000;

/// Participants' names, one a line: only where the district names people.
pub fn participant_names(raw: &str, names_allowed: bool) -> Result<String, String> {
    let names: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(String::new());
    }
    if !names_allowed {
        return Err("The district does not name participants: give the number only.".to_owned());
    }
    let text = names.join("\n");
    plain_text(&text.replace('\n', " "))?;
    if text.chars().count() > NAMES_MAX {
        return Err(format!("Use at most {NAMES_MAX} characters."));
    }
    Ok(text)
}

/// What a session is, for the rules of registering and attending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionState {
    pub on_date: NaiveDate,
    pub capacity: i32,
    pub cancelled: bool,
    /// Seats held by the other campuses' registrations.
    pub taken_by_others: i32,
}

impl SessionState {
    pub fn seats_left(&self) -> i32 {
        (self.capacity - self.taken_by_others).max(0)
    }

    pub fn is_full(&self) -> bool {
        self.seats_left() == 0
    }
}

/// Why a registration is refused: the field and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Input to correct.
    Input(&'static str, String),
    /// Well formed, but the session does not allow it now.
    State(&'static str, String),
}

/// Whether a campus may hold `wanted` seats of `session` on `today`
/// (replacing what it held before).
pub fn check_registration(
    session: SessionState,
    wanted: i32,
    today: NaiveDate,
) -> Result<(), Refused> {
    if !(1..=PARTICIPANTS_MAX).contains(&wanted) {
        return Err(Refused::Input(
            "participants",
            "Register at least one participant.".to_owned(),
        ));
    }
    if session.cancelled {
        return Err(Refused::State(
            "session",
            "This session is cancelled.".to_owned(),
        ));
    }
    if session.on_date < today {
        return Err(Refused::State(
            "session",
            "This session has taken place; registration is closed.".to_owned(),
        ));
    }
    let left = session.seats_left();
    if wanted > left {
        let message = match left {
            0 => "This session is full.".to_owned(),
            1 => format!("Only 1 seat is left of {}.", session.capacity),
            n => format!("Only {n} seats are left of {}.", session.capacity),
        };
        return Err(Refused::State("participants", message));
    }
    Ok(())
}

/// Whether a campus may withdraw its registration on `today`.
pub fn check_withdrawal(session: SessionState, today: NaiveDate) -> Result<(), Refused> {
    if session.on_date < today {
        return Err(Refused::State(
            "session",
            "This session has taken place; its registrations are its record.".to_owned(),
        ));
    }
    Ok(())
}

/// Whether attendance of `attended` may be recorded for a session on
/// `today`: on the day or after, never for a cancelled session, at most
/// its capacity.
pub fn check_attendance(
    session: SessionState,
    attended: i32,
    today: NaiveDate,
) -> Result<(), Refused> {
    if attended < 0 || attended > session.capacity {
        return Err(Refused::Input(
            "attended",
            format!("Give from 0 to {} attendees.", session.capacity),
        ));
    }
    if session.cancelled {
        return Err(Refused::State(
            "session",
            "This session is cancelled.".to_owned(),
        ));
    }
    if session.on_date > today {
        return Err(Refused::State(
            "session",
            "Attendance is marked on the day of the session or after.".to_owned(),
        ));
    }
    Ok(())
}

/// Credit hours earned: attendees × the offering's hours, in tenths.
pub fn earned_tenths(attended: i32, credit_tenths: i32) -> i64 {
    i64::from(attended.max(0)) * i64::from(credit_tenths)
}

/// Who is asking, for the rules of who may change the catalogue and
/// register campuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Who {
    pub user_id: i64,
    pub admin: bool,
    /// The department they head, if they are a department head.
    pub head_of: Option<i64>,
    /// The campus they lead, if they are a school leader.
    pub leader_of: Option<i64>,
}

impl Who {
    /// Administrators manage every offering; a department head those of
    /// their department.
    pub fn manages(&self, department_id: i64) -> bool {
        self.admin || self.head_of == Some(department_id)
    }

    /// Series group sessions of several departments: administrators and
    /// every department head keep them.
    pub fn keeps_series(&self) -> bool {
        self.keeps_catalogue()
    }

    /// The catalogue as a file (export and import) is for those who keep
    /// offerings: administrators and department heads. An import is then
    /// held to `manages` for each offering in it.
    pub fn keeps_catalogue(&self) -> bool {
        self.admin || self.head_of.is_some()
    }

    /// Administrators register any campus; a school leader their own.
    pub fn registers_for(&self, school_id: i64) -> bool {
        self.admin || self.leader_of == Some(school_id)
    }

    /// Attendance is marked by the session's facilitator and by whoever
    /// manages its offering.
    pub fn marks_attendance(&self, department_id: i64, facilitator_id: Option<i64>) -> bool {
        self.manages(department_id) || facilitator_id == Some(self.user_id)
    }

    /// Who sees a session's registrations: those who mark its attendance
    /// see every campus; a school leader sees their own campus's.
    pub fn sees_all_registrations(&self, department_id: i64, facilitator_id: Option<i64>) -> bool {
        self.marks_attendance(department_id, facilitator_id)
    }
}

/// A look-for's evidence at one visit to a campus.
pub type Seen = (NaiveDate, Share);

/// The last visit on or before `day` and the first after it, from visits
/// in date order: what a campus showed before a session and at its next
/// visit after it.
pub fn around(visits: &[Seen], day: NaiveDate) -> (Option<Seen>, Option<Seen>) {
    let split = visits.partition_point(|(date, _)| *date <= day);
    let before = split.checked_sub(1).map(|i| visits[i]);
    (before, visits.get(split).copied())
}

/// One campus in the learning impact: the day it is measured around, and
/// the look-for before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampusPair {
    pub school_id: i64,
    pub day: NaiveDate,
    pub before: Option<Seen>,
    pub after: Option<Seen>,
}

impl CampusPair {
    pub fn movement(&self) -> Movement {
        match self.before {
            Some((_, before)) => Movement::between(before, self.after.map(|a| a.1)),
            None => Movement::NotYetMeasured,
        }
    }
}

/// How one look-for moved at the campuses that attended an offering and at
/// those that, with the same weak look-for, did not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    pub attended: Vec<CampusPair>,
    pub compared: Vec<CampusPair>,
}

impl Comparison {
    pub fn attended_summary(&self) -> ImpactSummary {
        summary(&self.attended)
    }

    pub fn compared_summary(&self) -> ImpactSummary {
        summary(&self.compared)
    }
}

fn summary(pairs: &[CampusPair]) -> ImpactSummary {
    let mut summary = ImpactSummary::default();
    for pair in pairs {
        match pair.before {
            Some((_, before)) => summary.add(before, pair.after.map(|a| a.1)),
            None => summary.add(Share::default(), None),
        }
    }
    summary
}

/// The comparison for one offering and look-for. `attended` holds each
/// campus that attended one of the offering's sessions, with the first
/// such session's day; `first_session` is the day of the offering's first
/// session held; `evidence` each campus's visits showing the look-for, in
/// date order. Attending campuses are measured around their own session;
/// the comparison group, campuses that attended none and whose look-for
/// was weak at their last visit by the first session, around that day.
pub fn compare(
    attended: &BTreeMap<i64, NaiveDate>,
    first_session: Option<NaiveDate>,
    evidence: &BTreeMap<i64, Vec<Seen>>,
    rules: &Rules,
) -> Comparison {
    let mut comparison = Comparison::default();
    for (&school_id, &day) in attended {
        let visits = evidence.get(&school_id).map(Vec::as_slice).unwrap_or(&[]);
        let (before, after) = around(visits, day);
        comparison.attended.push(CampusPair {
            school_id,
            day,
            before,
            after,
        });
    }
    let Some(day) = first_session else {
        return comparison;
    };
    for (&school_id, visits) in evidence {
        if attended.contains_key(&school_id) {
            continue;
        }
        let (before, after) = around(visits, day);
        let weak = before.is_some_and(|(_, share)| {
            is_weak_share(
                share.observed.max(0) as u64,
                share.applicable.max(0) as u64,
                rules,
            )
        });
        if weak {
            comparison.compared.push(CampusPair {
                school_id,
                day,
                before,
                after,
            });
        }
    }
    comparison
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 2, d).unwrap()
    }

    #[test]
    fn credit_hours_read_in_tenths() {
        let cases: &[(&str, Option<i32>)] = &[
            ("1.5", Some(15)),
            ("3", Some(30)),
            (" 0.5 ", Some(5)),
            ("100", Some(1000)),
            ("0", Some(0)),
            ("100.1", None),
            ("1.25", None),
            ("-1", None),
            ("", None),
            ("1e2", None),
            (".5", None),
            ("1.", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(credit_tenths(raw).ok(), *expected, "{raw:?}");
        }
        assert_eq!(credit_tenths_of(1.5), Ok(15));
        assert_eq!(credit_tenths_of(1.54), Ok(15));
        assert!(credit_tenths_of(-0.1).is_err());
        assert!(credit_tenths_of(100.1).is_err());
        assert_eq!(credit_hours_text(15), "1.5");
        assert_eq!(credit_hours_text(30), "3");
    }

    #[test]
    fn look_for_codes_are_distinct_in_any_case() {
        assert_eq!(
            look_for_codes(["CU1 SE1,cu1", "LG4"]).unwrap(),
            ["CU1", "SE1", "LG4"]
        );
        assert!(look_for_codes(["bad code!"]).is_err());
        assert_eq!(look_for_codes([""]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn an_offering_names_every_bad_field() {
        let input = OfferingInput {
            title: " ",
            format: "webinar",
            audience: "pupils",
            credit_tenths: credit_tenths("lots"),
            look_fors: vec!["CU1", "no way!"],
            ..OfferingInput::default()
        };
        let errors = NewOffering::parse(&input).unwrap_err();
        for field in [
            "title",
            "format",
            "department_id",
            "audience",
            "credit_hours",
            "look_fors",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let good = OfferingInput {
            title: "Checks for understanding in math",
            format: "on_site",
            department_id: Some(3),
            audience: "teachers",
            credit_tenths: Ok(30),
            look_fors: vec!["CU1", "CU2"],
            active: true,
            ..OfferingInput::default()
        };
        let offering = NewOffering::parse(&good).unwrap();
        assert_eq!(offering.format, Format::OnSite);
        assert_eq!(offering.look_fors, ["CU1", "CU2"]);
    }

    #[test]
    fn a_session_ends_after_it_starts_and_has_seats() {
        let input = |date, start, end, capacity| SessionInput {
            date,
            starts_at: start,
            ends_at: end,
            place: "Room 4, Central Office",
            capacity: Ok(capacity),
            ..SessionInput::default()
        };
        let cases: &[(&str, &str, &str, i32, Option<&str>)] = &[
            ("2027-02-14", "13:30", "16:00", 22, None),
            ("2027-02-14", "16:00", "13:30", 22, Some("ends_at")),
            ("2027-02-14", "13:30", "13:30", 22, Some("ends_at")),
            ("2027-2-14", "13:30", "16:00", 22, Some("date")),
            ("2027-02-14", "1:30", "16:00", 22, Some("starts_at")),
            ("2027-02-14", "13:30", "25:00", 22, Some("ends_at")),
            ("2027-02-14", "13:30", "16:00", 0, Some("capacity")),
            ("3027-02-14", "13:30", "16:00", 22, Some("date")),
        ];
        for (date, start, end, capacity, bad) in cases {
            let outcome = NewSession::parse(&input(date, start, end, *capacity));
            match bad {
                None => assert!(outcome.is_ok(), "{date} {start} {end}: {outcome:?}"),
                Some(field) => {
                    let errors = outcome.unwrap_err();
                    assert!(errors.get(field).is_some(), "{field}: {errors:?}");
                }
            }
        }
    }

    #[test]
    fn registration_keeps_within_capacity_and_before_the_day() {
        let session = |taken, cancelled| SessionState {
            on_date: day(14),
            capacity: 22,
            cancelled,
            taken_by_others: taken,
        };
        let state = |r: Result<(), Refused>| match r {
            Ok(()) => "ok".to_owned(),
            Err(Refused::Input(field, _)) => format!("input {field}"),
            Err(Refused::State(field, message)) => format!("state {field}: {message}"),
        };
        let cases: &[(i32, bool, i32, u32, &str)] = &[
            (0, false, 6, 1, "ok"),
            (16, false, 6, 14, "ok"),
            (
                16,
                false,
                7,
                1,
                "state participants: Only 6 seats are left of 22.",
            ),
            (
                21,
                false,
                2,
                1,
                "state participants: Only 1 seat is left of 22.",
            ),
            (22, false, 1, 1, "state participants: This session is full."),
            (0, false, 0, 1, "input participants"),
            (0, true, 6, 1, "state session: This session is cancelled."),
            (
                0,
                false,
                6,
                15,
                "state session: This session has taken place; registration is closed.",
            ),
        ];
        for (taken, cancelled, wanted, today, expected) in cases {
            assert_eq!(
                state(check_registration(
                    session(*taken, *cancelled),
                    *wanted,
                    day(*today)
                )),
                *expected,
                "{taken} taken, {wanted} wanted on the {today}th"
            );
        }
        assert!(session(22, false).is_full());
        assert_eq!(session(30, false).seats_left(), 0);
    }

    #[test]
    fn attendance_is_marked_on_the_day_or_after() {
        let session = SessionState {
            on_date: day(14),
            capacity: 22,
            cancelled: false,
            taken_by_others: 0,
        };
        assert!(check_attendance(session, 6, day(14)).is_ok());
        assert!(check_attendance(session, 0, day(20)).is_ok());
        assert!(matches!(
            check_attendance(session, 6, day(13)),
            Err(Refused::State("session", _))
        ));
        assert!(matches!(
            check_attendance(session, 23, day(14)),
            Err(Refused::Input("attended", _))
        ));
        assert!(check_withdrawal(session, day(14)).is_ok());
        assert!(check_withdrawal(session, day(15)).is_err());
        assert_eq!(earned_tenths(6, 30), 180);
    }

    #[test]
    fn a_session_is_measured_between_the_visits_around_it() {
        let seen = |d, o, a| (day(d), Share::new(o, a));
        let visits = [seen(1, 1, 5), seen(10, 2, 5), seen(20, 4, 5)];
        let cases: &[(u32, Option<u32>, Option<u32>)] = &[
            (14, Some(10), Some(20)),
            (10, Some(10), Some(20)),
            (25, Some(20), None),
            (1, Some(1), Some(10)),
        ];
        for (on, before, after) in cases {
            let (b, a) = around(&visits, day(*on));
            assert_eq!(b.map(|b| b.0), before.map(day), "before the {on}th");
            assert_eq!(a.map(|a| a.0), after.map(day), "after the {on}th");
        }
        assert_eq!(around(&visits[..0], day(3)), (None, None));
        assert_eq!(
            around(&visits, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).0,
            None
        );
    }

    #[test]
    fn attendees_are_compared_with_campuses_weak_in_the_same_look_for() {
        let rules = Rules::default(); // weak under 50% of at least 3 snapshots
        let seen = |d, o, a| (day(d), Share::new(o, a));
        let evidence: BTreeMap<i64, Vec<Seen>> = [
            // Attended on the 14th: 1 of 5 before, 4 of 5 after.
            (1, vec![seen(10, 1, 5), seen(20, 4, 5)]),
            // Attended, no visit since: not yet measured.
            (2, vec![seen(11, 0, 4)]),
            // Did not attend, weak before the first session, no change.
            (3, vec![seen(12, 1, 4), seen(22, 1, 4)]),
            // Did not attend, strong: not in the comparison group.
            (4, vec![seen(12, 4, 4), seen(22, 1, 4)]),
            // Did not attend, weak but with too few snapshots.
            (5, vec![seen(12, 0, 2), seen(22, 2, 2)]),
        ]
        .into_iter()
        .collect();
        let attended: BTreeMap<i64, NaiveDate> = [(1, day(14)), (2, day(14))].into_iter().collect();
        let comparison = compare(&attended, Some(day(14)), &evidence, &rules);
        let movements = |pairs: &[CampusPair]| {
            pairs
                .iter()
                .map(|p| (p.school_id, p.movement()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            movements(&comparison.attended),
            [(1, Movement::Improved), (2, Movement::NotYetMeasured)]
        );
        assert_eq!(movements(&comparison.compared), [(3, Movement::Same)]);
        let attended = comparison.attended_summary();
        assert_eq!((attended.improved, attended.not_yet), (1, 1));
        assert_eq!(attended.mean_change(), Some(60.0));
        assert_eq!(comparison.compared_summary().mean_change(), Some(0.0));
        assert!(compare(&attended_none(), None, &evidence, &rules)
            .compared
            .is_empty());
    }

    fn attended_none() -> BTreeMap<i64, NaiveDate> {
        BTreeMap::new()
    }

    #[test]
    fn who_may_change_what() {
        let admin = Who {
            user_id: 1,
            admin: true,
            ..Who::default()
        };
        let head = Who {
            user_id: 2,
            head_of: Some(7),
            ..Who::default()
        };
        let leader = Who {
            user_id: 3,
            leader_of: Some(40),
            ..Who::default()
        };
        let facilitator = Who {
            user_id: 4,
            ..Who::default()
        };
        // (who, manages dept 7, manages dept 8, keeps series and the catalogue
        //  file, registers campus 40, registers campus 41, marks attendance of
        //  dept 8 led by person 4)
        let cases = [
            (admin, true, true, true, true, true, true),
            (head, true, false, true, false, false, false),
            (leader, false, false, false, true, false, false),
            (facilitator, false, false, false, false, false, true),
        ];
        for (who, m7, m8, series, r40, r41, attend) in cases {
            assert_eq!(who.keeps_catalogue(), series, "{who:?}");
            assert_eq!(who.manages(7), m7, "{who:?}");
            assert_eq!(who.manages(8), m8, "{who:?}");
            assert_eq!(who.keeps_series(), series, "{who:?}");
            assert_eq!(who.registers_for(40), r40, "{who:?}");
            assert_eq!(who.registers_for(41), r41, "{who:?}");
            assert_eq!(who.marks_attendance(8, Some(4)), attend, "{who:?}");
        }
    }

    #[test]
    fn names_only_where_the_district_names_people() {
        assert_eq!(participant_names(" \n ", false), Ok(String::new()));
        assert!(participant_names("Ana Ruiz", false).is_err());
        assert_eq!(
            participant_names("Ana Ruiz\n\n  Ben Ode ", true),
            Ok("Ana Ruiz\nBen Ode".to_owned())
        );
    }
}
