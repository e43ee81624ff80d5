//! Identity figures for docs/PERFORMANCE.md:
//!
//! 1. importing N members from CSV through the real importer (parse, validate, check
//!    against the registry, write in one transaction), beside a baseline in the same
//!    run: the same rows written by plain one-row INSERTs in one transaction;
//! 2. resolving an incoming identity to its contact and member with M identities
//!    stored, beside a baseline: the bare indexed SELECT on the same key.
//!
//! Usage: `identity DATABASE_URL [MEMBERS] [IDENTITIES]` (defaults 100000, 1000000).
//! The database must be empty (a fresh SQLite file or PostgreSQL schema).

use guyub_domain::{IdentityKey, IdentityKind};
use guyub_services::identity::resolve;
use guyub_services::import::{ImportOptions, import_members};
use guyub_services::{Actor, setup};
use guyub_store::Db;
use guyub_store::contacts::IdentityInfo;
use rand::Rng;
use std::time::{Duration, Instant};

fn nik(i: usize) -> (String, &'static str, String) {
    let district = 1 + (i / 9999) % 99;
    let serial = 1 + i % 9999;
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let year = 60 + i % 40;
    let (gender, nik_day) = if i.is_multiple_of(2) {
        ("L", day)
    } else {
        ("P", day + 40)
    };
    (
        format!("3374{district:02}{nik_day:02}{month:02}{year:02}{serial:04}"),
        gender,
        format!("19{year:02}-{month:02}-{day:02}"),
    )
}

