//! #31 item 10: `UNAUTHENTICATED` says why in `extensions.reason` (`NO_TOKEN`, `TOKEN_EXPIRED`,
//! `TOKEN_REVOKED`, `TOKEN_INVALID`, `INVALID_CREDENTIALS`), so a frontend knows to show the
//! login page, and an expired session says so in words.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::documents::LOGIN;
use crate::helpers::{TestApp, ADMIN_PASSWORD};
use crate::on_both_databases;

const ME: &str = "{ me { username } }";

/// Asserts `error` is `UNAUTHENTICATED` for `reason`, its message containing `words`.
fn assert_reason(error: &Value, reason: &str, words: &str) {
    assert_eq!(error["extensions"]["code"], "UNAUTHENTICATED", "{error:#}");
    assert_eq!(error["extensions"]["reason"], reason, "{error:#}");
    assert!(error["message"].as_str().unwrap().contains(words), "{error:#}");
}

/// The JSON error of a GET of `path` with `token`, asserting its status is 401.
async fn download_error(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 401);
    response.json::<Value>().await.unwrap()["errors"][0].clone()
}

on_both_databases! {
    async fn unauthenticated_says_why(app: TestApp) {
        // No token at all.
        assert_reason(&app.error_as(None, ME, json!({})).await, "NO_TOKEN", "log in");

        // An expired session: said in words, with its own reason, also on a download.
        let token = app.login("admin", ADMIN_PASSWORD).await;
        app.data_as(Some(&token), ME, json!({})).await;
        let hash = isp_billing::auth::token::hash(&token);
        app.sql(&format!("UPDATE sessions SET expires_at = '2000-01-01 00:00:00' WHERE token_hash = '{hash}'")).unwrap();
        let expired = app.error_as(Some(&token), ME, json!({})).await;
        assert_reason(&expired, "TOKEN_EXPIRED", "your session expired, log in again");
        let download = download_error(&app, "/reports/dues.csv", &token).await;
        assert_reason(&download, "TOKEN_EXPIRED", "your session expired, log in again");
        // A websocket opened with it is refused saying so (the close frame's reason).
        let mut socket = app.websocket("graphql-transport-ws").await;
        let init = json!({"type": "connection_init", "payload": {"token": token}});
        socket.send(Message::text(init.to_string())).await.unwrap();
        let closed = loop {
            let message = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
            if let Message::Close(Some(frame)) = message {
                break frame.reason.to_string();
            }
        };
        assert!(closed.contains("your session expired, log in again"), "{closed}");
        // ... and a public field still works with it (login needs no session).
        app.data_as(Some(&token), LOGIN, json!({"u": "admin", "p": ADMIN_PASSWORD})).await;

        // A session ended by logout.
        let token = app.login("admin", ADMIN_PASSWORD).await;
        app.data_as(Some(&token), "mutation { logout }", json!({})).await;
        assert_reason(&app.error_as(Some(&token), ME, json!({})).await, "TOKEN_REVOKED", "log in again");

        // A token that was never ours.
        let error = app.error_as(Some("not-a-token-we-gave"), ME, json!({})).await;
        assert_reason(&error, "TOKEN_INVALID", "log in again");

        // A wrong password is not a session problem.
        let error = app.error_as(None, LOGIN, json!({"u": "admin", "p": "wrong-password-1"})).await;
        assert_reason(&error, "INVALID_CREDENTIALS", "invalid username or password");
    }
}
