//! Loans' tables: products, the cooperative's loan settings (collectibility thresholds,
//! numbering), loans, their instalments, repayments and how each repayment was split
//! over instalments. Values arrive parsed; the rules live in `guyub-domain` and the use
//! cases in `guyub-services`. Every function takes the cooperative and filters on it.

use crate::{Conn, Result, StoreError, found};
use guyub_domain::{
    CooperativeId, JournalEntryId, LoanId, LoanProductId, LoanRepaymentId, MemberId,
};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Instalment rows per multi-row insert.
const INSTALLMENT_CHUNK: usize = 60;

// ---------------------------------------------------------------------------------
// Products

/// A loan product as stored: fees and denda as kind + value text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub id: LoanProductId,
    pub name: String,
    pub method: String,
    pub yearly_rate: String,
    pub min_tenor: i64,
    pub max_tenor: i64,
    pub min_principal: i64,
    pub max_principal: Option<i64>,
    pub provisi_kind: String,
    pub provisi_value: String,
    pub admin_kind: String,
    pub admin_value: String,
    pub denda_kind: String,
    pub denda_value: String,
    pub denda_grace_days: i64,
    pub grace_months: i64,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What is written for a product (create and update).
#[derive(Debug, Clone)]
pub struct NewProduct<'a> {
    pub name: &'a str,
    pub method: &'a str,
    pub yearly_rate: &'a str,
    pub min_tenor: i64,
    pub max_tenor: i64,
    pub min_principal: i64,
    pub max_principal: Option<i64>,
    pub provisi_kind: &'a str,
    pub provisi_value: &'a str,
    pub admin_kind: &'a str,
    pub admin_value: &'a str,
    pub denda_kind: &'a str,
    pub denda_value: &'a str,
    pub denda_grace_days: i64,
    pub grace_months: i64,
    pub active: bool,
}

const PRODUCT_COLS: &str = "id, name, method, yearly_rate, min_tenor, max_tenor, min_principal, \
    max_principal, provisi_kind, provisi_value, admin_kind, admin_value, denda_kind, denda_value, \
    denda_grace_days, grace_months, active, created_at, updated_at";

fn product_row(r: &AnyRow) -> Result<ProductRow> {
    Ok(ProductRow {
        id: LoanProductId(r.try_get("id")?),
        name: r.try_get("name")?,
        method: r.try_get("method")?,
        yearly_rate: r.try_get("yearly_rate")?,
        min_tenor: r.try_get("min_tenor")?,
        max_tenor: r.try_get("max_tenor")?,
        min_principal: r.try_get("min_principal")?,
        max_principal: r.try_get("max_principal")?,
        provisi_kind: r.try_get("provisi_kind")?,
        provisi_value: r.try_get("provisi_value")?,
        admin_kind: r.try_get("admin_kind")?,
        admin_value: r.try_get("admin_value")?,
        denda_kind: r.try_get("denda_kind")?,
        denda_value: r.try_get("denda_value")?,
        denda_grace_days: r.try_get("denda_grace_days")?,
        grace_months: r.try_get("grace_months")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn insert_product(
    conn: &mut Conn,
    coop: CooperativeId,
    p: &NewProduct<'_>,
    now: i64,
) -> Result<LoanProductId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO loan_products (cooperative_id, name, method, yearly_rate, min_tenor, max_tenor,
            min_principal, max_principal, provisi_kind, provisi_value, admin_kind, admin_value,
            denda_kind, denda_value, denda_grace_days, grace_months, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
         RETURNING id",
    )
    .bind(coop.0)
    .bind(p.name)
    .bind(p.method)
    .bind(p.yearly_rate)
    .bind(p.min_tenor)
    .bind(p.max_tenor)
    .bind(p.min_principal)
    .bind(p.max_principal)
    .bind(p.provisi_kind)
    .bind(p.provisi_value)
    .bind(p.admin_kind)
    .bind(p.admin_value)
    .bind(p.denda_kind)
    .bind(p.denda_value)
    .bind(p.denda_grace_days)
    .bind(p.grace_months)
    .bind(i64::from(p.active))
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "a loan product with this name"))?;
    Ok(LoanProductId(id))
}

