//! Appending to and reading the ledger.

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::{Entry, NewTransaction, TransactionFilter, TransactionRow};
use crate::audit::Actor;
use crate::db::page::{Page, PageWindow};
use crate::db::schema::transactions;
use crate::db::sql::{Param, Sql};
use crate::db::CachedDsl;
use crate::db::{DbConn, MultiBackend};
use crate::error::AppResult;
use crate::keyset_page;

/// Appends `entry` with a fresh `TXN` number and the customer's running balance. Call it inside
/// the write transaction that moves the money, after locking the customer
/// (`settlement::service::lock_customer`), so running balances never interleave. Unless
/// [`with_balances_known`] keeps the balance, the insert reads it itself from the customer's
/// newest row: one statement, not a read and an insert. A running balance beyond the stored
/// bound ([`crate::money::MAX_STORED_PAISE`]) is refused as `BAD_USER_INPUT` on `amount`
/// either way: by [`crate::money::add`], or then by the table's own check.
pub fn append(conn: &mut DbConn, entry: Entry, actor: &Actor) -> AppResult<TransactionRow> {
    let known = known_balance(entry.customer_id);
    // Not known: the row's balance is the insert's to read (`new`'s own is not written).
    let mut new = new_row(entry, known.unwrap_or(0), actor)?;
    let row: TransactionRow = crate::numbers::insert_under_fresh_number("TXN", 12, |number| {
        new.transaction_id = number;
        Ok(match known {
            Some(_) => insert_one(conn, &new)?,
            None => insert_one_after_newest(conn, &new)?,
        })
    })?;
    remember(row.customer_id, row.balance_after_paise);
    Ok(row)
}

/// Inserts `new` as it is (`None`: its number is taken).
fn insert_one(conn: &mut DbConn, new: &NewTransaction) -> AppResult<Option<TransactionRow>> {
    let insert = diesel::insert_into(transactions::table)
        .values(new)
        .on_conflict(transactions::transaction_id)
        .do_nothing()
        .returning(transactions::all_columns)
        .cached();
    Ok(match conn {
        DbConn::Pg(c) => insert.get_result(c).optional()?,
        DbConn::Sqlite(c) => insert.get_result(c).optional()?,
    })
}

/// Inserts `new` with its running balance read in the same statement: the customer's newest
/// row's (0 without one) plus its change (`None`: its number is taken).
fn insert_one_after_newest(conn: &mut DbConn, new: &NewTransaction) -> AppResult<Option<TransactionRow>> {
    use diesel::sql_types::BigInt;
    let balance_after = diesel::dsl::sql::<BigInt>(
        "COALESCE((SELECT newest.balance_after_paise FROM transactions AS newest WHERE newest.customer_id = ",
    )
    .bind::<BigInt, _>(new.customer_id)
    .sql(" ORDER BY newest.id DESC LIMIT 1), 0) + ")
    .bind::<BigInt, _>(new.balance_change_paise);
    let insert = diesel::insert_into(transactions::table)
        .values((
            transactions::transaction_id.eq(&new.transaction_id),
            transactions::customer_id.eq(new.customer_id),
            transactions::transaction_type.eq(new.transaction_type),
            transactions::amount_paise.eq(new.amount_paise),
            transactions::balance_change_paise.eq(new.balance_change_paise),
            transactions::balance_after_paise.eq(balance_after),
            transactions::invoice_id.eq(new.invoice_id),
            transactions::payment_id.eq(new.payment_id),
            transactions::refund_id.eq(new.refund_id),
            transactions::description.eq(&new.description),
            transactions::recorded_by.eq(new.recorded_by),
            transactions::created_at.eq(new.created_at),
            transactions::credit_note_id.eq(new.credit_note_id),
        ))
        .on_conflict(transactions::transaction_id)
        .do_nothing()
        .returning(transactions::all_columns)
        .cached();
    let inserted = match conn {
        DbConn::Pg(c) => insert.get_result(c).optional(),
        DbConn::Sqlite(c) => insert.get_result(c).optional(),
    };
    inserted.map_err(|e| if out_of_bounds(&e) { crate::money::past_the_bound("amount") } else { e.into() })
}

/// Whether `e` is the table's refusal of a running balance beyond the stored bound (migration
/// `money_bounds`: a check on PostgreSQL, a trigger on SQLite).
fn out_of_bounds(e: &diesel::result::Error) -> bool {
    match e {
        diesel::result::Error::DatabaseError(_, info) => {
            info.constraint_name() == Some("transactions_balance_after_paise_bounded")
                || info.message().contains("transactions money out of range")
        }
        _ => false,
    }
}

