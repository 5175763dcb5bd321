//! The direction of imports, checked: domain files (models, repos, services, rules, and the
//! shared modules beside them) never reach into the GraphQL or HTTP layers. Only the files
//! named in [`GRAPHQL_FILES`] (and the `graphql`/`http` folders) may; `lib.rs`, `main.rs` and
//! `config.rs` wire the layers together and are left out. And the import graph, checked: one
//! circle at most (the GraphQL object types, which refer to each other), and the edges that would
//! bring another back are forbidden. See docs/ARCHITECTURE.md.

mod imports;

/// File names that belong to an area's GraphQL layer.
const GRAPHQL_FILES: [&str; 7] =
    ["graphql.rs", "mutations.rs", "inputs.rs", "loader.rs", "prefetch.rs", "guard.rs", "default_deny.rs"];

/// The composition root: it builds the app out of every layer.
const WIRING: [&str; 3] = ["src/lib.rs", "src/main.rs", "src/config.rs"];

/// What a domain file may not contain.
const FORBIDDEN: [&str; 8] = [
    "async_graphql",
    "crate::graphql",
    "crate::http",
    "::graphql::",
    "super::mutations",
    "super::inputs",
    "super::loader",
    "super::guard",
];

/// Allowed in a domain file: the derive that makes a stored enum a GraphQL enum.
const ALLOWED: [&str; 1] = ["#[derive(async_graphql::Enum"];

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/...` paths of the domain files.
fn domain_files() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|p| (p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"), p))
        .filter(|(rel, p)| {
            let name = p.file_name().unwrap().to_string_lossy();
            !rel.starts_with("src/graphql/")
                && !rel.starts_with("src/http/")
                && !WIRING.contains(&rel.as_str())
                && !GRAPHQL_FILES.contains(&name.as_ref())
                && rel != "src/layers.rs"
        })
        .map(|(rel, p)| (rel, std::fs::read_to_string(p).unwrap()))
        .collect()
}

#[test]
fn domain_files_do_not_import_the_graphql_layer() {
    let files = domain_files();
    assert!(files.iter().any(|(rel, _)| rel == "src/payments/service.rs"), "the walk found the services");
    let mut found = Vec::new();
    for (rel, text) in &files {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if ALLOWED.iter().any(|a| code.contains(a)) {
                continue;
            }
            if let Some(bad) = FORBIDDEN.iter().find(|f| code.contains(*f)) {
                found.push(format!("{rel}:{}: `{bad}` in `{}`", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "domain files importing the GraphQL layer:\n{}", found.join("\n"));
}

/// Files whose circle is allowed: the GraphQL object types (a customer's invoices, an invoice's
/// customer). Everything else imports downward.
const CIRCLE_MAY_HOLD: [&str; 1] = ["graphql.rs"];

#[test]
fn only_the_graphql_types_form_a_circle() {
    let graph = imports::graph(&imports::sources());
    assert!(graph["src/payments/service.rs"].contains("src/settlement/service.rs"), "the graph sees imports");
    let circles = imports::circles(&graph);
    let shown: Vec<String> = circles.iter().map(|c| c.iter().cloned().collect::<Vec<_>>().join(" ")).collect();
    assert!(circles.len() <= 1, "more than one import circle:\n{}", shown.join("\n"));
    for file in circles.iter().flatten() {
        let name = file.rsplit('/').next().unwrap_or_default();
        assert!(CIRCLE_MAY_HOLD.contains(&name), "{file} is in an import circle:\n{}", shown.join("\n"));
    }
}

/// Who may name the billing cycle besides itself: the wiring, the API layers, and the
/// simulator (which runs the cycle day by day in place of the scheduler).
const BILLING_CYCLE_USERS: [&str; 6] =
    ["src/main.rs", "src/lib.rs", "src/config.rs", "src/http/", "src/graphql/", "src/simulate/"];

#[test]
fn nothing_calls_up_into_the_billing_cycle_and_settlement_calls_no_service() {
    let graph = imports::graph(&imports::sources());
    let mut found = Vec::new();
    for (file, targets) in &graph {
        for target in targets {
            let cycle = target.starts_with("src/billing_cycle/") && !file.starts_with("src/billing_cycle/");
            if cycle && !BILLING_CYCLE_USERS.iter().any(|u| file.starts_with(u)) {
                found.push(format!("{file} names the billing cycle ({target}); it calls areas, none calls it"));
            }
            // Settlement is where money moves; the areas call down into it, never it up into them.
            let service = target.ends_with("/service.rs") && !target.starts_with("src/settlement/");
            if file.starts_with("src/settlement/") && service {
                found.push(format!("{file} names {target}; settlement uses repositories and rules only"));
            }
        }
    }
    assert!(found.is_empty(), "edges that would bring a circle back:\n{}", found.join("\n"));
}
