//! `GET /reports/<name>.csv`: the reports as CSV downloads, for the same bearer token as the
//! API or through a signed download link (`downloadUrl`) (the reports permission: ADMIN,
//! MANAGER). A parameter it does not know is refused, named. Lines are read in batches into a temporary
//! file, then sent from it: memory stays flat however long the report, and a slow client never
//! holds a database connection (see [`streamed`]).
//!
//! Parameters: `from`, `to` (`YYYY-MM-DD`, business dates, both included; this month up to
//! today by default), `companyId`, `localityId`; collections and refunds also `method`,
//! `collectorId` (a refund's are its payment's); dues `asOf` (default today); revenue
//! `by=plan|locality`; customers the `customers` filters (`status`, `serviceType`, `search`,
//! `localityId`, `companyId`, `assignedEmployeeId`, `billingType`, `expiringBefore`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::NaiveDate;

use super::documents::{billing_access, error_response};
use super::AppState;
use crate::auth::permissions::Permission;
use crate::customers::model::{BillingType, CustomerFilter, CustomerStatus};
use crate::dashboard::model::Scope;
use crate::enums::ServiceType;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Decoded, Kind};
use crate::payments::model::PaymentMethod;
use crate::reports::model::{DateRange, ReportFilter, RevenueGrouping};
use crate::reports::stream::{self, CsvReport, Summary};

/// The query string of a report URL.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportParams {
    from: Option<String>,
    to: Option<String>,
    as_of: Option<String>,
    company_id: Option<String>,
    locality_id: Option<String>,
    method: Option<String>,
    collector_id: Option<String>,
    by: Option<String>,
    status: Option<String>,
    service_type: Option<String>,
    search: Option<String>,
    assigned_employee_id: Option<String>,
    billing_type: Option<String>,
    expiring_before: Option<String>,
}

/// The parameters of [`ReportParams`], as they are spelt in a URL.
const PARAMS: [&str; 14] = [
    "from",
    "to",
    "asOf",
    "companyId",
    "localityId",
    "method",
    "collectorId",
    "by",
    "status",
    "serviceType",
    "search",
    "assignedEmployeeId",
    "billingType",
    "expiringBefore",
];

const NAMES: &str = "collections, refunds, dues, revenue, gst-summary, expenses, customers";

fn date(field: &str, value: Option<&String>) -> AppResult<Option<NaiveDate>> {
    value
        .map(|v| {
            // The same years as the API's `Date` scalar.
            let (min, max) = (crate::graphql::scalars::MIN_YEAR, crate::graphql::scalars::MAX_YEAR);
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .filter(|d| (min..=max).contains(&chrono::Datelike::year(d)))
                .ok_or_else(|| {
                    AppError::bad_input(
                        field,
                        format!("`{field}` must be a date as YYYY-MM-DD in the years {min} to {max}"),
                    )
                })
        })
        .transpose()
}

fn id(field: &str, kind: Kind, value: Option<&String>) -> AppResult<Option<i64>> {
    value
        .map(|v| match ids::decode(v) {
            Some(Decoded::Known(k, key)) if k == kind => Ok(key),
            _ => Err(AppError::bad_input(field, format!("`{field}` must be the ID of a {kind}"))),
        })
        .transpose()
}

fn named<T: Copy>(field: &str, all: &[T], name: fn(T) -> &'static str, value: Option<&String>) -> AppResult<Option<T>> {
    value
        .map(|v| {
            all.iter().copied().find(|t| name(*t).eq_ignore_ascii_case(v)).ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|t| name(*t)).collect();
                AppError::bad_input(field, format!("`{field}` must be one of {}", names.join(", ")))
            })
        })
        .transpose()
}

impl ReportParams {
    fn scope(&self) -> AppResult<Scope> {
        Ok(Scope {
            company_id: id("companyId", Kind::Company, self.company_id.as_ref())?,
            locality_id: id("localityId", Kind::Locality, self.locality_id.as_ref())?,
        })
    }

    fn filter(&self) -> AppResult<ReportFilter> {
        let today = crate::clock::today();
        Ok(ReportFilter {
            scope: self.scope()?,
            range: DateRange::new(date("from", self.from.as_ref())?, date("to", self.to.as_ref())?, today)?,
            method: named("method", PaymentMethod::ALL, PaymentMethod::as_str, self.method.as_ref())?,
            collector_id: id("collectorId", Kind::Employee, self.collector_id.as_ref())?,
        })
    }

