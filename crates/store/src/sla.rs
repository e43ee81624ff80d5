//! Service levels: a cooperative's SLA settings and holidays, the due instants on a
//! conversation, and the sweep that flags missed dues. The sweep reads across
//! cooperatives (it is the worker's, like the outbox claim) and returns each row's
//! cooperative with it; everything else is tenant-scoped.

use crate::{Conn, Result, StoreError, found, now_ms, positional, push_placeholders};
use guyub_domain::{ConversationId, CooperativeId, HolidayId};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Breach bits in `conversations.breached`.
pub const FIRST_RESPONSE_BIT: i64 = 1;
pub const RESOLUTION_BIT: i64 = 2;

/// The stored settings, as text and numbers; `guyub_domain::sla` parses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRow {
    pub time_zone: String,
    /// `Week::to_compact`.
    pub hours: String,
    /// Business minutes, in the order low, normal, high, urgent.
    pub first_response: [i64; 4],
    pub resolution: [i64; 4],
    pub updated_by: String,
    pub updated_at: i64,
}

const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

pub async fn settings(conn: &mut Conn, coop: CooperativeId) -> Result<Option<SettingsRow>> {
    let row = sqlx::query("SELECT * FROM sla_settings WHERE cooperative_id = $1")
        .bind(coop.0)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let mut first_response = [0; 4];
    let mut resolution = [0; 4];
    for (i, p) in PRIORITIES.iter().enumerate() {
        first_response[i] = r.try_get(format!("first_response_{p}").as_str())?;
        resolution[i] = r.try_get(format!("resolution_{p}").as_str())?;
    }
    Ok(Some(SettingsRow {
        time_zone: r.try_get("time_zone")?,
        hours: r.try_get("hours")?,
        first_response,
        resolution,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    }))
}

