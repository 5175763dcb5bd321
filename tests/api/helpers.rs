//! The test app: the real server (`build_app`) on an ephemeral port, against a fresh SQLite
//! file or a fresh PostgreSQL database (when `ISP_TEST_POSTGRES_URL` is set).

use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use futures_util::{SinkExt, StreamExt};
use isp_billing::config::Config;
use isp_billing::metrics::Metrics;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::documents::{ACCOUNT, LOGIN};

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database made for one test and removed after it.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
    /// Another app's database (it stays when this one goes).
    Shared {
        url: String,
    },
}

impl TestDb {
    /// A fresh database, or `None` for PostgreSQL when `ISP_TEST_POSTGRES_URL` is not set.
    pub fn create(kind: Kind) -> Option<TestDb> {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("test.db").to_string_lossy().into_owned();
                Some(TestDb::Sqlite { _dir: dir, url })
            }
            Kind::Postgres => {
                let Ok(admin_url) = std::env::var("ISP_TEST_POSTGRES_URL") else {
                    eprintln!("skipped on PostgreSQL: ISP_TEST_POSTGRES_URL is not set");
                    return None;
                };
                let name = format!("isp_test_{}_{}", std::process::id(), rand_suffix());
                let mut admin = PgConnection::establish(&admin_url).expect("connect to ISP_TEST_POSTGRES_URL");
                admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
                let url = with_database(&admin_url, &name);
                Some(TestDb::Postgres { admin_url, name, url })
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } | TestDb::Shared { url } => url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name, .. } = self {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{}_{}", COUNTER.fetch_add(1, Ordering::Relaxed), nanos)
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Password of the first admin in every test app.
pub const ADMIN_PASSWORD: &str = "admin-test-password";

/// The running server and a client for it, logged in as the first admin.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub metrics: Arc<Metrics>,
    pub kind: Kind,
    /// The admin's token, sent by [`TestApp::gql`].
    pub token: String,
    server: tokio::task::JoinHandle<()>,
    // Dropped last: the server lets go of its connections first.
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// Starts the app on a fresh database of `kind` with default settings.
    pub async fn spawn(kind: Kind) -> Option<TestApp> {
        Self::spawn_with(kind, |_| {}).await
    }

    /// Starts the app on a fresh database of `kind`, after `configure` adjusts the settings.
    pub async fn spawn_with(kind: Kind, configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let db = tokio::task::spawn_blocking(move || TestDb::create(kind)).await.expect("create db")?;
        Some(Self::start(kind, db, configure).await)
    }

    /// Starts an app on an existing SQLite or PostgreSQL database at `url`, which outlives it.
    pub async fn on_database(kind: Kind, url: &str) -> TestApp {
        Self::start(kind, TestDb::Shared { url: url.to_owned() }, |_| {}).await
    }

    /// Starts a second app on this app's database (as a restart would; migrations run again).
    pub async fn restart_on_same_database(&self) -> TestApp {
        Self::start(self.kind, TestDb::Shared { url: self._db.url().to_owned() }, |_| {}).await
    }

    /// Starts a second app on this app's database after `configure` adjusts its settings.
    pub async fn restart_with(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        Self::start(self.kind, TestDb::Shared { url: self._db.url().to_owned() }, configure).await
    }

    /// A client for a server running elsewhere (a process the test started) at `addr`, on the
    /// database at `url` (which outlives it), logged in as the first admin.
    pub async fn external(kind: Kind, addr: SocketAddr, url: &str) -> TestApp {
        let server = tokio::spawn(std::future::pending::<()>());
        let db = TestDb::Shared { url: url.to_owned() };
        let client = reqwest::Client::new();
        let mut app = TestApp { addr, client, metrics: Arc::default(), kind, token: String::new(), server, _db: db };
        app.token = app.login("admin", ADMIN_PASSWORD).await;
        app
    }

    /// The database this app runs on.
    pub fn database_url(&self) -> &str {
        self._db.url()
    }

    async fn start(kind: Kind, db: TestDb, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config::for_database(db.url());
        config.admin_password = Some(ADMIN_PASSWORD.to_owned());
        config.id_vault_key = Some(test_id_vault_key());
        configure(&mut config);
        let app = isp_billing::build_app(&config).await.expect("build_app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let metrics = Arc::clone(&app.metrics);
        let server = tokio::spawn(async move {
            isp_billing::serve(listener, app, std::future::pending()).await.expect("server");
        });
        let mut test_app =
            TestApp { addr, client: reqwest::Client::new(), metrics, kind, token: String::new(), server, _db: db };
        test_app.token = test_app.login("admin", ADMIN_PASSWORD).await;
        test_app
    }

    /// Logs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let data = self.data_as(None, LOGIN, json!({"u": username, "p": password})).await;
        data["login"]["token"].as_str().expect("token").to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// POSTs a GraphQL request with `token` (anonymous for `None`).
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self.client.post(self.url("/graphql"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response =
            request.json(&json!({ "query": query, "variables": variables })).send().await.expect("POST /graphql");
        assert_eq!(response.status(), 200, "GraphQL answers 200 even for errors");
        response.json().await.expect("JSON body")
    }

    /// The `data` of a request (as the admin) that must succeed.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        self.data_as(Some(&self.token), query, variables).await
    }

    /// The `data` of a request with `token` that must succeed.
    pub async fn data_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql_as(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The first error of a request (as the admin) that must fail.
    pub async fn error(&self, query: &str, variables: Value) -> Value {
        self.error_as(Some(&self.token), query, variables).await
    }

    /// The first error of a request with `token` that must fail.
    pub async fn error_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql_as(token, query, variables).await;
        let error = body["errors"][0].clone();
        assert!(error.is_object(), "expected an error, got {body:#}");
        error
    }
}

/// The identity vault key every test app starts with (a server without one stores no
/// identity document numbers).
pub const ID_VAULT_KEY: &str = "7f3c1a9e5b2d48f0a6c4e2b1d9f8a7c65e4d3c2b1a0f9e8d7c6b5a4938271605";

pub fn test_id_vault_key() -> isp_billing::id_vault::key::IdVaultKey {
    isp_billing::id_vault::key::IdVaultKey::parse(ID_VAULT_KEY, "ISP_ID_VAULT_KEY").expect("a valid key")
}

/// Asserts `error` has `extensions.code == code` (and `extensions.field == field` if given).
pub fn assert_code(error: &Value, code: &str, field: Option<&str>) {
    assert_eq!(error["extensions"]["code"], code, "wrong code in {error:#}");
    if let Some(field) = field {
        assert_eq!(error["extensions"]["field"], field, "wrong field in {error:#}");
    }
}

/// Whether `s` is all ASCII digits.
pub fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Paise from a `Money` string.
pub fn paise(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("not money: {v}"));
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (whole, frac) = s.split_once('.').expect("two decimals");
    let p = whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    if neg {
        -p
    } else {
        p
    }
}

