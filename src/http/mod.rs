//! HTTP routes: GraphQL over POST, GET and websockets, GraphiQL, health and metrics, plus the
//! layers every request passes (body limit, CORS, the access log, metrics). How connections are
//! accepted and bounded is in `server`.

mod access_log;
mod documents;
mod einvoice;
pub mod fair;
mod graphiql;
mod graphql;
mod params;
pub mod pay;
mod places;
pub mod proxies;
pub mod radius;
pub mod radius_access;
mod reports;
pub mod server;
pub mod starting;
mod webhooks;
mod websocket;

use crate::error::codes;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::config::Config;
use crate::db::Db;
use crate::graphql::AppSchema;
use crate::metrics::Metrics;
pub use server::RETRY_AFTER_SECONDS;

/// CSV reports produced at once; more wait (at most 5 s, then `BUSY`).
pub const MAX_EXPORTS: usize = 2;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The schema with request hooks, for websockets.
    pub schema: AppSchema,
    /// The same schema without extensions, for `POST /graphql` (see `graphql::build_http_schema`).
    pub http_schema: AppSchema,
    pub db: Db,
    /// Where CSV reports read: the read replica when there is one, else [`AppState::db`].
    pub reporting_db: Db,
    pub metrics: Arc<Metrics>,
    /// Time between websocket pings.
    pub ws_ping: Duration,
    /// How long one GraphQL request may run before it is stopped.
    pub request_timeout: Duration,
    /// Largest request body, and largest websocket message.
    pub max_body_bytes: usize,
    /// The bearer token `/metrics` asks of callers that are not on this machine.
    pub metrics_token: Option<String>,
    /// The caps on websockets and subscriptions (sockets per account are taken at login).
    pub schema_limits: crate::graphql::socket_limits::SubscriptionLimits,
    /// Becomes `true` when the server shuts down (websockets then close).
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// Secrets key and public address, for gateway notifications.
    pub gateways: crate::gateways::service::GatewaySettings,
    pub outbox: crate::notifications::Outbox,
    pub events: crate::events::Events,
    /// Threads for PDF rendering, with a share per account.
    pub renderer: Arc<fair::FairPool>,
    /// CSV reports being produced at once (each reads the database for as long as it takes),
    /// so that downloads never take every read connection.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The peers whose `X-Forwarded-For` / `Forwarded` headers name the client (`ISP_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<proxies::TrustedProxies>,
    /// The `/radius/*` endpoints; `None` while they are off.
    pub radius: Option<radius::Radius>,
    /// Look-ups by customer number on `/pay` allowed per address an hour.
    pub pay_lookups: pay::LookupLimit,
}

/// The routes and layers of the app.
pub fn router(state: AppState, config: &Config) -> Router {
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(websocket::upgrade))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/invoices/{file}", get(documents::invoice))
        .route("/credit-notes/{file}", get(documents::credit_note))
        .route("/receipt-vouchers/{file}", get(documents::receipt_voucher))
        .route("/invoices/{id}/einvoice.json", get(einvoice::invoice))
        .route("/credit-notes/{id}/einvoice.json", get(einvoice::credit_note))
        .route("/reports/gstr1.json", get(documents::gstr1_json))
        .route("/reports/gstr1/{file}", get(documents::gstr1_csv))
        .route("/reports/{file}", get(reports::csv))
        .route(
            "/webhooks/{provider}/{gateway}",
            post(webhooks::post_notification).layer(DefaultBodyLimit::max(webhooks::MAX_BODY_BYTES)),
        )
        .route("/radius/{section}", post(radius::call).layer(DefaultBodyLimit::max(radius::MAX_BODY_BYTES)))
        .route("/pay", get(pay::get).post(pay::post).layer(DefaultBodyLimit::max(4096)))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(cors(config))
        // One INFO line per request: method, path, status, latency, operation, account, errors.
        .layer(middleware::from_fn(access_log::log_request))
        .with_state(state)
}

