//! CSRF protection for every state-changing request. A request that changes
//! state (anything but GET, HEAD, OPTIONS) must either carry an API token
//! (`Authorization: Bearer`, which a cross-site form cannot send and which
//! ignores cookies), or echo the session's CSRF token: in the form field
//! `csrf_token`, or in the `X-CSRF-Token` header (for scripts; a cross-site
//! form cannot set headers). Everything else is refused with 403 before any
//! handler runs, so a new route cannot forget the check.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpMessage;
use futures_util::StreamExt;

use super::{constant_time_eq, session};
use crate::error::{self, AppError};

/// The form field that carries the token.
pub const FIELD: &str = crate::domain::forms::CSRF_FIELD;
/// The header that carries the token for scripts.
pub const HEADER: &str = "x-csrf-token";

/// Requests under this prefix carry a signed link that is their own
/// authority (One-Click unsubscribe, RFC 8058, posted by mail programs that
/// have no session): they are exempt from the token check.
pub const EXEMPT_PREFIX: &str = "/unsubscribe/";

pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // Only these methods change anything (no route takes another); the
    // rest (GET, HEAD, OPTIONS, TRACE…) pass on, to an answer or a 405.
    if !matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) || req.headers().contains_key(header::AUTHORIZATION)
        || req.path().starts_with(EXEMPT_PREFIX)
    {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    // Refusals are answered here as responses (not errors), so the outer
    // middleware still adds the security headers to them.
    let refuse = |req: ServiceRequest, error: actix_web::Error| {
        let response = error.error_response();
        Ok(req.into_response(response).map_into_right_body())
    };
    let state = session::read(&req.get_session());
    // An API call with neither a token nor a signed-in session carries no
    // ambient authority to forge: let it through to be refused with 401
    // and `WWW-Authenticate: Bearer`, as a missing credential is.
    if req.path().starts_with("/api/") && state.as_ref().is_none_or(|s| s.user_id.is_none()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let expected = state.map(|s| s.csrf);
    let presented = match req.headers().get(HEADER) {
        Some(value) => Some(value.to_str().unwrap_or("").to_owned()),
        None if is_form(&req) => {
            let body = match read_body(&mut req).await {
                Ok(body) => body,
                Err(error) => return refuse(req, error),
            };
            let token = form_urlencoded::parse(&body)
                .find(|(name, _)| name == FIELD)
                .map(|(_, value)| value.into_owned());
            // Hand the body on to the handler unchanged.
            let (_, mut payload) = actix_http::h1::Payload::create(true);
            payload.unread_data(body);
            req.set_payload(payload.into());
            token
        }
        None => None,
    };
    let valid = matches!((&expected, &presented), (Some(e), Some(p)) if constant_time_eq(e.as_bytes(), p.as_bytes()));
    if !valid {
        let refusal = AppError::forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.",
        );
        let error = error::for_request(req.request(), refusal);
        return refuse(req, error);
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn is_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, actix_web::Error> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > error::BODY_LIMIT {
            return Err(error::for_request(
                req.request(),
                AppError::too_large(error::BODY_LIMIT / 1024),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
