//! The connection pool and the few places where the two engines differ.

use crate::{Result, StoreError, migrate};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub type Conn = sqlx::AnyConnection;

pub type Tx = Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// Rewrites `$1, $2, …, $n` (each once, in order) to `?` when `conn` is SQLite. sqlx
/// binds SQLite parameters by asking SQLite each one's name, which SQLite finds by a
/// linear search, so a statement with n numbered parameters binds in O(n²); plain `?`
/// parameters have no name and bind in O(n). Wide multi-row statements use this; SQL
/// that repeats or reorders a parameter is returned unchanged.
pub fn positional(conn: &Conn, sql: String) -> String {
    if conn.backend_name() != "SQLite" {
        return sql;
    }
    to_positional(&sql).unwrap_or(sql)
}

/// Ids for an `IN (…)` list. Only integers are ever written into SQL this way.
pub(crate) fn id_list(ids: impl IntoIterator<Item = i64>) -> String {
    ids.into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Appends `($1,…,$cols),(…)` for `rows` rows of `cols` parameters each.
pub(crate) fn push_placeholders(sql: &mut String, rows: usize, cols: usize) {
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", i * cols + c + 1));
        }
        sql.push(')');
    }
}

fn to_positional(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut expected = 1u64;
    let (mut i, mut last) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if end > start {
                if sql[start..end].parse::<u64>().ok()? != expected {
                    return None;
                }
                out.push_str(&sql[last..i]);
                out.push('?');
                expected += 1;
                last = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&sql[last..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbered_parameters_in_order_become_question_marks() {
        use super::to_positional as p;
        assert_eq!(
            p("INSERT INTO t VALUES ($1,$2),($3,$4)").as_deref(),
            Some("INSERT INTO t VALUES (?,?),(?,?)")
        );
        assert_eq!(
            p("SELECT 1 WHERE a = $1 AND b IN ($2,$3,$4,$5,$6,$7,$8,$9,$10)").as_deref(),
            Some("SELECT 1 WHERE a = ? AND b IN (?,?,?,?,?,?,?,?,?)")
        );
        // Repeated or out of order: left alone (the caller keeps the numbered form).
        assert_eq!(p("VALUES ($1,$1)"), None);
        assert_eq!(p("VALUES ($2,$1)"), None);
        assert_eq!(
            p("SELECT 'no params'").as_deref(),
            Some("SELECT 'no params'")
        );
    }
}

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// For connections outside the pool (LISTEN); never printed.
    url: HiddenUrl,
}

/// A database URL (it may hold a password) whose `Debug` shows nothing of it.
#[derive(Clone)]
struct HiddenUrl(std::sync::Arc<str>);

impl std::fmt::Debug for HiddenUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HiddenUrl(..)")
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) without migrating.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            return Err(StoreError::Db(sqlx::Error::Configuration(
                "database URL must start with sqlite: or postgres:".into(),
            )));
        };
        let opts = AnyConnectOptions::from_str(url)?;
        let pool = match engine {
            Engine::Sqlite => {
                AnyPoolOptions::new()
                    // SQLite has one writer; a few readers share the WAL.
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL with synchronous=NORMAL: a commit survives a crash of
                            // the process (kill -9), not a power loss. See docs/DURABILITY.md.
                            conn.execute("PRAGMA journal_mode=WAL").await?;
                            conn.execute("PRAGMA synchronous=NORMAL").await?;
                            conn.execute("PRAGMA foreign_keys=ON").await?;
                            conn.execute("PRAGMA busy_timeout=10000").await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
            Engine::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?
            }
        };
        Ok(Db {
            pool,
            engine,
            url: HiddenUrl(url.into()),
        })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Db> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub async fn migrate(&self) -> Result<Vec<i64>> {
        migrate::run(self).await
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A connection of its own listening on `channel` (PostgreSQL only): it hears what
    /// any process on this database sends there with `NOTIFY` / `pg_notify`.
    pub async fn listen(&self, channel: &str) -> Result<crate::live::Listener> {
        if self.engine != Engine::Postgres {
            return Err(StoreError::Db(sqlx::Error::Configuration(
                "LISTEN needs PostgreSQL".into(),
            )));
        }
        let mut listener = crate::live::Listener::connect(&self.url.0).await?;
        listener.listen(channel).await?;
        Ok(listener)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read followed by a write cannot deadlock against
    /// another writer; PostgreSQL's row locks do that job there.
    pub async fn begin_write(&self) -> Result<Tx> {
        Ok(match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        })
    }

    /// A connection for reads (and single-statement writes).
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Whether the database answers, for `/readyz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Pool size and idle connections, for `/metrics`.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
