//! What survives: a backup taken while payments stream in, a restore that serves, and a
//! `kill -9` of the real binary in the middle of payments.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{check_invariants, Kind, TestApp, ADMIN_PASSWORD};

const PAY: &str = "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { paymentId } }";

/// Records ₹1 cash payments until `stop`, one client per customer of `customers` (at most 95
/// each: the invariant check reads a customer's newest 100 payments), adding each acknowledged
/// payment's number to `acknowledged`.
fn stream_payments(
    url: String,
    token: String,
    customers: &[String],
    acknowledged: Arc<Mutex<HashSet<String>>>,
    stop: Arc<AtomicU64>,
) -> Vec<tokio::task::JoinHandle<()>> {
    customers
        .iter()
        .map(|customer| {
            let (url, token, acknowledged, stop) = (url.clone(), token.clone(), Arc::clone(&acknowledged), Arc::clone(&stop));
            let body = json!({"query": PAY, "variables": {"i": {"customerId": customer, "amount": "1", "paymentMethod": "CASH"}}});
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for _ in 0..95 {
                    if stop.load(Ordering::SeqCst) != 0 {
                        break;
                    }
                    let Ok(response) = client.post(&url).bearer_auth(&token).json(&body).send().await else { break };
                    let Ok(value) = response.json::<Value>().await else { break };
                    if let Some(number) = value["data"]["createPayment"]["paymentId"].as_str() {
                        acknowledged.lock().unwrap().insert(number.to_owned());
                    }
                }
            })
        })
        .collect()
}

/// Customers for the streams (each on the same demo plan setup).
async fn customers(app: &TestApp, names: &[&str]) -> Vec<String> {
    let bb = app.catalogue("499.00").await.broadband;
    let mut ids = Vec::new();
    for name in names {
        ids.push(app.customer(name, &bb).create_with_invoice().await.0);
    }
    ids
}

/// The payment numbers of all `customers` the app has.
async fn all_numbers(app: &TestApp, customers: &[String]) -> HashSet<String> {
    let mut all = HashSet::new();
    for c in customers {
        all.extend(payment_numbers(app, c).await);
    }
    all
}

