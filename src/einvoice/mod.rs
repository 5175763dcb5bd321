//! E-invoicing (CGST Rule 48(4)): a company above the turnover limit reports each B2B invoice
//! and credit note to the Invoice Registration Portal (IRP) as INV-01 JSON (schema 1.1), built
//! here from the document's snapshot only ([`inv01`]), and records the IRN, acknowledgement
//! and signed QR code the portal returns ([`service::record`]).

pub mod address;
pub mod graphql;
pub mod inv01;
pub mod model;
pub mod repo;
pub mod rules;
pub mod service;
