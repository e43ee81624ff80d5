//! Simpanan: the cooperative's savings settings, each member's pokok, wajib and
//! sukarela accounts, and the teller's movements (deposit, withdrawal, transfer,
//! paying out a leaver's capital), each with its receipt (kwitansi). The monthly jobs
//! (wajib billing, jasa simpanan) are in [`jobs`].
//!
//! Every movement is ONE transaction: the account's new balance, the movement row,
//! its journal entry (cash or another member's sukarela against the savings account,
//! through [`ledger::post`], every line carrying the member), the member's timeline
//! entry and the audit entry. A refusal leaves all of them as they were.
//!
//! Closed loop: only calon anggota and anggota hold savings. Rules and defaults are
//! documented in docs/MONEY.md ("Savings").

pub mod demo;
pub mod jobs;
mod refusal;

pub use refusal::{Failure, Refusal};

use crate::ledger::{self, Ledger, Posting, Source};
use crate::{Actor, ActorKind, Result as ServiceResult, ServiceError, record};
use guyub_domain::money::savings as rules;
use guyub_domain::money::{
    AccountCode, BalancedEntry, JournalDraft, MoneyError, PositiveAmount, Rate, Rupiah,
    SavingsKind, YearMonth,
};
use guyub_domain::{Action, CooperativeId, Date, MemberId, MemberStatus};
use guyub_store::savings::{self as store, AccountRow, NewTx, SettingsRow, TxRow};
use guyub_store::{Conn, Db, members, now_ms};
use refusal::Result;
use serde::Serialize;

/// What a cooperative has until a manager sets its own (docs/MONEY.md).
pub const DEFAULT_POKOK: Rupiah = Rupiah::new(100_000);
pub const DEFAULT_WAJIB: Rupiah = Rupiah::new(25_000);

/// Notes on movements are short.
const NOTE_MAX: usize = 200;

/// The savings settings of a cooperative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Simpanan pokok: paid once (in parts if need be) up to this amount.
    pub pokok_amount: Rupiah,
    /// Simpanan wajib billed each month.
    pub wajib_monthly: Rupiah,
    /// Jasa simpanan on sukarela, a yearly rate (0: none).
    pub sukarela_rate: Rate,
    /// What a member keeps in sukarela after a withdrawal.
    pub sukarela_minimum: Rupiah,
    pub updated_by: Option<String>,
    pub updated_at: Option<i64>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            pokok_amount: DEFAULT_POKOK,
            wajib_monthly: DEFAULT_WAJIB,
            sukarela_rate: Rate::ZERO,
            sukarela_minimum: Rupiah::ZERO,
            updated_by: None,
            updated_at: None,
        }
    }
}

impl Settings {
    fn from_row(r: SettingsRow) -> ServiceResult<Settings> {
        Ok(Settings {
            pokok_amount: Rupiah::new(r.pokok_amount),
            wajib_monthly: Rupiah::new(r.wajib_monthly),
            sukarela_rate: Rate::parse(&r.sukarela_rate)
                .map_err(|e| ServiceError::Internal(format!("stored jasa rate: {e}")))?,
            sukarela_minimum: Rupiah::new(r.sukarela_minimum),
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        })
    }

    fn to_row(&self) -> SettingsRow {
        SettingsRow {
            pokok_amount: self.pokok_amount.get(),
            wajib_monthly: self.wajib_monthly.get(),
            sukarela_rate: String::from(self.sukarela_rate),
            sukarela_minimum: self.sukarela_minimum.get(),
            updated_by: self.updated_by.clone(),
            updated_at: self.updated_at,
        }
    }
}

pub(crate) async fn load_settings(conn: &mut Conn, coop: CooperativeId) -> ServiceResult<Settings> {
    match store::settings(conn, coop).await? {
        Some(row) => Settings::from_row(row),
        None => Ok(Settings::default()),
    }
}

/// The settings (defaults until a manager sets them).
pub async fn settings(db: &Db, actor: &Actor) -> ServiceResult<Settings> {
    actor.require(Action::ViewMembers)?;
    load_settings(&mut *db.conn().await?, actor.cooperative_id).await
}

/// Settings as typed: amounts as people write them (`100000`, `Rp 100.000`), the rate
/// as a percentage (`3`, `3,5`).
#[derive(Debug, Clone, Default)]
pub struct SettingsInput<'a> {
    pub pokok_amount: &'a str,
    pub wajib_monthly: &'a str,
    pub sukarela_rate: &'a str,
    pub sukarela_minimum: &'a str,
}

