//! Recording payments, each inside the caller's write transaction with the customer locked
//! (see `settlement::service::lock_customer`); their money goes on invoices by
//! `settlement::service::allocate` and `settle`.

use super::model::{NewPayment, PaymentMethod, PaymentRow, PaymentStatus};
use super::{repo, rules};
use crate::audit::Actor;
use crate::customers::model::CustomerRow;
use crate::db::schema::payments;
use crate::db::CachedDsl;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::invoices::model::InvoiceStatus;
use crate::money::rupees;
use crate::notifications::model::{NotificationKind, NotificationRow, Recipient};
use crate::notifications::Outbox;
use crate::settlement::rules::{refusal, Refusal};
use crate::settlement::service::{allocate, lock_customer, reactivate_if_cleared, settle, Allocation};
use diesel::prelude::*;

/// A payment as the caller described it (checked for form already).
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    pub customer_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub amount: i64,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    pub remarks: Option<String>,
    pub status: PaymentStatus,
    /// Whether money beyond the invoice's balance may become the customer's advance.
    pub keep_excess_as_advance: bool,
    /// The UPI reference (UTR) a payment gateway reported with the payment. `None` for a
    /// payment entered by hand: its UTR is then its `reference` when the method is a UPI one
    /// and the reference is 12 digits ([`rules::upi_utr`]).
    pub upi_utr: Option<String>,
    /// Whether a payment gateway reported it (else staff entered it).
    pub from_gateway: bool,
}

/// `createPayment`: records the payment under a fresh `PAY` number. A `COMPLETED` one is put on
/// its invoice (or the customer's open invoices, oldest first), the rest kept as advance, and
/// entered in the ledger; `PENDING` and `FAILED` ones change nothing else. Returns the payment
/// and its customer (as locked).
pub fn record(conn: &mut DbConn, req: &PaymentRequest, actor: &Actor) -> AppResult<(PaymentRow, CustomerRow)> {
    let customer_id = match (req.customer_id, req.invoice_id) {
        (_, Some(invoice)) => {
            let owner = crate::invoices::repo::find(conn, invoice)
                .map_err(|_| AppError::bad_input("invoiceId", "`invoiceId` names no existing invoice"))?
                .customer_id;
            if req.customer_id.is_some_and(|c| c != owner) {
                return Err(AppError::bad_input("invoiceId", "the invoice belongs to another customer"));
            }
            owner
        }
        (Some(customer), None) => customer,
        (None, None) => return Err(AppError::bad_input("customerId", "give `customerId`, `invoiceId` or both")),
    };
    let customer = lock_customer(conn, customer_id, "customerId")?;
    let invoice = match req.invoice_id {
        Some(invoice_id) => Some(crate::invoices::repo::find(conn, invoice_id)?),
        None => None,
    };
    if let Some(invoice) = &invoice {
        let cancelled = invoice.status == InvoiceStatus::Cancelled;
        let counts = req.status != PaymentStatus::Failed;
        let refused = refusal(cancelled, invoice.balance_paise, req.amount, counts, req.keep_excess_as_advance);
        if let Some(refused) = refused {
            return Err(refusal_error(&invoice.invoice_number, req.amount, refused));
        }
    }
    // Duplicates are found by the reference's key (case, spaces, invisible characters and
    // compatibility forms folded); the reference itself is stored as entered. The unique
    // indexes on (method, payment_reference_key) and on upi_utr refuse them as the payment is
    // inserted, also two submissions at the same moment; which one it was is looked up then.
    let key = req.reference.as_deref().map(rules::reference_key);
    let utr = if req.from_gateway { req.upi_utr.clone() } else { rules::upi_utr(req.method, key.as_deref()) };
    if let (Some(utr), false) = (&utr, req.from_gateway) {
        refuse_reported_utr(conn, utr)?;
    }
    // A completed payment is stored once, with where its money goes already known.
    let allocation = match req.status {
        PaymentStatus::Completed => Some(allocate(conn, customer_id, invoice, req.amount)?),
        _ => None,
    };
    let now = crate::clock::now();
    let mut new = NewPayment {
        payment_id: String::new(),
        customer_id,
        invoice_id: req.invoice_id,
        amount_paise: req.amount,
        method: req.method,
        payment_reference: req.reference.clone(),
        remarks: req.remarks.clone(),
        status: req.status,
        collected_by: actor.employee_id(),
        paid_at: now,
        created_at: now,
        updated_at: now,
        allocated_paise: allocation.as_ref().map_or(0, Allocation::allocated),
    };
    let payment = crate::numbers::insert_under_fresh_number("PAY", 12, |number| {
        new.payment_id = number;
        let insert = diesel::insert_into(payments::table)
            .values((&new, payments::payment_reference_key.eq(key.as_deref()), payments::upi_utr.eq(utr.as_deref())))
            .on_conflict_do_nothing()
            .returning(payments::all_columns)
            .cached();
        let inserted = match &mut *conn {
            DbConn::Pg(c) => insert.get_result(c).optional()?,
            DbConn::Sqlite(c) => insert.get_result(c).optional()?,
        };
        if inserted.is_none() {
            // Its reference or UTR is recorded already, or else its number was taken (another
            // is drawn).
            refuse_duplicate(conn, req, key.as_deref(), utr.as_deref())?;
        }
        Ok(inserted)
    })?;
    if let Some(allocation) = allocation {
        settle(conn, &payment, allocation, &customer, actor)?;
    }
    let details = format!("{} ₹{} {}", payment.payment_id, rupees(payment.amount_paise), payment.status);
    crate::audit::repo::record(
        conn,
        actor,
        "createPayment",
        &[ids::encode(Kind::Payment, payment.id)],
        Some(&details),
    )?;
    Ok((payment, customer))
}

