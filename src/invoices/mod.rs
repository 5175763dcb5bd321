//! Invoices: GST bills raised for a customer; `total = bill + taxes + installation − discount`
//! and `balance = total − paid`, in paise.

pub mod deferred;
pub mod graphql;
pub mod later;
pub mod model;
pub mod mutations;
pub mod repo;
pub mod rules;
pub mod service;
