//! The e-mail channel against real servers: Debian's dovecot (IMAP) and aiosmtpd
//! (SMTP), started by tests/mail/start.sh. A member's mail arrives over SMTP into the
//! mailbox, the poller fetches it over IMAP, and the reply goes out over SMTP in the
//! member's thread.

use crate::support::TestApp;
use reqwest::Method;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};

const MAILDIR: &str = "/tmp/guyub-mail/home/koperasi@test.local/Maildir";

/// Starts the mail servers; `false` when they are not installed (outside CI).
fn mail_servers() -> bool {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/mail/start.sh");
    let installed = std::path::Path::new("/usr/sbin/dovecot").exists();
    if !installed && std::env::var("CI").is_err() {
        eprintln!(
            "skipped: dovecot is not installed (apt-get install dovecot-imapd; pip install aiosmtpd)"
        );
        return false;
    }
    let o = std::process::Command::new("bash")
        .arg(script)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    true
}

/// Sends one message over SMTP, as the member's mail program would.
fn smtp_send(from: &str, to: &str, message: &str) {
    let mut s = std::net::TcpStream::connect("127.0.0.1:10025").unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    let mut expect = |r: &mut BufReader<std::net::TcpStream>, code: &str| loop {
        line.clear();
        r.read_line(&mut line).unwrap();
        assert!(
            line.starts_with(code),
            "SMTP said {line:?}, expected {code}"
        );
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    };
    expect(&mut r, "220");
    for (cmd, code) in [
        ("EHLO anggota.example".to_string(), "250"),
        (format!("MAIL FROM:<{from}>"), "250"),
        (format!("RCPT TO:<{to}>"), "250"),
        ("DATA".to_string(), "354"),
    ] {
        write!(s, "{cmd}\r\n").unwrap();
        expect(&mut r, code);
    }
    write!(s, "{}\r\n.\r\n", message.replace("\n.", "\n..")).unwrap();
    expect(&mut r, "250");
    write!(s, "QUIT\r\n").unwrap();
}

fn mails_containing(needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        for e in std::fs::read_dir(format!("{MAILDIR}/{sub}"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(text) = std::fs::read_to_string(e.path())
                && text.contains(needle)
            {
                out.push(text);
            }
        }
    }
    out
}

