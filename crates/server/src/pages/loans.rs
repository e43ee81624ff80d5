//! Pinjaman pages: the loan list with its filters, the loan page (terms, standing,
//! schedule, decision, disbursement, repayment and payoff forms, repayments) and the
//! printable receipt. The application form is in `loan_apply`, products in
//! `loan_products`, the portfolio in `loan_report`.

use super::{Shell, page_query, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::money::loan::{Fee, PenaltyPolicy, PenaltyRule};
use guyub_domain::money::{Collectibility, Rupiah};
use guyub_domain::{Action, Date, LoanId, LoanRepaymentId};
use guyub_services::loans::{
    self, DisburseInput, InstallmentState, ListedLoan, LoanDetail, LoanStatus, PayoffInput,
    RepaymentInput,
};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// Loans per list page.
const PAGE: i64 = 50;

/// The label of a loan status in the reader's language.
pub(super) fn status_label(t: &Tr, s: LoanStatus) -> &'static str {
    t.s(&format!("loans.status.{}", s.as_str()))
}

/// A fee as a person reads it: `1%` or `Rp 50.000`.
pub(super) fn fee_label(f: &Fee) -> String {
    match f {
        Fee::Percent(r) => r.to_string(),
        Fee::Fixed(a) => a.to_string(),
    }
}

/// The denda rule as a person reads it: `0,1% per hari, 3 hari bebas denda`.
pub(super) fn denda_label(t: &Tr, p: &PenaltyPolicy) -> String {
    let rule = match p.rule {
        PenaltyRule::None => return t.s("loans.denda_none").to_string(),
        PenaltyRule::DailyPercent(r) => format!("{r} {}", t.s("loans.per_day_of_overdue")),
        PenaltyRule::DailyFixed(a) => format!("{a} {}", t.s("loans.per_day")),
        PenaltyRule::PerInstallment(a) => format!("{a} {}", t.s("loans.per_installment")),
    };
    if p.grace_days > 0 {
        format!("{rule}, {} {}", p.grace_days, t.s("loans.grace_days_free"))
    } else {
        rule
    }
}

/// A collectibility class as a badge: (css class, label).
pub(super) fn class_badge(c: Collectibility) -> (&'static str, &'static str) {
    (c.as_str(), c.label())
}

fn date_field(raw: &str, field: &str) -> Result<Option<Date>, (StatusCode, String)> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Date::parse(raw).map(Some).map_err(|_| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{field}: a date, YYYY-MM-DD"),
        )
    })
}

fn amount_field(raw: &str, field: &str) -> Result<Rupiah, (StatusCode, String)> {
    Rupiah::parse(raw).map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, format!("{field}: {e}")))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    collectibility: String,
    #[serde(default)]
    page: i64,
    ok: Option<String>,
}

#[derive(Clone)]
pub(super) struct ListRow {
    pub id: i64,
    pub loan_no: String,
    pub member_id: i64,
    pub member_name: String,
    pub product: String,
    pub principal: Rupiah,
    pub outstanding: Rupiah,
    pub status: String,
    pub status_label: &'static str,
    pub class: Option<(&'static str, &'static str)>,
    pub days_past_due: u32,
}

