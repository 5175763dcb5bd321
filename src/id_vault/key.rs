//! The vault's key (`ISP_ID_VAULT_KEY`, never the gateway secrets key): seals identity document
//! numbers with ChaCha20-Poly1305 (a fresh random nonce per number, the row's token bound as
//! associated data, so a ciphertext copied to another row does not open), and keys the HMACs
//! that let a number be found without being stored (`number_hash`, `last4_hash`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secrets::Secret;

const NONCE_BYTES: usize = 12;

/// A 32-byte vault key.
#[derive(Clone)]
pub struct IdVaultKey {
    key: Key,
    /// What the rows sealed under this key record (`key_id`): an HMAC of a fixed label, so it
    /// names the key without revealing it.
    id: String,
}

impl std::fmt::Debug for IdVaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdVaultKey({})", self.id)
    }
}

impl IdVaultKey {
    /// Reads a key written as 64 hexadecimal digits or as base64 of 32 bytes (what
    /// `openssl rand -hex 32` prints); `variable` names the setting in the error.
    pub fn parse(text: &str, variable: &str) -> Result<IdVaultKey, String> {
        let parsed = crate::secrets::SecretsKey::parse(text).map_err(|_| {
            format!(
                "{variable} must be 32 bytes, written as 64 hex digits or in base64 (make one with `openssl rand -hex 32`)"
            )
        })?;
        let key = *Key::from_slice(&parsed.bytes());
        let id = crate::hex::encode(&mac(&key, b"isp-billing id vault key id")[..8]);
        Ok(IdVaultKey { key, id })
    }

    /// The key's name as recorded on the rows it sealed.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `plain` sealed for the vault row `token`: (nonce, ciphertext with its tag), base64url.
    pub fn seal(&self, plain: &str, token: &str) -> (String, String) {
        let nonce: [u8; NONCE_BYTES] = rand::random();
        let sealed = ChaCha20Poly1305::new(&self.key)
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: token.as_bytes() })
            .unwrap_or_default();
        (URL_SAFE_NO_PAD.encode(nonce), URL_SAFE_NO_PAD.encode(sealed))
    }

    /// The number sealed in `ciphertext` for `token`; `None` under another key or token, or damaged.
    pub fn open(&self, nonce: &str, ciphertext: &str, token: &str) -> Option<Secret> {
        let nonce = URL_SAFE_NO_PAD.decode(nonce).ok().filter(|n| n.len() == NONCE_BYTES)?;
        let body = URL_SAFE_NO_PAD.decode(ciphertext).ok()?;
        let plain = ChaCha20Poly1305::new(&self.key)
            .decrypt(Nonce::from_slice(&nonce), Payload { msg: &body, aad: token.as_bytes() })
            .ok()?;
        String::from_utf8(plain).ok().map(Secret::new)
    }

    /// The keyed hash a number (or its last four characters, `what = "last4"`) is found by.
    pub fn hash(&self, what: &str, text: &str) -> String {
        let search = mac(&self.key, b"isp-billing id vault search");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&search).expect("HMAC takes any key length");
        mac.update(what.as_bytes());
        mac.update(b"\0");
        mac.update(text.as_bytes());
        crate::hex::encode(&mac.finalize().into_bytes())
    }
}

fn mac(key: &Key, label: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_slice()).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().to_vec()
}

/// The vault's keys as the server was started with them: the current key (`ISP_ID_VAULT_KEY`),
/// which seals every new number, and earlier keys (`ISP_ID_VAULT_OLD_KEYS`) whose rows are
/// sealed again under the current one at start.
#[derive(Debug, Clone, Default)]
pub struct IdVault {
    pub current: Option<IdVaultKey>,
    pub old: Vec<IdVaultKey>,
}

impl IdVault {
    /// The key that sealed a row recorded with `key_id`, if the server has it.
    pub fn key(&self, key_id: &str) -> Option<&IdVaultKey> {
        self.current.iter().chain(&self.old).find(|k| k.id() == key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn seals_under_its_key_for_its_token_only() {
        let key = IdVaultKey::parse(HEX, "ISP_ID_VAULT_KEY").unwrap();
        let (nonce, sealed) = key.seal("234567890124", "tok1");
        assert!(!sealed.contains("234567890124") && !sealed.contains("0124"));
        assert_ne!(key.seal("234567890124", "tok1").1, sealed, "a fresh nonce per number");
        assert_eq!(key.open(&nonce, &sealed, "tok1").unwrap().expose(), "234567890124");
        assert!(key.open(&nonce, &sealed, "tok2").is_none());
        let other = IdVaultKey::parse(&"ab".repeat(32), "ISP_ID_VAULT_KEY").unwrap();
        assert!(other.open(&nonce, &sealed, "tok1").is_none());
        assert_ne!(other.id(), key.id());
        assert_eq!(key.id().len(), 16);
        assert_eq!(IdVaultKey::parse(HEX, "X").unwrap().id(), key.id(), "the id is the key's, stable");
        assert!(!format!("{key:?}").contains(HEX));
    }

    #[test]
    fn hashes_are_keyed_and_kept_apart() {
        let key = IdVaultKey::parse(HEX, "ISP_ID_VAULT_KEY").unwrap();
        let other = IdVaultKey::parse(&"ab".repeat(32), "ISP_ID_VAULT_KEY").unwrap();
        assert_eq!(key.hash("number", "234567890124"), key.hash("number", "234567890124"));
        assert_ne!(key.hash("number", "0124"), key.hash("last4", "0124"));
        assert_ne!(key.hash("number", "234567890124"), other.hash("number", "234567890124"));
        assert!(IdVaultKey::parse("short", "ISP_ID_VAULT_KEY").unwrap_err().contains("ISP_ID_VAULT_KEY"));
    }
}
