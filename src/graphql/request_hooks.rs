//! The one extension every request passes (one, because async-graphql wraps every field's
//! resolution in each extension, and that showed in profiles):
//! - websocket operations get their login checked again (`auth::websocket`);
//! - right after parsing, anonymous callers are refused private root fields (`auth::default_deny`);
//! - every error gets an `extensions.code`, also those async-graphql raises before any
//!   resolver runs: a query that does not parse, fails validation (too deep, too complex,
//!   unknown field) or carries a badly typed argument (`BAD_USER_INPUT` with `field`).

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest, NextRequest,
    NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables};

use super::{query_guard, RequestTimeout};
use crate::auth::websocket::WebsocketLogin;
use crate::auth::RequestAuth;
use crate::db::Db;

pub struct RequestHooks;

impl ExtensionFactory for RequestHooks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestHooks)
    }
}

fn has_code(e: &ServerError) -> bool {
    e.extensions.as_ref().is_some_and(|ext| ext.get("code").is_some())
}

fn set(e: &mut ServerError, key: &str, value: &str) {
    e.extensions.get_or_insert_with(Default::default).set(key, Value::String(value.to_owned()));
}

/// What a scalar takes, added to async-graphql's bare "expected type" message.
const SCALAR_HINTS: [(&str, &str); 4] = [
    ("\"Money\"", "a decimal with at most two places, like \"1180.00\""),
    ("\"Percent\"", "a percentage with at most two places, like \"18.00\""),
    ("\"DateTime\"", "an RFC 3339 time, like \"2026-04-01T09:30:00Z\""),
    ("\"Date\"", "a date, like \"2026-04-01\""),
];

fn with_hint(message: &str) -> String {
    match SCALAR_HINTS.iter().find(|(ty, _)| message.ends_with(&format!("expected type {ty}"))) {
        Some((_, hint)) => format!("{message}: {hint}"),
        None => message.to_owned(),
    }
}

/// The argument path in `Invalid value for argument "input.price", ...`, without `input.`.
fn bad_argument(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Invalid value for argument \"")?;
    let path = &rest[..rest.find('"')?];
    Some(path.strip_prefix("input.").unwrap_or(path).to_owned())
}

#[async_trait::async_trait]
impl Extension for RequestHooks {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request =
            crate::auth::websocket::prepare(ctx.data_opt::<WebsocketLogin>(), ctx.data_opt::<Db>(), request).await?;
        next.run(ctx, request).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        // Queries and mutations over a websocket run under the same deadline as over HTTP.
        match ctx.data_opt::<RequestTimeout>() {
            Some(&RequestTimeout(limit)) => match tokio::time::timeout(limit, next.run(ctx, operation_name)).await {
                Ok(response) => response,
                Err(_) => Response::from_errors(vec![timeout_error(limit)]),
            },
            None => next.run(ctx, operation_name).await,
        }
    }

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for e in response.errors.iter_mut().filter(|e| !has_code(e)) {
            execution_code(e);
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        _next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Parsed here rather than by `next`: the guard's text limits come before parsing.
        guarded_parse(query, variables, ctx.data_opt::<RequestAuth>())
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for e in &mut errors {
                validation_code(e);
            }
            errors
        })
    }
}

/// Codes an error async-graphql raised while running resolvers: an argument it could not read
/// is bad input; anything else is internal, logged and not shown.
fn execution_code(e: &mut ServerError) {
    if e.message.starts_with("Failed to parse") || e.message.starts_with("Invalid value") {
        set(e, "code", "BAD_USER_INPUT");
    } else {
        tracing::error!(error = %e.message, "internal error without a code");
        e.message = "internal server error".to_owned();
        set(e, "code", "INTERNAL_SERVER_ERROR");
    }
}

/// Codes an error of validation: a badly typed argument is `BAD_USER_INPUT` naming the field.
fn validation_code(e: &mut ServerError) {
    match bad_argument(&e.message) {
        Some(field) => {
            e.message = with_hint(&e.message);
            set(e, "code", "BAD_USER_INPUT");
            set(e, "field", &field);
        }
        None => set(e, "code", "GRAPHQL_VALIDATION_FAILED"),
    }
}

/// Gives every error of a response run *without* [`RequestHooks`] (the HTTP schema) the code
/// the hooks would have given it. Errors before execution (validation, the recursion limit,
/// operation names) carry no path; errors of resolvers do.
pub fn code_errors(response: &mut Response) {
    for e in response.errors.iter_mut().filter(|e| !has_code(e)) {
        if !e.path.is_empty() {
            execution_code(e);
        } else if e.message.starts_with("The recursion depth") {
            set(e, "code", "GRAPHQL_PARSE_FAILED");
        } else {
            validation_code(e);
        }
    }
}

/// The error of a request stopped at its deadline. A change it was making is either wholly
/// saved or not at all (every change is one transaction), so the client is told to look
/// before trying again.
pub fn timeout_error(limit: std::time::Duration) -> ServerError {
    let message = format!(
        "the request took longer than {} seconds and was stopped; if it was a change, check whether it was saved \
         before sending it again",
        limit.as_secs()
    );
    let mut e = ServerError::new(message, None);
    set(&mut e, "code", "TIMEOUT");
    e
}

/// Parses `query` within the guard's limits (`query_guard`): text size first, then the
/// document's written and expanded size, the strings it and its `variables` carry, and default
/// deny. Nothing else reads a document that has not passed here.
pub fn guarded_parse(
    query: &str,
    variables: &Variables,
    auth: Option<&RequestAuth>,
) -> Result<ExecutableDocument, ServerError> {
    query_guard::check_text(query)?;
    let doc = async_graphql::parser::parse_query(query).map_err(|e| query_guard::parse_error(query, &e))?;
    let anonymous = auth.is_none_or(|a| a.principal.is_none());
    query_guard::check_document(&doc, anonymous)?;
    crate::auth::default_deny::check(&doc, auth)?;
    query_guard::check_strings(&doc, variables)?;
    Ok(doc)
}

/// Parses and checks `request`'s query as [`RequestHooks`] does, for a request run on the
/// schema without extensions; the parsed document is kept in the request.
pub fn parse_and_check(request: &mut Request, auth: &RequestAuth) -> Result<(), ServerError> {
    let doc = guarded_parse(&request.query, &request.variables, Some(auth))?;
    request.set_parsed_query(doc);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::bad_argument;

    #[test]
    fn explains_what_a_scalar_takes() {
        let m = super::with_hint(r#"Invalid value for argument "input.price", expected type "Money""#);
        assert!(m.ends_with(r#"a decimal with at most two places, like "1180.00""#), "{m}");
        let m = super::with_hint(r#"Invalid value for argument "from", expected type "Date""#);
        assert!(m.ends_with(r#"a date, like "2026-04-01""#), "{m}");
    }

    #[test]
    fn names_the_argument_of_a_type_error() {
        let m = r#"Invalid value for argument "input.price", Failed to parse "Money": "1.005" has more than two decimal places"#;
        assert_eq!(bad_argument(m).as_deref(), Some("price"));
        assert_eq!(bad_argument(r#"Invalid value for argument "id", expected type "ID""#).as_deref(), Some("id"));
        assert_eq!(bad_argument("Query is nested too deep."), None);
    }
}
