//! GraphQL over HTTP: `POST /graphql` with a JSON body, `GET /graphql?query=` for queries, and
//! GraphiQL for a browser that asks for HTML. Every request runs under a deadline
//! (`ISP_REQUEST_TIMEOUT_SECONDS`); a body that is not a GraphQL request gets a JSON error with
//! a code, never the library's debug text.

use crate::error::codes;
use std::net::SocketAddr;

use async_graphql::parser::types::{OperationType, Selection};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::{client_address, AppState};
use crate::auth;
use crate::graphql::errors::to_graphql_error;
use crate::graphql::{loaders, parse, request_hooks};

/// A response with one error, `code` in its extensions, and the given HTTP status.
fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    super::access_log::note_errors([code]);
    let body = serde_json::json!({"errors": [{"message": message, "extensions": {"code": code}}]});
    (status, Json(body)).into_response()
}

/// `POST /graphql`: one operation as JSON (`{"query", "variables", "operationName"}`).
pub async fn post(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let message = format!("the request body is larger than {} bytes", state.max_body_bytes);
            return error_response(StatusCode::PAYLOAD_TOO_LARGE, codes::PAYLOAD_TOO_LARGE, &message);
        }
        Err(_) => {
            return error_response(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, "the request body could not be read")
        }
    };
    let request = match parse_body(&body) {
        Ok(request) => request,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, &message),
    };
    let address = client_address(&state, connect_info.as_ref(), &headers);
    run(&state, &headers, address, request, false).await
}

/// Reads a JSON body as one GraphQL request, explaining in plain words what is wrong.
fn parse_body(body: &[u8]) -> Result<async_graphql::Request, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        format!("the request body is not JSON ({e}); send {{\"query\": \"...\", \"variables\": {{...}}}}")
    })?;
    if value.is_array() {
        return Err("batched requests are not supported: send one operation per request".to_owned());
    }
    if !value.get("query").is_some_and(serde_json::Value::is_string) {
        return Err("the request body must be a JSON object with a string `query`".to_owned());
    }
    serde_json::from_value(value).map_err(|e| format!("the request body is not a GraphQL request: {e}"))
}

/// The query parameters of `GET /graphql`.
#[derive(Deserialize)]
pub struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
}

/// `GET /graphql`: a query in the URL (`?query=&variables=&operationName=`; mutations are
/// refused: they change data and must be POSTed), or GraphiQL for a browser.
pub async fn get(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    params: Result<Query<GetParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error_response(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, "the query string could not be read");
    };
    let Some(query) = params.query else {
        let wants_html = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        if wants_html {
            return super::graphiql::page().into_response();
        }
        let message =
            "send a query as ?query=... (and POST for mutations), or open this address in a browser for GraphiQL";
        return error_response(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message);
    };
    let mut request = async_graphql::Request::new(query);
    if let Some(variables) = params.variables.filter(|v| !v.trim().is_empty()) {
        match serde_json::from_str::<serde_json::Value>(&variables) {
            Ok(v @ serde_json::Value::Object(_)) => request.variables = async_graphql::Variables::from_json(v),
            _ => {
                let message = "`variables` must be a JSON object";
                return error_response(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message);
            }
        }
    }
    if let Some(name) = params.operation_name.filter(|n| !n.is_empty()) {
        request = request.operation_name(name);
    }
    let address = client_address(&state, connect_info.as_ref(), &headers);
    run(&state, &headers, address, request, true).await
}

