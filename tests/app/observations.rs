//! Capturing observations: the form, the API, and never storing one twice.

use std::collections::BTreeSet;

use campus_visits::db;
use campus_visits::domain::account::Role;
use campus_visits::domain::visit::NewVisit;
use serde_json::json;

use crate::helpers::{api_error, browser, location, spawn_app, TestApp};

const FRAMEWORK: &str = r#"{"name": "Look-fors", "version": 1, "domains": [
  {"name": "Instruction", "indicators": [
    {"code": "I1", "title": "Objective posted"},
    {"code": "I2", "title": "Checks for understanding"}]}]}"#;

/// A campus, a framework and a visit whose team is `members`.
pub fn visit_with_framework(app: &TestApp, members: &[i64]) -> (i64, i64, Vec<i64>) {
    let mut conn = app.conn();
    let school =
        campus_visits::domain::school::NewSchool::parse("Oak Middle", "OAK", "middle", true)
            .unwrap();
    let school_id = db::schools::insert(&mut conn, &school).unwrap();
    let framework = campus_visits::domain::framework::from_json(FRAMEWORK, &|_| None).unwrap();
    let framework_id = db::frameworks::import(&mut conn, &framework).unwrap().id();
    let indicators: Vec<i64> = db::frameworks::load(&mut conn, framework_id)
        .unwrap()
        .domains[0]
        .indicators
        .iter()
        .map(|i| i.id)
        .collect();
    let visit = NewVisit {
        school_id,
        date: chrono::NaiveDate::from_ymd_opt(2027, 1, 6).unwrap(),
        lead_id: None,
        framework_id: Some(framework_id),
        focus: String::new(),
        members: members.iter().copied().collect(),
        segments: BTreeSet::new(),
    };
    (
        db::visits::insert(&mut conn, &visit).unwrap(),
        framework_id,
        indicators,
    )
}

