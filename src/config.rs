//! The command line and the settings read from it, once, at start. Every
//! flag can also come from the environment variable named beside it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::db::{sqlite_path, Engine};

#[derive(Debug, Parser)]
#[command(
    name = "campus-visits",
    version,
    about = "Communities of Practice campus visits: observations, debriefs and the action items that follow them."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Database to use: a SQLite file path (optionally `sqlite://path`) or a
    /// `postgres://user@host:port/db` URL, which selects PostgreSQL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "campus-visits.db",
        global = true
    )]
    pub database_url: String,

    /// How log lines are written: `text` for people, `json` for log collectors.
    /// Which lines are written follows `RUST_LOG` (default `info`).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and the JSON API; applies pending migrations first.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo district into an empty database.
    Demo,
    /// Import records from a CSV file. Every row is checked first; if any row
    /// is bad, each bad line is named and nothing is written.
    Import {
        #[command(subcommand)]
        what: ImportKind,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportKind {
    /// Schools: columns `code,name,level[,active]`. A known code updates
    /// that school.
    Schools { file: PathBuf },
    /// Users: columns `name,email[,school,department,active]`; `school` is a
    /// school code and `department` a department name. A known email updates
    /// that user.
    Users { file: PathBuf },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// The address people use to reach the app (for links in emails and for
    /// secure cookies when it starts with https://). Defaults to http://BIND.
    #[arg(long, env = "BASE_URL")]
    pub base_url: Option<String>,

    /// Secret of at least 64 characters that signs and encrypts session
    /// cookies; every instance behind one load balancer needs the same one.
    /// In development it is generated and kept beside the SQLite file
    /// (`campus-visits.session-key`) when unset; production requires it.
    #[arg(long, env = "SESSION_KEY", hide_env_values = true)]
    pub session_key: Option<String>,

    /// `development` fills in safe local defaults; `production` refuses to
    /// start without the secrets it needs.
    #[arg(long = "env", env = "APP_ENV", value_enum, default_value_t = Environment::Development)]
    pub environment: Environment,

    /// Database connections per instance.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 8)]
    pub db_pool_size: u32,

    /// Seconds a request waits for a database connection before it is
    /// answered 503.
    #[arg(long, env = "DB_TIMEOUT", default_value_t = 5)]
    pub db_timeout: u64,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "WORKERS")]
    pub workers: Option<usize>,

    /// Load the demo district first if the database is empty.
    #[arg(long, env = "DEMO")]
    pub demo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// Everything the server needs, checked and complete.
#[derive(Clone)]
pub struct Config {
    pub bind: String,
    pub base_url: String,
    pub database_url: String,
    pub session_key: String,
    pub environment: Environment,
    pub db_pool_size: u32,
    pub db_timeout: Duration,
    pub workers: usize,
    pub demo: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("base_url", &self.base_url)
            .field("database_url", &crate::db::redacted(&self.database_url))
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

/// The minimum length of a session key.
pub const SESSION_KEY_MIN: usize = 64;

impl Config {
    /// Checks the serve flags and fills in development defaults.
    pub fn from_args(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<Self> {
        args.bind.parse::<SocketAddr>().map_err(|_| {
            anyhow::anyhow!(
                "BIND must be an address and port such as 127.0.0.1:8080, not {:?}",
                args.bind
            )
        })?;
        let base_url = args
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", args.bind))
            .trim_end_matches('/')
            .to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            anyhow::bail!("BASE_URL must start with http:// or https://");
        }
        let session_key = match (&args.session_key, args.environment) {
            (Some(key), _) if key.len() >= SESSION_KEY_MIN => key.clone(),
            (Some(_), _) => anyhow::bail!("SESSION_KEY must be at least {SESSION_KEY_MIN} characters (try `openssl rand -hex 64`)"),
            (None, Environment::Production) => {
                anyhow::bail!("SESSION_KEY is required when APP_ENV=production (try `openssl rand -hex 64`)")
            }
            (None, Environment::Development) => {
                development_session_key(&session_key_path(&global.database_url))?
            }
        };
        Ok(Self {
            bind: args.bind.clone(),
            base_url,
            database_url: global.database_url.clone(),
            session_key,
            environment: args.environment,
            db_pool_size: args.db_pool_size.max(1),
            db_timeout: Duration::from_secs(args.db_timeout.max(1)),
            workers: args
                .workers
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
            demo: args.demo,
        })
    }

    /// Whether the app is reached over https, which makes cookies `Secure`.
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Where a development session key is kept: beside the SQLite file, or in
/// the working directory for PostgreSQL.
pub fn session_key_path(database_url: &str) -> PathBuf {
    let dir = match Engine::from_url(database_url) {
        Engine::Sqlite => Path::new(sqlite_path(database_url))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        Engine::Postgres => PathBuf::new(),
    };
    dir.join("campus-visits.session-key")
}

/// Reads the development key, or makes one and keeps it (readable by its
/// owner only) so that sessions survive a restart.
fn development_session_key(path: &Path) -> anyhow::Result<String> {
    if let Ok(key) = std::fs::read_to_string(path) {
        let key = key.trim().to_owned();
        if key.len() >= SESSION_KEY_MIN {
            return Ok(key);
        }
    }
    let bytes: [u8; 64] = rand::random();
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(path, &key).map_err(|e| {
        anyhow::anyhow!(
            "could not keep a new session key in {}: {e}",
            path.display()
        )
    })?;
    tracing::info!(path = %path.display(), "generated a development session key");
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("campus-visits").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn production_requires_a_session_key() {
        let cli = parse(&["serve", "--env", "production"]);
        let Command::Serve(args) = &cli.command else {
            panic!("not serve")
        };
        let error = Config::from_args(&cli.global, args)
            .unwrap_err()
            .to_string();
        assert!(error.contains("SESSION_KEY is required"), "{error}");
    }

    #[test]
    fn short_session_keys_are_refused() {
        let cli = parse(&["serve", "--session-key", "short"]);
        let Command::Serve(args) = &cli.command else {
            panic!("not serve")
        };
        assert!(Config::from_args(&cli.global, args).is_err());
    }

    #[test]
    fn development_key_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("district.db");
        let url = db.to_str().unwrap();
        let cli = parse(&["--database-url", url, "serve"]);
        let Command::Serve(args) = &cli.command else {
            panic!("not serve")
        };
        let first = Config::from_args(&cli.global, args).unwrap();
        let second = Config::from_args(&cli.global, args).unwrap();
        assert_eq!(first.session_key.len(), 128);
        assert_eq!(first.session_key, second.session_key);
        assert!(dir.path().join("campus-visits.session-key").exists());
        assert_eq!(first.base_url, "http://127.0.0.1:8080");
    }

    #[test]
    fn bad_bind_is_refused() {
        let cli = parse(&[
            "serve",
            "--bind",
            "localhost",
            "--session-key",
            &"k".repeat(64),
        ]);
        let Command::Serve(args) = &cli.command else {
            panic!("not serve")
        };
        assert!(Config::from_args(&cli.global, args).is_err());
    }
}
