//! Contacts and their channel identities, the review queue, merges and their undo,
//! one-time verification codes.

use crate::{Conn, Result, StoreError, found, now_ms};
use guyub_domain::{
    ContactId, CooperativeId, IdentityId, IdentityKey, MemberId, MergeId, ReviewId, VerificationId,
};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Tables whose rows belong to a contact and move with it in a merge. Later
/// capabilities (conversations, orders, calls, complaints) add theirs here; a merge and
/// its undo then carry them without further change.
pub const CONTACT_OWNED: &[&str] = &["channel_identities", "conversations", "messages"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub cooperative_id: CooperativeId,
    pub display_name: String,
    pub member_id: Option<MemberId>,
    pub merged_into: Option<ContactId>,
    pub created_at: i64,
}

const CONTACT_COLS: &str = "id, cooperative_id, display_name, member_id, merged_into, created_at";

fn contact_row(r: &AnyRow) -> Result<Contact> {
    Ok(Contact {
        id: ContactId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        display_name: r.try_get("display_name")?,
        member_id: r.try_get::<Option<i64>, _>("member_id")?.map(MemberId),
        merged_into: r.try_get::<Option<i64>, _>("merged_into")?.map(ContactId),
        created_at: r.try_get("created_at")?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: IdentityId,
    pub cooperative_id: CooperativeId,
    pub contact_id: ContactId,
    pub kind: String,
    pub external_id: String,
    pub channel_id: Option<i64>,
    pub display_name: Option<String>,
    pub handle: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub verified: bool,
    pub verified_at: Option<i64>,
    pub first_seen: i64,
    pub last_seen: i64,
}

const IDENTITY_COLS: &str = "id, cooperative_id, contact_id, kind, external_id, channel_id, \
    display_name, handle, phone, email, verified, verified_at, first_seen, last_seen";

fn identity_row(r: &AnyRow) -> Result<Identity> {
    Ok(Identity {
        id: IdentityId(r.try_get("id")?),
        cooperative_id: CooperativeId(r.try_get("cooperative_id")?),
        contact_id: ContactId(r.try_get("contact_id")?),
        kind: r.try_get("kind")?,
        external_id: r.try_get("external_id")?,
        channel_id: r.try_get("channel_id")?,
        display_name: r.try_get("display_name")?,
        handle: r.try_get("handle")?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
        verified: r.try_get::<i64, _>("verified")? != 0,
        verified_at: r.try_get("verified_at")?,
        first_seen: r.try_get("first_seen")?,
        last_seen: r.try_get("last_seen")?,
    })
}

pub async fn create_contact(
    conn: &mut Conn,
    coop: CooperativeId,
    display_name: &str,
    member: Option<MemberId>,
) -> Result<Contact> {
    let now = now_ms();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO contacts (cooperative_id, display_name, member_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4) RETURNING {CONTACT_COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(display_name)
        .bind(member.map(|m| m.0))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    let contact = contact_row(&row)?;
    crate::search::reindex_contacts(conn, coop, &[contact.id]).await?;
    Ok(contact)
}

/// Gives a contact another display name (and its search entry with it).
pub async fn rename_contact(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ContactId,
    display_name: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE contacts SET display_name = $3, updated_at = $4 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(display_name)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    crate::search::reindex_contacts(conn, coop, &[id]).await
}

pub async fn get_contact(conn: &mut Conn, coop: CooperativeId, id: ContactId) -> Result<Contact> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {CONTACT_COLS} FROM contacts WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    contact_row(&found(row)?)
}

/// Contacts not merged away, newest first; `member` narrows to one member's.
pub async fn list_contacts(
    conn: &mut Conn,
    coop: CooperativeId,
    member: Option<MemberId>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Contact>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {CONTACT_COLS} FROM contacts WHERE cooperative_id = $1 AND merged_into IS NULL
           AND ($2 = 0 OR member_id = $2)
         ORDER BY id DESC LIMIT $3 OFFSET $4"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(member.map(|m| m.0).unwrap_or(0))
        .bind(limit.clamp(1, 500))
        .bind(offset.max(0))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(contact_row).collect()
}

/// The contact a member is usually reached through: the oldest one linked to them.
pub async fn primary_contact_of(
    conn: &mut Conn,
    coop: CooperativeId,
    member: MemberId,
) -> Result<Option<Contact>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {CONTACT_COLS} FROM contacts WHERE cooperative_id = $1 AND member_id = $2
           AND merged_into IS NULL ORDER BY id LIMIT 1"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(member.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(contact_row).transpose()
}

pub async fn set_contact_member(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ContactId,
    member: Option<MemberId>,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE contacts SET member_id = $3, updated_at = $4 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(member.map(|m| m.0))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    // The member's number is part of the contact's search entry.
    crate::search::reindex_contacts(conn, coop, &[id]).await
}

/// The fast path of resolution: the identity behind (kind, external id), with its
/// contact's member. One indexed lookup.
pub async fn find_identity(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
    external_id: &str,
) -> Result<Option<(Identity, Option<MemberId>)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT i.{}, c.member_id AS contact_member FROM channel_identities i
         JOIN contacts c ON c.id = i.contact_id
         WHERE i.cooperative_id = $1 AND i.kind = $2 AND i.external_id = $3",
        IDENTITY_COLS.replace(", ", ", i.")
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(kind)
        .bind(external_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Some((
            identity_row(&r)?,
            r.try_get::<Option<i64>, _>("contact_member")?.map(MemberId),
        ))),
        None => Ok(None),
    }
}

