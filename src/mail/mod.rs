//! Email: the messages the product sends (`messages`), and the worker that
//! delivers the outbox over SMTP, or in development into a folder of .eml
//! files.

pub mod messages;

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDateTime;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::SmtpTransport;
use lettre::{FileTransport, Message, Transport as _};
use rand::Rng;

use crate::db::outbox::{self, Claimed};
use crate::db::Db;
use crate::error::AppError;

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server, from a URL in lettre's form (`smtp://`, `smtps://`,
    /// with credentials).
    Smtp(SmtpTransport),
    /// Development without SMTP: each message becomes an .eml file.
    Folder(FileTransport, PathBuf),
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

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Folder(_, path) => format!(".eml files in {}", path.display()),
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

/// The worker's settings.
#[derive(Clone)]
pub struct Worker {
    pub db: Db,
    pub transport: Transport,
    pub from: Mailbox,
    /// The host part of Message-IDs (from `BASE_URL`).
    pub host: String,
    /// `BASE_URL`, for links in reminders.
    pub base_url: String,
    /// Signs unsubscribe links (the session key).
    pub signing_key: String,
    /// Messages claimed at once.
    pub batch: i64,
    /// How long a claim holds before another worker may take the message.
    pub lease: Duration,
    /// Messages sent at the same time.
    pub parallel: usize,
}

/// What a round of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

impl Round {
    pub fn handled(&self) -> usize {
        self.sent + self.retried + self.failed
    }
}

/// The signature of an unsubscribe link for `user_id` and `kind`: only
/// whoever holds the key can make one, so the link itself is the proof.
pub fn unsubscribe_signature(key: &str, user_id: i64, kind: &str) -> String {
    let message = format!("unsubscribe:{user_id}:{kind}");
    crate::auth::hex(&crate::auth::sign(key, &message)[..16])
}

/// The One-Click unsubscribe address for `user_id` and `kind`.
pub fn unsubscribe_url(base: &str, key: &str, user_id: i64, kind: &str) -> String {
    format!(
        "{base}/unsubscribe/{user_id}/{kind}/{}",
        unsubscribe_signature(key, user_id, kind)
    )
}

/// The Monday digest goes from this hour of the district's morning.
pub const DIGEST_HOUR: u32 = 6;

/// How often the worker writes the day's reminders (each is written once
/// a day whatever this is; it only bounds how late in the day one goes).
pub const REMINDERS_EVERY: Duration = Duration::from_secs(15 * 60);

/// The first retry waits this long; each next one twice as long…
pub const RETRY_FIRST: Duration = Duration::from_secs(30);
/// …up to this.
pub const RETRY_CAP: Duration = Duration::from_secs(60 * 60);
/// A message still not sent this long after it was written is failed.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// The wait before try number `attempts + 1`: doubling from `RETRY_FIRST`
/// up to `RETRY_CAP`, with ±20% jitter so that many messages refused at once
/// do not come back at once.
pub fn backoff(attempts: i32) -> Duration {
    let doubling = 2u32.saturating_pow(attempts.clamp(0, 20) as u32);
    let base = RETRY_FIRST.saturating_mul(doubling).min(RETRY_CAP);
    let jitter = rand::rng().random_range(0.8..1.2);
    base.mul_f64(jitter)
}

/// The stable Message-ID of an outbox row: the same on every try, so a
/// message sent twice (a worker that died after sending) is recognisable.
pub fn message_id(id: i64, host: &str) -> String {
    format!("<outbox-{id}@{host}>")
}

impl Worker {
    /// Claims due messages and sends them; returns what happened.
    pub async fn run_once(&self) -> Result<Round, AppError> {
        let (batch, lease) = (
            self.batch,
            chrono::Duration::from_std(self.lease).unwrap_or_default(),
        );
        let claimed = self
            .db
            .run(move |conn| outbox::claim(conn, batch, lease))
            .await?;
        let mut round = Round::default();
        for chunk in claimed.chunks(self.parallel.max(1)) {
            let sends = chunk.iter().cloned().map(|message| {
                let worker = self.clone();
                actix_web::rt::task::spawn_blocking(move || {
                    let outcome = worker.send(&message);
                    (message, outcome)
                })
            });
            for done in futures_util::future::join_all(sends).await {
                let (message, outcome) = done.map_err(AppError::internal)?;
                match &outcome {
                    Outcome::Sent => round.sent += 1,
                    Outcome::Retry(_) => round.retried += 1,
                    Outcome::Failed(_) => round.failed += 1,
                }
                self.record(message, outcome).await?;
            }
        }
        Ok(round)
    }

