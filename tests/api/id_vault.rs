//! Identity document numbers (issue #29): Aadhaar numbers checked, kept encrypted in the vault
//! (never in clear in the database, a backup, the audit log, a CSV or a document), masked for
//! staff, revealed in full only to ADMIN and MANAGER through an audited `revealIdProof`; the
//! vault key checked at start and rotated.

use serde_json::{json, Value};

use crate::documents::{CREATE_COMPLAINT, CREATE_CUSTOMER, UPDATE_COMPLAINT};
use crate::fixtures::{Role, CUSTOMER_PASSWORD};
use crate::helpers::{assert_code, Kind, TestApp};

/// A valid Aadhaar number (Verhoeff check digit 4), as typed and as kept.
const AADHAAR: &str = "2345 6789 0124";
const AADHAAR_DIGITS: &str = "234567890124";
/// Another valid one (check digit 6).
const OTHER_AADHAAR: &str = "9876 5432 1096";

const ID_PROOF: &str = "query($id: ID!) { node(id: $id) { ... on Customer { idProofType idProofNo } } }";
const REVEAL: &str = "mutation($id: ID!, $r: String!) { revealIdProof(customerId: $id, reason: $r) }";
const INVOICES: &str = "query($id: ID!) { node(id: $id) { ... on Customer { invoices { id } } } }";
const UPDATE: &str =
    "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { idProofNo } } }";

/// A customer with `AADHAAR` on file; returns (customer ID, its first invoice's ID).
async fn customer_with_aadhaar(app: &TestApp, username: &str) -> (String, String) {
    let plan = app.catalogue("499.00").await.broadband;
    app.customer(username, &plan)
        .set("idProofType", "AADHAR_CARD")
        .set("idProofNo", AADHAAR)
        .create_with_invoice()
        .await
}

async fn id_proof_as(app: &TestApp, token: &str, customer: &str) -> Value {
    app.data_as(Some(token), ID_PROOF, json!({"id": customer})).await["node"]["idProofNo"].clone()
}

