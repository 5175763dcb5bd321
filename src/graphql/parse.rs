//! Parsing within the guard's limits: the one way a document is read, by the request hooks
//! (websockets), the HTTP handler and the websocket login alike.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError, Variables};

use super::query_guard;
use crate::auth::RequestAuth;

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

/// Parses and checks `request`'s query as [`super::request_hooks::RequestHooks`] does, for a
/// request run on the schema without extensions; the parsed document is kept in the request.
pub fn parse_and_check(request: &mut Request, auth: &RequestAuth) -> Result<(), ServerError> {
    let doc = guarded_parse(&request.query, &request.variables, Some(auth))?;
    request.set_parsed_query(doc);
    Ok(())
}
