//! Starting the real app on a fresh database, and talking to it.
//!
//! The same tests build into two binaries (`cargo test` runs both): `sqlite`
//! gives each test a new SQLite file in a temporary folder, `postgres` a new
//! PostgreSQL database of its own (created, then dropped) on the server
//! `TEST_DATABASE_URL` names, by default the local one.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use campus_visits::app::Application;
use campus_visits::config::Config;
use campus_visits::db::{self, DbConn};
use campus_visits::domain::account::Role;
use campus_visits::domain::user::NewUser;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server tests use: `TEST_DATABASE_URL` if it names
/// PostgreSQL, else the local one.
pub fn postgres_server() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => url,
        _ => "postgres://postgres@127.0.0.1:5432/".to_owned(),
    }
}

/// `postgres://user@host:port/` from any URL on that server.
fn server_base(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/")
}

/// A database of a test's own, removed when the test ends.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        server: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    /// A fresh database on the engine this test binary is for.
    pub fn fresh() -> Self {
        match crate::ENGINE {
            db::Engine::Sqlite => Self::sqlite(),
            db::Engine::Postgres => Self::postgres(),
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("cv-test")
            .tempdir()
            .expect("a temporary folder");
        let url = dir
            .path()
            .join("test.db")
            .to_str()
            .expect("a UTF-8 path")
            .to_owned();
        TestDb::Sqlite { _dir: dir, url }
    }

    pub fn postgres() -> Self {
        Self::postgres_on(&postgres_server())
    }

    fn postgres_on(url: &str) -> Self {
        let server = server_base(url);
        let name = format!(
            "cv_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            rand::random::<u32>()
        );
        let mut admin = PgConnection::establish(&format!("{server}postgres"))
            .unwrap_or_else(|e| panic!("PostgreSQL is needed at {server}: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let url = format!("{server}{name}");
        TestDb::Postgres { server, name, url }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn engine_name(&self) -> &'static str {
        db::Engine::from_url(self.url()).name()
    }

    /// A direct connection, migrated.
    pub fn connect(&self) -> DbConn {
        let mut conn = db::connect(self.url()).expect("connect to the test database");
        db::migrate(&mut conn).expect("migrate the test database");
        conn
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { server, name, .. } = self {
            if let Ok(mut admin) = PgConnection::establish(&format!("{server}postgres")) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The app, running on a free port with its own database, on a thread of
/// its own so that it can be stopped cleanly whatever the test's runtime.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The CSRF token of `client`'s current session.
    csrf: std::sync::Mutex<String>,
    handle: actix_web::dev::ServerHandle,
    server: Option<std::thread::JoinHandle<()>>,
    // Dropped after the server is stopped.
    pub db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stop the server so it lets go of the database before the database
        // is dropped. The stop is awaited on a thread of its own, since the
        // test's runtime may be the one dropping this.
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(handle.stop(false));
            }
        })
        .join();
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

pub fn test_config(database_url: &str) -> Config {
    Config {
        bind: "127.0.0.1:0".to_owned(),
        base_url: "http://127.0.0.1".to_owned(),
        database_url: database_url.to_owned(),
        session_key: "k".repeat(64),
        environment: campus_visits::config::Environment::Development,
        db_pool_size: 4,
        db_timeout: Duration::from_secs(5),
        workers: 1,
        demo: false,
        session_idle: Duration::from_secs(30 * 60),
        session_lifetime: Duration::from_secs(10 * 60 * 60),
        sign_in_delay_cap: Duration::from_secs(60),
        trust_proxy: false,
        mail: campus_visits::config::MailConfig {
            smtp_url: None,
            from: "campus-visits <no-reply@test.example.org>".parse().unwrap(),
            dir: std::env::temp_dir().join("cv-test-mail"),
            host: "test.example.org".to_owned(),
            base_url: "http://127.0.0.1".to_owned(),
            signing_key: "k".repeat(64),
            // Tests that send mail start a worker of their own.
            worker: false,
        },
        oidc: None,
        district_name: "Riverside ISD".to_owned(),
        password_sign_in: Default::default(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(TestDb::fresh(), |_| {}).await
}

/// Starts the app on `db`, after `adjust` has had its say on the config.
pub async fn spawn_app_on(db: TestDb, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = test_config(db.url());
    adjust(&mut config);
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let server = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match Application::build(config).await {
                Ok(app) => {
                    let _ = started_tx.send(Ok((app.port(), app.handle())));
                    let _ = app.run_until_stopped().await;
                }
                Err(error) => {
                    let _ = started_tx.send(Err(format!("{error:#}")));
                }
            }
        })
    });
    let (port, handle) = started_rx
        .await
        .expect("the server thread reports")
        .expect("the app starts");
    let client = browser();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client,
        csrf: std::sync::Mutex::new(String::new()),
        handle,
        server: Some(server),
        db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("a body")
    }

    pub fn csrf(&self) -> String {
        self.csrf.lock().unwrap().clone()
    }

    /// Posts a form as the browser would: with the session's CSRF token.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf();
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf_token", &csrf));
        self.client
            .post(self.url(path))
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }

    /// Posts JSON as a script in the page would: with the `X-CSRF-Token` header.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("x-csrf-token", self.csrf())
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn put_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .header("x-csrf-token", self.csrf())
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    /// Reads the CSRF token of the client's session from a page.
    pub async fn refresh_csrf(&self) {
        let mut page = self.get("/account").await;
        if page.status() != 200 {
            page = self.get("/sign-in").await;
        }
        let body = page.text().await.expect("a page");
        let token = csrf_in(&body).expect("the page carries a CSRF token");
        *self.csrf.lock().unwrap() = token;
    }

    /// Signs in through the form; the client keeps the session.
    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        // The form's token belongs to the session the browser has now.
        self.refresh_csrf().await;
        let response = self
            .post_form(
                "/sign-in",
                &[("email", email), ("password", password), ("next", "/")],
            )
            .await;
        self.refresh_csrf().await;
        response
    }

    /// Adds a person with `roles` (and the test password).
    pub fn create_user(
        &self,
        roles: &[Role],
        school_id: Option<i64>,
        department_id: Option<i64>,
    ) -> TestUser {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let email = format!("person{n}@test.example.org");
        let mut conn = self.conn();
        let user = NewUser::parse(
            &format!("Person {n}"),
            &email,
            true,
            school_id,
            department_id,
        )
        .unwrap();
        let id = db::users::insert(&mut conn, &user).unwrap();
        db::accounts::set_password_hash(&mut conn, id, &password_hash()).unwrap();
        db::accounts::set_roles(&mut conn, id, &roles.iter().copied().collect()).unwrap();
        TestUser { id, email }
    }

    /// Adds a person with `roles` and signs this client in as them.
    pub async fn sign_in_as(&self, roles: &[Role]) -> TestUser {
        let user = self.create_user(roles, None, None);
        let response = self.sign_in(&user.email, TEST_PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in as {roles:?}");
        user
    }

    /// An API token for a new person with `roles`.
    pub fn token_for(&self, roles: &[Role]) -> (TestUser, String) {
        let user = self.create_user(roles, None, None);
        let secret = self.token_of(&user);
        (user, secret)
    }

    /// A new API token of `user`'s.
    pub fn token_of(&self, user: &TestUser) -> String {
        let secret = campus_visits::auth::token::generate();
        db::accounts::insert_token(
            &mut self.conn(),
            user.id,
            "test",
            &campus_visits::auth::token::digest(&secret),
        )
        .unwrap();
        secret
    }

    /// Another browser on the same app and database, with no session yet.
    pub fn second_browser(app: &TestApp) -> BrowserOn<'_> {
        BrowserOn {
            app,
            client: browser(),
            csrf: std::sync::Mutex::new(String::new()),
        }
    }

    pub fn conn(&self) -> DbConn {
        self.db.connect()
    }
}

