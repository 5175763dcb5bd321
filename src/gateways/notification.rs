//! A notification read into one shape, whatever the provider (docs/GATEWAYS.md shows each
//! provider's fields). Only the body's form is checked here; whose money it is, and
//! whether it fits, is [`super::webhook`]'s business.

use serde_json::Value;

use super::model::Provider;
use crate::payments::model::PaymentMethod;

/// What a notification says. Ids are exactly what the gateway signed (never cleaned or cut:
/// they are what de-duplication compares); the other texts are kept visible and bounded
/// ([`clean`]), for staff to read and for our own numbers to be looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Unique per notification at the gateway (deliveries of one notification share it): the
    /// event id header, or `<event type>:<payment id>` where the gateway sends none.
    pub event_id: String,
    pub event_type: String,
    /// The payment it reports, when it reports money that arrived (captured, successful);
    /// `None` for failures, authorisations and other events.
    pub captured: Option<Reported>,
}

/// A captured payment as the gateway reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    /// The gateway's id of the payment, exactly as sent (unique per gateway: the same payment
    /// reported by two notifications is one payment).
    pub gateway_payment_id: String,
    /// More than zero and at most [`crate::money::MAX_STORED_PAISE`].
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

/// Longest payment id or event id a gateway may send. A longer one is refused, never cut: two
/// ids alike in their first characters are two payments.
pub const MAX_ID: usize = 255;
/// Longest event type accepted (gateways send short fixed names).
pub const MAX_EVENT_TYPE: usize = 100;
/// Longest event id kept: one the server derives, `<event type>:<payment id>`. The database
/// checks this bound and [`MAX_ID`] too (migration `gateway_ids_whole`).
pub const MAX_EVENT_ID: usize = MAX_EVENT_TYPE + 1 + MAX_ID;

/// Why a notification cannot be read: the field (a JSON path or a header) and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub field: String,
    pub problem: String,
}

impl Unreadable {
    fn new(field: impl Into<String>, problem: impl Into<String>) -> Unreadable {
        Unreadable { field: field.into(), problem: problem.into() }
    }

