//! Conversations, minimal (the inbox proper comes later): the list, and one
//! conversation with its messages, the state of each outgoing one (a failed one can be
//! sent again), and a reply form. The message list refreshes itself (`live.js`).

use super::contacts::split;
use super::{Flash, Shell, local_time, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::{ChannelId, ConversationId, MessageId};
use guyub_services::{channels, conversations};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, PageError>;

const LIST_LIMIT: i64 = 200;

struct ConversationRow {
    id: i64,
    contact_id: i64,
    contact_name: String,
    member_id: Option<i64>,
    kind: String,
    status: String,
    last_message: String,
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct ListPage {
    t: Tr,
    shell: Shell,
    rows: Vec<ConversationRow>,
}

pub async fn list(State(state): State<AppState>, s: PageSession) -> PageResult {
    let found = conversations::list(&state.db, &s.actor, None, LIST_LIMIT)
        .await
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(&state, &s, "conversations", None).await?;
    let rows = found
        .into_iter()
        .map(|v| ConversationRow {
            id: v.conversation.id.0,
            contact_id: v.contact.id.0,
            contact_name: v.contact.display_name,
            member_id: v.contact.member_id.map(|m| m.0),
            kind: v.channel_kind,
            status: v.conversation.status,
            last_message: local_time(v.conversation.last_message_at, &shell.tz),
        })
        .collect();
    let view = ListPage {
        t: s.tr(),
        shell,
        rows,
    };
    Ok(html(&view, s.lang())?.into_response())
}

/// A message as a bubble: who wrote it, on which channel, and how far it got.
struct Bubble {
    id: i64,
    outgoing: bool,
    kind: String,
    channel_kind: String,
    body: String,
    status: String,
    error: Option<String>,
    author: String,
    when: String,
    /// The message's file is kept and can be opened.
    file: bool,
}

/// Who wrote an outgoing message, shortly: the staff e-mail, the token's name, or
/// "system" for one-time codes.
fn author(t: Tr, raw: &str) -> String {
    if raw == conversations::CODE_AUTHOR {
        return t.s("conversations.system").to_string();
    }
    match raw.split_once(' ') {
        Some((_, who)) if raw.starts_with("user:") || raw.starts_with("token:") => who.to_string(),
        _ => raw.to_string(),
    }
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    t: Tr,
    shell: Shell,
    c: ConversationRow,
    messages: Vec<Bubble>,
    text: String,
    error: Option<String>,
    /// The member's side in the simulator, when it runs: (channel id, their id there).
    simulator: Option<(i64, String)>,
}

async fn conversation_page(
    state: &AppState,
    s: &PageSession,
    id: ConversationId,
    flash: Option<&str>,
    text: String,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let (v, list) = conversations::get(&state.db, &s.actor, id)
        .await
        .map_err(|e| s.fail(e))?;
    // The kind of each channel a message came or went by.
    let kinds: HashMap<ChannelId, String> =
        channels::list(&state.db, &state.pipeline.secrets, &s.actor)
            .await
            .map_err(|e| s.fail(e))?
            .into_iter()
            .map(|c| (c.id, c.kind.as_str().to_string()))
            .collect();
    let shell = Shell::load(state, s, "conversations", flash).await?;
    let t = s.tr();
    let simulator = match list.iter().rev().find(|m| m.direction == "in") {
        Some(m) if state.config.simulator => {
            let contact = guyub_services::identity::get_contact(&state.db, &s.actor, v.contact.id)
                .await
                .map_err(|e| s.fail(e))?;
            contact
                .identities
                .into_iter()
                .find(|i| i.id == m.identity_id)
                .map(|i| (m.channel_id.0, i.external_id))
        }
        _ => None,
    };
    let messages = list
        .into_iter()
        .map(|m| Bubble {
            id: m.id.0,
            outgoing: m.direction == "out",
            channel_kind: kinds.get(&m.channel_id).cloned().unwrap_or_default(),
            kind: m.kind,
            body: m.body,
            status: m.status,
            error: m.error,
            author: author(t, m.author.as_deref().unwrap_or_default()),
            when: local_time(m.created_at, &shell.tz),
            file: m.media_state.as_deref() == Some("stored"),
        })
        .collect();
    let (status, error) = split(error);
    let view = ConversationPage {
        t,
        c: ConversationRow {
            id: v.conversation.id.0,
            contact_id: v.contact.id.0,
            contact_name: v.contact.display_name,
            member_id: v.contact.member_id.map(|m| m.0),
            kind: v.channel_kind,
            status: v.conversation.status,
            last_message: local_time(v.conversation.last_message_at, &shell.tz),
        },
        shell,
        messages,
        text,
        error,
        simulator,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    conversation_page(
        &state,
        &s,
        ConversationId(id),
        f.ok.as_deref(),
        String::new(),
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    text: String,
}

pub async fn reply(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<ReplyForm>,
) -> PageResult {
    let r = conversations::Reply {
        text: Some(&f.text),
        media: None,
        template: None,
        channel_id: None,
    };
    match conversations::reply(&state.db, &s.actor, ConversationId(id), &r).await {
        Ok(_) => {
            state.pipeline.outbox_ready.notify_one();
            Ok(Redirect::to(&format!("/conversations/{id}#reply")).into_response())
        }
        Err(e) => {
            let shown = refusal(&s, e)?;
            conversation_page(&state, &s, ConversationId(id), None, f.text, Some(shown)).await
        }
    }
}

/// A message's kept file, for staff who may read the conversation.
pub async fn file(
    State(state): State<AppState>,
    s: PageSession,
    Path((_id, message)): Path<(i64, i64)>,
) -> PageResult {
    let Some(store) = state.pipeline.media.as_ref() else {
        return Err(s.fail(guyub_services::ServiceError::NotFound));
    };
    let (bytes, ty) =
        guyub_services::media::file_of(&state.db, store, &s.actor, MessageId(message))
            .await
            .map_err(|e| s.fail(e))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, ty),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "inline".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The reply box's file: sent like a reply, refused with the reason on the page.
pub async fn send_file(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> PageResult {
    let sent = match crate::upload::read(mp, state.config.max_attachment_bytes).await {
        Ok(f) => {
            let up = guyub_services::media::Upload {
                bytes: f.bytes,
                content_type: &f.content_type,
                filename: f.filename.as_deref(),
                caption: f.caption.as_deref(),
                channel_id: f.channel_id.map(guyub_domain::ChannelId),
            };
            guyub_services::media::send_file(
                &state.pipeline,
                &state.config.public_url,
                &s.actor,
                ConversationId(id),
                up,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/conversations/{id}#reply")).into_response()),
        Err(e) => {
            let shown = refusal(&s, e)?;
            conversation_page(
                &state,
                &s,
                ConversationId(id),
                None,
                String::new(),
                Some(shown),
            )
            .await
        }
    }
}

pub async fn resend(
    State(state): State<AppState>,
    s: PageSession,
    Path((id, message)): Path<(i64, i64)>,
) -> PageResult {
    match conversations::resend(&state.db, &s.actor, MessageId(message)).await {
        Ok(()) => {
            state.pipeline.outbox_ready.notify_one();
            Ok(
                Redirect::to(&format!("/conversations/{id}?ok=conversations.resent"))
                    .into_response(),
            )
        }
        Err(e) => {
            let shown = refusal(&s, e)?;
            conversation_page(
                &state,
                &s,
                ConversationId(id),
                None,
                String::new(),
                Some(shown),
            )
            .await
        }
    }
}
