//! The access matrix: every route of the app × every role (and signed out),
//! with the answer each must get. A route added without a row here fails
//! `every_route_has_a_row`.

use std::collections::BTreeSet;

use campus_visits::db;
use campus_visits::domain::account::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{browser, csrf_in, spawn_app, TestApp, TEST_PASSWORD};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in.
    SignedIn,
    /// Administrators and visit leads.
    Planner,
    /// Administrators only.
    Admin,
    /// Administrators, visit leads and department heads.
    PlannerOrHead,
    /// Administrators, and the heads of the department an offering or
    /// session belongs to (the matrix's heads head none: administrators).
    Manager,
    /// Administrators, and the school leaders of the campus registered
    /// (the matrix's leaders lead none: administrators).
    Registrar,
    /// Administrators, and the school leaders of the visit's campus (the
    /// matrix's leaders lead none: administrators); anyone else is refused,
    /// 403 when they see the visit and 404 when they do not.
    Respondent,
}

use Access::{Admin, Manager, Planner, PlannerOrHead, Public, Registrar, Respondent, SignedIn};

const MATRIX: &[(&str, &str, Access)] = &[
    ("get", "/healthz", Public),
    ("get", "/static/{name}", Public),
    ("get", "/sw.js", Public),
    ("get", "/sign-in", Public),
    ("post", "/sign-in", Public),
    ("get", "/sign-in/sso", Public),
    ("get", "/sign-in/sso/callback", Public),
    ("post", "/sign-out", Public),
    ("get", "/favicon.ico", Public),
    ("get", "/api/v1/openapi.json", Public),
    ("get", "/api/v1/session", SignedIn),
    ("get", "/api/v1/home", SignedIn),
    ("get", "/api/v1/visits/{id}/items", SignedIn),
    ("post", "/api/v1/visits/{id}/items/generate", SignedIn),
    ("post", "/api/v1/visits/{id}/items", SignedIn),
    ("post", "/api/v1/visits/{id}/items/merge", SignedIn),
    ("post", "/api/v1/visits/{id}/publish", Planner),
    ("post", "/api/v1/visits/{id}/checks", SignedIn),
    ("get", "/api/v1/items", SignedIn),
    ("get", "/api/v1/items/{id}", SignedIn),
    ("patch", "/api/v1/items/{id}", SignedIn),
    ("get", "/", SignedIn),
    ("get", "/account", SignedIn),
    ("post", "/account/tokens", SignedIn),
    ("post", "/account/sign-out-everywhere", SignedIn),
    ("post", "/account/tokens/{id}/revoke", SignedIn),
    ("post", "/account/calendar", SignedIn),
    ("get", "/account/mail", SignedIn),
    ("get", "/password/forgot", Public),
    ("post", "/password/forgot", Public),
    ("get", "/password/reset/{token}", Public),
    ("post", "/password/reset/{token}", Public),
    ("get", "/invitations/{token}", Public),
    ("post", "/invitations/{token}", Public),
    ("post", "/account/mail", SignedIn),
    ("get", "/unsubscribe/{user}/{kind}/{signature}", Public),
    ("post", "/unsubscribe/{user}/{kind}/{signature}", Public),
    ("get", "/calendar/{token}", Public),
    ("get", "/visits", SignedIn),
    ("get", "/visits/new", Planner),
    ("post", "/visits", Planner),
    ("get", "/visits/plan", Planner),
    ("post", "/visits/plan", Planner),
    ("get", "/visits/{id}", SignedIn),
    ("get", "/visits/{id}/edit", Planner),
    ("post", "/visits/{id}", Planner),
    ("post", "/visits/{id}/status", Planner),
    ("get", "/visits/{id}/observe", SignedIn),
    ("post", "/visits/{id}/observations", SignedIn),
    ("get", "/visits/{visit}/observations/{id}/edit", SignedIn),
    ("post", "/visits/{visit}/observations/{id}", SignedIn),
    ("get", "/visits/{id}/debrief", SignedIn),
    ("post", "/visits/{id}/debrief", Planner),
    ("post", "/visits/{id}/response", Respondent),
    ("post", "/visits/{visit}/steps/{id}/acknowledge", Respondent),
    ("post", "/visits/{visit}/response/needs/{id}/item", Planner),
    ("get", "/visits/{id}/items", SignedIn),
    ("post", "/visits/{id}/items/generate", SignedIn),
    ("post", "/visits/{id}/items", SignedIn),
    ("post", "/visits/{id}/items/merge", SignedIn),
    ("post", "/visits/{id}/publish", Planner),
    ("post", "/visits/{visit}/checks/{id}", SignedIn),
    ("get", "/overview", Planner),
    ("post", "/admin/schools/{id}/delete", Admin),
    ("get", "/exports", SignedIn),
    ("get", "/exports/{name}", SignedIn),
    ("get", "/visits/{id}/report", SignedIn),
    ("get", "/impact", PlannerOrHead),
    ("get", "/schools/{id}", SignedIn),
    ("get", "/departments/{id}", SignedIn),
    ("get", "/items", SignedIn),
    ("get", "/items/{id}", SignedIn),
    ("post", "/items/{id}", SignedIn),
    ("get", "/schools/{id}/items", SignedIn),
    ("get", "/departments/{id}/items", SignedIn),
    ("post", "/api/v1/visits/{id}/observations", SignedIn),
    ("get", "/api/v1/visits/{id}/observations", SignedIn),
    ("get", "/api/v1/visits", SignedIn),
    ("post", "/api/v1/visits", Planner),
    ("get", "/api/v1/visits/{id}", SignedIn),
    ("put", "/api/v1/visits/{id}", Planner),
    ("patch", "/api/v1/visits/{id}", Planner),
    ("post", "/api/v1/visits/{id}/status", Planner),
    ("get", "/api/v1/visits/{id}/debrief", SignedIn),
    ("put", "/api/v1/visits/{id}/debrief", Planner),
    ("get", "/api/v1/visits/{id}/response", SignedIn),
    ("put", "/api/v1/visits/{id}/response", Respondent),
    (
        "post",
        "/api/v1/visits/{id}/steps/{item_id}/acknowledgement",
        Respondent,
    ),
    (
        "post",
        "/api/v1/visits/{id}/response/needs/{need_id}/item",
        Planner,
    ),
    ("get", "/admin/audit", Admin),
    ("get", "/admin/mail", Admin),
    ("post", "/admin/mail/{id}/retry", Admin),
    ("get", "/admin/settings", Admin),
    ("post", "/admin/settings", Admin),
    ("get", "/admin/schools", Admin),
    ("get", "/admin/schools/new", Admin),
    ("post", "/admin/schools", Admin),
    ("get", "/admin/schools/{id}/edit", Admin),
    ("post", "/admin/schools/{id}", Admin),
    ("post", "/admin/schools/{id}/deactivate", Admin),
    ("post", "/admin/schools/{id}/activate", Admin),
    ("get", "/admin/departments", Admin),
    ("get", "/admin/departments/new", Admin),
    ("post", "/admin/departments", Admin),
    ("get", "/admin/departments/{id}/edit", Admin),
    ("post", "/admin/departments/{id}", Admin),
    ("post", "/admin/departments/{id}/deactivate", Admin),
    ("post", "/admin/departments/{id}/activate", Admin),
    ("get", "/admin/frameworks", Admin),
    ("get", "/admin/frameworks/import", Admin),
    ("post", "/admin/frameworks/import", Admin),
    ("get", "/admin/frameworks/{id}", Admin),
    ("get", "/admin/frameworks/{id}/export.json", Admin),
    ("get", "/admin/frameworks/{id}/export.csv", Admin),
    ("post", "/admin/frameworks/{id}/new-version", Admin),
    ("get", "/admin/users", Admin),
    ("get", "/admin/users/new", Admin),
    ("post", "/admin/users", Admin),
    ("get", "/admin/users/{id}/edit", Admin),
    ("post", "/admin/users/{id}", Admin),
    ("post", "/admin/users/{id}/deactivate", Admin),
    ("post", "/admin/users/{id}/activate", Admin),
    ("post", "/admin/users/{id}/invitation", Admin),
    ("post", "/admin/users/{id}/invitation/revoke", Admin),
    ("get", "/api/v1/schools", Admin),
    ("post", "/api/v1/schools", Admin),
    ("get", "/api/v1/schools/{id}", Admin),
    ("put", "/api/v1/schools/{id}", Admin),
    ("get", "/api/v1/departments", Admin),
    ("post", "/api/v1/departments", Admin),
    ("get", "/api/v1/departments/{id}", Admin),
    ("put", "/api/v1/departments/{id}", Admin),
    ("get", "/api/v1/users", Admin),
    ("post", "/api/v1/users", Admin),
    ("get", "/api/v1/users/{id}", Admin),
    ("put", "/api/v1/users/{id}", Admin),
    ("post", "/api/v1/users/{id}/invitation", Admin),
    ("delete", "/api/v1/users/{id}/invitation", Admin),
    ("get", "/api/v1/frameworks", Admin),
    ("post", "/api/v1/frameworks", Admin),
    ("get", "/api/v1/frameworks/{id}", Admin),
    ("post", "/items/{id}/learning", SignedIn),
    ("post", "/items/{id}/learning/{offering}/remove", SignedIn),
    ("get", "/learning", SignedIn),
    ("get", "/learning/catalogue", Manager),
    ("post", "/learning/catalogue", Manager),
    ("get", "/learning/catalogue.json", Manager),
    ("get", "/learning/offerings.csv", Manager),
    ("get", "/learning/sessions.csv", Manager),
    ("post", "/learning/series", Manager),
    ("get", "/learning/offerings/new", Manager),
    ("post", "/learning/offerings", Manager),
    ("get", "/learning/offerings/{id}", SignedIn),
    ("get", "/learning/offerings/{id}/edit", Manager),
    ("post", "/learning/offerings/{id}", Manager),
    ("get", "/learning/offerings/{id}/sessions/new", Manager),
    ("post", "/learning/offerings/{id}/sessions", Manager),
    ("get", "/learning/sessions/{id}", SignedIn),
    ("get", "/learning/sessions/{id}/edit", Manager),
    ("post", "/learning/sessions/{id}", Manager),
    ("post", "/learning/sessions/{id}/register", Registrar),
    ("post", "/learning/sessions/{id}/withdraw", Registrar),
    ("post", "/learning/sessions/{id}/attendance", Manager),
    ("get", "/insights/learning", PlannerOrHead),
    ("get", "/api/v1/offerings", SignedIn),
    ("post", "/api/v1/offerings", Manager),
    ("get", "/api/v1/offerings/{id}", SignedIn),
    ("put", "/api/v1/offerings/{id}", Manager),
    ("post", "/api/v1/offerings/{id}/sessions", Manager),
    ("get", "/api/v1/series", SignedIn),
    ("post", "/api/v1/series", Manager),
    ("put", "/api/v1/series/{id}", Manager),
    ("get", "/api/v1/sessions", SignedIn),
    ("get", "/api/v1/sessions/{id}", SignedIn),
    ("put", "/api/v1/sessions/{id}", Manager),
    (
        "put",
        "/api/v1/sessions/{id}/registrations/{school_id}",
        Registrar,
    ),
    (
        "delete",
        "/api/v1/sessions/{id}/registrations/{school_id}",
        Registrar,
    ),
    ("put", "/api/v1/sessions/{id}/attendance", Manager),
    ("get", "/api/v1/items/{id}/learning", SignedIn),
    ("post", "/api/v1/items/{id}/learning", SignedIn),
    (
        "delete",
        "/api/v1/items/{id}/learning/{offering_id}",
        SignedIn,
    ),
    ("get", "/api/v1/insights/learning", PlannerOrHead),
    ("get", "/api/v1/learning/credits", Admin),
    ("get", "/api/v1/catalogue", Manager),
    ("get", "/api/v1/catalogue/offerings.csv", Manager),
    ("get", "/api/v1/catalogue/sessions.csv", Manager),
    ("post", "/api/v1/catalogue", Manager),
    ("post", "/api/v1/catalogue/csv", Manager),
];

