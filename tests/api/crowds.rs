//! Slow clients and crowds: readers that never read, an office logging in at 9:00, a reverse
//! proxy in front, one customer asking for their PDF over many connections. None of them may
//! stall the server or lock others out.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::documents::LOGIN;
use crate::fixtures::{Role, CUSTOMER_PASSWORD};
use crate::helpers::{assert_code, Kind, TestApp, ADMIN_PASSWORD};
use crate::on_both_databases;

/// Customers added by SQL, so a report is far larger than what socket buffers hold.
const BULK_CUSTOMERS: i64 = 30_000;

/// Copies the first customer `count` times with fresh numbers (both databases).
fn bulk_customers(app: &TestApp, count: i64) {
    app.sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
         INSERT INTO customers (customer_id, username, password_hash, password_changed_at, full_name, mobile,
             address, city, state, pincode, service_type, no_of_connections, company_id, auto_renew, caf_no,
             stb_modem_security_paise, plan_id, period_months, start_date, end_date, billing_type, status,
             created_at, updated_at, never_suspend, suspended_for_dues)
         SELECT CAST(9000000000 + i AS TEXT), 'bulk' || CAST(i AS TEXT), c.password_hash, c.password_changed_at,
             'Bulk Customer ' || CAST(i AS TEXT), c.mobile, c.address, c.city, c.state, c.pincode, c.service_type,
             c.no_of_connections, c.company_id, c.auto_renew, 'BULK' || CAST(i AS TEXT), c.stb_modem_security_paise,
             c.plan_id, c.period_months, c.start_date, c.end_date, c.billing_type, c.status, c.created_at,
             c.updated_at, c.never_suspend, c.suspended_for_dues
         FROM n, customers c WHERE c.id = (SELECT MIN(id) FROM customers)"
    ))
    .expect("bulk customers");
}

/// A client that asks for a CSV report, reads the answer's head, and then never reads again
/// (its receive buffer is small, so the server's writes soon wait on it).
async fn stalled_reader(app: &TestApp) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(app.addr).await.unwrap();
    let request =
        format!("GET /reports/customers.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n", app.token);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut byte)).await.unwrap().unwrap();
        assert_eq!(n, 1, "the head arrives: {}", String::from_utf8_lossy(&head));
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    stream
}

on_both_databases! {
    async fn readers_that_never_read_hold_no_database_connection(app: TestApp) {
        let (customer, invoice) = app.customer_with_invoice("ravi").await;
        bulk_customers(&app, BULK_CUSTOMERS);
        // Eight managers start a download and stop reading: more than the pool's 8 connections.
        let mut stalled = Vec::new();
        for _ in 0..8 {
            stalled.push(stalled_reader(&app).await);
        }
        // Meanwhile a collector looks a customer up and records a payment, each within a second.
        let started = Instant::now();
        let found = app.data("query($id: ID!) { node(id: $id) { ... on Customer { customerId } } }", json!({"id": customer})).await;
        assert!(found["node"]["customerId"].is_string(), "{found:#}");
        let looked_up = started.elapsed();
        let started = Instant::now();
        let paid = app.pay(json!({"invoiceId": invoice, "amount": "100.00", "paymentMethod": "CASH"})).await;
        let recorded = started.elapsed();
        assert_eq!(paid["status"], "COMPLETED", "{paid:#}");
        assert!(looked_up < Duration::from_secs(1) && recorded < Duration::from_secs(1), "{looked_up:?} {recorded:?}");
        let health = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        crate::helpers::check_invariants(&app, &customer).await;
        drop(stalled);

        // A reader that does read gets the whole report, one line per customer and a header.
        let csv = app.client.get(app.url("/reports/customers.csv")).bearer_auth(&app.token).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        let length: usize = csv.headers()["content-length"].to_str().unwrap().parse().unwrap();
        let text = csv.text().await.unwrap();
        assert_eq!(text.len(), length);
        assert_eq!(text.lines().count() as i64, 1 + 1 + BULK_CUSTOMERS);
    }

    async fn an_office_logs_in_at_nine(app: TestApp) {
        let users: Vec<String> = (0..20).map(|i| format!("clerk{i}")).collect();
        for user in &users {
            app.employee(user, Role::Collector).password("clerk-password").create().await;
        }
        // Earlier that morning: more wrong passwords from this address than one username may
        // have, spread over several usernames (typos, a forgotten password).
        for i in 0..12 {
            let e = app.error_as(None, LOGIN, json!({"u": format!("clerk{}", i % 4), "p": "wrong-password"})).await;
            assert_code(&e, "UNAUTHENTICATED", None);
        }
        // Twenty people log in at once from the same address: every one gets in.
        let logins = users.iter().map(|user| {
            let app = &app;
            async move { app.gql_as(None, LOGIN, json!({"u": user, "p": "clerk-password"})).await }
        });
        let answers = futures_util::future::join_all(logins).await;
        for answer in &answers {
            assert!(answer["data"]["login"]["token"].is_string(), "{answer:#}");
        }
    }
}

