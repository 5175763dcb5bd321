//! Credit notes (CGST Act s. 34, Rule 53): when an issued invoice's value falls (a waiver after
//! it was sent), a credit note reverses that part of its taxable value and taxes, in the same
//! transaction, numbered in the company's credit note series. Never changed or deleted.

pub mod graphql;
pub mod model;
pub mod repo;
pub mod rules;
pub mod service;
