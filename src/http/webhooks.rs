//! `POST /webhooks/<provider>/<gatewayId>`: a payment gateway's notification, handed whole (raw
//! body and the headers that sign it) to [`crate::gateways::webhook`]; the answer is its status.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::AppState;
use crate::gateways::model::Provider;
use crate::gateways::webhook::{self, Answer, Delivery};

/// Largest notification accepted (gateways send a few kilobytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Reads a gateway's notification from the request and answers with what became of it.
pub async fn post_notification(
    State(state): State<AppState>,
    Path((provider, gateway)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (Some(provider), Ok(gateway_id)) = (Provider::from_path(&provider), gateway.parse::<i64>()) else {
        return (StatusCode::NOT_FOUND, Json(json!({"error": "no such webhook"}))).into_response();
    };
    let (signature, timestamp, event_id) = match provider {
        Provider::Razorpay => ("x-razorpay-signature", "", "x-razorpay-event-id"),
        Provider::Cashfree => ("x-webhook-signature", "x-webhook-timestamp", ""),
        _ => ("x-webhook-signature", "x-webhook-timestamp", "x-webhook-id"),
    };
    let delivery = Delivery {
        provider,
        gateway_id,
        body: body.to_vec(),
        signature: header(&headers, signature),
        timestamp: header(&headers, timestamp),
        event_id: header(&headers, event_id),
    };
    let answer = webhook::answer_delivery(&state.db, &state.events, &state.gateways, state.outbox, delivery).await;
    let (status, body) = match answer {
        Answer::Accepted(outcome) => (StatusCode::OK, json!({"status": outcome.as_str()})),
        Answer::Unauthorized(why) => (StatusCode::UNAUTHORIZED, json!({"error": why})),
        Answer::NotFound => (StatusCode::NOT_FOUND, json!({"error": "no such gateway for this provider"})),
        Answer::Inactive => (StatusCode::FORBIDDEN, json!({"error": "the gateway is switched off"})),
        Answer::BadRequest(why) => (StatusCode::BAD_REQUEST, json!({"error": why})),
        Answer::Unavailable(why) => (StatusCode::SERVICE_UNAVAILABLE, json!({"error": why})),
        Answer::NotImplemented => {
            (StatusCode::NOT_IMPLEMENTED, json!({"error": "notifications of this provider are not accepted yet"}))
        }
    };
    (status, Json(body)).into_response()
}
