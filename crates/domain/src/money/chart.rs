//! The default chart of accounts a new cooperative starts with, and the system
//! accounts the services post to. The chart is SAK EP-shaped for a koperasi simpan
//! pinjam or serba usaha: revenue from members apart from revenue from non-members
//! (SAK EP and the SHU split both need it), simpanan pokok and wajib as equity or
//! liability by setting, and the SHU funds the RAT allocates. A cooperative edits its
//! chart afterwards; `docs/CHART_OF_ACCOUNTS.md` explains each account.

use super::ledger::{AccountCode, AccountKind, LedgerError, Side};
use serde::{Deserialize, Serialize};

/// Where simpanan pokok and wajib are booked. UU 25/1992 art. 41 counts them as the
/// cooperative's own capital (equity); many cooperatives and some auditors book them
/// as liabilities because a member who leaves takes them back. Either is allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapitalBooking {
    #[default]
    Equity,
    Liability,
}

/// One account of a seeded chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSeed {
    pub code: AccountCode,
    pub name_id: &'static str,
    pub name_en: &'static str,
    pub kind: AccountKind,
    /// The heading this account sums into.
    pub parent: Option<AccountCode>,
    /// A heading: it only sums its children and takes no postings.
    pub group: bool,
    /// A contra account: it sits under its kind but grows on the other side (the
    /// allowance for loan losses reduces loans receivable).
    pub contra: bool,
}

impl AccountSeed {
    /// The side on which this account's balance grows.
    pub fn normal_side(&self) -> Side {
        let side = self.kind.normal_side();
        if self.contra { side.opposite() } else { side }
    }
}

/// (code, Indonesian name, English name, kind, group, contra). Parents follow from the
/// codes' shape: `X-0000` headings are children of nothing, `X-Y000` of `X-0000`, and
/// a detail `X-YZZZ` of `X-Y000`.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    AccountKind,
    bool,
    bool,
);

const HEAD: bool = true;
const LEAF: bool = false;

