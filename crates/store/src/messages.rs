//! The message pipeline's tables: the inbound event log, conversations, messages and
//! the outbox. Claims take `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers
//! can share the work; on SQLite the write transaction already excludes others.

use crate::{Conn, Engine, Result, now_ms};
use guyub_domain::{ChannelId, ContactId, ConversationId, CooperativeId, IdentityId, MessageId};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

// ---------------------------------------------------------------- inbound events

/// An event to store: (cooperative, channel, provider key, body).
pub struct NewEvent<'a> {
    pub cooperative_id: CooperativeId,
    pub channel_id: ChannelId,
    pub key: &'a str,
    pub body: &'a str,
}

/// Inserts events, skipping those already stored (a provider's redelivery). Returns how
/// many were new.
pub async fn insert_events(conn: &mut Conn, events: &[NewEvent<'_>]) -> Result<u64> {
    let now = now_ms();
    let mut inserted = 0;
    for chunk in events.chunks(50) {
        let mut sql = String::from(
            "INSERT INTO inbound_events (cooperative_id, channel_id, event_key, body, received_at, next_attempt_at) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 6);
        sql.push_str(" ON CONFLICT (channel_id, event_key) DO NOTHING");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for e in chunk {
            q = q
                .bind(e.cooperative_id.0)
                .bind(e.channel_id.0)
                .bind(e.key)
                .bind(e.body)
                .bind(now)
                .bind(now);
        }
        inserted += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: i64,
    pub cooperative_id: CooperativeId,
    pub channel_id: ChannelId,
    pub key: String,
    pub body: String,
    pub received_at: i64,
    pub attempts: i64,
}

/// Takes up to `limit` due, unprocessed events, oldest first, inside the caller's
/// transaction.
pub async fn claim_events(conn: &mut Conn, engine: Engine, limit: i64) -> Result<Vec<StoredEvent>> {
    let lock = if engine == Engine::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, cooperative_id, channel_id, event_key, body, received_at, attempts FROM inbound_events
         WHERE processed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2{lock}"
    ));
    let rows = sqlx::query(sql)
        .bind(now_ms())
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredEvent {
                id: r.try_get("id")?,
                cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
                channel_id: ChannelId(r.try_get("channel_id")?),
                key: r.try_get("event_key")?,
                body: r.try_get("body")?,
                received_at: r.try_get("received_at")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

/// Marks an event processed (with the reason when it could not be used).
pub async fn event_done(conn: &mut Conn, id: i64, error: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE inbound_events SET processed_at = $2, error = $3, attempts = attempts + 1 WHERE id = $1")
        .bind(id)
        .bind(now_ms())
        .bind(error)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Leaves an event for later (a status for a message whose send is not recorded yet).
pub async fn event_later(conn: &mut Conn, id: i64, at: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE inbound_events SET next_attempt_at = $2, error = $3, attempts = attempts + 1 WHERE id = $1")
        .bind(id)
        .bind(at)
        .bind(error)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- conversations

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    pub cooperative_id: CooperativeId,
    pub contact_id: ContactId,
    pub channel_id: ChannelId,
    /// `open`, `snoozed` or `resolved`.
    pub status: String,
    pub opened_at: i64,
    pub last_message_at: i64,
    pub last_inbound_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub priority: String,
    pub skill: Option<String>,
    pub snoozed_until: Option<i64>,
    pub unread: i64,
    pub member_id: Option<i64>,
    pub verified: bool,
    pub preview: String,
    pub first_response_due: Option<i64>,
    pub first_response_at: Option<i64>,
    pub resolution_due: Option<i64>,
    pub breached: i64,
}

pub(crate) const CONV_COLS: &str = "id, cooperative_id, contact_id, channel_id, status, opened_at, last_message_at, last_inbound_at, \
    resolved_at, assignee_id, team_id, priority, skill, snoozed_until, unread, member_id, verified, preview, \
    first_response_due, first_response_at, resolution_due, breached";

pub(crate) fn conv_row(r: &AnyRow) -> Result<Conversation> {
    Ok(Conversation {
        id: ConversationId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        contact_id: ContactId(r.try_get("contact_id")?),
        channel_id: ChannelId(r.try_get("channel_id")?),
        status: r.try_get("status")?,
        opened_at: r.try_get("opened_at")?,
        last_message_at: r.try_get("last_message_at")?,
        last_inbound_at: r.try_get("last_inbound_at")?,
        resolved_at: r.try_get("resolved_at")?,
        assignee_id: r.try_get("assignee_id")?,
        team_id: r.try_get("team_id")?,
        priority: r.try_get("priority")?,
        skill: r.try_get("skill")?,
        snoozed_until: r.try_get("snoozed_until")?,
        unread: r.try_get("unread")?,
        member_id: r.try_get("member_id")?,
        verified: r.try_get::<i64, _>("verified")? != 0,
        preview: r.try_get("preview")?,
        first_response_due: r.try_get("first_response_due")?,
        first_response_at: r.try_get("first_response_at")?,
        resolution_due: r.try_get("resolution_due")?,
        breached: r.try_get("breached")?,
    })
}

/// The contact's open conversation, on whatever channel.
pub async fn open_conversation(
    conn: &mut Conn,
    coop: CooperativeId,
    contact: ContactId,
) -> Result<Option<Conversation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {CONV_COLS} FROM conversations WHERE cooperative_id = $1 AND contact_id = $2 AND status IN ('open', 'snoozed')
         ORDER BY id DESC LIMIT 1"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(contact.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(conv_row).transpose()
}

pub async fn create_conversation(
    conn: &mut Conn,
    coop: CooperativeId,
    contact: ContactId,
    channel: ChannelId,
    at: i64,
) -> Result<Conversation> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO conversations (cooperative_id, contact_id, channel_id, status, opened_at, last_message_at)
         VALUES ($1, $2, $3, 'open', $4, $4) RETURNING {CONV_COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(contact.0)
        .bind(channel.0)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;
    conv_row(&row)
}

pub async fn get_conversation(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
) -> Result<Conversation> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {CONV_COLS} FROM conversations WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    conv_row(&crate::found(row)?)
}

pub async fn list_conversations(
    conn: &mut Conn,
    coop: CooperativeId,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<Conversation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {CONV_COLS} FROM conversations WHERE cooperative_id = $1 AND ($2 = '' OR status = $2)
         ORDER BY last_message_at DESC, id DESC LIMIT $3"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(status.unwrap_or(""))
        .bind(limit.clamp(1, 500))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(conv_row).collect()
}

// ---------------------------------------------------------------- messages

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub cooperative_id: CooperativeId,
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub channel_id: ChannelId,
    pub identity_id: IdentityId,
    pub direction: String,
    pub provider_id: Option<String>,
    pub kind: String,
    pub body: String,
    pub content: String,
    pub status: String,
    pub error: Option<String>,
    pub author: Option<String>,
    pub reply_token: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// For media: `pending`, `stored`, or `refused: …`.
    pub media_state: Option<String>,
}

const MSG_COLS: &str = "id, cooperative_id, conversation_id, contact_id, channel_id, identity_id, direction, provider_id, \
    kind, body, content, status, error, author, reply_token, created_at, sent_at, media_state";

fn msg_row(r: &AnyRow) -> Result<Message> {
    Ok(Message {
        id: MessageId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        conversation_id: ConversationId(r.try_get("conversation_id")?),
        contact_id: ContactId(r.try_get("contact_id")?),
        channel_id: ChannelId(r.try_get("channel_id")?),
        identity_id: IdentityId(r.try_get("identity_id")?),
        direction: r.try_get("direction")?,
        provider_id: r.try_get("provider_id")?,
        kind: r.try_get("kind")?,
        body: r.try_get("body")?,
        content: r.try_get("content")?,
        status: r.try_get("status")?,
        error: r.try_get("error")?,
        author: r.try_get("author")?,
        reply_token: r.try_get("reply_token")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        media_state: r.try_get("media_state")?,
    })
}

pub struct NewMessage<'a> {
    pub cooperative_id: CooperativeId,
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub channel_id: ChannelId,
    pub identity_id: IdentityId,
    pub direction: &'a str,
    pub provider_id: Option<&'a str>,
    pub kind: &'a str,
    pub body: &'a str,
    pub content: &'a str,
    pub status: &'a str,
    pub status_rank: i64,
    pub author: Option<&'a str>,
    pub reply_token: Option<&'a str>,
    pub at: i64,
}

