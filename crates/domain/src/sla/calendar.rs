//! Business time: which instants a cooperative works (its weekly hours in its own
//! zone, minus holidays), and sums of working time between instants.
//!
//! Each day's hours are wall-clock times in the zone; a day's working interval is the
//! span between the instants those wall-clock times name (a time skipped by a clock
//! change counts from the first instant after it, a repeated time from its first
//! occurrence). Time is counted in elapsed milliseconds inside those intervals, so a
//! day whose clocks jump has an hour more or less of business time, as it has in
//! reality. Indonesia keeps no daylight saving time, but any zone works.

use super::{MINUTES_PER_DAY, Week, Zone};
use crate::Date;
use jiff::Timestamp;
use jiff::civil;
use std::collections::BTreeSet;

const MINUTE_MS: i64 = 60_000;

/// Working hours, holidays and zone of one cooperative.
#[derive(Debug, Clone)]
pub struct Calendar {
    week: Week,
    holidays: BTreeSet<civil::Date>,
    zone: Zone,
}

impl Calendar {
    /// A holiday outside the dates the calendar can count (before year -9999 or after
    /// 9999) is left out.
    pub fn new(week: Week, holidays: impl IntoIterator<Item = Date>, zone: Zone) -> Calendar {
        let holidays = holidays
            .into_iter()
            .filter_map(|d| {
                civil::Date::new(
                    i16::try_from(d.year).ok()?,
                    i8::try_from(d.month).ok()?,
                    i8::try_from(d.day).ok()?,
                )
                .ok()
            })
            .collect();
        Calendar {
            week,
            holidays,
            zone,
        }
    }

    pub fn week(&self) -> &Week {
        &self.week
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The instant `minutes` business minutes after `start_ms`; see
    /// [`add_business_minutes`].
    pub fn add_minutes(&self, start_ms: i64, minutes: i64) -> i64 {
        add_business_minutes(start_ms, minutes, self)
    }

    /// The working interval of a local day, as instants `[open, close)`; `None` on a
    /// holiday, a closed weekday, or a day outside the representable range.
    pub fn interval(&self, day: civil::Date) -> Option<(i64, i64)> {
        if self.holidays.contains(&day) {
            return None;
        }
        let weekday = usize::try_from(day.weekday().to_monday_zero_offset()).ok()?;
        let hours = self.week.day(weekday)?;
        let open = self.instant(day, hours.open())?;
        let close = self.instant(day, hours.close())?;
        (close > open).then_some((open, close))
    }

    fn instant(&self, day: civil::Date, minute_of_day: u16) -> Option<i64> {
        let dt = if minute_of_day >= MINUTES_PER_DAY {
            day.tomorrow().ok()?.to_datetime(civil::Time::midnight())
        } else {
            let time = civil::Time::new(
                i8::try_from(minute_of_day / 60).ok()?,
                i8::try_from(minute_of_day % 60).ok()?,
                0,
                0,
            )
            .ok()?;
            day.to_datetime(time)
        };
        let ts = self.zone.tz().to_timestamp(dt).ok()?;
        Some(ts.as_millisecond())
    }

    /// The local date of an instant (clamped into the range the calendar can count).
    fn local_date(&self, ms: i64) -> civil::Date {
        self.zone.tz().to_datetime(timestamp(ms)).date()
    }

    /// Whether `ms` is inside working time (opening instant included, closing excluded).
    pub fn is_open(&self, ms: i64) -> bool {
        let day = self.local_date(ms);
        [day.yesterday().ok(), Some(day)]
            .into_iter()
            .flatten()
            .filter_map(|d| self.interval(d))
            .any(|(open, close)| open <= ms && ms < close)
    }

    /// Whether the local day of `ms` is one of the holidays.
    pub fn is_holiday(&self, ms: i64) -> bool {
        self.holidays.contains(&self.local_date(ms))
    }
}

fn timestamp(ms: i64) -> Timestamp {
    let lo = Timestamp::MIN.as_millisecond();
    let hi = Timestamp::MAX.as_millisecond();
    Timestamp::from_millisecond(ms.clamp(lo, hi)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The instant at which `minutes` business minutes have passed since `start_ms`
/// (milliseconds since the epoch, UTC). Counting starts at `start_ms` when it is inside
/// working time and at the next opening otherwise; zero minutes therefore give the
/// next instant the cooperative is working. The result can be a closing instant
/// (Friday 15:50 plus 10 minutes is Friday 16:00, not Saturday's opening). Negative
/// minutes count as zero. Past the last date the calendar can represent (year 9999)
/// the result is that last instant.
pub fn add_business_minutes(start_ms: i64, minutes: i64, cal: &Calendar) -> i64 {
    let mut remaining = minutes.max(0).saturating_mul(MINUTE_MS);
    let start = start_ms.clamp(
        Timestamp::MIN.as_millisecond(),
        Timestamp::MAX.as_millisecond(),
    );
    // Yesterday's hours cannot reach into today, but starting there costs one look
    // and covers zones whose clocks fall back across midnight.
    let today = cal.local_date(start);
    let mut day = today.yesterday().unwrap_or(today);
    loop {
        if let Some((open, close)) = cal.interval(day) {
            let from = open.max(start);
            if from < close {
                let available = close - from;
                if remaining <= available {
                    return from + remaining;
                }
                remaining -= available;
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => return Timestamp::MAX.as_millisecond(),
        }
    }
}

/// Business milliseconds in `[a, b)`; negative when `b` is before `a`.
pub fn business_ms_between(a: i64, b: i64, cal: &Calendar) -> i64 {
    if b < a {
        return -business_ms_between(b, a, cal);
    }
    let first = cal.local_date(a);
    let last = cal.local_date(b);
    let mut day = first.yesterday().unwrap_or(first);
    let mut total = 0i64;
    while day <= last {
        if let Some((open, close)) = cal.interval(day) {
            let from = open.max(a);
            let to = close.min(b);
            if to > from {
                total += to - from;
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    total
}

/// Whole business minutes in `[a, b)` (rounded toward zero); negative when `b` is
/// before `a`. `business_minutes_between(s, add_business_minutes(s, m, c), c) == m`.
pub fn business_minutes_between(a: i64, b: i64, cal: &Calendar) -> i64 {
    business_ms_between(a, b, cal) / MINUTE_MS
}
