//! What the office prints on an invoice beyond Rule 46 (issue #30 item 10): the customer's
//! number and CAF number and the signatory (frozen when issued), the credit notes that changed
//! it and a UPI QR code for its balance (read when printed), discounts as `−₹`, add-on kinds
//! in words. Read back from the PDF (poppler's `pdftotext`, and `pdftoppm` to scan the QR
//! code) and from the HTML (its SVG QR code scanned).

use serde_json::json;

use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

const PDFTOTEXT: &str = "/usr/bin/pdftotext";
const PDFTOPPM: &str = "/usr/bin/pdftoppm";

const UPDATE_COMPANY: &str = "mutation($id: ID!, $i: UpdateCompanyInput!) { updateCompany(id: $id, input: $i) {
    id signatoryName upiVpa } }";
const ISSUE: &str = "mutation($id: ID!) { issueInvoice(id: $id) { id invoiceNumber totalAmount balanceAmount } }";
const ADJUST: &str = "mutation($id: ID!, $c: Money!) { adjustInvoice(id: $id, credit: $c, reason: \"outage\") {
    creditNotes { creditNoteNumber noteDate } balanceAmount } }";
const URLS: &str = "query($id: ID!) { node(id: $id) { ... on Invoice { pdfUrl htmlUrl } } }";

