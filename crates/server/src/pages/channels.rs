//! Channel administration: the list of a cooperative's channels with the webhook URL to
//! paste into each provider's console, adding one (the form shows the credentials of
//! the chosen kind), a channel's page with its settings and masked secrets, changing
//! it (a secret left empty keeps its value), switching it on or off, and testing the
//! connection. Secrets are never shown in full, not even back in a refused form.

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
use guyub_connectors::ChannelKind;
use guyub_domain::{Action, ChannelId};
use guyub_services::channels::{self, ChannelChange, ChannelInput, ChannelView};
use serde::Deserialize;
use std::collections::BTreeMap;

type PageResult = Result<Response, PageError>;

/// Form fields that carry a credential are named `cred_` + its name.
const CRED: &str = "cred_";

pub struct ChannelRow {
    pub id: i64,
    pub kind: &'static str,
    pub name: String,
    pub base_url: String,
    pub active: bool,
    pub webhook_url: String,
}

fn row(state: &AppState, v: &ChannelView) -> ChannelRow {
    ChannelRow {
        id: v.id.0,
        kind: v.kind.as_str(),
        name: v.name.clone(),
        base_url: v.base_url.clone(),
        active: v.active,
        webhook_url: format!(
            "{}{}",
            state.config.public_url.trim_end_matches('/'),
            v.webhook_path
        ),
    }
}

/// One credential of a kind as a form shows it: a setting with its value, or a secret
/// with only its mask.
pub struct Field {
    pub key: &'static str,
    pub label: String,
    pub secret: bool,
    pub value: String,
    pub masked: String,
}

/// A credential's name in the reader's language (`access_token` → "Access token").
fn label(t: Tr, key: &str) -> String {
    t.or(&format!("cred.{key}"), key).to_string()
}

fn fields(
    t: Tr,
    kind: ChannelKind,
    settings: &BTreeMap<String, String>,
    masked: &BTreeMap<String, String>,
) -> Vec<Field> {
    kind.credential_keys()
        .iter()
        .map(|(key, secret)| Field {
            key,
            label: label(t, key),
            secret: *secret,
            value: if *secret {
                String::new()
            } else {
                settings.get(*key).cloned().unwrap_or_default()
            },
            masked: masked.get(*key).cloned().unwrap_or_default(),
        })
        .collect()
}

/// What a channel form sent: its plain fields and the credentials by name.
#[derive(Default)]
struct Posted {
    kind: String,
    name: String,
    base_url: String,
    values: BTreeMap<String, String>,
}

fn posted(pairs: Vec<(String, String)>) -> Posted {
    let mut p = Posted::default();
    for (k, v) in pairs {
        match k.as_str() {
            "kind" => p.kind = v,
            "name" => p.name = v,
            "base_url" => p.base_url = v,
            _ => {
                if let Some(key) = k.strip_prefix(CRED)
                    && !v.trim().is_empty()
                {
                    p.values.insert(key.to_string(), v);
                }
            }
        }
    }
    p
}

fn can_manage(s: &PageSession) -> bool {
    s.actor.role.can(Action::ManageChannels)
}

fn forbidden(s: &PageSession) -> PageError {
    PageError::new(StatusCode::FORBIDDEN, s.lang(), "error.forbidden")
}

#[derive(Template)]
#[template(path = "channels.html")]
struct ListPage {
    t: Tr,
    shell: Shell,
    rows: Vec<ChannelRow>,
    kinds: &'static [ChannelKind],
    can_manage: bool,
}

