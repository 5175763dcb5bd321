//! A row as a GraphQL object holds it: the whole row, or the brief projection a page read
//! because the query asked for nothing more (`crate::customers::prefetch`).
//!
//! A field the brief projection answers reads it ([`shown!`]); any other field asks for the
//! whole row ([`whole`]), which a brief object loads by id through the request's loader. The
//! page chooses the brief read only when every field selected is among the brief ones, so that
//! load is a fallback, not a path the profile takes.

use std::borrow::Cow;

use async_graphql::{Context, Result};

use crate::error::AppError;
use crate::graphql::loaders::{load_one, Reader, RowKey};

/// The whole row `W`, or its brief projection `B`.
#[derive(Debug, Clone)]
pub enum Shown<W, B> {
    Whole(W),
    Brief(B),
}

/// A field both the whole row and its brief projection have, by reference:
/// `shown!(&self.0, invoice_number)`.
#[macro_export]
macro_rules! shown {
    ($shown:expr, $field:ident) => {
        match $shown {
            $crate::graphql::shown::Shown::Whole(whole) => &whole.$field,
            $crate::graphql::shown::Shown::Brief(brief) => &brief.$field,
        }
    };
}

/// The whole row of `shown`: borrowed when it is whole, else loaded by `key` (its id).
pub async fn whole<'a, K, B>(ctx: &Context<'_>, shown: &'a Shown<K::Row, B>, key: K) -> Result<Cow<'a, K::Row>>
where
    K: RowKey,
    Reader: async_graphql::dataloader::Loader<K, Value = K::Row, Error = std::sync::Arc<AppError>>,
{
    match shown {
        Shown::Whole(row) => Ok(Cow::Borrowed(row)),
        Shown::Brief(_) => load_one(ctx, key)
            .await?
            .map(Cow::Owned)
            .ok_or_else(|| AppError::Internal(format!("row {} went away", key.id())).into()),
    }
}

/// Whether the field being resolved asks only for `fields` of the object it returns (through
/// fragments too): then a brief row answers it.
pub fn asks_only(ctx: &Context<'_>, fields: &[&str]) -> bool {
    ctx.look_ahead().selection_fields().iter().all(|field| field.selection_set().all(|f| fields.contains(&f.name())))
}
