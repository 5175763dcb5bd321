//! Queries on `receipt_vouchers` and `advance_adjustments`.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{AdjustmentRow, NewAdjustment, NewVoucher, VoucherRow};
use super::rules::Split;
use crate::db::schema::{advance_adjustments, receipt_vouchers};
use crate::db::sql::{Param, Sql};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::invoices::rules::TaxSplit;
use diesel::sql_types::BigInt;

/// What receipt voucher numbers start with: `RV/26-27/000001`.
pub const PREFIX: &str = "RV";

/// Inserts `new` with the next serial of its company's series `new.series` (taken under the
/// series' lock, so no serial is skipped or used twice; vouchers are never deleted) and the
/// document `print` makes of it once numbered (stored with it, as printed).
pub fn insert_numbered(
    conn: &mut DbConn,
    mut new: NewVoucher,
    year: i32,
    print: impl FnOnce(&mut DbConn, &NewVoucher) -> AppResult<String>,
) -> AppResult<VoucherRow> {
    crate::db::lock_key(conn, &format!("series:{}:RECEIPT_VOUCHER:{}", new.company_id, new.series))?;
    // The last of the series, from the end of its index (`max()` would be planned from stale
    // statistics as a read of the whole series).
    let last: Option<i64> = receipt_vouchers::table
        .filter(receipt_vouchers::company_id.eq(new.company_id))
        .filter(receipt_vouchers::series.eq(&new.series))
        .select(receipt_vouchers::serial)
        .order(receipt_vouchers::serial.desc())
        .first(conn)
        .optional()?;
    new.serial = last.unwrap_or(0) + 1;
    new.voucher_number = crate::series::rules::financial_year_number(PREFIX, year, new.serial).ok_or_else(|| {
        crate::error::AppError::Conflict(format!("the receipt voucher series {} is full", new.series))
    })?;
    new.document = print(conn, &new)?;
    Ok(diesel::insert_into(receipt_vouchers::table)
        .values(&new)
        .returning(receipt_vouchers::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<VoucherRow> {
    receipt_vouchers::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or_else(|| crate::error::AppError::not_found("receipt voucher"))
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<VoucherRow>> {
    Ok(receipt_vouchers::table.filter(receipt_vouchers::id.eq_any(ids)).load(conn)?)
}

/// The vouchers of the customers `ids`, oldest first.
pub fn of_customers(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<VoucherRow>> {
    Ok(receipt_vouchers::table
        .filter(receipt_vouchers::customer_id.eq_any(ids))
        .order((receipt_vouchers::customer_id, receipt_vouchers::id))
        .load(conn)?)
}

/// The customer's vouchers not wholly adjusted, oldest first.
pub fn open_of_customer(conn: &mut DbConn, customer_id: i64) -> AppResult<Vec<VoucherRow>> {
    Ok(receipt_vouchers::table
        .filter(receipt_vouchers::customer_id.eq(customer_id))
        .filter(receipt_vouchers::adjusted_paise.lt(receipt_vouchers::amount_paise))
        .order(receipt_vouchers::id)
        .load(conn)?)
}

/// A customer's advance under GST, as [`advance`] reads it.
#[derive(Debug, QueryableByName)]
pub struct Advance {
    /// 1 when the customer's company charges GST (has a GSTIN), else 0: without it there are
    /// no receipt vouchers.
    #[diesel(sql_type = BigInt)]
    pub taxed: i64,
    /// The customer's money that is on no issued invoice: completed payments less refunds, less
    /// what they put on issued invoices. This is what receipt vouchers must cover.
    #[diesel(sql_type = BigInt)]
    pub unbilled: i64,
    /// What the customer's vouchers still hold: advance on which tax was paid, not yet adjusted.
    #[diesel(sql_type = BigInt)]
    pub open: i64,
}

/// Customer `customer_id`'s [`Advance`] (of company `company_id`, theirs), in one statement
/// (each part from the customer's own rows, by index). For a company without a GSTIN the sums
/// are not made (both databases leave a `CASE` branch not taken unevaluated): 0 and 0.
pub fn advance(conn: &mut DbConn, company_id: i64, customer_id: i64) -> AppResult<Advance> {
    let mut sql = Sql::new(
        "SELECT t.taxed, \
         CASE WHEN t.taxed = 0 THEN 0 ELSE CAST(COALESCE((SELECT SUM(p.amount_paise - p.refunded_paise) FROM payments p \
         WHERE p.customer_id = ? AND p.status = 'COMPLETED'), 0) \
         - COALESCE((SELECT SUM(a.amount_paise) FROM payments p \
         JOIN payment_allocations a ON a.payment_id = p.id JOIN invoices i ON i.id = a.invoice_id \
         WHERE p.customer_id = ? AND p.status = 'COMPLETED' AND i.issued_at IS NOT NULL), 0) AS BIGINT) END AS unbilled, \
         CASE WHEN t.taxed = 0 THEN 0 ELSE CAST(COALESCE((SELECT SUM(v.amount_paise - v.adjusted_paise) \
         FROM receipt_vouchers v WHERE v.customer_id = ? AND v.adjusted_paise < v.amount_paise), 0) AS BIGINT) END AS open \
         FROM (SELECT CAST((SELECT COUNT(*) FROM companies WHERE id = ? AND gstin IS NOT NULL) AS BIGINT) AS taxed) AS t",
    );
    for _ in 0..3 {
        sql.bind(Param::Int(customer_id));
    }
    sql.bind(Param::Int(company_id));
    sql.one(conn)
}

/// What was adjusted of voucher `id` so far.
pub fn adjusted_of(conn: &mut DbConn, id: i64) -> AppResult<Split> {
    let rows: Vec<AdjustmentRow> =
        advance_adjustments::table.filter(advance_adjustments::voucher_id.eq(id)).load(conn)?;
    let sum = |f: fn(&AdjustmentRow) -> i64| rows.iter().map(f).sum::<i64>();
    Ok(Split {
        taxable: sum(|a| a.taxable_paise),
        tax: TaxSplit { cgst: sum(|a| a.cgst_paise), sgst: sum(|a| a.sgst_paise), igst: sum(|a| a.igst_paise) },
    })
}

/// Records an adjustment of voucher `voucher` and raises its adjusted amount.
pub fn adjust(conn: &mut DbConn, voucher: &VoucherRow, new: &NewAdjustment) -> AppResult<()> {
    diesel::insert_into(advance_adjustments::table).values(new).execute(conn)?;
    diesel::update(receipt_vouchers::table.find(voucher.id))
        .set(receipt_vouchers::adjusted_paise.eq(voucher.adjusted_paise + new.amount_paise))
        .execute(conn)?;
    Ok(())
}

/// `company_id`'s vouchers dated from `first` to `last`.
pub fn dated_between(
    conn: &mut DbConn,
    company_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Vec<VoucherRow>> {
    Ok(receipt_vouchers::table
        .filter(receipt_vouchers::company_id.eq(company_id))
        .filter(receipt_vouchers::voucher_date.between(first, last))
        .order(receipt_vouchers::id)
        .load(conn)?)
}

/// `company_id`'s adjustments dated from `first` to `last`, each with its voucher.
pub fn adjusted_between(
    conn: &mut DbConn,
    company_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Vec<(AdjustmentRow, VoucherRow)>> {
    Ok(advance_adjustments::table
        .inner_join(receipt_vouchers::table.on(receipt_vouchers::id.eq(advance_adjustments::voucher_id)))
        .filter(advance_adjustments::company_id.eq(company_id))
        .filter(advance_adjustments::adjusted_on.between(first, last))
        .order(advance_adjustments::id)
        .select((advance_adjustments::all_columns, receipt_vouchers::all_columns))
        .load(conn)?)
}
