//! What still refers to a row about to be deleted. A delete checks its target's list first and
//! answers `CONFLICT` naming every kind of row that refers to it, with how many, instead of
//! letting the foreign key fail (which SQLite reports without saying which, and which must
//! never surface as an internal error). The API tests compare these lists with the foreign
//! keys PostgreSQL holds, so a new table that refers to one of these cannot be forgotten.

use diesel::sql_types::BigInt;
use diesel::QueryableByName;

use crate::db::sql::{Param, Sql};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// One kind of row that refers to the target: `table.column` holds the target's row id.
#[derive(Debug, Clone, Copy)]
pub struct Referrer {
    pub table: &'static str,
    pub column: &'static str,
    /// What the rows are, in the plural, as the message names them.
    pub rows: &'static str,
}

const fn r(table: &'static str, column: &'static str, rows: &'static str) -> Referrer {
    Referrer { table, column, rows }
}

/// Rows that keep a company (its customers, catalogue, documents and books).
pub const OF_COMPANY: &[Referrer] = &[
    r("customers", "company_id", "customers"),
    r("plans", "company_id", "plans"),
    r("localities", "company_id", "localities"),
    r("invoices", "company_id", "invoices"),
    r("credit_notes", "company_id", "credit or debit notes"),
    r("document_series", "company_id", "document number series"),
    r("document_snapshots", "company_id", "issued document records"),
    r("document_amendments", "company_id", "amendments of issued documents"),
    r("einvoice_registrations", "company_id", "e-invoice registrations"),
    r("receipt_vouchers", "company_id", "receipt vouchers"),
    r("advance_adjustments", "company_id", "adjustments of advances"),
    r("gst_periods_closed", "company_id", "closed GST months"),
    r("expenses", "company_id", "expenses"),
    r("payment_gateways", "company_id", "payment gateways"),
];

/// Rows that keep a locality.
pub const OF_LOCALITY: &[Referrer] =
    &[r("customers", "locality_id", "customers"), r("connection_requests", "locality_id", "connection requests")];

/// Rows that keep a plan.
pub const OF_PLAN: &[Referrer] = &[
    r("customers", "plan_id", "customers"),
    r("connection_requests", "plan_id", "connection requests"),
    r("plan_changes", "old_plan_id", "plan changes from it"),
    r("plan_changes", "new_plan_id", "plan changes to it"),
];

/// Rows that keep a customer. Its draft invoices and their plan changes go with it (a draft
/// numbered in a financial-year series, or any invoice beyond DRAFT, is refused before this
/// list is read: `customers::repo::has_financial_history`).
pub const OF_CUSTOMER: &[Referrer] = &[
    r("payments", "customer_id", "payments"),
    r("addon_bills", "customer_id", "add-on bills"),
    r("refunds", "customer_id", "refunds"),
    r("credit_notes", "customer_id", "credit or debit notes"),
    r("complaints", "customer_id", "complaints"),
    r("connection_requests", "customer_id", "connection requests converted into it"),
    r("billing_run_errors", "customer_id", "billing run errors"),
    r("receipt_vouchers", "customer_id", "receipt vouchers"),
    r("service_pauses", "customer_id", "service pauses"),
    r("network_credentials", "customer_id", "network logins"),
    r("radius_sessions", "customer_id", "network sessions"),
    r("radius_usage_daily", "customer_id", "days of network usage"),
    r("nas_requests", "customer_id", "disconnect requests"),
];

/// Rows that keep an invoice. A draft's add-ons and plan changes wait for the next invoice
/// again when it goes (`invoices::service::remove_from_ledger`), so they are not listed.
pub const OF_INVOICE: &[Referrer] = &[
    r("payments", "invoice_id", "payments"),
    r("payment_allocations", "invoice_id", "payment allocations"),
    r("credit_notes", "invoice_id", "credit or debit notes"),
    r("advance_adjustments", "invoice_id", "adjustments of advances"),
];

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many rows of each kind in `referrers` refer to row `id`; only kinds with some.
pub fn count(conn: &mut DbConn, referrers: &[Referrer], id: i64) -> AppResult<Vec<(Referrer, i64)>> {
    let mut found = Vec::new();
    for referrer in referrers {
        // The text depends only on the list, never on data: one prepared statement per kind.
        let mut sql = Sql::new(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {} WHERE {} = ?",
            referrer.table, referrer.column
        ));
        sql.bind(Param::Int(id));
        let n = sql.load::<Count>(conn)?.first().map_or(0, |c| c.n);
        if n > 0 {
            found.push((*referrer, n));
        }
    }
    Ok(found)
}

/// `CONFLICT` when any row of `referrers` refers to row `id` of `what` ("this customer"),
/// naming each kind and how many, then `advice`.
pub fn refuse_if_referenced(
    conn: &mut DbConn,
    what: &str,
    referrers: &[Referrer],
    id: i64,
    advice: &str,
) -> AppResult<()> {
    let found = count(conn, referrers, id)?;
    if found.is_empty() {
        return Ok(());
    }
    Err(AppError::Conflict(message(what, &found, advice)))
}

fn message(what: &str, found: &[(Referrer, i64)], advice: &str) -> String {
    let named: Vec<String> = found.iter().map(|(r, n)| format!("{} ({n})", r.rows)).collect();
    format!("{what} cannot be deleted: {} still refer to it; {advice}", named.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_each_kind_and_how_many() {
        let found = [(OF_CUSTOMER[4], 2), (OF_CUSTOMER[5], 1)];
        assert_eq!(
            message("this customer", &found, "change its status to TERMINATED instead"),
            "this customer cannot be deleted: complaints (2), connection requests converted into it (1) still \
             refer to it; change its status to TERMINATED instead"
        );
    }
}
