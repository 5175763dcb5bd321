//! The `gstr1` query.

use async_graphql::{Context, Json, Object, Result, ID};

use super::build::Gstr1;
use super::model::Period;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::ids::expect_id;

#[derive(Default)]
pub struct Gstr1Query;

#[Object]
impl Gstr1Query {
    /// GSTR-1 of a company for a month (`period: "2026-11"`, India time), in the JSON shape
    /// the GST offline tool reads: `gstin`, `fp`, `b2b`, `b2cl`, `b2cs`, `cdnr`, `cdnur`,
    /// `hsn` (`{ data }` before the May 2025 period, `{ hsn_b2b hsn_b2c }` from it),
    /// `doc_issue`. B2CL takes unregistered inter-state invoices above ₹2.5 lakh until 31 July
    /// 2024 and above ₹1 lakh from 1 August 2024. Amounts in rupees; an item carries `iamt`
    /// (inter-state) or `camt` and `samt` (intra-state), as the offline tool writes it. The
    /// current month and earlier ones; a month that has not begun is `BAD_USER_INPUT` on
    /// `period`. The same is at `GET /reports/gstr1.json?companyId=&period=`, and each
    /// section as CSV in the offline tool's import template layout at
    /// `GET /reports/gstr1/<section>.csv?companyId=&period=` (`b2b`, `b2cl`, `b2cs`, `cdnr`,
    /// `cdnur`, `hsn`, `hsn_b2b`, `hsn_b2c`, `docs`).
    #[graphql(guard = "Require(Permission::FileReturns)")]
    async fn gstr1(&self, ctx: &Context<'_>, company_id: ID, period: String) -> Result<Json<Gstr1>> {
        let company = expect_id("companyId", Company::KIND, &company_id)?;
        let period = Period::parse(&period).map_err(|m| AppError::bad_input("period", format!("`period` {m}")))?;
        super::build::begun(period, crate::clock::today()).map_err(|m| AppError::bad_input("period", m))?;
        let report = db(ctx).read(move |conn| super::repo::for_month(conn, company, period)).await?;
        Ok(Json(report))
    }
}
