//! The member registry and one identity across channels, through the JSON API.

use crate::support::{Tenant, TestApp};
use guyub_domain::{IdentityId, Role};
use reqwest::Method;
use serde_json::{Value, json};

async fn post(app: &TestApp, t: &Tenant, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
    app.send(Method::POST, &t.token, path, Some(body)).await
}

async fn resolve(app: &TestApp, t: &Tenant, kind: &str, ext: &str) -> Value {
    let (s, v) = post(
        app,
        t,
        "/api/v1/identities/resolve",
        json!({"kind": kind, "external_id": ext}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

#[tokio::test]
async fn registry_numbers_validates_and_follows_the_lifecycle() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-reg").await;
    let (s, n) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/member-numbering",
            Some(json!({"format": "KGR-000000"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), n["next_value"].as_i64()),
        (200, Some(1)),
        "{n}"
    );
    let (s, bad) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/member-numbering",
            Some(json!({"format": "KGR"})),
        )
        .await;
    assert_eq!((s.as_u16(), bad["field"].as_str()), (422, Some("format")));

    let siti = json!({
        "nik": "3273055203900001", "name": "Siti Aminah", "gender": "P", "birth_date": "1990-03-12",
        "phones": ["0812-3456-7890", "+62 21 555 1234", "6281234567890"],
        "email": "Siti@Example.ID", "regency": "Kota Bandung", "occupation": "Pedagang"
    });
    let (s, m) = post(&app, &t, "/api/v1/members", siti.clone()).await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["member_no"], "KGR-000001");
    assert_eq!(m["phones"], json!(["+6281234567890", "+62215551234"]));
    assert_eq!(m["email"], "siti@example.id");
    assert_eq!(m["status"], "calon_anggota");
    let id = m["id"].as_i64().unwrap();

    // The same NIK again, a malformed NIK, a NIK that disagrees, a bad phone.
    let (s, p) = post(
        &app,
        &t,
        "/api/v1/members",
        json!({"name": "Kembar", "nik": "3273055203900001"}),
    )
    .await;
    assert_eq!(s, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("NIK"), "{p}");
    for (body, field, words) in [
        (json!({"name": "A", "nik": "12345"}), "nik", "16 digits"),
        (
            json!({"name": "A", "nik": "3273055203900001", "gender": "L"}),
            "nik",
            "perempuan",
        ),
        (
            json!({"name": "A", "nik": "3273055203900001", "birth_date": "1990-03-13"}),
            "nik",
            "1990-03-13",
        ),
        (
            json!({"name": "A", "phones": ["0812-ABC"]}),
            "phones",
            "0812-ABC",
        ),
        (json!({"name": "", "phones": []}), "name", "required"),
        (
            json!({"name": "A", "birth_date": "31-02-1990"}),
            "birth_date",
            "YYYY-MM-DD",
        ),
    ] {
        let (s, p) = post(&app, &t, "/api/v1/members", body.clone()).await;
        assert_eq!(s, 422, "{body}: {p}");
        assert_eq!(p["field"], field, "{body}: {p}");
        assert!(p["detail"].as_str().unwrap().contains(words), "{body}: {p}");
    }
    let (_, list) = app.get(&t.token, "/api/v1/members").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing half-written");

    // The lifecycle: forward only, a reason to leave, each change in the audit log.
    let path = format!("/api/v1/members/{id}/status");
    let (s, m) = post(
        &app,
        &t,
        &path,
        json!({"status": "anggota", "effective_on": "2025-01-02"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), m["status"].as_str()),
        (200, Some("anggota")),
        "{m}"
    );
    let (s, p) = post(&app, &t, &path, json!({"status": "keluar"})).await;
    assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some("reason")));
    let (s, _) = post(
        &app,
        &t,
        &path,
        json!({"status": "keluar", "reason": "pindah kota"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, p) = post(&app, &t, &path, json!({"status": "anggota"})).await;
    assert_eq!(s, 422, "{p}");
    let (_, tl) = app
        .get(&t.token, &format!("/api/v1/members/{id}/timeline"))
        .await;
    let history: Vec<&str> = tl["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["calon_anggota", "anggota", "keluar"]);
    assert!(tl["entries"].as_array().unwrap().len() >= 3);
    let actions = app.audit_actions(&t).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "member.status_changed")
            .count(),
        2
    );
    assert!(actions.contains(&"member.created".to_string()));

    // Edits keep the number, re-check the NIK and record which fields changed.
    let mut edit = siti.clone();
    edit["occupation"] = json!("Guru");
    let (s, m) = app
        .send(
            Method::PUT,
            &t.token,
            &format!("/api/v1/members/{id}"),
            Some(edit),
        )
        .await;
    assert_eq!(
        (
            s.as_u16(),
            m["occupation"].as_str(),
            m["member_no"].as_str()
        ),
        (200, Some("Guru"), Some("KGR-000001"))
    );
    let (_, audit) = app.get(&t.token, "/api/v1/audit?limit=1").await;
    assert_eq!(audit[0]["action"], "member.updated");
    assert_eq!(audit[0]["detail"], "fields=occupation");
    let (_, numbering) = app.get(&t.token, "/api/v1/member-numbering").await;
    assert_eq!(numbering["next_value"], 2);
}

