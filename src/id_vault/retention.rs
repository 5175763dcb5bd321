//! KYC retention and erasure: a TERMINATED customer's identity document number and personal
//! details are kept for their company's `kyc_retention_days` after termination (the licence's
//! record-keeping), then erased by a daily job: the vault row is deleted and the customer row
//! anonymised. Invoices, credit notes and their issued records (`document_snapshots`, GST's own
//! retention) are not touched: they print and file as issued. Also the personal-data export for
//! an access request.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::key::IdVault;
use crate::audit::Actor;
use crate::customers::model::CustomerStatus;
use crate::db::schema::{
    companies, complaints, connection_requests, customers, notifications, payments, refunds, service_pauses,
};
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};

/// The name an erased customer keeps.
pub const ERASED_NAME: &str = "Erased customer";

/// The login name an erased customer keeps (and the audit log names them by when they were
/// the actor): `erased:` and their customer number. Unique, as customer numbers are, and out
/// of reach of every real username (letters, digits, `.`, `_` and `-` only: no `:`), so it
/// never collides with one.
pub fn erased_username(customer_number: &str) -> String {
    format!("erased:{customer_number}")
}

/// What an erased free text reads.
const ERASED_TEXT: &str = crate::audit::erasure::ERASED;

/// Customers erased per transaction (each in a savepoint of it).
const BATCH: usize = 100;

/// The TERMINATED, not yet erased customers whose retention has ended at `now`.
pub fn due(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<Vec<i64>> {
    let rows: Vec<(i64, Option<NaiveDateTime>, i32)> = customers::table
        .inner_join(companies::table)
        .filter(customers::status.eq(CustomerStatus::Terminated))
        .filter(customers::erased_at.is_null())
        .select((customers::id, customers::terminated_at, companies::kyc_retention_days))
        .order(customers::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, at, days)| at.is_some_and(|at| at + Duration::days(i64::from(*days)) <= now))
        .map(|(id, _, _)| id)
        .collect())
}

