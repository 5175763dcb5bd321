//! `Invoice.einvoiceRegistration` and `recordEinvoice`.

use async_graphql::{Context, Object, Result, ID};

use super::model::EinvoiceRow;
use super::service::{self, Registration};
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::graphql::context::db;
use crate::graphql::ids::expect_id;
use crate::graphql::loaders::load_many;
use crate::graphql::scalars::DateTime;
use crate::invoices::graphql::Invoice;

crate::owner_key! {
    /// An invoice's id, for the IRP's answer recorded for it.
    EinvoiceOfInvoice => EinvoiceRow, super::repo::of_invoices, |r| r.document_id
}

/// What the Invoice Registration Portal (IRP) returned when the operator uploaded the invoice's
/// e-invoice JSON. Print the IRN and the signed QR code (as a QR image) on the invoice.
pub struct EinvoiceRegistration(pub EinvoiceRow);

impl EinvoiceRegistration {
    /// The registration of invoice `id`, if one was recorded.
    pub async fn of_invoice(ctx: &Context<'_>, id: i64) -> Result<Option<EinvoiceRegistration>> {
        Ok(load_many(ctx, EinvoiceOfInvoice(id)).await?.into_iter().next().map(EinvoiceRegistration))
    }
}

#[Object]
impl EinvoiceRegistration {
    /// Invoice Reference Number: 64 lower-case hexadecimal characters.
    async fn irn(&self) -> &str {
        &self.0.irn
    }
    /// The portal's acknowledgement number (digits).
    async fn ack_no(&self) -> &str {
        &self.0.ack_no
    }
    /// When the portal acknowledged the invoice.
    async fn ack_date(&self) -> DateTime {
        DateTime(self.0.ack_date)
    }
    /// The signed QR code exactly as the portal returned it (a JWS: `header.payload.signature`):
    /// encode this text as the QR image printed on the invoice.
    async fn signed_qr_code(&self) -> &str {
        &self.0.signed_qr
    }
    /// When it was recorded here.
    async fn recorded_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

#[derive(Default)]
pub struct EinvoiceMutation;

#[Object]
impl EinvoiceMutation {
    /// Records what the Invoice Registration Portal returned for an invoice whose e-invoice
    /// JSON (`Invoice.einvoiceUrl`) the operator uploaded: `irn` (64 hexadecimal characters),
    /// `ackNo` (digits), `ackDate` (the portal shows `yyyy-MM-dd HH:mm:ss` in India time: send
    /// it as RFC 3339 with `+05:30`) and `signedQrCode` (the JWS text). The invoice must be an
    /// issued B2B tax invoice of a company with `einvoicing` (else `BAD_USER_INPUT` on
    /// `invoiceId`); the QR code must be this invoice's (where it names the IRN, number or
    /// GSTIN) and the acknowledgement not before the invoice's date nor in the future
    /// (`BAD_USER_INPUT` on the field). Recorded once: `CONFLICT` when the invoice has its IRN
    /// already or the IRN is another document's. Audited.
    #[graphql(guard = "Require(Permission::WriteBilling)")]
    async fn record_einvoice(
        &self,
        ctx: &Context<'_>,
        invoice_id: ID,
        irn: String,
        ack_no: String,
        ack_date: DateTime,
        signed_qr_code: String,
    ) -> Result<EinvoiceRegistration> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("invoiceId", Invoice::KIND, &invoice_id)?;
        let input = Registration {
            irn: super::rules::irn("irn", &irn)?,
            ack_no: super::rules::ack_no("ackNo", &ack_no)?,
            ack_date: ack_date.0,
            signed_qr: signed_qr_code,
        };
        let row = db(ctx).write(move |conn| service::record(conn, key, input.clone(), &actor)).await?;
        Ok(EinvoiceRegistration(row))
    }
}
