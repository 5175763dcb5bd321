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
        }
    }

    /// The CORS origins as a list, without blanks.
    pub fn cors_origin_list(&self) -> Vec<String> {
        self.cors_origins.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
}
