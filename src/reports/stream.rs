//! CSV reports as a sequence of chunks, read in batches from one database snapshot (SQLite:
//! one read transaction; PostgreSQL: REPEATABLE READ, READ ONLY), so a report of a million
//! lines never sits in memory and its lines add up to one consistent total.

use diesel::connection::Connection;
use diesel::RunQueryDsl;

use super::model::{ReportFilter, RevenueGrouping};
use super::{csv, refunds, repo};
use crate::customers::model::CustomerFilter;
use crate::dashboard::model::Scope;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Lines read per statement.
pub const BATCH: i64 = 1000;

/// A report being written: first its header, then chunks until `None`.
pub trait CsvReport: Send {
    /// The file's name, e.g. `collections_2026-11-01_2026-11-30.csv`.
    fn file_name(&self) -> String;
    fn header(&self) -> String;
    /// The next chunk of lines, or `None` at the end.
    fn next_chunk(&mut self, conn: &mut DbConn) -> AppResult<Option<String>>;
}

/// Runs `f` in one read-only snapshot of the database.
pub fn in_snapshot<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    conn.transaction(|conn| {
        if let DbConn::Pg(pg) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(pg)?;
        }
        f(conn)
    })
}

/// Writes `report` through `send` (header first); stops early, without error, when `send`
/// says the reader has gone.
pub fn write(conn: &mut DbConn, report: &mut dyn CsvReport, mut send: impl FnMut(String) -> bool) -> AppResult<()> {
    in_snapshot(conn, |conn| {
        if !send(report.header()) {
            return Ok(());
        }
        while let Some(chunk) = report.next_chunk(conn)? {
            if !send(chunk) {
                break;
            }
        }
        Ok(())
    })
}

fn joined<T>(items: &[T], line: impl Fn(&T) -> String) -> String {
    items.iter().map(line).collect()
}

/// One payment or refund a line, in time order (payments as received, refunds as made).
pub struct Collections {
    pub filter: ReportFilter,
    after: Option<repo::LineCursor>,
    done: bool,
}

impl Collections {
    pub fn new(filter: ReportFilter) -> Self {
        Collections { filter, after: None, done: false }
    }
}

impl CsvReport for Collections {
    fn file_name(&self) -> String {
        format!("collections_{}_{}.csv", self.filter.range.from, self.filter.range.to)
    }
    fn header(&self) -> String {
        csv::collections_header()
    }
    fn next_chunk(&mut self, conn: &mut DbConn) -> AppResult<Option<String>> {
        if self.done {
            return Ok(None);
        }
        let lines = repo::collection_lines(conn, &self.filter, self.after, BATCH)?;
        self.done = (lines.len() as i64) < BATCH;
        let Some(last) = lines.last() else { return Ok(None) };
        self.after = Some(last.cursor());
        Ok(Some(joined(&lines, csv::collection)))
    }
}

/// One refund a line, in the order made.
pub struct Refunds {
    pub filter: ReportFilter,
    after: Option<(chrono::NaiveDateTime, i64)>,
    done: bool,
}

impl Refunds {
    pub fn new(filter: ReportFilter) -> Self {
        Refunds { filter, after: None, done: false }
    }
}

impl CsvReport for Refunds {
    fn file_name(&self) -> String {
        format!("refunds_{}_{}.csv", self.filter.range.from, self.filter.range.to)
    }
    fn header(&self) -> String {
        csv::refunds_header()
    }
    fn next_chunk(&mut self, conn: &mut DbConn) -> AppResult<Option<String>> {
        if self.done {
            return Ok(None);
        }
        let lines = refunds::refund_lines(conn, &self.filter, self.after, BATCH)?;
        self.done = (lines.len() as i64) < BATCH;
        let Some(last) = lines.last() else { return Ok(None) };
        self.after = Some((last.at, last.id));
        Ok(Some(joined(&lines, csv::refund)))
    }
}

/// One customer who owes a line, balances by age on `as_of`.
pub struct Dues {
    pub scope: Scope,
    pub as_of: chrono::NaiveDate,
    after: i64,
    done: bool,
}

