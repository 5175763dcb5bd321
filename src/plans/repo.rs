//! Queries on `plans`; each takes a connection so it can run inside a caller's transaction.

use diesel::prelude::*;

use super::model::{NewPlan, PlanBrief, PlanChanges, PlanFilter, PlanRow};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::plans;
use crate::db::{DbConn, MultiBackend};
use crate::error::{on_foreign_key_violation, on_unique_violation, AppError, AppResult};
use crate::keyset_page;

fn filtered(filter: &PlanFilter) -> plans::BoxedQuery<'static, MultiBackend> {
    let mut query = plans::table.into_boxed();
    if let Some(service_type) = filter.service_type {
        query = query.filter(plans::service_type.eq(service_type));
    }
    if let Some(company_id) = filter.company_id {
        query = query.filter(plans::company_id.eq(company_id));
    }
    if let Some(is_active) = filter.is_active {
        query = query.filter(plans::is_active.eq(is_active));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &PlanFilter, window: PageWindow) -> AppResult<Page<PlanRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), plans::id, window).load::<PlanRow>(conn)?;
    Ok(window.finish(rows, total))
}

/// Row `id`, or `NOT_FOUND`.
pub fn find(conn: &mut DbConn, id: i64) -> AppResult<PlanRow> {
    plans::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("plan"))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<PlanRow>> {
    Ok(plans::table.filter(crate::db::fragments::id_in("plans.id", ids)).load(conn)?)
}

/// The [`PlanBrief`] rows of these plans, in one statement.
pub fn briefs_by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<PlanBrief>> {
    Ok(plans::table.filter(crate::db::fragments::id_in("plans.id", ids)).select(PlanBrief::columns()).load(conn)?)
}

fn duplicate(name: &str) -> impl FnOnce() -> String + '_ {
    move || format!("this company already has a plan named \"{name}\"")
}

pub fn insert(conn: &mut DbConn, new: &NewPlan) -> AppResult<PlanRow> {
    diesel::insert_into(plans::table)
        .values(new)
        .returning(plans::all_columns)
        .get_result(conn)
        .map_err(|e| on_unique_violation(e, duplicate(&new.name)))
}

pub fn update(conn: &mut DbConn, id: i64, changes: &PlanChanges) -> AppResult<PlanRow> {
    diesel::update(plans::table.find(id))
        .set(changes)
        .returning(plans::all_columns)
        .get_result(conn)
        .optional()
        .map_err(|e| on_unique_violation(e, duplicate(changes.name.as_deref().unwrap_or("that name"))))?
        .ok_or_else(|| AppError::not_found("plan"))
}

pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    crate::referrers::refuse_if_referenced(
        conn,
        "this plan",
        crate::referrers::OF_PLAN,
        id,
        "deactivate it instead (isActive: false)",
    )?;
    let deleted = diesel::delete(plans::table.find(id)).execute(conn).map_err(|e| {
        on_foreign_key_violation(e, || "this plan is in use; deactivate it instead (isActive: false)".to_owned())
    })?;
    if deleted == 0 {
        return Err(AppError::not_found("plan"));
    }
    Ok(())
}

/// How many customers on plan `id` (but those terminated) have a `periodMonths` that is not a
/// multiple of `step`, and one of their customer numbers; `None` when every period fits.
pub fn customers_whose_period_misfits(conn: &mut DbConn, id: i64, step: i32) -> AppResult<Option<(i64, String)>> {
    use crate::customers::model::CustomerStatus;
    use crate::db::schema::customers;
    if step <= 1 {
        return Ok(None);
    }
    let periods: Vec<(String, i32)> = customers::table
        .filter(customers::plan_id.eq(id))
        .filter(customers::status.ne(CustomerStatus::Terminated))
        .select((customers::customer_id, customers::period_months))
        .load(conn)?;
    let mut misfits = periods.into_iter().filter(|(_, months)| months % step != 0);
    Ok(misfits.next().map(|(example, _)| (1 + misfits.count() as i64, example)))
}
