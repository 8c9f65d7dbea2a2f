//! The outbox page: messages waiting or failed, with reasons.

use maud::{html, Markup};

use super::{csrf_field, page, Ctx, Section};
use crate::domain::read::outbox::Listed;

/// What each status means to the reader.
fn status_label(status: &str) -> &'static str {
    match status {
        "waiting" => "Waiting",
        "sent" => "Sent",
        _ => "Failed",
    }
}

pub fn list(ctx: &Ctx, messages: &[Listed], showing: &str, done: Option<&str>) -> Markup {
    let choices = [
        ("", "Waiting and failed"),
        ("waiting", "Waiting"),
        ("failed", "Failed"),
        ("sent", "Sent"),
    ];
    page(
        ctx,
        "Email",
        Section::Mail,
        html! {
            h1 { "Email" }
            p.lede { "Messages waiting to be sent and messages the mail server refused, newest first. Times are UTC. Waiting messages are retried by themselves; a failed one goes again only when you retry it." }
            @if let Some(done) = done { p.notice role="status" { (done) } }
            form.search method="get" action="/admin/mail" {
                div.field {
                    label for="status" { "Show" }
                    select id="status" name="status" {
                        @for (value, label) in choices {
                            option value=(value) selected[showing == value] { (label) }
                        }
                    }
                }
                button.secondary type="submit" { "Show" }
            }
            @if messages.is_empty() { p { "No messages." } }
            @else {
                div.table-wrap tabindex="0" role="region" aria-label="Messages" {
                    table {
                        caption { (super::count(messages.len(), "message", "messages")) }
                        thead { tr {
                            th scope="col" { "Written (UTC)" } th scope="col" { "To" } th scope="col" { "Subject" }
                            th scope="col" { "Status" } th scope="col" { "Tries" } th scope="col" { "Next try / reason" }
                            th scope="col" { span.visually-hidden { "Action" } }
                        } }
                        tbody {
                            @for message in messages {
                                tr {
                                    td { (message.created_at.format("%Y-%m-%d %H:%M")) }
                                    td { (message.recipient) }
                                    td { (message.subject) br; span.hint { (message.kind) } }
                                    td { span class={ "status mail-" (message.status) } { (status_label(&message.status)) } }
                                    td { (message.attempts) }
                                    td {
                                        @if message.status == "waiting" { "Next try " (message.next_attempt_at.format("%Y-%m-%d %H:%M")) }
                                        @if message.status == "sent" { @if let Some(at) = message.sent_at { "Sent " (at.format("%Y-%m-%d %H:%M")) } }
                                        // A sent message's earlier failure is history, not a problem.
                                        @if !message.last_error.is_empty() && message.status != "sent" { @if message.status == "waiting" { br; } (message.last_error) }
                                    }
                                    td {
                                        @if message.status == "failed" {
                                            form.inline method="post" action={ "/admin/mail/" (message.id) "/retry" } {
                                                (csrf_field(ctx))
                                                button.secondary type="submit" aria-label={ "Retry the message to " (message.recipient) } { "Retry" }
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

/// A person's email choices.
pub fn preferences(ctx: &Ctx, off: &[String], saved: bool) -> Markup {
    page(
        ctx,
        "Email I receive",
        Section::Account,
        html! {
            h1 { "Email I receive" }
            @if saved { p.notice role="status" { "Your choices were saved." } }
            form.stacked method="post" action="/account/mail" {
                (csrf_field(ctx))
                fieldset {
                    legend { "Send me" }
                    @for (kind, label) in crate::domain::read::outbox::KINDS {
                        (super::checkbox(kind, label, !off.iter().any(|k| k == kind)))
                    }
                }
                div.actions { button type="submit" { "Save my choices" } }
            }
        },
    )
}

/// The unsubscribe page: a question with a button, then the answer.
pub fn unsubscribe(kind: &str, action: String, done: bool) -> Markup {
    let label = crate::domain::read::outbox::KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, label)| *label)
        .unwrap_or("");
    page(
        &Ctx::default(),
        "Unsubscribe",
        Section::None,
        html! {
            h1 { "Unsubscribe" }
            @if done {
                p role="status" { "Done: you will no longer receive “" (label) "”. You can turn it back on from your account's email page." }
            } @else {
                p { "Stop receiving “" (label) "”?" }
                form method="post" action=(action) {
                    button type="submit" { "Unsubscribe" }
                }
            }
        },
    )
}
