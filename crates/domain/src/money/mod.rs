//! Money rules: whole-rupiah amounts and rates, double-entry bookkeeping and the
//! default chart of accounts, savings, loans and SHU. Pure functions and values only;
//! the store and the services make them durable.
//!
//! Amounts are [`Rupiah`] (whole rupiah in an `i64`); rates and intermediate results
//! are `rust_decimal::Decimal`, never floats; a decimal becomes rupiah through
//! [`round_half_up`], the one rounding rule (SHU shares alone round down, see [`shu`]).
//! Nothing here panics on input: every rule returns its module's error.

pub mod chart;
pub mod ledger;
pub mod loan;
pub mod rupiah;
pub mod savings;
pub mod shu;

pub use chart::{AccountSeed, CapitalBooking, SystemAccounts, default_chart_of_accounts};
pub use ledger::{
    AccountCode, AccountKind, BalancedEntry, JournalDraft, JournalLine, LedgerError, Side,
};
pub use loan::{
    Collectibility, CollectibilityThresholds, Installment, LoanError, LoanMethod, LoanTerms,
};
pub use rupiah::{MoneyError, PositiveAmount, Rate, Rupiah, round_half_up};
pub use savings::{SavingsError, SavingsKind, YearMonth};
pub use shu::{ShuAllocation, ShuError, ShuInput, ShuResult, compute_shu};
