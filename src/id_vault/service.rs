//! Putting numbers into the vault and taking them out: sealing a new number, revealing one
//! (audited), moving numbers from before the vault into it, key rotation and the start-up check.

use super::key::{IdVault, IdVaultKey};
use super::model::IdVaultRow;
use super::{repo, rules};
use crate::audit::Actor;
use crate::customers::model::IdProofType;
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::secrets::Secret;

/// Rows handled per transaction by the start-up jobs.
const BATCH: i64 = 200;

const NO_KEY: &str = "this server has no ISP_ID_VAULT_KEY, so it cannot keep an identity document number \
                      encrypted: set ISP_ID_VAULT_KEY and restart (README \"Identity documents\")";

/// The vault row for `normalised` (the number in its kept form, of document type `kind`),
/// sealed under the current key; refused on `field` when the server has no key.
pub fn seal(vault: &IdVault, kind: IdProofType, normalised: &str, field: &str) -> AppResult<IdVaultRow> {
    let key = vault.current.as_ref().ok_or_else(|| AppError::bad_input(field, NO_KEY))?;
    Ok(sealed(key, kind, normalised))
}

/// The vault row for `normalised` sealed under `key`, with a new random token.
pub fn sealed(key: &IdVaultKey, kind: IdProofType, normalised: &str) -> IdVaultRow {
    let token = format!("idv_{}", crate::hex::encode(&rand::random::<[u8; 16]>()));
    let (nonce, ciphertext) = key.seal(normalised, &token);
    IdVaultRow {
        number_hash: key.hash("number", normalised),
        last4_hash: key.hash("last4", &rules::last_four(normalised)),
        masked: rules::mask(kind, normalised),
        key_id: key.id().to_owned(),
        token,
        nonce,
        ciphertext,
        created_at: crate::clock::now(),
    }
}

/// The hashes a lookup by `number` compares (`number_hash` for a whole number, `last4_hash` for
/// four characters); refused on `field` without a key or for an empty number.
pub fn lookup_hashes(vault: &IdVault, number: &str, field: &str) -> AppResult<Vec<String>> {
    let key = vault.current.as_ref().ok_or_else(|| AppError::bad_input(field, NO_KEY))?;
    let compact: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>().to_uppercase();
    if compact.is_empty() || compact.len() > 40 {
        return Err(AppError::bad_input(field, "give a whole identity document number or its last four characters"));
    }
    Ok(if compact.chars().count() == 4 {
        // Two hashes either way: the statement's text stays the same (it stays prepared).
        let last4 = key.hash("last4", &compact);
        vec![last4.clone(), last4]
    } else {
        let spaced = number.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
        vec![key.hash("number", &compact), key.hash("number", &spaced)]
    })
}

/// Gives customer `customer` the number in `row` (`None`: none), removing the one they had.
pub fn replace(conn: &mut DbConn, customer: i64, row: Option<&IdVaultRow>) -> AppResult<()> {
    let old = repo::token_of(conn, customer)?;
    if let Some(row) = row {
        repo::insert(conn, row)?;
    }
    repo::set_token(conn, customer, row.map(|r| r.token.as_str()))?;
    if let Some(old) = old {
        repo::delete(conn, &old)?;
    }
    Ok(())
}

/// The number of customer `customer` in clear, as the form shows it (`None`: they have none).
pub fn open(conn: &mut DbConn, vault: &IdVault, customer: i64) -> AppResult<Option<Secret>> {
    let Some(token) = repo::token_of(conn, customer)? else { return Ok(None) };
    let row = repo::find(conn, &token)?.ok_or_else(|| AppError::Internal(format!("vault row {token} is missing")))?;
    let key = vault.key(&row.key_id).ok_or_else(|| {
        AppError::Conflict(format!(
            "the identity number cannot be opened: {}",
            if vault.current.is_none() { NO_KEY } else { "it is sealed under a key this server was not given" }
        ))
    })?;
    let plain = key
        .open(&row.nonce, &row.ciphertext, &row.token)
        .ok_or_else(|| AppError::Internal(format!("vault row {token} does not open under its key")))?;
    let kind = repo::id_proof_type_of(conn, customer)?.flatten().unwrap_or(IdProofType::Other);
    Ok(Some(Secret::new(rules::display(kind, plain.expose()))))
}

/// [`open`] for staff who must see the number (an inspection, a KYC query): recorded in the
/// audit log with who, when and `reason`, never with the number. A reason holding 12 digits in
/// a row (spaces and dashes aside: an Aadhaar number, perhaps this one) is refused on `reason`:
/// the audit log cannot be changed, so a number typed there would stay in clear for good.
pub fn reveal(
    conn: &mut DbConn,
    vault: &IdVault,
    customer: i64,
    reason: &str,
    actor: &Actor,
) -> AppResult<Option<Secret>> {
    if rules::holds_aadhaar_like(reason) {
        return Err(AppError::bad_input(
            "reason",
            "`reason` must not hold an identity number (12 digits in a row): it is kept in the audit log, which \
             cannot be changed; name the request instead (a case or letter reference)",
        ));
    }
    let number = open(conn, vault, customer)?;
    let details = format!("reason: {reason}{}", if number.is_none() { " (no number on file)" } else { "" });
    crate::audit::repo::record(conn, actor, "revealIdProof", &[ids::encode(Kind::Customer, customer)], Some(&details))?;
    Ok(number)
}

