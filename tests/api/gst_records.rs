//! Issued GST documents as records (issue #30): a proforma until issued, numbered and frozen
//! when issued, reprinted and filed as issued whatever changes later; tax computed, never
//! typed; only registered companies charge it; the time limits of the law.

use serde_json::{json, Value};

use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

pub(crate) const SUPPLIER_GSTIN: &str = "27AAPFU0939F1ZV";
pub(crate) const NEW_SUPPLIER_GSTIN: &str = "27AAACR5055K1Z7";
pub(crate) const CUSTOMER_GSTIN: &str = "27AABCU9603R1ZN";

const CREATE_INVOICE: &str = "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) {
    id invoiceNumber status issuedAt invoiceDate totalAmount cgstTax sgstTax igstTax } }";
const ISSUE: &str = "mutation($id: ID!, $d: Date) { issueInvoice(id: $id, invoiceDate: $d) {
    id invoiceNumber status issuedAt sentAt invoiceDate dueDate } }";
const ADJUST: &str = "mutation($id: ID!, $c: Money!) { adjustInvoice(id: $id, credit: $c, reason: \"outage\") {
    id creditNotes { id htmlUrl } } }";
const SET_STATUS: &str =
    "mutation($id: ID!, $s: InvoiceStatus!) { updateInvoiceStatus(id: $id, status: $s) { id status } }";
const GSTR1: &str = "query($c: ID!, $p: String!) { gstr1(companyId: $c, period: $p) }";

/// A registered company numbering by financial year, its ₹1,000 plan.
pub(crate) async fn registered(app: &TestApp) -> (String, String) {
    let company = app
        .company()
        .name("Vidarbha Fibernet")
        .set("gstin", SUPPLIER_GSTIN)
        .set("address", "Main Road, Dharampeth\nNagpur 440010")
        .set("signatoryName", "Asha Deshmukh")
        .create()
        .await;
    let plan = app.plan(&company).name("Home 100").price("1000").create().await;
    (company, plan)
}

pub(crate) async fn html(app: &TestApp, path: &str) -> String {
    let response = app.client.get(app.url(path)).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.text().await.unwrap()
}

pub(crate) async fn invoice_html(app: &TestApp, id: &str) -> String {
    let q = "query($id: ID!) { node(id: $id) { ... on Invoice { htmlUrl } } }";
    let url = app.data(q, json!({"id": id})).await["node"]["htmlUrl"].as_str().unwrap().to_owned();
    html(app, &url).await
}

pub(crate) async fn gstr1(app: &TestApp, company: &str, period: &str) -> String {
    app.data(GSTR1, json!({"c": company, "p": period})).await["gstr1"].to_string()
}

/// A draft dated `date` (YYYY-MM-DD) for `customer`: ₹`bill` before tax.
pub(crate) async fn draft(app: &TestApp, customer: &str, bill: &str, date: &str) -> Value {
    let input = json!({"customerId": customer, "billAmount": bill, "invoiceDate": date});
    app.data(CREATE_INVOICE, json!({"i": input})).await["createInvoice"].clone()
}

pub(crate) async fn issue(app: &TestApp, invoice: &Value, date: Option<&str>) -> Value {
    app.data(ISSUE, json!({"id": invoice["id"], "d": date})).await["issueInvoice"].clone()
}

