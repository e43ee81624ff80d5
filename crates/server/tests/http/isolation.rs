//! No row of one cooperative is visible to a user of another: every resource of
//! cooperative B answers 404 to cooperative A, whatever the method.

use crate::support::{PASSWORD, TestApp};
use guyub_domain::Role;
use guyub_store::members::{self, NewMember};
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
    let member = members::create(
        &mut app.db.conn().await.unwrap(),
        b.coop.id,
        NewMember {
            member_no: "B-1",
            name: "Anggota B",
            phone: None,
            status: "anggota",
            joined_at: None,
        },
    )
    .await
    .unwrap();
    let (_, audit) = app.get(&b.token, "/api/v1/audit").await;
    let audit_id = audit[0]["id"].as_i64().unwrap();

    let b_resources = [
        format!("/api/v1/users/{}", user["id"]),
        format!("/api/v1/tokens/{}", token["id"]),
        format!("/api/v1/members/{}", member.id),
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
    let (_, still) = app.get(&b.token, &b_resources[1]).await;
    assert!(still["revoked_at_ms"].is_null(), "A revoked B's token");

    // Lists of A never contain B's rows.
    for list in [
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/members",
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
