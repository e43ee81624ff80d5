//! `/api/v1/channels`, `/api/v1/conversations`, `/api/v1/messages`: channel
//! administration, conversations and replies.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guyub_connectors::MediaKind;
use guyub_domain::{ChannelId, ConversationId, MessageId};
use guyub_services::channels::{self, ChannelChange, ChannelInput, ChannelView};
use guyub_services::conversations::{self, Reply};
use guyub_store::messages::Message;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(get_channel, update_channel))
        .routes(routes!(test_channel))
        .routes(routes!(reply))
        .routes({
            // The file is counted against `max_attachment_bytes` as it streams in.
            let (schemas, paths, method) = routes!(send_file);
            (
                schemas,
                paths,
                method.layer(axum::extract::DefaultBodyLimit::disable()),
            )
        })
        .routes(routes!(resend))
        .routes(routes!(message_media))
}

#[derive(Serialize, ToSchema)]
pub struct ChannelOut {
    id: i64,
    /// whatsapp, messenger, instagram, telegram, line or x.
    kind: String,
    name: String,
    /// Where the provider's API is reached (a proxy or a fake may stand in).
    base_url: String,
    settings: BTreeMap<String, String>,
    /// Secret settings, each shown as `****` + its last four characters.
    secrets: BTreeMap<String, String>,
    active: bool,
    /// Paste this into the provider's console.
    webhook_url: String,
}

fn out(st: &AppState, v: ChannelView) -> ChannelOut {
    ChannelOut {
        id: v.id.0,
        kind: v.kind.to_string(),
        name: v.name,
        base_url: v.base_url,
        settings: v.settings,
        secrets: v.secrets_masked,
        active: v.active,
        webhook_url: format!("{}{}", st.config.public_url, v.webhook_path),
    }
}

