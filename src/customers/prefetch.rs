//! Loads a page's relations together with the page, in a fixed number of statements whatever
//! the page size, in the same database round trip.
//!
//! A DataLoader batches the keys that arrive within its delay; on a large page resolving every
//! node can take longer than that, and a batch splits. So the `customers` connection looks
//! ahead at what the query selects ([`Selection::of`]) and reads, in one blocking task: the
//! count only when `totalCount` is selected; the page with the to-one relations it selects
//! (plan, locality, company, assigned employee) joined, one statement (`repo::page`, or
//! `repo::page_brief` when the nodes ask only for what the brief rows of a customer, its plan
//! and its company hold: [`Selection::brief`]); and the
//! selected invoices with, when selected, the payments on each, one statement per
//! `invoices(status:, first:)` selection (`loader::invoices_with_money`), of brief rows (the
//! columns a page shows) when the selection asks for nothing more. [`fetch`] splits the
//! rows and [`Fetched::feed`] puts them into the request's loaders, where the per-node
//! resolvers find them.

use std::collections::HashMap;

use async_graphql::{Context, Lookahead, SelectionField, Value};

use super::loader::CustomerData;
use super::loader::{invoices_of, invoices_with_money, InvoicesByKey, InvoicesOf, MoneyByInvoice};
use super::repo::{self, CustomerWith};
use crate::companies::graphql::{Company, CompanyBriefId, CompanyId};
use crate::companies::model::{CompanyBrief, CompanyRow};
use crate::db::page::Page;
use crate::db::DbConn;
use crate::employees::graphql::ContactId;
use crate::employees::model::ContactRow;
use crate::error::AppResult;
use crate::graphql::loaders::{feed, feed_many};
use crate::invoices::model::InvoiceStatus;
use crate::localities::graphql::LocalityId;
use crate::localities::model::LocalityRow;
use crate::plans::graphql::{Plan, PlanBriefId, PlanId};
use crate::plans::model::{PlanBrief, PlanRow};

/// Which relations of the page's customers the query selects.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `totalCount`: the page is counted only when it is asked for.
    pub total: bool,
    /// The nodes ask only for fields [`super::model::CustomerBrief`] and the brief rows of its
    /// plan and company answer: the page reads those ([`customer_brief_enough`]).
    pub brief: bool,
    /// The to-one relations, joined to the page.
    pub related: repo::Related,
    /// `(status, first, brief)` of each `invoices` selection (`brief`: it asks only for what
    /// the brief rows hold, [`brief_enough`]).
    invoices: Vec<(Option<InvoiceStatus>, Option<i32>, bool)>,
    payments: bool,
}

impl Selection {
    /// Reads the selection of the connection field being resolved (`nodes { ... }` and
    /// `edges { node { ... } }`).
    pub fn of(ctx: &Context<'_>) -> Selection {
        let look = ctx.look_ahead();
        let nodes = [look.field("nodes"), look.field("edges").field("node")];
        let selected = |field: &str| nodes.iter().any(|n| n.field(field).exists());
        // Invoices are not read for a caller the field would refuse anyway.
        let billing = crate::auth::guard::require(ctx, crate::auth::permissions::Permission::ReadBilling).is_ok();
        Selection {
            total: look.field("totalCount").exists(),
            brief: customer_brief_enough(&look),
            related: repo::Related {
                plan: selected("plan"),
                company: selected("company"),
                locality: selected("locality"),
                employee: selected("assignedEmployee"),
            },
            invoices: if billing { invoice_selections(&nodes) } else { Vec::new() },
            payments: billing
                && nodes.iter().any(|n| {
                    let invoices = n.field("invoices");
                    invoices.field("payments").exists() || invoices.field("allocations").exists()
                }),
        }
    }
}

