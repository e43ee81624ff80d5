//! What the loans API sends and takes. Amounts are whole rupiah (integers), rates
//! decimal percentages as strings (`"12.5"`), dates `YYYY-MM-DD`.

use guyub_domain::money::Installment;
use guyub_domain::money::loan::{Fee, PayoffQuote, PenaltyPolicy, PenaltyRule};
use guyub_services::loans::{
    self, ListedLoan, Loan, LoanDetail, Portfolio, Product, Repayment, ScheduleRow, Standing,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct FeeOut {
    /// `percent` (value a percentage of the principal) or `fixed` (value in rupiah).
    kind: String,
    value: String,
}

impl From<&Fee> for FeeOut {
    fn from(f: &Fee) -> Self {
        match f {
            Fee::Percent(r) => FeeOut {
                kind: "percent".into(),
                value: String::from(*r),
            },
            Fee::Fixed(a) => FeeOut {
                kind: "fixed".into(),
                value: a.get().to_string(),
            },
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DendaOut {
    /// `none`, `daily_percent` (of the overdue amount, per day), `daily_fixed` (rupiah
    /// per day) or `per_installment` (rupiah, once per late instalment).
    kind: String,
    #[serde(default)]
    value: String,
    /// Days late without denda; denda counts only the days beyond them.
    #[serde(default)]
    grace_days: i64,
}

impl From<&PenaltyPolicy> for DendaOut {
    fn from(p: &PenaltyPolicy) -> Self {
        let (kind, value) = match p.rule {
            PenaltyRule::None => ("none", "0".to_string()),
            PenaltyRule::DailyPercent(r) => ("daily_percent", String::from(r)),
            PenaltyRule::DailyFixed(a) => ("daily_fixed", a.get().to_string()),
            PenaltyRule::PerInstallment(a) => ("per_installment", a.get().to_string()),
        };
        DendaOut {
            kind: kind.into(),
            value,
            grace_days: i64::from(p.grace_days),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductOut {
    id: i64,
    name: String,
    /// `flat`, `menurun` or `anuitas`.
    method: String,
    /// Yearly, percent.
    yearly_rate: String,
    min_tenor: u32,
    max_tenor: u32,
    min_principal: i64,
    max_principal: Option<i64>,
    provisi: FeeOut,
    admin: FeeOut,
    denda: DendaOut,
    /// Interest-only months at the start.
    grace_months: u32,
    active: bool,
}

impl From<Product> for ProductOut {
    fn from(p: Product) -> Self {
        ProductOut {
            id: p.id.0,
            method: p.method.as_str().into(),
            yearly_rate: String::from(p.yearly_rate),
            min_tenor: p.min_tenor,
            max_tenor: p.max_tenor,
            min_principal: p.min_principal.get(),
            max_principal: p.max_principal.map(|m| m.get()),
            provisi: (&p.fees.provisi).into(),
            admin: (&p.fees.admin).into(),
            denda: (&p.penalty).into(),
            grace_months: p.grace_months,
            active: p.active,
            name: p.name,
        }
    }
}

/// A product as sent (create and replace).
#[derive(Deserialize, ToSchema)]
pub struct ProductIn {
    name: String,
    /// `flat`, `menurun` or `anuitas`.
    method: String,
    /// Yearly, percent: `"18"`, `"12.5"`.
    yearly_rate: String,
    min_tenor: i64,
    max_tenor: i64,
    min_principal: Option<i64>,
    max_principal: Option<i64>,
    provisi: FeeOut,
    admin: FeeOut,
    denda: DendaOut,
    #[serde(default)]
    grace_months: i64,
    /// True unless given.
    active: Option<bool>,
}

impl From<ProductIn> for loans::ProductInput {
    fn from(p: ProductIn) -> Self {
        loans::ProductInput {
            name: p.name,
            method: p.method,
            yearly_rate: p.yearly_rate,
            min_tenor: p.min_tenor,
            max_tenor: p.max_tenor,
            min_principal: p.min_principal,
            max_principal: p.max_principal,
            provisi: loans::FeeInput {
                kind: p.provisi.kind,
                value: p.provisi.value,
            },
            admin: loans::FeeInput {
                kind: p.admin.kind,
                value: p.admin.value,
            },
            denda: loans::DendaInput {
                kind: p.denda.kind,
                value: p.denda.value,
                grace_days: p.denda.grace_days,
            },
            grace_months: p.grace_months,
            active: p.active,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ThresholdsOut {
    /// Lancar up to this many days past due; kurang lancar beyond.
    pub kurang_lancar_after: i64,
    /// Diragukan beyond this many days.
    pub diragukan_after: i64,
    /// Macet beyond this many days.
    pub macet_after: i64,
}

impl From<guyub_domain::money::CollectibilityThresholds> for ThresholdsOut {
    fn from(t: guyub_domain::money::CollectibilityThresholds) -> Self {
        ThresholdsOut {
            kurang_lancar_after: i64::from(t.kurang_lancar_after()),
            diragukan_after: i64::from(t.diragukan_after()),
            macet_after: i64::from(t.macet_after()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoanOut {
    id: i64,
    loan_no: String,
    member_id: i64,
    member_name: String,
    member_no: String,
    product_id: i64,
    product_name: String,
    principal: i64,
    yearly_rate: String,
    tenor_months: u32,
    /// `flat`, `menurun` or `anuitas`.
    method: String,
    grace_months: u32,
    provisi: i64,
    admin_fee: i64,
    /// Principal less provisi and administration: what the member receives.
    net_payout: i64,
    denda: DendaOut,
    purpose: String,
    /// `applied`, `approved`, `rejected`, `disbursed` or `settled`.
    status: String,
    applied_by: String,
    applied_at_ms: i64,
    decided_by: Option<String>,
    decided_at_ms: Option<i64>,
    decision_note: Option<String>,
    disbursed_by: Option<String>,
    disbursed_on: Option<String>,
    /// `cash` or `sukarela`.
    disbursement_channel: Option<String>,
    disbursement_entry_id: Option<i64>,
    first_due: Option<String>,
    settled_on: Option<String>,
    outstanding_principal: i64,
    oldest_unpaid_due: Option<String>,
    /// Running loans only, as of today.
    days_past_due: Option<u32>,
    /// `lancar`, `kurang_lancar`, `diragukan` or `macet`; running loans only.
    collectibility: Option<String>,
}

impl From<Loan> for LoanOut {
    fn from(l: Loan) -> Self {
        let t = l.terms;
        LoanOut {
            id: l.id.0,
            loan_no: l.loan_no,
            member_id: l.member_id.0,
            member_name: l.member_name,
            member_no: l.member_no,
            product_id: l.product_id.0,
            product_name: l.product_name,
            principal: t.principal.get(),
            yearly_rate: String::from(t.yearly_rate),
            tenor_months: t.tenor_months,
            method: t.method.as_str().into(),
            grace_months: t.grace_months,
            provisi: l.provisi.get(),
            admin_fee: l.admin_fee.get(),
            net_payout: l.net_payout.get(),
            denda: (&l.penalty).into(),
            purpose: l.purpose,
            status: l.status.as_str().into(),
            applied_by: l.applied_by,
            applied_at_ms: l.applied_at_ms,
            decided_by: l.decided_by,
            decided_at_ms: l.decided_at_ms,
            decision_note: l.decision_note,
            disbursed_by: l.disbursed_by,
            disbursed_on: l.disbursed_on.map(|d| d.to_string()),
            disbursement_channel: l.channel.map(|c| c.as_str().into()),
            disbursement_entry_id: l.disbursement_entry_id.map(|e| e.0),
            first_due: l.first_due.map(|d| d.to_string()),
            settled_on: l.settled_on.map(|d| d.to_string()),
            outstanding_principal: l.outstanding_principal.get(),
            oldest_unpaid_due: l.oldest_unpaid_due.map(|d| d.to_string()),
            days_past_due: None,
            collectibility: None,
        }
    }
}

impl From<ListedLoan> for LoanOut {
    fn from(l: ListedLoan) -> Self {
        let mut out = LoanOut::from(l.loan);
        if let Some(c) = l.collectibility {
            out.days_past_due = Some(l.days_past_due);
            out.collectibility = Some(c.as_str().into());
        }
        out
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstallmentOut {
    no: u32,
    due_date: String,
    principal: i64,
    interest: i64,
    total: i64,
    paid_principal: i64,
    paid_interest: i64,
    paid_denda: i64,
    /// Interest not charged because of an early payoff.
    waived_interest: i64,
    /// Principal and interest still unpaid.
    unpaid: i64,
    /// Denda accrued and unpaid on the day asked about.
    denda_due: i64,
    settled_on: Option<String>,
    /// `paid`, `overdue`, `due`, `partial` or `upcoming`.
    state: String,
}

impl From<ScheduleRow> for InstallmentOut {
    fn from(r: ScheduleRow) -> Self {
        InstallmentOut {
            no: r.no,
            due_date: r.due_date.to_string(),
            principal: r.principal.get(),
            interest: r.interest.get(),
            total: r.total.get(),
            paid_principal: r.paid_principal.get(),
            paid_interest: r.paid_interest.get(),
            paid_denda: r.paid_denda.get(),
            waived_interest: r.waived_interest.get(),
            unpaid: r.unpaid.get(),
            denda_due: r.denda_due.get(),
            settled_on: r.settled_on.map(|d| d.to_string()),
            state: serde_json::to_value(r.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        }
    }
}

/// A row of a schedule not yet paid out (a preview).
#[derive(Serialize, ToSchema)]
pub struct ScheduleLineOut {
    no: u32,
    due_date: String,
    principal: i64,
    interest: i64,
    total: i64,
    remaining_principal: i64,
}

impl From<Installment> for ScheduleLineOut {
    fn from(i: Installment) -> Self {
        ScheduleLineOut {
            no: i.no,
            due_date: i.due_date.to_string(),
            principal: i.principal.get(),
            interest: i.interest.get(),
            total: i.total.get(),
            remaining_principal: i.remaining_principal.get(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StandingOut {
    as_of: String,
    outstanding_principal: i64,
    outstanding_interest: i64,
    arrears_principal: i64,
    arrears_interest: i64,
    denda: i64,
    /// Arrears, the instalment due that day, and denda.
    due_now: i64,
    overdue_installments: u32,
    oldest_unpaid_due: Option<String>,
    days_past_due: u32,
    collectibility: String,
}

impl From<Standing> for StandingOut {
    fn from(s: Standing) -> Self {
        StandingOut {
            as_of: s.as_of.to_string(),
            outstanding_principal: s.outstanding_principal.get(),
            outstanding_interest: s.outstanding_interest.get(),
            arrears_principal: s.arrears_principal.get(),
            arrears_interest: s.arrears_interest.get(),
            denda: s.denda.get(),
            due_now: s.due_now.get(),
            overdue_installments: s.overdue_installments,
            oldest_unpaid_due: s.oldest_unpaid_due.map(|d| d.to_string()),
            days_past_due: s.days_past_due,
            collectibility: s.collectibility.as_str().into(),
        }
    }
}

/// An early payoff on a day: all principal and denda, interest of instalments already
/// due and of the current period; later periods' interest waived.
#[derive(Serialize, ToSchema)]
pub struct PayoffOut {
    as_of: String,
    principal: i64,
    interest: i64,
    denda: i64,
    interest_waived: i64,
    total: i64,
}

impl PayoffOut {
    pub fn new(as_of: guyub_domain::Date, q: &PayoffQuote) -> PayoffOut {
        PayoffOut {
            as_of: as_of.to_string(),
            principal: q.principal.get(),
            interest: q.interest.get(),
            denda: q.denda.get(),
            interest_waived: q.interest_waived.get(),
            total: q.total.get(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RepaymentOut {
    id: i64,
    loan_id: i64,
    member_id: i64,
    receipt_no: String,
    /// `installment` or `payoff`.
    kind: String,
    paid_on: String,
    amount: i64,
    denda: i64,
    interest: i64,
    principal: i64,
    interest_waived: i64,
    journal_entry_id: i64,
    created_by: String,
    created_at_ms: i64,
}

impl From<Repayment> for RepaymentOut {
    fn from(r: Repayment) -> Self {
        RepaymentOut {
            id: r.id.0,
            loan_id: r.loan_id.0,
            member_id: r.member_id.0,
            receipt_no: r.receipt_no,
            kind: r.kind,
            paid_on: r.paid_on.to_string(),
            amount: r.amount.get(),
            denda: r.denda.get(),
            interest: r.interest.get(),
            principal: r.principal.get(),
            interest_waived: r.interest_waived.get(),
            journal_entry_id: r.journal_entry_id.0,
            created_by: r.created_by,
            created_at_ms: r.created_at_ms,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoanDetailOut {
    loan: LoanOut,
    /// The stored schedule with payments (disbursed and settled loans).
    schedule: Vec<InstallmentOut>,
    /// The schedule if paid out today (applications and approved loans).
    preview: Vec<ScheduleLineOut>,
    standing: Option<StandingOut>,
    payoff: Option<PayoffOut>,
    repayments: Vec<RepaymentOut>,
    /// The caller entered this application, so may not decide it.
    entered_by_you: bool,
}

impl From<LoanDetail> for LoanDetailOut {
    fn from(d: LoanDetail) -> Self {
        let as_of = d.standing.as_ref().map(|s| s.as_of);
        LoanDetailOut {
            payoff: match (as_of, &d.payoff) {
                (Some(a), Some(q)) => Some(PayoffOut::new(a, q)),
                _ => None,
            },
            loan: d.loan.into(),
            schedule: d.schedule.into_iter().map(Into::into).collect(),
            preview: d.preview.into_iter().map(Into::into).collect(),
            standing: d.standing.map(Into::into),
            repayments: d.repayments.into_iter().map(Into::into).collect(),
            entered_by_you: d.entered_by_you,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PreviewOut {
    product_id: i64,
    principal: i64,
    tenor_months: u32,
    method: String,
    yearly_rate: String,
    provisi: i64,
    admin_fee: i64,
    net_payout: i64,
    first_due: String,
    schedule: Vec<ScheduleLineOut>,
    total_interest: i64,
    total_payment: i64,
}

impl From<loans::Preview> for PreviewOut {
    fn from(p: loans::Preview) -> Self {
        PreviewOut {
            product_id: p.product.id.0,
            principal: p.terms.principal.get(),
            tenor_months: p.terms.tenor_months,
            method: p.terms.method.as_str().into(),
            yearly_rate: String::from(p.terms.yearly_rate),
            provisi: p.disbursement.provisi.get(),
            admin_fee: p.disbursement.admin.get(),
            net_payout: p.disbursement.net.get(),
            first_due: p.first_due.to_string(),
            schedule: p.schedule.into_iter().map(Into::into).collect(),
            total_interest: p.total_interest.get(),
            total_payment: p.total_payment.get(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortfolioClassOut {
    /// `lancar`, `kurang_lancar`, `diragukan`, `macet`.
    collectibility: String,
    label: String,
    loans: u32,
    outstanding_principal: i64,
    arrears_principal: i64,
    arrears_interest: i64,
    denda: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PortfolioLoanOut {
    id: i64,
    loan_no: String,
    member_id: i64,
    member_name: String,
    member_no: String,
    product_name: String,
    outstanding_principal: i64,
    arrears_principal: i64,
    arrears_interest: i64,
    denda: i64,
    days_past_due: u32,
    collectibility: String,
}

#[derive(Serialize, ToSchema)]
pub struct PortfolioOut {
    as_of: String,
    thresholds: ThresholdsOut,
    /// All four classes, lancar first.
    classes: Vec<PortfolioClassOut>,
    total_loans: u32,
    total_outstanding: i64,
    /// Principal and interest past due.
    total_arrears: i64,
    total_denda: i64,
    /// Outstanding principal not lancar, percent of all outstanding principal.
    npl_percent: String,
    /// Worst first.
    loans: Vec<PortfolioLoanOut>,
}

impl From<Portfolio> for PortfolioOut {
    fn from(p: Portfolio) -> Self {
        PortfolioOut {
            as_of: p.as_of.to_string(),
            thresholds: p.thresholds.into(),
            classes: p
                .classes
                .into_iter()
                .map(|c| PortfolioClassOut {
                    collectibility: c.collectibility.as_str().into(),
                    label: c.collectibility.label().into(),
                    loans: c.loans,
                    outstanding_principal: c.outstanding_principal.get(),
                    arrears_principal: c.arrears_principal.get(),
                    arrears_interest: c.arrears_interest.get(),
                    denda: c.denda.get(),
                })
                .collect(),
            total_loans: p.total_loans,
            total_outstanding: p.total_outstanding.get(),
            total_arrears: p.total_arrears.get(),
            total_denda: p.total_denda.get(),
            npl_percent: p.npl_percent,
            loans: p
                .loans
                .into_iter()
                .map(|l| PortfolioLoanOut {
                    id: l.id.0,
                    loan_no: l.loan_no,
                    member_id: l.member_id.0,
                    member_name: l.member_name,
                    member_no: l.member_no,
                    product_name: l.product_name,
                    outstanding_principal: l.outstanding_principal.get(),
                    arrears_principal: l.arrears_principal.get(),
                    arrears_interest: l.arrears_interest.get(),
                    denda: l.denda.get(),
                    days_past_due: l.days_past_due,
                    collectibility: l.collectibility.as_str().into(),
                })
                .collect(),
        }
    }
}
