//! Invoices: GST bills raised for a customer; `total = bill + taxes + installation − discount`
//! and `balance = total − paid`, in paise.

pub mod graphql;
pub mod model;
pub mod repo;
pub mod rules;
