//! Amounts and rates: whole rupiah (`Rupiah`), amounts that must be more than zero
//! (`PositiveAmount`), percentages (`Rate`) and the one rounding rule that turns a
//! decimal into rupiah (`round_half_up`).
//!
//! Rupiah has no coins below Rp 1 in use, and cooperatives book whole rupiah, so an
//! amount is an `i64` of rupiah. Arithmetic that can overflow returns an error rather
//! than wrapping or panicking: a wrong balance is worse than a refused movement.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is empty")]
    Empty,
    #[error("not an amount: write whole rupiah, e.g. 1250000 or Rp 1.250.000")]
    Format,
    #[error("dots separate thousands in groups of three digits, e.g. Rp 1.250.000")]
    Grouping,
    #[error("amount must be whole rupiah: dots for thousands (Rp 1.250.000), no comma or sen")]
    Fraction,
    #[error("amount is too large")]
    Overflow,
    #[error("amount must be more than zero")]
    NotPositive,
    #[error("not a percentage: write e.g. 12, 12.5 or 12,5")]
    RateFormat,
    #[error("a percentage must be from 0 to 100 with at most 6 decimals")]
    RateRange,
}

/// An amount of whole rupiah. Negative values are allowed (a balance, a net change);
/// movements take a [`PositiveAmount`].
///
/// Serialised as a plain integer. `Display` is the Indonesian form, `Rp 1.250.000`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Rupiah(i64);

impl Rupiah {
    pub const ZERO: Rupiah = Rupiah(0);
    pub const MAX: Rupiah = Rupiah(i64::MAX);

    pub const fn new(rupiah: i64) -> Rupiah {
        Rupiah(rupiah)
    }

    /// The amount as stored: whole rupiah.
    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Rupiah) -> Result<Rupiah, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Rupiah)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Rupiah) -> Result<Rupiah, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Rupiah)
            .ok_or(MoneyError::Overflow)
    }

    /// `self × n`, e.g. a monthly amount times a number of months.
    pub fn checked_mul(self, n: i64) -> Result<Rupiah, MoneyError> {
        self.0
            .checked_mul(n)
            .map(Rupiah)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_neg(self) -> Result<Rupiah, MoneyError> {
        self.0.checked_neg().map(Rupiah).ok_or(MoneyError::Overflow)
    }

    /// The sum of many amounts, or `Overflow`.
    pub fn sum<I: IntoIterator<Item = Rupiah>>(amounts: I) -> Result<Rupiah, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Rupiah::ZERO, |acc, a| acc.checked_add(a))
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The amount as a decimal, for computations that round back with
    /// [`round_half_up`].
    pub fn to_decimal(self) -> Decimal {
        Decimal::from(self.0)
    }

    /// Reads an amount typed by a person: `1250000`, `1.250.000`, `Rp 1.250.000`,
    /// `Rp1.250.000`, `Rp. 1.250.000`, and a leading `-` for a negative amount. A
    /// trailing `,-` or `,00` (common on Indonesian invoices, meaning "exactly") is
    /// accepted; any other comma or decimal is refused, since rupiah are whole.
    pub fn parse(raw: &str) -> Result<Rupiah, MoneyError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.len() > 40 {
            return Err(MoneyError::Format);
        }
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, s),
        };
        let s = strip_currency(s).trim_start();
        let s = s
            .strip_suffix(",-")
            .or_else(|| s.strip_suffix(",00"))
            .unwrap_or(s);
        if s.is_empty() {
            return Err(MoneyError::Format);
        }
        if s.contains(',') {
            // A comma is the Indonesian decimal separator (or someone's thousands
            // separator); either way the amount is not plain whole rupiah.
            return Err(
                if s.bytes()
                    .all(|c| c.is_ascii_digit() || c == b'.' || c == b',')
                {
                    MoneyError::Fraction
                } else {
                    MoneyError::Format
                },
            );
        }
        if !s.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
            return Err(MoneyError::Format);
        }
        let digits: String = if s.contains('.') {
            let mut groups = s.split('.');
            let first = groups.next().unwrap_or_default();
            let first_ok = (1..=3).contains(&first.len()) && !first.starts_with('0');
            let rest_ok = groups.all(|g| g.len() == 3);
            if !first_ok || !rest_ok {
                return Err(MoneyError::Grouping);
            }
            s.replace('.', "")
        } else {
            s.to_string()
        };
        // Parse as unsigned first so that i64::MIN ("-9.223.372.036.854.775.808") reads.
        let magnitude: u64 = digits.parse().map_err(|_| MoneyError::Overflow)?;
        let value = if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        };
        value.map(Rupiah).ok_or(MoneyError::Overflow)
    }
}

