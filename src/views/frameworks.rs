//! Pages for look-for frameworks.

use maud::{html, Markup};

use super::{csrf_field, error_summary, page, select_field, Ctx, Section, TextField};
use crate::domain::forms::ImportForm;
use crate::domain::framework::Problem;
use crate::domain::read::frameworks::{Framework, Summary};
use crate::domain::FieldErrors;

fn state(frozen: bool) -> Markup {
    html! {
        @if frozen { span.status.inactive { "Frozen: in use" } } @else { span.status.active { "Editable" } }
    }
}

pub fn list(ctx: &Ctx, frameworks: &[Summary]) -> Markup {
    page(
        ctx,
        "Look-for frameworks",
        Section::Frameworks,
        html! {
            h1 { "Look-for frameworks" }
            p.lede { "A framework is editable (by importing the same version again) until an observation uses it; then it is frozen, and a change becomes a new version." }
            div.actions { a.button href="/admin/frameworks/import" { "Import a framework" } }
            div.table-wrap tabindex="0" role="region" aria-label="Look-for frameworks" {
                table {
                    caption { "Frameworks by name, newest version first" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Version" } th scope="col" { "Look-fors" } th scope="col" { "State" } } }
                    tbody {
                        @for f in frameworks {
                            tr {
                                td { a href={ "/admin/frameworks/" (f.id) } { (f.name) } }
                                td { (f.version) }
                                td { (f.indicators) }
                                td { (state(f.frozen)) }
                            }
                        }
                        @if frameworks.is_empty() { tr { td colspan="4" { "No frameworks yet." } } }
                    }
                }
            }
        },
    )
}

pub fn show(ctx: &Ctx, framework: &Framework, done: Option<&str>) -> Markup {
    let title = format!("{} (version {})", framework.name, framework.version);
    page(
        ctx,
        &title,
        Section::Frameworks,
        html! {
            p { a href="/admin/frameworks" { "← All frameworks" } }
            h1 { (title) }
            (super::notice(done))
            p { (state(framework.frozen)) }
            div.actions {
                a.button.secondary href={ "/admin/frameworks/" (framework.id) "/export.json" } { "Export JSON" }
                a.button.secondary href={ "/admin/frameworks/" (framework.id) "/export.csv" } { "Export CSV" }
                form.inline method="post" action={ "/admin/frameworks/" (framework.id) "/new-version" } {
                    (csrf_field(ctx))
                    button.secondary type="submit" { "Copy as a new version" }
                }
            }
            @for domain in &framework.domains {
                h2 { (domain.name) }
                div.table-wrap tabindex="0" role="region" aria-label=(domain.name) {
                    table {
                        thead { tr { th scope="col" { "Code" } th scope="col" { "Look-for" } th scope="col" { "Owning department" } } }
                        tbody {
                            @for indicator in &domain.indicators {
                                tr {
                                    td { (indicator.code) }
                                    td {
                                        strong { (indicator.title) }
                                        @if let Some(description) = &indicator.description { br; (description) }
                                        @if let Some(entry_point) = &indicator.entry_point { br; span.entry-point { "Entry point for teachers: " (entry_point) } }
                                    }
                                    td { (indicator.department.as_ref().map(|d| d.name.as_str()).unwrap_or("—")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn import(ctx: &Ctx, form: &ImportForm, errors: &FieldErrors, problems: &[Problem]) -> Markup {
    let formats = [
        ("json".to_owned(), "JSON".to_owned()),
        ("csv".to_owned(), "CSV".to_owned()),
    ];
    page(
        ctx,
        "Import a framework",
        Section::Frameworks,
        html! {
            p { a href="/admin/frameworks" { "← All frameworks" } }
            h1 { "Import a framework" }
            (error_summary(errors))
            @if !problems.is_empty() {
                div.error-summary role="alert" {
                    h2 { (super::count(problems.len(), "problem", "problems")) " in the file; nothing was imported" }
                    ul { @for problem in problems { li { code { (problem.place) } ": " (problem.message) } } }
                }
            }
            form.stacked method="post" action="/admin/frameworks/import" novalidate {
                (csrf_field(ctx))
                (select_field("format", "Format", &form.format, &formats, None, false, errors))
                (TextField::new("name", "Name (CSV only)", &form.name).optional().hint("A JSON file carries its own name and version.").show(errors))
                (TextField::new("version", "Version (CSV only)", &form.version).optional().hint("As your district names it: 2026.1, 2026-27 or 3.").show(errors))
                div.field.invalid[errors.get("content").is_some()] {
                    label for="content" { "The file's contents" }
                    p.hint id="content-hint" {
                        "JSON: {\"name\", \"version\", \"domains\": [{\"name\", \"indicators\": [{\"code\", \"title\", \"description\", \"department\", \"entry_point\"}]}]}. "
                        "CSV: the columns domain,code,title,description,department,entry_point (entry_point may be left out). A department, if given, must already exist."
                    }
                    @if let Some(error) = errors.get("content") { p.error-message id="content-error" { (error) } }
                    textarea id="content" name="content" rows="14" aria-describedby="content-hint" { (form.content) }
                }
                div.actions { button type="submit" { "Import" } }
            }
        },
    )
}
