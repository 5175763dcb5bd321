//! Plans as reference data: created, changed and deleted through [`crate::reference`].

use super::model::{NewPlan, PlanChanges, PlanRow};
use super::repo;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::Kind;
use crate::reference::ReferenceTable;

/// The `plans` table.
pub struct Plans;

impl ReferenceTable for Plans {
    const KIND: Kind = Kind::Plan;
    type Row = PlanRow;
    type New = NewPlan;
    type Changes = PlanChanges;

    fn insert(conn: &mut DbConn, new: &NewPlan) -> AppResult<PlanRow> {
        repo::insert(conn, new)
    }

    fn update(conn: &mut DbConn, id: i64, changes: &PlanChanges) -> AppResult<PlanRow> {
        repo::update(conn, id, changes)
    }

    fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
        repo::delete(conn, id)
    }

    fn id(row: &PlanRow) -> i64 {
        row.id
    }

    fn check_new(conn: &mut DbConn, new: &NewPlan) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, Some(new.company_id))
    }

    fn check_changes(conn: &mut DbConn, changes: &PlanChanges) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, changes.company_id)
    }

    /// Existing customers keep their invoices; the log keeps the price and whether it is sold.
    fn change_details(row: &PlanRow) -> Option<String> {
        Some(format!("price={} active={}", crate::money::format_hundredths(row.price_paise), row.is_active))
    }
}
