//! Search over HTTP: `/api/v1/search` (problem JSON on bad input, in the OpenAPI
//! document) and the `/search` page, with messages that came in through the web chat
//! widget and the server's own workers. One cooperative never finds another's.

use crate::support::{PASSWORD, Tenant, TestApp};
use guyub_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

const SITE: &str = "https://koperasi.example";

/// A web chat channel and a visitor session on it: (channel id, visitor token).
async fn widget(app: &TestApp, t: &Tenant) -> (i64, String) {
    let (s, ch) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/channels",
            Some(json!({"kind": "webchat", "name": "Situs", "credentials": {"allowed_origins": SITE}})),
        )
        .await;
    assert_eq!(s, 201, "{ch}");
    let id = ch["id"].as_i64().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/webchat/{id}/session")))
        .header("origin", SITE)
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    (id, v["token"].as_str().unwrap().to_string())
}

async fn say(app: &TestApp, (id, token): &(i64, String), name: &str, client: &str, text: &str) {
    let r = app
        .client
        .post(app.url(&format!("/webchat/{id}/messages")))
        .header("origin", SITE)
        .json(&json!({"token": token, "text": text, "client_id": client, "name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

fn path(q: &str) -> String {
    format!(
        "/api/v1/search?{}",
        serde_urlencoded::to_string([("q", q)]).unwrap()
    )
}

/// Searches until `n` messages are found (the processor works in the background).
async fn wait_found(app: &TestApp, token: &str, q: &str, n: usize) -> Value {
    for _ in 0..200 {
        let (s, v) = app.get(token, &path(q)).await;
        assert_eq!(s, 200, "{v}");
        if v["messages"].as_array().map(Vec::len) == Some(n) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{q:?} never found {n} messages");
}

#[tokio::test]
async fn stemmed_search_over_the_api_stays_inside_the_cooperative() {
    let app = TestApp::spawn().await;
    let a = app.tenant("kop-a").await;
    let b = app.tenant("kop-b").await;
    let wa = widget(&app, &a).await;
    let wb = widget(&app, &b).await;
    say(
        &app,
        &wa,
        "Siti Aminah",
        "c1",
        "Selamat pagi, pinjaman saya belum dicairkan",
    )
    .await;
    say(
        &app,
        &wb,
        "Tetangga",
        "c1",
        "Pinjaman rahasia tetangga Rp5.000.000",
    )
    .await;

    let v = wait_found(&app, &a.token, "meminjam", 1).await;
    let hit = &v["messages"][0];
    assert_eq!(hit["contact_name"], "Siti Aminah");
    assert_eq!(hit["channel_kind"], "webchat");
    assert_eq!(hit["direction"], "in");
    assert_eq!(hit["matched"], json!(["pinjaman"]));
    assert_eq!(
        hit["snippet"],
        "Selamat pagi, pinjaman saya belum dicairkan"
    );
    assert!(
        hit["snippet_parts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["hit"] == true && p["text"] == "pinjaman")
    );
    assert_eq!(v["terms"], json!([["pinjam"]]));
    // The hit is the cooperative's real message in its real conversation.
    let (s, conv) = app
        .get(
            &a.token,
            &format!("/api/v1/conversations/{}", hit["conversation_id"]),
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        conv["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == hit["message_id"])
    );
    // The contact is found by name.
    let (_, v) = app.get(&a.token, &path("aminah")).await;
    assert_eq!(v["contacts"][0]["name"], "Siti Aminah");
    assert!(v["contacts"][0]["member_id"].is_null());

    // B's message is B's: A never finds it, B does.
    wait_found(&app, &b.token, "rahasia", 1).await;
    for q in ["rahasia", "tetangga", "5.000.000", "pinjaman rahasia"] {
        let (s, v) = app.get(&a.token, &path(q)).await;
        assert_eq!(s, 200);
        assert_eq!(v["messages"], json!([]), "{q}");
        assert_eq!(v["contacts"], json!([]), "{q}");
    }
    assert_eq!(
        wait_found(&app, &b.token, "pinjaman", 1).await["messages"][0]["contact_name"],
        "Tetangga"
    );

    // Only inbox roles search.
    let teller = app.token_for(&a, Role::Teller).await;
    let (s, p) = app.get(&teller, &path("pinjaman")).await;
    assert_eq!(s, 403, "{p}");
}

#[tokio::test]
async fn bad_input_is_problem_json_and_syntax_is_just_text() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop").await;
    let w = widget(&app, &t).await;
    say(
        &app,
        &w,
        "Budi",
        "c1",
        "Kredit \"macet\" (lagi) - tolong cek*",
    )
    .await;
    wait_found(&app, &t.token, "macet", 1).await;

    for (p, field) in [
        (path(""), "q"),
        (path("   "), "q"),
        (path(&"pinjaman ".repeat(25)), "q"),
        ("/api/v1/search?q=macet&limit=0".to_string(), "limit"),
        ("/api/v1/search?q=macet&limit=51".to_string(), "limit"),
        ("/api/v1/search?q=macet&offset=-5".to_string(), "offset"),
        (
            "/api/v1/search?q=macet&scope=everything".to_string(),
            "scope",
        ),
        (
            "/api/v1/search?q=macet&channel=pigeon".to_string(),
            "channel",
        ),
    ] {
        let (s, v) = app.get(&t.token, &p).await;
        assert_eq!(s, 422, "{p}: {v}");
        assert_eq!(v["field"], field, "{p}: {v}");
        assert!(v["detail"].as_str().unwrap().starts_with(field), "{v}");
    }
    // Without q, or with a limit that is not a number: a problem too (400).
    for p in ["/api/v1/search", "/api/v1/search?q=macet&limit=banyak"] {
        let (s, v) = app.get(&t.token, p).await;
        assert_eq!(s, 400, "{p}: {v}");
    }
    for q in [
        "\"",
        "\"macet",
        "macet*",
        "*",
        "(macet",
        "-macet",
        "NEAR",
        "NEAR(macet kredit)",
        "macet OR",
        "'",
        "'; DROP TABLE messages; --",
        "\\",
        "macet & !kredit",
        "😀",
        "🙏 macet 🙏",
        "coop : k1",
    ] {
        let (s, v) = app.get(&t.token, &path(q)).await;
        assert_eq!(s, 200, "{q:?}: {v}");
    }
    let (_, v) = app.get(&t.token, &path("(macet")).await;
    assert_eq!(v["messages"].as_array().unwrap().len(), 1);
    let (_, v) = app.get(&t.token, &path("😀")).await;
    assert_eq!(v["terms"], json!([]));
    assert_eq!(v["messages"], json!([]));

    // Paging and scope.
    let (_, v) = app
        .get(&t.token, "/api/v1/search?q=macet&scope=contacts&limit=5")
        .await;
    assert_eq!(v["messages"], json!([]));
    assert_eq!(v["limit"], 5);
    let (_, v) = app.get(&t.token, "/api/v1/search?q=macet&offset=1").await;
    assert_eq!(v["messages"], json!([]));
    assert_eq!(v["offset"], 1);

    // The route is in the OpenAPI document, under "inbox".
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let op = &doc["paths"]["/api/v1/search"]["get"];
    assert_eq!(op["tags"], json!(["inbox"]), "{op}");
    let params: Vec<&str> = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in ["q", "limit", "offset", "scope", "channel"] {
        assert!(params.contains(&p), "{params:?}");
    }
}

#[tokio::test]
async fn the_search_page_links_to_the_message_and_the_contact() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop").await;
    let w = widget(&app, &t).await;
    say(
        &app,
        &w,
        "Dewi <Lestari>",
        "c1",
        "Apakah simpanan <b>wajib</b> bisa dicicil?",
    )
    .await;
    let v = wait_found(&app, &t.token, "menyimpan", 1).await;
    let hit = &v["messages"][0];
    let (conv, msg, contact) = (
        hit["conversation_id"].as_i64().unwrap(),
        hit["message_id"].as_i64().unwrap(),
        hit["contact_id"].as_i64().unwrap(),
    );
    let session = app.login("kop", &t.owner_email, PASSWORD).await.unwrap();

    let (s, _, html) = app.page(&session, "/search").await;
    assert_eq!(s, 200);
    assert!(html.contains("name=\"q\""), "{html}");
    assert!(
        !html.contains("search-messages"),
        "no results before a search"
    );

    let (s, _, html) = app.page(&session, "/search?q=penyimpanan").await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("href=\"/conversations/{conv}#m{msg}\"")),
        "{html}"
    );
    assert!(html.contains("<mark>simpanan</mark>"), "{html}");
    // Text from the member is escaped, never markup.
    assert!(html.contains("&#60;b&#62;wajib&#60;/b&#62;"), "{html}");
    assert!(!html.contains("<b>wajib</b>"));

    let (_, _, html) = app.page(&session, "/search?q=lestari").await;
    assert!(
        html.contains(&format!("href=\"/contacts/{contact}\"")),
        "{html}"
    );
    assert!(html.contains("Dewi &#60;Lestari&#62;"), "{html}");

    // Refusals in the user's language (Indonesian by default).
    let (s, _, html) = app.page(&session, "/search?q=%20%20").await;
    assert_eq!(s, 422);
    assert!(html.contains("Ketik kata yang dicari."), "{html}");
    let long = "a".repeat(201);
    let (s, _, html) = app.page(&session, &format!("/search?q={long}")).await;
    assert_eq!(s, 422);
    assert!(html.contains("Pencarian paling panjang 200 karakter."));
    let (s, _, html) = app.page(&session, "/search?q=%F0%9F%98%80").await;
    assert_eq!(s, 200);
    assert!(html.contains("Tidak ada kata yang bisa dicari"), "{html}");
}
