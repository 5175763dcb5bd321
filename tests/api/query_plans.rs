//! No statement of the profile, the payment path or the billing cycle scans a table that grows
//! with customers, invoices or payments: the real binary runs them on a seeded database with
//! `RUST_LOG=isp_billing::sql=trace`, and each statement it logged is explained there. On
//! PostgreSQL, the generic plan (as a prepared statement runs after its first executions) with
//! sequential scans priced out: one left in a plan is one no index can avoid. On SQLite,
//! `EXPLAIN QUERY PLAN`, where a `SCAN` of a table reads it whole.

use std::collections::BTreeSet;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::{json, Value};

use crate::helpers::{Kind, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");
const ADMIN_PASSWORD: &str = "admin-pass-4Tz8";

/// Tables whose rows grow with customers, invoices or payments: a sequential scan of one of
/// them costs more every month. (Companies, plans, localities, staff and settings stay small.)
const GROWING: [&str; 25] = [
    "customers",
    "invoices",
    "payments",
    "payment_allocations",
    "transactions",
    "audit_log",
    "notifications",
    "sessions",
    "document_snapshots",
    "billing_run_errors",
    "addon_bills",
    "complaints",
    "receipt_vouchers",
    "advance_adjustments",
    "credit_notes",
    "plan_changes",
    "gateway_payments",
    "gateway_events",
    "idempotency_keys",
    "refunds",
    "login_failures",
    "connection_requests",
    "service_pauses",
    "einvoice_registrations",
    "id_vault",
];

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn run(url: &str, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .env("ISP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env_remove("RUST_LOG")
        .output()
        .expect("run the binary");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The server, and what reads its log as it writes (a pipe nobody reads would stop it once
/// full).
struct Server {
    child: Child,
    log: std::thread::JoinHandle<String>,
}

async fn start(url: &str) -> (Server, u16) {
    let port = free_port();
    let mut child = Command::new(BIN)
        .env("DATABASE_URL", url)
        .env("ISP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("ISP_BILLING_CYCLE", "false")
        .env("ISP_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,isp_billing::sql=trace")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let mut stdout = child.stdout.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut log = String::new();
        stdout.read_to_string(&mut log).unwrap();
        log
    });
    let started = Instant::now();
    while !reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.is_ok_and(|r| r.status() == 200) {
        assert!(started.elapsed() < Duration::from_secs(60), "server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (Server { child, log }, port)
}

/// Stops the server and returns the SQL of every statement it logged, once each.
fn stop(server: Server) -> BTreeSet<String> {
    let Server { mut child, log } = server;
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = log.join().unwrap();
    // From the moment it serves: start-up (migrations, freezing old documents) runs once.
    log.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .skip_while(|l| !l["message"].as_str().unwrap_or_default().starts_with("serving GraphQL"))
        .filter(|l| l["target"] == "isp_billing::sql")
        .filter_map(|l| l["sql"].as_str().map(str::to_owned))
        .collect()
}

async fn gql(port: u16, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .json(&json!({"query": query, "variables": variables}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct Table {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The tables of [`GROWING`] the seeded database holds at least 1,000 rows of: a plan over a
/// table of a few pages says nothing (the planner rightly reads those whole).
fn judged(conn: &mut PgConnection) -> Vec<String> {
    let q = "SELECT relname::text AS name FROM pg_class WHERE relkind = 'r' AND reltuples >= 1000 ORDER BY 1";
    let big = diesel::sql_query(q).load::<Table>(conn).unwrap();
    big.into_iter().map(|t| t.name).filter(|t| GROWING.contains(&t.as_str())).collect()
}

/// The tables of `tables` that `sql` scans whole, by its generic plan; `None` for a statement
/// that cannot be prepared on its own (transaction control, settings).
fn scanned(conn: &mut PgConnection, sql: &str, tables: &[String]) -> Option<Vec<String>> {
    let head = sql.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
    if !["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(&head.as_str()) {
        return None;
    }
    // A multi-row insert binds hundreds.
    let params = (1..=usize::from(u16::MAX)).take_while(|n| sql.contains(&format!("${n}"))).count();
    diesel::sql_query("DEALLOCATE ALL").execute(conn).unwrap();
    if let Err(e) = diesel::sql_query(format!("PREPARE probe AS {sql}")).execute(conn) {
        panic!("cannot prepare {sql}: {e}");
    }
    let nulls = vec!["NULL"; params].join(", ");
    let explain =
        if params == 0 { "EXPLAIN EXECUTE probe".to_owned() } else { format!("EXPLAIN EXECUTE probe({nulls})") };
    let plan = diesel::sql_query(explain).load::<PlanLine>(conn).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let plan: Vec<String> = plan.into_iter().map(|l| l.line).collect();
    // A whole-index read under a LIMIT stops early (the first page of a list); a count of a
    // list (its `totalCount`) reads every row it counts, which only selecting it costs.
    let bounded = plan.first().is_some_and(|l| l.trim_start().starts_with("Limit")) && !aggregate(sql);
    let counted = sql.starts_with("SELECT COUNT(*)");
    Some(
        tables
            .iter()
            .filter(|t| {
                let seq = plan
                    .iter()
                    .any(|l| l.contains(&format!("Seq Scan on {t} ")) || l.ends_with(&format!("Seq Scan on {t}")));
                seq || (!bounded && !counted && whole_index_scan(&plan, t))
            })
            .map(|t| format!("{t}: {sql}\n{}", plan.join("\n")))
            .collect(),
    )
}

/// Whether `plan` reads all of an index of `table` (an index scan with no `Index Cond`): a
/// scan of the whole table in index order.
fn whole_index_scan(plan: &[String], table: &str) -> bool {
    plan.iter().enumerate().any(|(i, line)| {
        let scan = (line.contains("Index Scan using ") || line.contains("Index Only Scan using "))
            && (line.contains(&format!(" on {table} ")) || line.ends_with(&format!(" on {table}")));
        if !scan {
            return false;
        }
        let depth = line.len() - line.trim_start().len();
        let mut details = plan[i + 1..].iter().take_while(|l| {
            let d = l.len() - l.trim_start().len();
            d > depth && !l.trim_start().starts_with("->")
        });
        !details.any(|l| l.contains("Index Cond"))
    })
}

/// Seeds a renewal day into the database at `url`, then runs the binary on it through a profile
/// of two pages, a payment and the day's billing run; the SQL it ran for them, once each.
async fn workload(url: &str) -> BTreeSet<String> {
    run(url, &["seed-demo", "--customers", "2000", "--seed", "7", "--renewal-day"]);
    let taxed_customer = last_years_vouchers(url);
    let (child, port) = start(url).await;
    let login = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";
    let token = gql(port, None, login, json!({"u": "admin", "p": ADMIN_PASSWORD})).await["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = Some(token.as_str());
    // The profile, as the README shows it, on two pages.
    let profile = "query($after: String) { customers(first: 20, after: $after) { totalCount
        pageInfo { endCursor } nodes {
        customerId fullName plan { name price } locality { name } company { name gstRate }
        assignedEmployee { fullName mobile }
        invoices(first: 3) { invoiceNumber totalAmount balanceAmount status payments { paymentId amount } } } } }";
    let page = gql(port, t, profile, json!({})).await;
    let after = page["customers"]["pageInfo"]["endCursor"].clone();
    gql(port, t, profile, json!({"after": after})).await;
    // The same page asking for fields beyond what a page shows reads the customers' and the
    // invoices' whole rows and the allocations: the other form of both statements.
    let whole = profile
        .replace("customerId fullName", "customerId fullName username createdAt")
        .replace("payments { paymentId amount }", "cgstTax payments { paymentId remarks } allocations { amount }");
    gql(port, t, &whole, json!({"after": after})).await;
    // The payment path: a payment on the unpaid invoices of a customer whose company charges
    // GST, the rest kept as advance (a receipt voucher, numbered in its series).
    let id = gql(
        port,
        t,
        "query($s: String) { customers(first: 1, filter: {search: $s}) { nodes { id } } }",
        json!({"s": taxed_customer}),
    )
    .await["customers"]["nodes"][0]["id"]
        .clone();
    let pay = "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { paymentId amount } }";
    gql(port, t, pay, json!({"i": {"customerId": id, "amount": "100000", "paymentMethod": "CASH"}})).await;
    // The day's billing run: renewals, overdue invoices, suspensions, reminders.
    let run = gql(port, t, "mutation { runBillingCycle { renewed overdue suspended errors } }", json!({})).await;
    assert!(run["runBillingCycle"]["renewed"].as_i64().unwrap() > 0, "{run}");
    stop(child)
}

/// Last year's receipt vouchers of the first company that charges GST, 1,200 of them, one for
/// each of 1,200 customers, straight into the table: a statement that read all of a company's
/// vouchers to number the next would read these. Returns the number of a customer of that
/// company.
fn last_years_vouchers(url: &str) -> String {
    let insert = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200) \
        INSERT INTO receipt_vouchers (company_id, customer_id, series, serial, voucher_number, voucher_date, \
        amount_paise, taxable_paise, cgst_paise, sgst_paise, igst_paise, rate_bp, pos_code, inter_state, \
        adjusted_paise, document, created_at) \
        SELECT (SELECT MIN(id) FROM companies WHERE gstin IS NOT NULL), c.id, 'RV/25-26', n.i, 'RV/25-26/' || n.i, \
        '2025-05-01', 118, 100, 9, 9, 0, 1800, '27', FALSE, 118, '{}', '2025-05-01 10:00:00' \
        FROM n JOIN customers c ON c.id = (SELECT MIN(id) FROM customers) + n.i";
    let customer = "SELECT customer_id AS value FROM customers \
        WHERE company_id = (SELECT MIN(id) FROM companies WHERE gstin IS NOT NULL) ORDER BY id LIMIT 1";
    if url.starts_with("postgres") {
        let mut conn = PgConnection::establish(url).unwrap();
        assert_eq!(diesel::sql_query(insert).execute(&mut conn).unwrap(), 1200);
        diesel::sql_query("ANALYZE receipt_vouchers").execute(&mut conn).unwrap();
        diesel::sql_query(customer).get_result::<Value1>(&mut conn).unwrap().value
    } else {
        let mut conn = SqliteConnection::establish(url).unwrap();
        assert_eq!(diesel::sql_query(insert).execute(&mut conn).unwrap(), 1200);
        diesel::sql_query(customer).get_result::<Value1>(&mut conn).unwrap().value
    }
}

#[derive(QueryableByName)]
struct Value1 {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Only login reads a password hash (by the username it was given): the profile, the payment
/// and the billing run read rows without it.
fn no_password_read_but_at_login(statements: &BTreeSet<String>) {
    let read: Vec<&String> =
        statements.iter().filter(|s| s.contains("password_hash") && !s.contains("lower(")).collect();
    assert!(read.is_empty(), "statements reading a password hash outside login: {read:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn the_profile_payments_and_the_billing_cycle_use_indexes_on_postgres() {
    let db = TestDb::create(Kind::Postgres).expect("PostgreSQL");
    let statements = workload(db.url()).await;
    assert!(statements.len() > 30, "{} statements logged", statements.len());
    no_password_read_but_at_login(&statements);

    let mut conn = PgConnection::establish(db.url()).unwrap();
    // The generic plan, and a sequential scan only where no index can serve the statement:
    // on a small test database the planner would rightly scan a table of a few rows that has
    // an index, so scans are priced out and any left are scans nothing else can do.
    diesel::sql_query("SET plan_cache_mode = force_generic_plan").execute(&mut conn).unwrap();
    diesel::sql_query("SET enable_seqscan = off").execute(&mut conn).unwrap();
    let tables = judged(&mut conn);
    for big in ["customers", "invoices", "payments", "payment_allocations", "transactions", "receipt_vouchers"] {
        assert!(tables.iter().any(|t| t == big), "{big} is not seeded large enough to judge: {tables:?}");
    }
    let mut explained = 0;
    let mut scans = Vec::new();
    for sql in &statements {
        if let Some(found) = scanned(&mut conn, sql, &tables) {
            explained += 1;
            scans.extend(found);
        }
    }
    assert!(explained > 30, "{explained} statements explained");
    assert!(scans.is_empty(), "{} statements scan one of {tables:?}:\n\n{}", scans.len(), scans.join("\n\n"));
}

#[derive(QueryableByName)]
struct Step {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_payments_and_the_billing_cycle_use_indexes_on_sqlite() {
    let db = TestDb::create(Kind::Sqlite).expect("SQLite");
    let statements = workload(db.url()).await;
    assert!(statements.len() > 30, "{} statements logged", statements.len());
    no_password_read_but_at_login(&statements);
    let mut conn = SqliteConnection::establish(db.url()).unwrap();
    let tables: Vec<String> = GROWING
        .iter()
        .filter(|t| {
            let q = format!("SELECT COUNT(*) AS n FROM {t}");
            diesel::sql_query(q).get_result::<Count>(&mut conn).unwrap().n >= 1000
        })
        .map(|t| (*t).to_owned())
        .collect();
    for big in ["customers", "invoices", "payments", "payment_allocations", "transactions", "receipt_vouchers"] {
        assert!(tables.iter().any(|t| t == big), "{big} is not seeded large enough to judge: {tables:?}");
    }
    let mut explained = 0;
    let mut scans = Vec::new();
    for sql in &statements {
        let head = sql.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        if !["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(&head.as_str()) {
            continue;
        }
        let plan = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<Step>(&mut conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        explained += 1;
        let plan: Vec<String> = plan.into_iter().map(|s| s.detail).collect();
        // As on PostgreSQL: a first page stops at its LIMIT; a count reads what it counts.
        let tail = sql.trim_end();
        let limit = tail.rsplit_once("LIMIT ").map(|(_, n)| n);
        // A LIMIT after a sort of everything found (a temporary B-tree) bounds nothing read.
        let sorted = plan.iter().any(|l| l.contains("USE TEMP B-TREE FOR ORDER BY"));
        let bounded = limit.is_some_and(|n| n == "?" || n == "? OFFSET ?" || n.parse::<u32>().is_ok())
            && !aggregate(sql)
            && !sorted;
        let counted = sql.starts_with("SELECT COUNT(*)");
        if bounded || counted {
            continue;
        }
        let names = table_names(sql);
        for line in &plan {
            let Some((table, wide)) = sqlite_read(line, &names) else { continue };
            if !tables.contains(&table) {
                continue;
            }
            // A search on an index's equalities that leave most of the table: a scan in all
            // but name (say `billing_type=?` over every prepaid customer).
            let broad = wide.is_some_and(|columns| rows_per_key(&mut conn, &table, &columns) >= 100);
            if line.starts_with("SCAN ") || broad {
                scans.push(format!("{table}: {sql}\n{}", plan.join("\n")));
            }
        }
    }
    assert!(explained > 30, "{explained} statements explained");
    assert!(scans.is_empty(), "{} statements scan one of {tables:?}:\n\n{}", scans.len(), scans.join("\n\n"));
}

/// The table each name in `sql`'s `FROM` and `JOIN` clauses stands for: SQLite's plans name a
/// table by its alias where it has one (`SCAN c`).
fn table_names(sql: &str) -> std::collections::HashMap<String, String> {
    const NOT_ALIASES: [&str; 16] = [
        "WHERE",
        "ON",
        "LEFT",
        "INNER",
        "CROSS",
        "JOIN",
        "ORDER",
        "GROUP",
        "LIMIT",
        "SET",
        "USING",
        "UNION",
        "AND",
        "OR",
        "VALUES",
        "RETURNING",
    ];
    let tokens: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .map(|t| t.trim_matches('"'))
        .collect();
    let mut names = std::collections::HashMap::new();
    for (i, token) in tokens.iter().enumerate() {
        if !(token.eq_ignore_ascii_case("FROM") || token.eq_ignore_ascii_case("JOIN")) {
            continue;
        }
        let Some(table) = tokens.get(i + 1) else { continue };
        names.insert((*table).to_owned(), (*table).to_owned());
        let mut next = tokens.get(i + 2).copied();
        if next.is_some_and(|t| t.eq_ignore_ascii_case("AS")) {
            next = tokens.get(i + 3).copied();
        }
        if let Some(alias) = next.filter(|t| {
            t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !NOT_ALIASES.iter().any(|k| k.eq_ignore_ascii_case(t))
        }) {
            names.insert(alias.to_owned(), (*table).to_owned());
        }
    }
    names
}

/// What a line of SQLite's plan reads: the table (through `names`) of a `SCAN` or `SEARCH`,
/// and for a search on equalities only (`USING INDEX i (a=? AND b=?)`), their columns.
fn sqlite_read(line: &str, names: &std::collections::HashMap<String, String>) -> Option<(String, Option<Vec<String>>)> {
    let rest = line.strip_prefix("SCAN ").or_else(|| line.strip_prefix("SEARCH "))?;
    let name = rest.split_whitespace().next()?;
    let table = names.get(name).cloned().unwrap_or_else(|| name.to_owned());
    if line.starts_with("SCAN ") || line.contains("PRIMARY KEY") {
        return Some((table, None));
    }
    let inside = line.rsplit_once('(').and_then(|(_, c)| c.strip_suffix(')'))?;
    let terms: Vec<&str> = inside.split(" AND ").collect();
    let equalities = terms.iter().all(|t| t.ends_with("=?") && !t.ends_with(">=?") && !t.ends_with("<=?"));
    let columns = terms.iter().map(|t| t.trim_end_matches("=?").to_owned()).collect();
    Some((table, equalities.then_some(columns)))
}

/// Whether `sql` is one aggregate over the rows it selects (`max`, `min`, `sum`, `count`): its
/// `LIMIT` (diesel's `.first()`) bounds the rows it returns, not the rows it reads.
fn aggregate(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    ["select max(", "select min(", "select sum(", "select count("].iter().any(|a| lower.starts_with(a))
}

/// How many rows of `table` share one value of `columns`, on average over the rows that have
/// one (0 for an expression index's `<expr>`, which this cannot judge).
fn rows_per_key(conn: &mut SqliteConnection, table: &str, columns: &[String]) -> i64 {
    if !columns.iter().all(|c| c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')) {
        return 0;
    }
    let list = columns.join(", ");
    // An equality never matches NULL: rows without a key are never read by one.
    let keyed = columns.iter().map(|c| format!("{c} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
    let q = format!(
        "SELECT (SELECT COUNT(*) FROM {table} WHERE {keyed}) / \
         MAX(1, (SELECT COUNT(*) FROM (SELECT DISTINCT {list} FROM {table} WHERE {keyed}))) AS n"
    );
    diesel::sql_query(q).get_result::<Count>(conn).unwrap_or_else(|e| panic!("{table} ({list}): {e}")).n
}