/// Erases customer `key`'s identity number and anonymises their personal details: name, phones,
/// email, address, GSTIN, login, equipment identifiers; the connection request they came
/// through; their complaints' titles and texts; the reasons of their pauses and refunds and
/// their payments' remarks; the personal values in the audit entries about them
/// ([`crate::audit::erasure`]). The notifications sent to them, or to staff about them, are
/// deleted. City, state and PIN code stay (the place of supply of their invoices), and so do
/// their invoices, payments and issued records (GST's own retention). Audited as
/// `eraseCustomerData`.
pub fn erase(conn: &mut DbConn, key: i64, now: NaiveDateTime, actor: &Actor) -> AppResult<()> {
    super::service::replace(conn, key, None)?;
    let number: String = customers::table.find(key).select(customers::customer_id).first(conn)?;
    diesel::update(customers::table.find(key))
        .set((
            customers::username.eq(erased_username(&number)),
            customers::password_hash.eq(""),
            customers::full_name.eq(ERASED_NAME),
            customers::nickname.eq(None::<String>),
            customers::email.eq(None::<String>),
            customers::mobile.eq("0000000000"),
            customers::alternate_mobile.eq(None::<String>),
            customers::customer_gst_no.eq(None::<String>),
            customers::id_proof_type.eq(None::<crate::customers::model::IdProofType>),
            customers::house_number.eq(None::<String>),
            customers::address.eq(ERASED_TEXT),
            customers::mac_address.eq(None::<String>),
            customers::mac_address_detail.eq(None::<String>),
            customers::ip_address.eq(None::<String>),
            customers::modem_no.eq(None::<String>),
            customers::modem_no_detail.eq(None::<String>),
            customers::erased_at.eq(Some(now)),
            customers::updated_at.eq(now),
        ))
        .execute(conn)?;
    // The application they came through, and the messages sent to them.
    diesel::update(connection_requests::table.filter(connection_requests::customer_id.eq(key)))
        .set((
            connection_requests::full_name.eq(ERASED_NAME),
            connection_requests::mobile.eq("0000000000"),
            connection_requests::email.eq(None::<String>),
            connection_requests::address.eq(ERASED_TEXT),
            connection_requests::message.eq(None::<String>),
            connection_requests::client_address.eq(ERASED_TEXT),
        ))
        .execute(conn)?;
    diesel::delete(
        notifications::table
            .filter(notifications::recipient_kind.eq(crate::auth::model::CUSTOMER))
            .filter(notifications::recipient_id.eq(key)),
    )
    .execute(conn)?;
    // Staff's notifications about them, their applications and complaints name them too.
    let requests: Vec<i64> = connection_requests::table
        .filter(connection_requests::customer_id.eq(key))
        .select(connection_requests::id)
        .load(conn)?;
    let complaints: Vec<i64> =
        complaints::table.filter(complaints::customer_id.eq(key)).select(complaints::id).load(conn)?;
    let subjects: Vec<String> = std::iter::once(ids::encode(Kind::Customer, key))
        .chain(requests.into_iter().map(|id| ids::encode(Kind::ConnectionRequest, id)))
        .chain(complaints.into_iter().map(|id| ids::encode(Kind::Complaint, id)))
        .collect();
    for subject in &subjects {
        diesel::delete(notifications::table.filter(notifications::subject_id.eq(subject))).execute(conn)?;
    }
    // What they told us in complaints; the complaint itself (category, dates, who handled it) stays.
    diesel::update(complaints::table.filter(complaints::customer_id.eq(key)))
        .set((complaints::title.eq(ERASED_TEXT), complaints::description.eq(ERASED_TEXT)))
        .execute(conn)?;
    // Free text staff typed about them: why a pause, a payment's remarks, why a refund. The
    // amounts, dates and methods stay (their accounts).
    diesel::update(service_pauses::table.filter(service_pauses::customer_id.eq(key)))
        .filter(service_pauses::reason.is_not_null())
        .set(service_pauses::reason.eq(ERASED_TEXT))
        .execute(conn)?;
    diesel::update(payments::table.filter(payments::customer_id.eq(key)))
        .filter(payments::remarks.is_not_null())
        .set(payments::remarks.eq(ERASED_TEXT))
        .execute(conn)?;
    diesel::update(refunds::table.filter(refunds::customer_id.eq(key)))
        .set(refunds::reason.eq(ERASED_TEXT))
        .execute(conn)?;
    // The audit log keeps who did what to them, without the personal values it recorded.
    crate::audit::erasure::erase(conn, &subjects, key, &erased_username(&number), now)?;
    crate::auth::repo::revoke_all(conn, crate::auth::model::CUSTOMER, key, now)?;
    let details = "KYC retention after termination ended: identity number erased, personal details anonymised";
    crate::audit::repo::record(conn, actor, "eraseCustomerData", &[ids::encode(Kind::Customer, key)], Some(details))
}

/// Erases every customer whose retention has ended; returns how many. Each customer is erased
/// in a savepoint of their batch's transaction: one that fails (logged with their row id) is
/// left as it was and tried again at the next run, and the others are erased all the same.
pub async fn run(db: &Db) -> AppResult<usize> {
    let due_at_start = db.read(|conn| due(conn, crate::clock::now())).await?;
    let mut erased = 0;
    for batch in due_at_start.chunks(BATCH) {
        let batch = batch.to_vec();
        erased += db
            .write(move |conn| {
                let now = crate::clock::now();
                // Still due (not erased meanwhile by another server on the same database).
                let still: std::collections::HashSet<i64> = due(conn, now)?.into_iter().collect();
                let mut done = 0;
                for &key in batch.iter().filter(|key| still.contains(key)) {
                    match conn.transaction(|conn| erase(conn, key, now, &Actor::system())) {
                        Ok(()) => done += 1,
                        // The whole batch is tried again.
                        Err(e) if e.is_contention() => return Err(e),
                        Err(e) => tracing::error!(
                            customer = key,
                            error = %e.message(),
                            "could not erase this customer's personal data; left as it was, tried again at the next run"
                        ),
                    }
                }
                Ok(done)
            })
            .await?;
    }
    if erased > 0 {
        // What the erased rows held is zeroed in the database file (`secure_delete`); the
        // write-ahead log's copies of those pages go now.
        db.checkpoint_wal("erasing customers' personal data").await;
    }
    Ok(erased)
}

/// Runs [`run`] once a day, the first time 24 hours after the job starts (on one server of
/// several: the job `kyc-erasure` of [`crate::cluster::leases::Leases`]): a server upgraded to
/// the version that erases leaves the operator a day to set `kycRetentionDays` before
/// customers terminated long ago are erased under the default.
pub fn spawn_daily(leases: &crate::cluster::leases::Leases, db: Db) {
    leases.spawn("kyc-erasure", move || daily(db.clone()));
}

