//! From a gateway's webhook to the NAS (see bench/pay_webhook.sh, which starts the server on an
//! empty database with a secrets key and the `/radius` endpoints on, and runs this).
//!
//! Sets up a company (grace 3 days, a Razorpay gateway), a NAS device whose Disconnect port is
//! a UDP listener of this program, and `--customers` customers with a network login and an
//! invoice three days overdue; runs the billing cycle (which suspends them all) and opens a
//! walled-garden session for each through `/radius/accounting`. Then `--concurrency` clients
//! deliver a signed `payment.captured` notification paying each customer's balance, and the
//! listener notes when each customer's Disconnect-Request arrives (answering it with an ACK).
//! Prints p50/p99/max of the time from sending the webhook to the Disconnect-Request arriving
//! (on loopback: from the webhook's arrival to the request leaving, plus microseconds), and
//! checks every customer was reactivated and disconnected once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use isp_billing::gateways::signature::hex_hmac;
use md5::{Digest, Md5};
use serde_json::{json, Value};

mod bench_common;
use bench_common::{percentile_ms, post};

const GATEWAY_SECRET: &str = "bench-webhook-secret";
const NAS_SECRET: &str = "bench-nas-secret";
const RADIUS_USER: &str = "freeradius";
const RADIUS_PASSWORD: &str = "bench-radius-password";

struct Args {
    url: String,
    customers: usize,
    concurrency: usize,
}

fn args() -> Args {
    let mut args = Args { url: "http://127.0.0.1:8077".into(), customers: 200, concurrency: 4 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value,
            "--customers" => args.customers = value.parse().expect("customers"),
            "--concurrency" => args.concurrency = value.parse().expect("concurrency"),
            other => panic!("unknown flag {other}"),
        }
    }
    args
}

/// When each session's Disconnect-Request arrived (by `Acct-Session-Id`), and how many came.
type Arrivals = Arc<Mutex<HashMap<String, (Instant, usize)>>>;

/// The stand-in NAS: notes each request's `Acct-Session-Id` and arrival, answers with an ACK.
async fn nas() -> (u16, Arrivals) {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let arrivals: Arrivals = Arc::default();
    let seen = arrivals.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        loop {
            let Ok((n, from)) = socket.recv_from(&mut buf).await else { continue };
            let at = Instant::now();
            let packet = &buf[..n];
            if n < 20 {
                continue;
            }
            let mut rest = &packet[20..];
            let mut session = None;
            while rest.len() >= 2 && usize::from(rest[1]) >= 2 && usize::from(rest[1]) <= rest.len() {
                let len = usize::from(rest[1]);
                if rest[0] == 44 {
                    session = Some(String::from_utf8_lossy(&rest[2..len]).into_owned());
                }
                rest = &rest[len..];
            }
            if let Some(session) = session {
                let mut map = seen.lock().unwrap();
                let entry = map.entry(session).or_insert((at, 0));
                entry.1 += 1;
            }
            // Disconnect-ACK or CoA-ACK, with the Response Authenticator.
            let mut answer = vec![packet[0] + 1, packet[1], 0, 20];
            let mut auth = Md5::new();
            auth.update(&answer[..4]);
            auth.update(&packet[4..20]);
            auth.update(NAS_SECRET.as_bytes());
            answer.extend_from_slice(&auth.finalize());
            let _ = socket.send_to(&answer, from).await;
        }
    });
    (port, arrivals)
}

async fn gql(client: &reqwest::Client, url: &str, token: &str, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables});
    post(client, url, Some(token), &body).await.unwrap_or_else(|e| panic!("{query}: {e}"))["data"].clone()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

fn date(d: chrono::NaiveDate, days: i64) -> String {
    (d + chrono::Duration::days(days)).to_string()
}

