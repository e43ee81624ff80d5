//! The general ledger: each cooperative's chart (seeded with the default SAK EP chart
//! on first use), posting balanced entries inside the caller's transaction, manual
//! entries and reversals, closing periods, and the trial balance.
//!
//! Every money movement in Guyub posts through [`post`], in the same transaction as
//! its business row and its audit entry. Only a [`BalancedEntry`] can be posted, so an
//! unbalanced entry cannot reach the store; a date on or before the closed-through
//! date is refused.

use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_domain::money::{
    AccountCode, AccountKind, BalancedEntry, CapitalBooking, JournalDraft, Rupiah, SystemAccounts,
    default_chart_of_accounts,
};
use guyub_domain::{AccountId, Action, CooperativeId, Date, JournalEntryId, MemberId};
use guyub_store::ledger::{self as store, AccountRow, NewAccount, NewEntry, NewLine};
use guyub_store::{Conn, Db, now_ms};
use std::collections::HashMap;

/// A cooperative's ledger as the services need it: the chart by code, the purpose
/// mapping, and the closed-through date. Load it once per transaction (or batch).
#[derive(Debug, Clone)]
pub struct Ledger {
    pub cooperative_id: CooperativeId,
    pub system: SystemAccounts,
    pub capital: CapitalBooking,
    /// YYYYMMDD; 0 when nothing is closed.
    pub closed_through: i64,
    accounts: HashMap<String, AccountRow>,
}

impl Ledger {
    /// Loads the ledger, seeding the default chart the first time.
    pub async fn load(conn: &mut Conn, coop: CooperativeId) -> Result<Ledger> {
        let settings = match store::settings(conn, coop).await? {
            Some(s) => s,
            None => {
                seed_default(conn, coop, CapitalBooking::Equity).await?;
                store::settings(conn, coop)
                    .await?
                    .ok_or_else(|| ServiceError::Internal("ledger settings missing".into()))?
            }
        };
        let system: SystemAccounts = serde_json::from_str(&settings.system_accounts)
            .map_err(|e| ServiceError::Internal(format!("system accounts: {e}")))?;
        let capital = match settings.capital_booking.as_str() {
            "liability" => CapitalBooking::Liability,
            _ => CapitalBooking::Equity,
        };
        let accounts = store::accounts(conn, coop)
            .await?
            .into_iter()
            .map(|a| (a.code.clone(), a))
            .collect();
        Ok(Ledger {
            cooperative_id: coop,
            system,
            capital,
            closed_through: settings.closed_through,
            accounts,
        })
    }

    /// The account to post to: it must exist, be a detail account and be active.
    pub fn account(&self, code: &AccountCode) -> Result<&AccountRow> {
        let a = self
            .accounts
            .get(code.as_str())
            .ok_or_else(|| invalid("account", format!("account {code} is not in the chart")))?;
        if a.is_group {
            return Err(invalid(
                "account",
                format!("account {code} is a heading; post to one of its accounts"),
            ));
        }
        if !a.active {
            return Err(invalid(
                "account",
                format!("account {code} is switched off"),
            ));
        }
        Ok(a)
    }

    pub fn by_id(&self, id: AccountId) -> Option<&AccountRow> {
        self.accounts.values().find(|a| a.id == id)
    }

    /// Every account, in code order.
    pub fn chart(&self) -> Vec<&AccountRow> {
        let mut v: Vec<&AccountRow> = self.accounts.values().collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// Refuses a date in a closed period.
    pub fn check_open(&self, date: Date) -> Result<()> {
        if date.as_number() <= self.closed_through {
            let through = Date::from_number(self.closed_through)
                .map(|d| d.to_string())
                .unwrap_or_default();
            return Err(invalid(
                "date",
                format!("the books are closed through {through}; post on a later date"),
            ));
        }
        Ok(())
    }
}

async fn seed_default(conn: &mut Conn, coop: CooperativeId, capital: CapitalBooking) -> Result<()> {
    let seeds = default_chart_of_accounts(capital);
    let system = SystemAccounts::default_for(capital);
    let rows: Vec<NewAccount<'_>> = seeds
        .iter()
        .map(|s| NewAccount {
            code: s.code.as_str(),
            name_id: s.name_id,
            name_en: s.name_en,
            kind: s.kind.as_str(),
            parent_code: s.parent.as_ref().map(|p| p.as_str()),
            is_group: s.group,
            contra: s.contra,
        })
        .collect();
    let json = serde_json::to_string(&system).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let booking = match capital {
        CapitalBooking::Equity => "equity",
        CapitalBooking::Liability => "liability",
    };
    store::seed(conn, coop, &rows, booking, &json, now_ms()).await?;
    Ok(())
}

/// What caused an entry, for the journal and for finding it again.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub kind: &'a str,
    pub id: Option<i64>,
}

