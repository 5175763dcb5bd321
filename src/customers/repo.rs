//! Queries on `customers`.

use diesel::dsl;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::Bool;

use super::model::{CustomerBrief, CustomerChanges, CustomerFilter, CustomerRow, CustomerStatus, NewCustomer};
use super::search::SearchPatterns;
use crate::auth::model::{Credentials, CUSTOMER};
use crate::auth::Principal;
use crate::companies::model::{CompanyBrief, CompanyRow};
use crate::db::page::{LimitedTo, Page, PageWindow};
use crate::db::schema::{
    addon_bills, companies, customers, employees, id_vault, invoices, localities, payments, plans,
};
use crate::db::CachedDsl;
use crate::db::{lower, DbConn, MultiBackend};
use crate::employees::model::ContactRow;
use crate::error::{AppError, AppResult};
use crate::keyset_order;
use crate::localities::model::LocalityRow;
use crate::plans::model::{PlanBrief, PlanRow};

/// Narrows a boxed query over `customers`, or over a join that holds it, by a
/// [`CustomerFilter`]: the one definition of the filter for the plain and the joined page.
macro_rules! narrowed {
    ($query:expr, $filter:expr) => {{
        let filter: &CustomerFilter = $filter;
        let mut query = $query;
        if let Some(id) = filter.only_id {
            query = query.filter(customers::id.eq(id));
        }
        if let Some(status) = filter.status {
            query = query.filter(customers::status.eq(status));
        }
        if let Some(service_type) = filter.service_type {
            query = query.filter(customers::service_type.eq(service_type));
        }
        if let Some(search) = &filter.search {
            query = query.filter(search_condition(SearchPatterns::new(search)));
        }
        if let Some(locality_id) = filter.locality_id {
            query = query.filter(customers::locality_id.eq(locality_id));
        }
        if let Some(company_id) = filter.company_id {
            query = query.filter(customers::company_id.eq(company_id));
        }
        if let Some(employee_id) = filter.assigned_employee_id {
            query = query.filter(customers::assigned_employee_id.eq(employee_id));
        }
        if let Some(billing_type) = filter.billing_type {
            query = query.filter(customers::billing_type.eq(billing_type));
        }
        if let Some(date) = filter.expiring_before {
            query = query.filter(customers::end_date.lt(date));
        }
        if let Some(hashes) = &filter.id_proof_hashes {
            let tokens = id_vault::table
                .filter(id_vault::number_hash.eq_any(hashes.clone()).or(id_vault::last4_hash.eq_any(hashes.clone())))
                .select(id_vault::token.nullable());
            query = query.filter(customers::id_proof_token.eq_any(tokens));
        }
        query
    }};
}

pub fn filtered(filter: &CustomerFilter) -> customers::BoxedQuery<'static, MultiBackend> {
    narrowed!(customers::table.into_boxed(), filter)
}

/// The `search` filter: part of the name, customer number, phones, CAF number or GSTIN
/// ([`SearchPatterns`]). Each branch has its own trigram index on PostgreSQL (migration
/// 000031), so the ORs are a bitmap of index scans, never a table scan (a test reads the plan).
pub fn search_condition(patterns: SearchPatterns) -> SearchCondition {
    let SearchPatterns { name, number, code } = patterns;
    lower(customers::full_name)
        .like(name)
        .escape('\\')
        .or(customers::customer_id.like(number.clone()).escape('\\'))
        .or(customers::mobile.like(number.clone()).escape('\\'))
        .or(customers::alternate_mobile.like(number).escape('\\'))
        .or(customers::caf_no.like(code.clone()).escape('\\'))
        .or(customers::customer_gst_no.like(code).escape('\\'))
}

/// `column LIKE pattern ESCAPE '\'`.
type Pattern<C> = dsl::Escape<dsl::Like<C, String>>;

/// The expression [`search_condition`] builds.
pub type SearchCondition = dsl::Or<
    dsl::Or<
        dsl::Or<
            dsl::Or<
                dsl::Or<Pattern<lower<customers::full_name>>, Pattern<customers::customer_id>>,
                Pattern<customers::mobile>,
            >,
            Pattern<customers::alternate_mobile>,
        >,
        Pattern<customers::caf_no>,
    >,
    Pattern<customers::customer_gst_no>,
>;

/// Which of a customer's to-one relations a page reads with it: a relation left out costs no
/// read and comes back `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Related {
    pub plan: bool,
    pub locality: bool,
    pub company: bool,
    pub employee: bool,
}

/// A customer of a page (the whole row, or [`CustomerBrief`]) with the relations [`Related`]
/// asked for (`None` when not asked for, or when the customer has none).
/// The assigned employee is read as customers see staff ([`ContactRow`]).
pub type CustomerWith<C = CustomerRow, P = PlanRow, Co = CompanyRow> =
    (C, Option<P>, Option<LocalityRow>, Option<Co>, Option<ContactRow>);

