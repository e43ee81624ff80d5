//! Savings (simpanan) rules: the three kinds and who may withdraw them, deposits and
//! withdrawals that never leave a negative balance, simpanan wajib arrears, and jasa
//! simpanan on sukarela by the daily-balance method.

use super::rupiah::{MoneyError, PositiveAmount, Rate, Rupiah, round_half_up};
use crate::member::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavingsError {
    #[error(
        "simpanan {0} is the cooperative's own capital (UU 25/1992 art. 41) and cannot be withdrawn while the person is a member"
    )]
    OwnCapital(SavingsKind),
    #[error("the balance of {balance} is less than the {requested} requested")]
    Insufficient { balance: Rupiah, requested: Rupiah },
    #[error("unknown kind of simpanan (pokok, wajib, sukarela)")]
    Kind,
    #[error("a month is written YYYY-MM, e.g. 2025-06")]
    MonthFormat,
    #[error("not a month: {year}-{month}")]
    Month { year: i32, month: u8 },
    #[error("day {day} is not in {month}")]
    Day { day: u8, month: YearMonth },
    #[error("balance changes must be in day order, one per day")]
    DayOrder,
    #[error("a balance cannot be negative, got {0}")]
    NegativeBalance(Rupiah),
    #[error("the amount paid cannot be negative")]
    NegativePaid,
    #[error("too many months between the first month due and now")]
    TooManyMonths,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The three kinds of simpanan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavingsKind {
    /// Paid once, on joining; equal for every member.
    Pokok,
    /// Paid periodically (monthly here); arrears are tracked.
    Wajib,
    /// Deposited and withdrawn at will; may earn jasa simpanan.
    Sukarela,
}

impl SavingsKind {
    pub const ALL: [SavingsKind; 3] = [
        SavingsKind::Pokok,
        SavingsKind::Wajib,
        SavingsKind::Sukarela,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SavingsKind::Pokok => "pokok",
            SavingsKind::Wajib => "wajib",
            SavingsKind::Sukarela => "sukarela",
        }
    }

    pub fn parse(raw: &str) -> Result<SavingsKind, SavingsError> {
        let s = raw.trim().to_ascii_lowercase();
        match s.strip_prefix("simpanan").unwrap_or(&s).trim() {
            "pokok" => Ok(SavingsKind::Pokok),
            "wajib" => Ok(SavingsKind::Wajib),
            "sukarela" => Ok(SavingsKind::Sukarela),
            _ => Err(SavingsError::Kind),
        }
    }

    /// Pokok and wajib are the cooperative's own capital; sukarela is a deposit the
    /// cooperative owes.
    pub fn is_own_capital(self) -> bool {
        matches!(self, SavingsKind::Pokok | SavingsKind::Wajib)
    }
}

impl fmt::Display for SavingsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a withdrawal of this kind is allowed at all: pokok and wajib only once the
/// person is no longer a member (they are returned on leaving), sukarela always.
/// `member_is_active` is true for an anggota (and a calon anggota, who has not left).
pub fn can_withdraw(kind: SavingsKind, member_is_active: bool) -> Result<(), SavingsError> {
    if kind.is_own_capital() && member_is_active {
        Err(SavingsError::OwnCapital(kind))
    } else {
        Ok(())
    }
}

/// The balance after a deposit.
pub fn deposit(balance: Rupiah, amount: PositiveAmount) -> Result<Rupiah, SavingsError> {
    Ok(balance.checked_add(amount.get())?)
}

/// The balance after a withdrawal, which is never negative: a withdrawal over the
/// balance is refused whole, never paid in part.
pub fn withdraw(balance: Rupiah, amount: PositiveAmount) -> Result<Rupiah, SavingsError> {
    if amount.get() > balance {
        return Err(SavingsError::Insufficient {
            balance,
            requested: amount.get(),
        });
    }
    Ok(balance.checked_sub(amount.get())?)
}

/// A transfer between two sukarela balances: (payer's new balance, payee's new
/// balance). Either both change or the transfer is refused.
pub fn transfer(
    from_balance: Rupiah,
    to_balance: Rupiah,
    amount: PositiveAmount,
) -> Result<(Rupiah, Rupiah), SavingsError> {
    let from = withdraw(from_balance, amount)?;
    let to = deposit(to_balance, amount)?;
    Ok((from, to))
}

