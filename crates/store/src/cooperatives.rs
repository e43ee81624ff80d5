//! Cooperatives: the tenants. Every other table hangs off one.

use crate::{Conn, Result, StoreError, found, now_ms};
use guyub_domain::{CooperativeId, Slug};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cooperative {
    pub id: CooperativeId,
    pub slug: String,
    pub name: String,
    pub timezone: String,
    pub logo_svg: Option<String>,
    pub created_at: i64,
}

const COLS: &str = "id, slug, name, timezone, logo_svg, created_at";

fn from_row(r: &AnyRow) -> Result<Cooperative> {
    Ok(Cooperative {
        id: CooperativeId(r.try_get("id")?),
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        timezone: r.try_get("timezone")?,
        logo_svg: r.try_get("logo_svg")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn create(
    conn: &mut Conn,
    slug: &Slug,
    name: &str,
    logo_svg: Option<&str>,
) -> Result<Cooperative> {
    let row = sqlx::query(
        "INSERT INTO cooperatives (slug, name, logo_svg, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id, slug, name, timezone, logo_svg, created_at",
    )
    .bind(slug.as_str())
    .bind(name)
    .bind(logo_svg)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "cooperative slug"))?;
    from_row(&row)
}

pub async fn by_slug(conn: &mut Conn, slug: &str) -> Result<Option<Cooperative>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM cooperatives WHERE slug = $1"));
    let row = sqlx::query(sql)
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(conn: &mut Conn, id: CooperativeId) -> Result<Cooperative> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM cooperatives WHERE id = $1"));
    let row = sqlx::query(sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Cooperative>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM cooperatives ORDER BY id"));
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

pub async fn set_logo(conn: &mut Conn, id: CooperativeId, svg: &str) -> Result<()> {
    sqlx::query("UPDATE cooperatives SET logo_svg = $2 WHERE id = $1")
        .bind(id.0)
        .bind(svg)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