#[rustfmt::skip]
fn rows(capital: CapitalBooking) -> Vec<Row> {
    use AccountKind::*;
    let mut rows: Vec<Row> = vec![
        ("1-0000", "Aset", "Assets", Asset, HEAD, false),
        ("1-1000", "Aset Lancar", "Current assets", Asset, HEAD, false),
        ("1-1100", "Kas", "Cash on hand", Asset, LEAF, false),
        ("1-1200", "Bank", "Bank accounts", Asset, LEAF, false),
        ("1-1250", "Dana dalam Penyelesaian", "Payments in transit (payment gateway, marketplace)", Asset, LEAF, false),
        ("1-1300", "Piutang Pinjaman Anggota", "Loans receivable from members", Asset, LEAF, false),
        ("1-1310", "Cadangan Kerugian Piutang", "Allowance for loan losses", Asset, LEAF, true),
        ("1-1400", "Piutang Usaha", "Trade receivables", Asset, LEAF, false),
        ("1-1500", "Persediaan Barang Dagang", "Merchandise inventory", Asset, LEAF, false),
        ("1-1600", "Biaya Dibayar di Muka", "Prepaid expenses", Asset, LEAF, false),
        ("1-2000", "Aset Tidak Lancar", "Non-current assets", Asset, HEAD, false),
        ("1-2100", "Penyertaan pada Koperasi Sekunder", "Investment in secondary cooperatives", Asset, LEAF, false),
        ("1-2200", "Aset Tetap", "Property and equipment", Asset, LEAF, false),
        ("1-2210", "Akumulasi Penyusutan Aset Tetap", "Accumulated depreciation", Asset, LEAF, true),
        ("2-0000", "Liabilitas", "Liabilities", Liability, HEAD, false),
        ("2-1000", "Liabilitas Jangka Pendek", "Current liabilities", Liability, HEAD, false),
        ("2-1100", "Simpanan Sukarela", "Voluntary savings (simpanan sukarela)", Liability, LEAF, false),
        ("2-1200", "Utang Usaha", "Trade payables", Liability, LEAF, false),
        ("2-1300", "Utang Konsinyasi UMKM", "Consignment payable to member-sellers", Liability, LEAF, false),
        ("2-1400", "Utang SHU Anggota", "SHU payable to members", Liability, LEAF, false),
        ("2-1410", "Dana Pengurus", "Board fund (from SHU)", Liability, LEAF, false),
        ("2-1420", "Dana Karyawan", "Staff fund (from SHU)", Liability, LEAF, false),
        ("2-1430", "Dana Pendidikan", "Education fund (from SHU)", Liability, LEAF, false),
        ("2-1440", "Dana Sosial", "Social fund (from SHU)", Liability, LEAF, false),
        ("2-1450", "Dana Pembangunan Daerah Kerja", "Local development fund (from SHU)", Liability, LEAF, false),
        ("2-1500", "Utang Pajak", "Taxes payable", Liability, LEAF, false),
        ("2-1600", "Biaya yang Masih Harus Dibayar", "Accrued expenses", Liability, LEAF, false),
        ("2-2000", "Liabilitas Jangka Panjang", "Non-current liabilities", Liability, HEAD, false),
    ];
    let capital_rows: [Row; 2] = match capital {
        CapitalBooking::Liability => [
            ("2-2100", "Simpanan Pokok", "Principal savings (simpanan pokok)", Liability, LEAF, false),
            ("2-2200", "Simpanan Wajib", "Mandatory savings (simpanan wajib)", Liability, LEAF, false),
        ],
        CapitalBooking::Equity => [
            ("3-1100", "Simpanan Pokok", "Principal savings (simpanan pokok)", Equity, LEAF, false),
            ("3-1200", "Simpanan Wajib", "Mandatory savings (simpanan wajib)", Equity, LEAF, false),
        ],
    };
    if capital == CapitalBooking::Liability {
        rows.extend(capital_rows);
    }
    rows.push(("2-2300", "Utang Bank dan Lembaga Keuangan", "Bank and other borrowings", Liability, LEAF, false));
    rows.push(("3-0000", "Ekuitas", "Equity", Equity, HEAD, false));
    rows.push(("3-1000", "Modal Sendiri", "Own capital", Equity, HEAD, false));
    if capital == CapitalBooking::Equity {
        rows.extend(capital_rows);
    }
    rows.extend([
        ("3-1300", "Cadangan", "Reserve (cadangan)", Equity, LEAF, false),
        ("3-1400", "Hibah", "Grants", Equity, LEAF, false),
        ("3-2000", "Sisa Hasil Usaha", "Surplus (SHU)", Equity, HEAD, false),
        ("3-2100", "SHU Tahun Berjalan", "SHU of the current year", Equity, LEAF, false),
        ("3-2200", "SHU Belum Dibagi", "SHU not yet distributed", Equity, LEAF, false),
        ("4-0000", "Pendapatan", "Revenue", Revenue, HEAD, false),
        ("4-1000", "Pendapatan dari Anggota", "Revenue from members", Revenue, HEAD, false),
        ("4-1100", "Pendapatan Jasa Pinjaman Anggota", "Loan interest from members", Revenue, LEAF, false),
        ("4-1200", "Pendapatan Provisi Pinjaman", "Loan provisi fees", Revenue, LEAF, false),
        ("4-1300", "Pendapatan Administrasi Pinjaman", "Loan administration fees", Revenue, LEAF, false),
        ("4-1400", "Pendapatan Denda", "Late penalties (denda)", Revenue, LEAF, false),
        ("4-1500", "Penjualan kepada Anggota", "Sales to members", Revenue, LEAF, false),
        ("4-1600", "Pendapatan Komisi Konsinyasi", "Consignment commission from member-sellers", Revenue, LEAF, false),
        ("4-2000", "Pendapatan dari Non-Anggota", "Revenue from non-members", Revenue, HEAD, false),
        ("4-2100", "Penjualan kepada Non-Anggota", "Sales to non-members", Revenue, LEAF, false),
        ("4-2200", "Pendapatan Lain dari Non-Anggota", "Other revenue from non-members", Revenue, LEAF, false),
        ("4-3000", "Pendapatan di Luar Usaha", "Non-operating income", Revenue, HEAD, false),
        ("4-3100", "Pendapatan Jasa Giro dan Bunga Bank", "Bank interest", Revenue, LEAF, false),
        ("4-3200", "Pendapatan Lain-lain", "Miscellaneous income", Revenue, LEAF, false),
        ("5-0000", "Beban", "Expenses", Expense, HEAD, false),
        ("5-1000", "Beban Pokok Penjualan", "Cost of goods sold", Expense, HEAD, false),
        ("5-1100", "HPP Penjualan kepada Anggota", "Cost of sales to members", Expense, LEAF, false),
        ("5-1200", "HPP Penjualan kepada Non-Anggota", "Cost of sales to non-members", Expense, LEAF, false),
        ("5-2000", "Beban Usaha Simpan Pinjam", "Savings and loan expenses", Expense, HEAD, false),
        ("5-2100", "Beban Jasa Simpanan", "Interest on savings (jasa simpanan)", Expense, LEAF, false),
        ("5-2200", "Beban Penyisihan Kerugian Piutang", "Loan loss provision", Expense, LEAF, false),
        ("5-3000", "Beban Operasional", "Operating expenses", Expense, HEAD, false),
        ("5-3100", "Beban Gaji dan Tunjangan", "Salaries and benefits", Expense, LEAF, false),
        ("5-3200", "Beban Kantor", "Office expenses", Expense, LEAF, false),
        ("5-3300", "Beban Penyusutan", "Depreciation", Expense, LEAF, false),
        ("5-3400", "Beban Layanan Pembayaran dan Marketplace", "Payment gateway and marketplace fees", Expense, LEAF, false),
        ("5-3500", "Beban Rapat Anggota Tahunan", "Annual meeting (RAT) expenses", Expense, LEAF, false),
        ("5-3900", "Beban Operasional Lain-lain", "Other operating expenses", Expense, LEAF, false),
        ("5-4000", "Beban Lain-lain", "Other expenses", Expense, HEAD, false),
        ("5-4100", "Beban Administrasi Bank", "Bank charges", Expense, LEAF, false),
        ("5-4200", "Beban Pajak Penghasilan", "Income tax", Expense, LEAF, false),
    ]);
    rows
}

