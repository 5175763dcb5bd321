//! Batched lookups of the profile: a customer's invoices and account figures, an invoice's
//! payments.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::model::{CustomerBrief, CustomerRow};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::graphql::loaders::{load_one, Reader};
use crate::graphql::pagination::MAX_PAGE_SIZE;
use crate::graphql::shown::Shown;
use crate::invoices::model::{InvoiceBrief, InvoiceRow, InvoiceStatus};
use crate::payments::model::{AllocationRow, PaymentBrief, PaymentRow};

/// How many invoices `Customer.invoices` returns when `first` is left out.
pub const DEFAULT_INVOICES: i32 = 12;

/// A customer as the profile holds it: the whole row, or the brief one a page read.
pub type CustomerData = Shown<CustomerRow, CustomerBrief>;

impl From<CustomerRow> for CustomerData {
    fn from(row: CustomerRow) -> Self {
        Shown::Whole(row)
    }
}

impl From<CustomerBrief> for CustomerData {
    fn from(row: CustomerBrief) -> Self {
        Shown::Brief(row)
    }
}

/// An invoice as the profile holds it: the whole row, or the brief one a page read.
pub type InvoiceData = Shown<InvoiceRow, InvoiceBrief>;
/// A payment as the profile holds it: the whole row, or the brief one a page read.
pub type PaymentData = Shown<PaymentRow, PaymentBrief>;

/// Which invoices of which customer: `Customer.invoices(status:, first:)`, and whether the
/// query asks only for what [`InvoiceBrief`] and [`PaymentBrief`] hold (`brief`). A brief key
/// the page did not read loads whole rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvoicesOf {
    pub customer: i64,
    pub status: Option<InvoiceStatus>,
    pub first: i32,
    pub brief: bool,
}

impl InvoicesOf {
    /// The key for `customer`'s invoices; `first` defaults to 12 and must be 0 to 100.
    pub fn new(customer: i64, status: Option<InvoiceStatus>, first: Option<i32>, brief: bool) -> AppResult<Self> {
        let first = first.unwrap_or(DEFAULT_INVOICES);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                format!("`first` must be between 0 and {MAX_PAGE_SIZE}, got {first}"),
            ));
        }
        Ok(InvoicesOf { customer, status, first, brief })
    }
}

/// Invoices per [`InvoicesOf`] key.
pub type InvoicesByKey = HashMap<InvoicesOf, Vec<InvoiceData>>;
/// The money on each invoice, by its key.
pub type MoneyByInvoice = HashMap<MoneyOfInvoice, InvoiceMoney>;

/// The newest invoices of `customers` under `key`'s `(status, first)` (its `customer` aside),
/// keyed per customer (every customer present, with an empty list when it has none), whole
/// rows. One statement.
pub fn invoices_of(conn: &mut DbConn, customers: &[i64], key: InvoicesOf) -> AppResult<InvoicesByKey> {
    let mut out: InvoicesByKey = customers.iter().map(|c| (InvoicesOf { customer: *c, ..key }, Vec::new())).collect();
    for row in crate::invoices::repo::newest_for_customers(conn, customers, key.status, i64::from(key.first))? {
        out.entry(InvoicesOf { customer: row.customer_id, ..key }).or_default().push(Shown::Whole(row));
    }
    Ok(out)
}

