//! Payment gateways (Razorpay, Cashfree, PhonePe, Paytm, or any other through our own
//! `GENERIC_HMAC` scheme): each company's accounts with them, the notifications they send to
//! `POST /webhooks/<provider>/<gatewayId>`, and the money they report. docs/GATEWAYS.md
//! documents every scheme.
//!
//! A notification is verified against the raw bytes received ([`signature`]), read into one
//! shape whatever the provider ([`notification`]), and recorded in one transaction with its
//! event row ([`webhook`]): the payment through the same rules as `createPayment`, or kept
//! as an unmatched gateway payment for staff to assign ([`service::assign`]).

pub mod graphql;
pub mod model;
pub mod notification;
pub mod repo;
pub mod rules;
pub mod service;
pub mod signature;
pub mod webhook;
