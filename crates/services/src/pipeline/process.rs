//! Turning stored events into contacts, conversations and messages. A batch of events
//! and everything they cause is one transaction, and each event is marked processed in
//! it, so an acknowledged event takes effect exactly once even across a crash.

use super::{Pipeline, Realtime};
use crate::identity::resolve;
use guyub_connectors::{ChannelKind, DeliveryStatus, Event, InboundMessage, StatusUpdate};
use guyub_domain::{ChannelId, CooperativeId, IdentityKey, IdentityKind};
use guyub_store::contacts::{self, IdentityInfo};
use guyub_store::messages::{self, NewMessage, StoredEvent};
use guyub_store::{Conn, channels, now_ms};
use std::collections::HashMap;
use std::time::Duration;

/// A status callback can overtake the record of our own send; look again later, up to
/// this many times, before giving up on it.
const STATUS_RETRIES: i64 = 8;

pub fn identity_kind(kind: ChannelKind) -> IdentityKind {
    match kind {
        ChannelKind::Whatsapp => IdentityKind::Whatsapp,
        ChannelKind::Messenger => IdentityKind::Messenger,
        ChannelKind::Instagram => IdentityKind::Instagram,
        ChannelKind::Telegram => IdentityKind::Telegram,
        ChannelKind::Line => IdentityKind::Line,
        ChannelKind::X => IdentityKind::X,
    }
}

enum Outcome {
    Done(Option<String>),
    Later(String),
}

impl Pipeline {
    /// Processes one batch of due events; returns how many were taken.
    pub async fn process_batch(&self) -> crate::Result<usize> {
        let mut tx = self.db.begin_write().await?;
        let events =
            messages::claim_events(&mut tx, self.db.engine(), self.settings.process_batch).await?;
        if events.is_empty() {
            return Ok(0);
        }
        let mut kinds: HashMap<ChannelId, Option<ChannelKind>> = HashMap::new();
        let mut published = Vec::new();
        for e in &events {
            let kind = match kinds.get(&e.channel_id) {
                Some(k) => *k,
                None => {
                    let k = channel_kind(&mut tx, e.cooperative_id, e.channel_id).await?;
                    kinds.insert(e.channel_id, k);
                    k
                }
            };
            let outcome = match kind {
                None => Outcome::Done(Some("channel has an unknown kind".into())),
                Some(kind) => handle(&mut tx, kind, e, &mut published).await?,
            };
            match outcome {
                Outcome::Done(err) => messages::event_done(&mut tx, e.id, err.as_deref()).await?,
                Outcome::Later(why) if e.attempts + 1 < STATUS_RETRIES => {
                    let wait = 250 * (1i64 << e.attempts.min(10));
                    messages::event_later(&mut tx, e.id, now_ms() + wait, &why).await?
                }
                Outcome::Later(why) => messages::event_done(&mut tx, e.id, Some(&why)).await?,
            }
        }
        tx.commit().await?;
        let now = now_ms();
        for e in &events {
            metrics::histogram!("guyub_event_to_processed_seconds")
                .record((now - e.received_at).max(0) as f64 / 1000.0);
        }
        metrics::counter!("guyub_inbound_events_processed_total").increment(events.len() as u64);
        let n = events.len();
        if published
            .iter()
            .any(|r: &Realtime| r.kind == "message.created")
        {
            self.outbox_ready.notify_one();
        }
        self.publish(published);
        Ok(n)
    }

    /// Processes events as they are stored (and every second, for retries).
    pub async fn run_processor(self) {
        loop {
            match self.process_batch().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "processing inbound events failed"),
            }
            tokio::select! {
                _ = self.events_ready.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }
}

