//! Queries on the vault.

use diesel::prelude::*;

use super::model::{IdVaultRow, MaskedIdProof};
use crate::customers::model::IdProofType;
use crate::db::schema::{customers, id_proof_unvaulted, id_vault};
use crate::db::DbConn;
use crate::error::AppResult;

pub fn insert(conn: &mut DbConn, row: &IdVaultRow) -> AppResult<()> {
    diesel::insert_into(id_vault::table).values(row.clone()).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, token: &str) -> AppResult<Option<IdVaultRow>> {
    Ok(id_vault::table.find(token).first(conn).optional()?)
}

pub fn delete(conn: &mut DbConn, token: &str) -> AppResult<()> {
    diesel::delete(id_vault::table.find(token)).execute(conn)?;
    Ok(())
}

/// Customers' masked numbers, by customer row id.
pub fn masked_of_customers(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<MaskedIdProof>> {
    Ok(customers::table
        .inner_join(id_vault::table.on(customers::id_proof_token.eq(id_vault::token.nullable())))
        .filter(crate::db::fragments::id_in("customers.id", ids))
        .select((customers::id, id_vault::masked))
        .load(conn)?)
}

/// The key ids the vault's rows are sealed under.
pub fn key_ids(conn: &mut DbConn) -> AppResult<Vec<String>> {
    Ok(id_vault::table.select(id_vault::key_id).distinct().order(id_vault::key_id).load(conn)?)
}

/// Up to `limit` rows sealed under `key_id`.
pub fn sealed_under(conn: &mut DbConn, key_id: &str, limit: i64) -> AppResult<Vec<IdVaultRow>> {
    Ok(id_vault::table.filter(id_vault::key_id.eq(key_id)).order(id_vault::token).limit(limit).load(conn)?)
}

/// Replaces a row's sealed number and hashes (a key rotation).
pub fn reseal(conn: &mut DbConn, row: &IdVaultRow) -> AppResult<()> {
    diesel::update(id_vault::table.find(&row.token))
        .set((
            id_vault::nonce.eq(&row.nonce),
            id_vault::ciphertext.eq(&row.ciphertext),
            id_vault::key_id.eq(&row.key_id),
            id_vault::number_hash.eq(&row.number_hash),
            id_vault::last4_hash.eq(&row.last4_hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// Up to `limit` numbers still in clear from before the vault: (customer row id, number).
pub fn unvaulted(conn: &mut DbConn, limit: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(id_proof_unvaulted::table
        .select((id_proof_unvaulted::customer_id, id_proof_unvaulted::id_proof_no))
        .order(id_proof_unvaulted::customer_id)
        .limit(limit)
        .load(conn)?)
}

pub fn unvaulted_count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(id_proof_unvaulted::table.count().get_result(conn)?)
}

/// Keeps `number` in clear for customer `customer` until the vault takes it (or migration
/// 000033 is reverted).
pub fn insert_unvaulted(conn: &mut DbConn, customer: i64, number: &str) -> AppResult<()> {
    diesel::insert_into(id_proof_unvaulted::table)
        .values((id_proof_unvaulted::customer_id.eq(customer), id_proof_unvaulted::id_proof_no.eq(number)))
        .execute(conn)?;
    Ok(())
}

/// Up to `limit` customers with a number in the vault: (customer row id, token).
pub fn tokened_customers(conn: &mut DbConn, limit: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(customers::table
        .filter(customers::id_proof_token.is_not_null())
        .select((customers::id, customers::id_proof_token.assume_not_null()))
        .order(customers::id)
        .limit(limit)
        .load(conn)?)
}

/// Deletes the vault rows no customer names; returns how many.
pub fn delete_orphans(conn: &mut DbConn) -> AppResult<usize> {
    let named = customers::table
        .filter(customers::id_proof_token.is_not_null())
        .select(customers::id_proof_token.assume_not_null());
    Ok(diesel::delete(id_vault::table.filter(id_vault::token.ne_all(named))).execute(conn)?)
}

pub fn forget_unvaulted(conn: &mut DbConn, customer: i64) -> AppResult<()> {
    diesel::delete(id_proof_unvaulted::table.find(customer)).execute(conn)?;
    Ok(())
}

/// The customer's vault token, if any.
pub fn token_of(conn: &mut DbConn, customer: i64) -> AppResult<Option<String>> {
    Ok(customers::table
        .find(customer)
        .select(customers::id_proof_token)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

pub fn set_token(conn: &mut DbConn, customer: i64, token: Option<&str>) -> AppResult<()> {
    diesel::update(customers::table.find(customer)).set(customers::id_proof_token.eq(token)).execute(conn)?;
    Ok(())
}

/// The customer's document type (`None`: no such customer; `Some(None)`: no type).
pub fn id_proof_type_of(conn: &mut DbConn, customer: i64) -> AppResult<Option<Option<IdProofType>>> {
    Ok(customers::table.find(customer).select(customers::id_proof_type).first(conn).optional()?)
}
