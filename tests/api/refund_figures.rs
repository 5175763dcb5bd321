//! Refunds in the owner's figures (issue #31 item 4): the dashboard's collections gross,
//! refunded and net, `net` after refunds, the collections report and CSV with refund lines, and
//! the refunds report and CSV, each to the paisa and narrowed by company, locality and method,
//! on SQLite and PostgreSQL.

use serde_json::{json, Value};

use crate::back_office::{column_sum, get, rows};
use crate::documents::CREATE_REFUND;
use crate::fixtures::Role;
use crate::helpers::{assert_code, paise, TestApp};
use crate::on_both_databases;

const MONEY: &str = "query($c: ID, $l: ID) { dashboard(companyId: $c, localityId: $l) {
    collected { today thisMonth lastMonth } refunded { today thisMonth lastMonth }
    collectedNet { today thisMonth lastMonth } expensesThisMonth net } }";

const COLLECTIONS: &str = "query($f: ReportFilterInput) { collectionsReport(filter: $f) {
    total count refunded refundCount net } }";

const REFUNDS: &str = "query($f: ReportFilterInput) { refundsReport(filter: $f) { from to total count
    refunds(first: 10) { totalCount nodes { refundId amount reason customer { customerId } payment { paymentId paymentMethod }
    approvedBy { fullName } } } } }";

/// The same amount today, this month, and nothing last month.
fn today(amount: &str) -> Value {
    json!({"today": amount, "thisMonth": amount, "lastMonth": "0.00"})
}

/// What [`books`] made.
struct Books {
    company: String,
    other_company: String,
    locality: String,
    /// Asha's payment (CASH 1766.46, in the locality) and its partial refund (266.46).
    cash: Value,
    partial: Value,
    /// Bharat's payment (PHONEPE 885.00, no locality) and its full refund.
    phonepe: Value,
    full: Value,
}

/// Company A: asha (broadband, locality Dharampeth) pays 1766.46 cash and gets 266.46 back;
/// bharat (cable) pays 885.00 by PhonePe and gets it all back; an expense of 1000.00.
/// Company B: chitra pays 500.00 cash, nothing refunded.
async fn books(app: &TestApp) -> Books {
    let catalogue = app.catalogue("499.00").await;
    let locality = app.locality(&catalogue.company).create().await;
    let asha = app.customer("asha", &catalogue.broadband).set("localityId", &locality);
    let (_, asha_invoice) = asha.create_with_invoice().await;
    let (_, bharat_invoice) = app.customer("bharat", &catalogue.cable).create_with_invoice().await;
    let other_company = app.company().set("name", "Konkan Cable").set("gstin", None::<&str>).create().await;
    let other_plan = app.plan(&other_company).name("Konkan 50").create().await;
    let (_, chitra_invoice) = app.customer("chitra", &other_plan).create_with_invoice().await;

    let cash = app.pay(json!({"invoiceId": asha_invoice, "amount": "1766.46", "paymentMethod": "CASH"})).await;
    let refund = |payment: &Value, amount: Option<&str>, reason: &str| {
        let mut input = json!({"paymentId": payment["id"], "reason": reason});
        if let Some(amount) = amount {
            input["amount"] = json!(amount);
        }
        async move { app.data(CREATE_REFUND, json!({ "i": input })).await["createRefund"].clone() }
    };
    let partial = refund(&cash, Some("266.46"), "double charge").await;
    let phonepe = app
        .pay(json!({"invoiceId": bharat_invoice, "amount": "885", "paymentMethod": "PHONEPE", "paymentReference": "PP-1"}))
        .await;
    let full = refund(&phonepe, None, "service cancelled").await;
    assert_eq!(full["amount"], "885.00", "all that was left");
    app.pay(json!({"invoiceId": chitra_invoice, "amount": "500", "paymentMethod": "CASH"})).await;
    let expense = "mutation($i: CreateExpenseInput!) { createExpense(input: $i) { amount } }";
    let input = json!({"companyId": catalogue.company, "category": "BANDWIDTH", "amount": "1000"});
    assert_eq!(app.data(expense, json!({ "i": input })).await["createExpense"]["amount"], "1000.00");
    Books { company: catalogue.company, other_company, locality, cash, partial, phonepe, full }
}

