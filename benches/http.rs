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

mod support;

use std::time::{Duration, Instant};

use campus_visits::app::Application;
use campus_visits::db;
use support::{api_token, drive, drive_with, setting, BenchDb, Load};

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
    // A visit lead, for the rotation on the start page.
    let (_, lead_token) = api_token(&mut conn, "lena.ortiz@district.example.org");
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

    let config = support::config(&bench_db.url, workers);
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
            "home: school leader",
            "/".to_owned(),
            Some(&leader_token),
            Load::Get,
            connections,
            seconds,
        )
        .await,
        drive_with(
            &base,
            "home: dept head",
            "/".to_owned(),
            Some(&visitor_token),
            Load::Get,
            connections,
            seconds,
        )
        .await,
        drive_with(
            &base,
            "home: visit lead",
            "/".to_owned(),
            Some(&lead_token),
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
