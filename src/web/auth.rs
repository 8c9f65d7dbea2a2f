//! Signing in and out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::see_other;
use crate::auth::extract::client_ip;
use crate::auth::{password, session, CurrentUser};
use crate::db::audit::NewEvent;
use crate::db::throttle::Scope;
use crate::db::{self, Db};
use crate::domain::account::PasswordSignIn;
use crate::error::AppError;
use crate::views::{self, Ctx};

pub use crate::domain::forms::SignInForm;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
    /// Set by sign-out: the page then offers the provider's own sign-out.
    pub signed_out: Option<String>,
}

/// Only a path on this site: never another host (`//evil`, `https://…`).
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if ok {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn anonymous(session: &Session) -> Ctx {
    Ctx {
        user: None,
        csrf: session::csrf_token(session, unix_now()),
        today: super::items::today(),
    }
}

/// The district's provider for single sign-on, when one is configured.
pub struct SsoSlot(pub Option<crate::auth::oidc::Sso>);

impl SsoSlot {
    fn label(&self) -> Option<&str> {
        self.0.as_ref().map(|sso| sso.label.as_str())
    }
}

/// The ways the district signs people in, for the page.
fn ways<'a>(sso: &'a SsoSlot, config: &super::Settings) -> views::account::SignInWays<'a> {
    views::account::SignInWays {
        sso: sso.label(),
        password_for_everyone: config.password_sign_in == PasswordSignIn::Everyone,
        end_session: None,
    }
}

pub async fn sign_in_page(
    session: Session,
    sso: web::Data<SsoSlot>,
    config: web::Data<super::Settings>,
    query: web::Query<NextQuery>,
) -> Markup {
    let form = SignInForm {
        next: safe_next(query.next.as_deref().unwrap_or("/")),
        ..SignInForm::default()
    };
    let mut ways = ways(&sso, &config);
    let end_session = match (&sso.0, &query.signed_out) {
        (Some(provider), Some(_)) => provider.end_session_url().await.map(|url| {
            let back: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("client_id", provider.client_id())
                .append_pair(
                    "post_logout_redirect_uri",
                    &format!("{}/sign-in", config.base_url),
                )
                .finish();
            let joint = if url.contains('?') { '&' } else { '?' };
            format!("{url}{joint}{back}")
        }),
        _ => None,
    };
    ways.end_session = end_session.as_deref();
    views::account::sign_in(&anonymous(&session), &form, None, ways)
}

/// Where the flow waits in the session cookie between its two legs.
const FLOW_KEY: &str = "sso_flow";

