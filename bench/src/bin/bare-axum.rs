//! The baseline for load figures: a bare axum server answering `GET /healthz` with
//! "ok", on the same runtime and HTTP stack as Guyub, nothing else.

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18181".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("bare axum at http://{}", listener.local_addr()?);
    let app = Router::new().route("/healthz", get(|| async { "ok" }));
    axum::serve(listener, app).await
}
