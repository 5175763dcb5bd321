//! The billing core under concurrency, over HTTP, on both databases: many payments at one
//! invoice, many invoices at once, and random sequences of money operations with the
//! invariants checked after every step (proptest).

use std::collections::HashSet;

use futures_util::future::join_all;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::{json, Value};

use crate::documents::{CREATE_INVOICE, CREATE_PAYMENT};
use crate::fixtures::Role;
use crate::helpers::{check_invariants, paise, Kind, TestApp};
use crate::on_both_databases;

on_both_databases! {
    async fn a_hundred_concurrent_payments_at_one_invoice(app: TestApp) {
        let (c, first) = app.customer_with_invoice("lata").await;
        let collector = app.staff("field1", Role::Collector).await;
        let requests = (0..100).map(|i| {
            let token = if i % 2 == 0 { app.token.clone() } else { collector.clone() };
            let input = json!({"i": {"invoiceId": first, "amount": "1.00", "paymentMethod": "PHONEPE",
                                     "paymentReference": format!("UPI-{i:03}")}});
            let app = &app;
            async move { app.gql_as(Some(&token), CREATE_PAYMENT, input).await }
        });
        let answers = join_all(requests).await;
        let mut ids = HashSet::new();
        for answer in &answers {
            assert!(answer.get("errors").is_none(), "every payment succeeds: {answer:#}");
            let id = answer["data"]["createPayment"]["paymentId"].as_str().unwrap().to_owned();
            assert!(id.len() == 15 && id.starts_with("PAY"), "{id}");
            ids.insert(id);
        }
        assert_eq!(ids.len(), 100, "payment ids are unique");
        let q = "query($id: ID!) { node(id: $id) { ... on Invoice { paidAmount balanceAmount } } }";
        let inv = app.data(q, json!({"id": first})).await["node"].clone();
        assert_eq!(inv["paidAmount"], "100.00", "exact to the paisa");
        assert_eq!(inv["balanceAmount"], "1666.46");
        let account = check_invariants(&app, &c).await;
        assert_eq!(account["balance"], "1666.46");
        let ledger = app.data("query($c: ID) { transactions(filter: {customerId: $c, transactionType: PAYMENT}) { totalCount } }",
            json!({"c": c})).await;
        assert_eq!(ledger["transactions"]["totalCount"], 100);
    }

    async fn fifty_concurrent_invoices_get_fifty_numbers(app: TestApp) {
        let bb = app.catalogue("499.00").await.broadband;
        let mut customers = Vec::new();
        for name in ["mala", "nitin", "omkar", "pallavi", "qadir"] {
            customers.push(app.customer(name, &bb).create_with_invoice().await.0);
        }
        let requests = (0..50).map(|i| {
            let input = json!({"i": {"customerId": customers[i % customers.len()], "billAmount": format!("{}.00", 100 + i)}});
            let app = &app;
            async move { app.gql_as(Some(&app.token), CREATE_INVOICE, input).await }
        });
        let answers = join_all(requests).await;
        let mut numbers = HashSet::new();
        for answer in &answers {
            assert!(answer.get("errors").is_none(), "every invoice is raised: {answer:#}");
            numbers.insert(answer["data"]["createInvoice"]["invoiceNumber"].as_str().unwrap().to_owned());
        }
        assert_eq!(numbers.len(), 50, "50 distinct invoice numbers");
        for c in &customers {
            check_invariants(&app, c).await;
        }
    }

    async fn concurrent_payments_refunds_and_invoices_of_one_customer(app: TestApp) {
        let (c, first) = app.customer_with_invoice("rekha").await;
        let paid = app.data(CREATE_PAYMENT, json!({"i": {"invoiceId": first, "amount": "1000", "paymentMethod": "CASH"}})).await;
        let paid = paid["createPayment"]["id"].clone();
        let refund = "mutation($i: CreateRefundInput!) { createRefund(input: $i) { id } }";
        let mut requests = Vec::new();
        for i in 0..30 {
            let (query, input) = match i % 3 {
                0 => (CREATE_PAYMENT, json!({"i": {"customerId": c, "amount": "7.77", "paymentMethod": "CASH"}})),
                1 => (CREATE_INVOICE, json!({"i": {"customerId": c, "billAmount": "3.33"}})),
                _ => (refund, json!({"i": {"paymentId": paid, "amount": "1.11", "reason": "test"}})),
            };
            let app = &app;
            requests.push(async move { app.gql_as(Some(&app.token), query, input).await });
        }
        for answer in join_all(requests).await {
            assert!(answer.get("errors").is_none(), "{answer:#}");
        }
        check_invariants(&app, &c).await;
    }
}

