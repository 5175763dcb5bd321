//! The daily billing cycle: renewals of auto-renewing customers, overdue invoices, suspension
//! for unpaid dues (reactivation comes with the payment that clears them), and reminders,
//! for one business date at a time. Each run is recorded in `billing_runs`; every step is
//! idempotent (a renewal is unique per customer and period, the others are state changes and
//! deduplicated notifications), so a run for a date already done changes nothing and a run
//! killed half way finishes when started again. Work goes in batches of bounded transactions,
//! written in as few statements as the batch allows; a batch in which one customer fails is
//! run again with each customer in a savepoint of its own: the customer whose row fails is
//! recorded in `billing_run_errors` and the run goes on.

mod batch;
pub mod graphql;
pub mod model;
pub mod preview;
pub mod repo;
pub mod rules;
pub mod scheduler;
pub mod service;
mod suspensions;
