//! The general ledger's tables: accounts, the ledger settings of a cooperative,
//! journal entries and lines, and daily balances per account. Entries are only ever
//! inserted; `post` writes entries, their lines and the daily balances in the caller's
//! transaction, many entries per statement.

use crate::{Conn, Result, StoreError, found};
use guyub_domain::{AccountId, CooperativeId, JournalEntryId};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};

/// Rows per multi-row statement (bound positionally on SQLite: `crate::positional`).
const ENTRY_CHUNK: usize = 50;
const LINE_CHUNK: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: AccountId,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub kind: String,
    pub parent_code: Option<String>,
    pub is_group: bool,
    pub contra: bool,
    pub active: bool,
}

pub struct NewAccount<'a> {
    pub code: &'a str,
    pub name_id: &'a str,
    pub name_en: &'a str,
    pub kind: &'a str,
    pub parent_code: Option<&'a str>,
    pub is_group: bool,
    pub contra: bool,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub capital_booking: String,
    pub system_accounts: String,
    pub closed_through: i64,
}

pub async fn settings(conn: &mut Conn, coop: CooperativeId) -> Result<Option<Settings>> {
    let r = sqlx::query(
        "SELECT capital_booking, system_accounts, closed_through FROM ledger_settings WHERE cooperative_id = $1",
    )
    .bind(coop.0)
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| {
        Ok(Settings {
            capital_booking: r.try_get("capital_booking")?,
            system_accounts: r.try_get("system_accounts")?,
            closed_through: r.try_get("closed_through")?,
        })
    })
    .transpose()
}

/// Seeds a cooperative's chart and settings; does nothing when it has them already.
pub async fn seed(
    conn: &mut Conn,
    coop: CooperativeId,
    accounts: &[NewAccount<'_>],
    capital_booking: &str,
    system_accounts: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO ledger_settings (cooperative_id, capital_booking, system_accounts) VALUES ($1, $2, $3)
         ON CONFLICT (cooperative_id) DO NOTHING",
    )
    .bind(coop.0)
    .bind(capital_booking)
    .bind(system_accounts)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    for a in accounts {
        insert_account(conn, coop, a, now).await?;
    }
    Ok(true)
}

pub async fn insert_account(
    conn: &mut Conn,
    coop: CooperativeId,
    a: &NewAccount<'_>,
    now: i64,
) -> Result<AccountId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (cooperative_id, code, name_id, name_en, kind, parent_code, is_group, contra, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) RETURNING id",
    )
    .bind(coop.0)
    .bind(a.code)
    .bind(a.name_id)
    .bind(a.name_en)
    .bind(a.kind)
    .bind(a.parent_code)
    .bind(a.is_group as i64)
    .bind(a.contra as i64)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "an account with this code"))?;
    Ok(AccountId(id))
}

