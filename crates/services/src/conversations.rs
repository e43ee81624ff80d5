//! Conversations and replies: what agents read and send. A reply is stored `queued`
//! with its outbox row in one transaction; the sender delivers it. Channel rules are
//! checked here, where a person can still choose another way: WhatsApp free text only
//! within 24 hours of the member's last message (otherwise an approved template),
//! Messenger and Instagram within 7 days (the `HUMAN_AGENT` tag).

use crate::pipeline::process::identity_kind;
use crate::pipeline::{Pipeline, Realtime};
use crate::{Actor, Result, ServiceError, invalid};
use guyub_connectors::{ChannelKind, MediaKind, OutContent};
use guyub_domain::{
    Action, ChannelId, ContactId, ConversationId, CooperativeId, IdentityId, MessageId,
};
use guyub_store::contacts::{self, Contact, Identity};
use guyub_store::messages::{self, Conversation, Message, NewMessage};
use guyub_store::{Conn, Db, channels, now_ms};

const DAY_MS: i64 = 24 * 3_600_000;

#[derive(Debug, Clone)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub contact: Contact,
    pub channel_kind: String,
}

pub async fn list(
    db: &Db,
    actor: &Actor,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<ConversationView>> {
    actor.require(Action::WorkInbox)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let list = messages::list_conversations(&mut conn, coop, status, limit).await?;
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        let contact = contacts::get_contact(&mut conn, coop, c.contact_id).await?;
        let channel_kind = channels::get(&mut conn, coop, c.channel_id).await?.kind;
        out.push(ConversationView {
            conversation: c,
            contact,
            channel_kind,
        });
    }
    Ok(out)
}

pub async fn get(
    db: &Db,
    actor: &Actor,
    id: ConversationId,
) -> Result<(ConversationView, Vec<Message>)> {
    actor.require(Action::WorkInbox)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let c = messages::get_conversation(&mut conn, coop, id).await?;
    let contact = contacts::get_contact(&mut conn, coop, c.contact_id).await?;
    let channel_kind = channels::get(&mut conn, coop, c.channel_id).await?.kind;
    let list = messages::conversation_messages(&mut conn, coop, id, 1000).await?;
    Ok((
        ConversationView {
            conversation: c,
            contact,
            channel_kind,
        },
        list,
    ))
}

/// A file to send: by its URL, or one uploaded to Guyub (`file`: its object key).
pub struct MediaReply<'a> {
    pub kind: MediaKind,
    pub url: &'a str,
    pub caption: Option<&'a str>,
    pub filename: Option<&'a str>,
    pub file: Option<&'a str>,
}

pub struct Reply<'a> {
    pub text: Option<&'a str>,
    pub media: Option<MediaReply<'a>>,
    pub template: Option<(&'a str, &'a str, Vec<String>)>,
    /// Send on this channel instead of the one the member last used.
    pub channel_id: Option<ChannelId>,
    /// The newest member message the agent had seen; a newer one refuses the reply
    /// (the agent reads it first). `None`: no check (API clients may omit it).
    pub seen: Option<i64>,
}

fn content_of(r: &Reply<'_>) -> Result<OutContent> {
    if let Some((name, lang, params)) = &r.template {
        if name.is_empty() || name.len() > 512 {
            return Err(invalid("template", "a template name is required"));
        }
        return Ok(OutContent::Template {
            name: name.to_string(),
            language: lang.to_string(),
            params: params.clone(),
        });
    }
    if let Some(m) = &r.media {
        if !(m.url.starts_with("https://") || m.url.starts_with("http://")) {
            return Err(invalid("media_url", "must be an http(s) URL"));
        }
        return Ok(OutContent::Media {
            kind: m.kind,
            url: m.url.to_string(),
            caption: m.caption.map(str::to_string),
            filename: m.filename.map(str::to_string),
            file: m.file.map(str::to_string),
        });
    }
    let text = r.text.map(str::trim).unwrap_or("");
    if text.is_empty() || text.chars().count() > 4096 {
        return Err(invalid("text", "a reply needs 1 to 4096 characters"));
    }
    Ok(OutContent::Text {
        text: text.to_string(),
    })
}

/// The identity of the contact to write to on `channel`: the one they last wrote from
/// there, else any identity of the channel's kind.
async fn identity_on(
    conn: &mut Conn,
    coop: CooperativeId,
    contact: ContactId,
    conversation: ConversationId,
    channel: ChannelId,
    kind: ChannelKind,
) -> Result<Identity> {
    let recent = messages::conversation_messages(conn, coop, conversation, 1000).await?;
    if let Some(m) = recent
        .iter()
        .rev()
        .find(|m| m.direction == "in" && m.channel_id == channel)
    {
        return Ok(contacts::get_identity(conn, coop, m.identity_id).await?);
    }
    let want = identity_kind(kind).as_str();
    contacts::identities_of(conn, coop, contact)
        .await?
        .into_iter()
        .find(|i| i.kind == want)
        .ok_or_else(|| invalid("channel_id", format!("this contact has no {kind} identity")))
}

