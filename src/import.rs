//! Directory imports from CSV. Every row is checked before anything is
//! written; one bad row refuses the whole file, naming each bad line.

use crate::web::actions::users::Invite;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use crate::db::{self, DbConn, WriteError};
use crate::domain::fields::parse_flag;
use crate::domain::school::NewSchool;
use crate::domain::user::NewUser;
use crate::domain::FieldErrors;

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub kind: &'static str,
    pub created: usize,
    pub updated: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {}: {} created, {} updated",
            self.kind, self.created, self.updated
        )
    }
}

/// One thing wrong with one line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line in the file, counting the header as line 1.
    pub line: u64,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read {path}: {reason}")]
    File { path: String, reason: String },
    #[error("{}", rows_message(.0))]
    Rows(Vec<Problem>),
    #[error("the database failed; nothing was imported: {0}")]
    Db(#[from] diesel::result::Error),
}

fn rows_message(problems: &[Problem]) -> String {
    let mut message = format!(
        "nothing was imported: {} problem(s) in the file",
        problems.len()
    );
    for problem in problems {
        message.push_str(&format!("\nline {}: {}", problem.line, problem.message));
    }
    message
}

/// A CSV file's rows as maps from (lower-case) column name to value, each
/// with its line number; unknown or missing columns are refused up front.
struct Table {
    rows: Vec<(u64, HashMap<String, String>)>,
}

