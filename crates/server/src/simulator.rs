//! The provider simulator (`/sim/…`, on with `--demo` or `simulator = true`): local
//! stand-ins for the WhatsApp Cloud API, the Messenger/Instagram Send API, the Telegram
//! Bot API, the LINE Messaging API and X direct messages. Demo channels point their
//! base URL here, so replies "arrive" without an account at any provider; tests use the
//! same fakes. The member side (`POST /sim/api/inbound`) writes as a member would:
//! it builds the provider's webhook body, signs it with the channel's secret, and
//! delivers it to `/hooks/…` over HTTP like the provider.

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use guyub_connectors::ChannelKind;
use guyub_domain::ChannelId;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// One request a fake provider received.
#[derive(Debug, Clone, Serialize)]
pub struct SimSent {
    pub seq: u64,
    pub kind: &'static str,
    /// The recipient as the provider would see it.
    pub to: String,
    /// The words, for people reading the simulator.
    pub text: String,
    pub body: Value,
    pub retry_key: Option<String>,
}

/// What the fakes received, and whether they play dead.
#[derive(Default)]
pub struct Recorder {
    sent: Mutex<Vec<SimSent>>,
    seq: AtomicU64,
    /// Answer 503 to everything (the provider is down).
    pub down: AtomicBool,
    line_keys: Mutex<std::collections::HashMap<String, Value>>,
}

impl Recorder {
    fn record(
        &self,
        kind: &'static str,
        to: &str,
        text: String,
        body: Value,
        retry_key: Option<String>,
    ) -> u64 {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        if sent.len() > 10_000 {
            sent.drain(..5_000);
        }
        sent.push(SimSent {
            seq,
            kind,
            to: to.to_string(),
            text,
            body,
            retry_key,
        });
        seq
    }

    pub fn sent(&self) -> Vec<SimSent> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

pub fn router(enabled: bool) -> Router<AppState> {
    if !enabled {
        return Router::new();
    }
    Router::new()
        .route("/sim/whatsapp/{number}/messages", post(whatsapp_send))
        .route("/sim/whatsapp/{number}", get(graph_node))
        .route("/sim/files/{name}", get(sim_file))
        .route("/sim/telegram/file/{bot}/{*path}", get(telegram_file))
        .route("/sim/meta/{page}/messages", post(meta_send))
        .route("/sim/meta/{page}", get(graph_node))
        .route(
            "/sim/telegram/{bot}/{method}",
            post(telegram_call).get(telegram_call),
        )
        .route("/sim/line/v2/bot/message/{how}", post(line_send))
        .route(
            "/sim/line/v2/bot/info",
            get(|| async { Json(json!({"userId": "Usim", "displayName": "Guyub demo"})) }),
        )
        .route("/sim/x/2/dm_conversations/with/{id}/messages", post(x_send))
        .route(
            "/sim/x/2/users/me",
            get(|| async { Json(json!({"data": {"id": "100", "username": "guyub_demo"}})) }),
        )
        .route("/sim/api/sent", get(list_sent))
        .route("/sim/api/down", post(set_down))
        .route("/sim/api/inbound", post(inbound))
}

fn down(st: &AppState) -> Option<Response> {
    st.simulator.down.load(Ordering::Relaxed).then(|| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": {"message": "simulated outage", "code": 2}})),
        )
            .into_response()
    })
}

fn text_of(v: &Value) -> String {
    for p in [
        "/text/body",
        "/message/text",
        "/text",
        "/messages/0/text",
        "/caption",
        "/template/name",
    ] {
        if let Some(t) = v.pointer(p).and_then(Value::as_str) {
            return t.to_string();
        }
    }
    v.to_string()
}

/// A file the fake providers serve: what a media id stands for in the tests and demo.
/// `…png` is a picture, `…exe` a program, `…big` larger than usual limits.
fn sim_media(name: &str) -> (&'static str, Vec<u8>) {
    if name.ends_with("exe") {
        (
            "application/x-msdownload",
            b"MZ\x90\x00 not really a program".to_vec(),
        )
    } else if name.ends_with("big") {
        ("image/png", vec![0u8; 64 * 1024])
    } else {
        // A 1×1 transparent PNG.
        (
            "image/png",
            vec![
                0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44,
                0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 13,
                0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d,
                0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
            ],
        )
    }
}

