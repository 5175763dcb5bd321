//! The dashboard's aggregate statements. Each figure is one `SUM`/`COUNT` over an index range
//! (see migration `back_office`); nothing is summed in Rust. The reports build their filters
//! with [`scope_filters`] too, so a report and the dashboard count the same rows.

use chrono::{Duration, NaiveDate};
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel::QueryableByName;

use super::model::{Collected, Count, DayAmount, Periods, Scope, Summary, ThreePeriods, COMPLAINT_AGE_HOURS};
use crate::complaints::model::ComplaintPriority;
use crate::customers::model::CustomerStatus;
use crate::db::sql::{Param, Sql};
use crate::db::DbConn;
use crate::enums::ServiceType;
use crate::error::AppResult;
use crate::payments::model::PaymentMethod;

/// Which collections a figure sums: COMPLETED payments received on business dates
/// `[from, to)`, in `scope`, optionally of one method or one collector.
#[derive(Debug, Clone, Copy)]
pub struct Collections {
    pub scope: Scope,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub method: Option<PaymentMethod>,
    pub collector_id: Option<i64>,
}

impl Collections {
    pub fn between(scope: &Scope, from: NaiveDate, to: NaiveDate) -> Collections {
        Collections { scope: *scope, from, to, method: None, collector_id: None }
    }
}

/// `FROM payments p … WHERE …` for `c` (customers joined as `c` when the scope needs them).
pub fn collected_where(sql: &mut Sql, c: &Collections) {
    sql.push(" FROM payments p");
    if c.scope.company_id.is_some() || c.scope.locality_id.is_some() {
        sql.push(" JOIN customers c ON c.id = p.customer_id");
    }
    collected_conditions(sql, c);
}

/// `WHERE …` for `c`, over payments `p` and (when scoped) customers `c`.
pub fn collected_conditions(sql: &mut Sql, c: &Collections) {
    sql.push(" WHERE p.status = 'COMPLETED'");
    sql.push_bind(" AND p.paid_at >= ?", Param::Time(Periods::instant(c.from)));
    sql.push_bind(" AND p.paid_at < ?", Param::Time(Periods::instant(c.to)));
    if let Some(method) = c.method {
        sql.push_bind(" AND p.method = ?", Param::Text(method.as_str().to_owned()));
    }
    if let Some(collector) = c.collector_id {
        sql.push_bind(" AND p.collected_by = ?", Param::Int(collector));
    }
    scope_filters(sql, &c.scope, "c.company_id");
}

/// `FROM refunds r … WHERE …`: the refunds made on business dates `[from, to)` (by their
/// `created_at`, the same day boundaries as payments' `paid_at`), of customers in the scope,
/// of payments of `c`'s method and collector when it names them (payments joined as `p`,
/// customers as `c`, when needed).
pub fn refunded_where(sql: &mut Sql, c: &Collections) {
    sql.push(" FROM refunds r");
    if c.method.is_some() || c.collector_id.is_some() {
        sql.push(" JOIN payments p ON p.id = r.payment_id");
    }
    if c.scope.company_id.is_some() || c.scope.locality_id.is_some() {
        sql.push(" JOIN customers c ON c.id = r.customer_id");
    }
    refunded_conditions(sql, c);
}

/// `WHERE …` for the refunds of `c`, over refunds `r`, their payments `p` (when `c` names a
/// method or collector) and (when scoped) customers `c`. A refund narrows by the method and
/// collector of the payment it pays back.
pub fn refunded_conditions(sql: &mut Sql, c: &Collections) {
    sql.push_bind(" WHERE r.created_at >= ?", Param::Time(Periods::instant(c.from)));
    sql.push_bind(" AND r.created_at < ?", Param::Time(Periods::instant(c.to)));
    if let Some(method) = c.method {
        sql.push_bind(" AND p.method = ?", Param::Text(method.as_str().to_owned()));
    }
    if let Some(collector) = c.collector_id {
        sql.push_bind(" AND p.collected_by = ?", Param::Int(collector));
    }
    scope_filters(sql, &c.scope, "c.company_id");
}

/// Invoices (alias `i`, not cancelled) dated in `[from, to)`, in `scope`.
pub fn invoiced_where(sql: &mut Sql, scope: &Scope, from: NaiveDate, to: NaiveDate) {
    sql.push(" FROM invoices i");
    if scope.locality_id.is_some() {
        sql.push(" JOIN customers c ON c.id = i.customer_id");
    }
    invoiced_conditions(sql, scope, from, to);
}

