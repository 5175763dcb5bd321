//! GSTR-1, the monthly return of outward supplies: [`repo`] reads a company's invoices and
//! credit notes of a month (as issued), [`build`] turns them into the JSON the GST offline
//! tool reads, [`csv`] into one CSV file per section; [`dated_rules`] holds the rules that
//! changed over time (the B2CL limit, the HSN summary's shape).

pub mod advances;
pub mod amendments;
pub mod build;
pub mod csv;
pub mod dated_rules;
pub mod graphql;
pub mod model;
pub mod repo;
