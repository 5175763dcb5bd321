//! Expenses: what the operator spends (bandwidth, salaries, rent, equipment, electricity,
//! maintenance), per company, so the dashboard and reports can show profit. Created, changed
//! and deleted through [`crate::reference`], so every change is audited.

pub mod graphql;
pub mod model;
pub mod repo;
pub mod service;
