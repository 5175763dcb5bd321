//! Websocket logins are checked again for every operation: a socket opened with a token that
//! is later revoked, expired, or whose account is deactivated or demoted, stops getting data
//! at the next operation (the token comes once, in `connection_init`).

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
use async_graphql::{Request, ServerError, ServerResult};

use super::authenticate;
use crate::db::Db;
use crate::error::{to_graphql_error, AppError};

/// What a websocket connection keeps from its `connection_init`.
#[derive(Debug, Clone)]
pub struct WebsocketLogin {
    pub token: String,
    pub client_address: String,
}

pub struct PerOperationAuth;

impl ExtensionFactory for PerOperationAuth {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerOperationAuth)
    }
}

#[async_trait::async_trait]
impl Extension for PerOperationAuth {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        // Only websocket operations carry a `WebsocketLogin` (in the connection's data).
        if let (Some(login), Some(db)) = (ctx.data_opt::<WebsocketLogin>(), ctx.data_opt::<Db>()) {
            let auth = authenticate(db, Some(&login.token), login.client_address.clone()).await.map_err(|e| {
                let error = to_graphql_error(&e);
                let mut server_error = ServerError::new(error.message, None);
                server_error.extensions = error.extensions;
                server_error
            })?;
            if auth.principal.is_none() {
                let error = to_graphql_error(&AppError::Unauthenticated);
                let mut server_error = ServerError::new("your session has ended; log in again", None);
                server_error.extensions = error.extensions;
                return Err(server_error);
            }
            request.data.insert(auth);
            crate::graphql::loaders::install(&mut request.data, db);
        }
        next.run(ctx, request).await
    }
}