/// The statement of [`page`] and [`page_brief`]: `$customer`, `$plan` and `$company` are the
/// row types it reads (whole or brief).
macro_rules! page_of {
    ($conn:expr, $filter:expr, $window:expr, $related:expr, $customer:ty, $plan:ty, $company:ty) => {{
        let (filter, window, related): (&CustomerFilter, PageWindow, Related) = ($filter, $window, $related);
        // Each relation's join is switched on or off in the statement's text (one statement per
        // selection), so that PostgreSQL's generic plan is the plan: see [`LimitedTo`].
        let wanted = |on: bool| diesel::dsl::sql::<Bool>(if on { "TRUE" } else { "FALSE" });
        let joined = customers::table
            .left_join(plans::table.on(plans::id.eq(customers::plan_id).and(wanted(related.plan))))
            .left_join(
                localities::table
                    .on(localities::id.nullable().eq(customers::locality_id).and(wanted(related.locality))),
            )
            .left_join(companies::table.on(companies::id.eq(customers::company_id).and(wanted(related.company))))
            .left_join(
                employees::table
                    .on(employees::id.nullable().eq(customers::assigned_employee_id).and(wanted(related.employee))),
            )
            .into_boxed();
        let page = keyset_order!(narrowed!(joined, filter), customers::id, window).select((
            <$customer>::as_select(),
            Option::<$plan>::as_select(),
            Option::<LocalityRow>::as_select(),
            Option::<$company>::as_select(),
            Option::<ContactRow>::as_select(),
        ));
        LimitedTo(page, window.size + 1).cached().load($conn)?
    }};
}

/// A page of customers, each with its plan, locality, company and assigned employee joined as
/// `related` asks (one statement, whatever the page size and the relations: each join's
/// condition carries its wish in the text, so a relation not asked for is never read), and
/// their number across all pages when `count` (one more statement; `0` when not counted).
pub fn page(
    conn: &mut DbConn,
    filter: &CustomerFilter,
    window: PageWindow,
    related: Related,
    count: bool,
) -> AppResult<Page<CustomerWith>> {
    let total = if count { total(conn, filter)? } else { 0 };
    let rows: Vec<CustomerWith> = page_of!(conn, filter, window, related, CustomerRow, PlanRow, CompanyRow);
    Ok(window.finish(rows, total))
}

/// A customer of a page in brief, with its plan and company in brief.
pub type BriefCustomerWith = CustomerWith<CustomerBrief, PlanBrief, CompanyBrief>;

/// [`page`] with each customer, plan and company in brief ([`CustomerBrief`], [`PlanBrief`],
/// [`CompanyBrief`]): for a query that asks only for what they hold.
pub fn page_brief(
    conn: &mut DbConn,
    filter: &CustomerFilter,
    window: PageWindow,
    related: Related,
    count: bool,
) -> AppResult<Page<BriefCustomerWith>> {
    let total = if count { total(conn, filter)? } else { 0 };
    let rows: Vec<BriefCustomerWith> = page_of!(conn, filter, window, related, CustomerBrief, PlanBrief, CompanyBrief);
    Ok(window.finish(rows, total))
}

