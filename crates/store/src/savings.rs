//! Savings (simpanan) tables: a cooperative's settings and receipt numbers, accounts per
//! member and kind with their balances, the movements (only ever inserted), simpanan
//! wajib bills, and the runs of the monthly jobs. The services change a balance, insert
//! its movement and post its journal entry in one transaction.

use crate::{Conn, Result, StoreError, found};
use guyub_domain::{CooperativeId, MemberId};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Rows per multi-row insert.
const CHUNK: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRow {
    pub pokok_amount: i64,
    pub wajib_monthly: i64,
    /// Yearly percent, decimal text.
    pub sukarela_rate: String,
    pub sukarela_minimum: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<i64>,
}

pub async fn settings(conn: &mut Conn, coop: CooperativeId) -> Result<Option<SettingsRow>> {
    let r = sqlx::query(
        "SELECT pokok_amount, wajib_monthly, sukarela_rate, sukarela_minimum, updated_by, updated_at
         FROM savings_settings WHERE cooperative_id = $1",
    )
    .bind(coop.0)
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| {
        Ok(SettingsRow {
            pokok_amount: r.try_get("pokok_amount")?,
            wajib_monthly: r.try_get("wajib_monthly")?,
            sukarela_rate: r.try_get("sukarela_rate")?,
            sukarela_minimum: r.try_get("sukarela_minimum")?,
            updated_by: r.try_get("updated_by")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
}

/// Writes the settings (the receipt sequence carries on).
pub async fn save_settings(conn: &mut Conn, coop: CooperativeId, s: &SettingsRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO savings_settings (cooperative_id, pokok_amount, wajib_monthly, sukarela_rate, sukarela_minimum, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (cooperative_id) DO UPDATE SET pokok_amount = $2, wajib_monthly = $3,
            sukarela_rate = $4, sukarela_minimum = $5, updated_by = $6, updated_at = $7",
    )
    .bind(coop.0)
    .bind(s.pokok_amount)
    .bind(s.wajib_monthly)
    .bind(s.sukarela_rate.as_str())
    .bind(s.sukarela_minimum)
    .bind(s.updated_by.as_deref())
    .bind(s.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes `n` receipt numbers and returns the first. Writes `defaults` first when the
/// cooperative has no settings row yet. The row update serialises concurrent tellers.
pub async fn take_receipt_numbers(
    conn: &mut Conn,
    coop: CooperativeId,
    n: i64,
    defaults: &SettingsRow,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO savings_settings (cooperative_id, pokok_amount, wajib_monthly, sukarela_rate, sukarela_minimum)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cooperative_id) DO NOTHING",
    )
    .bind(coop.0)
    .bind(defaults.pokok_amount)
    .bind(defaults.wajib_monthly)
    .bind(defaults.sukarela_rate.as_str())
    .bind(defaults.sukarela_minimum)
    .execute(&mut *conn)
    .await?;
    let next: i64 = sqlx::query_scalar(
        "UPDATE savings_settings SET next_receipt_no = next_receipt_no + $2 WHERE cooperative_id = $1
         RETURNING next_receipt_no",
    )
    .bind(coop.0)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    Ok(next - n)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub member_id: MemberId,
    pub kind: String,
    pub balance: i64,
    /// YYYYMMDD of the latest movement, 0 when none.
    pub last_date: i64,
    pub opened_at: i64,
}

const ACCOUNT_COLS: &str = "id, member_id, kind, balance, last_date, opened_at";

fn account_row(r: &AnyRow) -> Result<AccountRow> {
    Ok(AccountRow {
        id: r.try_get("id")?,
        member_id: MemberId(r.try_get("member_id")?),
        kind: r.try_get("kind")?,
        balance: r.try_get("balance")?,
        last_date: r.try_get("last_date")?,
        opened_at: r.try_get("opened_at")?,
    })
}

/// A member's accounts (those opened so far).
pub async fn accounts_of(
    conn: &mut Conn,
    coop: CooperativeId,
    member: MemberId,
) -> Result<Vec<AccountRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLS} FROM savings_accounts WHERE cooperative_id = $1 AND member_id = $2 ORDER BY id"
    )))
    .bind(coop.0)
    .bind(member.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(account_row).collect()
}

