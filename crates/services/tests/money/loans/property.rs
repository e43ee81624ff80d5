//! Any sequence of valid repayments (partial, whole, several, late with denda, an early
//! payoff at the end or not): the outstanding principal never goes negative, never
//! rises, and always equals the loans receivable the ledger holds for the member.

use super::*;
use guyub_services::loans::PayoffInput;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

fn shift(d: Date, days: i64) -> Date {
    let j = jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).unwrap();
    let m = j.checked_add(jiff::Span::new().days(days)).unwrap();
    Date::new(i32::from(m.year()), m.month() as u8, m.day() as u8).unwrap()
}

#[derive(Debug, Clone)]
struct Case {
    principal: i64,
    tenor: i64,
    product: usize,
    /// (days after the previous payment, share of everything owed in 1/1000)
    payments: Vec<(i64, i64)>,
    payoff: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        100_000i64..=50_000_000,
        1i64..=24,
        0usize..3,
        prop::collection::vec((0i64..=70, 1i64..=1000), 0..10),
        any::<bool>(),
    )
        .prop_map(|(principal, tenor, product, payments, payoff)| Case {
            principal,
            tenor,
            product,
            payments,
            payoff,
        })
}

static PAYMENTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

async fn run(
    c: &Coop,
    products: &[LoanProductId],
    n: usize,
    case: Case,
) -> Result<(), TestCaseError> {
    let s = staff(c);
    let m = member(c, &format!("Anggota {n}"), "anggota").await;
    let start = d("2024-01-15");
    let id = running_loan(
        c,
        m,
        products[case.product],
        case.principal,
        case.tenor,
        "2024-01-15",
        "cash",
    )
    .await;
    let mut on = start;
    let mut last_outstanding = case.principal;
    prop_assert_eq!(member_balance(c, m, RECEIVABLE).await, case.principal);
    for (gap, share) in case.payments {
        on = shift(on, gap);
        let det = loans::detail(&c.db, &s.teller, id, Some(on)).await.unwrap();
        if det.loan.status != loans::LoanStatus::Disbursed {
            break;
        }
        let st = det.standing.unwrap();
        let owed = st.outstanding_principal.get() + st.outstanding_interest.get() + st.denda.get();
        // One rupiah more than everything owed is refused and changes nothing.
        let over = loans::repay(
            &c.db,
            &s.teller,
            id,
            &RepaymentInput {
                amount: rp(owed + 1),
                paid_on: Some(on),
            },
        )
        .await;
        prop_assert!(over.is_err());
        let amount = (owed * share / 1000).max(1);
        let r = pay(c, id, amount, &on.to_string()).await;
        PAYMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        prop_assert_eq!(r.denda.get() + r.interest.get() + r.principal.get(), amount);
        let loan = loans::get(&c.db, &s.teller, id).await.unwrap();
        let outstanding = loan.outstanding_principal.get();
        prop_assert!(outstanding >= 0);
        prop_assert!(outstanding <= last_outstanding);
        prop_assert_eq!(outstanding, last_outstanding - r.principal.get());
        prop_assert_eq!(member_balance(c, m, RECEIVABLE).await, outstanding);
        last_outstanding = outstanding;
        if amount == owed {
            prop_assert_eq!(loan.status, loans::LoanStatus::Settled);
        }
    }
    let loan = loans::get(&c.db, &s.teller, id).await.unwrap();
    if case.payoff && loan.status == loans::LoanStatus::Disbursed {
        on = shift(on, 1);
        let q = loans::payoff_quote(&c.db, &s.teller, id, Some(on))
            .await
            .unwrap()
            .quote;
        prop_assert_eq!(q.principal.get(), last_outstanding);
        loans::payoff(
            &c.db,
            &s.teller,
            id,
            &PayoffInput {
                amount: Some(q.total),
                paid_on: Some(on),
            },
        )
        .await
        .unwrap();
        let loan = loans::get(&c.db, &s.teller, id).await.unwrap();
        prop_assert_eq!(loan.status, loans::LoanStatus::Settled);
        prop_assert_eq!(loan.outstanding_principal.get(), 0);
        prop_assert_eq!(member_balance(c, m, RECEIVABLE).await, 0);
    }
    // The schedule agrees with the loan: paid principal + outstanding = principal.
    let det = loans::detail(&c.db, &s.teller, id, None).await.unwrap();
    let paid: i64 = det.schedule.iter().map(|r| r.paid_principal.get()).sum();
    prop_assert_eq!(paid + det.loan.outstanding_principal.get(), case.principal);
    prop_assert!(det.schedule.iter().all(|r| !r.unpaid.is_negative()));
    Ok(())
}

#[test]
fn outstanding_never_negative_and_matches_the_ledger() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (c, products) = rt.block_on(async {
        let c = Coop::new("kop-prop").await;
        let mut ps = Vec::new();
        for (name, method, denda_rule) in [
            ("Flat", "flat", denda("daily_percent", "0,1", 3)),
            ("Menurun", "menurun", denda("per_installment", "15000", 5)),
            ("Anuitas", "anuitas", denda("daily_fixed", "500", 0)),
        ] {
            ps.push(
                product(
                    &c,
                    product_input(
                        name,
                        method,
                        "18",
                        fee("percent", "1"),
                        fee("fixed", "0"),
                        denda_rule,
                    ),
                )
                .await,
            );
        }
        (c, ps)
    });
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let counter = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&case(), |case| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            rt.block_on(run(&c, &products, n, case))
        })
        .unwrap();
    // Not vacuous: the cases paid (about 4,5 payments a case on average).
    let paid = PAYMENTS.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        paid >= cases as usize,
        "only {paid} payments in {cases} cases"
    );
}
