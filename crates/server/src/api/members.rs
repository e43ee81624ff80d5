//! `/api/v1/members`, `/api/v1/contacts`, `/api/v1/identities`, `/api/v1/identity-reviews`
//! and `/api/v1/merges`: the member registry and one identity across every channel.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use guyub_domain::{ContactId, IdentityId, MemberId, MergeId, ReviewId};
use guyub_services::identity::{self, ContactView, MergePlan, Resolved};
use guyub_services::import::{self, ImportOptions, ImportReport, RowError};
use guyub_services::members::{self, MemberInput};
use guyub_store::contacts::{Identity, IdentityInfo, Merge};
use guyub_store::members::{Member, StatusChange, TimelineEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members, create_member))
        .routes(routes!(get_member, update_member))
        .routes(routes!(change_status))
        .routes(routes!(member_timeline))
        .routes(routes!(member_identities))
        .routes(routes!(import_members))
        .routes(routes!(get_numbering, set_numbering))
        .routes(routes!(export_members))
        .routes(routes!(list_contacts))
        .routes(routes!(get_contact))
        .routes(routes!(add_identity))
        .routes(routes!(link_contact))
        .routes(routes!(unlink_contact))
        .routes(routes!(preview_merge))
        .routes(routes!(merge_contacts))
        .routes(routes!(undo_merge))
        .routes(routes!(resolve_identity))
        .routes(routes!(send_code))
        .routes(routes!(confirm_code))
        .routes(routes!(list_reviews))
        .routes(routes!(settle_review))
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    id: i64,
    member_no: String,
    /// Masked (`3201**********34`) for roles that may not see NIKs.
    nik: Option<String>,
    name: String,
    /// `L` or `P`.
    gender: Option<String>,
    birth_date: Option<String>,
    birth_place: Option<String>,
    /// E.164, the primary first.
    phones: Vec<String>,
    email: Option<String>,
    province: Option<String>,
    regency: Option<String>,
    district: Option<String>,
    village: Option<String>,
    street: Option<String>,
    occupation: Option<String>,
    /// `calon_anggota`, `anggota`, `keluar` or `meninggal`.
    status: String,
    status_on: Option<String>,
    status_reason: Option<String>,
    joined_on: Option<String>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

impl From<Member> for MemberOut {
    fn from(m: Member) -> Self {
        let f = m.fields;
        MemberOut {
            id: m.id.0,
            member_no: m.member_no,
            nik: f.nik,
            name: f.name,
            gender: f.gender,
            birth_date: f.birth_date,
            birth_place: f.birth_place,
            phones: f.phones,
            email: f.email,
            province: f.province,
            regency: f.regency,
            district: f.district,
            village: f.village,
            street: f.street,
            occupation: f.occupation,
            status: m.status,
            status_on: m.status_on,
            status_reason: m.status_reason,
            joined_on: f.joined_on,
            created_at_ms: m.created_at,
            updated_at_ms: m.updated_at,
        }
    }
}

/// A member as sent: raw values, checked by the server (NIK against birth date and
/// gender, phones normalised to E.164).
#[derive(Deserialize, ToSchema)]
pub struct MemberIn {
    /// Leave out to take the next number of the cooperative's sequence.
    member_no: Option<String>,
    nik: Option<String>,
    name: String,
    gender: Option<String>,
    /// `YYYY-MM-DD`.
    birth_date: Option<String>,
    birth_place: Option<String>,
    #[serde(default)]
    phones: Vec<String>,
    email: Option<String>,
    province: Option<String>,
    regency: Option<String>,
    district: Option<String>,
    village: Option<String>,
    street: Option<String>,
    occupation: Option<String>,
    /// On creation only; `calon_anggota` unless given.
    status: Option<String>,
    joined_on: Option<String>,
}

