//! Files staff send: uploaded (API and page form), kept in object storage, sent to
//! the provider by a link that serves the file, shown to staff; refused with the
//! reason (type, size, closed window) and nothing sent.

use crate::support::{Tenant, TestApp, hidden_csrf};
use serde_json::Value;

const BOUNDARY: &str = "guyub-test-boundary";

/// A multipart body with the file and the other fields.
fn multipart(file: Option<(&str, &str, &[u8])>, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut b = Vec::new();
    for (name, value) in fields {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, ty, bytes)) = file {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {ty}\r\n\r\n").as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn upload(app: &TestApp, t: &Tenant, conv: i64, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/conversations/{conv}/files")))
        .bearer_auth(&t.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn first_conversation(app: &TestApp, t: &Tenant) -> i64 {
    for _ in 0..200 {
        let (_, list) = app.get(&t.token, "/api/v1/conversations").await;
        if let Some(id) = list[0]["id"].as_i64() {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no conversation");
}

async fn message_count(app: &TestApp, t: &Tenant, conv: i64) -> usize {
    let (_, d) = app
        .get(&t.token, &format!("/api/v1/conversations/{conv}"))
        .await;
    d["messages"].as_array().map(Vec::len).unwrap_or(0)
}

#[tokio::test]
async fn an_uploaded_file_reaches_the_provider_by_a_link_that_serves_it() {
    let app = TestApp::spawn_with(&[("GUYUB_MAX_ATTACHMENT_BYTES", "2048")]).await;
    let t = app.tenant("kop-berkas").await;
    let wa = app.channel(&t, "whatsapp").await;
    app.member_writes(wa, "6281234500009", "Rina", "Minta jadwal angsuran")
        .await;
    let conv = first_conversation(&app, &t).await;
    let pdf = b"%PDF-1.4\n%jadwal angsuran\n";
    let (s, q) = upload(
        &app,
        &t,
        conv,
        multipart(
            Some(("jadwal.pdf", "application/pdf", pdf)),
            &[("caption", "Jadwal angsuran Anda")],
        ),
    )
    .await;
    assert_eq!(s, 202, "{q}");
    let id = q["message_id"].as_i64().unwrap();
    let mut sent = None;
    for _ in 0..200 {
        sent = app
            .sim_sent()
            .await
            .into_iter()
            .find(|m| m["kind"] == "whatsapp" && m["body"]["type"] == "document");
        if sent.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let sent = sent.expect("the file never reached the provider");
    let doc = &sent["body"]["document"];
    assert_eq!(doc["filename"], "jadwal.pdf", "{sent}");
    assert_eq!(doc["caption"], "Jadwal angsuran Anda", "{sent}");
    let link = doc["link"].as_str().unwrap();
    assert!(link.starts_with(&app.url("/files/out/")), "{link}");
    // The provider fetches the link without logging in and gets the file.
    let r = app.client.get(link).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf);
    // Staff see it on the message like a received file.
    let (status, ty, bytes) = crate::media::media(&app, &t, id).await;
    assert_eq!(
        (status, ty.as_str(), bytes.as_slice()),
        (200, "application/pdf", &pdf[..])
    );
    // Other paths under /files are not served.
    for bad in [
        "/files/out/1/nothing.pdf",
        "/files/media/1/1-1",
        "/files/out/../x.pdf",
    ] {
        let r = app.client.get(app.url(bad)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }

    // Refusals: each names the field and sends nothing.
    let before = message_count(&app, &t, conv).await;
    let big = vec![b'a'; 4096];
    for (body, why) in [
        (
            multipart(Some(("page.html", "text/html", b"<script>")), &[]),
            "cannot be sent",
        ),
        (
            multipart(Some(("big.txt", "text/plain", &big)), &[]),
            "larger than the limit",
        ),
        (
            multipart(None, &[("caption", "tanpa berkas")]),
            "choose a file",
        ),
        (b"not multipart at all".to_vec(), "unreadable"),
    ] {
        let (s, p) = upload(&app, &t, conv, body).await;
        assert_eq!(s, 422, "{why}: {p}");
        assert!(
            p["detail"].as_str().unwrap_or("").contains(why),
            "{why}: {p}"
        );
    }
    // Another cooperative's conversation is not found.
    let other = app.tenant("kop-lain").await;
    let (s, _) = upload(
        &app,
        &other,
        conv,
        multipart(Some(("a.pdf", "application/pdf", pdf)), &[]),
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(message_count(&app, &t, conv).await, before);
}

#[tokio::test]
async fn the_conversation_page_sends_a_file_with_its_csrf_token() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-berkas-ui").await;
    let tg = app.channel(&t, "telegram").await;
    app.member_writes(tg, "500900", "Dedi", "Kirim formulir ya")
        .await;
    let conv = first_conversation(&app, &t).await;
    let session = app
        .login(&t.coop.slug, &t.owner_email, crate::support::PASSWORD)
        .await
        .unwrap();
    let (_, _, html) = app.page(&session, &format!("/conversations/{conv}")).await;
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let csrf = hidden_csrf(&html);
    let post = |csrf: String| {
        let body = multipart(
            Some(("formulir.png", "image/png", b"\x89PNG\r\n\x1a\nfake")),
            &[("_csrf", &csrf)],
        );
        app.client
            .post(app.url(&format!("/conversations/{conv}/file")))
            .header("cookie", format!("guyub_session={session}"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
    };
    // Without the right token: refused, nothing queued.
    let r = post("wrong".into()).await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(message_count(&app, &t, conv).await, 1);
    let r = post(csrf).await.unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    app.eventually("the photo reaches Telegram", || async {
        app.sim_sent()
            .await
            .iter()
            .any(|m| m["kind"] == "telegram" && m["body"]["photo"].is_string())
    })
    .await;
    let (_, _, html) = app.page(&session, &format!("/conversations/{conv}")).await;
    assert!(html.contains("/file\" target=\"_blank\""), "{html}");
}
