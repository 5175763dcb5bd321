//! The walled garden's payment page in a real browser (issue #27 item 7): headless Chromium on
//! a phone-sized screen opens `/pay` from the address of a suspended customer's walled-garden
//! session and sees the first name, the amount and the QR code drawn; once the session is over
//! it gets the form, where a wrong pair gives the neutral message, the right pair the bill, and
//! too many tries the refusal. Needs `/usr/bin/chromium` (`.ci/run` installs it).

use std::time::Duration;

use serde_json::{json, Value};

use crate::graphiql::{Browser, Tab};
use crate::helpers::{Kind, TestApp};
use crate::network::{radius, rlm_rest};
use crate::pay_page::{shown, suspended_online};

/// Opens `url` and waits for the page's heading.
async fn open(tab: &mut Tab, url: &str) {
    tab.call("Page.navigate", json!({"url": url})).await;
    tab.wait_for(
        "the page",
        "document.readyState === 'complete' && !!document.querySelector('h1')",
        Duration::from_secs(30),
    )
    .await;
}

/// Fills the form and sends it; waits for the next page.
async fn submit(tab: &mut Tab, customer: &str, mobile: &str) {
    let script = format!(
        "document.getElementById('customer').value = {}; document.getElementById('mobile').value = {}; \
         window.__old = true; document.querySelector('form').submit()",
        json!(customer),
        json!(mobile)
    );
    tab.eval(&script).await;
    tab.wait_for(
        "the answer",
        "!window.__old && document.readyState === 'complete' && !!document.querySelector('h1')",
        Duration::from_secs(30),
    )
    .await;
}

async fn text(tab: &mut Tab) -> String {
    tab.eval("document.body.innerText").await.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_customer_sees_what_to_pay_in_a_browser() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| {
        crate::network::radius_on(c);
        c.pay_lookups_per_hour = 3;
    })
    .await
    .unwrap();
    let (_, number, balance, _) = suspended_online(&app, "127.0.0.1").await;

    let browser = Browser::start().await;
    let mut tab = browser.tab().await;
    // A phone's screen.
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": true}),
    )
    .await;
    open(&mut tab, &app.url("/pay")).await;
    let seen = text(&mut tab).await;
    assert!(seen.contains("Hello Sunita"), "{seen}");
    assert!(seen.contains(&shown(balance)), "{seen}");
    assert!(!seen.contains("Deshmukh") && !seen.contains("9822012345"), "{seen}");
    // The QR code is drawn, square, and fits the phone's width.
    let qr: Value = tab
        .eval(
            "(() => { const r = document.querySelector('#upi-qr svg').getBoundingClientRect(); \
               return {w: r.width, h: r.height, vw: document.documentElement.clientWidth, \
               scroll: document.documentElement.scrollWidth}; })()",
        )
        .await;
    let (w, h) = (qr["w"].as_f64().unwrap(), qr["h"].as_f64().unwrap());
    assert!(w >= 150.0 && (w - h).abs() < 1.0, "{qr}");
    assert!(w <= qr["vw"].as_f64().unwrap() && qr["scroll"] == qr["vw"], "no sideways scrolling: {qr}");
    let upi = tab.eval("document.getElementById('upi-link').href").await;
    assert!(upi.as_str().unwrap().starts_with("upi://pay?pa=vidarbhafiber@okaxis"), "{upi}");
    let link = tab.eval("document.getElementById('gateway-link').href").await;
    assert!(link.as_str().unwrap().contains(&format!("customer={number}")), "{link}");

    // The walled-garden session is over: the form.
    let stop = rlm_rest(&[
        ("Acct-Status-Type", "Stop"),
        ("User-Name", "sunita.pppoe"),
        ("NAS-IP-Address", "127.0.0.1"),
        ("Acct-Session-Id", "walled-1"),
        ("Acct-Session-Time", "60"),
    ]);
    assert_eq!(radius(&app, "accounting", &stop).await.0, 204);
    open(&mut tab, &app.url("/pay")).await;
    assert_eq!(tab.eval("!!document.getElementById('customer') && !!document.getElementById('mobile')").await, true);

    submit(&mut tab, &number, "9000000000").await;
    let wrong = text(&mut tab).await;
    assert!(wrong.contains("could not find"), "{wrong}");
    submit(&mut tab, "1111111111", "9822012345").await;
    assert_eq!(text(&mut tab).await, wrong, "the same words whichever half is wrong");

    submit(&mut tab, &number, "98220 12345").await;
    let bill = text(&mut tab).await;
    assert!(bill.contains("Hello Sunita") && bill.contains(&shown(balance)), "{bill}");
    assert_eq!(tab.eval("!!document.querySelector('#upi-qr svg')").await, true);

    // Three look-ups an hour from this address: the fourth is refused.
    open(&mut tab, &app.url("/pay")).await;
    submit(&mut tab, &number, "9822012345").await;
    let refused = text(&mut tab).await;
    assert!(refused.contains("Too many tries") && !refused.contains("Sunita"), "{refused}");
}
