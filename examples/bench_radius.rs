//! Load test of the FreeRADIUS endpoints against a running server (see bench/radius.sh, which
//! seeds the demo database, starts the release server with the RADIUS login set and runs this).
//!
//! Gives every demo customer network credentials (`setNetworkCredentials`), then calls
//! `/radius/authorize` and `/radius/accounting` as rlm_rest does (JSON bodies, HTTP Basic,
//! keep-alive connections, `--concurrency` at once):
//! 1. authorize as fast as the server answers (the most it takes);
//! 2. authorize at a fixed rate (`--rate` per second in all), p50/p99 at that rate;
//! 3. accounting: a Start per session, then interim updates at `--rate` per second; then every
//!    session's stored byte counters must equal the last update sent ("nothing lost").

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

mod bench_common;
use bench_common::{cpu_seconds, memory, percentile_ms, post, postgres_cpu_seconds, statements};

const RADIUS_USER: &str = "bench-radius";
const RADIUS_PASSWORD: &str = "bench-radius-password";

struct Args {
    url: String,
    concurrency: usize,
    seconds: u64,
    rate: u64,
    server_pid: Option<u32>,
}

fn args() -> Args {
    let mut args =
        Args { url: "http://127.0.0.1:8081".into(), concurrency: 16, seconds: 10, rate: 2000, server_pid: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value,
            "--concurrency" => args.concurrency = value.parse().expect("concurrency"),
            "--seconds" => args.seconds = value.parse().expect("seconds"),
            "--rate" => args.rate = value.parse().expect("rate"),
            "--server-pid" => args.server_pid = Some(value.parse().expect("pid")),
            other => panic!("unknown flag {other}"),
        }
    }
    args
}

/// An rlm_rest body: each attribute as `{"type": "string", "value": [..]}`.
fn rlm_rest(pairs: &[(&str, String)]) -> Vec<u8> {
    let mut body = Map::new();
    for (name, value) in pairs {
        body.insert((*name).to_owned(), json!({"type": "string", "value": [value]}));
    }
    serde_json::to_vec(&Value::Object(body)).unwrap()
}

/// What one phase measured.
struct Phase {
    latencies: Vec<Duration>,
    errors: u64,
    elapsed: f64,
    /// Requests each worker sent (answered or not).
    sent: Vec<usize>,
}

/// Sends `body(worker, i)` to `/radius/{section}` from `concurrency` workers for `seconds`,
/// each at `rate / concurrency` per second when `rate` is set (else as fast as answered);
/// `ok` are the statuses that count as answered (authorize rejects the demo's deactivated and
/// terminated customers with 401: an answer, not an error).
async fn load(
    client: &reqwest::Client,
    args: &Args,
    section: &str,
    rate: Option<u64>,
    ok: &'static [u16],
    body: Arc<dyn Fn(usize, usize) -> Vec<u8> + Send + Sync>,
) -> Phase {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let url = format!("{}/radius/{section}", args.url);
    let concurrency = args.concurrency;
    let workers: Vec<_> = (0..args.concurrency)
        .map(|w| {
            let (client, url, body, section) = (client.clone(), url.clone(), Arc::clone(&body), section.to_owned());
            let gap = rate.map(|r| Duration::from_secs_f64(args.concurrency as f64 / r as f64));
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut i) = (Vec::new(), 0u64, 0usize);
                // Paced workers start spread over one gap, so the requests are evenly spaced.
                let mut next =
                    Instant::now() + gap.map_or(Duration::ZERO, |g| g.mul_f64(w as f64 / concurrency as f64));
                while Instant::now() < deadline {
                    if let Some(gap) = gap {
                        tokio::time::sleep_until(next.into()).await;
                        next += gap;
                    }
                    let payload = body(w, i);
                    // Latency counts from when the request was due, so a server that falls
                    // behind shows it (no coordinated omission).
                    let due = gap.map_or_else(Instant::now, |gap| next - gap);
                    let answer = client
                        .post(&url)
                        .basic_auth(RADIUS_USER, Some(RADIUS_PASSWORD))
                        .header("content-type", "application/json")
                        .body(payload)
                        .send()
                        .await;
                    match answer {
                        Ok(r) if ok.contains(&r.status().as_u16()) => {
                            let _ = r.bytes().await;
                            latencies.push(due.elapsed());
                        }
                        Ok(r) => {
                            errors += 1;
                            if errors == 1 {
                                eprintln!("{section}: status {}", r.status());
                            }
                        }
                        Err(e) => {
                            errors += 1;
                            if errors == 1 {
                                eprintln!("{section}: {e}");
                            }
                        }
                    }
                    i += 1;
                }
                (latencies, errors, i)
            })
        })
        .collect();
    let mut phase = Phase { latencies: Vec::new(), errors: 0, elapsed: 0.0, sent: Vec::new() };
    for worker in workers {
        let (l, e, sent) = worker.await.unwrap();
        phase.latencies.extend(l);
        phase.errors += e;
        phase.sent.push(sent);
    }
    phase.elapsed = started.elapsed().as_secs_f64();
    phase.latencies.sort_unstable();
    phase
}

