//! `downloadUrl(path:)`, and the signing behind `Invoice.pdfUrl` and its kin: links made for
//! the caller's session (see `links`).

use async_graphql::{Context, Object, Result};

use super::links::{self, Settings};
use crate::auth::guard::{principal, request_auth};
use crate::error::AppError;

/// Longest path (with its query) a link is made for.
const MAX_PATH: usize = 2_000;

/// A link to `path` signed for the caller's session.
pub fn signed(ctx: &Context<'_>, path: &str) -> Result<String> {
    principal(ctx)?;
    let auth = request_auth(ctx);
    let (Some(session_id), Some(key)) = (auth.session_id, auth.link_key.as_ref()) else {
        let message = "download links are made for a logged-in session, not for a request that came with a link";
        return Err(AppError::Forbidden(message.into()).into());
    };
    let settings = ctx.data::<Settings>()?;
    let lifetime = chrono::Duration::from_std(settings.lifetime).unwrap_or(chrono::Duration::minutes(5));
    let expires = (crate::clock::now() + lifetime).min(key.session_expires).and_utc().timestamp();
    Ok(format!("{}{}", settings.public_url, links::sign(path, session_id, &key.token_hash, expires)))
}

/// Why `path` cannot be signed, if it cannot.
fn refusal(path: &str) -> Option<String> {
    if path.len() > MAX_PATH {
        return Some(format!("`path` is longer than {MAX_PATH} characters"));
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#') {
        return Some("`path` must be a path and query as in a URL, without spaces or `#`".to_owned());
    }
    if !links::PREFIXES.iter().any(|p| path.starts_with(p)) {
        return Some(format!("`path` must be a download: it starts with one of {}", links::PREFIXES.join(", ")));
    }
    let query = path.split_once('?').map_or("", |(_, q)| q);
    let signed = query.split('&').any(|p| links::PARAMS.contains(&p.split('=').next().unwrap_or(p)));
    signed.then(|| "`path` is already a download link (it has `expires`, `session` or `signature`)".to_owned())
}

#[derive(Default)]
pub struct DownloadQuery;

#[Object]
impl DownloadQuery {
    /// A short-lived link to a download that opens without an `Authorization` header, for
    /// `<a href>` or opening in a new tab: `path` is the download's path and query as the README
    /// lists them, e.g. `/reports/dues.csv?asOf=2026-04-01`, `/invoices/<id>.html`,
    /// `/reports/gstr1.json?companyId=<id>&period=2026-04` (for a document's PDF,
    /// `Invoice.pdfUrl` is shorter). The link acts for your session only: it works for
    /// `ISP_DOWNLOAD_LINK_SECONDS` (5 minutes by default, never past your session's end),
    /// stops when you log out, and reaches only what your account may download. Changing any
    /// part of it breaks it. A path on the API's address, or a full URL when the server has
    /// `ISP_PUBLIC_URL`.
    async fn download_url(&self, ctx: &Context<'_>, path: String) -> Result<String> {
        principal(ctx)?;
        if let Some(message) = refusal(&path) {
            return Err(AppError::bad_input("path", message).into());
        }
        signed(ctx, &path)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signs_downloads_only() {
        assert_eq!(super::refusal("/reports/dues.csv?asOf=2026-04-01"), None);
        assert_eq!(super::refusal("/invoices/SW52b2ljZTox.pdf"), None);
        assert!(super::refusal("/graphql?query={me{username}}").is_some());
        assert!(super::refusal("https://example.com/reports/dues.csv").is_some());
        assert!(super::refusal("/reports/dues.csv?expires=1").is_some());
        assert!(super::refusal("/reports/dues .csv").is_some());
    }
}
