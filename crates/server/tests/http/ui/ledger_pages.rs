//! The ledger, report and SHU pages, driven through their forms as a browser would.

use super::member_pages::{location, owner, staff};
use crate::ledger::post_for;
use crate::support::TestApp;
use guyub_domain::Role;
use reqwest::StatusCode;

#[tokio::test]
async fn chart_manual_entry_reversal_closing_and_exports() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-bukubesar").await;
    let (session, csrf) = owner(&app, &t).await;

    // The menu shows the ledger and the reports to the owner, not to an agent.
    let (_, _, home) = app.page(&session, "/").await;
    assert!(home.contains("href=\"/ledger/journal\"") && home.contains("Buku Besar"));
    assert!(home.contains("href=\"/reports\""));
    let agent = staff(&app, &t, Role::Agent).await;
    let (_, _, agent_home) = app.page(&agent, "/").await;
    assert!(!agent_home.contains("/ledger/journal"));
    assert_eq!(
        app.page(&agent, "/ledger/journal").await.0,
        StatusCode::FORBIDDEN
    );

    // Chart of accounts: the default chart, and an account added through the form.
    let (s, _, html) = app.page(&session, "/ledger/accounts").await;
    assert_eq!(s, 200);
    assert!(html.contains("Simpanan Sukarela") && html.contains("1-1100"));
    let (s, h, _) = app
        .post_form(
            &session,
            "/ledger/accounts",
            &[
                ("_csrf", &csrf),
                ("code", "5-3600"),
                ("name_id", "Beban Internet"),
                ("kind", "expense"),
                ("parent_code", "5-3000"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), "/ledger/accounts?ok=ledger.account_added");
    let (_, _, html) = app
        .page(&session, "/ledger/accounts?ok=ledger.account_added")
        .await;
    assert!(html.contains("Beban Internet") && html.contains("Akun ditambahkan."));
    let (s, _, html) = app
        .post_form(
            &session,
            "/ledger/accounts",
            &[
                ("_csrf", &csrf),
                ("code", "5-3600"),
                ("name_id", "Lagi"),
                ("kind", "expense"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("class=\"error\""), "{html}");

    // A manual entry of three lines from the form (amounts typed as people type them).
    let (s, _, html) = app.page(&session, "/ledger/journal/new").await;
    assert_eq!(s, 200);
    assert!(html.contains("name=\"account_8\""), "eight rows");
    let form = [
        ("_csrf", csrf.as_str()),
        ("date", "2025-03-01"),
        ("memo", "Setoran modal dan hibah"),
        ("account_1", "1-1100"),
        ("debit_1", "1.500.000"),
        ("account_2", "3-1400"),
        ("credit_2", "1.000.000"),
        ("account_3", "2-2300"),
        ("credit_3", "Rp 500.000"),
    ];
    let (s, h, _) = app.post_form(&session, "/ledger/journal/new", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let entry_url = location(&h);
    assert!(entry_url.ends_with("?ok=ledger.posted"), "{entry_url}");
    let (_, _, html) = app.page(&session, &entry_url).await;
    assert!(
        html.contains("Rp 1.500.000")
            && html.contains("Rp 500.000")
            && html.contains("Setoran modal dan hibah")
    );
    // Unbalanced: refused with the typed rows kept.
    let mut bad = form;
    bad[8] = ("credit_3", "400.000");
    let (s, _, html) = app.post_form(&session, "/ledger/journal/new", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("does not balance") && html.contains("value=\"400.000\""),
        "{html}"
    );

    // Reverse it with a reason.
    let entry_path = entry_url.split('?').next().unwrap().to_string();
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("{entry_path}/reverse"),
            &[("_csrf", &csrf), ("date", "2025-03-02"), ("reason", "")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, h, _) = app
        .post_form(
            &session,
            &format!("{entry_path}/reverse"),
            &[
                ("_csrf", &csrf),
                ("date", "2025-03-02"),
                ("reason", "hibah belum cair"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app.page(&session, &location(&h)).await;
    assert!(
        html.contains("Pembalikan: Setoran modal dan hibah (hibah belum cair)"),
        "{html}"
    );
    let (_, _, html) = app.page(&session, &entry_path).await;
    assert!(
        !html.contains("/reverse\""),
        "a reversed entry has no reverse form"
    );

    // The journal lists both, with export links that work.
    let (_, _, html) = app
        .page(&session, "/ledger/journal?from=2025-01-01&to=2025-12-31")
        .await;
    assert!(html.contains("Setoran modal dan hibah") && html.contains("pembalikan"));
    assert!(
        html.contains("/ledger/export.csv?from=2025-01-01&#38;to=2025-12-31"),
        "{html}"
    );
    let (s, h, csv) = app
        .page(&session, "/ledger/export.csv?from=2025-01-01&to=2025-12-31")
        .await;
    assert_eq!(s, 200);
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .contains("jurnal.csv")
    );
    assert_eq!(csv.lines().count(), 1 + 6);
    let (_, _, bean) = app.page(&session, "/ledger/export.beancount").await;
    assert!(bean.contains("open Liabilities:K2-2300-Utang-Bank-dan-Lembaga-Keuangan IDR"));
    let (s, _, _) = app.page(&session, "/ledger/journal?from=besok").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Close a period from the form.
    let (s, _, _) = app
        .post_form(
            &session,
            "/ledger/close",
            &[("_csrf", &csrf), ("through", "2025-03-31")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app.page(&session, "/ledger/journal").await;
    assert!(html.contains("2025-03-31"));
    let (s, _, html) = app
        .post_form(
            &session,
            "/ledger/close",
            &[("_csrf", &csrf), ("through", "2025-02-01")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("already closed"));

    // The account card.
    let (_, _, html) = app
        .page(
            &session,
            "/ledger/card?account=1-1100&from=2025-01-01&to=2025-12-31",
        )
        .await;
    assert!(html.contains("Saldo awal") && html.contains("Rp 0"));
}

#[tokio::test]
async fn report_pages_and_shu_from_allocation_to_slip() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-laporan").await;
    let (session, csrf) = owner(&app, &t).await;
    let m = super::member_pages::member(
        &app,
        &t,
        "Siti Aminah",
        "3201014501900001",
        &["081233330001"],
    )
    .await;
    post_for(
        &app,
        &t,
        "2025-01-05",
        &[("1-1100", 200_000, 0), ("3-1100", 0, 200_000)],
        Some(m),
    )
    .await;
    post_for(
        &app,
        &t,
        "2025-05-05",
        &[("1-1100", 30_000, 0), ("4-1100", 0, 30_000)],
        Some(m),
    )
    .await;
    post_for(
        &app,
        &t,
        "2025-05-06",
        &[("1-1100", 70_000, 0), ("4-2100", 0, 70_000)],
        None,
    )
    .await;

    let (s, h, _) = app.page(&session, "/reports").await;
    assert_eq!(
        (s, location(&h).as_str()),
        (StatusCode::SEE_OTHER, "/reports/balance-sheet")
    );
    let (s, _, html) = app
        .page(&session, "/reports/balance-sheet?as_of=2025-12-31")
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Laporan Posisi Keuangan")
            && html.contains("Rp 300.000")
            && html.contains("Rp 100.000")
    );
    assert!(!html.contains("class=\"error\""), "balanced");
    assert!(html.contains("data-print") && html.contains("/assets/print.js"));
    let (_, _, html) = app
        .page(
            &session,
            "/reports/income-statement?from=2025-01-01&to=2025-12-31",
        )
        .await;
    assert!(
        html.contains("Pendapatan dari Anggota") && html.contains("Pendapatan dari Non-Anggota")
    );
    assert!(html.contains("Rp 30.000") && html.contains("Rp 70.000"));
    let (_, _, html) = app
        .page(&session, "/reports/trial-balance?as_of=2025-12-31")
        .await;
    assert!(html.contains("Neraca Saldo") && html.contains("Rp 300.000"));
    let (_, _, html) = app
        .page(&session, "/reports/cash-book?from=2025-05-01&to=2025-05-31")
        .await;
    assert!(
        html.contains("Buku Kas") && html.contains("Rp 230.000") && html.contains("Rp 300.000")
    );
    let (s, _, html) = app
        .page(&session, "/reports/income-statement?from=2025-13-01")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Tanggal tidak valid"));
    let assets = app
        .client
        .get(app.url("/assets/print.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(assets.status(), 200);

    // SHU: the example allocation, a bad one refused, a good one saved, posted, slip.
    let (s, _, html) = app.page(&session, "/shu?year=2025").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Dana Pengurus") && html.contains("Siti Aminah"),
        "{html}"
    );
    let mut form: Vec<(String, String)> = vec![("_csrf".into(), csrf.clone())];
    for (i, (name, kind, pct)) in [
        ("Cadangan", "cadangan", "40"),
        ("Jasa Modal", "jasa_modal", "30"),
        ("Jasa Anggota", "jasa_anggota", "20"),
    ]
    .iter()
    .enumerate()
    {
        form.push((format!("name_{}", i + 1), name.to_string()));
        form.push((format!("kind_{}", i + 1), kind.to_string()));
        form.push((format!("percent_{}", i + 1), pct.to_string()));
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, _, html) = app.post_form(&session, "/shu/2025/allocation", &refs).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("add up to 90%"), "{html}");
    form.push(("name_4".into(), "Dana Sosial".into()));
    form.push(("kind_4".into(), "other".into()));
    form.push(("percent_4".into(), "10".into()));
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, h, _) = app.post_form(&session, "/shu/2025/allocation", &refs).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{h:?}");
    let (s, h, _) = app
        .post_form(&session, "/shu/2025/post", &[("_csrf", &csrf)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app.page(&session, &location(&h)).await;
    assert!(html.contains("SHU dibukukan.") && html.contains("sudah dibukukan"));
    // Surplus 100.000: members 30.000 (revenue share of nothing common), non-members
    // 70.000. Siti takes all of jasa modal (9.000) and jasa anggota (6.000).
    let (s, _, slip) = app.page(&session, &format!("/shu/2025/members/{m}")).await;
    assert_eq!(s, 200);
    assert!(
        slip.contains("Slip SHU") && slip.contains("Siti Aminah") && slip.contains("Rp 15.000"),
        "{slip}"
    );
    let (s, _, html) = app
        .post_form(&session, "/shu/2025/post", &[("_csrf", &csrf)])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("already posted"));
    // Another cooperative's member has no slip here.
    let other = app.tenant("kop-laporan-lain").await;
    let (o_session, _) = owner(&app, &other).await;
    assert_eq!(
        app.page(&o_session, &format!("/shu/2025/members/{m}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}
