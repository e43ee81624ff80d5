//! Sisa Hasil Usaha (SHU): splitting a year's surplus from members into the pools the
//! RAT decides, and each member's jasa modal and jasa anggota.
//!
//! Surplus from non-members is not the members' to share: all of it goes to the
//! reserve (cadangan). The surplus from members is split by the allocation's
//! percentages. Then
//!
//! ```text
//! jasa anggota of a member = member's transactions / all members' transactions × jasa anggota pool
//! jasa modal of a member   = member's savings      / all members' savings      × jasa modal pool
//! ```
//!
//! Rounding: unlike everything else in `money`, SHU rounds *down*, because the shares
//! must never add up to more than the pool. Each pool but the reserve is floored to
//! whole rupiah and the reserve takes the remainder, so the pools add up exactly to the
//! surplus from members. Each member's share is floored, and what the flooring leaves
//! of the jasa modal and jasa anggota pools (under one rupiah per member), plus any
//! pool nobody qualifies for (no member had a transaction, or no member has savings),
//! goes to the reserve too. So `Σ shares + undistributed = pool`, exactly, and
//! `reserve_total = cadangan pool + non-member surplus + undistributed`.
//!
//! Exact integer arithmetic (i128) does the per-member work: linear in the number of
//! members, no decimals in the loop, and no division by zero when a total is zero.

use super::rupiah::{MoneyError, Rate, Rupiah};
use crate::ids::MemberId;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShuError {
    #[error("SHU allocation percentages add up to {0}%, not 100%")]
    Sum(Decimal),
    #[error("the SHU allocation needs exactly one {0} pool")]
    PoolCount(ShuPoolKind),
    #[error("every SHU pool needs a name, and no two the same")]
    PoolName,
    #[error("a negative surplus is not shared; the RAT decides how a loss is covered")]
    NegativeSurplus,
    #[error("member {0} has negative savings or transactions")]
    NegativeBasis(MemberId),
    #[error("member {0} appears twice")]
    DuplicateMember(MemberId),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// What a pool is for. Three kinds are needed by the computation; every other pool
/// (pengurus, karyawan, pendidikan, sosial, pembangunan daerah kerja, …) is `Other`
/// and is simply set aside by its percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShuPoolKind {
    /// Dana cadangan, the reserve: takes rounding and everything undistributable.
    Cadangan,
    /// Shared by savings (simpanan pokok + wajib, as the cooperative counts capital).
    JasaModal,
    /// Shared by transactions with the cooperative (loan interest paid, purchases on
    /// every channel).
    JasaAnggota,
    Other,
}

impl fmt::Display for ShuPoolKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShuPoolKind::Cadangan => "cadangan",
            ShuPoolKind::JasaModal => "jasa modal",
            ShuPoolKind::JasaAnggota => "jasa anggota",
            ShuPoolKind::Other => "other",
        })
    }
}

/// One line of the RAT's decision: a named pool and its percentage of the surplus
/// from members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShuPoolShare {
    pub name: String,
    pub kind: ShuPoolKind,
    pub rate: Rate,
}

/// The RAT's allocation: percentages adding up to exactly 100, with exactly one
/// cadangan, one jasa modal and one jasa anggota pool (any of them may be 0 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<ShuPoolShare>", into = "Vec<ShuPoolShare>")]
pub struct ShuAllocation {
    pools: Vec<ShuPoolShare>,
}

impl ShuAllocation {
    pub fn new(pools: Vec<ShuPoolShare>) -> Result<ShuAllocation, ShuError> {
        let mut names = HashSet::new();
        for p in &pools {
            let name = p.name.trim().to_lowercase();
            if name.is_empty() || !names.insert(name) {
                return Err(ShuError::PoolName);
            }
        }
        for kind in [
            ShuPoolKind::Cadangan,
            ShuPoolKind::JasaModal,
            ShuPoolKind::JasaAnggota,
        ] {
            if pools.iter().filter(|p| p.kind == kind).count() != 1 {
                return Err(ShuError::PoolCount(kind));
            }
        }
        // At most 100 pools of at most 100 each: the sum cannot overflow.
        let total: Decimal = pools.iter().map(|p| p.rate.percent()).sum();
        if total != Decimal::ONE_HUNDRED {
            return Err(ShuError::Sum(total.normalize()));
        }
        Ok(ShuAllocation { pools })
    }

