//! Batched lookups of the profile: a customer's invoices and account figures, an invoice's
//! payments.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::graphql::loaders::{load_one, Reader};
use crate::graphql::pagination::MAX_PAGE_SIZE;
use crate::invoices::model::InvoiceRow;
use crate::invoices::model::InvoiceStatus;
use crate::payments::model::{AllocationRow, PaymentRow};

/// How many invoices `Customer.invoices` returns when `first` is left out.
pub const DEFAULT_INVOICES: i32 = 12;

/// Which invoices of which customer: `Customer.invoices(status:, first:)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvoicesOf {
    pub customer: i64,
    pub status: Option<InvoiceStatus>,
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
        Ok(InvoicesOf { customer, status, first })
    }
}

/// The newest invoices of `customers` under one `(status, first)`, keyed per customer (every
/// customer present, with an empty list when it has none). One statement.
pub fn invoices_of(
    conn: &mut DbConn,
    customers: &[i64],
    status: Option<InvoiceStatus>,
    first: i32,
) -> AppResult<HashMap<InvoicesOf, Vec<InvoiceRow>>> {
    let key = |customer| InvoicesOf { customer, status, first };
    let mut out: HashMap<InvoicesOf, Vec<InvoiceRow>> = customers.iter().map(|c| (key(*c), Vec::new())).collect();
    for row in crate::invoices::repo::newest_for_customers(conn, customers, status, i64::from(first))? {
        out.entry(key(row.customer_id)).or_default().push(row);
    }
    Ok(out)
}

/// Invoices per [`InvoicesOf`] key.
pub type InvoicesByKey = HashMap<InvoicesOf, Vec<InvoiceRow>>;
/// The money on each invoice, by invoice id.
pub type MoneyByInvoice = HashMap<i64, InvoiceMoney>;

/// The newest invoices of `customers` under one `(status, first)` as [`invoices_of`] keys them,
/// with the money on each as [`payments_of`] gives it (every invoice present): one statement for
/// both.
pub fn invoices_with_money(
    conn: &mut DbConn,
    customers: &[i64],
    status: Option<InvoiceStatus>,
    first: i32,
) -> AppResult<(InvoicesByKey, MoneyByInvoice)> {
    let key = |customer| InvoicesOf { customer, status, first };
    let mut invoices: HashMap<InvoicesOf, Vec<InvoiceRow>> = customers.iter().map(|c| (key(*c), Vec::new())).collect();
    let mut money: HashMap<i64, InvoiceMoney> = HashMap::new();
    let rows = crate::payments::on_invoices::newest_with_payments(conn, customers, status, i64::from(first))?;
    for (invoice, payment, allocation) in rows {
        let on_invoice = match money.entry(invoice.id) {
            Entry::Occupied(seen) => seen.into_mut(),
            Entry::Vacant(new) => {
                invoices.entry(key(invoice.customer_id)).or_default().push(invoice);
                new.insert(InvoiceMoney::default())
            }
        };
        if let Some(payment) = payment {
            on_invoice.add_payment(&payment);
            if let Some(allocation) = allocation {
                on_invoice.allocations.push((allocation, payment));
            }
        }
    }
    for rows in invoices.values_mut() {
        rows.sort_unstable_by_key(|r| std::cmp::Reverse(r.id));
    }
    for on_invoice in money.values_mut() {
        on_invoice.sort();
    }
    Ok((invoices, money))
}

/// The money on one invoice.
#[derive(Debug, Clone, Default)]
pub struct InvoiceMoney {
    /// Every payment that names the invoice (pending and failed ones too) or put money on it
    /// (a payment spread over open invoices names none of them), oldest first.
    pub payments: Vec<PaymentRow>,
    /// What each payment put on the invoice (negative: taken back by a refund), in the order
    /// it happened.
    pub allocations: Vec<(AllocationRow, PaymentRow)>,
}

impl InvoiceMoney {
    /// Payments by id, allocations in the order they happened.
    fn sort(&mut self) {
        self.payments.sort_by_key(|p| p.id);
        self.allocations.sort_by_key(|(a, _)| a.id);
    }

