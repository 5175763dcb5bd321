//! The ledger: every money movement of a customer (invoice raised, payment, refund, add-on
//! charge, advance applied, cancellation) as an append-only `Transaction` row with the running
//! balance. A customer's `balance` is the sum of their rows' balance changes.

pub mod graphql;
pub mod model;
pub mod repo;
