//! The tax invoice and credit note as documents (read back with poppler's `pdftotext`), and
//! GSTR-1 compared with the raw invoice and credit note listings.

use serde_json::{json, Value};

use crate::documents::SET_INVOICE_STATUS;
use crate::fixtures::{Role, CUSTOMER_PASSWORD};
use crate::helpers::{paise, TestApp};
use crate::on_both_databases;

const SUPPLIER_GSTIN: &str = "27AAPFU0939F1ZV";
const CUSTOMER_GSTIN: &str = "27AABCU9603R1ZN";
const PDFTOTEXT: &str = "/usr/bin/pdftotext";

/// A company numbering by financial year, with GSTIN and address; its ₹1,000 plan.
async fn company(app: &TestApp) -> (String, String) {
    let company = app
        .company()
        .set("gstin", SUPPLIER_GSTIN)
        .set("address", "Main Road, Dharampeth\nNagpur 440010")
        .set("invoiceNumbering", "FINANCIAL_YEAR")
        .create()
        .await;
    let plan = app.plan(&company).price("1000").create().await;
    (company, plan)
}

/// GET `path` with `token`: (status, content type, body).
async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, response.bytes().await.unwrap().to_vec())
}

/// The text of a PDF, as `pdftotext -layout` reads it.
fn pdf_text(pdf: &[u8]) -> String {
    assert!(
        std::path::Path::new(PDFTOTEXT).exists(),
        "this test needs poppler's pdftotext at {PDFTOTEXT}: apt-get install poppler-utils (.ci/run does it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new(PDFTOTEXT).arg("-layout").arg(&file).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn invoices_and_credit_notes_print_what_rule_46_asks() {
    let app = TestApp::spawn(crate::helpers::Kind::Sqlite).await.unwrap();
    let (_, plan) = company(&app).await;
    let (customer, invoice) = app
        .customer("sharma", &plan)
        .set("fullName", "Śrīnivās Sharma")
        .set("customerGstNo", CUSTOMER_GSTIN)
        .set("periodMonths", 1)
        .create_with_invoice()
        .await;
    // Sent: issued as a tax invoice (a draft is a proforma, see gst_records).
    app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Invoice { invoiceNumber pdfUrl htmlUrl } } }";
    let inv = app.data(q, json!({"id": invoice})).await["node"].clone();
    let number = inv["invoiceNumber"].as_str().unwrap().to_owned();
    let pdf_url = inv["pdfUrl"].as_str().unwrap().to_owned();
    assert_eq!(pdf_url, format!("/invoices/{invoice}.pdf"));

    let (status, kind, body) = get(&app, &pdf_url, Some(&app.token)).await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    let text = pdf_text(&body);
    for expected in [
        "Tax Invoice",
        number.as_str(),
        "Vidarbha Fibernet",
        SUPPLIER_GSTIN,
        "Śrīnivās Sharma",
        CUSTOMER_GSTIN,
        "9984",
        "Place of supply",
        "Maharashtra (27)",
        "Reverse charge",
        "CGST @ 9%",
        "SGST @ 9%",
        "₹1,000.00",
        "₹90.00",
        "₹1,180.00",
        "Rupees One Thousand One Hundred Eighty Only",
        "Due date",
    ] {
        assert!(text.contains(expected), "the PDF lacks {expected:?}:\n{text}");
    }
    let (status, kind, html) = get(&app, inv["htmlUrl"].as_str().unwrap(), Some(&app.token)).await;
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains(&number) && html.contains(CUSTOMER_GSTIN) && html.contains("Reverse charge"));

    // Only with a token; a customer gets their own only.
    assert_eq!(get(&app, &pdf_url, None).await.0, 401);
    let own = app.login("sharma", CUSTOMER_PASSWORD).await;
    assert_eq!(get(&app, &pdf_url, Some(&own)).await.0, 200);
    app.customer("other", &plan).create().await;
    let other = app.login("other", CUSTOMER_PASSWORD).await;
    assert_eq!(get(&app, &pdf_url, Some(&other)).await.0, 404);
    let support = app.staff("helpdesk", Role::Support).await;
    assert_eq!(get(&app, &pdf_url, Some(&support)).await.0, 403);
    assert_eq!(get(&app, "/invoices/nonsense.pdf", Some(&app.token)).await.0, 404);
    assert_eq!(get(&app, &format!("/invoices/{customer}.pdf"), Some(&app.token)).await.0, 404, "a customer's ID");

    // A credit note on the issued invoice.
    let adjust = "mutation($id: ID!) { adjustInvoice(id: $id, credit: \"333.33\", reason: \"Outage 3-9 Nov\") {
        creditNotes { creditNoteNumber pdfUrl htmlUrl } } }";
    let notes = app.data(adjust, json!({"id": invoice})).await["adjustInvoice"]["creditNotes"].clone();
    let (status, _, body) = get(&app, notes[0]["pdfUrl"].as_str().unwrap(), Some(&own)).await;
    assert_eq!(status, 200);
    let text = pdf_text(&body);
    for expected in [
        "Credit Note",
        notes[0]["creditNoteNumber"].as_str().unwrap(),
        number.as_str(),
        SUPPLIER_GSTIN,
        CUSTOMER_GSTIN,
        "9984",
        "₹282.49",
        "₹25.42",
        "₹333.33",
        "Outage 3-9 Nov",
        "Rupees Three Hundred Thirty Three and Thirty Three Paise Only",
    ] {
        assert!(text.contains(expected), "the credit note lacks {expected:?}:\n{text}");
    }
    // The invoice still prints as issued.
    let text = pdf_text(&get(&app, &pdf_url, Some(&app.token)).await.2);
    assert!(
        text.contains("₹1,180.00") && text.contains("₹846.67"),
        "total as issued, balance after the credit:\n{text}"
    );
}

