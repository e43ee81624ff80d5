//! Delivering queued messages: claim due outbox rows, call the provider, record the
//! provider's message id or the failure. Transient failures back off exponentially
//! with jitter (and honour `Retry-After`); permanent ones fail the message with the
//! provider's reason, to be resent by hand. Sends to one recipient are paced where the
//! provider limits them.

use super::{Pipeline, Realtime};
use crate::channels::credentials;
use guyub_connectors::{Attachment, ChannelKind, OutContent, Outgoing, SendError};
use guyub_store::messages::{self, OutboxItem};
use guyub_store::{channels, contacts, now_ms};
use rand::Rng;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How long a claimed row is kept from other senders while it is being sent.
const LEASE_MS: i64 = 60_000;

/// The least time between two messages to the same person, per provider: Telegram
/// allows about one a second per chat; WhatsApp limits bursts to one user (the "pair
/// rate").
pub fn min_interval(kind: ChannelKind) -> Duration {
    match kind {
        ChannelKind::Telegram => Duration::from_millis(1000),
        ChannelKind::Whatsapp => Duration::from_millis(1000),
        _ => Duration::ZERO,
    }
}

/// When each (channel, recipient) may get its next message.
#[derive(Default)]
pub struct Pacer {
    next: Mutex<HashMap<(i64, String), tokio::time::Instant>>,
}

impl Pacer {
    /// Reserves the next slot for the recipient and returns how long to wait for it.
    pub fn reserve(&self, channel: i64, to: &str, gap: Duration) -> Duration {
        if gap.is_zero() {
            return Duration::ZERO;
        }
        let now = tokio::time::Instant::now();
        let mut map = self.next.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, t| *t > now);
        }
        let slot = map.entry((channel, to.to_string())).or_insert(now);
        let at = (*slot).max(now);
        *slot = at + gap;
        at - now
    }
}

/// The delay before try number `attempt` (1-based): doubling from `base`, capped,
/// with ±50 % jitter, and never shorter than the provider asked.
pub fn backoff(attempt: i64, base_ms: i64, max_ms: i64, retry_after: Option<Duration>) -> i64 {
    let exp = base_ms
        .saturating_mul(1i64 << (attempt - 1).clamp(0, 30))
        .min(max_ms);
    let jittered = (exp as f64 * rand::rng().random_range(0.5..1.5)) as i64;
    let asked = retry_after.map(|d| d.as_millis() as i64).unwrap_or(0);
    jittered.max(asked).max(1)
}

impl Pipeline {
    /// Sends what is due; returns how many rows were taken.
    pub async fn send_due(&self, pacer: &Pacer) -> crate::Result<usize> {
        let mut tx = self.db.begin_write().await?;
        let items = messages::claim_outbox(&mut tx, self.db.engine(), 32).await?;
        for i in &items {
            messages::lease_outbox(&mut tx, i.id, now_ms() + LEASE_MS).await?;
        }
        tx.commit().await?;
        let n = items.len();
        let mut tasks = Vec::with_capacity(n);
        for item in items {
            // Each send may wait for its pacing slot; run them side by side.
            tasks.push(self.send_one(item, pacer));
        }
        for r in futures_util::future::join_all(tasks).await {
            if let Err(e) = r {
                tracing::error!(error = %e, "sending a message failed");
            }
        }
        Ok(n)
    }

