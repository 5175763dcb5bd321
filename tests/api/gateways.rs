//! Payment gateways: setup with a write-only, encrypted secret; webhooks signed as Razorpay,
//! Cashfree and our generic scheme sign them, delivered again, at the same instant, forged,
//! stale; money kept when it names nobody; UPI references counted once across channels.

use serde_json::{json, Value};

use crate::helpers::{assert_code, check_invariants, paise, Kind, TestApp};
use isp_billing::gateways::signature::{base64_hmac, hex_hmac};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const SECRET: &str = "whsec_Nagpur-Fibernet-2026";

const CREATE_GATEWAY: &str = "mutation($i: CreatePaymentGatewayInput!) { createPaymentGateway(input: $i) {
    id provider keyId isActive webhookUrl company { name } } }";
const UNMATCHED: &str = "{ unmatchedGatewayPayments { totalCount totalAmount nodes {
    id gatewayPaymentId amount currency unmatchedReason customerRef invoiceRef payment { paymentId } } } }";
const ASSIGN: &str = "mutation($id: ID!, $c: ID) { assignGatewayPayment(id: $id, customerId: $c) {
    unmatchedReason payment { paymentId amount paymentMethod } } }";

macro_rules! with_secrets_key {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: TestApp) $body

                fn key(c: &mut isp_billing::config::Config) {
                    c.secrets_key = Some(isp_billing::secrets::SecretsKey::parse(KEY).unwrap());
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(TestApp::spawn_with(Kind::Sqlite, key).await.expect("sqlite app")).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
                async fn postgres() {
                    if let Some(app) = TestApp::spawn_with(Kind::Postgres, key).await {
                        run(app).await;
                    }
                }
            }
        )*
    };
}

/// A gateway of `company`; returns its webhook path (`/webhooks/<provider>/<id>`).
async fn gateway(app: &TestApp, company: &str, provider: &str) -> String {
    let input = json!({"companyId": company, "provider": provider, "keyId": "rzp_live_K1", "webhookSecret": SECRET});
    let made = app.data(CREATE_GATEWAY, json!({ "i": input })).await["createPaymentGateway"].clone();
    let url = made["webhookUrl"].as_str().unwrap().to_owned();
    url[url.find("/webhooks/").unwrap()..].to_owned()
}

/// A customer with an opening invoice of ₹1766.46: (customer ID, 10-digit number, invoice number).
async fn customer(app: &TestApp, plan: &str, username: &str) -> (String, String, String) {
    let (c, i) = app.customer(username, plan).create_with_invoice().await;
    let q = "query($c: ID!, $i: ID!) { c: node(id: $c) { ... on Customer { customerId } }
             i: node(id: $i) { ... on Invoice { invoiceNumber } } }";
    let d = app.data(q, json!({"c": c, "i": i})).await;
    (c, d["c"]["customerId"].as_str().unwrap().to_owned(), d["i"]["invoiceNumber"].as_str().unwrap().to_owned())
}

fn razorpay_body(payment_id: &str, paise: i64, currency: &str, notes: Value, rrn: Option<&str>) -> String {
    json!({"entity": "event", "account_id": "acc_BFQ7uQEaa7j2z7", "event": "payment.captured", "contains": ["payment"],
        "payload": {"payment": {"entity": {"id": payment_id, "entity": "payment", "amount": paise, "currency": currency,
            "status": "captured", "method": if rrn.is_some() { "upi" } else { "card" },
            "acquirer_data": {"rrn": rrn}, "notes": notes}}}, "created_at": 1732867200})
    .to_string()
}

async fn razorpay(app: &TestApp, path: &str, event: &str, body: &str, secret: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .header("x-razorpay-event-id", event)
        .header("x-razorpay-signature", hex_hmac(secret, &[body.as_bytes()]))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// The customer's payments (after checking every money invariant of their account).
async fn payments_of(app: &TestApp, customer: &str) -> Vec<Value> {
    check_invariants(app, customer).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Customer { payments(first: 100) {
        paymentId amount paymentMethod paymentReference status } } } }";
    app.data(q, json!({ "id": customer })).await["node"]["payments"].as_array().unwrap().clone()
}