/// A login through a proxy at 127.0.0.1 for a client at `client`, from the local `peer`.
async fn login_via(app: &TestApp, peer: [u8; 4], client: &str, username: &str, password: &str) -> Value {
    let http = reqwest::Client::builder().local_address(std::net::IpAddr::from(peer)).build().unwrap();
    let body = json!({"query": LOGIN, "variables": {"u": username, "p": password}});
    let response = http.post(app.url("/graphql")).header("x-forwarded-for", client).json(&body).send().await.unwrap();
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_names_the_client_and_no_one_else_can_on_sqlite() {
    a_trusted_proxy_names_the_client_and_no_one_else_can(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn a_trusted_proxy_names_the_client_and_no_one_else_can_on_postgres() {
    a_trusted_proxy_names_the_client_and_no_one_else_can(Kind::Postgres).await;
}

async fn a_trusted_proxy_names_the_client_and_no_one_else_can(kind: Kind) {
    let Some(app) = TestApp::spawn_with(kind, |c| {
        c.login_max_failures = 3;
        c.trusted_proxies = isp_billing::http::proxies::TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await
    else {
        return;
    };
    // Someone behind the proxy guesses the admin's password until that pair is locked.
    for _ in 0..3 {
        let e = login_via(&app, [127, 0, 0, 1], "198.51.100.7", "admin", "guess-guess").await;
        assert_code(&e["errors"][0], "UNAUTHENTICATED", None);
    }
    let locked = login_via(&app, [127, 0, 0, 1], "198.51.100.7", "admin", ADMIN_PASSWORD).await;
    assert_code(&locked["errors"][0], "TOO_MANY_REQUESTS", None);
    // The real admin comes through the same proxy from elsewhere: not locked out.
    let admin = login_via(&app, [127, 0, 0, 1], "1.2.3.4, 203.0.113.20", "admin", ADMIN_PASSWORD).await;
    assert!(admin["data"]["login"]["token"].is_string(), "{admin:#}");
    let failures = app.sql_text("SELECT address AS value FROM login_failures GROUP BY address");
    assert_eq!(failures, "198.51.100.7", "failures are recorded against the client, not the proxy");
    // A peer that is not a trusted proxy cannot pick its address with the header.
    let e = login_via(&app, [127, 0, 0, 2], "203.0.113.20", "admin", "guess-guess").await;
    assert_code(&e["errors"][0], "UNAUTHENTICATED", None);
    let from_peer =
        app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM login_failures WHERE address = '127.0.0.2'");
    assert_eq!(from_peer, "1");

    // Without ISP_TRUSTED_PROXIES the header means nothing.
    let plain = TestApp::spawn_with(kind, |c| c.login_max_failures = 3).await.unwrap();
    let e = login_via(&plain, [127, 0, 0, 1], "198.51.100.9", "admin", "guess-guess").await;
    assert_code(&e["errors"][0], "UNAUTHENTICATED", None);
    assert_eq!(plain.sql_text("SELECT address AS value FROM login_failures"), "127.0.0.1");
}

on_both_databases! {
    async fn one_customer_cannot_hog_pdf_rendering_or_count_our_invoices(app: TestApp) {
        let plan = app.catalogue("499.00").await.broadband;
        let (_, mine) = app.customer("ravi", &plan).create_with_invoice().await;
        let (_, theirs) = app.customer("sita", &plan).create_with_invoice().await;
        let ravi = app.login("ravi", CUSTOMER_PASSWORD).await;
        let sita = app.login("sita", CUSTOMER_PASSWORD).await;

        // Not yours and not there answer alike.
        let get = |token: String, path: String| {
            let client = app.client.clone();
            async move {
                let response = client.get(path).bearer_auth(token).send().await.unwrap();
                let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
                (response.status().as_u16(), retry, response.bytes().await.unwrap().to_vec())
            }
        };
        let missing = isp_billing::ids::encode(isp_billing::ids::Kind::Invoice, 987_654);
        let (s1, _, not_yours) = get(ravi.clone(), app.url(&format!("/invoices/{theirs}.pdf"))).await;
        let (s2, _, not_there) = get(ravi.clone(), app.url(&format!("/invoices/{missing}.pdf"))).await;
        assert_eq!((s1, s2), (404, 404));
        assert_eq!(not_yours, not_there, "{}", String::from_utf8_lossy(&not_yours));

        // Ravi asks for his PDF over 16 connections at once while Sita asks for hers.
        let mut asks: Vec<_> =
            (0..16).map(|_| tokio::spawn(get(ravi.clone(), app.url(&format!("/invoices/{mine}.pdf"))))).collect();
        let (status, _, pdf) = get(sita.clone(), app.url(&format!("/invoices/{theirs}.pdf"))).await;
        assert_eq!(status, 200, "another customer is served meanwhile");
        assert!(pdf.starts_with(b"%PDF"));
        let mut served = 0;
        for ask in asks.drain(..) {
            let (status, retry, body) = ask.await.unwrap();
            match status {
                200 => served += 1,
                503 => {
                    assert_eq!(retry.as_deref(), Some("1"));
                    assert!(String::from_utf8_lossy(&body).contains("BUSY"));
                }
                other => panic!("{other}: {}", String::from_utf8_lossy(&body)),
            }
        }
        assert!(served >= 1, "his own PDF is rendered too");
    }
}