async fn sim_file(State(st): State<AppState>, Path(name): Path<String>) -> Response {
    if let Some(r) = down(&st) {
        return r;
    }
    let (ty, bytes) = sim_media(&name);
    ([(axum::http::header::CONTENT_TYPE, ty)], bytes).into_response()
}

async fn telegram_file(Path((_bot, path)): Path<(String, String)>) -> Response {
    let (ty, bytes) = sim_media(&path);
    ([(axum::http::header::CONTENT_TYPE, ty)], bytes).into_response()
}

async fn graph_node(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    // A WhatsApp media id: where to fetch the file.
    if id.starts_with("media") {
        let (ty, bytes) = sim_media(&id);
        let url = format!("{}/sim/files/{id}", st.config.public_url);
        return Json(json!({"url": url, "mime_type": ty, "file_size": bytes.len(), "id": id, "messaging_product": "whatsapp"})).into_response();
    }
    down(&st).unwrap_or_else(|| Json(json!({"id": id, "name": "Guyub demo"})).into_response())
}

async fn whatsapp_send(State(st): State<AppState>, Json(body): Json<Value>) -> Response {
    if let Some(r) = down(&st) {
        return r;
    }
    let to = body
        .get("to")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if to.is_empty() || body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}))).into_response();
    }
    // A number that is not on WhatsApp, to show a permanent failure.
    if to.starts_with("6280000") {
        let err = json!({"error": {"message": "(#131026) Message undeliverable", "type": "OAuthException", "code": 131026,
            "error_data": {"messaging_product": "whatsapp", "details": "Message undeliverable: the number is not on WhatsApp"}}});
        return (StatusCode::BAD_REQUEST, Json(err)).into_response();
    }
    let seq = st
        .simulator
        .record("whatsapp", &to, text_of(&body), body, None);
    Json(json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": format!("wamid.SIM{seq}")}]})).into_response()
}

async fn meta_send(State(st): State<AppState>, Json(body): Json<Value>) -> Response {
    if let Some(r) = down(&st) {
        return r;
    }
    let to = body
        .pointer("/recipient/id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if to.is_empty() || body.get("messaging_type").is_none() {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": {"message": "(#100) param recipient must be non-empty", "code": 100}}))).into_response();
    }
    let seq = st.simulator.record("meta", &to, text_of(&body), body, None);
    Json(json!({"recipient_id": to, "message_id": format!("m_SIM{seq}")})).into_response()
}