/// How many customers `filter` lets through: without a filter, the count the database keeps
/// (`table_counts`, by triggers), one row read instead of every customer's.
fn total(conn: &mut DbConn, filter: &CustomerFilter) -> AppResult<i64> {
    if *filter == CustomerFilter::default() {
        use crate::db::schema::table_counts;
        let kept =
            table_counts::table.find("customers").select(table_counts::row_count).get_result::<i64>(conn).optional()?;
        if let Some(n) = kept {
            return Ok(n);
        }
    }
    Ok(filtered(filter).count().get_result::<i64>(conn)?)
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<CustomerRow>> {
    Ok(customers::table
        .filter(crate::db::fragments::id_in("customers.id", ids))
        .select(CustomerRow::columns())
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<CustomerRow> {
    customers::table
        .find(id)
        .select(CustomerRow::columns())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("customer"))
}

/// The row id of the customer with this 10-digit customer number.
pub fn id_by_number(conn: &mut DbConn, customer_number: &str) -> AppResult<Option<i64>> {
    Ok(customers::table
        .filter(customers::customer_id.eq(customer_number))
        .select(customers::id)
        .first(conn)
        .optional()?)
}

/// Which unique column a violation on `customers` is about.
pub enum Taken {
    CustomerId,
    CafNo,
    Username,
}

/// Inserts `new` in a savepoint; a unique violation says which column was taken.
pub fn try_insert(conn: &mut DbConn, new: &NewCustomer) -> AppResult<Result<CustomerRow, Taken>> {
    let attempt = conn.transaction(|c| {
        diesel::insert_into(customers::table).values(new).returning(CustomerRow::columns()).get_result::<CustomerRow>(c)
    });
    match attempt {
        Ok(row) => Ok(Ok(row)),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
            let what = format!("{} {}", info.message(), info.constraint_name().unwrap_or_default());
            Ok(Err(if what.contains("caf_no") {
                Taken::CafNo
            } else if what.contains("username") {
                Taken::Username
            } else {
                Taken::CustomerId
            }))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn update(conn: &mut DbConn, id: i64, changes: &CustomerChanges) -> AppResult<CustomerRow> {
    // A status or plan change is what the network answers from (`crate::network::snapshot`).
    if changes.status.is_some() || changes.plan_id.is_some() {
        crate::db::changes::note_customer(id);
    }
    diesel::update(customers::table.find(id))
        .set(changes)
        .returning(CustomerRow::columns())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("customer"))
}

/// Moves the service periods of many customers `(id, start, end)` (a batch of renewals): three
/// columns each, no row read back, one statement per distinct period (a renewal day's customers
/// share a few).
pub fn set_periods(conn: &mut DbConn, periods: &[(i64, chrono::NaiveDate, chrono::NaiveDate)]) -> AppResult<()> {
    let mut by_period: std::collections::BTreeMap<_, Vec<i64>> = std::collections::BTreeMap::new();
    for &(id, start, end) in periods {
        by_period.entry((start, end)).or_default().push(id);
    }
    let now = crate::clock::now();
    for ((start, end), ids) in by_period {
        diesel::update(customers::table.filter(crate::db::fragments::id_in("customers.id", &ids)))
            .set((customers::start_date.eq(start), customers::end_date.eq(end), customers::updated_at.eq(now)))
            .returning(customers::id)
            .cached()
            .changed(conn)?;
    }
    Ok(())
}

/// Whether a login name is used by a customer or a staff member (ignoring case).
pub fn username_taken(conn: &mut DbConn, username: &str) -> AppResult<bool> {
    let name = username.to_lowercase();
    let staff: i64 = employees::table.filter(lower(employees::username).eq(&name)).count().get_result(conn)?;
    let customers: i64 = customers::table.filter(lower(customers::username).eq(&name)).count().get_result(conn)?;
    Ok(staff + customers > 0)
}

/// Whether a CAF number is on file.
pub fn caf_taken(conn: &mut DbConn, caf_no: &str) -> AppResult<bool> {
    let n: i64 = customers::table.filter(customers::caf_no.eq(caf_no)).count().get_result(conn)?;
    Ok(n > 0)
}

/// Whether the customer has money history beyond draft invoices (then it is never deleted).
pub fn has_financial_history(conn: &mut DbConn, id: i64) -> AppResult<bool> {
    let paid: i64 = payments::table.filter(payments::customer_id.eq(id)).count().get_result(conn)?;
    let issued: i64 = invoices::table
        .filter(invoices::customer_id.eq(id))
        // A draft numbered in a financial-year series is history too: its number stays.
        .filter(invoices::status.ne(crate::invoices::model::InvoiceStatus::Draft).or(invoices::serial.is_not_null()))
        .count()
        .get_result(conn)?;
    let addons: i64 = addon_bills::table.filter(addon_bills::customer_id.eq(id)).count().get_result(conn)?;
    Ok(paid + issued + addons > 0)
}

/// Deletes a customer and its draft invoices (callers check the history first).
pub fn delete(conn: &mut DbConn, id: i64) -> AppResult<()> {
    crate::db::changes::note_customer(id);
    crate::plan_changes::repo::delete_of_customer(conn, id)?;
    diesel::delete(invoices::table.filter(invoices::customer_id.eq(id))).execute(conn)?;
    let deleted = diesel::delete(customers::table.find(id))
        .execute(conn)
        .map_err(|e| crate::error::on_foreign_key_violation(e, || "this customer is still referred to".to_owned()))?;
    if deleted == 0 {
        return Err(AppError::not_found("customer"));
    }
    Ok(())
}

/// Login details of the customer with this username (ignoring case). A TERMINATED customer
/// cannot log in.
pub fn credentials(conn: &mut DbConn, username: &str) -> AppResult<Option<Credentials>> {
    let row: Option<(i64, String, CustomerStatus)> = customers::table
        .filter(lower(customers::username).eq(username.to_lowercase()))
        .select((customers::id, customers::password_hash, customers::status))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, password_hash, status)| Credentials {
        kind: CUSTOMER,
        id,
        password_hash,
        active: status != CustomerStatus::Terminated,
    }))
}

/// The customer behind a session, unless terminated.
pub fn principal(conn: &mut DbConn, id: i64) -> AppResult<Option<Principal>> {
    let row: Option<(String, String, CustomerStatus)> = customers::table
        .find(id)
        .select((customers::username, customers::full_name, customers::status))
        .first(conn)
        .optional()?;
    Ok(row
        .filter(|(_, _, status)| *status != CustomerStatus::Terminated)
        .map(|(username, full_name, _)| Principal::Customer { id, username, full_name }))
}

pub fn set_password(conn: &mut DbConn, id: i64, password_hash: &str, now: chrono::NaiveDateTime) -> AppResult<()> {
    diesel::update(customers::table.find(id))
        .set((
            customers::password_hash.eq(password_hash),
            customers::password_changed_at.eq(now),
            customers::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