/// The `(status, first, brief)` of every `invoices` selection on the page's nodes.
fn invoice_selections(nodes: &[Lookahead<'_>; 2]) -> Vec<(Option<InvoiceStatus>, Option<i32>, bool)> {
    let mut out = Vec::new();
    for node in nodes {
        for field in node.field("invoices").selection_fields() {
            let args = field.arguments().unwrap_or_default();
            let arg = |name: &str| args.iter().find(|(n, _)| n.as_str() == name).map(|(_, v)| v.clone());
            let status = match arg("status") {
                Some(Value::Enum(name)) => InvoiceStatus::from_db(name.as_str()).ok(),
                _ => None,
            };
            let first = match arg("first") {
                Some(Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
                _ => None,
            };
            out.push((status, first, brief_enough(&field)));
        }
    }
    out
}

/// The fields of `Customer` that [`super::model::CustomerBrief`] answers: its own shown on a page, and those
/// that need only its id or the ids it holds (relations, lists, money).
const CUSTOMER_BRIEF_FIELDS: &[&str] = &[
    "__typename",
    "id",
    "customerId",
    "fullName",
    "mobile",
    "status",
    "endDate",
    "plan",
    "locality",
    "company",
    "assignedEmployee",
    "invoices",
    "balance",
    "advanceAmount",
    "payments",
    "transactions",
    "complaints",
    "receiptVouchers",
    "addonBills",
    "planChanges",
    "pause",
    "pauses",
    "networkCredentials",
    "online",
    "sessions",
    "usage",
    "nasRequests",
];

/// Whether every node of the connection being resolved (`nodes { ... }`, `edges { node { ... } }`)
/// asks only for [`CUSTOMER_BRIEF_FIELDS`], and of its plan and company only for what their
/// brief rows hold ([`Plan::BRIEF_FIELDS`], [`Company::BRIEF_FIELDS`]).
fn customer_brief_enough(connection: &Lookahead<'_>) -> bool {
    let within = |field: &SelectionField<'_>, names: &[&str]| field.selection_set().all(|f| names.contains(&f.name()));
    let brief = |node: SelectionField<'_>| {
        node.selection_set().all(|f| match f.name() {
            "plan" => within(&f, Plan::BRIEF_FIELDS),
            "company" => within(&f, Company::BRIEF_FIELDS),
            name => CUSTOMER_BRIEF_FIELDS.contains(&name),
        })
    };
    connection.field("nodes").selection_fields().into_iter().all(brief)
        && connection
            .field("edges")
            .selection_fields()
            .into_iter()
            .flat_map(|edges| edges.selection_set().filter(|f| f.name() == "node").collect::<Vec<_>>())
            .all(brief)
}

/// The fields of `Invoice` that [`crate::invoices::model::InvoiceBrief`] answers (`payments`
/// when its own fields are among [`PAYMENT_BRIEF_FIELDS`]).
const INVOICE_BRIEF_FIELDS: &[&str] = &[
    "__typename",
    "id",
    "invoiceNumber",
    "customer",
    "totalAmount",
    "paidAmount",
    "balanceAmount",
    "invoiceDate",
    "dueDate",
    "status",
    "pdfUrl",
    "htmlUrl",
    "pdfDownloadUrl",
    "htmlDownloadUrl",
    "payments",
];

/// The fields of `Payment` that [`crate::payments::model::PaymentBrief`] answers.
const PAYMENT_BRIEF_FIELDS: &[&str] =
    &["__typename", "id", "paymentId", "amount", "paymentMethod", "status", "paidAt", "customer"];

/// Whether a selection of invoices (`invoices { ... }`) asks only for what the brief rows hold:
/// then the page reads those ([`invoices_with_money`] with `brief`), and `Customer.invoices`
/// asks its loader for them.
pub fn brief_enough(invoices: &SelectionField<'_>) -> bool {
    invoices.selection_set().all(|field| match field.name() {
        "payments" => field.selection_set().all(|paid| PAYMENT_BRIEF_FIELDS.contains(&paid.name())),
        name => INVOICE_BRIEF_FIELDS.contains(&name),
    })
}

/// Rows of the selected relations, read with the page.
#[derive(Default)]
pub struct Fetched {
    plans: HashMap<i64, PlanRow>,
    plan_briefs: HashMap<i64, PlanBrief>,
    companies: HashMap<i64, CompanyRow>,
    company_briefs: HashMap<i64, CompanyBrief>,
    localities: HashMap<i64, LocalityRow>,
    employees: HashMap<i64, ContactRow>,
    invoices: InvoicesByKey,
    payments: MoneyByInvoice,
}

/// Takes the joined relations off `page`'s rows and reads the invoices (and the money on them)
/// `selection` asks for: one statement per `invoices` selection, none for an empty page.
pub fn fetch<C, P: Related, Co: Related>(
    conn: &mut DbConn,
    selection: &Selection,
    page: Page<CustomerWith<C, P, Co>>,
) -> AppResult<(Page<CustomerData>, Fetched)>
where
    CustomerData: From<C>,
{
    let mut fetched = Fetched::default();
    let page = page.map(|(customer, plan, locality, company, employee)| {
        if let Some(row) = plan {
            row.keep(&mut fetched);
        }
        if let Some(row) = locality {
            fetched.localities.insert(row.id, row);
        }
        if let Some(row) = company {
            row.keep(&mut fetched);
        }
        if let Some(row) = employee {
            fetched.employees.insert(row.id, row);
        }
        CustomerData::from(customer)
    });
    let id = |customer: &CustomerData| *crate::shown!(customer, id);
    let Some(first_customer) = page.rows.first().map(id) else { return Ok((page, fetched)) };
    let customer_ids: Vec<i64> = page.rows.iter().map(id).collect();
    for &(status, first, brief) in &selection.invoices {
        // An out-of-range `first` is left to the field, which reports it.
        let Ok(probe) = InvoicesOf::new(first_customer, status, first, brief) else { continue };
        if fetched.invoices.contains_key(&probe) {
            continue;
        }
        if selection.payments {
            let (invoices, money) = invoices_with_money(conn, &customer_ids, probe)?;
            fetched.invoices.extend(invoices);
            fetched.payments.extend(money);
        } else {
            fetched.invoices.extend(invoices_of(conn, &customer_ids, probe)?);
        }
    }
    Ok((page, fetched))
}

impl Fetched {
    /// Puts the rows into the request's loader caches.
    pub async fn feed(self, ctx: &Context<'_>) {
        feed::<PlanId>(ctx, self.plans.into_values().collect()).await;
        feed::<PlanBriefId>(ctx, self.plan_briefs.into_values().collect()).await;
        feed::<CompanyId>(ctx, self.companies.into_values().collect()).await;
        feed::<CompanyBriefId>(ctx, self.company_briefs.into_values().collect()).await;
        feed::<LocalityId>(ctx, self.localities.into_values().collect()).await;
        feed::<ContactId>(ctx, self.employees.into_values().collect()).await;
        if !self.invoices.is_empty() {
            feed_many(ctx, self.invoices).await;
        }
        if !self.payments.is_empty() {
            feed_many(ctx, self.payments).await;
        }
    }
}

/// A plan or company row, whole or brief, as a page read it with its customers.
pub trait Related {
    /// Puts the row among the page's relations, once per id.
    fn keep(self, fetched: &mut Fetched);
}

impl Related for PlanRow {
    fn keep(self, fetched: &mut Fetched) {
        fetched.plans.insert(self.id, self);
    }
}

impl Related for PlanBrief {
    fn keep(self, fetched: &mut Fetched) {
        fetched.plan_briefs.insert(self.id, self);
    }
}

impl Related for CompanyRow {
    fn keep(self, fetched: &mut Fetched) {
        fetched.companies.insert(self.id, self);
    }
}

impl Related for CompanyBrief {
    fn keep(self, fetched: &mut Fetched) {
        fetched.company_briefs.insert(self.id, self);
    }
}