/// How many rows of every table of the app's database hold `needle` in any column.
fn rows_holding(app: &TestApp, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    match app.kind {
        Kind::Sqlite => {
            let tables = app.sql_text(
                "SELECT group_concat(name, ',') AS value FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            );
            for table in tables.split(',') {
                let columns =
                    app.sql_text(&format!("SELECT group_concat(name, ',') AS value FROM pragma_table_info('{table}')"));
                let any =
                    columns.split(',').map(|c| format!("CAST(\"{c}\" AS TEXT) LIKE '%{needle}%'")).collect::<Vec<_>>();
                let n = app.sql_text(&format!(
                    "SELECT CAST(COUNT(*) AS TEXT) AS value FROM \"{table}\" WHERE {}",
                    any.join(" OR ")
                ));
                if n != "0" {
                    found.push(format!("{table}: {n}"));
                }
            }
        }
        Kind::Postgres => {
            let tables =
                app.sql_text("SELECT string_agg(tablename, ',') AS value FROM pg_tables WHERE schemaname = 'public'");
            for table in tables.split(',') {
                let n = app.sql_text(&format!(
                    "SELECT COUNT(*)::text AS value FROM \"{table}\" x WHERE x::text LIKE '%{needle}%'"
                ));
                if n != "0" {
                    found.push(format!("{table}: {n}"));
                }
            }
        }
    }
    found
}

fn assert_absent(text: &str, what: &str) {
    for needle in [AADHAAR, AADHAAR_DIGITS, "2345-6789-0124"] {
        assert!(!text.contains(needle), "{what} holds the identity number {needle}");
    }
}

async fn get(app: &TestApp, path: &str) -> Vec<u8> {
    let response = app.client.get(app.url(path)).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("/usr/bin/pdftotext").arg("-layout").arg(&file).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

crate::on_both_databases! {
    async fn aadhaar_numbers_are_checked(app: TestApp) {
        let plan = app.catalogue("499").await.broadband;
        let with = |number: &str| {
            json!({"i": app.customer("asha", &plan).set("idProofType", "AADHAR_CARD").set("idProofNo", number).input()})
        };
        for bad in ["2345 6789 0123", "1345 6789 0127", "0345 6789 0125", "2345 6789 012", "2345-6789-0123", "ABCD 6789 0124"] {
            let error = app.error(CREATE_CUSTOMER, with(bad)).await;
            assert_code(&error, "BAD_USER_INPUT", Some("idProofNo"));
        }
        let refused = app.error(CREATE_CUSTOMER, with("2345 6789 0123")).await;
        assert!(refused["message"].as_str().unwrap().contains("check digit"), "{refused}");
        // Other documents keep their shapes; a number needs its type.
        let voter = json!({"i": app.customer("asha", &plan).set("idProofType", "VOTER_ID").set("idProofNo", "AB1234567").input()});
        assert_code(&app.error(CREATE_CUSTOMER, voter).await, "BAD_USER_INPUT", Some("idProofNo"));
        let untyped = json!({"i": app.customer("asha", &plan).set("idProofNo", AADHAAR).input()});
        assert_code(&app.error(CREATE_CUSTOMER, untyped).await, "BAD_USER_INPUT", Some("idProofType"));

        let created = app.data(CREATE_CUSTOMER, with("234567890124")).await["createCustomer"].clone();
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(id_proof_as(&app, &app.token, &id).await, "XXXX XXXX 0124");
        // Typed with dashes, as some forms print it: the same number.
        let dashed = app.customer("dashes", &plan).set("idProofType", "AADHAR_CARD").set("idProofNo", "2345-6789-0124");
        let dashed = app.data(CREATE_CUSTOMER, json!({"i": dashed.input()})).await["createCustomer"]["id"].clone();
        assert_eq!(id_proof_as(&app, &app.token, dashed.as_str().unwrap()).await, "XXXX XXXX 0124");
        assert_eq!(app.data(REVEAL, json!({"id": dashed, "r": "form check"})).await["revealIdProof"], AADHAAR);
        app.data(UPDATE, json!({"id": dashed, "i": {"idProofType": null, "idProofNo": null}})).await;
        // A new number alone is checked for the type on file.
        let bad = app.error(UPDATE, json!({"id": id, "i": {"idProofNo": "9876 5432 1098"}})).await;
        assert_code(&bad, "BAD_USER_INPUT", Some("idProofNo"));
        let changed = app.data(UPDATE, json!({"id": id, "i": {"idProofNo": OTHER_AADHAAR}})).await;
        assert_eq!(changed["updateCustomer"]["customer"]["idProofNo"], "XXXX XXXX 1096");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault"), "1", "the old number is erased");
        // A passport instead: type and number together.
        let passport = app.data(UPDATE, json!({"id": id, "i": {"idProofType": "PASSPORT", "idProofNo": "k1234567"}})).await;
        assert_eq!(passport["updateCustomer"]["customer"]["idProofNo"], "XXXX4567");
        let alone = app.error(UPDATE, json!({"id": id, "i": {"idProofType": "VOTER_ID"}})).await;
        assert_code(&alone, "BAD_USER_INPUT", Some("idProofNo"));
        let removed = app.data(UPDATE, json!({"id": id, "i": {"idProofType": null, "idProofNo": null}})).await;
        assert_eq!(removed["updateCustomer"]["customer"]["idProofNo"], Value::Null);
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault"), "0");
    }

    async fn staff_see_the_number_masked_and_its_customer_in_full(app: TestApp) {
        let (customer, _) = customer_with_aadhaar(&app, "meena").await;
        assert_eq!(id_proof_as(&app, &app.token, &customer).await, "XXXX XXXX 0124", "masked for ADMIN too");
        for (name, role) in [("col", Role::Collector), ("sup", Role::Support), ("man", Role::Manager)] {
            let token = app.staff(name, role).await;
            assert_eq!(id_proof_as(&app, &token, &customer).await, "XXXX XXXX 0124", "{role:?}");
        }
        let own = app.login("meena", CUSTOMER_PASSWORD).await;
        assert_eq!(id_proof_as(&app, &own, &customer).await, AADHAAR, "a customer sees their own");
        // The customers list masks as well.
        let list = app.data("{ customers(first: 10) { nodes { idProofNo } } }", json!({})).await;
        assert_eq!(list["customers"]["nodes"][0]["idProofNo"], "XXXX XXXX 0124");
        // Found by its last four digits or the whole number, through the keyed hashes.
        let companies = app.data("{ companies(first: 1) { nodes { id } } }", json!({})).await;
        let plan = app.plan(companies["companies"]["nodes"][0]["id"].as_str().unwrap()).name("Other").create().await;
        app.customer("nobody", &plan).set("idProofType", "AADHAR_CARD").set("idProofNo", OTHER_AADHAAR).create().await;
        let find = "query($n: String!) { customers(first: 10, filter: {idProofNo: $n}) { totalCount nodes { username } } }";
        for typed in ["0124", "2345 6789 0124", "234567890124", "2345-6789-0124"] {
            let found = app.data(find, json!({"n": typed})).await["customers"].clone();
            assert_eq!(found["totalCount"], 1, "{typed}: {found}");
            assert_eq!(found["nodes"][0]["username"], "meena");
        }
        for typed in ["0123", "2345 6789 0123", "1096 0124"] {
            assert_eq!(app.data(find, json!({"n": typed})).await["customers"]["totalCount"], 0, "{typed}");
        }
        assert_code(&app.error(find, json!({"n": " "})).await, "BAD_USER_INPUT", Some("filter.idProofNo"));
    }

    async fn reveal_id_proof_is_for_admin_and_manager_and_audited(app: TestApp) {
        let (customer, _) = customer_with_aadhaar(&app, "ravi").await;
        let manager = app.staff("man", Role::Manager).await;
        let revealed = app.data_as(Some(&manager), REVEAL, json!({"id": customer, "r": "KYC audit by DoT"})).await;
        assert_eq!(revealed["revealIdProof"], AADHAAR);
        let admin = app.data(REVEAL, json!({"id": customer, "r": "police request 12/26"})).await;
        assert_eq!(admin["revealIdProof"], AADHAAR);
        for (name, role) in [("col", Role::Collector), ("sup", Role::Support)] {
            let token = app.staff(name, role).await;
            let refused = app.error_as(Some(&token), REVEAL, json!({"id": customer, "r": "curious"})).await;
            assert_code(&refused, "FORBIDDEN", None);
        }
        let own = app.login("ravi", CUSTOMER_PASSWORD).await;
        assert_code(&app.error_as(Some(&own), REVEAL, json!({"id": customer, "r": "mine"})).await, "FORBIDDEN", None);
        assert_code(&app.error(REVEAL, json!({"id": customer, "r": " "})).await, "BAD_USER_INPUT", Some("reason"));
        // A number typed into the reason would stay in clear in the append-only log: refused.
        for reason in ["checking 2345 6789 0124", "ref 2345-6789-0124", "234567890124 as asked", "9876 5432 1096"] {
            let refused = app.error_as(Some(&manager), REVEAL, json!({"id": customer, "r": reason})).await;
            assert_code(&refused, "BAD_USER_INPUT", Some("reason"));
        }

        let q = "query($f: AuditFilterInput) { auditLog(filter: $f, first: 10) { nodes { actorName targetIds details at } } }";
        let log = app.data(q, json!({"f": {"operation": "revealIdProof"}})).await["auditLog"]["nodes"].clone();
        let entries = log.as_array().unwrap();
        assert_eq!(entries.len(), 2, "one entry per reveal, none for the refused: {log:#}");
        assert_eq!(entries[0]["actorName"], "man");
        assert_eq!(entries[0]["details"], "reason: KYC audit by DoT");
        assert_eq!(entries[0]["targetIds"][0], customer.as_str());
        assert!(entries[0]["at"].is_string());
        assert_absent(&log.to_string(), "the audit log");
    }

    async fn the_plain_number_is_nowhere_but_in_the_vault(app: TestApp) {
        let (customer, invoice) = customer_with_aadhaar(&app, "kiran").await;
        // Changed (audited), revealed (audited) and paid: every path that writes something.
        app.data(UPDATE, json!({"id": customer, "i": {"idProofNo": OTHER_AADHAAR}})).await;
        app.data(UPDATE, json!({"id": customer, "i": {"idProofNo": AADHAAR}})).await;
        app.data(REVEAL, json!({"id": customer, "r": "inspection"})).await;
        app.data(crate::documents::SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        app.pay(json!({"invoiceId": invoice, "amount": "100", "paymentMethod": "CASH"})).await;

        // The scan finds what is there: the masked form, the customer's name.
        assert_eq!(rows_holding(&app, "XXXX XXXX 0124"), vec!["id_vault: 1".to_owned()]);
        assert!(rows_holding(&app, "Customer kiran").iter().any(|t| t.starts_with("customers")));
        for needle in [AADHAAR_DIGITS, AADHAAR, "9876543210", "9876 5432 1096"] {
            assert_eq!(rows_holding(&app, needle), Vec::<String>::new(), "{needle} stored in clear");
        }
        let log = app.data("{ auditLog(last: 100) { nodes { operation details } } }", json!({})).await;
        assert_absent(&log.to_string(), "the audit log");
        for report in ["collections", "dues", "revenue", "gst-summary", "expenses", "customers"] {
            let csv = String::from_utf8(get(&app, &format!("/reports/{report}.csv")).await).unwrap();
            assert_absent(&csv, report);
        }
        let pdf = pdf_text(&get(&app, &format!("/invoices/{invoice}.pdf")).await);
        assert!(pdf.contains("kiran") || pdf.contains("Customer"), "the PDF reads: {pdf}");
        assert_absent(&pdf, "the invoice PDF");
        let html = String::from_utf8(get(&app, &format!("/invoices/{invoice}.html")).await).unwrap();
        assert_absent(&html, "the invoice HTML");
    }

    async fn a_wrong_vault_key_stops_the_server_and_keys_rotate(app: TestApp) {
        use isp_billing::id_vault::key::IdVaultKey;
        let (customer, _) = customer_with_aadhaar(&app, "rotor").await;
        let new_key = IdVaultKey::parse(&"5a".repeat(32), "ISP_ID_VAULT_KEY").unwrap();
        let old_key = crate::helpers::test_id_vault_key();

        // Another key alone: the server does not start, and says why.
        let mut config = isp_billing::config::Config::for_database(app.database_url());
        config.id_vault_key = Some(new_key.clone());
        let refused = isp_billing::build_app(&config).await.err().expect("a wrong vault key must stop the start");
        let message = format!("{refused:#}");
        assert!(message.contains("ISP_ID_VAULT_KEY is not the key"), "{message}");
        assert!(message.contains("ISP_ID_VAULT_OLD_KEYS"), "{message}");

        // The new key with the old one as an old key: every number is sealed again.
        let (new, old) = (new_key.clone(), old_key.clone());
        let rotated = app.restart_with(move |c| { c.id_vault_key = Some(new); c.id_vault_old_keys = vec![old]; }).await;
        assert_eq!(app.sql_text("SELECT MIN(key_id) AS value FROM id_vault"), new_key.id());
        assert_eq!(app.sql_text("SELECT MAX(key_id) AS value FROM id_vault"), new_key.id());
        assert_eq!(rotated.data(REVEAL, json!({"id": customer, "r": "after rotation"})).await["revealIdProof"], AADHAAR);
        drop(rotated);
        // From now on the new key alone works, and the old one alone is refused.
        let new = new_key.clone();
        let later = app.restart_with(move |c| c.id_vault_key = Some(new)).await;
        assert_eq!(later.data(REVEAL, json!({"id": customer, "r": "later"})).await["revealIdProof"], AADHAAR);
        assert_eq!(id_proof_as(&later, &later.token, &customer).await, "XXXX XXXX 0124");
        config.id_vault_key = Some(old_key);
        assert!(isp_billing::build_app(&config).await.is_err(), "the old key no longer opens the vault");
    }
}

crate::on_both_databases! {
    async fn erasure_after_the_retention_leaves_gst_documents_as_issued(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let (customer, invoice) = app
            .customer("leela", &catalogue.broadband)
            .set("idProofType", "AADHAR_CARD")
            .set("idProofNo", AADHAAR)
            .set("email", "leela@example.in")
            .create_with_invoice()
            .await;
        app.data(crate::documents::SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        // Free text staff typed about her: a payment's remarks, why a refund, why a pause.
        let remarks = "paid by her brother Ramesh 9822066666";
        let paid = app.pay(json!({"invoiceId": invoice, "amount": "100", "paymentMethod": "CASH", "remarks": remarks})).await;
        let refund = "mutation($i: CreateRefundInput!) { createRefund(input: $i) { id } }";
        let why = "asked for it on 9822044444";
        let refunded = app.data(refund, json!({"i": {"paymentId": paid["id"], "amount": "10", "reason": why}})).await;
        let start = app.data("query($id: ID!) { node(id: $id) { ... on Customer { startDate } } }", json!({"id": customer})).await;
        let start: chrono::NaiveDate = start["node"]["startDate"].as_str().unwrap().parse().unwrap();
        let pause = "mutation($c: ID!, $from: Date, $r: String) { pauseService(customerId: $c, from: $from, reason: $r) { pause { reason } } }";
        let paused = app.data(pause, json!({"c": customer, "from": start.to_string(), "r": "travelling to Kochi"})).await;
        assert_eq!(paused["pauseService"]["pause"]["reason"], "travelling to Kochi");
        let resume = "mutation($c: ID!, $on: Date) { resumeService(customerId: $c, on: $on) { note } }";
        app.data(resume, json!({"c": customer, "on": crate::helpers::days_after(start, 1)})).await;
        let sent = "SELECT CAST(COUNT(*) AS TEXT) AS value FROM notifications WHERE recipient_kind = 'CUSTOMER'";
        assert_ne!(app.sql_text(sent), "0", "the customer was sent messages");
        let pdf = get(&app, &format!("/invoices/{invoice}.pdf")).await;
        let pdf_is_stable = pdf == get(&app, &format!("/invoices/{invoice}.pdf")).await;
        let html = get(&app, &format!("/invoices/{invoice}.html")).await;
        let record = app.sql_text("SELECT body AS value FROM document_snapshots");
        assert!(record.contains("Customer leela"), "the issued record names the customer: {record}");

        // What the audit log and her complaints recorded about her: a former phone and address,
        // a complaint's text, and what she did herself.
        let moved = json!({"mobile": "9822077777", "address": "Flat 4, Pratap Nagar"});
        app.data(UPDATE, json!({"id": customer, "i": moved})).await;
        let complaint = json!({"customerId": customer, "title": "Leela's router", "category": "CONNECTIVITY",
                               "description": "Dead since Monday, call 9822077777"});
        let filed = app.data(CREATE_COMPLAINT, json!({"i": complaint})).await["createComplaint"]["id"].clone();
        app.data(UPDATE_COMPLAINT, json!({"id": filed, "i": {"description": "Dead at Pratap Nagar"}})).await;
        let own = app.login("leela", CUSTOMER_PASSWORD).await;
        let hers = json!({"customerId": customer, "title": "Slow", "description": "Evenings", "category": "SPEED"});
        app.data_as(Some(&own), CREATE_COMPLAINT, json!({"i": hers})).await;
        // An entry she made about herself with quoted values (as a self-service change would
        // record one): it must be both blanked and renamed, in its one allowed update.
        let key = app.sql_text("SELECT CAST(id AS TEXT) AS value FROM customers WHERE username = 'leela'");
        app.sql(&format!(
            "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, operation, target_ids, details) VALUES \
             (CURRENT_TIMESTAMP, 'CUSTOMER', {key}, 'leela', 'updateOwnProfile', '{customer}', \
             'email: \"leela@example.in\" -> \"leela.k@example.in\"')"
        ))
        .unwrap();

        // A second customer, who came through a connection request.
        let request = json!({"fullName": "Leela Applicant", "mobile": "9822088888", "address": "Sitabuldi"});
        app.data_as(None, crate::documents::CREATE_CONNECTION_REQUEST, json!({"i": request})).await;
        let requests = app.data("{ connectionRequests(status: NEW) { nodes { id } } }", json!({})).await;
        let convert = "mutation($id: ID!, $i: CreateCustomerInput!) { convertConnectionRequest(id: $id, input: $i) { customer { id } } }";
        let input = app.customer("applicant", &catalogue.broadband).input();
        let converted = app.data(convert, json!({"id": requests["connectionRequests"]["nodes"][0]["id"], "i": input})).await;
        let applicant = converted["convertConnectionRequest"]["customer"]["id"].clone();

        let terminate = "mutation($id: ID!, $r: String) { changeCustomerStatus(id: $id, status: TERMINATED, reason: $r) { status } }";
        app.data(terminate, json!({"id": customer, "r": "moved away, new number 9822055555"})).await;
        app.data(terminate, json!({"id": applicant, "r": "moved away"})).await;
        let db = isp_billing::db::Db::connect(app.database_url(), 2, std::sync::Arc::default()).unwrap();
        assert_eq!(isp_billing::id_vault::retention::run(&db).await.unwrap(), 0, "kept for 730 days by default");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault"), "1");

        let retention = "mutation($id: ID!, $i: UpdateCompanyInput!) { updateCompany(id: $id, input: $i) { kycRetentionDays } }";
        let bad = app.error(retention, json!({"id": catalogue.company, "i": {"kycRetentionDays": -1}})).await;
        assert_code(&bad, "BAD_USER_INPUT", Some("kycRetentionDays"));
        let set = app.data(retention, json!({"id": catalogue.company, "i": {"kycRetentionDays": 0}})).await;
        assert_eq!(set["updateCompany"]["kycRetentionDays"], 0);
        // On SQLite the erased values' bytes must not stay on disk either: what the database
        // files hold of them now, to look for again after.
        let on_disk = ["9822077777", "Pratap Nagar", "Monday", "Leela Applicant", "9822088888", "Sitabuldi",
                       "9822066666", "9822044444", "Kochi", "9822055555"];
        if app.kind == Kind::Sqlite {
            for needle in on_disk {
                assert_ne!(app.sqlite_files_holding(needle), Vec::<String>::new(), "{needle} is on disk before");
            }
        }
        assert_eq!(isp_billing::id_vault::retention::run(&db).await.unwrap(), 2);
        assert_eq!(isp_billing::id_vault::retention::run(&db).await.unwrap(), 0, "once");

        // Erased: the vault row is gone and the personal details anonymised...
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault"), "0");
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { fullName email mobile idProofType idProofNo address } } }";
        let erased = app.data(q, json!({"id": customer})).await["node"].clone();
        assert_eq!(erased["fullName"], "Erased customer");
        assert_eq!((erased["email"].clone(), erased["idProofNo"].clone()), (Value::Null, Value::Null));
        assert_eq!(erased["mobile"], "0000000000");
        assert_eq!(app.sql_text(sent), "0", "messages to the customer are deleted");
        let needles = ["leela", "9822012345", "9822077777", "Pratap Nagar", "Monday", AADHAAR_DIGITS, "Leela Applicant",
                       "9822088888", "Sitabuldi", "Ramesh", "9822066666", "9822044444", "Kochi", "9822055555"];
        for needle in needles {
            assert_eq!(rows_holding_outside_records(&app, needle), Vec::<String>::new(), "{needle} left after erasure");
        }
        // Not in the free space of the SQLite file (`secure_delete`) or its write-ahead log
        // (truncated after the erasure) either; the issued records hold none of these.
        for needle in on_disk {
            assert_eq!(rows_holding(&app, needle), Vec::<String>::new(), "{needle} is in a table");
            assert_eq!(app.sqlite_files_holding(needle), Vec::<String>::new(), "{needle} left on disk after erasure");
        }
        // ...and the invoice prints and files as issued, byte for byte.
        assert_eq!(app.sql_text("SELECT body AS value FROM document_snapshots"), record);
        assert_eq!(get(&app, &format!("/invoices/{invoice}.html")).await, html, "the HTML invoice");
        let again = get(&app, &format!("/invoices/{invoice}.pdf")).await;
        if pdf_is_stable {
            assert_eq!(again, pdf, "the PDF invoice");
        } else {
            assert_eq!(pdf_text(&again), pdf_text(&pdf), "the PDF invoice's text");
        }
        let q = "query($f: AuditFilterInput) { auditLog(filter: $f, first: 5) { nodes { actorKind targetIds } } }";
        let log = app.data(q, json!({"f": {"operation": "eraseCustomerData"}})).await;
        assert_eq!(log["auditLog"]["nodes"][0]["targetIds"][0], customer.as_str());
        // The audit log keeps who changed what and when, without the values; her complaints
        // keep their category and dates, without her words.
        let q = "query($f: AuditFilterInput) { auditLog(filter: $f, first: 5) { nodes { actorName details erasedAt } } }";
        let updated = app.data(q, json!({"f": {"operation": "updateCustomer", "targetId": customer}})).await;
        let entry = &updated["auditLog"]["nodes"][0];
        assert_eq!(entry["details"], "mobile: (erased) -> (erased); address: (erased) -> (erased)");
        assert!(entry["erasedAt"].is_string(), "{entry}");
        assert_eq!(entry["actorName"], "admin", "staff are not erased");
        let created = app.data(q, json!({"f": {"operation": "createComplaint"}})).await;
        let by_her = created["auditLog"]["nodes"].as_array().unwrap().iter().find(|e| e["actorName"] != "admin");
        assert!(by_her.is_some_and(|e| e["actorName"].as_str().unwrap().starts_with("erased:")), "{created}");
        let q = "query($id: ID!) { node(id: $id) { ... on Complaint { title description category } } }";
        let complaint = app.data(q, json!({"id": filed})).await["node"].clone();
        assert_eq!(complaint, json!({"title": "(erased)", "description": "(erased)", "category": "CONNECTIVITY"}));
        // The reasons typed for a status change and a pause go; the status part stays.
        let q = "query($f: AuditFilterInput) { auditLog(filter: $f, first: 5) { nodes { details } } }";
        let status = app.data(q, json!({"f": {"operation": "changeCustomerStatus", "targetId": customer}})).await;
        assert_eq!(status["auditLog"]["nodes"][0]["details"], "SUSPENDED -> TERMINATED: (erased)", "suspended for dues on resuming");
        let pauses = app.data(q, json!({"f": {"operation": "pauseService", "targetId": customer}})).await;
        let details = pauses["auditLog"]["nodes"][0]["details"].as_str().unwrap().to_owned();
        assert!(details.starts_with("paused from ") && details.ends_with("; reason: (erased)"), "{details}");
        // Her payment and refund keep their money, dates and method, without the remarks and reason.
        let q = "query($id: ID!) { node(id: $id) { ... on Payment { amount paymentMethod remarks refundedAmount
                 refunds { amount reason } } } }";
        let payment = app.data(q, json!({"id": paid["id"]})).await["node"].clone();
        assert_eq!(payment, json!({"amount": "100.00", "paymentMethod": "CASH", "remarks": "(erased)",
                                   "refundedAmount": "10.00", "refunds": [{"amount": "10.00", "reason": "(erased)"}]}));
        assert!(refunded["createRefund"]["id"].is_string());
        let q = "query($f: AuditFilterInput) { auditLog(filter: $f, first: 5) { nodes { actorName details } } }";
        let own = app.data(q, json!({"f": {"operation": "updateOwnProfile"}})).await["auditLog"]["nodes"][0].clone();
        assert_eq!(own["details"], "email: (erased) -> (erased)");
        assert!(own["actorName"].as_str().unwrap().starts_with("erased:"), "{own}");
        // That one change, once, at a customer's erasure, is all the audit log allows.
        assert!(app.sql("UPDATE audit_log SET details = 'rewritten'").is_err(), "a plain update");
        for at in ["CURRENT_TIMESTAMP", "'2001-02-03 04:05:06'"] {
            let unmatched = format!("UPDATE audit_log SET details = 'rewritten', erased_at = {at} WHERE erased_at IS NULL");
            assert!(app.sql(&unmatched).is_err(), "marked erased at {at}, when no customer was erased");
        }
        let sneaky = "UPDATE audit_log SET operation = 'x', erased_at = CURRENT_TIMESTAMP WHERE erased_at IS NULL";
        assert!(app.sql(sneaky).is_err(), "more than the details");
        let again = "UPDATE audit_log SET details = 'again', erased_at = CURRENT_TIMESTAMP WHERE erased_at IS NOT NULL";
        assert!(app.sql(again).is_err(), "an erased entry again");
        assert!(app.sql("DELETE FROM audit_log").is_err(), "a delete");
    }

    async fn personal_data_is_exported_to_staff_and_to_the_customer(app: TestApp) {
        let plan = app.catalogue("499.00").await.broadband;
        let customer = app.customer("dev", &plan).set("idProofType", "AADHAR_CARD").set("idProofNo", AADHAAR).create().await;
        let customer = customer["id"].as_str().unwrap().to_owned();
        let other = app.customer("other", &plan).create().await["id"].as_str().unwrap().to_owned();
        let q = "query($id: ID!) { exportPersonalData(customerId: $id) }";
        let export = |data: Value| -> Value { serde_json::from_str(data["exportPersonalData"].as_str().unwrap()).unwrap() };
        let staff = export(app.data(q, json!({"id": customer})).await);
        assert_eq!(staff["fullName"], "Customer dev");
        // Staff get the number masked: in full it is revealIdProof's, with a reason on record.
        let masked = json!({"type": "AADHAR_CARD", "number": "XXXX XXXX 0124", "masked": true});
        assert_eq!(staff["idProof"], masked);
        assert_eq!(staff["invoices"].as_array().unwrap().len(), 1);
        assert_eq!(staff["payments"], json!([]));
        assert_eq!(staff["complaints"], json!([]));
        assert_eq!(staff["connectionRequests"], json!([]));
        let complaint = json!({"customerId": customer, "title": "No dial tone", "description": "Since 9", "category": "CONNECTIVITY"});
        app.data(CREATE_COMPLAINT, json!({"i": complaint})).await;
        let invoice = app.data(INVOICES, json!({"id": customer})).await["node"]["invoices"][0]["id"].clone();
        app.pay(json!({"invoiceId": invoice, "amount": "100", "paymentMethod": "UPI"})).await;
        let staff = export(app.data(q, json!({"id": customer})).await);
        assert_eq!(staff["complaints"][0]["title"], "No dial tone");
        assert_eq!(staff["complaints"][0]["description"], "Since 9");
        assert_eq!((staff["payments"][0]["amount"].clone(), staff["payments"][0]["method"].clone()), (json!("100.00"), json!("UPI")));
        // The customer gets the same, with their own number in full.
        let own = app.login("dev", CUSTOMER_PASSWORD).await;
        let theirs = export(app.data_as(Some(&own), q, json!({"id": customer})).await);
        assert_eq!(theirs["idProof"], json!({"type": "AADHAR_CARD", "number": AADHAAR, "masked": false}));
        let mut same = theirs.clone();
        same["idProof"] = masked.clone();
        assert_eq!(same, staff, "only the number differs");
        assert_code(&app.error_as(Some(&own), q, json!({"id": other})).await, "NOT_FOUND", None);
        let collector = app.staff("col", Role::Collector).await;
        assert_code(&app.error_as(Some(&collector), q, json!({"id": customer})).await, "FORBIDDEN", None);
        let manager = app.staff("man", Role::Manager).await;
        assert_eq!(export(app.data_as(Some(&manager), q, json!({"id": customer})).await), staff);
        let log = "query($f: AuditFilterInput) { auditLog(filter: $f, first: 10) { totalCount } }";
        let entries = app.data(log, json!({"f": {"operation": "exportPersonalData"}})).await;
        assert_eq!(entries["auditLog"]["totalCount"], 4);
        assert_absent(&app.data("{ auditLog(last: 100) { nodes { details } } }", json!({})).await.to_string(), "the log");
        // A server without the vault key still exports, masked for everyone.
        let keyless = app.restart_with(|c| c.id_vault_key = None).await;
        assert_eq!(export(keyless.data(q, json!({"id": customer})).await)["idProof"], masked);
        let own = keyless.login("dev", CUSTOMER_PASSWORD).await;
        assert_eq!(export(keyless.data_as(Some(&own), q, json!({"id": customer})).await)["idProof"], masked);
    }
}

