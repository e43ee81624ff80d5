//! The member registry's values: NIK, phone numbers, gender, birth dates, the status
//! lifecycle and member numbers. Each is parsed once at the edge and cannot be wrong
//! afterwards.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    #[error("NIK must be exactly 16 digits")]
    NikFormat,
    #[error("NIK province code {0} does not exist")]
    NikProvince(String),
    #[error("NIK regency code must not be 00")]
    NikRegency,
    #[error("NIK district code must not be 00")]
    NikDistrict,
    #[error("NIK birth date {0} is not a date")]
    NikBirthDate(String),
    #[error("NIK serial number must not be 0000")]
    NikSerial,
    #[error("NIK says born {nik}, but the birth date is {recorded}")]
    NikBirthMismatch { nik: String, recorded: String },
    #[error("NIK says {nik}, but the gender is {recorded}")]
    NikGenderMismatch {
        nik: &'static str,
        recorded: &'static str,
    },
    #[error("not a phone number: use 08…, 628… or +62 8…, 8 to 15 digits")]
    Phone,
    #[error("gender must be L (laki-laki) or P (perempuan)")]
    Gender,
    #[error("birth date must be YYYY-MM-DD")]
    Date,
    #[error("unknown member status (calon_anggota, anggota, keluar, meninggal)")]
    Status,
    #[error("a member cannot go from {from} to {to}")]
    Transition {
        from: &'static str,
        to: &'static str,
    },
    #[error(
        "member number format must contain one run of 3 to 12 '0' or '#' characters for the number, e.g. KGR-000000"
    )]
    NumberFormat,
}

/// Indonesian province codes (Kemendagri), the first two digits of a NIK.
const PROVINCES: &[u8] = &[
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    /// Laki-laki.
    #[serde(rename = "L")]
    Male,
    /// Perempuan.
    #[serde(rename = "P")]
    Female,
}

impl Gender {
    pub fn parse(raw: &str) -> Result<Gender, MemberError> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "L" | "M" | "LAKI-LAKI" | "LAKI" | "MALE" => Ok(Gender::Male),
            "P" | "F" | "W" | "PEREMPUAN" | "WANITA" | "FEMALE" => Ok(Gender::Female),
            _ => Err(MemberError::Gender),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "L",
            Gender::Female => "P",
        }
    }
    fn word(self) -> &'static str {
        match self {
            Gender::Male => "laki-laki",
            Gender::Female => "perempuan",
        }
    }
}

/// A calendar date without time zone, as written on a KTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// `YYYY-MM-DD` (also accepts `DD-MM-YYYY` and `DD/MM/YYYY`, common in spreadsheets).
    pub fn parse(raw: &str) -> Result<Date, MemberError> {
        let raw = raw.trim();
        let parts: Vec<&str> = raw.split(['-', '/']).collect();
        let [a, b, c] = parts.as_slice() else {
            return Err(MemberError::Date);
        };
        let num = |s: &str| -> Result<i32, MemberError> {
            if s.is_empty() || s.len() > 4 || !s.bytes().all(|c| c.is_ascii_digit()) {
                return Err(MemberError::Date);
            }
            s.parse().map_err(|_| MemberError::Date)
        };
        let (y, m, d) = if a.len() == 4 {
            (num(a)?, num(b)?, num(c)?)
        } else if c.len() == 4 {
            (num(c)?, num(b)?, num(a)?)
        } else {
            return Err(MemberError::Date);
        };
        if !(1900..=2200).contains(&y) {
            return Err(MemberError::Date);
        }
        // Out-of-range parts must not wrap into a real date (262 as u8 is 6).
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return Err(MemberError::Date);
        }
        Date::new(y, m as u8, d as u8).ok_or(MemberError::Date)
    }

    /// Days in this date's month (28 to 31).
    pub fn days_in_month(self) -> u8 {
        days_in_month(self.year, self.month)
    }

    /// The same day `n` months later, clamped to the end of a shorter month: 31 January
    /// plus one month is 28 (or 29) February. Loan due dates count from one anchor, so
    /// `d.add_months(2)` of 31 January is 31 March, not 28 March. `None` past year
    /// `i32::MAX`.
    pub fn add_months(self, n: u32) -> Option<Date> {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(n);
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = (index.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        Date::new(year, month, day)
    }

    /// Days since 1970-01-01 (negative before it), in the proleptic Gregorian calendar.
    /// Differences of day numbers count days between dates (days past due, days a
    /// balance was held).
    pub fn day_number(self) -> i64 {
        // Howard Hinnant's days_from_civil: a year that starts in March puts the leap
        // day last, so each month's offset is a fixed formula.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date as the number `YYYYMMDD`, as the ledger stores it (ordered like dates).
    pub fn as_number(self) -> i64 {
        i64::from(self.year) * 10_000 + i64::from(self.month) * 100 + i64::from(self.day)
    }

    /// The date of a `YYYYMMDD` number; `None` when it is no date.
    pub fn from_number(n: i64) -> Option<Date> {
        let year = i32::try_from(n / 10_000).ok()?;
        Date::new(
            year,
            u8::try_from(n / 100 % 100).ok()?,
            u8::try_from(n % 100).ok()?,
        )
    }

    /// Days from `self` to `later`; negative when `later` is earlier.
    pub fn days_until(self, later: Date) -> i64 {
        later.day_number() - self.day_number()
    }

    /// The date as written in Indonesian letters to members: `10 Februari 2025`.
    pub fn long_id(self) -> String {
        let month = BULAN[usize::from(self.month.clamp(1, 12) - 1)];
        format!("{} {month} {}", self.day, self.year)
    }
}

/// The months' names in Bahasa Indonesia, January first.
pub const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
impl TryFrom<String> for Date {
    type Error = MemberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Date::parse(&s)
    }
}
impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

