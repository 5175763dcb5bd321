//! `GET /invoices/{id}/einvoice.json` and `GET /credit-notes/{id}/einvoice.json`: the e-invoice
//! (INV-01 JSON, schema 1.1) of an issued B2B document, to upload to the Invoice Registration
//! Portal. Same access as the PDFs (`super::documents`): a customer gets only their own, staff
//! need the billing-read permission. A document that is not e-invoiced answers 400 (B2C, a
//! company without `einvoicing`) or 409 (a proforma, a cancelled invoice), saying why.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::documents::{billing_caller, error_response};
use super::AppState;
use crate::auth::permissions::Permission;
use crate::error::AppError;
use crate::ids::{self, Decoded, Kind};

async fn serve(
    state: &AppState,
    connect_info: Option<&Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    uri: &Uri,
    id: &str,
    kind: Kind,
) -> Result<Response, AppError> {
    let (_, caller) = billing_caller(state, connect_info, headers, uri, Permission::ReadBilling).await?;
    super::params::only_known(uri, &[])?;
    let key = match ids::decode(id) {
        Some(Decoded::Known(k, key)) if k == kind => key,
        _ => return Err(AppError::not_found("document")),
    };
    // Whose document it is first: a customer learns nothing, not even why, of others'.
    let found = state
        .db
        .read(move |conn| {
            let customer = match kind {
                Kind::CreditNote => crate::credit_notes::repo::find(conn, key)?.customer_id,
                _ => crate::invoices::repo::find(conn, key)?.customer_id,
            };
            if !caller.reaches(customer) {
                return Err(AppError::not_found("document"));
            }
            match kind {
                Kind::CreditNote => crate::einvoice::service::credit_note(conn, key, "id"),
                _ => crate::einvoice::service::invoice(conn, key, "id"),
            }
        })
        .await;
    let found = match found {
        // One answer for "no such document" and "not yours".
        Err(AppError::NotFound(_)) => return Err(AppError::not_found("document")),
        other => other?,
    };
    let name = found.einvoice.doc_dtls.no.replace(['/', '\\', '"'], "-");
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.einvoice.json\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        found.einvoice.to_json(),
    )
        .into_response())
}

/// `GET /invoices/{id}/einvoice.json`.
pub async fn invoice(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    serve(&state, connect_info.as_ref(), &headers, &uri, &id, Kind::Invoice)
        .await
        .unwrap_or_else(|e| error_response(&e))
}

/// `GET /credit-notes/{id}/einvoice.json`.
pub async fn credit_note(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    serve(&state, connect_info.as_ref(), &headers, &uri, &id, Kind::CreditNote)
        .await
        .unwrap_or_else(|e| error_response(&e))
}
