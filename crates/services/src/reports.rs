//! Financial reports read from the ledger's daily balances (never by adding up the
//! journal): laporan posisi keuangan (balance sheet), laporan hasil usaha (income
//! statement) with member and non-member revenue apart and the surplus split between
//! them, the cash book and the general-ledger account card (the only two that read
//! journal lines, and only the lines of one account in the range asked for).
//!
//! Amounts are shown on the normal side of the account's *kind* (debit for assets and
//! expenses, credit for the rest), so a contra account (accumulated depreciation, the
//! loan-loss allowance) shows as a negative amount under its heading and headings add
//! up their children.

use crate::ledger::{Ledger, SHU_KINDS, load_read};
use crate::{Actor, Result, ServiceError, invalid};
use guyub_domain::money::round_half_up;
use guyub_domain::{AccountId, Action, Date, JournalEntryId};
use guyub_store::ledger::{self as store, AccountRow};
use guyub_store::{Conn, Db};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// At most this many lines on one cash book or account card; narrow the dates for more.
pub const CARD_LIMIT: i64 = 5_000;

/// One row of a statement: a heading (the sum of its accounts) or an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// 0 for the kind's heading, one more per level below it.
    pub depth: usize,
    pub is_group: bool,
    pub amount: i64,
}

/// The amount of an account on its kind's normal side.
fn kind_amount(kind: &str, debit: i64, credit: i64) -> i64 {
    if matches!(kind, "asset" | "expense") {
        debit - credit
    } else {
        credit - debit
    }
}

fn by_code(ledger: &Ledger) -> HashMap<&str, &AccountRow> {
    ledger
        .chart()
        .into_iter()
        .map(|a| (a.code.as_str(), a))
        .collect()
}

/// Whether `account` is `heading` or sits (at any depth) under it.
fn is_under(chart: &HashMap<&str, &AccountRow>, account: &AccountRow, heading: &str) -> bool {
    let mut current = Some(account);
    // A chart is shallow; the bound only guards against a cycle in edited data.
    for _ in 0..32 {
        match current {
            Some(a) if a.code == heading => return true,
            Some(a) => current = a.parent_code.as_deref().and_then(|p| chart.get(p).copied()),
            None => return false,
        }
    }
    false
}

/// The rows of one kind in chart order: every heading with something under it, and
/// every account with a balance. Returns the rows and the kind's total.
fn tree(ledger: &Ledger, amounts: &HashMap<AccountId, i64>, kind: &str) -> (Vec<ReportRow>, i64) {
    let chart = by_code(ledger);
    let accounts: Vec<&AccountRow> = ledger
        .chart()
        .into_iter()
        .filter(|a| a.kind == kind)
        .collect();
    let mut sums: HashMap<&str, i64> = HashMap::new();
    let mut shown: HashSet<&str> = HashSet::new();
    let mut total = 0i64;
    for a in accounts.iter().filter(|a| !a.is_group) {
        let amount = amounts.get(&a.id).copied().unwrap_or(0);
        if amount == 0 {
            continue;
        }
        total += amount;
        let mut current = Some(*a);
        for _ in 0..32 {
            let Some(c) = current else { break };
            *sums.entry(c.code.as_str()).or_default() += amount;
            shown.insert(c.code.as_str());
            current = c.parent_code.as_deref().and_then(|p| chart.get(p).copied());
        }
    }
    let depth = |a: &AccountRow| {
        let mut d = 0;
        let mut current = a.parent_code.as_deref().and_then(|p| chart.get(p).copied());
        while let Some(c) = current {
            d += 1;
            if d > 32 {
                break;
            }
            current = c.parent_code.as_deref().and_then(|p| chart.get(p).copied());
        }
        d
    };
    let rows = accounts
        .iter()
        .filter(|a| shown.contains(a.code.as_str()) || (a.is_group && a.parent_code.is_none()))
        .map(|a| ReportRow {
            code: a.code.clone(),
            name_id: a.name_id.clone(),
            name_en: a.name_en.clone(),
            depth: depth(a),
            is_group: a.is_group,
            amount: sums.get(a.code.as_str()).copied().unwrap_or(0),
        })
        .collect();
    (rows, total)
}

