//! SQL fragments diesel's DSL lacks, written so the statement text never depends on the
//! data: the database keeps them prepared. (diesel's `eq_any` writes one placeholder per id
//! on SQLite, and its `sql()` literals are never cached, so such queries were parsed on
//! every request: a sixth of the server's CPU in the profile benchmark.)

use diesel::expression::{is_aggregate, AppearsOnTable, Expression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::QueryResult;

use super::MultiBackend;

/// The text of `column IN (ids)` before and after its one bound value, the ids as
/// [`super::id_list`] writes them: SQLite reads them as a JSON array, PostgreSQL as an array.
fn in_list(sqlite: bool) -> (&'static str, &'static str) {
    if sqlite {
        (" IN (SELECT value FROM json_each('[' || ", " || ']'))")
    } else {
        (" = ANY(string_to_array(", ", ',')::bigint[])")
    }
}

/// The text of the ids as a table, one row each, before and after its one bound value (the ids
/// as [`super::id_list`] writes them): SQLite's `json_each` (the id in column `value`),
/// PostgreSQL's `unnest` of an array (name its column with the alias).
fn id_rows(sqlite: bool) -> (&'static str, &'static str) {
    if sqlite {
        ("json_each('[' || ", " || ']')")
    } else {
        ("unnest(string_to_array(", ", ',')::bigint[])")
    }
}

/// Pushes `column IN (ids)` with the ids as one bound value (see [`super::id_list`]).
fn push_in_list<'b>(out: &mut AstPass<'_, 'b, MultiBackend>, column: &'static str, ids: &'b String) -> QueryResult<()> {
    let (before, after) = in_list(matches!(out.backend(), MultiBackend::Sqlite(_)));
    out.push_sql(column);
    out.push_sql(before);
    out.push_bind_param::<Text, String>(ids)?;
    out.push_sql(after);
    Ok(())
}

/// `column IN (?)` for [`super::sql::Sql`] on `conn`'s backend: bind the ids as one text value,
/// [`super::id_list`].
pub fn id_in_text(conn: &super::DbConn, column: &str) -> String {
    let (before, after) = in_list(matches!(conn, super::DbConn::Sqlite(_)));
    format!("{column}{before}?{after}")
}

/// `column IN (ids)`: a filter on any table that has `column`.
#[derive(Debug, Clone)]
pub struct IdIn {
    column: &'static str,
    ids: String,
}

/// The filter `column IN (ids)`, e.g. `id_in("plans.id", &ids)`.
pub fn id_in(column: &'static str, ids: &[i64]) -> IdIn {
    IdIn { column, ids: super::id_list(ids) }
}

