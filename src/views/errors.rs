//! Error pages: what went wrong, in plain words, and a way back.

use actix_web::http::StatusCode;
use maud::{html, Markup};

use super::Section;

pub fn page(status: StatusCode, message: &str) -> Markup {
    let title = status.canonical_reason().unwrap_or("Error");
    super::page(
        &super::Ctx::default(),
        title,
        Section::None,
        html! {
            h1 { (title) }
            p { (message) }
            p { a href="/" { "Go to the start page" } }
        },
    )
}
