//! Payments by cash, UPI apps and cheque: recorded with a `PAY` number, put on invoices
//! (the one named, or the oldest open ones), the rest kept as the customer's advance.

pub mod graphql;
pub mod model;
pub mod mutations;
pub mod on_invoices;
pub mod repo;
pub mod rules;
pub mod service;