/// The parent heading of a four-digit code: `1-1300` → `1-1000`, `1-1000` → `1-0000`,
/// `1-0000` → none.
fn parent_of(code: &str) -> Option<String> {
    let (head, tail) = code.split_once('-')?;
    let b = tail.as_bytes();
    if b.len() != 4 || tail == "0000" {
        return None;
    }
    if b[1..] == *b"000" {
        Some(format!("{head}-0000"))
    } else {
        Some(format!("{head}-{}000", b[0] as char))
    }
}

/// The default chart, headings before their children, in code order.
pub fn default_chart_of_accounts(capital: CapitalBooking) -> Vec<AccountSeed> {
    let mut seeds: Vec<AccountSeed> = rows(capital)
        .into_iter()
        .map(
            |(code, name_id, name_en, kind, group, contra)| AccountSeed {
                code: AccountCode::from_static(code),
                name_id,
                name_en,
                kind,
                parent: parent_of(code).and_then(|p| AccountCode::parse(&p).ok()),
                group,
                contra,
            },
        )
        .collect();
    seeds.sort_by(|a, b| a.code.cmp(&b.code));
    seeds
}

/// What an account is for, as far as the services are concerned: each purpose maps
/// to one detail account of the cooperative's chart. Stored per cooperative (as JSON)
/// so that a cooperative that renumbers its chart keeps the services posting to the
/// right place. [`SystemAccounts::check`] checks a mapping against a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemAccounts {
    pub cash: AccountCode,
    pub bank: AccountCode,
    pub payments_in_transit: AccountCode,
    pub loans_receivable: AccountCode,
    pub loan_loss_allowance: AccountCode,
    pub inventory: AccountCode,
    pub savings_sukarela: AccountCode,
    pub consignment_payable: AccountCode,
    pub shu_payable: AccountCode,
    pub fund_pengurus: AccountCode,
    pub fund_karyawan: AccountCode,
    pub fund_pendidikan: AccountCode,
    pub fund_sosial: AccountCode,
    pub fund_pembangunan_daerah: AccountCode,
    pub savings_pokok: AccountCode,
    pub savings_wajib: AccountCode,
    pub reserve: AccountCode,
    pub shu_current_year: AccountCode,
    pub shu_undistributed: AccountCode,
    pub interest_income_member: AccountCode,
    pub provisi_income: AccountCode,
    pub admin_income: AccountCode,
    pub penalty_income: AccountCode,
    pub sales_member: AccountCode,
    pub consignment_commission: AccountCode,
    pub sales_non_member: AccountCode,
    pub cogs_member: AccountCode,
    pub cogs_non_member: AccountCode,
    pub savings_interest_expense: AccountCode,
    pub loan_loss_expense: AccountCode,
    pub payment_fee_expense: AccountCode,
}