/// Runs one request under the deadline: login check, the guarded parse, execution.
async fn run(
    state: &AppState,
    headers: &HeaderMap,
    address: String,
    request: async_graphql::Request,
    read_only: bool,
) -> Response {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(auth::bearer_token);
    // Whether nothing can have been written: a query, or a request refused before it ran.
    let nothing_written = std::sync::atomic::AtomicBool::new(true);
    let work = async {
        let auth = match auth::session::authenticate(&state.db, token, address).await {
            Ok(auth) => auth,
            Err(e) => {
                let error = to_graphql_error(&e).into_server_error(Default::default());
                return async_graphql::Response::from_errors(vec![error]);
            }
        };
        if let Some(principal) = &auth.principal {
            super::access_log::note_account(principal);
        }
        let mut request = request;
        if let Err(e) = parse::parse_and_check(&mut request, &auth) {
            return async_graphql::Response::from_errors(vec![e]);
        }
        let query = is_query(&mut request);
        if read_only && !query {
            let message = "only queries can be sent with GET; send mutations and subscriptions with POST";
            let mut e = async_graphql::ServerError::new(message, None);
            e.extensions.get_or_insert_with(Default::default).set("code", codes::METHOD_NOT_ALLOWED);
            return async_graphql::Response::from_errors(vec![e]);
        }
        nothing_written.store(query, std::sync::atomic::Ordering::Relaxed);
        // Kept for the rare refusal on cost, which the hooked schema explains (below).
        let again = async_graphql::Request::new(request.query.clone())
            .variables(request.variables.clone())
            .data(auth.clone())
            .data(request_hooks::ValidateOnly);
        let again = match &request.operation_name {
            Some(name) => again.operation_name(name.clone()),
            None => again,
        };
        let mut request = request.data(auth);
        if let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
            request = request.data(crate::graphql::context::IdempotencyHeader(key.to_owned()));
        }
        loaders::install(&mut request.data, &state.db);
        let mut response = state.http_schema.execute(request).await;
        if response.errors.iter().any(request_hooks::is_too_complex) {
            // Validation stops there again, now with the cost in the message; nothing runs.
            response = state.schema.execute(again).await;
        }
        request_hooks::code_errors(&mut response);
        response
    };
    let work = async {
        let response = work.await;
        super::access_log::note_errors(response.errors.iter().filter_map(code_of));
        response
    };
    let response = match tokio::time::timeout(state.request_timeout, work).await {
        Ok(response) => response,
        Err(_) => {
            super::access_log::note_errors([codes::TIMEOUT]);
            tracing::warn!(timeout = ?state.request_timeout, "a request ran past its deadline and was stopped");
            async_graphql::Response::from_errors(vec![request_hooks::timeout_error(state.request_timeout)])
        }
    };
    let status = if response.errors.iter().any(|e| has_code(e, codes::METHOD_NOT_ALLOWED)) {
        StatusCode::METHOD_NOT_ALLOWED
    } else if nothing_written.load(std::sync::atomic::Ordering::Relaxed)
        && response.data == async_graphql::Value::Null
        && response.errors.iter().any(|e| has_code(e, codes::BUSY))
    {
        // A query that could not run (no free database connection, say): a plain "try again"
        // for any client. A mutation keeps 200, since a field after its write may be what was
        // busy: retrying it blindly could record it twice.
        let mut busy =
            (StatusCode::SERVICE_UNAVAILABLE, async_graphql_axum::GraphQLResponse::from(response)).into_response();
        busy.headers_mut()
            .insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static(super::RETRY_AFTER_SECONDS));
        return busy;
    } else {
        StatusCode::OK
    };
    (status, async_graphql_axum::GraphQLResponse::from(response)).into_response()
}

fn has_code(e: &async_graphql::ServerError, code: &str) -> bool {
    code_of(e) == Some(code)
}

/// The error's `extensions.code`.
fn code_of(e: &async_graphql::ServerError) -> Option<&str> {
    match e.extensions.as_ref().and_then(|x| x.get("code")) {
        Some(async_graphql::Value::String(code)) => Some(code),
        _ => None,
    }
}

/// Whether the operation the request will run is a query (the one named by
/// `operationName`, or the only one). Notes the operation for the access log.
fn is_query(request: &mut async_graphql::Request) -> bool {
    let name = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else { return false };
    let chosen = match &name {
        Some(name) => doc.operations.iter().find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
        None => doc.operations.iter().next(),
    };
    if let Some((name, op)) = &chosen {
        let kind = match op.node.ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        let fields = op.node.selection_set.node.items.iter().filter_map(|item| match &item.node {
            Selection::Field(field) => Some(field.node.name.node.as_str()),
            _ => None,
        });
        super::access_log::note_operation(name.map(|n| n.as_str()), kind, fields);
    }
    chosen.is_none_or(|(_, op)| op.node.ty == OperationType::Query)
}

#[cfg(test)]
mod tests {
    #[test]
    fn explains_bodies_that_are_not_requests() {
        let e = super::parse_body(b"not json").unwrap_err();
        assert!(e.starts_with("the request body is not JSON"), "{e}");
        let e = super::parse_body(br#"[{"query": "{a}"}]"#).unwrap_err();
        assert!(e.contains("batched"), "{e}");
        let e = super::parse_body(br#"{"variables": {}}"#).unwrap_err();
        assert!(e.contains("string `query`"), "{e}");
        assert!(super::parse_body(br#"{"query": "{ a }", "variables": null}"#).is_ok());
    }
}
