//! All SQL lives here: the connection type that serves both engines, the
//! pool, the migrations, and one module per table group with functions
//! named by what they mean.

/// Inserts a row and returns its new id (`RETURNING`, which both engines
/// have but `MultiConnection` does not offer: one arm per engine).
macro_rules! insert_returning_id {
    ($conn:expr, $table:path, $id:expr, $values:expr) => {
        match $conn {
            DbConn::Sqlite(c) => diesel::insert_into($table)
                .values($values)
                .returning($id)
                .get_result::<i64>(c),
            DbConn::Postgres(c) => diesel::insert_into($table)
                .values($values)
                .returning($id)
                .get_result::<i64>(c),
        }
    };
}

pub mod accounts;
pub mod action_items;
pub mod audit;
pub mod calendar;
pub mod debriefs;
pub mod departments;
pub mod frameworks;
pub mod home;
pub mod insights;
pub mod invitations;
pub mod learning;
pub mod mailing;
pub mod observations;
pub mod outbox;
pub mod raw;
pub mod responses;
pub mod schema;
pub mod schools;
pub mod settings;
pub mod throttle;
pub mod users;
pub mod visits;

use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// One connection type; which engine is decided by the database URL.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// The two database engines campus-visits runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            Engine::Sqlite
        }
    }

    /// The name `/healthz` reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgresql",
        }
    }
}

/// Why a database could not be opened or used; the message names the
/// engine and the place, never a password.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("could not connect to PostgreSQL at {target}: {reason}")]
    Postgres { target: String, reason: String },
    #[error("could not open the SQLite database {path}: {reason}")]
    Sqlite { path: String, reason: String },
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
}

/// The SQLite file a URL names (`sqlite://path`, `sqlite:path` or a bare path).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// A PostgreSQL URL with any password removed, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

/// Opens one connection. Deliberately not the derived `establish`, which
/// tries each engine in turn and can turn a mistyped URL into a new file.
/// The network limits every PostgreSQL connection gets unless its URL sets
/// them: give up connecting after 5 s; probe an idle connection after 30 s
/// (every 10 s, 3 times); drop one whose sent data goes unacknowledged for
/// 15 s. A server or network that goes silent then ends in an error rather
/// than a wait for ever; `Db::run`'s deadline bounds each request sooner.
const NETWORK_LIMITS: [(&str, &str); 6] = [
    ("connect_timeout", "5"),
    ("keepalives", "1"),
    ("keepalives_idle", "30"),
    ("keepalives_interval", "10"),
    ("keepalives_count", "3"),
    ("tcp_user_timeout", "15000"),
];

/// `url` with each of [`NETWORK_LIMITS`] it does not set already.
pub fn with_network_limits(url: &str) -> String {
    let mut out = url.to_owned();
    for (name, value) in NETWORK_LIMITS {
        let set = url
            .split_once('?')
            .is_some_and(|(_, query)| query.split('&').any(|p| p.split('=').next() == Some(name)));
        if !set {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{name}={value}"));
        }
    }
    out
}

pub fn connect(url: &str) -> Result<DbConn, DbError> {
    match Engine::from_url(url) {
        Engine::Postgres => PgConnection::establish(&with_network_limits(url))
            .map(DbConn::Postgres)
            .map_err(|e| DbError::Postgres {
                target: redacted(url),
                reason: e.to_string().trim().replace('\n', " "),
            }),
        Engine::Sqlite => {
            let path = sqlite_path(url);
            let fail = |reason: String| DbError::Sqlite {
                path: path.to_owned(),
                reason,
            };
            let mut conn = SqliteConnection::establish(path).map_err(|e| fail(e.to_string()))?;
            // The busy timeout must be set before the switch to WAL, which
            // itself may wait for another connection's lock.
            conn.batch_execute(
                "PRAGMA busy_timeout = 5000;
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;",
            )
            .map_err(|e| fail(e.to_string()))?;
            Ok(DbConn::Sqlite(conn))
        }
    }
}

impl DbConn {
    pub fn engine(&self) -> Engine {
        match self {
            DbConn::Sqlite(_) => Engine::Sqlite,
            DbConn::Postgres(_) => Engine::Postgres,
        }
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary key that serialises migrations when several instances of
/// the app start at once on one PostgreSQL database.
const MIGRATION_LOCK: i64 = 0x6361_6d70_7573;

/// Applies every pending migration; returns the versions applied.
pub fn migrate(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let fail = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    let names = |versions: Vec<diesel::migration::MigrationVersion<'_>>| {
        versions.iter().map(|v| v.to_string()).collect::<Vec<_>>()
    };
    match conn {
        DbConn::Sqlite(c) => Ok(names(
            c.run_pending_migrations(SQLITE_MIGRATIONS).map_err(fail)?,
        )),
        DbConn::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(names)
                .map_err(fail);
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            result
        }
    }
}

