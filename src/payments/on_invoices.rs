//! The newest invoices of some customers together with the payments on each, in one statement
//! (the profile's `invoices { payments allocations }`).
//!
//! A payment is on an invoice when it names the invoice (pending and failed ones too) or put
//! money on it through an allocation (a payment spread over open invoices names none of them).
//! Each invoice comes once per such payment and allocation of that payment on it. Each
//! customer's newest invoices are read backwards along `(customer_id, id)`, no more than asked
//! for ([`NewestPerCustomer::push_from`]). On PostgreSQL each invoice's payments are a `LATERAL`
//! `UNION ALL` of the payments naming it and those with an allocation on it that name another
//! invoice or none (the first such allocation only): nothing ranked, sorted or de-duplicated
//! per invoice. SQLite (no `LATERAL`) joins the payments whose id is in the two lists (a
//! correlated `IN`, answered by row id). Together a third of the statement's time at a page of
//! 100 customers on PostgreSQL, two fifths on SQLite (`docs/BENCHMARKS.md`). Every read is by an
//! index; the text does not depend on the data, so the statement stays prepared. A brief
//! twin reads only the columns a page of customers shows, without the allocations.

use diesel::expression::Expression;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{NullableExpressionMethods, QueryResult, RunQueryDsl};

use super::model::{AllocationRow, PaymentBrief, PaymentRow};
use crate::db::fragments::{newest_invoices, NewestPerCustomer};
use crate::db::schema::{invoices, payment_allocations, payments};
use crate::db::{DbConn, MultiBackend};
use crate::error::AppResult;
use crate::invoices::model::{InvoiceBrief, InvoiceRow, InvoiceStatus};

/// An invoice, one payment on it (`None`: it has none) and that payment's allocation on it
/// (`None`: the payment names the invoice and put no money on it).
pub type InvoicePayment = (InvoiceRow, Option<PaymentRow>, Option<AllocationRow>);

/// [`InvoicePayment`] in brief: the columns a page of customers shows, no allocations.
pub type BriefInvoicePayment = (InvoiceBrief, Option<PaymentBrief>);

/// The newest `first` invoices of each of `customers` (of one `status`, or all), each with the
/// payments on it ([`InvoicePayment`]). In no particular order. One statement.
pub fn newest_with_payments(
    conn: &mut DbConn,
    customers: &[i64],
    status: Option<InvoiceStatus>,
    first: i64,
) -> AppResult<Vec<InvoicePayment>> {
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let query = InvoicesWithPayments {
        newest: newest_invoices(customers, status.map(InvoiceStatus::as_str), first),
        columns: (invoices::all_columns, payments::all_columns.nullable(), payment_allocations::all_columns.nullable()),
        allocations: true,
    };
    Ok(query.load::<InvoicePayment>(conn)?)
}

/// [`newest_with_payments`] in brief ([`BriefInvoicePayment`]): each invoice once per payment
/// on it, with neither allocations nor the columns a page does not show. One statement.
pub fn newest_with_payments_brief(
    conn: &mut DbConn,
    customers: &[i64],
    status: Option<InvoiceStatus>,
    first: i64,
) -> AppResult<Vec<BriefInvoicePayment>> {
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let query = InvoicesWithPayments {
        newest: newest_invoices(customers, status.map(InvoiceStatus::as_str), first),
        columns: (InvoiceBrief::columns(), PaymentBrief::columns().nullable()),
        allocations: false,
    };
    Ok(query.load::<BriefInvoicePayment>(conn)?)
}

/// The statement of [`newest_with_payments`] and its brief twin: `columns` of `invoices`,
/// `payments` and (when `allocations`) `payment_allocations`, the last two nullable.
struct InvoicesWithPayments<C> {
    newest: NewestPerCustomer,
    columns: C,
    allocations: bool,
}

impl<C: Expression> Query for InvoicesWithPayments<C> {
    type SqlType = C::SqlType;
}

impl<C> QueryId for InvoicesWithPayments<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C> RunQueryDsl<DbConn> for InvoicesWithPayments<C> {}

/// The payments that name `invoices.id` or have an allocation on it: both by an index (SQLite,
/// in `IN`, which keeps each id once: a `UNION` there sorted each invoice's ids in a temporary
/// B-tree).
const PAYMENT_IDS: &str = "SELECT named.id FROM payments AS named WHERE named.invoice_id = invoices.id \
     UNION ALL SELECT allocated.payment_id FROM payment_allocations AS allocated \
     WHERE allocated.invoice_id = invoices.id";

/// The payments on `invoices.id`, whole rows, each once (PostgreSQL, in a `LATERAL`): those
/// naming it, then those with an allocation on it that name another invoice or none, by their
/// first allocation on it. Every read by an index, nothing sorted.
const PAYMENTS_PG: &str = "SELECT payments.* FROM payments WHERE payments.invoice_id = invoices.id \
     UNION ALL SELECT payments.* FROM payment_allocations AS allocated \
     JOIN payments ON payments.id = allocated.payment_id \
     WHERE allocated.invoice_id = invoices.id AND payments.invoice_id IS DISTINCT FROM invoices.id \
     AND NOT EXISTS (SELECT 1 FROM payment_allocations AS earlier WHERE earlier.invoice_id = invoices.id \
     AND earlier.payment_id = allocated.payment_id AND earlier.id < allocated.id)";

impl<C: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for InvoicesWithPayments<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        self.columns.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        self.newest.push_from(&mut out, "*", "invoices")?;
        if matches!(out.backend(), MultiBackend::Sqlite(_)) {
            out.push_sql(" LEFT JOIN payments ON payments.id IN (");
            out.push_sql(PAYMENT_IDS);
            out.push_sql(")");
        } else {
            out.push_sql(" LEFT JOIN LATERAL (");
            out.push_sql(PAYMENTS_PG);
            out.push_sql(") AS payments ON TRUE");
        }
        if self.allocations {
            out.push_sql(
                " LEFT JOIN payment_allocations ON payment_allocations.payment_id = payments.id \
                 AND payment_allocations.invoice_id = invoices.id",
            );
        }
        Ok(())
    }
}
