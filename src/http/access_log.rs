//! One log line per HTTP request: method, path (never the query string, which can carry a
//! GraphQL query's variables), status, latency, and what the handler noted on the way: the
//! GraphQL operation's name, type and root fields, the account, and the error codes answered.
//! Never variables, headers, tokens or passwords.
//!
//! The handlers note what they learn through [`note_account`], [`note_operation`] and
//! [`note_errors`]; those write into a task-local record that [`log_request`] sets up around
//! the request (outside a request they do nothing).

use std::cell::RefCell;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::Principal;

/// Target of the request lines (`RUST_LOG=isp_billing::access=off` silences them).
pub const TARGET: &str = "isp_billing::access";

/// Longest operation name or path written (longer ones are cut, marked with `…`).
const MAX_TEXT: usize = 100;

/// Root fields named at most (then `…`).
const MAX_FIELDS: usize = 8;

#[derive(Default)]
struct Note {
    account: Option<String>,
    operation: Option<String>,
    operation_type: Option<&'static str>,
    fields: Vec<String>,
    errors: Vec<String>,
}

tokio::task_local! {
    static NOTE: RefCell<Note>;
}

fn with_note(f: impl FnOnce(&mut Note)) {
    let _ = NOTE.try_with(|note| f(&mut note.borrow_mut()));
}

/// The caller of this request: `employee:<username>` or `customer:<username>`.
pub fn note_account(principal: &Principal) {
    let account = format!("{}:{}", principal.kind().to_ascii_lowercase(), principal.username());
    with_note(|n| n.account = Some(account));
}

/// The GraphQL operation this request runs: its name (when it has one), its type (`query`,
/// `mutation`, `subscription`) and its root fields (names, not aliases or arguments).
pub fn note_operation<'a>(name: Option<&str>, operation_type: &'static str, fields: impl Iterator<Item = &'a str>) {
    let fields: Vec<String> = fields.take(MAX_FIELDS + 1).map(|f| cut(f).into_owned()).collect();
    with_note(|n| {
        n.operation = name.map(|name| cut(name).into_owned());
        n.operation_type = Some(operation_type);
        n.fields = fields;
    });
}

/// Error codes (`extensions.code`) this request answers with; each is written once.
pub fn note_errors<'a>(codes: impl IntoIterator<Item = &'a str>) {
    with_note(|n| {
        for code in codes {
            if !n.errors.iter().any(|c| c == code) {
                n.errors.push(code.to_owned());
            }
        }
    });
}

/// `text` cut to [`MAX_TEXT`] characters.
fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => format!("{}…", &text[..at]).into(),
        None => text.into(),
    }
}

/// `items` joined with `,`, or `-` when there are none.
fn list(items: &[String], most: usize) -> String {
    if items.is_empty() {
        return "-".to_owned();
    }
    let mut out = items.iter().take(most).cloned().collect::<Vec<_>>().join(",");
    if items.len() > most {
        out.push_str(",…");
    }
    out
}

/// The middleware: runs the request with a fresh record, then writes its line at INFO.
pub async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = cut(request.uri().path()).into_owned();
    let (response, note) = NOTE
        .scope(RefCell::new(Note::default()), async {
            let response = next.run(request).await;
            (response, NOTE.with(|n| n.take()))
        })
        .await;
    let latency_ms = (started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
    tracing::info!(
        target: TARGET,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        latency_ms,
        operation = %note.operation.as_deref().unwrap_or("-"),
        operation_type = %note.operation_type.unwrap_or("-"),
        fields = %list(&note.fields, MAX_FIELDS),
        account = %note.account.as_deref().unwrap_or("-"),
        errors = %list(&note.errors, usize::MAX),
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn cuts_long_text_and_lists() {
        assert_eq!(super::cut("short"), "short");
        let long = "é".repeat(150);
        assert_eq!(super::cut(&long).chars().count(), super::MAX_TEXT + 1);
        assert_eq!(super::list(&[], 3), "-");
        let items: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(super::list(&items, 3), "a,b,c,…");
        assert_eq!(super::list(&items, usize::MAX), "a,b,c,d");
    }

    #[tokio::test]
    async fn notes_outside_a_request_do_nothing() {
        super::note_errors(["NOT_FOUND"]);
        super::note_operation(Some("x"), "query", ["me"].into_iter());
    }
}
