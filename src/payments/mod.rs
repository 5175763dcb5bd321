//! Payments by cash, UPI apps and cheque, applied to invoices.

pub mod graphql;
pub mod model;
pub mod repo;
