//! Visits: planning, the rotation planner, and who may see which visit.

use campus_visits::db;
use campus_visits::domain::account::Role;
use campus_visits::domain::visit::NewVisit;
use serde_json::json;

use crate::helpers::{api_error, browser, location, spawn_app, TestApp, TEST_PASSWORD};

fn school(app: &TestApp, code: &str) -> i64 {
    let mut conn = app.conn();
    let school = campus_visits::domain::school::NewSchool::parse(
        &format!("{code} School"),
        code,
        "middle",
        true,
    )
    .unwrap();
    db::schools::insert(&mut conn, &school).unwrap()
}

fn visit(app: &TestApp, school_id: i64, date: &str, members: &[i64]) -> i64 {
    let mut conn = app.conn();
    let visit = NewVisit::parse(
        Some(school_id),
        date,
        None,
        None,
        "",
        members.iter().copied().collect(),
        Default::default(),
    )
    .unwrap();
    db::visits::insert(&mut conn, &visit).unwrap()
}

#[tokio::test]
async fn a_lead_plans_a_visit_with_its_team_and_agenda_and_moves_it_along() {
    let app = spawn_app().await;
    let lead = app.sign_in_as(&[Role::VisitLead]).await;
    let oak = school(&app, "OAK");
    let mut conn = app.conn();
    let department =
        campus_visits::domain::department::NewDepartment::parse("Multilingual", "", true).unwrap();
    let department_id = db::departments::insert(&mut conn, &department).unwrap();
    let visitor = app.create_user(&[Role::Visitor], None, Some(department_id));

    let form = app.get_text("/visits/new").await;
    assert!(
        form.contains(&format!(r#"name="member_{}""#, visitor.id)),
        "visitors are offered for the team"
    );
    let bad = app
        .post_form("/visits", &[("school_id", ""), ("date", "2027-13-01")])
        .await;
    assert_eq!(bad.status(), 422);
    let bad_text = bad.text().await.unwrap();
    assert!(bad_text.contains("Choose the campus.") && bad_text.contains("YYYY-MM-DD"));

    let member = format!("member_{}", visitor.id);
    let created = app
        .post_form(
            "/visits",
            &[
                ("school_id", &oak.to_string()),
                ("date", "2027-01-13"),
                ("lead_id", &lead.id.to_string()),
                ("focus", "Checks for understanding in grade 7 math"),
                (&member, "on"),
                ("segment_classroom_observations", "on"),
                ("segment_debrief", "on"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let page = app.get_text(&location(&created)).await;
    assert!(
        page.contains("OAK School") && page.contains("Checks for understanding in grade 7 math")
    );
    assert!(
        page.contains("Person ") && page.contains("Multilingual"),
        "the team with their departments"
    );
    assert!(page.contains("Classroom observations") && !page.contains("Campus tour"));
    assert!(page.contains("Planned"));

    let id = location(&created)
        .trim_start_matches("/visits/")
        .parse::<i64>()
        .unwrap();
    let moved = app
        .post_form(&format!("/visits/{id}/status"), &[("to", "in_progress")])
        .await;
    assert_eq!(moved.status(), 303);
    assert!(app
        .get_text(&format!("/visits/{id}"))
        .await
        .contains("In progress"));
    let skipped = app
        .post_form(&format!("/visits/{id}/status"), &[("to", "closed")])
        .await;
    assert_eq!(skipped.status(), 409, "statuses move one step at a time");

    let edited = app
        .post_form(
            &format!("/visits/{id}"),
            &[
                ("school_id", &oak.to_string()),
                ("date", "2027-01-20"),
                ("segment_debrief", "on"),
            ],
        )
        .await;
    assert_eq!(edited.status(), 303);
    let visit = db::visits::find_visible(
        &mut conn,
        &db::visits::Viewer {
            user_id: lead.id,
            roles: [Role::VisitLead].into(),
            school_id: None,
            department_id: None,
        },
        id,
    )
    .unwrap();
    assert_eq!(visit.date.to_string(), "2027-01-20");
    assert!(visit.members.is_empty(), "the team is what the form says");
    assert_eq!(
        visit.status,
        campus_visits::domain::visit::VisitStatus::InProgress
    );
}

#[tokio::test]
async fn the_rotation_planner_proposes_the_least_recently_visited_and_confirms() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::VisitLead]).await;
    let alder = school(&app, "ALDER");
    let bowie = school(&app, "BOWIE");
    let carver = school(&app, "CARVER");
    visit(&app, alder, "2026-11-04", &[]);
    visit(&app, carver, "2026-09-02", &[]);

    let bad = app
        .get("/visits/plan?start=2027-01-04&weekday=Sat&weeks=99&closed=soon")
        .await;
    assert_eq!(bad.status(), 422);
    let bad_text = bad.text().await.unwrap();
    assert!(
        bad_text.contains("Choose a school day.")
            && bad_text.contains("Plan from 1 to 52 weeks.")
            && bad_text.contains("soon")
            && bad_text.contains("is not a date")
    );

    let page = app
        .get_text("/visits/plan?start=2027-01-04&weekday=Wed&weeks=4&closed=2027-01-13")
        .await;
    let order: Vec<usize> = ["BOWIE School", "CARVER School", "ALDER School"]
        .iter()
        .map(|n| page.find(n).unwrap())
        .collect();
    assert!(
        order[0] < order[1] && order[1] < order[2],
        "never visited, then the oldest visit first"
    );
    assert!(
        page.contains(r#"value="2027-01-06""#)
            && !page.contains(r#"value="2027-01-13""#)
            && page.contains(r#"value="2027-01-27""#)
    );

    let confirmed = app
        .post_form(
            "/visits/plan",
            &[
                ("keep_0", "on"),
                ("date_0", "2027-01-06"),
                ("school_0", &bowie.to_string()),
                ("date_1", "2027-01-20"),
                ("school_1", &carver.to_string()),
                ("keep_2", "on"),
                ("date_2", "2027-01-29"),
                ("school_2", &alder.to_string()),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 303);
    let mut conn = app.conn();
    let campuses = db::visits::campuses_for_planning(&mut conn).unwrap();
    let last = |id: i64| {
        campuses
            .iter()
            .find(|c| c.school_id == id)
            .unwrap()
            .last_visit
            .unwrap()
            .to_string()
    };
    assert_eq!(last(bowie), "2027-01-06");
    assert_eq!(last(carver), "2026-09-02", "the unticked row was left out");
    assert_eq!(
        last(alder),
        "2027-01-29",
        "the lead's adjusted date was kept"
    );
}

/// Record-level rules: a school leader sees only their school's visits, a
/// visitor only the visits whose team they are on; anything else is 404 —
/// by page, by API and by guessed id.
#[tokio::test]
async fn people_see_only_the_visits_they_may_and_others_are_404() {
    let app = spawn_app().await;
    let oak = school(&app, "OAK");
    let elm = school(&app, "ELM");
    let member = app.create_user(&[Role::Visitor], None, None);
    let oak_visit = visit(&app, oak, "2027-02-03", &[member.id]);
    let elm_visit = visit(&app, elm, "2027-02-10", &[]);

    let oak_leader = app.create_user(&[Role::SchoolLeader], Some(oak), None);
    let outsider = app.create_user(&[Role::Visitor], None, None);
    let head = app.create_user(&[Role::DepartmentHead], None, None);
    let lead = app.create_user(&[Role::VisitLead], None, None);

    let cases: Vec<(&str, &crate::helpers::TestUser, Vec<i64>)> = vec![
        ("school leader of Oak", &oak_leader, vec![oak_visit]),
        ("visitor on Oak's team", &member, vec![oak_visit]),
        ("visitor on no team", &outsider, vec![]),
        ("department head", &head, vec![]),
        ("visit lead", &lead, vec![oak_visit, elm_visit]),
    ];
    for (who, user, visible) in cases {
        let client = browser();
        let (signed_in, _) =
            crate::helpers::sign_in_with(&app, &client, &user.email, TEST_PASSWORD).await;
        assert_eq!(signed_in.status(), 303, "{who} signs in");
        for id in [oak_visit, elm_visit, 987_654] {
            let expected = if visible.contains(&id) { 200 } else { 404 };
            let page = client
                .get(app.url(&format!("/visits/{id}")))
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), expected, "{who}: page of visit {id}");
            let api = client
                .get(app.url(&format!("/api/v1/visits/{id}")))
                .send()
                .await
                .unwrap();
            assert_eq!(api.status(), expected, "{who}: API for visit {id}");
            let debrief = client
                .get(app.url(&format!("/visits/{id}/debrief")))
                .send()
                .await
                .unwrap();
            assert_eq!(debrief.status(), expected, "{who}: debrief of visit {id}");
            // Observations: the team's (and planners'); a school leader who
            // may see the visit is refused them (403); anyone else gets 404.
            let observations_expected = match (visible.contains(&id), who) {
                (false, _) => 404,
                (true, "school leader of Oak") => 403,
                (true, _) => 200,
            };
            let observations = client
                .get(app.url(&format!("/api/v1/visits/{id}/observations")))
                .send()
                .await
                .unwrap();
            assert_eq!(
                observations.status(),
                observations_expected,
                "{who}: observations of visit {id}"
            );
            let capture = client
                .get(app.url(&format!("/visits/{id}/observe")))
                .send()
                .await
                .unwrap();
            assert_eq!(
                capture.status(),
                observations_expected,
                "{who}: capture page of visit {id}"
            );
        }
        let listed: serde_json::Value = client
            .get(app.url("/api/v1/visits"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut ids: Vec<i64> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        let mut expected = visible.clone();
        expected.sort_unstable();
        assert_eq!(ids, expected, "{who}: the list");
        let page = client
            .get(app.url("/visits?when=all"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            page.contains("ELM School"),
            visible.contains(&elm_visit),
            "{who}: the list page"
        );
    }
}

#[tokio::test]
async fn visits_through_the_api() {
    let app = spawn_app().await;
    let oak = school(&app, "OAK");
    let (_, lead_token) = app.token_for(&[Role::VisitLead]);
    let (_, visitor_token) = app.token_for(&[Role::Visitor]);
    let client = browser();
    let body = json!({"school_id": oak, "date": "2027-03-03", "focus": "Small groups", "segments": ["classroom_observations", "debrief"]});
    let refused = client
        .post(app.url("/api/v1/visits"))
        .bearer_auth(&visitor_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let created = client
        .post(app.url("/api/v1/visits"))
        .bearer_auth(&lead_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let visit: serde_json::Value = created.json().await.unwrap();
    assert_eq!(visit["status"], "planned");
    assert_eq!(
        visit["segments"],
        json!(["classroom_observations", "debrief"])
    );
    assert_eq!(visit["school"]["name"], "OAK School");

    let bad = client
        .patch(app.url(&format!("/api/v1/visits/{}", visit["id"])))
        .bearer_auth(&lead_token)
        .json(&json!({"school_id": 987654, "date": "2027-03-03"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 409, "no such campus is on record");
    assert_eq!(
        api_error(bad).await["fields"]["school_id"],
        "Choose an active campus from the list."
    );
    let moved = client
        .patch(app.url(&format!("/api/v1/visits/{}", visit["id"])))
        .bearer_auth(&lead_token)
        .json(&json!({"school_id": oak, "date": "2027-03-10"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let moved: serde_json::Value = moved.json().await.unwrap();
    assert_eq!(moved["date"], "2027-03-10");
    assert_eq!(
        moved["segments"],
        json!(["classroom_observations", "debrief"]),
        "what PATCH does not name keeps its value"
    );
    let hidden = client
        .get(app.url(&format!("/api/v1/visits/{}", visit["id"])))
        .bearer_auth(&visitor_token)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404);
}

#[tokio::test]
async fn a_person_s_calendar_link_lists_their_visits_and_is_replaced_when_remade() {
    let app = spawn_app().await;
    let oak = school(&app, "OAK");
    let elm = school(&app, "ELM");
    let me = app.sign_in_as(&[Role::Visitor]).await;
    let mine = visit(&app, oak, "2030-01-09", &[me.id]);
    let _other = visit(&app, elm, "2030-01-16", &[]);
    let second = visit(&app, elm, "2030-01-23", &[me.id]);

    let made = app.post_form("/account/calendar", &[]).await;
    assert_eq!(made.status(), 200);
    let page = made.text().await.unwrap();
    let start = page.find("/calendar/cv_").expect("the link is shown");
    let path: String = page[start..]
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect();

    // A calendar app has no session: the link is the credential.
    let feed = browser().get(app.url(&path)).send().await.unwrap();
    assert_eq!(feed.status(), 200);
    assert!(feed.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = feed.text().await.unwrap();
    let calendar: icalendar::Calendar = text.parse().expect("a valid iCalendar document");
    use icalendar::Component;
    let events: Vec<&icalendar::Event> = calendar.events().collect();
    assert_eq!(events.len(), 2, "{text}");
    assert_eq!(
        events[0].get_uid(),
        Some(format!("visit-{mine}@campus-visits").as_str())
    );
    assert_eq!(events[0].get_summary(), Some("Campus visit: OAK School"));
    assert_eq!(
        events[0].get_start(),
        Some(icalendar::DatePerhapsTime::Date(
            chrono::NaiveDate::from_ymd_opt(2030, 1, 9).unwrap()
        ))
    );
    assert_eq!(
        events[1].get_uid(),
        Some(format!("visit-{second}@campus-visits").as_str())
    );
    assert!(events[1]
        .get_url()
        .unwrap()
        .ends_with(&format!("/visits/{second}")));

    // A new link replaces the old one.
    app.post_form("/account/calendar", &[]).await;
    assert_eq!(
        browser().get(app.url(&path)).send().await.unwrap().status(),
        404
    );
    assert_eq!(
        browser()
            .get(app.url("/calendar/not-a-token"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn the_calendar_feed_keeps_typed_text_inside_its_values_and_ends_events_the_next_day() {
    let app = spawn_app().await;
    let oak = school(&app, "OAK");
    let me = app.sign_in_as(&[Role::Visitor]).await;
    let mut conn = app.conn();
    let focus = format!(
        "Reading\rATTENDEE:mailto:mallory@evil.example {}",
        "é".repeat(80)
    );
    let planned = NewVisit::parse(
        Some(oak),
        "2030-01-09",
        None,
        None,
        &focus,
        [me.id].into_iter().collect(),
        Default::default(),
    )
    .unwrap();
    db::visits::insert(&mut conn, &planned).unwrap();
    let made = app.post_form("/account/calendar", &[]).await;
    let page = made.text().await.unwrap();
    let start = page.find("/calendar/cv_").expect("the link is shown");
    let path: String = page[start..]
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect();
    let text = browser()
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in text.split("\r\n") {
        assert!(!line.contains('\r'), "a raw carriage return: {line:?}");
        assert!(!line.starts_with("ATTENDEE"), "{text}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let calendar: icalendar::Calendar = text.parse().expect("a valid iCalendar document");
    use icalendar::Component;
    let event = calendar.events().next().expect("the visit");
    let day =
        |d| icalendar::DatePerhapsTime::Date(chrono::NaiveDate::from_ymd_opt(2030, 1, d).unwrap());
    assert_eq!(event.get_start(), Some(day(9)));
    assert_eq!(
        event.get_end(),
        Some(day(10)),
        "a one-day event ends the next day"
    );
    assert!(event
        .get_description()
        .unwrap()
        .contains("Reading\nATTENDEE:mailto:mallory@evil.example"));
}
