//! #31 item 11 in a real browser: a page on another origin (the frontend) calls the API with
//! `Authorization` and `Idempotency-Key` (Chromium's CORS preflight must allow them), opens a
//! signed PDF link and reads its `Content-Disposition` (which CORS must expose). Needs
//! `/usr/bin/chromium` (`.ci/run` installs it).

use serde_json::{json, Value};

use crate::graphiql::Browser;
use crate::helpers::{Kind, TestApp};

/// A page on its own origin (another port), standing for the frontend.
async fn frontend() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let page = axum::Router::new()
        .route("/", axum::routing::get(|| async { axum::response::Html("<!doctype html><title>frontend</title>") }));
    let server = tokio::spawn(async move { axum::serve(listener, page).await.unwrap() });
    (origin, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_on_another_origin_uses_the_api_and_its_downloads() {
    let (origin, page_server) = frontend().await;
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.cors_origins = origin.clone()).await.unwrap();
    let (_, invoice) = app.customer_with_invoice("ravi").await;

    let browser = Browser::start().await;
    let mut tab = browser.tab().await;
    tab.call("Page.navigate", json!({"url": format!("{origin}/")})).await;
    tab.wait_for("the frontend page", "document.title === 'frontend'", std::time::Duration::from_secs(30)).await;

    let script = format!(
        r#"(async () => {{
            const api = {api};
            const gql = async (query, variables, key) => {{
                const headers = {{"Content-Type": "application/json", "Authorization": "Bearer " + {token}}};
                if (key) headers["Idempotency-Key"] = key;
                const r = await fetch(api + "/graphql", {{method: "POST", headers, body: JSON.stringify({{query, variables}})}});
                return r.json();
            }};
            const pay = "mutation($i: CreatePaymentInput!) {{ createPayment(input: $i) {{ paymentId }} }}";
            const input = {{i: {{invoiceId: {invoice}, amount: "100.00", paymentMethod: "CASH"}}}};
            const first = await gql(pay, input, "browser-retry-1");
            const again = await gql(pay, input, "browser-retry-1");
            const links = await gql("query($id: ID!) {{ node(id: $id) {{ ... on Invoice {{ pdfDownloadUrl }} }} }}", {{id: {invoice}}});
            const pdf = await fetch(api + links.data.node.pdfDownloadUrl);
            return {{first, again, pdfStatus: pdf.status, disposition: pdf.headers.get("Content-Disposition"),
                     type: pdf.headers.get("Content-Type")}};
        }})()"#,
        api = json!(app.url("")),
        token = json!(app.token),
        invoice = json!(invoice),
    );
    let result =
        tab.call("Runtime.evaluate", json!({"expression": script, "awaitPromise": true, "returnByValue": true})).await;
    assert!(
        result.get("exceptionDetails").is_none(),
        "the page's script failed (a refused CORS preflight reads as 'Failed to fetch'): {result:#}"
    );
    let value: &Value = &result["result"]["value"];

    let first = &value["first"]["data"]["createPayment"]["paymentId"];
    assert!(first.is_string(), "{value:#}");
    assert_eq!(&value["again"]["data"]["createPayment"]["paymentId"], first, "the key made the retry safe");
    let payments = app.data("{ payments { totalCount } }", json!({})).await;
    assert_eq!(payments["payments"]["totalCount"], 1, "one payment for two sends with one key");

    assert_eq!(value["pdfStatus"], 200, "{value:#}");
    assert_eq!(value["type"], "application/pdf");
    let disposition = value["disposition"].as_str().expect("Content-Disposition exposed to the page");
    assert!(disposition.contains(".pdf"), "{disposition}");
    page_server.abort();
}
