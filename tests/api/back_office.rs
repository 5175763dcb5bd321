//! The back office: the dashboard, the reports (GraphQL and CSV) and expenses, against a small
//! data set whose figures are computed by hand below, on SQLite and PostgreSQL.

use serde_json::{json, Value};

use crate::fixtures::Role;
use crate::helpers::{assert_code, paise, Kind, TestApp};
use crate::on_both_databases;

const DASHBOARD: &str = "query($c: ID, $l: ID) { dashboard(companyId: $c, localityId: $l) {
    asOf timeZone
    customersByStatus { status count } customersByServiceType { serviceType count }
    newCustomers renewedCustomers expiringCustomers
    invoiced { today thisMonth lastMonth } collected { today thisMonth lastMonth } outstanding
    collectionsByMethod { method amount count } collectionsByCollector { collector { fullName } amount count }
    dailyCollections { date amount }
    openComplaints { byPriority { priority count } olderThan48Hours total }
    expensesThisMonth net } }";

const CREATE_EXPENSE: &str = "mutation($i: CreateExpenseInput!) { createExpense(input: $i) {
    id category amount date paidBy notes company { name } recordedBy { fullName } } }";

/// GET `path` as `token`: (status, body).
pub(crate) async fn get(app: &TestApp, path: &str, token: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The rows of a CSV file as maps from header to field.
pub(crate) fn rows(csv: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header row").split(',').collect();
    lines.map(|l| header.iter().map(|h| h.to_string()).zip(l.split(',').map(str::to_owned)).collect()).collect()
}

/// The sum of a money column, in paise.
pub(crate) fn column_sum(csv: &str, column: &str) -> i64 {
    rows(csv).iter().map(|r| paise(&Value::String(r[column].clone()))).sum()
}

/// Two customers (broadband 1766.46 and cable 885.00 opening invoices), two payments (766.46
/// by UPI, 85.00 cash by a collector), one expense of 1200.00.
async fn small_books(app: &TestApp) -> (String, String, String) {
    let catalogue = app.catalogue("499.00").await;
    let (a, a_invoice) = app.customer("asha", &catalogue.broadband).create_with_invoice().await;
    let (_, b_invoice) = app.customer("bharat", &catalogue.cable).create_with_invoice().await;
    app.pay(
        json!({"invoiceId": a_invoice, "amount": "766.46", "paymentMethod": "PHONEPE", "paymentReference": "UPI-1"}),
    )
    .await;
    let collector = app.staff("collector", Role::Collector).await;
    let p = app
        .data_as(
            Some(&collector),
            crate::documents::CREATE_PAYMENT,
            json!({"i": {"invoiceId": b_invoice, "amount": "85", "paymentMethod": "CASH"}}),
        )
        .await;
    assert_eq!(p["createPayment"]["status"], "COMPLETED");
    let e = app
        .data(
            CREATE_EXPENSE,
            json!({"i": {"companyId": catalogue.company, "category": "BANDWIDTH", "amount": "1200", "paidBy": "HDFC transfer"}}),
        )
        .await;
    assert_eq!(e["createExpense"]["amount"], "1200.00");
    (catalogue.company, a, collector)
}

on_both_databases! {
    async fn dashboard_and_reports_agree_with_hand_computed_figures(app: TestApp) {
        let (company, _, _) = small_books(&app).await;
        let d = app.data(DASHBOARD, json!({})).await["dashboard"].clone();
        assert_eq!(d["timeZone"], "Asia/Kolkata");
        assert_eq!(d["customersByStatus"][0], json!({"status": "ACTIVE", "count": 2}));
        assert_eq!(d["customersByStatus"].as_array().unwrap().len(), 4, "every status listed");
        assert_eq!(d["customersByServiceType"], json!([{"serviceType": "BROADBAND", "count": 1}, {"serviceType": "CABLE_TV", "count": 1}]));
        assert_eq!(d["newCustomers"], 2);
        assert_eq!(d["invoiced"], json!({"today": "2651.46", "thisMonth": "2651.46", "lastMonth": "0.00"}));
        assert_eq!(d["collected"], json!({"today": "851.46", "thisMonth": "851.46", "lastMonth": "0.00"}));
        assert_eq!(d["outstanding"], "1800.00");
        assert_eq!(d["collectionsByMethod"], json!([
            {"method": "PHONEPE", "amount": "766.46", "count": 1}, {"method": "CASH", "amount": "85.00", "count": 1}]));
        let by_collector = d["collectionsByCollector"].as_array().unwrap();
        assert_eq!(by_collector.len(), 2);
        assert!(by_collector.iter().any(|c| c["amount"] == "85.00" && c["collector"]["fullName"].is_string()));
        assert_eq!(d["expensesThisMonth"], "1200.00");
        assert_eq!(d["net"], "-348.54");
        let days = d["dailyCollections"].as_array().unwrap();
        assert_eq!(days.len(), 30);
        assert_eq!(days[29], json!({"date": d["asOf"], "amount": "851.46"}));
        assert_eq!(d["openComplaints"]["total"], 0);

        // The same figures from the raw listings.
        let invoices = app.data("{ invoices(first: 100) { nodes { totalAmount balanceAmount } } }", json!({})).await;
        let nodes = invoices["invoices"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.iter().map(|n| paise(&n["totalAmount"])).sum::<i64>(), 265_146);
        assert_eq!(nodes.iter().map(|n| paise(&n["balanceAmount"])).sum::<i64>(), 180_000);

        // Reports over this month agree with the dashboard.
        let month = json!({"f": {"companyId": company}});
        let r = app.data("query($f: ReportFilterInput) { collectionsReport(filter: $f) { total count byMethod { method amount } } }", month.clone()).await;
        assert_eq!(r["collectionsReport"]["total"], "851.46");
        assert_eq!(r["collectionsReport"]["count"], 2);
        let dues = app.data("{ duesReport { total notDue days0To30 customers } }", json!({})).await["duesReport"].clone();
        assert_eq!(dues["total"], "1800.00");
        assert_eq!(dues["customers"], 2);
        assert_eq!(paise(&dues["notDue"]) + paise(&dues["days0To30"]), 180_000, "both invoices are new");
        let revenue = app.data("query($f: ReportFilterInput) { revenueReport(filter: $f, by: PLAN) { name invoices taxableValue tax total } }", month.clone()).await;
        assert_eq!(revenue["revenueReport"], json!([
            {"name": "Home 100", "invoices": 1, "taxableValue": "1497.00", "tax": "269.46", "total": "1766.46"},
            {"name": "Basic Pack", "invoices": 1, "taxableValue": "750.00", "tax": "135.00", "total": "885.00"}]),
            "{revenue}");
        let gst = app.data("query($f: ReportFilterInput) { gstSummary(filter: $f) { invoices taxableValue cgst sgst igst total } }", month.clone()).await;
        assert_eq!(gst["gstSummary"], json!([{"invoices": 2, "taxableValue": "2247.00", "cgst": "202.23", "sgst": "202.23", "igst": "0.00", "total": "2651.46"}]));
        let expenses = app.data("query($f: ReportFilterInput) { expensesReport(filter: $f) { category amount count } }", month).await;
        assert_eq!(expenses["expensesReport"][0], json!({"category": "BANDWIDTH", "amount": "1200.00", "count": 1}));
        assert_eq!(expenses["expensesReport"].as_array().unwrap().len(), 7);

        // The CSV downloads: a header row, plain decimals, totals equal to the dashboard's.
        let (status, csv) = get(&app, "/reports/collections.csv", &app.token).await;
        assert_eq!(status, 200, "{csv}");
        assert!(csv.starts_with("date,time,payment_id,customer_id,customer_name,locality,method,reference,collected_by,amount,type,refund_id,refunded_by\n"), "{csv}");
        assert_eq!(rows(&csv).len(), 2);
        assert_eq!(column_sum(&csv, "amount"), 85_146);
        let (_, csv) = get(&app, "/reports/dues.csv", &app.token).await;
        assert_eq!(column_sum(&csv, "total"), 180_000);
        assert_eq!(rows(&csv).len(), 2);
        let (_, csv) = get(&app, "/reports/revenue.csv?by=locality", &app.token).await;
        assert!(csv.starts_with("locality,invoices,taxable_value,tax,total\n"), "{csv}");
        assert_eq!(column_sum(&csv, "total"), 265_146);
        let (_, csv) = get(&app, "/reports/gst-summary.csv", &app.token).await;
        assert_eq!(column_sum(&csv, "cgst"), 20_223);
        assert_eq!(column_sum(&csv, "total"), 265_146);
        let (_, csv) = get(&app, "/reports/expenses.csv", &app.token).await;
        assert_eq!(column_sum(&csv, "amount"), 120_000);
        let (_, csv) = get(&app, "/reports/customers.csv?serviceType=CABLE_TV", &app.token).await;
        let customers = rows(&csv);
        assert_eq!(customers.len(), 1);
        assert_eq!(customers[0]["outstanding"], "800.00");
        assert_eq!(customers[0]["plan"], "Basic Pack");
        let (_, csv) = get(&app, "/reports/customers.csv", &app.token).await;
        assert_eq!(column_sum(&csv, "outstanding"), 180_000);
    }

    async fn the_customers_csv_has_what_an_accountant_asks_for(app: TestApp) {
        // Issue #31 item 5: GSTIN, CAF number, advance and ledger balance, as the API shows them.
        let bb = app.catalogue("499.00").await.broadband;
        let registered = app.customer("gupta", &bb).set("customerGstNo", "27aabcu9603r1zn").set("cafNo", "caf-manual-9");
        let (registered, invoice) = registered.create_with_invoice().await;
        app.pay(json!({"invoiceId": invoice, "amount": "2000", "paymentMethod": "CASH", "keepExcessAsAdvance": true})).await;
        let (owing, _) = app.customer("ravi", &bb).create_with_invoice().await;

        let (status, csv) = get(&app, "/reports/customers.csv", &app.token).await;
        assert_eq!(status, 200, "{csv}");
        assert!(csv.lines().next().unwrap().ends_with(",outstanding,advance,balance,gstin,caf_no"), "{csv}");
        let lines = rows(&csv);
        assert_eq!(lines.len(), 2);
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { customerId cafNo customerGstNo advanceAmount balance } } }";
        for (id, line) in [(&registered, &lines[0]), (&owing, &lines[1])] {
            let c = app.data(q, json!({"id": id})).await["node"].clone();
            assert_eq!(line["customer_id"], c["customerId"].as_str().unwrap());
            assert_eq!(line["caf_no"], c["cafNo"].as_str().unwrap());
            assert_eq!(line["gstin"], c["customerGstNo"].as_str().unwrap_or(""));
            assert_eq!(line["advance"], c["advanceAmount"].as_str().unwrap());
            assert_eq!(line["balance"], c["balance"].as_str().unwrap());
        }
        // 2000.00 paid on an invoice of 1766.46: 233.54 ahead.
        assert_eq!((lines[0]["gstin"].as_str(), lines[0]["caf_no"].as_str()), ("27AABCU9603R1ZN", "CAF-MANUAL-9"));
        assert_eq!((lines[0]["outstanding"].as_str(), lines[0]["advance"].as_str(), lines[0]["balance"].as_str()), ("0.00", "233.54", "-233.54"));
        assert_eq!((lines[1]["gstin"].as_str(), lines[1]["outstanding"].as_str(), lines[1]["advance"].as_str(), lines[1]["balance"].as_str()), ("", "1766.46", "0.00", "1766.46"));
        assert!(lines[1]["caf_no"].starts_with("CAF"), "a generated CAF number: {:?}", lines[1]);
    }

    async fn payments_near_midnight_fall_in_their_business_month(app: TestApp) {
        let (_, invoice) = app.customer_with_invoice("kavita").await;
        let late = app.pay(json!({"invoiceId": invoice, "amount": "100", "paymentMethod": "CASH"})).await;
        let early = app.pay(json!({"invoiceId": invoice, "amount": "200", "paymentMethod": "CASH"})).await;
        // 23:30 IST on 31 October is 18:00 UTC; 00:10 IST on 1 November is 18:40 UTC.
        let set = |id: &Value, at: &str| format!("UPDATE payments SET paid_at = '{at}' WHERE payment_id = '{}'", id.as_str().unwrap());
        app.sql(&set(&late["paymentId"], "2026-10-31 18:00:00")).unwrap();
        app.sql(&set(&early["paymentId"], "2026-10-31 18:40:00")).unwrap();
        let q = "query($f: ReportFilterInput) { collectionsReport(filter: $f) { total count } }";
        let october = app.data(q, json!({"f": {"from": "2026-10-01", "to": "2026-10-31"}})).await;
        assert_eq!(october["collectionsReport"], json!({"total": "100.00", "count": 1}));
        let november = app.data(q, json!({"f": {"from": "2026-11-01", "to": "2026-11-30"}})).await;
        assert_eq!(november["collectionsReport"], json!({"total": "200.00", "count": 1}));
        let (_, csv) = get(&app, "/reports/collections.csv?from=2026-10-31&to=2026-11-01", &app.token).await;
        let lines = rows(&csv);
        assert_eq!((lines[0]["date"].as_str(), lines[0]["time"].as_str()), ("2026-10-31", "23:30:00"), "{csv}");
        assert_eq!((lines[1]["date"].as_str(), lines[1]["time"].as_str()), ("2026-11-01", "00:10:00"), "{csv}");
    }

    async fn expenses_are_audited_and_checked(app: TestApp) {
        let company = app.company().create().await;
        let e = app.data(CREATE_EXPENSE, json!({"i": {"companyId": company, "category": "RENT", "amount": "15000",
            "date": "2026-11-01", "notes": "office\nNovember"}})).await["createExpense"].clone();
        assert_eq!(e["recordedBy"]["fullName"].as_str().map(|s| !s.is_empty()), Some(true));
        let id = e["id"].as_str().unwrap().to_owned();
        let q = "mutation($id: ID!) { updateExpense(id: $id, input: {amount: \"14500.50\", paidBy: null}) { amount paidBy date } }";
        assert_eq!(app.data(q, json!({"id": id})).await["updateExpense"], json!({"amount": "14500.50", "paidBy": null, "date": "2026-11-01"}));
        let list = app.data("{ expenses(filter: {category: RENT, from: \"2026-11-01\", to: \"2026-11-30\"}) { totalCount nodes { amount } } }", json!({})).await;
        assert_eq!(list["expenses"]["totalCount"], 1);
        for (input, field) in [
            (json!({"companyId": company, "category": "RENT", "amount": "0"}), "amount"),
            (json!({"companyId": company, "category": "RENT", "amount": "-5"}), "amount"),
            (json!({"companyId": id, "category": "RENT", "amount": "5"}), "companyId"),
            (json!({"companyId": company, "category": "RENT", "amount": "5", "paidBy": "a\u{0}b"}), "paidBy"),
        ] {
            assert_code(&app.error(CREATE_EXPENSE, json!({"i": input})).await, "BAD_USER_INPUT", Some(field));
        }
        let q = "mutation($id: ID!) { deleteExpense(id: $id) }";
        assert_eq!(app.data(q, json!({"id": id})).await["deleteExpense"], id);
        assert_code(&app.error(q, json!({"id": id})).await, "NOT_FOUND", None);
        let log = app.data("query($f: AuditFilterInput) { auditLog(filter: $f, last: 10) { nodes { operation details } } }",
            json!({"f": {"targetId": id}})).await;
        let ops: Vec<(&str, &str)> = log["auditLog"]["nodes"].as_array().unwrap().iter()
            .map(|n| (n["operation"].as_str().unwrap(), n["details"].as_str().unwrap_or(""))).collect();
        assert_eq!(ops.iter().map(|o| o.0).collect::<Vec<_>>(), ["createExpense", "updateExpense", "deleteExpense"]);
        assert!(ops[2].1.contains("amount=14500.50"), "{ops:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collectors_see_collections_but_not_profit() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (_, _, collector) = small_books(&app).await;
    let q = "{ dashboard { collected { today } outstanding collectionsByMethod { method } } }";
    assert_eq!(app.data_as(Some(&collector), q, json!({})).await["dashboard"]["collected"]["today"], "851.46");
    for q in [
        "{ dashboard { net } }",
        "{ dashboard { expensesThisMonth } }",
        "{ expenses { totalCount } }",
        "{ expensesReport { amount } }",
        "{ collectionsReport { total } }",
    ] {
        assert_code(&app.error_as(Some(&collector), q, json!({})).await, "FORBIDDEN", None);
    }
    assert_eq!(get(&app, "/reports/collections.csv", &collector).await.0, 403);
    let support = app.staff("support", Role::Support).await;
    assert_code(
        &app.error_as(Some(&support), "{ dashboard { collected { today } } }", json!({})).await,
        "FORBIDDEN",
        None,
    );
    let counts = app
        .data_as(Some(&support), "{ dashboard { customersByStatus { count } openComplaints { total } } }", json!({}))
        .await;
    assert_eq!(counts["dashboard"]["customersByStatus"][0]["count"], 2);
    let customer = app.login("asha", crate::fixtures::CUSTOMER_PASSWORD).await;
    assert_code(&app.error_as(Some(&customer), "{ dashboard { asOf } }", json!({})).await, "FORBIDDEN", None);
    assert_eq!(get(&app, "/reports/dues.csv", &customer).await.0, 403);
    // Bad parameters name the field.
    let (status, body) = get(&app, "/reports/collections.csv?from=2026-11-30&to=2026-11-01", &app.token).await;
    assert_eq!(status, 400);
    assert!(body.contains("`from`"), "{body}");
    let (status, body) = get(&app, "/reports/revenue.csv?by=colour", &app.token).await;
    assert_eq!(status, 400);
    assert!(body.contains("PLAN, LOCALITY"), "{body}");
    assert_eq!(get(&app, "/reports/nothing.csv", &app.token).await.0, 404);
}

/// A report longer than one batch is read batch by batch into a file, then arrives whole, in
/// several chunks, with its length.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_report_is_read_in_batches_and_sent_whole() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let statements = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let db = isp_billing::db::Db::connect(app.database_url(), 2, statements).unwrap();
    isp_billing::seed::seed_demo(&db, 2_500, 7).await.unwrap();
    let mut response = app.client.get(app.url("/reports/customers.csv")).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    // Produced into a temporary file first (a slow reader then holds no database connection),
    // so its length is known before it is sent.
    let length: usize = response.headers()["content-length"].to_str().unwrap().parse().unwrap();
    let (mut chunks, mut body) = (0, Vec::new());
    while let Some(chunk) = response.chunk().await.unwrap() {
        chunks += 1;
        body.extend_from_slice(&chunk);
    }
    assert_eq!(body.len(), length);
    let csv = String::from_utf8(body).unwrap();
    assert_eq!(rows(&csv).len(), 2_500);
    assert!(chunks >= 2, "sent in chunks of at most 64 KiB, got {chunks} chunk(s) for {length} bytes");
    let outstanding = app.data("{ dashboard { outstanding } }", json!({})).await;
    assert_eq!(column_sum(&csv, "outstanding"), paise(&outstanding["dashboard"]["outstanding"]));
    // A year of payments: many batches, each starting where the last stopped (payments made in
    // the same second included), adding up to the report's total.
    let year = "from=2025-01-01";
    let (status, csv) = get(&app, &format!("/reports/collections.csv?{year}"), &app.token).await;
    assert_eq!(status, 200);
    let r = app.data("{ collectionsReport(filter: {from: \"2025-01-01\"}) { total count } }", json!({})).await;
    let lines = rows(&csv);
    assert!(lines.len() > 5_000, "{} payments", lines.len());
    assert_eq!(lines.len() as i64, r["collectionsReport"]["count"].as_i64().unwrap());
    assert_eq!(column_sum(&csv, "amount"), paise(&r["collectionsReport"]["total"]));
    let ids: std::collections::HashSet<&str> = lines.iter().map(|l| l["payment_id"].as_str()).collect();
    assert_eq!(ids.len(), lines.len(), "no payment twice");
}
