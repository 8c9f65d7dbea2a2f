//! The JSON API, as a script uses it.

use serde_json::json;

use campus_visits::domain::account::Role;

use crate::helpers::{api_error, location, spawn_app};

#[tokio::test]
async fn schools_are_created_read_listed_and_replaced() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let created = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": "Cedar Ridge Elementary", "code": "e-3", "level": "elementary"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let where_ = location(&created);
    let school: serde_json::Value = created.json().await.unwrap();
    assert_eq!(school["code"], "E-3");
    assert_eq!(school["active"], true);
    assert_eq!(where_, format!("/api/v1/schools/{}", school["id"]));

    let fetched: serde_json::Value = app.get(&where_).await.json().await.unwrap();
    assert_eq!(fetched, school);

    let replaced = app
        .put_json(&where_, &json!({"name": "Cedar Ridge Elementary", "code": "E-3", "level": "elementary", "active": false}))
        .await;
    assert_eq!(replaced.status(), 200);
    assert_eq!(
        replaced.json::<serde_json::Value>().await.unwrap()["active"],
        false
    );

    let active: serde_json::Value = app.get("/api/v1/schools").await.json().await.unwrap();
    assert_eq!(active["total"], 0);
    let all: serde_json::Value = app
        .get("/api/v1/schools?inactive=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 1);
    assert_eq!(all["items"][0]["name"], "Cedar Ridge Elementary");
}

#[tokio::test]
async fn api_errors_have_one_shape_and_the_right_status() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;

    let invalid = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": "", "code": "a b", "level": "college"}),
        )
        .await;
    assert_eq!(invalid.status(), 422);
    let error = api_error(invalid).await;
    assert_eq!(error["code"], "validation_failed");
    assert_eq!(error["fields"]["name"], "Enter the school's name.");
    assert!(error["fields"]["code"].is_string());
    assert!(error["fields"]["level"].is_string());

    app.post_json(
        "/api/v1/schools",
        &json!({"name": "A", "code": "A1", "level": "high"}),
    )
    .await;
    let taken = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": "B", "code": "a1", "level": "high"}),
        )
        .await;
    assert_eq!(
        taken.status(),
        409,
        "a code in use conflicts with the record"
    );
    assert_eq!(
        api_error(taken).await["fields"]["code"],
        "Another school already uses this code."
    );

    let malformed = app
        .client
        .post(app.url("/api/v1/schools"))
        .header("x-csrf-token", app.csrf())
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(api_error(malformed).await["code"], "bad_request");

    let wrong_type = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": 5, "code": "X", "level": "high"}),
        )
        .await;
    assert_eq!(wrong_type.status(), 422);

    let not_json = app
        .client
        .post(app.url("/api/v1/schools"))
        .header("x-csrf-token", app.csrf())
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 415);
    assert_eq!(api_error(not_json).await["code"], "unsupported_media_type");

    let missing = app.get("/api/v1/schools/424242").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(api_error(missing).await["code"], "not_found");
    let missing_put = app
        .put_json(
            "/api/v1/schools/424242",
            &json!({"name": "A", "code": "Z9", "level": "high"}),
        )
        .await;
    assert_eq!(missing_put.status(), 404);

    let bad_page = app.get("/api/v1/users?page=-1").await;
    assert_eq!(bad_page.status(), 400);
    assert_eq!(api_error(bad_page).await["code"], "bad_request");
}

