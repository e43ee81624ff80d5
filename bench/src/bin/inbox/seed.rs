//! Seeding a large inbox fast. Members, contacts, identities and conversations go in by
//! bare multi-row INSERTs (nothing of theirs is under test here); the contacts' search
//! entries are then written by `store::search::reindex_contacts`, and every message by
//! `store::messages::insert_messages`: the functions production writes them with, so
//! the search index is exactly what production would have.

use crate::corpus;
use guyub_domain::{
    ChannelId, ContactId, ConversationId, CooperativeId, IdentityId, Role, Slug, UserId,
};
use guyub_services::{Actor, ActorKind};
use guyub_store::channels::{self, NewChannel};
use guyub_store::messages::{self, NewMessage};
use guyub_store::{Conn, Db, cooperatives};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

pub const SLUG: &str = "bench-inbox";
const OTHER_SLUG: &str = "bench-other";
const CHANNELS: &[(&str, u32)] = &[
    ("whatsapp", 50),
    ("instagram", 15),
    ("telegram", 10),
    ("email", 15),
    ("webchat", 10),
];

type BoxError = Box<dyn std::error::Error>;

/// What the measurements need from a seeded database: the cooperative, an agent of it,
/// and samples of what agents search for (names, member numbers, phone numbers).
pub struct Seeded {
    pub db: Db,
    pub coop: CooperativeId,
    pub agent: Actor,
    /// One of the bench cooperative's teams (the list's team filter).
    pub team: Option<i64>,
    pub conversations: i64,
    pub messages: i64,
    pub names: Vec<String>,
    pub member_nos: Vec<String>,
    pub phones: Vec<String>,
    /// A spread of conversation ids (for "open a conversation" measurements).
    pub conversation_sample: Vec<ConversationId>,
}

/// Write rates measured while seeding.
pub struct SeedFigures {
    pub total: Duration,
    pub messages: Duration,
    /// Messages per second through `insert_messages` (with the index) and through the
    /// same multi-row INSERT without it (the function before the index), interleaved
    /// batches of the same size in the same run.
    pub indexed_rate: f64,
    pub bare_rate: f64,
    pub contacts_indexed: Duration,
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(lit).unwrap_or_else(|| "NULL".into())
}

/// Runs `INSERT INTO {head} VALUES` with `rows` (each a parenthesised tuple), 500 at a time.
async fn insert_literal(conn: &mut Conn, head: &str, rows: &[String]) -> Result<(), BoxError> {
    for chunk in rows.chunks(500) {
        let sql = format!("INSERT INTO {head} VALUES {}", chunk.join(","));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn ids_in_order(
    conn: &mut Conn,
    table: &str,
    coop: CooperativeId,
) -> Result<Vec<i64>, BoxError> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE cooperative_id = $1 ORDER BY id"
    )))
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?)
}

fn agent(coop: CooperativeId, id: UserId) -> Actor {
    Actor {
        cooperative_id: coop,
        role: Role::Agent,
        kind: ActorKind::User {
            id,
            email: "agent0@bench.id".into(),
        },
        source: "bench".into(),
    }
}

/// A conversation as the message generator needs it.
struct Conv {
    id: ConversationId,
    contact: ContactId,
    identity: IdentityId,
    channel: ChannelId,
    name: String,
    member_no: Option<String>,
    phone: Option<String>,
}

