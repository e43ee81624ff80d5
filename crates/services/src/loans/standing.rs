//! A loan as of a day: which instalments are paid, what is late, the denda accrued, the
//! arrears and the collectibility; loan pages and lists; the portfolio report.
//!
//! Everything is computed from the schedule and the repayment parts paid on or before
//! the day, so the same code answers "today" (loan page, teller) and "as of the end of
//! last month" (the portfolio report).

use super::products::thresholds_in;
use super::{Loan, LoanStatus, Repayment, loan_of, person_key, repayment_of, shift_days};
use crate::{Actor, Result, ServiceError};
use guyub_domain::money::loan::{
    InstallmentDue, Outstanding, PayoffQuote, PenaltyPolicy, days_past_due, early_payoff, schedule,
};
use guyub_domain::money::{
    Collectibility, CollectibilityThresholds, Installment, LoanError, Rupiah,
};
use guyub_domain::{Action, Date, LoanId, MemberId};
use guyub_store::Db;
use guyub_store::loans::{self as store, InstallmentRow, LoanFilter, PartRow};
use serde::Serialize;

/// An instalment on the day asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallmentState {
    /// Principal and interest paid (or, on a payoff, interest waived).
    Paid,
    /// Past its due date and not paid in full.
    Overdue,
    /// Due that very day.
    Due,
    /// Not yet due, partly paid ahead.
    Partial,
    Upcoming,
}

/// One row of a loan's schedule with what was paid on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleRow {
    pub no: u32,
    pub due_date: Date,
    pub principal: Rupiah,
    pub interest: Rupiah,
    pub total: Rupiah,
    pub paid_principal: Rupiah,
    pub paid_interest: Rupiah,
    pub paid_denda: Rupiah,
    pub waived_interest: Rupiah,
    /// Principal and interest still unpaid.
    pub unpaid: Rupiah,
    /// Denda accrued and not yet paid.
    pub denda_due: Rupiah,
    pub settled_on: Option<Date>,
    pub state: InstallmentState,
}

/// Where a disbursed loan stands on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub as_of: Date,
    pub outstanding_principal: Rupiah,
    /// Scheduled interest not yet paid (nor waived).
    pub outstanding_interest: Rupiah,
    /// Principal and interest of instalments past their due date, unpaid.
    pub arrears_principal: Rupiah,
    pub arrears_interest: Rupiah,
    pub denda: Rupiah,
    /// What clears everything due up to and including the day: arrears, the
    /// instalment due that day, and denda.
    pub due_now: Rupiah,
    pub overdue_installments: u32,
    pub oldest_unpaid_due: Option<Date>,
    pub days_past_due: u32,
    pub collectibility: Collectibility,
}

/// What was computed for a loan on a day; `unpaid` feeds allocation and payoff.
pub(crate) struct Computed {
    pub rows: Vec<ScheduleRow>,
    pub standing: Standing,
    /// Every instalment not fully paid: (number, due date, what remains of it).
    pub unpaid: Vec<(u32, Date, Outstanding)>,
}

fn money(e: LoanError) -> ServiceError {
    ServiceError::Internal(format!("loan amounts: {e}"))
}

/// Denda accrued on one instalment from its due date through `as_of`: `amount` is
/// its principal and interest; `payments` what was paid of them and when, in date
/// order. Between two payments denda runs on what was unpaid then, so a partial
/// payment lowers the denda from its day on. Each stretch is the policy's penalty at
/// the stretch's end less its penalty at the stretch's start on the same unpaid
/// amount: for a daily rule that is the stretch's days beyond the grace, and a
/// per-instalment denda is charged once, when the grace runs out with money unpaid.
pub(crate) fn denda_accrued(
    policy: &PenaltyPolicy,
    due: Date,
    amount: Rupiah,
    payments: &[(Date, Rupiah)],
    as_of: Date,
) -> Result<Rupiah, LoanError> {
    let late = |d: Date| days_past_due(Some(due), d);
    let stretch = |unpaid: Rupiah, from: Date, to: Date| -> Result<Rupiah, LoanError> {
        let end = policy.penalty(unpaid, late(to))?;
        let start = policy.penalty(unpaid, late(from))?;
        Ok(end.checked_sub(start)?.max(Rupiah::ZERO))
    };
    let mut unpaid = amount;
    let mut from = due;
    let mut total = Rupiah::ZERO;
    for &(day, paid) in payments {
        if day > as_of {
            break;
        }
        if day > from {
            total = total.checked_add(stretch(unpaid, from, day)?)?;
            from = day;
        }
        unpaid = unpaid.checked_sub(paid)?.max(Rupiah::ZERO);
    }
    if as_of > from {
        total = total.checked_add(stretch(unpaid, from, as_of)?)?;
    }
    Ok(total)
}

