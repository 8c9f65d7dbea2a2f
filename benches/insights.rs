//! The dashboards on a large district: generates one (1,000 campuses, five
//! school years of visits, about 300,000 snapshots and 6 million ticks,
//! 160,000 action items, 40 offerings with 880 sessions and 7,000
//! registrations), starts the real server on a free loopback port,
//! and drives the district overview, a campus page, a department page, the
//! impact page, the learning catalogue and the learning impact, printing requests/s, p50, p95 and p99 and each page's
//! throughput as a share of the baseline page's.
//!
//!   cargo bench --features bench --bench insights
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ cargo bench --features bench --bench insights
//!
//! Settings: BENCH_SECONDS (default 5 per endpoint), BENCH_CONNECTIONS
//! (default 2: a few people looking at once), BENCH_WORKERS (server threads,
//! default 2).

mod support;

use std::time::Instant;

use campus_visits::app::Application;
use campus_visits::db;
use campus_visits::scale::{generate, Scale};
use support::{api_token, drive, drive_with, setting, BenchDb, Load};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds = setting("BENCH_SECONDS", 5);
    let connections = setting("BENCH_CONNECTIONS", 2);
    let workers = setting("BENCH_WORKERS", 2) as usize;
    let bench_db = BenchDb::create();
    let engine = db::Engine::from_url(&bench_db.url).name();

    let mut conn = db::connect(&bench_db.url).expect("connect");
    db::migrate(&mut conn).expect("migrate");
    let started = Instant::now();
    let generated = generate(&mut conn, Scale::LARGE)
        .expect("the large district")
        .expect("an empty database");
    println!(
        "data set on {engine}: {generated}; generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // What the first view after a change pays: the learning impact
    // computed from the record (later views are served kept, after one
    // query for the record's stamp).
    let fresh = Instant::now();
    let rows = db::learning::learning_impact(&mut conn, None, chrono::Utc::now().date_naive())
        .expect("the learning impact");
    println!(
        "learning impact computed afresh: {} offering look-fors in {:.0} ms",
        rows.len(),
        fresh.elapsed().as_secs_f64() * 1000.0
    );
    let (_, admin) = api_token(&mut conn, "admin@district.example.org");
    let (head, head_token) = api_token(&mut conn, "marcus.bell@district.example.org");
    let department = head.department.expect("Marcus Bell heads Curriculum").id;
    let campus = db::schools::find_by_code(&mut conn, "C0500")
        .expect("query")
        .expect("a generated campus")
        .id;
    drop(conn);

    let app = Application::build(support::config(&bench_db.url, workers))
        .await
        .expect("the app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    println!("load: {connections} connections, {seconds} s per endpoint, {workers} server workers, 2 cores shared with the load generator");

    let baseline = drive(&base, "/bench/baseline", None, connections, seconds).await;
    let page = |label: &'static str, path: String, token: &str| {
        let (base, token) = (base.clone(), token.to_owned());
        async move {
            drive_with(
                &base,
                label,
                path,
                Some(&token),
                Load::Get,
                connections,
                seconds,
            )
            .await
        }
    };
    let from = chrono::Utc::now().date_naive() - chrono::Duration::days(365);
    let results = [
        page("overview", "/overview".to_owned(), &admin).await,
        page(
            "overview, filtered",
            format!("/overview?level=middle&program=Title+I&from={from}"),
            &admin,
        )
        .await,
        page("campus page", format!("/schools/{campus}"), &admin).await,
        page(
            "department page",
            format!("/departments/{department}"),
            &head_token,
        )
        .await,
        page("impact (district)", "/impact".to_owned(), &admin).await,
        page("learning catalogue", "/learning".to_owned(), &admin).await,
        page("learning impact", "/insights/learning".to_owned(), &admin).await,
        page(
            "learning impact, dept",
            format!("/insights/learning?department_id={department}"),
            &head_token,
        )
        .await,
    ];
    println!(
        "{:<22} {:>9} {:>7} {:>9} {:>10} {:>10} {:>10} {:>12}",
        "endpoint", "requests", "errors", "req/s", "p50", "p95", "p99", "vs baseline"
    );
    for result in std::iter::once(&baseline).chain(results.iter()) {
        println!(
            "{:<22} {:>9} {:>7} {:>9.0} {:>10.2?} {:>10.2?} {:>10.2?} {:>11.3}x",
            result.path,
            result.requests,
            result.errors,
            result.per_second,
            result.p50,
            result.p95,
            result.p99,
            result.per_second / baseline.per_second
        );
    }
    handle.stop(true).await;
}
