//! Moving a customer's money, each inside the caller's write transaction with the customer
//! locked ([`lock_customer`]): payments onto invoices, advance onto a new invoice, refunds back
//! off them, and reactivation once the dues a customer was suspended for are paid.

use super::advances::Cause;
use super::{repo, rules};
use crate::audit::Actor;
use crate::customers::model::{CustomerRow, CustomerStatus};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::invoices::model::{InvoiceRow, InvoiceStatus};
use crate::invoices::rules::{balance, settled_status};
use crate::ledger::model::{Entry, TransactionType};
use crate::money::rupees;
use crate::notifications::model::{NotificationKind, NotificationRow, Recipient};
use crate::notifications::Outbox;
use crate::payments::model::PaymentRow;

/// Locks customer `id` until the transaction ends and returns it; `BAD_USER_INPUT` on `field`
/// when there is no such customer. Every change to a customer's money takes this lock first, so
/// concurrent payments, refunds and invoices of one customer run one after the other (SQLite's
/// `BEGIN IMMEDIATE` already admits one writer; PostgreSQL locks the row `FOR UPDATE`).
pub fn lock_customer(conn: &mut DbConn, id: i64, field: &str) -> AppResult<CustomerRow> {
    repo::lock_customer(conn, id)?
        .ok_or_else(|| AppError::bad_input(field, format!("`{field}` names no existing customer")))
}

/// The invoice `id` with its customer locked (read again after the lock).
pub fn invoice_locked(conn: &mut DbConn, id: i64) -> AppResult<InvoiceRow> {
    let customer = crate::invoices::repo::find(conn, id)?.customer_id;
    lock_customer(conn, customer, "customerId")?;
    crate::invoices::repo::find(conn, id)
}

/// Puts `amount` of payment `payment_id` on `invoice` (negative: takes it back), and updates
/// the invoice's paid amount, balance and status.
pub fn put_money(conn: &mut DbConn, invoice: &mut InvoiceRow, payment_id: i64, amount: i64) -> AppResult<()> {
    crate::payments::repo::add_allocation(conn, payment_id, invoice.id, amount)?;
    invoice.paid_paise += amount;
    invoice.balance_paise = balance(invoice.total_paise, invoice.paid_paise);
    let current = invoice.status;
    let status = settled_status(
        current,
        invoice.balance_paise,
        invoice.sent_at.is_some() || invoice.issued_at.is_some(),
        invoice.due_date,
        crate::clock::today(),
    );
    invoice.status = status;
    invoice.updated_at = crate::clock::now();
    crate::invoices::repo::set_money(conn, invoice)
}

/// Where a completing payment's money goes: the invoices that get some and what is left (the
/// customer's advance). Made before the payment is stored, so it is stored once, with its
/// allocated amount ([`Allocation::allocated`]); [`settle`] then moves the money.
#[derive(Debug)]
pub struct Allocation {
    open: Vec<InvoiceRow>,
    parts: Vec<(i64, i64)>,
    left: i64,
}

impl Allocation {
    /// What goes on invoices (the rest is advance).
    pub fn allocated(&self) -> i64 {
        self.parts.iter().map(|(_, amount)| amount).sum()
    }
}

/// Plans `amount` of customer `customer_id`'s payment onto the `invoice` it names, as read after
/// the customer's lock (nothing when it is cancelled), or, without one, onto the customer's open
/// invoices, oldest first ([`rules::allocate`]).
pub fn allocate(
    conn: &mut DbConn,
    customer_id: i64,
    invoice: Option<InvoiceRow>,
    amount: i64,
) -> AppResult<Allocation> {
    let open: Vec<InvoiceRow> = match invoice {
        Some(invoice) => Some(invoice).into_iter().filter(|i| i.status != InvoiceStatus::Cancelled).collect(),
        None => crate::invoices::repo::open_for_customer(conn, customer_id)?,
    };
    let owed: Vec<(i64, i64)> = open.iter().map(|i| (i.id, i.balance_paise)).collect();
    let (parts, left) = rules::allocate(amount, &owed);
    Ok(Allocation { open, parts, left })
}

/// Moves a completed payment's money as `allocation` planned (the payment is stored with its
/// allocated amount already): onto the invoices, the payment into the ledger, and what is on no
/// issued invoice under a receipt voucher. `customer` is the payment's, as locked.
pub fn settle(
    conn: &mut DbConn,
    payment: &PaymentRow,
    allocation: Allocation,
    customer: &CustomerRow,
    actor: &Actor,
) -> AppResult<()> {
    let Allocation { mut open, parts, left } = allocation;
    let mut on = Vec::new();
    // Whether all of the payment is on issued invoices (then it is no advance).
    let mut all_invoiced = left == 0;
    for (invoice_id, amount) in parts {
        let invoice = open.iter_mut().find(|i| i.id == invoice_id).expect("allocated to a listed invoice");
        all_invoiced &= invoice.issued_at.is_some();
        put_money(conn, invoice, payment.id, amount)?;
        on.push(format!("₹{} on {}", rupees(amount), invoice.invoice_number));
    }
    if left > 0 {
        on.push(format!("₹{} kept as advance", rupees(left)));
    }
    let mut entry = Entry::new(
        payment.customer_id,
        TransactionType::Payment,
        payment.amount_paise,
        -payment.amount_paise,
        format!("Payment {} by {}: {}", payment.payment_id, payment.method, on.join(", ")),
    );
    entry.payment_id = Some(payment.id);
    entry.invoice_id = payment.invoice_id;
    crate::ledger::repo::append(conn, entry, actor)?;
    // What is on no issued invoice is an advance: a receipt voucher for it (Rule 50). A payment
    // wholly on issued invoices leaves that money as it was, so the vouchers stay as the last
    // change that moved it left them (see `advances`): nothing to read or write.
    if all_invoiced {
        return Ok(());
    }
    super::advances::reconcile(conn, customer, Cause::Payment(payment.id))
}

