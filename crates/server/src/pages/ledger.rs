//! The ledger's pages ("Buku Besar"): the chart of accounts with its add and edit
//! forms, the journal with export links and the close-period form, one entry with its
//! reverse form, the manual entry form, and an account's card.

use super::{Flash, Shell, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::money::Rupiah;
use guyub_domain::{AccountId, Action, Date, JournalEntryId};
use guyub_services::ledger::{self, AccountInput, ManualLine};
use guyub_services::ledger_export::ExportFormat;
use guyub_services::reports;
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, PageError>;

/// Rows of the manual entry form.
pub const FORM_LINES: usize = 8;
/// Entries per journal page.
const PAGE: i64 = 50;

/// `Rp 1.250.000`.
pub fn rp(v: i64) -> String {
    Rupiah::new(v).to_string()
}

/// An amount cell: empty for zero (debit/credit columns read better so).
pub fn rp_or_blank(v: i64) -> String {
    if v == 0 { String::new() } else { rp(v) }
}

/// A date typed in a form or query, `default` when empty; the message names the
/// problem in the reader's language.
pub fn form_date(t: Tr, raw: Option<&str>, default: Date) -> Result<Date, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => Date::parse(s).map_err(|_| format!("{}: {s}", t.s("ledger.bad_date"))),
    }
}

const KINDS: [&str; 5] = ["asset", "liability", "equity", "revenue", "expense"];

/// An account kind's name in the reader's language.
fn kind_label(t: Tr, kind: &str) -> &'static str {
    match kind {
        "asset" => t.s("ledger.kind_asset"),
        "liability" => t.s("ledger.kind_liability"),
        "equity" => t.s("ledger.kind_equity"),
        "revenue" => t.s("ledger.kind_revenue"),
        _ => t.s("ledger.kind_expense"),
    }
}

pub fn require(s: &PageSession, action: Action) -> Result<(), PageError> {
    s.actor.require(action).map_err(|e| s.fail(e))
}

fn split_status(error: Option<(StatusCode, String)>) -> (StatusCode, Option<String>) {
    match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    }
}

struct AccountLine {
    id: i64,
    code: String,
    name: String,
    kind: String,
    depth: usize,
    is_group: bool,
    contra: bool,
    active: bool,
}

