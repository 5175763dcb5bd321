//! Several servers on one PostgreSQL: two processes of the real binary on one database. A
//! subscriber on one hears of a complaint filed through the other (also when its listener lost
//! its connection meanwhile), login failures, the connection-request limit and idempotency keys
//! count on both together, each background job runs on one of them, and when that one is
//! killed (SIGKILL) the other takes its jobs over. PostgreSQL only (SQLite is one process).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};

use crate::documents::{CREATE_COMPLAINT, CREATE_CONNECTION_REQUEST, CREATE_PAYMENT, LOGIN};
use crate::helpers::{assert_code, Kind, Subscriber, TestApp, TestDb, ADMIN_PASSWORD};

const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");

const CREATED: &str = "subscription { complaintCreated { complaintId title customer { fullName } } }";

/// The jobs every server on PostgreSQL has (the webhook sender when a webhook is set).
const JOBS: [&str; 5] = ["reminders", "billing-cycle", "kyc-erasure", "events-prune", "webhooks"];

/// One server process, its log read as it is written (a pipe nobody reads would stop it).
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn addr(&self) -> std::net::SocketAddr {
        format!("127.0.0.1:{}", self.port).parse().unwrap()
    }

    /// Stops the server with SIGTERM (as a service manager does) and waits for it.
    fn stop(mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `/metrics` (this machine may read it).
    async fn metrics(&self) -> String {
        reqwest::get(format!("http://127.0.0.1:{}/metrics", self.port)).await.unwrap().text().await.unwrap()
    }

    /// Whether this server runs `job` now, by its `isp_jobs_held` gauge.
    async fn holds(&self, job: &str) -> bool {
        self.metrics().await.lines().any(|l| l == format!("isp_jobs_held{{job=\"{job}\"}} 1"))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the binary on `url` with `env` and waits until `/healthz` answers 200.
async fn start(url: &str, env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let mut command = Command::new(BIN);
    command
        .env("DATABASE_URL", url)
        .env("ISP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("ISP_BILLING_CYCLE", "false")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("start the binary");
    let log = Arc::new(Mutex::new(String::new()));
    for mut pipe in
        [Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>, Box::new(child.stderr.take().unwrap())]
    {
        let log = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                log.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
    }
    let server = Server { child, port, log };
    let started = Instant::now();
    loop {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await {
            if r.status() == 200 {
                break;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(60), "server did not come up:\n{}", server.log.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server
}

/// Runs `sql` as the administrator of the PostgreSQL server (not in the test database).
fn admin_sql(sql: &str) {
    let url = std::env::var("ISP_TEST_POSTGRES_URL").unwrap();
    PgConnection::establish(&url).unwrap().batch_execute(sql).unwrap();
}

/// The test database's name, from its URL.
fn database_name(url: &str) -> String {
    url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned()
}

fn complaint(customer: &str, title: &str) -> Value {
    json!({"i": {"customerId": customer, "title": title, "description": "No internet since morning",
                 "category": "CONNECTIVITY", "priority": "HIGH"}})
}

/// The next event's `complaintCreated`, failing after `within`.
async fn next_complaint(sub: &mut Subscriber, within: Duration) -> Value {
    let event = sub.event(within).await.expect("an event in time");
    event["data"]["complaintCreated"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn a_subscriber_on_one_server_hears_of_what_is_filed_on_the_other_and_limits_count_on_both() {
    let Some(db) = tokio::task::spawn_blocking(|| TestDb::create(Kind::Postgres)).await.unwrap() else { return };
    let url = db.url().to_owned();
    let limits = [("ISP_LOGIN_MAX_FAILURES", "3"), ("ISP_CONNECTION_REQUESTS_PER_HOUR", "2")];
    // Both start at once on the empty database: one migrates and makes the first admin.
    let (server_a, server_b) = tokio::join!(start(&url, &limits), start(&url, &limits));
    let a = TestApp::external(Kind::Postgres, server_a.addr(), &url).await;
    let b = TestApp::external(Kind::Postgres, server_b.addr(), &url).await;

    // Subscribed on A (the older protocol, as many dashboards speak), filed on B.
    let bb = b.catalogue("499").await.broadband;
    let (customer, invoice) = b.customer("ravi", &bb).create_with_invoice().await;
    let mut sub = Subscriber::connect(&a, "graphql-ws", Some(&a.token)).await.expect("connected");
    sub.subscribe("1", CREATED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let filed = b.data(CREATE_COMPLAINT, complaint(&customer, "Line down")).await["createComplaint"].clone();
    let heard = next_complaint(&mut sub, Duration::from_secs(10)).await;
    assert_eq!(heard["complaintId"], filed["complaintId"], "{heard:#}");
    assert_eq!(heard["customer"]["fullName"], "Customer ravi", "relations resolve on A: {heard:#}");
    // A's own complaints reach its subscribers once (not again through its listener).
    let own = a.data(CREATE_COMPLAINT, complaint(&customer, "Slow")).await["createComplaint"].clone();
    assert_eq!(next_complaint(&mut sub, Duration::from_secs(10)).await["complaintId"], own["complaintId"]);
    assert!(sub.event(Duration::from_millis(1500)).await.is_none(), "each complaint arrives once");

    // The listeners lose their connections and cannot connect again for a while; a complaint
    // filed meanwhile (B's pooled connections stay open) arrives once they are back.
    let name = database_name(&url);
    admin_sql(&format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND application_name = 'isp-billing events'"
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = b.data(CREATE_COMPLAINT, complaint(&customer, "While away")).await["createComplaint"].clone();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(sub.event(Duration::from_millis(200)).await.is_none(), "nothing can arrive while A's listener is away");
    admin_sql(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    let caught_up = next_complaint(&mut sub, Duration::from_secs(15)).await;
    assert_eq!(caught_up["complaintId"], during["complaintId"], "{caught_up:#}");
    assert!(sub.event(Duration::from_millis(1500)).await.is_none(), "caught up once");
    let after = b.data(CREATE_COMPLAINT, complaint(&customer, "After")).await["createComplaint"].clone();
    assert_eq!(next_complaint(&mut sub, Duration::from_secs(10)).await["complaintId"], after["complaintId"]);

    // Failed logins count on both servers: 3 failures (A, B, A) lock the pair on B too.
    for server in [&a, &b, &a] {
        let e = server.error_as(None, LOGIN, json!({"u": "admin", "p": "wrong"})).await;
        assert_code(&e, "UNAUTHENTICATED", None);
    }
    let locked = b.error_as(None, LOGIN, json!({"u": "admin", "p": ADMIN_PASSWORD})).await;
    assert_code(&locked, "TOO_MANY_REQUESTS", None);

    // Ten guesses at once, half through each server: only three passwords are tried.
    let guesses = (0..10).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        async move { server.error_as(None, LOGIN, json!({"u": "ghost", "p": format!("guess-{i}-guess")})).await }
    });
    let errors = futures_util::future::join_all(guesses).await;
    let checked = errors.iter().filter(|e| e["extensions"]["code"] == "UNAUTHENTICATED").count();
    let refused = errors.iter().filter(|e| e["extensions"]["code"] == "TOO_MANY_REQUESTS").count();
    assert_eq!((checked, refused), (3, 7), "only 3 passwords may be tried: {errors:?}");

    // Two connection requests an hour from one address, whichever server takes them.
    let form = |n: u32| json!({"i": {"fullName": format!("Asker {n}"), "mobile": "9822011111", "address": "7 Sadar"}});
    a.data_as(None, CREATE_CONNECTION_REQUEST, form(1)).await;
    b.data_as(None, CREATE_CONNECTION_REQUEST, form(2)).await;
    let refused = a.error_as(None, CREATE_CONNECTION_REQUEST, form(3)).await;
    assert_code(&refused, "TOO_MANY_REQUESTS", None);

    // A payment retried with its key on the other server is the same payment.
    let pay =
        json!({"i": {"invoiceId": invoice, "amount": "300.00", "paymentMethod": "UPI", "idempotencyKey": "retry-7"}});
    let first = a.data(CREATE_PAYMENT, pay.clone()).await["createPayment"].clone();
    let again = b.data(CREATE_PAYMENT, pay).await["createPayment"].clone();
    assert_eq!(first["paymentId"], again["paymentId"]);
    let count = a.sql_text("SELECT count(*)::text AS value FROM payments");
    assert_eq!(count, "1", "one payment recorded");
    drop((a, b, server_a, server_b));
    drop(db);
}

/// A server announces what it committed once the commit is done, from its listener's own
/// connection, not from the writing transaction (`cluster::doorbell`: a transaction that
/// notifies holds a database-wide lock through its commit). A connection of the test's own
/// listens and hears the server's events connection notify after a complaint is filed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn a_server_announces_its_commits_from_its_listening_connection() {
    let Some(db) = tokio::task::spawn_blocking(|| TestDb::create(Kind::Postgres)).await.unwrap() else { return };
    let url = db.url().to_owned();
    let server = start(&url, &[]).await;
    let app = TestApp::external(Kind::Postgres, server.addr(), &url).await;
    let bb = app.catalogue("499").await.broadband;
    let (customer, _) = app.customer("ravi", &bb).create_with_invoice().await;
    let events_pid = app.sql_text(&format!(
        "SELECT pid::text AS value FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'isp-billing events'",
        database_name(&url)
    ));
    let mut listening = PgConnection::establish(&url).unwrap();
    listening.batch_execute("LISTEN isp_events").unwrap();
    // What the setup's writes announced is not what this test waits for.
    tokio::time::sleep(Duration::from_millis(200)).await;
    listening.notifications_iter().for_each(drop);
    app.data(CREATE_COMPLAINT, complaint(&customer, "Line down")).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut heard = Vec::new();
    while heard.is_empty() && Instant::now() < deadline {
        heard.extend(listening.notifications_iter().map(Result::unwrap));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!heard.is_empty(), "no NOTIFY after the complaint was filed");
    for n in &heard {
        assert_eq!((n.channel.as_str(), n.payload.as_str()), ("isp_events", ""), "{heard:?}");
        assert_eq!(n.process_id.to_string(), events_pid, "sent by the server's events connection: {heard:?}");
    }
    drop((app, server));
    drop(db);
}

/// A webhook receiver: the `X-Isp-Delivery` of every POST it gets, in order.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let handler = move |headers: axum::http::HeaderMap| {
        let log = Arc::clone(&log);
        async move {
            let id = headers.get("x-isp-delivery").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            log.lock().unwrap().push(id);
            axum::http::StatusCode::OK
        }
    };
    let router = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, seen)
}

/// Waits until `check` holds, for at most `within`; how long it took.
async fn until<F, Fut>(within: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn each_job_runs_on_one_server_and_another_takes_over_when_it_is_killed() {
    let Some(db) = tokio::task::spawn_blocking(|| TestDb::create(Kind::Postgres)).await.unwrap() else { return };
    let url = db.url().to_owned();
    let (hook, delivered) = receiver().await;
    // The database made and migrated, the first admin in place (by a server that then stops),
    // so that the two servers start at the same moment, each with the billing cycle due.
    start(&url, &[("ISP_JOB_LEASE_SECONDS", "2")]).await.stop();
    let env = [("ISP_JOB_LEASE_SECONDS", "2"), ("ISP_WEBHOOK_URL", hook.as_str()), ("ISP_BILLING_CYCLE", "true")];
    let (server_a, server_b) = tokio::join!(start(&url, &env), start(&url, &env));
    let a = TestApp::external(Kind::Postgres, server_a.addr(), &url).await;
    let b = TestApp::external(Kind::Postgres, server_b.addr(), &url).await;

    // Every job has one holder, and it stays one while both live (several lease periods).
    for job in JOBS {
        let claimed =
            until(Duration::from_secs(10), || async { server_a.holds(job).await || server_b.holds(job).await });
        assert!(claimed.await.is_some(), "{job} is taken by one of the servers");
    }
    for _ in 0..4 {
        for job in JOBS {
            let held = [server_a.holds(job).await, server_b.holds(job).await];
            assert_eq!(held.iter().filter(|h| **h).count(), 1, "{job} runs on exactly one server: {held:?}");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let runs = a.sql_text("SELECT count(*) || ' ' || sum(attempts) AS value FROM billing_runs");
    assert_eq!(runs, "1 1", "the billing cycle, due on both at start, ran once (one run, one attempt)");

    // A notification is due for the webhook on both servers: it is delivered once.
    let form = |n: u32| json!({"i": {"fullName": format!("Asker {n}"), "mobile": "9822011111", "address": "7 Sadar"}});
    b.data_as(None, CREATE_CONNECTION_REQUEST, form(1)).await;
    let first = until(Duration::from_secs(20), || async { !delivered.lock().unwrap().is_empty() }).await;
    assert!(first.is_some(), "the webhook got the notification");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(delivered.lock().unwrap().len(), 1, "delivered once: {:?}", delivered.lock().unwrap());

    // The server running the webhook sender dies without a word; the other takes it over.
    let (mut holder, survivor, survivor_app) =
        if server_a.holds("webhooks").await { (server_a, server_b, b) } else { (server_b, server_a, a) };
    holder.child.kill().expect("SIGKILL");
    holder.child.wait().unwrap();
    let killed = Instant::now();
    survivor_app.data_as(None, CREATE_CONNECTION_REQUEST, form(2)).await;
    let handed_over = until(Duration::from_secs(60), || async { delivered.lock().unwrap().len() >= 2 }).await;
    let took = handed_over.map(|_| killed.elapsed());
    eprintln!("webhook delivery handed over {took:?} after SIGKILL (lease 2 s)");
    assert!(took.is_some_and(|t| t < Duration::from_secs(30)), "handed over within a minute: {took:?}");
    for job in JOBS {
        assert!(survivor.holds(job).await, "the survivor runs {job}:\n{}", survivor.metrics().await);
    }
    assert_eq!(delivered.lock().unwrap().len(), 2, "each notification once: {:?}", delivered.lock().unwrap());
    drop((survivor_app, survivor, holder));
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn healthz_answers_503_until_the_migrations_are_done() {
    let Some(db) = tokio::task::spawn_blocking(|| TestDb::create(Kind::Postgres)).await.unwrap() else { return };
    let url = db.url().to_owned();
    start(&url, &[]).await.stop();
    // Another session holds the migrations' table: the next server's migration step waits.
    let (locked_tx, locked) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let holder_url = url.clone();
    let holder = std::thread::spawn(move || {
        let mut conn = PgConnection::establish(&holder_url).unwrap();
        conn.batch_execute("BEGIN; LOCK TABLE __diesel_schema_migrations IN ACCESS EXCLUSIVE MODE;").unwrap();
        locked_tx.send(()).unwrap();
        released.recv().unwrap();
        conn.batch_execute("COMMIT").unwrap();
    });
    locked.recv().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .env("DATABASE_URL", &url)
        .env("ISP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        .env("ISP_BILLING_CYCLE", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let health = format!("http://127.0.0.1:{port}/healthz");
    let mut answers = Vec::new();
    for _ in 0..30 {
        if let Ok(r) = reqwest::get(&health).await {
            answers.push((r.status().as_u16(), r.text().await.unwrap()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!answers.is_empty(), "the port answers while the server starts");
    for (status, body) in &answers {
        assert_eq!(*status, 503, "not ready while migrating: {body}");
        assert!(body.contains("\"starting\""), "{body}");
    }
    release.send(()).unwrap();
    holder.join().unwrap();
    let ready =
        until(Duration::from_secs(30), || async { reqwest::get(&health).await.is_ok_and(|r| r.status() == 200) }).await;
    assert!(ready.is_some(), "200 once the migrations are done");
    let _ = child.kill();
    let _ = child.wait();
    drop(db);
}

/// `deploy/haproxy.cfg` as a test runs it: plain HTTP on `port` (no certificate, no redirect to
/// HTTPS, no syslog), its two servers at `servers`.
fn haproxy_config(port: u16, servers: [u16; 2]) -> String {
    let example = include_str!("../../deploy/haproxy.cfg");
    assert!(example.contains("option httpchk GET /healthz") && example.contains("timeout tunnel"), "{example}");
    let mut servers = servers.iter();
    example
        .lines()
        .filter(|l| !l.contains("ssl crt") && !l.contains("redirect scheme") && !l.contains("log /dev/log"))
        .map(|l| match l.trim() {
            "bind :80" => format!("    bind 127.0.0.1:{port}"),
            t if t.starts_with("server ") => {
                let name = t.split_whitespace().nth(1).unwrap();
                format!("    server {name} 127.0.0.1:{}", servers.next().unwrap())
            }
            _ => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn behind_haproxy_every_dashboard_hears_every_complaint_and_survives_a_server_going_away() {
    if !Command::new("sh").args(["-c", "command -v haproxy"]).output().is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `haproxy` is not installed (apt-get install haproxy)");
        return;
    }
    let Some(db) = tokio::task::spawn_blocking(|| TestDb::create(Kind::Postgres)).await.unwrap() else { return };
    let url = db.url().to_owned();
    let server_a = start(&url, &[("ISP_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let server_b = start(&url, &[("ISP_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("haproxy.cfg");
    std::fs::write(&config, haproxy_config(port, [server_a.port, server_b.port])).unwrap();
    let check = Command::new("haproxy").arg("-c").arg("-f").arg(&config).output().unwrap();
    assert!(check.status.success(), "haproxy -c: {}", String::from_utf8_lossy(&check.stderr));
    let mut proxy = Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let front: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let up = until(Duration::from_secs(20), || async {
        reqwest::get(format!("http://{front}/healthz")).await.is_ok_and(|r| r.status() == 200)
    });
    assert!(up.await.is_some(), "haproxy answers");
    let app = TestApp::external(Kind::Postgres, front, &url).await;
    let bb = app.catalogue("499").await.broadband;
    let (customer, _) = app.customer("meena", &bb).create_with_invoice().await;

    // Two dashboards through the proxy (least connections: one on each server), both protocols.
    let mut dashboards = Vec::new();
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        let mut sub = Subscriber::connect(&app, protocol, Some(&app.token)).await.expect("connected");
        sub.subscribe("1", CREATED, json!({})).await;
        dashboards.push(sub);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sockets = |metrics: String| metrics.lines().any(|l| l.contains("route=\"/graphql/ws\"") && l.contains("101"));
    assert!(sockets(server_a.metrics().await) && sockets(server_b.metrics().await), "one websocket on each server");
    for n in 0..4 {
        let filed =
            app.data(CREATE_COMPLAINT, complaint(&customer, &format!("Down {n}"))).await["createComplaint"].clone();
        for sub in &mut dashboards {
            assert_eq!(next_complaint(sub, Duration::from_secs(10)).await["complaintId"], filed["complaintId"]);
        }
    }

    // One server goes away (SIGTERM): its dashboard is told (1001) and connects again, to the
    // other; nothing filed meanwhile is missed by the one that stayed.
    server_a.stop();
    let mut told = 0;
    for sub in &mut dashboards {
        if let Some(message) = sub.event(Duration::from_millis(1500)).await {
            assert_eq!(message["type"], "close", "{message}");
            assert!(message["frame"].as_str().unwrap().contains("Away"), "1001, going away: {message}");
            told += 1;
        }
    }
    assert_eq!(told, 1, "the dashboard on the stopped server is told to go");
    let mut again = Subscriber::connect(&app, "graphql-ws", Some(&app.token)).await.expect("connected again");
    again.subscribe("1", CREATED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let filed = app.data(CREATE_COMPLAINT, complaint(&customer, "After")).await["createComplaint"].clone();
    assert_eq!(next_complaint(&mut again, Duration::from_secs(10)).await["complaintId"], filed["complaintId"]);
    let _ = proxy.kill();
    let _ = proxy.wait();
    drop((app, server_b));
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn the_dashboard_and_reports_read_the_replica_and_nothing_else_does() {
    // The "replica" is a database of its own, migrated and otherwise empty: whatever is read
    // from it shows none of the primary's customers.
    let Some(replica) = TestApp::spawn(Kind::Postgres).await else { return };
    let replica_url = replica.database_url().to_owned();
    let app = TestApp::spawn_with(Kind::Postgres, |c| c.database_read_url = replica_url).await.unwrap();
    let bb = app.catalogue("499").await.broadband;
    let (customer, invoice) = app.customer("lata", &bb).create_with_invoice().await;
    // A money write checks the primary (the invoice is not on the replica).
    let paid = app.pay(json!({"invoiceId": invoice, "amount": "100.00", "paymentMethod": "CASH"})).await;
    assert!(paid["paymentId"].is_string(), "{paid}");
    let listed = app.data("{ customers { totalCount } }", json!({})).await;
    assert_eq!(listed["customers"]["totalCount"], 1, "lists read the primary");
    let node = app.data("query($id: ID!) { node(id: $id) { id } }", json!({"id": customer})).await;
    assert_eq!(node["node"]["id"], customer);
    let dashboard = app.data("{ dashboard { customersByStatus { status count } newCustomers } }", json!({})).await;
    assert_eq!(dashboard["dashboard"]["newCustomers"], 0, "the dashboard reads the replica: {dashboard}");
    let csv = app.client.get(app.url("/reports/collections.csv")).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 1, "only the header: the export reads the replica: {text}");
    drop(app);
    drop(replica);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn a_statement_past_the_timeout_is_cancelled() {
    use diesel::RunQueryDsl;
    let Some(db) = tokio::task::spawn_blocking(|| TestDb::create(Kind::Postgres)).await.unwrap() else { return };
    let sync = isp_billing::db::SqliteSync::Full;
    let pool = isp_billing::db::Db::connect_with(db.url(), 2, Arc::default(), sync, 200).unwrap();
    let started = Instant::now();
    let slow = pool.read(|conn| Ok(diesel::sql_query("SELECT pg_sleep(5)").execute(conn)?)).await;
    let message = slow.expect_err("cancelled").message();
    assert!(started.elapsed() < Duration::from_secs(3), "cancelled after 200 ms, not 5 s");
    assert!(message.contains("statement timeout"), "{message}");
    drop(pool);
    drop(db);
}
