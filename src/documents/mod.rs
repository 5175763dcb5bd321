//! Tax invoices, bills of supply, credit notes and proformas as documents a customer can be
//! sent (CGST Rules 46, 49 and 53): [`source`] reads what a document shows (an issued one from
//! its [`snapshot`], kept by [`repo`]), [`html`] and [`pdf`] render it the same way, with a
//! [`upi`] QR code that pays an invoice's balance.

pub mod amendments;
pub mod html;
pub mod model;
pub mod pdf;
pub mod repo;
pub mod snapshot;
pub mod source;
pub mod text;
pub mod upi;
pub mod words;
