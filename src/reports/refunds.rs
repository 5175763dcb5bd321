//! The refunds report's statements: its totals, and batches of its lines for the CSV, over the
//! same refunds the collections report subtracts ([`crate::dashboard::repo::refunded_where`]).

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::QueryableByName;

use super::model::ReportFilter;
use super::repo::collections;
use crate::dashboard::repo::{refunded_conditions, refunded_where};
use crate::db::sql::{Param, Sql};
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(QueryableByName)]
struct AmountCount {
    #[diesel(sql_type = BigInt)]
    amount: i64,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Total refunded and number of refunds.
pub fn refunds_total(conn: &mut DbConn, f: &ReportFilter) -> AppResult<(i64, i64)> {
    let mut sql = Sql::new(
        "SELECT CAST(COALESCE(SUM(r.amount_paise), 0) AS BIGINT) AS amount, CAST(COUNT(*) AS BIGINT) AS count",
    );
    refunded_where(&mut sql, &collections(f));
    let row: AmountCount = sql.one(conn)?;
    Ok((row.amount, row.count))
}

/// One refund of the refunds report.
#[derive(Debug, Clone, QueryableByName)]
pub struct RefundLine {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// When it was made.
    #[diesel(sql_type = Timestamp)]
    pub at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    pub refund_id: String,
    /// The payment refunded, and when it was received.
    #[diesel(sql_type = Text)]
    pub payment_id: String,
    #[diesel(sql_type = Timestamp)]
    pub paid_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    pub customer_number: String,
    #[diesel(sql_type = Text)]
    pub customer_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub locality: Option<String>,
    /// The payment's method.
    #[diesel(sql_type = Text)]
    pub method: String,
    #[diesel(sql_type = Text)]
    pub reason: String,
    /// Who approved it.
    #[diesel(sql_type = Nullable<Text>)]
    pub approved_by: Option<String>,
    /// Positive.
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

/// Up to `limit` refunds after `after` (time made, then id).
pub fn refund_lines(
    conn: &mut DbConn,
    f: &ReportFilter,
    after: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> AppResult<Vec<RefundLine>> {
    let mut sql = Sql::new(
        "SELECT r.id AS id, r.created_at AS at, r.refund_id AS refund_id, p.payment_id AS payment_id, \
         p.paid_at AS paid_at, c.customer_id AS customer_number, c.full_name AS customer_name, l.name AS locality, \
         p.method AS method, r.reason AS reason, a.full_name AS approved_by, r.amount_paise AS amount \
         FROM refunds r JOIN payments p ON p.id = r.payment_id JOIN customers c ON c.id = r.customer_id \
         LEFT JOIN localities l ON l.id = c.locality_id LEFT JOIN employees a ON a.id = r.approved_by",
    );
    refunded_conditions(&mut sql, &collections(f));
    if let Some((at, id)) = after {
        // The first condition starts the index range at the cursor; the second skips the
        // cursor's own instant up to it.
        sql.push_bind(" AND r.created_at >= ?", Param::Time(at));
        sql.push_bind(" AND (r.created_at > ?", Param::Time(at));
        sql.push_bind(" OR r.id > ?)", Param::Int(id));
    }
    sql.push_bind(" ORDER BY r.created_at, r.id LIMIT ?", Param::Int(limit));
    sql.load(conn)
}
