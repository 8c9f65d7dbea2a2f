//! Data portability: every record of the district as JSON, written a page
//! at a time so that a large district never sits in memory whole, and read
//! back into an empty database the same way. The HTTP exports of single
//! datasets (`web::exports`) read pages through the same functions, narrowed
//! to what the person may see.
//!
//! The district file is one JSON object:
//! `{"format": "campus-visits-district", "version": 1, "tables": {"schools":
//! [{...}, ...], ...}}`, tables in the order they can be loaded. Rows hold
//! each column by name; times are UTC `YYYY-MM-DD HH:MM:SS.ffffff`. Left
//! out: password hashes (people set a new password by the reset link), API
//! tokens, calendar links, sign-in throttling, the audit log and the email
//! outbox. Evidence roll-ups are rebuilt on import.

use std::io::Write;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::db::raw::{self, Param};
use crate::db::{DbConn, WriteError};

/// How a column's values are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bool,
    Date,
    Timestamp,
}

use Kind::{Bool, Date, Int, Text as Txt, Timestamp};

/// A table as exported: its columns, and the integer column pages follow.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub key: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

/// The file's format name and version.
pub const FORMAT: &str = "campus-visits-district";
pub const VERSION: i64 = 1;

/// Rows read per page.
const PAGE: i64 = 1000;

