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
    assert!(csv_text.starts_with("domain,code,title,description,department,entry_point\nInstruction,I1,Objective posted,,Curriculum,\n"), "{csv_text}");

    // The CSV, imported as version 2026-27, holds the same look-fors.
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
            "2026-27",
        ],
    );
    assert!(
        v2.status.success(),
        "{}",
        String::from_utf8_lossy(&v2.stderr)
    );
    let frameworks = db::frameworks::list(&mut conn).unwrap();
    assert_eq!(
        frameworks
            .iter()
            .map(|f| f.version.as_str())
            .collect::<Vec<_>>(),
        vec!["2026-27", "1"],
        "the newest version first"
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
        refused
            .to_string()
            .contains("import it as a new version, such as 2."),
        "{refused}"
    );
    assert_eq!(
        db::frameworks::load(&mut conn, first.id()).unwrap().domains[0].indicators[0].title,
        "Objective posted and used"
    );

    let copy = db::frameworks::new_version(&mut conn, first.id()).unwrap();
    let copy = db::frameworks::load(&mut conn, copy).unwrap();
    assert_eq!((copy.version.as_str(), copy.frozen), ("2", false));
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
    assert_eq!(bad.status(), 409, "a department the district does not have");
    let error = crate::helpers::api_error(bad).await;
    assert_eq!(
        error["fields"]["domains[0].indicators[0].department"],
        "no department is named \"Nobody\""
    );
    let list: serde_json::Value = app.get("/api/v1/frameworks").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn a_version_is_the_label_the_district_gives_it() {
    let app = spawn_app().await;
    departments(&app.db);
    app.sign_in_as(&[Role::Admin]).await;
    let labelled = FRAMEWORK.replace(r#""version": 1"#, r#""version": "2026.1""#);
    let doc: serde_json::Value = serde_json::from_str(&labelled).unwrap();
    let created = app.post_json("/api/v1/frameworks", &doc).await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["version"], "2026.1");
    let id = body["id"].as_i64().unwrap();

    // The same label again replaces it while it is editable.
    let again = app.post_json("/api/v1/frameworks", &doc).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["id"], id);

    // A label that is not one is refused, naming the field.
    for bad in [
        json!(""),
        json!("2026."),
        json!(" 2026"),
        json!("a<b"),
        json!("9".repeat(41)),
    ] {
        let mut doc = doc.clone();
        doc["version"] = bad.clone();
        let refused = app.post_json("/api/v1/frameworks", &doc).await;
        assert_eq!(refused.status(), 422, "{bad}");
        let error = crate::helpers::api_error(refused).await;
        assert!(error["fields"]["version"].is_string(), "{bad}: {error}");
    }

    // Frozen, its copy counts the label up; the list shows the newest first.
    let mut conn = app.db.connect();
    db::frameworks::freeze(&mut conn, id).unwrap();
    let frozen = app.post_json("/api/v1/frameworks", &doc).await;
    assert_eq!(frozen.status(), 422);
    let error = crate::helpers::api_error(frozen).await;
    assert!(
        error["fields"]["version"]
            .as_str()
            .unwrap()
            .contains("such as 2026.2"),
        "{error}"
    );
    let copied = app
        .post_form(&format!("/admin/frameworks/{id}/new-version"), &[])
        .await;
    assert_eq!(copied.status(), 303);
    let shown = app.get_text(&location(&copied)).await;
    assert!(shown.contains("Look-fors (version 2026.2)"), "{shown}");

    // A CSV through the page takes its label from the form.
    let csv =
        "domain,code,title,description,department\nInstruction,I1,Objective posted,,Curriculum\n";
    let by_page = app
        .post_form(
            "/admin/frameworks/import",
            &[
                ("format", "csv"),
                ("name", "Look-fors"),
                ("version", "2026-27"),
                ("content", csv),
            ],
        )
        .await;
    assert_eq!(by_page.status(), 303);
    let bad_label = app
        .post_form(
            "/admin/frameworks/import",
            &[
                ("format", "csv"),
                ("name", "Look-fors"),
                ("version", "2026/"),
                ("content", csv),
            ],
        )
        .await;
    assert_eq!(bad_label.status(), 422);
    assert!(bad_label
        .text()
        .await
        .unwrap()
        .contains("such as 2026.1 or 2026-27"));

    let list: serde_json::Value = app.get("/api/v1/frameworks").await.json().await.unwrap();
    let labels: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["version"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2026-27", "2026.2", "2026.1"]);
    let export = app
        .get(&format!("/admin/frameworks/{id}/export.json"))
        .await;
    assert!(export.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("framework-{id}-v2026.1.json")));
    assert_eq!(
        export.json::<serde_json::Value>().await.unwrap()["version"],
        "2026.1"
    );
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
