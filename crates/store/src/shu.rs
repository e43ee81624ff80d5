//! SHU tables: the RAT's allocation per fiscal year, the one posted run of a year and
//! each member's posted share; and the per-member sums of journal lines that an SHU
//! is computed from.

use crate::{Conn, Result, StoreError};
use guyub_domain::{AccountId, CooperativeId, JournalEntryId};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Rows per multi-row insert of member shares.
const SHARE_CHUNK: usize = 64;

/// The saved allocation of a year: its pools as JSON, who saved it and when.
#[derive(Debug, Clone)]
pub struct AllocationRow {
    pub pools: String,
    pub updated_by: String,
    pub updated_at: i64,
}

pub async fn allocation(
    conn: &mut Conn,
    coop: CooperativeId,
    year: i64,
) -> Result<Option<AllocationRow>> {
    let r = sqlx::query(
        "SELECT pools, updated_by, updated_at FROM shu_allocations WHERE cooperative_id = $1 AND year = $2",
    )
    .bind(coop.0)
    .bind(year)
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| {
        Ok(AllocationRow {
            pools: r.try_get("pools")?,
            updated_by: r.try_get("updated_by")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
}

pub async fn save_allocation(
    conn: &mut Conn,
    coop: CooperativeId,
    year: i64,
    pools: &str,
    by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO shu_allocations (cooperative_id, year, pools, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (cooperative_id, year) DO UPDATE SET pools = excluded.pools, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(coop.0)
    .bind(year)
    .bind(pools)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A posted SHU run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub year: i64,
    pub pools: String,
    pub surplus: i64,
    pub surplus_members: i64,
    pub surplus_non_members: i64,
    pub reserve_total: i64,
    pub jasa_modal_pool: i64,
    pub jasa_anggota_pool: i64,
    pub total_capital: i64,
    pub total_transactions: i64,
    pub members: i64,
    pub closing_entry_id: JournalEntryId,
    pub distribution_entry_id: JournalEntryId,
    pub posted_by: String,
    pub posted_at: i64,
}

fn run_row(r: &AnyRow) -> Result<RunRow> {
    Ok(RunRow {
        year: r.try_get("year")?,
        pools: r.try_get("pools")?,
        surplus: r.try_get("surplus")?,
        surplus_members: r.try_get("surplus_members")?,
        surplus_non_members: r.try_get("surplus_non_members")?,
        reserve_total: r.try_get("reserve_total")?,
        jasa_modal_pool: r.try_get("jasa_modal_pool")?,
        jasa_anggota_pool: r.try_get("jasa_anggota_pool")?,
        total_capital: r.try_get("total_capital")?,
        total_transactions: r.try_get("total_transactions")?,
        members: r.try_get("members")?,
        closing_entry_id: JournalEntryId(r.try_get("closing_entry_id")?),
        distribution_entry_id: JournalEntryId(r.try_get("distribution_entry_id")?),
        posted_by: r.try_get("posted_by")?,
        posted_at: r.try_get("posted_at")?,
    })
}

const RUN_COLS: &str = "year, pools, surplus, surplus_members, surplus_non_members, reserve_total, jasa_modal_pool, jasa_anggota_pool, total_capital, total_transactions, members, closing_entry_id, distribution_entry_id, posted_by, posted_at";

pub async fn run(conn: &mut Conn, coop: CooperativeId, year: i64) -> Result<Option<RunRow>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLS} FROM shu_runs WHERE cooperative_id = $1 AND year = $2"
    )))
    .bind(coop.0)
    .bind(year)
    .fetch_optional(&mut *conn)
    .await?;
    r.as_ref().map(run_row).transpose()
}

/// Records a year's run; a second run of the same year is a conflict.
pub async fn insert_run(conn: &mut Conn, coop: CooperativeId, r: &RunRow) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO shu_runs (cooperative_id, {RUN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    )))
    .bind(coop.0)
    .bind(r.year)
    .bind(&r.pools)
    .bind(r.surplus)
    .bind(r.surplus_members)
    .bind(r.surplus_non_members)
    .bind(r.reserve_total)
    .bind(r.jasa_modal_pool)
    .bind(r.jasa_anggota_pool)
    .bind(r.total_capital)
    .bind(r.total_transactions)
    .bind(r.members)
    .bind(r.closing_entry_id.0)
    .bind(r.distribution_entry_id.0)
    .bind(&r.posted_by)
    .bind(r.posted_at)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "an SHU posting for this year"))?;
    Ok(())
}

