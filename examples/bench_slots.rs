//! The connection-slot attack against a running server (see bench/slots.sh, which starts the
//! release server and runs this).
//!
//! Five attacker addresses (127.0.0.2 to 127.0.0.6) open 1,100 TCP connections between them,
//! send nothing, and open a new one whenever the server closes one (after a refusal, a 10 ms
//! pause keeps the loop from taking the whole machine). Meanwhile `--concurrency` legitimate
//! clients at 127.0.0.1 each open a fresh connection per request and ask `{ me { username } }`
//! with a token. Prints the share of legitimate requests served (HTTP 200 with data), their
//! latency, and how many connections the attackers held.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::AsyncReadExt;

mod bench_common;
use bench_common::{load_args, percentile_ms, post};

const ATTACKERS: u8 = 5;
const ATTACK_CONNECTIONS: usize = 1100;

#[tokio::main]
async fn main() {
    let args = load_args("http://127.0.0.1:8075", 8);
    let server: SocketAddr = args.url.trim_start_matches("http://").parse().expect("--url http://IP:PORT");
    let client = reqwest::Client::new();
    let login =
        json!({"query": "mutation { login(username: \"admin\", password: \"bench-admin-password\") { token } }"});
    let token = post(&client, &args.url, None, &login).await.expect("login")["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let held = Arc::new(AtomicUsize::new(0));
    let (opened, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    for n in 0..ATTACK_CONNECTIONS {
        let address = IpAddr::from([127, 0, 0, 2 + (n % usize::from(ATTACKERS)) as u8]);
        let (held, opened, refused) = (Arc::clone(&held), Arc::clone(&opened), Arc::clone(&refused));
        tokio::spawn(async move {
            while Instant::now() < deadline {
                let Ok(socket) = tokio::net::TcpSocket::new_v4() else { break };
                if socket.bind(SocketAddr::new(address, 0)).is_err() {
                    break;
                }
                let Ok(mut stream) = socket.connect(server).await else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                opened.fetch_add(1, Ordering::Relaxed);
                held.fetch_add(1, Ordering::Relaxed);
                let mut buf = [0u8; 256];
                let started = Instant::now();
                // Silent until the server closes (a refusal answers 503 at once).
                let left = deadline.saturating_duration_since(Instant::now());
                let answer = tokio::time::timeout(left, stream.read(&mut buf)).await;
                held.fetch_sub(1, Ordering::Relaxed);
                if matches!(answer, Ok(Ok(n)) if n > 0) && started.elapsed() < Duration::from_millis(100) {
                    refused.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        });
    }
    // Let the attack take hold before the legitimate clients come.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let samples = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sampler = {
        let (held, samples) = (Arc::clone(&held), Arc::clone(&samples));
        tokio::spawn(async move {
            while Instant::now() < deadline {
                samples.lock().unwrap().push(held.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let body = json!({"query": "{ me { username } }"});
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (url, token, body) = (args.url.clone(), token.clone(), body.clone());
            tokio::spawn(async move {
                // A fresh connection each time: every request must win a place.
                let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
                let (mut latencies, mut failed) = (Vec::new(), 0u64);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let answer = client.post(format!("{url}/graphql")).bearer_auth(&token).json(&body).send().await;
                    let ok = match answer {
                        Ok(r) if r.status() == 200 => {
                            r.bytes().await.is_ok_and(|b| b.starts_with(b"{\"data\":{\"me\""))
                        }
                        _ => false,
                    };
                    if ok {
                        latencies.push(t.elapsed());
                    } else {
                        failed += 1;
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
                (latencies, failed)
            })
        })
        .collect();
    let (mut latencies, mut failed) = (Vec::new(), 0);
    for worker in workers {
        let (l, f) = worker.await.unwrap();
        latencies.extend(l);
        failed += f;
    }
    sampler.await.unwrap();
    latencies.sort();
    let served = latencies.len() as u64;
    let samples = samples.lock().unwrap().clone();
    let mean_held = samples.iter().sum::<usize>() as f64 / samples.len().max(1) as f64;
    println!(
        "attack: {ATTACKERS} addresses, {ATTACK_CONNECTIONS} silent connections kept open; \
         {} opened in all, {} refused at once; held on average {mean_held:.0}, at most {}",
        opened.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
        samples.iter().max().copied().unwrap_or(0)
    );
    println!(
        "legitimate: {} clients, {} requests, {} served ({:.2} %), {} failed; p50 {:.1} ms, p99 {:.1} ms",
        args.concurrency,
        served + failed,
        served,
        100.0 * served as f64 / (served + failed).max(1) as f64,
        failed,
        percentile_ms(&latencies, 0.50),
        percentile_ms(&latencies, 0.99)
    );
}
