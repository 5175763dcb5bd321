//! The customer's money, in one place: the lock every money change takes first, putting a
//! payment's money on invoices (the one named or the oldest open ones) and keeping the rest as
//! advance, applying that advance to a new invoice, taking money back for a refund, and the
//! dues a customer is suspended for and reactivated when they are paid.
//!
//! Payments, invoices, refunds, add-ons, customers, gateways and the billing cycle call down
//! into it; it calls no area's service (only repositories and rules), so following an amount
//! never leaves this folder. See docs/ARCHITECTURE.md.

pub mod advances;
pub mod repo;
pub mod rules;
pub mod service;
