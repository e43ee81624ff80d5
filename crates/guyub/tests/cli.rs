//! The `guyub` binary as a person runs it, on the engine the tests are set to.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn guyub(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let dir = std::env::temp_dir().join("guyub-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_guyub"))
        .args(args)
        .current_dir(&dir)
        .env("DATABASE_URL", url)
        .env_remove("GUYUB_DATABASE_URL")
        .env("GUYUB_LOG_LEVEL", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn manage_cooperatives_users_tokens_and_verify_the_audit_log() {
    let url = guyub_store::testing::fresh_database_url().await;
    let o = guyub(&url, &["migrate"], None);
    assert!(o.status.success(), "{}", text(&o));

    let o = guyub(
        &url,
        &[
            "cooperative",
            "add",
            "--slug",
            "ksp-sejahtera",
            "--name",
            "KSP Sejahtera",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = guyub(
        &url,
        &[
            "cooperative",
            "add",
            "--slug",
            "ksp-sejahtera",
            "--name",
            "Again",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("already exists"), "{}", text(&o));

    let o = guyub(
        &url,
        &[
            "user",
            "add",
            "--cooperative",
            "ksp-sejahtera",
            "--email",
            "ketua@ksp.id",
            "--role",
            "owner",
            "--password-stdin",
        ],
        Some("rahasia-sekali-123\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("ketua@ksp.id as owner"));

    // Errors name what is wrong.
    let o = guyub(
        &url,
        &[
            "user",
            "add",
            "--cooperative",
            "nope",
            "--email",
            "a@b.id",
            "--role",
            "agent",
            "--password-stdin",
        ],
        Some("rahasia-sekali-123"),
    );
    assert!(
        !o.status.success() && text(&o).contains("--cooperative"),
        "{}",
        text(&o)
    );
    let o = guyub(
        &url,
        &[
            "user",
            "add",
            "--cooperative",
            "ksp-sejahtera",
            "--email",
            "a@b.id",
            "--role",
            "raja",
            "--password-stdin",
        ],
        Some("rahasia-sekali-123"),
    );
    assert!(
        !o.status.success() && text(&o).contains("--role"),
        "{}",
        text(&o)
    );
    let o = guyub(
        &url,
        &[
            "user",
            "add",
            "--cooperative",
            "ksp-sejahtera",
            "--email",
            "a@b.id",
            "--role",
            "agent",
            "--password-stdin",
        ],
        Some("short"),
    );
    assert!(
        !o.status.success() && text(&o).contains("password"),
        "{}",
        text(&o)
    );

    let o = guyub(
        &url,
        &[
            "token",
            "create",
            "--cooperative",
            "ksp-sejahtera",
            "--role",
            "auditor",
            "--name",
            "ekspor",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let secret = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(secret.starts_with("gyb_"), "{secret}");
    let db = guyub_store::Db::connect(&url).await.unwrap();
    let actor = guyub_services::auth::token_actor(&db, &secret, "test")
        .await
        .unwrap()
        .expect("printed token works");
    assert_eq!(actor.role, guyub_domain::Role::Auditor);

    let o = guyub(&url, &["audit", "verify"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("intact: 3 entries in 2 chains"),
        "{}",
        text(&o)
    );

    sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE action = 'user.created'")
        .execute(db.pool())
        .await
        .unwrap();
    let o = guyub(&url, &["audit", "verify"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("BROKEN") && text(&o).contains("entry #1"),
        "{}",
        text(&o)
    );
}

#[test]
fn config_check_hides_secrets_and_names_wrong_keys() {
    let o = guyub(
        "postgres://guyub:s3cr3t@db.example/guyub",
        &["config", "check"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("postgres://guyub:***@db.example/guyub") && !out.contains("s3cr3t"),
        "{out}"
    );
    assert!(out.contains("# environment"));

    let o = Command::new(env!("CARGO_BIN_EXE_guyub"))
        .args(["config", "check"])
        .env("GUYUB_SESSION_TTL_HOURS", "forever")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o);
    assert!(
        err.contains("session_ttl_hours") && err.contains("GUYUB_SESSION_TTL_HOURS"),
        "{err}"
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["cooperative", "add", "--help"],
        vec!["user", "add", "--help"],
        vec!["token", "create", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["config", "check", "--help"],
        vec!["member", "import", "--help"],
        vec!["member", "export", "--help"],
        vec!["savings", "bill-wajib", "--help"],
        vec!["savings", "post-jasa", "--help"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_guyub"))
            .args(&args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

/// Starts `guyub serve`, waits for its URL, and returns the child and the URL. The
/// caller stops the child with `stop`.
#[allow(clippy::zombie_processes)]
fn start_server(
    url: &str,
    data_dir: &std::path::Path,
    extra: &[&str],
) -> (std::process::Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guyub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(extra)
        .env("DATABASE_URL", url)
        .env("GUYUB_LOG_LEVEL", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("server did not start: {lines:?}");
        }
        lines.push(line.trim_end().to_string());
        if let Some(rest) = line.split("is running at ").nth(1) {
            let base = rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
            std::thread::spawn(move || for _ in reader.lines() {});
            return (child, base, lines);
        }
    }
}

#[tokio::test]
async fn serve_prints_a_setup_link_loads_the_demo_once_and_stops_on_sigterm() {
    guyub_services::install_tls();
    let url = guyub_store::testing::fresh_database_url().await;
    let data = std::env::temp_dir().join(format!("guyub-serve-{}", std::process::id()));
    let (mut child, base, lines) = start_server(&url, &data, &[]);
    let setup = lines
        .iter()
        .find(|l| l.contains("/setup?token="))
        .expect("fresh install prints a setup link");
    let link = setup.trim().to_string();
    assert!(link.starts_with(&base), "{link} is not on {base}");
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client.get(&link).send().await.unwrap().status(),
        200,
        "{link}"
    );
    stop(&mut child);

    let (mut child, _, lines) = start_server(&url, &data, &["--demo"]);
    assert!(
        lines.iter().any(|l| l.contains("owner@demo.guyub.id")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("/setup?token=")),
        "no setup link once staff exist"
    );
    stop(&mut child);
    let (mut child, _, lines) = start_server(&url, &data, &["--demo"]);
    assert!(
        lines.iter().any(|l| l.contains("already present")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.contains("owner@demo.guyub.id")));
    stop(&mut child);
}

fn stop(child: &mut std::process::Child) {
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit after SIGTERM: {status}");
            return;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn member_import_checks_the_whole_file_first_and_export_round_trips() {
    let url = guyub_store::testing::fresh_database_url().await;
    let dir = std::env::temp_dir().join(format!("guyub-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(
        guyub(
            &url,
            &[
                "cooperative",
                "add",
                "--slug",
                "kop-csv",
                "--name",
                "Kop CSV"
            ],
            None
        )
        .status
        .success()
    );

    // Line 4 repeats line 2's NIK, line 5 has a bad phone, line 6 a NIK that disagrees
    // with the birth date.
    let bad = "name,nik,gender,birth_date,phones,status\n\
        Siti Aminah,3273055203900001,P,1990-03-12,0812-1111-0001;+62 21 555 1234,anggota\n\
        Budi Hartono,3201010101010002,L,2001-01-01,081211110002,anggota\n\
        Siti Kembar,3273055203900001,P,1990-03-12,,calon anggota\n\
        Rudi,,L,,not-a-phone,anggota\n\
        Dewi,3273055203900002,P,1990-03-13,,anggota\n";
    let file = dir.join("bad.csv");
    std::fs::write(&file, bad).unwrap();
    let f = file.to_str().unwrap();
    let o = guyub(
        &url,
        &["member", "import", "--cooperative", "kop-csv", f],
        None,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("line 6, nik: NIK says born 12-03-90, but the birth date is 1990-03-13"),
        "{out}"
    );
    assert!(
        out.contains("line 4, nik: the same NIK is on line 2"),
        "{out}"
    );
    assert!(out.contains("line 5, phones:"), "{out}");
    assert!(out.contains("0 imported"), "{out}");
    let export = guyub(
        &url,
        &["member", "export", "--cooperative", "kop-csv"],
        None,
    );
    assert_eq!(
        String::from_utf8_lossy(&export.stdout).lines().count(),
        1,
        "nothing was imported"
    );

    // --skip-bad imports the good rows only.
    let o = guyub(
        &url,
        &[
            "member",
            "import",
            "--cooperative",
            "kop-csv",
            "--skip-bad",
            f,
        ],
        None,
    );
    assert!(text(&o).contains("2 imported"), "{}", text(&o));
    let export = guyub(
        &url,
        &["member", "export", "--cooperative", "kop-csv"],
        None,
    );
    let csv = String::from_utf8_lossy(&export.stdout).to_string();
    assert!(csv.starts_with("member_no,nik,name,"), "{csv}");
    assert!(
        csv.contains(
            "A-000001,3273055203900001,Siti Aminah,P,1990-03-12,,+6281211110001;+62215551234"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("A-000002,3201010101010002,Budi Hartono"),
        "{csv}"
    );

    // The export imports cleanly into another cooperative: the same members.
    assert!(
        guyub(
            &url,
            &[
                "cooperative",
                "add",
                "--slug",
                "kop-dua",
                "--name",
                "Kop Dua"
            ],
            None
        )
        .status
        .success()
    );
    let out_file = dir.join("export.csv");
    std::fs::write(&out_file, &csv).unwrap();
    let o = guyub(
        &url,
        &[
            "member",
            "import",
            "--cooperative",
            "kop-dua",
            out_file.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let again = guyub(
        &url,
        &["member", "export", "--cooperative", "kop-dua"],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&again.stdout), csv);

    // Not UTF-8 and unknown columns stop before any row is read.
    std::fs::write(&file, b"name,phones\nJos\xe9,0812\n").unwrap();
    let o = guyub(
        &url,
        &["member", "import", "--cooperative", "kop-dua", f],
        None,
    );
    assert!(
        text(&o).contains("line 2: the file is not UTF-8"),
        "{}",
        text(&o)
    );
    std::fs::write(&file, "name,hobby\nA,B\n").unwrap();
    let o = guyub(
        &url,
        &["member", "import", "--cooperative", "kop-dua", f],
        None,
    );
    assert!(
        text(&o).contains("unknown column \"hobby\""),
        "{}",
        text(&o)
    );
    let o = guyub(
        &url,
        &["member", "import", "--cooperative", "nope", f],
        None,
    );
    assert!(
        text(&o).contains("--cooperative: no cooperative with slug 'nope'"),
        "{}",
        text(&o)
    );
    // The sample in docs/ stays a valid file.
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/samples/members.csv"
    );
    let o = guyub(
        &url,
        &[
            "member",
            "import",
            "--cooperative",
            "kop-dua",
            "--dry-run",
            sample,
        ],
        None,
    );
    assert!(
        o.status.success() && text(&o).contains("3 rows read, 3 valid, 0 bad"),
        "{}",
        text(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// One signed WhatsApp delivery with a unique message id.
fn wa_delivery(wamid: &str) -> (Vec<u8>, String) {
    let body = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Anggota"}, "wa_id": "6281234500001"}],
        "messages": [{"from": "6281234500001", "id": wamid, "timestamp": "1732400000", "type": "text", "text": {"body": wamid}}]
    }, "field": "messages"}]}]})
    .to_string()
    .into_bytes();
    let sig = guyub_connectors::meta::sign("kill-secret", &body);
    (body, sig)
}

#[tokio::test]
async fn every_acknowledged_event_survives_kill_9_and_takes_effect_once() {
    guyub_services::install_tls();
    let url = guyub_store::testing::fresh_database_url().await;
    let data = std::env::temp_dir().join(format!("guyub-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let d = data.to_str().unwrap();
    assert!(
        guyub(
            &url,
            &[
                "--data-dir",
                d,
                "cooperative",
                "add",
                "--slug",
                "kop-kill",
                "--name",
                "Kill"
            ],
            None
        )
        .status
        .success()
    );
    let o = guyub(
        &url,
        &[
            "--data-dir",
            d,
            "channel",
            "add",
            "--cooperative",
            "kop-kill",
            "--kind",
            "whatsapp",
            "--name",
            "wa",
            "--set",
            "phone_number_id=106540352242922",
            "--set",
            "access_token=t",
            "--set",
            "app_secret=kill-secret",
            "--set",
            "verify_token=v",
        ],
        None,
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("webhook URL: http"), "{out}");
    let channel: i64 = out.split_whitespace().nth(1).unwrap().parse().unwrap();

    let (mut child, base, _) = start_server(&url, &data, &[]);
    let hook = format!("{base}/hooks/whatsapp/{channel}");
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let client = reqwest::Client::new();
    let mut senders = Vec::new();
    for w in 0..8 {
        let (client, hook, acked) = (client.clone(), hook.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            for n in 0.. {
                let wamid = format!("wamid.KILL{w}x{n}");
                let (body, sig) = wa_delivery(&wamid);
                match client
                    .post(&hook)
                    .header("x-hub-signature-256", sig)
                    .body(body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 200 => acked.lock().unwrap().push(wamid),
                    Ok(r) => panic!("refused: {}", r.status()),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap(); // SIGKILL, mid-load
    child.wait().unwrap();
    for s in senders {
        s.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 50,
        "too little load before the kill: {}",
        acked.len()
    );

    // After a restart every acknowledged event is processed, each into one message.
    let (mut child, _, _) = start_server(&url, &data, &[]);
    let db = guyub_store::Db::connect(&url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM inbound_events WHERE processed_at IS NULL")
                .fetch_one(db.pool())
                .await
                .unwrap();
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} events never processed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT provider_id FROM messages WHERE direction = 'in'")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let set: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(set.len(), ids.len(), "a message was stored twice");
    let missing: Vec<&String> = acked.iter().filter(|a| !set.contains(a)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged events lost, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    db.close().await;
    stop(&mut child);
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test]
async fn savings_jobs_bill_wajib_once_per_month_and_post_jasa() {
    let url = guyub_store::testing::fresh_database_url().await;
    let ok = |o: &Output| assert!(o.status.success(), "{}", text(o));
    ok(&guyub(
        &url,
        &[
            "cooperative",
            "add",
            "--slug",
            "kop-sim",
            "--name",
            "Kop Simpan",
        ],
        None,
    ));
    let dir = std::env::temp_dir().join(format!("guyub-savings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("members.csv");
    std::fs::write(
        &file,
        "name,status\nSiti Aminah,anggota\nBudi Hartono,calon anggota\nRudi,keluar\n",
    )
    .unwrap();
    ok(&guyub(
        &url,
        &[
            "member",
            "import",
            "--cooperative",
            "kop-sim",
            file.to_str().unwrap(),
        ],
        None,
    ));
    let bill = |month: &str| {
        guyub(
            &url,
            &[
                "savings",
                "bill-wajib",
                "--cooperative",
                "kop-sim",
                "--month",
                month,
            ],
            None,
        )
    };
    let o = bill("2025-06");
    ok(&o);
    assert!(
        text(&o).contains("simpanan wajib 2025-06: 2 bills of Rp 25.000 made"),
        "{}",
        text(&o)
    );
    let o = bill("2025-06");
    ok(&o);
    assert!(text(&o).contains(": 0 bills"), "{}", text(&o));
    for bad in ["2025-6", "2999-01"] {
        let o = bill(bad);
        assert!(!o.status.success(), "{bad}: {}", text(&o));
        assert!(text(&o).contains("--month"), "{bad}: {}", text(&o));
    }
    let o = guyub(
        &url,
        &[
            "savings",
            "post-jasa",
            "--cooperative",
            "kop-sim",
            "--month",
            "2025-06",
        ],
        None,
    );
    ok(&o);
    assert!(text(&o).contains("the rate is 0%"), "{}", text(&o));
    let o = guyub(
        &url,
        &[
            "savings",
            "post-jasa",
            "--cooperative",
            "nope",
            "--month",
            "2025-06",
        ],
        None,
    );
    assert!(
        !o.status.success() && text(&o).contains("--cooperative"),
        "{}",
        text(&o)
    );
    // Both runs are in the audit log, and it is intact.
    let o = guyub(&url, &["audit", "verify"], None);
    ok(&o);
    assert!(text(&o).contains("audit log intact"), "{}", text(&o));
}