/// Laporan posisi keuangan as of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceSheet {
    pub as_of: Date,
    pub assets: Vec<ReportRow>,
    pub total_assets: i64,
    pub liabilities: Vec<ReportRow>,
    pub total_liabilities: i64,
    pub equity: Vec<ReportRow>,
    /// Revenue less expense not yet closed into SHU (the year's running surplus).
    pub current_surplus: i64,
    /// Equity accounts plus the current surplus.
    pub total_equity: i64,
    /// Assets equal liabilities plus equity (always, for a ledger of balanced entries).
    pub balanced: bool,
}

pub async fn balance_sheet(db: &Db, actor: &Actor, as_of: Date) -> Result<BalanceSheet> {
    actor.require(Action::ViewReports)?;
    let mut conn = db.conn().await?;
    let ledger = load_read(&mut conn, db, actor.cooperative_id).await?;
    let totals = store::totals(&mut conn, ledger.cooperative_id, 0, as_of.as_number()).await?;
    let mut amounts = HashMap::new();
    let mut current_surplus = 0i64;
    for a in ledger.chart() {
        if let Some(&(d, c)) = totals.get(&a.id) {
            amounts.insert(a.id, kind_amount(&a.kind, d, c));
            match a.kind.as_str() {
                "revenue" => current_surplus += c - d,
                "expense" => current_surplus -= d - c,
                _ => {}
            }
        }
    }
    let (assets, total_assets) = tree(&ledger, &amounts, "asset");
    let (liabilities, total_liabilities) = tree(&ledger, &amounts, "liability");
    let (equity, equity_accounts) = tree(&ledger, &amounts, "equity");
    let total_equity = equity_accounts + current_surplus;
    Ok(BalanceSheet {
        as_of,
        assets,
        total_assets,
        liabilities,
        total_liabilities,
        equity,
        current_surplus,
        total_equity,
        balanced: total_assets == total_liabilities + total_equity,
    })
}

/// The year's surplus split between members and non-members (SAK EP's laporan hasil
/// usaha shows them apart; SHU shares only the members' part). See docs/MONEY.md:
///
/// - member revenue: accounts under the heading of the member revenue accounts
///   (4-1000 in the default chart); non-member revenue: under the heading of the
///   non-member sales account (4-2000); other revenue (4-3000): neither;
/// - direct costs: cost of sales to members (5-1100) and to non-members (5-1200);
/// - common costs: every other expense, less the other revenue; shared between members
///   and non-members in proportion to their revenue, rounded half up (all to members
///   when there is no member or non-member revenue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SurplusSplit {
    pub member_revenue: i64,
    pub non_member_revenue: i64,
    pub other_revenue: i64,
    pub member_direct_costs: i64,
    pub non_member_direct_costs: i64,
    /// Expenses other than the direct costs.
    pub common_costs: i64,
    /// Common costs less other revenue, the part borne by non-members.
    pub common_to_non_members: i64,
    pub common_to_members: i64,
    pub surplus_members: i64,
    pub surplus_non_members: i64,
}

/// Laporan hasil usaha over a range of days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomeStatement {
    pub from: Date,
    pub to: Date,
    pub revenue: Vec<ReportRow>,
    pub total_revenue: i64,
    pub expenses: Vec<ReportRow>,
    pub total_expenses: i64,
    /// Revenue less expenses.
    pub surplus: i64,
    pub split: SurplusSplit,
}