fn csv(n: usize) -> String {
    let mut s = String::with_capacity(n * 120);
    s.push_str("name,nik,gender,birth_date,phones,email,regency,status\n");
    for i in 0..n {
        let (nik, gender, birth) = nik(i);
        s.push_str(&format!(
            "Anggota {i},{nik},{gender},{birth},0813{:08},a{i}@example.id,Kota Semarang,anggota\n",
            i
        ));
    }
    s
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn report(label: &str, mut t: Vec<Duration>) {
    t.sort();
    println!(
        "{label:<52} n={:>7}  p50 {:>8.1} µs  p99 {:>8.1} µs  max {:>8.1} µs",
        t.len(),
        percentile(&t, 0.50).as_secs_f64() * 1e6,
        percentile(&t, 0.99).as_secs_f64() * 1e6,
        t.last().unwrap().as_secs_f64() * 1e6
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: identity DATABASE_URL [MEMBERS] [IDENTITIES]")?;
    let members: usize = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let identities: usize = args
        .get(3)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let db = Db::open(url).await?;
    println!("engine: {}", db.engine().as_str());

    // --- import
    let coop = setup::create_cooperative(&db, "bench-import", "Bench", "bench").await?;
    let actor = Actor::cli(coop.id);
    let text = csv(members);
    let t = Instant::now();
    let dry = ImportOptions {
        dry_run: true,
        skip_bad: false,
    };
    let r = import_members(&db, &actor, text.as_bytes(), &dry, &|_, _| {}).await?;
    assert_eq!(r.valid, members);
    let checking = t.elapsed();
    let t = Instant::now();
    let r = import_members(
        &db,
        &actor,
        text.as_bytes(),
        &ImportOptions::default(),
        &|_, _| {},
    )
    .await?;
    let import = t.elapsed();
    assert_eq!(
        (r.imported, r.errors.len()),
        (members, 0),
        "{:?}",
        r.errors.first()
    );
    let base = setup::create_cooperative(&db, "bench-base", "Baseline", "bench").await?;
    let t = Instant::now();
    let mut tx = db.begin_write().await?;
    for i in 0..members {
        let (nik, gender, birth) = nik(i);
        sqlx::query(
            "INSERT INTO members (cooperative_id, member_no, nik, name, name_key, gender, birth_date,
                phone, email, regency, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'Kota Semarang', 'anggota', 0, 0)",
        )
        .bind(base.id.0)
        .bind(format!("B-{i:06}"))
        .bind(nik)
        .bind(format!("Anggota {i}"))
        .bind(format!("anggota {i}"))
        .bind(gender)
        .bind(birth)
        .bind(format!("+62813{i:08}"))
        .bind(format!("a{i}@example.id"))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let baseline = t.elapsed();
    println!(
        "import {members} members from CSV (guyub importer)      {:>8.2} s  ({:.0} rows/s)",
        import.as_secs_f64(),
        members as f64 / import.as_secs_f64()
    );
    println!(
        "  of which reading and checking (a dry run)            {:>8.2} s",
        checking.as_secs_f64()
    );
    println!(
        "baseline: the same rows as one-row INSERTs, one tx     {:>8.2} s  (ratio {:.2})",
        baseline.as_secs_f64(),
        import.as_secs_f64() / baseline.as_secs_f64()
    );

    // --- resolution with many identities stored
    let coop = setup::create_cooperative(&db, "bench-resolve", "Bench", "bench")
        .await?
        .id;
    let t = Instant::now();
    let now = guyub_store::now_ms();
    let mut tx = db.begin_write().await?;
    for start in (0..identities).step_by(500) {
        let end = (start + 500).min(identities);
        let mut sql = String::from(
            "INSERT INTO contacts (cooperative_id, display_name, created_at, updated_at) VALUES ",
        );
        for i in start..end {
            if i > start {
                sql.push(',');
            }
            sql.push_str(&format!("({}, 'Kontak {i}', {now}, {now})", coop.0));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }
    let first_contact: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM contacts WHERE cooperative_id = $1")
            .bind(coop.0)
            .fetch_one(&mut *tx)
            .await?;
    for start in (0..identities).step_by(500) {
        let end = (start + 500).min(identities);
        let mut sql = String::from(
            "INSERT INTO channel_identities (cooperative_id, contact_id, kind, external_id, first_seen, last_seen) VALUES ",
        );
        for i in start..end {
            if i > start {
                sql.push(',');
            }
            let (kind, ext) = key_of(i);
            sql.push_str(&format!(
                "({}, {}, '{kind}', '{ext}', {now}, {now})",
                coop.0,
                first_contact + i as i64
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if db.engine() == guyub_store::Engine::Postgres {
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }
    println!(
        "seeded {identities} identities in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut conn = db.conn().await?;
    let mut rng = rand::rng();
    let lookups = 50_000;
    let mut bare = Vec::with_capacity(lookups);
    let mut known = Vec::with_capacity(lookups);
    for round in 0..2 * lookups {
        let i = rng.random_range(0..identities);
        let (kind, ext) = key_of(i);
        if round.is_multiple_of(2) {
            let t = Instant::now();
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM channel_identities WHERE cooperative_id = $1 AND kind = $2 AND external_id = $3",
            )
            .bind(coop.0)
            .bind(kind)
            .bind(&ext)
            .fetch_optional(&mut *conn)
            .await?;
            bare.push(t.elapsed());
            assert!(id.is_some());
        } else {
            let key = IdentityKey::parse(IdentityKind::parse(kind)?, &ext)?;
            let t = Instant::now();
            let r = resolve(&mut conn, coop, &key, &IdentityInfo::default()).await?;
            known.push(t.elapsed());
            assert!(!r.created);
        }
    }
    report("baseline: bare indexed SELECT of the identity", bare);
    report("resolve a known identity (contact + member)", known);
    let mut fresh = Vec::with_capacity(5_000);
    for i in 0..5_000 {
        let key = IdentityKey::parse(IdentityKind::Telegram, &format!("9{i:09}"))?;
        let t = Instant::now();
        let mut tx = db.begin_write().await?;
        let r = resolve(&mut tx, coop, &key, &IdentityInfo::default()).await?;
        tx.commit().await?;
        fresh.push(t.elapsed());
        assert!(r.created);
    }
    report("resolve a new identity (creates contact, commits)", fresh);
    Ok(())
}

fn key_of(i: usize) -> (&'static str, String) {
    match i % 4 {
        0 => ("whatsapp", format!("62812{i:08}")),
        1 => ("telegram", format!("{}", 100_000_000 + i)),
        2 => ("instagram", format!("178414{i:011}")),
        _ => ("line", format!("U{i:032x}")),
    }
}
