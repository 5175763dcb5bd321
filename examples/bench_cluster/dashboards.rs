//! One `graphql-ws` subscriber to `complaintCreated` per server, and what each heard.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

use crate::bench_common::post;

pub const CREATED: &str = "subscription { complaintCreated { complaintId } }";
pub const SINCE: &str =
    "query($from: DateTime!, $after: String) { complaints(filter: {from: $from}, first: 100, after: $after) {
    nodes { complaintId } pageInfo { endCursor hasNextPage } } }";

/// What one subscriber heard.
#[derive(Default)]
pub struct Heard {
    pub live: HashSet<String>,
    pub reread: HashSet<String>,
    pub drops: u32,
    pub lagged: u32,
}

/// Connects to the server on `port` (`graphql-ws`) and subscribes to `complaintCreated`.
pub async fn subscribe(
    port: u16,
    token: &str,
) -> Result<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>, String> {
    let mut request = format!("ws://127.0.0.1:{port}/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| e.to_string())?;
    let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
    socket.send(Message::text(init.to_string())).await.map_err(|e| e.to_string())?;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.map_err(|_| "no ack")?;
        match message {
            Some(Ok(Message::Text(text))) if text.contains("connection_ack") => break,
            Some(Ok(Message::Text(text))) if text.contains("\"ka\"") => {}
            other => return Err(format!("{other:?}")),
        }
    }
    let start = json!({"id": "1", "type": "start", "payload": {"query": CREATED}});
    socket.send(Message::text(start.to_string())).await.map_err(|e| e.to_string())?;
    Ok(socket)
}

/// The complaints filed since `from`, read from the server on `port`, into `heard.reread`.
pub async fn reread(
    client: &reqwest::Client,
    port: u16,
    token: &str,
    from: &str,
    heard: &Mutex<Heard>,
) -> Result<(), String> {
    let url = format!("http://127.0.0.1:{port}");
    let mut after = Value::Null;
    loop {
        let body = json!({"query": SINCE, "variables": {"from": from, "after": after}});
        let page = post(client, &url, Some(token), &body).await?["data"]["complaints"].clone();
        let mut heard = heard.lock().unwrap();
        for node in page["nodes"].as_array().into_iter().flatten() {
            let id = node["complaintId"].as_str().unwrap_or_default();
            if !heard.live.contains(id) {
                heard.reread.insert(id.to_owned());
            }
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return Ok(());
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// A dashboard on the server on `port` until `stop`: connects again whenever its connection
/// drops (the server was killed) and re-reads the complaints since `from` then, and on `LAGGED`.
pub async fn subscriber(
    client: reqwest::Client,
    port: u16,
    token: String,
    from: String,
    heard: Arc<Mutex<Heard>>,
    ready: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) {
    let mut first = true;
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut socket) = subscribe(port, &token).await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        // The subscription starts once the server has read it: wait before reading back.
        tokio::time::sleep(Duration::from_millis(500)).await;
        if !first {
            while reread(&client, port, &token, &from, &heard).await.is_err() && !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        first = false;
        ready.store(true, Ordering::Relaxed);
        loop {
            if stop.load(Ordering::Relaxed) {
                let _ = socket.close(None).await;
                return;
            }
            let message = match tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
                Err(_) => continue,
                Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str::<Value>(&text).unwrap_or_default(),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(_) => break, // closed, reset or a close frame
            };
            match message["type"].as_str() {
                Some("data") => {
                    let payload = &message["payload"];
                    if let Some(id) = payload["data"]["complaintCreated"]["complaintId"].as_str() {
                        heard.lock().unwrap().live.insert(id.to_owned());
                    }
                    if payload["errors"][0]["extensions"]["code"] == "LAGGED" {
                        heard.lock().unwrap().lagged += 1;
                        let _ = reread(&client, port, &token, &from, &heard).await;
                    }
                }
                Some("ka") => {}
                _ => break, // error or complete: the subscription ended
            }
        }
        heard.lock().unwrap().drops += 1;
    }
}

/// The servers' subscribers, started on `ports` before the load.
pub struct Dashboards {
    pub heard: Vec<(u16, Arc<Mutex<Heard>>)>,
    pub stop: Arc<AtomicBool>,
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

pub async fn start(client: &reqwest::Client, ports: &[u16], token: &str) -> Dashboards {
    // The server's clock is this machine's: a margin for the second it is written to.
    let from = (chrono::Utc::now() - chrono::Duration::seconds(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let mut heard = Vec::new();
    let mut tasks = Vec::new();
    let mut readies = Vec::new();
    for &port in ports {
        let h = Arc::new(Mutex::new(Heard::default()));
        let ready = Arc::new(AtomicBool::new(false));
        let task =
            subscriber(client.clone(), port, token.to_owned(), from.clone(), h.clone(), ready.clone(), stop.clone());
        tasks.push(tokio::spawn(task));
        heard.push((port, h));
        readies.push(ready);
    }
    let started = Instant::now();
    while !readies.iter().all(|r| r.load(Ordering::Relaxed)) {
        assert!(started.elapsed() < Duration::from_secs(30), "subscribers could not connect");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Dashboards { heard, stop, tasks }
}

impl Dashboards {
    /// Waits (at most 20 s) until every subscriber has every complaint in `filed`, then stops
    /// them; PASS/FAIL lines, and whether all passed.
    pub async fn check(self, phase: &str, filed: &[String]) -> bool {
        let covered = |h: &Heard| filed.iter().filter(|id| h.live.contains(*id) || h.reread.contains(*id)).count();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20)
            && !self.heard.iter().all(|(_, h)| covered(&h.lock().unwrap()) == filed.len())
        {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            let _ = task.await;
        }
        let mut all = true;
        for (port, heard) in &self.heard {
            let h = heard.lock().unwrap();
            let live = filed.iter().filter(|id| h.live.contains(*id)).count();
            let reread = filed.iter().filter(|id| !h.live.contains(*id) && h.reread.contains(*id)).count();
            let ok = live + reread == filed.len();
            all &= ok;
            println!(
                "{} {phase}: subscriber on :{port} has {}/{} acknowledged complaints ({live} live, {reread} re-read; \
                 {} connection drops, {} LAGGED)",
                if ok { "PASS" } else { "FAIL" },
                live + reread,
                filed.len(),
                h.drops,
                h.lagged,
            );
        }
        all
    }
}
