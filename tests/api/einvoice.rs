//! E-invoicing (issue #30 item 11): the INV-01 JSON (schema 1.1) of issued B2B documents of a
//! company that e-invoices, checked against the government's published JSON Schema; the IRN,
//! acknowledgement and signed QR code recorded once; B2C documents and companies that do not
//! e-invoice refused; an issued document's e-invoice unchanged by later edits.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::fixtures::COMPANY_GSTIN;
use crate::helpers::{assert_code, TestApp};
use crate::on_both_databases;

/// The government's published schema, verbatim (see `tests/fixtures/einvoice/README.md`).
const PUBLISHED: &str = include_str!("../fixtures/einvoice/inv01-v1.1.published.json");

const CUSTOMER_GSTIN: &str = "27AABCU9603R1ZN";
/// A Karnataka registration (an inter-state customer of the Maharashtra company).
const KARNATAKA_GSTIN: &str = "29AABCU9603R1ZJ";

const SET_STATUS: &str = "mutation($id: ID!, $s: InvoiceStatus!) { updateInvoiceStatus(id: $id, status: $s) { id } }";
const INVOICE: &str = "query($id: ID!) { node(id: $id) { ... on Invoice { id invoiceNumber totalAmount cgstTax
    igstTax einvoiceUrl einvoiceRegistration { irn ackNo ackDate signedQrCode } } } }";
const RECORD: &str = "mutation($id: ID!, $irn: String!, $ack: String!, $at: DateTime!, $qr: String!) {
    recordEinvoice(invoiceId: $id, irn: $irn, ackNo: $ack, ackDate: $at, signedQrCode: $qr) { irn ackNo ackDate signedQrCode } }";
const ADJUST: &str =
    "mutation($id: ID!, $c: Money!) { adjustInvoice(id: $id, credit: $c, reason: \"outage of 3 days\") {
    id creditNotes { id creditNoteNumber } } }";
const UPDATE_COMPANY: &str =
    "mutation($id: ID!, $i: UpdateCompanyInput!) { updateCompany(id: $id, input: $i) { id name einvoicing } }";

/// The published schema made a working draft-07 schema by the repairs listed in the fixture's
/// README, and nothing else.
fn repaired() -> Value {
    let published: Value = serde_json::from_str(PUBLISHED).expect("the published schema is JSON");
    let mut schema = fixed(published);
    let top = schema.as_object_mut().unwrap();
    let mut properties = Map::new();
    for key in top.keys().cloned().collect::<Vec<_>>() {
        if !["$schema", "Title", "Description", "required"].contains(&key.as_str()) {
            properties.insert(key.clone(), top.remove(&key).unwrap());
        }
    }
    top.insert("type".into(), json!("object"));
    top.insert("properties".into(), Value::Object(properties));
    let misplaced = schema["properties"]["RefDtls"]["properties"].as_object_mut().unwrap().remove("required").unwrap();
    schema["properties"]["RefDtls"]["properties"]["PrecDocDtls"]["items"]["required"] = misplaced;
    schema
}

