//! The start page by role: each person lands on their own work, the same
//! through the page and through `GET /api/v1/home`.

use campus_visits::db;
use campus_visits::db::action_items::Draft;
use campus_visits::domain::account::Role;
use campus_visits::domain::action_item::{Kind, Priority};
use campus_visits::domain::visit::{NewVisit, VisitStatus};
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp, TestUser};
use crate::items::{curriculum_and_step, published, signed_in, story, Story};

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn set_due(app: &TestApp, item: i64, due: NaiveDate) {
    use campus_visits::db::schema::action_items;
    let mut conn = app.conn();
    diesel::update(action_items::table.filter(action_items::id.eq(item)))
        .set(action_items::due_on.eq(due))
        .execute(&mut conn)
        .unwrap();
}

fn plan(app: &TestApp, s: &Story, school: i64, date: NaiveDate, team: &[i64]) -> i64 {
    let visit = NewVisit {
        school_id: school,
        date,
        lead_id: Some(s.lead.id),
        framework_id: Some(s.framework),
        focus: "Checking for understanding".to_owned(),
        members: team.iter().copied().collect(),
        segments: Default::default(),
    };
    db::visits::insert(&mut app.conn(), &visit).unwrap()
}

async fn home_of(app: &TestApp, user: &TestUser) -> Value {
    let token = app.token_of(user);
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/home"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn each_role_lands_on_its_own_work_in_the_page_and_the_api() {
    let app = spawn_app().await;
    let s = story(&app);
    let today = today();
    // A published visit: Curriculum's item is overdue, the school's step
    // due in five days; a Curriculum item due in a month is neither.
    let later = Draft {
        kind: Kind::Department,
        department_id: Some(s.curriculum),
        title: "Plan the spring math institute".to_owned(),
        evidence: String::new(),
        owner_id: None,
        due_on: Some(today + Duration::days(30)),
        priority: Priority::Normal,
    };
    let items = published(&app, &s, s.school, &[s.visitor.id], &[later]);
    let (curriculum, step) = curriculum_and_step(&items, &s);
    set_due(&app, curriculum.id, today - Duration::days(3));
    set_due(&app, step.id, today + Duration::days(5));
    let reported = items[0].visit_id;
    // The next visit to Oak Middle, with the visitor on its team; and a
    // debriefed visit elsewhere, awaiting publication.
    let next = plan(
        &app,
        &s,
        s.school,
        today + Duration::days(7),
        &[s.visitor.id],
    );
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
    let debriefed = plan(&app, &s, elm, today - Duration::days(2), &[]);
    for to in [VisitStatus::InProgress, VisitStatus::Debriefed] {
        db::visits::advance(&mut app.conn(), debriefed, to).unwrap();
    }

    // The school leader: the campus's open step, Curriculum's item for
    // the campus, the next visit and the last report.
    let home = home_of(&app, &s.leader).await;
    let campus = &home["campus"];
    assert_eq!(campus["school"]["id"], s.school);
    assert_eq!(ids(&campus["open_steps"]), vec![step.id]);
    assert_eq!(campus["open_steps"]["total"], 1);
    assert!(ids(&campus["department_items"]).contains(&curriculum.id));
    assert_eq!(campus["next_visit"]["id"], next);
    assert_eq!(campus["last_report"]["id"], reported);
    assert!(
        home["department"].is_null() && home["rotation"].is_null() && home["directory"].is_null()
    );
    let page = signed_in(&app, &s.leader).await.get_text("/").await;
    assert!(page.contains("Open action steps (1)"), "{page}");
    assert!(page.contains(&step.title));
    assert!(page.contains(&curriculum.title));
    assert!(page.contains(&format!("href=\"/visits/{reported}/report\"")));
    assert!(page.contains(&format!("href=\"/visits/{next}\"")));
    assert!(!page.contains("Review and publish"));

    // Curriculum's head: the overdue item; nothing due within 14 days (the
    // later one is a month out); Oak Middle's next visit with its 2 open items.
    let home = home_of(&app, &s.head).await;
    let department = &home["department"];
    assert_eq!(department["department"]["id"], s.curriculum);
    assert_eq!(ids(&department["overdue"]), vec![curriculum.id]);
    assert_eq!(department["overdue"]["items"][0]["overdue"], true);
    assert_eq!(department["due_soon"]["total"], 0);
    assert_eq!(department["next_visits"][0]["school"]["id"], s.school);
    assert_eq!(
        department["next_visits"][0]["date"],
        (today + Duration::days(7)).to_string()
    );
    assert_eq!(department["next_visits"][0]["open_items"], 2);
    assert!(home["campus"].is_null());
    let page = signed_in(&app, &s.head).await.get_text("/").await;
    assert!(page.contains("Overdue (1)"), "{page}");
    assert!(page.contains("2 open items to report on"), "{page}");
    // Technology's head has none of it.
    let home = home_of(&app, &s.tech_head).await;
    assert_eq!(home["department"]["overdue"]["total"], 0);
    assert_eq!(home["department"]["next_visits"], serde_json::json!([]));

    // Moving the later item within 14 days makes it due soon.
    let later = items
        .iter()
        .find(|i| i.title == "Plan the spring math institute")
        .unwrap();
    set_due(&app, later.id, today + Duration::days(13));
    let home = home_of(&app, &s.head).await;
    assert_eq!(ids(&home["department"]["due_soon"]), vec![later.id]);

    // The visitor: the next visit, with its capture page.
    let home = home_of(&app, &s.visitor).await;
    assert_eq!(ids(&home["my_visits"]), vec![next]);
    let page = signed_in(&app, &s.visitor).await.get_text("/").await;
    assert!(
        page.contains(&format!("href=\"/visits/{next}/observe\"")),
        "{page}"
    );

    // The visit lead: the rotation and the debrief awaiting publication.
    let home = home_of(&app, &s.lead).await;
    assert_eq!(ids(&home["rotation"]["awaiting_publish"]), vec![debriefed]);
    assert_eq!(ids(&home["rotation"]["upcoming"]), vec![next]);
    let page = signed_in(&app, &s.lead).await.get_text("/").await;
    assert!(
        page.contains(&format!("href=\"/visits/{debriefed}/items\"")),
        "{page}"
    );
    assert!(page.contains("Review and publish"));

    // An administrator: the directory's counts.
    let admin = app.create_user(&[Role::Admin], None, None);
    let home = home_of(&app, &admin).await;
    assert_eq!(home["directory"]["schools"], 2);
    assert!(home["campus"].is_null() && home["my_visits"].is_null());

    // A person with no role yet is told so.
    let nobody = app.create_user(&[], None, None);
    let page = signed_in(&app, &nobody).await.get_text("/").await;
    assert!(page.contains("no role with work to show"), "{page}");
}