#[derive(Template)]
#[template(path = "ledger_accounts.html")]
struct AccountsPage {
    t: Tr,
    shell: Shell,
    accounts: Vec<AccountLine>,
    headings: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    f: AccountForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountForm {
    code: String,
    name_id: String,
    name_en: String,
    kind: String,
    parent_code: String,
}

async fn accounts_page(
    state: &AppState,
    s: &PageSession,
    f: AccountForm,
    flash: Option<&str>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "ledger", flash).await?;
    let l = ledger::ledger(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let chart = l.chart();
    let by_code: HashMap<&str, Option<&str>> = chart
        .iter()
        .map(|a| (a.code.as_str(), a.parent_code.as_deref()))
        .collect();
    let depth = |code: &str| {
        let mut d = 0;
        let mut p = by_code.get(code).copied().flatten();
        while let Some(code) = p {
            d += 1;
            if d > 8 {
                break;
            }
            p = by_code.get(code).copied().flatten();
        }
        d
    };
    let (status, error) = split_status(error);
    let t = s.tr();
    let view = AccountsPage {
        t,
        kinds: KINDS.iter().map(|k| (*k, kind_label(t, k))).collect(),
        shell,
        headings: chart
            .iter()
            .filter(|a| a.is_group)
            .map(|a| (a.code.clone(), format!("{} {}", a.code, a.name_id)))
            .collect(),
        accounts: chart
            .iter()
            .map(|a| AccountLine {
                id: a.id.0,
                code: a.code.clone(),
                name: a.name_id.clone(),
                kind: kind_label(t, &a.kind).to_string(),
                depth: depth(&a.code),
                is_group: a.is_group,
                contra: a.contra,
                active: a.active,
            })
            .collect(),
        can_edit: s.actor.role.can(Action::PostJournal),
        f,
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn accounts(
    State(state): State<AppState>,
    s: PageSession,
    Query(f): Query<Flash>,
) -> PageResult {
    accounts_page(&state, &s, AccountForm::default(), f.ok.as_deref(), None).await
}

pub async fn add_account(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<AccountForm>,
) -> PageResult {
    let input = AccountInput {
        code: &f.code,
        name_id: &f.name_id,
        name_en: &f.name_en,
        kind: &f.kind,
        parent_code: Some(f.parent_code.as_str()),
    };
    match ledger::add_account(&state.db, &s.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/ledger/accounts?ok=ledger.account_added").into_response()),
        Err(e) => {
            let shown = refusal(&s, e)?;
            accounts_page(&state, &s, f, None, Some(shown)).await
        }
    }
}

#[derive(Template)]
#[template(path = "ledger_account.html")]
struct AccountPage {
    t: Tr,
    shell: Shell,
    id: i64,
    code: String,
    kind: String,
    name_id: String,
    name_en: String,
    active: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountEditForm {
    name_id: String,
    name_en: String,
    /// A checkbox: present when ticked.
    active: Option<String>,
}

async fn account_page(
    state: &AppState,
    s: &PageSession,
    id: i64,
    typed: Option<&AccountEditForm>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    require(s, Action::PostJournal)?;
    let shell = Shell::load(state, s, "ledger", None).await?;
    let l = ledger::ledger(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let a = l
        .by_id(AccountId(id))
        .ok_or_else(|| s.fail(guyub_services::ServiceError::NotFound))?;
    let (status, error) = split_status(error);
    let view = AccountPage {
        t: s.tr(),
        shell,
        id,
        code: a.code.clone(),
        kind: kind_label(s.tr(), &a.kind).to_string(),
        name_id: typed.map_or(a.name_id.clone(), |f| f.name_id.clone()),
        name_en: typed.map_or(a.name_en.clone(), |f| f.name_en.clone()),
        active: typed.map_or(a.active, |f| f.active.is_some()),
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn account_form(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    account_page(&state, &s, id, None, None).await
}

pub async fn update_account(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<AccountEditForm>,
) -> PageResult {
    match ledger::update_account(
        &state.db,
        &s.actor,
        AccountId(id),
        &f.name_id,
        &f.name_en,
        f.active.is_some(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/ledger/accounts?ok=ledger.account_updated").into_response()),
        Err(e) => {
            let shown = refusal(&s, e)?;
            account_page(&state, &s, id, Some(&f), Some(shown)).await
        }
    }
}

struct EntryLine {
    id: i64,
    no: i64,
    date: String,
    memo: String,
    source: String,
    total: String,
    reversal: bool,
}

#[derive(Template)]
#[template(path = "ledger_journal.html")]
struct JournalPage {
    t: Tr,
    shell: Shell,
    from: String,
    to: String,
    entries: Vec<EntryLine>,
    older: Option<String>,
    closed_through: String,
    can_post: bool,
    can_close: bool,
    export_query: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JournalQuery {
    from: String,
    to: String,
    before: Option<i64>,
    ok: Option<String>,
}

async fn journal_page(
    state: &AppState,
    s: &PageSession,
    q: JournalQuery,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "ledger", q.ok.as_deref()).await?;
    let t = s.tr();
    let today = ledger::today_for(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let start = Date::new(today.year, 1, 1).unwrap_or(today);
    let (mut status, mut error) = split_status(error);
    let (from, to) = match (
        form_date(t, Some(&q.from), start),
        form_date(t, Some(&q.to), today),
    ) {
        (Ok(f), Ok(to)) => (f, to),
        (Err(e), _) | (_, Err(e)) => {
            (status, error) = (StatusCode::UNPROCESSABLE_ENTITY, Some(e));
            (start, today)
        }
    };
    let l = ledger::ledger(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let mut list = match ledger::journal(
        &state.db,
        &s.actor,
        from,
        to,
        q.before.map(JournalEntryId),
        PAGE + 1,
    )
    .await
    {
        Ok(list) => list,
        Err(e) => {
            (status, error) = refusal(s, e).map(|(st, m)| (st, Some(m)))?;
            Vec::new()
        }
    };
    let more = list.len() as i64 > PAGE;
    list.truncate(PAGE as usize);
    let params = [("from", from.to_string()), ("to", to.to_string())];
    let older = if more {
        list.last().map(|e| {
            let mut p: Vec<(&str, String)> = params.to_vec();
            p.push(("before", e.id.0.to_string()));
            serde_urlencoded::to_string(p).unwrap_or_default()
        })
    } else {
        None
    };
    let role = s.actor.role;
    let view = JournalPage {
        t,
        shell,
        entries: list
            .into_iter()
            .map(|e| EntryLine {
                id: e.id.0,
                no: e.entry_no,
                date: Date::from_number(e.date)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                memo: e.memo,
                source: t
                    .or(&format!("source.{}", e.source_kind), &e.source_kind)
                    .to_string(),
                total: rp(e.total),
                reversal: e.reverses.is_some(),
            })
            .collect(),
        older,
        closed_through: Date::from_number(l.closed_through)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        can_post: role.can(Action::PostJournal),
        can_close: role.can(Action::ClosePeriod),
        export_query: serde_urlencoded::to_string(params).unwrap_or_default(),
        from: from.to_string(),
        to: to.to_string(),
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn journal(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<JournalQuery>,
) -> PageResult {
    journal_page(&state, &s, q, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    through: String,
}

pub async fn close(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<CloseForm>,
) -> PageResult {
    let t = s.tr();
    let result = match Date::parse(&f.through) {
        Ok(d) => ledger::close_period(&state.db, &s.actor, d).await,
        Err(_) => {
            let shown = (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{}: {}", t.s("ledger.bad_date"), f.through),
            );
            return journal_page(&state, &s, JournalQuery::default(), Some(shown)).await;
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to("/ledger/journal?ok=ledger.closed").into_response()),
        Err(e) => {
            let shown = refusal(&s, e)?;
            journal_page(&state, &s, JournalQuery::default(), Some(shown)).await
        }
    }
}

struct LineRow {
    code: String,
    name: String,
    debit: String,
    credit: String,
    member_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "ledger_entry.html")]
struct EntryPage {
    t: Tr,
    shell: Shell,
    id: i64,
    no: i64,
    date: String,
    memo: String,
    source: String,
    created_by: String,
    total: String,
    lines: Vec<LineRow>,
    reverses: Option<i64>,
    reversed_by: Option<i64>,
    can_reverse: bool,
    today: String,
    error: Option<String>,
}

async fn entry_page(
    state: &AppState,
    s: &PageSession,
    id: i64,
    flash: Option<&str>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "ledger", flash).await?;
    let t = s.tr();
    let v = ledger::entry(&state.db, &s.actor, JournalEntryId(id))
        .await
        .map_err(|e| s.fail(e))?;
    let today = ledger::today_for(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let (status, error) = split_status(error);
    let e = v.entry;
    let view = EntryPage {
        t,
        shell,
        id,
        no: e.entry_no,
        date: Date::from_number(e.date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        source: t
            .or(&format!("source.{}", e.source_kind), &e.source_kind)
            .to_string(),
        created_by: e.created_by,
        total: rp(e.total),
        lines: v
            .lines
            .into_iter()
            .map(|l| LineRow {
                code: l.code,
                name: l.name_id,
                debit: rp_or_blank(l.debit),
                credit: rp_or_blank(l.credit),
                member_id: l.member_id,
            })
            .collect(),
        reverses: e.reverses.map(|r| r.0),
        reversed_by: v.reversed_by.map(|r| r.0),
        can_reverse: s.actor.role.can(Action::PostJournal)
            && e.reverses.is_none()
            && v.reversed_by.is_none()
            && !ledger::SHU_KINDS.contains(&e.source_kind.as_str()),
        memo: e.memo,
        today: today.to_string(),
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn entry(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    entry_page(&state, &s, id, f.ok.as_deref(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReverseForm {
    date: String,
    reason: String,
}

pub async fn reverse(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<ReverseForm>,
) -> PageResult {
    let t = s.tr();
    let today = ledger::today_for(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let date = match form_date(t, Some(&f.date), today) {
        Ok(d) => d,
        Err(m) => {
            return entry_page(
                &state,
                &s,
                id,
                None,
                Some((StatusCode::UNPROCESSABLE_ENTITY, m)),
            )
            .await;
        }
    };
    match ledger::reverse(&state.db, &s.actor, JournalEntryId(id), date, &f.reason).await {
        Ok(r) => {
            Ok(Redirect::to(&format!("/ledger/journal/{r}?ok=ledger.reversed")).into_response())
        }
        Err(e) => {
            let shown = refusal(&s, e)?;
            entry_page(&state, &s, id, None, Some(shown)).await
        }
    }
}

#[derive(Clone, Default)]
struct FormLine {
    account: String,
    debit: String,
    credit: String,
}

#[derive(Template)]
#[template(path = "ledger_entry_form.html")]
struct EntryFormPage {
    t: Tr,
    shell: Shell,
    date: String,
    memo: String,
    lines: Vec<FormLine>,
    accounts: Vec<(String, String)>,
    error: Option<String>,
}

async fn entry_form_page(
    state: &AppState,
    s: &PageSession,
    date: String,
    memo: String,
    lines: Vec<FormLine>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    require(s, Action::PostJournal)?;
    let shell = Shell::load(state, s, "ledger", None).await?;
    let l = ledger::ledger(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let (status, error) = split_status(error);
    let view = EntryFormPage {
        t: s.tr(),
        shell,
        date,
        memo,
        lines,
        accounts: l
            .chart()
            .into_iter()
            .filter(|a| !a.is_group && a.active)
            .map(|a| (a.code.clone(), format!("{} {}", a.code, a.name_id)))
            .collect(),
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn new_entry(State(state): State<AppState>, s: PageSession) -> PageResult {
    let today = ledger::today_for(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let lines = vec![FormLine::default(); FORM_LINES];
    entry_form_page(&state, &s, today.to_string(), String::new(), lines, None).await
}

/// A typed line: account code, debit, credit.
type TypedLine = (String, Rupiah, Rupiah);

/// The date and the non-empty rows of the manual entry form, or a message.
fn parse_entry_form(
    t: Tr,
    date_raw: &str,
    lines: &[FormLine],
) -> Result<(Date, Vec<TypedLine>), String> {
    let amount = |raw: &str, row: usize| -> Result<Rupiah, String> {
        if raw.is_empty() {
            return Ok(Rupiah::ZERO);
        }
        Rupiah::parse(raw).map_err(|e| format!("{} {row}: {e}", t.s("ledger.line")))
    };
    let date =
        Date::parse(date_raw).map_err(|_| format!("{}: {date_raw}", t.s("ledger.bad_date")))?;
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.account.is_empty() && l.debit.is_empty() && l.credit.is_empty() {
            continue;
        }
        out.push((
            l.account.clone(),
            amount(&l.debit, i + 1)?,
            amount(&l.credit, i + 1)?,
        ));
    }
    Ok((date, out))
}

/// The manual entry form: `date`, `memo`, and `account_N`, `debit_N`, `credit_N` for
/// rows 1 to 8; empty rows are skipped.
pub async fn post_entry(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let t = s.tr();
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let lines: Vec<FormLine> = (1..=FORM_LINES)
        .map(|i| FormLine {
            account: get(&format!("account_{i}")),
            debit: get(&format!("debit_{i}")),
            credit: get(&format!("credit_{i}")),
        })
        .collect();
    let (date_raw, memo) = (get("date"), get("memo"));
    let refuse = |m: String| Some((StatusCode::UNPROCESSABLE_ENTITY, m));
    let parsed = parse_entry_form(t, &date_raw, &lines);
    let (date, typed) = match parsed {
        Ok(p) => p,
        Err(m) => return entry_form_page(&state, &s, date_raw, memo, lines, refuse(m)).await,
    };
    let manual: Vec<ManualLine<'_>> = typed
        .iter()
        .map(|(a, d, c)| ManualLine {
            account: a,
            debit: *d,
            credit: *c,
        })
        .collect();
    match ledger::manual_entry(&state.db, &s.actor, date, &memo, &manual).await {
        Ok(id) => {
            Ok(Redirect::to(&format!("/ledger/journal/{id}?ok=ledger.posted")).into_response())
        }
        Err(e) => {
            let shown = refusal(&s, e)?;
            entry_form_page(&state, &s, date_raw, memo, lines, Some(shown)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    from: String,
    to: String,
}

async fn export(
    state: &AppState,
    s: &PageSession,
    q: ExportQuery,
    format: ExportFormat,
) -> PageResult {
    let t = s.tr();
    let parse = |raw: &str| -> Result<Option<Date>, PageError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        Date::parse(raw).map(Some).map_err(|_| {
            PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                s.lang(),
                t.s("ledger.bad_date"),
            )
        })
    };
    let (from, to) = (parse(&q.from)?, parse(&q.to)?);
    crate::api::ledger::export_response(state, &s.actor, format, from, to)
        .await
        .map_err(|e| s.fail(e))
}

pub async fn export_csv(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    export(&state, &s, q, ExportFormat::Csv).await
}

pub async fn export_beancount(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    export(&state, &s, q, ExportFormat::Beancount).await
}

pub struct CardRow {
    pub entry_id: i64,
    pub no: i64,
    pub date: String,
    pub memo: String,
    pub debit: String,
    pub credit: String,
    pub balance: String,
}

#[derive(Template)]
#[template(path = "reports_card.html")]
pub struct CardPage {
    pub t: Tr,
    pub shell: Shell,
    /// `cash-book` or `account-card`.
    pub report: &'static str,
    pub action: &'static str,
    pub account: String,
    pub account_name: String,
    pub accounts: Vec<(String, String)>,
    pub from: String,
    pub to: String,
    pub opening: String,
    pub rows: Vec<CardRow>,
    pub total_debit: String,
    pub total_credit: String,
    pub closing: String,
    pub truncated: bool,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CardQuery {
    pub account: String,
    pub from: String,
    pub to: String,
}

/// The cash book (`cash = true`) or the card of the account asked for.
pub async fn card_page(state: &AppState, s: &PageSession, q: CardQuery, cash: bool) -> PageResult {
    let active = if cash { "reports" } else { "ledger" };
    let shell = Shell::load(state, s, active, None).await?;
    let t = s.tr();
    let today = ledger::today_for(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let start = Date::new(today.year, 1, 1).unwrap_or(today);
    let mut status = StatusCode::OK;
    let mut error = None;
    let (from, to) = match (
        form_date(t, Some(&q.from), start),
        form_date(t, Some(&q.to), today),
    ) {
        (Ok(f), Ok(to)) => (f, to),
        (Err(e), _) | (_, Err(e)) => {
            (status, error) = (StatusCode::UNPROCESSABLE_ENTITY, Some(e));
            (start, today)
        }
    };
    let l = ledger::ledger(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let result = if cash {
        reports::cash_book(&state.db, &s.actor, from, to).await
    } else {
        reports::account_card(&state.db, &s.actor, Some(&q.account), from, to).await
    };
    let card = match result {
        Ok(c) => Some(c),
        Err(e) => {
            let (st, m) = refusal(s, e)?;
            (status, error) = (st, Some(m));
            None
        }
    };
    let view = CardPage {
        t,
        shell,
        report: if cash { "cash-book" } else { "account-card" },
        action: if cash {
            "/reports/cash-book"
        } else {
            "/ledger/card"
        },
        account: card
            .as_ref()
            .map_or(q.account.clone(), |c| c.account.code.clone()),
        account_name: card
            .as_ref()
            .map(|c| c.account.name_id.clone())
            .unwrap_or_default(),
        accounts: l
            .chart()
            .into_iter()
            .filter(|a| !a.is_group)
            .map(|a| (a.code.clone(), format!("{} {}", a.code, a.name_id)))
            .collect(),
        from: from.to_string(),
        to: to.to_string(),
        opening: card.as_ref().map(|c| rp(c.opening)).unwrap_or_default(),
        rows: card
            .as_ref()
            .map(|c| {
                c.lines
                    .iter()
                    .map(|l| CardRow {
                        entry_id: l.entry_id.0,
                        no: l.entry_no,
                        date: l.date.to_string(),
                        memo: l.memo.clone(),
                        debit: rp_or_blank(l.debit),
                        credit: rp_or_blank(l.credit),
                        balance: rp(l.balance),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        total_debit: card.as_ref().map(|c| rp(c.total_debit)).unwrap_or_default(),
        total_credit: card
            .as_ref()
            .map(|c| rp(c.total_credit))
            .unwrap_or_default(),
        closing: card.as_ref().map(|c| rp(c.closing)).unwrap_or_default(),
        truncated: card.as_ref().is_some_and(|c| c.truncated),
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn card(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<CardQuery>,
) -> PageResult {
    card_page(&state, &s, q, false).await
}
