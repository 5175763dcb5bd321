use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::text_enum;

text_enum! {
    /// Who made a change.
    pub enum ActorKind {
        /// A staff account.
        Employee => "EMPLOYEE",
        /// A customer through self-service.
        Customer => "CUSTOMER",
        /// The server itself (first start, scheduled jobs).
        System => "SYSTEM",
    }
}

/// `audit_log.actor_kind` of the server itself.
pub const SYSTEM: &str = "SYSTEM";

/// A row of `audit_log`.
#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub operation: String,
    /// Global IDs, space separated.
    pub target_ids: String,
    pub details: Option<String>,
    /// When erasure blanked the personal values in `details` (and a customer actor's name).
    pub erased_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAudit<'a> {
    pub at: NaiveDateTime,
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub operation: &'a str,
    pub target_ids: String,
    pub details: Option<&'a str>,
}

/// What `auditLog(filter:)` narrows by.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor: Option<(&'static str, i64)>,
    pub operation: Option<String>,
    /// A global ID the entry touched.
    pub target_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}
