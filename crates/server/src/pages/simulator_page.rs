//! The simulator page (only with the provider simulator on, e.g. `guyub serve --demo`):
//! staff write as a member on one of the cooperative's channels, and see that member's
//! side of the chat: what they wrote and the replies the fake provider received for
//! them. Writing goes through `/sim/api/inbound`, so the message takes the real path
//! (signed webhook, pipeline, conversation).

use super::{Flash, Shell};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::simulator::SimSent;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_connectors::ChannelKind;
use guyub_domain::{Action, ChannelId, IdentityKey};
use guyub_services::channels::{self, ChannelView};
use guyub_services::conversations;
use guyub_services::pipeline::process::identity_kind;
use guyub_store::messages::Message;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

type PageResult = Result<Response, PageError>;

/// Demo members (and made-up customers) to write as, per channel kind.
const PEOPLE: &[(&str, &str, &str)] = &[
    ("whatsapp", "6281234500001", "Siti Rahayu"),
    ("whatsapp", "6281234500002", "Budi Santoso"),
    ("whatsapp", "6281234500005", "Rina Wulandari"),
    ("telegram", "500123456", "Dewi Lestari"),
    ("instagram", "17841400000000001", "Agus Setiawan"),
    ("messenger", "7100000000000001", "Pelanggan Messenger"),
    (
        "line",
        "U1f3a0c5b8e2d4a6f9b7c1e3d5a7f9b21",
        "Pelanggan LINE",
    ),
    ("x", "1500000000000000001", "Pelanggan X"),
];

/// The fake provider that plays a channel of this kind (`SimSent::kind`).
fn sim_kind(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Whatsapp => "whatsapp",
        ChannelKind::Messenger | ChannelKind::Instagram => "meta",
        ChannelKind::Telegram => "telegram",
        ChannelKind::Line => "line",
        ChannelKind::X => "x",
        ChannelKind::Webchat => "webchat",
        ChannelKind::Email => "email",
    }
}

