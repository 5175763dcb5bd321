//! GST numbering series (Rule 46) and credit notes (Rule 53): consecutive financial-year
//! serials under concurrency and rollbacks, the 1 April restart, and credit notes that reverse
//! the taxes to the paisa.

use serde_json::{json, Value};

use crate::documents::SET_INVOICE_STATUS;
use crate::helpers::{assert_code, check_invariants, paise, Kind, TestApp};
use crate::on_both_databases;

/// Vidarbha Fibernet's GSTIN (Maharashtra).
const SUPPLIER_GSTIN: &str = "27AAPFU0939F1ZV";
/// A registered business customer in Maharashtra.
const CUSTOMER_GSTIN: &str = "27AABCU9603R1ZN";

/// A company numbering by financial year under `prefix`, and its ₹1,000 broadband plan.
async fn fy_company(app: &TestApp, prefix: &str) -> (String, String) {
    let company = app
        .company()
        .set("gstin", SUPPLIER_GSTIN)
        .set("invoiceNumbering", "FINANCIAL_YEAR")
        .set("invoicePrefix", prefix)
        .create()
        .await;
    let plan = app.plan(&company).price("1000").create().await;
    (company, plan)
}

/// The serial at the end of a financial-year number (`VF/26-27/0000012` → 12).
fn serial(number: &str) -> i64 {
    number.rsplit('/').next().unwrap().parse().unwrap_or_else(|_| panic!("no serial in {number}"))
}

const INVOICE_NUMBERS: &str = "query { invoices(first: 100) { nodes { invoiceNumber } } }";

async fn all_numbers(app: &TestApp) -> Vec<String> {
    let data = app.data(INVOICE_NUMBERS, json!({})).await;
    data["invoices"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["invoiceNumber"].as_str().unwrap().to_owned())
        .collect()
}

/// Makes the database refuse, after the row is written, any invoice whose bill is ₹42.42: a
/// failure inside the invoice's transaction after its serial was taken.
fn fail_invoices_of_4242(app: &TestApp) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let url = app.database_url();
    match app.kind {
        Kind::Sqlite => {
            let mut c = diesel::SqliteConnection::establish(url).unwrap();
            c.batch_execute(
                "CREATE TRIGGER test_fail_4242 AFTER INSERT ON invoices WHEN NEW.bill_paise = 4242
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            )
            .unwrap();
        }
        Kind::Postgres => {
            let mut c = diesel::PgConnection::establish(url).unwrap();
            c.batch_execute(
                "CREATE FUNCTION test_fail_4242() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN IF NEW.bill_paise = 4242 THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
                 CREATE TRIGGER test_fail_4242 AFTER INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION test_fail_4242();",
            )
            .unwrap();
        }
    }
}

