//! Extractors that answer "who is asking?" once per request: from an API
//! token (`Authorization: Bearer …`) or from the session cookie, checked
//! against the database (active, session epoch, roles) on every request.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::session::{self, SessionState};
use super::token;
use crate::db::accounts::Account;
use crate::db::audit::NewEvent;
use crate::db::{self, Db};
use crate::domain::account::Role;
use crate::error::{self, AppError};
use crate::web::Settings;

/// How the user proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session; forms must echo its CSRF token.
    Session { csrf: String },
    /// An API token.
    Token { token_id: i64 },
}

/// The signed-in user making this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub via: Via,
}

impl CurrentUser {
    pub fn id(&self) -> i64 {
        self.account.id
    }

    pub fn has(&self, role: Role) -> bool {
        self.account.roles.contains(&role)
    }

    /// What every page needs to know about its viewer.
    pub fn ctx(&self) -> crate::views::Ctx {
        crate::views::Ctx {
            user: Some(crate::views::Viewer {
                id: self.account.id,
                name: self.account.name.clone(),
                is_admin: self.has(Role::Admin),
                sees_district: self.has(Role::Admin) || self.has(Role::VisitLead),
                school_board: self
                    .account
                    .school_id
                    .filter(|_| self.has(Role::SchoolLeader)),
                department_board: self
                    .account
                    .department_id
                    .filter(|_| self.has(Role::DepartmentHead)),
            }),
            csrf: match &self.via {
                Via::Session { csrf } => csrf.clone(),
                Via::Token { .. } => String::new(),
            },
            today: crate::web::items::today(),
        }
    }
}

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

impl FromRequest for CurrentUser {
    type Error = actix_web::Error;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(&req)
                .await
                .map_err(|e| error::for_request(&req, e))
        })
    }
}

/// Defines an extractor for a signed-in person holding one of `roles`;
/// anyone else is refused with 403 (and the refusal recorded).
macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, [$($role:expr),+]) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub CurrentUser);

        impl FromRequest for $name {
            type Error = actix_web::Error;
            type Future = Boxed<Self>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move {
                    let user = authenticate(&req).await.map_err(|e| error::for_request(&req, e))?;
                    if [$($role),+].iter().any(|role| user.has(*role)) {
                        Ok($name(user))
                    } else {
                        Err(error::for_request(&req, deny(&req, &user).await))
                    }
                })
            }
        }
    };
}

role_guard!(
    /// A signed-in administrator.
    Admin,
    [Role::Admin]
);

role_guard!(
    /// A signed-in administrator or visit lead: plans visits and their teams.
    Planner,
    [Role::Admin, Role::VisitLead]
);

/// Records a refused request in the audit log and returns the 403 to answer.
pub async fn deny(req: &HttpRequest, user: &CurrentUser) -> AppError {
    if let Some(db) = req.app_data::<web::Data<Db>>() {
        let event = NewEvent::new("access.denied")
            .by(Some(user.id()))
            .from_ip(client_ip(req))
            .detail(format!(
                "{} {}",
                req.method(),
                req.match_pattern().unwrap_or_else(|| req.path().to_owned())
            ));
        if let Err(e) = db.run(move |conn| db::audit::record(conn, &event)).await {
            tracing::error!(error = %e, "could not record a refused request");
        }
    }
    AppError::forbidden(REFUSED)
}

/// What a refused request is told, on a page or in the API.
pub const REFUSED: &str = "Your account does not give access to this.";

/// The client's address: the peer, or with `TRUST_PROXY` what the proxy
/// reports.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    let trust_proxy = req
        .app_data::<web::Data<Settings>>()
        .is_some_and(|c| c.trust_proxy);
    if trust_proxy {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return Some(ip.to_owned());
        }
    }
    req.peer_addr().map(|a| a.ip().to_string())
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Where a page request should return after signing in.
fn back_to(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map_or("/".to_owned(), |p| p.as_str().to_owned())
    } else {
        "/".to_owned()
    }
}

async fn authenticate(req: &HttpRequest) -> Result<CurrentUser, AppError> {
    if let Some(user) = req.extensions().get::<CurrentUser>() {
        return Ok(user.clone());
    }
    let db = req
        .app_data::<web::Data<Db>>()
        .ok_or_else(|| AppError::internal("no database in app data"))?
        .clone();
    let user = match req.headers().get(header::AUTHORIZATION) {
        Some(value) => by_token(&db, value.to_str().unwrap_or("")).await?,
        None => by_session(req, &db).await?,
    };
    req.extensions_mut().insert(user.clone());
    Ok(user)
}

async fn by_token(db: &Db, header_value: &str) -> Result<CurrentUser, AppError> {
    let presented = header_value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| token::well_formed(t))
        .ok_or_else(|| {
            AppError::new(
                crate::error::ErrorCode::Unauthorized,
                "Send `Authorization: Bearer <token>` with a valid API token.",
            )
        })?;
    let digest = token::digest(presented);
    match db
        .run(move |conn| db::accounts::by_token(conn, &digest))
        .await?
    {
        Some((token_id, account)) => Ok(CurrentUser {
            account,
            via: Via::Token { token_id },
        }),
        None => Err(AppError::new(
            crate::error::ErrorCode::Unauthorized,
            "The API token is not valid: it is unknown, revoked, or its owner is deactivated.",
        )),
    }
}

async fn by_session(req: &HttpRequest, db: &Db) -> Result<CurrentUser, AppError> {
    let config = req
        .app_data::<web::Data<Settings>>()
        .ok_or_else(|| AppError::internal("no config in app data"))?;
    let session = req.get_session();
    let unauthorized = || AppError::unauthorized(&back_to(req));
    let Some(mut state) = session::read(&session) else {
        return Err(unauthorized());
    };
    let Some(user_id) = state.user_id else {
        return Err(unauthorized());
    };
    let now = unix_now();
    let idle = i64::try_from(config.session_idle.as_secs()).unwrap_or(i64::MAX);
    let lifetime = i64::try_from(config.session_lifetime.as_secs()).unwrap_or(i64::MAX);
    if now - state.seen > idle || now - state.started > lifetime {
        session::end(&session);
        return Err(unauthorized());
    }
    let sid = state.sid.clone();
    let found = db
        .run(move |conn| -> db::QueryResult<_> {
            let account = db::accounts::find(conn, user_id)?;
            Ok((account, db::accounts::session_ended(conn, &sid)?))
        })
        .await
        .map_err(AppError::from);
    let (account, ended) = match found {
        Ok(found) => found,
        Err(e) if e.code == crate::error::ErrorCode::NotFound => {
            session::end(&session);
            return Err(unauthorized());
        }
        Err(e) => return Err(e),
    };
    if ended || !account.active || account.session_epoch != state.epoch {
        session::end(&session);
        return Err(unauthorized());
    }
    if now - state.seen >= 60 {
        state.seen = now;
        session::write(&session, &state);
    }
    let SessionState { csrf, .. } = state;
    Ok(CurrentUser {
        account,
        via: Via::Session { csrf },
    })
}
