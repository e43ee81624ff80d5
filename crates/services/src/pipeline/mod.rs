//! The message pipeline (see "The path of a message" in docs/ARCHITECTURE.md):
//!
//! 1. `ingest`: a verified webhook's events are stored, many requests sharing one
//!    commit, and each request is answered after its commit;
//! 2. `process`: stored events become contacts, conversations and messages, in one
//!    transaction per batch, and are published after the commit;
//! 3. `send`: queued replies go out through the connectors with retries, backoff and
//!    pacing; status callbacks move a message forward only.

pub mod ingest;
pub mod mail;
pub mod process;
pub mod relay;
pub mod send;

use crate::secretbox::SecretBox;
use guyub_domain::{ConversationId, CooperativeId, MessageId};
use guyub_store::Db;
use std::sync::{Arc, OnceLock};
use tokio::sync::{Notify, broadcast};

/// The kind of `Realtime::resync`.
pub const RESYNC: &str = "resync";

/// Something that happened, for live screens (published after commit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Realtime {
    pub cooperative_id: CooperativeId,
    pub conversation_id: ConversationId,
    pub message_id: Option<MessageId>,
    /// `message.created`, `message.status`, `conversation.updated` (assignment,
    /// status, labels, notes, priority), `sla.breach`; or `resync` (for every
    /// cooperative, `cooperative_id` 0): events may have been missed, screens refetch.
    pub kind: &'static str,
    /// When it was published (after the commit), microseconds since the epoch: live
    /// clients measure their delay from it.
    pub at_us: i64,
}

impl Realtime {
    pub fn message(
        cooperative_id: CooperativeId,
        conversation_id: ConversationId,
        message_id: MessageId,
        kind: &'static str,
    ) -> Realtime {
        Realtime {
            cooperative_id,
            conversation_id,
            message_id: Some(message_id),
            kind,
            at_us: 0,
        }
    }

    /// Tells every screen of every cooperative to refetch (events may have been missed,
    /// e.g. while the relay's connection was down).
    pub fn resync() -> Realtime {
        Realtime {
            cooperative_id: CooperativeId(0),
            conversation_id: ConversationId(0),
            message_id: None,
            kind: RESYNC,
            at_us: now_us(),
        }
    }

    pub fn conversation(
        cooperative_id: CooperativeId,
        conversation_id: ConversationId,
        kind: &'static str,
    ) -> Realtime {
        Realtime {
            cooperative_id,
            conversation_id,
            message_id: None,
            kind,
            at_us: 0,
        }
    }
}

/// Microseconds since the epoch.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// What the pipeline's parts share. Cheap to clone.
#[derive(Clone)]
pub struct Pipeline {
    pub db: Db,
    pub secrets: SecretBox,
    pub http: reqwest::Client,
    pub hub: broadcast::Sender<Realtime>,
    /// Rung when events were stored.
    pub events_ready: Arc<Notify>,
    /// Rung when replies were queued.
    pub outbox_ready: Arc<Notify>,
    pub settings: Settings,
    /// Where attachments are kept; `None`: media files are not fetched.
    pub media: Option<crate::media::ObjectStore>,
    /// Other processes on the same PostgreSQL hear this one's events (`relay`); set
    /// once by `start_relay`, shared by every clone.
    relay: Arc<OnceLock<relay::Outbound>>,
}

/// Tunables, with defaults that suit one small server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Events per processing transaction.
    pub process_batch: i64,
    /// Give up on a message after this many failed tries.
    pub max_attempts: i64,
    /// First retry delay; doubles each try, with jitter, up to `max_backoff_ms`.
    pub base_backoff_ms: i64,
    pub max_backoff_ms: i64,
    /// Largest attachment kept.
    pub max_attachment_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            process_batch: 1000,
            max_attempts: 10,
            base_backoff_ms: 2_000,
            max_backoff_ms: 3_600_000,
            max_attachment_bytes: 16 * 1024 * 1024,
        }
    }
}

impl Pipeline {
    pub fn new(db: Db, secrets: SecretBox) -> Pipeline {
        crate::install_tls();
        let (hub, _) = broadcast::channel(4096);
        Pipeline {
            db,
            secrets,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            hub,
            events_ready: Arc::new(Notify::new()),
            outbox_ready: Arc::new(Notify::new()),
            settings: Settings::default(),
            media: None,
            relay: Arc::new(OnceLock::new()),
        }
    }

    /// On PostgreSQL, joins this process's live events with those of other processes on
    /// the same database (see `relay`). Returns whether it started (not on SQLite, not
    /// twice).
    pub async fn start_relay(&self) -> Result<bool, guyub_store::StoreError> {
        if self.relay.get().is_some() {
            return Ok(false);
        }
        match relay::start(&self.db, self.hub.clone()).await? {
            Some(out) => Ok(self.relay.set(out).is_ok()),
            None => Ok(false),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Realtime> {
        self.hub.subscribe()
    }

    /// Tells live screens what changed; call after the commit.
    pub fn publish(&self, events: Vec<Realtime>) {
        let at = now_us();
        for mut e in events {
            e.at_us = at;
            if let Some(r) = self.relay.get() {
                r.send(&e);
            }
            // Nobody listening is fine.
            let _ = self.hub.send(e);
        }
    }

    /// Runs the processor and the sender until `stop` resolves.
    pub async fn run_workers(self, stop: impl std::future::Future<Output = ()> + Send) {
        // PostgreSQL claims with SKIP LOCKED, so processors can share the work; SQLite
        // has one writer, so one processor.
        let processors = if self.db.engine() == guyub_store::Engine::Postgres {
            3
        } else {
            1
        };
        let mut tasks = Vec::new();
        for _ in 0..processors {
            let p = self.clone();
            tasks.push(tokio::spawn(async move { p.run_processor().await }));
        }
        let s = self.clone();
        let sender = tokio::spawn(async move { s.run_sender().await });
        let m = self.clone();
        tasks.push(tokio::spawn(async move { m.run_mail_poller().await }));
        let f = self.clone();
        tasks.push(tokio::spawn(async move { f.run_media_fetcher().await }));
        let i = self.clone();
        tasks.push(tokio::spawn(async move { i.run_inbox_timers().await }));
        let hub = self.clone();
        let db = self.db.clone();
        tasks.push(tokio::spawn(async move {
            crate::sla::run_sweeper(db, crate::sla::SWEEP_EVERY, move |breaches| {
                hub.publish(
                    breaches
                        .iter()
                        .map(|b| {
                            Realtime::conversation(
                                b.cooperative_id,
                                b.conversation_id,
                                "sla.breach",
                            )
                        })
                        .collect(),
                )
            })
            .await
        }));
        stop.await;
        for t in tasks {
            t.abort();
        }
        sender.abort();
    }
}
