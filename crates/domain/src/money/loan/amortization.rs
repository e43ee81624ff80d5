//! The instalment schedule (jadwal angsuran) of a loan under each method.
//!
//! Rounding: every amount is rounded half-up to whole rupiah ([`round_half_up`]), once,
//! from exact decimals. The principal parts sum exactly to the principal: each regular
//! part is the rounded equal share and the last instalment takes what remains, so the
//! rounding remainder lands there. Interest sums exactly to what the method defines:
//!
//! - flat: `principal × yearly rate / 12 × tenor`, rounded once; each month carries
//!   the rounded monthly interest and the last takes the remainder;
//! - menurun and anuitas: each month's interest is the rounded interest on the
//!   principal still owed, and the total is their sum.
//!
//! No amount is ever negative. For a loan so small that rounding its equal share up
//! would repay it early (a share under (tenor − 1) / 2 rupiah, e.g. Rp 1.000 over 360
//! months), the principal is repaid in full early and later instalments carry none.

use super::{LoanError, LoanMethod, LoanTerms};
use crate::member::Date;
use crate::money::rupiah::{MoneyError, Rupiah, round_half_up};
use rust_decimal::Decimal;
use serde::Serialize;

/// One instalment of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Installment {
    /// 1-based.
    pub no: u32,
    pub due_date: Date,
    pub principal: Rupiah,
    pub interest: Rupiah,
    /// `principal + interest`.
    pub total: Rupiah,
    /// Principal still owed after this instalment is paid.
    pub remaining_principal: Rupiah,
}

fn overflow() -> LoanError {
    LoanError::Money(MoneyError::Overflow)
}

/// `amount × yearly percent / 1200`, the exact interest of one month. Multiplying
/// before dividing keeps the decimal exact as long as it can be.
fn monthly_interest_exact(amount: Rupiah, yearly_percent: Decimal) -> Result<Decimal, LoanError> {
    amount
        .to_decimal()
        .checked_mul(yearly_percent)
        .and_then(|x| x.checked_div(Decimal::from(1200)))
        .ok_or_else(overflow)
}

/// The standard annuity payment for `principal` over `months` at a yearly percentage:
/// `PMT = P·r / (1 − (1 + r)^−n)` with `r` = yearly rate / 12, or `P / n` at a zero
/// rate, rounded half-up.
pub fn annuity_payment(
    principal: Rupiah,
    yearly_rate: crate::money::Rate,
    months: u32,
) -> Result<Rupiah, LoanError> {
    if months == 0 {
        return Err(LoanError::Tenor(0));
    }
    let p = principal.to_decimal();
    if yearly_rate.is_zero() {
        return Ok(round_half_up(p / Decimal::from(months))?);
    }
    let r = yearly_rate.percent() / Decimal::from(1200);
    // (1 + r)^n by squaring: at most 100 % a year over 360 months this is about
    // 3·10^12, well inside the decimal's range.
    let mut growth = Decimal::ONE;
    let mut base = Decimal::ONE + r;
    let mut e = months;
    while e > 0 {
        if e & 1 == 1 {
            growth = growth.checked_mul(base).ok_or_else(overflow)?;
        }
        e >>= 1;
        if e > 0 {
            base = base.checked_mul(base).ok_or_else(overflow)?;
        }
    }
    let discount = Decimal::ONE.checked_div(growth).ok_or_else(overflow)?;
    let denominator = Decimal::ONE - discount;
    let pmt = p
        .checked_mul(r)
        .and_then(|x| x.checked_div(denominator))
        .ok_or_else(overflow)?;
    Ok(round_half_up(pmt)?)
}

