//! Queries on `idempotency_keys`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::idempotency_keys;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    pub id: i64,
    pub caller: String,
    pub idempotency_key: String,
    pub operation: String,
    pub fingerprint: String,
    pub result_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct NewKey<'a> {
    pub caller: &'a str,
    pub idempotency_key: &'a str,
    pub operation: &'a str,
    pub fingerprint: &'a str,
    pub result_id: i64,
    pub created_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, caller: &str, key: &str) -> AppResult<Option<KeyRow>> {
    Ok(idempotency_keys::table
        .filter(idempotency_keys::caller.eq(caller))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConn, new: &NewKey<'_>) -> AppResult<()> {
    diesel::insert_into(idempotency_keys::table).values(new).execute(conn)?;
    Ok(())
}

/// Forgets keys made before `cutoff`.
pub fn purge(conn: &mut DbConn, cutoff: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff))).execute(conn)?)
}