on_both_databases! {
    async fn concurrent_invoices_get_consecutive_serials(app: TestApp) {
        let (_, plan) = fy_company(&app, "VF").await;
        let mut customers = Vec::new();
        for i in 0..5 {
            // Each customer's opening invoice takes a serial too.
            // Each customer's opening invoice is a proforma: it takes no serial.
            customers.push(app.customer(&format!("fy{i}"), &plan).create_with_invoice().await.0);
        }
        let mut tasks = Vec::new();
        for i in 0..50 {
            let customer = customers[i % customers.len()].clone();
            let app = &app;
            tasks.push(async move {
                let input = json!({"customerId": customer, "billAmount": "100", "invoiceDate": "2026-11-20", "issue": true});
                app.invoice(input).await
            });
        }
        futures_util::future::join_all(tasks).await;
        let all = all_numbers(&app).await;
        assert_eq!(all.len(), 55);
        let numbers: Vec<&String> = all.iter().filter(|n| !n.starts_with("PRO")).collect();
        assert_eq!(numbers.len(), 50, "{all:?}");
        let mut serials: Vec<i64> = numbers.iter().map(|n| serial(n)).collect();
        serials.sort_unstable();
        assert_eq!(serials, (1..=50).collect::<Vec<_>>(), "no gap, no repeat");
        for n in &numbers {
            assert!(n.starts_with("VF/26-27/") && n.len() == 16, "{n}");
        }
    }

    async fn a_rolled_back_invoice_gives_its_serial_back(app: TestApp) {
        let (_, plan) = fy_company(&app, "RB").await;
        let (customer, _) = app.customer("rollback", &plan).create_with_invoice().await;
        let first = app.invoice(json!({"customerId": customer, "billAmount": "100", "issue": true})).await;
        assert_eq!(serial(first["invoiceNumber"].as_str().unwrap()), 1, "the opening proforma took none");
        fail_invoices_of_4242(&app);
        let input = json!({"customerId": customer, "billAmount": "42.42", "issue": true});
        let e = app.error(crate::documents::CREATE_INVOICE, json!({"i": input})).await;
        assert_code(&e, "INTERNAL_SERVER_ERROR", None);
        let next = app.invoice(json!({"customerId": customer, "billAmount": "100", "issue": true})).await;
        assert_eq!(next["invoiceNumber"], "RB/26-27/0000002", "the failed invoice's serial is used again");
        // An issued number is never deleted; it is cancelled and stays in the series.
        let e = app.error("mutation($id: ID!) { deleteInvoice(id: $id) }", json!({"id": next["id"]})).await;
        assert_code(&e, "CONFLICT", None);
        let cancelled = app.data(SET_INVOICE_STATUS, json!({"id": next["id"], "s": "CANCELLED"})).await;
        assert_eq!(cancelled["updateInvoiceStatus"]["status"], "CANCELLED");
        let after = app.invoice(json!({"customerId": customer, "billAmount": "100", "issue": true})).await;
        assert_eq!(after["invoiceNumber"], "RB/26-27/0000003");
        let e = app.error("mutation($id: ID!) { deleteCustomer(id: $id) }", json!({"id": customer})).await;
        assert_code(&e, "CONFLICT", None);
        check_invariants(&app, &customer).await;
    }

    async fn the_series_restarts_on_the_first_of_april(app: TestApp) {
        let (_, plan) = fy_company(&app, "INV").await;
        let (customer, _) = app.customer("april", &plan).create_with_invoice().await;
        let raise = |date: &'static str| {
            let app = &app;
            let customer = customer.clone();
            async move {
                let input = json!({"customerId": customer, "billAmount": "10", "invoiceDate": date, "issue": true});
                let i = app.invoice(input).await;
                i["invoiceNumber"].as_str().unwrap().to_owned()
            }
        };
        assert_eq!(raise("2026-03-31").await, "INV/25-26/000001");
        assert_eq!(raise("2026-04-01").await, "INV/26-27/000001");
        assert_eq!(raise("2026-04-02").await, "INV/26-27/000002");
        assert_eq!(raise("2026-03-31").await, "INV/25-26/000002", "the old year's series goes on where it was");
        // ...but never before its last date: numbers follow dates.
        let input = json!({"customerId": customer, "billAmount": "10", "invoiceDate": "2026-03-30", "issue": true});
        let e = app.error(crate::documents::CREATE_INVOICE, json!({"i": input})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("invoiceDate"));
    }

    async fn credit_notes_reverse_the_taxes_to_the_paisa(app: TestApp) {
        let (_, plan) = fy_company(&app, "VF").await;
        let (customer, opening) =
            app.customer("b2b", &plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1).create_with_invoice().await;
        let adjust = "mutation($id: ID!, $c: Money!, $r: String!) { adjustInvoice(id: $id, credit: $c, reason: $r) {
            discount cgstTax sgstTax igstTax totalAmount balanceAmount status
            creditNotes { creditNoteNumber taxableValue cgstTax sgstTax igstTax amount reason issuedBy
                          invoice { invoiceNumber } pdfUrl } } }";
        // A draft is not issued yet: it changes, no credit note.
        let draft = app.data(adjust, json!({"id": opening, "c": "0.01", "r": "rounding"})).await["adjustInvoice"].clone();
        assert_eq!(draft["creditNotes"], json!([]));
        assert_eq!(draft["totalAmount"], "1179.99");
        // Issued: 1,000 + 90 + 90 less 0.01 already waived.
        let (customer2, invoice) =
            app.customer("b2b2", &plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1).create_with_invoice().await;
        app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        let inv = app.data(adjust, json!({"id": invoice, "c": "333.33", "r": "outage 3-9 Nov"})).await["adjustInvoice"].clone();
        let note = &inv["creditNotes"][0];
        assert_eq!(note["creditNoteNumber"], "CN/26-27/0000001");
        // 333.33 × 90/1180 = 25.4235 → 25.42 each; the rest is value.
        assert_eq!(note["cgstTax"], "25.42");
        assert_eq!(note["sgstTax"], "25.42");
        assert_eq!(note["igstTax"], "0.00");
        assert_eq!(note["taxableValue"], "282.49");
        assert_eq!(note["amount"], "333.33");
        assert_eq!(note["issuedBy"], "admin");
        assert_eq!(note["reason"], "outage 3-9 Nov");
        assert_eq!(note["invoice"]["invoiceNumber"], "VF/26-27/0000001", "the first issued: b2b's is a proforma");
        assert!(note["pdfUrl"].as_str().unwrap().starts_with("/credit-notes/"));
        assert_eq!(inv["cgstTax"], "64.58");
        assert_eq!(inv["sgstTax"], "64.58");
        assert_eq!(inv["discount"], "282.49");
        assert_eq!(inv["totalAmount"], "846.67");
        // A second, tiny credit: all value, no tax.
        let inv = app.data(adjust, json!({"id": invoice, "c": "0.01", "r": "goodwill"})).await["adjustInvoice"].clone();
        let tiny = &inv["creditNotes"][1];
        assert_eq!((tiny["creditNoteNumber"].as_str(), tiny["taxableValue"].as_str()), (Some("CN/26-27/0000002"), Some("0.01")));
        assert_eq!(paise(&tiny["cgstTax"]) + paise(&tiny["sgstTax"]), 0);
        // The ledger names the credit note; the list finds both.
        let account = check_invariants(&app, &customer2).await;
        let rows = "query($c: ID!) { transactions(filter: {customerId: $c}, last: 5) { nodes { transactionType description creditNote { creditNoteNumber } } } }";
        let ledger = app.data(rows, json!({"c": customer2})).await;
        let adjustments: Vec<&Value> = ledger["transactions"]["nodes"].as_array().unwrap().iter()
            .filter(|t| t["transactionType"] == "ADJUSTMENT").collect();
        assert_eq!(adjustments.len(), 2, "{account:#}");
        assert_eq!(adjustments[0]["creditNote"]["creditNoteNumber"], "CN/26-27/0000001");
        assert!(adjustments[0]["description"].as_str().unwrap().contains("CN/26-27/0000001"));
        let list = app.data("query($c: ID) { creditNotes(filter: {customerId: $c}) { totalCount nodes { amount } } }", json!({"c": customer2})).await;
        assert_eq!(list["creditNotes"]["totalCount"], 2);
        check_invariants(&app, &customer).await;
        // The customer sees their own credit notes, not others'.
        let token = app.login("b2b", crate::fixtures::CUSTOMER_PASSWORD).await;
        let theirs = app.data_as(Some(&token), "query { creditNotes { totalCount } }", json!({})).await;
        assert_eq!(theirs["creditNotes"]["totalCount"], 0);
    }
}