/// Changes the settings (pengurus or owner). Affects what comes after: bills already
/// made keep their amount.
pub async fn set_settings(db: &Db, actor: &Actor, input: &SettingsInput<'_>) -> Result<Settings> {
    actor.require(Action::PostJournal)?;
    let positive = |field: &'static str, raw: &str| {
        PositiveAmount::parse(raw)
            .map(PositiveAmount::get)
            .map_err(|error| Refusal::Setting { field, error })
    };
    let pokok_amount = positive("pokok_amount", input.pokok_amount)?;
    let wajib_monthly = positive("wajib_monthly", input.wajib_monthly)?;
    let sukarela_rate = Rate::parse(input.sukarela_rate).map_err(|error| Refusal::Setting {
        field: "sukarela_rate",
        error,
    })?;
    let raw_minimum = input.sukarela_minimum.trim();
    let sukarela_minimum = if raw_minimum.is_empty() {
        Rupiah::ZERO
    } else {
        Rupiah::parse(raw_minimum).map_err(|error| Refusal::Setting {
            field: "sukarela_minimum",
            error,
        })?
    };
    if sukarela_minimum.is_negative() {
        return Err(Refusal::Setting {
            field: "sukarela_minimum",
            error: MoneyError::NotPositive,
        }
        .into());
    }
    let s = Settings {
        pokok_amount,
        wajib_monthly,
        sukarela_rate,
        sukarela_minimum,
        updated_by: Some(actor.label()),
        updated_at: Some(now_ms()),
    };
    let mut tx = db.begin_write().await?;
    store::save_settings(&mut tx, actor.cooperative_id, &s.to_row()).await?;
    record(
        &mut tx,
        actor,
        "savings.settings_changed",
        "savings",
        &format!(
            "pokok={} wajib={} jasa={} minimum={}",
            s.pokok_amount, s.wajib_monthly, s.sukarela_rate, s.sukarela_minimum
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// What a movement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxType {
    Deposit,
    Withdrawal,
    TransferIn,
    TransferOut,
    Jasa,
}

impl TxType {
    pub fn as_str(self) -> &'static str {
        match self {
            TxType::Deposit => "deposit",
            TxType::Withdrawal => "withdrawal",
            TxType::TransferIn => "transfer_in",
            TxType::TransferOut => "transfer_out",
            TxType::Jasa => "jasa",
        }
    }

    fn parse(s: &str) -> Option<TxType> {
        [
            TxType::Deposit,
            TxType::Withdrawal,
            TxType::TransferIn,
            TxType::TransferOut,
            TxType::Jasa,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// Whether the movement adds to the balance.
    pub fn adds(self) -> bool {
        matches!(self, TxType::Deposit | TxType::TransferIn | TxType::Jasa)
    }
}

/// One movement of an account, as statements and receipts show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub id: i64,
    pub member_id: MemberId,
    pub member_no: String,
    pub member_name: String,
    pub kind: SavingsKind,
    pub tx_type: TxType,
    pub date: Date,
    pub amount: Rupiah,
    pub balance_after: Rupiah,
    pub journal_entry_id: i64,
    pub receipt_no: String,
    /// The other member of a transfer: id, number, name.
    pub counterparty: Option<(MemberId, String, String)>,
    pub note: String,
    pub teller: String,
    pub at_ms: i64,
}

impl TryFrom<TxRow> for Movement {
    type Error = ServiceError;
    fn try_from(r: TxRow) -> ServiceResult<Movement> {
        let bad = |what: &str| ServiceError::Internal(format!("stored movement {}: {what}", r.id));
        Ok(Movement {
            kind: SavingsKind::parse(&r.kind).map_err(|_| bad("kind"))?,
            tx_type: TxType::parse(&r.tx_type).ok_or_else(|| bad("type"))?,
            date: Date::from_number(r.date).ok_or_else(|| bad("date"))?,
            counterparty: match (r.counterparty, r.counterparty_no, r.counterparty_name) {
                (Some(id), Some(no), Some(name)) => Some((id, no, name)),
                _ => None,
            },
            id: r.id,
            member_id: r.member_id,
            member_no: r.member_no,
            member_name: r.member_name,
            amount: Rupiah::new(r.amount),
            balance_after: Rupiah::new(r.balance_after),
            journal_entry_id: r.journal_entry_id,
            receipt_no: r.receipt_no,
            note: r.note,
            teller: r.teller,
            at_ms: r.created_at,
        })
    }
}

/// A kwitansi: the movements written under one receipt number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub receipt_no: String,
    pub cooperative: String,
    pub date: Date,
    pub at_ms: i64,
    pub teller: String,
    pub lines: Vec<Movement>,
}

async fn read_receipt(conn: &mut Conn, coop: CooperativeId, no: &str) -> ServiceResult<Receipt> {
    let rows = store::by_receipt(conn, coop, no).await?;
    let lines = rows
        .into_iter()
        .map(Movement::try_from)
        .collect::<ServiceResult<Vec<_>>>()?;
    let first = lines.first().ok_or(ServiceError::NotFound)?;
    let c = guyub_store::cooperatives::get(conn, coop).await?;
    Ok(Receipt {
        receipt_no: no.to_string(),
        cooperative: c.name,
        date: first.date,
        at_ms: first.at_ms,
        teller: first.teller.clone(),
        lines,
    })
}

/// A receipt, to show or print again.
pub async fn receipt(db: &Db, actor: &Actor, no: &str) -> ServiceResult<Receipt> {
    require_view(actor)?;
    let no = no.trim();
    if no.is_empty() || no.len() > 40 {
        return Err(ServiceError::NotFound);
    }
    read_receipt(&mut *db.conn().await?, actor.cooperative_id, no).await
}

