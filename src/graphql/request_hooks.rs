//! The one extension every request passes (one, because async-graphql wraps every field's
//! resolution in each extension, and that showed in profiles):
//! - websocket operations get their login checked again (`websocket_login`);
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

use super::parse::guarded_parse;
use super::websocket_login::WebsocketLogin;
use super::RequestTimeout;
use crate::auth::RequestAuth;
use crate::db::Db;
use crate::error::codes;

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

/// The input field at fault in `Invalid value for argument "input.price", ...`: the argument
/// path without `input.`, and for a required field left out (`..., field "name" of type
/// "String!" is required but not provided`) or an unknown one (`..., unknown field "nmae" of
/// type "CreatePlanInput"`) that field, so `extensions.field` names it.
fn bad_argument(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Invalid value for argument \"")?;
    let path = &rest[..rest.find('"')?];
    let path = path.strip_prefix("input").map_or(path, |p| p.strip_prefix('.').unwrap_or(p));
    let field = missing_field(message).or_else(|| unknown_field(message).map(|(name, _)| name));
    Some(match field {
        Some(field) if path.is_empty() => field.to_owned(),
        Some(field) => format!("{path}.{field}"),
        None => path.to_owned(),
    })
}

/// The name and input type in `unknown field "nmae" of type "CreatePlanInput"`.
fn unknown_field(message: &str) -> Option<(&str, &str)> {
    let rest = &message[message.find("unknown field \"")? + "unknown field \"".len()..];
    let (name, rest) = rest.split_once('"')?;
    let rest = rest.strip_prefix(" of type \"")?;
    Some((name, &rest[..rest.find('"')?]))
}

/// " Did you mean ...?" with the field of the same input type closest to an unknown one, as
/// async-graphql says for unknown output fields.
fn suggestion(message: &str) -> String {
    let Some((name, input_type)) = unknown_field(message) else { return String::new() };
    let fields = super::input_fields::of(input_type);
    match crate::suggest::did_you_mean(name, fields.iter().map(String::as_str)) {
        none if none.is_empty() => none,
        some => format!(".{some}"),
    }
}

/// `name` in `field "name" of type "String!" is required but not provided`.
fn missing_field(message: &str) -> Option<&str> {
    let start = message.find("field \"")? + "field \"".len();
    let rest = &message[start..];
    let name = &rest[..rest.find('"')?];
    rest.contains("is required but not provided").then_some(name)
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
            super::websocket_login::prepare(ctx.data_opt::<WebsocketLogin>(), ctx.data_opt::<Db>(), request).await?;
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
        for e in &mut response.errors {
            shorten(&mut e.message);
        }
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
        let result = next.run(ctx).await.map_err(|mut errors| {
            for e in &mut errors {
                validation_code(e);
            }
            errors
        })?;
        if result.complexity > super::MAX_COMPLEXITY || ctx.data_opt::<ValidateOnly>().is_some() {
            return Err(vec![too_complex(result.complexity)]);
        }
        Ok(result)
    }
}

/// Codes an error async-graphql raised while running resolvers: an argument it could not read
/// is bad input; anything else is internal, logged and not shown.
fn execution_code(e: &mut ServerError) {
    if e.message.starts_with("Failed to parse") || e.message.starts_with("Invalid value") {
        set(e, "code", codes::BAD_USER_INPUT);
        if let Some(field) = missing_field(&e.message).map(str::to_owned) {
            set(e, "field", &field);
        }
    } else {
        tracing::error!(error = %e.message, "internal error without a code");
        e.message = "internal server error".to_owned();
        set(e, "code", codes::INTERNAL_SERVER_ERROR);
    }
}

/// Marks a request sent to the hooked schema only to learn why it was refused: its validation
/// never lets it run.
pub struct ValidateOnly;

/// The error for a query over [`super::MAX_COMPLEXITY`], with its cost.
pub fn too_complex(cost: usize) -> ServerError {
    let message = format!(
        "the query is too complex: it costs {cost}, over the limit of {}; a list costs its page size (`first`) times what it \
         selects; ask for smaller pages or fewer fields",
        super::MAX_COMPLEXITY
    );
    let mut e = ServerError::new(message, None);
    set(&mut e, "code", codes::GRAPHQL_VALIDATION_FAILED);
    e
}

/// Whether `e` is async-graphql's complexity refusal (pinned by a test: its wording is all
/// there is to go by).
pub fn is_too_complex(e: &ServerError) -> bool {
    e.message == "Query is too complex."
}

/// Longest error message sent, in characters: validation messages quote what the client sent
/// (an unknown field's name, a bad enum value), which may be thousands of characters long.
const MAX_MESSAGE_CHARS: usize = 300;

fn shorten(message: &mut String) {
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
}

/// Codes an error of validation: a badly typed argument is `BAD_USER_INPUT` naming the field.
fn validation_code(e: &mut ServerError) {
    shorten(&mut e.message);
    match bad_argument(&e.message) {
        Some(field) => {
            e.message = format!("{}{}", with_hint(&e.message), suggestion(&e.message));
            set(e, "code", codes::BAD_USER_INPUT);
            set(e, "field", &field);
        }
        None => set(e, "code", codes::GRAPHQL_VALIDATION_FAILED),
    }
}

