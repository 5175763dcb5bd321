//! Loads a page's relations up front, one statement per relation, whatever the page size.
//!
//! A DataLoader batches the keys that arrive within its delay; on a large page resolving every
//! node can take longer than that, and the batch splits. So the `customers` connection looks
//! ahead at what the query selects and asks each loader for all the page's keys at once; the
//! per-node resolvers then find the rows in the request's loader cache.

use std::collections::BTreeSet;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, Lookahead, Value};

use super::loader::{InvoicesLoader, InvoicesOf, PaymentsLoader};
use super::model::CustomerRow;
use crate::companies::model::CompanyRow;
use crate::employees::model::EmployeeRow;
use crate::graphql::context::loader_error;
use crate::graphql::loaders::ByIdLoader;
use crate::invoices::model::InvoiceStatus;
use crate::localities::model::LocalityRow;
use crate::plans::model::PlanRow;

/// The selections of the page's customer objects (`nodes { ... }` and `edges { node { ... } }`).
fn node_selections<'a>(ctx: &'a Context<'a>) -> [Lookahead<'a>; 2] {
    let look = ctx.look_ahead();
    [look.field("nodes"), look.field("edges").field("node")]
}

fn selected(nodes: &[Lookahead<'_>; 2], field: &str) -> bool {
    nodes.iter().any(|n| n.field(field).exists())
}

async fn prime<R: Clone + Send + Sync + 'static>(ctx: &Context<'_>, keys: BTreeSet<i64>) -> async_graphql::Result<()> {
    if !keys.is_empty() {
        ctx.data_unchecked::<DataLoader<ByIdLoader<R>, HashMapCache>>().load_many(keys).await.map_err(loader_error)?;
    }
    Ok(())
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

/// Loads what the query selects of `rows`' relations into the request's loaders.
pub async fn relations(ctx: &Context<'_>, rows: &[CustomerRow]) -> async_graphql::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let nodes = node_selections(ctx);
    let keys = |f: fn(&CustomerRow) -> Option<i64>| rows.iter().filter_map(f).collect::<BTreeSet<i64>>();
    let by_id = async {
        if selected(&nodes, "plan") {
            prime::<PlanRow>(ctx, keys(|r| Some(r.plan_id))).await?;
        }
        if selected(&nodes, "company") {
            prime::<CompanyRow>(ctx, keys(|r| Some(r.company_id))).await?;
        }
        if selected(&nodes, "locality") {
            prime::<LocalityRow>(ctx, keys(|r| r.locality_id)).await?;
        }
        if selected(&nodes, "assignedEmployee") {
            prime::<EmployeeRow>(ctx, keys(|r| r.assigned_employee_id)).await?;
        }
        Ok::<_, async_graphql::Error>(())
    };
    let invoices = async {
        let payments_selected = nodes.iter().any(|n| n.field("invoices").field("payments").exists());
        for (status, first) in invoice_selections(&nodes) {
            // An out-of-range `first` is left to the field, which reports it.
            let Ok(wanted) = rows.iter().map(|r| InvoicesOf::new(r.id, status, first)).collect::<Result<Vec<_>, _>>()
            else {
                continue;
            };
            let loaded = ctx
                .data_unchecked::<DataLoader<InvoicesLoader, HashMapCache>>()
                .load_many(wanted)
                .await
                .map_err(loader_error)?;
            if payments_selected {
                let invoice_ids: BTreeSet<i64> = loaded.values().flatten().map(|i| i.id).collect();
                if !invoice_ids.is_empty() {
                    ctx.data_unchecked::<DataLoader<PaymentsLoader, HashMapCache>>()
                        .load_many(invoice_ids)
                        .await
                        .map_err(loader_error)?;
                }
            }
        }
        Ok::<_, async_graphql::Error>(())
    };
    let (a, b) = futures_util::join!(by_id, invoices);
    a.and(b)
}
