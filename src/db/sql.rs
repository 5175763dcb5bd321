//! Hand-written aggregate SQL for both backends: the dashboard and the reports sum and group
//! in the database, which diesel's DSL cannot say portably (`SUM(bigint)` is `numeric` on
//! PostgreSQL). Write `?` for each parameter; PostgreSQL gets `$1, $2, …`. Sums are cast back
//! to `BIGINT` in the SQL itself.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::pg::Pg;
use diesel::query_builder::QueryFragment;
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::{BigInt, Bool, Date, Text, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::QueryableByName;

use super::cached::CachedDsl;
use super::connection::DbConn;
use crate::error::AppResult;

/// A bound value.
#[derive(Debug, Clone)]
pub enum Param {
    Int(i64),
    Bool(bool),
    Text(String),
    Date(NaiveDate),
    Time(NaiveDateTime),
}

/// A statement being built: text with `?` placeholders and their values, in order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    params: Vec<Param>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql { text: text.to_owned(), params: Vec::new() }
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends SQL text that holds one `?`, and its value.
    pub fn push_bind(&mut self, text: &str, param: Param) -> &mut Sql {
        debug_assert_eq!(text.matches('?').count(), 1, "one placeholder in {text}");
        self.text.push_str(text);
        self.params.push(param);
        self
    }

    /// Adds a value for a `?` already in the text.
    pub fn bind(&mut self, param: Param) -> &mut Sql {
        self.params.push(param);
        self
    }

    /// The text as PostgreSQL wants it: `$n` placeholders.
    fn numbered(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 8);
        let mut n = 0;
        for c in self.text.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// Runs the statement and reads every row. It stays prepared on the connection (see
    /// [`super::Cached`]): build texts whose shape does not grow with the data.
    pub fn load<T>(&self, conn: &mut DbConn) -> AppResult<Vec<T>>
    where
        T: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
    {
        debug_assert_eq!(self.text.matches('?').count(), self.params.len(), "placeholders and values");
        match conn {
            DbConn::Sqlite(c) => {
                Ok(bind_all::<Sqlite>(diesel::sql_query(self.text.clone()).into_boxed(), &self.params)
                    .cached()
                    .load::<T>(c)?)
            }
            DbConn::Pg(c) => Ok(bind_all::<Pg>(diesel::sql_query(self.numbered()).into_boxed(), &self.params)
                .cached()
                .load::<T>(c)?),
        }
    }

    /// Runs the statement for its one row.
    pub fn one<T>(&self, conn: &mut DbConn) -> AppResult<T>
    where
        T: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
    {
        self.load(conn)?
            .into_iter()
            .next()
            .ok_or_else(|| crate::error::AppError::Internal("an aggregate returned no row".to_owned()))
    }
}

fn bind_all<'f, DB>(
    mut query: diesel::query_builder::BoxedSqlQuery<'f, DB, diesel::query_builder::SqlQuery>,
    params: &[Param],
) -> diesel::query_builder::BoxedSqlQuery<'f, DB, diesel::query_builder::SqlQuery>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<BigInt>,
    DB: diesel::sql_types::HasSqlType<Text> + diesel::sql_types::HasSqlType<Date>,
    DB: diesel::sql_types::HasSqlType<Timestamp> + diesel::sql_types::HasSqlType<Bool>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    bool: diesel::serialize::ToSql<Bool, DB>,
    String: diesel::serialize::ToSql<Text, DB>,
    NaiveDate: diesel::serialize::ToSql<Date, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
    diesel::query_builder::SqlQuery: QueryFragment<DB>,
{
    for p in params {
        query = match p.clone() {
            Param::Int(v) => query.bind::<BigInt, _>(v),
            Param::Bool(v) => query.bind::<Bool, _>(v),
            Param::Text(v) => query.bind::<Text, _>(v),
            Param::Date(v) => query.bind::<Date, _>(v),
            Param::Time(v) => query.bind::<Timestamp, _>(v),
        };
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_gets_numbered_placeholders() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ?");
        sql.push_bind(" AND b = ?", Param::Int(2)).bind(Param::Int(1));
        assert_eq!(sql.numbered(), "SELECT 1 WHERE a = $1 AND b = $2");
    }
}
