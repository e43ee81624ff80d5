//! From application to disbursement: the schedule preview, the application (members
//! only: the closed loop), approval or rejection by a second person (maker-checker),
//! and the disbursement with its journal entry and stored schedule.

use super::products::ensure_settings;
use super::{Channel, Loan, LoanStatus, Product, loan_of, person_key, product_of, terms_error};
use crate::ledger::{self, Ledger, Posting, Source};
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_domain::money::loan::{Disbursement, Fee, LoanFees, schedule};
use guyub_domain::money::{Installment, JournalDraft, LoanTerms, Rupiah};
use guyub_domain::{Action, CooperativeId, Date, LoanId, LoanProductId, MemberId, MemberStatus};
use guyub_store::loans::{self as store, Disbursed, NewLoan};
use guyub_store::{Conn, Db, StoreError, members, now_ms};
use serde::Serialize;

/// An application as entered.
#[derive(Debug, Clone)]
pub struct Application {
    pub member_id: MemberId,
    pub product_id: LoanProductId,
    pub principal: Rupiah,
    pub tenor_months: i64,
    pub purpose: String,
}

/// What a loan would look like: the terms, the fees and payout, the schedule.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub product: Product,
    pub terms: LoanTerms,
    pub disbursement: Disbursement,
    pub first_due: Date,
    pub schedule: Vec<Installment>,
    pub total_interest: Rupiah,
    pub total_payment: Rupiah,
}

fn require_entry(actor: &Actor) -> Result<()> {
    if actor.role.can(Action::ManageMembers) || actor.role.can(Action::TellerTransactions) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The terms a product gives a principal and tenor, and the fees; refusals name the
/// field.
fn terms_for(
    p: &Product,
    principal: Rupiah,
    tenor_months: i64,
) -> Result<(LoanTerms, Disbursement)> {
    if !p.active {
        return Err(invalid(
            "product_id",
            format!("the product {} is switched off", p.name),
        ));
    }
    if !principal.is_positive() {
        return Err(invalid("principal", "must be more than zero"));
    }
    if principal < p.min_principal {
        return Err(invalid(
            "principal",
            format!("{} lends at least {}", p.name, p.min_principal),
        ));
    }
    if let Some(max) = p.max_principal
        && principal > max
    {
        return Err(invalid(
            "principal",
            format!("{} lends at most {max}", p.name),
        ));
    }
    let tenor = u32::try_from(tenor_months)
        .ok()
        .filter(|t| (p.min_tenor..=p.max_tenor).contains(t))
        .ok_or_else(|| {
            invalid(
                "tenor_months",
                format!("{} runs {} to {} months", p.name, p.min_tenor, p.max_tenor),
            )
        })?;
    let terms = LoanTerms {
        principal,
        yearly_rate: p.yearly_rate,
        tenor_months: tenor,
        method: p.method,
        grace_months: p.grace_months,
    };
    terms.validate().map_err(terms_error)?;
    let d = p.fees.disbursement(principal).map_err(terms_error)?;
    Ok((terms, d))
}

async fn product_in(conn: &mut Conn, coop: CooperativeId, id: LoanProductId) -> Result<Product> {
    match store::product(conn, coop, id).await {
        Ok(r) => product_of(r),
        Err(StoreError::NotFound) => Err(invalid("product_id", "no such loan product")),
        Err(e) => Err(e.into()),
    }
}

/// The member, who must be an anggota: savings and loans are for members only.
async fn borrower(conn: &mut Conn, coop: CooperativeId, id: MemberId) -> Result<members::Member> {
    let m = match members::get(conn, coop, id).await {
        Ok(m) => m,
        Err(StoreError::NotFound) => return Err(invalid("member_id", "no such member")),
        Err(e) => return Err(e.into()),
    };
    if m.status != MemberStatus::Anggota.as_str() {
        return Err(invalid(
            "member_id",
            format!(
                "only members (anggota) may borrow; {} is {}",
                m.fields.name,
                m.status.replace('_', " ")
            ),
        ));
    }
    Ok(m)
}

fn totals(s: &[Installment]) -> Result<(Rupiah, Rupiah)> {
    let interest = Rupiah::sum(s.iter().map(|i| i.interest))
        .map_err(|_| invalid("principal", "the amounts of this loan are too large"))?;
    let total = Rupiah::sum(s.iter().map(|i| i.total))
        .map_err(|_| invalid("principal", "the amounts of this loan are too large"))?;
    Ok((interest, total))
}

/// The schedule a product would give, before anything is saved. The first instalment
/// falls due a month from today unless `first_due` says otherwise.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    product_id: LoanProductId,
    principal: Rupiah,
    tenor_months: i64,
    first_due: Option<Date>,
) -> Result<Preview> {
    require_entry(actor)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let product = product_in(&mut conn, coop, product_id).await?;
    let today = ledger::cooperative_today(&mut conn, coop).await?;
    let (terms, disbursement) = terms_for(&product, principal, tenor_months)?;
    let first_due = match first_due {
        Some(d) => d,
        None => today
            .add_months(1)
            .ok_or_else(|| invalid("first_due", "no such date"))?,
    };
    let schedule = schedule(&terms, first_due).map_err(terms_error)?;
    let (total_interest, total_payment) = totals(&schedule)?;
    Ok(Preview {
        product,
        terms,
        disbursement,
        first_due,
        schedule,
        total_interest,
        total_payment,
    })
}