pub async fn touch_identity(
    conn: &mut Conn,
    coop: CooperativeId,
    id: IdentityId,
    display_name: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE channel_identities SET last_seen = $3, display_name = COALESCE($4, display_name)
         WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(now_ms())
    .bind(display_name)
    .execute(&mut *conn)
    .await?;
    // Callers pass a name only when it changed: the contact's search entry follows.
    if display_name.is_some() {
        let contact: Option<i64> = sqlx::query_scalar(
            "SELECT contact_id FROM channel_identities WHERE cooperative_id = $1 AND id = $2",
        )
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(c) = contact {
            crate::search::reindex_contacts(conn, coop, &[ContactId(c)]).await?;
        }
    }
    Ok(())
}

/// What a channel tells about an identity besides its key.
#[derive(Debug, Clone, Default)]
pub struct IdentityInfo<'a> {
    pub channel_id: Option<i64>,
    pub display_name: Option<&'a str>,
    pub handle: Option<&'a str>,
    /// The provider itself vouches for the key (WhatsApp's wa_id is the phone).
    pub verified: bool,
}

pub async fn insert_identity(
    conn: &mut Conn,
    coop: CooperativeId,
    contact: ContactId,
    key: &IdentityKey,
    info: &IdentityInfo<'_>,
) -> Result<Identity> {
    let now = now_ms();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO channel_identities (cooperative_id, contact_id, kind, external_id, channel_id,
            display_name, handle, phone, email, verified, verified_at, first_seen, last_seen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {IDENTITY_COLS}"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(contact.0)
        .bind(key.kind.as_str())
        .bind(key.external_id.as_str())
        .bind(info.channel_id)
        .bind(info.display_name)
        .bind(info.handle)
        .bind(key.phone.as_ref().map(|p| p.as_str()))
        .bind(key.email.as_ref().map(|e| e.as_str()))
        .bind(info.verified as i64)
        .bind(info.verified.then_some(now))
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, "identity"))?;
    crate::search::reindex_contacts(conn, coop, &[contact]).await?;
    identity_row(&row)
}

pub async fn get_identity(
    conn: &mut Conn,
    coop: CooperativeId,
    id: IdentityId,
) -> Result<Identity> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {IDENTITY_COLS} FROM channel_identities WHERE cooperative_id = $1 AND id = $2"
    ));
    let row = sqlx::query(sql)
        .bind(coop.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    identity_row(&found(row)?)
}

pub async fn identities_of(
    conn: &mut Conn,
    coop: CooperativeId,
    contact: ContactId,
) -> Result<Vec<Identity>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {IDENTITY_COLS} FROM channel_identities WHERE cooperative_id = $1 AND contact_id = $2
         ORDER BY id"
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(contact.0)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(identity_row).collect()
}

