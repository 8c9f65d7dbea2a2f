//! Email: the messages the product sends, built from values (`messages`),
//! and the transports that carry one: SMTP, a folder of .eml files in
//! development, and memory for tests of what a message holds. Nothing here
//! reads the database; `jobs` claims messages from the outbox and hands
//! them over.

pub mod messages;

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::stub::StubTransport;
use lettre::{FileTransport, Message, Transport as _};

use crate::domain::message::Claimed;

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server, from a URL in lettre's form (`smtp://`, `smtps://`,
    /// with credentials).
    Smtp(SmtpTransport),
    /// Development without SMTP: each message becomes an .eml file.
    Folder(FileTransport, PathBuf),
    /// Kept in memory, for tests of what a message holds as sent.
    Memory(StubTransport),
}

impl Transport {
    pub fn smtp(url: &str) -> Result<Self, String> {
        SmtpTransport::from_url(url)
            .map(|builder| Transport::Smtp(builder.timeout(Some(Duration::from_secs(10))).build()))
            .map_err(|e| format!("SMTP_URL is not a usable SMTP address: {e}"))
    }

    pub fn folder(path: PathBuf) -> Result<Self, String> {
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create the mail folder {}: {e}", path.display()))?;
        Ok(Transport::Folder(FileTransport::new(&path), path))
    }

    /// A transport that keeps what it is given; read it with
    /// [`Transport::sent`].
    pub fn memory() -> Self {
        Transport::Memory(StubTransport::new_ok())
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Folder(_, path) => format!(".eml files in {}", path.display()),
            Transport::Memory(_) => "memory".to_owned(),
        }
    }

    /// What a memory transport was given, each message as its raw text
    /// (headers and body); nothing for the others.
    pub fn sent(&self) -> Vec<String> {
        match self {
            Transport::Memory(stub) => stub.messages().into_iter().map(|(_, raw)| raw).collect(),
            _ => Vec::new(),
        }
    }

    /// One try to send `message` from `from`, on the calling (blocking)
    /// thread; `host` is the host part of its Message-ID.
    pub fn send(&self, from: &Mailbox, host: &str, message: &Claimed) -> Outcome {
        let email = match build(from, host, message) {
            Ok(email) => email,
            Err(reason) => return Outcome::Failed(reason),
        };
        match self {
            Transport::Smtp(smtp) => match smtp.send(&email) {
                Ok(_) => Outcome::Sent,
                Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
                Err(e) => Outcome::Retry(e.to_string()),
            },
            Transport::Folder(folder, _) => match folder.send(&email) {
                Ok(_) => Outcome::Sent,
                Err(e) => Outcome::Retry(e.to_string()),
            },
            Transport::Memory(stub) => match stub.send(&email) {
                Ok(_) => Outcome::Sent,
                Err(e) => Outcome::Retry(e.to_string()),
            },
        }
    }
}

/// How one try to send a message ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// A connection failure or a 4xx reply: try again later.
    Retry(String),
    /// A 5xx reply, or a message that can never be sent: give up.
    Failed(String),
}

/// The stable Message-ID of an outbox row: the same on every try, so a
/// message sent twice (a worker that died after sending) is recognisable.
pub fn message_id(id: i64, host: &str) -> String {
    format!("<outbox-{id}@{host}>")
}

/// The email of an outbox row: plain text and HTML alternatives, and for
/// messages one can turn off from the message the RFC 8058 headers.
fn build(from: &Mailbox, host: &str, message: &Claimed) -> Result<Message, String> {
    let to: Mailbox = message.recipient.parse().map_err(|e| {
        format!(
            "the address {:?} cannot receive mail: {e}",
            message.recipient
        )
    })?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&message.subject)
        .message_id(Some(message_id(message.id, host)));
    if let Some(url) = &message.list_unsubscribe {
        // RFC 8058: mail programs offer the reader a one-click way out.
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            message.text_body.clone(),
            message.html_body.clone(),
        ))
        .map_err(|e| format!("the message cannot be built: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed(recipient: &str, unsubscribe: Option<&str>) -> Claimed {
        Claimed {
            id: 7,
            kind: "digest".into(),
            recipient: recipient.into(),
            subject: "This week's action items".into(),
            text_body: "Plain words".into(),
            html_body: "<p>Rich words</p>".into(),
            attempts: 0,
            created_at: chrono::NaiveDateTime::default(),
            list_unsubscribe: unsubscribe.map(str::to_owned),
        }
    }

    fn from() -> Mailbox {
        "campus-visits <no-reply@district.example.org>"
            .parse()
            .unwrap()
    }

    #[test]
    fn a_sent_message_carries_both_bodies_its_stable_id_and_the_one_click_headers() {
        let memory = Transport::memory();
        let url = "https://visits.example.org/unsubscribe/3/digest/ab";
        let outcome = memory.send(
            &from(),
            "visits.example.org",
            &claimed("Ana <ana@school.example.org>", Some(url)),
        );
        assert_eq!(outcome, Outcome::Sent);
        let sent = memory.sent();
        assert_eq!(sent.len(), 1);
        let raw = &sent[0];
        for expected in [
            "Message-ID: <outbox-7@visits.example.org>",
            "To: Ana <ana@school.example.org>",
            "Subject: This week's action items",
            &format!("List-Unsubscribe: <{url}>"),
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "multipart/alternative",
            "Plain words",
            "<p>Rich words</p>",
        ] {
            assert!(raw.contains(expected), "{expected:?} missing from\n{raw}");
        }
    }

    #[test]
    fn a_message_without_a_way_out_has_no_unsubscribe_headers() {
        let memory = Transport::memory();
        memory.send(&from(), "h", &claimed("ana@school.example.org", None));
        assert!(!memory.sent()[0].contains("List-Unsubscribe"));
    }

    #[test]
    fn an_address_that_cannot_receive_mail_fails_for_good_and_sends_nothing() {
        let memory = Transport::memory();
        let outcome = memory.send(&from(), "h", &claimed("not an address", None));
        assert!(
            matches!(&outcome, Outcome::Failed(why) if why.contains("cannot receive mail")),
            "{outcome:?}"
        );
        assert!(memory.sent().is_empty());
    }

    #[test]
    fn message_ids_are_stable_per_row() {
        assert_eq!(
            message_id(42, "visits.district.org"),
            "<outbox-42@visits.district.org>"
        );
        assert_ne!(message_id(42, "h"), message_id(43, "h"));
    }
}
