//! The member registry's first shape (number, name, phone, status). The identity
//! work extends it.

use crate::{Conn, Result, StoreError, found, now_ms};
use guyub_domain::{CooperativeId, MemberId};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub cooperative_id: CooperativeId,
    pub member_no: String,
    pub name: String,
    pub phone: Option<String>,
    pub status: String,
    pub joined_at: Option<i64>,
}

const COLS: &str = "id, cooperative_id, member_no, name, phone, status, joined_at";

fn from_row(r: &AnyRow) -> Result<Member> {
    Ok(Member {
        id: MemberId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        member_no: r.try_get("member_no")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        status: r.try_get("status")?,
        joined_at: r.try_get("joined_at")?,
    })
}

pub struct NewMember<'a> {
    pub member_no: &'a str,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub status: &'a str,
    pub joined_at: Option<i64>,
}

pub async fn create(conn: &mut Conn, coop: CooperativeId, m: NewMember<'_>) -> Result<Member> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO members (cooperative_id, member_no, name, phone, status, joined_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(m.member_no)
        .bind(m.name)
        .bind(m.phone)
        .bind(m.status)
        .bind(m.joined_at)
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, "member number"))?;
    from_row(&row)
}

pub async fn get(conn: &mut Conn, coop: CooperativeId, id: MemberId) -> Result<Member> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM members WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

pub async fn list(
    conn: &mut Conn,
    coop: CooperativeId,
    limit: i64,
    offset: i64,
) -> Result<Vec<Member>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM members WHERE cooperative_id = $1 ORDER BY member_no LIMIT $2 OFFSET $3"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(limit.clamp(1, 500))
        .bind(offset.max(0))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count(conn: &mut Conn, coop: CooperativeId) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE cooperative_id = $1")
            .bind(coop.0)
            .fetch_one(&mut *conn)
            .await?,
    )
}
