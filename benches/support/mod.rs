//! What the benches share: settings from the environment, a database of
//! their own, API tokens, the server's configuration, and the load driver.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use campus_visits::config::{Config, Environment};
use campus_visits::db;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use hdrhistogram::Histogram;

pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A demo person and a new API token of theirs.
pub fn api_token(
    conn: &mut db::DbConn,
    email: &str,
) -> (campus_visits::domain::user::User, String) {
    let user = db::users::find_by_email(conn, email)
        .expect("query")
        .unwrap_or_else(|| panic!("the demo person {email}"));
    let token = campus_visits::auth::token::generate();
    db::accounts::insert_token(
        conn,
        user.id,
        "bench",
        &campus_visits::auth::token::digest(&token),
    )
    .expect("a token");
    (user, token)
}

/// A database for this run: a fresh PostgreSQL database when
/// BENCH_DATABASE_URL names a server, else a SQLite file in a temporary folder.
pub struct BenchDb {
    pub url: String,
    drop_pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl BenchDb {
    pub fn create() -> Self {
        match std::env::var("BENCH_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let (scheme, rest) = url.split_once("://").unwrap();
                let server = format!("{scheme}://{}/", rest.split('/').next().unwrap());
                let name = format!("cv_bench_{}", std::process::id());
                let mut admin =
                    PgConnection::establish(&format!("{server}postgres")).expect("PostgreSQL");
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .unwrap();
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                BenchDb {
                    url: format!("{server}{name}"),
                    drop_pg: Some((server, name)),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().unwrap();
                let url = dir.path().join("bench.db").to_str().unwrap().to_owned();
                BenchDb {
                    url,
                    drop_pg: None,
                    _dir: Some(dir),
                }
            }
        }
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.drop_pg {
            if let Ok(mut admin) = PgConnection::establish(&format!("{server}postgres")) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct Result {
    pub path: &'static str,
    pub requests: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
}

/// What each request sends.
#[derive(Clone)]
pub enum Load {
    Get,
    /// A JSON body posted with a fresh `Idempotency-Key` each time.
    PostFresh(serde_json::Value),
}

pub async fn drive(
    base: &str,
    path: &'static str,
    token: Option<&str>,
    connections: u64,
    seconds: u64,
) -> Result {
    drive_with(
        base,
        path,
        path.to_owned(),
        token,
        Load::Get,
        connections,
        seconds,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn drive_with(
    base: &str,
    label: &'static str,
    path: String,
    token: Option<&str>,
    load: Load,
    connections: u64,
    seconds: u64,
) -> Result {
    let path_for_result = label;
    let url = format!("{base}{path}");
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections as usize)
        .default_headers(headers)
        .build()
        .unwrap();
    // Warm up: fill the pools and caches.
    if matches!(load, Load::Get) {
        for _ in 0..connections {
            let _ = client.get(&url).send().await.map(|r| r.status());
        }
    }
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let client = client.clone();
        let url = url.clone();
        let load = load.clone();
        let counter = counter.clone();
        tasks.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let request = match &load {
                    Load::Get => client.get(&url),
                    Load::PostFresh(body) => {
                        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        client
                            .post(&url)
                            .header(
                                "Idempotency-Key",
                                format!("bench-{}-{n:012}", std::process::id()),
                            )
                            .json(body)
                    }
                };
                match request.send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                    }
                    _ => errors += 1,
                }
                let _ = histogram.record(sent.elapsed().as_micros().max(1) as u64);
            }
            (histogram, errors)
        }));
    }
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    let mut errors = 0;
    for task in tasks {
        let (h, e) = task.await.unwrap();
        histogram.add(h).unwrap();
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Result {
        path: path_for_result,
        requests: histogram.len(),
        errors,
        per_second: histogram.len() as f64 / elapsed,
        p50: Duration::from_micros(histogram.value_at_quantile(0.50)),
        p95: Duration::from_micros(histogram.value_at_quantile(0.95)),
        p99: Duration::from_micros(histogram.value_at_quantile(0.99)),
    }
}

/// The server's configuration for a bench run on `database_url`.
pub fn config(database_url: &str, workers: usize) -> Config {
    Config {
        bind: "127.0.0.1:0".to_owned(),
        base_url: "http://127.0.0.1".to_owned(),
        database_url: database_url.to_owned(),
        session_key: "b".repeat(64),
        environment: Environment::Development,
        db_pool_size: 8,
        db_timeout: Duration::from_secs(5),
        workers,
        demo: false,
        session_idle: Duration::from_secs(1800),
        session_lifetime: Duration::from_secs(36_000),
        sign_in_delay_cap: Duration::from_secs(60),
        trust_proxy: false,
        oidc: None,
        district_name: "the district".to_owned(),
        password_sign_in: Default::default(),
        mail: campus_visits::config::MailConfig {
            smtp_url: None,
            from: "campus-visits <no-reply@bench.example.org>"
                .parse()
                .unwrap(),
            dir: std::env::temp_dir().join("cv-bench-mail"),
            host: "bench.example.org".to_owned(),
            base_url: "http://bench.example.org".to_owned(),
            signing_key: "k".repeat(64),
            worker: false,
        },
    }
}
