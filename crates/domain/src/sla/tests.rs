//! Worked examples by hand and properties of business-time arithmetic.

use super::*;
use crate::Date;
use jiff::civil;
use proptest::prelude::*;

/// Milliseconds of a local wall-clock time in `zone`.
fn at(zone: &str, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
    let tz = Zone::parse(zone).unwrap();
    tz.tz()
        .to_timestamp(civil::date(y, mo, d).at(h, mi, 0, 0))
        .unwrap()
        .as_millisecond()
}

fn wib(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
    at("Asia/Jakarta", y, mo, d, h, mi)
}

fn weekdays_only() -> Week {
    let mut days = Week::default().days();
    days[5] = None;
    Week::new(days).unwrap()
}

fn cal(week: Week, holidays: &[(i32, u8, u8)], zone: &str) -> Calendar {
    Calendar::new(
        week,
        holidays
            .iter()
            .map(|&(y, m, d)| Date::new(y, m, d).unwrap()),
        Zone::parse(zone).unwrap(),
    )
}

// 2025-01-03 is a Friday; 2025-01-04 Saturday; 2025-01-06 Monday.

#[test]
fn friday_afternoon_plus_thirty_minutes_is_monday_morning_when_saturday_is_closed() {
    let c = cal(weekdays_only(), &[], "Asia/Jakarta");
    let due = add_business_minutes(wib(2025, 1, 3, 15, 50), 30, &c);
    assert_eq!(due, wib(2025, 1, 6, 8, 20));
    assert_eq!(
        business_minutes_between(wib(2025, 1, 3, 15, 50), due, &c),
        30
    );
}

#[test]
fn the_default_week_works_saturday_morning() {
    let c = cal(Week::default(), &[], "Asia/Jakarta");
    assert_eq!(
        add_business_minutes(wib(2025, 1, 3, 15, 50), 30, &c),
        wib(2025, 1, 4, 8, 20)
    );
    // Saturday closes at 12:00: 11:50 + 30 goes on on Monday.
    assert_eq!(
        add_business_minutes(wib(2025, 1, 4, 11, 50), 30, &c),
        wib(2025, 1, 6, 8, 20)
    );
}

#[test]
fn a_holiday_in_between_is_skipped() {
    // Saturday 4 January a holiday: Friday 15:50 + 30 is Monday 08:20.
    let c = cal(Week::default(), &[(2025, 1, 4)], "Asia/Jakarta");
    assert_eq!(
        add_business_minutes(wib(2025, 1, 3, 15, 50), 30, &c),
        wib(2025, 1, 6, 8, 20)
    );
    // Thursday 15:30 + 60 with Friday a holiday: 30 on Thursday, 30 on Saturday.
    let c = cal(Week::default(), &[(2025, 1, 3)], "Asia/Jakarta");
    assert_eq!(
        add_business_minutes(wib(2025, 1, 2, 15, 30), 60, &c),
        wib(2025, 1, 4, 8, 30)
    );
    assert!(c.is_holiday(wib(2025, 1, 3, 10, 0)));
    assert!(!c.is_open(wib(2025, 1, 3, 10, 0)));
}

#[test]
fn counting_starts_at_the_next_opening() {
    let c = cal(Week::default(), &[], "Asia/Jakarta");
    // Sunday: closed; zero minutes give the next working instant.
    assert_eq!(
        add_business_minutes(wib(2025, 1, 5, 10, 0), 0, &c),
        wib(2025, 1, 6, 8, 0)
    );
    assert_eq!(
        add_business_minutes(wib(2025, 1, 6, 6, 0), 15, &c),
        wib(2025, 1, 6, 8, 15)
    );
    assert_eq!(
        add_business_minutes(wib(2025, 1, 6, 20, 0), 15, &c),
        wib(2025, 1, 7, 8, 15)
    );
    // Inside working time zero minutes is now.
    assert_eq!(
        add_business_minutes(wib(2025, 1, 6, 9, 7), 0, &c),
        wib(2025, 1, 6, 9, 7)
    );
}

