//! Notifications made by events, the viewer's list and subscription, plan-expiry reminders,
//! the signed webhook with retries, and connection requests from the website.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::documents::{CREATE_COMPLAINT, CREATE_CONNECTION_REQUEST, SET_INVOICE_STATUS, UPDATE_COMPLAINT};
use crate::fixtures::Role;
use crate::helpers::{assert_code, Kind, Subscriber, TestApp};
use crate::on_both_databases;

const MINE: &str = "{ notifications(last: 50) { totalCount nodes { id kind title body subjectId read webhookStatus webhookAttempts webhookLastError } } }";

async fn kinds(app: &TestApp, token: &str) -> Vec<String> {
    let data = app.data_as(Some(token), MINE, json!({})).await;
    data["notifications"]["nodes"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect()
}

/// Today in India (the server's business date).
fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::minutes(330)).date_naive()
}

on_both_databases! {
    async fn events_make_notifications(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let (c, first) = app.customer("yamini", &bb).create_with_invoice().await;
        let customer = app.login("yamini", "customer-pass-1").await;
        let support = app.staff("support2", Role::Support).await;
        let support_id = app.data_as(Some(&support), "{ me { employee { id } } }", json!({})).await["me"]["employee"]["id"].clone();
        let mut live = Subscriber::connect(&app, "graphql-transport-ws", Some(&customer)).await.unwrap();
        live.subscribe("n", "subscription { notificationReceived { kind title } }", json!({})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;

        app.data(SET_INVOICE_STATUS, json!({"id": first, "s": "SENT"})).await;
        app.pay(json!({"invoiceId": first, "amount": "100", "paymentMethod": "CASH"})).await;
        let filed = app.data(CREATE_COMPLAINT, json!({"i": {"customerId": c, "title": "Down", "description": "since 9",
            "category": "CONNECTIVITY", "assignedEmployeeId": support_id}})).await["createComplaint"]["id"].clone();
        app.data(UPDATE_COMPLAINT, json!({"id": filed, "i": {"status": "IN_PROGRESS"}})).await;

        assert_eq!(kinds(&app, &customer).await, ["INVOICE_ISSUED", "PAYMENT_RECEIVED", "COMPLAINT_STATUS_CHANGED"]);
        assert_eq!(kinds(&app, &support).await, ["COMPLAINT_ASSIGNED"]);
        let e = live.event(Duration::from_secs(10)).await.unwrap();
        assert_eq!(e["data"]["notificationReceived"]["kind"], "INVOICE_ISSUED", "{e:#}");
        let e = live.event(Duration::from_secs(10)).await.unwrap();
        assert_eq!(e["data"]["notificationReceived"]["kind"], "PAYMENT_RECEIVED");
        assert_eq!(e["data"]["notificationReceived"]["title"], "Payment of ₹100.00 received");

        // Reading them.
        let list = app.data_as(Some(&customer), MINE, json!({})).await["notifications"].clone();
        let one = list["nodes"][0]["id"].clone();
        let mark = "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }";
        assert_eq!(app.data_as(Some(&customer), mark, json!({"ids": [one]})).await["markNotificationsRead"], 1);
        let unread = "{ notifications(unreadOnly: true) { totalCount } }";
        assert_eq!(app.data_as(Some(&customer), unread, json!({})).await["notifications"]["totalCount"], 2);
        // Someone else's notification is not theirs to mark.
        let theirs = app.data_as(Some(&support), MINE, json!({})).await["notifications"]["nodes"][0]["id"].clone();
        assert_eq!(app.data_as(Some(&customer), mark, json!({"ids": [theirs]})).await["markNotificationsRead"], 0);
        assert_eq!(app.data_as(Some(&customer), mark, json!({})).await["markNotificationsRead"], 2);
        assert_eq!(app.data_as(Some(&customer), unread, json!({})).await["notifications"]["totalCount"], 0);
        assert_eq!(list["nodes"][0]["webhookStatus"], "NONE", "no webhook configured");
    }

    async fn plan_expiry_reminders_come_once(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let start = (today() - chrono::Days::new(25)).to_string();
        app.customer("zoya", &bb).set("periodMonths", 1).set("startDate", start).create().await;
        let run = "mutation { sendPlanExpiryReminders }";
        assert_eq!(app.data(run, json!({})).await["sendPlanExpiryReminders"], 1);
        assert_eq!(app.data(run, json!({})).await["sendPlanExpiryReminders"], 0, "each reminder once");
        let zoya = app.login("zoya", "customer-pass-1").await;
        let list = app.data_as(Some(&zoya), MINE, json!({})).await["notifications"].clone();
        assert_eq!(list["totalCount"], 1);
        assert_eq!(list["nodes"][0]["kind"], "PLAN_EXPIRING");
        assert_eq!(list["nodes"][0]["title"], "Your plan ends in 5 days");
        let support = app.staff("support3", Role::Support).await;
        assert_code(&app.error_as(Some(&support), run, json!({})).await, "FORBIDDEN", None);
    }

    async fn plan_expiry_reminders_reach_every_end_date_of_the_week(app: TestApp) {
        // Read end date by end date (the index on status, end date, id): plans ending today, in
        // 2 and in 6 days are reminded, in one pass; one ending in 8 days is not yet.
        let bb = app.catalogue("499").await.broadband;
        for (name, left) in [("irawati", 6), ("omkar", 0), ("piyush", 8), ("rajesh", 2)] {
            let start = (today() + chrono::Days::new(left) - chrono::Days::new(30)).to_string();
            app.customer(name, &bb).set("periodMonths", 1).set("startDate", start).create().await;
        }
        let run = "mutation { sendPlanExpiryReminders }";
        assert_eq!(app.data(run, json!({})).await["sendPlanExpiryReminders"], 3);
        assert_eq!(app.data(run, json!({})).await["sendPlanExpiryReminders"], 0, "each reminder once");
        for (name, title) in [("irawati", Some("Your plan ends in 6 days")), ("omkar", Some("Your plan ends today")),
            ("piyush", None), ("rajesh", Some("Your plan ends in 2 days"))]
        {
            let token = app.login(name, "customer-pass-1").await;
            let list = app.data_as(Some(&token), MINE, json!({})).await["notifications"].clone();
            let titles: Vec<&str> = list["nodes"].as_array().unwrap().iter()
                .filter(|n| n["kind"] == "PLAN_EXPIRING").map(|n| n["title"].as_str().unwrap()).collect();
            assert_eq!(titles, title.into_iter().collect::<Vec<_>>(), "{name}");
        }
    }

    async fn connection_requests_from_the_website(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let mut staff = Subscriber::connect(&app, "graphql-ws", Some(&app.token)).await.unwrap();
        staff.subscribe("c", "subscription { connectionRequestCreated { fullName status plan { name } } }", json!({})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let form = CREATE_CONNECTION_REQUEST;
        let input = json!({"i": {"fullName": "Abdul Rahman", "mobile": "98220 11111", "address": "7 Sadar", "planId": bb}});
        let receipt = app.data_as(None, form, input.clone()).await["createConnectionRequest"].clone();
        assert!(receipt["reference"].is_string());
        let e = staff.event(Duration::from_secs(10)).await.unwrap();
        assert_eq!(e["data"]["connectionRequestCreated"]["fullName"], "Abdul Rahman", "{e:#}");
        assert_eq!(e["data"]["connectionRequestCreated"]["plan"]["name"], "Home 100");
        assert_eq!(kinds(&app, &app.token).await, ["CONNECTION_REQUEST"], "staff are notified");
        let e = app.error_as(None, form, json!({"i": {"fullName": "X", "mobile": "12", "address": "Y"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("mobile"));

        // Staff work it and convert it into a customer.
        let list = "{ connectionRequests(status: NEW) { totalCount nodes { id mobile } } }";
        let found = app.data(list, json!({})).await["connectionRequests"].clone();
        assert_eq!(found["totalCount"], 1);
        assert_eq!(found["nodes"][0]["mobile"], "9822011111");
        let id = found["nodes"][0]["id"].clone();
        let update = "mutation($id: ID!, $s: ConnectionRequestStatus!) { updateConnectionRequest(id: $id, status: $s) { status } }";
        app.data(update, json!({"id": id, "s": "CONTACTED"})).await;
        assert_code(&app.error(update, json!({"id": id, "s": "NEW"})).await, "BAD_USER_INPUT", Some("status"));
        let convert = "mutation($id: ID!, $i: CreateCustomerInput!) { convertConnectionRequest(id: $id, input: $i) {
            connectionRequest { status customer { username } } customer { customerId invoices { status } } } }";
        let made = app.data(convert, json!({"id": id, "i": app.customer("abdul", &bb).input()})).await["convertConnectionRequest"].clone();
        assert_eq!(made["connectionRequest"]["status"], "CONVERTED");
        assert_eq!(made["connectionRequest"]["customer"]["username"], "abdul");
        assert_eq!(made["customer"]["invoices"][0]["status"], "DRAFT");
        let again = app.error(convert, json!({"id": id, "i": app.customer("abdul2", &bb).input()})).await;
        assert_code(&again, "CONFLICT", None);
        // Anonymous callers cannot read the list.
        assert_code(&app.error_as(None, list, json!({})).await, "UNAUTHENTICATED", None);
        // A failed conversion changes nothing: the username is taken.
        app.data_as(None, form, input).await;
        let second = app.data(list, json!({})).await["connectionRequests"]["nodes"][0]["id"].clone();
        let taken = app.error(convert, json!({"id": second, "i": app.customer("abdul", &bb).input()})).await;
        assert_code(&taken, "CONFLICT", None);
        assert_eq!(app.data(list, json!({})).await["connectionRequests"]["totalCount"], 1, "still NEW");
    }
}

#[tokio::test]
async fn connection_requests_are_rate_limited_per_address() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.connection_requests_per_hour = 2).await.unwrap();
    let form = CREATE_CONNECTION_REQUEST;
    let input = json!({"i": {"fullName": "Bot", "mobile": "9822011111", "address": "Somewhere"}});
    app.data_as(None, form, input.clone()).await;
    app.data_as(None, form, input.clone()).await;
    assert_code(&app.error_as(None, form, input).await, "TOO_MANY_REQUESTS", None);
}

/// A webhook receiver: answers 500 to the first delivery and 200 after, keeping what came.
async fn receiver() -> (String, Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>) {
    let seen: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>> = Arc::default();
    let log = Arc::clone(&seen);
    let handler = move |headers: axum::http::HeaderMap, body: String| {
        let log = Arc::clone(&log);
        async move {
            let mut log = log.lock().unwrap();
            log.push((headers, body));
            if log.len() == 1 {
                axum::http::StatusCode::INTERNAL_SERVER_ERROR
            } else {
                axum::http::StatusCode::OK
            }
        }
    };
    let router = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_gets_signed_notifications_and_retries() {
    let (url, seen) = receiver().await;
    let app = TestApp::spawn_with(Kind::Sqlite, |c| {
        c.webhook_url = url;
        c.webhook_secret = Some("gateway-secret".into());
    })
    .await
    .unwrap();
    let bb = app.catalogue("499").await.broadband;
    let (_, first) = app.customer("bina", &bb).create_with_invoice().await;
    app.pay(json!({"invoiceId": first, "amount": "250", "paymentMethod": "CASH"})).await;
    let bina = app.login("bina", "customer-pass-1").await;
    // Delivery fails once (500), then succeeds after a 2 s backoff.
    let mut last = Value::Null;
    for _ in 0..40 {
        last = app.data_as(Some(&bina), MINE, json!({})).await["notifications"]["nodes"][0].clone();
        if last["webhookStatus"] == "DELIVERED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(last["webhookStatus"], "DELIVERED", "{last:#}");
    assert_eq!(last["webhookAttempts"], 2);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one failure, one delivery");
    for (headers, body) in &seen {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"gateway-secret").unwrap();
        let timestamp = headers["x-isp-timestamp"].to_str().unwrap();
        let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
        assert!((0..60).contains(&age), "a current timestamp: {timestamp}");
        mac.update(format!("{timestamp}.{body}").as_bytes());
        let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(headers["x-isp-signature"], format!("sha256={expected}"));
        let sent: Value = serde_json::from_str(body).unwrap();
        assert_eq!(sent["kind"], "PAYMENT_RECEIVED");
        assert_eq!(sent["recipient"]["mobile"], "9822012345", "the gateway gets the number to text");
        assert_eq!(sent["id"], last["id"]);
    }
    assert_eq!(seen[1].0["x-isp-attempt"], "2");
}
