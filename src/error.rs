//! One error type for the whole app, and every `extensions.code` a client can receive.
//! `crate::graphql::errors` turns an [`AppError`] into a GraphQL error; internal failures are
//! logged with their detail and reach the client only as "internal server error": no SQL, no
//! stack, no file paths.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// The values of `extensions.code` in error responses, the whole list: clients branch on them,
/// so they never change once published (the README lists them).
pub mod codes {
    /// Not logged in, a wrong username or password, or a session that ended.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// Logged in, but the role does not allow it.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// A bad argument or input field; `extensions.field` names it.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The change conflicts with the data (taken name, row in use, wrong status).
    pub const CONFLICT: &str = "CONFLICT";
    pub const TOO_MANY_REQUESTS: &str = "TOO_MANY_REQUESTS";
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    /// The query text could not be parsed (or is beyond the size limits).
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The query does not fit the schema or its limits (cost, depth).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The request ran past its deadline and was stopped.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// A subscription fell behind its events and was ended.
    pub const LAGGED: &str = "LAGGED";
    /// An HTTP body or query string that is not a GraphQL request.
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    /// A mutation sent with GET.
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    /// The server is at a limit (connections, database connections, document rendering); try
    /// again after the `Retry-After` seconds (HTTP 503).
    pub const BUSY: &str = "BUSY";

    /// Every code above.
    pub const ALL: [&str; 15] = [
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        BAD_USER_INPUT,
        CONFLICT,
        TOO_MANY_REQUESTS,
        INTERNAL_SERVER_ERROR,
        GRAPHQL_PARSE_FAILED,
        GRAPHQL_VALIDATION_FAILED,
        TIMEOUT,
        LAGGED,
        BAD_REQUEST,
        PAYLOAD_TOO_LARGE,
        METHOD_NOT_ALLOWED,
        BUSY,
    ];
}

/// Everything that can go wrong while answering a request.
///
/// It deliberately does not implement `Display`: async-graphql converts any `Display` type
/// into an error without a code, so `?` in a resolver must go through our `From` instead.
#[derive(Debug)]
pub enum AppError {
    /// The request needs a login it does not have; why is `extensions.reason`.
    Unauthenticated(NoLogin),
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
    /// The server is at a limit (no database connection free in time, the rendering pool
    /// full); nothing was done, try again shortly (HTTP 503 with `Retry-After`).
    Busy(String),
    /// A database error nobody translated; logged, never shown.
    Database(DieselError),
    Internal(String),
}

/// Why a request that needs a login has none: `extensions.reason` of `UNAUTHENTICATED`, so a
/// frontend can tell "show the login page" from an error. Never changes once published (the
/// README lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoLogin {
    /// No `Authorization` header (or websocket token) was sent.
    #[default]
    NoToken,
    /// The session ran out (`ISP_TOKEN_TTL_HOURS` after login).
    TokenExpired,
    /// The session was ended: logout, a password change, the account deactivated.
    TokenRevoked,
    /// A token this server never gave (mistyped, or of another installation).
    TokenInvalid,
    /// A download link past its time.
    LinkExpired,
    /// A download link altered, or not made by this server.
    LinkInvalid,
}

impl NoLogin {
    /// Every reason, as [`NoLogin::reason`] spells it (plus `INVALID_CREDENTIALS`, a login's).
    pub const ALL: [&'static str; 7] = [
        "NO_TOKEN",
        "TOKEN_EXPIRED",
        "TOKEN_REVOKED",
        "TOKEN_INVALID",
        "LINK_EXPIRED",
        "LINK_INVALID",
        INVALID_CREDENTIALS,
    ];

    /// The value of `extensions.reason`.
    pub fn reason(self) -> &'static str {
        match self {
            NoLogin::NoToken => "NO_TOKEN",
            NoLogin::TokenExpired => "TOKEN_EXPIRED",
            NoLogin::TokenRevoked => "TOKEN_REVOKED",
            NoLogin::TokenInvalid => "TOKEN_INVALID",
            NoLogin::LinkExpired => "LINK_EXPIRED",
            NoLogin::LinkInvalid => "LINK_INVALID",
        }
    }

    /// What to tell the person.
    pub fn message(self) -> &'static str {
        match self {
            NoLogin::NoToken => "you must be logged in",
            NoLogin::TokenExpired => "your session expired, log in again",
            NoLogin::TokenRevoked => {
                "your session has ended (logged out, password changed or account deactivated), log in again"
            }
            NoLogin::TokenInvalid => "this login token is not valid, log in again",
            NoLogin::LinkExpired => "this download link expired; open the download again from the app for a new one",
            NoLogin::LinkInvalid => {
                "this download link is not valid (altered, or not one of ours); ask the app for a new one"
            }
        }
    }
}

