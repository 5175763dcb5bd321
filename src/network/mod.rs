//! The network obeys the bill: customers' PPPoE/IPoE logins and plan speeds answered to
//! FreeRADIUS (`snapshot`, read by `crate::http::radius`), the sessions it accounts for, and
//! RFC 5176 Disconnect/CoA requests to the NAS devices when a customer's status changes.

pub mod accounting;
pub mod disconnects;
pub mod graphql;
pub mod model;
pub mod mutations;
pub mod packet;
pub mod pay_page;
pub mod repo;
pub mod rules;
pub mod service;
pub mod snapshot;
