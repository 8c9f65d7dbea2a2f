//! Look-for frameworks: a named, versioned set of domains, each with its
//! indicators (look-fors), each optionally owned by a department. This module
//! reads the two exchange formats and checks them; it names every problem
//! with its place in the file.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Look-for codes are unique within a framework, in any case: a rule the
/// OpenAPI document states in words, as JSON Schema has no way to say it.
///
/// The JSON exchange format:
/// `{"name", "version", "domains": [{"name", "indicators": [{"code", "title", "description", "department"}]}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworkDoc {
    pub name: String,
    /// The district's label for this version: "2026.1", "2026-27", "3". A
    /// whole number is read as its label, so older files still import.
    #[serde(deserialize_with = "label_or_number")]
    #[schema(schema_with = version_schema)]
    pub version: String,
    pub domains: Vec<DomainDoc>,
}

/// The longest version label.
pub const LABEL_MAX: usize = 40;

/// What a version label looks like, as the OpenAPI document states it.
pub const LABEL_PATTERN: &str = r"^[A-Za-z0-9]([A-Za-z0-9 ._/-]{0,38}[A-Za-z0-9])?$";

fn label_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Label(String),
        Number(u64),
    }
    match Raw::deserialize(d) {
        Ok(Raw::Label(label)) => Ok(label),
        Ok(Raw::Number(n)) => Ok(n.to_string()),
        Err(_) => Err(serde::de::Error::custom(
            "the version must be a label such as \"2026.1\" or a whole number",
        )),
    }
}

/// A label (string) or, as older files have it, a whole number.
pub fn version_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(LABEL_MAX))
                .pattern(Some(LABEL_PATTERN))
                .examples(["2026.1"]),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0)),
        )
        .build()
        .into()
}

/// Checks a version label: 1 to 40 letters, digits, spaces and `. - _ /`,
/// beginning and ending with a letter or digit.
pub fn version_label(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("the version is empty".to_owned());
    }
    if raw.chars().count() > LABEL_MAX {
        return Err(format!(
            "use at most {LABEL_MAX} characters for the version"
        ));
    }
    let inner = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | '/' | '-');
    let ends = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if raw.chars().all(inner) && ends(raw.chars().next()) && ends(raw.chars().last()) {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "the version {raw:?} may hold only letters, digits, spaces and . - _ /, and must begin and end with a letter or digit"
        ))
    }
}

