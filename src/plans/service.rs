//! Plans as reference data: created, changed and deleted through [`crate::reference`].

use super::model::{NewPlan, PlanChanges, PlanRow};
use super::{repo, rules};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// The bill for one billing period of `period_months` on `plan`: its price for every
/// `validityDays` the period holds ([`rules::bill`]). A period that does not hold a whole
/// number of them is a `BAD_USER_INPUT` on `field`, naming `periodMonths` and `validityDays`.
pub fn bill(plan: &PlanRow, period_months: i32, field: &str) -> AppResult<i64> {
    rules::bill(plan.price_paise, plan.validity_days, period_months)
        .map_err(|m| AppError::bad_input(field, m))?
        .ok_or_else(|| AppError::bad_input(field, "the bill for this period is too large"))
}

/// `BAD_USER_INPUT` on `field` unless a billing period of `period_months` holds a whole number
/// of `plan`'s periods.
pub fn check_period(plan: &PlanRow, period_months: i32, field: &str) -> AppResult<()> {
    bill(plan, period_months, field).map(|_| ())
}

crate::reference_table! {
    /// The `plans` table.
    pub struct Plans {
        kind: Plan,
        repo: super::repo,
        row: PlanRow,
        new: NewPlan,
        changes: PlanChanges,
    }

    fn check_new(conn: &mut DbConn, new: &NewPlan) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, Some(new.company_id))
    }

    fn check_changes(conn: &mut DbConn, changes: &PlanChanges) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, changes.company_id)
    }

    /// A new `validityDays` must fit the period of every customer on the plan (but those
    /// terminated), or their next renewal could not be billed.
    fn check_written(conn: &mut DbConn, row: &PlanRow) -> AppResult<()> {
        let step = rules::months_per_period(row.validity_days);
        let misfits = repo::customers_whose_period_misfits(conn, row.id, step)?;
        if let Some((count, example)) = misfits {
            return Err(AppError::Conflict(format!(
                "`validityDays` {} does not fit the billing period of {count} customer(s) on this plan (for example                  customer {example}): `periodMonths` must be a multiple of {step}; change their `periodMonths` first,                  or make a new plan",
                row.validity_days
            )));
        }
        Ok(())
    }

    /// Existing customers keep their invoices; the log keeps the price and whether it is sold.
    fn change_details(row: &PlanRow) -> Option<String> {
        Some(format!("price={} active={}", crate::money::format_hundredths(row.price_paise), row.is_active))
    }
}
