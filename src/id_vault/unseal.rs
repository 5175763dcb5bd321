//! Taking every number out of the vault again (`isp-billing unseal-id-numbers`), the first step
//! of reverting migration 000033: the numbers go back, in clear, to the table the migration
//! left them in (`id_proof_unvaulted`), whose `down.sql` puts them back on the customers. Only
//! the server holds the key, so only the server can do this; SQL cannot.

use super::key::IdVault;
use super::repo;
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};

/// Rows handled per transaction: a run stopped half way leaves every customer either still
/// sealed or already unsealed, never without their number, and running it again goes on.
const BATCH: i64 = 200;

/// What a run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Unsealed {
    /// Customers whose number went back in clear to `id_proof_unvaulted`.
    pub numbers: usize,
    /// Vault rows no customer names (none in normal use), deleted.
    pub orphans: usize,
}

/// Unseals up to [`BATCH`] customers' numbers in one transaction; returns how many.
pub fn unseal_batch(conn: &mut DbConn, vault: &IdVault) -> AppResult<usize> {
    let batch = repo::tokened_customers(conn, BATCH)?;
    for (customer, token) in &batch {
        // As the form shows it (an Aadhaar number in groups of four), as it was kept before.
        let number = super::service::open(conn, vault, *customer)?
            .ok_or_else(|| AppError::Internal(format!("customer {customer}'s vault row {token} is missing")))?;
        repo::forget_unvaulted(conn, *customer)?;
        repo::insert_unvaulted(conn, *customer, number.expose())?;
        repo::set_token(conn, *customer, None)?;
        repo::delete(conn, token)?;
    }
    Ok(batch.len())
}

/// Takes every number out of the vault (see the module's text); refuses, changing nothing,
/// when the vault holds a number under a key not given.
pub async fn unseal_all(db: &Db, vault: &IdVault) -> AppResult<Unsealed> {
    let given = vault.clone();
    let unknown = db.read(move |conn| super::service::unknown_keys(conn, &given)).await?;
    if !unknown.is_empty() {
        return Err(AppError::Conflict(format!(
            "the vault holds numbers sealed under key ids {}, which this command was not given: set \
             ISP_ID_VAULT_KEY (and ISP_ID_VAULT_OLD_KEYS) as the server has them; nothing was changed",
            unknown.join(", ")
        )));
    }
    let mut done = Unsealed::default();
    loop {
        let given = vault.clone();
        let n = db.write(move |conn| unseal_batch(conn, &given)).await?;
        done.numbers += n;
        if n == 0 {
            break;
        }
    }
    done.orphans = db.write(repo::delete_orphans).await?;
    Ok(done)
}
