//! The teller screen, receipts, buku tabungan, arrears and savings settings, driven
//! through their forms as a browser would.

use super::member_pages::{location, member, pairs, staff};
use crate::support::{TestApp, hidden_csrf};
use guyub_domain::{MemberId, Role};
use guyub_services::savings;
use reqwest::StatusCode;

#[tokio::test]
async fn a_teller_takes_a_deposit_prints_the_receipt_and_is_refused_in_indonesian() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-kasir").await;
    let siti = member(
        &app,
        &t,
        "Siti Rahayu",
        "3374015204850001",
        &["081234500001"],
    )
    .await;
    let budi = member(
        &app,
        &t,
        "Budi Santoso",
        "3374020311790002",
        &["081234500002"],
    )
    .await;
    let session = staff(&app, &t, Role::Teller).await;

    // The menu has the teller; the search by phone finds one member and opens her.
    let (s, _, html) = app.page(&session, "/savings/teller?q=0812-3450-0001").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("href=\"/savings/teller\""), "menu");
    assert!(
        !html.contains("href=\"/savings/settings\""),
        "no settings for a teller"
    );
    assert!(html.contains(&format!("data-member=\"{siti}\"")), "{html}");
    assert!(html.contains("Tidak ada tunggakan simpanan wajib."));
    let csrf = hidden_csrf(&html);

    let deposit = |amount: &'static str, kind: &'static str, key: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("member", siti.to_string()),
            ("kind", kind.to_string()),
            ("amount", amount.to_string()),
            ("note", "setoran pasar".to_string()),
            ("request_key", key.to_string()),
            ("q", "Siti".to_string()),
        ]
    };
    let form = deposit("Rp 50.000", "sukarela", "d-1");
    let (s, h, _) = app
        .post_form(&session, "/savings/teller/deposit", &pairs(&form))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), "/savings/receipts/KW-000001?ok=1");
    // The same form sent twice (a double click) gives the same receipt, once.
    let (_, h2, _) = app
        .post_form(&session, "/savings/teller/deposit", &pairs(&form))
        .await;
    assert_eq!(location(&h2), "/savings/receipts/KW-000001?ok=1");

    let (s, _, receipt) = app.page(&session, "/savings/receipts/KW-000001?ok=1").await;
    assert_eq!(s, 200);
    for want in [
        "Koperasi kop-kasir",
        "KW-000001",
        "Siti Rahayu",
        "class=\"amount\">Rp 50.000<",
        "class=\"balance\">Rp 50.000<",
        "setoran pasar",
        "data-print",
        "/assets/print.js",
        "Cetak",
        "Transaksi tercatat",
    ] {
        assert!(receipt.contains(want), "{want} missing: {receipt}");
    }
    let (s, h, js) = app.page(&session, "/assets/print.js").await;
    assert_eq!(s, 200);
    assert!(h["content-type"].to_str().unwrap().contains("javascript"));
    assert!(js.contains("window.print()"));
    let (_, _, css) = app.page(&session, "/assets/app.css").await;
    assert!(css.contains("@media print") && css.contains("80mm"));

    // Refusals: in Indonesian, on the teller page, with what was typed kept.
    let mut over = deposit("75.000", "sukarela", "w-1");
    over[4].1 = "butuh tunai".into();
    let (s, _, html) = app
        .post_form(&session, "/savings/teller/withdraw", &pairs(&over))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Saldo Rp 50.000 kurang dari Rp 75.000 yang diminta."),
        "{html}"
    );
    assert!(html.contains("value=\"75.000\"") && html.contains("value=\"butuh tunai\""));
    let zero = deposit("0", "sukarela", "d-2");
    let (s, _, html) = app
        .post_form(&session, "/savings/teller/deposit", &pairs(&zero))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Jumlah harus lebih dari nol."), "{html}");
    let bad = deposit("lima puluh", "sukarela", "d-3");
    let (_, _, html) = app
        .post_form(&session, "/savings/teller/deposit", &pairs(&bad))
        .await;
    assert!(html.contains("Jumlah tidak terbaca"), "{html}");
    assert!(html.contains("value=\"lima puluh\""));
    let pokok = deposit("100.001", "pokok", "d-4");
    let (_, _, html) = app
        .post_form(&session, "/savings/teller/deposit", &pairs(&pokok))
        .await;
    assert!(
        html.contains("Simpanan pokok hanya Rp 100.000 sekali"),
        "{html}"
    );

    // A transfer by member number; an unknown number is named.
    let budi_no = savings::member_savings(&app.db, &t.actor, MemberId(budi))
        .await
        .unwrap()
        .member_no;
    let member_id = siti.to_string();
    let transfer = |to: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("member", member_id.clone()),
            ("to", to.to_string()),
            ("amount", "20000".to_string()),
            ("request_key", format!("t-{to}")),
        ]
    };
    let (s, _, html) = app
        .post_form(
            &session,
            "/savings/teller/transfer",
            &pairs(&transfer("X-404")),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Nomor anggota penerima tidak ditemukan."),
        "{html}"
    );
    let (s, h, _) = app
        .post_form(
            &session,
            "/savings/teller/transfer",
            &pairs(&transfer(&budi_no)),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, receipt) = app.page(&session, &location(&h)).await;
    assert!(receipt.contains("Transfer keluar ke"), "{receipt}");
    assert!(receipt.contains("Budi Santoso"));

    // The buku tabungan, oldest first, printable.
    let (s, _, html) = app
        .page(
            &session,
            &format!("/savings/members/{siti}/statement?kind=sukarela"),
        )
        .await;
    assert_eq!(s, 200);
    let first = html.find("Setoran").unwrap();
    let second = html.find("Transfer keluar").unwrap();
    assert!(first < second, "oldest first");
    assert!(html.contains("class=\"balance\">Rp 30.000<"), "{html}");
    assert!(html.contains("data-print"));

    // The member page shows the balances and links to the teller.
    let (_, _, html) = app.page(&session, &format!("/members/{siti}")).await;
    assert!(
        html.contains("member-savings") && html.contains("Rp 30.000"),
        "{html}"
    );
    assert!(html.contains(&format!("/savings/teller?member={siti}")));
    assert!(
        html.contains("Setoran simpanan"),
        "timeline names the movement"
    );

    // An agent sees the balances on the member page but has no teller.
    let agent = staff(&app, &t, Role::Agent).await;
    let (_, _, html) = app.page(&agent, &format!("/members/{siti}")).await;
    assert!(html.contains("Rp 30.000"));
    assert!(!html.contains("href=\"/savings/teller\""));
    let (s, _, _) = app.page(&agent, "/savings/teller").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_manager_sets_savings_and_runs_the_monthly_jobs_from_the_settings_page() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-atur-ui").await;
    member(
        &app,
        &t,
        "Siti Rahayu",
        "3374015204850001",
        &["081234500001"],
    )
    .await;
    let session = staff(&app, &t, Role::Manager).await;
    let (s, _, html) = app.page(&session, "/savings/settings").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("href=\"/savings/settings\""), "menu");
    assert!(html.contains("value=\"100000\""), "defaults shown");
    let csrf = hidden_csrf(&html);
    let (s, _, html) = app
        .post_form(
            &session,
            "/savings/settings",
            &[
                ("_csrf", &csrf),
                ("pokok_amount", "Rp 150.000"),
                ("wajib_monthly", "30.000"),
                ("sukarela_rate", "200"),
                ("sukarela_minimum", "0"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Tarif harus persen dari 0 sampai 100"),
        "{html}"
    );
    assert!(html.contains("value=\"Rp 150.000\""), "kept");
    let (s, h, _) = app
        .post_form(
            &session,
            "/savings/settings",
            &[
                ("_csrf", &csrf),
                ("pokok_amount", "Rp 150.000"),
                ("wajib_monthly", "30.000"),
                ("sukarela_rate", "3,5"),
                ("sukarela_minimum", ""),
            ],
        )
        .await;
    assert_eq!(
        (s, location(&h)),
        (StatusCode::SEE_OTHER, "/savings/settings".into())
    );
    let (_, _, html) = app.page(&session, "/savings/settings").await;
    assert!(
        html.contains("value=\"3,5\"") && html.contains("value=\"150000\""),
        "{html}"
    );

    let (s, _, html) = app
        .post_form(
            &session,
            "/savings/settings/billing",
            &[("_csrf", &csrf), ("month", "2025-01")],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Tagihan wajib 2025-01: 1 tagihan baru, Rp 30.000."),
        "{html}"
    );
    let (_, _, html) = app
        .post_form(
            &session,
            "/savings/settings/billing",
            &[("_csrf", &csrf), ("month", "2025-01")],
        )
        .await;
    assert!(html.contains("0 tagihan baru"), "{html}");
    let (s, _, html) = app
        .post_form(
            &session,
            "/savings/settings/jasa",
            &[("_csrf", &csrf), ("month", "bulan lalu")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Bulan ditulis TTTT-BB"), "{html}");
    assert!(html.contains("value=\"bulan lalu\""));
    let (_, _, html) = app
        .post_form(
            &session,
            "/savings/settings/jasa",
            &[("_csrf", &csrf), ("month", "2025-01")],
        )
        .await;
    assert!(html.contains("Jasa simpanan 2025-01: 0 anggota"), "{html}");

    let (s, _, html) = app.page(&session, "/savings/arrears").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Siti Rahayu") && html.contains("Rp 30.000"),
        "{html}"
    );
    // A teller does not change the settings.
    let teller = staff(&app, &t, Role::Teller).await;
    let (s, _, _) = app.page(&teller, "/savings/settings").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
