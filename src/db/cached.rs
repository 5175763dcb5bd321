//! Keeping statements prepared that diesel would prepare again on every execution.
//!
//! diesel keeps a prepared statement per connection only for a query it can prove always
//! writes the same SQL. It cannot for every `UPDATE` (a changeset of `Option`s skips the
//! `None`s), an insert with an `Option` field, a `sql_query`, or `eq_any` on SQLite, so it
//! parses and plans those anew each time: SQLite's parser and code generator, PostgreSQL's
//! parse and custom plan on every call. [`Cached`] keys such a statement by its SQL text (and
//! its bound types) instead: the same text is the same statement, prepared once per
//! connection. Use it where the text takes a bounded number of shapes (not for an `IN` list of
//! one placeholder per value: see [`super::fragments::id_in`]).
//!
//! Only loads keep it (`load`, `get_result`, `first`): diesel hands a statement run for its
//! count (`execute`) on by reference, and its reference wrapper asks the statement itself again,
//! which says no. So a write that should stay prepared returns a column (`RETURNING id`) and is
//! loaded: see [`Cached::changed`].

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

use super::connection::DbConn;

/// `query`, kept prepared by its SQL text (see the module).
#[derive(Debug, Clone)]
pub struct Cached<Q>(Q);

impl<DB: Backend, Q: QueryFragment<DB>> QueryFragment<DB> for Cached<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        // Safe by the key: without a static query id, the cache looks statements up by
        // their SQL text and bound types, so two shapes are two statements.
        Ok(true)
    }
}

impl<Q> QueryId for Cached<Q> {
    type QueryId = ();
    // Never by type: the text decides (see `is_safe_to_cache_prepared`).
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, C> RunQueryDsl<C> for Cached<Q> {}

impl<Q> Cached<Q> {
    /// Runs a write that returns one `BIGINT` per row it changed (`RETURNING id`), kept
    /// prepared; the number of rows changed.
    pub fn changed<'query>(self, conn: &mut DbConn) -> QueryResult<usize>
    where
        Self: diesel::query_dsl::LoadQuery<'query, DbConn, i64>,
    {
        Ok(self.load::<i64>(conn)?.len())
    }
}

/// `.cached()` on any statement: see [`Cached`].
pub trait CachedDsl: Sized {
    fn cached(self) -> Cached<Self> {
        Cached(self)
    }
}

impl<Q> CachedDsl for Q {}