/// Reads a customer's account through the API and checks every money invariant:
/// per invoice `balance = total − paid`, `paid` = what payments put on it, PAID exactly when
/// nothing is owed (and not cancelled); per payment `amount − refunded = allocated + advance`;
/// the ledger's changes sum to `balance`, its running balances chain, and
/// `balance = Σ open invoice balances − advance`. Returns the account.
pub async fn check_invariants(app: &TestApp, customer: &str) -> Value {
    let account = app.data(ACCOUNT, json!({ "id": customer })).await["node"].clone();
    let invoices = account["invoices"].as_array().unwrap();
    let payments = account["payments"].as_array().unwrap();
    let ledger = account["transactions"].as_array().unwrap();
    let mut outstanding = 0;
    for inv in invoices {
        let (total, paid, balance) =
            (paise(&inv["totalAmount"]), paise(&inv["paidAmount"]), paise(&inv["balanceAmount"]));
        assert_eq!(balance, total - paid, "balance = total − paid: {inv}");
        let put_on: i64 = payments
            .iter()
            .filter(|p| p["status"] == "COMPLETED")
            .flat_map(|p| p["allocations"].as_array().unwrap().iter())
            .filter(|a| a["invoice"]["id"] == inv["id"])
            .map(|a| paise(&a["amount"]))
            .sum();
        assert_eq!(paid, put_on, "paid = completed payments on it less refunds: {inv}");
        let cancelled = inv["status"] == "CANCELLED";
        assert_eq!(inv["status"] == "PAID", balance <= 0 && !cancelled, "PAID exactly when settled: {inv}");
        if !cancelled {
            outstanding += balance;
        } else {
            assert_eq!(paid, 0, "a cancelled invoice holds no money: {inv}");
        }
    }
    let mut advance = 0;
    for p in payments {
        let (amount, refunded, allocated, adv) = (
            paise(&p["amount"]),
            paise(&p["refundedAmount"]),
            paise(&p["allocatedAmount"]),
            paise(&p["advanceAmount"]),
        );
        if p["status"] == "COMPLETED" {
            assert_eq!(amount - refunded, allocated + adv, "payment money is on invoices or advance: {p}");
            assert!(refunded <= amount && adv >= 0, "{p}");
            let net: i64 = p["allocations"].as_array().unwrap().iter().map(|a| paise(&a["amount"])).sum();
            assert_eq!(net, allocated, "{p}");
        } else {
            assert_eq!((allocated, adv, refunded), (0, 0, 0), "pending and failed payments count for nothing: {p}");
        }
        advance += adv;
    }
    assert_eq!(paise(&account["advanceAmount"]), advance);
    let balance = paise(&account["balance"]);
    let ledger_sum: i64 = whole_ledger(app, customer).await.iter().map(|t| paise(&t["balanceChange"])).sum();
    assert_eq!(ledger_sum, balance, "ledger sum = customer balance");
    if let Some(newest) = ledger.first() {
        assert_eq!(paise(&newest["balanceAfter"]), balance);
    }
    // Rows come newest first: each running balance is the older one plus its change.
    for pair in ledger.windows(2) {
        assert_eq!(paise(&pair[0]["balanceAfter"]), paise(&pair[1]["balanceAfter"]) + paise(&pair[0]["balanceChange"]));
    }
    assert_eq!(balance, outstanding - advance, "balance = open invoice balances − advance");
    account
}

