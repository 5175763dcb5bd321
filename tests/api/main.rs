//! Integration tests: the real server over HTTP and websockets, on SQLite and PostgreSQL.

mod documents;
mod fixtures;
mod helpers;

mod auth;
mod back_office;
mod billing;
mod billing_concurrency;
mod billing_crash;
mod billing_cycle;
mod binary;
mod crowds;
mod customers;
mod durability;
mod einvoice;
mod gateways;
mod graphiql;
mod graphql_core;
mod gst_documents;
mod gst_numbering;
mod gst_print;
mod gst_records;
mod gst_registrations;
mod gst_return_files;
mod hardening;
mod http_endpoints;
mod idempotency;
mod live;
mod logs;
mod migrations;
mod notifications;
mod reference_data;
mod schema_drift;
mod schema_file;
mod simulate;
