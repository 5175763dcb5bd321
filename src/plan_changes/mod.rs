//! Plan changes in the middle of a paid period: the unused days of the old plan are credited
//! and the new plan's charged, by days, on the customer's next invoice (see [`rules`]).

pub mod graphql;
pub mod model;
pub mod repo;
pub mod rules;
pub mod service;
