//! Serves the fingerprinted stylesheet and scripts of `views::assets` for a
//! year, and the service worker, which must keep one address and is always
//! revalidated.

use actix_web::{http::header, web, HttpResponse};

use crate::error::AppError;
use crate::views::assets::{
    CAPTURE_SCRIPT, CAPTURE_SCRIPT_NAME, OUTBOX_SCRIPT, OUTBOX_SCRIPT_NAME, SERVICE_WORKER_SOURCE,
    STYLESHEET, STYLESHEET_NAME,
};

/// `/sw.js`: at the root so that it may serve the capture pages.
/// The site's icon, for the browser's tab and bookmarks.
pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .body(crate::views::assets::ICON)
}

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
