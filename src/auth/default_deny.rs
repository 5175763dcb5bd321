//! Default deny: an anonymous request may select only the public root fields
//! ([`PUBLIC_FIELDS`]) and introspection. Checked right after parsing, so every root field,
//! present and future, of queries, mutations and subscriptions needs a principal, whatever its
//! arguments, before any validation or resolver runs.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::ServerError;

use super::RequestAuth;
use crate::error::{AppError, NoLogin};
use crate::graphql::errors::to_server_error;

/// Root fields anyone may call without logging in.
pub const PUBLIC_FIELDS: &[&str] = &["login", "createConnectionRequest"];

/// Names of the root fields `set` selects, looking through fragments. Each named fragment is
/// read once (`seen`), so the work is linear in the document whatever its spreads.
fn root_fields<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    depth: usize,
    seen: &mut HashSet<&'a str>,
    out: &mut Vec<&'a str>,
) {
    if depth > 64 {
        // Deeper fragment nesting is not looked through: fail closed, as if it selected a
        // private field (the query guard refuses such documents before this runs anyway).
        out.push("(fragments nested too deep)");
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => out.push(field.node.name.node.as_str()),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if !seen.insert(name) {
                    continue;
                }
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    root_fields(doc, &fragment.node.selection_set.node, depth + 1, seen, out);
                }
            }
            Selection::InlineFragment(inline) => {
                root_fields(doc, &inline.node.selection_set.node, depth + 1, seen, out)
            }
        }
    }
}

/// The first root field of `doc` an anonymous caller may not select.
pub fn first_private_field(doc: &ExecutableDocument) -> Option<String> {
    let (mut fields, mut seen) = (Vec::new(), HashSet::new());
    for (_, operation) in doc.operations.iter() {
        root_fields(doc, &operation.node.selection_set.node, 0, &mut seen, &mut fields);
    }
    fields.into_iter().find(|f| !f.starts_with("__") && !PUBLIC_FIELDS.contains(f)).map(str::to_owned)
}

/// `UNAUTHENTICATED` when an anonymous caller (`auth` missing or without a principal)
/// selects a root field that is not public. Called right after parsing.
pub fn check(doc: &ExecutableDocument, auth: Option<&RequestAuth>) -> Result<(), ServerError> {
    if auth.is_some_and(|a| a.principal.is_some()) {
        return Ok(());
    }
    let why = auth.map(|a| a.no_login).unwrap_or_default();
    match first_private_field(doc) {
        Some(field) => {
            let message = match why {
                NoLogin::NoToken => format!("log in to use `{field}`"),
                other => format!("{} (to use `{field}`)", other.message()),
            };
            Err(to_server_error(&AppError::Unauthenticated(why), Some(&message)))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::first_private_field;

    fn private(query: &str) -> Option<String> {
        first_private_field(&async_graphql::parser::parse_query(query).unwrap())
    }

    #[test]
    fn finds_private_root_fields_through_fragments() {
        assert_eq!(private("{ __schema { types { name } } __typename }"), None);
        assert_eq!(private("mutation { login(username: \"a\", password: \"b\") { token } }"), None);
        assert_eq!(private("{ plans { totalCount } }").as_deref(), Some("plans"));
        assert_eq!(private("{ ...F } fragment F on Query { me { username } }").as_deref(), Some("me"));
        assert_eq!(private("{ ... on Query { companies { totalCount } } }").as_deref(), Some("companies"));
        assert_eq!(private("query A { __typename } mutation B { logout }").as_deref(), Some("logout"));
        assert_eq!(private("subscription { complaintCreated { id } }").as_deref(), Some("complaintCreated"));
        let chain: String = (0..70).map(|i| format!(" fragment F{i} on Query {{ ...F{} }}", i + 1)).collect();
        let deep = format!("{{ ...F0 }}{chain} fragment F70 on Query {{ __typename }}");
        assert!(private(&deep).is_some(), "deep nesting fails closed");
        assert_eq!(private("{ ... on Query { ... on Query { __typename } } }"), None);
        // A fragment spread many times is read once.
        let spreads = "...F ".repeat(50);
        assert_eq!(
            private(&format!("{{ {spreads} }} fragment F on Query {{ me {{ username }} }}")).as_deref(),
            Some("me")
        );
    }
}
