//! Gateways are written through [`crate::reference`] (checked, written and audited in the
//! caller's transaction, the secret never in the audit entry); unmatched gateway payments are
//! assigned to a customer by staff here.

use super::model::{GatewayChanges, GatewayPaymentRow, GatewayRow, NewGateway};
use super::repo;
use crate::audit::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::notifications::model::NotificationRow;
use crate::notifications::Outbox;
use crate::payments::model::{PaymentRow, PaymentStatus};
use crate::payments::service::PaymentRequest;
use crate::secrets::SecretsKey;

/// What a gateway's webhook secret is sealed for (bound into the sealed value).
pub const SECRET_CONTEXT: &str = "payment_gateways.webhook_secret";

/// What the gateways need of the server's settings.
#[derive(Debug, Clone, Default)]
pub struct GatewaySettings {
    /// Seals and opens webhook secrets (`ISP_SECRETS_KEY`); without it no secret is stored.
    pub secrets_key: Option<SecretsKey>,
    /// The address gateways reach this server at, for `webhookUrl` (`ISP_PUBLIC_URL`).
    pub public_url: String,
}

impl GatewaySettings {
    /// `secret` sealed for storage; refused (on `field`) when the server has no key.
    pub fn seal(&self, field: &str, secret: &str) -> AppResult<String> {
        let key = self.secrets_key.as_ref().ok_or_else(|| {
            AppError::bad_input(
                field,
                "this server has no ISP_SECRETS_KEY, so it cannot keep a gateway secret encrypted: set \
                 ISP_SECRETS_KEY and restart (the key this database's secrets are sealed under, if it has \
                 any; else a new one: `openssl rand -hex 32`; README \"Payment gateways\")",
            )
        })?;
        Ok(key.seal(secret, SECRET_CONTEXT))
    }

    /// Where `gateway`'s provider must send notifications.
    pub fn webhook_url(&self, gateway: &GatewayRow) -> String {
        format!("{}/webhooks/{}/{}", self.public_url.trim_end_matches('/'), gateway.provider.path(), gateway.id)
    }
}

crate::reference_table! {
    /// The `payment_gateways` table.
    pub struct Gateways {
        kind: PaymentGateway,
        repo: super::repo,
        row: GatewayRow,
        new: NewGateway,
        changes: GatewayChanges,
    }

    fn check_new(conn: &mut DbConn, new: &NewGateway) -> AppResult<()> {
        crate::companies::repo::ensure_exists(conn, Some(new.company_id))
    }

    /// Never the secret: only that one is set.
    fn change_details(row: &GatewayRow) -> Option<String> {
        Some(format!("provider={} keyId={} active={} secret=(set, encrypted)", row.provider, row.key_id, row.is_active))
    }
}

/// `assignGatewayPayment`: an unmatched gateway payment becomes a COMPLETED payment of
/// `customer_id` (on `invoice_id`, or on their open invoices oldest first), through the same
/// rules as `createPayment`; money beyond the invoice's balance is kept as advance.
pub fn assign(
    conn: &mut DbConn,
    outbox: &Outbox,
    id: i64,
    customer_id: Option<i64>,
    invoice_id: Option<i64>,
    actor: &Actor,
) -> AppResult<(GatewayPaymentRow, PaymentRow, Vec<NotificationRow>)> {
    let reported = repo::find_payment(conn, id)?;
    if let Some(payment) = reported.payment_id {
        let number = crate::payments::repo::find(conn, payment)?.payment_id;
        return Err(AppError::Conflict(format!("this gateway payment is already recorded as payment {number}")));
    }
    if reported.currency != "INR" {
        return Err(AppError::bad_input(
            "id",
            format!("the gateway reported {}, not INR: refund it at the gateway", reported.currency),
        ));
    }
    let amount = crate::money::positive("id", reported.amount_paise)?;
    let company_id = repo::find(conn, reported.gateway_id)?.company_id;
    within_company(conn, company_id, customer_id, invoice_id)?;
    let shown = super::notification::shown(&reported.gateway_payment_id);
    let request = PaymentRequest {
        customer_id,
        invoice_id,
        amount,
        method: reported.method,
        reference: Some(super::rules::payment_reference(&reported.gateway_payment_id, reported.conflict_no)),
        remarks: Some(format!("gateway payment {shown} assigned by {}", actor.name)),
        status: PaymentStatus::Completed,
        keep_excess_as_advance: true,
        upi_utr: reported.utr.clone(),
        from_gateway: true,
    };
    let (payment, notifications) = crate::payments::service::create_payment(conn, outbox, &request, actor)?;
    let matched = repo::set_matched(conn, id, payment.id, actor.employee_id())?;
    crate::audit::repo::record(
        conn,
        actor,
        "assignGatewayPayment",
        &[ids::encode(Kind::GatewayPayment, id), ids::encode(Kind::Payment, payment.id)],
        Some(&format!("{shown} -> {}", payment.payment_id)),
    )?;
    Ok((matched, payment, notifications))
}

/// Gateway money stays with the gateway's company: `BAD_USER_INPUT` on `customerId` or
/// `invoiceId` when either is another company's. (One that does not exist is refused as
/// `createPayment` refuses it.)
fn within_company(conn: &mut DbConn, company_id: i64, customer: Option<i64>, invoice: Option<i64>) -> AppResult<()> {
    if let Some(id) = customer {
        let customer = crate::settlement::service::lock_customer(conn, id, "customerId")?;
        if customer.company_id != company_id {
            return Err(AppError::bad_input(
                "customerId",
                format!(
                    "customer {} is another company's than the gateway's: its money stays with its company",
                    customer.customer_id
                ),
            ));
        }
    }
    if let Some(id) = invoice {
        let invoice = match crate::invoices::repo::find(conn, id) {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::bad_input("invoiceId", "`invoiceId` names no existing invoice"))
            }
            found => found?,
        };
        if invoice.company_id != company_id {
            return Err(AppError::bad_input(
                "invoiceId",
                format!(
                    "invoice {} is another company's than the gateway's: its money stays with its company",
                    invoice.invoice_number
                ),
            ));
        }
    }
    Ok(())
}
