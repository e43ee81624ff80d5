//! The channel, conversation and simulator pages, driven through their forms: adding
//! and changing a channel without ever showing a secret, a member's message arriving in
//! Conversations, a reply reaching the fake provider, the member's side in the
//! simulator, and who may change what.

use super::member_pages::{between, location, owner, staff};
use crate::support::{TestApp, hidden_csrf};
use guyub_domain::Role;
use reqwest::StatusCode;

/// The id in the first `href="{prefix}N"` of a page.
fn first_id(html: &str, prefix: &str) -> i64 {
    let digits = between(html, &format!("href=\"{prefix}"), "\"");
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no id after {prefix}"))
}

/// Waits until `path` shows `text`, and returns the page.
async fn page_showing(app: &TestApp, session: &str, path: &str, text: &str) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        let (s, _, html) = app.page(session, path).await;
        assert_eq!(s, 200, "{html}");
        if html.contains(text) {
            return html;
        }
        last = html;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{path} never showed {text:?}:\n{last}");
}

#[tokio::test]
async fn a_channel_is_added_changed_switched_off_and_tested_through_the_pages() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-kanal").await;
    let (session, csrf) = owner(&app, &t).await;

    let (s, _, html) = app.page(&session, "/channels").await;
    assert_eq!(s, 200);
    assert!(html.contains("Belum ada kanal") && html.contains("Tambah kanal"));
    let (s, _, html) = app.page(&session, "/channels/new?kind=telegram").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("name=\"cred_bot_token\"") && html.contains("name=\"cred_secret_token\""),
        "{html}"
    );
    let (_, _, html) = app.page(&session, "/channels/new").await;
    assert!(
        html.contains("/channels/new?kind=whatsapp"),
        "kinds to choose from"
    );

    // A missing credential is named, and nothing is saved; the secret typed is not echoed.
    let sim = app.url("/sim/telegram");
    let bot_token = "987654:rahasia-bot-ABCDEF";
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("kind", "telegram"),
        ("name", "Telegram Koperasi"),
        ("base_url", sim.as_str()),
        ("cred_bot_token", bot_token),
    ];
    let (s, _, html) = app.post_form(&session, "/channels/new", &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("secret_token is required for a telegram channel"),
        "{html}"
    );
    assert!(!html.contains(bot_token), "a refused form echoes a secret");
    assert!(
        html.contains("value=\"Telegram Koperasi\""),
        "the name is kept"
    );
    let (_, _, html) = app.page(&session, "/channels").await;
    assert!(html.contains("Belum ada kanal"));

    form.push(("cred_secret_token", "webhook-secret-9876"));
    let (s, h, html) = app.post_form(&session, "/channels/new", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let at = location(&h);
    assert!(at.ends_with("?ok=channels.created"), "{at}");
    let id: i64 = between(&at, "/channels/", "?").parse().unwrap();

    let (_, _, html) = app.page(&session, &at).await;
    assert!(html.contains("Kanal ditambahkan."));
    let webhook = format!("{}/hooks/telegram/{id}", app.base);
    assert!(html.contains(&webhook), "{html}");
    assert!(
        html.contains("****CDEF") && html.contains("****9876"),
        "{html}"
    );
    assert!(!html.contains(bot_token) && !html.contains("webhook-secret-9876"));
    assert!(html.contains("Tes koneksi") && html.contains("Nonaktifkan"));
    let (_, _, list) = app.page(&session, "/channels").await;
    assert!(list.contains(&webhook) && list.contains("Telegram Koperasi"));

    let (s, _, html) = app
        .post_form(
            &session,
            &format!("/channels/{id}/test"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Koneksi berhasil"), "{html}");

    // A change with the secrets left empty keeps them.
    let (s, h, _) = app
        .post_form(
            &session,
            &format!("/channels/{id}"),
            &[
                ("_csrf", &csrf),
                ("name", "Telegram Kantor"),
                ("base_url", &sim),
                ("cred_bot_token", ""),
                ("cred_secret_token", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("/channels/{id}?ok=channels.saved"));
    let (_, _, html) = app.page(&session, &location(&h)).await;
    assert!(html.contains("Telegram Kantor") && html.contains("****CDEF"));
    let (s, _, html) = app
        .post_form(
            &session,
            &format!("/channels/{id}/test"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(s, 200, "the kept token still works: {html}");

    // A wrong token: the test says what the provider answered.
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("/channels/{id}"),
            &[
                ("_csrf", &csrf),
                ("name", "Telegram Kantor"),
                ("base_url", &app.url("/sim/nowhere")),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = app
        .post_form(
            &session,
            &format!("/channels/{id}/test"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Koneksi gagal"), "{html}");

    let (s, h, _) = app
        .post_form(
            &session,
            &format!("/channels/{id}/active"),
            &[("_csrf", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app.page(&session, &location(&h)).await;
    assert!(html.contains("Kanal dinonaktifkan.") && html.contains(">Aktifkan<"));
    let actions = app.audit_actions(&t).await;
    assert!(actions.iter().any(|a| a == "channel.created"));
    assert_eq!(
        actions.iter().filter(|a| *a == "channel.changed").count(),
        3
    );
}

#[tokio::test]
async fn a_teller_sees_the_channels_but_cannot_change_them() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-kasir").await;
    let tg = app.channel(&t, "telegram").await;
    let teller = staff(&app, &t, Role::Teller).await;
    let (s, _, html) = app.page(&teller, "/channels").await;
    assert_eq!(s, 200);
    assert!(html.contains("telegram test") && !html.contains("Tambah kanal"));
    assert!(
        !html.contains("href=\"/conversations\""),
        "no inbox for a teller"
    );
    let csrf = hidden_csrf(&html);
    let (s, _, html) = app.page(&teller, &format!("/channels/{tg}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("****cret") && !html.contains("tg-secret"));
    assert!(!html.contains("Tes koneksi") && !html.contains("cred_bot_token"));
    assert_eq!(
        app.page(&teller, "/channels/new?kind=line").await.0,
        StatusCode::FORBIDDEN
    );
    for (path, form) in [
        (
            "/channels/new".to_string(),
            vec![("kind", "line"), ("name", "LINE")],
        ),
        (format!("/channels/{tg}"), vec![("name", "Diubah")]),
        (format!("/channels/{tg}/active"), vec![("active", "false")]),
        (format!("/channels/{tg}/test"), vec![]),
    ] {
        let mut form = form;
        form.push(("_csrf", &csrf));
        let (s, _, html) = app.post_form(&teller, &path, &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
        assert!(html.contains("tidak berwenang"), "{html}");
    }
    assert_eq!(
        app.page(&teller, "/conversations").await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_member_message_arrives_and_a_reply_reaches_the_provider() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-balas").await;
    let tg = app.channel(&t, "telegram").await;
    let (session, csrf) = owner(&app, &t).await;
    app.member_writes(tg, "500123456", "Dewi L", "Halo, saldo saya berapa?")
        .await;
    let list = page_showing(&app, &session, "/conversations", "Dewi L").await;
    assert!(
        list.contains("kind-telegram") && list.contains("terbuka"),
        "{list}"
    );
    let conv = first_id(&list, "/conversations/");
    let path = format!("/conversations/{conv}");
    let (_, _, html) = app.page(&session, &path).await;
    assert!(html.contains("Halo, saldo saya berapa?") && html.contains("msg in"));
    assert!(html.contains("data-live") && html.contains("/assets/inbox.js"));

    let reply = "Saldo simpanan Ibu Rp 1.250.000.";
    let (s, h, _) = app
        .post_form(
            &session,
            &format!("{path}/reply"),
            &[("_csrf", &csrf), ("text", reply)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("{path}#reply"));
    app.eventually("the fake Telegram received the reply", || async {
        app.sim_sent()
            .await
            .iter()
            .any(|m| m["to"] == "500123456" && m["text"] == reply)
    })
    .await;
    let html = page_showing(&app, &session, &path, "msg-sent").await;
    assert!(html.contains(reply) && html.contains("terkirim"), "{html}");

    // Too long a reply is refused on the page, and what was typed stays.
    let long = "panjang ".repeat(600);
    let (s, _, html) = app
        .post_form(
            &session,
            &format!("{path}/reply"),
            &[("_csrf", &csrf), ("text", &long)],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("a reply needs 1 to 4096 characters"),
        "{html}"
    );
    assert!(html.contains(long.trim_end()), "the text is kept");
}

#[tokio::test]
async fn a_closed_window_and_a_failed_reply_are_shown_with_the_way_out() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-wa").await;
    let wa = app.channel(&t, "whatsapp").await;
    let (session, csrf) = owner(&app, &t).await;
    // This number is not on WhatsApp: the fake provider refuses it for good.
    app.member_writes(wa, "6280000000001", "Nomor Salah", "Halo")
        .await;
    let list = page_showing(&app, &session, "/conversations", "Nomor Salah").await;
    let path = format!("/conversations/{}", first_id(&list, "/conversations/"));
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("{path}/reply"),
            &[("_csrf", &csrf), ("text", "Tidak sampai")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let html = page_showing(&app, &session, &path, "msg-failed").await;
    assert!(
        html.contains("not on WhatsApp") && html.contains("Kirim ulang"),
        "{html}"
    );
    let message = between(&html, "/messages/", "/resend").to_string();
    let (s, h, _) = app
        .post_form(
            &session,
            &format!("{path}/messages/{message}/resend"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("{path}?ok=conversations.resent"));
    page_showing(&app, &session, &path, "msg-failed").await;

    // The member wrote two days ago: WhatsApp allows no free text now.
    {
        let mut conn = app.db.conn().await.unwrap();
        sqlx::query("UPDATE messages SET created_at = created_at - $1 WHERE direction = 'in'")
            .bind(2 * 24 * 3_600_000i64)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let (s, _, html) = app
        .post_form(
            &session,
            &format!("{path}/reply"),
            &[("_csrf", &csrf), ("text", "Halo lagi, Pak")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("24-hour window is closed"), "{html}");
    assert!(
        html.contains(">Halo lagi, Pak</textarea>"),
        "the text is kept"
    );
}

#[tokio::test]
async fn the_simulator_page_writes_as_a_member_and_shows_the_reply() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-sim").await;
    let wa = app.channel(&t, "whatsapp").await;
    let (session, csrf) = owner(&app, &t).await;
    let (s, _, html) = app.page(&session, "/simulator").await;
    assert_eq!(s, 200);
    assert!(html.contains("href=\"/simulator\""), "in the menu");
    assert!(
        html.contains("value=\"6281234500001\"") && html.contains("value=\"Siti Rahayu\""),
        "a demo member is the default sender: {html}"
    );

    let wa_id = wa.to_string();
    let (s, h, _) = app
        .post_form(
            &session,
            "/simulator",
            &[
                ("_csrf", &csrf),
                ("channel", &wa_id),
                ("from", "6281234500001"),
                ("name", "Siti Rahayu"),
                ("text", "Halo dari simulator"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let back = location(&h);
    assert!(back.contains("ok=simulator.sent") && back.contains("from=6281234500001"));
    let member_side = back.replace("&ok=simulator.sent", "");
    let html = page_showing(&app, &session, &member_side, "Halo dari simulator").await;
    assert!(html.contains("msg out mine"), "{html}");

    let list = page_showing(&app, &session, "/conversations", "Siti Rahayu").await;
    let path = format!("/conversations/{}", first_id(&list, "/conversations/"));
    let (_, _, html) = app.page(&session, &path).await;
    assert!(html.contains("Halo dari simulator"));
    assert!(
        html.contains("href=\"/simulator?channel="),
        "a link to the member's side"
    );
    app.post_form(
        &session,
        &format!("{path}/reply"),
        &[
            ("_csrf", &csrf),
            ("text", "Halo Bu Siti, ada yang bisa dibantu?"),
        ],
    )
    .await;
    let html = page_showing(
        &app,
        &session,
        &member_side,
        "Halo Bu Siti, ada yang bisa dibantu?",
    )
    .await;
    let chat = between(&html, "id=\"sim-chat\"", "</ol>");
    let mine = chat.find("Halo dari simulator").unwrap();
    let reply = chat.find("Halo Bu Siti").unwrap();
    assert!(mine < reply, "the reply comes after the message: {chat}");
    assert!(chat.contains("msg in reply"));

    // Only the cooperative's own channels, and nothing without words.
    let other = app.tenant("kop-lain").await;
    let foreign = app.channel(&other, "whatsapp").await.to_string();
    let (s, _, _) = app
        .post_form(
            &session,
            "/simulator",
            &[
                ("_csrf", &csrf),
                ("channel", &foreign),
                ("from", "6281234500001"),
                ("text", "Menyusup"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, html) = app
        .post_form(
            &session,
            "/simulator",
            &[
                ("_csrf", &csrf),
                ("channel", &wa_id),
                ("from", ""),
                ("text", "x"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Isi ID pengirim."));
}

#[tokio::test]
async fn without_the_simulator_there_is_no_simulator_page() {
    let app = TestApp::spawn_with(&[("GUYUB_SIMULATOR", "false")]).await;
    let t = app.tenant("kop-nyata").await;
    let (session, csrf) = owner(&app, &t).await;
    let (s, _, html) = app.page(&session, "/simulator").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("tidak ditemukan"));
    let (_, _, html) = app.page(&session, "/").await;
    assert!(!html.contains("href=\"/simulator\"") && html.contains("href=\"/channels\""));
    let (s, _, _) = app
        .post_form(
            &session,
            "/simulator",
            &[
                ("_csrf", &csrf),
                ("channel", "1"),
                ("from", "1"),
                ("text", "x"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