/// Inserts a message; `None` when a message with the same provider id is already there.
pub async fn insert_message(conn: &mut Conn, m: &NewMessage<'_>) -> Result<Option<MessageId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO messages (cooperative_id, conversation_id, contact_id, channel_id, identity_id, direction,
            provider_id, kind, body, content, status, status_rank, author, reply_token, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (channel_id, direction, provider_id) DO NOTHING RETURNING id",
    )
    .bind(m.cooperative_id.0)
    .bind(m.conversation_id.0)
    .bind(m.contact_id.0)
    .bind(m.channel_id.0)
    .bind(m.identity_id.0)
    .bind(m.direction)
    .bind(m.provider_id)
    .bind(m.kind)
    .bind(m.body)
    .bind(m.content)
    .bind(m.status)
    .bind(m.status_rank)
    .bind(m.author)
    .bind(m.reply_token)
    .bind(m.at)
    .fetch_optional(&mut *conn)
    .await?;
    let id = id.map(MessageId);
    if let Some(id) = id {
        crate::search::index_messages(conn, &[(m.cooperative_id, id, m.body)]).await?;
    }
    Ok(id)
}

pub async fn get_message(conn: &mut Conn, coop: CooperativeId, id: MessageId) -> Result<Message> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MSG_COLS} FROM messages WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    msg_row(&crate::found(row)?)
}

