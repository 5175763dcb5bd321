//! Disconnects (issue #27 item 4): a UDP listener stands in for a MikroTik's RFC 5176 port. When
//! the billing cycle suspends a customer with an open session, it receives a Disconnect-Request
//! naming the session, with an authenticator it checks itself (MD5 over code, identifier,
//! length, 16 zero octets, attributes and the shared secret); after the payment that
//! reactivates them, another for their walled-garden session. An unanswered request is sent
//! again; outcomes are on `Customer.nasRequests`. On SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use serde_json::{json, Value};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::helpers::{business_today, days_after, days_before, TestApp};
use crate::network::{authorize_until, radius, rlm_rest, SET_CREDENTIALS};

pub const NAS_SECRET: &str = "mikrotik-coa-secret";

/// A request the stand-in NAS received: code, attributes (type, value).
#[derive(Debug)]
pub struct Received {
    pub code: u8,
    pub attributes: Vec<(u8, Vec<u8>)>,
}

impl Received {
    pub fn text(&self, kind: u8) -> Option<String> {
        self.attributes.iter().find(|a| a.0 == kind).map(|a| String::from_utf8_lossy(&a.1).into_owned())
    }
}

/// Starts the stand-in NAS: it checks each request's authenticator, ignores the first
/// `drop_first` requests (so the server must retry), and ACKs the rest. Its port, and what it
/// received.
pub async fn nas(drop_first: usize) -> (u16, mpsc::UnboundedReceiver<Received>) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut seen = 0;
        let mut buf = [0u8; 4096];
        loop {
            let (n, from) = socket.recv_from(&mut buf).await.unwrap();
            let packet = &buf[..n];
            let length = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
            assert_eq!(length, n, "the length field is the packet's");
            let mut expected = Md5::new();
            expected.update(&packet[..4]);
            expected.update([0u8; 16]);
            expected.update(&packet[20..]);
            expected.update(NAS_SECRET.as_bytes());
            let expected: [u8; 16] = expected.finalize().into();
            assert_eq!(expected[..], packet[4..20], "the Request Authenticator is valid for the shared secret");
            let mut attributes = Vec::new();
            let mut rest = &packet[20..];
            while !rest.is_empty() {
                let len = usize::from(rest[1]);
                attributes.push((rest[0], rest[2..len].to_vec()));
                rest = &rest[len..];
            }
            seen += 1;
            if seen <= drop_first {
                continue;
            }
            // Disconnect-ACK (41) or CoA-ACK (44), with the Response Authenticator.
            let code = packet[0] + 1;
            let mut answer = vec![code, packet[1], 0, 20];
            let mut auth = Md5::new();
            auth.update(&answer[..4]);
            auth.update(&packet[4..20]);
            auth.update(NAS_SECRET.as_bytes());
            let auth: [u8; 16] = auth.finalize().into();
            answer.extend_from_slice(&auth);
            socket.send_to(&answer, from).await.unwrap();
            let _ = tx.send(Received { code: packet[0], attributes });
        }
    });
    (port, rx)
}

pub async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(15), rx.recv()).await.expect("a request reaches the NAS").unwrap()
}

pub async fn requests(app: &TestApp, customer: &str) -> Value {
    let q = "query($id: ID!) { node(id: $id) { ... on Customer { status nasRequests { totalCount nodes {
        code reason status attempts lastError nas { name } session { sessionId } } } } } }";
    app.data(q, json!({"id": customer})).await["node"].clone()
}

