//! Double-entry bookkeeping: account kinds and their normal side, account codes,
//! journal lines, and the one way to make a postable entry. An entry is balanced by
//! construction: `JournalDraft::build` is the only way to get a [`BalancedEntry`], and
//! the store posts only `BalancedEntry` values, so an unbalanced entry cannot reach the
//! ledger. Entries are never edited; a correction is the [`BalancedEntry::reversal`] of
//! the wrong entry followed by the right one.

use super::rupiah::{MoneyError, PositiveAmount, Rupiah};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error(
        "account code must be 1 to 20 digits in groups separated by single dashes, e.g. 1-1100"
    )]
    AccountCode,
    #[error("unknown account kind (asset, liability, equity, revenue, expense)")]
    AccountKind,
    #[error("a journal line must have exactly one side, debit or credit, more than zero")]
    LineSides,
    #[error("journal line amount for {account} must be more than zero, got {amount}")]
    LineAmount { account: String, amount: Rupiah },
    #[error("a journal entry needs a description")]
    NoMemo,
    #[error("a journal entry needs at least two lines")]
    TooFewLines,
    #[error("journal entry does not balance: debit {debit}, credit {credit}")]
    Unbalanced { debit: Rupiah, credit: Rupiah },
    #[error("system account {purpose} ({code}) is missing from the chart of accounts")]
    SystemAccountMissing { purpose: &'static str, code: String },
    #[error("system account {purpose} ({code}) is a group heading; postings need a detail account")]
    SystemAccountIsGroup { purpose: &'static str, code: String },
    #[error("system account {purpose} ({code}) must be {expected}, not {found}")]
    SystemAccountKind {
        purpose: &'static str,
        code: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The five kinds of account of SAK EP's statements. Assets and expenses grow on the
/// debit side; liabilities, equity and revenue on the credit side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

/// A side of a journal line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Debit => Side::Credit,
            Side::Credit => Side::Debit,
        }
    }

    /// The balance of an account whose normal side is `self`, from its debit and credit
    /// totals: positive when the account holds its normal balance (cash on hand,
    /// savings owed to members), negative otherwise (an overdrawn bank account).
    pub fn balance(self, debits: Rupiah, credits: Rupiah) -> Result<Rupiah, MoneyError> {
        match self {
            Side::Debit => debits.checked_sub(credits),
            Side::Credit => credits.checked_sub(debits),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }
}

impl AccountKind {
    pub const ALL: [AccountKind; 5] = [
        AccountKind::Asset,
        AccountKind::Liability,
        AccountKind::Equity,
        AccountKind::Revenue,
        AccountKind::Expense,
    ];

    /// The side on which the account grows. A contra account (an allowance for loan
    /// losses under assets) has the opposite side; see `AccountSeed::normal_side`.
    pub fn normal_side(self) -> Side {
        match self {
            AccountKind::Asset | AccountKind::Expense => Side::Debit,
            AccountKind::Liability | AccountKind::Equity | AccountKind::Revenue => Side::Credit,
        }
    }

    /// Balance-sheet accounts carry their balance into the next year; revenue and
    /// expense are closed into SHU at year end.
    pub fn is_balance_sheet(self) -> bool {
        matches!(
            self,
            AccountKind::Asset | AccountKind::Liability | AccountKind::Equity
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Asset => "asset",
            AccountKind::Liability => "liability",
            AccountKind::Equity => "equity",
            AccountKind::Revenue => "revenue",
            AccountKind::Expense => "expense",
        }
    }

    /// Reads the English name or the Indonesian one (aset, liabilitas/kewajiban,
    /// ekuitas/modal, pendapatan, beban/biaya).
    pub fn parse(raw: &str) -> Result<AccountKind, LedgerError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "asset" | "aset" | "aktiva" => Ok(AccountKind::Asset),
            "liability" | "liabilitas" | "kewajiban" => Ok(AccountKind::Liability),
            "equity" | "ekuitas" | "modal" => Ok(AccountKind::Equity),
            "revenue" | "income" | "pendapatan" => Ok(AccountKind::Revenue),
            "expense" | "beban" | "biaya" => Ok(AccountKind::Expense),
            _ => Err(LedgerError::AccountKind),
        }
    }

    /// The Indonesian name, as the reports print it.
    pub fn name_id(self) -> &'static str {
        match self {
            AccountKind::Asset => "Aset",
            AccountKind::Liability => "Liabilitas",
            AccountKind::Equity => "Ekuitas",
            AccountKind::Revenue => "Pendapatan",
            AccountKind::Expense => "Beban",
        }
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account's code in the chart, e.g. `1-1100`: 1 to 20 characters of digits in
/// groups separated by single dashes. Codes sort as strings, which keeps a chart in
/// its printed order when every group has the same width.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountCode(String);

