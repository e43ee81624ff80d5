//! The message pipeline end to end: provider webhooks (signed as the provider signs)
//! in, conversations and messages, replies out to the simulated providers, status
//! callbacks, retries, and everything a forged or broken delivery must not do.

use crate::support::{Tenant, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

async fn post(app: &TestApp, t: &Tenant, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
    app.send(Method::POST, &t.token, path, Some(body)).await
}

/// Posts raw bytes to a webhook with the given headers.
async fn hook(
    app: &TestApp,
    kind: &str,
    channel: i64,
    body: &[u8],
    headers: &[(&str, String)],
) -> (u16, String) {
    let mut req = app
        .client
        .post(app.url(&format!("/hooks/{kind}/{channel}")))
        .body(body.to_vec());
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn conversations(app: &TestApp, t: &Tenant) -> Vec<Value> {
    app.get(&t.token, "/api/v1/conversations")
        .await
        .1
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn messages(app: &TestApp, t: &Tenant, conversation: &Value) -> Vec<Value> {
    let (_, d) = app
        .get(
            &t.token,
            &format!("/api/v1/conversations/{}", conversation["id"]),
        )
        .await;
    d["messages"].as_array().cloned().unwrap_or_default()
}

/// Waits until the first conversation has `n` messages and returns them.
async fn wait_messages(app: &TestApp, t: &Tenant, n: usize) -> (Value, Vec<Value>) {
    for _ in 0..200 {
        if let Some(c) = conversations(app, t).await.first().cloned() {
            let m = messages(app, t, &c).await;
            if m.len() >= n {
                return (c, m);
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no conversation with {n} messages");
}

async fn wait_status(app: &TestApp, t: &Tenant, c: &Value, id: i64, status: &str) -> Value {
    for _ in 0..200 {
        let m = messages(app, t, c)
            .await
            .into_iter()
            .find(|m| m["id"] == id)
            .unwrap();
        if m["status"] == status {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "message {id} never became {status}: {:?}",
        messages(app, t, c).await
    );
}

/// Waits for the conversation holding a message with this body.
async fn find_conversation_with(app: &TestApp, t: &Tenant, body: &str) -> Value {
    for _ in 0..200 {
        for c in conversations(app, t).await {
            if messages(app, t, &c).await.iter().any(|m| m["body"] == body) {
                return c;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no conversation has {body:?}");
}

fn wa_status(wamid: &str, status: &str, ts: i64) -> Vec<u8> {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": "106540352242922"},
        "statuses": [{"id": wamid, "status": status, "timestamp": ts.to_string(), "recipient_id": "6281234500001"}]
    }, "field": "messages"}]}]})
    .to_string()
    .into_bytes()
}

fn meta_sig(secret: &str, body: &[u8]) -> String {
    guyub_connectors::meta::sign(secret, body)
}

#[tokio::test]
async fn every_channel_kind_round_trips_through_the_pipeline() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-kanal").await;
    for (kind, from, sim_kind) in [
        ("whatsapp", "6281234500001", "whatsapp"),
        ("messenger", "PSID77", "meta"),
        ("instagram", "IGSID88", "meta"),
        ("telegram", "500123456", "telegram"),
        ("line", "U4af4980629", "line"),
        ("x", "200", "x"),
    ] {
        let channel = app.channel(&t, kind).await;
        app.member_writes(channel, from, "Anggota", &format!("Halo dari {kind}"))
            .await;
        let conv = find_conversation_with(&app, &t, &format!("Halo dari {kind}")).await;
        assert_eq!(conv["channel_kind"], kind);
        let (s, q) = post(
            &app,
            &t,
            &format!("/api/v1/conversations/{}/messages", conv["id"]),
            json!({"text": format!("Balasan {kind}")}),
        )
        .await;
        assert_eq!(s, 202, "{kind}: {q}");
        let id = q["message_id"].as_i64().unwrap();
        let m = wait_status(&app, &t, &conv, id, "sent").await;
        assert!(m["provider_id"].is_string(), "{kind}: {m}");
        let sent = app.sim_sent().await;
        let got = sent.iter().find(|s| {
            s["kind"] == sim_kind
                && s["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains(&format!("Balasan {kind}"))
        });
        assert!(got.is_some(), "{kind} reply not at the provider: {sent:?}");
        let got = got.unwrap();
        match kind {
            // LINE: the first reply uses the member's reply token.
            "line" => assert!(got["to"].as_str().unwrap().starts_with("reply:rt"), "{got}"),
            "telegram" => assert_eq!(got["body"]["chat_id"], "500123456"),
            "whatsapp" => assert_eq!(got["body"]["to"], from),
            "messenger" | "instagram" => assert_eq!(got["body"]["messaging_type"], "RESPONSE"),
            _ => assert_eq!(got["to"], from),
        }
    }
    // A second LINE reply has no token left: a push with a retry key.
    let line_conv = conversations(&app, &t)
        .await
        .into_iter()
        .find(|c| c["channel_kind"] == "line")
        .unwrap();
    let (_, q) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{}/messages", line_conv["id"]),
        json!({"text": "Kedua"}),
    )
    .await;
    wait_status(
        &app,
        &t,
        &line_conv,
        q["message_id"].as_i64().unwrap(),
        "sent",
    )
    .await;
    let push = app
        .sim_sent()
        .await
        .into_iter()
        .find(|s| s["text"] == "Kedua")
        .unwrap();
    assert_eq!(push["to"], "U4af4980629");
    assert_eq!(push["retry_key"].as_str().map(str::len), Some(36));
}

#[tokio::test]
async fn duplicates_are_one_message_and_statuses_only_move_forward() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-dup").await;
    let wa = app.channel(&t, "whatsapp").await;
    let inbound = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Siti"}, "wa_id": "6281234500001"}],
        "messages": [{"from": "6281234500001", "id": "wamid.DUP1", "timestamp": "1732400000", "type": "text", "text": {"body": "Sekali saja"}}]
    }, "field": "messages"}]}]})
    .to_string();
    let sig = meta_sig("wa-secret", inbound.as_bytes());
    for _ in 0..3 {
        let (s, b) = hook(
            &app,
            "whatsapp",
            wa,
            inbound.as_bytes(),
            &[
                ("x-hub-signature-256", sig.clone()),
                ("content-type", "application/json".into()),
            ],
        )
        .await;
        assert_eq!(s, 200, "{b}");
    }
    let (conv, ms) = wait_messages(&app, &t, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(messages(&app, &t, &conv).await.len(), 1, "{ms:?}");

    let (_, q) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{}/messages", conv["id"]),
        json!({"text": "Baik"}),
    )
    .await;
    let id = q["message_id"].as_i64().unwrap();
    let m = wait_status(&app, &t, &conv, id, "sent").await;
    let wamid = m["provider_id"].as_str().unwrap().to_string();
    // read arrives before delivered; delivered must not take it back.
    for st in ["read", "delivered", "sent"] {
        let body = wa_status(&wamid, st, 1732400100);
        let (s, _) = hook(
            &app,
            "whatsapp",
            wa,
            &body,
            &[("x-hub-signature-256", meta_sig("wa-secret", &body))],
        )
        .await;
        assert_eq!(s, 200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let m = wait_status(&app, &t, &conv, id, "read").await;
    assert_eq!(m["status"], "read");
    // A failure after delivery does not undo it either.
    let body = wa_status(&wamid, "failed", 1732400200);
    hook(
        &app,
        "whatsapp",
        wa,
        &body,
        &[("x-hub-signature-256", meta_sig("wa-secret", &body))],
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        wait_status(&app, &t, &conv, id, "read").await["status"],
        "read"
    );
}

#[tokio::test]
async fn replies_wait_out_a_provider_outage_and_go_once() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-down").await;
    let tg = app.channel(&t, "telegram").await;
    app.member_writes(tg, "500123456", "Dewi", "Halo").await;
    let (conv, _) = wait_messages(&app, &t, 1).await;
    app.client
        .post(app.url("/sim/api/down"))
        .json(&json!({"down": true}))
        .send()
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        let (s, q) = post(
            &app,
            &t,
            &format!("/api/v1/conversations/{}/messages", conv["id"]),
            json!({"text": format!("Antre {i}")}),
        )
        .await;
        assert_eq!(s, 202);
        ids.push(q["message_id"].as_i64().unwrap());
    }
    // While the provider answers 429 with retry_after, the replies stay queued.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for id in &ids {
        let m = messages(&app, &t, &conv)
            .await
            .into_iter()
            .find(|m| m["id"] == *id)
            .unwrap();
        assert_eq!(m["status"], "queued", "{m}");
    }
    app.client
        .post(app.url("/sim/api/down"))
        .json(&json!({"down": false}))
        .send()
        .await
        .unwrap();
    for id in &ids {
        wait_status(&app, &t, &conv, *id, "sent").await;
    }
    let sent = app.sim_sent().await;
    for i in 0..3 {
        let n = sent
            .iter()
            .filter(|s| s["text"] == format!("Antre {i}"))
            .count();
        assert_eq!(n, 1, "reply {i} sent {n} times");
    }
}