#[tokio::main]
async fn main() {
    let args = args();
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency + 4).build().unwrap();
    let login =
        json!({"query": "mutation { login(username: \"admin\", password: \"bench-admin-password\") { token } }"});
    let token = post(&client, &args.url, None, &login).await.expect("login")["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (url, token) = (args.url.as_str(), token.as_str());
    let today: chrono::NaiveDate = gql(&client, url, token, "{ dashboard { asOf } }", json!({})).await["dashboard"]
        ["asOf"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // The company, its plan, gateway and NAS.
    let company = id(&gql(
        &client,
        url,
        token,
        "mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id } }",
        json!({"i": {"name": "Bench Fibernet", "state": "Maharashtra"}}),
    )
    .await["createCompany"]);
    gql(
        &client,
        url,
        token,
        "mutation($id: ID!) { updateCompany(id: $id, input: {graceDays: 3, upiVpa: \"benchfiber@okaxis\"}) { id } }",
        json!({"id": company}),
    )
    .await;
    let plan = id(&gql(
        &client,
        url,
        token,
        "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }",
        json!({"i": {"companyId": company, "name": "Home 100", "serviceType": "BROADBAND", "price": "499.00"}}),
    )
    .await["createPlan"]);
    let made = gql(&client, url, token, "mutation($i: CreatePaymentGatewayInput!) { createPaymentGateway(input: $i) { webhookUrl } }",
        json!({"i": {"companyId": company, "provider": "RAZORPAY", "keyId": "rzp_bench", "webhookSecret": GATEWAY_SECRET}})).await;
    let webhook = made["createPaymentGateway"]["webhookUrl"].as_str().unwrap().to_owned();
    let webhook = format!("{url}{}", &webhook[webhook.find("/webhooks/").unwrap()..]);
    let (port, arrivals) = nas().await;
    gql(&client, url, token, "mutation($i: CreateNasDeviceInput!) { createNasDevice(input: $i) { id } }",
        json!({"i": {"name": "bench-nas", "address": "127.0.0.1", "coaPort": port, "secret": NAS_SECRET, "kind": "MIKROTIK"}})).await;

    // The customers: a login and an invoice three days overdue each.
    let set_up = Instant::now();
    let mut customers = Vec::new();
    for i in 0..args.customers {
        let input = json!({"username": format!("bench{i}"), "password": "bench-customer-pw", "fullName": format!("Bench Customer {i}"),
            "mobile": format!("98{:08}", i), "address": "1 Bench Road", "city": "Nagpur", "state": "Maharashtra",
            "pincode": "440001", "planId": plan, "startDate": today.to_string(), "periodMonths": 1});
        let c = gql(
            &client,
            url,
            token,
            "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id customerId } }",
            json!({"i": input}),
        )
        .await["createCustomer"]
            .clone();
        let customer = id(&c);
        gql(&client, url, token, "mutation($c: ID!, $i: NetworkCredentialsInput!) { setNetworkCredentials(customerId: $c, input: $i) { username } }",
            json!({"c": customer, "i": {"username": format!("bench{i}.pppoe"), "password": "pppoe-pass"}})).await;
        gql(&client, url, token, "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }",
            json!({"i": {"customerId": customer, "billAmount": "300", "invoiceDate": date(today, -10), "dueDate": date(today, -3),
                "billingPeriodStart": date(today, -10), "billingPeriodEnd": date(today, 20)}})).await;
        customers.push((customer, c["customerId"].as_str().unwrap().to_owned(), i));
    }
    let run = gql(
        &client,
        url,
        token,
        "mutation($d: Date) { runBillingCycle(asOf: $d) { suspended } }",
        json!({"d": today.to_string()}),
    )
    .await;
    let suspended = run["runBillingCycle"]["suspended"].as_i64().unwrap();
    assert_eq!(suspended, args.customers as i64, "every customer suspended: {run}");
    // Their routers log in again into the walled garden: a session each.
    for (_, _, i) in &customers {
        let attributes = [
            ("Acct-Status-Type", "Start".to_owned()),
            ("User-Name", format!("bench{i}.pppoe")),
            ("NAS-IP-Address", "127.0.0.1".to_owned()),
            ("Acct-Session-Id", format!("walled-{i}")),
            ("Framed-IP-Address", format!("100.127.{}.{}", i / 250, i % 250 + 2)),
        ];
        let body: serde_json::Map<String, Value> =
            attributes.iter().map(|(k, v)| (k.to_string(), json!({"type": "string", "value": [v]}))).collect();
        let r = client
            .post(format!("{url}/radius/accounting"))
            .basic_auth(RADIUS_USER, Some(RADIUS_PASSWORD))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 204, "accounting start");
    }
    // The suspensions' own disconnects went out before the sessions existed; start clean.
    tokio::time::sleep(Duration::from_millis(500)).await;
    arrivals.lock().unwrap().clear();
    let balances = "query($id: ID!) { node(id: $id) { ... on Customer { balance status } } }";
    let mut work = Vec::new();
    for (customer, number, i) in &customers {
        let read = gql(&client, url, token, balances, json!({"id": customer})).await["node"].clone();
        assert_eq!(read["status"], "SUSPENDED");
        let paise = isp_billing::money::parse_hundredths(read["balance"].as_str().unwrap()).unwrap();
        work.push((number.clone(), *i, paise));
    }
    println!(
        "set up {} suspended customers with walled-garden sessions in {:.1} s",
        customers.len(),
        set_up.elapsed().as_secs_f64()
    );

    // The webhooks: each customer's balance paid, `--concurrency` at a time.
    let work = Arc::new(Mutex::new(work));
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (client, webhook, work) = (client.clone(), webhook.clone(), work.clone());
            tokio::spawn(async move {
                let mut sent = Vec::new();
                loop {
                    let Some((number, i, paise)) = work.lock().unwrap().pop() else { break };
                    let body = json!({"event": "payment.captured", "payload": {"payment": {"entity": {
                        "id": format!("pay_walled_{i}"), "amount": paise, "currency": "INR", "status": "captured",
                        "method": "upi", "notes": {"customer_id": number}}}}})
                    .to_string();
                    let signature = hex_hmac(GATEWAY_SECRET, &[body.as_bytes()]);
                    let at = Instant::now();
                    let r = client
                        .post(&webhook)
                        .header("x-razorpay-event-id", format!("evt_walled_{i}"))
                        .header("x-razorpay-signature", signature)
                        .body(body)
                        .send()
                        .await
                        .expect("webhook");
                    let answered = at.elapsed();
                    let status = r.json::<Value>().await.map(|v| v["status"].clone()).unwrap_or_default();
                    assert_eq!(status, "RECORDED", "customer {number}");
                    sent.push((format!("walled-{i}"), at, answered));
                }
                sent
            })
        })
        .collect();
    let mut sent = Vec::new();
    for worker in workers {
        sent.extend(worker.await.unwrap());
    }
    let webhooks_took = started.elapsed();
    // Every Disconnect-Request within 10 s.
    let deadline = Instant::now() + Duration::from_secs(10);
    while arrivals.lock().unwrap().len() < sent.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let arrived = arrivals.lock().unwrap().clone();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut answers: Vec<Duration> = Vec::new();
    let (mut missing, mut repeated) = (0, 0);
    for (session, at, answered) in &sent {
        answers.push(*answered);
        match arrived.get(session) {
            Some((when, count)) => {
                latencies.push(when.saturating_duration_since(*at));
                if *count > 1 {
                    repeated += 1;
                }
            }
            None => missing += 1,
        }
    }
    latencies.sort_unstable();
    answers.sort_unstable();
    let n = latencies.len();
    println!(
        "webhooks: {} in {:.1} s ({} clients), answered p50 {:.1} ms, p99 {:.1} ms",
        sent.len(),
        webhooks_took.as_secs_f64(),
        args.concurrency,
        percentile_ms(&answers, 0.50),
        percentile_ms(&answers, 0.99),
    );
    println!(
        "webhook -> Disconnect-Request: {n} of {}, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target p99 < 1000 ms); \
         missing {missing}, sent more than once {repeated}",
        sent.len(),
        percentile_ms(&latencies, 0.50),
        percentile_ms(&latencies, 0.99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    );
    let active = "{ customers(first: 1, filter: {status: ACTIVE}) { totalCount } }";
    let active = gql(&client, url, token, active, json!({})).await["customers"]["totalCount"].as_i64().unwrap_or(-1);
    println!("reactivated: {active} of {} customers ACTIVE", customers.len());
    if missing > 0 || active != customers.len() as i64 || percentile_ms(&latencies, 0.99) >= 1000.0 {
        std::process::exit(1);
    }
}
