//! HTTP throughput of real pages against a baseline page.
//!
//! Builds a data set (the demo district), starts the real server on a free
//! loopback port, then drives each endpoint with a fixed number of
//! keep-alive connections for a fixed time, from inside this process, and
//! prints requests/s, p50 and p99 per endpoint and each page's throughput
//! as a share of the baseline's.
//!
//!   cargo bench --features bench --bench http
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ cargo bench --features bench --bench http
//!
//! Settings: BENCH_SECONDS (default 5 per endpoint), BENCH_CONNECTIONS
//! (default 16), BENCH_WORKERS (server threads, default 2).

use std::time::{Duration, Instant};

use campus_visits::app::Application;
use campus_visits::config::{Config, Environment};
use campus_visits::db;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use hdrhistogram::Histogram;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A database for this run: a fresh PostgreSQL database when
/// BENCH_DATABASE_URL names a server, else a SQLite file in a temporary folder.
struct BenchDb {
    url: String,
    drop_pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl BenchDb {
    fn create() -> Self {
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

struct Result {
    path: &'static str,
    requests: u64,
    errors: u64,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

async fn drive(
    base: &str,
    path: &'static str,
    token: Option<&str>,
    connections: u64,
    seconds: u64,
) -> Result {
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
    for _ in 0..connections {
        let _ = client.get(&url).send().await.map(|r| r.status());
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match client.get(&url).send().await {
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
        path,
        requests: histogram.len(),
        errors,
        per_second: histogram.len() as f64 / elapsed,
        p50: Duration::from_micros(histogram.value_at_quantile(0.50)),
        p99: Duration::from_micros(histogram.value_at_quantile(0.99)),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds = setting("BENCH_SECONDS", 5);
    let connections = setting("BENCH_CONNECTIONS", 16);
    let workers = setting("BENCH_WORKERS", 2) as usize;
    let bench_db = BenchDb::create();

    let loading = Instant::now();
    let mut conn = db::connect(&bench_db.url).expect("connect");
    db::migrate(&mut conn).expect("migrate");
    let loaded = campus_visits::demo::load_if_empty(&mut conn)
        .expect("demo data")
        .expect("an empty database");
    // The real pages need a signed-in administrator: the bench signs in with
    // an API token, so each request also pays for the access check.
    let token = campus_visits::auth::token::generate();
    let admin = db::users::find_by_email(&mut conn, "admin@district.example.org")
        .expect("query")
        .expect("the demo administrator");
    db::accounts::insert_token(
        &mut conn,
        admin.id,
        "bench",
        &campus_visits::auth::token::digest(&token),
    )
    .expect("a token");
    drop(conn);
    let engine = db::Engine::from_url(&bench_db.url).name();
    println!(
        "data set: demo district ({} schools, {} departments, {} people) on {engine}, loaded in {:.2?}",
        loaded.schools, loaded.departments, loaded.users, loading.elapsed()
    );

    let config = Config {
        bind: "127.0.0.1:0".to_owned(),
        base_url: "http://127.0.0.1".to_owned(),
        database_url: bench_db.url.clone(),
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
    };
    let app = Application::build(config).await.expect("the app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());

    println!("load: {connections} connections, {seconds} s per endpoint, {workers} server workers, 2 cores shared with the load generator");
    let baseline = drive(&base, "/bench/baseline", None, connections, seconds).await;
    let pages = [
        drive(&base, "/admin/schools", Some(&token), connections, seconds).await,
        drive(&base, "/api/v1/schools", Some(&token), connections, seconds).await,
    ];
    println!(
        "{:<20} {:>10} {:>8} {:>11} {:>10} {:>10} {:>12}",
        "endpoint", "requests", "errors", "req/s", "p50", "p99", "vs baseline"
    );
    for result in std::iter::once(&baseline).chain(pages.iter()) {
        println!(
            "{:<20} {:>10} {:>8} {:>11.0} {:>10.2?} {:>10.2?} {:>11.2}x",
            result.path,
            result.requests,
            result.errors,
            result.per_second,
            result.p50,
            result.p99,
            result.per_second / baseline.per_second
        );
    }
    handle.stop(true).await;
}
