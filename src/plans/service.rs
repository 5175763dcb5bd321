//! Plans as reference data: created, changed and deleted through [`crate::reference`].

use super::model::{NewPlan, PlanChanges, PlanRow};
use crate::db::DbConn;
use crate::error::AppResult;

crate::reference_table! {
    /// The `plans` table.
    pub struct Plans {
        kind: Plan,
        repo: super::repo,
        row: PlanRow,
        new: NewPlan,
        changes: PlanChanges,
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
