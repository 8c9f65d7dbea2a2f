//! The stylesheet and the capture page's script, each served under a name
//! that changes with its content so browsers may keep it for a year.

use std::sync::LazyLock;

use actix_web::{http::header, web, HttpResponse};

use crate::error::AppError;

const STYLESHEET: &str = include_str!("assets/style.css");
const CAPTURE_SCRIPT: &str = include_str!("assets/capture.js");

/// FNV-1a: a stable fingerprint of the stylesheet's bytes.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

static STYLESHEET_NAME: LazyLock<String> =
    LazyLock::new(|| format!("style-{:016x}.css", fingerprint(STYLESHEET.as_bytes())));
static CAPTURE_SCRIPT_NAME: LazyLock<String> =
    LazyLock::new(|| format!("capture-{:016x}.js", fingerprint(CAPTURE_SCRIPT.as_bytes())));

/// The address pages link the stylesheet from.
pub fn stylesheet_path() -> String {
    format!("/static/{}", *STYLESHEET_NAME)
}

/// The address the capture page loads its draft-keeping script from.
pub fn capture_script_path() -> String {
    format!("/static/{}", *CAPTURE_SCRIPT_NAME)
}

pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (content_type, body) = if *name == *STYLESHEET_NAME {
        ("text/css; charset=utf-8", STYLESHEET)
    } else if *name == *CAPTURE_SCRIPT_NAME {
        ("text/javascript; charset=utf-8", CAPTURE_SCRIPT)
    } else {
        return Err(AppError::not_found());
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body))
}
