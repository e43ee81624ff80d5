//! The full-text index of messages and contacts, and its queries. The index holds the
//! terms `guyub_domain::search::search_terms` makes of a text; messages and contacts
//! write their entries in the transaction that writes the row (`messages::insert_*`,
//! the contact functions), so the index never disagrees with a committed row.
//!
//! Every term is stored with its cooperative in front (`42_pinjam`), so each
//! cooperative has postings of its own: a search reads only its cooperative's, and one
//! cooperative's words can never match another's documents. SQLite: contentless FTS5
//! tables whose rowid is the message's (contact's) id, ranked by `bm25`. PostgreSQL: a
//! `tsvector` per row with a GIN index, ranked by `ts_rank` (normalised by length).
//! Only the newest [`RANKED_CANDIDATES`] matches are ranked (see `search_messages`);
//! newest (highest id) first among equals. Migration 0013 creates the tables.

use crate::{Conn, Engine, Result};
use guyub_domain::search::{SearchQuery, search_terms};
use guyub_domain::{ChannelId, ContactId, ConversationId, CooperativeId, MemberId, MessageId};
use sqlx::{Executor, Row};
use std::collections::HashMap;
use std::fmt::Write;

/// A search ranks the newest this many matches of its query (all of them when there
/// are fewer), per group. Ranking reads every candidate: a word in a quarter of a
/// million messages would take a third of a second on SQLite to rank completely, and on
/// PostgreSQL each candidate is a row to fetch (docs/INBOX.md, docs/PERFORMANCE.md).
pub const NEWEST_RANKED: i64 = 500;

/// PostgreSQL: how many matches the GIN index is asked for before deciding that a query
/// is common enough for its newest matches to be found faster by walking the newest rows.
pub const GIN_PROBE: i64 = 10_000;

pub(crate) fn engine_of(conn: &Conn) -> Engine {
    if conn.backend_name() == "SQLite" {
        Engine::Sqlite
    } else {
        Engine::Postgres
    }
}

/// A term as the index stores it: with its cooperative in front. Terms are letters and
/// digits only, so `_` cannot be confused with anything in them.
fn scoped(coop: CooperativeId, term: &str) -> String {
    format!("{}_{term}", coop.0)
}

/// A document's terms as stored on SQLite: `42_pinjam 42_cair …`.
fn fts_document(coop: CooperativeId, terms: &str) -> String {
    let mut out = String::with_capacity(terms.len() + terms.len() / 3);
    for term in terms.split(' ').filter(|t| !t.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&scoped(coop, term));
    }
    out
}

/// A tsvector literal: `'42_pinjam' '42_cair'`. No positions: a query is a set of
/// single terms, ranking counts a term once per document (as FTS5 with `detail=column`
/// does), and the rows stay a quarter smaller. Lexemes are quoted (terms are letters
/// and digits only, but quote and backslash are escaped anyway); PostgreSQL drops the
/// repeated ones.
fn tsvector_literal(coop: CooperativeId, terms: &str) -> String {
    let mut out = String::with_capacity(terms.len() * 2 + 16);
    for term in terms.split(' ').filter(|t| !t.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "'{}'", escape_lexeme(&scoped(coop, term)));
    }
    out
}

fn escape_lexeme(t: &str) -> String {
    t.replace('\\', "\\\\").replace('\'', "''")
}

fn escape_phrase(t: &str) -> String {
    t.replace('"', "\"\"")
}

/// The FTS5 MATCH expression: per query word, one of its terms. Every term is a quoted
/// string, so nothing a person types is read as FTS syntax.
fn fts_match(coop: CooperativeId, query: &SearchQuery) -> String {
    let mut out = String::new();
    for group in query.groups() {
        if !out.is_empty() {
            out.push_str(" AND ");
        }
        out.push('(');
        for (i, term) in group.iter().enumerate() {
            if i > 0 {
                out.push_str(" OR ");
            }
            let _ = write!(out, "\"{}\"", escape_phrase(&scoped(coop, term)));
        }
        out.push(')');
    }
    out
}