pub const TABLES: &[Table] = &[
    Table {
        name: "district_settings",
        key: "id",
        columns: &[
            ("id", Int),
            ("teacher_field", Bool),
            ("weak_share_percent", Int),
            ("weak_min_snapshots", Int),
            ("department_due_days", Int),
            ("school_due_days", Int),
            ("due_soon_days", Int),
            ("time_zone", Txt),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "schools",
        key: "id",
        columns: &[
            ("id", Int),
            ("name", Txt),
            ("code", Txt),
            ("level", Txt),
            ("active", Bool),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
            ("program", Txt),
        ],
    },
    Table {
        name: "departments",
        key: "id",
        columns: &[
            ("id", Int),
            ("name", Txt),
            ("contact_email", Txt),
            ("active", Bool),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "users",
        key: "id",
        columns: &[
            ("id", Int),
            ("name", Txt),
            ("email", Txt),
            ("active", Bool),
            ("school_id", Int),
            ("department_id", Int),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
            ("session_epoch", Int),
        ],
    },
    Table {
        name: "user_roles",
        key: "user_id",
        columns: &[("user_id", Int), ("role", Txt)],
    },
    Table {
        name: "mail_opt_outs",
        key: "user_id",
        columns: &[("user_id", Int), ("kind", Txt)],
    },
    Table {
        name: "frameworks",
        key: "id",
        columns: &[
            ("id", Int),
            ("name", Txt),
            ("version", Int),
            ("label", Txt),
            ("frozen_at", Timestamp),
            ("created_at", Timestamp),
        ],
    },
    Table {
        name: "framework_domains",
        key: "id",
        columns: &[
            ("id", Int),
            ("framework_id", Int),
            ("position", Int),
            ("name", Txt),
        ],
    },
    Table {
        name: "indicators",
        key: "id",
        columns: &[
            ("id", Int),
            ("framework_id", Int),
            ("domain_id", Int),
            ("position", Int),
            ("code", Txt),
            ("title", Txt),
            ("description", Txt),
            ("department_id", Int),
            ("entry_point", Txt),
        ],
    },
    Table {
        name: "visits",
        key: "id",
        columns: &[
            ("id", Int),
            ("school_id", Int),
            ("visit_date", Date),
            ("status", Txt),
            ("lead_id", Int),
            ("framework_id", Int),
            ("focus", Txt),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "visit_members",
        key: "visit_id",
        columns: &[("visit_id", Int), ("user_id", Int)],
    },
    Table {
        name: "visit_segments",
        key: "visit_id",
        columns: &[("visit_id", Int), ("segment", Txt)],
    },
    Table {
        name: "observations",
        key: "id",
        columns: &[
            ("id", Int),
            ("visit_id", Int),
            ("author_id", Int),
            ("framework_id", Int),
            ("setting", Txt),
            ("room", Txt),
            ("grade_band", Txt),
            ("subject", Txt),
            ("started_at", Txt),
            ("rating", Int),
            ("notes", Txt),
            ("idempotency_key", Txt),
            ("body_hash", Txt),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
            ("teacher", Txt),
        ],
    },
    Table {
        name: "indicator_ticks",
        key: "observation_id",
        columns: &[
            ("observation_id", Int),
            ("indicator_id", Int),
            ("tick", Txt),
        ],
    },
    Table {
        name: "debriefs",
        key: "visit_id",
        columns: &[
            ("visit_id", Int),
            ("strengths", Txt),
            ("alignment_notes", Txt),
            ("attendees", Txt),
            ("updated_by", Int),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "problems_of_practice",
        key: "id",
        columns: &[
            ("id", Int),
            ("visit_id", Int),
            ("position", Int),
            ("description", Txt),
        ],
    },
    Table {
        name: "problem_departments",
        key: "problem_id",
        columns: &[("problem_id", Int), ("department_id", Int)],
    },
    Table {
        name: "action_items",
        key: "id",
        columns: &[
            ("id", Int),
            ("visit_id", Int),
            ("school_id", Int),
            ("kind", Txt),
            ("department_id", Int),
            ("title", Txt),
            ("evidence", Txt),
            ("source_key", Txt),
            ("edited", Bool),
            ("status", Txt),
            ("reason", Txt),
            ("priority", Txt),
            ("owner_id", Int),
            ("due_on", Date),
            ("version", Int),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
            ("done_at", Timestamp),
            ("days_to_done", Int),
        ],
    },
    Table {
        name: "action_item_indicators",
        key: "item_id",
        columns: &[("item_id", Int), ("indicator_id", Int)],
    },
    Table {
        name: "action_item_updates",
        key: "id",
        columns: &[
            ("id", Int),
            ("item_id", Int),
            ("author_id", Int),
            ("at", Timestamp),
            ("status", Txt),
            ("change", Txt),
            ("note", Txt),
        ],
    },
    Table {
        name: "action_item_checks",
        key: "item_id",
        columns: &[
            ("item_id", Int),
            ("visit_id", Int),
            ("result", Txt),
            ("note", Txt),
            ("author_id", Int),
            ("at", Timestamp),
        ],
    },
    Table {
        name: "campus_responses",
        key: "visit_id",
        columns: &[
            ("visit_id", Int),
            ("agreement", Txt),
            ("context", Txt),
            ("author_id", Int),
            ("version", Int),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "campus_response_needs",
        key: "id",
        columns: &[
            ("id", Int),
            ("visit_id", Int),
            ("department_id", Int),
            ("need", Txt),
            ("position", Int),
            ("item_id", Int),
        ],
    },
    Table {
        name: "step_acknowledgements",
        key: "item_id",
        columns: &[
            ("item_id", Int),
            ("user_id", Int),
            ("acknowledged_at", Timestamp),
        ],
    },
    Table {
        name: "learning_series",
        key: "id",
        columns: &[
            ("id", Int),
            ("name", Txt),
            ("description", Txt),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "offerings",
        key: "id",
        columns: &[
            ("id", Int),
            ("title", Txt),
            ("description", Txt),
            ("format", Txt),
            ("department_id", Int),
            ("audience", Txt),
            ("credit_tenths", Int),
            ("active", Bool),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "offering_look_fors",
        key: "offering_id",
        columns: &[("offering_id", Int), ("code", Txt)],
    },
    Table {
        name: "learning_sessions",
        key: "id",
        columns: &[
            ("id", Int),
            ("offering_id", Int),
            ("series_id", Int),
            ("on_date", Date),
            ("starts_at", Txt),
            ("ends_at", Txt),
            ("place", Txt),
            ("capacity", Int),
            ("facilitator_id", Int),
            ("cancelled", Bool),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "session_registrations",
        key: "id",
        columns: &[
            ("id", Int),
            ("session_id", Int),
            ("school_id", Int),
            ("participants", Int),
            ("names", Txt),
            ("attended", Int),
            ("registered_by", Int),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
    },
    Table {
        name: "action_item_learning",
        key: "item_id",
        columns: &[
            ("item_id", Int),
            ("offering_id", Int),
            ("session_id", Int),
            ("linked_by", Int),
            ("linked_at", Timestamp),
        ],
    },
];

/// The table called `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Upper {
    #[diesel(sql_type = Nullable<BigInt>)]
    upper: Option<i64>,
}

fn json_select(conn: &DbConn, table: &Table) -> String {
    let pairs = table
        .columns
        .iter()
        .map(|(c, _)| format!("'{c}', {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    match conn {
        DbConn::Sqlite(_) => format!("json_object({pairs}) AS row"),
        DbConn::Postgres(_) => format!("CAST(json_build_object({pairs}) AS TEXT) AS row"),
    }
}

/// One engine's value as the file holds it: booleans as booleans, times
/// with a space (PostgreSQL's JSON writes a `T`).
fn normalise(table: &Table, mut row: Map<String, Value>) -> Map<String, Value> {
    for (column, kind) in table.columns {
        let Some(value) = row.get_mut(*column) else {
            continue;
        };
        match (kind, &value) {
            (Bool, Value::Number(n)) => *value = Value::Bool(n.as_i64() != Some(0)),
            (Timestamp, Value::String(s)) => *value = Value::String(s.replacen('T', " ", 1)),
            _ => {}
        }
    }
    row
}

/// A page of rows, each a JSON object, and the last key it holds.
pub type Page = (Vec<Map<String, Value>>, i64);

/// Rows of `table` whose key is above `after`, a page of keys at a time
/// (all rows of those keys), narrowed by `condition` (SQL on the table's
/// own columns, with its `params`). Returns the rows and the last key, or
/// `None` when there is nothing more.
pub fn page(
    conn: &mut DbConn,
    table: &Table,
    condition: &str,
    params: &[Param],
    after: i64,
) -> QueryResult<Option<Page>> {
    let key = table.key;
    let name = table.name;
    let mut upper_params = vec![Param::Int(after)];
    upper_params.extend(params.iter().cloned());
    let upper: Vec<Upper> = raw::load(
        conn,
        &format!(
            "SELECT MAX({key}) AS upper FROM (SELECT {key} FROM {name} \
             WHERE {key} > ?{condition} ORDER BY {key} LIMIT {PAGE}) page"
        ),
        &upper_params,
    )?;
    let Some(upper) = upper.first().and_then(|u| u.upper) else {
        return Ok(None);
    };
    let mut row_params = vec![Param::Int(after), Param::Int(upper)];
    row_params.extend(params.iter().cloned());
    let second = table.columns.get(1).map(|c| c.0).unwrap_or(key);
    let select = json_select(conn, table);
    let rows: Vec<JsonRow> = raw::load(
        conn,
        &format!(
            "SELECT {select} FROM {name} WHERE {key} > ? AND {key} <= ?{condition} \
             ORDER BY {key}, {second}"
        ),
        &row_params,
    )?;
    let rows = rows
        .into_iter()
        .map(|r| match serde_json::from_str::<Value>(&r.row) {
            Ok(Value::Object(map)) => Ok(normalise(table, map)),
            _ => Err(diesel::result::Error::DeserializationError(
                format!("a row of {name} that is not a JSON object").into(),
            )),
        })
        .collect::<QueryResult<Vec<_>>>()?;
    Ok(Some((rows, upper)))
}

/// How many rows of each table were written or read.
pub type Counts = Vec<(&'static str, u64)>;

/// Writes the whole district to `out`, a page at a time.
pub fn write_district(conn: &mut DbConn, out: &mut impl Write) -> anyhow::Result<Counts> {
    let mut counts = Vec::new();
    write!(
        out,
        "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"tables\":{{"
    )?;
    for (t, table) in TABLES.iter().enumerate() {
        if t > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\n\"{}\":[", table.name)?;
        let mut count = 0u64;
        let mut after = i64::MIN;
        while let Some((rows, last)) = page(conn, table, "", &[], after)? {
            for row in rows {
                if count > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(b"\n")?;
                serde_json::to_writer(&mut *out, &row)?;
                count += 1;
            }
            after = last;
        }
        out.write_all(b"]")?;
        counts.push((table.name, count));
    }
    out.write_all(b"}}\n")?;
    out.flush()?;
    Ok(counts)
}

/// Rows inserted per statement on import.
const BATCH: usize = 200;

fn insert_batch(
    conn: &mut DbConn,
    table: &Table,
    rows: &[Map<String, Value>],
) -> Result<(), WriteError> {
    if rows.is_empty() {
        return Ok(());
    }
    let postgres = matches!(conn, DbConn::Postgres(_));
    let placeholder = |kind: Kind| match (postgres, kind) {
        (true, Date) => "CAST(? AS DATE)",
        (true, Timestamp) => "CAST(? AS TIMESTAMP)",
        _ => "?",
    };
    let one = format!(
        "({})",
        table
            .columns
            .iter()
            .map(|(_, kind)| placeholder(*kind))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let columns = table
        .columns
        .iter()
        .map(|(c, _)| *c)
        .collect::<Vec<_>>()
        .join(", ");
    let mut params = Vec::with_capacity(rows.len() * table.columns.len());
    for row in rows {
        for (column, kind) in table.columns {
            params.push(param(table, row, column, *kind)?);
        }
    }
    let sql = format!(
        "INSERT INTO {} ({columns}) VALUES {}",
        table.name,
        vec![one; rows.len()].join(", ")
    );
    raw::execute(conn, &sql, &params)?;
    Ok(())
}

fn param(
    table: &Table,
    row: &Map<String, Value>,
    column: &str,
    kind: Kind,
) -> Result<Param, WriteError> {
    let bad = || {
        WriteError::field(
            "file",
            format!(
                "{}.{column}: {:?} is not a {kind:?} value",
                table.name,
                row.get(column)
            ),
        )
    };
    // Exports from before version labels carry only the number.
    if (table.name, column) == ("frameworks", "label") && row.get(column).is_none() {
        if let Some(Value::Number(n)) = row.get("version") {
            return Ok(Param::Text(n.to_string()));
        }
    }
    Ok(match (kind, row.get(column)) {
        (_, None | Some(Value::Null)) => match kind {
            Int => Param::NullInt,
            Bool => Param::NullBool,
            _ => Param::NullText,
        },
        (Int, Some(Value::Number(n))) => Param::Int(n.as_i64().ok_or_else(bad)?),
        (Bool, Some(Value::Bool(b))) => Param::Bool(*b),
        (Txt | Date | Timestamp, Some(Value::String(s))) => Param::Text(s.clone()),
        _ => return Err(bad()),
    })
}

/// Reads the table rows of `tables` one at a time, inserting in batches.
struct TableRows<'a> {
    conn: &'a mut DbConn,
    table: &'static Table,
}

impl<'de> DeserializeSeed<'de> for TableRows<'_> {
    type Value = u64;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TableRows<'_> {
    type Value = u64;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an array of {} rows", self.table.name)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut batch = Vec::with_capacity(BATCH);
        let mut count = 0u64;
        while let Some(row) = seq.next_element::<Map<String, Value>>()? {
            batch.push(row);
            count += 1;
            if batch.len() == BATCH {
                insert_batch(self.conn, self.table, &batch).map_err(serde::de::Error::custom)?;
                batch.clear();
            }
        }
        insert_batch(self.conn, self.table, &batch).map_err(serde::de::Error::custom)?;
        Ok(count)
    }
}

struct Tables<'a> {
    conn: &'a mut DbConn,
}

impl<'de> DeserializeSeed<'de> for Tables<'_> {
    type Value = Counts;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Counts, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Tables<'_> {
    type Value = Counts;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object of tables")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Counts, A::Error> {
        let mut counts = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            let table = table(&name)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown table {name}")))?;
            if name == "district_settings" {
                raw::execute(self.conn, "DELETE FROM district_settings", &[])
                    .map_err(serde::de::Error::custom)?;
            }
            let count = map.next_value_seed(TableRows {
                conn: &mut *self.conn,
                table,
            })?;
            counts.push((table.name, count));
        }
        Ok(counts)
    }
}

struct District<'a> {
    conn: &'a mut DbConn,
}

impl<'de> Visitor<'de> for District<'_> {
    type Value = Counts;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a campus-visits district export")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Counts, A::Error> {
        let mut counts = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    let format: String = map.next_value()?;
                    if format != FORMAT {
                        return Err(serde::de::Error::custom(format!(
                            "format: expected {FORMAT}, found {format}"
                        )));
                    }
                }
                "version" => {
                    let version: i64 = map.next_value()?;
                    if version != VERSION {
                        return Err(serde::de::Error::custom(format!(
                            "version: this release reads version {VERSION}, found {version}"
                        )));
                    }
                }
                "tables" => {
                    counts = Some(map.next_value_seed(Tables {
                        conn: &mut *self.conn,
                    })?)
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        counts.ok_or_else(|| serde::de::Error::custom("the file has no tables"))
    }
}

