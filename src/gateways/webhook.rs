//! A notification received at `POST /webhooks/<provider>/<gatewayId>`: checked, read, and
//! recorded in one transaction with its event row. The same notification delivered again
//! (or at the same instant) finds its event or its gateway payment recorded and changes
//! nothing; money that names no customer or invoice of ours is kept, unmatched.

use diesel::Connection;

use super::model::{EventOutcome, GatewayRow, NewGatewayEvent, NewGatewayPayment, Provider};
use super::notification::{self, Notification, Reported};
use super::service::{GatewaySettings, SECRET_CONTEXT};
use super::{repo, rules, signature};
use crate::audit::Actor;
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::events::Events;
use crate::invoices::model::InvoiceStatus;
use crate::money::rupees;
use crate::notifications::model::NotificationRow;
use crate::notifications::Outbox;
use crate::payments::model::PaymentStatus;
use crate::payments::service::PaymentRequest;
use crate::settlement::rules::{refusal, Refusal};

/// A notification as it arrived: the raw body and the headers that matter.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub provider: Provider,
    pub gateway_id: i64,
    pub body: Vec<u8>,
    /// `X-Razorpay-Signature`, `x-webhook-signature` or `X-Webhook-Signature`.
    pub signature: Option<String>,
    /// `x-webhook-timestamp` (Cashfree) or `X-Webhook-Timestamp` (generic).
    pub timestamp: Option<String>,
    /// `x-razorpay-event-id` or `X-Webhook-Id`.
    pub event_id: Option<String>,
}

/// The answer to a delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// 200: what became of it (a redelivery answers `Duplicate`).
    Accepted(EventOutcome),
    /// 401: bad or missing signature, or a stale timestamp; nothing recorded.
    Unauthorized(&'static str),
    /// 404: no such gateway for this provider.
    NotFound,
    /// 403: the gateway is switched off; the provider retries, so nothing is lost.
    Inactive,
    /// 400: signed, but not a body we can read; nothing recorded.
    BadRequest(String),
    /// 503: the server cannot open the secret (no or another `ISP_SECRETS_KEY`).
    Unavailable(&'static str),
    /// 501: notifications of this provider are not accepted.
    NotImplemented,
}

/// Checks and records `delivery` (the notifications it makes are published after the commit);
/// returns the answer.
pub async fn answer_delivery(
    db: &Db,
    events: &Events,
    settings: &GatewaySettings,
    outbox: Outbox,
    delivery: Delivery,
) -> Answer {
    match record_delivery(db, events, settings, outbox, delivery).await {
        Ok(answer) => answer,
        Err(e) => {
            // The provider retries a 5xx; the log has the reason (never the secret).
            tracing::error!(error = %e.message(), "gateway notification not recorded");
            Answer::Unavailable("the notification could not be recorded; it will be retried")
        }
    }
}

/// [`answer_delivery`], with a database failure as the error (answered 503, retried).
async fn record_delivery(
    db: &Db,
    events: &Events,
    settings: &GatewaySettings,
    outbox: Outbox,
    delivery: Delivery,
) -> AppResult<Answer> {
    if matches!(delivery.provider, Provider::Phonepe | Provider::Paytm) {
        return Ok(Answer::NotImplemented);
    }
    let id = delivery.gateway_id;
    let Some(gateway) = db.read(move |conn| Ok(repo::by_ids(conn, &[id])?.pop())).await? else {
        return Ok(Answer::NotFound);
    };
    if gateway.provider != delivery.provider {
        return Ok(Answer::NotFound);
    }
    if !gateway.is_active {
        return Ok(Answer::Inactive);
    }
    let Some(key) = settings.secrets_key.as_ref() else {
        tracing::error!(gateway = gateway.id, "a gateway notification arrived but ISP_SECRETS_KEY is not set");
        return Ok(Answer::Unavailable("the server cannot check signatures now"));
    };
    let Some(secret) = key.open(&gateway.webhook_secret_sealed, SECRET_CONTEXT) else {
        tracing::error!(
            gateway = gateway.id,
            "the gateway's secret does not open under ISP_SECRETS_KEY (was the key changed?)"
        );
        return Ok(Answer::Unavailable("the server cannot check signatures now"));
    };
    if let Some(refusal) = check_signature(&delivery, secret.expose(), crate::clock::now().and_utc().timestamp()) {
        tracing::warn!(
            gateway = gateway.id,
            provider = gateway.provider.as_str(),
            refusal,
            "gateway notification refused"
        );
        return Ok(Answer::Unauthorized(refusal));
    }
    let notification = match notification::read(delivery.provider, &delivery.body, delivery.event_id.as_deref()) {
        Ok(n) => n,
        Err(unreadable) => {
            // The gateway retries a 4xx; the log says which field keeps it from being recorded.
            tracing::warn!(
                gateway = gateway.id,
                provider = gateway.provider.as_str(),
                field = %unreadable.field,
                problem = %unreadable.problem,
                "gateway notification refused: it cannot be read"
            );
            return Ok(Answer::BadRequest(unreadable.to_string()));
        }
    };
    // Two deliveries at the same instant: the second finds what the first recorded.
    let outcome = events
        .write_settling_race(db, move |conn, out| {
            let (outcome, notifications) = record(conn, &outbox, &gateway, &notification)?;
            out.notifications(notifications);
            Ok(outcome)
        })
        .await?;
    Ok(Answer::Accepted(outcome))
}

/// `None` when the delivery is signed as its provider signs; else why it is refused.
fn check_signature(delivery: &Delivery, secret: &str, now: i64) -> Option<&'static str> {
    let Some(sig) = delivery.signature.as_deref() else { return Some("the signature header is missing") };
    let timestamp = delivery.timestamp.as_deref().unwrap_or_default();
    let good = match delivery.provider {
        Provider::Razorpay => signature::razorpay(secret, &delivery.body, sig),
        Provider::Cashfree => signature::cashfree(secret, timestamp, &delivery.body, sig),
        Provider::GenericHmac => signature::generic(secret, timestamp, &delivery.body, sig),
        Provider::Phonepe | Provider::Paytm => false,
    };
    if !good {
        return Some("the signature does not match");
    }
    let timestamped = matches!(delivery.provider, Provider::Cashfree | Provider::GenericHmac);
    if timestamped && !signature::fresh(timestamp, now) {
        return Some("the timestamp is missing or stale");
    }
    None
}

