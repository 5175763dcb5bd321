//! Companies, localities and plans: create, read, update, delete, and every refusal.

use serde_json::{json, Value};

use crate::documents::{CREATE_COMPANY, CREATE_LOCALITY, CREATE_PLAN};
use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

async fn create_company_error(app: &TestApp, input: Value) -> Value {
    app.error(CREATE_COMPANY, json!({ "input": input })).await
}

on_both_databases! {
    async fn company_crud(app: TestApp) {
        let input = json!({
            "name": "  Vidarbha Fibernet  ", "gstin": "27aapfu0939f1zv", "state": " mh ",
            "address": "Sitabuldi, Nagpur", "phone": "+91 98220 12345", "email": "Billing@Vfn.in"
        });
        let created = app.data(CREATE_COMPANY, json!({ "input": input })).await["createCompany"].clone();
        assert_eq!(created["name"], "Vidarbha Fibernet");
        assert_eq!(created["gstin"], "27AAPFU0939F1ZV");
        assert_eq!(created["phone"], "9822012345");
        assert_eq!(created["email"], "billing@vfn.in");
        assert_eq!(created["gstRate"], "18.00");
        assert_eq!(created["state"], "Maharashtra", "states are stored by their canonical name");
        assert!(created["createdAt"].as_str().unwrap().ends_with('Z'));
        let id = created["id"].as_str().unwrap();

        let read = app.data("query($id: ID!) { company(id: $id) { name state } }", json!({"id": id})).await;
        assert_eq!(read["company"], json!({"name": "Vidarbha Fibernet", "state": "Maharashtra"}));

        let update = "mutation($id: ID!, $input: UpdateCompanyInput!) { updateCompany(id: $id, input: $input) { name email phone gstRate } }";
        let updated = app.data(update, json!({"id": id, "input": {"name": "VFN", "email": null, "gstRate": 12.5}})).await;
        assert_eq!(updated["updateCompany"], json!({"name": "VFN", "email": null, "phone": "9822012345", "gstRate": "12.50"}));

        let list = app.data("{ companies { totalCount nodes { name } } }", json!({})).await;
        assert_eq!(list["companies"], json!({"totalCount": 1, "nodes": [{"name": "VFN"}]}));
        let search = app.data(r#"{ companies(filter: {search: "vf"}) { totalCount } }"#, json!({})).await;
        assert_eq!(search["companies"]["totalCount"], 1);
        let none = app.data(r#"{ companies(filter: {search: "100%"}) { totalCount } }"#, json!({})).await;
        assert_eq!(none["companies"]["totalCount"], 0);

        let delete = "mutation($id: ID!) { deleteCompany(id: $id) }";
        assert_eq!(app.data(delete, json!({"id": id})).await["deleteCompany"], id);
        let gone = app.data("query($id: ID!) { company(id: $id) { name } }", json!({"id": id})).await;
        assert_eq!(gone["company"], Value::Null);
        assert_code(&app.error(delete, json!({"id": id})).await, "NOT_FOUND", None);
        let missing = app.error(update, json!({"id": id, "input": {"name": "X"}})).await;
        assert_code(&missing, "NOT_FOUND", None);
    }

    async fn company_validation(app: TestApp) {
        let cases = [
            (json!({"name": "   ", "state": "Goa"}), "name"),
            (json!({"name": "A", "state": ""}), "state"),
            (json!({"name": "A", "state": "Goa", "gstin": "30ABCDE1234F1Z"}), "gstin"),
            (json!({"name": "A", "state": "Goa", "gstin": "27AAPFU0939F1ZA"}), "gstin"),
            (json!({"name": "A", "state": "Goa", "phone": "12345"}), "phone"),
            (json!({"name": "A", "state": "Goa", "email": "not-an-email"}), "email"),
            (json!({"name": "A", "state": "Goa", "gstRate": "101"}), "gstRate"),
            (json!({"name": "A", "state": "Goa", "gstRate": "18.005"}), "gstRate"),
            (json!({"name": "A", "state": "Atlantis"}), "state"),
            // A Maharashtra GSTIN (27...) for a company in Goa.
            (json!({"name": "A", "state": "Goa", "gstin": "27AAPFU0939F1ZV"}), "gstin"),
        ];
        for (input, field) in cases {
            let error = create_company_error(&app, input.clone()).await;
            assert_code(&error, "BAD_USER_INPUT", Some(field));
            assert!(error["message"].as_str().unwrap().contains(field), "message names {field}: {error:#}");
        }
        app.company().name("Nagpur Cable").create().await;
        let duplicate = create_company_error(&app, json!({"name": "NAGPUR CABLE", "state": "Goa"})).await;
        assert_code(&duplicate, "CONFLICT", None);
        let list = app.data("{ companies { totalCount } }", json!({})).await;
        assert_eq!(list["companies"]["totalCount"], 1, "nothing half-created");
    }

    async fn plan_crud_and_filters(app: TestApp) {
        let a = app.company().name("Alpha Net").create().await;
        let b = app.company().name("Beta Cable").create().await;
        let input = json!({
            "companyId": a, "name": "Home 100", "description": "Unlimited home broadband",
            "serviceType": "BROADBAND", "speed": "100 Mbps", "dataLimit": "Unlimited", "price": 499.5
        });
        let created = app.data(CREATE_PLAN, json!({ "input": input })).await["createPlan"].clone();
        assert_eq!(created["price"], "499.50");
        assert_eq!(created["validityDays"], 30);
        assert_eq!(created["isActive"], true);
        assert_eq!(created["serviceType"], "BROADBAND");
        assert_eq!(created["company"]["name"], "Alpha Net");
        let id = created["id"].as_str().unwrap();

        app.plan(&a).name("Old 20").inactive().create().await;
        app.plan(&b).name("Basic Pack").service_type("CABLE_TV").create().await;
        app.plan(&b).name("Home 100").create().await; // same name, other company: fine

        let count = |filter: Value| {
            let app = &app;
            async move {
                let q = "query($f: PlanFilterInput) { plans(filter: $f) { totalCount } }";
                app.data(q, json!({ "f": filter })).await["plans"]["totalCount"].as_i64().unwrap()
            }
        };
        assert_eq!(count(json!(null)).await, 4);
        assert_eq!(count(json!({"serviceType": "CABLE_TV"})).await, 1);
        assert_eq!(count(json!({"companyId": a})).await, 2);
        assert_eq!(count(json!({"isActive": false})).await, 1);
        assert_eq!(count(json!({"companyId": b, "serviceType": "BROADBAND", "isActive": true})).await, 1);

        let update = "mutation($id: ID!, $input: UpdatePlanInput!) { updatePlan(id: $id, input: $input) { name price speed isActive validityDays } }";
        let updated = app
            .data(update, json!({"id": id, "input": {"price": "549", "speed": null, "isActive": false, "validityDays": 90}}))
            .await;
        assert_eq!(updated["updatePlan"], json!({"name": "Home 100", "price": "549.00", "speed": null, "isActive": false, "validityDays": 90}));

        let dup = app.error(update, json!({"id": id, "input": {"name": "old 20"}})).await;
        assert_code(&dup, "CONFLICT", None);

        let delete = "mutation($id: ID!) { deletePlan(id: $id) }";
        app.data(delete, json!({"id": id})).await;
        assert_eq!(count(json!(null)).await, 3);

        // A company with plans cannot be deleted.
        let in_use = app.error("mutation($id: ID!) { deleteCompany(id: $id) }", json!({"id": b})).await;
        assert_code(&in_use, "CONFLICT", None);
    }

    async fn plan_validation(app: TestApp) {
        let a = app.company().name("Alpha Net").create().await;
        let base = json!({"companyId": a, "name": "P", "serviceType": "BROADBAND", "price": "100"});
        let with = |key: &str, value: Value| {
            let mut input = base.clone();
            input[key] = value;
            json!({ "input": input })
        };
        let cases = [
            (with("name", json!("")), "name"),
            (with("price", json!("-1.00")), "price"),
            (with("price", json!("10.999")), "price"),
            (with("price", json!(10.999)), "price"),
            (with("price", json!("ten")), "price"),
            (with("validityDays", json!(0)), "validityDays"),
            (with("companyId", json!("Q29tcGFueTo5OTk5")), "companyId"),
            (with("companyId", json!("nonsense")), "companyId"),
            (with("serviceType", json!("DTH")), "serviceType"),
        ];
        for (variables, field) in cases {
            let error = app.error(CREATE_PLAN, variables.clone()).await;
            assert_code(&error, "BAD_USER_INPUT", Some(field));
        }
        // A plan ID where a company ID belongs is refused, naming the field.
        let p = app.plan(&a).name("Real").create().await;
        let error = app.error(CREATE_PLAN, with("companyId", json!(p))).await;
        assert_code(&error, "BAD_USER_INPUT", Some("companyId"));
        let list = app.data("{ plans { totalCount } }", json!({})).await;
        assert_eq!(list["plans"]["totalCount"], 1);
    }

    async fn locality_crud(app: TestApp) {
        let a = app.company().name("Alpha Net").create().await;
        let input = json!({"companyId": a, "name": "Dharampeth", "city": "Nagpur", "state": "Maharashtra", "pincode": "440010"});
        let created = app.data(CREATE_LOCALITY, json!({ "input": input })).await["createLocality"].clone();
        assert_eq!(created["company"]["name"], "Alpha Net");
        let id = created["id"].as_str().unwrap();

        let other_city = json!({"companyId": a, "name": "Dharampeth", "city": "Wardha", "state": "Maharashtra", "pincode": "442001"});
        app.data(CREATE_LOCALITY, json!({ "input": other_city })).await;
        let dup = json!({"companyId": a, "name": "dharampeth", "city": "NAGPUR", "state": "Maharashtra", "pincode": "440010"});
        assert_code(&app.error(CREATE_LOCALITY, json!({ "input": dup })).await, "CONFLICT", None);
        let bad_pin = json!({"companyId": a, "name": "Sadar", "city": "Nagpur", "state": "Maharashtra", "pincode": "44001"});
        assert_code(&app.error(CREATE_LOCALITY, json!({ "input": bad_pin })).await, "BAD_USER_INPUT", Some("pincode"));

        let q = "query($f: LocalityFilterInput) { localities(filter: $f) { totalCount nodes { city } } }";
        assert_eq!(app.data(q, json!({"f": {"search": "wardha"}})).await["localities"]["totalCount"], 1);
        assert_eq!(app.data(q, json!({"f": {"search": "4400"}})).await["localities"]["totalCount"], 1);
        assert_eq!(app.data(q, json!({"f": {"companyId": a}})).await["localities"]["totalCount"], 2);

        let update = "mutation($id: ID!, $input: UpdateLocalityInput!) { updateLocality(id: $id, input: $input) { name pincode } }";
        let updated = app.data(update, json!({"id": id, "input": {"name": "Dharampeth Ext", "pincode": "440011"}})).await;
        assert_eq!(updated["updateLocality"], json!({"name": "Dharampeth Ext", "pincode": "440011"}));
        let unknown_company = app.error(update, json!({"id": id, "input": {"companyId": "Q29tcGFueTo5OTk5"}})).await;
        assert_code(&unknown_company, "BAD_USER_INPUT", Some("companyId"));

        app.data("mutation($id: ID!) { deleteLocality(id: $id) }", json!({"id": id})).await;
        assert_eq!(app.data(q, json!({"f": null})).await["localities"]["totalCount"], 1);
    }
}
