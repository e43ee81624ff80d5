//! Loans through the services: worked examples for the three methods checked by hand,
//! every refusal of the issue (each leaving nothing half-posted), and a property test
//! tying the loan's outstanding principal to the ledger.

mod examples;
mod property;
mod refusals;
mod scale;

use crate::support::Coop;
use guyub_domain::money::Rupiah;
use guyub_domain::{Date, LoanId, LoanProductId, MemberId, Role};
use guyub_services::loans::{
    self, Application, DendaInput, DisburseInput, FeeInput, ProductInput, RepaymentInput,
};
use guyub_services::members::{self, MemberInput};
use guyub_services::{Actor, ledger};

pub fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

pub fn rp(n: i64) -> Rupiah {
    Rupiah::new(n)
}

/// The staff of a test cooperative: a teller enters and pays, a manager approves.
pub struct Staff {
    pub owner: Actor,
    pub manager: Actor,
    pub manager2: Actor,
    pub teller: Actor,
}

pub fn staff(c: &Coop) -> Staff {
    Staff {
        owner: c.actor(Role::Owner, 1),
        manager: c.actor(Role::Manager, 2),
        manager2: c.actor(Role::Manager, 5),
        teller: c.actor(Role::Teller, 3),
    }
}

/// A member with `status` (anggota, calon_anggota, …).
pub async fn member(c: &Coop, name: &str, status: &str) -> MemberId {
    let owner = c.actor(Role::Owner, 1);
    members::create(
        &c.db,
        &owner,
        &MemberInput {
            name: name.into(),
            status: Some(status.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

pub fn fee(kind: &str, value: &str) -> FeeInput {
    FeeInput {
        kind: kind.into(),
        value: value.into(),
    }
}

pub fn denda(kind: &str, value: &str, grace_days: i64) -> DendaInput {
    DendaInput {
        kind: kind.into(),
        value: value.into(),
        grace_days,
    }
}

pub fn product_input(
    name: &str,
    method: &str,
    rate: &str,
    provisi: FeeInput,
    admin: FeeInput,
    denda: DendaInput,
) -> ProductInput {
    ProductInput {
        name: name.into(),
        method: method.into(),
        yearly_rate: rate.into(),
        min_tenor: 1,
        max_tenor: 36,
        min_principal: None,
        max_principal: None,
        provisi,
        admin,
        denda,
        grace_months: 0,
        active: None,
    }
}

pub async fn product(c: &Coop, input: ProductInput) -> LoanProductId {
    loans::create_product(&c.db, &c.actor(Role::Manager, 2), &input)
        .await
        .unwrap()
        .id
}

/// Applies (teller), approves (manager) and disburses (teller) a loan.
pub async fn running_loan(
    c: &Coop,
    member: MemberId,
    product: LoanProductId,
    principal: i64,
    tenor: i64,
    on: &str,
    channel: &str,
) -> LoanId {
    let s = staff(c);
    let l = loans::apply(
        &c.db,
        &s.teller,
        &Application {
            member_id: member,
            product_id: product,
            principal: rp(principal),
            tenor_months: tenor,
            purpose: "modal usaha".into(),
        },
    )
    .await
    .unwrap();
    loans::approve(&c.db, &s.manager, l.id, "").await.unwrap();
    loans::disburse(
        &c.db,
        &s.teller,
        l.id,
        &DisburseInput {
            channel: channel.into(),
            date: Some(d(on)),
            first_due: None,
        },
    )
    .await
    .unwrap();
    l.id
}

pub async fn pay(c: &Coop, loan: LoanId, amount: i64, on: &str) -> loans::Repayment {
    loans::repay(
        &c.db,
        &staff(c).teller,
        loan,
        &RepaymentInput {
            amount: rp(amount),
            paid_on: Some(d(on)),
        },
    )
    .await
    .unwrap()
}

/// The member's balance on an account by purpose code in the ledger (debit − credit),
/// from the journal lines that carry the member.
pub async fn member_balance(c: &Coop, member: MemberId, code: &str) -> i64 {
    let mut conn = c.db.conn().await.unwrap();
    let ledger = ledger::Ledger::load(&mut conn, c.id).await.unwrap();
    let account = ledger
        .account(&guyub_domain::money::AccountCode::parse(code).unwrap())
        .unwrap()
        .id;
    guyub_store::ledger::account_lines(&mut conn, c.id, account, 0, 99_991_231, 1_000_000)
        .await
        .unwrap()
        .iter()
        .filter(|l| l.member_id == Some(member.0))
        .map(|l| l.debit - l.credit)
        .sum()
}

/// An account's balance on its normal side as of a day, from the trial balance.
pub async fn balance(c: &Coop, code: &str, on: &str) -> i64 {
    let tb = ledger::trial_balance(&c.db, &c.actor(Role::Owner, 1), d(on))
        .await
        .unwrap();
    assert_eq!(tb.total_debit, tb.total_credit, "the ledger balances");
    tb.rows
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.balance)
        .unwrap_or(0)
}

/// Journal entries of the cooperative (to show a refusal posted nothing).
pub async fn entry_count(c: &Coop) -> usize {
    guyub_store::ledger::entries(
        &mut c.db.conn().await.unwrap(),
        c.id,
        0,
        99_991_231,
        None,
        100_000,
    )
    .await
    .unwrap()
    .len()
}

pub const CASH: &str = "1-1100";
pub const RECEIVABLE: &str = "1-1300";
pub const SUKARELA: &str = "2-1100";
pub const INTEREST: &str = "4-1100";
pub const PROVISI: &str = "4-1200";
pub const ADMIN: &str = "4-1300";
pub const DENDA: &str = "4-1400";