impl Expression for IdIn {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for IdIn {}

impl<GB> ValidGrouping<GB> for IdIn {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for IdIn {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for IdIn {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        push_in_list(&mut out, self.column, &self.ids)
    }
}

/// A condition with its constants written inline, e.g. `condition("payments.status =
/// 'COMPLETED'")` (SQL text of ours, never user input; cached like any other statement, unlike
/// diesel's `sql()`).
///
/// Use it where the condition is the one of a partial index (`status = 'COMPLETED'`,
/// `balance_paise > 0`, `status <> 'CANCELLED'`). With the constant bound as a parameter
/// instead, SQLite's planner checks whether the bound value implies the index's condition
/// and then re-prepares the statement every time the parameter is bound again, which diesel
/// does on every execution (docs/ARCHITECTURE.md, "Queries stay prepared").
#[derive(Debug, Clone, Copy)]
pub struct Condition(&'static str);

pub fn condition(sql: &'static str) -> Condition {
    Condition(sql)
}

impl Expression for Condition {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for Condition {}

impl<GB> ValidGrouping<GB> for Condition {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for Condition {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for Condition {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("(");
        out.push_sql(self.0);
        out.push_sql(")");
        Ok(())
    }
}

/// `payments.invoice_id IN (ids) OR payments.id IN (the payments with an allocation on one of
/// ids)`: written so that each side uses its index (SQLite's multi-index OR; on PostgreSQL one
/// `IN` over the union of both lists); an OR over a joined table's column would scan every
/// payment.
#[derive(Debug, Clone)]
pub struct PaymentsOnInvoices {
    ids: String,
}

/// The payments that name one of `invoice_ids` or put money on one.
pub fn payments_on_invoices(invoice_ids: &[i64]) -> PaymentsOnInvoices {
    PaymentsOnInvoices { ids: super::id_list(invoice_ids) }
}

impl Expression for PaymentsOnInvoices {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for PaymentsOnInvoices {}

impl<GB> ValidGrouping<GB> for PaymentsOnInvoices {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for PaymentsOnInvoices {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for PaymentsOnInvoices {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        if matches!(out.backend(), MultiBackend::Sqlite(_)) {
            out.push_sql("(");
            push_in_list(&mut out, "payments.invoice_id", &self.ids)?;
            out.push_sql(" OR payments.id IN (SELECT payment_allocations.payment_id FROM payment_allocations WHERE ");
            push_in_list(&mut out, "payment_allocations.invoice_id", &self.ids)?;
            out.push_sql("))");
        } else {
            // PostgreSQL cannot put `id IN (subquery)` into a bitmap OR: the OR read every
            // payment (8 ms a profile page). One IN over both lists uses both indexes.
            out.push_sql("payments.id IN (SELECT named.id FROM payments AS named WHERE ");
            push_in_list(&mut out, "named.invoice_id", &self.ids)?;
            out.push_sql(" UNION ALL SELECT payment_allocations.payment_id FROM payment_allocations WHERE ");
            push_in_list(&mut out, "payment_allocations.invoice_id", &self.ids)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

/// `<table>.id IN (the newest `first` rows of each customer, of one status or all)`. For tables
/// with `id`, `customer_id` (and `status` when filtered by it) and an index on `(customer_id,
/// id)`: each customer's rows are read backwards along that index, no more than `first` of
/// them, where ranking every row of the customers with `ROW_NUMBER()` read them all (a third to
/// a quarter of the profile's invoices statement on either database, `docs/BENCHMARKS.md`).
/// [`NewestPerCustomer::push_from`] gives the same rows as a table expression.
#[derive(Debug, Clone)]
pub struct NewestPerCustomer {
    table: &'static str,
    customers: String,
    status: Option<String>,
    first: i64,
}

/// The newest `first` invoices of each customer, optionally of one status.
pub fn newest_invoices(customer_ids: &[i64], status: Option<&str>, first: i64) -> NewestPerCustomer {
    newest_per_customer("invoices", customer_ids, status, first)
}

/// The newest `first` rows of `table` (a table name, not user input) for each customer.
pub fn newest_per_customer(
    table: &'static str,
    customer_ids: &[i64],
    status: Option<&str>,
    first: i64,
) -> NewestPerCustomer {
    // Each customer once: the table expression yields a customer's rows once per mention.
    let mut customers = customer_ids.to_vec();
    customers.sort_unstable();
    customers.dedup();
    NewestPerCustomer { table, customers: super::id_list(&customers), status: status.map(str::to_owned), first }
}

impl Expression for NewestPerCustomer {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for NewestPerCustomer {}

impl<GB> ValidGrouping<GB> for NewestPerCustomer {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for NewestPerCustomer {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl NewestPerCustomer {
    /// The newest rows as a table expression named `alias`, for a `FROM` clause. PostgreSQL:
    /// `unnest(the customers) AS wanted(customer_id) CROSS JOIN LATERAL (SELECT <columns> FROM
    /// <table> WHERE customer_id = wanted.customer_id [AND status = ?] ORDER BY id DESC LIMIT
    /// first) AS <alias>`. SQLite, which has no `LATERAL`: `json_each(the customers) AS wanted
    /// JOIN <table> AS <alias> ON <alias>.id IN (the same per customer, its ids)`, every column.
    pub fn push_from<'b>(
        &'b self,
        out: &mut AstPass<'_, 'b, MultiBackend>,
        columns: &'static str,
        alias: &'static str,
    ) -> QueryResult<()> {
        let sqlite = matches!(out.backend(), MultiBackend::Sqlite(_));
        let (before, after) = id_rows(sqlite);
        out.push_sql(before);
        out.push_bind_param::<Text, String>(&self.customers)?;
        out.push_sql(after);
        if sqlite {
            out.push_sql(" AS wanted JOIN ");
            out.push_sql(self.table);
            out.push_sql(" AS ");
            out.push_sql(alias);
            out.push_sql(" ON ");
            out.push_sql(alias);
            out.push_sql(".id IN (SELECT id FROM ");
            out.push_sql(self.table);
            out.push_sql(" WHERE customer_id = wanted.value");
        } else {
            out.push_sql(" AS wanted(customer_id) CROSS JOIN LATERAL (SELECT ");
            out.push_sql(columns);
            out.push_sql(" FROM ");
            out.push_sql(self.table);
            out.push_sql(" WHERE customer_id = wanted.customer_id");
        }
        if let Some(status) = &self.status {
            out.push_sql(" AND status = ");
            out.push_bind_param::<Text, String>(status)?;
        }
        out.push_sql(" ORDER BY id DESC LIMIT ");
        out.push_bind_param::<BigInt, i64>(&self.first)?;
        out.push_sql(")");
        if !sqlite {
            out.push_sql(" AS ");
            out.push_sql(alias);
        }
        Ok(())
    }
}

impl QueryFragment<MultiBackend> for NewestPerCustomer {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(self.table);
        out.push_sql(".id IN (SELECT newest.id FROM ");
        self.push_from(&mut out, "id", "newest")?;
        out.push_sql(")");
        Ok(())
    }
}
