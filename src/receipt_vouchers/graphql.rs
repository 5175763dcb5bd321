//! The `ReceiptVoucher` type (read through `Customer.receiptVouchers` and `node(id:)`).

use async_graphql::{Context, Object, Result, ID};

use super::model::VoucherRow;
use crate::auth::permissions::Permission;
use crate::customers::graphql::Customer;
use crate::graphql::access::load_own;
use crate::graphql::ids::global_id;
use crate::graphql::scalars::{Date, Money};
use crate::payments::graphql::Payment;

crate::by_id_key! {
    /// The id of one of the receipt vouchers, for the batched lookup by id.
    ReceiptVoucherId => VoucherRow, super::repo::by_ids
}

crate::owner_key! {
    /// A customer's id, for their receipt vouchers.
    VouchersOfCustomer => VoucherRow, super::repo::of_customers, |r| r.customer_id
}

/// A receipt voucher (CGST Rule 50): money a customer paid before the services it pays for
/// were invoiced (an advance, or a payment on a proforma), with the GST in it, which is due
/// when the money comes in. Issued by the server whenever a customer's money on no issued
/// invoice grows, numbered `RV/26-27/000001` per company and financial year; adjusted, oldest
/// first, when that money reaches an issued invoice or is refunded. Only registered companies
/// issue them. `amount = taxableValue + cgstTax + sgstTax + igstTax`. Never changed, except
/// `adjustedAmount`.
pub struct ReceiptVoucher(pub VoucherRow);

impl ReceiptVoucher {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::ReceiptVoucher;

    /// The voucher with row id `key`, if the caller may read billing data of its customer.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<ReceiptVoucher>> {
        Ok(load_own(ctx, Permission::ReadBilling, ReceiptVoucherId(key), |row| row.customer_id)
            .await?
            .map(ReceiptVoucher))
    }
}

#[Object]
impl ReceiptVoucher {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// `RV/26-27/000001`: the company's receipt voucher series of the financial year.
    async fn voucher_number(&self) -> &str {
        &self.0.voucher_number
    }
    /// The day the advance was received (India time).
    async fn voucher_date(&self) -> Date {
        Date(self.0.voucher_date)
    }
    /// The advance received, tax included.
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    /// `amount` less its tax.
    async fn taxable_value(&self) -> Money {
        Money(self.0.taxable_paise)
    }
    async fn cgst_tax(&self) -> Money {
        Money(self.0.cgst_paise)
    }
    async fn sgst_tax(&self) -> Money {
        Money(self.0.sgst_paise)
    }
    async fn igst_tax(&self) -> Money {
        Money(self.0.igst_paise)
    }
    /// How much of `amount` has since reached an issued invoice or been refunded.
    async fn adjusted_amount(&self) -> Money {
        Money(self.0.adjusted_paise)
    }
    /// The payment that brought the money in (`null` when it came back to the customer from
    /// elsewhere).
    async fn payment(&self, ctx: &Context<'_>) -> Result<Option<Payment>> {
        match self.0.payment_id {
            Some(id) => Payment::load(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        Customer::load(ctx, self.0.customer_id).await
    }
    /// Where the voucher as a PDF is (`GET`, with the API's bearer token).
    async fn pdf_url(&self) -> String {
        format!("/receipt-vouchers/{}.pdf", global_id(Self::KIND, self.0.id).0)
    }
    /// Where the voucher as a printable HTML page is (`GET`, same bearer token).
    async fn html_url(&self) -> String {
        format!("/receipt-vouchers/{}.html", global_id(Self::KIND, self.0.id).0)
    }
}