/// Records `notification` of `gateway` (one transaction, the caller's). An event id seen before
/// is a `DUPLICATE` only when an earlier event with it carried the same money (or no money,
/// like this one); otherwise it is another event, recorded beside the first.
fn record(
    conn: &mut DbConn,
    outbox: &Outbox,
    gateway: &GatewayRow,
    notification: &Notification,
) -> AppResult<(EventOutcome, Vec<NotificationRow>)> {
    crate::db::lock_key(conn, &format!("gateway-event:{}:{}", gateway.id, notification.event_id))?;
    let earlier = repo::events_with_id(conn, gateway.id, &notification.event_id)?;
    let carried = repo::gateway_payments_by_ids(conn, &earlier.iter().flatten().copied().collect::<Vec<_>>())?;
    let same_as = |pointed: &Option<i64>| match (pointed, &notification.captured) {
        (None, None) => true,
        (Some(id), Some(reported)) => carried.iter().any(|row| row.id == *id && rules::same_report(row, reported)),
        _ => false,
    };
    if earlier.iter().any(same_as) {
        return Ok((EventOutcome::Duplicate, Vec::new()));
    }
    let mut event = NewGatewayEvent {
        gateway_id: gateway.id,
        event_id: notification.event_id.clone(),
        event_type: notification.event_type.clone(),
        outcome: EventOutcome::Ignored,
        gateway_payment_id: None,
        received_at: crate::clock::now(),
        conflict_no: rules::conflict_no(earlier.len()),
    };
    let mut notifications = Vec::new();
    if let Some(reported) = &notification.captured {
        let (outcome, row_id, made) = record_money(conn, outbox, gateway, reported)?;
        event.outcome = outcome;
        event.gateway_payment_id = Some(row_id);
        notifications = made;
    }
    repo::insert_event(conn, &event)?;
    Ok((event.outcome, notifications))
}

