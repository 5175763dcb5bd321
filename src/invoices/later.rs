//! What raising an invoice writes that nothing after it in its transaction reads back: its
//! audit entry and its frozen record. [`super::service::raise`] writes them at once; the
//! billing cycle keeps a batch's and writes each kind in one statement.

use crate::audit;
use crate::db::DbConn;
use crate::documents::snapshot::Snapshot;
use crate::error::AppResult;

/// Audit entries and invoice records waiting to be written, in the order they were made.
#[derive(Default)]
pub struct Later {
    audit: Vec<audit::repo::Later>,
    /// `(company id, invoice id, record)`.
    records: Vec<(i64, i64, Snapshot)>,
}

impl Later {
    pub fn audit(&mut self, entry: audit::repo::Later) {
        self.audit.push(entry);
    }

    pub fn record(&mut self, company_id: i64, invoice_id: i64, record: Snapshot) {
        self.records.push((company_id, invoice_id, record));
    }

    /// Writes what waits, within the transaction that made it, and empties it.
    pub fn write(&mut self, conn: &mut DbConn) -> AppResult<()> {
        crate::documents::repo::insert_invoices(conn, &self.records)?;
        audit::repo::record_all(conn, &self.audit)?;
        self.records.clear();
        self.audit.clear();
        Ok(())
    }
}