#[tokio::test]
async fn search_finds_by_name_number_phone_and_nik_and_masks_nik_for_agents() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-cari").await;
    for (name, nik, phone) in [
        ("Siti Aminah", "3273055203900001", "081234567890"),
        ("Budi Hartono", "3201010101010002", "081298765432"),
        ("Siti Nurhaliza", "", "081200000003"),
    ] {
        let (s, v) = post(
            &app,
            &t,
            "/api/v1/members",
            json!({"name": name, "nik": nik, "phones": [phone]}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
    }
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, v) = app.get(&t.token, "/api/v1/members?q=siti").await;
    assert_eq!(names(&v), ["Siti Aminah", "Siti Nurhaliza"]);
    let (_, v) = app
        .get(&t.token, "/api/v1/members?q=%2B62%20812-9876-5432")
        .await;
    assert_eq!(names(&v), ["Budi Hartono"]);
    let (_, v) = app
        .get(&t.token, "/api/v1/members?q=3201010101010002")
        .await;
    assert_eq!(names(&v), ["Budi Hartono"]);
    let (_, v) = app.get(&t.token, "/api/v1/members?q=A-000003").await;
    assert_eq!(names(&v), ["Siti Nurhaliza"]);
    let (_, v) = app.get(&t.token, "/api/v1/members?q=100%25").await;
    assert_eq!(
        names(&v),
        Vec::<String>::new(),
        "LIKE wildcards are literal"
    );
    let (s, p) = app.get(&t.token, "/api/v1/members?status=pensiun").await;
    assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some("status")));

    let agent = app.token_for(&t, Role::Agent).await;
    let (_, v) = app.get(&agent, "/api/v1/members?q=budi").await;
    assert_eq!(v[0]["nik"], "3201**********02");
    let (_, v) = app.get(&t.token, "/api/v1/members?q=budi").await;
    assert_eq!(v[0]["nik"], "3201010101010002");
    // An agent may register members but not export them.
    let (s, _) = app.get(&agent, "/api/v1/members/export").await;
    assert_eq!(s, 403);
    let auditor = app.token_for(&t, Role::Auditor).await;
    let (s, _) = post(&app, &t, "/api/v1/members", json!({"name": "X"})).await;
    assert_eq!(s, 201);
    let (s, _) = app
        .send(
            Method::POST,
            &auditor,
            "/api/v1/members",
            Some(json!({"name": "Y"})),
        )
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn identities_resolve_to_one_member_and_ambiguity_goes_to_review() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-id").await;
    let (_, siti) = post(&app, &t, "/api/v1/members", json!({"name": "Siti", "phones": ["081234500001", "(024) 760-1234"], "email": "siti@example.id"})).await;
    let (_, budi) = post(
        &app,
        &t,
        "/api/v1/members",
        json!({"name": "Budi", "phones": ["081234500002", "0247601234"]}),
    )
    .await;

    // WhatsApp's wa_id is the phone: linked at once, verified by the provider.
    let wa = resolve(&app, &t, "whatsapp", "6281234500001").await;
    assert_eq!(wa["member_id"], siti["id"]);
    assert_eq!(wa["created"], true);
    assert_eq!(wa["identity"]["verified"], true);
    let again = resolve(&app, &t, "whatsapp", "6281234500001").await;
    assert_eq!(
        (again["created"].as_bool(), &again["contact_id"]),
        (Some(false), &wa["contact_id"])
    );
    // A call from the same number in another spelling joins the same contact.
    let call = resolve(&app, &t, "phone", "+62 812-3450-0001").await;
    assert_eq!(call["contact_id"], wa["contact_id"]);
    assert_eq!(call["identity"]["verified"], false);
    // An e-mail nobody verified does not link; Telegram knows no phone.
    let mail = resolve(&app, &t, "email", "SITI@example.id").await;
    assert!(mail["member_id"].is_null());
    let tg = resolve(&app, &t, "telegram", "500123").await;
    assert!(tg["member_id"].is_null() && tg["review_id"].is_null());
    // The shared home line matches two members: a person decides.
    let home = resolve(&app, &t, "phone", "0247601234").await;
    assert!(home["member_id"].is_null());
    let review = home["review_id"].as_i64().expect("a review");
    let (_, reviews) = app.get(&t.token, "/api/v1/identity-reviews").await;
    let cands: Vec<i64> = reviews[0]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        cands,
        [siti["id"].as_i64().unwrap(), budi["id"].as_i64().unwrap()]
    );
    assert_eq!(reviews[0]["reason"], "ambiguous");
    let (s, p) = post(
        &app,
        &t,
        &format!("/api/v1/identity-reviews/{review}"),
        json!({"member_id": 999999}),
    )
    .await;
    assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some("member_id")));
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/identity-reviews/{review}"),
        json!({"member_id": budi["id"]}),
    )
    .await;
    assert_eq!(s, 204);
    let (_, ids) = app
        .get(
            &t.token,
            &format!("/api/v1/members/{}/identities", budi["id"]),
        )
        .await;
    assert_eq!(ids[0]["external_id"], "62247601234");
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/identity-reviews/{review}"),
        json!({}),
    )
    .await;
    assert_eq!(s, 409, "settled once");

    // Registering a member links the contacts that were waiting for their phone.
    let stranger = resolve(&app, &t, "whatsapp", "6281299990000").await;
    assert!(stranger["member_id"].is_null());
    let (_, tono) = post(
        &app,
        &t,
        "/api/v1/members",
        json!({"name": "Tono", "phones": ["0812 9999 0000"]}),
    )
    .await;
    let (_, c) = app
        .get(
            &t.token,
            &format!("/api/v1/contacts/{}", stranger["contact_id"]),
        )
        .await;
    assert_eq!(c["member_id"], tono["id"]);

    // Manual link and unlink; linking a contact of another member is refused.
    let (s, c) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{}/link", tg["contact_id"]),
        json!({"member_id": siti["id"]}),
    )
    .await;
    assert_eq!((s.as_u16(), &c["member_id"]), (200, &siti["id"]));
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{}/link", tg["contact_id"]),
        json!({"member_id": budi["id"]}),
    )
    .await;
    assert_eq!(s, 409);
    let (s, c) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{}/unlink", tg["contact_id"]),
        json!({}),
    )
    .await;
    assert_eq!((s.as_u16(), c["member_id"].is_null()), (200, true));
    // An identity that already has a contact cannot be added to another.
    let (s, p) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{}/identities", tg["contact_id"]),
        json!({"kind": "whatsapp", "external_id": "081234500001"}),
    )
    .await;
    assert_eq!(s, 409, "{p}");
    let (s, p) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{}/identities", tg["contact_id"]),
        json!({"kind": "fax", "external_id": "1"}),
    )
    .await;
    assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some("kind")));
    let actions = app.audit_actions(&t).await;
    for a in [
        "review.linked",
        "contact.linked",
        "contact.unlinked",
        "identity.created",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

#[tokio::test]
async fn merge_moves_everything_in_one_step_never_across_members_and_undoes() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-merge").await;
    let (_, siti) = post(
        &app,
        &t,
        "/api/v1/members",
        json!({"name": "Siti", "phones": ["081234500001"], "nik": "3273055203900001"}),
    )
    .await;
    let (_, budi) = post(
        &app,
        &t,
        "/api/v1/members",
        json!({"name": "Budi", "phones": ["081234500002"], "nik": "3201010101010002"}),
    )
    .await;
    let wa = resolve(&app, &t, "whatsapp", "6281234500001").await;
    let budi_wa = resolve(&app, &t, "whatsapp", "6281234500002").await;
    let ig = resolve(&app, &t, "instagram", "1784140001").await;
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{}/identities", ig["contact_id"]),
        json!({"kind": "telegram", "external_id": "42"}),
    )
    .await;
    assert_eq!(s, 201);

    let survivor = wa["contact_id"].as_i64().unwrap();
    let other = ig["contact_id"].as_i64().unwrap();
    let (s, plan) = app
        .get(
            &t.token,
            &format!("/api/v1/contacts/{survivor}/merge?other_contact_id={other}"),
        )
        .await;
    assert_eq!(s, 200, "{plan}");
    assert_eq!(
        plan["moves"],
        json!([
            {"table": "channel_identities", "rows": 2},
            {"table": "conversations", "rows": 0},
            {"table": "messages", "rows": 0}
        ])
    );
    assert_eq!(plan["member_after"], siti["id"]);

    // Two different members (two NIKs) are never merged, and nothing moves.
    let (s, p) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{survivor}/merge"),
        json!({"other_contact_id": budi_wa["contact_id"]}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("two different members"),
        "{p}"
    );
    let (_, b) = app
        .get(
            &t.token,
            &format!("/api/v1/contacts/{}", budi_wa["contact_id"]),
        )
        .await;
    assert_eq!(
        (b["member_id"].as_i64(), b["merged_into"].is_null()),
        (budi["id"].as_i64(), true)
    );
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{survivor}/merge"),
        json!({"other_contact_id": survivor}),
    )
    .await;
    assert_eq!(s, 422);

    let (s, merge) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{survivor}/merge"),
        json!({"other_contact_id": other}),
    )
    .await;
    assert_eq!(s, 201, "{merge}");
    let (_, c) = app
        .get(&t.token, &format!("/api/v1/contacts/{survivor}"))
        .await;
    let kinds: Vec<&str> = c["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["whatsapp", "instagram", "telegram"]);
    let (_, gone) = app
        .get(&t.token, &format!("/api/v1/contacts/{other}"))
        .await;
    assert_eq!(gone["merged_into"], survivor);
    assert_eq!(gone["identities"], json!([]));
    // A merged contact takes no more identities or merges.
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{other}/identities"),
        json!({"kind": "line", "external_id": "U9"}),
    )
    .await;
    assert_eq!(s, 422);
    // New traffic on a moved identity finds the survivor.
    let again = resolve(&app, &t, "instagram", "1784140001").await;
    assert_eq!(
        (again["contact_id"].as_i64(), &again["member_id"]),
        (Some(survivor), &siti["id"])
    );

    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/merges/{}/undo", merge["id"]),
        json!({}),
    )
    .await;
    assert_eq!(s, 204);
    let (_, back) = app
        .get(&t.token, &format!("/api/v1/contacts/{other}"))
        .await;
    assert!(back["merged_into"].is_null());
    assert_eq!(back["identities"].as_array().unwrap().len(), 2);
    assert!(back["member_id"].is_null());
    let (_, c) = app
        .get(&t.token, &format!("/api/v1/contacts/{survivor}"))
        .await;
    assert_eq!(c["identities"].as_array().unwrap().len(), 1);
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/merges/{}/undo", merge["id"]),
        json!({}),
    )
    .await;
    assert_eq!(s, 409, "undone once");
    let actions = app.audit_actions(&t).await;
    assert!(
        actions.contains(&"contact.merged".to_string())
            && actions.contains(&"contact.merge_undone".to_string())
    );
}