    /// A split often written into cooperatives' AD/ART, for a form's first values;
    /// the RAT decides the real one. Cadangan 40 %, jasa modal 20 %, jasa anggota 25 %,
    /// pengurus 5 %, karyawan 5 %, pendidikan 2,5 %, sosial 1,5 %, pembangunan daerah
    /// kerja 1 %.
    pub fn example() -> ShuAllocation {
        let p = |name: &str, kind, units: i64| ShuPoolShare {
            name: name.to_string(),
            kind,
            // Tenths of a percent, all within 0..=100.
            rate: Rate::from_percent(Decimal::new(units, 1)).unwrap_or(Rate::ZERO),
        };
        ShuAllocation {
            pools: vec![
                p("Cadangan", ShuPoolKind::Cadangan, 400),
                p("Jasa Modal", ShuPoolKind::JasaModal, 200),
                p("Jasa Anggota", ShuPoolKind::JasaAnggota, 250),
                p("Dana Pengurus", ShuPoolKind::Other, 50),
                p("Dana Karyawan", ShuPoolKind::Other, 50),
                p("Dana Pendidikan", ShuPoolKind::Other, 25),
                p("Dana Sosial", ShuPoolKind::Other, 15),
                p("Dana Pembangunan Daerah Kerja", ShuPoolKind::Other, 10),
            ],
        }
    }

    pub fn pools(&self) -> &[ShuPoolShare] {
        &self.pools
    }
}

impl TryFrom<Vec<ShuPoolShare>> for ShuAllocation {
    type Error = ShuError;
    fn try_from(pools: Vec<ShuPoolShare>) -> Result<Self, Self::Error> {
        ShuAllocation::new(pools)
    }
}
impl From<ShuAllocation> for Vec<ShuPoolShare> {
    fn from(a: ShuAllocation) -> Self {
        a.pools
    }
}

/// What one member brings to the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberShuBasis {
    pub member_id: MemberId,
    /// Savings that count as capital (the cooperative's setting: usually pokok +
    /// wajib at year end or averaged over the year).
    pub savings_capital: Rupiah,
    /// Transactions with the cooperative over the year, every channel counted.
    pub transactions: Rupiah,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShuInput {
    pub surplus_from_members: Rupiah,
    pub surplus_from_non_members: Rupiah,
    pub members: Vec<MemberShuBasis>,
}

/// A pool and its amount of the surplus from members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolAmount {
    pub name: String,
    pub kind: ShuPoolKind,
    pub rate: Rate,
    pub amount: Rupiah,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MemberShare {
    pub member_id: MemberId,
    pub jasa_modal: Rupiah,
    pub jasa_anggota: Rupiah,
    pub total: Rupiah,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShuResult {
    /// The surplus from members split by the allocation, in its order; adds up to the
    /// surplus from members exactly.
    pub pools: Vec<PoolAmount>,
    /// One share per member, in input order.
    pub per_member: Vec<MemberShare>,
    /// What the flooring (or a zero total) left of the jasa modal pool.
    pub jasa_modal_undistributed: Rupiah,
    /// What the flooring (or a zero total) left of the jasa anggota pool.
    pub jasa_anggota_undistributed: Rupiah,
    /// Cadangan pool + all surplus from non-members + both undistributed amounts.
    pub reserve_total: Rupiah,
}

impl ShuResult {
    /// The amount of the (single) pool of a kind; the sum of the `Other` pools.
    pub fn pool(&self, kind: ShuPoolKind) -> Rupiah {
        Rupiah::new(
            self.pools
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| p.amount.get())
                .sum(),
        )
    }
}

/// Floor of `pool × part / total`, exactly; 0 when the total is 0. All arguments are
/// non-negative and `part ≤ total`, so the result is at most `pool`.
fn floor_share(pool: i64, part: i64, total: i128) -> i64 {
    if total == 0 {
        return 0;
    }
    // pool × part < 2^126 fits an i128; the quotient is at most pool.
    (i128::from(pool) * i128::from(part) / total) as i64
}

