//! Pagination, global IDs, limits and error codes: the parts every area shares.

use serde_json::{json, Value};

use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
    plans(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        nodes { name }
        edges { cursor node { name } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
}";

fn names(page: &Value) -> Vec<String> {
    page["nodes"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap().to_owned()).collect()
}

/// A deeply nested selection through introspection's `ofType`.
fn nested_query(levels: usize) -> String {
    let mut selection = "name".to_owned();
    for _ in 0..levels {
        selection = format!("name ofType {{ {selection} }}");
    }
    format!("{{ __type(name: \"Plan\") {{ fields {{ type {{ {selection} }} }} }} }}")
}

on_both_databases! {
    async fn pagination_forward_and_back(app: TestApp) {
        let c = app.company().name("Alpha Net").create().await;
        for i in 1..=5 {
            app.plan(&c).name(&format!("P{i}")).create().await;
        }
        let page1 = app.data(PAGE, json!({"first": 2})).await["plans"].clone();
        assert_eq!(page1["totalCount"], 5);
        assert_eq!(names(&page1), ["P1", "P2"]);
        assert_eq!(page1["pageInfo"]["hasNextPage"], true);
        assert_eq!(page1["pageInfo"]["hasPreviousPage"], false);
        assert_eq!(page1["edges"][1]["cursor"], page1["pageInfo"]["endCursor"]);

        let page2 = app.data(PAGE, json!({"first": 2, "after": page1["pageInfo"]["endCursor"]})).await["plans"].clone();
        assert_eq!(names(&page2), ["P3", "P4"]);
        assert_eq!(page2["pageInfo"]["hasPreviousPage"], true);
        let page3 = app.data(PAGE, json!({"first": 2, "after": page2["pageInfo"]["endCursor"]})).await["plans"].clone();
        assert_eq!(names(&page3), ["P5"]);
        assert_eq!(page3["pageInfo"]["hasNextPage"], false);

        let last = app.data(PAGE, json!({"last": 2})).await["plans"].clone();
        assert_eq!(names(&last), ["P4", "P5"]);
        assert_eq!(last["pageInfo"]["hasPreviousPage"], true);
        let before = app.data(PAGE, json!({"last": 2, "before": last["pageInfo"]["startCursor"]})).await["plans"].clone();
        assert_eq!(names(&before), ["P2", "P3"]);
        assert_eq!(before["pageInfo"]["hasNextPage"], true);
        let first_page = app.data(PAGE, json!({"last": 2, "before": before["pageInfo"]["startCursor"]})).await["plans"].clone();
        assert_eq!(names(&first_page), ["P1"]);
        assert_eq!(first_page["pageInfo"]["hasPreviousPage"], false);
        assert_eq!(first_page["totalCount"], 5);
    }

    async fn page_size_default_and_limits(app: TestApp) {
        let c = app.company().name("Alpha Net").create().await;
        for i in 1..=23 {
            app.plan(&c).name(&format!("Plan {i:02}")).service_type("CABLE_TV").create().await;
        }
        let page = app.data(PAGE, json!({})).await["plans"].clone();
        assert_eq!(page["totalCount"], 23);
        assert_eq!(names(&page).len(), 20, "default page size");
        assert_eq!(page["pageInfo"]["hasNextPage"], true);
        assert_code(&app.error(PAGE, json!({"first": 101})).await, "BAD_USER_INPUT", Some("first"));
        assert_code(&app.error(PAGE, json!({"last": -1})).await, "BAD_USER_INPUT", Some("last"));
        assert_code(&app.error(PAGE, json!({"first": 1, "last": 1})).await, "BAD_USER_INPUT", Some("last"));
        assert_code(&app.error(PAGE, json!({"first": 1, "after": "garbage"})).await, "BAD_USER_INPUT", Some("after"));
        assert_eq!(names(&app.data(PAGE, json!({"first": 100})).await["plans"]).len(), 23);
    }

    async fn node_fetches_every_type(app: TestApp) {
        let c = app.company().name("Alpha Net").create().await;
        let p = app.plan(&c).name("Home").create().await;
        let l = app.locality(&c).name("Sadar").pincode("440001").create().await;
        let q = "query($id: ID!) { node(id: $id) { __typename id ... on Company { name } ... on Plan { name } ... on Locality { name } } }";
        for (id, typename, name) in [(&c, "Company", "Alpha Net"), (&p, "Plan", "Home"), (&l, "Locality", "Sadar")] {
            let node = app.data(q, json!({"id": id})).await["node"].clone();
            assert_eq!(node, json!({"__typename": typename, "id": id, "name": name}));
        }
        assert_ne!(c, p, "IDs are unique across types even for the same row number");
        // A well-formed ID of nothing is null; a malformed one is bad input.
        assert_eq!(app.data(q, json!({"id": "UGxhbjo5OTk5"})).await["node"], Value::Null);
        assert_code(&app.error(q, json!({"id": "%%%"})).await, "BAD_USER_INPUT", Some("id"));
        // `plan(id:)` with a company's ID names the field.
        let wrong = app.error("query($id: ID!) { plan(id: $id) { name } }", json!({"id": c})).await;
        assert_code(&wrong, "BAD_USER_INPUT", Some("id"));
    }

    async fn deep_queries_are_refused(app: TestApp) {
        // 3 levels down to `type`, then 57 more: 60 in all.
        let error = app.error(&nested_query(57), json!({})).await;
        assert_code(&error, "GRAPHQL_VALIDATION_FAILED", None);
        assert!(error["message"].as_str().unwrap().contains("nested too deep"), "{error:#}");
        // Past what the parser reads at all, it is refused before parsing ends, also saying why.
        let error = app.error(&nested_query(200), json!({})).await;
        assert!(error["message"].as_str().unwrap().contains("recursion"), "{error:#}");
        assert_code(&error, "GRAPHQL_PARSE_FAILED", None);
        // Ordinary nesting is fine.
        app.data(&nested_query(8), json!({})).await;
    }
}

#[tokio::test]
async fn graphiql_introspection_query_is_within_the_limits() {
    let app = TestApp::spawn(crate::helpers::Kind::Sqlite).await.unwrap();
    // graphql-js's getIntrospectionQuery(), as GraphiQL sends it.
    let query = r#"
      query IntrospectionQuery {
        __schema {
          queryType { name } mutationType { name } subscriptionType { name }
          types { ...FullType }
          directives { name description locations args { ...InputValue } }
        }
      }
      fragment FullType on __Type {
        kind name description
        fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
        inputFields { ...InputValue }
        interfaces { ...TypeRef }
        enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
        possibleTypes { ...TypeRef }
      }
      fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
      fragment TypeRef on __Type {
        kind name
        ofType { kind name ofType { kind name ofType { kind name ofType { kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
      }"#;
    let data = app.data(query, json!({})).await;
    let types = data["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Money"));
    assert!(types.iter().any(|t| t["name"] == "Node" && t["kind"] == "INTERFACE"));
}

#[tokio::test]
async fn root_types_have_conventional_names() {
    let app = TestApp::spawn(crate::helpers::Kind::Sqlite).await.unwrap();
    let q = "{ __schema { queryType { name } mutationType { name } subscriptionType { name } } }";
    let roots = app.data(q, json!({})).await["__schema"].clone();
    assert_eq!(
        roots,
        json!({"queryType": {"name": "Query"}, "mutationType": {"name": "Mutation"}, "subscriptionType": {"name": "Subscription"}})
    );
}

#[tokio::test]
async fn costly_queries_are_refused() {
    let app = TestApp::spawn(crate::helpers::Kind::Sqlite).await.unwrap();
    // Within the alias limit (50), each alias a page of 100 plans with a handful of fields.
    let aliases: String = (0..40)
        .map(|i| {
            format!(
                "p{i}: plans(first: 100) {{ nodes {{ name description speed dataLimit company {{ name state }} }} }} "
            )
        })
        .collect();
    let error = app.error(&format!("{{ {aliases} }}"), json!({})).await;
    assert_code(&error, "GRAPHQL_VALIDATION_FAILED", None);
    assert!(error["message"].as_str().unwrap().contains("too complex"), "{error:#}");
    // The cost and the limit are named (this also pins async-graphql's own refusal text, from
    // which the HTTP handler learns that the query was refused on cost).
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("costs ") && message.contains("limit of 20000"), "{error:#}");
    // One such page is fine.
    app.data("{ plans(first: 100) { nodes { name company { name } } } }", json!({})).await;
}

#[tokio::test]
async fn request_errors_carry_codes() {
    let app = TestApp::spawn(crate::helpers::Kind::Sqlite).await.unwrap();
    assert_code(&app.error("{ plans { ", json!({})).await, "GRAPHQL_PARSE_FAILED", None);
    assert_code(&app.error("{ noSuchField }", json!({})).await, "GRAPHQL_VALIDATION_FAILED", None);
    let money = app
        .error(
            "mutation { createPlan(input: {companyId: \"x\", name: \"P\", serviceType: BROADBAND, price: \"1.001\"}) { id } }",
            json!({}),
        )
        .await;
    assert_code(&money, "BAD_USER_INPUT", Some("price"));
    assert!(money["message"].as_str().unwrap().contains("two places"), "{money:#}");
    // A required field left out is named, written inline or sent in variables.
    let inline = app.error("mutation { createCompany(input: {state: \"Maharashtra\"}) { id } }", json!({})).await;
    assert_code(&inline, "BAD_USER_INPUT", Some("name"));
    let create = "mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id } }";
    let variables = app.error(create, json!({"i": {"state": "Maharashtra"}})).await;
    assert_code(&variables, "BAD_USER_INPUT", Some("name"));
}
