//! Latency measurements on a seeded inbox. Each takes the `Seeded` database and returns
//! `Figure`s; `main` prints them. More measurements (the conversation list, opening a
//! conversation) are added as functions of the same shape.

use crate::corpus;
use crate::seed::Seeded;
use guyub_services::inbox;
use guyub_services::search::{self, SearchFilter};
use guyub_store::inbox::{AssigneeFilter, Filter};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use std::cell::Cell;
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error>;

/// Latencies of one kind of request.
pub struct Figure {
    pub name: String,
    pub samples: Vec<Duration>,
    pub note: String,
}

impl Figure {
    fn pct(&self, p: f64) -> Duration {
        let mut v = self.samples.clone();
        v.sort();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i.min(v.len() - 1)]
    }

    pub fn row(&self) -> String {
        let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
        let mean = self.samples.iter().sum::<Duration>() / self.samples.len().max(1) as u32;
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            self.name,
            self.samples.len(),
            ms(self.pct(0.5)),
            ms(self.pct(0.95)),
            ms(self.pct(0.99)),
            ms(*self.samples.iter().max().unwrap_or(&Duration::ZERO)),
            ms(mean),
            self.note
        )
    }
}

pub const HEADER: &str = "| figure | n | p50 ms | p95 ms | p99 ms | max ms | mean ms | note |\n| --- | --- | --- | --- | --- | --- | --- | --- |";

/// A search as agents type them, with its kind.
pub struct Query {
    pub kind: &'static str,
    pub text: String,
}

/// Varied queries: topic words in their affixed forms, alone and in twos and threes,
/// names, member numbers, phone numbers in both spellings, amounts, rare words and
/// words that are nowhere.
pub fn queries(s: &Seeded, n: usize) -> Vec<Query> {
    let mut rng = StdRng::seed_from_u64(7);
    let mut out = Vec::with_capacity(n);
    let mut push = |kind: &'static str, text: String| out.push(Query { kind, text });
    let share = |part: usize| (n * part / 100).max(1);
    for _ in 0..share(20) {
        push("1 word", corpus::query_word(&mut rng));
    }
    for _ in 0..share(20) {
        let q = format!(
            "{} {}",
            corpus::query_word(&mut rng),
            corpus::query_word(&mut rng)
        );
        push("2 words", q);
    }
    for _ in 0..share(10) {
        let q = format!(
            "{} {} {}",
            corpus::query_word(&mut rng),
            corpus::query_word(&mut rng),
            corpus::query_word(&mut rng)
        );
        push("3 words", q);
    }
    for _ in 0..share(12) {
        let name = s.names.choose(&mut rng).cloned().unwrap_or_default();
        let q = if rng.random_bool(0.5) {
            name
        } else {
            name.split(' ').next().unwrap_or("").to_string()
        };
        push("name", q);
    }
    for _ in 0..share(10) {
        let no = s.member_nos.choose(&mut rng).cloned().unwrap_or_default();
        let q = if rng.random_bool(0.5) {
            no
        } else {
            no.trim_start_matches("A-").to_string()
        };
        push("member no", q);
    }
    for _ in 0..share(10) {
        let wa = s.phones.choose(&mut rng).cloned().unwrap_or_default();
        let q = if rng.random_bool(0.5) {
            format!("0{}", wa.get(2..).unwrap_or(""))
        } else {
            wa
        };
        push("phone", q);
    }
    for _ in 0..share(8) {
        push("amount", corpus::amount(&mut rng));
    }
    for _ in 0..share(5) {
        push(
            "rare word",
            corpus::RARE_WORDS
                .choose(&mut rng)
                .unwrap_or(&"gempa")
                .to_string(),
        );
    }
    for _ in 0..share(5) {
        push(
            "no match",
            corpus::ABSENT_WORDS
                .choose(&mut rng)
                .unwrap_or(&"zebra")
                .to_string(),
        );
    }
    out.shuffle(&mut rng);
    out
}

