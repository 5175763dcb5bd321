//! The owner's dashboard: customers, money and complaints at a glance, for all companies or
//! one company or locality. Every figure is an aggregate computed in the database ([`repo`])
//! over the business time zone's "today", "this month" and "last month" ([`model::Periods`]);
//! the reports ([`crate::reports`]) sum the same rows the same way, so their totals agree.

pub mod graphql;
pub mod model;
pub mod repo;
