//! The reports' statements: totals and groups for GraphQL, and batches of lines for the CSV
//! streams (keyset-paged, so each batch is an index range however far into the report).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::QueryableByName;

use super::model::{bucket_bounds, Ageing, DateRange, ReportFilter, RevenueGrouping};
use crate::customers::model::{CustomerFilter, CustomerRow};
use crate::dashboard::model::Scope;
use crate::dashboard::repo::{
    collected_conditions, collected_where, expenses_where, invoiced_conditions, owing_where, refunded_conditions,
    refunded_where, Collections,
};
use crate::db::schema::{customers, localities, plans};
use crate::db::sql::{Param, Sql};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::expenses::model::ExpenseCategory;

/// The collections `f` asks for.
pub fn collections(f: &ReportFilter) -> Collections {
    Collections {
        scope: f.scope,
        from: f.range.from,
        to: f.range.end(),
        method: f.method,
        collector_id: f.collector_id,
    }
}

#[derive(QueryableByName)]
struct Totals {
    #[diesel(sql_type = BigInt)]
    collected: i64,
    #[diesel(sql_type = BigInt)]
    payments: i64,
    #[diesel(sql_type = BigInt)]
    refunded: i64,
    #[diesel(sql_type = BigInt)]
    refunds: i64,
}

/// The collections report's totals: payments received (gross) and refunds made in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CollectionTotals {
    /// Sum of the payments, in paise.
    pub collected: i64,
    /// Number of payments.
    pub payments: i64,
    /// Sum of the refunds, in paise (positive).
    pub refunded: i64,
    /// Number of refunds.
    pub refunds: i64,
}

impl CollectionTotals {
    /// Collected less refunded.
    pub fn net(&self) -> i64 {
        self.collected - self.refunded
    }
}

/// Payments and refunds of the collections report, summed and counted in one statement.
pub fn collections_total(conn: &mut DbConn, f: &ReportFilter) -> AppResult<CollectionTotals> {
    let c = collections(f);
    let mut sql = Sql::new(
        "SELECT a.collected AS collected, a.payments AS payments, b.refunded AS refunded, b.refunds AS refunds \
         FROM (SELECT CAST(COALESCE(SUM(p.amount_paise), 0) AS BIGINT) AS collected, \
         CAST(COUNT(*) AS BIGINT) AS payments",
    );
    collected_where(&mut sql, &c);
    sql.push(
        ") a, (SELECT CAST(COALESCE(SUM(r.amount_paise), 0) AS BIGINT) AS refunded, \
         CAST(COUNT(*) AS BIGINT) AS refunds",
    );
    refunded_where(&mut sql, &c);
    sql.push(") b");
    let row: Totals = sql.one(conn)?;
    Ok(CollectionTotals {
        collected: row.collected,
        payments: row.payments,
        refunded: row.refunded,
        refunds: row.refunds,
    })
}

/// What a line of the collections report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Money received: a COMPLETED payment.
    Payment,
    /// Money paid back: a refund of such a payment.
    Refund,
}

impl LineKind {
    /// The `type` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Payment => "PAYMENT",
            LineKind::Refund => "REFUND",
        }
    }

    /// Its `kind` in the statement, which orders a payment before a refund made in the same
    /// instant.
    fn code(self) -> i64 {
        match self {
            LineKind::Payment => 0,
            LineKind::Refund => 1,
        }
    }
}

/// Where a batch of the collections report starts: after the line at `at` of `kind` and `id`.
pub type LineCursor = (NaiveDateTime, LineKind, i64);

/// One line of the collections report: a payment, or a refund of one (its amount negative).
#[derive(Debug, Clone, QueryableByName)]
pub struct CollectionLine {
    /// 0 for a payment, 1 for a refund (see [`CollectionLine::kind`]).
    #[diesel(sql_type = BigInt)]
    kind: i64,
    /// The payment's or the refund's row id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// When the payment was received, or the refund made.
    #[diesel(sql_type = Timestamp)]
    pub at: NaiveDateTime,
    /// The payment (for a refund: the payment it pays back).
    #[diesel(sql_type = Text)]
    pub payment_id: String,
    #[diesel(sql_type = Text)]
    pub customer_number: String,
    #[diesel(sql_type = Text)]
    pub customer_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub locality: Option<String>,
    #[diesel(sql_type = Text)]
    pub method: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub reference: Option<String>,
    /// Who collected the payment.
    #[diesel(sql_type = Nullable<Text>)]
    pub collector: Option<String>,
    /// Positive for a payment, negative for a refund.
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub refund_id: Option<String>,
    /// Who approved the refund.
    #[diesel(sql_type = Nullable<Text>)]
    pub refunded_by: Option<String>,
}

