//! The daily billing run: at `ISP_BILLING_CYCLE_AT` (business time, default 02:00) the cycle
//! runs for that date; on start, dates missed while the server was down are run in order
//! (from the day after the last finished run; a database that never ran the cycle starts with
//! today), and a run left unfinished by a crash is finished.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};

use super::service::{self, Cycle};
use crate::audit::Actor;
use crate::cluster::leases::Leases;

/// One cycle at a time in this process (the scheduler and `runBillingCycle` share it).
#[derive(Clone)]
pub struct Runner {
    pub cycle: Cycle,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl Runner {
    pub fn new(cycle: Cycle) -> Runner {
        Runner { cycle, lock: Arc::default() }
    }

    /// Runs `as_of` once no other run is going.
    pub async fn run(&self, as_of: NaiveDate, actor: Actor) -> crate::error::AppResult<super::model::BillingRunRow> {
        let _one_at_a_time = self.lock.lock().await;
        service::run(&self.cycle, as_of, actor).await
    }
}

/// Parses `HH:MM`, for `ISP_BILLING_CYCLE_AT`.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| format!("`{text}` is not a time of day as HH:MM"))
}

/// The dates to run now: after the last finished one up to the latest due (today once the
/// time of day has passed, else yesterday); only the latest due when none ever finished.
pub fn dates_due(last_finished: Option<NaiveDate>, now: chrono::NaiveDateTime, at: NaiveTime) -> Vec<NaiveDate> {
    let today = now.date();
    let latest = if now.time() >= at { Some(today) } else { today.pred_opt() };
    let Some(latest) = latest else { return Vec::new() };
    let first = match last_finished {
        Some(last) => match last.succ_opt() {
            Some(d) => d,
            None => return Vec::new(),
        },
        None => latest,
    };
    first.iter_days().take_while(|d| *d <= latest).collect()
}

/// Runs the due dates now, then each day at `at`, for the life of the server (on one server of
/// several: the job `billing-cycle` of [`Leases`]; two runs at once would still count once).
pub fn spawn(leases: &Leases, runner: Runner, at: NaiveTime) {
    leases.spawn("billing-cycle", move || daily(runner.clone(), at));
}

async fn daily(runner: Runner, at: NaiveTime) {
    loop {
        let last = runner.cycle.db.read(super::repo::last_finished).await;
        let due = match last {
            Ok(last) => dates_due(last, crate::clock::local_now(), at),
            Err(e) => {
                tracing::warn!(error = %e.message(), "billing cycle: cannot read past runs; trying again in a minute");
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                continue;
            }
        };
        for as_of in due {
            if let Err(e) = runner.run(as_of, Actor::system()).await {
                tracing::warn!(%as_of, error = %e.message(), "billing run stopped; it is retried at the next check");
                break;
            }
        }
        // Check again at the next time of day (or in an hour, whichever is sooner, so a
        // clock change or a failed run is picked up).
        let now = crate::clock::local_now();
        let mut next = now.date().and_time(at);
        if next <= now {
            next += chrono::Duration::days(1);
        }
        let wait = (next - now).to_std().unwrap_or_default().min(std::time::Duration::from_secs(3600));
        tokio::time::sleep(wait + std::time::Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn t(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn missed_days_are_caught_up_in_order() {
        let at = parse_time("02:00").unwrap();
        assert_eq!(
            dates_due(Some(d("2026-11-26")), t("2026-11-29 03:00"), at),
            [d("2026-11-27"), d("2026-11-28"), d("2026-11-29")]
        );
        assert_eq!(dates_due(Some(d("2026-11-26")), t("2026-11-29 01:59"), at), [d("2026-11-27"), d("2026-11-28")]);
        assert_eq!(dates_due(Some(d("2026-11-29")), t("2026-11-29 23:00"), at), Vec::<NaiveDate>::new());
        assert_eq!(dates_due(None, t("2026-11-29 01:00"), at), [d("2026-11-28")]);
        assert_eq!(
            dates_due(Some(d("2028-02-27")), t("2028-03-01 02:00"), at),
            [d("2028-02-28"), d("2028-02-29"), d("2028-03-01")]
        );
        assert!(parse_time("2am").is_err());
    }
}