/// Keys and type names trimmed, `"String"` lower-cased, a one-element array of a schema made an
/// array schema, the `(?i)` flag taken off patterns (repairs 2–4 and 6).
fn fixed(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, v)| {
                    let key = key.trim().to_owned();
                    let v = match (key.as_str(), v) {
                        ("type", Value::String(t)) => json!(t.trim().to_lowercase()),
                        ("pattern", Value::String(p)) => json!(p.strip_prefix("(?i)").unwrap_or(&p)),
                        ("required", Value::Array(names)) => {
                            json!(names.iter().map(|n| n.as_str().unwrap().trim()).collect::<Vec<_>>())
                        }
                        (_, Value::Array(items)) if items.len() == 1 && items[0].is_object() => {
                            json!({"type": "array", "items": fixed(items[0].clone())})
                        }
                        (_, v) => fixed(v),
                    };
                    (key, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// `schema` with every object closed (`additionalProperties: false`): unknown or misspelt
/// fields fail.
fn strict(mut schema: Value) -> Value {
    if let Some(map) = schema.as_object_mut() {
        if map.contains_key("properties") {
            map.insert("additionalProperties".into(), json!(false));
        }
        for v in map.values_mut() {
            *v = strict(v.take());
        }
    }
    schema
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&strict(repaired())).expect("the repaired schema compiles")
}

/// The schema's complaints about `einvoice` (empty when it is valid).
pub(crate) fn errors(einvoice: &Value) -> Vec<String> {
    validator().iter_errors(einvoice).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn the_published_schema_is_repaired_only_where_the_field_list_says_so() {
    let schema = repaired();
    let required = |path: &[&str]| -> Vec<String> {
        let mut node = &schema;
        for p in path {
            node = &node[*p];
        }
        node["required"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect()
    };
    // The mandatory fields of the notified INV-01 (v1.1) for the sections we fill.
    assert_eq!(required(&[]), ["Version", "TranDtls", "DocDtls", "SellerDtls", "BuyerDtls", "ItemList", "ValDtls"]);
    assert_eq!(required(&["properties", "TranDtls"]), ["TaxSch", "SupTyp"]);
    assert_eq!(required(&["properties", "DocDtls"]), ["Typ", "No", "Dt"]);
    assert_eq!(required(&["properties", "SellerDtls"]), ["Gstin", "LglNm", "Addr1", "Loc", "Pin", "Stcd"]);
    assert_eq!(required(&["properties", "BuyerDtls"]), ["Gstin", "LglNm", "Pos", "Addr1", "Loc", "Stcd"]);
    assert_eq!(
        required(&["properties", "ItemList", "items"]),
        ["SlNo", "IsServc", "HsnCd", "UnitPrice", "TotAmt", "AssAmt", "GstRt", "TotItemVal"]
    );
    assert_eq!(required(&["properties", "ValDtls"]), ["AssVal", "TotInvVal"]);
    assert_eq!(required(&["properties", "RefDtls", "properties", "PrecDocDtls", "items"]), ["InvNo", "InvDt"]);
    assert_eq!(required(&["properties", "RefDtls", "properties", "DocPerdDtls"]), ["InvStDt", "InvEndDt"]);
    assert_eq!(schema["Title"], "GST-India Invoice Document ");
    assert_eq!(schema["properties"]["BuyerDtls"]["properties"]["Pin"]["type"], "number");
    jsonschema::draft7::meta::validate(&schema).expect("a valid draft-07 schema");
}

/// An e-invoice as the server writes it for a ₹1,000 intra-state supply (the shape of the
/// tests below), for the schema checks that need no server.
fn sample() -> Value {
    json!({
        "Version": "1.1",
        "TranDtls": {"TaxSch": "GST", "SupTyp": "B2B", "RegRev": "N"},
        "DocDtls": {"Typ": "INV", "No": "INV/26-27/000001", "Dt": "05/12/2026"},
        "SellerDtls": {"Gstin": COMPANY_GSTIN, "LglNm": "Vidarbha Fibernet", "Addr1": "Main Road, Dharampeth",
                       "Loc": "Nagpur", "Pin": 440010, "Stcd": "27"},
        "BuyerDtls": {"Gstin": CUSTOMER_GSTIN, "LglNm": "Sharma Traders", "Pos": "27", "Addr1": "12 Civil Lines",
                      "Loc": "Nagpur", "Pin": 440001, "Stcd": "27"},
        "ItemList": [{"SlNo": "1", "PrdDesc": "Business 200", "IsServc": "Y", "HsnCd": "9984", "UnitPrice": 1000.00,
                      "TotAmt": 1000.00, "Discount": 0.00, "AssAmt": 1000.00, "GstRt": 18, "IgstAmt": 0.00,
                      "CgstAmt": 90.00, "SgstAmt": 90.00, "TotItemVal": 1180.00}],
        "ValDtls": {"AssVal": 1000.00, "CgstVal": 90.00, "SgstVal": 90.00, "IgstVal": 0.00, "TotInvVal": 1180.00}
    })
}

#[test]
fn a_broken_einvoice_fails_the_repaired_schema_and_shows_why_the_repairs_are_needed() {
    assert_eq!(errors(&sample()), Vec::<String>::new());
    let mut broken = sample();
    broken["SellerDtls"].as_object_mut().unwrap().remove("Gstin");
    assert!(!errors(&broken).is_empty(), "SellerDtls.Gstin is required");
    // The published text as it stands checks only the top-level list: it lets this through.
    let published: Value = serde_json::from_str(PUBLISHED).unwrap();
    let as_published = jsonschema::draft7::new(&published).expect("it compiles");
    assert!(as_published.is_valid(&broken), "the published text ignores its own sections");
    let mut misspelt = sample();
    misspelt["ValDtls"]["TotInvValue"] = json!(1180.00);
    assert!(!errors(&misspelt).is_empty(), "unknown fields fail the closed schema");
    let mut bad_date = sample();
    bad_date["DocDtls"]["Dt"] = json!("2026-12-05");
    assert!(!errors(&bad_date).is_empty());
}

/// A company that e-invoices (the fixtures' registered Maharashtra company), its ₹1,000 plan.
async fn einvoicing(app: &TestApp) -> (String, String) {
    let company = app.company().set("einvoicing", true).create().await;
    let plan = app.plan(&company).name("Business 200").price("1000").create().await;
    (company, plan)
}

/// Issues `invoice` (SENT), returns it as `INVOICE` reads it.
async fn issued(app: &TestApp, invoice: &str) -> Value {
    app.data(SET_STATUS, json!({"id": invoice, "s": "SENT"})).await;
    app.data(INVOICE, json!({"id": invoice})).await["node"].clone()
}

/// `GET path` as the admin: (status, body).
async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).bearer_auth(&app.token).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The e-invoice at `path`, checked against the schema.
async fn einvoice(app: &TestApp, path: &str) -> (String, Value) {
    let (status, body) = get(app, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    let value: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(errors(&value), Vec::<String>::new(), "{body}");
    (body, value)
}

/// A signed QR code shaped as the IRP's (a JWS whose payload's `data` names the document).
fn signed_qr(doc_no: &str, irn: &str) -> String {
    let enc = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let data = json!({"SellerGstin": COMPANY_GSTIN, "BuyerGstin": CUSTOMER_GSTIN, "DocNo": doc_no, "DocTyp": "INV",
                      "Irn": irn})
    .to_string();
    format!("{}.{}.c2lnbmF0dXJl", enc(json!({"alg": "RS256", "typ": "JWT"})), enc(json!({"data": data, "iss": "NIC"})))
}

on_both_databases! {
    async fn einvoices_of_b2b_documents_follow_the_schema_and_record_their_irn(app: TestApp) {
        let (company, plan) = einvoicing(&app).await;
        let (_, first) = app.customer("sharma", &plan).set("fullName", "Sharma Traders")
            .set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1).create_with_invoice().await;
        let invoice = issued(&app, &first).await;
        let number = invoice["invoiceNumber"].as_str().unwrap().to_owned();
        let url = invoice["einvoiceUrl"].as_str().expect("an e-invoice for an issued B2B invoice").to_owned();

        // Intra-state: CGST + SGST, amounts with two decimals, the document's figures exactly.
        let (body, intra) = einvoice(&app, &url).await;
        assert_eq!(intra["Version"], "1.1");
        assert_eq!(intra["DocDtls"]["Typ"], "INV");
        assert_eq!(intra["DocDtls"]["No"], number.as_str());
        assert_eq!(intra["SellerDtls"]["Gstin"], COMPANY_GSTIN);
        assert_eq!((intra["SellerDtls"]["Loc"].as_str(), intra["SellerDtls"]["Pin"].as_u64()), (Some("Nagpur"), Some(440010)));
        assert_eq!(intra["BuyerDtls"]["Gstin"], CUSTOMER_GSTIN);
        assert_eq!((intra["BuyerDtls"]["Pos"].as_str(), intra["BuyerDtls"]["Pin"].as_u64()), (Some("27"), Some(440001)));
        assert_eq!(intra["ItemList"][0]["HsnCd"], "9984");
        assert_eq!(intra["ItemList"][0]["IsServc"], "Y");
        let total = invoice["totalAmount"].as_str().unwrap();
        assert!(body.contains(&format!("\"TotInvVal\": {total}")), "{body}");
        assert!(body.contains(&format!("\"CgstVal\": {}", invoice["cgstTax"].as_str().unwrap())), "{body}");
        assert!(body.contains("\"IgstVal\": 0.00"), "{body}");

        // Inter-state: IGST.
        let (_, other) = app.customer("rao", &plan).set("customerGstNo", KARNATAKA_GSTIN).set("state", "Karnataka")
            .set("city", "Bengaluru").set("pincode", "560001").set("periodMonths", 1).create_with_invoice().await;
        let inter_invoice = issued(&app, &other).await;
        let (body, inter) = einvoice(&app, inter_invoice["einvoiceUrl"].as_str().unwrap()).await;
        assert_eq!((inter["BuyerDtls"]["Pos"].as_str(), inter["BuyerDtls"]["Stcd"].as_str()), (Some("29"), Some("29")));
        assert!(body.contains(&format!("\"IgstVal\": {}", inter_invoice["igstTax"].as_str().unwrap())), "{body}");
        assert!(body.contains("\"CgstVal\": 0.00"), "{body}");

        // A credit note: CRN, naming its invoice.
        let adjusted = app.data(ADJUST, json!({"id": first, "c": "118"})).await["adjustInvoice"].clone();
        let note = adjusted["creditNotes"][0].clone();
        let note_path = format!("/credit-notes/{}/einvoice.json", note["id"].as_str().unwrap());
        let (body, crn) = einvoice(&app, &note_path).await;
        assert_eq!(crn["DocDtls"]["Typ"], "CRN");
        assert_eq!(crn["DocDtls"]["No"], note["creditNoteNumber"]);
        assert_eq!(crn["RefDtls"]["PrecDocDtls"][0]["InvNo"], number.as_str());
        assert!(body.contains("\"TotInvVal\": 118.00"), "{body}");

        // The portal's answer, recorded once.
        let irn = "a1".repeat(32);
        let at = chrono::Utc::now().to_rfc3339();
        let vars = json!({"id": first, "irn": irn.to_uppercase(), "ack": "112610000012345", "at": at,
                          "qr": signed_qr(&number, &irn)});
        let recorded = app.data(RECORD, vars.clone()).await["recordEinvoice"].clone();
        assert_eq!((recorded["irn"].as_str(), recorded["ackNo"].as_str()), (Some(irn.as_str()), Some("112610000012345")));
        let read = app.data(INVOICE, json!({"id": first})).await["node"]["einvoiceRegistration"].clone();
        assert_eq!(read, recorded);
        assert_eq!(read["signedQrCode"], vars["qr"]);
        assert_code(&app.error(RECORD, vars.clone()).await, "CONFLICT", None);
        // Another invoice cannot take the same IRN, nor this invoice's QR code.
        let mut again = vars.clone();
        again["id"] = inter_invoice["id"].clone();
        again["qr"] = json!(signed_qr(inter_invoice["invoiceNumber"].as_str().unwrap(), &irn));
        assert_code(&app.error(RECORD, again.clone()).await, "CONFLICT", None);
        again["irn"] = json!("b2".repeat(32));
        assert_code(&app.error(RECORD, again.clone()).await, "BAD_USER_INPUT", Some("signedQrCode"));
        again["qr"] = json!(signed_qr(inter_invoice["invoiceNumber"].as_str().unwrap(), &"b2".repeat(32)));
        let mut bad = again.clone();
        bad["irn"] = json!("xyz");
        assert_code(&app.error(RECORD, bad).await, "BAD_USER_INPUT", Some("irn"));
        let mut bad = again.clone();
        bad["ack"] = json!("ACK-1");
        assert_code(&app.error(RECORD, bad).await, "BAD_USER_INPUT", Some("ackNo"));
        let mut bad = again.clone();
        bad["at"] = json!("2020-01-01T00:00:00Z");
        assert_code(&app.error(RECORD, bad).await, "BAD_USER_INPUT", Some("ackDate"));
        app.data(RECORD, again).await;
        let log = app.data("{ auditLog(filter: {operation: \"recordEinvoice\"}) { totalCount } }", json!({})).await;
        assert_eq!(log["auditLog"]["totalCount"], 2, "{log}");

        // Switching e-invoicing on needs a GSTIN.
        let plain = app.company().name("Plain Cable").set("gstin", None::<&str>).create().await;
        let refused = app.error(UPDATE_COMPANY, json!({"id": plain, "i": {"einvoicing": true}})).await;
        assert_code(&refused, "BAD_USER_INPUT", Some("einvoicing"));
        let _ = company;
    }

    async fn b2c_invoices_and_companies_without_einvoicing_are_refused_saying_why(app: TestApp) {
        let (_, plan) = einvoicing(&app).await;
        let (_, home) = app.customer("iyer", &plan).set("periodMonths", 1).create_with_invoice().await;
        let invoice = issued(&app, &home).await;
        assert_eq!(invoice["einvoiceUrl"], Value::Null, "B2C: no e-invoice");
        let path = format!("/invoices/{home}/einvoice.json");
        let (status, body) = get(&app, &path).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("unregistered customer") && body.contains("B2C"), "{body}");
        let vars = json!({"id": home, "irn": "c3".repeat(32), "ack": "1", "at": chrono::Utc::now().to_rfc3339(),
                          "qr": signed_qr("X", &"c3".repeat(32))});
        assert_code(&app.error(RECORD, vars).await, "BAD_USER_INPUT", Some("invoiceId"));

        // A proforma is not e-invoiced until it is issued.
        let (_, business) = app.customer("sharma", &plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1)
            .create_with_invoice().await;
        let (status, body) = get(&app, &format!("/invoices/{business}/einvoice.json")).await;
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("proforma"), "{body}");

        // A company that does not e-invoice.
        let other = app.company().name("Nagpur Broadband").set("invoicePrefix", "NB").set("creditNotePrefix", "NBC")
            .create().await;
        let other_plan = app.plan(&other).name("Office 50").price("800").create().await;
        let (_, b2b) = app.customer("kale", &other_plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1)
            .create_with_invoice().await;
        let b2b_invoice = issued(&app, &b2b).await;
        assert_eq!(b2b_invoice["einvoiceUrl"], Value::Null);
        let (status, body) = get(&app, &format!("/invoices/{b2b}/einvoice.json")).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("does not e-invoice"), "{body}");
        // Unknown documents are 404.
        let (status, _) = get(&app, "/invoices/nonsense/einvoice.json").await;
        assert_eq!(status, 404);
    }

    async fn a_renamed_company_does_not_change_an_issued_einvoice(app: TestApp) {
        let (company, plan) = einvoicing(&app).await;
        let (_, first) = app.customer("sharma", &plan).set("customerGstNo", CUSTOMER_GSTIN).set("periodMonths", 1)
            .create_with_invoice().await;
        let invoice = issued(&app, &first).await;
        let url = invoice["einvoiceUrl"].as_str().unwrap().to_owned();
        let (before, _) = einvoice(&app, &url).await;
        let changes = json!({"name": "Vidarbha Broadband Pvt Ltd", "address": "Plot 9, MIDC Hingna\nNagpur 440016",
                             "phone": "9822099999"});
        let renamed = app.data(UPDATE_COMPANY, json!({"id": company, "i": changes})).await;
        assert_eq!(renamed["updateCompany"]["name"], "Vidarbha Broadband Pvt Ltd");
        app.data("mutation($id: ID!) { updateCustomer(id: $id, input: {fullName: \"Someone Else\"}) { customer { id } } }",
                 json!({"id": app.data("query($id: ID!) { node(id: $id) { ... on Invoice { customer { id } } } }",
                                       json!({"id": first})).await["node"]["customer"]["id"]})).await;
        let (after, _) = einvoice(&app, &url).await;
        assert_eq!(after, before, "an issued document's e-invoice says what it said when issued");
        assert!(after.contains("Vidarbha Fibernet") && !after.contains("Broadband Pvt"), "{after}");
    }
}