impl CollectionLine {
    pub fn kind(&self) -> LineKind {
        if self.kind == LineKind::Refund.code() {
            LineKind::Refund
        } else {
            LineKind::Payment
        }
    }

    /// The cursor just past this line.
    pub fn cursor(&self) -> LineCursor {
        (self.at, self.kind(), self.id)
    }
}

/// The payments as lines (customers `c`, localities `l`, collectors `e`).
const PAYMENT_LINES: &str =
    "SELECT CAST(0 AS BIGINT) AS kind, p.id AS id, p.paid_at AS at, p.payment_id AS payment_id, \
     c.customer_id AS customer_number, c.full_name AS customer_name, l.name AS locality, p.method AS method, \
     p.payment_reference AS reference, e.full_name AS collector, p.amount_paise AS amount, \
     CAST(NULL AS TEXT) AS refund_id, CAST(NULL AS TEXT) AS refunded_by \
     FROM payments p JOIN customers c ON c.id = p.customer_id \
     LEFT JOIN localities l ON l.id = c.locality_id LEFT JOIN employees e ON e.id = p.collected_by";

/// The refunds as lines, with their payments' columns (and `a`, the approver).
const REFUND_LINES: &str =
    "SELECT CAST(1 AS BIGINT) AS kind, r.id AS id, r.created_at AS at, p.payment_id AS payment_id, \
     c.customer_id AS customer_number, c.full_name AS customer_name, l.name AS locality, p.method AS method, \
     p.payment_reference AS reference, e.full_name AS collector, -r.amount_paise AS amount, \
     r.refund_id AS refund_id, a.full_name AS refunded_by \
     FROM refunds r JOIN payments p ON p.id = r.payment_id JOIN customers c ON c.id = r.customer_id \
     LEFT JOIN localities l ON l.id = c.locality_id LEFT JOIN employees e ON e.id = p.collected_by \
     LEFT JOIN employees a ON a.id = r.approved_by";

/// `AND <time, id> after the cursor` for the lines of `kind` (time column `at`, id column
/// `id`), in the report's order: time, then payments before refunds, then id.
fn after_cursor(sql: &mut Sql, kind: LineKind, at: &str, id: &str, cursor: Option<LineCursor>) {
    let Some((t, cursor_kind, cursor_id)) = cursor else { return };
    match kind.code().cmp(&cursor_kind.code()) {
        // Lines of an earlier kind at the cursor's time came before it.
        std::cmp::Ordering::Less => {
            sql.push_bind(&format!(" AND {at} > ?"), Param::Time(t));
        }
        // The first condition starts the index range at the cursor; the second skips the
        // lines of the cursor's own instant up to it.
        std::cmp::Ordering::Equal => {
            sql.push_bind(&format!(" AND {at} >= ?"), Param::Time(t));
            sql.push_bind(&format!(" AND ({at} > ?"), Param::Time(t));
            sql.push_bind(&format!(" OR {id} > ?)"), Param::Int(cursor_id));
        }
        // Lines of a later kind at the cursor's time all come after it.
        std::cmp::Ordering::Greater => {
            sql.push_bind(&format!(" AND {at} >= ?"), Param::Time(t));
        }
    }
}

/// Up to `limit` lines after `after`: payments by the time received and refunds by the time
/// made, merged in time order (a payment before a refund of the same instant, then by id).
pub fn collection_lines(
    conn: &mut DbConn,
    f: &ReportFilter,
    after: Option<LineCursor>,
    limit: i64,
) -> AppResult<Vec<CollectionLine>> {
    let c = collections(f);
    // Each part reads at most `limit` lines from its own index range; the outer statement
    // merges them.
    let mut sql = Sql::new("SELECT * FROM (SELECT * FROM (");
    sql.push(PAYMENT_LINES);
    collected_conditions(&mut sql, &c);
    after_cursor(&mut sql, LineKind::Payment, "p.paid_at", "p.id", after);
    sql.push_bind(" ORDER BY p.paid_at, p.id LIMIT ?", Param::Int(limit));
    sql.push(") pl UNION ALL SELECT * FROM (");
    sql.push(REFUND_LINES);
    refunded_conditions(&mut sql, &c);
    after_cursor(&mut sql, LineKind::Refund, "r.created_at", "r.id", after);
    sql.push_bind(" ORDER BY r.created_at, r.id LIMIT ?", Param::Int(limit));
    sql.push_bind(") rl) x ORDER BY x.at, x.kind, x.id LIMIT ?", Param::Int(limit));
    sql.load(conn)
}