/// `CONFLICT` for a reference whose key is already recorded under `method`, naming the earlier
/// payment (and its reference, when it was written differently). References are quoted with
/// escapes, so invisible characters show.
fn duplicate_reference(
    method: PaymentMethod,
    reference: &str,
    earlier_reference: Option<&str>,
    earlier: &str,
) -> AppError {
    let written = match earlier_reference {
        Some(r) if r != reference => format!(" as {r:?}"),
        _ => String::new(),
    };
    AppError::Conflict(format!(
        "{} reference {reference:?} is already recorded{written} ({earlier}); references are compared \
         ignoring case, spaces and invisible characters, and the same payment is never counted twice",
        method.as_str()
    ))
}

/// `CONFLICT` when the payment's reference (by its `key`) is already recorded under its method,
/// naming the earlier payment, or its UPI reference `utr` is already on a payment, whoever
/// recorded it (a UPI payment is counted once, whether a cashier entered it or a gateway
/// reported it). `Ok` when neither is.
fn refuse_duplicate(conn: &mut DbConn, req: &PaymentRequest, key: Option<&str>, utr: Option<&str>) -> AppResult<()> {
    if let (Some(reference), Some(key)) = (&req.reference, key) {
        if let Some(earlier) = repo::by_reference_key(conn, req.method, key)? {
            return Err(duplicate_reference(
                req.method,
                reference,
                earlier.payment_reference.as_deref(),
                &earlier.payment_id,
            ));
        }
    }
    let Some(utr) = utr else { return Ok(()) };
    if let Some(first) = repo::by_utr(conn, utr)? {
        return Err(AppError::Conflict(format!(
            "UPI reference (UTR) {utr} is already recorded as payment {} ({} of ₹{}); the same UPI payment is \
             never counted twice",
            first.payment_id,
            first.method,
            rupees(first.amount_paise)
        )));
    }
    Ok(())
}

/// `CONFLICT` for a payment entered by hand with UPI reference `utr` that a payment gateway
/// reported and that waits unassigned.
fn refuse_reported_utr(conn: &mut DbConn, utr: &str) -> AppResult<()> {
    if let Some(reported) = crate::gateways::repo::unmatched_by_utr(conn, utr)? {
        return Err(AppError::Conflict(format!(
            "UPI reference (UTR) {utr} was reported by a payment gateway as {} (₹{}), which waits \
             unassigned: assign that gateway payment to the customer instead",
            reported.gateway_payment_id,
            rupees(reported.amount_paise)
        )));
    }
    Ok(())
}

/// Why invoice `number` refuses a payment of `amount`, as the input error a cashier sees.
fn refusal_error(number: &str, amount: i64, refused: Refusal) -> AppError {
    match refused {
        Refusal::Cancelled => {
            AppError::bad_input("invoiceId", format!("invoice {number} is CANCELLED and takes no payments"))
        }
        Refusal::MoreThanOwed { balance } => AppError::bad_input(
            "amount",
            format!(
                "₹{} is more than invoice {number} owes (₹{}); pass `keepExcessAsAdvance: true` to keep the rest \
                 as advance",
                rupees(amount),
                rupees(balance)
            ),
        ),
    }
}