/// Nomor Induk Kependudukan: 16 digits — province (2), regency (2), district (2), birth
/// date DDMMYY with 40 added to the day for women, serial (4).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nik(String);

impl Nik {
    /// Checks the structure alone (codes, a real date, serial).
    pub fn parse(raw: &str) -> Result<Nik, MemberError> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if s.len() != 16 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(MemberError::NikFormat);
        }
        let d = |i: usize| -> u8 { (s.as_bytes()[i] - b'0') * 10 + (s.as_bytes()[i + 1] - b'0') };
        let province = d(0);
        if !PROVINCES.contains(&province) {
            return Err(MemberError::NikProvince(s[0..2].to_string()));
        }
        if d(2) == 0 {
            return Err(MemberError::NikRegency);
        }
        if d(4) == 0 {
            return Err(MemberError::NikDistrict);
        }
        let nik = Nik(s);
        let (day, month, yy) = nik.date_parts();
        // The year's century is unknown here; a date valid in a leap year passes and the
        // full check happens against the recorded birth date.
        if Date::new(2000 + yy as i32, month, day).is_none() {
            return Err(MemberError::NikBirthDate(nik.0[6..12].to_string()));
        }
        if &nik.0[12..16] == "0000" {
            return Err(MemberError::NikSerial);
        }
        Ok(nik)
    }

    /// Checks the NIK against the recorded birth date and gender, where they are known.
    pub fn check_against(
        &self,
        birth: Option<Date>,
        gender: Option<Gender>,
    ) -> Result<(), MemberError> {
        let (day, month, yy) = self.date_parts();
        if let Some(g) = gender
            && g != self.gender()
        {
            return Err(MemberError::NikGenderMismatch {
                nik: self.gender().word(),
                recorded: g.word(),
            });
        }
        if let Some(b) = birth
            && (b.day != day || b.month != month || (b.year % 100) as u8 != yy)
        {
            return Err(MemberError::NikBirthMismatch {
                nik: format!("{day:02}-{month:02}-{yy:02}"),
                recorded: b.to_string(),
            });
        }
        Ok(())
    }

    /// (day, month, two-digit year) of birth, with the +40 for women removed.
    fn date_parts(&self) -> (u8, u8, u8) {
        let b = self.0.as_bytes();
        let two = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
        let raw_day = two(6);
        let day = if raw_day > 40 { raw_day - 40 } else { raw_day };
        (day, two(8), two(10))
    }

    pub fn gender(&self) -> Gender {
        if self.0.as_bytes()[6] >= b'4' {
            Gender::Female
        } else {
            Gender::Male
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form staff without the right to see NIKs get: the region codes and the last
    /// two digits, e.g. `3201**********34`.
    pub fn masked(&self) -> String {
        mask_nik(&self.0)
    }
}

/// Masks a stored NIK string the same way as `Nik::masked`.
pub fn mask_nik(s: &str) -> String {
    if s.len() != 16 || !s.is_ascii() {
        return "*".repeat(s.chars().count());
    }
    format!("{}**********{}", &s[..4], &s[14..])
}

impl fmt::Debug for Nik {
    // Never print a full NIK in logs or panics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}
impl TryFrom<String> for Nik {
    type Error = MemberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Nik::parse(&s)
    }
}
impl From<Nik> for String {
    fn from(n: Nik) -> String {
        n.0
    }
}

/// A phone number in E.164 (`+6281234567890`). Indonesian habits are understood:
/// `0812…`, `62812…`, `+62 812-…` and `(0812) …` are one number. A number written with
/// `+` or `00` and another country code is kept as that country's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, MemberError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 40 {
            return Err(MemberError::Phone);
        }
        let mut digits = String::with_capacity(16);
        let mut plus = false;
        for (i, c) in raw.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => plus = true,
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                _ => return Err(MemberError::Phone),
            }
        }
        let international = if plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else if let Some(rest) = digits.strip_prefix('0') {
            format!("62{rest}")
        } else if digits.starts_with("62") {
            digits
        } else if digits.starts_with('8') {
            // A mobile number written without its leading 0, common in forms.
            format!("62{digits}")
        } else {
            return Err(MemberError::Phone);
        };
        if let Some(national) = international.strip_prefix("62") {
            // Indonesian numbers: no trunk 0 after the country code, 8 to 13 digits.
            if national.starts_with('0') || !(8..=13).contains(&national.len()) {
                return Err(MemberError::Phone);
            }
        }
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(MemberError::Phone);
        }
        Ok(Phone(format!("+{international}")))
    }

    /// E.164 with the `+`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// E.164 without the `+`, as WhatsApp writes a wa_id.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// For lists where the whole number need not be seen: `+62812****7890`.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks a stored phone string: keeps the first six and the last four characters.