/// The five bucket sums of [`bucket_sums`], as read back.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct Buckets {
    #[diesel(sql_type = BigInt)]
    not_due: i64,
    #[diesel(sql_type = BigInt)]
    d30: i64,
    #[diesel(sql_type = BigInt)]
    d60: i64,
    #[diesel(sql_type = BigInt)]
    d90: i64,
    #[diesel(sql_type = BigInt)]
    over: i64,
}

impl Buckets {
    pub fn ageing(&self) -> Ageing {
        Ageing {
            not_due: self.not_due,
            days_0_30: self.d30,
            days_31_60: self.d60,
            days_61_90: self.d90,
            over_90: self.over,
        }
    }
}

#[derive(QueryableByName)]
struct AgeingRow {
    #[diesel(embed)]
    buckets: Buckets,
    #[diesel(sql_type = BigInt)]
    customers: i64,
}

/// The five bucket sums over `i.balance_paise` by `i.due_date` on `as_of`.
fn bucket_sums(sql: &mut Sql, as_of: NaiveDate) {
    let [b30, b60, b90] = bucket_bounds(as_of);
    let sum = |sql: &mut Sql, cond: &str, name: &str, params: Vec<Param>| {
        sql.push(&format!(
            "CAST(COALESCE(SUM(CASE WHEN {cond} THEN i.balance_paise ELSE 0 END), 0) AS BIGINT) AS {name}, "
        ));
        for p in params {
            sql.bind(p);
        }
    };
    sum(sql, "i.due_date > ?", "not_due", vec![Param::Date(as_of)]);
    sum(sql, "i.due_date <= ? AND i.due_date >= ?", "d30", vec![Param::Date(as_of), Param::Date(b30)]);
    sum(sql, "i.due_date < ? AND i.due_date >= ?", "d60", vec![Param::Date(b30), Param::Date(b60)]);
    sum(sql, "i.due_date < ? AND i.due_date >= ?", "d90", vec![Param::Date(b60), Param::Date(b90)]);
    sum(sql, "i.due_date < ?", "over", vec![Param::Date(b90)]);
}

/// Everyone's unpaid balances by bucket on `as_of`, and how many customers owe.
pub fn ageing_totals(conn: &mut DbConn, scope: &Scope, as_of: NaiveDate) -> AppResult<(Ageing, i64)> {
    let mut sql = Sql::new("SELECT ");
    bucket_sums(&mut sql, as_of);
    sql.push("CAST(COUNT(DISTINCT i.customer_id) AS BIGINT) AS customers");
    owing_where(&mut sql, scope);
    let row: AgeingRow = sql.one(conn)?;
    Ok((row.buckets.ageing(), row.customers))
}

/// One customer's line of the dues report.
#[derive(Debug, Clone, QueryableByName)]
pub struct DuesLine {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub customer_number: String,
    #[diesel(sql_type = Text)]
    pub customer_name: String,
    #[diesel(sql_type = Text)]
    pub mobile: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub locality: Option<String>,
    #[diesel(embed)]
    pub buckets: Buckets,
}

/// Up to `limit` customers who owe, after customer row id `after`, in id order. The owing
/// invoices are grouped per customer along the owing index (in customer order, so each batch
/// reads only its own customers); names are joined to the batch afterwards.
pub fn dues_lines(
    conn: &mut DbConn,
    scope: &Scope,
    as_of: NaiveDate,
    after: i64,
    limit: i64,
) -> AppResult<Vec<DuesLine>> {
    let mut sql = Sql::new(
        "SELECT c.id AS id, c.customer_id AS customer_number, c.full_name AS customer_name, c.mobile AS mobile, \
         l.name AS locality, a.not_due AS not_due, a.d30 AS d30, a.d60 AS d60, a.d90 AS d90, a.over AS over \
         FROM (SELECT i.customer_id AS cid, ",
    );
    bucket_sums(&mut sql, as_of);
    sql.push("0 AS customers FROM invoices i");
    if scope.locality_id.is_some() {
        sql.push(" JOIN customers c ON c.id = i.customer_id");
    }
    sql.push(" WHERE i.balance_paise > 0 AND i.status <> 'CANCELLED'");
    crate::dashboard::repo::scope_filters(&mut sql, scope, "i.company_id");
    sql.push_bind(" AND i.customer_id > ?", Param::Int(after));
    sql.push_bind(" GROUP BY i.customer_id ORDER BY i.customer_id LIMIT ?", Param::Int(limit));
    sql.push(") a JOIN customers c ON c.id = a.cid LEFT JOIN localities l ON l.id = c.locality_id ORDER BY c.id");
    sql.load(conn)
}

