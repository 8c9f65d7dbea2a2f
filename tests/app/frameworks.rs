//! Look-for frameworks: import, export, versions, freezing.

use std::process::Output;

use campus_visits::db;
use campus_visits::domain::account::Role;
use serde_json::json;

use crate::helpers::{location, spawn_app, TestDb};

fn campus_visits(db: &TestDb, args: &[&str]) -> Output {
    crate::helpers::campus_visits(db.url(), args)
}

fn departments(db: &TestDb) {
    let mut conn = db.connect();
    for name in ["Curriculum", "IT"] {
        let department =
            campus_visits::domain::department::NewDepartment::parse(name, "", true).unwrap();
        db::departments::insert(&mut conn, &department).unwrap();
    }
}

const FRAMEWORK: &str = r#"{"name": "Look-fors", "version": 1, "domains": [
  {"name": "Instruction", "indicators": [
    {"code": "I1", "title": "Objective posted", "department": "curriculum"},
    {"code": "I2", "title": "Checks for understanding", "description": "Every student answers"}]},
  {"name": "Tools", "indicators": [{"code": "T1", "title": "Devices work", "department": "IT"}]}]}"#;

#[test]
fn a_framework_imports_from_json_and_csv_and_exports_as_it_came() {
    let db = TestDb::fresh();
    departments(&db);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("lookfors.json");
    std::fs::write(&json, FRAMEWORK).unwrap();
    let imported = campus_visits(&db, &["import", "framework", json.to_str().unwrap()]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(String::from_utf8_lossy(&imported.stdout).contains("2 domains, 3 look-fors"));

    let mut conn = db.connect();
    let id = db::frameworks::list(&mut conn).unwrap()[0].id;
    let csv = campus_visits(
        &db,
        &["export", "framework", &id.to_string(), "--format", "csv"],
    );
    let csv_text = String::from_utf8(csv.stdout).unwrap();
    assert!(csv_text.starts_with("domain,code,title,description,department\nInstruction,I1,Objective posted,,Curriculum\n"), "{csv_text}");

    // The CSV, imported as version 2, holds the same look-fors.
    let csv_path = dir.path().join("lookfors.csv");
    std::fs::write(&csv_path, &csv_text).unwrap();
    let no_version = campus_visits(&db, &["import", "framework", csv_path.to_str().unwrap()]);
    assert!(!no_version.status.success());
    assert!(String::from_utf8_lossy(&no_version.stderr).contains("--name and --version"));
    let v2 = campus_visits(
        &db,
        &[
            "import",
            "framework",
            csv_path.to_str().unwrap(),
            "--name",
            "Look-fors",
            "--version",
            "2",
        ],
    );
    assert!(
        v2.status.success(),
        "{}",
        String::from_utf8_lossy(&v2.stderr)
    );
    let frameworks = db::frameworks::list(&mut conn).unwrap();
    assert_eq!(
        frameworks.iter().map(|f| f.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    let one = db::frameworks::load(&mut conn, id).unwrap().to_doc();
    let two = db::frameworks::load(&mut conn, frameworks[0].id)
        .unwrap()
        .to_doc();
    assert_eq!(one.domains, two.domains);

    let json_out = campus_visits(&db, &["export", "framework", &id.to_string()]);
    let exported: serde_json::Value = serde_json::from_slice(&json_out.stdout).unwrap();
    let original: serde_json::Value = serde_json::from_str(FRAMEWORK).unwrap();
    assert_eq!(
        exported["domains"][0]["indicators"][1],
        original["domains"][0]["indicators"][1]
    );
    assert_eq!(
        exported["domains"][0]["indicators"][0]["department"],
        "Curriculum"
    );
}

#[test]
fn a_bad_framework_is_refused_whole_with_each_problem_named() {
    let db = TestDb::fresh();
    departments(&db);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "domain,code,title,description,department\nA,X1,Fine,,\nA,X1,Twice,,\nA,X2,,,\nB,X3,Owned,,Finance\n").unwrap();
    let output = campus_visits(
        &db,
        &[
            "import",
            "framework",
            path.to_str().unwrap(),
            "--name",
            "Bad",
            "--version",
            "1",
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 3 (code): the code X1 is used twice (also at line 2 (code))"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 4 (title): the title is empty"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 5 (department): no department is named \"Finance\""),
        "{stderr}"
    );
    let mut conn = db.connect();
    assert!(
        db::frameworks::list(&mut conn).unwrap().is_empty(),
        "nothing was stored"
    );
}

#[test]
fn a_framework_is_editable_until_frozen_then_changes_need_a_new_version() {
    let db = TestDb::fresh();
    departments(&db);
    let mut conn = db.connect();
    let (first, _) = campus_visits::import::framework(
        &mut conn,
        FRAMEWORK,
        &campus_visits::import::FrameworkFormat::Json,
    )
    .unwrap();
    let edited = FRAMEWORK.replace("Objective posted", "Objective posted and used");
    let (again, _) = campus_visits::import::framework(
        &mut conn,
        &edited,
        &campus_visits::import::FrameworkFormat::Json,
    )
    .unwrap();
    assert_eq!(again, db::frameworks::Imported::Replaced(first.id()));
    assert_eq!(
        db::frameworks::load(&mut conn, first.id()).unwrap().domains[0].indicators[0].title,
        "Objective posted and used"
    );

    db::frameworks::freeze(&mut conn, first.id()).unwrap();
    let refused = campus_visits::import::framework(
        &mut conn,
        FRAMEWORK,
        &campus_visits::import::FrameworkFormat::Json,
    )
    .unwrap_err();
    assert!(
        refused.to_string().contains("import it as version 2"),
        "{refused}"
    );
    assert_eq!(
        db::frameworks::load(&mut conn, first.id()).unwrap().domains[0].indicators[0].title,
        "Objective posted and used"
    );

    let copy = db::frameworks::new_version(&mut conn, first.id()).unwrap();
    let copy = db::frameworks::load(&mut conn, copy).unwrap();
    assert_eq!((copy.version, copy.frozen), (2, false));
    assert_eq!(copy.domains.len(), 2);
}

#[tokio::test]
async fn an_admin_imports_through_the_page_and_sees_every_problem() {
    let app = spawn_app().await;
    departments(&app.db);
    app.sign_in_as(&[Role::Admin]).await;
    let bad = app
        .post_form("/admin/frameworks/import", &[("format", "json"), ("content", r#"{"name": "X", "version": 1, "domains": [{"name": "D", "indicators": [{"code": "A", "title": ""}, {"code": "a", "title": "T"}]}]}"#)])
        .await;
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(page.contains("domains[0].indicators[0].title"), "{page}");
    assert!(page.contains("the code a is used twice"));

    let csv_without_name = app
        .post_form(
            "/admin/frameworks/import",
            &[
                ("format", "csv"),
                ("content", "domain,code,title,description,department\n"),
            ],
        )
        .await;
    assert_eq!(csv_without_name.status(), 422);

    let good = app
        .post_form(
            "/admin/frameworks/import",
            &[("format", "json"), ("content", FRAMEWORK)],
        )
        .await;
    assert_eq!(good.status(), 303);
    let shown = app.get_text(&location(&good)).await;
    assert!(
        shown.contains("Look-fors (version 1)")
            && shown.contains("Checks for understanding")
            && shown.contains("Curriculum")
    );
    let framework_page = location(&good);
    let framework_page = framework_page.split('?').next().unwrap();
    let csv = app.get(&format!("{framework_page}/export.csv")).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    assert!(csv
        .text()
        .await
        .unwrap()
        .contains("Tools,T1,Devices work,,IT"));
    let audit = app.get_text("/admin/audit?action=framework").await;
    assert!(audit.contains("framework.imported") && audit.contains("framework.exported"));
}

#[tokio::test]
async fn frameworks_through_the_api() {
    let app = spawn_app().await;
    departments(&app.db);
    app.sign_in_as(&[Role::Admin]).await;
    let doc: serde_json::Value = serde_json::from_str(FRAMEWORK).unwrap();
    let created = app.post_json("/api/v1/frameworks", &doc).await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["frozen"], false);
    assert_eq!(body["domains"][1]["indicators"][0]["department"], "IT");
    let fetched: serde_json::Value = app
        .get(&format!("/api/v1/frameworks/{}", body["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, body);

    let bad = app
        .post_json("/api/v1/frameworks", &json!({"name": "X", "version": 1, "domains": [{"name": "D", "indicators": [{"code": "A1", "title": "T", "department": "Nobody"}]}]}))
        .await;
    assert_eq!(bad.status(), 422);
    let error = crate::helpers::api_error(bad).await;
    assert_eq!(
        error["fields"]["domains[0].indicators[0].department"],
        "no department is named \"Nobody\""
    );
    let list: serde_json::Value = app.get("/api/v1/frameworks").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["total"], 1);
}

#[test]
fn the_demo_ships_a_framework_owned_by_its_departments() {
    let db = TestDb::fresh();
    let mut conn = db.connect();
    campus_visits::demo::load_if_empty(&mut conn)
        .unwrap()
        .unwrap();
    let frameworks = db::frameworks::list(&mut conn).unwrap();
    assert_eq!(frameworks.len(), 1);
    assert_eq!(frameworks[0].indicators, 20);
    let framework = db::frameworks::load(&mut conn, frameworks[0].id).unwrap();
    assert_eq!(framework.domains.len(), 5);
    let owners: std::collections::BTreeSet<String> = framework
        .domains
        .iter()
        .flat_map(|d| &d.indicators)
        .filter_map(|i| i.department.as_ref().map(|d| d.name.clone()))
        .collect();
    assert_eq!(owners.len(), 7);
}