/// Every route the app serves: the page table, the API (from its generated
/// document) and the others.
async fn served_routes(app: &TestApp) -> BTreeSet<(String, String)> {
    let mut routes: BTreeSet<(String, String)> = campus_visits::app::PAGE_ROUTES
        .iter()
        .chain(campus_visits::app::OTHER_ROUTES)
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    routes
}

#[tokio::test]
async fn every_route_has_a_row() {
    let app = spawn_app().await;
    let served = served_routes(&app).await;
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = served.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the access matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for routes that are not served: {stale:?}"
    );
}

/// The records the routes' `{id}`s point at.
struct Ids {
    message: i64,
    visit: i64,
    item: i64,
    framework: i64,
    school: i64,
    department: i64,
    user: i64,
    token: i64,
    offering: i64,
    session: i64,
    series: i64,
}

fn concrete(path: &str, ids: &Ids) -> String {
    let id = if path.starts_with("/items")
        || path.starts_with("/api/v1/items")
        || path.contains("/checks/")
    {
        ids.item
    } else if path.contains("offerings") {
        ids.offering
    } else if path.contains("sessions") {
        ids.session
    } else if path.contains("series") {
        ids.series
    } else if path.contains("visits") {
        ids.visit
    } else if path.contains("frameworks") {
        ids.framework
    } else if path.contains("schools") {
        ids.school
    } else if path.contains("departments") {
        ids.department
    } else if path.contains("tokens") {
        ids.token
    } else if path.contains("/mail/") {
        ids.message
    } else {
        ids.user
    };
    if path == "/exports/{name}" {
        return "/exports/items.csv".to_owned();
    }
    path.replace("{visit}", &ids.visit.to_string())
        .replace("{user}", &ids.user.to_string())
        .replace("{kind}", "digest")
        .replace(
            "{signature}",
            &campus_visits::auth::unsubscribe_signature(&"k".repeat(64), ids.user, "digest"),
        )
        .replace("{id}", &id.to_string())
        .replace("{school_id}", &ids.school.to_string())
        .replace("{item_id}", &ids.item.to_string())
        .replace("{need_id}", "1")
        .replace("{offering_id}", &ids.offering.to_string())
        .replace("{offering}", &ids.offering.to_string())
        .replace(
            "{name}",
            campus_visits::views::assets::stylesheet_path().trim_start_matches("/static/"),
        )
}