with_secrets_key! {
    async fn a_gateway_secret_is_write_only_and_encrypted(app: TestApp) {
        let company = app.catalogue("499.00").await.company;
        let input = json!({"companyId": company, "provider": "RAZORPAY", "keyId": "rzp_live_K1", "webhookSecret": SECRET});
        let made = app.data(CREATE_GATEWAY, json!({ "i": input })).await["createPaymentGateway"].clone();
        assert_eq!(made["provider"], "RAZORPAY");
        assert_eq!(made["isActive"], true);
        assert!(made["webhookUrl"].as_str().unwrap().contains("/webhooks/razorpay/"), "{made}");
        let id = made["id"].as_str().unwrap();
        let update = "mutation($id: ID!) { updatePaymentGateway(id: $id, input: {webhookSecret: \"whsec_rotated_2\", isActive: false}) { isActive } }";
        assert_eq!(app.data(update, json!({"id": id})).await["updatePaymentGateway"]["isActive"], false);
        // Nowhere in what the API returns, the audit log, or the database in clear.
        let everything = app
            .data("{ paymentGateways { id keyId webhookUrl } auditLog(first: 50) { nodes { operation details } } }", json!({}))
            .await
            .to_string();
        assert!(everything.contains("createPaymentGateway") && everything.contains("updatePaymentGateway"), "{everything}");
        assert!(!everything.contains(SECRET) && !everything.contains("whsec_rotated_2"), "{everything}");
        let stored = app.sql_text("SELECT webhook_secret_sealed AS value FROM payment_gateways");
        assert!(stored.starts_with("v1.") && !stored.contains("whsec"), "{stored}");
        // ADMIN only.
        let collector = app.staff("ravi", crate::fixtures::Role::Collector).await;
        let refused = app.error_as(Some(&collector), "{ paymentGateways { id } }", json!({})).await;
        assert_code(&refused, "FORBIDDEN", None);
    }

    async fn razorpay_notifications_record_one_payment_however_often_they_arrive(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let path = gateway(&app, &catalogue.company, "RAZORPAY").await;
        let (c, number, invoice) = customer(&app, &catalogue.broadband, "asha").await;
        let body = razorpay_body("pay_N1", 50_000, "INR", json!({"customer_id": number}), Some("433412345678"));
        let mut outcomes = Vec::new();
        for _ in 0..5 {
            let (status, answer) = razorpay(&app, &path, "evt_1", &body, SECRET).await;
            assert_eq!(status, 200, "{answer}");
            outcomes.push(answer["status"].as_str().unwrap().to_owned());
        }
        assert_eq!(outcomes, ["RECORDED", "DUPLICATE", "DUPLICATE", "DUPLICATE", "DUPLICATE"]);
        // The same payment in another event (Razorpay's order.paid) is still one payment.
        let (status, answer) = razorpay(&app, &path, "evt_2", &body, SECRET).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("DUPLICATE")));
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 1, "{payments:#?}");
        assert_eq!(paise(&payments[0]["amount"]), 50_000);
        assert_eq!(payments[0]["paymentMethod"], "UPI");

        // Not captured money (a failed attempt): seen, and nothing recorded.
        let failed = json!({"event": "payment.failed", "payload": {"payment": {"entity": {"id": "pay_F1", "amount": 20_000,
            "currency": "INR", "status": "failed", "notes": {"customer_id": number}}}}}).to_string();
        let (status, answer) = razorpay(&app, &path, "evt_f1", &failed, SECRET).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("IGNORED")));
        assert_eq!(payments_of(&app, &c).await.len(), 1);

        // Five deliveries of a new notification at the same instant: one payment.
        let body = razorpay_body("pay_N2", 20_000, "INR", json!({"invoice_number": invoice}), None);
        let deliveries = (0..5).map(|_| razorpay(&app, &path, "evt_3", &body, SECRET));
        let answers = futures_util::future::join_all(deliveries).await;
        assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");
        let recorded = answers.iter().filter(|(_, a)| a["status"] == "RECORDED").count();
        assert_eq!(recorded, 1, "{answers:?}");
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 2);
        let total: i64 = payments.iter().map(|p| paise(&p["amount"])).sum();
        assert_eq!(total, 70_000, "to the paisa");

        // Forged: another secret, or a body changed after signing. Nothing recorded.
        let forged = razorpay_body("pay_N3", 10_000, "INR", json!({"customer_id": number}), None);
        let (status, _) = razorpay(&app, &path, "evt_4", &forged, "not-the-secret").await;
        assert_eq!(status, 401);
        let sig = hex_hmac(SECRET, &[forged.as_bytes()]);
        let tampered = forged.replace("10000", "99999");
        let response = app.client.post(app.url(&path)).header("x-razorpay-event-id", "evt_5")
            .header("x-razorpay-signature", sig).body(tampered).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
        let unsigned = app.client.post(app.url(&path)).body(forged.clone()).send().await.unwrap();
        assert_eq!(unsigned.status().as_u16(), 401);
        assert_eq!(payments_of(&app, &c).await.len(), 2);
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM gateway_events"), "4");

        // Too large a body is refused before anything is read.
        let huge = "x".repeat(100 * 1024);
        let response = app.client.post(app.url(&path)).header("x-razorpay-signature", hex_hmac(SECRET, &[huge.as_bytes()]))
            .body(huge).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 413);
        // A gateway that does not exist, or the wrong provider's path.
        let other = path.replace("/razorpay/", "/cashfree/");
        assert_eq!(app.client.post(app.url(&other)).body("{}").send().await.unwrap().status().as_u16(), 404);
    }

    async fn money_that_names_nobody_is_kept_unmatched_until_staff_assign_it(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let path = gateway(&app, &catalogue.company, "RAZORPAY").await;
        let (c, number, invoice) = customer(&app, &catalogue.broadband, "bala").await;
        let cases = [
            ("pay_U1", 30_000, "INR", json!({"customer_id": "9999999999"}), "no customer has the customer id"),
            ("pay_U2", 30_000, "USD", json!({"customer_id": number}), "not INR"),
            ("pay_U3", 500_000, "INR", json!({"invoice_number": invoice}), "more than the ₹1766.46 invoice"),
            ("pay_U4", 30_000, "INR", json!([]), "names no customer id or invoice number"),
        ];
        for (i, (id, amount, currency, notes, _)) in cases.iter().enumerate() {
            let body = razorpay_body(id, *amount, currency, notes.clone(), None);
            let (status, answer) = razorpay(&app, &path, &format!("evt_u{i}"), &body, SECRET).await;
            assert_eq!((status, answer["status"].as_str()), (200, Some("UNMATCHED")), "{id}: {answer}");
        }
        let unmatched = app.data(UNMATCHED, json!({})).await["unmatchedGatewayPayments"].clone();
        assert_eq!(unmatched["totalCount"], 4);
        assert_eq!(paise(&unmatched["totalAmount"]), 590_000);
        for (node, (id, _, _, _, reason)) in unmatched["nodes"].as_array().unwrap().iter().zip(&cases) {
            assert_eq!(node["gatewayPaymentId"], *id);
            assert!(node["unmatchedReason"].as_str().unwrap().contains(reason), "{node}");
            assert!(node["payment"].is_null());
        }
        assert!(payments_of(&app, &c).await.is_empty(), "nothing recorded for the customer yet");
        // Counted on the dashboard and in the collections report, apart from collections.
        let counted = "query($co: ID) { dashboard(companyId: $co) { unmatchedGatewayPayments { count amount } }
            collectionsReport(filter: {companyId: $co}) { total unmatchedGatewayPayments { count amount } } }";
        let seen = app.data(counted, json!({"co": catalogue.company})).await;
        for figure in [&seen["dashboard"]["unmatchedGatewayPayments"], &seen["collectionsReport"]["unmatchedGatewayPayments"]] {
            assert_eq!((figure["count"].as_i64(), paise(&figure["amount"])), (Some(4), 590_000), "{seen}");
        }
        assert_eq!(paise(&seen["collectionsReport"]["total"]), 0, "not collected until assigned");
        let other_company = app.company().name("Other Net").create().await;
        let elsewhere = app.data(counted, json!({"co": other_company})).await;
        assert_eq!(elsewhere["dashboard"]["unmatchedGatewayPayments"]["count"], 0);

        // Staff assign the first to the customer: a payment through the usual rules.
        let first = unmatched["nodes"][0]["id"].as_str().unwrap();
        let assigned = app.data(ASSIGN, json!({"id": first, "c": c})).await["assignGatewayPayment"].clone();
        assert!(assigned["unmatchedReason"].is_null(), "{assigned}");
        assert_eq!(paise(&assigned["payment"]["amount"]), 30_000);
        let again = app.error(ASSIGN, json!({"id": first, "c": c})).await;
        assert_code(&again, "CONFLICT", None);
        // The dollar payment cannot become rupees.
        let dollars = unmatched["nodes"][1]["id"].as_str().unwrap();
        assert_code(&app.error(ASSIGN, json!({"id": dollars, "c": c})).await, "BAD_USER_INPUT", Some("id"));
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 1);
        let left = app.data(UNMATCHED, json!({})).await["unmatchedGatewayPayments"].clone();
        assert_eq!((left["totalCount"].as_i64(), paise(&left["totalAmount"])), (Some(3), 560_000));
    }

    async fn cashfree_and_generic_notifications_are_signed_with_a_timestamp(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let cashfree = gateway(&app, &catalogue.company, "CASHFREE").await;
        let generic = gateway(&app, &catalogue.company, "GENERIC_HMAC").await;
        let (c, number, _) = customer(&app, &catalogue.broadband, "chitra").await;
        let now_ms = chrono::Utc::now().timestamp_millis().to_string();
        let body = json!({"type": "PAYMENT_SUCCESS_WEBHOOK", "event_time": "2026-11-29T10:00:00+05:30", "data": {
            "order": {"order_id": "order_77", "order_amount": 250.5, "order_currency": "INR", "order_tags": {"customer_id": number}},
            "payment": {"cf_payment_id": 5114910, "payment_status": "SUCCESS", "payment_amount": 250.5, "payment_currency": "INR",
                        "payment_group": "upi", "bank_reference": "512345678901"}}}).to_string();
        let deliver = |timestamp: String, signature: String| {
            app.client.post(app.url(&cashfree)).header("x-webhook-timestamp", timestamp)
                .header("x-webhook-signature", signature).body(body.clone()).send()
        };
        let good = base64_hmac(SECRET, &[now_ms.as_bytes(), body.as_bytes()]);
        for expected in ["RECORDED", "DUPLICATE"] {
            let response = deliver(now_ms.clone(), good.clone()).await.unwrap();
            assert_eq!(response.status().as_u16(), 200);
            assert_eq!(response.json::<Value>().await.unwrap()["status"], expected);
        }
        // Stale: signed properly, an hour ago.
        let old = (chrono::Utc::now().timestamp_millis() - 3_600_000).to_string();
        let stale = deliver(old.clone(), base64_hmac(SECRET, &[old.as_bytes(), body.as_bytes()])).await.unwrap();
        assert_eq!(stale.status().as_u16(), 401);
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 1);
        assert_eq!(paise(&payments[0]["amount"]), 25_050);

        // Our generic scheme.
        let now = chrono::Utc::now().timestamp().to_string();
        let body = json!({"event": "payment.captured", "payment_id": "G-1", "amount": 12_345, "currency": "INR",
                          "method": "NET_BANKING", "customer_id": number}).to_string();
        let signature = format!("sha256={}", hex_hmac(SECRET, &[now.as_bytes(), b".", body.as_bytes()]));
        let response = app.client.post(app.url(&generic)).header("x-webhook-id", "g-evt-1").header("x-webhook-timestamp", &now)
            .header("x-webhook-signature", &signature).body(body.clone()).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let response = app.client.post(app.url(&generic)).header("x-webhook-id", "g-evt-1").header("x-webhook-timestamp", &now)
            .header("x-webhook-signature", signature.replace("sha256=", "sha256=0")).body(body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 2);
        assert!(payments.iter().any(|p| p["paymentMethod"] == "NET_BANKING" && paise(&p["amount"]) == 12_345));
    }

    async fn a_upi_reference_counts_once_whoever_reports_it(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let path = gateway(&app, &catalogue.company, "RAZORPAY").await;
        let (c, number, _) = customer(&app, &catalogue.broadband, "divya").await;
        // The gateway first, then a cashier types the same UTR.
        let body = razorpay_body("pay_R1", 40_000, "INR", json!({"customer_id": number}), Some("433400000001"));
        assert_eq!(razorpay(&app, &path, "evt_r1", &body, SECRET).await.0, 200);
        let by_hand = json!({"customerId": c, "amount": "400.00", "paymentMethod": "GOOGLEPAY", "paymentReference": "4334 0000 0001"});
        let refused = app.error(crate::documents::CREATE_PAYMENT, json!({ "i": by_hand })).await;
        assert_code(&refused, "CONFLICT", None);
        assert!(refused["message"].as_str().unwrap().contains("433400000001"), "{refused}");
        // A cashier first, then the gateway reports it: the same payment, not a second.
        let by_hand = json!({"customerId": c, "amount": "300.00", "paymentMethod": "UPI", "paymentReference": "433400000002"});
        let first = app.pay(by_hand).await;
        let q = "query($id: ID!) { node(id: $id) { ... on Payment { utr } } }";
        assert_eq!(app.data(q, json!({"id": first["id"]})).await["node"]["utr"], "433400000002", "Payment.utr");
        let body = razorpay_body("pay_R2", 30_000, "INR", json!({"customer_id": number}), Some("433400000002"));
        let (status, answer) = razorpay(&app, &path, "evt_r2", &body, SECRET).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("DUPLICATE")));
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 2, "{payments:#?}");
        assert!(payments.iter().any(|p| p["paymentId"] == first["paymentId"]));
    }
}

