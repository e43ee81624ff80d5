//! Ledger figures for docs/PERFORMANCE.md:
//!
//! 1. journal postings per second through `ledger::post` (balanced entries of 2 lines,
//!    entry numbers, lines, daily balances): batches of 1,000 entries per transaction,
//!    and single-entry transactions; beside a baseline in the same run: the same entries
//!    and lines written by bare multi-row INSERTs (no numbering, no daily balances), in
//!    transactions of the same size;
//! 2. the trial balance (and the balance sheet and income statement, which read the same
//!    daily balances) with LINES journal lines stored, beside the naive report that
//!    rescans the lines (`SUM … GROUP BY account` over `journal_lines`). The lines are
//!    generated in SQL (a recursive sequence: `INSERT … SELECT`, 2 lines per entry over
//!    ten years of dates), and the daily balances are built from them by one grouped
//!    `INSERT … SELECT`, which is what posting them one by one would have left;
//! 3. SHU for MEMBERS members: their pokok/wajib and loan-interest entries posted through
//!    the batch path (1,000 per transaction), then the preview and the one posting.
//!
//! Usage: `ledger DATABASE_URL [LINES] [MEMBERS]` (defaults 10000000, 100000). A
//! PostgreSQL URL without a `search_path` gets a new schema (`bench_ledger_<pid>`),
//! dropped at the end unless `BENCH_KEEP=1`; a SQLite URL should name a new file.

use guyub_domain::money::{AccountCode, BalancedEntry, JournalDraft, Rupiah};
use guyub_domain::{Date, MemberId};
use guyub_services::ledger::{self, Ledger, Posting, Source};
use guyub_services::{Actor, reports, setup, shu};
use guyub_store::Db;
use rand::Rng;
use std::time::{Duration, Instant};