pub fn mask_phone(s: &str) -> String {
    let n = s.chars().count();
    if n <= 10 {
        return s.to_string();
    }
    let head: String = s.chars().take(6).collect();
    let tail: String = s.chars().skip(n - 4).collect();
    format!("{head}{}{tail}", "*".repeat(n - 10))
}

impl TryFrom<String> for Phone {
    type Error = MemberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s)
    }
}
impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}
impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a member stands: calon anggota (applied, pokok not yet paid) → anggota →
/// keluar (left) or meninggal (died). Leaving is final; a person who returns joins again
/// under a new record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    CalonAnggota,
    Anggota,
    Keluar,
    Meninggal,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 4] = [
        MemberStatus::CalonAnggota,
        MemberStatus::Anggota,
        MemberStatus::Keluar,
        MemberStatus::Meninggal,
    ];

    pub fn parse(raw: &str) -> Result<MemberStatus, MemberError> {
        match raw
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "calon_anggota" | "calon" => Ok(MemberStatus::CalonAnggota),
            "anggota" => Ok(MemberStatus::Anggota),
            "keluar" => Ok(MemberStatus::Keluar),
            "meninggal" => Ok(MemberStatus::Meninggal),
            _ => Err(MemberError::Status),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::CalonAnggota => "calon_anggota",
            MemberStatus::Anggota => "anggota",
            MemberStatus::Keluar => "keluar",
            MemberStatus::Meninggal => "meninggal",
        }
    }

    /// The lifecycle: forward only; a calon anggota may also withdraw (keluar).
    pub fn can_become(self, to: MemberStatus) -> Result<(), MemberError> {
        use MemberStatus::*;
        let ok = matches!(
            (self, to),
            (CalonAnggota, Anggota)
                | (CalonAnggota, Keluar)
                | (CalonAnggota, Meninggal)
                | (Anggota, Keluar)
                | (Anggota, Meninggal)
        );
        if ok {
            Ok(())
        } else {
            Err(MemberError::Transition {
                from: self.as_str(),
                to: to.as_str(),
            })
        }
    }
}

impl fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a cooperative writes member numbers: a prefix and suffix around one run of `0`
/// (zero-padded) or `#` (plain) characters, e.g. `KGR-000000` gives `KGR-000123`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberNoFormat {
    prefix: String,
    width: usize,
    padded: bool,
    suffix: String,
}

impl MemberNoFormat {
    pub const DEFAULT: &'static str = "A-000000";

    pub fn parse(raw: &str) -> Result<MemberNoFormat, MemberError> {
        let raw = raw.trim();
        let start = raw.find(['0', '#']).ok_or(MemberError::NumberFormat)?;
        let ch = raw.as_bytes()[start];
        let width = raw[start..].bytes().take_while(|&c| c == ch).count();
        let (prefix, suffix) = (&raw[..start], &raw[start + width..]);
        if !(3..=12).contains(&width)
            || suffix.contains(['0', '#'])
            || raw.len() > 40
            || !raw.chars().all(|c| c.is_ascii_graphic())
        {
            return Err(MemberError::NumberFormat);
        }
        Ok(MemberNoFormat {
            prefix: prefix.to_string(),
            width,
            padded: ch == b'0',
            suffix: suffix.to_string(),
        })
    }

