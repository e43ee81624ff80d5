//! `/api/v1/conversations` (the inbox: list with filters, one conversation with its
//! timeline, its messages, and what agents do to it), `/api/v1/agents`,
//! `/api/v1/teams`, `/api/v1/inbox/…`. Replies and files are in `channels.rs`.

use super::ApiJson;
use super::channels::MessageOut;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use guyub_domain::{ConversationId, MessageId, UserId};
use guyub_services::inbox::{self, Assign, StatusChange};
use guyub_store::inbox::ListRow;
use guyub_store::messages::Conversation;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation))
        .routes(routes!(conversation_messages))
        .routes(routes!(assign))
        .routes(routes!(set_status))
        .routes(routes!(set_priority))
        .routes(routes!(add_note))
        .routes(routes!(add_label))
        .routes(routes!(remove_label))
        .routes(routes!(split))
        .routes(routes!(render_canned))
        .routes(routes!(counts))
        .routes(routes!(list_agents))
        .routes(routes!(set_presence))
        .routes(routes!(update_agent))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(update_team, delete_team))
        .routes(routes!(set_team_members))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_rules, add_rule))
        .routes(routes!(delete_rule))
        .routes(routes!(csat))
        .routes(routes!(events))
}

/// The inbox's live feed as server-sent events: `message.created`,
/// `message.status`, `conversation.updated`, `sla.breach` (data:
/// `{"conversation_id", "message_id", "at_us"}`, `at_us` the publish time after the
/// commit, microseconds since the epoch), and `resync` when the client fell behind.
#[utoipa::path(get, path = "/inbox/events", tag = "inbox", responses((status = 200, description = "an endless event stream", content_type = "text/event-stream")))]
async fn events(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    a.require(guyub_domain::Action::WorkInbox)?;
    Ok(crate::pages::conversations::live_stream(&st, a.cooperative_id).into_response())
}

fn unprocessable(field: &str, detail: &str) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(format!("{field}: {detail}")),
    );
    e.1.field = Some(field.into());
    e
}