/// The cooperative's channels.
#[utoipa::path(get, path = "/channels", tag = "channels", responses((status = 200, body = Vec<ChannelOut>)))]
async fn list_channels(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Vec<ChannelOut>> {
    let list = channels::list(&st.db, &st.pipeline.secrets, &a).await?;
    Ok(Json(list.into_iter().map(|v| out(&st, v)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ChannelIn {
    kind: String,
    name: String,
    /// Leave out for the provider's public API.
    #[serde(default)]
    base_url: String,
    /// Settings and secrets by name: whatsapp `phone_number_id`, `access_token`,
    /// `app_secret`, `verify_token`; messenger/instagram `page_id`, `access_token`,
    /// `app_secret`, `verify_token`; telegram `bot_token`, `secret_token`; line
    /// `channel_access_token`, `channel_secret`; x `user_id`, `access_token`,
    /// `consumer_secret`.
    #[serde(default)]
    credentials: BTreeMap<String, String>,
}

/// Connects a channel. Secrets are sealed at rest and never shown again in full.
#[utoipa::path(post, path = "/channels", tag = "channels", request_body = ChannelIn, responses((status = 201, body = ChannelOut), (status = 422, body = crate::error::Problem)))]
async fn create_channel(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<ChannelIn>,
) -> Result<(StatusCode, Json<ChannelOut>), ApiError> {
    let v = channels::add(
        &st.db,
        &st.pipeline.secrets,
        &a,
        &ChannelInput {
            kind: &b.kind,
            name: &b.name,
            base_url: &b.base_url,
            values: &b.credentials,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(out(&st, v))))
}

/// One channel.
#[utoipa::path(get, path = "/channels/{id}", tag = "channels", params(("id" = i64, Path)), responses((status = 200, body = ChannelOut), (status = 404, body = crate::error::Problem)))]
async fn get_channel(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<ChannelOut> {
    Ok(Json(out(
        &st,
        channels::get(&st.db, &st.pipeline.secrets, &a, ChannelId(id)).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct ChannelPatch {
    name: Option<String>,
    base_url: Option<String>,
    /// Only the values to change; secrets left out keep their value.
    #[serde(default)]
    credentials: BTreeMap<String, String>,
    active: Option<bool>,
}

/// Changes a channel (name, base URL, credentials, on/off).
#[utoipa::path(patch, path = "/channels/{id}", tag = "channels", params(("id" = i64, Path)), request_body = ChannelPatch, responses((status = 200, body = ChannelOut), (status = 422, body = crate::error::Problem)))]
async fn update_channel(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ChannelPatch>,
) -> ApiResult<ChannelOut> {
    let v = channels::change(
        &st.db,
        &st.pipeline.secrets,
        &a,
        ChannelId(id),
        &ChannelChange {
            name: b.name.as_deref(),
            base_url: b.base_url.as_deref(),
            values: &b.credentials,
            active: b.active,
        },
    )
    .await?;
    st.hook_channels.forget(id);
    Ok(Json(out(&st, v)))
}

#[derive(Serialize, ToSchema)]
pub struct TestOut {
    ok: bool,
    detail: String,
}

/// Calls the provider with the channel's credentials (a read-only request).
#[utoipa::path(post, path = "/channels/{id}/test", tag = "channels", params(("id" = i64, Path)), responses((status = 200, body = TestOut), (status = 422, body = crate::error::Problem)))]
async fn test_channel(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<TestOut> {
    let detail = channels::test_connection(
        &st.db,
        &st.pipeline.secrets,
        &st.pipeline.http,
        &a,
        ChannelId(id),
    )
    .await?;
    Ok(Json(TestOut { ok: true, detail }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MessageOut {
    id: i64,
    channel_id: i64,
    identity_id: i64,
    /// `in` from the member, `out` from the cooperative.
    direction: String,
    /// text, image, audio, video, document, sticker, location, contact, reaction, choice, template.
    kind: String,
    body: String,
    /// received (in); queued, sent, delivered, read or failed (out).
    status: String,
    /// Why sending failed, in the provider's words.
    error: Option<String>,
    provider_id: Option<String>,
    author: Option<String>,
    created_at_ms: i64,
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> Self {
        MessageOut {
            id: m.id.0,
            channel_id: m.channel_id.0,
            identity_id: m.identity_id.0,
            direction: m.direction,
            kind: m.kind,
            body: m.body,
            status: m.status,
            error: m.error,
            provider_id: m.provider_id,
            author: m.author,
            created_at_ms: m.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyIn {
    text: Option<String>,
    /// image, audio, video, document or sticker, with `media_url`.
    media_kind: Option<String>,
    media_url: Option<String>,
    /// A WhatsApp template by name (outside the 24-hour window), with its language and
    /// body variables.
    template: Option<String>,
    #[serde(default)]
    template_language: Option<String>,
    #[serde(default)]
    template_params: Vec<String>,
    /// Send on this channel instead of the one the member last used.
    channel_id: Option<i64>,
    /// The newest member message id the client had shown; when the member has written
    /// since, the reply is refused (409) and nothing is sent.
    seen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct QueuedOut {
    message_id: i64,
    status: String,
}

/// Replies in a conversation. The message is queued and sent by the pipeline; a
/// closed WhatsApp window asks for a template.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "conversations", params(("id" = i64, Path)), request_body = ReplyIn, responses((status = 202, body = QueuedOut), (status = 422, body = crate::error::Problem)))]
async fn reply(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReplyIn>,
) -> Result<(StatusCode, Json<QueuedOut>), ApiError> {
    let media = match (&b.media_kind, &b.media_url) {
        (Some(k), Some(u)) => {
            let kind = match k.as_str() {
                "image" => MediaKind::Image,
                "audio" => MediaKind::Audio,
                "video" => MediaKind::Video,
                "document" => MediaKind::Document,
                "sticker" => MediaKind::Sticker,
                _ => {
                    let mut e = ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some("media_kind: image, audio, video, document or sticker".to_string()),
                    );
                    e.1.field = Some("media_kind".into());
                    return Err(e);
                }
            };
            Some(conversations::MediaReply {
                kind,
                url: u.as_str(),
                caption: b.text.as_deref(),
                filename: None,
                file: None,
            })
        }
        _ => None,
    };
    let r = Reply {
        text: b.text.as_deref(),
        media,
        template: b.template.as_deref().map(|t| {
            (
                t,
                b.template_language.as_deref().unwrap_or("id"),
                b.template_params.clone(),
            )
        }),
        channel_id: b.channel_id.map(ChannelId),
        seen: b.seen,
    };
    let m = conversations::reply(&st.pipeline, &a, ConversationId(id), &r).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedOut {
            message_id: m.0,
            status: "queued".into(),
        }),
    ))
}

/// A file to send (multipart/form-data).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FileIn {
    /// The file: pictures, sound, video, PDF, office documents or text, up to the
    /// configured `max_attachment_bytes`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    caption: Option<String>,
    /// Send on this channel instead of the one the member last used.
    channel_id: Option<i64>,
    /// The newest member message id the client had shown; when the member has written
    /// since, the reply is refused (409) and nothing is sent.
    seen: Option<i64>,
}

/// Sends a file in a conversation: kept in object storage, sent by link to channels
/// that fetch files, attached on e-mail. Channel windows apply as for any reply.
#[utoipa::path(post, path = "/conversations/{id}/files", tag = "conversations", params(("id" = i64, Path)), request_body(content = FileIn, content_type = "multipart/form-data"), responses((status = 202, body = QueuedOut), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn send_file(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Result<(StatusCode, Json<QueuedOut>), ApiError> {
    let f = crate::upload::read(mp, st.config.max_attachment_bytes).await?;
    let up = guyub_services::media::Upload {
        bytes: f.bytes,
        content_type: &f.content_type,
        filename: f.filename.as_deref(),
        caption: f.caption.as_deref(),
        channel_id: f.channel_id.map(ChannelId),
    };
    let m = guyub_services::media::send_file(
        &st.pipeline,
        &st.config.public_url,
        &a,
        ConversationId(id),
        up,
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedOut {
            message_id: m.0,
            status: "queued".into(),
        }),
    ))
}

/// Sends a failed message again.
#[utoipa::path(post, path = "/messages/{id}/resend", tag = "conversations", params(("id" = i64, Path)), responses((status = 202, body = QueuedOut), (status = 409, body = crate::error::Problem)))]
async fn resend(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<QueuedOut>), ApiError> {
    conversations::resend(&st.db, &a, MessageId(id)).await?;
    st.pipeline.outbox_ready.notify_one();
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedOut {
            message_id: id,
            status: "queued".into(),
        }),
    ))
}

/// The file of a received media message (kept in object storage), with its type.
#[utoipa::path(get, path = "/messages/{id}/media", tag = "conversations", params(("id" = i64, Path)), responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn message_media(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let Some(store) = st.pipeline.media.as_ref() else {
        return Err(ApiError::not_found());
    };
    let (bytes, ty) = guyub_services::media::file_of(&st.db, store, &a, MessageId(id)).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, ty),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "inline".to_string(),
            ),
            (
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                "nosniff".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
