//! The inbox's tables: the conversation list with its filters, assignment, status,
//! labels, private notes, the activity log, read marks, teams, agents and the inbox
//! settings. Every function is scoped by cooperative.

use crate::messages::{CONV_COLS, Conversation, conv_row};
use crate::{Conn, Result, now_ms};
use guyub_domain::{ChannelId, ContactId, ConversationId, CooperativeId, MessageId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// A value bound to a dynamically built statement.
enum Arg {
    I(i64),
    S(String),
}

/// Builds `WHERE` clauses with numbered placeholders.
struct Sql {
    text: String,
    args: Vec<Arg>,
    /// Plan with the values each time (not a cached generic plan): for filters whose
    /// selectivity depends on the value.
    plan_each_time: bool,
}

impl Sql {
    fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
            plan_each_time: false,
        }
    }
    fn int(&mut self, v: i64) -> String {
        self.args.push(Arg::I(v));
        format!("${}", self.args.len())
    }
    fn text_arg(&mut self, v: &str) -> String {
        self.args.push(Arg::S(v.to_string()));
        format!("${}", self.args.len())
    }
    async fn fetch(self, conn: &mut Conn) -> Result<Vec<AnyRow>> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text));
        for a in self.args {
            q = match a {
                Arg::I(v) => q.bind(v),
                Arg::S(v) => q.bind(v),
            };
        }
        Ok(q.persistent(!self.plan_each_time)
            .fetch_all(&mut *conn)
            .await?)
    }
}

/// Who a conversation is assigned to, for the list's filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    Anyone,
    Unassigned,
    User(UserId),
}

/// The list's filters; the default shows open conversations.
#[derive(Debug, Clone)]
pub struct Filter {
    /// `open`, `snoozed`, `resolved`, or empty for all.
    pub status: String,
    pub channel_kind: Option<String>,
    pub team_id: Option<i64>,
    pub assignee: AssigneeFilter,
    pub label: Option<String>,
    /// `Some(true)`: members only; `Some(false)`: non-members only.
    pub member: Option<bool>,
    pub verified: Option<bool>,
    /// Breached, or due within `at_risk_ms` of now.
    pub sla_at_risk: bool,
    pub at_risk_ms: i64,
    /// Only conversations with unread member messages.
    pub unread: bool,
    /// Page: conversations whose (last_message_at, id) is before this.
    pub before: Option<(i64, i64)>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            status: "open".into(),
            channel_kind: None,
            team_id: None,
            assignee: AssigneeFilter::Anyone,
            label: None,
            member: None,
            verified: None,
            sla_at_risk: false,
            at_risk_ms: 15 * 60_000,
            unread: false,
            before: None,
        }
    }
}

/// A conversation as the list shows it.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub conversation: Conversation,
    pub contact_name: String,
    pub channel_kind: String,
    pub labels: Vec<String>,
}