/// Renames an account or switches it on or off (its code and kind stay: entries
/// already posted to it keep their meaning).
pub async fn update_account(
    conn: &mut Conn,
    coop: CooperativeId,
    id: AccountId,
    name_id: &str,
    name_en: &str,
    active: bool,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE accounts SET name_id = $3, name_en = $4, active = $5 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(name_id)
    .bind(name_en)
    .bind(active as i64)
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn account_row(r: &AnyRow) -> Result<AccountRow> {
    Ok(AccountRow {
        id: AccountId(r.try_get("id")?),
        code: r.try_get("code")?,
        name_id: r.try_get("name_id")?,
        name_en: r.try_get("name_en")?,
        kind: r.try_get("kind")?,
        parent_code: r.try_get("parent_code")?,
        is_group: r.try_get::<i64, _>("is_group")? != 0,
        contra: r.try_get::<i64, _>("contra")? != 0,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

/// The chart, in code order.
pub async fn accounts(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<AccountRow>> {
    let rows = sqlx::query(
        "SELECT id, code, name_id, name_en, kind, parent_code, is_group, contra, active FROM accounts
         WHERE cooperative_id = $1 ORDER BY code",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(account_row).collect()
}

pub async fn set_system_accounts(conn: &mut Conn, coop: CooperativeId, json: &str) -> Result<()> {
    sqlx::query("UPDATE ledger_settings SET system_accounts = $2 WHERE cooperative_id = $1")
        .bind(coop.0)
        .bind(json)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Closes the books through `day` (YYYYMMDD). Only moves forward.
pub async fn close_through(conn: &mut Conn, coop: CooperativeId, day: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE ledger_settings SET closed_through = $2 WHERE cooperative_id = $1 AND closed_through < $2",
    )
    .bind(coop.0)
    .bind(day)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One line to post.
#[derive(Debug, Clone, Copy)]
pub struct NewLine {
    pub account_id: AccountId,
    pub debit: i64,
    pub credit: i64,
    pub member_id: Option<i64>,
}

/// One entry to post (the services build it from a balanced domain entry).
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub date: i64,
    pub memo: &'a str,
    pub source_kind: &'a str,
    pub source_id: Option<i64>,
    pub member_id: Option<i64>,
    pub reverses: Option<JournalEntryId>,
    pub created_by: &'a str,
    pub lines: Vec<NewLine>,
}

/// Posts entries, in order, with their lines and daily balances. Refuses (before
/// writing anything) an entry whose debits and credits differ or that has no lines:
/// the services only post balanced entries, this is the last guard.
pub async fn post(
    conn: &mut Conn,
    coop: CooperativeId,
    entries: &[NewEntry<'_>],
    now: i64,
) -> Result<Vec<JournalEntryId>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut totals = Vec::with_capacity(entries.len());
    for e in entries {
        let (d, c) = e.lines.iter().fold((0i128, 0i128), |(d, c), l| {
            (d + i128::from(l.debit), c + i128::from(l.credit))
        });
        if e.lines.len() < 2 || d != c || d <= 0 || d > i128::from(i64::MAX) {
            return Err(StoreError::Conflict("an unbalanced journal entry"));
        }
        totals.push(d as i64);
    }
    let n = entries.len() as i64;
    let end: i64 = sqlx::query_scalar(
        "UPDATE ledger_settings SET next_entry_no = next_entry_no + $2 WHERE cooperative_id = $1 RETURNING next_entry_no",
    )
    .bind(coop.0)
    .bind(n)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let first_no = end - n;
    for (ci, chunk) in entries.chunks(ENTRY_CHUNK).enumerate() {
        let mut sql = String::from(
            "INSERT INTO journal_entries (cooperative_id, entry_no, entry_date, memo, source_kind, source_id, member_id, reverses_entry_id, total, created_by, created_at) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 11);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for (i, e) in chunk.iter().enumerate() {
            let k = ci * ENTRY_CHUNK + i;
            q = q
                .bind(coop.0)
                .bind(first_no + k as i64)
                .bind(e.date)
                .bind(e.memo)
                .bind(e.source_kind)
                .bind(e.source_id)
                .bind(e.member_id)
                .bind(e.reverses.map(|r| r.0))
                .bind(totals[k])
                .bind(e.created_by)
                .bind(now);
        }
        q.execute(&mut *conn)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, "a reversal of this entry"))?;
    }
    let rows = sqlx::query(
        "SELECT id, entry_no FROM journal_entries WHERE cooperative_id = $1 AND entry_no >= $2 AND entry_no < $3",
    )
    .bind(coop.0)
    .bind(first_no)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = vec![JournalEntryId(0); entries.len()];
    for r in rows {
        let no: i64 = r.try_get("entry_no")?;
        ids[(no - first_no) as usize] = JournalEntryId(r.try_get("id")?);
    }
    // Lines, and the day totals they add to.
    let mut lines = Vec::new();
    let mut days: BTreeMap<(i64, i64), (i64, i64)> = BTreeMap::new();
    for (e, id) in entries.iter().zip(&ids) {
        for l in &e.lines {
            lines.push((id.0, e.date, l));
            let t = days.entry((l.account_id.0, e.date)).or_default();
            t.0 += l.debit;
            t.1 += l.credit;
        }
    }
    for chunk in lines.chunks(LINE_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO journal_lines (cooperative_id, entry_id, account_id, entry_date, debit, credit, member_id) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 7);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for (entry, date, l) in chunk {
            q = q
                .bind(coop.0)
                .bind(*entry)
                .bind(l.account_id.0)
                .bind(*date)
                .bind(l.debit)
                .bind(l.credit)
                .bind(l.member_id);
        }
        q.execute(&mut *conn).await?;
    }
    let days: Vec<_> = days.into_iter().collect();
    for chunk in days.chunks(LINE_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO ledger_daily (cooperative_id, account_id, day, debit, credit) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 5);
        sql.push_str(
            " ON CONFLICT (cooperative_id, account_id, day) DO UPDATE SET debit = ledger_daily.debit + excluded.debit, credit = ledger_daily.credit + excluded.credit",
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for ((account, day), (d, c)) in chunk {
            q = q.bind(coop.0).bind(*account).bind(*day).bind(*d).bind(*c);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(ids)
}

#[derive(Debug, Clone)]
pub struct EntryRow {
    pub id: JournalEntryId,
    pub entry_no: i64,
    pub date: i64,
    pub memo: String,
    pub source_kind: String,
    pub source_id: Option<i64>,
    pub member_id: Option<i64>,
    pub reverses: Option<JournalEntryId>,
    pub total: i64,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct LineRow {
    pub entry_id: JournalEntryId,
    pub account_id: AccountId,
    pub debit: i64,
    pub credit: i64,
    pub member_id: Option<i64>,
}

const ENTRY_COLS: &str = "id, entry_no, entry_date, memo, source_kind, source_id, member_id, reverses_entry_id, total, created_by, created_at";

fn entry_row(r: &AnyRow) -> Result<EntryRow> {
    Ok(EntryRow {
        id: JournalEntryId(r.try_get("id")?),
        entry_no: r.try_get("entry_no")?,
        date: r.try_get("entry_date")?,
        memo: r.try_get("memo")?,
        source_kind: r.try_get("source_kind")?,
        source_id: r.try_get("source_id")?,
        member_id: r.try_get("member_id")?,
        reverses: r
            .try_get::<Option<i64>, _>("reverses_entry_id")?
            .map(JournalEntryId),
        total: r.try_get("total")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn entry(conn: &mut Conn, coop: CooperativeId, id: JournalEntryId) -> Result<EntryRow> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLS} FROM journal_entries WHERE cooperative_id = $1 AND id = $2"
    )))
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    entry_row(&found(r)?)
}

/// The entry that reverses `id`, if any.
pub async fn reversal_of(
    conn: &mut Conn,
    coop: CooperativeId,
    id: JournalEntryId,
) -> Result<Option<JournalEntryId>> {
    let r: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM journal_entries WHERE cooperative_id = $1 AND reverses_entry_id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(r.map(JournalEntryId))
}

/// Entries dated within `[from, to]`, newest first, `before` (an id) for paging.
pub async fn entries(
    conn: &mut Conn,
    coop: CooperativeId,
    from: i64,
    to: i64,
    before: Option<JournalEntryId>,
    limit: i64,
) -> Result<Vec<EntryRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLS} FROM journal_entries WHERE cooperative_id = $1 AND entry_date >= $2 AND entry_date <= $3
         AND id < $4 ORDER BY id DESC LIMIT $5"
    )))
    .bind(coop.0)
    .bind(from)
    .bind(to)
    .bind(before.map(|b| b.0).unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(entry_row).collect()
}