/// Tellers and those who read the books see receipts and statements; everyone who sees
/// members sees balances (the member page).
fn require_view(actor: &Actor) -> ServiceResult<()> {
    if actor.role.can(Action::TellerTransactions) || actor.role.can(Action::ViewLedger) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// One of a member's three accounts (balance 0 when not opened yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    pub kind: SavingsKind,
    pub account_id: Option<i64>,
    pub balance: Rupiah,
    pub last_date: Option<Date>,
}

/// Where a member stands on simpanan wajib, from their bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct WajibPosition {
    pub months_billed: u32,
    pub billed: Rupiah,
    pub paid: Rupiah,
    /// Unpaid on every bill, the current month's included.
    pub owed: Rupiah,
    /// Unpaid on bills of months before the current one (tunggakan).
    pub arrears: Rupiah,
    pub months_in_arrears: u32,
    /// Paid into wajib beyond every bill so far; settles the next bills.
    pub paid_ahead: Rupiah,
}

/// A member's savings: the three balances and the wajib position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberSavings {
    pub member_id: MemberId,
    pub member_no: String,
    pub name: String,
    pub status: MemberStatus,
    /// Calon anggota or anggota: may deposit; pokok and wajib stay.
    pub active: bool,
    pub accounts: Vec<AccountView>,
    pub total: Rupiah,
    pub wajib: WajibPosition,
}

impl MemberSavings {
    pub fn balance(&self, kind: SavingsKind) -> Rupiah {
        self.accounts
            .iter()
            .find(|a| a.kind == kind)
            .map(|a| a.balance)
            .unwrap_or(Rupiah::ZERO)
    }
}

fn is_active(s: MemberStatus) -> bool {
    matches!(s, MemberStatus::CalonAnggota | MemberStatus::Anggota)
}

fn status_of(m: &members::Member) -> ServiceResult<MemberStatus> {
    MemberStatus::parse(&m.status).map_err(|e| ServiceError::Internal(e.to_string()))
}

pub(crate) fn wajib_position(
    bills: &[store::BillRow],
    wajib_balance: Rupiah,
    current: YearMonth,
) -> WajibPosition {
    let current = month_number(current);
    let mut p = WajibPosition::default();
    let (mut billed, mut paid, mut arrears) = (0i64, 0i64, 0i64);
    for b in bills {
        p.months_billed += 1;
        billed = billed.saturating_add(b.amount);
        paid = paid.saturating_add(b.paid);
        if b.month < current && b.paid < b.amount {
            arrears = arrears.saturating_add(b.amount - b.paid);
            p.months_in_arrears += 1;
        }
    }
    p.billed = Rupiah::new(billed);
    p.paid = Rupiah::new(paid);
    p.owed = Rupiah::new(billed.saturating_sub(paid));
    p.arrears = Rupiah::new(arrears);
    p.paid_ahead = Rupiah::new(wajib_balance.get().saturating_sub(paid).max(0));
    p
}

/// YYYYMM, as bills and runs store a month.
pub(crate) fn month_number(m: YearMonth) -> i64 {
    i64::from(m.year()) * 100 + i64::from(m.month())
}

/// A member's balances and wajib position.
pub async fn member_savings(
    db: &Db,
    actor: &Actor,
    member: MemberId,
) -> ServiceResult<MemberSavings> {
    actor.require(Action::ViewMembers)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let m = members::get(&mut conn, coop, member).await?;
    let status = status_of(&m)?;
    let rows = store::accounts_of(&mut conn, coop, member).await?;
    let accounts: Vec<AccountView> = SavingsKind::ALL
        .into_iter()
        .map(|kind| match rows.iter().find(|r| r.kind == kind.as_str()) {
            Some(r) => AccountView {
                kind,
                account_id: Some(r.id),
                balance: Rupiah::new(r.balance),
                last_date: Date::from_number(r.last_date),
            },
            None => AccountView {
                kind,
                account_id: None,
                balance: Rupiah::ZERO,
                last_date: None,
            },
        })
        .collect();
    let total = Rupiah::sum(accounts.iter().map(|a| a.balance))
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let bills = store::bills_of(&mut conn, coop, member).await?;
    let today = ledger::cooperative_today(&mut conn, coop).await?;
    let wajib_balance = accounts
        .iter()
        .find(|a| a.kind == SavingsKind::Wajib)
        .map(|a| a.balance)
        .unwrap_or(Rupiah::ZERO);
    Ok(MemberSavings {
        member_id: member,
        member_no: m.member_no,
        name: m.fields.name,
        active: is_active(status),
        status,
        accounts,
        total,
        wajib: wajib_position(&bills, wajib_balance, YearMonth::from(today)),
    })
}

/// A page of an account's statement (buku tabungan), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub member_id: MemberId,
    pub member_no: String,
    pub name: String,
    pub kind: SavingsKind,
    pub balance: Rupiah,
    pub rows: Vec<Movement>,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<i64>,
}

