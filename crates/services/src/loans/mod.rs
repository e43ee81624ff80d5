//! Pinjaman: loan products, applications, approval by a second person, disbursement
//! (cash or into simpanan sukarela) with its schedule, repayments and early payoff,
//! denda, arrears and collectibility, and the loan portfolio.
//!
//! The rules are `guyub_domain::money::loan`'s (schedule, fees, denda, allocation,
//! early payoff, collectibility); this module makes them durable. Every money
//! movement is one transaction: the loan rows, the journal entry (`ledger::post`),
//! the member's timeline and the audit entry.
//!
//! - `products`: products and the collectibility thresholds setting;
//! - `lifecycle`: preview, apply, approve / reject, disburse;
//! - `standing`: a loan as of a day (paid and unpaid instalments, denda, arrears,
//!   collectibility), loan pages and lists, the portfolio report;
//! - `repay`: repayments, the payoff quote and the payoff, receipts.

mod lifecycle;
mod products;
mod repay;
mod standing;

pub use lifecycle::{
    Application, DisburseInput, Preview, apply, approve, disburse, preview, reject,
};
pub use products::{
    DendaInput, FeeInput, ProductInput, create_product, product, products, set_thresholds,
    thresholds, update_product,
};
pub use repay::{
    PayoffInput, PayoffView, Receipt, RepaymentInput, payoff, payoff_quote, receipt, repay,
    repayments,
};
pub use standing::{
    InstallmentState, ListFilter, ListedLoan, LoanDetail, Portfolio, PortfolioClass, PortfolioLoan,
    ScheduleRow, Standing, detail, get, list, member_loans, portfolio,
};

use crate::{Actor, ActorKind, Result, ServiceError, invalid};
use guyub_domain::money::loan::{Fee, LoanFees, PenaltyPolicy, PenaltyRule};
use guyub_domain::money::{LoanError, LoanMethod, LoanTerms, MoneyError, Rate, Rupiah};
use guyub_domain::{Date, JournalEntryId, LoanId, LoanProductId, LoanRepaymentId, MemberId};
use guyub_store::Conn;
use guyub_store::loans::{LoanRow, ProductRow, RepaymentRow};
use serde::Serialize;

/// Where a loan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanStatus {
    /// Entered, waiting for a second person's decision.
    Applied,
    Approved,
    Rejected,
    /// Paid out; instalments running.
    Disbursed,
    /// Lunas: nothing owed any more.
    Settled,
}

impl LoanStatus {
    pub const ALL: [LoanStatus; 5] = [
        LoanStatus::Applied,
        LoanStatus::Approved,
        LoanStatus::Rejected,
        LoanStatus::Disbursed,
        LoanStatus::Settled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LoanStatus::Applied => "applied",
            LoanStatus::Approved => "approved",
            LoanStatus::Rejected => "rejected",
            LoanStatus::Disbursed => "disbursed",
            LoanStatus::Settled => "settled",
        }
    }

    pub fn parse(raw: &str) -> Option<LoanStatus> {
        LoanStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim().to_ascii_lowercase())
    }
}

/// How a loan is paid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Cash from the teller's drawer.
    Cash,
    /// Credited to the member's simpanan sukarela.
    Sukarela,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Cash => "cash",
            Channel::Sukarela => "sukarela",
        }
    }

    pub fn parse(raw: &str) -> Option<Channel> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "cash" | "tunai" => Some(Channel::Cash),
            "sukarela" | "simpanan_sukarela" | "savings" => Some(Channel::Sukarela),
            _ => None,
        }
    }
}

/// A loan product: the terms a cooperative offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    pub id: LoanProductId,
    pub name: String,
    pub method: LoanMethod,
    pub yearly_rate: Rate,
    pub min_tenor: u32,
    pub max_tenor: u32,
    /// Zero: no minimum.
    pub min_principal: Rupiah,
    pub max_principal: Option<Rupiah>,
    pub fees: LoanFees,
    pub penalty: PenaltyPolicy,
    /// Interest-only months at the start of every loan of this product.
    pub grace_months: u32,
    pub active: bool,
}

