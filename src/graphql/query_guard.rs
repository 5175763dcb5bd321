//! Bounded checks of a GraphQL document, run before anything else looks at it (default deny,
//! async-graphql's validation, depth, complexity and recursion rules, execution).
//!
//! async-graphql's own rules walk a document with its fragments expanded, so a few hundred
//! bytes of fragments that each spread the next one several times describe billions of paths:
//! its checks then run for minutes or exhaust memory. Here every fragment is measured once
//! (memoised) and every figure saturates, so the cost of these checks is linear in the size of
//! the text, which is itself bounded first. A document over a limit is refused with
//! `GRAPHQL_VALIDATION_FAILED` (or `GRAPHQL_PARSE_FAILED` for the text limits) and a message
//! naming the limit; only documents within every limit reach async-graphql.

use crate::error::codes;
use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, ServerError, Value};

/// Largest query text accepted, in bytes (GraphiQL's introspection query is about 1.6 KB).
pub const MAX_QUERY_BYTES: usize = 32 * 1024;
/// Most lexical tokens (names, punctuation, values) in a query text.
pub const MAX_TOKENS: usize = 5_000;
/// Most aliased fields in a document.
pub const MAX_ALIASES: usize = 50;
/// Most directives (`@include`, `@skip`, ...) in a document.
pub const MAX_DIRECTIVES: usize = 50;
/// Most fragment spreads (`...Name`) written in a document.
pub const MAX_SPREADS: usize = 100;
/// Most selections of the operation with every fragment expanded, for a logged-in caller.
pub const MAX_SELECTIONS: u64 = 2_000;
/// The same for an anonymous caller (login, the public form, one introspection).
pub const MAX_ANONYMOUS_SELECTIONS: u64 = 400;
/// What one introspection root (`__schema`, `__type`) costs in selections, besides what it
/// selects: its answer is large whatever it selects.
pub const INTROSPECTION_COST: u64 = 100;
/// Most introspection roots per request (anonymous callers: one).
pub const MAX_INTROSPECTIONS: u64 = 3;
/// Longest string value (an argument or a variable), in characters. Fields have their own,
/// shorter limits; this one applies before any of them runs.
pub const MAX_STRING_CHARS: usize = 10_000;

const PARSE_FAILED: &str = codes::GRAPHQL_PARSE_FAILED;
const VALIDATION_FAILED: &str = codes::GRAPHQL_VALIDATION_FAILED;

fn refuse(code: &str, message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    e.extensions.get_or_insert_with(Default::default).set("code", Value::String(code.to_owned()));
    e
}

/// The limits on the text itself, checked before it is parsed: its size in bytes and tokens.
/// Its tokens, when within the limits.
pub fn check_text(query: &str) -> Result<usize, ServerError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(refuse(
            PARSE_FAILED,
            format!("the query is {} bytes; at most {MAX_QUERY_BYTES} are accepted", query.len()),
        ));
    }
    let tokens = count_tokens(query);
    if tokens > MAX_TOKENS {
        return Err(refuse(PARSE_FAILED, format!("the query has {tokens} tokens; at most {MAX_TOKENS} are accepted")));
    }
    Ok(tokens)
}

/// Counts GraphQL tokens the way the grammar reads them: names, numbers, strings (block
/// strings too) and punctuators; whitespace, commas and comments are not tokens.
fn count_tokens(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut i, mut count) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                count += 1;
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 3;
            }
            b'"' => {
                count += 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                count += 1;
                i += 3;
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                count += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            b if b.is_ascii_digit() || b == b'-' => {
                count += 1;
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-')) {
                    i += 1;
                }
            }
            _ => {
                count += 1;
                i += 1;
            }
        }
    }
    count
}