#[tokio::test]
async fn timestamp_companies_number_credit_notes_by_time() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    // Timestamp numbers: only a company without a GSTIN may keep them.
    let company = app.company().set("gstin", Value::Null).set("invoiceNumbering", "TIMESTAMP").create().await;
    let plan = app.plan(&company).create().await;
    let (_, invoice) = app.customer("tsco", &plan).create_with_invoice().await;
    app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
    let adjust = "mutation($id: ID!) { adjustInvoice(id: $id, credit: \"100\", reason: \"outage\") {
        invoiceNumber creditNotes { creditNoteNumber } } }";
    let inv = app.data(adjust, json!({"id": invoice})).await["adjustInvoice"].clone();
    assert!(inv["invoiceNumber"].as_str().unwrap().starts_with("INV2"), "{inv}");
    let number = inv["creditNotes"][0]["creditNoteNumber"].as_str().unwrap();
    assert!(number.starts_with("CN2") && number.len() == 16, "CN + YYYYMMDDHHmmss: {number}");
    // Drafts of timestamp companies can still be deleted, as before.
    let customer = app.data("query { customers(first: 1) { nodes { id } } }", json!({})).await["customers"]["nodes"][0]
        ["id"]
        .clone();
    let draft = app.invoice(json!({"customerId": customer, "billAmount": "10"})).await;
    app.data("mutation($id: ID!) { deleteInvoice(id: $id) }", json!({"id": draft["id"]})).await;
}

