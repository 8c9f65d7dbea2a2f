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