/// Moves up to [`BATCH`] numbers left in clear by the migration into the vault; returns how
/// many. A number that does not pass today's checks is kept as it was typed (capitals, single
/// spaces), so nothing on file is lost.
pub fn backfill(conn: &mut DbConn, key: &IdVaultKey) -> AppResult<usize> {
    let waiting = repo::unvaulted(conn, BATCH)?;
    for (customer, number) in &waiting {
        if let Some(kind) = repo::id_proof_type_of(conn, *customer)? {
            let kind = kind.unwrap_or(IdProofType::Other);
            let kept = rules::normalise(kind, number)
                .unwrap_or_else(|_| number.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase());
            replace(conn, *customer, Some(&sealed(key, kind, &kept)))?;
        }
        repo::forget_unvaulted(conn, *customer)?;
    }
    Ok(waiting.len())
}

/// Seals up to [`BATCH`] rows sealed under an old key again under the current one (new nonce,
/// new hashes); returns how many.
pub fn rotate(conn: &mut DbConn, vault: &IdVault) -> AppResult<usize> {
    let Some(current) = &vault.current else { return Ok(0) };
    let mut done = 0;
    for old in vault.old.iter().filter(|k| k.id() != current.id()) {
        for row in repo::sealed_under(conn, old.id(), BATCH)? {
            let plain = old
                .open(&row.nonce, &row.ciphertext, &row.token)
                .ok_or_else(|| AppError::Internal(format!("vault row {} does not open under its key", row.token)))?;
            let (nonce, ciphertext) = current.seal(plain.expose(), &row.token);
            let resealed = IdVaultRow {
                nonce,
                ciphertext,
                key_id: current.id().to_owned(),
                number_hash: current.hash("number", plain.expose()),
                last4_hash: current.hash("last4", &rules::last_four(plain.expose())),
                ..row
            };
            repo::reseal(conn, &resealed)?;
            done += 1;
        }
    }
    Ok(done)
}

/// What the start-up check found wrong, if anything: the key ids of vault rows no key given
/// to the server opens.
pub fn unknown_keys(conn: &mut DbConn, vault: &IdVault) -> AppResult<Vec<String>> {
    Ok(repo::key_ids(conn)?.into_iter().filter(|id| vault.key(id).is_none()).collect())
}

/// At start: the vault's rows must open under the keys given (else `Err`: the server does not
/// start); numbers left in clear by the migration are sealed; rows under old keys are sealed
/// again under the current one; then, when either changed something, SQLite's write-ahead
/// log is checkpointed and truncated ([`Db::checkpoint_wal`]).
pub async fn verify(db: &Db, vault: &IdVault) -> anyhow::Result<()> {
    let given = vault.clone();
    let (unknown, waiting) = db
        .read(move |conn| Ok((unknown_keys(conn, &given)?, repo::unvaulted_count(conn)?)))
        .await
        .map_err(|e| anyhow::Error::from(e).context("checking ISP_ID_VAULT_KEY against the database"))?;
    let Some(current) = vault.current.clone() else {
        if waiting > 0 {
            anyhow::bail!(
                "{waiting} customers' identity document numbers are waiting to be moved into the encrypted \
                 vault, and ISP_ID_VAULT_KEY is not set. Set ISP_ID_VAULT_KEY (a new key: `openssl rand -hex \
                 32`; keep it safe, without it the numbers cannot be read) and start again (README \"Identity \
                 documents\")."
            );
        }
        if !unknown.is_empty() {
            tracing::warn!(
                "ISP_ID_VAULT_KEY is not set, but this database's vault holds identity numbers: they are shown \
                 masked, and cannot be revealed or newly stored until the server is started with the key"
            );
        }
        return Ok(());
    };
    if !unknown.is_empty() {
        anyhow::bail!(
            "ISP_ID_VAULT_KEY is not the key this database's identity document numbers are sealed under (key id \
             {} given; the vault holds numbers under {}). Start the server with the ISP_ID_VAULT_KEY it used \
             before; to change keys, give the new one as ISP_ID_VAULT_KEY and the old one in \
             ISP_ID_VAULT_OLD_KEYS (README \"Identity documents\"). If the old key is lost, the numbers \
             sealed under it are lost with it.",
            current.id(),
            unknown.join(", ")
        );
    }
    let mut moved = 0;
    loop {
        let key = current.clone();
        let n = db
            .write(move |conn| backfill(conn, &key))
            .await
            .map_err(|e| anyhow::Error::from(e).context("moving identity document numbers into the vault"))?;
        moved += n;
        if n == 0 {
            break;
        }
    }
    if moved > 0 {
        tracing::info!(moved, "moved identity document numbers from before the vault into it");
    }
    let mut resealed = 0;
    loop {
        let given = vault.clone();
        let n = db
            .write(move |conn| rotate(conn, &given))
            .await
            .map_err(|e| anyhow::Error::from(e).context("sealing identity numbers under the new key"))?;
        resealed += n;
        if n == 0 {
            break;
        }
    }
    if resealed > 0 {
        tracing::info!(
            resealed,
            "sealed identity document numbers again under ISP_ID_VAULT_KEY; ISP_ID_VAULT_OLD_KEYS can go"
        );
    }
    if moved + resealed > 0 {
        // The numbers in clear (and the old sealed forms) are zeroed in the database file
        // (`secure_delete`); the write-ahead log's copies of those pages go now.
        db.checkpoint_wal("moving identity numbers into the vault").await;
    }
    Ok(())
}