pub async fn list(
    State(state): State<AppState>,
    s: PageSession,
    Query(f): Query<Flash>,
) -> PageResult {
    let found = channels::list(&state.db, &state.pipeline.secrets, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(&state, &s, "channels", f.ok.as_deref()).await?;
    let view = ListPage {
        t: s.tr(),
        shell,
        rows: found.iter().map(|v| row(&state, v)).collect(),
        kinds: &ChannelKind::ALL,
        can_manage: can_manage(&s),
    };
    Ok(html(&view, s.lang())?.into_response())
}

#[derive(Template)]
#[template(path = "channel_form.html")]
struct NewPage {
    t: Tr,
    shell: Shell,
    /// None: choose a kind first.
    kind: Option<ChannelKind>,
    kinds: &'static [ChannelKind],
    name: String,
    base_url: String,
    default_base_url: &'static str,
    fields: Vec<Field>,
    error: Option<String>,
}

async fn new_page(
    state: &AppState,
    s: &PageSession,
    kind: Option<ChannelKind>,
    p: Posted,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    if !can_manage(s) {
        return Err(forbidden(s));
    }
    let shell = Shell::load(state, s, "channels", None).await?;
    let t = s.tr();
    let (status, error) = split(error);
    let view = NewPage {
        name: match kind {
            Some(k) if p.name.is_empty() && error.is_none() => t.kind(k.as_str()).to_string(),
            _ => p.name,
        },
        base_url: p.base_url,
        default_base_url: kind.map(|k| k.default_base_url()).unwrap_or_default(),
        // Settings typed before a refusal come back; secrets must be typed again.
        fields: kind
            .map(|k| fields(t, k, &p.values, &BTreeMap::new()))
            .unwrap_or_default(),
        kind,
        kinds: &ChannelKind::ALL,
        t,
        shell,
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KindQuery {
    kind: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<KindQuery>,
) -> PageResult {
    let kind = ChannelKind::parse(&q.kind);
    new_page(&state, &s, kind, Posted::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    s: PageSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let p = posted(pairs);
    let input = ChannelInput {
        kind: &p.kind,
        name: &p.name,
        base_url: &p.base_url,
        values: &p.values,
    };
    match channels::add(&state.db, &state.pipeline.secrets, &s.actor, &input).await {
        Ok(v) => {
            Ok(Redirect::to(&format!("/channels/{}?ok=channels.created", v.id.0)).into_response())
        }
        Err(e) => {
            let shown = refusal(&s, e)?;
            let kind = ChannelKind::parse(&p.kind);
            new_page(&state, &s, kind, p, Some(shown)).await
        }
    }
}

/// The result of "test the connection": whether it worked, and what was answered.
struct Tested {
    ok: bool,
    detail: String,
}

#[derive(Template)]
#[template(path = "channel.html")]
struct ChannelPage {
    t: Tr,
    shell: Shell,
    c: ChannelRow,
    settings: Vec<(String, String)>,
    secrets: Vec<(String, String)>,
    fields: Vec<Field>,
    created: String,
    can_manage: bool,
    test: Option<Tested>,
    error: Option<String>,
}

async fn channel_page(
    state: &AppState,
    s: &PageSession,
    id: ChannelId,
    flash: Option<&str>,
    test: Option<Tested>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let v = channels::get(&state.db, &state.pipeline.secrets, &s.actor, id)
        .await
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(state, s, "channels", flash).await?;
    let (mut status, error) = split(error);
    if test.as_ref().is_some_and(|r| !r.ok) {
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let t = s.tr();
    let labelled = |m: BTreeMap<String, String>| -> Vec<(String, String)> {
        m.into_iter().map(|(k, v)| (label(t, &k), v)).collect()
    };
    let view = ChannelPage {
        t,
        c: row(state, &v),
        fields: fields(t, v.kind, &v.settings, &v.secrets_masked),
        settings: labelled(v.settings),
        secrets: labelled(v.secrets_masked),
        created: local_time(v.created_at, &shell.tz),
        shell,
        can_manage: can_manage(s),
        test,
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    channel_page(&state, &s, ChannelId(id), f.ok.as_deref(), None, None).await
}

/// After a change: the channel's page with a flash, or again with the refusal.
async fn changed(
    state: &AppState,
    s: &PageSession,
    id: i64,
    change: ChannelChange<'_>,
    ok: &str,
) -> PageResult {
    match channels::change(
        &state.db,
        &state.pipeline.secrets,
        &s.actor,
        ChannelId(id),
        &change,
    )
    .await
    {
        Ok(_) => {
            state.hook_channels.forget(id);
            Ok(Redirect::to(&format!("/channels/{id}?ok={ok}")).into_response())
        }
        Err(e) => {
            let shown = refusal(s, e)?;
            channel_page(state, s, ChannelId(id), None, None, Some(shown)).await
        }
    }
}

pub async fn update(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let p = posted(pairs);
    let change = ChannelChange {
        name: Some(&p.name),
        base_url: Some(&p.base_url),
        values: &p.values,
        active: None,
    };
    changed(&state, &s, id, change, "channels.saved").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> PageResult {
    let on = f.active == "true";
    let none = BTreeMap::new();
    let change = ChannelChange {
        name: None,
        base_url: None,
        values: &none,
        active: Some(on),
    };
    let ok = if on {
        "channels.activated"
    } else {
        "channels.deactivated"
    };
    changed(&state, &s, id, change, ok).await
}

pub async fn test(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    let result = channels::test_connection(
        &state.db,
        &state.pipeline.secrets,
        &state.pipeline.http,
        &s.actor,
        ChannelId(id),
    )
    .await;
    let shown = match result {
        Ok(detail) => Tested { ok: true, detail },
        Err(e) => Tested {
            ok: false,
            detail: refusal(&s, e)?.1,
        },
    };
    channel_page(&state, &s, ChannelId(id), None, Some(shown), None).await
}
