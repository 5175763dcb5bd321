//! Goods sold with the service (issue #30 item 6): routers, set-top boxes and cable carry an
//! HSN code, a quantity and a unit (UQC) on the add-on, on the invoice as printed, in the
//! GSTR-1 HSN summary (JSON and the offline tool's CSV) and in the e-invoice.

use serde_json::{json, Value};

use crate::fixtures::COMPANY_GSTIN;
use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

const CUSTOMER_GSTIN: &str = "27AABCU9603R1ZN";
const ADD: &str = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) {
    id addonType hsn quantity uqc amount status } }";
const ISSUE: &str = "mutation($id: ID!) { issueInvoice(id: $id) { id invoiceNumber totalAmount } }";
const URLS: &str = "query($id: ID!) { node(id: $id) { ... on Invoice { htmlUrl einvoiceUrl } } }";
const ADJUST: &str =
    "mutation($id: ID!, $c: Money!) { adjustInvoice(id: $id, credit: $c, reason: \"router returned\") {
    creditNotes { id creditNoteNumber } } }";

/// This month (India time) as `YYYY-MM`.
fn this_month() -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(330)).format("%Y-%m").to_string()
}

async fn get(app: &TestApp, path: &str) -> String {
    let response = app.client.get(app.url(path)).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.text().await.unwrap()
}

/// The rows of `list` with code `code`.
fn rows<'a>(list: &'a Value, code: &str) -> Vec<&'a Value> {
    list.as_array().unwrap().iter().filter(|r| r["hsn_sc"] == code).collect()
}

