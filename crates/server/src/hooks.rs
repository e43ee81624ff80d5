//! `/hooks/{kind}/{channel_id}`: where providers deliver. The request path does only
//! what must happen before answering: find the channel, verify the delivery on its raw
//! bytes, split it into events keyed by the provider's ids, store them durably (shared
//! commits), and answer. Everything else happens in the pipeline's workers.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use guyub_connectors::{ChannelKind, Credentials, SignedRequest, VerifyError};
use guyub_domain::{ChannelId, CooperativeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn router() -> Router<AppState> {
    Router::new().route("/hooks/{kind}/{channel_id}", get(handshake).post(receive))
}

/// A channel as the webhook path needs it, kept for a few seconds so that a burst of
/// deliveries does not read and open it each time.
pub struct HookChannel {
    pub id: ChannelId,
    pub cooperative_id: CooperativeId,
    pub kind: ChannelKind,
    pub credentials: Credentials,
}

#[derive(Default)]
pub struct ChannelCache {
    map: Mutex<HashMap<i64, (Instant, Arc<HookChannel>)>>,
}

const CACHE_TTL: Duration = Duration::from_secs(5);

impl ChannelCache {
    /// Drops a changed channel, so a switched-off channel refuses deliveries at once.
    pub fn forget(&self, id: i64) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }

    pub async fn get(&self, st: &AppState, id: i64) -> Result<Arc<HookChannel>, ApiError> {
        if let Some((at, c)) = self.map.lock().unwrap_or_else(|e| e.into_inner()).get(&id)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(c.clone());
        }
        let c = guyub_services::channels::for_webhook(&st.db, ChannelId(id))
            .await?
            .ok_or_else(not_found)?;
        let kind = ChannelKind::parse(&c.kind).ok_or_else(not_found)?;
        let credentials = guyub_services::channels::credentials(&st.pipeline.secrets, &c)?;
        let hc = Arc::new(HookChannel {
            id: c.id,
            cooperative_id: c.cooperative_id,
            kind,
            credentials,
        });
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(id, (Instant::now(), hc.clone()));
        Ok(hc)
    }
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, Some("no such channel".to_string()))
}

fn rejected(kind: &str, e: VerifyError) -> ApiError {
    let (status, reason) = match e {
        VerifyError::MissingSignature => (StatusCode::UNAUTHORIZED, "missing_signature"),
        VerifyError::BadSignature => (StatusCode::FORBIDDEN, "bad_signature"),
        VerifyError::BadVerifyToken => (StatusCode::FORBIDDEN, "bad_verify_token"),
        VerifyError::BadHandshake => (StatusCode::BAD_REQUEST, "bad_handshake"),
        VerifyError::NoHandshake => (StatusCode::METHOD_NOT_ALLOWED, "no_handshake"),
        VerifyError::NotConfigured(_) => (StatusCode::SERVICE_UNAVAILABLE, "not_configured"),
    };
    metrics::counter!("guyub_webhook_rejected_total", "kind" => kind.to_string(), "reason" => reason).increment(1);
    tracing::warn!(webhook.kind = kind, reason, "webhook refused");
    let mut err = ApiError::new(status, Some(e.to_string()));
    if status == StatusCode::UNAUTHORIZED {
        // Not a bearer-token endpoint.
        err.1.kind = "https://guyub.id/problems/unsigned-webhook".into();
    }
    err
}

/// Parses the path; a channel of another kind is as unknown as no channel.
async fn channel_for(st: &AppState, kind: &str, id: &str) -> Result<Arc<HookChannel>, ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let c = st.hook_channels.get(st, id).await?;
    if c.kind.as_str() != kind {
        return Err(not_found());
    }
    Ok(c)
}

async fn handshake(
    State(st): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let c = channel_for(&st, &kind, &id).await?;
    let pairs: Vec<(String, String)> = url_pairs(query.as_deref().unwrap_or(""));
    let answer = guyub_connectors::handshake(c.kind, &c.credentials, &pairs)
        .map_err(|e| rejected(&kind, e))?;
    Ok(([(header::CONTENT_TYPE, answer.content_type)], answer.body).into_response())
}

fn url_pairs(q: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default()
}

async fn receive(
    State(st): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let c = channel_for(&st, &kind, &id).await?;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    guyub_connectors::verify(
        c.kind,
        &c.credentials,
        &SignedRequest {
            header: &header,
            body: &body,
        },
    )
    .map_err(|e| rejected(&kind, e))?;
    let events = guyub_connectors::split(c.kind, &body).map_err(|e| {
        metrics::counter!("guyub_webhook_rejected_total", "kind" => kind.clone(), "reason" => "malformed").increment(1);
        ApiError::new(StatusCode::BAD_REQUEST, Some(e.to_string()))
    })?;
    let n = events.len();
    st.ingestor
        .store(c.cooperative_id, c.id, events)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "webhook events not stored");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Some("not stored; deliver again".to_string()),
            )
        })?;
    metrics::counter!("guyub_webhook_events_total", "kind" => kind).increment(n as u64);
    Ok((StatusCode::OK, "EVENT_RECEIVED").into_response())
}
