//! Store invariants on the engine under test (SQLite, or PostgreSQL with
//! GUYUB_TEST_DATABASE_URL).

use guyub_domain::{CooperativeId, Slug};
use guyub_store::audit::{self, NewEntry};
use guyub_store::{Db, cooperatives};

async fn db() -> Db {
    Db::open(&guyub_store::testing::fresh_database_url().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn concurrent_audit_appends_form_one_unbroken_chain() {
    let db = db().await;
    let coop = cooperatives::create(
        &mut db.conn().await.unwrap(),
        &Slug::parse("kop").unwrap(),
        "Kop",
        None,
    )
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let chain = if i % 4 == 0 { None } else { Some(coop.id) };
            let mut tx = db.begin_write().await.unwrap();
            let detail = format!("n={i}");
            audit::append(
                &mut tx,
                NewEntry {
                    cooperative_id: chain,
                    actor: "test",
                    action: "x",
                    target: "",
                    source: "",
                    detail: &detail,
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = audit::verify(&mut db.conn().await.unwrap()).await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.entries, 40);
    assert_eq!(report.chains, 2);
}

#[tokio::test]
async fn a_rolled_back_append_leaves_no_trace() {
    let db = db().await;
    let mut tx = db.begin_write().await.unwrap();
    audit::append(
        &mut tx,
        NewEntry {
            cooperative_id: None,
            actor: "t",
            action: "a",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    audit::append(
        &mut tx,
        NewEntry {
            cooperative_id: None,
            actor: "t",
            action: "b",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let e = audit::append(
        &mut tx,
        NewEntry {
            cooperative_id: None,
            actor: "t",
            action: "c",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(e.seq, 2);
    let report = audit::verify(&mut db.conn().await.unwrap()).await.unwrap();
    assert_eq!((report.entries, report.broken), (2, None));
}

#[tokio::test]
async fn removing_the_last_entry_is_detected() {
    let db = db().await;
    for _ in 0..3 {
        let mut tx = db.begin_write().await.unwrap();
        audit::append(
            &mut tx,
            NewEntry {
                cooperative_id: None,
                actor: "t",
                action: "a",
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(db.pool())
        .await
        .unwrap();
    let report = audit::verify(&mut db.conn().await.unwrap()).await.unwrap();
    assert!(
        matches!(
            report.broken,
            Some((0, 3, None, guyub_domain::audit::Broken::Truncated { .. }))
        ),
        "{report:?}"
    );
}

#[tokio::test]
async fn migrations_are_idempotent_and_slugs_unique() {
    let db = db().await;
    assert!(
        db.migrate().await.unwrap().is_empty(),
        "second run applies nothing"
    );
    let slug = Slug::parse("sama").unwrap();
    let mut conn = db.conn().await.unwrap();
    cooperatives::create(&mut conn, &slug, "A", None)
        .await
        .unwrap();
    let err = cooperatives::create(&mut conn, &slug, "B", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, guyub_store::StoreError::Conflict(_)),
        "{err:?}"
    );
    assert!(
        cooperatives::get(&mut conn, CooperativeId(999_999))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn concurrent_member_numbers_are_unique_and_gapless() {
    let db = db().await;
    let coop = cooperatives::create(
        &mut db.conn().await.unwrap(),
        &Slug::parse("kop-no").unwrap(),
        "Kop",
        None,
    )
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin_write().await.unwrap();
            let (format, n) = guyub_store::members::take_numbers(&mut tx, coop.id, 1 + i % 3)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            (0..1 + i % 3)
                .map(|k| format.format(n + k))
                .collect::<Vec<_>>()
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let want: Vec<String> = (1..=all.len() as i64)
        .map(|n| format!("A-{n:06}"))
        .collect();
    assert_eq!(all, want);
}
