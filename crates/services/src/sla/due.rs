//! Dues on conversations and the sweep that flags the missed ones.
//!
//! The inbox calls `stamp` when a conversation opens or its priority changes,
//! `first_response` when an agent's first reply is queued and `resolved` when it is
//! resolved, each inside its own transaction. `sweep` (every `SWEEP_EVERY`, from
//! `run_sweeper`) flags open conversations whose due passed: it sets the breach bit,
//! writes an `sla_breach` event and returns the breaches so they can be published as
//! alerts after the commit.
//!
//! Only `open` conversations are swept: a snoozed conversation is not flagged while it
//! sleeps, but its dues do not move, so it is flagged (once) when it wakes if they
//! passed meanwhile. A late first answer or resolution found by `first_response` or
//! `resolved` before the sweep saw it is flagged there (with its event), so reports
//! count it, without an alert: it is already handled.

use super::policy;
use crate::Result;
use guyub_domain::sla::{Policy, Priority};
use guyub_domain::{ConversationId, CooperativeId};
use guyub_store::sla::{self as store, BreachEvent, FIRST_RESPONSE_BIT, RESOLUTION_BIT};
use guyub_store::{Conn, Db};
use std::time::Duration;

/// How often the sweeper looks.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// Conversations flagged per transaction and kind of due.
pub const SWEEP_BATCH: i64 = 500;

/// Which target was missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BreachKind {
    FirstResponse,
    Resolution,
}

impl BreachKind {
    /// As written in `conversation_events.detail` and the metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            BreachKind::FirstResponse => "first_response",
            BreachKind::Resolution => "resolution",
        }
    }

    fn bit(self) -> i64 {
        match self {
            BreachKind::FirstResponse => FIRST_RESPONSE_BIT,
            BreachKind::Resolution => RESOLUTION_BIT,
        }
    }
}

/// A missed due, flagged once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breach {
    pub cooperative_id: CooperativeId,
    pub conversation_id: ConversationId,
    pub kind: BreachKind,
    /// The due instant that passed (also the event's time).
    pub due: i64,
}

fn count(kind: BreachKind, n: usize) {
    if n > 0 {
        metrics::counter!("guyub_sla_breaches_total", "which" => kind.as_str()).increment(n as u64);
    }
}

/// Computes and stores a conversation's dues from its opening instant and priority,
/// with the cooperative's settings and holidays. Stamping again (a new priority, a
/// reopening) replaces the dues; the answer and the breach flags are kept.
pub async fn stamp(
    conn: &mut Conn,
    coop: CooperativeId,
    conversation: ConversationId,
    opened_at_ms: i64,
    priority: Priority,
) -> Result<()> {
    let p = policy(conn, coop, opened_at_ms).await?;
    stamp_with(conn, coop, conversation, opened_at_ms, priority, &p).await
}

/// `stamp` with a policy already loaded (`sla::policy`), for a batch of conversations
/// of one cooperative.
pub async fn stamp_with(
    conn: &mut Conn,
    coop: CooperativeId,
    conversation: ConversationId,
    opened_at_ms: i64,
    priority: Priority,
    policy: &Policy,
) -> Result<()> {
    let dues = policy.dues(opened_at_ms, priority);
    store::set_dues(
        conn,
        coop,
        conversation,
        dues.first_response,
        dues.resolution,
    )
    .await?;
    Ok(())
}

/// Records the first answer at `at` unless one is recorded. Flags a first-response
/// breach (with its event) when the answer came after the due and no sweep flagged it.
pub async fn first_response(
    conn: &mut Conn,
    coop: CooperativeId,
    conversation: ConversationId,
    at: i64,
) -> Result<()> {
    if !store::set_first_response(conn, coop, conversation, at).await? {
        return Ok(());
    }
    let c = store::conversation(conn, coop, conversation).await?;
    if let Some(due) = c.first_response_due.filter(|due| at > *due) {
        flag_late(conn, coop, conversation, BreachKind::FirstResponse, due).await?;
    }
    Ok(())
}

