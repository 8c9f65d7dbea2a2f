//! A baseline page for benchmarks only (the `bench` feature): one query and
//! a plain maud table of its rows, no layout and no sign-in, in the manner
//! of TechEmpower's "Fortunes". Real pages are measured against it.

use actix_web::web;
use maud::{html, Markup, DOCTYPE};

use crate::db::{self, Db};
use crate::domain::paging::PageRequest;
use crate::error::AppError;

pub async fn baseline(db: web::Data<Db>) -> Result<Markup, AppError> {
    let page = db
        .run(|conn| {
            db::schools::list(
                conn,
                &db::schools::Filter::default(),
                PageRequest::new(None, None),
            )
        })
        .await?;
    Ok(html! {
        (DOCTYPE)
        html { head { title { "Baseline" } } body { table {
            tr { th { "id" } th { "name" } }
            @for school in &page.items { tr { td { (school.id) } td { (school.name) } } }
        } } }
    })
}
