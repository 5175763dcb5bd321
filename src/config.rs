//! Settings: one flag and one environment variable per setting (see README).

use std::net::SocketAddr;

/// Runtime settings shared by every subcommand that touches the database or serves HTTP.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database: a SQLite file path (or `sqlite://path`), or a `postgres://` URL.
    #[arg(long, env = "DATABASE_URL", default_value = "ispbilling.db", global = true)]
    pub database_url: String,

    /// A read replica of the PostgreSQL database (empty: none): the dashboard, the reports and
    /// CSV exports read there (they lag the database by the replica's delay); everything else,
    /// and every check a write makes, uses `DATABASE_URL`.
    #[arg(long, env = "DATABASE_READ_URL", default_value = "", global = true)]
    pub database_read_url: String,

    /// Address and port the HTTP server listens on.
    #[arg(long, env = "ISP_BIND", default_value = "127.0.0.1:8000", global = true)]
    pub bind: SocketAddr,

    /// Largest number of pooled database connections.
    #[arg(long, env = "ISP_DB_POOL_SIZE", default_value_t = 8, global = true)]
    pub db_pool_size: u32,

    /// How SQLite makes commits durable: `full` (every acknowledged commit survives a power
    /// cut) or `normal` (faster; a power cut can lose the last commits).
    #[arg(long, env = "ISP_SQLITE_SYNCHRONOUS", value_enum, default_value_t = crate::db::SqliteSync::Full, global = true)]
    pub sqlite_synchronous: crate::db::SqliteSync,

    /// Directory for the daily automatic backup (empty: none). SQLite: a checked copy of the
    /// database; PostgreSQL: a `pg_dump` when it is installed.
    #[arg(long, env = "ISP_BACKUP_DIR", default_value = "", global = true)]
    pub backup_dir: String,

    /// How many daily backups to keep (the oldest go first).
    #[arg(long, env = "ISP_BACKUP_KEEP", default_value_t = 7, global = true)]
    pub backup_keep: usize,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "ISP_MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// Origins allowed by CORS, comma separated; `*` allows any; empty sends no CORS headers.
    #[arg(long, env = "ISP_CORS_ORIGINS", default_value = "", global = true)]
    pub cors_origins: String,

    /// Hours a login token works.
    #[arg(long, env = "ISP_TOKEN_TTL_HOURS", default_value_t = 12, global = true)]
    pub token_ttl_hours: u64,

    /// Seconds a download link (`pdfUrl`, `downloadUrl`) works, never past its session's end.
    #[arg(long, env = "ISP_DOWNLOAD_LINK_SECONDS", default_value_t = 300, global = true)]
    pub download_link_seconds: u64,

    /// Failed logins that lock a (username, client address) pair; from this many on, a
    /// username failing from anywhere (and from three times as many, an address failing for
    /// any usernames) is slowed down with growing delays, never locked.
    #[arg(long, env = "ISP_LOGIN_MAX_FAILURES", default_value_t = 10, global = true)]
    pub login_max_failures: i64,

    /// Minutes failed logins count (and so a lock, or a username's slow-down, lasts).
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

    /// Look-ups by customer number and mobile on the walled garden's `/pay` page accepted from
    /// one client address per hour (more are answered 429).
    #[arg(long, env = "ISP_PAY_LOOKUPS_PER_HOUR", default_value_t = 10, global = true)]
    pub pay_lookups_per_hour: i64,

    /// Seconds one GraphQL request may run (reading its body included) before it is stopped and
    /// answered with a `TIMEOUT` error.
    #[arg(long, env = "ISP_REQUEST_TIMEOUT_SECONDS", default_value_t = 30, global = true)]
    pub request_timeout_seconds: u64,

    /// Most open client connections (websockets included); more are answered 503 and closed.
    #[arg(long, env = "ISP_MAX_CONNECTIONS", default_value_t = 1024, global = true)]
    pub max_connections: usize,

    /// Most open connections from one client address (one address cannot take every place).
    #[arg(long, env = "ISP_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 256, global = true)]
    pub max_connections_per_address: usize,

    /// Most open websockets of one account.
    #[arg(long, env = "ISP_WS_MAX_SOCKETS_PER_ACCOUNT", default_value_t = 20, global = true)]
    pub ws_max_sockets_per_account: usize,

    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` headers name the client
    /// (addresses or CIDR ranges, comma-separated; empty: none). Their connections are also
    /// not held to the per-address connection cap.
    #[arg(long, env = "ISP_TRUSTED_PROXIES", default_value = "", value_parser = crate::http::proxies::TrustedProxies::parse, global = true)]
    pub trusted_proxies: crate::http::proxies::TrustedProxies,

    /// The header the trusted proxies write the client into: `x-forwarded-for` or `forwarded`.
    /// Only that one is read (a proxy passes the other through as the client sent it).
    #[arg(long, env = "ISP_PROXY_HEADER", value_enum, default_value_t = crate::http::proxies::ProxyHeader::XForwardedFor, global = true)]
    pub proxy_header: crate::http::proxies::ProxyHeader,

    /// Seconds a client may take to send a request's headers (when connection places run
    /// short, a connection that has sent nothing for a second is closed sooner; see the README).
    #[arg(long, env = "ISP_HEADER_TIMEOUT_SECONDS", default_value_t = 5, global = true)]
    pub header_timeout_seconds: u64,

    /// Seconds a connection may stay silent in both directions before it is closed (at least
    /// three websocket ping intervals, so live dashboards stay connected).
    #[arg(long, env = "ISP_IDLE_TIMEOUT_SECONDS", default_value_t = 60, global = true)]
    pub idle_timeout_seconds: u64,

    /// Most live subscriptions on one websocket.
    #[arg(long, env = "ISP_WS_MAX_SUBSCRIPTIONS", default_value_t = 20, global = true)]
    pub ws_max_subscriptions: usize,

    /// Most live subscriptions of one account, over all its websockets.
    #[arg(long, env = "ISP_MAX_SUBSCRIPTIONS_PER_ACCOUNT", default_value_t = 100, global = true)]
    pub max_subscriptions_per_account: usize,

    /// Business time zone (tz database name): what "today", "this month", business dates and
    /// invoice numbers mean. Timestamps are stored in UTC whatever it is.
    #[arg(long, env = "ISP_TIME_ZONE", default_value = "Asia/Kolkata", value_parser = crate::clock::parse_zone, global = true)]
    pub time_zone: chrono_tz::Tz,

    /// Whether the server runs the billing cycle every day by itself (`true` or `false`).
    #[arg(long, env = "ISP_BILLING_CYCLE", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub billing_cycle: bool,

    /// Time of day (business time zone, HH:MM) the daily billing cycle runs at.
    #[arg(long, env = "ISP_BILLING_CYCLE_AT", default_value = "02:00", value_parser = crate::billing_cycle::scheduler::parse_time, global = true)]
    pub billing_cycle_at: chrono::NaiveTime,

    /// Seconds a server's lease on a background job lasts when several servers share one
    /// PostgreSQL (the job runs on the one holding it, renewed every third of this): when that
    /// server dies, another takes the job over within this and a third.
    #[arg(long, env = "ISP_JOB_LEASE_SECONDS", default_value_t = 20, global = true)]
    pub job_lease_seconds: u64,

    /// Milliseconds one SQL statement may run on PostgreSQL before the database cancels it
    /// (`statement_timeout`; 0: no limit), so a runaway query cannot hold a connection.
    #[arg(long, env = "ISP_STATEMENT_TIMEOUT_MS", default_value_t = 60_000, global = true)]
    pub statement_timeout_ms: u64,

    /// Bearer token that opens `/metrics` to callers not on this machine; from the environment
    /// only (`ISP_METRICS_TOKEN`). Without it only loopback callers may read metrics.
    #[arg(skip)]
    pub metrics_token: Option<String>,

    /// Key that signs webhook bodies (HMAC-SHA256 in `X-Isp-Signature`); from the environment
    /// only (`ISP_WEBHOOK_SECRET`).
    #[arg(skip)]
    pub webhook_secret: Option<String>,

    /// Address payment gateways reach this server at (scheme, host, port; no path), for the
    /// webhook URLs shown to the operator. Empty: `http://` and the bind address.
    #[arg(long, env = "ISP_PUBLIC_URL", default_value = "", global = true)]
    pub public_url: String,

    /// Key that encrypts stored secrets (payment gateways' webhook secrets): 32 bytes as 64 hex
    /// digits or base64; from the environment only (`ISP_SECRETS_KEY`). Without it, no gateway
    /// secret can be stored.
    #[arg(skip)]
    pub secrets_key: Option<crate::secrets::SecretsKey>,

    /// Key that encrypts identity document numbers (`idProofNo`, Aadhaar numbers) in the vault:
    /// 32 bytes as 64 hex digits or base64, never the secrets key; from the environment only
    /// (`ISP_ID_VAULT_KEY`). Without it no identity number can be stored.
    #[arg(skip)]
    pub id_vault_key: Option<crate::id_vault::key::IdVaultKey>,

    /// Earlier vault keys, comma separated (`ISP_ID_VAULT_OLD_KEYS`): numbers sealed under them
    /// are sealed again under `ISP_ID_VAULT_KEY` at start (a key rotation).
    #[arg(skip)]
    pub id_vault_old_keys: Vec<crate::id_vault::key::IdVaultKey>,

    /// The user FreeRADIUS's rlm_rest logs in as (HTTP Basic) on `/radius/*`; the endpoints
    /// are off (404) until it and `ISP_RADIUS_PASSWORD` are both set.
    #[arg(long, env = "ISP_RADIUS_USER", default_value = "", global = true)]
    pub radius_user: String,

    /// The password of `ISP_RADIUS_USER`; from the environment only (`ISP_RADIUS_PASSWORD`).
    #[arg(skip)]
    pub radius_password: Option<String>,

    /// Addresses and CIDR ranges FreeRADIUS may call `/radius/*` from (comma separated; the
    /// connection's own peer, never a forwarded address).
    #[arg(long, env = "ISP_RADIUS_ALLOW", default_value = "127.0.0.0/8,::1", value_parser = crate::http::proxies::TrustedProxies::parse, global = true)]
    pub radius_allow: crate::http::proxies::TrustedProxies,

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
            database_read_url: String::new(),
            bind: "127.0.0.1:0".parse().expect("static address"),
            db_pool_size: 8,
            sqlite_synchronous: crate::db::SqliteSync::Full,
            backup_dir: String::new(),
            backup_keep: 7,
            max_body_bytes: 1024 * 1024,
            cors_origins: String::new(),
            token_ttl_hours: 12,
            download_link_seconds: 300,
            login_max_failures: 10,
            login_lock_minutes: 15,
            ws_ping_seconds: 15,
            webhook_url: String::new(),
            connection_requests_per_hour: 5,
            pay_lookups_per_hour: 10,
            request_timeout_seconds: 30,
            max_connections: 1024,
            max_connections_per_address: 256,
            ws_max_sockets_per_account: 20,
            header_timeout_seconds: 5,
            trusted_proxies: crate::http::proxies::TrustedProxies::default(),
            proxy_header: crate::http::proxies::ProxyHeader::XForwardedFor,
            idle_timeout_seconds: 60,
            ws_max_subscriptions: 20,
            max_subscriptions_per_account: 100,
            time_zone: crate::clock::DEFAULT_ZONE,
            // Tests and embedders run the cycle when they ask for it (`runBillingCycle`).
            billing_cycle: false,
            billing_cycle_at: chrono::NaiveTime::from_hms_opt(2, 0, 0).unwrap_or_default(),
            job_lease_seconds: 20,
            statement_timeout_ms: 60_000,
            metrics_token: None,
            webhook_secret: None,
            public_url: String::new(),
            secrets_key: None,
            id_vault_key: None,
            id_vault_old_keys: Vec::new(),
            admin_password: None,
            radius_user: String::new(),
            radius_password: None,
            radius_allow: crate::http::proxies::TrustedProxies::parse("127.0.0.0/8,::1").unwrap_or_default(),
        }
    }

    /// Reads the settings that have no flag from the environment.
    pub fn with_environment(mut self) -> Self {
        self.admin_password = std::env::var("ISP_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
        self.webhook_secret = std::env::var("ISP_WEBHOOK_SECRET").ok().filter(|p| !p.is_empty());
        self.metrics_token = std::env::var("ISP_METRICS_TOKEN").ok().filter(|p| !p.trim().is_empty());
        self.radius_password = std::env::var("ISP_RADIUS_PASSWORD").ok().filter(|p| !p.is_empty());
        self
    }

    /// Reads `ISP_SECRETS_KEY`; a key that is set but not 32 bytes is an error (the server
    /// does not start with a key it cannot use).
    pub fn with_secrets_key(mut self) -> Result<Self, String> {
        self.secrets_key = match std::env::var("ISP_SECRETS_KEY") {
            Ok(text) if !text.trim().is_empty() => Some(crate::secrets::SecretsKey::parse(&text)?),
            _ => None,
        };
        Ok(self)
    }

    /// Reads `ISP_ID_VAULT_KEY` and `ISP_ID_VAULT_OLD_KEYS`; a key that is not 32 bytes, or the
    /// same as `ISP_SECRETS_KEY`, is an error (the server does not start).
    pub fn with_id_vault_keys(mut self) -> Result<Self, String> {
        use crate::id_vault::key::IdVaultKey;
        let var = |name: &str| std::env::var(name).ok().filter(|t| !t.trim().is_empty());
        self.id_vault_key = var("ISP_ID_VAULT_KEY").map(|t| IdVaultKey::parse(&t, "ISP_ID_VAULT_KEY")).transpose()?;
        self.id_vault_old_keys = var("ISP_ID_VAULT_OLD_KEYS")
            .map(|t| {
                t.split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(|k| IdVaultKey::parse(k, "each of ISP_ID_VAULT_OLD_KEYS"))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        if let (Some(vault), Some(secrets)) = (var("ISP_ID_VAULT_KEY"), var("ISP_SECRETS_KEY")) {
            if vault.trim() == secrets.trim() {
                return Err("ISP_ID_VAULT_KEY must be a key of its own, not ISP_SECRETS_KEY (make one with \
                            `openssl rand -hex 32`)"
                    .to_owned());
            }
        }
        Ok(self)
    }

    /// The identity vault's keys.
    pub fn id_vault(&self) -> crate::id_vault::key::IdVault {
        crate::id_vault::key::IdVault { current: self.id_vault_key.clone(), old: self.id_vault_old_keys.clone() }
    }

    /// What payment gateways need of the settings.
    pub fn gateway_settings(&self) -> crate::gateways::service::GatewaySettings {
        let public_url = match self.public_url.trim() {
            "" => format!("http://{}", self.bind),
            url => url.trim_end_matches('/').to_owned(),
        };
        crate::gateways::service::GatewaySettings { secrets_key: self.secrets_key.clone(), public_url }
    }

    /// How download links are made: their lifetime, and the public address they start with
    /// (none without `ISP_PUBLIC_URL`: then they are paths on the API's address).
    pub fn download_links(&self) -> crate::downloads::links::Settings {
        crate::downloads::links::Settings {
            lifetime: std::time::Duration::from_secs(self.download_link_seconds.max(1)),
            public_url: self.public_url.trim().trim_end_matches('/').to_owned(),
        }
    }

    /// The `/radius/*` endpoints' login and allowlist; `None` (endpoints off) unless both
    /// `ISP_RADIUS_USER` and `ISP_RADIUS_PASSWORD` are set.
    pub fn radius_access(&self) -> Option<crate::http::radius_access::Access> {
        let user = self.radius_user.trim();
        match (user.is_empty(), &self.radius_password) {
            (false, Some(password)) => Some(crate::http::radius_access::Access {
                user: user.to_owned(),
                password: password.clone(),
                allow: self.radius_allow.clone(),
            }),
            _ => None,
        }
    }

    /// Login and token settings.
    pub fn auth_settings(&self) -> crate::auth::AuthSettings {
        crate::auth::AuthSettings {
            token_ttl: std::time::Duration::from_secs(self.token_ttl_hours.max(1) * 3600),
            max_failures: self.login_max_failures.max(1),
            lock_window: std::time::Duration::from_secs(self.login_lock_minutes * 60),
        }
    }

    /// How long a server's lease on a background job lasts (`cluster::leases`).
    pub fn job_lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.job_lease_seconds.max(1))
    }

    /// How long one request may run.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.request_timeout_seconds.max(1))
    }

    /// The bounds on client connections.
    pub fn connection_limits(&self) -> crate::http::server::ConnectionLimits {
        let secs = std::time::Duration::from_secs;
        crate::http::server::ConnectionLimits {
            max_connections: self.max_connections.max(1),
            max_per_address: self.max_connections_per_address.max(1),
            header_timeout: secs(self.header_timeout_seconds.max(1)),
            idle_timeout: secs(self.idle_timeout_seconds.max(self.ws_ping_seconds.max(1) * 3 + 5)),
            drain_timeout: self.request_timeout() + secs(5),
            trusted_proxies: std::sync::Arc::new(self.trusted_proxies()),
        }
    }

    /// The reverse proxies whose forwarding headers are believed.
    pub fn trusted_proxies(&self) -> crate::http::proxies::TrustedProxies {
        self.trusted_proxies.clone().reading(self.proxy_header)
    }

    /// The CORS origins as a list, without blanks.
    pub fn cors_origin_list(&self) -> Vec<String> {
        self.cors_origins.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
}
