//! The SHU pages: a year's allocation form (the RAT's percentages), the preview of
//! every member's share with the posting button, and a member's printable slip.

use super::ledger::rp;
use super::{Shell, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::money::shu::ShuPoolKind;
use guyub_domain::{Action, MemberId};
use guyub_services::shu::{self, PoolInput, ShuView};
use guyub_services::{ServiceError, ledger};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, PageError>;

/// Rows of the allocation form.
const POOL_ROWS: usize = 10;
/// Members per page of the preview.
const PAGE: usize = 100;

fn kind_key(k: ShuPoolKind) -> &'static str {
    match k {
        ShuPoolKind::Cadangan => "cadangan",
        ShuPoolKind::JasaModal => "jasa_modal",
        ShuPoolKind::JasaAnggota => "jasa_anggota",
        ShuPoolKind::Other => "other",
    }
}

#[derive(Clone, Default)]
struct PoolRow {
    name: String,
    kind: String,
    percent: String,
    account: String,
    amount: String,
}

struct MemberRow {
    id: i64,
    no: String,
    name: String,
    capital: String,
    transactions: String,
    jasa_modal: String,
    jasa_anggota: String,
    total: String,
}

struct Summary {
    surplus: String,
    surplus_members: String,
    surplus_non_members: String,
    reserve_total: String,
    shares_total: String,
    undistributed: String,
    total_capital: String,
    total_transactions: String,
    members: usize,
}

