//! The start page.

use maud::{html, Markup};

use super::{page, Ctx, Section};

/// How much of the directory is filled in, for the start page.
pub struct Counts {
    pub schools: i64,
    pub departments: i64,
    pub users: i64,
}

pub fn home(ctx: &Ctx, counts: &Counts) -> Markup {
    page(
        ctx,
        "Start",
        Section::Home,
        html! {
            h1 { "campus-visits" }
            p.lede { "Communities of Practice visits: the district's directory of campuses, departments and people." }
            ul.cards {
                li { h2 { a href="/admin/schools" { "Schools" } } p { (counts.schools) " active campuses" } }
                li { h2 { a href="/admin/departments" { "Departments" } } p { (counts.departments) " central-office departments" } }
                li { h2 { a href="/admin/users" { "People" } } p { (counts.users) " active people" } }
            }
        },
    )
}
