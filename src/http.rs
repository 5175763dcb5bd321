//! HTTP routes: GraphQL over POST and websockets, GraphiQL, health and metrics, plus the
//! layers every request passes (body limit, CORS, tracing, metrics).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::http::{GraphiQLSource, WebSocketProtocols, WsMessage, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::Data;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use diesel::connection::SimpleConnection;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::auth;
use crate::config::Config;
use crate::db::Db;
use crate::error::to_graphql_error;
use crate::graphql::{loaders, request_hooks, AppSchema};
use crate::metrics::Metrics;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The schema with request hooks, for websockets.
    pub schema: AppSchema,
    /// The same schema without extensions, for `POST /graphql` (see `graphql::build_http_schema`).
    pub http_schema: AppSchema,
    pub db: Db,
    pub metrics: Arc<Metrics>,
    /// Time between websocket pings.
    pub ws_ping: Duration,
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
        // One INFO line per request (method, path, status, latency).
        .layer(TraceLayer::new_for_http().on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
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

/// The client's address as the connection shows it (no proxy headers are trusted).
fn client_address(connect_info: Option<Extension<ConnectInfo<SocketAddr>>>) -> String {
    connect_info.map_or_else(|| "unknown".to_owned(), |Extension(ConnectInfo(addr))| addr.ip().to_string())
}

async fn graphql(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(auth::bearer_token);
    let auth = match auth::authenticate(&state.db, token, client_address(connect_info)).await {
        Ok(auth) => auth,
        Err(e) => {
            let error = to_graphql_error(&e).into_server_error(Default::default());
            return async_graphql::Response::from_errors(vec![error]).into();
        }
    };
    let mut request = request.into_inner();
    if let Err(e) = request_hooks::parse_and_check(&mut request, &auth) {
        return async_graphql::Response::from_errors(vec![e]).into();
    }
    let mut request = request.data(auth);
    loaders::install(&mut request.data, &state.db);
    let mut response = state.http_schema.execute(request).await;
    request_hooks::code_errors(&mut response);
    response.into()
}

/// The token in a websocket `connection_init` payload, as the common clients send it:
/// `{"Authorization": "Bearer <token>"}` (any case), `{"headers": {"Authorization": ...}}`,
/// `{"token": "<token>"}` or `{"authToken": "<token>"}`.
fn payload_token(payload: &serde_json::Value) -> Option<String> {
    let header = |object: &serde_json::Value| {
        ["Authorization", "authorization"]
            .iter()
            .find_map(|key| object.get(key).and_then(|v| v.as_str()).and_then(auth::bearer_token))
            .map(str::to_owned)
    };
    let plain = |key: &str| {
        payload.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
    };
    header(payload)
        .or_else(|| payload.get("headers").and_then(header))
        .or_else(|| plain("token"))
        .or_else(|| plain("authToken"))
}

async fn graphql_ws(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The first GraphQL subprotocol the client offers (`graphql-transport-ws` or `graphql-ws`).
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| offered.split(',').find_map(|p| p.trim().parse::<WebSocketProtocols>().ok()));
    let Some(protocol) = protocol else {
        return (StatusCode::BAD_REQUEST, "offer the graphql-transport-ws or graphql-ws subprotocol").into_response();
    };
    let address = client_address(connect_info);
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve_websocket(socket, state, protocol, address))
}

