//! One identity across every channel: resolving an incoming identity to its contact and
//! member, manual link and unlink, the review queue, merging contacts and undoing a
//! merge, and proving ownership of an identity with a one-time code.

use crate::secret::same;
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_domain::{
    Action, ContactId, CooperativeId, IdentityId, IdentityKey, IdentityKind, MemberId, MergeId,
    ReviewId,
};
use guyub_store::contacts::{self, Contact, Identity, IdentityInfo, Merge, Review};
use guyub_store::members::{self, Member};
use guyub_store::{Conn, Db, now_ms};
use rand::Rng;
use sha2::{Digest, Sha256};

/// What resolution found or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub identity: Identity,
    pub contact_id: ContactId,
    pub member_id: Option<MemberId>,
    /// The identity was seen for the first time.
    pub created: bool,
    /// A person must decide who this is.
    pub review: Option<ReviewId>,
}

/// Members an identity's key points at: by phone, or by e-mail when the e-mail is
/// verified (an unverified From address proves nothing).
async fn matching_members(
    conn: &mut Conn,
    coop: CooperativeId,
    phone: Option<&str>,
    email: Option<&str>,
    email_verified: bool,
) -> Result<Vec<MemberId>> {
    let mut found = Vec::new();
    if let Some(p) = phone {
        found.extend(members::ids_by_phone(conn, coop, p).await?);
    }
    if let Some(e) = email.filter(|_| email_verified) {
        for m in members::ids_by_email(conn, coop, e).await? {
            if !found.contains(&m) {
                found.push(m);
            }
        }
    }
    Ok(found)
}

/// Finds the contact behind an identity, creating contact and identity on first sight.
/// Runs inside the caller's transaction (the inbound pipeline resolves a whole batch in
/// one). A new identity whose phone (or verified e-mail) matches exactly one member
/// joins that member's contact; several matches go to the review queue.
pub async fn resolve(
    conn: &mut Conn,
    coop: CooperativeId,
    key: &IdentityKey,
    info: &IdentityInfo<'_>,
) -> Result<Resolved> {
    if let Some((identity, member)) =
        contacts::find_identity(conn, coop, key.kind.as_str(), &key.external_id).await?
    {
        if info.display_name.is_some() && info.display_name != identity.display_name.as_deref() {
            contacts::touch_identity(conn, coop, identity.id, info.display_name).await?;
        }
        let contact_id = identity.contact_id;
        return Ok(Resolved {
            identity,
            contact_id,
            member_id: member,
            created: false,
            review: None,
        });
    }
    let verified = info.verified || key.kind == IdentityKind::Whatsapp;
    let matches = matching_members(
        conn,
        coop,
        key.phone.as_ref().map(|p| p.as_str()),
        key.email.as_ref().map(|e| e.as_str()),
        verified,
    )
    .await?;
    let name = info
        .display_name
        .or(info.handle)
        .unwrap_or(&key.external_id)
        .to_string();
    let (contact, member) = match matches.as_slice() {
        [one] => match contacts::primary_contact_of(conn, coop, *one).await? {
            Some(c) => (c.id, Some(*one)),
            None => {
                let m = members::get(conn, coop, *one).await?;
                let c = contacts::create_contact(conn, coop, &m.fields.name, Some(*one)).await?;
                (c.id, Some(*one))
            }
        },
        _ => (
            contacts::create_contact(conn, coop, &name, None).await?.id,
            None,
        ),
    };
    let info = IdentityInfo {
        verified,
        ..info.clone()
    };
    let identity = contacts::insert_identity(conn, coop, contact, key, &info).await?;
    let review = if matches.len() > 1 {
        Some(contacts::open_review(conn, coop, identity.id, "ambiguous", &matches).await?)
    } else {
        None
    };
    if let Some(m) = member {
        members::add_to_timeline(
            conn,
            coop,
            m,
            "identity.linked",
            &format!(
                "{} {}",
                key.kind,
                identity.display_name.as_deref().unwrap_or(&key.external_id)
            ),
        )
        .await?;
    }
    Ok(Resolved {
        identity,
        contact_id: contact,
        member_id: member,
        created: true,
        review,
    })
}