/// A tsquery: `( '42_pinjam' ) & ( '42_081…' | '42_6281…' )`.
fn tsquery(coop: CooperativeId, query: &SearchQuery) -> String {
    let parts: Vec<String> = query
        .groups()
        .iter()
        .map(|group| {
            let alts: Vec<String> = group
                .iter()
                .map(|t| format!("'{}'", escape_lexeme(&scoped(coop, t))))
                .collect();
            format!("( {} )", alts.join(" | "))
        })
        .collect();
    parts.join(" & ")
}

// ---------------------------------------------------------------- writing

/// Adds messages to the index: (cooperative, message, body). Multi-row, inside the
/// caller's transaction.
pub async fn index_messages(
    conn: &mut Conn,
    docs: &[(CooperativeId, MessageId, &str)],
) -> Result<()> {
    let rows: Vec<(i64, i64, String)> = docs
        .iter()
        .map(|(c, id, body)| (c.0, id.0, search_terms(body)))
        .collect();
    write_rows(conn, "message", &rows).await
}

/// (cooperative, id, terms) into `{kind}_search`, 100 rows per statement.
async fn write_rows(conn: &mut Conn, kind: &str, rows: &[(i64, i64, String)]) -> Result<()> {
    let engine = engine_of(conn);
    for chunk in rows.chunks(100) {
        let mut sql = match engine {
            Engine::Sqlite => format!("INSERT INTO {kind}_search (rowid, terms) VALUES "),
            Engine::Postgres => {
                format!("INSERT INTO {kind}_search ({kind}_id, cooperative_id, terms) VALUES ")
            }
        };
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let _ = match engine {
                Engine::Sqlite => write!(sql, "(${},${})", 2 * i + 1, 2 * i + 2),
                Engine::Postgres => {
                    let b = 3 * i;
                    write!(sql, "(${},${},CAST(${} AS tsvector))", b + 1, b + 2, b + 3)
                }
            };
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for (coop, id, terms) in chunk {
            q = match engine {
                Engine::Sqlite => q.bind(*id).bind(fts_document(CooperativeId(*coop), terms)),
                Engine::Postgres => q
                    .bind(*id)
                    .bind(*coop)
                    .bind(tsvector_literal(CooperativeId(*coop), terms)),
            };
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Brings the index entries of these contacts up to date with their rows: display
/// name, identities (external id, name, handle, phone, e-mail) and the linked member's
/// number. A contact merged into another has no entry (the survivor carries its
/// identities).
pub async fn reindex_contacts(
    conn: &mut Conn,
    coop: CooperativeId,
    ids: &[ContactId],
) -> Result<()> {
    for chunk in ids.chunks(200) {
        let list = chunk
            .iter()
            .map(|c| c.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let mine: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM contacts WHERE cooperative_id = $1 AND id IN ({list})"
        )))
        .bind(coop.0)
        .fetch_all(&mut *conn)
        .await?;
        reindex_contact_rows(conn, &mine).await?;
    }
    Ok(())
}

/// Rewrites the entries of contacts already known to exist (any cooperative).
async fn reindex_contact_rows(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let key = match engine_of(conn) {
        Engine::Sqlite => "rowid",
        Engine::Postgres => "contact_id",
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM contact_search WHERE {key} IN ({list})"
    )))
    .execute(&mut *conn)
    .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.id, c.cooperative_id, c.display_name, m.member_no FROM contacts c
         LEFT JOIN members m ON m.id = c.member_id
         WHERE c.id IN ({list}) AND c.merged_into IS NULL ORDER BY c.id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let mut docs: Vec<(i64, i64, String)> = Vec::with_capacity(rows.len());
    let mut at: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let name: String = r.try_get("display_name")?;
        let member_no: Option<String> = r.try_get("member_no")?;
        at.insert(id, docs.len());
        docs.push((
            r.try_get("cooperative_id")?,
            id,
            format!("{name}\n{}", member_no.unwrap_or_default()),
        ));
    }
    let identities = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT contact_id, external_id, display_name, handle, phone, email FROM channel_identities
         WHERE contact_id IN ({list}) ORDER BY id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    for r in &identities {
        let contact: i64 = r.try_get("contact_id")?;
        let Some(&i) = at.get(&contact) else { continue };
        let doc = &mut docs[i].2;
        for col in ["external_id", "display_name", "handle", "phone", "email"] {
            if let Some(v) = r.try_get::<Option<String>, _>(col)? {
                doc.push('\n');
                doc.push_str(&v);
            }
        }
    }
    let rows: Vec<(i64, i64, String)> = docs
        .into_iter()
        .map(|(coop, id, text)| (coop, id, search_terms(&text)))
        .collect();
    write_rows(conn, "contact", &rows).await
}

