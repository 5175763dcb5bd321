//! Every migration reverts cleanly: up → down leaves nothing behind, and up again works.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use diesel::prelude::*;
use diesel::sql_types::Text;
use isp_billing::db::{migrations, Backend, Db, DbConn};
use isp_billing::error::AppError;

use crate::documents::SET_INVOICE_STATUS;
use crate::helpers::{check_invariants, Kind, TestDb};

#[derive(QueryableByName, Debug)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Tables and indexes of the database, sorted, without diesel's own bookkeeping.
fn objects(conn: &mut DbConn, backend: Backend) -> Vec<String> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT type || ':' || name AS name FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '%diesel_schema_migrations%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT 'table:' || tablename AS name FROM pg_tables WHERE schemaname = 'public' \
             AND tablename <> '__diesel_schema_migrations' \
             UNION ALL SELECT 'index:' || indexname FROM pg_indexes WHERE schemaname = 'public' \
             AND tablename <> '__diesel_schema_migrations' ORDER BY name"
        }
    };
    diesel::sql_query(sql).load::<Named>(conn).expect("list objects").into_iter().map(|n| n.name).collect()
}

async fn round_trip(kind: Kind) {
    let Some(test_db) = tokio::task::spawn_blocking(move || TestDb::create(kind)).await.unwrap() else { return };
    let db = Db::connect(test_db.url(), 2, Arc::new(AtomicU64::new(0))).expect("connect");
    let backend = db.backend();
    db.read(move |conn| {
        let internal = |e: Box<dyn std::error::Error + Send + Sync>| AppError::Internal(e.to_string());
        assert!(objects(conn, backend).is_empty(), "a new database is empty");
        let applied = migrations::run_pending(conn).map_err(internal)?;
        assert!(!applied.is_empty());
        let schema = objects(conn, backend);
        assert!(schema.iter().any(|o| o == "table:plans"), "{schema:?}");

        let reverted = migrations::revert_all(conn).map_err(internal)?;
        assert_eq!(reverted.len(), applied.len());
        assert_eq!(objects(conn, backend), Vec::<String>::new(), "down.sql leaves nothing behind");

        migrations::run_pending(conn).map_err(internal)?;
        assert_eq!(objects(conn, backend), schema, "up again builds the same schema");
        Ok(())
    })
    .await
    .map_err(|e| e.message())
    .expect("migrations round trip");
    drop(db);
}

#[tokio::test]
async fn migrations_revert_cleanly_on_sqlite() {
    round_trip(Kind::Sqlite).await;
}

#[tokio::test]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn migrations_revert_cleanly_on_postgres() {
    round_trip(Kind::Postgres).await;
}

