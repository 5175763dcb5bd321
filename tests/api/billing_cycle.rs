//! The daily billing cycle through `runBillingCycle`: renewals once per period, overdue
//! invoices, suspension for dues and reactivation by payment, a failing customer recorded
//! while the run goes on, and re-runs that change nothing, on SQLite and PostgreSQL.

use serde_json::{json, Value};

use crate::helpers::{business_today as today, days_after, days_before, Kind, TestApp};
use crate::on_both_databases;

const RUN: &str = "mutation($d: Date) { runBillingCycle(asOf: $d) {
    asOf status attempts renewed overdue suspended reminders errors startedBy
    errorDetails { customer { username } message } } }";

const CUSTOMER: &str = "query($id: ID!) { node(id: $id) { ... on Customer { status startDate endDate suspendedForDues
    invoices { invoiceNumber totalAmount balanceAmount status billingPeriodStart billingPeriodEnd invoiceDate } } } }";

async fn customer(app: &TestApp, id: &str) -> Value {
    app.data(CUSTOMER, json!({"id": id})).await["node"].clone()
}

/// The row id behind a customer's username (for SQL set-up the API cannot do).
fn row_id(app: &TestApp, username: &str) -> i64 {
    app.sql_text(&format!("SELECT CAST(id AS TEXT) AS value FROM customers WHERE username = '{username}'"))
        .parse()
        .unwrap()
}

