//! SLA settings and holidays over HTTP: the JSON API (defaults, changes, refusals as
//! problem JSON naming the field, roles, another cooperative's holiday) and the
//! `/settings/sla` page with its forms.

use crate::support::{PASSWORD, TestApp, hidden_csrf};
use guyub_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn settings_body() -> Value {
    json!({
        "time_zone": "asia/makassar",
        "hours": {"mon": "08:00-16:00", "tue": "08:00-16:00", "wed": "08:00-16:00",
                  "thu": "08:00-16:00", "fri": "08:00-11:00", "sat": null, "sun": ""},
        "targets": {
            "low": {"first_response_minutes": 240, "resolution_minutes": 2880},
            "normal": {"first_response_minutes": 45, "resolution_minutes": 1440},
            "high": {"first_response_minutes": 30, "resolution_minutes": 480},
            "urgent": {"first_response_minutes": 10, "resolution_minutes": 120}
        }
    })
}

fn problem(s: StatusCode, v: &Value, field: &str) {
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["type"], "https://guyub.id/problems/invalid-input", "{v}");
    assert_eq!(v["field"], field, "{v}");
}

#[tokio::test]
async fn sla_settings_are_read_and_changed_through_the_api() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-http-sla").await;
    let (s, v) = app.get(&t.token, "/api/v1/sla/settings").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["saved"], false);
    assert_eq!(v["time_zone"], "Asia/Jakarta");
    assert_eq!(v["hours"]["mon"], "08:00-16:00");
    assert_eq!(v["hours"]["sat"], "08:00-12:00");
    assert_eq!(v["hours"]["sun"], Value::Null);
    assert_eq!(v["targets"]["urgent"]["first_response_minutes"], 15);
    assert_eq!(v["targets"]["normal"]["resolution_minutes"], 1440);

    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/sla/settings",
            Some(settings_body()),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["saved"], true);
    assert_eq!(v["time_zone"], "Asia/Makassar");
    assert_eq!(v["hours"]["fri"], "08:00-11:00");
    assert_eq!(v["hours"]["sat"], Value::Null);
    assert_eq!(v["targets"]["urgent"]["resolution_minutes"], 120);
    let (_, again) = app.get(&t.token, "/api/v1/sla/settings").await;
    assert_eq!(again["targets"]["normal"]["first_response_minutes"], 45);
    assert!(
        app.audit_actions(&t)
            .await
            .contains(&"sla.settings_changed".to_string())
    );

    // Each bad value is named.
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut b = settings_body();
    b["time_zone"] = json!("Mars/Olympus");
    cases.push((b, "time_zone"));
    let mut b = settings_body();
    b["hours"]["wed"] = json!("17:00-09:00");
    cases.push((b, "hours.wed"));
    let mut b = settings_body();
    b["hours"] = json!({});
    cases.push((b, "hours"));
    let mut b = settings_body();
    b["targets"]["high"]["first_response_minutes"] = json!(0);
    cases.push((b, "targets.high.first_response_minutes"));
    let mut b = settings_body();
    b["targets"]["low"]["resolution_minutes"] = json!(100_001);
    cases.push((b, "targets.low.resolution_minutes"));
    for (body, field) in cases {
        let (s, v) = app
            .send(Method::PUT, &t.token, "/api/v1/sla/settings", Some(body))
            .await;
        problem(s, &v, field);
    }
    // A body that is not the shape asked for is a problem document too.
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/sla/settings",
            Some(json!({"time_zone": 7})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let (_, still) = app.get(&t.token, "/api/v1/sla/settings").await;
    assert_eq!(still["time_zone"], "Asia/Makassar");

    // Agents neither read nor change the SLA; supervisors do.
    let agent = app.token_for(&t, Role::Agent).await;
    assert_eq!(app.get(&agent, "/api/v1/sla/settings").await.0, 403);
    let (s, _) = app
        .send(
            Method::PUT,
            &agent,
            "/api/v1/sla/settings",
            Some(settings_body()),
        )
        .await;
    assert_eq!(s, 403);
    let supervisor = app.token_for(&t, Role::Supervisor).await;
    assert_eq!(app.get(&supervisor, "/api/v1/sla/settings").await.0, 200);

    // In the OpenAPI document, under "inbox".
    let (_, doc) = app.get("", "/api/openapi.json").await;
    for (path, method) in [
        ("/api/v1/sla/settings", "get"),
        ("/api/v1/sla/settings", "put"),
        ("/api/v1/sla/holidays", "get"),
        ("/api/v1/sla/holidays", "post"),
        ("/api/v1/sla/holidays/{id}", "delete"),
    ] {
        assert_eq!(
            doc["paths"][path][method]["tags"][0], "inbox",
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn holidays_are_added_listed_and_removed_through_the_api() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-http-libur").await;
    let other = app.tenant("kop-http-libur2").await;
    let post = |body: Value| {
        let app = &app;
        let token = t.token.clone();
        async move {
            app.send(Method::POST, &token, "/api/v1/sla/holidays", Some(body))
                .await
        }
    };
    let (s, h) = post(json!({"day": "2026-08-17", "name": "Hari Kemerdekaan"})).await;
    assert_eq!(s, 201, "{h}");
    assert_eq!(h["day"], "2026-08-17");
    let (s, _) = post(json!({"day": "25-12-2026", "name": "Natal"})).await;
    assert_eq!(s, 201);
    let (s, v) = post(json!({"day": "2026-08-17", "name": "Dua kali"})).await;
    assert_eq!(s, 409, "{v}");
    let (s, v) = post(json!({"day": "2026-13-01", "name": "Tidak ada"})).await;
    problem(s, &v, "day");
    let (s, v) = post(json!({"day": "2026-09-01", "name": ""})).await;
    problem(s, &v, "name");

    let (s, list) = app.get(&t.token, "/api/v1/sla/holidays").await;
    assert_eq!(s, 200);
    let days: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["day"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-08-17", "2026-12-25"]);

    let path = format!("/api/v1/sla/holidays/{}", h["id"]);
    let (s, v) = app.send(Method::DELETE, &other.token, &path, None).await;
    assert_eq!(s, 404, "{v}");
    assert_eq!(
        app.get(&other.token, "/api/v1/sla/holidays").await.1,
        json!([])
    );
    let (s, v) = app.send(Method::DELETE, &t.token, &path, None).await;
    assert_eq!(
        (s.as_u16(), v["name"].as_str()),
        (200, Some("Hari Kemerdekaan"))
    );
    assert_eq!(app.send(Method::DELETE, &t.token, &path, None).await.0, 404);
    let (s, _) = app
        .send(Method::DELETE, &t.token, "/api/v1/sla/holidays/abc", None)
        .await;
    assert!(s.is_client_error());
}

#[tokio::test]
async fn the_sla_page_saves_hours_targets_and_holidays() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-ui-sla").await;
    let session = app
        .login("kop-ui-sla", &t.owner_email, PASSWORD)
        .await
        .unwrap();
    let (s, _, html) = app.page(&session, "/settings/sla").await;
    assert_eq!(s, 200);
    assert!(html.contains("Jam layanan dan target"), "{html}");
    assert!(html.contains("name=\"hours_sat\" value=\"08:00-12:00\""));
    assert!(html.contains("name=\"first_response_urgent\" value=\"15\""));
    assert!(html.contains("href=\"/settings/sla\""), "menu link");
    let csrf = hidden_csrf(&html);

    let mut form: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("time_zone", "Asia/Jayapura"),
        ("hours_mon", "07.30-15.30"),
        ("hours_tue", "07:30-15:30"),
        ("hours_wed", "07:30-15:30"),
        ("hours_thu", "07:30-15:30"),
        ("hours_fri", "07:30-11:30"),
        ("hours_sat", ""),
        ("hours_sun", ""),
        ("first_response_low", "240"),
        ("first_response_normal", "60"),
        ("first_response_high", "30"),
        ("first_response_urgent", "20"),
        ("resolution_low", "2880"),
        ("resolution_normal", "1440"),
        ("resolution_high", "480"),
        ("resolution_urgent", "240"),
    ];
    let (s, h, _) = app.post_form(&session, "/settings/sla", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/settings/sla?ok=sla.saved");
    let (_, _, html) = app.page(&session, "/settings/sla?ok=sla.saved").await;
    assert!(html.contains("Pengaturan SLA disimpan."));
    assert!(html.contains("name=\"hours_mon\" value=\"07:30-15:30\""));
    assert!(html.contains("value=\"Asia/Jayapura\""));
    let (_, v) = app.get(&t.token, "/api/v1/sla/settings").await;
    assert_eq!(v["targets"]["urgent"]["first_response_minutes"], 20);

    // A refusal is shown on the form, which keeps what was typed.
    form[2] = ("hours_mon", "15:30-07:30");
    form[16] = ("resolution_urgent", "banyak");
    let (s, _, html) = app.post_form(&session, "/settings/sla", &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("hours.mon:"), "{html}");
    assert!(html.contains("value=\"15:30-07:30\""));

    let (s, h, _) = app
        .post_form(
            &session,
            "/settings/sla/holidays",
            &[("_csrf", &csrf), ("day", "2026-08-17"), ("name", "HUT RI")],
        )
        .await;
    assert_eq!(
        (s, h["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/settings/sla?ok=sla.holiday_added")
    );
    let (s, _, html) = app
        .post_form(
            &session,
            "/settings/sla/holidays",
            &[("_csrf", &csrf), ("day", "2026-08-17"), ("name", "Lagi")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"Lagi\""));
    let (_, list) = app.get(&t.token, "/api/v1/sla/holidays").await;
    let id = list[0]["id"].as_i64().unwrap();
    let (_, _, html) = app.page(&session, "/settings/sla").await;
    assert!(
        html.contains("HUT RI") && html.contains(&format!("/settings/sla/holidays/{id}/delete"))
    );
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("/settings/sla/holidays/{id}/delete"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&t.token, "/api/v1/sla/holidays").await.1, json!([]));

    // English, and agents are kept out.
    let (_, _, en) = {
        guyub_services::staff::add_user(
            &app.db,
            &t.actor,
            guyub_services::staff::AddUser {
                email: "cs@kop-ui-sla.id",
                name: "Putri",
                role: Role::Agent,
                password: PASSWORD,
                locale: "en",
            },
        )
        .await
        .unwrap();
        let agent = app
            .login("kop-ui-sla", "cs@kop-ui-sla.id", PASSWORD)
            .await
            .unwrap();
        let (s, _, _) = app.page(&agent, "/settings/sla").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, _, home) = app.page(&agent, "/").await;
        assert!(!home.contains("href=\"/settings/sla\""));
        app.page(&agent, "/settings/canned").await
    };
    assert!(en.contains("Canned Replies"), "{en}");
}