crate::on_both_databases! {
    async fn money_recorded_before_the_billing_migration_is_carried_over(app: TestApp) {
        use serde_json::json;
        // A customer with a part-paid first invoice, a paid one and a cancelled one, recorded
        // the way the pre-billing schema held them: payments against invoices.
        let (c, first) = app.customer_with_invoice("olga").await;
        let second = app.invoice(json!({"customerId": c, "billAmount": "100"})).await;
        let third = app.invoice(json!({"customerId": c, "billAmount": "50"})).await;
        app.pay(json!({"invoiceId": first, "amount": "500", "paymentMethod": "CASH"})).await;
        app.pay(json!({"invoiceId": second["id"], "amount": "118", "paymentMethod": "PAYTM", "paymentReference": "P1"})).await;
        app.data(SET_INVOICE_STATUS, json!({"id": third["id"], "s": "CANCELLED"})).await;
        let before = check_invariants(&app, &c).await;

        // Back to the schema before the billing core (every later migration, then billing
        // reverted)...
        crate::helpers::revert_through(app.database_url(), "20261126000004").await;
        // ...and forward again, as an upgrade would: the backfill rebuilds allocations and ledger.
        let upgraded = app.restart_on_same_database().await;
        let after = check_invariants(&upgraded, &c).await;
        assert_eq!(after["balance"], before["balance"]);
        assert_eq!(after["balance"], "1266.46", "1766.46 + 118 − 500 − 118 (100 and 50 + 18 % GST; the cancelled 59 is off)");
        assert_eq!(after["advanceAmount"], "0.00", "old payments are not mistaken for advance");
        let kinds: Vec<&str> = after["transactions"].as_array().unwrap().iter().map(|t| t["transactionType"].as_str().unwrap()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "PAYMENT").count(), 2, "{kinds:?}");
        assert!(kinds.contains(&"INVOICE_CANCELLED"), "{kinds:?}");
        // New money on top keeps to the rules.
        let next = upgraded.invoice(json!({"customerId": c, "billAmount": "10"})).await;
        assert_eq!(next["paidAmount"], "0.00", "no phantom advance applied");
        check_invariants(&upgraded, &c).await;
    }

    async fn upi_references_entered_before_the_gateway_migration_count_once(app: TestApp) {
        use serde_json::json;
        let (c, _) = app.customer_with_invoice("uma").await;
        let first = app.pay(json!({"customerId": c, "amount": "100", "paymentMethod": "GOOGLEPAY",
                                   "paymentReference": "4334 0000 0042"})).await;
        // Back to before the gateways migration, and forward again as an upgrade would.
        crate::helpers::revert_through(app.database_url(), "20261130000017").await;
        let upgraded = app.restart_on_same_database().await;
        let again = json!({"customerId": c, "amount": "100", "paymentMethod": "PHONEPE", "paymentReference": "433400000042"});
        let refused = upgraded.error(crate::documents::CREATE_PAYMENT, json!({ "i": again })).await;
        crate::helpers::assert_code(&refused, "CONFLICT", None);
        assert!(refused["message"].as_str().unwrap().contains(first["paymentId"].as_str().unwrap()), "{refused}");
    }
}

crate::on_both_databases! {
    async fn documents_issued_before_the_records_migration_print_and_file_as_they_did(app: TestApp) {
        use serde_json::json;
        let paths = "query($id: ID!) { node(id: $id) { ... on Invoice { htmlUrl company { id } creditNotes { htmlUrl } } } }";
        let month = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Kolkata).format("%Y-%m").to_string();
        // A registered company's invoice, sent and credited; a second registered company.
        let (_, invoice) = app.customer_with_invoice("ravi").await;
        app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        let adjust = "mutation($id: ID!) { adjustInvoice(id: $id, credit: \"100\", reason: \"outage\") { id } }";
        app.data(adjust, json!({"id": invoice})).await;
        let second = app.company().name("Second Net").create().await;
        let node = app.data(paths, json!({"id": invoice})).await["node"].clone();
        let company = node["company"]["id"].as_str().unwrap().to_owned();
        let (invoice_page, note_page, ret) = read_all(&app, &node, &company, &month).await;
        // Earlier versions printed neither the customer's numbers nor the signatory block, and
        // documents they issued are frozen as they printed then.
        let before = (without_later_blocks(&invoice_page), without_later_blocks(&note_page), ret);

        // Back to before the records, as an earlier version held them: both companies number
        // by timestamp under the same prefixes.
        crate::helpers::revert_through(app.database_url(), "20261205000022").await;
        app.sql("UPDATE companies SET invoice_numbering = 'TIMESTAMP', invoice_prefix = 'INV', credit_note_prefix = 'CN'").unwrap();
        let upgraded = app.restart_on_same_database().await;
        assert_eq!(read_all(&upgraded, &node, &company, &month).await, before, "frozen at the first start as they printed");

        // Registered companies number by financial year now; the second gets prefixes of its own.
        let q = "query($id: ID!) { company(id: $id) { invoiceNumbering invoicePrefix creditNotePrefix } }";
        let first = upgraded.data(q, json!({"id": company})).await["company"].clone();
        assert_eq!(first, json!({"invoiceNumbering": "FINANCIAL_YEAR", "invoicePrefix": "INV", "creditNotePrefix": "CN"}));
        let other = upgraded.data(q, json!({"id": second})).await["company"].clone();
        assert_eq!(other["invoiceNumbering"], "FINANCIAL_YEAR");
        let (p, c) = (other["invoicePrefix"].as_str().unwrap(), other["creditNotePrefix"].as_str().unwrap());
        assert!(p.starts_with('I') && p != "INV" && c.starts_with('C') && c != "CN", "{other}");

        // A change after the upgrade does not reach them either.
        let update = "mutation($id: ID!, $i: UpdateCompanyInput!) { updateCompany(id: $id, input: $i) { id } }";
        upgraded.data(update, json!({"id": company, "i": {"name": "Renamed Net", "address": "Elsewhere 1"}})).await;
        assert_eq!(read_all(&upgraded, &node, &company, &month).await, before);
    }

    async fn a_document_frozen_twice_at_once_keeps_the_first_record(app: TestApp) {
        use isp_billing::documents::repo;
        use isp_billing::series::model::DocumentType;
        use serde_json::json;
        // A document issued before records existed is frozen by whoever prints it first: two
        // servers (or one starting while another prints) may try at once. The second keeps
        // the first's record instead of failing.
        let (_, invoice) = app.customer_with_invoice("ravi").await;
        app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        let id: i64 = app.sql_text("SELECT CAST(MAX(id) AS TEXT) AS value FROM invoices").parse().unwrap();
        let db = Db::connect(app.database_url(), 1, Arc::new(AtomicU64::new(0))).expect("connect");
        let (stored, kept) = db
            .write(move |conn| {
                let stored = repo::find(conn, DocumentType::Invoice, id)?.expect("a record");
                let mut late = stored.clone();
                late.document.number = "frozen later".into();
                let kept = repo::insert_first(conn, 1, DocumentType::Invoice, id, late)?;
                Ok((stored, kept))
            })
            .await
            .map_err(|e| e.message())
            .expect("frozen once");
        assert_eq!(kept, stored);
        let count = app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM document_snapshots WHERE document = 'INVOICE'");
        assert_eq!(count, "1");
    }
}

