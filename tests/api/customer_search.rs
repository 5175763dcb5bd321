//! Phones and search (issue #31 items 2 and 22): a shop's landline is its `mobile`, and a
//! search finds a number however it is typed, from indexes on PostgreSQL.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, QueryDsl, RunQueryDsl};
use serde_json::json;

use crate::documents::CREATE_CONNECTION_REQUEST;
use crate::helpers::{assert_code, Kind, TestApp};
use crate::on_both_databases;

const UPDATE: &str = "mutation($id: ID!, $i: UpdateCustomerInput!) {
    updateCustomer(id: $id, input: $i) { customer { mobile alternateMobile } } }";
const SEARCH: &str = "query($s: String) { customers(filter: {search: $s}) { totalCount nodes { fullName } } }";

async fn found(app: &TestApp, search: &str) -> Vec<String> {
    let data = app.data(SEARCH, json!({ "s": search })).await;
    let nodes = data["customers"]["nodes"].as_array().unwrap();
    nodes.iter().map(|n| n["fullName"].as_str().unwrap().to_owned()).collect()
}

on_both_databases! {
    async fn a_shops_landline_is_its_mobile(app: TestApp) {
        let bb = app.catalogue("499.00").await.broadband;
        let shop = app.customer("kirana", &bb).set("fullName", "Gupta Kirana Stores").set("mobile", "0712-234 5678");
        let shop = shop.create().await;
        assert_eq!(shop["mobile"], "07122345678", "stored as its digits, STD code's 0 kept");

        let changed = app.data(UPDATE, json!({"id": shop["id"], "i": {"mobile": "+91 98450 11111", "alternateMobile": "0712 2345678"}})).await;
        assert_eq!(changed["updateCustomer"]["customer"], json!({"mobile": "9845011111", "alternateMobile": "07122345678"}));
        let back = app.data(UPDATE, json!({"id": shop["id"], "i": {"mobile": "07122345678"}})).await;
        assert_eq!(back["updateCustomer"]["customer"]["mobile"], "07122345678");

        // Still not any number: too short, a landline without its 0, a mobile not from 6–9.
        for bad in ["12345", "17122345678", "5822012345"] {
            let e = app.error(UPDATE, json!({"id": shop["id"], "i": {"mobile": bad}})).await;
            assert_code(&e, "BAD_USER_INPUT", Some("mobile"));
        }
        let input = app.customer("nophone", &bb).set("mobile", "0712234567").input();
        let e = app.error(crate::documents::CREATE_CUSTOMER, json!({"i": input})).await;
        assert_code(&e, "BAD_USER_INPUT", Some("mobile"));

        // The website's form takes the shop's landline as well.
        let request = json!({"fullName": "Sharma Medical", "mobile": "0712-2345679", "address": "Sitabuldi, Nagpur"});
        let receipt = app.data_as(None, CREATE_CONNECTION_REQUEST, json!({"i": request})).await;
        assert!(receipt["createConnectionRequest"]["reference"].is_string());
        let listed = app.data("{ connectionRequests { nodes { mobile } } }", json!({})).await;
        assert_eq!(listed["connectionRequests"]["nodes"][0]["mobile"], "07122345679");
    }

    async fn search_finds_numbers_as_typed(app: TestApp) {
        let bb = app.catalogue("499.00").await.broadband;
        let a = app.customer("anita", &bb).set("fullName", "Anita Deshmukh").set("mobile", "+91 98450 11111").create().await;
        assert_eq!(a["mobile"], "9845011111");
        let b = app.customer("gupta", &bb).set("fullName", "Gupta Traders").set("mobile", "9890022222");
        b.set("alternateMobile", "0712 2345678").set("customerGstNo", "27aabcu9603r1zn").create().await;
        app.customer("chawla", &bb).set("fullName", "Chawla Cable").set("cafNo", "caf-manual-7").create().await;

        let number = a["customerId"].as_str().unwrap();
        let spaced = format!("{} {}", &number[..5], &number[5..]);
        let cases: Vec<(String, Vec<&str>)> = vec![
            ("+91 98450 11111".into(), vec!["Anita Deshmukh"]),
            ("98450-11111".into(), vec!["Anita Deshmukh"]),
            ("+91 9845011111".into(), vec!["Anita Deshmukh"]),
            ("45011".into(), vec!["Anita Deshmukh"]),
            (spaced, vec!["Anita Deshmukh"]),
            // The alternate phone, typed as on input.
            ("0712-234 5678".into(), vec!["Gupta Traders"]),
            // GSTIN and CAF number, any case, whole or in part.
            ("27aabcu9603r1zn".into(), vec!["Gupta Traders"]),
            ("Aabcu96".into(), vec!["Gupta Traders"]),
            ("caf-manual-7".into(), vec!["Chawla Cable"]),
            ("Manual".into(), vec!["Chawla Cable"]),
            // Names as before; a wildcard typed is a character, not a wildcard.
            ("DESH".into(), vec!["Anita Deshmukh"]),
            ("%".into(), vec![]),
            ("_".into(), vec![]),
        ];
        for (search, expected) in cases {
            assert_eq!(found(&app, &search).await, expected, "search {search:?}");
        }
        let all = app.data(SEARCH, json!({"s": "a"})).await;
        assert_eq!(all["customers"]["totalCount"], 3, "{all}");
    }
}