#[test]
fn a_target_can_end_at_closing_time() {
    let c = cal(Week::default(), &[], "Asia/Jakarta");
    // Normal resolution, 1440 minutes from Monday 08:00: three full days of 480.
    let due = add_business_minutes(wib(2025, 1, 6, 8, 0), 1440, &c);
    assert_eq!(due, wib(2025, 1, 8, 16, 0));
    assert_eq!(
        add_business_minutes(wib(2025, 1, 3, 15, 50), 10, &c),
        wib(2025, 1, 3, 16, 0)
    );
    // A week: 5 × 480 + 240.
    assert_eq!(c.week().minutes(), 2640);
    assert_eq!(
        business_minutes_between(wib(2025, 1, 6, 0, 0), wib(2025, 1, 13, 0, 0), &c),
        2640
    );
    assert_eq!(
        business_minutes_between(wib(2025, 1, 13, 0, 0), wib(2025, 1, 6, 0, 0), &c),
        -2640
    );
}

#[test]
fn the_same_hours_in_wita_are_an_hour_earlier() {
    let wita = cal(Week::default(), &[], "Asia/Makassar");
    let due = add_business_minutes(wib(2025, 1, 3, 15, 50), 30, &wita);
    // 15:50 WIB is 16:50 WITA, after closing: Saturday 08:30 WITA = 07:30 WIB.
    assert_eq!(due, at("Asia/Makassar", 2025, 1, 4, 8, 30));
    assert_eq!(due, wib(2025, 1, 4, 7, 30));
}

#[test]
fn a_day_with_a_clock_change_has_its_real_length() {
    // America/New_York: 2025-03-09 skips 02:00–03:00, 2025-11-02 repeats 01:00–02:00.
    let hours = Some(Hours::new(60, 240).unwrap()); // 01:00–04:00 every day
    let c = cal(Week::new([hours; 7]).unwrap(), &[], "America/New_York");
    let ny = |mo, d, h| at("America/New_York", 2025, mo, d, h, 0);
    assert_eq!(business_minutes_between(ny(3, 2, 0), ny(3, 3, 0), &c), 180);
    assert_eq!(business_minutes_between(ny(3, 9, 0), ny(3, 10, 0), &c), 120);
    assert_eq!(
        business_minutes_between(ny(11, 2, 0), ny(11, 3, 0), &c),
        240
    );
    // 150 minutes from the opening on the short day: 120 that day, 30 the next.
    assert_eq!(
        add_business_minutes(ny(3, 9, 1), 150, &c),
        at("America/New_York", 2025, 3, 10, 1, 30)
    );
}

#[test]
fn hours_parse_in_the_ways_people_write_them() {
    assert_eq!(
        Hours::parse("08:00-16:00").unwrap(),
        Some(Hours::new(480, 960).unwrap())
    );
    assert_eq!(
        Hours::parse(" 8.00 – 16.30 ").unwrap(),
        Some(Hours::new(480, 990).unwrap())
    );
    assert_eq!(
        Hours::parse("00:00-24:00").unwrap(),
        Some(Hours::new(0, 1440).unwrap())
    );
    for closed in ["", "tutup", "Closed", "-"] {
        assert_eq!(Hours::parse(closed).unwrap(), None, "{closed}");
    }
    for bad in [
        "16:00-08:00",
        "08:00-08:00",
        "08:00",
        "8-16",
        "25:00-26:00",
        "08:60-09:00",
        "24:30-24:45",
        "08:00-24:01",
        "aa:bb-cc:dd",
        "+8:00-16:00",
        "008:00-16:00",
    ] {
        assert_eq!(Hours::parse(bad), Err(SlaError::Hours), "{bad}");
    }
    let w = Week::default();
    assert_eq!(
        w.to_compact(),
        "08:00-16:00,08:00-16:00,08:00-16:00,08:00-16:00,08:00-16:00,08:00-12:00,"
    );
    assert_eq!(Week::parse_compact(&w.to_compact()), Ok(w));
    assert_eq!(Week::parse_compact(",,,,,,"), Err(SlaError::NoOpenDay));
    assert_eq!(Week::parse_compact("08:00-16:00"), Err(SlaError::Hours));
}

