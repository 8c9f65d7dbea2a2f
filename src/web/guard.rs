//! The first look at every request: its address, its query string and its
//! form body hold plain text only (`domain::fields::plain_text`), and a body
//! is never larger than `error::BODY_LIMIT`. What is refused here is
//! refused the same on both engines, with the field named, before any
//! handler or query sees it. JSON bodies are checked where the API parses
//! them (`web::api::JsonBody::parse`), after the access check.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::BytesMut;
use actix_web::HttpMessage;
use futures_util::StreamExt;

use crate::domain::fields::plain_text;
use crate::domain::FieldErrors;
use crate::error::{self, AppError, ErrorCode, BODY_LIMIT};

/// The first control character of the pairs of `encoded` (a query string
/// or a form body), as the field errors to answer with.
pub fn check_pairs(encoded: &[u8]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (name, value) in form_urlencoded::parse(encoded) {
        match plain_text(&name) {
            Err(message) => errors.add("field name", message),
            Ok(()) => {
                if let Err(message) = plain_text(&value) {
                    errors.add(&name, message);
                }
            }
        }
    }
    errors
}

/// The first control character of a JSON value, as (where, why): `where`
/// is the path of the field (`notes`, `ticks.LF-1`, `problems[2].description`).
pub fn check_json(value: &serde_json::Value, at: &str) -> Option<(String, String)> {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    match value {
        serde_json::Value::String(text) => plain_text(text).err().map(|why| (at.to_owned(), why)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| check_json(item, &format!("{at}[{i}]"))),
        serde_json::Value::Object(fields) => {
            fields.iter().find_map(|(key, item)| match plain_text(key) {
                Err(why) => Some((join("(a field name)"), why)),
                Ok(()) => check_json(item, &join(key)),
            })
        }
        _ => None,
    }
}

fn refusal(fields: FieldErrors, code: ErrorCode, what: &str) -> AppError {
    let (field, why) = fields
        .iter()
        .next()
        .map(|(f, m)| (f.to_owned(), m.to_owned()))
        .unwrap_or_default();
    let message = format!("The {what} field \u{201c}{field}\u{201d} cannot be accepted: {why}");
    AppError::new(code, message).with_fields(fields)
}

fn is_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

pub async fn plain_text_only(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refuse = |req: ServiceRequest, refusal: AppError| {
        let response = error::for_request(req.request(), refusal).error_response();
        Ok(req.into_response(response).map_into_right_body())
    };
    let path = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    if let Err(why) = plain_text(&path) {
        return refuse(
            req,
            AppError::bad_request(format!("The address cannot be read: {why}")),
        );
    }
    let query = check_pairs(req.query_string().as_bytes());
    if !query.is_empty() {
        return refuse(req, refusal(query, ErrorCode::BadRequest, "address's"));
    }
    if is_form(&req) {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let Ok(chunk) = chunk else {
                return refuse(
                    req,
                    AppError::bad_request("The form could not be read whole."),
                );
            };
            if body.len() + chunk.len() > BODY_LIMIT {
                return refuse(req, AppError::too_large(BODY_LIMIT / 1024));
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        let fields = check_pairs(&body);
        if !fields.is_empty() {
            return refuse(req, refusal(fields, ErrorCode::ValidationFailed, "form's"));
        }
        // Hand the body on unchanged.
        let (_, mut replay) = actix_http::h1::Payload::create(true);
        replay.unread_data(body);
        req.set_payload(replay.into());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_name_the_field_with_a_control_character() {
        assert!(check_pairs(b"email=a%40x.org&notes=line%0D%0Aline%09tab").is_empty());
        let errors = check_pairs(b"csrf_token=t&strengths=a%00b");
        assert!(errors
            .get("strengths")
            .is_some_and(|m| m.contains("U+0000")));
        assert!(check_pairs(b"a%1Bb=1").get("field name").is_some());
    }

    #[test]
    fn json_names_the_path_of_the_field() {
        let body = serde_json::json!({
            "notes": "fine\nlines",
            "ticks": { "LF-1": "yes" },
            "problems": [{ "description": "ok" }, { "description": "\u{1b}" }],
        });
        let found = check_json(&body, "");
        assert_eq!(
            found.map(|(at, _)| at),
            Some("problems[1].description".to_owned())
        );
        let ticks = serde_json::json!({ "ticks": { "LF-2": "n\u{0}o" } });
        assert_eq!(
            check_json(&ticks, "").map(|(at, _)| at),
            Some("ticks.LF-2".to_owned())
        );
        assert_eq!(
            check_json(&serde_json::json!({"a": [1, true, null, "x"]}), ""),
            None
        );
    }
}
