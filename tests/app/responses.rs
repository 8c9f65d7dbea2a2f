//! The campus answers: after publication its leaders respond to the debrief
//! and acknowledge each of its steps; the departments concerned and the
//! visit's lead are told once; the visit lead makes items of what the campus
//! needs. Through the pages and the API.

use campus_visits::db;
use campus_visits::domain::account::Role;
use campus_visits::domain::action_item::Status;
use reqwest::Method;
use serde_json::{json, Value};

use crate::accounts::audit_actions;
use crate::helpers::{spawn_app, TestApp, TestUser};
use crate::items::{curriculum_and_step, everything, published, signed_in, story};
use crate::mail::{drain, worker};
use crate::smtp::SmtpServer;

async fn api(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn count(actions: &[String], action: &str) -> usize {
    actions.iter().filter(|a| *a == action).count()
}

fn name_of(app: &TestApp, user: &TestUser) -> String {
    use campus_visits::db::schema::users;
    use diesel::prelude::*;
    users::table
        .find(user.id)
        .select(users::name)
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_campus_responds_acknowledges_its_steps_and_the_lead_makes_an_item_of_a_need() {
    let app = spawn_app().await;
    let s = story(&app);
    let items = published(&app, &s, s.school, &[s.visitor.id], &[]);
    let (curriculum, step) = curriculum_and_step(&items, &s);
    let visit = items[0].visit_id;
    let leader = signed_in(&app, &s.leader).await;
    let page = leader.get_text(&format!("/visits/{visit}/debrief")).await;
    assert!(page.contains("Respond for the campus"), "{page}");
    assert!(page.contains("The campus has not responded yet."));

    // Agreeing in part asks for the context: 422, nothing stored.
    let path = format!("/visits/{visit}/response");
    let curriculum_id = s.curriculum.to_string();
    let refused = leader
        .post_form(
            &path,
            &[("agreement", "partly"), ("context", " "), ("version", "")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Say where the campus sees it differently"));
    assert!(db::responses::find(&mut app.conn(), visit)
        .unwrap()
        .is_none());

    let form = [
        ("agreement", "partly"),
        (
            "context",
            "Tier 2 groups started in November; the team saw week two.",
        ),
        ("need_0_dept", curriculum_id.as_str()),
        ("need_0", "Coaching on exit tickets for grade 7"),
        ("need_1_dept", ""),
        ("need_1", ""),
        ("version", ""),
    ];
    let sent = leader.post_form(&path, &form).await;
    assert_eq!(sent.status(), 303);
    // The same form again (a second tab, or a resubmission) is stale: 409,
    // and the response stays as the first one wrote it.
    let again = leader.post_form(&path, &form).await;
    assert_eq!(again.status(), 409);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("Someone else changed the campus"));
    let response = db::responses::find(&mut app.conn(), visit)
        .unwrap()
        .unwrap();
    assert_eq!(response.version, 1);
    assert_eq!(response.needs.len(), 1);
    assert_eq!(response.needs[0].department.id, s.curriculum);

    // Curriculum's head and the visit's lead hear of it, once each.
    let smtp = SmtpServer::start();
    drain(&worker(&app, &smtp.url())).await;
    let mail = smtp.received();
    assert_eq!(mail.len(), 2, "the head of Curriculum and the lead");
    let to: Vec<String> = mail.iter().map(|m| m.header("To").unwrap()).collect();
    assert!(to.iter().any(|t| t.contains(&s.head.email)), "{to:?}");
    assert!(to.iter().any(|t| t.contains(&s.lead.email)), "{to:?}");
    for message in &mail {
        let (subject, text, html) = message.parts();
        assert_eq!(subject, "Oak Middle responded to the visit of 2027-01-06");
        assert!(text.contains("Coaching on exit tickets for grade 7"));
        assert!(text.contains("Tier 2 groups started in November"));
        assert!(html.contains("We agree in part"));
    }
    assert_eq!(drain(&worker(&app, &smtp.url())).await.sent, 0);

    // The campus acknowledges its step; twice is once. A department's item
    // is not the campus's to acknowledge.
    let ack = format!("/visits/{visit}/steps/{}/acknowledge", step.id);
    assert_eq!(leader.post_form(&ack, &[]).await.status(), 303);
    assert_eq!(leader.post_form(&ack, &[]).await.status(), 303);
    let theirs = format!("/visits/{visit}/steps/{}/acknowledge", curriculum.id);
    assert_eq!(leader.post_form(&theirs, &[]).await.status(), 409);

    // A visitor on the team sees the visit but does not speak for the campus.
    let visitor = signed_in(&app, &s.visitor).await;
    assert_eq!(visitor.post_form(&path, &form).await.status(), 403);
    assert_eq!(visitor.post_form(&ack, &[]).await.status(), 403);

    // The lead makes an item of the need; a second time is refused.
    let need = response.needs[0].id;
    let lead = signed_in(&app, &s.lead).await;
    let page = lead.get_text(&format!("/visits/{visit}/debrief")).await;
    assert!(page.contains("Make an item for Curriculum"), "{page}");
    assert!(
        !page.contains("Respond for the campus"),
        "the lead does not respond"
    );
    let make = format!("/visits/{visit}/response/needs/{need}/item");
    let made = lead.post_form(&make, &[]).await;
    assert_eq!(made.status(), 303);
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    let item_id: i64 = location.trim_start_matches("/items/").parse().unwrap();
    let item = everything(&app, visit)
        .into_iter()
        .find(|i| i.id == item_id)
        .unwrap();
    assert_eq!(item.status, Status::Open);
    assert_eq!(item.department.as_ref().map(|d| d.id), Some(s.curriculum));
    assert_eq!(item.title, "Coaching on exit tickets for grade 7");
    assert!(item.evidence.contains("From Oak Middle's response"));
    assert_eq!(lead.post_form(&make, &[]).await.status(), 409);

    // The report carries the response, the need's item and the
    // acknowledgement; the audit log each change, once.
    let report = leader.get_text(&format!("/visits/{visit}/report")).await;
    assert!(
        report.contains("The campus&#39;s response") || report.contains("The campus's response"),
        "{report}"
    );
    assert!(report.contains("Tier 2 groups started in November"));
    assert!(report.contains("We agree in part"));
    assert!(report.contains(&format!("href=\"/items/{item_id}\"")));
    assert!(
        report.contains(&format!(
            "Acknowledged</span> by {}",
            name_of(&app, &s.leader)
        )),
        "{report}"
    );
    let actions = audit_actions(&app);
    assert_eq!(count(&actions, "campus_response.saved"), 1);
    assert_eq!(count(&actions, "action_step.acknowledged"), 1);
    assert_eq!(count(&actions, "action_item.added"), 1);

    // The exports hold it.
    let responses = lead.get_text("/exports/responses.csv").await;
    assert!(
        responses.contains("Tier 2 groups started in November"),
        "{responses}"
    );
    let needs = lead.get_text("/exports/needs.csv").await;
    assert!(needs.contains(&item_id.to_string()), "{needs}");
    let acks = leader.get_text("/exports/acknowledgements.csv").await;
    assert!(acks.contains(&step.id.to_string()), "{acks}");
}

#[tokio::test]
async fn the_same_through_the_api_with_its_refusals() {
    let app = spawn_app().await;
    let s = story(&app);
    let items = published(&app, &s, s.school, &[s.visitor.id], &[]);
    let (_, step) = curriculum_and_step(&items, &s);
    let visit = items[0].visit_id;
    let leader = app.token_of(&s.leader);
    let visitor = app.token_of(&s.visitor);
    let lead = app.token_of(&s.lead);
    let path = format!("/api/v1/visits/{visit}/response");

    let (status, body) = api(&app, &leader, Method::GET, &path, None).await;
    assert_eq!(status, 200);
    assert!(body["response"].is_null());
    assert_eq!(body["may_respond"], true);
    assert_eq!(body["steps"][0]["item_id"], step.id);
    assert!(body["steps"][0]["acknowledged_by"].is_null());

    let response = json!({
        "agreement": "agree",
        "context": "",
        "needs": [{"department_id": s.curriculum, "need": "A math coach two days a week"}],
    });
    // Refusals first: blank need 422, unknown department 409, the visitor 403.
    let blank =
        json!({"agreement": "agree", "needs": [{"department_id": s.curriculum, "need": " "}]});
    assert_eq!(
        api(&app, &leader, Method::PUT, &path, Some(blank)).await.0,
        422
    );
    let unknown = json!({"agreement": "agree", "needs": [{"department_id": 999_999, "need": "x"}]});
    assert_eq!(
        api(&app, &leader, Method::PUT, &path, Some(unknown))
            .await
            .0,
        409
    );
    assert_eq!(
        api(&app, &visitor, Method::PUT, &path, Some(response.clone()))
            .await
            .0,
        403
    );
    assert_eq!(
        api(&app, &visitor, Method::GET, &path, None).await.1["may_respond"],
        false
    );

    let (status, body) = api(&app, &leader, Method::PUT, &path, Some(response.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["response"]["version"], 1);
    assert_eq!(body["response"]["agreement"], "agree");
    assert_eq!(
        body["response"]["needs"][0]["department"]["id"],
        s.curriculum
    );
    // Sent again without the version it read: stale, 409.
    assert_eq!(
        api(&app, &leader, Method::PUT, &path, Some(response))
            .await
            .0,
        409
    );
    let revision = json!({"agreement": "disagree", "context": "The schedule changed that week.", "version": 1});
    let (status, body) = api(&app, &leader, Method::PUT, &path, Some(revision.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["response"]["version"], 2);
    assert_eq!(body["response"]["needs"], json!([]));
    assert_eq!(
        api(&app, &leader, Method::PUT, &path, Some(revision))
            .await
            .0,
        409
    );

    // Acknowledging: 204, twice.
    let ack = format!("/api/v1/visits/{visit}/steps/{}/acknowledgement", step.id);
    assert_eq!(api(&app, &leader, Method::POST, &ack, None).await.0, 204);
    assert_eq!(api(&app, &leader, Method::POST, &ack, None).await.0, 204);
    let body = api(&app, &lead, Method::GET, &path, None).await.1;
    assert_eq!(
        body["steps"][0]["acknowledged_by"],
        name_of(&app, &s.leader)
    );
    assert_eq!(body["may_respond"], false, "the lead does not respond");

    // A need becomes an item once.
    let need = json!({"agreement": "agree", "needs": [{"department_id": s.technology, "need": "Charged laptop carts"}], "version": 2});
    let body = api(&app, &leader, Method::PUT, &path, Some(need)).await.1;
    let need_id = body["response"]["needs"][0]["id"].as_i64().unwrap();
    let make = format!("/api/v1/visits/{visit}/response/needs/{need_id}/item");
    assert_eq!(api(&app, &leader, Method::POST, &make, None).await.0, 403);
    let (status, body) = api(&app, &lead, Method::POST, &make, None).await;
    assert_eq!(status, 201, "{body}");
    let item = body["id"].as_i64().unwrap();
    let (_, shown) = api(
        &app,
        &lead,
        Method::GET,
        &format!("/api/v1/items/{item}"),
        None,
    )
    .await;
    assert_eq!(
        shown["item"]["department"]["id"]
            .as_i64()
            .or(shown["department"]["id"].as_i64()),
        Some(s.technology)
    );
    assert_eq!(api(&app, &lead, Method::POST, &make, None).await.0, 409);
    let body = api(&app, &lead, Method::GET, &path, None).await.1;
    assert_eq!(body["response"]["needs"][0]["item_id"], item);

    // Before publication there is nothing to respond to; after closing the
    // response is on record.
    let other = crate::items::visit(&app, &s, "2027-02-03");
    let early = format!("/api/v1/visits/{other}/response");
    let body = json!({"agreement": "agree"});
    assert_eq!(
        api(&app, &leader, Method::PUT, &early, Some(body.clone()))
            .await
            .0,
        409
    );
    db::visits::advance(
        &mut app.conn(),
        visit,
        campus_visits::domain::visit::VisitStatus::Closed,
    )
    .unwrap();
    let closed = json!({"agreement": "agree", "version": 3});
    assert_eq!(
        api(&app, &leader, Method::PUT, &path, Some(closed)).await.0,
        409
    );
    assert_eq!(api(&app, &leader, Method::POST, &ack, None).await.0, 409);
    // Another campus's leader does not see the visit at all.
    let elsewhere = app.create_user(&[Role::SchoolLeader], None, None);
    let token = app.token_of(&elsewhere);
    assert_eq!(api(&app, &token, Method::GET, &path, None).await.0, 404);
}
