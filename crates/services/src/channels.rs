//! Channel administration: add, list, change and switch off a cooperative's channels.
//! Secret settings are sealed before they reach the database and are never shown again
//! in full; the webhook URL is what staff paste into the provider's console.

use crate::secretbox::SecretBox;
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_connectors::{ChannelKind, Credentials};
use guyub_domain::{Action, ChannelId};
use guyub_store::Db;
use guyub_store::channels::{self, Channel, NewChannel};
use std::collections::BTreeMap;

/// A channel as staff see it: settings in full, secrets masked.
#[derive(Debug, Clone)]
pub struct ChannelView {
    pub id: ChannelId,
    pub kind: ChannelKind,
    pub name: String,
    pub base_url: String,
    pub settings: BTreeMap<String, String>,
    /// Each secret's name and its last four characters.
    pub secrets_masked: BTreeMap<String, String>,
    pub active: bool,
    pub webhook_path: String,
    pub created_at: i64,
}

pub struct ChannelInput<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// Empty: the provider's public API.
    pub base_url: &'a str,
    /// Named values; which are secret is decided by the kind.
    pub values: &'a BTreeMap<String, String>,
}

fn kind_of(raw: &str) -> Result<ChannelKind> {
    ChannelKind::parse(raw).ok_or_else(|| {
        invalid(
            "kind",
            format!(
                "unknown channel kind; one of {}",
                ChannelKind::ALL.map(|k| k.as_str()).join(", ")
            ),
        )
    })
}

fn check_base_url(url: &str) -> Result<()> {
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() > 300
        || url.contains(char::is_whitespace)
    {
        return Err(invalid("base_url", "must be an http(s) URL"));
    }
    Ok(())
}

fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n <= 4 {
        "****".into()
    } else {
        format!("****{}", secret.chars().skip(n - 4).collect::<String>())
    }
}

pub fn webhook_path(kind: ChannelKind, id: ChannelId) -> String {
    format!("/hooks/{}/{}", kind.as_str(), id)
}

fn view(boxed: &SecretBox, c: Channel) -> Result<ChannelView> {
    let kind = kind_of(&c.kind)?;
    let settings: BTreeMap<String, String> = serde_json::from_str(&c.settings).unwrap_or_default();
    let secrets: BTreeMap<String, String> = boxed
        .open(&c.secrets)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    Ok(ChannelView {
        id: c.id,
        webhook_path: webhook_path(kind, c.id),
        kind,
        name: c.name,
        base_url: c.base_url,
        settings,
        secrets_masked: secrets.iter().map(|(k, v)| (k.clone(), mask(v))).collect(),
        active: c.active,
        created_at: c.created_at,
    })
}

