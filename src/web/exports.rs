//! Datasets as CSV or JSON, for anyone signed in, each narrowed to what the
//! person may see by the same rules as the pages: administrators and visit
//! leads get the whole district; a school leader their campus; a department
//! head the visits and items of their department; a visitor the visits they
//! were on. Snapshot notes (and teacher names) go only to the visit's team
//! and planners. Written a page at a time, never whole in memory.

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde_json::{Map, Value};

use crate::auth::extract::client_ip;
use crate::auth::CurrentUser;
use crate::db::audit::NewEvent;
use crate::db::raw::{placeholders, Param};
use crate::db::visits::Viewer;
use crate::db::{self, Db};
use crate::error::AppError;
use crate::export::{self, Table};
use crate::views::{page, Section};

/// A dataset people can download, and the table it reads.
pub const DATASETS: &[(&str, &str, &str)] = &[
    ("schools", "schools", "Campuses"),
    ("visits", "visits", "Visits"),
    ("observations", "observations", "Observation snapshots"),
    (
        "ticks",
        "indicator_ticks",
        "Look-for ticks of each snapshot",
    ),
    ("debriefs", "debriefs", "Debriefs"),
    ("problems", "problems_of_practice", "Problems of practice"),
    (
        "responses",
        "campus_responses",
        "Campus responses to debriefs",
    ),
    (
        "needs",
        "campus_response_needs",
        "What campuses need from departments",
    ),
    (
        "acknowledgements",
        "step_acknowledgements",
        "Acknowledgements of action steps",
    ),
    ("items", "action_items", "Action items"),
    ("updates", "action_item_updates", "Updates to action items"),
    (
        "checks",
        "action_item_checks",
        "Checks of items at later visits",
    ),
];

/// Ids a non-planner's export is limited to, in pages of this many.
const CHUNK: usize = 500;

/// The list of downloads.
pub async fn index(user: CurrentUser) -> Markup {
    let ctx = user.ctx();
    page(
        &ctx,
        "Exports",
        Section::None,
        html! {
            h1 { "Exports" }
            p.lede { "Download what you can see, as CSV (for spreadsheets) or JSON. Administrators and visit leads get the whole district; everyone else the campuses, visits and items their account covers." }
            table {
                thead { tr { th scope="col" { "Dataset" } th scope="col" { "CSV" } th scope="col" { "JSON" } } }
                tbody {
                    @for (name, _, label) in DATASETS {
                        tr {
                            td { (label) }
                            td { a href={ "/exports/" (name) ".csv" } download { (name) ".csv" } }
                            td { a href={ "/exports/" (name) ".json" } download { (name) ".json" } }
                        }
                    }
                }
            }
            p { "The whole district, with people and frameworks, is exported by an administrator on the server: " code { "campus-visits export district" } "." }
        },
    )
}

/// Which rows of a table someone may have.
enum Scope {
    All,
    /// `column IN (ids)`, read in chunks.
    Ids(&'static str, Vec<i64>),
    /// Ticks of the snapshots of these visits.
    TicksOf(Vec<i64>),
}

struct Download {
    table: &'static Table,
    csv: bool,
    scope: Scope,
    /// Visits whose snapshot notes are withheld from this person.
    hide_notes: Option<HashSet<i64>>,
    chunk: usize,
    after: i64,
    rows: u64,
    finished: bool,
}

impl Download {
    fn condition(&self) -> Option<(String, Vec<Param>)> {
        let chunk = |ids: &[i64]| -> Option<Vec<Param>> {
            let part = ids.chunks(CHUNK).nth(self.chunk)?;
            Some(part.iter().map(|id| Param::Int(*id)).collect())
        };
        match &self.scope {
            Scope::All => (self.chunk == 0).then(|| (String::new(), Vec::new())),
            Scope::Ids(column, ids) => chunk(ids).map(|params| {
                (
                    format!(" AND {column} IN ({})", placeholders(params.len())),
                    params,
                )
            }),
            Scope::TicksOf(visits) => chunk(visits).map(|params| {
                (
                    format!(
                        " AND observation_id IN (SELECT id FROM observations WHERE visit_id IN ({}))",
                        placeholders(params.len())
                    ),
                    params,
                )
            }),
        }
    }

    fn header(&self) -> Bytes {
        if self.csv {
            let mut writer = crate::domain::csv::Writer::new(Vec::new());
            let _ = writer.row(self.table.columns.iter().map(|(c, _)| *c));
            Bytes::from(writer.into_inner().unwrap_or_default())
        } else {
            Bytes::from_static(b"[")
        }
    }

