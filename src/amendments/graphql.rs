//! `amendInvoice`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::service::Correction;
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::graphql::context::db;
use crate::graphql::ids::expect_id;
use crate::ids::Kind;
use crate::invoices::graphql::Invoice;

/// A correction of an issued invoice's recipient.
#[derive(InputObject)]
pub struct AmendInvoiceInput {
    /// The recipient's GSTIN or UIN as the invoice should have carried it, registered in the
    /// state of the invoice's place of supply.
    pub customer_gstin: String,
    /// The recipient's name as registered, when it differs from the name on the invoice.
    pub recipient_name: Option<String>,
    /// Why (up to 500 characters): printed on the invoice and kept in the audit log.
    pub reason: String,
}

#[derive(Default)]
pub struct AmendmentMutation;

#[Object]
impl AmendmentMutation {
    /// Corrects an issued tax invoice's recipient GSTIN (CGST Act section 37(3)): a wrong
    /// GSTIN, or a registered customer billed as unregistered. The invoice and its credit and
    /// debit notes print the correction from now on ("Amended: ..."); the amounts do not
    /// change. Returns filed before keep what they filed: when the invoice's month is closed
    /// (`closeGstPeriod`), this month's GSTR-1 reports the amendment (`b2ba`, with `cdnra` for
    /// filed notes; an invoice filed in the B2C summary goes into `b2b` with its own date and
    /// `b2csa` lowers that summary), else its own month's return shows it amended. `CONFLICT`,
    /// saying why, for a proforma, a cancelled invoice, a bill of supply, an e-invoice, an
    /// invoice filed as B2CL or with notes filed as B2C (issue a credit note and a new invoice
    /// instead), or while this month is closed; `BAD_USER_INPUT` on `customerGstin` for an
    /// invalid GSTIN, one of another state or the one it has, and on `id` after 30 November
    /// following the invoice's financial year. ADMIN and MANAGER.
    #[graphql(guard = "Require(Permission::FileReturns)")]
    async fn amend_invoice(&self, ctx: &Context<'_>, id: ID, input: AmendInvoiceInput) -> Result<Invoice> {
        let key = expect_id("id", Kind::Invoice, &id)?;
        let actor = Actor::from(principal(ctx)?);
        let correction = Correction {
            customer_gstin: crate::validate::gstin("customerGstin", &input.customer_gstin)?,
            recipient_name: crate::validate::optional_text("recipientName", input.recipient_name.as_deref(), 200)?,
            reason: crate::validate::required_multiline("reason", &input.reason, 500)?,
        };
        let row = db(ctx).write(move |conn| super::service::amend_invoice(conn, key, &correction, &actor)).await?;
        Ok(Invoice::from(row))
    }
}
