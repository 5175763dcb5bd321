//! The status the network was last told about is kept in the database, beside the login: a
//! change committed while no server told it is told at the next start (on SQLite and
//! PostgreSQL), and with two servers on one PostgreSQL a change made on one is answered by the
//! other's authorize within moments and reaches the NAS exactly once.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::helpers::{Kind, TestApp};
use crate::network::{authorize_until, radius, radius_on, rlm_rest, subscriber, STATUS};
use crate::network_disconnects::{nas, next, settled, Received, NAS_SECRET};

/// Registers the stand-in NAS at `port` with `method` (DISCONNECT or COA).
async fn nas_device(app: &TestApp, port: u16, method: &str) {
    let made = app
        .data(
            "mutation($i: CreateNasDeviceInput!) { createNasDevice(input: $i) { method } }",
            json!({"i": {"name": "core-1", "address": "127.0.0.1", "coaPort": port, "secret": NAS_SECRET,
                "kind": "MIKROTIK", "method": method}}),
        )
        .await;
    assert_eq!(made["createNasDevice"]["method"], method);
}

/// Opens session `session` of `user` on the stand-in NAS, by accounting alone.
async fn session_start(app: &TestApp, user: &str, session: &str) {
    let start = rlm_rest(&[
        ("Acct-Status-Type", "Start"),
        ("User-Name", user),
        ("NAS-IP-Address", "127.0.0.1"),
        ("Acct-Session-Id", session),
        ("Framed-IP-Address", "100.64.5.5"),
    ]);
    assert_eq!(radius(app, "accounting", &start).await.0, 204);
}

/// Nothing more reaches the NAS within `wait`.
async fn no_more(received: &mut mpsc::UnboundedReceiver<Received>, wait: Duration) {
    if let Ok(Some(extra)) = tokio::time::timeout(wait, received.recv()).await {
        panic!("a second request reached the NAS: {extra:?}");
    }
}

fn walled(body: &Value) -> bool {
    body["reply:Framed-Pool"] == "walled-garden"
}

crate::with_radius! {
    async fn a_change_committed_while_no_server_told_it_is_told_at_the_next_start(app: TestApp) {
        let (port, mut received) = nas(0).await;
        nas_device(&app, port, "DISCONNECT").await;
        let (customer, _, _) = subscriber(&app, "quiet.pppoe", None).await;
        // Opened by accounting alone: what the network must be told does not depend on this
        // server having answered authorize for the login.
        session_start(&app, "quiet.pppoe", "sess-quiet").await;

        // Suspended without the server hearing of it: as when a server stops between committing a
        // suspension and queueing its requests (here the status is written straight to the database).
        let n = app.sql("UPDATE customers SET status = 'SUSPENDED' WHERE id = \
            (SELECT customer_id FROM network_credentials WHERE username = 'quiet.pppoe')").unwrap();
        assert_eq!(n, 1);

        // The next start finds the change nobody told and tells it, once.
        let again = app.restart_with(radius_on).await;
        let request = next(&mut received).await;
        assert_eq!(request.code, 40, "Disconnect-Request");
        assert_eq!(request.text(44).as_deref(), Some("sess-quiet"), "Acct-Session-Id");
        let read = settled(&again, &customer, 1).await;
        let first = &read["nasRequests"]["nodes"][0];
        assert_eq!((first["reason"].as_str(), first["status"].as_str()), (Some("SUSPENDED"), Some("ACKED")), "{read}");
        no_more(&mut received, Duration::from_secs(2)).await;
        assert_eq!(settled(&app, &customer, 1).await["nasRequests"]["totalCount"], 1);
    }
}