/// Indexes every message and contact again, from scratch (migration 0013 on the rows
/// already there; `guyub` maintenance). Returns (messages, contacts) indexed.
pub async fn rebuild(conn: &mut Conn) -> Result<(u64, u64)> {
    sqlx::query("DELETE FROM message_search")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM contact_search")
        .execute(&mut *conn)
        .await?;
    let mut messages = 0u64;
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, cooperative_id, body FROM messages WHERE id > $1 ORDER BY id LIMIT 2000",
        )
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("id")?;
        let batch: Vec<(i64, i64, String)> = rows
            .iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                Ok((
                    r.try_get("cooperative_id")?,
                    r.try_get("id")?,
                    search_terms(&body),
                ))
            })
            .collect::<Result<_>>()?;
        messages += batch.len() as u64;
        write_rows(conn, "message", &batch).await?;
    }
    let mut contacts = 0u64;
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM contacts WHERE id > $1 ORDER BY id LIMIT 500")
                .bind(after)
                .fetch_all(&mut *conn)
                .await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        contacts += ids.len() as u64;
        reindex_contact_rows(conn, &ids).await?;
    }
    Ok((messages, contacts))
}

// ---------------------------------------------------------------- searching

/// A message that matched, with what a result list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHit {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub channel_id: ChannelId,
    pub channel_kind: String,
    pub direction: String,
    pub body: String,
    pub created_at: i64,
}

/// A contact that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactHit {
    pub contact_id: ContactId,
    pub display_name: String,
    pub member_id: Option<MemberId>,
    pub member_no: Option<String>,
}

/// The cooperative's messages matching every word of the query, best first: `limit`
/// of them after skipping `offset`. `channel_kind` keeps only messages of that kind of
/// channel. Which matches are ranked: [`RANK_ALL_UP_TO`], [`NEWEST_RANKED`].
pub async fn search_messages(
    conn: &mut Conn,
    coop: CooperativeId,
    query: &SearchQuery,
    channel_kind: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<MessageHit>> {
    if query.is_blank() {
        return Ok(Vec::new());
    }
    let ranked = candidates(conn, coop, query, Table::Messages, channel_kind).await?;
    message_hits(conn, coop, &page(&ranked, limit, offset)).await
}

#[derive(Clone, Copy)]
enum Table {
    Messages,
    Contacts,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Messages => "message_search",
            Table::Contacts => "contact_search",
        }
    }
    /// The id column on PostgreSQL.
    fn key(self) -> &'static str {
        match self {
            Table::Messages => "message_id",
            Table::Contacts => "contact_id",
        }
    }
}

/// The ids of one page of ranked candidates.
fn page(ranked: &[(i64, f64)], limit: i64, offset: i64) -> Vec<i64> {
    let (limit, offset) = (limit.clamp(1, 200) as usize, offset.max(0) as usize);
    ranked
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(id, _)| *id)
        .collect()
}

