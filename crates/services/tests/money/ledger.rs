//! The ledger: postings balance, reversals undo, closed periods refuse, the trial
//! balance comes from the daily balances, and nothing crosses cooperatives.

use crate::support::Coop;
use guyub_domain::money::Rupiah;
use guyub_domain::{Date, Role};
use guyub_services::ServiceError;
use guyub_services::ledger::{self, ManualLine};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn line(account: &str, debit: i64, credit: i64) -> ManualLine<'_> {
    ManualLine {
        account,
        debit: Rupiah::new(debit),
        credit: Rupiah::new(credit),
    }
}

#[tokio::test]
async fn manual_entries_reversals_and_closing() {
    let c = Coop::new("kop-buku").await;
    let m = c.actor(Role::Manager, 1);
    // Opening capital: cash against simpanan pokok.
    let e1 = ledger::manual_entry(
        &c.db,
        &m,
        d("2025-01-02"),
        "Saldo awal",
        &[line("1-1100", 5_000_000, 0), line("3-1100", 0, 5_000_000)],
    )
    .await
    .unwrap();
    let expense = "5-3200";
    ledger::manual_entry(
        &c.db,
        &m,
        d("2025-01-05"),
        "Beban listrik",
        &[line(expense, 250_000, 0), line("1-1100", 0, 250_000)],
    )
    .await
    .unwrap();
    let tb = ledger::trial_balance(&c.db, &m, d("2025-01-31"))
        .await
        .unwrap();
    assert_eq!(tb.total_debit, tb.total_credit);
    let cash = tb.rows.iter().find(|r| r.code == "1-1100").unwrap();
    assert_eq!(
        (cash.debit, cash.credit, cash.balance),
        (5_000_000, 250_000, 4_750_000)
    );
    // As of an earlier day only the first entry counts.
    let tb2 = ledger::trial_balance(&c.db, &m, d("2025-01-03"))
        .await
        .unwrap();
    assert_eq!(
        tb2.rows
            .iter()
            .find(|r| r.code == "1-1100")
            .unwrap()
            .balance,
        5_000_000
    );
    assert!(!tb2.rows.iter().any(|r| r.code == expense));

    // Refusals, each leaving the ledger as it was.
    let refused = [
        ledger::manual_entry(
            &c.db,
            &m,
            d("2025-01-06"),
            "Tidak seimbang",
            &[line("1-1100", 100, 0), line("3-1100", 0, 99)],
        )
        .await,
        ledger::manual_entry(
            &c.db,
            &m,
            d("2025-01-06"),
            "Ke judul",
            &[line("1-1000", 100, 0), line("3-1100", 0, 100)],
        )
        .await,
        ledger::manual_entry(
            &c.db,
            &m,
            d("2025-01-06"),
            "Tak ada",
            &[line("9-9999", 100, 0), line("3-1100", 0, 100)],
        )
        .await,
        ledger::manual_entry(
            &c.db,
            &m,
            d("2025-01-06"),
            "Nol",
            &[line("1-1100", 0, 0), line("3-1100", 0, 0)],
        )
        .await,
        ledger::manual_entry(
            &c.db,
            &m,
            d("2025-01-06"),
            "Negatif",
            &[line("1-1100", -5, 0), line("3-1100", 0, -5)],
        )
        .await,
        ledger::manual_entry(
            &c.db,
            &m,
            d("2025-01-06"),
            "",
            &[line("1-1100", 5, 0), line("3-1100", 0, 5)],
        )
        .await,
    ];
    for r in refused {
        assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{r:?}");
    }
    // A teller may not post to the journal.
    let t = c.actor(Role::Teller, 2);
    assert!(matches!(
        ledger::manual_entry(
            &c.db,
            &t,
            d("2025-01-06"),
            "x",
            &[line("1-1100", 1, 0), line("3-1100", 0, 1)]
        )
        .await,
        Err(ServiceError::Forbidden)
    ));

    // Reversal nets every account back; a second reversal is refused.
    let r = ledger::reverse(&c.db, &m, e1, d("2025-01-10"), "salah input")
        .await
        .unwrap();
    let tb = ledger::trial_balance(&c.db, &m, d("2025-01-31"))
        .await
        .unwrap();
    assert_eq!(
        tb.rows.iter().find(|r| r.code == "3-1100").unwrap().balance,
        0
    );
    assert_eq!(
        tb.rows.iter().find(|r| r.code == "1-1100").unwrap().balance,
        -250_000
    );
    assert_eq!(tb.total_debit, tb.total_credit);
    assert!(matches!(
        ledger::reverse(&c.db, &m, e1, d("2025-01-10"), "lagi").await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        ledger::reverse(&c.db, &m, r, d("2025-01-10"), "balik lagi").await,
        Err(ServiceError::Conflict(_))
    ));

    // Closing January refuses postings dated in it, accepts later ones; closing
    // cannot move back.
    ledger::close_period(&c.db, &m, d("2025-01-31"))
        .await
        .unwrap();
    let closed = ledger::manual_entry(
        &c.db,
        &m,
        d("2025-01-31"),
        "Telat",
        &[line("1-1100", 1, 0), line("3-1100", 0, 1)],
    )
    .await;
    assert!(
        matches!(&closed, Err(ServiceError::Invalid { field: "date", .. })),
        "{closed:?}"
    );
    assert!(matches!(
        ledger::reverse(&c.db, &m, e1, d("2025-01-15"), "x").await,
        Err(ServiceError::Conflict(_)) | Err(ServiceError::Invalid { .. })
    ));
    ledger::manual_entry(
        &c.db,
        &m,
        d("2025-02-01"),
        "Februari",
        &[line("1-1100", 1, 0), line("3-1100", 0, 1)],
    )
    .await
    .unwrap();
    assert!(matches!(
        ledger::close_period(&c.db, &m, d("2025-01-15")).await,
        Err(ServiceError::Conflict(_))
    ));

    // Another cooperative sees none of it and cannot reverse it.
    let other = Coop::on(c.db.clone(), "kop-lain").await;
    let om = other.actor(Role::Manager, 9);
    let tb = ledger::trial_balance(&other.db, &om, d("2025-12-31"))
        .await
        .unwrap();
    assert!(tb.rows.is_empty());
    assert!(matches!(
        ledger::reverse(&other.db, &om, e1, d("2025-03-01"), "curi").await,
        Err(ServiceError::NotFound)
    ));
}