/// Resolution as a use case (API, demo): its own transaction, audited when it links.
pub async fn resolve_identity(
    db: &Db,
    actor: &Actor,
    kind: &str,
    external_id: &str,
    info: &IdentityInfo<'_>,
) -> Result<Resolved> {
    actor.require(Action::ManageMembers)?;
    let kind = IdentityKind::parse(kind).map_err(|e| invalid("kind", e.to_string()))?;
    let key =
        IdentityKey::parse(kind, external_id).map_err(|e| invalid("external_id", e.to_string()))?;
    let mut tx = db.begin_write().await?;
    let r = resolve(&mut tx, actor.cooperative_id, &key, info).await?;
    if r.created {
        record(
            &mut tx,
            actor,
            "identity.created",
            &format!("identity:{}", r.identity.id),
            &format!(
                "kind={kind} contact={} member={}",
                r.contact_id,
                r.member_id
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "-".into())
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(r)
}

/// After a member is registered or edited: contacts without a member whose phone
/// identity (or verified e-mail) is this member's, and no other member's, join them.
pub(crate) async fn link_matching_contacts(
    conn: &mut Conn,
    actor: &Actor,
    m: &Member,
) -> Result<()> {
    let coop = actor.cooperative_id;
    let mut candidates = Vec::new();
    for p in &m.fields.phones {
        if members::ids_by_phone(conn, coop, p).await?.len() == 1 {
            candidates.extend(contacts::unlinked_contacts_with(conn, coop, Some(p), None).await?);
        }
    }
    if let Some(e) = &m.fields.email
        && members::ids_by_email(conn, coop, e).await?.len() == 1
    {
        candidates.extend(contacts::unlinked_contacts_with(conn, coop, None, Some(e)).await?);
    }
    candidates.sort();
    candidates.dedup();
    for c in candidates {
        contacts::set_contact_member(conn, coop, c, Some(m.id)).await?;
        members::add_to_timeline(
            conn,
            coop,
            m.id,
            "contact.linked",
            &format!("contact {c} (automatic)"),
        )
        .await?;
        record(
            conn,
            actor,
            "contact.linked",
            &format!("contact:{c}"),
            &format!("member={} automatic", m.id),
        )
        .await?;
    }
    Ok(())
}

/// A contact with its identities, for the contact and member pages.
#[derive(Debug, Clone)]
pub struct ContactView {
    pub contact: Contact,
    pub identities: Vec<Identity>,
}

pub async fn get_contact(db: &Db, actor: &Actor, id: ContactId) -> Result<ContactView> {
    actor.require(Action::ViewMembers)?;
    let mut conn = db.conn().await?;
    let contact = contacts::get_contact(&mut conn, actor.cooperative_id, id).await?;
    let identities = contacts::identities_of(&mut conn, actor.cooperative_id, id).await?;
    Ok(ContactView {
        contact,
        identities,
    })
}

pub async fn list_contacts(
    db: &Db,
    actor: &Actor,
    member: Option<MemberId>,
    limit: i64,
    offset: i64,
) -> Result<Vec<ContactView>> {
    actor.require(Action::ViewMembers)?;
    let mut conn = db.conn().await?;
    let list =
        contacts::list_contacts(&mut conn, actor.cooperative_id, member, limit, offset).await?;
    let mut out = Vec::with_capacity(list.len());
    for contact in list {
        let identities =
            contacts::identities_of(&mut conn, actor.cooperative_id, contact.id).await?;
        out.push(ContactView {
            contact,
            identities,
        });
    }
    Ok(out)
}

/// Every identity of a member, across their contacts.
pub async fn member_identities(db: &Db, actor: &Actor, member: MemberId) -> Result<Vec<Identity>> {
    actor.require(Action::ViewMembers)?;
    let mut conn = db.conn().await?;
    members::get(&mut conn, actor.cooperative_id, member).await?;
    Ok(contacts::identities_of_member(&mut conn, actor.cooperative_id, member).await?)
}

fn live(c: &Contact) -> Result<()> {
    if c.merged_into.is_some() {
        return Err(invalid(
            "contact",
            format!(
                "contact {} was merged into contact {}",
                c.id,
                c.merged_into.map(|m| m.0).unwrap_or(0)
            ),
        ));
    }
    Ok(())
}

/// Links a contact to a member by hand.
pub async fn link(db: &Db, actor: &Actor, contact: ContactId, member: MemberId) -> Result<()> {
    actor.require(Action::ManageMembers)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let c = contacts::get_contact(&mut tx, coop, contact).await?;
    live(&c)?;
    let m = members::get(&mut tx, coop, member).await?;
    match c.member_id {
        Some(existing) if existing == member => return Ok(()),
        Some(existing) => {
            return Err(ServiceError::Conflict(format!(
                "contact {contact} is linked to member {existing}; unlink it first"
            )));
        }
        None => {}
    }
    contacts::set_contact_member(&mut tx, coop, contact, Some(member)).await?;
    members::add_to_timeline(
        &mut tx,
        coop,
        member,
        "contact.linked",
        &format!("contact {contact} ({})", c.display_name),
    )
    .await?;
    record(
        &mut tx,
        actor,
        "contact.linked",
        &format!("contact:{contact}"),
        &format!("member={} {}", member, m.member_no),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unlink(db: &Db, actor: &Actor, contact: ContactId) -> Result<()> {
    actor.require(Action::ManageMembers)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let c = contacts::get_contact(&mut tx, coop, contact).await?;
    live(&c)?;
    let Some(member) = c.member_id else {
        return Err(invalid("contact", "the contact is not linked to a member"));
    };
    contacts::set_contact_member(&mut tx, coop, contact, None).await?;
    members::add_to_timeline(
        &mut tx,
        coop,
        member,
        "contact.unlinked",
        &format!("contact {contact} ({})", c.display_name),
    )
    .await?;
    record(
        &mut tx,
        actor,
        "contact.unlinked",
        &format!("contact:{contact}"),
        &format!("member={member}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an identity to a contact by hand (a member tells staff their Telegram, say).
/// An identity already on another contact is refused: merge the contacts instead. A key
/// that matches another member than the contact's goes to the review queue.
pub async fn add_identity(
    db: &Db,
    actor: &Actor,
    contact: ContactId,
    kind: &str,
    external_id: &str,
    display_name: Option<&str>,
) -> Result<Identity> {
    actor.require(Action::ManageMembers)?;
    let kind = IdentityKind::parse(kind).map_err(|e| invalid("kind", e.to_string()))?;
    let key =
        IdentityKey::parse(kind, external_id).map_err(|e| invalid("external_id", e.to_string()))?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let c = contacts::get_contact(&mut tx, coop, contact).await?;
    live(&c)?;
    if let Some((existing, _)) =
        contacts::find_identity(&mut tx, coop, kind.as_str(), &key.external_id).await?
    {
        return Err(ServiceError::Conflict(format!(
            "this {kind} identity belongs to contact {}; merge the contacts instead",
            existing.contact_id
        )));
    }
    let info = IdentityInfo {
        display_name: display_name.map(str::trim).filter(|s| !s.is_empty()),
        // Staff typing an id proves nothing; WhatsApp's own wa_id is vouched by Meta
        // only when it arrives from Meta, so a typed one is unverified too.
        verified: false,
        ..Default::default()
    };
    let identity = contacts::insert_identity(&mut tx, coop, contact, &key, &info).await?;
    let matches = matching_members(
        &mut tx,
        coop,
        key.phone.as_ref().map(|p| p.as_str()),
        None,
        false,
    )
    .await?;
    let conflicting: Vec<MemberId> = matches
        .iter()
        .copied()
        .filter(|m| Some(*m) != c.member_id)
        .collect();
    if !conflicting.is_empty() && (c.member_id.is_some() || matches.len() > 1) {
        let mut all = conflicting.clone();
        all.extend(c.member_id);
        contacts::open_review(&mut tx, coop, identity.id, "conflict", &all).await?;
    }
    if let Some(m) = c.member_id {
        members::add_to_timeline(
            &mut tx,
            coop,
            m,
            "identity.added",
            &format!("{kind} {}", key.external_id),
        )
        .await?;
    }
    record(
        &mut tx,
        actor,
        "identity.added",
        &format!("identity:{}", identity.id),
        &format!("kind={kind} contact={contact}"),
    )
    .await?;
    tx.commit().await?;
    Ok(identity)
}

// ---------------------------------------------------------------- review queue

#[derive(Debug, Clone)]
pub struct ReviewView {
    pub review: Review,
    pub identity: Identity,
    pub contact: Contact,
    pub candidates: Vec<Member>,
}

pub async fn reviews(db: &Db, actor: &Actor) -> Result<Vec<ReviewView>> {
    actor.require(Action::ManageMembers)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let list = contacts::reviews(&mut conn, coop, "open").await?;
    let mut out = Vec::with_capacity(list.len());
    for review in list {
        let identity = contacts::get_identity(&mut conn, coop, review.identity_id).await?;
        let contact = contacts::get_contact(&mut conn, coop, identity.contact_id).await?;
        let mut candidates = Vec::new();
        for m in &review.candidates {
            if let Ok(m) = members::get(&mut conn, coop, *m).await {
                candidates.push(crate::members::redact(actor, m));
            }
        }
        out.push(ReviewView {
            review,
            identity,
            contact,
            candidates,
        });
    }
    Ok(out)
}

pub async fn open_review_count(db: &Db, actor: &Actor) -> Result<i64> {
    actor.require(Action::ViewMembers)?;
    Ok(contacts::count_open_reviews(&mut *db.conn().await?, actor.cooperative_id).await?)
}

/// Settles a review: link the identity's contact to one of the candidates (`Some`), or
/// dismiss it (`None`). An identity that shares a contact already linked to another
/// member is moved to a contact of its own first.
pub async fn resolve_review(
    db: &Db,
    actor: &Actor,
    id: ReviewId,
    member: Option<MemberId>,
) -> Result<()> {
    actor.require(Action::ManageMembers)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let review = contacts::get_review(&mut tx, coop, id).await?;
    if review.status != "open" {
        return Err(ServiceError::Conflict(
            "this review is already settled".into(),
        ));
    }
    match member {
        Some(m) => {
            if !review.candidates.contains(&m) {
                return Err(invalid("member_id", "not one of this review's candidates"));
            }
            let identity = contacts::get_identity(&mut tx, coop, review.identity_id).await?;
            let contact = contacts::get_contact(&mut tx, coop, identity.contact_id).await?;
            if contact.member_id != Some(m) {
                let target = match contacts::primary_contact_of(&mut tx, coop, m).await? {
                    Some(c) => c.id,
                    None => {
                        let name = members::get(&mut tx, coop, m).await?.fields.name;
                        contacts::create_contact(&mut tx, coop, &name, Some(m))
                            .await?
                            .id
                    }
                };
                if contact.member_id.is_none()
                    && contacts::identities_of(&mut tx, coop, contact.id)
                        .await?
                        .len()
                        == 1
                {
                    // The contact exists only for this identity: it becomes the member's.
                    contacts::set_contact_member(&mut tx, coop, contact.id, Some(m)).await?;
                } else {
                    contacts::move_identity(&mut tx, coop, identity.id, target).await?;
                }
            }
            members::add_to_timeline(
                &mut tx,
                coop,
                m,
                "identity.linked",
                &format!("{} {} (review)", identity.kind, identity.external_id),
            )
            .await?;
            contacts::close_review(&mut tx, coop, id, "linked", &actor.label()).await?;
            record(
                &mut tx,
                actor,
                "review.linked",
                &format!("review:{id}"),
                &format!("identity={} member={m}", identity.id),
            )
            .await?;
        }
        None => {
            contacts::close_review(&mut tx, coop, id, "dismissed", &actor.label()).await?;
            record(
                &mut tx,
                actor,
                "review.dismissed",
                &format!("review:{id}"),
                "",
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- merge

/// What a merge would do, shown before it is done.
#[derive(Debug, Clone)]
pub struct MergePlan {
    pub survivor: ContactView,
    pub merged: ContactView,
    /// Rows that will move, per table.
    pub moves: Vec<(String, usize)>,
    /// The member the survivor will be linked to.
    pub member_after: Option<MemberId>,
}

async fn plan(
    conn: &mut Conn,
    coop: CooperativeId,
    survivor: ContactId,
    merged: ContactId,
) -> Result<MergePlan> {
    if survivor == merged {
        return Err(invalid(
            "other_contact_id",
            "a contact cannot be merged with itself",
        ));
    }
    let s = contacts::get_contact(conn, coop, survivor).await?;
    let m = contacts::get_contact(conn, coop, merged).await?;
    live(&s)?;
    live(&m)?;
    if let (Some(a), Some(b)) = (s.member_id, m.member_id)
        && a != b
    {
        return Err(invalid(
            "other_contact_id",
            format!(
                "the contacts belong to two different members ({a} and {b}); they are never merged"
            ),
        ));
    }
    let moves = contacts::owned_rows(conn, coop, merged).await?;
    Ok(MergePlan {
        member_after: s.member_id.or(m.member_id),
        survivor: ContactView {
            identities: contacts::identities_of(conn, coop, survivor).await?,
            contact: s,
        },
        merged: ContactView {
            identities: contacts::identities_of(conn, coop, merged).await?,
            contact: m,
        },
        moves: moves.into_iter().map(|(t, ids)| (t, ids.len())).collect(),
    })
}

pub async fn merge_preview(
    db: &Db,
    actor: &Actor,
    survivor: ContactId,
    merged: ContactId,
) -> Result<MergePlan> {
    actor.require(Action::MergeContacts)?;
    plan(
        &mut *db.conn().await?,
        actor.cooperative_id,
        survivor,
        merged,
    )
    .await
}

/// Merges `merged` into `survivor`: everything attached to `merged` moves, in one
/// transaction, and the merge is recorded so it can be undone.
pub async fn merge(
    db: &Db,
    actor: &Actor,
    survivor: ContactId,
    merged: ContactId,
) -> Result<MergeId> {
    actor.require(Action::MergeContacts)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let p = plan(&mut tx, coop, survivor, merged).await?;
    let moved = contacts::owned_rows(&mut tx, coop, merged).await?;
    for (table, ids) in &moved {
        contacts::reassign_rows(&mut tx, coop, table, ids, survivor).await?;
    }
    let before = p.survivor.contact.member_id;
    if before.is_none() && p.member_after.is_some() {
        contacts::set_contact_member(&mut tx, coop, survivor, p.member_after).await?;
    }
    contacts::set_merged_into(&mut tx, coop, merged, Some(survivor)).await?;
    let id = contacts::record_merge(
        &mut tx,
        coop,
        survivor,
        merged,
        &moved,
        before,
        &actor.label(),
    )
    .await?;
    if let Some(m) = p.member_after {
        members::add_to_timeline(
            &mut tx,
            coop,
            m,
            "contact.merged",
            &format!("contact {merged} → {survivor}"),
        )
        .await?;
    }
    let summary: Vec<String> = moved
        .iter()
        .map(|(t, ids)| format!("{t}={}", ids.len()))
        .collect();
    record(
        &mut tx,
        actor,
        "contact.merged",
        &format!("contact:{survivor}"),
        &format!("merged={merged} merge={id} {}", summary.join(" ")),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Undoes a merge: the rows that moved (and are still on the survivor) go back, the
/// merged contact lives again, and the survivor's member link is what it was.
pub async fn undo_merge(db: &Db, actor: &Actor, id: MergeId) -> Result<()> {
    actor.require(Action::MergeContacts)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let m = contacts::get_merge(&mut tx, coop, id).await?;
    if m.undone_at.is_some() {
        return Err(ServiceError::Conflict(
            "this merge was already undone".into(),
        ));
    }
    let survivor = contacts::get_contact(&mut tx, coop, m.survivor_id).await?;
    if survivor.merged_into.is_some() {
        return Err(ServiceError::Conflict(format!(
            "contact {} was merged again since; undo that merge first",
            survivor.id
        )));
    }
    let still_there = contacts::owned_rows(&mut tx, coop, m.survivor_id).await?;
    for (table, ids) in &m.moved {
        let current: Vec<i64> = still_there
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, now)| ids.iter().copied().filter(|i| now.contains(i)).collect())
            .unwrap_or_default();
        contacts::reassign_rows(&mut tx, coop, table, &current, m.merged_id).await?;
    }
    contacts::set_merged_into(&mut tx, coop, m.merged_id, None).await?;
    contacts::set_contact_member(&mut tx, coop, m.survivor_id, m.survivor_member_before).await?;
    contacts::mark_merge_undone(&mut tx, coop, id).await?;
    if let Some(member) = survivor.member_id {
        members::add_to_timeline(
            &mut tx,
            coop,
            member,
            "contact.unmerged",
            &format!("contact {} split from {}", m.merged_id, m.survivor_id),
        )
        .await?;
    }
    record(
        &mut tx,
        actor,
        "contact.merge_undone",
        &format!("contact:{}", m.survivor_id),
        &format!("merge={id} merged={}", m.merged_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn merges_of(db: &Db, actor: &Actor, contact: ContactId) -> Result<Vec<Merge>> {
    actor.require(Action::ViewMembers)?;
    let mut conn = db.conn().await?;
    contacts::get_contact(&mut conn, actor.cooperative_id, contact).await?;
    Ok(contacts::merges_of(&mut conn, actor.cooperative_id, contact).await?)
}

// ---------------------------------------------------------------- proof of ownership

/// How long a code is good for, how many a person may request, how many guesses.
pub const CODE_TTL_MS: i64 = 10 * 60 * 1000;
pub const CODES_PER_HOUR: i64 = 3;
pub const MAX_ATTEMPTS: i64 = 5;

fn code_hash(identity: IdentityId, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("guyub-code:{identity}:{code}").as_bytes(),
    ))
}

/// The WhatsApp template that carries a code outside the 24-hour window. It must be
/// approved in the cooperative's WhatsApp Manager (category "authentication", one body
/// variable: the code).
pub const CODE_TEMPLATE: &str = "guyub_kode_verifikasi";

/// Sends a six-digit code to the identity through its channel: a message queued in the
/// pipeline's outbox, in the same transaction as the code. Returns when it expires.
/// Staff see the message as "code sent", never the code.
pub async fn send_code(db: &Db, actor: &Actor, identity: IdentityId) -> Result<i64> {
    actor.require(Action::ManageMembers)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let i = contacts::get_identity(&mut tx, coop, identity).await?;
    if contacts::codes_since(&mut tx, coop, identity, now_ms() - 3_600_000).await? >= CODES_PER_HOUR
    {
        return Err(ServiceError::TooManyAttempts {
            retry_after_secs: 3600,
        });
    }
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let expires = now_ms() + CODE_TTL_MS;
    contacts::insert_code(
        &mut tx,
        coop,
        identity,
        &code_hash(identity, &code),
        expires,
        &actor.label(),
    )
    .await?;
    let text = format!(
        "Kode verifikasi Anda: {code}. Berlaku 10 menit. Jangan berikan kode ini kepada siapa pun selain petugas koperasi yang sedang melayani Anda."
    );
    crate::conversations::queue_code(&mut tx, coop, &i, &text, &code).await?;
    record(
        &mut tx,
        actor,
        "identity.code_sent",
        &format!("identity:{identity}"),
        &format!("kind={}", i.kind),
    )
    .await?;
    tx.commit().await?;
    Ok(expires)
}

/// Checks a code the person read back. Right: the identity is verified (and, if it now
/// proves a phone or e-mail of exactly one member, its contact is linked).
pub async fn confirm_code(db: &Db, actor: &Actor, identity: IdentityId, code: &str) -> Result<()> {
    actor.require(Action::ManageMembers)?;
    let coop = actor.cooperative_id;
    let code = code.trim();
    let mut tx = db.begin_write().await?;
    let i = contacts::get_identity(&mut tx, coop, identity).await?;
    let Some(v) = contacts::latest_code(&mut tx, coop, identity).await? else {
        return Err(invalid(
            "code",
            "no code was sent to this identity; send one first",
        ));
    };
    if v.expires_at < now_ms() {
        return Err(invalid("code", "the code has expired; send a new one"));
    }
    if v.attempts >= MAX_ATTEMPTS {
        return Err(invalid("code", "too many wrong codes; send a new one"));
    }
    if !same(&v.code_hash, &code_hash(identity, code)) {
        contacts::count_attempt(&mut tx, coop, v.id).await?;
        record(
            &mut tx,
            actor,
            "identity.code_failed",
            &format!("identity:{identity}"),
            "",
        )
        .await?;
        // The failed attempt is counted even though the request fails.
        tx.commit().await?;
        return Err(invalid("code", "the code is wrong"));
    }
    if !contacts::use_code(&mut tx, coop, v.id).await? {
        return Err(invalid("code", "the code was already used"));
    }
    contacts::mark_verified(&mut tx, coop, identity).await?;
    let contact = contacts::get_contact(&mut tx, coop, i.contact_id).await?;
    if contact.member_id.is_none() {
        let matches =
            matching_members(&mut tx, coop, i.phone.as_deref(), i.email.as_deref(), true).await?;
        if let [one] = matches.as_slice() {
            contacts::set_contact_member(&mut tx, coop, contact.id, Some(*one)).await?;
            members::add_to_timeline(
                &mut tx,
                coop,
                *one,
                "contact.linked",
                &format!("contact {} (verified {})", contact.id, i.kind),
            )
            .await?;
        }
    }
    if let Some(m) = contacts::get_contact(&mut tx, coop, i.contact_id)
        .await?
        .member_id
    {
        members::add_to_timeline(
            &mut tx,
            coop,
            m,
            "identity.verified",
            &format!("{} {}", i.kind, i.external_id),
        )
        .await?;
    }
    record(
        &mut tx,
        actor,
        "identity.verified",
        &format!("identity:{identity}"),
        &format!("kind={}", i.kind),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
