//! #31 item 9: a misspelt input field or query parameter is named in `extensions.field`, with
//! the closest known name suggested, over GraphQL (literals and variables, nested inputs) and
//! on the CSV and document downloads.

use serde_json::{json, Value};

use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

const PAY: &str = "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { paymentId } }";

/// The JSON error of a GET of `path` as the admin, asserting its status is 400.
async fn bad_download(app: &TestApp, path: &str) -> Value {
    let response = app.client.get(app.url(path)).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(response.status(), 400, "{path}");
    response.json::<Value>().await.unwrap()["errors"][0].clone()
}

fn assert_suggests(error: &Value, field: &str, meant: &str) {
    assert_code(error, "BAD_USER_INPUT", Some(field));
    let message = error["message"].as_str().unwrap();
    assert!(message.contains(&format!("Did you mean \"{meant}\"?")), "{error:#}");
}

on_both_databases! {
    async fn misspelt_input_fields_are_named(app: TestApp) {
        let (customer, invoice) = app.customer_with_invoice("ravi").await;

        // In a variable.
        let input = json!({"customerID": customer, "invoiceId": invoice, "amount": "100", "paymentMethod": "CASH"});
        let error = app.error(PAY, json!({"i": input})).await;
        assert_suggests(&error, "customerID", "customerId");

        // In a literal, and another slip than case.
        let query = format!(
            r#"mutation {{ createPayment(input: {{invoiceId: "{invoice}", amount: "100", paymentMethod: CASH, remraks: "x"}}) {{ paymentId }} }}"#
        );
        assert_suggests(&app.error(&query, json!({})).await, "remraks", "remarks");

        // In a filter (an argument other than `input` keeps its name in the path).
        let error = app.error("{ customers(filter: {serviceTyp: BROADBAND}) { totalCount } }", json!({})).await;
        assert_suggests(&error, "filter.serviceTyp", "serviceType");

        // Nothing close: named, nothing suggested.
        let input = json!({"invoiceId": invoice, "amount": "100", "paymentMethod": "CASH", "colour": "blue"});
        let error = app.error(PAY, json!({"i": input})).await;
        assert_code(&error, "BAD_USER_INPUT", Some("colour"));
        assert!(!error["message"].as_str().unwrap().contains("Did you mean"), "{error:#}");

        // Nothing was recorded.
        let payments = app.data("{ payments { totalCount } }", json!({})).await;
        assert_eq!(payments["payments"]["totalCount"], 0);
    }

    async fn misspelt_query_parameters_are_named(app: TestApp) {
        let (_, invoice) = app.customer_with_invoice("ravi").await;

        let error = bad_download(&app, "/reports/collections.csv?frm=2026-04-01").await;
        assert_suggests(&error, "frm", "from");
        let error = bad_download(&app, "/reports/dues.csv?asof=2026-04-01").await;
        assert_suggests(&error, "asof", "asOf");
        let error = bad_download(&app, "/reports/gstr1.json?companyID=x&period=2026-04").await;
        assert_suggests(&error, "companyID", "companyId");
        let error = bad_download(&app, &format!("/invoices/{invoice}.pdf?expire=1")).await;
        assert_suggests(&error, "expire", "expires");
        // A bad value is named too.
        let error = bad_download(&app, "/reports/dues.csv?asOf=yesterday").await;
        assert_code(&error, "BAD_USER_INPUT", Some("asOf"));

        // Spelt right, they work.
        let ok = app.client.get(app.url("/reports/dues.csv?asOf=2026-04-01")).bearer_auth(&app.token).send().await.unwrap();
        assert_eq!(ok.status(), 200);
    }
}