/// The newest `limit` (at most 1,000) messages of a conversation, oldest first.
pub async fn conversation_messages(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    limit: i64,
) -> Result<Vec<Message>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MSG_COLS} FROM (SELECT {MSG_COLS} FROM messages WHERE cooperative_id = $1 AND conversation_id = $2
           ORDER BY id DESC LIMIT $3) newest ORDER BY id"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(msg_row).collect()
}

/// What a status callback did to our message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The status moved up.
    Moved {
        conversation: ConversationId,
        message: MessageId,
    },
    /// The message already had this status or a later one.
    NotNewer,
    /// No outgoing message has this provider id (yet).
    Unknown,
}

/// Moves an outgoing message's status up, never down.
pub async fn apply_status(
    conn: &mut Conn,
    channel: ChannelId,
    provider_id: &str,
    status: &str,
    rank: i64,
    at: i64,
    error: Option<&str>,
) -> Result<Applied> {
    let column = match status {
        "delivered" => ", delivered_at = COALESCE(delivered_at, $5)",
        "read" => ", read_at = COALESCE(read_at, $5), delivered_at = COALESCE(delivered_at, $5)",
        _ => ", sent_at = COALESCE(sent_at, $5)",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE messages SET status = $3, status_rank = $4, error = COALESCE($6, error){column}
         WHERE channel_id = $1 AND direction = 'out' AND provider_id = $2 AND status_rank < $4
         RETURNING conversation_id, id"
    ));
    let moved = sqlx::query(sql)
        .bind(channel.0)
        .bind(provider_id)
        .bind(status)
        .bind(rank)
        .bind(at)
        .bind(error)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = moved {
        return Ok(Applied::Moved {
            conversation: ConversationId(r.try_get("conversation_id")?),
            message: MessageId(r.try_get("id")?),
        });
    }
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM messages WHERE channel_id = $1 AND direction = 'out' AND provider_id = $2",
    )
    .bind(channel.0)
    .bind(provider_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(if exists.is_some() {
        Applied::NotNewer
    } else {
        Applied::Unknown
    })
}

