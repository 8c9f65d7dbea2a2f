//! The stylesheet and the capture page's scripts, each served under a name
//! that changes with its content so browsers may keep it for a year; and the
//! service worker, which must keep one address and is always revalidated.

use std::sync::LazyLock;

use actix_web::{http::header, web, HttpResponse};

use crate::error::AppError;

const STYLESHEET: &str = include_str!("assets/style.css");
const CAPTURE_SCRIPT: &str = include_str!("assets/capture.js");
const OUTBOX_SCRIPT: &str = include_str!("assets/outbox.js");
const SERVICE_WORKER: &str = include_str!("assets/sw.js");

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
static OUTBOX_SCRIPT_NAME: LazyLock<String> =
    LazyLock::new(|| format!("outbox-{:016x}.js", fingerprint(OUTBOX_SCRIPT.as_bytes())));

/// The service worker with the current file names filled in.
static SERVICE_WORKER_SOURCE: LazyLock<String> = LazyLock::new(|| {
    let files = [
        stylesheet_path(),
        capture_script_path(),
        outbox_script_path(),
    ];
    let version = fingerprint(files.concat().as_bytes());
    SERVICE_WORKER
        .replace("__VERSION__", &format!("{version:016x}"))
        .replace(
            "__FILES__",
            &serde_json::to_string(&files).unwrap_or_else(|_| "[]".to_owned()),
        )
        .replace(
            "__OUTBOX__",
            &serde_json::to_string(&outbox_script_path()).unwrap_or_default(),
        )
});

/// The address pages link the stylesheet from.
pub fn stylesheet_path() -> String {
    format!("/static/{}", *STYLESHEET_NAME)
}

/// The address the capture page loads its draft-keeping script from.
pub fn capture_script_path() -> String {
    format!("/static/{}", *CAPTURE_SCRIPT_NAME)
}

/// The address the capture page and the service worker load the outbox from.
pub fn outbox_script_path() -> String {
    format!("/static/{}", *OUTBOX_SCRIPT_NAME)
}

/// `/sw.js`: at the root so that it may serve the capture pages.
pub async fn service_worker() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(SERVICE_WORKER_SOURCE.as_str())
}

pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (content_type, body) = if *name == *STYLESHEET_NAME {
        ("text/css; charset=utf-8", STYLESHEET)
    } else if *name == *CAPTURE_SCRIPT_NAME {
        ("text/javascript; charset=utf-8", CAPTURE_SCRIPT)
    } else if *name == *OUTBOX_SCRIPT_NAME {
        ("text/javascript; charset=utf-8", OUTBOX_SCRIPT)
    } else {
        return Err(AppError::not_found());
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body))
}