/// Splits the given values into settings and secrets by the kind's list; every needed
/// value must be present (for a change, missing secrets keep their old value).
fn split_values(
    kind: ChannelKind,
    values: &BTreeMap<String, String>,
    old_secrets: &BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, BTreeMap<String, String>)> {
    for k in values.keys() {
        if !kind.credential_keys().iter().any(|(n, _)| n == k) {
            return Err(invalid(
                "credentials",
                format!("{k} is not a setting of a {kind} channel"),
            ));
        }
    }
    let mut settings = BTreeMap::new();
    let mut secrets = BTreeMap::new();
    for (key, secret) in kind.credential_keys() {
        let given = values
            .get(*key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let value = match (given, old_secrets.get(*key)) {
            (Some(v), _) => v,
            (None, Some(old)) if *secret => old.clone(),
            (None, _) => {
                return Err(invalid(
                    "credentials",
                    format!("{key} is required for a {kind} channel"),
                ));
            }
        };
        if value.len() > 1000 || value.chars().any(char::is_control) {
            return Err(invalid(
                "credentials",
                format!("{key} is not a valid value"),
            ));
        }
        if *secret {
            secrets.insert(key.to_string(), value);
        } else {
            settings.insert(key.to_string(), value);
        }
    }
    Ok((settings, secrets))
}

pub async fn add(
    db: &Db,
    boxed: &SecretBox,
    actor: &Actor,
    input: &ChannelInput<'_>,
) -> Result<ChannelView> {
    actor.require(Action::ManageChannels)?;
    let kind = kind_of(input.kind)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("name", "is required, at most 100 characters"));
    }
    let base_url = if matches!(kind, ChannelKind::Webchat | ChannelKind::Email) {
        ""
    } else if input.base_url.trim().is_empty() {
        kind.default_base_url()
    } else {
        input.base_url.trim()
    };
    if !matches!(kind, ChannelKind::Webchat | ChannelKind::Email) {
        check_base_url(base_url)?;
    }
    // The widget's secret is Guyub's own: made here unless given.
    let mut values = input.values.clone();
    if kind == ChannelKind::Webchat
        && values
            .get("widget_secret")
            .is_none_or(|v| v.trim().is_empty())
    {
        values.insert("widget_secret".into(), crate::secret::random_token());
    }
    let (settings, secrets) = split_values(kind, &values, &BTreeMap::new())?;
    let sealed = boxed.seal(&serde_json::to_string(&secrets).unwrap_or_default());
    let mut tx = db.begin_write().await?;
    let c = channels::create(
        &mut tx,
        actor.cooperative_id,
        NewChannel {
            kind: kind.as_str(),
            name,
            base_url,
            settings: &serde_json::to_string(&settings).unwrap_or_default(),
            secrets: &sealed,
        },
    )
    .await?;
    record(
        &mut tx,
        actor,
        "channel.created",
        &format!("channel:{}", c.id),
        &format!("kind={kind}"),
    )
    .await?;
    tx.commit().await?;
    view(boxed, c)
}

pub struct ChannelChange<'a> {
    pub name: Option<&'a str>,
    pub base_url: Option<&'a str>,
    pub values: &'a BTreeMap<String, String>,
    pub active: Option<bool>,
}

pub async fn change(
    db: &Db,
    boxed: &SecretBox,
    actor: &Actor,
    id: ChannelId,
    ch: &ChannelChange<'_>,
) -> Result<ChannelView> {
    actor.require(Action::ManageChannels)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let c = channels::get(&mut tx, coop, id).await?;
    let kind = kind_of(&c.kind)?;
    let old_settings: BTreeMap<String, String> =
        serde_json::from_str(&c.settings).unwrap_or_default();
    let old_secrets: BTreeMap<String, String> = boxed
        .open(&c.secrets)
        .map_err(|e| ServiceError::Internal(e.to_string()))
        .and_then(|s| {
            serde_json::from_str(&s).map_err(|e| ServiceError::Internal(e.to_string()))
        })?;
    let mut values = old_settings.clone();
    values.extend(ch.values.iter().map(|(k, v)| (k.clone(), v.clone())));
    let (settings, secrets) = split_values(kind, &values, &old_secrets)?;
    let name = ch.name.map(str::trim).unwrap_or(&c.name).to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("name", "is required, at most 100 characters"));
    }
    let base_url = ch
        .base_url
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(&c.base_url)
        .to_string();
    if !matches!(kind, ChannelKind::Webchat | ChannelKind::Email) {
        check_base_url(&base_url)?;
    }
    let active = ch.active.unwrap_or(c.active);
    let sealed = boxed.seal(&serde_json::to_string(&secrets).unwrap_or_default());
    let settings = serde_json::to_string(&settings).unwrap_or_default();
    let update = channels::ChannelUpdate {
        name: &name,
        base_url: &base_url,
        settings: &settings,
        secrets: &sealed,
        active,
    };
    let updated = channels::update(&mut tx, coop, id, update).await?;
    let changed: Vec<&String> = ch.values.keys().collect();
    record(
        &mut tx,
        actor,
        "channel.changed",
        &format!("channel:{id}"),
        &format!(
            "active={active} values={}",
            changed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        ),
    )
    .await?;
    tx.commit().await?;
    view(boxed, updated)
}