fn where_clause(sql: &mut Sql, coop: CooperativeId, f: &Filter, now: i64) {
    let c = sql.int(coop.0);
    sql.text.push_str(&format!(" WHERE c.cooperative_id = {c}"));
    if !f.status.is_empty() {
        let s = sql.text_arg(&f.status);
        sql.text.push_str(&format!(" AND c.status = {s}"));
    }
    if let Some(kind) = &f.channel_kind {
        let k = sql.text_arg(kind);
        let c2 = sql.int(coop.0);
        sql.text.push_str(&format!(
            " AND c.channel_id IN (SELECT id FROM channels WHERE cooperative_id = {c2} AND kind = {k})"
        ));
    }
    if let Some(t) = f.team_id {
        let t = sql.int(t);
        sql.text.push_str(&format!(" AND c.team_id = {t}"));
    }
    match &f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Unassigned => sql.text.push_str(" AND c.assignee_id IS NULL"),
        AssigneeFilter::User(u) => {
            let u = sql.int(u.0);
            sql.text.push_str(&format!(" AND c.assignee_id = {u}"));
        }
    }
    if let Some(label) = &f.label {
        // From the label's rows (index `conversation_labels_label`), not a probe per
        // conversation walked: a rare label would walk every open conversation. A
        // label may be on half the conversations or on ten, so PostgreSQL plans it
        // with the value each time (a cached generic plan walked the newest
        // conversations: 60 ms for a label on 0.1 % of them, 2 ms planned for it).
        sql.plan_each_time = true;
        let l = sql.text_arg(label);
        let c3 = sql.int(coop.0);
        sql.text.push_str(&format!(
            " AND c.id IN (SELECT l.conversation_id FROM conversation_labels l WHERE l.cooperative_id = {c3} AND l.label = {l})"
        ));
    }
    match f.member {
        Some(true) => sql.text.push_str(" AND c.member_id IS NOT NULL"),
        Some(false) => sql.text.push_str(" AND c.member_id IS NULL"),
        None => {}
    }
    if let Some(v) = f.verified {
        let v = sql.int(i64::from(v));
        sql.text.push_str(&format!(" AND c.verified = {v}"));
    }
    if f.sla_at_risk {
        let soon = sql.int(now + f.at_risk_ms);
        sql.text.push_str(&format!(
            " AND (c.breached <> 0 OR (c.first_response_at IS NULL AND c.first_response_due < {soon}) OR c.resolution_due < {soon})"
        ));
    }
    if f.unread {
        sql.text.push_str(" AND c.unread > 0");
    }
    if let Some((at, id)) = f.before {
        let a = sql.int(at);
        let a2 = sql.int(at);
        let i = sql.int(id);
        sql.text.push_str(&format!(
            " AND (c.last_message_at < {a} OR (c.last_message_at = {a2} AND c.id < {i}))"
        ));
    }
}

/// One page of the conversation list, most recent activity first.
pub async fn list(
    conn: &mut Conn,
    coop: CooperativeId,
    f: &Filter,
    limit: i64,
) -> Result<Vec<ListRow>> {
    let cols = CONV_COLS
        .split(", ")
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = Sql::new(&format!(
        "SELECT {cols}, k.display_name AS contact_name, ch.kind AS channel_kind
         FROM conversations c JOIN contacts k ON k.id = c.contact_id JOIN channels ch ON ch.id = c.channel_id"
    ));
    where_clause(&mut sql, coop, f, now_ms());
    let l = sql.int(limit.clamp(1, 200));
    sql.text.push_str(&format!(
        " ORDER BY c.last_message_at DESC, c.id DESC LIMIT {l}"
    ));
    let rows = sql.fetch(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(ListRow {
            conversation: conv_row(r)?,
            contact_name: r.try_get("contact_name")?,
            channel_kind: r.try_get("channel_kind")?,
            labels: Vec::new(),
        });
    }
    let ids: Vec<ConversationId> = out.iter().map(|r| r.conversation.id).collect();
    let mut labels = labels_of(conn, coop, &ids).await?;
    for r in &mut out {
        r.labels = labels.remove(&r.conversation.id).unwrap_or_default();
    }
    Ok(out)
}

/// The counters beside the list's views.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub open: i64,
    pub mine: i64,
    pub unassigned: i64,
    pub snoozed: i64,
    /// Open conversations with unread member messages.
    pub unread: i64,
    pub mine_unread: i64,
    pub breached: i64,
}

