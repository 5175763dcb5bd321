//! Parsing within the guard's limits: the one way a document is read, by the request hooks
//! (websockets), the HTTP handler and the websocket login alike.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError, Variables};

use super::query_guard;
use crate::auth::RequestAuth;

/// How many parsed documents are kept at most ([`parsed`]).
pub const KEPT_DOCUMENTS: usize = 256;
/// The most tokens a text may have for its document to be kept. A document's size follows its
/// tokens (a few hundred bytes per field), not its text's bytes: a frontend's queries have a
/// few hundred tokens (the profile query about 120).
pub const KEPT_TOKENS_PER_TEXT: usize = 1_000;
/// The longest text whose document is kept, in bytes (one string token can be long).
pub const KEPT_TEXT_BYTES: usize = 8 * 1024;
/// The most tokens of all kept documents together: what the map holds stays a few megabytes
/// whatever texts callers send (anonymous ones too: texts are parsed before default deny).
pub const KEPT_TOKENS: usize = 32_000;

#[derive(Default)]
struct Kept {
    docs: HashMap<Box<str>, Arc<ExecutableDocument>>,
    tokens: usize,
}

/// Documents parsed lately, by their text. A frontend sends the same few queries over and over,
/// and parsing a text (async-graphql's pest grammar) costs several times what copying its
/// document does.
static PARSED: LazyLock<Mutex<Kept>> = LazyLock::new(Default::default);

/// `query` parsed, within the text limits of the guard (`query_guard::check_text`, checked
/// before parsing). Parsing depends on the text alone, so a text parsed before is answered
/// from [`PARSED`]; when it is full it is emptied (a stream of distinct texts then costs what it
/// cost without it).
fn parsed(query: &str) -> Result<ExecutableDocument, ServerError> {
    let kept = PARSED.lock().unwrap_or_else(|p| p.into_inner()).docs.get(query).cloned();
    if let Some(doc) = kept {
        return Ok(ExecutableDocument::clone(&doc));
    }
    let tokens = query_guard::check_text(query)?;
    let doc = async_graphql::parser::parse_query(query).map_err(|e| query_guard::parse_error(query, &e))?;
    if tokens <= KEPT_TOKENS_PER_TEXT && query.len() <= KEPT_TEXT_BYTES {
        let copy = Arc::new(doc.clone());
        let emptied = {
            let mut kept = PARSED.lock().unwrap_or_else(|p| p.into_inner());
            let full = kept.docs.len() >= KEPT_DOCUMENTS || kept.tokens + tokens > KEPT_TOKENS;
            // Taken out to be dropped after the lock is let go.
            let emptied = if full { std::mem::take(&mut *kept) } else { Kept::default() };
            if kept.docs.insert(query.into(), copy).is_none() {
                kept.tokens += tokens;
            }
            emptied
        };
        drop(emptied);
    }
    Ok(doc)
}

/// Parses `query` within the guard's limits (`query_guard`): text size first, then the
/// document's written and expanded size, the strings it and its `variables` carry, and default
/// deny. Nothing else reads a document that has not passed here. The checks that depend on the
/// caller or the variables run on every request, also for a text parsed before.
pub fn guarded_parse(
    query: &str,
    variables: &Variables,
    auth: Option<&RequestAuth>,
) -> Result<ExecutableDocument, ServerError> {
    let doc = parsed(query)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests share [`PARSED`]; one at a time (one empties it).
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    fn kept(query: &str) -> bool {
        PARSED.lock().unwrap().docs.contains_key(query)
    }

    #[test]
    fn a_text_parsed_again_is_the_same_document() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let query = "query($first: Int!) { customers(first: $first) { nodes { fullName plan { name } } } }";
        let first = parsed(query).unwrap();
        assert!(kept(query));
        let again = parsed(query).unwrap();
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
    }

    #[test]
    fn a_refused_text_is_not_kept_and_is_refused_again() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        for query in ["{ customers(first: ", &format!("{{ {} }}", "a ".repeat(query_guard::MAX_TOKENS + 1))] {
            assert!(parsed(query).is_err());
            assert!(!kept(query));
            assert!(parsed(query).is_err());
        }
    }

    #[test]
    fn the_kept_documents_stay_bounded() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let within = |kept: &Kept| kept.docs.len() <= KEPT_DOCUMENTS && kept.tokens <= KEPT_TOKENS;
        for i in 0..KEPT_DOCUMENTS + 10 {
            parsed(&format!("{{ field{i} }}")).unwrap();
            assert!(within(&PARSED.lock().unwrap()));
        }
        // Texts of many tokens (their documents are large): within the token bound too.
        for i in 0..3 * KEPT_TOKENS / KEPT_TOKENS_PER_TEXT {
            let query = format!("{{ x{i} {} }}", "f ".repeat(KEPT_TOKENS_PER_TEXT - 4));
            parsed(&query).unwrap();
            assert!(kept(&query));
            assert!(within(&PARSED.lock().unwrap()));
        }
        let long = format!("{{ {} }}", "f ".repeat(KEPT_TOKENS_PER_TEXT));
        parsed(&long).unwrap();
        assert!(!kept(&long), "a text over {KEPT_TOKENS_PER_TEXT} tokens is parsed but not kept");
        let wide = format!("{{ f(s: \"{}\") }}", "x".repeat(KEPT_TEXT_BYTES));
        parsed(&wide).unwrap();
        assert!(!kept(&wide), "a text over {KEPT_TEXT_BYTES} bytes is parsed but not kept");
    }
}
