//! Who is asking: a request's bearer token (or a download link) resolved, through its session,
//! to a [`RequestAuth`].

use super::{repo, token, LinkKey, RequestAuth};
use crate::db::Db;
use crate::downloads::links::Link;
use crate::error::{AppResult, NoLogin};

/// Resolves a bearer token to its principal; an unknown, expired or revoked token, or one of
/// a deactivated account, gives an anonymous request that knows why (`no_login`).
pub async fn authenticate(db: &Db, token: Option<&str>, client_address: String) -> AppResult<RequestAuth> {
    let Some(token) = token else {
        return Ok(RequestAuth { client_address, ..RequestAuth::default() });
    };
    let token_hash = token::hash(token);
    let found = db.read(move |conn| repo::session_principal(conn, &token_hash, crate::clock::now())).await?;
    Ok(match found {
        Ok((session, principal)) => RequestAuth {
            principal: Some(principal),
            session_id: Some(session.id),
            client_address,
            no_login: NoLogin::NoToken,
            link_key: Some(LinkKey { token_hash: session.token_hash, session_expires: session.expires_at }),
        },
        Err(why) => RequestAuth { client_address, no_login: why, ..RequestAuth::default() },
    })
}

/// Resolves a download link to the principal of the session it was signed for: refused
/// (`LINK_INVALID`) unless that session's key made its signature, then `LINK_EXPIRED` past its
/// time, then whatever ended the session (`TOKEN_EXPIRED`, `TOKEN_REVOKED`). A request that
/// came with a link cannot make links.
pub async fn authenticate_link(db: &Db, link: Link, client_address: String) -> AppResult<RequestAuth> {
    let now = crate::clock::now();
    let found = db
        .read(move |conn| {
            let found = repo::session_by_id(conn, link.session_id)?;
            if !found.as_ref().is_some_and(|(s, _, _)| link.verify(&s.token_hash)) {
                return Ok(Err(NoLogin::LinkInvalid));
            }
            if link.expires < now.and_utc().timestamp() {
                return Ok(Err(NoLogin::LinkExpired));
            }
            Ok(repo::live_with_account(found, now))
        })
        .await?;
    Ok(match found {
        Ok((session, principal)) => RequestAuth {
            principal: Some(principal),
            session_id: Some(session.id),
            client_address,
            no_login: NoLogin::NoToken,
            link_key: None,
        },
        Err(why) => RequestAuth { client_address, no_login: why, ..RequestAuth::default() },
    })
}