#[test]
fn zones_and_targets_are_checked() {
    assert_eq!(Zone::parse("asia/jakarta").unwrap().name(), "Asia/Jakarta");
    assert_eq!(
        Zone::parse("Asia/Jayapura").unwrap().name(),
        "Asia/Jayapura"
    );
    for bad in ["", "Asia/Bandung", "Etc/Unknown", "../../etc/passwd"] {
        assert!(matches!(Zone::parse(bad), Err(SlaError::Zone(_))), "{bad}");
    }
    assert!(Target::new(1, 100_000).is_ok());
    assert_eq!(Target::new(0, 10), Err(SlaError::Target));
    assert_eq!(Target::new(10, 100_001), Err(SlaError::Target));
    let t = Targets::default();
    assert_eq!(t.get(Priority::Urgent), Target::new(15, 240).unwrap());
    assert_eq!(t.get(Priority::High), Target::new(30, 480).unwrap());
    assert_eq!(t.get(Priority::Normal), Target::new(60, 1440).unwrap());
    assert_eq!(t.get(Priority::Low), Target::new(240, 2880).unwrap());
    assert_eq!(Priority::parse(" URGENT"), Ok(Priority::Urgent));
    assert!(Priority::parse("asap").is_err());
}

#[test]
fn a_policy_gives_both_dues() {
    let p = Policy {
        calendar: cal(Week::default(), &[], "Asia/Jakarta"),
        targets: Targets::default(),
    };
    let d = p.dues(wib(2025, 1, 6, 9, 0), Priority::Urgent);
    assert_eq!(d.first_response, wib(2025, 1, 6, 9, 15));
    assert_eq!(d.resolution, wib(2025, 1, 6, 13, 0));
}

#[test]
fn the_timer_warns_before_the_due_and_stops_when_met() {
    let m = 60_000;
    // Normal: 60 minutes; at risk under 15 minutes (a quarter) left.
    let t = timer(0, 20 * m, None, 60);
    assert_eq!(
        (t.remaining_ms, t.overdue, t.at_risk, t.done),
        (20 * m, false, false, false)
    );
    assert!(timer(0, 14 * m, None, 60).at_risk);
    // Low: 240 minutes; a quarter is an hour.
    assert!(timer(0, 59 * m, None, 240).at_risk);
    assert!(!timer(0, 61 * m, None, 240).at_risk);
    // Urgent: 15 minutes; the 15-minute floor makes it at risk from the start.
    assert!(timer(0, 15 * m - 1, None, 15).at_risk);
    let late = timer(10 * m, 5 * m, None, 60);
    assert_eq!(
        (late.remaining_ms, late.overdue, late.at_risk),
        (-5 * m, true, false)
    );
    let met = timer(99 * m, 20 * m, Some(5 * m), 60);
    assert_eq!(
        (met.remaining_ms, met.overdue, met.at_risk, met.done),
        (15 * m, false, false, true)
    );
    let missed = timer(99 * m, 20 * m, Some(25 * m), 60);
    assert_eq!(
        (missed.remaining_ms, missed.overdue, missed.done),
        (-5 * m, true, true)
    );
}

// ---------------------------------------------------------------- properties

const ZONES: [&str; 6] = [
    "Asia/Jakarta",
    "Asia/Makassar",
    "Asia/Jayapura",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
];

fn arb_hours() -> impl Strategy<Value = Option<Hours>> {
    prop_oneof![
        1 => Just(None),
        3 => (0u16..1380, 60u16..=1440).prop_map(|(open, len)| {
            Some(Hours::new(open, (open + len).min(MINUTES_PER_DAY)).unwrap())
        }),
    ]
}

fn arb_calendar() -> impl Strategy<Value = (Calendar, bool)> {
    (
        proptest::array::uniform7(arb_hours()),
        proptest::collection::vec((2025i32..=2026, 1u8..=12, 1u8..=28), 0..12),
        0..ZONES.len(),
    )
        .prop_map(|(mut days, holidays, zone)| {
            if days.iter().all(Option::is_none) {
                days[2] = Hours::new(480, 960).ok();
            }
            let fixed_offset = zone < 3;
            let c = Calendar::new(
                Week::new(days).unwrap(),
                holidays
                    .into_iter()
                    .filter_map(|(y, m, d)| Date::new(y, m, d)),
                Zone::parse(ZONES[zone]).unwrap(),
            );
            (c, fixed_offset)
        })
}