impl AccountCode {
    pub fn parse(raw: &str) -> Result<AccountCode, LedgerError> {
        let s = raw.trim();
        let ok = (1..=20).contains(&s.len())
            && s.bytes().all(|c| c.is_ascii_digit() || c == b'-')
            && s.split('-').all(|group| !group.is_empty());
        if ok {
            Ok(AccountCode(s.to_string()))
        } else {
            Err(LedgerError::AccountCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For the built-in chart, whose codes the tests check.
    pub(super) fn from_static(code: &'static str) -> AccountCode {
        debug_assert!(AccountCode::parse(code).is_ok(), "{code}");
        AccountCode(code.to_string())
    }
}

impl TryFrom<String> for AccountCode {
    type Error = LedgerError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AccountCode::parse(&s)
    }
}
impl From<AccountCode> for String {
    fn from(c: AccountCode) -> String {
        c.0
    }
}
impl fmt::Display for AccountCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One line of a journal entry: an account and an amount on exactly one side.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct JournalLine {
    account: AccountCode,
    debit: Rupiah,
    credit: Rupiah,
}

impl JournalLine {
    /// A line as stored (debit and credit columns): exactly one of them more than zero
    /// and the other zero. For reading lines back from the store.
    pub fn new(account: AccountCode, debit: Rupiah, credit: Rupiah) -> Result<Self, LedgerError> {
        let one_side =
            (debit.is_positive() && credit.is_zero()) || (credit.is_positive() && debit.is_zero());
        if one_side {
            Ok(JournalLine {
                account,
                debit,
                credit,
            })
        } else {
            Err(LedgerError::LineSides)
        }
    }

    pub fn debit_line(account: AccountCode, amount: PositiveAmount) -> JournalLine {
        JournalLine {
            account,
            debit: amount.get(),
            credit: Rupiah::ZERO,
        }
    }

    pub fn credit_line(account: AccountCode, amount: PositiveAmount) -> JournalLine {
        JournalLine {
            account,
            debit: Rupiah::ZERO,
            credit: amount.get(),
        }
    }

    pub fn account(&self) -> &AccountCode {
        &self.account
    }
    /// Zero on a credit line.
    pub fn debit(&self) -> Rupiah {
        self.debit
    }
    /// Zero on a debit line.
    pub fn credit(&self) -> Rupiah {
        self.credit
    }
    pub fn side(&self) -> Side {
        if self.debit.is_positive() {
            Side::Debit
        } else {
            Side::Credit
        }
    }
    /// The amount on the line's side, always more than zero.
    pub fn amount(&self) -> Rupiah {
        match self.side() {
            Side::Debit => self.debit,
            Side::Credit => self.credit,
        }
    }

    /// The same amount on the other side.
    pub fn mirrored(&self) -> JournalLine {
        JournalLine {
            account: self.account.clone(),
            debit: self.credit,
            credit: self.debit,
        }
    }
}

/// An entry being written. Add lines with [`debit`](Self::debit) and
/// [`credit`](Self::credit), then [`build`](Self::build) checks it:
///
/// ```
/// # use guyub_domain::money::{AccountCode, JournalDraft, Rupiah};
/// let cash = AccountCode::parse("1-1100").unwrap();
/// let sukarela = AccountCode::parse("2-1100").unwrap();
/// let entry = JournalDraft::new("Setoran sukarela A-000123")
///     .debit(&cash, Rupiah::new(50_000))
///     .credit(&sukarela, Rupiah::new(50_000))
///     .build()
///     .unwrap();
/// assert_eq!(entry.total(), Rupiah::new(50_000));
/// ```
///
/// A zero amount adds no line, so a caller can pass optional parts (a denda of Rp 0 on
/// a repayment) without branching; a negative amount makes `build` fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalDraft {
    memo: String,
    lines: Vec<JournalLine>,
    bad_amount: Option<(AccountCode, Rupiah)>,
}

impl JournalDraft {
    pub fn new(memo: impl Into<String>) -> JournalDraft {
        JournalDraft {
            memo: memo.into(),
            lines: Vec::new(),
            bad_amount: None,
        }
    }

