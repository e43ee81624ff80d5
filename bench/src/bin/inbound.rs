//! Load for a webhook endpoint: signed WhatsApp Cloud API deliveries, one text message
//! each with a unique `wamid`, signed with `X-Hub-Signature-256` as Meta signs them.
//!
//! `inbound URL APP_SECRET max SECONDS CONNECTIONS` — as fast as the server answers
//! (closed loop), reporting acknowledged requests per second and latency.
//! `inbound URL APP_SECRET rate PER_SECOND SECONDS CONNECTIONS` — a fixed arrival rate
//! (open loop: latency counts from when a request was due, so a slow server cannot
//! hide its queue), reporting latency percentiles.

use guyub_connectors::meta;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn body(n: u64, run: u64) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"WABA","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"6281100000000","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Anggota {m}"}},"wa_id":"62812{m:08}"}}],"messages":[{{"from":"62812{m:08}","id":"wamid.BENCH{run}x{n}","timestamp":"1732400000","type":"text","text":{{"body":"Pesan uji nomor {n}: berapa saldo simpanan sukarela saya bulan ini?"}}}}]}},"field":"messages"}}]}}]}}"#,
        m = n % 5000
    )
    .into_bytes()
}

struct Stats {
    latencies: Vec<Duration>,
    errors: u64,
}

fn report(label: &str, elapsed: Duration, mut s: Stats) {
    s.latencies.sort();
    let n = s.latencies.len();
    let p = |q: f64| {
        s.latencies
            .get(((n as f64 * q) as usize).min(n.saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{label}: {n} acknowledged in {:.1} s = {:.0}/s, errors {}, latency p50 {:.2} ms p99 {:.2} ms max {:.2} ms",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        s.errors,
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        s.latencies
            .last()
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 6 {
        return Err("usage: inbound URL APP_SECRET max SECONDS CONNECTIONS | inbound URL APP_SECRET rate PER_SECOND SECONDS CONNECTIONS".into());
    }
    let url = Arc::new(a[1].clone());
    let secret = Arc::new(a[2].clone());
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as u64;
    let next = Arc::new(AtomicU64::new(0));
    guyub_services::install_tls();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .build()?;
    let (rate, seconds, conns) = match a[3].as_str() {
        "max" => (None, a[4].parse::<u64>()?, a[5].parse::<usize>()?),
        "rate" => (
            Some(a[4].parse::<u64>()?),
            a[5].parse::<u64>()?,
            a.get(6).map(|c| c.parse()).transpose()?.unwrap_or(64),
        ),
        other => return Err(format!("unknown mode {other}").into()),
    };
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (client, url, secret, next) =
            (client.clone(), url.clone(), secret.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut s = Stats {
                latencies: Vec::new(),
                errors: 0,
            };
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let due = match rate {
                    Some(r) => start + Duration::from_secs_f64(n as f64 / r as f64),
                    None => Instant::now(),
                };
                if due >= end {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                let b = body(n, run);
                let sig = meta::sign(&secret, &b);
                let res = client
                    .post(url.as_str())
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", sig)
                    .body(b)
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        s.latencies.push(due.elapsed());
                    }
                    _ => s.errors += 1,
                }
            }
            s
        }));
    }
    let mut all = Stats {
        latencies: Vec::new(),
        errors: 0,
    };
    for t in tasks {
        let s = t.await?;
        all.latencies.extend(s.latencies);
        all.errors += s.errors;
    }
    let label = match rate {
        Some(r) => format!("rate {r}/s"),
        None => format!("max ({conns} connections)"),
    };
    report(&label, start.elapsed(), all);
    Ok(())
}
