//! Companies as reference data: created, changed and deleted through [`crate::reference`].

use super::model::{CompanyChanges, CompanyRow, NewCompany};
use super::repo;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::Kind;
use crate::reference::ReferenceTable;

/// The `companies` table.
pub struct Companies;

impl ReferenceTable for Companies {
    const KIND: Kind = Kind::Company;
    type Row = CompanyRow;
    type New = NewCompany;
    type Changes = CompanyChanges;

    fn insert(conn: &mut DbConn, new: &NewCompany) -> AppResult<CompanyRow> {
        let row = repo::insert(conn, new)?;
        prefixes_free(conn, &row)?;
        Ok(row)
    }

    fn update(conn: &mut DbConn, id: i64, changes: &CompanyChanges) -> AppResult<CompanyRow> {
        let row = repo::update(conn, id, changes)?;
        prefixes_free(conn, &row)?;
        Ok(row)
    }

    fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
        repo::delete(conn, id)
    }

    fn id(row: &CompanyRow) -> i64 {
        row.id
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

/// Under financial-year numbering, no other company may have used the company's prefixes
/// (see [`crate::series::repo::ensure_prefix_free`]).
fn prefixes_free(conn: &mut DbConn, row: &CompanyRow) -> AppResult<()> {
    if row.invoice_numbering == crate::series::model::InvoiceNumbering::FinancialYear {
        crate::series::repo::ensure_prefix_free(conn, row.id, &row.invoice_prefix, "invoicePrefix")?;
        crate::series::repo::ensure_prefix_free(conn, row.id, &row.credit_note_prefix, "creditNotePrefix")?;
    }
    Ok(())
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
