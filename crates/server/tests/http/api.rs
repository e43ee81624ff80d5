use crate::support::{PASSWORD, TestApp};
use guyub_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn health_readiness_metrics_and_openapi() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);

    let (status, doc) = app.get("", "/api/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/audit",
        "/api/v1/audit/{id}",
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/members/{id}/status",
        "/api/v1/members/{id}/timeline",
        "/api/v1/members/{id}/identities",
        "/api/v1/members/import",
        "/api/v1/members/export",
        "/api/v1/member-numbering",
        "/api/v1/contacts",
        "/api/v1/contacts/{id}",
        "/api/v1/contacts/{id}/identities",
        "/api/v1/contacts/{id}/link",
        "/api/v1/contacts/{id}/unlink",
        "/api/v1/contacts/{id}/merge",
        "/api/v1/merges/{id}/undo",
        "/api/v1/identities/resolve",
        "/api/v1/identities/{id}/verification",
        "/api/v1/identities/{id}/verification/confirm",
        "/api/v1/identity-reviews",
        "/api/v1/identity-reviews/{id}",
        "/api/v1/cooperative",
    ] {
        assert!(paths.contains_key(p), "{p} missing from OpenAPI");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/readyz\""), "{text}");
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("db_pool_connections"), "{text}");
}

#[tokio::test]
async fn tokens_authenticate_and_revocation_is_immediate() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-a").await;

    let (s, p) = app.get("", "/api/v1/me").await;
    assert_eq!(s, 401);
    assert_eq!(p["status"], 401);
    let (s, _) = app.get("gyb_not-a-real-token", "/api/v1/me").await;
    assert_eq!(s, 401);
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let (s, me) = app.get(&t.token, "/api/v1/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["role"], "owner");
    assert_eq!(me["cooperative_id"], t.coop.id.0);

    let (s, created) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/tokens",
            Some(json!({"name": "akuntansi", "role": "auditor"})),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("gyb_"));
    let (s, me) = app.get(&secret, "/api/v1/me").await;
    assert_eq!((s, me["role"].as_str()), (StatusCode::OK, Some("auditor")));

    // Secrets are never listed.
    let (_, list) = app.get(&t.token, "/api/v1/tokens").await;
    assert!(!list.to_string().contains(&secret));

    let id = created["id"].as_i64().unwrap();
    let (s, revoked) = app
        .send(
            Method::DELETE,
            &t.token,
            &format!("/api/v1/tokens/{id}"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(revoked["revoked_at_ms"].is_i64());
    let (s, _) = app.get(&secret, "/api/v1/me").await;
    assert_eq!(s, 401);

    let actions = app.audit_actions(&t).await;
    assert!(
        actions.contains(&"token.created".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"token.revoked".to_string()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn roles_are_enforced_end_to_end() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-roles").await;
    let agent = app.token_for(&t, Role::Agent).await;
    let auditor = app.token_for(&t, Role::Auditor).await;
    let admin = app.token_for(&t, Role::Admin).await;

    assert_eq!(app.get(&agent, "/api/v1/users").await.0, 403);
    assert_eq!(app.get(&agent, "/api/v1/audit").await.0, 403);
    assert_eq!(app.get(&agent, "/api/v1/members").await.0, 200);
    let body = json!({"name": "x", "role": "agent"});
    assert_eq!(
        app.send(Method::POST, &agent, "/api/v1/tokens", Some(body.clone()))
            .await
            .0,
        403
    );
    assert_eq!(app.get(&auditor, "/api/v1/audit").await.0, 200);
    let user = json!({"email": "a@b.id", "name": "A", "role": "agent", "password": PASSWORD});
    assert_eq!(
        app.send(Method::POST, &auditor, "/api/v1/users", Some(user.clone()))
            .await
            .0,
        403
    );
    // An admin manages staff but cannot mint owners.
    assert_eq!(
        app.send(Method::POST, &admin, "/api/v1/users", Some(user))
            .await
            .0,
        201
    );
    let owner = json!({"email": "o@b.id", "name": "O", "role": "owner", "password": PASSWORD});
    assert_eq!(
        app.send(Method::POST, &admin, "/api/v1/users", Some(owner.clone()))
            .await
            .0,
        403
    );
    assert_eq!(
        app.send(Method::POST, &t.token, "/api/v1/users", Some(owner))
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn users_lifecycle_and_guards() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-users").await;
    let user =
        json!({"email": "Kasir@Kop.ID", "name": "Joko", "role": "teller", "password": PASSWORD});
    let (s, u) = app
        .send(Method::POST, &t.token, "/api/v1/users", Some(user.clone()))
        .await;
    assert_eq!(s, 201, "{u}");
    assert_eq!(u["email"], "kasir@kop.id");
    let id = u["id"].as_i64().unwrap();

    let (s, p) = app
        .send(Method::POST, &t.token, "/api/v1/users", Some(user))
        .await;
    assert_eq!(s, 409, "{p}");

    let (s, u) = app
        .send(
            Method::PATCH,
            &t.token,
            &format!("/api/v1/users/{id}"),
            Some(json!({"role": "supervisor"})),
        )
        .await;
    assert_eq!(
        (s, u["role"].as_str()),
        (StatusCode::OK, Some("supervisor"))
    );
    let (s, u) = app
        .send(
            Method::PATCH,
            &t.token,
            &format!("/api/v1/users/{id}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!((s, u["active"].as_bool()), (StatusCode::OK, Some(false)));

    // The last owner can be neither demoted nor deactivated.
    let (_, all) = app.get(&t.token, "/api/v1/users").await;
    let owner_id = all
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "owner")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, p) = app
        .send(
            Method::PATCH,
            &t.token,
            &format!("/api/v1/users/{owner_id}"),
            Some(json!({"role": "agent"})),
        )
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role"))
    );
    let (s, _) = app
        .send(
            Method::PATCH,
            &t.token,
            &format!("/api/v1/users/{owner_id}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(s, 422);

    let actions = app.audit_actions(&t).await;
    for a in ["user.created", "user.role_changed", "user.deactivated"] {
        assert!(actions.contains(&a.to_string()), "{a} not in {actions:?}");
    }
}

#[tokio::test]
async fn bad_input_gets_problem_json() {
    let app = TestApp::spawn_with(&[("GUYUB_MAX_BODY_BYTES", "4096")]).await;
    let t = app.tenant("kop-bad").await;
    let post = |body: &'static str, ctype: &'static str| {
        app.client
            .post(app.url("/api/v1/users"))
            .bearer_auth(&t.token)
            .header("content-type", ctype)
            .body(body)
    };
    let (s, p) =
        crate::support::split(post("{not json", "application/json").send().await.unwrap()).await;
    assert_eq!(s, 400, "{p}");
    let (s, p) = crate::support::split(post("{}", "text/plain").send().await.unwrap()).await;
    assert_eq!(s, 415, "{p}");
    let (s, p) = crate::support::split(
        post("{\"email\": 1}", "application/json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    let big = "x".repeat(10_000);
    let res = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(&t.token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (s, _) = crate::support::split(res).await;
    assert_eq!(s, 413);

    let (s, p) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/users",
            Some(json!({"email": "x@y.id", "name": "X", "role": "raja", "password": PASSWORD})),
        )
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role"))
    );
    let (s, p) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/users",
            Some(json!({"email": "x@y.id", "name": "X", "role": "agent", "password": "short"})),
        )
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password"))
    );
    let (s, p) = app.send(Method::POST, &t.token, "/api/v1/users", Some(json!({"email": "not-an-email", "name": "X", "role": "agent", "password": PASSWORD}))).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );

    let (s, _) = app.get(&t.token, "/api/v1/nothing-here").await;
    assert_eq!(s, 404);
    let (s, p) = app
        .send(Method::PUT, &t.token, "/api/v1/members", None)
        .await;
    assert_eq!(s, 405, "{p}");
    let (s, _) = app.get(&t.token, "/api/v1/users/not-a-number").await;
    assert_eq!(s, 400);
    let (s, _) = app.get(&t.token, "/api/v1/users/99999999").await;
    assert_eq!(s, 404);

    // Nothing half-written: the refused requests created no user.
    let (_, users) = app.get(&t.token, "/api/v1/users").await;
    assert_eq!(users.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn audit_chain_verifies_and_detects_tampering() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-audit").await;
    for i in 0..3 {
        app.send(
            Method::POST,
            &t.token,
            "/api/v1/tokens",
            Some(json!({"name": format!("t{i}"), "role": "auditor"})),
        )
        .await;
    }
    let report = guyub_store::audit::verify(&mut app.db.conn().await.unwrap())
        .await
        .unwrap();
    assert!(report.broken.is_none(), "{report:?}");
    assert!(report.entries >= 6, "{report:?}");

    let (_, entries) = app
        .get(&t.token, "/api/v1/audit?action=token.created")
        .await;
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 4);
    let victim = &entries[2];
    sqlx::query("UPDATE audit_log SET detail = 'role=owner' WHERE id = $1")
        .bind(victim["id"].as_i64().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();
    let report = guyub_store::audit::verify(&mut app.db.conn().await.unwrap())
        .await
        .unwrap();
    let (chain, seq, id, _) = report.broken.expect("tampering detected");
    assert_eq!(chain, t.coop.id.0);
    assert_eq!(seq, victim["seq"].as_i64().unwrap());
    assert_eq!(id.map(|i| i.0), victim["id"].as_i64());
}
