//! Plan-expiry reminders: customers whose plan ends within 7, 3 or 1 days get one reminder per
//! threshold (per end date), made by an hourly job and on demand.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{NotificationKind, NotificationRow, Recipient};
use super::{repo, Outbox};
use crate::cluster::leases::Leases;
use crate::customers::model::CustomerStatus;
use crate::db::schema::customers;
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::events::Events;

/// The thresholds, in days before the end date.
pub const DAYS_BEFORE: [i64; 3] = [7, 3, 1];

/// Which reminder is due for a plan ending on `end` when it is `today`: the smallest threshold
/// not yet passed (`None` when more than 7 days remain or the plan has ended).
pub fn due_threshold(end: NaiveDate, today: NaiveDate) -> Option<i64> {
    let left = (end - today).num_days();
    if left < 0 {
        return None;
    }
    DAYS_BEFORE.iter().rev().copied().find(|d| left <= *d)
}

/// Customers looked at per transaction: a day on which many plans end gets its reminders in
/// short transactions, a batch in memory at a time.
pub const BATCH: i64 = 500;

/// Makes the reminders due today (business date), each once; returns how many it made.
pub async fn run(db: &Db, outbox: &Outbox, events: &Events) -> AppResult<usize> {
    let outbox = *outbox;
    let today = crate::clock::today();
    let (mut made, mut from) = (0, Cursor::start(today));
    loop {
        let (count, next) = events
            .write(db, move |conn, out| {
                let (rows, next) = make_due(conn, &outbox, today, from)?;
                let count = rows.len();
                out.notifications(rows);
                Ok((count, next))
            })
            .await?;
        made += count;
        match next {
            Some(next) => from = next,
            None => return Ok(made),
        }
    }
}

/// Where a pass over the plans ending soon has got to: the end date it is on and the last
/// customer looked at with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    end: NaiveDate,
    after: i64,
}

impl Cursor {
    /// The start of the pass for `today`: the plans ending today come first.
    pub fn start(today: NaiveDate) -> Cursor {
        Cursor { end: today, after: 0 }
    }
}

/// The plan-expiry reminders due on `today` not made before for the next [`BATCH`] customers
/// from `from`, stored in the caller's transaction (the billing cycle makes them for its own
/// date); with where the next batch starts while there may be more.
///
/// The customers are read end date by end date, each in id order: one statement per end date
/// a batch reaches, each answered from the index on (status, end date, id) where it stopped.
pub fn make_due(
    conn: &mut DbConn,
    outbox: &Outbox,
    today: NaiveDate,
    from: Cursor,
) -> AppResult<(Vec<NotificationRow>, Option<Cursor>)> {
    let horizon = today + chrono::Days::new(7);
    let mut at = from;
    let mut due: Vec<(i64, String, NaiveDate)> = Vec::new();
    while at.end <= horizon && (due.len() as i64) < BATCH {
        let want = BATCH - due.len() as i64;
        let rows: Vec<(i64, String, NaiveDate)> = customers::table
            .filter(customers::status.eq(CustomerStatus::Active))
            .filter(customers::end_date.eq(at.end))
            .filter(customers::id.gt(at.after))
            .order(customers::id)
            .limit(want)
            .select((customers::id, customers::full_name, customers::end_date))
            .load(conn)?;
        at = match rows.last() {
            Some(last) if rows.len() as i64 == want => Cursor { after: last.0, ..at },
            _ => Cursor { end: at.end + chrono::Days::new(1), after: 0 },
        };
        due.extend(rows);
    }
    let next = (at.end <= horizon).then_some(at);
    let mut news = Vec::with_capacity(due.len());
    for (customer, name, end) in due {
        let Some(days) = due_threshold(end, today) else { continue };
        let left = (end - today).num_days();
        let when = match left {
            0 => "today".to_owned(),
            1 => "tomorrow".to_owned(),
            n => format!("in {n} days"),
        };
        let mut new = outbox.draft(
            Recipient::customer(customer),
            NotificationKind::PlanExpiring,
            format!("Your plan ends {when}"),
            format!("Dear {name}, your plan ends on {end}. Renew before then to stay connected."),
            Some(crate::ids::encode(crate::ids::Kind::Customer, customer)),
        );
        new.dedupe_key = Some(format!("plan-expiring:{customer}:{end}:{days}"));
        news.push(new);
    }
    Ok((repo::insert_all(conn, &news)?, next))
}

/// Runs [`run`] now and then every hour, for the life of the server (on one server of
/// several: the job `reminders` of [`Leases`]).
pub fn spawn(leases: &Leases, db: Db, outbox: Outbox, events: Events) {
    leases.spawn("reminders", move || {
        let (db, events) = (db.clone(), events.clone());
        async move { hourly(db, outbox, events).await }
    });
}

async fn hourly(db: Db, outbox: Outbox, events: Events) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        match run(&db, &outbox, &events).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminders = n, "sent plan-expiry reminders"),
            Err(e) => tracing::warn!(error = %e.message(), "plan-expiry reminders failed; trying again in an hour"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_threshold_is_due_until_the_next() {
        let end = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert_eq!(due_threshold(end, day(12)), None, "8 days left");
        assert_eq!(due_threshold(end, day(13)), Some(7));
        assert_eq!(due_threshold(end, day(16)), Some(7), "4 days left");
        assert_eq!(due_threshold(end, day(17)), Some(3));
        assert_eq!(due_threshold(end, day(19)), Some(1));
        assert_eq!(due_threshold(end, day(20)), Some(1), "ends today");
        assert_eq!(due_threshold(end, day(21)), None, "ended");
    }
}
