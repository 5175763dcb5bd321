//! Several servers on one PostgreSQL: live events reach every server's subscribers
//! ([`feed`], [`listener`]) and background jobs run on one server at a time ([`leases`]).
//! On SQLite one process serves and none of this runs.

pub mod doorbell;
pub mod feed;
pub mod leases;
pub mod listener;

/// Opens a connection of its own to the PostgreSQL at `url` (outside the pool, so its
/// statements do not count in `isp_db_statements_total`), named `name` in `pg_stat_activity`.
pub(crate) fn dedicated_connection(url: &str, name: &str) -> anyhow::Result<diesel::PgConnection> {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let mut conn = diesel::PgConnection::establish(url)?;
    conn.batch_execute(&format!("SET TIME ZONE 'UTC'; SET application_name = '{name}';"))?;
    Ok(conn)
}