/// The turn to write to SQLite, for this process.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in a transaction that holds the write lock from its start: on
/// SQLite `BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead
/// of one failing when it upgrades a read lock; on PostgreSQL a plain one.
pub fn write_transaction<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    type Manager = <DbConn as Connection>::TransactionManager;
    let depth = Manager::transaction_manager_status_mut(conn).transaction_depth()?;
    if depth.is_some() {
        // Already inside one: the lock is held; a savepoint suffices.
        return conn.transaction(f);
    }
    // SQLite has one writer at a time. Writers of this process queue on a
    // mutex, which hands the lock on at once; left to SQLite's busy handler
    // they would sleep and retry, and the unlucky ones wait far longer.
    let _turn = match conn {
        DbConn::Sqlite(_) => Some(
            SQLITE_WRITER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ),
        DbConn::Postgres(_) => None,
    };
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = Manager::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            Manager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// The current time as stored: UTC, truncated to microseconds so that both
/// engines keep exactly the same value.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

/// Hands out connections for the pool; `connect` does the real work.
pub struct Manager {
    url: String,
}

/// A pooled connection and what the pool knows of its health.
pub struct Held {
    conn: DbConn,
    /// When it last went back to the pool.
    returned: Instant,
    /// Its last use ended in an error: check it before trusting it again.
    suspect: bool,
}

impl std::ops::Deref for Held {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Held {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// A connection given back this recently, after a use without error, is
/// handed out again without a round trip to check it (HikariCP's "alive
/// bypass window"): under load no request pays for a `SELECT 1`, and one
/// left idle longer — which a database restart would have cut — is checked
/// first.
const ALIVE_WINDOW: Duration = Duration::from_millis(500);

impl r2d2::ManageConnection for Manager {
    type Connection = Held;
    type Error = DbError;

    fn connect(&self) -> Result<Held, DbError> {
        Ok(Held {
            conn: connect(&self.url)?,
            returned: Instant::now(),
            suspect: false,
        })
    }

    fn is_valid(&self, held: &mut Held) -> Result<(), DbError> {
        if !held.suspect && held.returned.elapsed() < ALIVE_WINDOW {
            return Ok(());
        }
        held.conn.batch_execute("SELECT 1")?;
        held.suspect = false;
        Ok(())
    }

    fn has_broken(&self, held: &mut Held) -> bool {
        held.returned = Instant::now();
        // A connection given back inside a transaction (a panic mid-way)
        // must not serve the next request.
        let in_transaction = !matches!(
            <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(
                &mut held.conn
            )
            .transaction_depth(),
            Ok(None)
        );
        // After an error, find out now whether the connection itself failed.
        if held.suspect && !in_transaction {
            held.suspect = held.conn.batch_execute("SELECT 1").is_err();
            return held.suspect;
        }
        in_transaction
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The pool and the one doorway from async handlers to blocking diesel.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    engine: Engine,
    /// The learning impact, kept while the record it comes from holds.
    pub learning_impact: learning::KeptImpact,
    /// The longest one piece of work may take, waiting for a connection
    /// included, before its caller is told the database is unavailable.
    deadline: Duration,
}

impl Db {
    /// A pool of up to `size` connections; waiting longer than `timeout`
    /// for one is reported as the database being unavailable.
    pub fn new(url: &str, size: u32, timeout: Duration) -> Self {
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(timeout)
            .error_handler(Box::new(PoolErrorLog))
            .build_unchecked(Manager {
                url: url.to_owned(),
            });
        Db {
            pool,
            engine: Engine::from_url(url),
            learning_impact: learning::KeptImpact::default(),
            deadline: timeout,
        }
    }

    /// The same pool, with another deadline for each piece of work (the
    /// background jobs, whose work may be long).
    pub fn with_deadline(&self, deadline: Duration) -> Self {
        Db {
            deadline,
            ..self.clone()
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Runs blocking database work on the blocking thread pool. The work's
    /// own error comes back as [`RunError::Failed`]; the pool's, when no
    /// connection came within its timeout, as [`RunError::Unavailable`].
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, RunError<E>>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let pool = self.pool.clone();
        let work = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(RunError::Unavailable)?;
            let result = f(&mut conn);
            conn.suspect = result.is_err();
            result.map_err(RunError::Failed)
        });
        // A database that stops answering without closing (a frozen proxy,
        // a failover, a cut cable) must not hold the caller: past the
        // deadline the answer is "unavailable". The blocking work goes on
        // until the connection answers or fails, and its result is dropped.
        match tokio::time::timeout(self.deadline, work).await {
            Ok(done) => done.map_err(|e| RunError::Cancelled(e.to_string()))?,
            Err(_) => Err(RunError::TimedOut(self.deadline)),
        }
    }

