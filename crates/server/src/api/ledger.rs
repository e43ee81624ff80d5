//! `/api/v1/accounts`, `/api/v1/journal` and `/api/v1/ledger/close`: the chart of
//! accounts, the journal (list, one entry with its lines, manual entries, reversal,
//! CSV and beancount export) and closing periods.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use guyub_domain::money::Rupiah;
use guyub_domain::{AccountId, Date, JournalEntryId};
use guyub_services::ledger::{self, AccountInput, EntryView, ManualLine};
use guyub_services::ledger_export::{ExportFormat, JournalExport};
use guyub_store::ledger::{AccountRow, EntryRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_accounts, add_account))
        .routes(routes!(update_account))
        .routes(routes!(list_journal, manual_entry))
        .routes(routes!(export_csv))
        .routes(routes!(export_beancount))
        .routes(routes!(get_entry))
        .routes(routes!(reverse_entry))
        .routes(routes!(close_period))
}

/// A 422 problem naming the field.
pub(super) fn bad(field: &str, message: impl std::fmt::Display) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(format!("{field}: {message}")),
    );
    e.1.field = Some(field.to_string());
    e
}

/// A `YYYY-MM-DD` parameter, or `default` when absent or empty.
pub(super) fn date_param(field: &str, raw: Option<&str>, default: Date) -> Result<Date, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => Date::parse(s).map_err(|_| bad(field, "a date as YYYY-MM-DD")),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    id: i64,
    code: String,
    name_id: String,
    name_en: String,
    /// asset, liability, equity, revenue or expense.
    kind: String,
    parent_code: Option<String>,
    /// A heading: sums its children, takes no postings.
    is_group: bool,
    /// Grows on the side opposite its kind (accumulated depreciation).
    contra: bool,
    active: bool,
}

impl From<&AccountRow> for AccountOut {
    fn from(a: &AccountRow) -> Self {
        AccountOut {
            id: a.id.0,
            code: a.code.clone(),
            name_id: a.name_id.clone(),
            name_en: a.name_en.clone(),
            kind: a.kind.clone(),
            parent_code: a.parent_code.clone(),
            is_group: a.is_group,
            contra: a.contra,
            active: a.active,
        }
    }
}

