//! Timing, not correctness: run with `--ignored --nocapture`. Many running loans, one
//! repayment each, then the portfolio report as of a day.

use super::*;
use std::time::Instant;

#[tokio::test]
#[ignore]
async fn portfolio_of_many_loans() {
    let n: usize = std::env::var("LOANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let c = Coop::new("kop-skala").await;
    let p = product(
        &c,
        product_input(
            "Umum",
            "anuitas",
            "18",
            fee("percent", "1"),
            fee("fixed", "0"),
            denda("daily_percent", "0,1", 3),
        ),
    )
    .await;
    let t = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let m = member(&c, &format!("Anggota {i}"), "anggota").await;
        ids.push(
            running_loan(
                &c,
                m,
                p,
                5_000_000 + i as i64 * 1_000,
                12,
                "2025-01-10",
                "cash",
            )
            .await,
        );
    }
    let open = t.elapsed();
    let t = Instant::now();
    for (i, id) in ids.iter().enumerate() {
        // Every third loan stays unpaid: arrears and denda for the report.
        if i % 3 != 0 {
            pay(&c, *id, 400_000, "2025-02-10").await;
        }
    }
    let paid = t.elapsed();
    let t = Instant::now();
    let r = loans::portfolio(&c.db, &staff(&c).owner, Some(d("2025-06-30")))
        .await
        .unwrap();
    let report = t.elapsed();
    assert_eq!(r.total_loans as usize, n);
    println!(
        "{} ({n} loans): apply+approve+disburse {:.0}/s, repayments {:.0}/s, portfolio {:?}",
        guyub_store::testing::engine_name(),
        n as f64 / open.as_secs_f64(),
        (n - n.div_ceil(3)) as f64 / paid.as_secs_f64(),
        report
    );
}
