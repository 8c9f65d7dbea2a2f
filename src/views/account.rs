//! Signing in, and a person's own account page.

use maud::{html, Markup};

use super::{csrf_field, error_summary, Ctx, Section, TextField};
use crate::domain::forms::SignInForm;
use crate::domain::forms::TokenForm;
use crate::domain::read::accounts::{Account, ApiToken};
use crate::domain::FieldErrors;

/// How the district signs people in.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInWays<'a> {
    /// Single sign-on, by the district's name.
    pub sso: Option<&'a str>,
    /// Whether everyone may use a password (else only break-glass
    /// administrators, behind a disclosure).
    pub password_for_everyone: bool,
    /// Right after sign-out: the provider's own sign-out, if it has one.
    pub end_session: Option<&'a str>,
}

/// The sign-in page: with single sign-on first when the district has it,
/// then the password form (folded away when only break-glass
/// administrators use it).
pub fn sign_in(ctx: &Ctx, form: &SignInForm, problem: Option<&str>, ways: SignInWays) -> Markup {
    let sso = ways.sso;
    let none = FieldErrors::new();
    super::page(
        ctx,
        "Sign in",
        Section::None,
        html! {
            h1 { "Sign in" }
            @if let Some(problem) = problem {
                div.error-summary role="alert" { p { (problem) } }
            }
            @if let (Some(district), Some(end)) = (sso, ways.end_session) {
                div.notice role="status" {
                    p { "You are signed out of campus-visits. "
                        a href=(end) { "Also sign out of " (district) } }
                }
            }
            @if let Some(district) = sso {
                p {
                    a.button href={ "/sign-in/sso?next=" (percent_encoding::utf8_percent_encode(&form.next, percent_encoding::NON_ALPHANUMERIC)) } {
                        "Sign in with " (district)
                    }
                }
                @if ways.password_for_everyone { h2 { "Or with a password" } }
            }
            @let password_form = html! {
                form.stacked method="post" action="/sign-in" {
                    (csrf_field(ctx))
                    input type="hidden" name="next" value=(form.next);
                    (TextField::new("email", "Email", &form.email).kind("email").autocomplete("username").show(&none))
                    (TextField::new("password", "Password", "").kind("password").autocomplete("current-password").show(&none))
                    div.actions { button type="submit" { "Sign in" } }
                }
            };
            @if ways.password_for_everyone {
                (password_form)
                p { a href="/password/forgot" { "Forgot your password?" } }
            } @else {
                details {
                    summary { "Administrators: sign in with a password when the district's sign-in is down" }
                    (password_form)
                }
            }
        },
    )
}

fn when(at: &chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The account page; `new_token` is shown once, right after it is made.
pub fn page(
    ctx: &Ctx,
    account: &Account,
    tokens: &[ApiToken],
    new_token: Option<&str>,
    form: &TokenForm,
    errors: &FieldErrors,
) -> Markup {
    super::page(
        ctx,
        "Your account",
        Section::Account,
        html! {
            h1 { "Your account" }
            dl {
                dt { "Name" } dd { (account.name) }
                dt { "Email" } dd { (account.email) }
                dt { "Roles" }
                dd {
                    @if account.roles.is_empty() { "None yet: ask an administrator." }
                    @else { (account.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")) }
                }
            }
            h2 { "Sessions" }
            p.hint { "Signing out ends this session on every server. If you signed in on a device you no longer have, end every session of yours at once." }
            form.inline method="post" action="/account/sign-out-everywhere" {
                (csrf_field(ctx))
                button.secondary type="submit" { "Sign out everywhere" }
            }
            h2 { "Calendar" }
            p.hint { "A private link that calendar apps (Outlook, Google, Apple) subscribe to, listing your visits. Anyone with the link can read it; making a new one stops the old." }
            form.inline method="post" action="/account/calendar" {
                (csrf_field(ctx))
                button.secondary type="submit" { "Make a calendar link" }
            }
            h2 { "API tokens" }
            p.hint { "A token lets a script use the JSON API with exactly your rights. Send it as "
                code { "Authorization: Bearer <token>" } "." }
            @if let Some(secret) = new_token {
                div.notice role="status" {
                    p { strong { "Copy this token now: it is shown only once." } }
                    p.secret { (secret) }
                }
            }
            (error_summary(errors))
            form.stacked method="post" action="/account/tokens" {
                (csrf_field(ctx))
                (TextField::new("name", "Token name", &form.name).hint("What will use it, e.g. \"nightly export\".").autocomplete("off").show(errors))
                div.actions { button type="submit" { "Create a token" } }
            }
            @if !tokens.is_empty() {
                div.table-wrap tabindex="0" role="region" aria-label="API tokens" {
                    table {
                        caption { "Your tokens, newest first" }
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Created" } th scope="col" { "Last used" } th scope="col" { "Status" } } }
                        tbody {
                            @for token in tokens {
                                tr {
                                    td { (token.name) }
                                    td { (when(&token.created_at)) }
                                    td { (token.last_used_at.as_ref().map(when).unwrap_or_else(|| "Never".to_owned())) }
                                    td {
                                        @if let Some(revoked) = &token.revoked_at {
                                            "Revoked " (when(revoked))
                                        } @else {
                                            form.inline method="post" action={ "/account/tokens/" (token.id) "/revoke" } {
                                                (csrf_field(ctx))
                                                button.secondary type="submit" aria-label={ "Revoke the token " (token.name) } { "Revoke" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The new calendar link, shown once.
pub fn calendar_link(ctx: &Ctx, link: &str) -> Markup {
    super::page(
        ctx,
        "Your calendar link",
        Section::Account,
        html! {
            h1 { "Your calendar link" }
            div.notice role="status" {
                p { strong { "Copy this link now: it is shown only once." } " Subscribe to it in your calendar app." }
                p.secret { (link) }
            }
            p { a href="/account" { "Back to your account" } }
        },
    )
}
