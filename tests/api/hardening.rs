//! Regression tests for the attacks of the hardening review (issue 10): each is replayed
//! against the real server and must be refused quickly, with a small, clear error, while the
//! server keeps serving everyone else. Every wait here is bounded.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::documents::{CREATE_COMPLAINT, CREATE_CONNECTION_REQUEST, CREATE_INVOICE, LOGIN};
use crate::helpers::{assert_code, check_invariants, Kind, Socket, Subscriber, TestApp};
use crate::on_both_databases;

/// `query{...F0}` and `levels` fragments that each spread the next one `spreads` times.
fn exponential_fragments(levels: usize, spreads: usize) -> String {
    let mut q = String::from("query{...F0}");
    for level in 0..levels {
        q.push_str(&format!(" fragment F{level} on Query{{"));
        q.push_str(&format!("...F{} ", level + 1).repeat(spreads));
        q.push('}');
    }
    q.push_str(&format!(" fragment F{levels} on Query{{__typename}}"));
    q
}

/// POSTs `body` as it is and returns (status, body text).
async fn raw_post(app: &TestApp, body: &str, token: Option<&str>) -> (u16, String) {
    let mut request = app.client.post(app.url("/graphql")).header("Content-Type", "application/json");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.body(body.to_owned()).send().await.expect("POST");
    (response.status().as_u16(), response.text().await.expect("body"))
}