/// `WHERE …` over invoices `i` and (with a locality) customers `c`.
pub fn invoiced_conditions(sql: &mut Sql, scope: &Scope, from: NaiveDate, to: NaiveDate) {
    sql.push(" WHERE i.status <> 'CANCELLED'");
    sql.push_bind(" AND i.invoice_date >= ?", Param::Date(from));
    sql.push_bind(" AND i.invoice_date < ?", Param::Date(to));
    scope_filters(sql, scope, "i.company_id");
}

/// Invoices (alias `i`) still owing money, in `scope`.
pub fn owing_where(sql: &mut Sql, scope: &Scope) {
    sql.push(" FROM invoices i");
    if scope.locality_id.is_some() {
        sql.push(" JOIN customers c ON c.id = i.customer_id");
    }
    sql.push(" WHERE i.balance_paise > 0 AND i.status <> 'CANCELLED'");
    scope_filters(sql, scope, "i.company_id");
}

/// Expenses (alias `e`) dated in `[from, to)`, of `company` (expenses have no locality).
pub fn expenses_where(sql: &mut Sql, company: Option<i64>, from: NaiveDate, to: NaiveDate) {
    sql.push(" FROM expenses e");
    sql.push_bind(" WHERE e.expense_date >= ?", Param::Date(from));
    sql.push_bind(" AND e.expense_date < ?", Param::Date(to));
    if let Some(company) = company {
        sql.push_bind(" AND e.company_id = ?", Param::Int(company));
    }
}

/// `AND <company column> = ? AND c.locality_id = ?` for what `scope` names.
pub fn scope_filters(sql: &mut Sql, scope: &Scope, company_column: &str) {
    if let Some(company) = scope.company_id {
        sql.push_bind(&format!(" AND {company_column} = ?"), Param::Int(company));
    }
    if let Some(locality) = scope.locality_id {
        sql.push_bind(" AND c.locality_id = ?", Param::Int(locality));
    }
}

/// `(SELECT CAST(COALESCE(SUM(<expr>), 0) AS BIGINT) <from-where>) AS <name>`.
fn sum_of(sql: &mut Sql, expr: &str, name: &str, from_where: impl FnOnce(&mut Sql)) {
    sql.push(&format!("(SELECT CAST(COALESCE(SUM({expr}), 0) AS BIGINT)"));
    from_where(sql);
    sql.push(&format!(") AS {name}"));
}

#[derive(QueryableByName)]
struct SummaryRow {
    #[diesel(sql_type = BigInt)]
    invoiced_today: i64,
    #[diesel(sql_type = BigInt)]
    invoiced_month: i64,
    #[diesel(sql_type = BigInt)]
    invoiced_last: i64,
    #[diesel(sql_type = BigInt)]
    collected_today: i64,
    #[diesel(sql_type = BigInt)]
    collected_month: i64,
    #[diesel(sql_type = BigInt)]
    collected_last: i64,
    #[diesel(sql_type = BigInt)]
    refunded_today: i64,
    #[diesel(sql_type = BigInt)]
    refunded_month: i64,
    #[diesel(sql_type = BigInt)]
    refunded_last: i64,
    #[diesel(sql_type = BigInt)]
    outstanding: i64,
    #[diesel(sql_type = BigInt)]
    expenses_month: i64,
    #[diesel(sql_type = BigInt)]
    new_customers: i64,
    #[diesel(sql_type = BigInt)]
    renewed_customers: i64,
    #[diesel(sql_type = BigInt)]
    expiring_customers: i64,
}

/// Customers (alias `c`) in `scope`.
fn customers_where(sql: &mut Sql, scope: &Scope) {
    sql.push(" FROM customers c WHERE 1 = 1");
    scope_filters(sql, scope, "c.company_id");
}

