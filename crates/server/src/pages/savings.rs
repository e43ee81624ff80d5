//! Simpanan pages: the teller screen (find a member, see balances and wajib arrears,
//! take a deposit, withdrawal, transfer or a leaver's payout), the printable receipt
//! (58/80 mm thermal paper), the member statement (buku tabungan) on screen and on
//! paper, the arrears list, and the savings settings with the monthly runs.
//! Refusals are shown in the reader's language next to the form they came from, with
//! what was typed kept.

use super::{Shell, local_time, mask_phone, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::money::{Rupiah, SavingsKind, YearMonth};
use guyub_domain::{Action, MemberId};
use guyub_services::savings::jobs;
use guyub_services::savings::{
    self, Failure, MemberSavings, Movement, MovementIn, Receipt, Refusal, SettingsInput,
    TransferIn, TxType,
};
use guyub_services::{ServiceError, members, secret};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// A refusal in the reader's language, with its values filled in.
pub fn refusal_text(t: Tr, r: &Refusal) -> String {
    let mut text = t.s(r.code()).to_string();
    for (name, value) in r.params() {
        let value = if name == "status" {
            t.status(&value).to_string()
        } else {
            value
        };
        text = text.replace(&format!("{{{name}}}"), &value);
    }
    text
}

/// A savings failure shown next to its form (422), or an error page.
fn shown(s: &PageSession, f: Failure) -> Result<(StatusCode, String), PageError> {
    match f {
        Failure::Refused(r) => Ok((StatusCode::UNPROCESSABLE_ENTITY, refusal_text(s.tr(), &r))),
        Failure::Service(e) => refusal(s, e),
    }
}

fn require(s: &PageSession, action: Action) -> Result<(), PageError> {
    s.actor.require(action).map_err(|e| s.fail(e))
}

/// The words for a movement on a receipt or statement: "Setoran", "Transfer ke …".
fn describe(t: Tr, m: &Movement) -> String {
    let what = t
        .s(&format!("savings.tx.{}", m.tx_type.as_str()))
        .to_string();
    match (&m.counterparty, m.tx_type) {
        (Some((_, no, name)), TxType::TransferOut) => {
            format!("{what} {} {no} {name}", t.s("savings.to"))
        }
        (Some((_, no, name)), TxType::TransferIn) => {
            format!("{what} {} {no} {name}", t.s("savings.from"))
        }
        _ => what,
    }
}

struct Found {
    id: i64,
    member_no: String,
    name: String,
    phone: String,
    status: String,
}

struct Balance {
    kind: &'static str,
    label: &'static str,
    amount: String,
}

/// Each kind with its name in the reader's language.
fn kind_labels(t: Tr) -> Vec<(&'static str, &'static str)> {
    SavingsKind::ALL
        .into_iter()
        .map(|k| (k.as_str(), t.s(&format!("savings.kind.{}", k.as_str()))))
        .collect()
}

/// The member the teller is serving.
struct Panel {
    id: i64,
    member_no: String,
    name: String,
    status: String,
    active: bool,
    balances: Vec<Balance>,
    total: String,
    owed: String,
    arrears: String,
    months_in_arrears: u32,
    paid_ahead: String,
    /// Pokok or wajib left to pay out (a leaver).
    payout: Option<String>,
}

fn panel(t: Tr, s: &MemberSavings) -> Panel {
    let capital = s
        .balance(SavingsKind::Pokok)
        .checked_add(s.balance(SavingsKind::Wajib))
        .unwrap_or(Rupiah::MAX);
    Panel {
        id: s.member_id.0,
        member_no: s.member_no.clone(),
        name: s.name.clone(),
        status: s.status.as_str().to_string(),
        active: s.active,
        balances: s
            .accounts
            .iter()
            .map(|a| Balance {
                kind: a.kind.as_str(),
                label: t.s(&format!("savings.kind.{}", a.kind.as_str())),
                amount: a.balance.to_string(),
            })
            .collect(),
        total: s.total.to_string(),
        owed: s.wajib.owed.to_string(),
        arrears: s.wajib.arrears.to_string(),
        months_in_arrears: s.wajib.months_in_arrears,
        paid_ahead: s.wajib.paid_ahead.to_string(),
        payout: (!s.active && capital.is_positive()).then(|| capital.to_string()),
    }
}

/// What was typed into the form that was refused (the others stay empty).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MoveForm {
    member: i64,
    kind: String,
    amount: String,
    note: String,
    to: String,
    request_key: String,
    q: String,
}

