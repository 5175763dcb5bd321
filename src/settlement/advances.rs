//! Advances under GST (CGST Act section 13, Rule 50): a customer's money that is on no issued
//! invoice is an advance for services not yet invoiced, and tax on it is due when received.
//! [`reconcile`] keeps the customer's open receipt vouchers equal to that money after every
//! change: more money on no issued invoice gets a receipt voucher for the difference; less
//! (it reached an issued invoice, or was refunded) adjusts the oldest vouchers first. Runs
//! inside the caller's transaction, with the customer locked. A change that leaves that money
//! as it was does not call it: a payment wholly on issued invoices (`settlement::service::settle`).
//! So money held while the company had no GSTIN (nothing is vouchered then) gets its voucher
//! when a GSTIN is set and the customer's advance next changes (a payment with some advance, a
//! refund, an invoice that takes it), not at such a payment.

use chrono::NaiveDate;

use crate::customers::model::CustomerRow;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::receipt_vouchers::model::{AdjustmentCause, NewAdjustment, NewVoucher};
use crate::receipt_vouchers::repo::{self, Advance};
use crate::receipt_vouchers::rules::{adjusted, in_advance};

/// What changed the customer's money.
#[derive(Debug, Clone, Copy)]
pub enum Cause {
    /// A payment completed: the part on no issued invoice is an advance.
    Payment(i64),
    /// Invoice `id`, dated `date`, was issued or had money put on it.
    Invoice(i64, NaiveDate),
    /// Money was refunded.
    Refund,
}

/// Brings `customer`'s receipt vouchers in line with their money on no issued invoice (nothing
/// for a company without a GSTIN: it charges no tax). `customer` is the row the caller locked.
pub fn reconcile(conn: &mut DbConn, customer: &CustomerRow, cause: Cause) -> AppResult<()> {
    let customer_id = customer.id;
    let Advance { taxed, unbilled, open } = repo::advance(conn, customer.company_id, customer_id)?;
    if taxed == 0 || unbilled == open {
        return Ok(());
    }
    let today = crate::clock::today();
    let now = crate::clock::now();
    if unbilled > open {
        let company = crate::companies::repo::find(conn, customer.company_id)?;
        let amount = unbilled - open;
        let rate = crate::invoices::rules::charged_rate(company.gst_rate_bp, true);
        let same_state = crate::invoices::rules::same_state(&customer.state, &company.state);
        let split = in_advance(amount, rate, same_state);
        let year = crate::series::rules::financial_year(today);
        let new = NewVoucher {
            company_id: company.id,
            customer_id,
            payment_id: match cause {
                Cause::Payment(id) => Some(id),
                _ => None,
            },
            series: crate::series::rules::series_name(repo::PREFIX, year),
            serial: 0,
            voucher_number: String::new(),
            voucher_date: today,
            amount_paise: amount,
            taxable_paise: split.taxable,
            cgst_paise: split.tax.cgst,
            sgst_paise: split.tax.sgst,
            igst_paise: split.tax.igst,
            rate_bp: rate,
            pos_code: crate::states::gst_code(&customer.state).unwrap_or("97").to_owned(),
            inter_state: !same_state,
            customer_gstin: customer.customer_gst_no.clone(),
            adjusted_paise: 0,
            document: String::new(),
            created_at: now,
        };
        repo::insert_numbered(conn, new, year, |conn, voucher| {
            crate::documents::source::receipt_voucher(conn, voucher, &company, customer)
        })?;
    } else if unbilled < open {
        let mut left = open - unbilled;
        let (kind, invoice_id, on) = match cause {
            Cause::Invoice(id, date) => (AdjustmentCause::Invoiced, Some(id), date),
            Cause::Refund => (AdjustmentCause::Refunded, None, today),
            Cause::Payment(_) => (AdjustmentCause::Invoiced, None, today),
        };
        for voucher in repo::open_of_customer(conn, customer_id)? {
            if left == 0 {
                break;
            }
            let take = left.min(voucher.open());
            let before = repo::adjusted_of(conn, voucher.id)?;
            let part = adjusted(voucher.split(), take, voucher.open(), before);
            let new = NewAdjustment {
                voucher_id: voucher.id,
                company_id: voucher.company_id,
                // Never before the advance came in.
                adjusted_on: on.max(voucher.voucher_date),
                amount_paise: take,
                taxable_paise: part.taxable,
                cgst_paise: part.tax.cgst,
                sgst_paise: part.tax.sgst,
                igst_paise: part.tax.igst,
                invoice_id,
                cause: kind,
                created_at: now,
            };
            repo::adjust(conn, &voucher, &new)?;
            left -= take;
        }
    }
    Ok(())
}
