//! #31 item 8: a response's keys follow the selection set (GraphQL spec, "Serialized Map
//! Ordering"), byte for byte the same every time, however the fields' loaders race.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both_databases;

/// A customers page whose fields are selected neither alphabetically nor in the schema's
/// order, mixing plain columns with batched relations (which finish later).
const CUSTOMERS: &str = "{ customers(first: 10) {
    pageInfo { hasNextPage endCursor }
    nodes { status balance plan { price name } fullName invoices(first: 3) { totalAmount invoiceNumber status }
            id locality { name } advanceAmount customerId }
    totalCount
} }";

/// The dashboard, each figure its own query, selected out of the schema's order.
const DASHBOARD: &str = "{ dashboard {
    net outstanding invoiced { thisMonth today } asOf collected { lastMonth today thisMonth }
    customersByStatus { count status } expensesThisMonth newCustomers timeZone expiringCustomers
    openComplaints { olderThan48Hours byPriority { count priority } } collectionsByMethod { method amount }
} }";

/// How often each query is sent.
const RUNS: usize = 50;

/// A JSON value that keeps its objects' keys in the order they were written.
#[derive(Debug)]
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    Scalar,
}

impl Ordered {
    /// The keys of the object at `path` (object keys, or array indexes as text).
    fn keys_at(&self, path: &[&str]) -> Vec<&str> {
        let mut at = self;
        for step in path {
            at = match at {
                Ordered::Object(fields) => &fields.iter().find(|(k, _)| k == step).expect("key on the path").1,
                Ordered::Array(items) => &items[step.parse::<usize>().expect("an index")],
                Ordered::Scalar => panic!("{step} is below a scalar"),
            };
        }
        match at {
            Ordered::Object(fields) => fields.iter().map(|(k, _)| k.as_str()).collect(),
            other => panic!("not an object: {other:?}"),
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Ordered>()? {
                    fields.push((k, v));
                }
                Ok(Ordered::Object(fields))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element::<Ordered>()? {
                    items.push(v);
                }
                Ok(Ordered::Array(items))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
        }
        d.deserialize_any(V)
    }
}

/// The raw body of `query` sent as the admin.
async fn raw(app: &TestApp, query: &str) -> String {
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&app.token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("POST /graphql");
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("a body");
    assert!(!body.contains("\"errors\""), "unexpected errors: {body}");
    body
}

/// Sends `query` [`RUNS`] times; every body must equal the first, which is returned parsed.
async fn same_bytes_every_time(app: &TestApp, query: &str) -> Ordered {
    let first = raw(app, query).await;
    for run in 1..RUNS {
        let again = raw(app, query).await;
        assert_eq!(again, first, "run {run} answered other bytes than the first");
    }
    serde_json::from_str(&first).expect("JSON")
}

on_both_databases! {
    async fn response_keys_follow_the_selection_set(app: TestApp) {
        let catalogue = app.catalogue("499.00").await;
        for name in ["asha", "bilal", "chitra", "dev", "esha", "farhan"] {
            let (_, invoice) = app.customer(name, &catalogue.broadband).create_with_invoice().await;
            if name.len() % 2 == 0 {
                app.pay(json!({"invoiceId": invoice, "amount": "500.00", "paymentMethod": "CASH"})).await;
            }
        }

        let page = same_bytes_every_time(&app, CUSTOMERS).await;
        assert_eq!(page.keys_at(&[]), ["data"]);
        assert_eq!(page.keys_at(&["data", "customers"]), ["pageInfo", "nodes", "totalCount"]);
        assert_eq!(page.keys_at(&["data", "customers", "pageInfo"]), ["hasNextPage", "endCursor"]);
        for i in ["0", "3", "5"] {
            let node = ["data", "customers", "nodes", i];
            assert_eq!(
                page.keys_at(&node),
                ["status", "balance", "plan", "fullName", "invoices", "id", "locality", "advanceAmount", "customerId"]
            );
            assert_eq!(page.keys_at(&[&node[..], &["plan"]].concat()), ["price", "name"]);
            assert_eq!(
                page.keys_at(&[&node[..], &["invoices", "0"]].concat()),
                ["totalAmount", "invoiceNumber", "status"]
            );
        }

        let dashboard = same_bytes_every_time(&app, DASHBOARD).await;
        assert_eq!(
            dashboard.keys_at(&["data", "dashboard"]),
            [
                "net", "outstanding", "invoiced", "asOf", "collected", "customersByStatus", "expensesThisMonth",
                "newCustomers", "timeZone", "expiringCustomers", "openComplaints", "collectionsByMethod"
            ]
        );
        assert_eq!(dashboard.keys_at(&["data", "dashboard", "collected"]), ["lastMonth", "today", "thisMonth"]);

        // Both at once, the dashboard first: the root fields keep their order too.
        let both = format!("{{ dashboard {{ asOf net }} {} }}", &CUSTOMERS[1..CUSTOMERS.len() - 1]);
        let both = same_bytes_every_time(&app, &both).await;
        assert_eq!(both.keys_at(&["data"]), ["dashboard", "customers"]);
    }
}
