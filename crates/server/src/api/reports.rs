//! `/api/v1/reports/…`: trial balance, laporan posisi keuangan (balance sheet),
//! laporan hasil usaha (income statement, member and non-member apart), cash book and
//! the general-ledger account card. Amounts are whole rupiah.

use super::ledger::date_param;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use guyub_domain::Date;
use guyub_services::ledger;
use guyub_services::reports::{self, AccountCard, ReportRow, SurplusSplit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(trial_balance))
        .routes(routes!(balance_sheet))
        .routes(routes!(income_statement))
        .routes(routes!(cash_book))
        .routes(routes!(account_card))
}

#[derive(Deserialize, IntoParams)]
pub struct AsOfQuery {
    /// `YYYY-MM-DD`, today by default.
    as_of: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct RangeQuery {
    /// `YYYY-MM-DD`, the start of this year by default.
    from: Option<String>,
    /// `YYYY-MM-DD`, today by default.
    to: Option<String>,
}

async fn range(
    st: &AppState,
    a: &guyub_services::Actor,
    q: &RangeQuery,
) -> Result<(Date, Date), ApiError> {
    let today = ledger::today_for(&st.db, a).await?;
    let start = Date::new(today.year, 1, 1).unwrap_or(today);
    Ok((
        date_param("from", q.from.as_deref(), start)?,
        date_param("to", q.to.as_deref(), today)?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TrialRowOut {
    code: String,
    name: String,
    kind: String,
    debit: i64,
    credit: i64,
    /// On the account's normal side.
    balance: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrialBalanceOut {
    as_of: String,
    rows: Vec<TrialRowOut>,
    total_debit: i64,
    total_credit: i64,
}

/// Debit and credit totals of every account used, as of a day.
#[utoipa::path(get, path = "/reports/trial-balance", tag = "reports", params(AsOfQuery), responses((status = 200, body = TrialBalanceOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn trial_balance(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<AsOfQuery>,
) -> ApiResult<TrialBalanceOut> {
    let today = ledger::today_for(&st.db, &a).await?;
    let as_of = date_param("as_of", q.as_of.as_deref(), today)?;
    let tb = ledger::trial_balance(&st.db, &a, as_of).await?;
    Ok(Json(TrialBalanceOut {
        as_of: as_of.to_string(),
        rows: tb
            .rows
            .into_iter()
            .map(|r| TrialRowOut {
                code: r.code,
                name: r.name_id,
                kind: r.kind,
                debit: r.debit,
                credit: r.credit,
                balance: r.balance,
            })
            .collect(),
        total_debit: tb.total_debit,
        total_credit: tb.total_credit,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RowOut {
    code: String,
    name: String,
    name_en: String,
    /// 0 for the kind's heading.
    depth: usize,
    is_group: bool,
    /// On the normal side of the account's kind (a contra account is negative).
    amount: i64,
}

fn rows(r: Vec<ReportRow>) -> Vec<RowOut> {
    r.into_iter()
        .map(|r| RowOut {
            code: r.code,
            name: r.name_id,
            name_en: r.name_en,
            depth: r.depth,
            is_group: r.is_group,
            amount: r.amount,
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct BalanceSheetOut {
    as_of: String,
    assets: Vec<RowOut>,
    total_assets: i64,
    liabilities: Vec<RowOut>,
    total_liabilities: i64,
    equity: Vec<RowOut>,
    /// Revenue less expense not yet closed into SHU.
    current_surplus: i64,
    total_equity: i64,
    balanced: bool,
}

/// Laporan posisi keuangan: assets = liabilities + equity (with the current surplus),
/// grouped by the chart's headings.
#[utoipa::path(get, path = "/reports/balance-sheet", tag = "reports", params(AsOfQuery), responses((status = 200, body = BalanceSheetOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn balance_sheet(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<AsOfQuery>,
) -> ApiResult<BalanceSheetOut> {
    let today = ledger::today_for(&st.db, &a).await?;
    let as_of = date_param("as_of", q.as_of.as_deref(), today)?;
    let b = reports::balance_sheet(&st.db, &a, as_of).await?;
    Ok(Json(BalanceSheetOut {
        as_of: as_of.to_string(),
        assets: rows(b.assets),
        total_assets: b.total_assets,
        liabilities: rows(b.liabilities),
        total_liabilities: b.total_liabilities,
        equity: rows(b.equity),
        current_surplus: b.current_surplus,
        total_equity: b.total_equity,
        balanced: b.balanced,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SplitOut {
    member_revenue: i64,
    non_member_revenue: i64,
    other_revenue: i64,
    member_direct_costs: i64,
    non_member_direct_costs: i64,
    common_costs: i64,
    /// Common costs less other revenue borne by non-members (by revenue share).
    common_to_non_members: i64,
    common_to_members: i64,
    surplus_members: i64,
    surplus_non_members: i64,
}

impl From<SurplusSplit> for SplitOut {
    fn from(s: SurplusSplit) -> Self {
        SplitOut {
            member_revenue: s.member_revenue,
            non_member_revenue: s.non_member_revenue,
            other_revenue: s.other_revenue,
            member_direct_costs: s.member_direct_costs,
            non_member_direct_costs: s.non_member_direct_costs,
            common_costs: s.common_costs,
            common_to_non_members: s.common_to_non_members,
            common_to_members: s.common_to_members,
            surplus_members: s.surplus_members,
            surplus_non_members: s.surplus_non_members,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IncomeStatementOut {
    from: String,
    to: String,
    revenue: Vec<RowOut>,
    total_revenue: i64,
    expenses: Vec<RowOut>,
    total_expenses: i64,
    surplus: i64,
    /// Member and non-member revenue and surplus apart (docs/MONEY.md).
    split: SplitOut,
}

/// Laporan hasil usaha over a date range, member and non-member apart.
#[utoipa::path(get, path = "/reports/income-statement", tag = "reports", params(RangeQuery), responses((status = 200, body = IncomeStatementOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn income_statement(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<RangeQuery>,
) -> ApiResult<IncomeStatementOut> {
    let (from, to) = range(&st, &a, &q).await?;
    let s = reports::income_statement(&st.db, &a, from, to).await?;
    Ok(Json(IncomeStatementOut {
        from: from.to_string(),
        to: to.to_string(),
        revenue: rows(s.revenue),
        total_revenue: s.total_revenue,
        expenses: rows(s.expenses),
        total_expenses: s.total_expenses,
        surplus: s.surplus,
        split: s.split.into(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CardLineOut {
    entry_id: i64,
    entry_no: i64,
    date: String,
    memo: String,
    debit: i64,
    credit: i64,
    /// The running balance after this line.
    balance: i64,
    member_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CardOut {
    account_code: String,
    account_name: String,
    from: String,
    to: String,
    opening: i64,
    lines: Vec<CardLineOut>,
    total_debit: i64,
    total_credit: i64,
    closing: i64,
    /// More lines than shown (5,000): narrow the dates.
    truncated: bool,
}

impl From<AccountCard> for CardOut {
    fn from(c: AccountCard) -> Self {
        CardOut {
            account_code: c.account.code,
            account_name: c.account.name_id,
            from: c.from.to_string(),
            to: c.to.to_string(),
            opening: c.opening,
            lines: c
                .lines
                .into_iter()
                .map(|l| CardLineOut {
                    entry_id: l.entry_id.0,
                    entry_no: l.entry_no,
                    date: l.date.to_string(),
                    memo: l.memo,
                    debit: l.debit,
                    credit: l.credit,
                    balance: l.balance,
                    member_id: l.member_id,
                })
                .collect(),
            total_debit: c.total_debit,
            total_credit: c.total_credit,
            closing: c.closing,
            truncated: c.truncated,
        }
    }
}

/// Buku kas: the cash account's postings with a running balance.
#[utoipa::path(get, path = "/reports/cash-book", tag = "reports", params(RangeQuery), responses((status = 200, body = CardOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn cash_book(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<RangeQuery>,
) -> ApiResult<CardOut> {
    let (from, to) = range(&st, &a, &q).await?;
    Ok(Json(reports::cash_book(&st.db, &a, from, to).await?.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct CardQuery {
    /// An account code, e.g. `2-1100`.
    account: String,
    from: Option<String>,
    to: Option<String>,
}

/// The general-ledger card of one account: its postings with a running balance.
#[utoipa::path(get, path = "/reports/account-card", tag = "reports", params(CardQuery), responses((status = 200, body = CardOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn account_card(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<CardQuery>,
) -> ApiResult<CardOut> {
    let r = RangeQuery {
        from: q.from,
        to: q.to,
    };
    let (from, to) = range(&st, &a, &r).await?;
    Ok(Json(
        reports::account_card(&st.db, &a, Some(&q.account), from, to)
            .await?
            .into(),
    ))
}
