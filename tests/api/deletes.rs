//! Every delete of a row still referred to answers `CONFLICT` naming what refers to it (issue
//! #31 item 3), never an internal error: each delete mutation of the schema, with each kind of
//! row that can refer to its target; and the lists it names are all of PostgreSQL's foreign keys.

use serde_json::{json, Value};

use crate::documents::{CREATE_COMPLAINT, CREATE_CONNECTION_REQUEST, CREATE_PAYMENT};
use crate::helpers::{assert_code, Kind, TestApp};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn delete(kind: &str) -> String {
    format!("mutation($id: ID!) {{ delete{kind}(id: $id) }}")
}

/// `delete<kind>(id)` is refused with `CONFLICT`, its message naming each of `named`.
async fn refused(app: &TestApp, kind: &str, id: &Value, named: &[&str]) {
    let e = app.error(&delete(kind), json!({ "id": id })).await;
    assert_code(&e, "CONFLICT", None);
    let message = e["message"].as_str().unwrap();
    for name in named {
        assert!(message.contains(name), "delete{kind}: {message:?} does not name {name:?}");
    }
}

async fn deleted(app: &TestApp, kind: &str, id: &Value) {
    let data = app.data(&delete(kind), json!({ "id": id })).await;
    assert_eq!(&data[format!("delete{kind}")], id);
}