/// Every ledger row of a customer, oldest first, through the paged `transactions` connection.
pub async fn whole_ledger(app: &TestApp, customer: &str) -> Vec<Value> {
    let q = "query($c: ID, $after: String) { transactions(filter: {customerId: $c}, first: 100, after: $after) {
        nodes { balanceChange balanceAfter } pageInfo { hasNextPage endCursor } } }";
    let mut rows = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(q, json!({"c": customer, "after": after})).await["transactions"].clone();
        rows.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return rows;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// Declares each `async fn name(app: TestApp)` as two tests, `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::helpers::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Kind::Sqlite).await.expect("sqlite app");
                    run(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Kind::Postgres).await {
                        run(app).await;
                    }
                }
            }
        )*
    };
}

/// CI must test PostgreSQL too: under `CI=true` a missing `ISP_TEST_POSTGRES_URL` fails the run
/// (elsewhere the PostgreSQL variants are reported as ignored).
#[test]
fn postgres_is_tested_in_ci() {
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        assert!(
            std::env::var("ISP_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()),
            "CI=true but ISP_TEST_POSTGRES_URL is not set: the PostgreSQL tests would not run"
        );
    }
}

#[test]
fn database_name_is_swapped_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    assert_eq!(with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
}

impl TestApp {
    /// Runs SQL straight on the test database (to set up what the API cannot, like an
    /// expired session), returning the affected row count or the database's error.
    pub fn sql(&self, statement: &str) -> Result<usize, String> {
        use diesel::RunQueryDsl;
        let url = self._db.url();
        match self.kind {
            Kind::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(url).map_err(|e| e.to_string())?;
                diesel::sql_query(statement).execute(&mut conn).map_err(|e| e.to_string())
            }
            Kind::Postgres => {
                let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
                diesel::sql_query(statement).execute(&mut conn).map_err(|e| e.to_string())
            }
        }
    }

    /// One text value from the test database.
    pub fn sql_text(&self, query: &str) -> String {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            value: String,
        }
        let url = self._db.url();
        let rows: Vec<Row> = match self.kind {
            Kind::Sqlite => {
                diesel::sql_query(query).load(&mut diesel::SqliteConnection::establish(url).unwrap()).unwrap()
            }
            Kind::Postgres => diesel::sql_query(query).load(&mut PgConnection::establish(url).unwrap()).unwrap(),
        };
        rows.into_iter().next().expect("a row").value
    }

    /// Which of the SQLite database's files (the database itself, its write-ahead log) hold
    /// `needle`'s bytes anywhere, live or left behind in free space: empty on PostgreSQL.
    pub fn sqlite_files_holding(&self, needle: &str) -> Vec<String> {
        if self.kind != Kind::Sqlite {
            return Vec::new();
        }
        let path = self._db.url();
        [path.to_owned(), format!("{path}-wal")]
            .into_iter()
            .filter(|file| {
                std::fs::read(file).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            })
            .map(|file| file.rsplit('/').next().unwrap_or_default().to_owned())
            .collect()
    }

    /// Drops a PostgreSQL test database under the running server (to test failure paths).
    pub fn drop_database_now(&self) {
        if let TestDb::Postgres { admin_url, name, .. } = &self._db {
            let mut admin = PgConnection::establish(admin_url).expect("admin connection");
            admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).expect("drop database");
        }
    }
}

