//! The member registry's use cases: register, edit, change status, search, and the
//! member page's data. NIKs are masked for roles that may not see them.

use crate::identity::link_matching_contacts;
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_domain::member::{MemberError, mask_nik};
use guyub_domain::{
    Action, Date, Email, Gender, MemberId, MemberNoFormat, MemberStatus, Nik, Phone,
};
use guyub_store::members::{self, Member, MemberFields, Search, StatusChange, TimelineEntry};
use guyub_store::{Db, now_ms};

/// A member as typed by a person or read from a CSV row: raw text, parsed here.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MemberInput {
    pub member_no: Option<String>,
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
    pub status: Option<String>,
    pub joined_on: Option<String>,
}

/// A field and what is wrong with it.
pub type FieldError = (&'static str, String);

fn text(
    v: &Option<String>,
    field: &'static str,
    max: usize,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    if v.chars().count() > max || v.chars().any(char::is_control) {
        errs.push((
            field,
            format!("must be at most {max} characters, no control characters"),
        ));
        return None;
    }
    Some(v.to_string())
}

/// Parses every field and returns all that are wrong (an import reports them all).
pub fn parse_input(
    i: &MemberInput,
    default_status: MemberStatus,
) -> std::result::Result<(Option<String>, MemberFields, MemberStatus), Vec<FieldError>> {
    let mut errs: Vec<FieldError> = Vec::new();
    let name = i.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        errs.push(("name", "is required, at most 200 characters".into()));
    }
    let member_no = text(&i.member_no, "member_no", 40, &mut errs);
    let gender = match i.gender.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(g) => Gender::parse(g)
            .map_err(|e| errs.push(("gender", e.to_string())))
            .ok(),
        None => None,
    };
    let date = |raw: &Option<String>, field: &'static str, errs: &mut Vec<FieldError>| match raw
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => Date::parse(d)
            .map_err(|e| errs.push((field, e.to_string())))
            .ok(),
        None => None,
    };
    let birth = date(&i.birth_date, "birth_date", &mut errs);
    let joined = date(&i.joined_on, "joined_on", &mut errs);
    let nik = match i.nik.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => match Nik::parse(raw) {
            Ok(n) => {
                if let Err(e) = n.check_against(birth, gender) {
                    errs.push(("nik", e.to_string()));
                }
                Some(n)
            }
            Err(e) => {
                errs.push(("nik", e.to_string()));
                None
            }
        },
        None => None,
    };
    let mut phones: Vec<String> = Vec::new();
    for raw in i.phones.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        match Phone::parse(raw) {
            Ok(p) if !phones.contains(&p.as_str().to_string()) => {
                phones.push(p.as_str().to_string())
            }
            Ok(_) => {}
            Err(e) => errs.push(("phones", format!("{raw}: {e}"))),
        }
    }
    if phones.len() > 10 {
        errs.push(("phones", "at most 10 phone numbers".into()));
    }
    let email = match i.email.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(e) => Email::parse(e)
            .map(|e| e.as_str().to_string())
            .map_err(|e| errs.push(("email", e.to_string())))
            .ok(),
        None => None,
    };
    let status = match i.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => MemberStatus::parse(s)
            .map_err(|e| errs.push(("status", e.to_string())))
            .unwrap_or(default_status),
        None => default_status,
    };
    let fields = MemberFields {
        nik: nik.map(|n| n.as_str().to_string()),
        name: name.to_string(),
        gender: gender.map(|g| g.as_str().to_string()),
        birth_date: birth.map(|d| d.to_string()),
        birth_place: text(&i.birth_place, "birth_place", 100, &mut errs),
        phones,
        email,
        province: text(&i.province, "province", 100, &mut errs),
        regency: text(&i.regency, "regency", 100, &mut errs),
        district: text(&i.district, "district", 100, &mut errs),
        village: text(&i.village, "village", 100, &mut errs),
        street: text(&i.street, "street", 300, &mut errs),
        occupation: text(&i.occupation, "occupation", 100, &mut errs),
        joined_on: joined.map(|d| d.to_string()),
    };
    if errs.is_empty() {
        Ok((member_no, fields, status))
    } else {
        Err(errs)
    }
}

fn first_error(errs: Vec<FieldError>) -> ServiceError {
    match errs.into_iter().next() {
        Some((field, message)) => invalid(field, message),
        None => invalid("member", "invalid"),
    }
}

/// Hides the NIK from roles that may not see it.
pub fn redact(actor: &Actor, mut m: Member) -> Member {
    if !actor.role.can(Action::ViewNik) {
        m.fields.nik = m.fields.nik.as_deref().map(mask_nik);
    }
    m
}