/// Today's month in India, as `YYYY-MM`.
fn this_month() -> String {
    let ist = chrono::Utc::now() + chrono::Duration::minutes(330);
    ist.format("%Y-%m").to_string()
}

on_both_databases! {
    async fn gstr1_adds_up_to_the_invoices_less_credit_notes(app: TestApp) {
        let (company, plan) = company(&app).await;
        let (b2b, b2b_invoice) =
            app.customer("gstb2b", &plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1).create_with_invoice().await;
        let (_, local) = app.customer("gstlocal", &plan).set("periodMonths", 1).create_with_invoice().await;
        let (_, karnataka) = app.customer("gstkarnataka", &plan)
            .set("state", "Karnataka").set("city", "Bengaluru").set("pincode", "560001").set("periodMonths", 1)
            .create_with_invoice().await;
        // Issued (a draft is a proforma, in no return); one more issued and cancelled.
        for invoice in [&b2b_invoice, &local, &karnataka] {
            app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        }
        let extra = app.invoice(json!({"customerId": b2b, "billAmount": "10", "issue": true})).await;
        app.data(SET_INVOICE_STATUS, json!({"id": extra["id"], "s": "CANCELLED"})).await;
        // A draft (a proforma) is in no return.
        app.invoice(json!({"customerId": b2b, "billAmount": "20"})).await;
        let adjust = "mutation($id: ID!) { adjustInvoice(id: $id, credit: \"333.33\", reason: \"outage\") { id } }";
        app.data(adjust, json!({"id": b2b_invoice})).await;

        let period = this_month();
        let q = "query($c: ID!, $p: String!) { gstr1(companyId: $c, period: $p) }";
        let r = app.data(q, json!({"c": company, "p": period})).await["gstr1"].clone();
        assert_eq!(r["gstin"], SUPPLIER_GSTIN);
        // The same over HTTP.
        let url = format!("/reports/gstr1.json?companyId={company}&period={period}");
        let (status, _, body) = get(&app, &url, Some(&app.token)).await;
        assert_eq!(status, 200);
        assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), r);

        // From the raw listings: invoices of the month (not cancelled) less credit notes. The
        // invoice rows are net of their credit notes already.
        let first = format!("{period}-01");
        let list = "query($f: String!) { invoices(first: 100, filter: {from: $f}) { nodes { status totalAmount cgstTax sgstTax igstTax invoiceNumber } } }";
        let invoices = app.data(list, json!({"f": first})).await["invoices"]["nodes"].as_array().unwrap().clone();
        let live: Vec<&Value> = invoices.iter().filter(|i| i["status"] != "CANCELLED" && i["status"] != "DRAFT").collect();
        let sum = |f: &dyn Fn(&Value) -> i64| live.iter().map(|i| f(i)).sum::<i64>();
        let taxable = sum(&|i| paise(&i["totalAmount"]) - paise(&i["cgstTax"]) - paise(&i["sgstTax"]) - paise(&i["igstTax"]));
        let (cgst, igst) = (sum(&|i| paise(&i["cgstTax"])), sum(&|i| paise(&i["igstTax"])));
        let rupees = |v: &Value| (v.as_f64().unwrap() * 100.0).round() as i64;
        // A tax a row does not carry (`iamt` within the state, `camt` across) is none.
        let tax = |v: &Value| if v.is_null() { 0 } else { rupees(v) };
        let items = |section: &Value, path: &[&str]| -> Vec<Value> {
            let mut out = Vec::new();
            for entry in section.as_array().unwrap() {
                let mut level = vec![entry.clone()];
                for p in path {
                    level = level.iter().flat_map(|v| v[*p].as_array().unwrap().clone()).collect();
                }
                out.extend(level);
            }
            out
        };
        let mut got = (0i64, 0i64, 0i64);
        for (section, path, sign) in [("b2b", &["inv", "itms"][..], 1), ("b2cl", &["inv", "itms"][..], 1), ("cdnr", &["nt", "itms"][..], -1), ("cdnur", &["itms"][..], -1)] {
            for item in items(&r[section], path) {
                got.0 += sign * rupees(&item["itm_det"]["txval"]);
                got.1 += sign * tax(&item["itm_det"]["camt"]);
                got.2 += sign * tax(&item["itm_det"]["iamt"]);
            }
        }
        for row in r["b2cs"].as_array().unwrap() {
            got.0 += rupees(&row["txval"]);
            got.1 += tax(&row["camt"]);
            got.2 += tax(&row["iamt"]);
        }
        assert_eq!(got, (taxable, cgst, igst), "{r:#}");
        // Hand-computed: 3 × 1,000 of value less the credit's 282.49.
        assert_eq!(taxable, 3 * 100_000 - 28_249);
        assert_eq!(r["b2b"][0]["ctin"], CUSTOMER_GSTIN);
        assert_eq!(r["b2b"][0]["inv"][0]["val"], 1180.0, "B2B shows the invoice as issued");
        assert_eq!(r["cdnr"][0]["nt"][0]["val"], 333.33);
        let inter: Vec<&Value> = r["b2cs"].as_array().unwrap().iter().filter(|b| b["sply_ty"] == "INTER").collect();
        assert_eq!((inter[0]["pos"].as_str(), rupees(&inter[0]["iamt"])), (Some("29"), 18_000));
        let docs = &r["doc_issue"]["doc_det"][0]["docs"][0];
        assert_eq!((docs["totnum"].as_u64(), docs["cancel"].as_u64(), docs["net_issue"].as_u64()), (Some(4), Some(1), Some(3)));
        assert_eq!(docs["from"], "INV/26-27/000001".replace("26-27", &fy_label()));

        // Each section as CSV; staff without the permission get 403.
        let csv_url = format!("/reports/gstr1/b2b.csv?companyId={company}&period={period}");
        let (status, kind, csv) = get(&app, &csv_url, Some(&app.token)).await;
        assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("GSTIN/UIN of Recipient,Receiver Name,") && csv.contains(CUSTOMER_GSTIN), "{csv}");
        let collector = app.staff("gstcollector", Role::Collector).await;
        assert_eq!(get(&app, &csv_url, Some(&collector)).await.0, 403);
        assert_eq!(get(&app, &format!("/reports/gstr1/nope.csv?companyId={company}&period={period}"), Some(&app.token)).await.0, 404);
        assert_eq!(get(&app, &format!("/reports/gstr1.json?companyId={company}&period=2026-13"), Some(&app.token)).await.0, 400);
    }
}

/// This financial year's `YY-YY` (India time).
fn fy_label() -> String {
    use chrono::Datelike;
    let ist = chrono::Utc::now() + chrono::Duration::minutes(330);
    let start = if ist.month() >= 4 { ist.year() } else { ist.year() - 1 };
    format!("{:02}-{:02}", start % 100, (start + 1) % 100)
}