/// A parse error as the client sees it: where, and what was expected, quoting at most a short
/// excerpt of the query (never the whole text) in which every string literal is masked: a
/// string may be a secret (a `webhookSecret` written inline), and an error message travels to
/// logs, proxies and screenshots.
pub fn parse_error(query: &str, e: &async_graphql::parser::Error) -> ServerError {
    use async_graphql::parser::Error;
    let message = match e {
        Error::Syntax { message, start, .. } => {
            // pest's message ends with the line "= expected ..."; any other line of it may
            // quote the query, so only that one is used.
            let last = message.lines().last().unwrap_or("").trim();
            let expected = match last.strip_prefix('=') {
                Some(rest) => rest.trim(),
                None if !message.contains('\n') && !message.contains('"') => last,
                None => "unexpected input",
            };
            let excerpt = masked_excerpt(query, start.line, start.column);
            format!("syntax error at line {}, column {}: {expected} (near \"{excerpt}\")", start.line, start.column)
        }
        Error::RecursionLimitExceeded => "the query is nested deeper than the recursion limit of the parser".to_owned(),
        other => other.to_string().chars().take(200).collect(),
    };
    let mut error = refuse(PARSE_FAILED, message);
    error.locations = e.positions().collect();
    error
}

/// What stands in an excerpt for (any part of) a string literal.
const MASK: &str = "\"***\"";

/// Up to 40 characters of line `line` (1-based) around `column` (1-based, in characters, as
/// the parser counts), each run of string-literal characters in it replaced by [`MASK`]. A
/// string is found by reading the whole text as the lexer does (comments, escapes, block
/// strings across lines, a string left open), so a string cut by the excerpt's edges or begun
/// on an earlier line is masked too.
fn masked_excerpt(query: &str, line: usize, column: usize) -> String {
    let marked = marked_line(query, line);
    let from = column.saturating_sub(1).saturating_sub(20);
    let mut excerpt = String::new();
    let mut in_mask = false;
    for &(c, in_string) in marked.iter().skip(from).take(40) {
        if in_string {
            if !in_mask {
                excerpt.push_str(MASK);
            }
        } else {
            excerpt.push(c);
        }
        in_mask = in_string;
    }
    excerpt.trim().to_owned()
}

/// The characters of line `line` (1-based) of `query`, each with whether it belongs to a string
/// literal (its quotes included).
fn marked_line(query: &str, line: usize) -> Vec<(char, bool)> {
    #[derive(PartialEq)]
    enum State {
        Code,
        Comment,
        Text,
        Block,
    }
    let chars: Vec<char> = query.chars().collect();
    let starts_with = |i: usize, pattern: &str| pattern.chars().enumerate().all(|(k, p)| chars.get(i + k) == Some(&p));
    let (mut state, mut current, mut i) = (State::Code, 1, 0);
    let mut out = Vec::new();
    while i < chars.len() && current <= line {
        let c = chars[i];
        // How many characters from `i` on belong to the same token, and whether it is string.
        let (width, in_string) = match state {
            State::Code | State::Comment if c == '\n' => {
                state = State::Code;
                (1, false)
            }
            State::Code if c == '#' => {
                state = State::Comment;
                (1, false)
            }
            State::Code if starts_with(i, "\"\"\"") => {
                state = State::Block;
                (3, true)
            }
            State::Code if c == '"' => {
                state = State::Text;
                (1, true)
            }
            State::Code | State::Comment => (1, false),
            // A string ends at its quote, or (left open) at the end of its line.
            State::Text if c == '\n' || c == '\r' => {
                state = State::Code;
                (1, false)
            }
            State::Text if c == '\\' && !matches!(chars.get(i + 1), None | Some('\n' | '\r')) => (2, true),
            State::Text if c == '"' => {
                state = State::Code;
                (1, true)
            }
            State::Text => (1, true),
            State::Block if starts_with(i, "\\\"\"\"") => (4, true),
            State::Block if starts_with(i, "\"\"\"") => {
                state = State::Code;
                (3, true)
            }
            State::Block => (1, true),
        };
        for &c in &chars[i..(i + width).min(chars.len())] {
            if c == '\n' {
                current += 1;
            } else if current == line {
                out.push((c, in_string));
            }
        }
        i += width;
    }
    out
}

