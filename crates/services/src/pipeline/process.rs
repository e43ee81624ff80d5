//! Turning stored events into contacts, conversations and messages. A batch of events
//! and everything they cause is one transaction, and each event is marked processed in
//! it, so an acknowledged event takes effect exactly once even across a crash.

use super::{Pipeline, Realtime};
use crate::identity::resolve;
use guyub_connectors::{ChannelKind, DeliveryStatus, Event, InboundMessage, StatusUpdate};
use guyub_domain::{
    ChannelId, ContactId, ConversationId, CooperativeId, IdentityId, IdentityKey, IdentityKind,
    MessageId,
};
use guyub_store::contacts::{self, IdentityInfo};
use guyub_store::inbox::{self, InboundTouch};
use guyub_store::messages::{self, Applied, Conversation, NewMessage, StoredEvent};
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
        ChannelKind::Webchat => IdentityKind::Webchat,
        ChannelKind::Email => IdentityKind::Email,
    }
}

enum Outcome {
    Done(Option<String>),
    Later(String),
}

impl Pipeline {
    /// Processes one batch of due events; returns how many were taken. Messages from
    /// known identities (nearly all traffic) are handled set-wise: one lookup for all
    /// their identities, one for their open conversations, multi-row inserts; the rest
    /// (new identities, statuses, reads) one by one, in the same transaction.
    pub async fn process_batch(&self) -> crate::Result<usize> {
        let mut tx = self.db.begin_write().await?;
        let events =
            messages::claim_events(&mut tx, self.db.engine(), self.settings.process_batch).await?;
        if events.is_empty() {
            return Ok(0);
        }
        let mut kinds: HashMap<ChannelId, Option<ChannelKind>> = HashMap::new();
        let mut published = Vec::new();
        let mut incoming: Vec<(&StoredEvent, ChannelKind, InboundMessage)> = Vec::new();
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
                Some(kind) => match guyub_connectors::parse(kind, e.body.as_bytes()) {
                    Ok(Event::Message(m)) => {
                        incoming.push((e, kind, m));
                        continue;
                    }
                    Ok(other) => handle(&mut tx, kind, e, other, &mut published).await?,
                    Err(err) => Outcome::Done(Some(format!("cannot parse: {err}"))),
                },
            };
            settle(&mut tx, e, outcome).await?;
        }
        store_messages(&mut tx, &incoming, &mut published).await?;
        tx.commit().await?;
        let now = now_ms();
        for e in &events {
            metrics::histogram!("guyub_event_to_processed_seconds")
                .record((now - e.received_at).max(0) as f64 / 1000.0);
        }
        metrics::counter!("guyub_inbound_events_processed_total").increment(events.len() as u64);
        let n = events.len();
        self.publish(published);
        Ok(n)
    }

    /// Processes events as they are stored (and every second, for retries).
    pub async fn run_processor(self) {
        loop {
            match self.process_batch().await {
                // A full batch: more is waiting.
                Ok(n) if n as i64 >= self.settings.process_batch => continue,
                // A partial batch under load: let the next one gather for a moment, so
                // the processor takes SQLite's write lock a few times a second with many
                // events rather than once per incoming request.
                Ok(n) if n > 0 => {
                    tokio::time::sleep(Duration::from_millis(25)).await;
                    continue;
                }
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

async fn settle(conn: &mut Conn, e: &StoredEvent, outcome: Outcome) -> crate::Result<()> {
    match outcome {
        Outcome::Done(err) => messages::event_done(conn, e.id, err.as_deref()).await?,
        Outcome::Later(why) if e.attempts + 1 < STATUS_RETRIES => {
            let wait = 250 * (1i64 << e.attempts.min(10));
            messages::event_later(conn, e.id, now_ms() + wait, &why).await?
        }
        Outcome::Later(why) => messages::event_done(conn, e.id, Some(&why)).await?,
    }
    Ok(())
}

async fn handle(
    conn: &mut Conn,
    kind: ChannelKind,
    e: &StoredEvent,
    event: Event,
    published: &mut Vec<Realtime>,
) -> crate::Result<Outcome> {
    match event {
        // Messages are stored set-wise by `store_messages`.
        Event::Message(_) => Ok(Outcome::Done(Some("message outside a batch".into()))),
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

/// What a message needs from its sender's identity.
#[derive(Clone)]
struct Known {
    identity: IdentityId,
    contact: ContactId,
    display_name: Option<String>,
    member: Option<i64>,
    verified: bool,
}

/// Stores a batch's messages set-wise (see `process_batch`).
async fn store_messages(
    conn: &mut Conn,
    incoming: &[(&StoredEvent, ChannelKind, InboundMessage)],
    published: &mut Vec<Realtime>,
) -> crate::Result<()> {
    if incoming.is_empty() {
        return Ok(());
    }
    // 1. Identities: one lookup per (cooperative, kind); new ones resolved one by one.
    let mut known: HashMap<(CooperativeId, IdentityKind, String), Known> = HashMap::new();
    let mut wanted: HashMap<(CooperativeId, IdentityKind), Vec<&str>> = HashMap::new();
    for (e, kind, m) in incoming {
        wanted
            .entry((e.cooperative_id, identity_kind(*kind)))
            .or_default()
            .push(m.sender.external_id.as_str());
    }
    for ((coop, ik), exts) in &wanted {
        // Stored keys are normalised; look up by the normalised form.
        let keys: Vec<String> = exts
            .iter()
            .filter_map(|x| IdentityKey::parse(*ik, x).ok().map(|k| k.external_id))
            .collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        for (ext, (identity, member)) in
            contacts::find_identities(conn, *coop, ik.as_str(), &refs).await?
        {
            known.insert(
                (*coop, *ik, ext),
                Known {
                    identity: identity.id,
                    contact: identity.contact_id,
                    display_name: identity.display_name,
                    member: member.map(|m| m.0),
                    verified: identity.verified,
                },
            );
        }
    }
    let mut ready: Vec<(&StoredEvent, &InboundMessage, Known)> = Vec::with_capacity(incoming.len());
    for (e, kind, m) in incoming {
        let ik = identity_kind(*kind);
        let key = match IdentityKey::parse(ik, &m.sender.external_id) {
            Ok(k) => k,
            Err(err) => {
                settle(conn, e, Outcome::Done(Some(format!("sender: {err}")))).await?;
                continue;
            }
        };
        let slot = (e.cooperative_id, ik, key.external_id.clone());
        let k = match known.get(&slot) {
            Some(k) => k.clone(),
            None => {
                let info = IdentityInfo {
                    channel_id: Some(e.channel_id.0),
                    display_name: m.sender.display_name.as_deref(),
                    handle: m.sender.handle.as_deref(),
                    verified: *kind == ChannelKind::Whatsapp,
                };
                let r = resolve(conn, e.cooperative_id, &key, &info).await?;
                let k = Known {
                    identity: r.identity.id,
                    contact: r.contact_id,
                    display_name: r.identity.display_name.clone(),
                    member: r.member_id.map(|m| m.0),
                    verified: r.identity.verified,
                };
                known.insert(slot.clone(), k.clone());
                k
            }
        };
        // A person renamed themselves on the channel: keep the name current.
        if let Some(n) = m.sender.display_name.as_deref()
            && k.display_name.as_deref() != Some(n)
        {
            contacts::touch_identity(conn, e.cooperative_id, k.identity, Some(n)).await?;
            if let Some(entry) = known.get_mut(&slot) {
                entry.display_name = Some(n.to_string());
            }
        }
        ready.push((e, m, k));
    }
    // 2. Conversations: the open ones of these contacts and of their members, one
    //    lookup per cooperative; each message joins one (`join`) or opens one.
    let now = now_ms();
    let mut by_coop: HashMap<CooperativeId, (Vec<ContactId>, Vec<i64>)> = HashMap::new();
    for (e, _, k) in &ready {
        let entry = by_coop.entry(e.cooperative_id).or_default();
        entry.0.push(k.contact);
        entry.1.extend(k.member);
    }
    let mut open: HashMap<CooperativeId, (Vec<Conversation>, i64)> = HashMap::new();
    for (coop, (contacts, members)) in &mut by_coop {
        contacts.sort();
        contacts.dedup();
        members.sort();
        members.dedup();
        let list = inbox::open_for(conn, *coop, contacts, members).await?;
        let window = inbox::settings(conn, *coop).await?.group_window_minutes * 60_000;
        open.insert(*coop, (list, window));
    }
    // Answers to a satisfaction survey stay in the surveyed conversation.
    let texts: Vec<(CooperativeId, IdentityId, String)> = ready
        .iter()
        .map(|(e, m, k)| (e.cooperative_id, k.identity, m.content.text()))
        .collect();
    let answers: HashMap<usize, ConversationId> = crate::inbox::csat::take_answers(conn, &texts)
        .await?
        .into_iter()
        .collect();
    let mut chosen: Vec<ConversationId> = Vec::with_capacity(ready.len());
    let mut created: Vec<(CooperativeId, ConversationId, usize)> = Vec::new();
    for (i, (e, m, k)) in ready.iter().enumerate() {
        let (list, window) = open.entry(e.cooperative_id).or_default();
        let joined = answers
            .get(&i)
            .copied()
            .or_else(|| join(list, k, e.channel_id, *window, now));
        let id = match joined {
            Some(id) => id,
            None => {
                let at = if m.at_ms > 0 { m.at_ms } else { now };
                let mut c = messages::create_conversation(
                    conn,
                    e.cooperative_id,
                    k.contact,
                    e.channel_id,
                    at,
                )
                .await?;
                c.member_id = k.member;
                c.last_message_at = now;
                created.push((e.cooperative_id, c.id, i));
                let id = c.id;
                list.push(c);
                id
            }
        };
        chosen.push(id);
    }
    // 3. Messages, multi-row; a provider id already stored is skipped.
    let now = now_ms();
    let bodies: Vec<(String, String)> = ready
        .iter()
        .map(|(_, m, _)| {
            (
                m.content.text(),
                serde_json::to_string(&m.content).unwrap_or_else(|_| "{}".into()),
            )
        })
        .collect();
    let rows: Vec<NewMessage<'_>> = ready
        .iter()
        .zip(&bodies)
        .zip(&chosen)
        .map(|(((e, m, k), (body, content)), conversation)| NewMessage {
            cooperative_id: e.cooperative_id,
            conversation_id: *conversation,
            contact_id: k.contact,
            channel_id: e.channel_id,
            identity_id: k.identity,
            direction: "in",
            provider_id: Some(m.provider_id.as_str()),
            kind: m.content.kind(),
            body,
            content,
            status: "received",
            status_rank: 0,
            author: None,
            reply_token: m.reply_token.as_deref(),
            at: now,
        })
        .collect();
    let inserted = messages::insert_messages(conn, &rows).await?;
    // 4. Conversations touched, one row each; events done in one statement.
    let mut touches: HashMap<ConversationId, InboundTouch> = HashMap::new();
    for (((e, m, k), conversation), (body, _)) in ready.iter().zip(&chosen).zip(&bodies) {
        if let Some(id) = inserted.get(&(e.channel_id, m.provider_id.clone())) {
            let t = touches
                .entry(*conversation)
                .or_insert_with(|| InboundTouch {
                    conversation: *conversation,
                    channel: e.channel_id,
                    at: now,
                    count: 0,
                    preview: String::new(),
                    member_id: None,
                    verified: false,
                });
            t.channel = e.channel_id;
            t.count += 1;
            t.preview = preview(body);
            t.member_id = k.member.or(t.member_id);
            t.verified |= k.verified && k.member.is_some();
            published.push(Realtime::message(
                e.cooperative_id,
                *conversation,
                *id,
                "message.created",
            ));
        }
    }
    let mut touches: Vec<InboundTouch> = touches.into_values().collect();
    touches.sort_by_key(|t| t.conversation);
    inbox::touch_inbound(conn, &touches).await?;
    // New conversations: the skill they need, their SLA targets, an agent.
    let mut fresh: HashMap<CooperativeId, Vec<(ConversationId, String, ChannelKind)>> =
        HashMap::new();
    let kind_of: HashMap<i64, ChannelKind> = incoming.iter().map(|(e, k, _)| (e.id, *k)).collect();
    for (coop, id, i) in &created {
        let kind = kind_of
            .get(&ready[*i].0.id)
            .copied()
            .unwrap_or(ChannelKind::Webchat);
        fresh
            .entry(*coop)
            .or_default()
            .push((*id, bodies[*i].0.clone(), kind));
    }
    for (coop, list) in fresh {
        for id in crate::inbox::routing::opened(conn, coop, &list).await? {
            published.push(Realtime::conversation(coop, id, "conversation.updated"));
        }
    }
    // Media messages wait for their file to be fetched into object storage.
    let media: Vec<MessageId> = ready
        .iter()
        .filter(|(_, m, _)| matches!(m.content, guyub_connectors::Content::Media { .. }))
        .filter_map(|(e, m, _)| {
            inserted
                .get(&(e.channel_id, m.provider_id.clone()))
                .copied()
        })
        .collect();
    messages::mark_media_pending(conn, &media).await?;
    let done: Vec<i64> = ready.iter().map(|(e, _, _)| e.id).collect();
    messages::events_done(conn, &done).await?;
    Ok(())
}

/// The open conversation a member's message joins: their contact's on the same
/// channel, else the newest of their contact's or member's open conversations that was
/// active within the grouping window (0: never across channels).
fn join(
    open: &[Conversation],
    k: &Known,
    channel: ChannelId,
    window_ms: i64,
    now: i64,
) -> Option<ConversationId> {
    let mine = |c: &&Conversation| {
        c.contact_id == k.contact || (k.member.is_some() && c.member_id == k.member)
    };
    open.iter()
        .rev()
        .find(|c| c.contact_id == k.contact && c.channel_id == channel)
        .or_else(|| {
            open.iter()
                .rev()
                .filter(mine)
                .find(|c| window_ms > 0 && now - c.last_message_at <= window_ms)
        })
        .map(|c| c.id)
}

/// The list's one-line preview of a message.
pub(crate) fn preview(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 140 {
        let cut: String = line.chars().take(139).collect();
        format!("{cut}…")
    } else {
        line
    }
}

async fn status(
    conn: &mut Conn,
    e: &StoredEvent,
    s: &StatusUpdate,
    published: &mut Vec<Realtime>,
) -> crate::Result<Outcome> {
    let at = if s.at_ms > 0 { s.at_ms } else { now_ms() };
    let applied = messages::apply_status(
        conn,
        e.channel_id,
        &s.provider_id,
        s.status.as_str(),
        s.status.rank(),
        at,
        s.error.as_deref(),
    )
    .await?;
    match applied {
        Applied::Unknown => Ok(Outcome::Later(format!("no message {} yet", s.provider_id))),
        Applied::NotNewer => Ok(Outcome::Done(Some("status not newer".into()))),
        Applied::Moved {
            conversation,
            message,
        } => {
            if s.status == DeliveryStatus::Failed {
                metrics::counter!("guyub_messages_failed_total").increment(1);
            }
            published.push(Realtime::message(
                e.cooperative_id,
                conversation,
                message,
                "message.status",
            ));
            Ok(Outcome::Done(None))
        }
    }
}
