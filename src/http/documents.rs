//! `GET /invoices/{id}.pdf|.html` and `GET /credit-notes/{id}.pdf|.html`: the tax documents,
//! for the same bearer token as the API, or through a signed download link
//! (`pdfDownloadUrl`). A customer gets only their own; staff need the billing-read
//! permission. Errors are JSON like the API's (`errors[0].extensions.code`, and `field` or
//! `reason`).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::AppState;
use crate::auth::permissions::{access, Access, Permission};
use crate::auth::session::{authenticate, authenticate_link};
use crate::auth::Principal;
use crate::documents::model::TaxDocument;
use crate::downloads::links::Link;
use crate::error::{codes, AppError};
use crate::ids::{self, Decoded, Kind};

/// An error as JSON, with the HTTP status its code calls for.
pub fn error_response(e: &AppError) -> Response {
    let status = match e.code() {
        codes::UNAUTHENTICATED => StatusCode::UNAUTHORIZED,
        codes::FORBIDDEN => StatusCode::FORBIDDEN,
        codes::NOT_FOUND => StatusCode::NOT_FOUND,
        codes::BAD_USER_INPUT => StatusCode::BAD_REQUEST,
        codes::CONFLICT => StatusCode::CONFLICT,
        codes::TOO_MANY_REQUESTS => StatusCode::TOO_MANY_REQUESTS,
        codes::BUSY => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    super::access_log::note_errors([e.code()]);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e.message(), "document request failed");
    }
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR { "internal error".to_owned() } else { e.message() };
    let mut extensions = serde_json::json!({"code": e.code()});
    if let Some((key, value)) = e.details() {
        extensions[key] = value.into();
    }
    let body = serde_json::json!({"errors": [{"message": message, "extensions": extensions}]});
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(super::RETRY_AFTER_SECONDS));
    }
    response
}

/// The caller's access to billing data, from the `Authorization` header or a download link.
pub async fn billing_access(
    state: &AppState,
    connect_info: Option<&Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    uri: &Uri,
    permission: Permission,
) -> Result<Access, AppError> {
    Ok(billing_caller(state, connect_info, headers, uri, permission).await?.1)
}

/// The caller and their access to billing data: from the `Authorization` header, or else from
/// the signature of a download link (`uri`, see `downloads::links`).
pub(super) async fn billing_caller(
    state: &AppState,
    connect_info: Option<&Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    uri: &Uri,
    permission: Permission,
) -> Result<(Principal, Access), AppError> {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(crate::auth::bearer_token);
    let address = super::client_address(state, connect_info, headers);
    let link = match token {
        Some(_) => None,
        None => Link::read(uri.path_and_query().map_or("", |p| p.as_str()))
            .map_err(|(field, message)| AppError::bad_input(field, message))?,
    };
    let auth = match link {
        Some(link) => authenticate_link(&state.db, link, address).await?,
        None => authenticate(&state.db, token, address).await?,
    };
    let principal = auth.principal.ok_or(AppError::Unauthenticated(auth.no_login))?;
    super::access_log::note_account(&principal);
    let access = access(&principal, permission)?;
    Ok((principal, access))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Pdf,
    Html,
}

/// `<global id>.pdf` or `.html` naming a row of `kind`.
fn parse(file: &str, kind: Kind) -> Result<(i64, Format), AppError> {
    let (id, format) = if let Some(id) = file.strip_suffix(".pdf") {
        (id, Format::Pdf)
    } else if let Some(id) = file.strip_suffix(".html") {
        (id, Format::Html)
    } else {
        return Err(AppError::not_found("document"));
    };
    match ids::decode(id) {
        Some(Decoded::Known(k, key)) if k == kind => Ok((key, format)),
        _ => Err(AppError::not_found("document")),
    }
}

async fn serve(
    state: AppState,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    file: String,
    kind: Kind,
) -> Response {
    match document(&state, connect_info.as_ref(), &headers, &uri, &file, kind).await {
        Ok(response) => response,
        Err(e) => error_response(&e),
    }
}

