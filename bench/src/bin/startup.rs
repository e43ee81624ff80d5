//! Start-up time and idle memory of `guyub serve`: starts the binary N times, measures
//! the time from spawn until `GET /readyz` answers 200, then the resident memory after
//! one idle second. Usage: `startup BIN DATA_DIR PORT [RUNS]`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn ready(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 12];
    s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1 200")
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: startup BIN DATA_DIR PORT [RUNS]");
        std::process::exit(2);
    }
    let (bin, data, port) = (&args[1], &args[2], args[3].parse::<u16>().expect("PORT"));
    let runs: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut times = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut child = Command::new(bin)
            .args([
                "serve",
                "--data-dir",
                data,
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env("GUYUB_LOG_LEVEL", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn guyub");
        while !ready(port) {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "not ready after 30 s"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        times.push(start.elapsed());
        std::thread::sleep(Duration::from_secs(1));
        rss.push(rss_kib(child.id()));
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = child.wait();
    }
    times.sort();
    rss.sort();
    println!(
        "start-to-ready ms: median {:.1}, min {:.1}, max {:.1} ({} runs)",
        times[runs / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[runs - 1].as_secs_f64() * 1000.0,
        runs
    );
    println!("idle RSS MiB: median {:.1}", rss[runs / 2] as f64 / 1024.0);
}
