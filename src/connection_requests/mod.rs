//! Connection requests from the operator's website form: public and rate-limited per client
//! address; staff contact, approve or reject them, and convert one into a customer in one
//! transaction. Staff subscribed to `connectionRequestCreated` see each new one live.

pub mod graphql;
pub mod model;
pub mod repo;
