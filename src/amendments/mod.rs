//! Amending an issued tax invoice (CGST Act section 37(3)): the recipient's GSTIN corrected
//! after issue, on the invoice and its credit and debit notes. [`rules`] says which
//! corrections a return can carry and builds the amended record; [`service`] checks and stores
//! them (a new version in `document_amendments`, [`crate::documents::amendments`]); GSTR-1
//! reports them ([`crate::gstr1::amendments`]).

pub mod graphql;
pub mod rules;
pub mod service;