/// The member's account of `kind`, opened now if it was not, and locked for the rest
/// of the transaction (a no-op update takes the row lock on PostgreSQL; SQLite's write
/// transaction holds the database).
pub async fn lock_account(
    conn: &mut Conn,
    coop: CooperativeId,
    member: MemberId,
    kind: &str,
    now: i64,
) -> Result<AccountRow> {
    sqlx::query(
        "INSERT INTO savings_accounts (cooperative_id, member_id, kind, balance, last_date, opened_at)
         VALUES ($1, $2, $3, 0, 0, $4) ON CONFLICT (cooperative_id, member_id, kind) DO NOTHING",
    )
    .bind(coop.0)
    .bind(member.0)
    .bind(kind)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE savings_accounts SET balance = balance WHERE cooperative_id = $1 AND member_id = $2 AND kind = $3
         RETURNING {ACCOUNT_COLS}"
    )))
    .bind(coop.0)
    .bind(member.0)
    .bind(kind)
    .fetch_optional(&mut *conn)
    .await?;
    account_row(&found(r)?)
}

/// Sets an account's balance and latest movement date, after its movement is written.
pub async fn set_balance(
    conn: &mut Conn,
    coop: CooperativeId,
    account: i64,
    balance: i64,
    last_date: i64,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE savings_accounts SET balance = $3, last_date = $4 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(account)
    .bind(balance)
    .bind(last_date)
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Adds `delta` to an account's balance in one statement (the monthly jasa run, which
/// does not hold the account from before) and returns the new balance.
pub async fn add_to_balance(
    conn: &mut Conn,
    coop: CooperativeId,
    account: i64,
    delta: i64,
    day: i64,
) -> Result<i64> {
    let r: Option<i64> = sqlx::query_scalar(
        "UPDATE savings_accounts SET balance = balance + $3,
            last_date = CASE WHEN last_date > $4 THEN last_date ELSE $4 END
         WHERE cooperative_id = $1 AND id = $2 RETURNING balance",
    )
    .bind(coop.0)
    .bind(account)
    .bind(delta)
    .bind(day)
    .fetch_optional(&mut *conn)
    .await?;
    found(r)
}

/// One movement to write.
#[derive(Debug, Clone)]
pub struct NewTx<'a> {
    pub account_id: i64,
    pub member_id: MemberId,
    pub kind: &'a str,
    pub tx_type: &'a str,
    pub date: i64,
    pub amount: i64,
    pub balance_after: i64,
    pub journal_entry_id: i64,
    pub receipt_no: &'a str,
    pub counterparty: Option<MemberId>,
    pub note: &'a str,
    pub teller: &'a str,
    pub created_by: &'a str,
    pub request_key: Option<&'a str>,
}

/// Writes movements, many per statement. A repeated idempotency key is a conflict.
pub async fn insert_transactions(
    conn: &mut Conn,
    coop: CooperativeId,
    txs: &[NewTx<'_>],
    now: i64,
) -> Result<()> {
    const COLS: usize = 16;
    for chunk in txs.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO savings_transactions (cooperative_id, account_id, member_id, kind, tx_type, tx_date, amount,
                balance_after, journal_entry_id, receipt_no, counterparty_id, note, teller, created_by, created_at, request_key) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), COLS);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for t in chunk {
            q = q
                .bind(coop.0)
                .bind(t.account_id)
                .bind(t.member_id.0)
                .bind(t.kind)
                .bind(t.tx_type)
                .bind(t.date)
                .bind(t.amount)
                .bind(t.balance_after)
                .bind(t.journal_entry_id)
                .bind(t.receipt_no)
                .bind(t.counterparty.map(|m| m.0))
                .bind(t.note)
                .bind(t.teller)
                .bind(t.created_by)
                .bind(now)
                .bind(t.request_key);
        }
        q.execute(&mut *conn).await.map_err(|e| {
            StoreError::conflict_on_unique(e, "a request with this idempotency key")
        })?;
    }
    Ok(())
}

/// A movement as read back, with the member's number and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRow {
    pub id: i64,
    pub account_id: i64,
    pub member_id: MemberId,
    pub member_no: String,
    pub member_name: String,
    pub kind: String,
    pub tx_type: String,
    pub date: i64,
    pub amount: i64,
    pub balance_after: i64,
    pub journal_entry_id: i64,
    pub receipt_no: String,
    pub counterparty: Option<MemberId>,
    pub counterparty_no: Option<String>,
    pub counterparty_name: Option<String>,
    pub note: String,
    pub teller: String,
    pub created_by: String,
    pub created_at: i64,
}

