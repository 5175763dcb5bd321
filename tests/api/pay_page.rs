//! The walled garden's payment page (issue #27 item 7): `/pay` recognises a suspended customer by
//! the address of their open session, or by customer number and mobile (a wrong pair says the
//! same whichever half is wrong, and the look-ups are limited per address); it shows the first
//! name, the amount, the UPI QR code and link and the company's payment link, and nothing more
//! personal. A gateway's webhook paying the dues reactivates the customer and the NAS hears a
//! Disconnect-Request for the walled-garden session at once. On SQLite and PostgreSQL;
//! `pay_page_browser.rs` opens the page in Chromium.

use std::time::{Duration, Instant};

use isp_billing::gateways::signature::hex_hmac;
use serde_json::{json, Value};

use crate::helpers::{business_today, days_after, days_before, TestApp};
use crate::network::{authorize_until, radius, rlm_rest, SET_COMPANY, SET_CREDENTIALS};
use crate::network_disconnects::{nas, next, NAS_SECRET};

pub const GATEWAY_SECRET: &str = "whsec_walled-garden-2026";
pub const LINK: &str = "https://pay.example.in/vfn?customer={customer}&amount={amount}";

/// A customer the billing cycle suspended for an invoice three days overdue, online in the
/// walled garden from `framed_ip` (session `walled-1` on NAS 127.0.0.1); the company has a UPI
/// address and a payment link. (customer ID, customer number, balance in paise, company ID).
pub async fn suspended_online(app: &TestApp, framed_ip: &str) -> (String, String, i64, String) {
    let today = business_today(app).await;
    let catalogue = app.catalogue("499.00").await;
    app.data(
        "mutation($id: ID!) { updateCompany(id: $id, input: {graceDays: 3, upiVpa: \"vidarbhafiber@okaxis\"}) { graceDays } }",
        json!({"id": catalogue.company}),
    )
    .await;
    let set = app.data(SET_COMPANY, json!({"c": catalogue.company, "i": {"paymentLink": LINK}})).await;
    assert_eq!(set["setCompanyNetworkSettings"]["networkSettings"]["walledGardenPool"], "walled-garden");
    let customer = app
        .customer("sunita", &catalogue.broadband)
        .set("fullName", "Sunita Ramesh Deshmukh")
        .set("email", "sunita.d@example.in")
        .set("startDate", today.to_string())
        .create()
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.data(SET_CREDENTIALS, json!({"c": customer, "i": {"username": "sunita.pppoe", "password": "pppoe-pass"}}))
        .await;
    app.invoice(json!({"customerId": customer, "billAmount": "300", "invoiceDate": days_before(today, 10),
        "dueDate": days_before(today, 3), "billingPeriodStart": days_before(today, 10),
        "billingPeriodEnd": days_after(today, 20)}))
        .await;
    // Online at full service when the billing cycle suspends them...
    let record = |kind: &str, session: &str| {
        rlm_rest(&[
            ("Acct-Status-Type", kind),
            ("User-Name", "sunita.pppoe"),
            ("NAS-IP-Address", "127.0.0.1"),
            ("Acct-Session-Id", session),
            ("Framed-IP-Address", framed_ip),
            ("Acct-Session-Time", if kind == "Stop" { "60" } else { "0" }),
        ])
    };
    // As a NAS does: authorized before its session starts.
    assert_eq!(authorize_until(app, "sunita.pppoe", |s, _| s == 200).await.0, 200);
    assert_eq!(radius(app, "accounting", &record("Start", "online-1")).await.0, 204);
    let run = app
        .data("mutation($d: Date) { runBillingCycle(asOf: $d) { suspended } }", json!({"d": today.to_string()}))
        .await;
    assert_eq!(run["runBillingCycle"]["suspended"], 1);
    // ...and, once the NAS (when one is configured) has been told to drop that session (it is
    // queued after the suspension commits), back in the walled garden.
    if app.data("{ nasDevices { name } }", json!({})).await["nasDevices"].as_array().is_some_and(|d| !d.is_empty()) {
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { nasRequests { totalCount } } } }";
        let started = std::time::Instant::now();
        while app.data(q, json!({"id": customer})).await["node"]["nasRequests"]["totalCount"] != 1 {
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "the suspension's request is not queued");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    assert_eq!(radius(app, "accounting", &record("Stop", "online-1")).await.0, 204);
    assert_eq!(radius(app, "accounting", &record("Start", "walled-1")).await.0, 204);
    let q = "query($id: ID!) { node(id: $id) { ... on Customer { status customerId balance } } }";
    let read = app.data(q, json!({"id": customer})).await["node"].clone();
    assert_eq!(read["status"], "SUSPENDED");
    let balance = isp_billing::money::parse_hundredths(read["balance"].as_str().unwrap()).unwrap();
    assert!(balance > 0, "{read}");
    (customer, read["customerId"].as_str().unwrap().to_owned(), balance, catalogue.company)
}

