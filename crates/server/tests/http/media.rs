//! Attachments: a received media message's file is fetched from the provider (the
//! simulator here) into object storage, checked for size and type, and served to
//! staff. Local directory by default; S3-compatible storage against moto's server.

use crate::support::{Tenant, TestApp};
use serde_json::json;

fn wa_media(id: &str, media: &str) -> Vec<u8> {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Siti"}, "wa_id": "6281234500001"}],
        "messages": [{"from": "6281234500001", "id": id, "timestamp": "1732400000", "type": "image",
            "image": {"id": media, "mime_type": "image/png", "caption": "bukti transfer"}}]
    }, "field": "messages"}]}]})
    .to_string()
    .into_bytes()
}

async fn deliver(app: &TestApp, channel: i64, body: Vec<u8>) {
    let sig = guyub_connectors::meta::sign("wa-secret", &body);
    let r = app
        .client
        .post(app.url(&format!("/hooks/whatsapp/{channel}")))
        .header("x-hub-signature-256", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The id of the incoming message with this provider id, once processed.
async fn message_id(app: &TestApp, t: &Tenant, provider_id: &str) -> i64 {
    for _ in 0..200 {
        let (_, convs) = app.get(&t.token, "/api/v1/conversations").await;
        for c in convs.as_array().cloned().unwrap_or_default() {
            let (_, d) = app
                .get(&t.token, &format!("/api/v1/conversations/{}", c["id"]))
                .await;
            if let Some(m) = d["messages"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["provider_id"] == provider_id)
            {
                return m["id"].as_i64().unwrap();
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{provider_id} never processed");
}

/// Waits for the file (or the reason it was refused).
pub(crate) async fn media(app: &TestApp, t: &Tenant, id: i64) -> (u16, String, Vec<u8>) {
    for _ in 0..200 {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/messages/{id}/media")))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let ty = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = r.bytes().await.unwrap().to_vec();
        let text = String::from_utf8_lossy(&body);
        if status == 200 || text.contains("refused") {
            return (status, ty, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("media of {id} never settled");
}

#[tokio::test]
async fn files_are_fetched_checked_and_kept_in_a_local_directory() {
    let app = TestApp::spawn_with(&[("GUYUB_MAX_ATTACHMENT_BYTES", "4096")]).await;
    let t = app.tenant("kop-berkas").await;
    let wa = app.channel(&t, "whatsapp").await;
    deliver(&app, wa, wa_media("wamid.PNG", "media-1.png")).await;
    let id = message_id(&app, &t, "wamid.PNG").await;
    let (status, ty, bytes) = media(&app, &t, id).await;
    assert_eq!((status, ty.as_str()), (200, "image/png"));
    assert_eq!(&bytes[1..4], b"PNG");
    // A program is not kept; nor is a file over the limit.
    deliver(&app, wa, wa_media("wamid.EXE", "media-2.exe")).await;
    let id = message_id(&app, &t, "wamid.EXE").await;
    let (status, _, body) = media(&app, &t, id).await;
    assert_eq!(status, 422);
    assert!(String::from_utf8_lossy(&body).contains("application/x-msdownload is not accepted"));
    deliver(&app, wa, wa_media("wamid.BIG", "media-3.big")).await;
    let id = message_id(&app, &t, "wamid.BIG").await;
    let (status, _, body) = media(&app, &t, id).await;
    assert_eq!(status, 422);
    assert!(String::from_utf8_lossy(&body).contains("larger than 4096 bytes"));
    // Telegram's two-step getFile.
    let tg = app.channel(&t, "telegram").await;
    let photo = br#"{"update_id":77,"message":{"message_id":9,"from":{"id":500123456,"first_name":"Dewi"},"chat":{"id":500123456},"date":1732400000,"photo":[{"file_id":"small.png"},{"file_id":"large.png"}]}}"#;
    let r = app
        .client
        .post(app.url(&format!("/hooks/telegram/{tg}")))
        .header("x-telegram-bot-api-secret-token", "tg-secret")
        .body(photo.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = message_id(&app, &t, "500123456:9").await;
    assert_eq!(media(&app, &t, id).await.0, 200);
    // Another cooperative cannot read the file.
    let other = app.tenant("kop-lain").await;
    let r = app
        .client
        .get(app.url(&format!("/api/v1/messages/{id}/media")))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn files_can_live_in_s3_compatible_storage() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/s3/start.sh");
    let have_moto = std::process::Command::new("sh")
        .args(["-c", "command -v moto_server"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have_moto && std::env::var("CI").is_err() {
        eprintln!("skipped: moto_server is not installed (pip install \"moto[server]\")");
        return;
    }
    let o = std::process::Command::new("bash")
        .arg(script)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bucket = format!(
        "guyub-test-{}-{}",
        std::process::id(),
        guyub_store::now_ms()
    );
    let made = reqwest::Client::new()
        .put(format!("http://127.0.0.1:9100/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "{}", made.status());
    let app = TestApp::spawn_with(&[
        ("GUYUB_OBJECT_STORE", "s3"),
        ("GUYUB_S3_ENDPOINT", "http://127.0.0.1:9100"),
        ("GUYUB_S3_BUCKET", bucket.as_str()),
        ("GUYUB_S3_ACCESS_KEY_ID", "testing"),
        ("GUYUB_S3_SECRET_ACCESS_KEY", "testing"),
    ])
    .await;
    let t = app.tenant("kop-s3").await;
    let wa = app.channel(&t, "whatsapp").await;
    deliver(&app, wa, wa_media("wamid.S3", "media-9.png")).await;
    let id = message_id(&app, &t, "wamid.S3").await;
    let (status, ty, bytes) = media(&app, &t, id).await;
    assert_eq!(
        (status, ty.as_str()),
        (200, "image/png"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    // The object really is in the bucket.
    let listing = reqwest::Client::new()
        .get(format!("http://127.0.0.1:9100/{bucket}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listing.contains(&format!("media/{}/{id}-", t.coop.id)),
        "{listing}"
    );
}