/// Which kinds an account for a purpose may have.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Is(AccountKind),
    /// Simpanan pokok and wajib: equity or liability (`CapitalBooking`).
    Capital,
}

impl SystemAccounts {
    /// The mapping onto [`default_chart_of_accounts`] with the same booking.
    pub fn default_for(capital: CapitalBooking) -> SystemAccounts {
        let c = AccountCode::from_static;
        let (pokok, wajib) = match capital {
            CapitalBooking::Equity => ("3-1100", "3-1200"),
            CapitalBooking::Liability => ("2-2100", "2-2200"),
        };
        SystemAccounts {
            cash: c("1-1100"),
            bank: c("1-1200"),
            payments_in_transit: c("1-1250"),
            loans_receivable: c("1-1300"),
            loan_loss_allowance: c("1-1310"),
            inventory: c("1-1500"),
            savings_sukarela: c("2-1100"),
            consignment_payable: c("2-1300"),
            shu_payable: c("2-1400"),
            fund_pengurus: c("2-1410"),
            fund_karyawan: c("2-1420"),
            fund_pendidikan: c("2-1430"),
            fund_sosial: c("2-1440"),
            fund_pembangunan_daerah: c("2-1450"),
            savings_pokok: c(pokok),
            savings_wajib: c(wajib),
            reserve: c("3-1300"),
            shu_current_year: c("3-2100"),
            shu_undistributed: c("3-2200"),
            interest_income_member: c("4-1100"),
            provisi_income: c("4-1200"),
            admin_income: c("4-1300"),
            penalty_income: c("4-1400"),
            sales_member: c("4-1500"),
            consignment_commission: c("4-1600"),
            sales_non_member: c("4-2100"),
            cogs_member: c("5-1100"),
            cogs_non_member: c("5-1200"),
            savings_interest_expense: c("5-2100"),
            loan_loss_expense: c("5-2200"),
            payment_fee_expense: c("5-3400"),
        }
    }

    /// Every purpose with its account, e.g. `("cash", 1-1100)`.
    pub fn purposes(&self) -> Vec<(&'static str, &AccountCode)> {
        self.expectations()
            .into_iter()
            .map(|(p, code, _)| (p, code))
            .collect()
    }

    fn expectations(&self) -> Vec<(&'static str, &AccountCode, Expect)> {
        use AccountKind::*;
        use Expect::*;
        vec![
            ("cash", &self.cash, Is(Asset)),
            ("bank", &self.bank, Is(Asset)),
            ("payments_in_transit", &self.payments_in_transit, Is(Asset)),
            ("loans_receivable", &self.loans_receivable, Is(Asset)),
            ("loan_loss_allowance", &self.loan_loss_allowance, Is(Asset)),
            ("inventory", &self.inventory, Is(Asset)),
            ("savings_sukarela", &self.savings_sukarela, Is(Liability)),
            (
                "consignment_payable",
                &self.consignment_payable,
                Is(Liability),
            ),
            ("shu_payable", &self.shu_payable, Is(Liability)),
            ("fund_pengurus", &self.fund_pengurus, Is(Liability)),
            ("fund_karyawan", &self.fund_karyawan, Is(Liability)),
            ("fund_pendidikan", &self.fund_pendidikan, Is(Liability)),
            ("fund_sosial", &self.fund_sosial, Is(Liability)),
            (
                "fund_pembangunan_daerah",
                &self.fund_pembangunan_daerah,
                Is(Liability),
            ),
            ("savings_pokok", &self.savings_pokok, Capital),
            ("savings_wajib", &self.savings_wajib, Capital),
            ("reserve", &self.reserve, Is(Equity)),
            ("shu_current_year", &self.shu_current_year, Is(Equity)),
            ("shu_undistributed", &self.shu_undistributed, Is(Equity)),
            (
                "interest_income_member",
                &self.interest_income_member,
                Is(Revenue),
            ),
            ("provisi_income", &self.provisi_income, Is(Revenue)),
            ("admin_income", &self.admin_income, Is(Revenue)),
            ("penalty_income", &self.penalty_income, Is(Revenue)),
            ("sales_member", &self.sales_member, Is(Revenue)),
            (
                "consignment_commission",
                &self.consignment_commission,
                Is(Revenue),
            ),
            ("sales_non_member", &self.sales_non_member, Is(Revenue)),
            ("cogs_member", &self.cogs_member, Is(Expense)),
            ("cogs_non_member", &self.cogs_non_member, Is(Expense)),
            (
                "savings_interest_expense",
                &self.savings_interest_expense,
                Is(Expense),
            ),
            ("loan_loss_expense", &self.loan_loss_expense, Is(Expense)),
            (
                "payment_fee_expense",
                &self.payment_fee_expense,
                Is(Expense),
            ),
        ]
    }

