//! The mixed load: what the demo data gives it, the workers, and what they tally.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use isp_billing::gateways::signature::hex_hmac;
use serde_json::{json, Value};

use crate::bench_common::{post, post_raw};
use crate::ADMIN_PASSWORD;

pub const SECRET: &str = "bench-webhook-secret";
pub const PROFILE: &str = "query($first: Int!, $after: String) { customers(first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { customerId fullName mobile status endDate
        plan { name price } locality { name pincode } company { name gstRate } assignedEmployee { fullName }
        invoices(first: 3) { invoiceNumber invoiceDate totalAmount paidAmount balanceAmount status
            payments { paymentId amount paymentMethod status paidAt } } } } }";
pub const PAY: &str = "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { paymentId } }";
pub const COMPLAIN: &str = "mutation($i: CreateComplaintInput!) { createComplaint(input: $i) { complaintId } }";

/// How long an acknowledgement is waited for after the phase's end (retries included).
pub const GRACE: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Kind {
    Profile,
    Payment,
    Webhook,
    Complaint,
}

pub const KINDS: [Kind; 4] = [Kind::Profile, Kind::Payment, Kind::Webhook, Kind::Complaint];

/// What each worker sends, in turn: 4 profile queries, 3 payments, 2 notifications, 1 complaint.
pub const MIX: [Kind; 10] = [
    Kind::Profile,
    Kind::Payment,
    Kind::Webhook,
    Kind::Profile,
    Kind::Payment,
    Kind::Complaint,
    Kind::Profile,
    Kind::Webhook,
    Kind::Payment,
    Kind::Profile,
];

/// What the load needs from the demo data, read once.
pub struct Demo {
    pub token: String,
    pub cursors: Vec<Option<String>>,
    /// Node ids of customers (payments, complaints).
    pub customers: Vec<String>,
    /// `customerId`s of the gateway's company's customers (a notification's `notes`).
    pub gateway_customers: Vec<String>,
    /// The gateway's webhook path (`/webhooks/razorpay/<id>`).
    pub webhook_path: String,
    pub run: u128,
}

