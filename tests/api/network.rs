//! The network obeys the bill (issue #27): network logins and plan speeds, `/radius/*` in
//! rlm_rest's JSON (accept with speed and static address, walled garden or reject, 401, 404),
//! accounting stored as sessions and daily usage, idempotent on retries; on SQLite and
//! PostgreSQL. `network_freeradius.rs` drives the same through a real FreeRADIUS.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{assert_code, Kind, TestApp};

pub const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
pub const RADIUS_USER: &str = "freeradius";
pub const RADIUS_PASSWORD: &str = "rlm-rest-secret";

/// Settings with a secrets key and the `/radius` endpoints on.
pub fn radius_on(c: &mut isp_billing::config::Config) {
    c.secrets_key = Some(isp_billing::secrets::SecretsKey::parse(KEY).unwrap());
    c.radius_user = RADIUS_USER.to_owned();
    c.radius_password = Some(RADIUS_PASSWORD.to_owned());
}

/// Declares each `async fn name(app: TestApp)` as two tests with [`radius_on`].
#[macro_export]
macro_rules! with_radius {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::helpers::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Kind::Sqlite, $crate::network::radius_on)
                        .await
                        .expect("sqlite app");
                    run(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
                async fn postgres() {
                    if let Some(app) =
                        $crate::helpers::TestApp::spawn_with($crate::helpers::Kind::Postgres, $crate::network::radius_on).await
                    {
                        run(app).await;
                    }
                }
            }
        )*
    };
}

pub const SET_CREDENTIALS: &str = "mutation($c: ID!, $i: NetworkCredentialsInput!) {
    setNetworkCredentials(customerId: $c, input: $i) { username staticIp } }";
pub const SET_RATE: &str = "mutation($p: ID!, $i: RateLimitInput) {
    setPlanRateLimit(planId: $p, input: $i) { rateLimit { uploadKbps downloadKbps value } } }";
pub const SET_COMPANY: &str = "mutation($c: ID!, $i: CompanyNetworkSettingsInput!) {
    setCompanyNetworkSettings(companyId: $c, input: $i) { networkSettings { rateAttribute suspendedAccess walledGardenPool } } }";
pub const STATUS: &str =
    "mutation($id: ID!, $s: CustomerStatus!) { changeCustomerStatus(id: $id, status: $s) { status } }";

/// rlm_rest's JSON for `pairs` (every value a string attribute).
pub fn rlm_rest(pairs: &[(&str, &str)]) -> Value {
    let mut body = serde_json::Map::new();
    for (name, value) in pairs {
        body.insert(name.to_string(), json!({"type": "string", "value": [value]}));
    }
    Value::Object(body)
}

