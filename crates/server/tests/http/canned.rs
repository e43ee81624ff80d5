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

#[tokio::test]
async fn a_verified_member_gets_their_balance_and_an_unverified_contact_does_not() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-saldo").await;
    let wa = app.channel(&t, "whatsapp").await;
    let tg = app.channel(&t, "telegram").await;
    let teller = app.token_for(&t, Role::Teller).await;
    let (s, m) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/members",
            Some(json!({"name": "Sri Wahyuni", "status": "anggota", "joined_on": "2025-01-01", "phones": ["0812-9000-1111"]})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let member = m["id"].as_i64().unwrap();
    let (s, v) = app
        .send(
            Method::POST,
            &teller,
            "/api/v1/savings/deposits",
            Some(json!({"member_id": member, "kind": "sukarela", "amount": 1250000})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    // A loan of 12,000,000 over 12 months, flat 12 %: 1,120,000 a month from 2025-02-10.
    let manager = app.token_for(&t, Role::Manager).await;
    let (s, p) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/loans/products",
            Some(json!({"name": "Pinjaman Umum", "method": "flat", "yearly_rate": "12", "min_tenor": 1, "max_tenor": 24,
                "provisi": {"kind": "percent", "value": "0"}, "admin": {"kind": "fixed", "value": "0"},
                "denda": {"kind": "daily_percent", "value": "0.1", "grace_days": 3}})),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let (s, l) = app
        .send(
            Method::POST,
            &teller,
            "/api/v1/loans",
            Some(json!({"member_id": member, "product_id": p["id"], "principal": 12_000_000, "tenor_months": 12})),
        )
        .await;
    assert_eq!(s, 201, "{l}");
    let loan = l["id"].as_i64().unwrap();
    for (token, step, body) in [
        (&manager, "approve", json!({})),
        (
            &teller,
            "disburse",
            json!({"channel": "cash", "date": "2025-01-10"}),
        ),
    ] {
        let (s, v) = app
            .send(
                Method::POST,
                token,
                &format!("/api/v1/loans/{loan}/{step}"),
                Some(body),
            )
            .await;
        assert_eq!(s, 200, "{step}: {v}");
    }
    let (s, v) = create(
        &app,
        &t,
        "saldo",
        "Halo {{ nama }}, saldo simpanan sukarela Anda {{ simpanan_sukarela }}.{% if angsuran_berikut %} Sisa pinjaman {{ sisa_pinjaman }}; angsuran berikut {{ angsuran_berikut }}.{% endif %}",
    )
    .await;
    assert_eq!(s, 201, "{v}");

    // From her own WhatsApp number (the member's phone): verified.
    app.member_writes(wa, "6281290001111", "Sri", "Berapa saldo saya?")
        .await;
    let mut conv = Value::Null;
    for _ in 0..200 {
        let (_, list) = app.get(&t.token, "/api/v1/conversations").await;
        if let Some(c) = list.as_array().and_then(|a| a.first()) {
            conv = c.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let id = conv["id"].as_i64().expect("the conversation arrived");
    let path = format!("/api/v1/conversations/{id}/canned");
    let (s, v) = app
        .send(
            Method::POST,
            &t.token,
            &path,
            Some(json!({"canned": "/saldo"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["text"],
        "Halo Sri Wahyuni, saldo simpanan sukarela Anda Rp 1.250.000. Sisa pinjaman Rp 12.000.000; \
         angsuran berikut Rp 1.120.000, jatuh tempo 10 Februari 2025."
    );

    // Someone on Telegram who is nobody's verified identity: refused, nothing filled.
    app.member_writes(tg, "777001", "Sri?", "Saya Sri, berapa saldo saya?")
        .await;
    let mut other = None;
    for _ in 0..200 {
        let (_, list) = app.get(&t.token, "/api/v1/conversations").await;
        other = list
            .as_array()
            .and_then(|a| a.iter().find(|c| c["id"] != id).cloned());
        if other.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let other = other.expect("a second conversation")["id"]
        .as_i64()
        .unwrap();
    let (s, v) = app
        .send(
            Method::POST,
            &t.token,
            &format!("/api/v1/conversations/{other}/canned"),
            Some(json!({"canned": "saldo"})),
        )
        .await;
    refused(
        s,
        &v,
        "is sent only to a member writing from a verified identity",
    );
    assert!(!v.to_string().contains("1.250.000"), "{v}");
    // A reply without balances still works there.
    let (s, _) = create(&app, &t, "halo", "Halo {{ nama }}!").await;
    assert_eq!(s, 201);
    let (s, v) = app
        .send(
            Method::POST,
            &t.token,
            &format!("/api/v1/conversations/{other}/canned"),
            Some(json!({"canned": "halo"})),
        )
        .await;
    assert_eq!((s.as_u16(), v["text"].clone()), (200, json!("Halo Sri?!")));
    // Another cooperative cannot render this cooperative's conversation.
    let o = app.tenant("kop-lain-saldo").await;
    let (s, _) = app
        .send(
            Method::POST,
            &o.token,
            &path,
            Some(json!({"canned": "saldo"})),
        )
        .await;
    assert_eq!(s, 404);
}
