//! Load test of `createPayment` against a running server (see bench/payments.sh, which seeds the
//! demo database, starts the release server and runs this).
//!
//! `--concurrency` clients record UPI payments of ₹1.00 for customers of the demo data (each
//! payment goes to the customer's oldest open invoice, or becomes advance) for `--seconds`,
//! each under its own reference. Prints payments per second, p50/p99 latency, errors, SQL
//! statements and server CPU per payment, memory, and checks that exactly the payments that
//! succeeded were recorded.

use std::time::{Duration, Instant};

use serde_json::json;

mod bench_common;
use bench_common::{cpu_seconds, load_args, memory, percentile_ms, post, post_raw, postgres_cpu_seconds, statements};

const PAY: &str = "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { paymentId status } }";
const COUNT: &str = "query { payments(filter: {method: PHONEPE}) { totalCount } }";

#[tokio::main]
async fn main() {
    let args = load_args("http://127.0.0.1:8078", 16);
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build().unwrap();
    let login = json!({"query": "mutation { login(username: \"manager\", password: \"demo-password\") { token } }"});
    let token = post(&client, &args.url, None, &login).await.expect("login")["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut customers = Vec::new();
    let mut after = serde_json::Value::Null;
    while customers.len() < 2000 {
        let q = json!({"query": "query($a: String) { customers(first: 100, after: $a) { nodes { id } pageInfo { endCursor hasNextPage } } }",
                       "variables": {"a": after}});
        let page = post(&client, &args.url, Some(&token), &q).await.expect("customers")["data"]["customers"].clone();
        customers.extend(page["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let count = |c: reqwest::Client, url: String, token: String| async move {
        post(&c, &url, Some(&token), &json!({"query": COUNT})).await.expect("count")["data"]["payments"]["totalCount"]
            .as_i64()
            .unwrap()
    };
    let recorded_before = count(client.clone(), args.url.clone(), token.clone()).await;
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();

    let before = statements(&client, &args.url).await;
    let cpu_before = args.server_pid.map(cpu_seconds);
    let pg_before = postgres_cpu_seconds();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency)
        .map(|w| {
            let (client, url, token, customers) = (client.clone(), args.url.clone(), token.clone(), customers.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut i) = (Vec::new(), 0u64, 0usize);
                while Instant::now() < deadline {
                    let customer = &customers[(w * 997 + i * 31) % customers.len()];
                    let body = json!({"query": PAY, "variables": {"i": {"customerId": customer, "amount": "1.00",
                        "paymentMethod": "PHONEPE", "paymentReference": format!("BENCH{run}-{w}-{i}")}}});
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
                    i += 1;
                }
                (latencies, errors)
            })
        })
        .collect();
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
    let recorded = count(client.clone(), args.url.clone(), token.clone()).await - recorded_before;
    println!(
        "payments: {n} in {elapsed:.1} s = {:.0} payments/s, p50 {:.1} ms, p99 {:.1} ms, errors {errors}, \
         {:.1} SQL statements/payment, CPU ms/payment: server {} + PostgreSQL {:.2}, server {}",
        n as f64 / elapsed,
        percentile_ms(&latencies, 0.50),
        percentile_ms(&latencies, 0.99),
        (after - before) as f64 / (n + errors).max(1) as f64,
        cpu.map_or_else(|| "?".to_owned(), |c| format!("{:.2}", c * 1000.0 / n.max(1) as f64)),
        pg * 1000.0 / n.max(1) as f64,
        args.server_pid.map_or_else(|| "memory: pass --server-pid".to_owned(), memory),
    );
    println!(
        "recorded: {recorded} new payments for {n} successful requests ({})",
        if recorded == n as i64 { "exact" } else { "MISMATCH" }
    );
    if recorded != n as i64 || errors > 0 {
        std::process::exit(1);
    }
}