on_both_databases! {
    async fn billing_runs_page_like_the_other_lists(app: TestApp) {
        // Issue #31 item 12: one run a day grows without bound, so `billingRuns` is a
        // connection, in the order the runs were first started.
        let today = today(&app).await;
        let dates = [days_before(today, 3), days_before(today, 2), days_before(today, 1)];
        for d in &dates {
            assert_eq!(app.data(RUN, json!({"d": d})).await["runBillingCycle"]["status"], "FINISHED");
        }
        let q = "query($f: BillingRunFilterInput, $first: Int, $after: String, $last: Int) {
            billingRuns(filter: $f, first: $first, after: $after, last: $last) {
            totalCount nodes { asOf } edges { cursor } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
        let page = app.data(q, json!({"first": 2})).await["billingRuns"].clone();
        assert_eq!(page["totalCount"], 3);
        assert_eq!(page["nodes"], json!([{"asOf": dates[0]}, {"asOf": dates[1]}]));
        assert_eq!(page["pageInfo"]["hasNextPage"], true);
        let next = app.data(q, json!({"first": 2, "after": page["pageInfo"]["endCursor"]})).await["billingRuns"].clone();
        assert_eq!(next["nodes"], json!([{"asOf": dates[2]}]));
        assert_eq!((&next["pageInfo"]["hasNextPage"], &next["pageInfo"]["hasPreviousPage"]), (&json!(false), &json!(true)));
        let newest = app.data(q, json!({"last": 1})).await["billingRuns"].clone();
        assert_eq!(newest["nodes"], json!([{"asOf": dates[2]}]), "`last: 1` is the newest");
        // Filters: by the dates run, and by status.
        let f = json!({"from": dates[1], "to": dates[1]});
        assert_eq!(app.data(q, json!({"f": f})).await["billingRuns"]["nodes"], json!([{"asOf": dates[1]}]));
        app.sql(&format!("UPDATE billing_runs SET status = 'RUNNING', finished_at = NULL WHERE as_of = '{}'", dates[0])).unwrap();
        let running = app.data(q, json!({"f": {"status": "RUNNING"}})).await["billingRuns"].clone();
        assert_eq!((&running["totalCount"], &running["nodes"]), (&json!(1), &json!([{"asOf": dates[0]}])));
        // The page limits of every connection.
        crate::helpers::assert_code(&app.error(q, json!({"first": 101})).await, "BAD_USER_INPUT", Some("first"));
    }

    async fn renewals_are_billed_once_per_period(app: TestApp) {
        let today = today(&app).await;
        let plan = app.catalogue("499.00").await.broadband;
        // Ended yesterday: one new period from yesterday. Ends in 20 days, or does not renew: none.
        let ended = app.customer("ended", &plan).set("autoRenew", true).set("periodMonths", 1)
            .set("startDate", days_before(today, 31)).create().await["id"].as_str().unwrap().to_owned();
        let running = app.customer("running", &plan).set("autoRenew", true).set("periodMonths", 1)
            .set("startDate", days_before(today, 10)).create().await["id"].as_str().unwrap().to_owned();
        let manual = app.customer("manual", &plan).set("autoRenew", false).set("periodMonths", 1)
            .set("startDate", days_before(today, 31)).create().await["id"].as_str().unwrap().to_owned();

        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!(run["status"], "FINISHED");
        assert_eq!(run["renewed"], 1, "{run}");
        assert_eq!(run["errors"], 0);
        let c = customer(&app, &ended).await;
        let invoices = c["invoices"].as_array().unwrap();
        assert_eq!(invoices.len(), 2, "{c}");
        let renewal = invoices.iter().find(|i| i["billingPeriodStart"] == days_before(today, 1)).expect("the renewal");
        assert_eq!(renewal["totalAmount"], "588.82", "499.00 + 18 % GST");
        assert_eq!(renewal["billingPeriodEnd"], days_after(today, 29));
        assert_eq!(renewal["invoiceDate"], today.to_string());
        assert_eq!((c["startDate"].as_str(), c["endDate"].as_str()), (Some(days_before(today, 1).as_str()), Some(days_after(today, 29).as_str())));
        assert_eq!(customer(&app, &running).await["invoices"].as_array().unwrap().len(), 1);
        assert_eq!(customer(&app, &manual).await["invoices"].as_array().unwrap().len(), 1);

        // The same date again changes nothing.
        let again = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!((again["attempts"].as_i64(), again["renewed"].as_i64()), (Some(2), Some(1)), "{again}");
        assert_eq!(customer(&app, &ended).await["invoices"].as_array().unwrap().len(), 2);
        // A run left RUNNING by a crash is finished by the next one, without a duplicate.
        app.sql("UPDATE billing_runs SET status = 'RUNNING', finished_at = NULL").unwrap();
        let resumed = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!(resumed["status"], "FINISHED");
        assert_eq!(customer(&app, &ended).await["invoices"].as_array().unwrap().len(), 2);
        let runs = app.data("{ billingRuns { totalCount nodes { asOf status attempts } } }", json!({})).await;
        assert_eq!(runs["billingRuns"], json!({"totalCount": 1,
            "nodes": [{"asOf": today.to_string(), "status": "FINISHED", "attempts": 3}]}));
        // Not a future date.
        let e = app.error(RUN, json!({"d": days_after(today, 1)})).await;
        crate::helpers::assert_code(&e, "BAD_USER_INPUT", Some("asOf"));
    }

    async fn unpaid_dues_suspend_and_payment_reactivates(app: TestApp) {
        let today = today(&app).await;
        let catalogue = app.catalogue("499.00").await;
        app.data("mutation($id: ID!) { updateCompany(id: $id, input: {graceDays: 3}) { graceDays } }",
            json!({"id": catalogue.company})).await;
        let late = app.customer("late", &catalogue.broadband).set("startDate", today.to_string()).create().await["id"]
            .as_str().unwrap().to_owned();
        let exempt = app.customer("hospital", &catalogue.broadband).set("startDate", today.to_string())
            .set("neverSuspend", true).create().await["id"].as_str().unwrap().to_owned();
        // A period that started 10 days ago, due 3 days ago, unpaid.
        let mut old = Vec::new();
        for c in [&late, &exempt] {
            let inv = app.invoice(json!({"customerId": c, "billAmount": "300", "invoiceDate": days_before(today, 10),
                "dueDate": days_before(today, 3), "billingPeriodStart": days_before(today, 10),
                "billingPeriodEnd": days_after(today, 20)})).await;
            old.push(inv["id"].as_str().unwrap().to_owned());
        }
        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!((run["overdue"].as_i64(), run["suspended"].as_i64()), (Some(2), Some(1)), "{run}");
        let c = customer(&app, &late).await;
        assert_eq!((c["status"].as_str(), c["suspendedForDues"].as_bool()), (Some("SUSPENDED"), Some(true)));
        assert!(c["invoices"].as_array().unwrap().iter().any(|i| i["status"] == "OVERDUE"));
        assert_eq!(customer(&app, &exempt).await["status"], "ACTIVE");
        let notes = app.sql_text(&format!(
            "SELECT CAST(COUNT(*) AS TEXT) AS value FROM notifications WHERE recipient_id = {} AND kind IN ('INVOICE_OVERDUE', 'SERVICE_SUSPENDED')",
            row_id(&app, "late")));
        assert_eq!(notes, "2");

        // Paying the overdue invoice reactivates in the same transaction.
        let pay = app.pay(json!({"invoiceId": old[0], "amount": "354", "paymentMethod": "CASH"})).await;
        assert_eq!(pay["invoice"]["status"], "PAID", "{pay}");
        let c = customer(&app, &late).await;
        assert_eq!((c["status"].as_str(), c["suspendedForDues"].as_bool()), (Some("ACTIVE"), Some(false)));
        let log = app.data("query($f: AuditFilterInput) { auditLog(filter: $f, last: 5) { nodes { operation } } }",
            json!({"f": {"targetId": late}})).await;
        let ops: Vec<&str> = log["auditLog"]["nodes"].as_array().unwrap().iter().map(|n| n["operation"].as_str().unwrap()).collect();
        assert!(ops.contains(&"suspendCustomer") && ops.contains(&"reactivateCustomer"), "{ops:?}");
        // Running the date again does not suspend them again, nor tell anyone twice.
        let again = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!((again["suspended"].as_i64(), again["overdue"].as_i64()), (Some(1), Some(2)), "counts are the date's totals: {again}");
        assert_eq!(customer(&app, &late).await["status"], "ACTIVE");
        // Staff suspensions are not undone by a payment.
        app.data("mutation($id: ID!) { changeCustomerStatus(id: $id, status: SUSPENDED) { status } }", json!({"id": exempt})).await;
        app.pay(json!({"invoiceId": old[1], "amount": "354", "paymentMethod": "CASH"})).await;
        assert_eq!(customer(&app, &exempt).await["status"], "SUSPENDED");
        // Nor is one made by staff after they had lifted a cycle suspension by hand.
        let stale = app.customer("stale", &catalogue.broadband).set("startDate", today.to_string()).create().await["id"]
            .as_str().unwrap().to_owned();
        let unpaid = app.invoice(json!({"customerId": stale, "billAmount": "300", "invoiceDate": days_before(today, 10),
            "dueDate": days_before(today, 3), "billingPeriodStart": days_before(today, 10)})).await;
        app.data(RUN, json!({"d": today.to_string()})).await;
        assert_eq!(customer(&app, &stale).await["suspendedForDues"], true);
        let set = "mutation($id: ID!, $s: CustomerStatus!) { changeCustomerStatus(id: $id, status: $s) { status suspendedForDues } }";
        app.data(set, json!({"id": stale, "s": "ACTIVE"})).await;
        let by_staff = app.data(set, json!({"id": stale, "s": "SUSPENDED"})).await;
        assert_eq!(by_staff["changeCustomerStatus"], json!({"status": "SUSPENDED", "suspendedForDues": false}));
        app.pay(json!({"invoiceId": unpaid["id"], "amount": "354", "paymentMethod": "CASH"})).await;
        assert_eq!(customer(&app, &stale).await["status"], "SUSPENDED");
    }
}

/// Customers renewing monthly on the plan `plan`, each `(username, days since they started)`;
/// their ids.
async fn monthly_renewers(app: &TestApp, plan: &str, started: &[(&str, u64)]) -> Vec<String> {
    let today = today(app).await;
    let mut ids = Vec::new();
    for &(name, days) in started {
        let c = app
            .customer(name, plan)
            .set("autoRenew", true)
            .set("periodMonths", 1)
            .set("startDate", days_before(today, days))
            .create()
            .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Makes every new invoice of customer `username` that meets `condition` (SQL over `NEW`) fail,
/// until the trigger `injected` is dropped.
fn fail_invoices_of(app: &TestApp, username: &str, condition: &str) {
    let id = row_id(app, username);
    app.sql(&format!(
        "CREATE TRIGGER injected BEFORE INSERT ON invoices WHEN NEW.customer_id = {id} AND {condition} \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    ))
    .unwrap();
}

/// A customer whose renewal fails is recorded and the run goes on; after the cause is gone,
/// running the date again renews them, and nobody twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_customer_is_recorded_and_the_run_goes_on() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let today = today(&app).await;
    let plan = app.catalogue("499.00").await.broadband;
    let ids = monthly_renewers(&app, &plan, &[("alpha", 30), ("bravo", 30), ("charlie", 30)]).await;
    fail_invoices_of(&app, "bravo", "1 = 1");
    let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
    assert_eq!((run["renewed"].as_i64(), run["errors"].as_i64()), (Some(2), Some(1)), "{run}");
    assert_eq!(run["errorDetails"][0]["customer"]["username"], "bravo");
    assert!(run["errorDetails"][0]["message"].as_str().unwrap().contains("renewal"), "{run}");
    assert_eq!(customer(&app, &ids[1]).await["invoices"].as_array().unwrap().len(), 1, "bravo untouched");
    // The batch failed as a whole first, then ran customer by customer: what a renewal writes at
    // the batch's end (records, audit entries, periods) is there for the two renewed, and only
    // for them.
    let written = || {
        app.sql_text(&format!(
            "SELECT (SELECT COUNT(*) FROM document_snapshots s JOIN invoices i ON i.id = s.document_id \
             AND s.document = 'INVOICE' WHERE i.billing_run_id IS NOT NULL) || ' ' || \
             (SELECT COUNT(*) FROM audit_log a JOIN invoices i ON a.details LIKE i.invoice_number || ' %' \
             WHERE a.operation = 'createInvoice' AND i.billing_run_id IS NOT NULL) || ' ' || \
             (SELECT COUNT(*) FROM customers WHERE end_date > '{today}') AS value"
        ))
    };
    assert_eq!(written(), "2 2 2");
    app.sql("DROP TRIGGER injected").unwrap();
    let again = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
    assert_eq!(again["renewed"], 3, "{again}");
    for id in &ids {
        assert_eq!(customer(&app, id).await["invoices"].as_array().unwrap().len(), 2);
    }
    assert_eq!(written(), "3 3 3", "a batch that did not fail writes the same at its end");
    // Collectors cannot run the cycle.
    let collector = app.staff("collector", crate::fixtures::Role::Collector).await;
    let e = app.error_as(Some(&collector), RUN, json!({})).await;
    crate::helpers::assert_code(&e, "FORBIDDEN", None);
}

/// A customer catching up two periods whose second invoice fails: in the batch's second pass
/// (a savepoint per customer) their first invoice is rolled back with its record and audit
/// entry, and nothing of theirs is written for them by the customers after them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_failing_after_their_first_invoice_leaves_nothing() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let today = today(&app).await;
    let plan = app.catalogue("499.00").await.broadband;
    // Bravo started 62 days ago: two monthly periods are due (the second starting 0 to 3 days
    // ago); alpha and charlie one each.
    let ids = monthly_renewers(&app, &plan, &[("alpha", 30), ("bravo", 62), ("charlie", 30)]).await;
    fail_invoices_of(&app, "bravo", &format!("NEW.billing_period_start > '{}'", days_before(today, 15)));
    // Invoices, their records, their audit entries, and records of no invoice.
    let counts = || -> Vec<i64> {
        app.sql_text(
            "SELECT (SELECT COUNT(*) FROM invoices) || ' ' || \
             (SELECT COUNT(*) FROM document_snapshots WHERE document = 'INVOICE') || ' ' || \
             (SELECT COUNT(*) FROM audit_log WHERE operation = 'createInvoice') || ' ' || \
             (SELECT COUNT(*) FROM document_snapshots s WHERE s.document = 'INVOICE' \
              AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.id = s.document_id)) AS value",
        )
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect()
    };
    let before = counts();
    let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
    assert_eq!((run["renewed"].as_i64(), run["errors"].as_i64()), (Some(2), Some(1)), "{run}");
    assert_eq!(run["errorDetails"][0]["customer"]["username"], "bravo");
    let after = counts();
    // Two invoices, two records and two audit entries more (alpha's and charlie's), no record
    // of an invoice that is not there.
    assert_eq!(
        after,
        vec![before[0] + 2, before[1] + 2, before[2] + 2, 0],
        "invoices, records, audit entries, orphan records"
    );
    let bravo_now = customer(&app, &ids[1]).await;
    assert_eq!(bravo_now["invoices"].as_array().unwrap().len(), 1, "bravo's first invoice rolled back: {bravo_now}");
    assert!(bravo_now["endDate"].as_str().unwrap() <= today.to_string().as_str(), "bravo's period did not move");

    app.sql("DROP TRIGGER injected").unwrap();
    let again = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
    assert_eq!(again["renewed"], 4, "{again}");
    let bravo_now = customer(&app, &ids[1]).await;
    assert_eq!(bravo_now["invoices"].as_array().unwrap().len(), 3, "{bravo_now}");
    assert!(bravo_now["endDate"].as_str().unwrap() > today.to_string().as_str());
    let last = counts();
    assert_eq!(last, vec![before[0] + 4, before[1] + 4, before[2] + 4, 0]);
}

const UPDATE: &str = "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { notes } }";

const PLAN_CHANGES: &str = "query($id: ID!) { node(id: $id) { ... on Customer { planChanges {
    changedOn oldPlan { name } newPlan { name } unusedDays periodDays credit charge net
    invoice { invoiceNumber billingPeriodStart } carriedFrom { invoiceNumber } } } } }";

