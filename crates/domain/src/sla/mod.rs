//! Service levels counted in business hours: a conversation's priority, a
//! cooperative's opening hours per weekday, its holidays and time zone (`Calendar`),
//! the targets per priority (`Targets`), the arithmetic that turns "60 business
//! minutes from now" into an instant (`calendar`), and the timer the inbox shows
//! (`timer`).
//!
//! Defaults (docs/INBOX.md, "SLA"): Monday to Friday 08:00–16:00, Saturday
//! 08:00–12:00, Sunday closed, the cooperative's zone (`Asia/Jakarta` unless it chose
//! another); targets in business minutes: urgent 15 / 240, high 30 / 480, normal
//! 60 / 1440, low 240 / 2880 (first response / resolution).

mod calendar;
mod timer;

#[cfg(test)]
mod tests;

pub use calendar::{Calendar, add_business_minutes, business_minutes_between, business_ms_between};
pub use timer::{AT_RISK_FLOOR_MS, SlaTimer, timer};

use std::fmt;

/// What can be wrong with SLA settings, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error(
        "write opening hours like 08:00-16:00 (opening before closing, 00:00 to 24:00), or leave empty when closed"
    )]
    Hours,
    #[error("at least one weekday must have opening hours")]
    NoOpenDay,
    #[error(
        "unknown time zone '{0}'; use an IANA name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura"
    )]
    Zone(String),
    #[error("a target is a whole number of business minutes from 1 to 100000")]
    Target,
    #[error("unknown priority '{0}'; expected low, normal, high or urgent")]
    Priority(String),
}

/// How urgent a conversation is. Its targets come from `Targets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(raw: &str) -> Result<Priority, SlaError> {
        let want = raw.trim().to_ascii_lowercase();
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == want)
            .ok_or_else(|| SlaError::Priority(raw.to_string()))
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Opening hours of one day, as minutes after local midnight: `open < close ≤ 1440`
/// (24:00 closes at midnight). One interval a day; a lunch break is not modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    open: u16,
    close: u16,
}

pub const MINUTES_PER_DAY: u16 = 24 * 60;

impl Hours {
    pub fn new(open: u16, close: u16) -> Result<Hours, SlaError> {
        if open < close && close <= MINUTES_PER_DAY {
            Ok(Hours { open, close })
        } else {
            Err(SlaError::Hours)
        }
    }

    /// `08:00-16:00`; also `8.00 – 16.00` (the Indonesian way of writing times) and an
    /// en dash. Empty, `closed`, `tutup` or `-` mean closed (`None`).
    pub fn parse(raw: &str) -> Result<Option<Hours>, SlaError> {
        let raw = raw.trim();
        if raw.is_empty()
            || raw == "-"
            || raw.eq_ignore_ascii_case("closed")
            || raw.eq_ignore_ascii_case("tutup")
        {
            return Ok(None);
        }
        let (a, b) = raw.split_once(['-', '–', '—']).ok_or(SlaError::Hours)?;
        Hours::new(parse_time(a)?, parse_time(b)?).map(Some)
    }

    pub fn open(self) -> u16 {
        self.open
    }

    pub fn close(self) -> u16 {
        self.close
    }

    pub fn minutes(self) -> u16 {
        self.close - self.open
    }
}

fn parse_time(raw: &str) -> Result<u16, SlaError> {
    let (h, m) = raw.trim().split_once([':', '.']).ok_or(SlaError::Hours)?;
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
            .ok_or(SlaError::Hours)
    };
    let (h, m) = (digits(h, 2)?, digits(m, 2)?);
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Err(SlaError::Hours);
    }
    Ok(h * 60 + m)
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.open / 60,
            self.open % 60,
            self.close / 60,
            self.close % 60
        )
    }
}

/// Short names of the weekdays, Monday first, as the API and the forms spell them.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Opening hours per weekday, Monday first; at least one day is open, so every
/// business-time sum ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week([Option<Hours>; 7]);

impl Week {
    pub fn new(days: [Option<Hours>; 7]) -> Result<Week, SlaError> {
        if days.iter().all(Option::is_none) {
            return Err(SlaError::NoOpenDay);
        }
        Ok(Week(days))
    }

    /// The day's hours, Monday = 0 … Sunday = 6.
    pub fn day(&self, monday_zero: usize) -> Option<Hours> {
        self.0.get(monday_zero).copied().flatten()
    }

