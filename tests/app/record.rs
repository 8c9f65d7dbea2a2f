//! A visit's record keeps its integrity whichever way a change arrives:
//! the page and the API go through the same action and meet the same
//! rules, on both engines.

use std::collections::BTreeSet;

use campus_visits::db;
use campus_visits::domain::account::Role;
use campus_visits::domain::action_item::{Priority, Status};
use campus_visits::domain::visit::VisitStatus;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{api_error, spawn_app, BrowserOn, TestApp};
use crate::items::{everything, observe, signed_in, story, visit, Story};

const OTHER_FRAMEWORK: &str = r#"{"name": "Other look-fors", "version": 1, "domains": [
  {"name": "Climate", "indicators": [{"code": "C1", "title": "Routines in place"}]}]}"#;

fn other_framework(app: &TestApp) -> i64 {
    let mut conn = app.conn();
    let lookup = db::frameworks::department_ids(&mut conn).unwrap();
    let framework = campus_visits::domain::framework::from_json(OTHER_FRAMEWORK, &|name| {
        lookup.get(&name.to_lowercase()).copied()
    })
    .unwrap();
    db::frameworks::import(&mut conn, &framework).unwrap().id()
}

/// A visit observed and debriefed through the page, its items generated
/// and published by the lead. Returns the visit and the lead's browser.
async fn published<'a>(app: &'a TestApp, s: &Story, date: &str) -> (i64, BrowserOn<'a>) {
    let id = visit(app, s, date);
    observe(app, s, id);
    let lead = signed_in(app, &s.lead).await;
    let saved = lead
        .post_form(
            &format!("/visits/{id}/debrief"),
            &[
                ("strengths", "Calm, purposeful classrooms"),
                ("alignment_notes", "Matches the campus plan"),
                ("attendees", "Principal, two assistant principals"),
                ("problem_0", "Laptop carts are not charged"),
                (&format!("problem_0_dept_{}", s.technology), "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    for to in [VisitStatus::InProgress, VisitStatus::Debriefed] {
        db::visits::advance(&mut app.conn(), id, to).unwrap();
    }
    let generated = lead
        .post_form(&format!("/visits/{id}/items/generate"), &[])
        .await;
    assert_eq!(generated.status(), 303);
    let publish = lead.post_form(&format!("/visits/{id}/publish"), &[]).await;
    assert_eq!(publish.status(), 303);
    (id, lead)
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

#[tokio::test]
async fn a_published_debrief_is_read_only_by_page_and_by_api() {
    let app = spawn_app().await;
    let s = story(&app);
    let (id, lead) = published(&app, &s, "2027-01-06").await;

    let page = lead.get_text(&format!("/visits/{id}/debrief")).await;
    assert!(page.contains("Laptop carts are not charged"), "{page}");
    assert!(
        !page.contains("name=\"strengths\""),
        "no form after publish: {page}"
    );

    // The page's post of one field, as in the report of the bug.
    let rewrite = lead
        .post_form(
            &format!("/visits/{id}/debrief"),
            &[("strengths", "Rewritten")],
        )
        .await;
    assert_eq!(rewrite.status(), 409);
    let refused = rewrite.text().await.unwrap();
    assert!(refused.contains("published"), "says why: {refused}");

    let through_api = lead
        .send_json(
            Method::PUT,
            &format!("/api/v1/visits/{id}/debrief"),
            &json!({"strengths": "Rewritten", "alignment_notes": "", "attendees": "", "problems": []}),
        )
        .await;
    assert_eq!(through_api.status(), 409);
    let error = api_error(through_api).await;
    assert_eq!(error["code"], "conflict", "{error}");

    let debrief = json_of(lead.get(&format!("/api/v1/visits/{id}/debrief")).await).await;
    assert_eq!(debrief["editable"], false);
    assert_eq!(debrief["strengths"], "Calm, purposeful classrooms");
    assert_eq!(debrief["attendees"], "Principal, two assistant principals");
    assert_eq!(
        debrief["problems"][0]["description"],
        "Laptop carts are not charged"
    );
    let report = lead.get_text(&format!("/visits/{id}/report")).await;
    assert!(report.contains("Laptop carts are not charged"), "{report}");
    assert!(!report.contains("Rewritten"));
}

#[tokio::test]
async fn a_debrief_saved_before_publish_is_confirmed_and_kept() {
    let app = spawn_app().await;
    let s = story(&app);
    let id = visit(&app, &s, "2027-01-06");
    let lead = signed_in(&app, &s.lead).await;
    let saved = lead
        .send_json(
            Method::PUT,
            &format!("/api/v1/visits/{id}/debrief"),
            &json!({"strengths": "Warm welcome", "alignment_notes": "", "attendees": "Principal",
                    "problems": [{"description": "Exit tickets unused", "department_ids": [s.curriculum]}]}),
        )
        .await;
    assert_eq!(saved.status(), 200);
    let saved = json_of(saved).await;
    assert_eq!(saved["editable"], true);
    assert_eq!(saved["problems"][0]["departments"][0]["id"], s.curriculum);

    let posted = lead
        .post_form(
            &format!("/visits/{id}/debrief"),
            &[
                ("strengths", "Warm welcome"),
                ("problem_0", "Exit tickets unused"),
            ],
        )
        .await;
    assert_eq!(posted.status(), 303);
    let location = crate::helpers::location(&posted);
    assert!(location.ends_with("?done=updated"), "{location}");
    let confirmed = lead.get_text(&location).await;
    assert!(
        confirmed.contains("role=\"status\"") && confirmed.contains("saved"),
        "a confirmation: {confirmed}"
    );
}

#[tokio::test]
async fn a_visit_s_framework_is_fixed_once_it_has_snapshots() {
    let app = spawn_app().await;
    let s = story(&app);
    let other = other_framework(&app);
    let lead = signed_in(&app, &s.lead).await;

    // Without snapshots the framework may still change.
    let empty = visit(&app, &s, "2027-01-06");
    let changed = lead
        .send_json(
            Method::PATCH,
            &format!("/api/v1/visits/{empty}"),
            &json!({"framework_id": other}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(json_of(changed).await["framework"]["id"], other);

    let observed = visit(&app, &s, "2027-02-03");
    observe(&app, &s, observed);
    let through_api = lead
        .send_json(
            Method::PATCH,
            &format!("/api/v1/visits/{observed}"),
            &json!({"framework_id": other}),
        )
        .await;
    assert_eq!(through_api.status(), 409);
    let error = api_error(through_api).await;
    assert!(
        error["fields"]["framework_id"]
            .as_str()
            .is_some_and(|m| m.contains("snapshot")),
        "{error}"
    );

    let through_page = lead
        .post_form(
            &format!("/visits/{observed}"),
            &[
                ("school_id", &s.school.to_string()),
                ("date", "2027-02-03"),
                ("lead_id", &s.lead.id.to_string()),
                ("framework_id", &other.to_string()),
                (&format!("member_{}", s.visitor.id), "on"),
                ("segment_classroom_observations", "on"),
            ],
        )
        .await;
    assert_eq!(through_page.status(), 409);
    let page = through_page.text().await.unwrap();
    assert!(page.contains("snapshot"), "{page}");

    let kept = json_of(lead.get(&format!("/api/v1/visits/{observed}")).await).await;
    assert_eq!(kept["framework"]["id"], s.framework);
    let debrief = lead.get_text(&format!("/visits/{observed}/debrief")).await;
    assert!(
        !debrief.contains("no snapshot where it applied"),
        "the evidence still reads: {debrief}"
    );
}

#[tokio::test]
async fn the_visits_to_a_campus_keep_their_order_once_items_are_checked() {
    let app = spawn_app().await;
    let s = story(&app);
    let (first, lead) = published(&app, &s, "2027-01-06").await;
    let item = everything(&app, first)
        .into_iter()
        .find(|i| i.department.as_ref().map(|d| d.id) == Some(s.curriculum))
        .unwrap();
    let second = visit(&app, &s, "2027-03-03");
    db::visits::advance(&mut app.conn(), second, VisitStatus::InProgress).unwrap();
    let checked = lead
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{second}/checks"),
            &json!({"item_id": item.id, "result": "verified", "note": "Seen in 7B"}),
        )
        .await;
    assert_eq!(checked.status(), 200);

    let patch = |id: i64, body: Value| {
        let lead = &lead;
        async move {
            lead.send_json(Method::PATCH, &format!("/api/v1/visits/{id}"), &body)
                .await
        }
    };
    for (id, body, field) in [
        (first, json!({"date": "2027-04-07"}), "date"),
        (second, json!({"date": "2026-12-02"}), "date"),
        (first, json!({"school_id": other_school(&app)}), "school_id"),
    ] {
        let refused = patch(id, body.clone()).await;
        assert_eq!(refused.status(), 409, "{body}");
        let error = api_error(refused).await;
        assert!(error["fields"][field].is_string(), "{body}: {error}");
    }
    // Through the page, the same rule.
    let page = lead
        .post_form(
            &format!("/visits/{first}"),
            &[
                ("school_id", &s.school.to_string()),
                ("date", "2027-04-07"),
                ("lead_id", &s.lead.id.to_string()),
                ("framework_id", &s.framework.to_string()),
                (&format!("member_{}", s.visitor.id), "on"),
                ("segment_classroom_observations", "on"),
            ],
        )
        .await;
    assert_eq!(page.status(), 409);

    // A move that keeps the order is fine.
    let moved = patch(first, json!({"date": "2027-01-13"})).await;
    assert_eq!(moved.status(), 200);
    let history = lead.get_text(&format!("/items/{}", item.id)).await;
    assert!(history.contains("2027-03-03"), "{history}");
    let visits = [first, second].map(|id| {
        db::visits::find_visible(&mut app.conn(), &db::visits::Viewer::everyone(), id)
            .unwrap()
            .date
            .to_string()
    });
    assert_eq!(visits, ["2027-01-13".to_owned(), "2027-03-03".to_owned()]);
}

fn other_school(app: &TestApp) -> i64 {
    db::schools::insert(
        &mut app.conn(),
        &campus_visits::domain::school::NewSchool::parse(
            "Elm Elementary",
            "ELM",
            "elementary",
            true,
        )
        .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn put_replaces_the_whole_visit_and_patch_changes_only_what_it_names() {
    let app = spawn_app().await;
    let s = story(&app);
    let id = visit(&app, &s, "2027-01-06");
    let lead = signed_in(&app, &s.lead).await;

    let partial = lead
        .send_json(
            Method::PUT,
            &format!("/api/v1/visits/{id}"),
            &json!({"school_id": s.school, "date": "2027-01-07"}),
        )
        .await;
    assert_eq!(partial.status(), 422);
    let error = api_error(partial).await;
    let missing: BTreeSet<&str> = error["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        missing,
        ["framework_id", "focus", "lead_id", "members", "segments"]
            .into_iter()
            .collect()
    );

    let unknown = lead
        .send_json(
            Method::PUT,
            &format!("/api/v1/visits/{id}"),
            &json!({"school_id": s.school, "date": "2027-01-07", "lead_id": s.lead.id,
                    "framework_id": s.framework, "focus": "", "members": [s.visitor.id],
                    "segments": ["classroom_observations"], "status": "published"}),
        )
        .await;
    assert_eq!(unknown.status(), 422);
    let error = api_error(unknown).await;
    assert!(
        error["message"].as_str().unwrap().contains("status"),
        "names the field: {error}"
    );

    let patched = lead
        .send_json(
            Method::PATCH,
            &format!("/api/v1/visits/{id}"),
            &json!({"focus": "Reading across the day"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let visit = json_of(patched).await;
    assert_eq!(visit["focus"], "Reading across the day");
    assert_eq!(visit["lead"]["id"], s.lead.id);
    assert_eq!(visit["framework"]["id"], s.framework);
    assert_eq!(visit["members"][0]["id"], s.visitor.id);
    assert_eq!(visit["date"], "2027-01-06");
    assert_eq!(visit["status"], "planned");
    // The team member still reaches her visit.
    let visitor = signed_in(&app, &s.visitor).await;
    assert_eq!(
        visitor.get(&format!("/api/v1/visits/{id}")).await.status(),
        200
    );

    let whole = lead
        .send_json(
            Method::PUT,
            &format!("/api/v1/visits/{id}"),
            &json!({"school_id": s.school, "date": "2027-01-08", "lead_id": s.lead.id,
                    "framework_id": s.framework, "focus": "Writing", "members": [s.visitor.id],
                    "segments": ["classroom_observations", "debrief"]}),
        )
        .await;
    assert_eq!(whole.status(), 200);
    let visit = json_of(whole).await;
    assert_eq!(
        (visit["date"].clone(), visit["segments"].clone()),
        (
            json!("2027-01-08"),
            json!(["classroom_observations", "debrief"])
        )
    );

    // Unknown fields are refused on every body, not only visits'.
    let admin = app.create_user(&[Role::Admin], None, None);
    let admin = signed_in(&app, &admin).await;
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/schools".to_owned(),
            json!({"name": "Ash High", "code": "ASH", "level": "high", "colour": "red"}),
        ),
        (
            Method::POST,
            format!("/api/v1/visits/{id}/status"),
            json!({"to": "in_progress", "why": "now"}),
        ),
        (
            Method::PUT,
            format!("/api/v1/visits/{id}/debrief"),
            json!({"strengths": "", "alignment_notes": "", "attendees": "", "problems": [], "x": 1}),
        ),
    ] {
        let refused = admin.send_json(method, &path, &body).await;
        assert_eq!(refused.status(), 422, "{path} {body}");
    }
    let still = json_of(lead.get(&format!("/api/v1/visits/{id}")).await).await;
    assert_eq!(still["status"], "planned", "the refused status change");
}

#[tokio::test]
async fn an_item_added_by_hand_gets_the_defaults_of_a_proposal() {
    let app = spawn_app().await;
    let s = story(&app);
    let id = visit(&app, &s, "2027-01-06");
    observe(&app, &s, id);
    db::visits::advance(&mut app.conn(), id, VisitStatus::InProgress).unwrap();
    let lead = signed_in(&app, &s.lead).await;

    let form = lead.get_text(&format!("/visits/{id}/items")).await;
    assert!(
        form.contains("<option value=\"normal\" selected"),
        "Normal is chosen unless changed: {form}"
    );
    let by_page = lead
        .post_form(
            &format!("/visits/{id}/items"),
            &[
                ("title", "Post the week's objectives"),
                ("department", ""),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(by_page.status(), 303);
    let by_api = lead
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{id}/items"),
            &json!({"title": "Charge the laptop carts nightly", "department_id": s.technology}),
        )
        .await;
    assert_eq!(by_api.status(), 201, "{}", by_api.text().await.unwrap());

    let items = everything(&app, id);
    let step = items
        .iter()
        .find(|i| i.title == "Post the week's objectives")
        .unwrap();
    assert_eq!(step.priority, Priority::Normal);
    assert_eq!(step.owner.as_ref().map(|o| o.id), Some(s.leader.id));
    assert_eq!(
        step.due_on,
        Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 20).unwrap()),
        "two weeks for a school step"
    );
    let technology = items
        .iter()
        .find(|i| i.title == "Charge the laptop carts nightly")
        .unwrap();
    assert_eq!(technology.priority, Priority::Normal);
    assert_eq!(
        technology.owner.as_ref().map(|o| o.id),
        Some(s.tech_head.id)
    );
    assert_eq!(
        technology.due_on,
        Some(chrono::NaiveDate::from_ymd_opt(2027, 2, 5).unwrap()),
        "thirty days for a department item"
    );
}

#[tokio::test]
async fn observation_ticks_go_in_and_come_back_keyed_by_look_for_code() {
    let app = spawn_app().await;
    let s = story(&app);
    let id = visit(&app, &s, "2027-01-06");
    db::visits::advance(&mut app.conn(), id, VisitStatus::InProgress).unwrap();
    let visitor = signed_in(&app, &s.visitor).await;
    let sent = visitor
        .post_json_keyed(
            &format!("/api/v1/visits/{id}/observations"),
            "snapshot-by-code-1",
            &json!({"setting": "classroom", "ticks": {"I1": "observed", "I3": "partly"}}),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let sent = json_of(sent).await;
    assert_eq!(sent["ticks"], json!({"I1": "observed", "I3": "partly"}));

    let unknown = visitor
        .post_json_keyed(
            &format!("/api/v1/visits/{id}/observations"),
            "snapshot-by-code-2",
            &json!({"setting": "classroom", "ticks": {"Z9": "observed"}}),
        )
        .await;
    assert_eq!(unknown.status(), 409, "a code the framework lacks");
    let error = api_error(unknown).await;
    assert!(error.to_string().contains("Z9"), "{error}");

    let listed = json_of(
        visitor
            .get(&format!("/api/v1/visits/{id}/observations"))
            .await,
    )
    .await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(
        listed["items"][0]["ticks"],
        json!({"I1": "observed", "I3": "partly"})
    );
    let page = visitor.get_text(&format!("/visits/{id}/debrief")).await;
    assert!(page.contains("1 snapshot") && !page.contains("1 snapshots"));
}

#[tokio::test]
async fn every_api_list_has_the_documented_shape_and_errors_speak_of_the_request() {
    let app = spawn_app().await;
    let s = story(&app);
    let (first, lead) = published(&app, &s, "2027-01-06").await;
    let admin = app.create_user(&[Role::Admin], None, None);
    let admin = signed_in(&app, &admin).await;
    for path in [
        "/api/v1/items".to_owned(),
        format!("/api/v1/visits/{first}/items"),
        format!("/api/v1/visits/{first}/observations"),
        "/api/v1/visits".to_owned(),
        "/api/v1/schools".to_owned(),
        "/api/v1/departments".to_owned(),
        "/api/v1/users".to_owned(),
        "/api/v1/frameworks".to_owned(),
    ] {
        let listed = admin.get(&path).await;
        assert_eq!(listed.status(), 200, "{path}");
        let listed = json_of(listed).await;
        let keys: BTreeSet<&str> = listed
            .as_object()
            .unwrap_or_else(|| panic!("{path}: an object, not {listed}"))
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["items", "page", "per_page", "total"].into_iter().collect(),
            "{path}"
        );
        assert!(listed["items"].is_array(), "{path}");
    }
    let paged = json_of(admin.get("/api/v1/items?per_page=1&page=2").await).await;
    assert_eq!(
        (paged["page"].clone(), paged["per_page"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);
    assert!(paged["total"].as_i64().unwrap() >= 2, "{paged}");

    // Errors speak of the request, not of a page the caller never saw.
    for (who, method, path, body) in [
        (
            &admin,
            Method::POST,
            "/api/v1/schools".to_owned(),
            json!({"name": "", "code": ""}),
        ),
        (
            &lead,
            Method::POST,
            "/api/v1/visits".to_owned(),
            json!({"school_id": 0, "date": "soon"}),
        ),
        (
            &lead,
            Method::POST,
            format!("/api/v1/visits/{first}/items"),
            json!({"title": ""}),
        ),
        (
            &lead,
            Method::PUT,
            format!("/api/v1/visits/{first}/debrief"),
            json!({"strengths": "", "alignment_notes": "", "attendees": "", "problems": []}),
        ),
    ] {
        let refused = who.send_json(method, &path, &body).await;
        assert!(refused.status().is_client_error(), "{path}");
        let text = api_error(refused).await.to_string().to_lowercase();
        for page_words in ["form below", "this page", "the form"] {
            assert!(!text.contains(page_words), "{path}: {text}");
        }
    }
}

#[tokio::test]
async fn at_publish_dropped_and_merged_proposals_leave_the_record_and_resolved_ones_ask_nothing() {
    let app = spawn_app().await;
    let s = story(&app);
    let id = visit(&app, &s, "2027-01-06");
    observe(&app, &s, id);
    for to in [VisitStatus::InProgress, VisitStatus::Debriefed] {
        db::visits::advance(&mut app.conn(), id, to).unwrap();
    }
    db::action_items::generate(&mut app.conn(), id, s.lead.id).unwrap();
    let lead = signed_in(&app, &s.lead).await;
    let added = |title: &'static str| {
        let lead = &lead;
        async move {
            let response = lead
                .send_json(
                    Method::POST,
                    &format!("/api/v1/visits/{id}/items"),
                    &json!({"title": title, "department_id": s.curriculum}),
                )
                .await;
            assert_eq!(response.status(), 201);
            json_of(response).await
        }
    };
    let resolved = added("Unlock the book room").await;
    let dropped = added("Repaint the hall").await;
    for (item, status) in [(&resolved, "resolved"), (&dropped, "dropped")] {
        let changed = lead
            .send_json(
                Method::PATCH,
                &format!("/api/v1/items/{}", item["id"]),
                &json!({"version": item["version"], "status": status, "reason": "Settled at the debrief"}),
            )
            .await;
        assert_eq!(changed.status(), 200, "{status}");
    }
    let published = lead
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{id}/publish"),
            &json!({}),
        )
        .await;
    assert_eq!(published.status(), 200);
    let statuses: Vec<Status> = everything(&app, id).iter().map(|i| i.status).collect();
    assert!(statuses.contains(&Status::Resolved) && statuses.contains(&Status::Dropped));

    let messages: Vec<(String, String, String)> = {
        use campus_visits::db::schema::outbox_messages::dsl::*;
        use diesel::prelude::*;
        outbox_messages
            .select((recipient, subject, text_body))
            .load(&mut app.conn())
            .unwrap()
    };
    assert!(
        messages.iter().all(|(_, subject, text)| {
            !(subject.starts_with("Action item for you") && text.contains("Unlock the book room"))
        }),
        "no assignment for what is resolved: {messages:#?}"
    );
    let (_, _, summary) = messages
        .iter()
        .find(|(to, _, _)| *to == s.leader.email)
        .expect("the school's summary");
    assert!(
        summary.contains("Resolved during the visit") && summary.contains("Unlock the book room"),
        "{summary}"
    );
    assert!(!summary.contains("Repaint the hall"), "{summary}");
    assert!(!summary.contains("Dropped"), "{summary}");
}

#[tokio::test]
async fn a_whole_visit_and_its_follow_up_through_the_api_alone() {
    let app = spawn_app().await;
    let s = story(&app);
    let lead = signed_in(&app, &s.lead).await;
    let visitor = signed_in(&app, &s.visitor).await;
    let head = signed_in(&app, &s.head).await;

    let plan = |date: &str| {
        json!({"school_id": s.school, "date": date, "lead_id": s.lead.id,
               "framework_id": s.framework, "focus": "Checks for understanding",
               "members": [], "segments": ["classroom_observations", "debrief"]})
    };
    let run_visit = |date: &'static str, key: &'static str| {
        let (lead, visitor) = (&lead, &visitor);
        let plan = plan(date);
        async move {
            let created = lead.send_json(Method::POST, "/api/v1/visits", &plan).await;
            assert_eq!(created.status(), 201);
            let id = json_of(created).await["id"].as_i64().unwrap();
            let team = lead
                .send_json(
                    Method::PATCH,
                    &format!("/api/v1/visits/{id}"),
                    &json!({"members": [s.visitor.id]}),
                )
                .await;
            assert_eq!(team.status(), 200);
            let early = lead
                .send_json(
                    Method::POST,
                    &format!("/api/v1/visits/{id}/status"),
                    &json!({"to": "published"}),
                )
                .await;
            assert_eq!(early.status(), 422, "published only by publishing");
            let started = lead
                .send_json(
                    Method::POST,
                    &format!("/api/v1/visits/{id}/status"),
                    &json!({"to": "in_progress"}),
                )
                .await;
            assert_eq!(started.status(), 200);
            for n in 0..3 {
                let sent = visitor
                    .post_json_keyed(
                        &format!("/api/v1/visits/{id}/observations"),
                        &format!("{key}-snapshot-{n}"),
                        &json!({"setting": "classroom", "room": format!("7{n}"),
                                "ticks": {"I1": "not_observed", "I2": "observed", "I3": "partly"}}),
                    )
                    .await;
                assert_eq!(sent.status(), 201);
            }
            id
        }
    };

    let first = run_visit("2027-01-06", "first").await;
    let debrief = lead
        .send_json(
            Method::PUT,
            &format!("/api/v1/visits/{first}/debrief"),
            &json!({"strengths": "Routines are strong", "alignment_notes": "", "attendees": "Principal",
                    "problems": [{"description": "Laptop carts are not charged", "department_ids": [s.technology]}]}),
        )
        .await;
    assert_eq!(debrief.status(), 200);
    let debriefed = lead
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{first}/status"),
            &json!({"to": "debriefed"}),
        )
        .await;
    assert_eq!(json_of(debriefed).await["status"], "debriefed");
    let generated = visitor
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{first}/items/generate"),
            &json!({}),
        )
        .await;
    assert_eq!(generated.status(), 200);
    let published = lead
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{first}/publish"),
            &json!({}),
        )
        .await;
    assert_eq!(published.status(), 200);
    let published = json_of(published).await;
    let items = published["items"].as_array().unwrap();
    let keys: BTreeSet<String> = items
        .iter()
        .map(|i| {
            i["department"]["id"]
                .as_i64()
                .map_or("school".to_owned(), |d| d.to_string())
        })
        .collect();
    assert_eq!(
        keys,
        [
            s.curriculum.to_string(),
            s.technology.to_string(),
            "school".to_owned()
        ]
        .into_iter()
        .collect(),
        "Curriculum's look-for, Technology's problem, the school's step: {published}"
    );
    assert!(items.iter().all(|i| i["status"] == "open"));
    let shown = json_of(lead.get(&format!("/api/v1/visits/{first}")).await).await;
    assert_eq!(shown["status"], "published");

    let curriculum = items
        .iter()
        .find(|i| i["department"]["id"] == s.curriculum)
        .unwrap();
    let done = head
        .send_json(
            Method::PATCH,
            &format!("/api/v1/items/{}", curriculum["id"]),
            &json!({"version": curriculum["version"], "status": "done", "note": "Coached the grade 7 team"}),
        )
        .await;
    assert_eq!(done.status(), 200);

    // The next visit checks the item and sees the same look-for weak again:
    // verified today, it waits for a later visit's evidence.
    let second = run_visit("2027-03-03", "second").await;
    let checked = visitor
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{second}/checks"),
            &json!({"item_id": curriculum["id"], "result": "verified", "note": "Seen in 7B"}),
        )
        .await;
    assert_eq!(json_of(checked).await["status"], "verified");
    let debriefed = lead
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{second}/status"),
            &json!({"to": "debriefed"}),
        )
        .await;
    assert_eq!(debriefed.status(), 200);
    let generated = visitor
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{second}/items/generate"),
            &json!({}),
        )
        .await;
    assert_eq!(generated.status(), 200);
    let proposed = json_of(lead.get(&format!("/api/v1/visits/{second}/items")).await).await;
    let proposed = proposed["items"].as_array().unwrap();
    assert!(
        proposed.iter().any(|i| i["look_fors"] == json!(["I3"])),
        "the school's step is proposed again: {proposed:?}"
    );
    assert!(
        proposed
            .iter()
            .all(|i| i["department"]["id"] != s.curriculum),
        "no Curriculum item minutes after it was verified: {proposed:?}"
    );

    // The first visit's record reads as it was published.
    let record = json_of(lead.get(&format!("/api/v1/visits/{first}/debrief")).await).await;
    assert_eq!(
        record["problems"][0]["description"],
        "Laptop carts are not charged"
    );
    assert_eq!(record["editable"], false);
}

