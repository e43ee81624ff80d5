//! The inbox routing settings page: the grouping window, the leave policy and
//! auto-assignment, agents' capacity and skills, teams, and skill rules, changed
//! through the forms and seen on the page and through the JSON API; refusals, roles
//! and the CSRF check.

use crate::support::{PASSWORD, Tenant, TestApp, hidden_csrf};
use guyub_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Adds a staff member of `role` and logs them in; returns (user id, session).
async fn staff(app: &TestApp, t: &Tenant, name: &str, role: Role) -> (i64, String) {
    let email = format!("{}@{}.id", name.to_lowercase(), t.coop.slug);
    let u = guyub_services::staff::add_user(
        &app.db,
        &t.actor,
        guyub_services::staff::AddUser {
            email: &email,
            name,
            role,
            password: PASSWORD,
            locale: "id",
        },
    )
    .await
    .unwrap();
    let session = app.login(&t.coop.slug, &email, PASSWORD).await.unwrap();
    (u.id.0, session)
}

async fn api(app: &TestApp, t: &Tenant, path: &str) -> Value {
    let (s, v) = app.get(&t.token, path).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

fn agent_of(agents: &Value, id: i64) -> Value {
    agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["user_id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

fn redirected(s: StatusCode, h: &reqwest::header::HeaderMap, flash: &str, body: &str) {
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        h["location"].to_str().unwrap(),
        format!("/settings/inbox?ok={flash}")
    );
}

#[tokio::test]
async fn an_owner_changes_routing_through_the_page() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-routing").await;
    let (putri, _) = staff(&app, &t, "Putri", Role::Agent).await;
    let session = app
        .login("kop-routing", &t.owner_email, PASSWORD)
        .await
        .unwrap();
    let (s, _, html) = app.page(&session, "/settings/inbox").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Pengelompokan dan pembagian"), "{html}");
    assert!(html.contains("href=\"/settings/inbox\""), "menu link");
    assert!(html.contains("name=\"group_window_minutes\" value=\"1440\""));
    assert!(html.contains(&format!("action=\"/settings/inbox/agents/{putri}\"")));
    let csrf = hidden_csrf(&html);

    // 1. Settings.
    let (s, h, body) = app
        .post_form(
            &session,
            "/settings/inbox",
            &[
                ("_csrf", &csrf),
                ("group_window_minutes", "0"),
                ("leave_policy", "keep"),
            ],
        )
        .await;
    redirected(s, &h, "routing.saved", &body);
    let (_, _, html) = app.page(&session, "/settings/inbox?ok=routing.saved").await;
    assert!(html.contains("Pengaturan kotak masuk disimpan."), "{html}");
    assert!(html.contains("name=\"group_window_minutes\" value=\"0\""));
    assert!(html.contains("value=\"keep\" selected"));
    assert!(!html.contains("name=\"auto_assign\" value=\"1\" checked"));
    let settings = json!({"group_window_minutes": 0, "leave_policy": "keep", "auto_assign": false, "csat_enabled": false});
    assert_eq!(api(&app, &t, "/api/v1/inbox/settings").await, settings);

    let (s, _, html) = app
        .post_form(
            &session,
            "/settings/inbox",
            &[
                ("_csrf", &csrf),
                ("group_window_minutes", "-1"),
                ("leave_policy", "requeue"),
                ("auto_assign", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("group_window_minutes: between 0"), "{html}");
    assert!(html.contains("value=\"-1\""), "the typed value is kept");
    assert_eq!(api(&app, &t, "/api/v1/inbox/settings").await, settings);

    // 2. An agent's capacity and skills (checked and typed).
    let path = format!("/settings/inbox/agents/{putri}");
    let (s, h, body) = app
        .post_form(
            &session,
            &path,
            &[
                ("_csrf", &csrf),
                ("capacity", "3"),
                ("skill", "simpanan"),
                ("other_skills", "Pupuk, "),
            ],
        )
        .await;
    redirected(s, &h, "routing.agent_saved", &body);
    let a = agent_of(&api(&app, &t, "/api/v1/agents").await, putri);
    assert_eq!(a["capacity"], 3);
    assert_eq!(a["skills"], json!(["pupuk", "simpanan"]));
    let (_, _, html) = app.page(&session, "/settings/inbox").await;
    assert!(
        html.contains("pupuk, simpanan") && html.contains("0 / 3"),
        "{html}"
    );
    assert!(html.contains("name=\"other_skills\" value=\"pupuk\""));

    for (capacity, skill) in [("0", "toko"), ("banyak", "toko"), ("5", "bad skill!")] {
        let (s, _, html) = app
            .post_form(
                &session,
                &path,
                &[("_csrf", &csrf), ("capacity", capacity), ("skill", skill)],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{capacity} {skill}");
        assert!(
            html.contains("capacity: between 1 and 100") || html.contains("skills: "),
            "{html}"
        );
        let a = agent_of(&api(&app, &t, "/api/v1/agents").await, putri);
        assert_eq!(
            (a["capacity"].clone(), a["skills"].clone()),
            (json!(3), json!(["pupuk", "simpanan"]))
        );
    }

    // 3. Teams: create one, then change its members.
    let agents = api(&app, &t, "/api/v1/agents").await;
    let owner = agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Owner")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let (putri_s, owner_s) = (putri.to_string(), owner.to_string());
    let (s, h, body) = app
        .post_form(
            &session,
            "/settings/inbox/teams",
            &[
                ("_csrf", &csrf),
                ("name", "Tim Simpanan"),
                ("skill", "simpanan"),
                ("member", &putri_s),
            ],
        )
        .await;
    redirected(s, &h, "routing.team_created", &body);
    let teams = api(&app, &t, "/api/v1/teams").await;
    assert_eq!(teams.as_array().unwrap().len(), 1);
    assert_eq!(teams[0]["name"], "Tim Simpanan");
    assert_eq!(teams[0]["skill"], "simpanan");
    assert_eq!(teams[0]["member_ids"], json!([putri]));
    let team = teams[0]["id"].as_i64().unwrap();

    let members = format!("/settings/inbox/teams/{team}/members");
    let (s, h, body) = app
        .post_form(
            &session,
            &members,
            &[("_csrf", &csrf), ("member", &owner_s), ("member", &putri_s)],
        )
        .await;
    redirected(s, &h, "routing.team_saved", &body);
    let mut ids: Vec<i64> = api(&app, &t, "/api/v1/teams").await[0]["member_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    ids.sort();
    let mut want = vec![owner, putri];
    want.sort();
    assert_eq!(ids, want);
    let (_, _, html) = app.page(&session, "/settings/inbox").await;
    assert!(html.contains("Tim Simpanan"), "{html}");
    assert!(
        html.contains("Owner, Putri"),
        "members listed by name: {html}"
    );

    let (s, _, html) = app
        .post_form(
            &session,
            "/settings/inbox/teams",
            &[("_csrf", &csrf), ("name", "  "), ("member", &putri_s)],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("name: a team name needs"), "{html}");
    let (s, _, html) = app
        .post_form(
            &session,
            &members,
            &[("_csrf", &csrf), ("member", "999999")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("members: no such agent"), "{html}");
    assert_eq!(
        api(&app, &t, "/api/v1/teams")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        api(&app, &t, "/api/v1/teams").await[0]["member_ids"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // 4. Skill rules: by keyword, by channel kind; neither or both are refused.
    for (skill, keyword, kind) in [("pinjaman", "pinjam", ""), ("toko", "", "webchat")] {
        let (s, h, body) = app
            .post_form(
                &session,
                "/settings/inbox/rules",
                &[
                    ("_csrf", &csrf),
                    ("skill", skill),
                    ("keyword", keyword),
                    ("channel_kind", kind),
                ],
            )
            .await;
        redirected(s, &h, "routing.rule_added", &body);
    }
    let rules = api(&app, &t, "/api/v1/inbox/skill-rules").await;
    assert_eq!(rules.as_array().unwrap().len(), 2);
    assert_eq!(
        (rules[0]["skill"].clone(), rules[0]["keyword"].clone()),
        (json!("pinjaman"), json!("pinjam"))
    );
    assert_eq!(rules[1]["channel_kind"], "webchat");
    for (keyword, kind) in [("", ""), ("pinjam", "whatsapp")] {
        let (s, _, html) = app
            .post_form(
                &session,
                "/settings/inbox/rules",
                &[
                    ("_csrf", &csrf),
                    ("skill", "pinjaman"),
                    ("keyword", keyword),
                    ("channel_kind", kind),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("keyword: give either a keyword"), "{html}");
    }
    assert_eq!(api(&app, &t, "/api/v1/inbox/skill-rules").await, rules);
    let (_, _, html) = app.page(&session, "/settings/inbox").await;
    let first = rules[0]["id"].as_i64().unwrap();
    assert!(html.contains("<td>pinjam</td>") && html.contains("Obrolan web"));
    let delete = format!("/settings/inbox/rules/{first}/delete");
    assert!(html.contains(&delete));
    let (s, h, body) = app.post_form(&session, &delete, &[("_csrf", &csrf)]).await;
    redirected(s, &h, "routing.rule_deleted", &body);
    let left = api(&app, &t, "/api/v1/inbox/skill-rules").await;
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["skill"], "toko");
    let (s, _, _) = app.post_form(&session, &delete, &[("_csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "already gone");

    // Each change is in the audit log.
    let audit = app.audit_actions(&t).await;
    for action in [
        "inbox.settings",
        "agent.update",
        "team.create",
        "team.members",
        "routing.rule",
        "routing.rule.delete",
    ] {
        assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
    }
}

#[tokio::test]
async fn agents_may_look_but_not_change_and_forms_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-routing-ro").await;
    let (putri, agent) = staff(&app, &t, "Putri", Role::Agent).await;
    let before = (
        api(&app, &t, "/api/v1/inbox/settings").await,
        api(&app, &t, "/api/v1/agents").await,
    );

    let (s, _, html) = app.page(&agent, "/settings/inbox").await;
    assert_eq!(s, 200, "agents may view");
    assert!(html.contains("Hanya baca"), "{html}");
    assert!(!html.contains("action=\"/settings/inbox/rules\""));
    assert!(!html.contains("href=\"/settings/inbox\""), "no menu link");
    let csrf = hidden_csrf(&html);
    let putri_s = putri.to_string();
    let posts: [(String, Vec<(&str, &str)>); 5] = [
        (
            "/settings/inbox".into(),
            vec![
                ("_csrf", &csrf),
                ("group_window_minutes", "5"),
                ("leave_policy", "keep"),
            ],
        ),
        (
            format!("/settings/inbox/agents/{putri}"),
            vec![("_csrf", &csrf), ("capacity", "50"), ("skill", "toko")],
        ),
        (
            "/settings/inbox/teams".into(),
            vec![("_csrf", &csrf), ("name", "Tim Kami"), ("member", &putri_s)],
        ),
        (
            "/settings/inbox/rules".into(),
            vec![("_csrf", &csrf), ("skill", "toko"), ("keyword", "beli")],
        ),
        (
            "/settings/inbox/rules/1/delete".into(),
            vec![("_csrf", &csrf)],
        ),
    ];
    for (path, form) in &posts {
        let (s, _, _) = app.post_form(&agent, path, form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(api(&app, &t, "/api/v1/teams").await, json!([]));
    assert_eq!(api(&app, &t, "/api/v1/inbox/skill-rules").await, json!([]));

    // The owner without the token is refused too.
    let owner = app
        .login("kop-routing-ro", &t.owner_email, PASSWORD)
        .await
        .unwrap();
    for (path, form) in &posts {
        let without: Vec<(&str, &str)> = form
            .iter()
            .filter(|(k, _)| *k != "_csrf")
            .copied()
            .collect();
        let (s, _, _) = app.post_form(&owner, path, &without).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path} without _csrf");
    }
    let after = (
        api(&app, &t, "/api/v1/inbox/settings").await,
        api(&app, &t, "/api/v1/agents").await,
    );
    assert_eq!(before, after, "nothing changed");
    assert_eq!(api(&app, &t, "/api/v1/teams").await, json!([]));
    assert_eq!(api(&app, &t, "/api/v1/inbox/skill-rules").await, json!([]));
}

#[tokio::test]
async fn a_team_is_renamed_and_deleted_and_its_conversations_keep_their_agent() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-tim").await;
    let other = app.tenant("kop-lain").await;
    let session = app
        .login("kop-tim", &t.owner_email, PASSWORD)
        .await
        .unwrap();
    let (s, v) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/teams",
            Some(json!({"name": "Toko", "skill": "toko"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let team = v["id"].as_i64().unwrap();
    app.send(
        Method::POST,
        &t.token,
        "/api/v1/teams",
        Some(json!({"name": "Pinjaman"})),
    )
    .await;

    // Renamed through the page; a taken or empty name is refused with the typed text kept.
    let (_, _, html) = app.page(&session, "/settings/inbox").await;
    let csrf = hidden_csrf(&html);
    let rename = format!("/settings/inbox/teams/{team}");
    assert!(html.contains(&format!("action=\"{rename}\"")), "{html}");
    let (s, h, body) = app
        .post_form(
            &session,
            &rename,
            &[("_csrf", &csrf), ("name", "Toko Tani"), ("skill", "toko")],
        )
        .await;
    redirected(s, &h, "routing.team_updated", &body);
    let (s, _, html) = app
        .post_form(
            &session,
            &rename,
            &[("_csrf", &csrf), ("name", "Pinjaman"), ("skill", "")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("a team with this name already exists"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Pinjaman\""),
        "typed name kept: {html}"
    );
    let teams = api(&app, &t, "/api/v1/teams").await;
    let mine = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == team)
        .unwrap();
    assert_eq!(
        (mine["name"].clone(), mine["skill"].clone()),
        (json!("Toko Tani"), json!("toko"))
    );

    // Through the API: a bad skill, an empty name, another cooperative's token.
    let path = format!("/api/v1/teams/{team}");
    for (body, code) in [
        (json!({"name": "", "skill": null}), 422),
        (json!({"name": "Toko", "skill": "bad skill!"}), 422),
        (json!({"name": "Pinjaman", "skill": null}), 409),
    ] {
        let (s, v) = app.send(Method::PUT, &t.token, &path, Some(body)).await;
        assert_eq!(s, code, "{v}");
    }
    let (s, _) = app
        .send(
            Method::PUT,
            &other.token,
            &path,
            Some(json!({"name": "Milik kami"})),
        )
        .await;
    assert_eq!(s, 404, "another cooperative's team");
    let (s, _) = app.send(Method::DELETE, &other.token, &path, None).await;
    assert_eq!(s, 404, "another cooperative's team");

    // A conversation of the team, assigned to the owner: deleting the team keeps the agent.
    let wa = app.channel(&t, "whatsapp").await;
    app.member_writes(wa, "6281300003333", "Bayu", "Pupuk urea ada?")
        .await;
    let id = app.conversations_at_least(&t, 1).await[0]["id"]
        .as_i64()
        .unwrap();
    let owner = api(&app, &t, "/api/v1/agents").await[0]["user_id"].clone();
    let (s, v) = app
        .send(
            Method::POST,
            &t.token,
            &format!("/api/v1/conversations/{id}/assign"),
            Some(json!({"user_id": owner, "team_id": team})),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    let delete = format!("/settings/inbox/teams/{team}/delete");
    let (s, h, body) = app.post_form(&session, &delete, &[("_csrf", &csrf)]).await;
    redirected(s, &h, "routing.team_deleted", &body);
    let teams = api(&app, &t, "/api/v1/teams").await;
    assert_eq!(teams.as_array().unwrap().len(), 1);
    assert_eq!(teams[0]["name"], "Pinjaman");
    let d = api(&app, &t, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(d["conversation"]["team_id"], Value::Null, "{d}");
    assert_eq!(d["conversation"]["assignee_id"], owner, "{d}");
    assert!(
        d["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "team_deleted" && e["detail"] == "Toko Tani"),
        "{d}"
    );
    let (s, _, _) = app.post_form(&session, &delete, &[("_csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "already gone");
    // The conversation's activity says it in words, with the team's name.
    let (_, _, page) = app.page(&session, &format!("/conversations/{id}")).await;
    assert!(
        page.contains("Tim percakapan ini dihapus: Toko Tani"),
        "{page}"
    );
    // A team that is no number is refused by the assign form, not taken as "no team".
    let (s, _, page) = app
        .post_form(
            &session,
            &format!("/conversations/{id}/assign"),
            &[("_csrf", &csrf), ("user", "me"), ("team", "toko")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("team: no such team in this cooperative"),
        "{page}"
    );
    let d = api(&app, &t, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(
        d["conversation"]["assignee_id"], owner,
        "nothing changed: {d}"
    );
    // The conversation's activity says it in words, with the team's name.
    let (_, _, page) = app.page(&session, &format!("/conversations/{id}")).await;
    assert!(
        page.contains("Tim percakapan ini dihapus: Toko Tani"),
        "{page}"
    );
    // A team that is no number is refused by the assign form, not taken as "no team".
    let (s, _, page) = app
        .post_form(
            &session,
            &format!("/conversations/{id}/assign"),
            &[("_csrf", &csrf), ("user", "me"), ("team", "toko")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("team: no such team in this cooperative"),
        "{page}"
    );
    let d = api(&app, &t, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(
        d["conversation"]["assignee_id"], owner,
        "nothing changed: {d}"
    );
    let audit = app.audit_actions(&t).await;
    for action in ["team.update", "team.delete"] {
        assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
    }
}
