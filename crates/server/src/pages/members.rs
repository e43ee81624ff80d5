//! The member registry's pages: the searchable list, the register and edit form, the
//! member page (profile, status, identities, contacts, timeline), CSV import and export.

use super::contacts::{IdentityRow, identity_rows};
use super::{Flash, Shell, local_time, mask_phone, page_query, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::{Action, MemberId, MemberStatus};
use guyub_services::identity;
use guyub_services::import::{self, ImportOptions, ImportReport};
use guyub_services::members::{self, MemberInput};
use guyub_store::members::Member;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// Members per list page.
const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: i64,
    ok: Option<String>,
}

struct Row {
    id: i64,
    member_no: String,
    name: String,
    phone: String,
    status: String,
    nik: String,
}

#[derive(Template)]
#[template(path = "members.html")]
struct ListPage {
    t: Tr,
    shell: Shell,
    rows: Vec<Row>,
    q: String,
    status: String,
    statuses: [MemberStatus; 4],
    newer: Option<String>,
    older: Option<String>,
    can_manage: bool,
    can_export: bool,
}

pub async fn list(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let shell = Shell::load(&state, &s, "members", q.ok.as_deref()).await?;
    let page = q.page.max(0);
    let status = Some(q.status.as_str()).filter(|st| !st.is_empty());
    let mut found = members::search(&state.db, &s.actor, &q.q, status, PAGE + 1, page * PAGE)
        .await
        .map_err(|e| s.fail(e))?;
    let more = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let rows = found
        .into_iter()
        .map(|m| Row {
            id: m.id.0,
            phone: m
                .fields
                .phones
                .first()
                .map(|p| mask_phone(p))
                .unwrap_or_default(),
            nik: m.fields.nik.unwrap_or_default(),
            member_no: m.member_no,
            name: m.fields.name,
            status: m.status,
        })
        .collect();
    let params = [("q", q.q.as_str()), ("status", q.status.as_str())];
    let role = s.actor.role;
    let view = ListPage {
        t: s.tr(),
        shell,
        rows,
        newer: (page > 0).then(|| page_query(&params, page - 1)),
        older: more.then(|| page_query(&params, page + 1)),
        q: q.q,
        status: q.status,
        statuses: MemberStatus::ALL,
        can_manage: role.can(Action::ManageMembers),
        can_export: role.can(Action::ExportMembers) && role.can(Action::ViewNik),
    };
    Ok(html(&view, s.lang())?.into_response())
}

/// The member form as typed: every field text, phones one field.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    member_no: String,
    nik: String,
    name: String,
    gender: String,
    birth_date: String,
    birth_place: String,
    phones: String,
    email: String,
    province: String,
    regency: String,
    district: String,
    village: String,
    street: String,
    occupation: String,
    status: String,
    joined_on: String,
}

fn opt(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|v| !v.is_empty())
}

