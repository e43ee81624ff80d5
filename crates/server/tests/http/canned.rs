//! Canned replies over HTTP: the JSON API (create, read, update, delete, render; every
//! refusal as problem JSON; roles; another cooperative's reply is not found) and the
//! `/settings/canned` page with its preview.

use crate::support::{PASSWORD, Tenant, TestApp, hidden_csrf};
use guyub_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn create(app: &TestApp, t: &Tenant, shortcut: &str, body: &str) -> (StatusCode, Value) {
    app.send(
        Method::POST,
        &t.token,
        "/api/v1/canned-replies",
        Some(json!({"shortcut": shortcut, "title": "Judul", "body": body})),
    )
    .await
}

fn refused(s: StatusCode, v: &Value, says: &str) {
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["field"], "body", "{v}");
    assert!(v["detail"].as_str().unwrap().contains(says), "{v}");
}

#[tokio::test]
async fn canned_replies_are_written_and_rendered_through_the_api() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-http-canned").await;
    let (s, r) = create(
        &app,
        &t,
        "salam",
        "Halo {{ nama }}!{% if no_anggota %} ({{ no_anggota }}){% endif %}\nSalam, {{ agen }} dari {{ koperasi }} via {{ kanal }}",
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["shortcut"], "/salam");
    let id = r["id"].as_i64().unwrap();
    let path = format!("/api/v1/canned-replies/{id}");

    let (s, v) = app
        .send(
            Method::POST,
            &t.token,
            &format!("{path}/render"),
            Some(json!({"nama": "Siti", "no_anggota": "A-1", "agen": "Dewi", "koperasi": "KSP Maju", "kanal": "whatsapp"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["text"],
        "Halo Siti! (A-1)\nSalam, Dewi dari KSP Maju via whatsapp"
    );
    // Values left out are empty.
    let (_, v) = app
        .send(
            Method::POST,
            &t.token,
            &format!("{path}/render"),
            Some(json!({"nama": "Budi"})),
        )
        .await;
    assert_eq!(v["text"], "Halo Budi!\nSalam,  dari  via ");

    let agent = app.token_for(&t, Role::Agent).await;
    let (s, list) = app.get(&agent, "/api/v1/canned-replies").await;
    assert_eq!((s.as_u16(), list.as_array().map(Vec::len)), (200, Some(1)));
    assert_eq!(app.get(&agent, &path).await.1["title"], "Judul");
    let (s, _) = app
        .send(
            Method::POST,
            &agent,
            &format!("{path}/render"),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 200);
    for (method, p) in [
        (Method::POST, "/api/v1/canned-replies".to_string()),
        (Method::PUT, path.clone()),
        (Method::DELETE, path.clone()),
    ] {
        let (s, v) = app
            .send(
                method,
                &agent,
                &p,
                Some(json!({"shortcut": "/x", "title": "x", "body": "x"})),
            )
            .await;
        assert_eq!(s, 403, "{v}");
    }
    let teller = app.token_for(&t, Role::Teller).await;
    assert_eq!(app.get(&teller, "/api/v1/canned-replies").await.0, 403);

    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            &path,
            Some(json!({"shortcut": "/salam-pagi", "title": "Pagi", "body": "Selamat pagi, {{ nama|title }}"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (_, v) = app
        .send(
            Method::POST,
            &t.token,
            &format!("{path}/render"),
            Some(json!({"nama": "siti aminah"})),
        )
        .await;
    assert_eq!(v["text"], "Selamat pagi, Siti Aminah");

    let (s, v) = app.send(Method::DELETE, &t.token, &path, None).await;
    assert_eq!(
        (s.as_u16(), v["shortcut"].as_str()),
        (200, Some("/salam-pagi"))
    );
    assert_eq!(app.get(&t.token, &path).await.0, 404);
    let actions = app.audit_actions(&t).await;
    for a in ["canned.created", "canned.updated", "canned.deleted"] {
        assert!(actions.contains(&a.to_string()), "{a} not in {actions:?}");
    }

    let (_, doc) = app.get("", "/api/openapi.json").await;
    for (p, method) in [
        ("/api/v1/canned-replies", "get"),
        ("/api/v1/canned-replies", "post"),
        ("/api/v1/canned-replies/{id}", "get"),
        ("/api/v1/canned-replies/{id}", "put"),
        ("/api/v1/canned-replies/{id}", "delete"),
        ("/api/v1/canned-replies/{id}/render", "post"),
    ] {
        assert_eq!(doc["paths"][p][method]["tags"][0], "inbox", "{method} {p}");
    }
}

#[tokio::test]
async fn bad_canned_replies_are_problem_documents() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-http-canned-bad").await;
    let other = app.tenant("kop-http-canned-lain").await;
    let (s, v) = create(&app, &t, "/salam", "Halo\n{{ nama }}, saldo {{ saldo }}").await;
    refused(s, &v, "line 2: unknown variable 'saldo'");
    let (s, v) = create(&app, &t, "/salam", "Halo {{ nama }\n").await;
    refused(s, &v, "line 1: syntax error");
    let (s, v) = create(
        &app,
        &t,
        "/salam",
        "{% for i in range(90000) %}{% for j in range(90000) %}{% endfor %}{% endfor %}",
    )
    .await;
    refused(s, &v, "too much work");
    let (s, v) = create(&app, &t, "/salam", "{{ 'ha' * 3000 }}").await;
    refused(s, &v, "longer than 4096");
    let (s, v) = create(&app, &t, "/salam", "{% include 'rahasia.txt' %}").await;
    refused(s, &v, "line 1:");
    let (s, v) = create(&app, &t, "salam pagi", "Halo").await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("shortcut")),
        "{v}"
    );
    let (s, v) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/canned-replies",
            Some(json!({"shortcut": "/x"})),
        )
        .await;
    assert_eq!(s, 422, "{v}");

    let (s, mine) = create(&app, &t, "/salam", "Halo {{ nama }}").await;
    assert_eq!(s, 201);
    let (s, v) = create(&app, &t, "/SALAM", "Halo lagi").await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["type"], "https://guyub.id/problems/conflict");

    // Another cooperative's reply: not found, whatever the method.
    let path = format!("/api/v1/canned-replies/{}", mine["id"]);
    assert_eq!(app.get(&other.token, &path).await.0, 404);
    for (method, p, body) in [
        (
            Method::PUT,
            path.clone(),
            Some(json!({"shortcut": "/salam", "title": "x", "body": "x"})),
        ),
        (Method::DELETE, path.clone(), None),
        (Method::POST, format!("{path}/render"), Some(json!({}))),
    ] {
        let (s, v) = app.send(method, &other.token, &p, body).await;
        assert_eq!(s, 404, "{p}: {v}");
    }
    assert_eq!(app.get(&t.token, &path).await.1["body"], "Halo {{ nama }}");
    let (s, _) = app.get(&t.token, "/api/v1/canned-replies/satu").await;
    assert!(s.is_client_error());
}

