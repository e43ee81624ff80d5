//! Repayments (angsuran): a payment is split over the unpaid instalments oldest first,
//! each one's denda, then interest, then principal (domain `allocate_oldest_first`);
//! early payoff (pelunasan) by the domain's `early_payoff` rule; receipts.
//!
//! A repayment posts cash against penalty income (denda), member interest income
//! (jasa) and loans receivable (principal), with its rows, the member's timeline and
//! the audit entry, in one transaction. Repayments of a loan are recorded in date
//! order, so that denda (which runs on what was unpaid each day) has one history.

use super::lifecycle::locked;
use super::products::thresholds_in;
use super::standing::{Computed, compute, quote};
use super::{Loan, LoanStatus, Repayment, loan_of, repayment_of};
use crate::ledger::{self, Ledger, Posting, Source};
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_domain::money::loan::{Overpayment, PayoffQuote, allocate_oldest_first};
use guyub_domain::money::{JournalDraft, LoanError, PositiveAmount, Rupiah};
use guyub_domain::{Action, CooperativeId, Date, LoanId, LoanRepaymentId};
use guyub_store::loans::{self as store, NewRepayment, PartAmounts};
use guyub_store::{Db, Tx, members, now_ms};
use serde::Serialize;

/// A payment as the teller takes it.
#[derive(Debug, Clone)]
pub struct RepaymentInput {
    pub amount: Rupiah,
    /// Today if not given.
    pub paid_on: Option<Date>,
}

/// An early payoff. `amount`, when given, must be the quote's total (so a stale quote
/// is not taken for the current one).
#[derive(Debug, Clone)]
pub struct PayoffInput {
    pub amount: Option<Rupiah>,
    pub paid_on: Option<Date>,
}

/// A loan locked for a payment on a day, with where it stands that day.
struct Open {
    tx: Tx,
    loan: Loan,
    ledger: Ledger,
    date: Date,
    state: Computed,
}

async fn open(db: &Db, actor: &Actor, id: LoanId, paid_on: Option<Date>) -> Result<Open> {
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let loan = locked(&mut tx, coop, id).await?;
    match loan.status {
        LoanStatus::Disbursed => {}
        LoanStatus::Settled => {
            return Err(ServiceError::Conflict(format!(
                "loan {} is settled (lunas{}); it takes no more payments",
                loan.loan_no,
                loan.settled_on
                    .map(|d| format!(" since {d}"))
                    .unwrap_or_default()
            )));
        }
        other => {
            return Err(ServiceError::Conflict(format!(
                "loan {} is {}; only a disbursed loan takes payments",
                loan.loan_no,
                other.as_str()
            )));
        }
    }
    let today = ledger::cooperative_today(&mut tx, coop).await?;
    let date = paid_on.unwrap_or(today);
    if date > today {
        return Err(invalid(
            "paid_on",
            format!("cannot be after today ({today})"),
        ));
    }
    if let Some(d) = loan.disbursed_on
        && date < d
    {
        return Err(invalid("paid_on", format!("the loan was disbursed on {d}")));
    }
    if let Some(last) = store::last_paid_on(&mut tx, coop, id).await?
        && date.as_number() < last
    {
        let last = Date::from_number(last)
            .map(|d| d.to_string())
            .unwrap_or_default();
        return Err(invalid(
            "paid_on",
            format!("a payment dated {last} is already recorded; record payments in date order"),
        ));
    }
    let ledger = Ledger::load(&mut tx, coop).await?;
    ledger.check_open(date)?;
    let thresholds = thresholds_in(&mut tx, coop).await?;
    let inst = store::installments(&mut tx, coop, &[id]).await?;
    let parts = store::parts(&mut tx, coop, &[id], date.as_number()).await?;
    let state = compute(&loan, &inst, &parts, &thresholds, date)?;
    Ok(Open {
        tx,
        loan,
        ledger,
        date,
        state,
    })
}

