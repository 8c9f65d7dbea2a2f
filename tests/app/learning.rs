//! Professional learning, told as the district lives it: a weak look-for at
//! a campus raises a department item, the item is linked to a Wednesday
//! session, the campus registers 6 of its 22 seats, attendance is marked,
//! the next visit shows the look-for's change, and the learning impact
//! reports it against a campus with the same weak look-for that did not
//! attend. Then capacity under concurrency, and the emails.

use campus_visits::db;
use campus_visits::db::action_items::Filter;
use campus_visits::db::visits::Viewer;
use campus_visits::domain::account::Role;
use campus_visits::domain::observation::{IdempotencyKey, NewObservation, RawObservation, Tick};
use campus_visits::domain::visit::{NewVisit, VisitStatus};
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::helpers::{location, spawn_app, TestApp, TestUser};
use crate::items::{signed_in, story, Story};
use crate::smtp::SmtpServer;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn days(n: i64) -> NaiveDate {
    today() + Duration::days(n)
}

/// A visit of `school` on `date` with `ticks` of I1 (one snapshot each),
/// I2 and I3 always seen.
fn visit_with(app: &TestApp, s: &Story, school: i64, date: NaiveDate, ticks: &[Tick]) -> i64 {
    let mut conn = app.conn();
    let visit = NewVisit {
        school_id: school,
        date,
        lead_id: Some(s.lead.id),
        framework_id: Some(s.framework),
        focus: String::new(),
        members: [s.visitor.id].into_iter().collect(),
        segments: Default::default(),
    };
    let id = db::visits::insert(&mut conn, &visit).unwrap();
    for (n, tick) in ticks.iter().enumerate() {
        let these = [
            (s.indicators[0], *tick),
            (s.indicators[1], Tick::Observed),
            (s.indicators[2], Tick::Observed),
        ];
        let raw = RawObservation {
            setting: "classroom",
            ..Default::default()
        };
        let observation = NewObservation::parse(&raw, these.into_iter().collect()).unwrap();
        let key = IdempotencyKey::parse(&format!("learning-{id}-{n}")).unwrap();
        db::observations::submit(&mut conn, id, s.visitor.id, &key, &observation, None).unwrap();
    }
    db::visits::advance(&mut conn, id, VisitStatus::InProgress).unwrap();
    id
}

/// A bearer token for an existing person.
fn token(app: &TestApp, user: &TestUser) -> String {
    let secret = campus_visits::auth::token::generate();
    db::accounts::insert_token(
        &mut app.conn(),
        user.id,
        "test",
        &campus_visits::auth::token::digest(&secret),
    )
    .unwrap();
    secret
}