async fn document(
    state: &AppState,
    connect_info: Option<&Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    uri: &Uri,
    file: &str,
    kind: Kind,
) -> Result<Response, AppError> {
    let (principal, caller) = billing_caller(state, connect_info, headers, uri, Permission::ReadBilling).await?;
    super::params::only_known(uri, &[])?;
    let (key, format) = parse(file, kind)?;
    let (doc, customer): (TaxDocument, i64) = state
        .db
        .read(move |conn| match kind {
            Kind::CreditNote => crate::documents::source::credit_note(conn, key),
            Kind::ReceiptVoucher => crate::documents::source::stored_receipt_voucher(conn, key),
            _ => crate::documents::source::invoice(conn, key),
        })
        .await
        .map_err(|e| match e {
            // One answer for "no such document" and "not yours": a customer cannot count ours.
            AppError::NotFound(_) => AppError::not_found("document"),
            other => other,
        })?;
    if !caller.reaches(customer) {
        // As if it did not exist: a customer learns nothing of others' documents.
        return Err(AppError::not_found("document"));
    }
    let name = doc.number.replace(['/', '\\', '"'], "-");
    let (content_type, body, extension) = match format {
        Format::Html => ("text/html; charset=utf-8", crate::documents::html::render(&doc).into_bytes(), "html"),
        Format::Pdf => {
            let account = format!("{}:{}", principal.kind(), principal.id());
            let pdf = state
                .renderer
                .run(&account, move || crate::documents::pdf::render(&doc))
                .await?
                .map_err(AppError::Internal)?;
            ("application/pdf", pdf, "pdf")
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}.{extension}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// `GET /invoices/{id}.pdf` or `.html`.
pub async fn invoice(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
) -> Response {
    serve(state, connect_info, headers, uri, file, Kind::Invoice).await
}

/// `GET /credit-notes/{id}.pdf` or `.html`.
pub async fn credit_note(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
) -> Response {
    serve(state, connect_info, headers, uri, file, Kind::CreditNote).await
}

/// `GET /receipt-vouchers/{id}.pdf` or `.html`.
pub async fn receipt_voucher(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
) -> Response {
    serve(state, connect_info, headers, uri, file, Kind::ReceiptVoucher).await
}

/// `companyId` and `period` of a report URL.
#[derive(serde::Deserialize)]
pub struct ReportQuery {
    #[serde(rename = "companyId")]
    company_id: Option<String>,
    period: Option<String>,
}

async fn gstr1_report(
    state: &AppState,
    connect_info: Option<&Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    uri: &Uri,
    query: ReportQuery,
) -> Result<crate::gstr1::build::Gstr1, AppError> {
    billing_access(state, connect_info, headers, uri, Permission::FileReturns).await?;
    super::params::only_known(uri, &["companyId", "period"])?;
    let company = query.company_id.ok_or_else(|| AppError::bad_input("companyId", "`companyId` is required"))?;
    let company = match ids::decode(&company) {
        Some(Decoded::Known(Kind::Company, key)) => key,
        _ => return Err(AppError::bad_input("companyId", "`companyId` must be the ID of a Company")),
    };
    let period = query.period.ok_or_else(|| AppError::bad_input("period", "`period` is required (YYYY-MM)"))?;
    let period = crate::gstr1::model::Period::parse(&period)
        .map_err(|m| AppError::bad_input("period", format!("`period` {m}")))?;
    crate::gstr1::build::begun(period, crate::clock::today()).map_err(|m| AppError::bad_input("period", m))?;
    state.db.read(move |conn| crate::gstr1::repo::for_month(conn, company, period)).await
}

/// `GET /reports/gstr1.json?companyId=&period=YYYY-MM` (ADMIN, MANAGER).
pub async fn gstr1_json(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    axum::extract::Query(query): axum::extract::Query<ReportQuery>,
) -> Response {
    match gstr1_report(&state, connect_info.as_ref(), &headers, &uri, query).await {
        Ok(report) => {
            let name = format!("GSTR1_{}_{}.json", report.gstin, report.fp);
            ([(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], Json(report)).into_response()
        }
        Err(e) => error_response(&e),
    }
}

/// `GET /reports/gstr1/<section>.csv?companyId=&period=YYYY-MM` (ADMIN, MANAGER).
pub async fn gstr1_csv(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
    axum::extract::Query(query): axum::extract::Query<ReportQuery>,
) -> Response {
    use crate::gstr1::csv::{csv, Section};
    let section = file.strip_suffix(".csv").and_then(Section::from_name);
    let Some(section) = section else {
        let names: Vec<&str> = Section::ALL.iter().map(|s| s.name()).collect();
        return error_response(&AppError::not_found(format!("GSTR-1 section (one of {})", names.join(", "))));
    };
    match gstr1_report(&state, connect_info.as_ref(), &headers, &uri, query).await {
        Ok(report) => {
            let name = format!("GSTR1_{}_{}_{}.csv", report.gstin, report.fp, section.name());
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                ],
                csv(&report, section),
            )
                .into_response()
        }
        Err(e) => error_response(&e),
    }
}
