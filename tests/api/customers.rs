//! Customers: creation rules, filters, the one-query profile and self-service isolation.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::documents::{CREATE_CUSTOMER, CREATE_LOCALITY};
use crate::fixtures::{Catalogue, Role};
use crate::helpers::{assert_code, digits, TestApp};
use crate::on_both_databases;

on_both_databases! {
    async fn creation_follows_the_rules(app: TestApp) {
        let bb = app.catalogue("499.00").await.broadband;
        let c = app.customer("ravi", &bb).create().await;
        let number = c["customerId"].as_str().unwrap();
        assert!(number.len() == 10 && digits(number) && !number.starts_with('0'), "{number}");
        let caf = c["cafNo"].as_str().unwrap();
        assert!(caf.len() == 11 && caf.starts_with("CAF") && digits(&caf[3..]), "{caf}");
        assert_eq!(c["status"], "ACTIVE");
        assert_eq!(c["serviceType"], "BROADBAND", "follows the plan");
        assert_eq!(c["billingType"], "PREPAID");
        assert_eq!(c["endDate"], "2026-06-30", "2026-04-01 + 3 × 30 days");
        assert_eq!(c["company"]["name"], "Vidarbha Fibernet");

        let invoices = c["invoices"].as_array().unwrap();
        assert_eq!(invoices.len(), 1);
        let inv = &invoices[0];
        let n = inv["invoiceNumber"].as_str().unwrap();
        // A draft of a registered company is a proforma: `PRO` + timestamp, no tax-series
        // number until it is issued (issue #30; `INV` + timestamp under TIMESTAMP numbering).
        assert!(n.starts_with("PRO") && n.len() == 17 && digits(&n[3..]), "{n}");
        assert_eq!(inv["status"], "DRAFT");
        assert_eq!(inv["billAmount"], "1497.00", "499.00 × 3 months");
        assert_eq!(inv["cgstTax"], "134.73", "9 % within Maharashtra");
        assert_eq!(inv["sgstTax"], "134.73");
        assert_eq!(inv["igstTax"], "0.00");
        assert_eq!(inv["totalAmount"], "1766.46");
        assert_eq!(inv["paidAmount"], "0.00");
        assert_eq!(inv["balanceAmount"], "1766.46");
        assert_eq!(inv["billingPeriodStart"], "2026-04-01");
        assert_eq!(inv["billingPeriodEnd"], "2026-06-30");

        // Another state pays IGST; installation charges are on the first invoice, and taxed
        // with the plan (installing the connection is part of the taxable supply).
        let goa = app.customer("sunil", &bb).set("state", "Goa").set("city", "Panaji").set("pincode", "403001");
        let goa = goa.set("periodMonths", 1).set("installationCharges", "500").set("cafNo", "caf-manual-1");
        let c2 = goa.create().await;
        assert_eq!(c2["cafNo"], "CAF-MANUAL-1");
        let inv = &c2["invoices"][0];
        assert_eq!(inv["igstTax"], "179.82", "18 % of 499 + 500");
        assert_eq!(inv["cgstTax"], "0.00");
        assert_eq!(inv["totalAmount"], "1178.82", "499 + 500 + 179.82");
        assert_ne!(c2["customerId"], c["customerId"]);
        assert_ne!(c2["invoices"][0]["invoiceNumber"], c["invoices"][0]["invoiceNumber"]);
    }

    async fn each_tax_is_rounded_to_the_paisa(app: TestApp) {
        let bb = app.catalogue("333.33").await.broadband;
        let inv = app.customer("odd", &bb).set("periodMonths", 1).create().await["invoices"][0].clone();
        // 9 % of 333.33 = 29.9997 → 30.00, each of CGST and SGST on its own.
        assert_eq!((inv["cgstTax"].as_str(), inv["sgstTax"].as_str()), (Some("30.00"), Some("30.00")));
        assert_eq!(inv["totalAmount"], "393.33");
    }

    async fn bad_input_names_the_field(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let with = |key: &str, value: Value| json!({ "i": app.customer("ravi", &bb).set(key, value).input() });
        let cases = [
            (with("planId", json!("UGxhbjo5OTk5")), "planId"),
            (with("endDate", json!("2026-03-01")), "endDate"),
            (with("mobile", json!("982201234567")), "mobile"),
            (with("billingType", json!("WEEKLY")), "billingType"),
            (with("idProofType", json!("RATION_CARD")), "idProofType"),
            (with("pincode", json!("4400")), "pincode"),
            (with("periodMonths", json!(0)), "periodMonths"),
            (with("password", json!("short")), "password"),
            (with("serviceType", json!("CABLE_TV")), "serviceType"),
            (with("startDate", json!("2026-02-30")), "startDate"),
            (with("customerGstNo", json!("27AAPFU0939F1ZA")), "customerGstNo"),
            (with("localityId", json!("TG9jYWxpdHk6OTk5")), "localityId"),
            // A Nagpur PIN code is not in Karnataka: the place of supply must be consistent.
            (with("state", json!("Karnataka")), "pincode"),
        ];
        for (variables, field) in cases {
            let error = app.error(CREATE_CUSTOMER, variables).await;
            assert_code(&error, "BAD_USER_INPUT", Some(field));
        }
        // Usernames are unique across customers and staff.
        assert_code(&app.error(CREATE_CUSTOMER, with("username", json!("ADMIN"))).await, "CONFLICT", None);
        app.customer("ravi", &bb).create().await;
        assert_code(&app.error(CREATE_CUSTOMER, with("username", json!("Ravi"))).await, "CONFLICT", None);
        // An inactive plan takes no new customers.
        app.data("mutation($id: ID!) { updatePlan(id: $id, input: {isActive: false}) { id } }", json!({"id": bb})).await;
        assert_code(&app.error(CREATE_CUSTOMER, with("username", json!("new1"))).await, "BAD_USER_INPUT", Some("planId"));
        let count = app.data("{ customers { totalCount } }", json!({})).await;
        assert_eq!(count["customers"]["totalCount"], 1, "nothing half-created");
    }

    async fn place_of_supply_is_consistent(app: TestApp) {
        let Catalogue { company: c, broadband: bb, .. } = app.catalogue("499").await;
        let loc = app.locality(&c).create().await;
        // A locality's PIN code must be in its state too.
        let bad_locality = json!({"input": {"companyId": c, "name": "X", "city": "Nagpur", "state": "Karnataka", "pincode": "440010"}});
        let e = app.error(CREATE_LOCALITY, bad_locality).await;
        assert_code(&e, "BAD_USER_INPUT", Some("pincode"));
        // Karnataka with a Karnataka PIN, but in a Nagpur locality: refused, naming the state.
        let meera = app.customer("meera", &bb).set("localityId", &loc);
        let meera = meera.set("state", "Karnataka").set("pincode", "560001");
        let input = meera.input();
        assert_code(&app.error(CREATE_CUSTOMER, json!({ "i": input })).await, "BAD_USER_INPUT", Some("state"));
        // Consistent: created, and charged CGST + SGST (the company is in Maharashtra).
        let created = meera.set("state", "Maharashtra").set("pincode", "440010").create().await;
        assert_eq!(created["invoices"][0]["igstTax"], "0.00");
        // An update cannot break it either.
        let update = "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { state } } }";
        let id = created["id"].as_str().unwrap();
        let e = app.error(update, json!({"id": id, "i": {"pincode": "560001"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("pincode"));
        let e = app.error(update, json!({"id": id, "i": {"state": "Karnataka", "pincode": "560001"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("state"));
    }

    async fn filters_and_search(app: TestApp) {
        let Catalogue { company: c, broadband: bb, cable: tv } = app.catalogue("499").await;
        let loc = app.locality(&c).create().await;
        let collector = app.employee("kiran", Role::Collector).full_name("Kiran").create().await;
        let a = app.customer("anita", &bb).set("fullName", "Anita Deshmukh").set("mobile", "9890011111");
        let a = a.set("localityId", &loc).set("assignedEmployeeId", &collector).create().await;
        let b = app.customer("bharat", &tv).set("fullName", "Bharat Patil").set("mobile", "9890022222");
        let b = b.set("billingType", "POSTPAID").set("periodMonths", 12).create().await;
        let status = "mutation($id: ID!, $s: CustomerStatus!) { changeCustomerStatus(id: $id, status: $s, reason: \"unpaid\") { status } }";
        app.data(status, json!({"id": b["id"], "s": "SUSPENDED"})).await;

        let q = "query($f: CustomerFilterInput) { customers(filter: $f) { totalCount nodes { fullName } } }";
        let names = |data: Value| -> Vec<String> {
            data["customers"]["nodes"].as_array().unwrap().iter().map(|n| n["fullName"].as_str().unwrap().to_owned()).collect()
        };
        let cases = [
            (json!({"status": "SUSPENDED"}), vec!["Bharat Patil"]),
            (json!({"status": "ACTIVE"}), vec!["Anita Deshmukh"]),
            (json!({"serviceType": "CABLE_TV"}), vec!["Bharat Patil"]),
            (json!({"search": "desh"}), vec!["Anita Deshmukh"]),
            (json!({"search": "PATIL"}), vec!["Bharat Patil"]),
            (json!({"search": "22222"}), vec!["Bharat Patil"]),
            (json!({"search": &a["customerId"].as_str().unwrap()[..6]}), vec!["Anita Deshmukh"]),
            (json!({"localityId": loc}), vec!["Anita Deshmukh"]),
            (json!({"companyId": c}), vec!["Anita Deshmukh", "Bharat Patil"]),
            (json!({"assignedEmployeeId": collector}), vec!["Anita Deshmukh"]),
            (json!({"billingType": "POSTPAID"}), vec!["Bharat Patil"]),
            (json!({"expiringBefore": "2026-07-01"}), vec!["Anita Deshmukh"]),
            (json!({"status": "ACTIVE", "serviceType": "CABLE_TV"}), vec![]),
        ];
        for (filter, expected) in cases {
            let found = names(app.data(q, json!({ "f": filter })).await);
            assert_eq!(found, expected, "filter {filter}");
        }
        let by_number = app
            .data("query($n: String!) { customerByNumber(customerId: $n) { fullName } }", json!({"n": a["customerId"]}))
            .await;
        assert_eq!(by_number["customerByNumber"]["fullName"], "Anita Deshmukh");
        // TERMINATED is final.
        app.data(status, json!({"id": b["id"], "s": "TERMINATED"})).await;
        assert_code(&app.error(status, json!({"id": b["id"], "s": "ACTIVE"})).await, "BAD_USER_INPUT", Some("status"));
        // The customer's plan cannot be deleted while in use; its company neither.
        let del = app.error("mutation($id: ID!) { deletePlan(id: $id) }", json!({"id": tv})).await;
        assert_code(&del, "CONFLICT", None);
        let del = app.error("mutation($id: ID!) { deleteLocality(id: $id) }", json!({"id": loc})).await;
        assert_code(&del, "CONFLICT", None);
        let del = app.error("mutation($id: ID!) { deleteCompany(id: $id) }", json!({"id": c})).await;
        assert_code(&del, "CONFLICT", None);
    }

    async fn updates_say_what_they_change(app: TestApp) {
        let Catalogue { company: c, broadband: bb, cable: tv } = app.catalogue("499").await;
        let faster = app.plan(&c).name("Home 200").price("799").create().await;
        let customer = app.customer("ravi", &bb).create().await;
        let update = "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) {
            notes customer { endDate periodMonths plan { name } invoices { billAmount } } } }";
        let r = app.data(update, json!({"id": customer["id"], "i": {"planId": faster, "periodMonths": 6}})).await["updateCustomer"].clone();
        assert_eq!(r["customer"]["plan"]["name"], "Home 200");
        assert_eq!(r["customer"]["endDate"], "2026-09-28", "2026-04-01 + 180 days");
        assert_eq!(r["customer"]["invoices"][0]["billAmount"], "1497.00", "existing invoices keep their amounts");
        let notes = r["notes"].as_array().unwrap();
        assert!(notes.iter().any(|n| n.as_str().unwrap().contains("existing invoices keep their amounts")), "{notes:?}");
        assert!(notes.iter().any(|n| n.as_str().unwrap().contains("2026-09-28")), "{notes:?}");
        let wrong = app.error(update, json!({"id": customer["id"], "i": {"planId": tv}})).await;
        assert_code(&wrong, "BAD_USER_INPUT", Some("planId"));
        let wrong = app.error(update, json!({"id": customer["id"], "i": {"endDate": "2026-01-01"}})).await;
        assert_code(&wrong, "BAD_USER_INPUT", Some("endDate"));

        // A customer with only a draft invoice can be deleted; one with a sent invoice cannot.
        let delete = "mutation($id: ID!) { deleteCustomer(id: $id) }";
        let other = app.customer("temp", &bb).create().await;
        app.sql("UPDATE invoices SET status = 'SENT' WHERE customer_id = (SELECT id FROM customers WHERE username = 'ravi')").unwrap();
        assert_code(&app.error(delete, json!({"id": customer["id"]})).await, "CONFLICT", None);
        app.data(delete, json!({"id": other["id"]})).await;
        assert_eq!(app.data("{ customers { totalCount } }", json!({})).await["customers"]["totalCount"], 1);
        // The unfiltered count is the one the database keeps (migration 000040), and it is right.
        let kept = "SELECT CAST(row_count AS TEXT) || ' ' || CAST((SELECT COUNT(*) FROM customers) AS TEXT) AS value \
                    FROM table_counts WHERE table_name = 'customers'";
        assert_eq!(app.sql_text(kept), "1 1");
    }

    async fn profile_costs_the_same_statements_for_any_page(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let collector = app.staff("kiran", Role::Collector).await;
        let kiran = app.data_as(Some(&collector), "{ me { id } }", json!({})).await["me"]["id"].as_str().unwrap().to_owned();
        for i in 0..100 {
            app.customer(&format!("c{i:03}"), &bb).set("assignedEmployeeId", &kiran).create().await;
        }
        // A payment on every invoice, straight into the table (payments arrive with billing).
        app.sql(
            "INSERT INTO payments (payment_id, customer_id, invoice_id, amount_paise, method, status, paid_at, created_at, updated_at) \
             SELECT 'PAY' || (100000000000 + id), customer_id, id, 10000, 'CASH', 'COMPLETED', created_at, created_at, created_at FROM invoices",
        )
        .unwrap();
        let profile = "query($first: Int!) { customers(first: $first) { totalCount nodes {
            customerId fullName status plan { name price } locality { name } company { name gstRate }
            assignedEmployee { fullName }
            invoices(first: 3) { invoiceNumber totalAmount balanceAmount payments { paymentId amount status } }
        } } }";
        let mut costs = Vec::new();
        for first in [10, 100] {
            let before = app.metrics.statements();
            let data = app.data_as(Some(&collector), profile, json!({"first": first})).await;
            costs.push(app.metrics.statements() - before);
            let nodes = data["customers"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), first);
            assert!(nodes.iter().all(|n| n["invoices"][0]["payments"][0]["amount"] == "100.00"));
            assert!(nodes.iter().all(|n| n["assignedEmployee"]["fullName"] == "kiran"));
        }
        assert!(costs.iter().all(|c| *c == costs[0]), "statements for pages of 10 and 100: {costs:?}");
        // Auth (the session joined to its account) + the count (totalCount is selected) + the
        // page with its plan, locality, company and employee joined + the invoices with the
        // payments on each.
        assert_eq!(costs[0], 4, "statements per request: {costs:?}");
        // Without totalCount nothing is counted.
        let uncounted = profile.replace("totalCount", "");
        for first in [10, 100] {
            let before = app.metrics.statements();
            let data = app.data_as(Some(&collector), &uncounted, json!({"first": first})).await;
            let cost = app.metrics.statements() - before;
            assert_eq!(data["customers"]["nodes"].as_array().unwrap().len(), first);
            assert_eq!(cost, 3, "statements per request without totalCount, page of {first}");
        }
    }

    async fn each_customer_shows_its_newest_invoices_of_a_status(app: TestApp) {
        // `invoices(status:, first:)` keeps each customer's newest invoices of that status, no
        // more than `first`, newest first: on a page of customers (with their payments, read in
        // the invoices' statement, and without) and for one customer alone.
        let plan = app.catalogue("499.00").await.broadband;
        let (a, _) = app.customer("meena", &plan).create_with_invoice().await;
        let (b, _) = app.customer("ravi", &plan).create_with_invoice().await;
        let paid = |customer: &str, bill: &'static str| {
            let customer = customer.to_owned();
            let app = &app;
            async move {
                let invoice = app.invoice(json!({"customerId": customer, "billAmount": bill})).await;
                let paid = app.pay(json!({"invoiceId": invoice["id"], "amount": invoice["totalAmount"],
                    "paymentMethod": "CASH"})).await;
                assert_eq!(paid["invoice"]["status"], "PAID", "{paid:#}");
                invoice["id"].as_str().unwrap().to_owned()
            }
        };
        let unpaid = |customer: &str, bill: &'static str| {
            let customer = customer.to_owned();
            let app = &app;
            async move {
                app.invoice(json!({"customerId": customer, "billAmount": bill})).await["id"].as_str().unwrap().to_owned()
            }
        };
        let a2 = paid(&a, "200").await;
        let b2 = paid(&b, "150").await;
        let a3 = unpaid(&a, "300").await;
        let a4 = paid(&a, "100").await;
        let b3 = unpaid(&b, "50").await;

        let selection = "id
            newestPaid: invoices(status: PAID, first: 1) { id }
            paid: invoices(status: PAID) { id payments { amount } }
            newest: invoices(first: 2) { id }";
        let page = app.data(&format!("{{ customers {{ nodes {{ {selection} }} }} }}"), json!({})).await;
        let nodes = page["customers"]["nodes"].as_array().unwrap().clone();
        let ids = |node: &Value, field: &str| -> Vec<String> {
            node[field].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
        };
        let of = |customer: &str| nodes.iter().find(|n| n["id"] == customer).unwrap().clone();
        let (la, lb) = (of(&a), of(&b));
        assert_eq!(ids(&la, "newestPaid"), [a4.as_str()], "{la:#}");
        assert_eq!(ids(&la, "paid"), [a4.as_str(), a2.as_str()], "{la:#}");
        assert_eq!(ids(&la, "newest"), [a4.as_str(), a3.as_str()], "{la:#}");
        assert_eq!(ids(&lb, "newestPaid"), [b2.as_str()], "{lb:#}");
        assert_eq!(ids(&lb, "paid"), [b2.as_str()], "{lb:#}");
        assert_eq!(ids(&lb, "newest"), [b3.as_str(), b2.as_str()], "{lb:#}");
        for invoice in la["paid"].as_array().unwrap().iter().chain(lb["paid"].as_array().unwrap()) {
            assert_eq!(invoice["payments"].as_array().unwrap().len(), 1, "the payment that paid it: {invoice:#}");
        }
        let alone = app.data(
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on Customer {{ {selection} }} }} }}"),
            json!({"id": a}),
        ).await["node"].clone();
        assert_eq!(alone, la, "the page and the customer alone disagree");
    }

    async fn the_page_shows_the_money_on_each_invoice_as_the_invoice_does(app: TestApp) {
        // One statement reads a page's invoices with their payments; one customer's invoices
        // through `node` read the payments per invoice. Both must say the same: payments that
        // name the invoice (pending ones too), payments spread over open invoices (through
        // their allocations), and money taken back by a refund.
        let (c, first) = app.customer_with_invoice("meena").await;
        let second = app.invoice(json!({"customerId": c, "billAmount": "200"})).await["id"].clone();
        app.pay(json!({"invoiceId": second, "amount": "50", "paymentMethod": "CHEQUE",
            "paymentReference": "CHQ-000777", "status": "PENDING"})).await;
        app.pay(json!({"invoiceId": first, "amount": "10", "paymentMethod": "CASH"})).await;
        // 1756.46 + 236.00 still owed: 43.54 of this is kept as advance, and the refund of 50
        // takes 6.46 back from an invoice.
        let spread = app.pay(json!({"customerId": c, "amount": "2036", "paymentMethod": "CASH"})).await;
        app.data(crate::documents::CREATE_REFUND,
            json!({"i": {"paymentId": spread["id"], "amount": "50", "reason": "overcharged"}})).await;
        let invoices = "invoices(first: 5) { id status paidAmount
            payments { id paymentId amount status invoice { id } }
            allocations { amount payment { id } } }";
        let page = app.data(&format!("{{ customers {{ nodes {{ id {invoices} }} }} }}"), json!({})).await;
        let node = app.data(
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on Customer {{ id {invoices} }} }} }}"),
            json!({"id": c}),
        ).await["node"].clone();
        let listed = page["customers"]["nodes"].as_array().unwrap().iter().find(|n| n["id"] == c).unwrap().clone();
        assert_eq!(listed, node, "the page and the customer alone disagree");
        let by_id = |id: &Value| node["invoices"].as_array().unwrap().iter().find(|i| &i["id"] == id).unwrap().clone();
        let (first, second) = (by_id(&json!(first)), by_id(&second));
        assert_eq!(second["payments"].as_array().unwrap().len(), 2, "the pending cheque and the spread payment: {second:#}");
        assert_eq!(first["payments"].as_array().unwrap().len(), 2, "the spread payment and the one naming it: {first:#}");
        let taken_back = node["invoices"].as_array().unwrap().iter()
            .flat_map(|i| i["allocations"].as_array().unwrap().clone())
            .any(|a| a["amount"].as_str().unwrap().starts_with('-'));
        assert!(taken_back, "the refund took money back from an invoice: {node:#}");
    }

    async fn a_page_read_in_brief_shows_what_the_whole_rows_show(app: TestApp) {
        // A page that asks only for the fields a profile shows reads brief rows of the invoices
        // and payments; one more field and it reads whole rows; one customer through `node`
        // reads them by the loaders. All three must say the same, in as many statements.
        let (c, first) = app.customer_with_invoice("meena").await;
        let second = app.invoice(json!({"customerId": c, "billAmount": "200"})).await["id"].clone();
        app.pay(json!({"invoiceId": second, "amount": "50", "paymentMethod": "CHEQUE",
            "paymentReference": "CHQ-000778", "status": "PENDING", "remarks": "post-dated"})).await;
        app.pay(json!({"invoiceId": first, "amount": "10", "paymentMethod": "UPI",
            "paymentReference": "412345678901"})).await;
        let spread = app.pay(json!({"customerId": c, "amount": "2036", "paymentMethod": "CASH"})).await;
        app.data(crate::documents::CREATE_REFUND,
            json!({"i": {"paymentId": spread["id"], "amount": "50", "reason": "overcharged"}})).await;
        let brief = "id invoiceNumber status totalAmount paidAmount balanceAmount invoiceDate dueDate
            payments { id paymentId amount paymentMethod status paidAt }";
        let whole = "id invoiceNumber status totalAmount paidAmount balanceAmount invoiceDate dueDate
            cgstTax createdAt payments { id paymentId amount paymentMethod status paidAt remarks utr }";
        let on_page = |fields: &str| format!("{{ customers {{ nodes {{ id invoices(first: 5) {{ {fields} }} }} }} }}");
        let mine = |page: &Value| {
            page["customers"]["nodes"].as_array().unwrap().iter().find(|n| n["id"] == c).unwrap()["invoices"].clone()
        };
        let before = app.metrics.statements();
        let in_brief = mine(&app.data(&on_page(brief), json!({})).await);
        let brief_cost = app.metrics.statements() - before;
        let before = app.metrics.statements();
        let in_whole = mine(&app.data(&on_page(whole), json!({})).await);
        let whole_cost = app.metrics.statements() - before;
        // The session, the page, the invoices with their payments.
        assert_eq!((brief_cost, whole_cost), (3, 3), "statements of the brief and the whole page");
        let alone = app.data(
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on Customer {{ invoices(first: 5) {{ {whole} }} }} }} }}"),
            json!({"id": c}),
        ).await["node"]["invoices"].clone();
        assert_eq!(in_whole, alone, "the page and the customer alone disagree");
        // The whole rows, less what the brief selection did not ask for, are the brief rows.
        let mut trimmed = in_whole.clone();
        for invoice in trimmed.as_array_mut().unwrap() {
            let invoice = invoice.as_object_mut().unwrap();
            invoice.remove("cgstTax");
            invoice.remove("createdAt");
            for payment in invoice["payments"].as_array_mut().unwrap() {
                payment.as_object_mut().unwrap().remove("remarks");
                payment.as_object_mut().unwrap().remove("utr");
            }
        }
        assert_eq!(in_brief, trimmed, "brief and whole rows disagree");
        let payments: Vec<&Value> = in_whole.as_array().unwrap().iter()
            .flat_map(|i| i["payments"].as_array().unwrap()).collect();
        assert!(payments.iter().any(|p| p["remarks"] == "post-dated" && p["status"] == "PENDING"), "{in_whole:#}");
        assert!(payments.iter().any(|p| p["utr"] == "412345678901" && p["paymentMethod"] == "UPI"), "{in_whole:#}");
        assert!(in_whole.as_array().unwrap().iter().all(|i| i["cgstTax"].is_string()), "{in_whole:#}");
    }

    async fn a_page_of_customers_read_in_brief_shows_what_the_whole_rows_show(app: TestApp) {
        // A page whose nodes ask only for what a profile shows of a customer, its plan and its
        // company reads their brief rows; one more field of any of them and it reads the whole
        // ones. All must say the same, in as many statements (a brief row asked for more would
        // cost one), through `nodes` and `edges { node }`, with fragments.
        let bb = app.catalogue("499").await.broadband;
        let collector = app.staff("kiran", Role::Collector).await;
        let kiran = app.data_as(Some(&collector), "{ me { id } }", json!({})).await["me"]["id"].as_str().unwrap().to_owned();
        app.customer("ravi", &bb).set("assignedEmployeeId", &kiran).create().await;
        let sunil = app.customer("sunil", &bb).create().await;
        // Straight into the table: after `changeCustomerStatus` the network snapshot reads the
        // customer again in the background (`db::changes`), a statement the counter could count
        // during the page measured next.
        app.sql("UPDATE customers SET status = 'DEACTIVE' WHERE username = 'sunil'").unwrap();
        let brief = "id customerId fullName mobile status endDate plan { id name serviceType speed price }
            company { id name gstin state gstRate } locality { name } assignedEmployee { fullName mobile }
            balance invoices(first: 1) { totalAmount }";
        // (field to add, where its answer is, and the selection with it)
        let more = [
            ("username", vec!["username"], format!("{brief} username")),
            ("createdAt", vec!["createdAt"], format!("{brief} createdAt autoRenew")),
            ("plan", vec!["plan", "validityDays"], brief.replace("speed price }", "speed price validityDays }")),
            ("company", vec!["company", "graceDays"], brief.replace("gstRate }", "gstRate graceDays }")),
        ];
        let pages: [fn(&str) -> String; 2] = [
            |fields: &str| format!("{{ customers {{ totalCount nodes {{ {fields} }} }} }}"),
            |fields: &str| format!("{{ customers {{ edges {{ node {{ ...c }} }} }} }} fragment c on Customer {{ {fields} }}"),
        ];
        let nodes = |page: &Value| -> Vec<Value> {
            let c = &page["customers"];
            match c["nodes"].as_array() {
                Some(nodes) => nodes.clone(),
                None => c["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect(),
            }
        };
        for page in pages {
            let before = app.metrics.statements();
            let in_brief = nodes(&app.data(&page(brief), json!({})).await);
            let brief_cost = app.metrics.statements() - before;
            let shown = |n: &Value| n["plan"]["name"].is_string() && n["company"]["gstRate"] == "18.00" && n["mobile"].is_string();
            assert!(in_brief.len() == 2 && in_brief.iter().all(shown), "{in_brief:#?}");
            let sunil = in_brief.iter().find(|n| n["id"] == sunil["id"]).unwrap();
            assert_eq!((&sunil["assignedEmployee"], &sunil["status"]), (&Value::Null, &json!("DEACTIVE")));
            for (label, path, fields) in &more {
                let before = app.metrics.statements();
                let in_whole = nodes(&app.data(&page(fields), json!({})).await);
                let whole_cost = app.metrics.statements() - before;
                assert_eq!(brief_cost, whole_cost, "statements of the brief page and the one with {label}");
                let mut trimmed = in_whole.clone();
                for node in &mut trimmed {
                    let node = node.as_object_mut().unwrap();
                    match path[..] {
                        [field] => assert!(node.remove(field).is_some(), "{label}"),
                        [object, field] => {
                            assert!(node[object].as_object_mut().unwrap().remove(field).is_some(), "{label}")
                        }
                        _ => unreachable!(),
                    }
                    node.remove("autoRenew");
                }
                assert_eq!(in_brief, trimmed, "brief rows and whole rows (with {label}) disagree");
            }
        }
        let ravi = nodes(&app.data(&pages[0](&more[0].2), json!({})).await);
        let ravi = ravi.iter().find(|n| n["username"] == "ravi").unwrap();
        assert_eq!((&ravi["assignedEmployee"]["fullName"], &ravi["status"]), (&json!("kiran"), &json!("ACTIVE")));
    }

    async fn customers_see_only_themselves(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        let me = app.customer("ravi", &bb).create().await;
        let other = app.customer("sunil", &bb).create().await;
        let token = app.login("ravi", "customer-pass-1").await;
        let viewer = app.data_as(Some(&token), "{ me { kind username role id } }", json!({})).await["me"].clone();
        // Staff on the customer's profile show only their public face.
        let staff = app.error_as(Some(&token), "{ customers { nodes { assignedEmployee { username } } } }", json!({})).await;
        assert_code(&staff, "GRAPHQL_VALIDATION_FAILED", None);
        assert_eq!(viewer, json!({"kind": "CUSTOMER", "username": "ravi", "role": null, "id": me["id"]}));

        let list = app.data_as(Some(&token), "{ customers { totalCount nodes { username invoices { totalAmount } } } }", json!({})).await;
        assert_eq!(list["customers"]["totalCount"], 1);
        assert_eq!(list["customers"]["nodes"][0]["username"], "ravi");
        assert_eq!(list["customers"]["nodes"][0]["invoices"][0]["totalAmount"], "1766.46");

        let q = "query($id: ID!) { customer(id: $id) { username } node(id: $id) { id } }";
        let mine = app.data_as(Some(&token), q, json!({"id": me["id"]})).await;
        assert_eq!(mine["customer"]["username"], "ravi");
        let theirs = app.data_as(Some(&token), q, json!({"id": other["id"]})).await;
        assert_eq!(theirs, json!({"customer": null, "node": null}), "another customer's data is never returned");
        let by_number = "query($n: String!) { customerByNumber(customerId: $n) { username } }";
        let theirs = app.data_as(Some(&token), by_number, json!({"n": other["customerId"]})).await;
        assert_eq!(theirs["customerByNumber"], Value::Null);
        let invoice_id = app.data(
            "query($id: ID!) { customer(id: $id) { invoices { id } } }", json!({"id": other["id"]})
        ).await["customer"]["invoices"][0]["id"].clone();
        let node = app.data_as(Some(&token), "query($id: ID!) { node(id: $id) { id } }", json!({"id": invoice_id})).await;
        assert_eq!(node["node"], Value::Null);

        for forbidden in ["{ employees { totalCount } }", "{ auditLog { totalCount } }"] {
            assert_code(&app.error_as(Some(&token), forbidden, json!({})).await, "FORBIDDEN", None);
        }
        let create_again = app.error_as(Some(&token), CREATE_CUSTOMER, json!({"i": app.customer("x9", &bb).input()})).await;
        assert_code(&create_again, "FORBIDDEN", None);

        // Over a websocket the same holds.
        let mut socket = app.websocket("graphql-transport-ws").await;
        let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
        socket.send(Message::text(init.to_string())).await.unwrap();
        let subscribe = json!({"id": "1", "type": "subscribe", "payload": {"query": "{ customers { totalCount nodes { username } } }"}});
        socket.send(Message::text(subscribe.to_string())).await.unwrap();
        let mut seen = None;
        while let Ok(Some(Ok(Message::Text(text)))) = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == "next" {
                seen = Some(value["payload"]["data"]["customers"].clone());
                break;
            }
        }
        assert_eq!(seen, Some(json!({"totalCount": 1, "nodes": [{"username": "ravi"}]})));

        // Terminated customers cannot log in, and their sessions end.
        let status = "mutation($id: ID!) { changeCustomerStatus(id: $id, status: TERMINATED) { status } }";
        app.data(status, json!({"id": me["id"]})).await;
        assert_code(&app.error_as(Some(&token), "{ me { username } }", json!({})).await, "UNAUTHENTICATED", None);
        let login = "mutation { login(username: \"ravi\", password: \"customer-pass-1\") { token } }";
        assert_code(&app.error_as(None, login, json!({})).await, "UNAUTHENTICATED", None);
    }

    async fn support_staff_do_not_see_billing(app: TestApp) {
        let bb = app.catalogue("499").await.broadband;
        app.customer("ravi", &bb).create().await;
        let support = app.staff("asha", Role::Support).await;
        let list = app.data_as(Some(&support), "{ customers { nodes { username } } }", json!({})).await;
        assert_eq!(list["customers"]["nodes"][0]["username"], "ravi");
        let billing = app.error_as(Some(&support), "{ customers { nodes { invoices { totalAmount } } } }", json!({})).await;
        assert_code(&billing, "FORBIDDEN", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creations_get_distinct_numbers() {
    let app = TestApp::spawn(crate::helpers::Kind::Sqlite).await.unwrap();
    let bb = app.catalogue("499").await.broadband;
    let creations = (0..12).map(|i| app.customer(&format!("par{i}"), &bb).create());
    let created = futures_util::future::join_all(creations).await;
    let mut numbers: Vec<&str> = created.iter().map(|c| c["invoices"][0]["invoiceNumber"].as_str().unwrap()).collect();
    let mut ids: Vec<&str> = created.iter().map(|c| c["customerId"].as_str().unwrap()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((numbers.len(), ids.len()), (12, 12), "{numbers:?}");
}
