//! The stylesheet and the capture page's scripts, each named after its
//! content so browsers may keep it for a year, and the service worker with
//! those names filled in. Pages link them by these paths; `web::assets`
//! serves them.

use std::sync::LazyLock;

pub const STYLESHEET: &str = include_str!("assets/style.css");
pub const CAPTURE_SCRIPT: &str = include_str!("assets/capture.js");
pub const OUTBOX_SCRIPT: &str = include_str!("assets/outbox.js");
const SERVICE_WORKER: &str = include_str!("assets/sw.js");
/// The site's icon, served at `/favicon.ico` (where browsers look first).
pub const ICON: &str = include_str!("assets/icon.svg");

/// FNV-1a: a stable fingerprint of the stylesheet's bytes.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub static STYLESHEET_NAME: LazyLock<String> =
    LazyLock::new(|| format!("style-{:016x}.css", fingerprint(STYLESHEET.as_bytes())));
pub static CAPTURE_SCRIPT_NAME: LazyLock<String> =
    LazyLock::new(|| format!("capture-{:016x}.js", fingerprint(CAPTURE_SCRIPT.as_bytes())));
pub static OUTBOX_SCRIPT_NAME: LazyLock<String> =
    LazyLock::new(|| format!("outbox-{:016x}.js", fingerprint(OUTBOX_SCRIPT.as_bytes())));

/// The service worker with the current file names filled in.
pub static SERVICE_WORKER_SOURCE: LazyLock<String> = LazyLock::new(|| {
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