on_both_databases! {
    async fn a_plan_change_mid_period_is_prorated_on_the_next_invoice(app: TestApp) {
        let today = today(&app).await;
        let catalogue = app.catalogue("500.00").await;
        let fast = app.plan(&catalogue.company).name("Fast 800").price("800").create().await;
        let lite = app.plan(&catalogue.company).name("Lite 100").price("100").create().await;
        // 20 days into a 30-day period: 10 days left.
        let up = app.customer("upgrader", &catalogue.broadband).set("autoRenew", true).set("periodMonths", 1)
            .set("startDate", days_before(today, 20)).create().await["id"].as_str().unwrap().to_owned();
        let r = app.data(UPDATE, json!({"id": up, "i": {"planId": fast}})).await;
        let notes = r["updateCustomer"]["notes"].to_string();
        assert!(notes.contains("credits ₹166.67 for the 10 unused days of"), "{notes}");
        assert!(notes.contains("charges ₹266.67 for Fast 800"), "{notes}");
        let lines = app.data(PLAN_CHANGES, json!({"id": up})).await["node"]["planChanges"].clone();
        assert_eq!(lines, json!([{"changedOn": today.to_string(), "oldPlan": {"name": "Home 100"}, "newPlan": {"name": "Fast 800"},
            "unusedDays": 10, "periodDays": 30, "credit": "166.67", "charge": "266.67", "net": "100.00",
            "invoice": null, "carriedFrom": null}]));

        // 5 days into a 90-day period, down to ₹100: the credit is more than the next bill.
        let down = app.customer("downgrader", &fast).set("autoRenew", true).set("periodMonths", 3)
            .set("startDate", days_before(today, 5)).create().await["id"].as_str().unwrap().to_owned();
        app.data(UPDATE, json!({"id": down, "i": {"planId": lite}})).await;

        // Their periods end today (as if the days had passed), and the cycle renews them.
        app.sql(&format!("UPDATE customers SET end_date = '{today}' WHERE username IN ('upgrader', 'downgrader')")).unwrap();
        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!((run["renewed"].as_i64(), run["errors"].as_i64()), (Some(2), Some(0)), "{run}");

        // ₹800 + ₹100.00 prorated = ₹900 + 18 % GST.
        let c = customer(&app, &up).await;
        let renewal = c["invoices"].as_array().unwrap().iter().find(|i| i["billingPeriodStart"] == today.to_string())
            .expect("the renewal").clone();
        assert_eq!(renewal["totalAmount"], "1062.00", "{renewal}");
        let lines = app.data(PLAN_CHANGES, json!({"id": up})).await["node"]["planChanges"].clone();
        assert_eq!(lines[0]["invoice"]["invoiceNumber"], renewal["invoiceNumber"]);

        // Credit ₹2,400 × 85/90 = 2,266.67, charge ₹300 × 85/90 = 283.33: net −1,983.34 on a
        // ₹300 bill leaves the invoice at zero and carries −1,683.34.
        let c = customer(&app, &down).await;
        let renewal = c["invoices"].as_array().unwrap().iter().find(|i| i["billingPeriodStart"] == today.to_string())
            .expect("the renewal").clone();
        assert_eq!((renewal["totalAmount"].as_str(), renewal["status"].as_str()), (Some("0.00"), Some("PAID")), "{renewal}");
        let lines = app.data(PLAN_CHANGES, json!({"id": down})).await["node"]["planChanges"].clone();
        assert_eq!(lines.as_array().unwrap().len(), 2, "{lines}");
        assert_eq!((lines[0]["credit"].as_str(), lines[0]["charge"].as_str(), lines[0]["net"].as_str()),
            (Some("2266.67"), Some("283.33"), Some("-1983.34")));
        assert_eq!(lines[1]["net"], "-1683.34");
        assert_eq!(lines[1]["oldPlan"], Value::Null);
        assert_eq!(lines[1]["invoice"], Value::Null, "waits for the next invoice");
        assert_eq!(lines[1]["carriedFrom"]["invoiceNumber"], renewal["invoiceNumber"]);

        // The same day again: nothing more, nothing twice.
        let again = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!(again["renewed"], 2, "{again}");
        assert_eq!(app.data(PLAN_CHANGES, json!({"id": down})).await["node"]["planChanges"].as_array().unwrap().len(), 2);

        // The carried credit joins the next period invoice: ₹5,000 − 1,683.34 = 3,316.66 + GST.
        let next = app.invoice(json!({"customerId": down, "billAmount": "5000", "billingPeriodStart": days_after(today, 90)})).await;
        assert_eq!(next["billAmount"], "3316.66", "{next}");
        // Deleting that draft puts the credit back to wait for the next invoice.
        app.data("mutation($id: ID!) { deleteInvoice(id: $id) }", json!({"id": next["id"]})).await;
        let lines = app.data(PLAN_CHANGES, json!({"id": down})).await["node"]["planChanges"].clone();
        assert_eq!((lines[1]["net"].as_str(), &lines[1]["invoice"]), (Some("-1683.34"), &Value::Null), "{lines}");
    }
}

