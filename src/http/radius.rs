//! `POST /radius/authorize`, `/radius/post-auth` and `/radius/accounting`: FreeRADIUS 3's
//! rlm_rest calls these (`body = json`, `auth = basic`). Each request is a JSON object of the
//! packet's attributes, `{"User-Name": {"type": "string", "value": ["bob"]}, ...}`; authorize
//! answers with attributes to add, `{"control:Cleartext-Password": "..", "reply:Framed-Pool": ".."}`,
//! and the status rlm_rest maps to a result: 200 ok with attributes, 401 reject, 404 not found,
//! 5xx fail. Off (404) until `ISP_RADIUS_USER` and `ISP_RADIUS_PASSWORD` are set; callers must
//! also come from `ISP_RADIUS_ALLOW` (the connection's peer address). Authorize reads only the
//! in-memory snapshot (`crate::network::snapshot`), never the database.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use serde_json::{json, Map, Value};

pub use super::radius_access::Access;
use super::AppState;
use crate::network::accounting;
use crate::network::rules::Answer;
use crate::network::snapshot::{self, Snapshot};

/// Largest request accepted (a RADIUS packet is at most 4 KB; its JSON a few times that).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the handlers need: the login, and the snapshot authorize answers from.
#[derive(Clone)]
pub struct Radius {
    pub access: Access,
    pub snapshot: Snapshot,
}

/// The attributes of an rlm_rest JSON body: name → values as text. A value may be written as
/// `{"type": .., "value": [..]}`, a list, or a single string or number.
pub fn attributes(body: &[u8]) -> Result<HashMap<String, Vec<String>>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(map) = value else { return Err("not a JSON object".to_owned()) };
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let mut out = HashMap::new();
    for (name, v) in map {
        let values = match &v {
            Value::Object(o) => o.get("value").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        let list: Vec<String> = match &values {
            Value::Array(items) => items.iter().filter_map(text).collect(),
            other => text(other).into_iter().collect(),
        };
        out.insert(name, list);
    }
    Ok(out)
}

fn basic_ok(headers: &HeaderMap, access: &Access) -> bool {
    let Some(sent) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let Some(encoded) = sent.strip_prefix("Basic ").or_else(|| sent.strip_prefix("basic ")) else { return false };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else { return false };
    let expected = format!("{}:{}", access.user, access.password);
    super::constant_time_eq(&decoded, expected.as_bytes())
}

fn plain(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// One rlm_rest call.
pub async fn call(
    State(state): State<AppState>,
    Path(section): Path<String>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(radius) = state.radius.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let peer = connect_info.map(|Extension(ConnectInfo(addr))| addr.ip());
    if !peer.is_some_and(|ip| radius.access.allow.trusts(ip)) {
        return plain(StatusCode::FORBIDDEN, json!({"error": "this address may not call /radius (ISP_RADIUS_ALLOW)"}));
    }
    if !basic_ok(&headers, &radius.access) {
        let body = json!({"error": "send the ISP_RADIUS_USER and ISP_RADIUS_PASSWORD login (HTTP Basic)"});
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Basic realm=\"radius\"")], Json(body))
            .into_response();
    }
    let attrs = match attributes(&body) {
        Ok(a) => a,
        Err(why) => return plain(StatusCode::BAD_REQUEST, json!({"error": why})),
    };
    match section.as_str() {
        "authorize" => authorize(&radius.snapshot, &attrs),
        "post-auth" => StatusCode::NO_CONTENT.into_response(),
        "accounting" => account(&state, attrs).await,
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn authorize(snapshot: &Snapshot, attrs: &HashMap<String, Vec<String>>) -> Response {
    let Some(username) = attrs.get("User-Name").and_then(|v| v.first()) else {
        return plain(StatusCode::BAD_REQUEST, json!({"error": "no User-Name"}));
    };
    let entry = match snapshot.get(username) {
        Ok(Some(entry)) => entry,
        Ok(None) => return plain(StatusCode::NOT_FOUND, json!({})),
        Err(_) => return plain(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "starting"})),
    };
    match snapshot::answer(&entry) {
        Answer::Accept(reply) => {
            let Some(password) = &entry.password else {
                tracing::error!(
                    customer = entry.customer_id,
                    "a network password does not open: is ISP_SECRETS_KEY the key it was sealed under?"
                );
                return plain(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "password unavailable"}));
            };
            let mut out = Map::new();
            out.insert("control:Cleartext-Password".to_owned(), Value::String(password.expose().to_owned()));
            for (name, value) in reply {
                out.insert(format!("reply:{name}"), Value::String(value));
            }
            plain(StatusCode::OK, Value::Object(out))
        }
        Answer::Reject(message) => plain(StatusCode::UNAUTHORIZED, json!({"reply:Reply-Message": message})),
    }
}

async fn account(state: &AppState, attrs: HashMap<String, Vec<String>>) -> Response {
    let record = match accounting::read(&attrs) {
        Ok(Some(record)) => record,
        Ok(None) => return StatusCode::NO_CONTENT.into_response(),
        Err(e) => return plain(StatusCode::BAD_REQUEST, json!({"error": e.message()})),
    };
    let now = crate::clock::now();
    let applied = state.db.write_settling_race(move |conn| accounting::apply(conn, &record, now)).await;
    match applied {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            tracing::error!(error = %e.message(), "storing an accounting record failed");
            // FreeRADIUS keeps the record and tries again.
            plain(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "not stored"}))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_rlm_rest_attributes() {
        let body = br#"{"User-Name":{"type":"string","value":["bob"]},"Acct-Session-Time":{"type":"integer","value":[30]},"X":"y","Y":[1,2]}"#;
        let a = super::attributes(body).unwrap();
        assert_eq!(a["User-Name"], ["bob"]);
        assert_eq!(a["Acct-Session-Time"], ["30"]);
        assert_eq!(a["X"], ["y"]);
        assert_eq!(a["Y"], ["1", "2"]);
        assert!(super::attributes(b"[1]").is_err());
    }
}
