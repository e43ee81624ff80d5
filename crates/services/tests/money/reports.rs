//! Reports on a small ledger worked out by hand (docs/MONEY.md "Ledger and reports"
//! has the same figures): the balance sheet balances, the income statement shows
//! member and non-member revenue apart and splits the surplus, the cash book runs its
//! balance; the CSV and beancount exports (the latter checked by `bean-check`).

use crate::support::Coop;
use guyub_domain::money::{AccountCode, JournalDraft, Rupiah};
use guyub_domain::{Date, MemberId, Role};
use guyub_services::ledger::{self, Ledger, Posting, Source};
use guyub_services::ledger_export::{ExportFormat, JournalExport};
use guyub_services::{ServiceError, reports};
use guyub_store::members::MemberFields;

pub fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// The three members of the worked example.
pub struct Worked {
    pub m1: MemberId,
    pub m2: MemberId,
    pub m3: MemberId,
}

pub async fn member(c: &Coop, no: &str, name: &str) -> MemberId {
    let mut conn = c.db.conn().await.unwrap();
    guyub_store::members::create(
        &mut conn,
        c.id,
        no,
        &MemberFields {
            name: name.into(),
            ..Default::default()
        },
        "anggota",
    )
    .await
    .unwrap()
    .id
}

/// Posts one entry (as the savings and loan services do: member on every line).
pub async fn post(
    c: &Coop,
    date: &str,
    memo: &str,
    lines: &[(&str, i64, i64)],
    member: Option<MemberId>,
) {
    let mut draft = JournalDraft::new(memo);
    for (code, dr, cr) in lines {
        let code = AccountCode::parse(code).unwrap();
        draft = draft
            .debit(&code, Rupiah::new(*dr))
            .credit(&code, Rupiah::new(*cr));
    }
    let entry = draft.build().unwrap();
    let mut tx = c.db.begin_write().await.unwrap();
    let l = Ledger::load(&mut tx, c.id).await.unwrap();
    ledger::post(
        &mut tx,
        &l,
        "test",
        &[Posting {
            date: d(date),
            entry: &entry,
            source: Source {
                kind: "test",
                id: None,
            },
            member,
            reverses: None,
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The worked ledger of 2025 (default chart, pokok and wajib as equity):
///
/// | date | what | debit | credit |
/// | --- | --- | --- | --- |
/// | 01-01 | grant | Kas 5.000.000 | Hibah |
/// | 01-02 | m1 pokok 100.000 + wajib 400.000 | Kas 500.000 | Pokok, Wajib |
/// | 01-02 | m2 pokok 100.000 + wajib 100.000 | Kas 200.000 | Pokok, Wajib |
/// | 01-02 | m3 pokok 100.000 | Kas 100.000 | Pokok |
/// | 02-01 | loan to m1 | Piutang 1.000.000 | Kas |
/// | 03-01 | stock bought | Persediaan 300.000 | Kas |
/// | 03-01 | sale to a non-member | Kas 200.000; HPP non-anggota 150.000 | Penjualan non-anggota 200.000; Persediaan 150.000 |
/// | 06-30 | m1 interest 60.000 + provisi 10.000 | Kas 70.000 | 4-1100, 4-1200 |
/// | 06-30 | m2 interest 30.000 | Kas 30.000 | 4-1100 |
/// | 07-15 | office | Beban kantor 50.000 | Kas |
/// | 12-31 | bank interest | Kas 10.000 | 4-3100 |
pub async fn worked_ledger(c: &Coop) -> Worked {
    let m1 = member(c, "A-001", "Siti Aminah").await;
    let m2 = member(c, "A-002", "Budi Santoso").await;
    let m3 = member(c, "A-003", "Wayan Sudarma").await;
    post(
        c,
        "2025-01-01",
        "Hibah pemda",
        &[("1-1100", 5_000_000, 0), ("3-1400", 0, 5_000_000)],
        None,
    )
    .await;
    post(
        c,
        "2025-01-02",
        "Simpanan pokok dan wajib",
        &[
            ("1-1100", 500_000, 0),
            ("3-1100", 0, 100_000),
            ("3-1200", 0, 400_000),
        ],
        Some(m1),
    )
    .await;
    post(
        c,
        "2025-01-02",
        "Simpanan pokok dan wajib",
        &[
            ("1-1100", 200_000, 0),
            ("3-1100", 0, 100_000),
            ("3-1200", 0, 100_000),
        ],
        Some(m2),
    )
    .await;
    post(
        c,
        "2025-01-02",
        "Simpanan pokok",
        &[("1-1100", 100_000, 0), ("3-1100", 0, 100_000)],
        Some(m3),
    )
    .await;
    post(
        c,
        "2025-02-01",
        "Pencairan pinjaman",
        &[("1-1300", 1_000_000, 0), ("1-1100", 0, 1_000_000)],
        Some(m1),
    )
    .await;
    post(
        c,
        "2025-03-01",
        "Beli barang",
        &[("1-1500", 300_000, 0), ("1-1100", 0, 300_000)],
        None,
    )
    .await;
    post(
        c,
        "2025-03-01",
        "Penjualan tunai \"umum\"",
        &[
            ("1-1100", 200_000, 0),
            ("5-1200", 150_000, 0),
            ("4-2100", 0, 200_000),
            ("1-1500", 0, 150_000),
        ],
        None,
    )
    .await;
    post(
        c,
        "2025-06-30",
        "Angsuran: jasa dan provisi",
        &[
            ("1-1100", 70_000, 0),
            ("4-1100", 0, 60_000),
            ("4-1200", 0, 10_000),
        ],
        Some(m1),
    )
    .await;
    post(
        c,
        "2025-06-30",
        "Angsuran: jasa",
        &[("1-1100", 30_000, 0), ("4-1100", 0, 30_000)],
        Some(m2),
    )
    .await;
    post(
        c,
        "2025-07-15",
        "Listrik dan ATK",
        &[("5-3200", 50_000, 0), ("1-1100", 0, 50_000)],
        None,
    )
    .await;
    post(
        c,
        "2025-12-31",
        "Jasa giro",
        &[("1-1100", 10_000, 0), ("4-3100", 0, 10_000)],
        None,
    )
    .await;
    Worked { m1, m2, m3 }
}

fn amount(rows: &[reports::ReportRow], code: &str) -> i64 {
    rows.iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("{code} missing"))
        .amount
}

#[tokio::test]
async fn balance_sheet_income_statement_and_cash_book_by_hand() {
    let c = Coop::new("kop-lap").await;
    worked_ledger(&c).await;
    let a = c.actor(Role::Auditor, 1);

    let bs = reports::balance_sheet(&c.db, &a, d("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(amount(&bs.assets, "1-1100"), 4_760_000);
    assert_eq!(amount(&bs.assets, "1-1300"), 1_000_000);
    assert_eq!(amount(&bs.assets, "1-1500"), 150_000);
    assert_eq!(
        amount(&bs.assets, "1-1000"),
        5_910_000,
        "the heading sums its accounts"
    );
    assert_eq!(bs.total_assets, 5_910_000);
    assert_eq!(bs.total_liabilities, 0);
    assert_eq!(amount(&bs.equity, "3-1100"), 300_000);
    assert_eq!(amount(&bs.equity, "3-1200"), 500_000);
    assert_eq!(bs.current_surplus, 110_000);
    assert_eq!(bs.total_equity, 5_910_000);
    assert!(bs.balanced);
    assert!(
        !bs.assets.iter().any(|r| r.code == "1-2200"),
        "unused accounts are left out"
    );

    let is = reports::income_statement(&c.db, &a, d("2025-01-01"), d("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(amount(&is.revenue, "4-1000"), 100_000);
    assert_eq!(amount(&is.revenue, "4-2000"), 200_000);
    assert_eq!(amount(&is.revenue, "4-3100"), 10_000);
    assert_eq!(
        (is.total_revenue, is.total_expenses, is.surplus),
        (310_000, 200_000, 110_000)
    );
    let s = is.split;
    assert_eq!(
        (s.member_revenue, s.non_member_revenue, s.other_revenue),
        (100_000, 200_000, 10_000)
    );
    assert_eq!(
        (
            s.member_direct_costs,
            s.non_member_direct_costs,
            s.common_costs
        ),
        (0, 150_000, 50_000)
    );
    // Common 50.000 − 10.000 = 40.000, × 200/300 = 26.666,67 → 26.667 to non-members.
    assert_eq!(
        (s.common_to_non_members, s.common_to_members),
        (26_667, 13_333)
    );
    assert_eq!((s.surplus_members, s.surplus_non_members), (86_667, 23_333));
    // Half a year: only what happened by 30 June.
    let h1 = reports::income_statement(&c.db, &a, d("2025-01-01"), d("2025-06-30"))
        .await
        .unwrap();
    assert_eq!((h1.total_revenue, h1.total_expenses), (300_000, 150_000));

    let cb = reports::cash_book(&c.db, &a, d("2025-02-01"), d("2025-06-30"))
        .await
        .unwrap();
    assert_eq!(cb.account.code, "1-1100");
    assert_eq!(cb.opening, 5_800_000);
    let running: Vec<i64> = cb.lines.iter().map(|l| l.balance).collect();
    assert_eq!(
        running,
        [4_800_000, 4_500_000, 4_700_000, 4_770_000, 4_800_000]
    );
    assert_eq!(
        (cb.total_debit, cb.total_credit, cb.closing),
        (300_000, 1_300_000, 4_800_000)
    );
    assert!(!cb.truncated);
    // The account card of a liability runs on the credit side.
    let card = reports::account_card(&c.db, &a, Some("3-1200"), d("2025-01-01"), d("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(
        card.lines.iter().map(|l| l.balance).collect::<Vec<_>>(),
        [400_000, 500_000]
    );

    // Refusals.
    assert!(matches!(
        reports::income_statement(&c.db, &a, d("2025-12-31"), d("2025-01-01")).await,
        Err(ServiceError::Invalid { field: "from", .. })
    ));
    assert!(matches!(
        reports::account_card(&c.db, &a, Some("1-1000"), d("2025-01-01"), d("2025-12-31")).await,
        Err(ServiceError::Invalid {
            field: "account",
            ..
        })
    ));
    let teller = c.actor(Role::Teller, 2);
    assert!(matches!(
        reports::balance_sheet(&c.db, &teller, d("2025-12-31")).await,
        Err(ServiceError::Forbidden)
    ));
    // Another cooperative's reports are empty.
    let other = Coop::on(c.db.clone(), "kop-lap-lain").await;
    let bs = reports::balance_sheet(&other.db, &other.actor(Role::Owner, 3), d("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(bs.total_assets, 0);
}

#[tokio::test]
async fn journal_exports_as_csv_and_as_beancount_that_bean_check_accepts() {
    let c = Coop::new("kop-ekspor").await;
    let w = worked_ledger(&c).await;
    let a = c.actor(Role::Auditor, 1);
    let csv = JournalExport::start(&c.db, &a, ExportFormat::Csv, None, None)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "entry_no",
            "date",
            "memo",
            "account_code",
            "account_name",
            "debit",
            "credit",
            "member_id"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 27, "one row per journal line");
    let (dr, cr) = rows.iter().fold((0i64, 0i64), |(dr, cr), r| {
        (
            dr + r[5].parse::<i64>().unwrap(),
            cr + r[6].parse::<i64>().unwrap(),
        )
    });
    assert_eq!(dr, cr);
    let m1_wajib = rows
        .iter()
        .find(|r| &r[3] == "3-1200" && &r[6] == "400000")
        .unwrap();
    assert_eq!(&m1_wajib[0], "2");
    assert_eq!(&m1_wajib[1], "2025-01-02");
    assert_eq!(&m1_wajib[4], "Simpanan Wajib");
    assert_eq!(m1_wajib[7].parse::<i64>().unwrap(), w.m1.0);
    assert!(rows.iter().any(|r| &r[2] == "Penjualan tunai \"umum\""));
    // A date range narrows it.
    let june = JournalExport::start(
        &c.db,
        &a,
        ExportFormat::Csv,
        Some(d("2025-06-01")),
        Some(d("2025-06-30")),
    )
    .await
    .unwrap()
    .collect()
    .await
    .unwrap();
    assert_eq!(june.lines().count(), 1 + 5);

    let bean = JournalExport::start(&c.db, &a, ExportFormat::Beancount, None, None)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert!(bean.contains("option \"operating_currency\" \"IDR\""));
    assert!(bean.contains("2025-01-01 open Assets:K1-1100-Kas IDR"));
    assert!(bean.contains("2025-03-01 open Income:K4-2100-Penjualan-kepada-Non-Anggota IDR"));
    assert!(bean.contains("  Equity:K3-1200-Simpanan-Wajib  -400000 IDR\n"));
    let filter = guyub_store::audit::Filter {
        action_prefix: "ledger.exported".into(),
        limit: 50,
        ..Default::default()
    };
    let audit = guyub_store::audit::list(&mut c.db.conn().await.unwrap(), c.id, &filter)
        .await
        .unwrap()
        .len();
    assert_eq!(audit, 3, "every export is audited");

    let checker = std::process::Command::new("bean-check")
        .arg("--version")
        .output();
    if checker.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "bean-check must be installed in CI (pip install beancount)"
        );
        eprintln!("SKIPPED: bean-check is not installed (pip install beancount)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("guyub-bean-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kop-ekspor.beancount");
    std::fs::write(&file, &bean).unwrap();
    let out = std::process::Command::new("bean-check")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "bean-check refused the export:\n{}\n{}\n{bean}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The checker is not a rubber stamp: an unbalanced transaction fails it.
    std::fs::write(&file, bean.replacen("-400000 IDR", "-400001 IDR", 1)).unwrap();
    let out = std::process::Command::new("bean-check")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "bean-check accepted an unbalanced file"
    );
    std::fs::remove_dir_all(&dir).ok();
}
