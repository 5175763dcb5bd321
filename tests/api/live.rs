//! Complaints and their live feed over real websockets, on both subscription protocols.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::documents::{CREATE_COMPLAINT, UPDATE_COMPLAINT};
use crate::fixtures::Role;
use crate::helpers::{assert_code, Kind, Subscriber, TestApp};
use crate::on_both_databases;

const CREATED: &str = "subscription($f: ComplaintFilterInput) { complaintCreated(filter: $f) {
    complaintId status priority title customer { fullName customerId } } }";
const UPDATED: &str = "subscription($f: ComplaintFilterInput) { complaintUpdated(filter: $f) {
    complaintId status resolvedAt assignedEmployee { fullName } } }";

const SHORT: Duration = Duration::from_millis(700);
const LONG: Duration = Duration::from_secs(10);

fn complaint(customer: &str, title: &str, priority: &str) -> Value {
    json!({"i": {"customerId": customer, "title": title, "description": "No internet since morning",
                 "category": "CONNECTIVITY", "priority": priority}})
}

/// Gives a fresh subscription a moment to be registered before events are made.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

on_both_databases! {
    async fn a_complaint_settled_on_the_first_call_goes_straight_to_resolved(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let (c, _) = app.customer("ravi", &bb).create_with_invoice().await;
        let id = app.data(CREATE_COMPLAINT, complaint(&c, "Forgot password", "LOW")).await["createComplaint"]["id"].clone();
        let done = app.data(UPDATE_COMPLAINT, json!({"id": id, "i": {"status": "RESOLVED"}})).await["updateComplaint"].clone();
        assert_eq!(done["status"], "RESOLVED");
        assert!(done["resolvedAt"].is_string(), "OPEN -> RESOLVED sets resolvedAt");
        let closed = app.data(UPDATE_COMPLAINT, json!({"id": id, "i": {"status": "CLOSED"}})).await["updateComplaint"].clone();
        assert_eq!(closed["status"], "CLOSED");
    }

    async fn complaints_follow_their_rules(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let (c, _) = app.customer("sunita", &bb).create_with_invoice().await;
        let created = app.data(CREATE_COMPLAINT, complaint(&c, "Line down", "HIGH")).await["createComplaint"].clone();
        let n = created["complaintId"].as_str().unwrap();
        assert!(n.len() == 13 && n.starts_with("CMP") && n[3..].bytes().all(|b| b.is_ascii_digit()), "{n}");
        assert_eq!(created["status"], "OPEN");
        assert_eq!(created["customer"]["fullName"], "Customer sunita");
        let id = created["id"].clone();
        let bad = app.error(UPDATE_COMPLAINT, json!({"id": id, "i": {"status": "CLOSED"}})).await;
        assert_code(&bad, "BAD_USER_INPUT", Some("status"));
        let support = app.staff("support1", Role::Support).await;
        let me = app.data_as(Some(&support), "{ me { employee { id } } }", json!({})).await["me"]["employee"]["id"].clone();
        let step = |status: &str| json!({"id": id, "i": {"status": status}});
        let assigned = app.data_as(Some(&support), UPDATE_COMPLAINT, json!({"id": id, "i": {"status": "IN_PROGRESS", "assignedEmployeeId": me}})).await;
        assert_eq!(assigned["updateComplaint"]["assignedEmployee"]["fullName"], "support1");
        let resolved = app.data_as(Some(&support), UPDATE_COMPLAINT, step("RESOLVED")).await["updateComplaint"].clone();
        assert!(resolved["resolvedAt"].is_string(), "RESOLVED sets resolvedAt");
        let reopened = app.data_as(Some(&support), UPDATE_COMPLAINT, step("OPEN")).await["updateComplaint"].clone();
        assert!(reopened["resolvedAt"].is_null(), "reopening clears it");
        app.data_as(Some(&support), UPDATE_COMPLAINT, step("IN_PROGRESS")).await;
        app.data_as(Some(&support), UPDATE_COMPLAINT, step("RESOLVED")).await;
        app.data_as(Some(&support), UPDATE_COMPLAINT, step("CLOSED")).await;
        assert_code(&app.error_as(Some(&support), UPDATE_COMPLAINT, step("OPEN")).await, "BAD_USER_INPUT", Some("status"));

        // Filters and the customer's list.
        app.data(CREATE_COMPLAINT, complaint(&c, "Slow", "LOW")).await;
        let q = "query($f: ComplaintFilterInput) { complaints(filter: $f) { totalCount } }";
        assert_eq!(app.data(q, json!({"f": {"status": "CLOSED"}})).await["complaints"]["totalCount"], 1);
        assert_eq!(app.data(q, json!({"f": {"priority": "LOW", "category": "CONNECTIVITY"}})).await["complaints"]["totalCount"], 1);
        assert_eq!(app.data(q, json!({"f": {"assignedEmployeeId": me}})).await["complaints"]["totalCount"], 1);
        assert_eq!(app.data(q, json!({"f": {"customerId": c}})).await["complaints"]["totalCount"], 2);
        let profile = "query($id: ID!) { node(id: $id) { ... on Customer { complaints { title } } } }";
        assert_eq!(app.data(profile, json!({"id": c})).await["node"]["complaints"][0]["title"], "Slow");

        // Customers file and read their own, and change nothing.
        let mine = app.login("sunita", "customer-pass-1").await;
        let own = json!({"i": {"title": "TV snow", "description": "Channels 1-20", "category": "CABLE_SIGNAL"}});
        let filed = app.data_as(Some(&mine), CREATE_COMPLAINT, own).await["createComplaint"].clone();
        assert_eq!(filed["priority"], "MEDIUM");
        assert_eq!(app.data_as(Some(&mine), q, json!({})).await["complaints"]["totalCount"], 3);
        let e = app.error_as(Some(&mine), UPDATE_COMPLAINT, json!({"id": filed["id"], "i": {"priority": "URGENT"}})).await;
        assert_code(&e, "FORBIDDEN", None);
        let collector = app.staff("collector9", Role::Collector).await;
        assert_code(&app.error_as(Some(&collector), q, json!({})).await, "FORBIDDEN", None);
        let del = "mutation($id: ID!) { deleteComplaint(id: $id) }";
        app.data(del, json!({"id": filed["id"]})).await;
        assert_eq!(app.data(q, json!({})).await["complaints"]["totalCount"], 2);
    }

    async fn new_complaints_reach_subscribers_on_both_protocols(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let (c, _) = app.customer("tara", &bb).create_with_invoice().await;
        let mut modern = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
        let mut legacy = Subscriber::connect(&app, "graphql-ws", Some(&app.token)).await.unwrap();
        modern.subscribe("1", CREATED, json!({})).await;
        legacy.subscribe("1", CREATED, json!({})).await;
        settle().await;
        app.data(CREATE_COMPLAINT, complaint(&c, "Line down", "HIGH")).await;
        for sub in [&mut modern, &mut legacy] {
            let event = sub.event(LONG).await.expect("an event");
            let got = &event["data"]["complaintCreated"];
            let n = got["complaintId"].as_str().unwrap_or_else(|| panic!("{event:#}"));
            assert!(n.len() == 13 && n.starts_with("CMP"), "{n}");
            assert_eq!(got["status"], "OPEN");
            assert_eq!(got["customer"]["fullName"], "Customer tara", "nested fields resolve");
        }
    }

    async fn filters_and_rights_hold_on_the_feed(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let (a, _) = app.customer("uma", &bb).create_with_invoice().await;
        let (b, _) = app.customer("veer", &bb).create_with_invoice().await;
        let mut urgent = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
        urgent.subscribe("u", CREATED, json!({"f": {"priority": "URGENT"}})).await;
        let mut resolved = Subscriber::connect(&app, "graphql-ws", Some(&app.token)).await.unwrap();
        resolved.subscribe("r", UPDATED, json!({"f": {"status": "RESOLVED"}})).await;
        let uma = app.login("uma", "customer-pass-1").await;
        let mut own = Subscriber::connect(&app, "graphql-transport-ws", Some(&uma)).await.unwrap();
        own.subscribe("o", CREATED, json!({})).await;
        // Anonymous and wrong-token connections are refused.
        assert!(Subscriber::connect(&app, "graphql-transport-ws", None).await.is_err());
        assert!(Subscriber::connect(&app, "graphql-ws", Some("not-a-token")).await.is_err());
        settle().await;

        let low = app.data(CREATE_COMPLAINT, complaint(&b, "Slow", "LOW")).await["createComplaint"]["id"].clone();
        assert_eq!(urgent.event(SHORT).await, None, "filtered out");
        assert_eq!(own.event(SHORT).await, None, "another customer's complaint");
        app.data(CREATE_COMPLAINT, complaint(&a, "Down again", "URGENT")).await;
        let e = urgent.event(LONG).await.unwrap();
        assert_eq!(e["data"]["complaintCreated"]["priority"], "URGENT", "{e:#}");
        let e = own.event(LONG).await.unwrap();
        assert_eq!(e["data"]["complaintCreated"]["customer"]["customerId"].as_str().map(str::len), Some(10), "{e:#}");

        app.data(UPDATE_COMPLAINT, json!({"id": low, "i": {"status": "IN_PROGRESS"}})).await;
        assert_eq!(resolved.event(SHORT).await, None);
        app.data(UPDATE_COMPLAINT, json!({"id": low, "i": {"status": "RESOLVED"}})).await;
        let e = resolved.event(LONG).await.unwrap();
        assert_eq!(e["data"]["complaintUpdated"]["status"], "RESOLVED", "{e:#}");
        assert!(e["data"]["complaintUpdated"]["resolvedAt"].is_string());
    }

    async fn a_changed_role_ends_the_subscription(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let (c, _) = app.customer("yusuf", &bb).create_with_invoice().await;
        let support = app.staff("support5", Role::Support).await;
        let me = app.data_as(Some(&support), "{ me { employee { id } } }", json!({})).await["me"]["employee"]["id"].clone();
        let mut sub = Subscriber::connect(&app, "graphql-transport-ws", Some(&support)).await.unwrap();
        sub.subscribe("1", CREATED, json!({})).await;
        settle().await;
        app.data(CREATE_COMPLAINT, complaint(&c, "First", "LOW")).await;
        assert_eq!(sub.event(LONG).await.unwrap()["data"]["complaintCreated"]["title"], "First");
        // Moved to collections: no complaints for them any more.
        let demote = "mutation($id: ID!) { updateEmployee(id: $id, input: {role: COLLECTOR}) { role } }";
        app.data(demote, json!({"id": me})).await;
        app.data(CREATE_COMPLAINT, complaint(&c, "Second", "LOW")).await;
        let e = sub.event(LONG).await.unwrap();
        assert!(e["data"]["complaintCreated"].is_null(), "no complaint after the role change: {e:#}");
        assert_eq!(e["errors"][0]["extensions"]["code"], "FORBIDDEN", "{e:#}");
        assert_eq!(sub.event(LONG).await.unwrap()["type"], "complete", "the subscription ends");
    }

    async fn a_rolled_back_mutation_publishes_nothing(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let (c, _) = app.customer("wasim", &bb).create_with_invoice().await;
        let mut sub = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
        sub.subscribe("1", CREATED, json!({})).await;
        settle().await;
        // Valid in form, refused inside the transaction (no such employee): rolled back.
        let mut input = complaint(&c, "Ghost", "HIGH");
        input["i"]["assignedEmployeeId"] = json!(isp_billing::ids::encode(isp_billing::ids::Kind::Employee, 999_999));
        assert_code(&app.error(CREATE_COMPLAINT, input).await, "BAD_USER_INPUT", Some("assignedEmployeeId"));
        assert_eq!(sub.event(SHORT).await, None, "nothing published for a rolled-back complaint");
        app.data(CREATE_COMPLAINT, complaint(&c, "Real", "HIGH")).await;
        assert_eq!(sub.event(LONG).await.unwrap()["data"]["complaintCreated"]["title"], "Real");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_never_reads_does_not_stall_others() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let bb = app.catalogue("499").await.broadband;
    let (c, _) = app.customer("xavier", &bb).create_with_invoice().await;
    let big = "subscription { complaintCreated { complaintId description title customer { fullName address } } }";
    let mut stalled = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
    stalled.subscribe("1", big, json!({})).await;
    let mut reader = Subscriber::connect(&app, "graphql-ws", Some(&app.token)).await.unwrap();
    reader.subscribe("1", CREATED, json!({})).await;
    settle().await;
    // Enough large events to fill the stalled client's socket buffers many times over.
    let total = 600;
    let description = "x".repeat(3900);
    let app = &app;
    let description = &description;
    let c = &c;
    let make = async {
        for chunk in (0..total).collect::<Vec<_>>().chunks(8) {
            let batch = chunk.iter().map(|i| {
                let input = json!({"i": {"customerId": c, "title": format!("n{i}"), "description": description,
                                         "category": "OTHER"}});
                async move { app.gql_as(Some(&app.token), CREATE_COMPLAINT, input).await }
            });
            for answer in futures_util::future::join_all(batch).await {
                assert!(answer.get("errors").is_none(), "{answer:#}");
            }
        }
    };
    let read = async {
        let mut seen = 0;
        while seen < total {
            let event = reader.event(LONG).await.expect("the reading subscriber keeps getting events");
            assert!(event["data"]["complaintCreated"]["complaintId"].is_string(), "{event:#}");
            seen += 1;
        }
        seen
    };
    let ((), seen) = tokio::join!(make, read);
    assert_eq!(seen, total);
    drop(stalled);
}

#[tokio::test]
async fn a_socket_that_never_logs_in_is_closed() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let mut socket = app.websocket("graphql-transport-ws").await;
    let closed = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                _ => return None,
            }
        }
    })
    .await
    .expect("closed within 15 s");
    assert_eq!(closed, Some(4408));
}

#[tokio::test]
async fn idle_websockets_get_pings() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.ws_ping_seconds = 1).await.unwrap();
    let mut sub = Subscriber::connect(&app, "graphql-transport-ws", Some(&app.token)).await.unwrap();
    let ping = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(Ok(Message::Ping(_))) = sub.socket().next().await {
                return;
            }
        }
    })
    .await;
    assert!(ping.is_ok(), "a websocket ping within 5 s");
}