#[tokio::test]
async fn the_canned_page_previews_saves_edits_and_deletes() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-ui-canned").await;
    let session = app
        .login("kop-ui-canned", &t.owner_email, PASSWORD)
        .await
        .unwrap();
    let (s, _, html) = app.page(&session, "/settings/canned").await;
    assert_eq!(s, 200);
    assert!(html.contains("Belum ada balasan cepat."), "{html}");
    assert!(
        html.contains("{{ no_anggota }}"),
        "the variables are listed"
    );
    let csrf = hidden_csrf(&html);

    let body = "Halo {{ nama }}, salam dari {{ koperasi }}.";
    let (s, _, html) = app
        .post_form(
            &session,
            "/settings/canned",
            &[
                ("_csrf", &csrf),
                ("shortcut", "/salam"),
                ("title", "Salam"),
                ("body", body),
                ("do", "preview"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Halo Siti Rahayu, salam dari Koperasi Sejahtera Bersama."),
        "{html}"
    );
    assert!(
        app.get(&t.token, "/api/v1/canned-replies").await.1 == json!([]),
        "a preview saves nothing"
    );

    let (s, _, html) = app
        .post_form(
            &session,
            "/settings/canned",
            &[
                ("_csrf", &csrf),
                ("shortcut", "/salam"),
                ("title", "Salam"),
                ("body", "Halo {{ nma }}"),
                ("do", "save"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("unknown variable &#39;nma&#39;") || html.contains("unknown variable 'nma'"),
        "{html}"
    );
    assert!(html.contains("Halo {{ nma }}"), "the typed body is kept");

    let (s, h, _) = app
        .post_form(
            &session,
            "/settings/canned",
            &[
                ("_csrf", &csrf),
                ("shortcut", "/salam"),
                ("title", "Salam"),
                ("body", body),
                ("do", "save"),
            ],
        )
        .await;
    assert_eq!(
        (s, h["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/settings/canned?ok=canned.saved")
    );
    let (_, list) = app.get(&t.token, "/api/v1/canned-replies").await;
    let id = list[0]["id"].as_i64().unwrap();
    let (_, _, html) = app.page(&session, "/settings/canned?ok=canned.saved").await;
    assert!(html.contains("Balasan cepat disimpan."));
    assert!(html.contains("<code>/salam</code>"));
    assert!(
        html.contains("Halo Siti Rahayu"),
        "the list shows the sample"
    );

    let edit = format!("/settings/canned/{id}");
    let (s, _, html) = app.page(&session, &edit).await;
    assert_eq!(s, 200);
    assert!(html.contains("value=\"/salam\"") && html.contains(&format!("action=\"{edit}\"")));
    let (s, _, _) = app
        .post_form(
            &session,
            &edit,
            &[
                ("_csrf", &csrf),
                ("shortcut", "/salam"),
                ("title", "Salam"),
                ("body", "Hai {{ nama }}"),
                ("do", "save"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&t.token, &format!("/api/v1/canned-replies/{id}"))
            .await
            .1["body"],
        "Hai {{ nama }}"
    );

    // An agent reads the list but gets no form and cannot post one.
    guyub_services::staff::add_user(
        &app.db,
        &t.actor,
        guyub_services::staff::AddUser {
            email: "cs@kop-ui-canned.id",
            name: "Putri",
            role: Role::Agent,
            password: PASSWORD,
            locale: "id",
        },
    )
    .await
    .unwrap();
    let agent = app
        .login("kop-ui-canned", "cs@kop-ui-canned.id", PASSWORD)
        .await
        .unwrap();
    let (s, _, html) = app.page(&agent, "/settings/canned").await;
    assert_eq!(s, 200);
    assert!(html.contains("Hai Siti Rahayu") && !html.contains("name=\"body\""));
    let agent_csrf = hidden_csrf(&html);
    let (s, _, _) = app.page(&agent, &edit).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = app
        .post_form(&agent, &format!("{edit}/delete"), &[("_csrf", &agent_csrf)])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, _, _) = app
        .post_form(&session, &format!("{edit}/delete"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&t.token, "/api/v1/canned-replies").await.1,
        json!([])
    );
    let (s, _, _) = app.page(&session, &edit).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
