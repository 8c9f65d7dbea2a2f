//! Work that runs beside the server: the worker that delivers the outbox
//! (any number of them on one database, each message once), and the daily
//! reminders and Monday digests it writes. Each job reads its facts through
//! `db/`, has `mail::messages` build the messages and writes them to the
//! outbox in one transaction.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use lettre::message::Mailbox;
use rand::Rng;

use crate::db::outbox::{self, Claimed};
use crate::db::{self, Db, DbConn, QueryResult};
use crate::mail::{messages, Outcome, Transport};

/// Why a round of a job has no answer: the database's error, or none came.
pub type JobError = db::RunError<db::QueryError>;

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

impl Worker {
    /// A worker of `db` that sends over SMTP at `smtp_url`, or without one
    /// into .eml files in `folder`, from `from` with Message-IDs at `host`;
    /// it claims 50 messages at a time under a two-minute lease and sends up
    /// to 8 at once.
    pub fn new(
        db: Db,
        smtp_url: Option<&str>,
        folder: PathBuf,
        from: Mailbox,
        host: &str,
        base_url: &str,
        signing_key: &str,
    ) -> Result<Self, String> {
        let transport = match smtp_url {
            Some(url) => Transport::smtp(url)?,
            None => Transport::folder(folder)?,
        };
        Ok(Worker {
            // A day's reminders or a roll-up over a large district may take
            // longer than a request may wait.
            db: db.with_deadline(Duration::from_secs(5 * 60)),
            transport,
            from,
            host: host.to_owned(),
            base_url: base_url.to_owned(),
            signing_key: signing_key.to_owned(),
            batch: 50,
            lease: Duration::from_secs(120),
            parallel: 8,
        })
    }

    /// Where this worker's messages go, for the log.
    pub fn delivers_to(&self) -> String {
        self.transport.describe()
    }

    /// Claims due messages and sends them; returns what happened.
    pub async fn run_once(&self) -> Result<Round, JobError> {
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
                tokio::task::spawn_blocking(move || {
                    let outcome = worker.transport.send(&worker.from, &worker.host, &message);
                    (message, outcome)
                })
            });
            for done in futures_util::future::join_all(sends).await {
                // A send that panicked leaves its message to the lease.
                let Ok((message, outcome)) = done else {
                    round.retried += 1;
                    continue;
                };
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
            tokio::time::sleep(idle).await;
        }
    }

    /// Writes the reminders (and on Monday mornings the digests) due at
    /// `now`, by the district's clock, to the outbox; returns how many.
    pub async fn remind_at(&self, now: chrono::DateTime<chrono::Utc>) -> Result<usize, JobError> {
        use chrono::Timelike;
        let (base, key) = (self.base_url.clone(), self.signing_key.clone());
        self.db
            .run(move |conn| {
                db::write_transaction(conn, |conn| {
                    let zone = db::settings::find(conn)?.time_zone;
                    let local = now.with_timezone(&zone);
                    let today = local.date_naive();
                    let mut written = reminders(conn, today, &base)?;
                    written += learning_reminders(conn, today, &base)?;
                    if local.hour() >= DIGEST_HOUR {
                        written += digests(conn, today, &base, &key)?;
                    }
                    Ok::<_, db::QueryError>(written)
                })
            })
            .await
    }

    /// [`Worker::remind_at`] at noon UTC of `day`.
    pub async fn remind(&self, day: NaiveDate) -> Result<usize, JobError> {
        let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        self.remind_at(noon).await
    }

    async fn record(&self, message: Claimed, outcome: Outcome) -> Result<(), JobError> {
        let id = message.id;
        let next = retry_at(&message, db::now());
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
    }
}

/// Writes the reminders owed on `today` (see [`db::mailing::reminders`]);
/// each has a dedupe key of its kind, item, day and recipient, so running
/// this again the same day, on any number of instances, writes nothing
/// more. Returns how many were written.
pub fn reminders(conn: &mut DbConn, today: NaiveDate, base: &str) -> QueryResult<usize> {
    let owed = db::mailing::reminders(conn, today)?;
    let built: Vec<_> = owed
        .iter()
        .map(|r| messages::reminder(r, today, base))
        .collect();
    outbox::enqueue_all(conn, &built)
}

/// Writes the day's learning messages: a reminder to the leaders of each
/// campus registered for a session tomorrow, and to the heads of each
/// department the list of campuses registered for its sessions in a few
/// days. Dedupe keys make each once per session and person.
pub fn learning_reminders(conn: &mut DbConn, today: NaiveDate, base: &str) -> QueryResult<usize> {
    let mut built: Vec<_> = db::mailing::session_reminders(conn, today)?
        .iter()
        .map(|r| messages::session_reminder(r, base))
        .collect();
    built.extend(
        db::mailing::session_lists(conn, today)?
            .iter()
            .map(|l| messages::session_list(l, base)),
    );
    outbox::enqueue_all(conn, &built)
}

/// On Mondays, writes the week's digest to each school leader and
/// department head with anything overdue, due this week or done in the
/// past week, one per person per week, each with its one-click way out
/// signed with `key`. Returns how many were written.
pub fn digests(conn: &mut DbConn, today: NaiveDate, base: &str, key: &str) -> QueryResult<usize> {
    if today.weekday() != chrono::Weekday::Mon {
        return Ok(0);
    }
    let built: Vec<_> = db::mailing::digests(conn, today)?
        .iter()
        .filter_map(|digest| {
            let way_out = crate::auth::unsubscribe_url(base, key, digest.to.id, "digest");
            messages::digest(digest, base, &way_out)
        })
        .collect();
    outbox::enqueue_all(conn, &built)
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
}
