//! `isp-billing simulate`: a year of days on a small demo population, with the invariants
//! checked by the command and again here, independently, on the scratch database it leaves.

use std::collections::HashMap;
use std::process::Command;

use diesel::{Connection, RunQueryDsl, SqliteConnection};

const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(conn: &mut SqliteConnection, query: &str) -> i64 {
    diesel::sql_query(query).get_result::<Count>(conn).unwrap_or_else(|e| panic!("{query}: {e}")).n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_year_keeps_every_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("simulated.db");
    let out = Command::new(BIN)
        .args(["simulate", "--customers", "40", "--days", "366", "--seed", "11", "--scratch"])
        .arg(&scratch)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "simulate failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("invariants: all hold"), "{stdout}");

    // One line per month touched (13 for a year that starts and ends mid-month), with work in it.
    let months: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<&str>>())
        .filter(|m| m.len() == 9 && m[0].len() == 7 && m[0].as_bytes()[4] == b'-' && m[0].starts_with("20"))
        .collect();
    assert!((13..=14).contains(&months.len()), "{stdout}");
    let column = |i: usize| -> i64 { months.iter().map(|m| m[i].parse::<i64>().unwrap()).sum() };
    assert!(column(1) > 40, "renewal invoices: {stdout}");
    assert!(column(3) > 40, "payments: {stdout}");
    assert!(column(5) > 0, "suspensions: {stdout}");
    assert!(column(7) > 0 && column(8) > 0, "plan changes and terminations: {stdout}");

    // The same rules, checked here on what the command left behind.
    let mut conn = SqliteConnection::establish(scratch.to_str().unwrap()).unwrap();
    let twice = "SELECT COUNT(*) AS n FROM (SELECT customer_id FROM invoices WHERE billing_period_start IS NOT NULL \
                 AND status <> 'CANCELLED' GROUP BY customer_id, billing_period_start HAVING COUNT(*) > 1)";
    assert_eq!(count(&mut conn, twice), 0, "one invoice per customer and period");
    let renewals = "SELECT COUNT(*) AS n FROM invoices WHERE billing_run_id IS NOT NULL";
    assert!(count(&mut conn, renewals) > 40);
    let balance = "SELECT COUNT(*) AS n FROM invoices WHERE balance_paise <> total_paise - paid_paise";
    assert_eq!(count(&mut conn, balance), 0, "balance = total − paid");
    let paid = "SELECT COUNT(*) AS n FROM invoices i WHERE i.paid_paise <> COALESCE((SELECT SUM(a.amount_paise) \
                FROM payment_allocations a JOIN payments p ON p.id = a.payment_id \
                WHERE a.invoice_id = i.id AND p.status = 'COMPLETED'), 0)";
    assert_eq!(count(&mut conn, paid), 0, "paid = completed payments on the invoice");
    let after_leaving = "SELECT COUNT(*) AS n FROM invoices i JOIN customers c ON c.id = i.customer_id \
                         WHERE c.status = 'TERMINATED' AND i.billing_run_id IS NOT NULL AND i.created_at > c.updated_at";
    assert_eq!(count(&mut conn, after_leaving), 0, "nobody billed after termination");
    let left =
        "SELECT COUNT(*) AS n FROM audit_log WHERE operation = 'changeCustomerStatus' AND details LIKE '%TERMINATED%'";
    assert!(count(&mut conn, left) > 0, "some customers left during the year");
    let suspended_paid =
        "SELECT COUNT(*) AS n FROM customers c WHERE c.status = 'SUSPENDED' AND c.suspended_for_dues = 1 \
                          AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id AND i.balance_paise > 0 \
                          AND i.status <> 'CANCELLED')";
    assert_eq!(count(&mut conn, suspended_paid), 0, "nobody suspended who has paid");
    let prorated = "SELECT COUNT(*) AS n FROM plan_changes WHERE invoice_id IS NOT NULL";
    assert!(count(&mut conn, prorated) > 0, "plan changes were prorated on invoices");

    // The command's checks are not blind: break two rules and they say so.
    diesel::sql_query(
        "UPDATE invoices SET billing_period_start = (SELECT i2.billing_period_start FROM invoices i2 \
         WHERE i2.customer_id = invoices.customer_id AND i2.id < invoices.id ORDER BY i2.id LIMIT 1) \
         WHERE id = (SELECT MAX(id) FROM invoices WHERE billing_run_id IS NOT NULL)",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "UPDATE invoices SET paid_paise = paid_paise + 1, balance_paise = balance_paise - 1 \
         WHERE id = (SELECT MIN(id) FROM invoices WHERE balance_paise > 1)",
    )
    .execute(&mut conn)
    .unwrap();
    let statements = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let db = isp_billing::db::Db::connect(scratch.to_str().unwrap(), 2, statements).unwrap();
    let today = chrono::Utc::now().date_naive();
    let found = db.read(move |conn| isp_billing::simulate::checks::all(conn, today, 0, &HashMap::new())).await.unwrap();
    assert!(found.iter().any(|v| v.contains("billed twice")), "{found:?}");
    assert!(found.iter().any(|v| v.contains("paid is not the completed payments")), "{found:?}");
}

/// Runs `simulate` on a short run with its temporary directory in `tmp`; returns its output.
fn short_run(tmp: &std::path::Path, extra: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(["simulate", "--customers", "5", "--days", "3", "--seed", "3"])
        .args(extra)
        .env("TMPDIR", tmp)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .env_remove("ISP_ADMIN_PASSWORD")
        .env_remove("ISP_BACKUP_DIR")
        .output()
        .expect("run the binary");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "simulate failed:\n{text}");
    assert!(text.contains("invariants: all hold"), "{text}");
    text
}

#[test]
fn simulate_leaves_nothing_behind_and_shows_no_password() {
    let tmp = tempfile::tempdir().unwrap();
    let text = short_run(tmp.path(), &[]);
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(left.is_empty(), "simulate left {left:?} behind:\n{text}");
    assert!(text.contains("scratch database removed"), "{text}");
    assert!(!text.contains("password"), "no admin account, no password printed:\n{text}");

    // Asked to keep it, it says where, and the database is there with the simulated data.
    let text = short_run(tmp.path(), &["--keep"]);
    let kept = text
        .split("kept at ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("where the database is kept:\n{text}"));
    assert!(kept.starts_with(tmp.path().to_str().unwrap()), "{kept}");
    let mut conn = SqliteConnection::establish(kept).unwrap();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM customers"), 5);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM employees WHERE username = 'admin'"), 0);
    assert!(!text.contains("password"), "{text}");
}