fn describe(l: &Loan) -> String {
    format!(
        "{} {} {}, {} bulan, {} ({} {}/tahun)",
        l.loan_no,
        l.product_name,
        l.terms.principal,
        l.terms.tenor_months,
        l.member_name,
        l.terms.method,
        l.terms.yearly_rate
    )
}

/// Enters an application for a member. Who enters it cannot approve it.
pub async fn apply(db: &Db, actor: &Actor, a: &Application) -> Result<Loan> {
    require_entry(actor)?;
    let purpose = a.purpose.trim();
    if purpose.chars().count() > 500 || purpose.chars().any(char::is_control) {
        return Err(invalid("purpose", "at most 500 characters"));
    }
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let product = product_in(&mut tx, coop, a.product_id).await?;
    let member = borrower(&mut tx, coop, a.member_id).await?;
    let (terms, d) = terms_for(&product, a.principal, a.tenor_months)?;
    // The schedule must be computable (no overflow) before anyone approves it.
    let today = ledger::cooperative_today(&mut tx, coop).await?;
    schedule(&terms, today.add_months(1).unwrap_or(today)).map_err(terms_error)?;
    ensure_settings(&mut tx, coop).await?;
    let n = store::take_loan_no(&mut tx, coop).await?;
    let loan_no = format!("PJ-{n:06}");
    let key = person_key(&mut tx, actor).await?;
    let rate = String::from(terms.yearly_rate);
    let (dk, dv) = super::penalty_to(&product.penalty);
    let id = store::insert_loan(
        &mut tx,
        coop,
        &NewLoan {
            loan_no: &loan_no,
            member_id: member.id,
            product_id: product.id,
            principal: terms.principal.get(),
            yearly_rate: &rate,
            tenor_months: i64::from(terms.tenor_months),
            method: terms.method.as_str(),
            grace_months: i64::from(terms.grace_months),
            provisi: d.provisi.get(),
            admin_fee: d.admin.get(),
            denda_kind: dk,
            denda_value: &dv,
            denda_grace_days: i64::from(product.penalty.grace_days),
            purpose,
            applied_by: &actor.label(),
            applied_by_key: &key,
            now: now_ms(),
        },
    )
    .await?;
    let loan = loan_of(store::loan(&mut tx, coop, id).await?)?;
    members::add_to_timeline(&mut tx, coop, member.id, "loan.applied", &describe(&loan)).await?;
    record(
        &mut tx,
        actor,
        "loan.applied",
        &format!("loan:{id}"),
        &describe(&loan),
    )
    .await?;
    tx.commit().await?;
    Ok(loan)
}

/// Locks and reads a loan for a change.
pub(crate) async fn locked(conn: &mut Conn, coop: CooperativeId, id: LoanId) -> Result<Loan> {
    store::lock(conn, coop, id).await?;
    loan_of(store::loan(conn, coop, id).await?)
}