fn report(name: &str, phase: &Phase, statements: u64, cpu: Option<f64>, pg: f64) {
    let n = phase.latencies.len() as u64;
    println!(
        "{name}: {n} in {:.1} s = {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, errors {}, {:.2} SQL statements each, \
         CPU ms each: server {} + PostgreSQL {:.3}",
        phase.elapsed,
        n as f64 / phase.elapsed,
        percentile_ms(&phase.latencies, 0.50),
        percentile_ms(&phase.latencies, 0.99),
        phase.errors,
        statements as f64 / (n + phase.errors).max(1) as f64,
        cpu.map_or_else(|| "?".to_owned(), |c| format!("{:.3}", c * 1000.0 / n.max(1) as f64)),
        pg * 1000.0 / n.max(1) as f64,
    );
}

#[tokio::main]
async fn main() {
    let args = args();
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency * 2).build().unwrap();
    let login =
        json!({"query": "mutation { login(username: \"admin\", password: \"bench-admin-password\") { token } }"});
    let token = post(&client, &args.url, None, &login).await.expect("login")["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Every customer gets credentials: username u<customer number>.
    let mut customers = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let q = json!({"query": "query($a: String) { customers(first: 100, after: $a) { nodes { id customerId }
            pageInfo { hasNextPage endCursor } } }", "variables": {"a": after}});
        let data = post(&client, &args.url, Some(&token), &q).await.expect("customers")["data"]["customers"].clone();
        for c in data["nodes"].as_array().unwrap() {
            customers.push((c["id"].as_str().unwrap().to_owned(), c["customerId"].as_str().unwrap().to_owned()));
        }
        if data["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = data["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let t = Instant::now();
    let users: Arc<Vec<String>> = Arc::new(customers.iter().map(|(_, number)| format!("u{number}")).collect());
    let chunks: Vec<Vec<(String, String)>> =
        customers.chunks(customers.len().div_ceil(args.concurrency).max(1)).map(|c| c.to_vec()).collect();
    let setters: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let (client, url, token) = (client.clone(), args.url.clone(), token.clone());
            tokio::spawn(async move {
                for (id, number) in chunk {
                    let m = json!({"query": "mutation($c: ID!, $i: NetworkCredentialsInput!) {
                        setNetworkCredentials(customerId: $c, input: $i) { username } }",
                        "variables": {"c": id, "i": {"username": format!("u{number}"), "password": "pppoe-pass"}}});
                    post(&client, &url, Some(&token), &m).await.expect("setNetworkCredentials");
                }
            })
        })
        .collect();
    for s in setters {
        s.await.unwrap();
    }
    println!("credentials: {} customers in {:.1} s", users.len(), t.elapsed().as_secs_f64());

    let authorize: Arc<dyn Fn(usize, usize) -> Vec<u8> + Send + Sync> = {
        let users = Arc::clone(&users);
        Arc::new(move |w, i| {
            let user = &users[(w * 7919 + i * 31) % users.len()];
            rlm_rest(&[("User-Name", user.clone()), ("NAS-IP-Address", "10.20.0.1".into())])
        })
    };
    for (name, rate) in [("authorize, as fast as answered", None), ("authorize, paced", Some(args.rate))] {
        let (before, cpu_before, pg_before) =
            (statements(&client, &args.url).await, args.server_pid.map(cpu_seconds), postgres_cpu_seconds());
        let phase = load(&client, &args, "authorize", rate, &[200, 401], Arc::clone(&authorize)).await;
        let cpu = args.server_pid.map(cpu_seconds).zip(cpu_before).map(|(a, b)| a - b);
        let name = rate.map_or(name.to_owned(), |r| format!("{name} at {r}/s"));
        report(&name, &phase, statements(&client, &args.url).await - before, cpu, postgres_cpu_seconds() - pg_before);
    }

    // Accounting: one session per customer (up to 2,000), opened, then interim updates paced;
    // each update carries the session's running byte count (its update number).
    let sessions = users.len().min(2000);
    assert!(sessions >= args.concurrency, "fewer customers than clients");
    let record = move |users: &[String], s: usize, kind: &str, n: usize| {
        rlm_rest(&[
            ("Acct-Status-Type", kind.to_owned()),
            ("User-Name", users[s].clone()),
            ("NAS-IP-Address", "10.20.0.1".into()),
            ("Acct-Session-Id", format!("bench{s:06}")),
            ("Framed-IP-Address", format!("100.64.{}.{}", s / 250, s % 250 + 1)),
            ("Acct-Session-Time", (n * 60).to_string()),
            ("Acct-Input-Octets", (n * 1000).to_string()),
            ("Acct-Output-Octets", (n * 1000).to_string()),
        ])
    };
    for s in 0..sessions {
        let answer = client
            .post(format!("{}/radius/accounting", args.url))
            .basic_auth(RADIUS_USER, Some(RADIUS_PASSWORD))
            .header("content-type", "application/json")
            .body(record(&users, s, "Start", 0))
            .send()
            .await
            .expect("Start");
        assert_eq!(answer.status().as_u16(), 204, "Start of session {s}");
    }
    // Worker w updates sessions w, w + concurrency, ... in turn: update number i of worker w
    // goes to session w + (i % per_worker) * concurrency, as its (i / per_worker + 1)-th update.
    let concurrency = args.concurrency;
    let per_worker = sessions / concurrency;
    let interim: Arc<dyn Fn(usize, usize) -> Vec<u8> + Send + Sync> = {
        let users = Arc::clone(&users);
        Arc::new(move |w, i| record(&users, w + (i % per_worker) * concurrency, "Interim-Update", i / per_worker + 1))
    };
    let (before, cpu_before, pg_before) =
        (statements(&client, &args.url).await, args.server_pid.map(cpu_seconds), postgres_cpu_seconds());
    let phase = load(&client, &args, "accounting", Some(args.rate), &[204], interim).await;
    let cpu = args.server_pid.map(cpu_seconds).zip(cpu_before).map(|(a, b)| a - b);
    report(
        &format!("accounting interim updates at {}/s", args.rate),
        &phase,
        statements(&client, &args.url).await - before,
        cpu,
        postgres_cpu_seconds() - pg_before,
    );

    // Nothing lost: every session's stored counter is that of the last update it was sent.
    let mut expected = vec![0u64; sessions];
    for (w, &sent) in phase.sent.iter().enumerate() {
        for j in 0..per_worker.min(sent) {
            let last = j + per_worker * ((sent - 1 - j) / per_worker);
            expected[w + j * concurrency] = (last / per_worker + 1) as u64 * 1000;
        }
    }
    let mut stored = std::collections::HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let q = json!({"query": "query($a: String) { onlineSessions(first: 100, after: $a) { nodes { sessionId uploadBytes }
            pageInfo { hasNextPage endCursor } } }", "variables": {"a": after}});
        let data =
            post(&client, &args.url, Some(&token), &q).await.expect("onlineSessions")["data"]["onlineSessions"].clone();
        for n in data["nodes"].as_array().unwrap() {
            let bytes = &n["uploadBytes"];
            let bytes = bytes.as_u64().or_else(|| bytes.as_str().and_then(|b| b.parse().ok())).expect("uploadBytes");
            stored.insert(n["sessionId"].as_str().unwrap().to_owned(), bytes);
        }
        if data["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = data["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let wrong = (0..sessions).filter(|s| stored.get(&format!("bench{s:06}")) != Some(&expected[*s])).count();
    println!(
        "nothing lost: {} ({} sessions online of {sessions} started; {wrong} with a stored byte count other than \
         the last update sent; {} errors)",
        if wrong == 0 && phase.errors == 0 && stored.len() == sessions { "yes" } else { "NO" },
        stored.len(),
        phase.errors
    );
    if let Some(pid) = args.server_pid {
        println!("server {}", memory(pid));
    }
}