#[derive(Template)]
#[template(path = "shu.html")]
struct ShuPage {
    t: Tr,
    shell: Shell,
    year: i32,
    saved: bool,
    posted: bool,
    pools: Vec<PoolRow>,
    kinds: Vec<(&'static str, &'static str)>,
    accounts: Vec<(String, String)>,
    summary: Option<Summary>,
    members: Vec<MemberRow>,
    page: usize,
    pages: usize,
    can_manage: bool,
    can_post: bool,
    distribution_entry: Option<i64>,
    preview_error: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShuQuery {
    year: Option<i32>,
    page: usize,
    ok: Option<String>,
}

async fn shu_page(
    state: &AppState,
    s: &PageSession,
    year: Option<i32>,
    page: usize,
    flash: Option<&str>,
    typed: Option<Vec<PoolRow>>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    s.actor
        .require(Action::ViewReports)
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(state, s, "shu", flash).await?;
    let t = s.tr();
    let today = ledger::today_for(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let year = year.unwrap_or(today.year - 1);
    let (db, a) = (&state.db, &s.actor);
    let allocation = shu::allocation(db, a, year).await.map_err(|e| s.fail(e))?;
    let l = ledger::ledger(db, a).await.map_err(|e| s.fail(e))?;
    let (view, preview_error): (Option<ShuView>, Option<String>) =
        match shu::preview(db, a, year).await {
            Ok(v) => (Some(v), None),
            Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
                (None, Some(e.to_string()))
            }
            Err(e) => return Err(s.fail(e)),
        };
    let amounts: HashMap<String, i64> = view
        .as_ref()
        .map(|v| v.pools.iter().map(|p| (p.name.clone(), p.amount)).collect())
        .unwrap_or_default();
    let mut pools = typed.unwrap_or_else(|| {
        allocation
            .pools
            .iter()
            .map(|p| PoolRow {
                name: p.name.clone(),
                kind: kind_key(p.kind).into(),
                percent: p.rate.percent().to_string(),
                account: p.account.clone(),
                amount: amounts.get(&p.name).map(|v| rp(*v)).unwrap_or_default(),
            })
            .collect()
    });
    pools.resize(POOL_ROWS.max(pools.len()), PoolRow::default());
    let posted = view.as_ref().is_some_and(|v| v.posted.is_some());
    let total_members = view.as_ref().map_or(0, |v| v.members.len());
    let pages = total_members.div_ceil(PAGE).max(1);
    let page = page.min(pages - 1);
    let members = view
        .as_ref()
        .map(|v| {
            v.members
                .iter()
                .skip(page * PAGE)
                .take(PAGE)
                .map(|m| MemberRow {
                    id: m.member_id,
                    no: m.member_no.clone(),
                    name: m.name.clone(),
                    capital: rp(m.savings_capital),
                    transactions: rp(m.transactions),
                    jasa_modal: rp(m.jasa_modal),
                    jasa_anggota: rp(m.jasa_anggota),
                    total: rp(m.total),
                })
                .collect()
        })
        .unwrap_or_default();
    let summary = view.as_ref().map(|v| Summary {
        surplus: rp(v.surplus),
        surplus_members: rp(v.surplus_members),
        surplus_non_members: rp(v.surplus_non_members),
        reserve_total: rp(v.reserve_total),
        shares_total: rp(v.shares_total()),
        undistributed: rp(v.jasa_modal_undistributed + v.jasa_anggota_undistributed),
        total_capital: rp(v.total_capital),
        total_transactions: rp(v.total_transactions),
        members: v.members.len(),
    });
    let can_manage = s.actor.role.can(Action::ManageShu);
    let (status, error) = match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    };
    let page_view = ShuPage {
        t,
        shell,
        year,
        saved: allocation.saved,
        posted,
        pools,
        kinds: vec![
            ("cadangan", t.s("shu.kind_cadangan")),
            ("jasa_modal", t.s("shu.kind_jasa_modal")),
            ("jasa_anggota", t.s("shu.kind_jasa_anggota")),
            ("other", t.s("shu.kind_other")),
        ],
        accounts: l
            .chart()
            .into_iter()
            .filter(|a| !a.is_group && matches!(a.kind.as_str(), "liability" | "equity"))
            .map(|a| (a.code.clone(), format!("{} {}", a.code, a.name_id)))
            .collect(),
        summary,
        members,
        page,
        pages,
        can_manage,
        can_post: can_manage && !posted && view.is_some() && today.year > year,
        distribution_entry: view
            .as_ref()
            .and_then(|v| v.posted.as_ref())
            .map(|r| r.distribution_entry_id.0),
        preview_error,
        error,
    };
    Ok((status, html(&page_view, s.lang())?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<ShuQuery>,
) -> PageResult {
    shu_page(&state, &s, q.year, q.page, q.ok.as_deref(), None, None).await
}

/// The allocation form: `name_N`, `kind_N`, `percent_N`, `account_N` for rows 1–10.
pub async fn set_allocation(
    State(state): State<AppState>,
    s: PageSession,
    Path(year): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let get = |k: String| f.get(&k).map(|v| v.trim().to_string()).unwrap_or_default();
    let rows: Vec<PoolRow> = (1..=POOL_ROWS)
        .map(|i| PoolRow {
            name: get(format!("name_{i}")),
            kind: get(format!("kind_{i}")),
            percent: get(format!("percent_{i}")),
            account: get(format!("account_{i}")),
            amount: String::new(),
        })
        .collect();
    let input: Vec<PoolInput> = rows
        .iter()
        .map(|r| PoolInput {
            name: r.name.clone(),
            kind: r.kind.clone(),
            percent: r.percent.clone(),
            account: r.account.clone(),
        })
        .collect();
    match shu::set_allocation(&state.db, &s.actor, year, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/shu?year={year}&ok=shu.allocation_saved")).into_response())
        }
        Err(e) => {
            let shown = refusal(&s, e)?;
            shu_page(&state, &s, Some(year), 0, None, Some(rows), Some(shown)).await
        }
    }
}

pub async fn post(
    State(state): State<AppState>,
    s: PageSession,
    Path(year): Path<i32>,
) -> PageResult {
    match shu::post(&state.db, &s.actor, year).await {
        Ok(_) => Ok(Redirect::to(&format!("/shu?year={year}&ok=shu.posted")).into_response()),
        Err(e) => {
            let shown = refusal(&s, e)?;
            shu_page(&state, &s, Some(year), 0, None, None, Some(shown)).await
        }
    }
}

#[derive(Template)]
#[template(path = "shu_slip.html")]
struct SlipPage {
    t: Tr,
    shell: Shell,
    year: i32,
    member_id: i64,
    member_no: String,
    name: String,
    capital: String,
    transactions: String,
    total_capital: String,
    total_transactions: String,
    jasa_modal_pool: String,
    jasa_anggota_pool: String,
    jasa_modal: String,
    jasa_anggota: String,
    total: String,
    posted: bool,
}

pub async fn slip(
    State(state): State<AppState>,
    s: PageSession,
    Path((year, member)): Path<(i32, i64)>,
) -> PageResult {
    let sl = shu::slip(&state.db, &s.actor, year, MemberId(member))
        .await
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(&state, &s, "shu", None).await?;
    let view = SlipPage {
        t: s.tr(),
        shell,
        year,
        member_id: sl.member_id,
        member_no: sl.member_no,
        name: sl.name,
        capital: rp(sl.savings_capital),
        transactions: rp(sl.transactions),
        total_capital: rp(sl.total_capital),
        total_transactions: rp(sl.total_transactions),
        jasa_modal_pool: rp(sl.jasa_modal_pool),
        jasa_anggota_pool: rp(sl.jasa_anggota_pool),
        jasa_modal: rp(sl.jasa_modal),
        jasa_anggota: rp(sl.jasa_anggota),
        total: rp(sl.total),
        posted: sl.posted,
    };
    Ok(html(&view, s.lang())?.into_response())
}