/// Puts the customer's advance (money of completed payments on no invoice, oldest first) on a
/// new invoice, up to its balance, and notes it in the ledger.
pub fn apply_advance(conn: &mut DbConn, mut invoice: InvoiceRow, actor: &Actor) -> AppResult<InvoiceRow> {
    if invoice.balance_paise <= 0 || invoice.status == InvoiceStatus::Cancelled {
        return Ok(invoice);
    }
    let mut applied = 0;
    let mut sources = Vec::new();
    for mut payment in crate::payments::repo::with_advance(conn, invoice.customer_id)? {
        let take = payment.unallocated().min(invoice.balance_paise);
        if take <= 0 {
            break;
        }
        put_money(conn, &mut invoice, payment.id, take)?;
        payment.allocated_paise += take;
        payment.updated_at = crate::clock::now();
        crate::payments::repo::set_money(conn, &payment)?;
        applied += take;
        sources.push(payment.payment_id);
    }
    if applied > 0 {
        let mut entry = Entry::new(
            invoice.customer_id,
            TransactionType::AdvanceApplied,
            applied,
            0,
            format!("₹{} of advance ({}) applied to {}", rupees(applied), sources.join(", "), invoice.invoice_number),
        );
        entry.invoice_id = Some(invoice.id);
        crate::ledger::repo::append(conn, entry, actor)?;
        // Advance on an issued invoice is invoiced: its receipt vouchers are adjusted.
        let customer = crate::customers::repo::find(conn, invoice.customer_id)?;
        super::advances::reconcile(conn, &customer, Cause::Invoice(invoice.id, invoice.invoice_date))?;
    }
    Ok(invoice)
}

/// Takes `amount` of `payment` (of `customer`, locked) back for a refund ([`rules::take_back`]): first its money on no
/// invoice, then from the invoices it paid, newest first (they owe again and reopen). Stores the
/// payment's new allocated and refunded amounts; returns where the money came from, for the
/// ledger ("₹100.00 from INV…"), empty when all of it was advance.
pub fn take_back(
    conn: &mut DbConn,
    payment: &mut PaymentRow,
    customer: &CustomerRow,
    amount: i64,
) -> AppResult<Vec<String>> {
    let on_invoices = crate::payments::repo::on_invoices(conn, payment.id)?;
    let (_from_advance, takes) = rules::take_back(amount, payment.unallocated(), &on_invoices);
    let mut from = Vec::new();
    for (invoice_id, take) in takes {
        let mut invoice = crate::invoices::repo::find(conn, invoice_id)?;
        put_money(conn, &mut invoice, payment.id, -take)?;
        payment.allocated_paise -= take;
        from.push(format!("₹{} from {}", rupees(take), invoice.invoice_number));
    }
    payment.refunded_paise += amount;
    payment.updated_at = crate::clock::now();
    crate::payments::repo::set_money(conn, payment)?;
    // Advance refunded is adjusted off its receipt vouchers; money taken off invoices and
    // refunded changes none.
    super::advances::reconcile(conn, customer, Cause::Refund)?;
    Ok(from)
}

/// After a payment of `customer` (as locked): a customer the cycle suspended for dues, whose
/// dues no longer warrant it, is ACTIVE again in the same transaction (audited, and told).
pub fn reactivate_if_cleared(
    conn: &mut DbConn,
    outbox: &Outbox,
    customer: &CustomerRow,
    actor: &Actor,
) -> AppResult<Vec<NotificationRow>> {
    let customer_id = customer.id;
    if customer.status != CustomerStatus::Suspended || !customer.suspended_for_dues {
        return Ok(Vec::new());
    }
    if repo::has_suspendable_dues(conn, customer_id, crate::clock::today())? {
        return Ok(Vec::new());
    }
    repo::reactivate(conn, customer_id)?;
    let target = [ids::encode(Kind::Customer, customer_id)];
    crate::audit::repo::record(conn, actor, "reactivateCustomer", &target, Some("dues paid"))?;
    outbox.notify(
        conn,
        Recipient::customer(customer_id),
        NotificationKind::ServiceReactivated,
        "Your service is active again".to_owned(),
        format!("Dear {}, thank you for your payment: your service is active again.", customer.full_name),
        Some(target[0].clone()),
    )
}