/// Search through `services::search::search` (ranking, the page's rows, snippets),
/// first page of 20, beside the baseline in the same run: `LOWER(body) LIKE '%word%'`
/// for every word as typed, in the same cooperative, newest 20.
pub async fn search(s: &Seeded, list: &[Query]) -> Result<Vec<Figure>, BoxError> {
    let filter = SearchFilter::default();
    // Warm up (caches, prepared statements): a pass over a tenth of the queries.
    for q in list.iter().step_by(10) {
        search::search(&s.db, &s.agent, &q.text, &filter, 20).await?;
    }
    let mut all = Vec::with_capacity(list.len());
    let mut kinds: Vec<(&'static str, Vec<Duration>, usize)> = Vec::new();
    let mut found = 0usize;
    for q in list {
        let t = Instant::now();
        let r = search::search(&s.db, &s.agent, &q.text, &filter, 20).await?;
        let d = t.elapsed();
        all.push(d);
        found += r.messages.len() + r.contacts.len();
        match kinds.iter_mut().find(|k| k.0 == q.kind) {
            Some(k) => {
                k.1.push(d);
                k.2 += r.messages.len();
            }
            None => kinds.push((q.kind, vec![d], r.messages.len())),
        }
    }
    let mut slowest: Vec<(Duration, &str)> = all
        .iter()
        .copied()
        .zip(list.iter().map(|q| q.text.as_str()))
        .collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    println!(
        "slowest searches: {}",
        slowest
            .iter()
            .take(8)
            .map(|(d, q)| format!("{q:?} {:.1} ms", d.as_secs_f64() * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut out = vec![Figure {
        name: "search (service, first page of 20)".into(),
        samples: all,
        note: format!("{} queries, {found} results shown in all", list.len()),
    }];
    for (kind, samples, hits) in kinds {
        out.push(Figure {
            name: format!("… {kind}"),
            note: format!(
                "{:.1} message hits per query",
                hits as f64 / samples.len() as f64
            ),
            samples,
        });
    }
    // The baseline: a scan with LIKE (BENCH_NO_BASELINE=1 leaves it out while tuning).
    if std::env::var_os("BENCH_NO_BASELINE").is_some() {
        return Ok(out);
    }
    let mut conn = s.db.conn().await?;
    let mut base = Vec::with_capacity(list.len());
    let mut base_found = 0usize;
    for q in list {
        let words: Vec<String> = q
            .text
            .split_whitespace()
            .map(|w| format!("%{}%", w.to_lowercase().replace(['%', '_'], "")))
            .collect();
        let mut sql = String::from("SELECT id FROM messages WHERE cooperative_id = $1");
        for i in 0..words.len() {
            sql.push_str(&format!(" AND LOWER(body) LIKE ${}", i + 2));
        }
        sql.push_str(" ORDER BY id DESC LIMIT 20");
        let t = Instant::now();
        let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(s.coop.0);
        for w in &words {
            query = query.bind(w.as_str());
        }
        base_found += query.fetch_all(&mut *conn).await?.len();
        base.push(t.elapsed());
    }
    out.push(Figure {
        name: "baseline: LOWER(body) LIKE '%word%' per word, newest 20".into(),
        samples: base,
        note: format!("same queries; {base_found} message hits in all (no stemming)"),
    });
    Ok(out)
}

/// The size of the search index, when the engine can tell.
pub async fn index_size(s: &Seeded) -> String {
    let Ok(mut conn) = s.db.conn().await else {
        return String::new();
    };
    let sql = match s.db.engine() {
        guyub_store::Engine::Sqlite => {
            "SELECT CAST(SUM(pgsize) AS BIGINT) FROM dbstat WHERE name LIKE 'message_search%'"
        }
        guyub_store::Engine::Postgres => {
            "SELECT CAST(pg_total_relation_size('message_search') AS BIGINT)"
        }
    };
    let messages_sql = match s.db.engine() {
        guyub_store::Engine::Sqlite => {
            "SELECT CAST(SUM(pgsize) AS BIGINT) FROM dbstat WHERE name = 'messages' OR name LIKE 'sqlite_autoindex_messages%' OR name LIKE 'messages_%'"
        }
        guyub_store::Engine::Postgres => {
            "SELECT CAST(pg_total_relation_size('messages') AS BIGINT)"
        }
    };
    let index: Option<i64> = sqlx::query_scalar(sql)
        .fetch_one(&mut *conn)
        .await
        .ok()
        .flatten();
    let table: Option<i64> = sqlx::query_scalar(messages_sql)
        .fetch_one(&mut *conn)
        .await
        .ok()
        .flatten();
    let mib = |b: Option<i64>| {
        b.map(|b| format!("{:.0} MiB", b as f64 / 1_048_576.0))
            .unwrap_or_else(|| "?".into())
    };
    format!(
        "message search index {} (messages table with its indexes {})",
        mib(index),
        mib(table)
    )
}

/// Runs `f` once per item, after one warm-up pass over a tenth of them.
async fn timed<T, F, Fut>(items: &[T], mut f: F) -> Result<Vec<Duration>, BoxError>
where
    F: FnMut(&T) -> Fut,
    Fut: std::future::Future<Output = Result<(), BoxError>>,
{
    for it in items.iter().step_by(10) {
        f(it).await?;
    }
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        let t = Instant::now();
        f(it).await?;
        out.push(t.elapsed());
    }
    Ok(out)
}

/// The list's views and filters an agent clicks through, by name.
fn list_filters(s: &Seeded) -> Vec<(&'static str, Filter)> {
    let me = s.agent.user_id().expect("the bench agent is a user");
    let open = Filter::default;
    let mut resolved = open();
    resolved.status = "resolved".into();
    let mut mine = open();
    mine.assignee = AssigneeFilter::User(me);
    let mut unassigned = open();
    unassigned.assignee = AssigneeFilter::Unassigned;
    let mut whatsapp_unread = open();
    whatsapp_unread.channel_kind = Some("whatsapp".into());
    whatsapp_unread.unread = true;
    let mut label = open();
    label.label = Some("komplain".into());
    let mut rare = open();
    rare.label = Some("langka".into());
    let mut at_risk = open();
    at_risk.sla_at_risk = true;
    let mut team_verified = open();
    team_verified.team_id = s.team;
    team_verified.member = Some(true);
    team_verified.verified = Some(true);
    let mut snoozed = open();
    snoozed.status = "snoozed".into();
    let mut all = open();
    all.status = String::new();
    vec![
        ("all open", open()),
        ("mine", mine),
        ("unassigned", unassigned),
        ("WhatsApp, unread", whatsapp_unread),
        ("label komplain", label),
        ("rare label (0.1 %)", rare),
        ("SLA at risk", at_risk),
        ("team, verified members", team_verified),
        ("snoozed", snoozed),
        ("resolved", resolved),
        ("every status", all),
    ]
}

/// The conversation list (`services::inbox::list`, the page's 100 rows) per view and
/// filter, the second page of the biggest views, and everything the list page reads
/// (list, counts, agents, teams, labels); baseline: the bare newest-100 query.
pub async fn conversation_list(s: &Seeded) -> Result<Vec<Figure>, BoxError> {
    const ROUNDS: usize = 30;
    const LIMIT: i64 = 100;
    let mut out = Vec::new();
    let mut every = Vec::new();
    let rounds: Vec<usize> = (0..ROUNDS).collect();
    for (name, f) in list_filters(s) {
        let shown = Cell::new(0);
        let samples = timed(&rounds, |_| {
            let f = f.clone();
            let shown = &shown;
            async move {
                shown.set(inbox::list(&s.db, &s.agent, &f, LIMIT).await?.len());
                Ok(())
            }
        })
        .await?;
        every.extend(samples.iter().copied());
        out.push(Figure {
            name: format!("… {name}"),
            samples,
            note: format!("{} rows", shown.get()),
        });
        // The next page, from the last row shown.
        let first = inbox::list(&s.db, &s.agent, &f, LIMIT).await?;
        if let Some(last) = first.last().filter(|_| first.len() as i64 == LIMIT) {
            let mut next = f.clone();
            next.before = Some((last.conversation.last_message_at, last.conversation.id.0));
            let samples = timed(&rounds, |_| {
                let next = next.clone();
                async move {
                    inbox::list(&s.db, &s.agent, &next, LIMIT).await?;
                    Ok(())
                }
            })
            .await?;
            every.extend(samples.iter().copied());
            out.push(Figure {
                name: format!("… {name}, page 2"),
                samples,
                note: String::new(),
            });
        }
    }
    let views = out.len();
    out.insert(
        0,
        Figure {
            name: "conversation list (service, 100 rows)".into(),
            samples: every,
            note: format!("{views} views and pages × {ROUNDS}"),
        },
    );
    // What the list page reads in all, for the default view.
    let open = Filter::default();
    let page = timed(&rounds, |_| {
        let open = open.clone();
        async move {
            inbox::list(&s.db, &s.agent, &open, LIMIT).await?;
            inbox::counts(&s.db, &s.agent).await?;
            inbox::agents(&s.db, &s.agent).await?;
            inbox::teams(&s.db, &s.agent).await?;
            inbox::labels(&s.db, &s.agent).await?;
            Ok(())
        }
    })
    .await?;
    out.insert(
        1,
        Figure {
            name: "list page's reads (list, counts, agents, teams, labels)".into(),
            samples: page,
            note: "default view".into(),
        },
    );
    let counts = timed(&rounds, |_| async move {
        inbox::counts(&s.db, &s.agent).await?;
        Ok(())
    })
    .await?;
    out.push(Figure {
        name: "… view counts alone".into(),
        samples: counts,
        note: String::new(),
    });
    let mut conn = s.db.conn().await?;
    let mut base = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM conversations WHERE cooperative_id = $1 AND status = 'open'
             ORDER BY last_message_at DESC, id DESC LIMIT 100",
        )
        .bind(s.coop.0)
        .fetch_all(&mut *conn)
        .await?;
        base.push(t.elapsed());
        assert!(!ids.is_empty());
    }
    out.push(Figure {
        name: "baseline: newest 100 open conversations' ids, bare SELECT".into(),
        samples: base,
        note: String::new(),
    });
    Ok(out)
}

/// Opening a conversation (`services::inbox::open`: messages, contact, channels, reply
/// options, notes and activity, labels) over a spread of conversations, and everything
/// the conversation page reads; baseline: the messages query alone.
pub async fn conversation_open(s: &Seeded) -> Result<Vec<Figure>, BoxError> {
    let sample = &s.conversation_sample;
    let shown = Cell::new(0usize);
    let open = timed(sample, |id| {
        let id = *id;
        let shown = &shown;
        async move {
            shown.set(shown.get() + inbox::open(&s.db, &s.agent, id).await?.messages.len());
            Ok(())
        }
    })
    .await?;
    let per = shown.get() as f64 / (sample.len() + sample.len().div_ceil(10)).max(1) as f64;
    let page = timed(sample, |id| {
        let id = *id;
        async move {
            inbox::open(&s.db, &s.agent, id).await?;
            inbox::agents(&s.db, &s.agent).await?;
            inbox::teams(&s.db, &s.agent).await?;
            guyub_services::sla::targets(&s.db, &s.agent).await?;
            guyub_services::canned::list(&s.db, &s.agent).await?;
            Ok(())
        }
    })
    .await?;
    let mut conn = s.db.conn().await?;
    let mut base = Vec::with_capacity(sample.len());
    for id in sample {
        let t = Instant::now();
        guyub_store::messages::conversation_messages(&mut conn, s.coop, *id, 1000).await?;
        base.push(t.elapsed());
    }
    Ok(vec![
        Figure {
            name: "conversation open (service)".into(),
            samples: open,
            note: format!(
                "{} conversations, {per:.1} messages each on average",
                sample.len()
            ),
        },
        Figure {
            name: "conversation page's reads (open, agents, teams, SLA targets, canned)".into(),
            samples: page,
            note: String::new(),
        },
        Figure {
            name: "baseline: the conversation's messages alone (store)".into(),
            samples: base,
            note: String::new(),
        },
    ])
}
