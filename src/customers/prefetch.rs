//! Loads a page's relations together with the page, one statement per relation, whatever the
//! page size, in the same database round trip.
//!
//! A DataLoader batches the keys that arrive within its delay; on a large page resolving every
//! node can take longer than that, and a batch splits. So the `customers` connection looks
//! ahead at what the query selects ([`Selection::of`]), reads the page and each selected
//! relation in one blocking task ([`fetch`]), and feeds the rows to the request's loaders
//! ([`Fetched::feed`]); the per-node resolvers then find them in the loader caches.

use std::collections::{BTreeSet, HashMap};

use async_graphql::{Context, Lookahead, Value};

use super::loader::{invoices_of, payments_of, InvoicesOf, MoneyOfInvoice};
use super::model::CustomerRow;
use crate::companies::graphql::CompanyId;
use crate::companies::model::CompanyRow;
use crate::db::DbConn;
use crate::employees::graphql::EmployeeId;
use crate::employees::model::EmployeeRow;
use crate::error::AppResult;
use crate::graphql::loaders::{feed, feed_many};
use crate::invoices::model::{InvoiceRow, InvoiceStatus};
use crate::localities::graphql::LocalityId;
use crate::localities::model::LocalityRow;
use crate::plans::graphql::PlanId;
use crate::plans::model::PlanRow;

/// Which relations of the page's customers the query selects.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    plan: bool,
    company: bool,
    locality: bool,
    employee: bool,
    /// `(status, first)` of each `invoices` selection (with a valid `first`).
    invoices: Vec<(Option<InvoiceStatus>, Option<i32>)>,
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
            plan: selected("plan"),
            company: selected("company"),
            locality: selected("locality"),
            employee: selected("assignedEmployee"),
            invoices: if billing { invoice_selections(&nodes) } else { Vec::new() },
            payments: billing
                && nodes.iter().any(|n| {
                    let invoices = n.field("invoices");
                    invoices.field("payments").exists() || invoices.field("allocations").exists()
                }),
        }
    }
}

/// The `(status, first)` of every `invoices` selection on the page's nodes.
fn invoice_selections(nodes: &[Lookahead<'_>; 2]) -> Vec<(Option<InvoiceStatus>, Option<i32>)> {
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
            out.push((status, first));
        }
    }
    out
}

/// Rows of the selected relations, read with the page.
#[derive(Default)]
pub struct Fetched {
    plans: Vec<PlanRow>,
    companies: Vec<CompanyRow>,
    localities: Vec<LocalityRow>,
    employees: Vec<EmployeeRow>,
    invoices: HashMap<InvoicesOf, Vec<InvoiceRow>>,
    payments: HashMap<i64, super::loader::InvoiceMoney>,
}

/// Reads what `selection` asks for of `rows`' relations: one statement per relation.
pub fn fetch(conn: &mut DbConn, selection: &Selection, rows: &[CustomerRow]) -> AppResult<Fetched> {
    let mut fetched = Fetched::default();
    if rows.is_empty() {
        return Ok(fetched);
    }
    let keys = |f: fn(&CustomerRow) -> Option<i64>| rows.iter().filter_map(f).collect::<BTreeSet<i64>>();
    let list = |set: BTreeSet<i64>| set.into_iter().collect::<Vec<i64>>();
    if selection.plan {
        fetched.plans = crate::plans::repo::by_ids(conn, &list(keys(|r| Some(r.plan_id))))?;
    }
    if selection.company {
        fetched.companies = crate::companies::repo::by_ids(conn, &list(keys(|r| Some(r.company_id))))?;
    }
    if selection.locality {
        let ids = list(keys(|r| r.locality_id));
        if !ids.is_empty() {
            fetched.localities = crate::localities::repo::by_ids(conn, &ids)?;
        }
    }
    if selection.employee {
        let ids = list(keys(|r| r.assigned_employee_id));
        if !ids.is_empty() {
            fetched.employees = crate::employees::repo::by_ids(conn, &ids)?;
        }
    }
    let customer_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    for &(status, first) in &selection.invoices {
        // An out-of-range `first` is left to the field, which reports it.
        let Ok(probe) = InvoicesOf::new(0, status, first) else { continue };
        if fetched.invoices.contains_key(&InvoicesOf { customer: customer_ids[0], ..probe }) {
            continue;
        }
        fetched.invoices.extend(invoices_of(conn, &customer_ids, probe.status, probe.first)?);
    }
    if selection.payments {
        let invoice_ids: BTreeSet<i64> = fetched.invoices.values().flatten().map(|i| i.id).collect();
        if !invoice_ids.is_empty() {
            fetched.payments = payments_of(conn, &list(invoice_ids))?;
        }
    }
    Ok(fetched)
}

impl Fetched {
    /// Puts the rows into the request's loader caches.
    pub async fn feed(self, ctx: &Context<'_>) {
        feed::<PlanId>(ctx, self.plans).await;
        feed::<CompanyId>(ctx, self.companies).await;
        feed::<LocalityId>(ctx, self.localities).await;
        feed::<EmployeeId>(ctx, self.employees).await;
        if !self.invoices.is_empty() {
            feed_many(ctx, self.invoices).await;
        }
        if !self.payments.is_empty() {
            feed_many(ctx, self.payments.into_iter().map(|(id, money)| (MoneyOfInvoice(id), money))).await;
        }
    }
}
