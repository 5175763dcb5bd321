//! One error type for the whole app, mapped to GraphQL errors with `extensions.code`.
//!
//! Internal failures are logged with their detail and reach the client only as
//! "internal server error": no SQL, no stack, no file paths.

use async_graphql::ErrorExtensions;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Everything that can go wrong while answering a request.
///
/// It deliberately does not implement `Display`: async-graphql converts any `Display` type
/// into an error without a code, so `?` in a resolver must go through our `From` instead.
#[derive(Debug)]
pub enum AppError {
    Unauthenticated,
    /// A login with a wrong username or password (the same for both).
    InvalidCredentials,
    Forbidden(String),
    NotFound(String),
    /// Bad input; `field` names the argument or input field at fault (e.g. `price`).
    BadInput {
        field: String,
        message: String,
    },
    Conflict(String),
    /// Too many attempts (failed logins); try again later.
    TooManyRequests(String),
    /// A database error nobody translated; logged, never shown.
    Database(DieselError),
    Internal(String),
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        AppError::Database(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadInput { field: field.into(), message: message.into() }
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }

    pub(crate) fn pool(e: diesel::r2d2::PoolError) -> Self {
        AppError::Internal(format!("no database connection: {e}"))
    }

    pub(crate) fn join(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("database task failed: {e}"))
    }

    /// Whether the database refused because of a concurrent writer (worth retrying).
    pub fn is_contention(&self) -> bool {
        matches!(self, AppError::Database(e) if crate::db::is_contention(e))
    }

    /// What went wrong, in words (internal details included: log it, do not send it).
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "you must be logged in".to_owned(),
            AppError::InvalidCredentials => "invalid username or password".to_owned(),
            AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::TooManyRequests(m)
            | AppError::Internal(m) => m.clone(),
            AppError::BadInput { message, .. } => message.clone(),
            AppError::Database(e) => format!("database error: {e}"),
        }
    }

    /// The value of `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::TooManyRequests(_) => "TOO_MANY_REQUESTS",
            AppError::Database(_) | AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// Whether a database error is a unique-constraint violation.
pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(e, DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
}

/// Turns a unique-constraint violation into `Conflict(message)`; other errors pass through.
pub fn on_unique_violation(e: DieselError, message: impl FnOnce() -> String) -> AppError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => AppError::Conflict(message()),
        other => other.into(),
    }
}

/// Turns a foreign-key violation into `Conflict(message)`; other errors pass through.
/// (SQLite reports a violated `ON DELETE RESTRICT` with a generic code, hence the text check.)
pub fn on_foreign_key_violation(e: DieselError, message: impl FnOnce() -> String) -> AppError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => AppError::Conflict(message()),
        DieselError::DatabaseError(_, ref info) if info.message().contains("FOREIGN KEY constraint failed") => {
            AppError::Conflict(message())
        }
        other => other.into(),
    }
}

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
        if let AppError::BadInput { field, .. } = e {
            ext.set("field", field.as_str());
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