fn sum(parts: &[(i64, PartAmounts)]) -> PartAmounts {
    parts
        .iter()
        .fold(PartAmounts::default(), |a, (_, p)| PartAmounts {
            denda: a.denda + p.denda,
            interest: a.interest + p.interest,
            principal: a.principal + p.principal,
            interest_waived: a.interest_waived + p.interest_waived,
        })
}

/// Posts and records a payment already split over instalments; settles the loan when
/// nothing remains. Returns the repayment.
async fn record_payment(
    mut o: Open,
    actor: &Actor,
    kind: &str,
    amount: Rupiah,
    parts: Vec<(i64, PartAmounts)>,
) -> Result<Repayment> {
    let coop = o.ledger.cooperative_id;
    let loan = &o.loan;
    let total = sum(&parts);
    if total.denda + total.interest + total.principal != amount.get() {
        return Err(ServiceError::Internal(
            "a payment's parts do not add up to it".into(),
        ));
    }
    let n = store::take_receipt_no(&mut o.tx, coop).await?;
    let receipt_no = format!("ANG-{n:06}");
    let what = if kind == "payoff" {
        "Pelunasan pinjaman"
    } else {
        "Angsuran pinjaman"
    };
    let sys = &o.ledger.system;
    let entry = JournalDraft::new(format!(
        "{what} {} {} ({receipt_no})",
        loan.loan_no, loan.member_name
    ))
    .debit(&sys.cash, amount)
    .credit(&sys.penalty_income, Rupiah::new(total.denda))
    .credit(&sys.interest_income_member, Rupiah::new(total.interest))
    .credit(&sys.loans_receivable, Rupiah::new(total.principal))
    .build()
    .map_err(|e| ServiceError::Internal(format!("repayment entry: {e}")))?;
    let entries = ledger::post(
        &mut o.tx,
        &o.ledger,
        &actor.label(),
        &[Posting {
            date: o.date,
            entry: &entry,
            source: Source {
                kind: "loan",
                id: Some(loan.id.0),
            },
            member: Some(loan.member_id),
            reverses: None,
        }],
    )
    .await?;
    let label = actor.label();
    let id = store::insert_repayment(
        &mut o.tx,
        coop,
        &NewRepayment {
            loan_id: loan.id,
            member_id: loan.member_id,
            receipt_no: &receipt_no,
            kind,
            paid_on: o.date.as_number(),
            amount: amount.get(),
            parts: total,
            journal_entry_id: entries[0],
            created_by: &label,
            now: now_ms(),
        },
    )
    .await?;
    store::insert_parts(&mut o.tx, coop, id, loan.id, o.date.as_number(), &parts).await?;
    // What remains of each instalment the payment reached.
    let mut remaining_total = 0i64;
    for (no, _, out) in &o.state.unpaid {
        let paid = parts
            .iter()
            .find(|(n, _)| *n == i64::from(*no))
            .map(|(_, p)| *p)
            .unwrap_or_default();
        let left = out.denda.get() + out.interest.get() + out.principal.get()
            - paid.denda
            - paid.interest
            - paid.principal
            - paid.interest_waived;
        remaining_total += left;
        let principal_interest_left = out.interest.get() + out.principal.get()
            - paid.interest
            - paid.principal
            - paid.interest_waived;
        if paid != PartAmounts::default() {
            let settled = (principal_interest_left == 0).then(|| o.date.as_number());
            store::add_paid(&mut o.tx, coop, loan.id, i64::from(*no), &paid, settled).await?;
        }
    }
    let outstanding = o.state.standing.outstanding_principal.get() - total.principal;
    let settled = remaining_total == 0;
    store::set_outstanding(
        &mut o.tx,
        coop,
        loan.id,
        outstanding,
        settled.then(|| o.date.as_number()),
        now_ms(),
    )
    .await?;
    let summary = format!(
        "{receipt_no} {} {}: denda {}, jasa {}, pokok {}{}; sisa pokok {}",
        loan.loan_no,
        amount,
        Rupiah::new(total.denda),
        Rupiah::new(total.interest),
        Rupiah::new(total.principal),
        if total.interest_waived > 0 {
            format!(", jasa dibebaskan {}", Rupiah::new(total.interest_waived))
        } else {
            String::new()
        },
        Rupiah::new(outstanding)
    );
    let timeline_kind = if kind == "payoff" {
        "loan.paid_off"
    } else {
        "loan.repaid"
    };
    members::add_to_timeline(&mut o.tx, coop, loan.member_id, timeline_kind, &summary).await?;
    if settled {
        members::add_to_timeline(
            &mut o.tx,
            coop,
            loan.member_id,
            "loan.settled",
            &format!("{} lunas {}", loan.loan_no, o.date),
        )
        .await?;
    }
    record(
        &mut o.tx,
        actor,
        timeline_kind,
        &format!("loan:{}", loan.id),
        &format!("{summary}; journal:{}", entries[0]),
    )
    .await?;
    let row = store::repayment(&mut o.tx, coop, id).await?;
    o.tx.commit().await?;
    repayment_of(row)
}