/// Revenue and expense amounts per account over `[from, to]`, with the year-end
/// closing entries (which move revenue and expense into SHU) set aside, so that a
/// year already closed still shows what it earned.
pub(crate) async fn operating_amounts(
    conn: &mut Conn,
    ledger: &Ledger,
    from: Date,
    to: Date,
) -> Result<HashMap<AccountId, i64>> {
    let coop = ledger.cooperative_id;
    let mut totals = store::totals(conn, coop, from.as_number(), to.as_number()).await?;
    let closings: Vec<JournalEntryId> =
        store::entries_of_kind(conn, coop, SHU_KINDS[0], from.as_number(), to.as_number()).await?;
    for l in store::lines_of(conn, coop, &closings).await? {
        let t = totals.entry(l.account_id).or_default();
        t.0 -= l.debit;
        t.1 -= l.credit;
    }
    let mut amounts = HashMap::new();
    for a in ledger.chart() {
        if !matches!(a.kind.as_str(), "revenue" | "expense") {
            continue;
        }
        if let Some(&(d, c)) = totals.get(&a.id) {
            amounts.insert(a.id, kind_amount(&a.kind, d, c));
        }
    }
    Ok(amounts)
}

/// Splits revenue and expense amounts into member and non-member parts.
pub(crate) fn split_surplus(
    ledger: &Ledger,
    amounts: &HashMap<AccountId, i64>,
) -> Result<SurplusSplit> {
    let chart = by_code(ledger);
    let parent_of = |code: &str| {
        chart
            .get(code)
            .map(|a| a.parent_code.clone().unwrap_or_else(|| a.code.clone()))
    };
    let member_heading = parent_of(ledger.system.interest_income_member.as_str());
    let non_member_heading = parent_of(ledger.system.sales_non_member.as_str());
    let cogs_member = ledger.system.cogs_member.as_str();
    let cogs_non_member = ledger.system.cogs_non_member.as_str();
    let mut s = SurplusSplit::default();
    for a in ledger.chart() {
        let Some(&amount) = amounts.get(&a.id) else {
            continue;
        };
        match a.kind.as_str() {
            "revenue" => {
                if member_heading
                    .as_deref()
                    .is_some_and(|h| is_under(&chart, a, h))
                {
                    s.member_revenue += amount;
                } else if non_member_heading
                    .as_deref()
                    .is_some_and(|h| is_under(&chart, a, h))
                {
                    s.non_member_revenue += amount;
                } else {
                    s.other_revenue += amount;
                }
            }
            "expense" => {
                if a.code == cogs_member {
                    s.member_direct_costs += amount;
                } else if a.code == cogs_non_member {
                    s.non_member_direct_costs += amount;
                } else {
                    s.common_costs += amount;
                }
            }
            _ => {}
        }
    }
    let common_net = s.common_costs - s.other_revenue;
    let base = s.member_revenue + s.non_member_revenue;
    s.common_to_non_members = if base > 0 && s.non_member_revenue > 0 {
        let share =
            Decimal::from(common_net) * Decimal::from(s.non_member_revenue) / Decimal::from(base);
        round_half_up(share)
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .get()
    } else {
        0
    };
    s.common_to_members = common_net - s.common_to_non_members;
    s.surplus_non_members =
        s.non_member_revenue - s.non_member_direct_costs - s.common_to_non_members;
    s.surplus_members = s.member_revenue - s.member_direct_costs - s.common_to_members;
    Ok(s)
}

pub(crate) async fn income_statement_of(
    conn: &mut Conn,
    ledger: &Ledger,
    from: Date,
    to: Date,
) -> Result<IncomeStatement> {
    let amounts = operating_amounts(conn, ledger, from, to).await?;
    let (revenue, total_revenue) = tree(ledger, &amounts, "revenue");
    let (expenses, total_expenses) = tree(ledger, &amounts, "expense");
    let split = split_surplus(ledger, &amounts)?;
    Ok(IncomeStatement {
        from,
        to,
        revenue,
        total_revenue,
        expenses,
        total_expenses,
        surplus: total_revenue - total_expenses,
        split,
    })
}

pub async fn income_statement(
    db: &Db,
    actor: &Actor,
    from: Date,
    to: Date,
) -> Result<IncomeStatement> {
    actor.require(Action::ViewReports)?;
    if from > to {
        return Err(invalid("from", "the start is after the end"));
    }
    let mut conn = db.conn().await?;
    let ledger = load_read(&mut conn, db, actor.cooperative_id).await?;
    income_statement_of(&mut conn, &ledger, from, to).await
}

