//! Companies as reference data: created, changed and deleted through [`crate::reference`].

use super::model::{CompanyChanges, CompanyRow, NewCompany};
use crate::db::DbConn;
use crate::error::AppResult;

crate::reference_table! {
    /// The `companies` table.
    pub struct Companies {
        kind: Company,
        repo: super::repo,
        row: CompanyRow,
        new: NewCompany,
        changes: CompanyChanges,
    }

    /// Under financial-year numbering, no other company may have used the company's prefixes
    /// (see [`crate::series::repo::ensure_prefix_free`]).
    fn check_written(conn: &mut DbConn, row: &CompanyRow) -> AppResult<()> {
        if row.invoice_numbering == crate::series::model::InvoiceNumbering::FinancialYear {
            crate::series::repo::ensure_prefix_free(conn, row.id, &row.invoice_prefix, "invoicePrefix")?;
            crate::series::repo::ensure_prefix_free(conn, row.id, &row.credit_note_prefix, "creditNotePrefix")?;
        }
        Ok(())
    }

    /// The GSTIN must belong to the company's state, whichever of the two changed; invoices and
    /// credit notes need prefixes of their own.
    fn check_changed(row: &CompanyRow, _changes: &CompanyChanges) -> AppResult<()> {
        if let Some(gstin) = &row.gstin {
            crate::validate::gstin_in_state("gstin", gstin, &row.state)?;
        }
        distinct_prefixes(&row.invoice_prefix, &row.credit_note_prefix)
    }

    fn change_details(row: &CompanyRow) -> Option<String> {
        Some(format!(
            "gstRate={} numbering={} prefixes={}/{}",
            crate::money::format_hundredths(row.gst_rate_bp.into()),
            row.invoice_numbering,
            row.invoice_prefix,
            row.credit_note_prefix
        ))
    }
}

/// `BAD_USER_INPUT` on `creditNotePrefix` when it equals the invoice prefix: an invoice and a
/// credit note must never share a number.
pub fn distinct_prefixes(invoice_prefix: &str, credit_note_prefix: &str) -> AppResult<()> {
    if invoice_prefix == credit_note_prefix {
        return Err(crate::error::AppError::bad_input(
            "creditNotePrefix",
            format!("`creditNotePrefix` must differ from `invoicePrefix` ({invoice_prefix})"),
        ));
    }
    Ok(())
}