async fn channel_kind(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ChannelId,
) -> crate::Result<Option<ChannelKind>> {
    Ok(match channels::get(conn, coop, id).await {
        Ok(c) => ChannelKind::parse(&c.kind),
        Err(guyub_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    })
}

async fn handle(
    conn: &mut Conn,
    kind: ChannelKind,
    e: &StoredEvent,
    published: &mut Vec<Realtime>,
) -> crate::Result<Outcome> {
    let event = match guyub_connectors::parse(kind, e.body.as_bytes()) {
        Ok(ev) => ev,
        Err(err) => return Ok(Outcome::Done(Some(format!("cannot parse: {err}")))),
    };
    match event {
        Event::Message(m) => message(conn, kind, e, &m, published).await,
        Event::Status(s) => status(conn, e, &s, published).await,
        Event::ReadUpTo {
            recipient,
            watermark_ms,
        } => {
            let ik = identity_kind(kind);
            if let Some((identity, _)) =
                contacts::find_identity(conn, e.cooperative_id, ik.as_str(), &recipient).await?
            {
                messages::read_up_to(conn, identity.id, watermark_ms).await?;
            }
            Ok(Outcome::Done(None))
        }
        Event::Ignored(why) => Ok(Outcome::Done(Some(format!("ignored: {why}")))),
    }
}

async fn message(
    conn: &mut Conn,
    kind: ChannelKind,
    e: &StoredEvent,
    m: &InboundMessage,
    published: &mut Vec<Realtime>,
) -> crate::Result<Outcome> {
    let coop = e.cooperative_id;
    let key = match IdentityKey::parse(identity_kind(kind), &m.sender.external_id) {
        Ok(k) => k,
        Err(err) => return Ok(Outcome::Done(Some(format!("sender: {err}")))),
    };
    let info = IdentityInfo {
        channel_id: Some(e.channel_id.0),
        display_name: m.sender.display_name.as_deref(),
        handle: m.sender.handle.as_deref(),
        verified: kind == ChannelKind::Whatsapp,
    };
    let r = resolve(conn, coop, &key, &info).await?;
    let at = if m.at_ms > 0 { m.at_ms } else { now_ms() };
    let conversation = match messages::open_conversation(conn, coop, r.contact_id).await? {
        Some(c) => c,
        None => messages::create_conversation(conn, coop, r.contact_id, e.channel_id, at).await?,
    };
    let content = serde_json::to_string(&m.content).unwrap_or_else(|_| "{}".into());
    let body = m.content.text();
    let inserted = messages::insert_message(
        conn,
        &NewMessage {
            cooperative_id: coop,
            conversation_id: conversation.id,
            contact_id: r.contact_id,
            channel_id: e.channel_id,
            identity_id: r.identity.id,
            direction: "in",
            provider_id: Some(&m.provider_id),
            kind: m.content.kind(),
            body: &body,
            content: &content,
            status: "received",
            status_rank: 0,
            author: None,
            reply_token: m.reply_token.as_deref(),
            at: now_ms().max(at),
        },
    )
    .await?;
    let Some(id) = inserted else {
        // The same message under another delivery: already here.
        return Ok(Outcome::Done(Some("duplicate message".into())));
    };
    messages::touch_conversation(conn, conversation.id, e.channel_id, now_ms(), true).await?;
    published.push(Realtime {
        cooperative_id: coop,
        conversation_id: conversation.id,
        message_id: id,
        kind: "message.created",
    });
    Ok(Outcome::Done(None))
}

async fn status(
    conn: &mut Conn,
    e: &StoredEvent,
    s: &StatusUpdate,
    published: &mut Vec<Realtime>,
) -> crate::Result<Outcome> {
    let at = if s.at_ms > 0 { s.at_ms } else { now_ms() };
    let moved = messages::apply_status(
        conn,
        e.channel_id,
        &s.provider_id,
        s.status.as_str(),
        s.status.rank(),
        at,
        s.error.as_deref(),
    )
    .await?;
    match moved {
        None => Ok(Outcome::Later(format!("no message {} yet", s.provider_id))),
        Some(false) => Ok(Outcome::Done(Some("status not newer".into()))),
        Some(true) => {
            if s.status == DeliveryStatus::Failed {
                metrics::counter!("guyub_messages_failed_total").increment(1);
            }
            // The message's conversation for the live screens.
            if let Ok(Some(m)) = message_by_provider(conn, e.channel_id, &s.provider_id).await {
                published.push(Realtime {
                    cooperative_id: e.cooperative_id,
                    conversation_id: m.0,
                    message_id: m.1,
                    kind: "message.status",
                });
            }
            Ok(Outcome::Done(None))
        }
    }
}

async fn message_by_provider(
    conn: &mut Conn,
    channel: ChannelId,
    provider_id: &str,
) -> guyub_store::Result<Option<(guyub_domain::ConversationId, guyub_domain::MessageId)>> {
    messages::find_outgoing(conn, channel, provider_id).await
}