/// One cooperative's people and conversations (no messages yet).
async fn people(
    db: &Db,
    coop: CooperativeId,
    n: usize,
    rng: &mut StdRng,
    figures: &mut Duration,
) -> Result<Vec<Conv>, BoxError> {
    let now = guyub_store::now_ms();
    let mut tx = db.begin_write().await?;
    let mut channel_ids = Vec::new();
    for (kind, weight) in CHANNELS {
        let c = channels::create(
            &mut tx,
            coop,
            NewChannel {
                kind,
                name: kind,
                base_url: "",
                settings: "{}",
                secrets: "{}",
            },
        )
        .await?;
        channel_ids.push((c.id, *kind, *weight));
    }
    // Members: one in five contacts is a member (A-000001 …).
    let members = n / 5;
    let mut member_rows = Vec::with_capacity(members);
    let mut member_names = Vec::with_capacity(members);
    for i in 0..members {
        let (f, l) = corpus::person(rng);
        let name = format!("{f} {l}");
        member_rows.push(format!(
            "({}, {}, {}, {}, {}, 'anggota', {now}, {now})",
            coop.0,
            lit(&format!("A-{:06}", i + 1)),
            lit(&name),
            lit(&name.to_lowercase()),
            lit(&format!("+62812{:08}", 10_000_000 + i)),
        ));
        member_names.push(name);
    }
    insert_literal(
        &mut tx,
        "members (cooperative_id, member_no, name, name_key, phone, status, created_at, updated_at)",
        &member_rows,
    )
    .await?;
    let member_ids = ids_in_order(&mut tx, "members", coop).await?;
    // Contacts: every fourth one a member's (until the members run out).
    struct Person {
        name: String,
        member: Option<(i64, String)>,
    }
    let mut persons = Vec::with_capacity(n);
    for j in 0..n {
        let member = (j % 4 == 0 && j / 4 < members).then_some(j / 4);
        let name = match member {
            Some(m) => member_names[m].clone(),
            None => {
                let (f, l) = corpus::person(rng);
                format!("{f} {l}")
            }
        };
        persons.push(Person {
            name,
            member: member.map(|m| (member_ids[m], format!("A-{:06}", m + 1))),
        });
    }
    let rows: Vec<String> = persons
        .iter()
        .map(|p| {
            format!(
                "({}, {}, {}, {now}, {now})",
                coop.0,
                lit(&p.name),
                p.member
                    .as_ref()
                    .map(|m| m.0.to_string())
                    .unwrap_or("NULL".into())
            )
        })
        .collect();
    insert_literal(
        &mut tx,
        "contacts (cooperative_id, display_name, member_id, created_at, updated_at)",
        &rows,
    )
    .await?;
    let contact_ids = ids_in_order(&mut tx, "contacts", coop).await?;
    // One identity per contact, on a channel picked by weight.
    let total: u32 = CHANNELS.iter().map(|c| c.1).sum();
    let mut convs: Vec<Conv> = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    for (j, p) in persons.iter().enumerate() {
        let mut roll = rng.random_range(0..total);
        let (channel, kind, _) = *channel_ids
            .iter()
            .find(|c| {
                if roll < c.2 {
                    true
                } else {
                    roll -= c.2;
                    false
                }
            })
            .unwrap_or(&channel_ids[0]);
        let slug = p.name.to_lowercase().replace(' ', ".");
        let (external, handle, phone, email) = match kind {
            "whatsapp" => {
                let wa = format!("62813{:08}", 10_000_000 + j);
                (wa.clone(), None, Some(format!("+{wa}")), None)
            }
            "instagram" => (
                format!("17841{:010}", 4_000_000_000i64 + j as i64),
                Some(format!("@{}{j}", slug.replace('.', "_"))),
                None,
                None,
            ),
            "telegram" => (
                format!("{}", 500_000_000 + j),
                Some(format!("@{}{j}", slug.replace('.', ""))),
                None,
                None,
            ),
            "email" => {
                let e = format!("{slug}{j}@gmail.com");
                (e.clone(), None, None, Some(e))
            }
            _ => (format!("v{:016x}", rng.random::<u64>()), None, None, None),
        };
        rows.push(format!(
            "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {now}, {now})",
            coop.0,
            contact_ids[j],
            lit(kind),
            lit(&external),
            channel.0,
            lit(&p.name),
            opt(&handle),
            opt(&phone),
            opt(&email),
            (kind == "whatsapp") as i64,
        ));
        convs.push(Conv {
            id: ConversationId(0),
            contact: ContactId(contact_ids[j]),
            identity: IdentityId(0),
            channel,
            name: p.name.clone(),
            member_no: p.member.as_ref().map(|m| m.1.clone()),
            phone: phone.map(|p| format!("0{}", &p[3..])),
        });
    }
    insert_literal(
        &mut tx,
        "channel_identities (cooperative_id, contact_id, kind, external_id, channel_id, display_name, handle, phone, email, verified, first_seen, last_seen)",
        &rows,
    )
    .await?;
    let identity_ids = ids_in_order(&mut tx, "channel_identities", coop).await?;
    // One conversation per contact; most of them resolved.
    let rows: Vec<String> = convs
        .iter()
        .zip(&persons)
        .map(|(c, p)| {
            let status = if rng.random_bool(0.7) {
                "resolved"
            } else {
                "open"
            };
            format!(
                "({}, {}, {}, '{status}', {now}, {now}, {})",
                coop.0,
                c.contact.0,
                c.channel.0,
                p.member
                    .as_ref()
                    .map(|m| m.0.to_string())
                    .unwrap_or("NULL".into())
            )
        })
        .collect();
    insert_literal(
        &mut tx,
        "conversations (cooperative_id, contact_id, channel_id, status, opened_at, last_message_at, member_id)",
        &rows,
    )
    .await?;
    let conv_ids = ids_in_order(&mut tx, "conversations", coop).await?;
    for (i, c) in convs.iter_mut().enumerate() {
        c.id = ConversationId(conv_ids[i]);
        c.identity = IdentityId(identity_ids[i]);
    }
    tx.commit().await?;
    // The contacts' search entries, as production writes them.
    let started = Instant::now();
    for chunk in contact_ids.chunks(5000) {
        let mut tx = db.begin_write().await?;
        let ids: Vec<ContactId> = chunk.iter().copied().map(ContactId).collect();
        guyub_store::search::reindex_contacts(&mut tx, coop, &ids).await?;
        tx.commit().await?;
    }
    *figures += started.elapsed();
    Ok(convs)
}