/// One member's posted share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareRow {
    pub member_id: i64,
    pub savings_capital: i64,
    pub transactions: i64,
    pub jasa_modal: i64,
    pub jasa_anggota: i64,
    pub total: i64,
}

pub async fn insert_shares(
    conn: &mut Conn,
    coop: CooperativeId,
    year: i64,
    shares: &[ShareRow],
) -> Result<()> {
    for chunk in shares.chunks(SHARE_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO shu_member_shares (cooperative_id, year, member_id, savings_capital, transactions, jasa_modal, jasa_anggota, total) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 8);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for s in chunk {
            q = q
                .bind(coop.0)
                .bind(year)
                .bind(s.member_id)
                .bind(s.savings_capital)
                .bind(s.transactions)
                .bind(s.jasa_modal)
                .bind(s.jasa_anggota)
                .bind(s.total);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

fn share_row(r: &AnyRow) -> Result<ShareRow> {
    Ok(ShareRow {
        member_id: r.try_get("member_id")?,
        savings_capital: r.try_get("savings_capital")?,
        transactions: r.try_get("transactions")?,
        jasa_modal: r.try_get("jasa_modal")?,
        jasa_anggota: r.try_get("jasa_anggota")?,
        total: r.try_get("total")?,
    })
}

pub async fn share(
    conn: &mut Conn,
    coop: CooperativeId,
    year: i64,
    member: i64,
) -> Result<Option<ShareRow>> {
    let r = sqlx::query(
        "SELECT member_id, savings_capital, transactions, jasa_modal, jasa_anggota, total FROM shu_member_shares
         WHERE cooperative_id = $1 AND year = $2 AND member_id = $3",
    )
    .bind(coop.0)
    .bind(year)
    .bind(member)
    .fetch_optional(&mut *conn)
    .await?;
    r.as_ref().map(share_row).transpose()
}

pub async fn shares(conn: &mut Conn, coop: CooperativeId, year: i64) -> Result<Vec<ShareRow>> {
    let rows = sqlx::query(
        "SELECT member_id, savings_capital, transactions, jasa_modal, jasa_anggota, total FROM shu_member_shares
         WHERE cooperative_id = $1 AND year = $2 ORDER BY member_id",
    )
    .bind(coop.0)
    .bind(year)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(share_row).collect()
}

/// Credit minus debit per member over lines of `accounts` dated within `[from, to]`:
/// one grouped read of the member-attributed journal lines.
pub async fn member_sums(
    conn: &mut Conn,
    coop: CooperativeId,
    accounts: &[AccountId],
    from: i64,
    to: i64,
) -> Result<HashMap<i64, i64>> {
    let mut out: HashMap<i64, i64> = HashMap::new();
    for a in accounts {
        let rows = sqlx::query(
            "SELECT member_id, CAST(SUM(credit) - SUM(debit) AS BIGINT) AS net FROM journal_lines
             WHERE cooperative_id = $1 AND account_id = $2 AND entry_date >= $3 AND entry_date <= $4
             AND member_id IS NOT NULL GROUP BY member_id",
        )
        .bind(coop.0)
        .bind(a.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            *out.entry(r.try_get("member_id")?).or_default() += r.try_get::<i64, _>("net")?;
        }
    }
    Ok(out)
}

/// Member number and name of the members with these ids (all of the cooperative's when
/// many are asked for: one read beats thousands of lookups).
pub async fn member_labels(
    conn: &mut Conn,
    coop: CooperativeId,
    ids: &[i64],
) -> Result<HashMap<i64, (String, String)>> {
    let mut out = HashMap::with_capacity(ids.len());
    if ids.len() > 500 {
        let rows = sqlx::query("SELECT id, member_no, name FROM members WHERE cooperative_id = $1")
            .bind(coop.0)
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            out.insert(
                r.try_get("id")?,
                (r.try_get("member_no")?, r.try_get("name")?),
            );
        }
        return Ok(out);
    }
    for chunk in ids.chunks(100) {
        let mut sql = String::from(
            "SELECT id, member_no, name FROM members WHERE cooperative_id = $1 AND id IN (",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", i + 2));
        }
        sql.push(')');
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(coop.0);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(
                r.try_get("id")?,
                (r.try_get("member_no")?, r.try_get("name")?),
            );
        }
    }
    Ok(out)
}
