//! Thin handlers: extract, parse into domain values, call `db`, answer.

pub mod account;
pub mod actions;
pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
#[cfg(feature = "bench")]
pub mod bench;
pub mod calendar;
pub mod debriefs;
pub mod departments;
pub mod exports;
pub mod frameworks;
pub mod guard;
pub mod health;
pub mod home;
pub mod insights;
pub mod invitations;
pub mod items;
pub mod learning;
pub mod mail;
pub mod observations;
pub mod password;
pub mod schools;
pub mod settings;
pub mod users;
pub mod visits;

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use maud::Markup;
use serde::Deserialize;

use crate::domain::paging::PageRequest;
use crate::domain::FieldErrors;
use crate::error::{AppError, ErrorCode};

/// What handlers and guards need of the configuration; the server hands
/// it to them (`Config::web_settings`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `BASE_URL`, for links in messages and calendars.
    pub base_url: String,
    /// Whether the app is served over https (HSTS, secure cookies).
    pub https: bool,
    /// Signs reset and unsubscribe links.
    pub session_key: String,
    /// Whether to believe a proxy's `X-Forwarded-For`.
    pub trust_proxy: bool,
    pub session_idle: std::time::Duration,
    pub session_lifetime: std::time::Duration,
    /// Sign-in throttling per account and per address.
    pub account_throttle: crate::domain::throttle::Policy,
    pub address_throttle: crate::domain::throttle::Policy,
    /// Who may sign in with a password.
    pub password_sign_in: crate::domain::account::PasswordSignIn,
}

/// The person making a change, and from where, for an action.
pub fn actor(user: &crate::auth::CurrentUser, req: &actix_web::HttpRequest) -> actions::Actor {
    actions::Actor {
        id: user.id(),
        name: user.account.name.clone(),
        viewer: crate::db::visits::Viewer::from(&user.account),
        ip: crate::auth::extract::client_ip(req),
    }
}

/// An action's refusal recorded in the audit log like any other (403);
/// every other outcome passes through.
pub async fn audited<T>(
    req: &actix_web::HttpRequest,
    user: &crate::auth::CurrentUser,
    result: Result<T, impl Into<AppError>>,
) -> Result<T, AppError> {
    match result.map_err(Into::into) {
        Err(e) if e.code == ErrorCode::Forbidden => {
            Err(crate::auth::extract::deny(req, user).await)
        }
        other => other,
    }
}

/// A file to download: `file_name` as the browser saves it.
pub fn attachment(
    file_name: &str,
    content_type: &str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type.to_owned()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .body(body)
}

/// 303 See Other: where a browser goes after a successful form.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A form shown again with its messages: 422.
pub fn unprocessable(markup: Markup) -> HttpResponse {
    HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// Splits a failed write into the field messages to show beside a form
/// (input to correct, or a conflict with the record such as a name in use:
/// either way the form comes back with what was typed), and everything
/// else, which becomes an error page.
pub fn field_errors<T>(
    result: Result<T, impl Into<AppError>>,
) -> Result<Result<T, FieldErrors>, AppError> {
    match result.map_err(Into::into) {
        Ok(value) => Ok(Ok(value)),
        Err(error)
            if error.code == ErrorCode::ValidationFailed
                || (error.code == ErrorCode::Conflict && !error.fields.is_empty()) =>
        {
            Ok(Err(error.fields))
        }
        Err(error) => Err(error),
    }
}

/// A form's submission refused: the status to answer (422 for input to
/// correct, 409 for a change the record does not allow) and the messages
/// to show beside the fields.
pub struct Refused {
    pub status: StatusCode,
    pub fields: FieldErrors,
}

/// Like [`field_errors`], keeping conflicts with the record on the form too.
pub fn refused<T>(result: Result<T, impl Into<AppError>>) -> Result<Result<T, Refused>, AppError> {
    match result.map_err(Into::into) {
        Ok(value) => Ok(Ok(value)),
        Err(error)
            if matches!(
                error.code,
                ErrorCode::ValidationFailed | ErrorCode::Conflict
            ) =>
        {
            Ok(Err(Refused {
                status: error.code.status(),
                fields: error.fields,
            }))
        }
        Err(error) => Err(error),
    }
}

impl From<FieldErrors> for Refused {
    fn from(fields: FieldErrors) -> Self {
        Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fields,
        }
    }
}

/// A form shown again with its messages, with the status of its refusal.
pub fn shown_again(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

pub use crate::domain::forms::ListQuery;

impl ListQuery {
    pub fn page_request(&self) -> PageRequest {
        PageRequest::new(self.page, self.per_page)
    }

    /// The page asked for, refused (422) when out of range: for the API.
    pub fn checked_page_request(&self) -> Result<PageRequest, crate::domain::FieldErrors> {
        PageRequest::checked(self.page, self.per_page)
    }

    pub fn search(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned)
    }

    pub fn include_inactive(&self) -> bool {
        self.inactive
            .as_deref()
            .is_some_and(|v| crate::domain::fields::parse_flag(v).unwrap_or(false))
    }
}

/// The short confirmations shown after a change, chosen by a fixed key so
/// that nothing from the address is echoed into the page.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

impl DoneQuery {
    pub fn message(&self, thing: &str) -> Option<String> {
        let verb = match self.done.as_deref()? {
            "created" => "added",
            "updated" => "saved",
            "deactivated" => "deactivated",
            "activated" => "reactivated",
            "deleted" => "deleted with its records",
            "invited" => "sent an invitation",
            "invitation_revoked" => "no longer invited: the link was revoked",
            _ => return None,
        };
        Some(format!("The {thing} was {verb}."))
    }
}

/// A directory record that can be deactivated and reactivated.
pub struct Activity {
    /// The record type in the audit log: `school`, `department`, `user`.
    pub record: &'static str,
    /// The audit actions for reactivating and deactivating.
    pub actions: (&'static str, &'static str),
    /// The list page to return to.
    pub list: &'static str,
    pub write: fn(&mut crate::db::DbConn, i64, bool) -> crate::db::QueryResult<()>,
}

/// Deactivates or reactivates a directory record, records who did it, and
/// sends the browser back to the list with a confirmation.
pub async fn set_active(
    kind: &Activity,
    admin: &crate::auth::CurrentUser,
    req: &actix_web::HttpRequest,
    db: &crate::db::Db,
    id: i64,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let (actor, ip) = (admin.id(), crate::auth::extract::client_ip(req));
    let (write, record) = (kind.write, kind.record);
    let action = if active {
        kind.actions.0
    } else {
        kind.actions.1
    };
    db.run(move |conn| {
        crate::db::write_transaction(conn, |conn| {
            write(conn, id, active)?;
            let event = crate::db::audit::NewEvent::new(action)
                .by(Some(actor))
                .on(record, id)
                .from_ip(ip);
            crate::db::audit::record(conn, &event)
        })
    })
    .await?;
    tracing::info!(
        record.id = id,
        record.kind = record,
        active,
        "activity changed"
    );
    let done = if active { "activated" } else { "deactivated" };
    Ok(see_other(&format!("{}?done={done}", kind.list)))
}