/// How long one message may take to reach a client before the connection is dropped as dead.
const WS_SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a new websocket may take to log in (`connection_init`) before it is closed (4408).
const WS_INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs one websocket: GraphQL messages both ways, plus a websocket ping every
/// `ISP_WS_PING_SECONDS` (keeps proxies from closing idle dashboards). A socket that does not
/// log in within [`WS_INIT_TIMEOUT`], or answers nothing (not even pongs) for three ping
/// intervals, is closed. A client that stops reading only stalls its own connection (its
/// subscriptions fall behind and are told so); one that takes longer than [`WS_SEND_TIMEOUT`]
/// to take a message is disconnected.
async fn serve_websocket(socket: WebSocket, state: AppState, protocol: WebSocketProtocols, address: String) {
    let db = state.db.clone();
    let (mut sink, stream) = socket.split();
    // When the client last sent anything (pongs included), in ms since `opened`.
    let opened = Instant::now();
    let heard = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let heard_in = Arc::clone(&heard);
    let input = stream.take_while(|message| std::future::ready(message.is_ok())).filter_map(move |message| {
        let at = u64::try_from(opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        heard_in.store(at, std::sync::atomic::Ordering::Relaxed);
        std::future::ready(match message {
            Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
            _ => None,
        })
    });
    let output = async_graphql::http::WebSocket::new(state.schema.clone(), input, protocol).on_connection_init(
        move |payload| async move {
            // Browsers cannot send headers on a websocket: the token comes in the payload,
            // and without a valid one the connection is refused. Every operation on the
            // socket checks it again (`auth::websocket`), and so does every event.
            let refused =
                || async_graphql::Error::new("log in first: send a valid token in the connection_init payload");
            let token = payload_token(&payload).ok_or_else(refused)?;
            let auth = auth::authenticate(&db, Some(&token), address.clone()).await.map_err(|e| {
                tracing::error!(error = %e.message(), "websocket login check failed");
                async_graphql::Error::new("internal server error")
            })?;
            if auth.principal.is_none() {
                return Err(refused());
            }
            let mut data = Data::default();
            data.insert(auth::websocket::WebsocketLogin { token, client_address: address });
            Ok(data)
        },
    );
    futures_util::pin_mut!(output);
    let mut ping = tokio::time::interval(state.ws_ping);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.tick().await;
    // A socket must log in (connection_init answered by connection_ack) within WS_INIT_TIMEOUT.
    let init_deadline = tokio::time::sleep(WS_INIT_TIMEOUT);
    futures_util::pin_mut!(init_deadline);
    let mut acknowledged = false;
    loop {
        let message = tokio::select! {
            next = output.next() => match next {
                Some(WsMessage::Text(text)) => {
                    acknowledged |= text.contains("\"connection_ack\"");
                    Message::Text(text.into())
                }
                Some(WsMessage::Close(code, reason)) => Message::Close(Some(CloseFrame { code, reason: reason.into() })),
                None => break,
            },
            _ = &mut init_deadline, if !acknowledged => {
                let reason = "Connection initialisation timeout".into();
                let _ = tokio::time::timeout(WS_SEND_TIMEOUT, sink.send(Message::Close(Some(CloseFrame { code: 4408, reason })))).await;
                break;
            }
            _ = ping.tick() => {
                // Nothing heard (not even a pong) for three ping intervals: the peer is gone.
                let silent = opened.elapsed().saturating_sub(Duration::from_millis(heard.load(std::sync::atomic::Ordering::Relaxed)));
                if silent > state.ws_ping * 3 {
                    tracing::info!("dropping a websocket client that stopped answering pings");
                    break;
                }
                Message::Ping(Default::default())
            }
        };
        match tokio::time::timeout(WS_SEND_TIMEOUT, sink.send(message)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => break,
            Err(_) => {
                tracing::info!("dropping a websocket client that stopped reading");
                break;
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn reads_the_token_from_a_connection_init_payload() {
        assert_eq!(super::payload_token(&json!({"Authorization": "Bearer t1"})).as_deref(), Some("t1"));
        assert_eq!(super::payload_token(&json!({"authorization": "bearer t2"})).as_deref(), Some("t2"));
        assert_eq!(super::payload_token(&json!({"token": "t3"})).as_deref(), Some("t3"));
        assert_eq!(super::payload_token(&json!({"headers": {"Authorization": "Bearer t4"}})).as_deref(), Some("t4"));
        assert_eq!(super::payload_token(&json!({"authToken": "t5"})).as_deref(), Some("t5"));
        assert_eq!(super::payload_token(&json!({})), None);
        assert_eq!(super::payload_token(&json!(null)), None);
    }
}