#[tokio::test]
async fn a_school_leader_sees_only_their_campus_and_long_lists_say_how_many_more() {
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
    // Fourteen more steps at Oak Middle: the page shows twelve of sixteen.
    let steps: Vec<Draft> = (0..14)
        .map(|n| Draft {
            kind: Kind::School,
            department_id: None,
            title: format!("Step {n:02}"),
            evidence: String::new(),
            owner_id: None,
            due_on: Some(today() + Duration::days(20 + n)),
            priority: Priority::Normal,
        })
        .collect();
    published(&app, &s, s.school, &[s.visitor.id], &steps);
    let elm_leader = app.create_user(&[Role::SchoolLeader], Some(elm), None);
    let home = home_of(&app, &elm_leader).await;
    assert_eq!(home["campus"]["school"]["id"], elm);
    assert_eq!(home["campus"]["open_steps"]["total"], 0);
    assert_eq!(home["campus"]["department_items"]["total"], 0);
    assert!(home["campus"]["last_report"].is_null());

    let home = home_of(&app, &s.leader).await;
    let total = home["campus"]["open_steps"]["total"].as_i64().unwrap();
    assert!(total > 12, "{total}");
    assert_eq!(ids(&home["campus"]["open_steps"]).len(), 12);
    let page = signed_in(&app, &s.leader).await.get_text("/").await;
    assert!(page.contains(&format!("Showing 12 of {total}.")), "{page}");
    assert!(page.contains(&format!("href=\"/schools/{}/items\"", s.school)));
}
