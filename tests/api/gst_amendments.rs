//! Amending issued invoices (issue #30 item 4, CGST Act section 37(3)): a recipient GSTIN
//! corrected after issue. Filed months' returns never change; the return of the month the
//! amendment is made reports it (`b2ba` and `cdnra`; `b2b` and `b2csa` for an invoice filed
//! in the B2C summary); a month still open shows it in place; reprints show the correction.

use serde_json::{json, Value};

use crate::gst_records::{
    crate_today, crate_today_month, draft, gstr1, html, invoice_html, issue, registered, CUSTOMER_GSTIN,
    NEW_SUPPLIER_GSTIN, SUPPLIER_GSTIN,
};
use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

/// The GSTIN the invoices should have carried (a valid one of Maharashtra, like the customer's).
const RIGHT_GSTIN: &str = NEW_SUPPLIER_GSTIN;

const AMEND: &str = "mutation($id: ID!, $i: AmendInvoiceInput!) { amendInvoice(id: $id, input: $i) {
    id customerGstin invoiceNumber totalAmount } }";
const CLOSE: &str = "mutation($c: ID!, $p: String!) { closeGstPeriod(companyId: $c, period: $p) { period } }";

fn amendment(gstin: &str) -> Value {
    json!({"customerGstin": gstin, "reason": "GSTIN typed wrong on the CAF"})
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// The row id of a global ID.
fn key(id: &Value) -> i64 {
    match isp_billing::ids::decode(id.as_str().unwrap()) {
        Some(isp_billing::ids::Decoded::Known(_, key)) => key,
        other => panic!("not an ID: {id} ({other:?})"),
    }
}

/// A credit note of ₹`rupees` (tax included) on invoice `id`, issued on `date` (YYYY-MM-DD):
/// the API issues notes today only, so this runs the same service on that day's clock.
async fn credit_note_on(app: &TestApp, id: &Value, rupees: i64, date: &str) {
    let db = isp_billing::db::Db::connect(app.database_url(), 1, std::sync::Arc::default()).unwrap();
    let (key, on) = (key(id), date.parse().unwrap());
    db.write(move |conn| {
        isp_billing::clock::as_if_on(on, || {
            let actor = isp_billing::audit::Actor::system();
            isp_billing::invoices::service::adjust(conn, key, rupees * 100, "outage", &actor)
        })
    })
    .await
    .unwrap();
}

/// A CSV file of the return: its lines after the header.
async fn csv_rows(app: &TestApp, company: &str, period: &str, name: &str) -> Vec<String> {
    let path = format!("/reports/gstr1/{name}.csv?companyId={company}&period={period}");
    html(app, &path).await.lines().skip(1).map(String::from).collect()
}

on_both_databases! {
    async fn a_filed_b2b_invoice_is_amended_in_the_return_of_the_month(app: TestApp) {
        let (company, plan) = registered(&app).await;
        let customer = app.customer("joshi", &plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1).create().await;
        let customer = customer["id"].as_str().unwrap().to_owned();
        let march = issue(&app, &draft(&app, &customer, "1000", "2026-03-31").await, None).await;
        let october = issue(&app, &draft(&app, &customer, "1000", "2026-10-10").await, None).await;
        credit_note_on(&app, &october["id"], 118, "2026-11-05").await;
        // 2025-26 invoices could be amended until 30 November 2026 (section 37(3)).
        let refused = app.error(AMEND, json!({"id": march["id"], "i": amendment(RIGHT_GSTIN)})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("id"));
        assert!(refused["message"].as_str().unwrap().contains("until 30-11-2026"), "{refused}");
        for period in ["2026-10", "2026-11"] {
            app.data(CLOSE, json!({"c": company, "p": period})).await;
        }
        let filed = [gstr1(&app, &company, "2026-10").await, gstr1(&app, &company, "2026-11").await];
        let notes = "query($id: ID!) { node(id: $id) { ... on Invoice { creditNotes { creditNoteNumber htmlUrl } } } }";
        let note = app.data(notes, json!({"id": october["id"]})).await["node"]["creditNotes"][0].clone();
        let note_number = note["creditNoteNumber"].as_str().unwrap().to_owned();
        assert_eq!(parsed(&filed[1])["cdnr"][0]["ctin"], CUSTOMER_GSTIN, "the note was filed in November");

        let amended = app.data(AMEND, json!({"id": october["id"], "i": amendment(RIGHT_GSTIN)})).await["amendInvoice"].clone();
        assert_eq!(amended["customerGstin"], RIGHT_GSTIN);
        assert_eq!(amended["totalAmount"], "1062.00", "amounts do not change: 1180 less the 118 credit note");

        // The filed returns are as filed; this month's reports the amendment.
        assert_eq!([gstr1(&app, &company, "2026-10").await, gstr1(&app, &company, "2026-11").await], filed);
        let now = parsed(&gstr1(&app, &company, &crate_today_month()).await);
        let number = october["invoiceNumber"].as_str().unwrap();
        let b2ba = &now["b2ba"];
        assert_eq!(b2ba.as_array().unwrap().len(), 1, "{now:#}");
        assert_eq!(b2ba[0]["ctin"], RIGHT_GSTIN);
        let inv = &b2ba[0]["inv"][0];
        assert_eq!((inv["oinum"].as_str(), inv["inum"].as_str()), (Some(number), Some(number)));
        assert_eq!((inv["oidt"].as_str(), inv["idt"].as_str()), (Some("10-10-2026"), Some("10-10-2026")));
        assert_eq!((inv["val"].as_f64(), inv["pos"].as_str()), (Some(1180.0), Some("27")), "as issued");
        assert_eq!(inv["itms"][0]["itm_det"], json!({"rt": 18.0, "txval": 1000.0, "camt": 90.0, "samt": 90.0, "csamt": 0.0}));
        let nt = &now["cdnra"][0];
        assert_eq!(nt["ctin"], RIGHT_GSTIN);
        assert_eq!((nt["nt"][0]["ont_num"].as_str(), nt["nt"][0]["nt_num"].as_str()), (Some(note_number.as_str()), Some(note_number.as_str())));
        assert_eq!((nt["nt"][0]["ntty"].as_str(), nt["nt"][0]["val"].as_f64()), (Some("C"), Some(118.0)));
        assert!(now.get("b2csa").is_none(), "nothing moved from B2C: {now:#}");
        let (off, seen) = isp_billing::gstr1::build::off_portal_keys(&now);
        assert!(off.is_empty(), "{off:#?}");
        for path in ["b2ba.inv.itms.itm_det/INTRA", "cdnra.nt.itms.itm_det/INTRA"] {
            assert!(seen.contains(path), "{path} not in {seen:?}");
        }
        let rows = csv_rows(&app, &company, &crate_today_month(), "b2ba").await;
        assert_eq!(
            rows,
            [format!("{RIGHT_GSTIN},Customer joshi,{number},10-Oct-26,{number},10-Oct-26,1180.00,27-Maharashtra,N,,Regular B2B,,18,1000.00,0.00")]
        );
        let rows = csv_rows(&app, &company, &crate_today_month(), "cdnra").await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert!(rows[0].starts_with(&format!("{RIGHT_GSTIN},Customer joshi,{note_number},")), "{rows:?}");

        // Reprints show the correction; the audit log has it.
        let page = invoice_html(&app, october["id"].as_str().unwrap()).await;
        assert!(page.contains(RIGHT_GSTIN), "{page}");
        assert!(page.contains(&format!("recipient GSTIN corrected (was {CUSTOMER_GSTIN}); GSTIN typed wrong on the CAF")), "{page}");
        let note_page = html(&app, note["htmlUrl"].as_str().unwrap()).await;
        assert!(note_page.contains(RIGHT_GSTIN), "{note_page}");
        let audit = "query { auditLog(filter: {operation: \"amendInvoice\"}) { nodes { details } } }";
        let details = app.data(audit, json!({})).await["auditLog"]["nodes"][0]["details"].clone();
        let month = crate_today_month();
        assert_eq!(
            details,
            format!("{number}: customerGstin: {CUSTOMER_GSTIN} -> {RIGHT_GSTIN}; reported as b2ba in the return of {month}; reason: \"GSTIN typed wrong on the CAF\"")
        );

        // A later credit note goes to the right GSTIN.
        let adjust = "mutation($id: ID!) { adjustInvoice(id: $id, credit: \"59\", reason: \"outage\") { id } }";
        app.data(adjust, json!({"id": october["id"]})).await;
        let now = parsed(&gstr1(&app, &company, &crate_today_month()).await);
        assert_eq!(now["cdnr"][0]["ctin"], RIGHT_GSTIN, "{now:#}");

        // Refusals, each saying why.
        let again = app.error(AMEND, json!({"id": october["id"], "i": amendment(RIGHT_GSTIN)})).await;
        assert_code(&again, "BAD_USER_INPUT", Some("customerGstin"));
        let karnataka = other_state_gstin();
        let refused = app.error(AMEND, json!({"id": october["id"], "i": amendment(&karnataka)})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("customerGstin"));
        let refused = app.error(AMEND, json!({"id": october["id"], "i": amendment("27AAPFU0939F1ZX")})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("customerGstin"));
        let own = app.error(AMEND, json!({"id": october["id"], "i": amendment(SUPPLIER_GSTIN)})).await;
        assert_code(&own, "BAD_USER_INPUT", Some("customerGstin"));
        let proforma = draft(&app, &customer, "200", &crate_today()).await;
        let refused = app.error(AMEND, json!({"id": proforma["id"], "i": amendment(RIGHT_GSTIN)})).await;
        assert_code(&refused, "CONFLICT", None);
        assert!(refused["message"].as_str().unwrap().contains("proforma"), "{refused}");
        let collector = app.staff("amendcollector", crate::fixtures::Role::Collector).await;
        let refused = app.error_as(Some(&collector), AMEND, json!({"id": october["id"], "i": amendment(CUSTOMER_GSTIN)})).await;
        assert_code(&refused, "FORBIDDEN", None);
    }
}

on_both_databases! {
    async fn an_invoice_filed_as_b2c_moves_to_b2b_and_the_summary_is_revised(app: TestApp) {
        let (company, plan) = registered(&app).await;
        let mut customers = Vec::new();
        for name in ["patil", "rane", "more"] {
            let c = app.customer(name, &plan).set("periodMonths", 1).create().await;
            customers.push(c["id"].as_str().unwrap().to_owned());
        }
        let patil = issue(&app, &draft(&app, &customers[0], "1000", "2026-10-05").await, None).await;
        issue(&app, &draft(&app, &customers[1], "500", "2026-10-06").await, None).await;
        let rane_later = issue(&app, &draft(&app, &customers[1], "100", "2026-10-07").await, None).await;
        credit_note_on(&app, &rane_later["id"], 118, "2026-10-20").await;
        let november = issue(&app, &draft(&app, &customers[2], "300", "2026-11-03").await, None).await;
        app.data(CLOSE, json!({"c": company, "p": "2026-10"})).await;
        let october = gstr1(&app, &company, "2026-10").await;
        assert_eq!(parsed(&october)["b2cs"][0]["txval"], 1500.0, "1000 + 500 + 100 - 100: {october}");
        // A note filed in the B2C summary cannot follow its invoice to B2B.
        let refused = app.error(AMEND, json!({"id": rane_later["id"], "i": amendment(RIGHT_GSTIN)})).await;
        assert_code(&refused, "CONFLICT", None);
        assert!(refused["message"].as_str().unwrap().contains("1 credit or debit note(s) of it are in filed returns"), "{refused}");

        // October is filed: the invoice goes to this month's b2b with its own date, and
        // b2csa restates October's summary without it.
        app.data(AMEND, json!({"id": patil["id"], "i": amendment(CUSTOMER_GSTIN)})).await;
        // November is open: its own return shows the invoice amended, nothing later does.
        app.data(AMEND, json!({"id": november["id"], "i": amendment(RIGHT_GSTIN)})).await;

        assert_eq!(gstr1(&app, &company, "2026-10").await, october, "the filed return is as filed");
        let nov = parsed(&gstr1(&app, &company, "2026-11").await);
        assert_eq!(nov["b2b"][0]["ctin"], RIGHT_GSTIN, "{nov:#}");
        assert_eq!(nov["b2b"][0]["inv"][0]["inum"], november["invoiceNumber"]);
        assert_eq!(nov["b2cs"], json!([]), "{nov:#}");
        let now = parsed(&gstr1(&app, &company, &crate_today_month()).await);
        let b2b = now["b2b"].as_array().unwrap();
        assert_eq!(b2b.len(), 1, "only the October invoice: {now:#}");
        assert_eq!(b2b[0]["ctin"], CUSTOMER_GSTIN);
        assert_eq!((b2b[0]["inv"][0]["inum"].clone(), b2b[0]["inv"][0]["idt"].as_str()), (patil["invoiceNumber"].clone(), Some("05-10-2026")));
        assert_eq!(
            now["b2csa"],
            json!([{"omon": "102026", "sply_ty": "INTRA", "typ": "OE", "pos": "27",
                    "itms": [{"rt": 18.0, "txval": 500.0, "camt": 45.0, "samt": 45.0, "csamt": 0.0}]}])
        );
        assert!(now.get("b2ba").is_none(), "{now:#}");
        let (off, seen) = isp_billing::gstr1::build::off_portal_keys(&now);
        assert!(off.is_empty(), "{off:#?}");
        assert!(seen.contains("b2csa.itms/INTRA"), "{seen:?}");
        assert_eq!(csv_rows(&app, &company, &crate_today_month(), "b2csa").await, ["2026-27,OCTOBER,27-Maharashtra,OE,,18,500.00,0.00,"]);
        // Table 12 follows: the value moves from the B2C to the B2B list.
        let row = |list: &str| now["hsn"][list].as_array().unwrap().iter().find(|r| r["hsn_sc"] == "9984").cloned();
        assert_eq!(row("hsn_b2b").map(|r| r["txval"].clone()), Some(json!(1000.0)), "{now:#}");
        assert_eq!(row("hsn_b2c").map(|r| r["txval"].clone()), Some(json!(-1000.0)), "{now:#}");
        let page = invoice_html(&app, patil["id"].as_str().unwrap()).await;
        assert!(page.contains("recipient GSTIN corrected (was unregistered)"), "{page}");

        // October reopened (a mistaken closing): the amended invoice still cannot be
        // cancelled, and a further amendment still goes to this month's return.
        let reopen = "mutation($c: ID!) { reopenGstPeriod(companyId: $c, period: \"2026-10\", reason: \"closed too early\") }";
        app.data(reopen, json!({"c": company})).await;
        let cancel = "mutation($id: ID!) { updateInvoiceStatus(id: $id, status: CANCELLED) { status } }";
        let refused = app.error(cancel, json!({"id": patil["id"]})).await;
        assert_code(&refused, "CONFLICT", None);
        assert!(refused["message"].as_str().unwrap().contains("amended in a filed month's return"), "{refused}");
        app.data(AMEND, json!({"id": patil["id"], "i": amendment(RIGHT_GSTIN)})).await;
        assert_eq!(gstr1(&app, &company, "2026-10").await, october, "October's return is still as filed");
        let now = parsed(&gstr1(&app, &company, &crate_today_month()).await);
        assert_eq!(now["b2b"][0]["ctin"], RIGHT_GSTIN, "moved, then corrected again this month: {now:#}");
        assert_eq!(now["b2csa"][0]["itms"][0]["txval"], 500.0);
    }
}

/// A valid GSTIN registered in Karnataka (29): the customer's PAN with the check character
/// that makes it valid.
fn other_state_gstin() -> String {
    let body = format!("29{}", &CUSTOMER_GSTIN[2..14]);
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|g| isp_billing::validate::gstin("g", g).is_ok())
        .expect("a check character")
}
