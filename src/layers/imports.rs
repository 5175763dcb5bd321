//! The crate's files and which files each one names, read from the source text: `use` trees
//! and inline `crate::…`/`super::…`/`self::…` paths, each resolved to the file of the longest
//! module prefix it names. Tests (`#[cfg(test)]` and below) and comments are left out.

use std::collections::{BTreeMap, BTreeSet};

/// `src/...` path → the `src/...` paths of the files it names.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every `.rs` file under `src/`, as (`src/...` path, text).
pub fn sources() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/payments/service.rs` → `[payments, service]`,
/// `src/payments/mod.rs` → `[payments]`, `src/lib.rs` → `[]`.
fn module_of(rel: &str) -> Vec<String> {
    let inner = rel.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = inner.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] || parts == ["main"] {
        parts.pop();
    }
    parts
}

/// The code of a file: up to its tests, without line comments.
fn code(text: &str) -> String {
    let body = text.split("#[cfg(test)]").next().unwrap_or_default();
    body.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// `a::{b, c::{d, e as f}}` → `a::b`, `a::c::d`, `a::c::e` (white space removed first, and
/// ` as ` written `@`).
fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        return vec![tree.split('@').next().unwrap_or(tree).to_owned()];
    };
    let prefix = &tree[..open];
    let inner = tree[open + 1..].strip_suffix('}').unwrap_or(&tree[open + 1..]);
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items.into_iter().filter(|i| !i.is_empty()).flat_map(expand).map(|p| format!("{prefix}{p}")).collect()
}

/// The paths a file's code names: its `use` trees, expanded, and inline paths.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = rest.find(';').unwrap_or(rest.len());
        let words = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        out.extend(expand(&words.replace(" as ", "@").replace(' ', "")));
    }
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(start) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':') {
                continue;
            }
            let len =
                code[at..].find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(code.len() - at);
            out.push(code[at..at + len].trim_end_matches(':').to_owned());
        }
    }
    out
}

/// Which files each file names (itself left out).
pub fn graph(files: &[(String, String)]) -> Graph {
    let modules: BTreeMap<Vec<String>, &str> = files.iter().map(|(rel, _)| (module_of(rel), rel.as_str())).collect();
    let mut graph = Graph::new();
    for (rel, text) in files {
        let me = module_of(rel);
        let targets = graph.entry(rel.clone()).or_default();
        for path in paths(&code(text)) {
            let mut segments = path.split("::").filter(|s| !s.is_empty() && *s != "self");
            let first = segments.next();
            let mut base = match first {
                Some("crate") => Vec::new(),
                Some("super") => me[..me.len().saturating_sub(1)].to_vec(),
                Some(_) if path.starts_with("self::") => me.clone(),
                // A child module named bare (`use permissions::Role;` in `auth/mod.rs`).
                Some(child) if modules.contains_key(&[me.clone(), vec![child.to_owned()]].concat()) => {
                    [me.clone(), vec![child.to_owned()]].concat()
                }
                _ => continue,
            };
            for segment in segments {
                if segment == "super" {
                    base.pop();
                } else {
                    base.push(segment.to_owned());
                }
            }
            // The file of the longest prefix that is a module.
            let found = (0..=base.len()).rev().find_map(|n| modules.get(&base[..n]));
            if let Some(target) = found.filter(|t| **t != rel.as_str()) {
                targets.insert((*target).to_owned());
            }
        }
    }
    graph
}

/// The circles of `graph`: its strongly connected components of more than one file.
pub fn circles(graph: &Graph) -> Vec<BTreeSet<String>> {
    struct Walk<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<BTreeSet<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.insert(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn use_trees_expand_and_resolve_to_files() {
    assert_eq!(expand("crate::a::{b,c::{d,e@f}}"), ["crate::a::b", "crate::a::c::d", "crate::a::c::e"]);
    let files = [
        ("src/lib.rs".to_owned(), String::new()),
        ("src/a/mod.rs".to_owned(), "use super::b::{self, C};\npub use y::Y;".to_owned()),
        ("src/a/x.rs".to_owned(), "fn f() { super::y::g(); crate::b::h() }".to_owned()),
        ("src/a/y.rs".to_owned(), "use crate::a::x;\n#[cfg(test)]\nuse crate::b;".to_owned()),
        ("src/b.rs".to_owned(), "// crate::a::x".to_owned()),
    ];
    let g = graph(&files);
    let names = |f: &str| g[f].iter().cloned().collect::<Vec<_>>();
    assert_eq!(names("src/a/mod.rs"), ["src/a/y.rs", "src/b.rs"]);
    assert_eq!(names("src/a/x.rs"), ["src/a/y.rs", "src/b.rs"]);
    assert_eq!(names("src/a/y.rs"), ["src/a/x.rs"], "tests are left out");
    assert!(names("src/b.rs").is_empty(), "comments are left out");
    assert_eq!(circles(&g), [BTreeSet::from(["src/a/x.rs".to_owned(), "src/a/y.rs".to_owned()])]);
}