/// Orders (id, score) best first (higher score), newest (higher id) first among equals.
fn rank(mut found: Vec<(i64, f64)>) -> Vec<(i64, f64)> {
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    found
}

/// The newest [`NEWEST_RANKED`] matches with their scores, ranked.
///
/// SQLite: FTS5 walks the postings newest first and scores each (`bm25`, negated so
/// that higher is better). PostgreSQL, in a read transaction with each step's plan fixed
/// by `SET LOCAL` (left to itself, the planner often walks the newest rows for a query
/// with a few thousand matches and reads most of the table): (1) the GIN index alone
/// (a bitmap scan) takes up to [`GIN_PROBE`] + 1 matching ids; (2a) if that was all of
/// them, the newest are scored by id; (2b) otherwise the query is common, its newest
/// matches are close together, and walking `(cooperative_id, id)` backwards finds and
/// scores them (`ts_rank` normalised by length).
async fn candidates(
    conn: &mut Conn,
    coop: CooperativeId,
    query: &SearchQuery,
    table: Table,
    channel_kind: Option<&str>,
) -> Result<Vec<(i64, f64)>> {
    let t = table.name();
    // $1 the query, $2 how many, $3 the cooperative, $4 the channel kind. A channel
    // filter joins the message and its channel.
    let (join, filter) = match channel_kind {
        Some(_) => (
            "JOIN messages m ON m.id = {id} JOIN channels ch ON ch.id = m.channel_id",
            " AND m.cooperative_id = $3 AND ch.kind = $4",
        ),
        None => ("", ""),
    };
    match engine_of(conn) {
        Engine::Sqlite => {
            let join = join.replace("{id}", &format!("{t}.rowid"));
            let sql = format!(
                "SELECT {t}.rowid, -bm25({t}) FROM {t} {join}
                 WHERE {t} MATCH $1{filter} ORDER BY {t}.rowid DESC LIMIT $2"
            );
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(fts_match(coop, query))
                .bind(NEWEST_RANKED);
            if let Some(kind) = channel_kind {
                q = q.bind(coop.0).bind(kind);
            }
            Ok(rank(q.fetch_all(&mut *conn).await?))
        }
        Engine::Postgres => {
            let key = table.key();
            let join = join.replace("{id}", &format!("s.{key}"));
            let from = format!(
                "FROM {t} s {join} WHERE s.terms @@ CAST($1 AS tsquery) AND s.cooperative_id = $3{filter}"
            );
            let score = "CAST(ts_rank(s.terms, CAST($1 AS tsquery), 1) AS FLOAT8)";
            let tsq = tsquery(coop, query);
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            // (1) The GIN index alone.
            tx.execute(sqlx::raw_sql(
                "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off",
            ))
            .await?;
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT s.{key} {from} LIMIT $2"
            )))
            .bind(tsq.as_str())
            .bind(GIN_PROBE + 1)
            .bind(coop.0);
            if let Some(kind) = channel_kind {
                q = q.bind(kind);
            }
            let mut ids: Vec<i64> = q.persistent(false).fetch_all(&mut *tx).await?;
            let found: Vec<(i64, f64)> = if ids.len() as i64 <= GIN_PROBE {
                // (2a) All of them: score the newest by id.
                tx.rollback().await?;
                ids.sort_unstable_by(|a, b| b.cmp(a));
                ids.truncate(NEWEST_RANKED as usize);
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT s.{key}, {score} FROM {t} s
                     WHERE s.cooperative_id = $2 AND s.{key} IN ({list})"
                )))
                .bind(tsq.as_str())
                .bind(coop.0)
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?
            } else {
                // (2b) Common: walk back over the newest rows.
                tx.execute(sqlx::raw_sql(
                    "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexscan = on",
                ))
                .await?;
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT s.{key}, {score} {from} ORDER BY s.{key} DESC LIMIT $2"
                )))
                .bind(tsq.as_str())
                .bind(NEWEST_RANKED)
                .bind(coop.0);
                if let Some(kind) = channel_kind {
                    q = q.bind(kind);
                }
                let newest = q.persistent(false).fetch_all(&mut *tx).await?;
                tx.rollback().await?;
                newest
            };
            Ok(rank(found))
        }
    }
}

