//! The real binary's daily billing run killed with SIGKILL half way, then started again: the
//! catch-up finishes the date with every renewable customer renewed once, none twice.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl, SqliteConnection};

const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(db: &std::path::Path, query: &str) -> i64 {
    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    // The server may be checkpointing or recovering its WAL (it was killed): wait, as it does.
    diesel::sql_query("PRAGMA busy_timeout = 5000").execute(&mut conn).unwrap();
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM ({query})"))
        .get_result::<Count>(&mut conn)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .n
}

fn serve(dir: &std::path::Path, db: &std::path::Path) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    Command::new(BIN)
        .current_dir(dir)
        .env("DATABASE_URL", db)
        .env("ISP_BIND", format!("127.0.0.1:{port}"))
        // The daily run at midnight: on start, today's run is due and starts at once.
        .env("ISP_BILLING_CYCLE", "true")
        .env("ISP_BILLING_CYCLE_AT", "00:00")
        .env("RUST_LOG", "warn")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary")
}

/// Waits up to `seconds` for `ready`.
fn wait(seconds: u64, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_billing_run_killed_half_way_is_finished_by_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let seeded = Command::new(BIN)
        // Three batches' worth on SQLite (1,000 customers each), so a kill after the first
        // leaves most to do.
        .args(["seed-demo", "--renewal-day", "--customers", "3000"])
        .env("DATABASE_URL", &db)
        .env("ISP_BILLING_CYCLE", "false")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let renewable = count(&db, "SELECT id FROM customers WHERE auto_renew = 1 AND status IN ('ACTIVE', 'SUSPENDED')");
    assert!(renewable > 2000, "{renewable}");
    let renewed = "SELECT id FROM invoices WHERE billing_run_id IS NOT NULL";

    // Killed once the first batches are committed, long before the end.
    let mut first = serve(dir.path(), &db);
    wait(120, "the first renewals", || count(&db, renewed) >= 200);
    first.kill().unwrap(); // SIGKILL: no shutdown, no cleanup
    first.wait().unwrap();
    let half = count(&db, renewed);
    assert!(half < renewable, "killed half way: {half} of {renewable} renewed");
    assert_eq!(count(&db, "SELECT id FROM billing_runs WHERE status = 'RUNNING'"), 1, "the run is left unfinished");

    // Started again: the catch-up runs the same date to the end.
    let mut second = serve(dir.path(), &db);
    wait(300, "the run to finish", || count(&db, "SELECT id FROM billing_runs WHERE status = 'FINISHED'") == 1);
    second.kill().unwrap();
    second.wait().unwrap();

    assert_eq!(count(&db, "SELECT id FROM billing_runs"), 1, "one run for the date, attempted twice");
    assert_eq!(count(&db, "SELECT id FROM billing_runs WHERE attempts = 2"), 1);
    // No gap: every renewable customer has today's period billed, and moved past it.
    assert_eq!(count(&db, renewed), renewable, "one renewal per renewable customer");
    let unbilled = "SELECT c.id FROM customers c WHERE c.auto_renew = 1 AND c.status IN ('ACTIVE', 'SUSPENDED') \
                    AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id \
                    AND i.billing_run_id IS NOT NULL AND i.billing_period_start = (SELECT as_of FROM billing_runs))";
    assert_eq!(count(&db, unbilled), 0, "nobody left out");
    let behind = "SELECT id FROM customers WHERE auto_renew = 1 AND status IN ('ACTIVE', 'SUSPENDED') \
                  AND end_date <= (SELECT as_of FROM billing_runs)";
    assert_eq!(count(&db, behind), 0, "every period moved on");
    // No duplicate: one invoice per customer and period, and one ledger row per invoice.
    let twice = "SELECT customer_id FROM invoices WHERE billing_period_start IS NOT NULL \
                 GROUP BY customer_id, billing_period_start HAVING COUNT(*) > 1";
    assert_eq!(count(&db, twice), 0);
    let ledger = "SELECT invoice_id FROM transactions WHERE transaction_type = 'INVOICE' AND invoice_id IS NOT NULL \
                  GROUP BY invoice_id HAVING COUNT(*) > 1";
    assert_eq!(count(&db, ledger), 0);
}