/// POSTs `body` to `/radius/<section>` with the rlm_rest login; (status, JSON body or null).
pub async fn radius(app: &TestApp, section: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/radius/{section}")))
        .basic_auth(RADIUS_USER, Some(RADIUS_PASSWORD))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asks authorize about `user` until `wanted` holds of the answer (the snapshot follows a commit
/// within milliseconds); the last answer.
pub async fn authorize_until(app: &TestApp, user: &str, wanted: impl Fn(u16, &Value) -> bool) -> (u16, Value) {
    let started = Instant::now();
    loop {
        let (status, body) = radius(app, "authorize", &rlm_rest(&[("User-Name", user)])).await;
        if wanted(status, &body) || started.elapsed() > Duration::from_secs(5) {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A customer on the broadband plan (10/50 Mbit/s) with login `user`/`pppoe-pass` and, when
/// given, a static address: (customer ID, company ID, plan ID).
pub async fn subscriber(app: &TestApp, user: &str, static_ip: Option<&str>) -> (String, String, String) {
    let catalogue = app.catalogue("499.00").await;
    let rate =
        app.data(SET_RATE, json!({"p": catalogue.broadband, "i": {"uploadKbps": 10240, "downloadKbps": 51200}})).await;
    assert_eq!(rate["setPlanRateLimit"]["rateLimit"]["value"], "10240k/51200k");
    let customer = app.customer(user, &catalogue.broadband).create().await["id"].as_str().unwrap().to_owned();
    let set = app
        .data(
            SET_CREDENTIALS,
            json!({"c": customer, "i": {"username": user, "password": "pppoe-pass", "staticIp": static_ip}}),
        )
        .await;
    assert_eq!(set["setNetworkCredentials"]["username"], user);
    (customer, catalogue.company, catalogue.broadband)
}

crate::with_radius! {
    async fn authorize_follows_the_customer_status(app: TestApp) {
        let (customer, company, _) = subscriber(&app, "ravi.pppoe", Some("100.64.0.9")).await;

        // ACTIVE: the password for CHAP/PAP, the plan's speed and the static address.
        let (status, body) = authorize_until(&app, "Ravi.PPPoE", |s, _| s == 200).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"control:Cleartext-Password": "pppoe-pass",
            "reply:Mikrotik-Rate-Limit": "10240k/51200k", "reply:Framed-IP-Address": "100.64.0.9"}));

        // SUSPENDED: the walled garden, nothing else.
        app.data(STATUS, json!({"id": customer, "s": "SUSPENDED"})).await;
        let (status, body) = authorize_until(&app, "ravi.pppoe", |_, b| b.get("reply:Framed-Pool").is_some()).await;
        assert_eq!((status, body.clone()), (200, json!({"control:Cleartext-Password": "pppoe-pass",
            "reply:Framed-Pool": "walled-garden"})), "{body}");

        // The company chooses a reject for suspended customers, and another pool name and attribute.
        let settings = app.data(SET_COMPANY, json!({"c": company, "i": {"suspendedAccess": "REJECT",
            "rateAttribute": "Cisco-AVPair", "walledGardenPool": "pay-first"}})).await;
        assert_eq!(settings["setCompanyNetworkSettings"]["networkSettings"],
            json!({"rateAttribute": "Cisco-AVPair", "suspendedAccess": "REJECT", "walledGardenPool": "pay-first"}));
        let (status, body) = authorize_until(&app, "ravi.pppoe", |s, _| s == 401).await;
        assert_eq!((status, body), (401, json!({"reply:Reply-Message": "service suspended"})));

        // Back to ACTIVE: the company's attribute carries the speed.
        app.data(STATUS, json!({"id": customer, "s": "ACTIVE"})).await;
        let (status, body) = authorize_until(&app, "ravi.pppoe", |s, _| s == 200).await;
        assert_eq!(status, 200);
        assert_eq!(body["reply:Cisco-AVPair"], "10240k/51200k");

        // DEACTIVE and TERMINATED: rejected.
        app.data(STATUS, json!({"id": customer, "s": "DEACTIVE"})).await;
        let (status, body) = authorize_until(&app, "ravi.pppoe", |s, _| s == 401).await;
        assert_eq!((status, body), (401, json!({"reply:Reply-Message": "service deactivated"})));
        app.data(STATUS, json!({"id": customer, "s": "TERMINATED"})).await;
        let (status, body) = authorize_until(&app, "ravi.pppoe", |_, b| b["reply:Reply-Message"] == "service terminated").await;
        assert_eq!(status, 401, "{body}");

        // Nobody has this login.
        let (status, _) = radius(&app, "authorize", &rlm_rest(&[("User-Name", "nobody")])).await;
        assert_eq!(status, 404);
        // post-auth is accepted and answers nothing.
        let (status, _) = radius(&app, "post-auth", &rlm_rest(&[("User-Name", "ravi.pppoe")])).await;
        assert_eq!(status, 204);
    }

    async fn credentials_are_unique_write_only_and_audited(app: TestApp) {
        let (customer, _, plan) = subscriber(&app, "asha", Some("100.64.0.10")).await;
        let other = app.customer("meena", &plan).create().await["id"].as_str().unwrap().to_owned();

        let taken = app.error(SET_CREDENTIALS, json!({"c": other, "i": {"username": "ASHA", "password": "abcd1234"}})).await;
        assert_code(&taken, "BAD_USER_INPUT", Some("username"));
        let ip = app.error(SET_CREDENTIALS,
            json!({"c": other, "i": {"username": "meena", "password": "abcd1234", "staticIp": "100.64.0.10"}})).await;
        assert_code(&ip, "BAD_USER_INPUT", Some("staticIp"));
        let bad_ip = app.error(SET_CREDENTIALS,
            json!({"c": other, "i": {"username": "meena", "password": "abcd1234", "staticIp": "100.64.0.300"}})).await;
        assert_code(&bad_ip, "BAD_USER_INPUT", Some("staticIp"));
        let no_password = app.error(SET_CREDENTIALS, json!({"c": other, "i": {"username": "meena"}})).await;
        assert_code(&no_password, "BAD_USER_INPUT", Some("password"));
        let bad_name = app.error(SET_CREDENTIALS, json!({"c": other, "i": {"username": "me ena", "password": "abcd1234"}})).await;
        assert_code(&bad_name, "BAD_USER_INPUT", Some("username"));

        // A new username keeps the password when none is given; the static address is cleared.
        let changed = app.data(SET_CREDENTIALS, json!({"c": customer, "i": {"username": "asha.k"}})).await;
        assert_eq!(changed["setNetworkCredentials"], json!({"username": "asha.k", "staticIp": null}));
        let (status, body) = authorize_until(&app, "asha.k", |s, _| s == 200).await;
        assert_eq!(status, 200);
        assert_eq!(body["control:Cleartext-Password"], "pppoe-pass");
        let (status, _) = radius(&app, "authorize", &rlm_rest(&[("User-Name", "asha")])).await;
        assert_eq!(status, 404, "the old username is gone");

        // The password is never in the API or the audit log, nor in clear in the database.
        let read = app.data("query($id: ID!) { node(id: $id) { ... on Customer { networkCredentials { username staticIp } } } }",
            json!({"id": customer})).await;
        assert_eq!(read["node"]["networkCredentials"]["username"], "asha.k");
        let log = app.data("query($f: AuditFilterInput) { auditLog(filter: $f, last: 10) { nodes { operation details } } }",
            json!({"f": {"targetId": customer}})).await;
        let entries = log["auditLog"]["nodes"].to_string();
        assert!(entries.contains("setNetworkCredentials") && entries.contains("asha.k"), "{entries}");
        assert!(!entries.contains("pppoe-pass"), "{entries}");
        let stored = app.sql_text("SELECT password_sealed AS value FROM network_credentials");
        assert!(stored.contains("v1.") && !stored.contains("pppoe-pass"), "{stored}");

        // A collector may not set logins.
        let collector = app.staff("collector1", crate::fixtures::Role::Collector).await;
        let denied = app.error_as(Some(&collector), SET_CREDENTIALS,
            json!({"c": other, "i": {"username": "meena", "password": "abcd1234"}})).await;
        assert_code(&denied, "FORBIDDEN", None);
    }

    async fn the_endpoints_need_the_login(app: TestApp) {
        subscriber(&app, "kiran", None).await;
        let body = rlm_rest(&[("User-Name", "kiran")]);
        let anonymous = app.client.post(app.url("/radius/authorize")).json(&body).send().await.unwrap();
        assert_eq!(anonymous.status().as_u16(), 401);
        let wrong = app.client.post(app.url("/radius/authorize")).basic_auth(RADIUS_USER, Some("guess"))
            .json(&body).send().await.unwrap();
        assert_eq!(wrong.status().as_u16(), 401);
        let garbage = app.client.post(app.url("/radius/authorize")).basic_auth(RADIUS_USER, Some(RADIUS_PASSWORD))
            .body("not json").send().await.unwrap();
        assert_eq!(garbage.status().as_u16(), 400);
    }

    async fn accounting_makes_sessions_and_usage(app: TestApp) {
        let (customer, _, _) = subscriber(&app, "sunil", None).await;
        let record = |kind: &str, seconds: &str, input: &str, output: &str| {
            rlm_rest(&[("Acct-Status-Type", kind), ("User-Name", "sunil"), ("NAS-IP-Address", "10.20.0.1"),
                ("Acct-Session-Id", "81a00001"), ("Framed-IP-Address", "100.64.1.5"),
                ("Calling-Station-Id", "AA:BB:CC:00:11:22"), ("Acct-Session-Time", seconds),
                ("Acct-Input-Octets", input), ("Acct-Output-Octets", output), ("Acct-Terminate-Cause", "User-Request")])
        };
        for _ in 0..2 {
            // FreeRADIUS retries: the same Start twice opens one session.
            assert_eq!(radius(&app, "accounting", &record("Start", "0", "0", "0")).await.0, 204);
        }
        const SESSIONS: &str = "query($id: ID!) { node(id: $id) { ... on Customer { online
            sessions { totalCount nodes { nasAddress sessionId username framedIp callingStationId online
              durationSeconds uploadBytes downloadBytes terminateCause customer { customerId } } }
            usage(from: \"2020-01-01\", to: \"2020-12-31\") { day } } } }";
        let read = app.data(SESSIONS, json!({"id": customer})).await["node"].clone();
        assert_eq!(read["online"], true);
        assert_eq!(read["sessions"]["totalCount"], 1);
        let online = app.data("{ onlineSessions { totalCount nodes { username framedIp } } }", json!({})).await;
        assert_eq!(online["onlineSessions"], json!({"totalCount": 1, "nodes": [{"username": "sunil", "framedIp": "100.64.1.5"}]}));

        // Interim updates, one retried and one arriving late: counted once.
        radius(&app, "accounting", &record("Interim-Update", "300", "1000", "50000")).await;
        radius(&app, "accounting", &record("Interim-Update", "600", "3000", "90000")).await;
        radius(&app, "accounting", &record("Interim-Update", "600", "3000", "90000")).await;
        radius(&app, "accounting", &record("Interim-Update", "300", "1000", "50000")).await;
        assert_eq!(radius(&app, "accounting", &record("Stop", "900", "4000", "100000")).await.0, 204);
        radius(&app, "accounting", &record("Stop", "900", "4000", "100000")).await;

        let read = app.data(SESSIONS, json!({"id": customer})).await["node"].clone();
        assert_eq!(read["online"], false);
        let session = &read["sessions"]["nodes"][0];
        assert_eq!(session["online"], false);
        assert_eq!(session["durationSeconds"], 900);
        assert_eq!(session["uploadBytes"], 4000);
        assert_eq!(session["downloadBytes"], 100000);
        assert_eq!(session["terminateCause"], "User-Request");
        assert_eq!(session["framedIp"], "100.64.1.5");
        assert_eq!(session["callingStationId"], "AA:BB:CC:00:11:22");
        assert_eq!(session["customer"]["customerId"].as_str().map(str::len), Some(10));
        let online = app.data("{ onlineSessions { totalCount } }", json!({})).await;
        assert_eq!(online["onlineSessions"]["totalCount"], 0);

        // Today's usage is the session's bytes, once.
        let today = crate::helpers::business_today(&app).await.to_string();
        let usage = app.data("query($id: ID!, $d: Date!) { node(id: $id) { ... on Customer {
            usage(from: $d, to: $d) { day uploadBytes downloadBytes } } } }", json!({"id": customer, "d": today})).await;
        assert_eq!(usage["node"]["usage"], json!([{"day": today, "uploadBytes": 4000, "downloadBytes": 100000}]));
        let too_long = app.error("query($id: ID!) { node(id: $id) { ... on Customer {
            usage(from: \"2020-01-01\", to: \"2021-06-01\") { day } } } }", json!({"id": customer})).await;
        assert_code(&too_long, "BAD_USER_INPUT", Some("to"));

        // A record without a session id is refused (FreeRADIUS logs it), Accounting-On is accepted.
        let bad = rlm_rest(&[("Acct-Status-Type", "Start"), ("User-Name", "sunil"), ("NAS-IP-Address", "10.20.0.1")]);
        assert_eq!(radius(&app, "accounting", &bad).await.0, 400);
        let on = rlm_rest(&[("Acct-Status-Type", "Accounting-On"), ("NAS-IP-Address", "10.20.0.1")]);
        assert_eq!(radius(&app, "accounting", &on).await.0, 204);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoints_are_off_without_a_login() {
    let app = TestApp::spawn(Kind::Sqlite).await.expect("app");
    let response = app
        .client
        .post(app.url("/radius/authorize"))
        .basic_auth(RADIUS_USER, Some(RADIUS_PASSWORD))
        .json(&rlm_rest(&[("User-Name", "x")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_off_the_allowlist_are_refused() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| {
        radius_on(c);
        c.radius_allow = isp_billing::http::proxies::TrustedProxies::parse("192.0.2.0/24").unwrap();
    })
    .await
    .expect("app");
    let (status, _) = radius(&app, "authorize", &rlm_rest(&[("User-Name", "x")])).await;
    assert_eq!(status, 403);
}
