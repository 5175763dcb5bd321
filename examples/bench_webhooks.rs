//! Load test of gateway notifications against a running server (see bench/webhooks.sh, which
//! seeds the demo database, starts the release server with a secrets key and runs this).
//!
//! Adds a Razorpay gateway, then `--concurrency` clients deliver signed `payment.captured`
//! notifications of ₹1.00 for customers of the demo data for `--seconds`, each one twice (as
//! gateways retry). Prints notifications per second, p50/p99/max answer time (Razorpay wants
//! an answer within 5 s), errors, and checks that every notification made exactly one payment.

use std::time::{Duration, Instant};

use isp_billing::gateways::signature::hex_hmac;
use serde_json::{json, Value};

mod bench_common;
use bench_common::{cpu_seconds, load_args, memory, percentile_ms, post, statements};

const SECRET: &str = "bench-webhook-secret";
const COUNT: &str = "query { payments(filter: {method: ONLINE}) { totalCount } }";

#[tokio::main]
async fn main() {
    let args = load_args("http://127.0.0.1:8076", 8);
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build().unwrap();
    let login =
        json!({"query": "mutation { login(username: \"admin\", password: \"bench-admin-password\") { token } }"});
    let token = post(&client, &args.url, None, &login).await.expect("login")["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = json!({"query": "{ companies(first: 1) { nodes { id } } customers(first: 100) { nodes { customerId company { id } } } }"});
    let data = post(&client, &args.url, Some(&token), &q).await.expect("customers")["data"].clone();
    let company = data["companies"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let customers: Vec<String> = data["customers"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["company"]["id"] == company.as_str())
        .map(|c| c["customerId"].as_str().unwrap().to_owned())
        .collect();
    let create = json!({"query": "mutation($i: CreatePaymentGatewayInput!) { createPaymentGateway(input: $i) { webhookUrl } }",
        "variables": {"i": {"companyId": company, "provider": "RAZORPAY", "keyId": "rzp_bench", "webhookSecret": SECRET}}});
    let made = post(&client, &args.url, Some(&token), &create).await.expect("gateway");
    let url =
        made["data"]["createPaymentGateway"]["webhookUrl"].as_str().unwrap_or_else(|| panic!("{made}")).to_owned();
    let count = || async {
        post(&client, &args.url, Some(&token), &json!({"query": COUNT})).await.expect("count")["data"]["payments"]
            ["totalCount"]
            .as_i64()
            .unwrap()
    };
    let recorded_before = count().await;
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();

    let statements_before = statements(&client, &args.url).await;
    let cpu_before = args.server_pid.map(cpu_seconds);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency)
        .map(|w| {
            let (client, url, customers) = (client.clone(), url.clone(), customers.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut sent, mut duplicates, mut i) =
                    (Vec::new(), 0u64, 0i64, 0i64, 0usize);
                while Instant::now() < deadline {
                    let customer = &customers[(w * 997 + i * 31) % customers.len()];
                    let body = json!({"event": "payment.captured", "payload": {"payment": {"entity": {
                        "id": format!("pay_bench{run}_{w}_{i}"), "amount": 100, "currency": "INR", "status": "captured",
                        "method": "card", "notes": {"customer_id": customer}}}}})
                    .to_string();
                    let signature = hex_hmac(SECRET, &[body.as_bytes()]);
                    for attempt in 0..2 {
                        let t = Instant::now();
                        let answer = client
                            .post(&url)
                            .header("x-razorpay-event-id", format!("evt_bench{run}_{w}_{i}"))
                            .header("x-razorpay-signature", &signature)
                            .body(body.clone())
                            .send()
                            .await;
                        match answer {
                            Ok(r) if r.status().is_success() => {
                                latencies.push(t.elapsed());
                                let status = r.json::<Value>().await.map(|v| v["status"].clone()).unwrap_or_default();
                                if attempt == 1 && status == "DUPLICATE" {
                                    duplicates += 1;
                                }
                            }
                            other => {
                                errors += 1;
                                if errors == 1 {
                                    eprintln!("error: {other:?}");
                                }
                            }
                        }
                    }
                    sent += 1;
                    i += 1;
                }
                (latencies, errors, sent, duplicates)
            })
        })
        .collect();
    let (mut latencies, mut errors, mut sent, mut duplicates) = (Vec::new(), 0, 0, 0);
    for worker in workers {
        let (l, e, s, d) = worker.await.unwrap();
        latencies.extend(l);
        errors += e;
        sent += s;
        duplicates += d;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let statements_after = statements(&client, &args.url).await;
    let cpu = args.server_pid.map(cpu_seconds).zip(cpu_before).map(|(a, b)| a - b);
    latencies.sort_unstable();
    let n = latencies.len();
    let recorded = count().await - recorded_before;
    println!(
        "deliveries: {n} in {elapsed:.1} s = {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, errors {errors}, \
         {:.1} SQL statements/delivery, server CPU {} ms/delivery, server {}",
        n as f64 / elapsed,
        percentile_ms(&latencies, 0.50),
        percentile_ms(&latencies, 0.99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        (statements_after - statements_before) as f64 / (n as u64 + errors).max(1) as f64,
        cpu.map_or_else(|| "?".to_owned(), |c| format!("{:.2}", c * 1000.0 / n.max(1) as f64)),
        args.server_pid.map_or_else(|| "memory: pass --server-pid".to_owned(), memory),
    );
    let exact = recorded == sent && duplicates == sent;
    println!(
        "recorded: {recorded} payments for {sent} notifications, {duplicates} second deliveries answered DUPLICATE ({})",
        if exact { "exact" } else { "MISMATCH" }
    );
    if !exact || errors > 0 {
        std::process::exit(1);
    }
}
