//! The learning catalogue as a file: JSON
//! (`{"series": [...], "offerings": [{..., "sessions": [...]}]}`) or two
//! CSV files, offerings (`title,description,format,department,audience,
//! credit_hours,look_fors,active`) and sessions (`offering,series,date,
//! starts_at,ends_at,place,capacity,facilitator,cancelled`). A file is
//! checked whole; every problem is named by its place (`offerings[2].
//! sessions[0].date` or `line 5 (date)`), and a file with any problem is
//! refused whole.

use serde::{Deserialize, Serialize};

use super::fields::parse_flag;
use super::framework::Problem;
use super::learning::{
    credit_hours_text, credit_tenths, credit_tenths_of, NewOffering, NewSeries, NewSession,
    OfferingInput, SessionInput,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueDoc {
    #[serde(default)]
    pub series: Vec<SeriesDoc>,
    #[serde(default)]
    pub offerings: Vec<OfferingDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesDoc {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferingDoc {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// on_site, online or blended.
    pub format: String,
    /// The department's name.
    pub department: String,
    /// teachers, leaders or both.
    pub audience: String,
    pub credit_hours: f64,
    #[serde(default)]
    pub look_fors: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub sessions: Vec<SessionDoc>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionDoc {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, the district's clock.
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub capacity: i32,
    /// The series' name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// The facilitator's email, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilitator: Option<String>,
    #[serde(default)]
    pub cancelled: bool,
}

/// How names in a file become records: each returns `None` for a name the
/// district does not have.
pub struct Resolve<'a> {
    pub department: &'a dyn Fn(&str) -> Option<i64>,
    pub person: &'a dyn Fn(&str) -> Option<i64>,
    /// A look-for code as the frameworks write it.
    pub code: &'a dyn Fn(&str) -> Option<String>,
}

/// An offering's sessions, each with its series' name.
pub type NewSessions = Vec<(NewSession, Option<String>)>;

/// A catalogue that passed every check: series by name, offerings with
/// their sessions (each session's series by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCatalogue {
    pub series: Vec<NewSeries>,
    pub offerings: Vec<(NewOffering, NewSessions)>,
}

/// Names a place in the file from (offering, session, field).
type Place<'a> = dyn Fn(Option<usize>, Option<usize>, &str) -> String + 'a;

fn check(
    doc: &CatalogueDoc,
    resolve: &Resolve<'_>,
    place: &Place<'_>,
) -> Result<NewCatalogue, Vec<Problem>> {
    if doc.series.is_empty() && doc.offerings.is_empty() {
        return Err(vec![Problem {
            place: place(None, None, "offerings"),
            message: "The file holds no offerings and no series: nothing to import.".to_owned(),
        }]);
    }
    let mut problems = Vec::new();
    let mut problem = |place: String, message: String| problems.push(Problem { place, message });
    let mut series = Vec::new();
    let mut series_names: Vec<String> = Vec::new();
    for (n, s) in doc.series.iter().enumerate() {
        match NewSeries::parse(&s.name, &s.description) {
            Ok(parsed) => {
                if series_names
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(&parsed.name))
                {
                    problem(
                        format!("series[{n}].name"),
                        format!("the series {:?} is named twice", parsed.name),
                    );
                }
                series_names.push(parsed.name.clone());
                series.push(parsed);
            }
            Err(errors) => {
                for (field, message) in errors.iter() {
                    problem(format!("series[{n}].{field}"), message.to_owned());
                }
            }
        }
    }
    let mut titles: Vec<String> = Vec::new();
    let mut offerings = Vec::new();
    for (o, offering) in doc.offerings.iter().enumerate() {
        let department_id = (resolve.department)(offering.department.trim());
        if department_id.is_none() {
            problem(
                place(Some(o), None, "department"),
                format!("no department is named {:?}", offering.department.trim()),
            );
        }
        let mut codes = Vec::new();
        for code in offering
            .look_fors
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            match (resolve.code)(code) {
                Some(written) => codes.push(written),
                None => problem(
                    place(Some(o), None, "look_fors"),
                    format!("no framework has the look-for {code:?}"),
                ),
            }
        }
        let parsed = NewOffering::parse(&OfferingInput {
            title: &offering.title,
            description: &offering.description,
            format: &offering.format,
            department_id: department_id.or(Some(0)),
            audience: &offering.audience,
            credit_tenths: credit_tenths_of(offering.credit_hours),
            look_fors: codes.iter().map(String::as_str).collect(),
            active: offering.active,
        });
        let parsed = match parsed {
            Ok(parsed) => {
                if titles.iter().any(|t| t.eq_ignore_ascii_case(&parsed.title)) {
                    problem(
                        place(Some(o), None, "title"),
                        format!("the offering {:?} is in the file twice", parsed.title),
                    );
                }
                titles.push(parsed.title.clone());
                Some(parsed)
            }
            Err(errors) => {
                for (field, message) in errors.iter() {
                    let field = if field == "department_id" {
                        "department"
                    } else {
                        field
                    };
                    problem(place(Some(o), None, field), message.to_owned());
                }
                None
            }
        };
        let mut sessions = Vec::new();
        for (s, session) in offering.sessions.iter().enumerate() {
            let series_name = session
                .series
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty());
            if let Some(name) = series_name {
                if !series_names.iter().any(|t| t.eq_ignore_ascii_case(name)) {
                    problem(
                        place(Some(o), Some(s), "series"),
                        format!("no series of the file is named {name:?}"),
                    );
                }
            }
            let facilitator = match session
                .facilitator
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
            {
                None => None,
                Some(email) => match (resolve.person)(email) {
                    Some(id) => Some(id),
                    None => {
                        problem(
                            place(Some(o), Some(s), "facilitator"),
                            format!("no active person has the email {email:?}"),
                        );
                        None
                    }
                },
            };
            match NewSession::parse(&SessionInput {
                series_id: None,
                date: &session.date,
                starts_at: &session.starts_at,
                ends_at: &session.ends_at,
                place: &session.place,
                capacity: Ok(session.capacity),
                facilitator_id: facilitator,
                cancelled: session.cancelled,
            }) {
                Ok(parsed) => sessions.push((parsed, series_name.map(str::to_owned))),
                Err(errors) => {
                    for (field, message) in errors.iter() {
                        problem(place(Some(o), Some(s), field), message.to_owned());
                    }
                }
            }
        }
        if let Some(parsed) = parsed {
            offerings.push((parsed, sessions));
        }
    }
    if problems.is_empty() {
        Ok(NewCatalogue { series, offerings })
    } else {
        Err(problems)
    }
}

