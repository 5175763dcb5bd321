//! Localities as reference data: created, changed and deleted through [`crate::reference`].

use super::model::{LocalityChanges, LocalityRow, NewLocality};
use super::repo;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::Kind;
use crate::reference::ReferenceTable;

/// The `localities` table.
pub struct Localities;

impl ReferenceTable for Localities {
    const KIND: Kind = Kind::Locality;
    type Row = LocalityRow;
    type New = NewLocality;
    type Changes = LocalityChanges;

    fn insert(conn: &mut DbConn, new: &NewLocality) -> AppResult<LocalityRow> {
        repo::insert(conn, new)
    }

    fn update(conn: &mut DbConn, id: i64, changes: &LocalityChanges) -> AppResult<LocalityRow> {
        repo::update(conn, id, changes)
    }

    fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
        repo::delete(conn, id)
    }

    fn id(row: &LocalityRow) -> i64 {
        row.id
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
