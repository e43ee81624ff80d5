//! Browser sessions, stored in the database so that any process can serve any
//! request. Only a hash of the cookie value is kept.

use crate::users::{self, User};
use crate::{Conn, Result, now_ms};
use guyub_domain::{CooperativeId, UserId};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

pub async fn create(
    conn: &mut Conn,
    coop: CooperativeId,
    user: UserId,
    token_hash: &str,
    csrf_token: &str,
    expires_at: i64,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (token_hash, cooperative_id, user_id, csrf_token, created_at, expires_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $5)",
    )
    .bind(token_hash)
    .bind(coop.0)
    .bind(user.0)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The live session for a cookie hash, with its (active) user.
pub async fn find(conn: &mut Conn, token_hash: &str, now: i64) -> Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT u.id, u.cooperative_id, u.email, u.name, u.role, u.locale, u.active, u.created_at,
                u.password_changed_at, s.csrf_token, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id AND u.cooperative_id = s.cooperative_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some(Session {
            user: users::from_row(&r)?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
        })),
    }
}

/// Slides the expiry forward on use.
pub async fn touch(conn: &mut Conn, token_hash: &str, expires_at: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now_ms())
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (after a password or role change, or deactivation),
/// except optionally the one making the change.
pub async fn delete_for_user(
    conn: &mut Conn,
    coop: CooperativeId,
    user: UserId,
    keep: Option<&str>,
) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM sessions WHERE cooperative_id = $1 AND user_id = $2 AND token_hash <> $3",
    )
    .bind(coop.0)
    .bind(user.0)
    .bind(keep.unwrap_or(""))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn delete_expired(conn: &mut Conn, now: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
