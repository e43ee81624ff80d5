//! The monthly savings jobs: simpanan wajib billing (a bill per member per month,
//! idempotent), the arrears it makes visible, and jasa simpanan on sukarela by the
//! daily-balance method (posted once per month, as one batch in one transaction).

use super::refusal::Result;
use super::{Desk, Failure, Refusal, TxType, month_number, timeline_kind, timeline_summary};
use crate::ledger::{self, Posting, Source};
use crate::{Actor, Result as ServiceResult, ServiceError, record};
use guyub_domain::money::savings::jasa_simpanan_daily;
use guyub_domain::money::{JournalDraft, Rate, Rupiah, SavingsKind, YearMonth};
use guyub_domain::{Action, Date, MemberId};
use guyub_store::savings::{self as store, ArrearsRow, NewTx, RunRow};
use guyub_store::{Db, now_ms};
use serde::Serialize;
use std::collections::HashMap;

/// The run kinds in `savings_runs`.
pub const WAJIB_BILLING: &str = "wajib_billing";
pub const JASA: &str = "jasa";

fn parse_month(raw: &str) -> Result<YearMonth> {
    YearMonth::parse(raw).map_err(|_| Failure::Refused(Refusal::Month))
}

/// What a wajib billing run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingRun {
    pub month: YearMonth,
    /// Bills made now (0 when every member was billed for the month already).
    pub created: u64,
    /// Of those, how many were paid at once from wajib paid ahead.
    pub paid_ahead: u64,
    pub amount: Rupiah,
    pub total: Rupiah,
}

/// Bills simpanan wajib for `month` (`YYYY-MM`, not after the current month) to every
/// calon anggota and anggota who joined by the month's end and has no bill for it.
/// Running it again bills only those who became due since. Wajib paid ahead settles
/// a new bill at once.
pub async fn bill_wajib(db: &Db, actor: &Actor, month: &str) -> Result<BillingRun> {
    actor.require(Action::PostJournal)?;
    let month = parse_month(month)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let desk = Desk::open(&mut tx, actor).await?;
    let current = YearMonth::from(desk.today);
    if month > current {
        return Err(Refusal::FutureMonth { current }.into());
    }
    let amount = desk.settings.wajib_monthly;
    let last_day = Date {
        year: month.year(),
        month: month.month(),
        day: month.days(),
    };
    let due = store::billable(&mut tx, coop, month_number(month), &last_day.to_string()).await?;
    let mut bills = Vec::with_capacity(due.len());
    let mut paid_ahead = 0u64;
    for d in &due {
        let free = d.wajib_balance.saturating_sub(d.billed_paid).max(0);
        let paid = free.min(amount.get());
        if paid > 0 {
            paid_ahead += 1;
        }
        bills.push((d.member_id, amount.get(), paid));
    }
    let created = store::insert_bills(&mut tx, coop, month_number(month), &bills, now_ms()).await?;
    let total = Rupiah::new(amount.get().saturating_mul(created as i64));
    store::record_run(
        &mut tx,
        coop,
        &RunRow {
            kind: WAJIB_BILLING.into(),
            month: month_number(month),
            members: created as i64,
            total: total.get(),
            run_by: desk.label.clone(),
            run_at: now_ms(),
        },
        false,
    )
    .await?;
    record(
        &mut tx,
        actor,
        "savings.wajib_billed",
        &format!("month:{month}"),
        &format!("bills={created} amount={amount} paid_ahead={paid_ahead}"),
    )
    .await?;
    tx.commit().await?;
    Ok(BillingRun {
        month,
        created,
        paid_ahead,
        amount,
        total,
    })
}

/// A member behind on simpanan wajib.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arrears {
    pub member_id: MemberId,
    pub member_no: String,
    pub name: String,
    /// Unpaid on the bills of months before the current one.
    pub arrears: Rupiah,
    pub months: i64,
    /// Unpaid on every bill, the current month's included.
    pub owed: Rupiah,
}

impl From<ArrearsRow> for Arrears {
    fn from(r: ArrearsRow) -> Arrears {
        Arrears {
            member_id: r.member_id,
            member_no: r.member_no,
            name: r.name,
            arrears: Rupiah::new(r.arrears),
            months: r.months,
            owed: Rupiah::new(r.owed),
        }
    }
}

