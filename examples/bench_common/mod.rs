//! What the load generators share: posting GraphQL, reading `/metrics` and the server's CPU and
//! memory from `/proc`, and printing latency figures.

// Each example compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;

/// The flags of a timed load: `--url`, `--concurrency`, `--seconds`, `--server-pid`.
pub struct LoadArgs {
    pub url: String,
    pub concurrency: usize,
    pub seconds: u64,
    pub server_pid: Option<u32>,
}

/// Reads [`LoadArgs`] from the command line, starting from these defaults.
pub fn load_args(url: &str, concurrency: usize) -> LoadArgs {
    let mut args = LoadArgs { url: url.into(), concurrency, seconds: 10, server_pid: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value,
            "--concurrency" => args.concurrency = value.parse().expect("concurrency"),
            "--seconds" => args.seconds = value.parse().expect("seconds"),
            "--server-pid" => args.server_pid = Some(value.parse().expect("pid")),
            other => panic!("unknown flag {other}"),
        }
    }
    args
}

pub async fn post(client: &reqwest::Client, url: &str, token: Option<&str>, body: &Value) -> Result<Value, String> {
    let mut request = client.post(format!("{url}/graphql")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let value: Value = response.json().await.map_err(|e| e.to_string())?;
    match value.get("errors") {
        Some(errors) => Err(errors.to_string()),
        None => Ok(value),
    }
}

/// Sends a request and checks the answer without parsing it (the load generator shares the
/// machine with the server, so it spends as little CPU as it can).
pub async fn post_raw(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> Result<(), String> {
    let response = client.post(format!("{url}/graphql")).bearer_auth(token).json(body).send().await;
    let bytes = response.map_err(|e| e.to_string())?.bytes().await.map_err(|e| e.to_string())?;
    if bytes.starts_with(b"{\"data\":{") && !bytes.windows(10).any(|w| w == b"\"errors\":[") {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned())
    }
}

pub async fn statements(client: &reqwest::Client, url: &str) -> u64 {
    let text = client.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("isp_db_statements_total ").and_then(|v| v.trim().parse().ok()))
        .expect("isp_db_statements_total")
}

/// CPU seconds (user + system) the process has used so far.
pub fn cpu_seconds(pid: u32) -> f64 {
    let ticks = stat_ticks(pid);
    (ticks(11) + ticks(12)) / 100.0
}

/// The numeric fields of `/proc/<pid>/stat` after the command name, by index from 0 (field 3).
fn stat_ticks(pid: u32) -> impl Fn(usize) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are 14 and 15,
    // cutime and cstime (children waited for) 16 and 17.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after.split_whitespace().map(|f| f.parse::<f64>().unwrap_or(0.0)).collect();
    move |i| fields.get(i).copied().unwrap_or(0.0)
}

/// CPU seconds used so far by every PostgreSQL process on this machine (the backends serving
/// the server, those that ended, and PostgreSQL's own workers): the database's share of a request's cost when
/// PostgreSQL runs here. 0 when there is none (SQLite).
pub fn postgres_cpu_seconds() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(|pid| {
            // With the children waited for: a backend that ended (its client closed the
            // connection) still counts, in the postmaster's cutime and cstime.
            let ticks = stat_ticks(pid);
            (ticks(11) + ticks(12) + ticks(13) + ticks(14)) / 100.0
        })
        .sum()
}

pub fn memory(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).unwrap_or_else(|| "?".into())
    };
    format!("RSS {} (peak {})", field("VmRSS:"), field("VmHWM:"))
}

/// The latency at quantile `p` (0..1) of sorted `latencies`, in milliseconds.
pub fn percentile_ms(latencies: &[Duration], p: f64) -> f64 {
    if latencies.is_empty() {
        return 0.0;
    }
    latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1000.0
}
