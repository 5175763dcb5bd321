//! The README's shell commands run as written: every command in its ```sh blocks is one the
//! reader has after the setup (Rust, the build tools, and what the section itself installs),
//! every `cargo run --release -- <command>` (or installed `/usr/local/bin/isp-billing
//! <command>`) names a command and flags the binary knows, and every `ISP_` variable set is
//! one the server reads.

use std::collections::BTreeSet;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");
const README: &str = include_str!("../../README.md");
/// Where the settings the server reads are named.
const SETTINGS: [&str; 2] = [include_str!("../../src/config.rs"), include_str!("../../src/main.rs")];

/// Where the settings of the tests are named.
const TEST_SETTINGS: [&str; 1] = [include_str!("helpers.rs")];

/// Tools a README command may start with besides the binary: each one is either installed by
/// the setup (Rust, build-essential, libpq-dev), part of any Debian system, or installed by the
/// section that uses it (PostgreSQL's client, Caddy or nginx, Node for examples/js).
const TOOLS: [&str; 22] = [
    "cargo",
    "git",
    "sh",
    "rustup",
    "apt-get",
    "curl",
    "createdb",
    "psql",
    "cp",
    "mkdir",
    "install",
    "useradd",
    "systemctl",
    "journalctl",
    "systemd-analyze",
    "caddy",
    "nginx",
    "ln",
    "openssl",
    "cd",
    "npm",
    "time",
];

/// The commands of every ```sh block, continuation lines joined and comments dropped.
fn commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut current = String::new();
    for line in markdown.lines() {
        let fence = line.trim_start();
        if fence.starts_with("```") {
            in_block = !in_block && matches!(fence.trim_start_matches('`').trim(), "sh" | "bash" | "shell");
            continue;
        }
        if !in_block {
            continue;
        }
        let line = strip_comment(line);
        if let Some(head) = line.trim_end().strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(&line);
        if !current.trim().is_empty() {
            out.extend(split_commands(&current));
        }
        current.clear();
    }
    out
}

/// `line` without a `#` comment (one outside quotes, at the start or after a space).
fn strip_comment(line: &str) -> String {
    let (mut quote, mut previous) = (None, ' ');
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return line[..i].to_owned(),
            _ => {}
        }
        previous = c;
    }
    line.to_owned()
}

/// The shell words of `text`: quotes removed, `$(...)` kept inside its word.
fn words(text: &str) -> Vec<String> {
    let (mut out, mut word, mut quote, mut depth) = (Vec::new(), String::new(), None, 0);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') if depth == 0 => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '$') if chars.peek() == Some(&'(') => {
                depth += 1;
                word.push(c);
            }
            (None, ')') if depth > 0 => {
                depth -= 1;
                word.push(c);
            }
            (None, c) if c.is_whitespace() && depth == 0 => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// `line` split at `&&`, `||`, `;` and `|` outside quotes.
fn split_commands(line: &str) -> Vec<String> {
    let (mut out, mut current, mut quote) = (Vec::new(), String::new(), None);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, ';' | '|' | '&') => {
                if chars.peek() == Some(&c) {
                    chars.next();
                }
                out.push(std::mem::take(&mut current));
            }
            _ => current.push(c),
        }
    }
    out.push(current);
    out.into_iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect()
}