fn arb_start() -> impl Strategy<Value = i64> {
    // 2025-01-01 to 2026-12-31, any millisecond.
    1_735_689_600_000i64..1_798_675_200_000i64
}

/// Checks "working at `ms`" from the definition, without the calendar's intervals:
/// the local weekday's hours contain the local time and the day is no holiday. Only
/// for zones without clock changes.
fn open_by_definition(c: &Calendar, ms: i64) -> bool {
    let dt = c
        .zone()
        .tz()
        .to_datetime(jiff::Timestamp::from_millisecond(ms).unwrap());
    let minute = i64::from(dt.hour()) * 60 + i64::from(dt.minute());
    let weekday = dt.weekday().to_monday_zero_offset() as usize;
    !c.is_holiday(ms)
        && c.week()
            .day(weekday)
            .is_some_and(|h| i64::from(h.open()) <= minute && minute < i64::from(h.close()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn adding_then_measuring_gives_the_minutes_back(
        (c, _) in arb_calendar(), start in arb_start(), minutes in 0i64..5_000,
    ) {
        let due = add_business_minutes(start, minutes, &c);
        prop_assert!(due >= start);
        prop_assert_eq!(business_ms_between(start, due, &c), minutes * 60_000);
        prop_assert_eq!(business_minutes_between(start, due, &c), minutes);
    }

    #[test]
    fn the_due_is_in_working_time_and_never_on_a_holiday(
        (c, fixed) in arb_calendar(), start in arb_start(), minutes in 0i64..5_000,
    ) {
        let due = add_business_minutes(start, minutes, &c);
        // With minutes to count, the last counted millisecond is working time; with
        // none, the result itself is.
        let probe = if minutes > 0 { due - 1 } else { due };
        prop_assert!(c.is_open(probe));
        prop_assert!(!c.is_holiday(probe));
        if fixed {
            prop_assert!(open_by_definition(&c, probe));
        }
        if minutes > 0 {
            // Nothing in between is skipped: the business time just before the due is
            // short of the minutes by exactly one millisecond.
            prop_assert_eq!(business_ms_between(start, due - 1, &c), minutes * 60_000 - 1);
        }
    }

    #[test]
    fn more_minutes_or_a_later_start_never_give_an_earlier_due(
        (c, _) in arb_calendar(), start in arb_start(), later in 0i64..(10 * 86_400_000),
        a in 0i64..3_000, b in 0i64..3_000,
    ) {
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(add_business_minutes(start, lo, &c) <= add_business_minutes(start, hi, &c));
        prop_assert!(add_business_minutes(start, a, &c) <= add_business_minutes(start + later, a, &c));
    }

    #[test]
    fn adding_in_two_steps_is_adding_once(
        (c, _) in arb_calendar(), start in arb_start(), a in 0i64..3_000, b in 1i64..3_000,
    ) {
        let once = add_business_minutes(start, a + b, &c);
        let twice = add_business_minutes(add_business_minutes(start, a, &c), b, &c);
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn business_time_adds_up_over_a_split(
        (c, _) in arb_calendar(), a in arb_start(), d1 in 0i64..(20 * 86_400_000), d2 in 0i64..(20 * 86_400_000),
    ) {
        let (m, b) = (a + d1, a + d1 + d2);
        prop_assert_eq!(
            business_ms_between(a, b, &c),
            business_ms_between(a, m, &c) + business_ms_between(m, b, &c)
        );
        prop_assert!(business_ms_between(a, b, &c) <= b - a);
    }

    #[test]
    fn hours_survive_their_stored_form(days in proptest::array::uniform7(arb_hours())) {
        if let Ok(w) = Week::new(days) {
            prop_assert_eq!(Week::parse_compact(&w.to_compact()), Ok(w));
        }
    }
}