impl MemberForm {
    fn input(&self) -> MemberInput {
        MemberInput {
            member_no: opt(&self.member_no),
            nik: opt(&self.nik),
            name: self.name.clone(),
            gender: opt(&self.gender),
            birth_date: opt(&self.birth_date),
            birth_place: opt(&self.birth_place),
            phones: self
                .phones
                .split([',', ';', '\n'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            email: opt(&self.email),
            province: opt(&self.province),
            regency: opt(&self.regency),
            district: opt(&self.district),
            village: opt(&self.village),
            street: opt(&self.street),
            occupation: opt(&self.occupation),
            status: opt(&self.status),
            joined_on: opt(&self.joined_on),
        }
    }

    fn of(m: &Member) -> MemberForm {
        let f = &m.fields;
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        MemberForm {
            member_no: m.member_no.clone(),
            nik: o(&f.nik),
            name: f.name.clone(),
            gender: o(&f.gender),
            birth_date: o(&f.birth_date),
            birth_place: o(&f.birth_place),
            phones: f.phones.join(", "),
            email: o(&f.email),
            province: o(&f.province),
            regency: o(&f.regency),
            district: o(&f.district),
            village: o(&f.village),
            street: o(&f.street),
            occupation: o(&f.occupation),
            status: m.status.clone(),
            joined_on: o(&f.joined_on),
        }
    }
}

#[derive(Template)]
#[template(path = "member_form.html")]
struct FormPage {
    t: Tr,
    shell: Shell,
    f: MemberForm,
    /// Set when editing.
    id: Option<i64>,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    s: &PageSession,
    f: MemberForm,
    id: Option<i64>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "members", None).await?;
    let (status, error) = match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    };
    let view = FormPage {
        t: s.tr(),
        shell,
        f,
        id,
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

fn require(s: &PageSession, action: Action) -> Result<(), PageError> {
    s.actor.require(action).map_err(|e| s.fail(e))
}

pub async fn new_form(State(state): State<AppState>, s: PageSession) -> PageResult {
    require(&s, Action::ManageMembers)?;
    let f = MemberForm {
        status: MemberStatus::CalonAnggota.as_str().into(),
        ..Default::default()
    };
    form_page(&state, &s, f, None, None).await
}

pub async fn create(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<MemberForm>,
) -> PageResult {
    match members::create(&state.db, &s.actor, &f.input()).await {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}?ok=members.created", m.id)).into_response()),
        Err(e) => form_page(&state, &s, f, None, Some(refusal(&s, e)?)).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    require(&s, Action::ManageMembers)?;
    let m = members::get(&state.db, &s.actor, MemberId(id))
        .await
        .map_err(|e| s.fail(e))?;
    form_page(&state, &s, MemberForm::of(&m), Some(id), None).await
}

pub async fn update(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(mut f): Form<MemberForm>,
) -> PageResult {
    match members::update(&state.db, &s.actor, MemberId(id), &f.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}?ok=members.updated")).into_response()),
        Err(e) => {
            let shown = refusal(&s, e)?;
            // The number and status are not edited here; show them as they are.
            let m = members::get(&state.db, &s.actor, MemberId(id))
                .await
                .map_err(|e| s.fail(e))?;
            f.member_no = m.member_no;
            f.status = m.status;
            form_page(&state, &s, f, Some(id), Some(shown)).await
        }
    }
}

struct ContactRow {
    id: i64,
    name: String,
    identities: usize,
}

struct TimelineRow {
    when: String,
    kind: String,
    summary: String,
}

struct HistoryRow {
    from: Option<String>,
    to: String,
    on: String,
    reason: String,
    actor: String,
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    t: Tr,
    shell: Shell,
    m: Member,
    error: Option<String>,
    targets: Vec<MemberStatus>,
    identities: Vec<IdentityRow>,
    contacts: Vec<ContactRow>,
    timeline: Vec<TimelineRow>,
    history: Vec<HistoryRow>,
    can_manage: bool,
    back: String,
    /// Simpanan: balances and wajib arrears, links to the teller and the statements.
    savings: super::savings::MemberBox,
    can_teller: bool,
    can_statement: bool,
    loans: Vec<super::loans::ListRow>,
    can_apply_loan: bool,
}

/// The member page; `error` is a refused form shown at the top with its status.
pub(super) async fn member_page(
    state: &AppState,
    s: &PageSession,
    id: MemberId,
    flash: Option<&str>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "members", flash).await?;
    let (db, a) = (&state.db, &s.actor);
    let fail = |e| s.fail(e);
    let m = members::get(db, a, id).await.map_err(fail)?;
    let identities = identity::member_identities(db, a, id).await.map_err(fail)?;
    let contacts = identity::list_contacts(db, a, Some(id), 100, 0)
        .await
        .map_err(fail)?;
    let timeline = members::timeline(db, a, id).await.map_err(fail)?;
    let history = members::status_history(db, a, id).await.map_err(fail)?;
    let savings = super::savings::member_box(state, s, id).await?;
    let member_loans = guyub_services::loans::member_loans(db, a, id)
        .await
        .map_err(fail)?;
    let targets = MemberStatus::parse(&m.status)
        .map(|from| {
            MemberStatus::ALL
                .into_iter()
                .filter(|to| from.can_become(*to).is_ok())
                .collect()
        })
        .unwrap_or_default();
    let tz = shell.tz.clone();
    let t = s.tr();
    let (status, error) = match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    };
    let view = MemberPage {
        t,
        error,
        targets,
        identities: identity_rows(identities, &tz),
        contacts: contacts
            .into_iter()
            .map(|c| ContactRow {
                id: c.contact.id.0,
                name: c.contact.display_name,
                identities: c.identities.len(),
            })
            .collect(),
        timeline: timeline
            .into_iter()
            .map(|e| TimelineRow {
                when: local_time(e.at, &tz),
                kind: t.or(&format!("timeline.{}", e.kind), &e.kind).to_string(),
                summary: e.summary,
            })
            .collect(),
        history: history
            .into_iter()
            .map(|c| HistoryRow {
                from: c.from_status,
                to: c.to_status,
                on: c.effective_on,
                reason: c.reason,
                actor: c.actor,
            })
            .collect(),
        can_manage: s.actor.role.can(Action::ManageMembers),
        back: format!("/members/{}", m.id),
        savings,
        can_teller: s.actor.role.can(Action::TellerTransactions),
        can_statement: s.actor.role.can(Action::TellerTransactions)
            || s.actor.role.can(Action::ViewLedger),
        loans: super::loans::list_rows(&t, member_loans),
        can_apply_loan: super::loans::can_apply(s) && m.status == MemberStatus::Anggota.as_str(),
        m,
        shell,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    member_page(&state, &s, MemberId(id), f.ok.as_deref(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    effective_on: String,
    reason: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> PageResult {
    let on = Some(f.effective_on.as_str()).filter(|d| !d.trim().is_empty());
    match members::change_status(&state.db, &s.actor, MemberId(id), &f.status, on, &f.reason).await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/members/{id}?ok=members.status_changed")).into_response())
        }
        Err(e) => member_page(&state, &s, MemberId(id), None, Some(refusal(&s, e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    t: Tr,
    shell: Shell,
    csv: String,
    dry_run: bool,
    skip_bad: bool,
    report: Option<ImportReport>,
    error: Option<String>,
}

async fn import_page(
    state: &AppState,
    s: &PageSession,
    f: ImportForm,
    report: Option<ImportReport>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "members", None).await?;
    let (status, error) = match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    };
    let view = ImportPage {
        t: s.tr(),
        shell,
        // After a real import the text has done its work; after a check, keep it.
        csv: if report.as_ref().is_some_and(|r| r.imported > 0) {
            String::new()
        } else {
            f.csv
        },
        dry_run: f.dry_run.is_some() || report.as_ref().is_some_and(|r| r.imported > 0),
        skip_bad: f.skip_bad.is_some(),
        report,
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
    /// A checkbox: present when ticked.
    dry_run: Option<String>,
    skip_bad: Option<String>,
}

pub async fn import_form(State(state): State<AppState>, s: PageSession) -> PageResult {
    require(&s, Action::ManageMembers)?;
    let f = ImportForm {
        dry_run: Some("1".into()),
        ..Default::default()
    };
    import_page(&state, &s, f, None, None).await
}

pub async fn import(
    State(state): State<AppState>,
    s: PageSession,
    Form(mut f): Form<ImportForm>,
) -> PageResult {
    // Browsers send a text area's lines ending in CR LF, and the CSV reader counts
    // lines one short after a CR LF (rust-csv #395): make them plain LF so that every
    // bad row is reported on its real line.
    f.csv = f.csv.replace("\r\n", "\n");
    let opts = ImportOptions {
        dry_run: f.dry_run.is_some(),
        skip_bad: f.skip_bad.is_some(),
    };
    match import::import_members(&state.db, &s.actor, f.csv.as_bytes(), &opts, &|_, _| {}).await {
        Ok(report) => import_page(&state, &s, f, Some(report), None).await,
        Err(e) => import_page(&state, &s, f, None, Some(refusal(&s, e)?)).await,
    }
}

pub async fn export(State(state): State<AppState>, s: PageSession) -> PageResult {
    let csv = import::export_members(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"anggota.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
