//! Localities: the neighbourhoods a company serves (name, city, state, PIN code).

pub mod graphql;
pub mod model;
pub mod repo;
pub mod service;
