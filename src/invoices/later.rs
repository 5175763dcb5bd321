//! What raising an invoice writes that nothing after it in its transaction reads back: its
//! audit entry and its frozen record. [`super::service::raise`] writes them at once; the
//! billing cycle keeps a batch's and writes each kind in one statement, and keeps the batch's
//! invoices themselves and their ledger rows too where it can ([`Deferred`]).

use super::deferred::Deferred;
use crate::audit;
use crate::db::DbConn;
use crate::documents::snapshot::Snapshot;
use crate::error::AppResult;

/// Audit entries and invoice records waiting to be written, in the order they were made (and
/// for a batch, its invoices).
#[derive(Default)]
pub struct Later {
    audit: Vec<audit::repo::Later>,
    /// `(company id, invoice id, record)`.
    records: Vec<(i64, i64, Snapshot)>,
    /// Invoices and ledger rows waiting too, for a batch that keeps them.
    deferred: Option<Deferred>,
}

impl Later {
    /// A batch's of about `batch` invoices: it keeps the invoices and their ledger rows too.
    pub fn deferring(batch: i64) -> Later {
        Later { deferred: Some(Deferred::new(batch)), ..Later::default() }
    }

    /// Where invoices may wait, if this keeps them.
    pub fn deferred(&mut self) -> Option<&mut Deferred> {
        self.deferred.as_mut()
    }

    pub fn audit(&mut self, entry: audit::repo::Later) {
        self.audit.push(entry);
    }

    pub fn record(&mut self, company_id: i64, invoice_id: i64, record: Snapshot) {
        self.records.push((company_id, invoice_id, record));
    }

    /// Writes what waits, within the transaction that made it, and empties it.
    pub fn write(&mut self, conn: &mut DbConn) -> AppResult<()> {
        if let Some(deferred) = self.deferred.as_mut() {
            deferred.flush(conn)?;
        }
        crate::documents::repo::insert_invoices(conn, &self.records)?;
        audit::repo::record_all(conn, &self.audit)?;
        self.records.clear();
        self.audit.clear();
        Ok(())
    }
}