/// One step of a random billing history.
#[derive(Debug, Clone)]
enum Op {
    Invoice { bill: i64 },
    Pay { invoice: Option<usize>, amount: i64, keep_excess: bool, status: u8 },
    Complete { payment: usize, fail: bool },
    Refund { payment: usize, amount: Option<i64> },
    Cancel { invoice: usize },
    Send { invoice: usize },
    Delete { invoice: usize },
    Addon { amount: i64, own: bool },
    Adjust { invoice: usize, credit: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0i64..300_000).prop_map(|bill| Op::Invoice { bill }),
        3 => (proptest::option::of(0usize..8), 1i64..250_000, any::<bool>(), 0u8..4)
            .prop_map(|(invoice, amount, keep_excess, status)| Op::Pay { invoice, amount, keep_excess, status }),
        1 => (0usize..8, any::<bool>()).prop_map(|(payment, fail)| Op::Complete { payment, fail }),
        2 => (0usize..8, proptest::option::of(1i64..200_000)).prop_map(|(payment, amount)| Op::Refund { payment, amount }),
        1 => (0usize..8).prop_map(|invoice| Op::Cancel { invoice }),
        1 => (0usize..8).prop_map(|invoice| Op::Send { invoice }),
        1 => (0usize..8).prop_map(|invoice| Op::Delete { invoice }),
        1 => (1i64..200_000, any::<bool>()).prop_map(|(amount, own)| Op::Addon { amount, own }),
        1 => (0usize..8, 1i64..100_000).prop_map(|(invoice, credit)| Op::Adjust { invoice, credit }),
    ]
}

fn rupees(paise: i64) -> String {
    format!("{}.{:02}", paise / 100, paise % 100)
}

/// Runs one operation; refusals are fine (the rules say no), anything else is not. Returns
/// whether it went through.
async fn apply(app: &TestApp, customer: &str, invoices: &mut Vec<String>, payments: &mut Vec<String>, op: &Op) -> bool {
    let pick = |list: &Vec<String>, i: usize| list.get(i % list.len().max(1)).cloned();
    let (query, variables) = match op {
        Op::Invoice { bill } => (CREATE_INVOICE, json!({"i": {"customerId": customer, "billAmount": rupees(*bill)}})),
        Op::Pay { invoice, amount, keep_excess, status } => {
            let status = ["COMPLETED", "COMPLETED", "PENDING", "FAILED"][usize::from(*status)];
            let mut input = json!({"customerId": customer, "amount": rupees(*amount), "paymentMethod": "CASH",
                                   "keepExcessAsAdvance": keep_excess, "status": status});
            if let Some(i) = invoice.and_then(|i| pick(invoices, i)) {
                input["invoiceId"] = json!(i);
            }
            (CREATE_PAYMENT, json!({ "i": input }))
        }
        Op::Complete { payment, fail } => {
            let Some(id) = pick(payments, *payment) else { return false };
            let q = "mutation($id: ID!, $s: PaymentStatus!) { updatePaymentStatus(id: $id, status: $s) { id } }";
            (q, json!({"id": id, "s": if *fail { "FAILED" } else { "COMPLETED" }}))
        }
        Op::Refund { payment, amount } => {
            let Some(id) = pick(payments, *payment) else { return false };
            let mut input = json!({"paymentId": id, "reason": "property test"});
            if let Some(a) = amount {
                input["amount"] = json!(rupees(*a));
            }
            ("mutation($i: CreateRefundInput!) { createRefund(input: $i) { id } }", json!({ "i": input }))
        }
        Op::Cancel { invoice } | Op::Send { invoice } => {
            let Some(id) = pick(invoices, *invoice) else { return false };
            let status = if matches!(op, Op::Cancel { .. }) { "CANCELLED" } else { "SENT" };
            (
                "mutation($id: ID!, $s: InvoiceStatus!) { updateInvoiceStatus(id: $id, status: $s) { id } }",
                json!({"id": id, "s": status}),
            )
        }
        Op::Delete { invoice } => {
            let Some(id) = pick(invoices, *invoice) else { return false };
            ("mutation($id: ID!) { deleteInvoice(id: $id) }", json!({"id": id}))
        }
        Op::Adjust { invoice, credit } => {
            let Some(id) = pick(invoices, *invoice) else { return false };
            (
                "mutation($id: ID!, $c: Money!) { adjustInvoice(id: $id, credit: $c, reason: \"property test\") { id } }",
                json!({"id": id, "c": rupees(*credit)}),
            )
        }
        Op::Addon { amount, own } => (
            "mutation($i: CreateAddonBillInput!) { createAddonBill(input: $i) { invoice { id } } }",
            json!({"i": {"customerId": customer, "addonType": "OTHER", "description": "extra", "amount": rupees(*amount),
                         "billOn": if *own { "OWN_INVOICE" } else { "NEXT_INVOICE" }}}),
        ),
    };
    let answer: Value = app.gql_as(Some(&app.token), query, variables).await;
    if let Some(error) = answer.get("errors") {
        let code = error[0]["extensions"]["code"].as_str().unwrap_or_default();
        assert!(matches!(code, "BAD_USER_INPUT" | "CONFLICT"), "{op:?} failed unexpectedly: {answer:#}");
        return false;
    }
    let data = &answer["data"];
    if let Some(id) = data["deleteInvoice"].as_str() {
        invoices.retain(|i| i != id);
    }
    if let Some(id) = data["createInvoice"]["id"].as_str() {
        invoices.push(id.to_owned());
    }
    if let Some(id) = data["createAddonBill"]["invoice"]["id"].as_str() {
        invoices.push(id.to_owned());
    }
    if let Some(id) = data["createPayment"]["id"].as_str() {
        payments.push(id.to_owned());
    }
    true
}