/// Loads a district export into an empty database, in one transaction:
/// rows are inserted as they are read; identity counters are moved past
/// the imported ids and the evidence roll-ups rebuilt.
/// Fails, having written nothing, on a database that already has a
/// district or a file that is not a whole, valid export.
pub fn read_district(conn: &mut DbConn, input: impl std::io::Read) -> anyhow::Result<Counts> {
    let outcome = crate::db::write_transaction(conn, |conn| {
        for name in ["schools", "users", "visits", "frameworks"] {
            let n: Vec<raw::Number> =
                raw::load(conn, &format!("SELECT COUNT(*) AS n FROM {name}"), &[])?;
            if n.first().map_or(0, |n| n.n) > 0 {
                return Err(WriteError::field(
                    "database",
                    format!("The database already holds {name}: import into an empty one."),
                ));
            }
        }
        let reader = std::io::BufReader::new(input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let counts = serde::Deserializer::deserialize_map(&mut de, District { conn: &mut *conn })
            .map_err(|e| WriteError::field("file", e.to_string()))?;
        de.end()
            .map_err(|e| WriteError::field("file", e.to_string()))?;
        reset_identities(conn)?;
        crate::db::insights::rebuild_rollups(conn)?;
        Ok(counts)
    });
    outcome.map_err(|e| match e.refusal() {
        Ok(errors) => anyhow::anyhow!(
            "{}",
            ["database", "file"]
                .iter()
                .find_map(|f| errors.get(f))
                .unwrap_or("the file is not a district export")
        ),
        Err(e) => anyhow::anyhow!(e),
    })
}

/// Moves PostgreSQL's identity counters past ids written explicitly
/// (SQLite's row ids follow by themselves).
pub fn reset_identities(conn: &mut DbConn) -> QueryResult<()> {
    if !matches!(conn, DbConn::Postgres(_)) {
        return Ok(());
    }
    for table in TABLES
        .iter()
        .filter(|t| t.key == "id" && t.name != "district_settings")
    {
        let name = table.name;
        raw::execute(
            conn,
            &format!(
                "SELECT setval(pg_get_serial_sequence('{name}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            ),
            &[],
        )?;
    }
    Ok(())
}