    /// Runs rounds until the outbox has nothing due, then waits `idle`, for
    /// ever (the task is dropped when the server stops).
    pub async fn run(self, idle: Duration) {
        let mut reminded: Option<std::time::Instant> = None;
        loop {
            if reminded.is_none_or(|at| at.elapsed() >= REMINDERS_EVERY) {
                match self.remind_at(chrono::Utc::now()).await {
                    Ok(written) if written > 0 => tracing::info!(written, "reminders written"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "writing reminders failed"),
                }
                reminded = Some(std::time::Instant::now());
            }
            // Between deliveries, the dashboards' queued roll-ups (they are
            // also brought up to date before a dashboard reads them).
            if let Err(e) = self.db.run(crate::db::insights::bring_up_to_date).await {
                tracing::warn!(error = %e, "bringing roll-ups up to date failed");
            }
            match self.run_once().await {
                Ok(round) if round.handled() > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail worker round failed"),
            }
            actix_web::rt::time::sleep(idle).await;
        }
    }

    /// Writes the reminders (and on Monday mornings the digests) due at
    /// `now`, by the district's clock, to the outbox; returns how many.
    pub async fn remind_at(&self, now: chrono::DateTime<chrono::Utc>) -> Result<usize, AppError> {
        use chrono::Timelike;
        let (base, key) = (self.base_url.clone(), self.signing_key.clone());
        self.db
            .run(move |conn| {
                crate::db::write_transaction(conn, |conn| {
                    let zone = crate::db::settings::find(conn)?.time_zone;
                    let local = now.with_timezone(&zone);
                    let today = local.date_naive();
                    let mut written = messages::reminders(conn, today, &base)?;
                    if local.hour() >= DIGEST_HOUR {
                        written += messages::digests(conn, today, &base, &key)?;
                    }
                    Ok::<_, crate::db::QueryError>(written)
                })
            })
            .await
            .map_err(AppError::from)
    }

    /// [`Worker::remind_at`] at noon UTC of `day`.
    pub async fn remind(&self, day: chrono::NaiveDate) -> Result<usize, AppError> {
        let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        self.remind_at(noon).await
    }

    async fn record(&self, message: Claimed, outcome: Outcome) -> Result<(), AppError> {
        let id = message.id;
        let next = retry_at(&message, crate::db::now());
        self.db
            .run(move |conn| match outcome {
                Outcome::Sent => outbox::mark_sent(conn, id),
                Outcome::Failed(reason) => outbox::mark_failed(conn, id, &reason),
                Outcome::Retry(reason) => match next {
                    Some(next) => outbox::mark_retry(conn, id, next, &reason),
                    None => outbox::mark_failed(
                        conn,
                        id,
                        &format!("gave up after {} tries: {reason}", message.attempts + 1),
                    ),
                },
            })
            .await
            .map_err(AppError::from)
    }

    /// One try, on the calling (blocking) thread.
    pub fn send(&self, message: &Claimed) -> Outcome {
        let email = match self.build(message) {
            Ok(email) => email,
            Err(reason) => return Outcome::Failed(reason),
        };
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(&email) {
                Ok(_) => Outcome::Sent,
                Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
                Err(e) => Outcome::Retry(e.to_string()),
            },
            Transport::Folder(folder, _) => match folder.send(&email) {
                Ok(_) => Outcome::Sent,
                Err(e) => Outcome::Retry(e.to_string()),
            },
        }
    }

    fn build(&self, message: &Claimed) -> Result<Message, String> {
        let to: Mailbox = message.recipient.parse().map_err(|e| {
            format!(
                "the address {:?} cannot receive mail: {e}",
                message.recipient
            )
        })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .message_id(Some(message_id(message.id, &self.host)));
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
}

/// When to try `message` again, or `None` once it has waited too long.
fn retry_at(message: &Claimed, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let next = now + chrono::Duration::from_std(backoff(message.attempts)).unwrap_or_default();
    let give_up =
        message.created_at + chrono::Duration::from_std(GIVE_UP_AFTER).unwrap_or_default();
    (next <= give_up).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour_with_jitter() {
        for (attempts, base) in [
            (0, 30.0),
            (1, 60.0),
            (2, 120.0),
            (6, 1920.0),
            (7, 3600.0),
            (40, 3600.0),
        ] {
            for _ in 0..50 {
                let wait = backoff(attempts).as_secs_f64();
                assert!(
                    (base * 0.8..=base * 1.2).contains(&wait),
                    "try {attempts}: {wait} s, expected about {base} s"
                );
            }
        }
    }

    #[test]
    fn a_message_is_given_up_once_its_next_try_would_fall_after_three_days() {
        let created = chrono::NaiveDate::from_ymd_opt(2027, 1, 4)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let message = Claimed {
            id: 1,
            kind: "assignment".into(),
            recipient: "a@b.org".into(),
            subject: String::new(),
            text_body: String::new(),
            html_body: String::new(),
            attempts: 3,
            created_at: created,
            list_unsubscribe: None,
        };
        assert!(retry_at(&message, created + chrono::Duration::hours(1)).is_some());
        assert!(retry_at(&message, created + chrono::Duration::hours(72)).is_none());
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
