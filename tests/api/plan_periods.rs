//! A plan's price buys its `validityDays`: a quarterly plan bills its price per 90 days on the
//! first invoice, renewals and plan changes, periods that do not hold whole plan periods are
//! refused naming both fields, and the upgrade migration keeps what was billed, on SQLite and
//! PostgreSQL.

use chrono::{Days, NaiveDate};
use serde_json::{json, Value};

use crate::helpers::{assert_code, business_today as today, TestApp};
use crate::on_both_databases;

const RUN: &str = "mutation($d: Date) { runBillingCycle(asOf: $d) { status renewed errors } }";

const CUSTOMER: &str = "query($id: ID!) { node(id: $id) { ... on Customer { periodMonths startDate endDate
    invoices { totalAmount billAmount billingPeriodStart billingPeriodEnd } } } }";

const UPDATE_CUSTOMER: &str = "mutation($id: ID!, $i: UpdateCustomerInput!) {
    updateCustomer(id: $id, input: $i) { customer { periodMonths endDate plan { name } } notes } }";

const UPDATE_PLAN: &str =
    "mutation($id: ID!, $i: UpdatePlanInput!) { updatePlan(id: $id, input: $i) { validityDays price } }";

fn shift(d: NaiveDate, days: i64) -> String {
    if days >= 0 { d.checked_add_days(Days::new(days as u64)) } else { d.checked_sub_days(Days::new((-days) as u64)) }
        .unwrap()
        .to_string()
}