pub async fn update_product(
    conn: &mut Conn,
    coop: CooperativeId,
    id: LoanProductId,
    p: &NewProduct<'_>,
    now: i64,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE loan_products SET name = $3, method = $4, yearly_rate = $5, min_tenor = $6,
            max_tenor = $7, min_principal = $8, max_principal = $9, provisi_kind = $10,
            provisi_value = $11, admin_kind = $12, admin_value = $13, denda_kind = $14,
            denda_value = $15, denda_grace_days = $16, grace_months = $17, active = $18,
            updated_at = $19
         WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(p.name)
    .bind(p.method)
    .bind(p.yearly_rate)
    .bind(p.min_tenor)
    .bind(p.max_tenor)
    .bind(p.min_principal)
    .bind(p.max_principal)
    .bind(p.provisi_kind)
    .bind(p.provisi_value)
    .bind(p.admin_kind)
    .bind(p.admin_value)
    .bind(p.denda_kind)
    .bind(p.denda_value)
    .bind(p.denda_grace_days)
    .bind(p.grace_months)
    .bind(i64::from(p.active))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "a loan product with this name"))?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn products(conn: &mut Conn, coop: CooperativeId) -> Result<Vec<ProductRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PRODUCT_COLS} FROM loan_products WHERE cooperative_id = $1 ORDER BY active DESC, name"
    )))
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(product_row).collect()
}

pub async fn product(
    conn: &mut Conn,
    coop: CooperativeId,
    id: LoanProductId,
) -> Result<ProductRow> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PRODUCT_COLS} FROM loan_products WHERE cooperative_id = $1 AND id = $2"
    )))
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    product_row(&found(r)?)
}

// ---------------------------------------------------------------------------------
// Settings and numbering

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub kurang_lancar_after: i64,
    pub diragukan_after: i64,
    pub macet_after: i64,
}

/// The cooperative's thresholds, or `None` before anything was set or numbered.
pub async fn thresholds(conn: &mut Conn, coop: CooperativeId) -> Result<Option<Thresholds>> {
    let r = sqlx::query(
        "SELECT kurang_lancar_after, diragukan_after, macet_after FROM loan_settings WHERE cooperative_id = $1",
    )
    .bind(coop.0)
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| {
        Ok(Thresholds {
            kurang_lancar_after: r.try_get("kurang_lancar_after")?,
            diragukan_after: r.try_get("diragukan_after")?,
            macet_after: r.try_get("macet_after")?,
        })
    })
    .transpose()
}

/// Creates the settings row with `defaults` if there is none.
pub async fn ensure_settings(
    conn: &mut Conn,
    coop: CooperativeId,
    defaults: Thresholds,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO loan_settings (cooperative_id, kurang_lancar_after, diragukan_after, macet_after, updated_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cooperative_id) DO NOTHING",
    )
    .bind(coop.0)
    .bind(defaults.kurang_lancar_after)
    .bind(defaults.diragukan_after)
    .bind(defaults.macet_after)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the thresholds (the row must exist: `ensure_settings` first).
pub async fn set_thresholds(
    conn: &mut Conn,
    coop: CooperativeId,
    t: Thresholds,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE loan_settings SET kurang_lancar_after = $2, diragukan_after = $3, macet_after = $4, updated_at = $5
         WHERE cooperative_id = $1",
    )
    .bind(coop.0)
    .bind(t.kurang_lancar_after)
    .bind(t.diragukan_after)
    .bind(t.macet_after)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The next loan number (1, 2, …) of the cooperative; the settings row must exist.
pub async fn take_loan_no(conn: &mut Conn, coop: CooperativeId) -> Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "UPDATE loan_settings SET next_loan_no = next_loan_no + 1 WHERE cooperative_id = $1 RETURNING next_loan_no",
    )
    .bind(coop.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(n - 1)
}

/// The next receipt number of the cooperative's loan repayments.
pub async fn take_receipt_no(conn: &mut Conn, coop: CooperativeId) -> Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "UPDATE loan_settings SET next_receipt_no = next_receipt_no + 1 WHERE cooperative_id = $1 RETURNING next_receipt_no",
    )
    .bind(coop.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(n - 1)
}