fn today() -> String {
    let now = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Jakarta").unwrap_or(jiff::tz::TimeZone::UTC));
    now.date().to_string()
}

/// Registers a member. New members start as calon anggota unless the input says.
pub async fn create(db: &Db, actor: &Actor, input: &MemberInput) -> Result<Member> {
    actor.require(Action::ManageMembers)?;
    let (member_no, fields, status) =
        parse_input(input, MemberStatus::CalonAnggota).map_err(first_error)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let no = match member_no {
        Some(no) => no,
        None => {
            let (format, n) = members::take_numbers(&mut tx, coop, 1).await?;
            format.format(n)
        }
    };
    let m = members::create(&mut tx, coop, &no, &fields, status.as_str()).await?;
    let on = fields.joined_on.clone().unwrap_or_else(today);
    members::record_status_change(
        &mut tx,
        coop,
        m.id,
        &StatusChange {
            from_status: None,
            to_status: status.as_str().into(),
            effective_on: on,
            reason: "registered".into(),
            actor: actor.label(),
            at: now_ms(),
        },
    )
    .await?;
    members::add_to_timeline(
        &mut tx,
        coop,
        m.id,
        "member.registered",
        &format!("{} ({})", m.member_no, status),
    )
    .await?;
    record(
        &mut tx,
        actor,
        "member.created",
        &format!("member:{}", m.id),
        &format!("member_no={}", m.member_no),
    )
    .await?;
    link_matching_contacts(&mut tx, actor, &m).await?;
    tx.commit().await?;
    Ok(redact(actor, m))
}

/// Replaces a member's details (not the number or status).
pub async fn update(db: &Db, actor: &Actor, id: MemberId, input: &MemberInput) -> Result<Member> {
    actor.require(Action::ManageMembers)?;
    let (_, mut fields, _) = parse_input(input, MemberStatus::Anggota).map_err(first_error)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let before = members::get(&mut tx, coop, id).await?;
    // A role that sees only the masked NIK cannot have changed it by sending it back.
    if !actor.role.can(Action::ViewNik)
        && input.nik.as_deref().map(str::trim)
            == before.fields.nik.as_deref().map(mask_nik).as_deref()
    {
        fields.nik = before.fields.nik.clone();
    }
    let changed = changed_fields(&before.fields, &fields);
    let m = members::update(&mut tx, coop, id, &fields).await?;
    if !changed.is_empty() {
        record(
            &mut tx,
            actor,
            "member.updated",
            &format!("member:{id}"),
            &format!("fields={}", changed.join(",")),
        )
        .await?;
        members::add_to_timeline(&mut tx, coop, id, "member.updated", &changed.join(", ")).await?;
    }
    link_matching_contacts(&mut tx, actor, &m).await?;
    tx.commit().await?;
    Ok(redact(actor, m))
}

fn changed_fields(a: &MemberFields, b: &MemberFields) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => {$( if a.$f != b.$f { out.push(stringify!($f)); } )*};
    }
    cmp!(
        nik,
        name,
        gender,
        birth_date,
        birth_place,
        phones,
        email,
        province,
        regency,
        district,
        village,
        street,
        occupation,
        joined_on
    );
    out
}