async fn telegram_call(
    State(st): State<AppState>,
    Path((bot, method)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    if st.simulator.down.load(Ordering::Relaxed) {
        return (StatusCode::TOO_MANY_REQUESTS, Json(json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}))).into_response();
    }
    if !bot.starts_with("bot") {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"ok": false, "error_code": 404, "description": "Not Found"})),
        )
            .into_response();
    }
    if method == "getFile" {
        let id = body
            .as_ref()
            .and_then(|b| b.get("file_id").and_then(Value::as_str).map(str::to_string));
        return Json(json!({"ok": true, "result": {"file_id": id, "file_path": format!("photos/{}", id.clone().unwrap_or_default())}})).into_response();
    }
    if method == "getMe" {
        return Json(json!({"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "Guyub", "username": "guyub_demo_bot"}})).into_response();
    }
    let body = body.map(|b| b.0).unwrap_or(Value::Null);
    let chat = body
        .get("chat_id")
        .map(|c| {
            c.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| c.to_string())
        })
        .unwrap_or_default();
    if chat.is_empty() {
        return (StatusCode::BAD_REQUEST, Json(json!({"ok": false, "error_code": 400, "description": "Bad Request: chat_id is empty"}))).into_response();
    }
    let seq = st
        .simulator
        .record("telegram", &chat, text_of(&body), body, None);
    let chat_id: Value = chat
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or(Value::String(chat));
    Json(json!({"ok": true, "result": {"message_id": seq, "chat": {"id": chat_id, "type": "private"}, "date": guyub_store::now_ms() / 1000}})).into_response()
}

async fn line_send(
    State(st): State<AppState>,
    Path(how): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = down(&st) {
        return r;
    }
    let key = headers
        .get("x-line-retry-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(k) = &key {
        let known = st
            .simulator
            .line_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(k)
            .cloned();
        if let Some(first) = known {
            return (
                StatusCode::CONFLICT,
                [("x-line-accepted-request-id", k.clone())],
                Json(first),
            )
                .into_response();
        }
    }
    let to = match how.as_str() {
        "push" => body
            .get("to")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        "reply" => format!(
            "reply:{}",
            body.get("replyToken").and_then(Value::as_str).unwrap_or("")
        ),
        _ => return (StatusCode::NOT_FOUND, Json(json!({"message": "Not found"}))).into_response(),
    };
    let seq = st
        .simulator
        .record("line", &to, text_of(&body), body, key.clone());
    let answer = json!({"sentMessages": [{"id": format!("{}", 461230966842064897u64 + seq), "quoteToken": format!("q{seq}")}]});
    if let Some(k) = key {
        st.simulator
            .line_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(k, answer.clone());
    }
    Json(answer).into_response()
}

async fn x_send(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = down(&st) {
        return r;
    }
    let seq = st.simulator.record("x", &id, text_of(&body), body, None);
    (StatusCode::CREATED, Json(json!({"data": {"dm_conversation_id": format!("100-{id}"), "dm_event_id": format!("{}", 1_800_000_000_000_000_000u64 + seq)}}))).into_response()
}

async fn list_sent(State(st): State<AppState>) -> Json<Vec<SimSent>> {
    Json(st.simulator.sent())
}

#[derive(Deserialize)]
struct Down {
    down: bool,
}

async fn set_down(State(st): State<AppState>, Json(d): Json<Down>) -> StatusCode {
    st.simulator.down.store(d.down, Ordering::Relaxed);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct Inbound {
    pub channel_id: i64,
    /// The member's id on the channel (a phone for WhatsApp).
    pub from: String,
    pub name: Option<String>,
    pub text: String,
}

/// Writes as a member: builds the provider's webhook, signs it, delivers it to our own
/// `/hooks/…` over HTTP, and answers with what the hook answered.
async fn inbound(State(st): State<AppState>, Json(i): Json<Inbound>) -> Response {
    let channel = match guyub_services::channels::for_webhook(&st.db, ChannelId(i.channel_id)).await
    {
        Ok(Some(c)) => c,
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                Json(json!({"detail": "no such channel"})),
            )
                .into_response();
        }
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let Some(kind) = ChannelKind::parse(&channel.kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let creds = match guyub_services::channels::credentials(&st.pipeline.secrets, &channel) {
        Ok(c) => c,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let seq = st.simulator.seq.fetch_add(1, Ordering::Relaxed) + 1;
    if kind == ChannelKind::Email {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"detail": "e-mail is not simulated: write to the channel's real mailbox"})),
        )
            .into_response();
    }
    if kind == ChannelKind::Webchat {
        // A visitor writes through the widget's endpoint, with the widget's token.
        let visitor = visitor_of(&i.from);
        let token = guyub_connectors::webchat::visitor_token(
            creds.get("widget_secret"),
            channel.id.0,
            &visitor,
        );
        let url = format!("http://{}/webchat/{}/messages", local_addr(&st), channel.id);
        let body = json!({"token": token, "text": i.text, "client_id": format!("sim{seq}"), "name": i.name});
        return match st.pipeline.http.post(url).json(&body).send().await {
            Ok(res) => (
                StatusCode::from_u16(res.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
                res.text().await.unwrap_or_default(),
            )
                .into_response(),
            Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        };
    }
    let (body, headers) = webhook_for(kind, &creds, &i, seq);
    let url = format!(
        "http://{}{}",
        local_addr(&st),
        guyub_services::channels::webhook_path(kind, channel.id)
    );
    let mut req = st
        .pipeline
        .http
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    match req.send().await {
        Ok(res) => (
            StatusCode::from_u16(res.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
            res.text().await.unwrap_or_default(),
        )
            .into_response(),
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

/// A web chat visitor id for whatever the simulator was given as "from".
pub fn visitor_of(from: &str) -> String {
    if from.starts_with('v') && from.len() > 1 && from[1..].bytes().all(|c| c.is_ascii_hexdigit()) {
        return from.to_string();
    }
    let h = guyub_connectors::hmac_sha256(b"guyub-simulated-visitor", from.as_bytes());
    format!(
        "v{}",
        h[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

fn local_addr(st: &AppState) -> String {
    st.config
        .public_url
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_string()
}

/// A provider's webhook body for one text message, and the headers that sign it.
pub fn webhook_for(
    kind: ChannelKind,
    creds: &guyub_connectors::Credentials,
    i: &Inbound,
    seq: u64,
) -> (Vec<u8>, Vec<(&'static str, String)>) {
    let now = guyub_store::now_ms();
    let name = i.name.clone().unwrap_or_else(|| i.from.clone());
    let body = match kind {
        ChannelKind::Email => {
            let raw = format!(
                "From: {name} <{}>\r\nTo: {}\r\nSubject: Pesan\r\nMessage-ID: <sim{now}{seq}@simulator.invalid>\r\n\r\n{}\r\n",
                i.from,
                creds.get("address"),
                i.text
            );
            return (raw.into_bytes(), Vec::new());
        }
        ChannelKind::Webchat => {
            let e = guyub_connectors::webchat::event(
                &visitor_of(&i.from),
                &format!("sim{now}{seq}"),
                Some(&name),
                &i.text,
                now,
            );
            return (e.body, Vec::new());
        }
        ChannelKind::Whatsapp => {
            json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281100000000", "phone_number_id": creds.get("phone_number_id")},
            "contacts": [{"profile": {"name": name}, "wa_id": i.from}],
            "messages": [{"from": i.from, "id": format!("wamid.IN{now}{seq}"), "timestamp": (now / 1000).to_string(), "type": "text", "text": {"body": i.text}}]
        }, "field": "messages"}]}]})
        }
        ChannelKind::Messenger | ChannelKind::Instagram => {
            json!({"object": if kind == ChannelKind::Instagram { "instagram" } else { "page" }, "entry": [{"id": creds.get("page_id"), "time": now, "messaging": [
                {"sender": {"id": i.from}, "recipient": {"id": creds.get("page_id")}, "timestamp": now, "message": {"mid": format!("m_IN{now}{seq}"), "text": i.text}}
            ]}]})
        }
        ChannelKind::Telegram => {
            let id: Value = i
                .from
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::from(seq));
            json!({"update_id": now * 10 + seq as i64 % 10, "message": {"message_id": seq, "from": {"id": id, "is_bot": false, "first_name": name}, "chat": {"id": id, "type": "private"}, "date": now / 1000, "text": i.text}})
        }
        ChannelKind::Line => {
            json!({"destination": "Ubot", "events": [{"type": "message", "mode": "active", "timestamp": now,
            "webhookEventId": format!("01SIM{now}{seq}"), "deliveryContext": {"isRedelivery": false},
            "source": {"type": "user", "userId": i.from}, "replyToken": format!("rt{now}{seq}"),
            "message": {"type": "text", "id": format!("{now}{seq}"), "text": i.text}}]})
        }
        ChannelKind::X => {
            json!({"for_user_id": creds.get("user_id"), "direct_message_events": [{"type": "message_create", "id": format!("{now}{seq}"), "created_timestamp": now.to_string(),
            "message_create": {"target": {"recipient_id": creds.get("user_id")}, "sender_id": i.from, "message_data": {"text": i.text}}}],
            "users": {i.from.clone(): {"id": i.from, "name": name, "screen_name": name.to_lowercase().replace(' ', "_")}}})
        }
    };
    let bytes = body.to_string().into_bytes();
    let headers = match kind {
        ChannelKind::Email => Vec::new(),
        ChannelKind::Webchat => Vec::new(),
        ChannelKind::Whatsapp | ChannelKind::Messenger | ChannelKind::Instagram => {
            vec![(
                "x-hub-signature-256",
                guyub_connectors::meta::sign(creds.get("app_secret"), &bytes),
            )]
        }
        ChannelKind::Telegram => vec![(
            "x-telegram-bot-api-secret-token",
            creds.get("secret_token").to_string(),
        )],
        ChannelKind::Line => vec![(
            "x-line-signature",
            guyub_connectors::line::sign(creds.get("channel_secret"), &bytes),
        )],
        ChannelKind::X => vec![(
            "x-twitter-webhooks-signature",
            guyub_connectors::x::sign(creds.get("consumer_secret"), &bytes),
        )],
    };
    (bytes, headers)
}