/// How many rows `table` holds.
fn rows(app: &TestApp, table: &str) -> String {
    app.sql_text(&format!("SELECT CAST(COUNT(*) AS TEXT) AS value FROM {table}"))
}

/// A Cashfree `PAYMENT_SUCCESS_WEBHOOK` of `rupees` for `customer`, signed now.
async fn cashfree(app: &TestApp, path: &str, cf_payment_id: i64, rupees: f64, customer: &str) -> (u16, Value) {
    let now_ms = chrono::Utc::now().timestamp_millis().to_string();
    let body = json!({"type": "PAYMENT_SUCCESS_WEBHOOK", "data": {"order": {"order_tags": {"customer_id": customer}},
        "payment": {"cf_payment_id": cf_payment_id, "payment_status": "SUCCESS", "payment_amount": rupees,
                    "payment_currency": "INR", "payment_group": "card"}}})
    .to_string();
    let response = app
        .client
        .post(app.url(path))
        .header("x-webhook-timestamp", &now_ms)
        .header("x-webhook-signature", base64_hmac(SECRET, &[now_ms.as_bytes(), body.as_bytes()]))
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

with_secrets_key! {
    async fn gateway_ids_are_compared_whole_and_bounded(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let path = gateway(&app, &catalogue.company, "RAZORPAY").await;
        let (c, number, _) = customer(&app, &catalogue.broadband, "esha").await;
        let notes = json!({"customer_id": number});
        // Two ids alike in their first 250 characters (255 long, the bound): two payments.
        let common = format!("pay_{}", "L".repeat(250));
        for (i, (last, amount)) in [("A", 10_000), ("B", 20_000)].into_iter().enumerate() {
            let body = razorpay_body(&format!("{common}{last}"), amount, "INR", notes.clone(), None);
            let (status, answer) = razorpay(&app, &path, &format!("evt_long_{i}"), &body, SECRET).await;
            assert_eq!((status, answer["status"].as_str()), (200, Some("RECORDED")), "{answer}");
        }
        // An id that differs only by an invisible character is another payment too.
        for (i, id) in ["pay_Z1", "pay_\u{200B}Z1"].into_iter().enumerate() {
            let body = razorpay_body(id, 5_000, "INR", notes.clone(), None);
            let (status, answer) = razorpay(&app, &path, &format!("evt_z{i}"), &body, SECRET).await;
            assert_eq!((status, answer["status"].as_str()), (200, Some("RECORDED")), "{id:?}: {answer}");
        }
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 4, "{payments:#?}");
        assert_eq!(payments.iter().map(|p| paise(&p["amount"])).sum::<i64>(), 40_000, "to the paisa");
        assert!(payments.iter().any(|p| p["paymentReference"] == "pay_\\u{200b}Z1"), "{payments:#?}");

        // One character over the bound, in the payment id or in the event id: refused, nothing kept.
        let (events, kept) = (rows(&app, "gateway_events"), rows(&app, "gateway_payments"));
        let too_long = razorpay_body(&format!("{common}AB"), 10_000, "INR", notes.clone(), None);
        let (status, answer) = razorpay(&app, &path, "evt_over", &too_long, SECRET).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["error"].as_str().unwrap().contains("`payload.payment.entity.id` is 256 characters long"), "{answer}");
        let body = razorpay_body("pay_Z2", 10_000, "INR", notes.clone(), None);
        let (status, answer) = razorpay(&app, &path, &"e".repeat(256), &body, SECRET).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["error"].as_str().unwrap().contains("x-razorpay-event-id"), "{answer}");
        // An empty id is still refused.
        let (status, _) = razorpay(&app, &path, "evt_empty", &razorpay_body("", 10_000, "INR", notes, None), SECRET).await;
        assert_eq!(status, 400);
        assert_eq!((rows(&app, "gateway_events"), rows(&app, "gateway_payments")), (events, kept));
        assert_eq!(payments_of(&app, &c).await.len(), 4);
    }

    async fn the_same_id_with_other_money_is_kept_not_dropped(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let path = gateway(&app, &catalogue.company, "RAZORPAY").await;
        let (c, number, _) = customer(&app, &catalogue.broadband, "farah").await;
        let first = razorpay_body("pay_D1", 50_000, "INR", json!({"customer_id": number}), None);
        let mut outcomes = Vec::new();
        for event in ["evt_d1", "evt_d1", "evt_d2"] {
            let (status, answer) = razorpay(&app, &path, event, &first, SECRET).await;
            assert_eq!(status, 200, "{answer}");
            outcomes.push(answer["status"].as_str().unwrap().to_owned());
        }
        assert_eq!(outcomes, ["RECORDED", "DUPLICATE", "DUPLICATE"], "the same id and money: one payment");
        // The same id with another amount, or naming no customer: kept, each saying why.
        let more = razorpay_body("pay_D1", 60_000, "INR", json!({"customer_id": number}), None);
        let nobody = razorpay_body("pay_D1", 50_000, "INR", json!([]), None);
        for (event, body, expected) in [("evt_d3", &more, "UNMATCHED"), ("evt_d4", &nobody, "UNMATCHED"), ("evt_d3", &more, "DUPLICATE")] {
            let (status, answer) = razorpay(&app, &path, event, body, SECRET).await;
            assert_eq!((status, answer["status"].as_str()), (200, Some(expected)), "{event}: {answer}");
        }
        // An event id delivered again with other money is another event, not a duplicate.
        let (status, answer) = razorpay(&app, &path, "evt_d1", &razorpay_body("pay_D1", 70_000, "INR", json!({"customer_id": number}), None), SECRET).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("UNMATCHED")), "{answer}");
        assert_eq!(payments_of(&app, &c).await.len(), 1);
        let unmatched = app.data(UNMATCHED, json!({})).await["unmatchedGatewayPayments"].clone();
        assert_eq!((unmatched["totalCount"].as_i64(), paise(&unmatched["totalAmount"])), (Some(3), 180_000), "{unmatched}");
        let reason = unmatched["nodes"][0]["unmatchedReason"].as_str().unwrap();
        let expected = format!(
            "gateway payment id pay_D1 was reported before with ₹500.00 for customer {number}; this report says ₹600.00 for customer {number}"
        );
        assert!(reason.starts_with(&expected), "{reason}");
        assert!(unmatched["nodes"][1]["unmatchedReason"].as_str().unwrap().contains("₹500.00 naming no customer"), "{unmatched}");
        assert!(unmatched["nodes"].as_array().unwrap().iter().all(|n| n["gatewayPaymentId"] == "pay_D1"));

        // Staff can assign it: a second payment, beside the first.
        let id = unmatched["nodes"][0]["id"].as_str().unwrap();
        let assigned = app.data(ASSIGN, json!({"id": id, "c": c})).await["assignGatewayPayment"].clone();
        assert_eq!(paise(&assigned["payment"]["amount"]), 60_000, "{assigned}");
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 2);
        assert!(payments.iter().any(|p| p["paymentReference"] == "pay_D1 (report 2)"), "{payments:#?}");

        // Cashfree's event id is derived from cf_payment_id: other money under it is kept too.
        let cashfree_path = gateway(&app, &catalogue.company, "CASHFREE").await;
        let mut answers = Vec::new();
        for rupees in [250.5, 250.5, 300.0, 300.0] {
            let (status, answer) = cashfree(&app, &cashfree_path, 5114911, rupees, &number).await;
            assert_eq!(status, 200, "{answer}");
            answers.push(answer["status"].as_str().unwrap().to_owned());
        }
        assert_eq!(answers, ["RECORDED", "DUPLICATE", "UNMATCHED", "DUPLICATE"]);
        assert_eq!(payments_of(&app, &c).await.len(), 3);
        let left = app.data(UNMATCHED, json!({})).await["unmatchedGatewayPayments"].clone();
        assert_eq!((left["totalCount"].as_i64(), paise(&left["totalAmount"])), (Some(3), 150_000), "{left}");
    }

    async fn one_utr_under_many_ids_at_once_is_one_payment(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let path = gateway(&app, &catalogue.company, "RAZORPAY").await;
        let (c, number, _) = customer(&app, &catalogue.broadband, "gita").await;
        let bodies: Vec<String> = (0..20)
            .map(|i| razorpay_body(&format!("pay_M{i}"), 40_000, "INR", json!({"customer_id": number}), Some("433499999999")))
            .collect();
        let deliveries = bodies.iter().enumerate().map(|(i, body)| {
            let event = format!("evt_m{i}");
            let path = path.clone();
            let app = &app;
            async move { razorpay(app, &path, &event, body, SECRET).await }
        });
        let answers = futures_util::future::join_all(deliveries).await;
        assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");
        let count = |s: &str| answers.iter().filter(|(_, a)| a["status"] == s).count();
        assert_eq!((count("RECORDED"), count("DUPLICATE")), (1, 19), "{answers:?}");
        let payments = payments_of(&app, &c).await;
        assert_eq!(payments.len(), 1, "{payments:#?}");
        assert_eq!(paise(&payments[0]["amount"]), 40_000);
        let unmatched = app.data(UNMATCHED, json!({})).await["unmatchedGatewayPayments"].clone();
        assert_eq!(unmatched["totalCount"], 0, "no phantom unmatched rows: {unmatched}");
        assert_eq!(rows(&app, "gateway_payments"), "1");

        // The same UTR with other money is kept, saying so.
        let other = razorpay_body("pay_M20", 45_000, "INR", json!({"customer_id": number}), Some("433499999999"));
        let (status, answer) = razorpay(&app, &path, "evt_m20", &other, SECRET).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("UNMATCHED")), "{answer}");
        let unmatched = app.data(UNMATCHED, json!({})).await["unmatchedGatewayPayments"].clone();
        let reason = unmatched["nodes"][0]["unmatchedReason"].as_str().unwrap();
        assert!(reason.starts_with("UPI reference (UTR) 433499999999 under gateway payment id pay_M"), "{reason}");
        assert!(reason.contains("was reported before with ₹400.00 for customer") && reason.contains("this report says ₹450.00"), "{reason}");
        assert_eq!(payments_of(&app, &c).await.len(), 1);
    }

    async fn captured_money_below_one_paisa_is_refused(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let path = gateway(&app, &catalogue.company, "RAZORPAY").await;
        let generic = gateway(&app, &catalogue.company, "GENERIC_HMAC").await;
        let (c, number, _) = customer(&app, &catalogue.broadband, "hema").await;
        let kept = razorpay_body("pay_K1", 25_000, "INR", json!([]), None);
        assert_eq!(razorpay(&app, &path, "evt_k1", &kept, SECRET).await.1["status"], "UNMATCHED");
        let counted = "query($co: ID) { dashboard(companyId: $co) { unmatchedGatewayPayments { count amount } } }";
        let before = app.data(counted, json!({"co": catalogue.company})).await;
        let events = rows(&app, "gateway_events");
        for (i, amount) in [-50_000_i64, 0].into_iter().enumerate() {
            for notes in [json!({"customer_id": number}), json!([])] {
                let body = razorpay_body(&format!("pay_N{i}"), amount, "INR", notes, None);
                let (status, answer) = razorpay(&app, &path, &format!("evt_n{i}"), &body, SECRET).await;
                assert_eq!(status, 400, "{answer}");
                assert!(answer["error"].as_str().unwrap().contains("must be more than zero"), "{answer}");
            }
            let now = chrono::Utc::now().timestamp().to_string();
            let body = json!({"event": "payment.captured", "payment_id": format!("G-N{i}"), "amount": amount,
                              "currency": "INR", "customer_id": number}).to_string();
            let signature = format!("sha256={}", hex_hmac(SECRET, &[now.as_bytes(), b".", body.as_bytes()]));
            let response = app.client.post(app.url(&generic)).header("x-webhook-id", format!("g-n{i}"))
                .header("x-webhook-timestamp", &now).header("x-webhook-signature", &signature).body(body).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 400);
        }
        assert_eq!(app.data(counted, json!({"co": catalogue.company})).await, before, "the unmatched total is unchanged");
        assert_eq!(paise(&before["dashboard"]["unmatchedGatewayPayments"]["amount"]), 25_000);
        assert_eq!((rows(&app, "gateway_events"), rows(&app, "gateway_payments")), (events, "1".to_owned()));
        assert!(payments_of(&app, &c).await.is_empty());
    }

    async fn gateway_money_is_assigned_within_its_company(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let path = gateway(&app, &catalogue.company, "RAZORPAY").await;
        let (own, _, _) = customer(&app, &catalogue.broadband, "indu").await;
        let other_company = app.company().name("Other Net").create().await;
        let other_plan = app.plan(&other_company).create().await;
        let (stranger, stranger_invoice) = app.customer("jaya", &other_plan).create_with_invoice().await;
        let body = razorpay_body("pay_X1", 30_000, "INR", json!([]), None);
        assert_eq!(razorpay(&app, &path, "evt_x1", &body, SECRET).await.1["status"], "UNMATCHED");
        let id = app.data(UNMATCHED, json!({})).await["unmatchedGatewayPayments"]["nodes"][0]["id"].as_str().unwrap().to_owned();
        let refused = app.error(ASSIGN, json!({"id": id, "c": stranger})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("customerId"));
        assert!(refused["message"].as_str().unwrap().contains("another company"), "{refused}");
        let by_invoice = "mutation($id: ID!, $i: ID) { assignGatewayPayment(id: $id, invoiceId: $i) { unmatchedReason } }";
        let refused = app.error(by_invoice, json!({"id": id, "i": stranger_invoice})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("invoiceId"));
        assert!(payments_of(&app, &stranger).await.is_empty(), "nothing recorded for the other company");
        let still = app.data(UNMATCHED, json!({})).await["unmatchedGatewayPayments"].clone();
        assert_eq!(still["totalCount"], 1);
        // Within the company it is assigned as before.
        let assigned = app.data(ASSIGN, json!({"id": id, "c": own})).await["assignGatewayPayment"].clone();
        assert_eq!(paise(&assigned["payment"]["amount"]), 30_000);
        assert_eq!(payments_of(&app, &own).await.len(), 1);
    }
}

