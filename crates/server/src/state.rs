//! The state every handler shares: the database, the configuration, metrics.

use crate::config::Config;
use guyub_store::Db;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub config: Config,
    pub metrics: PrometheusHandle,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState(Arc::new(Inner {
            db,
            config,
            metrics: crate::metrics::handle(),
        }))
    }
}
