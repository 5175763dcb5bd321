//! Expenses are written through [`crate::reference`]: checked, written and audited
//! (`createExpense`, `updateExpense`, `deleteExpense`) in the caller's transaction.

use super::model::{ExpenseChanges, ExpenseRow, NewExpense};
use super::repo;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::Kind;
use crate::reference::ReferenceTable;

/// The `expenses` table.
pub struct Expenses;

impl ReferenceTable for Expenses {
    const KIND: Kind = Kind::Expense;
    type Row = ExpenseRow;
    type New = NewExpense;
    type Changes = ExpenseChanges;

    fn insert(conn: &mut DbConn, new: &NewExpense) -> AppResult<ExpenseRow> {
        repo::insert(conn, new)
    }

    fn update(conn: &mut DbConn, id: i64, changes: &ExpenseChanges) -> AppResult<ExpenseRow> {
        repo::update(conn, id, changes)
    }

    fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
        repo::delete(conn, id)
    }

    fn id(row: &ExpenseRow) -> i64 {
        row.id
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