/// The newest invoices of `customers` under `key` as [`invoices_of`] keys them, with the money
/// on each as [`payments_of`] gives it (every invoice present): one statement for both, of the
/// brief rows when `key.brief`.
pub fn invoices_with_money(
    conn: &mut DbConn,
    customers: &[i64],
    key: InvoicesOf,
) -> AppResult<(InvoicesByKey, MoneyByInvoice)> {
    let (status, first) = (key.status, i64::from(key.first));
    let rows: Vec<(InvoiceData, Option<PaymentData>, Option<AllocationRow>)> = if key.brief {
        crate::payments::on_invoices::newest_with_payments_brief(conn, customers, status, first)?
            .into_iter()
            .map(|(invoice, payment)| (Shown::Brief(invoice), payment.map(Shown::Brief), None))
            .collect()
    } else {
        crate::payments::on_invoices::newest_with_payments(conn, customers, status, first)?
            .into_iter()
            .map(|(invoice, payment, allocation)| (Shown::Whole(invoice), payment.map(Shown::Whole), allocation))
            .collect()
    };
    let mut invoices: InvoicesByKey =
        customers.iter().map(|c| (InvoicesOf { customer: *c, ..key }, Vec::new())).collect();
    let mut money: MoneyByInvoice = HashMap::new();
    for (invoice, payment, allocation) in rows {
        let id = *crate::shown!(&invoice, id);
        let on_invoice = match money.entry(MoneyOfInvoice { invoice: id, brief: key.brief }) {
            Entry::Occupied(seen) => seen.into_mut(),
            Entry::Vacant(new) => {
                let customer = *crate::shown!(&invoice, customer_id);
                invoices.entry(InvoicesOf { customer, ..key }).or_default().push(invoice);
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
        rows.sort_unstable_by_key(|r| std::cmp::Reverse(*crate::shown!(r, id)));
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
    pub payments: Vec<PaymentData>,
    /// What each payment put on the invoice (negative: taken back by a refund), in the order
    /// it happened. Empty in the money of a brief [`MoneyOfInvoice`] the page read.
    pub allocations: Vec<(AllocationRow, PaymentData)>,
}

impl InvoiceMoney {
    /// Payments by id, allocations in the order they happened.
    fn sort(&mut self) {
        self.payments.sort_by_key(|p| *crate::shown!(p, id));
        self.allocations.sort_by_key(|(a, _)| a.id);
    }

    fn add_payment(&mut self, payment: &PaymentData) {
        // An invoice has few payments: a linear look for a repeat is cheapest.
        let id = *crate::shown!(payment, id);
        if !self.payments.iter().any(|p| *crate::shown!(p, id) == id) {
            self.payments.push(payment.clone());
        }
    }
}

/// The money on `invoice_ids` (whole rows), keyed per invoice (every invoice present). One
/// statement.
pub fn payments_of(conn: &mut DbConn, invoice_ids: &[i64]) -> AppResult<HashMap<i64, InvoiceMoney>> {
    let mut out: HashMap<i64, InvoiceMoney> = invoice_ids.iter().map(|id| (*id, InvoiceMoney::default())).collect();
    for (row, allocation) in crate::payments::repo::with_allocations_on(conn, invoice_ids)? {
        let named = row.invoice_id;
        let payment = Shown::Whole(row);
        if let Some(named) = named.and_then(|id| out.get_mut(&id)) {
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

/// Loads the invoices of many customers in one statement per distinct `(status, first)`, whole
/// rows (a brief key is read whole when the page did not read it).
impl Loader<InvoicesOf> for Reader {
    type Value = Vec<InvoiceData>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[InvoicesOf]) -> Result<InvoicesByKey, Self::Error> {
        let mut groups: HashMap<InvoicesOf, Vec<i64>> = HashMap::new();
        for key in keys {
            groups.entry(InvoicesOf { customer: 0, ..*key }).or_default().push(key.customer);
        }
        let mut out = HashMap::new();
        for (key, customers) in groups {
            let found = self.db().read(move |conn| invoices_of(conn, &customers, key)).await.map_err(Arc::new)?;
            out.extend(found);
        }
        Ok(out)
    }
}

/// An invoice's id, for the money on it (`Invoice.payments`, `.allocations`), and whether the
/// invoice is a brief one (its money, read with the page, holds brief payments and no
/// allocations; read later, whole rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MoneyOfInvoice {
    pub invoice: i64,
    pub brief: bool,
}

/// Loads the money on many invoices (their payments and allocations) in one statement.
impl Loader<MoneyOfInvoice> for Reader {
    type Value = InvoiceMoney;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[MoneyOfInvoice]) -> Result<MoneyByInvoice, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.invoice).collect();
        let keys = keys.to_vec();
        let found = self.db().read(move |conn| payments_of(conn, &ids)).await.map_err(Arc::new)?;
        Ok(keys.into_iter().filter_map(|key| Some((key, found.get(&key.invoice)?.clone()))).collect())
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
