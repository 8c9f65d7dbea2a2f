//! Single sign-on against a real OpenID Provider on loopback
//! (`tests/oidc/provider.py`, built with Python's authlib): a known
//! verified email signs in; an unknown or unverified email, a wrong state,
//! a replayed code or callback, a bad nonce, a token signed with a key the
//! provider never published, for another audience or issuer, or expired,
//! are each refused and recorded; a key rotation at the provider is
//! followed without a restart.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use campus_visits::db;
use campus_visits::domain::account::Role;
use serde_json::json;

use crate::helpers::{browser, location, spawn_app_on, TestApp, TestDb};

const CLIENT_ID: &str = "campus-visits-test";
const CLIENT_SECRET: &str = "a-secret-the-provider-knows";

/// The provider, stopped when dropped.
pub struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.py");
        let mut child = Command::new("python3")
            .args([script, &port.to_string(), CLIENT_ID, CLIENT_SECRET])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the test provider (pip install authlib)");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready.trim(), "ready", "the provider starts");
        Self {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Tells the provider who signs in next, or how to misbehave.
    pub async fn control(&self, order: serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/control", self.issuer))
            .json(&order)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn app_with(provider: &Provider) -> TestApp {
    app_with_settings(provider, None, Default::default()).await
}

async fn app_with_settings(
    provider: &Provider,
    account_domain: Option<&str>,
    password_sign_in: campus_visits::domain::account::PasswordSignIn,
) -> TestApp {
    app_on(provider, account_domain, password_sign_in, |_| {}).await
}

/// The app with single sign-on through `provider`, after `adjust`.
pub async fn app_on(
    provider: &Provider,
    account_domain: Option<&str>,
    password_sign_in: campus_visits::domain::account::PasswordSignIn,
    adjust: impl FnOnce(&mut campus_visits::config::Config) + Send + 'static,
) -> TestApp {
    let issuer = provider.issuer.clone();
    let account_domain = account_domain.map(str::to_owned);
    spawn_app_on(TestDb::fresh(), move |config| {
        adjust(config);
        config.oidc = Some(campus_visits::config::OidcConfig {
            issuer,
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            account_domain,
        });
        config.password_sign_in = password_sign_in;
    })
    .await
}

/// What one pass through the flow ended with.
struct Outcome {
    status: u16,
    location: String,
    body: String,
    /// The callback the provider sent the browser to, as the app's path.
    callback: String,
    client: reqwest::Client,
}

/// Starts at the sign-in button, goes to the provider, and comes back to
/// the app's callback, after `tamper` has had its way with the callback.
async fn sign_in_with(
    app: &TestApp,
    client: reqwest::Client,
    tamper: impl FnOnce(String) -> String,
) -> Outcome {
    let start = client
        .get(app.url("/sign-in/sso?next=/visits"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303, "off to the provider");
    let authorize = location(&start);
    assert!(authorize.contains("code_challenge="), "PKCE: {authorize}");
    assert!(authorize.contains("code_challenge_method=S256"));
    assert!(authorize.contains("nonce="), "{authorize}");
    assert!(authorize.contains("state="), "{authorize}");
    let at_provider = client.get(&authorize).send().await.unwrap();
    assert_eq!(
        at_provider.status(),
        302,
        "the provider sends the browser back"
    );
    let back = location(&at_provider);
    let path = back
        .strip_prefix("http://127.0.0.1")
        .expect("back to BASE_URL")
        .to_owned();
    assert!(path.starts_with("/sign-in/sso/callback?"), "{path}");
    let callback = tamper(path);
    let response = client.get(app.url(&callback)).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.text().await.unwrap();
    Outcome {
        status,
        location,
        body,
        callback,
        client,
    }
}

/// The audit events whose action starts with `action`, newest first, as
/// "action detail".
fn recorded(app: &TestApp, action: &str) -> Vec<String> {
    db::audit::list(
        &mut app.conn(),
        &db::audit::Filter {
            action: Some(action.to_owned()),
            ..Default::default()
        },
        campus_visits::domain::paging::PageRequest::new(Some(1), Some(100)),
    )
    .unwrap()
    .items
    .into_iter()
    .map(|e| format!("{} {}", e.action, e.detail.unwrap_or_default()))
    .collect()
}

fn refusals(app: &TestApp) -> Vec<String> {
    recorded(app, "sign_in.sso")
}

#[tokio::test]
async fn a_district_account_signs_in_with_the_provider_and_every_forgery_is_refused() {
    let provider = Provider::start();
    let app = app_with(&provider).await;
    let person = app.create_user(&[Role::Visitor], None, None);
    let page = reqwest::get(app.url("/sign-in")).await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Sign in with Riverside ISD"), "{page}");

    // A known, verified email signs in and lands where it was going.
    provider
        .control(
            json!({"email": person.email.to_uppercase(), "email_verified": true, "sub": "g-1001"}),
        )
        .await;
    let signed_in = sign_in_with(&app, browser(), |c| c).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.location, "/visits");
    let home = signed_in
        .client
        .get(app.url("/visits"))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200, "the session is signed in");
    // Signing out offers the provider's own sign-out too.
    let csrf = crate::helpers::csrf_in(&home.text().await.unwrap()).unwrap();
    let out = signed_in
        .client
        .post(app.url("/sign-out"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let after = signed_in
        .client
        .get(app.url(&location(&out)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let end = format!(
        "{}/logout?client_id={CLIENT_ID}&amp;post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%2Fsign-in",
        provider.issuer
    );
    assert!(after.contains(&end), "{after}");
    assert!(after.contains("Also sign out of Riverside ISD"));
    // The same callback again finds no flow: refused.
    let replay = signed_in
        .client
        .get(app.url(&signed_in.callback))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 403);
    // The used code with a new flow's state: the provider refuses it.
    let reused = sign_in_with(&app, browser(), |fresh| {
        let state = fresh.split("state=").nth(1).unwrap().to_owned();
        let code = signed_in
            .callback
            .split("code=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned();
        format!("/sign-in/sso/callback?code={code}&state={state}")
    })
    .await;
    assert_eq!(reused.status, 403, "a code works once");

    // Linked by subject: a changed email at the provider still signs in.
    provider
        .control(json!({"email": "renamed@elsewhere.example.org", "sub": "g-1001"}))
        .await;
    assert_eq!(sign_in_with(&app, browser(), |c| c).await.status, 303);

    // Each of these is refused with a page that says so, and recorded.
    let stranger = json!({"email": "stranger@example.org", "email_verified": true, "sub": "g-2"});
    let unverified = json!({"email": person.email, "email_verified": false, "sub": "g-3"});
    let known = json!({"email": person.email, "email_verified": true, "sub": "g-1001"});
    let cases: Vec<(&str, serde_json::Value, &str, &str)> = vec![
        (
            "an unknown email",
            stranger,
            "normal",
            "no account has the email",
        ),
        (
            "an unverified email",
            unverified,
            "normal",
            "has not verified the email",
        ),
        ("a bad nonce", known.clone(), "bad_nonce", "nonce"),
        (
            "a key never published",
            known.clone(),
            "unknown_key",
            "signature",
        ),
        ("another audience", known.clone(), "wrong_aud", "audience"),
        ("another issuer", known.clone(), "wrong_iss", "issuer"),
        ("an expired token", known.clone(), "expired", "expired"),
    ];
    for (what, person, mode, recorded) in cases {
        provider.control(person).await;
        provider.control(json!({"mode": mode})).await;
        let refused = sign_in_with(&app, browser(), |c| c).await;
        assert_eq!(refused.status, 403, "{what}: {}", refused.body);
        assert!(
            refused.body.contains("no account for you")
                || refused.body.contains("did not confirm who you are"),
            "{what}: {}",
            refused.body
        );
        let signed_out = refused.client.get(app.url("/visits")).send().await.unwrap();
        assert_eq!(signed_out.status(), 303, "{what}: not signed in");
        let last = refusals(&app).remove(0);
        assert!(
            last.starts_with("sign_in.sso_refused") && last.to_lowercase().contains(recorded),
            "{what}: {last}"
        );
    }
    provider.control(json!({"mode": "normal"})).await;
    // A state that is not the flow's.
    let forged = sign_in_with(&app, browser(), |c| {
        let (head, _) = c.split_once("state=").unwrap();
        format!("{head}state=forged")
    })
    .await;
    assert_eq!(forged.status, 403);
    assert!(refusals(&app)[0].contains("state does not match"));

    // The provider rotates its key: the next sign-in fetches the new one.
    provider.control(json!({"rotate": true})).await;
    let after_rotation = sign_in_with(&app, browser(), |c| c).await;
    assert_eq!(after_rotation.status, 303, "{}", after_rotation.body);

    let successes = refusals(&app)
        .iter()
        .filter(|e| e.starts_with("sign_in.sso "))
        .count();
    assert_eq!(successes, 3, "{:?}", refusals(&app));
    let (account, linked) = db::accounts::for_sso(&mut app.conn(), "g-1001", None)
        .unwrap()
        .expect("linked by subject");
    assert_eq!(account.id, person.id);
    assert_eq!(linked.as_deref(), Some("g-1001"));
}

#[tokio::test]
async fn without_a_provider_there_is_no_single_sign_on() {
    let app = crate::helpers::spawn_app().await;
    let page = reqwest::get(app.url("/sign-in")).await.unwrap();
    assert!(!page.text().await.unwrap().contains("Sign in with"));
    let start = browser().get(app.url("/sign-in/sso")).send().await.unwrap();
    assert_eq!(start.status(), 404);
}

/// A person with a chosen email and the test password.
fn person_with(app: &TestApp, email: &str, roles: &[Role]) -> i64 {
    let mut conn = app.conn();
    let user = campus_visits::domain::user::NewUser::parse("Break Glass", email, true, None, None)
        .unwrap();
    let id = db::users::insert(&mut conn, &user).unwrap();
    let hash = campus_visits::auth::password::hash(crate::helpers::TEST_PASSWORD);
    db::accounts::set_password_hash(&mut conn, id, &hash).unwrap();
    db::accounts::set_roles(&mut conn, id, &roles.iter().copied().collect()).unwrap();
    id
}

#[tokio::test]
async fn with_password_sign_in_off_only_the_break_glass_administrators_use_a_password() {
    use campus_visits::domain::account::PasswordSignIn;
    let provider = Provider::start();
    let app = app_with_settings(
        &provider,
        None,
        PasswordSignIn::only("root@district.example.org"),
    )
    .await;
    person_with(&app, "root@district.example.org", &[Role::Admin]);
    let visitor = app.create_user(&[Role::Visitor], None, None);
    let page = reqwest::get(app.url("/sign-in"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in with Riverside ISD"), "{page}");
    assert!(page.contains("<details><summary>Administrators: sign in with a password"));
    assert!(!page.contains("Forgot your password?"));

    // The visitor's right password is refused: they use the provider.
    let (refused, _) = crate::helpers::sign_in_with(
        &app,
        &browser(),
        &visitor.email,
        crate::helpers::TEST_PASSWORD,
    )
    .await;
    assert_eq!(refused.status(), 403);
    let said = refused.text().await.unwrap();
    assert!(
        said.contains("Sign in with Riverside ISD: this district does not use passwords."),
        "{said}"
    );
    // An unknown email gets the very same answer.
    let (unknown, _) = crate::helpers::sign_in_with(
        &app,
        &browser(),
        "nobody@district.example.org",
        "whatever it is",
    )
    .await;
    assert_eq!(unknown.status(), 403);
    // The break-glass administrator signs in with the password.
    let (root, _) = crate::helpers::sign_in_with(
        &app,
        &browser(),
        "ROOT@district.example.org",
        crate::helpers::TEST_PASSWORD,
    )
    .await;
    assert_eq!(root.status(), 303);
    let recorded = refusals_of(&app, "sign_in.password_off");
    assert_eq!(recorded, 2, "each refusal is recorded");
}

fn refusals_of(app: &TestApp, action: &str) -> usize {
    recorded(app, action).len()
}

#[tokio::test]
async fn a_first_sign_in_at_the_districts_domain_makes_an_account_with_no_role() {
    let provider = Provider::start();
    let app = app_with_settings(&provider, Some("district.example.org"), Default::default()).await;
    provider
        .control(
            json!({"email": "Ana.Ruiz@district.example.org", "email_verified": true,
                        "sub": "g-77", "name": "Ana Ruiz"}),
        )
        .await;
    let signed_in = sign_in_with(&app, browser(), |c| c).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let (account, linked) = db::accounts::for_sso(&mut app.conn(), "g-77", None)
        .unwrap()
        .expect("the account was made");
    assert_eq!(account.name, "Ana Ruiz");
    assert_eq!(account.email, "ana.ruiz@district.example.org");
    assert!(
        account.roles.is_empty(),
        "no role until an administrator grants one"
    );
    assert_eq!(linked.as_deref(), Some("g-77"));
    assert_eq!(refusals_of(&app, "user.created_by_sso"), 1);
    // Signed in, but with no role the planning pages are closed to her.
    let visits = signed_in
        .client
        .get(app.url("/visits/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(visits.status(), 403);
    // Again: the same account, not a second one.
    assert_eq!(sign_in_with(&app, browser(), |c| c).await.status, 303);
    assert_eq!(refusals_of(&app, "user.created_by_sso"), 1);

    // Not at the domain, or not verified: no account.
    for (email, verified, sub) in [
        ("ana@elsewhere.example.org", true, "x-1"),
        ("ana@mail.district.example.org", true, "x-2"),
        ("ben@district.example.org", false, "x-3"),
    ] {
        provider
            .control(json!({"email": email, "email_verified": verified, "sub": sub}))
            .await;
        let refused = sign_in_with(&app, browser(), |c| c).await;
        assert_eq!(refused.status, 403, "{email}");
        assert!(db::accounts::for_sso(&mut app.conn(), sub, Some(email))
            .unwrap()
            .is_none());
    }
    assert_eq!(refusals_of(&app, "user.created_by_sso"), 1);
}