/// One group of the revenue report.
#[derive(Debug, Clone, QueryableByName)]
pub struct RevenueLine {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub key: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub invoices: i64,
    #[diesel(sql_type = BigInt)]
    pub taxable: i64,
    #[diesel(sql_type = BigInt)]
    pub tax: i64,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// Invoiced amounts by plan or locality (of the customer, as they are now), largest first.
pub fn revenue(conn: &mut DbConn, f: &ReportFilter, by: RevenueGrouping) -> AppResult<Vec<RevenueLine>> {
    let (key, name, join) = match by {
        RevenueGrouping::Plan => ("g.id", "g.name", " JOIN plans g ON g.id = c.plan_id"),
        RevenueGrouping::Locality => ("g.id", "g.name", " LEFT JOIN localities g ON g.id = c.locality_id"),
    };
    let mut sql = Sql::new(&format!(
        "SELECT {key} AS key, {name} AS name, CAST(COUNT(*) AS BIGINT) AS invoices, \
         CAST(SUM(i.total_paise - i.cgst_paise - i.sgst_paise - i.igst_paise) AS BIGINT) AS taxable, \
         CAST(SUM(i.cgst_paise + i.sgst_paise + i.igst_paise) AS BIGINT) AS tax, \
         CAST(SUM(i.total_paise) AS BIGINT) AS total"
    ));
    // The customer is always joined (for the group), whatever the scope.
    sql.push(" FROM invoices i JOIN customers c ON c.id = i.customer_id");
    sql.push(join);
    invoiced_conditions(&mut sql, &f.scope, f.range.from, f.range.end());
    sql.push(&format!(" GROUP BY {key}, {name} ORDER BY total DESC, name"));
    sql.load(conn)
}

/// One month of the GST summary.
#[derive(Debug, Clone, QueryableByName)]
pub struct GstMonth {
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = BigInt)]
    pub invoices: i64,
    #[diesel(sql_type = BigInt)]
    pub taxable: i64,
    #[diesel(sql_type = BigInt)]
    pub cgst: i64,
    #[diesel(sql_type = BigInt)]
    pub sgst: i64,
    #[diesel(sql_type = BigInt)]
    pub igst: i64,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// Per month of invoice date: invoices, taxable value and each tax, as the invoices stand
/// (net of credit notes), oldest month first (months without invoices left out). Each month is
/// a range of the invoice-date index, so no date is formatted per row.
pub fn gst_summary(conn: &mut DbConn, f: &ReportFilter) -> AppResult<Vec<GstMonth>> {
    let end = f.range.end();
    let mut months = Vec::new();
    let mut start = f.range.from;
    while start < end {
        let next = crate::clock::next_month_start(start).min(end);
        months.push((start.format("%Y-%m").to_string(), start, next));
        start = next;
    }
    let mut sql = Sql::new(
        "SELECT b.month AS month, CAST(COUNT(*) AS BIGINT) AS invoices, \
         CAST(SUM(i.total_paise - i.cgst_paise - i.sgst_paise - i.igst_paise) AS BIGINT) AS taxable, \
         CAST(SUM(i.cgst_paise) AS BIGINT) AS cgst, CAST(SUM(i.sgst_paise) AS BIGINT) AS sgst, \
         CAST(SUM(i.igst_paise) AS BIGINT) AS igst, CAST(SUM(i.total_paise) AS BIGINT) AS total FROM (",
    );
    for (n, (month, lo, hi)) in months.into_iter().enumerate() {
        if n > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push_bind("SELECT ? AS month", Param::Text(month));
        sql.push_bind(", ? AS lo", Param::Date(lo));
        sql.push_bind(", ? AS hi", Param::Date(hi));
    }
    sql.push(") b JOIN invoices i ON i.invoice_date >= b.lo AND i.invoice_date < b.hi");
    if f.scope.locality_id.is_some() {
        sql.push(" JOIN customers c ON c.id = i.customer_id");
    }
    sql.push(" WHERE i.status <> 'CANCELLED'");
    crate::dashboard::repo::scope_filters(&mut sql, &f.scope, "i.company_id");
    sql.push(" GROUP BY b.month ORDER BY b.month");
    sql.load(conn)
}