/// The label a copy of `label` gets: its last number counted up ("2026.1"
/// to "2026.2", "2026-27" to "2026-28", "3" to "4"), or " 2" added when it
/// ends in no number; the first such label not in `taken`.
pub fn next_label(label: &str, taken: &[String]) -> String {
    let digits = label.len() - label.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = label.split_at(label.len() - digits);
    let (stem, width, mut n) = match number.parse::<u64>() {
        Ok(n) => (stem.to_owned(), number.len(), n),
        Err(_) => (format!("{stem} "), 1, 1),
    };
    loop {
        n += 1;
        let candidate = format!("{stem}{n:0width$}");
        if !taken.iter().any(|t| t == &candidate) || n == u64::MAX {
            return candidate;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainDoc {
    pub name: String,
    pub indicators: Vec<IndicatorDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDoc {
    pub code: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The name of the department that owns the look-for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The teacher-facing wording: what a teacher would try first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
}

/// One thing wrong with a framework file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `domains[0].indicators[2].code` in JSON, `line 5` in CSV.
    pub place: String,
    pub message: String,
}

/// The start of the problem a department name no department has.
const UNKNOWN_DEPARTMENT: &str = "no department is named";

impl Problem {
    /// A file that is not the JSON expected, named by line and column.
    pub fn of_json(e: &serde_json::Error) -> Self {
        Problem {
            place: format!("line {}, column {}", e.line(), e.column()),
            message: e
                .to_string()
                .split(" at line")
                .next()
                .unwrap_or("")
                .to_owned(),
        }
    }

    /// Whether the problem is a department the district does not have: the
    /// file is well formed, but refers to something not on record.
    pub fn is_unknown_department(&self) -> bool {
        self.message.starts_with(UNKNOWN_DEPARTMENT)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// A framework that passed every check, with departments resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFramework {
    pub name: String,
    /// The version's label.
    pub version: String,
    pub domains: Vec<NewDomain>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDomain {
    pub name: String,
    pub indicators: Vec<NewIndicator>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIndicator {
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub department_id: Option<i64>,
    pub entry_point: Option<String>,
}

fn text(raw: &str, max: usize, empty: &str) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(empty.to_owned());
    }
    if value.chars().count() > max {
        return Err(format!("use at most {max} characters"));
    }
    Ok(value.to_owned())
}

fn code(raw: &str) -> Result<String, String> {
    let value = text(raw, 20, "the code is empty")?;
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(value)
    } else {
        Err(format!(
            "the code {value:?} may hold only letters, digits, '-', '_' and '.'"
        ))
    }
}

/// Names a place in the file from (domain, indicator, field).
type Place<'a> = dyn Fn(Option<usize>, Option<usize>, &str) -> String + 'a;

/// Checks a framework; `department` resolves a department name (any case)
/// to its id. Places are given by `place(domain, indicator, field)`.
fn check(
    doc: &FrameworkDoc,
    department: &dyn Fn(&str) -> Option<i64>,
    place: &Place<'_>,
) -> Result<NewFramework, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem = |place: String, message: String| problems.push(Problem { place, message });
    let name = text(&doc.name, 200, "the framework's name is empty").unwrap_or_else(|e| {
        problem(place(None, None, "name"), e);
        String::new()
    });
    let version = version_label(&doc.version).unwrap_or_else(|e| {
        problem(place(None, None, "version"), e);
        String::new()
    });
    if doc.domains.is_empty() {
        problem(
            place(None, None, "domains"),
            "the framework has no domains".to_owned(),
        );
    }
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut domains = Vec::new();
    for (d, domain) in doc.domains.iter().enumerate() {
        let domain_name =
            text(&domain.name, 200, "the domain's name is empty").unwrap_or_else(|e| {
                problem(place(Some(d), None, "name"), e);
                String::new()
            });
        if domain.indicators.is_empty() {
            problem(
                place(Some(d), None, "indicators"),
                "the domain has no look-fors".to_owned(),
            );
        }
        let mut indicators = Vec::new();
        for (i, indicator) in domain.indicators.iter().enumerate() {
            let code = match code(&indicator.code) {
                Ok(code) => {
                    let here = place(Some(d), Some(i), "code");
                    if let Some(first) = seen.insert(code.to_lowercase(), here.clone()) {
                        problem(
                            here,
                            format!("the code {code} is used twice (also at {first})"),
                        );
                    }
                    code
                }
                Err(e) => {
                    problem(place(Some(d), Some(i), "code"), e);
                    String::new()
                }
            };
            let title = text(&indicator.title, 300, "the title is empty").unwrap_or_else(|e| {
                problem(place(Some(d), Some(i), "title"), e);
                String::new()
            });
            let mut optional_text = |value: &Option<String>, field: &str| {
                let value = value
                    .as_deref()
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned);
                if value.as_ref().is_some_and(|d| d.chars().count() > 2000) {
                    problem(
                        place(Some(d), Some(i), field),
                        "use at most 2000 characters".to_owned(),
                    );
                }
                value
            };
            let description = optional_text(&indicator.description, "description");
            let entry_point = optional_text(&indicator.entry_point, "entry_point");
            let department_id = match indicator
                .department
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
            {
                None => None,
                Some(name) => match department(name) {
                    Some(id) => Some(id),
                    None => {
                        problem(
                            place(Some(d), Some(i), "department"),
                            format!("{UNKNOWN_DEPARTMENT} {name:?}"),
                        );
                        None
                    }
                },
            };
            indicators.push(NewIndicator {
                code,
                title,
                description,
                department_id,
                entry_point,
            });
        }
        domains.push(NewDomain {
            name: domain_name,
            indicators,
        });
    }
    if problems.is_empty() {
        Ok(NewFramework {
            name,
            version,
            domains,
        })
    } else {
        Err(problems)
    }
}

/// Reads and checks the JSON format.
pub fn from_json(
    json: &str,
    department: &dyn Fn(&str) -> Option<i64>,
) -> Result<NewFramework, Vec<Problem>> {
    let doc: FrameworkDoc = serde_json::from_str(json).map_err(|e| vec![Problem::of_json(&e)])?;
    from_doc(&doc, department)
}

/// Checks a parsed JSON document (the API's body).
pub fn from_doc(
    doc: &FrameworkDoc,
    department: &dyn Fn(&str) -> Option<i64>,
) -> Result<NewFramework, Vec<Problem>> {
    check(doc, department, &|d, i, field| match (d, i) {
        (None, _) => field.to_owned(),
        (Some(d), None) => format!("domains[{d}].{field}"),
        (Some(d), Some(i)) => format!("domains[{d}].indicators[{i}].{field}"),
    })
}

/// Reads and checks the CSV format (`domain,code,title,description,department,entry_point`);
/// the name and version come from elsewhere (the command's flags or the form).
pub fn from_csv(
    csv_text: &str,
    name: &str,
    version: &str,
    department: &dyn Fn(&str) -> Option<i64>,
) -> Result<NewFramework, Vec<Problem>> {
    // Files from before entry points have the first five columns.
    let columns = &COLUMNS[..];
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let line_problem = |line: u64, message: String| {
        vec![Problem {
            place: format!("line {line}"),
            message,
        }]
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| line_problem(1, format!("the header row could not be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let width = if headers == columns {
        COLUMNS.len()
    } else if headers == columns[..5] {
        5
    } else {
        return Err(line_problem(
            1,
            format!(
                "the columns must be {} (entry_point may be left out)",
                COLUMNS.join(",")
            ),
        ));
    };
    let mut doc = FrameworkDoc {
        name: name.to_owned(),
        version: version.to_owned(),
        domains: Vec::new(),
    };
    let mut lines: Vec<Vec<u64>> = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.extend(line_problem(
                    e.position().map_or(0, |p| p.line()),
                    format!("could not be read: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != width {
            problems.extend(line_problem(
                line,
                format!("expected {width} values, found {}", record.len()),
            ));
            continue;
        }
        // Cells this product exported carry a quote before a formula sign.
        let record: Vec<&str> = record.iter().map(super::csv::restore).collect();
        let domain_name = record[0].to_owned();
        let at = match doc.domains.iter().position(|d| d.name == domain_name) {
            Some(at) => at,
            None => {
                doc.domains.push(DomainDoc {
                    name: domain_name,
                    indicators: Vec::new(),
                });
                lines.push(Vec::new());
                doc.domains.len() - 1
            }
        };
        let optional = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
        doc.domains[at].indicators.push(IndicatorDoc {
            code: record[1].to_owned(),
            title: record[2].to_owned(),
            description: optional(record[3]),
            department: optional(record[4]),
            entry_point: record.get(5).copied().and_then(optional),
        });
        lines[at].push(line);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    check(&doc, department, &|d, i, field| match (d, i) {
        (Some(d), Some(i)) => format!("line {} ({field})", lines[d][i]),
        (Some(d), None) => format!("domain {:?} ({field})", doc.domains[d].name),
        (None, _) => field.to_owned(),
    })
}

/// The CSV format's columns; `entry_point` may be left out.
pub const COLUMNS: [&str; 6] = [
    "domain",
    "code",
    "title",
    "description",
    "department",
    "entry_point",
];

/// Writes the CSV format.
pub fn to_csv(doc: &FrameworkDoc) -> String {
    let mut writer = super::csv::Writer::new(Vec::new());
    let _ = writer.row(COLUMNS);
    for domain in &doc.domains {
        for indicator in &domain.indicators {
            let _ = writer.row([
                domain.name.as_str(),
                &indicator.code,
                &indicator.title,
                indicator.description.as_deref().unwrap_or(""),
                indicator.department.as_deref().unwrap_or(""),
                indicator.entry_point.as_deref().unwrap_or(""),
            ]);
        }
    }
    writer.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn departments(name: &str) -> Option<i64> {
        match name.to_lowercase().as_str() {
            "curriculum" => Some(1),
            "it" => Some(7),
            _ => None,
        }
    }

    const GOOD: &str = r#"{"name": "Look-fors", "version": 2, "domains": [
        {"name": "Instruction", "indicators": [
            {"code": "I1", "title": "Objective posted", "department": "Curriculum"},
            {"code": "I2", "title": "Checks for understanding", "description": "Several times",
             "entry_point": "Ask three students, not one"}]},
        {"name": "Technology", "indicators": [{"code": "T1", "title": "Devices work", "department": "it"}]}]}"#;

    #[test]
    fn a_good_json_framework_resolves_departments() {
        let framework = from_json(GOOD, &departments).unwrap();
        assert_eq!(framework.version, "2");
        assert_eq!(framework.domains.len(), 2);
        assert_eq!(framework.domains[0].indicators[0].department_id, Some(1));
        assert_eq!(framework.domains[0].indicators[1].department_id, None);
        assert_eq!(framework.domains[1].indicators[0].department_id, Some(7));
    }

    #[test]
    fn every_problem_is_named_with_its_path() {
        let bad = r#"{"name": " ", "version": "-1", "domains": [
            {"name": "A", "indicators": [
                {"code": "X1", "title": ""},
                {"code": "x1", "title": "Again", "department": "Finance"},
                {"code": "bad code", "title": "T"}]},
            {"name": "", "indicators": []}]}"#;
        let problems: Vec<String> = from_json(bad, &departments)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        let expected = [
            "name: the framework's name is empty",
            "version: the version \"-1\" may hold only letters, digits, spaces and . - _ /, and must begin and end with a letter or digit",
            "domains[0].indicators[0].title: the title is empty",
            "domains[0].indicators[1].code: the code x1 is used twice (also at domains[0].indicators[0].code)",
            "domains[0].indicators[1].department: no department is named \"Finance\"",
            "domains[1].name: the domain's name is empty",
            "domains[1].indicators: the domain has no look-fors",
        ];
        for e in expected {
            assert!(
                problems.iter().any(|p| p == e),
                "missing {e:?} in {problems:#?}"
            );
        }
        assert!(problems
            .iter()
            .any(|p| p.starts_with("domains[0].indicators[2].code")));
    }

    #[test]
    fn malformed_json_names_the_line() {
        let problems = from_json("{\"name\": \"x\",\n \"version\": }", &departments).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].place.starts_with("line 2"), "{:?}", problems[0]);
        let unknown = from_json(
            r#"{"name": "x", "version": 1, "domains": [], "extra": 1}"#,
            &departments,
        )
        .unwrap_err();
        assert!(unknown[0].message.contains("unknown field"), "{unknown:?}");
    }

    #[test]
    fn csv_groups_rows_by_domain_and_names_lines() {
        let csv = "domain,code,title,description,department\nInstruction,I1,Objective posted,,Curriculum\nTech,T1,Devices work,,IT\nInstruction,I2,Checks,Often,\n";
        let framework = from_csv(csv, "Look-fors", "2026.1", &departments).unwrap();
        assert_eq!(framework.domains.len(), 2);
        assert_eq!(framework.domains[0].indicators.len(), 2);
        assert_eq!(
            framework.domains[0].indicators[1].description.as_deref(),
            Some("Often")
        );

        let bad = "domain,code,title,description,department\nA,I1,T,,\nA,I1,T2,,Nobody\n";
        let problems: Vec<String> = from_csv(bad, "F", "1", &departments)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert!(
            problems.iter().any(|p| p.starts_with("line 3 (code)")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p == "line 3 (department): no department is named \"Nobody\""),
            "{problems:?}"
        );
        let wrong_header = from_csv("domain,code\n", "F", "1", &departments).unwrap_err();
        assert_eq!(wrong_header[0].place, "line 1");
    }

    #[test]
    fn entry_points_are_read_from_json_and_either_csv_width() {
        let json = r#"{"name": "F", "version": "1", "domains": [{"name": "A", "indicators": [
            {"code": "A1", "title": "Turn and talk", "description": "Most pairs talk about the task",
             "entry_point": "  Pause twice a lesson for a turn and talk.  "},
            {"code": "A2", "title": "Exit ticket", "entry_point": " "}]}]}"#;
        let framework = from_json(json, &departments).unwrap();
        let look_fors = &framework.domains[0].indicators;
        assert_eq!(
            look_fors[0].entry_point.as_deref(),
            Some("Pause twice a lesson for a turn and talk.")
        );
        assert_eq!(look_fors[1].entry_point, None, "blank is none");

        let six = "domain,code,title,description,department,entry_point\nA,A1,Turn and talk,,,Pause twice\n";
        let five = "domain,code,title,description,department\nA,A1,Turn and talk,,\n";
        let from_six = from_csv(six, "F", "1", &departments).unwrap();
        assert_eq!(
            from_six.domains[0].indicators[0].entry_point.as_deref(),
            Some("Pause twice")
        );
        let from_five = from_csv(five, "F", "1", &departments).unwrap();
        assert_eq!(from_five.domains[0].indicators[0].entry_point, None);
        let short_row = "domain,code,title,description,department,entry_point\nA,A1,T,,\n";
        let problems = from_csv(short_row, "F", "1", &departments).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "line 2: expected 6 values, found 5"
        );

        let long = format!(
            r#"{{"name": "F", "version": "1", "domains": [{{"name": "A", "indicators": [{{"code": "A1", "title": "T", "entry_point": "{}"}}]}}]}}"#,
            "x".repeat(2001)
        );
        let problems = from_json(&long, &departments).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "domains[0].indicators[0].entry_point: use at most 2000 characters"
        );
    }

    #[test]
    fn csv_round_trips() {
        let doc: FrameworkDoc = serde_json::from_str(GOOD).unwrap();
        let csv = to_csv(&doc);
        let again = from_csv(&csv, &doc.name, &doc.version, &departments).unwrap();
        assert_eq!(again, from_json(GOOD, &departments).unwrap());
    }

    #[test]
    fn a_formula_looking_title_is_neutralised_in_the_csv_and_comes_back_as_it_was() {
        let text = GOOD.replace("Objective posted", "=Objective posted");
        let doc: FrameworkDoc = serde_json::from_str(&text).unwrap();
        let csv = to_csv(&doc);
        assert!(csv.contains(",'=Objective posted,"), "{csv}");
        let again = from_csv(&csv, &doc.name, &doc.version, &departments).unwrap();
        assert_eq!(again, from_json(&text, &departments).unwrap());
    }

    #[test]
    fn a_version_is_a_label_or_a_whole_number() {
        let label = |json: &str| {
            from_json(&GOOD.replace(r#""version": 2"#, json), &departments).map(|f| f.version)
        };
        let cases: &[(&str, Result<&str, &str>)] = &[
            (r#""version": "2026.1""#, Ok("2026.1")),
            (r#""version": "2026-27""#, Ok("2026-27")),
            (r#""version": "Spring 2027""#, Ok("Spring 2027")),
            (r#""version": 3"#, Ok("3")),
            (r#""version": """#, Err("version: the version is empty")),
            (
                r#""version": " 2026""#,
                Err("version: the version \" 2026\" may hold"),
            ),
            (
                r#""version": "2026.""#,
                Err("version: the version \"2026.\" may hold"),
            ),
            (
                r#""version": "a<b""#,
                Err("version: the version \"a<b\" may hold"),
            ),
            (r#""version": -1"#, Err("the version must be a label")),
            (r#""version": 2.5"#, Err("the version must be a label")),
        ];
        for (json, expected) in cases {
            let got = label(json);
            match (expected, &got) {
                (Ok(want), Ok(have)) => assert_eq!(want, have, "{json}"),
                (Err(want), Err(problems)) => assert!(
                    problems.iter().any(|p| p.to_string().contains(want)),
                    "{json}: {problems:?}"
                ),
                _ => panic!("{json}: expected {expected:?}, got {got:?}"),
            }
        }
        let long = format!(r#""version": "{}""#, "9".repeat(LABEL_MAX + 1));
        assert!(label(&long).is_err());
        let longest = format!(r#""version": "{}""#, "9".repeat(LABEL_MAX));
        assert!(label(&longest).is_ok());
    }

    #[test]
    fn the_label_pattern_of_the_document_agrees_with_the_check() {
        let pattern = regex_lite::Regex::new(LABEL_PATTERN).unwrap();
        for raw in [
            "1", "2026.1", "2026-27", "v2", "A b/c_d", "a.", " a", "a  b", "-1", "é", "",
        ] {
            assert_eq!(pattern.is_match(raw), version_label(raw).is_ok(), "{raw:?}");
        }
    }

    #[test]
    fn a_copy_counts_the_last_number_up() {
        let taken = |labels: &[&str]| labels.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let cases = [
            ("3", taken(&["3"]), "4"),
            ("2026.1", taken(&["2026.1"]), "2026.2"),
            ("2026-27", taken(&["2026-27"]), "2026-28"),
            ("2026.09", taken(&["2026.09"]), "2026.10"),
            ("Spring", taken(&["Spring"]), "Spring 2"),
            ("2026.1", taken(&["2026.1", "2026.2", "2026.3"]), "2026.4"),
        ];
        for (label, taken, expected) in cases {
            assert_eq!(next_label(label, &taken), expected, "{label}");
        }
    }
}
