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

/// The ledger, reports and SHU of cooperative B: no entry, account or slip of B is
/// found from A, no change reaches B, and A's reports and exports hold none of B's money.
#[tokio::test]
async fn ledger_reports_and_shu_of_another_cooperative_are_404() {
    let app = TestApp::spawn().await;
    let a = app.tenant("kop-a").await;
    let b = app.tenant("kop-b").await;
    let (_, member) = app
        .send(
            Method::POST,
            &b.token,
            "/api/v1/members",
            Some(json!({"name": "Anggota B", "phones": ["081200000001"], "status": "anggota"})),
        )
        .await;
    let member_id = member["id"].as_i64().unwrap();
    crate::ledger::post_for(
        &app,
        &b,
        "2025-01-05",
        &[("1-1100", 777_000, 0), ("3-1100", 0, 777_000)],
        Some(member_id),
    )
    .await;
    crate::ledger::post_for(
        &app,
        &b,
        "2025-03-05",
        &[("1-1100", 55_000, 0), ("4-1100", 0, 55_000)],
        Some(member_id),
    )
    .await;
    let (_, entries) = app
        .get(&b.token, "/api/v1/journal?from=2025-01-01&to=2025-12-31")
        .await;
    let entry_id = entries[0]["id"].as_i64().unwrap();
    let (_, accounts) = app.get(&b.token, "/api/v1/accounts").await;
    let b_account = accounts[0]["id"].as_i64().unwrap();
    // A has a chart of its own (other ids) once it looks.
    let (_, a_accounts) = app.get(&a.token, "/api/v1/accounts").await;
    assert!(
        a_accounts
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != b_account)
    );

    for path in [
        format!("/api/v1/journal/{entry_id}"),
        format!("/api/v1/shu/2025/members/{member_id}"),
    ] {
        assert_eq!(
            app.get(&b.token, &path).await.0,
            200,
            "B reads its own {path}"
        );
        let (s, p) = app.get(&a.token, &path).await;
        assert_eq!(s, 404, "A reads B's {path}: {p}");
    }
    let changes = [
        (
            Method::PATCH,
            format!("/api/v1/accounts/{b_account}"),
            json!({"name_id": "Dirusak"}),
        ),
        (
            Method::POST,
            format!("/api/v1/journal/{entry_id}/reverse"),
            json!({"reason": "curi"}),
        ),
    ];
    for (method, path, body) in changes {
        let (s, p) = app.send(method.clone(), &a.token, &path, Some(body)).await;
        assert_eq!(s, 404, "A changes B's {method} {path}: {p}");
    }
    let (_, still) = app
        .get(&b.token, &format!("/api/v1/journal/{entry_id}"))
        .await;
    assert!(still["reversed_by"].is_null());
    let (_, b_chart) = app.get(&b.token, "/api/v1/accounts").await;
    assert_ne!(b_chart[0]["name_id"], "Dirusak");

    // A's lists, reports, exports and SHU hold nothing of B's.
    for path in [
        "/api/v1/journal?from=2025-01-01&to=2025-12-31",
        "/api/v1/reports/trial-balance?as_of=2025-12-31",
        "/api/v1/reports/balance-sheet?as_of=2025-12-31",
        "/api/v1/reports/income-statement?from=2025-01-01&to=2025-12-31",
        "/api/v1/reports/cash-book?from=2025-01-01&to=2025-12-31",
        "/api/v1/reports/account-card?account=3-1100&from=2025-01-01&to=2025-12-31",
        "/api/v1/shu/2025/allocation",
    ] {
        let (s, v) = app.get(&a.token, path).await;
        assert_eq!(s, 200, "{path}: {v}");
        let text = v.to_string();
        assert!(
            !text.contains("777000") && !text.contains("55000") && !text.contains("Anggota B"),
            "{path} leaks B: {text}"
        );
    }
    let (s, p) = app.get(&a.token, "/api/v1/shu/2025/preview").await;
    assert_eq!(s, 422, "A has no surplus of its own: {p}");
    for path in [
        "/api/v1/journal/export.csv",
        "/api/v1/journal/export.beancount",
    ] {
        let body = app
            .client
            .get(app.url(path))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !body.contains("777000") && !body.contains("55000"),
            "{path} leaks B: {body}"
        );
    }
    // Posting A's SHU posts nothing of B's; B's own preview still sees its member.
    let (s, _) = app
        .send(Method::POST, &a.token, "/api/v1/shu/2025", None)
        .await;
    assert_eq!(s, 422);
    let (_, bv) = app.get(&b.token, "/api/v1/shu/2025/preview").await;
    assert_eq!(bv["members"][0]["member_id"], member_id);

    // The pages too.
    let session = app.login("kop-a", &a.owner_email, PASSWORD).await.unwrap();
    assert_eq!(
        app.page(&session, &format!("/ledger/journal/{entry_id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        app.page(&session, &format!("/ledger/accounts/{b_account}"))
            .await
            .0,
        404
    );
    assert_eq!(
        app.page(&session, &format!("/shu/2025/members/{member_id}"))
            .await
            .0,
        404
    );
    let (_, _, html) = app
        .page(&session, "/ledger/journal?from=2025-01-01&to=2025-12-31")
        .await;
    let csrf = crate::support::hidden_csrf(&html);
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("/ledger/journal/{entry_id}/reverse"),
            &[("_csrf", &csrf), ("reason", "curi")],
        )
        .await;
    assert_eq!(s, 404);
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("/ledger/accounts/{b_account}"),
            &[("_csrf", &csrf), ("name_id", "Dirusak"), ("active", "1")],
        )
        .await;
    assert_eq!(s, 404);
    let (_, _, report) = app
        .page(&session, "/reports/balance-sheet?as_of=2025-12-31")
        .await;
    assert!(!report.contains("777.000"));
}