/// The entries of one source (a savings transaction, a loan), oldest first.
pub async fn entries_of_source(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
    id: i64,
) -> Result<Vec<EntryRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLS} FROM journal_entries WHERE cooperative_id = $1 AND source_kind = $2 AND source_id = $3 ORDER BY id"
    )))
    .bind(coop.0)
    .bind(kind)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(entry_row).collect()
}

/// The lines of these entries.
pub async fn lines_of(
    conn: &mut Conn,
    coop: CooperativeId,
    entries: &[JournalEntryId],
) -> Result<Vec<LineRow>> {
    let mut out = Vec::new();
    for chunk in entries.chunks(500) {
        if chunk.is_empty() {
            continue;
        }
        let list = chunk
            .iter()
            .map(|i| i.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT entry_id, account_id, debit, credit, member_id FROM journal_lines
             WHERE cooperative_id = $1 AND entry_id IN ({list}) ORDER BY id"
        )))
        .bind(coop.0)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            out.push(LineRow {
                entry_id: JournalEntryId(r.try_get("entry_id")?),
                account_id: AccountId(r.try_get("account_id")?),
                debit: r.try_get("debit")?,
                credit: r.try_get("credit")?,
                member_id: r.try_get("member_id")?,
            });
        }
    }
    Ok(out)
}

/// Debit and credit totals per account over days `[from, to]` (YYYYMMDD), from the
/// daily balances: a trial balance is `from = 0`.
pub async fn totals(
    conn: &mut Conn,
    coop: CooperativeId,
    from: i64,
    to: i64,
) -> Result<HashMap<AccountId, (i64, i64)>> {
    let rows = sqlx::query(
        "SELECT account_id, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM ledger_daily
         WHERE cooperative_id = $1 AND day >= $2 AND day <= $3 GROUP BY account_id",
    )
    .bind(coop.0)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                AccountId(r.try_get("account_id")?),
                (r.try_get("d")?, r.try_get("c")?),
            ))
        })
        .collect()
}