/// SLA timers of a conversation.
#[derive(Serialize, ToSchema)]
pub struct SlaOut {
    first_response_due_ms: Option<i64>,
    first_response_at_ms: Option<i64>,
    resolution_due_ms: Option<i64>,
    first_response_breached: bool,
    resolution_breached: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationOut {
    id: i64,
    contact_id: i64,
    contact_name: String,
    member_id: Option<i64>,
    /// The member wrote from a verified identity.
    verified: bool,
    /// The channel the member last wrote on.
    channel_id: i64,
    channel_kind: String,
    /// open, snoozed or resolved.
    status: String,
    priority: String,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    skill: Option<String>,
    labels: Vec<String>,
    /// Member messages not yet read by staff.
    unread: i64,
    preview: String,
    opened_at_ms: i64,
    last_message_at_ms: i64,
    last_inbound_at_ms: Option<i64>,
    snoozed_until_ms: Option<i64>,
    resolved_at_ms: Option<i64>,
    sla: SlaOut,
}

fn out(
    c: Conversation,
    contact_name: String,
    channel_kind: String,
    labels: Vec<String>,
) -> ConversationOut {
    ConversationOut {
        id: c.id.0,
        contact_id: c.contact_id.0,
        contact_name,
        member_id: c.member_id,
        verified: c.verified,
        channel_id: c.channel_id.0,
        channel_kind,
        status: c.status,
        priority: c.priority,
        assignee_id: c.assignee_id,
        team_id: c.team_id,
        skill: c.skill,
        labels,
        unread: c.unread,
        preview: c.preview,
        opened_at_ms: c.opened_at,
        last_message_at_ms: c.last_message_at,
        last_inbound_at_ms: c.last_inbound_at,
        snoozed_until_ms: c.snoozed_until,
        resolved_at_ms: c.resolved_at,
        sla: SlaOut {
            first_response_due_ms: c.first_response_due,
            first_response_at_ms: c.first_response_at,
            resolution_due_ms: c.resolution_due,
            first_response_breached: c.breached & 1 != 0,
            resolution_breached: c.breached & 2 != 0,
        },
    }
}

impl From<ListRow> for ConversationOut {
    fn from(r: ListRow) -> Self {
        out(r.conversation, r.contact_name, r.channel_kind, r.labels)
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ListQuery {
    /// open (default), snoozed, resolved, or all.
    status: Option<String>,
    /// whatsapp, telegram, instagram, messenger, line, x, email, webchat.
    channel: Option<String>,
    team_id: Option<i64>,
    /// An agent's user id, `me`, or `none` for unassigned.
    assignee: Option<String>,
    label: Option<String>,
    /// true: members only; false: non-members only.
    member: Option<bool>,
    verified: Option<bool>,
    /// Breached or due within 15 minutes.
    sla_at_risk: Option<bool>,
    unread: Option<bool>,
    /// Paging: the `last_message_at_ms` and `id` of the last conversation of the
    /// previous page.
    before_ms: Option<i64>,
    before_id: Option<i64>,
    limit: Option<i64>,
}

/// The inbox's conversations, most recent activity first, with filters.
#[utoipa::path(get, path = "/conversations", tag = "inbox", params(ListQuery), responses((status = 200, body = Vec<ConversationOut>), (status = 422, body = crate::error::Problem)))]
async fn list_conversations(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Vec<ConversationOut>> {
    let mut f = inbox::filter(
        &a,
        q.status.as_deref(),
        q.channel.as_deref(),
        q.assignee.as_deref(),
    )?;
    f.team_id = q.team_id;
    f.label = q.label.filter(|l| !l.is_empty());
    f.member = q.member;
    f.verified = q.verified;
    f.sla_at_risk = q.sla_at_risk.unwrap_or(false);
    f.unread = q.unread.unwrap_or(false);
    f.before = match (q.before_ms, q.before_id) {
        (Some(t), Some(i)) => Some((t, i)),
        (None, None) => None,
        _ => {
            return Err(unprocessable(
                "before_id",
                "before_ms and before_id go together",
            ));
        }
    };
    let list = inbox::list(&st.db, &a, &f, q.limit.unwrap_or(50)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct ReplyOptionOut {
    channel_id: i64,
    channel_kind: String,
    channel_name: String,
    /// Free text may go now.
    window_open: bool,
    /// Closed, but an approved template may go (WhatsApp).
    template_allowed: bool,
    closed_reason: Option<String>,
    /// The channel the member last used.
    default: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    id: i64,
    /// `note` (private), or what happened: assigned, transferred, unassigned, requeued,
    /// snoozed, woke, resolved, reopened, priority, labelled, unlabelled, split,
    /// split_from, sla_breach, csat, csat_sent, team_deleted.
    kind: String,
    detail: String,
    actor: String,
    at_ms: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationDetail {
    conversation: ConversationOut,
    /// Channel kinds the member wrote on in this conversation (duplicate grouping).
    asked_on: Vec<String>,
    reply_options: Vec<ReplyOptionOut>,
    messages: Vec<MessageOut>,
    /// Private notes and activity, oldest first.
    entries: Vec<EntryOut>,
    /// The newest member message id: pass it back as `seen` when replying or
    /// resolving to be told when the member wrote again meanwhile.
    seen: i64,
}

/// One conversation: the member's whole history across channels, notes, activity,
/// and the channels a reply can go on. Reading it marks it read.
#[utoipa::path(get, path = "/conversations/{id}", tag = "inbox", params(("id" = i64, Path)), responses((status = 200, body = ConversationDetail), (status = 404, body = crate::error::Problem)))]
async fn get_conversation(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<ConversationDetail> {
    let d = inbox::open(&st.db, &a, ConversationId(id)).await?;
    let kind = d.channel_kind.clone();
    Ok(Json(ConversationDetail {
        conversation: out(d.conversation, d.contact.display_name, kind, d.labels),
        asked_on: d.asked_on.into_iter().map(|(_, k)| k).collect(),
        reply_options: d
            .reply_options
            .into_iter()
            .map(|o| ReplyOptionOut {
                channel_id: o.channel_id.0,
                channel_kind: o.kind,
                channel_name: o.name,
                window_open: o.window_open,
                template_allowed: o.template_allowed,
                closed_reason: o.closed_reason,
                default: o.default,
            })
            .collect(),
        messages: d.messages.into_iter().map(Into::into).collect(),
        entries: d
            .entries
            .into_iter()
            .map(|e| EntryOut {
                id: e.id,
                kind: e.kind,
                detail: e.detail,
                actor: e.actor,
                at_ms: e.at,
            })
            .collect(),
        seen: d.seen,
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct MessagesQuery {
    /// Only messages with a greater id (to follow a conversation).
    after: Option<i64>,
}

/// A conversation's messages across every channel, oldest first.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "inbox", params(("id" = i64, Path), MessagesQuery), responses((status = 200, body = Vec<MessageOut>), (status = 404, body = crate::error::Problem)))]
async fn conversation_messages(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<MessagesQuery>,
) -> ApiResult<Vec<MessageOut>> {
    let d = inbox::open(&st.db, &a, ConversationId(id)).await?;
    let after = q.after.unwrap_or(0);
    Ok(Json(
        d.messages
            .into_iter()
            .filter(|m| m.id.0 > after)
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignIn {
    /// The agent; omit (with no team) to put the conversation back in the queue.
    user_id: Option<i64>,
    team_id: Option<i64>,
}

/// Assigns or transfers a conversation to an agent and/or a team.
#[utoipa::path(post, path = "/conversations/{id}/assign", tag = "inbox", params(("id" = i64, Path)), request_body = AssignIn, responses((status = 204), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn assign(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AssignIn>,
) -> Result<StatusCode, ApiError> {
    let to = Assign {
        user: b.user_id.map(UserId),
        team: b.team_id,
    };
    inbox::assign(&st.pipeline, &a, ConversationId(id), to).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// resolve, reopen or snooze.
    action: String,
    /// For snooze: until when (ms since the epoch).
    until_ms: Option<i64>,
    /// For resolve: the newest member message id the client had shown.
    seen: Option<i64>,
}

/// Resolves, reopens or snoozes a conversation.
#[utoipa::path(post, path = "/conversations/{id}/status", tag = "inbox", params(("id" = i64, Path)), request_body = StatusIn, responses((status = 204), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_status(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<StatusIn>,
) -> Result<StatusCode, ApiError> {
    let change = match (b.action.as_str(), b.until_ms) {
        ("resolve", _) => StatusChange::Resolve,
        ("reopen", _) => StatusChange::Reopen,
        ("snooze", Some(t)) => StatusChange::Snooze(t),
        ("snooze", None) => return Err(unprocessable("until_ms", "snooze needs until_ms")),
        _ => return Err(unprocessable("action", "resolve, reopen or snooze")),
    };
    inbox::set_status(&st.pipeline, &a, ConversationId(id), change, b.seen).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PriorityIn {
    /// low, normal, high or urgent.
    priority: String,
}

#[utoipa::path(post, path = "/conversations/{id}/priority", tag = "inbox", params(("id" = i64, Path)), request_body = PriorityIn, responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn set_priority(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PriorityIn>,
) -> Result<StatusCode, ApiError> {
    inbox::set_priority(&st.pipeline, &a, ConversationId(id), &b.priority).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NoteIn {
    body: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    id: i64,
}

/// A private note (staff only; never sent).
#[utoipa::path(post, path = "/conversations/{id}/notes", tag = "inbox", params(("id" = i64, Path)), request_body = NoteIn, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
async fn add_note(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NoteIn>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = inbox::add_note(&st.pipeline, &a, ConversationId(id), &b.body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct LabelIn {
    label: String,
}

#[utoipa::path(post, path = "/conversations/{id}/labels", tag = "inbox", params(("id" = i64, Path)), request_body = LabelIn, responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn add_label(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<LabelIn>,
) -> Result<StatusCode, ApiError> {
    inbox::label(&st.pipeline, &a, ConversationId(id), &b.label, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/conversations/{id}/labels/{label}", tag = "inbox", params(("id" = i64, Path), ("label" = String, Path)), responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn remove_label(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path((id, label)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    inbox::label(&st.pipeline, &a, ConversationId(id), &label, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct SplitIn {
    /// The member message to split out (with the later ones from the same identity).
    message_id: i64,
}

/// Splits a wrongly grouped message out into a conversation of its own.
#[utoipa::path(post, path = "/conversations/{id}/split", tag = "inbox", params(("id" = i64, Path)), request_body = SplitIn, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
async fn split(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SplitIn>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let fresh = inbox::split(
        &st.pipeline,
        &a,
        ConversationId(id),
        MessageId(b.message_id),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: fresh.0 })))
}

#[derive(Serialize, ToSchema)]
pub struct CountsOut {
    open: i64,
    mine: i64,
    unassigned: i64,
    snoozed: i64,
    unread: i64,
    mine_unread: i64,
    breached: i64,
}

/// The counters of the inbox's views.
#[utoipa::path(get, path = "/inbox/counts", tag = "inbox", responses((status = 200, body = CountsOut)))]
async fn counts(State(st): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<CountsOut> {
    let c = inbox::counts(&st.db, &a).await?;
    Ok(Json(CountsOut {
        open: c.open,
        mine: c.mine,
        unassigned: c.unassigned,
        snoozed: c.snoozed,
        unread: c.unread,
        mine_unread: c.mine_unread,
        breached: c.breached,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AgentOut {
    user_id: i64,
    name: String,
    /// online, away or offline.
    presence: String,
    capacity: i64,
    skills: Vec<String>,
    /// Open conversations assigned now.
    load: i64,
    team_ids: Vec<i64>,
}

#[utoipa::path(get, path = "/agents", tag = "inbox", responses((status = 200, body = Vec<AgentOut>)))]
async fn list_agents(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Vec<AgentOut>> {
    let list = inbox::agents(&st.db, &a).await?;
    Ok(Json(
        list.into_iter()
            .map(|g| AgentOut {
                user_id: g.user_id.0,
                name: g.name,
                presence: g.presence,
                capacity: g.capacity,
                skills: g.skills,
                load: g.load,
                team_ids: g.teams,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PresenceIn {
    /// online, away or offline.
    presence: String,
}

/// Sets the calling person's presence (API tokens have none: 422).
#[utoipa::path(put, path = "/agents/me/presence", tag = "inbox", request_body = PresenceIn, responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn set_presence(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<PresenceIn>,
) -> Result<StatusCode, ApiError> {
    inbox::set_presence(&st.pipeline, &a, &b.presence).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AgentIn {
    capacity: i64,
    skills: Vec<String>,
}

#[utoipa::path(put, path = "/agents/{user_id}", tag = "inbox", params(("user_id" = i64, Path)), request_body = AgentIn, responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn update_agent(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(user): Path<i64>,
    ApiJson(b): ApiJson<AgentIn>,
) -> Result<StatusCode, ApiError> {
    inbox::update_agent(&st.pipeline, &a, UserId(user), b.capacity, &b.skills).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TeamOut {
    id: i64,
    name: String,
    skill: Option<String>,
    member_ids: Vec<i64>,
}

#[utoipa::path(get, path = "/teams", tag = "inbox", responses((status = 200, body = Vec<TeamOut>)))]
async fn list_teams(State(st): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Vec<TeamOut>> {
    let list = inbox::teams(&st.db, &a).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| TeamOut {
                id: t.id,
                name: t.name,
                skill: t.skill,
                member_ids: t.members.into_iter().map(|u| u.0).collect(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TeamIn {
    name: String,
    skill: Option<String>,
    #[serde(default)]
    member_ids: Vec<i64>,
}

#[utoipa::path(post, path = "/teams", tag = "inbox", request_body = TeamIn, responses((status = 201, body = Created), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_team(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<TeamIn>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let members: Vec<UserId> = b.member_ids.into_iter().map(UserId).collect();
    let id = inbox::create_team(&st.db, &a, &b.name, b.skill.as_deref(), &members).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct TeamPatch {
    name: String,
    /// The skill the team answers by default; null or empty for none.
    skill: Option<String>,
}

/// Renames a team and sets its default skill.
#[utoipa::path(put, path = "/teams/{id}", tag = "inbox", params(("id" = i64, Path)), request_body = TeamPatch, responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_team(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<TeamPatch>,
) -> Result<StatusCode, ApiError> {
    inbox::update_team(&st.db, &a, id, &b.name, b.skill.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a team: its conversations keep their agents and lose the team.
#[utoipa::path(delete, path = "/teams/{id}", tag = "inbox", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn delete_team(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    inbox::delete_team(&st.pipeline, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct MembersIn {
    member_ids: Vec<i64>,
}

#[utoipa::path(put, path = "/teams/{id}/members", tag = "inbox", params(("id" = i64, Path)), request_body = MembersIn, responses((status = 204), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_team_members(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MembersIn>,
) -> Result<StatusCode, ApiError> {
    let members: Vec<UserId> = b.member_ids.into_iter().map(UserId).collect();
    inbox::set_team_members(&st.db, &a, id, &members).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct CannedIn {
    /// The canned reply: its shortcut (`salam` or `/salam`) or its id.
    canned: String,
}

#[derive(Serialize, ToSchema)]
pub struct CannedOut {
    /// The reply filled in for this conversation's member; nothing is sent.
    text: String,
}

/// A canned reply filled in for the conversation (member name and number, agent,
/// cooperative, channel; balances and loans only for a member writing from a verified
/// identity, refused otherwise). Nothing is sent.
#[utoipa::path(post, path = "/conversations/{id}/canned", tag = "inbox", params(("id" = i64, Path)), request_body = CannedIn, responses((status = 200, body = CannedOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn render_canned(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CannedIn>,
) -> ApiResult<CannedOut> {
    let text = inbox::render_canned(&st.db, &a, ConversationId(id), &b.canned).await?;
    Ok(Json(CannedOut { text }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SettingsDoc {
    /// A member's new message on another channel joins their open conversation when it
    /// was active this many minutes ago or less; 0 never groups across channels.
    group_window_minutes: i64,
    /// requeue or keep: what happens to an agent's conversations when they go offline.
    leave_policy: String,
    /// Routing assigns new conversations to available agents.
    auto_assign: bool,
    /// A satisfaction survey goes to the member after resolve (default true).
    #[serde(default = "yes")]
    csat_enabled: bool,
}

fn yes() -> bool {
    true
}

#[utoipa::path(get, path = "/inbox/settings", tag = "inbox", responses((status = 200, body = SettingsDoc)))]
async fn get_settings(State(st): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<SettingsDoc> {
    let s = inbox::settings(&st.db, &a).await?;
    Ok(Json(SettingsDoc {
        group_window_minutes: s.group_window_minutes,
        leave_policy: s.leave_policy,
        auto_assign: s.auto_assign,
        csat_enabled: s.csat_enabled,
    }))
}

#[utoipa::path(put, path = "/inbox/settings", tag = "inbox", request_body = SettingsDoc, responses((status = 200, body = SettingsDoc), (status = 422, body = crate::error::Problem)))]
async fn put_settings(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<SettingsDoc>,
) -> ApiResult<SettingsDoc> {
    let s = guyub_store::inbox::Settings {
        group_window_minutes: b.group_window_minutes,
        leave_policy: b.leave_policy,
        auto_assign: b.auto_assign,
        csat_enabled: b.csat_enabled,
    };
    inbox::put_settings(&st.db, &a, &s).await?;
    Ok(Json(SettingsDoc {
        group_window_minutes: s.group_window_minutes,
        leave_policy: s.leave_policy,
        auto_assign: s.auto_assign,
        csat_enabled: s.csat_enabled,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RuleDoc {
    #[serde(default)]
    id: i64,
    skill: String,
    /// A word (or phrase) in the member's first message…
    keyword: Option<String>,
    /// …or the channel kind it came by.
    channel_kind: Option<String>,
}

#[utoipa::path(get, path = "/inbox/skill-rules", tag = "inbox", responses((status = 200, body = Vec<RuleDoc>)))]
async fn list_rules(State(st): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Vec<RuleDoc>> {
    let list = inbox::skill_rules(&st.db, &a).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| RuleDoc {
                id: r.id,
                skill: r.skill,
                keyword: r.keyword,
                channel_kind: r.channel_kind,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/inbox/skill-rules", tag = "inbox", request_body = RuleDoc, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
async fn add_rule(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<RuleDoc>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = inbox::add_skill_rule(
        &st.db,
        &a,
        &b.skill,
        b.keyword.as_deref(),
        b.channel_kind.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(delete, path = "/inbox/skill-rules/{id}", tag = "inbox", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn delete_rule(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    inbox::delete_skill_rule(&st.db, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CsatQuery {
    /// Surveys sent from (ms since the epoch); default 30 days ago.
    from_ms: Option<i64>,
    /// …until (exclusive); default now.
    to_ms: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CsatOut {
    /// agent, team or channel.
    pub by: String,
    /// The agent's user id, team id or channel id; 0 for none (unassigned, no team).
    pub id: i64,
    pub sent: i64,
    pub answered: i64,
    /// Mean score of the answers, 1–5, two decimals; null without answers.
    pub average: Option<f64>,
    /// Share of answers that were 4 or 5, percent.
    pub satisfied_percent: Option<f64>,
}

/// Satisfaction survey results per agent, team and channel.
#[utoipa::path(get, path = "/inbox/csat", tag = "inbox", params(CsatQuery), responses((status = 200, body = Vec<CsatOut>), (status = 422, body = crate::error::Problem)))]
async fn csat(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<CsatQuery>,
) -> ApiResult<Vec<CsatOut>> {
    let to = q.to_ms.unwrap_or_else(|| guyub_store::now_ms() + 1);
    let from = q.from_ms.unwrap_or(to - 30 * 86_400_000);
    let rows = inbox::csat::results(&st.db, &a, from, to).await?;
    Ok(Json(rows.into_iter().map(csat_out).collect()))
}

pub(crate) fn csat_out(r: guyub_store::inbox::CsatRow) -> CsatOut {
    let avg =
        (r.answered > 0).then(|| (r.score_sum as f64 / r.answered as f64 * 100.0).round() / 100.0);
    let sat =
        (r.answered > 0).then(|| (r.satisfied as f64 * 1000.0 / r.answered as f64).round() / 10.0);
    CsatOut {
        by: r.by.to_string(),
        id: r.key,
        sent: r.sent,
        answered: r.answered,
        average: avg,
        satisfied_percent: sat,
    }
}