/// A loan with its terms and its history so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loan {
    pub id: LoanId,
    pub loan_no: String,
    pub member_id: MemberId,
    pub member_name: String,
    pub member_no: String,
    pub product_id: LoanProductId,
    pub product_name: String,
    pub terms: LoanTerms,
    pub provisi: Rupiah,
    pub admin_fee: Rupiah,
    /// What the member receives: principal less provisi and administration.
    pub net_payout: Rupiah,
    pub penalty: PenaltyPolicy,
    pub purpose: String,
    pub status: LoanStatus,
    pub applied_by: String,
    pub applied_at_ms: i64,
    pub decided_by: Option<String>,
    pub decided_at_ms: Option<i64>,
    pub decision_note: Option<String>,
    pub disbursed_by: Option<String>,
    pub disbursed_on: Option<Date>,
    pub channel: Option<Channel>,
    pub disbursement_entry_id: Option<JournalEntryId>,
    pub first_due: Option<Date>,
    pub settled_on: Option<Date>,
    pub outstanding_principal: Rupiah,
    /// Due date of the oldest instalment not yet paid.
    pub oldest_unpaid_due: Option<Date>,
    #[serde(skip)]
    pub(crate) applied_by_key: String,
}

/// A repayment (or a payoff) as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repayment {
    pub id: LoanRepaymentId,
    pub loan_id: LoanId,
    pub member_id: MemberId,
    pub receipt_no: String,
    /// `installment` or `payoff`.
    pub kind: String,
    pub paid_on: Date,
    pub amount: Rupiah,
    pub denda: Rupiah,
    pub interest: Rupiah,
    pub principal: Rupiah,
    /// Interest of later periods not charged on an early payoff.
    pub interest_waived: Rupiah,
    pub journal_entry_id: JournalEntryId,
    pub created_by: String,
    pub created_at_ms: i64,
}

fn corrupt(what: &str) -> ServiceError {
    ServiceError::Internal(format!("stored loan data is not valid: {what}"))
}

fn date_of(n: i64) -> Result<Date> {
    Date::from_number(n).ok_or_else(|| corrupt("date"))
}

fn opt_date(n: Option<i64>) -> Result<Option<Date>> {
    n.map(date_of).transpose()
}

fn count(n: i64, what: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| corrupt(what))
}

/// A fee as stored: `percent` + a percentage, or `fixed` + whole rupiah.
pub(crate) fn fee_from(kind: &str, value: &str) -> std::result::Result<Fee, String> {
    match kind {
        "percent" => Rate::parse(value)
            .map(Fee::Percent)
            .map_err(|e| e.to_string()),
        "fixed" => {
            let a = Rupiah::parse(value).map_err(|e| e.to_string())?;
            if a.is_negative() {
                return Err("a fee cannot be negative".into());
            }
            Ok(Fee::Fixed(a))
        }
        _ => Err("a fee is `percent` or `fixed`".into()),
    }
}

pub(crate) fn fee_to(f: &Fee) -> (&'static str, String) {
    match f {
        Fee::Percent(r) => ("percent", String::from(*r)),
        Fee::Fixed(a) => ("fixed", a.get().to_string()),
    }
}

/// A denda rule as stored (see `PenaltyRule`).
pub(crate) fn penalty_from(
    kind: &str,
    value: &str,
    grace_days: i64,
) -> std::result::Result<PenaltyPolicy, String> {
    let grace_days = u32::try_from(grace_days)
        .ok()
        .filter(|d| *d <= 366)
        .ok_or("grace days are 0 to 366")?;
    let amount = |v: &str| -> std::result::Result<Rupiah, String> {
        let a = Rupiah::parse(v).map_err(|e| e.to_string())?;
        if a.is_negative() {
            return Err("a denda cannot be negative".into());
        }
        Ok(a)
    };
    let rule = match kind {
        "none" => PenaltyRule::None,
        "daily_percent" => {
            PenaltyRule::DailyPercent(Rate::parse(value).map_err(|e| e.to_string())?)
        }
        "daily_fixed" => PenaltyRule::DailyFixed(amount(value)?),
        "per_installment" => PenaltyRule::PerInstallment(amount(value)?),
        _ => {
            return Err(
                "denda is `none`, `daily_percent`, `daily_fixed` or `per_installment`".into(),
            );
        }
    };
    Ok(PenaltyPolicy { rule, grace_days })
}

