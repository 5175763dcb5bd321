//! Idempotency keys on money mutations (`createPayment`, `createRefund`, `createInvoice`,
//! `createAddonBill`, `adjustInvoice`): a client that never got the answer sends the same
//! mutation again with the same key and gets the first result; nothing is done twice. Keys are
//! the caller's own (two callers may use the same text) and kept 48 hours.

pub mod repo;
pub mod service;
