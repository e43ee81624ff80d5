//! The member and identity pages, driven through their forms as a browser would.

use crate::support::{PASSWORD, Tenant, TestApp, hidden_csrf};
use guyub_domain::Role;
use guyub_services::identity;
use guyub_services::members::{self, MemberInput};
use guyub_store::contacts::IdentityInfo;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A logged-in owner and the form token of their session.
pub(super) async fn owner(app: &TestApp, t: &Tenant) -> (String, String) {
    let slug = t.coop.slug.clone();
    let session = app.login(&slug, &t.owner_email, PASSWORD).await.unwrap();
    let (_, _, html) = app.page(&session, "/").await;
    let csrf = hidden_csrf(&html);
    (session, csrf)
}

/// A staff member with `role`, logged in.
pub(super) async fn staff(app: &TestApp, t: &Tenant, role: Role) -> String {
    let email = format!("{}@{}.id", role.as_str(), t.coop.slug);
    guyub_services::staff::add_user(
        &app.db,
        &t.actor,
        guyub_services::staff::AddUser {
            email: &email,
            name: role.as_str(),
            role,
            password: PASSWORD,
            locale: "id",
        },
    )
    .await
    .unwrap();
    app.login(&t.coop.slug, &email, PASSWORD).await.unwrap()
}

pub(super) fn location(h: &HeaderMap) -> String {
    h["location"].to_str().unwrap().to_string()
}

pub(super) async fn member_count(app: &TestApp, t: &Tenant) -> i64 {
    members::count(&app.db, &t.actor).await.unwrap()
}

