//! One-time setup links for a fresh install, so there is never a default password.

use crate::{Conn, Result, now_ms};

pub async fn create(conn: &mut Conn, token_hash: &str, expires_at: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(now_ms())
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether the link is valid now (unused, unexpired), without using it.
pub async fn is_valid(conn: &mut Conn, token_hash: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Uses the link up; true only for the first caller while it is valid.
pub async fn consume(conn: &mut Conn, token_hash: &str) -> Result<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE setup_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