fn enabled(state: &AppState, s: &PageSession) -> Result<(), PageError> {
    if state.config.simulator {
        Ok(())
    } else {
        Err(PageError::new(
            StatusCode::NOT_FOUND,
            s.lang(),
            "error.not_found",
        ))
    }
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct Who {
    channel: Option<i64>,
    from: String,
    name: String,
}

impl Who {
    fn query(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

struct ChannelChoice {
    id: i64,
    kind: &'static str,
    name: String,
    active: bool,
}

struct Person {
    from: &'static str,
    name: &'static str,
    query: String,
}

/// One line of the member's chat: theirs, or a reply they received.
pub struct Line {
    mine: bool,
    text: String,
    when: String,
}

#[derive(Template)]
#[template(path = "simulator.html")]
struct SimulatorPage {
    t: Tr,
    shell: Shell,
    channels: Vec<ChannelChoice>,
    selected: Option<ChannelChoice>,
    people: Vec<Person>,
    who: Who,
    live: String,
    chat: Vec<Line>,
    text: String,
    error: Option<String>,
}

async fn simulator_page(
    state: &AppState,
    s: &PageSession,
    mut who: Who,
    flash: Option<&str>,
    text: String,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    enabled(state, s)?;
    let list = channels::list(&state.db, &state.pipeline.secrets, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let chosen: Option<&ChannelView> = who
        .channel
        .and_then(|id| list.iter().find(|c| c.id.0 == id))
        .or_else(|| list.iter().find(|c| c.active))
        .or(list.first());
    let shell = Shell::load(state, s, "simulator", flash).await?;
    let mut people = Vec::new();
    let mut chat = Vec::new();
    if let Some(c) = chosen {
        who.channel = Some(c.id.0);
        let kind = c.kind.as_str();
        for (_, from, name) in PEOPLE.iter().filter(|p| p.0 == kind) {
            let w = Who {
                channel: who.channel,
                from: from.to_string(),
                name: name.to_string(),
            };
            if who.from.trim().is_empty() {
                who.from = w.from.clone();
            }
            if who.name.trim().is_empty() && who.from.trim() == w.from {
                who.name = w.name.clone();
            }
            people.push(Person {
                from,
                name,
                query: w.query(),
            });
        }
        if !who.from.trim().is_empty() {
            chat = member_side(state, s, c, who.from.trim(), &shell.tz).await?;
        }
    }
    let choice = |c: &ChannelView| ChannelChoice {
        id: c.id.0,
        kind: c.kind.as_str(),
        name: c.name.clone(),
        active: c.active,
    };
    let (status, error) = super::contacts::split(error);
    let view = SimulatorPage {
        t: s.tr(),
        shell,
        selected: chosen.map(choice),
        channels: list.iter().map(choice).collect(),
        people,
        live: format!("/simulator?{}", who.query()),
        who,
        chat,
        text,
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Query(who): Query<Who>,
    Query(f): Query<Flash>,
) -> PageResult {
    simulator_page(&state, &s, who, f.ok.as_deref(), String::new(), None).await
}

/// What the member's phone shows: the messages they wrote (as the cooperative stored
/// them) and, in between, each reply the fake provider received for them; replies not
/// matched to a stored message (yet) come last. Staff who cannot read conversations see
/// only the replies.
async fn member_side(
    state: &AppState,
    s: &PageSession,
    c: &ChannelView,
    from: &str,
    tz: &str,
) -> Result<Vec<Line>, PageError> {
    let ikind = identity_kind(c.kind);
    let external = IdentityKey::parse(ikind, from)
        .map(|k| k.external_id)
        .unwrap_or_else(|_| from.to_string());
    let stored = if s.actor.role.can(Action::WorkInbox) {
        stored_messages(state, s, c.id, ikind.as_str(), &external).await?
    } else {
        Vec::new()
    };
    let tokens: HashSet<String> = stored
        .iter()
        .filter_map(|m| m.reply_token.as_ref().map(|t| format!("reply:{t}")))
        .collect();
    let mut received: Vec<Option<SimSent>> = state
        .simulator
        .sent()
        .into_iter()
        .filter(|r| {
            r.kind == sim_kind(c.kind)
                && (r.to == external || r.to == from || tokens.contains(&r.to))
        })
        .map(Some)
        .collect();
    let mut lines = Vec::new();
    for m in stored {
        let when = super::local_time(m.created_at, tz);
        if m.direction == "in" {
            lines.push(Line {
                mine: true,
                text: m.body,
                when,
            });
            continue;
        }
        // The reply as it arrived: the same words, or (a code, a template: the stored
        // body differs from what was sent) the next one that arrived.
        let same = received
            .iter()
            .position(|r| r.as_ref().is_some_and(|r| r.text == m.body));
        let loose = m.author.as_deref() == Some(conversations::CODE_AUTHOR) || m.kind == "template";
        let at = same.or_else(|| {
            loose
                .then(|| received.iter().position(Option::is_some))
                .flatten()
        });
        if let Some(r) = at.and_then(|i| received[i].take()) {
            lines.push(Line {
                mine: false,
                text: r.text,
                when,
            });
        }
    }
    lines.extend(received.into_iter().flatten().map(|r| Line {
        mine: false,
        text: r.text,
        when: String::new(),
    }));
    Ok(lines)
}

/// The stored messages of the identity (`kind`, `external`) on `channel`, oldest first.
async fn stored_messages(
    state: &AppState,
    s: &PageSession,
    channel: ChannelId,
    kind: &str,
    external: &str,
) -> Result<Vec<Message>, PageError> {
    let convs = conversations::list(&state.db, &s.actor, None, 200)
        .await
        .map_err(|e| s.fail(e))?;
    let mut seen = HashSet::new();
    for v in &convs {
        if !seen.insert(v.contact.id) {
            continue;
        }
        let contact = guyub_services::identity::get_contact(&state.db, &s.actor, v.contact.id)
            .await
            .map_err(|e| s.fail(e))?;
        let Some(identity) = contact
            .identities
            .iter()
            .find(|i| i.kind == kind && i.external_id == external)
        else {
            continue;
        };
        let mut out = Vec::new();
        for w in convs.iter().filter(|w| w.contact.id == v.contact.id) {
            let (_, list) = conversations::get(&state.db, &s.actor, w.conversation.id)
                .await
                .map_err(|e| s.fail(e))?;
            out.extend(
                list.into_iter()
                    .filter(|m| m.identity_id == identity.id && m.channel_id == channel),
            );
        }
        out.sort_by_key(|m| (m.created_at, m.id.0));
        return Ok(out);
    }
    Ok(Vec::new())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendForm {
    channel: i64,
    from: String,
    name: String,
    text: String,
}

/// Writes as the member: the simulator builds and signs the provider's webhook and
/// delivers it to this server.
pub async fn send(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<SendForm>,
) -> PageResult {
    enabled(&state, &s)?;
    // Only the cooperative's own channels (another's id is simply not found).
    channels::get(
        &state.db,
        &state.pipeline.secrets,
        &s.actor,
        ChannelId(f.channel),
    )
    .await
    .map_err(|e| s.fail(e))?;
    let who = Who {
        channel: Some(f.channel),
        from: f.from.trim().to_string(),
        name: f.name.trim().to_string(),
    };
    let t = s.tr();
    let refused = |msg: String, status| (status, msg);
    let problem = if who.from.is_empty() {
        Some(refused(
            t.s("simulator.need_from").to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    } else if f.text.trim().is_empty() {
        Some(refused(
            t.s("simulator.need_text").to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    } else {
        deliver(&state, &who, &f.text).await.err().map(|e| {
            refused(
                format!("{}: {e}", t.s("simulator.failed")),
                StatusCode::BAD_GATEWAY,
            )
        })
    };
    match problem {
        None => Ok(
            Redirect::to(&format!("/simulator?{}&ok=simulator.sent", who.query())).into_response(),
        ),
        Some(p) => simulator_page(&state, &s, who, None, f.text, Some(p)).await,
    }
}

async fn deliver(state: &AppState, who: &Who, text: &str) -> Result<(), String> {
    let url = format!(
        "{}/sim/api/inbound",
        state.config.public_url.trim_end_matches('/')
    );
    let body = serde_json::json!({
        "channel_id": who.channel,
        "from": who.from,
        "name": Some(who.name.as_str()).filter(|n| !n.is_empty()),
        "text": text,
    });
    let res = state
        .pipeline
        .http
        .post(url)
        .json(&body)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    if res.status().is_success() {
        Ok(())
    } else {
        let status = res.status();
        let detail = res.text().await.unwrap_or_default();
        Err(format!("HTTP {} {}", status.as_u16(), detail.trim()))
    }
}
