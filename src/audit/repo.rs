//! Writing and reading the audit log.

use diesel::prelude::*;

use super::model::{AuditFilter, AuditRow, NewAudit};
use super::Actor;
use crate::clock::now;
use crate::db::page::{Page, PageWindow};
use crate::db::schema::audit_log;
use crate::db::CachedDsl;
use crate::db::{escape_like, DbConn, MultiBackend};
use crate::error::AppResult;
use crate::keyset_page;

/// Appends an entry; call it inside the transaction that makes the change.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    operation: &str,
    targets: &[String],
    details: Option<&str>,
) -> AppResult<()> {
    let entry = NewAudit {
        at: now(),
        actor_kind: actor.kind,
        actor_id: actor.id,
        actor_name: &actor.name,
        operation,
        target_ids: targets.join(" "),
        details,
    };
    diesel::insert_into(audit_log::table).values(&entry).returning(audit_log::id).cached().changed(conn)?;
    Ok(())
}

/// An entry kept to be written later with others ([`record_all`]): for a batch that makes
/// hundreds of changes in one transaction and reads none of its entries back.
#[derive(Debug, Clone)]
pub struct Later {
    at: chrono::NaiveDateTime,
    actor: Actor,
    operation: &'static str,
    targets: String,
    details: Option<String>,
}

impl Later {
    /// What [`record`] would write now, as of now.
    pub fn new(actor: &Actor, operation: &'static str, targets: &[String], details: Option<String>) -> Later {
        Later { at: now(), actor: actor.clone(), operation, targets: targets.join(" "), details }
    }
}

/// Rows per statement of [`record_all`]: 7 values each, within SQLite's and PostgreSQL's limits
/// on a statement's values.
const ROWS_PER_INSERT: usize = 500;

/// Writes `entries` in as few statements as the databases allow.
pub fn record_all(conn: &mut DbConn, entries: &[Later]) -> AppResult<()> {
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        // Values bound as they are (an absent actor id or details is NULL, never DEFAULT): so
        // SQLite takes the rows in one statement too.
        let rows: Vec<_> = chunk
            .iter()
            .map(|e| {
                (
                    audit_log::at.eq(e.at),
                    audit_log::actor_kind.eq(e.actor.kind),
                    audit_log::actor_id.eq(e.actor.id),
                    audit_log::actor_name.eq(e.actor.name.as_str()),
                    audit_log::operation.eq(e.operation),
                    audit_log::target_ids.eq(e.targets.as_str()),
                    audit_log::details.eq(e.details.as_deref()),
                )
            })
            .collect();
        let insert = diesel::insert_into(audit_log::table).values(rows);
        match conn {
            DbConn::Pg(c) => insert.execute(c)?,
            DbConn::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

pub(super) fn filtered(filter: &AuditFilter) -> audit_log::BoxedQuery<'static, MultiBackend> {
    let mut query = audit_log::table.into_boxed();
    if let Some((kind, id)) = filter.actor {
        query = query.filter(audit_log::actor_kind.eq(kind)).filter(audit_log::actor_id.eq(id));
    }
    if let Some(operation) = &filter.operation {
        query = query.filter(audit_log::operation.eq(operation.clone()));
    }
    if let Some(target) = &filter.target_id {
        // Spaces delimit the IDs; base64url may hold `_`, a LIKE wildcard, hence the escaping.
        let t = escape_like(target);
        query = query.filter(
            audit_log::target_ids
                .eq(target.clone())
                .or(audit_log::target_ids.like(format!("{t} %")).escape('\\'))
                .or(audit_log::target_ids.like(format!("% {t}")).escape('\\'))
                .or(audit_log::target_ids.like(format!("% {t} %")).escape('\\')),
        );
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.lt(to));
    }
    query
}

pub fn page(conn: &mut DbConn, filter: &AuditFilter, window: PageWindow) -> AppResult<Page<AuditRow>> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = keyset_page!(filtered(filter), audit_log::id, window).load::<AuditRow>(conn)?;
    Ok(window.finish(rows, total))
}