// ---------------------------------------------------------------------------------
// Loans

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanRow {
    pub id: LoanId,
    pub loan_no: String,
    pub member_id: MemberId,
    pub member_name: String,
    pub member_no: String,
    pub product_id: LoanProductId,
    pub product_name: String,
    pub principal: i64,
    pub yearly_rate: String,
    pub tenor_months: i64,
    pub method: String,
    pub grace_months: i64,
    pub provisi: i64,
    pub admin_fee: i64,
    pub denda_kind: String,
    pub denda_value: String,
    pub denda_grace_days: i64,
    pub purpose: String,
    pub status: String,
    pub applied_by: String,
    pub applied_by_key: String,
    pub applied_at: i64,
    pub decided_by: Option<String>,
    pub decided_by_key: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub disbursed_by: Option<String>,
    pub disbursed_at: Option<i64>,
    pub disbursed_on: Option<i64>,
    pub disbursement_channel: Option<String>,
    pub disbursement_entry_id: Option<JournalEntryId>,
    pub first_due: Option<i64>,
    pub settled_on: Option<i64>,
    pub outstanding_principal: i64,
    /// Due date of the oldest instalment not yet settled (disbursed loans).
    pub oldest_unpaid_due: Option<i64>,
}

/// What an application writes.
#[derive(Debug, Clone)]
pub struct NewLoan<'a> {
    pub loan_no: &'a str,
    pub member_id: MemberId,
    pub product_id: LoanProductId,
    pub principal: i64,
    pub yearly_rate: &'a str,
    pub tenor_months: i64,
    pub method: &'a str,
    pub grace_months: i64,
    pub provisi: i64,
    pub admin_fee: i64,
    pub denda_kind: &'a str,
    pub denda_value: &'a str,
    pub denda_grace_days: i64,
    pub purpose: &'a str,
    pub applied_by: &'a str,
    pub applied_by_key: &'a str,
    pub now: i64,
}

const LOAN_SELECT: &str = "SELECT l.id, l.loan_no, l.member_id, m.name AS member_name, m.member_no,
    l.product_id, p.name AS product_name, l.principal, l.yearly_rate, l.tenor_months, l.method,
    l.grace_months, l.provisi, l.admin_fee, l.denda_kind, l.denda_value, l.denda_grace_days,
    l.purpose, l.status, l.applied_by, l.applied_by_key, l.applied_at, l.decided_by,
    l.decided_by_key, l.decided_at, l.decision_note, l.disbursed_by, l.disbursed_at,
    l.disbursed_on, l.disbursement_channel, l.disbursement_entry_id, l.first_due, l.settled_on,
    l.outstanding_principal,
    (SELECT MIN(i.due_date) FROM loan_installments i
      WHERE i.cooperative_id = l.cooperative_id AND i.loan_id = l.id AND i.settled_on IS NULL) AS oldest_unpaid_due
    FROM loans l
    JOIN members m ON m.cooperative_id = l.cooperative_id AND m.id = l.member_id
    JOIN loan_products p ON p.cooperative_id = l.cooperative_id AND p.id = l.product_id";

