//! Registered buyers of every kind (issue #30, item 7): a government office deducting TDS, a
//! UN body with a UIN and an offshore installation in the other territory are customers with
//! their GSTIN or UIN, and GSTR-1 reports their invoices in `b2b`.

use serde_json::{json, Value};

use crate::documents::{CREATE_CUSTOMER, SET_INVOICE_STATUS};
use crate::helpers::assert_code;
use crate::on_both_databases;

/// Vidarbha Fibernet's GSTIN (Maharashtra).
const SUPPLIER_GSTIN: &str = "27AAPFU0939F1ZV";
/// A central government office in Pune deducting TDS, registered by its TAN (14th character
/// `D`). Check characters of these three are computed and checked in `validate`'s unit tests.
const TDS_GSTIN: &str = "27PNEM12345B1DZ";
/// A UN body's UIN in Maharashtra (registered 2017, `UN`).
const UIN: &str = "2717UNO00157UNM";
/// An installation in the other territory (code 97, no state).
const OTHER_TERRITORY_GSTIN: &str = "97AAACO1234A1ZZ";

/// Today's month in India, as `YYYY-MM`.
fn this_month() -> String {
    let ist = chrono::Utc::now() + chrono::Duration::minutes(330);
    ist.format("%Y-%m").to_string()
}

on_both_databases! {
    async fn tds_deductors_and_uin_holders_are_billed_b2b(app: TestApp) {
        let company = app
            .company()
            .set("gstin", SUPPLIER_GSTIN)
            .set("address", "Main Road, Dharampeth\nNagpur 440010")
            .set("invoiceNumbering", "FINANCIAL_YEAR")
            .create()
            .await;
        let plan = app.plan(&company).price("1000").create().await;
        let read = "query($id: ID!) { customer(id: $id) { customerGstNo } }";
        for (name, gstin) in [("tdsoffice", TDS_GSTIN), ("unbody", UIN), ("offshore", OTHER_TERRITORY_GSTIN)] {
            let (customer, invoice) = app
                .customer(name, &plan)
                .set("customerGstNo", gstin.to_lowercase())
                .set("periodMonths", 1)
                .create_with_invoice()
                .await;
            let back = app.data(read, json!({"id": customer})).await;
            assert_eq!(back["customer"]["customerGstNo"], gstin);
            app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        }
        // Still refused: a UIN of another state (Delhi) for a customer in Maharashtra, and a
        // TDS GSTIN with a mistyped check character.
        for (name, gstin, why) in [("undelhi", "0717UNO00157UNO", "another state"), ("tdstypo", "27PNEM12345B1DY", "check character")] {
            let input = app.customer(name, &plan).set("customerGstNo", gstin).input();
            let e = app.error(CREATE_CUSTOMER, json!({"i": input})).await;
            assert_code(&e, "BAD_USER_INPUT", Some("customerGstNo"));
            assert!(e["message"].as_str().unwrap().contains(why), "{e:#}");
        }

        let q = "query($c: ID!, $p: String!) { gstr1(companyId: $c, period: $p) }";
        let r = app.data(q, json!({"c": company, "p": this_month()})).await["gstr1"].clone();
        let b2b = r["b2b"].as_array().unwrap();
        let mut ctins: Vec<&str> = b2b.iter().map(|b| b["ctin"].as_str().unwrap()).collect();
        ctins.sort_unstable();
        let mut expected = [TDS_GSTIN, UIN, OTHER_TERRITORY_GSTIN];
        expected.sort_unstable();
        assert_eq!(ctins, expected, "{r:#}");
        for b in b2b {
            let inv = &b["inv"][0];
            // The place of supply is where the connection is: the customer's state.
            assert_eq!((inv["pos"].as_str(), inv["val"].as_f64()), (Some("27"), Some(1180.0)), "{b:#}");
        }
        assert_eq!(r["b2cs"], Value::Array(Vec::new()), "{r:#}");
        assert_eq!(r["b2cl"], Value::Array(Vec::new()), "{r:#}");
    }
}
