//! Expenses are written through [`crate::reference`]: checked, written and audited
//! (`createExpense`, `updateExpense`, `deleteExpense`) in the caller's transaction.

use super::model::{ExpenseChanges, ExpenseRow, NewExpense};
use super::repo;
use crate::db::DbConn;
use crate::error::AppResult;

crate::reference_table! {
    /// The `expenses` table.
    pub struct Expenses {
        kind: Expense,
        repo: super::repo,
        row: ExpenseRow,
        new: NewExpense,
        changes: ExpenseChanges,
    }

    fn check_new(conn: &mut DbConn, new: &NewExpense) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, Some(new.company_id))
    }

    fn check_changes(conn: &mut DbConn, changes: &ExpenseChanges) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, changes.company_id)
    }

    /// The audit entry keeps what was spent, so a deleted or changed expense can be traced.
    fn change_details(row: &ExpenseRow) -> Option<String> {
        Some(format!(
            "category={} amount={} date={}",
            row.category,
            crate::money::format_hundredths(row.amount_paise),
            row.expense_date
        ))
    }

    fn delete_details(conn: &mut DbConn, id: i64) -> AppResult<Option<String>> {
        Ok(repo::by_ids(conn, &[id])?.first().and_then(Self::change_details))
    }
}