impl Table {
    fn read(
        reader: impl std::io::Read,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Self, ImportError> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(reader);
        let header_problem =
            |message: String| ImportError::Rows(vec![Problem { line: 1, message }]);
        let headers: Vec<String> = csv
            .headers()
            .map_err(|e| header_problem(format!("the header row could not be read: {e}")))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        for name in &headers {
            if !required.contains(&name.as_str()) && !optional.contains(&name.as_str()) {
                return Err(header_problem(format!(
                    "unknown column {name:?}; the columns are {}",
                    required
                        .iter()
                        .chain(optional)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(",")
                )));
            }
        }
        for name in required {
            if !headers.iter().any(|h| h == name) {
                return Err(header_problem(format!("the column {name:?} is missing")));
            }
        }
        let mut rows = Vec::new();
        let mut problems = Vec::new();
        for record in csv.records() {
            match record {
                Ok(record) => {
                    let line = record.position().map_or(0, |p| p.line());
                    if record.iter().all(str::is_empty) {
                        continue;
                    }
                    if record.len() != headers.len() {
                        problems.push(Problem {
                            line,
                            message: format!(
                                "expected {} values, found {}",
                                headers.len(),
                                record.len()
                            ),
                        });
                        continue;
                    }
                    let values = headers
                        .iter()
                        .cloned()
                        .zip(record.iter().map(str::to_owned))
                        .collect();
                    rows.push((line, values));
                }
                Err(e) => problems.push(Problem {
                    line: e.position().map_or(0, |p| p.line()),
                    message: format!("could not be read: {e}"),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(ImportError::Rows(problems));
        }
        Ok(Self { rows })
    }
}

fn value<'a>(row: &'a HashMap<String, String>, column: &str) -> &'a str {
    row.get(column).map_or("", String::as_str)
}

fn active(row: &HashMap<String, String>, errors: &mut FieldErrors) -> bool {
    match row.get("active").map(String::as_str) {
        None | Some("") => true,
        Some(raw) => errors.check("active", parse_flag(raw)).unwrap_or(true),
    }
}

fn describe(line: u64, errors: &FieldErrors) -> Vec<Problem> {
    errors
        .iter()
        .map(|(field, message)| Problem {
            line,
            message: format!("{}: {message}", field.trim_end_matches("_id")),
        })
        .collect()
}

fn open(path: &Path) -> Result<std::fs::File, ImportError> {
    std::fs::File::open(path).map_err(|e| ImportError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

pub fn schools_file(conn: &mut DbConn, path: &Path) -> Result<Summary, ImportError> {
    schools(conn, open(path)?)
}

pub fn users_file(
    conn: &mut DbConn,
    path: &Path,
    invite: Option<&Invite>,
) -> Result<Summary, ImportError> {
    users(conn, open(path)?, invite)
}

/// Schools from CSV with the columns `code,name,level[,active][,program]`. A code the
/// district already has updates that school.
pub fn schools(conn: &mut DbConn, reader: impl std::io::Read) -> Result<Summary, ImportError> {
    let table = Table::read(reader, &["code", "name", "level"], &["active", "program"])?;
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, row) in &table.rows {
        let mut errors = FieldErrors::new();
        let active = active(row, &mut errors);
        match NewSchool::parse_with_program(
            value(row, "name"),
            value(row, "code"),
            value(row, "level"),
            value(row, "program"),
            active,
        ) {
            Ok(school) if errors.is_empty() => {
                if let Some(first) = seen.insert(school.code.as_str().to_owned(), *line) {
                    problems.push(Problem {
                        line: *line,
                        message: format!("code: {} is also on line {first}", school.code.as_str()),
                    });
                } else {
                    parsed.push((*line, school));
                }
            }
            Ok(_) => problems.extend(describe(*line, &errors)),
            Err(more) => {
                problems.extend(describe(*line, &more));
                problems.extend(describe(*line, &errors));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    db::write_transaction(conn, |conn| {
        let mut summary = Summary {
            kind: "schools",
            created: 0,
            updated: 0,
        };
        for (line, school) in &parsed {
            let result = match db::schools::find_by_code(conn, school.code.as_str())? {
                Some(existing) => {
                    db::schools::update(conn, existing.id, school).map(|()| &mut summary.updated)
                }
                None => db::schools::insert(conn, school).map(|_| &mut summary.created),
            };
            match result.map_err(WriteError::refusal) {
                Ok(count) => *count += 1,
                Err(Ok(errors)) => return Err(ImportError::Rows(describe(*line, &errors))),
                Err(Err(e)) => return Err(e.into()),
            }
        }
        Ok(summary)
    })
}

/// People from CSV with the columns `name,email[,school,department,active]`:
/// `school` is a school code, `department` a department name (any case).
/// An email the directory already has updates that person.
/// Users from CSV; with `invite`, each person the file adds is emailed an
/// invitation.
pub fn users(
    conn: &mut DbConn,
    reader: impl std::io::Read,
    invite: Option<&Invite>,
) -> Result<Summary, ImportError> {
    let table = Table::read(
        reader,
        &["name", "email"],
        &["school", "department", "active"],
    )?;
    // Links are looked up and rows written in one transaction, so what was
    // checked is what is stored.
    db::write_transaction(conn, |conn| {
        let mut problems = Vec::new();
        let mut parsed = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for (line, row) in &table.rows {
            let mut errors = FieldErrors::new();
            let active = active(row, &mut errors);
            let school_code = value(row, "school");
            let school_id = if school_code.is_empty() {
                None
            } else {
                match db::schools::find_by_code(conn, &school_code.to_ascii_uppercase())? {
                    Some(school) => Some(school.id),
                    None => {
                        errors.add("school", format!("no school has the code {school_code:?}"));
                        None
                    }
                }
            };
            let department_name = value(row, "department");
            let department_id = if department_name.is_empty() {
                None
            } else {
                match db::departments::find_by_name(conn, department_name)? {
                    Some(department) => Some(department.id),
                    None => {
                        errors.add(
                            "department",
                            format!("no department is named {department_name:?}"),
                        );
                        None
                    }
                }
            };
            match NewUser::parse(
                value(row, "name"),
                value(row, "email"),
                active,
                school_id,
                department_id,
            ) {
                Ok(user) if errors.is_empty() => {
                    if let Some(first) = seen.insert(user.email.as_str().to_owned(), *line) {
                        problems.push(Problem {
                            line: *line,
                            message: format!(
                                "email: {} is also on line {first}",
                                user.email.as_str()
                            ),
                        });
                    } else {
                        parsed.push((*line, user));
                    }
                }
                Ok(_) => problems.extend(describe(*line, &errors)),
                Err(more) => {
                    problems.extend(describe(*line, &more));
                    problems.extend(describe(*line, &errors));
                }
            }
        }
        if !problems.is_empty() {
            return Err(ImportError::Rows(problems));
        }
        let mut summary = Summary {
            kind: "users",
            created: 0,
            updated: 0,
        };
        let mut added = Vec::new();
        for (line, user) in &parsed {
            let result = match db::users::find_by_email(conn, user.email.as_str())? {
                Some(existing) => {
                    db::users::update(conn, existing.id, user).map(|()| &mut summary.updated)
                }
                None => db::users::insert(conn, user).map(|id| {
                    added.push((id, user.active));
                    &mut summary.created
                }),
            };
            match result.map_err(WriteError::refusal) {
                Ok(count) => *count += 1,
                Err(Ok(errors)) => return Err(ImportError::Rows(describe(*line, &errors))),
                Err(Err(e)) => return Err(e.into()),
            }
        }
        // A person the file adds as inactive is not invited.
        for (id, active) in added {
            db::audit::record(
                conn,
                &db::audit::NewEvent::new("user.created")
                    .on("user", id)
                    .detail("CSV import"),
            )?;
            if let Some(invite) = invite.filter(|_| active) {
                crate::web::actions::users::send_invitation(conn, None, id, invite).map_err(
                    |e| match e {
                        WriteError::Db(e) => ImportError::from(e),
                        other => ImportError::Rows(vec![Problem {
                            line: 0,
                            message: other.to_string(),
                        }]),
                    },
                )?;
            }
        }
        Ok(summary)
    })
}

/// How a framework file is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkFormat {
    Json,
    /// CSV carries no name or version: they come with it.
    Csv {
        name: String,
        /// The version's label.
        version: String,
    },
}

/// Why a framework was not imported.
#[derive(Debug, thiserror::Error)]
pub enum FrameworkImportError {
    #[error("{}", framework_problems(.0))]
    Problems(Vec<crate::domain::framework::Problem>),
    #[error("the database failed; nothing was imported: {0}")]
    Db(#[from] diesel::result::Error),
}

fn framework_problems(problems: &[crate::domain::framework::Problem]) -> String {
    let mut message = format!(
        "nothing was imported: {} problem(s) in the framework",
        problems.len()
    );
    for problem in problems {
        message.push_str(&format!("\n{problem}"));
    }
    message
}

/// Checks a framework file whole and stores it, or stores nothing.
pub fn framework(
    conn: &mut DbConn,
    text: &str,
    format: &FrameworkFormat,
) -> Result<
    (
        db::frameworks::Imported,
        crate::domain::framework::NewFramework,
    ),
    FrameworkImportError,
> {
    use crate::domain::framework::{from_csv, from_json, Problem};
    db::write_transaction(conn, |conn| {
        let departments = db::frameworks::department_ids(conn)?;
        let resolve = |name: &str| departments.get(&name.to_lowercase()).copied();
        let framework = match format {
            FrameworkFormat::Json => from_json(text, &resolve),
            FrameworkFormat::Csv { name, version } => from_csv(text, name, version, &resolve),
        }
        .map_err(FrameworkImportError::Problems)?;
        let imported = db::frameworks::import(conn, &framework).map_err(|e| match e.refusal() {
            Ok(errors) => FrameworkImportError::Problems(
                errors
                    .iter()
                    .map(|(place, message)| Problem {
                        place: place.to_owned(),
                        message: message.to_owned(),
                    })
                    .collect(),
            ),
            Err(e) => e.into(),
        })?;
        Ok((imported, framework))
    })
}

pub fn framework_file(
    conn: &mut DbConn,
    path: &Path,
    name: Option<String>,
    version: Option<String>,
) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let format = if is_csv {
        match (name, version) {
            (Some(name), Some(version)) => FrameworkFormat::Csv {
                name,
                version: version.trim().to_owned(),
            },
            _ => return Err("a CSV framework needs --name and --version".to_owned()),
        }
    } else {
        FrameworkFormat::Json
    };
    match framework(conn, &text, &format) {
        Ok((imported, framework)) => {
            let count: usize = framework.domains.iter().map(|d| d.indicators.len()).sum();
            let verb = match imported {
                db::frameworks::Imported::Created(_) => "imported",
                db::frameworks::Imported::Replaced(_) => "replaced",
            };
            let event = db::audit::NewEvent::new("framework.imported")
                .on("framework", imported.id())
                .detail("command line");
            db::audit::record(conn, &event).map_err(|e| e.to_string())?;
            Ok(format!(
                "{verb} framework {} ({} version {}): {} domains, {count} look-fors",
                imported.id(),
                framework.name,
                framework.version,
                framework.domains.len()
            ))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Imports the learning catalogue from a JSON file, or from an offerings
/// CSV (`.csv`) with an optional sessions CSV; refused whole, every
/// problem named, when anything in it is wrong.
pub fn catalogue_file(
    conn: &mut DbConn,
    path: &Path,
    sessions: Option<&Path>,
) -> Result<String, String> {
    use crate::domain::catalogue::{from_csv, from_json};
    use crate::web::actions::learning::{import_catalogue, CatalogueError};
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))
    };
    let text = read(path)?;
    let sessions_text = sessions.map(read).transpose()?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let outcome = import_catalogue(conn, None, |resolve| {
        if is_csv {
            from_csv(&text, sessions_text.as_deref(), resolve)
        } else {
            from_json(&text, resolve)
        }
    });
    match outcome {
        Ok(c) => Ok(format!(
            "catalogue imported: {} offerings added, {} updated; {} sessions added, {} updated; {} series added",
            c.offerings_added, c.offerings_updated, c.sessions_added, c.sessions_updated, c.series
        )),
        Err(CatalogueError::Problems(problems)) => {
            let mut message = format!(
                "{} in the file; nothing was imported:",
                crate::domain::fields::plural(problems.len(), "problem", "problems")
            );
            for problem in problems {
                message.push_str(&format!("\n{problem}"));
            }
            Err(message)
        }
        Err(CatalogueError::Write(e)) => Err(match e.refusal() {
            Ok(errors) => errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("\n"),
            Err(e) => e.to_string(),
        }),
    }
}