#[tokio::test]
async fn a_one_time_code_proves_an_identity_once_expires_and_is_throttled() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-kode").await;
    let telegram = app.channel(&t, "telegram").await;
    app.member_writes(telegram, "500123", "Dewi L", "Halo, saya anggota")
        .await;
    app.eventually("the message is processed", || {
        let app = &app;
        let t = &t;
        async move { !app.get(&t.token, "/api/v1/contacts").await.1[0].is_null() }
    })
    .await;
    let (_, v) = app.get(&t.token, "/api/v1/contacts").await;
    let tg = v[0].clone();
    let contact = tg["id"].as_i64().unwrap();
    let id = tg["identities"][0]["id"].as_i64().unwrap();
    assert_eq!(tg["identities"][0]["verified"], false);
    let send = format!("/api/v1/identities/{id}/verification");
    let confirm = format!("/api/v1/identities/{id}/verification/confirm");

    let (s, p) = post(&app, &t, &confirm, json!({"code": "123456"})).await;
    assert_eq!(
        (s.as_u16(), p["field"].as_str()),
        (422, Some("code")),
        "no code sent yet"
    );
    let (s, _) = post(&app, &t, &send, json!({})).await;
    assert_eq!(s, 202);
    // The code reached the member through the Telegram Bot API; staff do not see it.
    let code = app.code_sent_to("500123", 1).await;
    let (_, conv) = app.get(&t.token, "/api/v1/conversations").await;
    let (_, detail) = app
        .get(
            &t.token,
            &format!("/api/v1/conversations/{}", conv[0]["id"]),
        )
        .await;
    let shown = detail["messages"].to_string();
    assert!(
        !shown.contains(&code) && shown.contains("Kode verifikasi dikirim"),
        "{shown}"
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (s, p) = post(&app, &t, &confirm, json!({"code": wrong})).await;
    assert_eq!(s, 422);
    assert!(p["detail"].as_str().unwrap().contains("wrong"), "{p}");
    let (s, _) = post(&app, &t, &confirm, json!({"code": code})).await;
    assert_eq!(s, 204);
    let (_, c) = app
        .get(&t.token, &format!("/api/v1/contacts/{contact}"))
        .await;
    assert_eq!(c["identities"][0]["verified"], true);
    let (s, p) = post(&app, &t, &confirm, json!({"code": code})).await;
    assert_eq!(s, 422, "a code works once: {p}");

    // Expired codes are refused; too many wrong guesses close a code.
    let (s, _) = post(&app, &t, &send, json!({})).await;
    assert_eq!(s, 202);
    let code = app.code_sent_to("500123", 2).await;
    expire_codes(&app, id).await;
    let (s, p) = post(&app, &t, &confirm, json!({"code": code})).await;
    assert!(
        s == 422 && p["detail"].as_str().unwrap().contains("expired"),
        "{p}"
    );
    let (s, _) = post(&app, &t, &send, json!({})).await;
    assert_eq!(s, 202);
    let code = app.code_sent_to("500123", 3).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        post(&app, &t, &confirm, json!({"code": wrong})).await;
    }
    let (s, p) = post(&app, &t, &confirm, json!({"code": code})).await;
    assert!(
        s == 422 && p["detail"].as_str().unwrap().contains("too many"),
        "{p}"
    );
    // Three codes an hour per identity.
    let (s, p) = post(&app, &t, &send, json!({})).await;
    assert_eq!(s, 429, "{p}");
    let actions = app.audit_actions(&t).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "identity.code_sent")
            .count(),
        3
    );
    assert!(actions.contains(&"identity.verified".to_string()));
    assert!(actions.contains(&"identity.code_failed".to_string()));

    // An identity whose kind has no connected channel cannot be sent a code.
    post(
        &app,
        &t,
        "/api/v1/members",
        json!({"name": "Siti", "email": "siti@example.id"}),
    )
    .await;
    let mail = resolve(&app, &t, "email", "siti@example.id").await;
    let path = format!("/api/v1/identities/{}/verification", mail["identity"]["id"]);
    let (s, p) = post(&app, &t, &path, json!({})).await;
    assert_eq!(s, 422);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("no active email channel"),
        "{p}"
    );
}