/// The money of a captured payment: a payment of ours, or kept unmatched (with the reason), or
/// a `DUPLICATE` of money recorded before (the same gateway payment id, or the same UTR, with
/// the same amount, currency and customer). The same id or UTR with other money is kept
/// unmatched, saying so, for staff to assign.
fn record_money(
    conn: &mut DbConn,
    outbox: &Outbox,
    gateway: &GatewayRow,
    reported: &Reported,
) -> AppResult<(EventOutcome, i64, Vec<NotificationRow>)> {
    let gateway_payment_id = reported.gateway_payment_id.clone();
    crate::db::lock_key(conn, &format!("gateway-payment:{}:{gateway_payment_id}", gateway.id))?;
    let earlier = repo::with_gateway_payment_id(conn, gateway.id, &gateway_payment_id)?;
    if let Some(same) = earlier.iter().find(|row| rules::same_report(row, reported)) {
        return Ok((EventOutcome::Duplicate, same.id, Vec::new()));
    }
    let now = crate::clock::now();
    let mut row = NewGatewayPayment::reported(gateway.id, reported, rules::conflict_no(earlier.len()), now);
    if let Some(first) = earlier.first() {
        let what = format!("gateway payment id {}", notification::shown(&gateway_payment_id));
        row.unmatched_reason = Some(rules::reported_before(&what, first, reported));
        let kept = repo::insert_payment(conn, &row)?;
        tracing::warn!(gateway = gateway.id, row = kept.id, "a gateway payment id was reported again with other money");
        return Ok((EventOutcome::Unmatched, kept.id, Vec::new()));
    }
    if let Some(utr) = &reported.utr {
        // One UTR under many payment ids at once: each waits for the one before, and finds it.
        crate::db::lock_key(conn, &format!("utr:{utr}"))?;
        if let Some(answer) = known_utr(conn, gateway, reported, utr, &mut row)? {
            return Ok(answer);
        }
    }
    let (outcome, notifications) = match target(conn, gateway, reported)? {
        Err(reason) => {
            row.unmatched_reason = Some(reason);
            (EventOutcome::Unmatched, Vec::new())
        }
        Ok((customer_id, invoice_id)) => {
            let request = PaymentRequest {
                customer_id: Some(customer_id),
                invoice_id,
                amount: reported.amount_paise,
                method: reported.method,
                reference: Some(rules::payment_reference(&gateway_payment_id, 0)),
                remarks: Some(format!("{} payment {}", gateway.provider, notification::shown(&gateway_payment_id))),
                status: PaymentStatus::Completed,
                keep_excess_as_advance: false,
                upi_utr: reported.utr.clone(),
                from_gateway: true,
            };
            let actor = Actor { name: format!("gateway {} #{}", gateway.provider, gateway.id), ..Actor::system() };
            // A refusal (a reference already used, say) keeps the money unmatched, with why.
            match conn.transaction(|conn| crate::payments::service::create_payment(conn, outbox, &request, &actor)) {
                Ok((payment, notifications)) => {
                    row.payment_id = Some(payment.id);
                    (EventOutcome::Recorded, notifications)
                }
                Err(e) if e.is_contention() || e.code() == crate::error::codes::INTERNAL_SERVER_ERROR => return Err(e),
                Err(e) => {
                    row.unmatched_reason = Some(e.message());
                    (EventOutcome::Unmatched, Vec::new())
                }
            }
        }
    };
    let kept = repo::insert_payment(conn, &row)?;
    Ok((outcome, kept.id, notifications))
}

/// A UTR known before is the same money: a gateway payment with it and the same amount,
/// currency and customer (`DUPLICATE`, pointing at it, nothing new kept), or a payment entered by
/// hand with it and the same amount (`DUPLICATE`, kept linked to that payment). With other money
/// it is kept unmatched, saying so. `None` when the UTR is new.
fn known_utr(
    conn: &mut DbConn,
    gateway: &GatewayRow,
    reported: &Reported,
    utr: &str,
    row: &mut NewGatewayPayment,
) -> AppResult<Option<(EventOutcome, i64, Vec<NotificationRow>)>> {
    let reported_before = repo::with_utr(conn, utr)?;
    if let Some(same) = reported_before.iter().find(|earlier| rules::same_report(earlier, reported)) {
        return Ok(Some((EventOutcome::Duplicate, same.id, Vec::new())));
    }
    if let Some(first) = reported_before.first() {
        let what = format!(
            "UPI reference (UTR) {utr} under gateway payment id {}",
            notification::shown(&first.gateway_payment_id)
        );
        row.unmatched_reason = Some(rules::reported_before(&what, first, reported));
        let kept = repo::insert_payment(conn, row)?;
        return Ok(Some((EventOutcome::Unmatched, kept.id, Vec::new())));
    }
    // A UPI payment a cashier already entered by hand is that payment, not a second one.
    let Some(by_hand) = crate::payments::repo::by_utr(conn, utr)? else { return Ok(None) };
    if by_hand.amount_paise == row.amount_paise && row.currency == "INR" {
        row.payment_id = Some(by_hand.id);
        let kept = repo::insert_payment(conn, row)?;
        tracing::info!(
            gateway = gateway.id,
            payment = by_hand.payment_id,
            "gateway payment is one already entered by hand (same UTR)"
        );
        return Ok(Some((EventOutcome::Duplicate, kept.id, Vec::new())));
    }
    row.unmatched_reason = Some(rules::entered_by_hand(utr, &by_hand.payment_id, by_hand.amount_paise, reported));
    let kept = repo::insert_payment(conn, row)?;
    Ok(Some((EventOutcome::Unmatched, kept.id, Vec::new())))
}