crate::on_both_databases! {
    async fn one_customer_that_cannot_be_erased_does_not_hold_up_the_others(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        let first = app.customer("first", &catalogue.broadband).create().await;
        let number = first["customerId"].as_str().unwrap().to_owned();
        // An erased customer's username cannot be taken by a real one...
        let taken = json!({"i": app.customer(&format!("erased:{number}"), &catalogue.broadband).input()});
        assert_code(&app.error(CREATE_CUSTOMER, taken).await, "BAD_USER_INPUT", Some("username"));
        // ...and one like it (the form before this version) does not stand in the way.
        let lookalike = app.customer(&format!("erased-{number}"), &catalogue.broadband).create().await;
        let second = app.customer("second", &catalogue.broadband).create().await;
        // A row that would clash all the same (as an import could leave one): the first
        // customer's erasure fails, and the others are erased anyway.
        let key = app.sql_text("SELECT CAST(id AS TEXT) AS value FROM customers WHERE username = 'second'");
        app.sql(&format!("UPDATE customers SET username = 'erased:{number}' WHERE id = {key}")).unwrap();
        let terminate = "mutation($id: ID!) { changeCustomerStatus(id: $id, status: TERMINATED) { status } }";
        for customer in [&first, &lookalike, &second] {
            app.data(terminate, json!({"id": customer["id"]})).await;
        }
        let retention = "mutation($id: ID!, $i: UpdateCompanyInput!) { updateCompany(id: $id, input: $i) { id } }";
        app.data(retention, json!({"id": catalogue.company, "i": {"kycRetentionDays": 0}})).await;
        let db = isp_billing::db::Db::connect(app.database_url(), 2, std::sync::Arc::default()).unwrap();
        assert_eq!(isp_billing::id_vault::retention::run(&db).await.unwrap(), 2, "all but the first");
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { username fullName } } }";
        let name = |customer: &Value| app.data(q, json!({"id": customer["id"]}));
        assert_eq!(name(&first).await["node"]["fullName"], "Customer first", "left as it was");
        for customer in [&lookalike, &second] {
            let erased = name(customer).await["node"].clone();
            let expected = format!("erased:{}", customer["customerId"].as_str().unwrap());
            assert_eq!(erased, json!({"username": expected, "fullName": "Erased customer"}));
        }
        // The clash gone (the second customer's name changed), the next run erases the first.
        assert_eq!(isp_billing::id_vault::retention::run(&db).await.unwrap(), 1);
        assert_eq!(name(&first).await["node"], json!({"username": format!("erased:{number}"), "fullName": "Erased customer"}));
        assert_eq!(isp_billing::id_vault::retention::run(&db).await.unwrap(), 0);
    }
}

