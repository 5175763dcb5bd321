//! `ISP_SECRETS_KEY` checked against the database at start. The first start with a key stores
//! a value sealed under it (table `secrets_check`); every later start must open that value, so
//! a server given another key stops instead of sealing new secrets the right key cannot open.
//!
//! A database that already holds gateway secrets but no check value (made before this check
//! existed) gets its check value only from a key that opens at least one of those secrets.
//! Without a key the server starts (nothing is sealed or opened then) but says in the log what
//! will not work.

use diesel::prelude::*;

use crate::db::schema::{payment_gateways, secrets_check};
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::gateways::service::SECRET_CONTEXT;
use crate::ids::{self, Kind};
use crate::secrets::SecretsKey;

/// What the check value is sealed for (bound into it, so no other sealed value passes for it).
pub const CHECK_CONTEXT: &str = "secrets_check";
/// What the check value holds.
const CHECK_TEXT: &str = "isp-billing ISP_SECRETS_KEY check";

/// What the check found.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The key opens the stored check value.
    Matches,
    /// A first start with a key: the check value is now stored. `unopened` are the gateways
    /// (global IDs) whose secrets the key does not open, of `gateways` with a secret.
    Stored { gateways: usize, unopened: Vec<String> },
    /// The stored check value does not open under the key.
    WrongKey,
    /// No check value yet, and the key opens none of the gateways' secrets.
    OpensNone { gateways: usize },
    /// No key: whether a check value is stored, and how many gateways have a sealed secret.
    NoKey { checked: bool, gateways: usize },
}

/// Checks `key` against the database (storing the check value on a first start with a key).
pub fn check(conn: &mut DbConn, key: Option<&SecretsKey>) -> AppResult<Outcome> {
    // Two servers starting at once on a new database: one stores, the other checks it.
    crate::db::lock_key(conn, "secrets-check")?;
    let stored: Option<String> = secrets_check::table.select(secrets_check::sealed).first(conn).optional()?;
    let Some(key) = key else {
        return Ok(Outcome::NoKey { checked: stored.is_some(), gateways: sealed_gateways(conn)?.len() });
    };
    if let Some(sealed) = stored {
        let opens = key.open(&sealed, CHECK_CONTEXT).is_some_and(|s| s.expose() == CHECK_TEXT);
        return Ok(if opens { Outcome::Matches } else { Outcome::WrongKey });
    }
    let gateways = sealed_gateways(conn)?;
    let unopened: Vec<String> = gateways
        .iter()
        .filter(|(_, sealed)| key.open(sealed, SECRET_CONTEXT).is_none())
        .map(|(id, _)| ids::encode(Kind::PaymentGateway, *id))
        .collect();
    if !gateways.is_empty() && unopened.len() == gateways.len() {
        return Ok(Outcome::OpensNone { gateways: gateways.len() });
    }
    diesel::insert_into(secrets_check::table)
        .values((
            secrets_check::id.eq(1_i64),
            secrets_check::sealed.eq(key.seal(CHECK_TEXT, CHECK_CONTEXT)),
            secrets_check::created_at.eq(crate::clock::now()),
        ))
        .execute(conn)?;
    Ok(Outcome::Stored { gateways: gateways.len(), unopened })
}

/// (id, sealed secret) of every gateway whose secret is sealed (in the sealed format).
fn sealed_gateways(conn: &mut DbConn) -> AppResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String)> = payment_gateways::table
        .select((payment_gateways::id, payment_gateways::webhook_secret_sealed))
        .order(payment_gateways::id)
        .load(conn)?;
    Ok(rows.into_iter().filter(|(_, sealed)| crate::secrets::is_sealed(sealed)).collect())
}

const LOST_KEY: &str = "If that key is lost, the secrets sealed under it are lost with it: README \
                        \"Payment gateways\" (ISP_SECRETS_KEY) says how to start over with a new key.";

/// Runs [`check`] at start: `Err` (the server must not start) with what to do when the key is
/// not this database's; warnings in the log for what works only with the key.
pub async fn verify(db: &Db, key: Option<&SecretsKey>) -> anyhow::Result<()> {
    let key = key.cloned();
    let outcome = db
        .write(move |conn| check(conn, key.as_ref()))
        .await
        .map_err(|e| anyhow::Error::from(e).context("checking ISP_SECRETS_KEY against the database"))?;
    match outcome {
        Outcome::Matches => {}
        Outcome::Stored { gateways, unopened } => {
            tracing::info!("ISP_SECRETS_KEY recorded for this database: later starts must use the same key");
            if !unopened.is_empty() {
                tracing::warn!(
                    gateways = ?unopened,
                    "ISP_SECRETS_KEY opens {} of the {gateways} stored gateway secrets; these gateways' \
                     webhooks are refused until their webhookSecret is set again (updatePaymentGateway)",
                    gateways - unopened.len()
                );
            }
        }
        Outcome::WrongKey => anyhow::bail!(
            "ISP_SECRETS_KEY is not the key this database's secrets are sealed under (the check value \
             stored when the server first started with a key does not open with it). Start the server \
             with the ISP_SECRETS_KEY it used before; with another key it would refuse every gateway's \
             webhooks and seal new secrets the right key cannot open. {LOST_KEY}"
        ),
        Outcome::OpensNone { gateways } => anyhow::bail!(
            "ISP_SECRETS_KEY opens none of the {gateways} gateway webhook secrets stored in this database: \
             they were sealed under another key. Start the server with the ISP_SECRETS_KEY they were \
             sealed under (it is then recorded and checked at every start). {LOST_KEY}"
        ),
        Outcome::NoKey { checked, gateways } => {
            if checked || gateways > 0 {
                tracing::warn!(
                    gateways,
                    "ISP_SECRETS_KEY is not set, but this database holds secrets sealed under a key: \
                     gateway webhooks are refused and no gateway secret can be set until the server is \
                     started with that key"
                );
            }
        }
    }
    Ok(())
}
