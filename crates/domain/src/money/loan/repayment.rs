//! How a payment on a loan is split, and what it costs to pay a loan off early.
//!
//! Order: denda first, then interest, then principal. Paying the cost of lateness and
//! the cooperative's income before principal is the usual cooperative and bank
//! practice, and it keeps a partial payment from leaving interest unpaid behind a
//! smaller principal. Across several unpaid instalments the oldest is settled first,
//! whole (its denda, interest, principal), before the next: closing the oldest
//! instalment stops its denda and improves collectibility soonest.

use super::LoanError;
use crate::member::Date;
use crate::money::rupiah::{PositiveAmount, Rupiah};
use serde::{Deserialize, Serialize};

/// What is owed and may be paid now, by part. None of it negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outstanding {
    pub denda: Rupiah,
    pub interest: Rupiah,
    pub principal: Rupiah,
}

impl Outstanding {
    pub fn total(&self) -> Result<Rupiah, LoanError> {
        if self.denda.is_negative() || self.interest.is_negative() || self.principal.is_negative() {
            return Err(LoanError::NegativeOutstanding);
        }
        Ok(Rupiah::sum([self.denda, self.interest, self.principal])?)
    }
}

/// The parts a payment settles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub denda: Rupiah,
    pub interest: Rupiah,
    pub principal: Rupiah,
}

impl Applied {
    /// Cannot overflow: the parts come out of one payment.
    pub fn total(&self) -> Rupiah {
        Rupiah::new(self.denda.get() + self.interest.get() + self.principal.get())
    }
}

/// What to do with a payment larger than what is outstanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overpayment {
    /// Refuse the payment (the teller takes the right amount instead).
    Refuse,
    /// Apply what is owed and hand the excess back as change.
    ReturnChange,
}

/// A payment split over one outstanding amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub applied: Applied,
    /// The excess handed back; zero unless [`Overpayment::ReturnChange`].
    pub change: Rupiah,
}

/// A payment split over several instalments, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllocationAcross {
    /// One entry per instalment given, in the same order; later ones may be zero.
    pub applied: Vec<Applied>,
    pub change: Rupiah,
}

/// Takes up to `left` from `owed`, reducing `left`.
fn take(left: &mut Rupiah, owed: Rupiah) -> Rupiah {
    let part = (*left).min(owed);
    *left = Rupiah::new(left.get() - part.get());
    part
}

fn check_total(
    total: Rupiah,
    payment: PositiveAmount,
    rule: Overpayment,
) -> Result<Rupiah, LoanError> {
    if total.is_zero() {
        return Err(LoanError::NothingOutstanding);
    }
    let excess = payment.get().checked_sub(total)?.max(Rupiah::ZERO);
    if excess.is_positive() && rule == Overpayment::Refuse {
        return Err(LoanError::Overpayment {
            paid: payment.get(),
            outstanding: total,
        });
    }
    Ok(excess)
}

/// Splits a payment over an outstanding amount: denda → interest → principal. A
/// partial payment settles what it reaches. A payment on a loan with nothing
/// outstanding is refused.
pub fn allocate(
    outstanding: &Outstanding,
    payment: PositiveAmount,
    overpayment: Overpayment,
) -> Result<Allocation, LoanError> {
    let total = outstanding.total()?;
    let change = check_total(total, payment, overpayment)?;
    let mut left = payment.get().checked_sub(change)?;
    let applied = Applied {
        denda: take(&mut left, outstanding.denda),
        interest: take(&mut left, outstanding.interest),
        principal: take(&mut left, outstanding.principal),
    };
    Ok(Allocation { applied, change })
}

/// Splits a payment over unpaid instalments, oldest first, each settled whole (denda →
/// interest → principal) before the next. Give the instalments in due-date order.
pub fn allocate_oldest_first(
    instalments: &[Outstanding],
    payment: PositiveAmount,
    overpayment: Overpayment,
) -> Result<AllocationAcross, LoanError> {
    let mut total = Rupiah::ZERO;
    for o in instalments {
        total = total.checked_add(o.total()?)?;
    }
    let change = check_total(total, payment, overpayment)?;
    let mut left = payment.get().checked_sub(change)?;
    let applied = instalments
        .iter()
        .map(|o| Applied {
            denda: take(&mut left, o.denda),
            interest: take(&mut left, o.interest),
            principal: take(&mut left, o.principal),
        })
        .collect();
    Ok(AllocationAcross { applied, change })
}