pub(super) fn list_rows(t: &Tr, list: Vec<ListedLoan>) -> Vec<ListRow> {
    list.into_iter()
        .map(|l| ListRow {
            id: l.loan.id.0,
            loan_no: l.loan.loan_no,
            member_id: l.loan.member_id.0,
            member_name: l.loan.member_name,
            product: l.loan.product_name,
            principal: l.loan.terms.principal,
            outstanding: l.loan.outstanding_principal,
            status: l.loan.status.as_str().into(),
            status_label: status_label(t, l.loan.status),
            class: l.collectibility.map(class_badge),
            days_past_due: l.days_past_due,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "loans.html")]
struct ListPage {
    t: Tr,
    shell: Shell,
    rows: Vec<ListRow>,
    status: String,
    collectibility: String,
    statuses: Vec<(&'static str, &'static str)>,
    classes: Vec<(&'static str, &'static str)>,
    newer: Option<String>,
    older: Option<String>,
    can_apply: bool,
    can_reports: bool,
    error: Option<String>,
}

pub(super) fn can_apply(s: &PageSession) -> bool {
    s.actor.role.can(Action::ManageMembers) || s.actor.role.can(Action::TellerTransactions)
}

pub async fn list(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let shell = Shell::load(&state, &s, "loans", q.ok.as_deref()).await?;
    let t = s.tr();
    let page = q.page.max(0);
    let found = loans::list(
        &state.db,
        &s.actor,
        &loans::ListFilter {
            status: Some(q.status.clone()),
            collectibility: Some(q.collectibility.clone()),
            member: None,
            limit: PAGE + 1,
            offset: page * PAGE,
        },
    )
    .await;
    let (mut found, error, code) = match found {
        Ok(f) => (f, None, StatusCode::OK),
        Err(e) => {
            let (code, msg) = refusal(&s, e)?;
            (Vec::new(), Some(msg), code)
        }
    };
    let more = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let params = [
        ("status", q.status.as_str()),
        ("collectibility", q.collectibility.as_str()),
    ];
    let view = ListPage {
        rows: list_rows(&t, found),
        statuses: LoanStatus::ALL
            .into_iter()
            .map(|x| (x.as_str(), status_label(&t, x)))
            .collect(),
        classes: Collectibility::ALL.into_iter().map(class_badge).collect(),
        newer: (page > 0).then(|| page_query(&params, page - 1)),
        older: more.then(|| page_query(&params, page + 1)),
        status: q.status,
        collectibility: q.collectibility,
        can_apply: can_apply(&s),
        can_reports: s.actor.role.can(Action::ViewReports),
        error,
        shell,
        t,
    };
    Ok((code, html(&view, s.lang())?).into_response())
}

struct ScheduleView {
    no: u32,
    due_date: Date,
    principal: Rupiah,
    interest: Rupiah,
    total: Rupiah,
    paid: Rupiah,
    denda_due: Rupiah,
    state: &'static str,
    state_label: &'static str,
}

#[derive(Template)]
#[template(path = "loan.html")]
struct LoanPage {
    t: Tr,
    shell: Shell,
    d: LoanDetail,
    status_label: &'static str,
    method_label: &'static str,
    denda_label: String,
    class: Option<(&'static str, &'static str)>,
    schedule: Vec<ScheduleView>,
    can_decide: bool,
    own_application: bool,
    can_disburse: bool,
    can_pay: bool,
    today: String,
    error: Option<String>,
}

async fn loan_page(
    state: &AppState,
    s: &PageSession,
    id: LoanId,
    flash: Option<&str>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "loans", flash).await?;
    let t = s.tr();
    let d = loans::detail(&state.db, &s.actor, id, None)
        .await
        .map_err(|e| s.fail(e))?;
    let role = s.actor.role;
    let applied = d.loan.status == LoanStatus::Applied;
    let today = d
        .standing
        .as_ref()
        .map(|x| x.as_of)
        .unwrap_or_else(|| guyub_services::ledger::today(&shell.tz));
    let (code, error) = match error {
        Some((c, e)) => (c, Some(e)),
        None => (StatusCode::OK, None),
    };
    let view = LoanPage {
        status_label: status_label(&t, d.loan.status),
        method_label: t.s(&format!("loans.method.{}", d.loan.terms.method.as_str())),
        denda_label: denda_label(&t, &d.loan.penalty),
        class: d
            .standing
            .as_ref()
            .filter(|_| d.loan.status == LoanStatus::Disbursed)
            .map(|x| class_badge(x.collectibility)),
        schedule: d
            .schedule
            .iter()
            .map(|r| {
                let state = match r.state {
                    InstallmentState::Paid => "paid",
                    InstallmentState::Overdue => "overdue",
                    InstallmentState::Due => "due",
                    InstallmentState::Partial => "partial",
                    InstallmentState::Upcoming => "upcoming",
                };
                ScheduleView {
                    no: r.no,
                    due_date: r.due_date,
                    principal: r.principal,
                    interest: r.interest,
                    total: r.total,
                    paid: Rupiah::new(r.paid_principal.get() + r.paid_interest.get()),
                    denda_due: r.denda_due,
                    state,
                    state_label: t.s(&format!("loans.state.{state}")),
                }
            })
            .collect(),
        can_decide: applied && role.can(Action::ApproveLoans) && !d.entered_by_you,
        own_application: applied && d.entered_by_you,
        can_disburse: d.loan.status == LoanStatus::Approved && role.can(Action::TellerTransactions),
        can_pay: d.loan.status == LoanStatus::Disbursed && role.can(Action::TellerTransactions),
        today: today.to_string(),
        error,
        d,
        shell,
        t,
    };
    Ok((code, html(&view, s.lang())?).into_response())
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    ok: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    loan_page(&state, &s, LoanId(id), q.ok.as_deref(), None).await
}

