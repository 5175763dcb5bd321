//! Who is asking: a request's bearer token resolved, through its session, to a [`RequestAuth`].

use super::{repo, token, RequestAuth};
use crate::db::Db;
use crate::error::AppResult;

/// Resolves a bearer token to its principal; an unknown, expired or revoked token, or one of
/// a deactivated account, gives an anonymous request.
pub async fn authenticate(db: &Db, token: Option<&str>, client_address: String) -> AppResult<RequestAuth> {
    let Some(token) = token else {
        return Ok(RequestAuth { client_address, ..RequestAuth::default() });
    };
    let token_hash = token::hash(token);
    let found = db.read(move |conn| repo::session_principal(conn, &token_hash, crate::clock::now())).await?;
    Ok(match found {
        Some((session_id, principal)) => {
            RequestAuth { principal: Some(principal), session_id: Some(session_id), client_address }
        }
        None => RequestAuth { client_address, ..RequestAuth::default() },
    })
}
