//! Data portability: the whole district out as JSON and back into an empty
//! database; the per-dataset exports of the pages, each narrowed to what
//! the person may see; and deleting a campus.

use std::process::Output;

use campus_visits::db::raw::{self, Param};
use campus_visits::export::TABLES;

use crate::helpers::{campus_visits, TestDb};

/// Every exported table's row count, and the roll-ups rebuilt from them.
fn counts(db: &TestDb) -> Vec<(String, i64)> {
    let mut conn = db.connect();
    TABLES
        .iter()
        .map(|t| t.name)
        .chain(["visit_look_for_rollups"])
        .map(|name| {
            let n: Vec<raw::Number> =
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
        "learning_series",
        "offerings",
        "offering_look_fors",
        "learning_sessions",
        "session_registrations",
        "action_item_learning",
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
    let n: Vec<raw::Number> = raw::load(
        &mut conn,
        "SELECT COUNT(*) AS n FROM schools WHERE active = ?",
        &[Param::Bool(true)],
    )
    .unwrap();
    assert_eq!(n[0].n, 0);

    // A file from before version labels: each framework's number becomes
    // its label.
    let mut older: serde_json::Value = serde_json::from_str(&whole).unwrap();
    for framework in older["tables"]["frameworks"].as_array_mut().unwrap() {
        assert!(framework["label"].is_string(), "labels are exported");
        framework.as_object_mut().unwrap().remove("label");
    }
    let older_file = dir.path().join("older.json");
    std::fs::write(&older_file, older.to_string()).unwrap();
    let fourth = TestDb::fresh();
    succeeded(&campus_visits(
        fourth.url(),
        &["import", "district", older_file.to_str().unwrap()],
    ));
    let mut conn = fourth.connect();
    let frameworks = campus_visits::db::frameworks::list(&mut conn).unwrap();
    assert!(!frameworks.is_empty());
    assert!(
        frameworks.iter().all(|f| f.version == "1"),
        "{frameworks:?}"
    );
}

/// The values of `column` in a CSV download.
fn column(csv: &str, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let index = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("a column {name}"));
    reader
        .records()
        .map(|r| r.unwrap()[index].to_owned())
        .collect()
}

fn ids(values: &[String]) -> std::collections::BTreeSet<i64> {
    values.iter().map(|v| v.parse().unwrap()).collect()
}

#[tokio::test]
async fn each_person_downloads_only_what_they_may_see() {
    let app = crate::helpers::spawn_app().await;
    let d = crate::insights::district(&app);
    let (oak, elm) = (d.s.school, d.elm);
    let lead = crate::items::signed_in(&app, &d.s.lead).await;
    let oak_leader = crate::items::signed_in(&app, &d.s.leader).await;
    let elm_leader = crate::items::signed_in(&app, &d.elm_leader).await;
    let head = crate::items::signed_in(&app, &d.s.head).await;

    // Planners: the whole district, notes included.
    let visits = lead.get_text("/exports/visits.csv").await;
    assert_eq!(column(&visits, "school_id").len(), 4);
    let observations: serde_json::Value =
        serde_json::from_str(&lead.get_text("/exports/observations.json").await).unwrap();
    assert_eq!(observations.as_array().unwrap().len(), 9);
    assert!(observations[0]["notes"]
        .as_str()
        .unwrap()
        .starts_with("Note"));

    // Elm's leader: Elm only, and no snapshot notes (not on the team).
    let schools = elm_leader.get_text("/exports/schools.csv").await;
    assert_eq!(ids(&column(&schools, "id")), [elm].into());
    let visits = elm_leader.get_text("/exports/visits.csv").await;
    assert_eq!(ids(&column(&visits, "school_id")), [elm].into());
    let observations: serde_json::Value =
        serde_json::from_str(&elm_leader.get_text("/exports/observations.json").await).unwrap();
    let observations = observations.as_array().unwrap();
    assert_eq!(observations.len(), 3);
    assert!(observations.iter().all(|o| o["notes"] == ""));
    let ticks = elm_leader.get_text("/exports/ticks.csv").await;
    assert_eq!(column(&ticks, "tick").len(), 9);
    let items = elm_leader.get_text("/exports/items.csv").await;
    assert!(column(&items, "id").is_empty(), "Elm has no items: {items}");

    // Oak's leader: Oak's items and their updates and checks.
    let items = oak_leader.get_text("/exports/items.csv").await;
    assert_eq!(ids(&column(&items, "school_id")), [oak].into());
    assert_eq!(column(&items, "id").len(), 2);
    let checks = oak_leader.get_text("/exports/checks.json").await;
    assert!(checks.contains("Targets posted in two rooms"));
    let updates = oak_leader.get_text("/exports/updates.csv").await;
    assert!(column(&updates, "item_id").len() >= 3);

    // Curriculum's head: Curriculum's item only.
    let items = head.get_text("/exports/items.csv").await;
    assert_eq!(ids(&column(&items, "id")), [d.curriculum_item].into());
    let debriefs = head.get("/exports/debriefs.json").await;
    assert_eq!(debriefs.status(), 200);

    for missing in [
        "/exports/passwords.csv",
        "/exports/items.xml",
        "/exports/items",
    ] {
        assert_eq!(lead.get(missing).await.status(), 404, "{missing}");
    }
    // Every download is in the audit log.
    let logged = campus_visits::db::audit::list(
        &mut app.conn(),
        &campus_visits::db::audit::Filter {
            action: Some("export.downloaded".into()),
            ..Default::default()
        },
        campus_visits::domain::paging::PageRequest::new(None, Some(100)),
    )
    .unwrap();
    assert_eq!(logged.total, 12, "one event per download made");
}

#[tokio::test]
async fn an_administrator_deletes_a_campus_with_every_record_of_it() {
    let app = crate::helpers::spawn_app().await;
    let d = crate::insights::district(&app);
    campus_visits::db::insights::bring_up_to_date(&mut app.conn()).unwrap();
    let oak = d.s.school;

    // A visit lead may not; a wrong code deletes nothing.
    let lead = crate::items::signed_in(&app, &d.s.lead).await;
    let refused = lead
        .post_form(
            &format!("/admin/schools/{oak}/delete"),
            &[("confirm", "OAK")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    app.sign_in_as(&[campus_visits::domain::account::Role::Admin])
        .await;
    let before = counts(&app.db);
    let wrong = app
        .post_form(
            &format!("/admin/schools/{oak}/delete"),
            &[("confirm", "ELM")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("Type the campus's code, OAK, to delete it."));
    assert_eq!(counts(&app.db), before);

    let deleted = app
        .post_form(
            &format!("/admin/schools/{oak}/delete"),
            &[("confirm", "oak")],
        )
        .await;
    assert_eq!(deleted.status(), 303);
    let after = counts(&app.db);
    let of =
        |counts: &[(String, i64)], table: &str| counts.iter().find(|(t, _)| t == table).unwrap().1;
    // Oak had 3 visits, 6 snapshots (18 ticks), 2 items; Elm keeps its own.
    for (table, removed) in [
        ("schools", 1),
        ("visits", 3),
        ("observations", 6),
        ("indicator_ticks", 18),
        ("action_items", 2),
        ("action_item_checks", 1),
        ("visit_look_for_rollups", 6),
    ] {
        assert_eq!(of(&before, table) - of(&after, table), removed, "{table}");
    }
    assert_eq!(of(&after, "visits"), 1);
    crate::insights::assert_tallies_match(&app);
    assert_eq!(of(&after, "action_item_updates"), 0);
    let leader = campus_visits::db::users::find(&mut app.conn(), d.s.leader.id).unwrap();
    assert_eq!(leader.school, None);
    let logged = campus_visits::db::audit::list(
        &mut app.conn(),
        &campus_visits::db::audit::Filter {
            action: Some("school.deleted".into()),
            ..Default::default()
        },
        campus_visits::domain::paging::PageRequest::new(None, Some(10)),
    )
    .unwrap();
    assert_eq!(logged.total, 1);
    assert_eq!(
        logged.items[0].detail.as_deref(),
        Some("Oak Middle (OAK): 3 visits, 6 observations, 2 action items")
    );
    assert_eq!(app.get(&format!("/schools/{oak}")).await.status(), 404);
}