impl Dues {
    pub fn new(scope: Scope, as_of: chrono::NaiveDate) -> Self {
        Dues { scope, as_of, after: 0, done: false }
    }
}

impl CsvReport for Dues {
    fn file_name(&self) -> String {
        format!("dues_{}.csv", self.as_of)
    }
    fn header(&self) -> String {
        csv::dues_header()
    }
    fn next_chunk(&mut self, conn: &mut DbConn) -> AppResult<Option<String>> {
        if self.done {
            return Ok(None);
        }
        let lines = repo::dues_lines(conn, &self.scope, self.as_of, self.after, BATCH)?;
        self.done = (lines.len() as i64) < BATCH;
        let Some(last) = lines.last() else { return Ok(None) };
        self.after = last.id;
        Ok(Some(joined(&lines, csv::dues)))
    }
}

/// Reports with a few lines, read in one statement: revenue, GST summary, expenses.
pub enum Summary {
    Revenue(ReportFilter, RevenueGrouping),
    Gst(ReportFilter),
    Expenses(ReportFilter),
}

/// A [`Summary`] and whether it has been written.
pub struct Small {
    pub report: Summary,
    done: bool,
}

impl Small {
    pub fn new(report: Summary) -> Self {
        Small { report, done: false }
    }
}

impl CsvReport for Small {
    fn file_name(&self) -> String {
        let (name, f) = match &self.report {
            Summary::Revenue(f, RevenueGrouping::Plan) => ("revenue_by_plan", f),
            Summary::Revenue(f, RevenueGrouping::Locality) => ("revenue_by_locality", f),
            Summary::Gst(f) => ("gst_summary", f),
            Summary::Expenses(f) => ("expenses", f),
        };
        format!("{name}_{}_{}.csv", f.range.from, f.range.to)
    }
    fn header(&self) -> String {
        match &self.report {
            Summary::Revenue(_, RevenueGrouping::Plan) => csv::revenue_header("plan"),
            Summary::Revenue(_, RevenueGrouping::Locality) => csv::revenue_header("locality"),
            Summary::Gst(_) => csv::gst_header(),
            Summary::Expenses(_) => csv::expenses_header(),
        }
    }
    fn next_chunk(&mut self, conn: &mut DbConn) -> AppResult<Option<String>> {
        if std::mem::replace(&mut self.done, true) {
            return Ok(None);
        }
        Ok(Some(match &self.report {
            Summary::Revenue(f, by) => joined(&repo::revenue(conn, f, *by)?, csv::revenue),
            Summary::Gst(f) => joined(&repo::gst_summary(conn, f)?, csv::gst),
            Summary::Expenses(f) => repo::expenses_by_category(conn, f.scope.company_id, &f.range)?
                .into_iter()
                .map(|(c, amount, count)| csv::expense_category(c, amount, count))
                .collect(),
        }))
    }
}

/// The customer list with the `customers` filters, one customer a line, in creation order.
pub struct Customers {
    pub filter: CustomerFilter,
    names: Option<repo::Names>,
    after: i64,
    done: bool,
}

impl Customers {
    pub fn new(filter: CustomerFilter) -> Self {
        Customers { filter, names: None, after: 0, done: false }
    }
}

impl CsvReport for Customers {
    fn file_name(&self) -> String {
        format!("customers_{}.csv", crate::clock::today())
    }
    fn header(&self) -> String {
        csv::customers_header()
    }
    fn next_chunk(&mut self, conn: &mut DbConn) -> AppResult<Option<String>> {
        if self.done {
            return Ok(None);
        }
        if self.names.is_none() {
            self.names = Some(repo::names(conn)?);
        }
        let names = self.names.as_ref().ok_or_else(|| AppError::Internal("names not read".into()))?;
        let lines = repo::customer_lines(conn, names, &self.filter, self.after, BATCH)?;
        self.done = (lines.len() as i64) < BATCH;
        let Some(last) = lines.last() else { return Ok(None) };
        self.after = last.row.id;
        Ok(Some(joined(&lines, csv::customer)))
    }
}