/// Marks read every outgoing message to the identity sent up to the watermark.
pub async fn read_up_to(conn: &mut Conn, identity: IdentityId, watermark: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE messages SET status = 'read', status_rank = 4, read_at = COALESCE(read_at, $2)
         WHERE identity_id = $1 AND direction = 'out' AND sent_at IS NOT NULL AND sent_at <= $2 AND status_rank < 4",
    )
    .bind(identity.0)
    .bind(watermark)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// When the identity last wrote to the cooperative on this channel.
pub async fn last_inbound_at(
    conn: &mut Conn,
    identity: IdentityId,
    channel: ChannelId,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(created_at) FROM messages WHERE identity_id = $1 AND channel_id = $2 AND direction = 'in'",
    )
    .bind(identity.0)
    .bind(channel.0)
    .fetch_one(&mut *conn)
    .await?)
}

/// The newest unused LINE reply token from this identity, if it is recent enough.
pub async fn fresh_reply_token(
    conn: &mut Conn,
    identity: IdentityId,
    since: i64,
) -> Result<Option<(MessageId, String)>> {
    let row = sqlx::query(
        "SELECT id, reply_token FROM messages WHERE identity_id = $1 AND direction = 'in'
           AND reply_token IS NOT NULL AND created_at >= $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(identity.0)
    .bind(since)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((MessageId(r.try_get("id")?), r.try_get("reply_token")?)))
        .transpose()
}