    fn customers(&self) -> AppResult<CustomerFilter> {
        let scope = self.scope()?;
        Ok(CustomerFilter {
            only_id: None,
            status: named("status", CustomerStatus::ALL, CustomerStatus::as_str, self.status.as_ref())?,
            service_type: named("serviceType", ServiceType::ALL, ServiceType::as_str, self.service_type.as_ref())?,
            search: crate::validate::search(self.search.clone())?,
            locality_id: scope.locality_id,
            company_id: scope.company_id,
            assigned_employee_id: id("assignedEmployeeId", Kind::Employee, self.assigned_employee_id.as_ref())?,
            billing_type: named("billingType", BillingType::ALL, BillingType::as_str, self.billing_type.as_ref())?,
            expiring_before: date("expiringBefore", self.expiring_before.as_ref())?,
            id_proof_hashes: None,
        })
    }

    fn report(&self, name: &str) -> AppResult<Box<dyn CsvReport>> {
        Ok(match name {
            "collections" => Box::new(stream::Collections::new(self.filter()?)),
            "refunds" => Box::new(stream::Refunds::new(self.filter()?)),
            "dues" => Box::new(stream::Dues::new(
                self.scope()?,
                date("asOf", self.as_of.as_ref())?.unwrap_or_else(crate::clock::today),
            )),
            "revenue" => {
                let by = named("by", RevenueGrouping::ALL, RevenueGrouping::as_str, self.by.as_ref())?;
                Box::new(stream::Small::new(Summary::Revenue(self.filter()?, by.unwrap_or(RevenueGrouping::Plan))))
            }
            "gst-summary" => Box::new(stream::Small::new(Summary::Gst(self.filter()?))),
            "expenses" => Box::new(stream::Small::new(Summary::Expenses(self.filter()?))),
            "customers" => Box::new(stream::Customers::new(self.customers()?)),
            _ => return Err(AppError::not_found(format!("report (one of {NAMES})"))),
        })
    }
}

/// `GET /reports/<name>.csv`.
pub async fn csv(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
    params: Result<Query<ReportParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let report = async {
        billing_access(&state, connect_info.as_ref(), &headers, &uri, Permission::ReadReports).await?;
        let name = file.strip_suffix(".csv").ok_or_else(|| AppError::not_found(format!("report (one of {NAMES})")))?;
        super::params::only_known(&uri, &PARAMS)?;
        let Ok(Query(params)) = params else {
            return Err(AppError::bad_input("query", "the query string could not be read"));
        };
        params.report(name)
    };
    match report.await {
        Ok(report) => streamed(&state, report).await,
        Err(e) => error_response(&e),
    }
}

/// The report written whole into an unnamed temporary file, then sent from that file.
///
/// The database is read in batches inside one snapshot, on one pooled connection held only
/// while the database is read; the client's pace never touches it. A client that reads slowly
/// (a mobile link, or on purpose) holds a socket and an open file, never a database connection
/// or a thread. A report that cannot be finished is an error response, never a short file.
async fn streamed(state: &AppState, mut report: Box<dyn CsvReport>) -> Response {
    let file_name = report.file_name();
    let wait = tokio::time::timeout(Duration::from_secs(5), Arc::clone(&state.exports).acquire_owned()).await;
    let Ok(Ok(producing)) = wait else {
        return error_response(&AppError::Busy("other reports are being produced; try again in a moment".into()));
    };
    // The place goes with the work: a client that gives up does not free it while the report
    // is still being read.
    // From the read replica when there is one (`DATABASE_READ_URL`).
    let written = state
        .reporting_db
        .read(move |conn| {
            let _producing = producing;
            into_file(conn, report.as_mut())
        })
        .await;
    let (file, length) = match written {
        Ok(done) => done,
        Err(e) => return error_response(&e),
    };
    let body =
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 64 * 1024));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::CONTENT_LENGTH, length.to_string()),
        ],
        body,
    )
        .into_response()
}

/// Writes `report` into a new temporary file (gone when closed); returns it rewound, with
/// its length.
fn into_file(conn: &mut crate::db::DbConn, report: &mut dyn CsvReport) -> AppResult<(std::fs::File, u64)> {
    use std::io::{Seek, Write};
    let file_error = |e: std::io::Error| AppError::Internal(format!("report file: {e}"));
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, tempfile::tempfile().map_err(file_error)?);
    let mut failed = None;
    stream::write(conn, report, |chunk| match out.write_all(chunk.as_bytes()) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    if let Some(e) = failed {
        return Err(file_error(e));
    }
    let mut file = out.into_inner().map_err(|e| file_error(e.into_error()))?;
    let length = file.stream_position().map_err(file_error)?;
    file.rewind().map_err(file_error)?;
    Ok((file, length))
}