#[tokio::test]
async fn a_member_mails_the_cooperative_and_the_reply_threads() {
    if !mail_servers() {
        return;
    }
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-surel").await;
    let creds = json!({"address": "koperasi@test.local", "imap_host": "127.0.0.1", "imap_port": "10143", "imap_tls": "none",
        "smtp_host": "127.0.0.1", "smtp_port": "10025", "smtp_tls": "none", "username": "koperasi@test.local", "password": "rahasia-mail"});
    let (s, ch) = app
        .send(
            Method::POST,
            &t.token,
            "/api/v1/channels",
            Some(json!({"kind": "email", "name": "Surel CS", "credentials": creds})),
        )
        .await;
    assert_eq!(s, 201, "{ch}");
    assert_eq!(ch["secrets"]["password"], "****mail");
    let (s, test) = app
        .send(
            Method::POST,
            &t.token,
            &format!("/api/v1/channels/{}/test", ch["id"]),
            None,
        )
        .await;
    assert_eq!(s, 200, "{test}");
    assert!(
        test["detail"]
            .as_str()
            .unwrap()
            .contains("IMAP login works"),
        "{test}"
    );

    // The member writes; the poller fetches it over IMAP.
    let run = format!("{}-{}", std::process::id(), guyub_store::now_ms());
    let mid = format!("{run}@anggota.example");
    let mail = format!(
        "From: Siti Rahayu <siti.{run}@anggota.example>\r\nTo: koperasi@test.local\r\nSubject: Pinjaman usaha {run}\r\nMessage-ID: <{mid}>\r\nDate: Sun, 24 Nov 2024 10:00:00 +0700\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nApa syarat pinjaman usaha?\r\n"
    );
    smtp_send(
        &format!("siti.{run}@anggota.example"),
        "koperasi@test.local",
        &mail,
    );
    let mut conv = Value::Null;
    for _ in 0..200 {
        let (_, list) = app.get(&t.token, "/api/v1/conversations").await;
        if let Some(c) = list.as_array().and_then(|l| l.first()) {
            conv = c.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(conv["channel_kind"], "email", "the mail never arrived");
    let (_, d) = app
        .get(&t.token, &format!("/api/v1/conversations/{}", conv["id"]))
        .await;
    assert_eq!(
        d["messages"][0]["body"],
        format!("Pinjaman usaha {run}\n\nApa syarat pinjaman usaha?")
    );
    assert_eq!(d["messages"][0]["provider_id"], mid);

    // The reply goes out over SMTP, in the member's thread.
    let (s, q) = app
        .send(
            Method::POST,
            &t.token,
            &format!("/api/v1/conversations/{}/messages", conv["id"]),
            Some(json!({"text": "Syaratnya KTP, KK dan simpanan pokok."})),
        )
        .await;
    assert_eq!(s, 202);
    let mut reply = Vec::new();
    for _ in 0..200 {
        reply = mails_containing(&format!("In-Reply-To: <{mid}>"));
        if !reply.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if reply.is_empty() {
        let (_, d) = app
            .get(&t.token, &format!("/api/v1/conversations/{}", conv["id"]))
            .await;
        let mut conn = app.db.conn().await.unwrap();
        let errors: Vec<Option<String>> = sqlx::query_scalar("SELECT last_error FROM outbox")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        panic!(
            "the reply never reached the SMTP server: {} {errors:?}",
            d["messages"]
        );
    }
    let reply = &reply[0];
    assert!(
        reply.contains(&format!("Subject: Re: Pinjaman usaha {run}")),
        "{reply}"
    );
    assert!(
        reply.contains(&format!("siti.{run}@anggota.example")),
        "{reply}"
    );
    assert!(
        reply.contains("Syaratnya KTP, KK dan simpanan pokok."),
        "{reply}"
    );
    // The reply lands in the same mailbox; the poller must not take it for a member's.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let (_, d) = app
        .get(&t.token, &format!("/api/v1/conversations/{}", conv["id"]))
        .await;
    let msgs = d["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert_eq!(msgs[1]["id"], q["message_id"]);
    assert_eq!(msgs[1]["status"], "sent");
    let (_, contacts) = app.get(&t.token, "/api/v1/contacts").await;
    assert_eq!(contacts.as_array().unwrap().len(), 1, "{contacts}");

    // She sends her papers: the text and each attachment become messages of the same
    // conversation, and the attachment's file is kept in object storage.
    let mail = format!(
        "From: Siti Rahayu <siti.{run}@anggota.example>\r\nTo: koperasi@test.local\r\nSubject: Re: Pinjaman usaha {run}\r\nMessage-ID: <files-{mid}>\r\nDate: Sun, 24 Nov 2024 11:00:00 +0700\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTerlampir slip gaji.\r\n--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"slip.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJWd1eXViCg==\r\n--b1--\r\n"
    );
    smtp_send(
        &format!("siti.{run}@anggota.example"),
        "koperasi@test.local",
        &mail,
    );
    let mut msgs = Vec::new();
    for _ in 0..200 {
        let (_, d) = app
            .get(&t.token, &format!("/api/v1/conversations/{}", conv["id"]))
            .await;
        msgs = d["messages"].as_array().cloned().unwrap_or_default();
        if msgs.len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert!(
        msgs[2]["body"]
            .as_str()
            .unwrap()
            .contains("Terlampir slip gaji."),
        "{msgs:?}"
    );
    assert_eq!(msgs[3]["kind"], "document", "{msgs:?}");
    assert_eq!(msgs[3]["body"], "slip.pdf");
    let (status, ty, bytes) = crate::media::media(&app, &t, msgs[3]["id"].as_i64().unwrap()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(ty, "application/pdf");
    assert_eq!(bytes, b"%PDF-1.4\n%guyub\n");
}
