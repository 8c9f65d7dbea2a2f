//! Pages for the people in the directory.

use maud::{html, Markup};

use super::{
    checkbox, csrf_field, error_summary, notice, page, pager, query_value, select_field,
    ActiveBadge, Ctx, Section, TextField,
};
use std::collections::HashMap;

use crate::domain::account::Role;
use crate::domain::forms::ListQuery;
use crate::domain::forms::{UserChoices as Choices, UserForm};
use crate::domain::invitation::Invitation;
use crate::domain::paging::Page;
use crate::domain::user::{Link, User};
use crate::domain::FieldErrors;

pub fn list(
    ctx: &Ctx,
    users: &Page<User>,
    invitations: &HashMap<i64, Invitation>,
    query: &ListQuery,
    done: Option<&str>,
) -> Markup {
    let search = query.search().unwrap_or_default();
    let inactive = query.include_inactive();
    let base = format!(
        "/admin/users?q={}{}&",
        query_value(&search),
        if inactive { "&inactive=on" } else { "" }
    );
    let name = |link: &Option<Link>| {
        link.as_ref()
            .map(|l| l.name.clone())
            .unwrap_or_else(|| "—".to_owned())
    };
    page(
        ctx,
        "People",
        Section::Users,
        html! {
            h1 { "People" }
            (notice(done))
            div.actions { a.button href="/admin/users/new" { "Add a person" } }
            form.search method="get" action="/admin/users" role="search" {
                div.field {
                    label for="q" { "Find a person by name or email" }
                    input type="search" id="q" name="q" value=(search);
                }
                (checkbox("inactive", "Include deactivated", inactive))
                button.secondary type="submit" { "Search" }
            }
            div.table-wrap tabindex="0" role="region" aria-label="People" {
                table {
                    caption { "People in name order" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "School" } th scope="col" { "Department" } th scope="col" { "Status" } } }
                    tbody {
                        @for user in &users.items {
                            tr {
                                td { a href={ "/admin/users/" (user.id) "/edit" } { (user.name) } }
                                td { (user.email) }
                                td { (name(&user.school)) }
                                td { (name(&user.department)) }
                                td {
                                    (ActiveBadge(user.active))
                                    @if let Some(invitation) = invitations.get(&user.id) {
                                        br; (invitation.state.label())
                                    }
                                    @if user.active {
                                        (invitation_buttons(ctx, user, invitations.get(&user.id)))
                                    }
                                }
                            }
                        }
                        @if users.items.is_empty() {
                            tr { td colspan="5" { "No people match." } }
                        }
                    }
                }
            }
            (pager(users, &base))
        },
    )
}

fn as_choices(links: &[Link]) -> Vec<(String, String)> {
    links
        .iter()
        .map(|l| (l.id.to_string(), l.name.clone()))
        .collect()
}

/// Send (or send again) and revoke an invitation, for an active person.
fn invitation_buttons(ctx: &Ctx, user: &User, invitation: Option<&Invitation>) -> Markup {
    let open = invitation.is_some_and(|i| i.state.revocable());
    html! {
        div.row-actions {
            form method="post" action={ "/admin/users/" (user.id) "/invitation" } {
                (csrf_field(ctx))
                button.secondary type="submit" aria-label={ (if invitation.is_some() { "Resend invitation to " } else { "Send invitation to " }) (user.name) } {
                    @if invitation.is_some() { "Resend invitation" } @else { "Send invitation" }
                }
            }
            @if open {
                form method="post" action={ "/admin/users/" (user.id) "/invitation/revoke" } {
                    (csrf_field(ctx))
                    button.danger type="submit" aria-label={ "Revoke invitation to " (user.name) } { "Revoke invitation" }
                }
            }
        }
    }
}

/// The form to add a person (`user` is `None`) or edit one.
pub fn form(
    ctx: &Ctx,
    user: Option<&User>,
    invitation: Option<&Invitation>,
    form: &UserForm,
    choices: &Choices,
    errors: &FieldErrors,
) -> Markup {
    let title = match user {
        Some(user) => format!("Edit {}", user.name),
        None => "Add a person".to_owned(),
    };
    let action = match user {
        Some(user) => format!("/admin/users/{}", user.id),
        None => "/admin/users".to_owned(),
    };
    page(
        ctx,
        &title,
        Section::Users,
        html! {
            p { a href="/admin/users" { "← All people" } }
            h1 { (title) }
            (error_summary(errors))
            form.stacked method="post" action=(action) novalidate {
                (csrf_field(ctx))
                (TextField::new("name", "Name", &form.name).autocomplete("off").show(errors))
                (TextField::new("email", "Email", &form.email).kind("email").autocomplete("off").show(errors))
                (select_field("school_id", "School", &form.school_id, &as_choices(&choices.schools), Some("No school"), true, errors))
                (select_field("department_id", "Department", &form.department_id, &as_choices(&choices.departments), Some("No department"), true, errors))
                fieldset {
                    legend { "Roles" }
                    p.hint { "What this person may do; a person may hold several roles." }
                    @for role in Role::ALL {
                        (checkbox(&format!("role_{}", role.as_str()), role.label(), form.has(role)))
                    }
                }
                (checkbox("active", "Active (can sign in and receive email)", form.active.is_some()))
                @if user.is_none() {
                    (checkbox("invite", "Email an invitation (a link that works once, for 7 days)", form.invite.is_some()))
                }
                div.actions { button type="submit" { "Save person" } }
            }
            @if let Some(user) = user {
                h2 { "Status" }
                p { "This person is " (ActiveBadge(user.active)) "." }
                h2 { "Invitation" }
                @match invitation {
                    Some(invitation) => p { (invitation.state.label()) ", " (invitation.created_at.format("%-d %B %Y")) "; the link works until " (invitation.expires_at.format("%-d %B %Y %H:%M")) " UTC." },
                    None => p { "No invitation sent." },
                }
                @if user.active { (invitation_buttons(ctx, user, invitation)) }
                @if user.active {
                    form method="post" action={ "/admin/users/" (user.id) "/deactivate" } {
                        (csrf_field(ctx))
                        button.danger type="submit" { "Deactivate person" }
                    }
                } @else {
                    form method="post" action={ "/admin/users/" (user.id) "/activate" } {
                        (csrf_field(ctx))
                        button.secondary type="submit" { "Reactivate person" }
                    }
                }
            }
        },
    )
}
