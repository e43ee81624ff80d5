//! Staff accounts of a cooperative. Every function takes the cooperative id.

use crate::{Conn, Result, StoreError, found, now_ms};
use guyub_domain::{CooperativeId, Email, Role, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub cooperative_id: CooperativeId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub locale: String,
    pub active: bool,
    pub created_at: i64,
    pub password_changed_at: i64,
}

const COLS: &str =
    "id, cooperative_id, email, name, role, locale, active, created_at, password_changed_at";

pub(crate) fn from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: UserId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: role.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        locale: r.try_get("locale")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.try_get("created_at")?,
        password_changed_at: r.try_get("password_changed_at")?,
    })
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub locale: &'a str,
}

pub async fn create(conn: &mut Conn, coop: CooperativeId, u: NewUser<'_>) -> Result<User> {
    let now = now_ms();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO users (cooperative_id, email, name, role, password_hash, locale, created_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(u.email.as_str())
        .bind(u.name)
        .bind(u.role.as_str())
        .bind(u.password_hash)
        .bind(u.locale)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, "user e-mail"))?;
    from_row(&row)
}

pub async fn get(conn: &mut Conn, coop: CooperativeId, id: UserId) -> Result<User> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM users WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

/// The user and their password hash, for checking a login.
pub async fn for_login(
    conn: &mut Conn,
    coop: CooperativeId,
    email: &Email,
) -> Result<Option<(User, String)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS}, password_hash FROM users WHERE cooperative_id = $1 AND email = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(email.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Some((from_row(&r)?, r.try_get("password_hash")?))),
        None => Ok(None),
    }
}

pub async fn password_hash(conn: &mut Conn, coop: CooperativeId, id: UserId) -> Result<String> {
    let h: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE cooperative_id = $1 AND id = $2")
            .bind(coop.0)
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    found(h)
}

pub async fn list(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<User>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM users WHERE cooperative_id = $1 ORDER BY name, id"
    ));
    let rows = sqlx::query(sql).bind(coop.0).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

async fn update(
    conn: &mut Conn,
    sql: &'static str,
    coop: CooperativeId,
    id: UserId,
    bind_text: Option<&str>,
    bind_int: Option<i64>,
) -> Result<()> {
    let mut q = sqlx::query(sql).bind(coop.0).bind(id.0);
    if let Some(t) = bind_text {
        q = q.bind(t);
    }
    if let Some(i) = bind_int {
        q = q.bind(i);
    }
    let done = q.execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_role(conn: &mut Conn, coop: CooperativeId, id: UserId, role: Role) -> Result<()> {
    update(
        conn,
        "UPDATE users SET role = $3 WHERE cooperative_id = $1 AND id = $2",
        coop,
        id,
        Some(role.as_str()),
        None,
    )
    .await
}

pub async fn set_active(
    conn: &mut Conn,
    coop: CooperativeId,
    id: UserId,
    active: bool,
) -> Result<()> {
    update(
        conn,
        "UPDATE users SET active = $3 WHERE cooperative_id = $1 AND id = $2",
        coop,
        id,
        None,
        Some(active as i64),
    )
    .await
}

pub async fn set_locale(
    conn: &mut Conn,
    coop: CooperativeId,
    id: UserId,
    locale: &str,
) -> Result<()> {
    update(
        conn,
        "UPDATE users SET locale = $3 WHERE cooperative_id = $1 AND id = $2",
        coop,
        id,
        Some(locale),
        None,
    )
    .await
}

pub async fn set_password(
    conn: &mut Conn,
    coop: CooperativeId,
    id: UserId,
    hash: &str,
) -> Result<()> {
    update(
        conn,
        "UPDATE users SET password_hash = $3, password_changed_at = $4 WHERE cooperative_id = $1 AND id = $2",
        coop,
        id,
        Some(hash),
        Some(now_ms()),
    )
    .await
}

/// How many active owners the cooperative has; the last one cannot be demoted.
pub async fn count_active_owners(conn: &mut Conn, coop: CooperativeId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE cooperative_id = $1 AND role = 'owner' AND active = 1",
    )
    .bind(coop.0)
    .fetch_one(&mut *conn)
    .await?)
}

/// Staff accounts across the whole installation: zero means a fresh install.
pub async fn count_all(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&mut *conn)
        .await?)
}
