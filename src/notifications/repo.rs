//! Storing, reading and delivering notifications.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{NewNotification, NotificationRow, Recipient};
use crate::db::page::{Page, PageWindow};
use crate::db::schema::notifications;
use crate::db::CachedDsl;
use crate::db::{DbConn, MultiBackend};
use crate::error::AppResult;
use crate::keyset_page;

/// Stores a notification. One with a `dedupe_key` already stored is skipped (`None`): that is
/// how reminders are sent once.
pub fn insert(conn: &mut DbConn, new: &NewNotification) -> AppResult<Option<NotificationRow>> {
    // One made already with the same dedupe key (by an earlier run, or at the same moment
    // elsewhere: the hourly job and an operator's run) wins: the unique index decides, and the
    // statement inserts nothing instead of failing the transaction.
    let insert = diesel::insert_into(notifications::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(notifications::all_columns)
        .cached();
    Ok(match conn {
        DbConn::Pg(c) => insert.get_result(c).optional()?,
        DbConn::Sqlite(c) => insert.get_result(c).optional()?,
    })
}

/// [`insert`] for many: those stored (the ones whose `dedupe_key` was not, in order), in as
/// few statements as the databases allow.
pub fn insert_all(conn: &mut DbConn, news: &[NewNotification]) -> AppResult<Vec<NotificationRow>> {
    let mut made = Vec::with_capacity(news.len());
    // 13 values a row: within SQLite's and PostgreSQL's limits on a statement's values.
    for chunk in news.chunks(500) {
        // Bound as they are (an absent value is NULL, never DEFAULT): so SQLite takes the rows
        // in one statement too.
        let rows: Vec<_> = chunk
            .iter()
            .map(|n| {
                (
                    (
                        notifications::recipient_kind.eq(n.recipient_kind.as_str()),
                        notifications::recipient_id.eq(n.recipient_id),
                        notifications::kind.eq(n.kind),
                        notifications::title.eq(n.title.as_str()),
                        notifications::body.eq(n.body.as_str()),
                        notifications::subject_id.eq(n.subject_id.as_deref()),
                        notifications::dedupe_key.eq(n.dedupe_key.as_deref()),
                    ),
                    (
                        notifications::read_at.eq(n.read_at),
                        notifications::created_at.eq(n.created_at),
                        notifications::webhook_status.eq(n.webhook_status),
                        notifications::webhook_attempts.eq(n.webhook_attempts),
                        notifications::webhook_next_at.eq(n.webhook_next_at),
                        notifications::webhook_last_error.eq(n.webhook_last_error.as_deref()),
                    ),
                )
            })
            .collect();
        let insert = diesel::insert_into(notifications::table)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(notifications::all_columns);
        let mut rows: Vec<NotificationRow> = match conn {
            DbConn::Pg(c) => insert.load(c)?,
            DbConn::Sqlite(c) => insert.load(c)?,
        };
        rows.sort_unstable_by_key(|r| r.id);
        made.extend(rows);
    }
    Ok(made)
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<NotificationRow>> {
    Ok(notifications::table.filter(crate::db::fragments::id_in("notifications.id", ids)).load(conn)?)
}

fn of(recipient: Recipient, unread_only: bool) -> notifications::BoxedQuery<'static, MultiBackend> {
    let mut query = notifications::table
        .filter(notifications::recipient_kind.eq(recipient.kind))
        .filter(notifications::recipient_id.eq(recipient.id))
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    query
}

/// A recipient's notifications, oldest first.
pub fn page(
    conn: &mut DbConn,
    recipient: Recipient,
    unread_only: bool,
    window: PageWindow,
) -> AppResult<Page<NotificationRow>> {
    let total = of(recipient, unread_only).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(of(recipient, unread_only), notifications::id, window).load::<NotificationRow>(conn)?;
    Ok(window.finish(rows, total))
}

/// Marks the recipient's unread notifications read (only those in `ids`, if given); returns how many.
pub fn mark_read(conn: &mut DbConn, recipient: Recipient, ids: Option<&[i64]>, at: NaiveDateTime) -> AppResult<usize> {
    let mine = notifications::table
        .filter(notifications::recipient_kind.eq(recipient.kind))
        .filter(notifications::recipient_id.eq(recipient.id))
        .filter(notifications::read_at.is_null());
    let changed = match ids {
        Some(ids) => diesel::update(mine.filter(crate::db::fragments::id_in("notifications.id", ids)))
            .set(notifications::read_at.eq(at))
            .execute(conn)?,
        None => diesel::update(mine).set(notifications::read_at.eq(at)).execute(conn)?,
    };
    Ok(changed)
}

/// Notifications waiting for the webhook whose next try is due, oldest first.
pub fn due_for_webhook(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> AppResult<Vec<NotificationRow>> {
    Ok(notifications::table
        .filter(notifications::webhook_status.eq("PENDING"))
        .filter(notifications::webhook_next_at.le(now))
        .order(notifications::id.asc())
        .limit(limit)
        .load(conn)?)
}

/// Claims a due delivery until `lease` (moves its next try there); `false` when another worker
/// claimed it first.
pub fn claim_delivery(conn: &mut DbConn, id: i64, now: NaiveDateTime, lease: NaiveDateTime) -> AppResult<bool> {
    let claimed = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::webhook_status.eq("PENDING"))
            .filter(notifications::webhook_next_at.le(now)),
    )
    .set(notifications::webhook_next_at.eq(lease))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// Records the outcome of a delivery try.
pub fn set_delivery(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    attempts: i32,
    next_at: Option<NaiveDateTime>,
    error: Option<&str>,
) -> AppResult<()> {
    diesel::update(notifications::table.find(id))
        .set((
            notifications::webhook_status.eq(status),
            notifications::webhook_attempts.eq(attempts),
            notifications::webhook_next_at.eq(next_at),
            notifications::webhook_last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}