    pub fn days(&self) -> [Option<Hours>; 7] {
        self.0
    }

    /// Business minutes in a week without holidays (wall-clock minutes).
    pub fn minutes(&self) -> i64 {
        self.0
            .iter()
            .flatten()
            .map(|h| i64::from(h.minutes()))
            .sum()
    }

    /// The stored form: seven entries separated by commas, Monday first, empty for
    /// closed (`08:00-16:00,…,08:00-12:00,`).
    pub fn to_compact(&self) -> String {
        self.0
            .iter()
            .map(|d| d.map(|h| h.to_string()).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn parse_compact(raw: &str) -> Result<Week, SlaError> {
        let parts: Vec<&str> = raw.split(',').collect();
        if parts.len() != 7 {
            return Err(SlaError::Hours);
        }
        let mut days = [None; 7];
        for (slot, part) in days.iter_mut().zip(parts) {
            *slot = Hours::parse(part)?;
        }
        Week::new(days)
    }
}

impl Default for Week {
    /// Monday to Friday 08:00–16:00, Saturday 08:00–12:00, Sunday closed.
    fn default() -> Week {
        let weekday = Some(Hours {
            open: 8 * 60,
            close: 16 * 60,
        });
        let saturday = Some(Hours {
            open: 8 * 60,
            close: 12 * 60,
        });
        Week([weekday, weekday, weekday, weekday, weekday, saturday, None])
    }
}

/// An IANA time zone from the database compiled into the binary (no file is read).
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

pub const DEFAULT_ZONE: &str = "Asia/Jakarta";

impl Zone {
    /// Looks the name up without regard to case and keeps its canonical spelling.
    pub fn parse(raw: &str) -> Result<Zone, SlaError> {
        let name = raw.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(SlaError::Zone(raw.to_string()));
        }
        let tz = bundled()
            .get(name)
            .map_err(|_| SlaError::Zone(raw.to_string()))?;
        if tz.is_unknown() {
            return Err(SlaError::Zone(raw.to_string()));
        }
        let name = tz.iana_name().unwrap_or(name).to_string();
        Ok(Zone { name, tz })
    }

    /// `Asia/Jakarta` (WIB).
    pub fn jakarta() -> Zone {
        Zone::parse(DEFAULT_ZONE).unwrap_or_else(|_| Zone {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }
}

fn bundled() -> &'static jiff::tz::TimeZoneDatabase {
    static DB: std::sync::OnceLock<jiff::tz::TimeZoneDatabase> = std::sync::OnceLock::new();
    DB.get_or_init(jiff::tz::TimeZoneDatabase::bundled)
}

/// The smallest and largest target, in business minutes.
pub const TARGET_MIN: i64 = 1;
pub const TARGET_MAX: i64 = 100_000;

/// A priority's targets in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub first_response: i64,
    pub resolution: i64,
}

impl Target {
    pub fn new(first_response: i64, resolution: i64) -> Result<Target, SlaError> {
        let ok = |m: i64| (TARGET_MIN..=TARGET_MAX).contains(&m);
        if ok(first_response) && ok(resolution) {
            Ok(Target {
                first_response,
                resolution,
            })
        } else {
            Err(SlaError::Target)
        }
    }
}

/// Targets for every priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets([Target; 4]);

impl Targets {
    /// In the order of `Priority::ALL` (low, normal, high, urgent).
    pub fn new(targets: [Target; 4]) -> Targets {
        Targets(targets)
    }

    pub fn get(&self, p: Priority) -> Target {
        self.0[p.index()]
    }
}

impl Default for Targets {
    fn default() -> Targets {
        let t = |first_response, resolution| Target {
            first_response,
            resolution,
        };
        Targets([t(240, 2880), t(60, 1440), t(30, 480), t(15, 240)])
    }
}

/// A cooperative's SLA: when it works and what it promises.
#[derive(Debug, Clone)]
pub struct Policy {
    pub calendar: Calendar,
    pub targets: Targets,
}

/// When a conversation must be answered and resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dues {
    pub first_response: i64,
    pub resolution: i64,
}

impl Policy {
    /// The dues of a conversation opened at `opened_ms` with `priority`.
    pub fn dues(&self, opened_ms: i64, priority: Priority) -> Dues {
        let t = self.targets.get(priority);
        Dues {
            first_response: self.calendar.add_minutes(opened_ms, t.first_response),
            resolution: self.calendar.add_minutes(opened_ms, t.resolution),
        }
    }
}
