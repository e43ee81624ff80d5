//! What a loan costs besides interest: provisi and administration fees taken at
//! disbursement, and denda (late penalty) on instalments paid late.

use super::LoanError;
use crate::money::rupiah::{Rate, Rupiah, round_half_up};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A fee set by the loan product: a percentage of the principal or a fixed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Fee {
    Percent(Rate),
    Fixed(Rupiah),
}

impl Fee {
    pub const NONE: Fee = Fee::Fixed(Rupiah::ZERO);

    /// The fee on a principal: a percentage is rounded half-up.
    pub fn amount(&self, principal: Rupiah) -> Result<Rupiah, LoanError> {
        match *self {
            Fee::Percent(rate) => Ok(rate.of(principal)?),
            Fee::Fixed(a) if a.is_negative() => Err(LoanError::NegativeCharge),
            Fee::Fixed(a) => Ok(a),
        }
    }
}

/// The fees of a loan product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanFees {
    /// Provisi: the charge for granting the loan.
    pub provisi: Fee,
    /// Biaya administrasi: the charge for processing it.
    pub admin: Fee,
}

/// The money side of a disbursement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Disbursement {
    pub principal: Rupiah,
    pub provisi: Rupiah,
    pub admin: Rupiah,
    /// What the member receives: principal less both fees. Cooperatives usually deduct
    /// the fees from the payout (dipotong saat pencairan); the member still owes the
    /// whole principal.
    pub net: Rupiah,
}

impl LoanFees {
    pub const NONE: LoanFees = LoanFees {
        provisi: Fee::NONE,
        admin: Fee::NONE,
    };

    /// Fees on `principal` and the net payout. Fees larger than the principal are
    /// refused: the payout would be negative.
    pub fn disbursement(&self, principal: Rupiah) -> Result<Disbursement, LoanError> {
        if !principal.is_positive() {
            return Err(LoanError::Principal);
        }
        let provisi = self.provisi.amount(principal)?;
        let admin = self.admin.amount(principal)?;
        let fees = provisi.checked_add(admin)?;
        let net = principal.checked_sub(fees)?;
        if net.is_negative() {
            return Err(LoanError::FeesExceedPrincipal { fees, principal });
        }
        Ok(Disbursement {
            principal,
            provisi,
            admin,
            net,
        })
    }
}

/// How denda is charged on a late instalment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PenaltyRule {
    None,
    /// A percentage of the overdue amount for each day late, e.g. 0,1 % a day.
    DailyPercent(Rate),
    /// A fixed amount for each day late.
    DailyFixed(Rupiah),
    /// A fixed amount once per late instalment, however late.
    PerInstallment(Rupiah),
}

/// The denda setting of a loan product.
///
/// Grace days are free: an instalment paid within `grace_days` of its due date has no
/// denda, and a later one is charged only for the days beyond the grace (10 days late
/// with 3 grace days is 7 days of denda). Charging from the due date once the grace is
/// exceeded would make the 4th day cost four days, a cliff members find unfair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyPolicy {
    pub rule: PenaltyRule,
    pub grace_days: u32,
}

impl PenaltyPolicy {
    pub const NONE: PenaltyPolicy = PenaltyPolicy {
        rule: PenaltyRule::None,
        grace_days: 0,
    };