#[derive(Default)]
struct Kept {
    /// deposit, withdraw, transfer or payout
    action: &'static str,
    f: MoveForm,
}

impl Kept {
    /// What was typed into `field` of the `action` form, if that form was refused.
    fn value(&self, action: &str, field: &str) -> &str {
        if self.action != action {
            return "";
        }
        match field {
            "amount" => &self.f.amount,
            "note" => &self.f.note,
            "to" => &self.f.to,
            _ => "",
        }
    }

    /// Whether `kind` is chosen in the `action` form (sukarela unless refused otherwise).
    fn chosen(&self, action: &str, kind: &str) -> bool {
        if self.action == action && !self.f.kind.is_empty() {
            self.f.kind == kind
        } else {
            kind == "sukarela"
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TellerQuery {
    #[serde(default)]
    q: String,
    member: Option<i64>,
}

#[derive(Template)]
#[template(path = "savings_teller.html")]
struct TellerPage {
    t: Tr,
    shell: Shell,
    q: String,
    searched: bool,
    found: Vec<Found>,
    member: Option<Panel>,
    error: Option<String>,
    kept: Kept,
    /// A fresh idempotency key for each form: a second submit of the same form (a
    /// double click, a reload) gets the first receipt instead of a second movement.
    key: String,
    kinds: Vec<(&'static str, &'static str)>,
    can_statement: bool,
}

async fn teller_page(
    state: &AppState,
    s: &PageSession,
    q: &str,
    member: Option<i64>,
    error: Option<(StatusCode, String)>,
    kept: Kept,
) -> PageResult {
    require(s, Action::TellerTransactions)?;
    let shell = Shell::load(state, s, "teller", None).await?;
    let q = q.trim().to_string();
    let found = if q.is_empty() {
        Vec::new()
    } else {
        members::search(&state.db, &s.actor, &q, None, 20, 0)
            .await
            .map_err(|e| s.fail(e))?
    };
    let member = member.or_else(|| (found.len() == 1).then(|| found[0].id.0));
    let member = match member {
        Some(id) => Some(panel(
            s.tr(),
            &savings::member_savings(&state.db, &s.actor, MemberId(id))
                .await
                .map_err(|e| s.fail(e))?,
        )),
        None => None,
    };
    let (status, error) = match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    };
    let view = TellerPage {
        t: s.tr(),
        shell,
        searched: !q.is_empty(),
        found: found
            .into_iter()
            .map(|m| Found {
                id: m.id.0,
                phone: m
                    .fields
                    .phones
                    .first()
                    .map(|p| mask_phone(p))
                    .unwrap_or_default(),
                member_no: m.member_no,
                name: m.fields.name,
                status: m.status,
            })
            .collect(),
        q,
        member,
        error,
        kept,
        key: secret::random_hex(16),
        kinds: kind_labels(s.tr()),
        can_statement: s.actor.role.can(Action::TellerTransactions)
            || s.actor.role.can(Action::ViewLedger),
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn teller(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<TellerQuery>,
) -> PageResult {
    teller_page(&state, &s, &q.q, q.member, None, Kept::default()).await
}

fn receipt_path(r: &Receipt) -> String {
    format!("/savings/receipts/{}?ok=1", r.receipt_no)
}

/// After a movement: its receipt, or the teller screen again with the refusal.
async fn after(
    state: &AppState,
    s: &PageSession,
    action: &'static str,
    f: MoveForm,
    result: Result<Receipt, Failure>,
) -> PageResult {
    match result {
        Ok(r) => Ok(Redirect::to(&receipt_path(&r)).into_response()),
        Err(e) => {
            let shown = shown(s, e)?;
            let (q, member) = (f.q.clone(), f.member);
            teller_page(state, s, &q, Some(member), Some(shown), Kept { action, f }).await
        }
    }
}

fn amount(f: &MoveForm) -> Result<Rupiah, Failure> {
    Rupiah::parse(&f.amount).map_err(|e| Failure::Refused(Refusal::Amount(e)))
}

fn key(f: &MoveForm) -> Option<&str> {
    Some(f.request_key.as_str()).filter(|k| !k.is_empty())
}

pub async fn deposit(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<MoveForm>,
) -> PageResult {
    let result = match amount(&f) {
        Ok(a) => {
            savings::deposit(
                &state.db,
                &s.actor,
                &MovementIn {
                    member: MemberId(f.member),
                    kind: &f.kind,
                    amount: a,
                    date: None,
                    note: &f.note,
                    request_key: key(&f),
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &s, "deposit", f, result).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<MoveForm>,
) -> PageResult {
    let result = match amount(&f) {
        Ok(a) => {
            savings::withdraw(
                &state.db,
                &s.actor,
                &MovementIn {
                    member: MemberId(f.member),
                    kind: &f.kind,
                    amount: a,
                    date: None,
                    note: &f.note,
                    request_key: key(&f),
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &s, "withdraw", f, result).await
}

/// The member a transfer goes to, typed as a member number.
async fn payee(state: &AppState, s: &PageSession, to: &str) -> Result<Option<MemberId>, PageError> {
    let to = to.trim();
    if to.is_empty() {
        return Ok(None);
    }
    let found = members::search(&state.db, &s.actor, to, None, 20, 0)
        .await
        .map_err(|e| s.fail(e))?;
    Ok(found
        .into_iter()
        .find(|m| m.member_no.eq_ignore_ascii_case(to))
        .map(|m| m.id))
}

pub async fn transfer(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<MoveForm>,
) -> PageResult {
    let Some(to) = payee(&state, &s, &f.to).await? else {
        require(&s, Action::TellerTransactions)?;
        let msg = s.tr().s("savings.teller.payee_unknown").to_string();
        let (q, member) = (f.q.clone(), f.member);
        return teller_page(
            &state,
            &s,
            &q,
            Some(member),
            Some((StatusCode::UNPROCESSABLE_ENTITY, msg)),
            Kept {
                action: "transfer",
                f,
            },
        )
        .await;
    };
    let result = match amount(&f) {
        Ok(a) => {
            savings::transfer(
                &state.db,
                &s.actor,
                &TransferIn {
                    from: MemberId(f.member),
                    to,
                    amount: a,
                    date: None,
                    note: &f.note,
                    request_key: key(&f),
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &s, "transfer", f, result).await
}

pub async fn payout(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<MoveForm>,
) -> PageResult {
    let result = savings::pay_out_capital(
        &state.db,
        &s.actor,
        MemberId(f.member),
        None,
        &f.note,
        key(&f),
    )
    .await;
    after(&state, &s, "payout", f, result).await
}

struct ReceiptLine {
    member: String,
    what: String,
    kind: &'static str,
    kind_label: &'static str,
    amount: String,
    balance: String,
    note: String,
}

#[derive(Template)]
#[template(path = "savings_receipt.html")]
struct ReceiptPage {
    t: Tr,
    cooperative: String,
    logo_svg: Option<String>,
    no: String,
    date: String,
    time: String,
    teller: String,
    lines: Vec<ReceiptLine>,
    member_id: i64,
    just_made: bool,
}

#[derive(Deserialize, Default)]
pub struct ReceiptQuery {
    ok: Option<String>,
}

/// A receipt sized for 58/80 mm thermal paper, with a print button.
pub async fn receipt(
    State(state): State<AppState>,
    s: PageSession,
    Path(no): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> PageResult {
    let r = savings::receipt(&state.db, &s.actor, &no)
        .await
        .map_err(|e| s.fail(e))?;
    let coop = guyub_services::setup::cooperative(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let t = s.tr();
    let view = ReceiptPage {
        t,
        cooperative: r.cooperative.clone(),
        logo_svg: coop.logo_svg,
        no: r.receipt_no.clone(),
        date: r.date.to_string(),
        time: local_time(r.at_ms, &coop.timezone),
        teller: r.teller.clone(),
        member_id: r.lines.first().map(|l| l.member_id.0).unwrap_or_default(),
        lines: r
            .lines
            .iter()
            .map(|l| ReceiptLine {
                member: format!("{} {}", l.member_no, l.member_name),
                what: describe(t, l),
                kind: l.kind.as_str(),
                kind_label: t.s(&format!("savings.kind.{}", l.kind.as_str())),
                amount: l.amount.to_string(),
                balance: l.balance_after.to_string(),
                note: l.note.clone(),
            })
            .collect(),
        just_made: q.ok.is_some(),
    };
    Ok(html(&view, s.lang())?.into_response())
}

struct StatementRow {
    date: String,
    what: String,
    out: String,
    into: String,
    balance: String,
    receipt: String,
    teller: String,
    note: String,
}

#[derive(Template)]
#[template(path = "savings_statement.html")]
struct StatementPage {
    t: Tr,
    shell: Shell,
    member_id: i64,
    member_no: String,
    name: String,
    kind: &'static str,
    kind_label: &'static str,
    kinds: Vec<(&'static str, &'static str)>,
    balance: String,
    rows: Vec<StatementRow>,
    older: Option<i64>,
    printed: String,
    can_teller: bool,
}

#[derive(Deserialize, Default)]
pub struct StatementQuery {
    kind: Option<String>,
    before: Option<i64>,
}

/// The buku tabungan of one account: oldest first on the page (as a passbook is
/// printed), 100 movements a page, older pages by link.
pub async fn statement(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Query(q): Query<StatementQuery>,
) -> PageResult {
    let kind = q.kind.unwrap_or_else(|| "sukarela".into());
    let st = match savings::statement(&state.db, &s.actor, MemberId(id), &kind, q.before, 100).await
    {
        Ok(st) => st,
        Err(Failure::Refused(r)) => {
            return Err(PageError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                lang: s.lang(),
                message: refusal_text(s.tr(), &r),
            });
        }
        Err(Failure::Service(e)) => return Err(s.fail(e)),
    };
    let shell = Shell::load(&state, &s, "teller", None).await?;
    let t = s.tr();
    let tz = shell.tz.clone();
    let view = StatementPage {
        t,
        member_id: id,
        member_no: st.member_no.clone(),
        name: st.name.clone(),
        kind: st.kind.as_str(),
        kind_label: t.s(&format!("savings.kind.{}", st.kind.as_str())),
        kinds: kind_labels(t),
        balance: st.balance.to_string(),
        rows: st
            .rows
            .iter()
            .rev()
            .map(|m| StatementRow {
                date: m.date.to_string(),
                what: describe(t, m),
                out: if m.tx_type.adds() {
                    String::new()
                } else {
                    m.amount.to_string()
                },
                into: if m.tx_type.adds() {
                    m.amount.to_string()
                } else {
                    String::new()
                },
                balance: m.balance_after.to_string(),
                receipt: m.receipt_no.clone(),
                teller: m.teller.clone(),
                note: m.note.clone(),
            })
            .collect(),
        older: st.next_before,
        printed: local_time(guyub_store::now_ms(), &tz),
        can_teller: s.actor.role.can(Action::TellerTransactions),
        shell,
    };
    Ok(html(&view, s.lang())?.into_response())
}

struct ArrearsRow {
    member_id: i64,
    member_no: String,
    name: String,
    months: i64,
    arrears: String,
    owed: String,
}

#[derive(Template)]
#[template(path = "savings_arrears.html")]
struct ArrearsPage {
    t: Tr,
    shell: Shell,
    rows: Vec<ArrearsRow>,
    can_teller: bool,
}

/// Members behind on simpanan wajib.
pub async fn arrears(State(state): State<AppState>, s: PageSession) -> PageResult {
    let list = jobs::arrears(&state.db, &s.actor, 500, 0)
        .await
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(&state, &s, "arrears", None).await?;
    let view = ArrearsPage {
        t: s.tr(),
        shell,
        rows: list
            .into_iter()
            .map(|a| ArrearsRow {
                member_id: a.member_id.0,
                member_no: a.member_no,
                name: a.name,
                months: a.months,
                arrears: a.arrears.to_string(),
                owed: a.owed.to_string(),
            })
            .collect(),
        can_teller: s.actor.role.can(Action::TellerTransactions),
    };
    Ok(html(&view, s.lang())?.into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SettingsForm {
    pokok_amount: String,
    wajib_monthly: String,
    sukarela_rate: String,
    sukarela_minimum: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MonthForm {
    month: String,
}

struct RunRow {
    kind: String,
    month: String,
    members: i64,
    total: String,
    run_by: String,
    at: String,
}

struct KindTotal {
    label: &'static str,
    accounts: i64,
    total: String,
}

#[derive(Template)]
#[template(path = "savings_settings.html")]
struct SettingsPage {
    t: Tr,
    shell: Shell,
    f: SettingsForm,
    error: Option<String>,
    /// billing or jasa: the run form that was refused, or that just ran.
    run_error: Option<String>,
    run_done: Option<String>,
    billing_month: String,
    jasa_month: String,
    runs: Vec<RunRow>,
    totals: Vec<KindTotal>,
    updated: Option<String>,
}

struct SettingsState {
    f: Option<SettingsForm>,
    error: Option<(StatusCode, String)>,
    run_error: Option<(StatusCode, String)>,
    run_done: Option<String>,
    months: Option<(String, String)>,
}

async fn settings_page(state: &AppState, s: &PageSession, st: SettingsState) -> PageResult {
    require(s, Action::PostJournal)?;
    let shell = Shell::load(state, s, "savings_settings", None).await?;
    let (db, a) = (&state.db, &s.actor);
    let current = savings::settings(db, a).await.map_err(|e| s.fail(e))?;
    let runs = jobs::runs(db, a, 24).await.map_err(|e| s.fail(e))?;
    let totals = savings::summary(db, a).await.map_err(|e| s.fail(e))?;
    let today = guyub_services::ledger::today(&shell.tz);
    let this_month = YearMonth::from(today);
    // Jasa is posted for a month that is over: the one before this.
    let last_month = match this_month.month() {
        1 => YearMonth::new(this_month.year() - 1, 12),
        m => YearMonth::new(this_month.year(), m - 1),
    }
    .unwrap_or(this_month);
    let (billing_month, jasa_month) = st
        .months
        .unwrap_or((this_month.to_string(), last_month.to_string()));
    let status = st
        .error
        .as_ref()
        .or(st.run_error.as_ref())
        .map(|(code, _)| *code)
        .unwrap_or(StatusCode::OK);
    let tz = shell.tz.clone();
    let view = SettingsPage {
        t: s.tr(),
        f: st.f.unwrap_or_else(|| SettingsForm {
            pokok_amount: current.pokok_amount.get().to_string(),
            wajib_monthly: current.wajib_monthly.get().to_string(),
            sukarela_rate: current
                .sukarela_rate
                .percent()
                .to_string()
                .replace('.', ","),
            sukarela_minimum: current.sukarela_minimum.get().to_string(),
        }),
        error: st.error.map(|(_, e)| e),
        run_error: st.run_error.map(|(_, e)| e),
        run_done: st.run_done,
        billing_month,
        jasa_month,
        runs: runs
            .into_iter()
            .map(|r| RunRow {
                kind: s
                    .tr()
                    .or(&format!("savings.run.{}", r.kind), &r.kind)
                    .to_string(),
                month: r.month,
                members: r.members,
                total: r.total.to_string(),
                run_by: r.run_by,
                at: local_time(r.run_at, &tz),
            })
            .collect(),
        totals: totals
            .into_iter()
            .map(|(k, n, total)| KindTotal {
                label: s.tr().s(&format!("savings.kind.{}", k.as_str())),
                accounts: n,
                total: total.to_string(),
            })
            .collect(),
        updated: current.updated_at.map(|at| {
            format!(
                "{} · {}",
                local_time(at, &tz),
                current.updated_by.unwrap_or_default()
            )
        }),
        shell,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

fn fresh() -> SettingsState {
    SettingsState {
        f: None,
        error: None,
        run_error: None,
        run_done: None,
        months: None,
    }
}

pub async fn settings_form(State(state): State<AppState>, s: PageSession) -> PageResult {
    settings_page(&state, &s, fresh()).await
}

pub async fn save_settings(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<SettingsForm>,
) -> PageResult {
    let r = savings::set_settings(
        &state.db,
        &s.actor,
        &SettingsInput {
            pokok_amount: &f.pokok_amount,
            wajib_monthly: &f.wajib_monthly,
            sukarela_rate: &f.sukarela_rate,
            sukarela_minimum: &f.sukarela_minimum,
        },
    )
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/savings/settings").into_response()),
        Err(e) => {
            let error = Some(shown(&s, e)?);
            settings_page(
                &state,
                &s,
                SettingsState {
                    f: Some(f),
                    error,
                    ..fresh()
                },
            )
            .await
        }
    }
}

fn months_kept(billing: &str, jasa: &str) -> Option<(String, String)> {
    Some((billing.to_string(), jasa.to_string()))
}

pub async fn run_billing(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<MonthForm>,
) -> PageResult {
    let t = s.tr();
    let st = match jobs::bill_wajib(&state.db, &s.actor, &f.month).await {
        Ok(run) => SettingsState {
            run_done: Some(
                t.s("savings.billing.done")
                    .replace("{month}", &run.month.to_string())
                    .replace("{count}", &run.created.to_string())
                    .replace("{total}", &run.total.to_string()),
            ),
            ..fresh()
        },
        Err(e) => SettingsState {
            run_error: Some(shown(&s, e)?),
            months: months_kept(&f.month, ""),
            ..fresh()
        },
    };
    settings_page(&state, &s, st).await
}

pub async fn run_jasa(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<MonthForm>,
) -> PageResult {
    let t = s.tr();
    let st = match jobs::post_jasa_simpanan(&state.db, &s.actor, &f.month).await {
        Ok(run) => {
            let key = if run.already {
                "savings.jasa.already"
            } else if run.rate.is_zero() {
                "savings.jasa.no_rate"
            } else {
                "savings.jasa.done"
            };
            SettingsState {
                run_done: Some(
                    t.s(key)
                        .replace("{month}", &run.month.to_string())
                        .replace("{count}", &run.members.to_string())
                        .replace("{total}", &run.total.to_string()),
                ),
                ..fresh()
            }
        }
        Err(e) => SettingsState {
            run_error: Some(shown(&s, e)?),
            months: months_kept("", &f.month),
            ..fresh()
        },
    };
    settings_page(&state, &s, st).await
}

/// The savings box on the member page.
pub struct MemberBox {
    pub panel_total: String,
    /// (kind, its name, balance)
    pub balances: Vec<(&'static str, &'static str, String)>,
    pub arrears: String,
    pub months_in_arrears: u32,
    pub owed: String,
}

/// The member page's savings box (everyone who sees members sees balances).
pub async fn member_box(
    state: &AppState,
    s: &PageSession,
    id: MemberId,
) -> Result<MemberBox, PageError> {
    let m = savings::member_savings(&state.db, &s.actor, id)
        .await
        .map_err(|e: ServiceError| s.fail(e))?;
    Ok(MemberBox {
        panel_total: m.total.to_string(),
        balances: m
            .accounts
            .iter()
            .map(|a| {
                (
                    a.kind.as_str(),
                    s.tr().s(&format!("savings.kind.{}", a.kind.as_str())),
                    a.balance.to_string(),
                )
            })
            .collect(),
        arrears: m.wajib.arrears.to_string(),
        months_in_arrears: m.wajib.months_in_arrears,
        owed: m.wajib.owed.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use guyub_domain::money::MoneyError;
    use guyub_domain::{Date, MemberStatus};

    #[test]
    fn every_refusal_reads_in_both_languages() {
        let d = Date::parse("2025-01-31").unwrap();
        let m = YearMonth::parse("2025-06").unwrap();
        let rp = Rupiah::new(1_000);
        let all = [
            Refusal::Amount(MoneyError::Empty),
            Refusal::Amount(MoneyError::Format),
            Refusal::Amount(MoneyError::Overflow),
            Refusal::Amount(MoneyError::NotPositive),
            Refusal::Setting {
                field: "sukarela_rate",
                error: MoneyError::RateRange,
            },
            Refusal::Kind,
            Refusal::NotMember(MemberStatus::Keluar),
            Refusal::PayeeNotMember(MemberStatus::Meninggal),
            Refusal::SelfTransfer,
            Refusal::PokokLimit {
                paid: rp,
                limit: rp,
            },
            Refusal::OwnCapital(SavingsKind::Wajib),
            Refusal::Insufficient {
                balance: rp,
                requested: rp,
            },
            Refusal::BelowMinimum {
                balance: rp,
                requested: rp,
                minimum: rp,
            },
            Refusal::StillMember,
            Refusal::NothingToPayOut,
            Refusal::FutureDate { today: d },
            Refusal::BeforeLastMovement { last: d },
            Refusal::JasaPosted { month: m },
            Refusal::PeriodClosed { through: d },
            Refusal::Month,
            Refusal::FutureMonth { current: m },
            Refusal::MonthNotOver { current: m },
            Refusal::Note,
            Refusal::RequestKey,
        ];
        for r in &all {
            for lang in [Lang::Id, Lang::En] {
                let text = refusal_text(Tr(lang), r);
                assert!(!text.contains("??") && !text.contains('{'), "{r:?}: {text}");
            }
        }
        let text = refusal_text(
            Tr(Lang::Id),
            &Refusal::Insufficient {
                balance: Rupiah::new(100_000),
                requested: Rupiah::new(150_000),
            },
        );
        assert_eq!(
            text,
            "Saldo Rp 100.000 kurang dari Rp 150.000 yang diminta."
        );
        assert!(
            refusal_text(Tr(Lang::Id), &Refusal::NotMember(MemberStatus::Keluar))
                .contains("Keluar")
        );
        for t in [
            TxType::Deposit,
            TxType::Withdrawal,
            TxType::TransferIn,
            TxType::TransferOut,
            TxType::Jasa,
        ] {
            assert_ne!(Tr(Lang::Id).s(&format!("savings.tx.{}", t.as_str())), "??");
            assert_ne!(
                Tr(Lang::Id).s(&format!("timeline.savings.{}", t.as_str())),
                "??"
            );
        }
        for k in SavingsKind::ALL {
            assert_ne!(
                Tr(Lang::En).s(&format!("savings.kind.{}", k.as_str())),
                "??"
            );
        }
    }
}