/// One entry to post.
#[derive(Debug, Clone)]
pub struct Posting<'a> {
    pub date: Date,
    pub entry: &'a BalancedEntry,
    pub source: Source<'a>,
    /// The member the entry concerns; its lines carry it (statements, SHU).
    pub member: Option<MemberId>,
    pub reverses: Option<JournalEntryId>,
}

/// Posts entries inside the caller's transaction (the business rows and the audit
/// entry go in the same one). Refuses all of them if any date is closed or any
/// account cannot take postings.
pub async fn post(
    conn: &mut Conn,
    ledger: &Ledger,
    created_by: &str,
    postings: &[Posting<'_>],
) -> Result<Vec<JournalEntryId>> {
    let mut rows = Vec::with_capacity(postings.len());
    for p in postings {
        ledger.check_open(p.date)?;
        let member = p.member.map(|m| m.0);
        let lines = p
            .entry
            .lines()
            .iter()
            .map(|l| {
                Ok(NewLine {
                    account_id: ledger.account(l.account())?.id,
                    debit: l.debit().get(),
                    credit: l.credit().get(),
                    member_id: member,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        rows.push(NewEntry {
            date: p.date.as_number(),
            memo: p.entry.memo(),
            source_kind: p.source.kind,
            source_id: p.source.id,
            member_id: member,
            reverses: p.reverses,
            created_by,
            lines,
        });
    }
    Ok(store::post(conn, ledger.cooperative_id, &rows, now_ms()).await?)
}

/// Posts one entry whose lines concern different members (an SHU distribution credits
/// every member's share in one entry): `members[i]` goes on line `i`. The entry's own
/// member stays empty.
pub async fn post_with_line_members(
    conn: &mut Conn,
    ledger: &Ledger,
    created_by: &str,
    posting: &Posting<'_>,
    members: &[Option<MemberId>],
) -> Result<JournalEntryId> {
    ledger.check_open(posting.date)?;
    if members.len() != posting.entry.lines().len() {
        return Err(ServiceError::Internal(
            "one member (or none) per line is needed".into(),
        ));
    }
    let lines = posting
        .entry
        .lines()
        .iter()
        .zip(members)
        .map(|(l, m)| {
            Ok(NewLine {
                account_id: ledger.account(l.account())?.id,
                debit: l.debit().get(),
                credit: l.credit().get(),
                member_id: m.map(|m| m.0),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let row = NewEntry {
        date: posting.date.as_number(),
        memo: posting.entry.memo(),
        source_kind: posting.source.kind,
        source_id: posting.source.id,
        member_id: posting.member.map(|m| m.0),
        reverses: posting.reverses,
        created_by,
        lines,
    };
    let ids = store::post(conn, ledger.cooperative_id, &[row], now_ms()).await?;
    ids.first()
        .copied()
        .ok_or_else(|| ServiceError::Internal("no entry posted".into()))
}

/// Today in the cooperative's time zone.
pub fn today(tz: &str) -> Date {
    let tz = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let d = jiff::Zoned::now().with_time_zone(tz).date();
    Date::new(d.year() as i32, d.month() as u8, d.day() as u8).unwrap_or(Date {
        year: 1970,
        month: 1,
        day: 1,
    })
}

/// Today for the actor's cooperative.
pub async fn cooperative_today(conn: &mut Conn, coop: CooperativeId) -> Result<Date> {
    let c = guyub_store::cooperatives::get(conn, coop).await?;
    Ok(today(&c.timezone))
}

/// The ledger (chart and settings) for those who may read it.
pub async fn ledger(db: &Db, actor: &Actor) -> Result<Ledger> {
    actor.require(Action::ViewLedger)?;
    let mut tx = db.begin_write().await?;
    let l = Ledger::load(&mut tx, actor.cooperative_id).await?;
    tx.commit().await?;
    Ok(l)
}

/// A new account in the chart.
pub struct AccountInput<'a> {
    pub code: &'a str,
    pub name_id: &'a str,
    pub name_en: &'a str,
    pub kind: &'a str,
    pub parent_code: Option<&'a str>,
}

pub async fn add_account(db: &Db, actor: &Actor, a: &AccountInput<'_>) -> Result<AccountId> {
    actor.require(Action::PostJournal)?;
    let code = AccountCode::parse(a.code).map_err(|e| invalid("code", e.to_string()))?;
    let kind = AccountKind::parse(a.kind).map_err(|e| invalid("kind", e.to_string()))?;
    let name_id = a.name_id.trim();
    if name_id.is_empty() || name_id.chars().count() > 120 {
        return Err(invalid("name_id", "a name of 1 to 120 characters"));
    }
    let name_en = if a.name_en.trim().is_empty() {
        name_id
    } else {
        a.name_en.trim()
    };
    let mut tx = db.begin_write().await?;
    let ledger = Ledger::load(&mut tx, actor.cooperative_id).await?;
    let parent = match a.parent_code.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => {
            let row = ledger
                .accounts
                .get(p)
                .ok_or_else(|| invalid("parent_code", format!("no account {p}")))?;
            if !row.is_group {
                return Err(invalid("parent_code", format!("{p} is not a heading")));
            }
            if row.kind != kind.as_str() {
                return Err(invalid(
                    "parent_code",
                    format!("{p} is a {} heading", row.kind),
                ));
            }
            Some(p)
        }
        None => None,
    };
    let id = store::insert_account(
        &mut tx,
        actor.cooperative_id,
        &NewAccount {
            code: code.as_str(),
            name_id,
            name_en,
            kind: kind.as_str(),
            parent_code: parent,
            is_group: false,
            contra: false,
        },
        now_ms(),
    )
    .await?;
    record(
        &mut tx,
        actor,
        "ledger.account_added",
        &format!("account:{id}"),
        &format!("{code} {name_id} ({kind})"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A line of a manual entry as entered: account code, debit, credit.
pub struct ManualLine<'a> {
    pub account: &'a str,
    pub debit: Rupiah,
    pub credit: Rupiah,
}

/// A manual journal entry (adjustments, opening balances).
pub async fn manual_entry(
    db: &Db,
    actor: &Actor,
    date: Date,
    memo: &str,
    lines: &[ManualLine<'_>],
) -> Result<JournalEntryId> {
    actor.require(Action::PostJournal)?;
    let mut draft = JournalDraft::new(memo.trim());
    for (i, l) in lines.iter().enumerate() {
        let code = AccountCode::parse(l.account)
            .map_err(|e| invalid("lines", format!("line {}: {e}", i + 1)))?;
        if l.debit.is_negative() || l.credit.is_negative() {
            return Err(invalid(
                "lines",
                format!("line {}: amounts cannot be negative", i + 1),
            ));
        }
        if l.debit.is_positive() && l.credit.is_positive() {
            return Err(invalid(
                "lines",
                format!("line {}: a line is either a debit or a credit", i + 1),
            ));
        }
        draft = draft.debit(&code, l.debit).credit(&code, l.credit);
    }
    let entry = draft.build().map_err(|e| invalid("lines", e.to_string()))?;
    let mut tx = db.begin_write().await?;
    let ledger = Ledger::load(&mut tx, actor.cooperative_id).await?;
    let ids = post(
        &mut tx,
        &ledger,
        &actor.label(),
        &[Posting {
            date,
            entry: &entry,
            source: Source {
                kind: "manual",
                id: None,
            },
            member: None,
            reverses: None,
        }],
    )
    .await?;
    record(
        &mut tx,
        actor,
        "ledger.entry_posted",
        &format!("journal:{}", ids[0]),
        &format!("{date} {} {}", entry.memo(), entry.total()),
    )
    .await?;
    tx.commit().await?;
    Ok(ids[0])
}

/// Reverses an entry (the only way to correct one) on `date`, with the reason.
pub async fn reverse(
    db: &Db,
    actor: &Actor,
    id: JournalEntryId,
    date: Date,
    reason: &str,
) -> Result<JournalEntryId> {
    actor.require(Action::PostJournal)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("reason", "say why the entry is reversed"));
    }
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let ledger = Ledger::load(&mut tx, coop).await?;
    let original = store::entry(&mut tx, coop, id).await?;
    if original.reverses.is_some() {
        return Err(ServiceError::Conflict(format!(
            "entry {} is itself a reversal; post a new entry instead",
            original.entry_no
        )));
    }
    if SHU_KINDS.contains(&original.source_kind.as_str()) {
        return Err(ServiceError::Conflict(format!(
            "entry {} is part of a year's SHU posting, which is posted once and not reversed",
            original.entry_no
        )));
    }
    if let Some(r) = store::reversal_of(&mut tx, coop, id).await? {
        return Err(ServiceError::Conflict(format!(
            "entry {} was already reversed by entry id {r}",
            original.entry_no
        )));
    }
    let lines = store::lines_of(&mut tx, coop, &[id]).await?;
    let mut draft = JournalDraft::new(format!("{} ({reason})", original.memo));
    for l in &lines {
        let a = ledger
            .by_id(l.account_id)
            .ok_or_else(|| ServiceError::Internal("a line's account is missing".into()))?;
        let code =
            AccountCode::parse(&a.code).map_err(|e| ServiceError::Internal(e.to_string()))?;
        draft = draft
            .debit(&code, Rupiah::new(l.debit))
            .credit(&code, Rupiah::new(l.credit));
    }
    let entry = draft
        .build()
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .reversal();
    // Each line keeps the member it concerned, so member statements and SHU bases net
    // the reversal against the original line by line.
    let members: Vec<Option<MemberId>> = lines.iter().map(|l| l.member_id.map(MemberId)).collect();
    let reversal = post_with_line_members(
        &mut tx,
        &ledger,
        &actor.label(),
        &Posting {
            date,
            entry: &entry,
            source: Source {
                kind: "reversal",
                id: Some(id.0),
            },
            member: original.member_id.map(MemberId),
            reverses: Some(id),
        },
        &members,
    )
    .await?;
    record(
        &mut tx,
        actor,
        "ledger.entry_reversed",
        &format!("journal:{id}"),
        &format!("by journal:{reversal} on {date}: {reason}"),
    )
    .await?;
    tx.commit().await?;
    Ok(reversal)
}

/// Source kinds of the SHU posting's two entries (closing and distribution).
pub const SHU_KINDS: [&str; 2] = ["shu_closing", "shu"];

/// Closes the books through `through`: nothing dated on or before it can be posted.
pub async fn close_period(db: &Db, actor: &Actor, through: Date) -> Result<()> {
    actor.require(Action::ClosePeriod)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let ledger = Ledger::load(&mut tx, coop).await?;
    let today = cooperative_today(&mut tx, coop).await?;
    if through >= today {
        return Err(invalid(
            "through",
            format!("only days before today ({today}) can be closed"),
        ));
    }
    if !store::close_through(&mut tx, coop, through.as_number()).await? {
        let current = Date::from_number(ledger.closed_through)
            .map(|d| d.to_string())
            .unwrap_or_default();
        return Err(ServiceError::Conflict(format!(
            "the books are already closed through {current}"
        )));
    }
    record(
        &mut tx,
        actor,
        "ledger.period_closed",
        "ledger",
        &format!("closed through {through}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One account's line of a trial balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceRow {
    pub account_id: AccountId,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub kind: String,
    pub debit: i64,
    pub credit: i64,
    /// On the account's normal side (negative when it stands on the other side).
    pub balance: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalance {
    pub from: Option<Date>,
    pub to: Date,
    pub rows: Vec<BalanceRow>,
    pub total_debit: i64,
    pub total_credit: i64,
}

/// Debit and credit totals per account over `[from, to]` (from the start when `from`
/// is `None`), read from the daily balances, not the journal.
pub async fn balances(
    conn: &mut Conn,
    ledger: &Ledger,
    from: Option<Date>,
    to: Date,
) -> Result<TrialBalance> {
    let totals = store::totals(
        conn,
        ledger.cooperative_id,
        from.map(Date::as_number).unwrap_or(0),
        to.as_number(),
    )
    .await?;
    let mut rows = Vec::new();
    let (mut td, mut tc) = (0i64, 0i64);
    for a in ledger.chart() {
        let Some(&(d, c)) = totals.get(&a.id) else {
            continue;
        };
        let debit_normal = matches!(a.kind.as_str(), "asset" | "expense") != a.contra;
        td += d;
        tc += c;
        rows.push(BalanceRow {
            account_id: a.id,
            code: a.code.clone(),
            name_id: a.name_id.clone(),
            name_en: a.name_en.clone(),
            kind: a.kind.clone(),
            debit: d,
            credit: c,
            balance: if debit_normal { d - c } else { c - d },
        });
    }
    Ok(TrialBalance {
        from,
        to,
        rows,
        total_debit: td,
        total_credit: tc,
    })
}

/// The trial balance as of `to`.
pub async fn trial_balance(db: &Db, actor: &Actor, to: Date) -> Result<TrialBalance> {
    actor.require(Action::ViewReports)?;
    let mut conn = db.conn().await?;
    let ledger = load_read(&mut conn, db, actor.cooperative_id).await?;
    balances(&mut conn, &ledger, None, to).await
}

/// Loads the ledger for reading; seeds it (in a write transaction) the first time.
pub async fn load_read(conn: &mut Conn, db: &Db, coop: CooperativeId) -> Result<Ledger> {
    if store::settings(conn, coop).await?.is_none() {
        let mut tx = db.begin_write().await?;
        Ledger::load(&mut tx, coop).await?;
        tx.commit().await?;
    }
    Ledger::load(conn, coop).await
}

/// Renames an account or switches it off (or on again). Its code and kind stay, so
/// entries already posted keep their meaning; a switched-off account takes no new
/// postings. A system account (one the services post to) cannot be switched off.
pub async fn update_account(
    db: &Db,
    actor: &Actor,
    id: AccountId,
    name_id: &str,
    name_en: &str,
    active: bool,
) -> Result<AccountRow> {
    actor.require(Action::PostJournal)?;
    let name_id = name_id.trim();
    if name_id.is_empty() || name_id.chars().count() > 120 {
        return Err(invalid("name_id", "a name of 1 to 120 characters"));
    }
    let name_en = if name_en.trim().is_empty() {
        name_id
    } else {
        name_en.trim()
    };
    if name_en.chars().count() > 120 {
        return Err(invalid("name_en", "a name of 1 to 120 characters"));
    }
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let ledger = Ledger::load(&mut tx, coop).await?;
    let current = ledger.by_id(id).cloned().ok_or(ServiceError::NotFound)?;
    if !active
        && let Some((purpose, _)) = ledger
            .system
            .purposes()
            .into_iter()
            .find(|(_, code)| code.as_str() == current.code)
    {
        return Err(invalid(
            "active",
            format!(
                "account {} is the {purpose} system account; it cannot be switched off",
                current.code
            ),
        ));
    }
    store::update_account(&mut tx, coop, id, name_id, name_en, active).await?;
    record(
        &mut tx,
        actor,
        "ledger.account_updated",
        &format!("account:{id}"),
        &format!(
            "{} {name_id} ({})",
            current.code,
            if active { "on" } else { "off" }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(AccountRow {
        name_id: name_id.to_string(),
        name_en: name_en.to_string(),
        active,
        ..current
    })
}

/// Journal entries dated within `[from, to]`, newest first; `before` (an entry id)
/// pages on. At most 500 per page.
pub async fn journal(
    db: &Db,
    actor: &Actor,
    from: Date,
    to: Date,
    before: Option<JournalEntryId>,
    limit: i64,
) -> Result<Vec<store::EntryRow>> {
    actor.require(Action::ViewLedger)?;
    if from > to {
        return Err(invalid("from", "the start is after the end"));
    }
    let mut conn = db.conn().await?;
    Ok(store::entries(
        &mut conn,
        actor.cooperative_id,
        from.as_number(),
        to.as_number(),
        before,
        limit.clamp(1, 500),
    )
    .await?)
}

/// One line of an entry as people read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineView {
    pub account_id: AccountId,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub debit: i64,
    pub credit: i64,
    pub member_id: Option<i64>,
}

/// An entry with its lines and the entry that reversed it, if any.
#[derive(Debug, Clone)]
pub struct EntryView {
    pub entry: store::EntryRow,
    pub lines: Vec<LineView>,
    pub reversed_by: Option<JournalEntryId>,
}

pub async fn entry(db: &Db, actor: &Actor, id: JournalEntryId) -> Result<EntryView> {
    actor.require(Action::ViewLedger)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let entry = store::entry(&mut conn, coop, id).await?;
    let ledger = load_read(&mut conn, db, coop).await?;
    let by_id: HashMap<AccountId, &AccountRow> =
        ledger.chart().into_iter().map(|a| (a.id, a)).collect();
    let lines = store::lines_of(&mut conn, coop, &[id])
        .await?
        .into_iter()
        .map(|l| {
            let a = by_id.get(&l.account_id);
            LineView {
                account_id: l.account_id,
                code: a.map(|a| a.code.clone()).unwrap_or_default(),
                name_id: a.map(|a| a.name_id.clone()).unwrap_or_default(),
                name_en: a.map(|a| a.name_en.clone()).unwrap_or_default(),
                debit: l.debit,
                credit: l.credit,
                member_id: l.member_id,
            }
        })
        .collect();
    let reversed_by = store::reversal_of(&mut conn, coop, id).await?;
    Ok(EntryView {
        entry,
        lines,
        reversed_by,
    })
}

/// Today in the actor's cooperative (the default end of reports and forms).
pub async fn today_for(db: &Db, actor: &Actor) -> Result<Date> {
    let mut conn = db.conn().await?;
    cooperative_today(&mut conn, actor.cooperative_id).await
}
