//! `src/db/schema.rs` is kept by hand; this checks it against what the migrations build. An
//! empty database is migrated on each backend and every table and column is compared both ways:
//! present on both sides, the same nullability, the same type family (integer, text, bool,
//! timestamp, ...; the backends spell types differently, so exact names are not compared).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use diesel::prelude::*;
use diesel::sql_types::Text;
use isp_billing::db::{migrations, Backend, Db, DbConn};
use isp_billing::error::AppError;

use crate::helpers::{Kind, TestDb};

/// Differences the check finds today and that are accepted, each as reported (backend first)
/// with a comment naming the drift. A difference not listed fails the test; so does an entry
/// that no longer occurs (remove it once the drift is fixed).
const KNOWN_DRIFT: &[&str] = &[];

/// One column as one side describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    /// The type as written on that side, for messages (`Nullable<Text>`, `BIGINT`).
    declared: String,
    /// See [`diesel_family`] and [`sql_family`].
    family: String,
    nullable: bool,
}

/// Table → column → description.
type Tables = BTreeMap<String, BTreeMap<String, Column>>;

/// The type family of a diesel SQL type (`BigInt`, `diesel::sql_types::Text`).
fn diesel_family(ty: &str) -> String {
    let name = ty.rsplit("::").next().unwrap_or(ty).trim();
    let family = match name {
        "SmallInt" | "Int2" | "Integer" | "Int4" | "BigInt" | "Int8" => "integer",
        "Text" | "VarChar" | "Varchar" => "text",
        "Bool" => "bool",
        "Timestamp" | "Timestamptz" | "TimestamptzSqlite" => "timestamp",
        "Date" => "date",
        "Time" => "time",
        "Float" | "Float4" | "Double" | "Float8" => "float",
        "Numeric" | "Decimal" => "numeric",
        "Binary" | "Bytea" | "Blob" => "binary",
        // Never equal to a database type's family: an unmapped type is reported, not skipped.
        _ => return format!("unmapped diesel type {name}"),
    };
    family.to_owned()
}

/// The type family of a column type as SQLite (`PRAGMA table_info`) or PostgreSQL
/// (`information_schema.columns.data_type`) reports it.
fn sql_family(ty: &str) -> String {
    let lower = ty.trim().to_ascii_lowercase();
    let base = lower.split('(').next().unwrap_or_default().trim();
    let family = match base {
        "smallint" | "int2" | "integer" | "int" | "int4" | "bigint" | "int8" => "integer",
        "text" | "varchar" | "character varying" | "char" | "character" | "bpchar" => "text",
        "boolean" | "bool" => "bool",
        "timestamp" | "timestamp without time zone" | "timestamp with time zone" | "timestamptz" | "datetime" => {
            "timestamp"
        }
        "date" => "date",
        "time" | "time without time zone" => "time",
        "real" | "float4" | "double precision" | "double" | "float8" | "float" => "float",
        "numeric" | "decimal" => "numeric",
        "bytea" | "blob" => "binary",
        _ => return format!("unmapped SQL type {ty:?}"),
    };
    family.to_owned()
}

/// The tables of a diesel schema file: every `table! { name (key) { column -> Type, ... } }`.
fn parse_schema(source: &str) -> Tables {
    let mut tables = Tables::new();
    let mut rest = source;
    while let Some(at) = rest.find("table! {") {
        rest = &rest[at + "table! {".len()..];
        let (header, after_header) = rest.split_once('{').expect("a table! body");
        let name = header
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .inspect(|line| assert!(!line.starts_with('#'), "table! attributes are not understood here: {line}"))
            .collect::<Vec<_>>()
            .join(" ");
        let name = name.split('(').next().unwrap_or_default().trim().to_owned();
        let (body, after_body) = after_header.split_once('}').expect("the end of a table! body");
        rest = after_body;
        let mut columns = BTreeMap::new();
        for line in body.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with("//")) {
            assert!(!line.starts_with('#'), "column attributes are not understood here: {line} (in {name})");
            let (column, ty) = line
                .trim_end_matches(',')
                .split_once("->")
                .unwrap_or_else(|| panic!("not a `column -> Type` line in table {name}: {line}"));
            let ty = ty.trim();
            let (nullable, inner) = match ty.strip_prefix("Nullable<").and_then(|t| t.strip_suffix('>')) {
                Some(inner) => (true, inner),
                None => (false, ty),
            };
            let column = column.trim().trim_start_matches("r#").to_owned();
            let described = Column { declared: ty.to_owned(), family: diesel_family(inner), nullable };
            assert!(columns.insert(column.clone(), described).is_none(), "column {name}.{column} twice");
        }
        assert!(!name.is_empty() && !columns.is_empty(), "a table! without a name or columns: {header}");
        assert!(tables.insert(name.clone(), columns).is_none(), "table {name} twice");
    }
    tables
}

