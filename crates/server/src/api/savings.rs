//! `/api/v1/savings`: simpanan settings, a member's balances and statement, deposits,
//! withdrawals, transfers and a leaver's capital payout (each answered with its
//! receipt), wajib arrears, and the monthly wajib billing and jasa simpanan runs.
//! Amounts are whole rupiah as JSON integers; rates are decimal strings (`"3.5"`).

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use guyub_domain::money::Rupiah;
use guyub_domain::{Date, MemberId};
use guyub_services::ServiceError;
use guyub_services::savings::jobs::{self, Arrears, BillingRun, JasaRun, Run};
use guyub_services::savings::{
    self, Failure, MemberSavings, Movement, MovementIn, Receipt, Settings, SettingsInput,
    Statement, TransferIn,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

impl From<Failure> for ApiError {
    fn from(f: Failure) -> ApiError {
        ServiceError::from(f).into()
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(member_savings))
        .routes(routes!(member_statement))
        .routes(routes!(deposit))
        .routes(routes!(withdraw))
        .routes(routes!(transfer))
        .routes(routes!(pay_out))
        .routes(routes!(get_receipt))
        .routes(routes!(arrears))
        .routes(routes!(bill_wajib))
        .routes(routes!(post_jasa))
        .routes(routes!(list_runs))
        .routes(routes!(savings_summary))
}

fn invalid(field: &'static str, message: String) -> ApiError {
    ServiceError::Invalid { field, message }.into()
}

fn date(raw: &Option<String>) -> Result<Option<Date>, ApiError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => Date::parse(d)
            .map(Some)
            .map_err(|e| invalid("date", e.to_string())),
        None => Ok(None),
    }
}

/// The `Idempotency-Key` header: a repeated request answers with the first receipt.
fn idempotency_key(h: &HeaderMap) -> Result<Option<String>, ApiError> {
    match h.get("idempotency-key") {
        Some(v) => v
            .to_str()
            .map(|s| Some(s.to_string()))
            .map_err(|_| invalid("idempotency_key", "not visible ASCII".into())),
        None => Ok(None),
    }
}

#[derive(Serialize, ToSchema)]
pub struct SettingsOut {
    /// Simpanan pokok, paid once (in parts if need be) up to this amount.
    pokok_amount: i64,
    /// Simpanan wajib billed each month.
    wajib_monthly: i64,
    /// Jasa simpanan on sukarela, yearly percent (`"0"`: none).
    sukarela_rate: String,
    /// What a member keeps in sukarela after a withdrawal.
    sukarela_minimum: i64,
    updated_by: Option<String>,
    updated_at_ms: Option<i64>,
}

