//! The report pages ("Laporan"): trial balance, laporan posisi keuangan, laporan hasil
//! usaha (member and non-member apart) and the cash book, each with date pickers and a
//! printable layout.

use super::Shell;
use super::ledger::{CardQuery, card_page, form_date, rp, rp_or_blank};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::{Action, Date};
use guyub_services::ledger;
use guyub_services::reports::{self, ReportRow};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DatesQuery {
    as_of: String,
    from: String,
    to: String,
}

/// A row as printed: indented by depth, headings bold.
pub struct Row {
    pub code: String,
    pub name: String,
    pub depth: usize,
    pub is_group: bool,
    pub amount: String,
}

fn rows(t: Tr, r: Vec<ReportRow>) -> Vec<Row> {
    r.into_iter()
        .map(|r| Row {
            name: if t.lang() == "en" {
                r.name_en
            } else {
                r.name_id
            },
            code: r.code,
            depth: r.depth.min(4),
            is_group: r.is_group,
            amount: rp(r.amount),
        })
        .collect()
}

struct Dates {
    as_of: Date,
    from: Date,
    to: Date,
    error: Option<String>,
}

async fn dates(state: &AppState, s: &PageSession, q: &DatesQuery) -> Result<Dates, PageError> {
    s.actor
        .require(Action::ViewReports)
        .map_err(|e| s.fail(e))?;
    let t = s.tr();
    let today = ledger::today_for(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let start = Date::new(today.year, 1, 1).unwrap_or(today);
    let mut error = None;
    let mut read = |raw: &str, default: Date| match form_date(t, Some(raw), default) {
        Ok(d) => d,
        Err(e) => {
            error = Some(e);
            default
        }
    };
    let as_of = read(&q.as_of, today);
    let from = read(&q.from, start);
    let to = read(&q.to, today);
    let (from, to) = if from > to {
        error = Some(t.s("reports.bad_range").to_string());
        (start, today)
    } else {
        (from, to)
    };
    Ok(Dates {
        as_of,
        from,
        to,
        error,
    })
}

fn status(error: &Option<String>) -> StatusCode {
    if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

pub async fn index() -> Response {
    Redirect::to("/reports/balance-sheet").into_response()
}

struct TrialRow {
    code: String,
    name: String,
    debit: String,
    credit: String,
    balance: String,
}

#[derive(Template)]
#[template(path = "reports_trial_balance.html")]
struct TrialPage {
    t: Tr,
    shell: Shell,
    report: &'static str,
    as_of: String,
    rows: Vec<TrialRow>,
    total_debit: String,
    total_credit: String,
    error: Option<String>,
}

pub async fn trial_balance(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<DatesQuery>,
) -> PageResult {
    let d = dates(&state, &s, &q).await?;
    let shell = Shell::load(&state, &s, "reports", None).await?;
    let tb = ledger::trial_balance(&state.db, &s.actor, d.as_of)
        .await
        .map_err(|e| s.fail(e))?;
    let t = s.tr();
    let view = TrialPage {
        t,
        shell,
        report: "trial-balance",
        as_of: d.as_of.to_string(),
        rows: tb
            .rows
            .into_iter()
            .map(|r| TrialRow {
                name: if t.lang() == "en" {
                    r.name_en
                } else {
                    r.name_id
                },
                code: r.code,
                debit: rp_or_blank(r.debit),
                credit: rp_or_blank(r.credit),
                balance: rp(r.balance),
            })
            .collect(),
        total_debit: rp(tb.total_debit),
        total_credit: rp(tb.total_credit),
        error: d.error,
    };
    Ok((status(&view.error), html(&view, s.lang())?).into_response())
}

#[derive(Template)]
#[template(path = "reports_balance_sheet.html")]
struct BalanceSheetPage {
    t: Tr,
    shell: Shell,
    report: &'static str,
    as_of: String,
    assets: Vec<Row>,
    total_assets: String,
    liabilities: Vec<Row>,
    total_liabilities: String,
    equity: Vec<Row>,
    current_surplus: String,
    total_equity: String,
    total_liabilities_equity: String,
    balanced: bool,
    error: Option<String>,
}

pub async fn balance_sheet(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<DatesQuery>,
) -> PageResult {
    let d = dates(&state, &s, &q).await?;
    let shell = Shell::load(&state, &s, "reports", None).await?;
    let b = reports::balance_sheet(&state.db, &s.actor, d.as_of)
        .await
        .map_err(|e| s.fail(e))?;
    let t = s.tr();
    let view = BalanceSheetPage {
        t,
        shell,
        report: "balance-sheet",
        as_of: d.as_of.to_string(),
        assets: rows(t, b.assets),
        total_assets: rp(b.total_assets),
        liabilities: rows(t, b.liabilities),
        total_liabilities: rp(b.total_liabilities),
        equity: rows(t, b.equity),
        current_surplus: rp(b.current_surplus),
        total_equity: rp(b.total_equity),
        total_liabilities_equity: rp(b.total_liabilities + b.total_equity),
        balanced: b.balanced,
        error: d.error,
    };
    Ok((status(&view.error), html(&view, s.lang())?).into_response())
}

struct SplitRow {
    label: &'static str,
    members: String,
    non_members: String,
}

#[derive(Template)]
#[template(path = "reports_income_statement.html")]
struct IncomePage {
    t: Tr,
    shell: Shell,
    report: &'static str,
    from: String,
    to: String,
    revenue: Vec<Row>,
    total_revenue: String,
    expenses: Vec<Row>,
    total_expenses: String,
    surplus: String,
    split: Vec<SplitRow>,
    other_revenue: String,
    error: Option<String>,
}

pub async fn income_statement(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<DatesQuery>,
) -> PageResult {
    let d = dates(&state, &s, &q).await?;
    let shell = Shell::load(&state, &s, "reports", None).await?;
    let is = reports::income_statement(&state.db, &s.actor, d.from, d.to)
        .await
        .map_err(|e| s.fail(e))?;
    let t = s.tr();
    let sp = is.split;
    let view = IncomePage {
        t,
        shell,
        report: "income-statement",
        from: d.from.to_string(),
        to: d.to.to_string(),
        revenue: rows(t, is.revenue),
        total_revenue: rp(is.total_revenue),
        expenses: rows(t, is.expenses),
        total_expenses: rp(is.total_expenses),
        surplus: rp(is.surplus),
        split: vec![
            SplitRow {
                label: t.s("reports.split.revenue"),
                members: rp(sp.member_revenue),
                non_members: rp(sp.non_member_revenue),
            },
            SplitRow {
                label: t.s("reports.split.direct_costs"),
                members: rp(sp.member_direct_costs),
                non_members: rp(sp.non_member_direct_costs),
            },
            SplitRow {
                label: t.s("reports.split.common_costs"),
                members: rp(sp.common_to_members),
                non_members: rp(sp.common_to_non_members),
            },
            SplitRow {
                label: t.s("reports.split.surplus"),
                members: rp(sp.surplus_members),
                non_members: rp(sp.surplus_non_members),
            },
        ],
        other_revenue: rp(sp.other_revenue),
        error: d.error,
    };
    Ok((status(&view.error), html(&view, s.lang())?).into_response())
}

pub async fn cash_book(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<DatesQuery>,
) -> PageResult {
    s.actor
        .require(Action::ViewReports)
        .map_err(|e| s.fail(e))?;
    card_page(
        &state,
        &s,
        CardQuery {
            account: String::new(),
            from: q.from,
            to: q.to,
        },
        true,
    )
    .await
}

struct SavingsRow {
    kind: String,
    accounts: i64,
    total: String,
}

#[derive(Template)]
#[template(path = "reports_savings.html")]
struct SavingsPage {
    t: Tr,
    shell: Shell,
    report: &'static str,
    rows: Vec<SavingsRow>,
    total: String,
}

/// Simpanan per kind across the cooperative: how many accounts, how much in them.
pub async fn savings_summary(State(state): State<AppState>, s: PageSession) -> PageResult {
    let shell = Shell::load(&state, &s, "reports", None).await?;
    let totals = guyub_services::savings::summary(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let sum: i64 = totals.iter().map(|(_, _, r)| r.get()).sum();
    let view = SavingsPage {
        t: s.tr(),
        shell,
        report: "savings",
        rows: totals
            .into_iter()
            .map(|(kind, accounts, total)| SavingsRow {
                kind: format!("Simpanan {kind}"),
                accounts,
                total: rp(total.get()),
            })
            .collect(),
        total: rp(sum),
    };
    Ok(html(&view, s.lang())?.into_response())
}
