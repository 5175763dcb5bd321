//! Pausing a travelling customer's service (`pauseService`/`resumeService`): the days paused are
//! given back (the end date moves by exactly them), a paused period is frozen (the billing cycle
//! neither renews it nor marks its invoices overdue) and renewed from the moved end after the
//! resume, dues are not paused away, and the refusals, on SQLite and PostgreSQL.

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::fixtures::{Role, CUSTOMER_PASSWORD};
use crate::helpers::{assert_code, business_today as today, days_after as after, days_before as before, TestApp};
use crate::on_both_databases;

const PAUSE: &str = "mutation($c: ID!, $from: Date, $reason: String) {
    pauseService(customerId: $c, from: $from, reason: $reason) {
        customer { status suspendedForDues endDate } pause { pausedOn resumedOn days reason createdBy { fullName } } note } }";

const RESUME: &str = "mutation($c: ID!, $on: Date) { resumeService(customerId: $c, on: $on) {
    customer { status suspendedForDues endDate } pause { pausedOn resumedOn days resumedBy { fullName } } note } }";

const CUSTOMER: &str = "query($id: ID!) { node(id: $id) { ... on Customer { status suspendedForDues startDate endDate
    pause { pausedOn } pauses { pausedOn resumedOn days reason }
    invoices { id status totalAmount billingPeriodStart billingPeriodEnd } } } }";

const RUN: &str = "mutation($d: Date) { runBillingCycle(asOf: $d) { renewed overdue suspended errors } }";

const STATUS: &str = "mutation($id: ID!, $s: CustomerStatus!) { changeCustomerStatus(id: $id, status: $s) { status } }";

async fn customer(app: &TestApp, id: &str) -> Value {
    app.data(CUSTOMER, json!({"id": id})).await["node"].clone()
}

/// A monthly, auto-renewing customer whose period started `days_ago`, with the opening invoice
/// (₹499 + GST) paid; returns their ID.
async fn monthly(app: &TestApp, plan: &str, username: &str, days_ago: u64, today: NaiveDate) -> String {
    let created = app
        .customer(username, plan)
        .set("autoRenew", true)
        .set("periodMonths", 1)
        .set("startDate", before(today, days_ago))
        .create()
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let invoice = customer(app, &id).await["invoices"][0]["id"].as_str().unwrap().to_owned();
    app.pay(json!({"invoiceId": invoice, "amount": "588.82", "paymentMethod": "CASH"})).await;
    id
}

