//! Health, metrics, GraphiQL, limits, CORS and websockets over real HTTP.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{Kind, TestApp};
use crate::on_both_databases;

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.trim().parse().ok()))
        .unwrap_or_else(|| panic!("{name} missing from metrics:\n{text}"))
}

/// Opens `/graphql/ws` with `protocol`, initialises the connection and returns the socket.
async fn ws_connect(
    app: &TestApp,
    protocol: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request = format!("ws://{}/graphql/ws", app.addr).into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.expect("websocket");
    assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
    let payload = json!({"Authorization": format!("Bearer {}", app.token)});
    socket.send(Message::text(json!({"type": "connection_init", "payload": payload}).to_string())).await.unwrap();
    let ack = next_json(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack");
    socket
}

async fn next_json(
    socket: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
) -> Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("a websocket message within 10 s")
            .expect("socket open")
            .expect("message");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] != "ka" && value["type"] != "ping" {
                return value;
            }
        }
    }
}

on_both_databases! {
    async fn health_reports_the_database(app: TestApp) {
        let response = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        let backend = if app.kind == Kind::Sqlite { "sqlite" } else { "postgres" };
        assert_eq!(body, json!({"status": "ok", "database": "ok", "backend": backend}));
    }

    async fn metrics_count_requests_and_statements(app: TestApp) {
        let requests = r#"isp_http_requests_total{method="POST",route="/graphql",status="200"}"#;
        let durations = r#"isp_http_request_duration_seconds_count{route="/graphql"}"#;
        let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        let (before, requests_before, durations_before) =
            (metric(&text, "isp_db_statements_total"), metric(&text, requests), metric(&text, durations));
        app.data("{ plans { totalCount nodes { name } } }", json!({})).await;
        let response = app.client.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = response.text().await.unwrap();
        let after = metric(&text, "isp_db_statements_total");
        assert!(after >= before + 2, "a connection query runs a count and a select: {before} -> {after}");
        assert_eq!(metric(&text, requests), requests_before + 1, "{text}");
        assert_eq!(metric(&text, durations), durations_before + 1, "{text}");
        assert_eq!(app.metrics.statements(), after, "the counter /metrics shows is the app's");
    }

    async fn websocket_speaks_both_protocols(app: TestApp) {
        app.company().name("Alpha Net").create().await;
        // graphql-transport-ws: "subscribe" / "next" / "complete".
        let mut socket = ws_connect(&app, "graphql-transport-ws").await;
        let query = json!({"query": "{ companies { totalCount nodes { name } } }"});
        socket.send(Message::text(json!({"id": "1", "type": "subscribe", "payload": query}).to_string())).await.unwrap();
        let next = next_json(&mut socket).await;
        assert_eq!(next["type"], "next");
        assert_eq!(next["payload"]["data"]["companies"], json!({"totalCount": 1, "nodes": [{"name": "Alpha Net"}]}));
        assert_eq!(next_json(&mut socket).await["type"], "complete");

        // graphql-ws (the older subscriptions-transport-ws): "start" / "data" / "complete".
        let mut socket = ws_connect(&app, "graphql-ws").await;
        socket.send(Message::text(json!({"id": "1", "type": "start", "payload": query}).to_string())).await.unwrap();
        let data = next_json(&mut socket).await;
        assert_eq!(data["type"], "data");
        assert_eq!(data["payload"]["data"]["companies"]["totalCount"], 1);
    }
}

#[tokio::test]
async fn graphiql_page_points_at_the_endpoints() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    // A browser asks for HTML; GraphiQL is for it.
    let response = app.client.get(app.url("/graphql")).header("Accept", "text/html,*/*").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.to_lowercase().contains("graphiql"));
    assert!(html.contains("/graphql/ws"), "subscriptions go to /graphql/ws");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.max_body_bytes = 4096).await.unwrap();
    let padding = "x".repeat(8192);
    let body = json!({"query": format!("{{ plans {{ totalCount }} }} # {padding}")});
    let response = app.client.post(app.url("/graphql")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 413);
    // A normal request still works.
    app.data("{ plans { totalCount } }", json!({})).await;
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app =
        TestApp::spawn_with(Kind::Sqlite, |c| c.cors_origins = "https://billing.example.in".into()).await.unwrap();
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type,authorization")
            .send()
    };
    let allowed = preflight("https://billing.example.in").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://billing.example.in");
    let other = preflight("https://evil.example.com").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn health_is_503_when_the_database_is_gone() {
    let Some(app) = TestApp::spawn(Kind::Postgres).await else { return };
    app.drop_database_now();
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(!body.to_string().contains("FATAL"), "no driver text leaks: {body}");
}
