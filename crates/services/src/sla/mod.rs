//! Service levels: a cooperative's SLA settings (opening hours, zone, targets per
//! priority) and holidays, read and changed by supervisors and administrators
//! (`Action::ManageRouting`, audited); the dues stamped on conversations and the
//! sweep that flags missed ones (`due`). Rules and defaults: docs/INBOX.md, "SLA".

mod due;

pub use due::{
    Breach, BreachKind, SWEEP_BATCH, SWEEP_EVERY, first_response, resolved, run_sweeper, stamp,
    stamp_with, sweep,
};

use crate::{Actor, Result, invalid, record};
use guyub_domain::sla::{Calendar, Hours, Policy, Priority, SlaError, Target, Targets, Week, Zone};
use guyub_domain::{Action, CooperativeId, Date, HolidayId};
use guyub_store::sla::{self as store, Holiday, SettingsRow};
use guyub_store::{Conn, Db, cooperatives, now_ms};

/// A cooperative's SLA settings (the defaults until some are saved).
#[derive(Debug, Clone)]
pub struct SlaSettings {
    pub zone: Zone,
    pub week: Week,
    pub targets: Targets,
    /// `false`: nothing saved yet, these are the defaults.
    pub saved: bool,
    pub updated_by: Option<String>,
    pub updated_at: Option<i64>,
}

/// New settings as typed: hours per weekday, Monday first (`08:00-16:00`, empty for
/// closed), and targets in business minutes in the order of `Priority::ALL` (low,
/// normal, high, urgent).
#[derive(Debug, Clone)]
pub struct SettingsInput<'a> {
    pub time_zone: &'a str,
    pub hours: [&'a str; 7],
    pub first_response: [i64; 4],
    pub resolution: [i64; 4],
}

/// The request field of each weekday's hours, Monday first.
pub const HOURS_FIELDS: [&str; 7] = [
    "hours.mon",
    "hours.tue",
    "hours.wed",
    "hours.thu",
    "hours.fri",
    "hours.sat",
    "hours.sun",
];
/// The request fields of the targets, in the order of `Priority::ALL`.
pub const FIRST_RESPONSE_FIELDS: [&str; 4] = [
    "targets.low.first_response_minutes",
    "targets.normal.first_response_minutes",
    "targets.high.first_response_minutes",
    "targets.urgent.first_response_minutes",
];
pub const RESOLUTION_FIELDS: [&str; 4] = [
    "targets.low.resolution_minutes",
    "targets.normal.resolution_minutes",
    "targets.high.resolution_minutes",
    "targets.urgent.resolution_minutes",
];

fn refusal(field: &'static str, e: SlaError) -> crate::ServiceError {
    invalid(field, e.to_string())
}

/// Reads the settings inside any connection or transaction (no permission check: for
/// the stamping and the inbox's timers). A stored row that no longer parses (a zone
/// removed from the database) falls back to the default for that part.
pub async fn load_settings(conn: &mut Conn, coop: CooperativeId) -> Result<SlaSettings> {
    let row = store::settings(conn, coop).await?;
    Ok(match row {
        Some(r) => SlaSettings {
            zone: Zone::parse(&r.time_zone).unwrap_or_else(|_| Zone::jakarta()),
            week: Week::parse_compact(&r.hours).unwrap_or_default(),
            targets: targets_of(&r.first_response, &r.resolution).unwrap_or_default(),
            saved: true,
            updated_by: Some(r.updated_by),
            updated_at: Some(r.updated_at),
        },
        None => {
            let coop = cooperatives::get(conn, coop).await?;
            SlaSettings {
                zone: Zone::parse(&coop.timezone).unwrap_or_else(|_| Zone::jakarta()),
                week: Week::default(),
                targets: Targets::default(),
                saved: false,
                updated_by: None,
                updated_at: None,
            }
        }
    })
}

fn targets_of(first: &[i64; 4], resolution: &[i64; 4]) -> Result<Targets, SlaError> {
    let mut out = Vec::with_capacity(4);
    for (f, r) in first.iter().zip(resolution) {
        out.push(Target::new(*f, *r)?);
    }
    let out: [Target; 4] = out.try_into().map_err(|_| SlaError::Target)?;
    Ok(Targets::new(out))
}

/// The cooperative's policy for conversations opened at `from_ms` or later: its
/// settings and the holidays from the day before `from_ms` on.
pub async fn policy(conn: &mut Conn, coop: CooperativeId, from_ms: i64) -> Result<Policy> {
    let s = load_settings(conn, coop).await?;
    let from_day = jiff::Timestamp::from_millisecond(from_ms.saturating_sub(86_400_000))
        .map(|t| t.to_zoned(s.zone.tz().clone()).date().to_string())
        .unwrap_or_default();
    let holidays = store::holidays(conn, coop, &from_day).await?;
    let days = holidays.iter().filter_map(|h| Date::parse(&h.day).ok());
    Ok(Policy {
        calendar: Calendar::new(s.week, days, s.zone),
        targets: s.targets,
    })
}

