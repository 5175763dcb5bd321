//! Queries on `expenses`; each takes a connection so it can run inside a caller's transaction.

use diesel::prelude::*;

use super::model::{ExpenseChanges, ExpenseFilter, ExpenseRow, NewExpense};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::expenses;
use crate::db::{DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::keyset_page;

fn filtered(filter: &ExpenseFilter) -> expenses::BoxedQuery<'static, MultiBackend> {
    let mut query = expenses::table.into_boxed();
    if let Some(company_id) = filter.company_id {
        query = query.filter(expenses::company_id.eq(company_id));
    }
    if let Some(category) = filter.category {
        query = query.filter(expenses::category.eq(category));
    }
    if let Some(from) = filter.from {
        query = query.filter(expenses::expense_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(expenses::expense_date.le(to));
    }
    query
}

/// A page of expenses, oldest recorded first, with the total count and amount of all matches.
pub fn page(conn: &mut DbConn, filter: &ExpenseFilter, window: PageWindow) -> AppResult<Page<ExpenseRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), expenses::id, window).load::<ExpenseRow>(conn)?;
    Ok(window.finish(rows, total))
}

/// Row `id`, or `NOT_FOUND`.
pub fn find(conn: &mut DbConn, id: i64) -> AppResult<ExpenseRow> {
    expenses::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("expense"))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<ExpenseRow>> {
    Ok(expenses::table.filter(crate::db::fragments::id_in("expenses.id", ids)).load(conn)?)
}

pub fn insert(conn: &mut DbConn, new: &NewExpense) -> AppResult<ExpenseRow> {
    Ok(diesel::insert_into(expenses::table).values(new).returning(expenses::all_columns).get_result(conn)?)
}

pub fn update(conn: &mut DbConn, id: i64, changes: &ExpenseChanges) -> AppResult<ExpenseRow> {
    diesel::update(expenses::table.find(id))
        .set(changes)
        .returning(expenses::all_columns)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("expense"))
}

pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    if diesel::delete(expenses::table.find(id)).execute(conn)? == 0 {
        return Err(AppError::not_found("expense"));
    }
    Ok(())
}