const TX_SELECT: &str = "SELECT t.id, t.account_id, t.member_id, m.member_no, m.name, t.kind, t.tx_type, t.tx_date,
    t.amount, t.balance_after, t.journal_entry_id, t.receipt_no, t.counterparty_id, c.member_no AS c_no,
    c.name AS c_name, t.note, t.teller, t.created_by, t.created_at
    FROM savings_transactions t
    JOIN members m ON m.id = t.member_id AND m.cooperative_id = t.cooperative_id
    LEFT JOIN members c ON c.id = t.counterparty_id AND c.cooperative_id = t.cooperative_id";

fn tx_row(r: &AnyRow) -> Result<TxRow> {
    Ok(TxRow {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        member_id: MemberId(r.try_get("member_id")?),
        member_no: r.try_get("member_no")?,
        member_name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        tx_type: r.try_get("tx_type")?,
        date: r.try_get("tx_date")?,
        amount: r.try_get("amount")?,
        balance_after: r.try_get("balance_after")?,
        journal_entry_id: r.try_get("journal_entry_id")?,
        receipt_no: r.try_get("receipt_no")?,
        counterparty: r
            .try_get::<Option<i64>, _>("counterparty_id")?
            .map(MemberId),
        counterparty_no: r.try_get("c_no")?,
        counterparty_name: r.try_get("c_name")?,
        note: r.try_get("note")?,
        teller: r.try_get("teller")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

/// An account's movements, newest first, `before` a movement id for paging.
pub async fn statement(
    conn: &mut Conn,
    coop: CooperativeId,
    account: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<TxRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{TX_SELECT} WHERE t.cooperative_id = $1 AND t.account_id = $2 AND t.id < $3 ORDER BY t.id DESC LIMIT $4"
    )))
    .bind(coop.0)
    .bind(account)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(tx_row).collect()
}

/// The movements of one receipt, in the order written.
pub async fn by_receipt(conn: &mut Conn, coop: CooperativeId, receipt: &str) -> Result<Vec<TxRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{TX_SELECT} WHERE t.cooperative_id = $1 AND t.receipt_no = $2 ORDER BY t.id"
    )))
    .bind(coop.0)
    .bind(receipt)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(tx_row).collect()
}

/// The receipt written for an idempotency key, if any.
pub async fn receipt_for_key(
    conn: &mut Conn,
    coop: CooperativeId,
    key: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT receipt_no FROM savings_transactions WHERE cooperative_id = $1 AND request_key = $2",
    )
    .bind(coop.0)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Sukarela (or another kind's) accounts of members who are calon anggota or anggota:
/// account id → member id.
pub async fn active_accounts(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
) -> Result<HashMap<i64, MemberId>> {
    let rows = sqlx::query(
        "SELECT a.id, a.member_id FROM savings_accounts a JOIN members m ON m.id = a.member_id AND m.cooperative_id = a.cooperative_id
         WHERE a.cooperative_id = $1 AND a.kind = $2 AND m.status IN ('calon_anggota', 'anggota')",
    )
    .bind(coop.0)
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, MemberId(r.try_get("member_id")?))))
        .collect()
}

/// Each account's balance after its last movement dated before `day` (YYYYMMDD).
/// Movements of an account are written in date order, so the highest id is the last.
pub async fn balances_before(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
    day: i64,
) -> Result<HashMap<i64, i64>> {
    let rows = sqlx::query(
        "SELECT t.account_id, t.balance_after FROM savings_transactions t
         WHERE t.cooperative_id = $1 AND t.id IN (
            SELECT MAX(id) FROM savings_transactions WHERE cooperative_id = $1 AND kind = $2 AND tx_date < $3
            GROUP BY account_id)",
    )
    .bind(coop.0)
    .bind(kind)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("account_id")?, r.try_get("balance_after")?)))
        .collect()
}

/// Movements dated within `[from, to]`: (account, date, balance after), by account
/// and then in the order written.
pub async fn movements_between(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT account_id, tx_date, balance_after FROM savings_transactions
         WHERE cooperative_id = $1 AND kind = $2 AND tx_date >= $3 AND tx_date <= $4 ORDER BY account_id, id",
    )
    .bind(coop.0)
    .bind(kind)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("account_id")?,
                r.try_get("tx_date")?,
                r.try_get("balance_after")?,
            ))
        })
        .collect()
}