/// The server still answers `/healthz` promptly.
async fn assert_healthy(app: &TestApp) {
    let started = Instant::now();
    // A client of its own that keeps no connection open afterwards (tests count connections).
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let response = client.get(app.url("/healthz")).send().await.expect("healthz");
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(2), "healthz took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exponential_fragments_are_refused_before_any_work() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    // The 767-byte anonymous query that took the server past 6 GB: 10 spreads, 8 levels.
    let query = exponential_fragments(8, 10);
    assert!(query.len() < 800, "{}", query.len());
    let started = Instant::now();
    let error = app.error_as(None, &query, json!({})).await;
    assert_code(&error, "GRAPHQL_VALIDATION_FAILED", None);
    assert!(error["message"].as_str().unwrap().contains("at most"), "{error:#}");
    // A logged-in caller's 2-spreads-per-level shape (2^30 paths) that froze the server.
    let error = app.error(&exponential_fragments(30, 2), json!({})).await;
    assert_code(&error, "GRAPHQL_VALIDATION_FAILED", None);
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amplification_is_refused_with_small_answers() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    // 5,000 aliases of the whole schema, anonymous: refused on size, and the answer is small.
    let aliases: String =
        (0..5_000).map(|i| format!("a{i}: __schema {{ types {{ fields {{ description }} }} }} ")).collect();
    let (status, body) = raw_post(&app, &json!({ "query": format!("{{ {aliases} }}") }).to_string(), None).await;
    assert_eq!(status, 200);
    assert!(body.len() < 1_000, "answer of {} bytes", body.len());
    assert!(body.contains("GRAPHQL_PARSE_FAILED") && body.contains("bytes"), "{body}");
    // Two introspections anonymously: one is the most.
    let twice = "{ a: __schema { queryType { name } } b: __schema { queryType { name } } }";
    let error = app.error_as(None, twice, json!({})).await;
    assert_code(&error, "GRAPHQL_VALIDATION_FAILED", None);
    assert!(error["message"].as_str().unwrap().contains("introspection"), "{error:#}");
    app.data_as(None, "{ __schema { queryType { name } } }", json!({})).await;
    // 3,000 `first: 1` searches (the 25-second stall): refused on aliases, at once.
    let searches: String =
        (0..3_000).map(|i| format!("c{i}: customers(first: 1, filter: {{search: \"a\"}}) {{ totalCount }} ")).collect();
    let error = app.error(&format!("{{ {searches} }}"), json!({})).await;
    assert!(error["extensions"]["code"].as_str().unwrap().starts_with("GRAPHQL_"), "{error:#}");
    let searches: String =
        (0..60).map(|i| format!("c{i}: customers(first: 1, filter: {{search: \"a\"}}) {{ totalCount }} ")).collect();
    let error = app.error(&format!("{{ {searches} }}"), json!({})).await;
    assert!(error["message"].as_str().unwrap().contains("60 aliases"), "{error:#}");
    // 20,000 repeated directives: one short error, not megabytes.
    let directives = "@include(if: true) ".repeat(20_000);
    let (_, body) =
        raw_post(&app, &json!({ "query": format!("{{ __typename {directives} }}") }).to_string(), None).await;
    assert!(body.len() < 1_000, "answer of {} bytes", body.len());
    let directives = "@include(if: true) ".repeat(60);
    let error = app.error(&format!("{{ __typename {directives} }}"), json!({})).await;
    assert!(error["message"].as_str().unwrap().contains("60 directives"), "{error:#}");
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_plain_json_errors() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for body in ["not json", "[{\"query\": \"{ __typename }\"}]", "{\"variables\": {}}", "{\"query\": 5}"] {
        let (status, text) = raw_post(&app, body, None).await;
        assert_eq!(status, 400, "{body}: {text}");
        let value: Value = serde_json::from_str(&text).expect("a JSON error");
        assert_eq!(value["errors"][0]["extensions"]["code"], "BAD_REQUEST", "{text}");
        for debug in ["InvalidRequest", "BatchRequest", "Error("] {
            assert!(!text.contains(debug), "debug text in {text}");
        }
    }
    // A parse error quotes a short excerpt, not the whole query.
    let query = format!("{{ plans {{ {} ", "name ".repeat(5_000));
    let error = app.error(&query, json!({})).await;
    assert_code(&error, "GRAPHQL_PARSE_FAILED", None);
    assert!(error["message"].as_str().unwrap().len() < 300, "{error:#}");
    // Nor any string written in it: a secret inline before or after the error is masked.
    for query in [
        "mutation { createPaymentGateway(input: {webhookSecret: \"whsec_inline_42\"} { id } }",
        "mutation { createPaymentGateway(input: {keyId: , webhookSecret: \"whsec_inline_42\"}) { id } }",
    ] {
        let body = app.gql_as(Some(&app.token), query, json!({})).await.to_string();
        assert!(body.contains("GRAPHQL_PARSE_FAILED") && body.contains("***"), "{body}");
        assert!(!body.contains("whsec") && !body.contains("inline_42"), "{body}");
    }
    // GET runs queries, refuses mutations, and serves GraphiQL only to browsers.
    let get = |q: &str| app.client.get(app.url("/graphql")).query(&[("query", q)]).bearer_auth(&app.token).send();
    let ok: Value = get("{ me { username } }").await.unwrap().json().await.unwrap();
    assert_eq!(ok["data"]["me"]["username"], "admin", "{ok:#}");
    let refused = get("mutation { logout }").await.unwrap();
    assert_eq!(refused.status(), 405);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED");
    let plain = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(plain.status(), 400);
}

