//! `previewBillingCycle`: what a run would do on a date, from the run's own rules, writing
//! nothing; compared with the real run on that date, on SQLite and PostgreSQL.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::fixtures::Role;
use crate::helpers::{assert_code, business_today as today, days_after as after, days_before as before, TestApp};
use crate::on_both_databases;

const PREVIEW: &str = "query($d: Date!, $first: Int) { previewBillingCycle(asOf: $d, first: $first) {
    asOf renewalCount renewedCustomers taxableAmount taxAmount totalAmount paidFromAdvance
    renewals { customer { username } billingPeriodStart billingPeriodEnd invoiceDate billAmount totalAmount paidAmount balanceAmount }
    overdueCount overdueBalance overdue { invoice { id } customer { username } balanceAmount }
    suspendedCount suspended { username } errorCount errors { customer { username } message } } }";

const RUN: &str = "mutation($d: Date) { runBillingCycle(asOf: $d) { renewed overdue suspended errors } }";

const CUSTOMER: &str = "query($id: ID!) { node(id: $id) { ... on Customer { username status endDate
    invoices(first: 50) { id status billingPeriodStart billingPeriodEnd invoiceDate billAmount totalAmount paidAmount balanceAmount } } } }";

/// Counts of every table a run writes to, to show a preview writes nothing.
fn footprint(app: &TestApp) -> String {
    let tables = [
        "invoices",
        "billing_runs",
        "billing_run_errors",
        "notifications",
        "audit_log",
        "transactions",
        "payment_allocations",
        "receipt_vouchers",
        "advance_adjustments",
        "document_snapshots",
        "plan_changes",
    ];
    tables
        .iter()
        .map(|t| app.sql_text(&format!("SELECT CAST(COUNT(*) AS TEXT) AS value FROM {t}")))
        .collect::<Vec<_>>()
        .join(",")
        + &app.sql_text(
            "SELECT COALESCE(MAX(CAST(end_date AS TEXT)), '') || COALESCE(MIN(status), '') AS value FROM customers",
        )
}

/// The renewal invoices of a preview, or those the run raised, as comparable lines.
fn line(username: &str, i: &Value) -> String {
    format!(
        "{username} {} {} {} bill {} total {} paid {} balance {}",
        i["billingPeriodStart"],
        i["billingPeriodEnd"],
        i["invoiceDate"],
        i["billAmount"],
        i["totalAmount"],
        i["paidAmount"],
        i["balanceAmount"]
    )
}