/// Every account of a kind: (count, total balance).
pub async fn totals(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT kind, COUNT(*) AS n, CAST(SUM(balance) AS BIGINT) AS total FROM savings_accounts
         WHERE cooperative_id = $1 GROUP BY kind ORDER BY kind",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("n")?, r.try_get("total")?)))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillRow {
    pub id: i64,
    pub member_id: MemberId,
    /// YYYYMM.
    pub month: i64,
    pub amount: i64,
    pub paid: i64,
}

fn bill_row(r: &AnyRow) -> Result<BillRow> {
    Ok(BillRow {
        id: r.try_get("id")?,
        member_id: MemberId(r.try_get("member_id")?),
        month: r.try_get("month")?,
        amount: r.try_get("amount")?,
        paid: r.try_get("paid")?,
    })
}

/// A member's wajib bills, oldest first.
pub async fn bills_of(
    conn: &mut Conn,
    coop: CooperativeId,
    member: MemberId,
) -> Result<Vec<BillRow>> {
    let rows = sqlx::query(
        "SELECT id, member_id, month, amount, paid FROM wajib_bills WHERE cooperative_id = $1 AND member_id = $2 ORDER BY month",
    )
    .bind(coop.0)
    .bind(member.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(bill_row).collect()
}

pub async fn set_bill_paid(
    conn: &mut Conn,
    coop: CooperativeId,
    bill: i64,
    paid: i64,
) -> Result<()> {
    sqlx::query("UPDATE wajib_bills SET paid = $3 WHERE cooperative_id = $1 AND id = $2")
        .bind(coop.0)
        .bind(bill)
        .bind(paid)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A member who is due a wajib bill for a month and has none yet, with what they have
/// paid into wajib and how much of it bills already account for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Billable {
    pub member_id: MemberId,
    pub wajib_balance: i64,
    pub billed_paid: i64,
}

/// Members who are calon anggota or anggota, joined on or before `last_day`
/// (`YYYY-MM-DD`; members without a joining date count), and have no bill for `month`.
pub async fn billable(
    conn: &mut Conn,
    coop: CooperativeId,
    month: i64,
    last_day: &str,
) -> Result<Vec<Billable>> {
    let rows = sqlx::query(
        "SELECT m.id,
            COALESCE(a.balance, 0) AS balance,
            COALESCE((SELECT CAST(SUM(b.paid) AS BIGINT) FROM wajib_bills b
                      WHERE b.cooperative_id = $1 AND b.member_id = m.id), 0) AS paid
         FROM members m
         LEFT JOIN savings_accounts a ON a.cooperative_id = m.cooperative_id AND a.member_id = m.id AND a.kind = 'wajib'
         WHERE m.cooperative_id = $1 AND m.status IN ('calon_anggota', 'anggota')
           AND (m.joined_on IS NULL OR m.joined_on <= $2)
           AND NOT EXISTS (SELECT 1 FROM wajib_bills x WHERE x.cooperative_id = $1 AND x.member_id = m.id AND x.month = $3)
         ORDER BY m.id",
    )
    .bind(coop.0)
    .bind(last_day)
    .bind(month)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Billable {
                member_id: MemberId(r.try_get("id")?),
                wajib_balance: r.try_get("balance")?,
                billed_paid: r.try_get("paid")?,
            })
        })
        .collect()
}

/// Writes bills for `month`: (member, amount, paid). Returns how many were new (a bill
/// that exists already is left as it is).
pub async fn insert_bills(
    conn: &mut Conn,
    coop: CooperativeId,
    month: i64,
    bills: &[(MemberId, i64, i64)],
    now: i64,
) -> Result<u64> {
    let mut created = 0;
    for chunk in bills.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO wajib_bills (cooperative_id, member_id, month, amount, paid, created_at) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 6);
        sql.push_str(" ON CONFLICT (cooperative_id, member_id, month) DO NOTHING");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for (m, amount, paid) in chunk {
            q = q
                .bind(coop.0)
                .bind(m.0)
                .bind(month)
                .bind(*amount)
                .bind(*paid)
                .bind(now);
        }
        created += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(created)
}

