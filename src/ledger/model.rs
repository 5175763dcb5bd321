use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::transactions;
use crate::text_enum;

text_enum! {
    /// What moved money on a customer's account.
    pub enum TransactionType {
        /// An invoice was raised: the customer owes its total.
        Invoice => "INVOICE",
        /// A completed payment: the customer owes that much less (or holds it as advance).
        Payment => "PAYMENT",
        /// Money paid back to the customer: they owe that much more again.
        Refund => "REFUND",
        /// An add-on (router sale, reconnection, shifting) billed on its own invoice.
        AddonCharge => "ADDON_CHARGE",
        /// Advance money put on a new invoice. The balance does not change: the money only
        /// moves from the advance to the invoice.
        AdvanceApplied => "ADVANCE_APPLIED",
        /// Part of an invoice waived (a credit adjustment): the customer owes that much less.
        Adjustment => "ADJUSTMENT",
        /// An invoice was cancelled: its total no longer counts.
        InvoiceCancelled => "INVOICE_CANCELLED",
        /// A draft invoice was deleted: its total no longer counts.
        InvoiceDeleted => "INVOICE_DELETED",
    }
}

crate::row_and_new! {
    table = transactions;

    /// A row of `transactions`. Amounts in paise.
    #[derive(Debug, Clone, Queryable)]
    pub struct TransactionRow {
        pub id: i64,
        ..NewTransaction
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewTransaction {
        pub transaction_id: String,
        pub customer_id: i64,
        pub transaction_type: TransactionType,
        pub amount_paise: i64,
        pub balance_change_paise: i64,
        pub balance_after_paise: i64,
        pub invoice_id: Option<i64>,
        pub payment_id: Option<i64>,
        pub refund_id: Option<i64>,
        pub description: String,
        pub recorded_by: Option<i64>,
        pub created_at: NaiveDateTime,
        /// The credit note an ADJUSTMENT records.
        pub credit_note_id: Option<i64>,
    }
}

/// A movement to record; [`super::repo::append`] adds the number and the running balance.
#[derive(Debug, Clone)]
pub struct Entry {
    pub customer_id: i64,
    pub kind: TransactionType,
    /// How much money moved (never negative).
    pub amount: i64,
    /// What it does to what the customer owes: + owes more, − owes less.
    pub balance_change: i64,
    pub invoice_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub credit_note_id: Option<i64>,
    pub description: String,
}

impl Entry {
    pub fn new(customer_id: i64, kind: TransactionType, amount: i64, balance_change: i64, description: String) -> Self {
        Entry {
            customer_id,
            kind,
            amount,
            balance_change,
            invoice_id: None,
            payment_id: None,
            refund_id: None,
            credit_note_id: None,
            description,
        }
    }
}

/// Narrows `transactions`.
#[derive(Debug, Clone, Default)]
pub struct TransactionFilter {
    pub customer_id: Option<i64>,
    pub kind: Option<TransactionType>,
    pub invoice_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}
