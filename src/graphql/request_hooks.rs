//! The one extension every request passes (one, because async-graphql wraps every field's
//! resolution in each extension, and that showed in profiles):
//! - websocket operations get their login checked again (`auth::websocket`);
//! - right after parsing, anonymous callers are refused private root fields (`auth::default_deny`);
//! - every error gets an `extensions.code`, also those async-graphql raises before any
//!   resolver runs: a query that does not parse, fails validation (too deep, too complex,
//!   unknown field) or carries a badly typed argument (`BAD_USER_INPUT` with `field`).

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables};

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

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for e in response.errors.iter_mut().filter(|e| !has_code(e)) {
            // An error none of ours: an argument async-graphql could not read is bad input;
            // anything else is internal, logged and not shown.
            if e.message.starts_with("Failed to parse") || e.message.starts_with("Invalid value") {
                set(e, "code", "BAD_USER_INPUT");
            } else {
                tracing::error!(error = %e.message, "internal error without a code");
                e.message = "internal server error".to_owned();
                set(e, "code", "INTERNAL_SERVER_ERROR");
            }
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await.map_err(|mut e| {
            set(&mut e, "code", "GRAPHQL_PARSE_FAILED");
            e
        })?;
        crate::auth::default_deny::check(&doc, ctx.data_opt::<RequestAuth>())?;
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for e in &mut errors {
                match bad_argument(&e.message) {
                    Some(field) => {
                        e.message = with_hint(&e.message);
                        set(e, "code", "BAD_USER_INPUT");
                        set(e, "field", &field);
                    }
                    None => set(e, "code", "GRAPHQL_VALIDATION_FAILED"),
                }
            }
            errors
        })
    }
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