/// The first leg: off to the district's provider.
pub async fn sso_start(
    session: Session,
    sso: web::Data<SsoSlot>,
    config: web::Data<super::Settings>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(provider) = &sso.0 else {
        return Err(AppError::not_found());
    };
    let next = safe_next(query.next.as_deref().unwrap_or("/"));
    match provider.start(&next, unix_now()).await {
        Ok((url, flow)) => {
            session
                .insert(FLOW_KEY, &flow)
                .map_err(AppError::internal)?;
            Ok(see_other(&url))
        }
        Err(refusal) => {
            tracing::warn!(error = %refusal, "single sign-on could not start");
            Ok(sso_refused(
                &session,
                ways(&sso, &config),
                StatusCode::BAD_GATEWAY,
                &format!(
                    "Signing in with {} is not possible right now: the district's sign-in service did not answer. Try again in a moment, or sign in with your password.",
                    provider.label
                ),
            ))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The second leg: the provider sends the person back with a code.
pub async fn sso_callback(
    req: HttpRequest,
    session: Session,
    db: web::Data<Db>,
    sso: web::Data<SsoSlot>,
    config: web::Data<super::Settings>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    use crate::auth::oidc::{Flow, Refusal};
    let Some(provider) = &sso.0 else {
        return Err(AppError::not_found());
    };
    let ip = client_ip(&req);
    // A flow is used once: a replayed callback finds none.
    let flow: Option<Flow> = session.remove_as(FLOW_KEY).and_then(Result::ok);
    let checked = match (&flow, &query.code, &query.error) {
        (None, _, _) => Err(Refusal::NoFlow),
        (Some(_), _, Some(error)) => Err(Refusal::Provider(error.clone())),
        (Some(flow), Some(code), None) => {
            match flow.accepts(query.state.as_deref().unwrap_or(""), unix_now()) {
                Ok(()) => provider.finish(code, flow).await,
                Err(refusal) => Err(refusal),
            }
        }
        (Some(_), None, None) => Err(Refusal::Provider("no code".to_owned())),
    };
    let identity = match checked {
        Ok(identity) => identity,
        Err(refusal) => {
            let event = NewEvent::new("sign_in.sso_refused")
                .from_ip(ip)
                .detail(refusal.to_string());
            db.run(move |conn| db::audit::record(conn, &event)).await?;
            let message = match refusal {
                Refusal::NoFlow | Refusal::Expired => {
                    "That sign-in was already used or took too long. Please sign in again."
                }
                Refusal::Unreachable(_) => {
                    "The district's sign-in service did not answer. Try again in a moment."
                }
                _ => "The district's sign-in service did not confirm who you are. Please sign in again.",
            };
            return Ok(sso_refused(
                &session,
                ways(&sso, &config),
                StatusCode::FORBIDDEN,
                message,
            ));
        }
    };
    let (subject, email) = (identity.subject.clone(), identity.email.clone());
    let verified = identity.email_verified;
    let found = db
        .run(move |conn| {
            db::accounts::for_sso(conn, &subject, email.as_deref().filter(|_| verified))
        })
        .await?;
    // A first sign-in at the district's own domain makes the account, when
    // the district allows it; it has no role until an administrator gives one.
    let found = match (found, &identity.email) {
        (None, Some(email))
            if identity.email_verified
                && crate::domain::account::creates_account_for(
                    provider.account_domain(),
                    email,
                ) =>
        {
            let name = identity
                .name
                .clone()
                .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
            match crate::domain::user::NewUser::parse(&name, email, true, None, None) {
                Ok(user) => {
                    let (subject, address) = (identity.subject.clone(), ip.clone());
                    let outcome = db
                        .run(move |conn| {
                            let id = super::actions::users::create_from_sso(
                                conn, &user, &subject, address,
                            )?;
                            Ok::<_, db::WriteError>(
                                db::accounts::for_sso(conn, &subject, None)?
                                    .filter(|(account, _)| account.id == id),
                            )
                        })
                        .await;
                    outcome?
                }
                Err(_) => None,
            }
        }
        (found, _) => found,
    };
    let account = match found {
        Some((account, linked))
            if account.active && linked.as_deref().is_none_or(|s| s == identity.subject) =>
        {
            (account, linked.is_some())
        }
        other => {
            let why = match (&other, identity.email_verified) {
                (Some((account, _)), _) if !account.active => "the account is deactivated",
                (Some(_), _) => "the account is linked to another sign-in",
                (None, false) => "the provider has not verified the email",
                (None, true) => "no account has the email",
            };
            let event = NewEvent::new("sign_in.sso_refused")
                .from_ip(ip)
                .detail(format!(
                    "{why}: {} (subject {})",
                    identity.email.as_deref().unwrap_or("no email"),
                    identity.subject
                ));
            db.run(move |conn| db::audit::record(conn, &event)).await?;
            return Ok(sso_refused(
                &session,
                ways(&sso, &config),
                StatusCode::FORBIDDEN,
                "campus-visits has no account for you. Ask your district's campus-visits administrator to add you with the email you sign in with.",
            ));
        }
    };
    let ((account, linked), subject) = (account, identity.subject.clone());
    let (user_id, address) = (account.id, ip.clone());
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            if !linked {
                db::accounts::link_sso(conn, user_id, &subject)?;
            }
            db::audit::record(
                conn,
                &NewEvent::new("sign_in.sso")
                    .by(Some(user_id))
                    .on("user", user_id)
                    .from_ip(address),
            )
        })
    })
    .await?;
    session::begin(&session, account.id, account.session_epoch, unix_now());
    tracing::info!(user.id = account.id, "signed in with single sign-on");
    let next = flow.map(|f| f.next).unwrap_or_else(|| "/".to_owned());
    Ok(see_other(&safe_next(&next)))
}

/// The sign-in page with why single sign-on did not sign the person in.
fn sso_refused(
    session: &Session,
    ways: views::account::SignInWays,
    status: StatusCode,
    message: &str,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(
            views::account::sign_in(
                &anonymous(session),
                &SignInForm::default(),
                Some(message),
                ways,
            )
            .into_string(),
        )
}

fn form_again(
    session: &Session,
    ways: views::account::SignInWays,
    form: &SignInForm,
    status: StatusCode,
    message: &str,
) -> HttpResponse {
    let form = SignInForm {
        password: String::new(),
        ..form.clone()
    };
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(
            views::account::sign_in(&anonymous(session), &form, Some(message), ways).into_string(),
        )
}