crate::on_both_databases! {
    async fn the_first_erasure_runs_a_day_after_the_start_not_at_it(app: TestApp) {
        // An upgrade: customers terminated long ago, and a retention the operator has yet to set.
        let catalogue = app.catalogue("499.00").await;
        let gone = app.customer("gone", &catalogue.broadband).create().await;
        let terminate = "mutation($id: ID!) { changeCustomerStatus(id: $id, status: TERMINATED) { status } }";
        app.data(terminate, json!({"id": gone["id"]})).await;
        app.sql("UPDATE customers SET terminated_at = '2020-01-01 00:00:00'").unwrap();
        let restarted = app.restart_on_same_database().await;
        // The daily job's first run is a day away: nothing is erased at the start.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { fullName } } }";
        assert_eq!(restarted.data(q, json!({"id": gone["id"]})).await["node"]["fullName"], "Customer gone");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM customers WHERE erased_at IS NOT NULL"), "0");
        // The operator's day to look: the run, when it comes, erases under the retention set.
        let db = isp_billing::db::Db::connect(app.database_url(), 1, std::sync::Arc::default()).unwrap();
        assert_eq!(isp_billing::id_vault::retention::run(&db).await.unwrap(), 1, "past the default 730 days");
    }
}

/// [`rows_holding`] apart from the issued documents' records (kept as the law asks for GST
/// records).
fn rows_holding_outside_records(app: &TestApp, needle: &str) -> Vec<String> {
    rows_holding(app, needle).into_iter().filter(|t| !t.starts_with("document_snapshots")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_holds_no_plain_identity_number() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    customer_with_aadhaar(&app, "bkp").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    let db = isp_billing::db::Db::connect(app.database_url(), 1, std::sync::Arc::default()).unwrap();
    isp_billing::backup::backup(&db, app.database_url(), &file).await.expect("backup");
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() > 10_000, "a real backup");
    assert_absent(&String::from_utf8_lossy(&bytes), "the backup file");
    // The live database file and its write-ahead log neither.
    let live = std::fs::read(app.database_url()).unwrap();
    assert_absent(&String::from_utf8_lossy(&live), "the database file");
    if let Ok(wal) = std::fs::read(format!("{}-wal", app.database_url())) {
        assert_absent(&String::from_utf8_lossy(&wal), "the write-ahead log");
    }
}

/// A PostgreSQL backup (`pg_dump`'s custom format, compressed) turned back into SQL text by
/// `pg_restore` holds no plain number either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn a_postgres_backup_holds_no_plain_identity_number() {
    let Some(app) = TestApp::spawn(Kind::Postgres).await else { return };
    customer_with_aadhaar(&app, "pgbkp").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.dump");
    let db = isp_billing::db::Db::connect(app.database_url(), 1, std::sync::Arc::default()).unwrap();
    isp_billing::backup::backup(&db, app.database_url(), &file).await.expect("backup");
    let script = std::process::Command::new("pg_restore").arg("--file=-").arg(&file).output().expect("pg_restore");
    assert!(script.status.success(), "{}", String::from_utf8_lossy(&script.stderr));
    let text = String::from_utf8_lossy(&script.stdout);
    assert!(text.contains("COPY public.id_vault"), "the backup holds the vault, sealed");
    assert_absent(&text, "the PostgreSQL backup");
}