/// `updatePaymentStatus`: a `PENDING` payment becomes `COMPLETED` (its money is applied now;
/// if its invoice was cancelled or paid meanwhile, the money becomes advance) or `FAILED`
/// (nothing counts). Completed and failed payments are final (refund a completed one). Returns
/// the payment and its customer (as locked).
pub fn change_status(
    conn: &mut DbConn,
    id: i64,
    to: PaymentStatus,
    actor: &Actor,
) -> AppResult<(PaymentRow, CustomerRow)> {
    let customer = repo::find(conn, id)?.customer_id;
    let customer = lock_customer(conn, customer, "id")?;
    let mut payment = repo::find(conn, id)?;
    let from = payment.status;
    match (from, to) {
        (PaymentStatus::Pending, PaymentStatus::Completed | PaymentStatus::Failed) => {}
        (PaymentStatus::Completed, _) => {
            return Err(AppError::bad_input("status", "a COMPLETED payment is final; refund it instead"))
        }
        (a, b) if a == b => {
            return Err(AppError::bad_input("status", format!("the payment is already {}", a.as_str())))
        }
        (a, _) => return Err(AppError::bad_input("status", format!("a {} payment is final", a.as_str()))),
    }
    payment.status = to;
    payment.updated_at = crate::clock::now();
    if to == PaymentStatus::Completed {
        // The money arrived now (a cheque cleared).
        payment.paid_at = payment.updated_at;
    }
    let allocation = match to {
        PaymentStatus::Completed => {
            let invoice = match payment.invoice_id {
                Some(invoice_id) => Some(crate::invoices::repo::find(conn, invoice_id)?),
                None => None,
            };
            Some(allocate(conn, payment.customer_id, invoice, payment.amount_paise)?)
        }
        _ => None,
    };
    payment.allocated_paise += allocation.as_ref().map_or(0, Allocation::allocated);
    repo::set_money(conn, &payment)?;
    if let Some(allocation) = allocation {
        settle(conn, &payment, allocation, &customer, actor)?;
    }
    let details = format!("{} {} -> {}", payment.payment_id, from.as_str(), to.as_str());
    crate::audit::repo::record(conn, actor, "updatePaymentStatus", &[ids::encode(Kind::Payment, id)], Some(&details))?;
    Ok((payment, customer))
}

/// `createPayment` whole: [`record`], then the customer told of a COMPLETED payment and, when
/// it cleared the dues they were suspended for, active again (all in the caller's transaction).
pub fn create_payment(
    conn: &mut DbConn,
    outbox: &Outbox,
    req: &PaymentRequest,
    actor: &Actor,
) -> AppResult<(PaymentRow, Vec<NotificationRow>)> {
    let (row, customer) = record(conn, req, actor)?;
    let notifications = after_payment(conn, outbox, &row, &customer, actor)?;
    Ok((row, notifications))
}

/// `updatePaymentStatus` whole: [`change_status`], then as in [`create_payment`].
pub fn complete_or_fail(
    conn: &mut DbConn,
    outbox: &Outbox,
    id: i64,
    to: PaymentStatus,
    actor: &Actor,
) -> AppResult<(PaymentRow, Vec<NotificationRow>)> {
    let (row, customer) = change_status(conn, id, to, actor)?;
    let notifications = after_payment(conn, outbox, &row, &customer, actor)?;
    Ok((row, notifications))
}

/// A COMPLETED payment: the customer is told it arrived, and a customer suspended for dues it
/// cleared is active again (see [`reactivate_if_cleared`]).
fn after_payment(
    conn: &mut DbConn,
    outbox: &Outbox,
    payment: &PaymentRow,
    customer: &CustomerRow,
    actor: &Actor,
) -> AppResult<Vec<NotificationRow>> {
    if payment.status != PaymentStatus::Completed {
        return Ok(Vec::new());
    }
    let mut notifications = outbox.notify(
        conn,
        Recipient::customer(payment.customer_id),
        NotificationKind::PaymentReceived,
        format!("Payment of ₹{} received", rupees(payment.amount_paise)),
        format!("Thank you. Payment {} by {} is recorded.", payment.payment_id, payment.method),
        Some(ids::encode(Kind::Payment, payment.id)),
    )?;
    notifications.extend(reactivate_if_cleared(conn, outbox, customer, actor)?);
    Ok(notifications)
}