    /// Checks the mapping against a cooperative's chart: every account exists, is a
    /// detail account (not a heading) and has a kind that fits its purpose. `lookup`
    /// gives an account's kind and whether it is a heading.
    pub fn check(
        &self,
        lookup: impl Fn(&AccountCode) -> Option<(AccountKind, bool)>,
    ) -> Result<(), LedgerError> {
        for (purpose, code, expect) in self.expectations() {
            let Some((kind, group)) = lookup(code) else {
                return Err(LedgerError::SystemAccountMissing {
                    purpose,
                    code: code.to_string(),
                });
            };
            if group {
                return Err(LedgerError::SystemAccountIsGroup {
                    purpose,
                    code: code.to_string(),
                });
            }
            let (fits, expected) = match expect {
                Expect::Is(k) => (kind == k, k.as_str()),
                Expect::Capital => (
                    matches!(kind, AccountKind::Equity | AccountKind::Liability),
                    "equity or liability",
                ),
            };
            if !fits {
                return Err(LedgerError::SystemAccountKind {
                    purpose,
                    code: code.to_string(),
                    expected,
                    found: kind.as_str(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn lookup(chart: &[AccountSeed]) -> HashMap<AccountCode, (AccountKind, bool)> {
        chart
            .iter()
            .map(|a| (a.code.clone(), (a.kind, a.group)))
            .collect()
    }

    #[test]
    fn the_default_chart_is_a_well_formed_tree() {
        for capital in [CapitalBooking::Equity, CapitalBooking::Liability] {
            let chart = default_chart_of_accounts(capital);
            let by_code = lookup(&chart);
            for a in &chart {
                assert_eq!(AccountCode::parse(a.code.as_str()).as_ref(), Ok(&a.code));
            }
            assert_eq!(by_code.len(), chart.len(), "codes are unique");
            let mut seen = HashSet::new();
            for a in &chart {
                match &a.parent {
                    None => assert!(a.group && a.code.as_str().ends_with("-0000"), "{}", a.code),
                    Some(p) => {
                        // Parents come first, are headings, and share the kind.
                        assert!(seen.contains(p), "{} before its parent {p}", a.code);
                        assert_eq!(by_code[p], (a.kind, true), "{}", a.code);
                    }
                }
                assert!(!a.name_id.is_empty() && !a.name_en.is_empty());
                // Reports and pickers show names: no two accounts share one.
                assert_eq!(
                    chart.iter().filter(|b| b.name_id == a.name_id).count(),
                    1,
                    "{}",
                    a.name_id
                );
                seen.insert(a.code.clone());
            }
            // Every heading has a child; every kind has a root.
            for a in chart.iter().filter(|a| a.group) {
                assert!(
                    chart.iter().any(|c| c.parent.as_ref() == Some(&a.code)),
                    "{}",
                    a.code
                );
            }
            for k in AccountKind::ALL {
                assert!(chart.iter().any(|a| a.kind == k && a.parent.is_none()));
            }
        }
    }

    #[test]
    fn capital_booking_moves_pokok_and_wajib() {
        let find = |capital, name: &str| {
            default_chart_of_accounts(capital)
                .into_iter()
                .find(|a| a.name_id == name)
                .unwrap()
        };
        for name in ["Simpanan Pokok", "Simpanan Wajib"] {
            assert_eq!(find(CapitalBooking::Equity, name).kind, AccountKind::Equity);
            assert_eq!(
                find(CapitalBooking::Liability, name).kind,
                AccountKind::Liability
            );
        }
        // Sukarela is a liability either way.
        assert_eq!(
            find(CapitalBooking::Equity, "Simpanan Sukarela").kind,
            AccountKind::Liability
        );
    }

    #[test]
    fn member_and_non_member_revenue_are_apart() {
        let chart = default_chart_of_accounts(CapitalBooking::Equity);
        let under = |parent: &str| -> Vec<&str> {
            chart
                .iter()
                .filter(|a| a.parent.as_ref().map(AccountCode::as_str) == Some(parent))
                .map(|a| a.name_id)
                .collect()
        };
        assert!(under("4-1000").contains(&"Penjualan kepada Anggota"));
        assert!(under("4-1000").contains(&"Pendapatan Jasa Pinjaman Anggota"));
        assert!(under("4-2000").contains(&"Penjualan kepada Non-Anggota"));
        assert!(!under("4-2000").contains(&"Penjualan kepada Anggota"));
    }

    #[test]
    fn contra_accounts_grow_on_the_other_side() {
        let chart = default_chart_of_accounts(CapitalBooking::Equity);
        let allowance = chart.iter().find(|a| a.code.as_str() == "1-1310").unwrap();
        assert!(allowance.contra);
        assert_eq!(allowance.normal_side(), Side::Credit);
        let cash = chart.iter().find(|a| a.code.as_str() == "1-1100").unwrap();
        assert_eq!(cash.normal_side(), Side::Debit);
    }

    #[test]
    fn default_system_accounts_fit_the_default_chart() {
        for capital in [CapitalBooking::Equity, CapitalBooking::Liability] {
            let chart = lookup(&default_chart_of_accounts(capital));
            let sys = SystemAccounts::default_for(capital);
            sys.check(|c| chart.get(c).copied()).unwrap();
            let purposes = sys.purposes();
            let codes: HashSet<_> = purposes.iter().map(|(_, c)| *c).collect();
            assert_eq!(codes.len(), purposes.len(), "one account per purpose");
        }
    }

    #[test]
    fn a_wrong_mapping_names_the_purpose() {
        let chart = lookup(&default_chart_of_accounts(CapitalBooking::Equity));
        let get = |c: &AccountCode| chart.get(c).copied();
        let mut sys = SystemAccounts::default_for(CapitalBooking::Equity);
        sys.cash = AccountCode::parse("1-1000").unwrap();
        assert!(matches!(
            sys.check(get),
            Err(LedgerError::SystemAccountIsGroup {
                purpose: "cash",
                ..
            })
        ));
        sys.cash = AccountCode::parse("2-1100").unwrap();
        assert!(matches!(
            sys.check(get),
            Err(LedgerError::SystemAccountKind {
                purpose: "cash",
                ..
            })
        ));
        sys.cash = AccountCode::parse("9-9999").unwrap();
        assert!(matches!(
            sys.check(get),
            Err(LedgerError::SystemAccountMissing {
                purpose: "cash",
                ..
            })
        ));
        // The equity mapping against a liability chart: pokok is missing there.
        let liab = lookup(&default_chart_of_accounts(CapitalBooking::Liability));
        assert!(matches!(
            SystemAccounts::default_for(CapitalBooking::Equity).check(|c| liab.get(c).copied()),
            Err(LedgerError::SystemAccountMissing {
                purpose: "savings_pokok",
                ..
            })
        ));
    }

    #[test]
    fn parents_follow_the_code_shape() {
        assert_eq!(parent_of("1-1300").as_deref(), Some("1-1000"));
        assert_eq!(parent_of("1-1000").as_deref(), Some("1-0000"));
        assert_eq!(parent_of("1-0000"), None);
        assert_eq!(parent_of("11"), None);
    }
}
