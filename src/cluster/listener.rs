//! Each server's listener for the events other servers on the same PostgreSQL committed
//! ([`super::feed`]): a thread with a connection of its own that `LISTEN`s on
//! [`super::feed::CHANNEL`], reads `cluster_events` from the last id it saw when woken (and every
//! [`HEARTBEAT`] without), loads the rows afresh and hands them to the server's subscribers
//! through its [`PeerFeed`] (its own server's events were delivered when they committed). On
//! the same connection it announces its own server's events to the others: a `NOTIFY` when
//! the server's [`Doorbell`] was rung (see [`super::doorbell`]).
//!
//! When the connection is lost it connects again (waiting up to [`MAX_BACKOFF`] between tries)
//! and reads on from where it was, so no event committed meanwhile is lost. Away longer than
//! the events are kept ([`KEEP`], less a margin), or more than [`MAX_BEHIND`] events behind, it
//! cannot catch up: every subscriber is told `LAGGED` ([`Event::Missed`]) and it goes on from
//! the newest event.
//!
//! Network changes (kinds `NetworkCustomer`, `NetworkAll`: `crate::db::changes`) go to the
//! server's network snapshot instead, which reads those customers again itself.
//!
//! Ids come from a sequence, so a transaction can commit an id lower than one already read.
//! The listener keeps the ids it has delivered and only moves its starting point past rows it
//! first read more than [`SETTLE`] ago (the events are written just before the commit). Each
//! read asks for what is newer than the newest id delivered and for the ids below it not seen
//! yet (the gaps), not for every row after the starting point again: on a busy system the rows
//! of the last [`SETTLE`] are thousands, and reading them all every [`POLL`] took a fifth of
//! PostgreSQL's time on a renewal day.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};

use super::doorbell::{Doorbell, GAP};
use super::feed::KEEP;
use crate::db::changes::{self, Changed};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events::{kinds, Event, PeerFeed};

/// How often the connection is looked at for notifications (they are read without waiting).
const POLL: Duration = Duration::from_millis(50);

/// The table is read this often even without a notification: a connection that died quietly
/// is noticed, and a notification that never came delays nothing longer.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// A row first read this long ago is settled: every transaction that wrote a lower id has
/// committed or never will.
const SETTLE: Duration = Duration::from_secs(10);

/// More ids than this missing below the newest read (transactions rolled back, or still open):
/// every row after the starting point is read again instead of asking for each.
const MAX_GAPS: usize = 1_000;

/// The longest wait between two tries to connect.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Rows read per statement.
const PAGE: i64 = 500;

/// More events than this to catch up on: subscribers are told `LAGGED` instead (they refetch).
pub const MAX_BEHIND: usize = 5_000;

/// The rows after `$1`, and those of the ids listed in `$2` (the gaps below it). Two reads of
/// the primary key merged: written with `OR`, PostgreSQL walks the whole index from its start.
const READ: &str = "SELECT id, kind, row_id, origin FROM (\
    (SELECT id, kind, row_id, origin FROM cluster_events WHERE id > $1 ORDER BY id LIMIT $3) \
    UNION ALL \
    SELECT id, kind, row_id, origin FROM cluster_events WHERE id = ANY(string_to_array($2, ',')::bigint[])\
    ) e ORDER BY id LIMIT $3";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = BigInt)]
    row_id: i64,
    #[diesel(sql_type = Text)]
    origin: String,
}

#[derive(QueryableByName)]
struct Newest {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Where the listener is: every id up to `cursor` is handled, and so are those in `seen`, each
/// with when it was first read.
#[derive(Debug, Default)]
struct Position {
    cursor: i64,
    seen: BTreeMap<i64, Instant>,
}

impl Position {
    fn at(cursor: i64) -> Position {
        Position { cursor, seen: BTreeMap::new() }
    }

