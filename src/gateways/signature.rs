//! How each provider signs a notification, checked against the raw bytes received and in
//! constant time (`Mac::verify_slice`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far a signed timestamp may be from our clock (either way) before the notification is
/// refused as stale (a replay of an old capture, or a clock badly off).
pub const MAX_SKEW_SECONDS: i64 = 5 * 60;

fn mac(secret: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// Razorpay: `X-Razorpay-Signature` is the hex HMAC-SHA256 of the body under the webhook secret.
pub fn razorpay(secret: &str, body: &[u8], signature: &str) -> bool {
    crate::hex::decode(signature.trim()).is_some_and(|sig| mac(secret.as_bytes(), &[body]).verify_slice(&sig).is_ok())
}

/// Cashfree: `x-webhook-signature` is the base64 HMAC-SHA256 of `x-webhook-timestamp`
/// followed by the body, under the client secret.
pub fn cashfree(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    STANDARD
        .decode(signature.trim())
        .is_ok_and(|sig| mac(secret.as_bytes(), &[timestamp.as_bytes(), body]).verify_slice(&sig).is_ok())
}

/// `GENERIC_HMAC`: `X-Webhook-Signature` is `sha256=` and the hex HMAC-SHA256 of
/// `<X-Webhook-Timestamp>.<body>` under the webhook secret.
pub fn generic(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    signature
        .trim()
        .strip_prefix("sha256=")
        .and_then(crate::hex::decode)
        .is_some_and(|sig| mac(secret.as_bytes(), &[timestamp.as_bytes(), b".", body]).verify_slice(&sig).is_ok())
}

/// Whether a signed timestamp (Unix seconds, or milliseconds as Cashfree sends them) is
/// within [`MAX_SKEW_SECONDS`] of `now` (Unix seconds).
pub fn fresh(timestamp: &str, now: i64) -> bool {
    let Ok(mut at) = timestamp.trim().parse::<i64>() else { return false };
    if at > 100_000_000_000 {
        at /= 1000;
    }
    (now - at).abs() <= MAX_SKEW_SECONDS
}

/// The hex HMAC-SHA256 of `parts` under `secret` (for tests and the examples in docs/GATEWAYS.md).
pub fn hex_hmac(secret: &str, parts: &[&[u8]]) -> String {
    crate::hex::encode(&mac(secret.as_bytes(), parts).finalize().into_bytes())
}

/// The base64 HMAC-SHA256 of `parts` under `secret` (Cashfree's form; for tests and examples).
pub fn base64_hmac(secret: &str, parts: &[&[u8]]) -> String {
    STANDARD.encode(mac(secret.as_bytes(), parts).finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"event":"payment.captured"}"#;

    #[test]
    fn razorpay_is_hex_hmac_of_the_body() {
        let sig = hex_hmac("s3cret", &[BODY]);
        assert!(razorpay("s3cret", BODY, &sig));
        assert!(razorpay("s3cret", BODY, &sig.to_uppercase()));
        assert!(!razorpay("other", BODY, &sig));
        assert!(!razorpay("s3cret", br#"{"event":"payment.captured" }"#, &sig), "a byte changed");
        assert!(!razorpay("s3cret", BODY, &sig[..62]));
        assert!(!razorpay("s3cret", BODY, "zz"));
        assert!(!razorpay("s3cret", BODY, ""));
    }

    #[test]
    fn cashfree_is_base64_hmac_of_timestamp_and_body() {
        let raw = mac(b"cf", &[b"1732867200000", BODY]).finalize().into_bytes();
        let sig = STANDARD.encode(raw);
        assert!(cashfree("cf", "1732867200000", BODY, &sig));
        assert!(!cashfree("cf", "1732867200001", BODY, &sig), "the timestamp is signed");
        assert!(!cashfree("cf", "1732867200000", BODY, "not base64!"));
    }

    #[test]
    fn generic_is_prefixed_hex_hmac_of_timestamp_dot_body() {
        let sig = format!("sha256={}", hex_hmac("g", &[b"1732867200", b".", BODY]));
        assert!(generic("g", "1732867200", BODY, &sig));
        assert!(!generic("g", "1732867200", BODY, sig.trim_start_matches("sha256=")));
        assert!(!generic("g", "1732867201", BODY, &sig));
    }

    #[test]
    fn stale_timestamps_are_refused_in_seconds_or_milliseconds() {
        let now = 1_732_867_200;
        assert!(fresh("1732867200", now));
        assert!(fresh("1732867200000", now));
        assert!(fresh(&(now - MAX_SKEW_SECONDS).to_string(), now));
        assert!(!fresh(&(now - MAX_SKEW_SECONDS - 1).to_string(), now));
        assert!(!fresh(&((now + 3600) * 1000).to_string(), now));
        assert!(!fresh("yesterday", now));
    }
}