/// The loan on `as_of` from its schedule and the parts paid on or before that day.
pub(crate) fn compute(
    loan: &Loan,
    installments: &[InstallmentRow],
    parts: &[PartRow],
    thresholds: &CollectibilityThresholds,
    as_of: Date,
) -> Result<Computed> {
    let mut rows = Vec::with_capacity(installments.len());
    let mut unpaid_list = Vec::new();
    let (mut out_p, mut out_i, mut arr_p, mut arr_i, mut denda, mut due_now) = (
        Rupiah::ZERO,
        Rupiah::ZERO,
        Rupiah::ZERO,
        Rupiah::ZERO,
        Rupiah::ZERO,
        Rupiah::ZERO,
    );
    let mut overdue = 0u32;
    let mut oldest: Option<Date> = None;
    let add = |a: Rupiah, b: Rupiah| a.checked_add(b).map_err(|e| money(e.into()));
    for i in installments.iter().filter(|i| i.loan_id == loan.id) {
        let due = super::date_of(i.due_date)?;
        let no = u32::try_from(i.no).map_err(|_| super::corrupt("instalment number"))?;
        let (mut pp, mut pi, mut pd, mut pw) = (0i64, 0i64, 0i64, 0i64);
        let mut history: Vec<(Date, Rupiah)> = Vec::new();
        let mut last_paid: Option<Date> = None;
        for p in parts.iter().filter(|p| {
            p.loan_id == loan.id && p.installment_no == i.no && p.paid_on <= as_of.as_number()
        }) {
            let day = super::date_of(p.paid_on)?;
            let a = &p.amounts;
            pp += a.principal;
            pi += a.interest;
            pd += a.denda;
            pw += a.interest_waived;
            history.push((
                day,
                Rupiah::new(a.principal + a.interest + a.interest_waived),
            ));
            last_paid = Some(day);
        }
        let principal = Rupiah::new(i.principal);
        let interest = Rupiah::new(i.interest);
        let rem_p = Rupiah::new((i.principal - pp).max(0));
        let rem_i = Rupiah::new((i.interest - pi - pw).max(0));
        let unpaid = add(rem_p, rem_i)?;
        let accrued = denda_accrued(
            &loan.penalty,
            due,
            add(principal, interest)?,
            &history,
            as_of,
        )
        .map_err(money)?;
        let denda_due = Rupiah::new((accrued.get() - pd).max(0));
        let state = if unpaid.is_zero() {
            InstallmentState::Paid
        } else if due < as_of {
            InstallmentState::Overdue
        } else if due == as_of {
            InstallmentState::Due
        } else if pp + pi > 0 {
            InstallmentState::Partial
        } else {
            InstallmentState::Upcoming
        };
        out_p = add(out_p, rem_p)?;
        out_i = add(out_i, rem_i)?;
        denda = add(denda, denda_due)?;
        if !unpaid.is_zero() || denda_due.is_positive() {
            if due < as_of && !unpaid.is_zero() {
                arr_p = add(arr_p, rem_p)?;
                arr_i = add(arr_i, rem_i)?;
                overdue += 1;
            }
            if due <= as_of {
                due_now = add(due_now, unpaid)?;
            }
            if oldest.is_none() && !unpaid.is_zero() {
                oldest = Some(due);
            }
            unpaid_list.push((
                no,
                due,
                Outstanding {
                    denda: denda_due,
                    interest: rem_i,
                    principal: rem_p,
                },
            ));
        }
        rows.push(ScheduleRow {
            no,
            due_date: due,
            principal,
            interest,
            total: add(principal, interest)?,
            paid_principal: Rupiah::new(pp),
            paid_interest: Rupiah::new(pi),
            paid_denda: Rupiah::new(pd),
            waived_interest: Rupiah::new(pw),
            unpaid,
            denda_due,
            settled_on: if unpaid.is_zero() { last_paid } else { None },
            state,
        });
    }
    let days = days_past_due(oldest, as_of);
    Ok(Computed {
        rows,
        standing: Standing {
            as_of,
            outstanding_principal: out_p,
            outstanding_interest: out_i,
            arrears_principal: arr_p,
            arrears_interest: arr_i,
            due_now: add(due_now, denda)?,
            denda,
            overdue_installments: overdue,
            oldest_unpaid_due: oldest,
            days_past_due: days,
            collectibility: thresholds.classify(days),
        },
        unpaid: unpaid_list,
    })
}