    /// Where the next read starts and the ids below it to ask for again: the newest id handled
    /// and the gaps under it, or the starting point and none when the gaps are too many.
    fn next_read(&self) -> (i64, Vec<i64>) {
        let mut gaps = Vec::new();
        let mut expected = self.cursor + 1;
        for &id in self.seen.keys() {
            if id - expected > (MAX_GAPS - gaps.len()) as i64 {
                return (self.cursor, Vec::new());
            }
            gaps.extend(expected..id);
            expected = id + 1;
        }
        (expected - 1, gaps)
    }

    /// Notes `ids` as read at `now`, and moves the starting point past every id first read
    /// [`SETTLE`] before `now`; a gap below it is given up (its transaction rolled back).
    fn read(&mut self, ids: impl IntoIterator<Item = i64>, now: Instant) {
        for id in ids {
            self.seen.entry(id).or_insert(now);
        }
        let settled = self.seen.iter().filter(|(_, at)| now.duration_since(**at) >= SETTLE).map(|(id, _)| *id).max();
        if let Some(settled) = settled {
            self.cursor = self.cursor.max(settled);
        }
        let cursor = self.cursor;
        self.seen.retain(|id, _| *id > cursor);
    }
}

/// Starts the listener for the database at `url`, which also answers `doorbell`; it ends when
/// the server's event hub does.
pub fn spawn(url: String, feed: PeerFeed, doorbell: Doorbell) {
    let started = std::thread::Builder::new().name("isp-events".into()).spawn(move || run(&url, &feed, &doorbell));
    if let Err(e) = started {
        tracing::error!(error = %e, "cannot start the listener for other servers' events");
    }
}

fn run(url: &str, feed: &PeerFeed, doorbell: &Doorbell) {
    let mut position: Option<Position> = None;
    let mut conn: Option<DbConn> = None;
    let mut backoff = Duration::from_millis(100);
    let mut last_read = Instant::now();
    let mut outage: Option<Instant> = None;
    let mut next_read = Instant::now();
    // When to look for notifications next, and whether the doorbell rang unanswered.
    let mut next_look = Instant::now();
    let mut rung = false;
    while feed.alive() {
        let Some(c) = conn.as_mut() else {
            match listen(url) {
                Ok(fresh) => {
                    conn = Some(fresh);
                    backoff = Duration::from_millis(100);
                    next_read = Instant::now();
                    if let Some(since) = outage.take() {
                        tracing::info!(
                            away_ms = since.elapsed().as_millis() as u64,
                            "events listener connected again; catching up"
                        );
                    }
                    if position.as_ref().is_some_and(|_| last_read.elapsed() + Duration::from_secs(300) > KEEP) {
                        tracing::warn!("events listener was away too long to catch up; subscribers are told LAGGED");
                        feed.missed();
                        position = None;
                    }
                }
                Err(e) => {
                    if outage.is_none() {
                        tracing::warn!(error = %e.message(), "events listener cannot connect; retrying");
                        outage = Some(Instant::now());
                    }
                    pause(feed, backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            continue;
        };
        let step = (|| -> AppResult<()> {
            if position.is_none() {
                position = Some(Position::at(newest(c)?));
            }
            if rung {
                announce(c)?;
                rung = false;
            }
            if Instant::now() < next_look {
                return Ok(());
            }
            next_look = Instant::now() + POLL;
            if notified(c)? || Instant::now() >= next_read {
                let here = position.as_mut().expect("set above");
                read_new(c, here, feed)?;
                last_read = Instant::now();
                next_read = last_read + HEARTBEAT;
            }
            Ok(())
        })();
        if let Err(e) = step {
            tracing::warn!(error = %e.message(), "events listener lost its connection; connecting again");
            outage = Some(Instant::now());
            conn = None;
            continue;
        }
        // At most one NOTIFY per GAP: the rings meanwhile are answered together.
        std::thread::sleep(GAP);
        rung |= doorbell.wait(next_look.saturating_duration_since(Instant::now()));
    }
}

/// Sleeps `total`, in short steps so that a stopped server is noticed.
fn pause(feed: &PeerFeed, total: Duration) {
    let until = Instant::now() + total;
    while feed.alive() && Instant::now() < until {
        std::thread::sleep(POLL.max(Duration::from_millis(100)).min(until - Instant::now()));
    }
}

/// A connection of its own, listening. Its `NOTIFY`s commit without waiting for the WAL's
/// flush: a notification lost to a crash costs the others a wait for their next read, and
/// their events are in the table either way.
fn listen(url: &str) -> AppResult<DbConn> {
    use diesel::connection::SimpleConnection;
    let mut pg =
        super::dedicated_connection(url, "isp-billing events").map_err(|e| AppError::Internal(format!("{e:#}")))?;
    pg.batch_execute(&format!("SET synchronous_commit = off; LISTEN {}", super::feed::CHANNEL))?;
    Ok(DbConn::Pg(pg))
}

/// Tells the other servers (and this one's own listening, which finds only its own rows) that
/// events were committed.
fn announce(conn: &mut DbConn) -> AppResult<()> {
    diesel::sql_query(format!("NOTIFY {}", super::feed::CHANNEL)).execute(conn)?;
    Ok(())
}

/// Whether notifications came (all are taken: one read handles them together); `Err` when the
/// connection is gone.
fn notified(conn: &mut DbConn) -> AppResult<bool> {
    let DbConn::Pg(pg) = conn else { return Ok(false) };
    let mut any = false;
    for notification in pg.notifications_iter() {
        notification?;
        any = true;
    }
    Ok(any)
}

/// The newest event id (0 when none): where a listener that cannot catch up starts.
fn newest(conn: &mut DbConn) -> AppResult<i64> {
    let row: Newest = diesel::sql_query("SELECT coalesce(max(id), 0) AS id FROM cluster_events").get_result(conn)?;
    Ok(row.id)
}

/// Reads the events after `here`, delivers other servers' to the subscribers (rows loaded
/// afresh) and moves `here` on. Nothing moves when a statement fails: the next read does it.
fn read_new(conn: &mut DbConn, here: &mut Position, feed: &PeerFeed) -> AppResult<()> {
    let (mut after, mut gaps) = here.next_read();
    let mut rows = Vec::new();
    loop {
        let page: Vec<Row> = diesel::sql_query(READ)
            .bind::<BigInt, _>(after)
            .bind::<Text, _>(crate::db::id_list(&gaps))
            .bind::<BigInt, _>(PAGE)
            .load(conn)?;
        let full = page.len() as i64 == PAGE;
        after = page.last().map_or(after, |r| r.id);
        // The gaps this page reached are answered (a gap above it, `id > after` asks for).
        gaps.retain(|id| *id > after);
        rows.extend(page.into_iter().filter(|r| !here.seen.contains_key(&r.id)));
        if rows.len() > MAX_BEHIND {
            tracing::warn!(behind = rows.len(), "events listener fell too far behind; subscribers are told LAGGED");
            feed.missed();
            *here = Position::at(newest(conn)?);
            return Ok(());
        }
        if !full {
            break;
        }
    }
    let theirs: Vec<&Row> = rows.iter().filter(|r| r.origin != feed.origin()).collect();
    let (network, others): (Vec<&Row>, Vec<&Row>) =
        theirs.into_iter().partition(|r| [changes::NETWORK_CUSTOMER, changes::NETWORK_ALL].contains(&r.kind.as_str()));
    if let Some(changed) = network_changes(&network) {
        feed.network(changed);
    }
    for event in load(conn, &others)? {
        feed.deliver(event);
    }
    here.read(rows.iter().map(|r| r.id), Instant::now());
    Ok(())
}

/// What the network snapshot must read again for `rows` (all of kind network).
fn network_changes(rows: &[&Row]) -> Option<Changed> {
    if rows.iter().any(|r| r.kind == changes::NETWORK_ALL) {
        return Some(Changed::All);
    }
    let mut ids: Vec<i64> = rows.iter().map(|r| r.row_id).collect();
    ids.sort_unstable();
    ids.dedup();
    (!ids.is_empty()).then_some(Changed::Elsewhere(ids))
}

/// The events of `rows`, in their order, with their rows as they are now (an event whose row
/// is gone is left out).
fn load(conn: &mut DbConn, rows: &[&Row]) -> AppResult<Vec<Event>> {
    let ids_of = |kind: &[&str]| -> Vec<i64> {
        rows.iter().filter(|r| kind.contains(&r.kind.as_str())).map(|r| r.row_id).collect()
    };
    let complaint_ids = ids_of(&[kinds::COMPLAINT_CREATED, kinds::COMPLAINT_UPDATED]);
    let request_ids = ids_of(&[kinds::CONNECTION_REQUEST_CREATED]);
    let notification_ids = ids_of(&[kinds::NOTIFICATION_CREATED]);
    let complaints: HashMap<i64, _> = match complaint_ids.is_empty() {
        true => HashMap::new(),
        false => crate::complaints::repo::by_ids(conn, &complaint_ids)?.into_iter().map(|r| (r.id, r)).collect(),
    };
    let requests: HashMap<i64, _> = match request_ids.is_empty() {
        true => HashMap::new(),
        false => crate::connection_requests::repo::by_ids(conn, &request_ids)?.into_iter().map(|r| (r.id, r)).collect(),
    };
    let notifications: HashMap<i64, _> = match notification_ids.is_empty() {
        true => HashMap::new(),
        false => crate::notifications::repo::by_ids(conn, &notification_ids)?.into_iter().map(|r| (r.id, r)).collect(),
    };
    Ok(rows
        .iter()
        .filter_map(|r| match r.kind.as_str() {
            kinds::COMPLAINT_CREATED => complaints.get(&r.row_id).cloned().map(Event::ComplaintCreated),
            kinds::COMPLAINT_UPDATED => complaints.get(&r.row_id).cloned().map(Event::ComplaintUpdated),
            kinds::CONNECTION_REQUEST_CREATED => requests.get(&r.row_id).cloned().map(Event::ConnectionRequestCreated),
            kinds::NOTIFICATION_CREATED => notifications.get(&r.row_id).cloned().map(Event::NotificationCreated),
            other => {
                tracing::warn!(
                    kind = other,
                    "an event of a kind this server does not know (a newer version?); skipped"
                );
                None
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_asks_after_the_newest_id_and_for_the_gaps_below_it() {
        let now = Instant::now();
        let mut here = Position::at(10);
        assert_eq!(here.next_read(), (10, vec![]));
        here.read([11, 12, 15, 17], now);
        assert_eq!(here.next_read(), (17, vec![13, 14, 16]));
        // A gap's row that commits late is read once, and is no longer asked for.
        here.read([14], now);
        assert_eq!(here.next_read(), (17, vec![13, 16]));
    }

    #[test]
    fn ids_first_read_a_settle_ago_move_the_starting_point_and_drop_the_gaps_below() {
        let start = Instant::now();
        let mut here = Position::at(0);
        here.read([1, 3], start);
        here.read([4, 6], start + Duration::from_secs(5));
        assert_eq!(here.cursor, 0);
        here.read([], start + SETTLE);
        // 1 and 3 settled: gap 2 is given up (its transaction rolled back); 5 is still asked for.
        assert_eq!(here.cursor, 3);
        assert_eq!(here.next_read(), (6, vec![5]));
        here.read([], start + SETTLE + Duration::from_secs(5));
        assert_eq!(here.next_read(), (6, vec![]));
        assert!(here.seen.is_empty());
    }

    #[test]
    fn too_many_gaps_read_every_row_after_the_starting_point_again() {
        let mut here = Position::at(0);
        here.read([1, MAX_GAPS as i64 + 3], Instant::now());
        assert_eq!(here.next_read(), (0, vec![]));
        let mut here = Position::at(0);
        here.read([1, MAX_GAPS as i64 + 2], Instant::now());
        let (after, gaps) = here.next_read();
        assert_eq!((after, gaps.len()), (MAX_GAPS as i64 + 2, MAX_GAPS));
    }
}