/// Takes a payment: partial, one instalment, several, or ahead of schedule. A payment
/// larger than everything still owed is refused, naming what is due.
pub async fn repay(
    db: &Db,
    actor: &Actor,
    id: LoanId,
    input: &RepaymentInput,
) -> Result<Repayment> {
    actor.require(Action::TellerTransactions)?;
    let amount = PositiveAmount::new(input.amount)
        .map_err(|_| invalid("amount", "must be more than zero"))?;
    let o = open(db, actor, id, input.paid_on).await?;
    let dues: Vec<_> = o.state.unpaid.iter().map(|(_, _, out)| *out).collect();
    let split = match allocate_oldest_first(&dues, amount, Overpayment::Refuse) {
        Ok(a) => a,
        Err(LoanError::Overpayment { paid, outstanding }) => {
            let payoff = quote(&o.state, o.date)?;
            return Err(invalid(
                "amount",
                format!(
                    "the payment of {paid} exceeds the {outstanding} still owed on loan {}; due now: {}; to pay it off early on {} take {} as a payoff",
                    o.loan.loan_no, o.state.standing.due_now, o.date, payoff.total
                ),
            ));
        }
        Err(LoanError::NothingOutstanding) => {
            return Err(ServiceError::Conflict(format!(
                "nothing is outstanding on loan {}",
                o.loan.loan_no
            )));
        }
        Err(e) => return Err(ServiceError::Internal(format!("allocation: {e}"))),
    };
    let parts: Vec<(i64, PartAmounts)> = o
        .state
        .unpaid
        .iter()
        .zip(split.applied.iter())
        .filter(|(_, a)| a.total().is_positive())
        .map(|((no, _, _), a)| {
            (
                i64::from(*no),
                PartAmounts {
                    denda: a.denda.get(),
                    interest: a.interest.get(),
                    principal: a.principal.get(),
                    interest_waived: 0,
                },
            )
        })
        .collect();
    record_payment(o, actor, "installment", amount.get(), parts).await
}

/// What paying a loan off costs on a day (today if not given).
#[derive(Debug, Clone, Serialize)]
pub struct PayoffView {
    pub loan_id: LoanId,
    pub loan_no: String,
    pub as_of: Date,
    pub quote: PayoffQuote,
}

pub async fn payoff_quote(
    db: &Db,
    actor: &Actor,
    id: LoanId,
    as_of: Option<Date>,
) -> Result<PayoffView> {
    actor.require(Action::ViewMembers)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let today = ledger::cooperative_today(&mut conn, coop).await?;
    let as_of = as_of.unwrap_or(today);
    let (loan, inst, parts) = super::standing::load(&mut conn, coop, id, as_of).await?;
    if loan.status != LoanStatus::Disbursed {
        return Err(ServiceError::Conflict(format!(
            "loan {} is {}; only a running loan has a payoff",
            loan.loan_no,
            loan.status.as_str()
        )));
    }
    let thresholds = thresholds_in(&mut conn, coop).await?;
    let c = compute(&loan, &inst, &parts, &thresholds, as_of)?;
    Ok(PayoffView {
        quote: quote(&c, as_of)?,
        loan_id: loan.id,
        loan_no: loan.loan_no,
        as_of,
    })
}

