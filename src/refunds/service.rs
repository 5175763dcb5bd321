//! Refunding a payment inside the caller's write transaction.

use diesel::prelude::*;

use super::model::{NewRefund, RefundRow};
use crate::audit::Actor;
use crate::db::schema::refunds;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::ledger::model::{Entry, TransactionType};
use crate::money::rupees;
use crate::payments::model::PaymentStatus;
use crate::payments::repo as payments;
use crate::settlement::service::{lock_customer, take_back};

/// `createRefund`: pays back `amount` (all that is left of the payment when `None`) of a
/// completed payment. The invoices it takes money back from owe again and reopen; the ledger
/// records it with the approving staff member.
pub fn refund(
    conn: &mut DbConn,
    payment_id: i64,
    amount: Option<i64>,
    reason: &str,
    actor: &Actor,
) -> AppResult<RefundRow> {
    let customer = payments::find(conn, payment_id)
        .map_err(|_| AppError::bad_input("paymentId", "`paymentId` names no existing payment"))?
        .customer_id;
    let customer = lock_customer(conn, customer, "paymentId")?;
    let mut payment = payments::find(conn, payment_id)?;
    if payment.status != PaymentStatus::Completed {
        return Err(AppError::bad_input(
            "paymentId",
            format!("payment {} is {}: only COMPLETED payments can be refunded", payment.payment_id, payment.status),
        ));
    }
    let refundable = payment.amount_paise - payment.refunded_paise;
    if refundable <= 0 {
        return Err(AppError::Conflict(format!("payment {} is already fully refunded", payment.payment_id)));
    }
    let amount = amount.unwrap_or(refundable);
    if amount <= 0 {
        return Err(AppError::bad_input("amount", "`amount` must be more than zero"));
    }
    if amount > refundable {
        return Err(AppError::bad_input(
            "amount",
            format!("at most ₹{} of payment {} can be refunded", rupees(refundable), payment.payment_id),
        ));
    }
    let from = take_back(conn, &mut payment, &customer, amount)?;

    let mut new = NewRefund {
        refund_id: String::new(),
        payment_id: payment.id,
        customer_id: payment.customer_id,
        amount_paise: amount,
        reason: reason.to_owned(),
        approved_by: actor.employee_id(),
        created_at: crate::clock::now(),
    };
    let row: RefundRow = crate::numbers::insert_with_fresh_number(conn, "RFD", 12, "refund_id", |c, number| {
        new.refund_id = number;
        diesel::insert_into(refunds::table).values(&new).returning(refunds::all_columns).get_result(c)
    })?;
    let source = if from.is_empty() { "from advance".to_owned() } else { from.join(", ") };
    let mut entry = Entry::new(
        payment.customer_id,
        TransactionType::Refund,
        amount,
        amount,
        // Not the reason: the ledger cannot change, and the reason (free text, perhaps personal)
        // is the refund's, which a customer's erasure blanks.
        format!("Refund {} of payment {} approved by {} ({source})", row.refund_id, payment.payment_id, actor.name),
    );
    entry.payment_id = Some(payment.id);
    entry.refund_id = Some(row.id);
    entry.invoice_id = payment.invoice_id;
    crate::ledger::repo::append(conn, entry, actor)?;
    let details = format!("{} ₹{} of {}", row.refund_id, rupees(amount), payment.payment_id);
    let targets = [ids::encode(Kind::Refund, row.id), ids::encode(Kind::Payment, payment.id)];
    crate::audit::repo::record(conn, actor, "createRefund", &targets, Some(&details))?;
    Ok(row)
}