/// Every branch of the search is answered from an index on PostgreSQL: with sequential scans
/// priced out, the plan of the repository's own condition has no `Seq Scan` on customers.
#[tokio::test]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn search_is_answered_from_indexes_on_postgres() {
    use isp_billing::customers::repo::search_condition;
    use isp_billing::customers::search::SearchPatterns;
    use isp_billing::db::schema::customers;

    let Some(app) = TestApp::spawn(Kind::Postgres).await else { return };
    let bb = app.catalogue("499.00").await.broadband;
    app.customer("anita", &bb).set("mobile", "9845011111").create().await;
    let url = app.database_url().to_owned();
    let plans = tokio::task::spawn_blocking(move || {
        let mut conn = PgConnection::establish(&url).expect("connect");
        conn.batch_execute("SET enable_seqscan = off; SET plan_cache_mode = force_custom_plan").unwrap();
        ["+91 98450 11111", "Anita", "caf0", "27AAB", "x"]
            .iter()
            .map(|search| {
                let query =
                    customers::table.filter(search_condition(SearchPatterns::new(search))).select(customers::id);
                let sql = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
                let (statement, _) = sql.split_once(" -- binds: ").expect("debug_query's binds");
                let params = statement.matches('$').count();
                let patterns = SearchPatterns::new(search);
                // The binds in order: each LIKE's pattern, then its escape character.
                let values: Vec<String> = [
                    &patterns.name,
                    &patterns.number,
                    &patterns.number,
                    &patterns.number,
                    &patterns.code,
                    &patterns.code,
                ]
                .iter()
                .flat_map(|p| [format!("'{}'", p.replace('\'', "''")), "'\\'".to_owned()])
                .collect();
                assert_eq!(params, values.len(), "{statement}");
                conn.batch_execute(&format!("DEALLOCATE ALL; PREPARE search AS {statement}")).unwrap();
                explain(&mut conn, &format!("EXPLAIN EXECUTE search({})", values.join(", ")))
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for plan in plans {
        assert!(!plan.contains("Seq Scan"), "a table scan:\n{plan}");
        for index in ["name", "number", "mobile", "alternate_mobile", "caf_no", "gstin"] {
            assert!(plan.contains(&format!("customers_{index}_trgm_idx")), "{index} not by its index:\n{plan}");
        }
    }
}

fn explain(conn: &mut PgConnection, statement: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let lines: Vec<Line> = diesel::sql_query(statement).load(conn).expect("EXPLAIN");
    lines.into_iter().map(|l| l.line).collect::<Vec<_>>().join("\n")
}