/// Whose money it is (customer row id, invoice row id), or why it cannot be told.
fn target(
    conn: &mut DbConn,
    gateway: &GatewayRow,
    reported: &Reported,
) -> AppResult<Result<(i64, Option<i64>), String>> {
    if reported.currency != "INR" {
        return Ok(Err(format!("the payment is in {}, not INR", reported.currency)));
    }
    if crate::money::positive("amount", reported.amount_paise).is_err() {
        return Ok(Err(format!("the amount {} paise is outside what a payment may be", reported.amount_paise)));
    }
    let customer = match &reported.customer_ref {
        Some(number) => match crate::customers::repo::id_by_number(conn, number)? {
            Some(id) => Some(crate::customers::repo::find(conn, id)?),
            None => return Ok(Err(format!("no customer has the customer id {number:?}"))),
        },
        None => None,
    };
    if let Some(customer) = &customer {
        if customer.company_id != gateway.company_id {
            return Ok(Err(format!("customer {} belongs to another company than the gateway's", customer.customer_id)));
        }
    }
    let Some(number) = &reported.invoice_ref else {
        return Ok(match customer {
            Some(c) => Ok((c.id, None)),
            None => Err("the notification names no customer id or invoice number".to_owned()),
        });
    };
    let Some(invoice) = crate::invoices::repo::by_number(conn, number)? else {
        return Ok(Err(format!("no invoice is numbered {number:?}")));
    };
    if customer.as_ref().is_some_and(|c| c.id != invoice.customer_id) {
        return Ok(Err(format!("invoice {number} belongs to another customer than the one named")));
    }
    if invoice.company_id != gateway.company_id {
        return Ok(Err(format!("invoice {number} is another company's")));
    }
    // The payment's own rules, as a payment entered by hand for this invoice would meet them.
    let cancelled = invoice.status == InvoiceStatus::Cancelled;
    match refusal(cancelled, invoice.balance_paise, reported.amount_paise, true, false) {
        Some(Refusal::Cancelled) => return Ok(Err(format!("invoice {number} is cancelled"))),
        Some(Refusal::MoreThanOwed { balance }) => {
            return Ok(Err(format!(
                "₹{} is more than the ₹{} invoice {number} still owes",
                rupees(reported.amount_paise),
                rupees(balance)
            )))
        }
        None => {}
    }
    Ok(Ok((invoice.customer_id, Some(invoice.id))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(provider: Provider, signature: Option<String>, timestamp: Option<&str>) -> Delivery {
        Delivery {
            provider,
            gateway_id: 1,
            body: b"{}".to_vec(),
            signature,
            timestamp: timestamp.map(str::to_owned),
            event_id: None,
        }
    }

    #[test]
    fn signatures_and_timestamps_are_checked_per_provider() {
        let now = 1_732_867_200;
        let razorpay = signature::hex_hmac("s", &[b"{}"]);
        assert_eq!(check_signature(&delivery(Provider::Razorpay, Some(razorpay.clone()), None), "s", now), None);
        assert!(check_signature(&delivery(Provider::Razorpay, Some(razorpay), None), "t", now).is_some());
        assert!(check_signature(&delivery(Provider::Razorpay, None, None), "s", now).is_some());
        let ts = now.to_string();
        let generic = format!("sha256={}", signature::hex_hmac("s", &[ts.as_bytes(), b".", b"{}"]));
        assert_eq!(check_signature(&delivery(Provider::GenericHmac, Some(generic), Some(&ts)), "s", now), None);
        let old = (now - 3600).to_string();
        let stale = format!("sha256={}", signature::hex_hmac("s", &[old.as_bytes(), b".", b"{}"]));
        assert_eq!(
            check_signature(&delivery(Provider::GenericHmac, Some(stale), Some(&old)), "s", now),
            Some("the timestamp is missing or stale")
        );
    }
}