/// A reply token works once: forget it when it is used.
pub async fn use_reply_token(conn: &mut Conn, id: MessageId) -> Result<()> {
    sqlx::query("UPDATE messages SET reply_token = NULL WHERE id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn message_sent(
    conn: &mut Conn,
    id: MessageId,
    provider_id: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE messages SET provider_id = $2, sent_at = COALESCE(sent_at, $3),
            status = CASE WHEN status_rank < 1 THEN 'sent' ELSE status END,
            status_rank = CASE WHEN status_rank < 1 THEN 1 ELSE status_rank END, error = NULL
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(provider_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn message_failed(conn: &mut Conn, id: MessageId, error: &str) -> Result<()> {
    sqlx::query("UPDATE messages SET status = 'failed', status_rank = 2, error = $2 WHERE id = $1 AND status_rank < 2")
        .bind(id.0)
        .bind(error)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A person asked to send a failed message again: back to queued.
pub async fn message_requeued(conn: &mut Conn, coop: CooperativeId, id: MessageId) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE messages SET status = 'queued', status_rank = 0, error = NULL
         WHERE cooperative_id = $1 AND id = $2 AND direction = 'out' AND status = 'failed'",
    )
    .bind(coop.0)
    .bind(id.0)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

// ---------------------------------------------------------------- outbox

pub async fn enqueue(
    conn: &mut Conn,
    coop: CooperativeId,
    message: MessageId,
    channel: ChannelId,
) -> Result<i64> {
    let now = now_ms();
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (cooperative_id, message_id, channel_id, status, next_attempt_at, created_at)
         VALUES ($1, $2, $3, 'pending', $4, $4) RETURNING id",
    )
    .bind(coop.0)
    .bind(message.0)
    .bind(channel.0)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub id: i64,
    pub cooperative_id: CooperativeId,
    pub message_id: MessageId,
    pub channel_id: ChannelId,
    pub attempts: i64,
}

pub async fn claim_outbox(conn: &mut Conn, engine: Engine, limit: i64) -> Result<Vec<OutboxItem>> {
    let lock = if engine == Engine::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, cooperative_id, message_id, channel_id, attempts FROM outbox
         WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2{lock}"
    ));
    let rows = sqlx::query(sql)
        .bind(now_ms())
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(OutboxItem {
                id: r.try_get("id")?,
                cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
                message_id: MessageId(r.try_get("message_id")?),
                channel_id: ChannelId(r.try_get("channel_id")?),
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

/// Pushes an item into the future so another worker does not take it while it is
/// being sent (the claim's lock ends with its transaction).
pub async fn lease_outbox(conn: &mut Conn, id: i64, until: i64) -> Result<()> {
    sqlx::query("UPDATE outbox SET next_attempt_at = $2 WHERE id = $1")
        .bind(id)
        .bind(until)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn outbox_done(conn: &mut Conn, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'done', done_at = $2, attempts = attempts + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn outbox_retry(conn: &mut Conn, id: i64, at: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE outbox SET next_attempt_at = $2, last_error = $3, attempts = attempts + 1 WHERE id = $1")
        .bind(id)
        .bind(at)
        .bind(error)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn outbox_dead(conn: &mut Conn, id: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE outbox SET status = 'dead', last_error = $2, attempts = attempts + 1, done_at = $3 WHERE id = $1")
        .bind(id)
        .bind(error)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Inserts many incoming messages; returns ((channel, provider id) → new message id)
/// for those that were not already there.
pub async fn insert_messages(
    conn: &mut Conn,
    rows: &[NewMessage<'_>],
) -> Result<HashMap<(ChannelId, String), MessageId>> {
    let mut out = HashMap::with_capacity(rows.len());
    const COLS: usize = 15;
    for chunk in rows.chunks(40) {
        let mut sql = String::from(
            "INSERT INTO messages (cooperative_id, conversation_id, contact_id, channel_id, identity_id, direction,
                provider_id, kind, body, content, status, status_rank, author, reply_token, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * COLS;
            sql.push('(');
            sql.push_str(
                &(1..=COLS)
                    .map(|c| format!("${}", b + c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            sql.push(')');
        }
        sql.push_str(" ON CONFLICT (channel_id, direction, provider_id) DO NOTHING RETURNING id, channel_id, provider_id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for m in chunk {
            q = q
                .bind(m.cooperative_id.0)
                .bind(m.conversation_id.0)
                .bind(m.contact_id.0)
                .bind(m.channel_id.0)
                .bind(m.identity_id.0)
                .bind(m.direction)
                .bind(m.provider_id)
                .bind(m.kind)
                .bind(m.body)
                .bind(m.content)
                .bind(m.status)
                .bind(m.status_rank)
                .bind(m.author)
                .bind(m.reply_token)
                .bind(m.at);
        }
        // The new rows go into the search index in the same transaction, multi-row.
        let mut indexed = Vec::with_capacity(chunk.len());
        for r in q.fetch_all(&mut *conn).await? {
            let channel = ChannelId(r.try_get("channel_id")?);
            let provider_id: String = r.try_get("provider_id")?;
            let id = MessageId(r.try_get("id")?);
            if let Some(m) = chunk
                .iter()
                .find(|m| m.channel_id == channel && m.provider_id == Some(provider_id.as_str()))
            {
                indexed.push((m.cooperative_id, id, m.body));
            }
            out.insert((channel, provider_id), id);
        }
        crate::search::index_messages(conn, &indexed).await?;
    }
    Ok(out)
}

/// Marks many events processed without error.
pub async fn events_done(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    let now = now_ms();
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE inbound_events SET processed_at = $1, attempts = attempts + 1 WHERE id IN ({list})"
        ));
        sqlx::query(sql).bind(now).execute(&mut *conn).await?;
    }
    Ok(())
}

/// An identity's messages after `after`, both ways, oldest first (the web chat widget).
/// Outgoing messages appear once sent, and nothing after a reply still waiting to be
/// sent is returned yet, so a client that remembers the last id it saw misses nothing.
pub async fn identity_messages(
    conn: &mut Conn,
    coop: CooperativeId,
    identity: IdentityId,
    after: i64,
    limit: i64,
) -> Result<Vec<Message>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MSG_COLS} FROM messages WHERE cooperative_id = $1 AND identity_id = $2 AND id > $3
           AND status <> 'failed'
           AND id < COALESCE((SELECT MIN(id) FROM messages WHERE identity_id = $2 AND direction = 'out'
                              AND sent_at IS NULL AND status <> 'failed' AND id > $3), 9223372036854775807)
         ORDER BY id LIMIT $4"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(identity.0)
        .bind(after)
        .bind(limit.clamp(1, 500))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(msg_row).collect()
}

/// Outgoing messages to the identity up to `up_to` that the widget has now shown.
pub async fn delivered_up_to(
    conn: &mut Conn,
    identity: IdentityId,
    up_to: MessageId,
) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE messages SET status = 'delivered', status_rank = 3, delivered_at = COALESCE(delivered_at, $3)
         WHERE identity_id = $1 AND direction = 'out' AND id <= $2 AND status_rank < 3 AND status_rank >= 1",
    )
    .bind(identity.0)
    .bind(up_to.0)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// The member's newest message in a conversation.
pub async fn newest_inbound(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
) -> Result<Option<Message>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MSG_COLS} FROM messages WHERE cooperative_id = $1 AND conversation_id = $2 AND direction = 'in'
         ORDER BY id DESC LIMIT 1"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(msg_row).transpose()
}

/// The identity's newest message to the cooperative on this channel.
pub async fn last_inbound(
    conn: &mut Conn,
    identity: IdentityId,
    channel: ChannelId,
) -> Result<Option<Message>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MSG_COLS} FROM messages WHERE identity_id = $1 AND channel_id = $2 AND direction = 'in' ORDER BY id DESC LIMIT 1"
    ));
    let row = sqlx::query(sql)
        .bind(identity.0)
        .bind(channel.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(msg_row).transpose()
}