fn loan_row(r: &AnyRow) -> Result<LoanRow> {
    Ok(LoanRow {
        id: LoanId(r.try_get("id")?),
        loan_no: r.try_get("loan_no")?,
        member_id: MemberId(r.try_get("member_id")?),
        member_name: r.try_get("member_name")?,
        member_no: r.try_get("member_no")?,
        product_id: LoanProductId(r.try_get("product_id")?),
        product_name: r.try_get("product_name")?,
        principal: r.try_get("principal")?,
        yearly_rate: r.try_get("yearly_rate")?,
        tenor_months: r.try_get("tenor_months")?,
        method: r.try_get("method")?,
        grace_months: r.try_get("grace_months")?,
        provisi: r.try_get("provisi")?,
        admin_fee: r.try_get("admin_fee")?,
        denda_kind: r.try_get("denda_kind")?,
        denda_value: r.try_get("denda_value")?,
        denda_grace_days: r.try_get("denda_grace_days")?,
        purpose: r.try_get("purpose")?,
        status: r.try_get("status")?,
        applied_by: r.try_get("applied_by")?,
        applied_by_key: r.try_get("applied_by_key")?,
        applied_at: r.try_get("applied_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_by_key: r.try_get("decided_by_key")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
        disbursed_by: r.try_get("disbursed_by")?,
        disbursed_at: r.try_get("disbursed_at")?,
        disbursed_on: r.try_get("disbursed_on")?,
        disbursement_channel: r.try_get("disbursement_channel")?,
        disbursement_entry_id: r
            .try_get::<Option<i64>, _>("disbursement_entry_id")?
            .map(JournalEntryId),
        first_due: r.try_get("first_due")?,
        settled_on: r.try_get("settled_on")?,
        outstanding_principal: r.try_get("outstanding_principal")?,
        oldest_unpaid_due: r.try_get("oldest_unpaid_due")?,
    })
}

pub async fn insert_loan(conn: &mut Conn, coop: CooperativeId, l: &NewLoan<'_>) -> Result<LoanId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO loans (cooperative_id, loan_no, member_id, product_id, principal, yearly_rate,
            tenor_months, method, grace_months, provisi, admin_fee, denda_kind, denda_value,
            denda_grace_days, purpose, status, applied_by, applied_by_key, applied_at,
            outstanding_principal, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'applied', $16,
            $17, $18, 0, $18, $18)
         RETURNING id",
    )
    .bind(coop.0)
    .bind(l.loan_no)
    .bind(l.member_id.0)
    .bind(l.product_id.0)
    .bind(l.principal)
    .bind(l.yearly_rate)
    .bind(l.tenor_months)
    .bind(l.method)
    .bind(l.grace_months)
    .bind(l.provisi)
    .bind(l.admin_fee)
    .bind(l.denda_kind)
    .bind(l.denda_value)
    .bind(l.denda_grace_days)
    .bind(l.purpose)
    .bind(l.applied_by)
    .bind(l.applied_by_key)
    .bind(l.now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "a loan with this number"))?;
    Ok(LoanId(id))
}

pub async fn loan(conn: &mut Conn, coop: CooperativeId, id: LoanId) -> Result<LoanRow> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{LOAN_SELECT} WHERE l.cooperative_id = $1 AND l.id = $2"
    )))
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    loan_row(&found(r)?)
}