async fn expire_codes(app: &TestApp, identity: i64) {
    let mut conn = app.db.conn().await.unwrap();
    guyub_store::contacts::expire_open_codes(&mut conn, IdentityId(identity))
        .await
        .unwrap();
}

#[tokio::test]
async fn import_over_the_api_reports_every_bad_row_as_a_problem() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-impor").await;
    let csv = "name;nik;phones\nAni;3273055203900001;0812 1111 2222\nBad;123;\nCici;;0812-3333-4444|0812-5555-6666\n";
    let send = |q: &'static str| {
        app.client
            .post(app.url(&format!("/api/v1/members/import{q}")))
            .bearer_auth(&t.token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
    };
    let (s, p) = crate::support::split(send("").await.unwrap()).await;
    assert_eq!(s, 422);
    assert_eq!(
        p["errors"],
        json!([{"line": 3, "field": "nik", "message": "NIK must be exactly 16 digits"}])
    );
    let (s, r) = crate::support::split(send("?dry_run=true").await.unwrap()).await;
    assert_eq!(
        (s.as_u16(), r["valid"].as_u64(), r["imported"].as_u64()),
        (200, Some(2), Some(0))
    );
    let (_, list) = app.get(&t.token, "/api/v1/members").await;
    assert_eq!(list, json!([]));
    let (s, r) = crate::support::split(send("?skip_bad=true").await.unwrap()).await;
    assert_eq!((s.as_u16(), r["imported"].as_u64()), (200, Some(2)));
    let (_, list) = app.get(&t.token, "/api/v1/members?q=cici").await;
    assert_eq!(
        list[0]["phones"],
        json!(["+6281233334444", "+6281255556666"])
    );
    let res = app
        .client
        .get(app.url("/api/v1/members/export"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let body = res.text().await.unwrap();
    assert_eq!(body.lines().count(), 3);
    assert!(
        app.audit_actions(&t)
            .await
            .contains(&"members.exported".to_string())
    );
}