async fn decide(db: &Db, actor: &Actor, id: LoanId, approve: bool, note: &str) -> Result<Loan> {
    actor.require(Action::ApproveLoans)?;
    let note = note.trim();
    if note.chars().count() > 500 || note.chars().any(char::is_control) {
        return Err(invalid("note", "at most 500 characters"));
    }
    if !approve && note.is_empty() {
        return Err(invalid("note", "say why the application is rejected"));
    }
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let loan = locked(&mut tx, coop, id).await?;
    if loan.status != LoanStatus::Applied {
        return Err(ServiceError::Conflict(format!(
            "loan {} is {}; only an application waiting for a decision can be {}",
            loan.loan_no,
            loan.status.as_str(),
            if approve { "approved" } else { "rejected" }
        )));
    }
    let key = person_key(&mut tx, actor).await?;
    if key == loan.applied_by_key {
        return Err(ServiceError::Conflict(format!(
            "you entered application {}; another person must decide it (maker-checker)",
            loan.loan_no
        )));
    }
    if approve {
        // The closed loop holds at approval too: the member may have left meanwhile.
        borrower(&mut tx, coop, loan.member_id).await?;
    }
    let status = if approve { "approved" } else { "rejected" };
    if !store::decide(
        &mut tx,
        coop,
        id,
        status,
        &actor.label(),
        &key,
        note,
        now_ms(),
    )
    .await?
    {
        return Err(ServiceError::Conflict(format!(
            "loan {} was decided meanwhile",
            loan.loan_no
        )));
    }
    let kind = if approve {
        "loan.approved"
    } else {
        "loan.rejected"
    };
    let summary = if note.is_empty() {
        describe(&loan)
    } else {
        format!("{}: {note}", describe(&loan))
    };
    members::add_to_timeline(&mut tx, coop, loan.member_id, kind, &summary).await?;
    record(&mut tx, actor, kind, &format!("loan:{id}"), &summary).await?;
    let loan = loan_of(store::loan(&mut tx, coop, id).await?)?;
    tx.commit().await?;
    Ok(loan)
}

/// Approves an application; the approver must be someone other than who entered it.
pub async fn approve(db: &Db, actor: &Actor, id: LoanId, note: &str) -> Result<Loan> {
    decide(db, actor, id, true, note).await
}

/// Rejects an application, saying why; like approval, not by who entered it.
pub async fn reject(db: &Db, actor: &Actor, id: LoanId, note: &str) -> Result<Loan> {
    decide(db, actor, id, false, note).await
}

/// How an approved loan is paid out.
#[derive(Debug, Clone)]
pub struct DisburseInput {
    /// `cash` or `sukarela`.
    pub channel: String,
    /// Today if not given; not in the future, not in a closed period.
    pub date: Option<Date>,
    /// A month after the disbursement if not given.
    pub first_due: Option<Date>,
}

