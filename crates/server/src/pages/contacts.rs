//! Contacts and their channel identities: the contact list and page, linking to a
//! member, adding an identity, proving one with a code, merging two contacts (with a
//! preview first) and undoing a merge, and the review queue.

use super::members::member_page;
use super::{Back, Flash, Shell, local_time, page_query, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::{Action, ContactId, IdentityId, IdentityKind, MemberId, MergeId};
use guyub_services::{ServiceError, identity, members};
use guyub_store::contacts::Identity;
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, PageError>;

const PAGE: i64 = 50;

/// An identity as the member, contact and review pages show it.
pub struct IdentityRow {
    pub id: i64,
    pub contact_id: i64,
    pub kind: String,
    pub external_id: String,
    pub display_name: String,
    pub verified: bool,
    pub verified_at: String,
    pub last_seen: String,
}

pub fn identity_rows(list: Vec<Identity>, tz: &str) -> Vec<IdentityRow> {
    list.into_iter().map(|i| identity_row(i, tz)).collect()
}

pub fn identity_row(i: Identity, tz: &str) -> IdentityRow {
    IdentityRow {
        id: i.id.0,
        contact_id: i.contact_id.0,
        kind: i.kind,
        external_id: i.external_id,
        display_name: i.display_name.unwrap_or_default(),
        verified: i.verified,
        verified_at: i
            .verified_at
            .map(|ms| local_time(ms, tz))
            .unwrap_or_default(),
        last_seen: local_time(i.last_seen, tz),
    }
}

/// A member as a contact or review names them.
pub struct MemberRef {
    pub id: i64,
    pub member_no: String,
    pub name: String,
}

/// Looks up the members behind `ids`, once each.
async fn member_refs(
    state: &AppState,
    s: &PageSession,
    ids: impl IntoIterator<Item = MemberId>,
) -> Result<HashMap<MemberId, MemberRef>, PageError> {
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let m = members::get(&state.db, &s.actor, id)
            .await
            .map_err(|e| s.fail(e))?;
        out.insert(
            id,
            MemberRef {
                id: id.0,
                member_no: m.member_no,
                name: m.fields.name,
            },
        );
    }
    Ok(out)
}

pub fn split(error: Option<(StatusCode, String)>) -> (StatusCode, Option<String>) {
    match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    }
}

