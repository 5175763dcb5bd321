//! Every migration reverts cleanly: up → down leaves nothing behind, and up again works.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use diesel::prelude::*;
use diesel::sql_types::Text;
use isp_billing::db::{migrations, Backend, Db, DbConn};
use isp_billing::error::AppError;

use crate::helpers::{Kind, TestDb};

#[derive(QueryableByName, Debug)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Tables and indexes of the database, sorted, without diesel's own bookkeeping.
fn objects(conn: &mut DbConn, backend: Backend) -> Vec<String> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT type || ':' || name AS name FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '%diesel_schema_migrations%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT 'table:' || tablename AS name FROM pg_tables WHERE schemaname = 'public' \
             AND tablename <> '__diesel_schema_migrations' \
             UNION ALL SELECT 'index:' || indexname FROM pg_indexes WHERE schemaname = 'public' \
             AND tablename <> '__diesel_schema_migrations' ORDER BY name"
        }
    };
    diesel::sql_query(sql).load::<Named>(conn).expect("list objects").into_iter().map(|n| n.name).collect()
}

async fn round_trip(kind: Kind) {
    let Some(test_db) = tokio::task::spawn_blocking(move || TestDb::create(kind)).await.unwrap() else { return };
    let db = Db::connect(test_db.url(), 2, Arc::new(AtomicU64::new(0))).expect("connect");
    let backend = db.backend();
    db.read(move |conn| {
        let internal = |e: Box<dyn std::error::Error + Send + Sync>| AppError::Internal(e.to_string());
        assert!(objects(conn, backend).is_empty(), "a new database is empty");
        let applied = migrations::run_pending(conn).map_err(internal)?;
        assert!(!applied.is_empty());
        let schema = objects(conn, backend);
        assert!(schema.iter().any(|o| o == "table:plans"), "{schema:?}");

        let reverted = migrations::revert_all(conn).map_err(internal)?;
        assert_eq!(reverted.len(), applied.len());
        assert_eq!(objects(conn, backend), Vec::<String>::new(), "down.sql leaves nothing behind");

        migrations::run_pending(conn).map_err(internal)?;
        assert_eq!(objects(conn, backend), schema, "up again builds the same schema");
        Ok(())
    })
    .await
    .map_err(|e| e.message())
    .expect("migrations round trip");
    drop(db);
}

#[tokio::test]
async fn migrations_revert_cleanly_on_sqlite() {
    round_trip(Kind::Sqlite).await;
}

#[tokio::test]
async fn migrations_revert_cleanly_on_postgres() {
    round_trip(Kind::Postgres).await;
}