pub(crate) fn penalty_to(p: &PenaltyPolicy) -> (&'static str, String) {
    match p.rule {
        PenaltyRule::None => ("none", "0".into()),
        PenaltyRule::DailyPercent(r) => ("daily_percent", String::from(r)),
        PenaltyRule::DailyFixed(a) => ("daily_fixed", a.get().to_string()),
        PenaltyRule::PerInstallment(a) => ("per_installment", a.get().to_string()),
    }
}

pub(crate) fn product_of(r: ProductRow) -> Result<Product> {
    Ok(Product {
        id: r.id,
        method: LoanMethod::parse(&r.method).map_err(|_| corrupt("method"))?,
        yearly_rate: Rate::parse(&r.yearly_rate).map_err(|_| corrupt("rate"))?,
        min_tenor: count(r.min_tenor, "tenor")?,
        max_tenor: count(r.max_tenor, "tenor")?,
        min_principal: Rupiah::new(r.min_principal),
        max_principal: r.max_principal.map(Rupiah::new),
        fees: LoanFees {
            provisi: fee_from(&r.provisi_kind, &r.provisi_value).map_err(|_| corrupt("provisi"))?,
            admin: fee_from(&r.admin_kind, &r.admin_value).map_err(|_| corrupt("admin"))?,
        },
        penalty: penalty_from(&r.denda_kind, &r.denda_value, r.denda_grace_days)
            .map_err(|_| corrupt("denda"))?,
        grace_months: count(r.grace_months, "grace months")?,
        active: r.active,
        name: r.name,
    })
}

pub(crate) fn loan_of(r: LoanRow) -> Result<Loan> {
    let terms = LoanTerms {
        principal: Rupiah::new(r.principal),
        yearly_rate: Rate::parse(&r.yearly_rate).map_err(|_| corrupt("rate"))?,
        tenor_months: count(r.tenor_months, "tenor")?,
        method: LoanMethod::parse(&r.method).map_err(|_| corrupt("method"))?,
        grace_months: count(r.grace_months, "grace months")?,
    };
    let provisi = Rupiah::new(r.provisi);
    let admin_fee = Rupiah::new(r.admin_fee);
    let net_payout = terms
        .principal
        .checked_sub(provisi)
        .and_then(|x| x.checked_sub(admin_fee))
        .map_err(|_| corrupt("fees"))?;
    Ok(Loan {
        id: r.id,
        loan_no: r.loan_no,
        member_id: r.member_id,
        member_name: r.member_name,
        member_no: r.member_no,
        product_id: r.product_id,
        product_name: r.product_name,
        terms,
        provisi,
        admin_fee,
        net_payout,
        penalty: penalty_from(&r.denda_kind, &r.denda_value, r.denda_grace_days)
            .map_err(|_| corrupt("denda"))?,
        purpose: r.purpose,
        status: LoanStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
        applied_by: r.applied_by,
        applied_at_ms: r.applied_at,
        decided_by: r.decided_by,
        decided_at_ms: r.decided_at,
        decision_note: r.decision_note,
        disbursed_by: r.disbursed_by,
        disbursed_on: opt_date(r.disbursed_on)?,
        channel: r
            .disbursement_channel
            .as_deref()
            .map(|c| Channel::parse(c).ok_or_else(|| corrupt("channel")))
            .transpose()?,
        disbursement_entry_id: r.disbursement_entry_id,
        first_due: opt_date(r.first_due)?,
        settled_on: opt_date(r.settled_on)?,
        outstanding_principal: Rupiah::new(r.outstanding_principal),
        oldest_unpaid_due: opt_date(r.oldest_unpaid_due)?,
        applied_by_key: r.applied_by_key,
    })
}