/// A websocket to the app.
pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl TestApp {
    /// Opens `/graphql/ws` speaking `protocol` (`graphql-transport-ws` or `graphql-ws`), not
    /// yet initialised.
    pub async fn websocket(&self, protocol: &str) -> Socket {
        let mut request = format!("ws://{}/graphql/ws", self.addr).into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        tokio_tungstenite::connect_async(request).await.expect("websocket").0
    }
}

/// A GraphQL websocket client speaking `protocol` (`graphql-transport-ws` or `graphql-ws`).
pub struct Subscriber {
    socket: Socket,
    modern: bool,
}

impl Subscriber {
    /// Connects and sends `connection_init` with `token`; `Err` with the server's answer when
    /// the connection is refused.
    pub async fn connect(app: &TestApp, protocol: &str, token: Option<&str>) -> Result<Subscriber, String> {
        let mut socket = app.websocket(protocol).await;
        let payload = token.map_or(json!({}), |t| json!({"Authorization": format!("Bearer {t}")}));
        socket.send(Message::text(json!({"type": "connection_init", "payload": payload}).to_string())).await.unwrap();
        let mut sub = Subscriber { socket, modern: protocol == "graphql-transport-ws" };
        match sub.next_message(Duration::from_secs(10)).await {
            Some(m) if m["type"] == "connection_ack" => Ok(sub),
            other => Err(format!("{other:?}")),
        }
    }

    /// Starts operation `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.modern { "subscribe" } else { "start" };
        let message = json!({"id": id, "type": kind, "payload": {"query": query, "variables": variables}});
        self.socket.send(Message::text(message.to_string())).await.unwrap();
    }

    /// The next GraphQL message (pings and keep-alives skipped), `None` on timeout or close.
    async fn next_message(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next()).await.ok()??.ok()?;
            match message {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] != "ka" && value["type"] != "ping" && value["type"] != "pong" {
                        return Some(value);
                    }
                }
                Message::Close(frame) => return Some(json!({"type": "close", "frame": format!("{frame:?}")})),
                _ => {}
            }
        }
    }

    /// The payload of the next event (`next` or `data`), `None` if none comes `within`.
    pub async fn event(&mut self, within: Duration) -> Option<Value> {
        loop {
            let message = self.next_message(within).await?;
            match message["type"].as_str() {
                Some("next" | "data") => return Some(message["payload"].clone()),
                Some("error" | "close" | "connection_error" | "complete") => return Some(message),
                _ => {}
            }
        }
    }

    /// The raw websocket, for tests of the transport itself.
    pub fn socket(&mut self) -> &mut Socket {
        &mut self.socket
    }
}

/// Reverts the migrations of the database at `url`, newest first, down to and including the one
/// whose version (digits only) starts with `version`: the schema as it was before that migration.
pub async fn revert_through(url: &str, version: &'static str) {
    use isp_billing::error::AppError;
    let db = isp_billing::db::Db::connect(url, 1, Arc::default()).expect("connect");
    db.read(move |conn| loop {
        let reverted = isp_billing::db::migrations::revert_last(conn).map_err(|e| AppError::Internal(e.to_string()))?;
        if reverted.replace('-', "").starts_with(version) {
            return Ok(());
        }
        if reverted.is_empty() {
            return Err(AppError::Internal(format!("no migration {version} to revert")));
        }
    })
    .await
    .map_err(|e| e.message())
    .expect("revert");
}

/// The server's business date today (what `runBillingCycle` and the dashboard call today).
pub async fn business_today(app: &TestApp) -> chrono::NaiveDate {
    let d = app.data("{ dashboard { asOf } }", json!({})).await;
    d["dashboard"]["asOf"].as_str().unwrap().parse().unwrap()
}

/// The date `n` days before `d`, as the API writes dates.
pub fn days_before(d: chrono::NaiveDate, n: u64) -> String {
    d.checked_sub_days(chrono::Days::new(n)).unwrap().to_string()
}

/// The date `n` days after `d`, as the API writes dates.
pub fn days_after(d: chrono::NaiveDate, n: u64) -> String {
    d.checked_add_days(chrono::Days::new(n)).unwrap().to_string()
}