    fn encode(&mut self, rows: Vec<Map<String, Value>>) -> Bytes {
        let mut out = Vec::new();
        if self.csv {
            let mut writer = crate::domain::csv::Writer::new(&mut out);
            for row in &rows {
                let row = self.withhold(row);
                let _ = writer.row(self.table.columns.iter().map(|(c, _)| match row.get(*c) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                }));
            }
            let _ = writer.flush();
            drop(writer);
        } else {
            for row in &rows {
                if self.rows > 0 {
                    out.push(b',');
                }
                out.push(b'\n');
                let _ = serde_json::to_writer(&mut out, &self.withhold(row));
                self.rows += 1;
            }
        }
        Bytes::from(out)
    }

    fn withhold(&self, row: &Map<String, Value>) -> Map<String, Value> {
        let mut row = row.clone();
        if let Some(hidden) = &self.hide_notes {
            let visit = row.get("visit_id").and_then(Value::as_i64);
            if visit.is_some_and(|v| hidden.contains(&v)) {
                for field in ["notes", "teacher"] {
                    if row.contains_key(field) {
                        row.insert(field.to_owned(), Value::String(String::new()));
                    }
                }
            }
        }
        row
    }
}

/// One dataset, `/exports/{name}.csv` or `.json`.
pub async fn download(
    user: CurrentUser,
    req: HttpRequest,
    db: web::Data<Db>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let (dataset, csv) = match name.rsplit_once('.') {
        Some((dataset, "csv")) => (dataset.to_owned(), true),
        Some((dataset, "json")) => (dataset.to_owned(), false),
        _ => return Err(AppError::not_found()),
    };
    let Some(&(dataset, table_name, _)) = DATASETS.iter().find(|(d, _, _)| *d == dataset) else {
        return Err(AppError::not_found());
    };
    let table = export::table(table_name).ok_or_else(AppError::not_found)?;
    let viewer = Viewer::from(&user.account);
    let (actor, ip) = (user.id(), client_ip(&req));
    let detail = format!("{dataset}.{}", if csv { "csv" } else { "json" });
    let (scope, hide_notes) = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            db::audit::record(
                conn,
                &NewEvent::new("export.downloaded")
                    .by(Some(actor))
                    .from_ip(ip)
                    .detail(detail),
            )?;
            if viewer.sees_all_visits() {
                return Ok((Scope::All, None));
            }
            let visits = db::visits::visible_ids(conn, &viewer)?;
            let team: HashSet<i64> = db::visits::team_ids(conn, viewer.user_id)?
                .into_iter()
                .collect();
            let hidden: HashSet<i64> = visits
                .iter()
                .copied()
                .filter(|v| !team.contains(v))
                .collect();
            let scope = match table_name {
                "schools" => {
                    let mut schools = db::visits::school_ids_of(conn, &visits)?;
                    schools.extend(viewer.school_id);
                    schools.sort_unstable();
                    schools.dedup();
                    Scope::Ids("id", schools)
                }
                "visits" => Scope::Ids("id", visits),
                "observations"
                | "debriefs"
                | "problems_of_practice"
                | "campus_responses"
                | "campus_response_needs" => Scope::Ids("visit_id", visits),
                "indicator_ticks" => Scope::TicksOf(visits),
                "action_items" => Scope::Ids("id", db::action_items::visible_ids(conn, &viewer)?),
                _ => Scope::Ids("item_id", db::action_items::visible_ids(conn, &viewer)?),
            };
            Ok((scope, Some(hidden)))
        })
        .await?;
    let state = Download {
        table,
        csv,
        scope,
        hide_notes,
        chunk: 0,
        after: i64::MIN,
        rows: 0,
        finished: false,
    };
    let db = db.into_inner();
    let header = state.header();
    let body = futures_util::stream::unfold(state, move |mut state| {
        let db = db.clone();
        async move {
            loop {
                if state.finished {
                    return None;
                }
                let Some((condition, params)) = state.condition() else {
                    state.finished = true;
                    let end = if state.csv {
                        Bytes::new()
                    } else {
                        Bytes::from_static(b"\n]\n")
                    };
                    return Some((Ok::<_, actix_web::Error>(end), state));
                };
                let (table, after) = (state.table, state.after);
                let page = db
                    .run(move |conn| export::page(conn, table, &condition, &params, after))
                    .await;
                match page {
                    Ok(Some((rows, last))) => {
                        state.after = last;
                        let bytes = state.encode(rows);
                        return Some((Ok(bytes), state));
                    }
                    Ok(None) => {
                        state.chunk += 1;
                        state.after = i64::MIN;
                    }
                    Err(e) => {
                        // The status has gone out: end the body early, so
                        // the download is visibly incomplete.
                        tracing::error!(error = %e, "export stopped");
                        state.finished = true;
                        return Some((Err(actix_web::error::ErrorInternalServerError(e)), state));
                    }
                }
            }
        }
    });
    let first = futures_util::stream::once(async move { Ok::<_, actix_web::Error>(header) });
    let content_type = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(futures_util::StreamExt::chain(first, body)))
}