/// A calendar month, for wajib billing and monthly jasa simpanan. Written `2025-06`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    year: i32,
    month: u8,
}

impl YearMonth {
    pub fn new(year: i32, month: u8) -> Result<YearMonth, SavingsError> {
        if (1..=12).contains(&month) {
            Ok(YearMonth { year, month })
        } else {
            Err(SavingsError::Month { year, month })
        }
    }
    /// `YYYY-MM`, e.g. `2025-06`.
    pub fn parse(raw: &str) -> Result<YearMonth, SavingsError> {
        let bad = || SavingsError::MonthFormat;
        let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|c| c.is_ascii_digit());
        if !digits(y, 4) || !digits(m, 2) {
            return Err(bad());
        }
        YearMonth::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
    }
    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn days(self) -> u8 {
        self.first_day().days_in_month()
    }
    pub fn first_day(self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: 1,
        }
    }
    /// Months from `self` to `later` (0 for the same month, negative if earlier).
    pub fn months_until(self, later: YearMonth) -> i64 {
        (i64::from(later.year) - i64::from(self.year)) * 12 + i64::from(later.month)
            - i64::from(self.month)
    }
}

impl From<Date> for YearMonth {
    fn from(d: Date) -> YearMonth {
        YearMonth {
            year: d.year,
            month: d.month,
        }
    }
}