#[tokio::test]
async fn without_a_secrets_key_no_gateway_secret_is_stored() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let company = app.catalogue("499.00").await.company;
    let input = json!({"companyId": company, "provider": "CASHFREE", "keyId": "cf_1", "webhookSecret": SECRET});
    let refused = app.error(CREATE_GATEWAY, json!({ "i": input })).await;
    assert_code(&refused, "BAD_USER_INPUT", Some("webhookSecret"));
    assert!(refused["message"].as_str().unwrap().contains("ISP_SECRETS_KEY"), "{refused}");
    assert!(!refused.to_string().contains(SECRET));
}

/// The real binary at debug log level: creating a gateway, a refused secret, good and forged
/// notifications; the secret shows nowhere in what it logged. A malformed key stops it at start.
#[tokio::test]
async fn the_secret_never_reaches_the_log() {
    use std::process::{Command, Stdio};
    const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .env("DATABASE_URL", dir.path().join("g.db"))
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("ISP_ADMIN_PASSWORD", "admin-password-for-logs")
        .env("ISP_SECRETS_KEY", KEY)
        .env("ISP_BILLING_CYCLE", "false")
        .env("RUST_LOG", "debug")
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let gql = |token: Option<String>, query: &'static str, variables: Value| {
        let mut request = client.post(format!("{base}/graphql")).json(&json!({"query": query, "variables": variables}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        // `None` also while the server starts (503).
        async move { request.send().await.ok().filter(|r| r.status() != 503)?.json::<Value>().await.ok() }
    };
    let login = "mutation { login(username: \"admin\", password: \"admin-password-for-logs\") { token } }";
    let started = std::time::Instant::now();
    let token = loop {
        if let Some(body) = gql(None, login, json!({})).await {
            break body["data"]["login"]["token"].as_str().unwrap().to_owned();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "server did not come up");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let company = gql(
        Some(token.clone()),
        "mutation { createCompany(input: {name: \"Log Net\", state: \"Maharashtra\"}) { id } }",
        json!({}),
    )
    .await
    .unwrap()["data"]["createCompany"]["id"]
        .clone();
    let made = gql(
        Some(token.clone()),
        CREATE_GATEWAY,
        json!({"i": {"companyId": company, "provider": "RAZORPAY", "keyId": "rzp_1", "webhookSecret": SECRET}}),
    )
    .await
    .unwrap();
    let url =
        made["data"]["createPaymentGateway"]["webhookUrl"].as_str().unwrap_or_else(|| panic!("{made}")).to_owned();
    // A refused update that carries a new secret (the key id is too long).
    let refused = gql(Some(token.clone()), "mutation($id: ID!, $s: String!) { updatePaymentGateway(id: $id,
        input: {keyId: \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\", webhookSecret: $s}) { id } }",
        json!({"id": made["data"]["createPaymentGateway"]["id"], "s": SECRET})).await.unwrap();
    assert!(refused["errors"].is_array() && !refused.to_string().contains(SECRET), "{refused}");
    let body = razorpay_body("pay_L1", 100, "INR", json!({"customer_id": "0000000000"}), None);
    for secret in [SECRET, "forged"] {
        client
            .post(&url)
            .header("x-razorpay-event-id", "evt_l")
            .header("x-razorpay-signature", hex_hmac(secret, &[body.as_bytes()]))
            .body(body.clone())
            .send()
            .await
            .unwrap();
    }
    child.kill().unwrap();
    let _ = child.wait();
    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(logged.contains("gateway notification refused"), "the forged one is logged: {logged}");
    assert!(!logged.contains(SECRET), "the secret is in the log");

    // A key that is not 32 bytes: the server does not start, and says why.
    let out = Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", dir.path().join("h.db"))
        .env("ISP_SECRETS_KEY", "too-short")
        .env("ISP_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ISP_SECRETS_KEY must be 32 bytes"), "{out:?}");
}

/// A key other than [`KEY`].
const OTHER_KEY: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";

/// `build_app` on `url` with `key`: the error it stops with (`None` when it started).
async fn start_error(url: &str, key: Option<&str>) -> Option<String> {
    let mut config = isp_billing::config::Config::for_database(url);
    config.admin_password = Some(crate::helpers::ADMIN_PASSWORD.to_owned());
    config.secrets_key = key.map(|k| isp_billing::secrets::SecretsKey::parse(k).unwrap());
    isp_billing::build_app(&config).await.err().map(|e| format!("{e:#}"))
}

fn with_key(c: &mut isp_billing::config::Config) {
    c.secrets_key = Some(isp_billing::secrets::SecretsKey::parse(KEY).unwrap());
}

fn check_rows(app: &TestApp) -> String {
    app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM secrets_check")
}

with_secrets_key! {
    async fn another_key_stops_the_server_and_no_key_only_warns(app: TestApp) {
        // The first start with a key stored the check value.
        assert_eq!(check_rows(&app), "1");
        assert!(app.sql_text("SELECT sealed AS value FROM secrets_check").starts_with("v1."));
        let company = app.catalogue("499.00").await.company;
        gateway(&app, &company, "RAZORPAY").await;

        let refused = start_error(app.database_url(), Some(OTHER_KEY)).await.expect("another key is refused");
        assert!(refused.contains("ISP_SECRETS_KEY is not the key") && refused.contains("used before"), "{refused}");
        // The same key starts (the check value is not stored twice).
        let again = app.restart_with(with_key).await;
        assert_eq!(check_rows(&again), "1");
        drop(again);

        // No key: the server starts; gateway secrets cannot be set, other changes can.
        let keyless = app.restart_on_same_database().await;
        let input = json!({"companyId": company, "provider": "CASHFREE", "keyId": "cf_1", "webhookSecret": SECRET});
        let e = keyless.error(CREATE_GATEWAY, json!({ "i": input })).await;
        assert_code(&e, "BAD_USER_INPUT", Some("webhookSecret"));
        assert!(e["message"].as_str().unwrap().contains("ISP_SECRETS_KEY"), "{e}");
        let gid = keyless.data("{ paymentGateways { id } }", json!({})).await["paymentGateways"][0]["id"].clone();
        let update = "mutation($id: ID!, $i: UpdatePaymentGatewayInput!) { updatePaymentGateway(id: $id, input: $i) { isActive } }";
        let e = keyless.error(update, json!({"id": gid, "i": {"webhookSecret": "whsec_new"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("webhookSecret"));
        let off = keyless.data(update, json!({"id": gid, "i": {"isActive": false}})).await;
        assert_eq!(off["updatePaymentGateway"]["isActive"], false);
        drop(keyless);

        // The key lost: the README's way to start over with a new one.
        app.sql("UPDATE payment_gateways SET webhook_secret_sealed = 'lost', is_active = FALSE").unwrap();
        app.sql("DELETE FROM secrets_check").unwrap();
        let renewed = app.restart_with(|c| c.secrets_key = Some(isp_billing::secrets::SecretsKey::parse(OTHER_KEY).unwrap())).await;
        assert_eq!(check_rows(&renewed), "1");
        let set = renewed.data(update, json!({"id": gid, "i": {"webhookSecret": "whsec_new", "isActive": true}})).await;
        assert_eq!(set["updatePaymentGateway"]["isActive"], true);
        drop(renewed);
        assert!(start_error(app.database_url(), Some(KEY)).await.is_some_and(|e| e.contains("is not the key")));
    }

    async fn an_upgraded_database_is_checked_against_its_stored_secrets(app: TestApp) {
        let company = app.catalogue("499.00").await.company;
        gateway(&app, &company, "RAZORPAY").await;
        // Back to before the check existed (its migration reverted), with a gateway secret
        // sealed under KEY; the next start applies the migration again.
        crate::helpers::revert_through(app.database_url(), "20261204000020").await;

        // A key that opens none of the stored secrets: refused, and nothing recorded.
        let refused = start_error(app.database_url(), Some(OTHER_KEY)).await.expect("a key that opens nothing is refused");
        assert!(refused.contains("opens none of the 1 gateway webhook secrets"), "{refused}");
        assert_eq!(check_rows(&app), "0");
        // The key they were sealed under: starts and records it; then another key is refused.
        let upgraded = app.restart_with(with_key).await;
        assert_eq!(check_rows(&upgraded), "1");
        drop(upgraded);
        let refused = start_error(app.database_url(), Some(OTHER_KEY)).await.expect("another key is refused");
        assert!(refused.contains("ISP_SECRETS_KEY is not the key"), "{refused}");
    }
}

/// The real binary: the first start with a key records it, a start with another key exits
/// non-zero saying what to do, the right key starts, and no key starts with a warning.
#[tokio::test]
async fn the_binary_refuses_another_secrets_key() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    // Started with `key` until it serves (`Ok`, stopped then, with what it logged) or exits
    // (`Err` with its status and output).
    let run = |key: Option<&'static str>| {
        let dir = dir.path().to_owned();
        async move {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let log_path = dir.join(format!("server-{port}.log"));
            let log = std::fs::File::create(&log_path).unwrap();
            let mut command = Command::new(env!("CARGO_BIN_EXE_isp-billing"));
            command
                .arg("serve")
                .env("DATABASE_URL", dir.join("k.db"))
                .env("ISP_BIND", format!("127.0.0.1:{port}"))
                .env("ISP_ADMIN_PASSWORD", "admin-password-for-keys")
                .env("ISP_BILLING_CYCLE", "false")
                .env("NO_COLOR", "1")
                .stdout(Stdio::from(log.try_clone().unwrap()))
                .stderr(Stdio::from(log));
            match key {
                Some(key) => command.env("ISP_SECRETS_KEY", key),
                None => command.env_remove("ISP_SECRETS_KEY"),
            };
            let mut child = command.spawn().unwrap();
            let started = std::time::Instant::now();
            let outcome = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break Err(status);
                }
                if reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.is_ok_and(|r| r.status() == 200) {
                    child.kill().unwrap();
                    let _ = child.wait();
                    break Ok(());
                }
                assert!(started.elapsed() < std::time::Duration::from_secs(60), "neither served nor stopped");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            };
            let logged = std::fs::read_to_string(&log_path).unwrap();
            outcome.map(|()| logged.clone()).map_err(|status| (status, logged))
        }
    };
    let first = run(Some(KEY)).await.expect("the first start with a key serves");
    assert!(first.contains("ISP_SECRETS_KEY recorded"), "{first}");
    let (status, logged) = run(Some(OTHER_KEY)).await.expect_err("another key stops the server");
    assert!(!status.success(), "{status:?}");
    assert!(
        logged.contains("error: ISP_SECRETS_KEY is not the key this database's secrets are sealed under")
            && logged.contains("Start the server with the ISP_SECRETS_KEY it used before"),
        "{logged}"
    );
    run(Some(KEY)).await.expect("the right key serves");
    let keyless = run(None).await.expect("no key serves");
    assert!(keyless.contains("ISP_SECRETS_KEY is not set, but this database holds secrets"), "{keyless}");
}
