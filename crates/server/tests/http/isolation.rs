//! No row of one cooperative is visible to a user of another: every resource of
//! cooperative B answers 404 to cooperative A, whatever the method.

use crate::support::{PASSWORD, TestApp};
use guyub_domain::Role;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_resource_of_another_cooperative_is_404() {
    let app = TestApp::spawn().await;
    let a = app.tenant("kop-a").await;
    let b = app.tenant("kop-b").await;

    // Give B one of everything.
    let (_, user) = app
        .send(
            Method::POST,
            &b.token,
            "/api/v1/users",
            Some(
                json!({"email": "cs@b.id", "name": "CS B", "role": "agent", "password": PASSWORD}),
            ),
        )
        .await;
    let (_, token) = app
        .send(
            Method::POST,
            &b.token,
            "/api/v1/tokens",
            Some(json!({"name": "b", "role": "agent"})),
        )
        .await;
    let (st, member) = app
        .send(
            Method::POST,
            &b.token,
            "/api/v1/members",
            Some(json!({"name": "Anggota B", "phones": ["081200000001", "081200000009"]})),
        )
        .await;
    assert_eq!(st, 201, "{member}");
    let member_id = member["id"].as_i64().unwrap();
    // Two members sharing a phone make a review; identities make contacts; one merge.
    app.send(
        Method::POST,
        &b.token,
        "/api/v1/members",
        Some(json!({"name": "Anggota B2", "phones": ["081200000009"]})),
    )
    .await;
    let resolve = |ext: &'static str, kind: &'static str| {
        app.send(
            Method::POST,
            &b.token,
            "/api/v1/identities/resolve",
            Some(json!({"kind": kind, "external_id": ext})),
        )
    };
    let (_, wa) = resolve("6281200000001", "whatsapp").await;
    let (_, tg) = resolve("777", "telegram").await;
    let (_, shared) = resolve("081200000009", "phone").await;
    let review_id = shared["review_id"]
        .as_i64()
        .expect("ambiguous phone opens a review");
    let (_, ig) = resolve("ig-1", "instagram").await;
    let (st, merge) = app
        .send(
            Method::POST,
            &b.token,
            &format!("/api/v1/contacts/{}/merge", tg["contact_id"]),
            Some(json!({"other_contact_id": ig["contact_id"]})),
        )
        .await;
    assert_eq!(st, 201, "{merge}");
    let contact_id = wa["contact_id"].as_i64().unwrap();
    let identity_id = wa["identity"]["id"].as_i64().unwrap();
    let (_, a_contact) = app
        .send(
            Method::POST,
            &a.token,
            "/api/v1/identities/resolve",
            Some(json!({"kind": "telegram", "external_id": "888"})),
        )
        .await;
    let (_, audit) = app.get(&b.token, "/api/v1/audit").await;
    let audit_id = audit[0]["id"].as_i64().unwrap();

    let b_resources = [
        format!("/api/v1/users/{}", user["id"]),
        format!("/api/v1/tokens/{}", token["id"]),
        format!("/api/v1/members/{member_id}"),
        format!("/api/v1/members/{member_id}/timeline"),
        format!("/api/v1/members/{member_id}/identities"),
        format!("/api/v1/contacts/{contact_id}"),
        format!(
            "/api/v1/contacts/{}/merge?other_contact_id={}",
            tg["contact_id"], wa["contact_id"]
        ),
        format!("/api/v1/audit/{audit_id}"),
    ];
    for path in &b_resources {
        assert_eq!(
            app.get(&b.token, path).await.0,
            200,
            "B cannot read its own {path}"
        );
        let (s, p) = app.get(&a.token, path).await;
        assert_eq!(s, 404, "A reads B's {path}: {p}");
    }
    let (s, _) = app
        .send(
            Method::PATCH,
            &a.token,
            &b_resources[0],
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .send(Method::DELETE, &a.token, &b_resources[1], None)
        .await;
    assert_eq!(s, 404);
    // Every change on B's identity resources is 404 from A, and changes nothing.
    let changes = [
        (
            Method::PUT,
            format!("/api/v1/members/{member_id}"),
            json!({"name": "Dirusak"}),
        ),
        (
            Method::POST,
            format!("/api/v1/members/{member_id}/status"),
            json!({"status": "keluar", "reason": "x"}),
        ),
        (
            Method::POST,
            format!("/api/v1/contacts/{contact_id}/unlink"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/contacts/{contact_id}/identities"),
            json!({"kind": "line", "external_id": "U1"}),
        ),
        (
            Method::POST,
            format!("/api/v1/contacts/{contact_id}/merge"),
            json!({"other_contact_id": tg["contact_id"]}),
        ),
        (
            Method::POST,
            format!("/api/v1/contacts/{}/link", a_contact["contact_id"]),
            json!({"member_id": member_id}),
        ),
        (
            Method::POST,
            format!("/api/v1/identities/{identity_id}/verification"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/identities/{identity_id}/verification/confirm"),
            json!({"code": "000000"}),
        ),
        (
            Method::POST,
            format!("/api/v1/identity-reviews/{review_id}"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/merges/{}/undo", merge["id"]),
            json!({}),
        ),
    ];
    for (method, path, body) in changes {
        let (s, p) = app.send(method.clone(), &a.token, &path, Some(body)).await;
        assert_eq!(s, 404, "A changes B's {method} {path}: {p}");
    }
    let (_, m) = app
        .get(&b.token, &format!("/api/v1/members/{member_id}"))
        .await;
    assert_eq!(m["name"], "Anggota B");
    assert_eq!(m["status"], "calon_anggota");
    let (_, c) = app
        .get(&b.token, &format!("/api/v1/contacts/{contact_id}"))
        .await;
    assert_eq!(c["member_id"], member_id);
    assert_eq!(c["identities"].as_array().unwrap().len(), 1);
    let (_, reviews) = app.get(&b.token, "/api/v1/identity-reviews").await;
    assert_eq!(reviews.as_array().unwrap().len(), 1);
    let (_, still) = app.get(&b.token, &b_resources[1]).await;
    assert!(still["revoked_at_ms"].is_null(), "A revoked B's token");

    // Lists of A never contain B's rows.
    for list in [
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/members",
        "/api/v1/contacts",
        "/api/v1/identity-reviews",
        "/api/v1/audit",
    ] {
        let (_, v) = app.get(&a.token, list).await;
        let text = v.to_string();
        assert!(
            !text.contains("cs@b.id") && !text.contains("Anggota B") && !text.contains("kop-b"),
            "{list} leaks B: {text}"
        );
    }
    let (_, coop) = app.get(&a.token, "/api/v1/cooperative").await;
    assert_eq!(coop["slug"], "kop-a");

    // The UI behaves the same: B's user cannot be changed from A's session.
    let session = app.login("kop-a", &a.owner_email, PASSWORD).await.unwrap();
    let (_, _, html) = app.page(&session, "/users").await;
    assert!(!html.contains("cs@b.id"));
    let csrf = crate::support::hidden_csrf(&html);
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("/users/{}/role", user["id"]),
            &[("_csrf", &csrf), ("role", "admin")],
        )
        .await;
    assert_eq!(s, 404);
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("/tokens/{}/revoke", token["id"]),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(s, 404);
    let agent_b = app.token_for(&b, Role::Agent).await;
    assert_eq!(app.get(&agent_b, "/api/v1/me").await.0, 200);
}