/// An account's movements, newest first, `limit` (1 to 500) at a time.
pub async fn statement(
    db: &Db,
    actor: &Actor,
    member: MemberId,
    kind: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Statement> {
    require_view(actor)?;
    let kind = SavingsKind::parse(kind).map_err(|_| Refusal::Kind)?;
    let coop = actor.cooperative_id;
    let limit = limit.clamp(1, 500);
    let mut conn = db.conn().await?;
    let m = members::get(&mut conn, coop, member).await?;
    let account = store::accounts_of(&mut conn, coop, member)
        .await?
        .into_iter()
        .find(|a| a.kind == kind.as_str());
    let (balance, rows) = match &account {
        Some(a) => (
            Rupiah::new(a.balance),
            store::statement(&mut conn, coop, a.id, before, limit + 1).await?,
        ),
        None => (Rupiah::ZERO, Vec::new()),
    };
    let more = rows.len() as i64 > limit;
    let rows = rows
        .into_iter()
        .take(limit as usize)
        .map(Movement::try_from)
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(Statement {
        member_id: member,
        member_no: m.member_no,
        name: m.fields.name,
        kind,
        balance,
        next_before: if more {
            rows.last().map(|r| r.id)
        } else {
            None
        },
        rows,
    })
}

/// A deposit or withdrawal as entered.
#[derive(Debug, Clone)]
pub struct MovementIn<'a> {
    pub member: MemberId,
    /// pokok, wajib or sukarela.
    pub kind: &'a str,
    pub amount: Rupiah,
    /// The day of the movement; today in the cooperative when `None`.
    pub date: Option<Date>,
    pub note: &'a str,
    /// A client's idempotency key: the same key again returns the first receipt.
    pub request_key: Option<&'a str>,
}

/// A transfer of sukarela from one member to another.
#[derive(Debug, Clone)]
pub struct TransferIn<'a> {
    pub from: MemberId,
    pub to: MemberId,
    pub amount: Rupiah,
    pub date: Option<Date>,
    pub note: &'a str,
    pub request_key: Option<&'a str>,
}

fn amount(raw: Rupiah) -> Result<PositiveAmount> {
    Ok(PositiveAmount::new(raw).map_err(Refusal::Amount)?)
}

fn note(raw: &str) -> Result<&str> {
    let n = raw.trim();
    if n.chars().count() > NOTE_MAX || n.chars().any(char::is_control) {
        return Err(Refusal::Note.into());
    }
    Ok(n)
}

fn request_key(raw: Option<&str>) -> Result<Option<&str>> {
    match raw.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) if k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k)),
        Some(_) => Err(Refusal::RequestKey.into()),
    }
}

/// What every movement needs inside its transaction.
struct Desk {
    coop: CooperativeId,
    ledger: Ledger,
    settings: Settings,
    today: Date,
    /// The staff member's name, for receipts.
    teller: String,
    /// The audit label.
    label: String,
}

impl Desk {
    async fn open(conn: &mut Conn, actor: &Actor) -> Result<Desk> {
        let coop = actor.cooperative_id;
        let ledger = Ledger::load(conn, coop).await?;
        let settings = load_settings(conn, coop).await?;
        let today = ledger::cooperative_today(conn, coop).await?;
        let teller = match &actor.kind {
            ActorKind::User { id, email } => guyub_store::users::get(conn, coop, *id)
                .await
                .map(|u| u.name)
                .unwrap_or_else(|_| email.clone()),
            ActorKind::Token { name, .. } => format!("API: {name}"),
            ActorKind::Cli => "cli".to_string(),
        };
        Ok(Desk {
            coop,
            ledger,
            settings,
            today,
            teller,
            label: actor.label(),
        })
    }

    /// The movement's day: not after today, not in a closed period.
    fn date(&self, asked: Option<Date>) -> Result<Date> {
        let date = asked.unwrap_or(self.today);
        if date > self.today {
            return Err(Refusal::FutureDate { today: self.today }.into());
        }
        if date.as_number() <= self.ledger.closed_through {
            let through = Date::from_number(self.ledger.closed_through).unwrap_or(date);
            return Err(Refusal::PeriodClosed { through }.into());
        }
        Ok(date)
    }

    /// Posts one movement's entry (source: the receipt's sequence number).
    async fn post(
        &self,
        conn: &mut Conn,
        date: Date,
        entry: &BalancedEntry,
        seq: i64,
        member: MemberId,
    ) -> Result<guyub_domain::JournalEntryId> {
        let ids = ledger::post(
            conn,
            &self.ledger,
            &self.label,
            &[Posting {
                date,
                entry,
                source: Source {
                    kind: "savings",
                    id: Some(seq),
                },
                member: Some(member),
                reverses: None,
            }],
        )
        .await?;
        Ok(ids[0])
    }

    fn account(&self, kind: SavingsKind) -> &AccountCode {
        match kind {
            SavingsKind::Pokok => &self.ledger.system.savings_pokok,
            SavingsKind::Wajib => &self.ledger.system.savings_wajib,
            SavingsKind::Sukarela => &self.ledger.system.savings_sukarela,
        }
    }