async fn customer(app: &TestApp, id: &str) -> Value {
    app.data(CUSTOMER, json!({"id": id})).await["node"].clone()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

on_both_databases! {
    async fn a_quarterly_plan_bills_its_price_per_ninety_days(app: TestApp) {
        let today = today(&app).await;
        let company = app.company().create().await;
        let quarterly = app.plan(&company).name("Quarterly 100").price("1797").set("validityDays", 90).create().await;

        // periodMonths left out: the plan's own period, 3 months, billed once.
        let quinn = id(&app.customer("quinn", &quarterly).set("periodMonths", None::<i32>).set("autoRenew", true)
            .set("startDate", shift(today, -91)).create().await);
        let c = customer(&app, &quinn).await;
        assert_eq!(c["periodMonths"], 3, "{c}");
        assert_eq!(c["endDate"], shift(today, -1), "90 days from the start");
        assert_eq!(c["invoices"][0]["billAmount"], "1797.00", "{c}");
        assert_eq!(c["invoices"][0]["totalAmount"], "2120.46", "1797 + 18 % GST");

        // Six months: two plan periods.
        let six = app.customer("sita", &quarterly).set("periodMonths", 6).create().await;
        assert_eq!(customer(&app, &id(&six)).await["invoices"][0]["billAmount"], "3594.00");

        // One month or four: not a whole number of quarters, refused naming both fields.
        for months in [1, 4] {
            let input = app.customer("odd", &quarterly).set("periodMonths", months).input();
            let e = app.error(crate::documents::CREATE_CUSTOMER, json!({"i": input})).await;
            assert_code(&e, "BAD_USER_INPUT", Some("periodMonths"));
            let message = e["message"].as_str().unwrap();
            assert!(message.contains("validityDays") && message.contains("multiple of 3"), "{message}");
        }

        // The renewal bills one quarter for the next 90 days.
        let run = app.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!((run["renewed"].as_i64(), run["errors"].as_i64()), (Some(1), Some(0)), "{run}");
        let c = customer(&app, &quinn).await;
        let renewal = c["invoices"].as_array().unwrap().iter()
            .find(|i| i["billingPeriodStart"] == shift(today, -1)).cloned().expect("the renewal");
        assert_eq!(renewal["billAmount"], "1797.00", "{renewal}");
        assert_eq!(renewal["totalAmount"], "2120.46");
        assert_eq!(renewal["billingPeriodEnd"], shift(today, 89));
    }

    async fn validities_are_whole_months_and_keep_their_customers_whole(app: TestApp) {
        let company = app.company().create().await;
        for days in [28, 365, 0] {
            let input = json!({"companyId": company, "name": "Odd", "serviceType": "BROADBAND", "price": "100",
                               "validityDays": days});
            let e = app.error(crate::documents::CREATE_PLAN, json!({"input": input})).await;
            assert_code(&e, "BAD_USER_INPUT", Some("validityDays"));
        }
        let monthly = app.plan(&company).price("599").create().await;
        let quarterly = app.plan(&company).name("Quarterly").price("1797").set("validityDays", 90).create().await;
        let c = id(&app.customer("mona", &monthly).set("periodMonths", 1).create().await);

        // Onto the quarterly plan with a monthly period: refused on planId; with periodMonths
        // 3 in the same change, accepted.
        let e = app.error(UPDATE_CUSTOMER, json!({"id": c, "i": {"planId": quarterly}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("planId"));
        assert!(e["message"].as_str().unwrap().contains("`validityDays` 90"), "{e}");
        let e = app.error(UPDATE_CUSTOMER, json!({"id": c, "i": {"planId": quarterly, "periodMonths": 2}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("periodMonths"));
        let moved = app.data(UPDATE_CUSTOMER, json!({"id": c, "i": {"planId": quarterly, "periodMonths": 3}})).await;
        assert_eq!(moved["updateCustomer"]["customer"]["periodMonths"], 3, "{moved}");
        assert_eq!(moved["updateCustomer"]["customer"]["plan"]["name"], "Quarterly");
        // And its period alone cannot leave the plan's quarters.
        let e = app.error(UPDATE_CUSTOMER, json!({"id": c, "i": {"periodMonths": 5}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("periodMonths"));

        // A monthly plan cannot become quarterly under a monthly customer...
        let other = id(&app.customer("nina", &monthly).set("periodMonths", 1).create().await);
        let e = app.error(UPDATE_PLAN, json!({"id": monthly, "i": {"validityDays": 90}})).await;
        assert_code(&e, "CONFLICT", None);
        assert!(e["message"].as_str().unwrap().contains("1 customer(s)"), "{e}");
        // ...but can once that customer's period is whole quarters.
        app.data(UPDATE_CUSTOMER, json!({"id": other, "i": {"periodMonths": 6}})).await;
        let plan = app.data(UPDATE_PLAN, json!({"id": monthly, "i": {"validityDays": 90}})).await;
        assert_eq!(plan["updatePlan"]["validityDays"], 90);
    }

    async fn a_plan_change_is_prorated_at_each_plans_daily_worth(app: TestApp) {
        let today = today(&app).await;
        let company = app.company().create().await;
        let quarterly = app.plan(&company).name("Quarterly").price("900").set("validityDays", 90).create().await;
        let bigger = app.plan(&company).name("Quarterly 200").price("1800").set("validityDays", 90).create().await;
        // A quarter that started 60 days ago: 30 days left.
        let c = id(&app.customer("pia", &quarterly).set("startDate", shift(today, -60)).create().await);
        let changed = app.data(UPDATE_CUSTOMER, json!({"id": c, "i": {"planId": bigger}})).await;
        let notes = changed["updateCustomer"]["notes"].to_string();
        // ₹900 per 90 days over 30 days = ₹300 credited; ₹1,800 per 90 days = ₹600 charged.
        assert!(notes.contains("credits ₹300.00 for the 30 unused days"), "{notes}");
        assert!(notes.contains("charges ₹600.00"), "{notes}");
    }

    async fn the_upgrade_keeps_what_was_billed_and_bills_quarters_from_the_next_renewal(app: TestApp) {
        let today = today(&app).await;
        let company = app.company().create().await;
        let plan = app.plan(&company).name("Quarterly 100").price("1797").create().await;
        app.plan(&company).name("Four weeks").price("400").create().await;
        // Before the upgrade, a "quarterly" plan was billed per 30 days whatever its validity.
        let c = id(&app.customer("ravi", &plan).set("periodMonths", 1).set("autoRenew", true).set("startDate", shift(today, -31)).create().await);
        let before = customer(&app, &c).await;
        assert_eq!(before["invoices"][0]["billAmount"], "1797.00");

        crate::helpers::revert_through(app.database_url(), "20261205000032").await;
        app.sql("UPDATE plans SET validity_days = 90 WHERE name = 'Quarterly 100'").unwrap();
        app.sql("UPDATE plans SET validity_days = 28 WHERE name = 'Four weeks'").unwrap();
        let upgraded = app.restart_on_same_database().await;

        let plans = upgraded.data("{ plans { nodes { name validityDays } } }", json!({})).await;
        let plans = plans["plans"]["nodes"].as_array().unwrap().clone();
        assert!(plans.contains(&json!({"name": "Quarterly 100", "validityDays": 90})), "{plans:?}");
        assert!(plans.contains(&json!({"name": "Four weeks", "validityDays": 30})), "{plans:?}");
        // Quarterly from now on; the current period and its invoice are as they were.
        let after = customer(&upgraded, &c).await;
        assert_eq!(after["periodMonths"], 3, "{after}");
        assert_eq!((&after["startDate"], &after["endDate"]), (&before["startDate"], &before["endDate"]));
        assert_eq!(after["invoices"], before["invoices"]);
        let run = upgraded.data(RUN, json!({"d": today.to_string()})).await["runBillingCycle"].clone();
        assert_eq!(run["renewed"], 1, "{run}");
        let after = customer(&upgraded, &c).await;
        let renewal = after["invoices"].as_array().unwrap().iter()
            .find(|i| i["billingPeriodStart"] == shift(today, -1)).cloned().expect("the renewal");
        assert_eq!((renewal["billAmount"].as_str(), renewal["billingPeriodEnd"].as_str()),
                   (Some("1797.00"), Some(shift(today, 89).as_str())), "{renewal}");
    }
}