/// Members (calon anggota and anggota) with wajib unpaid for a month before the
/// current one, most behind first.
pub async fn arrears(
    db: &Db,
    actor: &Actor,
    limit: i64,
    offset: i64,
) -> ServiceResult<Vec<Arrears>> {
    if !(actor.role.can(Action::TellerTransactions) || actor.role.can(Action::ViewReports)) {
        return Err(ServiceError::Forbidden);
    }
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let today = ledger::cooperative_today(&mut conn, coop).await?;
    let rows = store::arrears(
        &mut conn,
        coop,
        month_number(YearMonth::from(today)),
        limit.clamp(1, 1000),
        offset.max(0),
    )
    .await?;
    Ok(rows.into_iter().map(Arrears::from).collect())
}

/// What a jasa simpanan run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JasaRun {
    pub month: YearMonth,
    pub rate: Rate,
    /// Members credited.
    pub members: i64,
    pub total: Rupiah,
    /// The month was posted before; nothing was posted now.
    pub already: bool,
}

/// Jasa simpanan on sukarela for `month` (over already): each member's interest by the
/// daily-balance method from that month's movements, credited to their sukarela on
/// the day of the run against the jasa simpanan expense. Posted once per month; a
/// second run reports the first. With a rate of 0 nothing is posted or recorded.
pub async fn post_jasa_simpanan(db: &Db, actor: &Actor, month: &str) -> Result<JasaRun> {
    actor.require(Action::PostJournal)?;
    let month = parse_month(month)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let desk = Desk::open(&mut tx, actor).await?;
    let current = YearMonth::from(desk.today);
    if month >= current {
        return Err(Refusal::MonthNotOver { current }.into());
    }
    let rate = desk.settings.sukarela_rate;
    if let Some(done) = store::run(&mut tx, coop, JASA, month_number(month)).await? {
        return Ok(JasaRun {
            month,
            rate,
            members: done.members,
            total: Rupiah::new(done.total),
            already: true,
        });
    }
    if rate.is_zero() {
        return Ok(JasaRun {
            month,
            rate,
            members: 0,
            total: Rupiah::ZERO,
            already: false,
        });
    }
    let date = desk.date(None)?;
    let kind = SavingsKind::Sukarela;
    let first = month.first_day().as_number();
    let last = Date {
        year: month.year(),
        month: month.month(),
        day: month.days(),
    }
    .as_number();
    let accounts = store::active_accounts(&mut tx, coop, kind.as_str()).await?;
    let opening = store::balances_before(&mut tx, coop, kind.as_str(), first).await?;
    // Each account's balance at the end of each day with movements.
    let mut changes: HashMap<i64, Vec<(u8, Rupiah)>> = HashMap::new();
    for (account, day, after) in
        store::movements_between(&mut tx, coop, kind.as_str(), first, last).await?
    {
        let day = Date::from_number(day)
            .map(|d| d.day)
            .ok_or_else(|| ServiceError::Internal(format!("stored date {day}")))?;
        let list = changes.entry(account).or_default();
        match list.last_mut() {
            Some((d, bal)) if *d == day => *bal = Rupiah::new(after),
            _ => list.push((day, Rupiah::new(after))),
        }
    }
    let mut credited: Vec<(i64, MemberId, Rupiah)> = Vec::new();
    let mut ids: Vec<i64> = accounts.keys().copied().collect();
    ids.sort_unstable();
    for account in ids {
        let member = accounts[&account];
        let open = Rupiah::new(opening.get(&account).copied().unwrap_or(0));
        let list = changes.get(&account).map(Vec::as_slice).unwrap_or(&[]);
        let jasa = jasa_simpanan_daily(month, open, list, rate)?;
        if jasa.is_positive() {
            credited.push((account, member, jasa));
        }
    }
    // One receipt per member, so that each can be shown (and printed) on its own.
    let receipts: Vec<String> = credited
        .iter()
        .map(|(_, member, _)| format!("JASA-{month}-{member}"))
        .collect();
    let entries = credited
        .iter()
        .map(|(_, _, jasa)| {
            JournalDraft::new(format!("Jasa simpanan sukarela {month}"))
                .debit(&desk.ledger.system.savings_interest_expense, *jasa)
                .credit(&desk.ledger.system.savings_sukarela, *jasa)
                .build()
                .map_err(|e| ServiceError::Internal(format!("jasa entry: {e}")))
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    let postings: Vec<Posting<'_>> = credited
        .iter()
        .zip(&entries)
        .map(|((_, member, _), entry)| Posting {
            date,
            entry,
            source: Source {
                kind: "savings_jasa",
                id: Some(month_number(month)),
            },
            member: Some(*member),
            reverses: None,
        })
        .collect();
    let journal = ledger::post(&mut tx, &desk.ledger, &desk.label, &postings).await?;
    // Balances move by the jasa, whatever was deposited since the month ended.
    let mut afters = Vec::with_capacity(credited.len());
    for (account, _, jasa) in &credited {
        let after =
            store::add_to_balance(&mut tx, coop, *account, jasa.get(), date.as_number()).await?;
        afters.push(after);
    }
    let txs: Vec<NewTx<'_>> = credited
        .iter()
        .zip(&journal)
        .zip(&afters)
        .zip(&receipts)
        .map(|((((account, member, jasa), entry), after), no)| NewTx {
            account_id: *account,
            member_id: *member,
            kind: kind.as_str(),
            tx_type: TxType::Jasa.as_str(),
            date: date.as_number(),
            amount: jasa.get(),
            balance_after: *after,
            journal_entry_id: entry.0,
            receipt_no: no,
            counterparty: None,
            note: "",
            teller: &desk.teller,
            created_by: &desk.label,
            request_key: None,
        })
        .collect();
    store::insert_transactions(&mut tx, coop, &txs, now_ms()).await?;
    let timeline: Vec<(MemberId, &str, String)> = credited
        .iter()
        .zip(&afters)
        .zip(&receipts)
        .map(|(((_, member, jasa), after), no)| {
            (
                *member,
                timeline_kind(TxType::Jasa),
                timeline_summary(kind, TxType::Jasa, *jasa, Rupiah::new(*after), no),
            )
        })
        .collect();
    let timeline: Vec<(MemberId, &str, &str)> = timeline
        .iter()
        .map(|(m, k, s)| (*m, *k, s.as_str()))
        .collect();
    guyub_store::members::add_to_timelines(&mut tx, coop, now_ms(), &timeline).await?;
    let total = Rupiah::sum(credited.iter().map(|(_, _, j)| *j))
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let members = credited.len() as i64;
    if !store::record_run(
        &mut tx,
        coop,
        &RunRow {
            kind: JASA.into(),
            month: month_number(month),
            members,
            total: total.get(),
            run_by: desk.label.clone(),
            run_at: now_ms(),
        },
        true,
    )
    .await?
    {
        return Err(
            ServiceError::Conflict(format!("jasa simpanan for {month} is being posted")).into(),
        );
    }
    record(
        &mut tx,
        actor,
        "savings.jasa_posted",
        &format!("month:{month}"),
        &format!("rate={rate} members={members} total={total} date={date}"),
    )
    .await?;
    tx.commit().await?;
    Ok(JasaRun {
        month,
        rate,
        members,
        total,
        already: false,
    })
}

/// A monthly job's run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub kind: String,
    pub month: String,
    pub members: i64,
    pub total: Rupiah,
    pub run_by: String,
    pub run_at: i64,
}

/// The monthly jobs' runs, newest month first.
pub async fn runs(db: &Db, actor: &Actor, limit: i64) -> ServiceResult<Vec<Run>> {
    if !(actor.role.can(Action::PostJournal) || actor.role.can(Action::ViewLedger)) {
        return Err(ServiceError::Forbidden);
    }
    let rows = store::runs(
        &mut *db.conn().await?,
        actor.cooperative_id,
        limit.clamp(1, 500),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Run {
            month: format!("{:04}-{:02}", r.month / 100, r.month % 100),
            kind: r.kind,
            members: r.members,
            total: Rupiah::new(r.total),
            run_by: r.run_by,
            run_at: r.run_at,
        })
        .collect())
}
