//! GSTR-1, the monthly return of outward supplies: [`repo`] reads a company's invoices and
//! credit notes of a month (as issued), [`build`] turns them into the JSON the GST offline
//! tool reads, [`csv`] into one CSV file per section.

pub mod build;
pub mod csv;
pub mod graphql;
pub mod model;
pub mod repo;