/// Every identity of every contact linked to the member.
pub async fn identities_of_member(
    conn: &mut Conn,
    coop: CooperativeId,
    member: MemberId,
) -> Result<Vec<Identity>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM channel_identities i JOIN contacts c ON c.id = i.contact_id
         WHERE i.cooperative_id = $1 AND c.member_id = $2 AND c.merged_into IS NULL ORDER BY i.id",
        IDENTITY_COLS
            .split(", ")
            .map(|c| format!("i.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let rows = sqlx::query(sql)
        .bind(coop.0)
        .bind(member.0)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(identity_row).collect()
}

pub async fn move_identity(
    conn: &mut Conn,
    coop: CooperativeId,
    id: IdentityId,
    to: ContactId,
) -> Result<()> {
    let from: Option<i64> = sqlx::query_scalar(
        "SELECT contact_id FROM channel_identities WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE channel_identities SET contact_id = $3 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(to.0)
    .execute(&mut *conn)
    .await?;
    let mut touched = vec![to];
    touched.extend(from.map(ContactId));
    crate::search::reindex_contacts(conn, coop, &touched).await
}

pub async fn mark_verified(conn: &mut Conn, coop: CooperativeId, id: IdentityId) -> Result<()> {
    sqlx::query(
        "UPDATE channel_identities SET verified = 1, verified_at = $3 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Unlinked contacts with an identity whose phone or e-mail is the given one: who could
/// be linked when a member with that phone or e-mail is registered.
pub async fn unlinked_contacts_with(
    conn: &mut Conn,
    coop: CooperativeId,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<Vec<ContactId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT c.id FROM channel_identities i JOIN contacts c ON c.id = i.contact_id
         WHERE i.cooperative_id = $1 AND c.member_id IS NULL AND c.merged_into IS NULL
           AND ((i.phone IS NOT NULL AND i.phone = $2) OR (i.verified = 1 AND i.email IS NOT NULL AND i.email = $3))
         ORDER BY c.id",
    )
    .bind(coop.0)
    .bind(phone.unwrap_or(""))
    .bind(email.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(ContactId).collect())
}

// ---------------------------------------------------------------- review queue

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: ReviewId,
    pub identity_id: IdentityId,
    pub reason: String,
    pub candidates: Vec<MemberId>,
    pub status: String,
    pub created_at: i64,
    pub resolved_by: Option<String>,
}

fn review_row(r: &AnyRow) -> Result<Review> {
    let cands: String = r.try_get("candidates")?;
    Ok(Review {
        id: ReviewId(r.try_get("id")?),
        identity_id: IdentityId(r.try_get("identity_id")?),
        reason: r.try_get("reason")?,
        candidates: cands
            .split(',')
            .filter_map(|s| s.parse().ok())
            .map(MemberId)
            .collect(),
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
        resolved_by: r.try_get("resolved_by")?,
    })
}

pub async fn open_review(
    conn: &mut Conn,
    coop: CooperativeId,
    identity: IdentityId,
    reason: &str,
    candidates: &[MemberId],
) -> Result<ReviewId> {
    let list = candidates
        .iter()
        .map(|m| m.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO identity_reviews (cooperative_id, identity_id, reason, candidates, status, created_at)
         VALUES ($1, $2, $3, $4, 'open', $5) RETURNING id",
    )
    .bind(coop.0)
    .bind(identity.0)
    .bind(reason)
    .bind(list)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(ReviewId(id))
}

pub async fn reviews(conn: &mut Conn, coop: CooperativeId, status: &str) -> Result<Vec<Review>> {
    let rows = sqlx::query(
        "SELECT id, identity_id, reason, candidates, status, created_at, resolved_by
         FROM identity_reviews WHERE cooperative_id = $1 AND status = $2 ORDER BY created_at, id LIMIT 500",
    )
    .bind(coop.0)
    .bind(status)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(review_row).collect()
}

pub async fn get_review(conn: &mut Conn, coop: CooperativeId, id: ReviewId) -> Result<Review> {
    let row = sqlx::query(
        "SELECT id, identity_id, reason, candidates, status, created_at, resolved_by
         FROM identity_reviews WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    review_row(&found(row)?)
}

pub async fn close_review(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ReviewId,
    status: &str,
    by: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE identity_reviews SET status = $3, resolved_at = $4, resolved_by = $5
         WHERE cooperative_id = $1 AND id = $2 AND status = 'open'",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(status)
    .bind(now_ms())
    .bind(by)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn count_open_reviews(conn: &mut Conn, coop: CooperativeId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM identity_reviews WHERE cooperative_id = $1 AND status = 'open'",
    )
    .bind(coop.0)
    .fetch_one(&mut *conn)
    .await?)
}

// ---------------------------------------------------------------- merges

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub id: MergeId,
    pub survivor_id: ContactId,
    pub merged_id: ContactId,
    /// (table, row ids) moved from the merged contact to the survivor.
    pub moved: Vec<(String, Vec<i64>)>,
    pub survivor_member_before: Option<MemberId>,
    pub actor: String,
    pub at: i64,
    pub undone_at: Option<i64>,
}

fn merge_row(r: &AnyRow) -> Result<Merge> {
    let moved: String = r.try_get("moved")?;
    let map: std::collections::BTreeMap<String, Vec<i64>> = serde_json::from_str(&moved)
        .map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?;
    Ok(Merge {
        id: MergeId(r.try_get("id")?),
        survivor_id: ContactId(r.try_get("survivor_id")?),
        merged_id: ContactId(r.try_get("merged_id")?),
        moved: map.into_iter().collect(),
        survivor_member_before: r
            .try_get::<Option<i64>, _>("survivor_member_before")?
            .map(MemberId),
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
        undone_at: r.try_get("undone_at")?,
    })
}

/// Row ids of every contact-owned table that belong to `contact`: what a merge moves.
pub async fn owned_rows(
    conn: &mut Conn,
    coop: CooperativeId,
    contact: ContactId,
) -> Result<Vec<(String, Vec<i64>)>> {
    let mut out = Vec::new();
    for table in CONTACT_OWNED {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE cooperative_id = $1 AND contact_id = $2 ORDER BY id"
        ));
        let ids: Vec<i64> = sqlx::query_scalar(sql)
            .bind(coop.0)
            .bind(contact.0)
            .fetch_all(&mut *conn)
            .await?;
        out.push((table.to_string(), ids));
    }
    Ok(out)
}