pub async fn list(db: &Db, boxed: &SecretBox, actor: &Actor) -> Result<Vec<ChannelView>> {
    actor.require(Action::ViewMembers)?;
    let list = channels::list(&mut *db.conn().await?, actor.cooperative_id).await?;
    list.into_iter().map(|c| view(boxed, c)).collect()
}

pub async fn get(db: &Db, boxed: &SecretBox, actor: &Actor, id: ChannelId) -> Result<ChannelView> {
    actor.require(Action::ViewMembers)?;
    view(
        boxed,
        channels::get(&mut *db.conn().await?, actor.cooperative_id, id).await?,
    )
}

/// Everything a connector needs: the base URL, settings and opened secrets.
pub fn credentials(boxed: &SecretBox, c: &Channel) -> Result<Credentials> {
    let mut values: BTreeMap<String, String> =
        serde_json::from_str(&c.settings).unwrap_or_default();
    let secrets: BTreeMap<String, String> = boxed
        .open(&c.secrets)
        .map_err(|e| ServiceError::Internal(format!("channel {}: {e}", c.id)))
        .and_then(|s| {
            serde_json::from_str(&s).map_err(|e| ServiceError::Internal(e.to_string()))
        })?;
    values.extend(secrets);
    Ok(Credentials {
        base_url: c.base_url.clone(),
        values,
    })
}

/// Checks that the provider answers with these credentials (a read-only call).
pub async fn test_connection(
    db: &Db,
    boxed: &SecretBox,
    http: &reqwest::Client,
    actor: &Actor,
    id: ChannelId,
) -> Result<String> {
    actor.require(Action::ManageChannels)?;
    let c = channels::get(&mut *db.conn().await?, actor.cooperative_id, id).await?;
    let kind = kind_of(&c.kind)?;
    let creds = credentials(boxed, &c)?;
    let (url, bearer) = match kind {
        ChannelKind::Webchat => return Ok("the web chat is served by Guyub itself".into()),
        ChannelKind::Email => {
            return crate::pipeline::mail::check(&creds)
                .await
                .map_err(|e| invalid("connection", e));
        }
        ChannelKind::Whatsapp => (
            format!("{}/{}", creds.base(), creds.get("phone_number_id")),
            Some(creds.get("access_token")),
        ),
        ChannelKind::Messenger | ChannelKind::Instagram => (
            format!("{}/{}", creds.base(), creds.get("page_id")),
            Some(creds.get("access_token")),
        ),
        ChannelKind::Telegram => (
            format!("{}/bot{}/getMe", creds.base(), creds.get("bot_token")),
            None,
        ),
        ChannelKind::Line => (
            format!("{}/v2/bot/info", creds.base()),
            Some(creds.get("channel_access_token")),
        ),
        ChannelKind::X => (
            format!("{}/2/users/me", creds.base()),
            Some(creds.get("access_token")),
        ),
    };
    let mut req = http.get(url).timeout(std::time::Duration::from_secs(10));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    match req.send().await {
        Ok(res) if res.status().is_success() => {
            Ok(format!("{} answered {}", kind, res.status().as_u16()))
        }
        Ok(res) => Err(invalid(
            "connection",
            format!("{kind} answered {}", res.status()),
        )),
        Err(e) => Err(invalid(
            "connection",
            format!("cannot reach {kind}: {}", e.without_url()),
        )),
    }
}

/// The channel a webhook names, if it exists and is active. A webhook carries no
/// credential of ours: the channel's own secret authenticates the delivery afterwards.
pub async fn for_webhook(db: &Db, id: ChannelId) -> Result<Option<Channel>> {
    match channels::for_webhook(&mut *db.conn().await?, id).await {
        Ok(c) => Ok(Some(c)),
        Err(guyub_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
