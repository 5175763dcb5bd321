//! Queries on `employees`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{ContactRow, EmployeeChanges, EmployeeFilter, EmployeeRow, NewEmployee};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::employees;
use crate::db::{like_pattern, lower, DbConn, MultiBackend};
use crate::error::{on_unique_violation, AppError, AppResult};
use crate::keyset_page;

fn filtered(filter: &EmployeeFilter) -> employees::BoxedQuery<'static, MultiBackend> {
    let mut query = employees::table.into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(employees::role.eq(role));
    }
    if let Some(active) = filter.is_active {
        query = query.filter(employees::is_active.eq(active));
    }
    if let Some(search) = &filter.search {
        let pattern = like_pattern(search);
        query = query.filter(
            lower(employees::username)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(employees::full_name).like(pattern).escape('\\')),
        );
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &EmployeeFilter, window: PageWindow) -> AppResult<Page<EmployeeRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), employees::id, window).select(EmployeeRow::columns()).load(conn)?;
    Ok(window.finish(rows, total))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<EmployeeRow>> {
    Ok(employees::table
        .filter(crate::db::fragments::id_in("employees.id", ids))
        .select(EmployeeRow::columns())
        .load(conn)?)
}

/// The [`ContactRow`]s of these staff members, in one statement.
pub fn contacts_by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<ContactRow>> {
    Ok(employees::table
        .filter(crate::db::fragments::id_in("employees.id", ids))
        .select(ContactRow::columns())
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<EmployeeRow> {
    employees::table
        .find(id)
        .select(EmployeeRow::columns())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("employee"))
}

pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(employees::table.count().get_result(conn)?)
}

/// Active admins other than `except`.
pub fn other_active_admins(conn: &mut DbConn, except: i64) -> AppResult<i64> {
    Ok(employees::table
        .filter(employees::role.eq(crate::auth::Role::Admin))
        .filter(employees::is_active.eq(true))
        .filter(employees::id.ne(except))
        .count()
        .get_result(conn)?)
}

pub fn insert(conn: &mut DbConn, new: &NewEmployee) -> AppResult<EmployeeRow> {
    diesel::insert_into(employees::table)
        .values(new)
        .returning(EmployeeRow::columns())
        .get_result(conn)
        .map_err(|e| on_unique_violation(e, || format!("the username \"{}\" is taken", new.username)))
}

pub fn update(conn: &mut DbConn, id: i64, changes: &EmployeeChanges) -> AppResult<EmployeeRow> {
    diesel::update(employees::table.find(id))
        .set(changes)
        .returning(EmployeeRow::columns())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("employee"))
}

pub fn set_password(conn: &mut DbConn, id: i64, password_hash: &str, now: NaiveDateTime) -> AppResult<()> {
    let n = diesel::update(employees::table.find(id))
        .set((
            employees::password_hash.eq(password_hash),
            employees::password_changed_at.eq(now),
            employees::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(AppError::not_found("employee"));
    }
    Ok(())
}

/// Ids of the active staff with one of `roles`.
pub fn active_with_roles(conn: &mut DbConn, roles: &[&str]) -> AppResult<Vec<i64>> {
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    Ok(employees::table
        .filter(employees::is_active.eq(true))
        .filter(employees::role.eq_any(roles))
        .select(employees::id)
        .order(employees::id.asc())
        .load(conn)?)
}

/// Whether `id` is an active staff member; `BAD_USER_INPUT` on `field` otherwise.
pub fn check_active(conn: &mut DbConn, id: i64, field: &str) -> AppResult<()> {
    let active: Option<bool> = employees::table.find(id).select(employees::is_active).first(conn).optional()?;
    if active != Some(true) {
        return Err(crate::error::AppError::bad_input(field, format!("`{field}` names no active employee")));
    }
    Ok(())
}