on_both_databases! {
    async fn issued_documents_print_and_file_as_issued_whatever_changes_later(app: TestApp) {
        let (company, plan) = registered(&app).await;
        let (business, first) =
            app.customer("sharma", &plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1).create_with_invoice().await;
        let (home, _) = app.customer("iyer", &plan).set("periodMonths", 1).create_with_invoice().await;

        // A draft is a proforma: no number from the tax series, in no return.
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { invoiceNumber status issuedAt } } }";
        let proforma = app.data(q, json!({"id": first})).await["node"].clone();
        assert!(proforma["invoiceNumber"].as_str().unwrap().starts_with("PRO"), "{proforma}");
        assert_eq!((proforma["status"].as_str(), proforma["issuedAt"].as_null()), (Some("DRAFT"), Some(())));
        let page = invoice_html(&app, &first).await;
        assert!(page.contains("Proforma Invoice") && page.contains("Not a tax invoice"), "{page}");
        assert!(!page.contains("Tax Invoice"), "a proforma is not a tax invoice");

        // Documents across the financial-year boundary, issued in date order.
        let march = issue(&app, &draft(&app, &home, "500", "2026-03-15").await, None).await;
        assert_eq!(march["invoiceNumber"], "INV/25-26/000001");
        assert_eq!(march["status"], "SENT");
        let april = draft(&app, &home, "700", "2026-04-01").await;
        let april = issue(&app, &april, Some("2026-04-02")).await;
        assert_eq!((april["invoiceNumber"].as_str(), april["invoiceDate"].as_str()), (Some("INV/26-27/000001"), Some("2026-04-02")));
        assert_eq!(april["dueDate"], "2026-04-09", "the due date moves with the date");
        // Numbers follow dates: nothing is issued before the series' last date.
        let late = draft(&app, &home, "100", "2026-04-01").await;
        let refused = app.error(ISSUE, json!({"id": late["id"]})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("invoiceDate"));
        assert!(refused["message"].as_str().unwrap().contains("INV/26-27/000001"), "{refused}");
        // Sent without a date, the refusal is on `status`, the only argument there is.
        let refused = app.error(SET_STATUS, json!({"id": late["id"], "s": "SENT"})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("status"));
        assert!(refused["message"].as_str().unwrap().contains("issueInvoice(id:, invoiceDate:)"), "{refused}");
        // Nor in the future.
        let refused = app.error(ISSUE, json!({"id": late["id"], "d": "2999-01-01"})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("invoiceDate"));
        // Sending a proforma issues it, with its own date (today).
        let sent = app.data(SET_STATUS, json!({"id": first, "s": "SENT"})).await["updateInvoiceStatus"].clone();
        assert_eq!(sent["status"], "SENT");
        let issued = app.data(q, json!({"id": first})).await["node"].clone();
        assert!(issued["invoiceNumber"].as_str().unwrap().starts_with("INV/"), "{issued}");
        assert!(issued["issuedAt"].is_string());

        // A credit note on today's invoice; none on a 2025-26 invoice after 30 November 2026.
        let adjusted = app.data(ADJUST, json!({"id": first, "c": "118"})).await["adjustInvoice"].clone();
        let note_url = adjusted["creditNotes"][0]["htmlUrl"].as_str().unwrap().to_owned();
        let refused = app.error(ADJUST, json!({"id": march["id"], "c": "10"})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("id"));
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains("2025-26") && message.contains("30-11-2026"), "{message}");
        // An invoice with a credit note is never cancelled.
        let refused = app.error(SET_STATUS, json!({"id": first, "s": "CANCELLED"})).await;
        assert_code(&refused, "CONFLICT", None);

        let this_month = crate_today_month();
        let periods = ["2026-03", "2026-04", this_month.as_str()];
        let ids = [first.clone(), march["id"].as_str().unwrap().to_owned(), april["id"].as_str().unwrap().to_owned()];
        let before = collect(&app, &company, &ids, &note_url, &periods).await;
        assert!(before[0].contains("Tax Invoice") && before[0].contains(SUPPLIER_GSTIN) && before[0].contains("Home 100"));
        assert!(before[0].contains("Asha Deshmukh") && before[3].contains("Asha Deshmukh"), "invoice and note are signed");
        assert!(before[4].contains("INV/25-26/000001"), "March's return has March's invoice: {}", before[4]);
        assert!(before[6].contains(CUSTOMER_GSTIN), "this month's return has the B2B invoice: {}", before[6]);

        // The office edits everything a document showed.
        let update_company = "mutation($id: ID!, $i: UpdateCompanyInput!) { updateCompany(id: $id, input: $i) { id } }";
        // (No UPI address: its QR code is read when printed, so it would follow a new name.)
        app.data(update_company, json!({"id": company, "i": {"name": "Vidarbha Fibre Pvt Ltd",
            "address": "Civil Lines\nNagpur 440001", "gstin": NEW_SUPPLIER_GSTIN, "signatoryName": "R. Patil"}})).await;
        let update_plan = "mutation($id: ID!, $i: UpdatePlanInput!) { updatePlan(id: $id, input: $i) { id } }";
        app.data(update_plan, json!({"id": plan, "i": {"name": "Fibre 200"}})).await;
        let update_customer = "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { id } } }";
        for customer in [&business, &home] {
            app.data(update_customer, json!({"id": customer, "i": {"fullName": "Renamed Person", "address": "New Street 9"}})).await;
        }

        let after = collect(&app, &company, &ids, &note_url, &periods).await;
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            assert_eq!(b, a, "document {i} changed after issue");
        }
        // A new document carries the new particulars.
        let fresh = issue(&app, &draft(&app, &home, "100", &crate_today()).await, None).await;
        let page = invoice_html(&app, fresh["id"].as_str().unwrap()).await;
        assert!(page.contains(NEW_SUPPLIER_GSTIN) && page.contains("Renamed Person") && page.contains("R. Patil"), "{page}");
        // An invoice issued at once with a pending add-on: the add-on is a line of its record.
        let addon = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) { id } }";
        app.data(addon, json!({"i": {"customerId": home, "addonType": "ROUTER_SALE", "description": "Dual-band router", "amount": "1500", "billOn": "NEXT_INVOICE"}})).await;
        let with_router = app.data(CREATE_INVOICE, json!({"i": {"customerId": home, "billAmount": "100", "issue": true}})).await["createInvoice"].clone();
        let page = invoice_html(&app, with_router["id"].as_str().unwrap()).await;
        assert!(page.contains("Dual-band router") && page.contains("₹1,500.00"), "{page}");
    }

    async fn tax_is_computed_and_only_registered_companies_charge_it(app: TestApp) {
        let (_, plan) = registered(&app).await;
        let (customer, _) = app.customer("patil", &plan).set("periodMonths", 1).create_with_invoice().await;
        // IGST typed on an intra-state supply: refused on the first field that is wrong.
        let input = json!({"customerId": customer, "billAmount": "499", "igstTax": "89.82"});
        let refused = app.error(CREATE_INVOICE, json!({"i": input})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("cgstTax"));
        assert!(refused["message"].as_str().unwrap().contains("₹44.91"), "{refused}");
        // The computed amounts typed are accepted.
        let input = json!({"customerId": customer, "billAmount": "499", "cgstTax": "44.91", "sgstTax": "44.91"});
        let ok = app.data(CREATE_INVOICE, json!({"i": input})).await["createInvoice"].clone();
        assert_eq!(ok["totalAmount"], "588.82");

        // A company with a GSTIN numbers by financial year and has an address.
        let create = "mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id invoiceNumbering invoicePrefix } }";
        let i = json!({"name": "Stamp Co", "state": "Maharashtra", "gstin": NEW_SUPPLIER_GSTIN, "address": "X", "invoiceNumbering": "TIMESTAMP"});
        assert_code(&app.error(create, json!({"i": i})).await, "BAD_USER_INPUT", Some("invoiceNumbering"));
        let i = json!({"name": "Stamp Co", "state": "Maharashtra", "gstin": NEW_SUPPLIER_GSTIN});
        assert_code(&app.error(create, json!({"i": i})).await, "BAD_USER_INPUT", Some("address"));
        // A TDS deductor's GSTIN is a buyer's (valid for a customer), not a supplier's.
        let i = json!({"name": "Stamp Co", "state": "Maharashtra", "gstin": "27AAPFU0939F1D4", "address": "X"});
        let refused = app.error(create, json!({"i": i})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("gstin"));
        assert!(refused["message"].as_str().unwrap().contains("TDS"), "{refused}");

        // Without a GSTIN: no tax, a bill of supply; a second company gets prefixes of its own.
        let unregistered = app.data(create, json!({"i": {"name": "Gully Cable", "state": "Maharashtra"}})).await["createCompany"].clone();
        assert_eq!(unregistered["invoiceNumbering"], "FINANCIAL_YEAR");
        assert_eq!(unregistered["invoicePrefix"], "INV2", "INV is the first company's");
        let cable = app.plan(unregistered["id"].as_str().unwrap()).price("300").create().await;
        let (viewer, _) = app.customer("desai", &cable).set("periodMonths", 1).create_with_invoice().await;
        let bill = issue(&app, &draft(&app, &viewer, "300", &crate_today()).await, None).await;
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { totalAmount cgstTax sgstTax igstTax invoiceNumber } } }";
        let row = app.data(q, json!({"id": bill["id"]})).await["node"].clone();
        assert_eq!((row["totalAmount"].as_str(), row["cgstTax"].as_str(), row["igstTax"].as_str()), (Some("300.00"), Some("0.00"), Some("0.00")));
        assert!(row["invoiceNumber"].as_str().unwrap().starts_with("INV2/"), "{row}");
        let page = invoice_html(&app, bill["id"].as_str().unwrap()).await;
        assert!(page.contains("Bill of Supply") && !page.contains("CGST"), "{page}");
        let typed = json!({"customerId": viewer, "billAmount": "300", "cgstTax": "27", "sgstTax": "27"});
        let refused = app.error(CREATE_INVOICE, json!({"i": typed})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("cgstTax"));
        assert!(refused["message"].as_str().unwrap().contains("no GSTIN"), "{refused}");
    }
}