/// [`append`]'s row, numbered, for a caller that inserts it later with others
/// ([`insert_numbered_rows`], in this order): only while the customer's running balance is
/// known ([`knows_balance`]), which it moves on.
pub fn append_later(entry: Entry, actor: &Actor) -> AppResult<NewTransaction> {
    let customer_id = entry.customer_id;
    let before = known_balance(customer_id).ok_or_else(|| {
        crate::error::AppError::Internal(format!("the running balance of customer {customer_id} is not known"))
    })?;
    let mut new = new_row(entry, before, actor)?;
    new.transaction_id = crate::numbers::random_number("TXN", 12, &mut rand::rng());
    remember(customer_id, new.balance_after_paise);
    Ok(new)
}

/// Whether [`with_balances_known`] keeps `customer_id`'s running balance on this thread.
pub fn knows_balance(customer_id: i64) -> bool {
    known_balance(customer_id).is_some()
}

/// Inserts rows made by [`append_later`], in their order, as few statements: ids taken from
/// `ids` first so that a row whose number another holds (drawn again, then inserted) keeps
/// its place in the customer's running balances.
pub fn insert_numbered_rows(
    conn: &mut DbConn,
    ids: &mut crate::db::NewIds,
    rows: &mut Vec<NewTransaction>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids = ids.next_n(conn, rows.len())?;
    let mut waiting: Vec<Numbered> =
        ids.into_iter().zip(rows.drain(..)).map(|(id, new)| Numbered { id, new }).collect();
    let mut rng = rand::rng();
    for _ in 0..20 {
        let mut inserted: std::collections::HashSet<i64> = std::collections::HashSet::new();
        // 15 values a row: within both databases' limits on a statement's values.
        for chunk in waiting.chunks(500) {
            let insert = diesel::insert_into(transactions::table)
                .values(chunk)
                .on_conflict(transactions::transaction_id)
                .do_nothing()
                .returning(transactions::id);
            inserted.extend(match conn {
                DbConn::Pg(c) => insert.get_results::<i64>(c)?,
                DbConn::Sqlite(c) => insert.get_results::<i64>(c)?,
            });
        }
        waiting.retain(|row| !inserted.contains(&row.id));
        if waiting.is_empty() {
            return Ok(());
        }
        for row in &mut waiting {
            row.new.transaction_id = crate::numbers::random_number("TXN", 12, &mut rng);
        }
    }
    Err(crate::error::AppError::Internal("no free TXN number after 20 draws".into()))
}

/// A row of [`insert_numbered_rows`] with the id it takes.
#[derive(Insertable)]
#[diesel(table_name = transactions)]
// Many rows in one statement on SQLite too (see `NewInvoiceAs`).
#[diesel(treat_none_as_default_value = false)]
struct Numbered {
    id: i64,
    #[diesel(embed)]
    new: NewTransaction,
}

/// The row that records `entry` after a running balance of `before` (its number still to draw).
fn new_row(entry: Entry, before: i64, actor: &Actor) -> AppResult<NewTransaction> {
    let balance_after = crate::money::add("amount", before, entry.balance_change)?;
    Ok(NewTransaction {
        transaction_id: String::new(),
        customer_id: entry.customer_id,
        transaction_type: entry.kind,
        amount_paise: entry.amount,
        balance_change_paise: entry.balance_change,
        balance_after_paise: balance_after,
        invoice_id: entry.invoice_id,
        payment_id: entry.payment_id,
        refund_id: entry.refund_id,
        description: entry.description,
        recorded_by: actor.employee_id(),
        created_at: crate::clock::now(),
        credit_note_id: entry.credit_note_id,
    })
}

/// Keeps `customer_id`'s new running balance while [`with_balances_known`] runs.
fn remember(customer_id: i64, balance: i64) {
    KNOWN.with(|k| {
        if let Some(known) = k.borrow_mut().as_mut() {
            known.insert(customer_id, balance);
        }
    });
}

thread_local! {
    /// While [`with_balances_known`] runs on this thread: customers' running balances.
    static KNOWN: std::cell::RefCell<Option<HashMap<i64, i64>>> = const { std::cell::RefCell::new(None) };
}