/// Checks the channel's reply window for this content; `Err` explains the way out.
pub fn check_window(
    kind: ChannelKind,
    content: &OutContent,
    last_inbound: Option<i64>,
    now: i64,
) -> Result<()> {
    let age = last_inbound.map(|t| now - t);
    match kind {
        ChannelKind::Whatsapp if !matches!(content, OutContent::Template { .. }) => match age {
            Some(a) if a <= DAY_MS => Ok(()),
            _ => Err(invalid(
                "text",
                "the WhatsApp 24-hour window is closed (the member last wrote more than 24 hours ago): send an approved template",
            )),
        },
        ChannelKind::Messenger | ChannelKind::Instagram => match age {
            Some(a) if a <= 7 * DAY_MS => Ok(()),
            _ => Err(invalid(
                "text",
                "the member last wrote more than 7 days ago; Meta allows no reply now",
            )),
        },
        ChannelKind::Whatsapp => Ok(()),
        _ if matches!(content, OutContent::Template { .. }) => {
            Err(invalid("template", "templates are a WhatsApp feature"))
        }
        _ => Ok(()),
    }
}

/// Queues a message to an identity inside the caller's transaction: the message row
/// (`queued`) and its outbox row.
#[allow(clippy::too_many_arguments)]
pub async fn queue(
    conn: &mut Conn,
    coop: CooperativeId,
    conversation: ConversationId,
    contact: ContactId,
    channel: ChannelId,
    identity: IdentityId,
    content: &OutContent,
    author: &str,
) -> Result<MessageId> {
    queue_shown(
        conn,
        coop,
        conversation,
        contact,
        channel,
        identity,
        content,
        author,
        None,
    )
    .await
}

/// `queue` with the body staff see given (a code message shows no code).
#[allow(clippy::too_many_arguments)]
async fn queue_shown(
    conn: &mut Conn,
    coop: CooperativeId,
    conversation: ConversationId,
    contact: ContactId,
    channel: ChannelId,
    identity: IdentityId,
    content: &OutContent,
    author: &str,
    shown: Option<&str>,
) -> Result<MessageId> {
    let json = serde_json::to_string(content).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let (kind, body) = match content {
        OutContent::Text { text } => ("text", text.clone()),
        OutContent::Media {
            kind,
            caption,
            url,
            filename,
            ..
        } => (
            kind.as_str(),
            caption
                .clone()
                .or_else(|| filename.clone())
                .unwrap_or_else(|| url.clone()),
        ),
        OutContent::Template { name, params, .. } => {
            ("template", format!("[{name}] {}", params.join(" · ")))
        }
    };
    let body = shown.map(str::to_string).unwrap_or(body);
    let now = now_ms();
    let id = messages::insert_message(
        conn,
        &NewMessage {
            cooperative_id: coop,
            conversation_id: conversation,
            contact_id: contact,
            channel_id: channel,
            identity_id: identity,
            direction: "out",
            provider_id: None,
            kind,
            body: &body,
            content: &json,
            status: "queued",
            status_rank: 0,
            author: Some(author),
            reply_token: None,
            at: now,
        },
    )
    .await?
    .ok_or_else(|| {
        ServiceError::Internal("an outgoing message without provider id collided".into())
    })?;
    messages::enqueue(conn, coop, id, channel).await?;
    guyub_store::inbox::touch_outbound(
        conn,
        coop,
        conversation,
        now,
        &crate::pipeline::process::preview(&body),
    )
    .await?;
    Ok(id)
}