    async fn receipt_no(&self, conn: &mut Conn) -> Result<(i64, String)> {
        let n =
            store::take_receipt_numbers(conn, self.coop, 1, &Settings::default().to_row()).await?;
        Ok((n, format!("KW-{n:06}")))
    }
}

/// Movements of an account stay in date order, and sukarela does not change in a
/// month whose jasa simpanan is posted.
async fn check_account_date(
    conn: &mut Conn,
    coop: CooperativeId,
    account: &AccountRow,
    kind: SavingsKind,
    date: Date,
) -> Result<()> {
    if date.as_number() < account.last_date
        && let Some(last) = Date::from_number(account.last_date)
    {
        return Err(Refusal::BeforeLastMovement { last }.into());
    }
    if kind == SavingsKind::Sukarela
        && let Some(m) = store::last_run_month(conn, coop, jobs::JASA).await?
        && month_number(YearMonth::from(date)) <= m
        && let Ok(month) = YearMonth::new((m / 100) as i32, (m % 100) as u8)
    {
        return Err(Refusal::JasaPosted { month }.into());
    }
    Ok(())
}

fn build(draft: JournalDraft) -> Result<BalancedEntry> {
    draft
        .build()
        .map_err(|e| Failure::Service(ServiceError::Internal(format!("savings entry: {e}"))))
}

fn timeline_kind(t: TxType) -> &'static str {
    match t {
        TxType::Deposit => "savings.deposit",
        TxType::Withdrawal => "savings.withdrawal",
        TxType::TransferIn => "savings.transfer_in",
        TxType::TransferOut => "savings.transfer_out",
        TxType::Jasa => "savings.jasa",
    }
}

fn timeline_summary(
    kind: SavingsKind,
    t: TxType,
    amount: Rupiah,
    after: Rupiah,
    no: &str,
) -> String {
    let sign = if t.adds() { "+" } else { "−" };
    format!("{kind} {sign}{amount} → {after} · {no}")
}

/// The receipt of an earlier request with the same idempotency key, if any.
async fn repeated(
    conn: &mut Conn,
    coop: CooperativeId,
    key: Option<&str>,
) -> Result<Option<Receipt>> {
    match key {
        Some(k) => match store::receipt_for_key(conn, coop, k).await? {
            Some(no) => Ok(Some(read_receipt(conn, coop, &no).await?)),
            None => Ok(None),
        },
        None => Ok(None),
    }
}

/// The member, who must be a calon anggota or anggota to receive money.
async fn active_member(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MemberId,
    payee: bool,
) -> Result<members::Member> {
    let m = members::get(conn, coop, id).await?;
    let status = status_of(&m)?;
    if !is_active(status) {
        return Err(if payee {
            Refusal::PayeeNotMember(status)
        } else {
            Refusal::NotMember(status)
        }
        .into());
    }
    Ok(m)
}

/// One side of a movement, written after its journal entry is posted.
struct Side<'a> {
    account: &'a AccountRow,
    member: &'a members::Member,
    kind: SavingsKind,
    tx_type: TxType,
    amount: Rupiah,
    after: Rupiah,
    entry: i64,
    counterparty: Option<MemberId>,
}