/// Pays a loan off early: all principal and denda, the interest of instalments already
/// due and of the current period, and none of later periods' (waived). Settles it.
pub async fn payoff(db: &Db, actor: &Actor, id: LoanId, input: &PayoffInput) -> Result<Repayment> {
    actor.require(Action::TellerTransactions)?;
    if let Some(a) = input.amount
        && !a.is_positive()
    {
        return Err(invalid("amount", "must be more than zero"));
    }
    let o = open(db, actor, id, input.paid_on).await?;
    let q = quote(&o.state, o.date)?;
    if let Some(a) = input.amount
        && a != q.total
    {
        return Err(invalid(
            "amount",
            format!(
                "paying loan {} off on {} takes {} (pokok {}, jasa {}, denda {}); {a} was given",
                o.loan.loan_no, o.date, q.total, q.principal, q.interest, q.denda
            ),
        ));
    }
    // The same rule as the quote, instalment by instalment: interest of those due
    // before the day and of the first due on or after it is charged, the rest waived.
    let mut current_charged = false;
    let parts: Vec<(i64, PartAmounts)> = o
        .state
        .unpaid
        .iter()
        .map(|(no, due, out)| {
            let charge = *due < o.date || !std::mem::replace(&mut current_charged, true);
            (
                i64::from(*no),
                PartAmounts {
                    denda: out.denda.get(),
                    interest: if charge { out.interest.get() } else { 0 },
                    principal: out.principal.get(),
                    interest_waived: if charge { 0 } else { out.interest.get() },
                },
            )
        })
        .collect();
    let t = sum(&parts);
    if (t.principal, t.interest, t.denda, t.interest_waived)
        != (
            q.principal.get(),
            q.interest.get(),
            q.denda.get(),
            q.interest_waived.get(),
        )
    {
        return Err(ServiceError::Internal(
            "the payoff's instalments do not match its quote".into(),
        ));
    }
    record_payment(o, actor, "payoff", q.total, parts).await
}

pub async fn repayments(db: &Db, actor: &Actor, id: LoanId) -> Result<Vec<Repayment>> {
    actor.require(Action::ViewMembers)?;
    let mut conn = db.conn().await?;
    store::loan(&mut conn, actor.cooperative_id, id).await?;
    store::repayments(&mut conn, actor.cooperative_id, id)
        .await?
        .into_iter()
        .map(repayment_of)
        .collect()
}

/// What a printed receipt shows.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub cooperative_name: String,
    pub repayment: Repayment,
    pub loan: Loan,
    /// Principal still owed right after this payment.
    pub outstanding_after: Rupiah,
}

pub async fn receipt(db: &Db, actor: &Actor, id: LoanRepaymentId) -> Result<Receipt> {
    actor.require(Action::ViewMembers)?;
    let coop: CooperativeId = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let r = repayment_of(store::repayment(&mut conn, coop, id).await?)?;
    let loan = loan_of(store::loan(&mut conn, coop, r.loan_id).await?)?;
    let paid_before: i64 = store::repayments(&mut conn, coop, r.loan_id)
        .await?
        .iter()
        .filter(|x| x.id <= r.id)
        .map(|x| x.parts.principal)
        .sum();
    let c = guyub_store::cooperatives::get(&mut conn, coop).await?;
    Ok(Receipt {
        cooperative_name: c.name,
        outstanding_after: Rupiah::new(loan.terms.principal.get() - paid_before),
        repayment: r,
        loan,
    })
}