/// A received media message whose file is still to be fetched.
#[derive(Debug, Clone)]
pub struct PendingMedia {
    pub id: MessageId,
    pub cooperative_id: CooperativeId,
    pub channel_id: ChannelId,
    pub content: String,
}

/// The stored body of one inbound event of a channel (an e-mail's attachments are read
/// from the mail's event).
pub async fn event_body(
    conn: &mut Conn,
    coop: CooperativeId,
    channel: ChannelId,
    key: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT body FROM inbound_events WHERE cooperative_id = $1 AND channel_id = $2 AND event_key = $3",
    )
    .bind(coop.0)
    .bind(channel.0)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Media messages waiting for their file, oldest first.
pub async fn pending_media(conn: &mut Conn, limit: i64) -> Result<Vec<PendingMedia>> {
    let rows = sqlx::query(
        "SELECT id, cooperative_id, channel_id, content FROM messages WHERE media_state = 'pending' ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PendingMedia {
                id: MessageId(r.try_get("id")?),
                cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
                channel_id: ChannelId(r.try_get("channel_id")?),
                content: r.try_get("content")?,
            })
        })
        .collect()
}

/// Marks media messages of a batch as waiting for their file.
pub async fn mark_media_pending(conn: &mut Conn, ids: &[MessageId]) -> Result<()> {
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(|i| i.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE messages SET media_state = 'pending' WHERE id IN ({list})"
        ));
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records where a message's file is kept, or why it was not kept.
pub async fn media_done(
    conn: &mut Conn,
    id: MessageId,
    stored: Option<(&str, &str, i64)>,
    refused: Option<&str>,
) -> Result<()> {
    let (key, ty, size) = stored
        .map(|(k, t, s)| (Some(k), Some(t), Some(s)))
        .unwrap_or((None, None, None));
    let state = match refused {
        Some(r) => format!("refused: {r}"),
        None => "stored".to_string(),
    };
    sqlx::query("UPDATE messages SET media_key = $2, media_type = $3, media_size = $4, media_state = $5 WHERE id = $1")
        .bind(id.0)
        .bind(key)
        .bind(ty)
        .bind(size)
        .bind(state)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A message's stored file: (key, content type, state).
pub async fn media_of(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MessageId,
) -> Result<(Option<String>, Option<String>, Option<String>)> {
    let r = sqlx::query("SELECT media_key, media_type, media_state FROM messages WHERE cooperative_id = $1 AND id = $2")
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    let r = crate::found(r)?;
    Ok((
        r.try_get("media_key")?,
        r.try_get("media_type")?,
        r.try_get("media_state")?,
    ))
}