impl From<MemberIn> for MemberInput {
    fn from(m: MemberIn) -> Self {
        MemberInput {
            member_no: m.member_no,
            nik: m.nik,
            name: m.name,
            gender: m.gender,
            birth_date: m.birth_date,
            birth_place: m.birth_place,
            phones: m.phones,
            email: m.email,
            province: m.province,
            regency: m.regency,
            district: m.district,
            village: m.village,
            street: m.street,
            occupation: m.occupation,
            status: m.status,
            joined_on: m.joined_on,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct MemberQuery {
    /// A name, member number, phone (any Indonesian spelling) or NIK.
    q: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Members, searched by name, number, phone or NIK.
#[utoipa::path(get, path = "/members", tag = "members", params(MemberQuery), responses((status = 200, body = Vec<MemberOut>), (status = 422, body = crate::error::Problem)))]
async fn list_members(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(p): Query<MemberQuery>,
) -> ApiResult<Vec<MemberOut>> {
    let list = members::search(
        &st.db,
        &a,
        p.q.as_deref().unwrap_or(""),
        p.status.as_deref(),
        p.limit.unwrap_or(100),
        p.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Registers a member.
#[utoipa::path(post, path = "/members", tag = "members", request_body = MemberIn, responses((status = 201, body = MemberOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_member(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<MemberIn>,
) -> Result<(StatusCode, Json<MemberOut>), ApiError> {
    let m = members::create(&st.db, &a, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// One member.
#[utoipa::path(get, path = "/members/{id}", tag = "members", params(("id" = i64, Path)), responses((status = 200, body = MemberOut), (status = 404, body = crate::error::Problem)))]
async fn get_member(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<MemberOut> {
    Ok(Json(members::get(&st.db, &a, MemberId(id)).await?.into()))
}

/// Replaces a member's details (the number and status stay).
#[utoipa::path(put, path = "/members/{id}", tag = "members", params(("id" = i64, Path)), request_body = MemberIn, responses((status = 200, body = MemberOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_member(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MemberIn>,
) -> ApiResult<MemberOut> {
    Ok(Json(
        members::update(&st.db, &a, MemberId(id), &body.into())
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// `anggota`, `keluar` or `meninggal`.
    status: String,
    /// `YYYY-MM-DD`, today (Asia/Jakarta) if left out.
    effective_on: Option<String>,
    /// Required when the member leaves.
    #[serde(default)]
    reason: String,
}

/// Moves a member along calon anggota → anggota → keluar / meninggal.
#[utoipa::path(post, path = "/members/{id}/status", tag = "members", params(("id" = i64, Path)), request_body = StatusIn, responses((status = 200, body = MemberOut), (status = 422, body = crate::error::Problem)))]
async fn change_status(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StatusIn>,
) -> ApiResult<MemberOut> {
    let m = members::change_status(
        &st.db,
        &a,
        MemberId(id),
        &body.status,
        body.effective_on.as_deref(),
        &body.reason,
    )
    .await?;
    Ok(Json(m.into()))
}

#[derive(Serialize, ToSchema)]
pub struct TimelineOut {
    at_ms: i64,
    kind: String,
    summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusChangeOut {
    from_status: Option<String>,
    to_status: String,
    effective_on: String,
    reason: String,
    actor: String,
    at_ms: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MemberTimelineOut {
    entries: Vec<TimelineOut>,
    status_history: Vec<StatusChangeOut>,
}

/// What happened to the member, newest first, and their status history.
#[utoipa::path(get, path = "/members/{id}/timeline", tag = "members", params(("id" = i64, Path)), responses((status = 200, body = MemberTimelineOut), (status = 404, body = crate::error::Problem)))]
async fn member_timeline(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<MemberTimelineOut> {
    let entries = members::timeline(&st.db, &a, MemberId(id)).await?;
    let history = members::status_history(&st.db, &a, MemberId(id)).await?;
    Ok(Json(MemberTimelineOut {
        entries: entries
            .into_iter()
            .map(|e: TimelineEntry| TimelineOut {
                at_ms: e.at,
                kind: e.kind,
                summary: e.summary,
            })
            .collect(),
        status_history: history
            .into_iter()
            .map(|c: StatusChange| StatusChangeOut {
                from_status: c.from_status,
                to_status: c.to_status,
                effective_on: c.effective_on,
                reason: c.reason,
                actor: c.actor,
                at_ms: c.at,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct IdentityOut {
    id: i64,
    contact_id: i64,
    /// whatsapp, messenger, instagram, telegram, line, x, email, phone, webchat, marketplace.
    kind: String,
    external_id: String,
    channel_id: Option<i64>,
    display_name: Option<String>,
    handle: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    /// Proven by the provider or by a one-time code.
    verified: bool,
    verified_at_ms: Option<i64>,
    first_seen_ms: i64,
    last_seen_ms: i64,
}

impl From<Identity> for IdentityOut {
    fn from(i: Identity) -> Self {
        IdentityOut {
            id: i.id.0,
            contact_id: i.contact_id.0,
            kind: i.kind,
            external_id: i.external_id,
            channel_id: i.channel_id,
            display_name: i.display_name,
            handle: i.handle,
            phone: i.phone,
            email: i.email,
            verified: i.verified,
            verified_at_ms: i.verified_at,
            first_seen_ms: i.first_seen,
            last_seen_ms: i.last_seen,
        }
    }
}

/// Every channel identity of the member, across their contacts.
#[utoipa::path(get, path = "/members/{id}/identities", tag = "members", params(("id" = i64, Path)), responses((status = 200, body = Vec<IdentityOut>), (status = 404, body = crate::error::Problem)))]
async fn member_identities(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Vec<IdentityOut>> {
    let list = identity::member_identities(&st.db, &a, MemberId(id)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Check the file and report; write nothing.
    #[serde(default)]
    dry_run: bool,
    /// Import the good rows even when some rows are bad.
    #[serde(default)]
    skip_bad: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RowErrorOut {
    line: u64,
    field: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    rows: usize,
    valid: usize,
    imported: usize,
    dry_run: bool,
    errors: Vec<RowErrorOut>,
}

impl From<ImportReport> for ImportOut {
    fn from(r: ImportReport) -> Self {
        ImportOut {
            rows: r.rows,
            valid: r.valid,
            imported: r.imported,
            dry_run: r.dry_run,
            errors: r
                .errors
                .into_iter()
                .map(|e: RowError| RowErrorOut {
                    line: e.line,
                    field: e.field,
                    message: e.message,
                })
                .collect(),
        }
    }
}

/// Imports members from a CSV body (UTF-8; columns in docs/MEMBER_CSV.md). Nothing is
/// written while any row is bad, unless `skip_bad`: then the answer is a 422 problem
/// whose `errors` name every bad row (line, field, message). A dry run answers 200
/// with the same report.
#[utoipa::path(post, path = "/members/import", tag = "members", params(ImportQuery), request_body(content = String, content_type = "text/csv"), responses((status = 200, body = ImportOut), (status = 422, body = crate::error::Problem)))]
async fn import_members(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let opts = ImportOptions {
        dry_run: q.dry_run,
        skip_bad: q.skip_bad,
    };
    let report = import::import_members(&st.db, &a, &body, &opts, &|_, _| {}).await?;
    if !report.errors.is_empty() && report.imported == 0 && !opts.dry_run {
        let bad: std::collections::BTreeSet<u64> = report.errors.iter().map(|e| e.line).collect();
        let mut err = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!(
                "{} of {} rows have errors; nothing was imported (fix them, or send skip_bad=true)",
                bad.len(),
                report.rows
            )),
        );
        err.1.errors = serde_json::to_value(&report.errors).ok();
        return Err(err);
    }
    Ok(Json(ImportOut::from(report)).into_response())
}

/// Every member as CSV (audited).
#[utoipa::path(get, path = "/members/export", tag = "members", responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = crate::error::Problem)))]
async fn export_members(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Response, ApiError> {
    let csv = import::export_members(&st.db, &a).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"members.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ContactOut {
    id: i64,
    display_name: String,
    member_id: Option<i64>,
    /// Set when this contact was merged into another.
    merged_into: Option<i64>,
    created_at_ms: i64,
    identities: Vec<IdentityOut>,
}

impl From<ContactView> for ContactOut {
    fn from(v: ContactView) -> Self {
        ContactOut {
            id: v.contact.id.0,
            display_name: v.contact.display_name,
            member_id: v.contact.member_id.map(|m| m.0),
            merged_into: v.contact.merged_into.map(|c| c.0),
            created_at_ms: v.contact.created_at,
            identities: v.identities.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ContactQuery {
    /// Only the contacts of this member.
    member_id: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Contacts (people met on the channels), newest first, with their identities.
#[utoipa::path(get, path = "/contacts", tag = "contacts", params(ContactQuery), responses((status = 200, body = Vec<ContactOut>)))]
async fn list_contacts(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<ContactQuery>,
) -> ApiResult<Vec<ContactOut>> {
    let list = identity::list_contacts(
        &st.db,
        &a,
        q.member_id.map(MemberId),
        q.limit.unwrap_or(100),
        q.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// One contact with its identities.
#[utoipa::path(get, path = "/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), responses((status = 200, body = ContactOut), (status = 404, body = crate::error::Problem)))]
async fn get_contact(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<ContactOut> {
    Ok(Json(
        identity::get_contact(&st.db, &a, ContactId(id))
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct IdentityIn {
    kind: String,
    external_id: String,
    display_name: Option<String>,
}

/// Adds a channel identity to a contact (unverified until a code proves it).
#[utoipa::path(post, path = "/contacts/{id}/identities", tag = "contacts", params(("id" = i64, Path)), request_body = IdentityIn, responses((status = 201, body = IdentityOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn add_identity(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IdentityIn>,
) -> Result<(StatusCode, Json<IdentityOut>), ApiError> {
    let i = identity::add_identity(
        &st.db,
        &a,
        ContactId(id),
        &body.kind,
        &body.external_id,
        body.display_name.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct LinkIn {
    member_id: i64,
}

/// Links the contact to a member.
#[utoipa::path(post, path = "/contacts/{id}/link", tag = "contacts", params(("id" = i64, Path)), request_body = LinkIn, responses((status = 200, body = ContactOut), (status = 409, body = crate::error::Problem)))]
async fn link_contact(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LinkIn>,
) -> ApiResult<ContactOut> {
    identity::link(&st.db, &a, ContactId(id), MemberId(body.member_id)).await?;
    Ok(Json(
        identity::get_contact(&st.db, &a, ContactId(id))
            .await?
            .into(),
    ))
}

/// Removes the contact's link to its member.
#[utoipa::path(post, path = "/contacts/{id}/unlink", tag = "contacts", params(("id" = i64, Path)), responses((status = 200, body = ContactOut), (status = 422, body = crate::error::Problem)))]
async fn unlink_contact(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<ContactOut> {
    identity::unlink(&st.db, &a, ContactId(id)).await?;
    Ok(Json(
        identity::get_contact(&st.db, &a, ContactId(id))
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema, IntoParams)]
pub struct MergeIn {
    /// The contact that is merged into this one and retired.
    other_contact_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MoveOut {
    table: String,
    rows: usize,
}

#[derive(Serialize, ToSchema)]
pub struct MergePlanOut {
    survivor: ContactOut,
    merged: ContactOut,
    moves: Vec<MoveOut>,
    member_after: Option<i64>,
}

impl From<MergePlan> for MergePlanOut {
    fn from(p: MergePlan) -> Self {
        MergePlanOut {
            survivor: p.survivor.into(),
            merged: p.merged.into(),
            moves: p
                .moves
                .into_iter()
                .map(|(table, rows)| MoveOut { table, rows })
                .collect(),
            member_after: p.member_after.map(|m| m.0),
        }
    }
}

/// What merging `other_contact_id` into this contact would move.
#[utoipa::path(get, path = "/contacts/{id}/merge", tag = "contacts", params(("id" = i64, Path), MergeIn), responses((status = 200, body = MergePlanOut), (status = 422, body = crate::error::Problem)))]
async fn preview_merge(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<MergeIn>,
) -> ApiResult<MergePlanOut> {
    Ok(Json(
        identity::merge_preview(&st.db, &a, ContactId(id), ContactId(q.other_contact_id))
            .await?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct MergeOut {
    id: i64,
    survivor_id: i64,
    merged_id: i64,
    undone_at_ms: Option<i64>,
}

impl From<Merge> for MergeOut {
    fn from(m: Merge) -> Self {
        MergeOut {
            id: m.id.0,
            survivor_id: m.survivor_id.0,
            merged_id: m.merged_id.0,
            undone_at_ms: m.undone_at,
        }
    }
}

/// Merges `other_contact_id` into this contact in one transaction (audited). Contacts
/// of two different members are never merged.
#[utoipa::path(post, path = "/contacts/{id}/merge", tag = "contacts", params(("id" = i64, Path)), request_body = MergeIn, responses((status = 201, body = MergeOut), (status = 422, body = crate::error::Problem)))]
async fn merge_contacts(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MergeIn>,
) -> Result<(StatusCode, Json<MergeOut>), ApiError> {
    let merge =
        identity::merge(&st.db, &a, ContactId(id), ContactId(body.other_contact_id)).await?;
    let all = identity::merges_of(&st.db, &a, ContactId(id)).await?;
    let m = all
        .into_iter()
        .find(|m| m.id == merge)
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// Undoes a merge: what moved goes back, the merged contact returns.
#[utoipa::path(post, path = "/merges/{id}/undo", tag = "contacts", params(("id" = i64, Path)), responses((status = 204), (status = 409, body = crate::error::Problem)))]
async fn undo_merge(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    identity::undo_merge(&st.db, &a, MergeId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ResolveIn {
    kind: String,
    external_id: String,
    display_name: Option<String>,
    handle: Option<String>,
    channel_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ResolvedOut {
    identity: IdentityOut,
    contact_id: i64,
    member_id: Option<i64>,
    /// First time this identity was seen.
    created: bool,
    /// Set when the match was ambiguous and waits in the review queue.
    review_id: Option<i64>,
}

impl From<Resolved> for ResolvedOut {
    fn from(r: Resolved) -> Self {
        ResolvedOut {
            identity: r.identity.into(),
            contact_id: r.contact_id.0,
            member_id: r.member_id.map(|m| m.0),
            created: r.created,
            review_id: r.review.map(|r| r.0),
        }
    }
}

/// Resolves an identity as a channel would: finds its contact and member, or creates
/// the contact, linking automatically on an unambiguous phone or verified e-mail match.
#[utoipa::path(post, path = "/identities/resolve", tag = "contacts", request_body = ResolveIn, responses((status = 200, body = ResolvedOut), (status = 422, body = crate::error::Problem)))]
async fn resolve_identity(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<ResolveIn>,
) -> ApiResult<ResolvedOut> {
    let info = IdentityInfo {
        channel_id: body.channel_id,
        display_name: body.display_name.as_deref(),
        handle: body.handle.as_deref(),
        verified: false,
    };
    Ok(Json(
        identity::resolve_identity(&st.db, &a, &body.kind, &body.external_id, &info)
            .await?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CodeSentOut {
    expires_at_ms: i64,
}

/// Sends a one-time code to the identity through its channel (queued in the outbox).
/// At most 3 an hour per identity.
#[utoipa::path(post, path = "/identities/{id}/verification", tag = "contacts", params(("id" = i64, Path)), responses((status = 202, body = CodeSentOut), (status = 429, body = crate::error::Problem)))]
async fn send_code(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<CodeSentOut>), ApiError> {
    let expires = identity::send_code(&st.db, &a, IdentityId(id)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CodeSentOut {
            expires_at_ms: expires,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CodeIn {
    code: String,
}

/// Checks the code the person read back; right, the identity is verified.
#[utoipa::path(post, path = "/identities/{id}/verification/confirm", tag = "contacts", params(("id" = i64, Path)), request_body = CodeIn, responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn confirm_code(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CodeIn>,
) -> Result<StatusCode, ApiError> {
    identity::confirm_code(&st.db, &a, IdentityId(id), &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ReviewOut {
    id: i64,
    /// `ambiguous` (several members share the key) or `conflict` (another member than
    /// the contact's).
    reason: String,
    identity: IdentityOut,
    contact_id: i64,
    contact_member_id: Option<i64>,
    candidates: Vec<MemberOut>,
    created_at_ms: i64,
}

/// Open matches that a person must decide.
#[utoipa::path(get, path = "/identity-reviews", tag = "contacts", responses((status = 200, body = Vec<ReviewOut>)))]
async fn list_reviews(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Vec<ReviewOut>> {
    let list = identity::reviews(&st.db, &a).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| ReviewOut {
                id: r.review.id.0,
                reason: r.review.reason,
                identity: r.identity.into(),
                contact_id: r.contact.id.0,
                contact_member_id: r.contact.member_id.map(|m| m.0),
                candidates: r.candidates.into_iter().map(Into::into).collect(),
                created_at_ms: r.review.created_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SettleIn {
    /// The candidate the identity belongs to; leave out to dismiss the review.
    member_id: Option<i64>,
}

/// Settles a review: link to one candidate, or dismiss.
#[utoipa::path(post, path = "/identity-reviews/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = SettleIn, responses((status = 204), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn settle_review(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SettleIn>,
) -> Result<StatusCode, ApiError> {
    identity::resolve_review(&st.db, &a, ReviewId(id), body.member_id.map(MemberId)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NumberingIo {
    /// A prefix and suffix around a run of `0` (zero-padded) or `#`, e.g. `KGR-000000`.
    format: String,
    /// The number the next member gets (read only).
    #[serde(default)]
    next_value: i64,
}

/// How member numbers are made.
#[utoipa::path(get, path = "/member-numbering", tag = "members", responses((status = 200, body = NumberingIo)))]
async fn get_numbering(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<NumberingIo> {
    let (format, next_value) = members::numbering(&st.db, &a).await?;
    Ok(Json(NumberingIo { format, next_value }))
}

/// Sets the member number format; the sequence continues.
#[utoipa::path(put, path = "/member-numbering", tag = "members", request_body = NumberingIo, responses((status = 200, body = NumberingIo), (status = 422, body = crate::error::Problem)))]
async fn set_numbering(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<NumberingIo>,
) -> ApiResult<NumberingIo> {
    members::set_numbering(&st.db, &a, &body.format).await?;
    let (format, next_value) = members::numbering(&st.db, &a).await?;
    Ok(Json(NumberingIo { format, next_value }))
}
