//! The web chat widget's endpoints: sessions, origins, tokens, messages both ways.

use crate::support::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const SITE: &str = "https://koperasi.example";

#[tokio::test]
async fn a_visitor_chats_through_the_widget_and_gets_the_reply() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-web").await;
    let (s, ch) = app
        .send(Method::POST, &t.token, "/api/v1/channels", Some(json!({"kind": "webchat", "name": "Situs", "credentials": {"allowed_origins": SITE}})))
        .await;
    assert_eq!(s, 201, "{ch}");
    assert!(
        ch["secrets"]["widget_secret"]
            .as_str()
            .unwrap()
            .starts_with("****"),
        "{ch}"
    );
    let id = ch["id"].as_i64().unwrap();
    let url = |p: &str| app.url(&format!("/webchat/{id}/{p}"));

    // The script is served; a session only for the allowed site.
    let js = app.client.get(app.url("/webchat.js")).send().await.unwrap();
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let res = app
        .client
        .post(url("session"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .client
        .post(url("session"))
        .header("origin", SITE)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], SITE);
    let s: Value = res.json().await.unwrap();
    let token = s["token"].as_str().unwrap().to_string();
    let pre = app
        .client
        .request(Method::OPTIONS, url("messages"))
        .header("origin", SITE)
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);

    // Messages: a retried post counts once; a forged token or empty text is refused.
    for _ in 0..2 {
        let r = app.client.post(url("messages")).header("origin", SITE)
            .json(&json!({"token": token, "text": "Jam buka kantor koperasi?", "client_id": "c1", "name": "Tamu"}))
            .send().await.unwrap();
        assert_eq!(r.status(), 202);
    }
    let forged = format!(
        "vdeadbeefdeadbeefdeadbeef.{}",
        token.split_once('.').unwrap().1
    );
    let r = app
        .client
        .post(url("messages"))
        .json(&json!({"token": forged, "text": "x", "client_id": "c2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .post(url("messages"))
        .json(&json!({"token": token, "text": "  ", "client_id": "c3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Nothing reaches this channel through the provider webhook path.
    let r = app
        .client
        .post(app.url(&format!("/hooks/webchat/{id}")))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The visitor is an anonymous contact with one message.
    let mut conv = Value::Null;
    for _ in 0..100 {
        let (_, list) = app.get(&t.token, "/api/v1/conversations").await;
        if let Some(c) = list.as_array().and_then(|l| l.first()) {
            conv = c.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(conv["channel_kind"], "webchat");
    assert!(conv["member_id"].is_null());
    let (_, d) = app
        .get(&t.token, &format!("/api/v1/conversations/{}", conv["id"]))
        .await;
    assert_eq!(d["messages"].as_array().unwrap().len(), 1);

    // Staff reply; the widget fetches both, and the reply becomes delivered.
    let (s, q) = app
        .send(
            Method::POST,
            &t.token,
            &format!("/api/v1/conversations/{}/messages", conv["id"]),
            Some(json!({"text": "Senin–Jumat 08.00–15.00"})),
        )
        .await;
    assert_eq!(s, 202);
    let mut got = Value::Null;
    for _ in 0..100 {
        let r = app
            .client
            .get(url(&format!("messages?after=0&token={token}")))
            .header("origin", SITE)
            .send()
            .await
            .unwrap();
        got = r.json().await.unwrap();
        if got["messages"].as_array().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let texts: Vec<(&str, &str)> = got["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        texts,
        [
            ("visitor", "Jam buka kantor koperasi?"),
            ("cooperative", "Senin–Jumat 08.00–15.00")
        ]
    );
    let (_, d) = app
        .get(&t.token, &format!("/api/v1/conversations/{}", conv["id"]))
        .await;
    let reply = d["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == q["message_id"])
        .unwrap()
        .clone();
    assert_eq!(reply["status"], "delivered");
    // Another visitor's token sees nothing of this conversation.
    let other: Value = app
        .client
        .post(url("session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r: Value = app
        .client
        .get(url(&format!(
            "messages?after=0&token={}",
            other["token"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["messages"], json!([]));
}
