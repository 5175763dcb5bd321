//! The servers and HAProxy: starting them, their health, the jobs they run, HAProxy's figures.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::ADMIN_PASSWORD;

pub const SECRETS_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// How a server is started.
#[derive(Clone)]
pub struct Launch {
    pub bin: PathBuf,
    pub database_url: String,
    /// The servers' and HAProxy's logs and HAProxy's configuration go here.
    pub workdir: PathBuf,
}

/// A child process killed when dropped (the load generator must not leave servers behind).
pub struct Process(Child);

impl Process {
    /// SIGKILL, and waits for it to be gone.
    pub fn kill(&mut self) {
        self.0.kill().expect("SIGKILL");
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server on `port`, its output appended to `server-<port>.log` in the workdir.
pub fn spawn_server(launch: &Launch, port: u16) -> Process {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(launch.workdir.join(format!("server-{port}.log")))
        .expect("server log");
    let child = Command::new(&launch.bin)
        .arg("serve")
        .env("DATABASE_URL", &launch.database_url)
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("ISP_TRUSTED_PROXIES", "127.0.0.1")
        .env("ISP_BILLING_CYCLE", "false")
        .env("ISP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("ISP_SECRETS_KEY", std::env::var("ISP_SECRETS_KEY").unwrap_or_else(|_| SECRETS_KEY.into()))
        .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start the server (--bin)");
    Process(child)
}

/// Waits until `url` answers 200, for at most `within`.
pub async fn healthy(client: &reqwest::Client, url: &str, within: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if client.get(url).send().await.is_ok_and(|r| r.status() == 200) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// `deploy/haproxy.cfg` on plain HTTP at `port` (no certificate, no redirect to HTTPS, no
/// syslog), with `servers` in place of its two example servers (as tests/api/cluster.rs does),
/// and HAProxy's statistics at `stats` (`/stats;csv`: requests, retries per server).
fn haproxy_config(port: u16, servers: &[u16], stats: u16) -> String {
    let example = include_str!("../../deploy/haproxy.cfg");
    let mut lines = Vec::new();
    let mut placed = false;
    for line in example.lines() {
        if line.contains("ssl crt") || line.contains("redirect scheme") || line.contains("log /dev/log") {
            continue;
        }
        match line.trim() {
            "bind :80" => lines.push(format!("    bind 127.0.0.1:{port}")),
            t if t.starts_with("server ") => {
                if !placed {
                    placed = true;
                    for (n, p) in servers.iter().enumerate() {
                        lines.push(format!("    server billing{} 127.0.0.1:{p}", n + 1));
                    }
                }
            }
            _ => lines.push(line.to_owned()),
        }
    }
    assert!(placed, "deploy/haproxy.cfg names no server");
    lines.extend(["".into(), "listen stats".into(), format!("    bind 127.0.0.1:{stats}"), "    stats enable".into()]);
    lines.push("    stats uri /stats".into());
    lines.join("\n") + "\n"
}

/// The background jobs the server on `port` runs now (its `isp_jobs_held` gauges); empty when
/// it does not answer.
pub async fn held_jobs(client: &reqwest::Client, port: u16) -> Vec<String> {
    let Ok(r) = client.get(format!("http://127.0.0.1:{port}/metrics")).send().await else { return Vec::new() };
    let metrics = r.text().await.unwrap_or_default();
    metrics
        .lines()
        .filter_map(|l| l.strip_prefix("isp_jobs_held{job=\"")?.strip_suffix("\"} 1"))
        .map(str::to_owned)
        .collect()
}

/// Which server runs each job: ":8091 reminders, events-prune; :8092 none; ...".
pub async fn jobs_by_server(client: &reqwest::Client, ports: &[u16]) -> String {
    let mut by = Vec::new();
    for &port in ports {
        let jobs = held_jobs(client, port).await;
        by.push(format!(":{port} {}", if jobs.is_empty() { "none".to_owned() } else { jobs.join(", ") }));
    }
    by.join("; ")
}

/// Waits (until 40 s after `killed`: a lease of 20 s and a third) until another server runs
/// each of `jobs` the killed server ran; a PASS/FAIL line, and whether it passed.
pub async fn taken_over(client: &reqwest::Client, ports: &[u16], jobs: &[String], killed: Instant) -> bool {
    loop {
        let mut held = HashSet::new();
        for &port in ports {
            held.extend(held_jobs(client, port).await);
        }
        let done = jobs.iter().all(|j| held.contains(j));
        if done || killed.elapsed() > Duration::from_secs(40) {
            println!(
                "{} jobs: the killed server's jobs ({}) run again {:.0} s after the kill: {}",
                if done { "PASS" } else { "FAIL" },
                jobs.join(", "),
                killed.elapsed().as_secs_f64(),
                jobs_by_server(client, ports).await
            );
            return done;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Starts HAProxy (in the foreground, `-db`) on `port` in front of `servers`, with its
/// configuration (checked first with `-c`) and log in `workdir`; statistics on `port + 10`.
pub fn start_haproxy(workdir: &Path, port: u16, servers: &[u16]) -> Process {
    let config = workdir.join("haproxy.cfg");
    std::fs::write(&config, haproxy_config(port, servers, port + 10)).unwrap();
    let checked =
        Command::new("haproxy").arg("-c").arg("-f").arg(&config).output().expect("haproxy (apt-get install haproxy)");
    assert!(checked.status.success(), "haproxy -c: {}", String::from_utf8_lossy(&checked.stderr));
    let log = std::fs::File::create(workdir.join("haproxy.log")).unwrap();
    let child = Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&config)
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start haproxy");
    Process(child)
}

/// Per server of the backend, from HAProxy's statistics: requests sent to it, the connections
/// and requests HAProxy tried again (on another server when redispatched), 5xx answers.
pub async fn haproxy_stats(client: &reqwest::Client, port: u16) {
    let Ok(r) = client.get(format!("http://127.0.0.1:{port}/stats;csv")).send().await else { return };
    let csv = r.text().await.unwrap_or_default();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().trim_start_matches("# ").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name);
    let (Some(px), Some(sv), Some(req), Some(retr), Some(redis), Some(x5), Some(status)) = (
        column("pxname"),
        column("svname"),
        column("stot"),
        column("wretr"),
        column("wredis"),
        column("hrsp_5xx"),
        column("status"),
    ) else {
        return;
    };
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.get(px) == Some(&"isp_billing") && f.len() > status {
            println!(
                "  haproxy {:<8} {:>7} sessions, {} retries, {} redispatched, {} 5xx answers, now {}",
                f[sv], f[req], f[retr], f[redis], f[x5], f[status]
            );
        }
    }
}
