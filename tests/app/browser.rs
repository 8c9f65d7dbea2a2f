//! The pages in a real browser: headless Chromium at tablet size, driven
//! through ChromeDriver (Debian's `chromium` and `chromium-driver`).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use campus_visits::db;
use campus_visits::domain::account::Role;
use thirtyfour::prelude::*;

use crate::helpers::{spawn_app, TestApp, TEST_PASSWORD};

/// A ChromeDriver of the test's own on a free port, in a short scratch home
/// (Chromium writes there, and long socket paths fail). Dropping it ends
/// ChromeDriver and any browser it started, even if the test failed.
struct ChromeDriver {
    child: Child,
    port: u16,
    home: tempfile::TempDir,
}

impl ChromeDriver {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let home = tempfile::Builder::new()
            .prefix("cvb")
            .tempdir_in("/tmp")
            .unwrap();
        let mut command = Command::new("chromedriver");
        command
            .arg(format!("--port={port}"))
            .env("HOME", home.path())
            .env("TMPDIR", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .expect("chromedriver is needed for the browser tests: apt-get install chromium chromium-driver");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, home }
    }

    /// A headless Chromium whose viewport is `width` × `height`.
    async fn browser(&self, width: u32, height: u32) -> WebDriver {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").unwrap();
        let profile = self.home.path().join("profile");
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--window-size={width},{height}"),
        ] {
            caps.add_arg(arg).unwrap();
        }
        let driver = WebDriver::new(format!("http://127.0.0.1:{}", self.port), caps)
            .await
            .expect("a browser session");
        // Make the viewport itself the requested size.
        let inner = driver
            .execute(
                "return [window.innerWidth, window.innerHeight];",
                Vec::new(),
            )
            .await
            .unwrap();
        let inner: (u32, u32) = inner.convert().unwrap();
        driver
            .set_window_rect(0, 0, width + (width - inner.0), height + (height - inner.1))
            .await
            .unwrap();
        driver
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The whole process group: ChromeDriver and the browsers it started.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where screenshots go: `docs/screenshots/` with `UPDATE_SCREENSHOTS=1`,
/// else the build's scratch folder.
fn screenshot_path(name: &str) -> std::path::PathBuf {
    let dir = if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/screenshots"))
    } else {
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

async fn wait_for_text(driver: &WebDriver, text: &str) -> WebDriverResult<bool> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if driver.source().await?.contains(text) {
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(false)
}

/// What the browser session found, checked after the browser has quit.
#[derive(Debug, Default)]
struct Seen {
    signed_in: bool,
    first_saved: bool,
    second_saved: bool,
    count_after_first: usize,
    count_after_second: usize,
    smallest_target: f64,
    viewport: (u32, u32),
    draft_restored: String,
    notes_after_save: String,
}

async fn record_two(
    driver: &WebDriver,
    app: &TestApp,
    email: &str,
    visit_id: i64,
    indicators: &[i64],
) -> WebDriverResult<Seen> {
    let mut seen = Seen {
        viewport: driver
            .execute(
                "return [window.innerWidth, window.innerHeight];",
                Vec::new(),
            )
            .await?
            .convert()?,
        ..Seen::default()
    };
    driver.goto(app.url("/sign-in")).await?;
    driver.find(By::Id("email")).await?.send_keys(email).await?;
    driver
        .find(By::Id("password"))
        .await?
        .send_keys(TEST_PASSWORD)
        .await?;
    driver
        .find(By::Css("form.stacked button[type='submit']"))
        .await?
        .click()
        .await?;
    seen.signed_in = wait_for_text(driver, "Sign out").await?;

    for (n, (setting, tick, notes)) in [
        ("classroom", "observed", "Exit tickets in B12"),
        ("collaboration", "partly", "PLC looked at work"),
    ]
    .iter()
    .enumerate()
    {
        driver
            .goto(app.url(&format!("/visits/{visit_id}/observe")))
            .await?;
        driver
            .find(By::Css(format!("input[name='setting'][value='{setting}']")))
            .await?
            .click()
            .await?;
        for indicator in indicators {
            driver
                .find(By::Css(format!(
                    "input[name='tick_{indicator}'][value='{tick}']"
                )))
                .await?
                .click()
                .await?;
        }
        driver
            .find(By::Id("notes"))
            .await?
            .send_keys(*notes)
            .await?;
        if n == 0 {
            // The tablet sleeps, the page is opened again: the draft is back.
            driver.refresh().await?;
            wait_for_text(driver, "Your unsent draft was restored.").await?;
            seen.draft_restored = driver
                .find(By::Id("notes"))
                .await?
                .prop("value")
                .await?
                .unwrap_or_default();
        }
        if n == 0 {
            driver
                .screenshot(&screenshot_path("capture-tablet.png"))
                .await?;
        }
        driver
            .find(By::Css("form.capture button[type='submit']"))
            .await?
            .click()
            .await?;
        let saved = wait_for_text(driver, "Observation saved").await?;
        if n == 0 {
            // Once sent, the draft is gone: the next snapshot starts empty.
            seen.notes_after_save = driver
                .find(By::Id("notes"))
                .await?
                .prop("value")
                .await?
                .unwrap_or_default();
        }
        let count = db::observations::for_visit(&mut app.conn(), visit_id)
            .map(|o| o.len())
            .unwrap_or(0);
        if n == 0 {
            (seen.first_saved, seen.count_after_first) = (saved, count);
        } else {
            (seen.second_saved, seen.count_after_second) = (saved, count);
        }
    }
    // Every target a finger needs on the capture page.
    seen.smallest_target = driver
        .execute(
            "return Math.min(...Array.from(document.querySelectorAll('main label.choice, main button, main .button, main input[type=text], main input[type=time], main textarea'))
                .map(e => e.getBoundingClientRect().height));",
            Vec::new(),
        )
        .await?
        .convert()?;
    driver
        .goto(app.url(&format!("/visits/{visit_id}/debrief")))
        .await?;
    driver
        .screenshot(&screenshot_path("debrief-tablet.png"))
        .await?;
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_records_observations_in_chromium_at_tablet_size() {
    let app = spawn_app().await;
    let visitor = app.create_user(&[Role::Visitor], None, None);
    let (visit_id, _, indicators) = crate::observations::visit_with_framework(&app, &[visitor.id]);
    let chromedriver = ChromeDriver::start();
    let driver = tokio::time::timeout(Duration::from_secs(60), chromedriver.browser(820, 1180))
        .await
        .expect("a browser within a minute");
    let outcome = tokio::time::timeout(
        Duration::from_secs(120),
        record_two(&driver, &app, &visitor.email, visit_id, &indicators),
    )
    .await;
    // Quit before any assertion, so a failure never leaves a browser behind.
    let _ = tokio::time::timeout(Duration::from_secs(20), driver.quit()).await;
    let seen = outcome
        .expect("the browser session ended within two minutes")
        .expect("the browser session ran");
    assert_eq!(seen.viewport, (820, 1180), "a tablet-sized viewport");
    assert!(seen.signed_in, "signed in through the form");
    assert!(seen.first_saved && seen.second_saved, "{seen:?}");
    assert_eq!((seen.count_after_first, seen.count_after_second), (1, 2));
    assert!(
        seen.smallest_target >= 44.0,
        "touch targets are at least 44 px high: {seen:?}"
    );
    let stored = db::observations::for_visit(&mut app.conn(), visit_id).unwrap();
    assert_eq!(stored[0].ticks.len(), indicators.len());
    assert_eq!(stored[1].notes, "PLC looked at work");
}

/// What the offline session found.
#[derive(Debug, Default)]
struct OfflineSeen {
    controlled: bool,
    online_saved: usize,
    offline_page_served: bool,
    offline_saved_notice: bool,
    waiting_shown: String,
    count_while_offline: usize,
    count_after_online: usize,
    waiting_after_online: String,
    count_after_reload: usize,
    posts_after_reload: usize,
    asked_to_sign_in: bool,
    count_while_signed_out: usize,
    count_after_sign_in: usize,
    landed_on: String,
}

async fn sign_in(driver: &WebDriver, app: &TestApp, email: &str) -> WebDriverResult<bool> {
    driver.goto(app.url("/sign-in")).await?;
    driver.find(By::Id("email")).await?.send_keys(email).await?;
    driver
        .find(By::Id("password"))
        .await?
        .send_keys(TEST_PASSWORD)
        .await?;
    driver
        .find(By::Css("form.stacked button[type='submit']"))
        .await?
        .click()
        .await?;
    wait_for_text(driver, "Sign out").await
}

/// Fills in one snapshot on the open capture page and sends it.
async fn fill_and_save(
    driver: &WebDriver,
    setting: &str,
    tick: &str,
    notes: &str,
    indicators: &[i64],
) -> WebDriverResult<()> {
    driver
        .find(By::Css(format!("input[name='setting'][value='{setting}']")))
        .await?
        .click()
        .await?;
    for indicator in indicators {
        driver
            .find(By::Css(format!(
                "input[name='tick_{indicator}'][value='{tick}']"
            )))
            .await?
            .click()
            .await?;
    }
    driver.find(By::Id("notes")).await?.send_keys(notes).await?;
    driver
        .find(By::Css("form.capture button[type='submit']"))
        .await?
        .click()
        .await
}

/// Waits until `probe` (a script returning a value) returns `want`.
async fn wait_for_script(driver: &WebDriver, probe: &str, want: serde_json::Value) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) {
        if let Ok(value) = driver.execute(probe, Vec::new()).await {
            if *value.json() == want {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Waits until the server holds `want` observations of the visit; the count.
async fn wait_for_count(app: &TestApp, visit_id: i64, want: usize) -> usize {
    let started = Instant::now();
    loop {
        let count = db::observations::for_visit(&mut app.conn(), visit_id)
            .map(|o| o.len())
            .unwrap_or(0);
        if count == want || started.elapsed() > Duration::from_secs(15) {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// DevTools network emulation for the page and for the service worker (its
/// own target, reached through `Target.sendMessageToTarget`).
async fn set_offline(driver: &WebDriver, offline: bool) -> WebDriverResult<()> {
    let cdp = driver.cdp();
    let conditions = serde_json::json!({
        "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
    });
    cdp.send_raw("Network.enable", serde_json::json!({}))
        .await?;
    cdp.send_raw("Network.emulateNetworkConditions", &conditions)
        .await?;
    let targets = cdp
        .send_raw("Target.getTargets", serde_json::json!({}))
        .await?;
    let workers: Vec<String> = targets["targetInfos"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["type"] == "service_worker")
        .filter_map(|t| t["targetId"].as_str().map(str::to_owned))
        .collect();
    assert!(!workers.is_empty(), "a service worker target: {targets}");
    for target in workers {
        let attached = cdp
            .send_raw(
                "Target.attachToTarget",
                serde_json::json!({ "targetId": target, "flatten": false }),
            )
            .await?;
        let session = attached["sessionId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for (id, method, params) in [
            (1, "Network.enable", serde_json::json!({})),
            (2, "Network.emulateNetworkConditions", conditions.clone()),
        ] {
            let message = serde_json::json!({ "id": id, "method": method, "params": params });
            cdp.send_raw(
                "Target.sendMessageToTarget",
                serde_json::json!({ "sessionId": session, "message": message.to_string() }),
            )
            .await?;
        }
    }
    Ok(())
}

const WAITING: &str = "const p = document.querySelector('#outbox [data-waiting]'); return p ? p.getAttribute('data-waiting') : '';";

async fn record_offline(
    driver: &WebDriver,
    app: &TestApp,
    user_id: i64,
    email: &str,
    visit_id: i64,
    indicators: &[i64],
) -> WebDriverResult<OfflineSeen> {
    let mut seen = OfflineSeen::default();
    assert!(sign_in(driver, app, email).await?, "signed in");
    let capture = app.url(&format!("/visits/{visit_id}/observe"));
    driver.goto(&capture).await?;
    seen.controlled = wait_for_script(
        driver,
        "return !!navigator.serviceWorker.controller;",
        serde_json::json!(true),
    )
    .await;

    for (setting, notes) in [("classroom", "Exit tickets"), ("planning", "Unit plan")] {
        driver.goto(&capture).await?;
        fill_and_save(driver, setting, "observed", notes, indicators).await?;
        if wait_for_text(driver, "Observation saved. The form").await? {
            seen.online_saved += 1;
        }
    }

    set_offline(driver, true).await?;
    // Offline, the capture page still opens: the service worker's copy.
    driver.goto(&capture).await?;
    seen.offline_page_served = driver.find_all(By::Css("form.capture")).await?.len() == 1;
    fill_and_save(driver, "collaboration", "partly", "PLC offline", indicators).await?;
    seen.offline_saved_notice = wait_for_text(driver, "Observation saved on this device").await?;
    wait_for_script(driver, WAITING, serde_json::json!("1")).await;
    seen.waiting_shown = driver.execute(WAITING, Vec::new()).await?.convert()?;
    driver
        .screenshot(&screenshot_path("capture-offline-tablet.png"))
        .await?;
    // Nothing reaches the server while offline, however long we wait.
    tokio::time::sleep(Duration::from_secs(2)).await;
    seen.count_while_offline = wait_for_count(app, visit_id, 2).await;

    set_offline(driver, false).await?;
    seen.count_after_online = wait_for_count(app, visit_id, 3).await;
    wait_for_script(driver, WAITING, serde_json::json!("")).await;
    seen.waiting_after_online = driver.execute(WAITING, Vec::new()).await?.convert()?;

    // A reload sends nothing again.
    driver.refresh().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    seen.count_after_reload = wait_for_count(app, visit_id, 3).await;
    seen.posts_after_reload = driver
        .execute(
            "return performance.getEntriesByType('resource').filter(e => e.name.includes('/observations')).length;",
            Vec::new(),
        )
        .await?
        .convert()?;

    // Offline again; meanwhile the session ends (say, a password reset).
    set_offline(driver, true).await?;
    driver.goto(&capture).await?;
    fill_and_save(
        driver,
        "tour",
        "not_observed",
        "Hallway offline",
        indicators,
    )
    .await?;
    wait_for_script(driver, WAITING, serde_json::json!("1")).await;
    db::accounts::end_sessions(&mut app.conn(), user_id).unwrap();
    set_offline(driver, false).await?;
    // The observation waits and the page asks for a new sign-in.
    seen.asked_to_sign_in = wait_for_text(driver, "Sign in again to send them").await?;
    seen.count_while_signed_out = wait_for_count(app, visit_id, 3).await;
    driver
        .find(By::LinkText("Sign in again to send them"))
        .await?
        .click()
        .await?;
    driver.find(By::Id("email")).await?.send_keys(email).await?;
    driver
        .find(By::Id("password"))
        .await?
        .send_keys(TEST_PASSWORD)
        .await?;
    driver
        .find(By::Css("form.stacked button[type='submit']"))
        .await?
        .click()
        .await?;
    seen.count_after_sign_in = wait_for_count(app, visit_id, 4).await;
    seen.landed_on = driver.current_url().await?.path().to_owned();
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observation_recorded_offline_is_sent_once_when_the_connection_returns() {
    let app = spawn_app().await;
    let visitor = app.create_user(&[Role::Visitor], None, None);
    let (visit_id, _, indicators) = crate::observations::visit_with_framework(&app, &[visitor.id]);
    let chromedriver = ChromeDriver::start();
    let driver = tokio::time::timeout(Duration::from_secs(60), chromedriver.browser(820, 1180))
        .await
        .expect("a browser within a minute");
    let outcome = tokio::time::timeout(
        Duration::from_secs(150),
        record_offline(
            &driver,
            &app,
            visitor.id,
            &visitor.email,
            visit_id,
            &indicators,
        ),
    )
    .await;
    let _ = tokio::time::timeout(Duration::from_secs(20), driver.quit()).await;
    let seen = outcome
        .expect("the browser session ended in time")
        .expect("the browser session ran");
    assert!(
        seen.controlled,
        "the service worker controls the capture page: {seen:?}"
    );
    assert_eq!(seen.online_saved, 2, "{seen:?}");
    assert!(seen.offline_page_served, "the page opens offline: {seen:?}");
    assert!(seen.offline_saved_notice, "{seen:?}");
    assert_eq!(seen.waiting_shown, "1", "one observation waiting: {seen:?}");
    assert_eq!(
        seen.count_while_offline, 2,
        "nothing sent offline: {seen:?}"
    );
    assert_eq!(
        seen.count_after_online, 3,
        "sent when back online: {seen:?}"
    );
    assert_eq!(
        seen.waiting_after_online, "",
        "the outbox is empty: {seen:?}"
    );
    assert_eq!(seen.count_after_reload, 3, "{seen:?}");
    assert_eq!(seen.posts_after_reload, 0, "nothing sent again: {seen:?}");
    assert!(seen.asked_to_sign_in, "{seen:?}");
    assert_eq!(
        seen.count_while_signed_out, 3,
        "waits for a sign-in: {seen:?}"
    );
    assert_eq!(seen.count_after_sign_in, 4, "then goes: {seen:?}");
    assert_eq!(seen.landed_on, format!("/visits/{visit_id}/observe"));
    let stored = db::observations::for_visit(&mut app.conn(), visit_id).unwrap();
    assert_eq!(
        stored.iter().map(|o| o.notes.as_str()).collect::<Vec<_>>(),
        [
            "Exit tickets",
            "Unit plan",
            "PLC offline",
            "Hallway offline"
        ]
    );
    assert!(stored[2].ticks.len() == indicators.len());
}

/// Signs in through the form and prints `path` to PDF.
async fn print_to_pdf(
    driver: &WebDriver,
    app: &TestApp,
    email: &str,
    path: &str,
) -> WebDriverResult<(bool, Vec<u8>)> {
    let signed_in = sign_in(driver, app, email).await?;
    driver.goto(app.url(path)).await?;
    let pdf = driver
        .print_page(thirtyfour::common::print::PrintParameters::default())
        .await?;
    Ok((signed_in, pdf))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_visit_report_prints_to_a_pdf_with_the_whole_visit() {
    let app = spawn_app().await;
    let d = crate::insights::district(&app);
    let debrief = campus_visits::domain::debrief::NewDebrief::parse(
        "Calm, purposeful classrooms",
        "Pacing guides match the unit plans",
        "Principal Ruiz",
        &[(
            "Exit tickets are collected but not used".to_owned(),
            [d.s.curriculum].into_iter().collect(),
        )],
    )
    .unwrap();
    db::debriefs::save(&mut app.conn(), d.oak_first, d.s.lead.id, &debrief).unwrap();
    let chromedriver = ChromeDriver::start();
    let driver = tokio::time::timeout(Duration::from_secs(60), chromedriver.browser(1280, 900))
        .await
        .expect("a browser within a minute");
    let outcome = tokio::time::timeout(
        Duration::from_secs(90),
        print_to_pdf(
            &driver,
            &app,
            &d.s.lead.email,
            &format!("/visits/{}/report", d.oak_first),
        ),
    )
    .await;
    let _ = tokio::time::timeout(Duration::from_secs(20), driver.quit()).await;
    let (signed_in, pdf) = outcome
        .expect("printed within 90 seconds")
        .expect("the browser printed");
    assert!(signed_in);
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("the PDF's text");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Visit report — Oak Middle, September 10, 2025",
        "Visit and team",
        "Person",
        "Evidence",
        "4 snapshots",
        "I1 Checks for understanding seen in 1 of 3",
        "I3 Objective posted seen in 0 of 4, partly in 1",
        "Calm, purposeful classrooms",
        "Pacing guides match the unit plans",
        "Exit tickets are collected but not used — Curriculum",
        "Action items",
        "Done",
        "Open",
    ] {
        assert!(text.contains(expected), "{expected:?} in the PDF: {text}");
    }
    // The print stylesheet leaves the site's navigation off the paper.
    for absent in ["Sign out", "Skip to content", "← The visit"] {
        assert!(!text.contains(absent), "{absent:?} printed: {text}");
    }
}

/// What a dashboard looked like at one size.
#[derive(Debug)]
struct Dashboard {
    name: String,
    heading: String,
    page_width: i64,
    viewport_width: i64,
    charts: i64,
    labelled_charts: i64,
}

async fn look_at_dashboards(
    driver: &WebDriver,
    app: &TestApp,
    email: &str,
    pages: &[(&str, String)],
    size: &str,
) -> WebDriverResult<(bool, Vec<Dashboard>)> {
    let signed_in = sign_in(driver, app, email).await?;
    let mut seen = Vec::new();
    for (name, path) in pages {
        driver.goto(app.url(path)).await?;
        let heading = driver.find(By::Css("h1")).await?.text().await?;
        let (page_width, viewport_width, charts, labelled_charts): (i64, i64, i64, i64) = driver
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth, \
                 document.querySelectorAll('svg.chart').length, \
                 document.querySelectorAll('svg.chart[role=img] > title').length];",
                Vec::new(),
            )
            .await?
            .convert()?;
        driver
            .screenshot(&screenshot_path(&format!("{name}-{size}.png")))
            .await?;
        seen.push(Dashboard {
            name: name.to_string(),
            heading,
            page_width,
            viewport_width,
            charts,
            labelled_charts,
        });
    }
    Ok((signed_in, seen))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboards_fit_a_tablet_and_a_desktop() {
    let app = spawn_app().await;
    let scale = campus_visits::scale::Scale {
        campuses: 60,
        years: 2,
        visits_per_year: 3,
        snapshots: 6,
        items: 4,
        offerings: 6,
    };
    campus_visits::scale::generate(&mut app.conn(), scale)
        .unwrap()
        .expect("an empty database");
    let admin = app.create_user(&[Role::Admin], None, None);
    let mut conn = app.conn();
    let campus = db::schools::find_by_code(&mut conn, "C0050")
        .unwrap()
        .unwrap()
        .id;
    let curriculum = db::departments::find_by_name(&mut conn, "Curriculum")
        .unwrap()
        .unwrap()
        .id;
    // A session to come of the generated catalogue, with its registrations.
    let session = db::learning::sessions(
        &mut conn,
        &db::learning::SessionFilter {
            department_id: Some(curriculum),
            from: Some(chrono::Utc::now().date_naive()),
            limit: Some(1),
            ..Default::default()
        },
    )
    .unwrap()
    .remove(0);
    drop(conn);
    let pages = [
        ("overview", "/overview".to_owned()),
        ("campus", format!("/schools/{campus}")),
        ("department", format!("/departments/{curriculum}")),
        ("learning", "/learning".to_owned()),
        (
            "learning-session",
            format!("/learning/sessions/{}", session.id),
        ),
        ("learning-impact", "/insights/learning".to_owned()),
    ];
    for (size, width, height) in [("tablet", 820, 1180), ("desktop", 1366, 900)] {
        let chromedriver = ChromeDriver::start();
        let driver =
            tokio::time::timeout(Duration::from_secs(60), chromedriver.browser(width, height))
                .await
                .expect("a browser within a minute");
        let outcome = tokio::time::timeout(
            Duration::from_secs(90),
            look_at_dashboards(&driver, &app, &admin.email, &pages, size),
        )
        .await;
        let _ = tokio::time::timeout(Duration::from_secs(20), driver.quit()).await;
        let (signed_in, seen) = outcome
            .expect("looked within 90 seconds")
            .expect("the browser ran");
        assert!(signed_in);
        let headings: Vec<&str> = seen.iter().map(|d| d.heading.as_str()).collect();
        assert_eq!(
            headings,
            [
                "District overview",
                "Campus 0050",
                "Curriculum",
                "Professional learning",
                session.offering.name.as_str(),
                "Did it work? The learning impact",
            ],
            "{size}"
        );
        for page in &seen {
            // Wide tables scroll inside their own box; the page never does.
            assert!(
                page.page_width <= page.viewport_width,
                "{size} {}: {page:?}",
                page.name
            );
            assert_eq!(page.charts, page.labelled_charts, "every chart is titled");
        }
        assert!(seen[1].charts >= 20, "a chart per look-for: {:?}", seen[1]);
        assert_eq!(seen[2].charts, 1, "the department's look-fors");
    }
}

/// axe-core, the accessibility engine: `AXE_CORE_JS`, or where `.ci/run`
/// installs it (`npm install --prefix target/axe axe-core`).
fn axe_source() -> String {
    const PREFIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/axe");
    let path = std::env::var("AXE_CORE_JS")
        .unwrap_or_else(|_| format!("{PREFIX}/node_modules/axe-core/axe.min.js"));
    if !std::path::Path::new(&path).exists() {
        let fetched = Command::new("npm")
            .args([
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                PREFIX,
            ])
            .arg("axe-core@4.14.1")
            .status();
        assert!(
            fetched.is_ok_and(|s| s.success()),
            "fetching axe-core with npm failed; install npm, or set AXE_CORE_JS"
        );
    }
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is needed at {path} ({e}): npm install --prefix target/axe axe-core@4.14.1"
        )
    })
}

/// The WCAG 2.1 A and AA violations axe finds on each of `paths`, as
/// "page: rule (impact) × nodes" lines.
async fn axe_violations(
    driver: &WebDriver,
    app: &TestApp,
    email: Option<&str>,
    paths: &[String],
) -> WebDriverResult<Vec<String>> {
    let axe = axe_source();
    if let Some(email) = email {
        assert!(sign_in(driver, app, email).await?, "signed in");
    }
    let mut found = Vec::new();
    for path in paths {
        driver.goto(app.url(path)).await?;
        driver.execute(&axe, Vec::new()).await?;
        let result: serde_json::Value = driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
                   .then(r => done(r.violations.map(v =>
                       [v.id, v.impact, v.nodes.length, v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | ')])))
                   .catch(e => done([['axe failed', String(e), 0, '']]));",
                Vec::new(),
            )
            .await?
            .json()
            .clone();
        for v in result.as_array().into_iter().flatten() {
            found.push(format!(
                "{path}: {} ({}) × {} at {}",
                v[0], v[1], v[2], v[3]
            ));
        }
    }
    Ok(found)
}

/// An offering of Curriculum for the story's first look-for and a session
/// of it to come.
fn learning_for(app: &TestApp, s: &crate::items::Story) -> (i64, i64) {
    use campus_visits::domain::learning::{Audience, Format, NewOffering, NewSession};
    let mut conn = app.conn();
    let offering = db::learning::insert_offering(
        &mut conn,
        &NewOffering {
            title: "Checks for understanding in grade-6 math".into(),
            description: "Whiteboards, cold calls and exit tickets.".into(),
            format: Format::OnSite,
            department_id: s.curriculum,
            audience: Audience::Teachers,
            credit_tenths: 25,
            look_fors: vec!["I1".into()],
            active: true,
        },
    )
    .unwrap();
    let session = db::learning::insert_session(
        &mut conn,
        offering,
        &NewSession {
            series_id: None,
            on_date: chrono::Utc::now().date_naive() + chrono::Duration::days(9),
            starts_at: chrono::NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
            ends_at: chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            place: "Central Office, room 4".into(),
            capacity: 22,
            facilitator_id: Some(s.staff.id),
            cancelled: false,
        },
    )
    .unwrap();
    (offering, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_at_tablet_and_desktop_size() {
    let app = spawn_app().await;
    let s = crate::items::story(&app);
    let items = crate::items::published(&app, &s, s.school, &[s.visitor.id], &[]);
    let visit = items[0].visit_id;
    let admin = app.create_user(&[Role::Admin], None, None);
    let (offering, session) = learning_for(&app, &s);
    let pages: Vec<String> = [
        "/".to_owned(),
        "/visits".to_owned(),
        "/visits/new".to_owned(),
        format!("/visits/{visit}"),
        format!("/visits/{visit}/debrief"),
        format!("/visits/{visit}/items"),
        format!("/visits/{visit}/report"),
        format!("/items/{}", items[0].id),
        "/items".to_owned(),
        format!("/schools/{}/items", s.school),
        "/overview".to_owned(),
        format!("/schools/{}", s.school),
        format!("/departments/{}", s.curriculum),
        "/admin/schools".to_owned(),
        "/admin/departments".to_owned(),
        "/admin/users".to_owned(),
        "/admin/frameworks".to_owned(),
        format!("/admin/frameworks/{}", s.framework),
        "/admin/audit".to_owned(),
        "/admin/mail".to_owned(),
        "/admin/settings".to_owned(),
        "/account".to_owned(),
        "/account/mail".to_owned(),
        "/exports".to_owned(),
        "/learning".to_owned(),
        "/learning/catalogue".to_owned(),
        "/learning/offerings/new".to_owned(),
        format!("/learning/offerings/{offering}"),
        format!("/learning/offerings/{offering}/sessions/new"),
        format!("/learning/sessions/{session}"),
        format!("/learning/sessions/{session}/edit"),
        "/insights/learning".to_owned(),
    ]
    .into();
    let public: Vec<String> = ["/sign-in", "/password/forgot"].map(str::to_owned).into();
    let mut all = Vec::new();
    for (size, width, height) in [("tablet", 820, 1180), ("desktop", 1366, 900)] {
        let chromedriver = ChromeDriver::start();
        let driver =
            tokio::time::timeout(Duration::from_secs(60), chromedriver.browser(width, height))
                .await
                .expect("a browser within a minute");
        let outcome = tokio::time::timeout(Duration::from_secs(150), async {
            let mut found = axe_violations(&driver, &app, None, &public).await?;
            found.extend(axe_violations(&driver, &app, Some(&admin.email), &pages).await?);
            Ok::<_, WebDriverError>(found)
        })
        .await;
        let _ = tokio::time::timeout(Duration::from_secs(20), driver.quit()).await;
        let found = outcome
            .expect("axe within 150 seconds")
            .expect("the browser ran");
        all.extend(found.into_iter().map(|f| format!("{size} {f}")));
    }
    assert!(all.is_empty(), "axe found:\n{}", all.join("\n"));
}

/// A person signs in with the district's provider in Chromium: the page
/// offers "Sign in with Riverside ISD", the button goes to the provider and
/// back, and the person lands signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_with_the_districts_provider_in_chromium() {
    let provider = crate::sso::Provider::start();
    // The provider sends the browser back to BASE_URL: the app's own address.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = crate::sso::app_on(&provider, None, Default::default(), move |config| {
        config.bind = format!("127.0.0.1:{port}");
        config.base_url = format!("http://127.0.0.1:{port}");
    })
    .await;
    let person = app.create_user(&[Role::Visitor], None, None);
    provider
        .control(serde_json::json!({"email": person.email, "email_verified": true, "sub": "g-55"}))
        .await;
    for (size, width, height) in [("tablet", 820, 1180), ("desktop", 1366, 900)] {
        let chromedriver = ChromeDriver::start();
        let driver =
            tokio::time::timeout(Duration::from_secs(60), chromedriver.browser(width, height))
                .await
                .expect("a browser within a minute");
        let outcome = tokio::time::timeout(Duration::from_secs(60), async {
            driver.goto(app.url("/sign-in")).await?;
            let button = driver
                .find(By::XPath("//a[contains(., 'Sign in with Riverside ISD')]"))
                .await?;
            driver
                .screenshot(&screenshot_path(&format!("sign-in-sso-{size}.png")))
                .await?;
            let rect = button.rect().await?;
            button.click().await?;
            let signed_in = wait_for_text(&driver, "Sign out").await?;
            let url = driver.current_url().await?;
            // Sign out again for the next size.
            driver
                .find(By::Css("form[action='/sign-out'] button"))
                .await?
                .click()
                .await?;
            Ok::<_, WebDriverError>((rect.height, signed_in, url.path().to_owned()))
        })
        .await;
        let _ = tokio::time::timeout(Duration::from_secs(20), driver.quit()).await;
        let (height, signed_in, path) = outcome
            .expect("signed in within a minute")
            .expect("the browser ran");
        assert!(height >= 44.0, "{size}: a large touch target ({height}px)");
        assert!(signed_in, "{size}: signed in through the provider");
        assert_eq!(path, "/", "{size}: back on the home page");
    }
}

/// Each role's start page and the debrief with the campus's response, in
/// Chromium at tablet and desktop size: the right panels, nothing axe
/// finds, and the screenshots of docs/screenshots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_s_start_page_and_the_campus_response_in_chromium() {
    let app = spawn_app().await;
    let s = crate::items::story(&app);
    let items = crate::items::published(&app, &s, s.school, &[s.visitor.id], &[]);
    let visit = items[0].visit_id;
    let (_, step) = crate::items::curriculum_and_step(&items, &s);
    let today = chrono::Utc::now().date_naive();
    let mut conn = app.conn();
    let next = crate::items::visit(&app, &s, &(today + chrono::Duration::days(7)).to_string());
    let response = campus_visits::domain::response::NewResponse::parse(
        "partly",
        "Tier 2 groups started in November; the team saw their second week.",
        &[(
            Some(s.curriculum),
            "Coaching on exit tickets for grade 7".to_owned(),
        )],
    )
    .unwrap();
    db::responses::save(&mut conn, visit, s.leader.id, &response, None).unwrap();
    db::responses::acknowledge(&mut conn, step.id, s.leader.id).unwrap();
    drop(conn);
    let looks = [
        (
            "home-school-leader",
            &s.leader,
            "/".to_owned(),
            "Oak Middle",
        ),
        (
            "home-department-head",
            &s.head,
            "/".to_owned(),
            "Curriculum",
        ),
        (
            "home-visitor",
            &s.visitor,
            "/".to_owned(),
            "Your next visits",
        ),
        ("home-visit-lead", &s.lead, "/".to_owned(), "The rotation"),
        (
            "debrief-response",
            &s.leader,
            format!("/visits/{visit}/debrief"),
            "The campus's response",
        ),
    ];
    let mut problems = Vec::new();
    for (size, width, height) in [("tablet", 820, 1180), ("desktop", 1366, 900)] {
        let chromedriver = ChromeDriver::start();
        let driver =
            tokio::time::timeout(Duration::from_secs(60), chromedriver.browser(width, height))
                .await
                .expect("a browser within a minute");
        let outcome = tokio::time::timeout(Duration::from_secs(150), async {
            let mut found = Vec::new();
            for (name, user, path, wanted) in &looks {
                driver.delete_all_cookies().await?;
                found.extend(
                    axe_violations(&driver, &app, Some(&user.email), std::slice::from_ref(path))
                        .await?,
                );
                let text = driver.find(By::Css("main")).await?.text().await?;
                if !text.contains(wanted) {
                    found.push(format!("{name}: no {wanted:?} in {text}"));
                }
                let file = screenshot_path(&format!("{name}-{size}.png"));
                if *name == "debrief-response" {
                    driver
                        .find(By::Id("campus-response"))
                        .await?
                        .screenshot(&file)
                        .await?;
                } else {
                    driver.screenshot(&file).await?;
                }
            }
            Ok::<_, WebDriverError>(found)
        })
        .await;
        let _ = tokio::time::timeout(Duration::from_secs(20), driver.quit()).await;
        let found = outcome
            .expect("looked within 150 seconds")
            .expect("the browser ran");
        problems.extend(found.into_iter().map(|f| format!("{size} {f}")));
    }
    assert!(problems.is_empty(), "found:\n{}", problems.join("\n"));
    assert!(next > visit);
}