pub async fn sign_in(
    req: HttpRequest,
    session: Session,
    db: web::Data<Db>,
    config: web::Data<super::Settings>,
    sso: web::Data<SsoSlot>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.email.trim().to_lowercase();
    let ip = client_ip(&req).unwrap_or_default();
    let ways = ways(&sso, &config);
    // With password sign-in off, only the break-glass administrators use
    // it; the answer is the same for every other email, known or not.
    if !config.password_sign_in.allows(&email) {
        let event = NewEvent::new("sign_in.password_off").from_ip(Some(ip));
        db.run(move |conn| db::audit::record(conn, &event)).await?;
        let message = format!(
            "Sign in with {}: this district does not use passwords.",
            sso.label().unwrap_or("the district's sign-in")
        );
        return Ok(form_again(
            &session,
            ways,
            &form,
            StatusCode::FORBIDDEN,
            &message,
        ));
    }
    let (account_policy, address_policy) = (config.account_throttle, config.address_throttle);

    let (key, address) = (email.clone(), ip.clone());
    let wait = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            let now = db::now();
            let (failures, last) =
                db::throttle::recent(conn, Scope::Account, &key, now - account_policy.window)?;
            let by_account = account_policy.wait(failures, last, now);
            let (failures, last) =
                db::throttle::recent(conn, Scope::Address, &address, now - address_policy.window)?;
            let by_address = address_policy.wait(failures, last, now);
            Ok(by_account.max(by_address))
        })
        .await?;
    if let Some(wait) = wait {
        let seconds = u64::try_from((wait.num_milliseconds() + 999) / 1000)
            .unwrap_or(1)
            .max(1);
        let event = NewEvent::new("sign_in.throttled").from_ip(Some(ip));
        db.run(move |conn| db::audit::record(conn, &event)).await?;
        let mut response = form_again(
            &session,
            ways,
            &form,
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too many failed sign-ins. Please wait {seconds} seconds, then try again."),
        );
        response.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from(seconds),
        );
        return Ok(response);
    }

    let lookup = email.clone();
    let found = db
        .run(move |conn| db::accounts::for_sign_in(conn, &lookup))
        .await?;
    let known_id = found.as_ref().map(|(account, _)| account.id);
    let typed = form.password.clone();
    // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let verified = web::block(move || match found {
        Some((account, Some(hash))) if account.active => {
            password::verify(&typed, &hash).then_some(account)
        }
        _ => {
            password::verify_nobody(&typed);
            None
        }
    })
    .await
    .map_err(AppError::internal)?;

    match verified {
        Some(account) => {
            let (user_id, address) = (account.id, ip.clone());
            db.run(move |conn| {
                db::write_transaction(conn, |conn| {
                    db::throttle::clear(conn, Scope::Account, &email)?;
                    db::audit::record(
                        conn,
                        &NewEvent::new("sign_in.success")
                            .by(Some(user_id))
                            .on("user", user_id)
                            .from_ip(Some(address)),
                    )
                })
            })
            .await?;
            session::begin(&session, account.id, account.session_epoch, unix_now());
            tracing::info!(user.id = account.id, "signed in");
            Ok(see_other(&safe_next(&form.next)))
        }
        None => {
            let window = account_policy.window.max(address_policy.window);
            db.run(move |conn| {
                db::write_transaction(conn, |conn| {
                    db::throttle::record(conn, Scope::Account, &email)?;
                    db::throttle::record(conn, Scope::Address, &ip)?;
                    db::throttle::prune(conn, db::now() - window)?;
                    let mut event = NewEvent::new("sign_in.failure").from_ip(Some(ip));
                    if let Some(id) = known_id {
                        event = event.on("user", id);
                    }
                    db::audit::record(conn, &event)
                })
            })
            .await?;
            Ok(form_again(
                &session,
                ways,
                &form,
                StatusCode::UNAUTHORIZED,
                "The email or password is not right.",
            ))
        }
    }
}

/// Ends this session on the server's side too (every instance refuses its
/// cookie from now on), then in the browser.
pub async fn sign_out(
    req: HttpRequest,
    session: Session,
    db: web::Data<Db>,
    settings: web::Data<super::Settings>,
    user: Option<CurrentUser>,
) -> Result<HttpResponse, AppError> {
    let state = session::read(&session);
    if let (Some(user), Some(state)) = (user, state) {
        let event = NewEvent::new("sign_out")
            .by(Some(user.id()))
            .on("user", user.id())
            .from_ip(client_ip(&req));
        let forget_after = chrono::Duration::from_std(settings.session_lifetime)
            .unwrap_or(chrono::Duration::days(365));
        let (user_id, sid) = (user.id(), state.sid);
        db.run(move |conn| {
            db::write_transaction(conn, |conn| {
                db::accounts::end_session(conn, user_id, &sid, forget_after)?;
                db::audit::record(conn, &event)
            })
        })
        .await?;
    }
    session::end(&session);
    let mut response = see_other("/sign-in?signed_out=1");
    // A shared tablet keeps nothing of the person who signed out: drafts,
    // cached pages, anything stored for this site.
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("clear-site-data"),
        actix_web::http::header::HeaderValue::from_static("\"cache\", \"storage\""),
    );
    Ok(response)
}

/// Ends every session of the signed-in person, on every device and
/// instance (their session epoch moves on); API tokens stay, each revoked
/// on its own.
pub async fn sign_out_everywhere(
    req: HttpRequest,
    session: Session,
    db: web::Data<Db>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let event = NewEvent::new("sign_out.everywhere")
        .by(Some(user.id()))
        .on("user", user.id())
        .from_ip(client_ip(&req));
    let user_id = user.id();
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            db::accounts::end_sessions(conn, user_id)?;
            db::audit::record(conn, &event)
        })
    })
    .await?;
    session::end(&session);
    Ok(see_other("/sign-in"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/admin/schools?page=2"), "/admin/schools?page=2");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "evil",
            "/\\evil",
            "",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad}");
        }
    }
}
