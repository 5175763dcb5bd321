//! `closedGstPeriods`, `closeGstPeriod`, `reopenGstPeriod`.

use async_graphql::{Context, Object, Result, ID};

use super::repo::ClosedPeriodRow;
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::auth::{Principal, Role};
use crate::companies::graphql::Company;
use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::ids::expect_id;
use crate::graphql::scalars::DateTime;
use crate::gstr1::model::Period;

/// A month whose GSTR-1 the company has filed: no document dated in it can be issued,
/// cancelled or changed.
pub struct ClosedGstPeriod(pub ClosedPeriodRow);

#[Object]
impl ClosedGstPeriod {
    /// The month, `YYYY-MM`.
    async fn period(&self) -> &str {
        &self.0.period
    }
    async fn closed_at(&self) -> DateTime {
        DateTime(self.0.closed_at)
    }
    /// Who closed it (their name then).
    async fn closed_by(&self) -> &str {
        &self.0.closed_by_name
    }
}

fn parse(company_id: &ID, period: &str) -> Result<(i64, Period), AppError> {
    let company = expect_id("companyId", Company::KIND, company_id)?;
    let period = Period::parse(period).map_err(|m| AppError::bad_input("period", format!("`period` {m}")))?;
    Ok((company, period))
}

#[derive(Default)]
pub struct GstPeriodQuery;

#[Object]
impl GstPeriodQuery {
    /// The months a company has closed, newest first. Not paged: one per filed month, twelve
    /// a year.
    #[graphql(guard = "Require(Permission::FileReturns)")]
    async fn closed_gst_periods(&self, ctx: &Context<'_>, company_id: ID) -> Result<Vec<ClosedGstPeriod>> {
        let company = expect_id("companyId", Company::KIND, &company_id)?;
        let rows = db(ctx).read(move |conn| super::repo::of_company(conn, company)).await?;
        Ok(rows.into_iter().map(ClosedGstPeriod).collect())
    }
}

#[derive(Default)]
pub struct GstPeriodMutation;

#[Object]
impl GstPeriodMutation {
    /// Marks a month filed (`period: "2026-11"`) once its GSTR-1 is filed: from then on no
    /// invoice dated in it can be issued or cancelled, so the filed return never changes;
    /// corrections go into the open month as credit notes. Only a month that has ended, of a
    /// company with a GSTIN; `CONFLICT` when it is closed already.
    #[graphql(guard = "Require(Permission::FileReturns)")]
    async fn close_gst_period(&self, ctx: &Context<'_>, company_id: ID, period: String) -> Result<ClosedGstPeriod> {
        let actor = Actor::from(principal(ctx)?);
        let (company, period) = parse(&company_id, &period)?;
        let row = db(ctx).write(move |conn| super::service::close(conn, company, period, &actor)).await?;
        Ok(ClosedGstPeriod(row))
    }

    /// Reopens a closed month (ADMIN only), recording `reason` in the audit log: for a
    /// mistaken closing, before the return is really filed. `NOT_FOUND` when it is not closed.
    #[graphql(guard = "Require(Permission::FileReturns)")]
    async fn reopen_gst_period(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        period: String,
        reason: String,
    ) -> Result<bool> {
        let who = principal(ctx)?;
        if !matches!(who, Principal::Employee { role: Role::Admin, .. }) {
            return Err(AppError::Forbidden("only an administrator may reopen a closed GST period".into()).into());
        }
        let actor = Actor::from(who);
        let (company, period) = parse(&company_id, &period)?;
        let reason = crate::validate::required_multiline("reason", &reason, 500)?;
        db(ctx).write(move |conn| super::service::reopen(conn, company, period, &reason, &actor)).await?;
        Ok(true)
    }
}
