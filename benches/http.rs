//! HTTP throughput of real pages against a baseline page.
//!
//! Builds a data set (the demo district), starts the real server on a free
//! loopback port, then drives each endpoint with a fixed number of
//! keep-alive connections for a fixed time, from inside this process, and
//! prints requests/s, p50 and p99 per endpoint and each page's throughput
//! as a share of the baseline's. Last, it measures messages per second
//! through the mail worker to an SMTP server on loopback.
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

/// A demo person and a new API token of theirs.
fn api_token(conn: &mut db::DbConn, email: &str) -> (campus_visits::domain::user::User, String) {
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

/// What each request sends.
#[derive(Clone)]
enum Load {
    Get,
    /// A JSON body posted with a fresh `Idempotency-Key` each time.
    PostFresh(serde_json::Value),
}

async fn drive(
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
async fn drive_with(
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
    let (_, token) = api_token(&mut conn, "admin@district.example.org");
    // A visitor on the first upcoming demo visit's team, for the capture
    // page and for submitting observations; he heads Curriculum, for the
    // department board.
    let (visitor, visitor_token) = api_token(&mut conn, "marcus.bell@district.example.org");
    // The demo school leader, for her campus's action steps.
    let (leader, leader_token) = api_token(&mut conn, "hannah.brooks@district.example.org");
    let board_path = format!(
        "/departments/{}/items",
        visitor
            .department
            .as_ref()
            .expect("Marcus Bell heads Curriculum")
            .id
    );
    let steps_path = format!(
        "/schools/{}/items",
        leader
            .school
            .as_ref()
            .expect("Hannah Brooks leads a campus")
            .id
    );
    let viewer = db::visits::Viewer {
        user_id: visitor.id,
        roles: [campus_visits::domain::account::Role::Visitor].into(),
        school_id: None,
        department_id: None,
    };
    let visit_id = db::visits::list(
        &mut conn,
        &viewer,
        &db::visits::Filter {
            school_id: None,
            from: Some(chrono::Utc::now().date_naive()),
        },
        campus_visits::domain::paging::PageRequest::new(None, None),
    )
    .expect("visits")
    .items
    .last()
    .expect("an upcoming demo visit")
    .id;
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
    };
    let app = Application::build(config).await.expect("the app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());

    println!("load: {connections} connections, {seconds} s per endpoint, {workers} server workers, 2 cores shared with the load generator");
    let baseline = drive(&base, "/bench/baseline", None, connections, seconds).await;
    let capture_path = format!("/visits/{visit_id}/observe");
    let observation = serde_json::json!({
        "setting": "classroom", "room": "B12", "grade_band": "6-8", "subject": "Math", "started_at": "09:40",
        "ticks": {"LG1": "observed", "LG2": "partly", "CU1": "not_observed", "CU4": "not_applicable", "SE1": "observed"},
        "notes": "Exit tickets collected; most students answered the hinge question."
    });
    let pages = [
        drive(&base, "/admin/schools", Some(&token), connections, seconds).await,
        drive(&base, "/api/v1/schools", Some(&token), connections, seconds).await,
        drive_with(
            &base,
            "/visits/{id}/observe",
            capture_path.clone(),
            Some(&visitor_token),
            Load::Get,
            connections,
            seconds,
        )
        .await,
        drive_with(
            &base,
            "department board",
            board_path,
            Some(&visitor_token),
            Load::Get,
            connections,
            seconds,
        )
        .await,
        drive_with(
            &base,
            "school action steps",
            steps_path,
            Some(&leader_token),
            Load::Get,
            connections,
            seconds,
        )
        .await,
        drive_with(
            &base,
            "POST observation",
            format!("/api/v1/visits/{visit_id}/observations"),
            Some(&visitor_token),
            Load::PostFresh(observation),
            connections,
            seconds,
        )
        .await,
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
    page_weight(&base, &capture_path, &visitor_token).await;
    handle.stop(true).await;
    mail_throughput(&bench_db.url).await;
}

/// Messages per second through the mail worker to an SMTP server on
/// loopback (mailin-embedded in this process): BENCH_MESSAGES messages
/// (default 2,000) written to the outbox, then delivered by one worker.
async fn mail_throughput(url: &str) {
    use campus_visits::db::outbox::{enqueue, NewMessage};
    use mailin_embedded::{Handler, Server};

    #[derive(Clone)]
    struct Count(std::sync::Arc<std::sync::atomic::AtomicUsize>);
    impl Handler for Count {
        fn data_end(&mut self) -> mailin_embedded::Response {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            mailin_embedded::response::OK
        }
    }

    let total = setting("BENCH_MESSAGES", 2_000) as usize;
    let mut conn = db::connect(url).expect("connect");
    db::write_transaction(&mut conn, |conn| {
        for n in 0..total {
            enqueue(
                conn,
                &NewMessage {
                    kind: "bench".to_owned(),
                    recipient: format!("person{n}@district.example.org"),
                    recipient_id: None,
                    subject: format!("Visit to Oak Middle: action item {n}"),
                    text_body: "Hello,\n\nThis action item is now yours.\n".repeat(8),
                    html_body: "<p>Hello,</p><p>This action item is now yours.</p>".repeat(8),
                    dedupe_key: None,
                    list_unsubscribe: None,
                },
            )?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .expect("the outbox filled");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut server = Server::new(Count(received.clone()));
    server.with_num_threads(32).with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    let worker = campus_visits::config::MailConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        from: "campus-visits <no-reply@bench.example.org>"
            .parse()
            .unwrap(),
        dir: std::env::temp_dir(),
        host: "bench.example.org".to_owned(),
        base_url: "http://bench.example.org".to_owned(),
        signing_key: "k".repeat(64),
        worker: true,
    }
    .worker(db::Db::new(url, 8, Duration::from_secs(5)))
    .expect("a worker");
    let started = Instant::now();
    let mut sent = 0;
    loop {
        let round = worker.run_once().await.expect("a round");
        if round.handled() == 0 {
            break;
        }
        sent += round.sent;
    }
    let elapsed = started.elapsed();
    println!(
        "mail: {sent} of {total} messages sent in {:.2?} ({:.0} messages/s; the server received {}), {} at a time, {} per claim",
        elapsed,
        sent as f64 / elapsed.as_secs_f64(),
        received.load(std::sync::atomic::Ordering::Relaxed),
        worker.parallel,
        worker.batch,
    );
}

/// What the capture page costs a tablet on first load: the compressed
/// bytes of the page and of everything it links (today: the stylesheet).
async fn page_weight(base: &str, path: &str, token: &str) {
    let client = reqwest::Client::new();
    let fetch = |url: String| {
        let client = client.clone();
        let token = token.to_owned();
        async move {
            let response = client
                .get(url)
                .bearer_auth(token)
                .header("accept-encoding", "gzip")
                .send()
                .await
                .expect("a response");
            let gzip = response
                .headers()
                .get("content-encoding")
                .is_some_and(|v| v == "gzip");
            let bytes = response.bytes().await.expect("a body");
            (bytes, gzip)
        }
    };
    let (html, html_gzip) = fetch(format!("{base}{path}")).await;
    // The body is gzip when compressed; find the stylesheet in the plain page.
    let plain = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("a response")
        .text()
        .await
        .expect("a page");
    // Everything the page links from /static/: the stylesheet and scripts.
    let mut linked = Vec::new();
    for piece in plain.split("\"/static/").skip(1) {
        let name: String = piece.chars().take_while(|c| *c != '"').collect();
        let (bytes, gzip) = fetch(format!("{base}/static/{name}")).await;
        linked.push((name, bytes.len(), gzip));
    }
    let total = html.len() + linked.iter().map(|l| l.1).sum::<usize>();
    let parts: Vec<String> = linked
        .iter()
        .map(|(name, len, gzip)| {
            format!(
                "{name} {:.1} KB{}",
                *len as f64 / 1024.0,
                if *gzip { " gzip" } else { "" }
            )
        })
        .collect();
    println!(
        "capture page first load: {:.1} KB transferred (page {:.1} KB{}; {})",
        total as f64 / 1024.0,
        html.len() as f64 / 1024.0,
        if html_gzip { " gzip" } else { "" },
        parts.join(", "),
    );
}