/// The early payoff quote of a computed loan (domain rule: `early_payoff`).
pub(crate) fn quote(c: &Computed, as_of: Date) -> Result<PayoffQuote> {
    let dues: Vec<InstallmentDue> = c
        .unpaid
        .iter()
        .map(|(_, due, o)| InstallmentDue {
            due_date: *due,
            outstanding: *o,
        })
        .collect();
    early_payoff(&dues, as_of).map_err(|e| match e {
        LoanError::NothingOutstanding => {
            ServiceError::Conflict("nothing is outstanding on this loan".into())
        }
        other => money(other),
    })
}

/// Reads a loan, its schedule and its parts through `as_of` on one connection.
pub(crate) async fn load(
    conn: &mut guyub_store::Conn,
    coop: guyub_domain::CooperativeId,
    id: LoanId,
    as_of: Date,
) -> Result<(Loan, Vec<InstallmentRow>, Vec<PartRow>)> {
    let loan = loan_of(store::loan(conn, coop, id).await?)?;
    let inst = store::installments(conn, coop, &[id]).await?;
    let parts = store::parts(conn, coop, &[id], as_of.as_number()).await?;
    Ok((loan, inst, parts))
}

/// A loan page's data.
#[derive(Debug, Clone, Serialize)]
pub struct LoanDetail {
    pub loan: Loan,
    /// The stored schedule with what was paid (disbursed and settled loans).
    pub schedule: Vec<ScheduleRow>,
    /// What the schedule would be if paid out today (applied and approved loans).
    pub preview: Vec<Installment>,
    pub standing: Option<Standing>,
    pub payoff: Option<PayoffQuote>,
    pub repayments: Vec<Repayment>,
    /// The one asking entered this application (and so may not decide it).
    pub entered_by_you: bool,
}

pub async fn get(db: &Db, actor: &Actor, id: LoanId) -> Result<Loan> {
    actor.require(Action::ViewMembers)?;
    loan_of(store::loan(&mut *db.conn().await?, actor.cooperative_id, id).await?)
}

/// A loan with its schedule, its standing and payoff quote on `as_of` (today if not
/// given), and its repayments.
pub async fn detail(db: &Db, actor: &Actor, id: LoanId, as_of: Option<Date>) -> Result<LoanDetail> {
    actor.require(Action::ViewMembers)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let today = match as_of {
        Some(d) => d,
        None => crate::ledger::cooperative_today(&mut conn, coop).await?,
    };
    let (loan, inst, parts) = load(&mut conn, coop, id, today).await?;
    let thresholds = thresholds_in(&mut conn, coop).await?;
    let me = person_key(&mut conn, actor).await?;
    let repayments = store::repayments(&mut conn, coop, id)
        .await?
        .into_iter()
        .map(repayment_of)
        .collect::<Result<Vec<_>>>()?;
    let mut out = LoanDetail {
        entered_by_you: me == loan.applied_by_key,
        schedule: Vec::new(),
        preview: Vec::new(),
        standing: None,
        payoff: None,
        repayments,
        loan,
    };
    match out.loan.status {
        LoanStatus::Applied | LoanStatus::Approved => {
            let first = today.add_months(1).unwrap_or(today);
            out.preview = schedule(&out.loan.terms, first).map_err(money)?;
        }
        LoanStatus::Rejected => {}
        LoanStatus::Disbursed | LoanStatus::Settled => {
            let c = compute(&out.loan, &inst, &parts, &thresholds, today)?;
            if out.loan.status == LoanStatus::Disbursed {
                out.payoff = Some(quote(&c, today)?);
            }
            out.schedule = c.rows;
            out.standing = Some(c.standing);
        }
    }
    Ok(out)
}

