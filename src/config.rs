//! Settings: one flag and one environment variable per setting (see README).

use std::net::SocketAddr;

/// Runtime settings shared by every subcommand that touches the database or serves HTTP.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database: a SQLite file path (or `sqlite://path`), or a `postgres://` URL.
    #[arg(long, env = "DATABASE_URL", default_value = "ispbilling.db", global = true)]
    pub database_url: String,

    /// Address and port the HTTP server listens on.
    #[arg(long, env = "ISP_BIND", default_value = "127.0.0.1:8000", global = true)]
    pub bind: SocketAddr,

    /// Largest number of pooled database connections.
    #[arg(long, env = "ISP_DB_POOL_SIZE", default_value_t = 8, global = true)]
    pub db_pool_size: u32,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "ISP_MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// Origins allowed by CORS, comma separated; `*` allows any; empty sends no CORS headers.
    #[arg(long, env = "ISP_CORS_ORIGINS", default_value = "", global = true)]
    pub cors_origins: String,

    /// Hours a login token works.
    #[arg(long, env = "ISP_TOKEN_TTL_HOURS", default_value_t = 12, global = true)]
    pub token_ttl_hours: u64,

    /// Failed logins (per username, and per client address) that lock further attempts.
    #[arg(long, env = "ISP_LOGIN_MAX_FAILURES", default_value_t = 10, global = true)]
    pub login_max_failures: i64,

    /// Minutes failed logins count against a username or address (and so a lock lasts).
    #[arg(long, env = "ISP_LOGIN_LOCK_MINUTES", default_value_t = 15, global = true)]
    pub login_lock_minutes: u64,

    /// Seconds between the server's pings on an open websocket (keeps idle connections alive
    /// through proxies).
    #[arg(long, env = "ISP_WS_PING_SECONDS", default_value_t = 15, global = true)]
    pub ws_ping_seconds: u64,

    /// Where notifications are POSTed for an SMS or WhatsApp gateway (empty: no webhook).
    #[arg(long, env = "ISP_WEBHOOK_URL", default_value = "", global = true)]
    pub webhook_url: String,

    /// New connection requests accepted from one client address per hour.
    #[arg(long, env = "ISP_CONNECTION_REQUESTS_PER_HOUR", default_value_t = 5, global = true)]
    pub connection_requests_per_hour: i64,

    /// Key that signs webhook bodies (HMAC-SHA256 in `X-Isp-Signature`); from the environment
    /// only (`ISP_WEBHOOK_SECRET`).
    #[arg(skip)]
    pub webhook_secret: Option<String>,

    /// Password of the `admin` account made on the first start; read from the environment
    /// only (`ISP_ADMIN_PASSWORD`), never from a flag, so it does not show in `ps`.
    #[arg(skip)]
    pub admin_password: Option<String>,
}

impl Config {
    /// Settings for an app on the given database, everything else at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Config {
            database_url: database_url.into(),
            bind: "127.0.0.1:0".parse().expect("static address"),
            db_pool_size: 8,
            max_body_bytes: 1024 * 1024,
            cors_origins: String::new(),
            token_ttl_hours: 12,
            login_max_failures: 10,
            login_lock_minutes: 15,
            ws_ping_seconds: 15,
            webhook_url: String::new(),
            connection_requests_per_hour: 5,
            webhook_secret: None,
            admin_password: None,
        }
    }

    /// Reads the settings that have no flag from the environment.
    pub fn with_environment(mut self) -> Self {
        self.admin_password = std::env::var("ISP_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
        self.webhook_secret = std::env::var("ISP_WEBHOOK_SECRET").ok().filter(|p| !p.is_empty());
        self
    }

    /// Login and token settings.
    pub fn auth_settings(&self) -> crate::auth::AuthSettings {
        crate::auth::AuthSettings {
            token_ttl: std::time::Duration::from_secs(self.token_ttl_hours.max(1) * 3600),
            max_failures: self.login_max_failures.max(1),
            lock_window: std::time::Duration::from_secs(self.login_lock_minutes * 60),
        }
    }

    /// The CORS origins as a list, without blanks.
    pub fn cors_origin_list(&self) -> Vec<String> {
        self.cors_origins.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
}
