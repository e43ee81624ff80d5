//! API tokens for integrations: bound to a cooperative and a role, stored as a hash.

use crate::{Conn, Result, found, now_ms};
use guyub_domain::{ApiTokenId, CooperativeId, Role, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub cooperative_id: CooperativeId,
    pub name: String,
    pub role: Role,
    /// The first characters of the token, shown so people can tell tokens apart.
    pub prefix: String,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLS: &str =
    "id, cooperative_id, name, role, prefix, created_by, created_at, last_used_at, revoked_at";

fn from_row(r: &AnyRow) -> Result<ApiToken> {
    let role: String = r.try_get("role")?;
    Ok(ApiToken {
        id: ApiTokenId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        name: r.try_get("name")?,
        role: role.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        prefix: r.try_get("prefix")?,
        created_by: r.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

pub async fn create(
    conn: &mut Conn,
    coop: CooperativeId,
    name: &str,
    role: Role,
    token_hash: &str,
    prefix: &str,
    created_by: Option<UserId>,
) -> Result<ApiToken> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO api_tokens (cooperative_id, name, role, token_hash, prefix, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(name)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(prefix)
        .bind(created_by.map(|u| u.0))
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await?;
    from_row(&row)
}

pub async fn list(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<ApiToken>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM api_tokens WHERE cooperative_id = $1 ORDER BY id DESC"
    ));
    let rows = sqlx::query(sql).bind(coop.0).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Conn, coop: CooperativeId, id: ApiTokenId) -> Result<ApiToken> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM api_tokens WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

/// Marks a token revoked; revoking twice is a no-op. `NotFound` if it is not this
/// cooperative's.
pub async fn revoke(conn: &mut Conn, coop: CooperativeId, id: ApiTokenId) -> Result<ApiToken> {
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE cooperative_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    get(conn, coop, id).await
}

/// The live token with this hash. This is how a request finds its cooperative.
pub async fn authenticate(conn: &mut Conn, token_hash: &str) -> Result<Option<ApiToken>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
    ));
    let row = sqlx::query(sql)
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Records use at most once a minute per token, to keep reads from writing.
pub async fn mark_used(conn: &mut Conn, coop: CooperativeId, id: ApiTokenId) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $3 WHERE cooperative_id = $1 AND id = $2
         AND (last_used_at IS NULL OR last_used_at < $4)",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(now)
    .bind(now - 60_000)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