/// Every single figure, in one statement of scalar subqueries.
pub fn summary(conn: &mut DbConn, scope: &Scope, p: &Periods) -> AppResult<Summary> {
    let mut sql = Sql::new("SELECT ");
    let s = scope;
    sum_of(&mut sql, "i.total_paise", "invoiced_today", |q| invoiced_where(q, s, p.today, p.tomorrow));
    sql.push(", ");
    sum_of(&mut sql, "i.total_paise", "invoiced_month", |q| invoiced_where(q, s, p.month_start, p.next_month_start));
    sql.push(", ");
    sum_of(&mut sql, "i.total_paise", "invoiced_last", |q| invoiced_where(q, s, p.last_month_start, p.month_start));
    sql.push(", ");
    sum_of(&mut sql, "p.amount_paise", "collected_today", |q| {
        collected_where(q, &Collections::between(s, p.today, p.tomorrow))
    });
    sql.push(", ");
    sum_of(&mut sql, "p.amount_paise", "collected_month", |q| {
        collected_where(q, &Collections::between(s, p.month_start, p.next_month_start))
    });
    sql.push(", ");
    sum_of(&mut sql, "p.amount_paise", "collected_last", |q| {
        collected_where(q, &Collections::between(s, p.last_month_start, p.month_start))
    });
    sql.push(", ");
    sum_of(&mut sql, "r.amount_paise", "refunded_today", |q| {
        refunded_where(q, &Collections::between(s, p.today, p.tomorrow))
    });
    sql.push(", ");
    sum_of(&mut sql, "r.amount_paise", "refunded_month", |q| {
        refunded_where(q, &Collections::between(s, p.month_start, p.next_month_start))
    });
    sql.push(", ");
    sum_of(&mut sql, "r.amount_paise", "refunded_last", |q| {
        refunded_where(q, &Collections::between(s, p.last_month_start, p.month_start))
    });
    sql.push(", ");
    sum_of(&mut sql, "i.balance_paise", "outstanding", |q| owing_where(q, s));
    sql.push(", ");
    sum_of(&mut sql, "e.amount_paise", "expenses_month", |q| {
        expenses_where(q, s.company_id, p.month_start, p.next_month_start)
    });
    sql.push(", ");
    // New: made this month. Renewed: made earlier, with a service period starting this month.
    // Expiring: active, with service ending between today and a week from today.
    sum_of(&mut sql, "1", "new_customers", |q| {
        customers_where(q, s);
        q.push_bind(" AND c.created_at >= ?", Param::Time(Periods::instant(p.month_start)));
        q.push_bind(" AND c.created_at < ?", Param::Time(Periods::instant(p.next_month_start)));
    });
    sql.push(", ");
    sum_of(&mut sql, "1", "renewed_customers", |q| {
        customers_where(q, s);
        q.push_bind(" AND c.start_date >= ?", Param::Date(p.month_start));
        q.push_bind(" AND c.start_date < ?", Param::Date(p.next_month_start));
        q.push_bind(" AND c.created_at < ?", Param::Time(Periods::instant(p.month_start)));
    });
    sql.push(", ");
    sum_of(&mut sql, "1", "expiring_customers", |q| {
        customers_where(q, s);
        q.push(" AND c.status = 'ACTIVE'");
        q.push_bind(" AND c.end_date >= ?", Param::Date(p.today));
        q.push_bind(" AND c.end_date <= ?", Param::Date(p.expiring_until()));
    });
    let row: SummaryRow = sql.one(conn)?;
    Ok(Summary {
        invoiced: ThreePeriods {
            today: row.invoiced_today,
            this_month: row.invoiced_month,
            last_month: row.invoiced_last,
        },
        collected: ThreePeriods {
            today: row.collected_today,
            this_month: row.collected_month,
            last_month: row.collected_last,
        },
        refunded: ThreePeriods {
            today: row.refunded_today,
            this_month: row.refunded_month,
            last_month: row.refunded_last,
        },
        outstanding: row.outstanding,
        expenses_this_month: row.expenses_month,
        new_customers: row.new_customers,
        renewed_customers: row.renewed_customers,
        expiring_customers: row.expiring_customers,
    })
}

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// How many customers (in `scope`) have each value of `column` (every value, zero included).
fn customers_per<K: Copy>(
    conn: &mut DbConn,
    scope: &Scope,
    column: &str,
    all: &[K],
    name: fn(K) -> &'static str,
) -> AppResult<Vec<Count<K>>> {
    let mut sql = Sql::new(&format!("SELECT c.{column} AS key, CAST(COUNT(*) AS BIGINT) AS count"));
    customers_where(&mut sql, scope);
    sql.push(&format!(" GROUP BY c.{column}"));
    let rows: Vec<KeyCount> = sql.load(conn)?;
    Ok(all
        .iter()
        .map(|&key| Count { key, count: rows.iter().find(|r| r.key == name(key)).map_or(0, |r| r.count) })
        .collect())
}

/// Customers per status.
pub fn customers_by_status(conn: &mut DbConn, scope: &Scope) -> AppResult<Vec<Count<CustomerStatus>>> {
    customers_per(conn, scope, "status", CustomerStatus::ALL, CustomerStatus::as_str)
}

/// Customers per service type.
pub fn customers_by_service_type(conn: &mut DbConn, scope: &Scope) -> AppResult<Vec<Count<ServiceType>>> {
    customers_per(conn, scope, "service_type", ServiceType::ALL, ServiceType::as_str)
}

