//! isp-billing: a GraphQL billing backend for Indian ISPs and cable-TV operators.
//!
//! [`build_app`] assembles the whole server; the binary and the integration tests both use it.

// The merged `Query` root (one member per area, `graphql/mod.rs`) is a chain of nested
// async-graphql futures; with 25 members their layout needs more than the default 128 levels.
#![recursion_limit = "256"]

pub mod addons;
pub mod amendments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod billing_cycle;
pub mod clock;
pub mod cluster;
pub mod companies;
pub mod complaints;
pub mod config;
pub mod connection_requests;
pub mod credit_notes;
pub mod csv;
pub mod customers;
pub mod dashboard;
pub mod db;
pub mod documents;
pub mod downloads;
pub mod einvoice;
pub mod employees;
pub mod enums;
pub mod error;
pub mod events;
pub mod expenses;
pub mod gateways;
pub mod graphql;
pub mod gst_periods;
pub mod gstr1;
pub mod hex;
pub mod http;
pub mod id_vault;
pub mod idempotency;
pub mod ids;
pub mod invoices;
#[cfg(test)]
mod layers;
pub mod ledger;
pub mod localities;
pub mod metrics;
pub mod money;
pub mod network;
pub mod notifications;
pub mod numbers;
pub mod payments;
pub mod plan_changes;
pub mod plans;
pub mod receipt_vouchers;
pub mod reference;
pub mod referrers;
pub mod refunds;
pub mod reports;
pub mod secrets;
pub mod secrets_check;
pub mod seed;
pub mod series;
pub mod service_pauses;
pub mod settlement;
pub mod simulate;
pub mod states;
pub mod suggest;
pub mod validate;

use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;

use crate::config::Config;
use crate::db::Db;
use crate::metrics::Metrics;

/// The assembled app: its router and the handles tests and the binary may want.
pub struct App {
    pub router: Router,
    pub limits: http::server::ConnectionLimits,
    /// Set on shutdown: connections finish, websockets close.
    pub stop: tokio::sync::watch::Sender<bool>,
    /// The random password of the first admin, when this start created that account.
    pub first_admin_password: Option<String>,
    pub db: Db,
    pub metrics: Arc<Metrics>,
    /// The background jobs' leases: given back when serving stops.
    pub leases: cluster::leases::Leases,
}

/// Connects to the database, applies pending migrations and builds the router.
pub async fn build_app(config: &Config) -> anyhow::Result<App> {
    let metrics = Arc::new(Metrics::default());
    let db = open_database(config, &metrics).await?;
    // Before anything can seal or open a secret: a key that is not this database's stops here.
    secrets_check::verify(&db, config.secrets_key.as_ref()).await?;
    // The same for the identity vault's key; numbers from before the vault are sealed now.
    id_vault::service::verify(&db, &config.id_vault()).await?;
    let first_admin_password = employees::bootstrap::ensure_first_admin(&db, config.admin_password.clone()).await?;
    let reporting = match config.database_read_url.trim() {
        "" => db.clone(),
        replica => {
            let replica = Config { database_url: replica.to_owned(), ..config.clone() };
            connect(&replica, &metrics).await.context("connecting to the read replica (DATABASE_READ_URL)")?
        }
    };
    let events = events::Events::for_server(db.origin());
    // Several servers on one PostgreSQL: other servers' events reach this one's subscribers,
    // and each background job runs on one server at a time (src/cluster/).
    let leases = match db.backend() {
        db::Backend::Postgres => {
            cluster::listener::spawn(
                config.database_url.clone(),
                events.peer_feed().with_network(db.network_sender()),
                db.doorbell(),
            );
            let leases = cluster::leases::Leases::start(&config.database_url, config.job_lease(), Arc::clone(&metrics));
            cluster::feed::spawn_pruning(&leases, db.clone());
            leases
        }
        db::Backend::Sqlite => cluster::leases::Leases::local(Arc::clone(&metrics)),
    };
    let outbox = notifications::Outbox { webhook: !config.webhook_url.trim().is_empty() };
    let subscription_limits = graphql::socket_limits::SubscriptionLimits::new(
        config.ws_max_subscriptions.max(1),
        config.max_subscriptions_per_account.max(1),
        config.ws_max_sockets_per_account.max(1),
    );
    let billing = billing_cycle::scheduler::Runner::new(billing_cycle::service::Cycle {
        db: db.clone(),
        outbox,
        events: events.clone(),
    });
    if config.billing_cycle {
        billing_cycle::scheduler::spawn(&leases, billing.clone(), config.billing_cycle_at);
    }
    let data = graphql::SchemaData {
        db: db.clone(),
        auth: config.auth_settings(),
        events: events.clone(),
        outbox,
        connection_requests_per_hour: connection_requests::graphql::RequestLimit(config.connection_requests_per_hour),
        subscription_limits: subscription_limits.clone(),
        request_timeout: graphql::RequestTimeout(config.request_timeout()),
        billing: billing.clone(),
        gateways: config.gateway_settings(),
        download_links: config.download_links(),
        id_vault: config.id_vault(),
        reporting: graphql::context::ReportingDb(reporting.clone()),
    };
    let schema = graphql::build_schema(Some(data.clone()));
    let http_schema = graphql::build_http_schema(data);
    notifications::reminders::spawn(&leases, db.clone(), outbox, events.clone());
    backup::spawn_daily(
        &leases,
        db.clone(),
        config.database_url.clone(),
        config.backup_dir.clone(),
        config.backup_keep,
    );
    id_vault::retention::spawn_daily(&leases, db.clone());
    if outbox.webhook {
        let hook = notifications::webhook::Webhook {
            url: config.webhook_url.trim().to_owned(),
            secret: config.webhook_secret.clone(),
        };
        notifications::webhook::spawn(&leases, db.clone(), hook);
    }
    // The network: logins in memory for /radius/authorize, NAS requests after status changes.
    let snapshot = network::snapshot::Snapshot::default();
    let disconnects = network::disconnects::Disconnects::new(db.clone(), config.secrets_key.clone());
    let queue = disconnects.clone();
    network::snapshot::spawn(db.clone(), snapshot.clone(), config.secrets_key.clone(), move |changes| {
        let queue = queue.clone();
        tokio::spawn(async move { queue.queue(changes).await });
    })
    .await
    .map_err(|e| anyhow::Error::from(e).context("reading the network logins"))?;
    disconnects.spawn();
    let radius = config.radius_access().map(|access| http::radius::Radius { access, snapshot: snapshot.clone() });
    let ws_ping = std::time::Duration::from_secs(config.ws_ping_seconds.max(1));
    let stop = tokio::sync::watch::channel(false).0;
    let state = http::AppState {
        schema,
        http_schema,
        db: db.clone(),
        reporting_db: reporting,
        metrics: Arc::clone(&metrics),
        ws_ping,
        request_timeout: config.request_timeout(),
        max_body_bytes: config.max_body_bytes,
        metrics_token: config.metrics_token.clone(),
        stopping: stop.subscribe(),
        schema_limits: subscription_limits,
        gateways: config.gateway_settings(),
        outbox,
        events: events.clone(),
        renderer: Arc::new(http::fair::FairPool::for_this_machine()),
        exports: Arc::new(tokio::sync::Semaphore::new(http::MAX_EXPORTS)),
        trusted_proxies: Arc::new(config.trusted_proxies()),
        radius,
        pay_lookups: http::pay::LookupLimit(config.pay_lookups_per_hour),
    };
    let (router, limits) = (http::router(state, config), config.connection_limits());
    Ok(App { router, limits, stop, first_admin_password, db, metrics, leases })
}