on_both_databases! {
    async fn payments_and_plan_changes_during_a_run_land_once(app: TestApp) {
        let today = today(&app).await;
        let catalogue = app.catalogue("500.00").await;
        let fast = app.plan(&catalogue.company).name("Fast 800").price("800").create().await;
        // Their period ends today: the run renews each of them.
        let mut people = Vec::new();
        for n in 0..24 {
            let (customer, invoice) = app.customer(&format!("busy{n:02}"), &catalogue.broadband)
                .set("autoRenew", true).set("periodMonths", 1).set("startDate", days_before(today, 30))
                .create_with_invoice().await;
            people.push((customer, invoice));
        }
        // The run, and at the same time every first invoice paid and every third customer
        // moved to the faster plan.
        let run = async { app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone() };
        let others = futures_util::future::join_all(people.iter().enumerate().map(|(n, (customer, invoice))| {
            let (app, fast) = (&app, &fast);
            async move {
                app.pay(json!({"invoiceId": invoice, "amount": "590.00", "paymentMethod": "CASH"})).await;
                if n % 3 == 0 {
                    app.data(UPDATE, json!({"id": customer, "i": {"planId": fast}})).await;
                }
            }
        }));
        let (run, _) = tokio::join!(run, others);
        assert_eq!((run["renewed"].as_i64(), run["errors"].as_i64()), (Some(24), Some(0)), "{run}");

        for (n, (customer, _)) in people.iter().enumerate() {
            let account = crate::helpers::check_invariants(&app, customer).await;
            let c = self::customer(&app, customer).await;
            let invoices = c["invoices"].as_array().unwrap();
            assert_eq!(invoices.len(), 2, "the first invoice and one renewal: {c}");
            let renewal = invoices.iter().find(|i| i["billingPeriodStart"] == today.to_string()).expect("renewal");
            let first = invoices.iter().find(|i| i["billingPeriodStart"] != today.to_string()).unwrap();
            assert_eq!(first["status"], "PAID", "{account}");
            assert_eq!(c["status"], "ACTIVE");
            let lines = app.data(PLAN_CHANGES, json!({"id": customer})).await["node"]["planChanges"].clone();
            if n % 3 == 0 {
                // Changed before the renewal: the renewal bills the new plan and nothing is
                // left of the old period. After it: the old plan is billed and the whole new
                // period is prorated on the next invoice.
                match renewal["totalAmount"].as_str() {
                    Some("944.00") => assert_eq!(lines, json!([]), "{lines}"),
                    Some("590.00") => {
                        assert_eq!(lines.as_array().unwrap().len(), 1, "{lines}");
                        assert_eq!((lines[0]["net"].as_str(), lines[0]["unusedDays"].as_i64()), (Some("300.00"), Some(30)));
                        assert_eq!(lines[0]["invoice"], Value::Null);
                    }
                    other => panic!("renewal of {other:?}: neither plan ({renewal})"),
                }
            } else {
                assert_eq!(renewal["totalAmount"], "590.00");
                assert_eq!(lines, json!([]));
            }
        }
    }
}