    #[must_use]
    pub fn debit(self, account: &AccountCode, amount: Rupiah) -> JournalDraft {
        self.push(account, amount, Side::Debit)
    }

    #[must_use]
    pub fn credit(self, account: &AccountCode, amount: Rupiah) -> JournalDraft {
        self.push(account, amount, Side::Credit)
    }

    /// Adds a line already made, e.g. one read from the store.
    #[must_use]
    pub fn line(mut self, line: JournalLine) -> JournalDraft {
        self.lines.push(line);
        self
    }

    fn push(mut self, account: &AccountCode, amount: Rupiah, side: Side) -> JournalDraft {
        match PositiveAmount::new(amount) {
            Ok(positive) => self.lines.push(match side {
                Side::Debit => JournalLine::debit_line(account.clone(), positive),
                Side::Credit => JournalLine::credit_line(account.clone(), positive),
            }),
            Err(_) if amount.is_zero() => {}
            Err(_) => {
                self.bad_amount.get_or_insert((account.clone(), amount));
            }
        }
        self
    }

    /// The entry, when it has a description, at least two lines, no negative amount,
    /// and equal debit and credit totals (which are then more than zero).
    pub fn build(self) -> Result<BalancedEntry, LedgerError> {
        if let Some((account, amount)) = self.bad_amount {
            return Err(LedgerError::LineAmount {
                account: account.0,
                amount,
            });
        }
        let memo = self.memo.trim();
        if memo.is_empty() {
            return Err(LedgerError::NoMemo);
        }
        if self.lines.len() < 2 {
            return Err(LedgerError::TooFewLines);
        }
        let debit = Rupiah::sum(self.lines.iter().map(JournalLine::debit))?;
        let credit = Rupiah::sum(self.lines.iter().map(JournalLine::credit))?;
        if debit != credit {
            return Err(LedgerError::Unbalanced { debit, credit });
        }
        Ok(BalancedEntry {
            memo: memo.to_string(),
            total: debit,
            lines: self.lines,
        })
    }
}

/// A journal entry whose debits equal its credits, with at least two lines of which
/// each is more than zero. Only [`JournalDraft::build`] makes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct BalancedEntry {
    memo: String,
    total: Rupiah,
    lines: Vec<JournalLine>,
}

impl BalancedEntry {
    pub fn memo(&self) -> &str {
        &self.memo
    }

    pub fn lines(&self) -> &[JournalLine] {
        &self.lines
    }

    /// Total debit, which equals total credit.
    pub fn total(&self) -> Rupiah {
        self.total
    }

    /// The mirror entry that undoes this one: every line on the other side, memo
    /// `Pembalikan: <memo>`. Posting both leaves every account as it was, which is how
    /// an entry is corrected in an append-only ledger.
    pub fn reversal(&self) -> BalancedEntry {
        BalancedEntry {
            memo: format!("Pembalikan: {}", self.memo),
            total: self.total,
            lines: self.lines.iter().map(JournalLine::mirrored).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn code(s: &str) -> AccountCode {
        AccountCode::parse(s).unwrap()
    }
    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n)
    }

