//! The unified inbox through the JSON API, the pages and the live feed: one
//! conversation across a member's channels (and splitting it), routing, the agent's
//! actions and their refusals, filters and counts, and server-sent events.

use crate::support::{PASSWORD, Tenant, TestApp, hidden_csrf};
use guyub_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

const PHONE: &str = "6281234567890";
const TG: &str = "500123456";

async fn post(app: &TestApp, t: &Tenant, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
    app.send(Method::POST, &t.token, path, Some(body)).await
}

/// A member with a phone (WhatsApp finds them by it).
async fn member(app: &TestApp, t: &Tenant, name: &str, phone: &str) -> i64 {
    let (s, m) = post(
        app,
        t,
        "/api/v1/members",
        json!({"name": name, "phones": [phone]}),
    )
    .await;
    assert_eq!(s, 201, "{m}");
    m["id"].as_i64().unwrap()
}

/// Waits until the list (with `query`) has `n` conversations; returns it.
async fn list_of(app: &TestApp, t: &Tenant, query: &str, n: usize) -> Vec<Value> {
    let mut last = Value::Null;
    for _ in 0..200 {
        let (s, v) = app
            .get(&t.token, &format!("/api/v1/conversations{query}"))
            .await;
        assert_eq!(s, 200, "{v}");
        if v.as_array().map(Vec::len) == Some(n) {
            return v.as_array().unwrap().clone();
        }
        last = v;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("expected {n} conversations for {query:?}, got {last}");
}

async fn detail(app: &TestApp, t: &Tenant, id: i64) -> Value {
    let (s, v) = app
        .get(&t.token, &format!("/api/v1/conversations/{id}"))
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn messages_count(app: &TestApp, t: &Tenant, id: i64, n: usize) -> Value {
    for _ in 0..200 {
        let d = detail(app, t, id).await;
        if d["messages"].as_array().unwrap().len() == n {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "conversation {id} never had {n} messages: {}",
        detail(app, t, id).await
    );
}

#[tokio::test]
async fn a_member_on_two_channels_is_one_conversation_that_can_be_split() {
    let app = TestApp::spawn().await;
    let t = app.tenant("grup").await;
    let wa = app.channel(&t, "whatsapp").await;
    let tg = app.channel(&t, "telegram").await;
    let member_id = member(&app, &t, "Siti Aminah", "0812-3456-7890").await;

    app.member_writes(wa, PHONE, "Siti", "Halo, saya mau tanya pinjaman")
        .await;
    let list = list_of(&app, &t, "", 1).await;
    let conv = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["member_id"], member_id);
    assert_eq!(list[0]["verified"], true, "WhatsApp vouches for the phone");
    assert_eq!(list[0]["unread"], 1);
    assert_eq!(list[0]["preview"], "Halo, saya mau tanya pinjaman");
    let contact = list[0]["contact_id"].as_i64().unwrap();

    // The member's Telegram account is added to the same contact; their message there
    // joins the open conversation.
    let (s, v) = post(
        &app,
        &t,
        &format!("/api/v1/contacts/{contact}/identities"),
        json!({"kind": "telegram", "external_id": TG}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    app.member_writes(tg, TG, "Siti", "Ini saya juga, dari Telegram")
        .await;
    let d = messages_count(&app, &t, conv, 2).await;
    assert_eq!(d["asked_on"], json!(["whatsapp", "telegram"]));
    assert_eq!(list_of(&app, &t, "", 1).await[0]["id"], conv);
    // Reading it marked it read.
    assert_eq!(list_of(&app, &t, "", 1).await[0]["unread"], 0);
    let options = d["reply_options"].as_array().unwrap();
    assert_eq!(options.len(), 2, "{d}");
    assert_eq!(
        options[0]["channel_kind"], "telegram",
        "the channel last used comes first"
    );
    assert_eq!(options[0]["default"], true);
    assert!(options.iter().all(|o| o["window_open"] == true));

    // The agent answers once, on WhatsApp (their pick), and it reaches the provider.
    let seen = d["seen"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{conv}/messages"),
        json!({"text": "Baik Bu Siti, kami bantu.", "channel_id": wa, "seen": seen}),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    app.eventually("the WhatsApp fake received the reply", || async {
        app.sim_sent()
            .await
            .iter()
            .any(|m| m["kind"] == "whatsapp" && m.to_string().contains("Baik Bu Siti"))
    })
    .await;
    let after = detail(&app, &t, conv).await;
    assert!(
        after["conversation"]["sla"]["first_response_at_ms"].is_i64(),
        "{after}"
    );

    // A wrongly grouped message is split out, with what followed it from there.
    let tg_msg = d["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["channel_id"] == tg)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, v) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{conv}/split"),
        json!({"message_id": tg_msg}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let fresh = v["id"].as_i64().unwrap();
    assert_ne!(fresh, conv);
    let moved = detail(&app, &t, fresh).await;
    assert_eq!(moved["messages"].as_array().unwrap().len(), 1, "{moved}");
    assert_eq!(moved["messages"][0]["id"], tg_msg);
    let kept = detail(&app, &t, conv).await;
    assert_eq!(
        kept["messages"].as_array().unwrap().len(),
        2,
        "the WhatsApp message and the reply stay"
    );
    assert!(
        kept["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "split")
    );
    list_of(&app, &t, "", 2).await;
    // Refusals: a reply from the cooperative cannot be split out; nor the only thread.
    let out_id = kept["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["direction"] == "out")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, v) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{conv}/split"),
        json!({"message_id": out_id}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{fresh}/split"),
        json!({"message_id": tg_msg}),
    )
    .await;
    assert_eq!(s, 422, "{v}");

    // With the grouping window at 0, a new message on the other channel opens its own
    // conversation.
    for id in [conv, fresh] {
        let (s, v) = post(
            &app,
            &t,
            &format!("/api/v1/conversations/{id}/status"),
            json!({"action": "resolve"}),
        )
        .await;
        assert_eq!(s, 204, "{v}");
    }
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/inbox/settings",
            Some(
                json!({"group_window_minutes": 0, "leave_policy": "requeue", "auto_assign": true}),
            ),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/inbox/settings",
            Some(
                json!({"group_window_minutes": -5, "leave_policy": "requeue", "auto_assign": true}),
            ),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["field"], "group_window_minutes");
    app.member_writes(wa, PHONE, "Siti", "Pertanyaan baru")
        .await;
    list_of(&app, &t, "", 1).await;
    app.member_writes(tg, TG, "Siti", "Dan satu lagi di Telegram")
        .await;
    let open = list_of(&app, &t, "", 2).await;
    assert!(open.iter().any(|c| c["channel_kind"] == "telegram"));
    assert!(open.iter().any(|c| c["channel_kind"] == "whatsapp"));
}

/// Logs a staff member of `role` in; returns (user id, session, csrf).
async fn agent(app: &TestApp, t: &Tenant, name: &str) -> (i64, String, String) {
    let email = format!("{name}@{}.id", t.coop.slug);
    let u = guyub_services::staff::add_user(
        &app.db,
        &t.actor,
        guyub_services::staff::AddUser {
            email: &email,
            name,
            role: Role::Agent,
            password: PASSWORD,
            locale: "id",
        },
    )
    .await
    .unwrap();
    let session = app.login(&t.coop.slug, &email, PASSWORD).await.unwrap();
    let (_, _, html) = app.page(&session, "/conversations").await;
    (u.id.0, session, hidden_csrf(&html))
}

async fn presence(app: &TestApp, session: &str, csrf: &str, p: &str) {
    let (s, _, body) = app
        .post_form(
            session,
            "/inbox/presence",
            &[("_csrf", csrf), ("presence", p), ("back", "/conversations")],
        )
        .await;
    assert_eq!(s, 303, "{body}");
}

fn assignee_of(list: &[Value], name: &str) -> Option<i64> {
    list.iter()
        .find(|c| c["contact_name"] == name)
        .and_then(|c| c["assignee_id"].as_i64())
}

#[tokio::test]
async fn routing_is_round_robin_under_capacity_with_verified_members_first() {
    let app = TestApp::spawn().await;
    let t = app.tenant("rute").await;
    let wa = app.channel(&t, "whatsapp").await;
    let (ani, ani_s, ani_c) = agent(&app, &t, "ani").await;
    let (budi, budi_s, budi_c) = agent(&app, &t, "budi").await;
    for u in [ani, budi] {
        let (s, v) = app
            .send(
                Method::PUT,
                &t.token,
                &format!("/api/v1/agents/{u}"),
                Some(json!({"capacity": 1, "skills": ["simpanan"]})),
            )
            .await;
        assert_eq!(s, 204, "{v}");
    }
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            &format!("/api/v1/agents/{ani}"),
            Some(json!({"capacity": 0, "skills": []})),
        )
        .await;
    assert_eq!(s, 422, "{v}");

    // Nobody is online: a non-member writes first, then a member.
    member(&app, &t, "Wati Anggota", "0813-1111-2222").await;
    app.member_writes(wa, "6289999000111", "Tamu Umum", "Ada promo?")
        .await;
    list_of(&app, &t, "?assignee=none", 1).await;
    app.member_writes(wa, "6281311112222", "Wati", "Cek simpanan saya")
        .await;
    let waiting = list_of(&app, &t, "?assignee=none", 2).await;
    assert!(waiting.iter().all(|c| c["assignee_id"].is_null()));
    let (_, counts) = app.get(&t.token, "/api/v1/inbox/counts").await;
    assert_eq!(counts["unassigned"], 2, "{counts}");

    // Ani comes online with room for one: the verified member goes first.
    presence(&app, &ani_s, &ani_c, "online").await;
    let list = list_of(&app, &t, "", 2).await;
    assert_eq!(assignee_of(&list, "Wati Anggota"), Some(ani), "{list:?}");
    assert_eq!(assignee_of(&list, "Tamu Umum"), None);
    // Budi comes online: he takes the other.
    presence(&app, &budi_s, &budi_c, "online").await;
    let list = list_of(&app, &t, "", 2).await;
    assert_eq!(assignee_of(&list, "Tamu Umum"), Some(budi));
    let (_, agents) = app.get(&t.token, "/api/v1/agents").await;
    let load = |id: i64| {
        agents
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["user_id"] == id)
            .unwrap()["load"]
            .clone()
    };
    assert_eq!(load(ani), 1);
    assert_eq!(load(budi), 1);

    // A third conversation waits (both are full) until Ani resolves hers.
    app.member_writes(wa, "6287777000333", "Tamu Dua", "Jam buka?")
        .await;
    list_of(&app, &t, "?assignee=none", 1).await;
    let wati = list
        .iter()
        .find(|c| c["contact_name"] == "Wati Anggota")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, v) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{wati}/status"),
        json!({"action": "resolve"}),
    )
    .await;
    assert_eq!(s, 204, "{v}");
    let open = list_of(&app, &t, "", 2).await;
    assert_eq!(assignee_of(&open, "Tamu Dua"), Some(ani));

    // Budi leaves: with the default policy his conversation goes back to the queue…
    presence(&app, &budi_s, &budi_c, "offline").await;
    let open = list_of(&app, &t, "?assignee=none", 1).await;
    assert_eq!(open[0]["contact_name"], "Tamu Umum");
    let d = detail(&app, &t, open[0]["id"].as_i64().unwrap()).await;
    assert!(
        d["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "requeued"),
        "{d}"
    );
    // …and an API token has no presence to set.
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/agents/me/presence",
            Some(json!({"presence": "online"})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
}

#[tokio::test]
async fn agent_actions_filters_and_their_refusals() {
    let app = TestApp::spawn().await;
    let t = app.tenant("aksi").await;
    let other = app.tenant("lain").await;
    let wa = app.channel(&t, "whatsapp").await;
    let tg = app.channel(&t, "telegram").await;
    member(&app, &t, "Rina", "0812-0000-1111").await;
    app.member_writes(wa, "6281200001111", "Rina", "Saldo wajib saya berapa?")
        .await;
    app.member_writes(tg, "700100", "Joko", "Halo toko").await;
    let list = list_of(&app, &t, "", 2).await;
    let rina = list
        .iter()
        .find(|c| c["channel_kind"] == "whatsapp")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let joko = list
        .iter()
        .find(|c| c["channel_kind"] == "telegram")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = |id: i64, what: &str| format!("/api/v1/conversations/{id}/{what}");

    // Filters.
    assert_eq!(
        list_of(&app, &t, "?channel=telegram", 1).await[0]["id"],
        joko
    );
    assert_eq!(list_of(&app, &t, "?member=true", 1).await[0]["id"], rina);
    assert_eq!(list_of(&app, &t, "?member=false", 1).await[0]["id"], joko);
    assert_eq!(list_of(&app, &t, "?verified=true", 1).await[0]["id"], rina);
    list_of(&app, &t, "?unread=true", 2).await;
    for (bad, field) in [
        ("?status=closed", "status"),
        ("?channel=fax", "channel"),
        ("?assignee=someone", "assignee"),
        ("?assignee=me", "assignee"),
        ("?before_ms=5", "before_id"),
    ] {
        let (s, v) = app
            .get(&t.token, &format!("/api/v1/conversations{bad}"))
            .await;
        assert_eq!(s, 422, "{bad}: {v}");
        assert_eq!(v["status"], 422);
        assert_eq!(v["field"], field, "{bad}: {v}");
    }

    // Labels, notes, priority.
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "labels"),
        json!({"label": "Simpanan Wajib"}),
    )
    .await;
    assert_eq!(s, 204, "{v}");
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "labels"),
        json!({"label": "<script>"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(
        list_of(&app, &t, "?label=simpanan%20wajib", 1).await[0]["labels"],
        json!(["simpanan wajib"])
    );
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "notes"),
        json!({"body": "Sudah dicek di buku simpanan."}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = post(&app, &t, &path(rina, "notes"), json!({"body": "   "})).await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "priority"),
        json!({"priority": "urgent"}),
    )
    .await;
    assert_eq!(s, 204, "{v}");
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "priority"),
        json!({"priority": "kritis"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let d = detail(&app, &t, rina).await;
    let kinds: Vec<&str> = d["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"note") && kinds.contains(&"labelled") && kinds.contains(&"priority"),
        "{kinds:?}"
    );
    assert_eq!(d["conversation"]["priority"], "urgent");
    // A private note is never sent to anyone.
    assert!(
        !app.sim_sent()
            .await
            .iter()
            .any(|m| m.to_string().contains("buku simpanan"))
    );

    // Assignment to an agent of another cooperative, or to a team that is not ours.
    let stranger = guyub_services::staff::add_user(
        &app.db,
        &other.actor,
        guyub_services::staff::AddUser {
            email: "x@lain.id",
            name: "X",
            role: Role::Agent,
            password: PASSWORD,
            locale: "id",
        },
    )
    .await
    .unwrap();
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "assign"),
        json!({"user_id": stranger.id.0}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["field"], "assignee");
    let (s, v) = app
        .send(
            Method::POST,
            &other.token,
            "/api/v1/teams",
            Some(json!({"name": "Tim Lain"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = post(&app, &t, &path(rina, "assign"), json!({"team_id": v["id"]})).await;
    assert_eq!(s, 422, "{v}");
    let (s, team) = post(
        &app,
        &t,
        "/api/v1/teams",
        json!({"name": "Simpanan", "skill": "simpanan"}),
    )
    .await;
    assert_eq!(s, 201, "{team}");
    let (s, v) = post(&app, &t, "/api/v1/teams", json!({"name": "Simpanan"})).await;
    assert_eq!(s, 409, "{v}");
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "assign"),
        json!({"team_id": team["id"]}),
    )
    .await;
    assert_eq!(s, 204, "{v}");
    assert_eq!(
        list_of(&app, &t, &format!("?team_id={}", team["id"]), 1).await[0]["id"],
        rina
    );

    // Snooze: a time in the past is refused; a good one moves it to the snoozed view,
    // and the member writing wakes it.
    let now = guyub_store::now_ms();
    let (s, v) = post(
        &app,
        &t,
        &path(joko, "status"),
        json!({"action": "snooze", "until_ms": now - 1000}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = post(
        &app,
        &t,
        &path(joko, "status"),
        json!({"action": "snooze", "until_ms": now + 3_600_000}),
    )
    .await;
    assert_eq!(s, 204, "{v}");
    assert_eq!(list_of(&app, &t, "?status=snoozed", 1).await[0]["id"], joko);
    app.member_writes(tg, "700100", "Joko", "Masih ada?").await;
    list_of(&app, &t, "?status=snoozed", 0).await;
    assert_eq!(
        list_of(&app, &t, "?channel=telegram", 1).await[0]["status"],
        "open"
    );

    // A stale reply: the member wrote after the agent's page was loaded.
    let seen = detail(&app, &t, joko).await["seen"].as_i64().unwrap();
    app.member_writes(tg, "700100", "Joko", "Halo??").await;
    messages_count(&app, &t, joko, 3).await;
    let before = app.sim_sent().await.len();
    let (s, v) = post(
        &app,
        &t,
        &path(joko, "messages"),
        json!({"text": "Ada, Pak.", "seen": seen}),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    let (s, v) = post(
        &app,
        &t,
        &path(joko, "status"),
        json!({"action": "resolve", "seen": seen}),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(
        detail(&app, &t, joko).await["conversation"]["status"],
        "open"
    );

    // A closed WhatsApp window: free text is refused and nothing goes; the template may.
    sqlx::query(
        "UPDATE messages SET created_at = created_at - 90000000 WHERE conversation_id = $1",
    )
    .bind(rina)
    .execute(&mut *app.db.conn().await.unwrap())
    .await
    .unwrap();
    let d = detail(&app, &t, rina).await;
    let wa_opt = &d["reply_options"][0];
    assert_eq!(wa_opt["window_open"], false, "{d}");
    assert_eq!(wa_opt["template_allowed"], true);
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "messages"),
        json!({"text": "Halo Bu"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(
        detail(&app, &t, rina).await["messages"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing queued"
    );
    let (s, v) = post(
        &app,
        &t,
        &path(rina, "messages"),
        json!({"template": "info_saldo", "template_params": ["Rina"]}),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    app.eventually("the template reached WhatsApp", || async {
        app.sim_sent()
            .await
            .iter()
            .any(|m| m.to_string().contains("info_saldo"))
    })
    .await;
    assert!(app.sim_sent().await.len() > before);

    // Another cooperative sees none of it.
    for p in [
        format!("/api/v1/conversations/{rina}"),
        format!("/api/v1/conversations/{rina}/messages"),
    ] {
        let (s, _) = app.get(&other.token, &p).await;
        assert_eq!(s, 404, "{p}");
    }
    let (s, _) = app
        .send(
            Method::POST,
            &other.token,
            &path(rina, "notes"),
            Some(json!({"body": "x"})),
        )
        .await;
    assert_eq!(s, 404);
    let (_, list) = app
        .get(&other.token, "/api/v1/conversations?status=all")
        .await;
    assert_eq!(list, json!([]));
}

/// Reads server-sent events from a response until `want` shows up (or times out).
async fn read_until(res: &mut reqwest::Response, want: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains(want) {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, res.chunk()).await {
            Ok(Ok(Some(c))) => seen.push_str(&String::from_utf8_lossy(&c)),
            _ => panic!("no {want:?} in the feed; got {seen:?}"),
        }
    }
    seen
}

#[tokio::test]
async fn the_live_feed_tells_each_cooperative_only_its_own_changes() {
    let app = TestApp::spawn().await;
    let t = app.tenant("live").await;
    let o = app.tenant("liyan").await;
    let wa = app.channel(&t, "whatsapp").await;
    let owa = app.channel(&o, "whatsapp").await;
    let session = app
        .login(&t.coop.slug, &t.owner_email, PASSWORD)
        .await
        .unwrap();
    let mut res = app
        .client
        .get(app.url("/inbox/events"))
        .header("cookie", format!("guyub_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    // The other cooperative's message comes first; ours second; only ours arrives.
    app.member_writes(owa, "6281111000000", "Orang Lain", "rahasia koperasi lain")
        .await;
    app.member_writes(wa, "6282222000000", "Ana", "Halo").await;
    let feed = read_until(&mut res, "event: message.created").await;
    let list = list_of(&app, &t, "", 1).await;
    let id = list[0]["id"].as_i64().unwrap();
    let want = format!("\"conversation_id\":{id},");
    let feed = if feed.contains(&want) {
        feed
    } else {
        format!("{feed}{}", read_until(&mut res, &want).await)
    };
    let (_, theirs) = app.get(&o.token, "/api/v1/conversations").await;
    let their_id = theirs[0]["id"].as_i64().unwrap();
    assert_ne!(their_id, id);
    assert!(
        !feed.contains(&format!("\"conversation_id\":{their_id},")),
        "{feed}"
    );
    // An agent's action is live too.
    let (s, _) = post(
        &app,
        &t,
        &format!("/api/v1/conversations/{id}/notes"),
        json!({"body": "cek"}),
    )
    .await;
    assert_eq!(s, 201);
    read_until(&mut res, "event: conversation.updated").await;
    // Without a session there is no feed.
    let res = app
        .client
        .get(app.url("/inbox/events"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200);
}

#[tokio::test]
async fn the_inbox_pages_work_without_script() {
    let app = TestApp::spawn().await;
    let t = app.tenant("halaman").await;
    let wa = app.channel(&t, "whatsapp").await;
    let tg = app.channel(&t, "telegram").await;
    let session = app
        .login(&t.coop.slug, &t.owner_email, PASSWORD)
        .await
        .unwrap();
    member(&app, &t, "Dewi", "0812-5555-6666").await;
    app.member_writes(wa, "6281255556666", "Dewi", "Mau setor simpanan")
        .await;
    let id = list_of(&app, &t, "", 1).await[0]["id"].as_i64().unwrap();
    let contact = list_of(&app, &t, "", 1).await[0]["contact_id"]
        .as_i64()
        .unwrap();
    post(
        &app,
        &t,
        &format!("/api/v1/contacts/{contact}/identities"),
        json!({"kind": "telegram", "external_id": "900900"}),
    )
    .await;
    app.member_writes(tg, "900900", "Dewi", "Ini Telegram saya")
        .await;
    messages_count(&app, &t, id, 2).await;

    let (s, _, list) = app.page(&session, "/conversations").await;
    assert_eq!(s, 200);
    assert!(
        list.contains("Semua terbuka")
            && list.contains("Belum ditugaskan")
            && list.contains("/assets/inbox.js"),
        "{list}"
    );
    assert!(
        list.contains("Ini Telegram saya"),
        "the preview shows the last message"
    );
    let (_, _, page) = app.page(&session, &format!("/conversations/{id}")).await;
    assert!(page.contains("juga bertanya lewat"), "{page}");
    assert!(
        page.contains("Pisahkan"),
        "a grouped message can be split out"
    );
    let csrf = hidden_csrf(&page);
    let p = |what: &str| format!("/conversations/{id}/{what}");

    let (s, h, body) = app
        .post_form(
            &session,
            &p("note"),
            &[("_csrf", &csrf), ("note", "Anggota lama, ramah.")],
        )
        .await;
    assert_eq!(s, 303, "{body}");
    assert_eq!(h["location"], format!("/conversations/{id}"));
    let (s, _, body) = app
        .post_form(
            &session,
            &p("label"),
            &[("_csrf", &csrf), ("label", "setoran")],
        )
        .await;
    assert_eq!(s, 303, "{body}");
    let (s, _, body) = app
        .post_form(
            &session,
            &p("assign"),
            &[("_csrf", &csrf), ("user", "me"), ("team", "")],
        )
        .await;
    assert_eq!(s, 303, "{body}");
    // Refused on the page, in words, with the typed text kept.
    let (s, _, body) = app
        .post_form(
            &session,
            &p("reply"),
            &[("_csrf", &csrf), ("text", "Baik, ditunggu"), ("seen", "1")],
        )
        .await;
    assert_eq!(s, 422, "{body}");
    assert!(
        body.contains("Baik, ditunggu") && body.contains("wrote again"),
        "{body}"
    );
    let (s, _, body) = app
        .post_form(
            &session,
            &p("status"),
            &[("_csrf", &csrf), ("action", "snooze"), ("snooze", "")],
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let (s, _, _) = app
        .post_form(&session, &p("note"), &[("note", "tanpa token")])
        .await;
    assert_eq!(s, 403, "no CSRF token, no note");

    let (_, _, page) = app.page(&session, &format!("/conversations/{id}")).await;
    assert!(
        page.contains("Anggota lama, ramah.")
            && page.contains("setoran")
            && page.contains("Ditugaskan ke"),
        "{page}"
    );
    let seen = page
        .split("name=\"seen\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (s, _, body) = app
        .post_form(
            &session,
            &p("reply"),
            &[
                ("_csrf", &csrf),
                ("text", "Baik, ditunggu"),
                ("seen", &seen),
            ],
        )
        .await;
    assert_eq!(s, 303, "{body}");
    let (s, _, body) = app
        .post_form(
            &session,
            &p("status"),
            &[("_csrf", &csrf), ("action", "resolve"), ("seen", &seen)],
        )
        .await;
    assert_eq!(s, 303, "{body}");
    let (_, _, resolved) = app.page(&session, "/conversations?view=resolved").await;
    assert!(resolved.contains("Dewi"), "{resolved}");
    let (_, _, mine) = app.page(&session, "/conversations?view=mine").await;
    assert!(
        !mine.contains(&format!("/conversations/{id}\"")),
        "resolved is not in my open view"
    );
}

/// An agent answers through the API and resolves the conversation.
async fn reply_and_resolve(app: &TestApp, t: &Tenant, id: i64, text: &str) {
    let (s, v) = post(
        app,
        t,
        &format!("/api/v1/conversations/{id}/messages"),
        json!({"text": text}),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let (s, v) = post(
        app,
        t,
        &format!("/api/v1/conversations/{id}/status"),
        json!({"action": "resolve"}),
    )
    .await;
    assert_eq!(s, 204, "{v}");
}

#[tokio::test]
async fn a_resolved_conversation_asks_for_a_rating_and_keeps_the_answer() {
    let app = TestApp::spawn().await;
    let t = app.tenant("puas").await;
    let wa = app.channel(&t, "whatsapp").await;
    app.member_writes(
        wa,
        "6281300001111",
        "Nina",
        "Bagaimana cara daftar anggota?",
    )
    .await;
    let id = list_of(&app, &t, "", 1).await[0]["id"].as_i64().unwrap();
    reply_and_resolve(&app, &t, id, "Isi formulir di kantor, Bu.").await;
    app.eventually("the survey reached WhatsApp", || async {
        app.sim_sent()
            .await
            .iter()
            .any(|m| m.to_string().contains("Seberapa puas"))
    })
    .await;

    // The answer stays in the resolved conversation; it does not reopen it.
    app.member_writes(wa, "6281300001111", "Nina", "4 cepat dan jelas")
        .await;
    let d = messages_count(&app, &t, id, 4).await;
    assert_eq!(d["conversation"]["status"], "resolved");
    assert!(
        d["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "csat" && e["detail"] == "4"),
        "{d}"
    );
    list_of(&app, &t, "", 0).await;
    let (s, rows) = app.get(&t.token, "/api/v1/inbox/csat").await;
    assert_eq!(s, 200, "{rows}");
    let channel = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["by"] == "channel")
        .unwrap();
    assert_eq!(channel["id"], wa);
    assert_eq!(channel["sent"], 1);
    assert_eq!(channel["answered"], 1);
    assert_eq!(channel["average"], 4.0);
    assert_eq!(channel["satisfied_percent"], 100.0);
    let (s, v) = app
        .get(&t.token, "/api/v1/inbox/csat?from_ms=10&to_ms=5")
        .await;
    assert_eq!(s, 422, "{v}");

    // Answered once: the next message is a new question, in a new conversation.
    app.member_writes(wa, "6281300001111", "Nina", "5").await;
    let open = list_of(&app, &t, "", 1).await;
    assert_ne!(open[0]["id"], id);
    let session = app
        .login(&t.coop.slug, &t.owner_email, PASSWORD)
        .await
        .unwrap();
    let (s, _, page) = app.page(&session, "/inbox/csat").await;
    assert_eq!(s, 200);
    assert!(page.contains("4.00") && page.contains("100.0%"), "{page}");
    let (s, _, page) = app.page(&session, "/inbox/csat?from=kemarin").await;
    assert_eq!(s, 422, "{page}");
}

#[tokio::test]
async fn a_cooperative_that_turned_surveys_off_sends_none_on_resolve() {
    let app = TestApp::spawn().await;
    let t = app.tenant("tanpa-survei").await;
    let wa = app.channel(&t, "whatsapp").await;
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/inbox/settings",
            Some(json!({"group_window_minutes": 1440, "leave_policy": "requeue", "auto_assign": true, "csat_enabled": false})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["csat_enabled"], false);
    let (_, v) = app.get(&t.token, "/api/v1/inbox/settings").await;
    assert_eq!(v["csat_enabled"], false, "{v}");
    app.member_writes(wa, "6281300002222", "Rina", "Jam buka kantor?")
        .await;
    let id = list_of(&app, &t, "", 1).await[0]["id"].as_i64().unwrap();
    reply_and_resolve(&app, &t, id, "Senin sampai Jumat, 08.00–15.00.").await;
    // The survey would be queued in the resolving transaction: it is not there.
    let d = detail(&app, &t, id).await;
    assert_eq!(d["conversation"]["status"], "resolved");
    assert_eq!(d["messages"].as_array().unwrap().len(), 2, "{d}");
    assert!(
        !d["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "csat_sent"),
        "{d}"
    );
    // A setting left out of a PUT keeps surveys on (the default).
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/inbox/settings",
            Some(json!({"group_window_minutes": 1440, "leave_policy": "requeue", "auto_assign": true})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["csat_enabled"], true);
}

#[tokio::test]
async fn a_web_process_hears_what_the_worker_process_committed() {
    let worker = TestApp::spawn().await;
    if worker.db.engine() != guyub_store::Engine::Postgres {
        // SQLite is one process by design: no relay to test.
        return;
    }
    let web = worker.beside(&[("GUYUB_WORKERS", "false")]).await;
    let t = worker.tenant("dua-proses").await;
    let wa = worker.channel(&t, "whatsapp").await;
    let mut res = web
        .client
        .get(web.url("/api/v1/inbox/events"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The worker process takes the webhook, processes and commits; the web process
    // (no workers) streams the event to its client.
    worker
        .member_writes(wa, "6281277778888", "Wati", "Halo dari proses lain")
        .await;
    let feed = read_until(&mut res, "event: message.created").await;
    let id = list_of(&web, &t, "", 1).await[0]["id"].as_i64().unwrap();
    assert!(
        feed.contains(&format!("\"conversation_id\":{id},")),
        "{feed}"
    );
    // And the other way: an agent's note on the web process reaches the worker's feed.
    let mut on_worker = worker
        .client
        .get(worker.url("/api/v1/inbox/events"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    let (s, _) = post(
        &web,
        &t,
        &format!("/api/v1/conversations/{id}/notes"),
        json!({"body": "dicek di proses web"}),
    )
    .await;
    assert_eq!(s, 201);
    read_until(&mut on_worker, "event: conversation.updated").await;
}
