//! The inbox: the conversation list with its views, filters and unread counts, and one
//! conversation with the member's whole history across channels, private notes,
//! activity, and the agent's actions. Live over server-sent events (`/inbox/events`,
//! `assets/inbox.js`): an event makes the script fetch the page again and swap in the
//! parts marked `data-live`, so a half-typed reply stays. Pages work without the
//! script; they are only not live.

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
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::{Action, ChannelId, ConversationId, MessageId, UserId};
use guyub_services::inbox::{self, Assign, StatusChange};
use guyub_services::{ServiceError, conversations};
use guyub_store::inbox::{Agent, Counts, Filter, Team};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, PageError>;

const LIST_LIMIT: i64 = 100;

/// How an SLA target stands, for the list and the conversation.
pub struct Timer {
    /// `ok`, `risk` or `late`.
    pub state: &'static str,
    pub label: String,
    pub due: i64,
    /// Time left under which it is at risk (the script counts down with it).
    pub risk_ms: i64,
}

/// The timer that matters now: the first response until it is given, then resolution.
/// Whether it is at risk is the SLA rule's (`guyub_domain::sla::timer`).
fn timer(
    c: &guyub_store::messages::Conversation,
    targets: &guyub_domain::sla::Targets,
    now: i64,
) -> Option<Timer> {
    if c.status == "resolved" {
        return None;
    }
    let target = targets.get(
        guyub_domain::sla::Priority::parse(&c.priority)
            .unwrap_or(guyub_domain::sla::Priority::Normal),
    );
    let (due, which, minutes) = match (c.first_response_at, c.first_response_due, c.resolution_due)
    {
        (None, Some(d), _) => (d, "FR", target.first_response),
        (_, _, Some(d)) => (d, "RES", target.resolution),
        _ => return None,
    };
    let t = guyub_domain::sla::timer(now, due, None, minutes);
    let mins = t.remaining_ms.abs() / 60_000;
    let span = if mins >= 120 {
        format!("{}j{}m", mins / 60, mins % 60)
    } else {
        format!("{mins}m")
    };
    let (state, sign) = if t.overdue {
        ("late", "−")
    } else if t.at_risk {
        ("risk", "")
    } else {
        ("ok", "")
    };
    Some(Timer {
        state,
        label: format!("{which} {sign}{span}"),
        due,
        risk_ms: (minutes * 60_000 / 4).max(guyub_domain::sla::AT_RISK_FLOOR_MS),
    })
}

struct Row {
    id: i64,
    contact_name: String,
    member: bool,
    verified: bool,
    kind: String,
    status: String,
    priority: String,
    preview: String,
    unread: i64,
    labels: Vec<String>,
    assignee: String,
    last_message: String,
    timer: Option<Timer>,
}

/// The list's filter form, as submitted (GET).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    view: String,
    status: String,
    channel: String,
    team: String,
    assignee: String,
    label: String,
    member: String,
    verified: String,
    sla: String,
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct ListPage {
    t: Tr,
    shell: Shell,
    rows: Vec<Row>,
    counts: Counts,
    q: ListQuery,
    agents: Vec<Agent>,
    teams: Vec<Team>,
    labels: Vec<String>,
    kinds: Vec<&'static str>,
    presence: String,
    error: Option<String>,
}

const KINDS: [&str; 8] = [
    "whatsapp",
    "telegram",
    "instagram",
    "messenger",
    "line",
    "x",
    "email",
    "webchat",
];