/// What one selection set costs with its fragments expanded (saturating).
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    selections: u64,
    introspections: u64,
}

impl Cost {
    fn add(self, other: Cost) -> Cost {
        Cost {
            selections: self.selections.saturating_add(other.selections),
            introspections: self.introspections.saturating_add(other.introspections),
        }
    }
}

/// Counts of what is written in the document (not expanded).
#[derive(Default)]
struct Written {
    aliases: usize,
    directives: usize,
    spreads: usize,
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    /// Fragments measured so far; `None` while one is being measured (a cycle if met again).
    fragments: HashMap<&'a str, Option<Cost>>,
}

impl<'a> Walk<'a> {
    fn set(&mut self, set: &'a SelectionSet) -> Result<Cost, ServerError> {
        let mut cost = Cost::default();
        for selection in &set.items {
            let one = match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let own = if matches!(name, "__schema" | "__type") {
                        Cost { selections: 1 + INTROSPECTION_COST, introspections: 1 }
                    } else {
                        Cost { selections: 1, introspections: 0 }
                    };
                    own.add(self.set(&field.node.selection_set.node)?)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    Cost { selections: 1, introspections: 0 }.add(self.fragment(name)?)
                }
                Selection::InlineFragment(inline) => {
                    Cost { selections: 1, introspections: 0 }.add(self.set(&inline.node.selection_set.node)?)
                }
            };
            cost = cost.add(one);
        }
        Ok(cost)
    }

    fn fragment(&mut self, name: &'a str) -> Result<Cost, ServerError> {
        match self.fragments.get(name) {
            Some(Some(cost)) => return Ok(*cost),
            Some(None) => {
                return Err(refuse(VALIDATION_FAILED, format!("fragment \"{name}\" spreads itself (a cycle)")));
            }
            None => {}
        }
        // An unknown fragment is left for validation to report; it costs nothing here.
        let Some(definition) = self.doc.fragments.get(&Name::new(name)) else { return Ok(Cost::default()) };
        self.fragments.insert(name, None);
        let cost = self.set(&definition.node.selection_set.node)?;
        self.fragments.insert(name, Some(cost));
        Ok(cost)
    }
}

fn count_written(set: &SelectionSet, written: &mut Written) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                written.aliases += usize::from(field.node.alias.is_some());
                written.directives += field.node.directives.len();
                count_written(&field.node.selection_set.node, written);
            }
            Selection::FragmentSpread(spread) => {
                written.spreads += 1;
                written.directives += spread.node.directives.len();
            }
            Selection::InlineFragment(inline) => {
                written.directives += inline.node.directives.len();
                count_written(&inline.node.selection_set.node, written);
            }
        }
    }
}

/// The limits on a parsed document: what it writes (aliases, directives, spreads) and what its
/// operations cost with fragments expanded (selections, introspection roots). `anonymous`
/// callers get the smaller budget and one introspection.
pub fn check_document(doc: &ExecutableDocument, anonymous: bool) -> Result<(), ServerError> {
    let mut written = Written::default();
    for (_, operation) in doc.operations.iter() {
        written.directives += operation.node.directives.len();
        count_written(&operation.node.selection_set.node, &mut written);
    }
    for fragment in doc.fragments.values() {
        written.directives += fragment.node.directives.len();
        count_written(&fragment.node.selection_set.node, &mut written);
    }
    let over = |what: &str, count: usize, max: usize| {
        refuse(VALIDATION_FAILED, format!("the query has {count} {what}; at most {max} are accepted"))
    };
    if written.aliases > MAX_ALIASES {
        return Err(over("aliases", written.aliases, MAX_ALIASES));
    }
    if written.directives > MAX_DIRECTIVES {
        return Err(over("directives", written.directives, MAX_DIRECTIVES));
    }
    if written.spreads > MAX_SPREADS {
        return Err(over("fragment spreads", written.spreads, MAX_SPREADS));
    }

    let mut walk = Walk { doc, fragments: HashMap::new() };
    let mut total = Cost::default();
    for (_, operation) in doc.operations.iter() {
        total = total.add(walk.set(&operation.node.selection_set.node)?);
    }
    let (max_selections, max_introspections) =
        if anonymous { (MAX_ANONYMOUS_SELECTIONS, 1) } else { (MAX_SELECTIONS, MAX_INTROSPECTIONS) };
    if total.introspections > max_introspections {
        return Err(refuse(
            VALIDATION_FAILED,
            format!(
                "the query asks for introspection (__schema, __type) {} times; at most {max_introspections} per request{}",
                total.introspections,
                if anonymous { " without logging in" } else { "" }
            ),
        ));
    }
    if total.selections > max_selections {
        return Err(refuse(
            VALIDATION_FAILED,
            format!(
                "the query selects {} fields with its fragments expanded (introspection counts {INTROSPECTION_COST} \
                 each); at most {max_selections} are accepted{}",
                display_count(total.selections),
                if anonymous { " without logging in" } else { "" }
            ),
        ));
    }
    Ok(())
}

