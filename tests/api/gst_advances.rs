//! Advances for services (issue #30 item 8): money paid before it is invoiced gets a receipt
//! voucher with the tax in it (Rule 50); GSTR-1 reports it in table 11A (`at`) until it is
//! invoiced, an advance received and invoiced in the same month in neither; refunds and
//! invoices adjust the vouchers, oldest first.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::on_both_databases;

const VOUCHERS: &str = "query($id: ID!) { node(id: $id) { ... on Customer { receiptVouchers {
    id voucherNumber voucherDate amount taxableValue cgstTax sgstTax igstTax adjustedAmount htmlUrl
    payment { paymentId } } } } }";
const ISSUE: &str = "mutation($id: ID!) { issueInvoice(id: $id) { id invoiceNumber } }";
const REFUND: &str = "mutation($i: CreateRefundInput!) { createRefund(input: $i) { id } }";
const GSTR1: &str = "query($c: ID!, $p: String!) { gstr1(companyId: $c, period: $p) }";

fn this_month() -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(330)).format("%Y-%m").to_string()
}

async fn vouchers(app: &TestApp, customer: &str) -> Vec<Value> {
    app.data(VOUCHERS, json!({"id": customer})).await["node"]["receiptVouchers"].as_array().unwrap().clone()
}

async fn gstr1(app: &TestApp, company: &str) -> Value {
    app.data(GSTR1, json!({"c": company, "p": this_month()})).await["gstr1"].clone()
}