/// Takes the loan's row lock (PostgreSQL) before it is read for a change, so that two
/// changes of one loan run one after the other; on SQLite the write transaction
/// already holds the database's write lock. `NotFound` when there is no such loan.
pub async fn lock(conn: &mut Conn, coop: CooperativeId, id: LoanId) -> Result<()> {
    let r = sqlx::query(
        "UPDATE loans SET lock_version = lock_version + 1 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Approval or rejection of an application still `applied`; false when it was not.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    conn: &mut Conn,
    coop: CooperativeId,
    id: LoanId,
    status: &str,
    by: &str,
    by_key: &str,
    note: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE loans SET status = $3, decided_by = $4, decided_by_key = $5, decision_note = $6,
            decided_at = $7, updated_at = $7
         WHERE cooperative_id = $1 AND id = $2 AND status = 'applied'",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(status)
    .bind(by)
    .bind(by_key)
    .bind(note)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// What a disbursement records on the loan.
#[derive(Debug, Clone)]
pub struct Disbursed<'a> {
    pub by: &'a str,
    pub on: i64,
    pub channel: &'a str,
    pub entry: JournalEntryId,
    pub first_due: i64,
    pub outstanding: i64,
    pub now: i64,
}

/// Marks an approved loan disbursed; false when it was not approved.
pub async fn set_disbursed(
    conn: &mut Conn,
    coop: CooperativeId,
    id: LoanId,
    d: &Disbursed<'_>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE loans SET status = 'disbursed', disbursed_by = $3, disbursed_at = $4, disbursed_on = $5,
            disbursement_channel = $6, disbursement_entry_id = $7, first_due = $8,
            outstanding_principal = $9, updated_at = $4
         WHERE cooperative_id = $1 AND id = $2 AND status = 'approved'",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(d.by)
    .bind(d.now)
    .bind(d.on)
    .bind(d.channel)
    .bind(d.entry.0)
    .bind(d.first_due)
    .bind(d.outstanding)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// After a repayment: the principal still owed and, once nothing is, the settlement.
pub async fn set_outstanding(
    conn: &mut Conn,
    coop: CooperativeId,
    id: LoanId,
    outstanding: i64,
    settled_on: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE loans SET outstanding_principal = $3, settled_on = $4,
            status = CASE WHEN $4 IS NULL THEN status ELSE 'settled' END, updated_at = $5
         WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(outstanding)
    .bind(settled_on)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct LoanFilter<'a> {
    pub status: Option<&'a str>,
    pub member: Option<MemberId>,
    /// Only disbursed loans whose oldest unpaid instalment fell due in
    /// `[oldest_due_from, oldest_due_to]` (YYYYMMDD; either end open): how a
    /// collectibility class is asked for.
    pub oldest_due_from: Option<i64>,
    pub oldest_due_to: Option<i64>,
}

/// Loans, newest first.
pub async fn list(
    conn: &mut Conn,
    coop: CooperativeId,
    f: &LoanFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<LoanRow>> {
    let by_due = f.oldest_due_from.is_some() || f.oldest_due_to.is_some();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({LOAN_SELECT} WHERE l.cooperative_id = $1) x
         WHERE ($2 = '' OR x.status = $2) AND ($3 = 0 OR x.member_id = $3)
           AND ($4 = 0 OR (x.status = 'disbursed' AND x.oldest_unpaid_due >= $5 AND x.oldest_unpaid_due <= $6))
         ORDER BY x.id DESC LIMIT $7 OFFSET $8"
    )))
    .bind(coop.0)
    .bind(f.status.unwrap_or(""))
    .bind(f.member.map(|m| m.0).unwrap_or(0))
    .bind(i64::from(by_due))
    .bind(f.oldest_due_from.unwrap_or(0))
    .bind(f.oldest_due_to.unwrap_or(i64::MAX))
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(loan_row).collect()
}

/// Loans disbursed on or before `day` and not settled by then: the portfolio on that day.
pub async fn open_on(conn: &mut Conn, coop: CooperativeId, day: i64) -> Result<Vec<LoanRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{LOAN_SELECT} WHERE l.cooperative_id = $1 AND l.status IN ('disbursed', 'settled')
           AND l.disbursed_on <= $2 AND (l.settled_on IS NULL OR l.settled_on > $2)
         ORDER BY l.id"
    )))
    .bind(coop.0)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(loan_row).collect()
}

// ---------------------------------------------------------------------------------
// Instalments

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallmentRow {
    pub loan_id: LoanId,
    pub no: i64,
    pub due_date: i64,
    pub principal: i64,
    pub interest: i64,
    pub paid_principal: i64,
    pub paid_interest: i64,
    pub paid_denda: i64,
    pub waived_interest: i64,
    pub settled_on: Option<i64>,
}

/// A schedule row to write: (no, due date, principal, interest).
pub type NewInstallment = (i64, i64, i64, i64);