/// A browser for one role, signed in (or with only an anonymous session).
async fn browser_as(app: &TestApp, roles: Option<&[Role]>) -> (reqwest::Client, String) {
    let client = browser();
    match roles {
        Some(roles) => {
            let user = app.create_user(roles, None, None);
            let (response, csrf) =
                crate::helpers::sign_in_with(app, &client, &user.email, TEST_PASSWORD).await;
            assert_eq!(response.status(), 303, "sign in as {roles:?}");
            (client, csrf.expect("a signed-in page carries a CSRF token"))
        }
        None => {
            // Only the anonymous session of the sign-in form.
            let form = client
                .get(app.url("/sign-in"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csrf = csrf_in(&form).unwrap();
            (client, csrf)
        }
    }
}

fn request(
    client: &reqwest::Client,
    app: &TestApp,
    method: &str,
    path: &str,
    csrf: Option<&str>,
) -> reqwest::RequestBuilder {
    let url = app.url(path);
    let builder = match method {
        "get" => client.get(url),
        "post" => client.request(Method::POST, url),
        "put" => client.request(Method::PUT, url),
        "patch" => client.request(Method::PATCH, url),
        "delete" => client.request(Method::DELETE, url),
        other => panic!("no requests for {other}"),
    };
    let builder = match csrf {
        Some(token) => builder.header("x-csrf-token", token),
        None => builder,
    };
    if method == "get" || method == "delete" {
        builder
    } else if path.starts_with("/api/") {
        builder.json(&json!({}))
    } else {
        builder.form(&[("name", "")])
    }
}

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    let csp = headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
        "{what}: {csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert!(headers.contains_key("referrer-policy"), "{what}");
    let cache = headers["cache-control"].to_str().unwrap();
    if what.contains("/static/") {
        assert!(cache.contains("immutable"), "{what}: {cache}");
    } else if what.ends_with("/sw.js") {
        // Browsers must check the service worker on every visit.
        assert_eq!(cache, "no-cache", "{what}");
    } else {
        assert_eq!(cache, "no-store", "{what}");
    }
}

fn to_sign_in(response: &reqwest::Response) -> bool {
    response.status() == 303
        && response
            .headers()
            .get("location")
            .is_some_and(|l| l.to_str().unwrap().starts_with("/sign-in"))
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let school =
        campus_visits::domain::school::NewSchool::parse("Oak", "OAK", "elementary", true).unwrap();
    let department =
        campus_visits::domain::department::NewDepartment::parse("IT", "", true).unwrap();
    let owner = app.create_user(&[Role::Visitor], None, None);
    db::accounts::insert_token(
        &mut conn,
        owner.id,
        "t",
        &campus_visits::auth::token::digest("cv_x"),
    )
    .unwrap();
    let framework = campus_visits::domain::framework::from_json(
        r#"{"name": "F", "version": 1, "domains": [{"name": "D", "indicators": [{"code": "A1", "title": "T"}]}]}"#,
        &|_| None,
    )
    .unwrap();
    let school_id = db::schools::insert(&mut conn, &school).unwrap();
    let visit = campus_visits::domain::visit::NewVisit::parse(
        Some(school_id),
        "2027-01-06",
        None,
        None,
        "",
        Default::default(),
        Default::default(),
    )
    .unwrap();
    let visit_id = db::visits::insert(&mut conn, &visit).unwrap();
    db::visits::advance(
        &mut conn,
        visit_id,
        campus_visits::domain::visit::VisitStatus::InProgress,
    )
    .unwrap();
    let item = db::action_items::add(
        &mut conn,
        visit_id,
        &db::action_items::Draft {
            kind: campus_visits::domain::action_item::Kind::School,
            department_id: None,
            title: "Post the schedule".into(),
            evidence: String::new(),
            owner_id: None,
            due_on: None,
            priority: campus_visits::domain::action_item::Priority::Normal,
        },
        owner.id,
    )
    .unwrap();
    // A message the mail server refused, to retry.
    let message = {
        let m = campus_visits::db::outbox::NewMessage {
            kind: "test".to_owned(),
            recipient: "someone@district.example.org".to_owned(),
            recipient_id: None,
            subject: "S".to_owned(),
            text_body: "T".to_owned(),
            html_body: "<p>H</p>".to_owned(),
            dedupe_key: None,
            list_unsubscribe: None,
        };
        campus_visits::db::outbox::enqueue(&mut conn, &m).unwrap();
        let id = campus_visits::db::outbox::list(&mut conn, &[], 1).unwrap()[0].id;
        campus_visits::db::outbox::mark_failed(&mut conn, id, "550 no such person").unwrap();
        id
    };
    let department = db::departments::insert(&mut conn, &department).unwrap();
    let offering = db::learning::insert_offering(
        &mut conn,
        &campus_visits::domain::learning::NewOffering {
            title: "Checks for understanding".into(),
            description: String::new(),
            format: campus_visits::domain::learning::Format::Online,
            department_id: department,
            audience: campus_visits::domain::learning::Audience::Teachers,
            credit_tenths: 15,
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
            on_date: chrono::NaiveDate::from_ymd_opt(2099, 2, 14).unwrap(),
            starts_at: chrono::NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
            ends_at: chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            place: "Room 4".into(),
            capacity: 22,
            facilitator_id: None,
            cancelled: false,
        },
    )
    .unwrap();
    let series = db::learning::insert_series(
        &mut conn,
        &campus_visits::domain::learning::NewSeries {
            name: "Wednesdays".into(),
            description: String::new(),
        },
    )
    .unwrap();
    let ids = Ids {
        message,
        visit: visit_id,
        item,
        framework: db::frameworks::import(&mut conn, &framework).unwrap().id(),
        school: school_id,
        department,
        user: app.create_user(&[Role::Visitor], None, None).id,
        token: db::accounts::tokens_of(&mut conn, owner.id).unwrap()[0].id,
        offering,
        session,
        series,
    };

    let roles: Vec<(&str, Option<Vec<Role>>)> = vec![
        ("signed out", None),
        ("admin", Some(vec![Role::Admin])),
        ("visit lead", Some(vec![Role::VisitLead])),
        ("visitor", Some(vec![Role::Visitor])),
        ("school leader", Some(vec![Role::SchoolLeader])),
        ("department head", Some(vec![Role::DepartmentHead])),
        (
            "department head and visitor",
            Some(vec![Role::DepartmentHead, Role::Visitor]),
        ),
    ];
    // Signing out ends the session the other rows need: do it last.
    let mut rows: Vec<_> = MATRIX.to_vec();
    rows.sort_by_key(|(_, path, _)| *path == "/sign-out");

    for (who, roles) in &roles {
        let (client, csrf) = browser_as(&app, roles.as_deref()).await;
        let is_admin = roles.as_ref().is_some_and(|r| r.contains(&Role::Admin));
        let is_planner = is_admin || roles.as_ref().is_some_and(|r| r.contains(&Role::VisitLead));
        for (method, pattern, access) in &rows {
            let path = concrete(pattern, &ids);
            let what = format!("{who}: {method} {path}");
            // Ending every session would end the one the rows after need.
            let own = if *pattern == "/account/sign-out-everywhere" {
                Some(browser_as(&app, roles.as_deref()).await)
            } else {
                None
            };
            let (client, csrf) = own.as_ref().map_or((&client, &csrf), |(c, t)| (c, t));
            let response = request(client, &app, method, &path, Some(csrf))
                .send()
                .await
                .unwrap();
            assert_security_headers(&response, &what);
            let status = response.status().as_u16();
            let allowed = match (access, roles) {
                (Public, _) => true,
                (
                    SignedIn | Planner | Admin | PlannerOrHead | Manager | Registrar | Respondent,
                    None,
                ) => false,
                (PlannerOrHead, Some(roles)) => is_planner || roles.contains(&Role::DepartmentHead),
                (SignedIn, Some(_)) => true,
                (Planner, Some(_)) => is_planner,
                (Admin | Manager | Registrar | Respondent, Some(_)) => is_admin,
            };
            if allowed {
                // 401 is allowed only as the sign-in form's answer to a wrong password.
                // Signing out ends at the sign-in form, which is its success.
                let unauthorized = status == 401 && *pattern != "/sign-in";
                let sent_away = to_sign_in(&response) && !pattern.contains("sign-out");
                assert!(
                    !unauthorized && status != 403 && !sent_away,
                    "{what} should be allowed, got {status}"
                );
                assert!(status < 500, "{what}: {status}");
            } else if roles.is_none() {
                if pattern.starts_with("/api/") {
                    assert_eq!(status, 401, "{what}");
                } else {
                    assert!(
                        to_sign_in(&response),
                        "{what} should send the browser to sign in, got {status}"
                    );
                }
            } else if *access == Respondent {
                assert!(
                    status == 403 || status == 404,
                    "{what} should be refused, got {status}"
                );
            } else {
                assert_eq!(status, 403, "{what} should be refused");
            }
        }
    }
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_request_without_the_csrf_token() {
    let app = spawn_app().await;
    let user = app.sign_in_as(&[Role::Admin]).await;
    let ids = Ids {
        message: 1,
        visit: 1,
        item: 1,
        framework: 1,
        school: 1,
        department: 1,
        user: user.id,
        token: 1,
        offering: 1,
        session: 1,
        series: 1,
    };
    let mut checked = 0;
    // The signed unsubscribe links are their own authority (see `csrf`).
    for (method, pattern, _) in MATRIX
        .iter()
        .filter(|(m, p, _)| *m != "get" && !p.starts_with(campus_visits::auth::csrf::EXEMPT_PREFIX))
    {
        let path = concrete(pattern, &ids);
        let response = request(&app.client, &app, method, &path, None)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{method} {path} without a CSRF token"
        );
        assert_security_headers(&response, &format!("{method} {path}"));
        checked += 1;
    }
    assert!(checked >= 20, "{checked} routes checked");
    // And the session is still there: none of it took effect.
    assert_eq!(app.get("/account").await.status(), 200);
}

/// Record-level rule for what exists so far: a person's API tokens are
/// theirs alone (see also `accounts::people_cannot_revoke_each_other_s_tokens`);
/// a guessed id gets 404, not 403, so ids leak nothing.
#[tokio::test]
async fn guessed_ids_get_404() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    for path in [
        "/admin/schools/987654/edit",
        "/admin/departments/987654/edit",
        "/admin/users/987654/edit",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    assert_eq!(
        app.post_form("/account/tokens/987654/revoke", &[])
            .await
            .status(),
        404
    );
}
