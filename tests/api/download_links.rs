//! #31 item 11: downloads as short-lived signed links a browser can open without an
//! `Authorization` header (`Invoice.pdfDownloadUrl`, `CreditNote.pdfDownloadUrl`, `downloadUrl(path:)`), bound
//! to the session that asked: one that works, one expired, one of a session that ended, one
//! bound to another account. The CORS side (a real browser's preflight) is in
//! `browser_downloads`.

use serde_json::{json, Value};

use crate::fixtures::CUSTOMER_PASSWORD;
use crate::helpers::TestApp;
use crate::on_both_databases;

const PDF_URL: &str = "query($id: ID!) { node(id: $id) { ... on Invoice { pdfDownloadUrl htmlDownloadUrl } } }";
const DOWNLOAD_URL: &str = "query($p: String!) { downloadUrl(path: $p) }";

/// GETs `url` (a path or an absolute URL) with no `Authorization` header.
async fn open(app: &TestApp, url: &str) -> reqwest::Response {
    let url = if url.starts_with('/') { app.url(url) } else { url.to_owned() };
    app.client.get(url).send().await.unwrap()
}

/// The JSON error of a refused download, asserting its status.
async fn refused(app: &TestApp, url: &str, status: u16) -> Value {
    let response = open(app, url).await;
    assert_eq!(response.status(), status, "{url}");
    response.json::<Value>().await.unwrap()["errors"][0].clone()
}

fn reason(error: &Value) -> (&str, &str) {
    (error["extensions"]["code"].as_str().unwrap(), error["extensions"]["reason"].as_str().unwrap_or(""))
}

on_both_databases! {
    async fn signed_links_open_without_a_header(app: TestApp) {
        let plan = app.catalogue("499.00").await.broadband;
        let (_, invoice) = app.customer("asha", &plan).create_with_invoice().await;
        let (_, other_invoice) = app.customer("bilal", &plan).create_with_invoice().await;
        let asha = app.login("asha", CUSTOMER_PASSWORD).await;
        let bilal = app.login("bilal", CUSTOMER_PASSWORD).await;

        // A link that works: the PDF, with its file name, for no header at all.
        let links = app.data_as(Some(&asha), PDF_URL, json!({"id": invoice})).await["node"].clone();
        let pdf_url = links["pdfDownloadUrl"].as_str().unwrap().to_owned();
        assert!(pdf_url.starts_with(&format!("/invoices/{invoice}.pdf?expires=")), "{pdf_url}");
        let pdf = open(&app, &pdf_url).await;
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.headers()["content-disposition"].to_str().unwrap().contains(".pdf"));
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
        let html = open(&app, links["htmlDownloadUrl"].as_str().unwrap()).await;
        assert_eq!(html.status(), 200);
        // Without the link's signature, the same path needs a login.
        assert_eq!(reason(&refused(&app, &format!("/invoices/{invoice}.pdf"), 401).await), ("UNAUTHENTICATED", "NO_TOKEN"));

        // A CSV report through downloadUrl (staff), its own parameters kept and covered.
        let csv_url = app.data(DOWNLOAD_URL, json!({"p": "/reports/dues.csv?asOf=2026-04-01"})).await["downloadUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        let csv = open(&app, &csv_url).await;
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let changed = csv_url.replace("asOf=2026-04-01", "asOf=2026-05-01");
        assert_eq!(reason(&refused(&app, &changed, 401).await), ("UNAUTHENTICATED", "LINK_INVALID"));
        // Only download paths are signed.
        let error = app.error(DOWNLOAD_URL, json!({"p": "/graphql?query={me{username}}"})).await;
        assert_eq!(error["extensions"]["field"], "path", "{error:#}");

        // Bound to the account: another customer's session cannot use or make it.
        let bilal_session = app.sql_text("SELECT CAST(MAX(id) AS TEXT) AS value FROM sessions");
        let at = pdf_url.find("&session=").unwrap();
        let rest = &pdf_url[at + "&session=".len()..];
        let borrowed = format!("{}&session={bilal_session}{}", &pdf_url[..at], &rest[rest.find('&').unwrap()..]);
        assert_eq!(reason(&refused(&app, &borrowed, 401).await), ("UNAUTHENTICATED", "LINK_INVALID"));
        let other = pdf_url.replace(&invoice, &other_invoice);
        assert_eq!(reason(&refused(&app, &other, 401).await), ("UNAUTHENTICATED", "LINK_INVALID"));
        let path = format!("/invoices/{invoice}.pdf");
        let bilals = app.data_as(Some(&bilal), DOWNLOAD_URL, json!({"p": path})).await["downloadUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(refused(&app, &bilals, 404).await["extensions"]["code"], "NOT_FOUND");

        // A link of a session that ended stops working with it.
        app.data_as(Some(&asha), "mutation { logout }", json!({})).await;
        assert_eq!(reason(&refused(&app, &pdf_url, 401).await), ("UNAUTHENTICATED", "TOKEN_REVOKED"));

        // An expired link: links of a server that gives them one second.
        let quick = app.restart_with(|c| c.download_link_seconds = 1).await;
        let token = quick.login("bilal", CUSTOMER_PASSWORD).await;
        let url = quick.data_as(Some(&token), PDF_URL, json!({"id": other_invoice})).await["node"]["pdfDownloadUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
        let error = refused(&quick, &url, 401).await;
        assert_eq!(reason(&error), ("UNAUTHENTICATED", "LINK_EXPIRED"));
        assert!(error["message"].as_str().unwrap().contains("expired"), "{error:#}");
    }
}
