//! Inbox figures for docs/PERFORMANCE.md.
//!
//! 1. Seeds a large inbox (default 100,000 conversations and 1,000,000 messages in the
//!    bench cooperative, a tenth of that in a second cooperative of the same database),
//!    messages written by `store::messages::insert_messages`, so the search index is
//!    filled as production fills it; reports the write rate with the index beside the
//!    same INSERT without it (interleaved batches, same run).
//! 2. Measures search (`services::search::search`) over varied queries, p50/p95/p99,
//!    beside a `LIKE '%word%'` scan of the same cooperative.
//!
//! Usage: `inbox DATABASE_URL [CONVERSATIONS] [MESSAGES] [QUERIES]` (defaults 100000,
//! 1000000, 300). A database already seeded (it has the `bench-inbox` cooperative) is
//! measured again without seeding, so `BENCH_KEEP=1` plus a second run skips the
//! minutes of seeding. A PostgreSQL URL without a `search_path` gets a new schema
//! (`bench_inbox_<pid>`), dropped at the end unless `BENCH_KEEP=1`.
//!
//! 3. Measures the conversation list (every view and filter, page 2, the list page's
//!    reads) and opening a conversation (the service, the conversation page's reads),
//!    each beside its bare query.

mod corpus;
mod measure;
mod seed;

use guyub_store::Db;
use measure::Figure;
use seed::Seeded;

type BoxError = Box<dyn std::error::Error>;

/// Every measurement of the run, on the seeded database.
async fn measurements(s: &Seeded, queries: usize) -> Result<Vec<Figure>, BoxError> {
    let mut out = Vec::new();
    let list = measure::queries(s, queries);
    out.extend(measure::search(s, &list).await?);
    out.extend(measure::conversation_list(s).await?);
    out.extend(measure::conversation_open(s).await?);
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .ok_or("usage: inbox DATABASE_URL [CONVERSATIONS] [MESSAGES] [QUERIES]")?;
    let arg = |i: usize, default: usize| -> Result<usize, BoxError> {
        Ok(match args.get(i) {
            Some(v) => v.parse()?,
            None => default,
        })
    };
    let conversations = arg(2, 100_000)?;
    let messages = arg(3, 1_000_000)?;
    let queries = arg(4, 300)?;
    let schema = (base.starts_with("postgres") && !base.contains("search_path"))
        .then(|| format!("bench_inbox_{}", std::process::id()));
    let url = match &schema {
        Some(name) => {
            let admin = Db::connect(base).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
                .execute(admin.pool())
                .await?;
            admin.close().await;
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}options=-c%20search_path%3D{name}")
        }
        None => base.clone(),
    };
    let db = Db::open(&url).await?;
    println!(
        "engine: {}; machine: {} cores",
        db.engine().as_str(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let seeded = match seed::load(&db).await? {
        Some(s) => {
            println!("already seeded: measuring only");
            s
        }
        None => {
            println!("seeding {conversations} conversations, {messages} messages …");
            let (s, f) = seed::seed(&db, conversations, messages).await?;
            println!(
                "seeded in {:.1} s; bench cooperative's messages in {:.1} s ({:.0} messages/s through insert_messages)",
                f.total.as_secs_f64(),
                f.messages.as_secs_f64(),
                messages as f64 / f.messages.as_secs_f64()
            );
            println!(
                "write rate, second cooperative, interleaved batches of 5,000: insert_messages with the index {:.0}/s, \
                 the same INSERT without it {:.0}/s ({:.2}x the time); contacts' search entries written in {:.1} s",
                f.indexed_rate,
                f.bare_rate,
                f.bare_rate / f.indexed_rate,
                f.contacts_indexed.as_secs_f64()
            );
            s
        }
    };
    println!(
        "bench cooperative: {} conversations, {} messages; {}",
        seeded.conversations,
        seeded.messages,
        measure::index_size(&seeded).await
    );
    let figures = measurements(&seeded, queries).await?;
    println!("{}", measure::HEADER);
    for f in &figures {
        println!("{}", f.row());
    }
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
