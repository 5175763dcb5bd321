//! Document numbering (CGST Rule 46 (b)): how a company numbers its invoices and credit notes,
//! and the serial counters of financial-year series.
//!
//! The rule for drafts: a number is taken when the invoice is created (a DRAFT is numbered),
//! so under `FINANCIAL_YEAR` numbering a draft can only be cancelled, never deleted: its
//! number stays in the series and GSTR-1 counts it as cancelled. Under `TIMESTAMP` numbering
//! (the original system's) a draft can still be deleted.

pub mod model;
pub mod repo;
pub mod rules;