/// Sets `contact_id` on the given rows of a contact-owned table.
pub async fn reassign_rows(
    conn: &mut Conn,
    coop: CooperativeId,
    table: &str,
    ids: &[i64],
    to: ContactId,
) -> Result<()> {
    // Only tables from the fixed list may be named in SQL.
    let Some(table) = CONTACT_OWNED.iter().find(|t| **t == table) else {
        return Err(StoreError::NotFound);
    };
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        // Identities are part of their contact's search entry: both sides change.
        let mut touched = vec![to];
        if *table == "channel_identities" {
            let from: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT DISTINCT contact_id FROM channel_identities WHERE cooperative_id = $1 AND id IN ({list})"
            )))
            .bind(coop.0)
            .fetch_all(&mut *conn)
            .await?;
            touched.extend(from.into_iter().map(ContactId));
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET contact_id = $2 WHERE cooperative_id = $1 AND id IN ({list})"
        ));
        sqlx::query(sql)
            .bind(coop.0)
            .bind(to.0)
            .execute(&mut *conn)
            .await?;
        if *table == "channel_identities" {
            crate::search::reindex_contacts(conn, coop, &touched).await?;
        }
    }
    Ok(())
}

pub async fn set_merged_into(
    conn: &mut Conn,
    coop: CooperativeId,
    id: ContactId,
    into: Option<ContactId>,
) -> Result<()> {
    sqlx::query(
        "UPDATE contacts SET merged_into = $3, updated_at = $4 WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(into.map(|c| c.0))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    // A contact merged away leaves the search index; undoing the merge brings it back.
    crate::search::reindex_contacts(conn, coop, &[id]).await
}

pub async fn record_merge(
    conn: &mut Conn,
    coop: CooperativeId,
    survivor: ContactId,
    merged: ContactId,
    moved: &[(String, Vec<i64>)],
    survivor_member_before: Option<MemberId>,
    actor: &str,
) -> Result<MergeId> {
    let map: std::collections::BTreeMap<&str, &Vec<i64>> =
        moved.iter().map(|(t, ids)| (t.as_str(), ids)).collect();
    let json = serde_json::to_string(&map).unwrap_or_else(|_| "{}".into());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contact_merges (cooperative_id, survivor_id, merged_id, moved,
            survivor_member_before, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(coop.0)
    .bind(survivor.0)
    .bind(merged.0)
    .bind(json)
    .bind(survivor_member_before.map(|m| m.0))
    .bind(actor)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(MergeId(id))
}

pub async fn get_merge(conn: &mut Conn, coop: CooperativeId, id: MergeId) -> Result<Merge> {
    let row = sqlx::query(
        "SELECT id, survivor_id, merged_id, moved, survivor_member_before, actor, at, undone_at
         FROM contact_merges WHERE cooperative_id = $1 AND id = $2",
    )
    .bind(coop.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    merge_row(&found(row)?)
}

/// Merges that involve the contact, newest first.
pub async fn merges_of(
    conn: &mut Conn,
    coop: CooperativeId,
    contact: ContactId,
) -> Result<Vec<Merge>> {
    let rows = sqlx::query(
        "SELECT id, survivor_id, merged_id, moved, survivor_member_before, actor, at, undone_at
         FROM contact_merges WHERE cooperative_id = $1 AND (survivor_id = $2 OR merged_id = $2)
         ORDER BY id DESC",
    )
    .bind(coop.0)
    .bind(contact.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(merge_row).collect()
}

pub async fn mark_merge_undone(conn: &mut Conn, coop: CooperativeId, id: MergeId) -> Result<()> {
    let done = sqlx::query(
        "UPDATE contact_merges SET undone_at = $3 WHERE cooperative_id = $1 AND id = $2 AND undone_at IS NULL",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("undo of this merge"));
    }
    Ok(())
}

// ---------------------------------------------------------------- verification codes

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub id: VerificationId,
    pub identity_id: IdentityId,
    pub code_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub attempts: i64,
    pub used_at: Option<i64>,
}

pub async fn insert_code(
    conn: &mut Conn,
    coop: CooperativeId,
    identity: IdentityId,
    code_hash: &str,
    expires_at: i64,
    requested_by: &str,
) -> Result<VerificationId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO verification_codes (cooperative_id, identity_id, code_hash, created_at,
            expires_at, requested_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(coop.0)
    .bind(identity.0)
    .bind(code_hash)
    .bind(now_ms())
    .bind(expires_at)
    .bind(requested_by)
    .fetch_one(&mut *conn)
    .await?;
    Ok(VerificationId(id))
}

/// Codes sent to the identity since `since` (for throttling).
pub async fn codes_since(
    conn: &mut Conn,
    coop: CooperativeId,
    identity: IdentityId,
    since: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM verification_codes WHERE cooperative_id = $1 AND identity_id = $2 AND created_at >= $3",
    )
    .bind(coop.0)
    .bind(identity.0)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}

/// The newest code of the identity that is still open (not used).
pub async fn latest_code(
    conn: &mut Conn,
    coop: CooperativeId,
    identity: IdentityId,
) -> Result<Option<Verification>> {
    let row = sqlx::query(
        "SELECT id, identity_id, code_hash, created_at, expires_at, attempts, used_at
         FROM verification_codes WHERE cooperative_id = $1 AND identity_id = $2 AND used_at IS NULL
         ORDER BY id DESC LIMIT 1",
    )
    .bind(coop.0)
    .bind(identity.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Verification {
            id: VerificationId(r.try_get("id")?),
            identity_id: IdentityId(r.try_get("identity_id")?),
            code_hash: r.try_get("code_hash")?,
            created_at: r.try_get("created_at")?,
            expires_at: r.try_get("expires_at")?,
            attempts: r.try_get("attempts")?,
            used_at: r.try_get("used_at")?,
        })
    })
    .transpose()
}

