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
    /// Deliver the email outbox, alone (`serve` does it too unless
    /// MAIL_WORKER=false); takes the same settings as `serve`.
    Worker(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo district into an empty database.
    Demo {
        /// `small`: 44 campuses and a few visits; `large`: 1,000 campuses
        /// with five years of visits, snapshots, debriefs and items (for
        /// measuring; takes minutes and a few GB on disk).
        #[arg(long, value_enum, default_value_t = DemoScale::Small)]
        scale: DemoScale,
    },
    /// Manage people's accounts: add one (the first administrator, say),
    /// reset a password, deactivate.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Write records to standard output.
    Export {
        #[command(subcommand)]
        what: ExportKind,
    },
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
    Users {
        file: PathBuf,
        #[command(flatten)]
        invite: InviteArgs,
    },
    /// A whole-district JSON export (`campus-visits export district`) into
    /// an empty database, in one transaction.
    District { file: PathBuf },
    /// A look-for framework from JSON (`{"name", "version", "domains": [...]}`)
    /// or CSV (`domain,code,title,description,department`, with --name and
    /// --version). An existing version is replaced while no observation uses
    /// it; a frozen one is refused.
    Framework {
        file: PathBuf,
        /// The framework's name (CSV only).
        #[arg(long)]
        name: Option<String>,
        /// The version's label, such as 2026.1 or 2026-27 (CSV only).
        #[arg(long)]
        version: Option<String>,
    },
    /// The professional-learning catalogue from JSON
    /// (`{"series": [...], "offerings": [{..., "sessions": [...]}]}`) or an
    /// offerings CSV (`title,description,format,department,audience,
    /// credit_hours,look_fors,active`) with --sessions, a sessions CSV
    /// (`offering,series,date,starts_at,ends_at,place,capacity,facilitator,
    /// cancelled`). Offerings are matched by title and sessions by offering,
    /// day and start; a file with any problem is refused whole.
    Catalogue {
        file: PathBuf,
        /// The sessions CSV, beside an offerings CSV.
        #[arg(long)]
        sessions: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportKind {
    /// The whole district as one JSON file (schools, departments, people
    /// without their passwords, frameworks, visits, observations, ticks,
    /// debriefs, action items, updates and checks), written as it is read.
    /// `campus-visits import district FILE` loads it into an empty database.
    District {
        /// Where to write it (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// The professional-learning catalogue, in a format it imports from.
    Catalogue {
        #[arg(long, value_enum, default_value_t = CatalogueFormat::Json)]
        format: CatalogueFormat,
    },
    /// A look-for framework, in the format it imports from.
    Framework {
        /// The framework's id.
        id: i64,
        #[arg(long, value_enum, default_value_t = FileFormat::Json)]
        format: FileFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogueFormat {
    /// Series, offerings and their sessions in one JSON document.
    Json,
    /// The offerings CSV.
    OfferingsCsv,
    /// The sessions CSV.
    SessionsCsv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a person with one or more roles. The password is read from
    /// standard input with --password-stdin, or generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, visit_lead, visitor, school_leader or department_head;
        /// repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The code of the school a school leader belongs to.
        #[arg(long, conflicts_with = "department")]
        school: Option<String>,
        /// The name of the department a visitor or department head belongs to.
        #[arg(long)]
        department: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        invite: InviteArgs,
    },
    /// Set a new password and end all the person's sessions. The password is
    /// read from standard input with --password-stdin, or generated and
    /// printed once.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a person and end all their sessions.
    Deactivate {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create an API token for a person, printed once. It carries exactly
    /// that person's rights.
    Create {
        #[arg(long)]
        email: String,
        /// What will use the token.
        #[arg(long, default_value = "command line")]
        name: String,
    },
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

    /// Seconds without a request after which a session ends (default 30
    /// minutes: a tablet left on a table is signed out before the next class).
    #[arg(long, env = "SESSION_IDLE_SECONDS", default_value_t = 30 * 60)]
    pub session_idle_seconds: u64,

    /// Seconds after sign-in at which a session ends however active (default
    /// 10 hours: one school day).
    #[arg(long, env = "SESSION_LIFETIME_SECONDS", default_value_t = 10 * 60 * 60)]
    pub session_lifetime_seconds: u64,

    /// The longest wait, in seconds, that repeated failed sign-ins impose on
    /// an account or a client address.
    #[arg(long, env = "SIGN_IN_DELAY_CAP_SECONDS", default_value_t = 60)]
    pub sign_in_delay_cap_seconds: u64,

    /// Take the client address from the X-Forwarded-For / Forwarded headers
    /// (only behind a proxy that sets them); otherwise the peer address.
    #[arg(long, env = "TRUST_PROXY")]
    pub trust_proxy: bool,

    /// The SMTP server email goes through, in lettre's URL form:
    /// `smtp://user:password@host:587?tls=required`, `smtps://host`, or
    /// `smtp://127.0.0.1:25`. Without it, development writes each message as
    /// an .eml file into MAIL_DIR; production refuses to start.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of every message, e.g. `Campus visits <visits@district.org>`
    /// (default: no-reply at the host of BASE_URL).
    #[arg(long, env = "MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Where development keeps messages when SMTP_URL is unset (default: a
    /// `mail` folder beside the SQLite file).
    #[arg(long, env = "MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,

    /// Run the mail worker inside `serve` (`false` when workers run apart,
    /// as `campus-visits worker`).
    #[arg(long, env = "MAIL_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub mail_worker: bool,

    /// The district's OpenID Provider for single sign-on, by its issuer URL
    /// (`https://accounts.google.com`,
    /// `https://login.microsoftonline.com/<tenant id>/v2.0`). With it (and
    /// OIDC_CLIENT_ID, OIDC_CLIENT_SECRET) the sign-in page offers "Sign in
    /// with DISTRICT_NAME"; the provider calls back to
    /// BASE_URL/sign-in/sso/callback.
    #[arg(long, env = "OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// The client id the provider gave campus-visits.
    #[arg(long, env = "OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// The client secret the provider gave campus-visits.
    #[arg(long, env = "OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,

    /// With single sign-on: make an account at the first sign-in of a
    /// verified email at this domain (`district.org`), with no role until an
    /// administrator grants one. Unset: only people already added sign in.
    #[arg(long, env = "OIDC_ACCOUNT_DOMAIN")]
    pub oidc_account_domain: Option<String>,

    /// Who may sign in with a password: `everyone`, or `break-glass` (only
    /// the administrators of BREAK_GLASS_EMAIL; needs single sign-on).
    #[arg(long, env = "PASSWORD_SIGN_IN", value_enum, default_value_t = PasswordPolicy::Everyone)]
    pub password_sign_in: PasswordPolicy,

    /// The break-glass administrators' emails, comma separated: they sign
    /// in with a password when PASSWORD_SIGN_IN=break-glass.
    #[arg(long, env = "BREAK_GLASS_EMAIL")]
    pub break_glass_email: Option<String>,

    /// The district's name, as the sign-in button says it ("Sign in with
    /// Riverside ISD").
    #[arg(long, env = "DISTRICT_NAME", default_value = "your district account")]
    pub district_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PasswordPolicy {
    Everyone,
    BreakGlass,
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
    pub session_idle: Duration,
    pub session_lifetime: Duration,
    pub sign_in_delay_cap: Duration,
    pub trust_proxy: bool,
    pub mail: MailConfig,
    /// Single sign-on, when the district has an OpenID Provider.
    pub oidc: Option<OidcConfig>,
    pub district_name: String,
    /// Who may sign in with a password.
    pub password_sign_in: crate::domain::account::PasswordSignIn,
}

/// The district's OpenID Provider and campus-visits' client there.
#[derive(Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Accounts are made at first sign-in for verified emails here.
    pub account_domain: Option<String>,
}

/// Where and how email goes.
#[derive(Clone)]
pub struct MailConfig {
    pub smtp_url: Option<String>,
    pub from: lettre::message::Mailbox,
    pub dir: PathBuf,
    /// The host part of Message-IDs: BASE_URL's host.
    pub host: String,
    /// BASE_URL, for links in messages the worker writes.
    pub base_url: String,
    /// Signs unsubscribe links: SESSION_KEY.
    pub signing_key: String,
    pub worker: bool,
}

impl MailConfig {
    /// The worker these settings describe.
    pub fn worker(&self, db: crate::db::Db) -> anyhow::Result<crate::jobs::Worker> {
        crate::jobs::Worker::new(
            db,
            self.smtp_url.as_deref(),
            self.dir.clone(),
            self.from.clone(),
            &self.host,
            &self.base_url,
            &self.signing_key,
        )
        .map_err(|e| anyhow::anyhow!(e))
    }
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
        let host = base_url
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&base_url)
            .split(['/', ':'])
            .next()
            .unwrap_or("localhost")
            .to_owned();
        if args.smtp_url.is_none() && args.environment == Environment::Production {
            anyhow::bail!("SMTP_URL is required when APP_ENV=production (e.g. smtp://user:password@mail.district.org:587?tls=required)");
        }
        let from = args
            .mail_from
            .clone()
            .unwrap_or_else(|| format!("campus-visits <no-reply@{host}>"));
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM must be an address such as `Campus visits <visits@district.org>`, not {from:?}: {e}"))?;
        let mail = MailConfig {
            smtp_url: args.smtp_url.clone(),
            from,
            dir: args
                .mail_dir
                .clone()
                .unwrap_or_else(|| session_key_path(&global.database_url).with_file_name("mail")),
            host,
            base_url: base_url.clone(),
            signing_key: session_key.clone(),
            worker: args.mail_worker,
        };
        Ok(Self {
            mail,
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
            session_idle: Duration::from_secs(args.session_idle_seconds.max(1)),
            session_lifetime: Duration::from_secs(args.session_lifetime_seconds.max(1)),
            sign_in_delay_cap: Duration::from_secs(args.sign_in_delay_cap_seconds.max(1)),
            trust_proxy: args.trust_proxy,
            oidc: match (
                &args.oidc_issuer,
                &args.oidc_client_id,
                &args.oidc_client_secret,
            ) {
                (None, None, None) => None,
                (Some(issuer), Some(client_id), Some(client_secret)) => Some(OidcConfig {
                    issuer: issuer.trim_end_matches('/').to_owned(),
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                    account_domain: args
                        .oidc_account_domain
                        .as_deref()
                        .map(|d| d.trim().trim_start_matches('@').to_lowercase())
                        .filter(|d| !d.is_empty()),
                }),
                _ => anyhow::bail!(
                    "single sign-on needs all three of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"
                ),
            },
            district_name: args.district_name.trim().to_owned(),
            password_sign_in: match (args.password_sign_in, &args.break_glass_email) {
                (PasswordPolicy::Everyone, _) => crate::domain::account::PasswordSignIn::Everyone,
                (PasswordPolicy::BreakGlass, _) if args.oidc_issuer.is_none() => anyhow::bail!(
                    "PASSWORD_SIGN_IN=break-glass needs single sign-on (OIDC_ISSUER): nobody else could sign in"
                ),
                (PasswordPolicy::BreakGlass, Some(emails)) if !emails.trim().is_empty() => {
                    crate::domain::account::PasswordSignIn::only(emails)
                }
                (PasswordPolicy::BreakGlass, _) => anyhow::bail!(
                    "PASSWORD_SIGN_IN=break-glass needs BREAK_GLASS_EMAIL: the administrators who sign in with a password when the provider is down"
                ),
            },
        })
    }

    /// Whether the app is reached over https, which makes cookies `Secure`.
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The rules for slowing down failed sign-ins to one account.
    /// What handlers and guards need of these settings.
    pub fn web_settings(&self) -> crate::web::Settings {
        crate::web::Settings {
            base_url: self.base_url.clone(),
            https: self.is_https(),
            session_key: self.session_key.clone(),
            trust_proxy: self.trust_proxy,
            session_idle: self.session_idle,
            session_lifetime: self.session_lifetime,
            account_throttle: self.account_throttle(),
            address_throttle: self.address_throttle(),
            password_sign_in: self.password_sign_in.clone(),
        }
    }

    pub fn account_throttle(&self) -> crate::domain::throttle::Policy {
        self.throttle(5)
    }

    /// The same for one client address: more free tries, since a whole
    /// school may share one address.
    pub fn address_throttle(&self) -> crate::domain::throttle::Policy {
        self.throttle(30)
    }

    fn throttle(&self, free: i64) -> crate::domain::throttle::Policy {
        crate::domain::throttle::Policy {
            free,
            base: chrono::Duration::seconds(1),
            cap: chrono::Duration::from_std(self.sign_in_delay_cap)
                .unwrap_or(chrono::Duration::seconds(60)),
            window: chrono::Duration::minutes(15),
        }
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

    #[test]
    fn env_example_names_every_setting_of_serve() {
        use clap::CommandFactory;
        let example = include_str!("../.env.example");
        let named: Vec<String> = example
            .lines()
            .map(|l| l.trim_start_matches('#').trim_start())
            .filter_map(|l| l.split_once('=').map(|(name, _)| name.to_owned()))
            .collect();
        let command = Cli::command();
        let serve = command.find_subcommand("serve").expect("a serve command");
        let mut missing = Vec::new();
        for arg in command.get_arguments().chain(serve.get_arguments()) {
            if let Some(env) = arg.get_env().and_then(|e| e.to_str()) {
                if !named.iter().any(|n| n == env) {
                    missing.push(env.to_owned());
                }
            }
        }
        assert!(missing.is_empty(), ".env.example lacks {missing:?}");
    }

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

/// How large a demo district to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoScale {
    Small,
    Large,
}

/// `--invite`: email each new person an invitation.
#[derive(Debug, Clone, clap::Args)]
pub struct InviteArgs {
    /// Email each new person an invitation (a link that works once, for 7
    /// days, to set their password) instead of giving them a password; the
    /// mail worker of `serve` or `worker` delivers it.
    #[arg(long)]
    pub invite: bool,
    /// The address people use to reach the app, for the invitation link.
    #[arg(long, env = "BASE_URL", default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
    /// With single sign-on on (OIDC_ISSUER set), the invitation offers
    /// "Sign in with DISTRICT_NAME".
    #[arg(long, env = "OIDC_ISSUER", hide = true)]
    pub oidc_issuer: Option<String>,
    #[arg(
        long,
        env = "DISTRICT_NAME",
        default_value = "your district account",
        hide = true
    )]
    pub district_name: String,
}

impl InviteArgs {
    /// How to make the links, when inviting.
    pub fn invite(&self) -> Option<crate::web::actions::users::Invite> {
        self.invite.then(|| crate::web::actions::users::Invite {
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            sso: self
                .oidc_issuer
                .as_ref()
                .map(|_| self.district_name.clone()),
        })
    }
}