/// The chart of accounts, in code order (seeded with the default chart on first use).
#[utoipa::path(get, path = "/accounts", tag = "ledger", responses((status = 200, body = Vec<AccountOut>), (status = 403, body = crate::error::Problem)))]
async fn list_accounts(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Vec<AccountOut>> {
    let l = ledger::ledger(&st.db, &a).await?;
    Ok(Json(l.chart().into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct AccountIn {
    /// Digits in dash-separated groups, e.g. `5-3600`.
    code: String,
    name_id: String,
    #[serde(default)]
    name_en: String,
    /// asset, liability, equity, revenue or expense.
    kind: String,
    /// A heading of the same kind, e.g. `5-3000`.
    parent_code: Option<String>,
}

/// Adds an account to the chart.
#[utoipa::path(post, path = "/accounts", tag = "ledger", request_body = AccountIn, responses((status = 201, body = AccountOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn add_account(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<AccountIn>,
) -> Result<(StatusCode, Json<AccountOut>), ApiError> {
    let id = ledger::add_account(
        &st.db,
        &a,
        &AccountInput {
            code: &body.code,
            name_id: &body.name_id,
            name_en: &body.name_en,
            kind: &body.kind,
            parent_code: body.parent_code.as_deref(),
        },
    )
    .await?;
    let l = ledger::ledger(&st.db, &a).await?;
    let row = l.by_id(id).ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct AccountPatch {
    name_id: Option<String>,
    name_en: Option<String>,
    /// `false` switches the account off: it takes no new postings.
    active: Option<bool>,
}

/// Renames an account or switches it off or on (code and kind never change).
#[utoipa::path(patch, path = "/accounts/{id}", tag = "ledger", params(("id" = i64, Path)), request_body = AccountPatch, responses((status = 200, body = AccountOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_account(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AccountPatch>,
) -> ApiResult<AccountOut> {
    let l = ledger::ledger(&st.db, &a).await?;
    let current = l.by_id(AccountId(id)).ok_or_else(ApiError::not_found)?;
    let row = ledger::update_account(
        &st.db,
        &a,
        AccountId(id),
        body.name_id.as_deref().unwrap_or(&current.name_id),
        body.name_en.as_deref().unwrap_or(&current.name_en),
        body.active.unwrap_or(current.active),
    )
    .await?;
    Ok(Json((&row).into()))
}

#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    id: i64,
    entry_no: i64,
    /// `YYYY-MM-DD`.
    date: String,
    memo: String,
    /// manual, reversal, savings, loan, shu_closing, shu, …
    source_kind: String,
    source_id: Option<i64>,
    member_id: Option<i64>,
    reverses_entry_id: Option<i64>,
    /// Total debit (= total credit), whole rupiah.
    total: i64,
    created_by: String,
    created_at_ms: i64,
}

fn day(n: i64) -> String {
    Date::from_number(n)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

impl From<&EntryRow> for EntryOut {
    fn from(e: &EntryRow) -> Self {
        EntryOut {
            id: e.id.0,
            entry_no: e.entry_no,
            date: day(e.date),
            memo: e.memo.clone(),
            source_kind: e.source_kind.clone(),
            source_id: e.source_id,
            member_id: e.member_id,
            reverses_entry_id: e.reverses.map(|r| r.0),
            total: e.total,
            created_by: e.created_by.clone(),
            created_at_ms: e.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LineOut {
    account_id: i64,
    account_code: String,
    account_name: String,
    debit: i64,
    credit: i64,
    member_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryDetailOut {
    #[serde(flatten)]
    entry: EntryOut,
    lines: Vec<LineOut>,
    /// The entry that reversed this one.
    reversed_by: Option<i64>,
}

impl From<EntryView> for EntryDetailOut {
    fn from(v: EntryView) -> Self {
        EntryDetailOut {
            entry: (&v.entry).into(),
            lines: v
                .lines
                .into_iter()
                .map(|l| LineOut {
                    account_id: l.account_id.0,
                    account_code: l.code,
                    account_name: l.name_id,
                    debit: l.debit,
                    credit: l.credit,
                    member_id: l.member_id,
                })
                .collect(),
            reversed_by: v.reversed_by.map(|r| r.0),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct JournalQuery {
    /// `YYYY-MM-DD`, the start of the year by default.
    from: Option<String>,
    /// `YYYY-MM-DD`, today by default.
    to: Option<String>,
    /// An entry id: the page of entries before it (newest first).
    before: Option<i64>,
    /// 1 to 500, 100 by default.
    limit: Option<i64>,
}

/// Journal entries dated in a range, newest first, paged by `before`.
#[utoipa::path(get, path = "/journal", tag = "ledger", params(JournalQuery), responses((status = 200, body = Vec<EntryOut>), (status = 422, body = crate::error::Problem)))]
async fn list_journal(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<JournalQuery>,
) -> ApiResult<Vec<EntryOut>> {
    let today = ledger::today_for(&st.db, &a).await?;
    let year_start = Date::new(today.year, 1, 1).unwrap_or(today);
    let from = date_param("from", q.from.as_deref(), year_start)?;
    let to = date_param("to", q.to.as_deref(), today)?;
    let list = ledger::journal(
        &st.db,
        &a,
        from,
        to,
        q.before.map(JournalEntryId),
        q.limit.unwrap_or(100),
    )
    .await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ManualLineIn {
    /// An account code, e.g. `1-1100`.
    account: String,
    /// Whole rupiah; a line is either a debit or a credit.
    #[serde(default)]
    debit: i64,
    #[serde(default)]
    credit: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct ManualEntryIn {
    /// `YYYY-MM-DD`, after the closed-through date.
    date: String,
    memo: String,
    lines: Vec<ManualLineIn>,
}

/// Posts a manual journal entry (adjustments, opening balances); debits must equal
/// credits.
#[utoipa::path(post, path = "/journal", tag = "ledger", request_body = ManualEntryIn, responses((status = 201, body = EntryDetailOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn manual_entry(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<ManualEntryIn>,
) -> Result<(StatusCode, Json<EntryDetailOut>), ApiError> {
    let date = Date::parse(&body.date).map_err(|_| bad("date", "a date as YYYY-MM-DD"))?;
    if body.lines.len() > 200 {
        return Err(bad("lines", "at most 200 lines"));
    }
    let lines: Vec<ManualLine<'_>> = body
        .lines
        .iter()
        .map(|l| ManualLine {
            account: &l.account,
            debit: Rupiah::new(l.debit),
            credit: Rupiah::new(l.credit),
        })
        .collect();
    let id = ledger::manual_entry(&st.db, &a, date, &body.memo, &lines).await?;
    let v = ledger::entry(&st.db, &a, id).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// One entry with its lines.
#[utoipa::path(get, path = "/journal/{id}", tag = "ledger", params(("id" = i64, Path)), responses((status = 200, body = EntryDetailOut), (status = 404, body = crate::error::Problem)))]
async fn get_entry(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<EntryDetailOut> {
    Ok(Json(
        ledger::entry(&st.db, &a, JournalEntryId(id)).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReverseIn {
    /// Why the entry was wrong.
    reason: String,
    /// `YYYY-MM-DD`, today by default.
    date: Option<String>,
}

/// Reverses an entry (every line on the other side): the only way to correct one.
#[utoipa::path(post, path = "/journal/{id}/reverse", tag = "ledger", params(("id" = i64, Path)), request_body = ReverseIn, responses((status = 201, body = EntryDetailOut), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reverse_entry(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReverseIn>,
) -> Result<(StatusCode, Json<EntryDetailOut>), ApiError> {
    let today = ledger::today_for(&st.db, &a).await?;
    let date = date_param("date", body.date.as_deref(), today)?;
    let r = ledger::reverse(&st.db, &a, JournalEntryId(id), date, &body.reason).await?;
    let v = ledger::entry(&st.db, &a, r).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct CloseIn {
    /// `YYYY-MM-DD`: nothing dated on or before it can be posted afterwards.
    through: String,
}

#[derive(Serialize, ToSchema)]
pub struct CloseOut {
    closed_through: String,
}

/// Closes the books through a day before today.
#[utoipa::path(post, path = "/ledger/close", tag = "ledger", request_body = CloseIn, responses((status = 200, body = CloseOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn close_period(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<CloseIn>,
) -> ApiResult<CloseOut> {
    let through = Date::parse(&body.through).map_err(|_| bad("through", "a date as YYYY-MM-DD"))?;
    ledger::close_period(&st.db, &a, through).await?;
    Ok(Json(CloseOut {
        closed_through: through.to_string(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `YYYY-MM-DD`; the whole journal when left out.
    from: Option<String>,
    to: Option<String>,
}

fn opt_date(field: &str, raw: Option<&str>) -> Result<Option<Date>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Date::parse(s)
            .map(Some)
            .map_err(|_| bad(field, "a date as YYYY-MM-DD")),
    }
}

/// An export streamed as the response body (the API and the pages both serve it).
pub(crate) async fn export_response(
    st: &AppState,
    a: &guyub_services::Actor,
    format: ExportFormat,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Response, guyub_services::ServiceError> {
    let export = JournalExport::start(&st.db, a, format, from, to).await?;
    let stream = futures_util::stream::unfold(Some(export), |state| async move {
        let mut export = state?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(chunk), Some(export))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "journal export failed");
                Some((Err(std::io::Error::other("export failed")), None))
            }
        }
    });
    let (ctype, name) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "jurnal.csv"),
        ExportFormat::Beancount => ("text/plain; charset=utf-8", "jurnal.beancount"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The journal as CSV, one row per line: entry_no, date, memo, account_code,
/// account_name, debit, credit, member_id (audited).
#[utoipa::path(get, path = "/journal/export.csv", tag = "ledger", params(ExportQuery), responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = crate::error::Problem)))]
async fn export_csv(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let (from, to) = (
        opt_date("from", q.from.as_deref())?,
        opt_date("to", q.to.as_deref())?,
    );
    Ok(export_response(&st, &a, ExportFormat::Csv, from, to).await?)
}

/// The journal as beancount plain text (`bean-check` accepts it; account names in
/// docs/CHART_OF_ACCOUNTS.md), audited.
#[utoipa::path(get, path = "/journal/export.beancount", tag = "ledger", params(ExportQuery), responses((status = 200, content_type = "text/plain", body = String), (status = 403, body = crate::error::Problem)))]
async fn export_beancount(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let (from, to) = (
        opt_date("from", q.from.as_deref())?,
        opt_date("to", q.to.as_deref())?,
    );
    Ok(export_response(&st, &a, ExportFormat::Beancount, from, to).await?)
}
