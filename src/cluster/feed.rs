//! Live events for the other servers on one PostgreSQL, written by the transaction that
//! caused them: a row per event in `cluster_events` (kind, row id, the server that published
//! it). Once it has committed, the server rings its doorbell ([`super::doorbell`]) and its
//! listener sends a `NOTIFY isp_events` (no payload) for what was committed since its last.
//! The listeners ([`super::listener`]) read the table from the last id they saw, so an event
//! committed while one was reconnecting is read when it is back.

use diesel::sql_types::{Array, BigInt, Text};
use diesel::RunQueryDsl;

use crate::db::DbConn;
use crate::error::AppResult;

/// How long events are kept (pruned by the `events-prune` job): how long a listener may be
/// away and still catch up.
pub const KEEP: std::time::Duration = std::time::Duration::from_secs(3600);

/// The channel the events are announced on.
pub const CHANNEL: &str = "isp_events";

/// One statement whatever the number of events: the rows in the order given.
const RECORD: &str = "INSERT INTO cluster_events (kind, row_id, origin) \
    SELECT e.kind, e.row_id, $3 FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS e(kind, row_id, n) \
    ORDER BY e.n";

/// Records `events` (kind and row id) of the caller's transaction for the other servers, as
/// published by `origin`. Nothing on SQLite, or when there is nothing to announce.
pub fn record(conn: &mut DbConn, origin: &str, events: &[(&'static str, i64)]) -> AppResult<()> {
    let DbConn::Pg(pg) = conn else { return Ok(()) };
    if events.is_empty() {
        return Ok(());
    }
    let kinds: Vec<&str> = events.iter().map(|(kind, _)| *kind).collect();
    let ids: Vec<i64> = events.iter().map(|(_, id)| *id).collect();
    diesel::sql_query(RECORD)
        .bind::<Array<Text>, _>(kinds)
        .bind::<Array<BigInt>, _>(ids)
        .bind::<Text, _>(origin)
        .execute(pg)?;
    super::doorbell::note_recorded();
    Ok(())
}

/// Deletes the events older than the listeners may need ([`KEEP`]).
pub fn prune(conn: &mut DbConn) -> AppResult<usize> {
    let DbConn::Pg(pg) = conn else { return Ok(0) };
    Ok(diesel::sql_query(
        "DELETE FROM cluster_events WHERE created_at < (now() AT TIME ZONE 'UTC') - make_interval(secs => $1)",
    )
    .bind::<diesel::sql_types::Double, _>(KEEP.as_secs_f64())
    .execute(pg)?)
}

/// Prunes the events every ten minutes (the job `events-prune`, on one server).
pub fn spawn_pruning(leases: &super::leases::Leases, db: crate::db::Db) {
    leases.spawn("events-prune", move || {
        let db = db.clone();
        async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                every.tick().await;
                if let Err(e) = db.write(prune).await {
                    tracing::warn!(error = %e.message(), "could not prune the cluster events; trying again later");
                }
            }
        }
    });
}