/// Gives every error of a response run *without* [`RequestHooks`] (the HTTP schema) the code
/// the hooks would have given it. Errors before execution (validation, the recursion limit,
/// operation names) carry no path; errors of resolvers do.
pub fn code_errors(response: &mut Response) {
    for e in &mut response.errors {
        shorten(&mut e.message);
    }
    for e in response.errors.iter_mut().filter(|e| !has_code(e)) {
        if !e.path.is_empty() {
            execution_code(e);
        } else if e.message.starts_with("The recursion depth") {
            set(e, "code", codes::GRAPHQL_PARSE_FAILED);
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
    set(&mut e, "code", codes::TIMEOUT);
    e
}

#[cfg(test)]
mod tests {
    use super::bad_argument;

    #[test]
    fn long_messages_are_shortened() {
        let mut m = format!("Unknown field \"{}\"", "x".repeat(3_000));
        super::shorten(&mut m);
        assert_eq!(m.chars().count(), super::MAX_MESSAGE_CHARS + 1);
        let mut short = "Query is nested too deep.".to_owned();
        super::shorten(&mut short);
        assert_eq!(short, "Query is nested too deep.");
    }

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
        let missing =
            r#"Invalid value for argument "input", field "name" of type "String!" is required but not provided"#;
        assert_eq!(bad_argument(missing).as_deref(), Some("name"));
        let nested = r#"Invalid value for argument "filter", field "x" of type "Int!" is required but not provided"#;
        assert_eq!(bad_argument(nested).as_deref(), Some("filter.x"));
        let unknown = r#"Invalid value for argument "input", unknown field "customerID" of type "CreatePaymentInput""#;
        assert_eq!(bad_argument(unknown).as_deref(), Some("customerID"));
        assert_eq!(super::suggestion(unknown), r#". Did you mean "customerId"?"#);
        let unknown = r#"Invalid value for argument "filter", unknown field "colour" of type "CustomerFilterInput""#;
        assert_eq!(bad_argument(unknown).as_deref(), Some("filter.colour"));
        assert_eq!(super::suggestion(unknown), "");
    }

    /// The codes above are chosen from async-graphql's wording (it gives no structured kind
    /// for these errors). This runs each kind of error through a real schema, so a release
    /// that rewords one fails here instead of sending clients the wrong code.
    mod pinned_library_messages {
        use async_graphql::{EmptyMutation, EmptySubscription, InputObject, Object, Request, Schema, Variables};
        use serde_json::json;

        use crate::error::codes;
        use crate::graphql::scalars::Money;

        #[derive(InputObject)]
        struct Input {
            name: String,
        }

        struct Query;

        #[Object]
        impl Query {
            async fn take(&self, input: Input, n: i32, amount: Option<Money>) -> String {
                format!("{} {n} {:?}", input.name, amount.map(|m| m.0))
            }
            async fn nested(&self) -> Query {
                Query
            }
        }

        /// The codes (and fields) the errors of `query` get.
        async fn coded(
            query: &str,
            variables: serde_json::Value,
            schema_limit: usize,
        ) -> Vec<(String, Option<String>)> {
            let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
                .limit_complexity(schema_limit)
                .limit_recursive_depth(4)
                .finish();
            let request = Request::new(query).variables(Variables::from_json(variables));
            let mut response = schema.execute(request).await;
            super::super::code_errors(&mut response);
            let too_complex = response.errors.iter().any(super::super::is_too_complex);
            response
                .errors
                .iter()
                .map(|e| {
                    let ext = e.extensions.as_ref();
                    let text = |k: &str| match ext.and_then(|x| x.get(k)) {
                        Some(async_graphql::Value::String(s)) => Some(s.clone()),
                        _ => None,
                    };
                    let code = if too_complex { "TOO_COMPLEX".to_owned() } else { text("code").unwrap_or_default() };
                    (code, text("field"))
                })
                .collect()
        }

        fn one(code: &str, field: Option<&str>) -> Vec<(String, Option<String>)> {
            vec![(code.to_owned(), field.map(str::to_owned))]
        }

        #[tokio::test]
        async fn each_kind_of_library_error_gets_its_code() {
            let none = json!({});
            // A required input field left out: bad input naming the field.
            let got = coded(r#"{ take(input: {}, n: 1) }"#, none.clone(), 100).await;
            assert_eq!(got, one(codes::BAD_USER_INPUT, Some("name")));
            // A literal of the wrong type.
            let got = coded(r#"{ take(input: {name: "a"}, n: "x") }"#, none.clone(), 100).await;
            assert_eq!(got, one(codes::BAD_USER_INPUT, Some("n")));
            // A scalar of ours refusing its literal.
            let got = coded(r#"{ take(input: {name: "a"}, n: 1, amount: "1.005") }"#, none.clone(), 100).await;
            assert_eq!(got, one(codes::BAD_USER_INPUT, Some("amount")));
            // ... or its variable.
            let query = r#"query($m: Money) { take(input: {name: "a"}, n: 1, amount: $m) }"#;
            let got = coded(query, json!({"m": "1.005"}), 100).await;
            assert_eq!(got.len(), 1, "{got:?}");
            assert_eq!(got[0].0, codes::BAD_USER_INPUT, "{got:?}");
            // Something the schema does not have.
            let got = coded(r#"{ nope }"#, none.clone(), 100).await;
            assert_eq!(got, one(codes::GRAPHQL_VALIDATION_FAILED, None));
            // Over the recursion limit of the parser.
            let got = coded(
                r#"{ nested { nested { nested { nested { nested { n: take(input: {name: "a"}, n: 1) } } } } } }"#,
                none.clone(),
                100,
            )
            .await;
            assert_eq!(got, one(codes::GRAPHQL_PARSE_FAILED, None));
            // Over the complexity limit: recognised by its message.
            let got =
                coded(r#"{ a: take(input: {name: "a"}, n: 1) b: take(input: {name: "a"}, n: 1) }"#, none, 1).await;
            assert_eq!(got, one("TOO_COMPLEX", None));
        }
    }
}
