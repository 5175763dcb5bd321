//! The real binary: `serve` on a fresh directory, the first admin's logged password, SIGTERM,
//! and `migrate`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `text` without ANSI colour codes.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test]
async fn serve_on_a_fresh_directory_then_stop_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("ISP_ADMIN_PASSWORD")
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary");
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        // 503 while starting (migrations), then 200.
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await {
            if r.status() == 200 {
                break;
            }
            assert_eq!(r.status(), 503, "not ready yet: 503");
        }
        assert!(started.elapsed() < Duration::from_secs(30), "server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(dir.path().join("ispbilling.db").exists(), "serve creates ispbilling.db in the working directory");

    // Stop it, then read what it logged: the random admin password, once.
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
    let mut log = String::new();
    child.stdout.take().unwrap().read_to_string(&mut log).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    let log = plain(&log);
    assert!(log.contains("shutting down"), "{log}");
    let password = log
        .lines()
        .find_map(|l| l.split("password=").nth(1))
        .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("the random admin password is logged: {log}"));
    assert!(password.len() >= 16);

    // A second start on the same directory makes no new admin, and the password works.
    let port = free_port();
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let login = json!({"query": "mutation($p: String!) { login(username: \"admin\", password: $p) { viewer { role } } }", "variables": {"p": password}});
    let started = Instant::now();
    let body: Value = loop {
        // (503 while it starts)
        match client.post(format!("http://127.0.0.1:{port}/graphql")).json(&login).send().await {
            Ok(r) if r.status() != 503 => break r.json().await.unwrap(),
            _ => {}
        }
        assert!(started.elapsed() < Duration::from_secs(30), "server did not come up again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    child.kill().unwrap();
    let mut second_log = String::new();
    child.stdout.take().unwrap().read_to_string(&mut second_log).unwrap();
    let _ = child.wait();
    assert_eq!(body["data"]["login"]["viewer"]["role"], "ADMIN", "{body}");
    assert!(!plain(&second_log).contains("password="), "the password is shown only on the first start");
}

#[test]
fn migrate_applies_once_and_reverts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let run = |args: &[&str]| {
        let out = Command::new(BIN).args(args).env("DATABASE_URL", &db).env("NO_COLOR", "1").output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(&["migrate"]).contains("applied"));
    assert!(run(&["migrate"]).contains("nothing to do"));
    assert!(run(&["migrate", "--revert-last"]).contains("reverted"));
    assert!(run(&["migrate"]).contains("applied"));
    let bad =
        Command::new(BIN).args(["migrate"]).env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none").output().unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("connect"), "the real connection error is shown: {stderr}");
}

#[test]
fn a_busy_port_is_named_with_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("ISP_BIND", address.to_string())
        .env("ISP_ADMIN_PASSWORD", "busy-port-password")
        .env("RUST_BACKTRACE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&address.to_string()) && stderr.contains("--bind") && stderr.contains("ISP_BIND"),
        "{stderr}"
    );
    assert!(!stderr.contains("backtrace"), "no backtrace: {stderr}");
}
