//! Reports for the accountant: collections (payments less refunds), refunds, dues and ageing,
//! revenue by plan and by locality, a GST summary per month, expenses by category, and the
//! customer list. Each is a GraphQL query (totals and groups) and a CSV download
//! (`GET /reports/<name>.csv`, streamed in batches from one database snapshot, see
//! [`stream`]). The sums are the dashboard's own (`crate::dashboard::repo`'s filters), so a
//! report for a month agrees with the dashboard's figure for that month to the paisa.

pub mod csv;
pub mod graphql;

pub mod model;
pub mod refunds;
pub mod repo;
pub mod stream;