struct ContactListRow {
    id: i64,
    name: String,
    identities: Vec<IdentityRow>,
    member: Option<MemberRef>,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ListPage {
    t: Tr,
    shell: Shell,
    rows: Vec<ContactListRow>,
    newer: Option<String>,
    older: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    page: i64,
}

pub async fn list(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let shell = Shell::load(&state, &s, "contacts", None).await?;
    let page = q.page.max(0);
    let mut found = identity::list_contacts(&state.db, &s.actor, None, PAGE + 1, page * PAGE)
        .await
        .map_err(|e| s.fail(e))?;
    let more = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let linked: Vec<MemberId> = found.iter().filter_map(|c| c.contact.member_id).collect();
    let mut refs = member_refs(&state, &s, linked).await?;
    let rows = found
        .into_iter()
        .map(|c| ContactListRow {
            id: c.contact.id.0,
            name: c.contact.display_name,
            member: c.contact.member_id.and_then(|m| refs.remove(&m)),
            identities: identity_rows(c.identities, &shell.tz),
        })
        .collect();
    let view = ListPage {
        t: s.tr(),
        shell,
        rows,
        newer: (page > 0).then(|| page_query(&[], page - 1)),
        older: more.then(|| page_query(&[], page + 1)),
    };
    Ok(html(&view, s.lang())?.into_response())
}

struct MergeRow {
    id: i64,
    survivor_id: i64,
    merged_id: i64,
    moved: usize,
    when: String,
    actor: String,
    undone: Option<String>,
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    t: Tr,
    shell: Shell,
    id: i64,
    name: String,
    merged_into: Option<i64>,
    member: Option<MemberRef>,
    identities: Vec<IdentityRow>,
    merges: Vec<MergeRow>,
    kinds: [IdentityKind; 10],
    error: Option<String>,
    can_manage: bool,
    can_merge: bool,
    back: String,
}

async fn contact_page(
    state: &AppState,
    s: &PageSession,
    id: ContactId,
    flash: Option<&str>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "contacts", flash).await?;
    let v = identity::get_contact(&state.db, &s.actor, id)
        .await
        .map_err(|e| s.fail(e))?;
    let merges = identity::merges_of(&state.db, &s.actor, id)
        .await
        .map_err(|e| s.fail(e))?;
    let member = match v.contact.member_id {
        Some(m) => member_refs(state, s, [m]).await?.remove(&m),
        None => None,
    };
    let tz = shell.tz.clone();
    let (status, error) = split(error);
    let role = s.actor.role;
    let view = ContactPage {
        t: s.tr(),
        shell,
        id: id.0,
        name: v.contact.display_name,
        merged_into: v.contact.merged_into.map(|c| c.0),
        member,
        identities: identity_rows(v.identities, &tz),
        merges: merges
            .into_iter()
            .map(|m| MergeRow {
                id: m.id.0,
                survivor_id: m.survivor_id.0,
                merged_id: m.merged_id.0,
                moved: m.moved.iter().map(|(_, ids)| ids.len()).sum(),
                when: local_time(m.at, &tz),
                actor: m.actor,
                undone: m.undone_at.map(|ms| local_time(ms, &tz)),
            })
            .collect(),
        kinds: IdentityKind::ALL,
        error,
        can_manage: role.can(Action::ManageMembers),
        can_merge: role.can(Action::MergeContacts),
        back: format!("/contacts/{}", id.0),
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    contact_page(&state, &s, ContactId(id), f.ok.as_deref(), None).await
}

/// After a form on a member or contact page: back there with a flash, or the page
/// again with the refusal.
async fn done_or_refused(
    state: &AppState,
    s: &PageSession,
    back: Back,
    result: Result<(), ServiceError>,
    ok: &str,
) -> PageResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{}?ok={ok}", back.path())).into_response()),
        Err(e) => {
            let shown = Some(refusal(s, e)?);
            match back {
                Back::Member(m) => member_page(state, s, MemberId(m), None, shown).await,
                Back::Contact(c) => contact_page(state, s, ContactId(c), None, shown).await,
            }
        }
    }
}

