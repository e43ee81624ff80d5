//! Guyub's HTTP server: the JSON API (`/api/v1`), the web UI, health, readiness and
//! metrics, in one axum router.

mod api;
mod auth;
pub mod config;
mod error;
mod hooks;
pub mod i18n;
mod metrics;
mod pages;
pub mod simulator;
mod state;
mod upload;
mod webchat;

pub use state::AppState;

use crate::auth::visitor_lang;
use crate::error::{ApiError, render_page};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rust_embed::RustEmbed;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

#[derive(RustEmbed)]
#[folder = "assets/"]
pub(crate) struct Assets;

/// The whole application as a router.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router();
    let openapi = Arc::new(openapi);
    let max_body = state.config.max_body_bytes;
    // File uploads stream past `max_body` (their routes lift the extractor limit and
    // count the file against `max_attachment_bytes` as it arrives).
    let outer_limit = max_body.max(upload_body_limit(&state.config));
    Router::new()
        .merge(api)
        .merge(pages::router(state.clone()))
        .merge(hooks::router())
        .merge(webchat::router())
        .merge(simulator::router(state.config.simulator))
        .route("/api/openapi.json", get(move || { let doc = openapi.clone(); async move { Json(doc.as_ref().clone()) } }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .route("/assets/{*path}", get(asset))
        .route("/files/{*key}", get(upload::public_file))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestBodyLimitLayer::new(outer_limit))
        .layer(axum::middleware::from_fn(problem_or_page))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

/// The largest body an upload form may have: the file and room for the other fields.
pub(crate) fn upload_body_limit(config: &config::Config) -> usize {
    config.max_attachment_bytes.saturating_add(64 * 1024)
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Some("database unreachable".to_string()),
        )
        .into_response()
    }
}

async fn asset(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = match path.rsplit('.').next() {
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("woff2") => "font/woff2",
                _ => "application/octet-stream",
            };
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "public, max-age=3600"),
                ],
                file.data,
            )
                .into_response()
        }
        None => not_found_for("/assets").await,
    }
}

async fn not_found(req: Request) -> Response {
    not_found_for(req.uri().path()).await
}

async fn not_found_for(path: &str) -> Response {
    if is_api(path) {
        ApiError::new(StatusCode::NOT_FOUND, Some(format!("no route for {path}"))).into_response()
    } else {
        // The status text is enough for an unknown page; its body is filled in by
        // `problem_or_page`, which knows the reader's language.
        StatusCode::NOT_FOUND.into_response()
    }
}

/// Machine-facing paths: errors there are problem JSON, never a page.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/hooks/")
        || path.starts_with("/sim/api/")
        || path.starts_with("/webchat/")
}

/// Turns bare error responses (axum's own rejections: unknown method, body too
/// large, bad form) into problem JSON under `/api` and a readable page elsewhere.
async fn problem_or_page(req: Request, next: Next) -> Response {
    // The provider simulator answers in each provider's own error format.
    if req.uri().path().starts_with("/sim/") && !req.uri().path().starts_with("/sim/api/") {
        return next.run(req).await;
    }
    let api = is_api(req.uri().path());
    let lang = visitor_lang(req.headers(), None);
    let res = next.run(req).await;
    let status = res.status();
    let typed = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if status.as_u16() < 400
        || typed.starts_with("application/problem+json")
        || typed.starts_with("text/html")
    {
        return res;
    }
    let text = match axum::body::to_bytes(res.into_body(), 4096).await {
        Ok(b) if status.is_client_error() => String::from_utf8_lossy(&b).trim().to_string(),
        _ => String::new(),
    };
    if api {
        ApiError::new(status, (!text.is_empty()).then_some(text)).into_response()
    } else {
        let key = match status.as_u16() {
            404 => "error.not_found",
            403 => "error.forbidden",
            405 => "error.method",
            413 => "error.too_large",
            s if s >= 500 => "error.internal",
            _ => "error.bad_request",
        };
        let message = if text.is_empty()
            || status.as_u16() == 404
            || status.as_u16() == 405
            || status.as_u16() == 413
        {
            i18n::Tr(lang).s(key).to_string()
        } else {
            format!("{} ({text})", i18n::Tr(lang).s(key))
        };
        render_page(status, lang, &message)
    }
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    res
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Several processes on one PostgreSQL hear each other's live events.
    if let Err(e) = state.pipeline.start_relay().await {
        tracing::warn!(error = %e, "live relay not started: screens hear this process's changes only");
    }
    let (stop_workers, workers_stopped) = tokio::sync::oneshot::channel::<()>();
    let pipeline = state.pipeline.clone();
    let run_workers = state.config.workers;
    let workers = tokio::spawn(async move {
        if run_workers {
            pipeline
                .run_workers(async {
                    let _ = workers_stopped.await;
                })
                .await;
        }
    });
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_workers.send(());
    let _ = workers.await;
    served
}
