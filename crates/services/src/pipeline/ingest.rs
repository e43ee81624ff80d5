//! Storing verified webhook events with group commit: request handlers hand their
//! events to one writer task, which writes everything waiting in one transaction and
//! answers each request after that commit. One commit per request tops out at a few
//! thousand a second on SQLite; shared commits go far past that.

use guyub_connectors::RawEvent;
use guyub_domain::{ChannelId, CooperativeId};
use guyub_store::Db;
use guyub_store::messages::{self, NewEvent};
use std::sync::Arc;
use tokio::sync::{Notify, mpsc, oneshot};

struct Job {
    cooperative_id: CooperativeId,
    channel_id: ChannelId,
    events: Vec<RawEvent>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The handle request handlers use. Cheap to clone.
#[derive(Clone)]
pub struct Ingestor {
    jobs: mpsc::Sender<Job>,
}

/// Requests waiting for one commit, at most.
const MAX_BATCH: usize = 1024;

impl Ingestor {
    /// Starts the writer task. `stored` is rung after each commit.
    pub fn start(db: Db, stored: Arc<Notify>) -> Ingestor {
        let (jobs, rx) = mpsc::channel(8192);
        tokio::spawn(writer(db, rx, stored));
        Ingestor { jobs }
    }

    /// Stores the events durably (a duplicate is a no-op) and returns once they are
    /// committed. An error means nothing of this request was stored.
    pub async fn store(
        &self,
        cooperative_id: CooperativeId,
        channel_id: ChannelId,
        events: Vec<RawEvent>,
    ) -> Result<(), String> {
        if events.is_empty() {
            return Ok(());
        }
        let (done, wait) = oneshot::channel();
        self.jobs
            .send(Job {
                cooperative_id,
                channel_id,
                events,
                done,
            })
            .await
            .map_err(|_| "the event writer has stopped".to_string())?;
        wait.await
            .map_err(|_| "the event writer has stopped".to_string())?
    }
}

async fn writer(db: Db, mut rx: mpsc::Receiver<Job>, stored: Arc<Notify>) {
    let mut batch: Vec<Job> = Vec::with_capacity(64);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let result = write(&db, &batch).await;
        match &result {
            Ok(()) => stored.notify_one(),
            Err(e) => {
                tracing::error!(error = %e, requests = batch.len(), "storing webhook events failed")
            }
        }
        for job in batch.drain(..) {
            let _ = job.done.send(result.clone());
        }
    }
}

async fn write(db: &Db, batch: &[Job]) -> Result<(), String> {
    let bodies: Vec<Vec<String>> = batch
        .iter()
        .map(|j| {
            j.events
                .iter()
                .map(|e| String::from_utf8_lossy(&e.body).into_owned())
                .collect()
        })
        .collect();
    let mut rows = Vec::new();
    for (job, bodies) in batch.iter().zip(&bodies) {
        for (e, body) in job.events.iter().zip(bodies) {
            rows.push(NewEvent {
                cooperative_id: job.cooperative_id,
                channel_id: job.channel_id,
                key: &e.key,
                body,
            });
        }
    }
    let mut tx = db.begin_write().await.map_err(|e| e.to_string())?;
    messages::insert_events(&mut tx, &rows)
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    metrics::counter!("guyub_inbound_events_stored_total").increment(rows.len() as u64);
    metrics::histogram!("guyub_ingest_batch_requests").record(batch.len() as f64);
    Ok(())
}
