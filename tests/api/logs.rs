//! The request log of the real binary: one line per request with method, path, status,
//! latency, the GraphQL operation (name, type, root fields), the account and the error codes;
//! as JSON with `ISP_LOG_FORMAT=json`. Never variables, tokens or passwords.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{Kind, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");
const ADMIN_PASSWORD: &str = "admin-pass-7Yq2";
const INLINE_SECRET: &str = "inline-secret-3Kd9";
const VARIABLE_SECRET: &str = "variable-secret-8Rw4";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the binary on `database_url` with `format`, and waits for `/healthz`.
async fn start(database_url: &str, format: &str, dir: &std::path::Path) -> (Child, u16) {
    let port = free_port();
    let child = Command::new(BIN)
        .current_dir(dir)
        .env("DATABASE_URL", database_url)
        .env("ISP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("ISP_BILLING_CYCLE", "false")
        .env("ISP_LOG_FORMAT", format)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary");
    let started = Instant::now();
    while !reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.is_ok_and(|r| r.status() == 200) {
        assert!(started.elapsed() < Duration::from_secs(60), "server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, port)
}

/// Stops the server with SIGTERM and returns everything it wrote.
fn stop(mut child: Child) -> String {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut log = String::new();
    child.stdout.take().unwrap().read_to_string(&mut log).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    log
}

async fn post(port: u16, token: Option<&str>, body: Value) -> Value {
    let mut request = reqwest::Client::new().post(format!("http://127.0.0.1:{port}/graphql")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// The request lines, parsed.
fn request_lines(log: &str) -> Vec<Value> {
    log.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["target"] == "isp_billing::access")
        .collect()
}

async fn json_lines_on(kind: Kind) {
    let Some(db) = TestDb::create(kind) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (child, port) = start(db.url(), "json", dir.path()).await;

    let login = "mutation SignIn($p: String!) { login(username: \"admin\", password: $p) { token } }";
    let body = post(port, None, json!({"query": login, "variables": {"p": ADMIN_PASSWORD}})).await;
    let token = body["data"]["login"]["token"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    // A password written into the query itself, and a wrong one.
    let inline = format!("mutation {{ login(username: \"admin\", password: \"{INLINE_SECRET}\") {{ token }} }}");
    let refused = post(port, None, json!({"query": inline})).await;
    assert!(refused["errors"][0]["extensions"]["code"].is_string(), "{refused}");
    // A named query with variables, by a logged-in account, with one field refused.
    let mine = "query Mine($s: String) { me { username } customers(filter: {search: $s}) { totalCount } \
                node(id: \"not-an-id\") { id } }";
    let body = post(port, Some(&token), json!({"query": mine, "variables": {"s": VARIABLE_SECRET}})).await;
    assert_eq!(body["data"]["me"]["username"], "admin", "{body}");
    // A GET query whose URL carries variables, and a document download by the same account.
    let url = format!(
        "http://127.0.0.1:{port}/graphql?query=query%20Who%28%24x%3AString%29%7Bme%7Busername%7D%7D\
         &variables=%7B%22x%22%3A%22{VARIABLE_SECRET}%22%7D"
    );
    let get = reqwest::Client::new().get(url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(get.status(), 200);
    let pdf = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/invoices/nothing.pdf"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 404);

    let log = stop(child);
    for secret in [ADMIN_PASSWORD, INLINE_SECRET, VARIABLE_SECRET, token.as_str()] {
        assert!(!log.contains(secret), "the log shows {secret}:\n{log}");
    }
    let lines = request_lines(&log);
    let find = |operation: &str| -> Value {
        lines
            .iter()
            .find(|l| l["operation"] == operation)
            .unwrap_or_else(|| panic!("no request line for {operation}:\n{log}"))
            .clone()
    };
    let sign_in = find("SignIn");
    assert_eq!(sign_in["method"], "POST");
    assert_eq!(sign_in["path"], "/graphql");
    assert_eq!(sign_in["status"], 200);
    assert_eq!(sign_in["operation_type"], "mutation");
    assert_eq!(sign_in["fields"], "login");
    assert_eq!(sign_in["account"], "-");
    assert_eq!(sign_in["errors"], "-");
    assert_eq!(sign_in["level"], "INFO");
    assert!(sign_in["latency_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{sign_in}");
    assert!(sign_in["timestamp"].is_string(), "{sign_in}");

    let anonymous_login = lines
        .iter()
        .find(|l| l["operation"] == "-" && l["fields"] == "login")
        .unwrap_or_else(|| panic!("no line for the refused login:\n{log}"));
    assert_eq!(anonymous_login["operation_type"], "mutation");
    let code = refused["errors"][0]["extensions"]["code"].as_str().unwrap();
    assert_eq!(anonymous_login["errors"], code, "{anonymous_login}");

    let mine = find("Mine");
    assert_eq!(mine["operation_type"], "query");
    assert_eq!(mine["fields"], "me,customers,node");
    assert_eq!(mine["account"], "employee:admin");
    assert_eq!(mine["errors"], "BAD_USER_INPUT");

    let who = find("Who");
    assert_eq!(who["method"], "GET");
    assert_eq!(who["path"], "/graphql", "no query string in the path");
    assert_eq!(who["account"], "employee:admin");

    let document = lines
        .iter()
        .find(|l| l["path"] == "/invoices/nothing.pdf")
        .unwrap_or_else(|| panic!("no line for the document:\n{log}"));
    assert_eq!(document["status"], 404);
    assert_eq!(document["account"], "employee:admin");
    assert_eq!(document["errors"], "NOT_FOUND");

    let health = lines.iter().find(|l| l["path"] == "/healthz").expect("a line for /healthz");
    assert_eq!(health["status"], 200);
    assert_eq!(health["method"], "GET");
    // One line per request: four to /graphql (two logins, two queries).
    assert_eq!(lines.iter().filter(|l| l["path"] == "/graphql").count(), 4, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_lines_as_json_on_sqlite() {
    json_lines_on(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn request_lines_as_json_on_postgres() {
    json_lines_on(Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_lines_as_text_by_default() {
    let Some(db) = TestDb::create(Kind::Sqlite) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (child, port) = start(db.url(), "text", dir.path()).await;
    let login = "mutation SignIn($p: String!) { login(username: \"admin\", password: $p) { token } }";
    let body = post(port, None, json!({"query": login, "variables": {"p": ADMIN_PASSWORD}})).await;
    assert!(body["data"]["login"]["token"].is_string(), "{body}");
    let log = stop(child);
    assert!(!log.contains(ADMIN_PASSWORD), "{log}");
    let line = log
        .lines()
        .find(|l| l.contains("isp_billing::access") && l.contains("operation=SignIn"))
        .unwrap_or_else(|| panic!("no text request line:\n{log}"));
    for field in [
        " INFO ",
        "method=POST",
        "path=/graphql",
        "status=200",
        "latency_ms=",
        "operation_type=mutation",
        "fields=login",
        "account=-",
        "errors=-",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    assert!(!log.lines().any(|l| l.starts_with('{')), "text, not JSON:\n{log}");
}
