//! The audit log records what an update changed, field by field from → to, and never a secret
//! (issue #31 item 7): every update mutation the log records.

use serde_json::{json, Value};

use crate::documents::{CREATE_COMPLAINT, CREATE_CONNECTION_REQUEST, SET_INVOICE_STATUS};
use crate::fixtures::Role;
use crate::helpers::{Kind, TestApp};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// The details of the newest `operation` entry on `target`.
async fn details(app: &TestApp, operation: &str, target: &Value) -> String {
    let q = "query($f: AuditFilterInput) { auditLog(filter: $f, last: 1) { nodes { details } } }";
    let log = app.data(q, json!({"f": {"operation": operation, "targetId": target}})).await;
    log["auditLog"]["nodes"][0]["details"].as_str().unwrap_or_else(|| panic!("no {operation} entry: {log}")).to_owned()
}

async fn update(app: &TestApp, mutation: &str, id: &Value, input: Value) {
    let q = format!(
        "mutation($id: ID!, $i: {}Input!) {{ {mutation}(id: $id, input: $i) {{ __typename }} }}",
        upper(mutation)
    );
    app.data(&q, json!({"id": id, "i": input})).await;
}

fn upper(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

async fn every_update_records_each_change(app: TestApp) {
    let catalogue = app.catalogue("499.00").await;
    let (company, bb) = (json!(catalogue.company), json!(catalogue.broadband));
    let faster = json!(app.plan(&catalogue.company).name("Home 200").price("799").create().await);

    // updateCustomer: each field from → to; the identity number noted, never written.
    let c =
        app.customer("ravi", &catalogue.broadband).set("idProofType", "AADHAR_CARD").set("idProofNo", "2345 6789 0124");
    let customer = c.set("startDate", Value::Null).create().await["id"].clone();
    let input = json!({"fullName": "Ravi Kumar", "mobile": "+91 98450 11111", "email": "ravi@example.in",
                       "idProofNo": "9876 5432 1096", "planId": faster, "houseNumber": "12A"});
    update(&app, "updateCustomer", &customer, input).await;
    let d = details(&app, "updateCustomer", &customer).await;
    for part in [
        "fullName: \"Customer ravi\" -> \"Ravi Kumar\"",
        "mobile: \"9822012345\" -> \"9845011111\"",
        "email: null -> \"ravi@example.in\"",
        "idProofNo: changed (not recorded)",
        &format!("planId: {} -> {}", bb.as_str().unwrap(), faster.as_str().unwrap()),
        "houseNumber: null -> \"12A\"",
    ] {
        assert!(d.contains(part), "{part:?} not in {d:?}");
    }
    assert!(!d.contains("city") && !d.contains("status"), "only what changed: {d}");
    update(&app, "updateCustomer", &customer, json!({"city": "Nagpur"})).await;
    assert_eq!(details(&app, "updateCustomer", &customer).await, "no change");

    // updateEmployee.
    let staff = json!(app.employee("kiran", Role::Collector).create().await);
    update(&app, "updateEmployee", &staff, json!({"role": "SUPPORT", "mobile": "0712-2345678"})).await;
    assert_eq!(
        details(&app, "updateEmployee", &staff).await,
        "mobile: null -> \"07122345678\"; role: COLLECTOR -> SUPPORT"
    );

    // updateCompany, updateLocality, updatePlan, updateExpense.
    update(&app, "updateCompany", &company, json!({"upiVpa": "vf@okaxis", "graceDays": 10})).await;
    let d = details(&app, "updateCompany", &company).await;
    assert!(d.contains("upiVpa: null -> \"vf@okaxis\"") && d.contains("graceDays: ") && d.contains(" -> 10"), "{d}");
    let locality = json!(app.locality(&catalogue.company).create().await);
    update(&app, "updateLocality", &locality, json!({"name": "Dharampeth East"})).await;
    assert_eq!(details(&app, "updateLocality", &locality).await, "name: \"Dharampeth\" -> \"Dharampeth East\"");
    update(&app, "updatePlan", &bb, json!({"price": "549", "isActive": false})).await;
    assert_eq!(details(&app, "updatePlan", &bb).await, "price: 499.00 -> 549.00; isActive: true -> false");
    let expense = "mutation($i: CreateExpenseInput!) { createExpense(input: $i) { id } }";
    let expense = app
        .data(expense, json!({"i": {"companyId": company, "category": "RENT", "amount": "100", "date": "2026-11-01"}}))
        .await;
    let expense = expense["createExpense"]["id"].clone();
    update(&app, "updateExpense", &expense, json!({"amount": "150.50", "notes": "November"})).await;
    assert_eq!(details(&app, "updateExpense", &expense).await, "amount: 100.00 -> 150.50; notes: null -> \"November\"");

    // updatePaymentGateway: the secret's change noted, neither value written.
    let gateway = json!({"companyId": company, "provider": "RAZORPAY", "keyId": "rzp_live_K1", "webhookSecret": "whsec_first-2026"});
    let gateway = app
        .data(
            "mutation($i: CreatePaymentGatewayInput!) { createPaymentGateway(input: $i) { id } }",
            json!({"i": gateway}),
        )
        .await;
    let gateway = gateway["createPaymentGateway"]["id"].clone();
    update(&app, "updatePaymentGateway", &gateway, json!({"webhookSecret": "whsec_second-2026", "isActive": false}))
        .await;
    assert_eq!(
        details(&app, "updatePaymentGateway", &gateway).await,
        "webhookSecret: changed (not recorded); isActive: true -> false"
    );

    // updateComplaint.
    let complaint =
        json!({"customerId": customer, "title": "Down", "description": "since 9", "category": "CONNECTIVITY"});
    let complaint = app.data(CREATE_COMPLAINT, json!({"i": complaint})).await["createComplaint"].clone();
    update(&app, "updateComplaint", &complaint["id"], json!({"priority": "HIGH", "assignedEmployeeId": staff})).await;
    let d = details(&app, "updateComplaint", &complaint["id"]).await;
    let expected = format!(
        "{}: priority: MEDIUM -> HIGH; assignedEmployeeId: null -> {}",
        complaint["complaintId"].as_str().unwrap(),
        staff.as_str().unwrap()
    );
    assert_eq!(d, expected);

    // The status-only updates say from → to.
    let invoice = app.invoice(json!({"customerId": customer, "billAmount": "100"})).await["id"].clone();
    app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "CANCELLED"})).await;
    assert_eq!(details(&app, "updateInvoiceStatus", &invoice).await, "DRAFT -> CANCELLED");
    let request = json!({"fullName": "Sharma", "mobile": "9822099999", "address": "Sitabuldi"});
    app.data_as(None, CREATE_CONNECTION_REQUEST, json!({"i": request})).await;
    let requests = app.data("{ connectionRequests { nodes { id } } }", json!({})).await;
    let request = requests["connectionRequests"]["nodes"][0]["id"].clone();
    app.data(
        "mutation($id: ID!) { updateConnectionRequest(id: $id, status: CONTACTED) { status } }",
        json!({"id": request}),
    )
    .await;
    assert_eq!(details(&app, "updateConnectionRequest", &request).await, "NEW -> CONTACTED");

    // No secret anywhere in the log.
    let log = app.data("{ auditLog(last: 100) { nodes { details } } }", json!({})).await.to_string();
    for secret in ["2345 6789 0124", "9876 5432 1096", "whsec_first", "whsec_second", "v1.", "argon2"] {
        assert!(!log.contains(secret), "{secret} in the audit log: {log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_update_records_each_change_sqlite() {
    let key = |c: &mut isp_billing::config::Config| {
        c.secrets_key = Some(isp_billing::secrets::SecretsKey::parse(KEY).unwrap())
    };
    every_update_records_each_change(TestApp::spawn_with(Kind::Sqlite, key).await.expect("sqlite app")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn every_update_records_each_change_postgres() {
    let key = |c: &mut isp_billing::config::Config| {
        c.secrets_key = Some(isp_billing::secrets::SecretsKey::parse(KEY).unwrap())
    };
    if let Some(app) = TestApp::spawn_with(Kind::Postgres, key).await {
        every_update_records_each_change(app).await;
    }
}