async fn every_delete_names_what_refers_to_its_target(app: TestApp) {
    // A company with only an expense, then only a closed GST month, then only a gateway.
    let alone = json!(app.company().name("Expense Co").set("gstin", "27AABCU9603R1ZN").create().await);
    let expense = "mutation($i: CreateExpenseInput!) { createExpense(input: $i) { id } }";
    let e = app.data(expense, json!({"i": {"companyId": alone, "category": "RENT", "amount": "100"}})).await;
    refused(&app, "Company", &alone, &["expenses (1)"]).await;
    deleted(&app, "Expense", &e["createExpense"]["id"]).await;
    let close = "mutation($c: ID!) { closeGstPeriod(companyId: $c, period: \"2026-10\") { period } }";
    app.data(close, json!({"c": alone})).await;
    refused(&app, "Company", &alone, &["closed GST months (1)"]).await;
    let gateway =
        json!({"companyId": alone, "provider": "RAZORPAY", "keyId": "rzp_live_K1", "webhookSecret": "whsec_x-2026"});
    app.data(
        "mutation($i: CreatePaymentGatewayInput!) { createPaymentGateway(input: $i) { id } }",
        json!({"i": gateway}),
    )
    .await;
    refused(&app, "Company", &alone, &["payment gateways (1)"]).await;

    // The usual company: plans, a locality, customers, their invoices and notes.
    let catalogue = app.catalogue("499.00").await;
    let company = json!(catalogue.company);
    let (bb, tv) = (json!(catalogue.broadband), json!(catalogue.cable));
    let locality = json!(app.locality(&catalogue.company).create().await);
    refused(&app, "Company", &company, &["plans (2)", "localities (1)"]).await;

    // Locality and plan: a customer, a connection request, a plan change.
    let anita = app.customer("anita", &catalogue.broadband).set("localityId", &locality).set("startDate", Value::Null);
    // In service today, so a plan change is prorated (and recorded).
    let anita = anita.create().await;
    refused(&app, "Locality", &locality, &["customers (1)"]).await;
    refused(&app, "Plan", &bb, &["customers (1)"]).await;
    let update = "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { notes } }";
    app.data(update, json!({"id": anita["id"], "i": {"localityId": null}})).await;
    deleted(&app, "Locality", &locality).await;
    let request = |locality: &Value, plan: &Value| json!({"fullName": "Sharma", "mobile": "9822099999", "address": "Sitabuldi", "localityId": locality, "planId": plan});
    let other_locality = json!(app.locality(&catalogue.company).name("Sitabuldi").create().await);
    let made = app.data_as(None, CREATE_CONNECTION_REQUEST, json!({"i": request(&other_locality, &tv)})).await;
    assert!(made["createConnectionRequest"]["reference"].is_string());
    refused(&app, "Locality", &other_locality, &["connection requests (1)"]).await;
    refused(&app, "Plan", &tv, &["connection requests (1)"]).await;
    let faster = json!(app.plan(&catalogue.company).name("Home 200").price("799").create().await);
    app.data(update, json!({"id": anita["id"], "i": {"planId": faster}})).await;
    let from = app.error(&delete("Plan"), json!({"id": bb})).await;
    assert_code(&from, "CONFLICT", None);
    assert!(from["message"].as_str().unwrap().contains("plan changes from it (1)"), "{from}");
    refused(&app, "Plan", &faster, &["customers (1)", "plan changes to it (1)"]).await;

    // Customer: a complaint (the reported INTERNAL_SERVER_ERROR), a converted request, a
    // billing run error, an add-on bill, a payment (and its refund), an issued invoice.
    let (kiran, _) = app.customer("kiran", &catalogue.broadband).create_with_invoice().await;
    let complaint = json!({"customerId": kiran, "title": "Down", "description": "since 9", "category": "CONNECTIVITY"});
    let filed = app.data(CREATE_COMPLAINT, json!({"i": complaint})).await["createComplaint"]["id"].clone();
    refused(&app, "Customer", &json!(kiran), &["complaints (1)"]).await;
    deleted(&app, "Complaint", &filed).await;
    deleted(&app, "Customer", &json!(kiran)).await;

    app.data_as(None, CREATE_CONNECTION_REQUEST, json!({"i": request(&Value::Null, &Value::Null)})).await;
    let requests = app.data("{ connectionRequests(status: NEW) { nodes { id } } }", json!({})).await;
    let newest = requests["connectionRequests"]["nodes"].as_array().unwrap().last().unwrap()["id"].clone();
    let convert = "mutation($id: ID!, $i: CreateCustomerInput!) { convertConnectionRequest(id: $id, input: $i) { customer { id } } }";
    let input = app.customer("sharma", &catalogue.broadband).input();
    let converted = app.data(convert, json!({"id": newest, "i": input})).await["convertConnectionRequest"]["customer"]
        ["id"]
        .clone();
    refused(&app, "Customer", &converted, &["connection requests converted into it (1)"]).await;

    let (ravi, invoice) = app.customer("ravi", &catalogue.broadband).create_with_invoice().await;
    app.sql("INSERT INTO billing_runs (as_of, status, started_by, started_at) VALUES ('2026-11-01', 'FINISHED', 'system', '2026-11-01 00:00:00')").unwrap();
    app.sql(
        "INSERT INTO billing_run_errors (run_id, customer_id, message, created_at) \
         SELECT (SELECT MAX(id) FROM billing_runs), id, 'renewal failed', '2026-11-01 00:00:00' FROM customers WHERE username = 'ravi'",
    )
    .unwrap();
    refused(&app, "Customer", &json!(ravi), &["billing run errors (1)"]).await;
    let addon = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) { id } }";
    let pending = app.data(addon, json!({"i": {"customerId": ravi, "addonType": "ROUTER_SALE", "description": "Router", "amount": "100", "billOn": "NEXT_INVOICE"}})).await;
    refused(&app, "Customer", &json!(ravi), &["add-on bills (1)", "billing run errors (1)"]).await;
    deleted(&app, "AddonBill", &pending["createAddonBill"]["id"]).await;
    let paid =
        app.data(CREATE_PAYMENT, json!({"i": {"invoiceId": invoice, "amount": "100", "paymentMethod": "CASH"}})).await;
    refused(&app, "Customer", &json!(ravi), &["payments (1)"]).await;
    // Invoice: a payment recorded against it.
    refused(&app, "Invoice", &json!(invoice), &["payments"]).await;
    let refund = "mutation($i: CreateRefundInput!) { createRefund(input: $i) { id } }";
    app.data(refund, json!({"i": {"paymentId": paid["createPayment"]["id"], "amount": "100", "reason": "duplicate"}}))
        .await;
    refused(&app, "Customer", &json!(ravi), &["payments (1)", "refunds (1)"]).await;

    let (issued, issued_invoice) = app.customer("gupta", &catalogue.broadband).create_with_invoice().await;
    app.data("mutation($id: ID!) { issueInvoice(id: $id) { id } }", json!({"id": issued_invoice})).await;
    refused(&app, "Customer", &json!(issued), &["invoices beyond DRAFT"]).await;
    refused(&app, "Invoice", &json!(issued_invoice), &["cancel it instead"]).await;
    let adjust = "mutation($id: ID!) { adjustInvoice(id: $id, credit: \"100\", reason: \"outage\") { id } }";
    app.data(adjust, json!({"id": issued_invoice})).await;
    refused(&app, "Customer", &json!(issued), &["credit or debit notes (1)"]).await;

    refused(
        &app,
        "Company",
        &company,
        &["customers (4)", "plans (3)", "localities (1)", "invoices", "credit or debit notes (1)"],
    )
    .await;
    // An add-on billed on its own invoice is on that invoice: refused, naming it.
    let billed = json!({"customerId": anita["id"], "addonType": "SHIFTING", "description": "Cable", "amount": "50", "billOn": "OWN_INVOICE"});
    let billed = app.data(addon, json!({"i": billed})).await["createAddonBill"]["id"].clone();
    refused(&app, "AddonBill", &billed, &["on an invoice"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_delete_names_what_refers_to_its_target_sqlite() {
    let key = |c: &mut isp_billing::config::Config| {
        c.secrets_key = Some(isp_billing::secrets::SecretsKey::parse(KEY).unwrap())
    };
    every_delete_names_what_refers_to_its_target(TestApp::spawn_with(Kind::Sqlite, key).await.expect("sqlite app"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn every_delete_names_what_refers_to_its_target_postgres() {
    let key = |c: &mut isp_billing::config::Config| {
        c.secrets_key = Some(isp_billing::secrets::SecretsKey::parse(KEY).unwrap())
    };
    if let Some(app) = TestApp::spawn_with(Kind::Postgres, key).await {
        every_delete_names_what_refers_to_its_target(app).await;
    }
}

/// Every foreign key PostgreSQL holds to a row a delete mutation removes is in that delete's
/// list (`isp_billing::referrers`), or is one the delete takes care of itself.
#[tokio::test]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn the_lists_hold_every_foreign_key() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    use isp_billing::referrers::{OF_COMPANY, OF_CUSTOMER, OF_INVOICE, OF_LOCALITY, OF_PLAN};

    #[derive(diesel::QueryableByName)]
    struct Key {
        #[diesel(sql_type = diesel::sql_types::Text)]
        target: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        referrer: String,
    }
    let Some(app) = TestApp::spawn(Kind::Postgres).await else { return };
    let url = app.database_url().to_owned();
    let keys: Vec<Key> = tokio::task::spawn_blocking(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        diesel::sql_query(
            "SELECT c.confrelid::regclass::text AS target, c.conrelid::regclass::text || '.' || a.attname AS referrer \
             FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f'",
        )
        .load(&mut conn)
        .unwrap()
    })
    .await
    .unwrap();
    // Gone with a deleted customer (its drafts and their plan changes), or released by a
    // deleted draft invoice (add-ons and plan changes wait for the next invoice).
    let handled = [
        "invoices.customer_id",
        "plan_changes.customer_id",
        "addon_bills.invoice_id",
        "plan_changes.invoice_id",
        "plan_changes.carried_from_invoice_id",
    ];
    let lists = [
        ("companies", OF_COMPANY),
        ("localities", OF_LOCALITY),
        ("plans", OF_PLAN),
        ("customers", OF_CUSTOMER),
        ("invoices", OF_INVOICE),
    ];
    let mut checked = 0;
    for key in &keys {
        let Some((_, list)) = lists.iter().find(|(t, _)| *t == key.target) else { continue };
        checked += 1;
        let listed = list.iter().any(|r| format!("{}.{}", r.table, r.column) == key.referrer);
        assert!(
            listed || handled.contains(&key.referrer.as_str()),
            "{} refers to {} but is in no list",
            key.referrer,
            key.target
        );
    }
    assert!(checked >= 30, "only {checked} foreign keys found");
}