    fn add_payment(&mut self, payment: &PaymentRow) {
        // An invoice has few payments: a linear look for a repeat is cheapest.
        if !self.payments.iter().any(|p| p.id == payment.id) {
            self.payments.push(payment.clone());
        }
    }
}

/// The money on `invoice_ids`, keyed per invoice (every invoice present). One statement.
pub fn payments_of(conn: &mut DbConn, invoice_ids: &[i64]) -> AppResult<HashMap<i64, InvoiceMoney>> {
    let mut out: HashMap<i64, InvoiceMoney> = invoice_ids.iter().map(|id| (*id, InvoiceMoney::default())).collect();
    for (payment, allocation) in crate::payments::repo::with_allocations_on(conn, invoice_ids)? {
        if let Some(named) = payment.invoice_id.and_then(|id| out.get_mut(&id)) {
            named.add_payment(&payment);
        }
        if let Some(allocation) = allocation {
            if let Some(money) = out.get_mut(&allocation.invoice_id) {
                money.add_payment(&payment);
                money.allocations.push((allocation, payment));
            }
        }
    }
    for money in out.values_mut() {
        money.sort();
    }
    Ok(out)
}

/// Loads the invoices of many customers in one statement per distinct `(status, first)`.
impl Loader<InvoicesOf> for Reader {
    type Value = Vec<InvoiceRow>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[InvoicesOf]) -> Result<HashMap<InvoicesOf, Vec<InvoiceRow>>, Self::Error> {
        let mut groups: HashMap<(Option<InvoiceStatus>, i32), Vec<i64>> = HashMap::new();
        for key in keys {
            groups.entry((key.status, key.first)).or_default().push(key.customer);
        }
        let mut out = HashMap::new();
        for ((status, first), customers) in groups {
            let found =
                self.db().read(move |conn| invoices_of(conn, &customers, status, first)).await.map_err(Arc::new)?;
            out.extend(found);
        }
        Ok(out)
    }
}

/// An invoice's id, for the money on it (`Invoice.payments`, `.allocations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MoneyOfInvoice(pub i64);

/// Loads the money on many invoices (their payments and allocations) in one statement.
impl Loader<MoneyOfInvoice> for Reader {
    type Value = InvoiceMoney;
    type Error = Arc<AppError>;

    async fn load(&self, invoice_ids: &[MoneyOfInvoice]) -> Result<HashMap<MoneyOfInvoice, InvoiceMoney>, Self::Error> {
        let ids: Vec<i64> = invoice_ids.iter().map(|k| k.0).collect();
        let found = self.db().read(move |conn| payments_of(conn, &ids)).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(id, money)| (MoneyOfInvoice(id), money)).collect())
    }
}

/// A customer's account figures: what they owe by the ledger, and their advance.
#[derive(Debug, Clone, Copy, Default)]
pub struct Account {
    pub balance: i64,
    pub advance: i64,
}

/// A customer's id, for their [`Account`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountOfCustomer(pub i64);

/// Loads [`Account`]s of many customers: two statements.
impl Loader<AccountOfCustomer> for Reader {
    type Value = Account;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[AccountOfCustomer]) -> Result<HashMap<AccountOfCustomer, Account>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        self.db()
            .read(move |conn| {
                let balances = crate::ledger::repo::balances(conn, &ids)?;
                let advances = crate::payments::repo::advances(conn, &ids)?;
                Ok(ids
                    .iter()
                    .map(|id| {
                        let account = Account {
                            balance: balances.get(id).copied().unwrap_or(0),
                            advance: advances.get(id).copied().unwrap_or(0),
                        };
                        (AccountOfCustomer(*id), account)
                    })
                    .collect())
            })
            .await
            .map_err(Arc::new)
    }
}

/// A customer's [`Account`] through the request's loader.
pub async fn load_account(ctx: &Context<'_>, customer: AccountOfCustomer) -> async_graphql::Result<Account> {
    Ok(load_one(ctx, customer).await?.unwrap_or_default())
}