/// An agent's reply in a conversation: queued for the sender, the first-response
/// clock stopped, live screens told.
pub async fn reply(
    p: &Pipeline,
    actor: &Actor,
    id: ConversationId,
    r: &Reply<'_>,
) -> Result<MessageId> {
    actor.require(Action::WorkInbox)?;
    let content = content_of(r)?;
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    let c = messages::get_conversation(&mut tx, coop, id).await?;
    crate::inbox::check_fresh(&mut tx, coop, id, r.seen).await?;
    let channel = channels::get(&mut tx, coop, r.channel_id.unwrap_or(c.channel_id)).await?;
    let kind = ChannelKind::parse(&channel.kind)
        .ok_or_else(|| ServiceError::Internal("unknown channel kind".into()))?;
    let identity = identity_on(&mut tx, coop, c.contact_id, id, channel.id, kind).await?;
    let last = messages::last_inbound_at(&mut tx, identity.id, channel.id).await?;
    check_window(kind, &content, last, now_ms())?;
    let m = queue(
        &mut tx,
        coop,
        id,
        c.contact_id,
        channel.id,
        identity.id,
        &content,
        &actor.label(),
    )
    .await?;
    crate::sla::first_response(&mut tx, coop, id, now_ms()).await?;
    if c.status != "open" {
        // Answering a snoozed or resolved conversation opens it again.
        guyub_store::inbox::set_status(&mut tx, coop, id, "open", None).await?;
    }
    tx.commit().await?;
    p.outbox_ready.notify_one();
    p.publish(vec![Realtime::message(coop, id, m, "message.created")]);
    Ok(m)
}

/// Sends a failed message again.
pub async fn resend(db: &Db, actor: &Actor, id: MessageId) -> Result<()> {
    actor.require(Action::WorkInbox)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let m = messages::get_message(&mut tx, coop, id).await?;
    if !messages::message_requeued(&mut tx, coop, id).await? {
        return Err(ServiceError::Conflict(format!(
            "message {id} is {}, only failed messages are sent again",
            m.status
        )));
    }
    messages::enqueue(&mut tx, coop, id, m.channel_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Who writes one-time codes; the sender scrubs the code from such messages once sent.
pub const CODE_AUTHOR: &str = "system:code";

/// Queues a one-time code to an identity: through the channel it came by, or the
/// cooperative's first channel of its kind, in the contact's conversation. On WhatsApp
/// outside the 24-hour window the code goes in the approved code template. The stored
/// body says a code was sent; only the content handed to the sender holds the code.
pub async fn queue_code(
    conn: &mut Conn,
    coop: CooperativeId,
    identity: &Identity,
    text: &str,
    code: &str,
) -> Result<MessageId> {
    let channel = match identity.channel_id {
        Some(id) => match channels::get(conn, coop, ChannelId(id)).await {
            Ok(c) if c.active => Some(c),
            _ => None,
        },
        None => None,
    };
    let channel = match channel {
        Some(c) => c,
        None => channels::first_of_kind(conn, coop, &identity.kind)
            .await?
            .ok_or_else(|| {
                invalid(
                    "identity",
                    format!(
                        "no active {} channel is connected to send the code through",
                        identity.kind
                    ),
                )
            })?,
    };
    let kind = ChannelKind::parse(&channel.kind)
        .ok_or_else(|| ServiceError::Internal("unknown channel kind".into()))?;
    let last = messages::last_inbound_at(conn, identity.id, channel.id).await?;
    // Whether free text may go now; outside WhatsApp's window the code template may.
    let window = check_window(
        kind,
        &OutContent::Text {
            text: String::new(),
        },
        last,
        now_ms(),
    );
    let content = match window {
        Err(_) if kind == ChannelKind::Whatsapp => OutContent::Template {
            name: crate::identity::CODE_TEMPLATE.into(),
            language: "id".into(),
            params: vec![code.to_string()],
        },
        Err(e) => return Err(e),
        Ok(()) => OutContent::Text {
            text: text.to_string(),
        },
    };
    let conversation = match messages::open_conversation(conn, coop, identity.contact_id).await? {
        Some(c) => c,
        None => {
            messages::create_conversation(conn, coop, identity.contact_id, channel.id, now_ms())
                .await?
        }
    };
    queue_shown(
        conn,
        coop,
        conversation.id,
        identity.contact_id,
        channel.id,
        identity.id,
        &content,
        CODE_AUTHOR,
        Some("Kode verifikasi dikirim (******)"),
    )
    .await
}

/// A web chat visitor's messages after `after` (what the widget shows); outgoing ones
/// that were sent count as delivered once fetched. The caller has checked the
/// visitor's token for the channel.
pub async fn webchat_messages(
    db: &Db,
    coop: CooperativeId,
    visitor: &str,
    after: i64,
) -> Result<Vec<Message>> {
    let mut conn = db.conn().await?;
    let Some((identity, _)) = contacts::find_identity(&mut conn, coop, "webchat", visitor).await?
    else {
        return Ok(Vec::new());
    };
    let list = messages::identity_messages(&mut conn, coop, identity.id, after, 200).await?;
    if let Some(last) = list
        .iter()
        .rev()
        .find(|m| m.direction == "out" && m.sent_at.is_some())
    {
        messages::delivered_up_to(&mut conn, identity.id, last.id).await?;
    }
    Ok(list)
}