/// The HTML of the invoice `node` and of its first credit note, and `company`'s GSTR-1 of `month`.
async fn read_all(
    app: &crate::helpers::TestApp,
    node: &serde_json::Value,
    company: &str,
    month: &str,
) -> (String, String, String) {
    let html = |url: &str| {
        let request = app.client.get(app.url(url)).bearer_auth(&app.token);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let invoice = html(node["htmlUrl"].as_str().unwrap()).await;
    let note = html(node["creditNotes"][0]["htmlUrl"].as_str().unwrap()).await;
    let gstr1 = "query($c: ID!, $p: String!) { gstr1(companyId: $c, period: $p) }";
    let ret = app.data(gstr1, serde_json::json!({"c": company, "p": month})).await["gstr1"].to_string();
    (invoice, note, ret)
}

/// `page` without what documents print since this version (the customer's numbers, the
/// signatory block): as an earlier version printed it.
fn without_later_blocks(page: &str) -> String {
    let mut out = page.to_owned();
    for (start, end) in [
        ("<tr><th>Customer No.</th>", "</tr>"),
        ("<tr><th>CAF No.</th>", "</tr>"),
        ("<section class=\"close\">", "</section>\n"),
    ] {
        if let Some(a) = out.find(start) {
            let b = a + out[a..].find(end).expect("the block ends") + end.len();
            out.replace_range(a..b, "");
        }
    }
    assert!(!out.contains("Customer No.") && !out.contains("Authorised signatory"), "{out}");
    out
}

crate::on_both_databases! {
    async fn the_debit_notes_migration_is_not_reverted_over_debit_notes(app: TestApp) {
        use serde_json::json;
        let (_, invoice) = app.customer_with_invoice("dora").await;
        app.data(SET_INVOICE_STATUS, json!({"id": invoice, "s": "SENT"})).await;
        let raise = "mutation($id: ID!) { raiseDebitNote(invoiceId: $id, taxableValue: \"10\", reason: \"extra\") { id } }";
        app.data(raise, json!({"id": invoice})).await;
        // Reverting down to 000026 stops there: its down.sql would turn the debit note into a
        // credit note.
        let db = Db::connect(app.database_url(), 1, Arc::default()).expect("connect");
        let outcome = db
            .read(|conn| loop {
                match migrations::revert_last(conn) {
                    Ok(v) if v.replace('-', "").starts_with("20261205000026") => return Ok(Ok(v)),
                    Ok(v) if v.is_empty() => return Ok(Err("nothing reverted".to_owned())),
                    Ok(_) => continue,
                    Err(e) => return Ok(Err(e.to_string())),
                }
            })
            .await
            .expect("the connection works");
        let refused = outcome.expect_err("000026 must not revert over a debit note");
        assert!(refused.contains("debit_notes_exist_so_this_cannot_be_reverted"), "{refused}");
        let kept = app.sql_text("SELECT note_type AS value FROM credit_notes");
        assert_eq!(kept, "DEBIT");
    }

    async fn the_goods_migration_is_not_reverted_over_set_top_box_or_cable_sales(app: TestApp) {
        use serde_json::json;
        let (customer, _) = app.customer_with_invoice("stb").await;
        let add = "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) { id } }";
        app.data(add, json!({"i": {"customerId": customer, "addonType": "SET_TOP_BOX_SALE", "description": "HD box",
                                   "amount": "1200", "billOn": "NEXT_INVOICE"}})).await;
        // 000027's down.sql cannot keep a set-top box sale under the earlier kinds: it stops.
        let db = Db::connect(app.database_url(), 1, Arc::default()).expect("connect");
        let refused = db
            .read(|conn| loop {
                match migrations::revert_last(conn) {
                    Ok(v) if v.replace('-', "").starts_with("20261205000027") => return Ok(Ok(v)),
                    Ok(v) if v.is_empty() => return Ok(Err("nothing reverted".to_owned())),
                    Ok(_) => continue,
                    Err(e) => return Ok(Err(e.to_string())),
                }
            })
            .await
            .expect("the connection works")
            .expect_err("000027 must not revert over a set-top box sale");
        assert!(refused.contains("addon_type"), "{refused}");
        assert_eq!(app.sql_text("SELECT addon_type AS value FROM addon_bills"), "SET_TOP_BOX_SALE");
        assert_eq!(app.sql_text("SELECT hsn AS value FROM addon_bills"), "8528");
    }
}

crate::on_both_databases! {
    async fn identity_numbers_on_file_before_the_vault_move_into_it(app: TestApp) {
        use serde_json::json;
        let (customer, _) = app.customer_with_invoice("aadhaar").await;
        // Back to before the vault (nothing in it yet, so 000033 reverts), with a number in
        // clear as the old schema kept it...
        crate::helpers::revert_through(app.database_url(), "20261205000033").await;
        app.sql("UPDATE customers SET id_proof_type = 'AADHAR_CARD', id_proof_no = '2345 6789 0124'").unwrap();
        if app.kind == Kind::Sqlite {
            assert_ne!(app.sqlite_files_holding("2345 6789 0124"), Vec::<String>::new(), "planted in clear");
        }
        // ...and forward again: the start moves it into the vault and empties the column.
        let upgraded = app.restart_on_same_database().await;
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { idProofNo } } }";
        assert_eq!(upgraded.data(q, json!({"id": customer})).await["node"]["idProofNo"], "XXXX XXXX 0124");
        let reveal = "mutation($id: ID!) { revealIdProof(customerId: $id, reason: \"check\") }";
        assert_eq!(upgraded.data(reveal, json!({"id": customer})).await["revealIdProof"], "2345 6789 0124");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_proof_unvaulted"), "0");
        let token = app.sql_text("SELECT id_proof_token AS value FROM customers");
        assert!(token.starts_with("idv_"), "{token}");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault WHERE ciphertext LIKE '%0124%' OR masked <> 'XXXX XXXX 0124'"), "0");
        // Nor is it left behind on SQLite: not in the free space of the database file (zeroed by
        // `secure_delete`), nor in the write-ahead log (truncated after the move).
        for needle in ["2345 6789 0124", "234567890124"] {
            assert_eq!(app.sqlite_files_holding(needle), Vec::<String>::new(), "{needle} left on disk");
        }
    }

    async fn the_vault_migration_reverts_after_the_numbers_are_unsealed(app: TestApp) {
        use serde_json::json;
        let plan = app.catalogue("499").await.broadband;
        app.customer("aadhaar", &plan).set("idProofType", "AADHAR_CARD").set("idProofNo", "2345 6789 0124").create().await;
        let passport = app.customer("passport", &plan).set("idProofType", "PASSPORT").set("idProofNo", "K1234567").create().await;
        app.customer("none", &plan).create().await;
        // Without the key the numbers are sealed under, nothing changes.
        let refused = unseal_id_numbers(&app, "1111111111111111111111111111111111111111111111111111111111111111");
        assert!(!refused.status.success(), "unsealed under a wrong key");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("ISP_ID_VAULT_KEY") && said.contains("nothing was changed"), "{said}");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault"), "2");
        // With it: every number back in clear beside the customers, the vault empty...
        let done = unseal_id_numbers(&app, crate::helpers::ID_VAULT_KEY);
        let said = String::from_utf8_lossy(&done.stdout);
        assert!(done.status.success(), "{:?}: {said}{}", done.status, String::from_utf8_lossy(&done.stderr));
        assert!(said.contains("2 identity numbers taken out of the vault"), "{said}");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault"), "0");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM customers WHERE id_proof_token IS NOT NULL"), "0");
        // ...so 000033 reverts, and the old column holds each number as it was typed.
        crate::helpers::revert_through(app.database_url(), "20261205000033").await;
        let numbers = |who: &str| {
            app.sql_text(&format!("SELECT COALESCE(id_proof_no, '-') AS value FROM customers WHERE username = '{who}'"))
        };
        assert_eq!(numbers("aadhaar"), "2345 6789 0124");
        assert_eq!(numbers("passport"), "K1234567");
        assert_eq!(numbers("none"), "-");
        // Forward again: the server seals them anew, and they read as before.
        let upgraded = app.restart_on_same_database().await;
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault"), "2");
        let reveal = "mutation($id: ID!) { revealIdProof(customerId: $id, reason: \"check\") }";
        assert_eq!(upgraded.data(reveal, json!({"id": passport["id"]})).await["revealIdProof"], "K1234567");
    }

    async fn the_vault_migration_is_not_reverted_over_vault_numbers(app: TestApp) {
        let plan = app.catalogue("499").await.broadband;
        app.customer("vaulted", &plan).set("idProofType", "AADHAR_CARD").set("idProofNo", "2345 6789 0124").create().await;
        let db = Db::connect(app.database_url(), 1, Arc::default()).expect("connect");
        let refused = db
            .read(|conn| loop {
                match migrations::revert_last(conn) {
                    Ok(v) if v.replace('-', "").starts_with("20261205000033") => return Ok(Ok(v)),
                    Ok(v) if v.is_empty() => return Ok(Err("nothing reverted".to_owned())),
                    Ok(_) => continue,
                    Err(e) => return Ok(Err(e.to_string())),
                }
            })
            .await
            .expect("the connection works")
            .expect_err("000033 must not revert over numbers only the server can decrypt");
        assert!(refused.contains("id_numbers_are_in_the_vault_so_this_cannot_be_reverted"), "{refused}");
        assert_eq!(app.sql_text("SELECT CAST(COUNT(*) AS TEXT) AS value FROM id_vault"), "1");
    }
}

/// Runs `isp-billing unseal-id-numbers` on the app's database with vault key `key`.
fn unseal_id_numbers(app: &crate::helpers::TestApp, key: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_isp-billing"))
        .arg("unseal-id-numbers")
        .env("DATABASE_URL", app.database_url())
        .env("ISP_ID_VAULT_KEY", key)
        .env_remove("ISP_ID_VAULT_OLD_KEYS")
        .env_remove("ISP_SECRETS_KEY")
        .env("NO_COLOR", "1")
        .output()
        .expect("run the binary")
}