/// Removes a leading `Rp`, `Rp.` or `IDR` in any case.
fn strip_currency(s: &str) -> &str {
    for prefix in ["rp.", "rp", "idr"] {
        if s.len() >= prefix.len()
            && s.is_char_boundary(prefix.len())
            && s[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            return &s[prefix.len()..];
        }
    }
    s
}

/// Groups of three digits separated by dots: `1250000` → `1.250.000`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Rupiah {
    /// `Rp 1.250.000`, `-Rp 1.250.000`, `Rp 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}Rp {}", group_thousands(self.0.unsigned_abs()))
    }
}

impl FromStr for Rupiah {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rupiah::parse(s)
    }
}

impl From<PositiveAmount> for Rupiah {
    fn from(a: PositiveAmount) -> Rupiah {
        a.0
    }
}

/// An amount that is more than zero: what a deposit, withdrawal, payment or loan
/// principal must be. Zero and negative movements are refused at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct PositiveAmount(Rupiah);

impl PositiveAmount {
    pub fn new(amount: Rupiah) -> Result<PositiveAmount, MoneyError> {
        if amount.is_positive() {
            Ok(PositiveAmount(amount))
        } else {
            Err(MoneyError::NotPositive)
        }
    }

    /// As [`Rupiah::parse`], then more than zero.
    pub fn parse(raw: &str) -> Result<PositiveAmount, MoneyError> {
        PositiveAmount::new(Rupiah::parse(raw)?)
    }

    pub const fn get(self) -> Rupiah {
        self.0
    }
}

impl TryFrom<i64> for PositiveAmount {
    type Error = MoneyError;
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        PositiveAmount::new(Rupiah(v))
    }
}
impl From<PositiveAmount> for i64 {
    fn from(a: PositiveAmount) -> i64 {
        a.0.0
    }
}
impl fmt::Display for PositiveAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A percentage from 0 to 100 inclusive, e.g. a yearly loan rate of 12,5 %, a provisi
/// of 1 %, a daily denda of 0,1 % or an SHU share of 25 %. Kept as a decimal, never a
/// float, so `12.5` is exactly 12.5.
///
/// Serialised as a string with a dot (`"12.5"`); `Display` is Indonesian (`12,5%`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Rate(Decimal);

impl Rate {
    pub const ZERO: Rate = Rate(Decimal::ZERO);
    pub const HUNDRED: Rate = Rate(Decimal::ONE_HUNDRED);
    /// Six decimals of a percent is finer than any rate a cooperative sets, and keeps
    /// products of rates and amounts far from the decimal type's limits.
    const MAX_SCALE: u32 = 6;

    /// From a percentage (`12.5` for 12,5 %).
    pub fn from_percent(percent: Decimal) -> Result<Rate, MoneyError> {
        let p = percent.normalize();
        if (p.is_sign_negative() && !p.is_zero())
            || p > Decimal::ONE_HUNDRED
            || p.scale() > Self::MAX_SCALE
        {
            return Err(MoneyError::RateRange);
        }
        // -0 and 0 are one rate.
        Ok(Rate(if p.is_zero() { Decimal::ZERO } else { p }))
    }

