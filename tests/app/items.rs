//! Action items from a visit's evidence to their verification at the next
//! visit: through the pages and through the API, on both engines.

use std::collections::BTreeSet;

use campus_visits::db;
use campus_visits::db::action_items::{Filter, Item};
use campus_visits::db::visits::Viewer;
use campus_visits::domain::account::Role;
use campus_visits::domain::action_item::Status;
use campus_visits::domain::observation::{IdempotencyKey, NewObservation, RawObservation, Tick};
use campus_visits::domain::visit::{NewVisit, VisitStatus};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, BrowserOn, TestApp, TestUser, TEST_PASSWORD};

const FRAMEWORK: &str = r#"{"name": "Look-fors", "version": 1, "domains": [
  {"name": "Instruction", "indicators": [
    {"code": "I1", "title": "Checks for understanding", "department": "Curriculum"},
    {"code": "I2", "title": "Devices ready", "department": "Technology"},
    {"code": "I3", "title": "Objective posted"}]}]}"#;

/// The people and records of one campus's story.
pub struct Story {
    pub school: i64,
    pub curriculum: i64,
    pub technology: i64,
    pub indicators: Vec<i64>,
    pub framework: i64,
    pub lead: TestUser,
    pub visitor: TestUser,
    pub leader: TestUser,
    pub head: TestUser,
    pub staff: TestUser,
    pub tech_head: TestUser,
}

pub fn story(app: &TestApp) -> Story {
    let mut conn = app.conn();
    let school = db::schools::insert(
        &mut conn,
        &campus_visits::domain::school::NewSchool::parse("Oak Middle", "OAK", "middle", true)
            .unwrap(),
    )
    .unwrap();
    let department = |name: &str| {
        campus_visits::domain::department::NewDepartment::parse(name, "", true).unwrap()
    };
    let curriculum = db::departments::insert(&mut conn, &department("Curriculum")).unwrap();
    let technology = db::departments::insert(&mut conn, &department("Technology")).unwrap();
    let lookup = db::frameworks::department_ids(&mut conn).unwrap();
    let framework = campus_visits::domain::framework::from_json(FRAMEWORK, &|name| {
        lookup.get(&name.to_lowercase()).copied()
    })
    .unwrap();
    let framework = db::frameworks::import(&mut conn, &framework).unwrap().id();
    let indicators = db::frameworks::load(&mut conn, framework).unwrap().domains[0]
        .indicators
        .iter()
        .map(|i| i.id)
        .collect();
    Story {
        school,
        curriculum,
        technology,
        indicators,
        framework,
        lead: app.create_user(&[Role::VisitLead], None, None),
        visitor: app.create_user(&[Role::Visitor], None, Some(curriculum)),
        leader: app.create_user(&[Role::SchoolLeader], Some(school), None),
        head: app.create_user(&[Role::DepartmentHead], None, Some(curriculum)),
        staff: app.create_user(&[Role::Visitor], None, Some(curriculum)),
        tech_head: app.create_user(&[Role::DepartmentHead], None, Some(technology)),
    }
}

pub fn visit(app: &TestApp, s: &Story, date: &str) -> i64 {
    let visit = NewVisit {
        school_id: s.school,
        date: chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        lead_id: Some(s.lead.id),
        framework_id: Some(s.framework),
        focus: String::new(),
        members: [s.visitor.id].into_iter().collect(),
        segments: BTreeSet::new(),
    };
    db::visits::insert(&mut app.conn(), &visit).unwrap()
}

/// Three classroom snapshots: I1 never seen (weak, Curriculum), I2 always
/// seen (fine), I3 seen once (weak, no department: a school step).
pub fn observe(app: &TestApp, s: &Story, visit_id: i64) {
    let mut conn = app.conn();
    let (i1, i2, i3) = (s.indicators[0], s.indicators[1], s.indicators[2]);
    for n in 0..3 {
        let ticks = [
            (i1, Tick::NotObserved),
            (i2, Tick::Observed),
            (i3, if n == 0 { Tick::Observed } else { Tick::Partly }),
        ];
        let raw = RawObservation {
            setting: "classroom",
            ..Default::default()
        };
        let observation = NewObservation::parse(&raw, ticks.into_iter().collect()).unwrap();
        let key = IdempotencyKey::parse(&format!("v{visit_id}-snapshot-{n}")).unwrap();
        db::observations::submit(&mut conn, visit_id, s.visitor.id, &key, &observation, None)
            .unwrap();
    }
}

