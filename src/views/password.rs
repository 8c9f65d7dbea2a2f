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

pub fn reset(ctx: &Ctx, token: &str, problem: Option<&str>) -> Markup {
    page(
        ctx,
        "Set a new password",
        Section::None,
        html! {
            h1 { "Set a new password" }
            form.stacked method="post" action={ "/password/reset/" (token) } {
                (csrf_field(ctx))
                div.field {
                    label for="password" { "New password" }
                    p.hint id="password-hint" { "At least 12 characters; a few words together make a good one." }
                    @if let Some(problem) = problem {
                        p.error id="password-error" { (problem) }
                    }
                    input type="password" id="password" name="password" autocomplete="new-password" required
                        aria-describedby={ "password-hint" @if problem.is_some() { " password-error" } }
                        aria-invalid=[problem.map(|_| "true")];
                }
                div.actions { button type="submit" { "Set the password" } }
            }
        },
    )
}