on_both_databases! {
    async fn money_and_text_are_bounded_at_the_boundary(app: TestApp) {
        let (c, _) = app.customer_with_invoice("hardening").await;
        // ₹5×10^16 (the invoice that wrapped the ledger) and anything over ₹1 crore are refused.
        for amount in ["50000000000000000", "10000000.01"] {
            let e = app.error(CREATE_INVOICE, json!({"i": {"customerId": c, "billAmount": amount}})).await;
            assert_code(&e, "BAD_USER_INPUT", Some("billAmount"));
        }
        let e = app.error(CREATE_INVOICE, json!({"i": {"customerId": c, "billAmount": "100", "invoiceDate": "9999-12-31"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("invoiceDate"));
        // The database refuses an out-of-range amount even from outside the API.
        let stmt = "UPDATE invoices SET discount_paise = 50000000000000000 WHERE id = (SELECT MIN(id) FROM invoices)";
        assert!(app.sql(stmt).is_err(), "the money bound must hold in the database");

        // NUL and control characters, in every kind of string, name their field.
        let login = LOGIN;
        let e = app.error_as(None, login, json!({"u": "admin\u{0}", "p": "x"})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("username"));
        let e = app.error("query($s: String) { customers(filter: {search: $s}) { totalCount } }", json!({"s": "\u{0}"})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("search"));
        let complaint = json!({"i": {"customerId": c, "title": "No\u{0} line", "description": "x", "category": "CONNECTIVITY", "priority": "LOW"}});
        assert_code(&app.error(CREATE_COMPLAINT, complaint).await, "BAD_USER_INPUT", Some("title"));
        let complaint = json!({"i": {"customerId": c, "title": "Two\nlines", "description": "multi\nline is fine", "category": "CONNECTIVITY", "priority": "LOW"}});
        assert_code(&app.error(CREATE_COMPLAINT, complaint).await, "BAD_USER_INPUT", Some("title"));
        let form = CREATE_CONNECTION_REQUEST;
        let e = app.error_as(None, form, json!({"i": {"fullName": "A\u{1b}[31m", "mobile": "9822011111", "address": "7 Sadar"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("fullName"));
        let pay = "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { id } }";
        let e = app.error(pay, json!({"i": {"customerId": c, "amount": "10", "paymentMethod": "UPI", "paymentReference": "UTR\u{0}1"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("paymentReference"));
        // Lengths are checked before any query: a 100,000-character search, a 900 KB username.
        let e = app.error("query($s: String) { customers(filter: {search: $s}) { totalCount } }", json!({"s": "x".repeat(100_000)})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("search"));
        let e = app.error("query($s: String) { customers(filter: {search: $s}) { totalCount } }", json!({"s": "x".repeat(101)})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("filter.search"));
        let e = app.error_as(None, login, json!({"u": "u".repeat(900_000), "p": "x"})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("username"));
        check_invariants(&app, &c).await;
    }
}

/// Whether the server closes `socket` (or drops it) within a few seconds.
async fn closes_soon(socket: &mut Socket) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return false,
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_are_bounded() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| {
        c.ws_max_subscriptions = 3;
        c.max_body_bytes = 64 * 1024;
    })
    .await
    .unwrap();
    // A 64 KB connection_init before login: closed.
    let mut socket = app.websocket("graphql-transport-ws").await;
    let huge = json!({"type": "connection_init", "payload": {"pad": "x".repeat(64 * 1024)}}).to_string();
    let _ = socket.send(Message::text(huge)).await;
    assert!(closes_soon(&mut socket).await, "an oversized connection_init must close the socket");
    // After login, a message over the body limit: closed too.
    let mut sub = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
    let big = json!({"id": "x", "type": "subscribe", "payload": {"query": "x".repeat(100 * 1024)}}).to_string();
    let _ = sub.socket().send(Message::text(big)).await;
    assert!(closes_soon(sub.socket()).await, "a message over the body limit must close the socket");

    // Subscriptions per socket are capped; events cost one login check per socket.
    let (c, _) = app.customer_with_invoice("wsbound").await;
    let complaint = json!({"i": {"customerId": c, "title": "Down", "description": "x", "category": "CONNECTIVITY", "priority": "LOW"}});
    // What filing a complaint costs with nobody listening, to tell it from the event's cost.
    let s0 = app.metrics.statements();
    app.data(CREATE_COMPLAINT, complaint.clone()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let filing = app.metrics.statements() - s0;
    let mut sub = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
    for id in ["1", "2", "3"] {
        sub.subscribe(id, "subscription { complaintCreated { complaintId customer { fullName } } }", json!({})).await;
    }
    sub.subscribe("4", "subscription { complaintCreated { complaintId customer { fullName } } }", json!({})).await;
    let refused = sub.event(Duration::from_secs(5)).await.expect("an answer to the one over the cap");
    // The refusal comes as the subscription's (only) result, with the error in it.
    assert_eq!(refused["errors"][0]["extensions"]["code"], "TOO_MANY_REQUESTS", "{refused:#}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("3 subscriptions"), "{refused:#}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = app.metrics.statements();
    app.data(CREATE_COMPLAINT, complaint).await;
    let mut events = 0;
    while events < 3 {
        let e = sub.event(Duration::from_secs(5)).await.expect("an event for each subscription");
        if e["type"] == "complete" {
            continue; // the refused subscription's end (which of the four was refused may vary)
        }
        assert!(e["data"]["complaintCreated"]["complaintId"].is_string(), "{e:#}");
        assert!(e["data"]["complaintCreated"]["customer"]["fullName"].is_string(), "{e:#}");
        events += 1;
    }
    // One login check and one customer lookup for the three subscriptions' event, not three
    // of each.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let cost = app.metrics.statements() - before - filing;
    eprintln!("one event, three subscriptions on one socket: {cost} statements");
    assert!(cost <= 3, "{cost} statements for one event on one socket");
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_bounded() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| {
        c.max_connections = 4;
        c.header_timeout_seconds = 1;
        c.request_timeout_seconds = 2;
    })
    .await
    .unwrap();
    // A silent connection and a byte-at-a-time one are closed by the header timeout.
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let mut trickle = TcpStream::connect(app.addr).await.unwrap();
    trickle.write_all(b"GET /healthz HTTP/1.1\r\nHo").await.unwrap();
    for stream in [&mut silent, &mut trickle] {
        let mut buf = [0u8; 256];
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await;
        assert!(read.is_ok(), "the server must close a connection that sends no headers");
    }
    // A body that never arrives: the request's deadline answers.
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(6), slow.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    drop(slow);
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Past the cap, a connection gets a quick 503 instead of waiting or exhausting descriptors.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        held.push(s); // kept alive
    }
    let mut extra = TcpStream::connect(app.addr).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), extra.read_to_end(&mut answer))
        .await
        .expect("a quick answer")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503") && answer.contains("BUSY"), "{answer}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_healthy(&app).await;

    // Websockets count too: four open sockets fill the cap.
    let mut sockets = Vec::new();
    for _ in 0..4 {
        sockets.push(app.websocket("graphql-transport-ws").await);
    }
    let mut extra = TcpStream::connect(app.addr).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), extra.read_to_end(&mut answer))
        .await
        .expect("a quick answer")
        .unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 503"), "websockets must count toward the cap");
    drop(sockets);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_connection_makes_room_for_a_new_one() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.max_connections = 4).await.unwrap();
    // With the test client's own kept-alive connection: two that asked once and then said
    // nothing, and one that never said anything. Every place is taken.
    let mut talkers = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        talkers.push(s);
    }
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    // Once they have been quiet for a second, the silent one gives its place to a newcomer.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let mut newcomer = TcpStream::connect(app.addr).await.unwrap();
    newcomer.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), newcomer.read_to_end(&mut answer)).await.expect("served").unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_millis(500), silent.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0))), "the silent connection was closed: {read:?}");
    for s in &mut talkers {
        let read = tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await;
        assert!(read.is_err(), "a connection that spoke keeps its place while a silent one can go");
    }
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_websockets_and_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = isp_billing::config::Config::for_database(dir.path().join("t.db").to_string_lossy());
    config.admin_password = Some(crate::helpers::ADMIN_PASSWORD.to_owned());
    let app = isp_billing::build_app(&config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(isp_billing::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    let login =
        json!({"query": "mutation { login(username: \"admin\", password: \"admin-test-password\") { token } }"});
    let body: Value = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&login)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = body["data"]["login"]["token"].as_str().unwrap().to_owned();
    let mut request = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
    socket.send(Message::text(init.to_string())).await.unwrap();
    let ack = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.unwrap().unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"));

    stop.send(()).unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                _ => return None,
            }
        }
    })
    .await
    .expect("the socket is closed on shutdown");
    assert_eq!(closed, Some(1001), "closed as 'going away'");
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("serve returns").unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_deadline_is_stopped() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.request_timeout_seconds = 2).await.unwrap();
    // Another process holds SQLite's write lock; a write waits for it, and the deadline answers.
    let url = app.database_url().to_owned();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut conn = diesel::SqliteConnection::establish(&url).unwrap();
        conn.batch_execute("BEGIN EXCLUSIVE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(6));
        conn.batch_execute("ROLLBACK").unwrap();
    });
    locked_rx.recv().unwrap();
    let started = Instant::now();
    let create = "mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id } }";
    let e = app.error(create, json!({"i": {"name": "Slow Net", "state": "Maharashtra"}})).await;
    assert_code(&e, "TIMEOUT", None);
    assert!(started.elapsed() < Duration::from_secs(4), "answered after {:?}", started.elapsed());
    holder.join().unwrap();
    // The server is fine afterwards.
    app.data(create, json!({"i": {"name": "Fast Net", "state": "Maharashtra"}})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_attacks_of_the_second_round_are_refused() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.max_connections_per_address = 3).await.unwrap();
    // Lists without `first` chained into each other (payment → allocations → invoice →
    // payments → ...) cost more at every level: a short query cannot ask for gigabytes.
    let chain = "{ payments(first: 1) { nodes { allocations { invoice { payments { allocations { invoice {
        payments { allocations { invoice { payments { refunds { id } } } } } } } } } } } } }";
    let e = app.error(chain, json!({})).await;
    assert_code(&e, "GRAPHQL_VALIDATION_FAILED", None);
    assert!(e["message"].as_str().unwrap().contains("too complex"), "{e:#}");

    // An unknown field's 3,000-character name is not echoed whole.
    let e = app.error(&format!("{{ {} }}", "x".repeat(3_000)), json!({})).await;
    assert!(e["message"].as_str().unwrap().chars().count() <= 301, "{e:#}");

    // Invisible formatting characters in one-line text, and loose date shapes, are refused.
    let create = "mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id } }";
    let e = app.error(create, json!({"i": {"name": "Vidarbha\u{202E}Net", "state": "Maharashtra"}})).await;
    assert_code(&e, "BAD_USER_INPUT", Some("name"));
    let q = "query($f: Date) { invoices(filter: {from: $f}) { totalCount } }";
    for date in ["+2026-01-01", "2026-1-1", "2100-01-01"] {
        assert_code(&app.error(q, json!({"f": date})).await, "BAD_USER_INPUT", Some("filter.from"));
    }

    // One address cannot take every connection: past its share it gets a quick 503, while
    // another address is served. (The test client keeps one connection of its own open.)
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(TcpStream::connect(app.addr).await.unwrap());
    }
    let mut fourth = TcpStream::connect(app.addr).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), fourth.read_to_end(&mut answer)).await.expect("quick").unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 503"), "the address's share is 3");
    let other = tokio::net::TcpSocket::new_v4().unwrap();
    other.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let mut other = other.connect(app.addr).await.unwrap();
    other.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), other.read_to_end(&mut answer)).await.expect("served").unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"), "another address is served");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // An account may hold two websockets here; the third login is refused.
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.ws_max_sockets_per_account = 2).await.unwrap();
    let _one = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
    let _two = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
    let third = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await;
    assert!(third.is_err(), "a third websocket of the account is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ping_flood_closes_the_socket() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let mut socket = app.websocket("graphql-transport-ws").await;
    for _ in 0..40 {
        if socket.send(Message::Ping(vec![0u8; 100].into())).await.is_err() {
            break;
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let code = loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => {}
            _ => break None,
        }
    };
    assert_eq!(code, Some(1008), "closed for the flood");
    assert_healthy(&app).await;
}
