//! Websocket logins are checked again for every operation: a socket opened with a token that
//! is later revoked, expired, or whose account is deactivated or demoted, stops getting data
//! at the next operation (the token comes once, in `connection_init`).

use async_graphql::{Request, ServerResult};

use super::errors::to_server_error;
use crate::auth::session::authenticate;
use crate::auth::RequestAuth;
use crate::db::Db;
use crate::error::AppError;

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
        return Err(to_server_error(&AppError::Unauthenticated(auth.no_login), None));
    }
    // A subscription resolves its events with the socket's loaders (in the connection's data,
    // emptied at each new event and shared by the socket's subscriptions); a query or mutation
    // gets fresh ones of its own.
    if !is_subscription(&request, &auth) {
        crate::graphql::loaders::install(&mut request.data, db);
    }
    request.data.insert(auth);
    Ok(request)
}

/// Whether the operation `request` will run is a subscription. A document that does not pass
/// the query guard is not one (the guard refuses it again when the request is parsed).
fn is_subscription(request: &Request, auth: &RequestAuth) -> bool {
    use async_graphql::parser::types::OperationType;
    let Ok(doc) = super::parse::guarded_parse(&request.query, &request.variables, Some(auth)) else {
        return false;
    };
    let chosen = match &request.operation_name {
        Some(name) => doc.operations.iter().find(|(n, _)| n.is_some_and(|n| n.as_str() == name)).map(|(_, op)| op),
        None => doc.operations.iter().next().map(|(_, op)| op),
    };
    chosen.is_some_and(|op| op.node.ty == OperationType::Subscription)
}