/// One posting to an account, with its entry, for account cards and the cash book.
#[derive(Debug, Clone)]
pub struct AccountLine {
    pub entry_id: JournalEntryId,
    pub entry_no: i64,
    pub date: i64,
    pub memo: String,
    pub debit: i64,
    pub credit: i64,
    pub member_id: Option<i64>,
}

/// Postings to an account over `[from, to]`, oldest first (at most `limit`).
pub async fn account_lines(
    conn: &mut Conn,
    coop: CooperativeId,
    account: AccountId,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<AccountLine>> {
    let rows = sqlx::query(
        "SELECT l.entry_id, e.entry_no, l.entry_date, e.memo, l.debit, l.credit, l.member_id
         FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
         WHERE l.cooperative_id = $1 AND l.account_id = $2 AND l.entry_date >= $3 AND l.entry_date <= $4
         ORDER BY l.entry_date, l.id LIMIT $5",
    )
    .bind(coop.0)
    .bind(account.0)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AccountLine {
                entry_id: JournalEntryId(r.try_get("entry_id")?),
                entry_no: r.try_get("entry_no")?,
                date: r.try_get("entry_date")?,
                memo: r.try_get("memo")?,
                debit: r.try_get("debit")?,
                credit: r.try_get("credit")?,
                member_id: r.try_get("member_id")?,
            })
        })
        .collect()
}

/// Entries dated within `[from, to]` (YYYYMMDD), oldest first, `after` an entry id
/// for paging, with their lines: the exports read the journal page by page.
pub async fn export_page(
    conn: &mut Conn,
    coop: CooperativeId,
    from: i64,
    to: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<(EntryRow, Vec<LineRow>)>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLS} FROM journal_entries WHERE cooperative_id = $1 AND id > $2
         AND entry_date >= $3 AND entry_date <= $4 ORDER BY id LIMIT $5"
    )))
    .bind(coop.0)
    .bind(after)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let entries: Vec<EntryRow> = rows.iter().map(entry_row).collect::<Result<_>>()?;
    let ids: Vec<JournalEntryId> = entries.iter().map(|e| e.id).collect();
    let mut by_entry: HashMap<JournalEntryId, Vec<LineRow>> = HashMap::new();
    for l in lines_of(conn, coop, &ids).await? {
        by_entry.entry(l.entry_id).or_default().push(l);
    }
    Ok(entries
        .into_iter()
        .map(|e| {
            let lines = by_entry.remove(&e.id).unwrap_or_default();
            (e, lines)
        })
        .collect())
}

/// Debit and credit totals of one account over days `[from, to]`, from the daily
/// balances (an opening balance is `from = 0, to = the day before`).
pub async fn account_totals(
    conn: &mut Conn,
    coop: CooperativeId,
    account: AccountId,
    from: i64,
    to: i64,
) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(debit), 0) AS BIGINT) AS d, CAST(COALESCE(SUM(credit), 0) AS BIGINT) AS c
         FROM ledger_daily WHERE cooperative_id = $1 AND account_id = $2 AND day >= $3 AND day <= $4",
    )
    .bind(coop.0)
    .bind(account.0)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    Ok((r.try_get("d")?, r.try_get("c")?))
}

/// The first day each account has a posting within `[from, to]`, from the daily
/// balances (the beancount export opens each account on it).
pub async fn first_days(
    conn: &mut Conn,
    coop: CooperativeId,
    from: i64,
    to: i64,
) -> Result<Vec<(AccountId, i64)>> {
    let rows = sqlx::query(
        "SELECT account_id, MIN(day) AS first_day FROM ledger_daily
         WHERE cooperative_id = $1 AND day >= $2 AND day <= $3 GROUP BY account_id",
    )
    .bind(coop.0)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((AccountId(r.try_get("account_id")?), r.try_get("first_day")?)))
        .collect()
}

/// Entries of one source kind dated within `[from, to]` (year-end closings, for the
/// income statement to set aside).
pub async fn entries_of_kind(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
    from: i64,
    to: i64,
) -> Result<Vec<JournalEntryId>> {
    // Filter by kind only, so the (cooperative, source kind) index is the one used:
    // kinds asked for here are rare (year-end closings), while the date range of a
    // year holds most entries; the dates are checked here.
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, entry_date FROM journal_entries WHERE cooperative_id = $1 AND source_kind = $2 ORDER BY id",
    )
    .bind(coop.0)
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, d)| (from..=to).contains(d))
        .map(|(id, _)| JournalEntryId(id))
        .collect())
}
