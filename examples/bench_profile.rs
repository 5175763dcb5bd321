//! Load test of the one-query customer profile against a running server (see bench/profile.sh,
//! which seeds the demo database, starts the release server and runs this).
//!
//! For each page size it sends the nested profile query from `--concurrency` clients for
//! `--seconds`, then prints requests per second, p50/p99 latency, errors, SQL statements per
//! request (from `/metrics`) and the server's memory (from `/proc/<pid>/status`).

use std::time::{Duration, Instant};

use serde_json::json;

mod bench_common;
use bench_common::{cpu_seconds, memory, percentile_ms, post, post_raw, postgres_cpu_seconds, statements};

const PROFILE: &str = "query($first: Int!, $after: String) { customers(first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { customerId fullName mobile status endDate
        plan { name price } locality { name pincode } company { name gstRate } assignedEmployee { fullName }
        invoices(first: 3) { invoiceNumber invoiceDate totalAmount paidAmount balanceAmount status
            payments { paymentId amount paymentMethod status paidAt } } } } }";

struct Args {
    url: String,
    pages: Vec<i32>,
    concurrency: usize,
    seconds: u64,
    server_pid: Option<u32>,
    username: String,
    password: String,
}

fn args() -> Args {
    let mut args = Args {
        url: "http://127.0.0.1:8077".into(),
        pages: vec![20, 100],
        concurrency: 16,
        seconds: 10,
        server_pid: None,
        username: "manager".into(),
        password: "demo-password".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value,
            "--pages" => args.pages = value.split(',').map(|p| p.trim().parse().expect("page size")).collect(),
            "--concurrency" => args.concurrency = value.parse().expect("concurrency"),
            "--seconds" => args.seconds = value.parse().expect("seconds"),
            "--server-pid" => args.server_pid = Some(value.parse().expect("pid")),
            "--username" => args.username = value,
            "--password" => args.password = value,
            other => panic!("unknown flag {other}"),
        }
    }
    args
}

#[tokio::main]
async fn main() {
    let args = args();
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build().unwrap();
    let login = json!({"query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
                       "variables": {"u": args.username, "p": args.password}});
    let token = post(&client, &args.url, None, &login).await.expect("login")["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    for &page in &args.pages {
        // Cursors of the first 50 pages, so clients spread over the customer list.
        let mut cursors: Vec<Option<String>> = vec![None];
        while cursors.len() < 50 {
            let body = json!({"query": PROFILE, "variables": {"first": page, "after": cursors.last().unwrap()}});
            let data = post(&client, &args.url, Some(&token), &body).await.expect("page");
            let info = &data["data"]["customers"]["pageInfo"];
            if info["hasNextPage"] != true {
                break;
            }
            cursors.push(info["endCursor"].as_str().map(str::to_owned));
        }
        let before = statements(&client, &args.url).await;
        let cpu_before = args.server_pid.map(cpu_seconds);
        let pg_before = postgres_cpu_seconds();
        let deadline = Instant::now() + Duration::from_secs(args.seconds);
        let started = Instant::now();
        let workers = (0..args.concurrency).map(|w| {
            let (client, url, token, cursors) = (client.clone(), args.url.clone(), token.clone(), cursors.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut i) = (Vec::new(), 0u64, w);
                while Instant::now() < deadline {
                    let body =
                        json!({"query": PROFILE, "variables": {"first": page, "after": cursors[i % cursors.len()]}});
                    let t = Instant::now();
                    match post_raw(&client, &url, &token, &body).await {
                        Ok(()) => latencies.push(t.elapsed()),
                        Err(e) => {
                            errors += 1;
                            if errors == 1 {
                                eprintln!("error: {e}");
                            }
                        }
                    }
                    i += 7;
                }
                (latencies, errors)
            })
        });
        let workers: Vec<_> = workers.collect(); // spawn them all before waiting on any
        let mut latencies = Vec::new();
        let mut errors = 0;
        for worker in workers {
            let (l, e) = worker.await.unwrap();
            latencies.extend(l);
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let after = statements(&client, &args.url).await;
        let cpu = args.server_pid.map(cpu_seconds).zip(cpu_before).map(|(a, b)| a - b);
        let pg = postgres_cpu_seconds() - pg_before;
        latencies.sort_unstable();
        let n = latencies.len() as u64;
        println!(
            "page {page:>3}: {n} requests in {elapsed:.1} s = {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, errors {errors}, \
             {:.1} SQL statements/request, CPU ms/request: server {} + PostgreSQL {:.2}, server {}",
            n as f64 / elapsed,
            percentile_ms(&latencies, 0.50),
            percentile_ms(&latencies, 0.99),
            (after - before) as f64 / (n + errors).max(1) as f64,
            cpu.map_or_else(|| "?".to_owned(), |c| format!("{:.2}", c * 1000.0 / n.max(1) as f64)),
            pg * 1000.0 / n.max(1) as f64,
            args.server_pid.map_or_else(|| "memory: pass --server-pid".to_owned(), memory),
        );
    }
}
