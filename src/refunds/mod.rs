//! Refunds: money of a completed payment paid back to the customer, all or part, never more
//! than is left of it. Taken first from the payment's money on no invoice, then from the
//! invoices it paid (newest first), which owe again and reopen.

pub mod graphql;
pub mod model;
pub mod repo;
pub mod service;