/// The targets per priority, for agents' timers (reading them needs no routing right).
pub async fn targets(db: &Db, actor: &Actor) -> Result<guyub_domain::sla::Targets> {
    actor.require(Action::WorkInbox)?;
    let mut conn = db.conn().await?;
    Ok(load_settings(&mut conn, actor.cooperative_id)
        .await?
        .targets)
}

pub async fn settings(db: &Db, actor: &Actor) -> Result<SlaSettings> {
    actor.require(Action::ManageRouting)?;
    let mut conn = db.conn().await?;
    load_settings(&mut conn, actor.cooperative_id).await
}

/// Checks and saves new settings. Dues already stamped on conversations stay as they
/// are; conversations opened (or re-prioritised) from now on use the new settings.
pub async fn update_settings(
    db: &Db,
    actor: &Actor,
    input: &SettingsInput<'_>,
) -> Result<SlaSettings> {
    actor.require(Action::ManageRouting)?;
    let zone = Zone::parse(input.time_zone).map_err(|e| refusal("time_zone", e))?;
    let mut days = [None; 7];
    for (i, raw) in input.hours.iter().enumerate() {
        days[i] = Hours::parse(raw).map_err(|e| refusal(HOURS_FIELDS[i], e))?;
    }
    let week = Week::new(days).map_err(|e| refusal("hours", e))?;
    for (i, p) in Priority::ALL.into_iter().enumerate() {
        let first = input.first_response[i];
        let resolution = input.resolution[i];
        Target::new(first, 1).map_err(|e| refusal(FIRST_RESPONSE_FIELDS[i], e))?;
        Target::new(first, resolution).map_err(|e| refusal(RESOLUTION_FIELDS[i], e))?;
        if resolution < first {
            return Err(invalid(
                RESOLUTION_FIELDS[i],
                format!(
                    "the {p} resolution target ({resolution} minutes) is shorter than its first response target ({first} minutes)"
                ),
            ));
        }
    }
    let targets =
        targets_of(&input.first_response, &input.resolution).map_err(|e| refusal("targets", e))?;
    let row = SettingsRow {
        time_zone: zone.name().to_string(),
        hours: week.to_compact(),
        first_response: input.first_response,
        resolution: input.resolution,
        updated_by: actor.label(),
        updated_at: now_ms(),
    };
    let mut tx = db.begin_write().await?;
    store::save_settings(&mut tx, actor.cooperative_id, &row).await?;
    let detail = format!(
        "zone={} hours={} first_response={:?} resolution={:?}",
        row.time_zone, row.hours, row.first_response, row.resolution
    );
    record(&mut tx, actor, "sla.settings_changed", "sla", &detail).await?;
    tx.commit().await?;
    Ok(SlaSettings {
        zone,
        week,
        targets,
        saved: true,
        updated_by: Some(row.updated_by),
        updated_at: Some(row.updated_at),
    })
}

/// Every holiday of the cooperative, by date.
pub async fn holidays(db: &Db, actor: &Actor) -> Result<Vec<Holiday>> {
    actor.require(Action::ManageRouting)?;
    let mut conn = db.conn().await?;
    Ok(store::holidays(&mut conn, actor.cooperative_id, "").await?)
}

/// Adds a day off (`YYYY-MM-DD`, or `DD-MM-YYYY`) with its name. One a date.
pub async fn add_holiday(db: &Db, actor: &Actor, day: &str, name: &str) -> Result<Holiday> {
    actor.require(Action::ManageRouting)?;
    let day = Date::parse(day)
        .map_err(|_| invalid("day", "write the date as YYYY-MM-DD, e.g. 2026-08-17"))?
        .to_string();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "a holiday needs a name of 1 to 100 characters",
        ));
    }
    let mut tx = db.begin_write().await?;
    let h = store::add_holiday(&mut tx, actor.cooperative_id, &day, name, &actor.label()).await?;
    record(
        &mut tx,
        actor,
        "sla.holiday_added",
        &format!("holiday:{}", h.id),
        &format!("{day} {name}"),
    )
    .await?;
    tx.commit().await?;
    Ok(h)
}

pub async fn remove_holiday(db: &Db, actor: &Actor, id: HolidayId) -> Result<Holiday> {
    actor.require(Action::ManageRouting)?;
    let mut tx = db.begin_write().await?;
    let h = store::remove_holiday(&mut tx, actor.cooperative_id, id).await?;
    record(
        &mut tx,
        actor,
        "sla.holiday_removed",
        &format!("holiday:{}", h.id),
        &format!("{} {}", h.day, h.name),
    )
    .await?;
    tx.commit().await?;
    Ok(h)
}