async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: impl Into<String>,
    body: Option<Value>,
) -> (u16, Value) {
    let path: String = path.into();
    let mut request = reqwest::Client::new()
        .request(method, app.url(&path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

struct Learning {
    s: Story,
    pine: i64,
    elm: i64,
    elm_leader: TestUser,
    item: i64,
}

/// Oak (the story's campus) 40 days ago: I1 seen in none of 3 snapshots,
/// so Curriculum's item is published; Pine, 35 days ago, equally weak in
/// I1 and again 5 days ago; Elm, a campus with no visits.
fn district(app: &TestApp) -> Learning {
    let s = story(app);
    let mut conn = app.conn();
    let school = |name: &str, code: &str| {
        campus_visits::domain::school::NewSchool::parse(name, code, "middle", true).unwrap()
    };
    let pine = db::schools::insert(&mut conn, &school("Pine Middle", "PINE")).unwrap();
    let elm = db::schools::insert(&mut conn, &school("Elm Middle", "ELM")).unwrap();
    let elm_leader = app.create_user(&[Role::SchoolLeader], Some(elm), None);
    use Tick::{NotObserved as N, Observed as O};
    let oak_first = visit_with(app, &s, s.school, days(-40), &[N, N, N]);
    db::visits::advance(&mut conn, oak_first, VisitStatus::Debriefed).unwrap();
    db::action_items::generate(&mut conn, oak_first, s.lead.id).unwrap();
    db::action_items::publish(&mut conn, oak_first, s.lead.id).unwrap();
    let items = db::action_items::list(
        &mut conn,
        &Viewer::everyone(),
        &Filter {
            visit_id: Some(oak_first),
            ..Filter::default()
        },
    )
    .unwrap();
    let item = items
        .iter()
        .find(|i| i.department.as_ref().map(|d| d.id) == Some(s.curriculum))
        .expect("Curriculum's item for the weak I1")
        .id;
    visit_with(app, &s, pine, days(-35), &[N, N, O, N]);
    visit_with(app, &s, pine, days(-5), &[N, N, O, N]);
    let _ = O;
    Learning {
        s,
        pine,
        elm,
        elm_leader,
        item,
    }
}

#[tokio::test]
async fn a_weak_look_for_goes_to_a_wednesday_session_and_the_impact_view_reports_its_change() {
    let app = spawn_app().await;
    let d = district(&app);
    let s = &d.s;

    // The head of Curriculum adds the offering on its page.
    let head = signed_in(&app, &s.head).await;
    let form = head.get_text("/learning/offerings/new").await;
    assert!(form.contains("Look-fors it addresses"), "{form}");
    let created = head
        .post_form(
            "/learning/offerings",
            &[
                ("title", "Checks for understanding in grade-6 math"),
                ("description", "Whiteboards, cold calls and exit tickets."),
                ("format", "on_site"),
                ("department_id", &s.curriculum.to_string()),
                ("audience", "teachers"),
                ("credit_hours", "2.5"),
                ("look_fors", "i1"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let offering: i64 = location(&created)
        .trim_start_matches("/learning/offerings/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Another department's head may not add to Curriculum's catalogue.
    let tech = token(&app, &s.tech_head);
    let (status, _) = call(
        &app,
        &tech,
        reqwest::Method::POST,
        &format!("/api/v1/offerings/{offering}/sessions"),
        Some(
            json!({"date": days(7).to_string(), "starts_at": "13:30", "ends_at": "16:00",
                    "place": "Central Office, room 4", "capacity": 22}),
        ),
    )
    .await;
    assert_eq!(status, 403);

    // The Wednesday series and a session of 22 seats, through the API.
    let curriculum = token(&app, &s.head);
    let (status, series) = call(
        &app,
        &curriculum,
        reqwest::Method::POST,
        "/api/v1/series",
        Some(json!({"name": "Wednesday extended-day training"})),
    )
    .await;
    assert_eq!(status, 201, "{series}");
    let (status, session) = call(
        &app,
        &curriculum,
        reqwest::Method::POST,
        &format!("/api/v1/offerings/{offering}/sessions"),
        Some(
            json!({"date": days(7).to_string(), "starts_at": "13:30", "ends_at": "16:00",
                    "place": "Central Office, room 4", "capacity": 22,
                    "series_id": series["id"], "facilitator_id": s.staff.id}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{session}");
    assert_eq!(session["offering"]["id"], offering);
    assert_eq!(session["seats_left"], 22);
    assert_eq!(session["series"]["name"], "Wednesday extended-day training");
    let session_id = session["id"].as_i64().unwrap();

    // The item's page offers the session for its look-for; the head links it.
    let item_page = head.get_text(&format!("/items/{}", d.item)).await;
    assert!(
        item_page.contains("Learning for its look-fors"),
        "{item_page}"
    );
    assert!(item_page.contains("Checks for understanding in grade-6 math"));
    let linked = head
        .post_form(
            &format!("/items/{}/learning", d.item),
            &[("session_id", &session_id.to_string())],
        )
        .await;
    assert_eq!(linked.status(), 303);
    let (status, learning) = call(
        &app,
        &curriculum,
        reqwest::Method::GET,
        &format!("/api/v1/items/{}/learning", d.item),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(learning["linked"][0]["offering"]["id"], offering);
    assert_eq!(learning["linked"][0]["session"]["id"], session_id);
    // The visit's summary names the linked session with its day and place.
    let visit_id = db::action_items::find_visible(&mut app.conn(), &Viewer::everyone(), d.item)
        .unwrap()
        .visit_id;
    let summary = db::mailing::visit_summary(&mut app.conn(), visit_id).unwrap();
    let linked = &summary.learning[&d.item];
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].session.as_ref().unwrap().id, session_id);
    let messages = campus_visits::mail::messages::visit_summary(&summary, "http://campus.test");
    let to_head = messages
        .iter()
        .find(|m| m.recipient == s.head.email)
        .expect("the head's summary");
    let line = format!(
        "Learning: Checks for understanding in grade-6 math, {} 13:30–16:00, Central Office, room 4",
        days(7)
    );
    assert!(to_head.text_body.contains(&line), "{}", to_head.text_body);
    assert!(to_head.html_body.contains(&format!(
        "http://campus.test/learning/sessions/{session_id}"
    )));

    // The department page and the district overview offer the session for
    // I1, weak at Oak's and at Pine's latest visits.
    let department = head
        .get_text(&format!("/departments/{}", s.curriculum))
        .await;
    let learning = department
        .split("id=\"learning\"")
        .nth(1)
        .expect("the department's learning section");
    assert!(
        learning.contains(&format!("/learning/sessions/{session_id}")),
        "{learning}"
    );
    assert!(learning.contains("22 seats left"), "{learning}");
    let weak_row = learning.split("</tr>").nth(1).unwrap_or_default();
    assert!(weak_row.contains("<td class=\"num\">2</td>"), "{weak_row}");
    let lead = signed_in(&app, &s.lead).await;
    let overview = lead.get_text("/overview").await;
    let learning = overview
        .split("id=\"learning\"")
        .nth(1)
        .expect("the overview's learning section");
    assert!(
        learning.contains(&format!("/learning/sessions/{session_id}")),
        "{learning}"
    );
    // Technology owns no weak look-for that a session addresses.
    let tech_page = signed_in(&app, &s.tech_head)
        .await
        .get_text(&format!("/departments/{}", s.technology))
        .await;
    assert!(tech_page.contains("No weak look-for has a session to come."));

    // A school leader of another campus cannot link Oak's item.
    let elm_token = token(&app, &d.elm_leader);
    let (status, _) = call(
        &app,
        &elm_token,
        reqwest::Method::POST,
        &format!("/api/v1/items/{}/learning", d.item),
        Some(json!({"offering_id": offering})),
    )
    .await;
    assert_eq!(status, 404, "Oak's item is out of Elm's sight");

    // Oak's leader registers 6 of the 22 seats on the session's page.
    let leader = signed_in(&app, &s.leader).await;
    let page = leader
        .get_text(&format!("/learning/sessions/{session_id}"))
        .await;
    assert!(page.contains("22 of 22 seats left"), "{page}");
    assert!(
        page.contains(&format!("/items/{}", d.item)),
        "the item it serves"
    );
    let registered = leader
        .post_form(
            &format!("/learning/sessions/{session_id}/register"),
            &[("participants", "6")],
        )
        .await;
    assert_eq!(registered.status(), 303);
    // A leader may not register another campus.
    let refused = leader
        .post_form(
            &format!("/learning/sessions/{session_id}/register"),
            &[("participants", "2"), ("school_id", &d.pine.to_string())],
        )
        .await;
    assert_eq!(refused.status(), 403);
    // Elm's leader registers 4 through the API; more than is left is 409.
    let path = format!("/api/v1/sessions/{session_id}/registrations/{}", d.elm);
    let (status, body) = call(
        &app,
        &elm_token,
        reqwest::Method::PUT,
        &path,
        Some(json!({"participants": 17})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["error"]["fields"]["participants"],
        "Only 16 seats are left of 22."
    );
    let (status, body) = call(
        &app,
        &elm_token,
        reqwest::Method::PUT,
        &path,
        Some(json!({"participants": 4})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = call(
        &app,
        &elm_token,
        reqwest::Method::PUT,
        &path,
        Some(json!({"participants": 4})),
    )
    .await;
    assert_eq!(status, 200, "the same count again changes nothing");
    // Elm's leader sees Elm's registration only; the facilitator sees both.
    let (_, seen) = call(
        &app,
        &elm_token,
        reqwest::Method::GET,
        &format!("/api/v1/sessions/{session_id}"),
        None,
    )
    .await;
    assert_eq!(seen["session"]["seats_taken"], 10);
    assert_eq!(seen["registrations"].as_array().unwrap().len(), 1, "{seen}");
    assert_eq!(
        seen["serves"].as_array().unwrap().len(),
        0,
        "Oak's item is not Elm's to see"
    );

    // Time passes: the session took place 20 days ago.
    diesel::RunQueryDsl::execute(
        diesel::update(diesel::QueryDsl::find(
            campus_visits::db::schema::learning_sessions::table,
            session_id,
        ))
        .set(diesel::ExpressionMethods::eq(
            campus_visits::db::schema::learning_sessions::on_date,
            days(-20),
        )),
        &mut app.conn(),
    )
    .unwrap();
    // Registration has closed; the facilitator marks attendance on the page.
    let (status, _) = call(
        &app,
        &elm_token,
        reqwest::Method::PUT,
        &path,
        Some(json!({"participants": 5})),
    )
    .await;
    assert_eq!(status, 409);
    let facilitator = signed_in(&app, &s.staff).await;
    let marked = facilitator
        .post_form(
            &format!("/learning/sessions/{session_id}/attendance"),
            &[
                (&format!("attended_{}", s.school) as &str, "6"),
                (&format!("attended_{}", d.elm), "0"),
            ],
        )
        .await;
    assert_eq!(marked.status(), 303);
    // Oak's leader may not mark attendance.
    let refused = leader
        .post_form(
            &format!("/learning/sessions/{session_id}/attendance"),
            &[(&format!("attended_{}", s.school) as &str, "22")],
        )
        .await;
    assert_eq!(refused.status(), 403);

    // Before the next visit: not yet measured, said honestly.
    let impact = |token: String| {
        let app = &app;
        async move {
            let (status, body) = call(
                app,
                &token,
                reqwest::Method::GET,
                "/api/v1/insights/learning",
                None,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["offering"]["id"] == offering && r["code"] == "I1")
                .cloned()
                .unwrap_or_else(|| panic!("the offering's I1 row in {body}"))
        }
    };
    let row = impact(curriculum.clone()).await;
    assert_eq!(row["attended"]["campuses"], 1, "{row}");
    assert_eq!(row["attended"]["not_yet_measured"], 1);
    assert_eq!(row["attended"]["mean_change"], Value::Null);

    // Oak's next visit, 10 days ago: I1 seen in all 3 snapshots.
    use Tick::Observed as O;
    visit_with(&app, s, s.school, days(-10), &[O, O, O]);
    let row = impact(curriculum.clone()).await;
    assert_eq!(row["attended"]["campuses"], 1, "{row}");
    assert_eq!(row["attended"]["improved"], 1);
    assert_eq!(row["attended"]["mean_change"], 100.0);
    let oak = &row["attended"]["detail"][0];
    assert_eq!(oak["school"]["id"], s.school);
    assert_eq!(oak["before"]["observed"], 0);
    assert_eq!(oak["after"]["observed"], 3);
    assert_eq!(oak["movement"], "improved");
    // Pine, as weak in I1 and not there, is the comparison: no change.
    assert_eq!(row["compared"]["campuses"], 1, "{row}");
    assert_eq!(row["compared"]["detail"][0]["school"]["id"], d.pine);
    assert_eq!(row["compared"]["same"], 1);
    assert_eq!(row["compared"]["mean_change"], 0.0);
    // Elm attended with nobody and has no visits: in neither group.
    assert!(row["attended"]["detail"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["school"]["id"] != d.elm));

    // The page says the same, in words.
    let page = head.get_text("/insights/learning").await;
    assert!(
        page.contains("1 campus: 1 improved, 0 no change, 0 declined"),
        "{page}"
    );
    assert!(page.contains("+100.0"), "{page}");
    // Each campus is listed for the offering opened.
    assert!(!page.contains("Pine Middle: 25% (1 of 4)"), "{page}");
    let opened = format!(
        "/insights/learning?department_id={}&offering_id={offering}#campuses",
        s.curriculum
    );
    assert!(page.contains(&opened.replace('&', "&amp;")), "{page}");
    let page = head.get_text(&opened).await;
    assert!(page.contains("Pine Middle: 25% (1 of 4)"), "{page}");
    // Another department's head sees their own (empty) impact, not Curriculum's.
    let (status, _) = call(
        &app,
        &tech,
        reqwest::Method::GET,
        &format!("/api/v1/insights/learning?department_id={}", s.curriculum),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (_, own) = call(
        &app,
        &tech,
        reqwest::Method::GET,
        "/api/v1/insights/learning",
        None,
    )
    .await;
    assert_eq!(own["items"], json!([]));

    // Credit hours roll up per campus: 6 attendees × 2.5 hours.
    let (_, admin_token) = app.token_for(&[Role::Admin]);
    let (status, credits) = call(
        &app,
        &admin_token,
        reqwest::Method::GET,
        "/api/v1/learning/credits",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let oak = credits["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["school"]["id"] == s.school)
        .cloned()
        .unwrap();
    assert_eq!(oak["attended"], 6);
    assert_eq!(oak["credit_hours"], "15");

    // The audit log holds each change.
    let actions: Vec<String> = db::audit::list(
        &mut app.conn(),
        &Default::default(),
        campus_visits::domain::paging::PageRequest::new(Some(1), Some(200)),
    )
    .unwrap()
    .items
    .into_iter()
    .map(|e| e.action)
    .collect();
    for action in [
        "offering.created",
        "series.created",
        "session.created",
        "action_item.learning_linked",
        "registration.created",
        "attendance.marked",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn the_last_seats_go_to_one_campus_when_several_register_at_once() {
    let app = spawn_app().await;
    let s = story(&app);
    let mut conn = app.conn();
    let offering = db::learning::insert_offering(
        &mut conn,
        &campus_visits::domain::learning::NewOffering {
            title: "Personalised learning".into(),
            description: String::new(),
            format: campus_visits::domain::learning::Format::OnSite,
            department_id: s.curriculum,
            audience: campus_visits::domain::learning::Audience::Teachers,
            credit_tenths: 30,
            look_fors: vec![],
            active: true,
        },
    )
    .unwrap();
    let session = db::learning::insert_session(
        &mut conn,
        offering,
        &campus_visits::domain::learning::NewSession {
            series_id: None,
            on_date: days(14),
            starts_at: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            ends_at: chrono::NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
            place: "Central Office".into(),
            capacity: 22,
            facilitator_id: None,
            cancelled: false,
        },
    )
    .unwrap();
    // Eight campuses, each leader asking for 3 seats at the same moment:
    // 22 seats hold 7 of them, and never a seat more.
    let mut leaders = Vec::new();
    for n in 0..8 {
        let school = db::schools::insert(
            &mut conn,
            &campus_visits::domain::school::NewSchool::parse(
                &format!("Campus {n}"),
                &format!("C{n}"),
                "middle",
                true,
            )
            .unwrap(),
        )
        .unwrap();
        let leader = app.create_user(&[Role::SchoolLeader], Some(school), None);
        leaders.push((school, token(&app, &leader)));
    }
    let attempts = leaders.iter().map(|(school, token)| {
        call(
            &app,
            token,
            reqwest::Method::PUT,
            format!("/api/v1/sessions/{session}/registrations/{school}"),
            Some(json!({"participants": 3})),
        )
    });
    let outcomes = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = outcomes.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        7,
        "{outcomes:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        1,
        "{outcomes:?}"
    );
    let refused = outcomes.iter().find(|(s, _)| *s == 409).unwrap();
    assert_eq!(
        refused.1["error"]["fields"]["participants"],
        "Only 1 seat is left of 22."
    );
    let held = db::learning::session(&mut conn, session).unwrap();
    assert_eq!(held.taken, 21);
    assert!(held.taken <= held.capacity);

    // The last seat, asked for by two campuses at once: one gets it.
    let (refused_school, refused_token) = leaders
        .iter()
        .zip(&statuses)
        .find(|(_, status)| **status == 409)
        .map(|((school, token), _)| (*school, token.clone()))
        .unwrap();
    let extra = db::schools::insert(
        &mut conn,
        &campus_visits::domain::school::NewSchool::parse("Campus last", "CL", "middle", true)
            .unwrap(),
    )
    .unwrap();
    let extra_leader = app.create_user(&[Role::SchoolLeader], Some(extra), None);
    let extra_token = token(&app, &extra_leader);
    let (a, b) = tokio::join!(
        call(
            &app,
            &refused_token,
            reqwest::Method::PUT,
            format!("/api/v1/sessions/{session}/registrations/{refused_school}"),
            Some(json!({"participants": 1})),
        ),
        call(
            &app,
            &extra_token,
            reqwest::Method::PUT,
            format!("/api/v1/sessions/{session}/registrations/{extra}"),
            Some(json!({"participants": 1})),
        ),
    );
    let mut last = [a.0, b.0];
    last.sort();
    assert_eq!(last, [201, 409], "{a:?} {b:?}");
    let held = db::learning::session(&mut conn, session).unwrap();
    assert_eq!(held.taken, 22);
    assert!(held.is_full());
}

#[tokio::test]
async fn registration_reminder_and_department_list_arrive_once_by_email() {
    let app = spawn_app().await;
    let s = story(&app);
    let mut conn = app.conn();
    let offering = db::learning::insert_offering(
        &mut conn,
        &campus_visits::domain::learning::NewOffering {
            title: "Summer series: checks for understanding".into(),
            description: String::new(),
            format: campus_visits::domain::learning::Format::Blended,
            department_id: s.curriculum,
            audience: campus_visits::domain::learning::Audience::Both,
            credit_tenths: 60,
            look_fors: vec!["I1".into()],
            active: true,
        },
    )
    .unwrap();
    let session_on = |conn: &mut db::DbConn, date| {
        db::learning::insert_session(
            conn,
            offering,
            &campus_visits::domain::learning::NewSession {
                series_id: None,
                on_date: date,
                starts_at: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                ends_at: chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
                place: "Lincoln High library".into(),
                capacity: 22,
                facilitator_id: None,
                cancelled: false,
            },
        )
        .unwrap()
    };
    let tomorrow = session_on(&mut conn, days(1));
    let in_three_days = session_on(&mut conn, days(3));
    let smtp = SmtpServer::start();
    let worker = crate::mail::worker(&app, &smtp.url());

    let leader = token(&app, &s.leader);
    for session in [tomorrow, in_three_days] {
        let (status, body) = call(
            &app,
            &leader,
            reqwest::Method::PUT,
            &format!("/api/v1/sessions/{session}/registrations/{}", s.school),
            Some(json!({"participants": 6})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        // Sending the same registration again sends nothing more.
        let (status, _) = call(
            &app,
            &leader,
            reqwest::Method::PUT,
            &format!("/api/v1/sessions/{session}/registrations/{}", s.school),
            Some(json!({"participants": 6})),
        )
        .await;
        assert_eq!(status, 200);
    }
    // The day's reminders, written twice as two instances would.
    for _ in 0..2 {
        db::write_transaction(&mut conn, |conn| {
            campus_visits::jobs::learning_reminders(conn, today(), "http://127.0.0.1")
        })
        .unwrap();
    }
    crate::mail::drain(&worker).await;
    let mails = smtp.wait_for(4).await;
    let subjects: Vec<(String, Vec<String>)> =
        mails.iter().map(|m| (m.parts().0, m.to.clone())).collect();
    let count = |prefix: &str| {
        subjects
            .iter()
            .filter(|(s, _)| s.starts_with(prefix))
            .count()
    };
    assert_eq!(count("Registered: Summer series"), 2, "{subjects:?}");
    assert_eq!(count("Tomorrow: Summer series"), 1, "{subjects:?}");
    assert_eq!(
        count("Summer series: checks for understanding on "),
        1,
        "{subjects:?}"
    );
    assert_eq!(mails.len(), 4, "{subjects:?}");
    let head_email = db::users::find(&mut conn, s.head.id).unwrap().email;
    let list = mails
        .iter()
        .find(|m| m.parts().0.contains("seats registered"))
        .unwrap();
    assert_eq!(list.to, vec![head_email]);
    let (_, text, html) = list.parts();
    assert!(text.contains("- Oak Middle: 6"), "{text}");
    assert!(html.contains("Oak Middle: 6"), "{html}");
    let reminder = mails
        .iter()
        .find(|m| m.parts().0.starts_with("Tomorrow"))
        .unwrap();
    assert!(reminder.parts().1.contains("Lincoln High library"));

    // Both sessions are in the leader's calendar feed, at the district's
    // wall-clock time as UTC.
    let browser = signed_in(&app, &s.leader).await;
    let page = browser
        .post_form("/account/calendar", &[])
        .await
        .text()
        .await
        .unwrap();
    let start = page.find("/calendar/cv_").expect("the link is shown");
    let path: String = page[start..]
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect();
    let text = crate::helpers::browser()
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let calendar: icalendar::Calendar = text.parse().expect("a valid iCalendar document");
    use icalendar::{Component, EventLike};
    let events: Vec<&icalendar::Event> = calendar
        .events()
        .filter(|e| e.get_uid().is_some_and(|u| u.starts_with("session-")))
        .collect();
    assert_eq!(events.len(), 2, "{text}");
    let first = events
        .iter()
        .find(|e| e.get_uid() == Some(format!("session-{tomorrow}@campus-visits").as_str()))
        .expect("tomorrow's session");
    assert_eq!(
        first.get_summary(),
        Some("Professional learning: Summer series: checks for understanding")
    );
    assert_eq!(first.get_location(), Some("Lincoln High library"));
    let zone: chrono_tz::Tz = db::settings::find(&mut conn).unwrap().time_zone;
    let expected = {
        use chrono::TimeZone;
        zone.from_local_datetime(&days(1).and_hms_opt(9, 0, 0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    assert_eq!(
        first.get_start(),
        Some(icalendar::DatePerhapsTime::DateTime(
            icalendar::CalendarDateTime::Utc(expected)
        ))
    );
}

/// Empties the district's catalogue (and what hangs off it), for an
/// import into a district without one.
fn empty_catalogue(conn: &mut db::DbConn) {
    for table in [
        "action_item_learning",
        "session_registrations",
        "learning_sessions",
        "offering_look_fors",
        "offerings",
        "learning_series",
    ] {
        db::raw::execute(conn, &format!("DELETE FROM {table}"), &[]).unwrap();
    }
}

fn ran(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_catalogue_exported_and_imported_into_a_district_without_one_is_the_same() {
    use crate::helpers::{campus_visits, TestDb};
    // The demo district, with its catalogue, copied whole to a second
    // database whose catalogue is then emptied.
    let first = TestDb::fresh();
    ran(&campus_visits(first.url(), &["demo"]));
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    ran(&campus_visits(
        first.url(),
        &["export", "district", "--output", &path("district.json")],
    ));
    let json = ran(&campus_visits(first.url(), &["export", "catalogue"]));
    let offerings = ran(&campus_visits(
        first.url(),
        &["export", "catalogue", "--format", "offerings-csv"],
    ));
    let sessions = ran(&campus_visits(
        first.url(),
        &["export", "catalogue", "--format", "sessions-csv"],
    ));
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["offerings"].as_array().unwrap().len(), 4, "{json}");
    assert!(doc["series"].as_array().unwrap().len() >= 2);
    std::fs::write(path("catalogue.json"), &json).unwrap();
    std::fs::write(path("offerings.csv"), &offerings).unwrap();
    std::fs::write(path("sessions.csv"), &sessions).unwrap();

    for (format, args) in [
        ("JSON", vec![path("catalogue.json")]),
        (
            "CSV",
            vec![
                path("offerings.csv"),
                "--sessions".into(),
                path("sessions.csv"),
            ],
        ),
    ] {
        let second = TestDb::fresh();
        ran(&campus_visits(
            second.url(),
            &["import", "district", &path("district.json")],
        ));
        empty_catalogue(&mut second.connect());
        assert_eq!(
            ran(&campus_visits(second.url(), &["export", "catalogue"])),
            "{\n  \"series\": [],\n  \"offerings\": []\n}\n"
        );
        let mut import = vec!["import", "catalogue"];
        import.extend(args.iter().map(String::as_str));
        let said = ran(&campus_visits(second.url(), &import));
        assert!(said.contains("4 offerings added"), "{format}: {said}");
        let again = ran(&campus_visits(second.url(), &["export", "catalogue"]));
        // The CSV files name series only; their descriptions travel in JSON.
        let expected = if format == "CSV" {
            let mut doc = doc.clone();
            for series in doc["series"].as_array_mut().unwrap() {
                series["description"] = json!("");
            }
            serde_json::to_string_pretty(&doc).unwrap() + "\n"
        } else {
            json.clone()
        };
        assert_eq!(again, expected, "{format}: the same catalogue");
        // Importing the same file again changes nothing and adds nothing.
        let said = ran(&campus_visits(second.url(), &import));
        assert!(
            said.contains("0 offerings added, 4 updated"),
            "{format}: {said}"
        );
        assert!(said.contains("0 sessions added"), "{format}: {said}");
        assert_eq!(
            ran(&campus_visits(second.url(), &["export", "catalogue"])),
            expected
        );
    }

    // A file with mistakes in several places is refused whole, each named.
    let mut bad = doc.clone();
    bad["offerings"][0]["department"] = json!("Finance");
    bad["offerings"][1]["look_fors"] = json!(["ZZ9"]);
    bad["offerings"][2]["sessions"][0]["ends_at"] = json!("25:00");
    bad["offerings"][3]["title"] = bad["offerings"][0]["title"].clone();
    std::fs::write(path("bad.json"), bad.to_string()).unwrap();
    let third = TestDb::fresh();
    ran(&campus_visits(
        third.url(),
        &["import", "district", &path("district.json")],
    ));
    empty_catalogue(&mut third.connect());
    let refused = campus_visits(third.url(), &["import", "catalogue", &path("bad.json")]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    for place in [
        "4 problems in the file; nothing was imported",
        "offerings[0].department: no department is named \"Finance\"",
        "offerings[1].look_fors: no framework has the look-for \"ZZ9\"",
        "offerings[2].sessions[0].ends_at",
        "offerings[3].title",
    ] {
        assert!(said.contains(place), "{place} in {said}");
    }
    assert_eq!(
        ran(&campus_visits(third.url(), &["export", "catalogue"])),
        "{\n  \"series\": [],\n  \"offerings\": []\n}\n",
        "nothing was written"
    );
    // And a bad CSV line by line.
    let bad_sessions = sessions.replacen("room 4\",22", "room 4\",lots", 1);
    assert_ne!(bad_sessions, sessions);
    std::fs::write(path("bad-sessions.csv"), bad_sessions).unwrap();
    let refused = campus_visits(
        third.url(),
        &[
            "import",
            "catalogue",
            &path("offerings.csv"),
            "--sessions",
            &path("bad-sessions.csv"),
        ],
    );
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("sessions line 2 (capacity)"), "{said}");
}

/// The catalogue through the API and the pages: exported as JSON and as
/// the two CSV files by those who keep it, imported back into an emptied
/// catalogue as the same, a bad file refused whole with each place named,
/// and each export and import in the audit log.
#[tokio::test]
async fn the_catalogue_travels_through_the_api_and_the_pages() {
    let app = spawn_app().await;
    let d = district(&app);
    let s = &d.s;
    let head = token(&app, &s.head);
    let (status, offering) = call(
        &app,
        &head,
        reqwest::Method::POST,
        "/api/v1/offerings",
        Some(json!({"title": "Number talks", "format": "blended",
                    "department_id": s.curriculum, "audience": "both",
                    "credit_hours": 1.5, "look_fors": ["I1"]})),
    )
    .await;
    assert_eq!(status, 201, "{offering}");
    let (status, _) = call(
        &app,
        &head,
        reqwest::Method::POST,
        &format!("/api/v1/offerings/{}/sessions", offering["id"]),
        Some(
            json!({"date": days(14).to_string(), "starts_at": "13:30", "ends_at": "16:00",
                    "place": "Central Office, room 4", "capacity": 22,
                    "facilitator_id": s.staff.id}),
        ),
    )
    .await;
    assert_eq!(status, 201);

    // Those who keep the catalogue export it; a school leader may not.
    let (status, doc) = call(&app, &head, reqwest::Method::GET, "/api/v1/catalogue", None).await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["offerings"][0]["title"], "Number talks");
    assert_eq!(doc["offerings"][0]["department"], "Curriculum");
    assert_eq!(doc["offerings"][0]["sessions"][0]["capacity"], 22);
    assert_eq!(
        doc["offerings"][0]["sessions"][0]["facilitator"],
        s.staff.email.as_str()
    );
    let leader = token(&app, &s.leader);
    for path in [
        "/api/v1/catalogue",
        "/api/v1/catalogue/offerings.csv",
        "/api/v1/catalogue/sessions.csv",
    ] {
        let (status, _) = call(&app, &leader, reqwest::Method::GET, path, None).await;
        assert_eq!(status, 403, "{path}");
    }
    let csv = |path: &'static str| {
        let (app, head) = (&app, head.clone());
        async move {
            let response = reqwest::Client::new()
                .get(app.url(path))
                .bearer_auth(&head)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            assert!(response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"));
            response.text().await.unwrap()
        }
    };
    let offerings_csv = csv("/api/v1/catalogue/offerings.csv").await;
    let sessions_csv = csv("/api/v1/catalogue/sessions.csv").await;
    assert!(offerings_csv.contains("Number talks,"), "{offerings_csv}");
    assert!(
        sessions_csv.contains(&format!("Number talks,,{}", days(14))),
        "{sessions_csv}"
    );

    // JSON back into an emptied catalogue is the same catalogue.
    empty_catalogue(&mut app.conn());
    let (status, counts) = call(
        &app,
        &head,
        reqwest::Method::POST,
        "/api/v1/catalogue",
        Some(doc.clone()),
    )
    .await;
    assert_eq!(status, 200, "{counts}");
    assert_eq!(counts["offerings_added"], 1);
    assert_eq!(counts["sessions_added"], 1);
    let (_, again) = call(&app, &head, reqwest::Method::GET, "/api/v1/catalogue", None).await;
    assert_eq!(again, doc);
    // The CSV files too; sent again, they add nothing.
    empty_catalogue(&mut app.conn());
    let files = json!({"offerings": offerings_csv, "sessions": sessions_csv});
    for (added, updated) in [(1, 0), (0, 1)] {
        let (status, counts) = call(
            &app,
            &head,
            reqwest::Method::POST,
            "/api/v1/catalogue/csv",
            Some(files.clone()),
        )
        .await;
        assert_eq!(status, 200, "{counts}");
        assert_eq!(counts["offerings_added"], added, "{counts}");
        assert_eq!(counts["offerings_updated"], updated, "{counts}");
        assert_eq!(counts["sessions_added"], added, "{counts}");
    }
    let (_, again) = call(&app, &head, reqwest::Method::GET, "/api/v1/catalogue", None).await;
    assert_eq!(again, doc);

    // A bad file is refused whole, each place named; nothing is written.
    let mut bad = doc.clone();
    bad["offerings"][0]["title"] = json!("Number talks, again");
    bad["offerings"][0]["credit_hours"] = json!(500);
    bad["offerings"][0]["sessions"][0]["starts_at"] = json!("1:30pm");
    let (status, refused) = call(
        &app,
        &head,
        reqwest::Method::POST,
        "/api/v1/catalogue",
        Some(bad),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "The catalogue was not imported: 2 problems in the file."
    );
    let fields = refused["error"]["fields"].as_object().expect("fields");
    assert!(
        fields.contains_key("offerings[0].credit_hours"),
        "{refused}"
    );
    assert!(
        fields.contains_key("offerings[0].sessions[0].starts_at"),
        "{refused}"
    );
    let (_, titles) = call(&app, &head, reqwest::Method::GET, "/api/v1/offerings", None).await;
    assert_eq!(titles["items"].as_array().unwrap().len(), 1, "{titles}");
    let (status, refused) = call(
        &app,
        &head,
        reqwest::Method::POST,
        "/api/v1/catalogue/csv",
        Some(json!({"offerings": offerings_csv,
                    "sessions": sessions_csv.replacen(",22,", ",lots,", 1)})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["fields"]
            .as_object()
            .unwrap()
            .contains_key("sessions line 2 (capacity)"),
        "{refused}"
    );
    // Another department's head may not import Curriculum's offerings.
    let tech = token(&app, &s.tech_head);
    let (status, _) = call(
        &app,
        &tech,
        reqwest::Method::POST,
        "/api/v1/catalogue",
        Some(doc.clone()),
    )
    .await;
    assert_eq!(status, 403);

    // On the pages: the exports download, and the import form names each
    // problem of a refused file and says what a good one stored.
    let page = signed_in(&app, &s.head).await;
    let file = page.get_text("/learning/catalogue").await;
    assert!(file.contains("Import or export the catalogue"), "{file}");
    let json_download = page.get("/learning/catalogue.json").await;
    assert_eq!(json_download.status(), 200);
    assert_eq!(
        json_download.headers()["content-disposition"],
        "attachment; filename=\"catalogue.json\""
    );
    let downloaded: Value = json_download.json().await.unwrap();
    assert_eq!(downloaded, doc);
    let sessions_download = page.get("/learning/sessions.csv").await;
    assert_eq!(sessions_download.text().await.unwrap(), sessions_csv);
    let refused = page
        .post_form(
            "/learning/catalogue",
            &[
                ("format", "csv"),
                ("content", &offerings_csv.replace("blended", "by pigeon")),
                ("sessions", &sessions_csv),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let said = refused.text().await.unwrap();
    assert!(
        said.contains("1 problem in the file; nothing was imported"),
        "{said}"
    );
    assert!(said.contains("offerings line 2 (format)"), "{said}");
    let renamed = offerings_csv.replace("Number talks", "Number talks for grade 6");
    let imported = page
        .post_form(
            "/learning/catalogue",
            &[
                ("format", "csv"),
                ("content", &renamed),
                (
                    "sessions",
                    &sessions_csv.replace("Number talks", "Number talks for grade 6"),
                ),
            ],
        )
        .await;
    assert_eq!(imported.status(), 303);
    let after = page.get_text(&location(&imported)).await;
    assert!(
        after.contains(
            "The catalogue was imported: 1 offering added, 0 updated; 1 session added, 0 updated."
        ),
        "{after}"
    );
    // A school leader is refused the page and its files.
    let campus = signed_in(&app, &s.leader).await;
    for path in ["/learning/catalogue", "/learning/offerings.csv"] {
        assert_eq!(campus.get(path).await.status(), 403, "{path}");
    }

    let actions: Vec<String> = db::audit::list(
        &mut app.conn(),
        &Default::default(),
        campus_visits::domain::paging::PageRequest::new(Some(1), Some(200)),
    )
    .unwrap()
    .items
    .into_iter()
    .map(|e| e.action)
    .collect();
    assert!(
        actions
            .iter()
            .filter(|a| *a == "catalogue.exported")
            .count()
            >= 6
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "catalogue.imported")
            .count(),
        4,
        "{actions:?}"
    );
    let _ = (d.pine, d.elm);
}

/// The learning impact kept between views equals the one computed afresh
/// after every kind of change to what it is computed from, and is
/// computed again only then.
#[tokio::test]
async fn the_kept_learning_impact_follows_every_change_to_its_record() {
    use campus_visits::db::learning::{learning_impact, KeptImpact};
    use campus_visits::domain::learning::{Audience, Format, NewOffering, NewSession};
    use Tick::{NotObserved as N, Observed as O};
    let app = spawn_app().await;
    let d = district(&app);
    let s = &d.s;
    let mut conn = app.conn();
    let offering = NewOffering {
        title: "Checks for understanding".into(),
        description: String::new(),
        format: Format::OnSite,
        department_id: s.curriculum,
        audience: Audience::Teachers,
        credit_tenths: 25,
        look_fors: vec!["I1".into()],
        active: true,
    };
    let offering_id = db::learning::insert_offering(&mut conn, &offering).unwrap();
    let session = NewSession {
        series_id: None,
        on_date: days(7),
        starts_at: chrono::NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
        ends_at: chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
        place: "Central Office, room 4".into(),
        capacity: 22,
        facilitator_id: None,
        cancelled: false,
    };
    let session_id = db::learning::insert_session(&mut conn, offering_id, &session).unwrap();
    db::learning::register(&mut conn, session_id, s.school, 6, "", s.leader.id, today()).unwrap();
    db::learning::register(&mut conn, session_id, d.pine, 2, "", s.head.id, today()).unwrap();

    let kept = KeptImpact::default();
    let later = days(9);
    let mut computations = 0;
    let mut check = |conn: &mut db::DbConn, today: NaiveDate, changed: bool, what: &str| {
        let fresh = learning_impact(conn, None, today).unwrap();
        assert_eq!(kept.rows(conn, None, today).unwrap(), fresh, "{what}");
        let department = learning_impact(conn, Some(s.curriculum), today).unwrap();
        assert_eq!(
            kept.rows(conn, Some(s.curriculum), today).unwrap(),
            department,
            "{what}: one department's"
        );
        computations += usize::from(changed);
        assert_eq!(kept.computations(), computations, "{what}");
        fresh
    };
    check(&mut conn, later, true, "first view");
    check(&mut conn, later, false, "nothing changed");
    db::learning::mark_attendance(&mut conn, session_id, &[(s.school, 6), (d.pine, 0)], later)
        .unwrap();
    let rows = check(&mut conn, later, true, "attendance marked");
    assert_eq!(rows[0].attended_pairs.len(), 1, "{rows:?}");
    // Oak's next visit, then one more snapshot of it: the roll-up changes,
    // the visits do not.
    let next = visit_with(&app, s, s.school, days(8), &[O, O]);
    check(
        &mut conn,
        later,
        true,
        "a visit added, its snapshots queued",
    );
    db::insights::bring_up_to_date(&mut conn).unwrap();
    let rows = check(&mut conn, later, true, "the next visit folded");
    assert!(rows[0].attended_pairs[0].1.after.is_some(), "{rows:?}");
    let raw = RawObservation {
        setting: "classroom",
        ..Default::default()
    };
    let ticks = [
        (s.indicators[0], N),
        (s.indicators[1], O),
        (s.indicators[2], O),
    ];
    let observation = NewObservation::parse(&raw, ticks.into_iter().collect()).unwrap();
    let key = IdempotencyKey::parse("kept-one-more").unwrap();
    db::observations::submit(&mut conn, next, s.visitor.id, &key, &observation, None).unwrap();
    db::insights::bring_up_to_date(&mut conn).unwrap();
    check(&mut conn, later, true, "one more snapshot folded");
    // The session cancelled, the offering's look-fors, a campus's name,
    // the district's weak share, and the day.
    let cancelled = NewSession {
        cancelled: true,
        ..session.clone()
    };
    db::learning::update_session(&mut conn, session_id, &cancelled).unwrap();
    let rows = check(&mut conn, later, true, "session cancelled");
    assert!(rows[0].attended_pairs.is_empty(), "{rows:?}");
    db::learning::update_session(&mut conn, session_id, &session).unwrap();
    check(&mut conn, later, true, "session back");
    let both = NewOffering {
        look_fors: vec!["I1".into(), "I2".into()],
        ..offering.clone()
    };
    db::learning::update_offering(&mut conn, offering_id, &both).unwrap();
    assert_eq!(check(&mut conn, later, true, "a look-for added").len(), 2);
    let renamed = campus_visits::domain::school::NewSchool::parse(
        "Pine Grove Middle",
        "PINE",
        "middle",
        true,
    )
    .unwrap();
    db::schools::update(&mut conn, d.pine, &renamed).unwrap();
    check(&mut conn, later, true, "a campus renamed");
    let mut settings = db::settings::find(&mut conn).unwrap();
    settings.rules.weak_share_percent = 20;
    db::settings::save(&mut conn, &settings).unwrap();
    check(&mut conn, later, true, "the weak share changed");
    check(&mut conn, days(10), true, "another day");
    check(&mut conn, days(10), false, "the same day again");
}

/// A series name another series has is refused (409) on create and rename,
/// also with letters beyond ASCII, which SQLite's `lower` does not fold.
#[tokio::test]
async fn a_taken_series_name_is_a_conflict_in_any_letters() {
    let app = crate::helpers::spawn_app().await;
    let (_, admin) = app.token_for(&[campus_visits::domain::account::Role::Admin]);
    let post = |name: &'static str| {
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/series",
            Some(json!({"name": name})),
        )
    };
    let (status, _) = post("Écoles du mercredi").await;
    assert_eq!(status, 201);
    let (status, refused) = post("Écoles du mercredi").await;
    assert_eq!(status, 409, "{refused}");
    let (status, other) = post("Autres écoles").await;
    assert_eq!(status, 201);
    let (status, refused) = call(
        &app,
        &admin,
        reqwest::Method::PUT,
        format!("/api/v1/series/{}", other["id"]),
        Some(json!({"name": "Écoles du mercredi"})),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(
        refused["error"]["fields"]["name"],
        "A series of that name exists."
    );
}