on_both_databases! {
    async fn a_closed_month_is_never_rewritten(app: TestApp) {
        let (company, plan) = registered(&app).await;
        let (customer, _) = app.customer("kulkarni", &plan).set("periodMonths", 1).create_with_invoice().await;
        let october = issue(&app, &draft(&app, &customer, "1000", "2026-10-10").await, None).await;
        let late = draft(&app, &customer, "500", "2026-10-20").await;
        let before = gstr1(&app, &company, "2026-10").await;

        let close = "mutation($c: ID!, $p: String!) { closeGstPeriod(companyId: $c, period: $p) { period closedBy } }";
        let closed = app.data(close, json!({"c": company, "p": "2026-10"})).await["closeGstPeriod"].clone();
        assert_eq!(closed, json!({"period": "2026-10", "closedBy": "admin"}));
        assert_code(&app.error(close, json!({"c": company, "p": "2026-10"})).await, "CONFLICT", None);
        let refused = app.error(close, json!({"c": company, "p": crate_today_month()})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("period"));
        assert!(refused["message"].as_str().unwrap().contains("has not ended"), "{refused}");
        let list = "query($c: ID!) { closedGstPeriods(companyId: $c) { period } }";
        assert_eq!(app.data(list, json!({"c": company})).await["closedGstPeriods"], json!([{"period": "2026-10"}]));

        // Nothing dated in October is issued or cancelled any more.
        let refused = app.error(ISSUE, json!({"id": late["id"]})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("invoiceDate"));
        assert!(refused["message"].as_str().unwrap().contains("2026-10 is closed"), "{refused}");
        let refused = app.error(SET_STATUS, json!({"id": october["id"], "s": "CANCELLED"})).await;
        assert_code(&refused, "CONFLICT", None);
        // Corrections go into the open month: the draft issued today, a credit note today.
        let moved = issue(&app, &late, Some(&crate_today())).await;
        assert_eq!(moved["invoiceDate"], crate_today());
        app.data(ADJUST, json!({"id": october["id"], "c": "118"})).await;
        assert_eq!(gstr1(&app, &company, "2026-10").await, before, "the filed return is as filed");
        let notes = "query($id: ID!) { node(id: $id) { ... on Invoice { creditNotes { noteDate } } } }";
        let noted = app.data(notes, json!({"id": october["id"]})).await["node"]["creditNotes"].clone();
        assert_eq!(noted, json!([{"noteDate": crate_today()}]), "the credit note is dated in the open month");

        // Reopening is for an administrator, with a reason, in the audit log.
        let reopen = "mutation($c: ID!, $p: String!) { reopenGstPeriod(companyId: $c, period: $p, reason: \"closed too early\") }";
        let manager = app.staff("gstmanager", crate::fixtures::Role::Manager).await;
        let refused = app.error_as(Some(&manager), reopen, json!({"c": company, "p": "2026-10"})).await;
        assert_code(&refused, "FORBIDDEN", None);
        assert_eq!(app.data(reopen, json!({"c": company, "p": "2026-10"})).await["reopenGstPeriod"], true);
        assert_eq!(app.data(list, json!({"c": company})).await["closedGstPeriods"], json!([]));
        let audit = "query { auditLog(filter: {operation: \"reopenGstPeriod\"}) { nodes { details } } }";
        let entries = app.data(audit, json!({})).await["auditLog"]["nodes"].clone();
        assert_eq!(entries[0]["details"], "2026-10: closed too early");
    }
}

