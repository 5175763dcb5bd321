//! Accounts, login, roles, throttling, the audit log and default deny, over HTTP and websockets.

use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::documents::{CREATE_EMPLOYEE, CREATE_PLAN, LOGIN};
use crate::fixtures::Role;
use crate::helpers::{assert_code, Kind, TestApp, ADMIN_PASSWORD};
use crate::on_both_databases;

/// Root fields anyone may call without a token.
// The public surface, listed here on purpose (not imported): widening it must show in a test diff.
const PUBLIC: &[&str] = &["login", "createConnectionRequest"];

const ME: &str = "{ me { id username kind role fullName employee { username isActive } } }";
const UPDATE_EMPLOYEE: &str =
    "mutation($id: ID!, $i: UpdateEmployeeInput!) { updateEmployee(id: $id, input: $i) { id isActive role } }";

/// Every root field of the checked-in schema, with its operation keyword.
fn root_fields() -> Vec<(&'static str, String)> {
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    let doc = async_graphql_parser::parse_schema(&sdl).unwrap();
    let mut out = Vec::new();
    for def in &doc.definitions {
        if let TypeSystemDefinition::Type(ty) = def {
            let keyword = match ty.node.name.node.as_str() {
                "QueryRoot" | "Query" => "query",
                "MutationRoot" | "Mutation" => "mutation",
                "SubscriptionRoot" | "Subscription" => "subscription",
                _ => continue,
            };
            if let TypeKind::Object(object) = &ty.node.kind {
                out.extend(object.fields.iter().map(|f| (keyword, f.node.name.node.to_string())));
            }
        }
    }
    out
}

/// A staff account that logs in with "field-cash-2026"; returns its ID.
async fn employee(app: &TestApp, username: &str, role: Role) -> String {
    app.employee(username, role).full_name("Ravi Kumar").password("field-cash-2026").create().await
}