/// Notes a resolution at `at`: flags a resolution breach (with its event) when it came
/// after the due and no sweep flagged it.
pub async fn resolved(
    conn: &mut Conn,
    coop: CooperativeId,
    conversation: ConversationId,
    at: i64,
) -> Result<()> {
    let c = store::conversation(conn, coop, conversation).await?;
    if let Some(due) = c.resolution_due.filter(|due| at > *due) {
        flag_late(conn, coop, conversation, BreachKind::Resolution, due).await?;
    }
    Ok(())
}

async fn flag_late(
    conn: &mut Conn,
    coop: CooperativeId,
    conversation: ConversationId,
    kind: BreachKind,
    due: i64,
) -> Result<()> {
    if store::flag(conn, coop, conversation, kind.bit()).await? {
        store::add_breach_events(
            conn,
            &[BreachEvent {
                cooperative_id: coop,
                conversation_id: conversation,
                detail: kind.as_str(),
                at: due,
            }],
        )
        .await?;
        count(kind, 1);
    }
    Ok(())
}

/// Flags every open conversation (of every cooperative) whose first-response or
/// resolution due is before `now` and not met, in transactions of up to `SWEEP_BATCH`
/// of each kind, and returns what it flagged. Each conversation and kind is flagged
/// once, also with several sweepers running.
pub async fn sweep(db: &Db, now: i64) -> Result<Vec<Breach>> {
    let mut all = Vec::new();
    loop {
        let mut tx = db.begin_write().await?;
        let first = store::flag_first_response_breaches(&mut tx, now, SWEEP_BATCH).await?;
        let resolution = store::flag_resolution_breaches(&mut tx, now, SWEEP_BATCH).await?;
        let more = first.len() as i64 >= SWEEP_BATCH || resolution.len() as i64 >= SWEEP_BATCH;
        let batch: Vec<Breach> = first
            .iter()
            .map(|f| (f, BreachKind::FirstResponse))
            .chain(resolution.iter().map(|f| (f, BreachKind::Resolution)))
            .map(|(f, kind)| Breach {
                cooperative_id: f.cooperative_id,
                conversation_id: f.conversation_id,
                kind,
                due: f.due,
            })
            .collect();
        let events: Vec<BreachEvent<'_>> = batch
            .iter()
            .map(|b| BreachEvent {
                cooperative_id: b.cooperative_id,
                conversation_id: b.conversation_id,
                detail: b.kind.as_str(),
                at: b.due,
            })
            .collect();
        store::add_breach_events(&mut tx, &events).await?;
        tx.commit().await?;
        count(BreachKind::FirstResponse, first.len());
        count(BreachKind::Resolution, resolution.len());
        if !batch.is_empty() {
            tracing::info!(
                sla.first_response = first.len(),
                sla.resolution = resolution.len(),
                "SLA breaches flagged"
            );
        }
        for b in &batch {
            tracing::debug!(
                cooperative.id = %b.cooperative_id,
                conversation.id = %b.conversation_id,
                sla.which = b.kind.as_str(),
                "SLA breached"
            );
        }
        all.extend(batch);
        if !more {
            return Ok(all);
        }
    }
}

/// Sweeps every `every` until the task is dropped, handing each sweep's breaches
/// (after their commit) to `publish`. Errors are logged and the next sweep tries again.
///
/// The pipeline starts it with its other workers and publishes each breach on the
/// realtime hub (docs/INBOX.md, "SLA", what the inbox wires).
pub async fn run_sweeper<F>(db: Db, every: Duration, mut publish: F)
where
    F: FnMut(Vec<Breach>) + Send,
{
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match sweep(&db, guyub_store::now_ms()).await {
            Ok(b) if !b.is_empty() => publish(b),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the SLA sweep failed"),
        }
    }
}
