//! Customers: who is billed, on which plan, where, and their status; with the one-query
//! profile (plan, locality, company, assigned employee, invoices with payments).

pub mod graphql;
pub mod inputs;
pub mod loader;
pub mod model;
pub mod mutations;
pub mod prefetch;
pub mod repo;
pub mod rules;
pub mod search;
pub mod service;
