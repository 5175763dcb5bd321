//! Making and removing add-on bills inside the caller's write transaction.

use super::model::{AddonBillOn, AddonRow, AddonType, NewAddon};
use super::repo;
use super::rules::{particulars, GoodsInput};
use crate::audit::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::invoices::rules::{due_date, Amounts};
use crate::invoices::service::{issue, new_invoice, tax_for};
use crate::ledger::model::TransactionType;
use crate::money::rupees;
use crate::settlement::service::lock_customer;

/// An add-on as the caller described it (checked for form already).
#[derive(Debug, Clone)]
pub struct AddonRequest {
    pub customer_id: i64,
    pub addon_type: AddonType,
    pub description: String,
    pub amount: i64,
    pub bill_on: AddonBillOn,
    /// Goods: HSN code, quantity, unit (checked by [`super::rules::particulars`]).
    pub goods: GoodsInput,
}

/// `createAddonBill`: the charge with GST at the company's rate. `OWN_INVOICE` raises its
/// invoice at once (on the ledger as `ADDON_CHARGE`, advance applied); `NEXT_INVOICE` waits,
/// `PENDING`, for the customer's next `createInvoice`.
pub fn create(conn: &mut DbConn, req: &AddonRequest, actor: &Actor) -> AppResult<AddonRow> {
    let goods = particulars(req.addon_type, &req.goods).map_err(|(field, e)| AppError::bad_input(field, e))?;
    let customer = lock_customer(conn, req.customer_id, "customerId")?;
    let tax = tax_for(conn, &customer, req.amount)?;
    let now = crate::clock::now();
    let new = NewAddon {
        customer_id: customer.id,
        addon_type: req.addon_type,
        description: req.description.clone(),
        amount_paise: req.amount,
        cgst_paise: tax.cgst,
        sgst_paise: tax.sgst,
        igst_paise: tax.igst,
        bill_on: req.bill_on,
        invoice_id: None,
        created_by: actor.employee_id(),
        created_at: now,
        updated_at: now,
        hsn: goods.hsn,
        quantity: goods.quantity,
        uqc: goods.uqc,
    };
    let mut addon = repo::insert(conn, &new)?;
    let mut targets = vec![ids::encode(Kind::AddonBill, addon.id)];
    if req.bill_on == AddonBillOn::OwnInvoice {
        let today = crate::clock::today();
        let amounts = Amounts { bill: req.amount, tax, installation: 0, discount: 0 };
        let invoice = new_invoice(&customer, &amounts, today, due_date(today), None, None)?;
        let label = format!("{} ({})", addon.description, addon.addon_type);
        let invoice =
            issue(conn, invoice, TransactionType::AddonCharge, |n| format!("Add-on {label} on invoice {n}"), actor)?;
        repo::mark_billed(conn, &[addon.id], invoice.id)?;
        addon.invoice_id = Some(invoice.id);
        targets.push(ids::encode(Kind::Invoice, invoice.id));
    }
    let details = format!("{} ₹{} {}", addon.addon_type, rupees(addon.amount_paise), addon.bill_on);
    crate::audit::repo::record(conn, actor, "createAddonBill", &targets, Some(&details))?;
    Ok(addon)
}

/// `deleteAddonBill`: only while `PENDING`; a billed one is on an invoice (cancel that instead).
pub fn delete(conn: &mut DbConn, id: i64, actor: &Actor) -> AppResult<()> {
    let customer = repo::find(conn, id)?.customer_id;
    lock_customer(conn, customer, "id")?;
    let addon = repo::find(conn, id)?;
    if addon.invoice_id.is_some() {
        return Err(AppError::Conflict(
            "this add-on is already on an invoice; cancel or delete that invoice first".to_owned(),
        ));
    }
    repo::delete(conn, id)?;
    crate::audit::repo::record(
        conn,
        actor,
        "deleteAddonBill",
        &[ids::encode(Kind::AddonBill, id)],
        Some(&addon.description),
    )
}
