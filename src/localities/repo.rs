//! Queries on `localities`; each takes a connection so it can run inside a caller's transaction.

use diesel::prelude::*;

use super::model::{LocalityChanges, LocalityFilter, LocalityRow, NewLocality};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::localities;
use crate::db::{like_pattern, lower, DbConn, MultiBackend};
use crate::error::{on_unique_violation, AppError, AppResult};
use crate::keyset_page;

fn filtered(filter: &LocalityFilter) -> localities::BoxedQuery<'static, MultiBackend> {
    let mut query = localities::table.into_boxed();
    if let Some(company_id) = filter.company_id {
        query = query.filter(localities::company_id.eq(company_id));
    }
    if let Some(search) = &filter.search {
        let pattern = like_pattern(search);
        query = query.filter(
            lower(localities::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(localities::city).like(pattern.clone()).escape('\\'))
                .or(localities::pincode.like(pattern).escape('\\')),
        );
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &LocalityFilter, window: PageWindow) -> AppResult<Page<LocalityRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), localities::id, window).load::<LocalityRow>(conn)?;
    Ok(window.finish(rows, total))
}

/// Row `id`, or `NOT_FOUND`.
pub fn find(conn: &mut DbConn, id: i64) -> AppResult<LocalityRow> {
    localities::table.find(id).first(conn).optional()?.ok_or_else(|| AppError::not_found("locality"))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<LocalityRow>> {
    Ok(localities::table.filter(crate::db::fragments::id_in("localities.id", ids)).load(conn)?)
}

fn duplicate(name: &str) -> impl FnOnce() -> String + '_ {
    move || format!("this company already has a locality named \"{name}\" in that city")
}

pub fn insert(conn: &mut DbConn, new: &NewLocality) -> AppResult<LocalityRow> {
    diesel::insert_into(localities::table)
        .values(new)
        .returning(localities::all_columns)
        .get_result(conn)
        .map_err(|e| on_unique_violation(e, duplicate(&new.name)))
}

pub fn update(conn: &mut DbConn, id: i64, changes: &LocalityChanges) -> AppResult<LocalityRow> {
    diesel::update(localities::table.find(id))
        .set(changes)
        .returning(localities::all_columns)
        .get_result(conn)
        .optional()
        .map_err(|e| on_unique_violation(e, duplicate(changes.name.as_deref().unwrap_or("that name"))))?
        .ok_or_else(|| AppError::not_found("locality"))
}

pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    crate::referrers::refuse_if_referenced(
        conn,
        "this locality",
        crate::referrers::OF_LOCALITY,
        id,
        "move its customers and requests to another locality first",
    )?;
    let deleted = diesel::delete(localities::table.find(id)).execute(conn).map_err(|e| {
        crate::error::on_foreign_key_violation(e, || "this locality is in use; move its customers first".to_owned())
    })?;
    if deleted == 0 {
        return Err(AppError::not_found("locality"));
    }
    Ok(())
}
