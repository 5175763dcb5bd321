//! Batched has-many lookups of the profile: a customer's invoices, an invoice's payments.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::MAX_PAGE_SIZE;
use crate::invoices::model::InvoiceRow;
use crate::invoices::model::InvoiceStatus;
use crate::payments::model::PaymentRow;

/// How many invoices `Customer.invoices` returns when `first` is left out.
pub const DEFAULT_INVOICES: i32 = 12;

/// Which invoices of which customer: `Customer.invoices(status:, first:)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvoicesOf {
    pub customer: i64,
    pub status: Option<&'static str>,
    pub first: i32,
}

impl InvoicesOf {
    /// The key for `customer`'s invoices; `first` defaults to 12 and must be 0 to 100.
    pub fn new(customer: i64, status: Option<InvoiceStatus>, first: Option<i32>) -> AppResult<Self> {
        let first = first.unwrap_or(DEFAULT_INVOICES);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                format!("`first` must be between 0 and {MAX_PAGE_SIZE}, got {first}"),
            ));
        }
        Ok(InvoicesOf { customer, status: status.map(InvoiceStatus::as_str), first })
    }
}

/// Loads the invoices of many customers in one statement per distinct `(status, first)`.
pub struct InvoicesLoader(pub Db);

impl Loader<InvoicesOf> for InvoicesLoader {
    type Value = Vec<InvoiceRow>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[InvoicesOf]) -> Result<HashMap<InvoicesOf, Vec<InvoiceRow>>, Self::Error> {
        let mut groups: HashMap<(Option<&'static str>, i32), Vec<i64>> = HashMap::new();
        for key in keys {
            groups.entry((key.status, key.first)).or_default().push(key.customer);
        }
        let mut out: HashMap<InvoicesOf, Vec<InvoiceRow>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for ((status, first), customers) in groups {
            let rows = self
                .0
                .read(move |conn| {
                    crate::invoices::repo::newest_for_customers(conn, &customers, status, i64::from(first))
                })
                .await
                .map_err(Arc::new)?;
            for row in rows {
                let key = InvoicesOf { customer: row.customer_id, status, first };
                out.entry(key).or_default().push(row);
            }
        }
        Ok(out)
    }
}

/// Loads the payments of many invoices in one statement.
pub struct PaymentsLoader(pub Db);

impl Loader<i64> for PaymentsLoader {
    type Value = Vec<PaymentRow>;
    type Error = Arc<AppError>;

    async fn load(&self, invoice_ids: &[i64]) -> Result<HashMap<i64, Vec<PaymentRow>>, Self::Error> {
        let ids = invoice_ids.to_vec();
        let rows = self.0.read(move |conn| crate::payments::repo::for_invoices(conn, &ids)).await.map_err(Arc::new)?;
        let mut out: HashMap<i64, Vec<PaymentRow>> = invoice_ids.iter().map(|id| (*id, Vec::new())).collect();
        for row in rows {
            if let Some(invoice_id) = row.invoice_id {
                out.entry(invoice_id).or_default().push(row);
            }
        }
        Ok(out)
    }
}