/// What is wrong with one command, if anything; `known` collects the binary's commands used.
fn check(command: &str, known: &mut BTreeSet<String>) -> Option<String> {
    let words = words(command);
    let mut rest = words.as_slice();
    // `export NAME=value`: only a variable set.
    if rest.first().map(String::as_str) == Some("export") {
        rest = &rest[1..];
    }
    // Variables set for the command: ISP_ ones must be settings the server reads.
    while let Some((name, _)) = rest.first().and_then(|w| w.split_once('=')) {
        let read_by = if name.starts_with("ISP_TEST_") { &TEST_SETTINGS[..] } else { &SETTINGS[..] };
        if name.starts_with("ISP_") && !read_by.iter().any(|s| s.contains(&format!("\"{name}\""))) {
            return Some(format!("{name} is not a setting the server reads"));
        }
        rest = &rest[1..];
    }
    // `sudo [-u user] [-E] command ...`
    if rest.first().map(String::as_str) == Some("sudo") {
        rest = &rest[1..];
        while let Some(option) = rest.first().filter(|w| w.starts_with('-')) {
            rest = &rest[if option == "-u" { 2 } else { 1 }..];
        }
    }
    let (name, args) = rest.split_first()?;
    let binary_args = match name.as_str() {
        "/usr/local/bin/isp-billing" => Some(args),
        "cargo" if args.starts_with(&["run".into(), "--release".into()]) => match args.get(2).map(String::as_str) {
            None => Some(&args[2..]),
            Some("--") => Some(&args[3..]),
            Some(other) => return Some(format!("`cargo run --release {other}`: arguments go after `--`")),
        },
        "isp-billing" => {
            return Some("`isp-billing` is not on the PATH after the setup: write `cargo run --release -- ...`".into())
        }
        tool if TOOLS.contains(&tool) => None,
        other => return Some(format!("`{other}` is not a tool the README installs")),
    };
    let args = binary_args?;
    // The binary's command (its first word that is not a global flag and its value).
    let mut i = 0;
    while args.get(i).is_some_and(|a| a.starts_with("--")) {
        i += if args[i].contains('=') { 1 } else { 2 };
    }
    let sub = args.get(i).cloned().unwrap_or_else(|| "serve".to_owned());
    let help = Command::new(BIN).args([sub.as_str(), "--help"]).output().expect("run the binary");
    if !help.status.success() {
        return Some(format!("`{sub}` is not a command of the binary"));
    }
    known.insert(sub.clone());
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in args.iter().filter(|a| a.starts_with("--")) {
        let flag = flag.split('=').next().unwrap_or(flag);
        if !help.contains(&format!("{flag} ")) && !help.contains(&format!("{flag}\n")) {
            return Some(format!("`{sub}` has no flag {flag}"));
        }
    }
    None
}

#[test]
fn the_readme_commands_run_as_written() {
    let all = commands(README);
    assert!(all.len() > 20, "the README's commands were not found: {all:?}");
    let mut known = BTreeSet::new();
    let wrong: Vec<String> =
        all.iter().filter_map(|c| check(c, &mut known).map(|why| format!("{c}\n    {why}"))).collect();
    assert!(wrong.is_empty(), "README commands that do not run as written:\n{}", wrong.join("\n"));
    // The operator's commands are all shown somewhere.
    for command in ["serve", "backup", "restore", "seed-demo", "migrate"] {
        assert!(known.contains(command), "no README command runs `{command}`: {known:?}");
    }
}

#[test]
fn the_checks_catch_what_fails() {
    let mut known = BTreeSet::new();
    assert!(check("isp-billing backup --to x.db", &mut known).is_some(), "not on the PATH");
    assert!(check("cargo run --release -- bakup --to x.db", &mut known).is_some(), "no such command");
    assert!(check("cargo run --release -- backup --too x.db", &mut known).is_some(), "no such flag");
    assert!(check("ISP_NO_SUCH=1 cargo run --release", &mut known).is_some(), "no such setting");
    assert!(check("frobnicate --now", &mut known).is_some(), "unknown tool");
    assert!(check("export ISP_NO_SUCH=1", &mut known).is_some(), "no such setting, exported");
    assert!(check("export ISP_PUBLIC_URL=https://x.example", &mut known).is_none());
    assert!(check("DATABASE_URL=x.db cargo run --release -- backup --to x.db", &mut known).is_none());
    assert!(check("sudo -u isp-billing /usr/local/bin/isp-billing migrate", &mut known).is_none());
    let found =
        commands("```sh\nA=1 cargo run --release -- seed-demo \\\n  --customers 5 # ten\ncd x && npm test\n```\n");
    let found: Vec<Vec<String>> = found.iter().map(|c| words(c)).collect();
    assert_eq!(
        found,
        [
            vec!["A=1", "cargo", "run", "--release", "--", "seed-demo", "--customers", "5"],
            vec!["cd", "x"],
            vec!["npm", "test"]
        ]
    );
    assert_eq!(words("curl -d '{\"a\": 1}' \"$(date +%F)\""), ["curl", "-d", "{\"a\": 1}", "$(date +%F)"]);
}
