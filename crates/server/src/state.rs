//! The state every handler shares: the database, the configuration, metrics.

use crate::config::Config;
use guyub_services::pipeline::Pipeline;
use guyub_services::pipeline::ingest::Ingestor;
use guyub_store::Db;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub config: Config,
    pub metrics: PrometheusHandle,
    /// The message pipeline's shared parts (secrets, HTTP client, realtime hub).
    pub pipeline: Pipeline,
    /// Stores webhook events with group commit.
    pub ingestor: Ingestor,
    /// What the provider simulator has received (when `config.simulator`).
    pub simulator: crate::simulator::Recorder,
    /// Channels as the webhook path needs them, briefly cached.
    pub hook_channels: crate::hooks::ChannelCache,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Needs a tokio runtime (it starts the event writer). Fails only when the secret
    /// key cannot be read or made.
    pub fn new(db: Db, config: Config) -> std::io::Result<AppState> {
        let mut pipeline = Pipeline::new(db.clone(), config.secret_box()?);
        pipeline.media = Some(config.object_store().map_err(std::io::Error::other)?);
        pipeline.settings.max_attachment_bytes = config.max_attachment_bytes;
        let ingestor = Ingestor::start(db.clone(), pipeline.events_ready.clone());
        Ok(AppState(Arc::new(Inner {
            db,
            config,
            metrics: crate::metrics::handle(),
            pipeline,
            ingestor,
            simulator: Default::default(),
            hook_channels: Default::default(),
        })))
    }
}
