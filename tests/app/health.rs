use std::time::{Duration, Instant};

use crate::helpers::{spawn_app, spawn_app_on, TestDb};
use crate::proxy::TcpProxy;

#[tokio::test]
async fn healthz_names_the_engine() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], app.db.engine_name());
}

/// PostgreSQL going away (here: the only way to it is cut) gives a prompt
/// 503, and the app recovers by itself when it comes back.
#[tokio::test]
async fn healthz_is_503_while_postgres_is_unreachable_and_recovers() {
    let db = TestDb::postgres();
    let proxy = TcpProxy::start(db.url()).await;
    let through_proxy = proxy.url_for(db.url());
    db.connect(); // migrate directly, so the app starts quickly
    let app = spawn_app_on(db, |config| config.database_url = through_proxy).await;
    app.sign_in_as(&[campus_visits::domain::account::Role::Admin])
        .await;

    assert_eq!(app.get("/healthz").await.status(), 200);

    proxy.cut();
    let started = Instant::now();
    let response = app.get("/healthz").await;
    assert_eq!(
        response.status(),
        503,
        "healthz while the database is unreachable"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "healthz took {:?}",
        started.elapsed()
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    // A page that needs the database says so too, with 503 and no internals.
    let page = app.get("/admin/schools").await;
    assert_eq!(page.status(), 503);
    let text = page.text().await.unwrap();
    assert!(text.contains("The database is not answering"), "{text}");
    assert!(!text.to_lowercase().contains("connection refused"));

    proxy.restore();
    let mut status = 0;
    for _ in 0..20 {
        status = app.get("/healthz").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(status, 200, "healthz after the database came back");
    assert_eq!(app.get("/admin/schools").await.status(), 200);
}

/// A database restart under load (open connections dropped, new ones
/// accepted at once): connections in use a moment ago are handed out
/// without a check, so the request on each dead one fails with 503 — and
/// that connection is replaced; no more than one failure per pooled
/// connection, then every request is served again.
#[tokio::test]
async fn connections_cut_while_in_use_are_replaced_after_one_failure_each() {
    const POOL: u32 = 4;
    let db = TestDb::postgres();
    let proxy = TcpProxy::start(db.url()).await;
    let through_proxy = proxy.url_for(db.url());
    db.connect();
    let app = spawn_app_on(db, |config| {
        config.database_url = through_proxy;
        config.db_pool_size = POOL;
    })
    .await;
    app.sign_in_as(&[campus_visits::domain::account::Role::Admin])
        .await;
    // Fill the pool: several requests at once use several connections.
    let warm = futures_util::future::join_all((0..8).map(|_| app.get("/admin/schools"))).await;
    assert!(warm.iter().all(|r| r.status() == 200));

    proxy.cut();
    proxy.restore();
    let mut statuses = Vec::new();
    for _ in 0..(POOL + 6) {
        statuses.push(app.get("/admin/schools").await.status().as_u16());
    }
    let failed = statuses.iter().filter(|s| **s != 200).count();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(failed <= POOL as usize, "{statuses:?}");
    assert!(
        statuses[statuses.len() - 6..].iter().all(|s| *s == 200),
        "served again once the dead connections are gone: {statuses:?}"
    );
}

#[tokio::test]
async fn stylesheet_is_cached_for_long_and_pages_are_compressed() {
    let app = spawn_app().await;
    let page = app.get_text("/sign-in").await;
    let start = page
        .find("/static/style-")
        .expect("the page links its stylesheet");
    let href: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let css = app.get(&href).await;
    assert_eq!(css.status(), 200);
    let cache = css.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(
        cache.contains("max-age=31536000") && cache.contains("immutable"),
        "{cache}"
    );
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert_eq!(app.get("/static/style-0000.css").await.status(), 404);

    app.sign_in_as(&[campus_visits::domain::account::Role::Admin])
        .await;
    let gz = app
        .client
        .get(app.url("/admin/schools"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.status(), 200);
    assert_eq!(
        gz.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
}

#[tokio::test]
async fn unknown_addresses_are_404_in_the_caller_s_language() {
    let app = spawn_app().await;
    app.sign_in_as(&[campus_visits::domain::account::Role::Admin])
        .await;
    let page = app.get("/no/such/page").await;
    assert_eq!(page.status(), 404);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("There is nothing at this address."));

    let api = app.get("/api/v1/no-such-thing").await;
    assert_eq!(api.status(), 404);
    let error = crate::helpers::api_error(api).await;
    assert_eq!(error["code"], "not_found");

    for path in [
        "/admin/schools/abc/edit",
        "/admin/schools/99999999/edit",
        "/api/v1/schools/abc",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    let bad_query = app.get("/admin/schools?page=many").await;
    assert_eq!(bad_query.status(), 400);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/healthz",
        "/admin/schools",
        "/api/v1/schools",
        "/missing",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
    }
}

/// PostgreSQL going silent — the proxy to it stops forwarding but closes
/// nothing, as a hung proxy, a failover or a pulled cable do — is no hang:
/// `/healthz` answers 503 within 2 s, every request within DB_TIMEOUT (the
/// API in its JSON envelope), and all is served again once it answers.
#[tokio::test]
async fn a_silent_database_gets_prompt_503s_and_the_app_recovers_without_a_restart() {
    const DB_TIMEOUT: Duration = Duration::from_secs(2);
    let db = TestDb::postgres();
    let proxy = TcpProxy::start(db.url()).await;
    let through_proxy = proxy.url_for(db.url());
    db.connect();
    let app = spawn_app_on(db, |config| {
        config.database_url = through_proxy;
        config.db_timeout = DB_TIMEOUT;
        config.db_pool_size = 4;
    })
    .await;
    let (_, token) = app.token_for(&[campus_visits::domain::account::Role::Admin]);
    app.sign_in_as(&[campus_visits::domain::account::Role::Admin])
        .await;
    assert_eq!(app.get("/admin/schools").await.status(), 200);

    proxy.freeze();
    let started = Instant::now();
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 503);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(2500),
        "healthz took {waited:?}"
    );

    for _ in 0..3 {
        let started = Instant::now();
        let page = app.get("/admin/schools").await;
        assert_eq!(page.status(), 503);
        let waited = started.elapsed();
        assert!(
            waited < DB_TIMEOUT + Duration::from_secs(1),
            "a page took {waited:?}"
        );
    }
    let started = Instant::now();
    let api = crate::helpers::browser()
        .get(app.url("/api/v1/schools"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 503);
    let waited = started.elapsed();
    assert!(
        waited < DB_TIMEOUT + Duration::from_secs(1),
        "the API took {waited:?}"
    );
    assert_eq!(crate::helpers::api_error(api).await["code"], "unavailable");

    proxy.thaw();
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let status = app.get("/admin/schools").await.status().as_u16();
        statuses.push(status);
        if status == 200 && app.get("/healthz").await.status() == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(statuses.last(), Some(&200), "served again: {statuses:?}");
}