fn random_histories_keep_the_invariants(kind: Kind) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let Some(app) = rt.block_on(TestApp::spawn(kind)) else { return };
    let plan = rt.block_on(async { app.catalogue("499.00").await.broadband });
    // A fixed seed: the same 24 histories each run, so the "every kind went through" check
    // below cannot fail by chance (with a random seed, one run in many drew no refund that
    // could go through).
    let config = ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() };
    let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let case = std::sync::atomic::AtomicU32::new(0);
    // How many operations of each kind went through, to show the histories are not all refusals.
    let done = std::sync::Mutex::new(std::collections::HashMap::<String, u32>::new());
    runner
        .run(&proptest::collection::vec(op(), 1..14), |ops| {
            let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            rt.block_on(async {
                let (customer, first) = app.customer(&format!("prop{n}"), &plan).create_with_invoice().await;
                let (mut invoices, mut payments) = (vec![first], Vec::new());
                for op in &ops {
                    if apply(&app, &customer, &mut invoices, &mut payments, op).await {
                        let kind = format!("{op:?}").split([' ', '{']).next().unwrap_or_default().to_owned();
                        *done.lock().unwrap().entry(kind).or_default() += 1;
                    }
                    let account = check_invariants(&app, &customer).await;
                    // Paid money never exceeds what was received.
                    let received: i64 = account["payments"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|p| p["status"] == "COMPLETED")
                        .map(|p| paise(&p["amount"]) - paise(&p["refundedAmount"]))
                        .sum();
                    let on_invoices: i64 =
                        account["invoices"].as_array().unwrap().iter().map(|i| paise(&i["paidAmount"])).sum();
                    assert_eq!(on_invoices + paise(&account["advanceAmount"]), received, "after {op:?}");
                }
            });
            Ok(())
        })
        .unwrap();
    let done = done.into_inner().unwrap();
    for kind in ["Invoice", "Pay", "Refund", "Cancel", "Addon", "Adjust"] {
        assert!(done.get(kind).copied().unwrap_or(0) > 0, "no {kind} went through in any history: {done:?}");
    }
}

#[test]
fn random_histories_keep_the_invariants_on_sqlite() {
    random_histories_keep_the_invariants(Kind::Sqlite);
}

#[test]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
fn random_histories_keep_the_invariants_on_postgres() {
    random_histories_keep_the_invariants(Kind::Postgres);
}
