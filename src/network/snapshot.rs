//! The logins FreeRADIUS asks about, in memory: `/radius/authorize` answers from here without
//! touching the database, so it stays fast and keeps answering while the database is slow.
//!
//! It is kept current by what write transactions announce after they commit
//! (`crate::db::changes`: a customer's status or plan, their login, a plan's speed, a company's
//! settings; on PostgreSQL other servers' commits too, through the cluster listener), read
//! again from the database by one task ([`spawn`]); a full read every [`FULL_READ_EVERY`] is
//! the safety net.
//!
//! Each login row carries the status the network was last told about (`told_status`). The
//! same task hands on every login whose status differs from it ([`StatusChange`]), and the NAS
//! requests the change calls for are queued in the transaction that moves `told_status` on,
//! only if it still held the old value ([`super::disconnects`]). A change another server
//! committed is read to answer FreeRADIUS but left to that server to tell
//! (`Changed::Elsewhere`); the full read tells whatever is left untold, whoever committed it.
//! So a status change reaches the NAS by whatever path, on whichever server, it was made; with
//! several servers exactly one of them queues its requests; and a change committed while no
//! server was running, or before its requests were queued, is found by the next start's first
//! read (or another server's full read).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;

use super::repo::{self, LoginRow};
use super::rules::{self, Login};
use super::service::PASSWORD_CONTEXT;
use crate::db::changes::Changed;
use crate::db::Db;
use crate::error::AppResult;
use crate::secrets::{Secret, SecretsKey};

/// How often everything is read again whatever was announced.
pub const FULL_READ_EVERY: Duration = Duration::from_secs(60);

/// One customer's login as the network sees it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub customer_id: i64,
    pub username: String,
    /// `None` when the password does not open (no `ISP_SECRETS_KEY`, or another key).
    pub password: Option<Secret>,
    pub login: Login,
}

#[derive(Default)]
struct State {
    /// By lower-cased username.
    by_name: HashMap<String, Arc<Entry>>,
    /// Customer row id → lower-cased username.
    name_of: HashMap<i64, String>,
    /// Whether the first full read is done.
    ready: bool,
}

/// The logins in memory (cheap to clone).
#[derive(Clone, Default)]
pub struct Snapshot {
    state: Arc<RwLock<State>>,
}

/// A login whose status is not the one the network was last told about: what the NAS may
/// need to hear.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub customer_id: i64,
    /// What the network was told (`None`: nothing yet, so nothing to tell now either).
    pub told: Option<crate::customers::model::CustomerStatus>,
    pub entry: Arc<Entry>,
}

impl Snapshot {
    /// The login `username` (ignoring case); `None` when nobody has it. `Err` until the first
    /// read is done.
    pub fn get(&self, username: &str) -> Result<Option<Arc<Entry>>, NotReady> {
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        if !state.ready {
            return Err(NotReady);
        }
        Ok(state.by_name.get(&username.to_lowercase()).cloned())
    }

    /// The login of customer `id`.
    pub fn of_customer(&self, id: i64) -> Option<Arc<Entry>> {
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        state.name_of.get(&id).and_then(|name| state.by_name.get(name)).cloned()
    }

    /// Puts `rows` in (replacing everything when `ids` is `None`, else the customers in `ids`)
    /// and returns the logins whose status is not the one the network was told.
    fn apply(&self, rows: Vec<LoginRow>, ids: Option<&[i64]>, key: Option<&SecretsKey>) -> Vec<StatusChange> {
        let mut changes = Vec::new();
        let entries: Vec<Arc<Entry>> = rows
            .into_iter()
            .map(|r| {
                let told = r.told_status;
                let e = Arc::new(entry(r, key));
                if told != Some(e.login.status) {
                    changes.push(StatusChange { customer_id: e.customer_id, told, entry: Arc::clone(&e) });
                }
                e
            })
            .collect();
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        match ids {
            None => {
                state.name_of.clear();
                state.by_name.clear();
            }
            Some(ids) => {
                for id in ids {
                    if let Some(name) = state.name_of.remove(id) {
                        state.by_name.remove(&name);
                    }
                }
            }
        }
        for e in entries {
            let name = e.username.to_lowercase();
            state.name_of.insert(e.customer_id, name.clone());
            state.by_name.insert(name, e);
        }
        state.ready = true;
        changes
    }
}

/// The snapshot is not filled yet (the server just started).
#[derive(Debug)]
pub struct NotReady;

fn entry(mut row: LoginRow, key: Option<&SecretsKey>) -> Entry {
    let password = key.and_then(|k| k.open(&row.password_sealed, PASSWORD_CONTEXT));
    let username = std::mem::take(&mut row.username);
    Entry { customer_id: row.customer_id, username, password, login: login_of(row) }
}

/// What the network needs to know of `row`'s login (no password).
pub fn login_of(row: LoginRow) -> Login {
    Login {
        status: row.status,
        static_ip: row.static_ip,
        rate: row.upload_kbps.zip(row.download_kbps),
        rate_attribute: row.rate_attribute,
        suspended: row.suspended,
        walled_pool: row.walled_pool,
    }
}

/// Reads `ids` (or everything) into the snapshot; the logins whose status the network was not
/// told.
pub async fn refresh(
    db: &Db,
    snapshot: &Snapshot,
    key: Option<&SecretsKey>,
    ids: Option<Vec<i64>>,
) -> AppResult<Vec<StatusChange>> {
    let wanted = ids.clone();
    let rows = db.read(move |conn| repo::logins(conn, wanted.as_deref())).await?;
    Ok(snapshot.apply(rows, ids.as_deref(), key))
}

/// Starts the task that keeps `snapshot` current and hands status changes to `on_change`
/// (which queues the NAS requests). The first full read is done before this returns; its
/// changes (committed while no server told them) go to `on_change` first.
pub async fn spawn(
    db: Db,
    snapshot: Snapshot,
    key: Option<SecretsKey>,
    on_change: impl Fn(Vec<StatusChange>) + Send + 'static,
) -> AppResult<()> {
    // Subscribed before the first read: nothing committed after it is missed.
    let mut changes = db.network_changes();
    let untold = refresh(&db, &snapshot, key.as_ref(), None).await?;
    if !untold.is_empty() {
        on_change(untold);
    }
    tokio::spawn(async move {
        let mut full = tokio::time::interval(FULL_READ_EVERY);
        full.tick().await;
        loop {
            // (what to read, whether to tell what changed)
            let (ids, tell) = tokio::select! {
                received = changes.recv() => match received {
                    Ok(Changed::Customers(ids)) => (Some(ids), true),
                    Ok(Changed::Elsewhere(ids)) => (Some(ids), false),
                    Ok(Changed::All) | Err(RecvError::Lagged(_)) => (None, true),
                    Err(RecvError::Closed) => return,
                },
                _ = full.tick() => (None, true),
            };
            match refresh(&db, &snapshot, key.as_ref(), ids).await {
                Ok(changed) if !changed.is_empty() && tell => on_change(changed),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e.message(), "reading network logins failed; trying again shortly");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    // Read everything next time round: the announced change may be in it.
                    match refresh(&db, &snapshot, key.as_ref(), None).await {
                        Ok(changed) if !changed.is_empty() => on_change(changed),
                        _ => {}
                    }
                }
            }
        }
    });
    Ok(())
}

/// What authorize answers for `entry`, through [`rules::answer`].
pub fn answer(entry: &Entry) -> rules::Answer {
    rules::answer(&entry.login)
}