fn agent_name(agents: &[Agent], id: Option<i64>) -> String {
    id.and_then(|id| agents.iter().find(|a| a.user_id.0 == id))
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let me = s.actor.user_id();
    // A view is a preset of the filters.
    let (status, assignee) = match q.view.as_str() {
        "mine" => ("open", "me"),
        "unassigned" => ("open", "none"),
        "snoozed" => ("snoozed", ""),
        "resolved" => ("resolved", ""),
        _ => (
            if q.status.is_empty() {
                "open"
            } else {
                q.status.as_str()
            },
            q.assignee.as_str(),
        ),
    };
    let mut error = None;
    let mut f = match inbox::filter(&s.actor, Some(status), Some(&q.channel), Some(assignee)) {
        Ok(f) => f,
        Err(e) => {
            error = Some(e.to_string());
            Filter::default()
        }
    };
    f.team_id = q.team.parse().ok();
    f.label = Some(q.label.clone()).filter(|l| !l.is_empty());
    f.member = match q.member.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    f.verified = (q.verified == "yes").then_some(true);
    f.sla_at_risk = q.sla == "risk" || q.view == "sla";
    let found = inbox::list(&state.db, &s.actor, &f, LIST_LIMIT)
        .await
        .map_err(|e| s.fail(e))?;
    let counts = inbox::counts(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let agents = inbox::agents(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let teams = inbox::teams(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let labels = inbox::labels(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let targets = guyub_services::sla::targets(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(&state, &s, "conversations", None).await?;
    let now = guyub_store::now_ms();
    let rows = found
        .into_iter()
        .map(|r| Row {
            id: r.conversation.id.0,
            contact_name: r.contact_name,
            member: r.conversation.member_id.is_some(),
            verified: r.conversation.verified,
            kind: r.channel_kind,
            timer: timer(&r.conversation, &targets, now),
            status: r.conversation.status,
            priority: r.conversation.priority,
            preview: r.conversation.preview,
            unread: r.conversation.unread,
            labels: r.labels,
            assignee: agent_name(&agents, r.conversation.assignee_id),
            last_message: local_time(r.conversation.last_message_at, &shell.tz),
        })
        .collect();
    let presence = me
        .and_then(|u| agents.iter().find(|a| a.user_id == u))
        .map(|a| a.presence.clone())
        .unwrap_or_else(|| "offline".into());
    let view = ListPage {
        t: s.tr(),
        shell,
        rows,
        counts,
        q,
        agents,
        teams,
        labels,
        kinds: KINDS.to_vec(),
        presence,
        error,
    };
    Ok(html(&view, s.lang())?.into_response())
}

/// One item of the timeline: a message, a private note or an activity entry.
struct Item {
    /// `message`, `note` or `event`.
    what: &'static str,
    id: i64,
    outgoing: bool,
    kind: String,
    channel_kind: String,
    body: String,
    status: String,
    error: Option<String>,
    author: String,
    when: String,
    file: bool,
    /// A member message that could be split out.
    splittable: bool,
}

/// Who did something, shortly: the staff e-mail, the token's name, "system".
fn author(t: Tr, raw: &str) -> String {
    if raw == conversations::CODE_AUTHOR {
        return t.s("conversations.system").to_string();
    }
    if raw == inbox::routing::ROUTING {
        return t.s("inbox.routing").to_string();
    }
    match raw.split_once(' ') {
        Some((_, who)) if raw.starts_with("user:") || raw.starts_with("token:") => who.to_string(),
        _ => raw.to_string(),
    }
}

/// An activity entry in words.
fn describe(t: Tr, kind: &str, detail: &str, agents: &[Agent], teams: &[Team], tz: &str) -> String {
    let who = |d: &str| -> String {
        d.split(' ')
            .filter_map(|part| match part.split_once(':') {
                Some(("user", id)) => id
                    .parse::<i64>()
                    .ok()
                    .map(|id| agent_name(agents, Some(id)))
                    .filter(|n| !n.is_empty()),
                Some(("team", id)) => id
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| teams.iter().find(|x| x.id == id))
                    .map(|x| format!("{} {}", t.s("inbox.team"), x.name)),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let label = t.s(&format!("inbox.event.{kind}"));
    let label = if label == "??" { kind } else { label };
    match kind {
        "assigned" | "transferred" => format!("{label} {}", who(detail)),
        "snoozed" => format!(
            "{label} {}",
            detail
                .parse::<i64>()
                .map(|ms| local_time(ms, tz))
                .unwrap_or_default()
        ),
        "sla_breach" => format!("{label}: {}", t.s(&format!("inbox.sla.{detail}"))),
        "labelled" | "unlabelled" | "priority" | "team_deleted" => format!("{label}: {detail}"),
        _ => label.to_string(),
    }
}

struct ConvHead {
    id: i64,
    contact_id: i64,
    contact_name: String,
    member_id: Option<i64>,
    verified: bool,
    kind: String,
    status: String,
    priority: String,
    assignee_key: String,
    assignee: String,
    team_key: String,
    team_name: String,
    skill: Option<String>,
    labels: Vec<String>,
    asked_on: Vec<String>,
    timer: Option<Timer>,
    resolution: Option<Timer>,
}

struct Option_ {
    channel_id: i64,
    kind: String,
    name: String,
    window_open: bool,
    template_allowed: bool,
    closed_reason: Option<String>,
    default: bool,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    t: Tr,
    shell: Shell,
    c: ConvHead,
    items: Vec<Item>,
    options: Vec<Option_>,
    /// The default channel's window is closed.
    closed: Option<String>,
    template_allowed: bool,
    agents: Vec<Agent>,
    teams: Vec<Team>,
    seen: i64,
    text: String,
    note: String,
    /// Canned replies: (id, shortcut, title).
    canned: Vec<(i64, String, String)>,
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
    let d = inbox::open(&state.db, &s.actor, id)
        .await
        .map_err(|e| s.fail(e))?;
    let agents = inbox::agents(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let teams = inbox::teams(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let targets = guyub_services::sla::targets(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let canned = guyub_services::canned::list(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?
        .into_iter()
        .map(|r| (r.id.0, r.shortcut, r.title))
        .collect();
    let kinds: HashMap<ChannelId, String> = d
        .reply_options
        .iter()
        .map(|o| (o.channel_id, o.kind.clone()))
        .chain(d.asked_on.iter().cloned())
        .collect();
    let shell = Shell::load(state, s, "conversations", flash).await?;
    let t = s.tr();
    let simulator = match d.messages.iter().rev().find(|m| m.direction == "in") {
        Some(m) if state.config.simulator => {
            let contact = guyub_services::identity::get_contact(&state.db, &s.actor, d.contact.id)
                .await
                .ok();
            contact
                .and_then(|c| c.identities.into_iter().find(|i| i.id == m.identity_id))
                .map(|i| (m.channel_id.0, i.external_id))
        }
        _ => None,
    };
    let several = d.asked_on.len() > 1;
    let mut items: Vec<(i64, Item)> = d
        .messages
        .iter()
        .map(|m| {
            (
                m.created_at,
                Item {
                    what: "message",
                    id: m.id.0,
                    outgoing: m.direction == "out",
                    channel_kind: kinds.get(&m.channel_id).cloned().unwrap_or_default(),
                    kind: m.kind.clone(),
                    body: m.body.clone(),
                    status: m.status.clone(),
                    error: m.error.clone(),
                    author: author(t, m.author.as_deref().unwrap_or_default()),
                    when: local_time(m.created_at, &shell.tz),
                    file: m.media_state.as_deref() == Some("stored"),
                    splittable: several && m.direction == "in",
                },
            )
        })
        .collect();
    for e in &d.entries {
        let note = e.kind == "note";
        items.push((
            e.at,
            Item {
                what: if note { "note" } else { "event" },
                id: e.id,
                outgoing: false,
                kind: e.kind.clone(),
                channel_kind: String::new(),
                body: if note {
                    e.detail.clone()
                } else {
                    describe(t, &e.kind, &e.detail, &agents, &teams, &shell.tz)
                },
                status: String::new(),
                error: None,
                author: author(t, &e.actor),
                when: local_time(e.at, &shell.tz),
                file: false,
                splittable: false,
            },
        ));
    }
    items.sort_by_key(|(at, _)| *at);
    let default = d
        .reply_options
        .iter()
        .find(|o| o.default)
        .or(d.reply_options.first());
    let closed = default
        .filter(|o| !o.window_open)
        .and_then(|o| o.closed_reason.clone());
    let template_allowed = default.is_some_and(|o| o.template_allowed);
    let now = guyub_store::now_ms();
    let c = &d.conversation;
    let resolution = match (c.status.as_str(), c.resolution_due) {
        ("resolved", _) | (_, None) => None,
        (_, Some(_)) => {
            let mut only_res = c.clone();
            only_res.first_response_due = None;
            timer(&only_res, &targets, now)
        }
    };
    let head = ConvHead {
        id: c.id.0,
        contact_id: d.contact.id.0,
        contact_name: d.contact.display_name.clone(),
        member_id: d.contact.member_id.map(|m| m.0),
        verified: c.verified,
        kind: d.channel_kind.clone(),
        status: c.status.clone(),
        priority: c.priority.clone(),
        assignee_key: c.assignee_id.map(|a| a.to_string()).unwrap_or_default(),
        assignee: agent_name(&agents, c.assignee_id),
        team_key: c.team_id.map(|a| a.to_string()).unwrap_or_default(),
        team_name: teams
            .iter()
            .find(|x| Some(x.id) == c.team_id)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        skill: c.skill.clone(),
        labels: d.labels.clone(),
        asked_on: d.asked_on.iter().map(|(_, k)| k.clone()).collect(),
        timer: timer(c, &targets, now),
        resolution,
    };
    let options = d
        .reply_options
        .iter()
        .map(|o| Option_ {
            channel_id: o.channel_id.0,
            kind: o.kind.clone(),
            name: o.name.clone(),
            window_open: o.window_open,
            template_allowed: o.template_allowed,
            closed_reason: o.closed_reason.clone(),
            default: o.default,
        })
        .collect();
    let (status, error) = split(error);
    let view = ConversationPage {
        t,
        shell,
        c: head,
        items: items.into_iter().map(|(_, i)| i).collect(),
        options,
        closed,
        template_allowed,
        agents,
        teams,
        seen: d.seen,
        text,
        note: String::new(),
        canned,
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

/// Back to the conversation after an action, or the page again with the refusal.
async fn after(
    state: &AppState,
    s: &PageSession,
    id: i64,
    done: Result<(), ServiceError>,
    text: String,
) -> PageResult {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/conversations/{id}")).into_response()),
        Err(e) => {
            let shown = refusal(s, e)?;
            conversation_page(state, s, ConversationId(id), None, text, Some(shown)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    text: String,
    channel_id: String,
    seen: String,
    template: String,
    template_language: String,
    template_params: String,
}

pub async fn reply(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<ReplyForm>,
) -> PageResult {
    let params: Vec<String> = f
        .template_params
        .split('|')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let template = (!f.template.trim().is_empty()).then(|| {
        (
            f.template.trim(),
            if f.template_language.trim().is_empty() {
                "id"
            } else {
                f.template_language.trim()
            },
            params,
        )
    });
    let r = conversations::Reply {
        text: Some(&f.text),
        media: None,
        template,
        channel_id: f.channel_id.parse().ok().map(ChannelId),
        seen: f.seen.parse().ok(),
    };
    let done = conversations::reply(&state.pipeline, &s.actor, ConversationId(id), &r)
        .await
        .map(|_| ());
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/conversations/{id}#reply")).into_response()),
        Err(e) => {
            let shown = refusal(&s, e)?;
            conversation_page(&state, &s, ConversationId(id), None, f.text, Some(shown)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CannedForm {
    canned: String,
    text: String,
}

/// Puts a canned reply, filled in for this conversation, into the reply box (nothing
/// is sent; the agent reads and sends it).
pub async fn insert_canned(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<CannedForm>,
) -> PageResult {
    match inbox::render_canned(&state.db, &s.actor, ConversationId(id), &f.canned).await {
        Ok(text) => {
            let text = if f.text.trim().is_empty() {
                text
            } else {
                format!("{}\n{text}", f.text.trim_end())
            };
            conversation_page(&state, &s, ConversationId(id), None, text, None).await
        }
        Err(e) => {
            let shown = refusal(&s, e)?;
            conversation_page(&state, &s, ConversationId(id), None, f.text, Some(shown)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    /// A user id, `me`, or empty for nobody.
    user: String,
    team: String,
}

pub async fn assign(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> PageResult {
    // Empty: nobody / no team; otherwise an id (the service checks it is ours).
    let id_of = |raw: &str, field: &'static str, what: &str| match raw.trim() {
        "" => Ok(None),
        n => n
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ServiceError::Invalid {
                field,
                message: format!("no such {what} in this cooperative"),
            }),
    };
    let user = match f.user.as_str() {
        "me" => Ok(s.actor.user_id()),
        raw => id_of(raw, "assignee", "agent").map(|u| u.map(UserId)),
    };
    let to = match (user, id_of(&f.team, "team", "team")) {
        (Ok(user), Ok(team)) => Assign { user, team },
        (Err(e), _) | (_, Err(e)) => return after(&state, &s, id, Err(e), String::new()).await,
    };
    let done = inbox::assign(&state.pipeline, &s.actor, ConversationId(id), to).await;
    after(&state, &s, id, done, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    action: String,
    /// Snooze: minutes from now, or `tomorrow` (08:00 in the cooperative's zone), or a
    /// `datetime-local` value in `until`.
    snooze: String,
    until: String,
    seen: String,
}

/// The instant a snooze form means.
fn snooze_until(f: &StatusForm, tz: &str, now: i64) -> Option<i64> {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    if !f.until.is_empty() {
        let dt: jiff::civil::DateTime = f.until.parse().ok()?;
        return dt
            .to_zoned(zone)
            .ok()
            .map(|z| z.timestamp().as_millisecond());
    }
    if f.snooze == "tomorrow" {
        let today = jiff::Timestamp::from_millisecond(now)
            .ok()?
            .to_zoned(zone.clone());
        let next = today.date().tomorrow().ok()?.at(8, 0, 0, 0);
        return next
            .to_zoned(zone)
            .ok()
            .map(|z| z.timestamp().as_millisecond());
    }
    f.snooze.parse::<i64>().ok().map(|m| now + m * 60_000)
}

pub async fn set_status(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> PageResult {
    let change = match f.action.as_str() {
        "resolve" => Some(StatusChange::Resolve),
        "reopen" => Some(StatusChange::Reopen),
        "snooze" => {
            let tz = {
                let shell = Shell::load(&state, &s, "conversations", None).await?;
                shell.tz
            };
            snooze_until(&f, &tz, guyub_store::now_ms()).map(StatusChange::Snooze)
        }
        _ => None,
    };
    let done = match change {
        Some(c) => {
            inbox::set_status(
                &state.pipeline,
                &s.actor,
                ConversationId(id),
                c,
                f.seen.parse().ok(),
            )
            .await
        }
        None => Err(ServiceError::Invalid {
            field: "until",
            message: "choose when the conversation comes back".into(),
        }),
    };
    after(&state, &s, id, done, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PriorityForm {
    priority: String,
}

pub async fn set_priority(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<PriorityForm>,
) -> PageResult {
    let done =
        inbox::set_priority(&state.pipeline, &s.actor, ConversationId(id), &f.priority).await;
    after(&state, &s, id, done, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoteForm {
    note: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> PageResult {
    let done = inbox::add_note(&state.pipeline, &s.actor, ConversationId(id), &f.note)
        .await
        .map(|_| ());
    after(&state, &s, id, done, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LabelForm {
    label: String,
    remove: String,
}

pub async fn label(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<LabelForm>,
) -> PageResult {
    let done = inbox::label(
        &state.pipeline,
        &s.actor,
        ConversationId(id),
        &f.label,
        f.remove.is_empty(),
    )
    .await;
    after(&state, &s, id, done, String::new()).await
}

pub async fn split_out(
    State(state): State<AppState>,
    s: PageSession,
    Path((id, message)): Path<(i64, i64)>,
) -> PageResult {
    match inbox::split(
        &state.pipeline,
        &s.actor,
        ConversationId(id),
        MessageId(message),
    )
    .await
    {
        Ok(fresh) => Ok(Redirect::to(&format!("/conversations/{}", fresh.0)).into_response()),
        Err(e) => after(&state, &s, id, Err(e), String::new()).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PresenceForm {
    presence: String,
    back: String,
}

pub async fn presence(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<PresenceForm>,
) -> PageResult {
    match inbox::set_presence(&state.pipeline, &s.actor, &f.presence).await {
        Ok(()) => {
            // Only back to a page of ours.
            let back = if f.back.starts_with("/conversations") {
                f.back.as_str()
            } else {
                "/conversations"
            };
            Ok(Redirect::to(back).into_response())
        }
        Err(e) => Err(s.fail(e)),
    }
}

/// The inbox's live feed: every change to this cooperative's conversations, as
/// server-sent events (`message.created`, `message.status`, `conversation.updated`,
/// `sla.breach`; data: conversation id, message id, publish time). A client that
/// falls behind is told to `resync`.
pub async fn events(State(state): State<AppState>, s: PageSession) -> Result<Response, PageError> {
    s.actor.require(Action::WorkInbox).map_err(|e| s.fail(e))?;
    Ok(live_stream(&state, s.actor.cooperative_id).into_response())
}

pub(crate) fn live_stream(
    state: &AppState,
    coop: guyub_domain::CooperativeId,
) -> Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>> + use<>> {
    use tokio::sync::broadcast::error::RecvError;
    let rx = state.pipeline.subscribe();
    let stream = futures_util::stream::unfold(rx, move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(e) if e.cooperative_id == coop => {
                    let data = format!(
                        "{{\"conversation_id\":{},\"message_id\":{},\"at_us\":{}}}",
                        e.conversation_id.0,
                        e.message_id
                            .map(|m| m.0.to_string())
                            .unwrap_or_else(|| "null".into()),
                        e.at_us
                    );
                    return Some((Ok(Event::default().event(e.kind).data(data)), rx));
                }
                Ok(e) if e.kind == guyub_services::pipeline::RESYNC => {
                    return Some((Ok(Event::default().event("resync").data("{}")), rx));
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("resync").data("{}")), rx));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(20)))
}

/// A message's kept file, for staff who may read the conversation.
pub async fn file(
    State(state): State<AppState>,
    s: PageSession,
    Path((_id, message)): Path<(i64, i64)>,
) -> PageResult {
    let Some(store) = state.pipeline.media.as_ref() else {
        return Err(s.fail(ServiceError::NotFound));
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
                channel_id: f.channel_id.map(ChannelId),
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
        Err(e) => after(&state, &s, id, Err(e), String::new()).await,
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
        Err(e) => after(&state, &s, id, Err(e), String::new()).await,
    }
}

struct CsatLine {
    name: String,
    sent: i64,
    answered: i64,
    average: String,
    satisfied: String,
}

#[derive(Template)]
#[template(path = "csat.html")]
struct CsatPage {
    t: Tr,
    shell: Shell,
    from: String,
    to: String,
    /// (heading key, lines)
    groups: Vec<(&'static str, Vec<CsatLine>)>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsatQuery {
    from: String,
    to: String,
}

/// Satisfaction results per agent, team and channel over a period (dates in the
/// cooperative's zone; the last 30 days by default).
pub async fn csat(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<CsatQuery>,
) -> PageResult {
    let shell = Shell::load(&state, &s, "conversations", None).await?;
    let zone = jiff::tz::TimeZone::get(&shell.tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
    let mut error = None;
    let mut day = |raw: &str, default: jiff::civil::Date, field: &str| -> jiff::civil::Date {
        if raw.is_empty() {
            return default;
        }
        raw.parse().unwrap_or_else(|_| {
            error = Some(format!("{field}: {raw:?} is not a date (YYYY-MM-DD)"));
            default
        })
    };
    let from = day(
        &q.from,
        today
            .checked_sub(jiff::Span::new().days(30))
            .unwrap_or(today),
        "from",
    );
    let to = day(&q.to, today, "to");
    let ms = |d: jiff::civil::Date| {
        d.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    };
    let end = to.tomorrow().map(ms).unwrap_or(i64::MAX);
    let rows = match guyub_services::inbox::csat::results(&state.db, &s.actor, ms(from), end).await
    {
        Ok(r) => r,
        Err(e @ ServiceError::Invalid { .. }) => {
            error = Some(e.to_string());
            Vec::new()
        }
        Err(e) => return Err(s.fail(e)),
    };
    let agents = inbox::agents(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let teams = inbox::teams(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let chans = guyub_services::channels::list(&state.db, &state.pipeline.secrets, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let t = s.tr();
    let mut groups: Vec<(&'static str, Vec<CsatLine>)> = vec![
        ("inbox.csat.by_agent", vec![]),
        ("inbox.csat.by_team", vec![]),
        ("inbox.csat.by_channel", vec![]),
    ];
    for r in rows {
        let name = match r.by {
            "agent" => agent_name(&agents, Some(r.key)),
            "team" => teams
                .iter()
                .find(|x| x.id == r.key)
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            _ => chans
                .iter()
                .find(|c| c.id.0 == r.key)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
        };
        let name = if name.is_empty() {
            t.s("inbox.nobody").to_string()
        } else {
            name
        };
        let slot = match r.by {
            "agent" => 0,
            "team" => 1,
            _ => 2,
        };
        let o = crate::api::inbox::csat_out(r);
        groups[slot].1.push(CsatLine {
            name,
            sent: o.sent,
            answered: o.answered,
            average: o
                .average
                .map(|a| format!("{a:.2}"))
                .unwrap_or_else(|| "—".into()),
            satisfied: o
                .satisfied_percent
                .map(|p| format!("{p:.1}%"))
                .unwrap_or_else(|| "—".into()),
        });
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = CsatPage {
        t,
        shell,
        from: from.to_string(),
        to: to.to_string(),
        groups,
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}