/// An instalment not yet fully paid: its due date and what remains of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallmentDue {
    pub due_date: Date,
    pub outstanding: Outstanding,
}

/// What paying a loan off today costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PayoffQuote {
    /// All principal still owed.
    pub principal: Rupiah,
    /// Interest of instalments already due plus that of the current period.
    pub interest: Rupiah,
    /// All denda charged so far.
    pub denda: Rupiah,
    /// Interest of later periods, not charged.
    pub interest_waived: Rupiah,
    pub total: Rupiah,
}

/// Early payoff (pelunasan dipercepat). The rule: the member pays all remaining
/// principal, all denda and the unpaid interest of instalments due before `today`,
/// plus the interest of the current period — the first instalment due on or after
/// `today`, whole, not prorated by days — and no interest of any later period. Whole
/// periods keep the quote the same on every day of a period and match how the interest
/// was scheduled; waiving future interest is what makes paying early worth it. On a
/// due date, the instalment due that day is the current period.
///
/// `unpaid` lists every instalment not fully paid, in due-date order.
pub fn early_payoff(unpaid: &[InstallmentDue], today: Date) -> Result<PayoffQuote, LoanError> {
    if unpaid.windows(2).any(|w| w[0].due_date > w[1].due_date) {
        return Err(LoanError::InstallmentOrder);
    }
    let mut principal = Rupiah::ZERO;
    let mut interest = Rupiah::ZERO;
    let mut denda = Rupiah::ZERO;
    let mut waived = Rupiah::ZERO;
    let mut current_period_charged = false;
    for i in unpaid {
        let o = &i.outstanding;
        o.total()?;
        principal = principal.checked_add(o.principal)?;
        denda = denda.checked_add(o.denda)?;
        let charge = if i.due_date < today {
            true
        } else {
            !std::mem::replace(&mut current_period_charged, true)
        };
        if charge {
            interest = interest.checked_add(o.interest)?;
        } else {
            waived = waived.checked_add(o.interest)?;
        }
    }
    if principal.is_zero() && interest.is_zero() && denda.is_zero() {
        return Err(LoanError::NothingOutstanding);
    }
    Ok(PayoffQuote {
        principal,
        interest,
        denda,
        interest_waived: waived,
        total: Rupiah::sum([principal, interest, denda])?,
    })
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
    fn owed(denda: i64, interest: i64, principal: i64) -> Outstanding {
        Outstanding {
            denda: rp(denda),
            interest: rp(interest),
            principal: rp(principal),
        }
    }

    #[test]
    fn payments_go_to_denda_then_interest_then_principal() {
        let o = owed(10_000, 120_000, 1_000_000);
        // 50.000 covers the denda and 40.000 of interest.
        let a = allocate(&o, pos(50_000), Overpayment::Refuse).unwrap();
        assert_eq!(
            a.applied,
            Applied {
                denda: rp(10_000),
                interest: rp(40_000),
                principal: rp(0)
            }
        );
        // 500.000: denda 10.000, interest 120.000, principal 370.000.
        let a = allocate(&o, pos(500_000), Overpayment::Refuse).unwrap();
        assert_eq!(a.applied.principal, rp(370_000));
        assert_eq!(a.applied.total(), rp(500_000));
        // Exactly everything.
        let a = allocate(&o, pos(1_130_000), Overpayment::Refuse).unwrap();
        assert_eq!((a.applied.principal, a.change), (rp(1_000_000), rp(0)));
        // Too much: refused, or the excess returned.
        assert_eq!(
            allocate(&o, pos(1_130_001), Overpayment::Refuse),
            Err(LoanError::Overpayment {
                paid: rp(1_130_001),
                outstanding: rp(1_130_000)
            })
        );
        let a = allocate(&o, pos(1_200_000), Overpayment::ReturnChange).unwrap();
        assert_eq!((a.applied.total(), a.change), (rp(1_130_000), rp(70_000)));
        // A settled loan takes no payment.
        assert_eq!(
            allocate(&owed(0, 0, 0), pos(1), Overpayment::ReturnChange),
            Err(LoanError::NothingOutstanding)
        );
        assert_eq!(
            allocate(&owed(-1, 0, 5), pos(1), Overpayment::Refuse),
            Err(LoanError::NegativeOutstanding)
        );
    }

    #[test]
    fn oldest_instalment_is_settled_first() {
        let dues = [owed(5_000, 100_000, 800_000), owed(0, 90_000, 800_000)];
        let a = allocate_oldest_first(&dues, pos(1_000_000), Overpayment::Refuse).unwrap();
        assert_eq!(a.applied[0].total(), rp(905_000));
        assert_eq!(
            a.applied[1],
            Applied {
                denda: rp(0),
                interest: rp(90_000),
                principal: rp(5_000)
            }
        );
        assert_eq!(a.change, rp(0));
        assert!(allocate_oldest_first(&dues, pos(2_000_000), Overpayment::Refuse).is_err());
        let a = allocate_oldest_first(&dues, pos(2_000_000), Overpayment::ReturnChange).unwrap();
        assert_eq!(a.change, rp(205_000));
        assert_eq!(
            allocate_oldest_first(&[], pos(1), Overpayment::ReturnChange),
            Err(LoanError::NothingOutstanding)
        );
    }

    #[test]
    fn early_payoff_charges_the_current_period_only() {
        // Menurun, 1.000.000 principal left in four instalments of 250.000 due on the
        // 10th of March … June, interest 10.000, 7.500, 5.000, 2.500. March is overdue
        // with 3.000 denda. Paying off on 20 March: all principal 1.000.000 + March's
        // interest 10.000 + April's (the current period) 7.500 + denda 3.000 =
        // 1.020.500; May's and June's interest 7.500 is waived.
        let d = |m| Date::new(2025, m, 10).unwrap();
        let unpaid = [
            InstallmentDue {
                due_date: d(3),
                outstanding: owed(3_000, 10_000, 250_000),
            },
            InstallmentDue {
                due_date: d(4),
                outstanding: owed(0, 7_500, 250_000),
            },
            InstallmentDue {
                due_date: d(5),
                outstanding: owed(0, 5_000, 250_000),
            },
            InstallmentDue {
                due_date: d(6),
                outstanding: owed(0, 2_500, 250_000),
            },
        ];
        let q = early_payoff(&unpaid, Date::new(2025, 3, 20).unwrap()).unwrap();
        assert_eq!(
            (q.principal, q.interest, q.denda, q.interest_waived, q.total),
            (
                rp(1_000_000),
                rp(17_500),
                rp(3_000),
                rp(7_500),
                rp(1_020_500)
            )
        );
        // On its due date, April is the current period; a day later it is overdue and
        // May is the current period.
        let q = early_payoff(&unpaid[1..], d(4)).unwrap();
        assert_eq!((q.interest, q.interest_waived), (rp(7_500), rp(7_500)));
        let q = early_payoff(&unpaid[1..], Date::new(2025, 4, 11).unwrap()).unwrap();
        assert_eq!((q.interest, q.interest_waived), (rp(12_500), rp(2_500)));
        // Before the first due date, the first period is the current one.
        let q = early_payoff(&unpaid[1..], d(3)).unwrap();
        assert_eq!((q.interest, q.interest_waived), (rp(7_500), rp(7_500)));
        let mut shuffled = unpaid;
        shuffled.swap(0, 1);
        assert_eq!(
            early_payoff(&shuffled, d(3)),
            Err(LoanError::InstallmentOrder)
        );
        assert_eq!(early_payoff(&[], d(3)), Err(LoanError::NothingOutstanding));
    }

    proptest! {
        /// Any payment on any outstanding amount: applied parts never exceed what is
        /// owed, follow the order, and with the change add up to the payment.
        #[test]
        fn allocation_is_exact_and_ordered(
            denda in 0i64..1_000_000,
            interest in 0i64..10_000_000,
            principal in 0i64..100_000_000,
            pay in 1i64..200_000_000,
        ) {
            let o = owed(denda, interest, principal);
            match allocate(&o, pos(pay), Overpayment::ReturnChange) {
                Ok(a) => {
                    let x = a.applied;
                    prop_assert_eq!(x.total().get() + a.change.get(), pay);
                    prop_assert!(x.denda <= o.denda && x.interest <= o.interest && x.principal <= o.principal);
                    prop_assert!(x.interest.is_zero() || x.denda == o.denda);
                    prop_assert!(x.principal.is_zero() || x.interest == o.interest);
                    prop_assert!(a.change.is_zero() || x.principal == o.principal);
                }
                Err(e) => prop_assert_eq!(e, LoanError::NothingOutstanding),
            }
        }
    }
}