/// One number from the test database.
fn count(app: &TestApp, sql: &str) -> i64 {
    app.sql_text(&format!("SELECT CAST(COUNT(*) AS TEXT) AS value FROM {sql}")).parse().unwrap()
}

on_both_databases! {
    async fn overlapping_runs_count_only_what_they_changed(app: TestApp) {
        let today = today(&app).await;
        let catalogue = app.catalogue("499.00").await;
        app.data("mutation($id: ID!) { updateCompany(id: $id, input: {graceDays: 3}) { graceDays } }",
            json!({"id": catalogue.company})).await;
        // Customers with an invoice long overdue (marked OVERDUE, then suspended), and customers
        // whose period ended days ago (renewed, and unpaid).
        for n in 0..30 {
            let c = app.customer(&format!("late{n:02}"), &catalogue.broadband).set("startDate", today.to_string())
                .create().await["id"].as_str().unwrap().to_owned();
            app.invoice(json!({"customerId": c, "billAmount": "300", "invoiceDate": days_before(today, 20),
                "dueDate": days_before(today, 10), "billingPeriodStart": days_before(today, 20),
                "billingPeriodEnd": days_after(today, 10)})).await;
        }
        for n in 0..15 {
            app.customer(&format!("renew{n:02}"), &catalogue.broadband).set("autoRenew", true).set("periodMonths", 1)
                .set("startDate", days_before(today, 36)).create().await;
        }
        // A second server on the same database; each catches up yesterday, then today, at the
        // same time as the other.
        let other = app.restart_on_same_database().await;
        let dates = [days_before(today, 1), today.to_string()];
        let catch_up = |server: &TestApp| {
            let dates = dates.clone();
            let (addr, token) = (server.url("/graphql"), server.token.clone());
            async move {
                let client = reqwest::Client::new();
                for d in dates {
                    let body: Value = client.post(&addr).bearer_auth(&token)
                        .json(&json!({"query": RUN, "variables": {"d": d}})).send().await.unwrap().json().await.unwrap();
                    assert!(body.get("errors").is_none(), "{body:#}");
                }
            }
        };
        tokio::join!(catch_up(&app), catch_up(&other));

        let runs = app.data("{ billingRuns { nodes { asOf status attempts renewed overdue suspended reminders errors } } }", json!({}))
            .await["billingRuns"]["nodes"].as_array().unwrap().clone();
        assert_eq!(runs.len(), 2, "{runs:#?}");
        let sum = |field: &str| runs.iter().map(|r| r[field].as_i64().unwrap()).sum::<i64>();
        for run in &runs {
            assert_eq!((run["status"].as_str(), run["attempts"].as_i64(), run["errors"].as_i64()),
                (Some("FINISHED"), Some(2), Some(0)), "{runs:#?}");
        }
        // What the database holds now, all made by the runs.
        let renewed = count(&app, "invoices WHERE billing_run_id IS NOT NULL");
        let overdue = count(&app, "invoices WHERE status = 'OVERDUE'");
        let suspended = count(&app, "customers WHERE status = 'SUSPENDED' AND suspended_for_dues = TRUE");
        let audited = count(&app, "audit_log WHERE operation = 'suspendCustomer'");
        let told = count(&app, "notifications WHERE kind IN ('INVOICE_OVERDUE', 'SERVICE_SUSPENDED', 'PLAN_EXPIRING')");
        // Every renewal; the late invoices (renewal invoices are not due yet); everyone suspended
        // (the renewed customers owe a period that started before the grace days).
        assert_eq!((renewed, overdue, suspended), (15, 30, 45));
        assert_eq!(
            (sum("renewed"), sum("overdue"), sum("suspended"), sum("reminders")),
            (renewed, overdue, suspended, told),
            "the runs' counts add up to what changed: {runs:#?}"
        );
        assert_eq!(audited, suspended, "one audit entry per suspension");
    }
}