/// A loan in a list, with its collectibility today when it is running.
#[derive(Debug, Clone, Serialize)]
pub struct ListedLoan {
    pub loan: Loan,
    pub days_past_due: u32,
    pub collectibility: Option<Collectibility>,
}

/// What to list: a status (`applied` …), a collectibility class (`lancar` …, which
/// means disbursed loans), a member.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub collectibility: Option<String>,
    pub member: Option<MemberId>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(db: &Db, actor: &Actor, f: &ListFilter) -> Result<Vec<ListedLoan>> {
    actor.require(Action::ViewMembers)?;
    let coop = actor.cooperative_id;
    let status = match f.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            LoanStatus::parse(s)
                .ok_or_else(|| {
                    crate::invalid(
                        "status",
                        "applied, approved, rejected, disbursed or settled",
                    )
                })?
                .as_str(),
        ),
        None => None,
    };
    let mut conn = db.conn().await?;
    let today = crate::ledger::cooperative_today(&mut conn, coop).await?;
    let thresholds = thresholds_in(&mut conn, coop).await?;
    let class = match f
        .collectibility
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(c) => Some(
            Collectibility::ALL
                .into_iter()
                .find(|x| x.as_str() == c.to_ascii_lowercase())
                .ok_or_else(|| {
                    crate::invalid(
                        "collectibility",
                        "lancar, kurang_lancar, diragukan or macet",
                    )
                })?,
        ),
        None => None,
    };
    // A class is a range of days past due, so a range of oldest unpaid due dates.
    let before = |days: u32| shift_days(today, -i64::from(days)).map(Date::as_number);
    let (from, to) = match class {
        None => (None, None),
        Some(Collectibility::Lancar) => (before(thresholds.kurang_lancar_after()), None),
        Some(Collectibility::KurangLancar) => (
            before(thresholds.diragukan_after()),
            before(thresholds.kurang_lancar_after() + 1),
        ),
        Some(Collectibility::Diragukan) => (
            before(thresholds.macet_after()),
            before(thresholds.diragukan_after() + 1),
        ),
        Some(Collectibility::Macet) => (Some(0), before(thresholds.macet_after() + 1)),
    };
    let rows = store::list(
        &mut conn,
        coop,
        &LoanFilter {
            status,
            member: f.member,
            oldest_due_from: from,
            oldest_due_to: to,
        },
        f.limit.clamp(1, 500),
        f.offset.max(0),
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            let loan = loan_of(r)?;
            let running = loan.status == LoanStatus::Disbursed;
            let days = if running {
                days_past_due(loan.oldest_unpaid_due, today)
            } else {
                0
            };
            Ok(ListedLoan {
                collectibility: running.then(|| thresholds.classify(days)),
                days_past_due: days,
                loan,
            })
        })
        .collect()
}

/// A member's loans, newest first (the member page).
pub async fn member_loans(db: &Db, actor: &Actor, member: MemberId) -> Result<Vec<ListedLoan>> {
    list(
        db,
        actor,
        &ListFilter {
            member: Some(member),
            limit: 100,
            ..Default::default()
        },
    )
    .await
}

/// One collectibility class of the portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioClass {
    pub collectibility: Collectibility,
    pub loans: u32,
    pub outstanding_principal: Rupiah,
    pub arrears_principal: Rupiah,
    pub arrears_interest: Rupiah,
    pub denda: Rupiah,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioLoan {
    pub id: LoanId,
    pub loan_no: String,
    pub member_id: MemberId,
    pub member_name: String,
    pub member_no: String,
    pub product_name: String,
    pub outstanding_principal: Rupiah,
    pub arrears_principal: Rupiah,
    pub arrears_interest: Rupiah,
    pub denda: Rupiah,
    pub days_past_due: u32,
    pub collectibility: Collectibility,
}

