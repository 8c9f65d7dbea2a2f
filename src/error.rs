//! The web layer's one error type and how it is shown: an HTML page for
//! people, `{"error": {"code", "message", "fields"}}` for the API.
//!
//! Policy: the data layer returns `QueryResult`/`WriteError`; they become an
//! `AppError` here. Only server errors (5xx) are logged, once, when the
//! response is rendered; their details never reach the client.

use std::collections::BTreeMap;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

use crate::db::WriteError;
use crate::domain::FieldErrors;

/// What kind of failure, as a client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    ValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A failure to answer a request. Rendered as an HTML page; wrap it in
/// [`ApiError`] to answer in JSON.
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: FieldErrors,
    /// The underlying cause of a server error, for the log only.
    cause: Option<String>,
    /// For pages: where to send the browser instead (sign-in, for a request
    /// that needs a signed-in user).
    redirect: Option<String>,
    /// Seconds to wait before trying again (429).
    retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: FieldErrors::new(),
            cause: None,
            redirect: None,
            retry_after: None,
        }
    }

    /// Not signed in. Pages send the browser to sign in and come back to
    /// `back_to`; the API answers 401.
    pub fn unauthorized(back_to: &str) -> Self {
        Self {
            redirect: Some(format!(
                "/sign-in?next={}",
                crate::views::query_value(back_to)
            )),
            ..Self::new(
                ErrorCode::Unauthorized,
                "Sign in first, or send a valid API token.",
            )
        }
    }

    /// The same error with messages beside the fields they concern.
    pub fn with_fields(mut self, fields: FieldErrors) -> Self {
        self.fields = fields;
        self
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn too_many_requests(wait_seconds: u64) -> Self {
        Self {
            retry_after: Some(wait_seconds),
            ..Self::new(
                ErrorCode::TooManyRequests,
                format!(
                    "Too many failed sign-ins. Please wait {wait_seconds} seconds, then try again."
                ),
            )
        }
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "There is nothing at this address.")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::MethodNotAllowed, message)
    }

    /// A body over the limit of `limit_kib` KiB.
    pub fn too_large(limit_kib: usize) -> Self {
        Self::new(
            ErrorCode::PayloadTooLarge,
            format!("The request is too large: send at most {limit_kib} KiB."),
        )
    }

    pub fn validation(fields: FieldErrors) -> Self {
        Self {
            fields,
            ..Self::new(ErrorCode::ValidationFailed, "Some fields need correcting.")
        }
    }

    pub fn unavailable(cause: impl fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(
                ErrorCode::Unavailable,
                "The database is not answering right now. Please try again in a moment.",
            )
        }
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(
                ErrorCode::Internal,
                "Something went wrong on our side. Nothing you did caused it; please try again.",
            )
        }
    }

    fn log(&self) {
        if self.code.status().is_server_error() {
            tracing::error!(
                error.code = ?self.code,
                error.cause = self.cause.as_deref().unwrap_or(""),
                "request failed"
            );
        }
    }
}

impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppError")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("cause", &self.cause)
            .finish()
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => AppError::not_found(),
            // The connection died under the query (a database restart, a
            // cut network): the database is away, not the request at fault.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ClosedConnection
                | diesel::result::DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => AppError::unavailable(error),
            other => AppError::internal(other),
        }
    }
}

impl From<WriteError> for AppError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Invalid(fields) => AppError::validation(fields),
            WriteError::Forbidden => AppError::forbidden(crate::auth::extract::REFUSED),
            WriteError::Conflict { field, message } => AppError {
                fields: FieldErrors::single(field, message.clone()),
                ..AppError::new(ErrorCode::Conflict, message)
            },
            WriteError::Db(e) => e.into(),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(fields: FieldErrors) -> Self {
        AppError::validation(fields)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        if let (ErrorCode::Unauthorized, Some(location)) = (self.code, &self.redirect) {
            return HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, location.as_str()))
                .finish();
        }
        let mut response = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        response
            .content_type("text/html; charset=utf-8")
            .body(crate::views::errors::page(self.status_code(), &self.message).into_string())
    }
}

/// The JSON body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// A message per submitted field that needs correcting.
    pub fields: BTreeMap<String, String>,
}

/// An [`AppError`] answered in JSON, for `/api/`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<crate::db::RunError<E>> for AppError {
    fn from(error: crate::db::RunError<E>) -> Self {
        use crate::db::RunError;
        match error {
            RunError::Failed(error) => error.into(),
            RunError::Unavailable(error) => AppError::unavailable(error),
            RunError::Cancelled(why) => AppError::internal(why),
            RunError::TimedOut(after) => {
                AppError::unavailable(format!("no answer within {after:?}"))
            }
        }
    }
}

impl<E: Into<AppError>> From<crate::db::RunError<E>> for ApiError {
    fn from(error: crate::db::RunError<E>) -> Self {
        ApiError(error.into())
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        ApiError(error.into())
    }
}

impl From<WriteError> for ApiError {
    fn from(error: WriteError) -> Self {
        ApiError(error.into())
    }
}

impl From<FieldErrors> for ApiError {
    fn from(fields: FieldErrors) -> Self {
        ApiError(fields.into())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let mut response = HttpResponse::build(self.status_code());
        if self.0.code == ErrorCode::Unauthorized {
            response.insert_header((actix_web::http::header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(seconds) = self.0.retry_after {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.0.code,
                message: self.0.message.clone(),
                fields: self
                    .0
                    .fields
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            },
        })
    }
}

/// The largest body any request may carry.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Whether a request is for the JSON API and should be answered in JSON.
pub fn wants_json(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

/// Renders an error the way the request's part of the app expects.
pub fn for_request(req: &HttpRequest, error: AppError) -> actix_web::Error {
    if wants_json(req) {
        ApiError(error).into()
    } else {
        error.into()
    }
}

/// Extractor failures (a malformed body, a non-numeric id) as clear 4xx
/// answers instead of actix's plain-text defaults.
pub mod extractors {
    use actix_web::error::{PathError, QueryPayloadError, UrlencodedError};
    use actix_web::HttpRequest;

    use super::{for_request, AppError};

    pub fn form(error: UrlencodedError, req: &HttpRequest) -> actix_web::Error {
        let refusal = match error {
            UrlencodedError::Overflow { limit, .. } => AppError::too_large(limit / 1024),
            _ => AppError::bad_request(
                "The form could not be read. Please go back and submit it again.",
            ),
        };
        for_request(req, refusal)
    }

    pub fn path(_error: PathError, req: &HttpRequest) -> actix_web::Error {
        for_request(req, AppError::not_found())
    }

    pub fn query(error: QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
        let message = match error {
            QueryPayloadError::Deserialize(e) => {
                format!("The address has a value that is not understood: {e}.")
            }
            _ => "The address has a value that is not understood.".to_owned(),
        };
        for_request(req, AppError::bad_request(message))
    }
}