#[derive(QueryableByName)]
struct CategoryRow {
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = BigInt)]
    amount: i64,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Expenses by category (every category, zero included).
pub fn expenses_by_category(
    conn: &mut DbConn,
    company: Option<i64>,
    range: &DateRange,
) -> AppResult<Vec<(ExpenseCategory, i64, i64)>> {
    let mut sql = Sql::new(
        "SELECT e.category AS category, CAST(SUM(e.amount_paise) AS BIGINT) AS amount, CAST(COUNT(*) AS BIGINT) AS count",
    );
    expenses_where(&mut sql, company, range.from, range.end());
    sql.push(" GROUP BY e.category");
    let rows: Vec<CategoryRow> = sql.load(conn)?;
    Ok(ExpenseCategory::ALL
        .iter()
        .map(|&c| {
            let row = rows.iter().find(|r| r.category == c.as_str());
            (c, row.map_or(0, |r| r.amount), row.map_or(0, |r| r.count))
        })
        .collect())
}

#[derive(QueryableByName)]
struct CustomerDues {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    owing: i64,
}

/// One line of the customer list.
#[derive(Debug, Clone)]
pub struct CustomerLine {
    pub row: CustomerRow,
    pub plan: String,
    pub locality: Option<String>,
    /// Unpaid balance of the customer's invoices.
    pub owing: i64,
    /// Money paid and on no invoice (as `Customer.advanceAmount`).
    pub advance: i64,
    /// What they owe by the ledger, negative with an advance (as `Customer.balance`).
    pub balance: i64,
}

/// Plan and locality names by id (reference data: small), for the customer list.
pub struct Names {
    plans: std::collections::HashMap<i64, String>,
    localities: std::collections::HashMap<i64, String>,
}

pub fn names(conn: &mut DbConn) -> AppResult<Names> {
    let plans: Vec<(i64, String)> = plans::table.select((plans::id, plans::name)).load(conn)?;
    let localities: Vec<(i64, String)> = localities::table.select((localities::id, localities::name)).load(conn)?;
    Ok(Names { plans: plans.into_iter().collect(), localities: localities.into_iter().collect() })
}

/// Up to `limit` customers matching `filter` after row id `after`, with their dues, advance
/// and ledger balance (one statement each for the batch).
pub fn customer_lines(
    conn: &mut DbConn,
    names: &Names,
    filter: &CustomerFilter,
    after: i64,
    limit: i64,
) -> AppResult<Vec<CustomerLine>> {
    let rows: Vec<CustomerRow> = crate::customers::repo::filtered(filter)
        .filter(customers::id.gt(after))
        .order(customers::id)
        .limit(limit)
        .select(CustomerRow::columns())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut sql = Sql::new(
        "SELECT i.customer_id AS id, CAST(SUM(i.balance_paise) AS BIGINT) AS owing FROM invoices i \
         WHERE i.balance_paise > 0 AND i.status <> 'CANCELLED' AND i.customer_id >= ? AND i.customer_id <= ? \
         GROUP BY i.customer_id",
    );
    let (first, last) = (ids.first().copied().unwrap_or(0), ids.last().copied().unwrap_or(0));
    sql.bind(Param::Int(first)).bind(Param::Int(last));
    let dues: std::collections::HashMap<i64, i64> = if ids.is_empty() {
        Default::default()
    } else {
        sql.load::<CustomerDues>(conn)?.into_iter().map(|d| (d.id, d.owing)).collect()
    };
    let advances = crate::payments::repo::advances(conn, &ids)?;
    let balances = crate::ledger::repo::balances(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| CustomerLine {
            advance: advances.get(&row.id).copied().unwrap_or(0),
            balance: balances.get(&row.id).copied().unwrap_or(0),
            plan: names.plans.get(&row.plan_id).cloned().unwrap_or_default(),
            locality: row.locality_id.and_then(|l| names.localities.get(&l).cloned()),
            owing: dues.get(&row.id).copied().unwrap_or(0),
            row,
        })
        .collect())
}
