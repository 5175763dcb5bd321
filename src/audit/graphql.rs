//! The audit log over GraphQL (ADMIN only).

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::model::{ActorKind, AuditFilter, AuditRow};
use super::repo;
use crate::auth::guard::Require;
use crate::auth::model::{CUSTOMER, EMPLOYEE};
use crate::auth::permissions::Permission;
use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::ids::global_id;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::DateTime;
use crate::ids::{self, Decoded, Kind};

/// One change: who made it, when, which operation, and the objects it touched.
pub struct AuditEntry(pub AuditRow);

#[Object]
impl AuditEntry {
    /// Opaque ID, unique across all types.
    async fn id(&self) -> ID {
        global_id(Kind::AuditEntry, self.0.id)
    }
    async fn at(&self) -> DateTime {
        DateTime(self.0.at)
    }
    async fn actor_kind(&self) -> ActorKind {
        self.0.actor_kind
    }
    /// The ID of the employee or customer who made the change (`null` for the system).
    async fn actor_id(&self) -> Option<ID> {
        let kind = match self.0.actor_kind {
            ActorKind::Employee => Kind::Employee,
            ActorKind::Customer => Kind::Customer,
            ActorKind::System => return None,
        };
        self.0.actor_id.map(|id| global_id(kind, id))
    }
    /// The actor's username at the time.
    async fn actor_name(&self) -> &str {
        &self.0.actor_name
    }
    /// The mutation, e.g. `createEmployee`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// IDs of the objects the change touched. Not paged: one change touches one to three
    /// objects.
    async fn target_ids(&self) -> Vec<ID> {
        self.0.target_ids.split_whitespace().map(|s| ID(s.to_owned())).collect()
    }
    /// Short notes on what changed, when the operation records any. An update lists each field
    /// it changed as "name: from -> to" (API field names, money in rupees, other objects by
    /// ID), separated by "; ", or "no change"; a secret or identity number shows only as
    /// "name: changed (not recorded)". Status changes read "FROM -> TO". Once the customer the
    /// entry is about has been erased (KYC retention ended), text values read "(erased)".
    async fn details(&self) -> Option<&str> {
        self.0.details.as_deref()
    }
    /// When the personal values in `details` (and a customer actor's name) were erased, after
    /// the customer's KYC retention ended; `null` for an entry as written. Nothing else about
    /// an entry ever changes.
    async fn erased_at(&self) -> Option<DateTime> {
        self.0.erased_at.map(DateTime)
    }
}

/// Narrows `auditLog`.
#[derive(InputObject, Default)]
pub struct AuditFilterInput {
    /// Changes made by this employee or customer.
    pub actor_id: Option<ID>,
    /// Changes made by this operation, e.g. `updateEmployee`.
    pub operation: Option<String>,
    /// Changes that touched this object.
    pub target_id: Option<ID>,
    /// From this time on (inclusive).
    pub from: Option<DateTime>,
    /// Before this time.
    pub to: Option<DateTime>,
}

impl AuditFilterInput {
    fn into_filter(self) -> Result<AuditFilter, AppError> {
        let actor = match self.actor_id {
            None => None,
            Some(id) => match ids::decode(&id) {
                Some(Decoded::Known(Kind::Employee, key)) => Some((EMPLOYEE, key)),
                Some(Decoded::Known(Kind::Customer, key)) => Some((CUSTOMER, key)),
                _ => return Err(AppError::bad_input("filter.actorId", "`actorId` must be an employee or customer ID")),
            },
        };
        Ok(AuditFilter {
            actor,
            operation: self.operation,
            target_id: self.target_id.map(|id| id.0),
            from: self.from.map(|t| t.0),
            to: self.to.map(|t| t.0),
        })
    }
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, oldest first (`last:` gives the newest). ADMIN only.
    #[graphql(guard = "Require(Permission::ReadAuditLog)", complexity = "page_cost(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<AuditEntry>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page = db(ctx).read(move |conn| repo::page(conn, &filter, window)).await?;
        Ok(connection(page, |row| row.id, AuditEntry))
    }
}
