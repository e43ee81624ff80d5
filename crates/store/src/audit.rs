//! The append-only audit log. Entries are only ever inserted; an append updates the
//! chain's head row first, which serialises concurrent appends on both engines.

use crate::{Conn, Result, found, now_ms};
use guyub_domain::audit::{AuditFields, Broken, GENESIS, Verifier, chain_hash};
use guyub_domain::{AuditEntryId, CooperativeId};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub cooperative_id: Option<CooperativeId>,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub source: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    fn fields(&self) -> AuditFields<'_> {
        AuditFields {
            cooperative_id: self.cooperative_id.map(|c| c.0),
            seq: self.seq,
            at_ms: self.at,
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            source: &self.source,
            detail: &self.detail,
        }
    }
}

/// What to record. `actor` names who did it (`user:12 budi@…`, `token:3`, `cli`).
#[derive(Debug, Clone, Default)]
pub struct NewEntry<'a> {
    pub cooperative_id: Option<CooperativeId>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub source: &'a str,
    pub detail: &'a str,
}

const COLS: &str =
    "id, cooperative_id, seq, at, actor, action, target, source, detail, prev_hash, hash";

fn from_row(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: AuditEntryId(r.try_get("id")?),
        cooperative_id: r
            .try_get::<Option<i64>, _>("cooperative_id")?
            .map(CooperativeId),
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        source: r.try_get("source")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Appends an entry. Call it inside the transaction of the change it records.
pub async fn append(conn: &mut Conn, e: NewEntry<'_>) -> Result<AuditEntry> {
    let chain_key = e.cooperative_id.map(|c| c.0).unwrap_or(0);
    sqlx::query(
        "INSERT INTO audit_heads (chain_key, seq, last_hash) VALUES ($1, 0, $2)
         ON CONFLICT (chain_key) DO NOTHING",
    )
    .bind(chain_key)
    .bind(GENESIS)
    .execute(&mut *conn)
    .await?;
    let head = sqlx::query(
        "UPDATE audit_heads SET seq = seq + 1 WHERE chain_key = $1 RETURNING seq, last_hash",
    )
    .bind(chain_key)
    .fetch_one(&mut *conn)
    .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("last_hash")?;
    let at = now_ms();
    let hash = chain_hash(
        &prev_hash,
        &AuditFields {
            cooperative_id: e.cooperative_id.map(|c| c.0),
            seq,
            at_ms: at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            source: e.source,
            detail: e.detail,
        },
    );
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO audit_log (chain_key, cooperative_id, seq, at, actor, action, target, source, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(chain_key)
        .bind(e.cooperative_id.map(|c| c.0))
        .bind(seq)
        .bind(at)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.target)
        .bind(e.source)
        .bind(e.detail)
        .bind(&prev_hash)
        .bind(&hash)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("UPDATE audit_heads SET last_hash = $2 WHERE chain_key = $1")
        .bind(chain_key)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    from_row(&row)
}

/// Filters for the viewer. Empty strings and `None` mean "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action_prefix: String,
    pub actor_contains: String,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(conn: &mut Conn, coop: CooperativeId, f: &Filter) -> Result<Vec<AuditEntry>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM audit_log
         WHERE cooperative_id = $1
           AND ($2 = '' OR action LIKE $3)
           AND ($4 = '' OR actor LIKE $5)
           AND at >= $6 AND at <= $7
         ORDER BY seq DESC LIMIT $8 OFFSET $9"
    ));
    let like_escape = |s: &str| s.replace(['%', '_'], "");
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(&f.action_prefix)
        .bind(format!("{}%", like_escape(&f.action_prefix)))
        .bind(&f.actor_contains)
        .bind(format!("%{}%", like_escape(&f.actor_contains)))
        .bind(f.from_ms.unwrap_or(i64::MIN))
        .bind(f.to_ms.unwrap_or(i64::MAX))
        .bind(f.limit.clamp(1, 500))
        .bind(f.offset.max(0))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Conn, coop: CooperativeId, id: AuditEntryId) -> Result<AuditEntry> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM audit_log WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&found(row)?)
}

/// The outcome of checking every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub chains: usize,
    pub entries: u64,
    /// The first broken entry: its chain (cooperative id, 0 for the platform), its
    /// sequence number, its row id, and what is wrong.
    pub broken: Option<(i64, i64, Option<AuditEntryId>, Broken)>,
}

/// Re-computes every hash of every chain, in pages, and stops at the first break.
pub async fn verify(conn: &mut Conn) -> Result<VerifyReport> {
    let heads = sqlx::query("SELECT chain_key, seq, last_hash FROM audit_heads ORDER BY chain_key")
        .fetch_all(&mut *conn)
        .await?;
    let mut report = VerifyReport {
        chains: heads.len(),
        entries: 0,
        broken: None,
    };
    for head in heads {
        let chain_key: i64 = head.try_get("chain_key")?;
        let mut v = Verifier::default();
        let mut after_seq = 0i64;
        loop {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM audit_log WHERE chain_key = $1 AND seq > $2 ORDER BY seq LIMIT 1000"
            ));
            let rows = sqlx::query(sql)
                .bind(chain_key)
                .bind(after_seq)
                .fetch_all(&mut *conn)
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = from_row(r)?;
                report.entries += 1;
                if let Err(b) = v.check(&e.fields(), &e.prev_hash, &e.hash) {
                    report.broken = Some((chain_key, e.seq, Some(e.id), b));
                    return Ok(report);
                }
                after_seq = e.seq;
            }
        }
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("last_hash")?;
        if let Err(b) = v.finish(head_seq, &head_hash) {
            report.broken = Some((chain_key, head_seq, None, b));
            return Ok(report);
        }
    }
    Ok(report)
}
