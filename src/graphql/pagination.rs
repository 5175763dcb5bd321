//! Relay connections: one helper turns `first/after/last/before` into a [`PageWindow`] and a
//! database [`Page`] back into a connection with `totalCount`, `nodes`, `edges` and `pageInfo`.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{OutputType, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::db::page::{Page, PageWindow};
use crate::error::AppError;

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// Largest `first` or `last` accepted.
pub const MAX_PAGE_SIZE: i32 = 100;

/// Fields every connection has besides the standard ones.
#[derive(SimpleObject)]
pub struct ConnectionTotals {
    /// How many items match the filter, across all pages.
    pub total_count: i64,
}

/// A page of `T` as a Relay connection.
pub type PageConnection<T> = Connection<String, T, ConnectionTotals, EmptyFields>;

/// The pagination arguments of a connection field, as the client sent them.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    pub fn new(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> Self {
        PageArgs { first, after, last, before }
    }

    /// Checks the arguments and turns them into the window the database reads.
    pub fn window(&self) -> Result<PageWindow, AppError> {
        if self.first.is_some() && self.last.is_some() {
            return Err(AppError::bad_input("last", "give either `first` or `last`, not both"));
        }
        let size_of = |name: &str, n: i32| {
            if !(0..=MAX_PAGE_SIZE).contains(&n) {
                return Err(AppError::bad_input(
                    name,
                    format!("`{name}` must be between 0 and {MAX_PAGE_SIZE}, got {n}"),
                ));
            }
            Ok(i64::from(n))
        };
        let after = self.after.as_deref().map(|c| decode_cursor("after", c)).transpose()?;
        let before = self.before.as_deref().map(|c| decode_cursor("before", c)).transpose()?;
        let (size, backward) = match (self.first, self.last) {
            (_, Some(last)) => (size_of("last", last)?, true),
            (Some(first), None) => (size_of("first", first)?, false),
            (None, None) => (i64::from(DEFAULT_PAGE_SIZE), before.is_some() && after.is_none()),
        };
        Ok(PageWindow { after, before, size, backward })
    }
}

/// The most any one field may cost: far above the limit, and low enough that async-graphql's
/// own (unchecked) sums of costs can never wrap around.
const COST_CAP: usize = 1 << 40;

/// What a connection field costs against the complexity limit: its selection once per item
/// of the page it may return.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    list_cost(first.or(last), DEFAULT_PAGE_SIZE, child_complexity)
}

/// What a list field costs: its selection once per item it may return (`first`, or
/// `default` when left out, within the page limits).
pub fn list_cost(first: Option<i32>, default: i32, child_complexity: usize) -> usize {
    let size = first.unwrap_or(default).clamp(1, MAX_PAGE_SIZE);
    usize::try_from(size).unwrap_or(1).saturating_mul(child_complexity.max(1)).min(COST_CAP)
}

/// How many items a list without `first` is costed at (an invoice's payments, a payment's
/// refunds, ...): they are few in practice, and chaining such lists must still cost more at
/// every level, or a short query could ask for an answer of gigabytes.
pub const UNPAGED_LIST_COST: i32 = 10;

/// What a list field without `first` costs.
pub fn unpaged_cost(child_complexity: usize) -> usize {
    list_cost(None, UNPAGED_LIST_COST, child_complexity)
}

/// Builds the connection for `page`, wrapping each row with `node` and keying cursors by `id`.
pub fn connection<R, T>(page: Page<R>, id: impl Fn(&R) -> i64, node: impl Fn(R) -> T) -> PageConnection<T>
where
    T: OutputType,
{
    let mut conn = Connection::with_additional_fields(
        page.has_previous,
        page.has_next,
        ConnectionTotals { total_count: page.total_count },
    );
    conn.edges.extend(page.rows.into_iter().map(|row| Edge::new(encode_cursor(id(&row)), node(row))));
    conn
}

fn encode_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{id}"))
}

fn decode_cursor(field: &str, cursor: &str) -> Result<i64, AppError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| s.strip_prefix("cursor:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| AppError::bad_input(field, format!("`{field}` is not a cursor this API issued")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor("after", &encode_cursor(42)).unwrap(), 42);
        assert!(decode_cursor("after", "bm9wZQ").is_err());
        assert!(decode_cursor("after", "!!!").is_err());
    }

    #[test]
    fn page_size_has_a_default_and_a_maximum() {
        let w = PageArgs::default().window().unwrap();
        assert_eq!((w.size, w.backward), (i64::from(DEFAULT_PAGE_SIZE), false));
        assert!(PageArgs::new(Some(MAX_PAGE_SIZE + 1), None, None, None).window().is_err());
        assert!(PageArgs::new(Some(-1), None, None, None).window().is_err());
        assert!(PageArgs::new(Some(1), None, Some(1), None).window().is_err());
        let w = PageArgs::new(None, None, Some(5), None).window().unwrap();
        assert_eq!((w.size, w.backward), (5, true));
    }
}