    /// Reads `12`, `12.5`, `12,5` (Indonesian decimal comma), optionally followed by `%`.
    pub fn parse(raw: &str) -> Result<Rate, MoneyError> {
        let s = raw.trim();
        let s = s.strip_suffix('%').unwrap_or(s).trim_end();
        let well_formed = !s.is_empty()
            && s.len() <= 20
            && s.bytes()
                .all(|c| c.is_ascii_digit() || c == b'.' || c == b',')
            && s.bytes().filter(|&c| c == b'.' || c == b',').count() <= 1
            && s.starts_with(|c: char| c.is_ascii_digit())
            && s.ends_with(|c: char| c.is_ascii_digit());
        if !well_formed {
            return Err(MoneyError::RateFormat);
        }
        let d =
            Decimal::from_str_exact(&s.replace(',', ".")).map_err(|_| MoneyError::RateFormat)?;
        Rate::from_percent(d)
    }

    /// The percentage itself: `12.5` for 12,5 %.
    pub fn percent(self) -> Decimal {
        self.0
    }

    /// The rate as a fraction: `0.125` for 12,5 %.
    pub fn fraction(self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// `base × rate`, rounded half-up to whole rupiah: a provisi of 1 % on a principal.
    pub fn of(self, base: Rupiah) -> Result<Rupiah, MoneyError> {
        let product = base
            .to_decimal()
            .checked_mul(self.0)
            .ok_or(MoneyError::Overflow)?;
        round_half_up(product / Decimal::ONE_HUNDRED)
    }
}

impl fmt::Display for Rate {
    /// `12,5%`: Indonesian decimal comma.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0.to_string().replace('.', ","))
    }
}
impl FromStr for Rate {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rate::parse(s)
    }
}
impl TryFrom<String> for Rate {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Rate::parse(&s)
    }
}
impl From<Rate> for String {
    fn from(r: Rate) -> String {
        r.0.to_string()
    }
}

