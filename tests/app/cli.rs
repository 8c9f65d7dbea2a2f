//! The `campus-visits` command as an operator uses it.

use std::process::Command;

use campus_visits::db;

use crate::helpers::{campus_visits, spawn_app_on, TestDb};

#[tokio::test]
async fn demo_loads_a_district_once_and_the_start_page_shows_it() {
    let db = TestDb::fresh();
    let output = campus_visits(db.url(), &["demo"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("44 schools"));

    let again = campus_visits(db.url(), &["demo"]);
    assert!(
        !again.status.success(),
        "the demo loads only into an empty database"
    );

    let mut conn = db.connect();
    assert_eq!(db::schools::count_all(&mut conn).unwrap(), 44);
    let levels = db::schools::list(
        &mut conn,
        &Default::default(),
        campus_visits::domain::paging::PageRequest::new(None, Some(200)),
    )
    .unwrap()
    .items
    .iter()
    .map(|s| s.level.as_str())
    .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        levels.into_iter().collect::<Vec<_>>(),
        vec!["elementary", "high", "middle"]
    );
    for name in [
        "Curriculum",
        "Special Education",
        "Multilingual",
        "Research",
        "Leader Development",
        "Instructional Technology",
        "IT",
    ] {
        assert!(
            db::departments::find_by_name(&mut conn, name)
                .unwrap()
                .is_some(),
            "{name}"
        );
    }
    // Past visits with items in every status a person meets.
    let admin = campus_visits::db::visits::Viewer {
        user_id: 0,
        roles: [campus_visits::domain::account::Role::Admin]
            .into_iter()
            .collect(),
        school_id: None,
        department_id: None,
    };
    let items = db::action_items::list(&mut conn, &admin, &Default::default()).unwrap();
    let statuses: std::collections::BTreeSet<&str> =
        items.iter().map(|i| i.status.as_str()).collect();
    for status in [
        "proposed",
        "open",
        "in_progress",
        "done",
        "verified",
        "blocked",
        "dropped",
        "resolved",
    ] {
        assert!(statuses.contains(status), "{status} in {statuses:?}");
    }
    drop(conn);

    let app = spawn_app_on(db, |_| {}).await;
    // The demo's department head and school leader each see their own.
    for (email, page) in [
        ("marcus.bell@district.example.org", "/items"),
        ("hannah.brooks@district.example.org", "/items"),
    ] {
        let browser = crate::helpers::TestApp::second_browser(&app);
        assert_eq!(
            browser
                .sign_in(email, campus_visits::demo::DEMO_PASSWORD)
                .await
                .status(),
            303
        );
        let text = browser.get_text(page).await;
        assert!(text.contains("/items/"), "{email} owns items: {text}");
    }
    let signed_in = app
        .sign_in(
            "admin@district.example.org",
            campus_visits::demo::DEMO_PASSWORD,
        )
        .await;
    assert_eq!(
        signed_in.status(),
        303,
        "the demo administrator signs in with the documented password"
    );
    let home = app.get_text("/").await;
    assert!(home.contains("44 active campuses"), "{home}");
}

#[tokio::test]
async fn serve_with_demo_fills_an_empty_database() {
    let app = spawn_app_on(TestDb::fresh(), |config| config.demo = true).await;
    app.sign_in_as(&[campus_visits::domain::account::Role::Admin])
        .await;
    let schools: serde_json::Value = app.get("/api/v1/schools").await.json().await.unwrap();
    assert_eq!(schools["total"], 44);
}

#[test]
fn migrate_is_idempotent() {
    let db = TestDb::fresh();
    let first = campus_visits(db.url(), &["migrate"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let versions = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert!(
        String::from_utf8_lossy(&first.stdout).contains(&format!("applied {versions} migration")),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let second = campus_visits(db.url(), &["migrate"]);
    assert!(String::from_utf8_lossy(&second.stdout).contains("applied 0 migration"));
}

#[test]
fn a_postgres_server_that_is_down_is_named_as_such() {
    // Nothing listens on port 1 of loopback.
    let output = campus_visits(
        "postgres://postgres:secret@127.0.0.1:1/campus",
        &["migrate"],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("could not connect to PostgreSQL at postgres://postgres@127.0.0.1:1/campus"),
        "{stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("connection refused"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "the password is never shown");
    assert!(!stderr.to_lowercase().contains("invalid"), "{stderr}");
}

#[test]
fn production_refuses_to_start_without_a_session_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("x.db");
    let output = Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args(["serve", "--env", "production", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", url.to_str().unwrap())
        .env_remove("SESSION_KEY")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("SESSION_KEY is required"));
}

#[test]
fn production_refuses_to_start_without_an_smtp_server() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("x.db");
    let output = Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args(["serve", "--env", "production", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", url.to_str().unwrap())
        .env("SESSION_KEY", "k".repeat(64))
        .env_remove("SMTP_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SMTP_URL is required"), "{stderr}");
}

#[test]
fn help_explains_every_flag_and_its_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "BIND",
        "DATABASE_URL",
        "BASE_URL",
        "SESSION_KEY",
        "LOG_FORMAT",
        "APP_ENV",
        "DB_POOL_SIZE",
        "DB_TIMEOUT",
        "WORKERS",
        "DEMO",
        "SMTP_URL",
        "MAIL_FROM",
        "MAIL_DIR",
        "MAIL_WORKER",
    ] {
        assert!(
            help.contains(&format!("[env: {variable}")),
            "{variable} in:\n{help}"
        );
    }
}