pub async fn signed_in<'a>(app: &'a TestApp, user: &TestUser) -> BrowserOn<'a> {
    let browser = TestApp::second_browser(app);
    assert_eq!(
        browser.sign_in(&user.email, TEST_PASSWORD).await.status(),
        303
    );
    browser
}

pub fn everything(app: &TestApp, visit_id: i64) -> Vec<Item> {
    let admin = Viewer {
        user_id: 0,
        roles: [Role::Admin].into_iter().collect(),
        school_id: None,
        department_id: None,
    };
    db::action_items::list(
        &mut app.conn(),
        &admin,
        &Filter {
            visit_id: Some(visit_id),
            ..Filter::default()
        },
    )
    .unwrap()
}

/// The `items` of an API list.
pub async fn list_of(response: reqwest::Response) -> Vec<serde_json::Value> {
    let body: serde_json::Value = response.json().await.expect("a JSON list");
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list's items: {body}"))
        .clone()
}

fn by_key<'a>(items: &'a [Item], key: &str) -> &'a Item {
    items
        .iter()
        .find(|i| i.source_key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("an item {key} in {items:?}"))
}

fn status_of(app: &TestApp, visit_id: i64) -> VisitStatus {
    db::visits::find_visible(
        &mut app.conn(),
        &Viewer {
            user_id: 0,
            roles: [Role::Admin].into_iter().collect(),
            school_id: None,
            department_id: None,
        },
        visit_id,
    )
    .unwrap()
    .status
}