on_both_databases! {
    async fn a_debit_note_raises_an_issued_invoice(app: TestApp) {
        let (company, plan) = registered(&app).await;
        let (customer, invoice) =
            app.customer("joshi", &plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1).create_with_invoice().await;
        let raise = "mutation($id: ID!, $v: Money!) { raiseDebitNote(invoiceId: $id, taxableValue: $v, reason: \"extra cable, 20 m\") {
            billAmount cgstTax sgstTax totalAmount balanceAmount status
            creditNotes { noteType creditNoteNumber taxableValue cgstTax amount htmlUrl } } }";
        // A proforma is not raised by a note.
        let refused = app.error(raise, json!({"id": invoice, "v": "200"})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("invoiceId"));
        assert!(refused["message"].as_str().unwrap().contains("proforma"), "{refused}");

        // Issued and paid in full; then a charge found after issue.
        app.data(SET_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        app.pay(json!({"invoiceId": invoice, "amount": "1180", "paymentMethod": "CASH"})).await;
        let raised = app.data(raise, json!({"id": invoice, "v": "200"})).await["raiseDebitNote"].clone();
        assert_eq!(raised["billAmount"], "1200.00");
        assert_eq!((raised["cgstTax"].as_str(), raised["sgstTax"].as_str()), (Some("108.00"), Some("108.00")));
        assert_eq!(raised["totalAmount"], "1416.00", "1180 + 200 + 18 % GST");
        assert_eq!((raised["balanceAmount"].as_str(), raised["status"].as_str()), (Some("236.00"), Some("SENT")), "a paid invoice owes again");
        let note = &raised["creditNotes"][0];
        assert_eq!((note["noteType"].as_str(), note["amount"].as_str(), note["cgstTax"].as_str()), (Some("DEBIT"), Some("236.00"), Some("18.00")));
        let number = note["creditNoteNumber"].as_str().unwrap();
        assert!(number.starts_with("DN/") && number.len() == 16, "its own series: {number}");
        let page = html(&app, note["htmlUrl"].as_str().unwrap()).await;
        assert!(page.contains("Debit Note") && page.contains("Value raised on invoice"), "{page}");
        crate::helpers::check_invariants(&app, &customer).await;

        // GSTR-1: a cdnr note with ntty D, a series of its own in doc_issue.
        let ret: Value = serde_json::from_str(&gstr1(&app, &company, &crate_today_month()).await).unwrap();
        let nt = &ret["cdnr"][0]["nt"][0];
        assert_eq!((nt["ntty"].as_str(), nt["nt_num"].as_str(), nt["val"].as_f64()), (Some("D"), Some(number), Some(236.0)));
        let debit_docs = ret["doc_issue"]["doc_det"].as_array().unwrap().iter().find(|d| d["doc_num"] == 4).unwrap().clone();
        assert_eq!(debit_docs["docs"][0]["totnum"], 1, "{debit_docs}");
    }
}

