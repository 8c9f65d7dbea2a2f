//! Input an attacker or an unlucky client sends: control characters,
//! bodies over the limit. Each is refused with a clear 4xx naming what is
//! wrong, the same on both engines, and nothing of it is stored.

use campus_visits::db;
use campus_visits::domain::account::Role;
use serde_json::json;

use crate::helpers::{api_error, browser, spawn_app};
use crate::items::{signed_in, story, visit};

#[tokio::test]
async fn control_characters_are_refused_with_the_field_named_even_before_sign_in() {
    let app = spawn_app().await;
    app.refresh_csrf().await;
    for (path, form) in [
        ("/sign-in", vec![("email", "a\0@x.org"), ("password", "x")]),
        ("/password/forgot", vec![("email", "a\0@x.org")]),
    ] {
        let refused = app.post_form(path, &form).await;
        assert_eq!(refused.status(), 422, "POST {path}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("email") && page.contains("U+0000"), "{page}");
    }
    // A name that is not text is refused too.
    let odd_name = app
        .post_form("/sign-in", &[("e\u{1b}mail", "a@x.org")])
        .await;
    assert_eq!(odd_name.status(), 422);

    app.sign_in_as(&[Role::Admin]).await;
    let search = app.get("/admin/users?q=%00").await;
    assert_eq!(search.status(), 400);
    assert!(search.text().await.unwrap().contains("\u{201c}q\u{201d}"));
    let path = app.get("/unsubscribe/1/digest%00/ab").await;
    assert_eq!(path.status(), 400);

    let (_, token) = app.token_for(&[Role::Admin]);
    let client = browser();
    let listed = client
        .get(app.url("/api/v1/schools?q=%00"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 400);
    let error = api_error(listed).await;
    assert_eq!(error["code"], "bad_request");
    assert!(error["fields"]["q"].as_str().unwrap().contains("U+0000"));
}

#[tokio::test]
async fn text_with_control_characters_is_not_stored_by_page_or_api_but_tabs_and_line_breaks_are() {
    let app = spawn_app().await;
    let s = story(&app);
    let id = visit(&app, &s, "2027-03-02");
    let lead = signed_in(&app, &s.lead).await;
    let debrief = format!("/visits/{id}/debrief");

    let refused = lead
        .post_form(&debrief, &[("strengths", "Calm\0classrooms")])
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("strengths"));
    assert_eq!(
        db::debriefs::find(&mut app.conn(), id).unwrap().strengths,
        ""
    );

    let typed = "Calm classrooms\r\nClear\ttargets";
    let saved = lead.post_form(&debrief, &[("strengths", typed)]).await;
    assert_eq!(saved.status(), 303);
    let stored = db::debriefs::find(&mut app.conn(), id).unwrap().strengths;
    assert!(stored.contains("Clear\ttargets"), "{stored:?}");

    // The API: a snapshot's notes, a visit's focus.
    let (visitor, token) = app.token_for(&[Role::Visitor]);
    let members = json!([s.visitor.id, visitor.id]);
    let (_, lead_token) = app.token_for(&[Role::Admin]);
    let client = browser();
    let team = client
        .patch(app.url(&format!("/api/v1/visits/{id}")))
        .bearer_auth(&lead_token)
        .json(&json!({ "members": members }))
        .send()
        .await
        .unwrap();
    assert_eq!(team.status(), 200, "{}", team.text().await.unwrap());
    let snapshot = client
        .post(app.url(&format!("/api/v1/visits/{id}/observations")))
        .bearer_auth(&token)
        .header("Idempotency-Key", "hostile-notes-0001")
        .json(&json!({"setting": "classroom", "room": "B2", "ticks": {}, "notes": "a\u{0}b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(snapshot.status(), 422);
    let error = api_error(snapshot).await;
    assert!(error["fields"]["notes"]
        .as_str()
        .unwrap()
        .contains("U+0000"));
    assert_eq!(
        db::observations::for_visit(&mut app.conn(), id)
            .unwrap()
            .len(),
        0,
        "nothing stored"
    );
    let focus = client
        .patch(app.url(&format!("/api/v1/visits/{id}")))
        .bearer_auth(&lead_token)
        .json(&json!({ "focus": "Reading\rATTENDEE:mailto:x@evil.example\u{1b}" }))
        .send()
        .await
        .unwrap();
    assert_eq!(focus.status(), 422);
    assert!(api_error(focus).await["fields"]["focus"].is_string());
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_in_the_envelope_on_the_api_and_a_page_on_forms() {
    let app = spawn_app().await;
    let (_, token) = app.token_for(&[Role::Admin]);
    let big = "x".repeat(300 * 1024);
    let api = browser()
        .post(app.url("/api/v1/schools"))
        .bearer_auth(&token)
        .json(&json!({ "name": big, "code": "BIG", "level": "middle" }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 413);
    let error = api_error(api).await;
    assert_eq!(error["code"], "payload_too_large");
    assert!(error["message"].as_str().unwrap().contains("256 KiB"));

    app.sign_in_as(&[Role::Admin]).await;
    let page = app
        .post_form("/admin/schools", &[("name", &big), ("code", "BIG")])
        .await;
    assert_eq!(page.status(), 413);
    assert!(page
        .headers()
        .get("content-type")
        .is_some_and(|t| t.to_str().unwrap().starts_with("text/html")));
    assert!(page.text().await.unwrap().contains("256 KiB"));
}

/// A client with its own cookie jar, which the test can read and copy.
fn jar_client(jar: std::sync::Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_cookie_kept_from_before_sign_out_signs_nobody_in_and_mints_nothing() {
    use reqwest::cookie::CookieStore;
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Visitor], None, None);
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = jar_client(jar.clone());
    let (signed_in, csrf) =
        crate::helpers::sign_in_with(&app, &client, &user.email, crate::helpers::TEST_PASSWORD)
            .await;
    assert_eq!(signed_in.status(), 303);
    let csrf = csrf.unwrap();
    let url: reqwest::Url = app.url("/").parse().unwrap();
    let kept = jar.cookies(&url).expect("a session cookie");

    let out = client
        .post(app.url("/sign-out"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);

    // Another client replays the cookie captured before sign-out.
    let replay = std::sync::Arc::new(reqwest::cookie::Jar::default());
    replay.set_cookies(&mut [kept].iter(), &url);
    let thief = jar_client(replay);
    let account = thief.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), 303, "sent to sign in");
    let session = thief.get(app.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(session.status(), 401);
    let minted = thief
        .post(app.url("/account/tokens"))
        .form(&[("csrf_token", csrf.as_str()), ("name", "stolen")])
        .send()
        .await
        .unwrap();
    assert_ne!(minted.status(), 200);
    assert!(db::accounts::tokens_of(&mut app.conn(), user.id)
        .unwrap()
        .is_empty());

    // Signing in again works, with a new session.
    let (again, _) =
        crate::helpers::sign_in_with(&app, &client, &user.email, crate::helpers::TEST_PASSWORD)
            .await;
    assert_eq!(again.status(), 303);
    assert_eq!(
        client
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_person() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Visitor], None, None);
    let (tablet, laptop) = (browser(), browser());
    let mut csrf = None;
    for client in [&tablet, &laptop] {
        let (signed_in, token) =
            crate::helpers::sign_in_with(&app, client, &user.email, crate::helpers::TEST_PASSWORD)
                .await;
        assert_eq!(signed_in.status(), 303);
        csrf = token;
    }
    let page = laptop.get(app.url("/account")).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Sign out everywhere"));
    let ended = laptop
        .post(app.url("/account/sign-out-everywhere"))
        .form(&[("csrf_token", csrf.unwrap().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 303);
    for client in [&tablet, &laptop] {
        assert_eq!(
            client
                .get(app.url("/account"))
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
    }
}

#[tokio::test]
async fn reactivating_a_person_brings_back_neither_their_tokens_nor_their_calendar_link() {
    let app = spawn_app().await;
    let (person, token) = app.token_for(&[Role::Visitor]);
    let mut conn = app.conn();
    let digest = campus_visits::auth::token::digest("cv_calendar-secret");
    db::calendar::set(&mut conn, person.id, &digest).unwrap();
    let client = browser();
    let works = client
        .get(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(works.status(), 200);

    app.sign_in_as(&[Role::Admin]).await;
    for path in ["deactivate", "activate"] {
        let done = app
            .post_form(&format!("/admin/users/{}/{path}", person.id), &[])
            .await;
        assert_eq!(done.status(), 303, "{path}");
    }
    let after = client
        .get(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401, "the old token stays revoked");
    assert!(db::calendar::owner(&mut app.conn(), &digest)
        .unwrap()
        .is_none());
    assert!(!db::calendar::exists(&mut app.conn(), person.id).unwrap());
}

#[tokio::test]
async fn an_administrator_cannot_deactivate_themselves_or_the_last_administrator() {
    let app = spawn_app().await;
    let (admin, token) = app.token_for(&[Role::Admin]);
    let client = browser();
    let put = |id: i64, body: serde_json::Value| {
        client
            .put(app.url(&format!("/api/v1/users/{id}")))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let me = db::users::find(&mut app.conn(), admin.id).unwrap();
    let body = |active: bool| {
        json!({"name": me.name, "email": me.email, "active": active,
               "school_id": null, "department_id": null})
    };
    let own = put(admin.id, body(false)).await.unwrap();
    assert_eq!(own.status(), 409);
    let error = api_error(own).await;
    assert!(error["fields"]["active"]
        .as_str()
        .unwrap()
        .contains("your own account"));
    assert!(
        db::accounts::find(&mut app.conn(), admin.id)
            .unwrap()
            .active
    );

    // A second administrator, signed in on a page, and the first: the
    // second may deactivate the first only while someone else remains.
    let other = app.sign_in_as(&[Role::Admin]).await;
    let deactivated = app
        .post_form(&format!("/admin/users/{}/deactivate", admin.id), &[])
        .await;
    assert_eq!(deactivated.status(), 303);
    let own_page = app
        .post_form(&format!("/admin/users/{}/deactivate", other.id), &[])
        .await;
    assert_eq!(own_page.status(), 409);
    // Now the only administrator: dropping their own role is refused too.
    let sole = db::users::find(&mut app.conn(), other.id).unwrap();
    let dropped = app
        .post_form(
            &format!("/admin/users/{}", other.id),
            &[
                ("name", sole.name.as_str()),
                ("email", sole.email.as_str()),
                ("active", "on"),
                ("role_visit_lead", "on"),
            ],
        )
        .await;
    // The form comes back with what was typed and the reason beside it.
    assert_eq!(dropped.status(), 422);
    assert!(dropped
        .text()
        .await
        .unwrap()
        .contains("last active administrator"));
    let roles = db::accounts::find(&mut app.conn(), other.id).unwrap().roles;
    assert!(roles.contains(&Role::Admin));
    assert!(
        db::accounts::find(&mut app.conn(), other.id)
            .unwrap()
            .active
    );
}

#[tokio::test]
async fn downloads_neutralise_spreadsheet_formulas_and_json_stays_exact() {
    use campus_visits::domain::action_item::{Kind, Priority};
    let app = spawn_app().await;
    let s = story(&app);
    let formula = r#"=HYPERLINK("http://evil.example/","x")"#;
    let evil = db::schools::insert(
        &mut app.conn(),
        &campus_visits::domain::school::NewSchool::parse(formula, "EVIL", "middle", true).unwrap(),
    )
    .unwrap();
    let step = db::action_items::Draft {
        kind: Kind::School,
        department_id: None,
        title: "@SUM(A1:A9)".to_owned(),
        evidence: "-2+3 classrooms".to_owned(),
        owner_id: None,
        due_on: None,
        priority: Priority::Normal,
    };
    crate::items::published(&app, &s, s.school, &[s.visitor.id], &[step]);
    app.sign_in_as(&[Role::Admin]).await;

    let schools = app.get_text("/exports/schools.csv").await;
    assert!(
        schools.contains(r#""'=HYPERLINK(""http://evil.example/"",""x"")""#),
        "{schools}"
    );
    assert!(!schools.contains(",=HYPERLINK") && !schools.contains("\"=HYPERLINK"));
    let json: serde_json::Value =
        serde_json::from_str(&app.get_text("/exports/schools.json").await).unwrap();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"] == evil)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [formula], "JSON is exact");

    let items = app
        .get_text(&format!("/schools/{}/items?format=csv", s.school))
        .await;
    assert!(items.contains("'@SUM(A1:A9)"), "{items}");
    assert!(items.contains("'-2+3 classrooms"), "{items}");
    let exported = app.get_text("/exports/items.csv").await;
    assert!(exported.contains("'@SUM(A1:A9)"), "{exported}");
}

#[tokio::test]
async fn dates_outside_1990_to_2100_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let s = story(&app);
    let (_, token) = app.token_for(&[Role::Admin]);
    let client = browser();
    let planned = client
        .post(app.url("/api/v1/visits"))
        .bearer_auth(&token)
        .json(&json!({"school_id": s.school, "date": "0000-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(planned.status(), 422);
    let error = api_error(planned).await;
    assert_eq!(
        error["fields"]["date"],
        "Enter a date between 1990 and 2100."
    );

    let items = crate::items::published(&app, &s, s.school, &[s.visitor.id], &[]);
    let item = items
        .iter()
        .find(|i| i.kind == campus_visits::domain::action_item::Kind::School)
        .expect("a school step");
    // The campus's leader may change its school steps.
    let leader_token = campus_visits::auth::token::generate();
    let digest = campus_visits::auth::token::digest(&leader_token);
    db::accounts::insert_token(&mut app.conn(), s.leader.id, "test", &digest).unwrap();
    for due in ["0000-01-01", "2101-01-01", "1989-12-31"] {
        let changed = client
            .patch(app.url(&format!("/api/v1/items/{}", item.id)))
            .bearer_auth(&leader_token)
            .json(&json!({"version": item.version, "due_on": due}))
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 422, "{due}");
        assert!(api_error(changed).await["fields"]["due_on"].is_string());
    }
    let listed = client
        .get(app.url("/api/v1/visits?from=0000-01-01"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 400);

    app.sign_in_as(&[Role::Admin]).await;
    let page = app
        .post_form(
            "/visits",
            &[("school_id", &s.school.to_string()), ("date", "0000-01-01")],
        )
        .await;
    assert_eq!(page.status(), 422);
    assert!(page.text().await.unwrap().contains("between 1990 and 2100"));
    assert_eq!(app.get("/overview?from=0000-01-01").await.status(), 400);
    let leader = signed_in(&app, &s.leader).await;
    let due = leader
        .post_form(
            &format!("/items/{}", item.id),
            &[
                ("version", &item.version.to_string()),
                ("status", "open"),
                ("priority", "normal"),
                ("due_on", "0000-01-01"),
            ],
        )
        .await;
    assert_eq!(due.status(), 422);
    let stored = crate::items::everything(&app, item.visit_id);
    let stored = stored.iter().find(|i| i.id == item.id).unwrap();
    assert_eq!(stored.due_on, item.due_on, "nothing changed");
}

#[tokio::test]
async fn methods_an_address_does_not_serve_get_405_with_allow_and_a_missing_token_401() {
    let app = spawn_app().await;
    let client = browser();
    let trace = client
        .request(reqwest::Method::TRACE, app.url("/sign-in"))
        .send()
        .await
        .unwrap();
    assert_eq!(trace.status(), 405);
    assert_eq!(trace.headers()["allow"], "GET, POST");

    let s = story(&app);
    let delete = client
        .delete(app.url(&format!("/api/v1/schools/{}", s.school)))
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 405);
    assert_eq!(delete.headers()["allow"], "GET, PUT");
    assert_eq!(api_error(delete).await["code"], "method_not_allowed");
    let nowhere = client.get(app.url("/api/v1/nowhere")).send().await.unwrap();
    assert_eq!(nowhere.status(), 404);

    // A write with no credential at all is 401, not a CSRF refusal.
    let anonymous = client
        .post(app.url("/api/v1/schools"))
        .json(&json!({"name": "Elm", "code": "ELM", "level": "middle"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");

    let (_, token) = app.token_for(&[Role::Admin]);
    for query in [
        "per_page=2147483648",
        "per_page=0",
        "per_page=201",
        "page=0",
    ] {
        for list in ["/api/v1/schools", "/api/v1/items", "/api/v1/visits"] {
            let listed = client
                .get(app.url(&format!("{list}?{query}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert!(
                matches!(listed.status().as_u16(), 400 | 422),
                "{list}?{query}: {}",
                listed.status()
            );
        }
    }
    let fine = client
        .get(app.url("/api/v1/schools?per_page=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(fine.status(), 200);
}

#[tokio::test]
async fn a_sent_message_shows_no_earlier_error_and_every_page_has_an_icon() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let message = campus_visits::db::outbox::NewMessage {
        kind: "test".to_owned(),
        recipient: "ana@district.example.org".to_owned(),
        recipient_id: None,
        subject: "Hello".to_owned(),
        text_body: "Hi".to_owned(),
        html_body: "<p>Hi</p>".to_owned(),
        dedupe_key: None,
        list_unsubscribe: None,
    };
    db::outbox::enqueue(&mut conn, &message).unwrap();
    let claimed = db::outbox::claim(&mut conn, 1, chrono::Duration::seconds(60)).unwrap();
    let id = claimed[0].id;
    let later = db::now() + chrono::Duration::seconds(1);
    db::outbox::mark_retry(&mut conn, id, later, "421 try again later").unwrap();
    app.sign_in_as(&[Role::Admin]).await;
    assert!(app
        .get_text("/admin/mail")
        .await
        .contains("421 try again later"));
    db::outbox::mark_sent(&mut conn, id).unwrap();
    let page = app.get_text("/admin/mail?status=sent").await;
    assert!(page.contains("Sent "), "{page}");
    assert!(!page.contains("421 try again later"), "{page}");

    assert!(page.contains(r#"rel="icon""#));
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
}
