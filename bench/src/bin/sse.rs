//! Commit-to-client latency of the inbox's live feed: `CLIENTS` clients hold
//! `/api/v1/inbox/events` open while signed WhatsApp messages arrive at `RATE` per
//! second for `SECONDS`; each client notes, for every `message.created`, how long
//! after the server published it (after its commit; `at_us` in the event) the event
//! was in the client's hands. Client and server share the machine's clock.
//!
//! `sse BASE_URL TOKEN HOOK_PATH APP_SECRET CLIENTS RATE SECONDS`

use guyub_connectors::meta;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

fn body(n: u64, run: u64) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"WABA","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"6281100000000","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Anggota {n}"}},"wa_id":"62813{n:08}"}}],"messages":[{{"from":"62813{n:08}","id":"wamid.SSE{run}x{n}","timestamp":"1732400000","type":"text","text":{{"body":"Halo, cek saldo {n}"}}}}]}},"field":"messages"}}]}}]}}"#
    )
    .into_bytes()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 8 {
        return Err("usage: sse BASE_URL TOKEN HOOK_PATH APP_SECRET CLIENTS RATE SECONDS".into());
    }
    let (base, token, hook, secret) = (a[1].clone(), a[2].clone(), a[3].clone(), a[4].clone());
    // BENCH_HOOK_BASE: webhooks go to another process than the clients' (the relay
    // across processes is then on the path).
    let hook_base = std::env::var("BENCH_HOOK_BASE").unwrap_or_else(|_| base.clone());
    let clients: usize = a[5].parse()?;
    let rate: u64 = a[6].parse()?;
    let secs: u64 = a[7].parse()?;
    guyub_services::install_tls();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()?;
    let delays: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    let ready = Arc::new(tokio::sync::Semaphore::new(0));
    for _ in 0..clients {
        let c = reqwest::Client::new();
        let url = format!("{base}/api/v1/inbox/events");
        let token = token.clone();
        let delays = delays.clone();
        let ready = ready.clone();
        tasks.push(tokio::spawn(async move {
            let Ok(mut res) = c.get(url).bearer_auth(token).send().await else {
                ready.add_permits(1);
                return 0u64;
            };
            ready.add_permits(1);
            let mut buf = String::new();
            let mut mine = Vec::new();
            let mut lagged = 0;
            while let Ok(Some(chunk)) = res.chunk().await {
                let got = now_us();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let ev: String = buf.drain(..end + 2).collect();
                    if ev.contains("event: resync") {
                        lagged += 1;
                    }
                    if !ev.contains("event: message.created") {
                        continue;
                    }
                    if let Some(at) = ev
                        .split("\"at_us\":")
                        .nth(1)
                        .and_then(|r| r.trim_end_matches(['}', '\n']).parse::<i64>().ok())
                    {
                        mine.push(got - at);
                    }
                }
                if mine.len() >= 1_000_000 {
                    break;
                }
                // Report as we go: the run ends by aborting the readers.
                if !mine.is_empty() {
                    delays.lock().map(|mut d| d.append(&mut mine)).ok();
                }
            }
            lagged
        }));
    }
    let _ = ready.acquire_many(clients as u32).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let run = now_us() as u64;
    let start = Instant::now();
    let total = rate * secs;
    let mut failed = 0;
    for n in 0..total {
        let due = start + Duration::from_micros(n * 1_000_000 / rate);
        tokio::time::sleep_until(due.into()).await;
        let b = body(n, run);
        let sig = meta::sign(&secret, &b);
        let ok = http
            .post(format!("{hook_base}{hook}"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", sig)
            .body(b)
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        if !ok {
            failed += 1;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for t in &tasks {
        t.abort();
    }
    let mut d = delays.lock().map(|d| d.clone()).unwrap_or_default();
    d.sort_unstable();
    let n = d.len();
    let p = |q: f64| {
        d.get(((n as f64 * q) as usize).min(n.saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let expected = (total - failed) as usize * clients;
    println!(
        "{clients} clients, {total} messages at {rate}/s ({failed} refused): {n} of {expected} events delivered; commit-to-client p50 {:.2} ms p95 {:.2} ms p99 {:.2} ms max {:.2} ms",
        p(0.5),
        p(0.95),
        p(0.99),
        d.last().copied().unwrap_or(0) as f64 / 1000.0
    );
    Ok(())
}