on_both_databases! {
    async fn every_root_field_needs_a_login(app: TestApp) {
        let fields = root_fields();
        assert!(fields.len() > 10, "schema.graphql lists the root fields: {fields:?}");
        for (keyword, field) in fields {
            if PUBLIC.contains(&field.as_str()) {
                continue;
            }
            // No arguments, no selection: default deny answers before validation.
            let error = app.error_as(None, &format!("{keyword} {{ {field} }}"), json!({})).await;
            assert_code(&error, "UNAUTHENTICATED", None);
            // A well-formed call through a fragment is refused too.
            if keyword == "query" {
                let q = format!("query {{ ...F }} fragment F on Query {{ {field} }}");
                assert_code(&app.error_as(None, &q, json!({})).await, "UNAUTHENTICATED", None);
            }
            // A token that is not one is anonymous.
            let error = app.error_as(Some("not-a-token"), &format!("{keyword} {{ {field} }}"), json!({})).await;
            assert_code(&error, "UNAUTHENTICATED", None);
        }
        // Introspection stays open, so GraphiQL can load the schema before login.
        app.data_as(None, "{ __schema { queryType { name } } }", json!({})).await;
    }

    async fn login_me_logout(app: TestApp) {
        let me = app.data(ME, json!({})).await["me"].clone();
        assert_eq!(me["username"], "admin");
        assert_eq!(me["kind"], "EMPLOYEE");
        assert_eq!(me["role"], "ADMIN");
        assert_eq!(me["employee"]["isActive"], true);

        let q = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt viewer { username } } }";
        let login = app.data_as(None, q, json!({"u": "ADMIN", "p": ADMIN_PASSWORD})).await["login"].clone();
        assert_eq!(login["viewer"]["username"], "admin", "usernames ignore case");
        assert!(login["token"].as_str().unwrap().len() >= 40);
        assert!(login["expiresAt"].as_str().unwrap().ends_with('Z'));
        let token = login["token"].as_str().unwrap();

        // The token is stored only as a hash.
        let stored = app.sql_text("SELECT token_hash AS value FROM sessions ORDER BY id DESC LIMIT 1");
        assert_ne!(stored, token);
        assert_eq!(stored.len(), 64);

        assert_eq!(app.data_as(Some(token), "mutation { logout }", json!({})).await["logout"], true);
        assert_code(&app.error_as(Some(token), ME, json!({})).await, "UNAUTHENTICATED", None);
        // Other sessions are untouched.
        app.data(ME, json!({})).await;
    }

    async fn wrong_user_and_wrong_password_look_the_same(app: TestApp) {
        let q = LOGIN;
        let unknown = app.error_as(None, q, json!({"u": "nobody", "p": "whatever-123"})).await;
        let wrong = app.error_as(None, q, json!({"u": "admin", "p": "whatever-123"})).await;
        assert_code(&unknown, "UNAUTHENTICATED", None);
        assert_eq!(unknown["message"], "invalid username or password", "says what went wrong");
        assert_eq!(unknown["message"], wrong["message"]);
        assert_eq!(unknown["extensions"], wrong["extensions"]);
    }

    async fn expired_tokens_stop_working(app: TestApp) {
        let token = app.login("admin", ADMIN_PASSWORD).await;
        app.data_as(Some(&token), ME, json!({})).await;
        let hash = isp_billing::auth::token::hash(&token);
        let n = app.sql(&format!("UPDATE sessions SET expires_at = '2000-01-01 00:00:00' WHERE token_hash = '{hash}'")).unwrap();
        assert_eq!(n, 1);
        assert_code(&app.error_as(Some(&token), ME, json!({})).await, "UNAUTHENTICATED", None);
    }

    async fn deactivation_ends_sessions_at_once(app: TestApp) {
        let id = employee(&app, "ravi", Role::Collector).await;
        let token = app.login("ravi", "field-cash-2026").await;
        app.data_as(Some(&token), ME, json!({})).await;
        let updated = app.data(UPDATE_EMPLOYEE, json!({"id": id, "i": {"isActive": false}})).await;
        assert_eq!(updated["updateEmployee"]["isActive"], false);
        assert_code(&app.error_as(Some(&token), ME, json!({})).await, "UNAUTHENTICATED", None);
        let q = "mutation { login(username: \"ravi\", password: \"field-cash-2026\") { token } }";
        assert_code(&app.error_as(None, q, json!({})).await, "UNAUTHENTICATED", None);
        // Reactivated, the account logs in again.
        app.data(UPDATE_EMPLOYEE, json!({"id": id, "i": {"isActive": true}})).await;
        app.login("ravi", "field-cash-2026").await;
    }

    async fn password_changes_end_sessions(app: TestApp) {
        let id = employee(&app, "sunita", Role::Support).await;
        let phone = app.login("sunita", "field-cash-2026").await;
        let laptop = app.login("sunita", "field-cash-2026").await;
        let change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }";
        let wrong = app.error_as(Some(&phone), change, json!({"c": "nope-nope", "n": "new-password-1"})).await;
        assert_code(&wrong, "BAD_USER_INPUT", Some("currentPassword"));
        let short = app.error_as(Some(&phone), change, json!({"c": "field-cash-2026", "n": "short"})).await;
        assert_code(&short, "BAD_USER_INPUT", Some("newPassword"));

        let fresh = app.data_as(Some(&phone), change, json!({"c": "field-cash-2026", "n": "new-password-1"})).await;
        let fresh = fresh["changePassword"]["token"].as_str().unwrap().to_owned();
        for old in [&phone, &laptop] {
            assert_code(&app.error_as(Some(old), ME, json!({})).await, "UNAUTHENTICATED", None);
        }
        app.data_as(Some(&fresh), ME, json!({})).await;
        app.login("sunita", "new-password-1").await;

        // An admin's reset works the same way.
        let reset = "mutation($id: ID!, $p: String!) { resetEmployeePassword(id: $id, newPassword: $p) { id } }";
        app.data(reset, json!({"id": id, "p": "reset-by-admin-1"})).await;
        assert_code(&app.error_as(Some(&fresh), ME, json!({})).await, "UNAUTHENTICATED", None);
        app.login("sunita", "reset-by-admin-1").await;
    }

    async fn roles_follow_the_matrix(app: TestApp) {
        let manager = app.staff("meena", Role::Manager).await;
        let collector = app.staff("kiran", Role::Collector).await;
        let support = app.staff("asha", Role::Support).await;
        let c = app.company().name("Alpha Net").create().await;
        let plan = json!({"input": {"companyId": c, "name": "Home", "serviceType": "BROADBAND", "price": "499"}});

        app.data_as(Some(&manager), CREATE_PLAN, plan.clone()).await;
        for token in [&collector, &support] {
            assert_code(&app.error_as(Some(token), CREATE_PLAN, plan.clone()).await, "FORBIDDEN", None);
            let read = app.data_as(Some(token), "{ plans { totalCount } }", json!({})).await;
            assert_eq!(read["plans"]["totalCount"], 1);
        }
        let staff = "{ employees { totalCount } }";
        for token in [&manager, &collector, &support] {
            assert_code(&app.error_as(Some(token), staff, json!({})).await, "FORBIDDEN", None);
            assert_code(&app.error_as(Some(token), "{ auditLog { totalCount } }", json!({})).await, "FORBIDDEN", None);
            let input = json!({"i": {"username": "x1x", "fullName": "X", "role": "ADMIN", "password": "password-1"}});
            assert_code(&app.error_as(Some(token), CREATE_EMPLOYEE, input).await, "FORBIDDEN", None);
        }
        assert_eq!(app.data(staff, json!({})).await["employees"]["totalCount"], 4);
        // Staff may read their own account, not another's.
        let me = app.data_as(Some(&collector), ME, json!({})).await["me"]["id"].as_str().unwrap().to_owned();
        let q = "query($id: ID!) { employee(id: $id) { username } }";
        assert_eq!(app.data_as(Some(&collector), q, json!({"id": me})).await["employee"]["username"], "kiran");
        let admin_id = app.data(ME, json!({})).await["me"]["id"].as_str().unwrap().to_owned();
        assert_code(&app.error_as(Some(&collector), q, json!({"id": admin_id})).await, "FORBIDDEN", None);
        let node = "query($id: ID!) { node(id: $id) { id } }";
        assert_code(&app.error_as(Some(&collector), node, json!({"id": admin_id})).await, "FORBIDDEN", None);
    }

    async fn staff_accounts_are_validated(app: TestApp) {
        let base = json!({"username": "ravi", "fullName": "Ravi", "role": "COLLECTOR", "password": "field-cash-2026"});
        let with = |key: &str, value: Value| {
            let mut input = base.clone();
            input[key] = value;
            json!({ "i": input })
        };
        for (variables, field) in [
            (with("password", json!("1234567")), "password"),
            (with("password", json!("RAVI")), "password"),
            (with("username", json!("r")), "username"),
            (with("username", json!("ravi kumar")), "username"),
            (with("fullName", json!(" ")), "fullName"),
            (with("mobile", json!("98220")), "mobile"),
        ] {
            assert_code(&app.error(CREATE_EMPLOYEE, variables).await, "BAD_USER_INPUT", Some(field));
        }
        app.data(CREATE_EMPLOYEE, with("mobile", json!("9822012345"))).await;
        assert_code(&app.error(CREATE_EMPLOYEE, with("username", json!("RAVI"))).await, "CONFLICT", None);
        let hash = app.sql_text("SELECT password_hash AS value FROM employees WHERE username = 'ravi'");
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    }

    async fn the_last_admin_stays(app: TestApp) {
        let admin = app.data(ME, json!({})).await["me"]["id"].as_str().unwrap().to_owned();
        for change in [json!({"isActive": false}), json!({"role": "MANAGER"})] {
            let error = app.error(UPDATE_EMPLOYEE, json!({"id": admin, "i": change})).await;
            assert_code(&error, "CONFLICT", None);
        }
        let second = employee(&app, "second", Role::Admin).await;
        app.data(UPDATE_EMPLOYEE, json!({"id": second, "i": {"role": "MANAGER"}})).await;
        let second_admin = employee(&app, "third", Role::Admin).await;
        assert!(!second_admin.is_empty());
        app.data(UPDATE_EMPLOYEE, json!({"id": admin, "i": {"role": "MANAGER"}})).await;
    }

    async fn the_audit_log_records_who_did_what(app: TestApp) {
        let manager = app.staff("meena", Role::Manager).await;
        let manager_id = app.data_as(Some(&manager), ME, json!({})).await["me"]["id"].as_str().unwrap().to_owned();
        let c = app.company().name("Alpha Net").create().await;
        let plan = json!({"input": {"companyId": c, "name": "Home", "serviceType": "BROADBAND", "price": "499"}});
        let plan_id = app.data_as(Some(&manager), CREATE_PLAN, plan).await["createPlan"]["id"].as_str().unwrap().to_owned();

        let q = "query($f: AuditFilterInput) { auditLog(filter: $f, last: 10) { totalCount nodes { actorKind actorId actorName operation targetIds at } } }";
        let log = app.data(q, json!({"f": {"targetId": plan_id}})).await["auditLog"].clone();
        assert_eq!(log["totalCount"], 1);
        let entry = &log["nodes"][0];
        assert_eq!(entry["operation"], "createPlan");
        assert_eq!(entry["actorId"], manager_id);
        assert_eq!(entry["actorName"], "meena");
        assert_eq!(entry["actorKind"], "EMPLOYEE");
        assert_eq!(entry["targetIds"], json!([plan_id]));
        let by_actor = app.data(q, json!({"f": {"actorId": manager_id}})).await;
        assert_eq!(by_actor["auditLog"]["totalCount"], 1);
        let first = app.data(q, json!({"f": {"operation": "createEmployee"}})).await;
        assert_eq!(first["auditLog"]["totalCount"], 2, "the first admin (by SYSTEM) and meena");

        // Append-only: the database itself refuses changes.
        assert!(app.sql("UPDATE audit_log SET actor_name = 'someone else'").is_err());
        assert!(app.sql("DELETE FROM audit_log").is_err());
        assert_eq!(app.data(q, json!({"f": null})).await["auditLog"]["totalCount"], 4);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_are_throttled() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.login_max_failures = 3).await.unwrap();
    let q = LOGIN;
    for _ in 0..3 {
        let e = app.error_as(None, q, json!({"u": "admin", "p": "guess-guess"})).await;
        assert_code(&e, "UNAUTHENTICATED", None);
    }
    // This (username, address) pair is locked now, even with the right password.
    let locked = app.error_as(None, q, json!({"u": "admin", "p": ADMIN_PASSWORD})).await;
    assert_code(&locked, "TOO_MANY_REQUESTS", None);
    // The address is not: it may be an office or a proxy, many people. Another username's
    // password is checked, and a right one logs in.
    let other = app.error_as(None, q, json!({"u": "someone", "p": "guess-guess"})).await;
    assert_code(&other, "UNAUTHENTICATED", None);
    let create = "mutation($i: CreateEmployeeInput!) { createEmployee(input: $i) { id } }";
    let input = json!({"fullName": "Asha Rao", "username": "asha", "password": "asha-password-1", "role": "COLLECTOR"});
    app.data(create, json!({"i": input})).await;
    app.login("asha", "asha-password-1").await;
    // Once the window has passed, it works again.
    app.sql("UPDATE login_failures SET failed_at = '2000-01-01 00:00:00'").unwrap();
    app.login("admin", ADMIN_PASSWORD).await;
}