    /// Whether the database answers within `timeout`.
    pub async fn ping(&self, timeout: Duration) -> bool {
        let pool = self.pool.clone();
        let work = tokio::task::spawn_blocking(move || -> Result<(), DbError> {
            let mut conn = pool
                .get_timeout(timeout)
                .map_err(|e| DbError::Migration(e.to_string()))?;
            let answered = conn.batch_execute("SELECT 1");
            conn.suspect = answered.is_err();
            Ok(answered?)
        });
        matches!(tokio::time::timeout(timeout, work).await, Ok(Ok(Ok(()))))
    }
}

/// The result of database work, and its error, for the callers of `db/`
/// (which name no diesel type of their own).
pub use diesel::result::{Error as QueryError, QueryResult};

/// Why [`Db::run`] has no answer of the work's own.
#[derive(Debug)]
pub enum RunError<E> {
    /// The work ran and failed with its own error.
    Failed(E),
    /// No connection came within the pool's timeout.
    Unavailable(r2d2::Error),
    /// The blocking task was cancelled or panicked.
    Cancelled(String),
    /// No answer came within the deadline.
    TimedOut(Duration),
}

impl<E: std::fmt::Display> std::fmt::Display for RunError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Failed(error) => error.fmt(f),
            RunError::Unavailable(error) => write!(f, "no database connection: {error}"),
            RunError::Cancelled(why) => write!(f, "database work cancelled: {why}"),
            RunError::TimedOut(after) => write!(f, "no answer from the database within {after:?}"),
        }
    }
}

/// Pool errors are connection failures; log them once as warnings, without
/// the URL.
#[derive(Debug)]
struct PoolErrorLog;

impl r2d2::HandleError<DbError> for PoolErrorLog {
    fn handle_error(&self, error: DbError) {
        tracing::warn!(error = %error, "database connection failed");
    }
}

/// Whether a write failed on a unique constraint (a duplicate code or email).
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// A write that failed because of what was submitted (a duplicate code, a
/// school that does not exist), or because the database failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the submission is not valid")]
    Invalid(crate::domain::FieldErrors),
    /// The actor may see the record but not change it (403).
    #[error("not allowed")]
    Forbidden,
    /// The change would break what is on record (409): the field and why.
    #[error("the change conflicts with the record")]
    Conflict {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl WriteError {
    /// The submission itself is wrong (422): a field fails its checks.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        WriteError::Invalid(crate::domain::FieldErrors::single(field, message))
    }

    /// The submission is well formed but what the district holds refuses it
    /// (409): a record it names does not exist or is inactive, a name is
    /// taken, or the record's state does not allow the change.
    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        WriteError::Conflict {
            field,
            message: message.into(),
        }
    }

    /// The messages of a refused write, by field; or the database's failure.
    pub fn refusal(self) -> Result<crate::domain::FieldErrors, diesel::result::Error> {
        match self {
            WriteError::Invalid(errors) => Ok(errors),
            WriteError::Conflict { field, message } => {
                Ok(crate::domain::FieldErrors::single(field, message))
            }
            WriteError::Forbidden => Ok(crate::domain::FieldErrors::single(
                "account",
                "This account may not make this change.",
            )),
            WriteError::Db(e) => Err(e),
        }
    }
}

#[diesel::declare_sql_function]
extern "SQL" {
    /// SQL `lower()`: both engines have it, and it makes `LIKE` behave the
    /// same on both (SQLite's is case-insensitive, PostgreSQL's is not).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_get_network_limits_unless_they_set_their_own() {
        let url = with_network_limits("postgres://u@db:5432/cv");
        assert!(
            url.starts_with("postgres://u@db:5432/cv?connect_timeout=5&keepalives=1"),
            "{url}"
        );
        assert!(url.contains("&tcp_user_timeout=15000"));
        let own = with_network_limits("postgres://u@db/cv?sslmode=require&connect_timeout=1");
        assert!(
            own.contains("connect_timeout=1") && !own.contains("connect_timeout=5"),
            "{own}"
        );
        assert!(
            own.starts_with("postgres://u@db/cv?sslmode=require&connect_timeout=1&keepalives=1")
        );
    }
}
