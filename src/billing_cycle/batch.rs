//! What a batch of renewals reads once: its customers, locked, and what waits for their
//! invoices, in a few statements for the whole batch instead of several per customer.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{repo, rules};
use crate::addons::model::AddonRow;
use crate::customers::model::CustomerRow;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::invoices::service::Pending;
use crate::plan_changes::model::PlanChangeRow;

/// A batch's customers still due a renewal, and what waits for each.
#[derive(Default)]
pub(super) struct Renewals {
    customers: HashMap<i64, CustomerRow>,
    billed: HashSet<(i64, NaiveDate)>,
    addons: HashMap<i64, Vec<AddonRow>>,
    plan_changes: HashMap<i64, Vec<PlanChangeRow>>,
    advance: HashSet<i64>,
}

impl Renewals {
    /// Locks the customers of `ids` still due a renewal on `as_of` and reads what waits for
    /// them. Read after the locks, so it holds until the batch commits: a payment, an add-on
    /// or a pause of one of them waits for their lock. A paused customer is left out (the
    /// lock's own statement may have seen the pauses of before its wait).
    pub fn lock(conn: &mut DbConn, ids: &[i64], as_of: NaiveDate) -> AppResult<Renewals> {
        let locked = repo::lock_renewals_due(conn, ids, as_of)?;
        if locked.is_empty() {
            return Ok(Renewals::default());
        }
        let ids: Vec<i64> = locked.iter().map(|c| c.id).collect();
        let paused: HashSet<i64> = crate::service_pauses::repo::paused_of(conn, &ids)?.into_iter().collect();
        let customers: HashMap<i64, CustomerRow> =
            locked.into_iter().filter(|c| !paused.contains(&c.id)).map(|c| (c.id, c)).collect();
        let ids: Vec<i64> = ids.into_iter().filter(|id| customers.contains_key(id)).collect();
        let from = customers.values().map(|c| c.end_date).min();
        let billed = match from {
            Some(from) => repo::billed_periods(conn, &ids, from)?.into_iter().collect(),
            None => HashSet::new(),
        };
        let mut addons: HashMap<i64, Vec<AddonRow>> = HashMap::new();
        for a in crate::addons::repo::pending_of(conn, &ids)? {
            addons.entry(a.customer_id).or_default().push(a);
        }
        let mut plan_changes: HashMap<i64, Vec<PlanChangeRow>> = HashMap::new();
        for p in crate::plan_changes::repo::pending_of(conn, &ids)? {
            plan_changes.entry(p.customer_id).or_default().push(p);
        }
        let advance = crate::payments::repo::advances(conn, &ids)?
            .into_iter()
            .filter(|(_, paise)| *paise > 0)
            .map(|(id, _)| id)
            .collect();
        Ok(Renewals { customers, billed, addons, plan_changes, advance })
    }

    /// Customer `id` if still due, with the periods due on `as_of` not billed yet, and what
    /// waits for their first invoice (nothing for the next ones). `None`: nothing to renew.
    pub fn take(&mut self, id: i64, as_of: NaiveDate) -> Option<(CustomerRow, Vec<rules::Period>, Pending)> {
        let customer = self.customers.remove(&id)?;
        let periods = rules::periods_due(customer.end_date, customer.period_months, as_of);
        let pending = Pending {
            addons: self.addons.remove(&id).unwrap_or_default(),
            plan_changes: self.plan_changes.remove(&id).unwrap_or_default(),
            advance: self.advance.contains(&id),
        };
        Some((customer, periods, pending))
    }

    /// The companies of the customers still to renew, in order.
    pub fn company_ids(&self) -> Vec<i64> {
        self.distinct(|c| c.company_id)
    }

    /// The plans of the customers still to renew, in order.
    pub fn plan_ids(&self) -> Vec<i64> {
        self.distinct(|c| c.plan_id)
    }

    /// `of` each customer still to renew, each value once, in order.
    fn distinct(&self, of: impl Fn(&CustomerRow) -> i64) -> Vec<i64> {
        let mut ids: Vec<i64> = self.customers.values().map(of).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The customers still to renew.
    pub fn ids(&self) -> Vec<i64> {
        self.customers.keys().copied().collect()
    }

    /// Whether the cycle billed `customer`'s period starting on `start` already.
    pub fn billed(&self, customer: i64, start: NaiveDate) -> bool {
        self.billed.contains(&(customer, start))
    }
}

/// What renewals write at the end of their batch, each kind in one statement or a few: the
/// invoices' audit entries and records, and the customers' new periods (and, for a whole
/// batch, most of its invoices and their ledger rows). Nothing in the batch reads them back.
#[derive(Default)]
pub(super) struct Later {
    pub invoices: crate::invoices::later::Later,
    periods: Vec<(i64, NaiveDate, NaiveDate)>,
}

impl Later {
    /// A batch's of `customers` (not a careful customer's): the invoices and their ledger rows
    /// wait too.
    pub fn batch(customers: usize) -> Later {
        Later { invoices: crate::invoices::later::Later::deferring(customers as i64), periods: Vec::new() }
    }

    /// Customer `id`'s current period is now `start..=end`.
    pub fn period(&mut self, id: i64, start: NaiveDate, end: NaiveDate) {
        self.periods.push((id, start, end));
    }

    /// Writes what waits and empties it.
    pub fn write(&mut self, conn: &mut DbConn) -> AppResult<()> {
        self.invoices.write(conn)?;
        crate::customers::repo::set_periods(conn, &self.periods)?;
        self.periods.clear();
        Ok(())
    }
}