/// The SHU of a year: pools, each member's share and what goes to the reserve.
pub fn compute_shu(allocation: &ShuAllocation, input: &ShuInput) -> Result<ShuResult, ShuError> {
    let surplus = input.surplus_from_members;
    if surplus.is_negative() || input.surplus_from_non_members.is_negative() {
        return Err(ShuError::NegativeSurplus);
    }

    // Pools: floor all but the cadangan, which takes the remainder.
    let mut pools: Vec<PoolAmount> = Vec::with_capacity(allocation.pools.len());
    let mut floored_sum = Rupiah::ZERO;
    for p in &allocation.pools {
        let amount = if p.kind == ShuPoolKind::Cadangan {
            Rupiah::ZERO
        } else {
            let exact = surplus
                .to_decimal()
                .checked_mul(p.rate.percent())
                .ok_or(MoneyError::Overflow)?
                / Decimal::ONE_HUNDRED;
            Rupiah::new(exact.floor().to_i64().ok_or(MoneyError::Overflow)?)
        };
        floored_sum = floored_sum.checked_add(amount)?;
        pools.push(PoolAmount {
            name: p.name.clone(),
            kind: p.kind,
            rate: p.rate,
            amount,
        });
    }
    let cadangan = surplus.checked_sub(floored_sum)?;
    for p in pools.iter_mut().filter(|p| p.kind == ShuPoolKind::Cadangan) {
        p.amount = cadangan;
    }
    let pool_of = |kind| {
        pools
            .iter()
            .find(|p| p.kind == kind)
            .map_or(Rupiah::ZERO, |p| p.amount)
    };
    let modal_pool = pool_of(ShuPoolKind::JasaModal);
    let anggota_pool = pool_of(ShuPoolKind::JasaAnggota);

    // Totals, with the checks, in one pass.
    let mut seen = HashSet::with_capacity(input.members.len());
    let (mut total_capital, mut total_transactions) = (0i128, 0i128);
    for m in &input.members {
        if m.savings_capital.is_negative() || m.transactions.is_negative() {
            return Err(ShuError::NegativeBasis(m.member_id));
        }
        if !seen.insert(m.member_id) {
            return Err(ShuError::DuplicateMember(m.member_id));
        }
        total_capital += i128::from(m.savings_capital.get());
        total_transactions += i128::from(m.transactions.get());
    }

    let (mut modal_paid, mut anggota_paid) = (0i64, 0i64);
    let per_member = input
        .members
        .iter()
        .map(|m| {
            let jasa_modal = floor_share(modal_pool.get(), m.savings_capital.get(), total_capital);
            let jasa_anggota =
                floor_share(anggota_pool.get(), m.transactions.get(), total_transactions);
            // Each running sum stays at or under its pool, and the two pools are parts
            // of one i64 surplus, so none of these additions can overflow.
            modal_paid += jasa_modal;
            anggota_paid += jasa_anggota;
            MemberShare {
                member_id: m.member_id,
                jasa_modal: Rupiah::new(jasa_modal),
                jasa_anggota: Rupiah::new(jasa_anggota),
                total: Rupiah::new(jasa_modal + jasa_anggota),
            }
        })
        .collect();

    let jasa_modal_undistributed = modal_pool.checked_sub(Rupiah::new(modal_paid))?;
    let jasa_anggota_undistributed = anggota_pool.checked_sub(Rupiah::new(anggota_paid))?;
    let reserve_total = Rupiah::sum([
        cadangan,
        input.surplus_from_non_members,
        jasa_modal_undistributed,
        jasa_anggota_undistributed,
    ])?;
    Ok(ShuResult {
        pools,
        per_member,
        jasa_modal_undistributed,
        jasa_anggota_undistributed,
        reserve_total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Instant;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n)
    }
    fn share(name: &str, kind: ShuPoolKind, pct: &str) -> ShuPoolShare {
        ShuPoolShare {
            name: name.into(),
            kind,
            rate: Rate::parse(pct).unwrap(),
        }
    }
    fn basis(id: i64, savings: i64, transactions: i64) -> MemberShuBasis {
        MemberShuBasis {
            member_id: MemberId(id),
            savings_capital: rp(savings),
            transactions: rp(transactions),
        }
    }

    #[test]
    fn allocation_must_be_whole() {
        assert!(ShuAllocation::example().pools().len() == 8);
        assert_eq!(
            ShuAllocation::new(ShuAllocation::example().pools().to_vec()),
            Ok(ShuAllocation::example())
        );
        let base = vec![
            share("Cadangan", ShuPoolKind::Cadangan, "50"),
            share("Jasa Modal", ShuPoolKind::JasaModal, "20"),
            share("Jasa Anggota", ShuPoolKind::JasaAnggota, "30"),
        ];
        assert!(ShuAllocation::new(base.clone()).is_ok());
        let mut short = base.clone();
        short[0].rate = Rate::parse("49,5").unwrap();
        assert_eq!(
            ShuAllocation::new(short),
            Err(ShuError::Sum(Decimal::new(995, 1)))
        );
        assert_eq!(
            ShuAllocation::new(base[1..].to_vec()),
            Err(ShuError::PoolCount(ShuPoolKind::Cadangan))
        );
        let mut twice = base.clone();
        twice.push(share("Jasa Modal 2", ShuPoolKind::JasaModal, "0"));
        assert_eq!(
            ShuAllocation::new(twice),
            Err(ShuError::PoolCount(ShuPoolKind::JasaModal))
        );
        let mut same_name = base.clone();
        same_name.push(share("cadangan ", ShuPoolKind::Other, "0"));
        assert_eq!(ShuAllocation::new(same_name), Err(ShuError::PoolName));
        let mut blank = base;
        blank.push(share(" ", ShuPoolKind::Other, "0"));
        assert_eq!(ShuAllocation::new(blank), Err(ShuError::PoolName));
    }

    #[test]
    fn worked_example() {
        // Surplus from members Rp 100.000.001, from non-members Rp 5.000.000.
        // Allocation: cadangan 40 %, jasa modal 20 %, jasa anggota 25 %, other 15 %
        // (the example split).
        // Pools: jasa modal ⌊20.000.000,2⌋ = 20.000.000; jasa anggota ⌊25.000.000,25⌋
        // = 25.000.000; pengurus ⌊5.000.000,05⌋ = 5.000.000; karyawan 5.000.000;
        // pendidikan ⌊2.500.000,025⌋ = 2.500.000; sosial ⌊1.500.000,015⌋ = 1.500.000;
        // pembangunan ⌊1.000.000,01⌋ = 1.000.000; cadangan takes the rest:
        // 100.000.001 − 60.000.000 = 40.000.001.
        // Members: A savings 1.000.000, transactions 3.000.000; B 2.000.000 and 0;
        // C 0 and 6.000.000. Capital 3.000.000, transactions 9.000.000.
        // A: modal 20.000.000 × 1/3 = 6.666.666,67 → 6.666.666;
        //    anggota 25.000.000 × 3/9 = 8.333.333,33 → 8.333.333.
        // B: modal 13.333.333,33 → 13.333.333; anggota 0.
        // C: modal 0; anggota 25.000.000 × 6/9 = 16.666.666,67 → 16.666.666.
        // Undistributed: modal 20.000.000 − 19.999.999 = 1; anggota 25.000.000 −
        // 24.999.999 = 1. Reserve: 40.000.001 + 5.000.000 + 1 + 1 = 45.000.003.
        let input = ShuInput {
            surplus_from_members: rp(100_000_001),
            surplus_from_non_members: rp(5_000_000),
            members: vec![
                basis(1, 1_000_000, 3_000_000),
                basis(2, 2_000_000, 0),
                basis(3, 0, 6_000_000),
            ],
        };
        let r = compute_shu(&ShuAllocation::example(), &input).unwrap();
        assert_eq!(r.pool(ShuPoolKind::JasaModal), rp(20_000_000));
        assert_eq!(r.pool(ShuPoolKind::JasaAnggota), rp(25_000_000));
        assert_eq!(r.pool(ShuPoolKind::Cadangan), rp(40_000_001));
        assert_eq!(r.pool(ShuPoolKind::Other), rp(15_000_000));
        let shares: Vec<(i64, i64, i64)> = r
            .per_member
            .iter()
            .map(|s| (s.jasa_modal.get(), s.jasa_anggota.get(), s.total.get()))
            .collect();
        assert_eq!(
            shares,
            [
                (6_666_666, 8_333_333, 14_999_999),
                (13_333_333, 0, 13_333_333),
                (0, 16_666_666, 16_666_666)
            ]
        );
        assert_eq!(r.jasa_modal_undistributed, rp(1));
        assert_eq!(r.jasa_anggota_undistributed, rp(1));
        assert_eq!(r.reserve_total, rp(45_000_003));
    }

    #[test]
    fn zero_totals_go_to_the_reserve() {
        // Nobody transacted and nobody has savings: both pools go to the reserve.
        let input = ShuInput {
            surplus_from_members: rp(1_000),
            surplus_from_non_members: rp(0),
            members: vec![basis(1, 0, 0)],
        };
        let r = compute_shu(&ShuAllocation::example(), &input).unwrap();
        assert_eq!(r.per_member[0].total, rp(0));
        assert_eq!(r.jasa_modal_undistributed, rp(200));
        assert_eq!(r.jasa_anggota_undistributed, rp(250));
        assert_eq!(r.reserve_total, rp(400 + 200 + 250));
        // No members at all, no surplus: nothing breaks.
        let empty = ShuInput {
            surplus_from_members: rp(0),
            surplus_from_non_members: rp(0),
            members: vec![],
        };
        let r = compute_shu(&ShuAllocation::example(), &empty).unwrap();
        assert_eq!(r.reserve_total, rp(0));
    }

    #[test]
    fn bad_input_is_refused() {
        let a = ShuAllocation::example();
        let mk = |s, n, members| ShuInput {
            surplus_from_members: rp(s),
            surplus_from_non_members: rp(n),
            members,
        };
        assert_eq!(
            compute_shu(&a, &mk(-1, 0, vec![])),
            Err(ShuError::NegativeSurplus)
        );
        assert_eq!(
            compute_shu(&a, &mk(1, -1, vec![])),
            Err(ShuError::NegativeSurplus)
        );
        assert_eq!(
            compute_shu(&a, &mk(1, 0, vec![basis(7, -1, 0)])),
            Err(ShuError::NegativeBasis(MemberId(7)))
        );
        assert_eq!(
            compute_shu(&a, &mk(1, 0, vec![basis(7, 1, 0), basis(7, 2, 0)])),
            Err(ShuError::DuplicateMember(MemberId(7)))
        );
        // Reserve beyond i64 is an error, not a wrap.
        assert_eq!(
            compute_shu(&a, &mk(i64::MAX, i64::MAX, vec![])),
            Err(ShuError::Money(MoneyError::Overflow))
        );
        // The largest surplus and bases compute exactly.
        let r = compute_shu(
            &a,
            &mk(
                i64::MAX,
                0,
                vec![basis(1, i64::MAX, i64::MAX), basis(2, i64::MAX, 1)],
            ),
        )
        .unwrap();
        assert!(r.per_member.iter().all(|s| !s.total.is_negative()));
    }

    #[test]
    fn a_hundred_thousand_members() {
        let members: Vec<MemberShuBasis> = (0..100_000)
            .map(|i| basis(i, 100_000 + i * 37 % 1_000_000, i * 7_919 % 5_000_000))
            .collect();
        let input = ShuInput {
            surplus_from_members: rp(2_345_678_901),
            surplus_from_non_members: rp(123_456_789),
            members,
        };
        let start = Instant::now();
        let r = compute_shu(&ShuAllocation::example(), &input).unwrap();
        // Linear work: well under a second even in a debug build.
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
        let modal: i64 = r.per_member.iter().map(|s| s.jasa_modal.get()).sum();
        assert_eq!(
            modal + r.jasa_modal_undistributed.get(),
            r.pool(ShuPoolKind::JasaModal).get()
        );
        assert!(r.jasa_modal_undistributed.get() < 100_000);
    }

    fn allocation() -> impl Strategy<Value = ShuAllocation> {
        // Three random cut points in tenths of a percent split 100 into four pools.
        (0u32..=1000, 0u32..=1000, 0u32..=1000).prop_map(|(a, b, c)| {
            let mut cuts = [a, b, c];
            cuts.sort_unstable();
            let parts = [
                cuts[0],
                cuts[1] - cuts[0],
                cuts[2] - cuts[1],
                1000 - cuts[2],
            ];
            let r = |u: u32| Rate::from_percent(Decimal::new(i64::from(u), 1)).unwrap();
            ShuAllocation::new(vec![
                ShuPoolShare {
                    name: "c".into(),
                    kind: ShuPoolKind::Cadangan,
                    rate: r(parts[0]),
                },
                ShuPoolShare {
                    name: "m".into(),
                    kind: ShuPoolKind::JasaModal,
                    rate: r(parts[1]),
                },
                ShuPoolShare {
                    name: "a".into(),
                    kind: ShuPoolKind::JasaAnggota,
                    rate: r(parts[2]),
                },
                ShuPoolShare {
                    name: "o".into(),
                    kind: ShuPoolKind::Other,
                    rate: r(parts[3]),
                },
            ])
            .unwrap()
        })
    }

    proptest! {
        /// Pools add up to the surplus; shares plus what is undistributed add up to
        /// each pool exactly; no share is negative or more than its exact value; the
        /// reserve is cadangan + non-member surplus + undistributed.
        #[test]
        fn shares_add_up_exactly(
            alloc in allocation(),
            surplus in 0i64..10_000_000_000_000,
            non_members in 0i64..1_000_000_000_000,
            bases in prop::collection::vec((0i64..1_000_000_000, 0i64..1_000_000_000), 0..40),
        ) {
            let members: Vec<MemberShuBasis> = bases
                .iter()
                .enumerate()
                .map(|(i, (s, t))| basis(i as i64, *s, *t))
                .collect();
            let input = ShuInput {
                surplus_from_members: rp(surplus),
                surplus_from_non_members: rp(non_members),
                members,
            };
            let r = compute_shu(&alloc, &input).unwrap();
            let pools: i64 = r.pools.iter().map(|p| p.amount.get()).sum();
            prop_assert_eq!(pools, surplus);
            prop_assert!(r.pools.iter().all(|p| !p.amount.is_negative()));
            let modal_pool = r.pool(ShuPoolKind::JasaModal).get();
            let anggota_pool = r.pool(ShuPoolKind::JasaAnggota).get();
            let modal: i64 = r.per_member.iter().map(|s| s.jasa_modal.get()).sum();
            let anggota: i64 = r.per_member.iter().map(|s| s.jasa_anggota.get()).sum();
            prop_assert_eq!(modal + r.jasa_modal_undistributed.get(), modal_pool);
            prop_assert_eq!(anggota + r.jasa_anggota_undistributed.get(), anggota_pool);
            prop_assert!(!r.jasa_modal_undistributed.is_negative());
            prop_assert!(!r.jasa_anggota_undistributed.is_negative());
            prop_assert_eq!(
                r.reserve_total.get(),
                r.pool(ShuPoolKind::Cadangan).get() + non_members
                    + r.jasa_modal_undistributed.get() + r.jasa_anggota_undistributed.get()
            );
            let total_s: i128 = bases.iter().map(|(s, _)| i128::from(*s)).sum();
            for (m, (s, _)) in r.per_member.iter().zip(&bases) {
                prop_assert!(!m.jasa_modal.is_negative() && !m.jasa_anggota.is_negative());
                prop_assert_eq!(m.total.get(), m.jasa_modal.get() + m.jasa_anggota.get());
                if total_s > 0 {
                    // Floor: within one rupiah under the exact share.
                    let exact_num = i128::from(modal_pool) * i128::from(*s);
                    let got = i128::from(m.jasa_modal.get()) * total_s;
                    prop_assert!(got <= exact_num && exact_num - got < total_s);
                }
            }
        }
    }
}