pub async fn save_settings(conn: &mut Conn, coop: CooperativeId, s: &SettingsRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO sla_settings (cooperative_id, time_zone, hours,
            first_response_low, first_response_normal, first_response_high, first_response_urgent,
            resolution_low, resolution_normal, resolution_high, resolution_urgent,
            updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (cooperative_id) DO UPDATE SET time_zone = $2, hours = $3,
            first_response_low = $4, first_response_normal = $5, first_response_high = $6,
            first_response_urgent = $7, resolution_low = $8, resolution_normal = $9,
            resolution_high = $10, resolution_urgent = $11, updated_by = $12, updated_at = $13",
    )
    .bind(coop.0)
    .bind(&s.time_zone)
    .bind(&s.hours)
    .bind(s.first_response[0])
    .bind(s.first_response[1])
    .bind(s.first_response[2])
    .bind(s.first_response[3])
    .bind(s.resolution[0])
    .bind(s.resolution[1])
    .bind(s.resolution[2])
    .bind(s.resolution[3])
    .bind(&s.updated_by)
    .bind(s.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- holidays

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub id: HolidayId,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub name: String,
    pub created_by: String,
    pub created_at: i64,
}

const HOLIDAY_COLS: &str = "id, day, name, created_by, created_at";

fn holiday_row(r: &AnyRow) -> Result<Holiday> {
    Ok(Holiday {
        id: HolidayId(r.try_get("id")?),
        day: r.try_get("day")?,
        name: r.try_get("name")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Holidays on or after `from_day` (`YYYY-MM-DD`; empty for all), by date.
pub async fn holidays(
    conn: &mut Conn,
    coop: CooperativeId,
    from_day: &str,
) -> Result<Vec<Holiday>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {HOLIDAY_COLS} FROM sla_holidays WHERE cooperative_id = $1 AND day >= $2 ORDER BY day"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(from_day)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(holiday_row).collect()
}

pub async fn add_holiday(
    conn: &mut Conn,
    coop: CooperativeId,
    day: &str,
    name: &str,
    by: &str,
) -> Result<Holiday> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO sla_holidays (cooperative_id, day, name, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING {HOLIDAY_COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(day)
        .bind(name)
        .bind(by)
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, "a holiday on this date"))?;
    holiday_row(&row)
}

/// Removes a holiday and returns what it was.
pub async fn remove_holiday(
    conn: &mut Conn,
    coop: CooperativeId,
    id: HolidayId,
) -> Result<Holiday> {
    let sql = sqlx::AssertSqlSafe(format!(
        "DELETE FROM sla_holidays WHERE cooperative_id = $1 AND id = $2 RETURNING {HOLIDAY_COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    holiday_row(&found(row)?)
}

// ---------------------------------------------------------------- a conversation's dues

/// A conversation's SLA columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSla {
    pub status: String,
    pub priority: String,
    pub opened_at: i64,
    pub first_response_due: Option<i64>,
    pub first_response_at: Option<i64>,
    pub resolution_due: Option<i64>,
    pub resolved_at: Option<i64>,
    pub breached: i64,
}

pub async fn conversation(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
) -> Result<ConversationSla> {
    let row = sqlx::query(
        "SELECT status, priority, opened_at, first_response_due, first_response_at,
                resolution_due, resolved_at, breached
         FROM conversations WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let r = found(row)?;
    Ok(ConversationSla {
        status: r.try_get("status")?,
        priority: r.try_get("priority")?,
        opened_at: r.try_get("opened_at")?,
        first_response_due: r.try_get("first_response_due")?,
        first_response_at: r.try_get("first_response_at")?,
        resolution_due: r.try_get("resolution_due")?,
        resolved_at: r.try_get("resolved_at")?,
        breached: r.try_get("breached")?,
    })
}

pub async fn set_dues(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    first_response_due: i64,
    resolution_due: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE conversations SET first_response_due = $3, resolution_due = $4
         WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(first_response_due)
    .bind(resolution_due)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records the first answer if there is none yet; returns whether this call recorded
/// it.
pub async fn set_first_response(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE conversations SET first_response_at = $3
         WHERE cooperative_id = $1 AND id = $2 AND first_response_at IS NULL",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a breach bit unless it is set; returns whether this call set it.
pub async fn flag(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ConversationId,
    bit: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE conversations SET breached = breached | $3
         WHERE cooperative_id = $1 AND id = $2 AND (breached & $3) = 0",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(bit)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

// ---------------------------------------------------------------- the sweep

/// A due that passed, just flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flagged {
    pub cooperative_id: CooperativeId,
    pub conversation_id: ConversationId,
    /// The due instant that was missed.
    pub due: i64,
}

/// Flags up to `limit` open conversations (any cooperative) whose first-response due
/// is before `now`, with no answer and no flag yet, and returns them. A concurrent
/// sweeper cannot flag the same row twice: the outer conditions are checked again on
/// the row it updates.
pub async fn flag_first_response_breaches(
    conn: &mut Conn,
    now: i64,
    limit: i64,
) -> Result<Vec<Flagged>> {
    // The inner WHERE repeats the partial index's predicate (0011_sla_canned.sql).
    let rows = sqlx::query(
        "UPDATE conversations SET breached = breached | 1
         WHERE id IN (SELECT id FROM conversations
                      WHERE status = 'open' AND first_response_due < $1
                        AND first_response_at IS NULL AND (breached & 1) = 0
                      ORDER BY first_response_due LIMIT $2)
           AND status = 'open' AND first_response_at IS NULL AND (breached & 1) = 0
         RETURNING cooperative_id, id, first_response_due AS due",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(flagged_row).collect()
}

/// Like `flag_first_response_breaches`, for the resolution due.
pub async fn flag_resolution_breaches(
    conn: &mut Conn,
    now: i64,
    limit: i64,
) -> Result<Vec<Flagged>> {
    let rows = sqlx::query(
        "UPDATE conversations SET breached = breached | 2
         WHERE id IN (SELECT id FROM conversations
                      WHERE status = 'open' AND resolution_due < $1 AND (breached & 2) = 0
                      ORDER BY resolution_due LIMIT $2)
           AND status = 'open' AND (breached & 2) = 0
         RETURNING cooperative_id, id, resolution_due AS due",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(flagged_row).collect()
}

fn flagged_row(r: &AnyRow) -> Result<Flagged> {
    Ok(Flagged {
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        conversation_id: ConversationId(r.try_get("id")?),
        due: r.try_get("due")?,
    })
}

/// One `sla_breach` entry in a conversation's activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreachEvent<'a> {
    pub cooperative_id: CooperativeId,
    pub conversation_id: ConversationId,
    /// `first_response` or `resolution`.
    pub detail: &'a str,
    pub at: i64,
}

/// Inserts `sla_breach` rows into `conversation_events` (actor `sla`) in one statement.
pub async fn add_breach_events(conn: &mut Conn, events: &[BreachEvent<'_>]) -> Result<()> {
    // Four parameters a row, a thousand rows: well under both engines' limits.
    for chunk in events.chunks(1000) {
        let mut sql = String::from(
            "INSERT INTO conversation_events (cooperative_id, conversation_id, detail, at, kind, actor) VALUES ",
        );
        let mut placeholders = String::new();
        push_placeholders(&mut placeholders, chunk.len(), 4);
        sql.push_str(&placeholders.replace(')', ", 'sla_breach', 'sla')"));
        let sql = positional(conn, sql);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(e.cooperative_id.0)
                .bind(e.conversation_id.0)
                .bind(e.detail)
                .bind(e.at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
