//! Pages for central-office departments.

use maud::{html, Markup};

use super::{
    checkbox, csrf_field, error_summary, notice, page, pager, ActiveBadge, Ctx, Section, TextField,
};
use crate::domain::department::Department;
use crate::domain::forms::DepartmentForm;
use crate::domain::paging::Page;
use crate::domain::FieldErrors;

pub fn list(
    ctx: &Ctx,
    departments: &Page<Department>,
    include_inactive: bool,
    done: Option<&str>,
) -> Markup {
    let base = if include_inactive {
        "/admin/departments?inactive=on&"
    } else {
        "/admin/departments?"
    };
    page(
        ctx,
        "Departments",
        Section::Departments,
        html! {
            h1 { "Departments" }
            (notice(done))
            div.actions {
                a.button href="/admin/departments/new" { "Add a department" }
                @if include_inactive {
                    a.button.secondary href="/admin/departments" { "Hide deactivated" }
                } @else {
                    a.button.secondary href="/admin/departments?inactive=on" { "Show deactivated" }
                }
            }
            div.table-wrap tabindex="0" role="region" aria-label="Departments" {
                table {
                    caption { "Departments in name order" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Contact email" } th scope="col" { "Status" } } }
                    tbody {
                        @for department in &departments.items {
                            tr {
                                td { a href={ "/admin/departments/" (department.id) "/edit" } { (department.name) } }
                                td { (department.contact_email.as_deref().unwrap_or("—")) }
                                td { (ActiveBadge(department.active)) }
                            }
                        }
                        @if departments.items.is_empty() {
                            tr { td colspan="3" { "No departments yet." } }
                        }
                    }
                }
            }
            (pager(departments, base))
        },
    )
}

/// The form to add a department (`department` is `None`) or edit one.
pub fn form(
    ctx: &Ctx,
    department: Option<&Department>,
    form: &DepartmentForm,
    errors: &FieldErrors,
) -> Markup {
    let title = match department {
        Some(department) => format!("Edit {}", department.name),
        None => "Add a department".to_owned(),
    };
    let action = match department {
        Some(department) => format!("/admin/departments/{}", department.id),
        None => "/admin/departments".to_owned(),
    };
    page(
        ctx,
        &title,
        Section::Departments,
        html! {
            p { a href="/admin/departments" { "← All departments" } }
            h1 { (title) }
            (error_summary(errors))
            form.stacked method="post" action=(action) novalidate {
                (csrf_field(ctx))
                (TextField::new("name", "Name", &form.name).autocomplete("off").show(errors))
                (TextField::new("contact_email", "Contact email", &form.contact_email).kind("email").optional()
                    .hint("Where the department's visit summaries go, besides its head.").autocomplete("off").show(errors))
                (checkbox("active", "Active (can visit and own action items)", form.active.is_some()))
                div.actions { button type="submit" { "Save department" } }
            }
            @if let Some(department) = department {
                h2 { "Status" }
                p { "This department is " (ActiveBadge(department.active)) "." }
                @if department.active {
                    form method="post" action={ "/admin/departments/" (department.id) "/deactivate" } {
                        (csrf_field(ctx))
                        button.danger type="submit" { "Deactivate department" }
                    }
                } @else {
                    form method="post" action={ "/admin/departments/" (department.id) "/activate" } {
                        (csrf_field(ctx))
                        button.secondary type="submit" { "Reactivate department" }
                    }
                }
            }
        },
    )
}
