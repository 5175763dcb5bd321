//! A notification read into one shape, whatever the provider (README "Payment gateways" shows
//! each provider's fields). Only the body's form is checked here; whose money it is, and
//! whether it fits, is [`super::webhook`]'s business.

use serde_json::Value;

use super::model::Provider;
use crate::payments::model::PaymentMethod;

/// What a notification says.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Unique per notification at the gateway (deliveries of one notification share it).
    pub event_id: String,
    pub event_type: String,
    /// The payment it reports, when it reports money that arrived (captured, successful);
    /// `None` for failures, authorisations and other events.
    pub captured: Option<Reported>,
}

/// A captured payment as the gateway reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    /// The gateway's id of the payment (unique per gateway: the same payment reported by two
    /// notifications is one payment).
    pub gateway_payment_id: String,
    pub amount_paise: i64,
    pub currency: String,
    pub method: PaymentMethod,
    /// The UPI transaction reference (UTR), when the payment was by UPI and the gateway gave it.
    pub utr: Option<String>,
    /// Our 10-digit customer id, from the gateway's note fields.
    pub customer_ref: Option<String>,
    /// One of our invoice numbers, from the gateway's note fields.
    pub invoice_ref: Option<String>,
}

/// Reads `body` as `provider` sends it; `event_header` is the event id from the headers
/// (Razorpay's `x-razorpay-event-id`, our `X-Webhook-Id`). `Err` says what is malformed.
pub fn read(provider: Provider, body: &[u8], event_header: Option<&str>) -> Result<Notification, String> {
    let json: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    match provider {
        Provider::Razorpay => razorpay(&json, event_header),
        Provider::Cashfree => cashfree(&json),
        Provider::GenericHmac => generic(&json, event_header),
        Provider::Phonepe | Provider::Paytm => Err(format!("{} notifications are not accepted", provider.as_str())),
    }
}

/// Longest text kept from a notification (ids, references, currency, event type).
const MAX_TEXT: usize = 100;

/// `text` as kept: without control or invisible characters, trimmed, at most [`MAX_TEXT`]
/// characters; `None` when nothing is left. The gateway signs it, but staff read it.
fn clean(text: &str) -> Option<String> {
    let visible: String = text.chars().filter(|&c| !c.is_control() && !crate::validate::is_hidden(c)).collect();
    let kept: String = visible.trim().chars().take(MAX_TEXT).collect();
    (!kept.is_empty()).then_some(kept)
}