on_both_databases! {
    async fn a_preview_shows_what_the_run_then_does_and_writes_nothing(app: TestApp) {
        let today = today(&app).await;
        let catalogue = app.catalogue("499.00").await;
        app.data("mutation($id: ID!) { updateCompany(id: $id, input: {graceDays: 3}) { graceDays } }",
            json!({"id": catalogue.company})).await;
        let plan = catalogue.broadband;
        let mut ids = Vec::new();
        // Ended yesterday, renewed once; 40 days behind, renewed twice and then suspended for
        // the renewal of the period that began 40 days ago (each opening invoice is paid, so
        // only the run's own invoices can suspend); paid ahead, renewed from the advance; not
        // due yet, with an invoice three days past due (never suspended); not renewing
        // automatically.
        for (name, start, auto) in [("ended", 31, true), ("behind", 70, true), ("ahead", 31, true), ("running", 10, true), ("manual", 31, false)] {
            let c = app.customer(name, &plan).set("autoRenew", auto).set("periodMonths", 1)
                .set("neverSuspend", name == "running").set("startDate", before(today, start)).create().await;
            let id = c["id"].as_str().unwrap().to_owned();
            let opening = app.data(CUSTOMER, json!({"id": id})).await["node"]["invoices"][0]["id"].clone();
            let amount = if name == "ahead" { "1000" } else { "588.82" };
            app.pay(json!({"invoiceId": opening, "amount": amount, "paymentMethod": "CASH", "keepExcessAsAdvance": true})).await;
            ids.push(id);
        }
        let late = app.invoice(json!({"customerId": ids[3], "billAmount": "100", "invoiceDate": before(today, 10),
            "dueDate": before(today, 3)})).await;
        let mut existing = BTreeSet::new();
        for id in &ids {
            for i in app.data(CUSTOMER, json!({"id": id})).await["node"]["invoices"].as_array().unwrap() {
                existing.insert(i["id"].as_str().unwrap().to_owned());
            }
        }

        let untouched = footprint(&app);
        let preview = app.data(PREVIEW, json!({"d": today.to_string()})).await["previewBillingCycle"].clone();
        assert_eq!(footprint(&app), untouched, "a preview writes nothing");
        assert_eq!(preview["asOf"], today.to_string());
        assert_eq!((preview["renewalCount"].as_i64(), preview["renewedCustomers"].as_i64()), (Some(4), Some(3)), "{preview}");
        assert_eq!(preview["taxableAmount"], "1996.00", "4 × 499");
        assert_eq!(preview["totalAmount"], "2355.28", "4 × 588.82");
        assert_eq!(preview["paidFromAdvance"], "411.18", "1000 − 588.82 of advance");
        assert_eq!(preview["overdueCount"], 1);
        assert_eq!(preview["overdue"][0]["invoice"]["id"], late["id"]);
        assert_eq!(preview["overdueBalance"], "118.00");
        let suspended: Vec<&str> = preview["suspended"].as_array().unwrap().iter().map(|c| c["username"].as_str().unwrap()).collect();
        assert_eq!(preview["suspendedCount"], 1);
        assert_eq!(suspended, ["behind"], "{preview}");
        assert_eq!(preview["errorCount"], 0);

        // The run on that date does exactly that.
        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!(run, json!({"renewed": preview["renewalCount"], "overdue": preview["overdueCount"],
                               "suspended": preview["suspendedCount"], "errors": preview["errorCount"]}));
        let previewed: BTreeSet<String> = preview["renewals"].as_array().unwrap().iter()
            .map(|i| line(i["customer"]["username"].as_str().unwrap(), i)).collect();
        let mut raised = BTreeSet::new();
        let mut now_suspended = Vec::new();
        for id in &ids {
            let c = app.data(CUSTOMER, json!({"id": id})).await["node"].clone();
            let name = c["username"].as_str().unwrap();
            for i in c["invoices"].as_array().unwrap().iter().filter(|i| !existing.contains(i["id"].as_str().unwrap())) {
                raised.insert(line(name, i));
            }
            if c["status"] == "SUSPENDED" {
                now_suspended.push(name.to_owned());
            }
        }
        assert_eq!(raised, previewed);
        assert_eq!(now_suspended, suspended);
        // After the run, a preview of the same date finds nothing left to do but what it did not.
        let again = app.data(PREVIEW, json!({"d": today.to_string()})).await["previewBillingCycle"].clone();
        assert_eq!((again["renewalCount"].as_i64(), again["overdueCount"].as_i64(), again["suspendedCount"].as_i64()),
                   (Some(0), Some(0), Some(0)), "{again}");
    }

    async fn a_preview_looks_ahead_up_to_a_year(app: TestApp) {
        let today = today(&app).await;
        let plan = app.catalogue("499.00").await.broadband;
        let c = app.customer("soon", &plan).set("autoRenew", true).set("periodMonths", 1)
            .set("startDate", before(today, 10)).create().await;
        let untouched = footprint(&app);
        // In 40 days the period ending in 20 days has renewed once, and the next not yet.
        let p = app.data(PREVIEW, json!({"d": after(today, 40), "first": 1})).await["previewBillingCycle"].clone();
        assert_eq!(p["renewalCount"], 1, "{p}");
        assert_eq!(p["renewals"][0]["billingPeriodStart"], after(today, 20));
        assert_eq!(p["renewals"][0]["billingPeriodEnd"], after(today, 50));
        assert_eq!(p["renewals"][0]["invoiceDate"], after(today, 40));
        // The unpaid opening invoice's period began long before: the run would suspend them.
        assert_eq!(p["suspended"][0]["username"], "soon");
        // A year ahead: a renewal per 30 days; the lists stop at `first`, the counts do not.
        let p = app.data(PREVIEW, json!({"d": after(today, 366), "first": 2})).await["previewBillingCycle"].clone();
        assert_eq!(p["renewalCount"], 12, "{p}");
        assert_eq!(p["renewals"].as_array().unwrap().len(), 2);
        assert_eq!(footprint(&app), untouched, "a preview writes nothing");
        assert_eq!(app.data(CUSTOMER, json!({"id": c["id"]})).await["node"]["endDate"], after(today, 20));

        let e = app.error(PREVIEW, json!({"d": after(today, 367)})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("asOf"));
        let e = app.error(PREVIEW, json!({"d": today.to_string(), "first": 1001})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("first"));
        // Who may not run the cycle may not preview it.
        let collector = app.staff("cora", Role::Collector).await;
        let e = app.error_as(Some(&collector), PREVIEW, json!({"d": today.to_string()})).await;
        assert_code(&e, "FORBIDDEN", None);
    }
}
