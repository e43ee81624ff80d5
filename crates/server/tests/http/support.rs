use guyub_domain::Role;
use guyub_server::AppState;
use guyub_server::config::{Config, Flags};
use guyub_services::{Actor, setup, staff};
use guyub_store::Db;
use guyub_store::cooperatives::Cooperative;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::Value;

pub const PASSWORD: &str = "rahasia-sekali-123";

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub client: reqwest::Client,
    /// The database this app serves (a second process can be started on it).
    pub database_url: String,
}

/// A cooperative with an owner account and an owner API token.
pub struct Tenant {
    pub coop: Cooperative,
    pub actor: Actor,
    pub token: String,
    pub owner_email: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    pub async fn spawn_with(vars: &[(&str, &str)]) -> TestApp {
        let url = guyub_store::testing::fresh_database_url().await;
        TestApp::spawn_on(url, vars).await
    }

    /// Another server process on this app's database (with `vars` on top).
    pub async fn beside(&self, vars: &[(&str, &str)]) -> TestApp {
        TestApp::spawn_on(self.database_url.clone(), vars).await
    }

    async fn spawn_on(url: String, vars: &[(&str, &str)]) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut env: Vec<(String, String)> = vec![
            ("GUYUB_DATABASE_URL".into(), url.clone()),
            ("GUYUB_SECURE_COOKIES".into(), "false".into()),
            ("GUYUB_PUBLIC_URL".into(), base.clone()),
            ("GUYUB_SIMULATOR".into(), "true".into()),
            // Attachments and other files of this app go to a directory of its own.
            (
                "GUYUB_DATA_DIR".into(),
                std::env::temp_dir()
                    .join(format!(
                        "guyub-test-data-{}",
                        base.rsplit(':').next().unwrap_or("0")
                    ))
                    .display()
                    .to_string(),
            ),
            (
                "GUYUB_SECRET_KEY".into(),
                "0000000000000000000000000000000000000000000000000000000000000001".into(),
            ),
        ];
        env.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let flags = Flags::default();
        let config = Config::load_with(&flags, &move |k| {
            env.iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        })
        .expect("test config");
        let db = Db::open(&url).await.expect("open test database");
        let state = AppState::new(db.clone(), config).expect("app state");
        tokio::spawn(guyub_server::serve(listener, state, std::future::pending()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base,
            db,
            client,
            database_url: url,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn tenant(&self, slug: &str) -> Tenant {
        let coop = setup::create_cooperative(&self.db, slug, &format!("Koperasi {slug}"), "test")
            .await
            .unwrap();
        let cli = Actor::cli(coop.id);
        let owner_email = format!("owner@{slug}.id");
        staff::add_user(
            &self.db,
            &cli,
            staff::AddUser {
                email: &owner_email,
                name: "Owner",
                role: Role::Owner,
                password: PASSWORD,
                locale: "id",
            },
        )
        .await
        .unwrap();
        let (_, token) = staff::create_token(&self.db, &cli, "test", Role::Owner)
            .await
            .unwrap();
        Tenant {
            coop,
            actor: cli,
            token,
            owner_email,
        }
    }

    pub async fn token_for(&self, t: &Tenant, role: Role) -> String {
        staff::create_token(&self.db, &t.actor, role.as_str(), role)
            .await
            .unwrap()
            .1
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        split(res).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        split(req.send().await.unwrap()).await
    }

    /// Logs in through the login form; returns the session cookie value.
    pub async fn login(
        &self,
        slug: &str,
        email: &str,
        password: &str,
    ) -> Result<String, (StatusCode, String)> {
        let (csrf_cookie, csrf) = self.login_form().await;
        let res = self
            .client
            .post(self.url("/login"))
            .header("cookie", format!("guyub_csrf={csrf_cookie}"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("cooperative", slug),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        let status = res.status();
        match cookie_value(res.headers(), "guyub_session") {
            Some(v) if status == StatusCode::SEE_OTHER && !v.is_empty() => Ok(v),
            _ => Err((status, res.text().await.unwrap())),
        }
    }

    /// Opens the login page: the CSRF cookie and the form's hidden token.
    pub async fn login_form(&self) -> (String, String) {
        let res = self.client.get(self.url("/login")).send().await.unwrap();
        let cookie = cookie_value(res.headers(), "guyub_csrf").expect("login sets a CSRF cookie");
        let html = res.text().await.unwrap();
        (cookie, hidden_csrf(&html))
    }

    /// A page as a logged-in user: status, headers and body.
    pub async fn page(&self, session: &str, path: &str) -> (StatusCode, HeaderMap, String) {
        let res = self
            .client
            .get(self.url(path))
            .header("cookie", format!("guyub_session={session}"))
            .send()
            .await
            .unwrap();
        (
            res.status(),
            res.headers().clone(),
            res.text().await.unwrap(),
        )
    }

    pub async fn post_form(
        &self,
        session: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        let res = self
            .client
            .post(self.url(path))
            .header("cookie", format!("guyub_session={session}"))
            .form(form)
            .send()
            .await
            .unwrap();
        (
            res.status(),
            res.headers().clone(),
            res.text().await.unwrap(),
        )
    }

    pub async fn audit_actions(&self, t: &Tenant) -> Vec<String> {
        let (_, v) = self.get(&t.token, "/api/v1/audit?limit=500").await;
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    }
}

pub async fn split(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = res.text().await.unwrap();
    if status.is_client_error() || status.is_server_error() {
        assert_eq!(
            ctype, "application/problem+json",
            "error without problem JSON: {status} {text}"
        );
    }
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        })
}

pub fn set_cookie_header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or("")
        .to_string()
}

pub fn hidden_csrf(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Test credentials per channel kind, and the simulator path that fakes its provider.
pub fn channel_credentials(kind: &str) -> (&'static str, Value) {
    match kind {
        "whatsapp" => (
            "whatsapp",
            serde_json::json!({"phone_number_id": "106540352242922", "access_token": "wa-token", "app_secret": "wa-secret", "verify_token": "wa-verify"}),
        ),
        "messenger" | "instagram" => (
            "meta",
            serde_json::json!({"page_id": "PAGE1", "access_token": "meta-token", "app_secret": "meta-secret", "verify_token": "meta-verify"}),
        ),
        "telegram" => (
            "telegram",
            serde_json::json!({"bot_token": "123456:ABC", "secret_token": "tg-secret"}),
        ),
        "line" => (
            "line",
            serde_json::json!({"channel_access_token": "line-token", "channel_secret": "line-secret"}),
        ),
        "x" => (
            "x",
            serde_json::json!({"user_id": "100", "access_token": "x-token", "consumer_secret": "x-secret"}),
        ),
        other => panic!("no test channel for {other}"),
    }
}

impl TestApp {
    /// Connects a channel of `kind` whose provider is this server's simulator.
    pub async fn channel(&self, t: &Tenant, kind: &str) -> i64 {
        let (sim, creds) = channel_credentials(kind);
        let (s, v) = self
            .send(
                reqwest::Method::POST,
                &t.token,
                "/api/v1/channels",
                Some(serde_json::json!({"kind": kind, "name": format!("{kind} test"), "base_url": self.url(&format!("/sim/{sim}")), "credentials": creds})),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        v["id"].as_i64().unwrap()
    }

    /// A member writes on a channel, as its provider would deliver it (signed).
    pub async fn member_writes(&self, channel: i64, from: &str, name: &str, text: &str) {
        let res = self
            .client
            .post(self.url("/sim/api/inbound"))
            .json(&serde_json::json!({"channel_id": channel, "from": from, "name": name, "text": text}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }

    /// The cooperative's open conversations, newest first, once there are at least `n`
    /// (the pipeline works in the background); panics after 10 s.
    pub async fn conversations_at_least(&self, t: &Tenant, n: usize) -> Vec<Value> {
        for _ in 0..200 {
            let (_, list) = self.get(&t.token, "/api/v1/conversations").await;
            if let Some(a) = list.as_array().filter(|a| a.len() >= n) {
                return a.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} conversations after 10 s");
    }

    /// What the simulated providers received.
    pub async fn sim_sent(&self) -> Vec<Value> {
        let res = self
            .client
            .get(self.url("/sim/api/sent"))
            .send()
            .await
            .unwrap();
        res.json::<Vec<Value>>().await.unwrap()
    }

    /// Waits (up to 10 s) until `check` holds.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..200 {
            if check().await {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for: {what}");
    }

    /// The `nth` six-digit code a simulated provider delivered to `to` (waits for it).
    pub async fn code_sent_to(&self, to: &str, nth: usize) -> String {
        for _ in 0..200 {
            let codes: Vec<String> = self
                .sim_sent()
                .await
                .iter()
                .filter(|s| s["to"] == to)
                .filter_map(|s| {
                    s["text"]
                        .as_str()
                        .unwrap_or("")
                        .split(|c: char| !c.is_ascii_digit())
                        .find(|w| w.len() == 6)
                        .map(str::to_string)
                })
                .collect();
            if codes.len() >= nth {
                return codes[nth - 1].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("code number {nth} never reached {to}");
    }
}
