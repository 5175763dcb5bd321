//! Invoices, with their ledger rows, inserted at the end of a batch: the billing cycle raises a
//! batch's renewal invoices into a [`Deferred`] and inserts them in a few multi-row statements,
//! not two statements each (a round trip each on PostgreSQL; a statement to build, bind and run
//! each on SQLite).
//!
//! An invoice waits only when nothing else in the batch refers to it before the end: no
//! add-ons or plan changes put on it (they name it), no advance applied to it (which updates
//! it), its number from a financial-year series (a timestamp number is tried in a savepoint
//! against the numbers stored) and its customer's running balance known
//! ([`crate::ledger::repo::with_balances_known`]). Any other is inserted at once, after those
//! waiting. Every invoice of the batch takes its id from the batch's [`NewIds`], so ids follow
//! the order the invoices were raised in, as they would if each were inserted at once.

use diesel::prelude::*;

use super::model::{InvoiceRow, NewInvoice, NewInvoiceAs};
use crate::audit::Actor;
use crate::companies::model::CompanyRow;
use crate::db::schema::invoices;
use crate::db::{DbConn, NewIds};
use crate::error::{AppError, AppResult};
use crate::ledger::model::{Entry, NewTransaction};
use crate::series::model::InvoiceNumbering;

/// An invoice raised in a batch: the batch's [`Deferred`], and whether the invoice may wait in
/// it (the caller puts no add-ons or plan changes on it).
pub struct InBatch<'a> {
    pub deferred: &'a mut Deferred,
    pub may_wait: bool,
}

/// Invoices and ledger rows raised, waiting for [`Deferred::flush`].
pub struct Deferred {
    invoice_ids: NewIds,
    ledger_ids: NewIds,
    invoices: Vec<NewInvoiceAs>,
    ledger: Vec<NewTransaction>,
}

impl Deferred {
    /// For about `batch` invoices (their ids are taken that many at a time).
    pub fn new(batch: i64) -> Deferred {
        Deferred {
            invoice_ids: NewIds::new("invoices", batch),
            ledger_ids: NewIds::new("transactions", batch),
            invoices: Vec::new(),
            ledger: Vec::new(),
        }
    }

    /// Whether invoice `new` of `company` may wait (see the module's doc); add-ons, plan
    /// changes and advance are the caller's to rule out.
    pub fn takes(&self, company: &CompanyRow, new: &NewInvoice) -> bool {
        new.issued_at.is_some()
            && company.invoice_numbering == InvoiceNumbering::FinancialYear
            && crate::ledger::repo::knows_balance(new.customer_id)
    }

    /// Numbers `new` in its series, gives it its id and keeps it with its ledger row (`entry`,
    /// made from the row); returns the row as it will be stored. Only for what [`Self::takes`].
    pub fn issue(
        &mut self,
        conn: &mut DbConn,
        company: &CompanyRow,
        mut new: NewInvoice,
        entry: impl FnOnce(&InvoiceRow) -> Entry,
        actor: &Actor,
    ) -> AppResult<InvoiceRow> {
        if !super::repo::number_in_series(conn, company, &mut new)? {
            return Err(AppError::Internal(format!("company {} numbers no series to wait in", company.id)));
        }
        let id = self.invoice_ids.next(conn)?;
        let row = new.clone().into_row(id);
        let ledger = crate::ledger::repo::append_later(entry(&row), actor)?;
        self.invoices.push(NewInvoiceAs { id, new });
        self.ledger.push(ledger);
        Ok(row)
    }

    /// Inserts invoice `new` now, numbered, under the batch's next id, after what waits.
    pub fn insert_now(&mut self, conn: &mut DbConn, company: &CompanyRow, new: NewInvoice) -> AppResult<InvoiceRow> {
        self.flush(conn)?;
        let id = self.invoice_ids.next(conn)?;
        super::repo::insert_numbered(conn, company, new, crate::clock::local_now(), Some(id))
    }

    /// Inserts what waits: the invoices, then their ledger rows (a ledger row appended after
    /// this follows them).
    pub fn flush(&mut self, conn: &mut DbConn) -> AppResult<()> {
        if self.invoices.is_empty() {
            return Ok(());
        }
        // 27 values a row: within both databases' limits on a statement's values.
        for chunk in self.invoices.chunks(500) {
            let insert = diesel::insert_into(invoices::table).values(chunk);
            match conn {
                DbConn::Pg(c) => insert.execute(c)?,
                DbConn::Sqlite(c) => insert.execute(c)?,
            };
        }
        self.invoices.clear();
        crate::ledger::repo::insert_numbered_rows(conn, &mut self.ledger_ids, &mut self.ledger)
    }
}
