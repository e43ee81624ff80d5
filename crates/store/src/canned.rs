//! Canned replies: a cooperative's ready-made answers, found by shortcut (`/salam`).
//! The body is a template; `guyub-services::canned` checks and renders it.

use crate::{Conn, Result, StoreError, found, now_ms};
use guyub_domain::{CannedReplyId, CooperativeId};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    pub id: CannedReplyId,
    pub cooperative_id: CooperativeId,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

const COLS: &str =
    "id, cooperative_id, shortcut, title, body, created_by, created_at, updated_by, updated_at";

fn from_row(r: &AnyRow) -> Result<CannedReply> {
    Ok(CannedReply {
        id: CannedReplyId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        shortcut: r.try_get("shortcut")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const DUPLICATE: &str = "a canned reply with this shortcut";

/// What a reply says; `by` is the actor's label.
pub struct CannedFields<'a> {
    pub shortcut: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub by: &'a str,
}

pub async fn create(
    conn: &mut Conn,
    coop: CooperativeId,
    f: &CannedFields<'_>,
) -> Result<CannedReply> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO canned_replies (cooperative_id, shortcut, title, body, created_by, created_at, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $5, $6) RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(f.shortcut)
        .bind(f.title)
        .bind(f.body)
        .bind(f.by)
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, DUPLICATE))?;
    from_row(&row)
}

pub async fn update(
    conn: &mut Conn,
    coop: CooperativeId,
    id: CannedReplyId,
    f: &CannedFields<'_>,
) -> Result<CannedReply> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE canned_replies SET shortcut = $3, title = $4, body = $5, updated_by = $6, updated_at = $7
         WHERE cooperative_id = $1 AND id = $2 RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .bind(f.shortcut)
        .bind(f.title)
        .bind(f.body)
        .bind(f.by)
        .bind(now_ms())
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, DUPLICATE))?;
    from_row(&found(row)?)
}

/// Deletes a reply and returns what it was.
pub async fn delete(
    conn: &mut Conn,
    coop: CooperativeId,
    id: CannedReplyId,
) -> Result<CannedReply> {
    let sql = sqlx::AssertSqlSafe(format!(
        "DELETE FROM canned_replies WHERE cooperative_id = $1 AND id = $2 RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

pub async fn get(conn: &mut Conn, coop: CooperativeId, id: CannedReplyId) -> Result<CannedReply> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM canned_replies WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

pub async fn by_shortcut(
    conn: &mut Conn,
    coop: CooperativeId,
    shortcut: &str,
) -> Result<CannedReply> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM canned_replies WHERE cooperative_id = $1 AND shortcut = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(shortcut)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

/// Every reply of the cooperative, by shortcut.
pub async fn list(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<CannedReply>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM canned_replies WHERE cooperative_id = $1 ORDER BY shortcut"
    ));
    let rows = sqlx::query(sql).bind(coop.0).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}