pub(crate) fn repayment_of(r: RepaymentRow) -> Result<Repayment> {
    Ok(Repayment {
        id: r.id,
        loan_id: r.loan_id,
        member_id: r.member_id,
        receipt_no: r.receipt_no,
        kind: r.kind,
        paid_on: date_of(r.paid_on)?,
        amount: Rupiah::new(r.amount),
        denda: Rupiah::new(r.parts.denda),
        interest: Rupiah::new(r.parts.interest),
        principal: Rupiah::new(r.parts.principal),
        interest_waived: Rupiah::new(r.parts.interest_waived),
        journal_entry_id: r.journal_entry_id,
        created_by: r.created_by,
        created_at_ms: r.created_at,
    })
}

/// The person behind an actor, for maker-checker: a user is themself, an API token
/// acts for the user who made it (a token made from the command line is its own
/// person), the command line is one person.
pub(crate) async fn person_key(conn: &mut Conn, actor: &Actor) -> Result<String> {
    Ok(match &actor.kind {
        ActorKind::User { id, .. } => format!("user:{id}"),
        ActorKind::Token { id, .. } => {
            match guyub_store::tokens::get(conn, actor.cooperative_id, *id).await {
                Ok(t) => match t.created_by {
                    Some(u) => format!("user:{u}"),
                    None => format!("token:{id}"),
                },
                Err(guyub_store::StoreError::NotFound) => format!("token:{id}"),
                Err(e) => return Err(e.into()),
            }
        }
        ActorKind::Cli => "cli".to_string(),
    })
}

/// A domain refusal about loan terms, named by the field a person typed.
pub(crate) fn terms_error(e: LoanError) -> ServiceError {
    match e {
        LoanError::Principal | LoanError::FeesExceedPrincipal { .. } => {
            invalid("principal", e.to_string())
        }
        LoanError::Tenor(_) | LoanError::Grace { .. } => invalid("tenor_months", e.to_string()),
        LoanError::Date => invalid("first_due", e.to_string()),
        LoanError::Money(MoneyError::Overflow) => {
            invalid("principal", "the amounts of this loan are too large")
        }
        other => invalid("loan", other.to_string()),
    }
}

/// `d` moved by `days` (negative: earlier).
pub fn shift_days(d: Date, days: i64) -> Option<Date> {
    let j = jiff::civil::Date::new(
        i16::try_from(d.year).ok()?,
        i8::try_from(d.month).ok()?,
        i8::try_from(d.day).ok()?,
    )
    .ok()?;
    let moved = j.checked_add(jiff::Span::new().days(days)).ok()?;
    Date::new(
        i32::from(moved.year()),
        u8::try_from(moved.month()).ok()?,
        u8::try_from(moved.day()).ok()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_and_denda_round_trip_through_storage() {
        for f in [
            Fee::Percent(Rate::parse("1,5").unwrap()),
            Fee::Fixed(Rupiah::new(50_000)),
        ] {
            let (k, v) = fee_to(&f);
            assert_eq!(fee_from(k, &v), Ok(f));
        }
        assert!(fee_from("fixed", "-5").is_err());
        assert!(fee_from("sometimes", "5").is_err());
        for rule in [
            PenaltyRule::None,
            PenaltyRule::DailyPercent(Rate::parse("0.1").unwrap()),
            PenaltyRule::DailyFixed(Rupiah::new(2_000)),
            PenaltyRule::PerInstallment(Rupiah::new(25_000)),
        ] {
            let p = PenaltyPolicy {
                rule,
                grace_days: 3,
            };
            let (k, v) = penalty_to(&p);
            assert_eq!(penalty_from(k, &v, 3), Ok(p));
        }
        assert!(penalty_from("daily_fixed", "1000", -1).is_err());
        assert!(penalty_from("daily_fixed", "1000", 400).is_err());
    }

    #[test]
    fn days_shift_across_months_and_years() {
        let d = Date::new(2025, 3, 1).unwrap();
        assert_eq!(shift_days(d, -1), Date::new(2025, 2, 28));
        assert_eq!(shift_days(d, -91), Date::new(2024, 11, 30));
        assert_eq!(shift_days(d, 0), Some(d));
    }
}