#[tokio::test]
async fn prefixes_are_checked_and_never_shared() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let create = crate::documents::CREATE_COMPANY;
    let input = |name: &str, extra: Value| {
        let mut i = json!({"name": name, "state": "Maharashtra", "invoiceNumbering": "FINANCIAL_YEAR"});
        i.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"input": i})
    };
    assert_code(
        &app.error(create, input("A", json!({"invoicePrefix": "INVOI"}))).await,
        "BAD_USER_INPUT",
        Some("invoicePrefix"),
    );
    assert_code(
        &app.error(create, input("A", json!({"invoicePrefix": "A/B"}))).await,
        "BAD_USER_INPUT",
        Some("invoicePrefix"),
    );
    assert_code(
        &app.error(create, input("A", json!({"invoicePrefix": "CN"}))).await,
        "BAD_USER_INPUT",
        Some("creditNotePrefix"),
    );
    let a = app.data(create, input("A", json!({"invoicePrefix": "abc", "creditNotePrefix": "ac"}))).await;
    let a = a["createCompany"]["id"].as_str().unwrap().to_owned();
    let read = app
        .data(
            "query($id: ID!) { company(id: $id) { invoiceNumbering invoicePrefix creditNotePrefix } }",
            json!({"id": a}),
        )
        .await;
    assert_eq!(
        read["company"],
        json!({"invoiceNumbering": "FINANCIAL_YEAR", "invoicePrefix": "ABC", "creditNotePrefix": "AC"})
    );
    let e = app.error(create, input("B", json!({"invoicePrefix": "ABC", "creditNotePrefix": "BC"}))).await;
    assert_code(&e, "CONFLICT", None);
    assert!(e["message"].as_str().unwrap().contains("invoicePrefix"), "{e}");
    // Once A has issued under ABC, B cannot take ABC even after A stops numbering by year.
    let plan = app.plan(&a).create().await;
    let (_, opening) = app.customer("abc1", &plan).create_with_invoice().await;
    app.data(SET_INVOICE_STATUS, json!({"id": opening, "s": "SENT"})).await;
    let update =
        "mutation($id: ID!, $i: UpdateCompanyInput!) { updateCompany(id: $id, input: $i) { invoiceNumbering } }";
    app.data(update, json!({"id": a, "i": {"invoiceNumbering": "TIMESTAMP"}})).await;
    let e = app.error(create, input("B", json!({"invoicePrefix": "ABC", "creditNotePrefix": "BC"}))).await;
    assert_code(&e, "CONFLICT", None);
}

#[tokio::test]
async fn customer_gstins_are_checked() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let plan = app.catalogue("499").await.broadband;
    let create = crate::documents::CREATE_CUSTOMER;
    for (gstin, why) in [
        ("27AABCU9603R1ZM", "check character"),
        ("29AABCU9603R1ZJ", "another state (Karnataka)"),
        ("27AABCU9603R1Z", "14 characters"),
        ("2712345678901ZN", "no PAN shape"),
    ] {
        let input = app.customer(&format!("g{}", gstin.len()), &plan).set("customerGstNo", gstin).input();
        let e = app.error(create, json!({"i": input})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("customerGstNo"));
        assert!(!why.is_empty());
    }
    let ok = app.customer("gok", &plan).set("customerGstNo", "27aabcu9603r1zn").create().await;
    let read = app.data("query($id: ID!) { customer(id: $id) { customerGstNo } }", json!({"id": ok["id"]})).await;
    assert_eq!(read["customer"]["customerGstNo"], "27AABCU9603R1ZN");
    let update =
        "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { id } } }";
    let e = app.error(update, json!({"id": ok["id"], "i": {"customerGstNo": "29AABCU9603R1ZJ"}})).await;
    assert_code(&e, "BAD_USER_INPUT", Some("customerGstNo"));
}
