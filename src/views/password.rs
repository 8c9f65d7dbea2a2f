//! Asking for a password reset link, and setting the new password.

use maud::{html, Markup};

use super::{csrf_field, page, Ctx, Section};

pub fn forgot(ctx: &Ctx, sent: bool) -> Markup {
    page(
        ctx,
        "Forgot your password?",
        Section::None,
        html! {
            h1 { "Forgot your password?" }
            @if sent {
                p role="status" { "If an account uses that address, a link to set a new password is on its way. It works once, for one hour." }
                p { a href="/sign-in" { "Back to sign in" } }
            } @else {
                p { "Enter the address you sign in with; we will email you a link to set a new password." }
                form.stacked method="post" action="/password/forgot" {
                    (csrf_field(ctx))
                    div.field {
                        label for="email" { "Email address" }
                        input type="email" id="email" name="email" autocomplete="email" required;
                    }
                    div.actions { button type="submit" { "Email me a link" } }
                }
            }
        },
    )
}

/// The field for a password being chosen, with its rule and its problem.
fn new_password_field(label: &str, problem: Option<&str>) -> Markup {
    html! {
        div.field {
            label for="password" { (label) }
            p.hint id="password-hint" { "At least 12 characters; a few words together make a good one." }
            @if let Some(problem) = problem {
                p.error id="password-error" { (problem) }
            }
            input type="password" id="password" name="password" autocomplete="new-password" required
                aria-describedby={ "password-hint" @if problem.is_some() { " password-error" } }
                aria-invalid=[problem.map(|_| "true")];
        }
    }
}

pub fn reset(ctx: &Ctx, token: &str, problem: Option<&str>) -> Markup {
    page(
        ctx,
        "Set a new password",
        Section::None,
        html! {
            h1 { "Set a new password" }
            form.stacked method="post" action={ "/password/reset/" (token) } {
                (csrf_field(ctx))
                (new_password_field("New password", problem))
                div.actions { button type="submit" { "Set the password" } }
            }
        },
    )
}

/// The page an invitation link opens: set a password (when the district
/// lets this person sign in with one) and, with single sign-on, a button to
/// sign in with the district's provider (`sso`, its name).
pub fn invitation(
    ctx: &Ctx,
    token: &str,
    name: &str,
    password: bool,
    sso: Option<&str>,
    problem: Option<&str>,
) -> Markup {
    let action = format!("/invitations/{token}");
    page(
        ctx,
        "Accept your invitation",
        Section::None,
        html! {
            h1 { "Welcome, " (name) }
            @if let Some(district) = sso {
                p { "Sign in with your " (district) " account; this link then stops working." }
                form method="post" action=(action) {
                    (csrf_field(ctx))
                    input type="hidden" name="with" value="sso";
                    div.actions { button type="submit" { "Sign in with " (district) } }
                }
            }
            @if password {
                @if sso.is_some() { h2 { "Or set a password" } } @else { p { "Choose a password to finish setting up your account." } }
                form.stacked method="post" action=(action) {
                    (csrf_field(ctx))
                    (new_password_field("Password", problem))
                    div.actions { button type="submit" { "Set the password" } }
                }
            }
        },
    )
}