fn display_count(n: u64) -> String {
    if n == u64::MAX {
        "more than 18 quintillion".to_owned()
    } else {
        n.to_string()
    }
}

/// Every string in the request (inline arguments and variables) must be free of control
/// characters other than tab, newline and carriage return (fields that must be one line refuse
/// those too, in their own checks) and at most [`MAX_STRING_CHARS`] long. The error names the
/// input field (or argument) that holds the string.
pub fn check_strings(doc: &ExecutableDocument, variables: &async_graphql::Variables) -> Result<(), ServerError> {
    // Which argument each variable is given to, to name it in errors.
    let mut bound_to: HashMap<&str, &str> = HashMap::new();
    let mut literals: Vec<(&str, &async_graphql_value::Value)> = Vec::new();
    let mut stack: Vec<&SelectionSet> = Vec::new();
    for (_, operation) in doc.operations.iter() {
        stack.push(&operation.node.selection_set.node);
    }
    for fragment in doc.fragments.values() {
        stack.push(&fragment.node.selection_set.node);
    }
    while let Some(set) = stack.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        literals.push((name.node.as_str(), &value.node));
                    }
                    stack.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(inline) => stack.push(&inline.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    for &(argument, value) in &literals {
        check_value(argument, value, &mut bound_to)?;
    }
    for (name, value) in variables.iter() {
        let field = bound_to.get(name.as_str()).copied().unwrap_or(name.as_str());
        check_const(field, value)?;
    }
    Ok(())
}

