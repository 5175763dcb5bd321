//! Ids for rows not inserted yet: a batch that writes its rows in one multi-row statement at its
//! end, but names them before that (the billing cycle's invoices, which their ledger rows,
//! records and audit entries point at), takes their ids first.

use std::collections::VecDeque;

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};

use super::connection::DbConn;
use crate::error::AppResult;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Ids for new rows of one table, taken `block` at a time.
///
/// On PostgreSQL they come from the table's identity sequence, so no other insert (this
/// transaction's own or another's) is given them; those not used are skipped. On SQLite they
/// follow the table's highest id (and `AUTOINCREMENT`'s record of it) as read inside the write
/// transaction, which no other connection writes to meanwhile: while ids are kept, every row
/// the transaction inserts into the table must take its id from here (once all kept are used,
/// the next are read afresh).
pub struct NewIds {
    table: &'static str,
    block: i64,
    kept: VecDeque<i64>,
}

impl NewIds {
    /// Ids of `table` (a table with an `id` primary key: an identity column on PostgreSQL,
    /// `INTEGER PRIMARY KEY AUTOINCREMENT` on SQLite).
    pub fn new(table: &'static str, block: i64) -> NewIds {
        NewIds { table, block: block.max(1), kept: VecDeque::new() }
    }

    /// The next id: each is higher than the one before.
    pub fn next(&mut self, conn: &mut DbConn) -> AppResult<i64> {
        if let Some(id) = self.kept.pop_front() {
            return Ok(id);
        }
        self.take(conn, self.block)?;
        self.next(conn)
    }

    /// `n` ids, in increasing order.
    pub fn next_n(&mut self, conn: &mut DbConn, n: usize) -> AppResult<Vec<i64>> {
        if self.kept.len() < n {
            self.take(conn, (n - self.kept.len()) as i64)?;
        }
        Ok(self.kept.drain(..n).collect())
    }

    fn take(&mut self, conn: &mut DbConn, n: i64) -> AppResult<()> {
        let table = self.table;
        match conn {
            DbConn::Pg(c) => {
                let ids: Vec<Id> = diesel::sql_query(format!(
                    "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, $1)"
                ))
                .bind::<BigInt, _>(n)
                .load(c)?;
                let mut ids: Vec<i64> = ids.into_iter().map(|i| i.id).collect();
                ids.sort_unstable();
                self.kept.extend(ids);
            }
            DbConn::Sqlite(c) => {
                let after = match self.kept.back() {
                    Some(&last) => last,
                    None => {
                        diesel::sql_query(format!(
                            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
                             COALESCE((SELECT MAX(id) FROM \"{table}\"), 0)) AS id"
                        ))
                        .get_result::<Id>(c)?
                        .id
                    }
                };
                self.kept.extend(after + 1..=after + n);
            }
        }
        Ok(())
    }
}
