//! GSTR-1 as the GST Offline Tool takes it: each section's CSV in the tool's import template
//! layout (the header line byte for byte, B2B, B2CS, CDNR, HSN and documents rows), the JSON's
//! keys per section against the reference formats' (`gstr1::build::PORTAL_KEYS`), and a month
//! that has not begun refused.

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use crate::documents::SET_INVOICE_STATUS;
use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

const SUPPLIER_GSTIN: &str = "27AAPFU0939F1ZV";
const CUSTOMER_GSTIN: &str = "27AABCU9603R1ZN";
const GSTR1: &str = "query($c: ID!, $p: String!) { gstr1(companyId: $c, period: $p) }";

const HSN_HEADER: &str = "HSN,Description,UQC,Total Quantity,Total Value,Rate,Taxable Value,Integrated Tax Amount,\
                          Central Tax Amount,State/UT Tax Amount,Cess Amount";

/// Each file and the header line of its template.
const HEADERS: [(&str, &str); 9] = [
    (
        "b2b",
        "GSTIN/UIN of Recipient,Receiver Name,Invoice Number,Invoice date,Invoice Value,Place Of Supply,\
         Reverse Charge,Applicable % of Tax Rate,Invoice Type,E-Commerce GSTIN,Rate,Taxable Value,Cess Amount",
    ),
    (
        "b2cl",
        "Invoice Number,Invoice date,Invoice Value,Place Of Supply,Applicable % of Tax Rate,Rate,Taxable Value,\
         Cess Amount,E-Commerce GSTIN",
    ),
    ("b2cs", "Type,Place Of Supply,Applicable % of Tax Rate,Rate,Taxable Value,Cess Amount,E-Commerce GSTIN"),
    (
        "cdnr",
        "GSTIN/UIN of Recipient,Receiver Name,Note Number,Note Date,Note Type,Place Of Supply,Reverse Charge,\
         Note Supply Type,Note Value,Applicable % of Tax Rate,Rate,Taxable Value,Cess Amount",
    ),
    (
        "cdnur",
        "UR Type,Note Number,Note Date,Note Type,Place Of Supply,Note Value,Applicable % of Tax Rate,Rate,\
         Taxable Value,Cess Amount",
    ),
    ("hsn", HSN_HEADER),
    ("hsn_b2b", HSN_HEADER),
    ("hsn_b2c", HSN_HEADER),
    ("docs", "Nature of Document,Sr. No. From,Sr. No. To,Total Number,Cancelled"),
];

/// Today in India.
fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::minutes(330)).date_naive()
}

/// GET `path` as the admin: (status, body).
async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).bearer_auth(&app.token).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// `2026-12-05` as the template writes dates: `05-Dec-26`.
fn template_date(date: &Value) -> String {
    NaiveDate::parse_from_str(date.as_str().unwrap(), "%Y-%m-%d").unwrap().format("%d-%b-%y").to_string()
}

