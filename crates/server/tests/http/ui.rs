use crate::support::{PASSWORD, TestApp, cookie_value, hidden_csrf, set_cookie_header};
use reqwest::StatusCode;

#[tokio::test]
async fn login_dashboard_logout() {
    let app = TestApp::spawn_with(&[("GUYUB_SECURE_COOKIES", "true")]).await;
    let t = app.tenant("kop-ui").await;

    // Not logged in: pages send you to the login form.
    let (s, h, _) = app.page("", "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/login");

    let res = app.client.get(app.url("/login")).send().await.unwrap();
    let csrf_cookie = set_cookie_header(res.headers(), "guyub_csrf");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("value=\"kop-ui\""),
        "single cooperative is prefilled"
    );
    assert!(html.contains("Kata sandi"), "Indonesian by default");
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"),
        "{csrf_cookie}"
    );

    let (c, csrf) = app.login_form().await;
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("guyub_csrf={c}"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("cooperative", "kop-ui"),
            ("email", &t.owner_email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let session_cookie = set_cookie_header(res.headers(), "guyub_session");
    for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(
            session_cookie.contains(attr),
            "{attr} missing: {session_cookie}"
        );
    }
    let session = cookie_value(res.headers(), "guyub_session").unwrap();

    let (s, _, html) = app.page(&session, "/").await;
    assert_eq!(s, 200);
    assert!(html.contains("Selamat datang"), "{html}");
    assert!(html.contains("Koperasi kop-ui"));
    for link in ["/members", "/users", "/tokens", "/audit", "/account"] {
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "{link} missing from navigation"
        );
    }

    let csrf = hidden_csrf(&html);
    let (s, h, _) = app
        .post_form(&session, "/logout", &[("_csrf", &csrf)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/login");
    let (s, h, _) = app.page(&session, "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/login?expired=1");

    let actions = app.audit_actions(&t).await;
    assert!(
        actions.contains(&"login".into()) && actions.contains(&"logout".into()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn wrong_password_is_refused_and_throttled() {
    let app = TestApp::spawn_with(&[("GUYUB_LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")]).await;
    let t = app.tenant("kop-throttle").await;
    let (status, html) = app
        .login("kop-throttle", &t.owner_email, "salah-salah-salah")
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("Email atau kata sandi salah"), "{html}");
    // An unknown account answers exactly like a wrong password.
    let (status, _) = app
        .login("kop-throttle", "nobody@x.id", "salah-salah-salah")
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .login("no-such-coop", &t.owner_email, PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for _ in 0..2 {
        app.login("kop-throttle", &t.owner_email, "salah-salah-salah")
            .await
            .unwrap_err();
    }
    // Three failures: now even the right password waits.
    let (status, html) = app
        .login("kop-throttle", &t.owner_email, PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Terlalu banyak"), "{html}");

    let actions = app.audit_actions(&t).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "login.failed").count(),
        4,
        "{actions:?}"
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-csrf").await;
    // Login itself needs the double-submit cookie.
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("cooperative", "kop-csrf"),
            ("email", t.owner_email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("Formulir kedaluwarsa"));

    let session = app
        .login("kop-csrf", &t.owner_email, PASSWORD)
        .await
        .unwrap();
    let form = [
        ("name", "Rina"),
        ("email", "rina@kop.id"),
        ("role", "agent"),
        ("password", PASSWORD),
    ];
    let (s, _, _) = app.post_form(&session, "/users", &form).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut forged = form.to_vec();
    forged.push(("_csrf", "forged"));
    let (s, _, _) = app.post_form(&session, "/users", &forged).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, users) = app.get(&t.token, "/api/v1/users").await;
    assert_eq!(
        users.as_array().unwrap().len(),
        1,
        "refused form changed nothing"
    );

    let (_, _, html) = app.page(&session, "/users").await;
    let mut good = form.to_vec();
    let csrf = hidden_csrf(&html);
    good.push(("_csrf", &csrf));
    let (s, h, _) = app.post_form(&session, "/users", &good).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/users?ok=users.created");
    let (_, _, html) = app.page(&session, "/users?ok=users.created").await;
    assert!(html.contains("rina@kop.id") && html.contains("Pengguna dibuat."));

    // A bad value re-renders the form with the reason.
    let mut dup = good.clone();
    dup.retain(|(k, _)| *k != "password");
    dup.push(("password", "pendek"));
    let (s, _, html) = app.post_form(&session, "/users", &dup).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("password: must be at least 10 characters"),
        "{html}"
    );
}

#[tokio::test]
async fn tokens_page_shows_the_secret_once_and_language_switches() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-tok").await;
    let session = app
        .login("kop-tok", &t.owner_email, PASSWORD)
        .await
        .unwrap();
    let (_, _, html) = app.page(&session, "/tokens").await;
    let csrf = hidden_csrf(&html);
    let (s, _, html) = app
        .post_form(
            &session,
            "/tokens",
            &[("_csrf", &csrf), ("name", "ekspor"), ("role", "auditor")],
        )
        .await;
    assert_eq!(s, 200);
    let start = html.find("<code id=\"new-token\">").expect("secret shown")
        + "<code id=\"new-token\">".len();
    let secret = &html[start..start + html[start..].find('<').unwrap()];
    assert!(secret.starts_with("gyb_"));
    assert_eq!(app.get(secret, "/api/v1/me").await.0, 200);
    let (_, _, again) = app.page(&session, "/tokens").await;
    assert!(!again.contains(secret), "secret shown twice");

    let (s, _, _) = app
        .post_form(
            &session,
            "/account/language",
            &[("_csrf", &csrf), ("locale", "en")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app.page(&session, "/").await;
    assert!(
        html.contains("Welcome") && html.contains("lang=\"en\""),
        "{html}"
    );
    let (s, _, html) = app
        .post_form(
            &session,
            "/account/language",
            &[("_csrf", &csrf), ("locale", "fr")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("locale"));

    let (_, _, html) = app.page(&session, "/audit?action=token").await;
    assert!(
        html.contains("token.created") && !html.contains(">login<"),
        "{html}"
    );
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-pw").await;
    let laptop = app.login("kop-pw", &t.owner_email, PASSWORD).await.unwrap();
    let phone = app.login("kop-pw", &t.owner_email, PASSWORD).await.unwrap();
    let (_, _, html) = app.page(&laptop, "/account").await;
    let csrf = hidden_csrf(&html);
    let (s, _, html) = app
        .post_form(
            &laptop,
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current_password", "keliru-keliru"),
                ("new_password", "kata-sandi-baru-1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("current_password"));
    let (s, _, _) = app
        .post_form(
            &laptop,
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "kata-sandi-baru-1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.page(&laptop, "/").await.0,
        200,
        "the changing session stays"
    );
    assert_eq!(
        app.page(&phone, "/").await.0,
        StatusCode::SEE_OTHER,
        "other sessions end"
    );
    assert!(app.login("kop-pw", &t.owner_email, PASSWORD).await.is_err());
    assert!(
        app.login("kop-pw", &t.owner_email, "kata-sandi-baru-1")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn roles_shape_the_ui() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-agent").await;
    guyub_services::staff::add_user(
        &app.db,
        &t.actor,
        guyub_services::staff::AddUser {
            email: "cs@kop.id",
            name: "Putri",
            role: guyub_domain::Role::Agent,
            password: PASSWORD,
            locale: "id",
        },
    )
    .await
    .unwrap();
    let session = app.login("kop-agent", "cs@kop.id", PASSWORD).await.unwrap();
    let (_, _, html) = app.page(&session, "/").await;
    assert!(
        !html.contains("href=\"/audit\"") && !html.contains("href=\"/tokens\""),
        "agent sees admin links"
    );
    let (s, _, html) = app.page(&session, "/audit").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("tidak berwenang"));
    let (s, _, html) = app.page(&session, "/no-such-page").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("<html") && html.contains("tidak ditemukan"));
}

#[tokio::test]
async fn setup_link_works_once() {
    let app = TestApp::spawn().await;
    assert!(guyub_services::setup::needed(&app.db).await.unwrap());
    let token = guyub_services::setup::create_link(&app.db, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    let res = app
        .client
        .get(app.url(&format!("/setup?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = cookie_value(res.headers(), "guyub_csrf").unwrap();
    let csrf = hidden_csrf(&res.text().await.unwrap());
    let submit = |slug: &'static str| {
        app.client
            .post(app.url("/setup"))
            .header("cookie", format!("guyub_csrf={cookie}"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("token", token.as_str()),
                ("cooperative_name", "KSU Maju"),
                ("slug", slug),
                ("owner_name", "Bu Sri"),
                ("email", "sri@maju.id"),
                ("password", PASSWORD),
            ])
            .send()
    };
    let res = submit("Bad Slug!").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("slug"));
    let res = submit("ksu-maju").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login?cooperative=ksu-maju");
    assert!(!guyub_services::setup::needed(&app.db).await.unwrap());
    assert!(app.login("ksu-maju", "sri@maju.id", PASSWORD).await.is_ok());
    let res = submit("ksu-lain").await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "link works once"
    );
    let res = app
        .client
        .get(app.url(&format!("/setup?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::GONE);
}

#[tokio::test]
async fn demo_loads_once() {
    let app = TestApp::spawn().await;
    let logins = guyub_services::demo::load(&app.db)
        .await
        .unwrap()
        .expect("created");
    assert_eq!(logins.len(), 7);
    assert!(guyub_services::demo::load(&app.db).await.unwrap().is_none());
    let owner = logins
        .iter()
        .find(|l| l.role == guyub_domain::Role::Owner)
        .unwrap();
    let session = app
        .login("demo", &owner.email, &owner.password)
        .await
        .unwrap();
    let (_, _, html) = app.page(&session, "/members").await;
    assert!(html.contains("Siti Rahayu") && html.contains("KGR-000001"));
    assert!(
        html.contains("+62812****0001") && !html.contains("+6281234500001"),
        "phones masked"
    );
    // The inbox is set up: teams, skill rules, canned replies that pass their checks.
    let (_, _, html) = app.page(&session, "/settings/inbox").await;
    assert!(
        html.contains("Simpan Pinjam") && html.contains("Toko") && html.contains("<td>pinjam</td>"),
        "{html}"
    );
    let (_, _, html) = app.page(&session, "/settings/canned").await;
    assert!(
        html.contains("/saldo") && html.contains("/jam-buka"),
        "{html}"
    );
}

mod channel_pages;
mod identity_pages;
mod ledger_pages;
mod loan_pages;
mod member_pages;
mod savings_pages;
