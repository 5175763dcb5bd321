//! What an e-invoicing company must have, and what the IRP's answer must look like before it
//! is recorded. Pure functions.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime};

use crate::error::{AppError, AppResult};

/// Longest signed QR code accepted (the IRP's are about 1,000 characters).
pub const MAX_SIGNED_QR: usize = 8_000;

/// A company may switch e-invoicing on only with a GSTIN (it reports its own supplies) and an
/// address with its PIN code (the e-invoice's `SellerDtls.Pin` and `Loc`).
pub fn company_may_einvoice(einvoicing: bool, gstin: Option<&str>, address: Option<&str>) -> AppResult<()> {
    if !einvoicing {
        return Ok(());
    }
    if gstin.is_none() {
        return Err(AppError::bad_input(
            "einvoicing",
            "`einvoicing` needs a GSTIN: e-invoices report a registered supplier's B2B supplies",
        ));
    }
    let lines: Vec<String> = address.unwrap_or("").lines().map(str::to_owned).collect();
    if super::address::split(&lines, "", 50).pin.is_none() {
        return Err(AppError::bad_input(
            "einvoicing",
            "`einvoicing` needs the company's `address` to end with its 6-digit PIN code (e.g. \"Nagpur 440010\"): \
             an e-invoice names the supplier's PIN",
        ));
    }
    Ok(())
}

/// An Invoice Reference Number: 64 hexadecimal characters (a SHA-256), kept in lower case.
pub fn irn(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.len() != 64 || !value.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::bad_input(
            field,
            format!("`{field}` must be the IRN the portal returned: 64 hexadecimal characters"),
        ));
    }
    Ok(value.to_ascii_lowercase())
}

/// An acknowledgement number: digits only (the IRP's are 15), at most 20.
pub fn ack_no(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 20 || !value.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::bad_input(
            field,
            format!("`{field}` must be the acknowledgement number: 1 to 20 digits"),
        ));
    }
    Ok(value.to_owned())
}

/// The acknowledgement time (UTC): not before the document's date `dated` (India), not after
/// `now` (with ten minutes for clocks that differ).
pub fn ack_date(field: &str, at: NaiveDateTime, dated: NaiveDate, now: NaiveDateTime) -> AppResult<NaiveDateTime> {
    let india = at + chrono::Duration::minutes(330);
    if india.date() < dated {
        return Err(AppError::bad_input(field, format!("`{field}` is before the document's date {dated}")));
    }
    if at > now + chrono::Duration::minutes(10) {
        return Err(AppError::bad_input(field, format!("`{field}` is in the future")));
    }
    Ok(at)
}

/// What a signed QR code says, as far as it is read here.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct QrClaims {
    pub irn: Option<String>,
    pub doc_no: Option<String>,
    pub seller_gstin: Option<String>,
}

/// A signed QR code: a JWS (`header.payload.signature`, base64url) as the IRP returns it.
/// Returns it trimmed, and what its payload says of the document (the IRP puts the e-invoice's
/// particulars under `data`, itself JSON text); the signature is not checked here (that needs
/// the portal's public key).
pub fn signed_qr(field: &str, value: &str) -> AppResult<(String, QrClaims)> {
    let value = value.trim();
    let refuse = || {
        AppError::bad_input(
            field,
            format!("`{field}` must be the signed QR code the portal returned (header.payload.signature, base64url)"),
        )
    };
    if value.is_empty() || value.len() > MAX_SIGNED_QR {
        return Err(refuse());
    }
    let parts: Vec<&str> = value.split('.').collect();
    let base64url = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if parts.len() != 3 || !parts.iter().all(|p| base64url(p)) {
        return Err(refuse());
    }
    let payload = URL_SAFE_NO_PAD.decode(parts[1].trim_end_matches('=')).map_err(|_| refuse())?;
    let payload: serde_json::Value = serde_json::from_slice(&payload).map_err(|_| refuse())?;
    let data = match payload.get("data") {
        Some(serde_json::Value::String(text)) => serde_json::from_str(text).unwrap_or(serde_json::Value::Null),
        Some(other) => other.clone(),
        None => serde_json::Value::Null,
    };
    let text = |key: &str| data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Ok((
        value.to_owned(),
        QrClaims {
            irn: text("Irn").map(|i| i.to_ascii_lowercase()),
            doc_no: text("DocNo"),
            seller_gstin: text("SellerGstin"),
        },
    ))
}

