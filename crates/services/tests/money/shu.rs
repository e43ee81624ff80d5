//! SHU on the worked ledger of `reports.rs`, checked by hand; the refusals; and, for
//! many members with varied bases, that shares and remainders add up to the pools and
//! the posting balances line by line.

use crate::reports::{d, member, post, worked_ledger};
use crate::support::Coop;
use guyub_domain::money::shu::ShuPoolKind;
use guyub_domain::{MemberId, Role};
use guyub_services::shu::{self, PoolInput};
use guyub_services::{ServiceError, ledger, reports};

fn pool(name: &str, kind: &str, percent: &str) -> PoolInput {
    PoolInput {
        name: name.into(),
        kind: kind.into(),
        percent: percent.into(),
        account: String::new(),
    }
}

#[tokio::test]
async fn worked_example_of_three_members_by_hand() {
    let c = Coop::new("kop-shu").await;
    let w = worked_ledger(&c).await;
    let m = c.actor(Role::Manager, 1);

    // The example split until the RAT's is saved: cadangan 40, jasa modal 20, jasa
    // anggota 25, pengurus 5, karyawan 5, pendidikan 2,5, sosial 1,5, pembangunan 1.
    let v = shu::preview(&c.db, &m, 2025).await.unwrap();
    assert!(!v.allocation.saved);
    assert_eq!(v.surplus, 110_000);
    assert_eq!((v.surplus_members, v.surplus_non_members), (86_667, 23_333));
    let amounts: Vec<i64> = v.pools.iter().map(|p| p.amount).collect();
    // 86.667 × 20 % = 17.333,4 → 17.333; × 25 % = 21.666,75 → 21.666; × 5 % = 4.333,35
    // → 4.333; × 2,5 % = 2.166,675 → 2.166; × 1,5 % = 1.300,005 → 1.300; × 1 % = 866,67
    // → 866; cadangan takes the rest: 86.667 − 51.997 = 34.670.
    assert_eq!(
        amounts,
        [34_670, 17_333, 21_666, 4_333, 4_333, 2_166, 1_300, 866]
    );
    assert_eq!(v.pools[3].account, "2-1410");
    assert_eq!((v.total_capital, v.total_transactions), (800_000, 100_000));
    let by = shu::by_member(&v);
    // Jasa modal: 17.333 × 500/800 = 10.833,125; × 200/800 = 4.333,25; × 100/800 = 2.166,625.
    // Jasa anggota: 21.666 × 70/100 = 15.166,2; × 30/100 = 6.499,8; m3 had none.
    let m1 = by[&w.m1.0];
    assert_eq!((m1.savings_capital, m1.transactions), (500_000, 70_000));
    assert_eq!(
        (m1.jasa_modal, m1.jasa_anggota, m1.total),
        (10_833, 15_166, 25_999)
    );
    assert_eq!(m1.name, "Siti Aminah");
    let m2 = by[&w.m2.0];
    assert_eq!(
        (m2.jasa_modal, m2.jasa_anggota, m2.total),
        (4_333, 6_499, 10_832)
    );
    let m3 = by[&w.m3.0];
    assert_eq!(
        (m3.jasa_modal, m3.jasa_anggota, m3.total),
        (2_166, 0, 2_166)
    );
    assert_eq!(
        (v.jasa_modal_undistributed, v.jasa_anggota_undistributed),
        (1, 1)
    );
    // Reserve: cadangan 34.670 + non-member surplus 23.333 + 1 + 1.
    assert_eq!(v.reserve_total, 58_005);

    // The slip before posting.
    let slip = shu::slip(&c.db, &m, 2025, w.m2).await.unwrap();
    assert_eq!(
        (slip.jasa_modal, slip.jasa_anggota, slip.total, slip.posted),
        (4_333, 6_499, 10_832, false)
    );

    // Post once: the books then show the distribution, the year keeps its statement.
    let posted = shu::post(&c.db, &m, 2025).await.unwrap();
    assert!(posted.posted.is_some());
    let a = c.actor(Role::Auditor, 2);
    let bs = reports::balance_sheet(&c.db, &a, d("2025-12-31"))
        .await
        .unwrap();
    let find = |rows: &[reports::ReportRow], code: &str| {
        rows.iter().find(|r| r.code == code).map_or(0, |r| r.amount)
    };
    assert_eq!(bs.current_surplus, 0);
    assert_eq!(find(&bs.equity, "3-2100"), 0);
    assert_eq!(find(&bs.equity, "3-1300"), 58_005);
    assert_eq!(find(&bs.liabilities, "2-1400"), 38_997);
    assert_eq!(find(&bs.liabilities, "2-1410"), 4_333);
    assert_eq!(bs.total_liabilities, 38_997 + 12_998);
    assert!(bs.balanced);
    assert_eq!(bs.total_assets, 5_910_000);
    let is = reports::income_statement(&c.db, &a, d("2025-01-01"), d("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(is.surplus, 110_000, "the closing entry is set aside");
    // Every member's share is on their own line of Utang SHU.
    let card = reports::account_card(&c.db, &a, Some("2-1400"), d("2025-01-01"), d("2025-12-31"))
        .await
        .unwrap();
    let mut lines: Vec<(Option<i64>, i64)> =
        card.lines.iter().map(|l| (l.member_id, l.credit)).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            (Some(w.m1.0), 25_999),
            (Some(w.m2.0), 10_832),
            (Some(w.m3.0), 2_166)
        ]
    );
    // The posted view and slip read the stored shares.
    let again = shu::preview(&c.db, &a, 2025).await.unwrap();
    assert_eq!(again.reserve_total, 58_005);
    assert_eq!(shu::by_member(&again)[&w.m1.0].total, 25_999);
    let slip = shu::slip(&c.db, &a, 2025, w.m1).await.unwrap();
    assert_eq!(
        (slip.total, slip.posted, slip.jasa_modal_pool),
        (25_999, true, 17_333)
    );
    let mut conn = c.db.conn().await.unwrap();
    let tl = guyub_store::members::timeline(&mut conn, c.id, w.m1, 50)
        .await
        .unwrap();
    assert!(
        tl.iter()
            .any(|e| e.kind == "shu" && e.summary.contains("Rp 25.999")),
        "{tl:?}"
    );
    drop(conn);

    // Refusals: twice; a year not over; the year is closed now; the SHU entries cannot
    // be reversed; the allocation of a posted year is fixed.
    assert!(matches!(
        shu::post(&c.db, &m, 2025).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        shu::post(&c.db, &m, 2026).await,
        Err(ServiceError::Invalid { field: "year", .. })
    ));
    let run = posted.posted.unwrap();
    assert!(matches!(
        ledger::reverse(
            &c.db,
            &m,
            run.distribution_entry_id,
            d("2026-01-05"),
            "salah"
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        shu::set_allocation(&c.db, &m, 2025, &[pool("Cadangan", "cadangan", "100")]).await,
        Err(ServiceError::Conflict(_))
    ));
    let late = ledger::manual_entry(
        &c.db,
        &m,
        d("2025-12-30"),
        "Telat",
        &[
            ledger::ManualLine {
                account: "5-3200",
                debit: guyub_domain::money::Rupiah::new(1),
                credit: guyub_domain::money::Rupiah::ZERO,
            },
            ledger::ManualLine {
                account: "1-1100",
                debit: guyub_domain::money::Rupiah::ZERO,
                credit: guyub_domain::money::Rupiah::new(1),
            },
        ],
    )
    .await;
    assert!(
        matches!(late, Err(ServiceError::Invalid { field: "date", .. })),
        "{late:?}"
    );
    // Another cooperative cannot see the member's slip.
    let other = Coop::on(c.db.clone(), "kop-shu-lain").await;
    assert!(matches!(
        shu::slip(&other.db, &other.actor(Role::Owner, 9), 2025, w.m1).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn allocations_are_checked_and_saved() {
    let c = Coop::new("kop-alokasi").await;
    worked_ledger(&c).await;
    let m = c.actor(Role::Manager, 1);
    let bad = [
        // 95 %.
        vec![
            pool("Cadangan", "cadangan", "40"),
            pool("Jasa Modal", "jasa_modal", "20"),
            pool("Jasa Anggota", "jasa_anggota", "35"),
        ],
        // No jasa anggota pool.
        vec![
            pool("Cadangan", "cadangan", "60"),
            pool("Jasa Modal", "jasa_modal", "40"),
        ],
        // A fund without an account it can be matched to.
        vec![
            pool("Cadangan", "cadangan", "50"),
            pool("Jasa Modal", "jasa_modal", "20"),
            pool("Jasa Anggota", "jasa_anggota", "20"),
            pool("Dana Rekreasi", "other", "10"),
        ],
        // A fund on an expense account.
        vec![
            pool("Cadangan", "cadangan", "50"),
            pool("Jasa Modal", "jasa_modal", "20"),
            pool("Jasa Anggota", "jasa_anggota", "20"),
            PoolInput {
                account: "5-3200".into(),
                ..pool("Dana Rekreasi", "other", "10")
            },
        ],
        // Not a percentage.
        vec![
            pool("Cadangan", "cadangan", "sepuluh"),
            pool("Jasa Modal", "jasa_modal", "20"),
            pool("Jasa Anggota", "jasa_anggota", "80"),
        ],
    ];
    for pools in bad {
        let r = shu::set_allocation(&c.db, &m, 2025, &pools).await;
        assert!(
            matches!(r, Err(ServiceError::Invalid { field: "pools", .. })),
            "{r:?}"
        );
    }
    let teller = c.actor(Role::Teller, 2);
    assert!(matches!(
        shu::set_allocation(&c.db, &teller, 2025, &[]).await,
        Err(ServiceError::Forbidden)
    ));
    let saved = shu::set_allocation(
        &c.db,
        &m,
        2025,
        &[
            pool("Cadangan", "cadangan", "50"),
            pool("Jasa Modal", "jasa_modal", "20"),
            pool("Jasa Anggota", "jasa_anggota", "22,5"),
            pool("Dana Pendidikan", "other", "7.5%"),
            pool("", "", ""),
        ],
    )
    .await
    .unwrap();
    assert_eq!(saved.pools.len(), 4);
    assert_eq!(saved.pools[3].account, "2-1430");
    let v = shu::preview(&c.db, &m, 2025).await.unwrap();
    assert!(v.allocation.saved);
    // 86.667 × 7,5 % = 6.500,025 → 6.500.
    assert_eq!(v.pools[3].amount, 6_500);
    assert_eq!(v.pools.iter().map(|p| p.amount).sum::<i64>(), 86_667);

    // A year without surplus is not shared.
    let empty = Coop::on(c.db.clone(), "kop-rugi").await;
    post(
        &empty,
        "2024-05-01",
        "Beban",
        &[("5-3200", 10_000, 0), ("1-1100", 0, 10_000)],
        None,
    )
    .await;
    assert!(matches!(
        shu::post(&empty.db, &empty.actor(Role::Owner, 3), 2024).await,
        Err(ServiceError::Invalid { field: "year", .. })
    ));
}

/// A small deterministic generator: the same members every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, max: i64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % max as u64) as i64
    }
}

#[tokio::test]
async fn shares_and_remainders_add_up_to_the_pools_for_many_members() {
    for seed in [1u64, 7, 2024] {
        let c = Coop::new(&format!("kop-banyak-{seed}")).await;
        let mut rng = Lcg(seed);
        let n = 40 + rng.next(30);
        let mut members: Vec<MemberId> = Vec::new();
        for i in 0..n {
            let id = member(&c, &format!("B-{i:04}"), &format!("Anggota {i}")).await;
            members.push(id);
            let pokok = 10_000 + rng.next(100_000);
            post(
                &c,
                "2023-01-10",
                "Pokok",
                &[("1-1100", pokok, 0), ("3-1100", 0, pokok)],
                Some(id),
            )
            .await;
            if rng.next(3) > 0 {
                let interest = 1 + rng.next(97_531);
                post(
                    &c,
                    "2023-08-01",
                    "Jasa",
                    &[("1-1100", interest, 0), ("4-1100", 0, interest)],
                    Some(id),
                )
                .await;
            }
        }
        let sales = 1 + rng.next(5_000_000);
        post(
            &c,
            "2023-09-01",
            "Jual",
            &[("1-1100", sales, 0), ("4-2100", 0, sales)],
            None,
        )
        .await;
        let cost = rng.next(300_000);
        if cost > 0 {
            post(
                &c,
                "2023-10-01",
                "Beban",
                &[("5-3100", cost, 0), ("1-1100", 0, cost)],
                None,
            )
            .await;
        }
        let m = c.actor(Role::Owner, 1);
        let v = shu::post(&c.db, &m, 2023).await.unwrap();
        let pool = |kind| {
            v.pools
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| p.amount)
                .sum::<i64>()
        };
        let modal: i64 = v.members.iter().map(|m| m.jasa_modal).sum();
        let anggota: i64 = v.members.iter().map(|m| m.jasa_anggota).sum();
        assert_eq!(
            modal + v.jasa_modal_undistributed,
            pool(ShuPoolKind::JasaModal),
            "seed {seed}"
        );
        assert_eq!(
            anggota + v.jasa_anggota_undistributed,
            pool(ShuPoolKind::JasaAnggota),
            "seed {seed}"
        );
        assert!(v.jasa_modal_undistributed < v.members.len() as i64 + 1);
        assert_eq!(
            v.pools.iter().map(|p| p.amount).sum::<i64>(),
            v.surplus_members
        );
        assert_eq!(v.surplus_members + v.surplus_non_members, v.surplus);
        assert_eq!(
            v.reserve_total,
            pool(ShuPoolKind::Cadangan)
                + v.surplus_non_members
                + v.jasa_modal_undistributed
                + v.jasa_anggota_undistributed
        );
        // The ledger agrees: Utang SHU holds exactly the members' shares, each on its
        // member's line, and the books balance.
        let a = c.actor(Role::Auditor, 2);
        let card =
            reports::account_card(&c.db, &a, Some("2-1400"), d("2023-01-01"), d("2023-12-31"))
                .await
                .unwrap();
        assert_eq!(card.closing, modal + anggota);
        assert!(card.lines.iter().all(|l| l.member_id.is_some()));
        let tb = ledger::trial_balance(&c.db, &a, d("2023-12-31"))
            .await
            .unwrap();
        assert_eq!(tb.total_debit, tb.total_credit);
        let bs = reports::balance_sheet(&c.db, &a, d("2023-12-31"))
            .await
            .unwrap();
        assert!(bs.balanced);
        assert_eq!(bs.current_surplus, 0);
    }
}
