//! Localities as reference data: created, changed and deleted through [`crate::reference`].

use super::model::{LocalityChanges, LocalityRow, NewLocality};
use crate::db::DbConn;
use crate::error::AppResult;

crate::reference_table! {
    /// The `localities` table.
    pub struct Localities {
        kind: Locality,
        repo: super::repo,
        row: LocalityRow,
        new: NewLocality,
        changes: LocalityChanges,
    }

    fn check_new(conn: &mut DbConn, new: &NewLocality) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, Some(new.company_id))
    }

    fn check_changes(conn: &mut DbConn, changes: &LocalityChanges) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, changes.company_id)
    }

    /// The PIN code and the state as they are after the change must agree.
    fn check_changed(row: &LocalityRow, changes: &LocalityChanges) -> AppResult<()> {
        let field = if changes.pincode.is_some() { "pincode" } else { "state" };
        crate::validate::pincode_in_state(field, &row.pincode, &row.state)
    }
}