impl TryFrom<String> for YearMonth {
    type Error = SavingsError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        YearMonth::parse(&s)
    }
}
impl From<YearMonth> for String {
    fn from(m: YearMonth) -> String {
        m.to_string()
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Where a member stands on simpanan wajib.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WajibStatus {
    /// Months from the first month due through the current month.
    pub months_billed: u32,
    pub total_billed: Rupiah,
    pub total_paid: Rupiah,
    /// What the member must pay now to be up to date, current month included.
    pub amount_owed: Rupiah,
    /// Months not (fully) paid, current month included.
    pub months_unpaid: u32,
    /// Months before the current one not (fully) paid: the arrears (tunggakan).
    pub months_in_arrears: u32,
    /// Paid ahead of the billing, if any.
    pub paid_ahead: Rupiah,
}

/// Simpanan wajib position. The month of `first_month` and every month up to and
/// including `current` are billed (the billing job bills on the first of the month).
/// Payments settle the oldest month first, so the unpaid months are the latest ones:
/// the current month counts as unpaid but not as arrears until it is over.
pub fn wajib_status(
    monthly: PositiveAmount,
    first_month: YearMonth,
    current: YearMonth,
    total_paid: Rupiah,
) -> Result<WajibStatus, SavingsError> {
    if total_paid.is_negative() {
        return Err(SavingsError::NegativePaid);
    }
    let span = first_month.months_until(current);
    let months_billed =
        u32::try_from((span + 1).max(0)).map_err(|_| SavingsError::TooManyMonths)?;
    let total_billed = monthly.get().checked_mul(i64::from(months_billed))?;
    let owed = total_billed.checked_sub(total_paid)?;
    let amount_owed = owed.max(Rupiah::ZERO);
    let paid_ahead = owed.checked_neg()?.max(Rupiah::ZERO);
    let m = monthly.get().get();
    // Ceiling division: a month paid in part is still unpaid.
    let months_unpaid =
        u32::try_from(amount_owed.get().div_euclid(m) + i64::from(amount_owed.get() % m != 0))
            .map_err(|_| SavingsError::TooManyMonths)?;
    Ok(WajibStatus {
        months_billed,
        total_billed,
        total_paid,
        amount_owed,
        months_unpaid,
        months_in_arrears: months_unpaid.saturating_sub(1),
        paid_ahead,
    })
}

/// Jasa simpanan counts a year as 365 days, leap years included (actual/365 fixed, as
/// Indonesian banks count rupiah deposits). In a leap year a balance held all year
/// earns 366/365 of the rate, a difference of a few rupiah that is simpler to explain
/// than a rate that changes with the year.
pub const DAYS_IN_YEAR: u32 = 365;

/// Jasa simpanan for one month by the daily-balance method (saldo harian):
/// Σ over the days of the month of that day's closing balance × yearly rate / 365,
/// rounded half-up once, at the end.
///
/// `opening` is the balance at the start of the month. `changes` lists
/// `(day, balance after that day's movements)` for the days that had movements, in
/// day order, one per day; a day's balance holds until the next change. Balances are
/// never negative (sukarela cannot be).
pub fn jasa_simpanan_daily(
    month: YearMonth,
    opening: Rupiah,
    changes: &[(u8, Rupiah)],
    yearly_rate: Rate,
) -> Result<Rupiah, SavingsError> {
    if opening.is_negative() {
        return Err(SavingsError::NegativeBalance(opening));
    }
    let days = month.days();
    // Σ balance × days held, exactly, in i128: 31 days of i64::MAX fit.
    let mut balance_days: i128 = 0;
    let mut balance = opening;
    let mut from_day: u8 = 1;
    let mut previous: Option<u8> = None;
    for &(day, after) in changes {
        if !(1..=days).contains(&day) {
            return Err(SavingsError::Day { day, month });
        }
        if previous.is_some_and(|p| day <= p) {
            return Err(SavingsError::DayOrder);
        }
        previous = Some(day);
        if after.is_negative() {
            return Err(SavingsError::NegativeBalance(after));
        }
        // The previous balance held on the days before this change.
        balance_days += i128::from(balance.get()) * i128::from(day - from_day);
        balance = after;
        from_day = day;
    }
    // The last balance holds from its day through the end of the month.
    balance_days += i128::from(balance.get()) * i128::from(days + 1 - from_day);
    let sum =
        Decimal::try_from_i128_with_scale(balance_days, 0).map_err(|_| MoneyError::Overflow)?;
    let interest = sum
        .checked_mul(yearly_rate.percent())
        .and_then(|x| x.checked_div(Decimal::from(100 * DAYS_IN_YEAR)))
        .ok_or(MoneyError::Overflow)?;
    Ok(round_half_up(interest)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n)
    }
    fn pos(n: i64) -> PositiveAmount {
        PositiveAmount::new(rp(n)).unwrap()
    }
    fn ym(y: i32, m: u8) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    #[test]
    fn pokok_and_wajib_stay_while_a_member() {
        assert_eq!(
            can_withdraw(SavingsKind::Pokok, true),
            Err(SavingsError::OwnCapital(SavingsKind::Pokok))
        );
        assert_eq!(
            can_withdraw(SavingsKind::Wajib, true),
            Err(SavingsError::OwnCapital(SavingsKind::Wajib))
        );
        assert_eq!(can_withdraw(SavingsKind::Sukarela, true), Ok(()));
        for k in SavingsKind::ALL {
            assert_eq!(can_withdraw(k, false), Ok(()), "{k} after leaving");
            assert_eq!(SavingsKind::parse(k.as_str()), Ok(k));
        }
        assert_eq!(SavingsKind::parse("Simpanan Wajib"), Ok(SavingsKind::Wajib));
        assert!(SavingsKind::parse("x").is_err());
    }

    #[test]
    fn withdrawals_never_overdraw() {
        assert_eq!(withdraw(rp(100_000), pos(40_000)), Ok(rp(60_000)));
        assert_eq!(withdraw(rp(100_000), pos(100_000)), Ok(rp(0)));
        assert_eq!(
            withdraw(rp(100_000), pos(100_001)),
            Err(SavingsError::Insufficient {
                balance: rp(100_000),
                requested: rp(100_001)
            })
        );
        assert!(withdraw(rp(-5), pos(1)).is_err());
        assert_eq!(deposit(rp(5), pos(7)), Ok(rp(12)));
        assert_eq!(
            deposit(Rupiah::MAX, pos(1)),
            Err(SavingsError::Money(MoneyError::Overflow))
        );
        assert_eq!(transfer(rp(10), rp(0), pos(4)), Ok((rp(6), rp(4))));
        assert!(transfer(rp(3), rp(0), pos(4)).is_err());
        // The payee's overflow refuses the whole transfer.
        assert!(transfer(rp(10), Rupiah::MAX, pos(4)).is_err());
    }

    #[test]
    fn wajib_arrears() {
        // Rp 50.000 a month from January 2025; it is April 2025: 4 months billed,
        // Rp 200.000. Paid 120.000 → owes 80.000: March in part and April unpaid, so
        // 2 months unpaid, 1 month in arrears (April is not over).
        let s = wajib_status(pos(50_000), ym(2025, 1), ym(2025, 4), rp(120_000)).unwrap();
        assert_eq!(s.months_billed, 4);
        assert_eq!(s.total_billed, rp(200_000));
        assert_eq!(s.amount_owed, rp(80_000));
        assert_eq!(s.months_unpaid, 2);
        assert_eq!(s.months_in_arrears, 1);
        assert_eq!(s.paid_ahead, rp(0));
        // Nothing paid for a year: 12 billed (Feb 2024 … Jan 2025), 11 in arrears.
        let s = wajib_status(pos(10_000), ym(2024, 2), ym(2025, 1), rp(0)).unwrap();
        assert_eq!(
            (s.months_billed, s.months_unpaid, s.months_in_arrears),
            (12, 12, 11)
        );
        assert_eq!(s.amount_owed, rp(120_000));
        // Paid ahead.
        let s = wajib_status(pos(10_000), ym(2025, 1), ym(2025, 2), rp(50_000)).unwrap();
        assert_eq!(
            (s.amount_owed, s.paid_ahead, s.months_unpaid),
            (rp(0), rp(30_000), 0)
        );
        // Billing has not started yet.
        let s = wajib_status(pos(10_000), ym(2025, 6), ym(2025, 2), rp(0)).unwrap();
        assert_eq!((s.months_billed, s.amount_owed), (0, rp(0)));
        assert_eq!(
            wajib_status(pos(1), ym(2025, 1), ym(2025, 1), rp(-1)),
            Err(SavingsError::NegativePaid)
        );
        assert!(wajib_status(pos(i64::MAX), ym(2025, 1), ym(2025, 2), rp(0)).is_err());
        assert!(YearMonth::new(2025, 13).is_err());
        assert_eq!(YearMonth::parse("2025-06"), Ok(ym(2025, 6)));
        assert_eq!(ym(2025, 6).to_string(), "2025-06");
        for bad in ["2025-13", "2025-6", "25-06", "2025/06", "", "2025-0a"] {
            assert!(YearMonth::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(YearMonth::from(Date::new(2025, 3, 9).unwrap()), ym(2025, 3));
    }

    #[test]
    fn jasa_simpanan_by_daily_balance() {
        // June 2025 (30 days), 6 % a year. Opening Rp 1.000.000; on the 11th the
        // balance becomes 3.000.000; on the 21st 2.000.000.
        // Days 1–10: 10 × 1.000.000 = 10.000.000
        // Days 11–20: 10 × 3.000.000 = 30.000.000
        // Days 21–30: 10 × 2.000.000 = 20.000.000
        // Σ = 60.000.000 × 6 / 100 / 365 = 9.863,01… → Rp 9.863.
        let six = Rate::parse("6").unwrap();
        let june = ym(2025, 6);
        assert_eq!(
            jasa_simpanan_daily(
                june,
                rp(1_000_000),
                &[(11, rp(3_000_000)), (21, rp(2_000_000))],
                six
            ),
            Ok(rp(9_863))
        );
        // No movement: 31 days × 1.000.000 × 12 % / 365 = 10.191,78… → 10.192.
        assert_eq!(
            jasa_simpanan_daily(ym(2025, 1), rp(1_000_000), &[], Rate::parse("12").unwrap()),
            Ok(rp(10_192))
        );
        // A change on day 1 replaces the opening balance for the whole month;
        // 28 days × 365.000 × 10 % / 365 = 2.800 exactly.
        assert_eq!(
            jasa_simpanan_daily(
                ym(2025, 2),
                rp(0),
                &[(1, rp(365_000))],
                Rate::parse("10").unwrap()
            ),
            Ok(rp(2_800))
        );
        // Half a rupiah rounds up: 1 day × 1.825 × 10 % / 365 = 0,5 → 1.
        assert_eq!(
            jasa_simpanan_daily(
                ym(2025, 2),
                rp(0),
                &[(28, rp(1_825))],
                Rate::parse("10").unwrap()
            ),
            Ok(rp(1))
        );
        assert_eq!(jasa_simpanan_daily(june, rp(5), &[], Rate::ZERO), Ok(rp(0)));
        assert!(matches!(
            jasa_simpanan_daily(june, rp(0), &[(31, rp(1))], six),
            Err(SavingsError::Day { day: 31, .. })
        ));
        assert!(matches!(
            jasa_simpanan_daily(june, rp(0), &[(0, rp(1))], six),
            Err(SavingsError::Day { day: 0, .. })
        ));
        assert_eq!(
            jasa_simpanan_daily(june, rp(0), &[(5, rp(1)), (4, rp(1))], six),
            Err(SavingsError::DayOrder)
        );
        assert_eq!(
            jasa_simpanan_daily(june, rp(0), &[(5, rp(1)), (5, rp(2))], six),
            Err(SavingsError::DayOrder)
        );
        assert_eq!(
            jasa_simpanan_daily(june, rp(-1), &[], six),
            Err(SavingsError::NegativeBalance(rp(-1)))
        );
        // The largest balances do not overflow the sum.
        assert!(jasa_simpanan_daily(ym(2025, 1), Rupiah::MAX, &[], Rate::HUNDRED).is_ok());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Deposit(i64),
        Withdraw(i64),
        Transfer(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1i64..10_000_000).prop_map(Op::Deposit),
            (1i64..20_000_000).prop_map(Op::Withdraw),
            (1i64..20_000_000).prop_map(Op::Transfer),
        ]
    }

    proptest! {
        /// Any sequence of movements that the rules accept leaves every balance at or
        /// above zero, and the balances equal what was accepted.
        #[test]
        fn accepted_movements_never_go_negative(ops in prop::collection::vec(op(), 0..60)) {
            let (mut a, mut b) = (Rupiah::ZERO, Rupiah::ZERO);
            let mut expected: i128 = 0;
            for op in ops {
                match op {
                    Op::Deposit(n) => {
                        a = deposit(a, pos(n)).unwrap();
                        expected += i128::from(n);
                    }
                    Op::Withdraw(n) => match withdraw(a, pos(n)) {
                        Ok(new) => {
                            a = new;
                            expected -= i128::from(n);
                        }
                        Err(SavingsError::Insufficient { balance, requested }) => {
                            prop_assert!(requested > balance);
                        }
                        Err(e) => prop_assert!(false, "{e}"),
                    },
                    Op::Transfer(n) => {
                        if let Ok((from, to)) = transfer(a, b, pos(n)) {
                            a = from;
                            b = to;
                            expected -= i128::from(n);
                        }
                    }
                }
                prop_assert!(!a.is_negative() && !b.is_negative());
                prop_assert_eq!(i128::from(a.get()), expected);
            }
        }

        /// The daily-balance sum equals summing each day's balance one by one.
        #[test]
        fn daily_balance_matches_day_by_day(
            opening in 0i64..10_000_000_000,
            raw in prop::collection::btree_map(1u8..=31, 0i64..10_000_000_000, 0..10),
            rate in 0u32..2_000,
        ) {
            let month = ym(2025, 5);
            let changes: Vec<(u8, Rupiah)> = raw.iter().map(|(d, b)| (*d, rp(*b))).collect();
            let rate = Rate::from_percent(Decimal::new(i64::from(rate), 2)).unwrap();
            let mut sum: i128 = 0;
            for day in 1..=31u8 {
                let bal = raw.range(..=day).next_back().map_or(opening, |(_, b)| *b);
                sum += i128::from(bal);
            }
            let want = round_half_up(
                Decimal::from_i128_with_scale(sum, 0) * rate.percent() / Decimal::from(36_500),
            ).unwrap();
            prop_assert_eq!(jasa_simpanan_daily(month, rp(opening), &changes, rate), Ok(want));
        }
    }
}