on_both_databases! {
    async fn gstr1_files_are_the_offline_tools_and_the_json_its_keys(app: TestApp) {
        let company = app
            .company()
            .set("gstin", SUPPLIER_GSTIN)
            .set("address", "Main Road, Dharampeth\nNagpur 440010")
            .set("invoiceNumbering", "FINANCIAL_YEAR")
            .create()
            .await;
        let plan = app.plan(&company).price("1000").create().await;
        // A registered business whose name holds a comma, one customer within the state and
        // one in Karnataka; all three invoices issued, and a credit on the business's.
        let (_, b2b) = app
            .customer("sharmatraders", &plan)
            .set("fullName", "Sharma Traders, Nagpur")
            .set("customerGstNo", CUSTOMER_GSTIN)
            .set("periodMonths", 1)
            .create_with_invoice()
            .await;
        let (_, local) = app.customer("localhome", &plan).set("periodMonths", 1).create_with_invoice().await;
        let (_, karnataka) = app
            .customer("bengaluru", &plan)
            .set("state", "Karnataka")
            .set("city", "Bengaluru")
            .set("pincode", "560001")
            .set("periodMonths", 1)
            .create_with_invoice()
            .await;
        for invoice in [&b2b, &local, &karnataka] {
            app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        }
        let adjust = "mutation($id: ID!) { adjustInvoice(id: $id, credit: \"333.33\", reason: \"outage\") {
            creditNotes { creditNoteNumber noteDate } } }";
        let note = app.data(adjust, json!({"id": b2b})).await["adjustInvoice"]["creditNotes"][0].clone();
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { invoiceNumber invoiceDate } } }";
        let invoice = app.data(q, json!({"id": b2b})).await["node"].clone();
        let number = invoice["invoiceNumber"].as_str().unwrap();

        let period = today().format("%Y-%m").to_string();
        let r = app.data(GSTR1, json!({"c": company, "p": period})).await["gstr1"].clone();

        // The JSON: every object has the reference formats' keys; intra-state items carry
        // camt and samt, inter-state ones iamt.
        let (off, seen) = isp_billing::gstr1::build::off_portal_keys(&r);
        assert!(off.is_empty(), "{off:#?}\n{r:#}");
        for path in ["b2b.inv.itms.itm_det/INTRA", "b2cs/INTER", "b2cs/INTRA", "cdnr.nt.itms.itm_det/INTRA", "hsn.hsn_b2b", "doc_issue.doc_det.docs"] {
            assert!(seen.contains(path), "{path} not in {seen:?}");
        }
        fn keys(v: &Value) -> Vec<&str> {
            let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort_unstable();
            keys
        }
        assert_eq!(keys(&r["b2b"][0]["inv"][0]["itms"][0]["itm_det"]), ["camt", "csamt", "rt", "samt", "txval"]);
        assert_eq!(keys(&r["b2cs"][0]), ["csamt", "iamt", "pos", "rt", "sply_ty", "txval", "typ"]);
        assert_eq!(r["b2cs"][0]["sply_ty"], "INTER");
        assert_eq!(keys(&r["b2cs"][1]), ["camt", "csamt", "pos", "rt", "samt", "sply_ty", "txval", "typ"]);

        // Each file: the template's header line, byte for byte.
        let mut files = std::collections::HashMap::new();
        for (name, header) in HEADERS {
            let (status, body) = get(&app, &format!("/reports/gstr1/{name}.csv?companyId={company}&period={period}")).await;
            assert_eq!(status, 200, "{name}: {body}");
            assert_eq!(body.split('\n').next(), Some(header), "{name}");
            files.insert(name, body);
        }
        let rows = |name: &str| files[name].lines().skip(1).map(String::from).collect::<Vec<_>>();
        assert_eq!(
            rows("b2b"),
            [format!(
                "{CUSTOMER_GSTIN},\"Sharma Traders, Nagpur\",{number},{},1180.00,27-Maharashtra,N,,Regular B2B,,18,1000.00,0.00",
                template_date(&invoice["invoiceDate"])
            )]
        );
        assert_eq!(rows("b2cs"), ["OE,29-Karnataka,,18,1000.00,0.00,", "OE,27-Maharashtra,,18,1000.00,0.00,"]);
        assert_eq!(
            rows("cdnr"),
            [format!(
                "{CUSTOMER_GSTIN},\"Sharma Traders, Nagpur\",{},{},C,27-Maharashtra,N,Regular B2B,333.33,,18,282.49,0.00",
                note["creditNoteNumber"].as_str().unwrap(),
                template_date(&note["noteDate"])
            )]
        );
        assert!(rows("b2cl").is_empty() && rows("cdnur").is_empty());
        // From the May 2025 period the HSN summary is two lists; `hsn` is the header alone.
        assert!(rows("hsn").is_empty());
        assert_eq!(rows("hsn_b2b"), ["9984,Telecommunication services,NA,0,846.67,18,717.51,0.00,64.58,64.58,0.00"]);
        assert_eq!(rows("hsn_b2c"), ["9984,Telecommunication services,NA,0,2360.00,18,2000.00,180.00,90.00,90.00,0.00"]);
        let fy = if today().month() >= 4 { today().year() } else { today().year() - 1 };
        let fy = format!("{:02}-{:02}", fy % 100, (fy + 1) % 100);
        assert_eq!(
            rows("docs"),
            [
                format!("Invoices for outward supply,INV/{fy}/000001,INV/{fy}/000003,3,0"),
                format!("Credit Note,{0},{0},1,0", note["creditNoteNumber"].as_str().unwrap()),
            ]
        );
        // The file's former name still answers.
        let (status, body) = get(&app, &format!("/reports/gstr1/doc_issue.csv?companyId={company}&period={period}")).await;
        assert_eq!((status, body.as_str()), (200, files["docs"].as_str()));

        // A month that has not begun has no return: BAD_USER_INPUT on `period`, 400 over HTTP.
        let next = today().with_day(1).unwrap().checked_add_months(chrono::Months::new(1)).unwrap().format("%Y-%m").to_string();
        let e = app.error(GSTR1, json!({"c": company, "p": next})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("period"));
        let message = e["message"].as_str().unwrap();
        assert!(message.contains(&next) && message.contains("has not begun"), "{message}");
        for path in ["gstr1.json", "gstr1/b2b.csv"] {
            let (status, body) = get(&app, &format!("/reports/{path}?companyId={company}&period={next}")).await;
            assert_eq!(status, 400, "{path}: {body}");
            assert!(body.contains("has not begun"), "{body}");
        }
    }
}
