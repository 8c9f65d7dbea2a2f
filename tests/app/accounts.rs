//! Signing in and out, sessions, CSRF, throttling, API tokens, the audit log.

use std::process::Command;
use std::time::Duration;

use campus_visits::db;
use campus_visits::db::audit::Filter;
use campus_visits::domain::account::Role;
use campus_visits::domain::paging::PageRequest;

use crate::helpers::{browser, csrf_in, location, spawn_app, spawn_app_on, TestDb, TEST_PASSWORD};

pub fn audit_actions(app: &crate::helpers::TestApp) -> Vec<String> {
    let mut conn = app.conn();
    db::audit::list(
        &mut conn,
        &Filter::default(),
        PageRequest::new(None, Some(200)),
    )
    .unwrap()
    .items
    .into_iter()
    .map(|e| e.action)
    .collect()
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_and_brought_back() {
    let app = spawn_app().await;
    let response = app.get("/admin/schools?page=1").await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        location(&response),
        "/sign-in?next=%2Fadmin%2Fschools%3Fpage%3D1"
    );

    let api = app.get("/api/v1/schools").await;
    assert_eq!(api.status(), 401);
    assert_eq!(api.headers()["www-authenticate"], "Bearer");

    let user = app.create_user(&[Role::Admin], None, None);
    let form = app.get_text("/sign-in?next=%2Fadmin%2Fschools").await;
    let csrf = csrf_in(&form).unwrap();
    assert!(form.contains(r#"name="next" value="/admin/schools""#));
    let signed_in = app
        .client
        .post(app.url("/sign-in"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", &user.email.to_uppercase()),
            ("password", TEST_PASSWORD),
            ("next", "/admin/schools"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    assert_eq!(location(&signed_in), "/admin/schools");
    assert_eq!(app.get("/admin/schools").await.status(), 200);

    // Signing out clears what the browser kept for this site (drafts, caches).
    let out = app.post_form("/sign-out", &[]).await;
    assert_eq!(
        out.status(),
        403,
        "the test client's CSRF token is the anonymous one"
    );
    app.refresh_csrf().await;
    let out = app.post_form("/sign-out", &[]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(out.headers()["clear-site-data"], "\"cache\", \"storage\"");
    assert_eq!(app.get("/account").await.status(), 303);

    // A `next` pointing elsewhere is ignored.
    let other = browser();
    let form = other
        .get(app.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_in(&form).unwrap();
    let response = other
        .post(app.url("/sign-in"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", user.email.as_str()),
            ("password", TEST_PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn wrong_passwords_and_unknown_emails_get_the_same_answer() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Visitor], None, None);
    let wrong = app.sign_in(&user.email, "not the password at all").await;
    assert_eq!(wrong.status(), 401);
    let wrong_text = wrong.text().await.unwrap();
    assert!(wrong_text.contains("The email or password is not right."));
    assert!(
        wrong_text.contains(&format!(r#"value="{}""#, user.email)),
        "the email is kept"
    );
    assert!(
        !wrong_text.contains("not the password at all"),
        "the password is never echoed"
    );

    let unknown = app
        .sign_in("nobody@test.example.org", "not the password at all")
        .await;
    assert_eq!(unknown.status(), 401);
    assert!(unknown
        .text()
        .await
        .unwrap()
        .contains("The email or password is not right."));

    let actions = audit_actions(&app);
    assert_eq!(
        actions.iter().filter(|a| *a == "sign_in.failure").count(),
        2
    );
}

#[tokio::test]
async fn session_cookies_are_http_only_same_site_and_renewed_at_sign_in() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Admin], None, None);
    // The anonymous session of the sign-in form, as an attacker could plant it.
    let anonymous = app.get("/sign-in").await;
    let planted = anonymous.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let planted_pair = planted.split(';').next().unwrap().to_owned();
    let csrf = csrf_in(&anonymous.text().await.unwrap()).unwrap();

    let signed_in = app
        .client
        .post(app.url("/sign-in"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", user.email.as_str()),
            ("password", TEST_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("campus-visits="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    assert_ne!(
        cookie.split(';').next().unwrap(),
        planted_pair,
        "a new session at sign-in"
    );

    // The planted cookie does not carry the signed-in session.
    let attacker = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let with_planted = attacker
        .get(app.url("/account"))
        .header("cookie", &planted_pair)
        .send()
        .await
        .unwrap();
    assert_eq!(with_planted.status(), 303);
    // The form's old CSRF token no longer works either.
    let stale = app
        .client
        .post(app.url("/account/tokens"))
        .form(&[("csrf_token", csrf.as_str()), ("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 403);
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_bound() {
    let app = spawn_app_on(TestDb::fresh(), |config| {
        config.base_url = "https://visits.example.org".to_owned()
    })
    .await;
    let response = app.get("/sign-in").await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-campus-visits="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"),
        "{cookie}"
    );
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.contains("max-age=31536000"));
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = spawn_app_on(TestDb::fresh(), |config| {
        config.session_idle = Duration::from_secs(2)
    })
    .await;
    app.sign_in_as(&[Role::Admin]).await;
    assert_eq!(app.get("/account").await.status(), 200);
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    let after = app.get("/account").await;
    assert_eq!(after.status(), 303);
    assert!(location(&after).starts_with("/sign-in"));
}

#[tokio::test]
async fn a_session_ends_at_its_lifetime_however_active() {
    let app = spawn_app_on(TestDb::fresh(), |config| {
        config.session_lifetime = Duration::from_secs(3)
    })
    .await;
    app.sign_in_as(&[Role::Admin]).await;
    for _ in 0..2 {
        assert_eq!(app.get("/account").await.status(), 200);
        tokio::time::sleep(Duration::from_millis(1_000)).await;
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(app.get("/account").await.status(), 303);
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions_at_once() {
    let app = spawn_app().await;
    let admin = app.sign_in_as(&[Role::Admin]).await;
    let _ = admin;
    let other = crate::helpers::TestApp::second_browser(&app);
    let visitor = app.create_user(&[Role::Visitor], None, None);
    assert_eq!(
        other.sign_in(&visitor.email, TEST_PASSWORD).await.status(),
        303
    );
    assert_eq!(other.get("/account").await.status(), 200);

    let off = app
        .post_form(&format!("/admin/users/{}/deactivate", visitor.id), &[])
        .await;
    assert_eq!(off.status(), 303);
    assert_eq!(
        other.get("/account").await.status(),
        303,
        "the session ended"
    );
    // Reactivating does not bring the old session back.
    app.post_form(&format!("/admin/users/{}/activate", visitor.id), &[])
        .await;
    assert_eq!(other.get("/account").await.status(), 303);
    assert_eq!(
        other.sign_in(&visitor.email, TEST_PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn a_password_reset_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    let user = app.sign_in_as(&[Role::Visitor]).await;
    assert_eq!(app.get("/account").await.status(), 200);

    let mut reset = Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args([
            "user",
            "reset-password",
            "--email",
            &user.email,
            "--password-stdin",
        ])
        .env("DATABASE_URL", app.db.url())
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    reset
        .stdin
        .take()
        .unwrap()
        .write_all(b"a brand new passphrase\n")
        .unwrap();
    let output = reset.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("a brand new passphrase"));

    assert_eq!(
        app.get("/account").await.status(),
        303,
        "the old session ended"
    );
    assert_eq!(app.sign_in(&user.email, TEST_PASSWORD).await.status(), 401);
    assert_eq!(
        app.sign_in(&user.email, "a brand new passphrase")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn posts_without_the_session_s_csrf_token_are_refused() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let form = [("name", "Oak"), ("code", "OAK"), ("level", "elementary")];
    let missing = app
        .client
        .post(app.url("/admin/schools"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 403);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("did not come from this site"));
    let mut wrong = form.to_vec();
    wrong.push(("csrf_token", "0000"));
    assert_eq!(
        app.client
            .post(app.url("/admin/schools"))
            .form(&wrong)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // A script sends the token as a header instead.
    let header = app
        .client
        .post(app.url("/admin/schools"))
        .header("x-csrf-token", app.csrf())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(header.status(), 303);
    let json = app
        .client
        .post(app.url("/api/v1/departments"))
        .json(&serde_json::json!({"name": "IT"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json.status(),
        403,
        "the session's cookie alone does not authorise a script"
    );
    // Signing in needs the token of the form's session too (login CSRF).
    let cross_site = browser()
        .post(app.url("/sign-in"))
        .form(&[("email", "a@b.org"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let mut conn = app.conn();
    assert_eq!(db::schools::count_all(&mut conn).unwrap(), 1);
    assert_eq!(db::departments::count_all(&mut conn).unwrap(), 0);
}

#[tokio::test]
async fn a_hundred_bad_sign_ins_are_throttled_and_the_real_user_still_gets_in() {
    let app = spawn_app_on(TestDb::fresh(), |config| {
        config.sign_in_delay_cap = Duration::from_secs(2)
    })
    .await;
    let user = app.create_user(&[Role::Visitor], None, None);
    app.refresh_csrf().await;
    let mut throttled = 0;
    let mut refused = 0;
    for i in 0..100 {
        let response = app
            .post_form(
                "/sign-in",
                &[
                    ("email", &user.email),
                    ("password", &format!("guess number {i}")),
                ],
            )
            .await;
        match response.status().as_u16() {
            429 => {
                throttled += 1;
                let retry: u64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=2).contains(&retry), "{retry}");
                assert!(response
                    .text()
                    .await
                    .unwrap()
                    .contains("Too many failed sign-ins"));
            }
            401 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(
        throttled >= 90,
        "{throttled} of 100 were throttled, {refused} checked"
    );
    // Even the right password waits while the account is throttled...
    assert_eq!(app.sign_in(&user.email, TEST_PASSWORD).await.status(), 429);
    // ...and gets in once the delay has passed.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert_eq!(app.sign_in(&user.email, TEST_PASSWORD).await.status(), 303);
    assert!(audit_actions(&app).contains(&"sign_in.throttled".to_owned()));
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_hashed_carry_the_user_s_rights_and_can_be_revoked() {
    let app = spawn_app().await;
    let admin = app.sign_in_as(&[Role::Admin]).await;
    let created = app
        .post_form("/account/tokens", &[("name", "nightly export")])
        .await;
    assert_eq!(created.status(), 200);
    let page = created.text().await.unwrap();
    let start = page.find("cv_").expect("the token is shown");
    let token: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(token.len(), 67);
    let again = app.get_text("/account").await;
    assert!(
        again.contains("nightly export") && !again.contains(&token),
        "shown once"
    );

    // Only the digest is stored.
    let mut conn = app.conn();
    {
        use campus_visits::db::schema::api_tokens;
        use diesel::prelude::*;
        let stored: Vec<String> = api_tokens::table
            .select(api_tokens::token_hash)
            .load(&mut conn)
            .unwrap();
        assert_eq!(stored, vec![campus_visits::auth::token::digest(&token)]);
    }

    let scripted = browser();
    let ok = scripted
        .get(app.url("/api/v1/schools"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    // A token needs no CSRF token: no cookie is involved.
    let write = scripted
        .post(app.url("/api/v1/departments"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Research"}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), 201);

    let (_, visitor_token) = app.token_for(&[Role::Visitor]);
    let denied = scripted
        .get(app.url("/api/v1/schools"))
        .bearer_auth(&visitor_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        denied.status(),
        403,
        "a token carries exactly its owner's rights"
    );

    let token_id = db::accounts::tokens_of(&mut conn, admin.id).unwrap()[0].id;
    let revoked = app
        .post_form(&format!("/account/tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status(), 303);
    let after = scripted
        .get(app.url("/api/v1/schools"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    let malformed = scripted
        .get(app.url("/api/v1/schools"))
        .bearer_auth("cv_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 401);
}

#[tokio::test]
async fn people_cannot_revoke_each_other_s_tokens() {
    let app = spawn_app().await;
    let (owner, _) = app.token_for(&[Role::Visitor]);
    let mut conn = app.conn();
    let token_id = db::accounts::tokens_of(&mut conn, owner.id).unwrap()[0].id;
    app.sign_in_as(&[Role::Visitor]).await;
    let response = app
        .post_form(&format!("/account/tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(response.status(), 404);
    assert!(db::accounts::tokens_of(&mut conn, owner.id).unwrap()[0]
        .revoked_at
        .is_none());
}

#[tokio::test]
async fn the_token_command_prints_a_token_once_that_works() {
    let app = spawn_app().await;
    let admin = app.create_user(&[Role::Admin], None, None);
    let output = Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args(["token", "create", "--email", &admin.email, "--name", "sync"])
        .env("DATABASE_URL", app.db.url())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let token = stdout.lines().last().unwrap().trim().to_owned();
    let response = browser()
        .get(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_user_command_adds_the_first_administrator() {
    let db = TestDb::fresh();
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_campus-visits"))
            .args(args)
            .env("DATABASE_URL", db.url())
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = run(
        &[
            "user",
            "add",
            "--email",
            "a@d.org",
            "--name",
            "A",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let common = run(
        &[
            "user",
            "add",
            "--email",
            "a@d.org",
            "--name",
            "A",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "unbelievable\n",
    );
    assert!(!common.status.success());
    assert!(String::from_utf8_lossy(&common.stderr).contains("most common"));
    let bad_role = run(
        &[
            "user", "add", "--email", "a@d.org", "--name", "A", "--role", "root",
        ],
        "",
    );
    assert!(!bad_role.status.success());

    let added = run(
        &[
            "user",
            "add",
            "--email",
            "First.Admin@d.org",
            "--name",
            "First Admin",
            "--role",
            "admin",
        ],
        "",
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let stdout = String::from_utf8_lossy(&added.stdout).into_owned();
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .unwrap()
        .to_owned();

    let app = spawn_app_on(db, |_| {}).await;
    assert_eq!(
        app.sign_in("first.admin@d.org", &password).await.status(),
        303
    );
    assert_eq!(app.get("/admin/users").await.status(), 200);

    let mut conn = app.conn();
    let user = db::users::find_by_email(&mut conn, "first.admin@d.org")
        .unwrap()
        .unwrap();
    let deactivated = Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args(["user", "deactivate", "--email", "first.admin@d.org"])
        .env("DATABASE_URL", app.db.url())
        .output()
        .unwrap();
    assert!(deactivated.status.success());
    assert!(!db::users::find(&mut conn, user.id).unwrap().active);
    assert_eq!(app.get("/admin/users").await.status(), 303);
}

#[tokio::test]
async fn the_audit_log_records_sign_ins_refusals_and_role_changes_and_cannot_be_rewritten() {
    let app = spawn_app().await;
    let admin = app.sign_in_as(&[Role::Admin]).await;
    let visitor = app.create_user(&[Role::Visitor], None, None);
    let changed = app
        .post_form(
            &format!("/admin/users/{}", visitor.id),
            &[
                ("name", "Promoted"),
                ("email", &visitor.email),
                ("active", "on"),
                ("role_visitor", "on"),
                ("role_visit_lead", "on"),
            ],
        )
        .await;
    assert_eq!(changed.status(), 303);
    let mut conn = app.conn();
    let roles = db::accounts::roles_of(&mut conn, visitor.id).unwrap();
    assert_eq!(
        roles.into_iter().collect::<Vec<_>>(),
        vec![Role::VisitLead, Role::Visitor]
    );

    let other = crate::helpers::TestApp::second_browser(&app);
    other.sign_in(&visitor.email, TEST_PASSWORD).await;
    assert_eq!(other.get("/admin/audit").await.status(), 403);

    let page = app.get_text("/admin/audit?action=user.roles").await;
    assert!(
        page.contains("user.roles_changed") && page.contains("visitor -&gt; visit_lead,visitor"),
        "{page}"
    );
    assert!(!page.contains("sign_in.success"), "filtered by action");
    let denied = app.get_text("/admin/audit?action=access.denied").await;
    assert!(denied.contains("GET /admin/audit"));
    let mine = app
        .get_text(&format!("/admin/audit?actor={}", admin.id))
        .await;
    assert!(mine.contains("sign_in.success") && mine.contains("user.updated"));
    assert_eq!(app.get("/admin/audit?from=yesterday").await.status(), 400);

    // Append-only: the database refuses to change or remove an event.
    use diesel::connection::SimpleConnection;
    assert!(conn
        .batch_execute("UPDATE audit_events SET action = 'nothing'")
        .is_err());
    assert!(conn.batch_execute("DELETE FROM audit_events").is_err());
    let actions = audit_actions(&app);
    for expected in [
        "sign_in.success",
        "user.roles_changed",
        "access.denied",
        "user.updated",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}
