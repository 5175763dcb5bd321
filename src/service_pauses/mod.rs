//! Pausing a travelling customer's service and giving the days back on return: the service
//! stops (SUSPENDED) and the period is frozen while a pause is open; resuming moves the end date
//! by the days paused (see [`rules`]).

pub mod graphql;
pub mod model;
pub mod mutations;
pub mod repo;
pub mod rules;
pub mod service;