/// Pays out an approved loan: the journal entry (loans receivable against cash or the
/// member's simpanan sukarela, provisi and administration income deducted from the
/// payout), the stored schedule, the member's timeline and the audit entry, in one
/// transaction.
///
/// Into sukarela, this posts to the sukarela account with the member on the line; the
/// member's savings balance row is the savings module's, credited by it in this same
/// transaction once both are merged (see the report of the loans work).
pub async fn disburse(db: &Db, actor: &Actor, id: LoanId, input: &DisburseInput) -> Result<Loan> {
    actor.require(Action::TellerTransactions)?;
    let channel =
        Channel::parse(&input.channel).ok_or_else(|| invalid("channel", "cash or sukarela"))?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let loan = locked(&mut tx, coop, id).await?;
    match loan.status {
        LoanStatus::Approved => {}
        LoanStatus::Applied => {
            return Err(ServiceError::Conflict(format!(
                "loan {} is not approved yet",
                loan.loan_no
            )));
        }
        other => {
            return Err(ServiceError::Conflict(format!(
                "loan {} is {}; only an approved loan can be paid out",
                loan.loan_no,
                other.as_str()
            )));
        }
    }
    let today = ledger::cooperative_today(&mut tx, coop).await?;
    let date = input.date.unwrap_or(today);
    if date > today {
        return Err(invalid("date", format!("cannot be after today ({today})")));
    }
    let first_due = match input.first_due {
        Some(d) => d,
        None => date
            .add_months(1)
            .ok_or_else(|| invalid("first_due", "no such date"))?,
    };
    if first_due <= date {
        return Err(invalid(
            "first_due",
            format!("must be after the disbursement date ({date})"),
        ));
    }
    let ledger = Ledger::load(&mut tx, coop).await?;
    ledger.check_open(date)?;
    borrower(&mut tx, coop, loan.member_id).await?;
    let d = LoanFees {
        provisi: Fee::Fixed(loan.provisi),
        admin: Fee::Fixed(loan.admin_fee),
    }
    .disbursement(loan.terms.principal)
    .map_err(terms_error)?;
    let plan = schedule(&loan.terms, first_due).map_err(terms_error)?;
    let sys = &ledger.system;
    let payout_account = match channel {
        Channel::Cash => &sys.cash,
        Channel::Sukarela => &sys.savings_sukarela,
    };
    let entry = JournalDraft::new(format!(
        "Pencairan pinjaman {} {}",
        loan.loan_no, loan.member_name
    ))
    .debit(&sys.loans_receivable, d.principal)
    .credit(payout_account, d.net)
    .credit(&sys.provisi_income, d.provisi)
    .credit(&sys.admin_income, d.admin)
    .build()
    .map_err(|e| ServiceError::Internal(format!("disbursement entry: {e}")))?;
    let entries = ledger::post(
        &mut tx,
        &ledger,
        &actor.label(),
        &[Posting {
            date,
            entry: &entry,
            source: Source {
                kind: "loan",
                id: Some(id.0),
            },
            member: Some(loan.member_id),
            reverses: None,
        }],
    )
    .await?;
    // Into sukarela: the member's savings balance and statement take the payout too.
    if channel == Channel::Sukarela {
        let net = guyub_domain::money::PositiveAmount::new(d.net).map_err(|_| {
            invalid(
                "principal",
                "nothing is left to pay out after provisi and administration",
            )
        })?;
        crate::savings::credit_sukarela_for_entry(
            &mut tx,
            actor,
            loan.member_id,
            date,
            net,
            entries[0],
            &format!("Pencairan pinjaman {}", loan.loan_no),
        )
        .await?;
    }
    let rows: Vec<store::NewInstallment> = plan
        .iter()
        .map(|i| {
            (
                i64::from(i.no),
                i.due_date.as_number(),
                i.principal.get(),
                i.interest.get(),
            )
        })
        .collect();
    store::insert_installments(&mut tx, coop, id, &rows).await?;
    let label = actor.label();
    let done = store::set_disbursed(
        &mut tx,
        coop,
        id,
        &Disbursed {
            by: &label,
            on: date.as_number(),
            channel: channel.as_str(),
            entry: entries[0],
            first_due: first_due.as_number(),
            outstanding: d.principal.get(),
            now: now_ms(),
        },
    )
    .await?;
    if !done {
        return Err(ServiceError::Conflict(format!(
            "loan {} changed meanwhile",
            loan.loan_no
        )));
    }
    let summary = format!(
        "{} {} dicairkan {} ({}): diterima {}, provisi {}, administrasi {}; angsuran pertama {}",
        loan.loan_no,
        d.principal,
        date,
        match channel {
            Channel::Cash => "tunai",
            Channel::Sukarela => "ke simpanan sukarela",
        },
        d.net,
        d.provisi,
        d.admin,
        first_due
    );
    members::add_to_timeline(&mut tx, coop, loan.member_id, "loan.disbursed", &summary).await?;
    record(
        &mut tx,
        actor,
        "loan.disbursed",
        &format!("loan:{id}"),
        &format!("{summary}; journal:{}", entries[0]),
    )
    .await?;
    let loan = loan_of(store::loan(&mut tx, coop, id).await?)?;
    tx.commit().await?;
    Ok(loan)
}