/// The rows behind ranked ids, in the ids' order; only the cooperative's.
async fn message_hits(
    conn: &mut Conn,
    coop: CooperativeId,
    ids: &[i64],
) -> Result<Vec<MessageHit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.conversation_id, m.contact_id, c.display_name, m.channel_id, ch.kind,
                m.direction, m.body, m.created_at
         FROM messages m JOIN contacts c ON c.id = m.contact_id JOIN channels ch ON ch.id = m.channel_id
         WHERE m.cooperative_id = $1 AND m.id IN ({list})"
    )))
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_id: HashMap<i64, MessageHit> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        by_id.insert(
            id,
            MessageHit {
                message_id: MessageId(id),
                conversation_id: ConversationId(r.try_get("conversation_id")?),
                contact_id: ContactId(r.try_get("contact_id")?),
                contact_name: r.try_get("display_name")?,
                channel_id: ChannelId(r.try_get("channel_id")?),
                channel_kind: r.try_get("kind")?,
                direction: r.try_get("direction")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
            },
        );
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The cooperative's contacts (not merged away) matching every word of the query.
pub async fn search_contacts(
    conn: &mut Conn,
    coop: CooperativeId,
    query: &SearchQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<ContactHit>> {
    if query.is_blank() {
        return Ok(Vec::new());
    }
    let ranked = candidates(conn, coop, query, Table::Contacts, None).await?;
    let ids = page(&ranked, limit, offset);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.id, c.display_name, c.member_id, m.member_no FROM contacts c
         LEFT JOIN members m ON m.id = c.member_id
         WHERE c.cooperative_id = $1 AND c.merged_into IS NULL AND c.id IN ({list})"
    )))
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_id: HashMap<i64, ContactHit> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        by_id.insert(
            id,
            ContactHit {
                contact_id: ContactId(id),
                display_name: r.try_get("display_name")?,
                member_id: r.try_get::<Option<i64>, _>("member_id")?.map(MemberId),
                member_no: r.try_get("member_no")?,
            },
        );
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_orders_by_score_then_newest() {
        let ranked = rank(vec![(1, 0.5), (2, 0.9), (3, 0.5), (4, 0.1)]);
        assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3, 1, 4]);
        assert_eq!(page(&ranked, 2, 1), [3, 1]);
        assert_eq!(page(&ranked, 10, 4), Vec::<i64>::new());
    }

    #[test]
    fn user_text_becomes_quoted_terms_of_the_cooperative_only() {
        let q = SearchQuery::parse(r#"pinjaman" OR *macet) 0812-3456-7890 NEAR'"#).unwrap();
        let m = fts_match(CooperativeId(7), &q);
        assert!(
            m.starts_with("(\"7_pinjam\") AND (\"7_or\") AND (\"7_macet\")"),
            "{m}"
        );
        assert!(
            m.contains("(\"7_081234567890\" OR \"7_81234567890\""),
            "{m}"
        );
        assert!(m.ends_with("(\"7_near\")"), "{m}");
        let t = tsquery(CooperativeId(7), &q);
        assert!(
            t.starts_with("( '7_pinjam' ) & ( '7_or' ) & ( '7_macet' )"),
            "{t}"
        );
        assert_eq!(
            tsvector_literal(CooperativeId(3), "pinjam cair pinjam"),
            "'3_pinjam' '3_cair' '3_pinjam'"
        );
        assert_eq!(
            fts_document(CooperativeId(3), "pinjam cair"),
            "3_pinjam 3_cair"
        );
        assert_eq!(escape_lexeme(r"a'b\c"), r"a''b\\c");
        assert_eq!(escape_phrase("a\"b"), "a\"\"b");
    }
}