/// Reads and checks the JSON format.
pub fn from_json(json: &str, resolve: &Resolve<'_>) -> Result<NewCatalogue, Vec<Problem>> {
    let doc: CatalogueDoc = serde_json::from_str(json).map_err(|e| vec![Problem::of_json(&e)])?;
    from_doc(&doc, resolve)
}

/// Checks a parsed document (the API's body).
pub fn from_doc(doc: &CatalogueDoc, resolve: &Resolve<'_>) -> Result<NewCatalogue, Vec<Problem>> {
    check(doc, resolve, &|o, s, field| match (o, s) {
        (None, _) => field.to_owned(),
        (Some(o), None) => format!("offerings[{o}].{field}"),
        (Some(o), Some(s)) => format!("offerings[{o}].sessions[{s}].{field}"),
    })
}

pub const OFFERING_COLUMNS: [&str; 8] = [
    "title",
    "description",
    "format",
    "department",
    "audience",
    "credit_hours",
    "look_fors",
    "active",
];

pub const SESSION_COLUMNS: [&str; 9] = [
    "offering",
    "series",
    "date",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "facilitator",
    "cancelled",
];

/// The rows of a CSV file with exactly `columns`, each with its line.
fn csv_rows(text: &str, columns: &[&str]) -> Result<Vec<(u64, Vec<String>)>, Vec<Problem>> {
    let line_problem = |line: u64, message: String| Problem {
        place: format!("line {line}"),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            vec![line_problem(
                1,
                format!("the header row could not be read: {e}"),
            )]
        })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    if headers != columns {
        return Err(vec![line_problem(
            1,
            format!("the columns must be {}", columns.join(",")),
        )]);
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.iter().all(str::is_empty) {
                    continue;
                }
                if record.len() != columns.len() {
                    problems.push(line_problem(
                        line,
                        format!("expected {} values, found {}", columns.len(), record.len()),
                    ));
                    continue;
                }
                rows.push((
                    line,
                    record
                        .iter()
                        .map(|v| super::csv::restore(v).to_owned())
                        .collect(),
                ));
            }
            Err(e) => problems.push(line_problem(
                e.position().map_or(0, |p| p.line()),
                format!("could not be read: {e}"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// Reads and checks the CSV files: offerings, and (optionally) sessions
/// naming their offering by title. Series are named by the sessions and
/// made as needed. Places are `offerings line N (field)` and `sessions
/// line N (field)`.
pub fn from_csv(
    offerings_csv: &str,
    sessions_csv: Option<&str>,
    resolve: &Resolve<'_>,
) -> Result<NewCatalogue, Vec<Problem>> {
    let mut problems = Vec::new();
    let prefix = |file: &str, mut list: Vec<Problem>| {
        for p in &mut list {
            p.place = format!("{file} {}", p.place);
        }
        list
    };
    let offering_rows = csv_rows(offerings_csv, &OFFERING_COLUMNS)
        .map_err(|p| prefix("offerings", p))
        .unwrap_or_else(|p| {
            problems.extend(p);
            Vec::new()
        });
    let session_rows = match sessions_csv {
        Some(text) => csv_rows(text, &SESSION_COLUMNS)
            .map_err(|p| prefix("sessions", p))
            .unwrap_or_else(|p| {
                problems.extend(p);
                Vec::new()
            }),
        None => Vec::new(),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut doc = CatalogueDoc {
        series: Vec::new(),
        offerings: Vec::new(),
    };
    let mut offering_lines = Vec::new();
    let mut credit_problems = Vec::new();
    for (line, row) in &offering_rows {
        let credit = match credit_tenths(&row[5]) {
            Ok(tenths) => f64::from(tenths) / 10.0,
            Err(message) => {
                credit_problems.push(Problem {
                    place: format!("offerings line {line} (credit_hours)"),
                    message,
                });
                0.0
            }
        };
        let active = match parse_flag(if row[7].is_empty() { "yes" } else { &row[7] }) {
            Ok(active) => active,
            Err(message) => {
                credit_problems.push(Problem {
                    place: format!("offerings line {line} (active)"),
                    message,
                });
                true
            }
        };
        doc.offerings.push(OfferingDoc {
            title: row[0].clone(),
            description: row[1].clone(),
            format: row[2].clone(),
            department: row[3].clone(),
            audience: row[4].clone(),
            credit_hours: credit,
            look_fors: row[6]
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            active,
            sessions: Vec::new(),
        });
        offering_lines.push((*line, Vec::new()));
    }
    for (line, row) in &session_rows {
        let Some(o) = doc
            .offerings
            .iter()
            .position(|o| o.title.trim().eq_ignore_ascii_case(row[0].trim()))
        else {
            credit_problems.push(Problem {
                place: format!("sessions line {line} (offering)"),
                message: format!("no offering of the file is titled {:?}", row[0]),
            });
            continue;
        };
        let series = Some(row[1].clone()).filter(|s| !s.is_empty());
        if let Some(name) = &series {
            if !doc.series.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
                doc.series.push(SeriesDoc {
                    name: name.clone(),
                    description: String::new(),
                });
            }
        }
        let capacity = match row[6].trim().parse::<i32>() {
            Ok(n) => n,
            Err(_) => {
                credit_problems.push(Problem {
                    place: format!("sessions line {line} (capacity)"),
                    message: "Enter a whole number of seats.".to_owned(),
                });
                1
            }
        };
        let cancelled = parse_flag(&row[8]).unwrap_or_else(|message| {
            credit_problems.push(Problem {
                place: format!("sessions line {line} (cancelled)"),
                message,
            });
            false
        });
        doc.offerings[o].sessions.push(SessionDoc {
            date: row[2].clone(),
            starts_at: row[3].clone(),
            ends_at: row[4].clone(),
            place: row[5].clone(),
            capacity,
            series,
            facilitator: Some(row[7].clone()).filter(|f| !f.is_empty()),
            cancelled,
        });
        offering_lines[o].1.push(*line);
    }
    let checked = check(&doc, resolve, &|o, s, field| match (o, s) {
        (Some(o), None) => format!("offerings line {} ({field})", offering_lines[o].0),
        (Some(o), Some(s)) => format!("sessions line {} ({field})", offering_lines[o].1[s]),
        (None, _) => field.to_owned(),
    });
    match checked {
        Ok(catalogue) if credit_problems.is_empty() => Ok(catalogue),
        Ok(_) => Err(credit_problems),
        Err(mut more) => {
            more.extend(credit_problems);
            more.sort_by(|a, b| a.place.cmp(&b.place));
            Err(more)
        }
    }
}

/// Writes the offerings CSV.
pub fn offerings_csv(doc: &CatalogueDoc) -> String {
    let mut writer = super::csv::Writer::new(Vec::new());
    let _ = writer.row(OFFERING_COLUMNS);
    for o in &doc.offerings {
        let credit = credit_hours_text((o.credit_hours * 10.0).round() as i64);
        let _ = writer.row([
            o.title.as_str(),
            &o.description,
            &o.format,
            &o.department,
            &o.audience,
            &credit,
            &o.look_fors.join(" "),
            if o.active { "yes" } else { "no" },
        ]);
    }
    writer.into_string()
}

/// Writes the sessions CSV.
pub fn sessions_csv(doc: &CatalogueDoc) -> String {
    let mut writer = super::csv::Writer::new(Vec::new());
    let _ = writer.row(SESSION_COLUMNS);
    for o in &doc.offerings {
        for s in &o.sessions {
            let capacity = s.capacity.to_string();
            let _ = writer.row([
                o.title.as_str(),
                s.series.as_deref().unwrap_or(""),
                &s.date,
                &s.starts_at,
                &s.ends_at,
                &s.place,
                &capacity,
                s.facilitator.as_deref().unwrap_or(""),
                if s.cancelled { "yes" } else { "no" },
            ]);
        }
    }
    writer.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve() -> Resolve<'static> {
        Resolve {
            department: &|name| (name.eq_ignore_ascii_case("curriculum")).then_some(3),
            person: &|email| (email == "marcus@district.example.org").then_some(9),
            code: &|code| {
                ["CU1", "SE4"]
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(code))
                    .map(|c| c.to_string())
            },
        }
    }

    const GOOD: &str = r#"{"series": [{"name": "Wednesday training"}],
        "offerings": [{"title": "Checks for understanding", "format": "on_site",
            "department": "Curriculum", "audience": "teachers", "credit_hours": 2.5,
            "look_fors": ["cu1"], "sessions": [
                {"date": "2027-02-17", "starts_at": "13:30", "ends_at": "16:00",
                 "place": "Room 4", "capacity": 22, "series": "Wednesday training",
                 "facilitator": "marcus@district.example.org"}]}]}"#;

    #[test]
    fn a_good_catalogue_resolves_its_names() {
        let catalogue = from_json(GOOD, &resolve()).unwrap();
        let (offering, sessions) = &catalogue.offerings[0];
        assert_eq!(offering.department_id, 3);
        assert_eq!(offering.look_fors, ["CU1"]);
        assert_eq!(offering.credit_tenths, 25);
        assert_eq!(sessions[0].0.facilitator_id, Some(9));
        assert_eq!(sessions[0].1.as_deref(), Some("Wednesday training"));
    }

    #[test]
    fn every_bad_place_is_named() {
        let bad = r#"{"offerings": [
            {"title": "", "format": "webinar", "department": "Finance", "audience": "teachers",
             "credit_hours": 2, "look_fors": ["ZZ9"], "sessions": [
                {"date": "2027-2-17", "starts_at": "16:00", "ends_at": "13:30", "place": "R",
                 "capacity": 0, "series": "Nope", "facilitator": "who@x.org"}]},
            {"title": "Twice", "format": "online", "department": "Curriculum", "audience": "both", "credit_hours": 1},
            {"title": "twice", "format": "online", "department": "Curriculum", "audience": "both", "credit_hours": 1}]}"#;
        let places: Vec<String> = from_json(bad, &resolve())
            .unwrap_err()
            .iter()
            .map(|p| p.place.clone())
            .collect();
        for expected in [
            "offerings[0].title",
            "offerings[0].format",
            "offerings[0].department",
            "offerings[0].look_fors",
            "offerings[0].sessions[0].date",
            "offerings[0].sessions[0].ends_at",
            "offerings[0].sessions[0].capacity",
            "offerings[0].sessions[0].series",
            "offerings[0].sessions[0].facilitator",
            "offerings[2].title",
        ] {
            assert!(
                places.iter().any(|p| p == expected),
                "{expected} in {places:?}"
            );
        }
    }

    #[test]
    fn csv_names_each_bad_line_and_round_trips() {
        let good: CatalogueDoc = serde_json::from_str(GOOD).unwrap();
        let offerings = offerings_csv(&good);
        let sessions = sessions_csv(&good);
        let again = from_csv(&offerings, Some(&sessions), &resolve()).unwrap();
        assert_eq!(again, from_json(GOOD, &resolve()).unwrap());

        let bad_offerings =
            "title,description,format,department,audience,credit_hours,look_fors,active\n\
            A,,on_site,Curriculum,teachers,2,CU1,yes\n\
            B,,on_site,Finance,teachers,lots,CU1,yes\n";
        let bad_sessions =
            "offering,series,date,starts_at,ends_at,place,capacity,facilitator,cancelled\n\
            A,Wed,2027-02-17,13:30,16:00,Room 4,22,,no\n\
            A,Wed,2027-02-30,13:30,16:00,Room 4,many,,no\n\
            C,,2027-02-17,13:30,16:00,Room 4,22,,no\n";
        let problems: Vec<String> = from_csv(bad_offerings, Some(bad_sessions), &resolve())
            .unwrap_err()
            .iter()
            .map(|p| p.place.clone())
            .collect();
        for expected in [
            "offerings line 3 (department)",
            "offerings line 3 (credit_hours)",
            "sessions line 3 (date)",
            "sessions line 3 (capacity)",
            "sessions line 4 (offering)",
        ] {
            assert!(
                problems.iter().any(|p| p == expected),
                "{expected} in {problems:?}"
            );
        }
        assert!(
            !problems.iter().any(|p| p.contains("line 2")),
            "{problems:?}"
        );
        let header = from_csv("title,format\n", None, &resolve()).unwrap_err();
        assert_eq!(header[0].place, "offerings line 1");
    }

    #[test]
    fn a_file_with_nothing_in_it_is_refused() {
        let empty_csv = format!("{}\n", OFFERING_COLUMNS.join(","));
        for refused in [
            from_json("{}", &resolve()),
            from_json(r#"{"series": [], "offerings": []}"#, &resolve()),
            from_csv(&empty_csv, None, &resolve()),
        ] {
            let problems = refused.unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].place, "offerings");
            assert!(problems[0].message.contains("nothing to import"));
        }
        // A series alone is something.
        assert!(from_json(r#"{"series": [{"name": "Wednesdays"}]}"#, &resolve()).is_ok());
    }
}