fn cors(config: &Config) -> CorsLayer {
    let origins = config.cors_origin_list();
    let layer = CorsLayer::new()
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        // What the README tells a frontend to send: the token, and a key that makes a money
        // mutation safe to retry.
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, HeaderName::from_static("idempotency-key")])
        // What a page needs to read: a download's file name, and when to try again after BUSY.
        .expose_headers([header::CONTENT_DISPOSITION, header::RETRY_AFTER])
        .max_age(Duration::from_secs(3600));
    if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
        layer.allow_origin(AllowOrigin::list(list))
    }
}

/// The client's address: the connection's peer, or the address a trusted proxy forwarded
/// (`ISP_TRUSTED_PROXIES`, see [`proxies`]).
fn client_address(
    state: &AppState,
    connect_info: Option<&Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> String {
    connect_info.map_or_else(
        || "unknown".to_owned(),
        |Extension(ConnectInfo(addr))| state.trusted_proxies.client(addr.ip(), headers).to_string(),
    )
}

/// 200 when the database answers within two seconds, 503 otherwise. The check has a
/// connection of its own, so a pool taken by requests does not make a healthy server look down.
async fn healthz(State(state): State<AppState>) -> Response {
    let check = state.db.ping();
    let backend = match state.db.backend() {
        crate::db::Backend::Sqlite => "sqlite",
        crate::db::Backend::Postgres => "postgres",
    };
    match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Ok(())) => Json(serde_json::json!({"status": "ok", "database": "ok", "backend": backend})).into_response(),
        outcome => {
            let reason = match outcome {
                Ok(Err(e)) => e.message(),
                _ => "timed out".to_owned(),
            };
            tracing::warn!(%reason, "health check failed");
            let body = serde_json::json!({"status": "unavailable", "database": "unreachable", "backend": backend});
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

/// Prometheus text, for a caller on this machine (loopback) or one that sends
/// `Authorization: Bearer <ISP_METRICS_TOKEN>`; anyone else gets 401.
async fn metrics(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let caller = connect_info.map(|Extension(ConnectInfo(addr))| addr.ip());
    let sent = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(crate::auth::bearer_token);
    if !may_read_metrics(caller, state.metrics_token.as_deref(), sent) {
        let body = "metrics are for this machine, or send Authorization: Bearer <ISP_METRICS_TOKEN>\n";
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

/// Whether a caller at `caller` that sent bearer token `sent` may read the metrics: callers on
/// this machine may; others need the configured token.
fn may_read_metrics(caller: Option<std::net::IpAddr>, expected: Option<&str>, sent: Option<&str>) -> bool {
    let loopback = caller.is_some_and(|ip| ip.is_loopback());
    let token_ok = match (expected, sent) {
        (Some(expected), Some(sent)) => constant_time_eq(expected.as_bytes(), sent.as_bytes()),
        _ => false,
    };
    loopback || token_ok
}

/// Compares two secrets in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Stops a request (reading its body included) a second past its deadline; the GraphQL
/// handlers stop their own work at the deadline itself and answer with a GraphQL error.
async fn deadline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.request_timeout + Duration::from_secs(1), next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let message = format!("the request took longer than {} seconds", state.request_timeout.as_secs());
            let body = serde_json::json!({"errors": [{"message": message, "extensions": {"code": codes::TIMEOUT}}]});
            (StatusCode::REQUEST_TIMEOUT, Json(body)).into_response()
        }
    }
}

async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    state.metrics.observe(&method, &route, response.status().as_u16(), started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn metrics_are_for_this_machine_or_the_token() {
        let (local, remote) = ("127.0.0.1".parse().ok(), "203.0.113.9".parse().ok());
        assert!(super::may_read_metrics(local, None, None));
        assert!(!super::may_read_metrics(remote, None, None));
        assert!(!super::may_read_metrics(remote, None, Some("anything")));
        assert!(!super::may_read_metrics(remote, Some("s3cret"), Some("wrong")));
        assert!(super::may_read_metrics(remote, Some("s3cret"), Some("s3cret")));
        assert!(!super::may_read_metrics(None, Some("s3cret"), None));
    }

    #[test]
    fn compares_secrets_whole() {
        assert!(super::constant_time_eq(b"secret", b"secret"));
        assert!(!super::constant_time_eq(b"secret", b"secreT"));
        assert!(!super::constant_time_eq(b"secret", b"secret2"));
    }
}