/// The payment numbers of `customer` the app has.
async fn payment_numbers(app: &TestApp, customer: &str) -> HashSet<String> {
    let q = "query($f: PaymentFilterInput, $a: String) { payments(filter: $f, first: 100, after: $a) {
        nodes { paymentId } pageInfo { hasNextPage endCursor } } }";
    let (mut found, mut after) = (HashSet::new(), Value::Null);
    loop {
        let page = app.data(q, json!({"f": {"customerId": customer}, "a": after})).await["payments"].clone();
        for node in page["nodes"].as_array().unwrap() {
            found.insert(node["paymentId"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return found;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_a_payment_stream_holds_every_acknowledged_payment_and_restores() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let cs = customers(&app, &["backup1", "backup2", "backup3"]).await;
    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let stop = Arc::new(AtomicU64::new(0));
    let clients =
        stream_payments(app.url("/graphql"), app.token.clone(), &cs, Arc::clone(&acknowledged), Arc::clone(&stop));
    tokio::time::sleep(Duration::from_millis(400)).await;

    // The backup begins while payments keep coming; what was acknowledged before must be in it.
    let before: HashSet<String> = acknowledged.lock().unwrap().clone();
    assert!(!before.is_empty(), "payments were flowing");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    let db = isp_billing::db::Db::connect(app.database_url(), 2, Arc::new(AtomicU64::new(0))).unwrap();
    isp_billing::backup::backup(&db, app.database_url(), &file).await.expect("backup");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(1, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    isp_billing::backup::check_sqlite_file(&file).expect("the backup passes the integrity check");
    let during = acknowledged.lock().unwrap().len();
    assert!(during > before.len(), "payments went on during the backup ({} then {during})", before.len());
    // A second backup to the same file is refused: a backup never overwrites.
    assert!(isp_billing::backup::backup(&db, app.database_url(), &file).await.is_err());

    // Restore into a new path, then serve it: every payment acknowledged before the backup is
    // there, and the money adds up.
    let restored = dir.path().join("restored.db").to_string_lossy().into_owned();
    let file_clone = file.clone();
    let url = restored.clone();
    tokio::task::spawn_blocking(move || isp_billing::backup::restore(&file_clone, &url))
        .await
        .unwrap()
        .expect("restore");
    let again = restored.clone();
    let refused = tokio::task::spawn_blocking(move || isp_billing::backup::restore(&file, &again)).await.unwrap();
    assert!(refused.is_err(), "a restore never overwrites a database");
    let served = TestApp::on_database(Kind::Sqlite, &restored).await;
    let numbers = all_numbers(&served, &cs).await;
    let missing: Vec<&String> = before.difference(&numbers).collect();
    assert!(missing.is_empty(), "acknowledged before the backup but missing from it: {missing:?}");
    for c in &cs {
        check_invariants(&served, c).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_payment() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("crash.db").to_string_lossy().into_owned();
    let cs = {
        let setup = TestApp::on_database(Kind::Sqlite, &url).await;
        customers(&setup, &["crash1", "crash2", "crash3", "crash4"]).await
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_isp-billing"))
        .env("DATABASE_URL", &url)
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("ISP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the binary");
    let endpoint = format!("http://127.0.0.1:{port}/graphql");
    let client = reqwest::Client::new();
    let login = json!({"query": "mutation($p: String!) { login(username: \"admin\", password: $p) { token } }", "variables": {"p": ADMIN_PASSWORD}});
    let started = Instant::now();
    let token = loop {
        // (503 while it starts)
        match client.post(&endpoint).json(&login).send().await {
            Ok(r) if r.status() != 503 => {
                let body: Value = r.json().await.unwrap();
                break body["data"]["login"]["token"].as_str().unwrap().to_owned();
            }
            _ => {}
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the binary did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let stop = Arc::new(AtomicU64::new(0));
    let clients = stream_payments(endpoint, token, &cs, Arc::clone(&acknowledged), stop);
    tokio::time::sleep(Duration::from_millis(800)).await;
    child.kill().expect("kill -9"); // SIGKILL: no shutdown, no flush
    let _ = child.wait();
    for client in clients {
        client.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 5, "payments were flowing: {}", acknowledged.len());
    eprintln!("{} payments acknowledged before kill -9", acknowledged.len());

    // Restarted on the same file: every payment a client was told about is there.
    let app = TestApp::on_database(Kind::Sqlite, &url).await;
    let numbers = all_numbers(&app, &cs).await;
    let missing: Vec<&String> = acknowledged.difference(&numbers).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    for c in &cs {
        check_invariants(&app, c).await;
    }
}

/// The permission bits of `path`.
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `url` with `password` in its user information (`postgres://user:password@host/db`).
fn with_password(url: &str, password: &str) -> String {
    let scheme = url.find("://").unwrap() + 3;
    let at = scheme + url[scheme..].find('@').expect("a user in ISP_TEST_POSTGRES_URL");
    assert!(!url[scheme..at].contains(':'), "the test URL has no password yet");
    format!("{}:{password}{}", &url[..at], &url[at..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_are_readable_by_their_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let daily = dir.path().join("daily").join("isp");
    let daily_dir = daily.to_string_lossy().into_owned();
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.backup_dir = daily_dir).await.unwrap();
    customers(&app, &["private1"]).await;

    // `isp-billing backup`, the real binary.
    let to = dir.path().join("manual").join("isp.db");
    std::fs::create_dir(to.parent().unwrap()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_isp-billing"))
        .args(["backup", "--to", to.to_str().unwrap()])
        .env("DATABASE_URL", app.database_url())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(mode(&to), 0o600, "the backup is its owner's alone");
    let left: Vec<_> = std::fs::read_dir(to.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, [std::ffi::OsString::from("isp.db")], "nothing else is left beside it");
    isp_billing::backup::check_sqlite_file(&to).unwrap();

    // The daily backup the server takes soon after start: its directory 0700, the file 0600.
    let started = Instant::now();
    let taken = loop {
        let files: Vec<_> = std::fs::read_dir(&daily)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "db"))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(file) = files.into_iter().next() {
            break file;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no daily backup in {}", daily.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(mode(&daily), 0o700);
    assert_eq!(mode(daily.parent().unwrap()), 0o700, "directories it had to make too");
    assert_eq!(mode(&taken), 0o600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn on_postgres_a_backup_is_a_private_pg_dump_that_restores() {
    let Some(app) = TestApp::spawn(Kind::Postgres).await else { return };
    let cs = customers(&app, &["dumped1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.dump");
    // A password in the URL (the test server trusts local connections, so any password does):
    // it goes to pg_dump through PGPASSWORD (the unit tests check the command line).
    let url = with_password(app.database_url(), "not%20on%20argv");
    let db = isp_billing::db::Db::connect(&url, 1, Arc::new(AtomicU64::new(0))).unwrap();
    if let Err(e) = isp_billing::backup::backup(&db, &url, &file).await {
        let e = format!("{e:#}");
        assert!(e.contains("install postgresql-client"), "the error says to use pg_dump: {e}");
        eprintln!("skipped: pg_dump is not installed here ({e})");
        return;
    }
    // pg_dump's custom format starts with "PGDMP".
    assert!(std::fs::read(&file).unwrap().starts_with(b"PGDMP"));
    assert_eq!(mode(&file), 0o600);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing else is left beside it");

    // Restored into a new, empty database, it serves the same customers; a database with
    // tables is refused.
    let Some(target) = tokio::task::spawn_blocking(|| crate::helpers::TestDb::create(Kind::Postgres)).await.unwrap()
    else {
        return;
    };
    let target_url = with_password(target.url(), "not%20on%20argv");
    let (from, to) = (file.clone(), target_url.clone());
    let restored = tokio::task::spawn_blocking(move || isp_billing::backup::restore(&from, &to)).await.unwrap();
    assert!(!restored.expect("pg_restore").contains("not on argv"));
    let (from, to) = (file.clone(), target_url.clone());
    let again = tokio::task::spawn_blocking(move || isp_billing::backup::restore(&from, &to)).await.unwrap();
    assert!(format!("{:#}", again.unwrap_err()).contains("already holds tables"));
    let served = TestApp::on_database(Kind::Postgres, target.url()).await;
    assert_eq!(check_invariants(&served, &cs[0]).await, check_invariants(&app, &cs[0]).await);
    drop(served);
}