fn text(value: &Value, path: &[&str]) -> Option<String> {
    let mut at = value;
    for key in path {
        at = at.get(key)?;
    }
    match at {
        Value::String(s) => clean(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn required(value: &Value, path: &[&str]) -> Result<String, String> {
    text(value, path).ok_or_else(|| format!("`{}` is missing", path.join(".")))
}

/// A UTR as the payments table keeps it ([`crate::payments::rules::is_utr`]), else nothing.
fn utr(text: Option<String>) -> Option<String> {
    text.filter(|t| crate::payments::rules::is_utr(t))
}

fn integer_paise(value: &Value, path: &[&str]) -> Result<i64, String> {
    let mut at = value;
    for key in path {
        at = at.get(key).ok_or_else(|| format!("`{}` is missing", path.join(".")))?;
    }
    at.as_i64().ok_or_else(|| format!("`{}` is not a whole number of paise", path.join(".")))
}

fn rupees(value: &Value, path: &[&str]) -> Result<i64, String> {
    let amount = required(value, path)?;
    crate::money::parse_hundredths(&amount).map_err(|e| format!("`{}`: {e}", path.join(".")))
}

fn method(instrument: Option<String>) -> PaymentMethod {
    match instrument.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("upi") => PaymentMethod::Upi,
        Some("netbanking" | "net_banking") => PaymentMethod::NetBanking,
        _ => PaymentMethod::Online,
    }
}

/// Razorpay: `payment.captured` (or `order.paid`) with the payment entity in
/// `payload.payment.entity`; our references in its `notes`.
fn razorpay(json: &Value, event_header: Option<&str>) -> Result<Notification, String> {
    let event_type = required(json, &["event"])?;
    let entity = json.pointer("/payload/payment/entity");
    let captured = match entity {
        Some(entity) if matches!(event_type.as_str(), "payment.captured" | "order.paid") => {
            if text(entity, &["status"]).as_deref() != Some("captured") {
                None
            } else {
                Some(Reported {
                    gateway_payment_id: required(entity, &["id"])?,
                    amount_paise: integer_paise(entity, &["amount"])?,
                    currency: required(entity, &["currency"])?,
                    method: method(text(entity, &["method"])),
                    utr: utr(text(entity, &["acquirer_data", "rrn"])),
                    customer_ref: text(entity, &["notes", "customer_id"]),
                    invoice_ref: text(entity, &["notes", "invoice_number"]),
                })
            }
        }
        _ => None,
    };
    let event_id = match event_header.and_then(clean) {
        Some(id) => id,
        None => format!("{event_type}:{}", entity.and_then(|e| text(e, &["id"])).unwrap_or_default()),
    };
    Ok(Notification { event_id, event_type, captured })
}

/// Cashfree (API version 2023-08-01): `PAYMENT_SUCCESS_WEBHOOK` with `payment_status`
/// `SUCCESS` in `data.payment`; amounts in rupees; our references in `data.order.order_tags`.
/// Cashfree has no event id: one payment's notification is deduplicated on `cf_payment_id`.
fn cashfree(json: &Value) -> Result<Notification, String> {
    let event_type = required(json, &["type"])?;
    let payment = json.pointer("/data/payment").ok_or("`data.payment` is missing")?;
    let cf_payment_id = required(payment, &["cf_payment_id"])?;
    let captured = if event_type == "PAYMENT_SUCCESS_WEBHOOK"
        && text(payment, &["payment_status"]).as_deref() == Some("SUCCESS")
    {
        let tags = json.pointer("/data/order/order_tags").cloned().unwrap_or(Value::Null);
        Some(Reported {
            gateway_payment_id: cf_payment_id.clone(),
            amount_paise: rupees(payment, &["payment_amount"])?,
            currency: required(payment, &["payment_currency"])?,
            method: method(text(payment, &["payment_group"])),
            utr: utr(text(payment, &["bank_reference"])),
            customer_ref: text(&tags, &["customer_id"]),
            invoice_ref: text(&tags, &["invoice_number"]),
        })
    } else {
        None
    };
    Ok(Notification { event_id: format!("{event_type}:{cf_payment_id}"), event_type, captured })
}

/// `GENERIC_HMAC`: our own flat body (README); the event id is `X-Webhook-Id`.
fn generic(json: &Value, event_header: Option<&str>) -> Result<Notification, String> {
    let event_id = event_header.and_then(clean).ok_or("the `X-Webhook-Id` header is missing")?;
    let event_type = required(json, &["event"])?;
    let captured = if event_type == "payment.captured" {
        Some(Reported {
            gateway_payment_id: required(json, &["payment_id"])?,
            amount_paise: integer_paise(json, &["amount"])?,
            currency: required(json, &["currency"])?,
            method: method(text(json, &["method"])),
            utr: utr(text(json, &["utr"])),
            customer_ref: text(json, &["customer_id"]),
            invoice_ref: text(json, &["invoice_number"]),
        })
    } else {
        None
    };
    Ok(Notification { event_id, event_type, captured })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn razorpay_captured_payment_with_notes() {
        let body = json!({"entity": "event", "event": "payment.captured", "payload": {"payment": {"entity": {
            "id": "pay_29QQoUBi66xm2f", "amount": 59000, "currency": "INR", "status": "captured", "method": "upi",
            "acquirer_data": {"rrn": "433412345678"}, "notes": {"customer_id": "1234567890", "invoice_number": "INV/2026-27/000001"}
        }}}});
        let n = read(Provider::Razorpay, body.to_string().as_bytes(), Some("evt_1")).unwrap();
        assert_eq!(n.event_id, "evt_1");
        let p = n.captured.unwrap();
        assert_eq!((p.amount_paise, p.method, p.utr.as_deref()), (59000, PaymentMethod::Upi, Some("433412345678")));
        assert_eq!(p.customer_ref.as_deref(), Some("1234567890"));
        assert_eq!(p.invoice_ref.as_deref(), Some("INV/2026-27/000001"));
    }

    #[test]
    fn razorpay_other_events_and_empty_notes() {
        let failed =
            json!({"event": "payment.failed", "payload": {"payment": {"entity": {"id": "pay_1", "status": "failed"}}}});
        assert_eq!(read(Provider::Razorpay, failed.to_string().as_bytes(), Some("e")).unwrap().captured, None);
        let no_notes = json!({"event": "payment.captured", "payload": {"payment": {"entity": {
            "id": "pay_2", "amount": 100, "currency": "INR", "status": "captured", "method": "card", "notes": []}}}});
        let p = read(Provider::Razorpay, no_notes.to_string().as_bytes(), None).unwrap();
        assert_eq!(p.event_id, "payment.captured:pay_2");
        let p = p.captured.unwrap();
        assert_eq!((p.method, p.customer_ref, p.utr), (PaymentMethod::Online, None, None));
        let fractional = json!({"event": "payment.captured", "payload": {"payment": {"entity": {
            "id": "pay_3", "amount": 10.5, "currency": "INR", "status": "captured"}}}});
        assert!(read(Provider::Razorpay, fractional.to_string().as_bytes(), None).is_err());
        assert!(read(Provider::Razorpay, b"not json", None).is_err());
    }

    #[test]
    fn cashfree_amounts_are_rupees_and_dedupe_on_cf_payment_id() {
        let body = json!({"type": "PAYMENT_SUCCESS_WEBHOOK", "data": {
            "order": {"order_id": "o1", "order_tags": {"customer_id": "1234567890"}},
            "payment": {"cf_payment_id": 5114910, "payment_status": "SUCCESS", "payment_amount": 590.1,
                        "payment_currency": "INR", "payment_group": "upi", "bank_reference": "433412345678"}}});
        let n = read(Provider::Cashfree, body.to_string().as_bytes(), None).unwrap();
        assert_eq!(n.event_id, "PAYMENT_SUCCESS_WEBHOOK:5114910");
        let p = n.captured.unwrap();
        assert_eq!((p.gateway_payment_id.as_str(), p.amount_paise), ("5114910", 59010));
        assert_eq!(p.utr.as_deref(), Some("433412345678"));
        let dropped = json!({"type": "PAYMENT_USER_DROPPED_WEBHOOK", "data": {"payment": {"cf_payment_id": 7, "payment_status": "USER_DROPPED"}}});
        assert_eq!(read(Provider::Cashfree, dropped.to_string().as_bytes(), None).unwrap().captured, None);
        let precise = json!({"type": "PAYMENT_SUCCESS_WEBHOOK", "data": {"payment": {"cf_payment_id": 8,
            "payment_status": "SUCCESS", "payment_amount": 1.005, "payment_currency": "INR"}}});
        assert!(read(Provider::Cashfree, precise.to_string().as_bytes(), None).is_err());
    }

    #[test]
    fn generic_needs_its_event_header() {
        let body =
            json!({"event": "payment.captured", "payment_id": "g1", "amount": 1000, "currency": "INR", "utr": "12345"});
        assert!(read(Provider::GenericHmac, body.to_string().as_bytes(), None).is_err());
        let p = read(Provider::GenericHmac, body.to_string().as_bytes(), Some("w1")).unwrap().captured.unwrap();
        assert_eq!((p.amount_paise, p.utr), (1000, None), "a UTR is 12 digits");
    }

    #[test]
    fn text_is_kept_visible_and_bounded() {
        assert_eq!(clean(" pay\u{0}_1\u{200B}\n ").as_deref(), Some("pay_1"));
        assert_eq!(clean("\u{7}\u{FEFF}"), None);
        assert_eq!(clean(&"x".repeat(500)).map(|t| t.len()), Some(MAX_TEXT));
    }
}
