//! Live events across processes on PostgreSQL. Each process's hub only hears what that
//! process published; with several `guyub serve` processes on one database (behind a
//! load balancer, or a web process with `workers = false` beside a worker process), an
//! agent's screen must also hear what the others committed. So every published event
//! is also sent with `NOTIFY` on a channel named after the database schema, and every
//! process `LISTEN`s there and republishes to its own hub what other processes sent.
//!
//! - Ordering: one sender task per process sends its events in publish order; several
//!   events go in one notification (one line each, under PostgreSQL's 8,000-byte cap).
//! - Origin: each process tags its lines with a random number and skips its own, so a
//!   local screen hears an event once, straight from the hub.
//! - Loss: a notification sent while a listener was reconnecting is not heard by it
//!   (PostgreSQL does not queue for absent listeners). So when its connection is lost
//!   the relay listens again on a new one and then publishes `resync` to every screen
//!   of this process, which refetches: what was missed is read from the database.
//! - SQLite has one process by design; there the relay is not started.

use super::Realtime;
use guyub_domain::{ConversationId, CooperativeId, MessageId};
use guyub_store::live::Listener;
use guyub_store::{Db, Engine};
use tokio::sync::{broadcast, mpsc};

/// The kinds an event can have; a line naming another kind is dropped.
const KINDS: &[&str] = &[
    "message.created",
    "message.status",
    "conversation.updated",
    "sla.breach",
];

/// Lines per notification at most: a line is at most 119 bytes (five numbers and a
/// kind), so 60 stay under the 8,000-byte payload cap.
const LINES_PER_NOTIFY: usize = 60;

/// The sending half, held by the pipeline: `publish` hands events to it.
#[derive(Clone)]
pub struct Outbound {
    origin: u64,
    tx: mpsc::UnboundedSender<String>,
}

impl Outbound {
    pub(crate) fn send(&self, e: &Realtime) {
        // The sender task only stops with the runtime.
        let _ = self.tx.send(encode(self.origin, e));
    }
}

/// One event as one line: `origin cooperative conversation message|- kind at_us`.
pub(crate) fn encode(origin: u64, e: &Realtime) -> String {
    let message = e
        .message_id
        .map(|m| m.0.to_string())
        .unwrap_or_else(|| "-".into());
    format!(
        "{origin:x} {} {} {message} {} {}",
        e.cooperative_id.0, e.conversation_id.0, e.kind, e.at_us
    )
}

/// A line back into its origin and event; `None` for anything malformed.
pub(crate) fn decode(line: &str) -> Option<(u64, Realtime)> {
    let mut parts = line.split(' ');
    let origin = u64::from_str_radix(parts.next()?, 16).ok()?;
    let cooperative_id = CooperativeId(parts.next()?.parse().ok()?);
    let conversation_id = ConversationId(parts.next()?.parse().ok()?);
    let message_id = match parts.next()? {
        "-" => None,
        m => Some(MessageId(m.parse().ok()?)),
    };
    let kind = parts.next()?;
    let kind = *KINDS.iter().find(|k| **k == kind)?;
    let at_us = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some((
        origin,
        Realtime {
            cooperative_id,
            conversation_id,
            message_id,
            kind,
            at_us,
        },
    ))
}

/// The notification channel of this database schema (tests and tenants of one server
/// in other schemas do not hear each other).
async fn channel_name(db: &Db) -> Result<String, guyub_store::StoreError> {
    let mut conn = db.conn().await?;
    let schema = guyub_store::live::current_schema(&mut conn).await?;
    let clean: String = schema
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    Ok(format!("guyub_live_{}", clean.to_ascii_lowercase()))
}

/// Republishes to `hub` what other processes sent on `channel`. When the listening
/// connection is lost it listens again on a new one, then tells every screen to
/// refetch: what was sent in between is not heard.
async fn relay_in(
    db: Db,
    channel: String,
    origin: u64,
    hub: broadcast::Sender<Realtime>,
    mut listener: Listener,
) {
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => {
                for line in n.payload().lines() {
                    match decode(line) {
                        Some((from, e)) if from != origin => {
                            let _ = hub.send(e);
                        }
                        Some(_) => {}
                        None => tracing::warn!("live relay: a malformed line was dropped"),
                    }
                }
            }
            Ok(None) => {
                tracing::warn!("live relay: listening connection lost");
                listener = listen_again(&db, &channel).await;
                let _ = hub.send(Realtime::resync());
            }
            Err(e) => {
                tracing::warn!(error = %e, "live relay: listening connection failed");
                listener = listen_again(&db, &channel).await;
                let _ = hub.send(Realtime::resync());
            }
        }
    }
}

/// A new listening connection, retried every second until the database answers.
async fn listen_again(db: &Db, channel: &str) -> Listener {
    loop {
        match db.listen(channel).await {
            Ok(l) => {
                tracing::info!("live relay: listening again");
                return l;
            }
            Err(e) => {
                tracing::warn!(error = %e, "live relay: cannot listen; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

/// Starts the relay on PostgreSQL: a listener that republishes other processes' events
/// to `hub`, and a sender for this process's. `None` on SQLite.
pub async fn start(
    db: &Db,
    hub: broadcast::Sender<Realtime>,
) -> Result<Option<Outbound>, guyub_store::StoreError> {
    if db.engine() != Engine::Postgres {
        return Ok(None);
    }
    let channel = channel_name(db).await?;
    let origin: u64 = rand::random();
    // Listening before the first event goes out: this process hears everything sent
    // after `start` returns.
    let listener = db.listen(&channel).await?;
    tokio::spawn(relay_in(db.clone(), channel.clone(), origin, hub, listener));
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let db = db.clone();
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(LINES_PER_NOTIFY);
        while let Some(first) = rx.recv().await {
            batch.push(first);
            while batch.len() < LINES_PER_NOTIFY {
                match rx.try_recv() {
                    Ok(line) => batch.push(line),
                    Err(_) => break,
                }
            }
            let payload = batch.join("\n");
            batch.clear();
            let sent = async {
                let mut conn = db.conn().await?;
                guyub_store::live::notify(&mut conn, &channel, &payload).await
            };
            if let Err(e) = sent.await {
                tracing::warn!(error = %e, "live relay: events not sent to other processes");
            }
        }
    });
    Ok(Some(Outbound { origin, tx }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_round_trips_and_garbage_is_dropped() {
        let e = Realtime {
            cooperative_id: CooperativeId(3),
            conversation_id: ConversationId(41),
            message_id: Some(MessageId(977)),
            kind: "message.created",
            at_us: 1_764_000_000_123_456,
        };
        let line = encode(0xdead_beef, &e);
        assert!(line.len() < 8000 / LINES_PER_NOTIFY);
        assert_eq!(decode(&line), Some((0xdead_beef, e.clone())));
        let none = Realtime {
            message_id: None,
            kind: "sla.breach",
            ..e
        };
        assert_eq!(decode(&encode(1, &none)), Some((1, none)));
        for bad in [
            "",
            "zz 1 2 3 message.created 5",
            "1 1 2 3 message.deleted 5",
            "1 1 2 3 message.created",
            "1 1 2 3 message.created 5 extra",
            "1 x 2 - conversation.updated 5",
            "1 1 2 - conversation.updated 5\u{0}",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
