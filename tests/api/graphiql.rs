//! GraphiQL in a real browser on a machine without internet: Debian's Chromium, headless,
//! with every host name but 127.0.0.1 made unresolvable, driven over the DevTools protocol.
//! It loads the page, waits for the rendered editor, runs operations through it and reads
//! the answers from the result pane. Needs `/usr/bin/chromium` (`.ci/run` installs it).

use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::documents::CREATE_COMPLAINT;
use super::helpers::{Kind, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A headless Chromium, killed when dropped (also when the test fails).
pub(crate) struct Browser {
    child: tokio::process::Child,
    _profile: tempfile::TempDir,
    devtools_port: u16,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

impl Browser {
    pub(crate) async fn start() -> Browser {
        assert!(
            std::path::Path::new(CHROMIUM).exists(),
            "this test needs Debian's Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does it)"
        );
        let profile = tempfile::tempdir().unwrap();
        let mut child = tokio::process::Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // No internet: nothing but this machine resolves.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromium");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(rest) = line.strip_prefix("DevTools listening on ws://127.0.0.1:") {
                    return rest[..rest.find('/').unwrap()].parse::<u16>().unwrap();
                }
            }
            panic!("chromium ended without opening DevTools");
        })
        .await
        .expect("chromium's DevTools within 60 s");
        // Keep draining its log so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Browser { child, _profile: profile, devtools_port: port }
    }

    /// The first tab, over the DevTools protocol.
    pub(crate) async fn tab(&self) -> Tab {
        let list: Value = reqwest::get(format!("http://127.0.0.1:{}/json/list", self.devtools_port))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page = list.as_array().unwrap().iter().find(|t| t["type"] == "page").expect("a tab");
        let url = page["webSocketDebuggerUrl"].as_str().unwrap();
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("connect to the tab");
        Tab { socket, next_id: 0 }
    }
}

/// Whether a DevTools error means only that the page is between two documents.
fn navigating(error: &Value) -> bool {
    let message = error["message"].as_str().unwrap_or_default();
    message.contains("navigated or closed") || message.contains("Cannot find context")
}

pub(crate) struct Tab {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Tab {
    /// Sends one DevTools command and returns its result (events in between are skipped).
    pub(crate) async fn call(&mut self, method: &str, params: Value) -> Value {
        match self.try_call(method, params).await {
            Ok(result) => result,
            Err(error) => panic!("{method} failed: {error}"),
        }
    }

    /// Sends one DevTools command; its result, or the error the browser answered with.
    async fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket.send(Message::text(message)).await.unwrap();
        loop {
            let reply = tokio::time::timeout(Duration::from_secs(30), self.socket.next())
                .await
                .expect("a DevTools reply within 30 s")
                .expect("the tab is open")
                .unwrap();
            let Message::Text(text) = reply else { continue };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["id"] == id {
                return match value.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(value["result"].clone()),
                };
            }
        }
    }

    /// The value of a JavaScript expression in the page.
    pub(crate) async fn eval(&mut self, expression: &str) -> Value {
        let result = self.call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true})).await;
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is true in the page.
    pub(crate) async fn wait_for(&mut self, what: &str, expression: &str, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let params = json!({"expression": expression, "returnByValue": true});
            match self.try_call("Runtime.evaluate", params).await {
                Ok(result) if result["result"]["value"] == json!(true) => return,
                Ok(_) => {}
                // Between two documents (a form sent, a link followed) Chromium answers
                // "Inspected target navigated or closed" or has no context to run in yet:
                // the next page is on its way, so ask again.
                Err(error) if navigating(&error) => {}
                Err(error) => panic!("Runtime.evaluate failed: {error}"),
            }
            assert!(tokio::time::Instant::now() < deadline, "waited {within:?} for {what}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Puts `text` in the CodeMirror editor under `selector`.
    async fn set_editor(&mut self, selector: &str, text: &str) {
        let js = format!("document.querySelector({selector:?}).CodeMirror.setValue({})", json!(text));
        self.eval(&js).await;
        // GraphiQL parses the editor's text a moment after it changes (debounced); running
        // before that would run the previous document.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    /// Runs what the query editor holds and returns the result pane's text once it shows
    /// `expected`.
    async fn run(&mut self, expected: &str) -> String {
        self.eval("document.querySelector('.graphiql-execute-button').click()").await;
        let result = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()";
        let check = format!("{result}.includes({})", json!(expected));
        self.wait_for(&format!("a result with {expected}"), &check, Duration::from_secs(30)).await;
        self.eval(result).await.as_str().unwrap().to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_works_without_internet() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let browser = Browser::start().await;
    let mut tab = browser.tab().await;
    tab.call("Runtime.enable", json!({})).await;
    tab.call("Page.navigate", json!({"url": app.url("/graphql")})).await;
    // The editor renders only once React, GraphiQL and the schema (introspection) loaded.
    tab.wait_for(
        "the rendered editor",
        "!!document.querySelector('.graphiql-query-editor .CodeMirror') && \
         !!document.querySelector('.graphiql-execute-button')",
        Duration::from_secs(60),
    )
    .await;
    let help = tab.eval("document.getElementById('login-help').innerText").await;
    assert!(help.as_str().unwrap().contains("Authorization"), "the page says how to log in: {help}");

    // A mutation through the editor: the login answers with a token.
    let login = format!(
        r#"mutation {{ login(username: "admin", password: "{}") {{ token }} }}"#,
        super::helpers::ADMIN_PASSWORD
    );
    tab.set_editor(".graphiql-query-editor .CodeMirror", &login).await;
    let answer = tab.run("\"token\"").await;
    let token = serde_json::from_str::<Value>(&answer).unwrap()["data"]["login"]["token"].as_str().unwrap().to_owned();

    // With the token in the Headers tab, a query that needs a login.
    let headers = json!({"Authorization": format!("Bearer {token}")}).to_string();
    tab.set_editor(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror", &headers).await;
    tab.set_editor(".graphiql-query-editor .CodeMirror", "query { me { username kind } }").await;
    let answer = tab.run("admin").await;
    assert_eq!(serde_json::from_str::<Value>(&answer).unwrap()["data"]["me"]["username"], "admin", "{answer}");

    // A subscription through the editor (graphql-ws on /graphql/ws, logged in by the same
    // Headers tab): a complaint filed elsewhere shows up in the result pane.
    tab.set_editor(".graphiql-query-editor .CodeMirror", "subscription { complaintCreated { complaintId title } }")
        .await;
    tab.eval("document.querySelector('.graphiql-execute-button').click()").await;
    let (customer, _) = app.customer_with_invoice("graphiqlsub").await;
    let complaint = json!({"i": {"customerId": customer, "title": "Seen in GraphiQL", "description": "x",
                                 "category": "CONNECTIVITY", "priority": "LOW"}});
    // The subscription may still be connecting when the first complaint is filed: file until
    // one arrives.
    let result = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()";
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        app.data(CREATE_COMPLAINT, complaint.clone()).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        if tab.eval(result).await.as_str().unwrap_or_default().contains("Seen in GraphiQL") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no event in GraphiQL: {}", tab.eval(result).await);
    }

    // Everything the page loaded came from this server.
    let loaded = tab.eval("JSON.stringify(performance.getEntriesByType('resource').map(e => e.name))").await;
    let loaded: Vec<String> = serde_json::from_str(loaded.as_str().unwrap()).unwrap();
    assert!(loaded.len() >= 4, "the page's scripts and styles: {loaded:?}");
    let here = app.url("");
    assert!(loaded.iter().all(|u| u.starts_with(&here)), "loaded from elsewhere: {loaded:?}");
}