/// The loan portfolio on a day: outstanding principal by collectibility class, with
/// counts and arrears, and the loans behind it (worst first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portfolio {
    pub as_of: Date,
    pub thresholds: CollectibilityThresholds,
    /// All four classes, lancar first, empty ones included.
    pub classes: Vec<PortfolioClass>,
    pub total_loans: u32,
    pub total_outstanding: Rupiah,
    pub total_arrears: Rupiah,
    pub total_denda: Rupiah,
    /// Outstanding principal not lancar, as a share of all outstanding principal, in
    /// percent with two decimals (`"3.25"`): the non-performing loan ratio.
    pub npl_percent: String,
    pub loans: Vec<PortfolioLoan>,
}

pub async fn portfolio(db: &Db, actor: &Actor, as_of: Option<Date>) -> Result<Portfolio> {
    actor.require(Action::ViewReports)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let today = crate::ledger::cooperative_today(&mut conn, coop).await?;
    let as_of = as_of.unwrap_or(today);
    let thresholds = thresholds_in(&mut conn, coop).await?;
    let loans = store::open_on(&mut conn, coop, as_of.as_number()).await?;
    let ids: Vec<LoanId> = loans.iter().map(|l| l.id).collect();
    let inst = store::installments(&mut conn, coop, &ids).await?;
    let parts = store::parts(&mut conn, coop, &ids, as_of.as_number()).await?;
    drop(conn);
    // Rows come ordered by loan: hand each loan its own slice.
    let slice_of = |v: &[InstallmentRow], id: LoanId| -> std::ops::Range<usize> {
        let start = v.partition_point(|r| r.loan_id < id);
        let end = v.partition_point(|r| r.loan_id <= id);
        start..end
    };
    let parts_of = |id: LoanId| -> std::ops::Range<usize> {
        let start = parts.partition_point(|r| r.loan_id < id);
        let end = parts.partition_point(|r| r.loan_id <= id);
        start..end
    };
    let mut classes: Vec<PortfolioClass> = Collectibility::ALL
        .into_iter()
        .map(|c| PortfolioClass {
            collectibility: c,
            loans: 0,
            outstanding_principal: Rupiah::ZERO,
            arrears_principal: Rupiah::ZERO,
            arrears_interest: Rupiah::ZERO,
            denda: Rupiah::ZERO,
        })
        .collect();
    let mut out = Vec::with_capacity(loans.len());
    let add = |a: Rupiah, b: Rupiah| a.checked_add(b).map_err(|e| money(e.into()));
    for row in loans {
        let loan = loan_of(row)?;
        let c = compute(
            &loan,
            &inst[slice_of(&inst, loan.id)],
            &parts[parts_of(loan.id)],
            &thresholds,
            as_of,
        )?;
        let s = c.standing;
        let k = &mut classes[s.collectibility as usize];
        k.loans += 1;
        k.outstanding_principal = add(k.outstanding_principal, s.outstanding_principal)?;
        k.arrears_principal = add(k.arrears_principal, s.arrears_principal)?;
        k.arrears_interest = add(k.arrears_interest, s.arrears_interest)?;
        k.denda = add(k.denda, s.denda)?;
        out.push(PortfolioLoan {
            id: loan.id,
            loan_no: loan.loan_no,
            member_id: loan.member_id,
            member_name: loan.member_name,
            member_no: loan.member_no,
            product_name: loan.product_name,
            outstanding_principal: s.outstanding_principal,
            arrears_principal: s.arrears_principal,
            arrears_interest: s.arrears_interest,
            denda: s.denda,
            days_past_due: s.days_past_due,
            collectibility: s.collectibility,
        });
    }
    out.sort_by(|a, b| {
        b.days_past_due
            .cmp(&a.days_past_due)
            .then(b.outstanding_principal.cmp(&a.outstanding_principal))
    });
    let mut total_outstanding = Rupiah::ZERO;
    let mut total_arrears = Rupiah::ZERO;
    let mut total_denda = Rupiah::ZERO;
    let mut total_loans = 0;
    for k in &classes {
        total_loans += k.loans;
        total_outstanding = add(total_outstanding, k.outstanding_principal)?;
        total_arrears = add(add(total_arrears, k.arrears_principal)?, k.arrears_interest)?;
        total_denda = add(total_denda, k.denda)?;
    }
    let npl = classes[1..]
        .iter()
        .map(|k| k.outstanding_principal.get())
        .sum::<i64>();
    // Basis points, rounded half up: (2 × npl × 10 000 + total) / (2 × total).
    let total = i128::from(total_outstanding.get());
    let bp = if total > 0 {
        (2 * i128::from(npl) * 10_000 + total) / (2 * total)
    } else {
        0
    };
    let npl_percent = format!("{}.{:02}", bp / 100, bp % 100);
    Ok(Portfolio {
        as_of,
        thresholds,
        classes,
        total_loans,
        total_outstanding,
        total_arrears,
        total_denda,
        npl_percent,
        loans: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use guyub_domain::money::Rate;
    use guyub_domain::money::loan::PenaltyRule;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }
    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n)
    }

    #[test]
    fn denda_runs_on_what_is_unpaid() {
        let daily = PenaltyPolicy {
            rule: PenaltyRule::DailyPercent(Rate::parse("0,1").unwrap()),
            grace_days: 3,
        };
        let due = d("2025-01-31");
        // Nothing paid, 10 days late with 3 grace days: 7 × 0,1 % × 1.120.000 = 7.840.
        assert_eq!(
            denda_accrued(&daily, due, rp(1_120_000), &[], d("2025-02-10")),
            Ok(rp(7_840))
        );
        // Within the grace, nothing; before the due date, nothing.
        assert_eq!(
            denda_accrued(&daily, due, rp(1_120_000), &[], d("2025-02-03")),
            Ok(rp(0))
        );
        assert_eq!(
            denda_accrued(&daily, due, rp(1_120_000), &[], d("2025-01-01")),
            Ok(rp(0))
        );
        // 492.160 of principal and interest paid on 10 February (after 7.840 of
        // denda): from then on denda runs on 627.840. On 20 February:
        // 7.840 + (round(627.840 × 0,1 % × 17) − round(627.840 × 0,1 % × 7))
        // = 7.840 + (10.673 − 4.395) = 14.118.
        let paid = [(d("2025-02-10"), rp(492_160))];
        assert_eq!(
            denda_accrued(&daily, due, rp(1_120_000), &paid, d("2025-02-20")),
            Ok(rp(14_118))
        );
        // Paid in full on its due date: never any denda.
        let full = [(due, rp(1_120_000))];
        assert_eq!(
            denda_accrued(&daily, due, rp(1_120_000), &full, d("2025-06-30")),
            Ok(rp(0))
        );
        // Paid before it was due: also none, whatever the day asked about.
        let early = [(d("2025-01-15"), rp(1_120_000))];
        assert_eq!(
            denda_accrued(&daily, due, rp(1_120_000), &early, d("2025-06-30")),
            Ok(rp(0))
        );
    }

    #[test]
    fn per_instalment_denda_is_charged_once() {
        let once = PenaltyPolicy {
            rule: PenaltyRule::PerInstallment(rp(25_000)),
            grace_days: 5,
        };
        let due = d("2025-03-10");
        // Partly paid within the grace, the rest unpaid past it: charged once.
        let paid = [(d("2025-03-12"), rp(100_000))];
        assert_eq!(
            denda_accrued(&once, due, rp(500_000), &paid, d("2025-04-30")),
            Ok(rp(25_000))
        );
        // Partly paid after the grace: still once.
        let paid = [(d("2025-03-20"), rp(100_000)), (d("2025-03-25"), rp(1))];
        assert_eq!(
            denda_accrued(&once, due, rp(500_000), &paid, d("2025-04-30")),
            Ok(rp(25_000))
        );
        // Paid in full within the grace: never.
        let paid = [(d("2025-03-14"), rp(500_000))];
        assert_eq!(
            denda_accrued(&once, due, rp(500_000), &paid, d("2025-04-30")),
            Ok(rp(0))
        );
    }

    #[test]
    fn daily_fixed_denda_stops_when_paid() {
        let fixed = PenaltyPolicy {
            rule: PenaltyRule::DailyFixed(rp(1_000)),
            grace_days: 0,
        };
        let due = d("2025-03-10");
        // 5 days late, paid in full on the 15th: 5.000, and no more afterwards.
        let paid = [(d("2025-03-15"), rp(300_000))];
        assert_eq!(
            denda_accrued(&fixed, due, rp(300_000), &paid, d("2025-05-01")),
            Ok(rp(5_000))
        );
    }
}