/// A login from another loopback address than the test client's 127.0.0.1 (the server sees
/// the TCP peer), with how long the answer took.
async fn login_from(app: &TestApp, address: [u8; 4], username: &str, password: &str) -> (Value, std::time::Duration) {
    let client = reqwest::Client::builder().local_address(std::net::IpAddr::from(address)).build().unwrap();
    let q = LOGIN;
    let body = json!({"query": q, "variables": {"u": username, "p": password}});
    let started = std::time::Instant::now();
    let response = client.post(app.url("/graphql")).json(&body).send().await.expect("POST /graphql");
    let value: Value = response.json().await.expect("JSON body");
    (value, started.elapsed())
}

/// Failures lock the (username, address) pair; from another address the owner still logs in,
/// only slowed down by the username's failures from everywhere.
async fn a_locked_address_does_not_lock_the_owner_out(kind: Kind) {
    let Some(app) = TestApp::spawn_with(kind, |c| c.login_max_failures = 3).await else { return };
    let q = LOGIN;
    for _ in 0..3 {
        let e = app.error_as(None, q, json!({"u": "admin", "p": "guess-guess"})).await;
        assert_code(&e, "UNAUTHENTICATED", None);
    }
    // This address is locked, even with the right password.
    let locked = app.error_as(None, q, json!({"u": "admin", "p": ADMIN_PASSWORD})).await;
    assert_code(&locked, "TOO_MANY_REQUESTS", None);

    // From another address a wrong password is checked (not refused), after a delay: the
    // username has 3 failures, so 250 ms.
    let (wrong, took) = login_from(&app, [127, 0, 0, 2], "admin", "guess-guess").await;
    assert_code(&wrong["errors"][0], "UNAUTHENTICATED", None);
    assert!(took >= std::time::Duration::from_millis(250), "slowed down: {took:?}");
    // The owner's right password from there logs in, after a longer delay (4 failures: 500 ms).
    let (right, took) = login_from(&app, [127, 0, 0, 2], "ADMIN", ADMIN_PASSWORD).await;
    assert!(right.get("errors").is_none(), "the owner logs in from elsewhere: {right:#}");
    assert!(took >= std::time::Duration::from_millis(500), "delays grow: {took:?}");
    let token = right["data"]["login"]["token"].as_str().expect("token");
    assert_eq!(app.data_as(Some(token), ME, json!({})).await["me"]["username"], "admin");
    // The login cleared the failures from its own address only: the guesser's address keeps
    // its lock (an owner logging in must not hand the guesser fresh attempts).
    let failures_from = |address: &str| {
        app.sql_text(&format!(
            "SELECT CAST(COUNT(*) AS TEXT) AS value FROM login_failures WHERE username = 'admin' AND address = '{address}'"
        ))
    };
    assert_eq!(failures_from("127.0.0.2"), "0");
    assert_eq!(failures_from("127.0.0.1"), "3", "the guesser's failures still count");
    let (still, _) = login_from(&app, [127, 0, 0, 1], "admin", ADMIN_PASSWORD).await;
    assert_code(&still["errors"][0], "TOO_MANY_REQUESTS", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_address_does_not_lock_the_owner_out_on_sqlite() {
    a_locked_address_does_not_lock_the_owner_out(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn a_locked_address_does_not_lock_the_owner_out_on_postgres() {
    a_locked_address_does_not_lock_the_owner_out(Kind::Postgres).await;
}

#[test]
fn no_output_type_returns_a_secret() {
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    let doc = async_graphql_parser::parse_schema(&sdl).unwrap();
    let allowed = ["LoginPayload.token"]; // the login token, shown once to its owner
    let mut offenders = Vec::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = def else { continue };
        // Root fields name operations (`changePassword`); what they return is checked as a type.
        if ["Query", "Mutation", "Subscription"].contains(&ty.node.name.node.as_str()) {
            continue;
        }
        let fields = match &ty.node.kind {
            TypeKind::Object(o) => &o.fields,
            TypeKind::Interface(i) => &i.fields,
            _ => continue,
        };
        for field in fields {
            let name = format!("{}.{}", ty.node.name.node, field.node.name.node);
            let lower = field.node.name.node.to_lowercase();
            let secret = ["password", "hash", "secret", "token", "salt"].iter().any(|w| lower.contains(w));
            if secret && !allowed.contains(&name.as_str()) {
                offenders.push(name);
            }
        }
    }
    assert!(offenders.is_empty(), "output fields that may return secrets: {offenders:?}");
}

#[tokio::test]
async fn websockets_need_a_valid_token() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        for payload in [json!({}), json!({"Authorization": "Bearer wrong"}), json!({"token": "wrong"})] {
            let mut socket = app.websocket(protocol).await;
            socket
                .send(Message::text(json!({"type": "connection_init", "payload": payload}).to_string()))
                .await
                .unwrap();
            let mut acked = false;
            while let Ok(Some(Ok(message))) =
                tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await
            {
                match message {
                    Message::Text(text) => {
                        let value: Value = serde_json::from_str(&text).unwrap();
                        acked |= value["type"] == "connection_ack";
                    }
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            assert!(!acked, "{protocol} with {payload} must not be accepted");
        }
        // With the token in the payload it is.
        let mut socket = app.websocket(protocol).await;
        let init = json!({"type": "connection_init", "payload": {"token": app.token}});
        socket.send(Message::text(init.to_string())).await.unwrap();
        let ack =
            tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await.unwrap().unwrap().unwrap();
        assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_are_all_counted() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.login_max_failures = 3).await.unwrap();
    let q = LOGIN;
    let guesses = (0..10).map(|i| {
        let app = &app;
        async move { app.error_as(None, q, json!({"u": "admin", "p": format!("guess-{i}-guess")})).await }
    });
    let errors = futures_util::future::join_all(guesses).await;
    let checked = errors.iter().filter(|e| e["extensions"]["code"] == "UNAUTHENTICATED").count();
    let refused = errors.iter().filter(|e| e["extensions"]["code"] == "TOO_MANY_REQUESTS").count();
    assert_eq!((checked, refused), (3, 7), "only 3 passwords may be tried: {errors:?}");
}

on_both_databases! {
    async fn websocket_operations_stop_after_logout(app: TestApp) {
        let token = app.login("admin", ADMIN_PASSWORD).await;
        let mut socket = app.websocket("graphql-transport-ws").await;
        socket.send(Message::text(json!({"type": "connection_init", "payload": {"token": token}}).to_string())).await.unwrap();
        let mut ask = async |id: &str| -> Value {
            let msg = json!({"id": id, "type": "subscribe", "payload": {"query": "{ me { username } }"}});
            socket.send(Message::text(msg.to_string())).await.unwrap();
            loop {
                let message = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await.unwrap().unwrap().unwrap();
                if let Message::Text(text) = message {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["id"] == id && value["type"] != "complete" {
                        return value;
                    }
                }
            }
        };
        let first = ask("1").await;
        assert_eq!(first["payload"]["data"]["me"]["username"], "admin", "{first}");
        app.data_as(Some(&token), "mutation { logout }", json!({})).await;
        let second = ask("2").await;
        let errors = if second["type"] == "error" { second["payload"].clone() } else { second["payload"]["errors"].clone() };
        assert_eq!(errors[0]["extensions"]["code"], "UNAUTHENTICATED", "{second}");
    }

    async fn usernames_are_unique_across_staff_and_customers(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        app.customer("ravi", &bb).create().await;
        let input = json!({"i": {"username": "Ravi", "fullName": "Ravi", "role": "SUPPORT", "password": "staff-pass-1"}});
        assert_code(&app.error(CREATE_EMPLOYEE, input).await, "CONFLICT", None);
    }
}