/// Owned message fields; `NewMessage` borrows from them.
struct Draft {
    conv: usize,
    inbound: bool,
    body: String,
    content: String,
    provider_id: String,
    at: i64,
}

fn drafts(
    rng: &mut StdRng,
    convs: &[Conv],
    coop: CooperativeId,
    from: usize,
    count: usize,
    start_ms: i64,
    step_ms: i64,
) -> Vec<Draft> {
    (from..from + count)
        .map(|k| {
            let conv = rng.random_range(0..convs.len());
            let c = &convs[conv];
            let inbound = rng.random_bool(0.6);
            let body = if inbound {
                corpus::inbound(rng, c.member_no.as_deref(), c.phone.as_deref())
            } else {
                let first = c.name.split(' ').next().unwrap_or("");
                corpus::outbound(rng, first)
            };
            Draft {
                conv,
                inbound,
                content: serde_json::json!({"type": "text", "text": body}).to_string(),
                body,
                provider_id: format!("bench-{}-{k}", coop.0),
                at: start_ms + k as i64 * step_ms,
            }
        })
        .collect()
}

fn rows<'a>(convs: &[Conv], coop: CooperativeId, drafts: &'a [Draft]) -> Vec<NewMessage<'a>> {
    drafts
        .iter()
        .map(|d| {
            let c = &convs[d.conv];
            NewMessage {
                cooperative_id: coop,
                conversation_id: c.id,
                contact_id: c.contact,
                channel_id: c.channel,
                identity_id: c.identity,
                direction: if d.inbound { "in" } else { "out" },
                provider_id: Some(d.provider_id.as_str()),
                kind: "text",
                body: &d.body,
                content: &d.content,
                status: if d.inbound { "received" } else { "sent" },
                status_rank: if d.inbound { 0 } else { 1 },
                author: (!d.inbound).then_some("user:1 agent@bench.id"),
                reply_token: None,
                at: d.at,
            }
        })
        .collect()
}

