//! `/api/v1/canned-replies…`: ready-made answers found by shortcut, their bodies
//! checked templates, and rendering one with values given in the request.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guyub_domain::CannedReplyId;
use guyub_services::canned::{self, CannedContext, CannedInput, CannedRef};
use guyub_store::canned::CannedReply;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_replies, create_reply))
        .routes(routes!(get_reply, update_reply, delete_reply))
        .routes(routes!(render_reply))
}

#[derive(Serialize, ToSchema)]
pub struct CannedReplyOut {
    id: i64,
    /// `/salam`.
    shortcut: String,
    title: String,
    /// The template: text with `{{ nama }}`, `{{ no_anggota }}`, `{{ agen }}`,
    /// `{{ koperasi }}`, `{{ kanal }}`, conditions and filters.
    body: String,
    created_by: String,
    created_at_ms: i64,
    updated_by: String,
    updated_at_ms: i64,
}

impl From<CannedReply> for CannedReplyOut {
    fn from(c: CannedReply) -> Self {
        CannedReplyOut {
            id: c.id.0,
            shortcut: c.shortcut,
            title: c.title,
            body: c.body,
            created_by: c.created_by,
            created_at_ms: c.created_at,
            updated_by: c.updated_by,
            updated_at_ms: c.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CannedReplyIn {
    /// A slash and 1 to 32 lower-case letters, digits, `-` or `_` (the slash is added
    /// when missing); unique in the cooperative.
    shortcut: String,
    title: String,
    /// Up to 4096 characters; unknown variables and syntax errors are refused with
    /// their line.
    body: String,
}

impl CannedReplyIn {
    fn input(&self) -> CannedInput<'_> {
        CannedInput {
            shortcut: &self.shortcut,
            title: &self.title,
            body: &self.body,
        }
    }
}

/// Every canned reply, by shortcut.
#[utoipa::path(get, path = "/canned-replies", tag = "inbox", responses((status = 200, body = Vec<CannedReplyOut>), (status = 403, body = crate::error::Problem)))]
async fn list_replies(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Vec<CannedReplyOut>> {
    Ok(Json(
        canned::list(&st.db, &a)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Creates a canned reply (supervisors and administrators).
#[utoipa::path(post, path = "/canned-replies", tag = "inbox", request_body = CannedReplyIn, responses((status = 201, body = CannedReplyOut), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_reply(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<CannedReplyIn>,
) -> Result<(StatusCode, Json<CannedReplyOut>), ApiError> {
    let c = canned::create(&st.db, &a, &body.input()).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(get, path = "/canned-replies/{id}", tag = "inbox", params(("id" = i64, Path)), responses((status = 200, body = CannedReplyOut), (status = 404, body = crate::error::Problem)))]
async fn get_reply(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<CannedReplyOut> {
    Ok(Json(
        canned::get(&st.db, &a, CannedReplyId(id)).await?.into(),
    ))
}

/// Replaces a canned reply's shortcut, title and body.
#[utoipa::path(put, path = "/canned-replies/{id}", tag = "inbox", params(("id" = i64, Path)), request_body = CannedReplyIn, responses((status = 200, body = CannedReplyOut), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_reply(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CannedReplyIn>,
) -> ApiResult<CannedReplyOut> {
    Ok(Json(
        canned::update(&st.db, &a, CannedReplyId(id), &body.input())
            .await?
            .into(),
    ))
}

/// Deletes a canned reply; answers with what it was.
#[utoipa::path(delete, path = "/canned-replies/{id}", tag = "inbox", params(("id" = i64, Path)), responses((status = 200, body = CannedReplyOut), (status = 404, body = crate::error::Problem)))]
async fn delete_reply(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<CannedReplyOut> {
    Ok(Json(
        canned::delete(&st.db, &a, CannedReplyId(id)).await?.into(),
    ))
}

/// Values to render with; a missing one is empty.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RenderIn {
    /// The member's (or contact's) name.
    nama: String,
    /// The member number; empty for a non-member.
    no_anggota: String,
    /// The agent's name.
    agen: String,
    /// The cooperative's name.
    koperasi: String,
    /// The channel kind (whatsapp, telegram, email …).
    kanal: String,
    /// Balances and the loan as the caller wants them shown (e.g. `Rp 1.200.000`).
    simpanan_pokok: String,
    simpanan_wajib: String,
    simpanan_sukarela: String,
    sisa_pinjaman: String,
    /// The next instalment and its due date, as text.
    angsuran_berikut: String,
}

#[derive(Serialize, ToSchema)]
pub struct RenderOut {
    text: String,
}

/// Renders a canned reply with the values given (no conversation needed).
#[utoipa::path(post, path = "/canned-replies/{id}/render", tag = "inbox", params(("id" = i64, Path)), request_body = RenderIn, responses((status = 200, body = RenderOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn render_reply(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RenderIn>,
) -> ApiResult<RenderOut> {
    // The caller supplies every value, balances included.
    let ctx = CannedContext {
        nama: body.nama,
        no_anggota: body.no_anggota,
        agen: body.agen,
        koperasi: body.koperasi,
        kanal: body.kanal,
        simpanan_pokok: body.simpanan_pokok,
        simpanan_wajib: body.simpanan_wajib,
        simpanan_sukarela: body.simpanan_sukarela,
        sisa_pinjaman: body.sisa_pinjaman,
        angsuran_berikut: body.angsuran_berikut,
        verified: true,
    };
    let text = canned::render(&st.db, &a, &CannedRef::Id(CannedReplyId(id)), &ctx).await?;
    Ok(Json(RenderOut { text }))
}