/// Runs a change of the loan; on a refusal, the loan page with the reason.
async fn after(
    state: &AppState,
    s: &PageSession,
    id: LoanId,
    result: Result<String, (StatusCode, String)>,
) -> PageResult {
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => loan_page(state, s, id, None, Some(e)).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    note: String,
}

pub async fn approve(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    let id = LoanId(id);
    let r = match loans::approve(&state.db, &s.actor, id, &f.note).await {
        Ok(_) => Ok(format!("/loans/{id}?ok=loans.approved")),
        Err(e) => Err(refusal(&s, e)?),
    };
    after(&state, &s, id, r).await
}

pub async fn reject(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    let id = LoanId(id);
    let r = match loans::reject(&state.db, &s.actor, id, &f.note).await {
        Ok(_) => Ok(format!("/loans/{id}?ok=loans.rejected")),
        Err(e) => Err(refusal(&s, e)?),
    };
    after(&state, &s, id, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DisburseForm {
    channel: String,
    date: String,
    first_due: String,
}

pub async fn disburse(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<DisburseForm>,
) -> PageResult {
    let id = LoanId(id);
    let input = date_field(&f.date, "date").and_then(|date| {
        Ok(DisburseInput {
            channel: f.channel.clone(),
            date,
            first_due: date_field(&f.first_due, "first_due")?,
        })
    });
    let r = match input {
        Err(e) => Err(e),
        Ok(input) => match loans::disburse(&state.db, &s.actor, id, &input).await {
            Ok(_) => Ok(format!("/loans/{id}?ok=loans.disbursed")),
            Err(e) => Err(refusal(&s, e)?),
        },
    };
    after(&state, &s, id, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PayForm {
    amount: String,
    paid_on: String,
}

pub async fn repay(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<PayForm>,
) -> PageResult {
    let id = LoanId(id);
    let input = amount_field(&f.amount, "amount").and_then(|amount| {
        Ok(RepaymentInput {
            amount,
            paid_on: date_field(&f.paid_on, "paid_on")?,
        })
    });
    let r = match input {
        Err(e) => Err(e),
        Ok(input) => match loans::repay(&state.db, &s.actor, id, &input).await {
            Ok(r) => Ok(format!("/loans/receipts/{}", r.id)),
            Err(e) => Err(refusal(&s, e)?),
        },
    };
    after(&state, &s, id, r).await
}

pub async fn payoff(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<PayForm>,
) -> PageResult {
    let id = LoanId(id);
    let amount = if f.amount.trim().is_empty() {
        Ok(None)
    } else {
        amount_field(&f.amount, "amount").map(Some)
    };
    let input = amount.and_then(|amount| {
        Ok(PayoffInput {
            amount,
            paid_on: date_field(&f.paid_on, "paid_on")?,
        })
    });
    let r = match input {
        Err(e) => Err(e),
        Ok(input) => match loans::payoff(&state.db, &s.actor, id, &input).await {
            Ok(r) => Ok(format!("/loans/receipts/{}", r.id)),
            Err(e) => Err(refusal(&s, e)?),
        },
    };
    after(&state, &s, id, r).await
}

#[derive(Template)]
#[template(path = "loan_receipt.html")]
struct ReceiptPage {
    t: Tr,
    r: loans::Receipt,
    printed_at: String,
}

/// The receipt of a repayment, laid out for a 58/80 mm thermal printer.
pub async fn receipt(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    let r = loans::receipt(&state.db, &s.actor, LoanRepaymentId(id))
        .await
        .map_err(|e| s.fail(e))?;
    let coop = guyub_services::setup::cooperative(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let view = ReceiptPage {
        t: s.tr(),
        printed_at: super::local_time(r.repayment.created_at_ms, &coop.timezone),
        r,
    };
    Ok(html(&view, s.lang())?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_label_built_at_run_time_exists() {
        for lang in [Lang::Id, Lang::En] {
            let t = Tr(lang);
            for s in LoanStatus::ALL {
                assert_ne!(status_label(&t, s), "??", "{s:?}");
            }
            for k in ["paid", "overdue", "due", "partial", "upcoming"] {
                assert_ne!(t.s(&format!("loans.state.{k}")), "??", "{k}");
            }
            for m in guyub_domain::money::LoanMethod::ALL {
                assert_ne!(t.s(&format!("loans.method.{}", m.as_str())), "??");
            }
            for k in [
                "applied",
                "approved",
                "rejected",
                "disbursed",
                "repaid",
                "paid_off",
                "settled",
            ] {
                assert_ne!(t.s(&format!("timeline.loan.{k}")), "??", "{k}");
            }
        }
    }
}