#[tokio::test]
async fn proposals_merge_through_the_api_as_through_the_page() {
    let app = spawn_app().await;
    let s = story(&app);
    let id = visit(&app, &s, "2027-01-06");
    db::visits::advance(&mut app.conn(), id, VisitStatus::InProgress).unwrap();
    let lead = signed_in(&app, &s.lead).await;
    let mut ids = Vec::new();
    for title in ["Model exit tickets", "Use exit tickets daily"] {
        let added = lead
            .send_json(
                Method::POST,
                &format!("/api/v1/visits/{id}/items"),
                &json!({"title": title, "department_id": s.curriculum}),
            )
            .await;
        assert_eq!(added.status(), 201);
        ids.push(json_of(added).await["id"].as_i64().unwrap());
    }
    let path = format!("/api/v1/visits/{id}/items/merge");
    let unknown = lead
        .send_json(
            Method::POST,
            &path,
            &json!({"into": ids[0], "from": ids[1], "why": "same"}),
        )
        .await;
    assert_eq!(unknown.status(), 422);
    let merged = lead
        .send_json(
            Method::POST,
            &path,
            &json!({"into": ids[0], "from": ids[1]}),
        )
        .await;
    assert_eq!(merged.status(), 200);
    let listed = json_of(merged).await;
    let status_of = |item: i64| {
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == item)
            .map(|i| i["status"].clone())
    };
    assert_eq!(status_of(ids[0]), Some(json!("proposed")), "{listed}");
    assert_ne!(status_of(ids[1]), Some(json!("proposed")), "{listed}");
    let items = everything(&app, id);
    let kept = items.iter().find(|i| i.id == ids[0]).unwrap();
    assert_eq!(kept.status, Status::Proposed);
    assert_ne!(
        items.iter().find(|i| i.id == ids[1]).map(|i| i.status),
        Some(Status::Proposed)
    );
}