/// `paise` as the page prints it (Indian grouping, two decimals).
pub fn shown(paise: i64) -> String {
    format!("₹{}", isp_billing::money::grouped_rupees(paise))
}

async fn get_page(app: &TestApp) -> (u16, String) {
    let response = app.client.get(app.url("/pay")).send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    (status, response.text().await.unwrap())
}

async fn post_page(app: &TestApp, customer: &str, mobile: &str) -> (u16, String) {
    let response =
        app.client.post(app.url("/pay")).form(&[("customer", customer), ("mobile", mobile)]).send().await.unwrap();
    let status = response.status().as_u16();
    if status == 429 {
        assert_eq!(response.headers()["retry-after"], "3600");
    }
    (status, response.text().await.unwrap())
}

/// What the page must never show of a customer beyond the first name.
fn assert_nothing_personal(page: &str) {
    for private in ["Ramesh", "Deshmukh", "9822012345", "sunita.d@example.in", "Civil Lines", "sunita.pppoe", "440001"]
    {
        assert!(!page.contains(private), "the page shows {private}: {page}");
    }
}

crate::with_radius! {
    async fn the_page_knows_the_walled_garden_session_or_the_number_and_mobile(app: TestApp) {
        let (_, number, balance, _) = suspended_online(&app, "127.0.0.1").await;

        // From the session's address: the first name, the amount, the QR code and both links.
        let (status, page) = get_page(&app).await;
        assert_eq!(status, 200);
        assert!(page.contains("Hello Sunita"), "{page}");
        assert!(page.contains(&shown(balance)), "{page}");
        assert!(page.contains("Vidarbha Fibernet"), "{page}");
        assert!(page.contains("<svg") && page.contains("aria-label=\"UPI QR code\""), "{page}");
        let rupees = isp_billing::money::format_hundredths(balance);
        let upi = format!("upi://pay?pa=vidarbhafiber@okaxis&amp;pn=Vidarbha%20Fibernet&amp;am={rupees}\
            &amp;tn=Customer%20{number}&amp;tr={number}&amp;cu=INR");
        assert!(page.contains(&upi), "{page}");
        let link = format!("https://pay.example.in/vfn?customer={number}&amp;amount={rupees}");
        assert!(page.contains(&link), "{page}");
        assert!(!page.contains("<script"), "no script");
        assert!(page.len() < 12_000, "small: {} bytes", page.len());
        assert_nothing_personal(&page);

        // The session ends: the address no longer names anybody, so the form.
        let stop = rlm_rest(&[("Acct-Status-Type", "Stop"), ("User-Name", "sunita.pppoe"), ("NAS-IP-Address", "127.0.0.1"),
            ("Acct-Session-Id", "walled-1"), ("Acct-Session-Time", "60")]);
        assert_eq!(radius(&app, "accounting", &stop).await.0, 204);
        let (status, form) = get_page(&app).await;
        assert_eq!(status, 200);
        assert!(form.contains("name=\"customer\"") && form.contains("name=\"mobile\""), "{form}");
        assert!(!form.contains("Sunita"), "{form}");

        // A wrong pair: the same answer whichever half is wrong, and for a number nobody has.
        let (s1, wrong_mobile) = post_page(&app, &number, "9822000000").await;
        let (s2, unknown_number) = post_page(&app, "9999999999", "9822012345").await;
        let (s3, nonsense) = post_page(&app, "<b>1</b>", "x").await;
        assert_eq!((s1, s2, s3), (200, 200, 200));
        assert_eq!(wrong_mobile, unknown_number, "a wrong pair does not say which half was wrong");
        assert_eq!(wrong_mobile, nonsense);
        assert!(wrong_mobile.contains("could not find"), "{wrong_mobile}");
        assert!(!nonsense.contains("<b>1</b>"), "nothing typed is echoed");

        // The right pair, typed as people type it.
        let (status, page) = post_page(&app, &format!(" {number} "), "+91 98220 12345").await;
        assert_eq!(status, 200);
        assert!(page.contains("Hello Sunita") && page.contains(&shown(balance)), "{page}");
        assert_nothing_personal(&page);

        // Ten look-ups an hour per address: the eleventh is refused, the right pair too, and the
        // refusal is kept where every server on the database sees it.
        for _ in 4..10 {
            assert_eq!(post_page(&app, "1000000000", "9822012345").await.0, 200);
        }
        let (status, refused) = post_page(&app, &number, "9822012345").await;
        assert_eq!(status, 429, "{refused}");
        assert!(refused.contains("Too many tries") && !refused.contains("Sunita"), "{refused}");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM pay_lookups"), "10");
        // The page by address is not a look-up by number: it still answers.
        assert_eq!(get_page(&app).await.0, 200);
    }

    async fn a_gateway_payment_reactivates_and_disconnects_the_walled_garden_session_at_once(app: TestApp) {
        let (port, mut received) = nas(0).await;
        app.data("mutation($i: CreateNasDeviceInput!) { createNasDevice(input: $i) { name } }",
            json!({"i": {"name": "core-1", "address": "127.0.0.1", "coaPort": port, "secret": NAS_SECRET, "kind": "MIKROTIK"}})).await;
        let (customer, number, balance, company) = suspended_online(&app, "100.64.200.7").await;
        let gateway = app.data("mutation($i: CreatePaymentGatewayInput!) { createPaymentGateway(input: $i) { webhookUrl } }",
            json!({"i": {"companyId": company, "provider": "RAZORPAY", "keyId": "rzp_live_W1", "webhookSecret": GATEWAY_SECRET}})).await;
        let url = gateway["createPaymentGateway"]["webhookUrl"].as_str().unwrap();
        let path = &url[url.find("/webhooks/").unwrap()..];

        // The suspension dropped the full-service session.
        let dropped = next(&mut received).await;
        assert_eq!((dropped.code, dropped.text(44).as_deref()), (40, Some("online-1")));

        let body = razorpay_captured("pay_WG1", balance, &number);
        let sent = Instant::now();
        let response = app.client.post(app.url(path)).header("content-type", "application/json")
            .header("x-razorpay-event-id", "evt_WG1").header("x-razorpay-signature", hex_hmac(GATEWAY_SECRET, &[body.as_bytes()]))
            .body(body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.json::<Value>().await.unwrap()["status"], "RECORDED");
        let request = next(&mut received).await;
        let took = sent.elapsed();
        assert_eq!(request.code, 40, "Disconnect-Request");
        assert_eq!(request.text(44).as_deref(), Some("walled-1"), "the walled-garden session");
        assert!(took < Duration::from_secs(2), "the NAS heard it {took:?} after the webhook");

        let q = "query($id: ID!) { node(id: $id) { ... on Customer { status balance nasRequests { nodes { reason code } } } } }";
        let read = app.data(q, json!({"id": customer})).await["node"].clone();
        assert_eq!(read["status"], "ACTIVE", "{read}");
        assert_eq!(read["balance"], "0.00");
        assert_eq!(read["nasRequests"]["nodes"], json!([{"reason": "SUSPENDED", "code": "DISCONNECT"},
            {"reason": "REACTIVATED", "code": "DISCONNECT"}]));
    }

    async fn the_payment_link_is_a_network_setting(app: TestApp) {
        let company = app.catalogue("499.00").await.company;
        let read = "query($id: ID!) { node(id: $id) { ... on Company { networkSettings { paymentLink } } } }";
        assert_eq!(app.data(read, json!({"id": company})).await["node"]["networkSettings"]["paymentLink"], Value::Null);
        app.data(SET_COMPANY, json!({"c": company, "i": {"paymentLink": LINK}})).await;
        assert_eq!(app.data(read, json!({"id": company})).await["node"]["networkSettings"]["paymentLink"], LINK);
        // Left out, it stays; another setting changes beside it.
        app.data(SET_COMPANY, json!({"c": company, "i": {"walledGardenPool": "pay-first"}})).await;
        assert_eq!(app.data(read, json!({"id": company})).await["node"]["networkSettings"]["paymentLink"], LINK);
        for bad in ["http://pay.example.in/x", "javascript:alert(1)", "https://pay.example.in/a b"] {
            let refused = app.error(SET_COMPANY, json!({"c": company, "i": {"paymentLink": bad}})).await;
            crate::helpers::assert_code(&refused, "BAD_USER_INPUT", Some("paymentLink"));
        }
        // null removes it.
        app.data(SET_COMPANY, json!({"c": company, "i": {"paymentLink": null}})).await;
        assert_eq!(app.data(read, json!({"id": company})).await["node"]["networkSettings"]["paymentLink"], Value::Null);
        let audit = app.data("{ auditLog(first: 10) { nodes { operation details } } }", json!({})).await;
        let details = audit["auditLog"]["nodes"].to_string();
        assert!(details.contains(&format!("paymentLink: none → {LINK}")), "{details}");
    }
}

/// A Razorpay `payment.captured` notification of `paise` by UPI naming customer `number`.
pub fn razorpay_captured(payment_id: &str, paise: i64, number: &str) -> String {
    json!({"entity": "event", "event": "payment.captured", "contains": ["payment"],
        "payload": {"payment": {"entity": {"id": payment_id, "entity": "payment", "amount": paise, "currency": "INR",
            "status": "captured", "method": "upi", "acquirer_data": {"rrn": null}, "notes": {"customer_id": number}}}},
        "created_at": 1732867200})
    .to_string()
}
