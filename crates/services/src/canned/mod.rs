//! Canned replies: ready-made answers agents insert by shortcut (`/salam`). Agents use
//! them (`Action::WorkInbox`); supervisors and administrators write them
//! (`Action::ManageRouting`, audited). The body is a template rendered in a sandbox
//! (`template`) with the variables of `VARIABLES`; saving refuses a body that does not
//! compile, names an unknown variable, or fails on sample values.

mod template;

pub use template::{
    CannedContext, FUEL, MAX_BODY_CHARS, MAX_OUTPUT_CHARS, TemplateError, VARIABLES, Variable,
    check, render_body,
};

use crate::{Actor, Result, invalid, record};
use guyub_domain::{Action, CannedReplyId};
use guyub_store::Db;
use guyub_store::canned::{self as store, CannedFields, CannedReply};

/// A reply as typed.
#[derive(Debug, Clone)]
pub struct CannedInput<'a> {
    pub shortcut: &'a str,
    pub title: &'a str,
    pub body: &'a str,
}

/// A reply named by id or by shortcut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CannedRef {
    Id(CannedReplyId),
    Shortcut(String),
}

impl CannedRef {
    /// Digits name an id; anything else a shortcut (with or without its slash).
    pub fn parse(raw: &str) -> CannedRef {
        let raw = raw.trim();
        match raw.parse::<i64>() {
            Ok(id) if !raw.starts_with('/') => CannedRef::Id(CannedReplyId(id)),
            _ => CannedRef::Shortcut(normalise_shortcut(raw)),
        }
    }
}

/// The longest shortcut after its slash.
pub const MAX_SHORTCUT_CHARS: usize = 32;
pub const MAX_TITLE_CHARS: usize = 100;

fn normalise_shortcut(raw: &str) -> String {
    let s = raw.trim().to_lowercase();
    if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    }
}

/// `/salam`: a slash, then 1 to 32 lower-case letters, digits, `-` or `_` (typed
/// without the slash or in capitals, it is normalised).
pub fn parse_shortcut(raw: &str) -> Result<String> {
    let s = normalise_shortcut(raw);
    let rest = &s[1..];
    let ok = !rest.is_empty()
        && rest.chars().count() <= MAX_SHORTCUT_CHARS
        && rest
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(s)
    } else {
        Err(invalid(
            "shortcut",
            "a shortcut is a slash and 1 to 32 letters, digits, - or _, e.g. /salam",
        ))
    }
}

fn checked<'a>(input: &CannedInput<'a>) -> Result<(String, &'a str, &'a str)> {
    let shortcut = parse_shortcut(input.shortcut)?;
    let title = input.title.trim();
    if title.is_empty()
        || title.chars().count() > MAX_TITLE_CHARS
        || title.chars().any(char::is_control)
    {
        return Err(invalid("title", "a title has 1 to 100 characters"));
    }
    check(input.body).map_err(|e| invalid("body", e.to_string()))?;
    Ok((shortcut, title, input.body))
}

pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<CannedReply>> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(store::list(&mut conn, actor.cooperative_id).await?)
}

pub async fn get(db: &Db, actor: &Actor, id: CannedReplyId) -> Result<CannedReply> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(store::get(&mut conn, actor.cooperative_id, id).await?)
}

/// Finds a reply by id or shortcut.
pub async fn find(db: &Db, actor: &Actor, key: &CannedRef) -> Result<CannedReply> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    let coop = actor.cooperative_id;
    Ok(match key {
        CannedRef::Id(id) => store::get(&mut conn, coop, *id).await?,
        CannedRef::Shortcut(s) => store::by_shortcut(&mut conn, coop, s).await?,
    })
}

pub async fn create(db: &Db, actor: &Actor, input: &CannedInput<'_>) -> Result<CannedReply> {
    actor.require(Action::ManageRouting)?;
    let (shortcut, title, body) = checked(input)?;
    let by = actor.label();
    let mut tx = db.begin_write().await?;
    let c = store::create(
        &mut tx,
        actor.cooperative_id,
        &CannedFields {
            shortcut: &shortcut,
            title,
            body,
            by: &by,
        },
    )
    .await?;
    record(
        &mut tx,
        actor,
        "canned.created",
        &format!("canned:{}", c.id),
        &c.shortcut,
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: CannedReplyId,
    input: &CannedInput<'_>,
) -> Result<CannedReply> {
    actor.require(Action::ManageRouting)?;
    let (shortcut, title, body) = checked(input)?;
    let by = actor.label();
    let mut tx = db.begin_write().await?;
    let c = store::update(
        &mut tx,
        actor.cooperative_id,
        id,
        &CannedFields {
            shortcut: &shortcut,
            title,
            body,
            by: &by,
        },
    )
    .await?;
    record(
        &mut tx,
        actor,
        "canned.updated",
        &format!("canned:{}", c.id),
        &c.shortcut,
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

pub async fn delete(db: &Db, actor: &Actor, id: CannedReplyId) -> Result<CannedReply> {
    actor.require(Action::ManageRouting)?;
    let mut tx = db.begin_write().await?;
    let c = store::delete(&mut tx, actor.cooperative_id, id).await?;
    record(
        &mut tx,
        actor,
        "canned.deleted",
        &format!("canned:{}", c.id),
        &c.shortcut,
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// The text of a reply for a conversation: its body rendered with `ctx`. A body that
/// fails with these values (too long with a long name) is refused on `body`.
pub async fn render(
    db: &Db,
    actor: &Actor,
    key: &CannedRef,
    ctx: &CannedContext,
) -> Result<String> {
    let reply = find(db, actor, key).await?;
    render_body(&reply.body, ctx).map_err(|e| invalid("body", e.to_string()))
}

/// Renders a body that is not saved (the editor's preview), after the checks saving
/// makes.
pub fn preview(actor: &Actor, body: &str, ctx: &CannedContext) -> Result<String> {
    actor.require(Action::WorkInbox)?;
    check(body).map_err(|e| invalid("body", e.to_string()))?;
    render_body(body, ctx).map_err(|e| invalid("body", e.to_string()))
}
