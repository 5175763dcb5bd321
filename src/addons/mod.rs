//! Add-on bills: one-off charges on a customer (router sale, reconnection, shifting), with GST,
//! billed on their own invoice at once or waiting (`PENDING`) to be added to the next invoice.

pub mod graphql;
pub mod model;
pub mod repo;
pub mod rules;
pub mod service;