/// The database as the server finds it: the business time zone set, the pool open, pending
/// migrations applied and earlier versions' documents frozen. No account, no background task,
/// no router: what `simulate` needs of its scratch database.
pub async fn open_database(config: &Config, metrics: &Metrics) -> anyhow::Result<Db> {
    crate::clock::use_zone(config.time_zone).map_err(anyhow::Error::msg)?;
    let db = connect(config, metrics).await?;
    let timeout = config.statement_timeout_ms;
    let applied = db
        .read(move |conn| {
            // A migration may rebuild a big table: no statement timeout while it runs. Servers
            // starting together on one PostgreSQL migrate one after the other (the others then
            // find nothing pending).
            db::set_statement_timeout(conn, 0)?;
            db::migration_lock(conn, true)?;
            let applied = db::migrations::run_pending(conn).map_err(|e| error::AppError::Internal(e.to_string()));
            db::migration_lock(conn, false)?;
            db::set_statement_timeout(conn, timeout)?;
            applied
        })
        .await
        .map_err(|e| anyhow::Error::from(e).context("applying database migrations"))?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied database migrations");
    }
    // Invoices and credit notes issued before issued documents were frozen get their record now,
    // as they print today (once; a no-op after).
    let frozen = db
        .write(documents::source::backfill)
        .await
        .map_err(|e| anyhow::Error::from(e).context("freezing the records of issued documents"))?;
    if frozen > 0 {
        tracing::info!(frozen, "froze the records of documents issued before this version");
    }
    Ok(db)
}

/// Serves `app` on `listener` until `shutdown` resolves; requests in flight then finish.
/// (The binary and the tests both serve through here, with the client address available and
/// the connection limits of `http::server`.)
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let leases = app.leases.clone();
    let served = http::server::serve(listener, app.router, app.limits, app.stop, shutdown).await;
    // Another server takes the jobs over now rather than when the leases run out.
    leases.release().await;
    served
}

/// Opens the connection pool (on a blocking thread: connecting is synchronous).
pub async fn connect(config: &Config, metrics: &Metrics) -> anyhow::Result<Db> {
    let (url, size, counter) = (config.database_url.clone(), config.db_pool_size, Arc::clone(&metrics.db_statements));
    let (sync, timeout) = (config.sqlite_synchronous, config.statement_timeout_ms);
    tokio::task::spawn_blocking(move || Db::connect_with(&url, size, counter, sync, timeout))
        .await?
        .with_context(|| format!("connecting to the database at {}", redact(&config.database_url)))
}

/// The URL with any password replaced by `***`, for logs and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("ispbilling.db"), "ispbilling.db");
    }
}
