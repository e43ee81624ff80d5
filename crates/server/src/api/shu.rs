//! `/api/v1/shu/{year}…`: the RAT's allocation, the preview of every member's share,
//! the one posting of a year, and a member's slip.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guyub_domain::MemberId;
use guyub_services::shu::{self, AllocationSetting, PoolInput, ShuView, Slip};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_allocation, set_allocation))
        .routes(routes!(preview))
        .routes(routes!(post_shu))
        .routes(routes!(member_slip))
}

fn kind_name(k: guyub_domain::money::shu::ShuPoolKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct PoolOut {
    name: String,
    /// cadangan, jasa_modal, jasa_anggota or other.
    kind: String,
    /// A percentage as a decimal string (`"2.5"`).
    percent: String,
    /// The account the pool is credited to.
    account: String,
    /// Whole rupiah (in a preview or posting).
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AllocationOut {
    year: i32,
    /// `false`: the example split, until the RAT's is saved.
    saved: bool,
    pools: Vec<PoolOut>,
}

impl From<AllocationSetting> for AllocationOut {
    fn from(a: AllocationSetting) -> Self {
        AllocationOut {
            year: a.year,
            saved: a.saved,
            pools: a
                .pools
                .into_iter()
                .map(|p| PoolOut {
                    name: p.name,
                    kind: kind_name(p.kind),
                    percent: p.rate.percent().to_string(),
                    account: p.account,
                    amount: None,
                })
                .collect(),
        }
    }
}

/// The allocation of a fiscal year (the example split until one is saved).
#[utoipa::path(get, path = "/shu/{year}/allocation", tag = "shu", params(("year" = i32, Path)), responses((status = 200, body = AllocationOut), (status = 422, body = crate::error::Problem)))]
async fn get_allocation(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(year): Path<i32>,
) -> ApiResult<AllocationOut> {
    Ok(Json(shu::allocation(&st.db, &a, year).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct PoolIn {
    name: String,
    /// cadangan, jasa_modal, jasa_anggota or other.
    kind: String,
    /// `25`, `2.5` or `2,5`.
    percent: String,
    /// For `other` pools: the account credited; a pool named like a default fund
    /// (pengurus, karyawan, pendidikan, sosial, pembangunan) finds its own.
    #[serde(default)]
    account: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AllocationIn {
    pools: Vec<PoolIn>,
}

/// Saves the RAT's allocation: percentages adding up to exactly 100, with one
/// cadangan, one jasa modal and one jasa anggota pool.
#[utoipa::path(put, path = "/shu/{year}/allocation", tag = "shu", params(("year" = i32, Path)), request_body = AllocationIn, responses((status = 200, body = AllocationOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_allocation(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(year): Path<i32>,
    ApiJson(body): ApiJson<AllocationIn>,
) -> ApiResult<AllocationOut> {
    let pools: Vec<PoolInput> = body
        .pools
        .into_iter()
        .map(|p| PoolInput {
            name: p.name,
            kind: p.kind,
            percent: p.percent,
            account: p.account,
        })
        .collect();
    Ok(Json(
        shu::set_allocation(&st.db, &a, year, &pools).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct MemberShareOut {
    member_id: i64,
    member_no: String,
    name: String,
    /// Simpanan pokok + wajib at year end.
    savings_capital: i64,
    /// Interest, provisi, administration fees and purchases in the year.
    transactions: i64,
    jasa_modal: i64,
    jasa_anggota: i64,
    total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ShuOut {
    year: i32,
    posted: bool,
    posted_at_ms: Option<i64>,
    closing_entry_id: Option<i64>,
    distribution_entry_id: Option<i64>,
    /// The year's revenue less expense.
    surplus: i64,
    surplus_members: i64,
    surplus_non_members: i64,
    pools: Vec<PoolOut>,
    jasa_modal_undistributed: i64,
    jasa_anggota_undistributed: i64,
    /// Cadangan + non-member surplus + rounding remainders.
    reserve_total: i64,
    total_capital: i64,
    total_transactions: i64,
    /// Sum of the members' shares.
    shares_total: i64,
    members: Vec<MemberShareOut>,
}

impl From<ShuView> for ShuOut {
    fn from(v: ShuView) -> Self {
        let shares_total = v.shares_total();
        ShuOut {
            year: v.year,
            posted: v.posted.is_some(),
            posted_at_ms: v.posted.as_ref().map(|r| r.posted_at),
            closing_entry_id: v.posted.as_ref().map(|r| r.closing_entry_id.0),
            distribution_entry_id: v.posted.as_ref().map(|r| r.distribution_entry_id.0),
            surplus: v.surplus,
            surplus_members: v.surplus_members,
            surplus_non_members: v.surplus_non_members,
            pools: v
                .pools
                .into_iter()
                .map(|p| PoolOut {
                    name: p.name,
                    kind: kind_name(p.kind),
                    percent: p.rate.percent().to_string(),
                    account: p.account,
                    amount: Some(p.amount),
                })
                .collect(),
            jasa_modal_undistributed: v.jasa_modal_undistributed,
            jasa_anggota_undistributed: v.jasa_anggota_undistributed,
            reserve_total: v.reserve_total,
            total_capital: v.total_capital,
            total_transactions: v.total_transactions,
            shares_total,
            members: v
                .members
                .into_iter()
                .map(|m| MemberShareOut {
                    member_id: m.member_id,
                    member_no: m.member_no,
                    name: m.name,
                    savings_capital: m.savings_capital,
                    transactions: m.transactions,
                    jasa_modal: m.jasa_modal,
                    jasa_anggota: m.jasa_anggota,
                    total: m.total,
                })
                .collect(),
        }
    }
}

/// The SHU of a year with every member's share: as posted, or computed now.
#[utoipa::path(get, path = "/shu/{year}/preview", tag = "shu", params(("year" = i32, Path)), responses((status = 200, body = ShuOut), (status = 422, body = crate::error::Problem)))]
async fn preview(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(year): Path<i32>,
) -> ApiResult<ShuOut> {
    Ok(Json(shu::preview(&st.db, &a, year).await?.into()))
}

/// Posts the SHU of a finished year, once: closes revenue and expense into SHU, credits
/// the reserve, the funds and every member's share (Utang SHU), closes the year.
#[utoipa::path(post, path = "/shu/{year}", tag = "shu", params(("year" = i32, Path)), responses((status = 201, body = ShuOut), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn post_shu(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(year): Path<i32>,
) -> Result<(StatusCode, Json<ShuOut>), ApiError> {
    let v = shu::post(&st.db, &a, year).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[derive(Serialize, ToSchema)]
pub struct SlipOut {
    year: i32,
    member_id: i64,
    member_no: String,
    name: String,
    savings_capital: i64,
    transactions: i64,
    total_capital: i64,
    total_transactions: i64,
    jasa_modal_pool: i64,
    jasa_anggota_pool: i64,
    jasa_modal: i64,
    jasa_anggota: i64,
    total: i64,
    posted: bool,
}

impl From<Slip> for SlipOut {
    fn from(s: Slip) -> Self {
        SlipOut {
            year: s.year,
            member_id: s.member_id,
            member_no: s.member_no,
            name: s.name,
            savings_capital: s.savings_capital,
            transactions: s.transactions,
            total_capital: s.total_capital,
            total_transactions: s.total_transactions,
            jasa_modal_pool: s.jasa_modal_pool,
            jasa_anggota_pool: s.jasa_anggota_pool,
            jasa_modal: s.jasa_modal,
            jasa_anggota: s.jasa_anggota,
            total: s.total,
            posted: s.posted,
        }
    }
}

/// One member's SHU slip for a year.
#[utoipa::path(get, path = "/shu/{year}/members/{member_id}", tag = "shu", params(("year" = i32, Path), ("member_id" = i64, Path)), responses((status = 200, body = SlipOut), (status = 404, body = crate::error::Problem)))]
async fn member_slip(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path((year, member)): Path<(i32, i64)>,
) -> ApiResult<SlipOut> {
    Ok(Json(
        shu::slip(&st.db, &a, year, MemberId(member)).await?.into(),
    ))
}
