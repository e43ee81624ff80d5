//! The unified inbox: the conversation list and its filters, one conversation with
//! the member's whole history across channels, and what agents do to a conversation
//! (assign, transfer, snooze, resolve, reopen, priority, labels, private notes, split a
//! wrongly grouped message out). Each change is one transaction with its activity
//! entry and audit entry, and is published to live screens after the commit.

pub mod csat;
pub mod routing;

use crate::conversations::check_window;
use crate::pipeline::Pipeline;
use crate::pipeline::Realtime;
use crate::pipeline::process::identity_kind;
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_connectors::{ChannelKind, OutContent};
use guyub_domain::{Action, ChannelId, ConversationId, CooperativeId, MessageId, UserId};
use guyub_store::contacts::{self, Contact};
use guyub_store::inbox::{self, Agent, Counts, Entry, Filter, ListRow, Settings, Team};
use guyub_store::messages::{self, Conversation, Message};
use guyub_store::{Conn, Db, channels, now_ms, users};
use std::time::Duration;

pub use guyub_store::inbox::AssigneeFilter;

pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
pub const PRESENCES: [&str; 3] = ["online", "away", "offline"];
/// Skills the routing settings offer; a cooperative may add its own words.
pub const SKILLS: [&str; 6] = [
    "simpanan",
    "pinjaman",
    "toko",
    "pengaduan",
    "lang:id",
    "lang:en",
];
const LIST_MAX: i64 = 200;

/// The list's filter from what a page or an API query names: `status` open (default),
/// snoozed, resolved or all; `channel` a channel kind or empty; `assignee` empty or
/// `any`, `none`, `me` (the acting person) or a user id. Refuses what it cannot mean.
pub fn filter(
    actor: &Actor,
    status: Option<&str>,
    channel: Option<&str>,
    assignee: Option<&str>,
) -> Result<Filter> {
    let mut f = Filter::default();
    match status.unwrap_or("open") {
        "all" => f.status = String::new(),
        s @ ("open" | "snoozed" | "resolved") => f.status = s.to_string(),
        _ => return Err(invalid("status", "open, snoozed, resolved or all")),
    }
    if let Some(c) = channel.filter(|c| !c.is_empty()) {
        if ChannelKind::parse(c).is_none() {
            return Err(invalid("channel", "not a channel kind"));
        }
        f.channel_kind = Some(c.to_string());
    }
    f.assignee = match assignee.unwrap_or("") {
        "" | "any" => AssigneeFilter::Anyone,
        "none" => AssigneeFilter::Unassigned,
        "me" => match actor.user_id() {
            Some(u) => AssigneeFilter::User(u),
            None => {
                return Err(invalid(
                    "assignee",
                    "`me` needs a person; an API token is not one",
                ));
            }
        },
        n => match n.parse::<i64>() {
            Ok(id) => AssigneeFilter::User(UserId(id)),
            Err(_) => return Err(invalid("assignee", "a user id, me, none or any")),
        },
    };
    Ok(f)
}

/// Tells live screens that these conversations changed; call after the commit.
fn updated(p: &Pipeline, coop: CooperativeId, ids: impl IntoIterator<Item = ConversationId>) {
    p.publish(
        ids.into_iter()
            .map(|c| Realtime::conversation(coop, c, "conversation.updated"))
            .collect(),
    );
}

