//! Channels: a cooperative's accounts at the messaging providers. Secrets arrive and
//! leave sealed (see `guyub-services::secretbox`); this module never sees them in clear.

use crate::{Conn, Result, StoreError, found, now_ms};
use guyub_domain::{ChannelId, CooperativeId};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: ChannelId,
    pub cooperative_id: CooperativeId,
    pub kind: String,
    pub name: String,
    pub base_url: String,
    /// Non-secret settings, JSON object.
    pub settings: String,
    /// Secret settings, sealed.
    pub secrets: String,
    pub active: bool,
    pub created_at: i64,
}

const COLS: &str =
    "id, cooperative_id, kind, name, base_url, settings, secrets, active, created_at";

fn from_row(r: &AnyRow) -> Result<Channel> {
    Ok(Channel {
        id: ChannelId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        base_url: r.try_get("base_url")?,
        settings: r.try_get("settings")?,
        secrets: r.try_get("secrets")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

pub struct NewChannel<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub base_url: &'a str,
    pub settings: &'a str,
    pub secrets: &'a str,
}

pub async fn create(conn: &mut Conn, coop: CooperativeId, c: NewChannel<'_>) -> Result<Channel> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO channels (cooperative_id, kind, name, base_url, settings, secrets, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(c.kind)
        .bind(c.name)
        .bind(c.base_url)
        .bind(c.settings)
        .bind(c.secrets)
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await?;
    from_row(&row)
}

pub async fn get(conn: &mut Conn, coop: CooperativeId, id: ChannelId) -> Result<Channel> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM channels WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

/// A webhook names only the channel: the channel's own secret authenticates the
/// delivery, and the channel row tells which cooperative it belongs to.
pub async fn for_webhook(conn: &mut Conn, id: ChannelId) -> Result<Channel> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM channels WHERE id = $1 AND active = 1"
    ));
    let row = sqlx::query(sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

/// Every active channel of every cooperative (the senders' cache).
pub async fn all_active(conn: &mut Conn) -> Result<Vec<Channel>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM channels WHERE active = 1 ORDER BY id"
    ));
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

pub async fn list(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<Channel>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM channels WHERE cooperative_id = $1 ORDER BY id"
    ));
    let rows = sqlx::query(sql).bind(coop.0).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

/// The first active channel of a kind (to reach an identity that came in by hand).
pub async fn first_of_kind(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
) -> Result<Option<Channel>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM channels WHERE cooperative_id = $1 AND kind = $2 AND active = 1 ORDER BY id LIMIT 1"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(kind)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub struct ChannelUpdate<'a> {
    pub name: &'a str,
    pub base_url: &'a str,
    pub settings: &'a str,
    pub secrets: &'a str,
    pub active: bool,
}

pub async fn update(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ChannelId,
    u: ChannelUpdate<'_>,
) -> Result<Channel> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE channels SET name = $3, base_url = $4, settings = $5, secrets = $6, active = $7, updated_at = $8
         WHERE cooperative_id = $1 AND id = $2 RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .bind(u.name)
        .bind(u.base_url)
        .bind(u.settings)
        .bind(u.secrets)
        .bind(u.active as i64)
        .bind(now_ms())
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&row.ok_or(StoreError::NotFound)?)
}
