//! The billing core over HTTP: invoices, payments, the ledger, refunds and add-on bills, with
//! the money invariants read back through the API after each change.

use serde_json::{json, Value};

use crate::documents::{CREATE_INVOICE, CREATE_PAYMENT, CREATE_REFUND, SET_INVOICE_STATUS};
use crate::fixtures::Role;
use crate::helpers::{assert_code, check_invariants, digits, paise};
use crate::on_both_databases;

on_both_databases! {
    async fn manual_invoices_follow_the_scan(app: TestApp) {
        let (c, _) = app.customer_with_invoice("asha").await;
        // Typed taxes must be the computed ones (9 % each of 1000 + 500 − 100.50 = 1399.50).
        let inv = app.invoice(json!({"customerId": c, "billAmount": "1000", "cgstTax": "125.96", "sgstTax": "125.96",
            "installationCharges": "500", "discount": "100.50", "invoiceDate": "2026-11-01"})).await;
        let n = inv["invoiceNumber"].as_str().unwrap();
        // A draft is a proforma of the registered company: `PRO` + timestamp (issue #30).
        assert!(n.starts_with("PRO") && digits(&n[3..17]), "{n}");
        assert_eq!(inv["status"], "DRAFT");
        assert_eq!(inv["totalAmount"], "1651.42", "1000 + 125.96 + 125.96 + 0 + 500 − 100.50");
        assert_eq!(inv["balanceAmount"], "1651.42");
        assert_eq!(inv["dueDate"], "2026-11-08");
        // Taxes left out: computed from the company's 18 % within its state.
        let auto = app.invoice(json!({"customerId": c, "billAmount": "499"})).await;
        assert_eq!((auto["cgstTax"].clone(), auto["sgstTax"].clone(), auto["igstTax"].clone()),
            (json!("44.91"), json!("44.91"), json!("0.00")));
        assert_ne!(auto["invoiceNumber"], inv["invoiceNumber"]);

        for (input, field) in [
            (json!({"customerId": c, "billAmount": "-1"}), "billAmount"),
            (json!({"customerId": c, "billAmount": "10", "discount": "12"}), "discount"),
            (json!({"customerId": c, "billAmount": "10", "invoiceDate": "2026-11-10", "dueDate": "2026-11-09"}), "dueDate"),
            (json!({"customerId": "bm9wZQ", "billAmount": "10"}), "customerId"),
        ] {
            let e = app.error(CREATE_INVOICE, json!({ "i": input })).await;
            assert_code(&e, "BAD_USER_INPUT", Some(field));
        }
        check_invariants(&app, &c).await;

        // The filters of the scan's list.
        let q = "query($f: InvoiceFilterInput) { invoices(filter: $f) { totalCount nodes { invoiceNumber } } }";
        let all = app.data(q, json!({"f": {"customerId": c}})).await;
        assert_eq!(all["invoices"]["totalCount"], 3);
        let nov1 = app.data(q, json!({"f": {"customerId": c, "from": "2026-11-01", "to": "2026-11-01"}})).await;
        assert_eq!(nov1["invoices"]["totalCount"], 1);
        let drafts = app.data(q, json!({"f": {"status": "DRAFT"}})).await;
        assert_eq!(drafts["invoices"]["totalCount"], 3);
        // GST is on the taxable value: bill + installation − discount (1000 + 500 − 100 = 1400;
        // 9 % of it is 126.00 each), and the total formula still holds.
        let taxable = app.invoice(json!({"customerId": c, "billAmount": "1000", "installationCharges": "500", "discount": "100"})).await;
        assert_eq!((taxable["cgstTax"].clone(), taxable["sgstTax"].clone()), (json!("126.00"), json!("126.00")));
        assert_eq!(taxable["totalAmount"], "1652.00", "1000 + 126 + 126 + 500 − 100");
        check_invariants(&app, &c).await;
    }

    async fn invoice_status_transitions(app: TestApp) {
        let (c, first) = app.customer_with_invoice("bharat").await;
        let sent = app.data(SET_INVOICE_STATUS, json!({"id": first, "s": "SENT"})).await["updateInvoiceStatus"].clone();
        assert_eq!(sent["status"], "SENT");
        assert!(sent["sentAt"].is_string());
        for s in ["PAID", "DRAFT", "SENT"] {
            let e = app.error(SET_INVOICE_STATUS, json!({"id": first, "s": s})).await;
            assert_code(&e, "BAD_USER_INPUT", Some("status"));
        }
        // Not past its due date yet.
        let e = app.error(SET_INVOICE_STATUS, json!({"id": first, "s": "OVERDUE"})).await;
        assert!(e["message"].as_str().unwrap().contains("due date"), "{e}");
        let old = app.invoice(json!({"customerId": c, "billAmount": "100", "invoiceDate": "2026-01-01"})).await;
        let overdue = app.data(SET_INVOICE_STATUS, json!({"id": old["id"], "s": "OVERDUE"})).await;
        assert_eq!(overdue["updateInvoiceStatus"]["status"], "OVERDUE");

        // Cancelling needs nothing paid.
        app.pay(json!({"invoiceId": first, "amount": "1", "paymentMethod": "CASH"})).await;
        let e = app.error(SET_INVOICE_STATUS, json!({"id": first, "s": "CANCELLED"})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("status"));
        assert!(e["message"].as_str().unwrap().contains("refund"), "{e}");
        let cancelled = app.data(SET_INVOICE_STATUS, json!({"id": old["id"], "s": "CANCELLED"})).await;
        assert_eq!(cancelled["updateInvoiceStatus"]["status"], "CANCELLED");
        let e = app.error(SET_INVOICE_STATUS, json!({"id": old["id"], "s": "SENT"})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("status"));
        // No payments on a cancelled invoice.
        let e = app.error(CREATE_PAYMENT, json!({"i": {"invoiceId": old["id"], "amount": "1", "paymentMethod": "CASH"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("invoiceId"));
        check_invariants(&app, &c).await;
    }

    async fn deleting_invoices(app: TestApp) {
        let (c, first) = app.customer_with_invoice("chitra").await;
        let del = "mutation($id: ID!) { deleteInvoice(id: $id) }";
        let draft = app.invoice(json!({"customerId": c, "billAmount": "100"})).await;
        app.data(del, json!({"id": draft["id"]})).await;
        assert!(app.data("query($id: ID!) { node(id: $id) { id } }", json!({"id": draft["id"]})).await["node"].is_null());
        // A draft with a payment, and a sent invoice, stay.
        app.pay(json!({"invoiceId": first, "amount": "10", "paymentMethod": "CASH"})).await;
        assert_code(&app.error(del, json!({"id": first})).await, "CONFLICT", None);
        let other = app.invoice(json!({"customerId": c, "billAmount": "100"})).await;
        app.data(SET_INVOICE_STATUS, json!({"id": other["id"], "s": "SENT"})).await;
        assert_code(&app.error(del, json!({"id": other["id"]})).await, "CONFLICT", None);
        let account = check_invariants(&app, &c).await;
        let kinds: Vec<&str> =
            account["transactions"].as_array().unwrap().iter().map(|t| t["transactionType"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"INVOICE_DELETED"), "{kinds:?}");
    }

    async fn a_running_balance_past_what_can_be_recorded_is_refused_as_input(app: TestApp) {
        let (c, bill) = app.customer_with_invoice("bound").await;
        // An advance just short of the stored bound (₹10,000 crore) on the customer's ledger.
        app.sql(
            "INSERT INTO transactions (transaction_id, customer_id, transaction_type, amount_paise, \
             balance_change_paise, balance_after_paise, description, created_at) \
             SELECT 'TXN000000000001', id, 'ADJUSTMENT', 1, -1, -9999999999950, 'near the bound', created_at \
             FROM customers WHERE username = 'bound'",
        )
        .unwrap();
        // ₹1 more would take it past: refused, and nothing of the payment is kept.
        let e = app.error(CREATE_PAYMENT, json!({"i": {"invoiceId": bill, "amount": "1", "paymentMethod": "CASH"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("amount"));
        assert!(e["message"].as_str().unwrap().contains("past what can be recorded"), "{e}");
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { payments { id } } } }";
        assert_eq!(app.data(q, json!({"id": c})).await["node"]["payments"], json!([]));
    }

    async fn payments_apply_to_their_invoice(app: TestApp) {
        let (c, first) = app.customer_with_invoice("deepa").await;
        let p = app.pay(json!({"invoiceId": first, "amount": "766.46", "paymentMethod": "PHONEPE",
            "paymentReference": "UPI-1"})).await;
        let id = p["paymentId"].as_str().unwrap();
        assert!(id.len() == 15 && id.starts_with("PAY") && digits(&id[3..]), "{id}");
        assert_eq!(p["status"], "COMPLETED");
        assert_eq!(p["invoice"]["paidAmount"], "766.46");
        assert_eq!(p["invoice"]["balanceAmount"], "1000.00");
        assert_eq!(p["invoice"]["status"], "DRAFT");
        // More than the balance is refused unless kept as advance.
        let e = app.error(CREATE_PAYMENT, json!({"i": {"invoiceId": first, "amount": "1000.01", "paymentMethod": "CASH"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("amount"));
        let p = app.pay(json!({"invoiceId": first, "amount": "1000", "paymentMethod": "CASH"})).await;
        assert_eq!(p["invoice"]["status"], "PAID");
        assert_eq!(p["invoice"]["balanceAmount"], "0.00");
        // The ledger has the TXN rows.
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["balance"], "0.00");
        for t in account["transactions"].as_array().unwrap() {
            let n = t["transactionId"].as_str().unwrap();
            assert!(n.len() == 15 && n.starts_with("TXN") && digits(&n[3..]), "{n}");
        }
        let kinds: Vec<&str> =
            account["transactions"].as_array().unwrap().iter().map(|t| t["transactionType"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["PAYMENT", "PAYMENT", "INVOICE"]);

        // Bad amounts, and no invoice or customer.
        for (input, field) in [
            (json!({"invoiceId": first, "amount": "0", "paymentMethod": "CASH"}), "amount"),
            (json!({"invoiceId": first, "amount": "-5", "paymentMethod": "CASH"}), "amount"),
            (json!({"amount": "5", "paymentMethod": "CASH"}), "customerId"),
        ] {
            assert_code(&app.error(CREATE_PAYMENT, json!({ "i": input })).await, "BAD_USER_INPUT", Some(field));
        }
        let e = app.error(CREATE_PAYMENT, json!({"i": {"invoiceId": first, "amount": "1.001", "paymentMethod": "CASH"}})).await;
        assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{e}");
    }

    async fn a_reference_counts_once(app: TestApp) {
        let (c, first) = app.customer_with_invoice("esha").await;
        let input = json!({"invoiceId": first, "amount": "100", "paymentMethod": "GOOGLEPAY", "paymentReference": "T2611250001"});
        app.pay(input.clone()).await;
        let e = app.error(CREATE_PAYMENT, json!({ "i": input })).await;
        assert_code(&e, "CONFLICT", None);
        assert!(e["message"].as_str().unwrap().contains("T2611250001"), "{e}");
        // The same reference under another method is another payment.
        let other = json!({"invoiceId": first, "amount": "100", "paymentMethod": "PAYTM", "paymentReference": "T2611250001"});
        app.pay(other).await;
        // Twice at the same moment: exactly one counts.
        let twin = json!({"i": {"customerId": c, "amount": "50", "paymentMethod": "PHONEPE", "paymentReference": "DUP-1"}});
        let (a, b) = tokio::join!(app.gql_as(Some(&app.token), CREATE_PAYMENT, twin.clone()), app.gql_as(Some(&app.token), CREATE_PAYMENT, twin));
        let ok = [&a, &b].iter().filter(|r| r.get("errors").is_none()).count();
        assert_eq!(ok, 1, "{a}\n{b}");
        let failed = if a.get("errors").is_some() { a } else { b };
        assert_code(&failed["errors"][0], "CONFLICT", None);
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["invoices"][0]["paidAmount"], "250.00");
    }

    async fn references_are_compared_after_normalisation(app: TestApp) {
        let (c, first) = app.customer_with_invoice("fiona").await;
        let q = "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { id paymentId paymentReference } }";
        let upi = |reference: &str| json!({"i": {"invoiceId": first, "amount": "100", "paymentMethod": "GOOGLEPAY", "paymentReference": reference}});
        let p = app.data(q, upi("UTR123")).await["createPayment"].clone();
        assert_eq!(p["paymentReference"], "UTR123");
        let before = check_invariants(&app, &c).await;
        assert_eq!(before["invoices"][0]["paidAmount"], "100.00");
        // Case, a zero-width space, a no-break space, full-width forms, spaces: the same reference.
        for variant in ["utr123", "UTR\u{200b}123", "UTR\u{00a0}123", "ＵＴＲ１２３", " utr 123 ", "\u{feff}UTR123"] {
            let e = app.error(CREATE_PAYMENT, upi(variant)).await;
            assert_code(&e, "CONFLICT", None);
            let message = e["message"].as_str().unwrap();
            assert!(message.contains("\"UTR123\"") && message.contains(p["paymentId"].as_str().unwrap()), "{variant:?}: {e}");
        }
        // Nothing moved.
        let after = check_invariants(&app, &c).await;
        assert_eq!(after["balance"], before["balance"]);
        assert_eq!(after["invoices"], before["invoices"]);
        assert_eq!(after["transactions"], before["transactions"]);
        // Another method with the same reference is another payment; references are stored as entered.
        let other = json!({"i": {"invoiceId": first, "amount": "50", "paymentMethod": "PAYTM", "paymentReference": "utr\u{200b}123"}});
        let other = app.data(q, other).await["createPayment"].clone();
        assert_eq!(other["paymentReference"], "utr\u{200b}123");
        let node = "query($id: ID!) { node(id: $id) { ... on Payment { paymentReference } } }";
        assert_eq!(app.data(node, json!({"id": p["id"]})).await["node"]["paymentReference"], "UTR123");
        let keys = "SELECT payment_reference_key AS value FROM payments WHERE method = 'PAYTM'";
        assert_eq!(app.sql_text(keys), "utr123", "the key is stored next to the reference");
        // A reference with nothing visible in it is no reference.
        let e = app.error(CREATE_PAYMENT, upi("\u{200b}\u{2060}")).await;
        assert_code(&e, "BAD_USER_INPUT", Some("paymentReference"));
        check_invariants(&app, &c).await;
    }

    async fn old_references_that_now_collide_are_kept(app: TestApp) {
        let (c, _) = app.customer_with_invoice("gauri").await;
        let upi = |reference: &str| json!({"customerId": c, "amount": "10", "paymentMethod": "GOOGLEPAY", "paymentReference": reference});
        let kept = app.pay(upi("UTR 9")).await;
        app.pay(upi("ZZZ")).await;
        // Back to the schema before reference keys, where "UTR 9" and "utr9" were two payments...
        crate::helpers::revert_through(app.database_url(), "20261129000011").await;
        app.sql("UPDATE payments SET payment_reference = 'utr9' WHERE payment_reference = 'ZZZ'").unwrap();
        // ...and forward again: the migration keeps both, the first with the key.
        let upgraded = app.restart_on_same_database().await;
        let key = |reference: &str| app.sql_text(&format!("SELECT payment_reference_key AS value FROM payments WHERE payment_reference = '{reference}'"));
        assert_eq!(key("UTR 9"), "utr9");
        assert!(key("utr9").starts_with("utr9 #"), "{}", key("utr9"));
        let e = upgraded.error(CREATE_PAYMENT, json!({"i": upi("Utr9")})).await;
        assert_code(&e, "CONFLICT", None);
        assert!(e["message"].as_str().unwrap().contains(kept["paymentId"].as_str().unwrap()), "{e}");
        check_invariants(&upgraded, &c).await;
    }

    async fn unassigned_payments_go_oldest_first_then_to_advance(app: TestApp) {
        let (c, first) = app.customer_with_invoice("farid").await;
        let second = app.invoice(json!({"customerId": c, "billAmount": "200"})).await;
        // 1766.46 + 236.00 (200 + 18 % GST) owed; pay 2036.00 without naming an invoice.
        let p = app.pay(json!({"customerId": c, "amount": "2036", "paymentMethod": "CASH"})).await;
        assert_eq!(p["allocatedAmount"], "2002.46");
        assert_eq!(p["advanceAmount"], "33.54");
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["balance"], "-33.54", "negative: advance held");
        assert_eq!(account["advanceAmount"], "33.54");
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { status } } }";
        assert_eq!(app.data(q, json!({"id": first})).await["node"]["status"], "PAID");
        assert_eq!(app.data(q, json!({"id": second["id"]})).await["node"]["status"], "PAID");
        // Each invoice lists the payment that paid it, and how much went on it; the payment
        // itself names no invoice (none was given).
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { payments { id invoice { id } }
            allocations { amount payment { id } } } } }";
        for (invoice_id, amount) in [(first.as_str(), "1766.46"), (second["id"].as_str().unwrap(), "236.00")] {
            let inv = app.data(q, json!({"id": invoice_id})).await["node"].clone();
            assert_eq!(inv["payments"], json!([{"id": p["id"], "invoice": null}]), "{inv:#}");
            assert_eq!(inv["allocations"], json!([{"amount": amount, "payment": {"id": p["id"]}}]), "{inv:#}");
        }
        // The advance goes on the next invoice by itself.
        let next = app.invoice(json!({"customerId": c, "billAmount": "100"})).await;
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { paidAmount balanceAmount status } } }";
        let next = app.data(q, json!({"id": next["id"]})).await["node"].clone();
        assert_eq!(next["paidAmount"], "33.54");
        assert_eq!(next["balanceAmount"], "84.46", "118.00 − 33.54");
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["advanceAmount"], "0.00");
        assert_eq!(account["transactions"][0]["transactionType"], "ADVANCE_APPLIED");
        assert_eq!(account["transactions"][0]["balanceChange"], "0.00");
        // An overpayment kept as advance when asked.
        let q2 = json!({"invoiceId": next_id(&account), "amount": "100", "paymentMethod": "CASH", "keepExcessAsAdvance": true});
        let p = app.pay(q2).await;
        assert_eq!(p["advanceAmount"], "15.54", "100 − 84.46");
        check_invariants(&app, &c).await;
    }

    async fn a_payment_costs_the_same_statements_however_long_the_history(app: TestApp) {
        let issue = "mutation($id: ID!) { issueInvoice(id: $id) { id balanceAmount } }";
        // One customer owing on a tax invoice; another who paid theirs, so what they pay now
        // is advance (a receipt voucher each time).
        let plan = app.catalogue("499.00").await.broadband;
        let (owing, bill) = app.customer("dinesh", &plan).create_with_invoice().await;
        app.data(issue, json!({"id": bill})).await;
        let (ahead, bill) = app.customer("esha", &plan).create_with_invoice().await;
        let owed = app.data(issue, json!({"id": bill})).await["issueInvoice"]["balanceAmount"].clone();
        app.pay(json!({"invoiceId": bill, "amount": owed, "paymentMethod": "CASH"})).await;
        let mut costs = (Vec::new(), Vec::new());
        for i in 0..12 {
            for (customer, cost) in [(&owing, &mut costs.0), (&ahead, &mut costs.1)] {
                let before = app.metrics.statements();
                let reference = format!("R-{customer}-{i}");
                app.pay(json!({"customerId": customer, "amount": "1", "paymentMethod": "PHONEPE", "paymentReference": reference}))
                    .await;
                cost.push(app.metrics.statements() - before);
            }
        }
        check_invariants(&app, &owing).await;
        let account = check_invariants(&app, &ahead).await;
        assert_eq!(account["advanceAmount"], "12.00");
        assert!(costs.0.iter().all(|c| *c == costs.0[0]), "onto an invoice: {:?}", costs.0);
        assert!(costs.1.iter().all(|c| *c == costs.1[0]), "as advance: {:?}", costs.1);
        eprintln!("{:?}: onto an invoice {}, as advance {} statements", app.kind, costs.0[0], costs.1[0]);
        // The session; BEGIN; the customer locked; their open invoices; the payment, stored
        // once with its allocation (a reference already recorded is refused by a unique index);
        // the money on the invoice and the invoice; the ledger row (its running balance read
        // by its insert); the audit row; the notification; COMMIT; on PostgreSQL also the
        // cluster's event. Wholly on an issued invoice, the payment is no advance: the
        // customer's advance under GST is not read. As advance no invoice gets money, the
        // advance is read, and a receipt voucher is made: the company read, the voucher
        // numbered (its series' last serial; on PostgreSQL the series' lock first), printed
        // (the plan's name) and inserted.
        let (onto_invoice, as_advance) = match app.kind {
            crate::helpers::Kind::Sqlite => (11, 14),
            crate::helpers::Kind::Postgres => (12, 16),
        };
        assert_eq!((costs.0[0], costs.1[0]), (onto_invoice, as_advance));
    }

    async fn pending_and_failed_payments(app: TestApp) {
        let (c, first) = app.customer_with_invoice("gita").await;
        let p = app.pay(json!({"invoiceId": first, "amount": "500", "paymentMethod": "CHEQUE",
            "paymentReference": "CHQ-000123", "status": "PENDING"})).await;
        assert_eq!(p["status"], "PENDING");
        assert_eq!(p["invoice"]["paidAmount"], "0.00", "pending changes nothing");
        // The ledger row of a payment: none while it is pending, its TXN once applied.
        let txn = "query($id: ID!) { node(id: $id) { ... on Payment { transaction { transactionId transactionType
            amount payment { id } } } } }";
        assert_eq!(app.data(txn, json!({"id": p["id"]})).await["node"]["transaction"], Value::Null);
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["balance"], "1766.46");
        let set = "mutation($id: ID!, $s: PaymentStatus!) { updatePaymentStatus(id: $id, status: $s) {
            status invoice { paidAmount } } }";
        let done = app.data(set, json!({"id": p["id"], "s": "COMPLETED"})).await["updatePaymentStatus"].clone();
        assert_eq!(done["status"], "COMPLETED");
        assert_eq!(done["invoice"]["paidAmount"], "500.00");
        let row = app.data(txn, json!({"id": p["id"]})).await["node"]["transaction"].clone();
        assert!(row["transactionId"].as_str().unwrap().starts_with("TXN"), "{row:#}");
        assert_eq!((row["transactionType"].clone(), row["amount"].clone()), (json!("PAYMENT"), json!("500.00")));
        assert_eq!(row["payment"]["id"], p["id"], "and back from the row to the payment");
        assert_code(&app.error(set, json!({"id": p["id"], "s": "FAILED"})).await, "BAD_USER_INPUT", Some("status"));
        let f = app.pay(json!({"invoiceId": first, "amount": "100", "paymentMethod": "CHEQUE", "status": "FAILED"})).await;
        assert_eq!(f["invoice"]["paidAmount"], "500.00", "failed never counts");
        assert_code(&app.error(set, json!({"id": f["id"], "s": "COMPLETED"})).await, "BAD_USER_INPUT", Some("status"));
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["balance"], "1266.46");
        // The payments list and its filters.
        let q = "query($f: PaymentFilterInput) { payments(filter: $f) { totalCount } }";
        assert_eq!(app.data(q, json!({"f": {"customerId": c}})).await["payments"]["totalCount"], 2);
        assert_eq!(app.data(q, json!({"f": {"method": "CHEQUE", "status": "FAILED"}})).await["payments"]["totalCount"], 1);
        assert_eq!(app.data(q, json!({"f": {"invoiceId": first, "method": "CASH"}})).await["payments"]["totalCount"], 0);
    }

    async fn refunds_follow_the_rules(app: TestApp) {
        let (c, first) = app.customer_with_invoice("hari").await;
        let p = app.pay(json!({"invoiceId": first, "amount": "1766.46", "paymentMethod": "CASH"})).await;
        assert_eq!(p["invoice"]["status"], "PAID");
        let r = app.data(CREATE_REFUND, json!({"i": {"paymentId": p["id"], "amount": "66.46", "reason": "double charge"}})).await["createRefund"].clone();
        let n = r["refundId"].as_str().unwrap();
        assert!(n.len() == 15 && n.starts_with("RFD"), "{n}");
        assert_eq!(r["approvedBy"]["fullName"], "Administrator");
        assert_eq!(r["payment"]["refundedAmount"], "66.46");
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { paidAmount balanceAmount status } } }";
        let inv = app.data(q, json!({"id": first})).await["node"].clone();
        assert_eq!((inv["paidAmount"].clone(), inv["balanceAmount"].clone(), inv["status"].clone()),
            (json!("1700.00"), json!("66.46"), json!("DRAFT")), "reopened as it was never sent");
        // Never more than is left.
        let e = app.error(CREATE_REFUND, json!({"i": {"paymentId": p["id"], "amount": "1700.01", "reason": "x"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("amount"));
        assert_code(&app.error(CREATE_REFUND, json!({"i": {"paymentId": p["id"], "amount": "0", "reason": "x"}})).await, "BAD_USER_INPUT", Some("amount"));
        assert_code(&app.error(CREATE_REFUND, json!({"i": {"paymentId": p["id"], "reason": " "}})).await, "BAD_USER_INPUT", Some("reason"));
        // The rest, with the amount left out.
        app.data(CREATE_REFUND, json!({"i": {"paymentId": p["id"], "reason": "service cancelled"}})).await;
        assert_code(&app.error(CREATE_REFUND, json!({"i": {"paymentId": p["id"], "reason": "again"}})).await, "CONFLICT", None);
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["balance"], "1766.46");
        let refund_row = &account["transactions"][0];
        assert_eq!(refund_row["transactionType"], "REFUND");
        // Pending payments are not refunded.
        let pending = app.pay(json!({"invoiceId": first, "amount": "10", "paymentMethod": "CHEQUE", "status": "PENDING"})).await;
        let e = app.error(CREATE_REFUND, json!({"i": {"paymentId": pending["id"], "reason": "x"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("paymentId"));
        // Collectors record payments but do not refund.
        let collector = app.staff("collector1", Role::Collector).await;
        let e = app.error_as(Some(&collector), CREATE_REFUND, json!({"i": {"paymentId": p["id"], "reason": "x"}})).await;
        assert_code(&e, "FORBIDDEN", None);
        let q = "query { refunds { totalCount nodes { amount } } }";
        assert_eq!(app.data(q, json!({})).await["refunds"]["totalCount"], 2);
    }

    async fn addon_bills_on_their_own_or_the_next_invoice(app: TestApp) {
        let (c, _) = app.customer_with_invoice("indu").await;
        let add = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) {
            id status totalAmount cgstTax invoice { totalAmount status } } }";
        let own = app.data(add, json!({"i": {"customerId": c, "addonType": "ROUTER_SALE", "description": "TP-Link router",
            "amount": "1500", "billOn": "OWN_INVOICE"}})).await["createAddonBill"].clone();
        assert_eq!(own["status"], "BILLED");
        assert_eq!(own["totalAmount"], "1770.00", "1500 + 18 % GST");
        assert_eq!(own["invoice"]["totalAmount"], "1770.00");
        let later = app.data(add, json!({"i": {"customerId": c, "addonType": "SHIFTING", "description": "Shift to Sadar",
            "amount": "300", "billOn": "NEXT_INVOICE"}})).await["createAddonBill"].clone();
        assert_eq!(later["status"], "PENDING");
        assert!(later["invoice"].is_null());
        let next = app.invoice(json!({"customerId": c, "billAmount": "499"})).await;
        assert_eq!(next["billAmount"], "799.00", "499 + the 300 add-on");
        assert_eq!(next["totalAmount"], "942.82", "799 + 9 % + 9 %");
        let q = "query($id: ID!) { node(id: $id) { ... on AddonBill { status invoice { id } } } }";
        let billed = app.data(q, json!({"id": later["id"]})).await["node"].clone();
        assert_eq!(billed["status"], "BILLED");
        assert_eq!(billed["invoice"]["id"], next["id"]);
        let del = "mutation($id: ID!) { deleteAddonBill(id: $id) }";
        assert_code(&app.error(del, json!({"id": own["id"]})).await, "CONFLICT", None);
        let e = app.error(add, json!({"i": {"customerId": c, "addonType": "OTHER", "description": "x", "amount": "0", "billOn": "NEXT_INVOICE"}})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("amount"));
        let account = check_invariants(&app, &c).await;
        let kinds: Vec<&str> =
            account["transactions"].as_array().unwrap().iter().map(|t| t["transactionType"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"ADDON_CHARGE"), "{kinds:?}");
        let list = app.data("query($c: ID) { addonBills(filter: {customerId: $c}) { totalCount } }", json!({"c": c})).await;
        assert_eq!(list["addonBills"]["totalCount"], 2);
    }

    async fn adjustments_waive_part_of_an_invoice(app: TestApp) {
        let (c, first) = app.customer_with_invoice("lalit").await;
        let adjust = "mutation($id: ID!, $c: Money!, $r: String!) { adjustInvoice(id: $id, credit: $c, reason: $r) {
            discount cgstTax sgstTax totalAmount paidAmount balanceAmount status } }";
        app.pay(json!({"invoiceId": first, "amount": "1000", "paymentMethod": "CASH"})).await;
        let before = app.data("query($id: ID!) { node(id: $id) { ... on Invoice { cgstTax sgstTax } } }", json!({"id": first}))
            .await["node"]
            .clone();
        let inv = app.data(adjust, json!({"id": first, "c": "66.46", "r": "outage on 3 Nov"})).await["adjustInvoice"].clone();
        // The credit is split as the invoice is (18 % within the state): 66.46 = 56.32 of
        // value (it joins the discount) + 5.07 CGST + 5.07 SGST reversed.
        assert_eq!(inv["discount"], "56.32");
        assert_eq!(paise(&inv["cgstTax"]), paise(&before["cgstTax"]) - 507);
        assert_eq!(paise(&inv["sgstTax"]), paise(&before["sgstTax"]) - 507);
        assert_eq!(inv["totalAmount"], "1700.00");
        assert_eq!(inv["balanceAmount"], "700.00");
        // Never more than is unpaid.
        let e = app.error(adjust, json!({"id": first, "c": "700.01", "r": "too much"})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("credit"));
        assert_code(&app.error(adjust, json!({"id": first, "c": "0", "r": "x"})).await, "BAD_USER_INPUT", Some("credit"));
        assert_code(&app.error(adjust, json!({"id": first, "c": "1", "r": ""})).await, "BAD_USER_INPUT", Some("reason"));
        let inv = app.data(adjust, json!({"id": first, "c": "700", "r": "settled"})).await["adjustInvoice"].clone();
        assert_eq!(inv["status"], "PAID", "nothing left to pay");
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["balance"], "0.00");
        assert_eq!(account["transactions"][0]["transactionType"], "ADJUSTMENT");
        assert_eq!(account["transactions"][0]["balanceChange"], "-700.00");
        let collector = app.staff("collector7", Role::Collector).await;
        let e = app.error_as(Some(&collector), adjust, json!({"id": first, "c": "1", "r": "x"})).await;
        assert_code(&e, "FORBIDDEN", None);
    }

    async fn customers_see_only_their_own_billing(app: TestApp) {
        let bb = app.catalogue("499.00").await.broadband;
        let (c1, inv1) = app.customer("jaya", &bb).create_with_invoice().await;
        let (other, _) = app.customer("kamal", &bb).create_with_invoice().await;
        app.pay(json!({"invoiceId": inv1, "amount": "100", "paymentMethod": "CASH"})).await;
        app.pay(json!({"customerId": other, "amount": "100", "paymentMethod": "CASH"})).await;
        let me = app.login("jaya", "customer-pass-1").await;
        let q = "query($c: ID) { invoices(filter: {customerId: $c}) { totalCount }
                                 payments(filter: {customerId: $c}) { totalCount }
                                 transactions(filter: {customerId: $c}) { totalCount } }";
        let own = app.data_as(Some(&me), q, json!({})).await;
        assert_eq!(own["invoices"]["totalCount"], 1);
        assert_eq!(own["payments"]["totalCount"], 1);
        assert_eq!(own["transactions"]["totalCount"], 2);
        let theirs = app.data_as(Some(&me), q, json!({"c": other})).await;
        assert_eq!(theirs["invoices"]["totalCount"], 0);
        assert_eq!(theirs["payments"]["totalCount"], 0);
        assert_eq!(theirs["transactions"]["totalCount"], 0);
        let balance = app.data_as(Some(&me), "query($id: ID!) { node(id: $id) { ... on Customer { balance } } }", json!({"id": c1})).await;
        assert_eq!(balance["node"]["balance"], "1666.46");
        // Customers cannot pay through the API or raise invoices.
        let e = app.error_as(Some(&me), CREATE_PAYMENT, json!({"i": {"invoiceId": inv1, "amount": "1", "paymentMethod": "CASH"}})).await;
        assert_code(&e, "FORBIDDEN", None);
        let e = app.error_as(Some(&me), CREATE_INVOICE, json!({"i": {"customerId": c1, "billAmount": "1"}})).await;
        assert_code(&e, "FORBIDDEN", None);
        // SUPPORT staff do not read billing.
        let support = app.staff("support1", Role::Support).await;
        assert_code(&app.error_as(Some(&support), "{ payments { totalCount } }", json!({})).await, "FORBIDDEN", None);
    }
}

fn next_id(account: &Value) -> Value {
    // Invoices come newest first.
    account["invoices"][0]["id"].clone()
}