async fn operations(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let log = app
        .data(
            "query($f: AuditFilterInput) { auditLog(filter: $f, last: 20) { nodes { operation details } } }",
            json!({"f": {"targetId": id}}),
        )
        .await;
    log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["operation"].as_str().unwrap().to_owned(), n["details"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

on_both_databases! {
    async fn a_pause_gives_back_exactly_the_days_paused(app: TestApp) {
        let today = today(&app).await;
        let plan = app.catalogue("499.00").await.broadband;
        let id = monthly(&app, &plan, "traveller", 10, today).await;
        assert_eq!(customer(&app, &id).await["endDate"], after(today, 20));

        // Left five days ago, called today.
        let paused = app.data(PAUSE, json!({"c": id, "from": before(today, 5), "reason": "Travelling to Dubai"}))
            .await["pauseService"].clone();
        assert_eq!(paused["customer"], json!({"status": "SUSPENDED", "suspendedForDues": false, "endDate": after(today, 20)}));
        assert_eq!(paused["pause"]["pausedOn"], before(today, 5));
        assert_eq!((paused["pause"]["resumedOn"].clone(), paused["pause"]["days"].clone()), (Value::Null, Value::Null));
        assert_eq!(paused["pause"]["reason"], "Travelling to Dubai");
        assert_eq!(paused["pause"]["createdBy"]["fullName"], "Administrator", "{paused}");
        assert!(paused["note"].as_str().unwrap().contains("paused"), "{paused}");
        let c = customer(&app, &id).await;
        assert_eq!(c["pause"]["pausedOn"], before(today, 5));

        // Back today: five days given back.
        let resumed = app.data(RESUME, json!({"c": id})).await["resumeService"].clone();
        assert_eq!(resumed["customer"], json!({"status": "ACTIVE", "suspendedForDues": false, "endDate": after(today, 25)}));
        assert_eq!(resumed["pause"]["resumedOn"], today.to_string());
        assert_eq!(resumed["pause"]["days"], 5);
        let note = resumed["note"].as_str().unwrap();
        assert!(note.contains("5 days given back") && note.contains(&after(today, 25)), "{note}");
        let c = customer(&app, &id).await;
        assert_eq!(c["pause"], Value::Null);
        assert_eq!(c["startDate"], before(today, 10), "the period's start stays");
        assert_eq!(c["pauses"], json!([{"pausedOn": before(today, 5), "resumedOn": today.to_string(), "days": 5,
            "reason": "Travelling to Dubai"}]));

        // Paused and resumed on the same day: nothing given back, history kept.
        app.data(PAUSE, json!({"c": id})).await;
        let resumed = app.data(RESUME, json!({"c": id, "on": today.to_string()})).await["resumeService"].clone();
        assert_eq!((resumed["pause"]["days"].as_i64(), resumed["customer"]["endDate"].as_str()), (Some(0), Some(after(today, 25).as_str())));
        assert_eq!(customer(&app, &id).await["pauses"].as_array().unwrap().len(), 2);

        // Both audited, with the dates and the days.
        let log = operations(&app, &id).await;
        let pauses: Vec<&(String, String)> = log.iter().filter(|(op, _)| op == "pauseService").collect();
        let resumes: Vec<&(String, String)> = log.iter().filter(|(op, _)| op == "resumeService").collect();
        assert_eq!((pauses.len(), resumes.len()), (2, 2), "{log:?}");
        assert!(pauses[0].1.contains(&format!("paused from {}", before(today, 5))) && pauses[0].1.contains("Dubai"), "{log:?}");
        assert!(resumes[0].1.contains("after 5 days") && resumes[0].1.contains(&format!("endDate {} -> {}", after(today, 20), after(today, 25))), "{log:?}");
        assert!(resumes[0].1.contains("SUSPENDED -> ACTIVE"), "{log:?}");
    }

    async fn a_paused_period_is_frozen_and_renewed_from_the_moved_end(app: TestApp) {
        let today = today(&app).await;
        let plan = app.catalogue("499.00").await.broadband;
        // Both periods ended ten days ago; the traveller left in the middle of theirs.
        let traveller = monthly(&app, &plan, "traveller", 40, today).await;
        let stayer = monthly(&app, &plan, "stayer", 40, today).await;
        app.data(PAUSE, json!({"c": traveller, "from": before(today, 20)})).await;

        let run = app.data(RUN, json!({"d": before(today, 10)})).await["runBillingCycle"].clone();
        assert_eq!((run["renewed"].as_i64(), run["errors"].as_i64()), (Some(1), Some(0)), "only the stayer: {run}");
        assert_eq!(customer(&app, &stayer).await["endDate"], after(today, 20));
        let c = customer(&app, &traveller).await;
        assert_eq!(c["invoices"].as_array().unwrap().len(), 1, "not renewed while paused: {c}");
        assert_eq!((c["startDate"].as_str(), c["endDate"].as_str()), (Some(before(today, 40).as_str()), Some(before(today, 10).as_str())));
        assert_eq!(c["status"], "SUSPENDED");

        // Back after five days: the period ends five days later, and is renewed from there.
        let resumed = app.data(RESUME, json!({"c": traveller, "on": before(today, 15)})).await["resumeService"].clone();
        assert_eq!(resumed["pause"]["days"], 5);
        assert_eq!(resumed["customer"], json!({"status": "ACTIVE", "suspendedForDues": false, "endDate": before(today, 5)}));
        let run = app.data(RUN, json!({"d": before(today, 6)})).await["runBillingCycle"].clone();
        assert_eq!(run["renewed"], 0, "not before the moved end: {run}");
        let run = app.data(RUN, json!({"d": before(today, 5)})).await["runBillingCycle"].clone();
        assert_eq!((run["renewed"].as_i64(), run["errors"].as_i64()), (Some(1), Some(0)), "{run}");
        let c = customer(&app, &traveller).await;
        let invoices = c["invoices"].as_array().unwrap();
        assert_eq!(invoices.len(), 2, "{c}");
        let renewal = invoices.iter().find(|i| i["billingPeriodStart"] == before(today, 5)).expect("the renewal");
        assert_eq!((renewal["billingPeriodEnd"].as_str(), renewal["totalAmount"].as_str()), (Some(after(today, 25).as_str()), Some("588.82")));
        assert_eq!((c["startDate"].as_str(), c["endDate"].as_str()), (Some(before(today, 5).as_str()), Some(after(today, 25).as_str())));
    }

    async fn dues_are_not_paused_away(app: TestApp) {
        let today = today(&app).await;
        let plan = app.catalogue("499.00").await.broadband;
        // Owes a bill due three weeks ago, not suspended yet (the cycle has not run).
        let owing = app.customer("owing", &plan).set("periodMonths", 1).set("startDate", before(today, 5)).create().await["id"]
            .as_str().unwrap().to_owned();
        let first = customer(&app, &owing).await["invoices"][0]["id"].as_str().unwrap().to_owned();
        app.pay(json!({"invoiceId": first, "amount": "588.82", "paymentMethod": "CASH"})).await;
        let old = app.invoice(json!({"customerId": owing, "billAmount": "300", "invoiceDate": before(today, 30),
            "dueDate": before(today, 21)})).await["id"].as_str().unwrap().to_owned();
        app.data(PAUSE, json!({"c": owing, "from": before(today, 2)})).await;

        // While paused the cycle neither marks the bill overdue nor suspends them for it.
        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!((run["overdue"].as_i64(), run["suspended"].as_i64()), (Some(0), Some(0)), "{run}");
        let c = customer(&app, &owing).await;
        let bill = c["invoices"].as_array().unwrap().iter().find(|i| i["id"] == old.as_str()).unwrap().clone();
        assert_ne!(bill["status"], "OVERDUE", "{c}");

        // Back: the days are given back, but the dues keep the service SUSPENDED, for dues.
        let resumed = app.data(RESUME, json!({"c": owing})).await["resumeService"].clone();
        assert_eq!(resumed["customer"], json!({"status": "SUSPENDED", "suspendedForDues": true, "endDate": after(today, 27)}));
        assert!(resumed["note"].as_str().unwrap().contains("unpaid dues"), "{resumed}");
        let log = operations(&app, &owing).await;
        assert!(log.iter().any(|(op, d)| op == "resumeService" && d.contains("stays SUSPENDED for unpaid dues")), "{log:?}");
        // The next run marks the bill overdue; paying it makes the service ACTIVE.
        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!(run["overdue"], 1, "{run}");
        app.pay(json!({"invoiceId": old, "amount": "354", "paymentMethod": "CASH"})).await;
        let c = customer(&app, &owing).await;
        assert_eq!((c["status"].as_str(), c["suspendedForDues"].as_bool()), (Some("ACTIVE"), Some(false)));

        // Suspended for dues by the cycle: no pause until they are paid.
        let late = app.customer("late", &plan).set("periodMonths", 1).set("startDate", before(today, 5)).create().await["id"]
            .as_str().unwrap().to_owned();
        app.invoice(json!({"customerId": late, "billAmount": "300", "invoiceDate": before(today, 30),
            "dueDate": before(today, 21)})).await;
        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert!(run["suspended"].as_i64().unwrap() >= 1, "{run}");
        assert_eq!(customer(&app, &late).await["suspendedForDues"], true);
        let e = app.error(PAUSE, json!({"c": late})).await;
        assert_code(&e, "CONFLICT", None);
        assert!(e["message"].as_str().unwrap().contains("dues"), "{e}");
    }

    async fn pauses_are_refused_where_they_do_not_fit(app: TestApp) {
        let today = today(&app).await;
        let plan = app.catalogue("499.00").await.broadband;
        let id = monthly(&app, &plan, "traveller", 10, today).await;

        // Nothing to resume.
        assert_code(&app.error(RESUME, json!({"c": id})).await, "CONFLICT", None);
        // Dates: not in the future, not outside the current period.
        assert_code(&app.error(PAUSE, json!({"c": id, "from": after(today, 1)})).await, "BAD_USER_INPUT", Some("from"));
        assert_code(&app.error(PAUSE, json!({"c": id, "from": before(today, 11)})).await, "BAD_USER_INPUT", Some("from"));
        assert_code(&app.error(PAUSE, json!({"c": "nope"})).await, "BAD_USER_INPUT", Some("customerId"));

        // Staff who may not change customers may not pause them; nor may the customer.
        let collector = app.staff("collector", Role::Collector).await;
        let support = app.staff("support", Role::Support).await;
        let own = app.login("traveller", CUSTOMER_PASSWORD).await;
        for token in [&collector, &support, &own] {
            assert_code(&app.error_as(Some(token), PAUSE, json!({"c": id})).await, "FORBIDDEN", None);
        }

        app.data(PAUSE, json!({"c": id, "from": before(today, 3)})).await;
        // Once: and the status moves only through resumeService.
        assert_code(&app.error(PAUSE, json!({"c": id})).await, "CONFLICT", None);
        let e = app.error(STATUS, json!({"id": id, "s": "ACTIVE"})).await;
        assert_code(&e, "CONFLICT", None);
        assert!(e["message"].as_str().unwrap().contains("resumeService"), "{e}");
        for token in [&collector, &own] {
            assert_code(&app.error_as(Some(token), RESUME, json!({"c": id})).await, "FORBIDDEN", None);
        }
        // The customer sees their own pause.
        let mine = app.data_as(Some(&own), CUSTOMER, json!({"id": id})).await;
        assert_eq!(mine["node"]["pause"]["pausedOn"], before(today, 3));
        // A paused customer is not deleted: the pause refers to them.
        let e = app.error("mutation($id: ID!) { deleteCustomer(id: $id) }", json!({"id": id})).await;
        assert_code(&e, "CONFLICT", None);
        assert!(e["message"].as_str().unwrap().contains("service pauses (1)"), "{e}");
        // Resume: not before the pause began, not in the future.
        assert_code(&app.error(RESUME, json!({"c": id, "on": before(today, 4)})).await, "BAD_USER_INPUT", Some("on"));
        assert_code(&app.error(RESUME, json!({"c": id, "on": after(today, 1)})).await, "BAD_USER_INPUT", Some("on"));
        let resumed = app.data(RESUME, json!({"c": id, "on": before(today, 1)})).await["resumeService"].clone();
        assert_eq!((resumed["pause"]["days"].as_i64(), resumed["customer"]["endDate"].as_str()), (Some(2), Some(after(today, 22).as_str())));
        // A new pause does not start inside the last one.
        assert_code(&app.error(PAUSE, json!({"c": id, "from": before(today, 2)})).await, "BAD_USER_INPUT", Some("from"));

        // Only an ACTIVE customer is paused.
        for status in ["DEACTIVE", "TERMINATED"] {
            app.data(STATUS, json!({"id": id, "s": status})).await;
            let e = app.error(PAUSE, json!({"c": id})).await;
            assert_code(&e, "CONFLICT", None);
            assert!(e["message"].as_str().unwrap().contains(status), "{e}");
        }
        let log = operations(&app, &id).await;
        assert_eq!(log.iter().filter(|(op, _)| op == "pauseService" || op == "resumeService").count(), 2, "refusals leave no entry: {log:?}");
    }
}