/// The page a form came from (its `back` field).
fn back_from(s: &PageSession, raw: &str) -> Result<Back, PageError> {
    Back::parse(raw)
        .ok_or_else(|| PageError::new(StatusCode::BAD_REQUEST, s.lang(), "error.bad_request"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    /// A member number, or a member's id.
    member: String,
}

/// The member a person typed: their number first, else their id.
async fn find_member(
    state: &AppState,
    s: &PageSession,
    raw: &str,
) -> Result<MemberId, ServiceError> {
    let raw = raw.trim();
    let by_no = members::search(&state.db, &s.actor, raw, None, 500, 0).await?;
    if let Some(m) = by_no.iter().find(|m| m.member_no.eq_ignore_ascii_case(raw)) {
        return Ok(m.id);
    }
    match raw.parse::<i64>() {
        Ok(id) => members::get(&state.db, &s.actor, MemberId(id))
            .await
            .map(|m| m.id)
            .map_err(|_| not_a_member(raw)),
        Err(_) => Err(not_a_member(raw)),
    }
}

fn not_a_member(raw: &str) -> ServiceError {
    ServiceError::Invalid {
        field: "member",
        message: format!("no member has the number or id \"{raw}\""),
    }
}

pub async fn link(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let result = match find_member(&state, &s, &f.member).await {
        Ok(m) => identity::link(&state.db, &s.actor, ContactId(id), m).await,
        Err(e) => Err(e),
    };
    done_or_refused(&state, &s, Back::Contact(id), result, "contacts.linked").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BackForm {
    back: String,
}

pub async fn unlink(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<BackForm>,
) -> PageResult {
    let back = if f.back.is_empty() {
        Back::Contact(id)
    } else {
        back_from(&s, &f.back)?
    };
    let result = identity::unlink(&state.db, &s.actor, ContactId(id)).await;
    done_or_refused(&state, &s, back, result, "contacts.unlinked").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IdentityForm {
    kind: String,
    external_id: String,
    display_name: String,
}

pub async fn add_identity(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<IdentityForm>,
) -> PageResult {
    let name = Some(f.display_name.as_str()).filter(|n| !n.trim().is_empty());
    let result = identity::add_identity(
        &state.db,
        &s.actor,
        ContactId(id),
        &f.kind,
        &f.external_id,
        name,
    )
    .await
    .map(|_| ());
    done_or_refused(
        &state,
        &s,
        Back::Contact(id),
        result,
        "contacts.identity_added",
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    back: String,
    code: String,
}

pub async fn send_code(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let back = back_from(&s, &f.back)?;
    let result = identity::send_code(&state.db, &s.actor, IdentityId(id))
        .await
        .map(|_| ());
    done_or_refused(&state, &s, back, result, "identity.code_sent").await
}

pub async fn confirm_code(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let back = back_from(&s, &f.back)?;
    let result = identity::confirm_code(&state.db, &s.actor, IdentityId(id), &f.code).await;
    done_or_refused(&state, &s, back, result, "identity.verified").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergeQuery {
    /// The other contact's id, as typed.
    other: String,
}

struct MoveRow {
    what: String,
    rows: usize,
}

#[derive(Template)]
#[template(path = "merge.html")]
struct MergePage {
    t: Tr,
    shell: Shell,
    id: i64,
    name: String,
    other: i64,
    other_name: String,
    keeps: Vec<IdentityRow>,
    moving: Vec<IdentityRow>,
    member_after: Option<MemberRef>,
    moves: Vec<MoveRow>,
}

fn other_id(raw: &str) -> Result<ContactId, ServiceError> {
    raw.trim()
        .trim_start_matches('#')
        .parse()
        .map(ContactId)
        .map_err(|_| ServiceError::Invalid {
            field: "other",
            message: format!("\"{raw}\" is not a contact number"),
        })
}

/// What merging the other contact into this one would do, and the button to do it.
pub async fn merge_preview(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Query(q): Query<MergeQuery>,
) -> PageResult {
    let plan = match other_id(&q.other) {
        Ok(other) => identity::merge_preview(&state.db, &s.actor, ContactId(id), other).await,
        Err(e) => Err(e),
    };
    let plan = match plan {
        Ok(p) => p,
        Err(e) => return done_or_refused(&state, &s, Back::Contact(id), Err(e), "").await,
    };
    let shell = Shell::load(&state, &s, "contacts", None).await?;
    let member_after = match plan.member_after {
        Some(m) => member_refs(&state, &s, [m]).await?.remove(&m),
        None => None,
    };
    let t = s.tr();
    let view = MergePage {
        id,
        name: plan.survivor.contact.display_name,
        other: plan.merged.contact.id.0,
        other_name: plan.merged.contact.display_name,
        keeps: identity_rows(plan.survivor.identities, &shell.tz),
        moving: identity_rows(plan.merged.identities, &shell.tz),
        member_after,
        moves: plan
            .moves
            .into_iter()
            .map(|(table, rows)| MoveRow {
                what: t.or(&format!("table.{table}"), &table).to_string(),
                rows,
            })
            .collect(),
        t,
        shell,
    };
    Ok(html(&view, s.lang())?.into_response())
}

pub async fn merge(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<MergeQuery>,
) -> PageResult {
    let result = match other_id(&f.other) {
        Ok(other) => identity::merge(&state.db, &s.actor, ContactId(id), other)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    done_or_refused(&state, &s, Back::Contact(id), result, "contacts.merged").await
}

pub async fn undo_merge(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<BackForm>,
) -> PageResult {
    let back = back_from(&s, &f.back)?;
    let result = identity::undo_merge(&state.db, &s.actor, MergeId(id)).await;
    done_or_refused(&state, &s, back, result, "contacts.unmerged").await
}