    /// Denda on one instalment: `overdue` is its unpaid amount (principal and interest,
    /// denda excluded, so denda never compounds), `days_late` the days since its due
    /// date (see `days_past_due`). Daily percentages round half-up once, over all days.
    pub fn penalty(&self, overdue: Rupiah, days_late: u32) -> Result<Rupiah, LoanError> {
        let charged_days = days_late.saturating_sub(self.grace_days);
        if charged_days == 0 || !overdue.is_positive() {
            return Ok(Rupiah::ZERO);
        }
        match self.rule {
            PenaltyRule::None => Ok(Rupiah::ZERO),
            PenaltyRule::DailyPercent(rate) => {
                let d = overdue
                    .to_decimal()
                    .checked_mul(rate.percent())
                    .and_then(|x| x.checked_mul(Decimal::from(charged_days)))
                    .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
                    .ok_or(crate::money::MoneyError::Overflow)?;
                Ok(round_half_up(d)?)
            }
            PenaltyRule::DailyFixed(a) if a.is_negative() => Err(LoanError::NegativeCharge),
            PenaltyRule::DailyFixed(a) => Ok(a.checked_mul(i64::from(charged_days))?),
            PenaltyRule::PerInstallment(a) if a.is_negative() => Err(LoanError::NegativeCharge),
            PenaltyRule::PerInstallment(a) => Ok(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MoneyError;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n)
    }
    fn rate(s: &str) -> Rate {
        Rate::parse(s).unwrap()
    }

    #[test]
    fn fees_at_disbursement() {
        // Rp 10.000.000, provisi 1 % = 100.000, admin fixed 50.000: the member gets
        // 9.850.000 and owes 10.000.000.
        let fees = LoanFees {
            provisi: Fee::Percent(rate("1")),
            admin: Fee::Fixed(rp(50_000)),
        };
        let d = fees.disbursement(rp(10_000_000)).unwrap();
        assert_eq!(
            (d.provisi, d.admin, d.net),
            (rp(100_000), rp(50_000), rp(9_850_000))
        );
        // 1,5 % of 1.234.567 = 18.518,505 → 18.519.
        assert_eq!(
            Fee::Percent(rate("1,5")).amount(rp(1_234_567)),
            Ok(rp(18_519))
        );
        assert_eq!(LoanFees::NONE.disbursement(rp(5)).unwrap().net, rp(5));
        assert_eq!(
            LoanFees {
                provisi: Fee::Fixed(rp(6)),
                admin: Fee::NONE
            }
            .disbursement(rp(5)),
            Err(LoanError::FeesExceedPrincipal {
                fees: rp(6),
                principal: rp(5)
            })
        );
        assert_eq!(
            Fee::Fixed(rp(-1)).amount(rp(5)),
            Err(LoanError::NegativeCharge)
        );
        assert_eq!(
            LoanFees::NONE.disbursement(rp(0)),
            Err(LoanError::Principal)
        );
        assert_eq!(
            LoanFees {
                provisi: Fee::Fixed(Rupiah::MAX),
                admin: Fee::Fixed(rp(1))
            }
            .disbursement(rp(5)),
            Err(LoanError::Money(MoneyError::Overflow))
        );
    }

    #[test]
    fn denda_per_day_and_per_instalment() {
        // 0,1 % a day on an overdue Rp 1.120.000, 10 days late, 3 grace days:
        // 7 days × 1.120 = 7.840.
        let daily = PenaltyPolicy {
            rule: PenaltyRule::DailyPercent(rate("0,1")),
            grace_days: 3,
        };
        assert_eq!(daily.penalty(rp(1_120_000), 10), Ok(rp(7_840)));
        assert_eq!(daily.penalty(rp(1_120_000), 3), Ok(rp(0)));
        assert_eq!(daily.penalty(rp(1_120_000), 4), Ok(rp(1_120)));
        // 0,1 % of 1.005 for 1 day = 1,005 → 1; for 2 days 2,01 → 2; rounded once.
        let no_grace = PenaltyPolicy {
            rule: PenaltyRule::DailyPercent(rate("0,1")),
            grace_days: 0,
        };
        assert_eq!(no_grace.penalty(rp(1_005), 1), Ok(rp(1)));
        assert_eq!(no_grace.penalty(rp(1_500), 1), Ok(rp(2)));
        let fixed = PenaltyPolicy {
            rule: PenaltyRule::DailyFixed(rp(2_000)),
            grace_days: 5,
        };
        assert_eq!(fixed.penalty(rp(100), 8), Ok(rp(6_000)));
        let once = PenaltyPolicy {
            rule: PenaltyRule::PerInstallment(rp(25_000)),
            grace_days: 7,
        };
        assert_eq!(once.penalty(rp(100), 7), Ok(rp(0)));
        assert_eq!(once.penalty(rp(100), 8), Ok(rp(25_000)));
        assert_eq!(once.penalty(rp(100), 400), Ok(rp(25_000)));
        // Nothing overdue, nothing charged.
        assert_eq!(once.penalty(rp(0), 30), Ok(rp(0)));
        assert_eq!(PenaltyPolicy::NONE.penalty(rp(100), 30), Ok(rp(0)));
        let bad = PenaltyPolicy {
            rule: PenaltyRule::DailyFixed(rp(-1)),
            grace_days: 0,
        };
        assert_eq!(bad.penalty(rp(1), 1), Err(LoanError::NegativeCharge));
        let huge = PenaltyPolicy {
            rule: PenaltyRule::DailyFixed(Rupiah::MAX),
            grace_days: 0,
        };
        assert!(huge.penalty(rp(1), 2).is_err());
        let all = PenaltyPolicy {
            rule: PenaltyRule::DailyPercent(Rate::HUNDRED),
            grace_days: 0,
        };
        assert!(all.penalty(Rupiah::MAX, u32::MAX).is_err());
    }
}
