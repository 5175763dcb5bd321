use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{login_failures, sessions};

/// `sessions.principal_kind` of a staff login.
pub const EMPLOYEE: &str = "EMPLOYEE";
/// `sessions.principal_kind` of a customer (self-service) login.
pub const CUSTOMER: &str = "CUSTOMER";

/// A row of `sessions`.
#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: i64,
    pub token_hash: String,
    pub principal_kind: String,
    pub principal_id: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub principal_kind: &'a str,
    pub principal_id: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = login_failures)]
pub struct NewLoginFailure<'a> {
    pub username: &'a str,
    pub address: &'a str,
    pub failed_at: NaiveDateTime,
    pub pending: bool,
}

/// What login needs to know about an account with a given username.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub kind: &'static str,
    pub id: i64,
    pub password_hash: String,
    pub active: bool,
}