#[tokio::test]
async fn departments_and_people_through_the_api() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let department: serde_json::Value = app
        .post_json(
            "/api/v1/departments",
            &json!({"name": "Special Education", "contact_email": "SPED@d.org"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(department["contact_email"], "sped@d.org");
    let school: serde_json::Value = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": "Bowie Middle", "code": "M5", "level": "middle"}),
        )
        .await
        .json()
        .await
        .unwrap();

    let person = app
        .post_json(
            "/api/v1/users",
            &json!({"name": "Priya Raman", "email": "priya@d.org", "department_id": department["id"]}),
        )
        .await;
    assert_eq!(person.status(), 201);
    let person: serde_json::Value = person.json().await.unwrap();
    assert_eq!(person["department"]["name"], "Special Education");
    assert!(person["school"].is_null());

    let moved = app
        .put_json(
            &format!("/api/v1/users/{}", person["id"]),
            &json!({"name": "Priya Raman", "email": "priya@d.org", "school_id": school["id"]}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let moved: serde_json::Value = moved.json().await.unwrap();
    assert_eq!(moved["school"]["name"], "Bowie Middle");
    assert!(moved["department"].is_null());

    let ghost = app
        .post_json(
            "/api/v1/users",
            &json!({"name": "X", "email": "x@d.org", "department_id": 987654}),
        )
        .await;
    assert_eq!(ghost.status(), 409, "no such department is on record");
    assert_eq!(
        api_error(ghost).await["fields"]["department_id"],
        "Choose a department from the list."
    );

    let listed: serde_json::Value = app.get("/api/v1/users?q=RAMAN").await.json().await.unwrap();
    assert_eq!(listed["total"], 1);
    let departments: serde_json::Value = app.get("/api/v1/departments").await.json().await.unwrap();
    assert_eq!(departments["items"][0]["name"], "Special Education");
}

/// The OpenAPI document is built from the served routes: every route the
/// document names answers (not 404), and every schema it refers to exists.
#[tokio::test]
async fn the_openapi_document_describes_the_served_api() {
    let app = spawn_app().await;
    let admin = app.sign_in_as(&[Role::Admin]).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/schools", "get"),
        ("/api/v1/schools", "post"),
        ("/api/v1/schools/{id}", "get"),
        ("/api/v1/schools/{id}", "put"),
        ("/api/v1/departments", "get"),
        ("/api/v1/departments", "post"),
        ("/api/v1/departments/{id}", "get"),
        ("/api/v1/departments/{id}", "put"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users/{id}", "put"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is documented"
        );
    }
    let school: serde_json::Value = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": "A", "code": "A1", "level": "high"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let department: serde_json::Value = app
        .post_json("/api/v1/departments", &json!({"name": "IT"}))
        .await
        .json()
        .await
        .unwrap();
    let user: serde_json::Value = app
        .post_json("/api/v1/users", &json!({"name": "U", "email": "u@d.org"}))
        .await
        .json()
        .await
        .unwrap();
    let framework: serde_json::Value = app
        .post_json(
            "/api/v1/frameworks",
            &json!({"name": "F", "version": 1, "domains": [{"name": "D", "indicators": [{"code": "A1", "title": "T"}]}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let visit: serde_json::Value = app
        .post_json(
            "/api/v1/visits",
            &json!({"school_id": school["id"], "date": "2027-01-06"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let visit_id = visit["id"].as_i64().unwrap();
    let mut conn = app.conn();
    campus_visits::db::visits::advance(
        &mut conn,
        visit_id,
        campus_visits::domain::visit::VisitStatus::InProgress,
    )
    .unwrap();
    let item = json!(campus_visits::db::action_items::add(
        &mut conn,
        visit_id,
        &campus_visits::db::action_items::Draft {
            kind: campus_visits::domain::action_item::Kind::School,
            department_id: None,
            title: "Post the schedule".into(),
            evidence: String::new(),
            owner_id: None,
            due_on: None,
            priority: campus_visits::domain::action_item::Priority::Normal,
        },
        admin.id,
    )
    .unwrap());
    let offering: serde_json::Value = app
        .post_json(
            "/api/v1/offerings",
            &json!({"title": "O", "format": "online", "department_id": department["id"],
                    "audience": "both", "credit_hours": 1.5, "look_fors": ["A1"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let series: serde_json::Value = app
        .post_json("/api/v1/series", &json!({"name": "Wednesdays"}))
        .await
        .json()
        .await
        .unwrap();
    let session: serde_json::Value = app
        .post_json(
            &format!("/api/v1/offerings/{}/sessions", offering["id"]),
            &json!({"date": "2099-02-14", "starts_at": "13:30", "ends_at": "16:00",
                    "place": "Room 4", "capacity": 22}),
        )
        .await
        .json()
        .await
        .unwrap();
    for (path, operations) in paths {
        let id = if path.starts_with("/api/v1/offerings") {
            &offering["id"]
        } else if path.starts_with("/api/v1/series") {
            &series["id"]
        } else if path.starts_with("/api/v1/sessions") {
            &session["id"]
        } else if path.starts_with("/api/v1/items") {
            &item
        } else if path.starts_with("/api/v1/visits") {
            &visit["id"]
        } else if path.starts_with("/api/v1/frameworks") {
            &framework["id"]
        } else if path.starts_with("/api/v1/schools") {
            &school["id"]
        } else if path.starts_with("/api/v1/departments") {
            &department["id"]
        } else {
            &user["id"]
        };
        let concrete = path
            .replace("{id}", &id.to_string())
            .replace("{school_id}", &school["id"].to_string())
            .replace("{offering_id}", &offering["id"].to_string())
            .replace("{item_id}", "1")
            .replace("{need_id}", "1");
        for method in operations.as_object().unwrap().keys() {
            // An empty body reaches the handler and is refused as invalid;
            // a route that was not served would answer 404 instead.
            let (request, expected) = match method.as_str() {
                "get" => (app.client.get(app.url(&concrete)), 200),
                // One without a body (generate, publish) reaches the
                // visit's state, which a planned visit does not allow.
                "post" => (
                    app.client
                        .post(app.url(&concrete))
                        .header("x-csrf-token", app.csrf())
                        .json(&json!({})),
                    if path == "/api/v1/users/{id}/invitation" {
                        // Inviting an active person needs nothing more.
                        204
                    } else if operations[method]["requestBody"].is_null() {
                        409
                    } else {
                        422
                    },
                ),
                "put" => (
                    app.client
                        .put(app.url(&concrete))
                        .header("x-csrf-token", app.csrf())
                        .json(&json!({})),
                    if path == "/api/v1/visits/{id}/response" {
                        // Who may respond, and when, is asked before the
                        // body: the probe's visit is not published yet.
                        409
                    } else {
                        422
                    },
                ),
                // A visit's PATCH names the fields it changes: none is
                // a change of nothing. An item's needs its version.
                "patch" => (
                    app.client
                        .patch(app.url(&concrete))
                        .header("x-csrf-token", app.csrf())
                        .json(&json!({})),
                    if path == "/api/v1/visits/{id}" {
                        200
                    } else {
                        422
                    },
                ),
                // Withdrawing a campus that is not registered is done
                // already; the invitation the POST above sent is revoked;
                // a link that does not exist is not found.
                "delete" => (
                    app.client
                        .delete(app.url(&concrete))
                        .header("x-csrf-token", app.csrf()),
                    if path.starts_with("/api/v1/sessions")
                        || path == "/api/v1/users/{id}/invitation"
                    {
                        204
                    } else {
                        404
                    },
                ),
                other => panic!("unexpected method {other}"),
            };
            let status = request.send().await.unwrap().status();
            assert_eq!(status.as_u16(), expected, "{method} {concrete}");
        }
    }
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    // The checks the server makes are in the document.
    assert_eq!(
        schemas["FrameworkDoc"]["properties"]["domains"]["minItems"],
        1
    );
    assert!(schemas["SchoolIn"]["properties"]["name"]["pattern"].is_string());
    assert_eq!(schemas["ItemIn"]["properties"]["due_on"]["format"], "date");
    let whole: Vec<&str> = schemas["VisitPlan"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(whole.len(), 7, "{whole:?}");
    assert_eq!(
        doc["paths"]["/api/v1/visits/{id}"]["put"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/VisitPlan"
    );
    let page = doc["paths"]["/api/v1/schools"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page")
        .unwrap();
    assert_eq!(page["schema"]["maximum"], 1_000_000);
    for piece in text.split("\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "schema {name} is defined");
    }
    assert!(schemas.contains_key("ErrorBody"));
}

#[tokio::test]
async fn the_session_endpoint_names_the_user_and_the_token_scripts_echo() {
    let app = spawn_app().await;
    let signed_out = app.get("/api/v1/session").await;
    assert_eq!(signed_out.status(), 401);
    assert_eq!(api_error(signed_out).await["code"], "unauthorized");

    let visitor = app.sign_in_as(&[Role::Visitor]).await;
    let session: serde_json::Value = app.get("/api/v1/session").await.json().await.unwrap();
    assert_eq!(session["id"], visitor.id);
    assert_eq!(session["roles"], json!(["visitor"]));
    assert_eq!(session["csrf_token"], app.csrf().as_str());

    let (holder, token) = app.token_for(&[Role::Admin]);
    let by_token: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_token["id"], holder.id);
    assert_eq!(by_token["csrf_token"], serde_json::Value::Null);
}
