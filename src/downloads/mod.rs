//! Download links: the documents and reports as short-lived signed URLs, so that a browser can
//! open them with a plain link (a link cannot carry an `Authorization` header).

pub mod graphql;
pub mod links;
