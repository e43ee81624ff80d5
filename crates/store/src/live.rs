//! PostgreSQL notifications for the live relay (`services::pipeline::relay`): the
//! schema the connection works in (the channel is named after it) and `pg_notify`.
//! Listening is `Db::listen`.

use crate::{Conn, Result};

/// A connection listening for notifications (`Db::listen`).
pub use sqlx::postgres::PgListener as Listener;

/// The connection's schema (`public` unless the URL sets a search path).
pub async fn current_schema(conn: &mut Conn) -> Result<String> {
    let schema: Option<String> = sqlx::query_scalar("SELECT CAST(current_schema() AS TEXT)")
        .fetch_one(&mut *conn)
        .await?;
    Ok(schema.unwrap_or_default())
}

/// Sends `payload` on `channel` to every listening connection of the database, at the
/// commit of the caller's transaction (or now, outside one).
pub async fn notify(conn: &mut Conn, channel: &str, payload: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(channel)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
