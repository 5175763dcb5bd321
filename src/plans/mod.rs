//! Plans: what a customer subscribes to (broadband speed or cable pack), priced before tax.

pub mod graphql;
pub mod model;
pub mod repo;
pub mod rules;
pub mod service;
