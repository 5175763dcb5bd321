//! Each report's CSV header and lines (see [`crate::csv`] for quoting and amounts).

use super::model::Ageing;
use super::refunds::RefundLine;
use super::repo::{CollectionLine, CustomerLine, DuesLine, GstMonth, RevenueLine};
use crate::csv::{header, line, money, text};
use crate::expenses::model::ExpenseCategory;

/// The collections report: payments received and refunds made, in time order, so that the
/// `amount` column adds up to the money kept. The columns after `amount` came with refunds
/// (issue #31), so a spreadsheet reading the earlier ones by position still finds them.
pub fn collections_header() -> String {
    header(&[
        "date",
        "time",
        "payment_id",
        "customer_id",
        "customer_name",
        "locality",
        "method",
        "reference",
        "collected_by",
        "amount",
        "type",
        "refund_id",
        "refunded_by",
    ])
}

/// A payment, or a refund of one (the payment's columns, a negative amount, `REFUND`), its
/// date and time on the business clock.
pub fn collection(l: &CollectionLine) -> String {
    let at = crate::clock::business_time(l.at);
    line(&[
        at.format("%Y-%m-%d").to_string(),
        at.format("%H:%M:%S").to_string(),
        text(&l.payment_id),
        text(&l.customer_number),
        text(&l.customer_name),
        text(l.locality.as_deref().unwrap_or("")),
        text(&l.method),
        text(l.reference.as_deref().unwrap_or("")),
        text(l.collector.as_deref().unwrap_or("")),
        money(l.amount),
        text(l.kind().as_str()),
        text(l.refund_id.as_deref().unwrap_or("")),
        text(l.refunded_by.as_deref().unwrap_or("")),
    ])
}

pub fn refunds_header() -> String {
    header(&[
        "date",
        "time",
        "refund_id",
        "payment_id",
        "payment_date",
        "customer_id",
        "customer_name",
        "locality",
        "method",
        "reason",
        "approved_by",
        "amount",
    ])
}

/// A refund, its date and time (and the payment's date) on the business clock.
pub fn refund(l: &RefundLine) -> String {
    let at = crate::clock::business_time(l.at);
    line(&[
        at.format("%Y-%m-%d").to_string(),
        at.format("%H:%M:%S").to_string(),
        text(&l.refund_id),
        text(&l.payment_id),
        crate::clock::business_time(l.paid_at).format("%Y-%m-%d").to_string(),
        text(&l.customer_number),
        text(&l.customer_name),
        text(l.locality.as_deref().unwrap_or("")),
        text(&l.method),
        text(&l.reason),
        text(l.approved_by.as_deref().unwrap_or("")),
        money(l.amount),
    ])
}

pub fn dues_header() -> String {
    header(&[
        "customer_id",
        "customer_name",
        "mobile",
        "locality",
        "not_due",
        "days_0_30",
        "days_31_60",
        "days_61_90",
        "days_over_90",
        "total",
    ])
}

fn ageing_fields(a: &Ageing) -> [String; 6] {
    [money(a.not_due), money(a.days_0_30), money(a.days_31_60), money(a.days_61_90), money(a.over_90), money(a.total())]
}

pub fn dues(l: &DuesLine) -> String {
    let mut fields = vec![
        text(&l.customer_number),
        text(&l.customer_name),
        text(&l.mobile),
        text(l.locality.as_deref().unwrap_or("")),
    ];
    fields.extend(ageing_fields(&l.buckets.ageing()));
    line(&fields)
}

pub fn revenue_header(group: &str) -> String {
    header(&[group, "invoices", "taxable_value", "tax", "total"])
}

pub fn revenue(l: &RevenueLine) -> String {
    line(&[
        text(l.name.as_deref().unwrap_or("(none)")),
        l.invoices.to_string(),
        money(l.taxable),
        money(l.tax),
        money(l.total),
    ])
}

pub fn gst_header() -> String {
    header(&["month", "invoices", "taxable_value", "cgst", "sgst", "igst", "total"])
}

pub fn gst(m: &GstMonth) -> String {
    line(&[
        text(&m.month),
        m.invoices.to_string(),
        money(m.taxable),
        money(m.cgst),
        money(m.sgst),
        money(m.igst),
        money(m.total),
    ])
}

pub fn expenses_header() -> String {
    header(&["category", "expenses", "amount"])
}

pub fn expense_category(category: ExpenseCategory, amount: i64, count: i64) -> String {
    line(&[text(category.as_str()), count.to_string(), money(amount)])
}

/// The customer list; the columns an accountant asked for (issue #31) come last, so a
/// spreadsheet reading the earlier ones by position still finds them.
pub fn customers_header() -> String {
    header(&[
        "customer_id",
        "name",
        "mobile",
        "email",
        "address",
        "locality",
        "city",
        "state",
        "pincode",
        "service_type",
        "plan",
        "billing_type",
        "status",
        "start_date",
        "end_date",
        "outstanding",
        "advance",
        "balance",
        "gstin",
        "caf_no",
    ])
}

pub fn customer(l: &CustomerLine) -> String {
    let r = &l.row;
    line(&[
        text(&r.customer_id),
        text(&r.full_name),
        text(&r.mobile),
        text(r.email.as_deref().unwrap_or("")),
        text(&r.address),
        text(l.locality.as_deref().unwrap_or("")),
        text(&r.city),
        text(&r.state),
        text(&r.pincode),
        text(r.service_type.as_str()),
        text(&l.plan),
        text(r.billing_type.as_str()),
        text(r.status.as_str()),
        r.start_date.to_string(),
        r.end_date.to_string(),
        money(l.owing),
        money(l.advance),
        money(l.balance),
        text(r.customer_gst_no.as_deref().unwrap_or("")),
        text(&r.caf_no),
    ])
}