    #[test]
    fn account_codes() {
        for good in ["1", "1-1100", "4-1-100", "12345678901234567890", " 2-1100 "] {
            assert!(AccountCode::parse(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "-1",
            "1-",
            "1--1",
            "1.1100",
            "A-100",
            "1 100",
            "123456789012345678901",
        ] {
            assert_eq!(
                AccountCode::parse(bad),
                Err(LedgerError::AccountCode),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn kinds_and_normal_sides() {
        assert_eq!(AccountKind::Asset.normal_side(), Side::Debit);
        assert_eq!(AccountKind::Expense.normal_side(), Side::Debit);
        assert_eq!(AccountKind::Liability.normal_side(), Side::Credit);
        assert_eq!(AccountKind::Equity.normal_side(), Side::Credit);
        assert_eq!(AccountKind::Revenue.normal_side(), Side::Credit);
        for k in AccountKind::ALL {
            assert_eq!(AccountKind::parse(k.as_str()), Ok(k));
        }
        assert_eq!(AccountKind::parse("Kewajiban"), Ok(AccountKind::Liability));
        assert!(AccountKind::parse("x").is_err());
        assert!(AccountKind::Equity.is_balance_sheet());
        assert!(!AccountKind::Revenue.is_balance_sheet());
        assert_eq!(Side::Debit.balance(rp(100), rp(30)), Ok(rp(70)));
        assert_eq!(Side::Credit.balance(rp(100), rp(30)), Ok(rp(-70)));
    }

    #[test]
    fn lines_have_exactly_one_side() {
        let c = code("1-1100");
        assert!(JournalLine::new(c.clone(), rp(5), rp(0)).is_ok());
        assert!(JournalLine::new(c.clone(), rp(0), rp(5)).is_ok());
        for (d, k) in [(0, 0), (5, 5), (-5, 0), (0, -5), (5, -5)] {
            assert_eq!(
                JournalLine::new(c.clone(), rp(d), rp(k)),
                Err(LedgerError::LineSides),
                "{d} {k}"
            );
        }
        let l = JournalLine::new(c, rp(0), rp(7)).unwrap();
        assert_eq!((l.side(), l.amount()), (Side::Credit, rp(7)));
        assert_eq!(l.mirrored().side(), Side::Debit);
    }

    #[test]
    fn a_loan_repayment_balances() {
        // Rp 900.000 cash: 800.000 principal, 90.000 interest, 10.000 denda.
        let e = JournalDraft::new("Angsuran ke-3 pinjaman P-0001")
            .debit(&code("1-1100"), rp(900_000))
            .credit(&code("1-1300"), rp(800_000))
            .credit(&code("4-1100"), rp(90_000))
            .credit(&code("4-1400"), rp(10_000))
            .build()
            .unwrap();
        assert_eq!(e.total(), rp(900_000));
        assert_eq!(e.lines().len(), 4);
        assert_eq!(e.memo(), "Angsuran ke-3 pinjaman P-0001");
        let r = e.reversal();
        assert_eq!(r.memo(), "Pembalikan: Angsuran ke-3 pinjaman P-0001");
        assert_eq!(r.lines()[0].credit(), rp(900_000));
        assert_eq!(r.lines()[3].debit(), rp(10_000));
        assert_eq!(r.total(), e.total());
    }

    #[test]
    fn zero_parts_add_no_line() {
        let e = JournalDraft::new("Angsuran")
            .debit(&code("1-1100"), rp(100))
            .credit(&code("1-1300"), rp(100))
            .credit(&code("4-1400"), rp(0))
            .build()
            .unwrap();
        assert_eq!(e.lines().len(), 2);
    }

    #[test]
    fn unbalanced_or_malformed_drafts_are_refused() {
        let cash = code("1-1100");
        let sav = code("2-1100");
        assert_eq!(
            JournalDraft::new("x")
                .debit(&cash, rp(100))
                .credit(&sav, rp(99))
                .build(),
            Err(LedgerError::Unbalanced {
                debit: rp(100),
                credit: rp(99)
            })
        );
        assert_eq!(
            JournalDraft::new("  ")
                .debit(&cash, rp(1))
                .credit(&sav, rp(1))
                .build(),
            Err(LedgerError::NoMemo)
        );
        assert_eq!(
            JournalDraft::new("x").debit(&cash, rp(1)).build(),
            Err(LedgerError::TooFewLines)
        );
        assert_eq!(
            JournalDraft::new("x")
                .debit(&cash, rp(0))
                .credit(&sav, rp(0))
                .build(),
            Err(LedgerError::TooFewLines)
        );
        assert_eq!(
            JournalDraft::new("x")
                .debit(&cash, rp(-5))
                .credit(&sav, rp(-5))
                .build(),
            Err(LedgerError::LineAmount {
                account: "1-1100".into(),
                amount: rp(-5)
            })
        );
        assert_eq!(
            JournalDraft::new("x")
                .debit(&cash, Rupiah::MAX)
                .debit(&cash, rp(1))
                .credit(&sav, rp(1))
                .build(),
            Err(LedgerError::Money(MoneyError::Overflow))
        );
        // Lines read back from the store go through the same check.
        let e = JournalDraft::new("x")
            .line(JournalLine::new(cash.clone(), rp(3), rp(0)).unwrap())
            .line(JournalLine::new(sav.clone(), rp(0), rp(3)).unwrap())
            .build();
        assert!(e.is_ok());
    }

    /// Net debit minus credit per account over some entries.
    fn net(entries: &[&BalancedEntry]) -> BTreeMap<AccountCode, i128> {
        let mut m = BTreeMap::new();
        for e in entries {
            for l in e.lines() {
                *m.entry(l.account().clone()).or_insert(0i128) +=
                    i128::from(l.debit().get()) - i128::from(l.credit().get());
            }
        }
        m
    }

    fn draft_lines() -> impl Strategy<Value = Vec<(u8, bool, i64)>> {
        prop::collection::vec((0u8..6, any::<bool>(), -10i64..1_000_000_000), 0..8)
    }

    proptest! {
        /// Whatever lines are thrown at it, a draft either fails or builds an entry that
        /// balances, has at least two lines, and has only positive single-sided lines.
        #[test]
        fn any_built_entry_balances(lines in draft_lines(), memo in "[a-z ]{0,5}") {
            let mut d = JournalDraft::new(memo);
            for (acc, debit, amount) in &lines {
                let c = code(&format!("1-{acc}"));
                d = if *debit { d.debit(&c, rp(*amount)) } else { d.credit(&c, rp(*amount)) };
            }
            if let Ok(e) = d.build() {
                let debit: i128 = e.lines().iter().map(|l| i128::from(l.debit().get())).sum();
                let credit: i128 = e.lines().iter().map(|l| i128::from(l.credit().get())).sum();
                prop_assert_eq!(debit, credit);
                prop_assert!(debit > 0);
                prop_assert_eq!(i128::from(e.total().get()), debit);
                prop_assert!(e.lines().len() >= 2);
                prop_assert!(!e.memo().trim().is_empty());
                for l in e.lines() {
                    prop_assert!(l.amount().is_positive());
                    prop_assert!(l.debit().is_zero() != l.credit().is_zero());
                }
            }
        }

        /// A balanced entry made from random splits, then its reversal: every account
        /// nets to zero.
        #[test]
        fn reversal_nets_every_account_to_zero(
            debits in prop::collection::vec((0u8..6, 1i64..1_000_000_000), 1..6),
            credit_accounts in prop::collection::vec(0u8..6, 1..4),
        ) {
            let total: i64 = debits.iter().map(|(_, a)| a).sum();
            let mut d = JournalDraft::new("acak");
            for (acc, amount) in &debits {
                d = d.debit(&code(&format!("1-{acc}")), rp(*amount));
            }
            // Split the total over the credit accounts; the last takes the rest.
            let n = credit_accounts.len() as i64;
            let mut left = total;
            for (i, acc) in credit_accounts.iter().enumerate() {
                let part = if i as i64 == n - 1 { left } else { total / n };
                left -= part;
                d = d.credit(&code(&format!("2-{acc}")), rp(part));
            }
            let e = d.build().unwrap();
            let r = e.reversal();
            prop_assert_eq!(r.total(), e.total());
            prop_assert!(net(&[&e, &r]).values().all(|&v| v == 0));
            prop_assert_eq!(net(&[&e]).values().sum::<i128>(), 0);
            let twice = r.reversal();
            prop_assert_eq!(twice.lines(), e.lines());
        }
    }
}
