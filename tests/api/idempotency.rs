//! Idempotency keys on money mutations: a retry with the same key and input returns the first
//! result and does nothing again, also from many clients at once; other input is CONFLICT;
//! keys belong to their caller.

use serde_json::{json, Value};

use crate::documents::{CREATE_INVOICE, CREATE_PAYMENT, CREATE_REFUND};
use crate::fixtures::Role;
use crate::helpers::{assert_code, check_invariants, paise, TestApp};

const ADD_ON: &str = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) { id amount } }";
const ADJUST: &str = "mutation($id: ID!, $k: String) { adjustInvoice(id: $id, credit: \"10.00\", reason: \"outage\", idempotencyKey: $k) {
    id balanceAmount } }";

/// POSTs `query` as the admin with an `Idempotency-Key` header.
async fn with_header(app: &TestApp, key: &str, query: &str, variables: Value) -> Value {
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&app.token)
        .header("idempotency-key", key)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

crate::on_both_databases! {
    async fn a_payment_retried_with_its_key_is_recorded_once(app: TestApp) {
        let (c, invoice) = app.customer_with_invoice("kiran").await;
        let input = json!({"customerId": c, "amount": "500.00", "paymentMethod": "CASH", "idempotencyKey": "field-app-7f3a"});
        let first = app.pay(input.clone()).await;
        for _ in 0..3 {
            assert_eq!(app.pay(input.clone()).await["paymentId"], first["paymentId"]);
        }
        // The same key with other input is refused, and changes nothing.
        let mut other = input.clone();
        other["amount"] = json!("600.00");
        let refused = app.error(CREATE_PAYMENT, json!({ "i": other })).await;
        assert_code(&refused, "CONFLICT", None);
        // The header works as the argument does; both given must agree.
        let by_header = json!({"customerId": c, "amount": "100.00", "paymentMethod": "CASH"});
        let a = with_header(&app, "hdr-1", CREATE_PAYMENT, json!({ "i": by_header })).await;
        let b = with_header(&app, "hdr-1", CREATE_PAYMENT, json!({ "i": by_header })).await;
        assert_eq!(a["data"]["createPayment"]["paymentId"], b["data"]["createPayment"]["paymentId"], "{a} {b}");
        let mut both = by_header.clone();
        both["idempotencyKey"] = json!("other");
        let clash = with_header(&app, "hdr-1", CREATE_PAYMENT, json!({ "i": both })).await;
        assert_code(&clash["errors"][0], "BAD_USER_INPUT", Some("idempotencyKey"));

        // Eight clients retrying one key at the same instant: one payment.
        let racing = json!({"invoiceId": invoice, "amount": "250.00", "paymentMethod": "UPI", "idempotencyKey": "race-1"});
        let answers = futures_util::future::join_all((0..8).map(|_| app.gql_as(Some(&app.token), CREATE_PAYMENT, json!({ "i": racing })))).await;
        let ids: Vec<&Value> = answers.iter().map(|a| &a["data"]["createPayment"]["paymentId"]).collect();
        assert!(ids.iter().all(|id| id.is_string() && *id == ids[0]), "{answers:#?}");

        // A key is its caller's own: a collector using the same text makes their own payment.
        let collector = app.staff("meena", Role::Collector).await;
        let theirs = app.data_as(Some(&collector), CREATE_PAYMENT, json!({ "i": input })).await;
        assert_ne!(theirs["createPayment"]["paymentId"], first["paymentId"]);

        let account = check_invariants(&app, &c).await;
        let payments = account["payments"].as_array().unwrap();
        assert_eq!(payments.len(), 4, "{payments:#?}");
        let total: i64 = payments.iter().map(|p| paise(&p["amount"])).sum();
        assert_eq!(total, 50_000 + 10_000 + 25_000 + 50_000, "to the paisa");
    }

    async fn invoices_refunds_add_ons_and_adjustments_retried_with_a_key_happen_once(app: TestApp) {
        let (c, _) = app.customer_with_invoice("lata").await;
        let invoice = json!({"customerId": c, "billAmount": "300.00", "idempotencyKey": "inv-1"});
        let first = app.invoice(invoice.clone()).await;
        assert_eq!(app.invoice(invoice.clone()).await["invoiceNumber"], first["invoiceNumber"]);
        let raised = app.data(CREATE_INVOICE, json!({"i": invoice})).await;
        assert_eq!(raised["createInvoice"]["id"], first["id"]);

        let id = first["id"].as_str().unwrap();
        let adjusted = app.data(ADJUST, json!({"id": id, "k": "adj-1"})).await["adjustInvoice"].clone();
        let again = app.data(ADJUST, json!({"id": id, "k": "adj-1"})).await["adjustInvoice"].clone();
        assert_eq!(adjusted["balanceAmount"], again["balanceAmount"], "credited once");
        assert_eq!(paise(&adjusted["balanceAmount"]) + 1_000, paise(&first["balanceAmount"]));

        let add_on = json!({"customerId": c, "addonType": "ROUTER_SALE", "description": "TP-Link router", "amount": "1200.00",
                            "billOn": "NEXT_INVOICE", "idempotencyKey": "addon-1"});
        let a = app.data(ADD_ON, json!({"i": add_on})).await["createAddonBill"]["id"].clone();
        let b = app.data(ADD_ON, json!({"i": add_on})).await["createAddonBill"]["id"].clone();
        assert_eq!(a, b);

        let payment = app.pay(json!({"customerId": c, "amount": "2000.00", "paymentMethod": "CASH"})).await;
        let refund = json!({"paymentId": payment["id"], "amount": "50.00", "reason": "double charge", "idempotencyKey": "ref-1"});
        let r1 = app.data(CREATE_REFUND, json!({"i": refund})).await["createRefund"].clone();
        let r2 = app.data(CREATE_REFUND, json!({"i": refund})).await["createRefund"].clone();
        assert_eq!(r1["refundId"], r2["refundId"]);
        assert_eq!(paise(&r2["payment"]["refundedAmount"]), 5_000, "refunded once");

        // The same again from six clients at once, each mutation with a fresh key: one effect.
        let together = |query: &'static str, variables: Value| {
            let app = &app;
            futures_util::future::join_all((0..6).map(move |_| app.gql_as(Some(&app.token), query, variables.clone())))
        };
        let same = |answers: &[Value], pick: &dyn Fn(&Value) -> Value| {
            let first = pick(&answers[0]);
            assert!(!first.is_null() && answers.iter().all(|a| pick(a) == first), "{answers:#?}");
        };
        let invoice = json!({"customerId": c, "billAmount": "100.00", "idempotencyKey": "inv-2"});
        same(&together(CREATE_INVOICE, json!({"i": invoice})).await, &|a| a["data"]["createInvoice"]["id"].clone());
        let balance = "query($id: ID!) { node(id: $id) { ... on Invoice { balanceAmount } } }";
        let before = paise(&app.data(balance, json!({"id": id})).await["node"]["balanceAmount"]);
        let answers = together(ADJUST, json!({"id": id, "k": "adj-2"})).await;
        same(&answers, &|a| a["data"]["adjustInvoice"]["balanceAmount"].clone());
        assert_eq!(paise(&answers[0]["data"]["adjustInvoice"]["balanceAmount"]), before - 1_000, "credited once");
        let mut add_on = add_on.clone();
        add_on["idempotencyKey"] = json!("addon-2");
        same(&together(ADD_ON, json!({"i": add_on})).await, &|a| a["data"]["createAddonBill"]["id"].clone());
        let mut refund = refund.clone();
        refund["idempotencyKey"] = json!("ref-2");
        let answers = together(CREATE_REFUND, json!({"i": refund})).await;
        same(&answers, &|a| a["data"]["createRefund"]["refundId"].clone());
        let refunded = app.data("query($id: ID!) { node(id: $id) { ... on Payment { refundedAmount } } }", json!({"id": payment["id"]})).await;
        assert_eq!(paise(&refunded["node"]["refundedAmount"]), 10_000, "two refunds of ₹50, each once");

        let account = check_invariants(&app, &c).await;
        assert_eq!(account["invoices"].as_array().unwrap().len(), 3, "the opening invoice and two more");
        let add_ons = "query($id: ID!) { node(id: $id) { ... on Customer { addonBills { id } } } }";
        let listed = app.data(add_ons, json!({"id": c})).await;
        assert_eq!(listed["node"]["addonBills"].as_array().map(Vec::len), Some(2), "{listed}");
    }
}
