//! Rows of the vault.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::id_vault;

/// A row of `id_vault`: one identity document number, encrypted, with the keyed hashes it is
/// found by and the masked form staff see. `customers.id_proof_token` refers to `token`.
#[derive(Clone, Queryable, Insertable)]
#[diesel(table_name = id_vault)]
pub struct IdVaultRow {
    /// Random and opaque: names the row, and is bound into the ciphertext.
    pub token: String,
    pub nonce: String,
    pub ciphertext: String,
    /// Which key sealed it (`IdVaultKey::id`).
    pub key_id: String,
    /// HMAC of the number in its kept form (`rules::normalise`), for an exact lookup.
    pub number_hash: String,
    /// HMAC of its last four characters, for a lookup by them.
    pub last4_hash: String,
    /// What staff see: `XXXX XXXX 1234`.
    pub masked: String,
    pub created_at: NaiveDateTime,
}

// Nothing of a number in the logs, even sealed.
impl std::fmt::Debug for IdVaultRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdVaultRow({}, key {})", self.token, self.key_id)
    }
}

/// The masked number of one customer (`id` is the customer's row id), for the batched lookup.
#[derive(Debug, Clone, Queryable)]
pub struct MaskedIdProof {
    pub id: i64,
    pub masked: String,
}