/// `extensions.reason` of a login with a wrong username or password.
pub const INVALID_CREDENTIALS: &str = "INVALID_CREDENTIALS";

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

    /// No pooled connection came free in time: the caller may try again (`BUSY`).
    pub(crate) fn pool(e: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(error = %e, "no database connection came free in time");
        AppError::busy_database()
    }

    /// Every database connection this kind of work may use is taken.
    pub(crate) fn busy_database() -> Self {
        AppError::Busy("the server is busy (every database connection is in use); try again in a moment".into())
    }

    pub(crate) fn join(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("database task failed: {e}"))
    }

    /// What goes into `extensions` besides `code`: `field` of bad input, `reason` of
    /// `UNAUTHENTICATED`.
    pub fn details(&self) -> Option<(&'static str, &str)> {
        match self {
            AppError::BadInput { field, .. } => Some(("field", field)),
            AppError::Unauthenticated(why) => Some(("reason", why.reason())),
            AppError::InvalidCredentials => Some(("reason", INVALID_CREDENTIALS)),
            _ => None,
        }
    }

    /// Whether the database refused because of a concurrent writer (worth retrying).
    pub fn is_contention(&self) -> bool {
        matches!(self, AppError::Database(e) if is_contention(e))
    }

    /// What went wrong, in words (internal details included: log it, do not send it).
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated(why) => why.message().to_owned(),
            AppError::InvalidCredentials => "invalid username or password".to_owned(),
            AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::TooManyRequests(m)
            | AppError::Busy(m)
            | AppError::Internal(m) => m.clone(),
            AppError::BadInput { message, .. } => message.clone(),
            AppError::Database(e) => format!("database error: {e}"),
        }
    }

    /// The value of `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) | AppError::InvalidCredentials => codes::UNAUTHENTICATED,
            AppError::Forbidden(_) => codes::FORBIDDEN,
            AppError::NotFound(_) => codes::NOT_FOUND,
            AppError::BadInput { .. } => codes::BAD_USER_INPUT,
            AppError::Conflict(_) => codes::CONFLICT,
            AppError::TooManyRequests(_) => codes::TOO_MANY_REQUESTS,
            AppError::Busy(_) => codes::BUSY,
            AppError::Database(_) | AppError::Internal(_) => codes::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An [`AppError`] on a command-line path (`anyhow`): its message, with the database error
/// underneath kept as the source, so `{:#}` shows the whole chain.
#[derive(Debug)]
struct CliError(AppError);

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            AppError::Database(_) => f.write_str("database error"),
            other => f.write_str(&other.message()),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0 {
            AppError::Database(e) => Some(e),
            _ => None,
        }
    }
}

impl From<AppError> for anyhow::Error {
    fn from(e: AppError) -> Self {
        anyhow::Error::new(CliError(e))
    }
}

/// Whether a database error means "try the transaction again".
fn is_contention(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("database is locked")
                || m.contains("deadlock detected")
                || m.contains("database table is locked")
        }
        _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_every_code() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let conventions = &readme[readme.find("## API conventions").unwrap()..readme.find("## Limits").unwrap()];
        for code in codes::ALL {
            assert!(conventions.contains(&format!("`{code}`")), "README's API conventions do not name `{code}`");
        }
    }

    #[test]
    fn the_readme_lists_every_reason() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let conventions = &readme[readme.find("## API conventions").unwrap()..readme.find("## Limits").unwrap()];
        for reason in NoLogin::ALL {
            assert!(conventions.contains(&format!("`{reason}`")), "README's API conventions do not name `{reason}`");
        }
        let all = [
            NoLogin::NoToken,
            NoLogin::TokenExpired,
            NoLogin::TokenRevoked,
            NoLogin::TokenInvalid,
            NoLogin::LinkExpired,
            NoLogin::LinkInvalid,
        ];
        assert!(all.iter().all(|r| NoLogin::ALL.contains(&r.reason())));
    }

    #[test]
    fn command_line_errors_keep_their_cause() {
        let e = anyhow::Error::from(AppError::Database(DieselError::NotFound)).context("copying the database");
        assert_eq!(format!("{e:#}"), "copying the database: database error: Record not found");
        let e = anyhow::Error::from(AppError::bad_input("password", "too short"));
        assert_eq!(format!("{e:#}"), "too short");
    }
}