pub async fn insert_installments(
    conn: &mut Conn,
    coop: CooperativeId,
    loan: LoanId,
    rows: &[NewInstallment],
) -> Result<()> {
    for chunk in rows.chunks(INSTALLMENT_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO loan_installments (cooperative_id, loan_id, no, due_date, principal, interest) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 4 + 2;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "($1, $2, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(coop.0)
            .bind(loan.0);
        for (no, due, principal, interest) in chunk {
            q = q.bind(*no).bind(*due).bind(*principal).bind(*interest);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

fn installment_row(r: &AnyRow) -> Result<InstallmentRow> {
    Ok(InstallmentRow {
        loan_id: LoanId(r.try_get("loan_id")?),
        no: r.try_get("no")?,
        due_date: r.try_get("due_date")?,
        principal: r.try_get("principal")?,
        interest: r.try_get("interest")?,
        paid_principal: r.try_get("paid_principal")?,
        paid_interest: r.try_get("paid_interest")?,
        paid_denda: r.try_get("paid_denda")?,
        waived_interest: r.try_get("waived_interest")?,
        settled_on: r.try_get("settled_on")?,
    })
}

const INSTALLMENT_COLS: &str = "loan_id, no, due_date, principal, interest, paid_principal, \
    paid_interest, paid_denda, waived_interest, settled_on";

/// The schedules of these loans, by loan and number.
pub async fn installments(
    conn: &mut Conn,
    coop: CooperativeId,
    loans: &[LoanId],
) -> Result<Vec<InstallmentRow>> {
    let mut out = Vec::new();
    for chunk in loans.chunks(500) {
        let list = id_list(chunk.iter().map(|l| l.0));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTALLMENT_COLS} FROM loan_installments
             WHERE cooperative_id = $1 AND loan_id IN ({list}) ORDER BY loan_id, no"
        )))
        .bind(coop.0)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            out.push(installment_row(r)?);
        }
    }
    Ok(out)
}

/// Adds a repayment's parts to one instalment, settling it on `settled_on`.
pub async fn add_paid(
    conn: &mut Conn,
    coop: CooperativeId,
    loan: LoanId,
    no: i64,
    part: &PartAmounts,
    settled_on: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE loan_installments SET paid_principal = paid_principal + $4,
            paid_interest = paid_interest + $5, paid_denda = paid_denda + $6,
            waived_interest = waived_interest + $7, settled_on = $8
         WHERE cooperative_id = $1 AND loan_id = $2 AND no = $3",
    )
    .bind(coop.0)
    .bind(loan.0)
    .bind(no)
    .bind(part.principal)
    .bind(part.interest)
    .bind(part.denda)
    .bind(part.interest_waived)
    .bind(settled_on)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// Repayments

/// Money of a repayment, or of its part on one instalment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartAmounts {
    pub denda: i64,
    pub interest: i64,
    pub principal: i64,
    pub interest_waived: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepaymentRow {
    pub id: LoanRepaymentId,
    pub loan_id: LoanId,
    pub member_id: MemberId,
    pub receipt_no: String,
    pub kind: String,
    pub paid_on: i64,
    pub amount: i64,
    pub parts: PartAmounts,
    pub journal_entry_id: JournalEntryId,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewRepayment<'a> {
    pub loan_id: LoanId,
    pub member_id: MemberId,
    pub receipt_no: &'a str,
    pub kind: &'a str,
    pub paid_on: i64,
    pub amount: i64,
    pub parts: PartAmounts,
    pub journal_entry_id: JournalEntryId,
    pub created_by: &'a str,
    pub now: i64,
}

pub async fn insert_repayment(
    conn: &mut Conn,
    coop: CooperativeId,
    r: &NewRepayment<'_>,
) -> Result<LoanRepaymentId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO loan_repayments (cooperative_id, loan_id, member_id, receipt_no, kind, paid_on,
            amount, denda, interest, principal, interest_waived, journal_entry_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(coop.0)
    .bind(r.loan_id.0)
    .bind(r.member_id.0)
    .bind(r.receipt_no)
    .bind(r.kind)
    .bind(r.paid_on)
    .bind(r.amount)
    .bind(r.parts.denda)
    .bind(r.parts.interest)
    .bind(r.parts.principal)
    .bind(r.parts.interest_waived)
    .bind(r.journal_entry_id.0)
    .bind(r.created_by)
    .bind(r.now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "a repayment with this receipt number"))?;
    Ok(LoanRepaymentId(id))
}

