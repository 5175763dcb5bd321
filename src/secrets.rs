//! Secrets kept at rest (payment gateways' webhook secrets): sealed with ChaCha20-Poly1305
//! under a key from the environment (`ISP_SECRETS_KEY`), never stored or shown in clear.
//!
//! A sealed value is `v1.` followed by base64url(nonce ‖ ciphertext ‖ tag). The nonce is fresh
//! and random per value; `context` (what the secret is for) is bound as associated data, so a
//! value copied into another column does not open.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

const VERSION: &str = "v1.";
const NONCE_BYTES: usize = 12;

/// The key that seals secrets: 32 bytes.
#[derive(Clone)]
pub struct SecretsKey(Key);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

impl SecretsKey {
    /// Reads a key written as 64 hexadecimal digits or as base64 of 32 bytes (what
    /// `openssl rand -hex 32` or `openssl rand -base64 32` prints).
    pub fn parse(text: &str) -> Result<SecretsKey, String> {
        let text = text.trim();
        let bytes = crate::hex::decode(text)
            .or_else(|| STANDARD.decode(text).or_else(|_| URL_SAFE_NO_PAD.decode(text)).ok())
            .unwrap_or_default();
        if bytes.len() != 32 {
            return Err("ISP_SECRETS_KEY must be 32 bytes, written as 64 hex digits or in base64 \
                        (make one with `openssl rand -hex 32`)"
                .to_owned());
        }
        Ok(SecretsKey(*Key::from_slice(&bytes)))
    }

    /// The key's 32 bytes (for a key of another purpose read the same way: the identity vault's).
    pub(crate) fn bytes(&self) -> [u8; 32] {
        self.0.into()
    }

    /// `plain` sealed for `context`.
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let nonce: [u8; NONCE_BYTES] = rand::random();
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: context.as_bytes() })
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The secret inside `sealed` (sealed for `context` under this key); `None` when it was
    /// sealed under another key or for another context, or is damaged.
    pub fn open(&self, sealed: &str, context: &str) -> Option<Secret> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(VERSION)?).ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let cipher = ChaCha20Poly1305::new(&self.0);
        let plain = cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: context.as_bytes() }).ok()?;
        String::from_utf8(plain).ok().map(Secret)
    }
}

/// Whether `value` is in the sealed format (whatever key sealed it).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(VERSION)
}

/// A secret in clear, in memory only: its `Debug` shows nothing of it, so it cannot reach a
/// log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: String) -> Secret {
        Secret(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn seals_and_opens_only_under_the_same_key_and_context() {
        let key = SecretsKey::parse(HEX).unwrap();
        let sealed = key.seal("whsec_123", "gateway");
        assert!(sealed.starts_with("v1.") && !sealed.contains("whsec_123"));
        assert_ne!(sealed, key.seal("whsec_123", "gateway"), "a fresh nonce per value");
        assert_eq!(key.open(&sealed, "gateway").unwrap().expose(), "whsec_123");
        assert!(key.open(&sealed, "other").is_none());
        let other = SecretsKey::parse(&STANDARD.encode([7u8; 32])).unwrap();
        assert!(other.open(&sealed, "gateway").is_none());
        assert!(key.open("v1.AAAA", "gateway").is_none());
        assert!(key.open("garbage", "gateway").is_none());
    }

    #[test]
    fn keys_must_be_32_bytes() {
        assert!(SecretsKey::parse(&HEX[..62]).is_err());
        assert!(SecretsKey::parse("short").is_err());
        assert!(SecretsKey::parse(&STANDARD.encode([1u8; 16])).is_err());
        assert!(SecretsKey::parse(&format!(" {HEX}\n")).is_ok());
    }

    #[test]
    fn debug_hides_secrets() {
        assert_eq!(format!("{:?}", Secret::new("whsec_123".into())), "Secret(..)");
        assert_eq!(format!("{:?}", SecretsKey::parse(HEX).unwrap()), "SecretsKey(..)");
    }
}
