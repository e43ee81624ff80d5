//! The baseline for inbound throughput: the least a webhook receiver can do and still
//! acknowledge only what is durable. It verifies the Meta signature on the raw body,
//! reads the message id, and inserts the event in its own commit (SQLite in WAL mode
//! with synchronous=NORMAL, the same settings as Guyub) before answering.
//! Usage: `bare-ingest ADDR DATABASE_URL APP_SECRET`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use guyub_store::Db;
use std::sync::Arc;

struct App {
    db: Db,
    secret: String,
}

async fn hook(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(sig) = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
    else {
        return StatusCode::UNAUTHORIZED;
    };
    if sig != guyub_connectors::meta::sign(&app.secret, &body) {
        return StatusCode::FORBIDDEN;
    }
    let v: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    let id = v
        .pointer("/entry/0/changes/0/value/messages/0/id")
        .and_then(|i| i.as_str())
        .unwrap_or("")
        .to_string();
    let res =
        sqlx::query("INSERT INTO events (key, body) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(id)
            .bind(String::from_utf8_lossy(&body).into_owned())
            .execute(app.db.pool())
            .await;
    if res.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let (addr, url, secret) = (
        a.get(1).ok_or("ADDR")?,
        a.get(2).ok_or("DATABASE_URL")?,
        a.get(3).ok_or("APP_SECRET")?,
    );
    let db = Db::connect(url).await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS events (key TEXT PRIMARY KEY, body TEXT NOT NULL)")
        .execute(db.pool())
        .await?;
    let app = Arc::new(App {
        db,
        secret: secret.clone(),
    });
    let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
    axum::serve(
        listener,
        Router::new().route("/hook", post(hook)).with_state(app),
    )
    .await?;
    Ok(())
}
