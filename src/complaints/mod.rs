//! Complaints: filed by customers or staff (`CMP` + 10 digits, OPEN), assigned to and worked by
//! support staff (`OPEN → IN_PROGRESS → RESOLVED → CLOSED`, or resolved on the first call; a resolved one may
//! reopen), and
//! announced live to subscribers after each commit.

pub mod graphql;
pub mod model;
pub mod mutations;
pub mod repo;
pub mod rules;
pub mod service;