/// A member behind on simpanan wajib.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrearsRow {
    pub member_id: MemberId,
    pub member_no: String,
    pub name: String,
    /// Unpaid on bills of months before the current one.
    pub arrears: i64,
    /// Months before the current one not fully paid.
    pub months: i64,
    /// Unpaid on every bill, the current month's included.
    pub owed: i64,
}

/// Members (calon anggota and anggota) with unpaid bills for months before `current`
/// (YYYYMM), most behind first.
pub async fn arrears(
    conn: &mut Conn,
    coop: CooperativeId,
    current: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<ArrearsRow>> {
    let rows = sqlx::query(
        "SELECT b.member_id, m.member_no, m.name,
            CAST(SUM(CASE WHEN b.month < $2 THEN b.amount - b.paid ELSE 0 END) AS BIGINT) AS arrears,
            CAST(SUM(CASE WHEN b.month < $2 THEN 1 ELSE 0 END) AS BIGINT) AS months,
            CAST(SUM(b.amount - b.paid) AS BIGINT) AS owed
         FROM wajib_bills b JOIN members m ON m.id = b.member_id AND m.cooperative_id = b.cooperative_id
         WHERE b.cooperative_id = $1 AND b.paid < b.amount AND m.status IN ('calon_anggota', 'anggota')
         GROUP BY b.member_id, m.member_no, m.name
         HAVING SUM(CASE WHEN b.month < $2 THEN b.amount - b.paid ELSE 0 END) > 0
         ORDER BY arrears DESC, m.member_no
         LIMIT $3 OFFSET $4",
    )
    .bind(coop.0)
    .bind(current)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ArrearsRow {
                member_id: MemberId(r.try_get("member_id")?),
                member_no: r.try_get("member_no")?,
                name: r.try_get("name")?,
                arrears: r.try_get("arrears")?,
                months: r.try_get("months")?,
                owed: r.try_get("owed")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub kind: String,
    /// YYYYMM.
    pub month: i64,
    pub members: i64,
    pub total: i64,
    pub run_by: String,
    pub run_at: i64,
}

fn run_row(r: &AnyRow) -> Result<RunRow> {
    Ok(RunRow {
        kind: r.try_get("kind")?,
        month: r.try_get("month")?,
        members: r.try_get("members")?,
        total: r.try_get("total")?,
        run_by: r.try_get("run_by")?,
        run_at: r.try_get("run_at")?,
    })
}

pub async fn run(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
    month: i64,
) -> Result<Option<RunRow>> {
    let r = sqlx::query(
        "SELECT kind, month, members, total, run_by, run_at FROM savings_runs
         WHERE cooperative_id = $1 AND kind = $2 AND month = $3",
    )
    .bind(coop.0)
    .bind(kind)
    .bind(month)
    .fetch_optional(&mut *conn)
    .await?;
    r.as_ref().map(run_row).transpose()
}

/// The latest month a job has run for (YYYYMM).
pub async fn last_run_month(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(month) FROM savings_runs WHERE cooperative_id = $1 AND kind = $2",
    )
    .bind(coop.0)
    .bind(kind)
    .fetch_one(&mut *conn)
    .await?)
}

/// Records a run. `once`: refuse (return false) when the month has one already;
/// otherwise add the counts to it.
pub async fn record_run(
    conn: &mut Conn,
    coop: CooperativeId,
    r: &RunRow,
    once: bool,
) -> Result<bool> {
    let conflict = if once {
        "DO NOTHING"
    } else {
        "DO UPDATE SET members = savings_runs.members + excluded.members, total = savings_runs.total + excluded.total,
            run_by = excluded.run_by, run_at = excluded.run_at"
    };
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO savings_runs (cooperative_id, kind, month, members, total, run_by, run_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cooperative_id, kind, month) {conflict}"
    )))
    .bind(coop.0)
    .bind(r.kind.as_str())
    .bind(r.month)
    .bind(r.members)
    .bind(r.total)
    .bind(r.run_by.as_str())
    .bind(r.run_at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The runs, newest month first.
pub async fn runs(conn: &mut Conn, coop: CooperativeId, limit: i64) -> Result<Vec<RunRow>> {
    let rows = sqlx::query(
        "SELECT kind, month, members, total, run_by, run_at FROM savings_runs WHERE cooperative_id = $1
         ORDER BY month DESC, kind LIMIT $2",
    )
    .bind(coop.0)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(run_row).collect()
}
