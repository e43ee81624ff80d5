//! Canned replies through the services: who may write and use them, the audit, the
//! shortcut rules, another cooperative's replies, and the sandbox (unknown variables
//! and syntax errors with their line, loops and output that run out of fuel or room,
//! no includes, no escaping).

use crate::support::Coop;
use guyub_domain::{CannedReplyId, Role};
use guyub_services::ServiceError;
use guyub_services::canned::{
    self, CannedContext, CannedInput, CannedRef, MAX_OUTPUT_CHARS, VARIABLES, check, render_body,
};

fn reply<'a>(shortcut: &'a str, body: &'a str) -> CannedInput<'a> {
    CannedInput {
        shortcut,
        title: "Salam pembuka",
        body,
    }
}

fn refusal(e: ServiceError) -> (&'static str, String) {
    match e {
        ServiceError::Invalid { field, message } => (field, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn ctx() -> CannedContext {
    CannedContext {
        nama: "Budi Santoso".into(),
        no_anggota: "".into(),
        agen: "Rina".into(),
        koperasi: "KSP Maju".into(),
        kanal: "telegram".into(),
        ..CannedContext::default()
    }
}

const SALAM: &str = "Halo {{ nama }}, terima kasih telah menghubungi {{ koperasi }}.\n\
{% if no_anggota %}No. anggota: {{ no_anggota }}{% else %}Anda belum terdaftar sebagai anggota.{% endif %}\n\
Salam, {{ agen }} ({{ kanal|upper }})";

#[tokio::test]
async fn supervisors_write_replies_and_agents_render_them() {
    let c = Coop::new("kop-canned").await;
    let sup = c.actor(Role::Supervisor, 1);
    let agent = c.actor(Role::Agent, 2);

    let r = canned::create(&c.db, &sup, &reply(" /Salam ", SALAM))
        .await
        .unwrap();
    assert_eq!(r.shortcut, "/salam");
    assert_eq!(r.created_by, "user:1 staff1@koperasi.test");
    // Without the slash it is added.
    let t = canned::create(
        &c.db,
        &sup,
        &reply("terima_kasih", "Terima kasih, {{ nama }}!"),
    )
    .await
    .unwrap();
    assert_eq!(t.shortcut, "/terima_kasih");

    let text = canned::render(&c.db, &agent, &CannedRef::parse("/salam"), &ctx())
        .await
        .unwrap();
    assert_eq!(
        text,
        "Halo Budi Santoso, terima kasih telah menghubungi KSP Maju.\n\
Anda belum terdaftar sebagai anggota.\nSalam, Rina (TELEGRAM)"
    );
    let mut member = ctx();
    member.no_anggota = "A-000777".into();
    let by_id = CannedRef::parse(&r.id.to_string());
    assert_eq!(by_id, CannedRef::Id(r.id));
    let text = canned::render(&c.db, &agent, &by_id, &member)
        .await
        .unwrap();
    assert!(text.contains("No. anggota: A-000777"), "{text}");
    assert_eq!(
        canned::render(&c.db, &agent, &CannedRef::parse("TERIMA_KASIH"), &ctx())
            .await
            .unwrap(),
        "Terima kasih, Budi Santoso!"
    );

    // Agents list, read and render; they do not write.
    assert_eq!(canned::list(&c.db, &agent).await.unwrap().len(), 2);
    assert_eq!(canned::get(&c.db, &agent, r.id).await.unwrap().body, SALAM);
    for result in [
        canned::create(&c.db, &agent, &reply("/x", "x")).await,
        canned::update(&c.db, &agent, r.id, &reply("/x", "x")).await,
        canned::delete(&c.db, &agent, r.id).await,
    ] {
        assert!(matches!(result, Err(ServiceError::Forbidden)));
    }
    // Tellers do not even use them.
    let teller = c.actor(Role::Teller, 3);
    assert!(matches!(
        canned::list(&c.db, &teller).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        canned::render(&c.db, &teller, &CannedRef::parse("/salam"), &ctx()).await,
        Err(ServiceError::Forbidden)
    ));

    let admin = c.actor(Role::Admin, 4);
    let edited = canned::update(
        &c.db,
        &admin,
        r.id,
        &CannedInput {
            shortcut: "/salam-pagi",
            title: "Salam pagi",
            body: "Selamat pagi {{ nama }}",
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (edited.shortcut.as_str(), edited.updated_by.as_str()),
        ("/salam-pagi", "user:4 staff4@koperasi.test")
    );
    assert_eq!(edited.created_by, r.created_by);
    assert!(matches!(
        canned::render(&c.db, &agent, &CannedRef::parse("/salam"), &ctx()).await,
        Err(ServiceError::NotFound)
    ));
    canned::delete(&c.db, &admin, t.id).await.unwrap();
    assert!(matches!(
        canned::get(&c.db, &agent, t.id).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(
        c.audit_actions().await,
        [
            "canned.created",
            "canned.created",
            "canned.updated",
            "canned.deleted"
        ]
    );
}

#[tokio::test]
async fn shortcuts_are_unique_within_a_cooperative_only() {
    let c = Coop::new("kop-canned-dup").await;
    let other = Coop::on(c.db.clone(), "kop-canned-other").await;
    let a = c.actor(Role::Owner, 1);
    let b = other.actor(Role::Owner, 2);
    let first = canned::create(&c.db, &a, &reply("/salam", "Halo"))
        .await
        .unwrap();
    let second = canned::create(&c.db, &a, &reply("/pamit", "Sampai jumpa"))
        .await
        .unwrap();
    assert!(matches!(
        canned::create(&c.db, &a, &reply("/SALAM", "Halo lagi")).await,
        Err(ServiceError::Conflict(_))
    ));
    // Renaming onto a taken shortcut is refused too.
    assert!(matches!(
        canned::update(&c.db, &a, second.id, &reply("/salam", "x")).await,
        Err(ServiceError::Conflict(_))
    ));
    // Another cooperative may use the same shortcut …
    let theirs = canned::create(&c.db, &b, &reply("/salam", "Hai"))
        .await
        .unwrap();
    // … and never reaches ours by id or shortcut.
    assert!(matches!(
        canned::get(&c.db, &b, first.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        canned::update(&c.db, &b, first.id, &reply("/salam", "diambil alih")).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        canned::delete(&c.db, &b, first.id).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(
        canned::render(&c.db, &b, &CannedRef::parse("/salam"), &ctx())
            .await
            .unwrap(),
        "Hai"
    );
    assert!(matches!(
        canned::render(&c.db, &b, &CannedRef::Id(first.id), &ctx()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        canned::get(&c.db, &a, CannedReplyId(theirs.id.0 + 1000)).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(canned::get(&c.db, &a, first.id).await.unwrap().body, "Halo");
}

#[tokio::test]
async fn bad_replies_are_refused_naming_the_field_and_the_line() {
    let c = Coop::new("kop-canned-bad").await;
    let a = c.actor(Role::Supervisor, 1);
    let long_title = "j".repeat(101);
    let long_body = "x".repeat(4097);
    let long_shortcut = format!("/{}", "a".repeat(33));
    let cases: Vec<(CannedInput<'_>, &str, &str)> = vec![
        (reply("/", "Halo"), "shortcut", "slash"),
        (reply("/salam pagi", "Halo"), "shortcut", "slash"),
        (reply("/sálam", "Halo"), "shortcut", "slash"),
        (reply(&long_shortcut, "Halo"), "shortcut", "slash"),
        (
            CannedInput {
                shortcut: "/ok",
                title: " ",
                body: "Halo",
            },
            "title",
            "1 to 100",
        ),
        (
            CannedInput {
                shortcut: "/ok",
                title: &long_title,
                body: "Halo",
            },
            "title",
            "1 to 100",
        ),
        (reply("/ok", "  "), "body", "1 to 4096"),
        (reply("/ok", &long_body), "body", "1 to 4096"),
        // An unknown variable, named, with its line.
        (
            reply("/ok", "Halo {{ nama }},\nsaldo Anda {{ saldo }}."),
            "body",
            "line 2: unknown variable 'saldo'",
        ),
        // Also on a path the sample values do not take.
        (
            reply(
                "/ok",
                "Halo\n\n{% if no_anggota == 'x' %}\n{{ nam|upper }}{% endif %}",
            ),
            "body",
            "line 4: unknown variable 'nam'",
        ),
        // Syntax errors, with their line.
        (
            reply("/ok", "Halo\n{{ nama }"),
            "body",
            "line 2: syntax error",
        ),
        (
            reply("/ok", "Halo {{ nama }}\n{% if nama %}\nya\n"),
            "body",
            "syntax error",
        ),
        (reply("/ok", "{% for %}"), "body", "line 1: syntax error"),
        // A filter that does not exist; an attribute a string does not have.
        (reply("/ok", "Halo\n{{ nama|rahasia }}"), "body", "line 2:"),
        (reply("/ok", "{{ nama.saldo }}"), "body", "line 1:"),
        // No other templates, no files.
        (reply("/ok", "{% include 'x.txt' %}"), "body", "line 1:"),
        (
            reply("/ok", "{% extends '/etc/passwd' %}"),
            "body",
            "line 1:",
        ),
        (reply("/ok", "{% import 'x' as y %}"), "body", "line 1:"),
        // Endless work and huge output run out of fuel or room.
        (
            reply("/ok", "{% for i in range(100000) %}{% endfor %}"),
            "body",
            "too much work",
        ),
        (
            reply(
                "/ok",
                "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
            ),
            "body",
            "too much work",
        ),
        (
            reply("/ok", "{{ 'ab' * 2100 }}"),
            "body",
            "longer than 4096",
        ),
        (
            reply("/ok", "{{ 'ab' * 100000000 }}"),
            "body",
            "too much work",
        ),
        (
            reply(
                "/ok",
                "{% for i in range(300) %}{{ nama }} {{ koperasi }} {% endfor %}",
            ),
            "body",
            "",
        ),
    ];
    for (input, field, says) in cases {
        let (f, message) = refusal(
            canned::create(&c.db, &a, &input)
                .await
                .expect_err(input.body),
        );
        assert_eq!(f, field, "{}: {message}", input.body);
        assert!(message.contains(says), "{}: {message}", input.body);
    }
    assert!(canned::list(&c.db, &a).await.unwrap().is_empty());
    assert!(c.audit_actions().await.is_empty());
}

#[test]
fn the_sandbox_allows_what_a_reply_needs_and_escapes_nothing() {
    let mut values = ctx();
    values.nama = "Tono & <Sons> \"Jaya\"".into();
    for (body, want) in [
        ("{{ nama }}", "Tono & <Sons> \"Jaya\""),
        ("{{ (nama|lower)[:4] }}", "tono"),
        ("{{ agen ~ ' / ' ~ koperasi }}", "Rina / KSP Maju"),
        ("{% set x = 2 %}{{ x * 3 }}", "6"),
        ("{{ range(3)|join(',') }}", "0,1,2"),
        (
            "{% for c in ['a', 'b'] %}{{ loop.index }}{{ c }}{% endfor %}",
            "1a2b",
        ),
        ("{{ no_anggota or 'bukan anggota' }}", "bukan anggota"),
        ("{# catatan #}Halo", "Halo"),
    ] {
        check(body).unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(render_body(body, &values).unwrap(), want, "{body}");
    }
    // Saving checks against samples; a real value that makes the text too long is
    // refused when rendering.
    let body = "{{ nama }}{{ nama }}";
    check(body).unwrap();
    values.nama = "n".repeat(MAX_OUTPUT_CHARS / 2 + 1);
    let e = render_body(body, &values).unwrap_err();
    assert!(e.message.contains("longer than"), "{e}");
    // Every variable of the list is allowed and has a sample.
    let all: String = VARIABLES
        .iter()
        .map(|v| format!("{{{{ {} }}}}|", v.name))
        .collect();
    check(&all).unwrap();
    let sample = render_body(&all, &CannedContext::sample()).unwrap();
    assert_eq!(sample.matches('|').count(), VARIABLES.len());
    assert!(!sample.contains("||"), "a sample is empty: {sample}");
}

#[tokio::test]
async fn the_preview_renders_an_unsaved_body_with_samples() {
    let c = Coop::new("kop-canned-preview").await;
    let agent = c.actor(Role::Agent, 1);
    assert_eq!(
        canned::preview(
            &agent,
            "Halo {{ nama }} dari {{ koperasi }}",
            &CannedContext::sample()
        )
        .unwrap(),
        "Halo Siti Rahayu dari Koperasi Sejahtera Bersama"
    );
    let (field, message) =
        refusal(canned::preview(&agent, "{{ x }}", &CannedContext::sample()).unwrap_err());
    assert_eq!(
        (field, message.contains("unknown variable 'x'")),
        ("body", true)
    );
    assert!(matches!(
        canned::preview(&c.actor(Role::Teller, 2), "Halo", &CannedContext::sample()),
        Err(ServiceError::Forbidden)
    ));
}

#[test]
fn balances_render_only_for_a_verified_member() {
    let body = "Halo {{ nama }}.\n{% if false %}{{ angsuran_berikut }}{% endif %}\nSaldo sukarela: {{ simpanan_sukarela }}";
    // Saving checks with the samples, which are verified.
    check(body).unwrap();
    let mut c = ctx();
    c.simpanan_sukarela = "Rp 2.350.000".into();
    c.angsuran_berikut = "Rp 475.000, jatuh tempo 15 Desember 2026".into();
    // Not verified: refused, naming the first such variable and its line, even on a
    // path not taken; nothing is rendered.
    let e = render_body(body, &c).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(
        e.message.starts_with(
            "'angsuran_berikut' is sent only to a member writing from a verified identity"
        ),
        "{e}"
    );
    // A body without them renders as before.
    assert_eq!(
        render_body("Halo {{ nama }}", &c).unwrap(),
        "Halo Budi Santoso"
    );
    c.verified = true;
    assert_eq!(
        render_body(body, &c).unwrap(),
        "Halo Budi Santoso.\n\nSaldo sukarela: Rp 2.350.000"
    );
}