fn code(s: &str) -> AccountCode {
    AccountCode::parse(s).expect("account code")
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A deposit entry of 2 lines.
fn deposit(i: usize, amount: i64) -> BalancedEntry {
    JournalDraft::new(format!("Setoran sukarela {i}"))
        .debit(&code("1-1100"), Rupiah::new(amount))
        .credit(&code("2-1100"), Rupiah::new(amount))
        .build()
        .expect("balanced")
}

async fn post_batch(
    db: &Db,
    coop: guyub_domain::CooperativeId,
    entries: &[(BalancedEntry, Option<MemberId>, Date)],
) -> Result<(), Box<dyn std::error::Error>> {
    let mut tx = db.begin_write().await?;
    let l = Ledger::load(&mut tx, coop).await?;
    let postings: Vec<Posting<'_>> = entries
        .iter()
        .map(|(e, m, d)| Posting {
            date: *d,
            entry: e,
            source: Source {
                kind: "bench",
                id: None,
            },
            member: *m,
            reverses: None,
        })
        .collect();
    ledger::post(&mut tx, &l, "bench", &postings).await?;
    tx.commit().await?;
    Ok(())
}

/// The baseline: entries and their lines by bare multi-row INSERTs with literal values.
async fn bare_insert(
    db: &Db,
    coop: i64,
    first_no: i64,
    n: usize,
    accounts: (i64, i64),
) -> Result<(), Box<dyn std::error::Error>> {
    let mut tx = db.begin_write().await?;
    for start in (0..n).step_by(500) {
        let end = (start + 500).min(n);
        let mut sql = String::from(
            "INSERT INTO journal_entries (cooperative_id, entry_no, entry_date, memo, source_kind, total, created_by, created_at) VALUES ",
        );
        for i in start..end {
            if i > start {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({coop}, {}, 20250115, 'Setoran sukarela {i}', 'bench', 50000, 'bench', 0)",
                first_no + i as i64
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }
    let first_id: i64 = sqlx::query_scalar(
        "SELECT MIN(id) FROM journal_entries WHERE cooperative_id = $1 AND entry_no >= $2",
    )
    .bind(coop)
    .bind(first_no)
    .fetch_one(&mut *tx)
    .await?;
    for start in (0..n).step_by(250) {
        let end = (start + 250).min(n);
        let mut sql = String::from(
            "INSERT INTO journal_lines (cooperative_id, entry_id, account_id, entry_date, debit, credit, member_id) VALUES ",
        );
        for i in start..end {
            if i > start {
                sql.push(',');
            }
            let id = first_id + i as i64;
            sql.push_str(&format!(
                "({coop}, {id}, {}, 20250115, 50000, 0, NULL),({coop}, {id}, {}, 20250115, 0, 50000, NULL)",
                accounts.0, accounts.1
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn account_id(db: &Db, coop: i64, code: &str) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE cooperative_id = $1 AND code = $2")
            .bind(coop)
            .bind(code)
            .fetch_one(db.pool())
            .await?,
    )
}

async fn postings(db: &Db) -> Result<(), Box<dyn std::error::Error>> {
    println!("--- (a) journal postings through ledger::post");
    let coop = setup::create_cooperative(db, "bench-post", "Bench", "bench").await?;
    let mut rng = rand::rng();
    let date = Date::new(2025, 1, 15).expect("date");
    let batches = 20usize;
    let per_batch = 1_000usize;
    let prepared: Vec<Vec<(BalancedEntry, Option<MemberId>, Date)>> = (0..batches)
        .map(|b| {
            (0..per_batch)
                .map(|i| {
                    (
                        deposit(b * per_batch + i, rng.random_range(10_000..5_000_000)),
                        Some(MemberId(rng.random_range(1..100_000))),
                        date,
                    )
                })
                .collect()
        })
        .collect();
    // Seed the chart first, outside the timing.
    post_batch(db, coop.id, &prepared[0][..1]).await?;
    let t = Instant::now();
    for b in &prepared {
        post_batch(db, coop.id, b).await?;
    }
    let batched = t.elapsed();
    let n = batches * per_batch;
    println!(
        "ledger::post, {batches} transactions of {per_batch} entries (2 lines)   {:>8.2} s  {:>9.0} entries/s  {:>9.0} lines/s",
        secs(batched),
        n as f64 / secs(batched),
        2.0 * n as f64 / secs(batched)
    );
    let singles = 2_000usize;
    let one: Vec<Vec<(BalancedEntry, Option<MemberId>, Date)>> = (0..singles)
        .map(|i| vec![(deposit(i, 25_000), Some(MemberId(1 + i as i64)), date)])
        .collect();
    let t = Instant::now();
    for e in &one {
        post_batch(db, coop.id, e).await?;
    }
    let single = t.elapsed();
    println!(
        "ledger::post, {singles} transactions of 1 entry                 {:>8.2} s  {:>9.0} entries/s",
        secs(single),
        singles as f64 / secs(single)
    );
    let base = setup::create_cooperative(db, "bench-post-base", "Baseline", "bench").await?;
    post_batch(db, base.id, &prepared[0][..1]).await?;
    let accounts = (
        account_id(db, base.id.0, "1-1100").await?,
        account_id(db, base.id.0, "2-1100").await?,
    );
    let t = Instant::now();
    for b in 0..batches {
        bare_insert(
            db,
            base.id.0,
            1_000_000 + (b * per_batch) as i64,
            per_batch,
            accounts,
        )
        .await?;
    }
    let bare = t.elapsed();
    println!(
        "baseline: bare multi-row INSERTs, same rows and transactions {:>8.2} s  {:>9.0} entries/s  (ledger::post takes {:.2}× the time)",
        secs(bare),
        n as f64 / secs(bare),
        secs(batched) / secs(bare)
    );
    Ok(())
}

async fn trial_balance(db: &Db, lines: usize) -> Result<(), Box<dyn std::error::Error>> {
    println!("--- (b) reports with {lines} journal lines");
    let coop = setup::create_cooperative(db, "bench-tb", "Bench", "bench").await?;
    let actor = Actor::cli(coop.id);
    let c = coop.id.0;
    // Seed the chart, and find twenty detail accounts to spread the lines over.
    ledger::ledger(db, &actor).await?;
    let debit_codes = [
        "1-1100", "1-1200", "1-1300", "1-1400", "1-1500", "5-3100", "5-3200", "5-1100", "5-2100",
        "5-3900",
    ];
    let credit_codes = [
        "2-1100", "3-1100", "3-1200", "4-1100", "4-1200", "4-1300", "4-1500", "4-2100", "2-1200",
        "3-1400",
    ];
    let mut debit = Vec::new();
    let mut credit = Vec::new();
    for code in debit_codes {
        debit.push(account_id(db, c, code).await?);
    }
    for code in credit_codes {
        credit.push(account_id(db, c, code).await?);
    }
    let case = |ids: &[i64]| {
        let mut s = String::from("CASE id % 10");
        for (i, id) in ids.iter().enumerate() {
            s.push_str(&format!(" WHEN {i} THEN {id}"));
        }
        s.push_str(" END");
        s
    };
    let entries = lines / 2;
    let t = Instant::now();
    let chunk = 1_000_000usize;
    let mut done = 0usize;
    while done < entries {
        let n = chunk.min(entries - done);
        let mut tx = db.begin_write().await?;
        // Dates over 2016–2025, day 1–28: a valid YYYYMMDD for every n.
        let sql = format!(
            "WITH RECURSIVE seq(n) AS (SELECT {done} UNION ALL SELECT n + 1 FROM seq WHERE n < {last})
             INSERT INTO journal_entries (cooperative_id, entry_no, entry_date, memo, source_kind, total, created_by, created_at)
             SELECT {c}, n + 1, (2016 + n % 10) * 10000 + (1 + (n / 10) % 12) * 100 + 1 + (n / 120) % 28,
                    'bench', 'bench', 1000 + n % 100000, 'bench', 0 FROM seq",
            last = done + n - 1
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        done += n;
    }
    let mut tx = db.begin_write().await?;
    for (side, ids) in [("total, 0", &debit), ("0, total", &credit)] {
        let sql = format!(
            "INSERT INTO journal_lines (cooperative_id, entry_id, account_id, entry_date, debit, credit, member_id)
             SELECT cooperative_id, id, {}, entry_date, {side}, NULL FROM journal_entries WHERE cooperative_id = {c}",
            case(ids)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO ledger_daily (cooperative_id, account_id, day, debit, credit)
         SELECT cooperative_id, account_id, entry_date, CAST(SUM(debit) AS BIGINT), CAST(SUM(credit) AS BIGINT)
         FROM journal_lines WHERE cooperative_id = $1 GROUP BY cooperative_id, account_id, entry_date",
    )
    .bind(c)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE ledger_settings SET next_entry_no = $2 WHERE cooperative_id = $1")
        .bind(c)
        .bind(entries as i64 + 1)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if db.engine() == guyub_store::Engine::Postgres {
        // Only this schema's tables (a bare ANALYZE walks every schema of the database).
        for table in ["journal_entries", "journal_lines", "ledger_daily"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                .execute(db.pool())
                .await?;
        }
    }
    let days: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger_daily WHERE cooperative_id = $1")
            .bind(c)
            .fetch_one(db.pool())
            .await?;
    println!(
        "generated {} entries, {} lines, {days} daily balances in SQL   {:>8.2} s",
        entries,
        2 * entries,
        secs(t.elapsed())
    );
    let as_of = Date::new(2025, 12, 31).expect("date");
    let mut runs = Vec::new();
    let mut tb = None;
    for _ in 0..5 {
        let t = Instant::now();
        tb = Some(ledger::trial_balance(db, &actor, as_of).await?);
        runs.push(t.elapsed());
    }
    let tb = tb.expect("ran");
    assert_eq!(tb.total_debit, tb.total_credit);
    println!(
        "trial balance (from daily balances), median of 5           {:>8.3} s  ({} accounts, total {})",
        secs(median(runs)),
        tb.rows.len(),
        Rupiah::new(tb.total_debit)
    );
    let t = Instant::now();
    let bs = reports::balance_sheet(db, &actor, as_of).await?;
    println!(
        "balance sheet                                              {:>8.3} s  (balanced: {})",
        secs(t.elapsed()),
        bs.balanced
    );
    let t = Instant::now();
    reports::income_statement(db, &actor, Date::new(2025, 1, 1).expect("date"), as_of).await?;
    println!(
        "income statement for 2025                                  {:>8.3} s",
        secs(t.elapsed())
    );
    let t = Instant::now();
    let rows = sqlx::query(
        "SELECT account_id, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM journal_lines
         WHERE cooperative_id = $1 AND entry_date <= $2 GROUP BY account_id",
    )
    .bind(c)
    .bind(as_of.as_number())
    .fetch_all(db.pool())
    .await?;
    println!(
        "baseline: the naive rescan of every line (SUM GROUP BY)    {:>8.3} s  ({} accounts)",
        secs(t.elapsed()),
        rows.len()
    );
    Ok(())
}

async fn shu_run(db: &Db, members: usize) -> Result<(), Box<dyn std::error::Error>> {
    println!("--- (c) SHU for {members} members");
    let coop = setup::create_cooperative(db, "bench-shu", "Bench", "bench").await?;
    let actor = Actor::cli(coop.id);
    let c = coop.id.0;
    let t = Instant::now();
    let mut tx = db.begin_write().await?;
    for start in (0..members).step_by(500) {
        let end = (start + 500).min(members);
        let mut sql = String::from(
            "INSERT INTO members (cooperative_id, member_no, name, name_key, status, created_at, updated_at) VALUES ",
        );
        for i in start..end {
            if i > start {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({c}, 'A-{i:06}', 'Anggota {i}', 'anggota {i}', 'anggota', 0, 0)"
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM members WHERE cooperative_id = $1 ORDER BY id")
            .bind(c)
            .fetch_all(db.pool())
            .await?;
    let mut rng = rand::rng();
    let mut batch = Vec::with_capacity(1_000);
    let capital_day = Date::new(2024, 1, 10).expect("date");
    let interest_day = Date::new(2024, 7, 10).expect("date");
    let mut count = 0usize;
    for id in &ids {
        let pokok = 100_000;
        let wajib = rng.random_range(0..24) * 50_000;
        batch.push((
            JournalDraft::new("Simpanan pokok dan wajib")
                .debit(&code("1-1100"), Rupiah::new(pokok + wajib))
                .credit(&code("3-1100"), Rupiah::new(pokok))
                .credit(&code("3-1200"), Rupiah::new(wajib))
                .build()?,
            Some(MemberId(*id)),
            capital_day,
        ));
        if rng.random_range(0..5) > 0 {
            let interest = rng.random_range(5_000..500_000);
            batch.push((
                JournalDraft::new("Angsuran: jasa pinjaman")
                    .debit(&code("1-1100"), Rupiah::new(interest))
                    .credit(&code("4-1100"), Rupiah::new(interest))
                    .build()?,
                Some(MemberId(*id)),
                interest_day,
            ));
        }
        if batch.len() >= 1_000 {
            count += batch.len();
            post_batch(db, coop.id, &batch).await?;
            batch.clear();
        }
    }
    batch.push((
        JournalDraft::new("Penjualan non-anggota")
            .debit(&code("1-1100"), Rupiah::new(members as i64 * 2_500))
            .credit(&code("4-2100"), Rupiah::new(members as i64 * 2_500))
            .build()?,
        None,
        interest_day,
    ));
    batch.push((
        JournalDraft::new("Beban operasional")
            .debit(&code("5-3100"), Rupiah::new(members as i64 * 90_000))
            .credit(&code("1-1100"), Rupiah::new(members as i64 * 90_000))
            .build()?,
        None,
        interest_day,
    ));
    count += batch.len();
    post_batch(db, coop.id, &batch).await?;
    println!(
        "{members} members and {count} member entries (batch path)     {:>8.2} s",
        secs(t.elapsed())
    );
    let t = Instant::now();
    let preview = shu::preview(db, &actor, 2024).await?;
    println!(
        "SHU preview (every member's basis and share)               {:>8.2} s  ({} members, surplus {})",
        secs(t.elapsed()),
        preview.members.len(),
        Rupiah::new(preview.surplus)
    );
    let t = Instant::now();
    let posted = shu::post(db, &actor, 2024).await?;
    println!(
        "SHU posting (closing + distribution entry, shares, timelines, one tx) {:>6.2} s  ({} lines to Utang SHU, shares {})",
        secs(t.elapsed()),
        posted.members.iter().filter(|m| m.total > 0).count(),
        Rupiah::new(posted.shares_total())
    );
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .ok_or("usage: ledger DATABASE_URL [LINES] [MEMBERS]")?;
    let lines: usize = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000_000);
    let members: usize = args
        .get(3)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let mut schema = None;
    let url = if base.starts_with("postgres") && !base.contains("search_path") {
        let name = format!("bench_ledger_{}", std::process::id());
        let admin = Db::connect(base).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(admin.pool())
            .await?;
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        schema = Some(name.clone());
        format!("{base}{sep}options=-c%20search_path%3D{name}")
    } else {
        base.clone()
    };
    let db = Db::open(&url).await?;
    println!(
        "engine: {}{}",
        db.engine().as_str(),
        schema
            .as_deref()
            .map(|s| format!(" (schema {s})"))
            .unwrap_or_default()
    );
    postings(&db).await?;
    trial_balance(&db, lines).await?;
    shu_run(&db, members).await?;
    db.close().await;
    if let Some(name) = schema
        && std::env::var_os("BENCH_KEEP").is_none()
    {
        let admin = Db::connect(base).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {name} CASCADE")))
            .execute(admin.pool())
            .await?;
        admin.close().await;
    }
    Ok(())
}
