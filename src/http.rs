//! HTTP routes: GraphQL over POST and websockets, GraphiQL, health and metrics, plus the
//! layers every request passes (body limit, CORS, tracing, metrics).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::http::{GraphiQLSource, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{MatchedPath, Request, State, WebSocketUpgrade};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use diesel::connection::SimpleConnection;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::db::Db;
use crate::graphql::{loaders, AppSchema};
use crate::metrics::Metrics;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub db: Db,
    pub metrics: Arc<Metrics>,
}

/// The routes and layers of the app.
pub fn router(state: AppState, config: &Config) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(cors(config))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

fn cors(config: &Config) -> CorsLayer {
    let origins = config.cors_origin_list();
    let layer = CorsLayer::new()
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .max_age(Duration::from_secs(3600));
    if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
        layer.allow_origin(AllowOrigin::list(list))
    }
}

async fn graphql(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    let mut request = request.into_inner();
    loaders::install(&mut request.data, &state.db);
    state.schema.execute(request).await.into()
}

async fn graphql_ws(State(state): State<AppState>, protocol: GraphQLProtocol, upgrade: WebSocketUpgrade) -> Response {
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |stream| {
        let db = state.db.clone();
        GraphQLWebSocket::new(stream, state.schema.clone(), protocol)
            .on_connection_init(move |_payload| async move {
                let mut data = Data::default();
                loaders::install(&mut data, &db);
                Ok(data)
            })
            .keepalive_timeout(Duration::from_secs(30))
            .serve()
    })
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").title("isp-billing").finish(),
    )
}

/// 200 when the database answers within two seconds, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    let check = state.db.read(|conn| conn.batch_execute("SELECT 1").map_err(Into::into));
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

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
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