pub(super) async fn member(
    app: &TestApp,
    t: &Tenant,
    name: &str,
    nik: &str,
    phones: &[&str],
) -> i64 {
    let m = members::create(
        &app.db,
        &t.actor,
        &MemberInput {
            name: name.into(),
            nik: Some(nik.into()),
            phones: phones.iter().map(|p| p.to_string()).collect(),
            status: Some("anggota".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    m.id.0
}

pub(super) async fn resolve(
    app: &TestApp,
    t: &Tenant,
    kind: &str,
    ext: &str,
    name: &str,
) -> identity::Resolved {
    identity::resolve_identity(
        &app.db,
        &t.actor,
        kind,
        ext,
        &IdentityInfo {
            display_name: Some(name),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

pub(super) fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The text between `start` and the next `end`, after `start`.
pub(super) fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in {html}"))
        + start.len();
    &html[i..i + html[i..].find(end).unwrap()]
}

#[tokio::test]
async fn the_member_form_registers_edits_and_refuses_a_bad_nik() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-form").await;
    let (session, csrf) = owner(&app, &t).await;
    let (s, _, html) = app.page(&session, "/members/new").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("name=\"phones\"") && html.contains("name=\"nik\""),
        "{html}"
    );
    let form = |nik: &'static str, birth: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("name", "Wahyu Pratama".to_string()),
            ("nik", nik.to_string()),
            ("gender", "L".to_string()),
            ("birth_date", birth.to_string()),
            ("birth_place", "Semarang".to_string()),
            ("phones", "0812-3456-7001,\n(024) 555-0101".to_string()),
            ("email", "wahyu@example.id".to_string()),
            ("regency", "Kota Semarang".to_string()),
            ("occupation", "Petani".to_string()),
            ("status", "anggota".to_string()),
            ("joined_on", "2025-01-15".to_string()),
        ]
    };

    // The NIK says 12-03-90 but the birth date is a year later: refused, nothing saved,
    // and what was typed is still there.
    let bad = form("3374011203900002", "1991-03-12");
    let (s, _, html) = app.post_form(&session, "/members/new", &pairs(&bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("nik: NIK says born 12-03-90, but the birth date is 1991-03-12"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Wahyu Pratama\"") && html.contains("value=\"3374011203900002\"")
    );
    assert!(html.contains("(024) 555-0101"), "phones kept");
    assert_eq!(member_count(&app, &t).await, 0, "nothing created");

    let good = form("3374011203900002", "1990-03-12");
    let (s, h, _) = app.post_form(&session, "/members/new", &pairs(&good)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = location(&h);
    assert!(to.ends_with("?ok=members.created"), "{to}");
    let (s, _, html) = app.page(&session, &to).await;
    assert_eq!(s, 200);
    for text in [
        "Wahyu Pratama",
        "3374011203900002",
        "+6281234567001",
        "+62245550101",
        "wahyu@example.id",
        "Laki-laki",
        "Anggota didaftarkan.",
        "Didaftarkan",
    ] {
        assert!(html.contains(text), "{text} missing from the member page");
    }
    let id = between(&to, "/members/", "?");

    // Edit: the form comes filled in; a change is saved and shows on the timeline.
    let (_, _, html) = app.page(&session, &format!("/members/{id}/edit")).await;
    assert!(html.contains("value=\"Semarang\""), "{html}");
    let mut edited = good.clone();
    edited.retain(|(k, _)| *k != "occupation");
    edited.push(("occupation", "Guru".into()));
    let (s, h, _) = app
        .post_form(&session, &format!("/members/{id}/edit"), &pairs(&edited))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", location(&h));
    let (_, _, html) = app.page(&session, &location(&h)).await;
    assert!(
        html.contains("Guru") && html.contains("occupation"),
        "{html}"
    );

    // Status: leaving needs a reason; with one, the history shows it.
    let path = format!("/members/{id}/status");
    let (s, _, html) = app
        .post_form(
            &session,
            &path,
            &[
                ("_csrf", &csrf),
                ("status", "keluar"),
                ("effective_on", "2025-06-30"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("reason: a reason is required"), "{html}");
    let (s, _, _) = app
        .post_form(
            &session,
            &path,
            &[
                ("_csrf", &csrf),
                ("status", "keluar"),
                ("effective_on", "2025-06-30"),
                ("reason", "pindah kota"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app.page(&session, &format!("/members/{id}")).await;
    assert!(
        html.contains("pindah kota") && html.contains("Anggota → Keluar"),
        "{html}"
    );
}

#[tokio::test]
async fn search_finds_any_phone_spelling_and_only_some_roles_see_the_nik() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-cari").await;
    let siti = member(
        &app,
        &t,
        "Siti Rahayu",
        "3374015204850001",
        &["081234500001"],
    )
    .await;
    member(
        &app,
        &t,
        "Budi Santoso",
        "3374020311790002",
        &["081234500002"],
    )
    .await;
    let (session, _) = owner(&app, &t).await;

    for q in [
        "%2B62%20812-3450-0001",
        "0812%203450%200001",
        "6281234500001",
        "siti",
        "3374015204850001",
    ] {
        let (s, _, html) = app.page(&session, &format!("/members?q={q}")).await;
        assert_eq!(s, 200);
        assert!(
            html.contains(&format!("href=\"/members/{siti}\"")),
            "{q} did not find Siti"
        );
        assert!(!html.contains("Budi Santoso"), "{q} found Budi");
    }
    let (_, _, html) = app.page(&session, "/members?q=tidak-ada").await;
    assert!(html.contains("Tidak ada anggota yang cocok."), "{html}");
    let (_, _, html) = app.page(&session, "/members?status=calon_anggota").await;
    assert!(!html.contains("Siti Rahayu"), "status filter");

    // The owner sees NIKs in full and may export; an agent sees them masked and may not.
    let (_, _, html) = app.page(&session, "/members").await;
    assert!(html.contains("3374015204850001") && html.contains("href=\"/members/export\""));
    assert!(
        html.contains("+62812****0001") && !html.contains("+6281234500001"),
        "phones masked in the list"
    );
    let (s, h, csv) = app.page(&session, "/members/export").await;
    assert_eq!(s, 200);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(
        csv.starts_with("member_no,nik,name") && csv.contains("3374015204850001"),
        "{csv}"
    );

    let agent = staff(&app, &t, Role::Agent).await;
    let (_, _, html) = app.page(&agent, "/members").await;
    assert!(
        html.contains("3374**********01") && !html.contains("3374015204850001"),
        "{html}"
    );
    assert!(
        !html.contains("href=\"/members/export\""),
        "agent sees the export button"
    );
    assert!(
        html.contains("href=\"/members/new\""),
        "agents register members"
    );
    let (_, _, html) = app.page(&agent, &format!("/members/{siti}")).await;
    assert!(html.contains("3374**********01") && !html.contains("3374015204850001"));
    let (s, _, html) = app.page(&agent, "/members/export").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("tidak berwenang"));

    // An auditor reads but changes nothing: no buttons to do so.
    let auditor = staff(&app, &t, Role::Auditor).await;
    let (_, _, html) = app.page(&auditor, &format!("/members/{siti}")).await;
    assert!(html.contains("3374015204850001"), "auditors see NIKs");
    assert!(
        !html.contains("/status\"") && !html.contains("/edit\""),
        "{html}"
    );
    assert_eq!(
        app.page(&auditor, "/members/new").await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_import_is_checked_first_and_names_every_bad_row() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-impor").await;
    let (session, csrf) = owner(&app, &t).await;
    let (s, _, html) = app.page(&session, "/members/import").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("name=\"dry_run\" value=\"1\" checked"),
        "dry run is the default"
    );
    let csv = "name,nik,gender,birth_date,phones\n\
               Siti Rahayu,3374015204850001,P,1985-04-12,081234500001\n\
               Budi Santoso,3374020311790002,L,1979-11-04,081234500002\n\
               Dewi Lestari,,P,1990-07-25,bukan-telepon\n";
    // As a browser sends a text area: lines end in CR LF.
    let sent = csv.replace('\n', "\r\n");
    let (s, _, html) = app
        .post_form(
            &session,
            "/members/import",
            &[("_csrf", &csrf), ("csv", &sent), ("dry_run", "1")],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(between(&html, "id=\"rows\">", "<"), "3");
    assert_eq!(between(&html, "id=\"valid\">", "<"), "1");
    assert_eq!(between(&html, "id=\"imported\">", "<"), "0");
    let errors = between(&html, "<table class=\"row-errors\">", "</table>");
    assert!(
        errors.contains("<td>3</td><td><code>nik</code></td>"),
        "{errors}"
    );
    assert!(
        errors.contains("<td>4</td><td><code>phones</code></td>"),
        "{errors}"
    );
    assert!(
        html.contains("Budi Santoso,3374020311790002"),
        "the text stays for another try"
    );
    assert_eq!(member_count(&app, &t).await, 0, "a dry run imports nothing");

    // Without the dry run, the bad rows still stop everything...
    let (_, _, html) = app
        .post_form(
            &session,
            "/members/import",
            &[("_csrf", &csrf), ("csv", csv)],
        )
        .await;
    assert!(html.contains("Tidak ada yang disimpan"), "{html}");
    assert_eq!(member_count(&app, &t).await, 0);
    // ...unless the good rows alone are wanted.
    let (_, _, html) = app
        .post_form(
            &session,
            "/members/import",
            &[("_csrf", &csrf), ("csv", csv), ("skip_bad", "1")],
        )
        .await;
    assert_eq!(between(&html, "id=\"imported\">", "<"), "1");
    assert_eq!(member_count(&app, &t).await, 1);

    let (s, _, html) = app
        .post_form(
            &session,
            "/members/import",
            &[("_csrf", &csrf), ("csv", "nama;hp\nSiti;0812\n")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("file: line 1: unknown column"), "{html}");
}

#[tokio::test]
async fn another_cooperatives_members_and_contacts_are_not_found() {
    let app = TestApp::spawn().await;
    let ours = app.tenant("kop-kami").await;
    let theirs = app.tenant("kop-mereka").await;
    let m = member(
        &app,
        &theirs,
        "Siti Rahayu",
        "3374015204850001",
        &["081234500001"],
    )
    .await;
    let c = resolve(&app, &theirs, "telegram", "500123456", "Siti").await;
    let (session, csrf) = owner(&app, &ours).await;
    for path in [
        format!("/members/{m}"),
        format!("/members/{m}/edit"),
        format!("/contacts/{}", c.contact_id),
    ] {
        let (s, _, html) = app.page(&session, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("tidak ditemukan"), "{path}: {html}");
    }
    let own = member(
        &app,
        &ours,
        "Budi Santoso",
        "3374020311790002",
        &["081234500002"],
    )
    .await;
    let back = format!("/members/{own}");
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("/identities/{}/code", c.identity.id),
            &[("_csrf", &csrf), ("back", &back)],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("/contacts/{}/link", c.contact_id),
            &[("_csrf", &csrf), ("member", &own.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        identity::get_contact(&app.db, &theirs.actor, c.contact_id)
            .await
            .unwrap()
            .contact
            .member_id
            .is_none()
    );
}