fn known_balance(customer_id: i64) -> Option<i64> {
    KNOWN.with(|k| k.borrow().as_ref().and_then(|known| known.get(&customer_id).copied()))
}

/// Runs `f` with the running balances of `customer_ids` read once (one statement) and kept up to
/// date by [`append`], which then reads none: for a batch that appends to many customers' ledgers
/// in one transaction. Call it in a write transaction that holds those customers' locks, with no
/// savepoint inside `f` that could roll an append back while its balance stays remembered.
pub fn with_balances_known<T>(
    conn: &mut DbConn,
    customer_ids: &[i64],
    f: impl FnOnce(&mut DbConn) -> AppResult<T>,
) -> AppResult<T> {
    let known = balances(conn, customer_ids)?;
    struct Restore(Option<HashMap<i64, i64>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            KNOWN.with(|k| *k.borrow_mut() = before);
        }
    }
    let _restore = Restore(KNOWN.with(|k| k.borrow_mut().replace(known)));
    f(conn)
}

/// What each customer owes (negative: their advance): the running balance of their newest
/// ledger row, which is the sum of all their rows' changes. Every customer in `customer_ids`
/// is present (0 without rows). One statement, reading the two columns it needs: each
/// customer's newest id from the index on (customer, id), then that row.
pub fn balances(conn: &mut DbConn, customer_ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    use diesel::sql_types::BigInt;
    #[derive(diesel::QueryableByName)]
    struct Balance {
        #[diesel(sql_type = BigInt)]
        customer_id: i64,
        #[diesel(sql_type = BigInt)]
        balance_after_paise: i64,
    }
    let mut out: HashMap<i64, i64> = customer_ids.iter().map(|id| (*id, 0)).collect();
    if customer_ids.is_empty() {
        return Ok(out);
    }
    let listed = crate::db::fragments::id_in_text(conn, "customer_id");
    let mut sql = Sql::new(&format!(
        "SELECT customer_id, balance_after_paise FROM transactions WHERE id IN \
         (SELECT max(id) FROM transactions WHERE {listed} GROUP BY customer_id)"
    ));
    sql.bind(Param::Text(crate::db::id_list(customer_ids)));
    for row in sql.load::<Balance>(conn)? {
        out.insert(row.customer_id, row.balance_after_paise);
    }
    Ok(out)
}

/// The `PAYMENT` rows the ledger wrote when each of `payment_ids` was applied (none for a
/// payment still pending, or failed).
pub fn payment_rows(conn: &mut DbConn, payment_ids: &[i64]) -> AppResult<Vec<TransactionRow>> {
    Ok(transactions::table
        .filter(crate::db::fragments::id_in("transactions.payment_id", payment_ids))
        .filter(transactions::transaction_type.eq(crate::ledger::model::TransactionType::Payment))
        .order(transactions::id.asc())
        .load(conn)?)
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<TransactionRow>> {
    Ok(transactions::table.filter(crate::db::fragments::id_in("transactions.id", ids)).load(conn)?)
}

/// The newest `first` ledger rows of each customer, newest first within each.
pub fn newest_for_customers(conn: &mut DbConn, customer_ids: &[i64], first: i64) -> AppResult<Vec<TransactionRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ranked = crate::db::fragments::newest_per_customer("transactions", customer_ids, None, first);
    let mut rows: Vec<TransactionRow> = transactions::table.filter(ranked).load(conn)?;
    rows.sort_unstable_by_key(|r| (r.customer_id, std::cmp::Reverse(r.id)));
    Ok(rows)
}

fn filtered(filter: &TransactionFilter) -> transactions::BoxedQuery<'static, MultiBackend> {
    let mut query = transactions::table.into_boxed();
    if let Some(customer) = filter.customer_id {
        query = query.filter(transactions::customer_id.eq(customer));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(transactions::transaction_type.eq(kind));
    }
    if let Some(invoice) = filter.invoice_id {
        query = query.filter(transactions::invoice_id.eq(invoice));
    }
    if let Some(payment) = filter.payment_id {
        query = query.filter(transactions::payment_id.eq(payment));
    }
    if let Some(from) = filter.from {
        query = query.filter(transactions::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(transactions::created_at.lt(to));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &TransactionFilter, window: PageWindow) -> AppResult<Page<TransactionRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), transactions::id, window).load::<TransactionRow>(conn)?;
    Ok(window.finish(rows, total))
}
