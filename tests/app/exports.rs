//! Data portability: the whole district out as JSON and back into an empty
//! database; the per-dataset exports of the pages, each narrowed to what
//! the person may see; and deleting a campus.

use std::process::{Command, Output};

use campus_visits::db::raw::{self, Param};
use campus_visits::export::TABLES;
use diesel::sql_types::BigInt;
use diesel::QueryableByName;

use crate::helpers::TestDb;

fn campus_visits(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run campus-visits")
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every exported table's row count, and the roll-ups rebuilt from them.
fn counts(db: &TestDb) -> Vec<(String, i64)> {
    let mut conn = db.connect();
    TABLES
        .iter()
        .map(|t| t.name)
        .chain(["visit_look_for_rollups"])
        .map(|name| {
            let n: Vec<Count> =
                raw::load(&mut conn, &format!("SELECT COUNT(*) AS n FROM {name}"), &[]).unwrap();
            (name.to_owned(), n[0].n)
        })
        .collect()
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_district_exported_and_imported_into_an_empty_database_is_the_same() {
    let first = TestDb::fresh();
    succeeded(&campus_visits(first.url(), &["demo"]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("district.json");
    let file = file.to_str().unwrap();
    succeeded(&campus_visits(
        first.url(),
        &["export", "district", "--output", file],
    ));
    let before = counts(&first);
    for table in [
        "schools",
        "users",
        "visits",
        "observations",
        "indicator_ticks",
        "debriefs",
        "problems_of_practice",
        "action_items",
        "action_item_updates",
        "action_item_checks",
        "visit_look_for_rollups",
    ] {
        let n = before.iter().find(|(t, _)| t == table).unwrap().1;
        assert!(n > 0, "the demo has {table}");
    }

    let second = TestDb::fresh();
    let imported = succeeded(&campus_visits(second.url(), &["import", "district", file]));
    assert!(imported.contains("schools 44, departments 7"), "{imported}");
    assert_eq!(counts(&second), before);

    // Exported again, the file is the same to the byte.
    let again = dir.path().join("again.json");
    let again = again.to_str().unwrap();
    succeeded(&campus_visits(
        second.url(),
        &["export", "district", "--output", again],
    ));
    assert!(std::fs::read(file).unwrap() == std::fs::read(again).unwrap());

    // New rows take new ids after the imported ones.
    let mut conn = second.connect();
    campus_visits::db::schools::insert(
        &mut conn,
        &campus_visits::domain::school::NewSchool::parse("New Campus", "NEW-1", "high", true)
            .unwrap(),
    )
    .unwrap();

    // Into a database that is not empty: refused, nothing written.
    let refused = campus_visits(second.url(), &["import", "district", file]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already holds schools"));

    // A cut-off file: refused with the reason, nothing written.
    let third = TestDb::fresh();
    let whole = std::fs::read_to_string(file).unwrap();
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let refused = campus_visits(third.url(), &["import", "district", cut.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("EOF"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let mut conn = third.connect();
    let n: Vec<Count> = raw::load(
        &mut conn,
        "SELECT COUNT(*) AS n FROM schools WHERE active = ?",
        &[Param::Bool(true)],
    )
    .unwrap();
    assert_eq!(n[0].n, 0);
}