pub async fn count_attempt(conn: &mut Conn, coop: CooperativeId, id: VerificationId) -> Result<()> {
    sqlx::query("UPDATE verification_codes SET attempts = attempts + 1 WHERE cooperative_id = $1 AND id = $2")
        .bind(coop.0)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Marks the code used; false when another request used it first.
pub async fn use_code(conn: &mut Conn, coop: CooperativeId, id: VerificationId) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE verification_codes SET used_at = $3 WHERE cooperative_id = $1 AND id = $2 AND used_at IS NULL",
    )
    .bind(coop.0)
    .bind(id.0)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every open code of the identity now (a code sent to the wrong person; tests).
pub async fn expire_open_codes(conn: &mut Conn, identity: IdentityId) -> Result<()> {
    sqlx::query(
        "UPDATE verification_codes SET expires_at = $2 WHERE identity_id = $1 AND used_at IS NULL",
    )
    .bind(identity.0)
    .bind(now_ms() - 1)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Many identities of one kind at once (the pipeline's batches): external id →
/// (identity, its contact's member).
pub async fn find_identities(
    conn: &mut Conn,
    coop: CooperativeId,
    kind: &str,
    external_ids: &[&str],
) -> Result<std::collections::HashMap<String, (Identity, Option<MemberId>)>> {
    let mut out = std::collections::HashMap::with_capacity(external_ids.len());
    let cols = IDENTITY_COLS
        .split(", ")
        .map(|c| format!("i.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    for chunk in external_ids.chunks(200) {
        let marks = (0..chunk.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(",");
        let sql = sqlx::AssertSqlSafe(crate::positional(
            conn,
            format!(
                "SELECT {cols}, c.member_id AS contact_member FROM channel_identities i
             JOIN contacts c ON c.id = i.contact_id
             WHERE i.cooperative_id = $1 AND i.kind = $2 AND i.external_id IN ({marks})"
            ),
        ));
        let mut q = sqlx::query(sql).bind(coop.0).bind(kind);
        for e in chunk {
            q = q.bind(*e);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let identity = identity_row(&r)?;
            let member = r.try_get::<Option<i64>, _>("contact_member")?.map(MemberId);
            out.insert(identity.external_id.clone(), (identity, member));
        }
    }
    Ok(out)
}