    fn missing(path: &[&str]) -> Unreadable {
        Unreadable::new(path.join("."), "is missing")
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` {}", self.field, self.problem)
    }
}

/// Reads `body` as `provider` sends it; `event_header` is the event id from the headers
/// (Razorpay's `x-razorpay-event-id`, our `X-Webhook-Id`). `Err` says what is malformed.
pub fn read(provider: Provider, body: &[u8], event_header: Option<&str>) -> Result<Notification, Unreadable> {
    let json: Value = serde_json::from_slice(body).map_err(|e| Unreadable::new("body", format!("is not JSON: {e}")))?;
    match provider {
        Provider::Razorpay => razorpay(&json, event_header),
        Provider::Cashfree => cashfree(&json),
        Provider::GenericHmac => generic(&json, event_header),
        Provider::Phonepe | Provider::Paytm => {
            Err(Unreadable::new("provider", format!("{} notifications are not accepted", provider.as_str())))
        }
    }
}

/// Longest text kept from a notification for reading (references, currency, event type).
const MAX_TEXT: usize = 100;

/// `text` as kept for reading: without control or invisible characters, trimmed, at most
/// [`MAX_TEXT`] characters; `None` when nothing is left. The gateway signs it, but staff read
/// it. Never used on an id that is compared (see [`exact`]).
fn clean(text: &str) -> Option<String> {
    let visible: String = text.chars().filter(|&c| !c.is_control() && !crate::validate::is_hidden(c)).collect();
    let kept: String = visible.trim().chars().take(MAX_TEXT).collect();
    (!kept.is_empty()).then_some(kept)
}

/// A gateway id as staff read it (in reasons and remarks): [`clean`], or `""`.
pub fn shown(id: &str) -> String {
    clean(id).unwrap_or_default()
}

fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |at, key| at.get(key))
}

fn text(value: &Value, path: &[&str]) -> Option<String> {
    match at(value, path)? {
        Value::String(s) => clean(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn required(value: &Value, path: &[&str]) -> Result<String, Unreadable> {
    text(value, path).ok_or_else(|| Unreadable::missing(path))
}

/// An id exactly as sent, at most `max` characters; `None` when it is absent or shows nothing
/// (empty, blanks, invisible characters only).
fn exact(value: &Value, path: &[&str], max: usize) -> Result<Option<String>, Unreadable> {
    let raw = match at(value, path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Ok(None),
    };
    bounded(&path.join("."), raw, max)
}

fn required_id(value: &Value, path: &[&str]) -> Result<String, Unreadable> {
    exact(value, path, MAX_ID)?.ok_or_else(|| Unreadable::missing(path))
}

/// The event id header, exactly as sent; `None` when absent or blank.
fn header_id(name: &str, header: Option<&str>) -> Result<Option<String>, Unreadable> {
    header.map_or(Ok(None), |h| bounded(name, h.to_owned(), MAX_ID))
}

fn bounded(field: &str, raw: String, max: usize) -> Result<Option<String>, Unreadable> {
    if clean(&raw).is_none() {
        return Ok(None);
    }
    if raw.contains('\0') {
        return Err(Unreadable::new(field, "holds a NUL character, which no database keeps"));
    }
    let length = raw.chars().count();
    if length > max {
        return Err(Unreadable::new(
            field,
            format!("is {length} characters long, more than the {max} kept (ids are kept whole, never cut)"),
        ));
    }
    Ok(Some(raw))
}

/// The event type: exactly as sent (for a derived event id) and as kept for reading.
fn event_type(json: &Value, key: &str) -> Result<(String, String), Unreadable> {
    let exact = exact(json, &[key], MAX_EVENT_TYPE)?.ok_or_else(|| Unreadable::missing(&[key]))?;
    let shown = shown(&exact);
    Ok((exact, shown))
}

/// A UTR as the payments table keeps it ([`crate::payments::rules::is_utr`]), else nothing.
fn utr(text: Option<String>) -> Option<String> {
    text.filter(|t| crate::payments::rules::is_utr(t))
}

/// Money that arrived: more than zero, and no more than the database keeps.
fn arrived(path: &[&str], paise: i64) -> Result<i64, Unreadable> {
    if paise <= 0 {
        return Err(Unreadable::new(path.join("."), "must be more than zero for a captured payment"));
    }
    if paise > crate::money::MAX_STORED_PAISE {
        return Err(Unreadable::new(path.join("."), "is more than any amount this server keeps"));
    }
    Ok(paise)
}

fn integer_paise(value: &Value, path: &[&str]) -> Result<i64, Unreadable> {
    let amount = at(value, path).ok_or_else(|| Unreadable::missing(path))?;
    let paise = amount.as_i64().ok_or_else(|| Unreadable::new(path.join("."), "is not a whole number of paise"))?;
    arrived(path, paise)
}

fn rupees(value: &Value, path: &[&str]) -> Result<i64, Unreadable> {
    let amount = required(value, path)?;
    let paise = crate::money::parse_hundredths(&amount).map_err(|e| Unreadable::new(path.join("."), e))?;
    arrived(path, paise)
}

fn method(instrument: Option<String>) -> PaymentMethod {
    match instrument.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("upi") => PaymentMethod::Upi,
        Some("netbanking" | "net_banking") => PaymentMethod::NetBanking,
        _ => PaymentMethod::Online,
    }
}

/// `path` under Razorpay's payment entity.
fn entity(path: &[&'static str]) -> Vec<&'static str> {
    ["payload", "payment", "entity"].iter().chain(path).copied().collect()
}

/// Razorpay: `payment.captured` (or `order.paid`) with the payment entity in
/// `payload.payment.entity`; our references in its `notes`.
fn razorpay(json: &Value, event_header: Option<&str>) -> Result<Notification, Unreadable> {
    let (exact_type, event_type) = event_type(json, "event")?;
    let captured = matches!(event_type.as_str(), "payment.captured" | "order.paid")
        && text(json, &entity(&["status"])).as_deref() == Some("captured");
    let captured = if captured {
        Some(Reported {
            gateway_payment_id: required_id(json, &entity(&["id"]))?,
            amount_paise: integer_paise(json, &entity(&["amount"]))?,
            currency: required(json, &entity(&["currency"]))?,
            method: method(text(json, &entity(&["method"]))),
            utr: utr(text(json, &entity(&["acquirer_data", "rrn"]))),
            customer_ref: text(json, &entity(&["notes", "customer_id"])),
            invoice_ref: text(json, &entity(&["notes", "invoice_number"])),
        })
    } else {
        None
    };
    let event_id = match header_id("x-razorpay-event-id", event_header)? {
        Some(id) => id,
        None => format!("{exact_type}:{}", exact(json, &entity(&["id"]), MAX_ID)?.unwrap_or_default()),
    };
    Ok(Notification { event_id, event_type, captured })
}

/// Cashfree (API version 2023-08-01): `PAYMENT_SUCCESS_WEBHOOK` with `payment_status`
/// `SUCCESS` in `data.payment`; amounts in rupees; our references in `data.order.order_tags`.
/// Cashfree has no event id: one payment's notification is deduplicated on `cf_payment_id`.
fn cashfree(json: &Value) -> Result<Notification, Unreadable> {
    let (exact_type, event_type) = event_type(json, "type")?;
    if json.pointer("/data/payment").is_none() {
        return Err(Unreadable::missing(&["data", "payment"]));
    }
    let cf_payment_id = required_id(json, &["data", "payment", "cf_payment_id"])?;
    let captured = if event_type == "PAYMENT_SUCCESS_WEBHOOK"
        && text(json, &["data", "payment", "payment_status"]).as_deref() == Some("SUCCESS")
    {
        let tags = ["data", "order", "order_tags"];
        Some(Reported {
            gateway_payment_id: cf_payment_id.clone(),
            amount_paise: rupees(json, &["data", "payment", "payment_amount"])?,
            currency: required(json, &["data", "payment", "payment_currency"])?,
            method: method(text(json, &["data", "payment", "payment_group"])),
            utr: utr(text(json, &["data", "payment", "bank_reference"])),
            customer_ref: text(json, &[&tags[..], &["customer_id"]].concat()),
            invoice_ref: text(json, &[&tags[..], &["invoice_number"]].concat()),
        })
    } else {
        None
    };
    Ok(Notification { event_id: format!("{exact_type}:{cf_payment_id}"), event_type, captured })
}

/// `GENERIC_HMAC`: our own flat body (docs/GATEWAYS.md); the event id is `X-Webhook-Id`.
fn generic(json: &Value, event_header: Option<&str>) -> Result<Notification, Unreadable> {
    let event_id =
        header_id("X-Webhook-Id", event_header)?.ok_or_else(|| Unreadable::new("X-Webhook-Id", "header is missing"))?;
    let (_, event_type) = event_type(json, "event")?;
    let captured = if event_type == "payment.captured" {
        Some(Reported {
            gateway_payment_id: required_id(json, &["payment_id"])?,
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

    fn generic_body(payment_id: &str, amount: i64) -> Vec<u8> {
        json!({"event": "payment.captured", "payment_id": payment_id, "amount": amount, "currency": "INR"})
            .to_string()
            .into_bytes()
    }

    fn razorpay_body(payment_id: &str, amount: i64) -> Vec<u8> {
        json!({"event": "payment.captured", "payload": {"payment": {"entity": {
            "id": payment_id, "amount": amount, "currency": "INR", "status": "captured"}}}})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn ids_are_kept_exactly_as_sent() {
        let long = format!("pay_{}", "x".repeat(MAX_ID - 4));
        let p = read(Provider::GenericHmac, &generic_body(&long, 100), Some("w1")).unwrap().captured.unwrap();
        assert_eq!(p.gateway_payment_id, long, "not cut at 100 characters");
        let hidden = "pay_\u{200B}1";
        let p = read(Provider::GenericHmac, &generic_body(hidden, 100), Some(" w\u{200B}1 ")).unwrap();
        assert_eq!(p.event_id, " w\u{200B}1 ", "the event id header is not cleaned either");
        assert_eq!(p.captured.unwrap().gateway_payment_id, hidden);
        // Without an event id header, Razorpay's is derived from the exact type and payment id.
        let n = read(Provider::Razorpay, &razorpay_body(&long, 100), None).unwrap();
        assert_eq!(n.event_id, format!("payment.captured:{long}"));
        assert!(n.event_id.chars().count() <= MAX_EVENT_ID);
        assert_eq!(
            read(Provider::Razorpay, &razorpay_body("pay_1", 100), Some("")).unwrap().event_id,
            "payment.captured:pay_1"
        );
    }

    #[test]
    fn ids_too_long_empty_or_unstorable_are_refused_naming_the_field() {
        let too_long = "y".repeat(MAX_ID + 1);
        let refused = read(Provider::GenericHmac, &generic_body(&too_long, 100), Some("w1")).unwrap_err();
        assert_eq!(refused.field, "payment_id");
        assert!(refused.to_string().contains("256 characters long, more than the 255 kept"), "{refused}");
        let refused = read(Provider::Razorpay, &razorpay_body(&too_long, 100), Some("e1")).unwrap_err();
        assert_eq!(refused.field, "payload.payment.entity.id");
        let refused = read(Provider::Razorpay, &razorpay_body("pay_1", 100), Some(&too_long)).unwrap_err();
        assert_eq!(refused.field, "x-razorpay-event-id");
        let refused = read(Provider::GenericHmac, &generic_body("pay_1", 100), Some(&too_long)).unwrap_err();
        assert_eq!(refused.field, "X-Webhook-Id");
        for empty in ["", "  ", "\u{200B}"] {
            let refused = read(Provider::GenericHmac, &generic_body(empty, 100), Some("w1")).unwrap_err();
            assert_eq!(refused.to_string(), "`payment_id` is missing");
        }
        let refused = read(Provider::GenericHmac, &generic_body("pay\u{0}1", 100), Some("w1")).unwrap_err();
        assert!(refused.problem.contains("NUL"), "{refused}");
    }

    #[test]
    fn captured_money_is_more_than_zero() {
        for amount in [0, -100] {
            let refused = read(Provider::GenericHmac, &generic_body("g1", amount), Some("w1")).unwrap_err();
            assert_eq!(refused.to_string(), "`amount` must be more than zero for a captured payment");
            let refused = read(Provider::Razorpay, &razorpay_body("pay_1", amount), None).unwrap_err();
            assert_eq!(refused.field, "payload.payment.entity.amount");
        }
        let huge = crate::money::MAX_STORED_PAISE + 1;
        assert!(read(Provider::GenericHmac, &generic_body("g1", huge), Some("w1")).is_err());
        let negative = json!({"type": "PAYMENT_SUCCESS_WEBHOOK", "data": {"payment": {"cf_payment_id": 9,
            "payment_status": "SUCCESS", "payment_amount": -5.5, "payment_currency": "INR"}}});
        let refused = read(Provider::Cashfree, negative.to_string().as_bytes(), None).unwrap_err();
        assert_eq!(refused.field, "data.payment.payment_amount");
        // Not captured money carries no amount to check.
        let failed =
            json!({"event": "payment.failed", "payload": {"payment": {"entity": {"id": "pay_1", "amount": -1}}}});
        assert_eq!(read(Provider::Razorpay, failed.to_string().as_bytes(), None).unwrap().captured, None);
    }

    #[test]
    fn ids_are_shown_visible_and_bounded() {
        assert_eq!(shown(" pay_\u{200B}N1\n"), "pay_N1");
        assert_eq!(shown(&"z".repeat(300)).len(), MAX_TEXT);
    }
}