/// Moves a member along the lifecycle. Leaving needs a reason.
pub async fn change_status(
    db: &Db,
    actor: &Actor,
    id: MemberId,
    to: &str,
    on: Option<&str>,
    reason: &str,
) -> Result<Member> {
    actor.require(Action::ManageMembers)?;
    let to = MemberStatus::parse(to).map_err(|e| invalid("status", e.to_string()))?;
    let on = match on.map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => Date::parse(d)
            .map_err(|e| invalid("effective_on", e.to_string()))?
            .to_string(),
        None => today(),
    };
    let reason = reason.trim();
    if matches!(to, MemberStatus::Keluar | MemberStatus::Meninggal) && reason.is_empty() {
        return Err(invalid(
            "reason",
            "a reason is required when a member leaves",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(invalid("reason", "at most 500 characters"));
    }
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let m = members::get(&mut tx, coop, id).await?;
    let from = MemberStatus::parse(&m.status).map_err(|e| ServiceError::Internal(e.to_string()))?;
    from.can_become(to)
        .map_err(|e: MemberError| invalid("status", e.to_string()))?;
    members::set_status(&mut tx, coop, id, to.as_str(), &on, reason).await?;
    members::record_status_change(
        &mut tx,
        coop,
        id,
        &StatusChange {
            from_status: Some(from.as_str().into()),
            to_status: to.as_str().into(),
            effective_on: on.clone(),
            reason: reason.into(),
            actor: actor.label(),
            at: now_ms(),
        },
    )
    .await?;
    members::add_to_timeline(
        &mut tx,
        coop,
        id,
        "member.status",
        &format!("{from} → {to} ({on}) {reason}"),
    )
    .await?;
    record(
        &mut tx,
        actor,
        "member.status_changed",
        &format!("member:{id}"),
        &format!("from={from} to={to} on={on}"),
    )
    .await?;
    let m = members::get(&mut tx, coop, id).await?;
    tx.commit().await?;
    Ok(redact(actor, m))
}

pub async fn search(
    db: &Db,
    actor: &Actor,
    q: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Member>> {
    actor.require(Action::ViewMembers)?;
    let mut s = owned_search(q);
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        Some(st) => Some(MemberStatus::parse(st).map_err(|e| invalid("status", e.to_string()))?),
        None => None,
    };
    s.status = status.map(|s| s.as_str());
    let list = members::search(
        &mut *db.conn().await?,
        actor.cooperative_id,
        &s.as_search(),
        limit,
        offset,
    )
    .await?;
    Ok(list.into_iter().map(|m| redact(actor, m)).collect())
}

/// A search with owned strings (no leaking), borrowed as the store's `Search`.
struct OwnedSearch {
    name: Option<String>,
    member_no: Option<String>,
    phone: Option<String>,
    nik: Option<String>,
    status: Option<&'static str>,
}

impl OwnedSearch {
    fn as_search(&self) -> Search<'_> {
        Search {
            name: self.name.as_deref(),
            member_no: self.member_no.as_deref(),
            phone: self.phone.as_deref(),
            nik: self.nik.as_deref(),
            status: self.status,
        }
    }
}

fn owned_search(q: &str) -> OwnedSearch {
    let q = q.trim();
    let mut s = OwnedSearch {
        name: None,
        member_no: None,
        phone: None,
        nik: None,
        status: None,
    };
    if q.is_empty() {
        return s;
    }
    let digits: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 16 && digits.bytes().all(|c| c.is_ascii_digit()) {
        s.nik = Some(digits);
        return s;
    }
    if let Ok(p) = Phone::parse(q) {
        s.phone = Some(p.as_str().to_string());
    }
    s.member_no = Some(q.to_uppercase());
    s.name = Some(q.to_lowercase());
    s
}

pub async fn get(db: &Db, actor: &Actor, id: MemberId) -> Result<Member> {
    actor.require(Action::ViewMembers)?;
    let m = members::get(&mut *db.conn().await?, actor.cooperative_id, id).await?;
    Ok(redact(actor, m))
}

pub async fn count(db: &Db, actor: &Actor) -> Result<i64> {
    actor.require(Action::ViewMembers)?;
    Ok(members::count(&mut *db.conn().await?, actor.cooperative_id).await?)
}

pub async fn timeline(db: &Db, actor: &Actor, id: MemberId) -> Result<Vec<TimelineEntry>> {
    actor.require(Action::ViewMembers)?;
    let mut conn = db.conn().await?;
    members::get(&mut conn, actor.cooperative_id, id).await?;
    Ok(members::timeline(&mut conn, actor.cooperative_id, id, 200).await?)
}

pub async fn status_history(db: &Db, actor: &Actor, id: MemberId) -> Result<Vec<StatusChange>> {
    actor.require(Action::ViewMembers)?;
    let mut conn = db.conn().await?;
    members::get(&mut conn, actor.cooperative_id, id).await?;
    Ok(members::status_changes(&mut conn, actor.cooperative_id, id).await?)
}

/// The member number format and the next number.
pub async fn numbering(db: &Db, actor: &Actor) -> Result<(String, i64)> {
    actor.require(Action::ViewMembers)?;
    Ok(members::numbering(&mut *db.conn().await?, actor.cooperative_id).await?)
}

/// Sets how new member numbers look, e.g. `KGR-000000`; numbering continues.
pub async fn set_numbering(db: &Db, actor: &Actor, format: &str) -> Result<String> {
    actor.require(Action::ManageSettings)?;
    let f = MemberNoFormat::parse(format).map_err(|e| invalid("format", e.to_string()))?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let (_, next) = members::numbering(&mut tx, coop).await?;
    members::set_numbering(&mut tx, coop, &f, next).await?;
    record(
        &mut tx,
        actor,
        "settings.member_numbering",
        "cooperative",
        &format!("format={}", f.pattern()),
    )
    .await?;
    tx.commit().await?;
    Ok(f.pattern())
}
