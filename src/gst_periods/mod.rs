//! GST periods a company has filed (closed): no document dated in a closed month is issued,
//! cancelled or changed, so a filed return is never rewritten; corrections go into the open
//! month as credit notes.

pub mod graphql;
pub mod repo;
pub mod service;
