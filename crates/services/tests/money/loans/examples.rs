//! Worked examples, one per method, disbursed and repaid to the end; every figure is
//! worked out by hand in the comments and checked against the ledger.

use super::*;
use guyub_domain::money::Collectibility;
use guyub_services::loans::{InstallmentState, LoanStatus, PayoffInput};

#[tokio::test]
async fn flat_loan_with_late_partial_ahead_and_early_payoff() {
    let c = Coop::new("kop-flat").await;
    let s = staff(&c);
    let siti = member(&c, "Siti Rahayu", "anggota").await;
    let p = product(
        &c,
        product_input(
            "Pinjaman Umum",
            "flat",
            "12",
            fee("percent", "1"),
            fee("fixed", "50.000"),
            denda("daily_percent", "0,1", 3),
        ),
    )
    .await;
    // Rp 12.000.000 over 12 months at 12 % flat, paid out in cash on 10 January 2025.
    // Provisi 1 % = 120.000 and administration 50.000 are deducted: the member takes
    // home 11.830.000 and owes 12.000.000.
    let id = running_loan(&c, siti, p, 12_000_000, 12, "2025-01-10", "cash").await;
    let loan = loans::get(&c.db, &s.teller, id).await.unwrap();
    assert_eq!(
        (loan.provisi, loan.admin_fee, loan.net_payout),
        (rp(120_000), rp(50_000), rp(11_830_000))
    );
    assert_eq!(loan.first_due, Some(d("2025-02-10")));
    assert_eq!(balance(&c, CASH, "2025-01-10").await, -11_830_000);
    assert_eq!(balance(&c, RECEIVABLE, "2025-01-10").await, 12_000_000);
    assert_eq!(balance(&c, PROVISI, "2025-01-10").await, 120_000);
    assert_eq!(balance(&c, ADMIN, "2025-01-10").await, 50_000);

    // Flat: interest 12.000.000 × 1 % = 120.000 every month, principal 1.000.000:
    // instalments of 1.120.000 due on the 10th, February 2025 to January 2026.
    let det = loans::detail(&c.db, &s.teller, id, Some(d("2025-01-10")))
        .await
        .unwrap();
    assert_eq!(det.schedule.len(), 12);
    assert!(det.schedule.iter().all(|r| r.total == rp(1_120_000)));
    assert_eq!(det.schedule[11].due_date, d("2026-01-10"));

    // 1. On time: instalment 1 exactly.
    let r = pay(&c, id, 1_120_000, "2025-02-10").await;
    assert_eq!(
        (r.denda, r.interest, r.principal),
        (rp(0), rp(120_000), rp(1_000_000))
    );
    assert_eq!(r.receipt_no, "ANG-000001");
    // 2. Instalment 2 (due 10 March) paid on 20 March: 10 days late, 3 grace days, so
    //    7 days × 0,1 % × 1.120.000 = 7.840 denda, which comes first.
    let standing = loans::detail(&c.db, &s.teller, id, Some(d("2025-03-20")))
        .await
        .unwrap()
        .standing
        .unwrap();
    assert_eq!(standing.denda, rp(7_840));
    assert_eq!(standing.days_past_due, 10);
    assert_eq!(
        standing.arrears_principal.get() + standing.arrears_interest.get(),
        1_120_000
    );
    assert_eq!(standing.due_now, rp(1_127_840));
    let r = pay(&c, id, 1_127_840, "2025-03-20").await;
    assert_eq!(
        (r.denda, r.interest, r.principal),
        (rp(7_840), rp(120_000), rp(1_000_000))
    );
    // 3. Two instalments at once on 10 April: instalment 3 (due) and 4 (ahead).
    let r = pay(&c, id, 2_240_000, "2025-04-10").await;
    assert_eq!((r.interest, r.principal), (rp(240_000), rp(2_000_000)));
    // 4. A partial payment of 500.000 on 1 June, before instalment 5 is due (10 June):
    //    its interest 120.000 first, then 380.000 of principal.
    let r = pay(&c, id, 500_000, "2025-06-01").await;
    assert_eq!((r.interest, r.principal), (rp(120_000), rp(380_000)));
    let det = loans::detail(&c.db, &s.teller, id, Some(d("2025-06-01")))
        .await
        .unwrap();
    assert_eq!(det.schedule[4].state, InstallmentState::Partial);
    assert_eq!(det.schedule[4].unpaid, rp(620_000));
    assert_eq!(det.loan.outstanding_principal, rp(7_620_000));
    assert_eq!(member_balance(&c, siti, RECEIVABLE).await, 7_620_000);

    // 5. Early payoff on 5 June. The current period is instalment 5 (due 10 June),
    //    whose interest is already paid; instalments 6–12 are later periods, so their
    //    interest, 7 × 120.000 = 840.000, is waived. The member pays the principal
    //    left: 620.000 + 7 × 1.000.000 = 7.620.000.
    let q = loans::payoff_quote(&c.db, &s.teller, id, Some(d("2025-06-05")))
        .await
        .unwrap()
        .quote;
    assert_eq!(
        (q.principal, q.interest, q.denda, q.interest_waived, q.total),
        (rp(7_620_000), rp(0), rp(0), rp(840_000), rp(7_620_000))
    );
    let r = loans::payoff(
        &c.db,
        &s.teller,
        id,
        &PayoffInput {
            amount: Some(rp(7_620_000)),
            paid_on: Some(d("2025-06-05")),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (r.kind.as_str(), r.interest_waived),
        ("payoff", rp(840_000))
    );
    let loan = loans::get(&c.db, &s.teller, id).await.unwrap();
    assert_eq!(loan.status, LoanStatus::Settled);
    assert_eq!(loan.settled_on, Some(d("2025-06-05")));
    assert_eq!(loan.outstanding_principal, rp(0));

    // Totals: cash taken 1.120.000 + 1.127.840 + 2.240.000 + 500.000 + 7.620.000 =
    // 12.607.840 = principal 12.000.000 + interest 5 × 120.000 = 600.000 + denda 7.840.
    // Cash on hand: −11.830.000 + 12.607.840 = 777.840 = 600.000 + 7.840 + 120.000 +
    // 50.000 (interest, denda, provisi, administration).
    assert_eq!(balance(&c, CASH, "2025-12-31").await, 777_840);
    assert_eq!(balance(&c, RECEIVABLE, "2025-12-31").await, 0);
    assert_eq!(balance(&c, INTEREST, "2025-12-31").await, 600_000);
    assert_eq!(balance(&c, DENDA, "2025-12-31").await, 7_840);
    assert_eq!(member_balance(&c, siti, RECEIVABLE).await, 0);
    let paid: i64 = loans::repayments(&c.db, &s.teller, id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.amount.get())
        .sum();
    assert_eq!(paid, 12_607_840);

    // The member's timeline tells the story.
    let kinds: Vec<String> = members::timeline(&c.db, &s.owner, siti)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in [
        "loan.applied",
        "loan.approved",
        "loan.disbursed",
        "loan.repaid",
        "loan.paid_off",
        "loan.settled",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
    }
    // So does the audit log.
    let audit = guyub_store::audit::list(
        &mut c.db.conn().await.unwrap(),
        c.id,
        &guyub_store::audit::Filter {
            action_prefix: "loan.".into(),
            limit: 500,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "loan.product_created",
        "loan.applied",
        "loan.approved",
        "loan.disbursed",
        "loan.repaid",
        "loan.paid_off",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

#[tokio::test]
async fn menurun_loan_into_sukarela_repaid_to_the_end() {
    let c = Coop::new("kop-menurun").await;
    let s = staff(&c);
    let budi = member(&c, "Budi Santoso", "anggota").await;
    let p = product(
        &c,
        product_input(
            "Pinjaman Menurun",
            "menurun",
            "12",
            fee("fixed", "0"),
            fee("fixed", "0"),
            denda("per_installment", "25.000", 5),
        ),
    )
    .await;
    // Rp 12.000.000 over 12 months, declining balance at 12 %: principal 1.000.000 a
    // month, interest 1 % of what remains: 120.000, 110.000, …, 10.000, in all
    // 10.000 × (12 + 11 + … + 1) = 780.000. No fees: all 12.000.000 goes into the
    // member's simpanan sukarela.
    let id = running_loan(&c, budi, p, 12_000_000, 12, "2025-01-10", "sukarela").await;
    assert_eq!(balance(&c, SUKARELA, "2025-01-10").await, 12_000_000);
    assert_eq!(member_balance(&c, budi, SUKARELA).await, -12_000_000);
    assert_eq!(balance(&c, CASH, "2025-01-10").await, 0);
    let loan = loans::get(&c.db, &s.teller, id).await.unwrap();
    assert_eq!(loan.channel, Some(loans::Channel::Sukarela));
    // The payout is in Budi's savings too, not only in the ledger.
    let savings = guyub_services::savings::member_savings(&c.db, &s.teller, budi)
        .await
        .unwrap();
    let sukarela = savings
        .accounts
        .iter()
        .find(|a| a.kind == guyub_domain::money::SavingsKind::Sukarela)
        .unwrap();
    assert_eq!(sukarela.balance, rp(12_000_000));

    // Each instalment on its due date, except the third (due 10 April), paid on
    // 20 April: 10 days late, beyond the 5 grace days, so a denda of 25.000 once.
    let mut total = 0;
    for k in 0..12u32 {
        let due = d("2025-02-10").add_months(k).unwrap();
        let amount = 1_000_000 + 120_000 - 10_000 * i64::from(k);
        let (on, denda) = if k == 2 {
            (d("2025-04-20"), 25_000)
        } else {
            (due, 0)
        };
        let r = pay(&c, id, amount + denda, &on.to_string()).await;
        assert_eq!(
            (r.denda, r.interest, r.principal),
            (
                rp(denda),
                rp(120_000 - 10_000 * i64::from(k)),
                rp(1_000_000)
            ),
            "instalment {}",
            k + 1
        );
        total += amount + denda;
        if k == 5 {
            // Halfway: 6.000.000 still owed, by the loan and by the ledger.
            assert_eq!(member_balance(&c, budi, RECEIVABLE).await, 6_000_000);
        }
    }
    // 12.000.000 + 780.000 + 25.000 = 12.805.000.
    assert_eq!(total, 12_805_000);
    let loan = loans::get(&c.db, &s.teller, id).await.unwrap();
    assert_eq!(loan.status, LoanStatus::Settled);
    assert_eq!(loan.settled_on, Some(d("2026-01-10")));
    assert_eq!(balance(&c, CASH, "2026-01-31").await, 12_805_000);
    assert_eq!(balance(&c, INTEREST, "2026-01-31").await, 780_000);
    assert_eq!(balance(&c, DENDA, "2026-01-31").await, 25_000);
    assert_eq!(balance(&c, RECEIVABLE, "2026-01-31").await, 0);
    // Paying a settled loan is refused.
    assert!(
        loans::repay(
            &c.db,
            &s.teller,
            id,
            &RepaymentInput {
                amount: rp(1),
                paid_on: Some(d("2026-01-11"))
            }
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn anuitas_loan_against_the_annuity_formula_then_paid_off() {
    let c = Coop::new("kop-anuitas").await;
    let s = staff(&c);
    let dewi = member(&c, "Dewi Lestari", "anggota").await;
    let p = product(
        &c,
        product_input(
            "Pinjaman Anuitas",
            "anuitas",
            "12",
            fee("percent", "0,5"),
            fee("fixed", "25000"),
            denda("daily_fixed", "1.000", 5),
        ),
    )
    .await;
    // Rp 10.000.000 over 12 months at 12 % a year, r = 1 % a month. The standard
    // annuity formula PMT = P·r / (1 − (1 + r)^−n) gives 888.487,88 → 888.488.
    let (pv, r, n) = (10_000_000f64, 0.01f64, 12);
    let formula = pv * r / (1.0 - (1.0 + r).powi(-n));
    assert!((formula - 888_487.886_783).abs() < 0.001, "{formula}");
    // Provisi 0,5 % = 50.000 and administration 25.000: paid out 9.925.000.
    let id = running_loan(&c, dewi, p, 10_000_000, 12, "2025-01-10", "cash").await;
    assert_eq!(balance(&c, CASH, "2025-01-10").await, -9_925_000);
    let det = loans::detail(&c.db, &s.teller, id, Some(d("2025-01-10")))
        .await
        .unwrap();
    let sched = &det.schedule;
    for row in &sched[..11] {
        assert_eq!(row.total.get(), formula.round() as i64);
    }
    // Month 1: interest 100.000, principal 788.488; month 12 takes the rounding:
    // principal 879.688 + interest 8.797 = 888.485. Interest in all 661.853.
    assert_eq!(
        (sched[0].interest, sched[0].principal),
        (rp(100_000), rp(788_488))
    );
    assert_eq!(
        (sched[11].principal, sched[11].interest),
        (rp(879_688), rp(8_797))
    );
    assert_eq!(sched.iter().map(|r| r.interest.get()).sum::<i64>(), 661_853);
    // Balance after 6 payments, by the formula: P(1+r)^6 − PMT((1+r)^6 − 1)/r =
    // 5.149.209,95; the schedule (interest rounded monthly) leaves 5.149.209.
    let b6 = pv * (1.0 + r).powi(6) - 888_488.0 * ((1.0 + r).powi(6) - 1.0) / r;
    let left6: i64 = sched[6..].iter().map(|r| r.principal.get()).sum();
    assert_eq!(left6, 5_149_209);
    assert!((b6 - left6 as f64).abs() < 1.0, "{b6}");

    // Instalment 1 on time; 2 and 3 together on 10 March; 4 on time; 5 in two parts
    // on its due date.
    pay(&c, id, 888_488, "2025-02-10").await;
    let two = pay(&c, id, 1_776_976, "2025-03-10").await;
    // Interest 92.115 + 84.151 = 176.266; principal 796.373 + 804.337 = 1.600.710.
    assert_eq!((two.interest, two.principal), (rp(176_266), rp(1_600_710)));
    pay(&c, id, 888_488, "2025-05-10").await;
    pay(&c, id, 400_000, "2025-06-10").await;
    pay(&c, id, 488_488, "2025-06-10").await;
    assert_eq!(member_balance(&c, dewi, RECEIVABLE).await, 5_977_918);

    // Instalment 6 (due 10 July) is unpaid on 25 July: 15 days late, 5 free, so
    // 10 × 1.000 = 10.000 denda; 15 days past due is still lancar.
    let det = loans::detail(&c.db, &s.teller, id, Some(d("2025-07-25")))
        .await
        .unwrap();
    let st = det.standing.unwrap();
    assert_eq!((st.denda, st.days_past_due), (rp(10_000), 15));
    assert_eq!(st.collectibility, Collectibility::Lancar);
    assert_eq!(st.overdue_installments, 1);
    assert_eq!(
        (st.arrears_principal, st.arrears_interest),
        (rp(828_709), rp(59_779))
    );

    // Early payoff on 25 July: principal left 5.977.918; interest of instalment 6
    // (overdue) 59.779 and of the current period, instalment 7 (due 10 August),
    // 51.492: 111.271; denda 10.000. Total 6.099.189. Interest of instalments 8–12,
    // 43.122 + 34.668 + 26.130 + 17.507 + 8.797 = 130.224, is waived.
    let wrong = loans::payoff(
        &c.db,
        &s.teller,
        id,
        &PayoffInput {
            amount: Some(rp(6_000_000)),
            paid_on: Some(d("2025-07-25")),
        },
    )
    .await;
    match wrong {
        Err(guyub_services::ServiceError::Invalid { field, message }) => {
            assert_eq!(field, "amount");
            assert!(message.contains("Rp 6.099.189"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let r = loans::payoff(
        &c.db,
        &s.teller,
        id,
        &PayoffInput {
            amount: None,
            paid_on: Some(d("2025-07-25")),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (
            r.amount,
            r.principal,
            r.interest,
            r.denda,
            r.interest_waived
        ),
        (
            rp(6_099_189),
            rp(5_977_918),
            rp(111_271),
            rp(10_000),
            rp(130_224)
        )
    );
    // Cash: −9.925.000 + 888.488 + 1.776.976 + 888.488 + 400.000 + 488.488 +
    // 6.099.189 = 616.629 = interest (100.000 + 92.115 + 84.151 + 76.108 + 67.984 +
    // 111.271 = 531.629) + denda 10.000 + provisi 50.000 + administration 25.000.
    assert_eq!(balance(&c, CASH, "2025-12-31").await, 616_629);
    assert_eq!(balance(&c, INTEREST, "2025-12-31").await, 531_629);
    assert_eq!(balance(&c, RECEIVABLE, "2025-12-31").await, 0);
    assert_eq!(
        loans::get(&c.db, &s.teller, id).await.unwrap().status,
        LoanStatus::Settled
    );
}