/// The QR code must be this document's: where its payload names an IRN, document number or
/// supplier GSTIN, they are the ones recorded.
pub fn qr_matches(field: &str, claims: &QrClaims, irn: &str, number: &str, gstin: Option<&str>) -> AppResult<()> {
    let differs = |claimed: &Option<String>, actual: Option<&str>| {
        claimed.as_deref().is_some_and(|c| actual.is_some_and(|a| !c.eq_ignore_ascii_case(a)))
    };
    if differs(&claims.irn, Some(irn)) {
        return Err(AppError::bad_input(field, format!("`{field}` is the QR code of another IRN")));
    }
    if differs(&claims.doc_no, Some(number)) {
        return Err(AppError::bad_input(
            field,
            format!("`{field}` is the QR code of document {}, not {number}", claims.doc_no.as_deref().unwrap_or("")),
        ));
    }
    if differs(&claims.seller_gstin, gstin) {
        return Err(AppError::bad_input(field, format!("`{field}` is the QR code of another supplier's document")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jws(payload: &serde_json::Value) -> String {
        let enc = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2lnbmF0dXJl", enc(&serde_json::json!({"alg": "RS256", "typ": "JWT"})), enc(payload))
    }

    #[test]
    fn irns_are_64_hex_characters_kept_in_lower_case() {
        let irn = "A".repeat(64);
        assert_eq!(super::irn("irn", &irn).unwrap(), "a".repeat(64));
        assert!(super::irn("irn", &"g".repeat(64)).is_err());
        assert!(super::irn("irn", &"a".repeat(63)).is_err());
    }

    #[test]
    fn acknowledgement_numbers_are_digits() {
        assert_eq!(ack_no("ackNo", " 112010000012345 ").unwrap(), "112010000012345");
        assert!(ack_no("ackNo", "11201-0000").is_err());
        assert!(ack_no("ackNo", "").is_err());
    }

    #[test]
    fn a_signed_qr_code_is_read_and_must_be_the_documents() {
        let data = serde_json::json!({"SellerGstin": "27AAPFU0939F1ZV", "DocNo": "INV/26-27/000001",
                                      "Irn": "AB".repeat(32)})
        .to_string();
        let qr = jws(&serde_json::json!({"data": data, "iss": "NIC"}));
        let (kept, claims) = signed_qr("signedQrCode", &qr).unwrap();
        assert_eq!(kept, qr);
        assert_eq!(claims.irn.as_deref(), Some("ab".repeat(32).as_str()));
        let irn = "ab".repeat(32);
        assert!(qr_matches("signedQrCode", &claims, &irn, "INV/26-27/000001", Some("27AAPFU0939F1ZV")).is_ok());
        assert!(qr_matches("signedQrCode", &claims, &"cd".repeat(32), "INV/26-27/000001", None).is_err());
        assert!(qr_matches("signedQrCode", &claims, &irn, "INV/26-27/000002", None).is_err());
        // A payload that says nothing of the document is taken as it is.
        let (_, none) = signed_qr("signedQrCode", &jws(&serde_json::json!({"iss": "NIC"}))).unwrap();
        assert_eq!(none, QrClaims::default());
        assert!(signed_qr("signedQrCode", "not a jws").is_err());
        assert!(signed_qr("signedQrCode", "a.b").is_err());
    }

    #[test]
    fn einvoicing_needs_a_gstin_and_a_pin_code() {
        assert!(company_may_einvoice(false, None, None).is_ok());
        assert!(company_may_einvoice(true, None, Some("Nagpur 440010")).is_err());
        assert!(company_may_einvoice(true, Some("27AAPFU0939F1ZV"), Some("Main Road")).is_err());
        assert!(company_may_einvoice(true, Some("27AAPFU0939F1ZV"), Some("Main Road\nNagpur 440010")).is_ok());
    }

    #[test]
    fn acknowledgement_dates_are_not_before_the_document_nor_in_the_future() {
        let now = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap().and_hms_opt(10, 0, 0).unwrap();
        let dated = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        // 00:30 India time on the 5th is 19:00 UTC on the 4th.
        let early_utc = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap().and_hms_opt(19, 0, 0).unwrap();
        assert!(ack_date("ackDate", early_utc, dated, now).is_ok());
        assert!(ack_date("ackDate", early_utc - chrono::Duration::hours(1), dated, now).is_err());
        assert!(ack_date("ackDate", now + chrono::Duration::hours(1), dated, now).is_err());
    }
}