on_both_databases! {
    async fn money_paid_before_the_invoice_gets_a_receipt_voucher_until_it_is_invoiced(app: TestApp) {
        let company = app.company().create().await;
        let plan = app.plan(&company).price("1000").create().await;
        let (customer, proforma) = app.customer("advani", &plan).set("fullName", "Advani Stores")
            .set("periodMonths", 1).create_with_invoice().await;

        // Paid on the proforma (not a tax invoice): an advance, ₹1,180 = 1,000 + 90 + 90.
        let paid = app.pay(json!({"invoiceId": proforma, "amount": "1180", "paymentMethod": "CASH"})).await;
        let list = vouchers(&app, &customer).await;
        assert_eq!(list.len(), 1, "{list:?}");
        let v = &list[0];
        let number = v["voucherNumber"].as_str().unwrap().to_owned();
        let serial = |n: &str| n.rsplit('/').next().unwrap().parse::<u32>().unwrap();
        assert!(number.starts_with("RV/") && serial(&number) == 1 && number.len() <= 16, "{number}");
        assert_eq!((v["amount"].as_str(), v["taxableValue"].as_str()), (Some("1180.00"), Some("1000.00")));
        assert_eq!((v["cgstTax"].as_str(), v["sgstTax"].as_str(), v["igstTax"].as_str()), (Some("90.00"), Some("90.00"), Some("0.00")));
        assert_eq!(v["adjustedAmount"], "0.00");
        assert_eq!(v["payment"]["paymentId"], paid["paymentId"]);

        // It prints as a receipt voucher (Rule 50's particulars).
        let page = app.client.get(app.url(v["htmlUrl"].as_str().unwrap())).bearer_auth(&app.token).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let page = page.text().await.unwrap();
        for expected in ["Receipt Voucher", number.as_str(), "Advani Stores", "Advance for", "CGST @ 9%", "₹1,180.00", "Rule 50"] {
            assert!(page.contains(expected), "the voucher lacks {expected:?}:\n{page}");
        }

        // In GSTR-1 11A while not invoiced, and in the documents issued (type 6).
        let ret = gstr1(&app, &company).await;
        assert_eq!(ret["at"], json!([{"pos": "27", "sply_ty": "INTRA",
            "itms": [{"rt": 18.0, "ad_amt": 1000.0, "camt": 90.0, "samt": 90.0, "csamt": 0.0}]}]), "{ret}");
        let path = format!("/reports/gstr1/at.csv?companyId={company}&period={}", this_month());
        let csv = app.client.get(app.url(&path)).bearer_auth(&app.token).send().await.unwrap().text().await.unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("Place Of Supply,Applicable % of Tax Rate,Rate,Gross Advance Received,Cess Amount"));
        let row = lines.next().unwrap_or_default();
        assert!(row.starts_with("27-Maharashtra,,") && row.ends_with(",1000.00,0.00"), "{csv}");
        let docs = ret["doc_issue"]["doc_det"].as_array().unwrap();
        let six = docs.iter().find(|d| d["doc_num"] == 6).expect("receipt vouchers in doc_issue");
        assert_eq!((six["docs"][0]["from"].as_str(), six["docs"][0]["totnum"].as_u64()), (Some(number.as_str()), Some(1)));

        // Issued: the advance is invoiced, the voucher adjusted; received and invoiced in one
        // month, it is in neither 11A nor 11B.
        app.data(ISSUE, json!({"id": proforma})).await;
        let v = &vouchers(&app, &customer).await[0];
        assert_eq!(v["adjustedAmount"], "1180.00");
        let ret = gstr1(&app, &company).await;
        assert!(ret.get("at").is_none() && ret.get("txpd").is_none(), "{ret}");

        // Paid ahead (nothing owed): a second voucher; part of it refunded is adjusted off it.
        let ahead = app.pay(json!({"customerId": customer, "amount": "590", "paymentMethod": "UPI",
                                   "paymentReference": "412345678901"})).await;
        let list = vouchers(&app, &customer).await;
        assert_eq!(list.len(), 2);
        assert_eq!((list[1]["amount"].as_str(), list[1]["taxableValue"].as_str()), (Some("590.00"), Some("500.00")));
        assert_eq!(serial(list[1]["voucherNumber"].as_str().unwrap()), 2);
        app.data(REFUND, json!({"i": {"paymentId": ahead["id"], "amount": "100", "reason": "asked back"}})).await;
        let list = vouchers(&app, &customer).await;
        assert_eq!(list[1]["adjustedAmount"], "100.00");
        let ret = gstr1(&app, &company).await;
        let item = &ret["at"][0]["itms"][0];
        let held = item["ad_amt"].as_f64().unwrap() + item["camt"].as_f64().unwrap() + item["samt"].as_f64().unwrap();
        assert!((held - 490.0).abs() < 0.005, "₹490 of advance is still held: {ret}");

        // The next invoice takes the advance: the voucher is adjusted whole.
        let next = app.invoice(json!({"customerId": customer, "billAmount": "1000", "issue": true})).await;
        assert!(next["id"].is_string());
        let list = vouchers(&app, &customer).await;
        assert_eq!(list[1]["adjustedAmount"], "590.00");
        assert!(gstr1(&app, &company).await.get("at").is_none());
    }

    async fn only_the_part_of_a_payment_on_no_issued_invoice_gets_a_voucher(app: TestApp) {
        let company = app.company().create().await;
        let plan = app.plan(&company).price("1000").create().await;
        let (customer, bill) = app.customer("parekh", &plan).set("periodMonths", 1).create_with_invoice().await;
        app.data(ISSUE, json!({"id": bill})).await;
        // Half of the ₹1,180 tax invoice: all of it on an issued invoice, no advance.
        app.pay(json!({"customerId": customer, "amount": "590", "paymentMethod": "CASH"})).await;
        assert!(vouchers(&app, &customer).await.is_empty());
        // ₹1,180 more: ₹590 clears the invoice, the other ₹590 is advance, vouchered alone.
        let split = app.pay(json!({"customerId": customer, "amount": "1180", "paymentMethod": "CASH"})).await;
        let list = vouchers(&app, &customer).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!((list[0]["amount"].as_str(), list[0]["taxableValue"].as_str()), (Some("590.00"), Some("500.00")));
        assert_eq!(list[0]["payment"]["paymentId"], split["paymentId"]);
        // The next tax invoice takes the advance; the rest of it paid on it leaves the voucher
        // as the invoice left it.
        let next = app.invoice(json!({"customerId": customer, "billAmount": "1000", "issue": true})).await;
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { balanceAmount } } }";
        assert_eq!(app.data(q, json!({"id": next["id"]})).await["node"]["balanceAmount"], "590.00");
        app.pay(json!({"invoiceId": next["id"], "amount": "590", "paymentMethod": "CASH"})).await;
        let list = vouchers(&app, &customer).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["adjustedAmount"], "590.00");
    }

    async fn a_company_without_a_gstin_issues_no_receipt_vouchers(app: TestApp) {
        let company = app.company().name("Plain Cable").set("gstin", Value::Null).create().await;
        let plan = app.plan(&company).price("300").create().await;
        let (customer, _) = app.customer("plain", &plan).set("periodMonths", 1).create_with_invoice().await;
        app.pay(json!({"customerId": customer, "amount": "1000", "paymentMethod": "CASH"})).await;
        assert!(vouchers(&app, &customer).await.is_empty());
    }
}
