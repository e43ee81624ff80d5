//! The web chat widget's endpoints. A cooperative embeds
//! `<script src="https://…/webchat.js" data-channel="ID" async></script>` on its site;
//! the script asks for a visitor token, posts the visitor's messages (stored as inbound
//! events, like a provider's webhook) and fetches the replies. Requests are accepted
//! only from the channel's allowed origins (CORS), and only with a token signed for
//! that channel.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use guyub_connectors::{ChannelKind, webchat};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webchat.js", get(script))
        .route(
            "/webchat/{channel}/session",
            post(session).options(preflight),
        )
        .route(
            "/webchat/{channel}/messages",
            post(send).get(fetch).options(preflight),
        )
        .route("/webchat/{channel}/demo", get(demo_site))
}

async fn script() -> Response {
    match crate::Assets::get("webchat.js") {
        Some(f) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            f.data,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

struct Widget {
    channel: std::sync::Arc<crate::hooks::HookChannel>,
}

/// The channel, if it is a web chat channel.
async fn widget(st: &AppState, channel: &str) -> Result<Widget, ApiError> {
    let id: i64 = channel.parse().map_err(|_| nope())?;
    let c = st.hook_channels.get(st, id).await?;
    if c.kind != ChannelKind::Webchat {
        return Err(nope());
    }
    Ok(Widget { channel: c })
}

fn nope() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, Some("no such web chat".to_string()))
}

/// The origin to allow, if the request's origin is one of the channel's.
fn allowed(w: &Widget, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let list = w.channel.credentials.get("allowed_origins");
    let o = origin.to_str().ok()?;
    let ok = list
        .split(',')
        .map(str::trim)
        .any(|a| a == "*" || a.trim_end_matches('/') == o);
    ok.then(|| origin.clone())
}

/// Adds CORS headers; refuses a browser request from an origin that is not allowed.
/// (A request without `Origin` is not a browser's cross-site request: allowed.)
fn cors(w: &Widget, headers: &HeaderMap, mut res: Response) -> Response {
    if headers.get(header::ORIGIN).is_some() {
        match allowed(w, headers) {
            Some(o) => {
                let h = res.headers_mut();
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
                h.insert(header::VARY, HeaderValue::from_static("Origin"));
            }
            None => {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    Some("this site may not use this web chat".to_string()),
                )
                .into_response();
            }
        }
    }
    res
}

async fn preflight(
    State(st): State<AppState>,
    Path(channel): Path<String>,
    headers: HeaderMap,
) -> Response {
    let w = match widget(&st, &channel).await {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    cors(&w, &headers, res)
}

/// A new anonymous visitor: an id and a token for this channel.
async fn session(
    State(st): State<AppState>,
    Path(channel): Path<String>,
    headers: HeaderMap,
) -> Response {
    let w = match widget(&st, &channel).await {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let visitor = webchat::new_visitor();
    let token = webchat::visitor_token(
        w.channel.credentials.get("widget_secret"),
        w.channel.id.0,
        &visitor,
    );
    cors(
        &w,
        &headers,
        Json(json!({"visitor": visitor, "token": token})).into_response(),
    )
}

#[derive(Deserialize)]
struct Incoming {
    token: String,
    text: String,
    /// Made by the widget per message, so a retried post is stored once.
    client_id: String,
    name: Option<String>,
}

fn visitor(w: &Widget, token: &str) -> Result<String, ApiError> {
    webchat::check_token(
        w.channel.credentials.get("widget_secret"),
        w.channel.id.0,
        token,
    )
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            Some("the visitor token is not valid for this chat".to_string()),
        )
    })
}

async fn send(
    State(st): State<AppState>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let w = match widget(&st, &channel).await {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let result = async {
        let m: Incoming = serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                Some(format!("expected {{token, text, client_id}}: {e}")),
            )
        })?;
        let v = visitor(&w, &m.token)?;
        let text = m.text.trim();
        if text.is_empty()
            || text.chars().count() > 4000
            || m.client_id.is_empty()
            || m.client_id.len() > 64
        {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("a message needs 1 to 4000 characters and a client_id".to_string()),
            ));
        }
        let name = m
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.chars().count() <= 100);
        let event = webchat::event(&v, &m.client_id, name, text, guyub_store::now_ms());
        st.ingestor
            .store(w.channel.cooperative_id, w.channel.id, vec![event])
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Some("not stored; try again".to_string()),
                )
            })?;
        Ok::<_, ApiError>(StatusCode::ACCEPTED.into_response())
    }
    .await;
    cors(
        &w,
        &headers,
        result.unwrap_or_else(IntoResponse::into_response),
    )
}

#[derive(Deserialize)]
struct Since {
    token: String,
    #[serde(default)]
    after: i64,
}

/// The visitor's conversation since message `after`: what they wrote and the replies.
/// Replies fetched here count as delivered.
async fn fetch(
    State(st): State<AppState>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    Query(q): Query<Since>,
) -> Response {
    let w = match widget(&st, &channel).await {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let result = async {
        let v = visitor(&w, &q.token)?;
        let list = guyub_services::conversations::webchat_messages(&st.db, w.channel.cooperative_id, &v, q.after).await?;
        let out: Vec<_> = list
            .into_iter()
            .map(|m| json!({"id": m.id.0, "from": if m.direction == "in" { "visitor" } else { "cooperative" }, "text": m.body, "at": m.created_at}))
            .collect();
        Ok::<_, ApiError>(Json(json!({"messages": out})).into_response())
    }
    .await;
    cors(
        &w,
        &headers,
        result.unwrap_or_else(IntoResponse::into_response),
    )
}

/// An example cooperative website with the widget embedded (simulator only): what a
/// cooperative's own site does with one script tag.
async fn demo_site(State(st): State<AppState>, Path(channel): Path<String>) -> Response {
    if !st.config.simulator || widget(&st, &channel).await.is_err() {
        return nope().into_response();
    }
    let id: i64 = channel.parse().unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Situs koperasi (contoh)</title></head><body>\
         <h1>Koperasi Guyub Rukun Sejahtera</h1><p>Contoh situs koperasi dengan widget chat Guyub: satu tag script.</p>\
         <pre>&lt;script src=\"{base}/webchat.js\" data-channel=\"{id}\" async&gt;&lt;/script&gt;</pre>\
         <script src=\"/webchat.js\" data-channel=\"{id}\" async></script></body></html>",
        base = st.config.public_url
    );
    axum::response::Html(html).into_response()
}
