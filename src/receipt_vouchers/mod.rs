//! Receipt vouchers (CGST Rule 50): tax on advances for services, paid when the money comes
//! in before the invoice, and their adjustment once the money reaches an issued invoice or is
//! refunded. Written by `settlement::advances`; read by GSTR-1 (tables 11A and 11B), the
//! documents and the API.

pub mod graphql;
pub mod model;
pub mod repo;
pub mod rules;
