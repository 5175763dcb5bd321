//! Websocket logins are checked again for every operation: a socket opened with a token that
//! is later revoked, expired, or whose account is deactivated or demoted, stops getting data
//! at the next operation (the token comes once, in `connection_init`).

use async_graphql::{Request, ServerResult};

use super::authenticate;
use crate::db::Db;
use crate::error::{to_server_error, AppError};

/// What a websocket connection keeps from its `connection_init`.
#[derive(Debug, Clone)]
pub struct WebsocketLogin {
    pub token: String,
    pub client_address: String,
}

/// For an operation on a websocket (its connection data holds a [`WebsocketLogin`]), checks
/// the login again and gives the request its own auth data and fresh loaders.
pub async fn prepare(login: Option<&WebsocketLogin>, db: Option<&Db>, mut request: Request) -> ServerResult<Request> {
    let (Some(login), Some(db)) = (login, db) else { return Ok(request) };
    let auth = authenticate(db, Some(&login.token), login.client_address.clone())
        .await
        .map_err(|e| to_server_error(&e, None))?;
    if auth.principal.is_none() {
        return Err(to_server_error(&AppError::Unauthenticated, Some("your session has ended; log in again")));
    }
    request.data.insert(auth);
    // Uncached: a subscription resolves every event afresh.
    crate::graphql::loaders::install_with(&mut request.data, db, false);
    Ok(request)
}