crate::with_radius! {
    async fn a_status_flipped_back_and_forth_ends_told_as_it_is(app: TestApp) {
        let (port, mut received) = nas(0).await;
        nas_device(&app, port, "DISCONNECT").await;
        let (customer, _, _) = subscriber(&app, "flip.pppoe", None).await;
        session_start(&app, "flip.pppoe", "sess-flip").await;

        // Suspended and active again at the same moment, ten times over: however the commits and
        // the snapshot's reads interleave, the network ends told the customer's last status.
        for _ in 0..10 {
            // One of the two may find the status already what it asks for (BAD_USER_INPUT).
            tokio::join!(
                app.gql_as(Some(&app.token), STATUS, json!({"id": customer, "s": "SUSPENDED"})),
                app.gql_as(Some(&app.token), STATUS, json!({"id": customer, "s": "ACTIVE"})),
            );
        }
        // And SUSPENDED at the end (unless it already is), so there is something to tell.
        app.gql_as(Some(&app.token), STATUS, json!({"id": customer, "s": "SUSPENDED"})).await;
        let status = "SELECT status AS value FROM customers WHERE id = \
            (SELECT customer_id FROM network_credentials WHERE username = 'flip.pppoe')";
        let told = "SELECT told_status AS value FROM network_credentials WHERE username = 'flip.pppoe'";
        let last = app.sql_text(status);
        assert_eq!(last, "SUSPENDED");
        let started = std::time::Instant::now();
        while app.sql_text(told) != last {
            assert!(started.elapsed() < Duration::from_secs(10), "{last}, the network told {}", app.sql_text(told));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The requests that went out alternate, and the last one suspended the customer.
        no_more_than_settled(&mut received).await;
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { nasRequests(first: 50) { nodes { reason status } } } } }";
        let read = app.data(q, json!({"id": customer})).await;
        let reasons: Vec<String> = read["node"]["nasRequests"]["nodes"].as_array().unwrap().iter()
            .map(|n| n["reason"].as_str().unwrap().to_owned()).collect();
        assert!(reasons.windows(2).all(|w| w[0] != w[1]), "{reasons:?}");
        assert_eq!(reasons.last().map(String::as_str), Some("SUSPENDED"), "{reasons:?}");
    }
}

/// Waits until the NAS has heard nothing for a second.
async fn no_more_than_settled(received: &mut mpsc::UnboundedReceiver<Received>) {
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_secs(1), received.recv()).await {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn with_two_servers_a_change_on_one_is_answered_by_both_and_told_once() {
    let Some(one) = TestApp::spawn_with(Kind::Postgres, radius_on).await else { return };
    let two = one.restart_with(radius_on).await;
    let (port, mut received) = nas(0).await;
    nas_device(&one, port, "COA").await;
    let (customer, _, _) = subscriber(&one, "both.pppoe", None).await;
    let (status, body) = authorize_until(&two, "both.pppoe", |s, _| s == 200).await;
    assert_eq!(status, 200, "the second server hears of the new login: {body}");
    assert!(!walled(&body), "{body}");
    session_start(&two, "both.pppoe", "sess-both").await;

    // Suspended by hand on the first server: the second answers the walled garden within
    // moments (not at its next full read, a minute later), and the NAS hears it once.
    one.data(STATUS, json!({"id": customer, "s": "SUSPENDED"})).await;
    let (_, body) = authorize_until(&two, "both.pppoe", |_, b| walled(b)).await;
    assert!(walled(&body), "the second server still answers the old status: {body}");
    let request = next(&mut received).await;
    assert_eq!(request.code, 43, "CoA-Request");
    assert_eq!(request.text(44).as_deref(), Some("sess-both"));
    assert_eq!(request.text(88).as_deref(), Some("walled-garden"), "Framed-Pool");
    no_more(&mut received, Duration::from_secs(3)).await;

    // Active again on the second: the first answers the plan's speed, and one more CoA goes out.
    two.data(STATUS, json!({"id": customer, "s": "ACTIVE"})).await;
    let (_, body) = authorize_until(&one, "both.pppoe", |s, b| s == 200 && !walled(b)).await;
    assert!(!walled(&body), "the first server still answers the old status: {body}");
    let request = next(&mut received).await;
    assert_eq!(request.code, 43, "CoA-Request");
    assert_eq!(request.text(88), None, "out of the walled garden");
    no_more(&mut received, Duration::from_secs(3)).await;
    let read = settled(&one, &customer, 2).await;
    let reasons: Vec<_> = read["nasRequests"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["reason"].as_str().unwrap().to_owned(), n["status"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(reasons, [("SUSPENDED", "ACKED"), ("REACTIVATED", "ACKED")].map(|(r, s)| (r.to_owned(), s.to_owned())));
}
