//! The two migration folders must build the same schema.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::helpers::TestDb;

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Integer)]
    nullable: i32,
}

type Shape = BTreeMap<String, BTreeMap<String, bool>>;

fn shape(columns: Vec<Column>) -> Shape {
    let mut shape = Shape::new();
    for c in columns {
        if c.table_name == "__diesel_schema_migrations" {
            continue;
        }
        shape
            .entry(c.table_name)
            .or_default()
            .insert(c.column_name, c.nullable != 0);
    }
    shape
}

#[test]
fn sqlite_and_postgres_migrations_give_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite();
    let postgres = TestDb::postgres();
    let sqlite_shape = match sqlite.connect() {
        campus_visits::db::DbConn::Sqlite(mut conn) => shape(
            diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name, \
                        CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 0 ELSE 1 END AS nullable \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            )
            .load(&mut conn)
            .unwrap(),
        ),
        _ => unreachable!(),
    };
    let postgres_shape = match postgres.connect() {
        campus_visits::db::DbConn::Postgres(mut conn) => shape(
            diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                        CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable \
                 FROM information_schema.columns WHERE table_schema = 'public'",
            )
            .load(&mut conn)
            .unwrap(),
        ),
        _ => unreachable!(),
    };
    assert!(sqlite_shape.contains_key("schools"));
    assert_eq!(sqlite_shape, postgres_shape);
}

#[test]
fn both_folders_hold_the_same_migration_versions() {
    let names = |engine: &str| {
        let mut names: Vec<String> = std::fs::read_dir(format!(
            "{}/migrations/{engine}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
        names.sort();
        names
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}

#[test]
fn sqlite_connections_are_durable_and_enforce_foreign_keys() {
    let db = TestDb::sqlite();
    let campus_visits::db::DbConn::Sqlite(mut conn) = db.connect() else {
        unreachable!()
    };
    #[derive(QueryableByName)]
    struct Pragma {
        #[diesel(sql_type = Text)]
        value: String,
    }
    let pragma = |conn: &mut SqliteConnection, name: &str| -> String {
        let column = if name == "busy_timeout" {
            "timeout"
        } else {
            name
        };
        diesel::sql_query(format!(
            "SELECT CAST(p.{column} AS TEXT) AS value FROM pragma_{name} p"
        ))
        .get_result::<Pragma>(conn)
        .unwrap()
        .value
    };
    assert_eq!(pragma(&mut conn, "journal_mode"), "wal");
    assert_eq!(pragma(&mut conn, "foreign_keys"), "1");
    assert_eq!(pragma(&mut conn, "synchronous"), "2", "FULL");
    assert_eq!(pragma(&mut conn, "busy_timeout"), "5000");
}