/// The schedule of a loan whose first instalment is due on `first_due`; instalment `i`
/// is due `i − 1` months later on the same day of the month, or the month's last day
/// when it is shorter (31 January, 28 February, 31 March, …).
pub fn schedule(terms: &LoanTerms, first_due: Date) -> Result<Vec<Installment>, LoanError> {
    terms.validate()?;
    let n = terms.tenor_months;
    let grace = terms.grace_months;
    let repaying_months = n - grace;
    let principal = terms.principal;
    let pct = terms.yearly_rate.percent();

    let equal_share = round_half_up(principal.to_decimal() / Decimal::from(repaying_months))?;
    let flat_monthly = round_half_up(monthly_interest_exact(principal, pct)?)?;
    // Multiplied out before the one division, so that an exact half stays exact.
    let flat_total = round_half_up(
        principal
            .to_decimal()
            .checked_mul(pct)
            .and_then(|x| x.checked_mul(Decimal::from(n)))
            .and_then(|x| x.checked_div(Decimal::from(1200)))
            .ok_or_else(overflow)?,
    )?;
    let annuity = match terms.method {
        LoanMethod::Anuitas => annuity_payment(principal, terms.yearly_rate, repaying_months)?,
        _ => Rupiah::ZERO,
    };

    let mut out = Vec::with_capacity(n as usize);
    let mut remaining = principal;
    let mut interest_so_far = Rupiah::ZERO;
    for no in 1..=n {
        let due_date = first_due.add_months(no - 1).ok_or(LoanError::Date)?;
        let last = no == n;
        let interest = match terms.method {
            LoanMethod::Flat => {
                let left = flat_total.checked_sub(interest_so_far)?;
                if last { left } else { flat_monthly.min(left) }
            }
            LoanMethod::Menurun | LoanMethod::Anuitas => {
                round_half_up(monthly_interest_exact(remaining, pct)?)?
            }
        };
        let principal_part = if no <= grace {
            Rupiah::ZERO
        } else if last {
            remaining
        } else {
            let wanted = match terms.method {
                LoanMethod::Flat | LoanMethod::Menurun => equal_share,
                LoanMethod::Anuitas => annuity.checked_sub(interest)?.max(Rupiah::ZERO),
            };
            wanted.min(remaining)
        };
        remaining = remaining.checked_sub(principal_part)?;
        interest_so_far = interest_so_far.checked_add(interest)?;
        out.push(Installment {
            no,
            due_date,
            principal: principal_part,
            interest,
            total: principal_part.checked_add(interest)?,
            remaining_principal: remaining,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Rate;
    use proptest::prelude::*;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n)
    }
    fn terms(p: i64, rate: &str, tenor: u32, method: LoanMethod, grace: u32) -> LoanTerms {
        LoanTerms {
            principal: rp(p),
            yearly_rate: Rate::parse(rate).unwrap(),
            tenor_months: tenor,
            method,
            grace_months: grace,
        }
    }
    fn jan31() -> Date {
        Date::new(2025, 1, 31).unwrap()
    }
    fn sums(s: &[Installment]) -> (i64, i64, i64) {
        s.iter().fold((0, 0, 0), |(p, i, t), x| {
            (
                p + x.principal.get(),
                i + x.interest.get(),
                t + x.total.get(),
            )
        })
    }

    #[test]
    fn flat_worked_example() {
        // Rp 12.000.000 at 12 % a year over 12 months:
        // interest 12.000.000 × 1 % = 120.000 a month; principal 12.000.000 / 12 =
        // 1.000.000; instalment 1.120.000; total interest 1.440.000.
        let s = schedule(&terms(12_000_000, "12", 12, LoanMethod::Flat, 0), jan31()).unwrap();
        assert_eq!(s.len(), 12);
        for x in &s {
            assert_eq!(
                (x.principal, x.interest, x.total),
                (rp(1_000_000), rp(120_000), rp(1_120_000))
            );
        }
        assert_eq!(sums(&s), (12_000_000, 1_440_000, 13_440_000));
        assert_eq!(s[0].remaining_principal, rp(11_000_000));
        assert_eq!(s[11].remaining_principal, rp(0));
        // Due dates keep the 31st where the month has one.
        assert_eq!(s[0].due_date, jan31());
        assert_eq!(s[1].due_date, Date::new(2025, 2, 28).unwrap());
        assert_eq!(s[2].due_date, Date::new(2025, 3, 31).unwrap());
        assert_eq!(s[11].due_date, Date::new(2025, 12, 31).unwrap());
    }

    #[test]
    fn flat_rounding_remainder_goes_last() {
        // Rp 10.000.000 at 10 % over 12 months:
        // monthly interest 10.000.000 × 10 / 1200 = 83.333,33 → 83.333;
        // total interest 10.000.000 × 10 × 12 / 1200 = 1.000.000 exactly, so the last
        // month carries 1.000.000 − 11 × 83.333 = 83.337.
        // principal 10.000.000 / 12 = 833.333,33 → 833.333; last 10.000.000 −
        // 11 × 833.333 = 833.337.
        let s = schedule(&terms(10_000_000, "10", 12, LoanMethod::Flat, 0), jan31()).unwrap();
        assert_eq!((s[0].principal, s[0].interest), (rp(833_333), rp(83_333)));
        assert_eq!((s[11].principal, s[11].interest), (rp(833_337), rp(83_337)));
        assert_eq!(sums(&s).0, 10_000_000);
        assert_eq!(sums(&s).1, 1_000_000);
    }

    #[test]
    fn menurun_worked_example() {
        // Rp 12.000.000 at 12 % over 12 months: principal 1.000.000 a month; interest
        // 1 % of what remains: 120.000, 110.000, …, 10.000. Total interest
        // 10.000 × (12 + 11 + … + 1) = 10.000 × 78 = 780.000.
        let s = schedule(
            &terms(12_000_000, "12", 12, LoanMethod::Menurun, 0),
            jan31(),
        )
        .unwrap();
        for (i, x) in s.iter().enumerate() {
            assert_eq!(x.principal, rp(1_000_000));
            assert_eq!(x.interest, rp(120_000 - 10_000 * i as i64));
        }
        assert_eq!(sums(&s), (12_000_000, 780_000, 12_780_000));
    }

    #[test]
    fn anuitas_worked_example() {
        // Rp 10.000.000 at 12 % over 12 months, r = 1 % a month:
        // (1,01)^12 = 1,1268250301; 1 − 1/1,1268250301 = 0,1125507747;
        // PMT = 100.000 / 0,1125507747 = 888.487,88 → 888.488 (spreadsheets:
        // PMT(1%;12;-10000000) = 888.487,88).
        // Month 1: interest 10.000.000 × 1 % = 100.000; principal 788.488; remains
        // 9.211.512. Month 2: interest 92.115,12 → 92.115; principal 796.373; remains
        // 8.415.139. … Month 11 leaves 879.688 (checked with Python's decimal,
        // ROUND_HALF_UP); month 12: interest 8.796,88 → 8.797, instalment 879.688 +
        // 8.797 = 888.485, three rupiah under PMT from the rounding.
        let s = schedule(
            &terms(10_000_000, "12", 12, LoanMethod::Anuitas, 0),
            jan31(),
        )
        .unwrap();
        assert_eq!(
            (s[0].interest, s[0].principal, s[0].total),
            (rp(100_000), rp(788_488), rp(888_488))
        );
        assert_eq!(s[0].remaining_principal, rp(9_211_512));
        assert_eq!((s[1].interest, s[1].principal), (rp(92_115), rp(796_373)));
        assert_eq!(s[1].remaining_principal, rp(8_415_139));
        for x in &s[..11] {
            assert_eq!(x.total, rp(888_488));
        }
        assert_eq!(
            (s[11].principal, s[11].interest, s[11].total),
            (rp(879_688), rp(8_797), rp(888_485))
        );
        assert_eq!(sums(&s).0, 10_000_000);
        assert_eq!(sums(&s).1, 661_853);
    }

    #[test]
    fn zero_rate_splits_the_principal() {
        // Rp 1.000.000 over 3 months at 0 %: 333.333, 333.333, and 333.334 last.
        for method in LoanMethod::ALL {
            let s = schedule(&terms(1_000_000, "0", 3, method, 0), jan31()).unwrap();
            let parts: Vec<i64> = s.iter().map(|x| x.principal.get()).collect();
            assert_eq!(parts, [333_333, 333_333, 333_334], "{method}");
            assert!(s.iter().all(|x| x.interest.is_zero()));
        }
    }

    #[test]
    fn grace_months_pay_interest_only() {
        // Menurun, Rp 12.000.000 at 12 % over 6 months with 2 grace months: months 1–2
        // interest 120.000 only; then 3.000.000 principal a month with interest on what
        // remains: 120.000, 90.000, 60.000, 30.000.
        let s = schedule(&terms(12_000_000, "12", 6, LoanMethod::Menurun, 2), jan31()).unwrap();
        let rows: Vec<(i64, i64)> = s
            .iter()
            .map(|x| (x.principal.get(), x.interest.get()))
            .collect();
        assert_eq!(
            rows,
            [
                (0, 120_000),
                (0, 120_000),
                (3_000_000, 120_000),
                (3_000_000, 90_000),
                (3_000_000, 60_000),
                (3_000_000, 30_000)
            ]
        );
        // Flat with grace: interest on the original principal all 6 months.
        let s = schedule(&terms(12_000_000, "12", 6, LoanMethod::Flat, 2), jan31()).unwrap();
        assert!(s.iter().all(|x| x.interest == rp(120_000)));
        assert_eq!(s[1].principal, rp(0));
        assert_eq!(s[2].principal, rp(3_000_000));
        // Anuitas with grace: 2 months of 120.000, then an annuity over 4 months:
        // PMT(1 %, 4, 12.000.000) = 3.075.373,13 → 3.075.373.
        let s = schedule(&terms(12_000_000, "12", 6, LoanMethod::Anuitas, 2), jan31()).unwrap();
        assert_eq!(s[0].total, rp(120_000));
        assert_eq!(s[2].total, rp(3_075_373));
    }

    #[test]
    fn bad_terms_are_refused() {
        let d = jan31();
        assert_eq!(
            schedule(&terms(0, "12", 12, LoanMethod::Flat, 0), d),
            Err(LoanError::Principal)
        );
        assert_eq!(
            schedule(&terms(-1, "12", 12, LoanMethod::Flat, 0), d),
            Err(LoanError::Principal)
        );
        assert_eq!(
            schedule(&terms(1, "12", 0, LoanMethod::Flat, 0), d),
            Err(LoanError::Tenor(0))
        );
        assert_eq!(
            schedule(&terms(1, "12", 361, LoanMethod::Flat, 0), d),
            Err(LoanError::Tenor(361))
        );
        assert_eq!(
            schedule(&terms(1, "12", 6, LoanMethod::Flat, 6), d),
            Err(LoanError::Grace { grace: 6, tenor: 6 })
        );
        let end = Date::new(i32::MAX, 6, 1).unwrap();
        assert_eq!(
            schedule(&terms(100, "12", 12, LoanMethod::Flat, 0), end),
            Err(LoanError::Date)
        );
        // Interest beyond i64 is an error, not a panic.
        assert_eq!(
            schedule(&terms(i64::MAX, "100", 360, LoanMethod::Flat, 0), jan31()),
            Err(LoanError::Money(MoneyError::Overflow))
        );
        assert!(
            schedule(
                &terms(i64::MAX, "100", 360, LoanMethod::Anuitas, 0),
                jan31()
            )
            .is_err()
        );
        assert!(schedule(&terms(i64::MAX, "0", 1, LoanMethod::Menurun, 0), jan31()).is_ok());
    }

    #[test]
    fn tiny_loans_never_go_negative() {
        // Rp 1.000 over 360 months: 1.000 / 360 = 2,78 → 3 a month would repay it in
        // month 334, so later months carry no principal.
        let s = schedule(&terms(1_000, "0", 360, LoanMethod::Menurun, 0), jan31()).unwrap();
        assert_eq!(sums(&s).0, 1_000);
        assert!(s.iter().all(|x| !x.principal.is_negative()));
        assert_eq!(s[333].principal, rp(1));
        assert_eq!(s[334].principal, rp(0));
    }

    fn method() -> impl Strategy<Value = LoanMethod> {
        prop_oneof![
            Just(LoanMethod::Flat),
            Just(LoanMethod::Menurun),
            Just(LoanMethod::Anuitas)
        ]
    }

    fn any_terms() -> impl Strategy<Value = LoanTerms> {
        (
            1i64..=1_000_000_000_000,
            0u32..=10_000,
            1u32..=360,
            method(),
        )
            .prop_flat_map(|(p, rate, tenor, m)| {
                (Just(p), Just(rate), Just(tenor), Just(m), 0..tenor)
            })
            .prop_map(|(p, rate, tenor, m, grace)| LoanTerms {
                principal: rp(p),
                yearly_rate: Rate::from_percent(Decimal::new(i64::from(rate), 2)).unwrap(),
                tenor_months: tenor,
                method: m,
                grace_months: grace,
            })
    }

    proptest! {
        /// Any valid terms: the schedule has one instalment per month, no negative
        /// amount, principal parts that sum to the principal exactly, interest that sums
        /// to what the method defines, and totals that are principal + interest.
        #[test]
        fn schedule_sums_exactly(t in any_terms()) {
            let s = schedule(&t, jan31()).unwrap();
            prop_assert_eq!(s.len(), t.tenor_months as usize);
            let (p, i, total) = sums(&s);
            prop_assert_eq!(p, t.principal.get());
            prop_assert_eq!(total, p + i);
            let mut remaining = t.principal;
            for (k, x) in s.iter().enumerate() {
                prop_assert_eq!(x.no as usize, k + 1);
                prop_assert!(!x.principal.is_negative() && !x.interest.is_negative());
                prop_assert_eq!(x.total.get(), x.principal.get() + x.interest.get());
                if (x.no) <= t.grace_months {
                    prop_assert!(x.principal.is_zero());
                }
                if t.method != LoanMethod::Flat {
                    // Interest on what remains before this instalment, rounded half-up.
                    let want = round_half_up(remaining.to_decimal() * t.yearly_rate.percent() / Decimal::from(1200)).unwrap();
                    prop_assert_eq!(x.interest, want);
                }
                remaining = remaining.checked_sub(x.principal).unwrap();
                prop_assert_eq!(x.remaining_principal, remaining);
                if k > 0 {
                    prop_assert!(x.due_date > s[k - 1].due_date);
                }
            }
            prop_assert!(remaining.is_zero());
            if t.method == LoanMethod::Flat {
                let want = round_half_up(
                    t.principal.to_decimal() * t.yearly_rate.percent() * Decimal::from(t.tenor_months) / Decimal::from(1200),
                ).unwrap();
                prop_assert_eq!(i, want.get());
            }
        }

        /// Anuitas on realistic terms (from Rp 1.000.000, up to 36 % a year, up to 20
        /// years): every repaying instalment but the last equals the standard formula's
        /// payment within a rupiah; the last differs by no more than the rounding that
        /// can build up, ((1 + r)^n − 1) / r rupiah.
        #[test]
        fn anuitas_matches_the_formula(
            p in 1_000_000i64..=10_000_000_000,
            rate in 0u32..=3_600,
            tenor in 1u32..=240,
            grace in 0u32..=6,
        ) {
            prop_assume!(grace < tenor);
            let t = LoanTerms {
                principal: rp(p),
                yearly_rate: Rate::from_percent(Decimal::new(i64::from(rate), 2)).unwrap(),
                tenor_months: tenor,
                method: LoanMethod::Anuitas,
                grace_months: grace,
            };
            let s = schedule(&t, jan31()).unwrap();
            let n = tenor - grace;
            let r = f64::from(rate) / 100.0 / 1200.0;
            let formula = if rate == 0 {
                p as f64 / f64::from(n)
            } else {
                p as f64 * r / (1.0 - (1.0 + r).powi(-(n as i32)))
            };
            let pmt = annuity_payment(t.principal, t.yearly_rate, n).unwrap();
            prop_assert!((pmt.get() as f64 - formula).abs() <= 1.0, "{} vs {}", pmt, formula);
            let repaying = &s[grace as usize..];
            for x in &repaying[..repaying.len() - 1] {
                prop_assert_eq!(x.total, pmt);
            }
            let bound = if rate == 0 { f64::from(n) } else { ((1.0 + r).powi(n as i32) - 1.0) / r } + 1.0;
            let last = repaying[repaying.len() - 1].total;
            prop_assert!(((last.get() - pmt.get()) as f64).abs() <= bound, "last {} pmt {} bound {}", last, pmt, bound);
        }
    }
}