    pub fn format(&self, n: i64) -> String {
        if self.padded {
            format!("{}{:0w$}{}", self.prefix, n, self.suffix, w = self.width)
        } else {
            format!("{}{}{}", self.prefix, n, self.suffix)
        }
    }

    /// The sequence number inside a member number of this format, if it is one.
    pub fn number_of(&self, no: &str) -> Option<i64> {
        let digits = no.strip_prefix(&self.prefix)?.strip_suffix(&self.suffix)?;
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if self.padded && digits.len() < self.width {
            return None;
        }
        digits.parse().ok()
    }

    /// The pattern as written (`KGR-000000`).
    pub fn pattern(&self) -> String {
        let c = if self.padded { "0" } else { "#" };
        format!("{}{}{}", self.prefix, c.repeat(self.width), self.suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_letters() {
        let d = Date::new(2025, 2, 10).unwrap();
        assert_eq!(d.long_id(), "10 Februari 2025");
        assert_eq!(
            Date::new(2026, 12, 31).unwrap().long_id(),
            "31 Desember 2026"
        );
        assert_eq!(Date::new(2026, 1, 1).unwrap().long_id(), "1 Januari 2026");
    }

    #[test]
    fn nik_structure() {
        // A woman born 12 March 1990 in Kota Bandung (32 73), district 05.
        let nik = Nik::parse("3273055203900001").unwrap();
        assert_eq!(nik.gender(), Gender::Female);
        nik.check_against(Date::new(1990, 3, 12), Some(Gender::Female))
            .unwrap();
        assert_eq!(nik.masked(), "3273**********01");
        assert_eq!(format!("{nik:?}"), "Nik(3273**********01)");
        // A man born 1 January 2001.
        let man = Nik::parse("3201010101010002").unwrap();
        assert_eq!(man.gender(), Gender::Male);
        man.check_against(Date::new(2001, 1, 1), Some(Gender::Male))
            .unwrap();
        assert_eq!(Nik::parse("3273 0552 0390 0001").unwrap(), nik);
    }

    #[test]
    fn nik_errors_name_the_part() {
        assert_eq!(Nik::parse("123"), Err(MemberError::NikFormat));
        assert_eq!(Nik::parse("327305520390000X"), Err(MemberError::NikFormat));
        assert_eq!(
            Nik::parse("9973055203900001"),
            Err(MemberError::NikProvince("99".into()))
        );
        assert_eq!(Nik::parse("3200055203900001"), Err(MemberError::NikRegency));
        assert_eq!(
            Nik::parse("3273005203900001"),
            Err(MemberError::NikDistrict)
        );
        assert_eq!(
            Nik::parse("3273053213900001"),
            Err(MemberError::NikBirthDate("321390".into()))
        );
        // 31 + 40 = 71 is a woman's 31st; 72 is no day at all.
        assert!(Nik::parse("3273057101900001").is_ok());
        assert!(Nik::parse("3273057201900001").is_err());
        assert_eq!(Nik::parse("3273055203900000"), Err(MemberError::NikSerial));
    }

    #[test]
    fn nik_must_agree_with_birth_date_and_gender() {
        let nik = Nik::parse("3273055203900001").unwrap();
        assert!(matches!(
            nik.check_against(Date::new(1990, 3, 13), None),
            Err(MemberError::NikBirthMismatch { .. })
        ));
        assert!(matches!(
            nik.check_against(Date::new(1991, 3, 12), None),
            Err(MemberError::NikBirthMismatch { .. })
        ));
        assert!(matches!(
            nik.check_against(None, Some(Gender::Male)),
            Err(MemberError::NikGenderMismatch { .. })
        ));
        nik.check_against(None, None).unwrap();
    }

    #[test]
    fn phones_in_every_indonesian_habit_are_one_number() {
        let want = "+6281234567890";
        for raw in [
            "081234567890",
            "6281234567890",
            "+62 812-3456-7890",
            "+62 (812) 3456 7890",
            "0062 812 3456 7890",
            "81234567890",
            "0812.3456.7890",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), want, "{raw}");
        }
        assert_eq!(
            Phone::parse("081234567890").unwrap().digits(),
            "6281234567890"
        );
        assert_eq!(
            Phone::parse("+6281234567890").unwrap().masked(),
            "+62812****7890"
        );
        // Landline in Jakarta.
        assert_eq!(
            Phone::parse("(021) 555-1234").unwrap().as_str(),
            "+62215551234"
        );
        // Another country stays that country.
        assert_eq!(
            Phone::parse("+60 12-345 6789").unwrap().as_str(),
            "+60123456789"
        );
        for bad in [
            "",
            "abc",
            "0812-ABCD",
            "+620812345678",
            "0812",
            "1234567",
            "+1",
            "08123456789012345",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("1990-03-12").unwrap(),
            Date::new(1990, 3, 12).unwrap()
        );
        assert_eq!(
            Date::parse("12/03/1990").unwrap(),
            Date::new(1990, 3, 12).unwrap()
        );
        assert_eq!(Date::parse("2000-02-29").unwrap().to_string(), "2000-02-29");
        for bad in [
            "1900-02-29",
            "2025-262-2",
            "2025-06-256",
            "2023-13-01",
            "1990-3",
            "x",
            "12-03-90",
            "1800-01-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn date_arithmetic() {
        let d = |y, m, dd| Date::new(y, m, dd).unwrap();
        assert_eq!(d(1970, 1, 1).day_number(), 0);
        assert_eq!(d(2000, 3, 1).day_number(), 11_017);
        assert_eq!(d(1969, 12, 31).day_number(), -1);
        assert_eq!(d(2024, 2, 28).days_until(d(2024, 3, 1)), 2);
        assert_eq!(d(2025, 2, 28).days_until(d(2025, 3, 1)), 1);
        assert_eq!(d(2025, 1, 1).days_until(d(2026, 1, 1)), 365);
        assert_eq!(d(2025, 3, 1).days_until(d(2025, 2, 1)), -28);
        assert_eq!(d(2025, 1, 31).add_months(1), Some(d(2025, 2, 28)));
        assert_eq!(d(2024, 1, 31).add_months(1), Some(d(2024, 2, 29)));
        assert_eq!(d(2025, 1, 31).add_months(2), Some(d(2025, 3, 31)));
        assert_eq!(d(2025, 11, 15).add_months(14), Some(d(2027, 1, 15)));
        assert_eq!(d(2025, 6, 15).add_months(0), Some(d(2025, 6, 15)));
        assert_eq!(d(i32::MAX, 12, 1).add_months(1), None);
        assert_eq!(d(2024, 2, 10).days_in_month(), 29);
        // Day numbers agree with counting one day at a time across four centuries.
        let mut n = d(1900, 1, 1).day_number();
        let mut day = d(1900, 1, 1);
        while day.year < 2300 {
            let next = if day.day < day.days_in_month() {
                d(day.year, day.month, day.day + 1)
            } else {
                d(day.year, day.month, 1).add_months(1).unwrap()
            };
            n += 1;
            assert_eq!(next.day_number(), n, "{next}");
            day = next;
        }
    }

    #[test]
    fn status_lifecycle_moves_forward_only() {
        use MemberStatus::*;
        assert!(CalonAnggota.can_become(Anggota).is_ok());
        assert!(Anggota.can_become(Keluar).is_ok());
        assert!(Anggota.can_become(Meninggal).is_ok());
        assert!(Keluar.can_become(Anggota).is_err());
        assert!(Meninggal.can_become(Keluar).is_err());
        assert!(Anggota.can_become(CalonAnggota).is_err());
        assert!(Anggota.can_become(Anggota).is_err());
        assert_eq!(MemberStatus::parse("Calon Anggota").unwrap(), CalonAnggota);
    }

    #[test]
    fn member_number_formats() {
        let f = MemberNoFormat::parse("KGR-000000").unwrap();
        assert_eq!(f.format(123), "KGR-000123");
        assert_eq!(f.pattern(), "KGR-000000");
        assert_eq!(f.number_of("KGR-000123"), Some(123));
        assert_eq!(f.number_of("KGR-12"), None);
        assert_eq!(f.number_of("ABC-000123"), None);
        assert_eq!(
            MemberNoFormat::parse("A/####/B").unwrap().format(7),
            "A/7/B"
        );
        for bad in ["KGR", "KGR-00", "KGR-000-000", "0000000000000", "K G-000"] {
            assert!(MemberNoFormat::parse(bad).is_err(), "{bad}");
        }
    }
}