#[tokio::test]
async fn a_visit_goes_from_evidence_to_verified_items_through_the_pages() {
    let app = spawn_app().await;
    let s = story(&app);
    let first = visit(&app, &s, "2027-01-06");
    observe(&app, &s, first);
    let lead = signed_in(&app, &s.lead).await;
    let visitor = signed_in(&app, &s.visitor).await;

    // The debrief names a problem of practice for Technology.
    let saved = lead
        .post_form(
            &format!("/visits/{first}/debrief"),
            &[
                ("strengths", "Calm classrooms"),
                ("problem_0", "Laptop carts are not charged"),
                (&format!("problem_0_dept_{}", s.technology), "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);

    // Too early: the visit is not debriefed yet.
    let early = visitor
        .post_form(&format!("/visits/{first}/items/generate"), &[])
        .await;
    assert_eq!(early.status(), 422);
    for to in ["in_progress", "debriefed"] {
        let moved = lead
            .post_form(&format!("/visits/{first}/status"), &[("to", to)])
            .await;
        assert_eq!(moved.status(), 303, "to {to}");
    }

    // A team member proposes items from the evidence.
    let generated = visitor
        .post_form(&format!("/visits/{first}/items/generate"), &[])
        .await;
    assert_eq!(generated.status(), 303);
    let items = everything(&app, first);
    let keys: BTreeSet<&str> = items
        .iter()
        .filter_map(|i| i.source_key.as_deref())
        .collect();
    let problem = db::debriefs::find(&mut app.conn(), first).unwrap().problems[0].id;
    let expected: BTreeSet<String> = [
        format!("department:{}", s.curriculum),
        format!("look-for:{}", s.indicators[2]),
        format!("problem:{problem}"),
        format!("problem:{problem}:department:{}", s.technology),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        keys,
        expected.iter().map(String::as_str).collect(),
        "I2 was seen everywhere: no item for it"
    );
    let curriculum = by_key(&items, &format!("department:{}", s.curriculum));
    assert_eq!(
        curriculum.evidence,
        "I1 Checks for understanding: seen in 0 of 3 snapshots"
    );
    assert_eq!(curriculum.owner.as_ref().map(|o| o.id), Some(s.head.id));
    assert_eq!(
        curriculum.due_on,
        Some(chrono::NaiveDate::from_ymd_opt(2027, 2, 5).unwrap())
    );
    let step = by_key(&items, &format!("look-for:{}", s.indicators[2]));
    assert_eq!(step.owner.as_ref().map(|o| o.id), Some(s.leader.id));
    assert!(step
        .evidence
        .contains("seen in 1 of 3 snapshots, partly in 2"));
    let page = visitor.get_text(&format!("/visits/{first}/items")).await;
    assert!(page.contains("seen in 0 of 3") || page.contains(&curriculum.title));

    // The lead edits one proposal; generating again keeps the edit and adds nothing.
    let edited = lead
        .post_form(
            &format!("/items/{}", curriculum.id),
            &[
                ("version", &curriculum.version.to_string()),
                ("title", "Model checks for understanding in grade 7 math"),
                ("evidence", &curriculum.evidence),
                ("status", "proposed"),
                ("priority", "high"),
                ("owner", &s.head.id.to_string()),
                ("due_on", "2027-02-05"),
            ],
        )
        .await;
    assert_eq!(edited.status(), 303);
    let again = visitor
        .post_form(&format!("/visits/{first}/items/generate"), &[])
        .await;
    assert_eq!(again.status(), 303);
    let items = everything(&app, first);
    assert_eq!(items.len(), 4, "no duplicates: {items:?}");
    let curriculum = by_key(&items, &format!("department:{}", s.curriculum)).clone();
    assert_eq!(
        curriculum.title,
        "Model checks for understanding in grade 7 math"
    );
    assert!(curriculum.edited);

    // Add one by hand, merge the problem's school step into the look-for step.
    let added = visitor
        .post_form(
            &format!("/visits/{first}/items"),
            &[
                ("title", "Share the bell schedule with substitutes"),
                ("department", ""),
                ("priority", "low"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let bad = visitor
        .post_form(&format!("/visits/{first}/items"), &[("title", "  ")])
        .await;
    assert_eq!(bad.status(), 422);
    let step_id = by_key(&items, &format!("look-for:{}", s.indicators[2])).id;
    let problem_step = by_key(&items, &format!("problem:{problem}")).id;
    let merged = lead
        .post_form(
            &format!("/visits/{first}/items/merge"),
            &[
                ("into", &step_id.to_string()),
                ("from", &problem_step.to_string()),
            ],
        )
        .await;
    assert_eq!(merged.status(), 303);

    // The IT representative fixed the carts on the spot.
    let tech = by_key(
        &items,
        &format!("problem:{problem}:department:{}", s.technology),
    )
    .clone();
    let resolved = lead
        .post_form(
            &format!("/items/{}", tech.id),
            &[
                ("version", &tech.version.to_string()),
                ("title", &tech.title),
                ("evidence", &tech.evidence),
                ("status", "resolved"),
                ("priority", "normal"),
                ("note", "Carts charged during the visit"),
            ],
        )
        .await;
    assert_eq!(resolved.status(), 303);

    // Only planners publish; then proposals open and the visit is published.
    let refused = visitor
        .post_form(&format!("/visits/{first}/publish"), &[])
        .await;
    assert_eq!(refused.status(), 403);
    let published = lead
        .post_form(&format!("/visits/{first}/publish"), &[])
        .await;
    assert_eq!(published.status(), 303);
    assert_eq!(status_of(&app, first), VisitStatus::Published);
    let items = everything(&app, first);
    let statuses: Vec<(String, Status)> =
        items.iter().map(|i| (i.title.clone(), i.status)).collect();
    assert_eq!(
        items.iter().filter(|i| i.status == Status::Open).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        items.iter().find(|i| i.id == problem_step).unwrap().status,
        Status::Dropped
    );
    assert_eq!(
        items.iter().find(|i| i.id == tech.id).unwrap().status,
        Status::Resolved
    );
    let curriculum = items
        .iter()
        .find(|i| i.id == curriculum.id)
        .unwrap()
        .clone();

    // The department head sees the board, exports it, and assigns the item.
    let head = signed_in(&app, &s.head).await;
    let board = head
        .get_text(&format!("/departments/{}/items", s.curriculum))
        .await;
    assert!(board.contains("Model checks for understanding in grade 7 math"));
    assert!(!board.contains("Share the bell schedule"), "not theirs");
    assert!(board.contains("<h1>Curriculum — items across campuses</h1>"));
    // A board with nothing on it still names its department.
    let empty = signed_in(&app, &s.tech_head)
        .await
        .get_text(&format!("/departments/{}/items?status=open", s.technology))
        .await;
    assert!(empty.contains("<h1>Technology — items across campuses</h1>"));
    assert!(empty.contains("No items."), "{empty}");
    let csv = head
        .get_text(&format!(
            "/departments/{}/items?status=open&format=csv",
            s.curriculum
        ))
        .await;
    assert!(csv.starts_with("id,campus,visit_date"));
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert_eq!(
        head.get(&format!("/departments/{}/items", s.technology))
            .await
            .status(),
        404,
        "another department's board"
    );
    let assigned = head
        .post_form(
            &format!("/items/{}", curriculum.id),
            &[
                ("version", &curriculum.version.to_string()),
                ("status", "in_progress"),
                ("priority", "high"),
                ("owner", &s.staff.id.to_string()),
                ("due_on", "2027-02-05"),
                ("note", "Ms Lee will model"),
            ],
        )
        .await;
    assert_eq!(assigned.status(), 303);
    // Someone outside the department cannot be the owner.
    let wrong_owner = head
        .post_form(
            &format!("/items/{}", curriculum.id),
            &[
                ("version", &(curriculum.version + 1).to_string()),
                ("status", "in_progress"),
                ("priority", "high"),
                ("owner", &s.leader.id.to_string()),
            ],
        )
        .await;
    assert_eq!(wrong_owner.status(), 422);

    // Two people save the same version: the second is refused, nothing lost.
    let staff = signed_in(&app, &s.staff).await;
    let current = curriculum.version + 1;
    let first_save = staff
        .post_form(
            &format!("/items/{}", curriculum.id),
            &[
                ("version", &current.to_string()),
                ("status", "done"),
                ("priority", "high"),
                ("owner", &s.staff.id.to_string()),
                ("due_on", "2027-02-05"),
                ("note", "Modelled in three classes"),
            ],
        )
        .await;
    assert_eq!(first_save.status(), 303);
    let second_save = head
        .post_form(
            &format!("/items/{}", curriculum.id),
            &[
                ("version", &current.to_string()),
                ("status", "blocked"),
                ("reason", "Waiting for substitutes"),
                ("priority", "high"),
                ("owner", &s.staff.id.to_string()),
                ("note", "My stale note"),
            ],
        )
        .await;
    assert_eq!(second_save.status(), 409);
    let conflict_page = second_save.text().await.unwrap();
    assert!(conflict_page.contains("Someone else changed this item"));
    assert!(
        conflict_page.contains("My stale note"),
        "their typing is kept"
    );
    let history = db::action_items::history(&mut app.conn(), curriculum.id).unwrap();
    assert_eq!(history.last().unwrap().note, "Modelled in three classes");
    assert!(history
        .iter()
        .any(|u| u.change.contains("assigned to") && u.note == "Ms Lee will model"));

    // The school leader updates their step, not a department's item.
    let leader = signed_in(&app, &s.leader).await;
    let steps = leader
        .get_text(&format!("/schools/{}/items", s.school))
        .await;
    assert!(
        steps.contains("Model checks for understanding"),
        "read-only department item"
    );
    assert!(steps.contains("Share the bell schedule"));
    assert!(steps.contains("<h1>Action steps — Oak Middle</h1>"));
    let step = everything(&app, first)
        .into_iter()
        .find(|i| i.id == step_id)
        .unwrap();
    let done = leader
        .post_form(
            &format!("/items/{step_id}"),
            &[
                ("version", &step.version.to_string()),
                ("status", "done"),
                ("priority", "normal"),
                ("owner", &s.leader.id.to_string()),
            ],
        )
        .await;
    assert_eq!(done.status(), 303);
    let not_theirs = leader
        .post_form(
            &format!("/items/{}", curriculum.id),
            &[
                ("version", "99"),
                ("status", "open"),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(not_theirs.status(), 403);
    let tech_head = signed_in(&app, &s.tech_head).await;
    assert_eq!(
        tech_head
            .get(&format!("/items/{}", curriculum.id))
            .await
            .status(),
        404,
        "another department's item"
    );
    assert_eq!(
        leader
            .get(&format!("/schools/{}/items", s.school + 1000))
            .await
            .status(),
        404
    );
    // The department head now sees the visit their item comes from.
    assert_eq!(head.get(&format!("/visits/{first}")).await.status(), 200);
    // Technology's item was resolved during the visit: it comes from there too.
    assert_eq!(
        tech_head.get(&format!("/visits/{first}")).await.status(),
        200
    );
    let other_head = app.create_user(&[Role::DepartmentHead], None, None);
    let other_head = signed_in(&app, &other_head).await;
    assert_eq!(
        other_head.get(&format!("/visits/{first}")).await.status(),
        404
    );

    // The next visit lists open items on its agenda and the team checks them.
    let second = visit(&app, &s, "2027-03-03");
    db::visits::advance(&mut app.conn(), second, VisitStatus::InProgress).unwrap();
    let agenda = visitor.get_text(&format!("/visits/{second}")).await;
    assert!(agenda.contains("Model checks for understanding in grade 7 math"));
    let debrief = visitor.get_text(&format!("/visits/{second}/debrief")).await;
    assert!(debrief.contains("Items from earlier visits"));
    for (item, result) in [(curriculum.id, "verified"), (step_id, "still_open")] {
        let checked = visitor
            .post_form(
                &format!("/visits/{second}/checks/{item}"),
                &[("result", result), ("note", "Seen in the hallway")],
            )
            .await;
        assert_eq!(checked.status(), 303);
    }
    let items = everything(&app, first);
    assert_eq!(
        items.iter().find(|i| i.id == curriculum.id).unwrap().status,
        Status::Verified
    );
    assert_eq!(
        items.iter().find(|i| i.id == step_id).unwrap().status,
        Status::InProgress,
        "done but still open: back in progress"
    );
    let checks = db::action_items::checks_of(&mut app.conn(), curriculum.id).unwrap();
    assert_eq!(checks.len(), 1);
    // A check cannot touch an item of the visit itself or another campus.
    let own_item = visitor
        .post_form(
            &format!("/visits/{first}/checks/{}", curriculum.id),
            &[("result", "verified")],
        )
        .await;
    assert_eq!(own_item.status(), 409);
}

#[tokio::test]
async fn the_same_story_through_the_api() {
    let app = spawn_app().await;
    let s = story(&app);
    let first = visit(&app, &s, "2027-01-06");
    observe(&app, &s, first);
    for to in [VisitStatus::InProgress, VisitStatus::Debriefed] {
        db::visits::advance(&mut app.conn(), first, to).unwrap();
    }
    let lead = signed_in(&app, &s.lead).await;
    let visitor = signed_in(&app, &s.visitor).await;

    let generated = visitor
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{first}/items/generate"),
            &json!({}),
        )
        .await;
    assert_eq!(generated.status(), 200);
    let outcome: serde_json::Value = generated.json().await.unwrap();
    assert_eq!(outcome["added"], 2, "{outcome}");
    let items = list_of(visitor.get(&format!("/api/v1/visits/{first}/items")).await).await;
    let curriculum = items
        .iter()
        .find(|i| i["department"]["id"] == s.curriculum)
        .unwrap()
        .clone();
    assert_eq!(curriculum["status"], "proposed");
    assert_eq!(curriculum["look_fors"], json!(["I1"]));

    let edited = visitor
        .send_json(
            Method::PATCH,
            &format!("/api/v1/items/{}", curriculum["id"]),
            &json!({"version": curriculum["version"], "title": "Model checks for understanding"}),
        )
        .await;
    assert_eq!(edited.status(), 200);
    let again: serde_json::Value = visitor
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{first}/items/generate"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (again["added"].as_i64(), again["kept"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(again["refreshed"], 1);

    let added = visitor
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{first}/items"),
            &json!({"title": "Share the bell schedule", "priority": "low"}),
        )
        .await;
    assert_eq!(added.status(), 201);

    let refused = visitor
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{first}/publish"),
            &json!({}),
        )
        .await;
    assert_eq!(refused.status(), 403);
    let published = list_of(
        lead.send_json(
            Method::POST,
            &format!("/api/v1/visits/{first}/publish"),
            &json!({}),
        )
        .await,
    )
    .await;
    assert!(
        published.iter().all(|i| i["status"] == "open"),
        "{published:?}"
    );
    assert_eq!(published.len(), 3);

    // The department head's list holds only their department's item.
    let head = signed_in(&app, &s.head).await;
    let theirs = list_of(head.get("/api/v1/items").await).await;
    assert_eq!(theirs.len(), 1);
    let item: serde_json::Value = head
        .get(&format!("/api/v1/items/{}", curriculum["id"]))
        .await
        .json()
        .await
        .unwrap();
    let version = item["version"].clone();
    let moved = head
        .send_json(
            Method::PATCH,
            &format!("/api/v1/items/{}", curriculum["id"]),
            &json!({"version": version, "status": "done", "note": "Coached"}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let detail: serde_json::Value = moved.json().await.unwrap();
    assert_eq!(detail["status"], "done");
    assert_eq!(
        detail["history"].as_array().unwrap().last().unwrap()["note"],
        "Coached"
    );
    let stale = head
        .send_json(
            Method::PATCH,
            &format!("/api/v1/items/{}", curriculum["id"]),
            &json!({"version": version, "status": "open"}),
        )
        .await;
    assert_eq!(stale.status(), 409);
    let blocked_without_reason = head
        .send_json(
            Method::PATCH,
            &format!("/api/v1/items/{}", curriculum["id"]),
            &json!({"version": detail["version"], "status": "blocked"}),
        )
        .await;
    assert_eq!(blocked_without_reason.status(), 422, "input to correct");
    let no_such_move = head
        .send_json(
            Method::PATCH,
            &format!("/api/v1/items/{}", curriculum["id"]),
            &json!({"version": detail["version"], "status": "proposed"}),
        )
        .await;
    assert_eq!(no_such_move.status(), 409, "the item's status refuses it");
    assert!(
        crate::helpers::api_error(no_such_move).await["fields"]["status"]
            .as_str()
            .unwrap()
            .contains("cannot move")
    );
    let leader = signed_in(&app, &s.leader).await;
    let not_theirs = leader
        .send_json(
            Method::PATCH,
            &format!("/api/v1/items/{}", curriculum["id"]),
            &json!({"version": detail["version"], "status": "open"}),
        )
        .await;
    assert_eq!(not_theirs.status(), 403);

    let second = visit(&app, &s, "2027-03-03");
    db::visits::advance(&mut app.conn(), second, VisitStatus::InProgress).unwrap();
    let checked = visitor
        .send_json(
            Method::POST,
            &format!("/api/v1/visits/{second}/checks"),
            &json!({"item_id": curriculum["id"], "result": "verified", "note": "Seen in 7B"}),
        )
        .await;
    assert_eq!(checked.status(), 200);
    let checked: serde_json::Value = checked.json().await.unwrap();
    assert_eq!(checked["status"], "verified");
    // A step past its date is overdue, and the filter finds exactly it.
    let step = published
        .iter()
        .find(|i| i["look_fors"] == json!(["I3"]))
        .unwrap();
    let late = leader
        .send_json(
            Method::PATCH,
            &format!("/api/v1/items/{}", step["id"]),
            &json!({"version": step["version"], "due_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(late.status(), 200);
    let overdue = list_of(lead.get("/api/v1/items?overdue=true").await).await;
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    assert_eq!(
        (overdue[0]["id"].clone(), overdue[0]["overdue"].clone()),
        (step["id"].clone(), json!(true))
    );
}

#[tokio::test]
async fn the_district_s_settings_decide_what_is_weak_and_when_it_is_due() {
    let app = spawn_app().await;
    let s = story(&app);
    let first = visit(&app, &s, "2027-01-06");
    observe(&app, &s, first);
    for to in [VisitStatus::InProgress, VisitStatus::Debriefed] {
        db::visits::advance(&mut app.conn(), first, to).unwrap();
    }
    let admin = app.create_user(&[Role::Admin], None, None);
    let admin = signed_in(&app, &admin).await;
    let settings = |min: &'static str| {
        [
            ("weak_share_percent", "50"),
            ("weak_min_snapshots", min),
            ("department_due_days", "10"),
            ("school_due_days", "5"),
            ("due_soon_days", "3"),
            ("time_zone", "America/Chicago"),
        ]
    };
    // A time zone must be a real one; nothing is saved otherwise.
    let mut unknown_zone = settings("4").to_vec();
    unknown_zone.retain(|(name, _)| *name != "time_zone");
    unknown_zone.push(("time_zone", "Mars/Olympus"));
    let refused = admin.post_form("/admin/settings", &unknown_zone).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("IANA name"));
    assert_eq!(
        db::settings::find(&mut app.conn()).unwrap().time_zone,
        chrono_tz::UTC
    );
    // Three snapshots are fewer than four: nothing is weak.
    assert_eq!(
        admin
            .post_form("/admin/settings", &settings("4"))
            .await
            .status(),
        303
    );
    let lead = signed_in(&app, &s.lead).await;
    lead.post_form(&format!("/visits/{first}/items/generate"), &[])
        .await;
    assert!(everything(&app, first).is_empty());
    // At three they are, and the due dates follow the settings.
    assert_eq!(
        admin
            .post_form("/admin/settings", &settings("3"))
            .await
            .status(),
        303
    );
    lead.post_form(&format!("/visits/{first}/items/generate"), &[])
        .await;
    let items = everything(&app, first);
    assert_eq!(items.len(), 2);
    let curriculum = by_key(&items, &format!("department:{}", s.curriculum));
    assert_eq!(
        curriculum.due_on,
        Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 16).unwrap())
    );
    let step = by_key(&items, &format!("look-for:{}", s.indicators[2]));
    assert_eq!(
        step.due_on,
        Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 11).unwrap())
    );
}

/// A published visit's items at `school_id`: debriefed, generated from
/// three snapshots, `extra` added, published. Returns the items.
pub fn published(
    app: &TestApp,
    s: &Story,
    school_id: i64,
    team: &[i64],
    extra: &[db::action_items::Draft],
) -> Vec<Item> {
    let visit = NewVisit {
        school_id,
        date: chrono::NaiveDate::from_ymd_opt(2027, 1, 6).unwrap(),
        lead_id: Some(s.lead.id),
        framework_id: Some(s.framework),
        focus: String::new(),
        members: team.iter().copied().collect(),
        segments: BTreeSet::new(),
    };
    let mut conn = app.conn();
    let visit_id = db::visits::insert(&mut conn, &visit).unwrap();
    observe(app, s, visit_id);
    for to in [VisitStatus::InProgress, VisitStatus::Debriefed] {
        db::visits::advance(&mut conn, visit_id, to).unwrap();
    }
    db::action_items::generate(&mut conn, visit_id, s.lead.id).unwrap();
    for draft in extra {
        db::action_items::add(&mut conn, visit_id, draft, s.lead.id).unwrap();
    }
    db::action_items::publish(&mut conn, visit_id, s.lead.id).unwrap();
    everything(app, visit_id)
}

/// Record-level rules for items: each person reaches exactly the items the
/// rule gives them — by page, by API, in lists — and anything else, guessed
/// ids included, is 404.
#[tokio::test]
async fn people_see_only_the_items_they_may_and_others_are_404() {
    let app = spawn_app().await;
    let s = story(&app);
    let elm = db::schools::insert(
        &mut app.conn(),
        &campus_visits::domain::school::NewSchool::parse(
            "Elm Elementary",
            "ELM",
            "elementary",
            true,
        )
        .unwrap(),
    )
    .unwrap();
    let elm_leader = app.create_user(&[Role::SchoolLeader], Some(elm), None);
    let outsider = app.create_user(&[Role::Visitor], None, Some(s.curriculum));
    let technology = db::action_items::Draft {
        kind: campus_visits::domain::action_item::Kind::Department,
        department_id: Some(s.technology),
        title: "Charge the laptop carts".to_owned(),
        evidence: String::new(),
        owner_id: None,
        due_on: None,
        priority: campus_visits::domain::action_item::Priority::Normal,
    };
    let oak = published(&app, &s, s.school, &[s.visitor.id], &[technology]);
    let elm_items = published(&app, &s, elm, &[], &[]);
    let ids = |items: &[Item], keep: &dyn Fn(&Item) -> bool| -> BTreeSet<i64> {
        items.iter().filter(|i| keep(i)).map(|i| i.id).collect()
    };
    let of =
        |department: i64| move |i: &Item| i.department.as_ref().map(|d| d.id) == Some(department);
    let oak_all = ids(&oak, &|_| true);
    assert_eq!(
        oak_all.len(),
        3,
        "Curriculum's item, the school step, Technology's: {oak:?}"
    );
    assert_eq!(
        elm_items.len(),
        2,
        "Curriculum's item and the school step: {elm_items:?}"
    );
    let curriculum: BTreeSet<i64> = ids(&oak, &of(s.curriculum))
        .union(&ids(&elm_items, &of(s.curriculum)))
        .copied()
        .collect();
    let cases: Vec<(&str, &TestUser, BTreeSet<i64>)> = vec![
        ("Oak's leader", &s.leader, oak_all.clone()),
        ("Elm's leader", &elm_leader, ids(&elm_items, &|_| true)),
        ("Curriculum's head", &s.head, curriculum),
        (
            "Technology's head",
            &s.tech_head,
            ids(&oak, &of(s.technology)),
        ),
        ("a visitor on Oak's team", &s.visitor, oak_all),
        ("a visitor on no team", &outsider, BTreeSet::new()),
    ];
    let every: BTreeSet<i64> = oak
        .iter()
        .chain(&elm_items)
        .map(|i| i.id)
        .chain([987_654])
        .collect();
    for (who, user, visible) in cases {
        let browser = signed_in(&app, user).await;
        for id in &every {
            let expected = if visible.contains(id) { 200 } else { 404 };
            let page = browser.get(&format!("/items/{id}")).await.status();
            assert_eq!(page, expected, "{who}: page of item {id}");
            let api = browser.get(&format!("/api/v1/items/{id}")).await.status();
            assert_eq!(api, expected, "{who}: API for item {id}");
        }
        let listed = list_of(browser.get("/api/v1/items").await).await;
        let listed: BTreeSet<i64> = listed.iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(listed, visible, "{who}: the list");
    }

    // The board's campus filter offers the campuses the department has
    // items at, and still offers them all when narrowed to one.
    let head = signed_in(&app, &s.head).await;
    let option = |id: i64, name: &str, selected: bool| {
        format!(
            "<option value=\"{id}\"{}>{name}</option>",
            if selected { " selected" } else { "" }
        )
    };
    let board = head
        .get_text(&format!("/departments/{}/items", s.curriculum))
        .await;
    assert!(
        board.contains(&option(elm, "Elm Elementary", false)),
        "{board}"
    );
    assert!(
        board.contains(&option(s.school, "Oak Middle", false)),
        "{board}"
    );
    let narrowed = head
        .get_text(&format!("/departments/{}/items?school={elm}", s.curriculum))
        .await;
    assert!(
        narrowed.contains(&option(elm, "Elm Elementary", true)),
        "{narrowed}"
    );
    assert!(
        narrowed.contains(&option(s.school, "Oak Middle", false)),
        "{narrowed}"
    );
    assert!(
        !narrowed.contains("Oak Middle<br>"),
        "only Elm's items: {narrowed}"
    );
    let technology_board = signed_in(&app, &s.tech_head)
        .await
        .get_text(&format!("/departments/{}/items", s.technology))
        .await;
    assert!(
        !technology_board.contains("Elm Elementary"),
        "no Technology items at Elm"
    );
}

/// Of a published visit's items, Curriculum's and the school's step.
pub fn curriculum_and_step<'a>(items: &'a [Item], s: &Story) -> (&'a Item, &'a Item) {
    let curriculum = items
        .iter()
        .find(|i| i.department.as_ref().map(|d| d.id) == Some(s.curriculum))
        .unwrap_or_else(|| panic!("Curriculum's item in {items:?}"));
    let step = items
        .iter()
        .find(|i| i.department.is_none())
        .unwrap_or_else(|| panic!("a school step in {items:?}"));
    (curriculum, step)
}