pub async fn demo(client: &reqwest::Client, url: &str) -> Demo {
    let login = json!({"query": "mutation($p: String!) { login(username: \"admin\", password: $p) { token } }",
                       "variables": {"p": ADMIN_PASSWORD}});
    let token =
        post(client, url, None, &login).await.expect("login")["data"]["login"]["token"].as_str().unwrap().to_owned();
    let mut cursors: Vec<Option<String>> = vec![None];
    while cursors.len() < 50 {
        let body = json!({"query": PROFILE, "variables": {"first": 20, "after": cursors.last().unwrap()}});
        let data = post(client, url, Some(&token), &body).await.expect("page");
        let info = &data["data"]["customers"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        cursors.push(info["endCursor"].as_str().map(str::to_owned));
    }
    let q = json!({"query": "{ companies(first: 1) { nodes { id } } }"});
    let data = post(client, url, Some(&token), &q).await.expect("companies")["data"].clone();
    let company = data["companies"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    while nodes.len() < 2000 {
        let q = json!({"query": "query($a: String) { customers(first: 100, after: $a) {
            nodes { id customerId company { id } } pageInfo { endCursor hasNextPage } } }", "variables": {"a": after}});
        let page = post(client, url, Some(&token), &q).await.expect("customers")["data"]["customers"].clone();
        nodes.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let customers = nodes.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    let gateway_customers = nodes
        .iter()
        .filter(|c| c["company"]["id"] == company.as_str())
        .map(|c| c["customerId"].as_str().unwrap().to_owned())
        .collect();
    let create = json!({"query": "mutation($i: CreatePaymentGatewayInput!) { createPaymentGateway(input: $i) { webhookUrl } }",
        "variables": {"i": {"companyId": company, "provider": "RAZORPAY", "keyId": "rzp_bench", "webhookSecret": SECRET}}});
    let made = post(client, url, Some(&token), &create).await.expect("gateway");
    let webhook = made["data"]["createPaymentGateway"]["webhookUrl"].as_str().unwrap_or_else(|| panic!("{made}"));
    let webhook_path = format!("/webhooks/{}", webhook.split_once("/webhooks/").expect("a webhook path").1);
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    Demo { token, cursors, customers, gateway_customers, webhook_path, run }
}

/// What one worker (and then one phase) did.
#[derive(Default)]
pub struct Tally {
    /// Per kind: (seconds into the phase when answered, latency) of each acknowledged request.
    pub done: HashMap<Kind, Vec<(f64, Duration)>>,
    pub errors: HashMap<Kind, u64>,
    /// Requests given up on (not acknowledged within the grace after the phase).
    pub given_up: HashMap<Kind, u64>,
    /// (reference, paymentId) of each acknowledged `createPayment`.
    pub payments: Vec<(String, String)>,
    /// The gateway payment id of each acknowledged notification.
    pub notifications: Vec<String>,
    /// Notifications answered `DUPLICATE` (a try before had been recorded: ours, or HAProxy's
    /// when it sent the request again).
    pub duplicates: u64,
    pub complaints: Vec<String>,
    pub first_errors: Vec<String>,
}

impl Tally {
    fn error(&mut self, kind: Kind, message: String) {
        *self.errors.entry(kind).or_default() += 1;
        if self.first_errors.len() < 3 {
            self.first_errors.push(format!("{kind:?}: {}", &message[..message.len().min(300)]));
        }
    }

    fn merge(&mut self, other: Tally) {
        for (k, v) in other.done {
            self.done.entry(k).or_default().extend(v);
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for (k, v) in other.given_up {
            *self.given_up.entry(k).or_default() += v;
        }
        self.payments.extend(other.payments);
        self.notifications.extend(other.notifications);
        self.duplicates += other.duplicates;
        self.complaints.extend(other.complaints);
        if self.first_errors.len() < 6 {
            self.first_errors.extend(other.first_errors);
        }
    }
}

/// A GraphQL answer's `data`, or why there is none.
pub async fn answer(sent: Result<reqwest::Response, reqwest::Error>) -> Result<Value, String> {
    let response = sent.map_err(|e| format!("{e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{status}: {e}"))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|_| format!("{status}: {}", &text[..text.len().min(200)]))?;
    if value.get("errors").is_some() || value["data"].is_null() {
        return Err(format!("{status}: {}", value));
    }
    Ok(value["data"].clone())
}

/// One worker's load on `url` until `deadline`.
pub async fn worker(
    client: reqwest::Client,
    url: String,
    demo: Arc<Demo>,
    phase: u8,
    w: usize,
    started: Instant,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let give_up = deadline + GRACE;
    let graphql = format!("{url}/graphql");
    let mut i = 0usize;
    while Instant::now() < deadline {
        let kind = MIX[(w + i) % MIX.len()];
        let tag = format!(
            "CLU{}-{}{phase}-{w}-{i}",
            demo.run,
            match kind {
                Kind::Payment => 'P',
                Kind::Webhook => 'G',
                _ => 'X',
            }
        );
        match kind {
            Kind::Profile => {
                let after = &demo.cursors[(w * 7 + i) % demo.cursors.len()];
                let body = json!({"query": PROFILE, "variables": {"first": 20, "after": after}});
                let t = Instant::now();
                // Checked without parsing (the load generator shares the cores with the servers).
                match post_raw(&client, &url, &demo.token, &body).await {
                    Ok(()) => tally.done.entry(kind).or_default().push((started.elapsed().as_secs_f64(), t.elapsed())),
                    Err(e) => tally.error(kind, e),
                }
            }
            Kind::Payment => {
                let customer = &demo.customers[(w * 997 + i * 31) % demo.customers.len()];
                let body = json!({"query": PAY, "variables": {"i": {"customerId": customer, "amount": "1.00",
                    "paymentMethod": "PHONEPE", "paymentReference": tag}}});
                // The same key (and input) until acknowledged: recorded once whatever was lost.
                loop {
                    let t = Instant::now();
                    let sent = client
                        .post(&graphql)
                        .bearer_auth(&demo.token)
                        .header("idempotency-key", &tag)
                        .json(&body)
                        .send()
                        .await;
                    match answer(sent).await {
                        Ok(data) => {
                            tally.done.entry(kind).or_default().push((started.elapsed().as_secs_f64(), t.elapsed()));
                            let id = data["createPayment"]["paymentId"].as_str().unwrap_or_default().to_owned();
                            tally.payments.push((tag.clone(), id));
                            break;
                        }
                        Err(e) => tally.error(kind, e),
                    }
                    if Instant::now() > give_up {
                        *tally.given_up.entry(kind).or_default() += 1;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            Kind::Webhook => {
                let customer = &demo.gateway_customers[(w * 997 + i * 31) % demo.gateway_customers.len()];
                let body = json!({"event": "payment.captured", "payload": {"payment": {"entity": {
                    "id": tag, "amount": 100, "currency": "INR", "status": "captured",
                    "method": "card", "notes": {"customer_id": customer}}}}})
                .to_string();
                let signature = hex_hmac(SECRET, &[body.as_bytes()]);
                loop {
                    let t = Instant::now();
                    let sent = client
                        .post(format!("{url}{}", demo.webhook_path))
                        .header("x-razorpay-event-id", format!("evt-{tag}"))
                        .header("x-razorpay-signature", &signature)
                        .body(body.clone())
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            tally.done.entry(kind).or_default().push((started.elapsed().as_secs_f64(), t.elapsed()));
                            let status = r.json::<Value>().await.map(|v| v["status"].clone()).unwrap_or_default();
                            if status == "DUPLICATE" {
                                tally.duplicates += 1;
                            }
                            tally.notifications.push(tag.clone());
                            break;
                        }
                        Ok(r) => {
                            let status = r.status();
                            tally.error(kind, format!("{status}: {}", r.text().await.unwrap_or_default()));
                        }
                        Err(e) => tally.error(kind, e.to_string()),
                    }
                    if Instant::now() > give_up {
                        *tally.given_up.entry(kind).or_default() += 1;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            Kind::Complaint => {
                let customer = &demo.customers[(w * 131 + i * 17) % demo.customers.len()];
                let body = json!({"query": COMPLAIN, "variables": {"i": {"customerId": customer,
                    "title": format!("No internet {tag}"), "description": "Cluster benchmark",
                    "category": "CONNECTIVITY", "priority": "HIGH"}}});
                let t = Instant::now();
                // Not retried: a complaint has no key; one filed but not acknowledged is extra.
                match answer(client.post(&graphql).bearer_auth(&demo.token).json(&body).send().await).await {
                    Ok(data) => {
                        tally.done.entry(kind).or_default().push((started.elapsed().as_secs_f64(), t.elapsed()));
                        tally.complaints.push(data["createComplaint"]["complaintId"].as_str().unwrap().to_owned());
                    }
                    Err(e) => tally.error(kind, e),
                }
            }
        }
        i += 1;
    }
    tally
}

/// Runs the load on `url` for the phase, from `concurrency` workers.
pub async fn run(
    client: &reqwest::Client,
    url: &str,
    demo: &Arc<Demo>,
    phase: u8,
    seconds: u64,
    concurrency: usize,
) -> (Tally, f64) {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..concurrency)
        .map(|w| tokio::spawn(worker(client.clone(), url.to_owned(), demo.clone(), phase, w, started, deadline)))
        .collect();
    let mut tally = Tally::default();
    for w in workers {
        tally.merge(w.await.unwrap());
    }
    (tally, seconds as f64)
}