#[derive(QueryableByName)]
struct DbColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    /// "1" or "0".
    #[diesel(sql_type = Text)]
    not_null: String,
    /// "0", or the column's position in the primary key (SQLite only).
    #[diesel(sql_type = Text)]
    primary_key: String,
}

/// The tables and columns of the database, without diesel's own `__diesel_schema_migrations`.
fn database_tables(conn: &mut DbConn, backend: Backend) -> Tables {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
                    CAST(p.\"notnull\" AS TEXT) AS not_null, CAST(p.pk AS TEXT) AS primary_key \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' \
             ORDER BY m.name, p.cid"
        }
        Backend::Postgres => {
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                    c.data_type::text AS data_type, \
                    CASE WHEN c.is_nullable = 'NO' THEN '1' ELSE '0' END AS not_null, '0'::text AS primary_key \
             FROM information_schema.columns c JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
               AND c.table_name <> '__diesel_schema_migrations' \
             ORDER BY c.table_name, c.ordinal_position"
        }
    };
    let rows = diesel::sql_query(sql).load::<DbColumn>(conn).expect("read the columns");
    let mut tables = Tables::new();
    for row in rows {
        // SQLite lets NULL into a primary key unless it is the rowid (`INTEGER PRIMARY KEY`),
        // which never holds NULL though `notnull` says 0.
        let rowid = row.primary_key != "0" && row.data_type.eq_ignore_ascii_case("INTEGER");
        let nullable = row.not_null == "0" && !rowid;
        let column = Column { family: sql_family(&row.data_type), declared: row.data_type, nullable };
        tables.entry(row.table_name).or_default().insert(row.column_name, column);
    }
    tables
}

/// `Nullable<Text>` / `TEXT NOT NULL`: a column's type and nullability for messages.
fn shown(column: &Column, database: bool) -> String {
    match (database, column.nullable) {
        (true, true) => format!("{} NULL", column.declared),
        (true, false) => format!("{} NOT NULL", column.declared),
        (false, _) => column.declared.clone(),
    }
}

/// Every difference between the diesel schema and the database, one line each.
fn differences(backend: &str, schema: &Tables, database: &Tables) -> Vec<String> {
    let mut found = Vec::new();
    let names: BTreeSet<&String> = schema.keys().chain(database.keys()).collect();
    for table in names {
        let (in_schema, in_database) = match (schema.get(table), database.get(table)) {
            (Some(s), Some(d)) => (s, d),
            (Some(_), None) => {
                found.push(format!("{backend}: table {table} is in schema.rs but not in the database"));
                continue;
            }
            (None, _) => {
                found.push(format!("{backend}: table {table} is in the database but not in schema.rs"));
                continue;
            }
        };
        let columns: BTreeSet<&String> = in_schema.keys().chain(in_database.keys()).collect();
        for column in columns {
            let (s, d) = match (in_schema.get(column), in_database.get(column)) {
                (Some(s), Some(d)) => (s, d),
                (Some(s), None) => {
                    found.push(format!(
                        "{backend}: column {table}.{column} ({}) is in schema.rs but not in the database",
                        shown(s, false)
                    ));
                    continue;
                }
                (None, Some(d)) => {
                    found.push(format!(
                        "{backend}: column {table}.{column} ({}) is in the database but not in schema.rs",
                        shown(d, true)
                    ));
                    continue;
                }
                (None, None) => unreachable!(),
            };
            if s.nullable != d.nullable {
                found.push(format!(
                    "{backend}: column {table}.{column} is {} in schema.rs ({}) but {} in the database ({})",
                    if s.nullable { "nullable" } else { "not null" },
                    shown(s, false),
                    if d.nullable { "nullable" } else { "not null" },
                    shown(d, true),
                ));
            }
            if s.family != d.family {
                found.push(format!(
                    "{backend}: column {table}.{column} is {} in schema.rs ({}) but {} in the database ({})",
                    s.family,
                    shown(s, false),
                    d.family,
                    shown(d, true),
                ));
            }
        }
    }
    found
}

