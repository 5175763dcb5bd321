//! `seed-demo --seed S` makes the same data on SQLite and PostgreSQL: the benchmarks compare
//! the two databases on one demo.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use diesel::prelude::*;
use diesel::sql_types::Text;
use isp_billing::db::Db;

use crate::helpers::{Kind, TestApp};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    value: String,
}

/// What the demo made, as text lines, without timestamps (the two seeds run seconds apart) or
/// row ids (each database numbers its own rows).
const WHAT: [&str; 4] = [
    "SELECT c.customer_id || '|' || c.username || '|' || c.full_name || '|' || c.mobile || '|' || l.name || '|' || \
     p.name || '|' || co.name || '|' || CAST(c.period_months AS TEXT) || '|' || CAST(c.start_date AS TEXT) || '|' || \
     CAST(c.end_date AS TEXT) || '|' || c.status || '|' || COALESCE(e.username, '-') AS value \
     FROM customers c JOIN localities l ON l.id = c.locality_id JOIN plans p ON p.id = c.plan_id \
     JOIN companies co ON co.id = c.company_id LEFT JOIN employees e ON e.id = c.assigned_employee_id \
     ORDER BY c.customer_id",
    "SELECT c.customer_id || '|' || CAST(i.invoice_date AS TEXT) || '|' || CAST(i.total_paise AS TEXT) || '|' || \
     CAST(i.paid_paise AS TEXT) || '|' || CAST(i.balance_paise AS TEXT) || '|' || i.status AS value \
     FROM invoices i JOIN customers c ON c.id = i.customer_id ORDER BY 1",
    "SELECT c.customer_id || '|' || CAST(p.amount_paise AS TEXT) || '|' || p.method || '|' || p.status AS value \
     FROM payments p JOIN customers c ON c.id = p.customer_id ORDER BY 1",
    "SELECT CAST(x.company_id AS TEXT) || '|' || x.category || '|' || CAST(x.amount_paise AS TEXT) || '|' || \
     CAST(x.expense_date AS TEXT) AS value FROM expenses x ORDER BY 1",
];

async fn seeded(kind: Kind) -> Option<(TestApp, Vec<Vec<String>>)> {
    let app = TestApp::spawn(kind).await?;
    let db = Db::connect(app.database_url(), 2, Arc::new(AtomicU64::new(0))).expect("connect");
    isp_billing::seed::seed_demo(&db, 300, 42).await.expect("seed");
    let lines = db
        .read(|conn| {
            let mut all = Vec::new();
            for q in WHAT {
                let rows = diesel::sql_query(q).load::<Line>(conn)?;
                all.push(rows.into_iter().map(|l| l.value).collect());
            }
            Ok(all)
        })
        .await
        .map_err(|e| e.message())
        .expect("read the demo");
    Some((app, lines))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn the_same_seed_makes_the_same_demo_on_both_databases() {
    let (sqlite, on_sqlite) = seeded(Kind::Sqlite).await.expect("SQLite");
    let (postgres, on_postgres) = seeded(Kind::Postgres).await.expect("PostgreSQL");
    // TERMINATED demo customers say when (the KYC retention runs from it).
    for app in [&sqlite, &postgres] {
        let count = |condition: &str| {
            app.sql_text(&format!("SELECT CAST(COUNT(*) AS TEXT) AS value FROM customers WHERE {condition}"))
        };
        assert_ne!(count("status = 'TERMINATED'"), "0", "{:?}", app.kind);
        assert_eq!(count("status = 'TERMINATED' AND terminated_at IS NULL"), "0", "{:?}", app.kind);
        assert_eq!(count("status <> 'TERMINATED' AND terminated_at IS NOT NULL"), "0", "{:?}", app.kind);
    }
    for (table, (a, b)) in
        ["customers", "invoices", "payments", "expenses"].iter().zip(on_sqlite.iter().zip(&on_postgres))
    {
        assert!(a.len() > 100 || *table == "expenses", "{table}: {} rows", a.len());
        let first_difference = a.iter().zip(b).position(|(x, y)| x != y);
        assert_eq!(
            (a.len(), first_difference),
            (b.len(), None),
            "{table} differ: {:?} vs {:?}",
            first_difference.map(|i| &a[i]),
            first_difference.map(|i| &b[i])
        );
    }
}