#[tokio::test]
async fn a_permanent_failure_shows_the_reason_and_can_be_resent() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-gagal").await;
    let wa = app.channel(&t, "whatsapp").await;
    app.member_writes(wa, "6280000000001", "Nomor Salah", "Halo")
        .await;
    let (conv, _) = wait_messages(&app, &t, 1).await;
    let (_, q) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{}/messages", conv["id"]),
        json!({"text": "Tidak sampai"}),
    )
    .await;
    let id = q["message_id"].as_i64().unwrap();
    let m = wait_status(&app, &t, &conv, id, "failed").await;
    assert!(
        m["error"].as_str().unwrap().contains("not on WhatsApp"),
        "{m}"
    );
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/messages/{id}/resend"),
        json!({}),
    )
    .await;
    assert_eq!(s, 202);
    wait_status(&app, &t, &conv, id, "failed").await;
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/messages/{id}/resend"),
        json!({}),
    )
    .await;
    assert_eq!(s, 202);
    // Only failed messages are sent again.
    let (_, q) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{}/messages", conv["id"]),
        json!({"text": "x"}),
    )
    .await;
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/messages/{}/resend", q["message_id"]),
        json!({}),
    )
    .await;
    assert_eq!(s, 409);
}

#[tokio::test]
async fn the_whatsapp_window_asks_for_a_template() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-jendela").await;
    let wa = app.channel(&t, "whatsapp").await;
    app.member_writes(wa, "6281234500001", "Siti", "Halo").await;
    let (conv, _) = wait_messages(&app, &t, 1).await;
    // The member wrote two days ago.
    {
        let mut conn = app.db.conn().await.unwrap();
        sqlx::query("UPDATE messages SET created_at = created_at - $1 WHERE direction = 'in'")
            .bind(2 * 24 * 3_600_000i64)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let path = format!("/api/v1/conversations/{}/messages", conv["id"]);
    let (s, p) = post(&app, &t, &path, json!({"text": "Halo lagi"})).await;
    assert_eq!(s, 422);
    assert!(
        p["detail"].as_str().unwrap().contains("24-hour window"),
        "{p}"
    );
    let (s, q) = post(&app, &t, &path, json!({"template": "pengingat_angsuran", "template_language": "id", "template_params": ["Siti", "Rp 250.000"]})).await;
    assert_eq!(s, 202, "{q}");
    wait_status(&app, &t, &conv, q["message_id"].as_i64().unwrap(), "sent").await;
    let sent = app
        .sim_sent()
        .await
        .into_iter()
        .find(|s| s["body"]["type"] == "template")
        .unwrap();
    assert_eq!(sent["body"]["template"]["name"], "pengingat_angsuran");
    assert_eq!(
        sent["body"]["template"]["components"][0]["parameters"][1]["text"],
        "Rp 250.000"
    );
}

