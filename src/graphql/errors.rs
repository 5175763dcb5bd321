//! [`AppError`] as GraphQL sees it: a message and `extensions.code` (plus `extensions.field`
//! for bad input, `extensions.reason` for `UNAUTHENTICATED`). Internal failures are logged
//! with their detail and shown only as "internal server error".

use async_graphql::ErrorExtensions;

use crate::error::AppError;

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        to_graphql_error(&e)
    }
}

/// The client's view of `e`: its message (or "internal server error", logging the detail)
/// with `extensions.code`, and `extensions.field` for bad input.
pub fn to_graphql_error(e: &AppError) -> async_graphql::Error {
    let code = e.code();
    let message = match e {
        AppError::Database(_) | AppError::Internal(_) => {
            tracing::error!(error = %e.message(), "internal error");
            "internal server error".to_owned()
        }
        other => other.message(),
    };
    async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("code", code);
        if let Some((key, value)) = e.details() {
            ext.set(key, value);
        }
    })
}

/// `e` as an error raised outside a resolver (while preparing or parsing a request), with
/// `message` instead of the default one when given; same code, same hiding of internals.
pub fn to_server_error(e: &AppError, message: Option<&str>) -> async_graphql::ServerError {
    let error = to_graphql_error(e);
    let mut server_error = async_graphql::ServerError::new(message.unwrap_or(&error.message), None);
    server_error.extensions = error.extensions;
    server_error
}