/// `messages::insert_messages` as it was before the search index (the baseline).
async fn insert_messages_unindexed(
    conn: &mut Conn,
    rows: &[NewMessage<'_>],
) -> Result<(), BoxError> {
    const COLS: usize = 15;
    for chunk in rows.chunks(40) {
        let mut sql = String::from(
            "INSERT INTO messages (cooperative_id, conversation_id, contact_id, channel_id, identity_id, direction,
                provider_id, kind, body, content, status, status_rank, author, reply_token, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * COLS;
            sql.push('(');
            sql.push_str(
                &(1..=COLS)
                    .map(|c| format!("${}", b + c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            sql.push(')');
        }
        sql.push_str(" ON CONFLICT (channel_id, direction, provider_id) DO NOTHING RETURNING id, channel_id, provider_id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(guyub_store::positional(conn, sql)));
        for m in chunk {
            q = q
                .bind(m.cooperative_id.0)
                .bind(m.conversation_id.0)
                .bind(m.contact_id.0)
                .bind(m.channel_id.0)
                .bind(m.identity_id.0)
                .bind(m.direction)
                .bind(m.provider_id)
                .bind(m.kind)
                .bind(m.body)
                .bind(m.content)
                .bind(m.status)
                .bind(m.status_rank)
                .bind(m.author)
                .bind(m.reply_token)
                .bind(m.at);
        }
        q.fetch_all(&mut *conn).await?;
    }
    Ok(())
}

const BATCH: usize = 10_000;

/// Seeds `conversations` conversations and `messages` messages in the bench
/// cooperative, and a tenth of both in another cooperative of the same database (which
/// also gives the write-rate comparison: half its messages with the index, half by the
/// old INSERT, interleaved).
pub async fn seed(
    db: &Db,
    conversations: usize,
    messages: usize,
) -> Result<(Seeded, SeedFigures), BoxError> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(20261125);
    let mut conn = db.conn().await?;
    let coop = cooperatives::create(&mut conn, &Slug::parse(SLUG)?, "Bench Inbox", None)
        .await?
        .id;
    let other = cooperatives::create(&mut conn, &Slug::parse(OTHER_SLUG)?, "Bench Other", None)
        .await?
        .id;
    drop(conn);
    let mut contacts_indexed = Duration::ZERO;
    let now = guyub_store::now_ms();
    let year = 365 * 24 * 3_600_000i64;

    // The other cooperative, with the write-rate comparison.
    let other_convs = people(
        db,
        other,
        (conversations / 10).max(10),
        &mut rng,
        &mut contacts_indexed,
    )
    .await?;
    let other_msgs = (messages / 10).max(BATCH);
    let half = BATCH / 2;
    let (mut indexed, mut bare) = (Duration::ZERO, Duration::ZERO);
    let (mut n_indexed, mut n_bare) = (0usize, 0usize);
    let step = (year / other_msgs as i64).max(1);
    let mut k = 0;
    while k < other_msgs {
        let count = half.min(other_msgs - k);
        let d = drafts(&mut rng, &other_convs, other, k, count, now - year, step);
        let r = rows(&other_convs, other, &d);
        let t = Instant::now();
        let mut tx = db.begin_write().await?;
        if (k / half).is_multiple_of(2) {
            messages::insert_messages(&mut tx, &r).await?;
            tx.commit().await?;
            indexed += t.elapsed();
            n_indexed += count;
        } else {
            insert_messages_unindexed(&mut tx, &r).await?;
            tx.commit().await?;
            bare += t.elapsed();
            n_bare += count;
        }
        k += count;
    }

    // The bench cooperative.
    let convs = people(db, coop, conversations, &mut rng, &mut contacts_indexed).await?;
    let step = (year / messages as i64).max(1);
    let t = Instant::now();
    let mut k = 0;
    while k < messages {
        let count = BATCH.min(messages - k);
        let d = drafts(&mut rng, &convs, coop, k, count, now - year, step);
        let r = rows(&convs, coop, &d);
        let mut tx = db.begin_write().await?;
        messages::insert_messages(&mut tx, &r).await?;
        tx.commit().await?;
        k += count;
        if k % 100_000 == 0 {
            println!(
                "  seeded {k} messages ({:.0}/s)",
                k as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    let message_time = t.elapsed();
    // What the conversation list shows: the last message's time and a preview.
    let mut conn = db.conn().await?;
    sqlx::query(
        "UPDATE conversations SET
           last_message_at = COALESCE((SELECT MAX(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id), last_message_at),
           preview = COALESCE((SELECT SUBSTR(m.body, 1, 80) FROM messages m WHERE m.conversation_id = conversations.id ORDER BY m.id DESC LIMIT 1), '')
         WHERE cooperative_id = $1",
    )
    .bind(coop.0)
    .execute(&mut *conn)
    .await?;
    drop(conn);
    inbox_state(db, coop).await?;
    let mut conn = db.conn().await?;
    // What autovacuum does after a bulk load: statistics, and the GIN index's pending
    // list merged (a query reads that list in full until then).
    if db.engine() == guyub_store::Engine::Postgres {
        sqlx::raw_sql("VACUUM ANALYZE").execute(&mut *conn).await?;
    }
    drop(conn);
    let seeded = load(db).await?.ok_or("seeded cooperative not found")?;
    Ok((
        seeded,
        SeedFigures {
            total: started.elapsed(),
            messages: message_time,
            indexed_rate: n_indexed as f64 / indexed.as_secs_f64().max(1e-9),
            bare_rate: n_bare as f64 / bare.as_secs_f64().max(1e-9),
            contacts_indexed,
        },
    ))
}

/// What the inbox's filters look at, spread over the conversations as a working inbox
/// has it (members are every fourth contact, so the spreads avoid `id % 4`): ten
/// agents in two teams, three quarters of the conversations assigned,
/// priorities, unread counts on a third of the open ones, verified members, SLA dues
/// (one in twenty breached), one in fifty open ones snoozed, labels on one in twenty and
/// a rare label on one in a thousand.
async fn inbox_state(db: &Db, coop: CooperativeId) -> Result<(), BoxError> {
    let now = guyub_store::now_ms();
    let mut tx = db.begin_write().await?;
    let users: Vec<String> = (0..10)
        .map(|i| {
            format!(
                "({}, 'agent{i}@bench.id', 'Agen {i}', 'agent', 'x', {now}, {now})",
                coop.0
            )
        })
        .collect();
    insert_literal(
        &mut tx,
        "users (cooperative_id, email, name, role, password_hash, created_at, password_changed_at)",
        &users,
    )
    .await?;
    let user_ids = ids_in_order(&mut tx, "users", coop).await?;
    let agents: Vec<String> = user_ids
        .iter()
        .map(|u| format!("({u}, {}, 'online', {now})", coop.0))
        .collect();
    insert_literal(
        &mut tx,
        "agents (user_id, cooperative_id, presence, presence_at)",
        &agents,
    )
    .await?;
    let teams = [
        format!("({}, 'Simpan pinjam', 'pinjaman', {now})", coop.0),
        format!("({}, 'Toko', 'toko', {now})", coop.0),
    ];
    insert_literal(
        &mut tx,
        "teams (cooperative_id, name, skill, created_at)",
        &teams,
    )
    .await?;
    let team_ids = ids_in_order(&mut tx, "teams", coop).await?;
    let (u0, t0, t1) = (user_ids[0], team_ids[0], team_ids[1]);
    let hour = 3_600_000i64;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE conversations SET
           assignee_id = CASE WHEN id % 4 = 0 THEN NULL ELSE {u0} + id % 10 END,
           team_id = CASE WHEN id % 3 = 0 THEN {t0} ELSE {t1} END,
           priority = CASE id % 10 WHEN 0 THEN 'urgent' WHEN 1 THEN 'high' WHEN 2 THEN 'low' ELSE 'normal' END,
           unread = CASE WHEN status = 'open' AND id % 3 = 0 THEN 1 + id % 5 ELSE 0 END,
           verified = CASE WHEN member_id IS NOT NULL AND (id / 4) % 2 = 0 THEN 1 ELSE 0 END,
           first_response_due = CASE WHEN status = 'open' THEN {now} - {hour} + (id % 48) * {hour} END,
           resolution_due = CASE WHEN status = 'open' THEN {now} + (id % 96) * {hour} END,
           breached = CASE WHEN status = 'open' AND id % 20 = 0 THEN 1 ELSE 0 END,
           snoozed_until = CASE WHEN status = 'open' AND id % 50 = 1 THEN {now} + 24 * {hour} END,
           status = CASE WHEN status = 'open' AND id % 50 = 1 THEN 'snoozed' ELSE status END
         WHERE cooperative_id = $1"
    )))
    .bind(coop.0)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO conversation_labels (cooperative_id, conversation_id, label)
         SELECT cooperative_id, id, CASE id % 3 WHEN 0 THEN 'komplain' WHEN 1 THEN 'pinjaman' ELSE 'toko' END
         FROM conversations WHERE cooperative_id = $1 AND id % 20 = 0",
    )
    .bind(coop.0)
    .execute(&mut *tx)
    .await?;
    // A rare label: one conversation in a thousand.
    sqlx::query(
        "INSERT INTO conversation_labels (cooperative_id, conversation_id, label)
         SELECT cooperative_id, id, 'langka' FROM conversations WHERE cooperative_id = $1 AND id % 1000 = 7",
    )
    .bind(coop.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The bench cooperative of a database seeded before (`None` when there is none), with
/// fresh samples for queries.
pub async fn load(db: &Db) -> Result<Option<Seeded>, BoxError> {
    let mut conn = db.conn().await?;
    let Some(c) = cooperatives::by_slug(&mut conn, SLUG).await? else {
        return Ok(None);
    };
    let coop = c.id;
    let count = |table: &'static str| {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE cooperative_id = $1"
        )))
        .bind(coop.0)
    };
    let conversations = count("conversations").fetch_one(&mut *conn).await?;
    let messages = count("messages").fetch_one(&mut *conn).await?;
    // Every 97th row: a spread without randomness in SQL.
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT display_name FROM contacts WHERE cooperative_id = $1 AND id % 97 = 0 ORDER BY id LIMIT 200",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    let member_nos: Vec<String> = sqlx::query_scalar(
        "SELECT member_no FROM members WHERE cooperative_id = $1 AND id % 37 = 0 ORDER BY id LIMIT 200",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    let phones: Vec<String> = sqlx::query_scalar(
        "SELECT external_id FROM channel_identities WHERE cooperative_id = $1 AND kind = 'whatsapp' AND id % 41 = 0
         ORDER BY id LIMIT 200",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    let conversation_sample: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE cooperative_id = $1 AND id % 499 = 0 ORDER BY id LIMIT 200",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    let first_user: Option<i64> =
        sqlx::query_scalar("SELECT MIN(id) FROM users WHERE cooperative_id = $1")
            .bind(coop.0)
            .fetch_one(&mut *conn)
            .await?;
    let team: Option<i64> =
        sqlx::query_scalar("SELECT MIN(id) FROM teams WHERE cooperative_id = $1")
            .bind(coop.0)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Some(Seeded {
        db: db.clone(),
        coop,
        agent: agent(coop, UserId(first_user.unwrap_or(1))),
        team,
        conversations,
        messages,
        names,
        member_nos,
        phones,
        conversation_sample: conversation_sample
            .into_iter()
            .map(ConversationId)
            .collect(),
    }))
}