#[tokio::test]
async fn forged_broken_and_oversized_deliveries_are_refused_and_counted() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-palsu").await;
    let wa = app.channel(&t, "whatsapp").await;
    let tg = app.channel(&t, "telegram").await;
    let line = app.channel(&t, "line").await;
    let x = app.channel(&t, "x").await;
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    // Meta: no signature, a wrong one, one made with another secret.
    assert_eq!(hook(&app, "whatsapp", wa, body, &[]).await.0, 401);
    assert_eq!(
        hook(
            &app,
            "whatsapp",
            wa,
            body,
            &[("x-hub-signature-256", "sha256=00".into())]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        hook(
            &app,
            "whatsapp",
            wa,
            body,
            &[("x-hub-signature-256", meta_sig("other", body))]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        hook(
            &app,
            "whatsapp",
            wa,
            body,
            &[("x-hub-signature-256", meta_sig("wa-secret", body))]
        )
        .await
        .0,
        200
    );
    // Signed but not JSON, or JSON of the wrong shape.
    let junk = b"{not json";
    assert_eq!(
        hook(
            &app,
            "whatsapp",
            wa,
            junk,
            &[("x-hub-signature-256", meta_sig("wa-secret", junk))]
        )
        .await
        .0,
        400
    );
    // Telegram's secret token, LINE's and X's signatures.
    let update = br#"{"update_id":1,"message":{"message_id":1,"from":{"id":5},"chat":{"id":5},"date":1,"text":"x"}}"#;
    assert_eq!(
        hook(
            &app,
            "telegram",
            tg,
            update,
            &[("x-telegram-bot-api-secret-token", "salah".into())]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        hook(
            &app,
            "telegram",
            tg,
            b"{}",
            &[("x-telegram-bot-api-secret-token", "tg-secret".into())]
        )
        .await
        .0,
        400
    );
    let ev = br#"{"destination":"U","events":[]}"#;
    assert_eq!(
        hook(
            &app,
            "line",
            line,
            ev,
            &[("x-line-signature", "AAAA".into())]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        hook(
            &app,
            "line",
            line,
            ev,
            &[(
                "x-line-signature",
                guyub_connectors::line::sign("line-secret", ev)
            )]
        )
        .await
        .0,
        200
    );
    assert_eq!(
        hook(
            &app,
            "x",
            x,
            b"{}",
            &[("x-twitter-webhooks-signature", "sha256=AAAA".into())]
        )
        .await
        .0,
        403
    );
    // A channel of another kind, or none, is not found.
    assert_eq!(hook(&app, "telegram", wa, update, &[]).await.0, 404);
    assert_eq!(hook(&app, "whatsapp", 999_999, body, &[]).await.0, 404);
    assert_eq!(hook(&app, "whatsapp", -1, body, &[]).await.0, 404);
    // Too large for the server at all.
    let huge = vec![b'a'; 3 * 1024 * 1024];
    assert_eq!(hook(&app, "whatsapp", wa, &huge, &[]).await.0, 413);

    // Handshakes: Meta's verify token, X's CRC.
    let get = |p: String| {
        let c = app.client.clone();
        let u = app.url(&p);
        async move {
            let r = c.get(u).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(
        get(format!(
            "/hooks/whatsapp/{wa}?hub.mode=subscribe&hub.verify_token=wa-verify&hub.challenge=42"
        ))
        .await,
        (200, "42".into())
    );
    assert_eq!(
        get(format!(
            "/hooks/whatsapp/{wa}?hub.mode=subscribe&hub.verify_token=salah&hub.challenge=42"
        ))
        .await
        .0,
        403
    );
    assert_eq!(get(format!("/hooks/whatsapp/{wa}")).await.0, 400);
    let (s, crc) = get(format!("/hooks/x/{x}?crc_token=abc")).await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&crc).unwrap();
    assert_eq!(
        v["response_token"],
        guyub_connectors::x::sign("x-secret", b"abc")
    );
    assert_eq!(get(format!("/hooks/telegram/{tg}")).await.0, 405);

    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .contains("guyub_webhook_rejected_total{kind=\"whatsapp\",reason=\"bad_signature\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("reason=\"missing_signature\""),
        "{metrics}"
    );
    // Nothing refused was stored.
    let (_, c) = app.get(&t.token, "/api/v1/conversations").await;
    assert_eq!(c, json!([]));
    // A switched-off channel takes no deliveries, at once.
    let (s, _) = app
        .send(
            Method::PATCH,
            &t.token,
            &format!("/api/v1/channels/{wa}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        hook(
            &app,
            "whatsapp",
            wa,
            body,
            &[("x-hub-signature-256", meta_sig("wa-secret", body))]
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn a_merge_carries_the_conversations_and_messages_and_undo_takes_them_back() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-gabung").await;
    let tg = app.channel(&t, "telegram").await;
    let ig = app.channel(&t, "instagram").await;
    // One person on two channels: two contacts, two conversations.
    app.member_writes(tg, "500123456", "Dewi", "Halo dari Telegram")
        .await;
    app.member_writes(ig, "IGSID88", "dewi.l", "Halo dari Instagram")
        .await;
    let a = find_conversation_with(&app, &t, "Halo dari Telegram").await;
    let b = find_conversation_with(&app, &t, "Halo dari Instagram").await;
    assert_ne!(a["contact_id"], b["contact_id"]);
    let (survivor, other) = (
        a["contact_id"].as_i64().unwrap(),
        b["contact_id"].as_i64().unwrap(),
    );
    let (_, plan) = app
        .get(
            &t.token,
            &format!("/api/v1/contacts/{survivor}/merge?other_contact_id={other}"),
        )
        .await;
    assert_eq!(
        plan["moves"],
        json!([
            {"table": "channel_identities", "rows": 1},
            {"table": "conversations", "rows": 1},
            {"table": "messages", "rows": 1}
        ])
    );
    let (s, merge) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{survivor}/merge"),
        json!({"other_contact_id": other}),
    )
    .await;
    assert_eq!(s, 201, "{merge}");
    let owners = |list: Vec<Value>| {
        list.iter()
            .map(|c| c["contact_id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(owners(conversations(&app, &t).await), [survivor, survivor]);
    let (_, d) = app
        .get(&t.token, &format!("/api/v1/conversations/{}", b["id"]))
        .await;
    assert_eq!(d["conversation"]["contact_id"], survivor);
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/merges/{}/undo", merge["id"]),
        json!({}),
    )
    .await;
    assert_eq!(s, 204);
    let mut back = owners(conversations(&app, &t).await);
    back.sort();
    let mut want = vec![survivor, other];
    want.sort();
    assert_eq!(back, want);
}