    async fn send_one(&self, item: OutboxItem, pacer: &Pacer) -> crate::Result<()> {
        let coop = item.cooperative_id;
        let (message, channel, identity) = {
            let mut conn = self.db.conn().await?;
            let message = messages::get_message(&mut conn, coop, item.message_id).await?;
            let channel = channels::get(&mut conn, coop, item.channel_id).await?;
            let identity = contacts::get_identity(&mut conn, coop, message.identity_id).await?;
            (message, channel, identity)
        };
        let Some(kind) = ChannelKind::parse(&channel.kind) else {
            return self
                .finish(
                    &item,
                    Err(SendError::Permanent {
                        reason: "unknown channel kind".into(),
                    }),
                    None,
                )
                .await;
        };
        let content: OutContent = match serde_json::from_str(&message.content) {
            Ok(c) => c,
            Err(e) => {
                return self
                    .finish(
                        &item,
                        Err(SendError::Permanent {
                            reason: format!("unreadable content: {e}"),
                        }),
                        None,
                    )
                    .await;
            }
        };
        let creds = credentials(&self.secrets, &channel)?;
        let mut reply_token = None;
        let mut tag = None;
        let mut thread: Option<(String, String)> = None;
        {
            let mut conn = self.db.conn().await?;
            match kind {
                ChannelKind::Line => {
                    reply_token = messages::fresh_reply_token(
                        &mut conn,
                        identity.id,
                        now_ms() - guyub_connectors::line::REPLY_TOKEN_TTL_MS,
                    )
                    .await?;
                }
                ChannelKind::Email => {
                    // Reply in the member's thread: their last message and its subject.
                    thread = messages::last_inbound(&mut conn, identity.id, channel.id)
                        .await?
                        .map(|m| {
                            let subject = m.body.lines().next().unwrap_or("").to_string();
                            (m.provider_id.unwrap_or_default(), subject)
                        });
                }
                ChannelKind::Messenger | ChannelKind::Instagram => {
                    let last = messages::last_inbound_at(&mut conn, identity.id, channel.id)
                        .await?
                        .unwrap_or(0);
                    if now_ms() - last > 24 * 3_600_000 {
                        tag = Some("HUMAN_AGENT");
                    }
                }
                _ => {}
            }
        }
        let wait = pacer.reserve(channel.id.0, &identity.external_id, min_interval(kind));
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        // E-mail carries an uploaded file inside the message.
        let file = match (&content, kind, &self.media) {
            (
                OutContent::Media {
                    file: Some(key),
                    filename,
                    ..
                },
                ChannelKind::Email,
                Some(store),
            ) => match store.get(key).await {
                Ok(Some(bytes)) => Some((
                    bytes,
                    crate::media::type_of_key(key).unwrap_or("application/octet-stream"),
                    filename.clone().unwrap_or_else(|| "lampiran".into()),
                )),
                Ok(None) => {
                    return self
                        .finish(
                            &item,
                            Err(SendError::Permanent {
                                reason: "the file is no longer stored".into(),
                            }),
                            None,
                        )
                        .await;
                }
                Err(e) => {
                    return self
                        .finish(
                            &item,
                            Err(SendError::Transient {
                                reason: format!("object storage: {e}"),
                                retry_after: None,
                            }),
                            None,
                        )
                        .await;
                }
            },
            _ => None,
        };
        let key = format!("guyub-message-{}", message.id);
        let out = Outgoing {
            to: &identity.external_id,
            content: &content,
            reply_token: reply_token.as_ref().map(|(_, t)| t.as_str()),
            tag,
            idempotency_key: &key,
            in_reply_to: thread.as_ref().map(|t| t.0.as_str()),
            subject: thread.as_ref().map(|t| t.1.as_str()),
            attachment: file.as_ref().map(|(bytes, ty, name)| Attachment {
                bytes,
                content_type: ty,
                filename: name,
            }),
        };
        let result = guyub_connectors::send(kind, &self.http, &creds, &out).await;
        // A reply token is spent whatever the answer was.
        self.finish(&item, result, reply_token.map(|(id, _)| id))
            .await
    }

    async fn finish(
        &self,
        item: &OutboxItem,
        result: Result<guyub_connectors::Sent, SendError>,
        spent_token: Option<guyub_domain::MessageId>,
    ) -> crate::Result<()> {
        let mut tx = self.db.begin_write().await?;
        if let Some(t) = spent_token {
            messages::use_reply_token(&mut tx, t).await?;
        }
        let attempt = item.attempts + 1;
        match &result {
            Ok(sent) => {
                messages::message_sent(&mut tx, item.message_id, &sent.provider_id, now_ms())
                    .await?;
                messages::outbox_done(&mut tx, item.id).await?;
                metrics::counter!("guyub_messages_sent_total").increment(1);
            }
            Err(SendError::Transient {
                reason,
                retry_after,
            }) if attempt < self.settings.max_attempts => {
                let delay = backoff(
                    attempt,
                    self.settings.base_backoff_ms,
                    self.settings.max_backoff_ms,
                    *retry_after,
                );
                messages::outbox_retry(&mut tx, item.id, now_ms() + delay, reason).await?;
                metrics::counter!("guyub_send_retries_total").increment(1);
            }
            Err(e) => {
                let reason = match e {
                    SendError::Transient { reason, .. } => {
                        format!("gave up after {attempt} tries: {reason}")
                    }
                    SendError::Permanent { reason } => reason.clone(),
                };
                messages::message_failed(&mut tx, item.message_id, &reason).await?;
                messages::outbox_dead(&mut tx, item.id, &reason).await?;
                metrics::counter!("guyub_messages_failed_total").increment(1);
            }
        }
        let conversation = messages::get_message(&mut tx, item.cooperative_id, item.message_id)
            .await?
            .conversation_id;
        tx.commit().await?;
        self.publish(vec![Realtime::message(
            item.cooperative_id,
            conversation,
            item.message_id,
            "message.status",
        )]);
        Ok(())
    }

    /// Sends as replies are queued (and every half second, for retries).
    pub async fn run_sender(self) {
        let pacer = Pacer::default();
        loop {
            match self.send_due(&pacer).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "the sender failed"),
            }
            tokio::select! {
                _ = self.outbox_ready.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        for attempt in 1..=5 {
            let d = backoff(attempt, 1000, 60_000, None);
            let exp = 1000 * (1 << (attempt - 1));
            assert!(d >= exp / 2 && d <= exp * 3 / 2, "{attempt}: {d}");
        }
        assert!(backoff(30, 1000, 60_000, None) <= 90_000);
        assert!(backoff(1, 1000, 60_000, Some(Duration::from_secs(30))) >= 30_000);
    }

    #[tokio::test]
    async fn pacing_spaces_messages_to_one_recipient_only() {
        let p = Pacer::default();
        let gap = Duration::from_millis(1000);
        assert_eq!(p.reserve(1, "a", gap), Duration::ZERO);
        let second = p.reserve(1, "a", gap);
        assert!(second > Duration::from_millis(900), "{second:?}");
        assert_eq!(p.reserve(1, "b", gap), Duration::ZERO);
        assert_eq!(p.reserve(2, "a", gap), Duration::ZERO);
        assert_eq!(p.reserve(1, "a", Duration::ZERO), Duration::ZERO);
    }
}