/// One posting on an account card, with the balance after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardLine {
    pub entry_id: JournalEntryId,
    pub entry_no: i64,
    pub date: Date,
    pub memo: String,
    pub debit: i64,
    pub credit: i64,
    pub balance: i64,
    pub member_id: Option<i64>,
}

/// An account's postings over a range with a running balance (the general-ledger
/// card; the cash book is the card of the cash account).
#[derive(Debug, Clone)]
pub struct AccountCard {
    pub account: AccountRow,
    pub from: Date,
    pub to: Date,
    /// The balance at the end of the day before `from`, on the account's normal side.
    pub opening: i64,
    pub lines: Vec<CardLine>,
    pub total_debit: i64,
    pub total_credit: i64,
    pub closing: i64,
    /// More than [`CARD_LIMIT`] lines fell in the range: only the first are shown.
    pub truncated: bool,
}

/// The card of the account with `code` (the cash account when `None`).
pub async fn account_card(
    db: &Db,
    actor: &Actor,
    code: Option<&str>,
    from: Date,
    to: Date,
) -> Result<AccountCard> {
    actor.require(Action::ViewLedger)?;
    if from > to {
        return Err(invalid("from", "the start is after the end"));
    }
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let ledger = load_read(&mut conn, db, coop).await?;
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or(ledger.system.cash.as_str())
        .to_string();
    let account = ledger
        .chart()
        .into_iter()
        .find(|a| a.code == code)
        .cloned()
        .ok_or_else(|| invalid("account", format!("account {code} is not in the chart")))?;
    if account.is_group {
        return Err(invalid(
            "account",
            format!("account {code} is a heading; choose one of its accounts"),
        ));
    }
    let debit_normal = matches!(account.kind.as_str(), "asset" | "expense") != account.contra;
    let side = |d: i64, c: i64| if debit_normal { d - c } else { c - d };
    // Day numbers are YYYYMMDD: one less than the first day is before it.
    let (od, oc) =
        store::account_totals(&mut conn, coop, account.id, 0, from.as_number() - 1).await?;
    let (td, tc) = store::account_totals(
        &mut conn,
        coop,
        account.id,
        from.as_number(),
        to.as_number(),
    )
    .await?;
    let opening = side(od, oc);
    let mut rows = store::account_lines(
        &mut conn,
        coop,
        account.id,
        from.as_number(),
        to.as_number(),
        CARD_LIMIT + 1,
    )
    .await?;
    let truncated = rows.len() as i64 > CARD_LIMIT;
    rows.truncate(CARD_LIMIT as usize);
    let mut balance = opening;
    let lines = rows
        .into_iter()
        .map(|r| {
            balance += side(r.debit, r.credit);
            CardLine {
                entry_id: r.entry_id,
                entry_no: r.entry_no,
                date: Date::from_number(r.date).unwrap_or(from),
                memo: r.memo,
                debit: r.debit,
                credit: r.credit,
                balance,
                member_id: r.member_id,
            }
        })
        .collect();
    Ok(AccountCard {
        account,
        from,
        to,
        opening,
        lines,
        total_debit: td,
        total_credit: tc,
        // From the daily balances, so it is right even when the lines are cut short.
        closing: opening + side(td, tc),
        truncated,
    })
}

/// Buku kas: the cash account's card.
pub async fn cash_book(db: &Db, actor: &Actor, from: Date, to: Date) -> Result<AccountCard> {
    actor.require(Action::ViewReports)?;
    account_card(db, actor, None, from, to).await
}

/// The first day of `year`'s fiscal year (the calendar year) and its last.
pub fn fiscal_year(year: i32) -> Option<(Date, Date)> {
    Some((Date::new(year, 1, 1)?, Date::new(year, 12, 31)?))
}