/// Refuses people who are not staff of the cooperative.
async fn check_staff(conn: &mut Conn, coop: CooperativeId, people: &[UserId]) -> Result<()> {
    for u in people {
        match users::get(conn, coop, *u).await {
            Ok(_) => {}
            Err(guyub_store::StoreError::NotFound) => {
                return Err(invalid("members", "no such agent in this cooperative"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

pub async fn list(db: &Db, actor: &Actor, f: &Filter, limit: i64) -> Result<Vec<ListRow>> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(inbox::list(&mut conn, actor.cooperative_id, f, limit.clamp(1, LIST_MAX)).await?)
}

/// Every label in use in the cooperative (the list's filter).
pub async fn labels(db: &Db, actor: &Actor) -> Result<Vec<String>> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(inbox::all_labels(&mut conn, actor.cooperative_id).await?)
}

pub async fn counts(db: &Db, actor: &Actor) -> Result<Counts> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(inbox::counts(&mut conn, actor.cooperative_id, actor.user_id()).await?)
}

/// A channel the reply box can send on, and whether it may now.
#[derive(Debug, Clone)]
pub struct ReplyOption {
    pub channel_id: ChannelId,
    pub kind: String,
    pub name: String,
    /// Free text may go now.
    pub window_open: bool,
    /// Closed, but an approved template may go (WhatsApp).
    pub template_allowed: bool,
    /// Why the window is closed, in words.
    pub closed_reason: Option<String>,
    /// The channel the member last used.
    pub default: bool,
}

fn priority_of(p: &str) -> guyub_domain::sla::Priority {
    guyub_domain::sla::Priority::parse(p).unwrap_or(guyub_domain::sla::Priority::Normal)
}

/// The values a canned reply may use, for one conversation.
pub async fn canned_context(
    db: &Db,
    actor: &Actor,
    id: ConversationId,
) -> Result<crate::canned::CannedContext> {
    actor.require(Action::WorkInbox)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let c = messages::get_conversation(&mut conn, coop, id).await?;
    let contact = contacts::get_contact(&mut conn, coop, c.contact_id).await?;
    let member = match contact.member_id {
        Some(m) => guyub_store::members::get(&mut conn, coop, m).await.ok(),
        None => None,
    };
    let agen = match actor.user_id() {
        Some(u) => users::get(&mut conn, coop, u)
            .await
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let koperasi = guyub_store::cooperatives::get(&mut conn, coop)
        .await
        .map(|k| k.name)
        .unwrap_or_default();
    let kanal = channels::get(&mut conn, coop, c.channel_id)
        .await
        .map(|ch| ch.kind)
        .unwrap_or_default();
    // Balances and loans only for the member writing from a verified identity: the
    // template refuses them otherwise, so they are not even read.
    // The member must be writing now (the newest message) from a verified identity of
    // theirs: an earlier verified message does not vouch for a later unverified one.
    let verified = match (
        &member,
        messages::newest_inbound(&mut conn, coop, id).await?,
    ) {
        (Some(m), Some(msg)) => {
            let identity = contacts::get_identity(&mut conn, coop, msg.identity_id).await?;
            let owner = contacts::get_contact(&mut conn, coop, identity.contact_id).await?;
            identity.verified && owner.member_id == Some(m.id)
        }
        _ => false,
    };
    let money = match (&member, verified) {
        (Some(m), true) => member_money(&mut conn, coop, m.id).await?,
        _ => MemberMoney::default(),
    };
    Ok(crate::canned::CannedContext {
        nama: member
            .as_ref()
            .map(|m| m.fields.name.clone())
            .unwrap_or(contact.display_name),
        no_anggota: member.map(|m| m.member_no).unwrap_or_default(),
        agen,
        koperasi,
        kanal,
        simpanan_pokok: money.pokok,
        simpanan_wajib: money.wajib,
        simpanan_sukarela: money.sukarela,
        sisa_pinjaman: money.sisa_pinjaman,
        angsuran_berikut: money.angsuran_berikut,
        verified,
    })
}

/// A canned reply (`key`: its shortcut or id) filled in for this conversation; nothing
/// is sent. Refused on `body` when the reply cannot be filled for this member (e.g. a
/// balance for an unverified identity).
pub async fn render_canned(
    db: &Db,
    actor: &Actor,
    id: ConversationId,
    key: &str,
) -> Result<String> {
    let ctx = canned_context(db, actor, id).await?;
    crate::canned::render(db, actor, &crate::canned::CannedRef::parse(key), &ctx).await
}

/// A member's balances and loans as canned replies show them.
#[derive(Default)]
struct MemberMoney {
    pokok: String,
    wajib: String,
    sukarela: String,
    sisa_pinjaman: String,
    angsuran_berikut: String,
}

async fn member_money(
    conn: &mut guyub_store::Conn,
    coop: guyub_domain::CooperativeId,
    member: guyub_domain::MemberId,
) -> Result<MemberMoney> {
    use guyub_domain::Date;
    use guyub_domain::money::{Rupiah, SavingsKind};
    let accounts = guyub_store::savings::accounts_of(conn, coop, member).await?;
    let balance = |kind: SavingsKind| {
        let b = accounts
            .iter()
            .find(|a| a.kind == kind.as_str())
            .map_or(0, |a| a.balance);
        Rupiah::new(b).to_string()
    };
    let filter = guyub_store::loans::LoanFilter {
        status: Some("disbursed"),
        member: Some(member),
        oldest_due_from: None,
        oldest_due_to: None,
    };
    let loans = guyub_store::loans::list(conn, coop, &filter, 100, 0).await?;
    let owed: i64 = loans.iter().map(|l| l.outstanding_principal).sum();
    let ids: Vec<_> = loans.iter().map(|l| l.id).collect();
    let next = guyub_store::loans::installments(conn, coop, &ids)
        .await?
        .into_iter()
        .filter(|i| i.settled_on.is_none())
        .min_by_key(|i| (i.due_date, i.loan_id.0, i.no));
    let angsuran_berikut = match next {
        Some(i) => {
            let left =
                i.principal + i.interest - i.paid_principal - i.paid_interest - i.waived_interest;
            let due = Date::from_number(i.due_date)
                .map(Date::long_id)
                .unwrap_or_default();
            format!("{}, jatuh tempo {due}", Rupiah::new(left))
        }
        None => String::new(),
    };
    Ok(MemberMoney {
        pokok: balance(SavingsKind::Pokok),
        wajib: balance(SavingsKind::Wajib),
        sukarela: balance(SavingsKind::Sukarela),
        sisa_pinjaman: Rupiah::new(owed).to_string(),
        angsuran_berikut,
    })
}

/// One conversation as the agent sees it.
#[derive(Debug, Clone)]
pub struct Detail {
    pub conversation: Conversation,
    pub contact: Contact,
    pub channel_kind: String,
    /// Channels the member wrote on in this conversation, first first: (id, kind).
    pub asked_on: Vec<(ChannelId, String)>,
    pub reply_options: Vec<ReplyOption>,
    pub messages: Vec<Message>,
    /// Private notes and activity, oldest first.
    pub entries: Vec<Entry>,
    pub labels: Vec<String>,
    /// The newest member message shown (forms carry it to notice staleness).
    pub seen: i64,
}

/// Opens a conversation: everything the agent needs, and it is read now.
pub async fn open(db: &Db, actor: &Actor, id: ConversationId) -> Result<Detail> {
    actor.require(Action::WorkInbox)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    // Messages first: the conversation row read after them is at least as new, so the
    // reply options never describe an older state than the messages shown (the reads
    // are separate statements, not one snapshot).
    let messages = messages::conversation_messages(&mut conn, coop, id, 1000).await?;
    let c = messages::get_conversation(&mut conn, coop, id).await?;
    let contact = contacts::get_contact(&mut conn, coop, c.contact_id).await?;
    let all = channels::list(&mut conn, coop).await?;
    let channel_kind = all
        .iter()
        .find(|ch| ch.id == c.channel_id)
        .map(|ch| ch.kind.clone())
        .unwrap_or_default();
    let used = inbox::inbound_channels(&mut conn, coop, id).await?;
    let asked_on = used
        .iter()
        .filter_map(|u| {
            all.iter()
                .find(|ch| ch.id == *u)
                .map(|ch| (ch.id, ch.kind.clone()))
        })
        .collect();
    let reply_options = reply_options(&mut conn, coop, &c, &messages, &all).await?;
    let entries = inbox::entries(&mut conn, coop, id).await?;
    let labels = inbox::labels_of(&mut conn, coop, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let seen = messages
        .iter()
        .filter(|m| m.direction == "in")
        .map(|m| m.id.0)
        .max()
        .unwrap_or(0);
    if c.unread > 0 || actor.user_id().is_some() {
        let last = messages.last().map(|m| m.id);
        inbox::mark_read(&mut conn, coop, id, actor.user_id(), last).await?;
    }
    Ok(Detail {
        conversation: c,
        contact,
        channel_kind,
        asked_on,
        reply_options,
        messages,
        entries,
        labels,
        seen,
    })
}

/// The channels that can reach the member: every active channel of a kind the
/// contact has an identity on, with the state of its reply window.
async fn reply_options(
    conn: &mut Conn,
    coop: CooperativeId,
    c: &Conversation,
    list: &[Message],
    all: &[guyub_store::channels::Channel],
) -> Result<Vec<ReplyOption>> {
    let identities = contacts::identities_of(conn, coop, c.contact_id).await?;
    // Identities of other contacts the member wrote from in this conversation.
    let mut extra = Vec::new();
    for m in list
        .iter()
        .filter(|m| m.direction == "in" && m.contact_id != c.contact_id)
    {
        if !extra
            .iter()
            .any(|i: &contacts::Identity| i.id == m.identity_id)
            && let Ok(i) = contacts::get_identity(conn, coop, m.identity_id).await
        {
            extra.push(i);
        }
    }
    let now = now_ms();
    let mut out = Vec::new();
    for ch in all.iter().filter(|ch| ch.active) {
        let Some(kind) = ChannelKind::parse(&ch.kind) else {
            continue;
        };
        let want = identity_kind(kind).as_str();
        // The identity last used on this channel, else any of its kind.
        let used = list
            .iter()
            .rev()
            .find(|m| m.direction == "in" && m.channel_id == ch.id)
            .map(|m| m.identity_id);
        let identity = match used {
            Some(i) => Some(i),
            None => identities
                .iter()
                .chain(extra.iter())
                .find(|i| i.kind == want)
                .map(|i| i.id),
        };
        let Some(identity) = identity else { continue };
        let last = messages::last_inbound_at(conn, identity, ch.id).await?;
        let text = OutContent::Text {
            text: String::new(),
        };
        let window = check_window(kind, &text, last, now);
        out.push(ReplyOption {
            channel_id: ch.id,
            kind: ch.kind.clone(),
            name: ch.name.clone(),
            window_open: window.is_ok(),
            template_allowed: window.is_err() && kind == ChannelKind::Whatsapp,
            closed_reason: window.err().map(|e| match e {
                ServiceError::Invalid { message, .. } => message,
                other => other.to_string(),
            }),
            default: ch.id == c.channel_id,
        });
    }
    out.sort_by_key(|o| (!o.default, o.channel_id));
    Ok(out)
}

/// Refuses a change made from a page that did not show the member's newest message.
pub(crate) async fn check_fresh(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    seen: Option<i64>,
) -> Result<()> {
    let Some(seen) = seen else { return Ok(()) };
    match messages::newest_inbound(conn, coop, id).await? {
        Some(newest) if newest.id.0 > seen => Err(ServiceError::Conflict(
            "the member wrote again after this page was loaded: read the new message, then send again (nothing was sent)"
                .into(),
        )),
        _ => Ok(()),
    }
}

/// Where a conversation goes: an agent, a team, or both (a transfer); `None` for both
/// puts it back in the queue.
#[derive(Debug, Clone, Copy, Default)]
pub struct Assign {
    pub user: Option<UserId>,
    pub team: Option<i64>,
}

pub async fn assign(p: &Pipeline, actor: &Actor, id: ConversationId, to: Assign) -> Result<()> {
    actor.require(Action::WorkInbox)?;
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    let c = messages::get_conversation(&mut tx, coop, id).await?;
    if let Some(u) = to.user {
        match users::get(&mut tx, coop, u).await {
            Ok(user) if user.active && user.role.can(Action::WorkInbox) => {}
            Ok(_) => {
                return Err(invalid(
                    "assignee",
                    "this person is inactive or does not work the inbox",
                ));
            }
            Err(guyub_store::StoreError::NotFound) => {
                return Err(invalid("assignee", "no such agent in this cooperative"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(t) = to.team
        && inbox::get_team(&mut tx, coop, t).await.is_err()
    {
        return Err(invalid("team", "no such team in this cooperative"));
    }
    inbox::set_assignment(&mut tx, coop, id, to.user, to.team).await?;
    let detail = match (to.user, to.team) {
        (Some(u), Some(t)) => format!("user:{} team:{t}", u.0),
        (Some(u), None) => format!("user:{}", u.0),
        (None, Some(t)) => format!("team:{t}"),
        (None, None) => String::new(),
    };
    let kind = match (c.assignee_id, to.user) {
        (_, None) if to.team.is_none() => "unassigned",
        (Some(_), _) => "transferred",
        (None, _) => "assigned",
    };
    inbox::add_event(&mut tx, coop, id, kind, &detail, &actor.label()).await?;
    record(
        &mut tx,
        actor,
        &format!("conversation.{kind}"),
        &format!("conversation:{id}"),
        &detail,
    )
    .await?;
    // Back in the queue: someone available may take it now.
    let routed = if to.user.is_none() {
        routing::dispatch(&mut tx, coop).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    updated(
        p,
        coop,
        std::iter::once(id).chain(routed.into_iter().map(|(c, _)| c)),
    );
    Ok(())
}

/// What becomes of a conversation's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    Resolve,
    Reopen,
    /// Until this instant (ms); the member writing wakes it earlier.
    Snooze(i64),
}

pub async fn set_status(
    p: &Pipeline,
    actor: &Actor,
    id: ConversationId,
    change: StatusChange,
    seen: Option<i64>,
) -> Result<()> {
    actor.require(Action::WorkInbox)?;
    let coop = actor.cooperative_id;
    let now = now_ms();
    let mut tx = p.db.begin_write().await?;
    let c = messages::get_conversation(&mut tx, coop, id).await?;
    let (status, until, kind, detail) = match change {
        StatusChange::Resolve => {
            if c.status == "resolved" {
                return Err(ServiceError::Conflict(
                    "this conversation is already resolved".into(),
                ));
            }
            check_fresh(&mut tx, coop, id, seen).await?;
            ("resolved", None, "resolved", String::new())
        }
        StatusChange::Reopen => {
            if c.status == "open" {
                return Err(ServiceError::Conflict(
                    "this conversation is already open".into(),
                ));
            }
            ("open", None, "reopened", String::new())
        }
        StatusChange::Snooze(until) => {
            if c.status == "resolved" {
                return Err(ServiceError::Conflict(
                    "a resolved conversation cannot be snoozed; reopen it first".into(),
                ));
            }
            if until <= now + 60_000 || until > now + 90 * 86_400_000 {
                return Err(invalid(
                    "until",
                    "snooze until a time between one minute and 90 days from now",
                ));
            }
            ("snoozed", Some(until), "snoozed", until.to_string())
        }
    };
    inbox::set_status(&mut tx, coop, id, status, until).await?;
    match change {
        StatusChange::Resolve => {
            crate::sla::resolved(&mut tx, coop, id, now).await?;
            if csat::send(&mut tx, coop, &c).await? {
                inbox::add_event(&mut tx, coop, id, "csat_sent", "", routing::ROUTING).await?;
            }
        }
        // Reopened: the targets count again from now.
        StatusChange::Reopen if c.status == "resolved" => {
            crate::sla::stamp(&mut tx, coop, id, now, priority_of(&c.priority)).await?
        }
        _ => {}
    }
    inbox::add_event(&mut tx, coop, id, kind, &detail, &actor.label()).await?;
    record(
        &mut tx,
        actor,
        &format!("conversation.{kind}"),
        &format!("conversation:{id}"),
        &detail,
    )
    .await?;
    // A resolved conversation frees its agent for the next one waiting.
    let routed = if status == "resolved" {
        routing::dispatch(&mut tx, coop).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    if status == "resolved" {
        // The survey, if one was queued.
        p.outbox_ready.notify_one();
    }
    updated(
        p,
        coop,
        std::iter::once(id).chain(routed.into_iter().map(|(c, _)| c)),
    );
    Ok(())
}

pub async fn set_priority(
    p: &Pipeline,
    actor: &Actor,
    id: ConversationId,
    priority: &str,
) -> Result<()> {
    actor.require(Action::WorkInbox)?;
    if !PRIORITIES.contains(&priority) {
        return Err(invalid("priority", "one of low, normal, high, urgent"));
    }
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    let c = messages::get_conversation(&mut tx, coop, id).await?;
    if c.priority != priority {
        inbox::set_priority(&mut tx, coop, id, priority).await?;
        crate::sla::stamp(&mut tx, coop, id, c.opened_at, priority_of(priority)).await?;
        inbox::add_event(&mut tx, coop, id, "priority", priority, &actor.label()).await?;
        record(
            &mut tx,
            actor,
            "conversation.priority",
            &format!("conversation:{id}"),
            priority,
        )
        .await?;
    }
    tx.commit().await?;
    updated(p, coop, [id]);
    Ok(())
}

/// A private note: staff only, never sent to the member.
pub async fn add_note(p: &Pipeline, actor: &Actor, id: ConversationId, body: &str) -> Result<i64> {
    actor.require(Action::WorkInbox)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(invalid("note", "a note needs 1 to 4000 characters"));
    }
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    messages::get_conversation(&mut tx, coop, id).await?;
    let note = inbox::add_note(&mut tx, coop, id, &actor.label(), body).await?;
    tx.commit().await?;
    updated(p, coop, [id]);
    Ok(note)
}

/// A label as kept: trimmed, lower case, 1 to 40 letters, digits, spaces, `-` or `_`.
pub fn clean_label(raw: &str) -> Result<String> {
    let l = raw.trim().to_lowercase();
    let ok = !l.is_empty()
        && l.chars().count() <= 40
        && l.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '));
    if ok {
        Ok(l)
    } else {
        Err(invalid(
            "label",
            "a label is 1 to 40 letters, digits, spaces, - or _",
        ))
    }
}

pub async fn label(
    p: &Pipeline,
    actor: &Actor,
    id: ConversationId,
    raw: &str,
    add: bool,
) -> Result<()> {
    actor.require(Action::WorkInbox)?;
    let l = clean_label(raw)?;
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    messages::get_conversation(&mut tx, coop, id).await?;
    let changed = if add {
        let have = inbox::labels_of(&mut tx, coop, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        if have.len() >= 20 && !have.contains(&l) {
            return Err(invalid("label", "a conversation has at most 20 labels"));
        }
        inbox::add_label(&mut tx, coop, id, &l).await?
    } else {
        inbox::remove_label(&mut tx, coop, id, &l).await?
    };
    if changed {
        let kind = if add { "labelled" } else { "unlabelled" };
        inbox::add_event(&mut tx, coop, id, kind, &l, &actor.label()).await?;
    }
    tx.commit().await?;
    updated(p, coop, [id]);
    Ok(())
}

/// Splits a wrongly grouped message out: it and the later messages from the same
/// identity move to a new conversation of that message's contact. Returns the new
/// conversation.
pub async fn split(
    p: &Pipeline,
    actor: &Actor,
    id: ConversationId,
    message: MessageId,
) -> Result<ConversationId> {
    actor.require(Action::WorkInbox)?;
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    let c = messages::get_conversation(&mut tx, coop, id).await?;
    let m = messages::get_message(&mut tx, coop, message).await?;
    if m.conversation_id != id {
        return Err(invalid(
            "message",
            "this message is not in this conversation",
        ));
    }
    if m.direction != "in" {
        return Err(invalid(
            "message",
            "only a member's message can be split out",
        ));
    }
    let all = messages::conversation_messages(&mut tx, coop, id, 1000).await?;
    let moving: Vec<MessageId> = all
        .iter()
        .filter(|x| x.id.0 >= m.id.0 && x.identity_id == m.identity_id)
        .map(|x| x.id)
        .collect();
    if moving.len() == all.len() {
        return Err(invalid(
            "message",
            "every message of this conversation would move; nothing to split from",
        ));
    }
    let member = inbox::contact_member(&mut tx, coop, m.contact_id).await?;
    let fresh =
        messages::create_conversation(&mut tx, coop, m.contact_id, m.channel_id, m.created_at)
            .await?;
    inbox::move_messages(&mut tx, coop, id, fresh.id, &moving).await?;
    crate::sla::stamp(
        &mut tx,
        coop,
        fresh.id,
        m.created_at,
        priority_of(&c.priority),
    )
    .await?;
    inbox::refresh_activity(&mut tx, coop, fresh.id).await?;
    inbox::refresh_activity(&mut tx, coop, id).await?;
    inbox::touch_inbound(
        &mut tx,
        &[inbox::InboundTouch {
            conversation: fresh.id,
            channel: m.channel_id,
            at: m.created_at,
            count: 0,
            preview: crate::pipeline::process::preview(&m.body),
            member_id: member,
            verified: c.verified && member.is_some(),
        }],
    )
    .await?;
    let detail = format!("conversation:{} messages:{}", fresh.id, moving.len());
    inbox::add_event(&mut tx, coop, id, "split", &detail, &actor.label()).await?;
    inbox::add_event(
        &mut tx,
        coop,
        fresh.id,
        "split_from",
        &format!("conversation:{id}"),
        &actor.label(),
    )
    .await?;
    record(
        &mut tx,
        actor,
        "conversation.split",
        &format!("conversation:{id}"),
        &detail,
    )
    .await?;
    let routed = routing::dispatch(&mut tx, coop).await?;
    tx.commit().await?;
    updated(
        p,
        coop,
        [id, fresh.id]
            .into_iter()
            .chain(routed.into_iter().map(|(c, _)| c)),
    );
    Ok(fresh.id)
}

// ---------------------------------------------------------------- agents and teams

pub async fn agents(db: &Db, actor: &Actor) -> Result<Vec<Agent>> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(inbox::agents(&mut conn, actor.cooperative_id).await?)
}

pub async fn teams(db: &Db, actor: &Actor) -> Result<Vec<Team>> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(inbox::teams(&mut conn, actor.cooperative_id).await?)
}

/// The acting agent sets their own presence. Going offline applies the leave policy
/// (their open conversations back to the queue, or kept); coming online takes work
/// from the queue.
pub async fn set_presence(p: &Pipeline, actor: &Actor, presence: &str) -> Result<()> {
    actor.require(Action::WorkInbox)?;
    let Some(me) = actor.user_id() else {
        return Err(invalid("presence", "only a person has a presence"));
    };
    if !PRESENCES.contains(&presence) {
        return Err(invalid("presence", "one of online, away, offline"));
    }
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    let all = inbox::agents(&mut tx, coop).await?;
    let current = all
        .iter()
        .find(|a| a.user_id == me)
        .ok_or(ServiceError::NotFound)?;
    inbox::upsert_agent(
        &mut tx,
        coop,
        me,
        presence,
        current.capacity,
        &current.skills,
    )
    .await?;
    let mut touched = Vec::new();
    if presence == "offline" && current.presence != "offline" {
        let settings = inbox::settings(&mut tx, coop).await?;
        if settings.leave_policy == "requeue" {
            for c in inbox::assigned_to(&mut tx, coop, me).await? {
                inbox::set_assignment(&mut tx, coop, c, None, None).await?;
                inbox::add_event(
                    &mut tx,
                    coop,
                    c,
                    "requeued",
                    "agent offline",
                    routing::ROUTING,
                )
                .await?;
                touched.push(c);
            }
        }
    }
    if presence != current.presence {
        record(
            &mut tx,
            actor,
            "agent.presence",
            &format!("user:{}", me.0),
            presence,
        )
        .await?;
    }
    touched.extend(
        routing::dispatch(&mut tx, coop)
            .await?
            .into_iter()
            .map(|(c, _)| c),
    );
    tx.commit().await?;
    updated(p, coop, touched);
    Ok(())
}

/// A skill as kept: lower case, 1 to 30 letters, digits, `-`, `_` or `:`.
pub fn clean_skill(raw: &str) -> Result<String> {
    let s = raw.trim().to_lowercase();
    if !s.is_empty()
        && s.chars().count() <= 30
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':'))
    {
        Ok(s)
    } else {
        Err(invalid(
            "skills",
            format!("“{raw}” is not a skill (letters, digits, - _ :)"),
        ))
    }
}

/// An administrator sets an agent's capacity and skills.
pub async fn update_agent(
    p: &Pipeline,
    actor: &Actor,
    user: UserId,
    capacity: i64,
    skills: &[String],
) -> Result<()> {
    actor.require(Action::ManageRouting)?;
    if !(1..=100).contains(&capacity) {
        return Err(invalid("capacity", "between 1 and 100 open conversations"));
    }
    let mut clean = skills
        .iter()
        .map(|s| clean_skill(s))
        .collect::<Result<Vec<_>>>()?;
    clean.sort();
    clean.dedup();
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    let all = inbox::agents(&mut tx, coop).await?;
    let current = all
        .iter()
        .find(|a| a.user_id == user)
        .ok_or_else(|| invalid("user", "no such agent in this cooperative"))?;
    inbox::upsert_agent(&mut tx, coop, user, &current.presence, capacity, &clean).await?;
    record(
        &mut tx,
        actor,
        "agent.update",
        &format!("user:{}", user.0),
        &format!("capacity={capacity} skills={}", clean.join(",")),
    )
    .await?;
    let routed = routing::dispatch(&mut tx, coop).await?;
    tx.commit().await?;
    updated(p, coop, routed.into_iter().map(|(c, _)| c));
    Ok(())
}

pub async fn create_team(
    db: &Db,
    actor: &Actor,
    name: &str,
    skill: Option<&str>,
    members: &[UserId],
) -> Result<i64> {
    actor.require(Action::ManageRouting)?;
    let (name, skill) = team_fields(name, skill)?;
    let name = name.as_str();
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    check_staff(&mut tx, coop, members).await?;
    let id = inbox::create_team(&mut tx, coop, name, skill.as_deref()).await?;
    inbox::set_team_members(&mut tx, coop, id, members).await?;
    record(&mut tx, actor, "team.create", &format!("team:{id}"), name).await?;
    tx.commit().await?;
    Ok(id)
}

/// A team's name and default skill.
fn team_fields(name: &str, skill: Option<&str>) -> Result<(String, Option<String>)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid("name", "a team name needs 1 to 80 characters"));
    }
    let skill = skill
        .filter(|s| !s.trim().is_empty())
        .map(clean_skill)
        .transpose()?;
    Ok((name.to_string(), skill))
}

/// Renames a team and sets its default skill.
pub async fn update_team(
    db: &Db,
    actor: &Actor,
    team: i64,
    name: &str,
    skill: Option<&str>,
) -> Result<()> {
    actor.require(Action::ManageRouting)?;
    let (name, skill) = team_fields(name, skill)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    inbox::update_team(&mut tx, coop, team, &name, skill.as_deref()).await?;
    record(
        &mut tx,
        actor,
        "team.update",
        &format!("team:{team}"),
        &name,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a team. Its conversations keep their agent and lose the team (an activity
/// entry says so); its members stay agents.
pub async fn delete_team(p: &Pipeline, actor: &Actor, team: i64) -> Result<()> {
    actor.require(Action::ManageRouting)?;
    let coop = actor.cooperative_id;
    let mut tx = p.db.begin_write().await?;
    let t = inbox::get_team(&mut tx, coop, team).await?;
    let touched = inbox::delete_team(&mut tx, coop, team).await?;
    for c in &touched {
        inbox::add_event(&mut tx, coop, *c, "team_deleted", &t.name, &actor.label()).await?;
    }
    record(
        &mut tx,
        actor,
        "team.delete",
        &format!("team:{team}"),
        &t.name,
    )
    .await?;
    tx.commit().await?;
    updated(p, coop, touched);
    Ok(())
}

pub async fn set_team_members(db: &Db, actor: &Actor, team: i64, members: &[UserId]) -> Result<()> {
    actor.require(Action::ManageRouting)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    inbox::get_team(&mut tx, coop, team).await?;
    check_staff(&mut tx, coop, members).await?;
    inbox::set_team_members(&mut tx, coop, team, members).await?;
    let list = members
        .iter()
        .map(|u| u.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    record(
        &mut tx,
        actor,
        "team.members",
        &format!("team:{team}"),
        &list,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn settings(db: &Db, actor: &Actor) -> Result<Settings> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(inbox::settings(&mut conn, actor.cooperative_id).await?)
}

pub async fn put_settings(db: &Db, actor: &Actor, s: &Settings) -> Result<()> {
    actor.require(Action::ManageRouting)?;
    if !(0..=43_200).contains(&s.group_window_minutes) {
        return Err(invalid(
            "group_window_minutes",
            "between 0 (never group across channels) and 43200 (30 days)",
        ));
    }
    if !matches!(s.leave_policy.as_str(), "requeue" | "keep") {
        return Err(invalid("leave_policy", "requeue or keep"));
    }
    let mut tx = db.begin_write().await?;
    inbox::put_settings(&mut tx, actor.cooperative_id, s).await?;
    record(
        &mut tx,
        actor,
        "inbox.settings",
        "inbox",
        &format!(
            "window={} leave={} auto_assign={} csat={}",
            s.group_window_minutes, s.leave_policy, s.auto_assign, s.csat_enabled
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn skill_rules(db: &Db, actor: &Actor) -> Result<Vec<inbox::SkillRule>> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(inbox::skill_rules(&mut conn, actor.cooperative_id).await?)
}

pub async fn add_skill_rule(
    db: &Db,
    actor: &Actor,
    skill: &str,
    keyword: Option<&str>,
    channel_kind: Option<&str>,
) -> Result<i64> {
    actor.require(Action::ManageRouting)?;
    let skill = clean_skill(skill)?;
    let keyword = keyword.map(str::trim).filter(|k| !k.is_empty());
    let channel_kind = channel_kind.map(str::trim).filter(|k| !k.is_empty());
    match (keyword, channel_kind) {
        (Some(k), None) if k.chars().count() <= 60 => {}
        (None, Some(c)) if ChannelKind::parse(c).is_some() => {}
        _ => {
            return Err(invalid(
                "keyword",
                "give either a keyword (up to 60 characters) or a channel kind",
            ));
        }
    }
    let mut tx = db.begin_write().await?;
    let id =
        inbox::add_skill_rule(&mut tx, actor.cooperative_id, &skill, keyword, channel_kind).await?;
    record(
        &mut tx,
        actor,
        "routing.rule",
        &format!("rule:{id}"),
        &format!(
            "{skill} <- {}",
            keyword.or(channel_kind).unwrap_or_default()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_skill_rule(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Action::ManageRouting)?;
    let mut tx = db.begin_write().await?;
    if !inbox::delete_skill_rule(&mut tx, actor.cooperative_id, id).await? {
        return Err(ServiceError::NotFound);
    }
    record(
        &mut tx,
        actor,
        "routing.rule.delete",
        &format!("rule:{id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

impl Pipeline {
    /// Wakes snoozed conversations whose time has come (every 15 s) and tells live
    /// screens.
    pub async fn run_inbox_timers(self) {
        loop {
            match self.wake_due().await {
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "waking snoozed conversations failed"),
            }
            tokio::time::sleep(Duration::from_secs(15)).await;
        }
    }

    /// One pass of the inbox's timers; returns how many conversations woke.
    pub async fn wake_due(&self) -> Result<usize> {
        let mut tx = self.db.begin_write().await?;
        let woke = inbox::wake_snoozed(&mut tx, now_ms()).await?;
        for (coop, id) in &woke {
            inbox::add_event(&mut tx, *coop, *id, "woke", "", routing::ROUTING).await?;
        }
        tx.commit().await?;
        let n = woke.len();
        self.publish(
            woke.into_iter()
                .map(|(coop, id)| Realtime::conversation(coop, id, "conversation.updated"))
                .collect(),
        );
        Ok(n)
    }
}