pub async fn counts(conn: &mut Conn, coop: CooperativeId, me: Option<UserId>) -> Result<Counts> {
    let me = me.map(|u| u.0).unwrap_or(-1);
    let row = sqlx::query(
        "SELECT
            CAST(COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0) AS BIGINT) AS open,
            CAST(COALESCE(SUM(CASE WHEN status = 'open' AND assignee_id = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS mine,
            CAST(COALESCE(SUM(CASE WHEN status = 'open' AND assignee_id IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS unassigned,
            CAST(COALESCE(SUM(CASE WHEN status = 'snoozed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS snoozed,
            CAST(COALESCE(SUM(CASE WHEN status = 'open' AND unread > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS unread,
            CAST(COALESCE(SUM(CASE WHEN status = 'open' AND assignee_id = $2 AND unread > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS mine_unread,
            CAST(COALESCE(SUM(CASE WHEN status = 'open' AND breached <> 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS breached
         FROM conversations WHERE cooperative_id = $1 AND status IN ('open', 'snoozed')",
    )
    .bind(coop.0)
    .bind(me)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Counts {
        open: row.try_get("open")?,
        mine: row.try_get("mine")?,
        unassigned: row.try_get("unassigned")?,
        snoozed: row.try_get("snoozed")?,
        unread: row.try_get("unread")?,
        mine_unread: row.try_get("mine_unread")?,
        breached: row.try_get("breached")?,
    })
}

/// Open or snoozed conversations of these contacts or of these members (duplicate
/// grouping looks across a member's contacts), oldest first.
pub async fn open_for(
    conn: &mut Conn,
    coop: CooperativeId,
    contacts: &[ContactId],
    members: &[i64],
) -> Result<Vec<Conversation>> {
    let mut out = Vec::new();
    for chunk in contacts.chunks(300) {
        let ids = crate::id_list(chunk.iter().map(|c| c.0));
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CONV_COLS} FROM conversations WHERE cooperative_id = $1 AND status IN ('open', 'snoozed')
             AND contact_id IN ({ids}) ORDER BY id"
        ));
        for r in sqlx::query(sql).bind(coop.0).fetch_all(&mut *conn).await? {
            out.push(conv_row(&r)?);
        }
    }
    for chunk in members.chunks(300) {
        let ids = crate::id_list(chunk.iter().copied());
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CONV_COLS} FROM conversations WHERE cooperative_id = $1 AND status IN ('open', 'snoozed')
             AND member_id IN ({ids}) ORDER BY id"
        ));
        for r in sqlx::query(sql).bind(coop.0).fetch_all(&mut *conn).await? {
            out.push(conv_row(&r)?);
        }
    }
    out.sort_by_key(|c| c.id);
    out.dedup_by_key(|c| c.id);
    Ok(out)
}

/// What a batch of a member's messages did to their conversation.
pub struct InboundTouch {
    pub conversation: ConversationId,
    pub channel: ChannelId,
    pub at: i64,
    pub count: i64,
    pub preview: String,
    pub member_id: Option<i64>,
    pub verified: bool,
}

/// Records members' messages on their conversations, many at once: activity, the
/// channel they used, unread count, preview, member and verified marks; a snoozed
/// conversation wakes. (`UPDATE … FROM (VALUES …)` reads the same on both engines:
/// the values' columns are `column1` … on each.)
pub async fn touch_inbound(conn: &mut Conn, touches: &[InboundTouch]) -> Result<()> {
    const COLS: usize = 7;
    for chunk in touches.chunks(100) {
        let mut sql = String::from(
            "UPDATE conversations SET last_message_at = v.column2, last_inbound_at = v.column2,
            channel_id = v.column3, unread = unread + v.column4, preview = v.column5,
            member_id = COALESCE(v.column6, member_id),
            verified = CASE WHEN v.column7 = 1 THEN 1 ELSE verified END,
            status = CASE WHEN status = 'snoozed' THEN 'open' ELSE status END,
            snoozed_until = CASE WHEN status = 'snoozed' THEN NULL ELSE snoozed_until END
         FROM (VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), COLS);
        sql.push_str(") AS v WHERE conversations.id = v.column1");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for t in chunk {
            q = q
                .bind(t.conversation.0)
                .bind(t.at)
                .bind(t.channel.0)
                .bind(t.count)
                .bind(t.preview.as_str())
                .bind(t.member_id)
                .bind(i64::from(t.verified));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records an outgoing message on the conversation (activity and preview).
pub async fn touch_outbound(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    at: i64,
    preview: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE conversations SET last_message_at = $3, preview = $4 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(at)
    .bind(preview)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_assignment(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    assignee: Option<UserId>,
    team: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE conversations SET assignee_id = $3, team_id = $4 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(assignee.map(|u| u.0))
    .bind(team)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the status: `open` (clears snooze and resolution), `snoozed` until a time, or
/// `resolved` now.
pub async fn set_status(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    status: &str,
    snoozed_until: Option<i64>,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE conversations SET status = $3, snoozed_until = $4,
            resolved_at = CASE WHEN $3 = 'resolved' THEN $5 ELSE NULL END
         WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(status)
    .bind(snoozed_until)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_priority(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    priority: &str,
) -> Result<()> {
    sqlx::query("UPDATE conversations SET priority = $3 WHERE cooperative_id = $1 AND id = $2")
        .bind(coop.0)
        .bind(id.0)
        .bind(priority)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_skill(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    skill: Option<&str>,
    team: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE conversations SET skill = $3, team_id = COALESCE($4, team_id) WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(skill)
    .bind(team)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Snoozed conversations whose time has come, across cooperatives: opened again.
/// Returns them.
pub async fn wake_snoozed(
    conn: &mut Conn,
    now: i64,
) -> Result<Vec<(CooperativeId, ConversationId)>> {
    let rows = sqlx::query(
        "UPDATE conversations SET status = 'open', snoozed_until = NULL
         WHERE status = 'snoozed' AND snoozed_until <= $1 RETURNING cooperative_id, id",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                CooperativeId(r.try_get("cooperative_id")?),
                ConversationId(r.try_get("id")?),
            ))
        })
        .collect()
}

/// Marks the conversation read up to `message` for a person; the unread count drops
/// to zero.
pub async fn mark_read(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    user: Option<UserId>,
    message: Option<MessageId>,
) -> Result<()> {
    sqlx::query(
        "UPDATE conversations SET unread = 0 WHERE cooperative_id = $1 AND id = $2 AND unread <> 0",
    )
    .bind(coop.0)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    if let (Some(u), Some(m)) = (user, message) {
        sqlx::query(
            "INSERT INTO conversation_reads (conversation_id, user_id, message_id) VALUES ($1, $2, $3)
             ON CONFLICT (conversation_id, user_id) DO UPDATE SET message_id = excluded.message_id",
        )
        .bind(id.0)
        .bind(u.0)
        .bind(m.0)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- labels

pub async fn labels_of(
    conn: &mut Conn,
    coop: CooperativeId,
    ids: &[ConversationId],
) -> Result<HashMap<ConversationId, Vec<String>>> {
    let mut out: HashMap<ConversationId, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(300) {
        if chunk.is_empty() {
            continue;
        }
        let list = crate::id_list(chunk.iter().map(|x| x.0));
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT conversation_id, label FROM conversation_labels WHERE cooperative_id = $1
             AND conversation_id IN ({list}) ORDER BY label"
        ));
        for r in sqlx::query(sql).bind(coop.0).fetch_all(&mut *conn).await? {
            out.entry(ConversationId(r.try_get("conversation_id")?))
                .or_default()
                .push(r.try_get("label")?);
        }
    }
    Ok(out)
}

/// Adds a label; false when it was already there.
pub async fn add_label(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    label: &str,
) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO conversation_labels (cooperative_id, conversation_id, label) VALUES ($1, $2, $3)
         ON CONFLICT (conversation_id, label) DO NOTHING",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(label)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

pub async fn remove_label(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    label: &str,
) -> Result<bool> {
    let n = sqlx::query(
        "DELETE FROM conversation_labels WHERE cooperative_id = $1 AND conversation_id = $2 AND label = $3",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(label)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Every label in use in the cooperative, for the filter.
pub async fn all_labels(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT label FROM conversation_labels WHERE cooperative_id = $1 ORDER BY label LIMIT 200",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?)
}

// ---------------------------------------------------------------- notes and events

/// A private note or an activity entry, for the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub conversation_id: ConversationId,
    /// `note` for a private note; otherwise the event's kind.
    pub kind: String,
    pub detail: String,
    pub actor: String,
    pub at: i64,
}

pub async fn add_note(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    author: &str,
    body: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO conversation_notes (cooperative_id, conversation_id, author, body, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(author)
    .bind(body)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn add_event(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    kind: &str,
    detail: &str,
    actor: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO conversation_events (cooperative_id, conversation_id, kind, detail, actor, at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(kind)
    .bind(detail)
    .bind(actor)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?)
}

/// Notes and events of a conversation, oldest first.
pub async fn entries(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT id, conversation_id, 'note' AS kind, body AS detail, author AS actor, created_at AS at
           FROM conversation_notes WHERE cooperative_id = $1 AND conversation_id = $2
         UNION ALL
         SELECT id, conversation_id, kind, detail, actor, at
           FROM conversation_events WHERE cooperative_id = $1 AND conversation_id = $2
         ORDER BY at, id LIMIT 1000",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                id: r.try_get("id")?,
                conversation_id: ConversationId(r.try_get("conversation_id")?),
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// The channels the member wrote on in a conversation, first use first.
pub async fn inbound_channels(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
) -> Result<Vec<ChannelId>> {
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT channel_id FROM messages WHERE cooperative_id = $1 AND conversation_id = $2 AND direction = 'in'
         GROUP BY channel_id ORDER BY MIN(id)",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(ChannelId).collect())
}

/// Moves messages to another conversation of the same cooperative (a split).
pub async fn move_messages(
    conn: &mut Conn,
    coop: CooperativeId,
    from: ConversationId,
    to: ConversationId,
    ids: &[MessageId],
) -> Result<u64> {
    let mut moved = 0;
    for chunk in ids.chunks(300) {
        let list = crate::id_list(chunk.iter().map(|x| x.0));
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE messages SET conversation_id = $3 WHERE cooperative_id = $1 AND conversation_id = $2 AND id IN ({list})"
        ));
        moved += sqlx::query(sql)
            .bind(coop.0)
            .bind(from.0)
            .bind(to.0)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(moved)
}

/// Recomputes a conversation's activity from its messages (after a split).
pub async fn refresh_activity(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
) -> Result<()> {
    sqlx::query(
        "UPDATE conversations SET
            last_message_at = COALESCE((SELECT MAX(created_at) FROM messages WHERE conversation_id = $2), opened_at),
            last_inbound_at = (SELECT MAX(created_at) FROM messages WHERE conversation_id = $2 AND direction = 'in'),
            preview = COALESCE((SELECT body FROM messages WHERE conversation_id = $2 ORDER BY id DESC LIMIT 1), '')
         WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- teams

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub skill: Option<String>,
    pub members: Vec<UserId>,
}

pub async fn create_team(
    conn: &mut Conn,
    coop: CooperativeId,
    name: &str,
    skill: Option<&str>,
) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO teams (cooperative_id, name, skill, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(coop.0)
    .bind(name)
    .bind(skill)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| crate::StoreError::conflict_on_unique(e, "a team with this name"))
}

pub async fn teams(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<Team>> {
    let rows =
        sqlx::query("SELECT id, name, skill FROM teams WHERE cooperative_id = $1 ORDER BY name")
            .bind(coop.0)
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(Team {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            skill: r.try_get("skill")?,
            members: Vec::new(),
        });
    }
    let members = sqlx::query(
        "SELECT team_id, user_id FROM team_members WHERE cooperative_id = $1 ORDER BY user_id",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    for r in &members {
        let team: i64 = r.try_get("team_id")?;
        if let Some(t) = out.iter_mut().find(|t| t.id == team) {
            t.members.push(UserId(r.try_get("user_id")?));
        }
    }
    Ok(out)
}

pub async fn get_team(conn: &mut Conn, coop: CooperativeId, id: i64) -> Result<Team> {
    teams(conn, coop)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(crate::StoreError::NotFound)
}

/// Renames a team and sets the skill it answers by default.
pub async fn update_team(
    conn: &mut Conn,
    coop: CooperativeId,
    id: i64,
    name: &str,
    skill: Option<&str>,
) -> Result<()> {
    let done =
        sqlx::query("UPDATE teams SET name = $3, skill = $4 WHERE cooperative_id = $1 AND id = $2")
            .bind(coop.0)
            .bind(id)
            .bind(name)
            .bind(skill)
            .execute(&mut *conn)
            .await
            .map_err(|e| crate::StoreError::conflict_on_unique(e, "a team with this name"))?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a team: its conversations keep their agent and lose the team, its members
/// stay agents. Returns the conversations that had it.
pub async fn delete_team(
    conn: &mut Conn,
    coop: CooperativeId,
    id: i64,
) -> Result<Vec<ConversationId>> {
    let had: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE cooperative_id = $1 AND team_id = $2",
    )
    .bind(coop.0)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE conversations SET team_id = NULL WHERE cooperative_id = $1 AND team_id = $2",
    )
    .bind(coop.0)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM team_members WHERE cooperative_id = $1 AND team_id = $2")
        .bind(coop.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM teams WHERE cooperative_id = $1 AND id = $2")
        .bind(coop.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(had.into_iter().map(ConversationId).collect())
}

/// Replaces a team's members.
pub async fn set_team_members(
    conn: &mut Conn,
    coop: CooperativeId,
    team: i64,
    users: &[UserId],
) -> Result<()> {
    sqlx::query("DELETE FROM team_members WHERE cooperative_id = $1 AND team_id = $2")
        .bind(coop.0)
        .bind(team)
        .execute(&mut *conn)
        .await?;
    for u in users {
        sqlx::query(
            "INSERT INTO team_members (cooperative_id, team_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(coop.0)
        .bind(team)
        .bind(u.0)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- agents

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub presence: String,
    pub presence_at: i64,
    pub capacity: i64,
    pub skills: Vec<String>,
    pub last_assigned_at: i64,
    /// Open or snoozed conversations assigned now.
    pub load: i64,
    pub teams: Vec<i64>,
}

/// Every active staff member with their inbox profile (defaults where none is kept).
pub async fn agents(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<Agent>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.email, COALESCE(a.presence, 'offline') AS presence,
            COALESCE(a.presence_at, 0) AS presence_at, COALESCE(a.capacity, 8) AS capacity,
            COALESCE(a.skills, '') AS skills, COALESCE(a.last_assigned_at, 0) AS last_assigned_at,
            (SELECT CAST(COUNT(*) AS BIGINT) FROM conversations c WHERE c.cooperative_id = $1
               AND c.assignee_id = u.id AND c.status IN ('open', 'snoozed')) AS load
         FROM users u LEFT JOIN agents a ON a.user_id = u.id
         WHERE u.cooperative_id = $1 AND u.active = 1 ORDER BY u.name, u.id",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    let memberships =
        sqlx::query("SELECT team_id, user_id FROM team_members WHERE cooperative_id = $1")
            .bind(coop.0)
            .fetch_all(&mut *conn)
            .await?;
    let mut teams: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in &memberships {
        teams
            .entry(r.try_get("user_id")?)
            .or_default()
            .push(r.try_get("team_id")?);
    }
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let skills: String = r.try_get("skills")?;
            Ok(Agent {
                user_id: UserId(id),
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                presence: r.try_get("presence")?,
                presence_at: r.try_get("presence_at")?,
                capacity: r.try_get("capacity")?,
                skills: skills
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                last_assigned_at: r.try_get("last_assigned_at")?,
                load: r.try_get("load")?,
                teams: teams.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

/// Keeps an agent's profile (presence, capacity, skills).
pub async fn upsert_agent(
    conn: &mut Conn,
    coop: CooperativeId,
    user: UserId,
    presence: &str,
    capacity: i64,
    skills: &[String],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO agents (user_id, cooperative_id, presence, presence_at, capacity, skills)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id) DO UPDATE SET presence_at = CASE WHEN agents.presence = excluded.presence
                THEN agents.presence_at ELSE excluded.presence_at END,
            presence = excluded.presence, capacity = excluded.capacity, skills = excluded.skills",
    )
    .bind(user.0)
    .bind(coop.0)
    .bind(presence)
    .bind(now_ms())
    .bind(capacity)
    .bind(skills.join(","))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn mark_assigned(
    conn: &mut Conn,
    coop: CooperativeId,
    user: UserId,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE agents SET last_assigned_at = $3 WHERE cooperative_id = $1 AND user_id = $2",
    )
    .bind(coop.0)
    .bind(user.0)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Open conversations waiting for an agent: verified members first, then by priority,
/// then the longest waiting.
pub async fn queue(conn: &mut Conn, coop: CooperativeId, limit: i64) -> Result<Vec<Conversation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {CONV_COLS} FROM conversations WHERE cooperative_id = $1 AND status = 'open' AND assignee_id IS NULL
         ORDER BY verified DESC,
            CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
            opened_at, id LIMIT $2"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(conv_row).collect()
}

/// An agent's open conversations (for the leave policy).
pub async fn assigned_to(
    conn: &mut Conn,
    coop: CooperativeId,
    user: UserId,
) -> Result<Vec<ConversationId>> {
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE cooperative_id = $1 AND assignee_id = $2 AND status = 'open' ORDER BY id",
    )
    .bind(coop.0)
    .bind(user.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(ConversationId).collect())
}

// ---------------------------------------------------------------- settings

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub group_window_minutes: i64,
    pub leave_policy: String,
    pub auto_assign: bool,
    /// A satisfaction survey goes to the member after resolve.
    pub csat_enabled: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            group_window_minutes: 1440,
            leave_policy: "requeue".into(),
            auto_assign: true,
            csat_enabled: true,
        }
    }
}

pub async fn settings(conn: &mut Conn, coop: CooperativeId) -> Result<Settings> {
    let row = sqlx::query(
        "SELECT group_window_minutes, leave_policy, auto_assign, csat_enabled FROM inbox_settings WHERE cooperative_id = $1",
    )
    .bind(coop.0)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(Settings::default()),
        Some(r) => Ok(Settings {
            group_window_minutes: r.try_get("group_window_minutes")?,
            leave_policy: r.try_get("leave_policy")?,
            auto_assign: r.try_get::<i64, _>("auto_assign")? != 0,
            csat_enabled: r.try_get::<i64, _>("csat_enabled")? != 0,
        }),
    }
}

pub async fn put_settings(conn: &mut Conn, coop: CooperativeId, s: &Settings) -> Result<()> {
    sqlx::query(
        "INSERT INTO inbox_settings (cooperative_id, group_window_minutes, leave_policy, auto_assign, csat_enabled, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (cooperative_id) DO UPDATE SET group_window_minutes = excluded.group_window_minutes,
            leave_policy = excluded.leave_policy, auto_assign = excluded.auto_assign,
            csat_enabled = excluded.csat_enabled, updated_at = excluded.updated_at",
    )
    .bind(coop.0)
    .bind(s.group_window_minutes)
    .bind(&s.leave_policy)
    .bind(i64::from(s.auto_assign))
    .bind(i64::from(s.csat_enabled))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillRule {
    pub id: i64,
    pub skill: String,
    pub keyword: Option<String>,
    pub channel_kind: Option<String>,
}

pub async fn skill_rules(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<SkillRule>> {
    let rows = sqlx::query(
        "SELECT id, skill, keyword, channel_kind FROM skill_rules WHERE cooperative_id = $1 ORDER BY id",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SkillRule {
                id: r.try_get("id")?,
                skill: r.try_get("skill")?,
                keyword: r.try_get("keyword")?,
                channel_kind: r.try_get("channel_kind")?,
            })
        })
        .collect()
}

pub async fn add_skill_rule(
    conn: &mut Conn,
    coop: CooperativeId,
    skill: &str,
    keyword: Option<&str>,
    channel_kind: Option<&str>,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO skill_rules (cooperative_id, skill, keyword, channel_kind, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(coop.0)
    .bind(skill)
    .bind(keyword)
    .bind(channel_kind)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn delete_skill_rule(conn: &mut Conn, coop: CooperativeId, id: i64) -> Result<bool> {
    Ok(
        sqlx::query("DELETE FROM skill_rules WHERE cooperative_id = $1 AND id = $2")
            .bind(coop.0)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            > 0,
    )
}

/// The contact's member, for a conversation opened by staff.
pub async fn contact_member(
    conn: &mut Conn,
    coop: CooperativeId,
    contact: ContactId,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT member_id FROM contacts WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(contact.0)
    .fetch_optional(&mut *conn)
    .await?
    .flatten())
}

// ---------------------------------------------------------------- CSAT

#[allow(clippy::too_many_arguments)]
pub async fn insert_survey(
    conn: &mut Conn,
    coop: CooperativeId,
    conversation: ConversationId,
    channel: ChannelId,
    identity: guyub_domain::IdentityId,
    agent: Option<i64>,
    team: Option<i64>,
    at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO csat_surveys (cooperative_id, conversation_id, channel_id, identity_id, agent_id, team_id, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(coop.0)
    .bind(conversation.0)
    .bind(channel.0)
    .bind(identity.0)
    .bind(agent)
    .bind(team)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?)
}

/// Unanswered surveys sent to these identities since `since`: (survey, identity,
/// conversation), newest last.
pub async fn pending_surveys(
    conn: &mut Conn,
    coop: CooperativeId,
    identities: &[guyub_domain::IdentityId],
    since: i64,
) -> Result<Vec<(i64, guyub_domain::IdentityId, ConversationId)>> {
    let mut out = Vec::new();
    for chunk in identities.chunks(300) {
        if chunk.is_empty() {
            continue;
        }
        let list = crate::id_list(chunk.iter().map(|x| x.0));
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id, identity_id, conversation_id FROM csat_surveys WHERE cooperative_id = $1
             AND answered_at IS NULL AND sent_at >= $2 AND identity_id IN ({list}) ORDER BY id"
        ));
        for r in sqlx::query(sql)
            .bind(coop.0)
            .bind(since)
            .fetch_all(&mut *conn)
            .await?
        {
            out.push((
                r.try_get("id")?,
                guyub_domain::IdentityId(r.try_get("identity_id")?),
                ConversationId(r.try_get("conversation_id")?),
            ));
        }
    }
    Ok(out)
}

pub async fn answer_survey(
    conn: &mut Conn,
    coop: CooperativeId,
    id: i64,
    score: i64,
    comment: Option<&str>,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE csat_surveys SET score = $3, comment = $4, answered_at = $5 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id)
    .bind(score)
    .bind(comment)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// CSAT per agent, team or channel over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsatRow {
    /// `agent`, `team` or `channel`.
    pub by: &'static str,
    /// The agent's, team's or channel's id (0: none).
    pub key: i64,
    pub sent: i64,
    pub answered: i64,
    pub score_sum: i64,
    /// Answers of 4 or 5.
    pub satisfied: i64,
}

pub async fn csat_results(
    conn: &mut Conn,
    coop: CooperativeId,
    from: i64,
    to: i64,
) -> Result<Vec<CsatRow>> {
    let mut out = Vec::new();
    for (by, col) in [
        ("agent", "agent_id"),
        ("team", "team_id"),
        ("channel", "channel_id"),
    ] {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE({col}, 0) AS k, CAST(COUNT(*) AS BIGINT) AS sent,
                CAST(COUNT(answered_at) AS BIGINT) AS answered,
                CAST(COALESCE(SUM(score), 0) AS BIGINT) AS score_sum,
                CAST(COALESCE(SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END), 0) AS BIGINT) AS satisfied
             FROM csat_surveys WHERE cooperative_id = $1 AND sent_at >= $2 AND sent_at < $3
             GROUP BY COALESCE({col}, 0) ORDER BY k"
        ));
        for r in sqlx::query(sql)
            .bind(coop.0)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *conn)
            .await?
        {
            out.push(CsatRow {
                by,
                key: r.try_get("k")?,
                sent: r.try_get("sent")?,
                answered: r.try_get("answered")?,
                score_sum: r.try_get("score_sum")?,
                satisfied: r.try_get("satisfied")?,
            });
        }
    }
    Ok(out)
}