fn count(app: &TestApp, visit_id: i64) -> usize {
    db::observations::for_visit(&mut app.conn(), visit_id)
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_visitor_records_snapshots_and_a_resent_form_is_stored_once() {
    let app = spawn_app().await;
    let visitor = app.sign_in_as(&[Role::Visitor]).await;
    let (visit_id, framework_id, indicators) = visit_with_framework(&app, &[visitor.id]);

    let page = app.get_text(&format!("/visits/{visit_id}/observe")).await;
    assert!(page.contains("Checks for understanding") && page.contains(r#"value="not_observed""#));
    let key = page
        .split(r#"name="idempotency_key" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(key.len() >= 16, "the form carries a fresh submission key");

    let tick_1 = format!("tick_{}", indicators[0]);
    let tick_2 = format!("tick_{}", indicators[1]);
    let bad = app
        .post_form(
            &format!("/visits/{visit_id}/observations"),
            &[
                ("idempotency_key", &key),
                ("room", "B12"),
                ("started_at", "noon"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad_page = bad.text().await.unwrap();
    assert!(bad_page.contains("Choose where you observed.") && bad_page.contains("HH:MM"));
    assert!(
        bad_page.contains(r#"value="B12""#) && bad_page.contains(&key),
        "what was typed, and the same key, are kept"
    );

    let form = [
        ("idempotency_key", key.as_str()),
        ("setting", "classroom"),
        ("room", "B12"),
        ("grade_band", "6-8"),
        ("subject", "Math"),
        ("started_at", "09:40"),
        (tick_1.as_str(), "observed"),
        (tick_2.as_str(), "partly"),
        ("notes", "Exit tickets collected; most students answered."),
    ];
    let saved = app
        .post_form(&format!("/visits/{visit_id}/observations"), &form)
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        location(&saved),
        format!("/visits/{visit_id}/observe?saved=1")
    );
    // The tablet retries the same submission after a timeout.
    let again = app
        .post_form(&format!("/visits/{visit_id}/observations"), &form)
        .await;
    assert_eq!(again.status(), 303);
    assert_eq!(count(&app, visit_id), 1, "stored once");

    let mut changed = form.to_vec();
    changed[7] = (tick_2.as_str(), "observed");
    let reused = app
        .post_form(&format!("/visits/{visit_id}/observations"), &changed)
        .await;
    assert_eq!(reused.status(), 422);
    assert!(reused
        .text()
        .await
        .unwrap()
        .contains("already used for a different observation"));
    assert_eq!(count(&app, visit_id), 1);

    let stored = &db::observations::for_visit(&mut app.conn(), visit_id).unwrap()[0];
    assert_eq!(stored.ticks.len(), 2);
    assert_eq!(stored.started_at.as_deref(), Some("09:40"));
    assert!(
        db::frameworks::load(&mut app.conn(), framework_id)
            .unwrap()
            .frozen,
        "a framework in use is frozen"
    );
    let visit_page = app.get_text(&format!("/visits/{visit_id}")).await;
    assert!(
        visit_page.contains("1 observation, oldest first")
            && visit_page.contains("B12 · 6-8 · Math")
    );
}

#[tokio::test]
async fn only_the_team_records_and_sees_observations() {
    let app = spawn_app().await;
    let member = app.create_user(&[Role::Visitor], None, None);
    let (visit_id, _, _) = visit_with_framework(&app, &[member.id]);
    let mut conn = app.conn();
    let school_id = db::visits::list(
        &mut conn,
        &db::visits::Viewer {
            user_id: 0,
            roles: [Role::Admin].into(),
            school_id: None,
            department_id: None,
        },
        &Default::default(),
        campus_visits::domain::paging::PageRequest::new(None, None),
    )
    .unwrap()
    .items[0]
        .school
        .id;
    let leader = app.create_user(&[Role::SchoolLeader], Some(school_id), None);
    let outsider = app.create_user(&[Role::Visitor], None, None);
    for (who, user, capture, visit_page_lists) in [
        ("school leader", &leader, 403, false),
        ("outsider", &outsider, 404, false),
    ] {
        let other = TestApp::second_browser(&app);
        other
            .sign_in(&user.email, crate::helpers::TEST_PASSWORD)
            .await;
        assert_eq!(
            other
                .get(&format!("/visits/{visit_id}/observe"))
                .await
                .status(),
            capture,
            "{who}"
        );
        let page = other.get(&format!("/visits/{visit_id}")).await;
        if page.status() == 200 {
            assert_eq!(
                page.text().await.unwrap().contains("Record an observation"),
                visit_page_lists,
                "{who}"
            );
        }
    }
}

#[tokio::test]
async fn fifty_concurrent_identical_submissions_store_exactly_one_observation() {
    let app = spawn_app().await;
    let (member, token) = app.token_for(&[Role::Visitor]);
    let (visit_id, _, _) = visit_with_framework(&app, &[member.id]);
    let body = json!({"setting": "classroom", "room": "C3", "ticks": {"I1": "observed", "i2": "not_observed"}, "notes": "Fast retries"});
    let client = browser();
    let url = app.url(&format!("/api/v1/visits/{visit_id}/observations"));
    let requests = (0..50).map(|_| {
        client
            .post(&url)
            .bearer_auth(&token)
            .header("Idempotency-Key", "7c1e0c52-2f4b-4d8e-9c55-0a3f6b2d9e11")
            .json(&body)
            .send()
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut ids = BTreeSet::new();
    let mut replayed = 0;
    let mut answers = Vec::new();
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), 201);
        if response.headers().contains_key("idempotent-replayed") {
            replayed += 1;
        }
        let observation: serde_json::Value = response.json().await.unwrap();
        ids.insert(observation["id"].as_i64().unwrap());
        answers.push(observation);
    }
    assert_eq!(ids.len(), 1, "every answer names the same observation");
    assert_eq!(replayed, 49);
    assert_eq!(count(&app, visit_id), 1);

    let different = client
        .post(&url)
        .bearer_auth(&token)
        .header("Idempotency-Key", "7c1e0c52-2f4b-4d8e-9c55-0a3f6b2d9e11")
        .json(&json!({"setting": "tour"}))
        .send()
        .await
        .unwrap();
    assert_eq!(different.status(), 422);
    assert!(api_error(different).await["fields"]["idempotency_key"].is_string());
    let no_key = client
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 422);
    let unknown_code = client
        .post(&url)
        .bearer_auth(&token)
        .header("Idempotency-Key", "another-key-0001")
        .json(&json!({"setting": "classroom", "ticks": {"ZZ9": "observed"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_code.status(), 409, "a code the framework lacks");
    assert_eq!(
        api_error(unknown_code).await["fields"]["ticks"],
        "No look-for of this visit's framework has the code ZZ9."
    );
    let listed: serde_json::Value = client
        .get(app.url(&format!("/api/v1/visits/{visit_id}/observations")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    // Every answer, the first made from what was stored and the replays
    // read back, is what reading the observation gives.
    assert!(
        answers.iter().all(|a| *a == listed["items"][0]),
        "{answers:?}"
    );
}

/// The same race at the database layer, without HTTP in between: eight
/// connections submit one key at the same moment.
#[tokio::test]
async fn racing_connections_store_one_observation() {
    let app = spawn_app().await;
    let member = app.create_user(&[Role::Visitor], None, None);
    let (visit_id, _, indicators) = visit_with_framework(&app, &[member.id]);
    let url = app.db.url().to_owned();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (url, barrier, indicators) = (url.clone(), barrier.clone(), indicators.clone());
            std::thread::spawn(move || {
                let mut conn = db::connect(&url).unwrap();
                let raw = campus_visits::domain::observation::RawObservation {
                    setting: "planning",
                    ..Default::default()
                };
                let ticks = [(
                    indicators[0],
                    campus_visits::domain::observation::Tick::Observed,
                )]
                .into();
                let observation =
                    campus_visits::domain::observation::NewObservation::parse(&raw, ticks).unwrap();
                let key =
                    campus_visits::domain::observation::IdempotencyKey::parse("race-key-0001")
                        .unwrap();
                barrier.wait();
                db::observations::submit(&mut conn, visit_id, member.id, &key, &observation, None)
                    .unwrap()
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let created = results
        .iter()
        .filter(|r| matches!(r, db::observations::Submitted::Created(..)))
        .count();
    assert_eq!(created, 1, "{results:?}");
    assert_eq!(
        results
            .iter()
            .map(|r| r.id())
            .collect::<BTreeSet<_>>()
            .len(),
        1
    );
    assert_eq!(count(&app, visit_id), 1);
}

/// The roll-up against numbers worked out by hand, the debrief recorded by
/// the lead, and what a school leader sees of it.
#[tokio::test]
async fn the_debrief_rolls_up_the_evidence_and_records_problems_of_practice() {
    use campus_visits::domain::observation::{
        IdempotencyKey, NewObservation, RawObservation, Tick,
    };
    let app = spawn_app().await;
    let member = app.create_user(&[Role::Visitor], None, None);
    let (visit_id, _, indicators) = visit_with_framework(&app, &[member.id]);
    let (i1, i2) = (indicators[0], indicators[1]);
    let mut conn = app.conn();
    // I1: observed, observed, partly (classroom ×2, collaboration) → seen in 2 of 3, partly in 1.
    // I2: not observed, n/a, not ticked → seen in 0 of 1.
    let snapshots = [
        (
            "classroom",
            vec![(i1, Tick::Observed), (i2, Tick::NotObserved)],
            "Exit tickets in B12",
        ),
        (
            "classroom",
            vec![(i1, Tick::Partly), (i2, Tick::NotApplicable)],
            "",
        ),
        (
            "collaboration",
            vec![(i1, Tick::Observed)],
            "PLC looked at student work",
        ),
    ];
    for (n, (setting, ticks, notes)) in snapshots.iter().enumerate() {
        let raw = RawObservation {
            setting,
            notes,
            ..Default::default()
        };
        let observation = NewObservation::parse(&raw, ticks.iter().copied().collect()).unwrap();
        let key = IdempotencyKey::parse(&format!("debrief-key-{n:04}")).unwrap();
        db::observations::submit(&mut conn, visit_id, member.id, &key, &observation, None).unwrap();
    }
    let department =
        campus_visits::domain::department::NewDepartment::parse("Curriculum", "", true).unwrap();
    let curriculum = db::departments::insert(&mut conn, &department).unwrap();

    app.sign_in_as(&[Role::VisitLead]).await;
    let page = app.get_text(&format!("/visits/{visit_id}/debrief")).await;
    assert!(page.contains("3 snapshots"));
    assert!(page.contains("seen in 2 of 3, partly in 1"), "{page}");
    assert!(page.contains("seen in 0 of 1"));
    assert!(page.contains("1 of 2 (1 partly)"), "I1 in classrooms");
    assert!(
        page.contains("PLC looked at student work"),
        "the team sees the notes"
    );

    let tagged_blank = app
        .post_form(
            &format!("/visits/{visit_id}/debrief"),
            &[
                ("problem_0", ""),
                (&format!("problem_0_dept_{curriculum}"), "on"),
            ],
        )
        .await;
    assert_eq!(tagged_blank.status(), 422);
    let saved = app
        .post_form(
            &format!("/visits/{visit_id}/debrief"),
            &[
                ("strengths", "Strong routines"),
                ("problem_0", "Few checks for understanding in math"),
                (&format!("problem_0_dept_{curriculum}"), "on"),
                ("problem_1", ""),
                ("attendees", "Principal, AP"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let debrief = db::debriefs::find(&mut conn, visit_id).unwrap();
    assert_eq!(debrief.strengths, "Strong routines");
    assert_eq!(debrief.problems.len(), 1);
    assert_eq!(debrief.problems[0].departments[0].name, "Curriculum");

    // The campus's leader sees the roll-up and the debrief, not the notes.
    let school_id = db::visits::campuses_for_planning(&mut conn).unwrap()[0].school_id;
    let leader = app.create_user(&[Role::SchoolLeader], Some(school_id), None);
    let other = TestApp::second_browser(&app);
    other
        .sign_in(&leader.email, crate::helpers::TEST_PASSWORD)
        .await;
    let seen = other
        .get(&format!("/visits/{visit_id}/debrief"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        seen.contains("seen in 2 of 3, partly in 1")
            && seen.contains("Few checks for understanding in math — Curriculum")
    );
    assert!(
        !seen.contains("PLC looked at student work"),
        "observers' notes stay with the team"
    );
    assert!(!seen.contains("Save the debrief"));
}

#[tokio::test]
async fn authors_edit_their_own_observations_until_the_debrief_is_published() {
    use campus_visits::domain::observation::{
        IdempotencyKey, NewObservation, RawObservation, Tick,
    };
    let app = spawn_app().await;
    let author = app.sign_in_as(&[Role::Visitor]).await;
    let colleague = app.create_user(&[Role::Visitor], None, None);
    let (visit_id, _, indicators) = visit_with_framework(&app, &[author.id, colleague.id]);
    let mut conn = app.conn();
    let raw = RawObservation {
        setting: "classroom",
        notes: "First notes",
        ..Default::default()
    };
    let original = NewObservation::parse(&raw, [(indicators[0], Tick::Partly)].into()).unwrap();
    let key = IdempotencyKey::parse("edit-key-0001").unwrap();
    let id = db::observations::submit(&mut conn, visit_id, author.id, &key, &original, None)
        .unwrap()
        .id();

    let visit_page = app.get_text(&format!("/visits/{visit_id}")).await;
    assert!(
        visit_page.contains(&format!("/visits/{visit_id}/observations/{id}/edit")),
        "an edit link on one's own"
    );
    let form = app
        .get_text(&format!("/visits/{visit_id}/observations/{id}/edit"))
        .await;
    assert!(form.contains("First notes") && form.contains("Save changes"));
    let tick = format!("tick_{}", indicators[1]);
    let saved = app
        .post_form(
            &format!("/visits/{visit_id}/observations/{id}"),
            &[
                ("setting", "planning"),
                ("notes", "Corrected notes"),
                (&tick, "observed"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let stored = db::observations::find(&mut conn, id).unwrap();
    assert_eq!(stored.notes, "Corrected notes");
    assert_eq!(stored.ticks, [(indicators[1], Tick::Observed)].into());
    // A late retry of the first submission is still recognised, not refused.
    let replay =
        db::observations::submit(&mut conn, visit_id, author.id, &key, &original, None).unwrap();
    assert_eq!(replay, db::observations::Submitted::Replayed(id));

    // Someone else's observation is not theirs to edit.
    let other = TestApp::second_browser(&app);
    other
        .sign_in(&colleague.email, crate::helpers::TEST_PASSWORD)
        .await;
    assert_eq!(
        other
            .get(&format!("/visits/{visit_id}/observations/{id}/edit"))
            .await
            .status(),
        404
    );

    // Once the debrief is published, observations no longer change.
    for status in ["in_progress", "debriefed", "published"] {
        db::visits::advance(&mut conn, visit_id, status.parse().unwrap()).unwrap();
    }
    let late = app
        .post_form(
            &format!("/visits/{visit_id}/observations/{id}"),
            &[("setting", "tour")],
        )
        .await;
    assert_eq!(late.status(), 422, "the form comes back with the reason");
    assert!(late.text().await.unwrap().contains("no longer change"));
    assert_eq!(
        db::observations::find(&mut conn, id)
            .unwrap()
            .setting
            .as_str(),
        "planning"
    );
}

#[tokio::test]
async fn the_teacher_field_appears_only_where_the_district_turns_it_on() {
    let app = spawn_app().await;
    let member = app.create_user(&[Role::Visitor], None, None);
    let (visit_id, _, indicators) = visit_with_framework(&app, &[member.id]);
    let admin = TestApp::second_browser(&app);
    let admin_user = app.create_user(&[Role::Admin], None, None);
    assert_eq!(
        admin
            .sign_in(&admin_user.email, crate::helpers::TEST_PASSWORD)
            .await
            .status(),
        303
    );
    app.sign_in(&member.email, crate::helpers::TEST_PASSWORD)
        .await;
    let capture = format!("/visits/{visit_id}/observe");
    assert!(!app.get_text(&capture).await.contains("name=\"teacher\""));
    // Off: a teacher sent anyway is not kept.
    let ignored = app
        .post_form(
            &format!("/visits/{visit_id}/observations"),
            &[
                ("idempotency_key", "teacher-off-0001"),
                ("setting", "classroom"),
                ("teacher", "Ms Lee"),
            ],
        )
        .await;
    assert_eq!(ignored.status(), 303);

    let settings = [
        ("teacher_field", "on"),
        ("weak_share_percent", "60"),
        ("weak_min_snapshots", "3"),
        ("department_due_days", "30"),
        ("school_due_days", "14"),
        ("due_soon_days", "3"),
        ("time_zone", "America/Chicago"),
    ];
    let mut bad = settings.to_vec();
    bad[1] = ("weak_share_percent", "0");
    let refused = admin.post_form("/admin/settings", &bad).await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Enter a whole number from 1 to 100."));
    assert_eq!(
        admin.post_form("/admin/settings", &settings).await.status(),
        303
    );
    assert!(app.get_text(&capture).await.contains("name=\"teacher\""));
    let tick = format!("tick_{}", indicators[0]);
    let kept = app
        .post_form(
            &format!("/visits/{visit_id}/observations"),
            &[
                ("idempotency_key", "teacher-on-0001"),
                ("setting", "classroom"),
                ("teacher", "Ms Lee"),
                (&tick, "observed"),
            ],
        )
        .await;
    assert_eq!(kept.status(), 303);
    let by_api = app
        .client
        .post(app.url(&format!("/api/v1/visits/{visit_id}/observations")))
        .header("x-csrf-token", app.csrf())
        .header("Idempotency-Key", "teacher-on-0002")
        .json(&json!({"setting": "planning", "teacher": "Mr Diaz"}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_api.status(), 201);
    let stored = db::observations::for_visit(&mut app.conn(), visit_id).unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|o| o.teacher.as_str())
            .collect::<Vec<_>>(),
        ["", "Ms Lee", "Mr Diaz"]
    );
    let saved = db::settings::find(&mut app.conn()).unwrap();
    assert_eq!(saved.rules.weak_share_percent, 60);
}
