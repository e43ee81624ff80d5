//! The loan pages driven through their forms: product, application with the schedule
//! preview, approval only by someone else, disbursement, a repayment and its printed
//! receipt, the list filters, the member page and the portfolio report.

use super::member_pages::{location, owner, staff};
use crate::support::{TestApp, hidden_csrf};
use guyub_domain::Role;
use guyub_services::members::{self, MemberInput};
use reqwest::StatusCode;

#[tokio::test]
async fn a_loan_through_the_pages() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-pinjam-ui").await;
    let (owner_s, csrf) = owner(&app, &t).await;
    let teller = staff(&app, &t, Role::Teller).await;
    let (_, _, html) = app.page(&teller, "/loans").await;
    let teller_csrf = hidden_csrf(&html);
    assert!(html.contains("href=\"/loans\""), "menu entry");
    assert!(html.contains(">Pinjaman<"), "{html}");

    let siti = members::create(
        &app.db,
        &t.actor,
        &MemberInput {
            name: "Siti Rahayu".into(),
            status: Some("anggota".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
    .0;

    // A product, by the owner; the teller sees no product form.
    let (_, _, html) = app.page(&teller, "/loans/products").await;
    assert!(!html.contains("name=\"provisi_kind\""));
    let product = [
        ("_csrf", csrf.as_str()),
        ("name", "Pinjaman Umum"),
        ("method", "flat"),
        ("yearly_rate", "12"),
        ("min_tenor", "1"),
        ("max_tenor", "24"),
        ("provisi_kind", "percent"),
        ("provisi_value", "1"),
        ("admin_kind", "fixed"),
        ("admin_value", "50.000"),
        ("denda_kind", "daily_percent"),
        ("denda_value", "0,1"),
        ("denda_grace_days", "3"),
        ("grace_months", "0"),
        ("active", "1"),
    ];
    let mut bad = product.to_vec();
    bad[3] = ("yearly_rate", "dua belas");
    let (s, _, html) = app.post_form(&owner_s, "/loans/products", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("yearly_rate"), "{html}");
    let (s, h, _) = app.post_form(&owner_s, "/loans/products", &product).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), "/loans/products?ok=loans.product_saved");
    let (_, _, html) = app
        .page(&owner_s, "/loans/products?ok=loans.product_saved")
        .await;
    assert!(html.contains("Produk pinjaman tersimpan") && html.contains("Pinjaman Umum"));
    let pid = guyub_services::loans::products(&app.db, &t.actor)
        .await
        .unwrap()[0]
        .id
        .0
        .to_string();

    // The application: find the member, preview, submit.
    let (_, _, html) = app.page(&teller, "/loans/new?q=siti").await;
    assert!(
        html.contains(&format!("/loans/new?member={siti}")),
        "{html}"
    );
    let (s, _, html) = app
        .page(&teller, &format!("/loans/new?member={siti}"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Siti Rahayu") && html.contains("name=\"principal\""));
    let sid = siti.to_string();
    let form = |action: &'static str, principal: &'static str| {
        vec![
            ("_csrf", teller_csrf.clone()),
            ("member_id", sid.clone()),
            ("product_id", pid.clone()),
            ("principal", principal.to_string()),
            ("tenor_months", "12".to_string()),
            ("purpose", "modal warung".to_string()),
            ("action", action.to_string()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { v.clone() };
    let post = |session: &str, path: &str, v: Vec<(&'static str, String)>| {
        let session = session.to_string();
        let path = path.to_string();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
            app.post_form(&session, &path, &pairs).await
        }
    };
    let (s, _, html) = post(
        &teller,
        "/loans/new",
        as_refs(&form("preview", "12.000.000")),
    )
    .await;
    assert_eq!(s, 200, "{html}");
    // 12.000.000 flat 12 % over 12 months: 1.120.000 a month; provisi 120.000 and
    // administration 50.000 leave 11.830.000.
    assert!(
        html.contains("Rp 1.120.000") && html.contains("Rp 11.830.000"),
        "{html}"
    );
    let (s, _, html) = post(&teller, "/loans/new", as_refs(&form("submit", "dua juta"))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("principal"), "{html}");
    let (s, h, _) = post(
        &teller,
        "/loans/new",
        as_refs(&form("submit", "12.000.000")),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let loan_path = location(&h).split('?').next().unwrap().to_string();
    assert!(location(&h).ends_with("?ok=loans.applied"));

    // The teller who entered it sees the maker-checker notice; the owner the buttons.
    let (_, _, html) = app.page(&teller, &loan_path).await;
    assert!(
        html.contains("Anda yang memasukkan pengajuan ini"),
        "{html}"
    );
    assert!(!html.contains("/approve\""));
    let (_, _, html) = app.page(&owner_s, &loan_path).await;
    assert!(
        html.contains(&format!("action=\"{loan_path}/approve\"")),
        "{html}"
    );
    assert!(html.contains("Rp 1.120.000"), "the schedule preview");
    let (s, h, _) = app
        .post_form(
            &owner_s,
            &format!("{loan_path}/approve"),
            &[("_csrf", &csrf), ("note", "layak")],
        )
        .await;
    assert_eq!(
        (s, location(&h)),
        (
            StatusCode::SEE_OTHER,
            format!("{loan_path}?ok=loans.approved")
        )
    );

    // The owner's own application shows the owner no decision buttons.
    let own = [
        ("_csrf", csrf.as_str()),
        ("member_id", sid.as_str()),
        ("product_id", pid.as_str()),
        ("principal", "1.000.000"),
        ("tenor_months", "6"),
        ("action", "submit"),
    ];
    let (_, h, _) = app.post_form(&owner_s, "/loans/new", &own).await;
    let own_path = location(&h).split('?').next().unwrap().to_string();
    let (_, _, html) = app.page(&owner_s, &own_path).await;
    assert!(!html.contains("/approve\"") && html.contains("Anda yang memasukkan"));

    // Disbursement by the teller, in cash, on 10 January 2025.
    let (s, h, _) = app
        .post_form(
            &teller,
            &format!("{loan_path}/disburse"),
            &[
                ("_csrf", &teller_csrf),
                ("channel", "cash"),
                ("date", "2025-01-10"),
                ("first_due", ""),
            ],
        )
        .await;
    assert_eq!(
        (s, location(&h)),
        (
            StatusCode::SEE_OTHER,
            format!("{loan_path}?ok=loans.disbursed")
        )
    );
    let (_, _, html) = app.page(&teller, &loan_path).await;
    assert!(
        html.contains("Jadwal angsuran") && html.contains("2026-01-10"),
        "{html}"
    );
    assert!(
        html.contains("kol-macet"),
        "two years of arrears make it macet: {html}"
    );

    // A refused repayment shows the reason; a good one goes to its receipt.
    let (s, _, html) = app
        .post_form(
            &teller,
            &format!("{loan_path}/repay"),
            &[
                ("_csrf", &teller_csrf),
                ("amount", "0"),
                ("paid_on", "2025-02-10"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("amount: must be more than zero"), "{html}");
    let (s, h, _) = app
        .post_form(
            &teller,
            &format!("{loan_path}/repay"),
            &[
                ("_csrf", &teller_csrf),
                ("amount", "1.120.000"),
                ("paid_on", "2025-02-10"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let receipt = location(&h);
    assert!(receipt.starts_with("/loans/receipts/"), "{receipt}");
    let (s, _, html) = app.page(&teller, &receipt).await;
    assert_eq!(s, 200);
    for want in [
        "BUKTI PEMBAYARAN ANGSURAN",
        "ANG-000001",
        "Rp 1.120.000",
        "Rp 11.000.000",
        "class=\"receipt\"",
        "data-print",
        "Koperasi kop-pinjam-ui",
    ] {
        assert!(html.contains(want), "{want} missing: {html}");
    }

    // Lists filter by status and collectibility; the member page lists the loans.
    let (_, _, html) = app.page(&teller, "/loans?status=disbursed").await;
    assert!(
        html.contains("PJ-000001") && !html.contains("PJ-000002"),
        "{html}"
    );
    let (_, _, html) = app.page(&teller, "/loans?collectibility=macet").await;
    assert!(html.contains("PJ-000001"), "{html}");
    let (_, _, html) = app.page(&teller, "/loans?collectibility=lancar").await;
    assert!(!html.contains("PJ-000001"), "{html}");
    let (s, _, html) = app.page(&teller, "/loans?status=lunas").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("status"));
    let (_, _, html) = app.page(&teller, &format!("/members/{siti}")).await;
    assert!(
        html.contains("PJ-000001") && html.contains("PJ-000002"),
        "{html}"
    );
    assert!(html.contains(&format!("/loans/new?member={siti}")));

    // The portfolio: for those who read reports.
    let (s, _, _) = app.page(&teller, "/reports/loan-portfolio").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, html) = app.page(&owner_s, "/reports/loan-portfolio").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Macet") && html.contains("PJ-000001") && html.contains("Rp 11.000.000"),
        "{html}"
    );
    let (_, _, html) = app
        .page(&owner_s, "/reports/loan-portfolio?as_of=2025-01-31")
        .await;
    assert!(html.contains("Rp 12.000.000"), "{html}");
}
