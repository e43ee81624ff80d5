//! Loan (pinjaman) rules: terms and their checks, the instalment schedule for the three
//! methods, provisi and administration fees, denda, how a payment is split, the early
//! payoff amount, and collectibility.
//!
//! - `amortization`: [`schedule`] for flat, menurun and anuitas;
//! - `charges`: [`Fee`], [`LoanFees`], [`PenaltyPolicy`] (denda);
//! - `repayment`: [`allocate`], [`allocate_oldest_first`], [`early_payoff`];
//! - `collectibility`: [`Collectibility`] from days past due.

mod amortization;
mod charges;
mod collectibility;
mod repayment;

pub use amortization::{Installment, annuity_payment, schedule};
pub use charges::{Disbursement, Fee, LoanFees, PenaltyPolicy, PenaltyRule};
pub use collectibility::{Collectibility, CollectibilityThresholds, days_past_due};
pub use repayment::{
    Allocation, AllocationAcross, Applied, InstallmentDue, Outstanding, Overpayment, PayoffQuote,
    allocate, allocate_oldest_first, early_payoff,
};

use super::rupiah::{MoneyError, Rate, Rupiah};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoanError {
    #[error("unknown loan method (flat, menurun, anuitas)")]
    Method,
    #[error("loan principal must be more than zero")]
    Principal,
    #[error("tenor must be 1 to {max} months, got {0}", max = LoanTerms::MAX_TENOR_MONTHS)]
    Tenor(u32),
    #[error("{grace} grace months leave no month of a {tenor}-month tenor to repay principal")]
    Grace { grace: u32, tenor: u32 },
    #[error("due dates run past the calendar")]
    Date,
    #[error("a fixed fee or denda cannot be negative")]
    NegativeCharge,
    #[error("fees of {fees} exceed the principal of {principal}")]
    FeesExceedPrincipal { fees: Rupiah, principal: Rupiah },
    #[error("an outstanding amount cannot be negative")]
    NegativeOutstanding,
    #[error("nothing is outstanding on this loan")]
    NothingOutstanding,
    #[error("the payment of {paid} exceeds the {outstanding} outstanding")]
    Overpayment { paid: Rupiah, outstanding: Rupiah },
    #[error("unpaid instalments must be in due-date order")]
    InstallmentOrder,
    #[error("collectibility thresholds must increase: kurang lancar < diragukan < macet")]
    Thresholds,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// How interest and principal are spread over the tenor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanMethod {
    /// Interest on the original principal every month; equal principal parts. Simple
    /// to explain, dearer than it sounds: the effective rate is nearly twice the flat
    /// rate.
    Flat,
    /// Declining balance (menurun): equal principal parts, interest on what remains,
    /// so instalments shrink.
    Menurun,
    /// Annuity (anuitas): equal instalments; interest on what remains, the rest repays
    /// principal.
    Anuitas,
}

impl LoanMethod {
    pub const ALL: [LoanMethod; 3] = [LoanMethod::Flat, LoanMethod::Menurun, LoanMethod::Anuitas];

    pub fn as_str(self) -> &'static str {
        match self {
            LoanMethod::Flat => "flat",
            LoanMethod::Menurun => "menurun",
            LoanMethod::Anuitas => "anuitas",
        }
    }

    pub fn parse(raw: &str) -> Result<LoanMethod, LoanError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "flat" | "tetap" => Ok(LoanMethod::Flat),
            "menurun" | "declining" | "efektif" => Ok(LoanMethod::Menurun),
            "anuitas" | "annuity" => Ok(LoanMethod::Anuitas),
            _ => Err(LoanError::Method),
        }
    }
}

impl fmt::Display for LoanMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a loan agreement fixes. The tenor counts every instalment, grace months
/// included: a 12-month loan with 2 grace months has 12 instalments, the first 2 of
/// interest only (on the full principal) and the principal repaid over the last 10 by
/// the loan's method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanTerms {
    pub principal: Rupiah,
    /// Yearly, as a percentage; the monthly rate is a twelfth of it.
    pub yearly_rate: Rate,
    pub tenor_months: u32,
    pub method: LoanMethod,
    /// Interest-only months at the start (masa tenggang); fewer than the tenor.
    pub grace_months: u32,
}

impl LoanTerms {
    /// Thirty years: longer than any cooperative loan, short enough that every
    /// computation stays far inside the decimal type.
    pub const MAX_TENOR_MONTHS: u32 = 360;

    pub fn validate(&self) -> Result<(), LoanError> {
        if !self.principal.is_positive() {
            return Err(LoanError::Principal);
        }
        if !(1..=Self::MAX_TENOR_MONTHS).contains(&self.tenor_months) {
            return Err(LoanError::Tenor(self.tenor_months));
        }
        if self.grace_months >= self.tenor_months {
            return Err(LoanError::Grace {
                grace: self.grace_months,
                tenor: self.tenor_months,
            });
        }
        Ok(())
    }
}
