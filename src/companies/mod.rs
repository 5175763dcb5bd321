//! Companies: the ISP or franchise that bills customers (name, GSTIN, state, GST rate).

pub mod graphql;
pub mod model;
pub mod repo;
pub mod service;