/// What the documents `invoices` and the credit note at `note_url` print, and the company's
/// GSTR-1 of `periods`, in that order.
async fn collect(app: &TestApp, company: &str, invoices: &[String], note_url: &str, periods: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for id in invoices {
        out.push(invoice_html(app, id).await);
    }
    out.push(html(app, note_url).await);
    for p in periods {
        out.push(gstr1(app, company, p).await);
    }
    out
}

/// Today's business date, `YYYY-MM-DD` (India time, as the server's default).
pub(crate) fn crate_today() -> String {
    chrono::Utc::now().with_timezone(&chrono_tz::Asia::Kolkata).date_naive().to_string()
}

/// This month, `YYYY-MM`.
pub(crate) fn crate_today_month() -> String {
    crate_today()[..7].to_owned()
}

on_both_databases! {
    async fn a_proforma_is_issued_to_the_customer_as_they_are_that_day(app: TestApp) {
        let (company, plan) = registered(&app).await;
        let (customer, _) = app.customer("later", &plan).set("periodMonths", 1).create_with_invoice().await;
        let today = crate_today();
        let proforma = draft(&app, &customer, "100", &today).await;
        // The customer registers for GST after the proforma: the tax invoice is B2B.
        let update = "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { id } } }";
        app.data(update, json!({"id": customer, "i": {"customerGstNo": CUSTOMER_GSTIN}})).await;
        let issued = issue(&app, &proforma, None).await;
        let ret: Value = serde_json::from_str(&gstr1(&app, &company, &crate_today_month()).await).unwrap();
        let b2b = ret["b2b"].as_array().unwrap();
        assert!(b2b.iter().any(|r| r["ctin"] == CUSTOMER_GSTIN && r["inv"][0]["inum"] == issued["invoiceNumber"]), "{ret}");
        assert!(invoice_html(&app, issued["id"].as_str().unwrap()).await.contains(CUSTOMER_GSTIN));

        // Moved to another state since drafting: CGST + SGST would now be IGST, so it is refused
        // as drafted, saying why; nothing is numbered.
        let second = draft(&app, &customer, "100", &today).await;
        app.data(update, json!({"id": customer, "i": {"state": "Karnataka", "city": "Bengaluru", "pincode": "560001",
                                                     "customerGstNo": null}})).await;
        let refused = app.error(ISSUE, json!({"id": second["id"]})).await;
        crate::helpers::assert_code(&refused, "CONFLICT", None);
        assert!(refused["message"].as_str().unwrap().contains("inter-state"), "{refused}");
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { issuedAt invoiceNumber } } }";
        let still = app.data(q, json!({"id": second["id"]})).await["node"].clone();
        assert_eq!(still["issuedAt"], Value::Null);
    }
}
