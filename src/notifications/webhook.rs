//! Delivers notifications to the operator's webhook (an SMS or WhatsApp gateway bridge): a
//! background worker POSTs each pending notification as JSON with `X-Isp-Timestamp` (Unix
//! seconds) and `X-Isp-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body">` (the
//! timestamp inside the signature lets the receiver refuse replays), and stores the outcome.
//! A worker claims a notification before sending it, so two servers never send one twice. Failures are retried after
//! 2, 4, 8, ... seconds (at most an hour apart), [`MAX_ATTEMPTS`] times in all, then marked
//! `FAILED` with the last error. The transaction that made a notification never waits for it.

use std::time::Duration;

use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::model::NotificationRow;
use super::repo;
use crate::cluster::leases::Leases;
use crate::db::schema::{customers, employees};
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::ids::{self, Kind};

/// Tries per notification before it is marked `FAILED`.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery belongs to the worker that claimed it.
const CLAIM_SECONDS: i64 = 60;
/// How often the worker looks for due deliveries.
const POLL: Duration = Duration::from_millis(500);

/// Where and how to deliver.
#[derive(Clone)]
pub struct Webhook {
    pub url: String,
    pub secret: Option<String>,
}

/// `sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("sha256={}", crate::hex::encode(&mac.finalize().into_bytes()))
}

/// Seconds to wait after the `attempts`-th failed try: 2, 4, 8, ... at most an hour.
pub fn backoff_seconds(attempts: i32) -> i64 {
    2i64.saturating_pow(u32::try_from(attempts.clamp(1, 12)).unwrap_or(1)).min(3600)
}

/// The JSON body for a notification, with the recipient's name and contact details.
fn body(conn: &mut DbConn, n: &NotificationRow) -> AppResult<serde_json::Value> {
    let (kind, name, mobile, email): (Kind, String, Option<String>, Option<String>) =
        if n.recipient_kind == crate::auth::model::EMPLOYEE {
            let (name, mobile, email) = employees::table
                .find(n.recipient_id)
                .select((employees::full_name, employees::mobile, employees::email))
                .first(conn)
                .optional()?
                .unwrap_or_default();
            (Kind::Employee, name, mobile, email)
        } else {
            let (name, mobile, email) = customers::table
                .find(n.recipient_id)
                .select((customers::full_name, customers::mobile.nullable(), customers::email))
                .first(conn)
                .optional()?
                .unwrap_or_default();
            (Kind::Customer, name, mobile, email)
        };
    Ok(json!({
        "id": ids::encode(Kind::Notification, n.id),
        "kind": n.kind.as_str(),
        "title": n.title,
        "body": n.body,
        "subjectId": n.subject_id,
        "createdAt": n.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "recipient": {"id": ids::encode(kind, n.recipient_id), "kind": n.recipient_kind, "name": name,
                      "mobile": mobile, "email": email},
    }))
}

/// Sends one notification; `Err` says why it did not arrive.
async fn deliver(client: &reqwest::Client, hook: &Webhook, n: &NotificationRow, body: &[u8]) -> Result<(), String> {
    let mut request = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-isp-delivery", ids::encode(Kind::Notification, n.id))
        .header("x-isp-attempt", (n.webhook_attempts + 1).to_string())
        .body(body.to_vec());
    let timestamp = chrono::Utc::now().timestamp();
    request = request.header("x-isp-timestamp", timestamp.to_string());
    if let Some(secret) = &hook.secret {
        request = request.header("x-isp-signature", signature(secret, timestamp, body));
    }
    // Without the URL: gateway URLs often carry API keys, and the error is stored.
    let response = request.send().await.map_err(|e| format!("could not reach the webhook: {}", e.without_url()))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the webhook answered {}", response.status()))
    }
}

/// One pass: delivers every notification that is due; returns how many were tried.
pub async fn deliver_due(db: &Db, client: &reqwest::Client, hook: &Webhook) -> AppResult<usize> {
    let now = crate::clock::now();
    let lease = now + chrono::Duration::seconds(CLAIM_SECONDS);
    let due = db
        .write(move |conn| {
            let mut claimed = Vec::new();
            for n in repo::due_for_webhook(conn, now, 50)? {
                // Ours until the lease ends; another server's worker skips it.
                if repo::claim_delivery(conn, n.id, now, lease)? {
                    claimed.push((body(conn, &n)?, n));
                }
            }
            Ok(claimed)
        })
        .await?;
    let tried = due.len();
    for (body, n) in due {
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let outcome = deliver(client, hook, &n, &bytes).await;
        let attempts = n.webhook_attempts + 1;
        let (status, next_at, error) = match outcome {
            Ok(()) => ("DELIVERED", None, None),
            Err(e) if attempts >= MAX_ATTEMPTS => ("FAILED", None, Some(e)),
            Err(e) => {
                let next = crate::clock::now() + chrono::Duration::seconds(backoff_seconds(attempts));
                ("PENDING", Some(next), Some(e))
            }
        };
        if let Some(e) = &error {
            tracing::warn!(notification = n.id, attempts, error = %e, "webhook delivery failed");
        }
        db.write(move |conn| repo::set_delivery(conn, n.id, status, attempts, next_at, error.as_deref())).await?;
    }
    Ok(tried)
}

/// Runs the delivery worker for the life of the server (on one server of several: the job
/// `webhooks` of [`Leases`]; each delivery is also claimed, so two workers never send one twice).
pub fn spawn(leases: &Leases, db: Db, hook: Webhook) {
    leases.spawn("webhooks", move || worker(db.clone(), hook.clone()));
}

async fn worker(db: Db, hook: Webhook) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the webhook client; notifications stay PENDING");
            return;
        }
    };
    loop {
        if let Err(e) = deliver_due(&db, &client, &hook).await {
            tracing::warn!(error = %e.message(), "webhook worker could not read the database; retrying");
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_signed_with_hmac_sha256() {
        // RFC 4231 test case 2 is HMAC-SHA256("Jefe", "what do ya want for nothing?"); here
        // the message is "<timestamp>." followed by the body.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex = crate::hex::encode(&mac.finalize().into_bytes());
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let signed = signature("Jefe", 1_764_000_000, b"{}");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"1764000000.{}");
        let hex = crate::hex::encode(&mac.finalize().into_bytes());
        assert_eq!(signed, format!("sha256={hex}"));
    }

    #[test]
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(backoff_seconds(1), 2);
        assert_eq!(backoff_seconds(3), 8);
        assert_eq!(backoff_seconds(20), 3600);
    }
}
