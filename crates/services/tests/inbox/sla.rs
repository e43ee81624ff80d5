//! SLA through the services: settings and holidays (who may, what is refused, the
//! audit), dues stamped in business hours, the first answer, and the sweep that flags
//! missed dues once, across cooperatives, in batches.

use crate::support::Coop;
use guyub_domain::sla::{Priority, Week};
use guyub_domain::{ConversationId, HolidayId, Role};
use guyub_services::ServiceError;
use guyub_services::sla::{self, Breach, BreachKind, SettingsInput};
use guyub_store::sla as store;

/// Milliseconds of a wall-clock time in Jakarta (WIB, UTC+7).
fn wib(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
    jiff::civil::date(y, mo, d)
        .at(h, mi, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Asia/Jakarta").unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

const DEFAULT_HOURS: [&str; 7] = [
    "08:00-16:00",
    "08:00-16:00",
    "08:00-16:00",
    "08:00-16:00",
    "08:00-16:00",
    "08:00-12:00",
    "",
];

fn input<'a>() -> SettingsInput<'a> {
    SettingsInput {
        time_zone: "Asia/Jakarta",
        hours: DEFAULT_HOURS,
        first_response: [240, 60, 30, 15],
        resolution: [2880, 1440, 480, 240],
    }
}

fn field_of(e: ServiceError) -> &'static str {
    match e {
        ServiceError::Invalid { field, .. } => field,
        other => panic!("expected a refusal naming a field, got {other:?}"),
    }
}

async fn dues(c: &Coop, id: ConversationId) -> store::ConversationSla {
    store::conversation(&mut c.db.conn().await.unwrap(), c.id, id)
        .await
        .unwrap()
}

async fn stamp(c: &Coop, id: ConversationId, opened: i64, p: Priority) {
    let mut tx = c.db.begin_write().await.unwrap();
    sla::stamp(&mut tx, c.id, id, opened, p).await.unwrap();
    tx.commit().await.unwrap();
}

async fn events(c: &Coop) -> Vec<(i64, String, String, i64)> {
    sqlx::query_as(
        "SELECT conversation_id, kind, detail, at FROM conversation_events
         WHERE cooperative_id = $1 ORDER BY id",
    )
    .bind(c.id.0)
    .fetch_all(c.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_defaults_hold_until_a_supervisor_saves_settings() {
    let c = Coop::new("kop-sla-set").await;
    let s = sla::settings(&c.db, &c.actor(Role::Owner, 1))
        .await
        .unwrap();
    assert!(!s.saved);
    assert_eq!(s.zone.name(), "Asia/Jakarta");
    assert_eq!(s.week, Week::default());
    assert_eq!(s.targets.get(Priority::Urgent).first_response, 15);
    assert_eq!(s.targets.get(Priority::Low).resolution, 2880);

    for role in [Role::Agent, Role::Teller, Role::Manager, Role::Auditor] {
        let a = c.actor(role, 2);
        assert!(matches!(
            sla::settings(&c.db, &a).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            sla::update_settings(&c.db, &a, &input()).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            sla::add_holiday(&c.db, &a, "2026-08-17", "HUT RI").await,
            Err(ServiceError::Forbidden)
        ));
    }

    let supervisor = c.actor(Role::Supervisor, 3);
    let mut new = input();
    new.time_zone = " asia/makassar ";
    new.hours[5] = "";
    new.hours[6] = "9.00 – 12.00";
    new.first_response[3] = 10;
    let saved = sla::update_settings(&c.db, &supervisor, &new)
        .await
        .unwrap();
    assert_eq!(saved.zone.name(), "Asia/Makassar");
    let again = sla::settings(&c.db, &supervisor).await.unwrap();
    assert!(again.saved);
    assert_eq!(again.zone.name(), "Asia/Makassar");
    assert_eq!(
        again.week.to_compact(),
        "08:00-16:00,08:00-16:00,08:00-16:00,08:00-16:00,08:00-16:00,,09:00-12:00"
    );
    assert_eq!(again.targets.get(Priority::Urgent).first_response, 10);
    assert_eq!(
        again.updated_by.as_deref(),
        Some("user:3 staff3@koperasi.test")
    );
    assert_eq!(c.audit_actions().await, ["sla.settings_changed"]);
}

/// A change to valid settings that makes them wrong.
type Change = Box<dyn Fn(&mut SettingsInput<'static>)>;

#[tokio::test]
async fn bad_settings_are_refused_naming_the_field_and_nothing_is_saved() {
    let c = Coop::new("kop-sla-bad").await;
    let admin = c.actor(Role::Admin, 1);
    let cases: Vec<(Change, &str)> = vec![
        (Box::new(|i| i.time_zone = "Asia/Bandung"), "time_zone"),
        (Box::new(|i| i.time_zone = ""), "time_zone"),
        (Box::new(|i| i.hours[2] = "16:00-08:00"), "hours.wed"),
        (Box::new(|i| i.hours[0] = "8 sampai 4"), "hours.mon"),
        (Box::new(|i| i.hours[6] = "00:00-24:30"), "hours.sun"),
        (Box::new(|i| i.hours = [""; 7]), "hours"),
        (
            Box::new(|i| i.first_response[3] = 0),
            "targets.urgent.first_response_minutes",
        ),
        (
            Box::new(|i| i.resolution[0] = 100_001),
            "targets.low.resolution_minutes",
        ),
        (
            Box::new(|i| i.first_response[1] = -5),
            "targets.normal.first_response_minutes",
        ),
        // A resolution target shorter than the first answer's.
        (
            Box::new(|i| i.resolution[2] = 20),
            "targets.high.resolution_minutes",
        ),
    ];
    for (change, field) in cases {
        let mut i = input();
        change(&mut i);
        let e = sla::update_settings(&c.db, &admin, &i).await.unwrap_err();
        assert_eq!(field_of(e), field);
    }
    assert!(!sla::settings(&c.db, &admin).await.unwrap().saved);
    assert!(c.audit_actions().await.is_empty());
}

#[tokio::test]
async fn holidays_are_added_once_a_date_and_removed_within_the_cooperative() {
    let c = Coop::new("kop-sla-libur").await;
    let other = Coop::on(c.db.clone(), "kop-sla-lain").await;
    let a = c.actor(Role::Supervisor, 1);
    let h = sla::add_holiday(&c.db, &a, "17-08-2026", " Hari Kemerdekaan ")
        .await
        .unwrap();
    assert_eq!(
        (h.day.as_str(), h.name.as_str()),
        ("2026-08-17", "Hari Kemerdekaan")
    );
    sla::add_holiday(&c.db, &a, "2026-03-20", "Idul Fitri")
        .await
        .unwrap();
    let days: Vec<String> = sla::holidays(&c.db, &a)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.day)
        .collect();
    assert_eq!(days, ["2026-03-20", "2026-08-17"]);

    assert!(matches!(
        sla::add_holiday(&c.db, &a, "2026-08-17", "Lagi").await,
        Err(ServiceError::Conflict(_))
    ));
    for bad in ["2026-02-30", "besok", ""] {
        let e = sla::add_holiday(&c.db, &a, bad, "Libur").await.unwrap_err();
        assert_eq!(field_of(e), "day", "{bad}");
    }
    let e = sla::add_holiday(&c.db, &a, "2026-12-25", "  ")
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "name");

    // Another cooperative neither sees nor removes it.
    let b = other.actor(Role::Owner, 9);
    assert!(sla::holidays(&c.db, &b).await.unwrap().is_empty());
    assert!(matches!(
        sla::remove_holiday(&c.db, &b, h.id).await,
        Err(ServiceError::NotFound)
    ));
    sla::remove_holiday(&c.db, &a, h.id).await.unwrap();
    assert!(matches!(
        sla::remove_holiday(&c.db, &a, h.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        sla::remove_holiday(&c.db, &a, HolidayId(999_999)).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(sla::holidays(&c.db, &a).await.unwrap().len(), 1);
    assert_eq!(
        c.audit_actions().await,
        [
            "sla.holiday_added",
            "sla.holiday_added",
            "sla.holiday_removed"
        ]
    );
}

#[tokio::test]
async fn dues_are_stamped_in_business_hours_with_holidays_and_the_zone() {
    let c = Coop::new("kop-sla-due").await;
    let a = c.actor(Role::Supervisor, 1);
    // Friday 3 January 2025, 15:50 WIB; the default week works Saturday morning.
    let opened = wib(2025, 1, 3, 15, 50);
    let conv = c.conversation(opened).await;
    stamp(&c, conv, opened, Priority::Normal).await;
    let d = dues(&c, conv).await;
    // 10 minutes on Friday, 50 on Saturday.
    assert_eq!(d.first_response_due, Some(wib(2025, 1, 4, 8, 50)));
    // 10 + 240 (Saturday) + 480 (Monday) + 480 (Tuesday) + 230 on Wednesday.
    assert_eq!(d.resolution_due, Some(wib(2025, 1, 8, 11, 50)));
    assert_eq!((d.first_response_at, d.breached), (None, 0));

    // A new priority re-stamps from the opening.
    stamp(&c, conv, opened, Priority::Urgent).await;
    assert_eq!(
        dues(&c, conv).await.first_response_due,
        Some(wib(2025, 1, 4, 8, 5))
    );

    // Saturday a holiday: Monday morning.
    sla::add_holiday(&c.db, &a, "2025-01-04", "Cuti bersama")
        .await
        .unwrap();
    stamp(&c, conv, opened, Priority::Normal).await;
    assert_eq!(
        dues(&c, conv).await.first_response_due,
        Some(wib(2025, 1, 6, 8, 50))
    );

    // The same hours in WITA: 15:50 WIB is 16:50 WITA, after closing; Saturday (a
    // holiday) is skipped, so Monday 08:00 WITA + 60 = 09:00 WITA = 08:00 WIB.
    let mut i = input();
    i.time_zone = "Asia/Makassar";
    sla::update_settings(&c.db, &a, &i).await.unwrap();
    stamp(&c, conv, opened, Priority::Normal).await;
    assert_eq!(
        dues(&c, conv).await.first_response_due,
        Some(wib(2025, 1, 6, 8, 0))
    );

    // Only this cooperative's conversations.
    let other = Coop::on(c.db.clone(), "kop-sla-due2").await;
    let mut tx = c.db.begin_write().await.unwrap();
    let e = sla::stamp(&mut tx, other.id, conv, opened, Priority::Low)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
}

#[tokio::test]
async fn the_first_answer_is_kept_and_a_late_one_is_flagged_once() {
    let c = Coop::new("kop-sla-answer").await;
    let opened = wib(2025, 1, 6, 9, 0);
    let on_time = c.conversation(opened).await;
    let late = c.conversation(opened).await;
    for id in [on_time, late] {
        stamp(&c, id, opened, Priority::Normal).await;
    }
    let mut tx = c.db.begin_write().await.unwrap();
    sla::first_response(&mut tx, c.id, on_time, wib(2025, 1, 6, 9, 30))
        .await
        .unwrap();
    // A second reply does not move the first answer.
    sla::first_response(&mut tx, c.id, on_time, wib(2025, 1, 6, 11, 0))
        .await
        .unwrap();
    sla::first_response(&mut tx, c.id, late, wib(2025, 1, 6, 10, 30))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let d = dues(&c, on_time).await;
    assert_eq!(
        (d.first_response_at, d.breached),
        (Some(wib(2025, 1, 6, 9, 30)), 0)
    );
    let d = dues(&c, late).await;
    assert_eq!(
        (d.first_response_at, d.breached),
        (Some(wib(2025, 1, 6, 10, 30)), 1)
    );
    assert_eq!(
        events(&c).await,
        [(
            late.0,
            "sla_breach".to_string(),
            "first_response".to_string(),
            wib(2025, 1, 6, 10, 0)
        )]
    );
    // The sweep does not flag it again; the resolution is not due yet.
    assert!(
        sla::sweep(&c.db, wib(2025, 1, 6, 12, 0))
            .await
            .unwrap()
            .is_empty()
    );

    // Resolved late: flagged when resolved (due Thursday 09:00 after three days).
    let mut tx = c.db.begin_write().await.unwrap();
    sla::resolved(&mut tx, c.id, on_time, wib(2025, 1, 9, 8, 0))
        .await
        .unwrap();
    sla::resolved(&mut tx, c.id, late, wib(2025, 1, 9, 10, 0))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(dues(&c, on_time).await.breached, 0);
    assert_eq!(dues(&c, late).await.breached, 3);
    assert_eq!(events(&c).await.len(), 2);
}

#[tokio::test]
async fn the_sweep_flags_each_missed_due_once_across_cooperatives() {
    let a = Coop::new("kop-sla-sweep-a").await;
    let b = Coop::on(a.db.clone(), "kop-sla-sweep-b").await;
    let opened = wib(2025, 1, 6, 9, 0); // Monday: first due 10:00, resolution Thursday 09:00
    let unanswered = a.conversation(opened).await;
    let answered = a.conversation(opened).await;
    let fresh = a.conversation(wib(2025, 1, 6, 11, 30)).await;
    let resolved = a.conversation(opened).await;
    let snoozed = a.conversation(opened).await;
    let neglected = b.conversation(opened).await;
    let unstamped = b.conversation(opened).await;
    for (c, id, at) in [
        (&a, unanswered, opened),
        (&a, answered, opened),
        (&a, fresh, wib(2025, 1, 6, 11, 30)),
        (&a, resolved, opened),
        (&a, snoozed, opened),
        (&b, neglected, opened),
    ] {
        stamp(c, id, at, Priority::Normal).await;
    }
    let mut tx = a.db.begin_write().await.unwrap();
    sla::first_response(&mut tx, a.id, answered, wib(2025, 1, 6, 9, 10))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    a.set_status(resolved, "resolved").await;
    a.set_status(snoozed, "snoozed").await;
    let _ = unstamped;

    // Monday 12:00: three first answers missed (the fresh one is due 12:30).
    let mut found = sla::sweep(&a.db, wib(2025, 1, 6, 12, 0)).await.unwrap();
    found.sort_by_key(|b| b.conversation_id);
    let want = |coop: &Coop, id, kind| Breach {
        cooperative_id: coop.id,
        conversation_id: id,
        kind,
        due: wib(2025, 1, 6, 10, 0),
    };
    assert_eq!(
        found,
        [
            want(&a, unanswered, BreachKind::FirstResponse),
            want(&b, neglected, BreachKind::FirstResponse),
        ]
    );
    assert!(
        sla::sweep(&a.db, wib(2025, 1, 6, 12, 0))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(dues(&a, unanswered).await.breached, 1);
    assert_eq!(dues(&a, resolved).await.breached, 0);
    assert_eq!(
        events(&b).await,
        [(
            neglected.0,
            "sla_breach".to_string(),
            "first_response".to_string(),
            wib(2025, 1, 6, 10, 0)
        )]
    );

    // The snoozed one wakes up; Friday: resolutions missed too.
    a.set_status(snoozed, "open").await;
    let found = sla::sweep(&a.db, wib(2025, 1, 10, 9, 0)).await.unwrap();
    let mut got: Vec<(i64, &str)> = found
        .iter()
        .map(|b| (b.conversation_id.0, b.kind.as_str()))
        .collect();
    got.sort();
    let mut expected = vec![
        (unanswered.0, "resolution"),
        (answered.0, "resolution"),
        (fresh.0, "first_response"),
        (fresh.0, "resolution"),
        (snoozed.0, "first_response"),
        (snoozed.0, "resolution"),
        (neglected.0, "resolution"),
    ];
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(dues(&a, unanswered).await.breached, 3);
    assert_eq!(dues(&a, answered).await.breached, 2);
    assert_eq!(dues(&a, resolved).await.breached, 0);
    assert_eq!(events(&a).await.len(), 7);
    assert!(
        sla::sweep(&a.db, wib(2025, 2, 1, 9, 0))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_large_sweep_goes_in_batches_and_misses_nothing() {
    let c = Coop::new("kop-sla-batch").await;
    let opened = wib(2025, 1, 6, 9, 0);
    let n = sla::SWEEP_BATCH as usize + 123;
    let policy = sla::policy(&mut c.db.conn().await.unwrap(), c.id, opened)
        .await
        .unwrap();
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(c.conversation(opened).await);
    }
    let mut tx = c.db.begin_write().await.unwrap();
    for id in &ids {
        sla::stamp_with(&mut tx, c.id, *id, opened, Priority::Normal, &policy)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let found = sla::sweep(&c.db, wib(2025, 1, 6, 11, 0)).await.unwrap();
    assert_eq!(found.len(), n);
    assert!(found.iter().all(|b| b.kind == BreachKind::FirstResponse));
    let flagged: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM conversations WHERE cooperative_id = $1 AND breached = 1",
    )
    .bind(c.id.0)
    .fetch_one(c.db.pool())
    .await
    .unwrap();
    assert_eq!(flagged, n as i64);
    assert_eq!(events(&c).await.len(), n);
}

#[tokio::test]
async fn the_sweep_reads_the_partial_indexes_on_sqlite() {
    if guyub_store::testing::engine_name() != "sqlite" {
        return;
    }
    let c = Coop::new("kop-sla-plan").await;
    // The sweep's inner queries, as in store::sla.
    for (sql, index) in [
        (
            "EXPLAIN QUERY PLAN SELECT id FROM conversations
             WHERE status = 'open' AND first_response_due < 1
               AND first_response_at IS NULL AND (breached & 1) = 0
             ORDER BY first_response_due LIMIT 10",
            "conversations_sla_first_pending",
        ),
        (
            "EXPLAIN QUERY PLAN SELECT id FROM conversations
             WHERE status = 'open' AND resolution_due < 1 AND (breached & 2) = 0
             ORDER BY resolution_due LIMIT 10",
            "conversations_sla_resolution_pending",
        ),
    ] {
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(sql).fetch_all(c.db.pool()).await.unwrap();
        let plan: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
        assert!(
            plan.iter().any(|p| p.contains(index)),
            "{index} not used: {plan:?}"
        );
    }
}

#[tokio::test]
async fn the_sweeper_hands_breaches_over_after_each_sweep() {
    let c = Coop::new("kop-sla-loop").await;
    // Opened long ago: overdue now, whatever the weekday.
    let opened = wib(2025, 1, 6, 9, 0);
    let conv = c.conversation(opened).await;
    stamp(&c, conv, opened, Priority::Urgent).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(sla::run_sweeper(
        c.db.clone(),
        std::time::Duration::from_millis(50),
        move |b| {
            let _ = tx.send(b);
        },
    ));
    let got = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("a sweep within 10 s")
        .unwrap();
    task.abort();
    let mut kinds: Vec<BreachKind> = got.iter().map(|b| b.kind).collect();
    kinds.sort_by_key(|k| k.as_str());
    assert_eq!(kinds, [BreachKind::FirstResponse, BreachKind::Resolution]);
    assert!(
        got.iter()
            .all(|b| b.conversation_id == conv && b.cooperative_id == c.id)
    );
}