/// Sets a row's timestamp column straight in the database.
fn set_time(app: &TestApp, table: &str, column: &str, number_column: &str, number: &Value, at: &str) {
    let number = number.as_str().unwrap();
    let statement = format!("UPDATE {table} SET {column} = '{at}' WHERE {number_column} = '{number}'");
    assert_eq!(app.sql(&statement), Ok(1), "{statement}");
}

on_both_databases! {
    async fn the_dashboard_shows_collections_gross_refunded_and_net(app: TestApp) {
        let b = books(&app).await;
        let d = app.data(MONEY, json!({})).await["dashboard"].clone();
        // 1766.46 + 885.00 + 500.00 received; 266.46 + 885.00 paid back.
        assert_eq!(d["collected"], today("3151.46"), "gross: {d}");
        assert_eq!(d["refunded"], today("1151.46"));
        assert_eq!(d["collectedNet"], today("2000.00"));
        assert_eq!(d["expensesThisMonth"], "1000.00");
        assert_eq!(d["net"], "1000.00", "collections net of refunds less expenses");

        // Each scope counts its own customers' refunds.
        let a = app.data(MONEY, json!({"c": b.company})).await["dashboard"].clone();
        assert_eq!((&a["collected"], &a["refunded"], &a["collectedNet"]), (&today("2651.46"), &today("1151.46"), &today("1500.00")));
        assert_eq!(a["net"], "500.00");
        let other = app.data(MONEY, json!({"c": b.other_company})).await["dashboard"].clone();
        assert_eq!((&other["refunded"], &other["collectedNet"], &other["net"]), (&today("0.00"), &today("500.00"), &json!("500.00")));
        let l = app.data(MONEY, json!({"l": b.locality})).await["dashboard"].clone();
        assert_eq!((&l["collected"], &l["refunded"], &l["collectedNet"]), (&today("1766.46"), &today("266.46"), &today("1500.00")));

        // A refund counts when it was made, not when the payment came: asha's payment moves to
        // an earlier month, her refund stays today.
        set_time(&app, "payments", "paid_at", "payment_id", &b.cash["paymentId"], "2025-03-15 06:00:00");
        let d = app.data(MONEY, json!({})).await["dashboard"].clone();
        assert_eq!(d["collected"], today("1385.00"));
        assert_eq!(d["refunded"], today("1151.46"));
        assert_eq!(d["collectedNet"], today("233.54"));
        assert_eq!(d["net"], "-766.46");

        // A collector sees the three collection figures but not the profit.
        let collector = app.staff("collector", Role::Collector).await;
        let seen = app.data_as(Some(&collector), "{ dashboard { refunded { today } collectedNet { today } } }", json!({})).await;
        assert_eq!(seen["dashboard"], json!({"refunded": {"today": "1151.46"}, "collectedNet": {"today": "233.54"}}));
        assert_code(&app.error_as(Some(&collector), "{ dashboard { net } }", json!({})).await, "FORBIDDEN", None);
    }

    async fn the_collections_report_and_csv_subtract_refunds(app: TestApp) {
        let b = books(&app).await;
        let r = app.data(COLLECTIONS, json!({})).await["collectionsReport"].clone();
        assert_eq!(r, json!({"total": "3151.46", "count": 3, "refunded": "1151.46", "refundCount": 2, "net": "2000.00"}));
        let r = app.data(COLLECTIONS, json!({"f": {"companyId": b.company}})).await["collectionsReport"].clone();
        assert_eq!(r, json!({"total": "2651.46", "count": 2, "refunded": "1151.46", "refundCount": 2, "net": "1500.00"}));
        let r = app.data(COLLECTIONS, json!({"f": {"localityId": b.locality}})).await["collectionsReport"].clone();
        assert_eq!(r, json!({"total": "1766.46", "count": 1, "refunded": "266.46", "refundCount": 1, "net": "1500.00"}));
        // A method narrows refunds by the payment they pay back.
        let r = app.data(COLLECTIONS, json!({"f": {"method": "PHONEPE"}})).await["collectionsReport"].clone();
        assert_eq!(r, json!({"total": "885.00", "count": 1, "refunded": "885.00", "refundCount": 1, "net": "0.00"}));
        let r = app.data(COLLECTIONS, json!({"f": {"companyId": b.other_company}})).await["collectionsReport"].clone();
        assert_eq!(r, json!({"total": "500.00", "count": 1, "refunded": "0.00", "refundCount": 0, "net": "500.00"}));

        let (status, csv) = get(&app, "/reports/collections.csv", &app.token).await;
        assert_eq!(status, 200, "{csv}");
        assert!(csv.starts_with(
            "date,time,payment_id,customer_id,customer_name,locality,method,reference,collected_by,amount,type,refund_id,refunded_by\n"),
            "the old columns first, as they were: {csv}");
        let lines = rows(&csv);
        assert_eq!(lines.len(), 5, "three payments, two refunds: {csv}");
        assert_eq!(column_sum(&csv, "amount"), 200_000, "the amount column adds up to the net");
        let payments: Vec<_> = lines.iter().filter(|l| l["type"] == "PAYMENT").collect();
        assert_eq!(payments.len(), 3);
        assert_eq!(payments.iter().map(|l| paise(&json!(l["amount"]))).sum::<i64>(), 315_146, "gross");
        assert!(payments.iter().all(|l| l["refund_id"].is_empty() && l["refunded_by"].is_empty()));
        let refund = lines.iter().find(|l| l["refund_id"] == b.partial["refundId"].as_str().unwrap()).expect("the partial refund's line");
        assert_eq!((refund["type"].as_str(), refund["amount"].as_str()), ("REFUND", "-266.46"));
        assert_eq!((refund["payment_id"].as_str(), refund["method"].as_str()), (b.cash["paymentId"].as_str().unwrap(), "CASH"));
        assert_eq!((refund["customer_name"].as_str(), refund["locality"].as_str()), ("Customer asha", "Dharampeth"));
        assert_eq!((refund["collected_by"].as_str(), refund["refunded_by"].as_str()), ("Administrator", "Administrator"));
        let full = lines.iter().find(|l| l["refund_id"] == b.full["refundId"].as_str().unwrap()).unwrap();
        assert_eq!((full["amount"].as_str(), full["reference"].as_str()), ("-885.00", "PP-1"));
        let times: Vec<(&str, &str)> = lines.iter().map(|l| (l["date"].as_str(), l["time"].as_str())).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "in time order: {times:?}");
        let (_, csv) = get(&app, &format!("/reports/collections.csv?localityId={}", b.locality), &app.token).await;
        assert_eq!((rows(&csv).len(), column_sum(&csv, "amount")), (2, 150_000), "{csv}");
        let (_, csv) = get(&app, "/reports/collections.csv?method=PHONEPE", &app.token).await;
        assert_eq!((rows(&csv).len(), column_sum(&csv, "amount")), (2, 0), "{csv}");
    }

    async fn the_refunds_report_lists_each_refund(app: TestApp) {
        let b = books(&app).await;
        let r = app.data(REFUNDS, json!({})).await["refundsReport"].clone();
        assert_eq!((&r["total"], &r["count"], &r["refunds"]["totalCount"]), (&json!("1151.46"), &json!(2), &json!(2)));
        let nodes = r["refunds"]["nodes"].as_array().unwrap();
        assert_eq!(nodes[0]["refundId"], b.partial["refundId"], "oldest first");
        assert_eq!(nodes[0]["amount"], "266.46");
        assert_eq!(nodes[0]["reason"], "double charge");
        assert_eq!(nodes[0]["payment"], json!({"paymentId": b.cash["paymentId"], "paymentMethod": "CASH"}));
        assert_eq!(nodes[1]["payment"], json!({"paymentId": b.phonepe["paymentId"], "paymentMethod": "PHONEPE"}));
        assert_eq!(nodes[1]["approvedBy"]["fullName"], "Administrator");
        let asha = nodes[0]["customer"]["customerId"].clone();
        // Narrowed like the other reports.
        let r = app.data(REFUNDS, json!({"f": {"localityId": b.locality}})).await["refundsReport"].clone();
        assert_eq!((&r["total"], &r["count"], r["refunds"]["nodes"].as_array().unwrap().len()), (&json!("266.46"), &json!(1), 1));
        let r = app.data(REFUNDS, json!({"f": {"method": "PHONEPE"}})).await["refundsReport"].clone();
        assert_eq!((&r["total"], &r["refunds"]["nodes"][0]["refundId"]), (&json!("885.00"), &b.full["refundId"]));
        let r = app.data(REFUNDS, json!({"f": {"companyId": b.other_company}})).await["refundsReport"].clone();
        assert_eq!((&r["total"], &r["count"], &r["refunds"]["totalCount"]), (&json!("0.00"), &json!(0), &json!(0)));
        let r = app.data(REFUNDS, json!({"f": {"companyId": b.company}})).await["refundsReport"].clone();
        assert_eq!((&r["total"], &r["count"], &r["refunds"]["totalCount"]), (&json!("1151.46"), &json!(2), &json!(2)));

        let (status, csv) = get(&app, "/reports/refunds.csv", &app.token).await;
        assert_eq!(status, 200, "{csv}");
        assert!(csv.starts_with(
            "date,time,refund_id,payment_id,payment_date,customer_id,customer_name,locality,method,reason,approved_by,amount\n"),
            "{csv}");
        let lines = rows(&csv);
        assert_eq!(lines.len(), 2);
        assert_eq!(column_sum(&csv, "amount"), 115_146, "the report's total");
        let first = &lines[0];
        assert_eq!((first["refund_id"].as_str(), first["payment_id"].as_str()), (b.partial["refundId"].as_str().unwrap(), b.cash["paymentId"].as_str().unwrap()));
        assert_eq!((first["customer_id"].as_str(), first["customer_name"].as_str(), first["locality"].as_str()), (asha.as_str().unwrap(), "Customer asha", "Dharampeth"));
        assert_eq!((first["method"].as_str(), first["reason"].as_str(), first["approved_by"].as_str(), first["amount"].as_str()), ("CASH", "double charge", "Administrator", "266.46"));
        assert_eq!(first["payment_date"], first["date"], "paid and refunded the same day");
        assert_eq!((lines[1]["reason"].as_str(), lines[1]["amount"].as_str(), lines[1]["locality"].as_str()), ("service cancelled", "885.00", ""));
        let (_, csv) = get(&app, &format!("/reports/refunds.csv?companyId={}", b.other_company), &app.token).await;
        assert_eq!(rows(&csv).len(), 0, "{csv}");
        let (_, csv) = get(&app, &format!("/reports/refunds.csv?localityId={}", b.locality), &app.token).await;
        assert_eq!((rows(&csv).len(), column_sum(&csv, "amount")), (1, 26_646));

        // The reports' guards: ADMIN and MANAGER, and a download link for a browser.
        let collector = app.staff("collector", Role::Collector).await;
        assert_code(&app.error_as(Some(&collector), "{ refundsReport { total } }", json!({})).await, "FORBIDDEN", None);
        assert_eq!(get(&app, "/reports/refunds.csv", &collector).await.0, 403);
        let manager = app.staff("manager", Role::Manager).await;
        assert_eq!(app.data_as(Some(&manager), "{ refundsReport { total } }", json!({})).await["refundsReport"]["total"], "1151.46");
        let link = app.data("query($p: String!) { downloadUrl(path: $p) }", json!({"p": "/reports/refunds.csv"})).await;
        let response = app.client.get(app.url(link["downloadUrl"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(rows(&response.text().await.unwrap()).len(), 2);
        let (status, body) = get(&app, "/reports/refunds.csv?reason=x", &app.token).await;
        assert_eq!(status, 400, "an unknown parameter is named: {body}");
    }

    async fn refunds_fall_in_the_business_day_they_were_made(app: TestApp) {
        let b = books(&app).await;
        // Asha paid mid-March 2025; 23:30 IST on 31 March is 18:00 UTC, 00:10 IST on 1 April is
        // 18:40 UTC.
        set_time(&app, "payments", "paid_at", "payment_id", &b.cash["paymentId"], "2025-03-15 06:00:00");
        set_time(&app, "refunds", "created_at", "refund_id", &b.partial["refundId"], "2025-03-31 18:00:00");
        set_time(&app, "refunds", "created_at", "refund_id", &b.full["refundId"], "2025-03-31 18:40:00");
        let march = json!({"f": {"from": "2025-03-01", "to": "2025-03-31"}});
        let r = app.data(COLLECTIONS, march.clone()).await["collectionsReport"].clone();
        assert_eq!(r, json!({"total": "1766.46", "count": 1, "refunded": "266.46", "refundCount": 1, "net": "1500.00"}));
        let april = json!({"f": {"from": "2025-04-01", "to": "2025-04-30"}});
        let r = app.data(COLLECTIONS, april.clone()).await["collectionsReport"].clone();
        assert_eq!(r, json!({"total": "0.00", "count": 0, "refunded": "885.00", "refundCount": 1, "net": "-885.00"}));
        let r = app.data(REFUNDS, april).await["refundsReport"].clone();
        assert_eq!((&r["from"], &r["total"], &r["refunds"]["nodes"][0]["refundId"]), (&json!("2025-04-01"), &json!("885.00"), &b.full["refundId"]));
        let (_, csv) = get(&app, "/reports/refunds.csv?from=2025-03-31&to=2025-04-01", &app.token).await;
        let lines = rows(&csv);
        assert_eq!((lines[0]["date"].as_str(), lines[0]["time"].as_str(), lines[0]["payment_date"].as_str()), ("2025-03-31", "23:30:00", "2025-03-15"), "{csv}");
        assert_eq!((lines[1]["date"].as_str(), lines[1]["time"].as_str()), ("2025-04-01", "00:10:00"), "{csv}");
        let (_, csv) = get(&app, "/reports/collections.csv?from=2025-03-01&to=2025-04-30", &app.token).await;
        let lines = rows(&csv);
        let order: Vec<(&str, &str)> = lines.iter().map(|l| (l["date"].as_str(), l["amount"].as_str())).collect();
        assert_eq!(order, [("2025-03-15", "1766.46"), ("2025-03-31", "-266.46"), ("2025-04-01", "-885.00")], "{csv}");
    }

    async fn collection_lines_page_through_payments_and_refunds_of_one_instant(app: TestApp) {
        // Batches of one and two lines give the same lines as one batch, when payments and
        // refunds share a timestamp (a payment first, then by id).
        let b = books(&app).await;
        let at = "2026-11-10 05:00:00";
        set_time(&app, "payments", "paid_at", "payment_id", &b.cash["paymentId"], at);
        set_time(&app, "payments", "paid_at", "payment_id", &b.phonepe["paymentId"], at);
        set_time(&app, "refunds", "created_at", "refund_id", &b.partial["refundId"], at);
        set_time(&app, "refunds", "created_at", "refund_id", &b.full["refundId"], at);
        let statements = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let db = isp_billing::db::Db::connect(app.database_url(), 2, statements).unwrap();
        let range = isp_billing::reports::model::DateRange::new(
            Some("2026-11-01".parse().unwrap()), Some("2026-11-30".parse().unwrap()), "2026-12-01".parse().unwrap()).unwrap();
        let filter = isp_billing::reports::model::ReportFilter {
            scope: Default::default(), range, method: None, collector_id: None,
        };
        let walk = |size: i64| {
            db.read(move |conn| {
                let (mut lines, mut after) = (Vec::new(), None);
                loop {
                    let batch = isp_billing::reports::repo::collection_lines(conn, &filter, after, size)?;
                    let Some(last) = batch.last() else { break };
                    after = Some(last.cursor());
                    lines.extend(batch.iter().map(|l| (l.kind().as_str(), l.id, l.amount)));
                }
                Ok(lines)
            })
        };
        let whole = walk(1000).await.unwrap();
        let kinds: Vec<&str> = whole.iter().map(|l| l.0).collect();
        assert_eq!(kinds, ["PAYMENT", "PAYMENT", "REFUND", "REFUND"], "{whole:?}");
        assert_eq!(whole.iter().map(|l| l.2).sum::<i64>(), 176_646 + 88_500 - 26_646 - 88_500);
        assert_eq!(walk(1).await.unwrap(), whole);
        assert_eq!(walk(2).await.unwrap(), whole);
        assert_eq!(walk(3).await.unwrap(), whole);
    }
}
