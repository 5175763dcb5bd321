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
        repo::insert(conn, new)
    }

    fn update(conn: &mut DbConn, id: i64, changes: &CompanyChanges) -> AppResult<CompanyRow> {
        repo::update(conn, id, changes)
    }

    fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
        repo::delete(conn, id)
    }

    fn id(row: &CompanyRow) -> i64 {
        row.id
    }

    /// The GSTIN must belong to the company's state, whichever of the two changed.
    fn check_changed(row: &CompanyRow, _changes: &CompanyChanges) -> AppResult<()> {
        match &row.gstin {
            Some(gstin) => crate::validate::gstin_in_state("gstin", gstin, &row.state),
            None => Ok(()),
        }
    }

    fn change_details(row: &CompanyRow) -> Option<String> {
        Some(format!("gstRate={}", crate::money::format_hundredths(row.gst_rate_bp.into())))
    }
}