async fn daily(db: Db) {
    let day = std::time::Duration::from_secs(24 * 3600);
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + day, day);
    loop {
        every.tick().await;
        match run(&db).await {
            Ok(0) => {}
            Ok(erased) => tracing::info!(erased, "erased the personal data of customers past the KYC retention"),
            Err(e) => tracing::error!(error = %e.message(), "the KYC erasure failed"),
        }
    }
}

/// Customer `key`'s personal data as JSON, for an access request: the profile, the identity
/// document, their invoices and payments, their complaints and the connection request they came
/// through. The document's number is in full only when `number_in_full` (the customer asking
/// about themself) and the server has the key that opens it; otherwise it is the masked form
/// staff see (`idProof.masked` says which), so an export never shows staff more than
/// `revealIdProof` would, without its reason in the audit log.
pub fn export(conn: &mut DbConn, vault: &IdVault, key: i64, number_in_full: bool) -> AppResult<Value> {
    let c = crate::customers::repo::find(conn, key)?;
    let full = if c.id_proof_token.is_some() && number_in_full {
        match super::service::open(conn, vault, key) {
            Ok(number) => number.map(|n| n.expose().to_owned()),
            // No key for it on this server: the masked form, as staff get.
            Err(AppError::Conflict(_)) => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let (number, masked) = match full {
        Some(number) => (Some(number), false),
        None => {
            let masked = super::repo::masked_of_customers(conn, &[key])?.into_iter().next().map(|m| m.masked);
            let is_masked = masked.is_some();
            (masked, is_masked)
        }
    };
    let invoices: Vec<Value> = crate::invoices::repo::of_customer(conn, key)?
        .into_iter()
        .map(|i| {
            json!({"invoiceNumber": i.invoice_number, "invoiceDate": i.invoice_date,
                   "totalAmount": crate::money::format_hundredths(i.total_paise), "status": i.status.as_str()})
        })
        .collect();
    let payments: Vec<Value> = payments::table
        .filter(payments::customer_id.eq(key))
        .order(payments::id)
        .select((payments::payment_id, payments::paid_at, payments::amount_paise, payments::method, payments::status))
        .load::<(String, NaiveDateTime, i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, at, paise, method, status)| {
            json!({"paymentId": id, "paidAt": at, "amount": crate::money::format_hundredths(paise),
                   "method": method, "status": status})
        })
        .collect();
    let complaints: Vec<Value> = complaints::table
        .filter(complaints::customer_id.eq(key))
        .order(complaints::id)
        .select((complaints::complaint_id, complaints::title, complaints::description, complaints::status, complaints::created_at))
        .load::<(String, String, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, title, description, status, at)| {
            json!({"complaintId": id, "title": title, "description": description, "status": status, "createdAt": at})
        })
        .collect();
    let applications: Vec<Value> = connection_requests::table
        .filter(connection_requests::customer_id.eq(key))
        .order(connection_requests::id)
        .select((
            connection_requests::full_name,
            connection_requests::mobile,
            connection_requests::email,
            connection_requests::address,
            connection_requests::message,
            connection_requests::created_at,
        ))
        .load::<(String, String, Option<String>, String, Option<String>, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(name, mobile, email, address, message, at)| {
            json!({"fullName": name, "mobile": mobile, "email": email, "address": address, "message": message,
                   "createdAt": at})
        })
        .collect();
    Ok(json!({
        "customerId": c.customer_id, "username": c.username, "fullName": c.full_name, "nickname": c.nickname,
        "email": c.email, "mobile": c.mobile, "alternateMobile": c.alternate_mobile,
        "customerGstNo": c.customer_gst_no,
        "idProof": {"type": c.id_proof_type.map(|t| t.as_str()), "number": number, "masked": masked},
        "houseNumber": c.house_number, "address": c.address, "city": c.city, "state": c.state,
        "pincode": c.pincode, "macAddress": c.mac_address, "ipAddress": c.ip_address, "modemNo": c.modem_no,
        "serviceType": c.service_type.as_str(), "status": c.status.as_str(), "startDate": c.start_date,
        "endDate": c.end_date, "createdAt": c.created_at, "terminatedAt": c.terminated_at, "erasedAt": c.erased_at,
        "invoices": invoices, "payments": payments, "complaints": complaints, "connectionRequests": applications,
    }))
}