/// How a repayment was split over instalments: (instalment no, amounts).
pub async fn insert_parts(
    conn: &mut Conn,
    coop: CooperativeId,
    repayment: LoanRepaymentId,
    loan: LoanId,
    paid_on: i64,
    parts: &[(i64, PartAmounts)],
) -> Result<()> {
    for (no, p) in parts {
        sqlx::query(
            "INSERT INTO loan_repayment_parts (cooperative_id, repayment_id, loan_id, installment_no,
                paid_on, denda, interest, principal, interest_waived)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(coop.0)
        .bind(repayment.0)
        .bind(loan.0)
        .bind(*no)
        .bind(paid_on)
        .bind(p.denda)
        .bind(p.interest)
        .bind(p.principal)
        .bind(p.interest_waived)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const REPAYMENT_COLS: &str = "id, loan_id, member_id, receipt_no, kind, paid_on, amount, denda, \
    interest, principal, interest_waived, journal_entry_id, created_by, created_at";

fn repayment_row(r: &AnyRow) -> Result<RepaymentRow> {
    Ok(RepaymentRow {
        id: LoanRepaymentId(r.try_get("id")?),
        loan_id: LoanId(r.try_get("loan_id")?),
        member_id: MemberId(r.try_get("member_id")?),
        receipt_no: r.try_get("receipt_no")?,
        kind: r.try_get("kind")?,
        paid_on: r.try_get("paid_on")?,
        amount: r.try_get("amount")?,
        parts: PartAmounts {
            denda: r.try_get("denda")?,
            interest: r.try_get("interest")?,
            principal: r.try_get("principal")?,
            interest_waived: r.try_get("interest_waived")?,
        },
        journal_entry_id: JournalEntryId(r.try_get("journal_entry_id")?),
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A loan's repayments, oldest first.
pub async fn repayments(
    conn: &mut Conn,
    coop: CooperativeId,
    loan: LoanId,
) -> Result<Vec<RepaymentRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REPAYMENT_COLS} FROM loan_repayments WHERE cooperative_id = $1 AND loan_id = $2 ORDER BY id"
    )))
    .bind(coop.0)
    .bind(loan.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(repayment_row).collect()
}

pub async fn repayment(
    conn: &mut Conn,
    coop: CooperativeId,
    id: LoanRepaymentId,
) -> Result<RepaymentRow> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REPAYMENT_COLS} FROM loan_repayments WHERE cooperative_id = $1 AND id = $2"
    )))
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    repayment_row(&found(r)?)
}

/// One instalment's share of a repayment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRow {
    pub loan_id: LoanId,
    pub installment_no: i64,
    pub paid_on: i64,
    pub amounts: PartAmounts,
}

/// The parts paid on or before `through` for these loans, in payment order: what the
/// schedule looked like on that day, and the history denda accrues over.
pub async fn parts(
    conn: &mut Conn,
    coop: CooperativeId,
    loans: &[LoanId],
    through: i64,
) -> Result<Vec<PartRow>> {
    let mut out = Vec::new();
    for chunk in loans.chunks(500) {
        let list = id_list(chunk.iter().map(|l| l.0));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT loan_id, installment_no, paid_on, denda, interest, principal, interest_waived
             FROM loan_repayment_parts
             WHERE cooperative_id = $1 AND loan_id IN ({list}) AND paid_on <= $2
             ORDER BY loan_id, paid_on, id"
        )))
        .bind(coop.0)
        .bind(through)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            out.push(PartRow {
                loan_id: LoanId(r.try_get("loan_id")?),
                installment_no: r.try_get("installment_no")?,
                paid_on: r.try_get("paid_on")?,
                amounts: PartAmounts {
                    denda: r.try_get("denda")?,
                    interest: r.try_get("interest")?,
                    principal: r.try_get("principal")?,
                    interest_waived: r.try_get("interest_waived")?,
                },
            });
        }
    }
    Ok(out)
}

/// The date of the loan's latest repayment, if any.
pub async fn last_paid_on(
    conn: &mut Conn,
    coop: CooperativeId,
    loan: LoanId,
) -> Result<Option<i64>> {
    let d: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(paid_on) FROM loan_repayments WHERE cooperative_id = $1 AND loan_id = $2",
    )
    .bind(coop.0)
    .bind(loan.0)
    .fetch_one(&mut *conn)
    .await?;
    Ok(d)
}

/// Numbers only (ids from the database), joined for an `IN` list.
fn id_list(ids: impl Iterator<Item = i64>) -> String {
    let v: Vec<String> = ids.map(|i| i.to_string()).collect();
    if v.is_empty() {
        "NULL".into()
    } else {
        v.join(",")
    }
}