/// Migrates a fresh database of `kind` and compares it with `src/db/schema.rs`.
async fn schema_rs_matches_the_migrations(kind: Kind) {
    let Some(test_db) = tokio::task::spawn_blocking(move || TestDb::create(kind)).await.unwrap() else { return };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs");
    let schema = parse_schema(&std::fs::read_to_string(path).expect("read src/db/schema.rs"));
    assert!(schema.len() >= 10 && schema.contains_key("payments"), "schema.rs parsed to {:?}", schema.keys());

    let db = Db::connect(test_db.url(), 1, Arc::new(AtomicU64::new(0))).expect("connect");
    let backend = db.backend();
    let database = db
        .read(move |conn| {
            migrations::run_pending(conn).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(database_tables(conn, backend))
        })
        .await
        .map_err(|e| e.message())
        .expect("migrate and read the columns");
    drop(db);

    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let found = differences(name, &schema, &database);
    let unexpected: Vec<&String> = found.iter().filter(|d| !KNOWN_DRIFT.contains(&d.as_str())).collect();
    let gone: Vec<&&str> =
        KNOWN_DRIFT.iter().filter(|k| k.starts_with(&format!("{name}: ")) && !found.iter().any(|d| d == *k)).collect();
    assert!(
        unexpected.is_empty(),
        "src/db/schema.rs has drifted from the {name} migrations ({} difference(s)):\n  {}",
        unexpected.len(),
        unexpected.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n  ")
    );
    assert!(gone.is_empty(), "KNOWN_DRIFT entries that no longer occur (remove them): {gone:#?}");
}

#[tokio::test]
async fn schema_rs_matches_the_migrations_on_sqlite() {
    schema_rs_matches_the_migrations(Kind::Sqlite).await;
}

#[tokio::test]
#[cfg_attr(isp_no_postgres, ignore = "set ISP_TEST_POSTGRES_URL to run on PostgreSQL")]
async fn schema_rs_matches_the_migrations_on_postgres() {
    schema_rs_matches_the_migrations(Kind::Postgres).await;
}

/// The check itself finds each kind of drift, both ways, and names it.
#[test]
fn every_kind_of_drift_is_reported() {
    let schema = parse_schema(
        "diesel::table! {
            plans (id) {
                id -> BigInt,
                name -> Text,
                speed -> Nullable<Text>,
                price_paise -> BigInt,
                gone -> Integer,
            }
        }
        diesel::joinable!(plans -> companies (company_id));
        diesel::table! {
            /// Only in schema.rs.
            ghosts (id) {
                id -> BigInt,
            }
        }",
    );
    let column =
        |declared: &str, nullable: bool| Column { declared: declared.into(), family: sql_family(declared), nullable };
    let database: Tables = BTreeMap::from([
        (
            "plans".to_owned(),
            BTreeMap::from([
                ("id".to_owned(), column("INTEGER", false)),
                ("name".to_owned(), column("character varying", true)),
                ("speed".to_owned(), column("TEXT", true)),
                ("price_paise".to_owned(), column("TEXT", false)),
                ("added".to_owned(), column("BOOLEAN", false)),
            ]),
        ),
        ("extras".to_owned(), BTreeMap::from([("id".to_owned(), column("BIGINT", false))])),
    ]);
    assert_eq!(
        differences("test", &schema, &database),
        [
            "test: table extras is in the database but not in schema.rs",
            "test: table ghosts is in schema.rs but not in the database",
            "test: column plans.added (BOOLEAN NOT NULL) is in the database but not in schema.rs",
            "test: column plans.gone (Integer) is in schema.rs but not in the database",
            "test: column plans.name is not null in schema.rs (Text) but nullable in the database (character varying NULL)",
            "test: column plans.price_paise is integer in schema.rs (BigInt) but text in the database (TEXT NOT NULL)",
        ]
    );
    assert_eq!(diesel_family("diesel::sql_types::Timestamp"), sql_family("timestamp without time zone"));
    assert_ne!(diesel_family("Uuid"), sql_family("uuid"), "unmapped types never match");
}
