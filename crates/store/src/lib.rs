//! Persistence for Guyub. One SQL code path serves SQLite (embedded default) and
//! PostgreSQL (scale) through sqlx's `Any` driver: queries use `$1` placeholders,
//! which both engines accept, and only the types both decode (BIGINT, TEXT, BLOB).
//! Times are stored as BIGINT milliseconds since the Unix epoch, booleans as 0/1.
//!
//! Every repository function for data that belongs to a cooperative takes its
//! `CooperativeId` and puts it in the `WHERE` clause; there is no unscoped variant.

pub mod audit;
pub mod canned;
pub mod channels;
pub mod contacts;
pub mod cooperatives;
mod db;
pub mod inbox;
pub mod ledger;
pub mod live;
pub mod loans;
pub mod members;
pub mod messages;
mod migrate;
pub mod savings;
pub mod search;
pub mod sessions;
pub mod setup;
pub mod shu;
pub mod sla;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use db::{Conn, Db, Engine, Tx, now_ms, positional};
pub(crate) use db::{id_list, push_placeholders};
pub use sqlx::AnyConnection;
pub use sqlx::Error as SqlxError;

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration {version} failed: {source}")]
    Migration { version: i64, source: sqlx::Error },
    #[error(
        "the database schema is at version {found}, newer than this binary knows ({known}); upgrade guyub"
    )]
    SchemaTooNew { found: i64, known: i64 },
}

impl StoreError {
    /// Turns a unique-constraint violation into `Conflict(what)`, leaving others alone.
    pub fn conflict_on_unique(e: sqlx::Error, what: &'static str) -> StoreError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Db(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Reads `Option<row>` as found-or-`NotFound`.
pub(crate) fn found<T>(row: Option<T>) -> Result<T> {
    row.ok_or(StoreError::NotFound)
}

pub mod testing {
    //! A fresh, empty database for each test: a temporary SQLite file, or, when
    //! `GUYUB_TEST_DATABASE_URL` names a PostgreSQL server, a new schema in it so that
    //! tests run in parallel without seeing each other.

    use std::sync::atomic::{AtomicU64, Ordering};

    static COUNTER: AtomicU64 = AtomicU64::new(0);

    fn unique() -> String {
        format!(
            "{}_{}_{}",
            std::process::id(),
            crate::now_ms(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// The engine the tests run on: `sqlite` unless `GUYUB_TEST_DATABASE_URL` is set.
    pub fn engine_name() -> &'static str {
        match std::env::var("GUYUB_TEST_DATABASE_URL") {
            Ok(u) if u.starts_with("postgres") => "postgres",
            _ => "sqlite",
        }
    }

    /// A URL for a database nobody else uses.
    pub async fn fresh_database_url() -> String {
        match std::env::var("GUYUB_TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => {
                let schema = format!("t_{}", unique());
                let db = crate::Db::connect(&base)
                    .await
                    .expect("connect to GUYUB_TEST_DATABASE_URL");
                let sql = sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"));
                sqlx::query(sql)
                    .execute(db.pool())
                    .await
                    .expect("create test schema");
                db.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                format!("{base}{sep}options=-c%20search_path%3D{schema}")
            }
            _ => {
                let dir = std::env::temp_dir().join("guyub-tests");
                std::fs::create_dir_all(&dir).expect("create temp dir");
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.join(format!("{}.db", unique())).display()
                )
            }
        }
    }
}
