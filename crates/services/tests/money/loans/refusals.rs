//! Every refusal of the issue that concerns loans, each leaving nothing half-posted:
//! approving one's own loan, a non-member borrowing, a repayment on a settled loan, a
//! zero or negative amount, a posting into a closed period; and the smaller ones
//! (overpayment, dates, roles, another cooperative).

use super::*;
use guyub_services::ServiceError;
use guyub_services::loans::{LoanStatus, PayoffInput};

fn invalid_field(r: &Result<impl std::fmt::Debug, ServiceError>) -> &'static str {
    match r {
        Err(ServiceError::Invalid { field, .. }) => field,
        other => panic!("expected a refusal naming a field, got {other:?}"),
    }
}

fn app(member: MemberId, product: LoanProductId, principal: i64, tenor: i64) -> Application {
    Application {
        member_id: member,
        product_id: product,
        principal: rp(principal),
        tenor_months: tenor,
        purpose: String::new(),
    }
}

async fn simple_product(c: &Coop) -> LoanProductId {
    product(
        c,
        product_input(
            "Pinjaman Umum",
            "flat",
            "12",
            fee("percent", "1"),
            fee("fixed", "0"),
            denda("none", "", 0),
        ),
    )
    .await
}

#[tokio::test]
async fn nobody_approves_their_own_application() {
    let c = Coop::new("kop-maker").await;
    let s = staff(&c);
    let m = member(&c, "Agus", "anggota").await;
    let p = simple_product(&c).await;
    // A manager enters the application …
    let l = loans::apply(&c.db, &s.manager, &app(m, p, 5_000_000, 10))
        .await
        .unwrap();
    let before = entry_count(&c).await;
    // … and may neither approve nor reject it.
    for r in [
        loans::approve(&c.db, &s.manager, l.id, "ok").await,
        loans::reject(&c.db, &s.manager, l.id, "tidak").await,
    ] {
        match r {
            Err(ServiceError::Conflict(m)) => assert!(m.contains("maker-checker"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        loans::get(&c.db, &s.owner, l.id).await.unwrap().status,
        LoanStatus::Applied
    );
    // A teller may not approve at all; nothing can be paid out before approval.
    assert!(matches!(
        loans::approve(&c.db, &s.teller, l.id, "").await,
        Err(ServiceError::Forbidden)
    ));
    let out = loans::disburse(
        &c.db,
        &s.teller,
        l.id,
        &DisburseInput {
            channel: "cash".into(),
            date: Some(d("2025-03-01")),
            first_due: None,
        },
    )
    .await;
    assert!(matches!(out, Err(ServiceError::Conflict(_))), "{out:?}");
    assert_eq!(entry_count(&c).await, before);
    // A rejection needs a reason; another manager approves.
    assert_eq!(
        invalid_field(&loans::reject(&c.db, &s.manager2, l.id, " ").await),
        "note"
    );
    let ok = loans::approve(&c.db, &s.manager2, l.id, "layak")
        .await
        .unwrap();
    assert_eq!(ok.status, LoanStatus::Approved);
    assert!(ok.decided_by.unwrap().contains("staff5"));
    // Decided once: a second decision is refused.
    assert!(matches!(
        loans::reject(&c.db, &s.owner, l.id, "telat").await,
        Err(ServiceError::Conflict(_))
    ));
}

#[tokio::test]
async fn only_members_borrow() {
    let c = Coop::new("kop-closed").await;
    let s = staff(&c);
    let p = simple_product(&c).await;
    let calon = member(&c, "Yohana", "calon_anggota").await;
    let keluar = member(&c, "Ahmad", "anggota").await;
    members::change_status(
        &c.db,
        &s.owner,
        keluar,
        "keluar",
        Some("2025-01-01"),
        "pindah",
    )
    .await
    .unwrap();
    let meninggal = member(&c, "Slamet", "anggota").await;
    members::change_status(
        &c.db,
        &s.owner,
        meninggal,
        "meninggal",
        Some("2025-01-01"),
        "wafat",
    )
    .await
    .unwrap();
    for (who, what) in [
        (calon, "calon anggota"),
        (keluar, "keluar"),
        (meninggal, "meninggal"),
        (MemberId(999_999), "no such member"),
    ] {
        let r = loans::apply(&c.db, &s.teller, &app(who, p, 1_000_000, 6)).await;
        match &r {
            Err(ServiceError::Invalid { field, message }) => {
                assert_eq!(*field, "member_id");
                assert!(message.contains(what), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    let all = loans::list(
        &c.db,
        &s.owner,
        &loans::ListFilter {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(all.is_empty(), "a refused application left a loan");
    let timeline = members::timeline(&c.db, &s.owner, calon).await.unwrap();
    assert!(!timeline.iter().any(|e| e.kind.starts_with("loan.")));

    // A member who leaves after applying is refused at approval too.
    let rina = member(&c, "Rina", "anggota").await;
    let l = loans::apply(&c.db, &s.teller, &app(rina, p, 1_000_000, 6))
        .await
        .unwrap();
    members::change_status(
        &c.db,
        &s.owner,
        rina,
        "keluar",
        Some("2025-02-01"),
        "pindah",
    )
    .await
    .unwrap();
    assert_eq!(
        invalid_field(&loans::approve(&c.db, &s.manager, l.id, "").await),
        "member_id"
    );

    // Terms outside the product are refused by field.
    let made = member(&c, "Made", "anggota").await;
    assert_eq!(
        invalid_field(&loans::apply(&c.db, &s.teller, &app(made, p, 0, 6)).await),
        "principal"
    );
    assert_eq!(
        invalid_field(&loans::apply(&c.db, &s.teller, &app(made, p, -5, 6)).await),
        "principal"
    );
    assert_eq!(
        invalid_field(&loans::apply(&c.db, &s.teller, &app(made, p, 1_000_000, 37)).await),
        "tenor_months"
    );
    assert_eq!(
        invalid_field(&loans::apply(&c.db, &s.teller, &app(made, p, 1_000_000, -1)).await),
        "tenor_months"
    );
    assert_eq!(
        invalid_field(
            &loans::apply(
                &c.db,
                &s.teller,
                &app(made, LoanProductId(424_242), 1_000_000, 6)
            )
            .await
        ),
        "product_id"
    );
}

#[tokio::test]
async fn repayments_refused_leave_the_loan_and_ledger_as_they_were() {
    let c = Coop::new("kop-refuse").await;
    let s = staff(&c);
    let m = member(&c, "Siti", "anggota").await;
    let p = simple_product(&c).await;
    // 1.200.000 over 12 months at 12 % flat: 100.000 + 12.000 a month.
    let id = running_loan(&c, m, p, 1_200_000, 12, "2025-01-10", "cash").await;
    pay(&c, id, 112_000, "2025-02-10").await;
    let entries = entry_count(&c).await;
    let state = |c: &Coop| {
        let db = c.db.clone();
        let a = s.owner.clone();
        async move {
            let l = loans::detail(&db, &a, id, Some(d("2025-07-01")))
                .await
                .unwrap();
            (
                l.loan.outstanding_principal,
                l.repayments.len(),
                l.loan.status,
            )
        }
    };
    let before = state(&c).await;
    let try_pay = |amount: i64, on: &str| {
        let db = c.db.clone();
        let a = s.teller.clone();
        let on = d(on);
        async move {
            loans::repay(
                &db,
                &a,
                id,
                &RepaymentInput {
                    amount: rp(amount),
                    paid_on: Some(on),
                },
            )
            .await
        }
    };
    // Zero and negative amounts.
    assert_eq!(invalid_field(&try_pay(0, "2025-03-10").await), "amount");
    assert_eq!(
        invalid_field(&try_pay(-112_000, "2025-03-10").await),
        "amount"
    );
    // More than everything owed (11 × 112.000 = 1.232.000): refused, naming what is due.
    let over = try_pay(1_232_001, "2025-03-10").await;
    match &over {
        Err(ServiceError::Invalid {
            field: "amount",
            message,
        }) => {
            assert!(message.contains("Rp 1.232.000"), "{message}");
            assert!(message.contains("due now: Rp 112.000"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // In the future, before the payout, before the last payment.
    assert_eq!(
        invalid_field(&try_pay(1_000, "2099-01-01").await),
        "paid_on"
    );
    assert_eq!(
        invalid_field(&try_pay(1_000, "2025-01-09").await),
        "paid_on"
    );
    assert_eq!(
        invalid_field(&try_pay(1_000, "2025-02-09").await),
        "paid_on"
    );
    // A teller's role is needed to take money.
    assert!(matches!(
        loans::repay(
            &c.db,
            &s.manager,
            id,
            &RepaymentInput {
                amount: rp(1),
                paid_on: None
            }
        )
        .await,
        Err(ServiceError::Forbidden)
    ));

    // Into a closed period: the books are closed through 30 June 2025.
    ledger::close_period(&c.db, &s.owner, d("2025-06-30"))
        .await
        .unwrap();
    assert_eq!(invalid_field(&try_pay(112_000, "2025-06-15").await), "date");
    let payoff_closed = loans::payoff(
        &c.db,
        &s.teller,
        id,
        &PayoffInput {
            amount: None,
            paid_on: Some(d("2025-06-30")),
        },
    )
    .await;
    assert_eq!(invalid_field(&payoff_closed), "date");
    assert_eq!(state(&c).await, before);
    assert_eq!(
        entry_count(&c).await,
        entries,
        "a refusal posted a journal entry"
    );

    // Paid off after the closed period, the loan is settled; then every payment is
    // refused.
    loans::payoff(
        &c.db,
        &s.teller,
        id,
        &PayoffInput {
            amount: None,
            paid_on: Some(d("2025-07-01")),
        },
    )
    .await
    .unwrap();
    let settled_entries = entry_count(&c).await;
    let after = state(&c).await;
    assert_eq!(after.2, LoanStatus::Settled);
    match try_pay(112_000, "2025-07-02").await {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("settled"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        loans::payoff(
            &c.db,
            &s.teller,
            id,
            &PayoffInput {
                amount: None,
                paid_on: None
            }
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(state(&c).await, after);
    assert_eq!(entry_count(&c).await, settled_entries);
    assert_eq!(member_balance(&c, m, RECEIVABLE).await, 0);

    // A disbursement dated in the closed period is refused too, and posts nothing.
    let l2 = loans::apply(&c.db, &s.teller, &app(m, p, 500_000, 5))
        .await
        .unwrap();
    loans::approve(&c.db, &s.manager, l2.id, "").await.unwrap();
    let closed = loans::disburse(
        &c.db,
        &s.teller,
        l2.id,
        &DisburseInput {
            channel: "cash".into(),
            date: Some(d("2025-06-01")),
            first_due: None,
        },
    )
    .await;
    assert_eq!(invalid_field(&closed), "date");
    assert_eq!(
        invalid_field(
            &loans::disburse(
                &c.db,
                &s.teller,
                l2.id,
                &DisburseInput {
                    channel: "giro".into(),
                    date: None,
                    first_due: None
                },
            )
            .await
        ),
        "channel"
    );
    assert_eq!(
        loans::get(&c.db, &s.owner, l2.id).await.unwrap().status,
        LoanStatus::Approved
    );
    assert_eq!(entry_count(&c).await, settled_entries);
}

#[tokio::test]
async fn products_roles_thresholds_and_other_cooperatives() {
    let c = Coop::new("kop-produk").await;
    let s = staff(&c);
    // Tellers do not make products; bad product fields are named.
    let good = product_input(
        "Pinjaman Umum",
        "anuitas",
        "18",
        fee("percent", "1"),
        fee("fixed", "10.000"),
        denda("daily_percent", "0,1", 3),
    );
    assert!(matches!(
        loans::create_product(&c.db, &s.teller, &good).await,
        Err(ServiceError::Forbidden)
    ));
    let mut bad = good.clone();
    bad.method = "bunga-berbunga".into();
    assert_eq!(
        invalid_field(&loans::create_product(&c.db, &s.manager, &bad).await),
        "method"
    );
    let mut bad = good.clone();
    bad.yearly_rate = "-3".into();
    assert_eq!(
        invalid_field(&loans::create_product(&c.db, &s.manager, &bad).await),
        "yearly_rate"
    );
    let mut bad = good.clone();
    bad.max_tenor = 0;
    assert_eq!(
        invalid_field(&loans::create_product(&c.db, &s.manager, &bad).await),
        "max_tenor"
    );
    let mut bad = good.clone();
    bad.provisi = fee("percent", "lots");
    assert_eq!(
        invalid_field(&loans::create_product(&c.db, &s.manager, &bad).await),
        "provisi"
    );
    let mut bad = good.clone();
    bad.denda = denda("daily_fixed", "-1", 0);
    assert_eq!(
        invalid_field(&loans::create_product(&c.db, &s.manager, &bad).await),
        "denda"
    );
    let p = loans::create_product(&c.db, &s.manager, &good)
        .await
        .unwrap();
    assert!(matches!(
        loans::create_product(&c.db, &s.manager, &good).await,
        Err(ServiceError::Conflict(_))
    ));
    // Switched off, it lends no more.
    let mut off = good.clone();
    off.active = Some(false);
    loans::update_product(&c.db, &s.owner, p.id, &off)
        .await
        .unwrap();
    let m = member(&c, "Budi", "anggota").await;
    assert_eq!(
        invalid_field(&loans::apply(&c.db, &s.teller, &app(m, p.id, 1_000_000, 12)).await),
        "product_id"
    );

    // Thresholds: defaults 90/120/180, settable, must increase.
    let t = loans::thresholds(&c.db, &s.teller).await.unwrap();
    assert_eq!(
        (
            t.kurang_lancar_after(),
            t.diragukan_after(),
            t.macet_after()
        ),
        (90, 120, 180)
    );
    assert_eq!(
        invalid_field(&loans::set_thresholds(&c.db, &s.manager, 90, 60, 120).await),
        "thresholds"
    );
    assert!(matches!(
        loans::set_thresholds(&c.db, &s.teller, 30, 60, 90).await,
        Err(ServiceError::Forbidden)
    ));
    loans::set_thresholds(&c.db, &s.manager, 30, 60, 90)
        .await
        .unwrap();
    assert_eq!(
        loans::thresholds(&c.db, &s.teller)
            .await
            .unwrap()
            .macet_after(),
        90
    );

    // Another cooperative in the same database sees none of it.
    let other = Coop::on(c.db.clone(), "kop-tetangga").await;
    let o = other.actor(guyub_domain::Role::Owner, 9);
    assert!(loans::products(&other.db, &o).await.unwrap().is_empty());
    assert!(matches!(
        loans::product(&other.db, &o, p.id).await,
        Err(ServiceError::NotFound)
    ));
    loans::update_product(&c.db, &s.owner, p.id, &good)
        .await
        .unwrap();
    let l = loans::apply(&c.db, &s.teller, &app(m, p.id, 1_000_000, 12))
        .await
        .unwrap();
    assert!(matches!(
        loans::get(&other.db, &o, l.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        loans::approve(&other.db, &o, l.id, "").await,
        Err(ServiceError::NotFound)
    ));
    // Their member cannot borrow from this cooperative's product either.
    let theirs = super::member(&other, "Orang Lain", "anggota").await;
    assert_eq!(
        invalid_field(&loans::apply(&c.db, &s.teller, &app(theirs, p.id, 1_000_000, 12)).await),
        "member_id"
    );
}
