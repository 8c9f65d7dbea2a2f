//! Pages for the district's schools.

use maud::{html, Markup};

use super::{
    checkbox, csrf_field, error_summary, notice, page, pager, query_value, select_field,
    ActiveBadge, Ctx, Section, TextField,
};
use crate::domain::forms::ListQuery;
use crate::domain::forms::SchoolForm;
use crate::domain::paging::Page;
use crate::domain::school::{School, SchoolLevel};
use crate::domain::FieldErrors;

pub fn list(ctx: &Ctx, schools: &Page<School>, query: &ListQuery, done: Option<&str>) -> Markup {
    let search = query.search().unwrap_or_default();
    let inactive = query.include_inactive();
    let base = format!(
        "/admin/schools?q={}{}&",
        query_value(&search),
        if inactive { "&inactive=on" } else { "" }
    );
    page(
        ctx,
        "Schools",
        Section::Schools,
        html! {
            h1 { "Schools" }
            (notice(done))
            div.actions { a.button href="/admin/schools/new" { "Add a school" } }
            form.search method="get" action="/admin/schools" role="search" {
                div.field {
                    label for="q" { "Find a school by name or code" }
                    input type="search" id="q" name="q" value=(search);
                }
                (checkbox("inactive", "Include deactivated", inactive))
                button.secondary type="submit" { "Search" }
            }
            div.table-wrap tabindex="0" role="region" aria-label="Schools" {
                table {
                    caption { "Schools in name order" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Code" } th scope="col" { "Level" } th scope="col" { "Status" } } }
                    tbody {
                        @for school in &schools.items {
                            tr {
                                td { a href={ "/admin/schools/" (school.id) "/edit" } { (school.name) } }
                                td { (school.code) }
                                td { (school.level) }
                                td { (ActiveBadge(school.active)) }
                            }
                        }
                        @if schools.items.is_empty() {
                            tr { td colspan="4" { "No schools match." } }
                        }
                    }
                }
            }
            (pager(schools, &base))
        },
    )
}

/// The form to add a school (`school` is `None`) or edit one.
pub fn form(ctx: &Ctx, school: Option<&School>, form: &SchoolForm, errors: &FieldErrors) -> Markup {
    let title = match school {
        Some(school) => format!("Edit {}", school.name),
        None => "Add a school".to_owned(),
    };
    let action = match school {
        Some(school) => format!("/admin/schools/{}", school.id),
        None => "/admin/schools".to_owned(),
    };
    let levels: Vec<(String, String)> = SchoolLevel::ALL
        .iter()
        .map(|l| (l.as_str().to_owned(), l.label().to_owned()))
        .collect();
    page(
        ctx,
        &title,
        Section::Schools,
        html! {
            p { a href="/admin/schools" { "← All schools" } }
            h1 { (title) }
            (error_summary(errors))
            form.stacked method="post" action=(action) novalidate {
                (csrf_field(ctx))
                (TextField::new("name", "Name", &form.name).autocomplete("off").show(errors))
                (TextField::new("code", "Code", &form.code).hint("The district's short code: letters, digits, '-' and '_'.").autocomplete("off").show(errors))
                (select_field("level", "Level", &form.level, &levels, Some("Choose a level"), false, errors))
                (TextField::new("program", "Program", &form.program).optional().hint("The district's program for the campus, such as Title I or Dual language.").autocomplete("off").show(errors))
                (checkbox("active", "Active (shown in lists and plans)", form.active.is_some()))
                div.actions { button type="submit" { "Save school" } }
            }
            @if let Some(school) = school {
                h2 { "Status" }
                p { "This school is " (ActiveBadge(school.active)) "." }
                @if school.active {
                    form method="post" action={ "/admin/schools/" (school.id) "/deactivate" } {
                        (csrf_field(ctx))
                        p.hint { "A deactivated school keeps its history but leaves lists and visit plans." }
                        button.danger type="submit" { "Deactivate school" }
                    }
                } @else {
                    form method="post" action={ "/admin/schools/" (school.id) "/activate" } {
                        (csrf_field(ctx))
                        button.secondary type="submit" { "Reactivate school" }
                    }
                }
                h2 #delete { "Delete this campus" }
                form.stacked method="post" action={ "/admin/schools/" (school.id) "/delete" } novalidate {
                    (csrf_field(ctx))
                    p.hint { "Deletes the campus with every visit, observation, debrief and action item of it, for good. Export them first if they may be needed. People of the campus stay, without a campus. The audit log records the deletion." }
                    (TextField::new("confirm", "Type the campus's code to confirm", "").autocomplete("off").show(errors))
                    button.danger type="submit" { "Delete campus and its records" }
                }
            }
        },
    )
}