impl From<Settings> for SettingsOut {
    fn from(s: Settings) -> Self {
        SettingsOut {
            pokok_amount: s.pokok_amount.get(),
            wajib_monthly: s.wajib_monthly.get(),
            sukarela_rate: String::from(s.sukarela_rate),
            sukarela_minimum: s.sukarela_minimum.get(),
            updated_by: s.updated_by,
            updated_at_ms: s.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SettingsIn {
    pokok_amount: i64,
    wajib_monthly: i64,
    /// Yearly percent as a decimal string, e.g. `"3.5"`; `"0"` for none.
    sukarela_rate: String,
    #[serde(default)]
    sukarela_minimum: i64,
}

/// The cooperative's savings settings (defaults until set).
#[utoipa::path(get, path = "/savings/settings", tag = "savings", responses((status = 200, body = SettingsOut)))]
async fn get_settings(State(st): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<SettingsOut> {
    Ok(Json(savings::settings(&st.db, &a).await?.into()))
}

/// Changes the savings settings (pengurus or owner).
#[utoipa::path(put, path = "/savings/settings", tag = "savings", request_body = SettingsIn, responses((status = 200, body = SettingsOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn put_settings(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<SettingsIn>,
) -> ApiResult<SettingsOut> {
    let (pokok, wajib, minimum) = (
        b.pokok_amount.to_string(),
        b.wajib_monthly.to_string(),
        b.sukarela_minimum.to_string(),
    );
    let s = savings::set_settings(
        &st.db,
        &a,
        &SettingsInput {
            pokok_amount: &pokok,
            wajib_monthly: &wajib,
            sukarela_rate: &b.sukarela_rate,
            sukarela_minimum: &minimum,
        },
    )
    .await?;
    Ok(Json(s.into()))
}

#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    /// `pokok`, `wajib` or `sukarela`.
    kind: String,
    /// Absent until the account's first movement.
    account_id: Option<i64>,
    balance: i64,
    last_movement_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WajibOut {
    months_billed: u32,
    billed: i64,
    paid: i64,
    /// Unpaid on every bill, the current month's included.
    owed: i64,
    /// Unpaid on bills of months before the current one (tunggakan).
    arrears: i64,
    months_in_arrears: u32,
    paid_ahead: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MemberSavingsOut {
    member_id: i64,
    member_no: String,
    name: String,
    status: String,
    /// Calon anggota or anggota: may deposit; pokok and wajib stay.
    active: bool,
    accounts: Vec<AccountOut>,
    total: i64,
    wajib: WajibOut,
}

impl From<MemberSavings> for MemberSavingsOut {
    fn from(s: MemberSavings) -> Self {
        MemberSavingsOut {
            member_id: s.member_id.0,
            member_no: s.member_no,
            name: s.name,
            status: s.status.as_str().to_string(),
            active: s.active,
            accounts: s
                .accounts
                .into_iter()
                .map(|a| AccountOut {
                    kind: a.kind.as_str().to_string(),
                    account_id: a.account_id,
                    balance: a.balance.get(),
                    last_movement_on: a.last_date.map(|d| d.to_string()),
                })
                .collect(),
            total: s.total.get(),
            wajib: WajibOut {
                months_billed: s.wajib.months_billed,
                billed: s.wajib.billed.get(),
                paid: s.wajib.paid.get(),
                owed: s.wajib.owed.get(),
                arrears: s.wajib.arrears.get(),
                months_in_arrears: s.wajib.months_in_arrears,
                paid_ahead: s.wajib.paid_ahead.get(),
            },
        }
    }
}

/// A member's balances (pokok, wajib, sukarela) and simpanan wajib position.
#[utoipa::path(get, path = "/savings/members/{id}", tag = "savings", params(("id" = i64, Path)), responses((status = 200, body = MemberSavingsOut), (status = 404, body = crate::error::Problem)))]
async fn member_savings(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<MemberSavingsOut> {
    Ok(Json(
        savings::member_savings(&st.db, &a, MemberId(id))
            .await?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct MovementOut {
    id: i64,
    member_id: i64,
    member_no: String,
    member_name: String,
    kind: String,
    /// `deposit`, `withdrawal`, `transfer_in`, `transfer_out` or `jasa`.
    #[serde(rename = "type")]
    tx_type: String,
    date: String,
    /// Always more than zero; the type says which way.
    amount: i64,
    balance_after: i64,
    journal_entry_id: i64,
    receipt_no: String,
    counterparty_member_id: Option<i64>,
    counterparty_name: Option<String>,
    note: String,
    teller: String,
    at_ms: i64,
}

impl From<Movement> for MovementOut {
    fn from(m: Movement) -> Self {
        let (cp_id, cp_name) = match m.counterparty {
            Some((id, _, name)) => (Some(id.0), Some(name)),
            None => (None, None),
        };
        MovementOut {
            id: m.id,
            member_id: m.member_id.0,
            member_no: m.member_no,
            member_name: m.member_name,
            kind: m.kind.as_str().to_string(),
            tx_type: m.tx_type.as_str().to_string(),
            date: m.date.to_string(),
            amount: m.amount.get(),
            balance_after: m.balance_after.get(),
            journal_entry_id: m.journal_entry_id,
            receipt_no: m.receipt_no,
            counterparty_member_id: cp_id,
            counterparty_name: cp_name,
            note: m.note,
            teller: m.teller,
            at_ms: m.at_ms,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StatementOut {
    member_id: i64,
    member_no: String,
    name: String,
    kind: String,
    balance: i64,
    /// Newest first.
    movements: Vec<MovementOut>,
    /// Pass as `before` for the next, older page; absent on the last page.
    next_before: Option<i64>,
}

impl From<Statement> for StatementOut {
    fn from(s: Statement) -> Self {
        StatementOut {
            member_id: s.member_id.0,
            member_no: s.member_no,
            name: s.name,
            kind: s.kind.as_str().to_string(),
            balance: s.balance.get(),
            movements: s.rows.into_iter().map(Into::into).collect(),
            next_before: s.next_before,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct StatementQuery {
    /// `pokok`, `wajib` or `sukarela` (default).
    kind: Option<String>,
    /// A movement id: only older movements.
    before: Option<i64>,
    /// 1 to 500, default 50.
    limit: Option<i64>,
}

/// An account's statement (buku tabungan), newest first, paged by `before`.
#[utoipa::path(get, path = "/savings/members/{id}/statement", tag = "savings", params(("id" = i64, Path), StatementQuery), responses((status = 200, body = StatementOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn member_statement(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<StatementQuery>,
) -> ApiResult<StatementOut> {
    let s = savings::statement(
        &st.db,
        &a,
        MemberId(id),
        q.kind.as_deref().unwrap_or("sukarela"),
        q.before,
        q.limit.unwrap_or(50),
    )
    .await?;
    Ok(Json(s.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptOut {
    receipt_no: String,
    cooperative: String,
    date: String,
    at_ms: i64,
    teller: String,
    /// One line per account moved (two for a transfer).
    lines: Vec<MovementOut>,
}

impl From<Receipt> for ReceiptOut {
    fn from(r: Receipt) -> Self {
        ReceiptOut {
            receipt_no: r.receipt_no,
            cooperative: r.cooperative,
            date: r.date.to_string(),
            at_ms: r.at_ms,
            teller: r.teller,
            lines: r.lines.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct MovementBody {
    member_id: i64,
    /// `pokok`, `wajib` or `sukarela`.
    kind: String,
    /// Whole rupiah, more than zero.
    amount: i64,
    /// `YYYY-MM-DD`; today in the cooperative when left out. Not after today, not in a
    /// closed period, not before the account's latest movement.
    date: Option<String>,
    #[serde(default)]
    note: String,
}

async fn movement(
    st: &AppState,
    a: &guyub_services::Actor,
    h: &HeaderMap,
    b: &MovementBody,
    withdraw: bool,
) -> Created<ReceiptOut> {
    let key = idempotency_key(h)?;
    let input = MovementIn {
        member: MemberId(b.member_id),
        kind: &b.kind,
        amount: Rupiah::new(b.amount),
        date: date(&b.date)?,
        note: &b.note,
        request_key: key.as_deref(),
    };
    let r = if withdraw {
        savings::withdraw(&st.db, a, &input).await?
    } else {
        savings::deposit(&st.db, a, &input).await?
    };
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// A deposit (setoran) into a member's pokok, wajib or sukarela. Only calon anggota
/// and anggota; pokok up to the set amount; wajib settles the oldest bills first.
/// Send an `Idempotency-Key` header to make a retry safe.
#[utoipa::path(post, path = "/savings/deposits", tag = "savings", request_body = MovementBody, params(("Idempotency-Key" = Option<String>, Header)), responses((status = 201, body = ReceiptOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn deposit(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    h: HeaderMap,
    ApiJson(b): ApiJson<MovementBody>,
) -> Created<ReceiptOut> {
    movement(&st, &a, &h, &b, false).await
}

/// A withdrawal (penarikan). Sukarela never below zero (nor below the minimum while a
/// member); pokok and wajib only after the person left.
#[utoipa::path(post, path = "/savings/withdrawals", tag = "savings", request_body = MovementBody, params(("Idempotency-Key" = Option<String>, Header)), responses((status = 201, body = ReceiptOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn withdraw(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    h: HeaderMap,
    ApiJson(b): ApiJson<MovementBody>,
) -> Created<ReceiptOut> {
    movement(&st, &a, &h, &b, true).await
}

#[derive(Deserialize, ToSchema)]
pub struct TransferBody {
    from_member_id: i64,
    to_member_id: i64,
    amount: i64,
    date: Option<String>,
    #[serde(default)]
    note: String,
}

/// Moves sukarela from one member to another member.
#[utoipa::path(post, path = "/savings/transfers", tag = "savings", request_body = TransferBody, params(("Idempotency-Key" = Option<String>, Header)), responses((status = 201, body = ReceiptOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn transfer(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    h: HeaderMap,
    ApiJson(b): ApiJson<TransferBody>,
) -> Created<ReceiptOut> {
    let key = idempotency_key(&h)?;
    let r = savings::transfer(
        &st.db,
        &a,
        &TransferIn {
            from: MemberId(b.from_member_id),
            to: MemberId(b.to_member_id),
            amount: Rupiah::new(b.amount),
            date: date(&b.date)?,
            note: &b.note,
            request_key: key.as_deref(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct PayOutBody {
    date: Option<String>,
    #[serde(default)]
    note: String,
}

/// Pays a person who left (keluar, meninggal) their simpanan pokok and wajib in full.
#[utoipa::path(post, path = "/savings/members/{id}/payout", tag = "savings", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = PayOutBody, responses((status = 201, body = ReceiptOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn pay_out(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    h: HeaderMap,
    ApiJson(b): ApiJson<PayOutBody>,
) -> Created<ReceiptOut> {
    let key = idempotency_key(&h)?;
    let r = savings::pay_out_capital(
        &st.db,
        &a,
        MemberId(id),
        date(&b.date)?,
        &b.note,
        key.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// A receipt (kwitansi) again, e.g. `KW-000123`.
#[utoipa::path(get, path = "/savings/receipts/{no}", tag = "savings", params(("no" = String, Path)), responses((status = 200, body = ReceiptOut), (status = 404, body = crate::error::Problem)))]
async fn get_receipt(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(no): Path<String>,
) -> ApiResult<ReceiptOut> {
    Ok(Json(savings::receipt(&st.db, &a, &no).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ArrearsOut {
    member_id: i64,
    member_no: String,
    name: String,
    /// Unpaid on bills of months before the current one.
    arrears: i64,
    months: i64,
    /// Unpaid on every bill, the current month's included.
    owed: i64,
}

impl From<Arrears> for ArrearsOut {
    fn from(r: Arrears) -> Self {
        ArrearsOut {
            member_id: r.member_id.0,
            member_no: r.member_no,
            name: r.name,
            arrears: r.arrears.get(),
            months: r.months,
            owed: r.owed.get(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Members behind on simpanan wajib (months before the current one), most behind first.
#[utoipa::path(get, path = "/savings/arrears", tag = "savings", params(PageQuery), responses((status = 200, body = Vec<ArrearsOut>), (status = 403, body = crate::error::Problem)))]
async fn arrears(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<PageQuery>,
) -> ApiResult<Vec<ArrearsOut>> {
    let list = jobs::arrears(&st.db, &a, q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct MonthIn {
    /// `YYYY-MM`.
    month: String,
}

#[derive(Serialize, ToSchema)]
pub struct BillingRunOut {
    month: String,
    /// Bills made now; 0 when the month was billed already.
    created: u64,
    /// Of those, paid at once from wajib paid ahead.
    paid_ahead: u64,
    amount: i64,
    total: i64,
}

impl From<BillingRun> for BillingRunOut {
    fn from(r: BillingRun) -> Self {
        BillingRunOut {
            month: r.month.to_string(),
            created: r.created,
            paid_ahead: r.paid_ahead,
            amount: r.amount.get(),
            total: r.total.get(),
        }
    }
}

/// Bills simpanan wajib for a month (idempotent per member and month).
#[utoipa::path(post, path = "/savings/wajib-billing", tag = "savings", request_body = MonthIn, responses((status = 200, body = BillingRunOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn bill_wajib(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<MonthIn>,
) -> ApiResult<BillingRunOut> {
    Ok(Json(jobs::bill_wajib(&st.db, &a, &b.month).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct JasaRunOut {
    month: String,
    rate: String,
    members: i64,
    total: i64,
    /// Posted before; nothing was posted now.
    already: bool,
}

impl From<JasaRun> for JasaRunOut {
    fn from(r: JasaRun) -> Self {
        JasaRunOut {
            month: r.month.to_string(),
            rate: String::from(r.rate),
            members: r.members,
            total: r.total.get(),
            already: r.already,
        }
    }
}

/// Posts jasa simpanan on sukarela for a month that is over (daily-balance method),
/// once per month.
#[utoipa::path(post, path = "/savings/jasa", tag = "savings", request_body = MonthIn, responses((status = 200, body = JasaRunOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn post_jasa(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<MonthIn>,
) -> ApiResult<JasaRunOut> {
    Ok(Json(
        jobs::post_jasa_simpanan(&st.db, &a, &b.month).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RunOut {
    /// `wajib_billing` or `jasa`.
    kind: String,
    month: String,
    members: i64,
    total: i64,
    run_by: String,
    run_at_ms: i64,
}

impl From<Run> for RunOut {
    fn from(r: Run) -> Self {
        RunOut {
            kind: r.kind,
            month: r.month,
            members: r.members,
            total: r.total.get(),
            run_by: r.run_by,
            run_at_ms: r.run_at,
        }
    }
}

/// The monthly runs (wajib billing, jasa simpanan), newest month first.
#[utoipa::path(get, path = "/savings/runs", tag = "savings", responses((status = 200, body = Vec<RunOut>), (status = 403, body = crate::error::Problem)))]
async fn list_runs(State(st): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Vec<RunOut>> {
    let list = jobs::runs(&st.db, &a, 120).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct SavingsSummaryOut {
    /// pokok, wajib or sukarela.
    kind: String,
    accounts: i64,
    /// Whole rupiah across the cooperative.
    total: i64,
}

/// Simpanan per kind across the cooperative: number of accounts and their total.
#[utoipa::path(get, path = "/reports/savings-summary", tag = "savings", responses((status = 200, body = Vec<SavingsSummaryOut>), (status = 403, body = crate::error::Problem)))]
async fn savings_summary(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<SavingsSummaryOut>>, ApiError> {
    let rows = savings::summary(&st.db, &a).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(kind, accounts, total)| SavingsSummaryOut {
                kind: kind.as_str().to_string(),
                accounts,
                total: total.get(),
            })
            .collect(),
    ))
}