/// The password of every person the tests create.
pub const TEST_PASSWORD: &str = "a long test passphrase";

/// One hash for every test person: Argon2 is slow by design.
fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| campus_visits::auth::password::hash(TEST_PASSWORD))
        .clone()
}

/// A person the test created.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub email: String,
}

/// A client that keeps cookies and does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// The CSRF token a page carries (its meta tag or a form's hidden field).
pub fn csrf_in(page: &str) -> Option<String> {
    for marker in [
        r#"name="csrf-token" content=""#,
        r#"name="csrf_token" value=""#,
    ] {
        if let Some(start) = page.find(marker) {
            let rest = &page[start + marker.len()..];
            return rest.split('"').next().map(str::to_owned);
        }
    }
    None
}

/// The `Location` a redirect points to.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .expect("an ASCII location")
        .to_owned()
}

/// The `{"error": …}` body of an API error.
pub async fn api_error(response: reqwest::Response) -> serde_json::Value {
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    body.get("error").cloned().expect("an `error` object")
}

/// A second browser on a running app: its own cookies and CSRF token.
pub struct BrowserOn<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    csrf: std::sync::Mutex<String>,
}

impl BrowserOn<'_> {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.app.url(path))
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("a page")
    }

    /// Posts a form with this browser's CSRF token.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf.lock().unwrap().clone();
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf_token", &csrf));
        self.client
            .post(self.app.url(path))
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }

    /// Sends JSON as a script in the page would, with `X-CSRF-Token`.
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let csrf = self.csrf.lock().unwrap().clone();
        self.client
            .request(method, self.app.url(path))
            .header("x-csrf-token", csrf)
            .json(body)
            .send()
            .await
            .expect("a JSON request")
    }

    /// Posts JSON as a tablet does: with the `Idempotency-Key` it made.
    pub async fn post_json_keyed(
        &self,
        path: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let csrf = self.csrf.lock().unwrap().clone();
        self.client
            .post(self.app.url(path))
            .header("x-csrf-token", csrf)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("a JSON request")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        let (response, csrf) = sign_in_with(self.app, &self.client, email, password).await;
        if let Some(token) = csrf {
            *self.csrf.lock().unwrap() = token;
        }
        response
    }
}

/// Signs `client` in through the sign-in form, as a person would: fetch the
/// form (and its CSRF token), post it. Returns the answer to the post and,
/// if signed in, the CSRF token of the new session.
pub async fn sign_in_with(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> (reqwest::Response, Option<String>) {
    let form = client
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("a page");
    let csrf = csrf_in(&form).expect("the sign-in form carries a CSRF token");
    let response = client
        .post(app.url("/sign-in"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("POST");
    let page = client.get(app.url("/account")).send().await.expect("GET");
    let csrf = if page.status() == 200 {
        csrf_in(&page.text().await.unwrap_or_default())
    } else {
        None
    };
    (response, csrf)
}

/// Runs the `campus-visits` binary on `database_url`, as an operator would.
pub fn campus_visits(database_url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run campus-visits")
}