/// THE rounding rule of Guyub: a decimal amount becomes whole rupiah by rounding half
/// up, i.e. to the nearest rupiah with exact halves going away from zero (Rp 0,5 → Rp 1,
/// Rp 1,49 → Rp 1, −Rp 0,5 → −Rp 1; what accountants and spreadsheets call "round half
/// up" and Java calls `HALF_UP`). Interest, fees, denda and jasa simpanan all pass
/// through here, once per amount, at the end of the computation: rounding intermediate
/// steps would let errors add up.
///
/// The only other rule is SHU, which floors each member's share on purpose so that the
/// shares never exceed the pool (see `shu`).
pub fn round_half_up(amount: Decimal) -> Result<Rupiah, MoneyError> {
    amount
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .map(Rupiah)
        .ok_or(MoneyError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn display_is_indonesian() {
        assert_eq!(Rupiah::new(1_250_000).to_string(), "Rp 1.250.000");
        assert_eq!(Rupiah::new(-1_250_000).to_string(), "-Rp 1.250.000");
        assert_eq!(Rupiah::new(0).to_string(), "Rp 0");
        assert_eq!(Rupiah::new(999).to_string(), "Rp 999");
        assert_eq!(Rupiah::new(1_000).to_string(), "Rp 1.000");
        assert_eq!(Rupiah::new(100_000).to_string(), "Rp 100.000");
        assert_eq!(
            Rupiah::new(i64::MIN).to_string(),
            "-Rp 9.223.372.036.854.775.808"
        );
    }

    #[test]
    fn parse_accepts_the_ways_people_write_amounts() {
        for raw in [
            "1250000",
            "1.250.000",
            "Rp 1.250.000",
            "Rp1.250.000",
            "rp 1.250.000",
            "RP1250000",
            "Rp. 1.250.000",
            "IDR 1.250.000",
            "  Rp 1.250.000,-  ",
            "Rp 1.250.000,00",
            "Rp\u{a0}1.250.000",
        ] {
            assert_eq!(Rupiah::parse(raw), Ok(Rupiah::new(1_250_000)), "{raw:?}");
        }
        assert_eq!(Rupiah::parse("-Rp 5.000"), Ok(Rupiah::new(-5_000)));
        assert_eq!(Rupiah::parse("0"), Ok(Rupiah::ZERO));
        assert_eq!(Rupiah::parse("007"), Ok(Rupiah::new(7)));
        assert_eq!(Rupiah::parse("9.223.372.036.854.775.807"), Ok(Rupiah::MAX));
        assert_eq!(
            Rupiah::parse("-9223372036854775808"),
            Ok(Rupiah::new(i64::MIN))
        );
    }

    #[test]
    fn parse_refuses_with_a_reason() {
        assert_eq!(Rupiah::parse(""), Err(MoneyError::Empty));
        assert_eq!(Rupiah::parse("   "), Err(MoneyError::Empty));
        assert_eq!(Rupiah::parse("Rp"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("abc"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("12a"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("1 250 000"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("+5"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("--5"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("1250,50"), Err(MoneyError::Fraction));
        assert_eq!(Rupiah::parse("1.250.000,5"), Err(MoneyError::Fraction));
        assert_eq!(Rupiah::parse("1,250,000"), Err(MoneyError::Fraction));
        assert_eq!(Rupiah::parse("12.5"), Err(MoneyError::Grouping));
        assert_eq!(Rupiah::parse("1.25.000"), Err(MoneyError::Grouping));
        assert_eq!(Rupiah::parse("1250.000"), Err(MoneyError::Grouping));
        assert_eq!(Rupiah::parse(".250"), Err(MoneyError::Grouping));
        assert_eq!(Rupiah::parse("1.250."), Err(MoneyError::Grouping));
        assert_eq!(Rupiah::parse("0.250"), Err(MoneyError::Grouping));
        assert_eq!(
            Rupiah::parse("9.223.372.036.854.775.808"),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Rupiah::parse("99999999999999999999999"),
            Err(MoneyError::Overflow)
        );
        assert_eq!(Rupiah::parse(&"1".repeat(41)), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("Rp ٣"), Err(MoneyError::Format));
    }

    #[test]
    fn arithmetic_overflows_into_an_error() {
        let a = Rupiah::new(5);
        assert_eq!(a.checked_add(Rupiah::new(7)), Ok(Rupiah::new(12)));
        assert_eq!(a.checked_sub(Rupiah::new(7)), Ok(Rupiah::new(-2)));
        assert_eq!(Rupiah::MAX.checked_add(a), Err(MoneyError::Overflow));
        assert_eq!(
            Rupiah::new(i64::MIN).checked_sub(a),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Rupiah::new(i64::MIN).checked_neg(),
            Err(MoneyError::Overflow)
        );
        assert_eq!(a.checked_mul(3), Ok(Rupiah::new(15)));
        assert_eq!(Rupiah::MAX.checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(
            Rupiah::sum([Rupiah::new(1), Rupiah::new(2)]),
            Ok(Rupiah::new(3))
        );
        assert_eq!(
            Rupiah::sum([Rupiah::MAX, Rupiah::new(1)]),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn positive_amounts() {
        assert_eq!(
            PositiveAmount::parse("Rp 5.000").map(PositiveAmount::get),
            Ok(Rupiah::new(5_000))
        );
        assert_eq!(PositiveAmount::parse("0"), Err(MoneyError::NotPositive));
        assert_eq!(PositiveAmount::parse("-5"), Err(MoneyError::NotPositive));
        assert_eq!(PositiveAmount::parse("x"), Err(MoneyError::Format));
        assert_eq!(i64::from(PositiveAmount::new(Rupiah::new(5)).unwrap()), 5);
        assert!(PositiveAmount::try_from(0).is_err());
    }

    #[test]
    fn rates() {
        assert_eq!(Rate::parse("12").unwrap().percent(), dec("12"));
        assert_eq!(Rate::parse("12.5").unwrap().percent(), dec("12.5"));
        assert_eq!(Rate::parse("1,5").unwrap().percent(), dec("1.5"));
        assert_eq!(Rate::parse(" 1,5 % ").unwrap().percent(), dec("1.5"));
        assert_eq!(Rate::parse("12.50").unwrap(), Rate::parse("12.5").unwrap());
        assert_eq!(Rate::parse("100").unwrap(), Rate::HUNDRED);
        assert_eq!(Rate::parse("0").unwrap(), Rate::ZERO);
        assert_eq!(Rate::parse("0.000001").unwrap().percent(), dec("0.000001"));
        assert_eq!(Rate::parse("12.5").unwrap().fraction(), dec("0.125"));
        assert_eq!(Rate::parse("12.5").unwrap().to_string(), "12,5%");
        assert_eq!(String::from(Rate::parse("12,5").unwrap()), "12.5");
        for (bad, err) in [
            ("", MoneyError::RateFormat),
            ("%", MoneyError::RateFormat),
            ("abc", MoneyError::RateFormat),
            ("-1", MoneyError::RateFormat),
            ("1.2.3", MoneyError::RateFormat),
            ("1,2.3", MoneyError::RateFormat),
            (".5", MoneyError::RateFormat),
            ("5.", MoneyError::RateFormat),
            ("1e3", MoneyError::RateFormat),
            ("100.01", MoneyError::RateRange),
            ("101", MoneyError::RateRange),
            ("0.0000001", MoneyError::RateRange),
            ("99999999999999999999", MoneyError::RateRange),
            ("999999999999999999999", MoneyError::RateFormat),
        ] {
            assert_eq!(Rate::parse(bad), Err(err), "{bad:?}");
        }
        assert_eq!(Rate::from_percent(dec("-0.5")), Err(MoneyError::RateRange));
        assert_eq!(Rate::from_percent(dec("-0")), Ok(Rate::ZERO));
    }

    #[test]
    fn rate_of_an_amount_rounds_half_up() {
        // 1 % of 1.234.550 = 12.345,5 → 12.346.
        let one = Rate::parse("1").unwrap();
        assert_eq!(one.of(Rupiah::new(1_234_550)), Ok(Rupiah::new(12_346)));
        // 1 % of 1.234.549 = 12.345,49 → 12.345.
        assert_eq!(one.of(Rupiah::new(1_234_549)), Ok(Rupiah::new(12_345)));
        assert_eq!(Rate::HUNDRED.of(Rupiah::MAX), Ok(Rupiah::MAX));
    }

    #[test]
    fn rounding_is_half_up_away_from_zero() {
        for (d, want) in [
            ("0.5", 1),
            ("1.49", 1),
            ("1.5", 2),
            ("2.5", 3),
            ("-0.5", -1),
            ("-1.49", -1),
            ("-2.5", -3),
            ("0.4999999999", 0),
            ("123456.5", 123_457),
        ] {
            assert_eq!(round_half_up(dec(d)), Ok(Rupiah::new(want)), "{d}");
        }
        assert_eq!(round_half_up(Decimal::MAX), Err(MoneyError::Overflow));
        assert_eq!(
            round_half_up(Decimal::from(i64::MAX) + dec("0.5")),
            Err(MoneyError::Overflow)
        );
    }

    proptest! {
        #[test]
        fn display_parses_back(n in any::<i64>()) {
            let r = Rupiah::new(n);
            prop_assert_eq!(Rupiah::parse(&r.to_string()), Ok(r));
            prop_assert_eq!(Rupiah::parse(&n.to_string()), Ok(r));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Rupiah::parse(&s);
            let _ = Rate::parse(&s);
        }

        #[test]
        fn rounding_is_within_half_a_rupiah(units in -1_000_000_000_000i64..1_000_000_000_000, scale in 0u32..6) {
            let d = Decimal::new(units, scale);
            let r = round_half_up(d).unwrap();
            let diff = (r.to_decimal() - d).abs();
            prop_assert!(diff <= dec("0.5"));
        }
    }
}