on_both_databases! {
    async fn goods_carry_hsn_quantity_and_unit_from_the_addon_to_the_return(app: TestApp) {
        let company = app.company().set("einvoicing", true).create().await;
        let plan = app.plan(&company).price("1000").create().await;
        let (customer, _) = app.customer("sharma", &plan).set("fullName", "Sharma Traders")
            .set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1).create_with_invoice().await;

        // Two routers (the kind's code and unit), 30 m of cable, a set-top box under an
        // 8-digit code given by the operator, and a reconnection (a service).
        let add = |kind: &str, description: &str, amount: &str, extra: Value| {
            let mut input = json!({"customerId": customer, "addonType": kind, "description": description,
                                   "amount": amount, "billOn": "NEXT_INVOICE"});
            input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            input
        };
        let routers = app.data(ADD, json!({"i": add("ROUTER_SALE", "TP-Link router", "3000", json!({"quantity": 2}))})).await;
        assert_eq!(routers["createAddonBill"]["hsn"], "8517");
        assert_eq!((routers["createAddonBill"]["quantity"].as_i64(), routers["createAddonBill"]["uqc"].as_str()), (Some(2), Some("NOS")));
        let cable = app.data(ADD, json!({"i": add("CABLE_SALE", "Drop cable", "300", json!({"quantity": 30}))})).await;
        assert_eq!((cable["createAddonBill"]["hsn"].as_str(), cable["createAddonBill"]["uqc"].as_str()), (Some("8544"), Some("MTR")));
        let stb = app.data(ADD, json!({"i": add("SET_TOP_BOX_SALE", "HD set-top box", "1200", json!({"hsn": "85287100"}))})).await;
        assert_eq!(stb["createAddonBill"]["hsn"], "85287100");
        let service = app.data(ADD, json!({"i": add("RECONNECTION", "Reconnection", "100", json!({}))})).await;
        assert_eq!(service["createAddonBill"]["hsn"], Value::Null);
        assert_eq!((service["createAddonBill"]["quantity"].as_i64(), service["createAddonBill"]["uqc"].as_str()), (Some(1), None));

        // Refused on the field, with the rule; nothing is added.
        for (kind, extra, field, says) in [
            ("RECONNECTION", json!({"hsn": "8517"}), "hsn", "SAC 9984"),
            ("INSTALLATION", json!({"quantity": 3}), "quantity", "SAC 9984"),
            ("SHIFTING", json!({"uqc": "NOS"}), "uqc", "SAC 9984"),
            ("OTHER", json!({"quantity": 3}), "quantity", "give an hsn"),
            ("ROUTER_SALE", json!({"hsn": "9984"}), "hsn", "services code"),
            ("ROUTER_SALE", json!({"hsn": "85176"}), "hsn", "4, 6 or 8 digits"),
            ("CABLE_SALE", json!({"quantity": 0}), "quantity", "from 1"),
        ] {
            let refused = app.error(ADD, json!({"i": add(kind, "x", "10", extra)})).await;
            assert_code(&refused, "BAD_USER_INPUT", Some(field));
            assert!(refused["message"].as_str().unwrap().contains(says), "{refused}");
        }
        let pending = "query($c: ID!) { addonBills(filter: {customerId: $c}) { totalCount } }";
        assert_eq!(app.data(pending, json!({"c": customer})).await["addonBills"]["totalCount"], 4);

        // The next invoice carries them: 1000 + 3000 + 300 + 1200 + 100 = 5600 taxable.
        let draft = app.invoice(json!({"customerId": customer, "billAmount": "1000"})).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        let issued = app.data(ISSUE, json!({"id": id})).await["issueInvoice"].clone();
        assert_eq!(issued["totalAmount"], "6608.00");
        let urls = app.data(URLS, json!({"id": id})).await["node"].clone();
        let html = get(&app, urls["htmlUrl"].as_str().unwrap()).await;
        for expected in [
            "<th>HSN/SAC</th>",
            "TP-Link router (Equipment sale), qty 2 NOS",
            "Drop cable (Cable sale), qty 30 MTR",
            "HD set-top box (Set-top box sale), qty 1 NOS",
            "<td>8517</td>",
            "<td>8544</td>",
            "<td>85287100</td>",
            "<td>9984</td>",
        ] {
            assert!(html.contains(expected), "the invoice lacks {expected:?}:\n{html}");
        }
        assert!(!html.contains("Reconnection (Reconnection), qty"), "a service has no quantity");

        // A router returned: a credit note on this mixed invoice is under the service's SAC
        // (the value, not the quantity, changes).
        app.data(ADJUST, json!({"id": id, "c": "118"})).await;

        // GSTR-1: one HSN row per code and unit, quantities summed, amounts shared to the paisa.
        let month = this_month();
        let q = "query($c: ID!, $p: String!) { gstr1(companyId: $c, period: $p) }";
        let ret: Value = app.data(q, json!({"c": company, "p": month})).await["gstr1"].clone();
        let b2b = &ret["hsn"]["hsn_b2b"];
        let row = |code: &str| {
            let found = rows(b2b, code);
            assert_eq!(found.len(), 1, "{code}: {b2b}");
            found[0].clone()
        };
        let r = row("8517");
        assert_eq!((r["uqc"].as_str(), r["qty"].as_i64(), r["txval"].as_f64(), r["camt"].as_f64()), (Some("NOS"), Some(2), Some(3000.0), Some(270.0)));
        assert_eq!(r["desc"], "Routers and ONTs");
        let r = row("8544");
        assert_eq!((r["uqc"].as_str(), r["qty"].as_i64(), r["txval"].as_f64()), (Some("MTR"), Some(30), Some(300.0)));
        let r = row("85287100");
        assert_eq!((r["uqc"].as_str(), r["qty"].as_i64(), r["txval"].as_f64()), (Some("NOS"), Some(1), Some(1200.0)));
        // The service: the plan and the reconnection, less the credit note (100); the opening
        // invoice is a proforma, in no return.
        let r = row("9984");
        assert_eq!((r["uqc"].as_str(), r["qty"].as_i64()), (Some("NA"), Some(0)));
        assert_eq!(r["txval"].as_f64(), Some(1000.0 + 100.0 - 100.0), "{b2b}");
        let sum = |key: &str| b2b.as_array().unwrap().iter().map(|r| r[key].as_f64().unwrap()).sum::<f64>();
        assert!((sum("txval") - (5600.0 - 100.0)).abs() < 0.005, "{b2b}");

        // The offline tool's HSN sheet names the unit: NOS-NUMBERS, MTR-METERS.
        let csv = get(&app, &format!("/reports/gstr1/hsn_b2b.csv?companyId={company}&period={month}")).await;
        assert!(csv.contains("8517,Routers and ONTs,NOS-NUMBERS,2,"), "{csv}");
        assert!(csv.contains("8544,Cables,MTR-METERS,30,"), "{csv}");
        assert!(csv.contains("9984,Telecommunication services,NA,0,"), "{csv}");

        // The e-invoice: goods are IsServc N with their quantity and unit.
        let einvoice: Value = serde_json::from_str(&get(&app, urls["einvoiceUrl"].as_str().unwrap()).await).unwrap();
        assert_eq!(crate::einvoice::errors(&einvoice), Vec::<String>::new(), "the INV-01 schema: {einvoice}");
        let items = einvoice["ItemList"].as_array().unwrap();
        let item = |code: &str| items.iter().find(|i| i["HsnCd"] == code).unwrap().clone();
        let routers = item("8517");
        assert_eq!((routers["IsServc"].as_str(), routers["Unit"].as_str()), (Some("N"), Some("NOS")));
        assert_eq!((routers["Qty"].as_f64(), routers["UnitPrice"].as_f64(), routers["TotAmt"].as_f64()), (Some(2.0), Some(1500.0), Some(3000.0)));
        assert_eq!((item("8544")["Unit"].as_str(), item("8544")["Qty"].as_f64()), (Some("MTR"), Some(30.0)));
        assert_eq!(item("9984")["IsServc"], "Y");
        assert_eq!(einvoice["SellerDtls"]["Gstin"], COMPANY_GSTIN);
    }

    async fn a_router_alone_is_filed_under_its_hsn_code_credit_notes_included(app: TestApp) {
        let company = app.company().create().await;
        let plan = app.plan(&company).price("500").create().await;
        let (customer, _) = app.customer("patil", &plan).set("periodMonths", 1).create_with_invoice().await;
        let add = json!({"i": {"customerId": customer, "addonType": "ROUTER_SALE", "description": "ONT",
                               "amount": "2000", "billOn": "OWN_INVOICE"}});
        let q = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) { invoice { id } } }";
        let invoice = app.data(q, add).await["createAddonBill"]["invoice"]["id"].as_str().unwrap().to_owned();
        app.data(ISSUE, json!({"id": invoice})).await;
        let notes = app.data(ADJUST, json!({"id": invoice, "c": "590"})).await["adjustInvoice"]["creditNotes"].clone();
        let note = notes[0]["id"].as_str().unwrap().to_owned();
        let page = get(&app, &format!("/credit-notes/{note}.html")).await;
        assert!(page.contains("<td>8517</td>") && !page.contains("qty 0"), "{page}");
        let q = "query($c: ID!, $p: String!) { gstr1(companyId: $c, period: $p) }";
        let ret: Value = app.data(q, json!({"c": company, "p": this_month()})).await["gstr1"].clone();
        let found = rows(&ret["hsn"]["hsn_b2c"], "8517");
        assert_eq!(found.len(), 1, "{ret}");
        // 2000 sold, 500 credited; one ONT.
        assert_eq!((found[0]["qty"].as_i64(), found[0]["txval"].as_f64(), found[0]["uqc"].as_str()), (Some(1), Some(1500.0), Some("NOS")));
    }
}
