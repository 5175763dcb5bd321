//! Staff accounts (the scan's employees router): username, name, contact, role, active flag
//! and an argon2id password hash that never leaves the server.

pub mod bootstrap;
pub mod graphql;
pub mod model;
pub mod repo;