#[derive(QueryableByName)]
struct MethodRow {
    #[diesel(sql_type = Text)]
    method: String,
    #[diesel(sql_type = BigInt)]
    amount: i64,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Collections per payment method, largest first.
pub fn collections_by_method(conn: &mut DbConn, c: &Collections) -> AppResult<Vec<Collected<PaymentMethod>>> {
    let mut sql = Sql::new(
        "SELECT p.method AS method, CAST(SUM(p.amount_paise) AS BIGINT) AS amount, CAST(COUNT(*) AS BIGINT) AS count",
    );
    collected_where(&mut sql, c);
    sql.push(" GROUP BY p.method ORDER BY amount DESC, method");
    let rows: Vec<MethodRow> = sql.load(conn)?;
    rows.into_iter()
        .map(|r| Ok(Collected { key: PaymentMethod::from_db(&r.method)?, amount: r.amount, count: r.count }))
        .collect()
}

#[derive(QueryableByName)]
struct CollectorRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    collector: Option<i64>,
    #[diesel(sql_type = BigInt)]
    amount: i64,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Collections per collecting staff member (`None`: recorded without one, e.g. by a customer
/// or a gateway), largest first.
pub fn collections_by_collector(conn: &mut DbConn, c: &Collections) -> AppResult<Vec<Collected<Option<i64>>>> {
    let mut sql = Sql::new(
        "SELECT p.collected_by AS collector, CAST(SUM(p.amount_paise) AS BIGINT) AS amount, \
         CAST(COUNT(*) AS BIGINT) AS count",
    );
    collected_where(&mut sql, c);
    sql.push(" GROUP BY p.collected_by ORDER BY amount DESC, collector");
    let rows: Vec<CollectorRow> = sql.load(conn)?;
    Ok(rows.into_iter().map(|r| Collected { key: r.collector, amount: r.amount, count: r.count }).collect())
}

#[derive(QueryableByName)]
struct DayRow {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    amount: i64,
}

/// Collections per business day from `first` to `last` (days without any are left out). Each
/// day is its own UTC range, from the time zone's rules, so the grouping holds for any zone.
pub fn collections_per_day(
    conn: &mut DbConn,
    scope: &Scope,
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Vec<DayAmount>> {
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT b.day AS day, CAST(SUM(p.amount_paise) AS BIGINT) AS amount FROM (");
    for (n, day) in days.iter().enumerate() {
        if n > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push_bind("SELECT ? AS day", Param::Date(*day));
        sql.push_bind(", ? AS lo", Param::Time(Periods::instant(*day)));
        sql.push_bind(", ? AS hi", Param::Time(Periods::instant(*day + Duration::days(1))));
    }
    sql.push(") b JOIN payments p ON p.paid_at >= b.lo AND p.paid_at < b.hi");
    if scope.company_id.is_some() || scope.locality_id.is_some() {
        sql.push(" JOIN customers c ON c.id = p.customer_id");
    }
    sql.push(" WHERE p.status = 'COMPLETED'");
    scope_filters(&mut sql, scope, "c.company_id");
    sql.push(" GROUP BY b.day ORDER BY b.day");
    sql.load(conn)
        .map(|rows: Vec<DayRow>| rows.into_iter().map(|r| DayAmount { date: r.day, amount: r.amount }).collect())
}

#[derive(QueryableByName)]
struct PriorityRow {
    #[diesel(sql_type = Text)]
    priority: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
    #[diesel(sql_type = BigInt)]
    old: i64,
}

/// Open complaints (OPEN or IN_PROGRESS) per priority (every priority), and how many of them
/// were filed more than 48 hours before `now`.
pub fn open_complaints(
    conn: &mut DbConn,
    scope: &Scope,
    now: chrono::NaiveDateTime,
) -> AppResult<(Vec<Count<ComplaintPriority>>, i64)> {
    let mut sql = Sql::new("SELECT k.priority AS priority, CAST(COUNT(*) AS BIGINT) AS count, ");
    sql.push_bind(
        "CAST(COALESCE(SUM(CASE WHEN k.created_at < ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS old",
        Param::Time(now - Duration::hours(COMPLAINT_AGE_HOURS)),
    );
    sql.push(" FROM complaints k");
    if scope.company_id.is_some() || scope.locality_id.is_some() {
        sql.push(" JOIN customers c ON c.id = k.customer_id");
    }
    sql.push(" WHERE k.status IN ('OPEN', 'IN_PROGRESS')");
    scope_filters(&mut sql, scope, "c.company_id");
    sql.push(" GROUP BY k.priority");
    let rows: Vec<PriorityRow> = sql.load(conn)?;
    let old = rows.iter().map(|r| r.old).sum();
    let by_priority = ComplaintPriority::ALL
        .iter()
        .map(|&p| Count { key: p, count: rows.iter().find(|r| r.priority == p.as_str()).map_or(0, |r| r.count) })
        .collect();
    Ok((by_priority, old))
}