/// Waits until every request of `customer` is answered; the requests.
pub async fn settled(app: &TestApp, customer: &str, count: usize) -> Value {
    let started = Instant::now();
    loop {
        let read = requests(app, customer).await;
        let nodes = read["nasRequests"]["nodes"].as_array().cloned().unwrap_or_default();
        if nodes.len() == count && nodes.iter().all(|n| n["status"] != "PENDING") {
            return read;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "requests not settled: {read}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn start(session: &str) -> Value {
    rlm_rest(&[
        ("Acct-Status-Type", "Start"),
        ("User-Name", "late.pppoe"),
        ("NAS-IP-Address", "127.0.0.1"),
        ("Acct-Session-Id", session),
        ("Framed-IP-Address", "100.64.9.9"),
    ])
}

fn stop(session: &str) -> Value {
    rlm_rest(&[
        ("Acct-Status-Type", "Stop"),
        ("User-Name", "late.pppoe"),
        ("NAS-IP-Address", "127.0.0.1"),
        ("Acct-Session-Id", session),
        ("Acct-Session-Time", "60"),
        ("Acct-Terminate-Cause", "Admin-Reset"),
    ])
}

crate::with_radius! {
    async fn suspension_and_payment_disconnect_the_session(app: TestApp) {
        // The NAS ignores the first request: the server must send it again.
        let (port, mut received) = nas(1).await;
        let made = app.data("mutation($i: CreateNasDeviceInput!) { createNasDevice(input: $i) { name address coaPort kind method } }",
            json!({"i": {"name": "core-1", "address": "127.0.0.1", "coaPort": port, "secret": NAS_SECRET, "kind": "MIKROTIK"}})).await;
        assert_eq!(made["createNasDevice"], json!({"name": "core-1", "address": "127.0.0.1", "coaPort": port,
            "kind": "MIKROTIK", "method": "DISCONNECT"}));
        let devices = app.data("{ nasDevices { name } }", json!({})).await;
        assert_eq!(devices["nasDevices"], json!([{"name": "core-1"}]));

        // A customer whose extra invoice fell due three days ago, online.
        let today = business_today(&app).await;
        let catalogue = app.catalogue("499.00").await;
        app.data("mutation($id: ID!) { updateCompany(id: $id, input: {graceDays: 3}) { graceDays } }",
            json!({"id": catalogue.company})).await;
        let customer = app.customer("late", &catalogue.broadband).set("startDate", today.to_string()).create().await["id"]
            .as_str().unwrap().to_owned();
        app.data(SET_CREDENTIALS, json!({"c": customer, "i": {"username": "late.pppoe", "password": "pppoe-pass"}})).await;
        let invoice = app.invoice(json!({"customerId": customer, "billAmount": "300", "invoiceDate": days_before(today, 10),
            "dueDate": days_before(today, 3), "billingPeriodStart": days_before(today, 10),
            "billingPeriodEnd": days_after(today, 20)})).await["id"].as_str().unwrap().to_owned();
        // As a NAS does: the login is authorized before its session starts.
        assert_eq!(authorize_until(&app, "late.pppoe", |s, _| s == 200).await.0, 200);
        assert_eq!(radius(&app, "accounting", &start("sess-active")).await.0, 204);

        // The billing cycle suspends them: the NAS is told to drop the session (after one retry).
        let run = app.data("mutation($d: Date) { runBillingCycle(asOf: $d) { suspended } }",
            json!({"d": today.to_string()})).await;
        assert_eq!(run["runBillingCycle"]["suspended"], 1);
        let request = next(&mut received).await;
        assert_eq!(request.code, 40, "Disconnect-Request");
        assert_eq!(request.text(1).as_deref(), Some("late.pppoe"), "User-Name");
        assert_eq!(request.text(44).as_deref(), Some("sess-active"), "Acct-Session-Id");
        assert!(request.attributes.iter().any(|a| a.0 == 8 && a.1 == [100, 64, 9, 9]), "Framed-IP-Address");
        let read = settled(&app, &customer, 1).await;
        assert_eq!(read["status"], "SUSPENDED");
        let first = &read["nasRequests"]["nodes"][0];
        assert_eq!((first["code"].as_str(), first["reason"].as_str(), first["status"].as_str()),
            (Some("DISCONNECT"), Some("SUSPENDED"), Some("ACKED")), "{read}");
        assert_eq!(first["attempts"], 2, "the unanswered first attempt was retried: {read}");
        assert_eq!(first["nas"]["name"], "core-1");

        // The router reconnects into the walled garden.
        radius(&app, "accounting", &stop("sess-active")).await;
        radius(&app, "accounting", &start("sess-walled")).await;

        // Paying reactivates them: the walled-garden session is dropped so they reconnect at full speed.
        app.pay(json!({"invoiceId": invoice, "amount": "354", "paymentMethod": "CASH"})).await;
        let request = next(&mut received).await;
        assert_eq!(request.code, 40);
        assert_eq!(request.text(44).as_deref(), Some("sess-walled"));
        let read = settled(&app, &customer, 2).await;
        assert_eq!(read["status"], "ACTIVE");
        let second = &read["nasRequests"]["nodes"][1];
        assert_eq!((second["reason"].as_str(), second["status"].as_str(), second["attempts"].as_i64()),
            (Some("REACTIVATED"), Some("ACKED"), Some(1)), "{read}");
        assert_eq!(second["session"]["sessionId"], "sess-walled");
        let all = app.data("{ nasRequests { totalCount } }", json!({})).await;
        assert_eq!(all["nasRequests"]["totalCount"], 2);

        // A NAS that was sent requests is kept for their record.
        let id = app.data("{ nasDevices { id } }", json!({})).await["nasDevices"][0]["id"].clone();
        let node = app.data("query($id: ID!) { node(id: $id) { ... on NasDevice { name coaPort } } }", json!({"id": id})).await;
        assert_eq!(node["node"], json!({"name": "core-1", "coaPort": port}));
        let refused = app.error("mutation($id: ID!) { deleteNasDevice(id: $id) }", json!({"id": id})).await;
        crate::helpers::assert_code(&refused, "CONFLICT", None);
    }

    async fn a_coa_nas_is_told_the_new_answer_and_a_termination_disconnects(app: TestApp) {
        let (port, mut received) = nas(0).await;
        let made = app.data("mutation($i: CreateNasDeviceInput!) { createNasDevice(input: $i) { method } }",
            json!({"i": {"name": "bras-1", "address": "127.0.0.1", "coaPort": port, "secret": NAS_SECRET,
                "kind": "MIKROTIK", "method": "COA"}})).await;
        assert_eq!(made["createNasDevice"]["method"], "COA");
        let (customer, _, _) = crate::network::subscriber(&app, "coa.pppoe", None).await;
        assert_eq!(authorize_until(&app, "coa.pppoe", |s, _| s == 200).await.0, 200);
        let session = rlm_rest(&[("Acct-Status-Type", "Start"), ("User-Name", "coa.pppoe"),
            ("NAS-IP-Address", "127.0.0.1"), ("Acct-Session-Id", "sess-coa"), ("Framed-IP-Address", "100.64.7.7")]);
        assert_eq!(radius(&app, "accounting", &session).await.0, 204);
        let vendor = |r: &Received| -> Option<Vec<u8>> {
            // Vendor-Specific (26): vendor id 14988 (MikroTik), then its attribute 8 (Mikrotik-Rate-Limit).
            r.attributes.iter().find(|a| a.0 == 26 && a.1[..4] == 14988u32.to_be_bytes() && a.1[4] == 8)
                .map(|a| a.1[6..].to_vec())
        };

        // Suspended by hand: the session stays up, moved to the walled-garden pool by a CoA-Request.
        app.data(crate::network::STATUS, json!({"id": customer, "s": "SUSPENDED"})).await;
        let request = next(&mut received).await;
        assert_eq!(request.code, 43, "CoA-Request");
        assert_eq!(request.text(44).as_deref(), Some("sess-coa"), "Acct-Session-Id");
        assert_eq!(request.text(88).as_deref(), Some("walled-garden"), "Framed-Pool");
        assert_eq!(vendor(&request), None, "no rate limit in the walled garden");

        // Active again: the plan's rate limit comes back by CoA.
        app.data(crate::network::STATUS, json!({"id": customer, "s": "ACTIVE"})).await;
        let request = next(&mut received).await;
        assert_eq!(request.code, 43, "CoA-Request");
        assert_eq!(vendor(&request).as_deref(), Some(&b"10240k/51200k"[..]), "Mikrotik-Rate-Limit");
        assert_eq!(request.text(88), None);

        // Terminated: nothing to move the session to, so a Disconnect-Request even on this NAS.
        app.data(crate::network::STATUS, json!({"id": customer, "s": "TERMINATED"})).await;
        let request = next(&mut received).await;
        assert_eq!(request.code, 40, "Disconnect-Request");
        let read = settled(&app, &customer, 3).await;
        let codes: Vec<_> = read["nasRequests"]["nodes"].as_array().unwrap().iter()
            .map(|n| (n["code"].as_str().unwrap().to_owned(), n["status"].as_str().unwrap().to_owned())).collect();
        assert_eq!(codes, [("COA", "ACKED"), ("COA", "ACKED"), ("DISCONNECT", "ACKED")].map(|(c, s)| (c.to_owned(), s.to_owned())));
    }
}