/// GET `path` as the admin.
async fn get(app: &TestApp, path: &str) -> Vec<u8> {
    let response = app.client.get(app.url(path)).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

/// Invoice `id`'s PDF and HTML.
async fn documents(app: &TestApp, id: &str) -> (Vec<u8>, String) {
    let urls = app.data(URLS, json!({"id": id})).await["node"].clone();
    let pdf = get(app, urls["pdfUrl"].as_str().unwrap()).await;
    let html = String::from_utf8(get(app, urls["htmlUrl"].as_str().unwrap()).await).unwrap();
    (pdf, html)
}

/// Runs poppler's `tool` on `pdf` with `args` (then the file, then `after`); its output.
fn poppler(tool: &str, args: &[&str], pdf: &[u8], after: &[&str]) -> Vec<u8> {
    assert!(
        std::path::Path::new(tool).exists(),
        "this test needs poppler's {tool}: apt-get install poppler-utils (.ci/run does it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new(tool).args(args).arg(&file).args(after).output().unwrap();
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The PDF's text as `pdftotext -layout` reads it.
fn pdf_text(pdf: &[u8]) -> String {
    String::from_utf8(poppler(PDFTOTEXT, &["-layout"], pdf, &["-"])).unwrap()
}

/// The QR codes on the PDF's first page, as a phone would read them from a 150 dpi print.
fn scan_pdf(pdf: &[u8]) -> Vec<String> {
    let pgm = poppler(PDFTOPPM, &["-gray", "-r", "150", "-f", "1", "-l", "1"], pdf, &[]);
    // A binary PGM: "P5", width, height, maxval (each after whitespace), one byte a pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &pgm[at + 1..];
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    image.detect_grids().iter().filter_map(|g| g.decode().ok()).map(|(_, text)| text).collect()
}

/// The QR codes in the page's inline SVGs (`viewBox="0 0 N N"`, one `M x yh n v1 h-n z` a
/// run of dark modules), scanned at 4 pixels a module.
fn scan_html(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for svg in html.split("<svg").skip(1) {
        let size: usize = svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut dark = vec![false; size * size];
        for run in d.split('M').filter(|r| !r.is_empty()) {
            // "x yhNv1h-Nz"
            let (xy, rest) = run.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let n: usize = rest.split('v').next().unwrap().parse().unwrap();
            for i in x..x + n {
                dark[y * size + i] = true;
            }
        }
        let scale = 4;
        let mut image = rqrr::PreparedImage::prepare_from_bitmap(size * scale, size * scale, |x, y| {
            dark[(y / scale) * size + x / scale]
        });
        out.extend(image.detect_grids().iter().filter_map(|g| g.decode().ok()).map(|(_, text)| text));
    }
    out
}

/// The `upi://pay` link for `rupees` of invoice `number` to the test company.
fn pay_link(vpa: &str, rupees: &str, number: &str) -> String {
    let number = number.replace('/', "%2F");
    format!("upi://pay?pa={vpa}&pn=Vidarbha%20Fibernet&am={rupees}&tn=Invoice%20{number}&tr={number}&cu=INR")
}

/// `text` with no run of spaces (what `pdftotext -layout` puts between columns).
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

on_both_databases! {
    async fn invoices_print_numbers_notes_signatory_and_a_upi_code_for_the_balance(app: TestApp) {
        let company = app
            .company()
            .set("gstin", "27AAPFU0939F1ZV")
            .set("address", "Main Road, Dharampeth\nNagpur 440010")
            .set("signatoryName", "Asha Deshmukh")
            .set("upiVpa", " Vidarbha.Fibernet@OKAXIS ")
            .create()
            .await;
        let q = "query($id: ID!) { node(id: $id) { ... on Company { signatoryName upiVpa } } }";
        let settings = app.data(q, json!({"id": company})).await["node"].clone();
        assert_eq!(settings, json!({"signatoryName": "Asha Deshmukh", "upiVpa": "vidarbha.fibernet@okaxis"}));
        let vpa = "vidarbha.fibernet@okaxis";

        // Refused on the field, with what is wrong.
        for bad in ["vidarbha", "vidarbha@", "@okaxis", "vidar bha@okaxis", "vidarbha@ok.axis", "a@b&am=1"] {
            let refused = app.error(UPDATE_COMPANY, json!({"id": company, "i": {"upiVpa": bad}})).await;
            assert_code(&refused, "BAD_USER_INPUT", Some("upiVpa"));
            assert!(refused["message"].as_str().unwrap().contains("UPI address"), "{refused}");
        }
        let refused = app.error(UPDATE_COMPANY, json!({"id": company, "i": {"signatoryName": "Asha\nDeshmukh"}})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("signatoryName"));

        let plan = app.plan(&company).price("1000").create().await;
        let (customer, _) = app.customer("kulkarni", &plan).set("periodMonths", 1).create_with_invoice().await;
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { customerId cafNo } } }";
        let numbers = app.data(q, json!({"id": customer})).await["node"].clone();
        let (customer_number, caf) = (numbers["customerId"].as_str().unwrap(), numbers["cafNo"].as_str().unwrap());

        // An equipment sale joins the next invoice, which has a discount: 1000 + 1500 − 49 =
        // 2451 taxable, + 9 % + 9 % = 2892.18.
        let add = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) { id } }";
        app.data(add, json!({"i": {"customerId": customer, "addonType": "ROUTER_SALE", "description": "TP-Link router",
            "amount": "1500", "billOn": "NEXT_INVOICE"}})).await;
        let draft = app.invoice(json!({"customerId": customer, "billAmount": "1000", "discount": "49"})).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        let issued = app.data(ISSUE, json!({"id": id})).await["issueInvoice"].clone();
        assert_eq!(issued["totalAmount"], "2892.18");
        let number = issued["invoiceNumber"].as_str().unwrap().to_owned();

        let (pdf, html) = documents(&app, &id).await;
        let text = squeeze(&pdf_text(&pdf));
        for expected in [
            format!("Customer No. {customer_number}"),
            format!("CAF No. {caf}"),
            "Less discount −₹49.00".to_owned(),
            "TP-Link router (Equipment sale)".to_owned(),
            "For Vidarbha Fibernet".to_owned(),
            "Asha Deshmukh".to_owned(),
            "Authorised signatory".to_owned(),
            "Scan to pay ₹2,892.18".to_owned(),
            format!("UPI: {vpa}"),
        ] {
            assert!(text.contains(&expected), "the PDF lacks {expected:?}:\n{text}");
        }
        assert!(!text.contains("ROUTER_SALE") && !text.contains("₹-"), "{text}");
        let link = pay_link(vpa, "2892.18", &number);
        assert_eq!(scan_pdf(&pdf), [link.as_str()], "the PDF's QR code pays the balance");
        assert_eq!(scan_html(&html), [link.as_str()], "the page's QR code pays the balance");
        assert!(html.contains(&format!("href=\"{}\"", link.replace('&', "&amp;"))), "a tap pays too");
        for expected in ["−₹49.00", "TP-Link router (Equipment sale)", "Asha Deshmukh", "Authorised signatory", caf] {
            assert!(html.contains(expected), "the page lacks {expected:?}");
        }

        // The QR code follows the balance: part paid, then a credit note (listed on the invoice).
        app.pay(json!({"invoiceId": id, "amount": "1000", "paymentMethod": "CASH"})).await;
        let (pdf, _) = documents(&app, &id).await;
        assert_eq!(scan_pdf(&pdf), [pay_link(vpa, "1892.18", &number)]);
        let adjusted = app.data(ADJUST, json!({"id": id, "c": "100"})).await["adjustInvoice"].clone();
        assert_eq!(adjusted["balanceAmount"], "1792.18");
        let note = adjusted["creditNotes"][0].clone();
        let dated = note["noteDate"].as_str().unwrap();
        let dated = format!("{}-{}-{}", &dated[8..10], &dated[5..7], &dated[..4]);
        let listed = format!("Less credit note {} dated {dated} −₹100.00", note["creditNoteNumber"].as_str().unwrap());
        let (pdf, html) = documents(&app, &id).await;
        let text = squeeze(&pdf_text(&pdf));
        assert!(text.contains(&listed), "the PDF lacks {listed:?}:\n{text}");
        assert!(text.contains("Total ₹2,892.18"), "the total as issued:\n{text}");
        assert!(text.contains("Scan to pay ₹1,792.18") && text.contains("Balance ₹1,792.18"), "{text}");
        assert_eq!(scan_pdf(&pdf), [pay_link(vpa, "1792.18", &number)]);
        assert_eq!(scan_html(&html), [pay_link(vpa, "1792.18", &number)]);

        // The signatory is frozen: a new name reaches new documents only.
        let before = documents(&app, &id).await.1;
        app.data(UPDATE_COMPANY, json!({"id": company, "i": {"signatoryName": "R. Patil"}})).await;
        assert_eq!(documents(&app, &id).await.1, before, "an issued invoice reprints as issued");
        let fresh = app.invoice(json!({"customerId": customer, "billAmount": "100", "issue": true})).await;
        let fresh_id = fresh["id"].as_str().unwrap().to_owned();
        let page = documents(&app, &fresh_id).await.1;
        assert!(page.contains("R. Patil") && !page.contains("Asha Deshmukh"), "{page}");

        // No UPI address, no QR code (on old invoices too: the code is read when printed).
        app.data(UPDATE_COMPANY, json!({"id": company, "i": {"upiVpa": null}})).await;
        let (pdf, html) = documents(&app, &id).await;
        assert!(!html.contains("upi://") && !pdf_text(&pdf).contains("Scan to pay"));
        assert!(scan_pdf(&pdf).is_empty());
        app.data(UPDATE_COMPANY, json!({"id": company, "i": {"upiVpa": vpa}})).await;
        assert_eq!(scan_html(&documents(&app, &id).await.1), [pay_link(vpa, "1792.18", &number)]);
        // Nothing owed, no QR code; nor on a cancelled invoice.
        app.pay(json!({"invoiceId": id, "amount": "1792.18", "paymentMethod": "CASH"})).await;
        let (pdf, html) = documents(&app, &id).await;
        assert!(!html.contains("upi://") && !pdf_text(&pdf).contains("Scan to pay"), "{html}");
        assert!(html.contains("Authorised signatory"), "the rest prints as before");
        let cancel = "mutation($id: ID!) { updateInvoiceStatus(id: $id, status: CANCELLED) { status } }";
        app.data(cancel, json!({"id": fresh_id})).await;
        assert!(!documents(&app, &fresh_id).await.1.contains("upi://"), "a cancelled invoice is owed nothing");
    }

    async fn documents_issued_before_the_print_settings_reprint_as_they_were(app: TestApp) {
        let company = app
            .company()
            .set("gstin", "27AAPFU0939F1ZV")
            .set("address", "Main Road, Dharampeth\nNagpur 440010")
            .set("signatoryName", "Asha Deshmukh")
            .create()
            .await;
        let plan = app.plan(&company).price("1000").create().await;
        let (customer, _) = app.customer("joshi", &plan).set("periodMonths", 1).create_with_invoice().await;
        let issued = app.invoice(json!({"customerId": customer, "billAmount": "500", "issue": true})).await;
        let id = issued["id"].as_str().unwrap().to_owned();
        assert!(documents(&app, &id).await.1.contains("Asha Deshmukh"));
        // An invoice an earlier version issued has no snapshot until start-up or a reprint
        // freezes it: as it printed then, without the numbers and the signatory block.
        app.sql("DELETE FROM document_snapshots").unwrap();
        let html = documents(&app, &id).await.1;
        assert!(!html.contains("Authorised signatory") && !html.contains("Customer No."), "{html}");
        assert_eq!(documents(&app, &id).await.1, html, "and so it stays");
        // Its credit notes from now on are signed.
        let adjusted = app.data(ADJUST, json!({"id": id, "c": "10"})).await["adjustInvoice"].clone();
        assert_eq!(adjusted["creditNotes"].as_array().map(Vec::len), Some(1));
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { creditNotes { htmlUrl } } } }";
        let url = app.data(q, json!({"id": id})).await["node"]["creditNotes"][0]["htmlUrl"].as_str().unwrap().to_owned();
        let note = String::from_utf8(get(&app, &url).await).unwrap();
        assert!(note.contains("Authorised signatory") && note.contains("Asha Deshmukh"), "{note}");
    }
}
