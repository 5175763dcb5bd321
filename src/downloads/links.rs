//! Signing and reading download links.
//!
//! A link is the download's path and query followed by `expires` (Unix seconds), `session`
//! (the session it acts for) and, last, `signature`: HMAC-SHA256 of everything before it,
//! keyed by the session's token hash, which only the server holds. It acts for that session
//! alone: it stops working when it expires, or earlier when the session ends (logout, password
//! change, deactivation, the session's own expiry), and it reaches only what the session's
//! account may read.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How links are made (`ISP_DOWNLOAD_LINK_SECONDS`, `ISP_PUBLIC_URL`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a link works (never past its session's end).
    pub lifetime: std::time::Duration,
    /// What a link starts with: the server's public address, or nothing (a path).
    pub public_url: String,
}

/// The query parameters a signed link adds (the download endpoints accept them besides their own).
pub const PARAMS: [&str; 3] = ["expires", "session", "signature"];

/// The paths a download link may point to (the download routes).
pub const PREFIXES: [&str; 3] = ["/invoices/", "/credit-notes/", "/reports/"];

/// `path_and_query` signed for `session_id` (whose token hash is `key`) until `expires`.
pub fn sign(path_and_query: &str, session_id: i64, key: &str, expires: i64) -> String {
    let separator = if path_and_query.contains('?') { '&' } else { '?' };
    let unsigned = format!("{path_and_query}{separator}expires={expires}&session={session_id}");
    let signature = crate::hex::encode(&mac(key, &unsigned).finalize().into_bytes());
    format!("{unsigned}&signature={signature}")
}

/// What a signed link says of itself; trust none of it before [`Link::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Everything the signature covers.
    pub unsigned: String,
    pub session_id: i64,
    /// Unix seconds.
    pub expires: i64,
    signature: Vec<u8>,
}

impl Link {
    /// The signed parts of a request's path and query: `Ok(None)` when it carries no
    /// `signature`, an error (naming the parameter) when it carries one badly.
    pub fn read(path_and_query: &str) -> Result<Option<Link>, (&'static str, String)> {
        let at = ["&signature=", "?signature="].iter().filter_map(|m| path_and_query.rfind(m)).max();
        let Some(at) = at else {
            return Ok(None);
        };
        let (unsigned, signature) = (&path_and_query[..at], &path_and_query[at + "&signature=".len()..]);
        let signature = crate::hex::decode(signature)
            .filter(|s| s.len() == 32)
            .ok_or(("signature", "`signature` must be the one the download link came with, as it came".to_owned()))?;
        let query = unsigned.split_once('?').map_or("", |(_, q)| q);
        let value = |name: &'static str| {
            let found = query.split('&').filter_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')).next_back();
            found
                .and_then(|v| v.parse::<i64>().ok())
                .ok_or((name, format!("a download link needs `{name}` (ask for a new link)")))
        };
        Ok(Some(Link {
            unsigned: unsigned.to_owned(),
            session_id: value("session")?,
            expires: value("expires")?,
            signature,
        }))
    }

    /// Whether the signature is the one `key` (the session's token hash) makes.
    pub fn verify(&self, key: &str) -> bool {
        mac(key, &self.unsigned).verify_slice(&self.signature).is_ok()
    }
}

fn mac(key: &str, unsigned: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"isp-billing download link\n");
    mac.update(unsigned.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::{sign, Link};

    #[test]
    fn a_signed_link_reads_back_and_verifies() {
        let url = sign("/reports/dues.csv?asOf=2026-04-01", 7, "key-one", 1_900_000_000);
        assert!(url.starts_with("/reports/dues.csv?asOf=2026-04-01&expires=1900000000&session=7&signature="), "{url}");
        let link = Link::read(&url).unwrap().unwrap();
        assert_eq!((link.session_id, link.expires), (7, 1_900_000_000));
        assert!(link.verify("key-one"));
        assert!(!link.verify("key-two"), "another session's key");
        let tampered = url.replace("asOf=2026-04-01", "asOf=2026-04-02");
        assert!(!Link::read(&tampered).unwrap().unwrap().verify("key-one"));
        let later = url.replace("expires=1900000000", "expires=1900000999");
        assert!(!Link::read(&later).unwrap().unwrap().verify("key-one"));
        let plain = sign("/invoices/SW52b2ljZTox.pdf", 1, "k", 5);
        assert!(plain.starts_with("/invoices/SW52b2ljZTox.pdf?expires=5&session=1&signature="), "{plain}");
        assert_eq!(Link::read("/invoices/SW52b2ljZTox.pdf").unwrap(), None);
        assert_eq!(Link::read("/invoices/x.pdf?signature=zz").unwrap_err().0, "signature");
        let no_session = format!("/invoices/x.pdf?expires=5&signature={}", "ab".repeat(32));
        assert_eq!(Link::read(&no_session).unwrap_err().0, "session");
    }
}