on_both_databases! {
    async fn a_batch_inserts_its_plain_invoices_together_and_the_others_in_their_place(app: TestApp) {
        // A renewal's invoice that nothing else in its batch names waits and goes in with the
        // others at the batch's end; one that an add-on or an advance names is inserted at once.
        // Either way ids follow the order the invoices were raised in, each has its one ledger
        // row and its record, and every account's running balances chain.
        let today = today(&app).await;
        let catalogue = app.catalogue("500.00").await;
        // 70 days ago: two periods due (about 40 and 10 days ago); 31 days ago: one.
        let started = [("plain0", 31), ("addon1", 31), ("plain2", 31), ("advance3", 31), ("twice4", 70), ("plain5", 31)];
        let ids = monthly_renewers(&app, &catalogue.broadband, &started).await;
        let add = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) { id status } }";
        let addon = app.data(add, json!({"i": {"customerId": ids[1], "addonType": "SHIFTING", "description": "Shift to Sadar",
            "amount": "300", "billOn": "NEXT_INVOICE"}})).await["createAddonBill"].clone();
        assert_eq!(addon["status"], "PENDING");
        let first = customer(&app, &ids[3]).await["invoices"][0].clone();
        let owed: f64 = first["balanceAmount"].as_str().unwrap().parse().unwrap();
        let paid = app.pay(json!({"invoiceId": app.first_invoice(&ids[3]).await, "amount": format!("{:.2}", owed + 100.0),
            "paymentMethod": "CASH", "keepExcessAsAdvance": true})).await;
        assert_eq!(paid["advanceAmount"], "100.00", "{paid}");

        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!((run["renewed"].as_i64(), run["errors"].as_i64()), (Some(7), Some(0)), "{run}");
        // A customer's invoices after their first period's.
        let renewals = |n: usize| {
            let (c, first_period) = (ids[n].clone(), days_before(today, started[n].1));
            let app = &app;
            async move {
                customer(app, &c).await["invoices"].as_array().unwrap().iter()
                    .filter(|i| i["billingPeriodStart"] != first_period.as_str()).cloned().collect::<Vec<Value>>()
            }
        };
        assert_eq!(renewals(4).await.len(), 2);
        let q = "query($id: ID!) { node(id: $id) { ... on AddonBill { status } } }";
        assert_eq!(app.data(q, json!({"id": addon["id"]})).await["node"]["status"], "BILLED");
        let with_addon = &renewals(1).await[0];
        assert_eq!(with_addon["totalAmount"], "944.00", "(500 + 300) + 18 % GST: {with_addon}");
        let with_advance = &renewals(3).await[0];
        assert_eq!(with_advance["balanceAmount"], "490.00", "590.00 less the 100.00 of advance: {with_advance}");
        for id in &ids {
            crate::helpers::check_invariants(&app, id).await;
        }
        let run_invoices = "invoices a JOIN invoices b ON a.billing_run_id IS NOT NULL AND b.billing_run_id IS NOT NULL AND a.id < b.id";
        assert_eq!(count(&app, &format!("{run_invoices} AND a.serial > b.serial")), 0, "numbers follow ids");
        assert_eq!(
            count(&app, &format!("{run_invoices} AND a.customer_id = b.customer_id AND a.billing_period_start > b.billing_period_start")),
            0,
            "a customer's periods follow ids"
        );
        assert_eq!(count(&app, "invoices i WHERE billing_run_id IS NOT NULL AND (SELECT COUNT(*) FROM transactions t \
            WHERE t.invoice_id = i.id AND t.transaction_type = 'INVOICE') <> 1"), 0, "one ledger row each");
        assert_eq!(count(&app, "transactions a JOIN transactions b ON a.transaction_type = 'INVOICE' \
            AND b.transaction_type = 'INVOICE' AND a.id < b.id AND a.invoice_id > b.invoice_id"), 0, "ledger rows follow their invoices");
        assert_eq!(count(&app, "invoices i WHERE billing_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM document_snapshots s \
            WHERE s.document = 'INVOICE' AND s.document_id = i.id)"), 0, "each has its record");
        if app.kind == Kind::Postgres {
            // PostgreSQL numbers a transaction's statements (`cmin`): the invoices that waited
            // went in by one statement per flush (before each that could not wait, and at the
            // end of the batch), each that could not by its own; so did their ledger rows.
            let commands = |sql: &str| app.sql_text(&format!("SELECT CAST(COUNT(DISTINCT CAST(cmin AS TEXT)) AS TEXT) AS value FROM {sql}"));
            let ours = "(SELECT id FROM invoices WHERE billing_run_id IS NOT NULL)";
            assert_eq!(commands(&format!("invoices WHERE id IN {ours}")), "5", "plain0 | addon1 | plain2 | advance3 | twice4 ×2, plain5");
            assert_eq!(commands(&format!("transactions WHERE transaction_type = 'INVOICE' AND invoice_id IN {ours}")), "5");
        }
        // Their numbers are the series' next, none skipped.
        assert_eq!(count(&app, "invoices i WHERE serial IS NOT NULL AND serial > 1 AND NOT EXISTS (SELECT 1 FROM invoices p \
            WHERE p.company_id = i.company_id AND p.series = i.series AND p.serial = i.serial - 1)"), 0);
    }
}