/// Writes the movements of one receipt, their balances and timeline entries.
async fn write_sides(
    conn: &mut Conn,
    desk: &Desk,
    date: Date,
    no: &str,
    note: &str,
    key: Option<&str>,
    sides: &[Side<'_>],
) -> Result<()> {
    let txs: Vec<NewTx<'_>> = sides
        .iter()
        .enumerate()
        .map(|(i, s)| NewTx {
            account_id: s.account.id,
            member_id: s.member.id,
            kind: s.kind.as_str(),
            tx_type: s.tx_type.as_str(),
            date: date.as_number(),
            amount: s.amount.get(),
            balance_after: s.after.get(),
            journal_entry_id: s.entry,
            receipt_no: no,
            counterparty: s.counterparty,
            note,
            teller: &desk.teller,
            created_by: &desk.label,
            // The key marks the request once, on its first movement.
            request_key: if i == 0 { key } else { None },
        })
        .collect();
    store::insert_transactions(conn, desk.coop, &txs, now_ms()).await?;
    for s in sides {
        store::set_balance(
            conn,
            desk.coop,
            s.account.id,
            s.after.get(),
            date.as_number(),
        )
        .await?;
        members::add_to_timeline(
            conn,
            desk.coop,
            s.member.id,
            timeline_kind(s.tx_type),
            &timeline_summary(s.kind, s.tx_type, s.amount, s.after, no),
        )
        .await?;
    }
    Ok(())
}

/// Deposits into a member's account (opened on first use). Pokok only up to the
/// cooperative's amount; a wajib deposit settles the oldest open bills first.
pub async fn deposit(db: &Db, actor: &Actor, input: &MovementIn<'_>) -> Result<Receipt> {
    actor.require(Action::TellerTransactions)?;
    let amt = amount(input.amount)?;
    let kind = SavingsKind::parse(input.kind).map_err(|_| Refusal::Kind)?;
    let note = note(input.note)?;
    let key = request_key(input.request_key)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    if let Some(r) = repeated(&mut tx, coop, key).await? {
        return Ok(r);
    }
    let member = active_member(&mut tx, coop, input.member, false).await?;
    let desk = Desk::open(&mut tx, actor).await?;
    let date = desk.date(input.date)?;
    let account = store::lock_account(&mut tx, coop, member.id, kind.as_str(), now_ms()).await?;
    check_account_date(&mut tx, coop, &account, kind, date).await?;
    let before = Rupiah::new(account.balance);
    let after = rules::deposit(before, amt)?;
    if kind == SavingsKind::Pokok && after > desk.settings.pokok_amount {
        return Err(Refusal::PokokLimit {
            paid: before,
            limit: desk.settings.pokok_amount,
        }
        .into());
    }
    let (seq, no) = desk.receipt_no(&mut tx).await?;
    let entry = build(
        JournalDraft::new(format!(
            "Setoran simpanan {kind} {} ({no})",
            member.member_no
        ))
        .debit(&desk.ledger.system.cash, amt.get())
        .credit(desk.account(kind), amt.get()),
    )?;
    let entry_id = desk.post(&mut tx, date, &entry, seq, member.id).await?;
    write_sides(
        &mut tx,
        &desk,
        date,
        &no,
        note,
        key,
        &[Side {
            account: &account,
            member: &member,
            kind,
            tx_type: TxType::Deposit,
            amount: amt.get(),
            after,
            entry: entry_id.0,
            counterparty: None,
        }],
    )
    .await?;
    if kind == SavingsKind::Wajib {
        settle_bills(&mut tx, coop, member.id, after).await?;
    }
    record(
        &mut tx,
        actor,
        "savings.deposit",
        &format!("member:{}", member.id),
        &format!(
            "kind={kind} amount={} balance={after} date={date} receipt={no} journal={}",
            amt.get().get(),
            entry_id
        ),
    )
    .await?;
    let r = read_receipt(&mut tx, coop, &no).await?;
    tx.commit().await?;
    Ok(r)
}

/// Credits a member's sukarela inside the caller's transaction for a journal entry the
/// caller has already posted to the sukarela account (a loan paid out into savings):
/// the movement with its receipt number, the balance and the timeline. The caller's
/// transaction carries the audit entry; a refusal here (not a member, a date before the
/// account's last movement) rolls the caller's whole change back.
pub async fn credit_sukarela_for_entry(
    conn: &mut Conn,
    actor: &Actor,
    member: MemberId,
    date: Date,
    amount: PositiveAmount,
    entry: guyub_domain::JournalEntryId,
    note: &str,
) -> Result<String> {
    let coop = actor.cooperative_id;
    let member = active_member(conn, coop, member, false).await?;
    let desk = Desk::open(conn, actor).await?;
    let kind = SavingsKind::Sukarela;
    let account = store::lock_account(conn, coop, member.id, kind.as_str(), now_ms()).await?;
    check_account_date(conn, coop, &account, kind, date).await?;
    let before = Rupiah::new(account.balance);
    let after = rules::deposit(before, amount)?;
    let (_, no) = desk.receipt_no(conn).await?;
    write_sides(
        conn,
        &desk,
        date,
        &no,
        note,
        None,
        &[Side {
            account: &account,
            member: &member,
            kind,
            tx_type: TxType::Deposit,
            amount: amount.get(),
            after,
            entry: entry.0,
            counterparty: None,
        }],
    )
    .await?;
    Ok(no)
}

/// Applies what a member has paid into wajib to their bills, oldest first: every bill
/// is paid as far as the wajib balance goes.
async fn settle_bills(
    conn: &mut Conn,
    coop: CooperativeId,
    member: MemberId,
    wajib_balance: Rupiah,
) -> Result<()> {
    let bills = store::bills_of(conn, coop, member).await?;
    let paid: i64 = bills.iter().map(|b| b.paid).sum();
    let mut free = wajib_balance.get().saturating_sub(paid).max(0);
    for b in bills.iter().filter(|b| b.paid < b.amount) {
        if free == 0 {
            break;
        }
        let take = free.min(b.amount - b.paid);
        store::set_bill_paid(conn, coop, b.id, b.paid + take).await?;
        free -= take;
    }
    Ok(())
}

/// Withdraws from an account. Sukarela any time (keeping the minimum while a member);
/// pokok and wajib only once the person has left (see also [`pay_out_capital`]).
pub async fn withdraw(db: &Db, actor: &Actor, input: &MovementIn<'_>) -> Result<Receipt> {
    actor.require(Action::TellerTransactions)?;
    let amt = amount(input.amount)?;
    let kind = SavingsKind::parse(input.kind).map_err(|_| Refusal::Kind)?;
    let note = note(input.note)?;
    let key = request_key(input.request_key)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    if let Some(r) = repeated(&mut tx, coop, key).await? {
        return Ok(r);
    }
    let member = members::get(&mut tx, coop, input.member).await?;
    let active = is_active(status_of(&member)?);
    rules::can_withdraw(kind, active)?;
    let desk = Desk::open(&mut tx, actor).await?;
    let date = desk.date(input.date)?;
    let account = store::lock_account(&mut tx, coop, member.id, kind.as_str(), now_ms()).await?;
    check_account_date(&mut tx, coop, &account, kind, date).await?;
    let before = Rupiah::new(account.balance);
    let after = rules::withdraw(before, amt)?;
    let minimum = desk.settings.sukarela_minimum;
    if kind == SavingsKind::Sukarela && active && after < minimum {
        return Err(Refusal::BelowMinimum {
            balance: before,
            requested: amt.get(),
            minimum,
        }
        .into());
    }
    let (seq, no) = desk.receipt_no(&mut tx).await?;
    let entry = build(
        JournalDraft::new(format!(
            "Penarikan simpanan {kind} {} ({no})",
            member.member_no
        ))
        .debit(desk.account(kind), amt.get())
        .credit(&desk.ledger.system.cash, amt.get()),
    )?;
    let entry_id = desk.post(&mut tx, date, &entry, seq, member.id).await?;
    write_sides(
        &mut tx,
        &desk,
        date,
        &no,
        note,
        key,
        &[Side {
            account: &account,
            member: &member,
            kind,
            tx_type: TxType::Withdrawal,
            amount: amt.get(),
            after,
            entry: entry_id.0,
            counterparty: None,
        }],
    )
    .await?;
    record(
        &mut tx,
        actor,
        "savings.withdrawal",
        &format!("member:{}", member.id),
        &format!(
            "kind={kind} amount={} balance={after} date={date} receipt={no} journal={}",
            amt.get().get(),
            entry_id
        ),
    )
    .await?;
    let r = read_receipt(&mut tx, coop, &no).await?;
    tx.commit().await?;
    Ok(r)
}

/// Moves sukarela from one member to another; both must be members. The ledger gets
/// two entries through the in-transit account, so that each line carries its own
/// member (statements and SHU read members from the lines).
pub async fn transfer(db: &Db, actor: &Actor, input: &TransferIn<'_>) -> Result<Receipt> {
    actor.require(Action::TellerTransactions)?;
    let amt = amount(input.amount)?;
    let note = note(input.note)?;
    let key = request_key(input.request_key)?;
    if input.from == input.to {
        return Err(Refusal::SelfTransfer.into());
    }
    let coop = actor.cooperative_id;
    let kind = SavingsKind::Sukarela;
    let mut tx = db.begin_write().await?;
    if let Some(r) = repeated(&mut tx, coop, key).await? {
        return Ok(r);
    }
    let payer = active_member(&mut tx, coop, input.from, false).await?;
    let payee = active_member(&mut tx, coop, input.to, true).await?;
    let desk = Desk::open(&mut tx, actor).await?;
    let date = desk.date(input.date)?;
    // Lock in id order, so two opposite transfers cannot deadlock.
    let (first, second) = if payer.id < payee.id {
        (payer.id, payee.id)
    } else {
        (payee.id, payer.id)
    };
    let a = store::lock_account(&mut tx, coop, first, kind.as_str(), now_ms()).await?;
    let b = store::lock_account(&mut tx, coop, second, kind.as_str(), now_ms()).await?;
    let (from_acc, to_acc) = if a.member_id == payer.id {
        (a, b)
    } else {
        (b, a)
    };
    check_account_date(&mut tx, coop, &from_acc, kind, date).await?;
    check_account_date(&mut tx, coop, &to_acc, kind, date).await?;
    let from_before = Rupiah::new(from_acc.balance);
    let (from_after, to_after) = rules::transfer(from_before, Rupiah::new(to_acc.balance), amt)?;
    let minimum = desk.settings.sukarela_minimum;
    if from_after < minimum {
        return Err(Refusal::BelowMinimum {
            balance: from_before,
            requested: amt.get(),
            minimum,
        }
        .into());
    }
    let (seq, no) = desk.receipt_no(&mut tx).await?;
    let transit = &desk.ledger.system.payments_in_transit;
    let sukarela = desk.account(kind);
    let out = build(
        JournalDraft::new(format!(
            "Transfer simpanan sukarela {} ke {} ({no})",
            payer.member_no, payee.member_no
        ))
        .debit(sukarela, amt.get())
        .credit(transit, amt.get()),
    )?;
    let into = build(
        JournalDraft::new(format!(
            "Transfer simpanan sukarela dari {} ke {} ({no})",
            payer.member_no, payee.member_no
        ))
        .debit(transit, amt.get())
        .credit(sukarela, amt.get()),
    )?;
    let source = Source {
        kind: "savings",
        id: Some(seq),
    };
    let ids = ledger::post(
        &mut tx,
        &desk.ledger,
        &desk.label,
        &[
            Posting {
                date,
                entry: &out,
                source,
                member: Some(payer.id),
                reverses: None,
            },
            Posting {
                date,
                entry: &into,
                source,
                member: Some(payee.id),
                reverses: None,
            },
        ],
    )
    .await?;
    write_sides(
        &mut tx,
        &desk,
        date,
        &no,
        note,
        key,
        &[
            Side {
                account: &from_acc,
                member: &payer,
                kind,
                tx_type: TxType::TransferOut,
                amount: amt.get(),
                after: from_after,
                entry: ids[0].0,
                counterparty: Some(payee.id),
            },
            Side {
                account: &to_acc,
                member: &payee,
                kind,
                tx_type: TxType::TransferIn,
                amount: amt.get(),
                after: to_after,
                entry: ids[1].0,
                counterparty: Some(payer.id),
            },
        ],
    )
    .await?;
    record(
        &mut tx,
        actor,
        "savings.transfer",
        &format!("member:{}", payer.id),
        &format!(
            "to=member:{} amount={} date={date} receipt={no} journal={},{}",
            payee.id,
            amt.get().get(),
            ids[0],
            ids[1]
        ),
    )
    .await?;
    let r = read_receipt(&mut tx, coop, &no).await?;
    tx.commit().await?;
    Ok(r)
}

/// Pays a person who left (keluar, or the heirs of one who died) their simpanan pokok
/// and wajib in full, on one receipt and one journal entry. Sukarela is withdrawn as
/// usual.
pub async fn pay_out_capital(
    db: &Db,
    actor: &Actor,
    member: MemberId,
    date: Option<Date>,
    note_text: &str,
    key: Option<&str>,
) -> Result<Receipt> {
    actor.require(Action::TellerTransactions)?;
    let note = note(note_text)?;
    let key = request_key(key)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    if let Some(r) = repeated(&mut tx, coop, key).await? {
        return Ok(r);
    }
    let m = members::get(&mut tx, coop, member).await?;
    if is_active(status_of(&m)?) {
        return Err(Refusal::StillMember.into());
    }
    let desk = Desk::open(&mut tx, actor).await?;
    let date = desk.date(date)?;
    let held: Vec<AccountRow> = store::accounts_of(&mut tx, coop, member)
        .await?
        .into_iter()
        .filter(|a| a.balance > 0 && a.kind != SavingsKind::Sukarela.as_str())
        .collect();
    if held.is_empty() {
        return Err(Refusal::NothingToPayOut.into());
    }
    let mut accounts = Vec::new();
    for a in &held {
        let kind = SavingsKind::parse(&a.kind).map_err(|_| Refusal::Kind)?;
        rules::can_withdraw(kind, false)?;
        let locked = store::lock_account(&mut tx, coop, member, kind.as_str(), now_ms()).await?;
        check_account_date(&mut tx, coop, &locked, kind, date).await?;
        accounts.push((kind, locked));
    }
    let (seq, no) = desk.receipt_no(&mut tx).await?;
    let mut draft = JournalDraft::new(format!(
        "Pengembalian simpanan pokok dan wajib {} ({no})",
        m.member_no
    ));
    let mut total = Rupiah::ZERO;
    for (kind, a) in &accounts {
        let bal = Rupiah::new(a.balance);
        draft = draft.debit(desk.account(*kind), bal);
        total = total
            .checked_add(bal)
            .map_err(|e| Failure::Service(ServiceError::Internal(e.to_string())))?;
    }
    let entry = build(draft.credit(&desk.ledger.system.cash, total))?;
    let entry_id = desk.post(&mut tx, date, &entry, seq, member).await?;
    let sides: Vec<Side<'_>> = accounts
        .iter()
        .map(|(kind, a)| Side {
            account: a,
            member: &m,
            kind: *kind,
            tx_type: TxType::Withdrawal,
            amount: Rupiah::new(a.balance),
            after: Rupiah::ZERO,
            entry: entry_id.0,
            counterparty: None,
        })
        .collect();
    write_sides(&mut tx, &desk, date, &no, note, key, &sides).await?;
    record(
        &mut tx,
        actor,
        "savings.capital_paid_out",
        &format!("member:{member}"),
        &format!(
            "amount={} date={date} receipt={no} journal={}",
            total.get(),
            entry_id
        ),
    )
    .await?;
    let r = read_receipt(&mut tx, coop, &no).await?;
    tx.commit().await?;
    Ok(r)
}

/// Balances of every kind across the cooperative: (kind, accounts, total).
pub async fn summary(db: &Db, actor: &Actor) -> ServiceResult<Vec<(SavingsKind, i64, Rupiah)>> {
    require_view(actor)?;
    let rows = store::totals(&mut *db.conn().await?, actor.cooperative_id).await?;
    Ok(SavingsKind::ALL
        .into_iter()
        .map(|k| {
            rows.iter()
                .find(|(kind, _, _)| kind == k.as_str())
                .map(|(_, n, total)| (k, *n, Rupiah::new(*total)))
                .unwrap_or((k, 0, Rupiah::ZERO))
        })
        .collect())
}
