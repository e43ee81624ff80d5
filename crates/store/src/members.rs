//! The member registry: members, their phones, numbering, status changes and the
//! member timeline. Values arrive already parsed (NIK, phones, dates as text); rules
//! about them live in `guyub-domain` and `guyub-services`.

use crate::{Conn, Result, StoreError, found, now_ms};
use guyub_domain::{CooperativeId, MemberId, MemberNoFormat};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub cooperative_id: CooperativeId,
    pub member_no: String,
    pub fields: MemberFields,
    pub status: String,
    pub status_on: Option<String>,
    pub status_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What staff edit on a member. Phones are E.164; dates `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberFields {
    pub nik: Option<String>,
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub province: Option<String>,
    pub regency: Option<String>,
    pub district: Option<String>,
    pub village: Option<String>,
    pub street: Option<String>,
    pub occupation: Option<String>,
    pub joined_on: Option<String>,
}

const COLS: &str = "id, cooperative_id, member_no, nik, name, gender, birth_date, birth_place, \
    phone, email, province, regency, district, village, street, occupation, status, status_on, \
    status_reason, joined_on, created_at, updated_at";

fn from_row(r: &AnyRow) -> Result<Member> {
    let phone: Option<String> = r.try_get("phone")?;
    Ok(Member {
        id: MemberId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        member_no: r.try_get("member_no")?,
        fields: MemberFields {
            nik: r.try_get("nik")?,
            name: r.try_get("name")?,
            gender: r.try_get("gender")?,
            birth_date: r.try_get("birth_date")?,
            birth_place: r.try_get("birth_place")?,
            phones: phone.into_iter().collect(),
            email: r.try_get("email")?,
            province: r.try_get("province")?,
            regency: r.try_get("regency")?,
            district: r.try_get("district")?,
            village: r.try_get("village")?,
            street: r.try_get("street")?,
            occupation: r.try_get("occupation")?,
            joined_on: r.try_get("joined_on")?,
        },
        status: r.try_get("status")?,
        status_on: r.try_get("status_on")?,
        status_reason: r.try_get("status_reason")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Turns a unique violation on members into the field it is about.
fn member_conflict(e: sqlx::Error) -> StoreError {
    let msg = e.to_string();
    let what = if msg.contains("nik") {
        "NIK"
    } else {
        "member number"
    };
    StoreError::conflict_on_unique(e, what)
}

/// The cooperative's member number format (the default until one is set).
pub async fn numbering(conn: &mut Conn, coop: CooperativeId) -> Result<(String, i64)> {
    let row =
        sqlx::query("SELECT format, next_value FROM member_numbering WHERE cooperative_id = $1")
            .bind(coop.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match row {
        Some(r) => (r.try_get("format")?, r.try_get("next_value")?),
        None => (MemberNoFormat::DEFAULT.to_string(), 1),
    })
}

pub async fn set_numbering(
    conn: &mut Conn,
    coop: CooperativeId,
    format: &MemberNoFormat,
    next_value: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO member_numbering (cooperative_id, format, next_value) VALUES ($1, $2, $3)
         ON CONFLICT (cooperative_id) DO UPDATE SET format = $2, next_value = $3",
    )
    .bind(coop.0)
    .bind(format.pattern())
    .bind(next_value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes `count` numbers from the cooperative's sequence and returns the first. The
/// row update serialises concurrent callers on both engines.
pub async fn take_numbers(
    conn: &mut Conn,
    coop: CooperativeId,
    count: i64,
) -> Result<(MemberNoFormat, i64)> {
    sqlx::query(
        "INSERT INTO member_numbering (cooperative_id, format, next_value) VALUES ($1, $2, 1)
         ON CONFLICT (cooperative_id) DO NOTHING",
    )
    .bind(coop.0)
    .bind(MemberNoFormat::DEFAULT)
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query(
        "UPDATE member_numbering SET next_value = next_value + $2 WHERE cooperative_id = $1
         RETURNING format, next_value",
    )
    .bind(coop.0)
    .bind(count)
    .fetch_one(&mut *conn)
    .await?;
    let format: String = row.try_get("format")?;
    let next: i64 = row.try_get("next_value")?;
    let format = MemberNoFormat::parse(&format).unwrap_or_else(|_| {
        MemberNoFormat::parse(MemberNoFormat::DEFAULT).expect("default format")
    });
    Ok((format, next - count))
}

/// Moves the sequence past `n` if it is not already (after numbers given by hand).
pub async fn bump_numbering_past(conn: &mut Conn, coop: CooperativeId, n: i64) -> Result<()> {
    sqlx::query(
        "UPDATE member_numbering SET next_value = $2 WHERE cooperative_id = $1 AND next_value <= $3",
    )
    .bind(coop.0)
    .bind(n + 1)
    .bind(n)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, <sqlx::Any as sqlx::Database>::Arguments>;

/// Binds the editable fields in the order every member statement lists them: nik, name,
/// name_key, gender, birth_date, birth_place, phone, email, province, regency, district,
/// village, street, occupation.
fn bind_fields<'q>(q: Query<'q>, f: &'q MemberFields) -> Query<'q> {
    q.bind(f.nik.as_deref())
        .bind(f.name.as_str())
        .bind(f.name.to_lowercase())
        .bind(f.gender.as_deref())
        .bind(f.birth_date.as_deref())
        .bind(f.birth_place.as_deref())
        .bind(f.phones.first().map(String::as_str))
        .bind(f.email.as_deref())
        .bind(f.province.as_deref())
        .bind(f.regency.as_deref())
        .bind(f.district.as_deref())
        .bind(f.village.as_deref())
        .bind(f.street.as_deref())
        .bind(f.occupation.as_deref())
}

/// Inserts a member and their phones. `status_on` is when the status took effect.
pub async fn create(
    conn: &mut Conn,
    coop: CooperativeId,
    member_no: &str,
    f: &MemberFields,
    status: &str,
) -> Result<Member> {
    let now = now_ms();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO members (cooperative_id, member_no, nik, name, name_key, gender, birth_date,
            birth_place, phone, email, province, regency, district, village, street, occupation,
            status, status_on, joined_on, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $18, $19, $19)
         RETURNING {COLS}"
    ));
    let q = sqlx::query(sql).bind(coop.0).bind(member_no);
    let row = bind_fields(q, f)
        .bind(status)
        .bind(f.joined_on.as_deref())
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(member_conflict)?;
    let mut m = from_row(&row)?;
    insert_phones(conn, coop, m.id, &f.phones).await?;
    m.fields.phones = f.phones.clone();
    Ok(m)
}

async fn insert_phones(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MemberId,
    phones: &[String],
) -> Result<()> {
    for p in phones {
        sqlx::query(
            "INSERT INTO member_phones (cooperative_id, member_id, phone) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(coop.0)
        .bind(id.0)
        .bind(p)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Replaces a member's editable fields and phones.
pub async fn update(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MemberId,
    f: &MemberFields,
) -> Result<Member> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE members SET nik = $3, name = $4, name_key = $5, gender = $6, birth_date = $7,
            birth_place = $8, phone = $9, email = $10, province = $11, regency = $12,
            district = $13, village = $14, street = $15, occupation = $16, joined_on = $17,
            updated_at = $18
         WHERE cooperative_id = $1 AND id = $2 RETURNING {COLS}"
    ));
    let q = sqlx::query(sql).bind(coop.0).bind(id.0);
    let row = bind_fields(q, f)
        .bind(f.joined_on.as_deref())
        .bind(now_ms())
        .fetch_optional(&mut *conn)
        .await
        .map_err(member_conflict)?;
    let mut m = from_row(&found(row)?)?;
    sqlx::query("DELETE FROM member_phones WHERE cooperative_id = $1 AND member_id = $2")
        .bind(coop.0)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    insert_phones(conn, coop, id, &f.phones).await?;
    m.fields.phones = f.phones.clone();
    Ok(m)
}

pub async fn get(conn: &mut Conn, coop: CooperativeId, id: MemberId) -> Result<Member> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM members WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    let mut m = from_row(&found(row)?)?;
    m.fields.phones = phones(conn, coop, id).await?;
    Ok(m)
}

pub async fn phones(conn: &mut Conn, coop: CooperativeId, id: MemberId) -> Result<Vec<String>> {
    let mut list: Vec<String> = sqlx::query_scalar(
        "SELECT phone FROM member_phones WHERE cooperative_id = $1 AND member_id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    // The primary (members.phone) first, the rest in order.
    let primary: Option<String> =
        sqlx::query_scalar("SELECT phone FROM members WHERE cooperative_id = $1 AND id = $2")
            .bind(coop.0)
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    list.sort();
    if let Some(p) = primary
        && let Some(i) = list.iter().position(|x| *x == p)
    {
        let p = list.remove(i);
        list.insert(0, p);
    }
    Ok(list)
}

/// What to look for in the member list.
#[derive(Debug, Clone, Default)]
pub struct Search<'a> {
    /// Lower-cased words of a name, contained in order.
    pub name: Option<&'a str>,
    /// A member number or its beginning.
    pub member_no: Option<&'a str>,
    /// A phone in E.164.
    pub phone: Option<&'a str>,
    pub nik: Option<&'a str>,
    pub status: Option<&'a str>,
}

/// Members matching any of the given keys (name, number, phone, NIK), newest number
/// last. With no key, all members.
pub async fn search(
    conn: &mut Conn,
    coop: CooperativeId,
    s: &Search<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Member>> {
    let mut keys = Vec::new();
    if s.name.is_some() {
        keys.push("name_key LIKE $2 ESCAPE '\\'");
    }
    if s.member_no.is_some() {
        keys.push("member_no LIKE $3 ESCAPE '\\'");
    }
    if s.phone.is_some() {
        keys.push(
            "id IN (SELECT member_id FROM member_phones WHERE cooperative_id = $1 AND phone = $4)",
        );
    }
    if s.nik.is_some() {
        keys.push("nik = $5");
    }
    let any = if keys.is_empty() {
        String::new()
    } else {
        format!(" AND ({})", keys.join(" OR "))
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM members WHERE cooperative_id = $1{any}
           AND ($6 = '' OR status = $6)
         ORDER BY member_no LIMIT $7 OFFSET $8"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(
            s.name
                .map(|n| format!("%{}%", like_escape(n)))
                .unwrap_or_default(),
        )
        .bind(
            s.member_no
                .map(|n| format!("{}%", like_escape(n)))
                .unwrap_or_default(),
        )
        .bind(s.phone.unwrap_or_default())
        .bind(s.nik.unwrap_or_default())
        .bind(s.status.unwrap_or_default())
        .bind(limit.clamp(1, 500))
        .bind(offset.max(0))
        .fetch_all(&mut *conn)
        .await?;
    let mut list: Vec<Member> = rows.iter().map(from_row).collect::<Result<_>>()?;
    fill_phones(conn, coop, &mut list).await?;
    Ok(list)
}

/// Loads every phone of the listed members in one query (primary first).
async fn fill_phones(conn: &mut Conn, coop: CooperativeId, list: &mut [Member]) -> Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids = list
        .iter()
        .map(|m| m.id.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT member_id, phone FROM member_phones WHERE cooperative_id = $1 AND member_id IN ({ids})
         ORDER BY member_id, phone"
    ));
    let rows = sqlx::query(sql).bind(coop.0).fetch_all(&mut *conn).await?;
    let mut by_member: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for r in rows {
        by_member
            .entry(r.try_get("member_id")?)
            .or_default()
            .push(r.try_get("phone")?);
    }
    for m in list.iter_mut() {
        let primary = m.fields.phones.first().cloned();
        let mut all = by_member.remove(&m.id.0).unwrap_or_default();
        if let Some(p) = primary
            && let Some(i) = all.iter().position(|x| *x == p)
        {
            let p = all.remove(i);
            all.insert(0, p);
        }
        m.fields.phones = all;
    }
    Ok(())
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn count(conn: &mut Conn, coop: CooperativeId) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE cooperative_id = $1")
            .bind(coop.0)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Every member in number order, for export; `f` is called per member.
pub async fn for_each(
    conn: &mut Conn,
    coop: CooperativeId,
    mut f: impl FnMut(Member) -> std::result::Result<(), String>,
) -> Result<()> {
    use futures_util::TryStreamExt;
    // Extra phones in one pass, then the members streamed.
    let mut extra: std::collections::HashMap<i64, Vec<String>> = Default::default();
    let rows = sqlx::query(
        "SELECT mp.member_id, mp.phone FROM member_phones mp JOIN members m ON m.id = mp.member_id
         WHERE mp.cooperative_id = $1 AND (m.phone IS NULL OR mp.phone <> m.phone)
         ORDER BY mp.member_id, mp.phone",
    )
    .bind(coop.0)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        extra
            .entry(r.try_get("member_id")?)
            .or_default()
            .push(r.try_get("phone")?);
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM members WHERE cooperative_id = $1 ORDER BY member_no"
    ));
    let mut stream = sqlx::query(sql).bind(coop.0).fetch(&mut *conn);
    while let Some(row) = stream.try_next().await? {
        let mut m = from_row(&row)?;
        if let Some(more) = extra.remove(&m.id.0) {
            m.fields.phones.extend(more);
        }
        f(m).map_err(|e| StoreError::Db(sqlx::Error::Protocol(e)))?;
    }
    Ok(())
}

/// Members who have this phone (E.164).
pub async fn ids_by_phone(
    conn: &mut Conn,
    coop: CooperativeId,
    phone: &str,
) -> Result<Vec<MemberId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT member_id FROM member_phones WHERE cooperative_id = $1 AND phone = $2 ORDER BY member_id",
    )
    .bind(coop.0)
    .bind(phone)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(MemberId).collect())
}

/// Members who have this e-mail (lower-cased).
pub async fn ids_by_email(
    conn: &mut Conn,
    coop: CooperativeId,
    email: &str,
) -> Result<Vec<MemberId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM members WHERE cooperative_id = $1 AND email = $2 ORDER BY id",
    )
    .bind(coop.0)
    .bind(email)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(MemberId).collect())
}

/// NIKs and member numbers already taken, for checking an import before it runs.
pub async fn taken_keys(
    conn: &mut Conn,
    coop: CooperativeId,
) -> Result<(
    std::collections::HashSet<String>,
    std::collections::HashSet<String>,
)> {
    let rows = sqlx::query("SELECT nik, member_no FROM members WHERE cooperative_id = $1")
        .bind(coop.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut niks = std::collections::HashSet::new();
    let mut nos = std::collections::HashSet::new();
    for r in rows {
        if let Some(n) = r.try_get::<Option<String>, _>("nik")? {
            niks.insert(n);
        }
        nos.insert(r.try_get("member_no")?);
    }
    Ok((niks, nos))
}

/// Inserts many members in few statements (an import). Returns their ids in input
/// order. Every row is already checked; a unique violation still fails the batch.
pub async fn insert_batch(
    conn: &mut Conn,
    coop: CooperativeId,
    rows: &[(String, MemberFields, String)],
) -> Result<Vec<MemberId>> {
    const PER_STATEMENT: usize = 16;
    let now = now_ms();
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(PER_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO members (cooperative_id, member_no, nik, name, name_key, gender,
                birth_date, birth_place, phone, email, province, regency, district, village,
                street, occupation, status, status_on, joined_on, created_at, updated_at) VALUES ",
        );
        const COLS_PER_ROW: usize = 18;
        for i in 0..chunk.len() {
            let b = i * COLS_PER_ROW;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("($1");
            for c in 1..=COLS_PER_ROW {
                sql.push_str(&format!(",${}", b + c + 2));
            }
            // created_at = updated_at = $2.
            sql.push_str(",$2,$2)");
        }
        sql.push_str(" RETURNING id, member_no");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(coop.0).bind(now);
        for (no, f, status) in chunk {
            q = bind_fields(q.bind(no.as_str()), f)
                .bind(status.as_str())
                .bind(f.joined_on.as_deref())
                .bind(f.joined_on.as_deref());
        }
        let returned = q.fetch_all(&mut *conn).await.map_err(member_conflict)?;
        let mut by_no = std::collections::HashMap::with_capacity(returned.len());
        for r in returned {
            by_no.insert(
                r.try_get::<String, _>("member_no")?,
                r.try_get::<i64, _>("id")?,
            );
        }
        let mut phone_rows: Vec<(i64, &str)> = Vec::new();
        for (no, f, _) in chunk {
            let id = *by_no.get(no).ok_or(StoreError::NotFound)?;
            ids.push(MemberId(id));
            for p in &f.phones {
                phone_rows.push((id, p));
            }
        }
        phone_rows.dedup();
        for part in phone_rows.chunks(64) {
            let mut sql = String::from(
                "INSERT INTO member_phones (cooperative_id, member_id, phone) VALUES ",
            );
            for i in 0..part.len() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("($1,${},${})", i * 2 + 2, i * 2 + 3));
            }
            sql.push_str(" ON CONFLICT DO NOTHING");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(coop.0);
            for (id, p) in part {
                q = q.bind(*id).bind(*p);
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(ids)
}

pub async fn set_status(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MemberId,
    status: &str,
    on: &str,
    reason: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE members SET status = $3, status_on = $4, status_reason = $5, updated_at = $6
         WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(status)
    .bind(on)
    .bind(reason)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from_status: Option<String>,
    pub to_status: String,
    pub effective_on: String,
    pub reason: String,
    pub actor: String,
    pub at: i64,
}

pub async fn record_status_change(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MemberId,
    c: &StatusChange,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO member_status_changes (cooperative_id, member_id, from_status, to_status,
            effective_on, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(c.from_status.as_deref())
    .bind(c.to_status.as_str())
    .bind(c.effective_on.as_str())
    .bind(c.reason.as_str())
    .bind(c.actor.as_str())
    .bind(c.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn status_changes(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MemberId,
) -> Result<Vec<StatusChange>> {
    let rows = sqlx::query(
        "SELECT from_status, to_status, effective_on, reason, actor, at FROM member_status_changes
         WHERE cooperative_id = $1 AND member_id = $2 ORDER BY at, id",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StatusChange {
                from_status: r.try_get("from_status")?,
                to_status: r.try_get("to_status")?,
                effective_on: r.try_get("effective_on")?,
                reason: r.try_get("reason")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: i64,
    pub kind: String,
    pub summary: String,
}

/// Timeline entries for many members in multi-row statements (monthly jasa, SHU):
/// (member, kind, summary), all at `at`.
pub async fn add_to_timelines(
    conn: &mut Conn,
    coop: CooperativeId,
    at: i64,
    entries: &[(MemberId, &str, &str)],
) -> Result<()> {
    for chunk in entries.chunks(64) {
        let mut sql = String::from(
            "INSERT INTO member_timeline (cooperative_id, member_id, at, kind, summary) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 5);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::positional(conn, sql)));
        for (member, kind, summary) in chunk {
            q = q
                .bind(coop.0)
                .bind(member.0)
                .bind(at)
                .bind(*kind)
                .bind(*summary);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn add_to_timeline(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MemberId,
    kind: &str,
    summary: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO member_timeline (cooperative_id, member_id, at, kind, summary)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(now_ms())
    .bind(kind)
    .bind(summary)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn timeline(
    conn: &mut Conn,
    coop: CooperativeId,
    id: MemberId,
    limit: i64,
) -> Result<Vec<TimelineEntry>> {
    let rows = sqlx::query(
        "SELECT at, kind, summary FROM member_timeline WHERE cooperative_id = $1 AND member_id = $2
         ORDER BY at DESC, id DESC LIMIT $3",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(limit.clamp(1, 1000))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TimelineEntry {
                at: r.try_get("at")?,
                kind: r.try_get("kind")?,
                summary: r.try_get("summary")?,
            })
        })
        .collect()
}