/// Checks the strings of a literal argument value (which may hold variables: those are noted
/// in `bound_to` and checked with the variables).
fn check_value<'a>(
    field: &'a str,
    value: &'a async_graphql_value::Value,
    bound_to: &mut HashMap<&'a str, &'a str>,
) -> Result<(), ServerError> {
    use async_graphql_value::Value as V;
    match value {
        V::Variable(name) => {
            bound_to.entry(name.as_str()).or_insert(field);
        }
        V::String(s) => check_string(field, s)?,
        V::List(items) => {
            for item in items {
                check_value(field, item, bound_to)?;
            }
        }
        V::Object(fields) => {
            for (name, item) in fields {
                check_value(name.as_str(), item, bound_to)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_const(field: &str, value: &async_graphql_value::ConstValue) -> Result<(), ServerError> {
    use async_graphql_value::ConstValue as V;
    match value {
        V::String(s) => check_string(field, s),
        V::List(items) => items.iter().try_for_each(|item| check_const(field, item)),
        V::Object(fields) => fields.iter().try_for_each(|(name, item)| check_const(name.as_str(), item)),
        _ => Ok(()),
    }
}

fn check_string(field: &str, s: &str) -> Result<(), ServerError> {
    let bad = |message: String| {
        let mut e = refuse(codes::BAD_USER_INPUT, message);
        e.extensions.get_or_insert_with(Default::default).set("field", Value::String(field.to_owned()));
        e
    };
    if let Some(c) = s.chars().find(|&c| crate::validate::is_forbidden_control(c)) {
        return Err(bad(format!("`{field}` must not contain control characters (found U+{:04X})", u32::from(c))));
    }
    // Bytes first: a string of that many bytes cannot be over in characters.
    if s.len() > MAX_STRING_CHARS && s.chars().count() > MAX_STRING_CHARS {
        return Err(bad(format!("`{field}` must be at most {MAX_STRING_CHARS} characters")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).unwrap()
    }

    fn nested_fragments(levels: usize, spreads: usize) -> String {
        let mut q = String::from("query{...F0}");
        for level in 0..levels {
            q.push_str(&format!(" fragment F{level} on Query{{"));
            for _ in 0..spreads {
                q.push_str(&format!("...F{} ", level + 1));
            }
            q.push('}');
        }
        q.push_str(&format!(" fragment F{levels} on Query{{__typename}}"));
        q
    }

    #[test]
    fn counts_tokens_like_the_grammar() {
        assert_eq!(count_tokens("{ a }"), 3);
        assert_eq!(count_tokens("query Q($x: Int = -1.5e3) { a(b: \"x, y\") ...F } # c d e"), 20);
        assert_eq!(count_tokens("{ a(b: \"\"\"x \\\"\"\" y\"\"\") }"), 8);
    }

    #[test]
    fn exponential_fragments_are_refused_quickly() {
        // 10 spreads × 8 levels: 10^8 paths; 2 spreads × 30 levels: 2^30.
        for (levels, spreads, limit) in [(8, 10, "at most 2000"), (30, 2, "at most 2000"), (60, 2, "fragment spreads")]
        {
            let started = std::time::Instant::now();
            let e = check_document(&doc(&nested_fragments(levels, spreads)), false).unwrap_err();
            assert!(e.message.contains(limit), "{}", e.message);
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
        assert!(check_document(&doc(&nested_fragments(3, 2)), false).is_ok());
    }

    #[test]
    fn cycles_do_not_loop() {
        let e =
            check_document(&doc("{...A} fragment A on Query {...B} fragment B on Query {...A}"), false).unwrap_err();
        assert!(e.message.contains("cycle"), "{}", e.message);
    }

    #[test]
    fn aliases_directives_and_introspection_are_limited() {
        let aliases: String = (0..51).map(|i| format!("a{i}: __typename ")).collect();
        assert!(check_document(&doc(&format!("{{{aliases}}}")), false).unwrap_err().message.contains("aliases"));
        let directives = "@include(if: true) ".repeat(51);
        let e = check_document(&doc(&format!("{{ __typename {directives} }}")), false).unwrap_err();
        assert!(e.message.contains("directives"));
        let two = "{ a: __schema { queryType { name } } b: __schema { queryType { name } } }";
        assert!(check_document(&doc(two), true).unwrap_err().message.contains("introspection"));
        assert!(check_document(&doc(two), false).is_ok());
        assert!(check_document(&doc("{ __schema { types { name } } }"), true).is_ok());
    }

    #[test]
    fn strings_refuse_control_characters_and_name_the_field() {
        let vars = |v: serde_json::Value| async_graphql::Variables::from_json(v);
        let d = doc("mutation($i: In!) { create(input: $i) { id } }");
        let e = check_strings(&d, &vars(serde_json::json!({"i": {"title": "a\u{0}b"}}))).unwrap_err();
        assert_eq!(e.extensions.unwrap().get("field"), Some(&Value::String("title".into())));
        let d = doc("mutation($u: String!) { login(username: $u, password: \"x\") { token } }");
        let e = check_strings(&d, &vars(serde_json::json!({"u": "ad\u{1b}min"}))).unwrap_err();
        assert_eq!(e.extensions.unwrap().get("field"), Some(&Value::String("username".into())));
        let e = check_strings(
            &doc("{ customers(filter: {search: \"a\\u0000\"}) { totalCount } }"),
            &vars(serde_json::json!({})),
        )
        .unwrap_err();
        assert_eq!(e.extensions.unwrap().get("field"), Some(&Value::String("search".into())));
        let long = "x".repeat(MAX_STRING_CHARS + 1);
        assert!(check_strings(&d, &vars(serde_json::json!({"u": long}))).is_err());
        assert!(check_strings(&d, &vars(serde_json::json!({"u": "line\nline\ttab"}))).is_ok());
    }

    /// The message of the parse error of `query`.
    fn parse_message(query: &str) -> String {
        let e = async_graphql::parser::parse_query(query).map(|_| ()).expect_err(query);
        parse_error(query, &e).message
    }

    #[test]
    fn parse_errors_never_quote_a_string() {
        const SECRET: &str = "whsec_Nagpur2026";
        // (query, what must still be quoted around the error)
        let cases = [
            // The secret before the error, on its line.
            (
                format!("mutation {{ createPaymentGateway(input: {{webhookSecret: \"{SECRET}\"}} {{ id }} }}"),
                "} { id }",
            ),
            // After the error.
            (
                format!(
                    "mutation {{ createPaymentGateway(input: {{keyId: }}, webhookSecret: \"{SECRET}\") {{ id }} }}"
                ),
                "keyId",
            ),
            // Escaped quotes inside, and text on both sides of the excerpt's edges.
            (format!("{{ a(s: \"x\\\"{SECRET}\\\"{SECRET}{SECRET}\") ) }}"), ")"),
            // A block string across lines, the error on its last line.
            (format!("{{ a(s: \"\"\"first line\n{SECRET} \\\"\"\" {SECRET}\"\"\" ) ) }}"), ")"),
            // A string left open.
            (format!("{{ a(s: \"{SECRET}{SECRET} }}"), ""),
            (format!("{{ a(s: \"\"\"{SECRET}\n{SECRET} }}"), ""),
            // A comment with a quote in it does not start a string; the string after it is masked.
            (format!("# it's \"quoted\n{{ a(s: \"{SECRET}\") ) }}"), ")"),
        ];
        for (query, kept) in &cases {
            let message = parse_message(query);
            assert!(message.starts_with("syntax error at line"), "{message}");
            // No piece of the secret of 4 characters or more.
            for start in 0..SECRET.len() - 3 {
                assert!(!message.contains(&SECRET[start..start + 4]), "{query:?} leaks in: {message}");
            }
            assert!(message.contains(*kept), "{query:?}: {message}");
        }
        let message = parse_message(&cases[0].0);
        assert!(message.contains(MASK), "{message}");
        // Outside strings the excerpt is as before.
        let message = parse_message("{ customers(first: ) { id } }");
        assert!(message.contains("near \"{ customers(first: ) { id } }\""), "{message}");
    }

    #[test]
    fn masking_follows_the_lexer() {
        let masked = |q: &str, line: usize| -> String {
            marked_line(q, line).iter().map(|&(c, s)| if s { '*' } else { c }).collect()
        };
        assert_eq!(masked(r#"{ a(s: "x\"y", t: "") }"#, 1), "{ a(s: ******, t: **) }");
        assert_eq!(masked("{ a(s: \"\"\"x\ny\\\"\"\"z\"\"\") b }", 2), "*********) b }");
        assert_eq!(masked("# \"\n{ a(s: \"open\n) }", 2), "{ a(s: *****");
        assert_eq!(masked("# \"\n{ a(s: \"open\n) }", 3), ") }");
        assert_eq!(masked_excerpt(&format!("{{ a(s: \"{}\") }}", "x".repeat(100)), 1, 60), MASK);
    }

    #[test]
    fn parse_errors_quote_a_short_excerpt() {
        let query = format!("{{ a {} ", "b ".repeat(10_000));
        let e = async_graphql::parser::parse_query(&query).unwrap_err();
        let error = parse_error(&query, &e);
        assert!(error.message.len() < 300, "{}", error.message);
        assert!(error.message.starts_with("syntax error at line 1"), "{}", error.message);
    }
}
