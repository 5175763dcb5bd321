//! GraphQL over websockets at `/graphql/ws` (`graphql-transport-ws` and `graphql-ws`), with the
//! limits a socket lives under: messages no larger than an HTTP body, a small
//! `connection_init` before login, a login deadline, pings, and subscriptions counted per
//! socket and per account (`graphql::subscriptions`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::http::{WebSocketProtocols, WsMessage, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::{Data, ErrorExtensions};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::{SinkExt, StreamExt};

use super::{client_address, AppState};
use crate::auth;

/// Largest message a socket may send before it has logged in (its `connection_init`).
pub const MAX_INIT_BYTES: usize = 16 * 1024;

/// Largest websocket message (a GraphQL operation with its variables; the query text itself is
/// at most 32 KiB).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// Most pings a client may send in [`PING_WINDOW`]; more end the connection (1008). Each ping
/// is answered with a pong the client may never read.
const MAX_PINGS: u32 = 30;
const PING_WINDOW: Duration = Duration::from_secs(10);

/// Most bytes waiting to be written to one socket (answers and pongs a client does not read);
/// past it the connection is dropped.
const MAX_WRITE_BUFFER: usize = 4 * 1024 * 1024;

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

pub async fn upgrade(
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
    // Draining for a shutdown: no new websockets (the client reconnects, through a load
    // balancer to another server).
    if *state.stopping.borrow() {
        let headers = [(header::RETRY_AFTER, "1")];
        return (StatusCode::SERVICE_UNAVAILABLE, headers, "the server is shutting down; connect again")
            .into_response();
    }
    let address = client_address(&state, connect_info.as_ref(), &headers);
    upgrade
        // A message (also one sent in fragments, which are read whole before anything can look
        // at them) may be as large as an HTTP body and at most MAX_MESSAGE_BYTES: that bounds
        // what a socket that has not logged in yet can make the server hold.
        .max_message_size(state.max_body_bytes.min(MAX_MESSAGE_BYTES))
        .max_frame_size(state.max_body_bytes.min(MAX_MESSAGE_BYTES))
        .max_write_buffer_size(MAX_WRITE_BUFFER.max(2 * state.max_body_bytes))
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
/// intervals, is closed; so is one whose first messages (before login) are larger than
/// [`MAX_INIT_BYTES`] (1009). A client that stops reading only stalls its own connection (its
/// subscriptions fall behind and are told so); one that takes longer than [`WS_SEND_TIMEOUT`]
/// to take a message is disconnected.
async fn serve_websocket(socket: WebSocket, state: AppState, protocol: WebSocketProtocols, address: String) {
    let db = state.db.clone();
    let (mut sink, stream) = socket.split();
    // When the client last sent anything (pongs included), in ms since `opened`.
    let opened = Instant::now();
    let heard = Arc::new(AtomicU64::new(0));
    let heard_in = Arc::clone(&heard);
    // Until the login is acknowledged, messages over MAX_INIT_BYTES end the connection.
    let logged_in = Arc::new(AtomicBool::new(false));
    let too_big = Arc::new(AtomicBool::new(false));
    let flooded = Arc::new(AtomicBool::new(false));
    let (logged_in_in, too_big_in, flooded_in) = (Arc::clone(&logged_in), Arc::clone(&too_big), Arc::clone(&flooded));
    let (mut window, mut pings) = (Instant::now(), 0u32);
    let input = stream
        .take_while(move |message| {
            let ok = match message {
                Ok(m) if !logged_in_in.load(Ordering::Relaxed) && message_len(m) > MAX_INIT_BYTES => {
                    too_big_in.store(true, Ordering::Relaxed);
                    false
                }
                Ok(Message::Ping(_)) => {
                    if window.elapsed() > PING_WINDOW {
                        (window, pings) = (Instant::now(), 0);
                    }
                    pings += 1;
                    let ok = pings <= MAX_PINGS;
                    if !ok {
                        flooded_in.store(true, Ordering::Relaxed);
                    }
                    ok
                }
                Ok(_) => true,
                Err(_) => false,
            };
            std::future::ready(ok)
        })
        .filter_map(move |message| {
            let at = u64::try_from(opened.elapsed().as_millis()).unwrap_or(u64::MAX);
            heard_in.store(at, Ordering::Relaxed);
            std::future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });
    let limits = state.schema_limits.clone();
    let output = async_graphql::http::WebSocket::new(state.schema.clone(), input, protocol).on_connection_init(
        move |payload| async move {
            // Browsers cannot send headers on a websocket: the token comes in the payload,
            // and without a valid one the connection is refused. Every operation on the
            // socket checks it again (`graphql::websocket_login`), and so does every event.
            let refused =
                || async_graphql::Error::new("log in first: send a valid token in the connection_init payload");
            let token = payload_token(&payload).ok_or_else(refused)?;
            let auth = auth::session::authenticate(&db, Some(&token), address.clone()).await.map_err(|e| {
                tracing::error!(error = %e.message(), "websocket login check failed");
                async_graphql::Error::new("internal server error")
            })?;
            let Some(who) = auth.principal.as_ref() else {
                // Why, as over HTTP: an expired or ended session reads so.
                let why = auth.no_login;
                let message = format!("log in first: {}", why.message());
                return Err(async_graphql::Error::new(message).extend_with(|_, e| {
                    e.set("code", crate::error::codes::UNAUTHENTICATED);
                    e.set("reason", why.reason());
                }));
            };
            let place = limits.acquire_socket(who).map_err(async_graphql::Error::new)?;
            let mut data = Data::default();
            data.insert(place);
            data.insert(crate::graphql::websocket_login::WebsocketLogin { token, client_address: address });
            let feed = Arc::new(crate::graphql::socket_limits::SocketFeed::default());
            crate::graphql::loaders::install_with(&mut data, &db, feed.cache());
            data.insert(feed);
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
    let mut stopping = state.stopping.clone();
    loop {
        let message = tokio::select! {
            () = super::server::stopping(&mut stopping) => {
                // 1001 (going away): graphql-ws and Apollo clients connect again, through a load
                // balancer to another server.
                let reason = "the server is shutting down; connect again".into();
                let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(Message::Close(Some(CloseFrame { code: 1001, reason })))).await;
                break;
            }
            next = output.next() => match next {
                Some(WsMessage::Text(text)) => {
                    if !acknowledged && text.contains("\"connection_ack\"") {
                        acknowledged = true;
                        logged_in.store(true, Ordering::Relaxed);
                    }
                    Message::Text(text.into())
                }
                Some(WsMessage::Close(code, reason)) => Message::Close(Some(CloseFrame { code, reason: reason.into() })),
                None if flooded.load(Ordering::Relaxed) => {
                    let reason = format!("more than {MAX_PINGS} pings in {} seconds", PING_WINDOW.as_secs()).into();
                    let _ = tokio::time::timeout(WS_SEND_TIMEOUT, sink.send(Message::Close(Some(CloseFrame { code: 1008, reason })))).await;
                    break;
                }
                None if too_big.load(Ordering::Relaxed) => {
                    let reason = format!("log in first, with a message of at most {MAX_INIT_BYTES} bytes").into();
                    let _ = tokio::time::timeout(WS_SEND_TIMEOUT, sink.send(Message::Close(Some(CloseFrame { code: 1009, reason })))).await;
                    break;
                }
                None => break,
            },
            _ = &mut init_deadline, if !acknowledged => {
                let reason = "Connection initialisation timeout".into();
                let _ = tokio::time::timeout(WS_SEND_TIMEOUT, sink.send(Message::Close(Some(CloseFrame { code: 4408, reason })))).await;
                break;
            }
            _ = ping.tick() => {
                // Nothing heard (not even a pong) for three ping intervals: the peer is gone.
                let silent = opened.elapsed().saturating_sub(Duration::from_millis(heard.load(Ordering::Relaxed)));
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

/// The size of a message's payload.
fn message_len(message: &Message) -> usize {
    match message {
        Message::Text(text) => text.len(),
        Message::Binary(bytes) => bytes.len(),
        _ => 0,
    }
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
